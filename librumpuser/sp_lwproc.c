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

#include <stdatomic.h>

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

/*
 * A system call of spc's process, under one acquisition of the kernel
 * lock: on the lwp kept from the client's last call if it is free,
 * else on a new one; afterwards the lwp is kept for the next call if
 * the slot is empty (several threads of a client call at once), else
 * released.  The kernel refuses calls of an exiting process.  While
 * it runs, the call (request reqno) is on spc_incalls
 * (sp_lwproc_kickcalls, sp_lwproc_cancel).
 */
int
sp_lwproc_call(struct sp_client *spc, uint64_t reqno, int sysnum,
    void *args, register_t *retval)
{
	struct lwp *l, *none = NULL;
	struct sp_incall ic;
	int error;

	sp_ops.spop_schedule();
	if ((l = atomic_exchange(&spc->spc_lwpcache, NULL)) != NULL)
		sp_ops.spop_lwproc_switch(l);
	else if ((error = sp_ops.spop_lwproc_newlwp(spc->spc_pid)) != 0) {
		sp_ops.spop_unschedule();
		return error;
	} else
		l = sp_ops.spop_lwproc_curlwp();
	ic.ic_lwp = l;
	ic.ic_reqno = reqno;
	ic.ic_kicked = spc->spc_kicked ||
	    (spc->spc_cancelled && spc->spc_cancelreq == reqno);
	LIST_INSERT_HEAD(&spc->spc_incalls, &ic, ic_entries);
	if (ic.ic_kicked)
		sp_ops.spop_lwpkick(l);
	error = sp_ops.spop_syscall(sysnum, args, retval);
	LIST_REMOVE(&ic, ic_entries);
	/* a kicked lwp stays told to exit: it is not kept for the next */
	if (ic.ic_kicked ||
	    !atomic_compare_exchange_strong(&spc->spc_lwpcache, &none, l))
		sp_ops.spop_lwproc_release();
	else
		sp_ops.spop_lwproc_switch(NULL);
	sp_ops.spop_unschedule();
	return error;
}

/*
 * Nobody waits for the answers of spc's calls any more (a thread
 * connection closed: its thread is gone, the process lives on): tell
 * the lwps running them to exit, so that a call asleep in the kernel
 * ends (EINTR) instead of holding its lwp until the process ends.
 * A call read before the end but started after this is told at its
 * start.  The list is the kernel lock's, as are the sleeps it
 * interrupts.
 */
void
sp_lwproc_kickcalls(struct sp_client *spc)
{
	struct sp_incall *ic;

	sp_ops.spop_schedule();
	spc->spc_kicked = true;
	LIST_FOREACH(ic, &spc->spc_incalls, ic_entries) {
		ic->ic_kicked = true;
		sp_ops.spop_lwpkick(ic->ic_lwp);
	}
	sp_ops.spop_unschedule();
}

/*
 * The client gave up waiting for its call reqno (CANCEL: a signal
 * handler left the call with a jump, rumpclient(3)): interrupt it as a
 * signal would, EINTR from a sleep; the answer it then sends is
 * dropped by the client.  A call not started yet is told at its start;
 * one that ended already is not affected.
 */
void
sp_lwproc_cancel(struct sp_client *spc, uint64_t reqno)
{
	struct sp_incall *ic;

	sp_ops.spop_schedule();
	spc->spc_cancelled = true;
	spc->spc_cancelreq = reqno;
	LIST_FOREACH(ic, &spc->spc_incalls, ic_entries) {
		if (ic->ic_reqno == reqno) {
			ic->ic_kicked = true;
			sp_ops.spop_lwpkick(ic->ic_lwp);
		}
	}
	sp_ops.spop_unschedule();
}

/* The final release: the kept lwp goes before the main one. */
void
sp_lwproc_uncache(struct sp_client *spc)
{
	struct lwp *l;

	if ((l = atomic_exchange(&spc->spc_lwpcache, NULL)) == NULL)
		return;
	sp_ops.spop_schedule();
	sp_ops.spop_lwproc_switch(l);
	sp_ops.spop_lwproc_release();
	sp_ops.spop_unschedule();
}
