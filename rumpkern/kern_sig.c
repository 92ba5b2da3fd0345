/*
 * kern_sig.c -- kill(2) between rump processes.
 *
 * The kernel keeps no signal state of its own: a process belongs to a
 * host process (a sysproxy client) or to the program that linked the
 * kernel.  A signal for a client is raised in the client's host
 * process (a RAISE request), where its handlers and default action
 * apply; if it kills the client, the process's exit status names it.
 * A local process cannot take a handler, so a signal whose default
 * action ends a process ends it (status: killed by that signal) and
 * the others are ignored.
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

static bool
sig_permitted(struct proc *src, struct proc *dst)
{
	const struct cred *s = &src->p_cred, *d = &dst->p_cred;

	return s->cr_euid == 0 || s->cr_uid == d->cr_uid ||
	    s->cr_uid == d->cr_suid || s->cr_euid == d->cr_uid ||
	    s->cr_euid == d->cr_suid;
}

static int
sig_deliver(struct proc *src, struct proc *dst, int sig)
{
	void *spc;

	if (!sig_permitted(src, dst))
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
 * A group (pid 0: the caller's, pid < -1: -pid) or everyone (-1).
 * Delivery may give up the kernel lock (a RAISE crosses the wire), so
 * the targets are collected as pids first and looked up again.
 */
static int
kill_many(struct proc *p, pid_t pid, int sig)
{
	struct proc *q;
	pid_t *pids;
	int n = 0, i, max = nprocs, nfound = 0, nok = 0;

	if ((pids = kmem_alloc(sizeof(*pids) * (size_t)max)) == NULL)
		return ENOMEM;
	LIST_FOREACH(q, &allproc, p_list) {
		if (n == max)
			break;
		if ((q->p_flag & (P_PREFORK | P_SYSTEM)) != 0)
			continue;
		if (pid == -1 ? q == p :
		    q->p_pgid != (pid == 0 ? p->p_pgid : -pid))
			continue;
		pids[n++] = q->p_pid;
	}
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
