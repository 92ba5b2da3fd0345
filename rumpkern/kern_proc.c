/*
 * kern_proc.c -- processes and lwps: creation, the pid table, and the
 * end of a process.
 *
 * A process lives while it has lwps.  When its last lwp goes (a client
 * disconnects, an in-process caller releases its last lwp) the process
 * exits: its descriptors and current directory are released, its
 * children are handed to pid 1, and it becomes a zombie holding its
 * status until its parent waits for it.  pid 1 waits for its children
 * at once, so a process whose parent is pid 1 is freed on exit.
 *
 * Two processes never exit (P_SYSTEM): pid 0, the kernel's own process
 * (NetBSD's proc0, where rump_pub_lwproc_newlwp(0) puts an lwp), and
 * pid 1, init, the parent of clients and of implicit contexts.  Both
 * reap their children at once, ignore signals and exit(2).
 *
 * A prefork image (P_PREFORK) is a copy made for a sysproxy client that
 * is about to fork on the host; until the new connection claims it, it
 * is nobody's visible child, and if it is never claimed it vanishes
 * without a trace.
 */
#include "kern.h"

#define PIDHASHSZ	4096
#define PID_MAX		99999

int maxproc = RUMP_MAXPROC;

static LIST_HEAD(, proc) pidhash[PIDHASHSZ];
struct proclist allproc = LIST_HEAD_INITIALIZER(allproc);
struct proc *proc0;
struct proc *initproc;
int nprocs;
static pid_t lastpid = 1;

#define PIDHASH(pid)	(&pidhash[(unsigned)(pid) % PIDHASHSZ])

static struct proc *
pid_lookup(pid_t pid)
{
	struct proc *p;

	LIST_FOREACH(p, PIDHASH(pid), p_hash) {
		if (p->p_pid == pid)
			return p;
	}
	return NULL;
}

struct proc *
proc_find(pid_t pid)
{
	struct proc *p;

	p = pid_lookup(pid);
	if (p == NULL || (p->p_flag & P_PREFORK) != 0)
		return NULL;
	return p;
}

/* Next free pid after lastpid, wrapping; pids in use (zombies too) skip. */
static pid_t
pid_alloc(void)
{
	pid_t pid = lastpid;

	do {
		if (++pid > PID_MAX)
			pid = 2;
	} while (pid_lookup(pid) != NULL);
	lastpid = pid;
	return pid;
}

void
proc_setcomm(struct proc *p, const char *comm)
{

	strlcpy(p->p_comm, comm, sizeof(p->p_comm));
}

static struct proc *
proc_alloc(void)
{
	struct proc *p;

	if ((p = kmem_zalloc(sizeof(*p))) == NULL)
		return NULL;
	LIST_INIT(&p->p_children);
	LIST_INIT(&p->p_lwps);
	cv_init(&p->p_waitcv);
	p->p_stat = SACTIVE;
	p->p_nextlid = 1;
	return p;
}

static void
proc_insert(struct proc *p)
{

	LIST_INSERT_HEAD(PIDHASH(p->p_pid), p, p_hash);
	LIST_INSERT_HEAD(&allproc, p, p_list);
	nprocs++;
}

/*
 * pid 0 or 1: root, in /, an empty descriptor table, its own group;
 * NULL when memory is short (a memory limit too small to boot).
 */
static struct proc *
proc_system(pid_t pid, const char *comm)
{
	struct proc *p;

	if ((p = proc_alloc()) == NULL)
		return NULL;
	if ((p->p_fd = fd_init()) == NULL) {
		cv_destroy(&p->p_waitcv);
		kmem_free(p, sizeof(*p));
		return NULL;
	}
	p->p_pid = pid;
	p->p_pgid = p->p_sid = pid;
	p->p_flag = P_SYSTEM;
	p->p_umask = 022;		/* NetBSD's CMASK */
	rlimit_init(p->p_rlimit);
	proc_setcomm(p, comm);
	proc_insert(p);
	if (pid == 0)
		nprocs--;	/* the kernel: not counted against maxproc */
	return p;
}

int
proc_init(void)
{
	int i;

	for (i = 0; i < PIDHASHSZ; i++)
		LIST_INIT(&pidhash[i]);
	if ((proc0 = proc_system(0, "system")) == NULL ||
	    (initproc = proc_system(1, "init")) == NULL)
		return ENOMEM;
	return 0;
}

/*
 * Make a child of parent.  rfflags picks the descriptor table: shared
 * (0), copied (RUMP_RFFDG) or clean (RUMP_RFCFDG).  comm NULL keeps the
 * parent's command name.
 */
int
proc_create(struct proc *parent, int rfflags, void *spc, const char *comm,
    struct proc **pp)
{
	struct proc *p;

	if ((rfflags & (RUMP_RFFDG | RUMP_RFCFDG)) ==
	    (RUMP_RFFDG | RUMP_RFCFDG))
		return EINVAL;
	if (nprocs >= maxproc)
		return EAGAIN;
	if ((p = proc_alloc()) == NULL)
		return ENOMEM;
	if (rfflags & RUMP_RFCFDG)
		p->p_fd = fd_init();
	else if (rfflags & RUMP_RFFDG)
		p->p_fd = fd_copy(parent->p_fd);
	else {
		fd_share(parent->p_fd);
		p->p_fd = parent->p_fd;
	}
	if (p->p_fd == NULL) {
		cv_destroy(&p->p_waitcv);
		kmem_free(p, sizeof(*p));
		return ENOMEM;
	}
	p->p_pid = pid_alloc();
	p->p_cred = parent->p_cred;
	memcpy(p->p_rlimit, parent->p_rlimit, sizeof(p->p_rlimit));
	p->p_umask = parent->p_umask;
	p->p_pgid = parent->p_pgid;
	p->p_sid = parent->p_sid;
	p->p_spc = spc;
	p->p_cwd = parent->p_cwd != NULL ? parent->p_cwd : rootvnode;
	if (p->p_cwd != NULL)
		vref(p->p_cwd);
	proc_setcomm(p, comm != NULL ? comm : parent->p_comm);
	p->p_pptr = parent;
	LIST_INSERT_HEAD(&parent->p_children, p, p_sibling);
	proc_insert(p);
	*pp = p;
	return 0;
}

int
lwp_create(struct proc *p, struct lwp **lp)
{
	struct lwp *l;

	if ((l = kmem_zalloc(sizeof(*l))) == NULL)
		return ENOMEM;
	l->l_proc = p;
	l->l_lid = p->p_nextlid++;
	/* a process being drained (exec, disconnect) gets no new sleepers */
	if (p->p_flag & P_LWPEXIT)
		l->l_flag |= LW_WEXIT;
	LIST_INSERT_HEAD(&p->p_lwps, l, l_sibling);
	p->p_nlwps++;
	*lp = l;
	return 0;
}

/* Tell an lwp to exit: its interruptible sleeps end with EINTR. */
void
lwp_kick(struct lwp *l)
{

	l->l_flag |= LW_WEXIT;
	if (l->l_sleepcv != NULL)
		cv_broadcast(l->l_sleepcv);
}

/* Free a zombie (or a process nobody will wait for). */
void
proc_free(struct proc *p)
{

	LIST_REMOVE(p, p_hash);
	LIST_REMOVE(p, p_list);
	LIST_REMOVE(p, p_sibling);
	nprocs--;
	cv_destroy(&p->p_waitcv);
	kmem_free(p, sizeof(*p));
}

/* pid 0 and pid 1 reap their children as soon as they exit */
static bool
proc_autoreap(struct proc *parent)
{

	return (parent->p_flag & P_SYSTEM) != 0;
}

/*
 * The last lwp of p is gone: release what the process holds and turn
 * it into a zombie for its parent (or free it).
 */
static void
proc_exit_last(struct proc *p)
{
	struct proc *child, *next;
	struct proc *parent = p->p_pptr;

	KASSERT((p->p_flag & P_SYSTEM) == 0);
	/*
	 * Without exit(2) a local process ends with status 0 (it released
	 * its last lwp); a client that went away died as if killed: by the
	 * last fatal signal sent to it through the kernel, or SIGKILL.
	 */
	if ((p->p_flag & P_EXITED) == 0) {
		if (p->p_spc != NULL)
			p->p_xstat = RUMP_W_SIGNALED(p->p_lastsig ? p->p_lastsig :
			    SIG_DISCONNECT);
		else
			p->p_xstat = RUMP_W_EXITCODE(0);
	}
	p->p_flag |= P_WEXIT;
	if (p->p_fd != NULL) {
		fd_free(p->p_fd);
		p->p_fd = NULL;
	}
	if (p->p_cwd != NULL) {
		vrele(p->p_cwd);
		p->p_cwd = NULL;
	}
	p->p_spc = NULL;

	/* orphans go to pid 1, which reaps those already dead */
	LIST_FOREACH_SAFE(child, &p->p_children, p_sibling, next) {
		LIST_REMOVE(child, p_sibling);
		child->p_pptr = initproc;
		LIST_INSERT_HEAD(&initproc->p_children, child, p_sibling);
		if (child->p_stat == SZOMB)
			proc_free(child);
	}

	if ((p->p_flag & P_PREFORK) != 0 || proc_autoreap(parent)) {
		proc_free(p);
		return;
	}
	p->p_stat = SZOMB;
	cv_broadcast(&parent->p_waitcv);
}

/* Undo a proc_create() whose process never got an lwp. */
void
proc_discard(struct proc *p)
{

	KASSERT(p->p_nlwps == 0);
	p->p_flag |= P_PREFORK;
	proc_exit_last(p);
}

/*
 * Remove an lwp.  If it was the last one of its process (and the
 * process is not pid 0 or 1), the process exits.
 */
void
lwp_destroy(struct lwp *l)
{
	struct proc *p = l->l_proc;

	KASSERT((l->l_flag & LW_RUNNING) == 0);
	LIST_REMOVE(l, l_sibling);
	p->p_nlwps--;
	kmem_free(l, sizeof(*l));
	if (p->p_nlwps == 0 && (p->p_flag & P_SYSTEM) == 0)
		proc_exit_last(p);
}

/*
 * Every lwp of p is told to exit; the process goes with the last one.
 * The first status set sticks.  pid 0 and pid 1 do not exit.
 */
void
proc_exit(struct proc *p, int xstat)
{
	struct lwp *l;

	if (p->p_flag & P_SYSTEM)
		return;
	if ((p->p_flag & P_EXITED) == 0) {
		p->p_xstat = xstat;
		p->p_flag |= P_EXITED;
	}
	p->p_flag |= P_WEXIT;
	LIST_FOREACH(l, &p->p_lwps, l_sibling)
		lwp_kick(l);
}

struct lwp *
curlwp_get(void)
{

	return rumpuser_curlwp();
}

/*
 * Bind l to the calling host thread (NULL: unbind).  Binding an lwp
 * that is already some other thread's curlwp is the fatal error the
 * rump_lwproc(3) page describes.
 */
void
lwp_switchto(struct lwp *l)
{
	struct lwp *old = rumpuser_curlwp();

	if (l == old)
		return;
	if (l != NULL && (l->l_flag & LW_RUNNING) != 0)
		panic("rump_pub_lwproc_switch: lwp %d of pid %d is already "
		    "running on another host thread", l->l_lid,
		    l->l_proc->p_pid);
	if (old != NULL)
		old->l_flag &= ~LW_RUNNING;
	if (l != NULL)
		l->l_flag |= LW_RUNNING;
	rumpuser_curlwp_set(l);
}

/*
 * The implicit context: an lwp of pid 1 that exists for one kernel
 * entry of a thread that has no lwp of its own.
 */
struct lwp *
lwp_implicit_enter(void)
{
	struct lwp *l;

	if (lwp_create(initproc, &l) != 0)
		return NULL;
	l->l_flag |= LW_IMPLICIT;
	lwp_switchto(l);
	return l;
}

void
lwp_implicit_leave(struct lwp *l)
{

	KASSERT((l->l_flag & LW_IMPLICIT) != 0);
	lwp_switchto(NULL);
	lwp_destroy(l);
}
