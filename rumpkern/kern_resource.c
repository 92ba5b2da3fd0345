/*
 * kern_resource.c -- resource limits: getrlimit(2), setrlimit(2) and
 * prlimit64(2), with Linux's values, defaults and errors.
 *
 * Every process carries its own copy (p_rlimit); fork copies it, exec
 * keeps it.  pid 0 and pid 1 start with Linux's boot defaults
 * (INIT_RLIMITS), so every process inherits them.  Only RLIMIT_NOFILE
 * is enforced: a descriptor at or past its soft limit cannot be made
 * (EMFILE, or EBADF for dup2/dup3, EINVAL for F_DUPFD, as Linux); its
 * hard limit can never pass RUMP_MAXFILES, the size no descriptor
 * table outgrows (Linux's nr_open: EPERM).  The other limits are kept
 * and reported and limit nothing.  RLIMIT_NPROC and RLIMIT_SIGPENDING,
 * which Linux sizes from memory at boot, are maxproc.
 *
 * Raising a hard limit needs effective uid 0 (Linux's
 * CAP_SYS_RESOURCE); anyone may lower it, and lowering it is for good.
 * prlimit64 on another process needs root, or real, effective and
 * saved ids all equal to the caller's real ids (Linux's
 * check_prlimit_permission).
 */
#include "kern.h"
#include "sysent.h"

#define MB	(1024 * 1024)

void
rlimit_init(struct rlimit *rl)
{
	int i;

	for (i = 0; i < RLIM_NLIMITS; i++)
		rl[i].rlim_cur = rl[i].rlim_max = RLIM_INFINITY;
	rl[RLIMIT_STACK].rlim_cur = 8 * MB;
	rl[RLIMIT_CORE].rlim_cur = 0;
	rl[RLIMIT_NPROC].rlim_cur = rl[RLIMIT_NPROC].rlim_max = maxproc;
	rl[RLIMIT_NOFILE].rlim_cur = 1024;
	rl[RLIMIT_NOFILE].rlim_max = RUMP_MAXFILES;
	rl[RLIMIT_MEMLOCK].rlim_cur = rl[RLIMIT_MEMLOCK].rlim_max = 8 * MB;
	rl[RLIMIT_SIGPENDING].rlim_cur = maxproc;
	rl[RLIMIT_SIGPENDING].rlim_max = maxproc;
	rl[RLIMIT_MSGQUEUE].rlim_cur = rl[RLIMIT_MSGQUEUE].rlim_max = 819200;
	rl[RLIMIT_NICE].rlim_cur = rl[RLIMIT_NICE].rlim_max = 0;
	rl[RLIMIT_RTPRIO].rlim_cur = rl[RLIMIT_RTPRIO].rlim_max = 0;
}

int
fd_limit(const struct proc *p)
{
	rlim_t n = p->p_rlimit[RLIMIT_NOFILE].rlim_cur;

	return n < RUMP_MAXFILES ? (int)n : RUMP_MAXFILES;
}

/* Linux's do_prlimit: check, then report the old value, then set */
static int
do_prlimit(struct proc *self, struct proc *p, int resource,
    const struct rlimit *newlim, struct rlimit *oldlim)
{
	struct rlimit *rl;

	if (resource < 0 || resource >= RLIM_NLIMITS)
		return EINVAL;
	rl = &p->p_rlimit[resource];
	if (newlim != NULL) {
		if (newlim->rlim_cur > newlim->rlim_max)
			return EINVAL;
		if (resource == RLIMIT_NOFILE &&
		    newlim->rlim_max > RUMP_MAXFILES)
			return EPERM;
		if (newlim->rlim_max > rl->rlim_max &&
		    !cred_isroot(&self->p_cred))
			return EPERM;
	}
	if (oldlim != NULL)
		*oldlim = *rl;
	if (newlim != NULL)
		*rl = *newlim;
	return 0;
}

int
sys_getrlimit(struct lwp *l, const struct sys_getrlimit_args *uap,
    register_t *rv)
{
	struct rlimit rl;
	int error;

	error = do_prlimit(l->l_proc, l->l_proc, SCARG(uap, resource), NULL,
	    &rl);
	if (error != 0)
		return error;
	return copyout(&rl, SCARG(uap, rlim), sizeof(rl));
}

int
sys_setrlimit(struct lwp *l, const struct sys_setrlimit_args *uap,
    register_t *rv)
{
	struct rlimit rl;
	int error;

	if ((error = copyin(SCARG(uap, rlim), &rl, sizeof(rl))) != 0)
		return error;
	return do_prlimit(l->l_proc, l->l_proc, SCARG(uap, resource), &rl,
	    NULL);
}

static bool
prlimit_permitted(const struct proc *self, const struct proc *p)
{
	const struct cred *c = &self->p_cred, *t = &p->p_cred;

	if (self == p || cred_isroot(c))
		return true;
	return c->cr_uid == t->cr_uid && c->cr_uid == t->cr_euid &&
	    c->cr_uid == t->cr_suid && c->cr_gid == t->cr_gid &&
	    c->cr_gid == t->cr_egid && c->cr_gid == t->cr_sgid;
}

int
sys_prlimit64(struct lwp *l, const struct sys_prlimit64_args *uap,
    register_t *rv)
{
	struct proc *self = l->l_proc, *p;
	struct rlimit newlim, oldlim;
	pid_t pid = SCARG(uap, pid);
	int error;

	if (SCARG(uap, newlim) != NULL &&
	    (error = copyin(SCARG(uap, newlim), &newlim, sizeof(newlim))) != 0)
		return error;
	/* the copy may have given up the lock: look the target up after */
	p = pid == 0 ? self : proc_find(pid);
	if (p == NULL || p->p_stat == SZOMB)
		return ESRCH;
	if (!prlimit_permitted(self, p))
		return EPERM;
	error = do_prlimit(self, p, SCARG(uap, resource),
	    SCARG(uap, newlim) != NULL ? &newlim : NULL, &oldlim);
	if (error != 0 || SCARG(uap, oldlim) == NULL)
		return error;
	return copyout(&oldlim, SCARG(uap, oldlim), sizeof(oldlim));
}
