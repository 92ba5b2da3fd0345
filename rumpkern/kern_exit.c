/*
 * kern_exit.c -- exit(2) and wait4(2).
 *
 * exit records the status and tells every lwp of the process to go;
 * the process becomes a zombie when the last one has gone (for a
 * sysproxy client: when its connection closes, which the client does
 * right after the call).  wait4 reaps zombies; it sleeps on the
 * parent's p_waitcv, which an exiting child broadcasts.
 */
#include <sys/resource.h>
#include <sys/wait.h>

#include "kern.h"
#include "sysent.h"

int
sys_exit(struct lwp *l, const struct sys_exit_args *uap, register_t *rv)
{

	proc_exit(l->l_proc, RUMP_W_EXITCODE(SCARG(uap, status)));
	return 0;
}

/* does child c match wait4's pid argument for parent p? */
static bool
wait_match(struct proc *p, struct proc *c, pid_t pid)
{

	if ((c->p_flag & P_PREFORK) != 0)
		return false;
	if (pid == -1)
		return true;
	if (pid == 0)
		return c->p_pgid == p->p_pgid;
	if (pid < -1)
		return c->p_pgid == -pid;
	return c->p_pid == pid;
}

static int
wait_copyout(struct proc *c, const struct sys_wait4_args *uap)
{
	struct rusage ru;
	int status = c->p_xstat, error;

	if (SCARG(uap, status) != NULL &&
	    (error = copyout(&status, SCARG(uap, status), sizeof(status))))
		return error;
	if (SCARG(uap, rusage) != NULL) {
		memset(&ru, 0, sizeof(ru));
		if ((error = copyout(&ru, SCARG(uap, rusage), sizeof(ru))))
			return error;
	}
	return 0;
}

int
sys_wait4(struct lwp *l, const struct sys_wait4_args *uap, register_t *rv)
{
	struct proc *p = l->l_proc, *c;
	int options = SCARG(uap, options), error;
	pid_t pid = SCARG(uap, pid), cpid;
	bool found;

	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WALL |
	    __WCLONE | __WNOTHREAD))
		return EINVAL;
	if (pid == INT_MIN)
		return ESRCH;
	for (;;) {
		found = false;
		LIST_FOREACH(c, &p->p_children, p_sibling) {
			if (!wait_match(p, c, pid))
				continue;
			found = true;
			if (c->p_stat == SZOMB)
				break;
		}
		if (!found)
			return ECHILD;
		if (c != NULL) {
			/*
			 * The copy may give up the kernel lock, and another
			 * lwp of ours may reap the child meanwhile: look it
			 * up again before freeing it.
			 */
			cpid = c->p_pid;
			error = wait_copyout(c, uap);
			if (error != 0)
				return error;
			c = proc_find(cpid);
			if (c != NULL && c->p_stat == SZOMB && c->p_pptr == p) {
				proc_free(c);
				rv[0] = cpid;
				return 0;
			}
			continue;	/* someone else reaped it meanwhile */
		}
		if (options & WNOHANG) {
			rv[0] = 0;
			return 0;
		}
		if ((error = cv_wait_sig(&p->p_waitcv, 0)) != 0)
			return error;
	}
}
