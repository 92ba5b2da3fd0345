/*
 * hijack_int.h -- the inside of librumphijack, shared by its files.
 *
 * librumphijack is preloaded (LD_PRELOAD) into an unmodified program.
 * It defines the libc functions that take a path or a descriptor; each
 * one decides whether the call belongs to the rump kernel (a path
 * under the prefix of RUMPHIJACK, or a descriptor that came from the
 * kernel) and makes it with rump_sys_*, or passes it on to the next
 * definition, the host's, found with dlsym(RTLD_NEXT).
 *
 * Descriptors (rumphijack(3)): kernel descriptor k is descriptor
 * k + hj_fdoff in the program.  The host's descriptors stay below
 * hj_fdoff because the library lowers the soft RLIMIT_NOFILE to it.
 * A kernel descriptor dup2()ed onto a host number n below hj_fdoff
 * (a shell's "> /rump/f") is an alias: hj_alias[n] holds the kernel
 * descriptor plus one, and the host's n is kept busy by /dev/null so
 * that the host never hands n out for something else.
 *
 * librumpclient is linked into this library, and its own calls of
 * read, close, socket, fork, execve... come back here too.  hj_inlib,
 * per thread, says "librumpclient is working": every wrapper then
 * goes straight to the host.
 */
#ifndef HIJACK_INT_H
#define HIJACK_INT_H

#include <sys/types.h>
#include <pthread.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>

/* the host's definition of f: resolved on first use, never NULL */
#define HOST(f)	((__typeof__(host_##f))hj_host((void **)&host_##f, #f))
#define DECL_HOST(f)	static __typeof__(f) *host_##f

/* hj_init.c */
extern bool		hj_ready;	/* connected: calls may go to rump */
extern __thread int	hj_inlib;	/* librumpclient at work */
extern int		hj_fdoff;	/* kernel descriptor k is k + hj_fdoff */
extern const char	*hj_prefix;	/* "/rump" */
extern size_t		hj_prefixlen;
void	*hj_dlsym(const char *);

static inline void *
hj_host(void **slot, const char *name)
{

	if (*slot == NULL)
		*slot = hj_dlsym(name);
	return *slot;
}
void	hj_fatal(const char *, int) __attribute__((__noreturn__));

/*
 * The library's locks, held across fork(2) by hj_init.c's atfork
 * handlers so that a child never finds one taken by a thread it does
 * not have.  Taken in this order where two are held: hj_popenmtx
 * before hj_factmtx; no other pair is ever held together.
 */
extern pthread_mutex_t	hj_aliasmtx, hj_dirmtx, hj_ckmtx, hj_popenmtx,
			hj_factmtx;

/* hj_fd.c: which side a descriptor is on */
extern int		hj_connfd;	/* librumpclient's socket, or -1 */
int	hj_kfd(int);			/* kernel descriptor, or -1: host */
int	hj_ret_kfd(int);		/* rump_sys_* result to program fd */
int	hj_ret_kfd_high(int);		/* the same, never an alias */
int	hj_alias_set(int, int, int);
void	hj_alias_clear(int);
int	hj_alias_get(int);
char	*hj_alias_env(void);
void	hj_alias_import(const char *);
int	hj_close_kfd(int);

/* hj_name.c: pathconf's answers and statvfs for the kernel's files */
struct statfs;
struct statvfs;
long	hj_kpathconf(int);
void	hj_statvfs(const struct statfs *, struct statvfs *);

/* hj_path.c: which side a path is on */
extern bool		hj_cwd_rump;	/* the current directory is in rump */
const char *hj_kpath(const char *);	/* kernel path, or NULL: host */
void	hj_umask_sync(void);		/* the host's umask to the kernel */
/* for *at calls: 1 kernel (*kdir, *kp set), 0 host */
int	hj_atpath(int, const char *, int *, const char **);

/* hj_sock.c: the socket families that are the kernel's */
#define HJ_SF_LOCAL	0x1
#define HJ_SF_INET	0x2
#define HJ_SF_INET6	0x4
#define HJ_SF_ALL	(HJ_SF_LOCAL | HJ_SF_INET | HJ_SF_INET6)
extern unsigned int	hj_sockfam;
int	hj_sock_option(const char *);
bool	hj_sock_kernel(int);

/* hj_spawn.c: posix_spawn's work, 0 or an errno */
int	hj_spawn(pid_t *, const char *, const posix_spawn_file_actions_t *,
	    const posix_spawnattr_t *, char *const [], char *const [], bool);

/* hj_stdio.c */
void	hj_stdio_alias(int);

#endif /* HIJACK_INT_H */
