/*
 * fs_scen.h -- the host-compared file system scenarios (fs_scen.c),
 * shared by the in-process and the remote test programs.
 */
#ifndef TESTS_FS_SCEN_H
#define TESTS_FS_SCEN_H

#include <limits.h>
#include <sys/types.h>
#include <stdint.h>

/* Linux's getdents64 record, as the ABI defines it */
struct linux_dirent64 {
	uint64_t	d_ino;
	int64_t		d_off;
	uint16_t	d_reclen;
	uint8_t		d_type;
	char		d_name[];
};

/* the system calls a scenario makes, on the host or in the kernel */
struct run;
typedef void scenario_t(struct run *);

/* the mkdtemp directory on the host, made by main */
extern char hostbase[PATH_MAX];
/* boots the kernel or connects to it: 0 or an errno */
extern int (*fs_boot)(void);
/* sets the kernel process's effective ids (in-process only), or NULL */
extern int (*fs_rump_seteids)(uid_t, gid_t);

/* run scenario on the host in hostbase/name and in the kernel's /tmp/name */
void	run_both(const char *name, scenario_t *scenario);
void	run_both_in(const char *rbase, const char *name, scenario_t *);

scenario_t	sc_open;
scenario_t	sc_openat;
scenario_t	sc_rw;
scenario_t	sc_dirs;
scenario_t	sc_names;
scenario_t	sc_getdents;
scenario_t	sc_cwd;
scenario_t	sc_removed;
scenario_t	sc_unlinked;
scenario_t	sc_symlinks;
scenario_t	sc_links;
scenario_t	sc_rename;
scenario_t	sc_at;
scenario_t	sc_attrs;
scenario_t	sc_sizes;
scenario_t	sc_times;
scenario_t	sc_perms;

#define SCENARIO(name)							\
START_TEST(cmp_##name)							\
{									\
	run_both(#name, sc_##name);					\
}									\
END_TEST

/* the same scenario in a host directory mapped at /etfs (etfs) */
#define SCENARIO_IN(name)						\
START_TEST(etfs_##name)							\
{									\
	run_both_in("/etfs", #name, sc_##name);				\
}									\
END_TEST

#endif /* TESTS_FS_SCEN_H */
