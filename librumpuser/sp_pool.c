/*
 * sp_pool.c -- the server's threads: one pool, leader/follower.
 *
 * Every thread runs the same loop: run a queued work item if there is
 * one; else, if nobody leads, lead: wait in epoll (sp_server_poll),
 * read what came, give up the lead, queue the work items produced and
 * run the first one itself; else wait as a follower.  So a call that
 * does not block is read, run and answered by one thread, and wakes
 * nobody.  When a turn produced more than one, a follower is woken for
 * the rest and the lead, so that the calls of several clients run on
 * several CPUs (4 processes on rings made 300,000 calls/s with one
 * thread doing them all, 550,000 so; bench/README.md).
 *
 * A thread about to wait (sp_pool_wait_begin: a kernel sleep, the
 * kernel lock held by another thread, a copy waiting for its client)
 * makes sure that someone leads and runs the queue: it wakes an idle
 * follower or, when there is none, creates a thread.  Threads that wait
 * do not count against rumpsp_maxworker (runnable threads), so calls
 * asleep in the kernel can never starve the calls that would wake
 * them.  Threads asleep in the kernel or on a client count against
 * rumpsp_maxblocked instead; past it new system calls are refused with
 * TRYAGAIN (sp_handle.c) rather than left waiting for a thread.
 * Handshakes, disconnects, exec and prefork expiry are never refused:
 * they are work like the rest and need no free worker, only the next
 * thread that comes by.
 *
 * Idle followers beyond rumpsp_idleworker exit.  Threads are detached,
 * have small stacks (the kernel uses little) and block every signal.
 *
 * The pool mutex protects everything here.  It comes after spc_mtx in
 * the lock order and after the kernel lock (the wait hooks are called
 * with the kernel scheduled); it is never held while work runs.
 */
#include <sys/types.h>
#include <sys/queue.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>

#include "sp_int.h"

int rumpsp_maxworker = 128;
int rumpsp_idleworker = 16;
int rumpsp_maxblocked = 8192;

/* Stack of a pool thread: the kernel's deepest paths use a few KiB. */
#define SP_STACKSIZE	(256 * 1024)

static struct {
	pthread_mutex_t	 mtx;
	pthread_cond_t	 cv;		/* followers wait here */
	struct sp_workq	 runq;
	int		 nthreads;	/* alive */
	int		 nidle;		/* followers waiting for something */
	int		 nwake;		/* followers woken, not yet running */
	int		 nwaiting;	/* in sp_pool_wait_begin..end */
	_Atomic int	 nblocked;	/* of those, asleep (not on a lock) */
	int		 maxworker, idlemax, maxblocked;
	bool		 leader;	/* a thread leads */
	bool		 stopped;	/* nobody leads again */
	bool		 warned;	/* thread creation failed once */
} pool = {
	.mtx = PTHREAD_MUTEX_INITIALIZER,
	.cv = PTHREAD_COND_INITIALIZER,
	.runq = TAILQ_HEAD_INITIALIZER(pool.runq),
};

static __thread bool sp_pooled;		/* this thread is the pool's */

static void	*sp_thread(void *);

/* Take the limits; called once by rumpuser_sp_init(). */
void
sp_pool_init(void)
{

	pthread_mutex_lock(&pool.mtx);
	pool.maxworker = rumpsp_maxworker;
	pool.idlemax = rumpsp_idleworker;
	pool.maxblocked = rumpsp_maxblocked;
	pthread_mutex_unlock(&pool.mtx);
}

/* pool.mtx held: one more thread, with every signal blocked. */
static int
sp_pool_spawn(void)
{
	pthread_attr_t attr;
	sigset_t all, old;
	pthread_t t;
	int error;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, SP_STACKSIZE);
	error = pthread_create(&t, &attr, sp_thread, NULL);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (error == 0)
		pool.nthreads++;
	else if (!pool.warned) {
		pool.warned = true;
		sp_log("cannot create a server thread: %s", strerror(error));
	}
	return error;
}

int
sp_pool_start(void)
{
	int error;

	pthread_mutex_lock(&pool.mtx);
	error = sp_pool_spawn();
	pthread_mutex_unlock(&pool.mtx);
	return error;
}

/*
 * pool.mtx held: someone must lead or run the queue.  A follower woken
 * and not yet running counts as on its way.
 */
static void
sp_pool_need(void)
{

	if (pool.stopped && TAILQ_EMPTY(&pool.runq))
		return;
	if (pool.leader && TAILQ_EMPTY(&pool.runq))
		return;
	if (pool.nwake > 0)
		return;
	if (pool.nidle > 0) {
		pool.nwake++;
		pthread_cond_signal(&pool.cv);
		return;
	}
	if (pool.maxworker < 0 ||
	    pool.nthreads - pool.nwaiting < pool.maxworker)
		(void)sp_pool_spawn();
}

/* The work items a leader produced: run the first, queue the rest. */
static void
sp_pool_led(struct sp_workq *mine)
{
	struct sp_work *wk;

	pool.leader = false;
	wk = TAILQ_FIRST(mine);
	if (wk != NULL)
		TAILQ_REMOVE(mine, wk, wk_entries);
	TAILQ_CONCAT(&pool.runq, mine, wk_entries);
	if (wk == NULL)
		return;
	/* more than one came: the rest, and the lead, to another thread */
	if (!TAILQ_EMPTY(&pool.runq))
		sp_pool_need();
	pthread_mutex_unlock(&pool.mtx);
	sp_handle_work(wk);
	pthread_mutex_lock(&pool.mtx);
}

static void *
sp_thread(void *arg)
{
	struct sp_workq mine;
	struct sp_work *wk;

	sp_pooled = true;
	pthread_mutex_lock(&pool.mtx);
	for (;;) {
		if ((wk = TAILQ_FIRST(&pool.runq)) != NULL) {
			TAILQ_REMOVE(&pool.runq, wk, wk_entries);
			pthread_mutex_unlock(&pool.mtx);
			sp_handle_work(wk);
			pthread_mutex_lock(&pool.mtx);
			continue;
		}
		if (!pool.leader && !pool.stopped) {
			pool.leader = true;
			pthread_mutex_unlock(&pool.mtx);
			TAILQ_INIT(&mine);
			sp_server_poll(&mine);
			pthread_mutex_lock(&pool.mtx);
			sp_pool_led(&mine);
			continue;
		}
		if (pool.idlemax >= 0 && pool.nidle >= pool.idlemax)
			break;
		pool.nidle++;
		pthread_cond_wait(&pool.cv, &pool.mtx);
		pool.nidle--;
		if (pool.nwake > 0)
			pool.nwake--;
	}
	pool.nthreads--;
	pthread_mutex_unlock(&pool.mtx);
	return NULL;
}

/*
 * The leader saw the server stop: nobody leads again; the items given
 * (disconnects) run on whoever is free.
 */
void
sp_pool_stop(struct sp_workq *mine)
{

	pthread_mutex_lock(&pool.mtx);
	pool.stopped = true;
	TAILQ_CONCAT(&pool.runq, mine, wk_entries);
	pthread_cond_broadcast(&pool.cv);
	pthread_mutex_unlock(&pool.mtx);
}

/* The pool's gauges for sp_stats.c. */
int64_t
sp_pool_gauge(int which)
{
	int64_t v;

	pthread_mutex_lock(&pool.mtx);
	switch (which) {
	case RUMPUSER_SP_THREADS:
		v = pool.nthreads;
		break;
	case RUMPUSER_SP_IDLE:
		v = pool.nidle;
		break;
	default:
		v = atomic_load(&pool.nblocked);
		break;
	}
	pthread_mutex_unlock(&pool.mtx);
	return v;
}

/* Are too many threads asleep to start another system call? */
bool
sp_pool_overloaded(void)
{

	return pool.maxblocked >= 0 &&
	    atomic_load_explicit(&pool.nblocked, memory_order_relaxed) >=
	    pool.maxblocked;
}

/*
 * This thread is about to wait: asleep (sleep) or for a lock.  Called
 * from the hypercalls that wait (rumpuser_pth.c) and from the copy
 * waits; does nothing on threads that are not the pool's.  A sleep is
 * also told to a client on rings (sp_ring_asleep).
 */
void
sp_pool_wait_begin(bool sleep)
{

	if (!sp_pooled)
		return;
	if (sleep)
		sp_ring_asleep(true);
	pthread_mutex_lock(&pool.mtx);
	pool.nwaiting++;
	if (sleep)
		atomic_fetch_add_explicit(&pool.nblocked, 1,
		    memory_order_relaxed);
	sp_pool_need();
	pthread_mutex_unlock(&pool.mtx);
}

void
sp_pool_wait_end(bool sleep)
{

	if (!sp_pooled)
		return;
	pthread_mutex_lock(&pool.mtx);
	pool.nwaiting--;
	if (sleep)
		atomic_fetch_sub_explicit(&pool.nblocked, 1,
		    memory_order_relaxed);
	pthread_mutex_unlock(&pool.mtx);
	if (sleep)
		sp_ring_asleep(false);
}
