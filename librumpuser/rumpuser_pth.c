/*
 * rumpuser_pth.c -- threads, mutexes, condition variables and the
 * per-thread curlwp, on POSIX threads.
 *
 * A mutex remembers its owner so that the kernel can assert that it
 * holds a lock (rumpuser_mutex_owned).  The owner is the address of a
 * thread-local variable, unique per live thread; it is written only by
 * the holder and read without the lock, so it is an atomic.  Condition
 * variables time out on the monotonic clock: a wall clock step does not
 * stretch or cut a kernel sleep.  Failures of the pthread calls that
 * cannot fail on a correct program are kernel bugs and panic.
 */
#include <sys/types.h>

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rump/rumpuser.h>

#include "sp_int.h"

struct rumpuser_mtx {
	pthread_mutex_t		 m_mtx;
	_Atomic(const void *)	 m_owner;	/* NULL: not held */
};

struct rumpuser_cv {
	pthread_cond_t		 c_cv;
};

struct rumpuser_thread {
	pthread_t		 t_thread;
};

static __thread struct lwp *rumpuser_curlwp_tls;
static __thread char rumpuser_self;	/* its address names this thread */

#define MTX_SELF	((const void *)&rumpuser_self)

int
rumpuser_thread_create(void *(*f)(void *), void *arg, const char *name,
    int joinable, void **cookiep)
{
	struct rumpuser_thread *t;
	char tname[16];
	int error;

	if ((t = malloc(sizeof(*t))) == NULL)
		return ENOMEM;
	if ((error = pthread_create(&t->t_thread, NULL, f, arg)) != 0) {
		free(t);
		return error;
	}
	if (name != NULL) {
		/* Linux thread names are 15 characters at most */
		strncpy(tname, name, sizeof(tname) - 1);
		tname[sizeof(tname) - 1] = '\0';
		(void)pthread_setname_np(t->t_thread, tname);
	}
	if (!joinable) {
		pthread_detach(t->t_thread);
		free(t);
		t = NULL;
	}
	if (cookiep != NULL)
		*cookiep = t;
	return 0;
}

void
rumpuser_thread_exit(void)
{

	pthread_exit(NULL);
}

int
rumpuser_thread_join(void *cookie)
{
	struct rumpuser_thread *t = cookie;
	int error;

	if (t == NULL)
		return EINVAL;
	error = pthread_join(t->t_thread, NULL);
	free(t);
	return error;
}

void
rumpuser_mutex_init(struct rumpuser_mtx **mtxp)
{
	struct rumpuser_mtx *m;

	if ((m = malloc(sizeof(*m))) == NULL)
		rumpuser_panic("rumpuser_mutex_init: out of memory");
	if (pthread_mutex_init(&m->m_mtx, NULL) != 0)
		rumpuser_panic("rumpuser_mutex_init: cannot initialize");
	atomic_init(&m->m_owner, NULL);
	*mtxp = m;
}

/*
 * A server thread that is about to wait tells the pool first
 * (sp_pool_wait_begin), so that another thread leads meanwhile: for a
 * mutex only when it is taken, for a condition variable always.
 */
void
rumpuser_mutex_enter(struct rumpuser_mtx *m)
{

	if (pthread_mutex_trylock(&m->m_mtx) != 0) {
		sp_pool_wait_begin(false);
		if (pthread_mutex_lock(&m->m_mtx) != 0)
			rumpuser_panic("rumpuser_mutex_enter: lock failed");
		sp_pool_wait_end(false);
	}
	atomic_store_explicit(&m->m_owner, MTX_SELF, memory_order_relaxed);
}

int
rumpuser_mutex_tryenter(struct rumpuser_mtx *m)
{

	if (pthread_mutex_trylock(&m->m_mtx) != 0)
		return EBUSY;
	atomic_store_explicit(&m->m_owner, MTX_SELF, memory_order_relaxed);
	return 0;
}

void
rumpuser_mutex_exit(struct rumpuser_mtx *m)
{

	atomic_store_explicit(&m->m_owner, NULL, memory_order_relaxed);
	if (pthread_mutex_unlock(&m->m_mtx) != 0)
		rumpuser_panic("rumpuser_mutex_exit: unlock failed");
}

void
rumpuser_mutex_destroy(struct rumpuser_mtx *m)
{

	if (pthread_mutex_destroy(&m->m_mtx) != 0)
		rumpuser_panic("rumpuser_mutex_destroy: mutex busy");
	free(m);
}

int
rumpuser_mutex_owned(struct rumpuser_mtx *m)
{

	return atomic_load_explicit(&m->m_owner, memory_order_relaxed) ==
	    MTX_SELF;
}

void
rumpuser_cv_init(struct rumpuser_cv **cvp)
{
	struct rumpuser_cv *cv;
	pthread_condattr_t ca;

	if ((cv = malloc(sizeof(*cv))) == NULL)
		rumpuser_panic("rumpuser_cv_init: out of memory");
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	if (pthread_cond_init(&cv->c_cv, &ca) != 0)
		rumpuser_panic("rumpuser_cv_init: pthread_cond_init failed");
	pthread_condattr_destroy(&ca);
	*cvp = cv;
}

void
rumpuser_cv_destroy(struct rumpuser_cv *cv)
{

	if (pthread_cond_destroy(&cv->c_cv) != 0)
		rumpuser_panic("rumpuser_cv_destroy: cv busy");
	free(cv);
}

void
rumpuser_cv_wait(struct rumpuser_cv *cv, struct rumpuser_mtx *m)
{

	sp_pool_wait_begin(true);
	atomic_store_explicit(&m->m_owner, NULL, memory_order_relaxed);
	pthread_cond_wait(&cv->c_cv, &m->m_mtx);
	atomic_store_explicit(&m->m_owner, MTX_SELF, memory_order_relaxed);
	sp_pool_wait_end(true);
}

int
rumpuser_cv_timedwait(struct rumpuser_cv *cv, struct rumpuser_mtx *m,
    int64_t sec, int64_t nsec)
{
	struct timespec ts;
	int error;

	/* a negative timeout has expired; a huge one must not overflow */
	if (sec < 0 || nsec < 0)
		sec = nsec = 0;
	if (sec > ((int64_t)1 << 40))
		sec = (int64_t)1 << 40;
	sec += nsec / 1000000000L;
	nsec %= 1000000000L;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)sec;
	ts.tv_nsec += (long)nsec;
	while (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	sp_pool_wait_begin(true);
	atomic_store_explicit(&m->m_owner, NULL, memory_order_relaxed);
	error = pthread_cond_timedwait(&cv->c_cv, &m->m_mtx, &ts);
	atomic_store_explicit(&m->m_owner, MTX_SELF, memory_order_relaxed);
	sp_pool_wait_end(true);
	return error == ETIMEDOUT ? ETIMEDOUT : 0;
}

void
rumpuser_cv_signal(struct rumpuser_cv *cv)
{

	pthread_cond_signal(&cv->c_cv);
}

void
rumpuser_cv_broadcast(struct rumpuser_cv *cv)
{

	pthread_cond_broadcast(&cv->c_cv);
}

void
rumpuser_curlwp_set(struct lwp *l)
{

	rumpuser_curlwp_tls = l;
}

struct lwp *
rumpuser_curlwp(void)
{

	return rumpuser_curlwp_tls;
}
