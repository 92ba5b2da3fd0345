/*
 * rump.h -- the rump kernel's public interface: booting it and managing
 * its processes and lwps from a program that links librump.
 */
#ifndef _RUMP_RUMP_H_
#define _RUMP_RUMP_H_

#include <sys/types.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct lwp;

/* rump_pub_lwproc_rfork() flags */
#define RUMP_RFFDG	0x01	/* copy the descriptor table (fork(2)) */
#define RUMP_RFCFDG	0x02	/* start with a clean descriptor table */

/* rump_sys_reboot() howto, NetBSD's values */
#define RUMP_RB_AUTOBOOT	0x000	/* stop the server and exit */
#define RUMP_RB_NOSYNC		0x004	/* do not sync file systems */
#define RUMP_RB_HALT		0x008	/* stop serving, stay alive */
#define RUMP_RB_DUMP		0x100	/* dump core */

/*
 * The smallest memory limit (RUMP_MEMLIMIT, rump_server -r) the kernel
 * boots with; rump_init() refuses a smaller one with ENOMEM.
 */
#define RUMP_MEMLIMIT_MIN	(16 * 1024)

int	rump_init(void);
int	rump_init_server(const char *url);

/*
 * Detach a server program from its caller (NetBSD's names): begin
 * before rump_init(), done once it serves (RUMP_DAEMONIZE_SUCCESS) or
 * with the errno that stopped it.  The caller's parent process exits
 * with that verdict.
 */
#define RUMP_DAEMONIZE_SUCCESS	0
int	rump_daemonize_begin(void);
int	rump_daemonize_done(int error);
const char *rump_boot_version(void);

/* host files in the kernel's name space: rump_etfs(3) */
enum rump_etfs_type {
	RUMP_ETFS_REG,		/* a regular file */
	RUMP_ETFS_BLK,		/* a block device (a disk image) */
	RUMP_ETFS_CHR,		/* a character device */
	RUMP_ETFS_DIR,		/* a directory: its files */
	RUMP_ETFS_DIR_SUBDIRS	/* a directory and everything below */
};
#define RUMP_ETFS_SIZE_ENDOFF	((uint64_t)-1)	/* up to the end */

int	rump_pub_etfs_register(const char *key, const char *hostpath,
	    enum rump_etfs_type ftype);
int	rump_pub_etfs_register_withsize(const char *key, const char *hostpath,
	    enum rump_etfs_type ftype, uint64_t begin, uint64_t size);
int	rump_pub_etfs_remove(const char *key);

int	rump_pub_lwproc_rfork(int flags);
int	rump_pub_lwproc_newlwp(pid_t pid);
void	rump_pub_lwproc_switch(struct lwp *l);
void	rump_pub_lwproc_releaselwp(void);
struct lwp *rump_pub_lwproc_curlwp(void);

/* NetBSD also names them without "pub" */
#define rump_lwproc_rfork	rump_pub_lwproc_rfork
#define rump_lwproc_newlwp	rump_pub_lwproc_newlwp
#define rump_lwproc_switch	rump_pub_lwproc_switch
#define rump_lwproc_releaselwp	rump_pub_lwproc_releaselwp
#define rump_lwproc_curlwp	rump_pub_lwproc_curlwp

#ifdef __cplusplus
}
#endif

#endif /* _RUMP_RUMP_H_ */
