/*
 * sp_lwproc.c -- the kernel's sysproxy operations as the server calls
 * them: each one bracketed by spop_schedule()/spop_unschedule(), since
 * the server's threads run outside the kernel between operations.
 *
 * The operations table is copied once by rumpuser_sp_init(), before the
 * event thread exists, and is constant afterwards.  Callers hold no
 * lock of this library (see sp_int.h).
 */
#include <sys/types.h>

#include "sp_int.h"

struct rumpuser_sp_ops sp_ops;

int
sp_lwproc_rfork(struct sp_client *spc, int flags, const char *comm)
{
	int error;

	sp_ops.spop_schedule();
	error = sp_ops.spop_lwproc_rfork(spc, flags, comm);
	sp_ops.spop_unschedule();
	return error;
}

int
sp_lwproc_newlwp(pid_t pid)
{
	int error;

	sp_ops.spop_schedule();
	error = sp_ops.spop_lwproc_newlwp(pid);
	sp_ops.spop_unschedule();
	return error;
}

void
sp_lwproc_switch(struct lwp *l)
{

	sp_ops.spop_schedule();
	sp_ops.spop_lwproc_switch(l);
	sp_ops.spop_unschedule();
}

void
sp_lwproc_release(void)
{

	sp_ops.spop_schedule();
	sp_ops.spop_lwproc_release();
	sp_ops.spop_unschedule();
}

struct lwp *
sp_lwproc_curlwp(void)
{
	struct lwp *l;

	sp_ops.spop_schedule();
	l = sp_ops.spop_lwproc_curlwp();
	sp_ops.spop_unschedule();
	return l;
}

pid_t
sp_lwproc_getpid(void)
{
	pid_t pid;

	sp_ops.spop_schedule();
	pid = sp_ops.spop_getpid();
	sp_ops.spop_unschedule();
	return pid;
}

void
sp_lwproc_execnotify(const char *comm)
{

	sp_ops.spop_schedule();
	sp_ops.spop_execnotify(comm);
	sp_ops.spop_unschedule();
}

void
sp_lwproc_lwpexit(void)
{

	sp_ops.spop_schedule();
	sp_ops.spop_lwpexit();
	sp_ops.spop_unschedule();
}

int
sp_lwproc_syscall(int sysnum, void *args, register_t *retval)
{
	int error;

	sp_ops.spop_schedule();
	error = sp_ops.spop_syscall(sysnum, args, retval);
	sp_ops.spop_unschedule();
	return error;
}
