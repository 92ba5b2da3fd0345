/*
 * hj_poll.c -- poll, ppoll, select and pselect over host and kernel
 * descriptors.
 *
 * All host: the host's call.  All kernel: the kernel's poll.  A mix
 * (NetBSD's design, made symmetric): a helper thread polls the kernel
 * half plus the read end of a kernel pipe, the calling thread polls
 * the host half plus an eventfd, each with the whole timeout.  The
 * first to return wakes the other through its wake descriptor (a
 * byte into the kernel pipe, a count into the eventfd), and the
 * answer is both halves' events.  Nothing is left behind: the helper
 * is joined and both wake descriptors are closed before returning.
 * The helper blocks every signal; a signal interrupts the host half,
 * which then stops the kernel half, so EINTR comes back as usual.
 * ppoll's signal mask is the host half's only.
 */
#include <sys/eventfd.h>
#include <sys/select.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rump/rump_syscalls.h>

#include "hijack_int.h"

DECL_HOST(poll);
DECL_HOST(ppoll);
DECL_HOST(select);
DECL_HOST(pselect);

struct hj_khalf {
	struct pollfd	*k_fds;
	nfds_t		k_n;		/* with the wake pipe, last */
	int		k_timeout;
	int		k_rv, k_errno;
	int		k_hwake;	/* eventfd to wake the host half */
};

static void *
hj_khalf_run(void *arg)
{
	struct hj_khalf *kh = arg;
	uint64_t one = 1;

	kh->k_rv = rump_sys_poll(kh->k_fds, kh->k_n, kh->k_timeout);
	kh->k_errno = errno;
	(void)write(kh->k_hwake, &one, sizeof(one));
	return NULL;
}

/* ms for poll from a timespec, rounded up; -1 for none */
static int
hj_ms(const struct timespec *ts)
{
	long long ms;

	if (ts == NULL)
		return -1;
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000L)
		return -2;
	ms = (long long)ts->tv_sec * 1000 + (ts->tv_nsec + 999999) / 1000000;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

static int
hj_pollmix(struct pollfd *fds, nfds_t n, int timeout, const sigset_t *mask)
{
	struct pollfd *hf, *kf;
	struct hj_khalf kh;
	struct timespec ts, *tsp = NULL;
	sigset_t all, old;
	pthread_t t;
	nfds_t i, nh = 0, nk = 0;
	int kp[2] = { -1, -1 }, hrv, herr, rv = -1, e;

	if ((hf = calloc(n + 1, sizeof(*hf))) == NULL ||
	    (kf = calloc(n + 1, sizeof(*kf))) == NULL) {
		free(hf);
		errno = ENOMEM;
		return -1;
	}
	for (i = 0; i < n; i++) {
		fds[i].revents = 0;
		if (hj_kfd(fds[i].fd) != -1) {
			kf[nk] = fds[i];
			kf[nk++].fd = hj_kfd(fds[i].fd);
		} else
			hf[nh++] = fds[i];
	}
	kh.k_hwake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (kh.k_hwake == -1 || rump_sys_pipe2(kp, O_CLOEXEC) == -1)
		goto out;
	hf[nh].fd = kh.k_hwake;
	hf[nh].events = POLLIN;
	kf[nk].fd = kp[0];
	kf[nk].events = POLLIN;
	kh.k_fds = kf;
	kh.k_n = nk + 1;
	kh.k_timeout = timeout;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = pthread_create(&t, NULL, hj_khalf_run, &kh);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0) {
		errno = e;
		goto out;
	}
	if (timeout >= 0) {
		ts.tv_sec = timeout / 1000;
		ts.tv_nsec = (long)(timeout % 1000) * 1000000;
		tsp = &ts;
	}
	hrv = HOST(ppoll)(hf, nh + 1, tsp, mask);
	herr = errno;
	(void)rump_sys_write(kp[1], "", 1);
	pthread_join(t, NULL);
	/* both halves' events, in the caller's order */
	rv = 0;
	for (i = 0, nh = 0, nk = 0; i < n; i++) {
		if (hj_kfd(fds[i].fd) != -1)
			fds[i].revents = kh.k_rv > 0 ? kf[nk++].revents : 0;
		else
			fds[i].revents = hrv > 0 ? hf[nh++].revents : 0;
		if (fds[i].revents != 0)
			rv++;
	}
	if (rv == 0 && (hrv == -1 || kh.k_rv == -1)) {
		errno = hrv == -1 ? herr : kh.k_errno;
		rv = -1;
	}
out:
	e = errno;
	if (kp[0] != -1) {
		(void)rump_sys_close(kp[0]);
		(void)rump_sys_close(kp[1]);
	}
	if (kh.k_hwake != -1)
		(void)close(kh.k_hwake);
	free(hf);
	free(kf);
	errno = e;
	return rv;
}

/* the kernel's poll on kernel descriptors only, under mask */
static int
hj_pollkern(struct pollfd *fds, nfds_t n, int timeout, const sigset_t *mask)
{
	struct pollfd *kf;
	sigset_t old;
	nfds_t i;
	int rv, e;

	if ((kf = calloc(n ? n : 1, sizeof(*kf))) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	for (i = 0; i < n; i++) {
		kf[i] = fds[i];
		kf[i].fd = fds[i].fd < 0 ? -1 : hj_kfd(fds[i].fd);
	}
	if (mask != NULL)
		pthread_sigmask(SIG_SETMASK, mask, &old);
	rv = rump_sys_poll(kf, n, timeout);
	e = errno;
	if (mask != NULL)
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	for (i = 0; i < n; i++)
		fds[i].revents = rv > 0 ? kf[i].revents : 0;
	free(kf);
	errno = e;
	return rv;
}

/* 0 all host, 1 all kernel, 2 a mix (negative descriptors ignored) */
static int
hj_pollkind(const struct pollfd *fds, nfds_t n)
{
	nfds_t i;
	bool h = false, k = false;

	for (i = 0; i < n; i++) {
		if (fds[i].fd < 0)
			continue;
		if (hj_kfd(fds[i].fd) != -1)
			k = true;
		else
			h = true;
	}
	return k ? (h ? 2 : 1) : 0;
}

int
poll(struct pollfd *fds, nfds_t n, int timeout)
{

	switch (hj_pollkind(fds, n)) {
	case 1:
		return hj_pollkern(fds, n, timeout, NULL);
	case 2:
		return hj_pollmix(fds, n, timeout, NULL);
	}
	return HOST(poll)(fds, n, timeout);
}

int
ppoll(struct pollfd *fds, nfds_t n, const struct timespec *ts,
    const sigset_t *mask)
{
	int kind, ms;

	if ((kind = hj_pollkind(fds, n)) == 0)
		return HOST(ppoll)(fds, n, ts, mask);
	if ((ms = hj_ms(ts)) == -2) {
		errno = EINVAL;
		return -1;
	}
	return kind == 1 ? hj_pollkern(fds, n, ms, mask) :
	    hj_pollmix(fds, n, ms, mask);
}

/* select as poll: the fd_sets to pollfds and back */
static int
hj_select(int nfds, fd_set *r, fd_set *w, fd_set *x, int ms,
    const sigset_t *mask)
{
	struct pollfd *pf;
	nfds_t n = 0;
	int fd, rv;

	if (nfds < 0 || nfds > FD_SETSIZE) {
		errno = EINVAL;
		return -1;
	}
	if ((pf = calloc((size_t)nfds + 1, sizeof(*pf))) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	for (fd = 0; fd < nfds; fd++) {
		short ev = 0;

		if (r != NULL && FD_ISSET(fd, r))
			ev |= POLLIN;
		if (w != NULL && FD_ISSET(fd, w))
			ev |= POLLOUT;
		if (x != NULL && FD_ISSET(fd, x))
			ev |= POLLPRI;
		if (ev == 0)
			continue;
		pf[n].fd = fd;
		pf[n++].events = ev;
	}
	if (hj_pollkind(pf, n) == 1)
		rv = hj_pollkern(pf, n, ms, mask);
	else
		rv = hj_pollmix(pf, n, ms, mask);
	if (rv >= 0) {
		nfds_t i;

		rv = 0;
		if (r != NULL)
			FD_ZERO(r);
		if (w != NULL)
			FD_ZERO(w);
		if (x != NULL)
			FD_ZERO(x);
		for (i = 0; i < n; i++) {
			short re = pf[i].revents;

			if (re & POLLNVAL) {
				free(pf);
				errno = EBADF;
				return -1;
			}
			if (r != NULL && (re & (POLLIN | POLLHUP | POLLERR)) &&
			    (pf[i].events & POLLIN)) {
				FD_SET(pf[i].fd, r);
				rv++;
			}
			if (w != NULL && (re & (POLLOUT | POLLERR)) &&
			    (pf[i].events & POLLOUT)) {
				FD_SET(pf[i].fd, w);
				rv++;
			}
			if (x != NULL && (re & POLLPRI)) {
				FD_SET(pf[i].fd, x);
				rv++;
			}
		}
	}
	free(pf);
	return rv;
}

/* any kernel descriptor in the sets? */
static bool
hj_selkern(int nfds, fd_set *r, fd_set *w, fd_set *x)
{
	int fd;

	if (!hj_ready || hj_inlib)
		return false;
	for (fd = 0; fd < nfds && fd < FD_SETSIZE; fd++)
		if (((r != NULL && FD_ISSET(fd, r)) ||
		    (w != NULL && FD_ISSET(fd, w)) ||
		    (x != NULL && FD_ISSET(fd, x))) && hj_kfd(fd) != -1)
			return true;
	return false;
}

int
select(int nfds, fd_set *r, fd_set *w, fd_set *x, struct timeval *tv)
{
	long long ms;

	if (!hj_selkern(nfds, r, w, x))
		return HOST(select)(nfds, r, w, x, tv);
	if (tv == NULL)
		ms = -1;
	else if (tv->tv_sec < 0 || tv->tv_usec < 0) {
		errno = EINVAL;
		return -1;
	} else
		ms = (long long)tv->tv_sec * 1000 + (tv->tv_usec + 999) / 1000;
	return hj_select(nfds, r, w, x, ms > INT_MAX ? INT_MAX : (int)ms,
	    NULL);
}

int
pselect(int nfds, fd_set *r, fd_set *w, fd_set *x, const struct timespec *ts,
    const sigset_t *mask)
{
	int ms;

	if (!hj_selkern(nfds, r, w, x))
		return HOST(pselect)(nfds, r, w, x, ts, mask);
	if ((ms = hj_ms(ts)) == -2) {
		errno = EINVAL;
		return -1;
	}
	return hj_select(nfds, r, w, x, ms, mask);
}
