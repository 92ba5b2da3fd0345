/*
 * sched.c -- the big kernel lock and sleeping on it.
 *
 * A host thread that enters the kernel takes the kernel lock
 * (rump_schedule) and gives it back when it leaves (rump_unschedule).
 * One lock keeps the kernel easy to read and to reason about; the cost
 * is that system calls run one at a time, except that a thread gives
 * the lock up whenever it sleeps (a blocking read, wait4) and whenever
 * a copy crosses the wire to a remote client, so slow clients and
 * blocking calls never hold up the rest of the kernel.
 *
 * An lwp records the condition variable it sleeps on, so that telling
 * it to exit (lwp_kick) can wake it: interruptible sleeps then return
 * EINTR and the system call unwinds.
 */
#include "kern.h"

static struct rumpuser_mtx *kernel_lock;

void
sched_init(void)
{

	rumpuser_mutex_init(&kernel_lock);
}

void
rump_schedule(void)
{

	rumpuser_mutex_enter(kernel_lock);
}

void
rump_unschedule(void)
{

	rumpuser_mutex_exit(kernel_lock);
}

bool
rump_scheduled(void)
{

	return rumpuser_mutex_owned(kernel_lock) != 0;
}

void
cv_init(kcondvar_t *cv)
{

	rumpuser_cv_init(&cv->kcv_cv);
}

void
cv_destroy(kcondvar_t *cv)
{

	rumpuser_cv_destroy(cv->kcv_cv);
	cv->kcv_cv = NULL;
}

void
cv_wait(kcondvar_t *cv)
{

	KASSERT(rump_scheduled());
	rumpuser_cv_wait(cv->kcv_cv, kernel_lock);
}

int
cv_wait_sig(kcondvar_t *cv, int timo_ms)
{
	struct lwp *l = curlwp;
	int error = 0;

	KASSERT(rump_scheduled());
	if (l != NULL && (l->l_flag & LW_WEXIT) != 0)
		return EINTR;
	if (l != NULL)
		l->l_sleepcv = cv;
	if (timo_ms > 0) {
		error = rumpuser_cv_timedwait(cv->kcv_cv, kernel_lock,
		    timo_ms / 1000, (int64_t)(timo_ms % 1000) * 1000000);
	} else
		rumpuser_cv_wait(cv->kcv_cv, kernel_lock);
	if (l != NULL) {
		l->l_sleepcv = NULL;
		if ((l->l_flag & LW_WEXIT) != 0)
			return EINTR;
	}
	return error;
}

void
cv_signal(kcondvar_t *cv)
{

	rumpuser_cv_signal(cv->kcv_cv);
}

void
cv_broadcast(kcondvar_t *cv)
{

	rumpuser_cv_broadcast(cv->kcv_cv);
}

void
panic(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	rumpuser_panic("%s", buf);
}
