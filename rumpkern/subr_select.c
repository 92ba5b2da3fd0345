/*
 * subr_select.c -- the wait queue behind poll, select and epoll.
 *
 * After NetBSD's selinfo/selrecord/selnotify.  A poller sets up a
 * struct selwait on its stack, arms it, asks each file for its state
 * (fo_poll), which records the selwait on the file's selinfo when
 * nothing it waits for is ready, and sleeps on the selwait's own
 * condition variable.  An object calls selnotify() on its selinfo
 * whenever its state changes; that wakes the recorded poller.
 *
 * A selinfo holds the poller's number (sw_id), never a pointer: a
 * poller returns without telling the objects it recorded itself on,
 * and a number that is no longer on the list of pollers in the kernel
 * (selwaiters) just matches nothing.  When a second poller records on
 * a selinfo already taken, the selinfo is marked as a collision and
 * its next notification wakes every poller, which rescans: correct
 * and cheap while pollers are few, as in NetBSD.
 *
 * Locking: the kernel lock.  A poller scans and goes to sleep without
 * giving the lock up (fo_poll must not sleep or copy), so a change
 * that happens after its scan is always seen by the sleep.
 */
#include "kern.h"

static LIST_HEAD(, selwait) selwaiters = LIST_HEAD_INITIALIZER(selwaiters);
static uint64_t sel_nextid = 1;

int64_t
sel_now(void)
{
	int64_t sec;
	long nsec;

	if (rumpuser_clock_gettime(RUMPUSER_CLOCK_ABSMONO, &sec, &nsec) != 0)
		return 0;
	return sec * 1000000000 + nsec;
}

int64_t
sel_deadline(int64_t timeout)
{

	if (timeout < 0)
		return -1;
	if (timeout > INT64_MAX / 2)
		return -1;		/* centuries: as good as none */
	return sel_now() + timeout;
}

void
selwait_init(struct selwait *sw)
{

	memset(sw, 0, sizeof(*sw));
	sw->sw_id = sel_nextid++;
	cv_init(&sw->sw_cv);
	LIST_INSERT_HEAD(&selwaiters, sw, sw_link);
}

void
selwait_fini(struct selwait *sw)
{

	LIST_REMOVE(sw, sw_link);
	cv_destroy(&sw->sw_cv);
}

void
selwait_arm(struct selwait *sw)
{

	sw->sw_fired = false;
}

int
selwait_sleep(struct selwait *sw, int64_t deadline)
{
	int64_t left, ms;
	int error;

	while (!sw->sw_fired) {
		ms = 0;
		if (deadline >= 0) {
			left = deadline - sel_now();
			if (left <= 0)
				return ETIMEDOUT;
			ms = (left + 999999) / 1000000;
			if (ms > INT_MAX)
				ms = INT_MAX;
		}
		error = cv_wait_sig(&sw->sw_cv, (int)ms);
		if (error == EINTR)
			return error;
	}
	return 0;
}

static struct selwait *
selwait_find(uint64_t id)
{
	struct selwait *sw;

	LIST_FOREACH(sw, &selwaiters, sw_link) {
		if (sw->sw_id == id)
			return sw;
	}
	return NULL;
}

void
selrecord(struct selwait *sw, struct selinfo *si)
{

	if (sw == NULL || si->si_waiter == sw->sw_id)
		return;
	if (si->si_waiter != 0 && selwait_find(si->si_waiter) != NULL)
		si->si_collision = true;
	else
		si->si_waiter = sw->sw_id;
}

static void
selwake(struct selwait *sw)
{

	sw->sw_fired = true;
	cv_broadcast(&sw->sw_cv);
}

void
selnotify(struct selinfo *si)
{
	struct selwait *sw;

	if (si->si_collision) {
		LIST_FOREACH(sw, &selwaiters, sw_link)
			selwake(sw);
	} else if (si->si_waiter != 0 &&
	    (sw = selwait_find(si->si_waiter)) != NULL)
		selwake(sw);
	si->si_waiter = 0;
	si->si_collision = false;
}
