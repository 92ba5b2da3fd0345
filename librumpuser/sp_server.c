/*
 * sp_server.c -- the sysproxy server's socket, its event loop and the
 * reading of frames.
 *
 * The loop is run by whichever pool thread leads (sp_pool.c): it waits
 * in epoll on the listening socket, an eventfd and every connection
 * (epoll data: the client struct), accepts, sends banners, reads frames
 * without blocking and turns each complete request into a work item
 * for the pool.  It never enters the kernel and never waits for a
 * client.  Only the leader touches the client list and the reading
 * state of connections, so none of that needs a lock.  A header is
 * judged before its body is allocated; a small request body is read
 * straight into its work item.  Answers to the server's own copy
 * requests go to the thread waiting for them (sp_copy.c).  The work per
 * event does not depend on the number of clients.  The epoll timeout
 * drives the expiry of prefork images and the resumption of accept
 * after running out of descriptors.
 *
 * rumpuser_sp_fini() may run on any thread, including one inside the
 * kernel: it answers the caller's request, unlinks the socket, stops
 * the listening socket and wakes the leader, which turns every
 * connection into a disconnect and stops leading.
 */
#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sp_int.h"
#include "sp_url.h"

int rumpsp_maxclient = 16384;
int rumpsp_verbose;
int rumpsp_hstimeout = 10 * 1000;
int rumpsp_sockmode = 0600;
int rumpsp_keepalive = RSP_KEEPALIVE_DEFAULT;
/* How long the leader watches active clients' rings before it sleeps. */
int rumpsp_shmspin = 50;

/* How long accept rests after running out of descriptors or memory. */
#define SP_ACCEPT_PAUSE_MS	100
/* Bound the work per wakeup so that one busy client cannot starve. */
#define SP_MAXACCEPT		64
#define SP_MAXREADS		16
#define SP_MAXEVENTS		64
#define SP_RINGBUDGET		(1024 * 1024)

static struct {
	int		 lfd;		/* listening socket */
	int		 epfd;
	int		 evfd;		/* wakes the event thread */
	bool		 isunix, istcp;
	char		 path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char		 banner[RUMPSP_MAXBANNER];
	size_t		 bannerlen;
	int		 maxclient;

	int		 spare;		/* kept to refuse when out of fds */

	/* the leader only */
	TAILQ_HEAD(, sp_client) clients;
	TAILQ_HEAD(, sp_client) newq;	/* no handshake yet, oldest first */
	TAILQ_HEAD(, sp_client) hot;	/* on rings, watched: no doorbells */
	int		 nclients;
	uint64_t	 lpause;	/* accept resumes then; 0: running */
	uint8_t		 rbuf[64 * 1024];
} sp_srv;

/* sp_srv_mtx: whether the server runs and whether it is stopping */
static pthread_mutex_t sp_srv_mtx = PTHREAD_MUTEX_INITIALIZER;
static bool sp_srv_started, sp_srv_stopping;

/* epoll data of the two descriptors that are not clients */
static char sp_tag_listen, sp_tag_event;

uint64_t
sp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Wake the event thread to look at its state again. */
void
sp_server_kick(void)
{
	uint64_t one = 1;

	(void)write(sp_srv.evfd, &one, sizeof(one));
}

/*
 * A Unix socket file is in the way.  If nobody listens there (connect
 * refused) it is a leftover of a dead server: remove it.  Anything
 * else, or a file that is not a socket, stays and is EADDRINUSE.
 */
static int
sp_unix_reclaim(const struct rsp_addr *ra)
{
	const struct sockaddr_un *sun = (const void *)&ra->ra_sa;
	struct stat st;
	int s, error;

	if (lstat(sun->sun_path, &st) == -1)
		return errno == ENOENT ? 0 : EADDRINUSE;
	if (!S_ISSOCK(st.st_mode))
		return EADDRINUSE;
	if ((s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return errno;
	error = connect(s, (const struct sockaddr *)sun, ra->ra_len) == 0 ?
	    0 : errno;
	close(s);
	if (error != ECONNREFUSED)
		return EADDRINUSE;
	if (unlink(sun->sun_path) == -1 && errno != ENOENT)
		return errno;
	return 0;
}

static int
sp_listen(const struct rsp_addr *ra, int *fdp)
{
	const struct sockaddr *sa = (const void *)&ra->ra_sa;
	int s, on = 1, error;

	s = socket(ra->ra_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (s == -1)
		return errno;
	if (ra->ra_family != AF_UNIX &&
	    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1)
		goto fail;
	if (ra->ra_family == AF_INET6 &&
	    setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) == -1)
		goto fail;
	if (bind(s, sa, ra->ra_len) == -1) {
		if (errno != EADDRINUSE || ra->ra_family != AF_UNIX)
			goto fail;
		if ((error = sp_unix_reclaim(ra)) != 0) {
			close(s);
			return error;
		}
		if (bind(s, sa, ra->ra_len) == -1)
			goto fail;
	}
	/* before listen(), nobody can connect: no window */
	if (ra->ra_family == AF_UNIX &&
	    chmod(((const struct sockaddr_un *)sa)->sun_path,
	    (mode_t)rumpsp_sockmode) == -1)
		goto fail;
	if (listen(s, SOMAXCONN) == -1)
		goto fail;
	*fdp = s;
	return 0;

 fail:
	error = errno;
	close(s);
	return error;
}


void
sp_log(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "rump_sp: %s\n", buf);
}

/* Interest in the connection's socket: input always, output on demand. */
void
sp_server_arm(struct sp_client *spc, bool out)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | (out ? EPOLLOUT : 0);
	ev.data.ptr = spc;
	(void)epoll_ctl(sp_srv.epfd, EPOLL_CTL_MOD, spc->spc_fd, &ev);
}

/*
 * Out of the epoll set and the list; the kernel side of the disconnect
 * is work for the pool, which the connection's reference keeps alive.
 */
static void
sp_conn_close(struct sp_client *spc, struct sp_workq *out)
{

	if (spc->spc_closed)
		return;
	spc->spc_closed = true;
	sp_server_newdone(spc);
	if (spc->spc_hot) {
		spc->spc_hot = false;
		TAILQ_REMOVE(&sp_srv.hot, spc, spc_hotentries);
	}
	(void)epoll_ctl(sp_srv.epfd, EPOLL_CTL_DEL, spc->spc_fd, NULL);
	TAILQ_REMOVE(&sp_srv.clients, spc, spc_entries);
	sp_srv.nclients--;
	SP_STAT_ADD(RUMPUSER_SP_CLIENTS, -1);
	if (spc->spc_inwk != NULL) {
		sp_work_put(spc->spc_inwk);
		spc->spc_inwk = NULL;
	} else
		free(spc->spc_body);
	spc->spc_body = NULL;
	sp_client_dying(spc);
	spc->spc_diswork.wk_type = SPW_DISCONNECT;
	spc->spc_diswork.wk_spc = spc;
	TAILQ_INSERT_TAIL(out, &spc->spc_diswork, wk_entries);
	if (rumpsp_verbose)
		sp_log("pid %d: disconnected: %s", (int)spc->spc_pid,
		    atomic_load(&spc->spc_why) != NULL ?
		    atomic_load(&spc->spc_why) : "closed by the client");
}

/* The leader: spc's handshake arrived (or it closes). */
void
sp_server_newdone(struct sp_client *spc)
{

	if (!spc->spc_isnew)
		return;
	spc->spc_isnew = false;
	TAILQ_REMOVE(&sp_srv.newq, spc, spc_newentries);
}

/*
 * Connections that did not finish their handshake in time are closed;
 * returns the milliseconds until the next deadline, or -1.
 */
static int
sp_handshake_expire(struct sp_workq *out)
{
	struct sp_client *spc;
	uint64_t now = sp_now_ms();

	if (rumpsp_hstimeout < 0)
		return -1;
	while ((spc = TAILQ_FIRST(&sp_srv.newq)) != NULL &&
	    spc->spc_hsdeadline <= now) {
		sp_log("a client did not finish its handshake in %d ms: "
		    "closed", rumpsp_hstimeout);
		(void)sp_send_error(spc, 0, RUMPSP_HANDSHAKE,
		    RUMPSP_ERR_TIMEOUT, "handshake not done in time");
		sp_client_why(spc, "handshake not done in time");
		sp_conn_close(spc, out);
	}
	if (spc == NULL)
		return -1;
	return spc->spc_hsdeadline - now > INT_MAX ? INT_MAX :
	    (int)(spc->spc_hsdeadline - now);
}

/*
 * Out of descriptors: the spare one makes room to accept a waiting
 * connection and tell it why, rather than leave it without a banner.
 */
static bool
sp_accept_refuse(void)
{
	int fd;

	if (sp_srv.spare == -1)
		return false;
	close(sp_srv.spare);
	fd = accept4(sp_srv.lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd != -1) {
		(void)sp_send_refuse(fd, sp_srv.banner, sp_srv.bannerlen,
		    RUMPSP_ERR_BUSY, "server out of descriptors");
		SP_STAT_ADD(RUMPUSER_SP_REFUSED, 1);
		close(fd);
		if (rumpsp_verbose)
			sp_log("refused a client: out of descriptors");
	}
	sp_srv.spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
	return fd != -1;
}

static void
sp_conn_new(int fd)
{
	struct epoll_event ev;
	struct sp_client *spc;
	struct iovec iov[1];
	int on = 1;

	/* tests: allocations count from the first client on, not the boot */
	rumpuser_fault_arm();
	if (sp_srv.istcp) {
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on,
		    sizeof(on));
		rsp_keepalive(fd, rumpsp_keepalive);
	}
	if (sp_srv.maxclient >= 0 && sp_srv.nclients >= sp_srv.maxclient) {
		(void)sp_send_refuse(fd, sp_srv.banner, sp_srv.bannerlen,
		    RUMPSP_ERR_BUSY, "client table full");
		SP_STAT_ADD(RUMPUSER_SP_REFUSED, 1);
		if (rumpsp_verbose)
			sp_log("refused a client: %d clients connected",
			    sp_srv.nclients);
		close(fd);
		return;
	}
	if ((spc = sp_client_alloc(fd)) == NULL) {
		(void)sp_send_refuse(fd, sp_srv.banner, sp_srv.bannerlen,
		    RUMPSP_ERR_NOMEM, "out of memory");
		close(fd);
		return;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.ptr = spc;
	if (epoll_ctl(sp_srv.epfd, EPOLL_CTL_ADD, fd, &ev) == -1) {
		(void)sp_send_refuse(fd, sp_srv.banner, sp_srv.bannerlen,
		    RUMPSP_ERR_NOMEM, "out of resources");
		sp_client_discard(spc);
		return;
	}
	TAILQ_INSERT_TAIL(&sp_srv.clients, spc, spc_entries);
	sp_srv.nclients++;
	SP_STAT_ADD(RUMPUSER_SP_CLIENTS, 1);
	SP_STAT_ADD(RUMPUSER_SP_CONNECTS, 1);
	spc->spc_hsdeadline = sp_now_ms() + (uint64_t)rumpsp_hstimeout;
	spc->spc_isnew = true;
	TAILQ_INSERT_TAIL(&sp_srv.newq, spc, spc_newentries);
	/* an empty socket takes it at once */
	iov[0].iov_base = sp_srv.banner;
	iov[0].iov_len = sp_srv.bannerlen;
	(void)sp_send(spc, iov, 1);
}

static void
sp_accept_pause(bool pause)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = pause ? 0 : EPOLLIN;
	ev.data.ptr = &sp_tag_listen;
	(void)epoll_ctl(sp_srv.epfd, EPOLL_CTL_MOD, sp_srv.lfd, &ev);
	sp_srv.lpause = pause ? sp_now_ms() + SP_ACCEPT_PAUSE_MS : 0;
}

static void
sp_accept(void)
{
	int fd, i;

	for (i = 0; i < SP_MAXACCEPT; i++) {
		fd = accept4(sp_srv.lfd, NULL, NULL,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd != -1) {
			sp_conn_new(fd);
			continue;
		}
		switch (errno) {
		case EINTR:
		case ECONNABORTED:
			continue;
		case EMFILE:
		case ENFILE:
			if (sp_accept_refuse())
				continue;
			/* FALLTHROUGH */
		case ENOBUFS:
		case ENOMEM:
			/* the socket stays readable: rest instead of spin */
			sp_accept_pause(true);
			return;
		default:
			return;
		}
	}
}

/*
 * The header is complete: judge it, then make room for the body: a
 * request's goes into its work item, an answer's into a buffer of its
 * own for the waiting thread.  Returns -1 when the connection must
 * close (an ERROR frame is queued).
 */
static int
sp_frame_begin(struct sp_client *spc)
{
	const struct rsp_hdr *hdr = &spc->spc_hdr;
	const char *why;
	int err;

	if ((err = rsp_hdr_check(hdr, &why)) != RUMPSP_ERR_NONE ||
	    (err = sp_handle_hdr(spc, hdr, &why)) != RUMPSP_ERR_NONE) {
		(void)sp_send_error(spc, hdr->rsp_reqno, hdr->rsp_type,
		    err, why);
		sp_client_why(spc, why);
		return -1;
	}
	spc->spc_bodylen = (size_t)(hdr->rsp_len - RSP_HDRSZ);
	spc->spc_bodyoff = 0;
	spc->spc_body = NULL;
	if (hdr->rsp_class == RUMPSP_REQ) {
		spc->spc_inwk = sp_work_get(spc, spc->spc_bodylen);
		if (spc->spc_inwk != NULL)
			spc->spc_body = spc->spc_inwk->wk_body;
	} else if (spc->spc_bodylen > 0)
		spc->spc_body = sp_malloc(spc->spc_bodylen);
	if ((spc->spc_body == NULL && spc->spc_bodylen > 0) ||
	    (hdr->rsp_class == RUMPSP_REQ && spc->spc_inwk == NULL)) {
		(void)sp_send_error(spc, hdr->rsp_reqno, hdr->rsp_type,
		    RUMPSP_ERR_NOMEM, "out of memory");
		sp_client_why(spc, "out of memory for a request");
		return -1;
	}
	return 0;
}

/* The frame is complete: hand it over and start the next one. */
static int
sp_frame_end(struct sp_client *spc, struct sp_workq *out)
{
	struct rsp_hdr hdr = spc->spc_hdr;
	struct sp_work *wk = spc->spc_inwk;
	uint8_t *body = spc->spc_body;
	size_t len = spc->spc_bodylen;

	spc->spc_hdroff = 0;
	spc->spc_inwk = NULL;
	spc->spc_body = NULL;
	spc->spc_bodylen = spc->spc_bodyoff = 0;
	if (wk == NULL) {
		sp_waiter_deliver(spc, &hdr, body, len);
		return 0;
	}
	SP_STAT_ADD(RUMPUSER_SP_REQUESTS, 1);
	wk->wk_hdr = hdr;
	wk->wk_len = len;
	return sp_handle_frame(spc, wk, out);
}

/*
 * Feed n bytes read from the socket or the client's ring to the frame
 * being assembled.  Socket bytes after a SHM request that moved the
 * connection to rings are doorbells (a client sends none before the
 * answer): dropped.
 */
static int
sp_consume(struct sp_client *spc, const uint8_t *p, size_t n,
    struct sp_workq *out, bool ring)
{
	size_t k;

	while (n > 0) {
		if (!ring && atomic_load(&spc->spc_shm) != NULL)
			return 0;
		if (spc->spc_hdroff < RSP_HDRSZ) {
			k = RSP_HDRSZ - spc->spc_hdroff;
			if (k > n)
				k = n;
			memcpy((uint8_t *)&spc->spc_hdr + spc->spc_hdroff, p,
			    k);
			spc->spc_hdroff += k;
			if (spc->spc_hdroff < RSP_HDRSZ)
				return 0;
			if (sp_frame_begin(spc) != 0)
				return -1;
		} else {
			k = spc->spc_bodylen - spc->spc_bodyoff;
			if (k > n)
				k = n;
			memcpy(spc->spc_body + spc->spc_bodyoff, p, k);
			spc->spc_bodyoff += k;
		}
		p += k;
		n -= k;
		if (spc->spc_bodyoff == spc->spc_bodylen &&
		    sp_frame_end(spc, out) != 0)
			return -1;
	}
	return 0;
}

/*
 * The client's socket is readable.  Large bodies are read in place;
 * everything else through the leader's buffer, so that a burst of
 * small frames costs one read.
 */
static void
sp_conn_input(struct sp_client *spc, struct sp_workq *out)
{
	size_t left;
	ssize_t n;
	int i;
	bool refused = false;

	for (i = 0; i < SP_MAXREADS; i++) {
		left = spc->spc_bodylen - spc->spc_bodyoff;
		if (spc->spc_hdroff == RSP_HDRSZ &&
		    left >= sizeof(sp_srv.rbuf)) {
			n = read(spc->spc_fd, spc->spc_body + spc->spc_bodyoff,
			    left);
			if (n > 0) {
				SP_STAT_ADD(RUMPUSER_SP_BYTESIN, n);
				spc->spc_bodyoff += (size_t)n;
				if (spc->spc_bodyoff == spc->spc_bodylen &&
				    sp_frame_end(spc, out) != 0) {
					refused = true;
					break;
				}
				continue;
			}
		} else {
			n = read(spc->spc_fd, sp_srv.rbuf, sizeof(sp_srv.rbuf));
			if (n > 0) {
				SP_STAT_ADD(RUMPUSER_SP_BYTESIN, n);
				if (sp_consume(spc, sp_srv.rbuf,
				    (size_t)n, out, false) != 0) {
					refused = true;
					break;
				}
				if ((size_t)n < sizeof(sp_srv.rbuf))
					return;	/* drained */
				continue;
			}
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		if (n == -1)
			sp_client_why(spc, "read error");
		break;		/* EOF or error */
	}
	if (i == SP_MAXREADS)
		return;		/* more later: epoll is level-triggered */
	/*
	 * Our error frame is the last the client hears: a call of its
	 * that the close interrupts would otherwise answer EFAULT (its
	 * copy failed) for what was our refusal (fault injection found
	 * it: an answer to a copy request we had no memory for).
	 */
	if (refused)
		sp_out_close(spc);
	sp_conn_close(spc, out);
}

/* The leader watches spc's ring for a while: it need not ring. */
static void
sp_hot_add(struct sp_client *spc)
{

	if (spc->spc_hot || spc->spc_closed)
		return;
	spc->spc_hot = true;
	TAILQ_INSERT_TAIL(&sp_srv.hot, spc, spc_hotentries);
	sp_ring_watch(spc);
}

/*
 * Take what the client put in its ring, at most SP_RINGBUDGET bytes a
 * turn so that one client cannot hold the leader.  Returns the bytes
 * taken; a broken ring or frame closes the connection.
 */
static size_t
sp_ring_consume(struct sp_client *spc, struct sp_workq *out)
{
	const uint8_t *p;
	size_t budget = SP_RINGBUDGET, len, done = 0;
	int r;

	while (budget > 0) {
		if (sp_ring_peek(spc, budget, &p, &len) != 0) {
			sp_log("pid %d: its shared ring is broken: cut off",
			    (int)spc->spc_pid);
			sp_conn_close(spc, out);
			return done;
		}
		if (len == 0)
			break;
		r = sp_consume(spc, p, len, out, true);
		sp_ring_taken(spc, len);
		budget -= len;
		done += len;
		if (r != 0) {
			sp_out_close(spc);
			sp_conn_close(spc, out);
			return done;
		}
	}
	return done;
}

/*
 * The socket of a client on rings is readable: doorbells (or its end).
 * Its ring may hold requests, and room it made may let our queued
 * frames out.
 */
static void
sp_ring_input(struct sp_client *spc, struct sp_workq *out)
{
	int i;

	if (sp_ring_doorbells(spc) != 0) {
		sp_conn_close(spc, out);
		return;
	}
	(void)sp_ring_consume(spc, out);
	if (spc->spc_closed)
		return;
	if (sp_out_flush(spc) != 0) {
		sp_client_why(spc, "write error");
		sp_conn_close(spc, out);
		return;
	}
	if (sp_ring_together(spc)) {
		sp_hot_add(spc);
		return;
	}
	/*
	 * It can run only on our CPU: watching would keep it off.  Ask
	 * for a doorbell again, taking what came meanwhile; a client
	 * that keeps putting frames goes on the watched list after all,
	 * whose turns are bounded.
	 */
	for (i = 0; i < 4; i++) {
		if (spc->spc_closed || sp_ring_sleep(spc))
			return;
		(void)sp_ring_consume(spc, out);
	}
	sp_hot_add(spc);
}

static uint64_t
sp_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * Before the leader sleeps: watch the rings of the clients that were
 * active last for rumpsp_shmspin microseconds, so that a client making
 * calls back to back needs no doorbell and we no wakeup.  Then ask
 * each for doorbells again (Dekker, sp_shm.h) and look once more.
 * An idle client leaves the list after one spin: it costs nothing.
 * Returns true when there is work.
 */
static bool
sp_ring_spin(struct sp_workq *out)
{
	struct sp_client *spc, *next;
	uint64_t start, spin;

	if (TAILQ_EMPTY(&sp_srv.hot))
		return false;
	spin = (uint64_t)rumpsp_shmspin * 1000;
	start = sp_now_ns();
	while (spin > 0) {
		for (spc = TAILQ_FIRST(&sp_srv.hot); spc != NULL; spc = next) {
			next = TAILQ_NEXT(spc, spc_hotentries);
			if (sp_ring_ready(spc) && sp_ring_consume(spc, out) > 0)
				start = sp_now_ns();	/* answers: go on */
		}
		if (!TAILQ_EMPTY(out))
			return true;
		/*
		 * No sched_yield here: measured, it cost 8 threads of one
		 * client two thirds of their calls.
		 */
		if (sp_now_ns() - start >= spin)
			break;
		RSP_CPU_RELAX();
	}
	for (spc = TAILQ_FIRST(&sp_srv.hot); spc != NULL; spc = next) {
		next = TAILQ_NEXT(spc, spc_hotentries);
		if (sp_ring_sleep(spc)) {
			spc->spc_hot = false;
			TAILQ_REMOVE(&sp_srv.hot, spc, spc_hotentries);
		} else {
			sp_ring_watch(spc);
			(void)sp_ring_consume(spc, out);
		}
	}
	return !TAILQ_EMPTY(out);
}

/*
 * Time until the leader has something to do on its own.  Expired
 * prefork images are released by a work item, at most one at a time.
 */
static struct sp_work sp_sweepwork = { .wk_type = SPW_SWEEP };
static _Atomic bool sp_sweeping;

static int
sp_timeout(struct sp_workq *out)
{
	uint64_t now;
	int t, left;

	t = atomic_load(&sp_sweeping) ? -1 : sp_prefork_next();
	if (t == 0) {
		atomic_store(&sp_sweeping, true);
		TAILQ_INSERT_TAIL(out, &sp_sweepwork, wk_entries);
		t = -1;
	}
	left = sp_handshake_expire(out);
	if (left >= 0 && (t < 0 || left < t))
		t = left;
	if (sp_srv.lpause != 0) {
		now = sp_now_ms();
		if (now >= sp_srv.lpause) {
			sp_accept_pause(false);
		} else {
			left = (int)(sp_srv.lpause - now);
			if (t < 0 || left < t)
				t = left;
		}
	}
	return t;
}

/* The sweep work item ran: the leader looks at the timeout again. */
void
sp_server_swept(void)
{

	atomic_store(&sp_sweeping, false);
	sp_server_kick();
}

/* The eventfd fired: returns true when the server is stopping. */
static bool
sp_event(void)
{
	uint64_t v;
	bool stop;

	(void)read(sp_srv.evfd, &v, sizeof(v));
	pthread_mutex_lock(&sp_srv_mtx);
	stop = sp_srv_stopping;
	pthread_mutex_unlock(&sp_srv_mtx);
	return stop;
}

static void
sp_shutdown(struct sp_workq *out)
{
	struct sp_client *spc;

	(void)epoll_ctl(sp_srv.epfd, EPOLL_CTL_DEL, sp_srv.lfd, NULL);
	close(sp_srv.lfd);
	while ((spc = TAILQ_FIRST(&sp_srv.clients)) != NULL) {
		sp_client_why(spc, "server stopping");
		sp_conn_close(spc, out);
	}
	/* the eventfd and epoll stay: late threads may still use them */
	sp_pool_stop(out);
}

/*
 * The leader's turn: wait for events and handle them.  Work items go
 * on out; the pool runs them after the leader has given up the lead.
 */
void
sp_server_poll(struct sp_workq *out)
{
	struct epoll_event ev[SP_MAXEVENTS];
	struct sp_client *spc;
	int i, n, t;

	t = sp_timeout(out);
	if (!TAILQ_EMPTY(out))
		return;
	if (sp_ring_spin(out))
		return;
	/* still watched (answers to our copy requests came): look soon */
	if (!TAILQ_EMPTY(&sp_srv.hot))
		t = 0;
	n = epoll_wait(sp_srv.epfd, ev, SP_MAXEVENTS, t);
	if (n == -1) {
		if (errno != EINTR)
			sp_log("epoll_wait: %s", strerror(errno));
		return;
	}
	/* a client appears once per batch, and is freed only by work */
	for (i = 0; i < n; i++) {
		if (ev[i].data.ptr == &sp_tag_listen) {
			sp_accept();
			continue;
		}
		if (ev[i].data.ptr == &sp_tag_event) {
			if (sp_event()) {
				sp_shutdown(out);
				return;
			}
			continue;
		}
		spc = ev[i].data.ptr;
		if ((ev[i].events & EPOLLOUT) && sp_out_flush(spc) != 0) {
			sp_client_why(spc, "write error");
			sp_conn_close(spc, out);
			continue;
		}
		if (!(ev[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
			continue;
		if (atomic_load(&spc->spc_shm) != NULL)
			sp_ring_input(spc, out);
		else
			sp_conn_input(spc, out);
	}
}

static int
sp_epoll_add(int fd, void *tag)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.ptr = tag;
	return epoll_ctl(sp_srv.epfd, EPOLL_CTL_ADD, fd, &ev) == -1 ?
	    errno : 0;
}

static int
sp_setup(const struct rsp_addr *ra)
{
	int error;

	sp_srv.lfd = sp_srv.epfd = sp_srv.evfd = -1;
	TAILQ_INIT(&sp_srv.clients);
	TAILQ_INIT(&sp_srv.newq);
	TAILQ_INIT(&sp_srv.hot);
	sp_srv.spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if ((error = sp_listen(ra, &sp_srv.lfd)) != 0)
		return error;
	sp_srv.isunix = ra->ra_family == AF_UNIX;
	sp_srv.istcp = !sp_srv.isunix;
	if (sp_srv.isunix)
		strlcpy(sp_srv.path,
		    ((const struct sockaddr_un *)&ra->ra_sa)->sun_path,
		    sizeof(sp_srv.path));
	if ((sp_srv.epfd = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    (sp_srv.evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1)
		return errno;
	if ((error = sp_epoll_add(sp_srv.lfd, &sp_tag_listen)) != 0 ||
	    (error = sp_epoll_add(sp_srv.evfd, &sp_tag_event)) != 0)
		return error;
	return sp_pool_start();
}

static void
sp_unsetup(void)
{

	if (sp_srv.lfd != -1) {
		close(sp_srv.lfd);
		if (sp_srv.isunix)
			(void)unlink(sp_srv.path);
	}
	if (sp_srv.epfd != -1)
		close(sp_srv.epfd);
	if (sp_srv.evfd != -1)
		close(sp_srv.evfd);
}

int
rumpuser_sp_init(const char *url, const struct rumpuser_sp_ops *ops,
    const char *ostype, const char *osrelease, const char *machine)
{
	struct rsp_addr ra;
	int error;

	if ((error = rsp_url_resolve(url, 1, &ra)) != 0)
		return error;
	pthread_mutex_lock(&sp_srv_mtx);
	if (sp_srv_started) {
		pthread_mutex_unlock(&sp_srv_mtx);
		return EBUSY;
	}
	error = rsp_banner_make(sp_srv.banner, sizeof(sp_srv.banner), ostype,
	    osrelease, machine);
	if (error == 0) {
		sp_srv.bannerlen = strlen(sp_srv.banner);
		sp_srv.maxclient = rumpsp_maxclient;
		sp_ops = *ops;
		sp_pool_init();
		if ((error = sp_setup(&ra)) != 0)
			sp_unsetup();
	}
	sp_srv_started = error == 0;
	pthread_mutex_unlock(&sp_srv_mtx);
	return error;
}

void
rumpuser_sp_fini(void *arg)
{
	struct sp_req *rq = sp_curreq();
	register_t rv[2] = { 0, 0 };

	/* the caller (rebooting) is about to go: answer it first */
	if (arg != NULL && rq != NULL && rq->rq_spc == arg && !rq->rq_replied)
		sp_req_reply(rq, 0, rv);

	/*
	 * All under sp_srv_mtx: the event thread, woken by any kick,
	 * closes the listening socket only after it sees sp_srv_stopping,
	 * so the socket is still ours to shut down here.
	 */
	pthread_mutex_lock(&sp_srv_mtx);
	if (sp_srv_started && !sp_srv_stopping) {
		sp_srv_stopping = true;
		if (sp_srv.isunix)
			(void)unlink(sp_srv.path);
		(void)shutdown(sp_srv.lfd, SHUT_RDWR);
		sp_server_kick();
	}
	pthread_mutex_unlock(&sp_srv_mtx);
}
