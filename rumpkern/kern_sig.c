/*
 * kern_sig.c -- kill(2) between rump processes, and the signals the
 * kernel sends itself (SIGPIPE, SIGIO).
 *
 * The kernel keeps no signal state of its own: a process belongs to a
 * host process (a sysproxy client) or to the program that linked the
 * kernel.  A signal for a client is raised in the client's host
 * process (a RAISE request), where its handlers and default action
 * apply; if it kills the client, the process's exit status names it.
 * A local process cannot take a handler, so a signal whose default
 * action ends a process ends it (status: killed by that signal) and
 * the others are ignored.
 *
 * kill(2) follows Linux's permission rule: root, or the sender's real
 * or effective uid equal to the target's real or saved uid (EPERM
 * otherwise, kill(pid, 0) included); SIGCONT may go to any process of
 * the sender's session.
 *
 * Signals the kernel sends itself -- SIGPIPE to a process writing to a
 * pipe without readers, SIGIO to the owner of an O_ASYNC file -- go to
 * sysproxy clients only: their host process decides what the signal
 * does (SIGPIPE is commonly ignored).  A local process has no
 * disposition to consult, so it is left alone, as if it ignored them;
 * it still gets EPIPE.  SIGIO goes to the owner F_SETOWN named, if the
 * uids recorded then may signal it (Linux's sigio_perm).
 */
#include "kern.h"
#include "sysent.h"

/* does sig end a process by default? */
static bool
sig_fatal(int sig)
{

	switch (sig) {
	case SIGCHLD:
	case SIGCONT:
	case SIGURG:
	case SIGWINCH:
	case SIGSTOP:
	case SIGTSTP:
	case SIGTTIN:
	case SIGTTOU:
		return false;
	default:
		return true;
	}
}

/* Linux's kill_ok_by_cred, and SIGCONT within a session (job control) */
static bool
sig_permitted(struct proc *src, struct proc *dst, int sig)
{
	const struct cred *s = &src->p_cred, *d = &dst->p_cred;

	if (sig == SIGCONT && src->p_sid == dst->p_sid)
		return true;
	return s->cr_euid == 0 || s->cr_uid == d->cr_uid ||
	    s->cr_uid == d->cr_suid || s->cr_euid == d->cr_uid ||
	    s->cr_euid == d->cr_suid;
}

static int
sig_deliver(struct proc *src, struct proc *dst, int sig)
{
	void *spc;

	if (!sig_permitted(src, dst, sig))
		return EPERM;
	if (sig == 0 || dst->p_stat == SZOMB || (dst->p_flag & P_WEXIT))
		return 0;
	if (dst->p_flag & P_SYSTEM)
		return 0;		/* pid 1 ignores signals */
	if (sig_fatal(sig))
		dst->p_lastsig = sig;
	if ((spc = dst->p_spc) != NULL) {
		/* the server keeps spc valid across its own unscheduling */
		(void)rumpuser_sp_raise(spc, sig);
		return 0;
	}
	if (sig_fatal(sig))
		proc_exit(dst, RUMP_W_SIGNALED(sig));
	return 0;
}

/*
 * The pids of the processes of group pgid, or of everyone but self
 * (pgid -1), for kill(pid) with pid <= 0 and for SIGIO.  Delivery
 * may give up the kernel lock (a RAISE crosses the wire), so targets
 * are collected as pids first and looked up again one by one.  Free
 * *pidsp with sizeof(pid_t) * *maxp.
 */
static int
collect_pids(struct proc *self, pid_t pgid, pid_t **pidsp, int *np,
    int *maxp)
{
	struct proc *q;
	pid_t *pids;
	int n = 0, max = nprocs;

	if ((pids = kmem_alloc(sizeof(*pids) * (size_t)max)) == NULL)
		return ENOMEM;
	LIST_FOREACH(q, &allproc, p_list) {
		if (n == max)
			break;
		if ((q->p_flag & (P_PREFORK | P_SYSTEM)) != 0)
			continue;
		if (pgid == -1 ? q == self : q->p_pgid != pgid)
			continue;
		pids[n++] = q->p_pid;
	}
	*pidsp = pids;
	*np = n;
	*maxp = max;
	return 0;
}

static int
kill_many(struct proc *p, pid_t pid, int sig)
{
	struct proc *q;
	pid_t *pids;
	int n, i, max, nfound = 0, nok = 0, error;

	error = collect_pids(p, pid == -1 ? -1 : pid == 0 ? p->p_pgid : -pid,
	    &pids, &n, &max);
	if (error != 0)
		return error;
	for (i = 0; i < n; i++) {
		if ((q = proc_find(pids[i])) == NULL)
			continue;
		nfound++;
		if (sig_deliver(p, q, sig) == 0)
			nok++;
	}
	kmem_free(pids, sizeof(*pids) * (size_t)max);
	if (nfound == 0)
		return ESRCH;
	return nok == 0 ? EPERM : 0;
}

int
sys_kill(struct lwp *l, const struct sys_kill_args *uap, register_t *rv)
{
	struct proc *q;
	pid_t pid = SCARG(uap, pid);
	int sig = SCARG(uap, sig);

	if (sig < 0 || sig >= _NSIG)
		return EINVAL;
	if (pid > 0) {
		if ((q = proc_find(pid)) == NULL)
			return ESRCH;
		return sig_deliver(l->l_proc, q, sig);
	}
	return kill_many(l->l_proc, pid, sig);
}

void
kpsignal(struct proc *p, int sig)
{
	void *spc = p->p_spc;

	if (spc == NULL || p->p_stat == SZOMB || (p->p_flag & P_WEXIT))
		return;
	if (sig_fatal(sig))
		p->p_lastsig = sig;
	(void)rumpuser_sp_raise(spc, sig);
}

/* Linux's sigio_perm: may whoever did F_SETOWN signal p? */
static bool
sigio_permitted(uid_t uid, uid_t euid, struct proc *p)
{
	const struct cred *d = &p->p_cred;

	return euid == 0 || euid == d->cr_suid || euid == d->cr_uid ||
	    uid == d->cr_suid || uid == d->cr_uid;
}

void
fown_signal(struct file *fp, int sig)
{
	struct proc *q;
	pid_t owner = fp->f_owner, *pids;
	uid_t uid = fp->f_ownuid, euid = fp->f_owneuid;
	int n, i, max;

	if ((fp->f_flag & O_ASYNC) == 0 || owner == 0)
		return;
	if (owner > 0) {
		if ((q = proc_find(owner)) != NULL &&
		    sigio_permitted(uid, euid, q))
			kpsignal(q, sig);
		return;
	}
	if (collect_pids(NULL, -owner, &pids, &n, &max) != 0)
		return;
	for (i = 0; i < n; i++) {
		if ((q = proc_find(pids[i])) != NULL &&
		    sigio_permitted(uid, euid, q))
			kpsignal(q, sig);
	}
	kmem_free(pids, sizeof(*pids) * (size_t)max);
}
