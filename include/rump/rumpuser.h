/*
 * rumpuser.h -- the hypercall interface: everything the rump kernel
 * needs from the host.  The kernel (librump) calls only these; they
 * are implemented by librumpuser, the only code that touches pthreads,
 * sockets and epoll.  The interface is versioned: the kernel passes
 * RUMPUSER_VERSION to rumpuser_init() and a mismatch fails the boot.
 *
 * Errors are returned as errno values, translated once, here.
 */
#ifndef _RUMP_RUMPUSER_H_
#define _RUMP_RUMPUSER_H_

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#define RUMPUSER_VERSION	1

struct lwp;

int	rumpuser_init(int version);

/* memory */
int	rumpuser_malloc(size_t len, int alignment, void **memp);
void	rumpuser_free(void *mem, size_t len);

/* threads: f runs on a new host thread; joinable threads return a cookie */
int	rumpuser_thread_create(void *(*f)(void *), void *arg,
	    const char *name, int joinable, void **cookiep);
void	rumpuser_thread_exit(void) __attribute__((__noreturn__));
int	rumpuser_thread_join(void *cookie);

/* mutexes and condition variables */
struct rumpuser_mtx;
struct rumpuser_cv;
void	rumpuser_mutex_init(struct rumpuser_mtx **mtxp);
void	rumpuser_mutex_enter(struct rumpuser_mtx *mtx);
int	rumpuser_mutex_tryenter(struct rumpuser_mtx *mtx);	/* 0 or EBUSY */
void	rumpuser_mutex_exit(struct rumpuser_mtx *mtx);
void	rumpuser_mutex_destroy(struct rumpuser_mtx *mtx);
/* nonzero if the calling thread holds mtx */
int	rumpuser_mutex_owned(struct rumpuser_mtx *mtx);

void	rumpuser_cv_init(struct rumpuser_cv **cvp);
void	rumpuser_cv_destroy(struct rumpuser_cv *cv);
void	rumpuser_cv_wait(struct rumpuser_cv *cv, struct rumpuser_mtx *mtx);
/* relative timeout; returns 0 or ETIMEDOUT */
int	rumpuser_cv_timedwait(struct rumpuser_cv *cv,
	    struct rumpuser_mtx *mtx, int64_t sec, int64_t nsec);
void	rumpuser_cv_signal(struct rumpuser_cv *cv);
void	rumpuser_cv_broadcast(struct rumpuser_cv *cv);

/* the lwp bound to the calling host thread (NULL: none) */
void	rumpuser_curlwp_set(struct lwp *l);
struct lwp *rumpuser_curlwp(void);

/* clocks */
#define RUMPUSER_CLOCK_RELWALL	0	/* wall clock (CLOCK_REALTIME) */
#define RUMPUSER_CLOCK_ABSMONO	1	/* monotonic */
int	rumpuser_clock_gettime(int which, int64_t *sec, long *nsec);
int	rumpuser_clock_sleep(int64_t sec, long nsec);

/* randomness */
int	rumpuser_getrandom(void *buf, size_t buflen);

/*
 * Host files (rumpuser_file.c), for the kernel's etfs: a host file or
 * directory mapped into the kernel's name space.  A handle is a host
 * descriptor; paths are host paths (rumpuser_file_realpath makes one
 * absolute).  Every call returns 0 or an errno value.
 */
#define RUMPUSER_FT_OTHER	0
#define RUMPUSER_FT_DIR		1
#define RUMPUSER_FT_REG		2
#define RUMPUSER_FT_BLK		3
#define RUMPUSER_FT_CHR		4
#define RUMPUSER_FT_LNK		5

struct rumpuser_fattr {
	int		fa_type;	/* RUMPUSER_FT_* */
	uint32_t	fa_mode;	/* permission bits (07777) */
	uint64_t	fa_size;
	uint64_t	fa_dev;		/* with fa_ino: which file */
	uint64_t	fa_ino;
	uint64_t	fa_nlink;
	uint32_t	fa_uid, fa_gid;
	int64_t		fa_atime, fa_mtime, fa_ctime;	/* seconds */
	long		fa_atimensec, fa_mtimensec, fa_ctimensec;
};

#define RUMPUSER_OPEN_RDONLY	0x0000
#define RUMPUSER_OPEN_RDWR	0x0001
#define RUMPUSER_OPEN_CREATE	0x0002	/* with EXCL: a new file */
#define RUMPUSER_OPEN_DIR	0x0004	/* a directory, for getdents */

int	rumpuser_file_realpath(const char *path, char *buf, size_t len);
int	rumpuser_file_open(const char *path, int flags, int mode, int *fdp);
int	rumpuser_file_close(int fd);
/* the attributes of path (not following a last symlink) or of fd */
int	rumpuser_file_stat(const char *path, int fd, struct rumpuser_fattr *);
int	rumpuser_file_pread(int fd, void *buf, size_t len, int64_t off,
	    size_t *donep);
int	rumpuser_file_pwrite(int fd, const void *buf, size_t len, int64_t off,
	    size_t *donep);
int	rumpuser_file_truncate(int fd, int64_t len);
int	rumpuser_file_sync(int fd);
/*
 * Directory entries of fd from position *pos on, as Linux's getdents64
 * records (struct linux_dirent64) in buf; *pos becomes the position
 * after the last one, *usedp 0 at the end.
 */
int	rumpuser_file_getdents(int fd, int64_t *pos, void *buf, size_t len,
	    size_t *usedp);
int	rumpuser_file_mkdir(const char *path, int mode);
int	rumpuser_file_unlink(const char *path, int isdir);
int	rumpuser_file_rename(const char *from, const char *to, int exchange);
int	rumpuser_file_readlink(const char *path, char *buf, size_t len,
	    size_t *lenp);
int	rumpuser_file_symlink(const char *target, const char *path);
/* a new name to for the file open on fd, or (fd -1) named from */
int	rumpuser_file_link(const char *from, int fd, const char *to);
/*
 * Attributes of the file open on fd, or with fd -1 of path (the link
 * itself for a symbolic link).  sec/nsec: atime and mtime.
 */
int	rumpuser_file_chmod(const char *path, int fd, int mode);
int	rumpuser_file_chown(const char *path, int fd, uint32_t uid,
	    uint32_t gid);
int	rumpuser_file_utimens(const char *path, int fd, const int64_t sec[2],
	    const long nsec[2]);

/*
 * Parameters the host hands to the kernel, read from the environment:
 * RUMP_NCPU, RUMP_MEMLIMIT, RUMP_VERBOSE, RUMP_HOSTNAME.  Returns 0,
 * ENOENT when unset or ENAMETOOLONG when it does not fit buf.
 */
int	rumpuser_getparam(const char *name, void *buf, size_t blen);

/* console output and exit */
void	rumpuser_dprintf(const char *fmt, ...)
	    __attribute__((__format__(__printf__, 1, 2)));
/* /dev/console: len bytes to the host's standard error, whole; errno */
int	rumpuser_conswrite(const void *buf, size_t len);
#define RUMPUSER_PANIC	(-1)
void	rumpuser_exit(int value) __attribute__((__noreturn__));
/* a fatal kernel error: print "rump kernel panic: <msg>" and abort */
void	rumpuser_panic(const char *fmt, ...)
	    __attribute__((__noreturn__, __format__(__printf__, 1, 2)));

/*
 * Sysproxy server.  The kernel registers this operations table; every
 * operation except schedule/unschedule is called with the kernel
 * scheduled on the calling thread (the server brackets each call with
 * spop_schedule/spop_unschedule).  The server unschedules the kernel
 * itself before it waits for a client on the wire.
 *
 * spop_lwproc_rfork(spc, flags, comm): make a child of the current
 * process (pid 1 for the implicit context) bound to client spc, with
 * one lwp that becomes curlwp.  With RUMPUSER_SP_PREFORK in flags the
 * child is a prefork image: invisible to wait and kill, not bound to a
 * client.  Called from a prefork image's lwp, rfork binds that image
 * to spc instead of forking again (the FORK handshake), so the child
 * keeps the forking process as its parent.
 *
 * spop_lwpkick(l): tell one lwp of any process to exit, as
 * spop_lwpexit tells all of the current one's: its interruptible
 * sleeps end with EINTR (the server's caller of a call is gone).
 */
#define RUMPUSER_SP_PREFORK	0x1000

struct rumpuser_sp_ops {
	void (*spop_schedule)(void);
	void (*spop_unschedule)(void);

	int (*spop_lwproc_rfork)(void *, int, const char *);
	int (*spop_lwproc_newlwp)(pid_t);
	void (*spop_lwproc_switch)(struct lwp *);
	void (*spop_lwproc_release)(void);
	struct lwp *(*spop_lwproc_curlwp)(void);

	int (*spop_syscall)(int, void *, register_t *);
	void (*spop_lwpexit)(void);
	void (*spop_execnotify)(const char *);
	pid_t (*spop_getpid)(void);
	void (*spop_lwpkick)(struct lwp *);
};

/*
 * Require clients to prove that they hold the key in this file (the
 * AUTH handshake, rump_sp(7)); before rumpuser_sp_init().  Returns 0,
 * EACCES when group or others may read the file, EINVAL for a key of
 * the wrong size (16 to 1024 bytes), or the errno of reading it.
 */
int	rumpuser_sp_keyfile(const char *path);
/*
 * Detach a server program: begin forks, the parent waits and exits
 * with the child's verdict, which done reports (0: serving, or an
 * errno).  rumpuser_daemon.c; NetBSD's names.
 */
int	rumpuser_daemonize_begin(void);
int	rumpuser_daemonize_done(int error);
int	rumpuser_sp_init(const char *url, const struct rumpuser_sp_ops *ops,
	    const char *ostype, const char *osrelease, const char *machine);
/* stop serving; arg is the calling client (answered first) or NULL */
void	rumpuser_sp_fini(void *arg);

int	rumpuser_sp_copyin(void *arg, const void *raddr, void *laddr,
	    size_t len);
int	rumpuser_sp_copyinstr(void *arg, const void *raddr, void *laddr,
	    size_t *len);
/*
 * The client's bytes [raddr, raddr + len) when all of them came inline
 * with the request the calling thread serves: a pointer into the
 * request, valid until the call returns.  NULL when they did not;
 * rumpuser_sp_copyin then fetches them.
 */
const void *rumpuser_sp_copyin_inline(void *arg, const void *raddr,
	    size_t len);
int	rumpuser_sp_copyout(void *arg, const void *laddr, void *raddr,
	    size_t dlen);
int	rumpuser_sp_copyoutstr(void *arg, const void *laddr, void *raddr,
	    size_t *dlen);
int	rumpuser_sp_anonmmap(void *arg, size_t howmuch, void **addr);
int	rumpuser_sp_raise(void *arg, int signo);
/*
 * The host credentials of the client's peer (a Unix socket's
 * SO_PEERCRED) when the server was told to use them
 * (rumpsp_peercred); ENOENT otherwise.
 */
int	rumpuser_sp_peercred(void *arg, uid_t *uid, gid_t *gid);

/*
 * The server's live counters, read by the kernel for its
 * kern.sysproxy.* sysctl nodes.  rumpuser_sp_counter returns one, or
 * -1 for an unknown one.
 */
enum rumpuser_sp_counter {
	RUMPUSER_SP_CLIENTS,		/* connected now */
	RUMPUSER_SP_CONNECTS,		/* accepted since start */
	RUMPUSER_SP_REFUSED,		/* refused (table full, no fds) */
	RUMPUSER_SP_THREADS,		/* server threads alive */
	RUMPUSER_SP_IDLE,		/* of those, idle */
	RUMPUSER_SP_BLOCKED,		/* of those, asleep in the kernel */
	RUMPUSER_SP_REQUESTS,		/* requests read */
	RUMPUSER_SP_BYTESIN,		/* bytes read from clients */
	RUMPUSER_SP_BYTESOUT,		/* bytes sent to clients */
	RUMPUSER_SP_QUEUED,		/* bytes waiting in outbound queues */
	RUMPUSER_SP_COPYREQS,		/* copy requests sent to clients */
	RUMPUSER_SP_ERRORS,		/* ERROR frames sent */
	RUMPUSER_SP_CUTOFF,		/* clients cut off by a limit */
	RUMPUSER_SP_PREFORKS,		/* fork images not yet claimed */
	RUMPUSER_SP_NCOUNTERS
};
int64_t	rumpuser_sp_counter(int which);

/*
 * Server limits, settable before rumpuser_sp_init() (rump_server(1)
 * describes each); -1 lifts the integer ones.
 */
extern int rumpsp_maxworker;	/* runnable threads */
extern int rumpsp_idleworker;	/* idle threads kept */
extern int rumpsp_maxblocked;	/* threads asleep in the kernel */
extern int rumpsp_maxclient;	/* connections */
extern size_t rumpsp_maxqueue;	/* bytes queued for one client */
extern int rumpsp_maxcalls;	/* calls of one client in the server */
extern int rumpsp_maxprefork;	/* fork images one client may hold */
extern int rumpsp_hstimeout;	/* ms to finish the handshake */
extern int rumpsp_copytimeout;	/* ms a copy waits for its client */
extern int rumpsp_keepalive;	/* s of TCP silence before probes, -1 off */
extern int rumpsp_sockmode;	/* mode of a Unix socket file */
extern int rumpsp_peercred;	/* clients get their host credentials */
extern int rumpsp_verbose;	/* log connects, disconnects, refusals */
extern int rumpsp_shmring;	/* bytes of each shared ring, 0: no SHM */
extern int rumpsp_shmspin;	/* us the server watches active rings */

#endif /* _RUMP_RUMPUSER_H_ */
