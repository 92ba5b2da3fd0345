/*
 * kern_prot.c -- process identity: pids, process groups and sessions,
 * and credentials.
 *
 * The set*id calls follow Linux (credentials(7), setresuid(2)): a
 * process with effective uid 0 may set any id (Linux's CAP_SETUID and
 * CAP_SETGID); any other may only move its real, effective and saved
 * ids among the values they already hold.  -1 leaves an id unchanged.
 * There are no filesystem ids: the effective ids play their part.
 * setgroups(2) needs effective uid 0 and takes at most RUMP_NGROUPS
 * groups (EINVAL past it); the list is kept sorted, as Linux keeps it,
 * so getgroups(2) answers in ascending order.
 *
 * Every call checks everything before it changes anything, so a
 * failed call leaves the credentials as they were.  They are copied
 * into the process from kernel memory only after copyin, which may
 * give up the kernel lock.
 */
#include <stdlib.h>

#include "kern.h"
#include "sysent.h"

#define NOID	((uid_t)-1)

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

/* Linux's in_group_p(): the effective gid or a supplementary group. */
bool
cred_groupmember(const struct cred *cr, gid_t gid)
{
	int i;

	if (cr->cr_egid == gid)
		return true;
	for (i = 0; i < cr->cr_ngroups; i++)
		if (cr->cr_groups[i] == gid)
			return true;
	return false;
}

/* is id one of the three (real, effective, saved) the process holds? */
static bool
id_held(uint32_t id, uint32_t r, uint32_t e, uint32_t s)
{

	return id == r || id == e || id == s;
}

/*
 * setresuid and setresgid, on one of the id triples: ids[0..2] are the
 * current real, effective and saved ids, want[] the new ones (NOID:
 * keep).  An unprivileged caller may only use ids it holds.
 */
static int
setres(uint32_t *ids[3], const uint32_t want[3], bool priv)
{
	int i;

	for (i = 0; i < 3; i++) {
		if (want[i] != NOID && !priv &&
		    !id_held(want[i], *ids[0], *ids[1], *ids[2]))
			return EPERM;
	}
	for (i = 0; i < 3; i++)
		if (want[i] != NOID)
			*ids[i] = want[i];
	return 0;
}

/*
 * setreuid and setregid (Linux's rules): the real id may become the
 * real or effective id, the effective id any of the three; the saved
 * id follows the new effective id when the real id is set or the
 * effective id becomes something other than the old real id.
 */
static int
setre(uint32_t *ids[3], uint32_t r, uint32_t e, bool priv)
{
	uint32_t or = *ids[0], oe = *ids[1], os = *ids[2];

	if (r != NOID && !priv && r != or && r != oe)
		return EPERM;
	if (e != NOID && !priv && !id_held(e, or, oe, os))
		return EPERM;
	if (r != NOID)
		*ids[0] = r;
	if (e != NOID)
		*ids[1] = e;
	if (r != NOID || (e != NOID && e != or))
		*ids[2] = *ids[1];
	return 0;
}

/*
 * setuid and setgid: with privilege all three ids, without it the
 * effective id only, and only to the real or saved id.
 */
static int
setone(uint32_t *ids[3], uint32_t id, bool priv)
{

	if (id == NOID)
		return EINVAL;
	if (priv) {
		*ids[0] = *ids[1] = *ids[2] = id;
		return 0;
	}
	if (id != *ids[0] && id != *ids[2])
		return EPERM;
	*ids[1] = id;
	return 0;
}

#define UIDS(cr)	{ &(cr)->cr_uid, &(cr)->cr_euid, &(cr)->cr_suid }
#define GIDS(cr)	{ &(cr)->cr_gid, &(cr)->cr_egid, &(cr)->cr_sgid }

int
sys_setuid(struct lwp *l, const struct sys_setuid_args *uap, register_t *rv)
{
	struct cred *cr = &l->l_proc->p_cred;
	uint32_t *ids[3] = UIDS(cr);

	return setone(ids, SCARG(uap, uid), cred_isroot(cr));
}

int
sys_setgid(struct lwp *l, const struct sys_setgid_args *uap, register_t *rv)
{
	struct cred *cr = &l->l_proc->p_cred;
	uint32_t *ids[3] = GIDS(cr);

	return setone(ids, SCARG(uap, gid), cred_isroot(cr));
}

/* glibc's seteuid(e): setresuid(-1, e, -1), and EINVAL for -1 */
int
sys_seteuid(struct lwp *l, const struct sys_seteuid_args *uap,
    register_t *rv)
{
	struct cred *cr = &l->l_proc->p_cred;
	uint32_t *ids[3] = UIDS(cr);
	const uint32_t want[3] = { NOID, SCARG(uap, euid), NOID };

	if (want[1] == NOID)
		return EINVAL;
	return setres(ids, want, cred_isroot(cr));
}

int
sys_setegid(struct lwp *l, const struct sys_setegid_args *uap,
    register_t *rv)
{
	struct cred *cr = &l->l_proc->p_cred;
	uint32_t *ids[3] = GIDS(cr);
	const uint32_t want[3] = { NOID, SCARG(uap, egid), NOID };

	if (want[1] == NOID)
		return EINVAL;
	return setres(ids, want, cred_isroot(cr));
}

int
sys_setreuid(struct lwp *l, const struct sys_setreuid_args *uap,
    register_t *rv)
{
	struct cred *cr = &l->l_proc->p_cred;
	uint32_t *ids[3] = UIDS(cr);

	return setre(ids, SCARG(uap, ruid), SCARG(uap, euid),
	    cred_isroot(cr));
}

int
sys_setregid(struct lwp *l, const struct sys_setregid_args *uap,
    register_t *rv)
{
	struct cred *cr = &l->l_proc->p_cred;
	uint32_t *ids[3] = GIDS(cr);

	return setre(ids, SCARG(uap, rgid), SCARG(uap, egid),
	    cred_isroot(cr));
}

int
sys_setresuid(struct lwp *l, const struct sys_setresuid_args *uap,
    register_t *rv)
{
	struct cred *cr = &l->l_proc->p_cred;
	uint32_t *ids[3] = UIDS(cr);
	const uint32_t want[3] = { SCARG(uap, ruid), SCARG(uap, euid),
	    SCARG(uap, suid) };

	return setres(ids, want, cred_isroot(cr));
}

int
sys_setresgid(struct lwp *l, const struct sys_setresgid_args *uap,
    register_t *rv)
{
	struct cred *cr = &l->l_proc->p_cred;
	uint32_t *ids[3] = GIDS(cr);
	const uint32_t want[3] = { SCARG(uap, rgid), SCARG(uap, egid),
	    SCARG(uap, sgid) };

	return setres(ids, want, cred_isroot(cr));
}

/* copy three ids out, snapshot first: copyout may give up the lock */
static int
getres(uint32_t r, uint32_t e, uint32_t s, uint32_t *ur, uint32_t *ue,
    uint32_t *us)
{
	int error;

	if ((error = copyout(&r, ur, sizeof(r))) != 0 ||
	    (error = copyout(&e, ue, sizeof(e))) != 0)
		return error;
	return copyout(&s, us, sizeof(s));
}

int
sys_getresuid(struct lwp *l, const struct sys_getresuid_args *uap,
    register_t *rv)
{
	const struct cred *cr = &l->l_proc->p_cred;

	return getres(cr->cr_uid, cr->cr_euid, cr->cr_suid,
	    SCARG(uap, ruid), SCARG(uap, euid), SCARG(uap, suid));
}

int
sys_getresgid(struct lwp *l, const struct sys_getresgid_args *uap,
    register_t *rv)
{
	const struct cred *cr = &l->l_proc->p_cred;

	return getres(cr->cr_gid, cr->cr_egid, cr->cr_sgid,
	    SCARG(uap, rgid), SCARG(uap, egid), SCARG(uap, sgid));
}

int
sys_getgroups(struct lwp *l, const struct sys_getgroups_args *uap,
    register_t *rv)
{
	const struct cred *cr = &l->l_proc->p_cred;
	gid_t groups[RUMP_NGROUPS];
	int size = SCARG(uap, size), n = cr->cr_ngroups, error;

	if (size < 0)
		return EINVAL;
	if (size > 0) {
		if (size < n)
			return EINVAL;
		memcpy(groups, cr->cr_groups, sizeof(gid_t) * (size_t)n);
		error = copyout(groups, SCARG(uap, list),
		    sizeof(gid_t) * (size_t)n);
		if (error != 0)
			return error;
	}
	rv[0] = n;
	return 0;
}

static int
gid_cmp(const void *a, const void *b)
{
	gid_t x = *(const gid_t *)a, y = *(const gid_t *)b;

	return x < y ? -1 : x > y;
}

int
sys_setgroups(struct lwp *l, const struct sys_setgroups_args *uap,
    register_t *rv)
{
	gid_t groups[RUMP_NGROUPS];
	int size = SCARG(uap, size), error;
	struct cred *cr;

	if (!cred_isroot(&l->l_proc->p_cred))
		return EPERM;
	if (size < 0 || size > RUMP_NGROUPS)
		return EINVAL;
	if (size > 0 && (error = copyin(SCARG(uap, list), groups,
	    sizeof(gid_t) * (size_t)size)) != 0)
		return error;
	qsort(groups, (size_t)size, sizeof(gid_t), gid_cmp);
	/* the copy may have given up the lock: look at the process now */
	cr = &l->l_proc->p_cred;
	memcpy(cr->cr_groups, groups, sizeof(gid_t) * (size_t)size);
	cr->cr_ngroups = size;
	return 0;
}
