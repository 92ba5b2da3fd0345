/*
 * kern_prot.c -- process identity: pids and credentials.
 */
#include "kern.h"
#include "sysent.h"

int
sys_getpid(struct lwp *l, const void *uap, register_t *rv)
{

	rv[0] = l->l_proc->p_pid;
	return 0;
}

int
sys_getppid(struct lwp *l, const void *uap, register_t *rv)
{
	struct proc *pp = l->l_proc->p_pptr;

	rv[0] = pp != NULL ? pp->p_pid : 0;
	return 0;
}

int
sys_getuid(struct lwp *l, const void *uap, register_t *rv)
{

	rv[0] = l->l_proc->p_cred.cr_uid;
	return 0;
}

int
sys_geteuid(struct lwp *l, const void *uap, register_t *rv)
{

	rv[0] = l->l_proc->p_cred.cr_euid;
	return 0;
}

int
sys_getgid(struct lwp *l, const void *uap, register_t *rv)
{

	rv[0] = l->l_proc->p_cred.cr_gid;
	return 0;
}

int
sys_getegid(struct lwp *l, const void *uap, register_t *rv)
{

	rv[0] = l->l_proc->p_cred.cr_egid;
	return 0;
}

/*
 * Process groups and sessions: enough for job control's bookkeeping
 * (getpgid, setpgid, setsid, getsid) and for kill(2) and wait4(2) on
 * a group.
 */
static struct proc *
pid_or_self(struct proc *self, pid_t pid)
{

	return pid == 0 ? self : proc_find(pid);
}

int
sys_getpgid(struct lwp *l, const struct sys_getpgid_args *uap,
    register_t *rv)
{
	struct proc *p;

	if ((p = pid_or_self(l->l_proc, SCARG(uap, pid))) == NULL)
		return ESRCH;
	rv[0] = p->p_pgid;
	return 0;
}

int
sys_getsid(struct lwp *l, const struct sys_getsid_args *uap, register_t *rv)
{
	struct proc *p;

	if ((p = pid_or_self(l->l_proc, SCARG(uap, pid))) == NULL)
		return ESRCH;
	rv[0] = p->p_sid;
	return 0;
}

/* is there a process group pgid in session sid? */
static bool
pgrp_in_session(pid_t pgid, pid_t sid)
{
	struct proc *q;

	LIST_FOREACH(q, &allproc, p_list) {
		if (q->p_pgid == pgid && q->p_sid == sid &&
		    (q->p_flag & P_PREFORK) == 0)
			return true;
	}
	return false;
}

int
sys_setpgid(struct lwp *l, const struct sys_setpgid_args *uap,
    register_t *rv)
{
	struct proc *self = l->l_proc, *p;
	pid_t pgid = SCARG(uap, pgid);

	if (pgid < 0)
		return EINVAL;
	if ((p = pid_or_self(self, SCARG(uap, pid))) == NULL)
		return ESRCH;
	if (p != self && p->p_pptr != self)
		return ESRCH;
	if (p->p_sid != self->p_sid || p->p_sid == p->p_pid)
		return EPERM;
	if (pgid == 0)
		pgid = p->p_pid;
	if (pgid != p->p_pid && !pgrp_in_session(pgid, p->p_sid))
		return EPERM;
	p->p_pgid = pgid;
	return 0;
}

int
sys_setsid(struct lwp *l, const void *uap, register_t *rv)
{
	struct proc *p = l->l_proc, *q;

	if (p->p_pgid == p->p_pid)
		return EPERM;
	LIST_FOREACH(q, &allproc, p_list) {
		if (q->p_pgid == p->p_pid)
			return EPERM;
	}
	p->p_sid = p->p_pgid = p->p_pid;
	rv[0] = p->p_pid;
	return 0;
}

bool
cred_isroot(const struct cred *cr)
{

	return cr->cr_euid == 0;
}

/* Supplementary groups are not kept yet: the effective gid only. */
bool
cred_groupmember(const struct cred *cr, gid_t gid)
{

	return cr->cr_egid == gid;
}
