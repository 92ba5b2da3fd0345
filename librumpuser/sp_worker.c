/*
 * sp_worker.c -- the pool of worker threads that run clients' requests.
 *
 * As in NetBSD's server: the pool grows on demand up to rumpsp_maxworker
 * threads and keeps at most rumpsp_idleworker of them idle; -1 lifts
 * either limit.  A request is queued; an idle worker is woken if one is
 * free for it, otherwise a thread is created if the limit allows,
 * otherwise it waits for a busy worker.  Workers are detached and never
 * joined; they block all signals (inherited from the event thread).
 *
 * sp_pool_mtx protects everything here.  It comes after spc_mtx in the
 * lock order and is never held while a request runs.
 */
#include <sys/types.h>
#include <sys/queue.h>

#include <errno.h>
#include <pthread.h>

#include "sp_int.h"

int rumpsp_maxworker = 128;
int rumpsp_idleworker = 16;

static pthread_mutex_t sp_pool_mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sp_pool_cv = PTHREAD_COND_INITIALIZER;
static TAILQ_HEAD(, sp_work) sp_pool_queue =
    TAILQ_HEAD_INITIALIZER(sp_pool_queue);
static int sp_pool_nqueued;	/* on sp_pool_queue */
static int sp_pool_nthreads;	/* alive */
static int sp_pool_nidle;	/* waiting for work */
static int sp_pool_max = 128;
static int sp_pool_idlemax = 16;

/* Take the limits; called once by rumpuser_sp_init(). */
void
sp_pool_init(int maxworker, int idleworker)
{

	pthread_mutex_lock(&sp_pool_mtx);
	sp_pool_max = maxworker;
	sp_pool_idlemax = idleworker;
	pthread_mutex_unlock(&sp_pool_mtx);
}

static void *
sp_worker(void *arg)
{
	struct sp_work *wk;

	pthread_mutex_lock(&sp_pool_mtx);
	for (;;) {
		while ((wk = TAILQ_FIRST(&sp_pool_queue)) == NULL) {
			if (sp_pool_idlemax >= 0 &&
			    sp_pool_nidle >= sp_pool_idlemax) {
				sp_pool_nthreads--;
				pthread_mutex_unlock(&sp_pool_mtx);
				return NULL;
			}
			sp_pool_nidle++;
			pthread_cond_wait(&sp_pool_cv, &sp_pool_mtx);
			sp_pool_nidle--;
		}
		TAILQ_REMOVE(&sp_pool_queue, wk, wk_entries);
		sp_pool_nqueued--;
		pthread_mutex_unlock(&sp_pool_mtx);

		sp_handle_work(wk);

		pthread_mutex_lock(&sp_pool_mtx);
	}
}

/*
 * Queue wk.  Returns EAGAIN only when there is no worker at all and
 * none can be created: nothing would ever run it.
 */
int
sp_pool_submit(struct sp_work *wk)
{
	pthread_attr_t attr;
	pthread_t t;
	int error = 0;

	pthread_mutex_lock(&sp_pool_mtx);
	TAILQ_INSERT_TAIL(&sp_pool_queue, wk, wk_entries);
	sp_pool_nqueued++;
	if (sp_pool_nqueued <= sp_pool_nidle) {
		pthread_cond_signal(&sp_pool_cv);
	} else if (sp_pool_max < 0 || sp_pool_nthreads < sp_pool_max) {
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&t, &attr, sp_worker, NULL) == 0)
			sp_pool_nthreads++;
		pthread_attr_destroy(&attr);
	}
	if (sp_pool_nthreads == 0) {
		error = EAGAIN;
		TAILQ_REMOVE(&sp_pool_queue, wk, wk_entries);
		sp_pool_nqueued--;
	}
	pthread_mutex_unlock(&sp_pool_mtx);
	return error;
}
