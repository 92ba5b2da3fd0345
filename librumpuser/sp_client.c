/*
 * sp_client.c -- the life of a sysproxy client: allocation at accept,
 * references, the mainlwp guard, disconnect and the final release.
 *
 * A client is referenced by its connection (spc_connected, dropped by
 * the disconnect work item) and by every work item queued or running
 * for it (spc_nwork).  Whoever drops the last reference releases the
 * lwp kept between calls and the process's main lwp, which makes the
 * kernel's process exit, closes the socket and frees the struct.  The
 * socket stays open until then, so nobody writes to a descriptor
 * number that has been reused; shutdown() at disconnect makes sends
 * fail at once.  Disconnect has two halves: the leader's (out of
 * epoll, waiters woken, socket shut down: sp_client_dying) and the
 * kernel's, run by the pool (sp_client_disconnect).  Both the kernel
 * half and the final release run on pool threads between work items,
 * which have no curlwp of their own; the leader never enters the
 * kernel.
 *
 * The kernel may also reach a client from a thread that holds no
 * reference (a signal from another process, rumpuser_sp_raise).  While
 * the kernel is scheduled the client cannot go away: its process is
 * alive, and the final release needs the kernel.  To keep using it once
 * unscheduled such a thread pins it; the final release waits for the
 * pins to go before it frees anything.  A pinned thread only sends on a
 * socket that is already shut down, so the wait is short.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdatomic.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "sp_int.h"

int rumpsp_maxcalls = 1024;

struct sp_client *
sp_client_alloc(int fd)
{
	struct sp_client *spc;

	if ((spc = sp_calloc(1, sizeof(*spc))) == NULL)
		return NULL;
	if (pthread_mutex_init(&spc->spc_mtx, NULL) != 0)
		goto fail;
	if (pthread_cond_init(&spc->spc_cv, NULL) != 0)
		goto fail_mtx;
	if (pthread_mutex_init(&spc->spc_outmtx, NULL) != 0)
		goto fail_cv;
	spc->spc_fd = fd;
	atomic_init(&spc->spc_state, SPC_NEW);
	atomic_init(&spc->spc_lwpcache, NULL);
	atomic_init(&spc->spc_wkcache, NULL);
	atomic_init(&spc->spc_why, NULL);
	spc->spc_connected = true;
	spc->spc_nextreq = 1;
	TAILQ_INIT(&spc->spc_waiters);
	LIST_INIT(&spc->spc_preforks);
	LIST_INIT(&spc->spc_joined);
	LIST_INIT(&spc->spc_incalls);
	STAILQ_INIT(&spc->spc_outq);
	return spc;

 fail_cv:
	pthread_cond_destroy(&spc->spc_cv);
 fail_mtx:
	pthread_mutex_destroy(&spc->spc_mtx);
 fail:
	free(spc);
	return NULL;
}

static void
sp_client_free(struct sp_client *spc)
{
	struct sp_client *owner = NULL;
	struct sp_work *wk;

	sp_join_forget(spc);
	if (spc->spc_owner != NULL)
		owner = sp_join_detach(spc);
	sp_lwproc_uncache(spc);
	if (spc->spc_mainlwp != NULL) {
		/* the last lwp of the process: the process exits */
		sp_lwproc_switch(spc->spc_mainlwp);
		sp_lwproc_release();
	}
	pthread_mutex_lock(&spc->spc_mtx);
	while (spc->spc_pins > 0)
		pthread_cond_wait(&spc->spc_cv, &spc->spc_mtx);
	pthread_mutex_unlock(&spc->spc_mtx);
	if ((wk = atomic_exchange(&spc->spc_wkcache, NULL)) != NULL)
		free(wk);
	sp_out_drop(spc);
	sp_ring_free(spc);
	close(spc->spc_fd);
	pthread_mutex_destroy(&spc->spc_outmtx);
	pthread_cond_destroy(&spc->spc_cv);
	pthread_mutex_destroy(&spc->spc_mtx);
	free(spc);
	/* the process outlived its thread connection; it may end now */
	if (owner != NULL)
		sp_client_rele(owner);
}

/* A client that never got a connection reference's worth of use. */
void
sp_client_discard(struct sp_client *spc)
{

	sp_client_free(spc);
}

/* A work item for spc now exists. */
void
sp_client_hold(struct sp_client *spc)
{

	pthread_mutex_lock(&spc->spc_mtx);
	spc->spc_nwork++;
	pthread_mutex_unlock(&spc->spc_mtx);
}

/*
 * A system call of spc is about to be queued: hold it, unless its
 * process has rumpsp_maxcalls calls in the server already (false).
 * The process's own connection keeps the count, so that thread
 * connections (sp_join.c) do not multiply the limit; a call of a
 * thread connection holds both connections, and sp_handle_work lets
 * go of both.  A call counts until its answer goes out
 * (sp_client_call_answered), not until its thread has let go of it: a
 * client that calls again as soon as it has the answer must not find
 * its last call still counted.
 */
bool
sp_client_hold_call(struct sp_client *spc)
{
	struct sp_client *p = spc->spc_owner != NULL ? spc->spc_owner : spc;
	bool ok;

	pthread_mutex_lock(&p->spc_mtx);
	ok = rumpsp_maxcalls < 0 || p->spc_ncalls < (unsigned)rumpsp_maxcalls;
	if (ok) {
		p->spc_ncalls++;
		p->spc_nwork++;
	}
	pthread_mutex_unlock(&p->spc_mtx);
	if (ok && p != spc)
		sp_client_hold(spc);
	return ok;
}

/* rq's answer is about to go out, or none will: it counts no more. */
void
sp_client_call_answered(struct sp_req *rq)
{
	struct sp_client *spc = rq->rq_spc;
	struct sp_client *p = spc->spc_owner != NULL ? spc->spc_owner : spc;

	if (!rq->rq_held)
		return;
	rq->rq_held = false;
	pthread_mutex_lock(&p->spc_mtx);
	p->spc_ncalls--;
	pthread_mutex_unlock(&p->spc_mtx);
}

/* A work item for spc is done; the last reference frees it. */
void
sp_client_rele(struct sp_client *spc)
{
	bool last;

	pthread_mutex_lock(&spc->spc_mtx);
	spc->spc_nwork--;
	last = spc->spc_nwork == 0 && !spc->spc_connected;
	if (spc->spc_inexec)
		pthread_cond_broadcast(&spc->spc_cv);	/* exec drains */
	pthread_mutex_unlock(&spc->spc_mtx);
	if (last)
		sp_client_free(spc);
}

/*
 * The leader: the connection is gone (EOF, error, protocol violation,
 * cut off or server shutdown) and out of the epoll set.  Waiters get
 * ENOTCONN, sends fail from now on; what is queued and fits the socket
 * still goes (an ERROR frame saying why, usually).
 */
void
sp_client_dying(struct sp_client *spc)
{

	pthread_mutex_lock(&spc->spc_mtx);
	spc->spc_dying = true;
	sp_waiter_wakeall(spc);
	pthread_mutex_unlock(&spc->spc_mtx);
	sp_out_close(spc);
	/* the process goes: so do its thread connections */
	sp_join_forget(spc);
	sp_join_cut(spc);
}

/*
 * A pool thread: the kernel half of a disconnect.  Pending preforks are
 * released and the process's lwps are told to exit, so that calls
 * blocked in the kernel return; an exec in progress has done that
 * already and finishes the job itself (see sp_handle.c).  Then the
 * connection's reference goes.
 */
void
sp_client_disconnect(struct sp_client *spc)
{
	bool lwpexit, last;

	pthread_mutex_lock(&spc->spc_mtx);
	lwpexit = spc->spc_mainlwp != NULL && !spc->spc_inexec;
	pthread_mutex_unlock(&spc->spc_mtx);

	sp_prefork_drop_client(spc);
	/* a thread connection's calls: their thread is gone */
	if (spc->spc_owner != NULL)
		sp_lwproc_kickcalls(spc);
	if (lwpexit) {
		sp_mainlwp_enter(spc);
		sp_lwproc_switch(spc->spc_mainlwp);
		sp_lwproc_lwpexit();
		sp_lwproc_switch(NULL);
		sp_mainlwp_exit(spc);
	}

	pthread_mutex_lock(&spc->spc_mtx);
	spc->spc_connected = false;
	last = spc->spc_nwork == 0;
	pthread_mutex_unlock(&spc->spc_mtx);
	if (last)
		sp_client_free(spc);
}

/* The first reason given for closing the connection is the one logged. */
void
sp_client_why(struct sp_client *spc, const char *why)
{
	const char *none = NULL;

	(void)atomic_compare_exchange_strong(&spc->spc_why, &none, why);
}

/* A request number for a frame of ours (copy, raise). */
uint64_t
sp_client_reqno(struct sp_client *spc)
{
	uint64_t reqno;

	pthread_mutex_lock(&spc->spc_mtx);
	reqno = spc->spc_nextreq++;
	pthread_mutex_unlock(&spc->spc_mtx);
	return reqno;
}

/*
 * Called with the kernel scheduled: keep spc for use after unscheduling.
 * Returns ENOTCONN, and no pin, once the client is disconnecting.
 */
int
sp_client_pin(struct sp_client *spc)
{
	int error = 0;

	pthread_mutex_lock(&spc->spc_mtx);
	if (spc->spc_dying)
		error = ENOTCONN;
	else
		spc->spc_pins++;
	pthread_mutex_unlock(&spc->spc_mtx);
	return error;
}

/* spc may be gone as soon as this returns. */
void
sp_client_unpin(struct sp_client *spc)
{

	pthread_mutex_lock(&spc->spc_mtx);
	if (--spc->spc_pins == 0)
		pthread_cond_broadcast(&spc->spc_cv);
	pthread_mutex_unlock(&spc->spc_mtx);
}

/* Take the right to make mainlwp this thread's curlwp. */
void
sp_mainlwp_enter(struct sp_client *spc)
{

	pthread_mutex_lock(&spc->spc_mtx);
	while (spc->spc_mainbusy)
		pthread_cond_wait(&spc->spc_cv, &spc->spc_mtx);
	spc->spc_mainbusy = true;
	pthread_mutex_unlock(&spc->spc_mtx);
}

void
sp_mainlwp_exit(struct sp_client *spc)
{

	pthread_mutex_lock(&spc->spc_mtx);
	spc->spc_mainbusy = false;
	pthread_cond_broadcast(&spc->spc_cv);
	pthread_mutex_unlock(&spc->spc_mtx);
}
