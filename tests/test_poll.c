/*
 * test_poll.c -- poll, ppoll, select and pselect6 in-process (librump).
 *
 * The scenarios run twice, on the host's system calls and on
 * rump_sys_*, and the logs of return values, errnos and revents must
 * be equal: the host is the oracle for Linux's semantics.  ppoll and
 * pselect6 are called on the host through syscall(2), as rump's take
 * the raw system call's arguments (an 8-byte signal mask; pselect6's
 * { mask, size } pair).  Wake-ups come from a second thread; the
 * other tests check timeouts and the errors the host cannot show.
 */
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

struct pollops {
	int	(*pipe2)(int *, int);
	int	(*close)(int);
	ssize_t	(*read)(int, void *, size_t);
	ssize_t	(*write)(int, const void *, size_t);
	int	(*poll)(struct pollfd *, nfds_t, int);
	int	(*ppoll)(struct pollfd *, nfds_t, const struct timespec *,
		    const void *, size_t);
	int	(*select)(int, fd_set *, fd_set *, fd_set *,
		    struct timeval *);
	int	(*pselect6)(int, fd_set *, fd_set *, fd_set *,
		    const struct timespec *, const void *);
	int	(*dup2)(int, int);
	int	(*epoll_create1)(int);
	int	(*epoll_ctl)(int, int, int, struct epoll_event *);
	int	(*epoll_wait)(int, struct epoll_event *, int, int);
	int	(*epoll_pwait)(int, struct epoll_event *, int, int,
		    const void *, size_t);
	int	(*open)(const char *, int, ...);
};

static int
host_ppoll(struct pollfd *fds, nfds_t n, const struct timespec *ts,
    const void *mask, size_t size)
{
	struct timespec copy, *tp = NULL;

	if (ts != NULL) {
		copy = *ts;
		tp = &copy;
	}
	return (int)syscall(SYS_ppoll, fds, n, tp, mask, size);
}

static int
host_pselect6(int n, fd_set *r, fd_set *w, fd_set *e,
    const struct timespec *ts, const void *sig)
{
	struct timespec copy, *tp = NULL;

	if (ts != NULL) {
		copy = *ts;
		tp = &copy;
	}
	return (int)syscall(SYS_pselect6, n, r, w, e, tp, sig);
}

static int
host_epoll_pwait(int ep, struct epoll_event *ev, int max, int timeout,
    const void *mask, size_t size)
{

	return (int)syscall(SYS_epoll_pwait, ep, ev, max, timeout, mask, size);
}

static const struct pollops hostops = {
	pipe2, close, read, write, poll, host_ppoll, select, host_pselect6,
	dup2, epoll_create1, epoll_ctl, epoll_wait, host_epoll_pwait, open,
};

static const struct pollops rumpops = {
	rump_sys_pipe2, rump_sys_close, rump_sys_read, rump_sys_write,
	rump_sys_poll, rump_sys_ppoll, rump_sys_select, rump_sys_pselect6,
	rump_sys_dup2, rump_sys_epoll_create1, rump_sys_epoll_ctl,
	rump_sys_epoll_wait, rump_sys_epoll_pwait, rump_sys_open,
};

#define MAXLOG	256
struct log {
	int	n;
	long	v[MAXLOG][4];	/* line, return, errno, extra */
};

static void
log_add(struct log *lg, int line, long ret, int err, long extra)
{

	ck_assert_int_lt(lg->n, MAXLOG);
	lg->v[lg->n][0] = line;
	lg->v[lg->n][1] = ret;
	lg->v[lg->n][2] = ret < 0 ? err : 0;
	lg->v[lg->n][3] = extra;
	lg->n++;
}

#define CALL(lg, expr, extra) do {					\
	long r_;							\
	errno = 0;							\
	r_ = (long)(expr);						\
	log_add(lg, __LINE__, r_, errno, (long)(extra));		\
} while (0)

static void
log_compare(const struct log *h, const struct log *r)
{
	int i;

	for (i = 0; i < h->n && i < r->n; i++) {
		ck_assert_msg(memcmp(h->v[i], r->v[i], sizeof(h->v[i])) == 0,
		    "line %ld: host %ld/%ld/%#lx, rump %ld/%ld/%#lx",
		    h->v[i][0], h->v[i][1], h->v[i][2], h->v[i][3],
		    r->v[i][1], r->v[i][2], r->v[i][3]);
	}
	ck_assert_int_eq(h->n, r->n);
}

/* a set's bits below n, as a number (n <= 64) */
static long
setbits(const fd_set *s, int n)
{
	long v = 0;
	int i;

	for (i = 0; i < n; i++)
		if (FD_ISSET(i, s))
			v |= 1L << i;
	return v;
}

/* descriptors are renumbered to 20.. so that both sides agree */
static void
pipe_at(const struct pollops *o, int *fds, int at)
{

	ck_assert_int_eq(o->pipe2(fds, O_NONBLOCK), 0);
	ck_assert_int_eq(o->dup2(fds[0], at), at);
	ck_assert_int_eq(o->dup2(fds[1], at + 1), at + 1);
	o->close(fds[0]);
	o->close(fds[1]);
	fds[0] = at;
	fds[1] = at + 1;
}

static void
scenario_poll(const struct pollops *o, struct log *lg)
{
	struct pollfd pf[4];
	struct timespec zero = { 0, 0 }, neg = { -1, 0 }, bad = { 0, -5 };
	uint64_t mask = 0;
	int p[2], q[2];
	char buf[70000];

	pipe_at(o, p, 20);
	pipe_at(o, q, 22);
	pf[0] = (struct pollfd){ p[0], POLLIN, 0 };
	pf[1] = (struct pollfd){ p[1], POLLOUT, 0 };
	pf[2] = (struct pollfd){ -1, POLLIN, 0 };
	pf[3] = (struct pollfd){ 30, POLLIN, 0 };	/* not open */
	CALL(lg, o->poll(pf, 4, 0), pf[0].revents | pf[1].revents << 8 |
	    pf[2].revents << 16 | pf[3].revents << 24);
	CALL(lg, o->poll(pf, 2, 0), pf[0].revents | pf[1].revents << 8);
	CALL(lg, o->poll(pf, 1, 0), pf[0].revents);
	CALL(lg, o->write(p[1], "x", 1), 0);
	CALL(lg, o->poll(pf, 2, 0), pf[0].revents | pf[1].revents << 8);
	/* fill the pipe: not writable */
	memset(buf, 'y', sizeof(buf));
	CALL(lg, o->write(p[1], buf, sizeof(buf)) > 0, 0);
	CALL(lg, o->poll(&pf[1], 1, 0), pf[1].revents);
	CALL(lg, o->read(p[0], buf, sizeof(buf)) > 0, 0);
	CALL(lg, o->poll(pf, 2, 0), pf[0].revents | pf[1].revents << 8);
	/* POLLHUP without a writer, POLLERR without a reader */
	CALL(lg, o->close(p[1]), 0);
	pf[0].events = POLLIN | POLLOUT;
	CALL(lg, o->poll(pf, 1, 0), pf[0].revents);
	pf[0].events = 0;
	CALL(lg, o->poll(pf, 1, 0), pf[0].revents);
	pf[0] = (struct pollfd){ q[1], POLLOUT, 0 };
	CALL(lg, o->close(q[0]), 0);
	CALL(lg, o->poll(pf, 1, 0), pf[0].revents);
	pf[0].events = POLLIN;
	CALL(lg, o->poll(pf, 1, 0), pf[0].revents);
	/* ppoll: timeouts and signal masks */
	pf[0] = (struct pollfd){ p[0], POLLIN, 0 };
	CALL(lg, o->ppoll(pf, 1, &zero, NULL, 0), pf[0].revents);
	CALL(lg, o->ppoll(pf, 1, &zero, &mask, 8), pf[0].revents);
	CALL(lg, o->ppoll(pf, 1, &zero, &mask, 16), 0);
	CALL(lg, o->ppoll(pf, 1, &neg, NULL, 8), 0);
	CALL(lg, o->ppoll(pf, 1, &bad, NULL, 8), 0);
	CALL(lg, o->ppoll(pf, 1, NULL, NULL, 8), pf[0].revents);
	/* errors */
	CALL(lg, o->poll(NULL, 1, 0), 0);
	CALL(lg, o->poll(NULL, 0, 0), 0);
	CALL(lg, o->close(p[0]), 0);
	CALL(lg, o->close(q[1]), 0);
}

static void
scenario_select(const struct pollops *o, struct log *lg)
{
	struct timeval tv;
	struct timespec zero = { 0, 0 }, neg = { 0, -1 };
	struct { const void *ss; size_t len; } sig;
	uint64_t mask = 0;
	fd_set r, w, e;
	int p[2];

	pipe_at(o, p, 20);
	FD_ZERO(&r); FD_ZERO(&w); FD_ZERO(&e);
	FD_SET(p[0], &r); FD_SET(p[1], &w); FD_SET(p[0], &e);
	tv = (struct timeval){ 0, 0 };
	CALL(lg, o->select(p[1] + 1, &r, &w, &e, &tv),
	    setbits(&r, 32) | setbits(&w, 32) << 32);
	CALL(lg, o->write(p[1], "z", 1), 0);
	FD_ZERO(&r); FD_ZERO(&w);
	FD_SET(p[0], &r); FD_SET(p[1], &w);
	CALL(lg, o->select(p[1] + 1, &r, &w, NULL, &tv),
	    setbits(&r, 32) | setbits(&w, 32) << 32);
	/* the remaining time is written back */
	tv = (struct timeval){ 5, 0 };
	FD_ZERO(&r); FD_SET(p[0], &r);
	CALL(lg, o->select(p[0] + 1, &r, NULL, NULL, &tv),
	    tv.tv_sec >= 4 && tv.tv_sec <= 5);
	/* a bit beyond nfds is not looked at; a closed descriptor is */
	FD_ZERO(&r); FD_SET(p[0], &r); FD_SET(40, &r);
	tv = (struct timeval){ 0, 0 };
	CALL(lg, o->select(p[0] + 1, &r, NULL, NULL, &tv), setbits(&r, 64));
	FD_ZERO(&r); FD_SET(p[0], &r); FD_SET(40, &r);
	CALL(lg, o->select(41, &r, NULL, NULL, &tv), 0);
	CALL(lg, o->select(-1, NULL, NULL, NULL, &tv), 0);
	tv = (struct timeval){ -1, 0 };
	CALL(lg, o->select(1, NULL, NULL, NULL, &tv), 0);
	tv = (struct timeval){ 0, -1 };
	CALL(lg, o->select(1, NULL, NULL, NULL, &tv), 0);
	/* pselect6 */
	FD_ZERO(&r); FD_SET(p[0], &r);
	CALL(lg, o->pselect6(p[0] + 1, &r, NULL, NULL, &zero, NULL),
	    setbits(&r, 32));
	sig.ss = &mask;
	sig.len = 8;
	CALL(lg, o->pselect6(p[0] + 1, &r, NULL, NULL, &zero, &sig),
	    setbits(&r, 32));
	sig.len = 4;
	CALL(lg, o->pselect6(p[0] + 1, &r, NULL, NULL, &zero, &sig), 0);
	CALL(lg, o->pselect6(p[0] + 1, &r, NULL, NULL, &neg, NULL), 0);
	/* hangup is readable */
	CALL(lg, o->close(p[1]), 0);
	CALL(lg, o->read(p[0], &mask, 1), 0);
	FD_ZERO(&r); FD_SET(p[0], &r);
	CALL(lg, o->pselect6(p[0] + 1, &r, NULL, NULL, &zero, NULL),
	    setbits(&r, 32));
	CALL(lg, o->close(p[0]), 0);
}

/* an event as one number: events and data */
static long
evnum(const struct epoll_event *ev)
{

	return (long)ev->events | (long)(ev->data.u64 & 0xffff) << 16;
}

static void
scenario_epoll(const struct pollops *o, struct log *lg)
{
	struct epoll_event ev, out[4];
	struct pollfd pf;
	uint64_t mask = 0;
	char buf[64];
	int ep, ep2, p[2], q[2], f;

	CALL(lg, (ep = o->epoll_create1(EPOLL_CLOEXEC)) >= 0, 0);
	pipe_at(o, p, 20);
	pipe_at(o, q, 22);
	ev.events = EPOLLIN;
	ev.data.u64 = 7;
	CALL(lg, o->epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), 0);
	CALL(lg, o->epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), 0);
	ev.events = EPOLLOUT;
	ev.data.u64 = 8;
	CALL(lg, o->epoll_ctl(ep, EPOLL_CTL_ADD, q[1], &ev), 0);
	CALL(lg, o->epoll_wait(ep, out, 4, 0), evnum(&out[0]));
	CALL(lg, o->epoll_ctl(ep, EPOLL_CTL_DEL, q[1], NULL), 0);
	CALL(lg, o->epoll_wait(ep, out, 4, 0), 0);
	CALL(lg, o->write(p[1], "abc", 3), 0);
	CALL(lg, o->epoll_wait(ep, out, 4, 0), evnum(&out[0]));
	CALL(lg, o->epoll_pwait(ep, out, 4, 0, &mask, 8), evnum(&out[0]));
	CALL(lg, o->epoll_pwait(ep, out, 4, 0, &mask, 9), 0);
	/* the epoll descriptor itself polls readable */
	pf = (struct pollfd){ ep, POLLIN, 0 };
	CALL(lg, o->poll(&pf, 1, 0), pf.revents);
	/* edge-triggered: once per new readiness */
	ev.events = EPOLLIN | EPOLLET;
	ev.data.u64 = 9;
	CALL(lg, o->epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), 0);
	CALL(lg, o->epoll_wait(ep, out, 4, 0), evnum(&out[0]));
	CALL(lg, o->epoll_wait(ep, out, 4, 0), 0);
	CALL(lg, o->read(p[0], buf, sizeof(buf)), 0);
	CALL(lg, o->epoll_wait(ep, out, 4, 0), 0);
	CALL(lg, o->write(p[1], "d", 1), 0);
	CALL(lg, o->epoll_wait(ep, out, 4, 0), evnum(&out[0]));
	/* one-shot: once until modified */
	ev.events = EPOLLIN | EPOLLONESHOT;
	ev.data.u64 = 10;
	CALL(lg, o->epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), 0);
	CALL(lg, o->epoll_wait(ep, out, 4, 0), evnum(&out[0]));
	CALL(lg, o->epoll_wait(ep, out, 4, 0), 0);
	CALL(lg, o->epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), 0);
	CALL(lg, o->epoll_wait(ep, out, 4, 0), evnum(&out[0]));
	/* hangup */
	ev.events = EPOLLIN;
	ev.data.u64 = 11;
	CALL(lg, o->epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), 0);
	CALL(lg, o->close(p[1]), 0);
	CALL(lg, o->read(p[0], buf, sizeof(buf)), 0);
	CALL(lg, o->epoll_wait(ep, out, 4, 0), evnum(&out[0]));
	/* closed: the item goes; the number can be added anew */
	CALL(lg, o->close(p[0]), 0);
	CALL(lg, o->epoll_wait(ep, out, 4, 0), 0);
	pipe_at(o, p, 20);
	ev.events = EPOLLOUT;
	ev.data.u64 = 12;
	CALL(lg, o->epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev), 0);
	CALL(lg, o->epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), 0);
	CALL(lg, o->epoll_wait(ep, out, 1, 0), evnum(&out[0]));
	/* nested */
	CALL(lg, (ep2 = o->epoll_create1(0)) >= 0, 0);
	ev.events = EPOLLIN;
	ev.data.u64 = 13;
	CALL(lg, o->epoll_ctl(ep2, EPOLL_CTL_ADD, ep, &ev), 0);
	CALL(lg, o->epoll_wait(ep2, out, 4, 0), evnum(&out[0]));
	/* errors */
	CALL(lg, o->epoll_ctl(ep, EPOLL_CTL_MOD, q[0], &ev), 0);
	CALL(lg, o->epoll_ctl(ep, EPOLL_CTL_DEL, q[0], &ev), 0);
	CALL(lg, o->epoll_ctl(ep, 99, q[0], &ev), 0);
	CALL(lg, o->epoll_ctl(ep, EPOLL_CTL_ADD, 40, &ev), 0);
	CALL(lg, o->epoll_ctl(q[0], EPOLL_CTL_ADD, p[0], &ev), 0);
	CALL(lg, o->epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev), 0);
	CALL(lg, o->epoll_wait(ep, out, 0, 0), 0);
	CALL(lg, o->epoll_wait(q[0], out, 1, 0), 0);
	CALL(lg, o->epoll_wait(41, out, 1, 0), 0);
	CALL(lg, o->epoll_create1(1), 0);
	CALL(lg, (f = o->open("/tmp", O_RDONLY | O_DIRECTORY)) >= 0, 0);
	CALL(lg, o->epoll_ctl(ep, EPOLL_CTL_ADD, f, &ev), 0);
	o->close(f);
	o->close(ep2);
	o->close(ep);
	o->close(p[0]);
	o->close(p[1]);
	o->close(q[0]);
	o->close(q[1]);
}

static void
compare(void (*scenario)(const struct pollops *, struct log *))
{
	static struct log h, r;

	memset(&h, 0, sizeof(h));
	memset(&r, 0, sizeof(r));
	scenario(&hostops, &h);
	ck_assert_int_eq(rump_init(), 0);
	scenario(&rumpops, &r);
	log_compare(&h, &r);
}

START_TEST(poll_like_host)
{

	compare(scenario_poll);
}
END_TEST

START_TEST(select_like_host)
{

	compare(scenario_select);
}
END_TEST

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

START_TEST(epoll_like_host)
{

	compare(scenario_epoll);
}
END_TEST

START_TEST(timeouts)
{
	struct pollfd pf;
	struct timeval tv;
	struct timespec ts = { 0, 60 * 1000000 };
	int p[2];
	int64_t t0;
	fd_set r;

	ck_assert_int_eq(rump_init(), 0);
	ck_assert_int_eq(rump_sys_pipe2(p, 0), 0);
	pf = (struct pollfd){ p[0], POLLIN, 0 };
	t0 = now_ms();
	ck_assert_int_eq(rump_sys_poll(&pf, 1, 60), 0);
	ck_assert_int_ge(now_ms() - t0, 60);
	ck_assert_int_lt(now_ms() - t0, 5000);
	t0 = now_ms();
	ck_assert_int_eq(rump_sys_ppoll(&pf, 1, &ts, NULL, 8), 0);
	ck_assert_int_ge(now_ms() - t0, 60);
	ck_assert_int_eq(ts.tv_nsec, 60 * 1000000);	/* left alone */
	/* poll with no descriptors is a sleep */
	t0 = now_ms();
	ck_assert_int_eq(rump_sys_poll(NULL, 0, 30), 0);
	ck_assert_int_ge(now_ms() - t0, 30);
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	tv = (struct timeval){ 0, 60000 };
	t0 = now_ms();
	ck_assert_int_eq(rump_sys_select(p[0] + 1, &r, NULL, NULL, &tv), 0);
	ck_assert_int_ge(now_ms() - t0, 60);
	ck_assert_int_eq(tv.tv_sec, 0);
	ck_assert_int_eq(tv.tv_usec, 0);
	ck_assert(!FD_ISSET(p[0], &r));
	/* too many descriptors */
	errno = 0;
	ck_assert_int_eq(rump_sys_poll(&pf, 100000, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

struct waker {
	int	fd;
	int	delay_ms;	/* between looks at the poller */
	int	close;
};

/*
 * Wait (bounded) until the test's thread is inside the kernel: its
 * implicit lwp and the one of this very listing are both pid 1's.
 * Then the wakeup is what the test sees, not a ready descriptor.
 */
static void
wait_poller_in(int delay_ms)
{
	struct timespec ts = { 0, (long)delay_ms * 1000000 };
	struct rump_procinfo pi[16];
	ssize_t n;
	int i, k;

	for (i = 0; i < 10000 / delay_ms; i++) {
		n = rump_sys_proclist(pi, sizeof(pi));
		for (k = 0; k < n / (ssize_t)sizeof(pi[0]); k++)
			if (pi[k].rpi_pid == 1 && pi[k].rpi_nlwps >= 2)
				return;
		nanosleep(&ts, NULL);
	}
}

static void *
waker(void *arg)
{
	struct waker *w = arg;

	/* a thread of pid 1: the descriptor is the test's */
	wait_poller_in(w->delay_ms);
	if (w->close)
		rump_sys_close(w->fd);
	else
		rump_sys_write(w->fd, "w", 1);
	return NULL;
}

/* a blocked poll or select is woken by a write from another thread */
START_TEST(wakeups)
{
	struct pollfd pf[2];
	struct waker w;
	pthread_t t;
	int p[2], q[2];
	int64_t t0;
	fd_set r;

	ck_assert_int_eq(rump_init(), 0);
	ck_assert_int_eq(rump_sys_pipe2(p, 0), 0);
	ck_assert_int_eq(rump_sys_pipe2(q, 0), 0);
	pf[0] = (struct pollfd){ p[0], POLLIN, 0 };
	pf[1] = (struct pollfd){ q[0], POLLIN, 0 };
	w = (struct waker){ q[1], 5, 0 };
	pthread_create(&t, NULL, waker, &w);
	t0 = now_ms();
	ck_assert_int_eq(rump_sys_poll(pf, 2, 10000), 1);
	ck_assert_int_lt(now_ms() - t0, 5000);
	ck_assert_int_eq(pf[0].revents, 0);
	ck_assert_int_eq(pf[1].revents, POLLIN);
	pthread_join(t, NULL);
	/* two pollers on one pipe: both woken */
	w = (struct waker){ p[1], 5, 0 };
	pthread_create(&t, NULL, waker, &w);
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	ck_assert_int_eq(rump_sys_select(p[0] + 1, &r, NULL, NULL, NULL), 1);
	ck_assert(FD_ISSET(p[0], &r));
	pthread_join(t, NULL);
	/* the writer closing is a hangup */
	ck_assert_int_eq(rump_sys_read(q[0], &r, 1), 1);
	w = (struct waker){ q[1], 5, 1 };
	pthread_create(&t, NULL, waker, &w);
	pf[0] = (struct pollfd){ q[0], POLLIN, 0 };
	ck_assert_int_eq(rump_sys_poll(pf, 1, -1), 1);
	ck_assert_int_eq(pf[0].revents, POLLHUP);
	pthread_join(t, NULL);
}
END_TEST

/* a blocked epoll_wait is woken by a write from another thread */
START_TEST(epoll_wakeup)
{
	struct epoll_event ev, out[2];
	struct waker w;
	pthread_t t;
	int ep, p[2];

	ck_assert_int_eq(rump_init(), 0);
	ck_assert_int_eq(rump_sys_pipe2(p, 0), 0);
	ck_assert_int_ge(ep = rump_sys_epoll_create1(0), 0);
	ev.events = EPOLLIN;
	ev.data.u64 = 42;
	ck_assert_int_eq(rump_sys_epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), 0);
	w = (struct waker){ p[1], 5, 0 };
	pthread_create(&t, NULL, waker, &w);
	ck_assert_int_eq(rump_sys_epoll_wait(ep, out, 2, 10000), 1);
	ck_assert_int_eq(out[0].events, EPOLLIN);
	ck_assert_int_eq(out[0].data.u64, 42);
	pthread_join(t, NULL);
	ck_assert_int_eq(rump_sys_epoll_wait(ep, out, 2, 30), 1);
	ck_assert_int_eq(rump_sys_read(p[0], &ev, 1), 1);
	ck_assert_int_eq(rump_sys_epoll_wait(ep, out, 2, 30), 0);
}
END_TEST

struct twopoll {
	int	fd;
	int	ret;
	short	revents;
};

static void *
poller(void *arg)
{
	struct twopoll *tp = arg;
	struct pollfd pf = { tp->fd, POLLIN, 0 };

	tp->ret = rump_sys_poll(&pf, 1, 10000);
	tp->revents = pf.revents;
	return NULL;
}

/* several pollers on one object all wake (the collision path) */
START_TEST(many_pollers)
{
	struct twopoll tp[4];
	pthread_t t[4];
	struct pollfd pf;
	int p[2], i;

	ck_assert_int_eq(rump_init(), 0);
	ck_assert_int_eq(rump_sys_pipe2(p, 0), 0);
	for (i = 0; i < 4; i++) {
		tp[i] = (struct twopoll){ p[0], -2, 0 };
		pthread_create(&t[i], NULL, poller, &tp[i]);
	}
	/* let them block: a zero-timeout poll keeps saying "empty" */
	pf = (struct pollfd){ p[0], POLLIN, 0 };
	ck_assert_int_eq(rump_sys_poll(&pf, 1, 100), 0);
	ck_assert_int_eq(rump_sys_write(p[1], "!", 1), 1);
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		ck_assert_int_eq(tp[i].ret, 1);
		ck_assert_int_eq(tp[i].revents, POLLIN);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("poll");
	TCase *tc = tcase_create("poll");
	SRunner *sr;
	int nf;

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, poll_like_host);
	tcase_add_test(tc, select_like_host);
	tcase_add_test(tc, epoll_like_host);
	tcase_add_test(tc, timeouts);
	tcase_add_test(tc, wakeups);
	tcase_add_test(tc, many_pollers);
	tcase_add_test(tc, epoll_wakeup);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
