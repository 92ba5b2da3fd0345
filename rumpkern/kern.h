/*
 * kern.h -- the rump kernel's internal interfaces: processes and lwps,
 * the kernel lock and sleeping, memory, user copies, descriptors and
 * files, and the VFS entry points the rest of the kernel uses.
 *
 * Locking: the kernel runs under one lock, the big kernel lock, taken
 * by rump_schedule() when a host thread enters the kernel and dropped
 * by rump_unschedule() when it leaves.  Everything below is protected
 * by it unless a comment says otherwise.  A thread gives it up only
 * while asleep (cv_wait*) and while a copy from a remote client waits
 * for its answer (copyin/copyinstr), so kernel state may change across
 * those calls: hold references over them and revalidate.  Frames to a
 * client (copyout data, RAISE) go into the server's outbound queue and
 * never wait, so copyout and signals to clients keep the lock.
 *
 * The kernel reaches the host only through rumpuser_*; it includes host
 * headers only for the Linux ABI (flag values, errno values, struct
 * layouts), never for threads, sockets or polling.
 */
#ifndef RUMPKERN_KERN_H
#define RUMPKERN_KERN_H

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rump/rump.h>
#include <rump/rumpuser.h>
#include <rump/rump_syscallargs.h>

#define MAXCOMLEN	16	/* command name, NUL included (Linux TASK_COMM_LEN) */
#define RUMP_MAXFILES	4096	/* descriptors per process: Linux's default
				   RLIMIT_NOFILE hard limit; no rlimit
				   may pass it (as Linux's nr_open) */
#define RUMP_MAXPROC	32768	/* default of maxproc (RUMP_MAXPROC) */
extern int maxproc;		/* processes in the kernel, set at boot */

/*
 * Scheduling: the big kernel lock.
 */
void	rump_schedule(void);
void	rump_unschedule(void);
bool	rump_scheduled(void);		/* does this thread hold it? */
void	sched_init(void);

/* Condition variables sleep on the kernel lock. */
typedef struct kcondvar {
	struct rumpuser_cv *kcv_cv;
} kcondvar_t;

void	cv_init(kcondvar_t *);
void	cv_destroy(kcondvar_t *);
void	cv_wait(kcondvar_t *);
/*
 * Interruptible sleep: returns 0 when woken, EINTR when the lwp is
 * told to exit (its process is exiting or being torn down), or
 * ETIMEDOUT after timo_ms milliseconds (0: no timeout).  Callers loop
 * on their condition.
 */
int	cv_wait_sig(kcondvar_t *, int timo_ms);
void	cv_signal(kcondvar_t *);
void	cv_broadcast(kcondvar_t *);

void	panic(const char *, ...)
	    __attribute__((__noreturn__, __format__(__printf__, 1, 2)));
#define KASSERT(e)	((e) ? (void)0 : \
	panic("kernel assertion \"%s\" failed: %s:%d", #e, __FILE__, __LINE__))

/*
 * Memory.  Every allocation is charged to the kernel's memory limit
 * (rump_server -r); kmem_alloc returns NULL when the limit or the host
 * says no, and the caller fails with ENOMEM.  kmem_free takes the size
 * that was allocated.
 */
void	*kmem_alloc(size_t);
void	*kmem_zalloc(size_t);
void	 kmem_free(void *, size_t);
char	*kmem_strdup(const char *);	/* free with kmem_strfree */
void	 kmem_strfree(char *);
void	 kmem_init(uint64_t limit);	/* 0: no limit */
uint64_t kmem_inuse(void);
/*
 * Fault injection for tests: the nth allocation from now fails (1: the
 * next one), once; 0 turns it off.  Returns the countdown it replaces:
 * how many allocations were still to go before the previous injected
 * failure (0 once it has happened), so that kmem_failnth(0) after a
 * call tells whether the call got that far.
 */
long	 kmem_failnth(long n);
uint64_t kmem_limit(void);		/* 0: no limit */

/*
 * Credentials.
 */
/*
 * Credentials.  Part of struct proc (a copy per process): fork copies
 * them, exec keeps them (the saved ids take the effective ones, as
 * execve(2) does).  Supplementary groups are a bounded array: Linux's
 * NGROUPS_MAX (65536) is too big for a per-process copy, so
 * setgroups(2) past RUMP_NGROUPS fails with EINVAL.
 */
#define RUMP_NGROUPS	32
struct cred {
	uid_t	cr_uid, cr_euid, cr_suid;
	gid_t	cr_gid, cr_egid, cr_sgid;
	int	cr_ngroups;
	gid_t	cr_groups[RUMP_NGROUPS];	/* sorted, as Linux keeps them */
};
/* The questions permission checks ask of credentials (kern_prot.c). */
bool	cred_isroot(const struct cred *);	/* effective uid 0 */
bool	cred_groupmember(const struct cred *, gid_t); /* egid or a group */

/*
 * Processes and lwps.
 */
enum pstat { SIDL, SACTIVE, SZOMB };

struct lwp {
	struct proc		*l_proc;
	int			 l_lid;
	int			 l_flag;	/* LW_* */
	kcondvar_t		*l_sleepcv;	/* where it sleeps, or NULL */
	LIST_ENTRY(lwp)		 l_sibling;	/* p_lwps */
};
#define LW_RUNNING	0x01	/* curlwp of some host thread */
#define LW_IMPLICIT	0x02	/* implicit context of one kernel entry */
#define LW_WEXIT	0x04	/* told to exit: sleeps return EINTR */

struct filedesc;
struct vnode;

struct proc {
	pid_t			 p_pid;
	enum pstat		 p_stat;
	int			 p_flag;	/* P_* */
	struct proc		*p_pptr;	/* parent */
	LIST_HEAD(, proc)	 p_children;
	LIST_ENTRY(proc)	 p_sibling;	/* parent's p_children */
	LIST_ENTRY(proc)	 p_hash;	/* pid hash chain */
	LIST_ENTRY(proc)	 p_list;	/* allproc */
	LIST_HEAD(, lwp)	 p_lwps;
	int			 p_nlwps;
	int			 p_nextlid;
	struct cred		 p_cred;
	struct vnode		*p_cwd;
	mode_t			 p_umask;	/* file creation mask */
	struct filedesc		*p_fd;
	char			 p_comm[MAXCOMLEN];
	int			 p_xstat;	/* wait(2) status once zombie */
	pid_t			 p_pgid, p_sid;
	void			*p_spc;		/* sysproxy client, NULL: local */
	int			 p_lastsig;	/* last fatal signal sent to it */
	kcondvar_t		 p_waitcv;	/* parent sleeps here in wait */
	struct rlimit		 p_rlimit[RLIM_NLIMITS];	/* fork copies */
};
#define P_PREFORK	0x01	/* prefork image, not yet a visible child */
#define P_WEXIT		0x02	/* exiting */
#define P_SYSTEM	0x04	/* pid 0 or 1: never exits, ignores signals */
#define P_EXITED	0x08	/* p_xstat set by exit(2) or a kill */
#define P_LWPEXIT	0x10	/* draining: new lwps are born told to exit */

/* wait(2) status words, Linux's encoding */
#define RUMP_W_EXITCODE(ret)	(((ret) & 0xff) << 8)
#define RUMP_W_SIGNALED(sig)	((sig) & 0x7f)
/* a sysproxy client that vanished without exit(2) */
#define SIG_DISCONNECT	SIGKILL

extern struct proc *proc0;		/* pid 0, the kernel's own */
extern struct proc *initproc;		/* pid 1 */
LIST_HEAD(proclist, proc);
extern struct proclist allproc;
extern int nprocs;

struct lwp *curlwp_get(void);		/* NULL if none bound */
#define curlwp		(curlwp_get())
#define curproc		(curlwp->l_proc)

int	proc_init(void);		/* ENOMEM: too little memory */
struct proc *proc_find(pid_t);		/* live or zombie, not prefork */
int	proc_create(struct proc *parent, int rfflags, void *spc,
	    const char *comm, struct proc **pp);
int	lwp_create(struct proc *, struct lwp **);
void	lwp_destroy(struct lwp *);	/* last lwp: the process exits */
void	lwp_switchto(struct lwp *);	/* bind to this host thread */
void	proc_exit(struct proc *, int xstat);	/* kill lwps, release */
void	proc_free(struct proc *);	/* reap a zombie */
void	proc_discard(struct proc *);	/* a new process without lwps */
void	lwp_kick(struct lwp *);		/* LW_WEXIT and wake it */
void	proc_setcomm(struct proc *, const char *);
void	rlimit_init(struct rlimit *);	/* Linux's boot defaults */

/* rump_lwproc(3) with the kernel scheduled (kern_lwproc.c) */
int	lwproc_rfork(void *spc, int flags, const char *comm);
int	lwproc_bindprefork(void *spc, const char *comm);
int	lwproc_newlwp(pid_t);
void	lwproc_release(void);

/* implicit context: used by kernel entries from unbound threads */
struct lwp *lwp_implicit_enter(void);
void	lwp_implicit_leave(struct lwp *);

/*
 * Copying to and from the user address space of a process: memory of
 * this host process for local (in-process) processes, the client's
 * memory over the wire for sysproxy clients.  Return 0 or EFAULT (or
 * ENAMETOOLONG for copyinstr).  copyin and copyinstr may give up the
 * kernel lock: their destination must be private to the caller (stack
 * or its own allocation).  copyout keeps the lock (the server copies
 * or queues the data before it returns), so its source may be shared
 * kernel data.
 */
int	copyin(const void *uaddr, void *kaddr, size_t len);
int	copyout(const void *kaddr, void *uaddr, size_t len);
int	copyinstr(const void *uaddr, void *kaddr, size_t len, size_t *done);
/*
 * The len bytes at uaddr without a copy, when a sysproxy client sent
 * them inline with its request: read-only, valid until the system call
 * returns, and private to it.  NULL otherwise (a local process, data
 * not inline): use copyin.  It never gives up the kernel lock.
 */
const void *copyin_inline(const void *uaddr, size_t len);

/* A transfer between the kernel and one user buffer. */
enum uio_rw { UIO_READ, UIO_WRITE };	/* READ: kernel -> user */
struct uio {
	void		*uio_uaddr;	/* user buffer, advances */
	size_t		 uio_resid;	/* bytes left */
	off_t		 uio_offset;	/* file offset, advances */
	enum uio_rw	 uio_rw;
};
/* move n bytes between kbuf and the user buffer, advancing uio */
int	uiomove(void *kbuf, size_t n, struct uio *);

/*
 * Files and descriptors.  A struct file is an open file description,
 * shared by dup and fork; the descriptor table maps numbers to files.
 */
/*
 * Waiting for readiness (subr_select.c), after NetBSD's selinfo.  A
 * poller (poll, select, epoll_wait) owns a struct selwait for the
 * length of its call; an object that can become ready (a pipe, a
 * socket) embeds a struct selinfo and calls selnotify() whenever its
 * state changes.  The selinfo remembers the poller by number, not by
 * pointer, so a poller that has returned is simply not found; when
 * two pollers record on one selinfo it wakes every poller (NetBSD's
 * collision).  All under the kernel lock: a poller scans and goes to
 * sleep without giving it up, so no notification is lost in between.
 */
struct selinfo {
	uint64_t	si_waiter;	/* sw_id of the poller recorded, 0: none */
	bool		si_collision;	/* several recorded: wake every poller */
};
struct selwait {
	LIST_ENTRY(selwait) sw_link;	/* the pollers now in the kernel */
	uint64_t	sw_id;
	bool		sw_fired;	/* a selnotify since selwait_arm */
	kcondvar_t	sw_cv;
};
struct file;
void	selwait_init(struct selwait *);
void	selwait_fini(struct selwait *);
void	selwait_arm(struct selwait *);		/* before a scan */
/*
 * Sleep until a selnotify of a recorded selinfo, or until the
 * monotonic clock reaches deadline (nanoseconds; -1: none).  0 when
 * woken, ETIMEDOUT, or EINTR when the lwp is told to exit.
 */
int	selwait_sleep(struct selwait *, int64_t deadline);
void	selrecord(struct selwait *, struct selinfo *);
void	selnotify(struct selinfo *);
int64_t	sel_now(void);				/* monotonic ns */
/* a file's fo_poll, or always ready without one (sys_poll.c) */
int	file_poll(struct file *, int events, struct selwait *);
/* copy in a struct timespec timeout: the deadline, EINVAL if negative */
int	sel_timespec(const void *uts, int64_t *deadline);
/* check a ppoll/pselect6 signal mask (Linux's 8 bytes); no effect */
int	sel_sigmask(const void *usig, size_t size);
/* the deadline for a relative timeout in ns (<0: none) */
int64_t	sel_deadline(int64_t timeout);

struct fileops {
	/* flags: FOF_UPDATE_OFFSET: use and advance f_offset */
	int	(*fo_read)(struct file *, struct uio *, int flags);
	int	(*fo_write)(struct file *, struct uio *, int flags);
	int	(*fo_stat)(struct file *, struct stat *);
	int	(*fo_seek)(struct file *, off_t, int whence, off_t *newoff);
	int	(*fo_close)(struct file *);	/* last reference gone */
	/*
	 * Readiness: the POLL* bits of events (and POLLERR, POLLHUP) that
	 * hold now.  With sw not NULL and none of events ready, record sw
	 * on the object's selinfo so that a change wakes it.  NULL: always
	 * readable and writable (regular files, devices).
	 */
	int	(*fo_poll)(struct file *, int events, struct selwait *sw);
};
#define FOF_UPDATE_OFFSET	0x01

struct file {
	int			 f_count;	/* references */
	int			 f_flag;	/* FREAD|FWRITE|O_APPEND|O_NONBLOCK */
	off_t			 f_offset;
	const struct fileops	*f_ops;
	void			*f_data;	/* vnode, pipe, ... */
	int			 f_type;	/* DTYPE_* */
	pid_t			 f_owner;	/* F_SETOWN: pid, -pgid, 0 none */
	uid_t			 f_ownuid;	/* who set it: real and */
	uid_t			 f_owneuid;	/* effective uid (sigio_perm) */
	uint64_t		 f_serial;	/* unique: tells files apart */
};
#define FREAD		0x1
#define FWRITE		0x2
#define DTYPE_VNODE	1
#define DTYPE_PIPE	2
#define DTYPE_SOCKET	3
#define DTYPE_EPOLL	4

struct fdent {
	struct file	*fe_file;
	int		 fe_flags;	/* FD_CLOEXEC */
};

struct filedesc {
	int		 fd_refcnt;	/* processes sharing it */
	int		 fd_nfiles;	/* slots in fd_ofiles */
	struct fdent	*fd_ofiles;
};

struct filedesc *fd_init(void);			/* empty table */
struct filedesc *fd_copy(struct filedesc *);	/* fork */
void	fd_share(struct filedesc *);
void	fd_free(struct filedesc *);		/* drop one reference */
void	fd_closeexec(struct filedesc *);

struct file *falloc_file(void);		/* f_count 1, or NULL */
/* install fp at the lowest free descriptor >= minfd; takes a reference */
int	fd_install(struct proc *, struct file *, int minfd, int cloexec,
	    int *fdp);
/* look up fd and take a reference on its file: EBADF if not open */
int	fd_getfile(struct proc *, int fd, struct file **);
void	fd_putfile(struct file *);	/* drop a reference */
int	fd_close(struct proc *, int fd);
/* descriptors below this number are allowed: RLIMIT_NOFILE's soft limit */
int	fd_limit(const struct proc *);
#define fhold(fp)	((fp)->f_count++)

/*
 * Signals sent by the kernel itself (kern_sig.c): SIGPIPE to a writer,
 * SIGIO to the owner of an O_ASYNC file.  A RAISE to a client is
 * queued and does not give up the kernel lock; hold what you use across
 * them all the same, should that change.
 */
void	kpsignal(struct proc *, int sig);	/* no permission check */
void	fown_signal(struct file *, int sig);	/* if O_ASYNC and owned */

/*
 * VFS (vfs_*.c, memfs.c, dev.c).  Path names are kernel strings; the
 * vnode is reference counted with vref/vrele.
 */
enum vtype { VNON, VREG, VDIR, VCHR, VLNK, VSOCK, VBLK };

int	vfs_init(void);		/* ENOMEM: too little memory */
extern struct vnode *rootvnode;
void	vref(struct vnode *);
void	vrele(struct vnode *);
/* the open file operations on vnodes */
extern const struct fileops vnops;
/* descriptors 0-2 on /dev/console, for a new client process (dev.c) */
int	dev_consopen(struct proc *);

/*
 * System calls.
 */
typedef int sy_call_t(struct lwp *, const void *, register_t *);
struct sysent {
	int		 sy_narg;
	sy_call_t	*sy_call;
	const char	*sy_name;
};
extern const struct sysent rump_sysent[];

int	rump_syscall_local(int, const void *, size_t, register_t *);
int	rump_syscall_dispatch(struct lwp *, int, const void *, register_t *);


/* a snapshot of the process list (kern_proclist.c); kmem_free it */
struct rump_procinfo;
int	proclist_snapshot(struct rump_procinfo **, size_t *need,
	    size_t *bufsz);
/* every open descriptor, for kern.file (kern_filelist.c); kmem_free it */
struct rump_fileinfo;
int	filelist_snapshot(struct rump_fileinfo **, size_t *need,
	    size_t *bufsz);

/*
 * sysctl (kern_sysctl.c).  sysctl_init builds the tree at boot;
 * sysctl_addquad adds a read-only 64-bit leaf whose value a function
 * gives, under an existing node named by its dotted path: the hook
 * for counters that live outside the kernel (see kern_sysctl.c).
 */
void	sysctl_init(void);
int	sysctl_addquad(const char *parent, const char *name, int num,
	    int64_t (*get)(void *), void *arg);

/* misc (kern_misc.c, rump.c) */
void	kern_hostname(char *, size_t);
void	kern_sethostname(const char *);
extern const char rump_ostype[], rump_osrelease[], rump_machine[];
extern int rump_ncpu;
extern int rump_verbose;

#endif /* RUMPKERN_KERN_H */
