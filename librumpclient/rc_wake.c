/*
 * rc_wake.c -- how a waiting thread sleeps and is woken: one eventfd
 * per thread, created the first time the thread has to wait for
 * another thread's reading, closed by a pthread key destructor when
 * the thread exits.
 *
 * An eventfd is a counter, so a wakeup written between the waker's
 * decision and the sleeper's ppoll() is never lost; a wakeup that a
 * nested call (a signal handler's rump_sys_* on the same thread)
 * consumed is harmless because every sleeper re-checks its state after
 * each return from ppoll(), EINTR included.
 *
 * Every eventfd is also on a registry list, so that the child of a
 * fork(2) can close the copies of its parent's eventfds: writing to one
 * would wake a thread of the parent.  The per-thread record is
 * thread-local storage, not malloc'd: a signal handler's nested call
 * may be the one that creates it.
 *
 * A program may close our eventfds under us (closefrom(3)) and get the
 * numbers back for its own files.  So an eventfd is written or read
 * only after fstat(2) says it still is an anonymous-inode descriptor
 * like the ones we made: never a file, pipe or socket of the program's.
 * A sleeper that finds its number closed or taken forgets it
 * (rc_efd_forget) and gets a new eventfd the next time it sleeps; the
 * old number is not ours to close.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/eventfd.h>
#include <sys/queue.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>

#include "rumpclient_int.h"

struct rc_tls {
	LIST_ENTRY(rc_tls)	t_entries;
	int			t_efd;
};

static pthread_mutex_t rc_tls_mtx = PTHREAD_MUTEX_INITIALIZER;
static LIST_HEAD(, rc_tls) rc_tls_list = LIST_HEAD_INITIALIZER(rc_tls_list);
static pthread_key_t rc_tls_key;
static __thread struct rc_tls rc_tls_self = { .t_efd = -1 };
/* what fstat says of an eventfd here, from the first one we made */
static _Atomic dev_t rc_anon_dev;
static _Atomic ino_t rc_anon_ino;

/* Is efd (still) an eventfd-like descriptor? */
static bool
rc_efd_ok(int efd)
{
	struct stat st;

	if (fstat(efd, &st) == -1 || (st.st_mode & S_IFMT) != 0)
		return false;
	return st.st_dev == atomic_load(&rc_anon_dev) &&
	    st.st_ino == atomic_load(&rc_anon_ino);
}

/* At thread exit; thread-local storage is still there. */
static void
rc_tls_destroy(void *arg)
{
	struct rc_tls *t = arg;

	pthread_mutex_lock(&rc_tls_mtx);
	LIST_REMOVE(t, t_entries);
	pthread_mutex_unlock(&rc_tls_mtx);
	if (rc_efd_ok(t->t_efd))
		close(t->t_efd);
	t->t_efd = -1;
}

/*
 * efd, this thread's eventfd, was closed under us: forget the number
 * (someone else's now, or soon), so that rc_thread_efd() makes a new
 * one.  Its record leaves the registry and the key destructor.
 */
static void
rc_efd_forget(int efd)
{
	struct rc_tls *t = &rc_tls_self;

	if (efd < 0 || t->t_efd != efd)
		return;
	pthread_mutex_lock(&rc_tls_mtx);
	LIST_REMOVE(t, t_entries);
	pthread_mutex_unlock(&rc_tls_mtx);
	(void)pthread_setspecific(rc_tls_key, NULL);
	t->t_efd = -1;
}

/* Called once, from rc_global_init(). */
void
rc_wake_init(void)
{

	if (pthread_key_create(&rc_tls_key, rc_tls_destroy) != 0) {
		/* without a destructor the eventfds leak at thread exit */
		rc_debug("pthread_key_create failed");
	}
}

/* The calling thread's eventfd, or -1 with errno. */
int
rc_thread_efd(void)
{
	struct rc_tls *t = &rc_tls_self;
	int fd;

	if (t->t_efd >= 0)
		return t->t_efd;
	fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (fd == -1)
		return -1;
	if ((fd = rc_fd_above2(fd)) == -1)
		return -1;
	if (atomic_load(&rc_anon_ino) == 0) {
		struct stat st;

		if (fstat(fd, &st) == 0) {
			atomic_store(&rc_anon_dev, st.st_dev);
			atomic_store(&rc_anon_ino, st.st_ino);
		}
	}
	t->t_efd = fd;
	pthread_mutex_lock(&rc_tls_mtx);
	LIST_INSERT_HEAD(&rc_tls_list, t, t_entries);
	pthread_mutex_unlock(&rc_tls_mtx);
	(void)pthread_setspecific(rc_tls_key, t);
	return fd;
}

/*
 * efd, the calling thread's eventfd, was found closed under us (POLLNVAL
 * or no longer an eventfd): forget it and make a new one.  Returns the
 * new eventfd, or -1.
 */
int
rc_efd_renew(int efd)
{

	if (efd >= 0 && !rc_efd_ok(efd))
		rc_efd_forget(efd);
	return rc_thread_efd();
}

void
rc_wake(int efd)
{
	uint64_t one = 1;

	if (efd >= 0 && rc_efd_ok(efd))
		(void)write(efd, &one, sizeof(one));
}

/*
 * Take the count of a readable eventfd of ours (see above).  false if
 * efd is no longer an eventfd: the caller renews it (rc_efd_renew).
 */
bool
rc_unwake(int efd)
{
	uint64_t v;

	if (!rc_efd_ok(efd))
		return false;
	(void)read(efd, &v, sizeof(v));
	return true;
}

/*
 * Sleep until woken, until a signal handler has run, or for at most
 * RC_CHECK_MS.  Without an eventfd (none could be made) sleep a
 * millisecond: the caller's loop re-checks, so this only costs time.
 * Returns 0, ETIMEDOUT after a quiet RC_CHECK_MS, or EBADF when efd is
 * no longer our eventfd (then it is forgotten: the caller's next
 * rc_thread_efd() makes a new one).
 */
int
rc_sleep(int efd, const sigset_t *omask)
{

	/* bounded: the reader may be gone with a descriptor closed under it */
	return rc_sleep_ms(efd, omask, RC_CHECK_MS);
}

/* rc_sleep() for at most ms milliseconds. */
int
rc_sleep_ms(int efd, const sigset_t *omask, int ms)
{
	struct timespec ts = { 0, 1000 * 1000 };
	struct pollfd pfd;
	int n;

	if (efd < 0) {
		(void)ppoll(NULL, 0, &ts, omask);
		return 0;
	}
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	pfd.fd = efd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	n = ppoll(&pfd, 1, &ts, omask);
	if (n == -1)
		return 0;	/* EINTR: a handler ran */
	/* closed under us (closefrom(3)), maybe taken by another file */
	if ((pfd.revents & POLLNVAL) || !rc_efd_ok(efd)) {
		rc_efd_forget(efd);
		return EBADF;
	}
	if (n == 0)
		return ETIMEDOUT;
	if (pfd.revents & POLLIN) {
		uint64_t v;

		(void)read(efd, &v, sizeof(v));
	}
	return 0;
}

void
rc_wake_prefork(void)
{

	pthread_mutex_lock(&rc_tls_mtx);
}

void
rc_wake_postfork_parent(void)
{

	pthread_mutex_unlock(&rc_tls_mtx);
}

/*
 * Only the forking thread exists in the child: close every eventfd;
 * the records of the other threads are copies nobody will use.
 */
void
rc_wake_postfork_child(void)
{
	struct rc_tls *t;

	pthread_mutex_init(&rc_tls_mtx, NULL);
	LIST_FOREACH(t, &rc_tls_list, t_entries)
		if (rc_efd_ok(t->t_efd))
			close(t->t_efd);
	LIST_INIT(&rc_tls_list);
	rc_tls_self.t_efd = -1;
	(void)pthread_setspecific(rc_tls_key, NULL);
}
