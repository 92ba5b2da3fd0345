/*
 * rc_listen.c -- the listener: one thread per client process that reads
 * the connection while no call is in flight, so that a signal the
 * kernel sends (a RAISE, when another rump process calls kill(2) on
 * ours) is delivered even while the program is idle, in pause(2) or
 * computing.  Without it the RAISE would wait in the socket until the
 * program's next call.
 *
 * The listener runs with every signal blocked and never runs a signal
 * handler.  It delivers a RAISE with kill(2) on its own process, so
 * that the signal is process-directed and taken by any thread that
 * does not block it; raise(3) would aim it at the listener itself.
 * Other frames are dispatched as the reader of a call does (rc_frame);
 * none but a RAISE can come without a call.
 *
 * It takes the reader role only when the connection is idle: no call
 * in flight, and none started during the last RC_LISTEN_IDLE_MS, so a
 * program making calls back to back never hands the role to and fro;
 * while calls run, they read the socket and a RAISE reaches the
 * calling thread as it always did.  It looks for idleness every
 * RC_LISTEN_IDLE_MS while calls start, less and less often while the
 * same calls stay in flight (up to RC_CHECK_MS), and the last of those
 * to end wakes it (l_deep): a client blocked in a long call costs no
 * wakeups.  Holding the role, it waits between frames (POLLING) in
 * ppoll() on the socket and its eventfd; a call that starts then takes
 * the role from it without waiting (rc_listener_yield) and wakes it.
 * Inside a frame (READING) a call waits for the frame's end like any
 * waiter, never more.
 *
 * It holds no lock while it waits, so the pthread_atfork prepare
 * handler never waits for it; the child of fork(2) has no listener
 * until rumpclient_fork_init() starts one.  A broken connection parks
 * it until a reconnect or rumpclient_init() wakes it, and it never
 * applies the RETRYCONN_DIE policy itself: the program's next call
 * does.  Once exit(3) has begun it leaves the connection alone and
 * ends.  rumpclient_exec() pauses it (rc_listener_pause) so that no
 * byte of the connection is read by this program image after the EXEC
 * handshake.
 */
#include "config.h"

#include <sys/types.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rumpclient_int.h"

/* A connection counts as idle after this long without a new call. */
#define RC_LISTEN_IDLE_MS	10

static __thread bool rc_listening;

bool
rc_listener_self(void)
{

	return rc_listening;
}

/* Wake those waiting in rc_listener_pause() (c_mtx held). */
static void
rc_listen_wake_pausers(struct rc_listener *l)
{
	struct rc_sleeper *s;

	TAILQ_FOREACH(s, &l->l_pausewait, s_entries)
		rc_wake(s->s_efd);
}

/*
 * Our eventfd was closed under us (closefrom(3)): make another
 * (c_mtx held, dropped meanwhile).  Without one we poll the connection
 * in slices and sleep in millisecond steps, which costs only time.
 */
static void
rc_listen_renew(struct rc_client *c, struct rc_listener *l)
{
	int efd = l->l_efd;

	pthread_mutex_unlock(&c->c_mtx);
	efd = rc_efd_renew(efd);
	pthread_mutex_lock(&c->c_mtx);
	l->l_efd = efd;
}

/*
 * Sleep, c_mtx dropped, until woken or for ms milliseconds (-1: until
 * woken, looking at our eventfd every RC_CHECK_MS).  Signals stay
 * blocked.
 */
static void
rc_listen_park(struct rc_client *c, struct rc_listener *l, int ms)
{
	int error;

	l->l_state = RC_L_PARKED;
	rc_listen_wake_pausers(l);
	pthread_mutex_unlock(&c->c_mtx);
	error = rc_sleep_ms(l->l_efd, NULL, ms < 0 ? RC_CHECK_MS : ms);
	pthread_mutex_lock(&c->c_mtx);
	if (error == EBADF)
		rc_listen_renew(c, l);
}

/*
 * Wait for a frame holding the role; true if one is there to read.
 * Bounded, as every wait on the socket: a ppoll on a descriptor that
 * closefrom(3) closed never wakes, and while we hold a reference to
 * a dead connection no reconnect may reuse its number.  *lostp says
 * that our eventfd went the same way.
 */
static bool
rc_listen_poll(struct rc_conn *cn, int efd, bool *lostp)
{
	struct timespec ts = RC_CHECK_TS;
	struct pollfd pfd[2];
	int n;

	*lostp = false;
	pfd[0].fd = cn->cn_fd;
	pfd[0].events = POLLIN;
	pfd[0].revents = 0;
	pfd[1].fd = efd;
	pfd[1].events = POLLIN;
	pfd[1].revents = 0;
	n = ppoll(pfd, efd >= 0 ? 2 : 1, &ts, NULL);
	if (n == -1)
		n = 0;
	if ((n == 0 || (pfd[0].revents & POLLNVAL)) && !rc_conn_fdok(cn)) {
		rc_debug("connection descriptor %d closed under us",
		    cn->cn_fd);
		rc_conn_kill(cn);
		return false;
	}
	if (pfd[1].revents != 0)
		*lostp = (pfd[1].revents & POLLNVAL) || !rc_unwake(efd);
	return (pfd[0].revents & ~POLLNVAL) != 0;
}

/*
 * On rings, after the poll (c_mtx held): doorbells off and drained,
 * but only while we still hold the role (a call that took it may be
 * asleep waiting for a doorbell of its own).  True when bytes are
 * there to read; *errp says the connection is over.
 */
static bool
rc_listen_shmready(struct rc_listener *l, struct rc_conn *cn, bool sock,
    int *errp)
{
	size_t avail;

	*errp = 0;
	if (cn->cn_reader != &l->l_w || cn->cn_dead)
		return false;
	if ((*errp = rc_shm_disarm(cn, sock)) != 0)
		return false;
	return rc_shm_avail(cn, &avail) != 0 || avail > 0;
}

/*
 * One turn as the reader of the idle connection cn (c_mtx held, and
 * held again on return): wait for a frame unless one was read ahead,
 * then read it, if no call has taken the role in the meantime.
 */
static void
rc_listen_once(struct rc_client *c, struct rc_listener *l,
    struct rc_conn *cn)
{
	bool ready, lost = false;
	int sig, error = 0;

	cn->cn_reader = &l->l_w;
	cn->cn_refs++;
	ready = cn->cn_rpos < cn->cn_rlen;
	/*
	 * On rings: bytes there already, or ask for a doorbell; under
	 * c_mtx, as the reader, since a call may take the role (and the
	 * ring) from us as soon as we let go of the lock.
	 */
	if (!ready && cn->cn_shm != NULL && rc_shm_arm(cn))
		ready = rc_listen_shmready(l, cn, false, &error);
	if (!ready && error == 0) {
		l->l_state = RC_L_POLLING;
		pthread_mutex_unlock(&c->c_mtx);
		ready = rc_listen_poll(cn, l->l_efd, &lost);
		pthread_mutex_lock(&c->c_mtx);
		if (cn->cn_shm != NULL)
			ready = rc_listen_shmready(l, cn, ready, &error);
		if (error != 0) {
			pthread_mutex_unlock(&c->c_mtx);
			rc_debug("connection lost: %s", strerror(error));
			rc_conn_kill(cn);
			pthread_mutex_lock(&c->c_mtx);
		}
	}
	if (ready && cn->cn_reader == &l->l_w && !cn->cn_dead &&
	    !c->c_exiting) {
		l->l_state = RC_L_READING;
		pthread_mutex_unlock(&c->c_mtx);
		if (rc_frame(cn, &sig) == 0 && sig != 0)
			(void)kill(getpid(), sig);
		pthread_mutex_lock(&c->c_mtx);
	}
	l->l_state = RC_L_PARKED;
	if (cn->cn_reader == &l->l_w) {
		cn->cn_reader = NULL;
		/* calls that came while we read wait for the role */
		if (!cn->cn_dead)
			rc_pass_role(cn);
	}
	rc_listen_wake_pausers(l);
	rc_conn_rele_locked(cn);
	if (lost)
		rc_listen_renew(c, l);
}

/* The listener's life; c_mtx held. */
static void
rc_listen_loop(struct rc_client *c, struct rc_listener *l)
{
	struct rc_conn *cn;
	uint64_t seen = c->c_reqno;
	int ms = RC_LISTEN_IDLE_MS;

	while (!c->c_exiting) {
		cn = c->c_conn;
		if (cn == NULL || cn->cn_dead || l->l_pause > 0) {
			rc_listen_park(c, l, -1);
			continue;
		}
		/*
		 * c_reqno counts the calls started.  While the same calls
		 * stay in flight (asleep in the server's kernel, say) we look
		 * less and less often, up to RC_CHECK_MS, and the last of
		 * them to end wakes us (l_deep): a thousand clients blocked
		 * in reads cost nothing, and a program making calls back to
		 * back never makes a wakeup for us.
		 */
		if (!TAILQ_EMPTY(&cn->cn_waiters) || cn->cn_reader != NULL ||
		    c->c_reqno != seen) {
			if (c->c_reqno != seen)
				ms = RC_LISTEN_IDLE_MS;
			else if ((ms *= 2) > RC_CHECK_MS)
				ms = RC_CHECK_MS;
			seen = c->c_reqno;
			l->l_deep = ms > RC_LISTEN_IDLE_MS;
			rc_listen_park(c, l, ms);
			l->l_deep = false;
			continue;
		}
		ms = RC_LISTEN_IDLE_MS;
		rc_listen_once(c, l, cn);
	}
}

static void *
rc_listen_main(void *arg)
{
	struct rc_client *c = &rc_client;
	struct rc_listener *l = &c->c_listener;
	sigset_t omask;
	int efd;

	/* running: rc_listener_start() may return (arg is its semaphore) */
	sem_post(arg);
	rc_blocksigs(&omask);
	rc_listening = true;
	efd = rc_thread_efd();
	pthread_mutex_lock(&c->c_mtx);
	if (efd == -1) {
		/* it could never be woken: better none */
		rc_debug("listener: no eventfd: %s", strerror(errno));
	} else {
		l->l_efd = efd;
		l->l_w.w_thread = pthread_self();
		rc_listen_loop(c, l);
	}
	l->l_state = RC_L_NONE;
	l->l_efd = -1;
	rc_listen_wake_pausers(l);
	pthread_mutex_unlock(&c->c_mtx);
	return NULL;
}

/*
 * A connection was made (init, fork_init, exec's adoption, reconnect):
 * start the listener, or wake it to take up the new connection.  A
 * listener that cannot be made costs only the delivery of signals to
 * idle programs.
 */
void
rc_listener_start(void)
{
	struct rc_client *c = &rc_client;
	struct rc_listener *l = &c->c_listener;
	pthread_attr_t attr;
	sigset_t all, omask;
	pthread_t t;
	sem_t started;
	int error;

	pthread_mutex_lock(&c->c_mtx);
	if (l->l_state != RC_L_NONE || c->c_exiting) {
		rc_wake(l->l_efd);
		pthread_mutex_unlock(&c->c_mtx);
		return;
	}
	l->l_state = RC_L_STARTING;
	pthread_mutex_unlock(&c->c_mtx);

	/* it inherits a mask that blocks everything from its first moment */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &omask);
	if (sem_init(&started, 0, 0) != 0)
		error = errno;
	else if ((error = pthread_attr_init(&attr)) != 0)
		sem_destroy(&started);
	if (error == 0) {
		(void)pthread_attr_setdetachstate(&attr,
		    PTHREAD_CREATE_DETACHED);
		error = pthread_create(&t, &attr, rc_listen_main, &started);
		pthread_attr_destroy(&attr);
		/*
		 * Wait until it runs: a program that exits at once must not
		 * find a thread still being set up (under LeakSanitizer such
		 * a thread, allocating while the exit-time leak check locks
		 * the allocator, deadlocked a forked child on its way out).
		 */
		while (error == 0 && sem_wait(&started) == -1 && errno == EINTR)
			continue;
		sem_destroy(&started);
	}
	pthread_sigmask(SIG_SETMASK, &omask, NULL);
	if (error != 0) {
		rc_debug("listener: %s", strerror(error));
		pthread_mutex_lock(&c->c_mtx);
		l->l_state = RC_L_NONE;
		pthread_mutex_unlock(&c->c_mtx);
	}
}

/*
 * A call starts on cn while the listener holds the role (c_mtx held).
 * Between frames the role is taken from it at once; inside a frame the
 * listener gives it up at the frame's end.  Either way it is woken, and
 * parks until the connection is idle again.
 */
void
rc_listener_yield(struct rc_conn *cn)
{
	struct rc_listener *l = &rc_client.c_listener;

	if (cn->cn_reader != &l->l_w)
		return;
	if (l->l_state == RC_L_POLLING)
		cn->cn_reader = NULL;
	rc_wake(l->l_efd);
}

/*
 * rumpclient_exec(): keep the listener off the connection until
 * rc_listener_resume().  Returns when it is not inside a frame; it
 * reads nothing after that.  Waits with the caller's mask.
 */
void
rc_listener_pause(const sigset_t *omask)
{
	struct rc_client *c = &rc_client;
	struct rc_listener *l = &c->c_listener;
	struct rc_sleeper s;

	s.s_efd = rc_thread_efd();
	pthread_mutex_lock(&c->c_mtx);
	l->l_pause++;
	if (c->c_conn != NULL)
		rc_listener_yield(c->c_conn);
	while (l->l_state == RC_L_READING) {
		TAILQ_INSERT_TAIL(&l->l_pausewait, &s, s_entries);
		pthread_mutex_unlock(&c->c_mtx);
		(void)rc_sleep(s.s_efd, omask);
		pthread_mutex_lock(&c->c_mtx);
		TAILQ_REMOVE(&l->l_pausewait, &s, s_entries);
	}
	pthread_mutex_unlock(&c->c_mtx);
}

void
rc_listener_resume(void)
{
	struct rc_client *c = &rc_client;
	struct rc_listener *l = &c->c_listener;

	pthread_mutex_lock(&c->c_mtx);
	if (l->l_pause > 0)
		l->l_pause--;
	rc_wake(l->l_efd);
	pthread_mutex_unlock(&c->c_mtx);
}

/* In the child of fork(2), from the atfork handler: no listener. */
void
rc_listener_postfork_child(void)
{
	struct rc_listener *l = &rc_client.c_listener;

	l->l_state = RC_L_NONE;
	l->l_efd = -1;
	l->l_pause = 0;
	l->l_deep = false;
	TAILQ_INIT(&l->l_pausewait);
	rc_listening = false;
}
