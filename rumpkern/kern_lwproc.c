/*
 * kern_lwproc.c -- rump_lwproc(3): creating processes and lwps and
 * choosing which one the calling host thread runs as.
 *
 * The lwproc_* functions run with the kernel scheduled; the sysproxy
 * server calls them through its operations table (rump.c).  The
 * rump_pub_lwproc_* entry points schedule around them.
 *
 * A process made for a sysproxy client's GUEST handshake (a client,
 * RUMP_RFCFDG, not a prefork image) starts with descriptors 0, 1 and
 * 2 open on /dev/console, as in NetBSD, so that its first open or
 * pipe returns 3.  An in-process rfork keeps rump_lwproc(3)'s rule:
 * RUMP_RFCFDG is an empty table.
 */
#include "kern.h"

/* parent of a new process: the caller's, or pid 1 from implicit context */
static struct proc *
lwproc_parent(void)
{
	struct lwp *l = curlwp;

	return l != NULL ? l->l_proc : initproc;
}

/*
 * A new client's process takes its host user's credentials when the
 * server knows them (rump_server --peercred): permissions and kill
 * then work between host users.  Otherwise it inherits pid 1's: root.
 */
static void
lwproc_peercred(struct proc *p, void *spc)
{
	uid_t uid;
	gid_t gid;

	if (rumpuser_sp_peercred(spc, &uid, &gid) != 0)
		return;
	p->p_cred.cr_uid = p->p_cred.cr_euid = p->p_cred.cr_suid = uid;
	p->p_cred.cr_gid = p->p_cred.cr_egid = p->p_cred.cr_sgid = gid;
	p->p_cred.cr_ngroups = 0;
}

int
lwproc_rfork(void *spc, int flags, const char *comm)
{
	struct proc *p;
	struct lwp *l;
	int error;

	if ((flags & ~(RUMP_RFFDG | RUMP_RFCFDG | RUMPUSER_SP_PREFORK)) != 0)
		return EINVAL;
	error = proc_create(lwproc_parent(), flags & ~RUMPUSER_SP_PREFORK,
	    (flags & RUMPUSER_SP_PREFORK) ? NULL : spc, comm, &p);
	if (error != 0)
		return error;
	if (flags & RUMPUSER_SP_PREFORK)
		p->p_flag |= P_PREFORK;
	else if (spc != NULL && (flags & RUMP_RFCFDG) != 0 &&
	    (error = dev_consopen(p)) != 0) {
		proc_discard(p);
		return error;
	}
	if (spc != NULL && (flags & RUMPUSER_SP_PREFORK) == 0)
		lwproc_peercred(p, spc);
	if ((error = lwp_create(p, &l)) != 0) {
		proc_discard(p);
		return error;
	}
	lwp_switchto(l);
	return 0;
}

/*
 * The FORK handshake: the current lwp belongs to a prefork image; bind
 * the image to the new connection and give it a main lwp of its own.
 */
int
lwproc_bindprefork(void *spc, const char *comm)
{
	struct proc *p = curproc;
	struct lwp *l;
	int error;

	if ((error = lwp_create(p, &l)) != 0)
		return error;
	p->p_flag &= ~P_PREFORK;
	p->p_spc = spc;
	if (comm != NULL)
		proc_setcomm(p, comm);
	lwp_switchto(l);
	return 0;
}

int
lwproc_newlwp(pid_t pid)
{
	struct proc *p;
	struct lwp *l;
	int error;

	p = proc_find(pid);
	if (p == NULL || p->p_stat != SACTIVE || (p->p_flag & P_WEXIT))
		return ESRCH;
	if ((error = lwp_create(p, &l)) != 0)
		return error;
	lwp_switchto(l);
	return 0;
}

void
lwproc_release(void)
{
	struct lwp *l = curlwp;

	if (l == NULL || (l->l_flag & LW_IMPLICIT) != 0)
		panic("rump_pub_lwproc_releaselwp: no dedicated lwp: cannot "
		    "release the implicit context");
	lwp_switchto(NULL);
	lwp_destroy(l);
}

int
rump_pub_lwproc_rfork(int flags)
{
	int error;

	if ((flags & ~(RUMP_RFFDG | RUMP_RFCFDG)) != 0)
		return EINVAL;
	rump_schedule();
	error = lwproc_rfork(NULL, flags, NULL);
	rump_unschedule();
	return error;
}

int
rump_pub_lwproc_newlwp(pid_t pid)
{
	int error;

	rump_schedule();
	error = lwproc_newlwp(pid);
	rump_unschedule();
	return error;
}

void
rump_pub_lwproc_switch(struct lwp *l)
{

	rump_schedule();
	lwp_switchto(l);
	rump_unschedule();
}

void
rump_pub_lwproc_releaselwp(void)
{

	rump_schedule();
	lwproc_release();
	rump_unschedule();
}

struct lwp *
rump_pub_lwproc_curlwp(void)
{

	return rumpuser_curlwp();
}
