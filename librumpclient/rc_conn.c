/*
 * rc_conn.c -- connections to the rump kernel server: opening one
 * (socket, banner, handshake), the life of a connection (references,
 * breaking), and the reconnect policy of rumpclient_setconnretry().
 *
 * Sockets are non-blocking and kept at descriptors >= 3: a program that
 * closed its standard descriptors must never get the kernel connection
 * as its stdout.  Every wait for the peer is a ppoll() with the
 * caller's signal mask, so a hung server never makes the process deaf
 * to signals, except inside a frame: once the first byte of a frame has
 * arrived the rest is read with signals blocked.
 *
 * A connection that breaks is shut down and unlinked from the client
 * at once (every waiter on it then fails with ENOTCONN); its descriptor
 * is closed when the last call holding a reference lets go.  The next
 * call applies the policy: no retry (ENOTCONN), exit, or reconnecting
 * with a new GUEST handshake, which makes a new process in the kernel.
 * One thread reconnects; other callers sleep until it is done.  A
 * break the listener notices while the program is idle waits for the
 * next call too, even under RETRYCONN_DIE: exit(3) is never called
 * from the listener thread, behind the program's back.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rump/rumpclient.h>

#include "rumpclient_int.h"

struct rc_client rc_client = {
	.c_mtx = PTHREAD_MUTEX_INITIALIZER,
	.c_sendmtx = PTHREAD_MUTEX_INITIALIZER,
	.c_initmtx = PTHREAD_MUTEX_INITIALIZER,
	.c_connwait = TAILQ_HEAD_INITIALIZER(rc_client.c_connwait),
	.c_retirefd = -1,
	.c_listener = {
		.l_efd = -1,
		.l_pausewait =
		    TAILQ_HEAD_INITIALIZER(rc_client.c_listener.l_pausewait),
	},
};

void
rc_debug(const char *fmt, ...)
{
	va_list ap;

	if (getenv("RUMPCLIENT_DEBUG") == NULL)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "rumpclient: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
}

/*
 * An ERROR frame's errno; its body is the server's reason, printed
 * only when RUMPCLIENT_DEBUG asks for it.
 */
int
rc_errframe(const struct rsp_hdr *h, const void *body, size_t len)
{
	const char *s = body;
	size_t n;

	n = len < RC_MAXREASON ? len : RC_MAXREASON;
	n = s != NULL ? strnlen(s, n) : 0;
	rc_debug("server error %u (%s): %.*s", h->rsp_arg,
	    rsp_err_str(h->rsp_arg), (int)n, n ? s : "");
	return rsp_err_errno(h->rsp_arg);
}

/* Move fd to a descriptor >= 3 (close-on-exec). Returns it or -1. */
int
rc_fd_above2(int fd)
{
	int nfd, e;

	if (fd > 2)
		return fd;
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	e = errno;
	close(fd);
	errno = e;
	return nfd;
}

/*
 * Is fd still a socket?  A program that closes our descriptors
 * (closefrom(3)) may have the number handed to a file or an eventfd,
 * which a wait must not mistake for the connection.
 */
bool
rc_fd_issock(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

/*
 * Read exactly len bytes.  Waiting is ppoll() with waitmask (NULL:
 * the current mask, which inside a call blocks everything), in slices
 * of RC_CHECK_MS that look whether fd is still a socket.  Returns 0,
 * ECONNRESET on EOF, EBADF when fd is no longer a socket, or an errno.
 */
int
rc_recvall(int fd, void *buf, size_t len, const sigset_t *waitmask)
{
	struct timespec ts = RC_CHECK_TS;
	struct pollfd pfd;
	uint8_t *p = buf;
	ssize_t n;

	while (len > 0) {
		n = recv(fd, p, len, MSG_DONTWAIT);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n == 0)
			return ECONNRESET;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return errno;
		pfd.fd = fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		n = ppoll(&pfd, 1, &ts, waitmask);
		if (n == -1 && errno != EINTR)
			return errno;
		if (n == 0 && !rc_fd_issock(fd))
			return EBADF;
	}
	return 0;
}

/* Read and drop len bytes of a frame we have no use for. */
int
rc_discard(int fd, size_t len)
{
	uint8_t buf[512];
	size_t n;
	int error;

	while (len > 0) {
		n = len < sizeof(buf) ? len : sizeof(buf);
		if ((error = rc_recvall(fd, buf, n, NULL)) != 0)
			return error;
		len -= n;
	}
	return 0;
}

/*
 * Seconds of silence before a TCP connection is probed (sp_alive.c):
 * RUMP_KEEPALIVE, else the default; 0 or -1 switch it off.  Without
 * it a call would wait forever on a server whose link was cut.
 */
static int
rc_keepalive(void)
{
	const char *v = getenv("RUMP_KEEPALIVE");
	char *end;
	long n;

	if (v == NULL || *v == '\0')
		return RSP_KEEPALIVE_DEFAULT;
	n = strtol(v, &end, 10);
	return *end == '\0' && n > 0 && n <= 32767 ? (int)n : 0;
}

static int
rc_connect(const struct rsp_addr *ra, const sigset_t *omask, int *fdp)
{
	struct pollfd pfd;
	socklen_t slen;
	int fd, one = 1, error;

	fd = socket(ra->ra_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0);
	if (fd == -1)
		return errno;
	if ((fd = rc_fd_above2(fd)) == -1)
		return errno;
	if (ra->ra_family != AF_UNIX) {
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
		rsp_keepalive(fd, rc_keepalive());
	}
	if (connect(fd, (const struct sockaddr *)&ra->ra_sa, ra->ra_len) == 0)
		goto done;
	if (errno != EINPROGRESS && errno != EINTR) {
		error = errno;
		close(fd);
		return error;
	}
	for (;;) {
		pfd.fd = fd;
		pfd.events = POLLOUT;
		pfd.revents = 0;
		if (ppoll(&pfd, 1, NULL, omask) > 0)
			break;
		if (errno != EINTR) {
			error = errno;
			close(fd);
			return error;
		}
	}
	slen = sizeof(error);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &slen) == -1)
		error = errno;
	if (error != 0) {
		close(fd);
		return error;
	}
 done:
	*fdp = fd;
	return 0;
}

/*
 * Read the banner line (bounded, must end in '\n') and check the major.
 * A peer that sends no banner within RC_BANNER_MS is not a server:
 * ETIMEDOUT, rather than a wait for ever.
 */
static int
rc_banner(int fd, const sigset_t *omask, int *major, int *minor)
{
	char b[RUMPSP_MAXBANNER + 1];
	struct timespec start, now, left;
	struct pollfd pfd;
	long ms;
	size_t i;
	ssize_t n;
	int error;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (i = 0; i < RUMPSP_MAXBANNER; ) {
		n = recv(fd, &b[i], 1, MSG_DONTWAIT);
		if (n == 1) {
			if (b[i++] == '\n')
				break;
			continue;
		}
		if (n == 0)
			return ECONNRESET;
		if (errno != EAGAIN && errno != EINTR)
			return errno;
		clock_gettime(CLOCK_MONOTONIC, &now);
		ms = RC_BANNER_MS - ((now.tv_sec - start.tv_sec) * 1000 +
		    (now.tv_nsec - start.tv_nsec) / 1000000);
		if (ms <= 0) {
			rc_debug("no banner from the server in %d ms",
			    RC_BANNER_MS);
			return ETIMEDOUT;
		}
		left.tv_sec = ms / 1000;
		left.tv_nsec = (ms % 1000) * 1000000;
		pfd.fd = fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (ppoll(&pfd, 1, &left, omask) == -1 && errno != EINTR)
			return errno;
	}
	if (i == 0 || b[i - 1] != '\n')
		return EPROTO;
	b[i] = '\0';
	if ((error = rsp_banner_parse(b, major, minor)) != 0)
		return error;
	if (*major != RUMPSP_PROTOMAJOR) {
		rc_debug("server speaks protocol %d.%d, we speak %d.%d",
		    *major, *minor, RUMPSP_PROTOMAJOR, RUMPSP_PROTOMINOR);
		return EPROGMISMATCH;
	}
	return 0;
}

/*
 * A server that refuses us (client table full, no memory) sends an
 * ERROR frame right behind its banner and closes: read it, so that the
 * caller learns why (EBUSY, ENOMEM) rather than a broken pipe.
 * Returns 0 when no such frame is there.
 */
static int
rc_refused(int fd)
{
	char reason[RC_MAXREASON];
	struct rsp_hdr h;
	size_t n;
	ssize_t r;

	r = recv(fd, &h, sizeof(h), MSG_PEEK | MSG_DONTWAIT);
	if (r != (ssize_t)sizeof(h) || h.rsp_class != RUMPSP_ERROR ||
	    rsp_hdr_check(&h, &(const char *){ NULL }) != RUMPSP_ERR_NONE)
		return 0;
	(void)recv(fd, &h, sizeof(h), MSG_DONTWAIT);
	n = h.rsp_len - RSP_HDRSZ;
	if (n > sizeof(reason))
		n = sizeof(reason);
	r = recv(fd, reason, n, MSG_DONTWAIT);
	return rc_errframe(&h, reason, r > 0 ? (size_t)r : 0);
}

/*
 * A handshake on a connection nobody else uses yet: send it, then the
 * only frame that may come back is its HANDSHAKE response or an ERROR.
 */
static int
rc_handshake(int fd, uint32_t kind, const void *body, size_t len,
    const sigset_t *omask)
{
	char reason[RC_MAXREASON];
	struct rsp_hdr h;
	struct iovec iov[2];
	size_t blen, n;
	int error;

	rsp_hdr_fill(&h, RSP_HDRSZ + len, 1, RUMPSP_REQ, RUMPSP_HANDSHAKE,
	    kind);
	iov[0].iov_base = &h;
	iov[0].iov_len = sizeof(h);
	iov[1].iov_base = (void *)(uintptr_t)body;
	iov[1].iov_len = len;
	if ((error = rc_refused(fd)) != 0)
		return error;
	if ((error = rsp_sendv(fd, iov, len ? 2 : 1)) != 0) {
		/* the refusal may have come just after the banner */
		int refused = rc_refused(fd);

		return refused != 0 ? refused : error;
	}
	/* wait for the first byte with signals deliverable */
	if ((error = rc_recvall(fd, &h, 1, omask)) != 0)
		return error;
	if ((error = rc_recvall(fd, (char *)&h + 1, sizeof(h) - 1,
	    NULL)) != 0)
		return error;
	if (rsp_hdr_check(&h, &(const char *){ NULL }) != RUMPSP_ERR_NONE ||
	    h.rsp_type != RUMPSP_HANDSHAKE || h.rsp_class == RUMPSP_REQ ||
	    (h.rsp_reqno != 1 && !(h.rsp_reqno == 0 &&
	    h.rsp_class == RUMPSP_ERROR)))
		return EPROTO;
	blen = h.rsp_len - RSP_HDRSZ;
	n = blen < sizeof(reason) ? blen : sizeof(reason);
	if ((error = rc_recvall(fd, reason, n, NULL)) != 0 ||
	    (error = rc_discard(fd, blen - n)) != 0)
		return error;
	if (h.rsp_class == RUMPSP_ERROR)
		return rc_errframe(&h, reason, n);
	return 0;
}

static void
rc_conn_fdid(int fd, dev_t *dev, ino_t *ino)
{
	struct stat st;

	if (fstat(fd, &st) == 0) {
		*dev = st.st_dev;
		*ino = st.st_ino;
	} else {
		*dev = 0;
		*ino = 0;
	}
}

/*
 * Is cn_fd still our socket?  A program may close descriptors it does
 * not know about (closefrom(3)) and get the number back for a file of
 * its own: then the connection is lost, and the number is not ours to
 * close.
 */
bool
rc_conn_fdok(const struct rc_conn *cn)
{
	dev_t dev;
	ino_t ino;

	rc_conn_fdid(cn->cn_fd, &dev, &ino);
	return ino != 0 && dev == cn->cn_dev && ino == cn->cn_ino;
}

/* A connection on fd, in memory the caller gives (zeroed here). */
static void
rc_conn_init(struct rc_conn *cn, int fd, int major, int minor)
{

	memset(cn, 0, sizeof(*cn));
	cn->cn_fd = fd;
	rc_conn_fdid(fd, &cn->cn_dev, &cn->cn_ino);
	cn->cn_major = major;
	cn->cn_minor = minor;
	cn->cn_refs = 1;
	TAILQ_INIT(&cn->cn_waiters);
}

struct rc_conn *
rc_conn_alloc(int fd, int major, int minor)
{
	struct rc_conn *cn;

	if ((cn = malloc(sizeof(*cn))) == NULL)
		return NULL;
	rc_conn_init(cn, fd, major, minor);
	return cn;
}

/*
 * One AUTH request and its answer (rc_auth).  Returns 0 with the RESP
 * body in ar (when given), or an errno.
 */
static int
rc_auth_step(int fd, const struct rsp_auth *ra, struct rsp_auth_resp *ar,
    const sigset_t *omask)
{
	char reason[RC_MAXREASON];
	struct rsp_hdr h;
	struct iovec iov[2];
	size_t blen, n;
	int error;

	rsp_hdr_fill(&h, RSP_HDRSZ + sizeof(*ra), 1, RUMPSP_REQ,
	    RUMPSP_HANDSHAKE, HANDSHAKE_AUTH);
	iov[0].iov_base = &h;
	iov[0].iov_len = sizeof(h);
	iov[1].iov_base = (void *)(uintptr_t)ra;
	iov[1].iov_len = sizeof(*ra);
	if ((error = rsp_sendv(fd, iov, 2)) != 0)
		return error;
	if ((error = rc_recvall(fd, &h, sizeof(h), omask)) != 0)
		return error;
	if (rsp_hdr_check(&h, &(const char *){ NULL }) != RUMPSP_ERR_NONE ||
	    h.rsp_type != RUMPSP_HANDSHAKE || h.rsp_class == RUMPSP_REQ)
		return EPROTO;
	blen = h.rsp_len - RSP_HDRSZ;
	if (h.rsp_class == RUMPSP_ERROR) {
		n = blen < sizeof(reason) ? blen : sizeof(reason);
		if ((error = rc_recvall(fd, reason, n, NULL)) != 0 ||
		    (error = rc_discard(fd, blen - n)) != 0)
			return error;
		return rc_errframe(&h, reason, n);
	}
	if (blen != (ar != NULL ? sizeof(*ar) : 0))
		return EPROTO;
	return ar != NULL ? rc_recvall(fd, ar, sizeof(*ar), NULL) : 0;
}

/*
 * With a key (RUMP_KEYFILE), prove it and make the server prove it
 * (sp_auth.c); a server that cannot is refused with EPERM.
 */
static int
rc_auth(int fd, int minor, const sigset_t *omask)
{
	const struct rsp_key *key = &rc_client.c_key;
	struct rsp_auth_resp ar;
	struct rsp_auth ra;
	int error;

	if (key->k_len == 0)
		return 0;
	if (minor < 6) {
		rc_debug("server does not authenticate (protocol 0.%d)", minor);
		return EPERM;
	}
	memset(&ra, 0, sizeof(ra));
	ra.ra_step = 1;
	rsp_nonce(ra.ra_nonce);
	if ((error = rc_auth_step(fd, &ra, &ar, omask)) != 0)
		return error;
	if (!rsp_proof_ok(key, 1, ra.ra_nonce, ar.rar_nonce, ar.rar_mac)) {
		rc_debug("server does not hold our key");
		return EPERM;
	}
	ra.ra_step = 2;
	rsp_proof(key, 0, ra.ra_nonce, ar.rar_nonce, ra.ra_mac);
	return rc_auth_step(fd, &ra, NULL, omask);
}

/*
 * Connect to ra and do one handshake of the given kind, in cn (memory
 * of the caller's: a thread connection's is its thread's own, so that
 * a signal handler's call may make one without malloc).  Returns 0, or
 * an errno with nothing left open.
 */
int
rc_open_in(struct rc_conn *cn, const struct rsp_addr *ra, uint32_t kind,
    const void *body, size_t len, const sigset_t *omask)
{
	int fd = -1, major, minor, error;

	if ((error = rc_connect(ra, omask, &fd)) != 0)
		return error;
	/* its identity now: closefrom(3) may take the number meanwhile */
	rc_conn_init(cn, fd, 0, 0);
	if ((error = rc_banner(fd, omask, &major, &minor)) != 0 ||
	    (error = rc_refused(fd)) != 0 ||
	    (error = rc_auth(fd, minor, omask)) != 0 ||
	    (error = rc_handshake(fd, kind, body, len, omask)) != 0)
		goto fail;
	cn->cn_major = major;
	cn->cn_minor = minor;
	/* a thread's own connection stays a socket (rc_tconn.c) */
	if (kind != HANDSHAKE_JOIN &&
	    (error = rc_shm_open(cn, ra, omask)) != 0)
		goto fail;
	return 0;

 fail:
	if (rc_conn_fdok(cn))
		close(fd);
	return error;
}

/*
 * The same in a new connection holding one reference (the caller's).
 */
int
rc_open(const struct rsp_addr *ra, uint32_t kind, const void *body,
    size_t len, const sigset_t *omask, struct rc_conn **cnp)
{
	struct rc_conn *cn;
	int error;

	if ((cn = malloc(sizeof(*cn))) == NULL)
		return ENOMEM;
	if ((error = rc_open_in(cn, ra, kind, body, len, omask)) != 0) {
		free(cn);
		return error;
	}
	*cnp = cn;
	return 0;
}

/*
 * A whole frame on cn, through its ring or its socket; the caller
 * holds c_sendmtx or is cn's only user.
 */
int
rc_conn_send(struct rc_conn *cn, const struct iovec *iov, int iovcnt)
{
	bool intact;

	if (cn->cn_shm != NULL)
		return rc_shm_send(cn, iov, iovcnt, 0, &intact);
	return rsp_sendv(cn->cn_fd, iov, iovcnt);
}

void
rc_conn_rele_locked(struct rc_conn *cn)
{
	struct rc_client *c = &rc_client;

	if (cn->cn_retired && c->c_retired > 0) {
		c->c_retired--;
		rc_wake(c->c_retirefd);
	}
	if (--cn->cn_refs > 0)
		return;
	rc_shm_free(cn);
	if (rc_conn_fdok(cn))
		close(cn->cn_fd);
	free(cn);
}

void
rc_conn_rele(struct rc_conn *cn)
{

	pthread_mutex_lock(&rc_client.c_mtx);
	rc_conn_rele_locked(cn);
	pthread_mutex_unlock(&rc_client.c_mtx);
}

/*
 * References this thread holds through rc_conn_get(): more than one
 * when a signal handler's call interrupted a call of its own.
 */
static __thread int rc_thread_refs;

/* Let go of a reference rc_conn_get() gave (c_mtx held). */
void
rc_conn_put_locked(struct rc_conn *cn)
{

	rc_thread_refs--;
	rc_conn_rele_locked(cn);
}

static void
rc_die(void)
{

	fprintf(stderr, "%s: rump kernel server connection lost, exiting\n",
	    getprogname());
	exit(1);
}

/*
 * The connection broke (EOF, a read or send error, a frame we cannot
 * make sense of).  Idempotent.  Wakes every waiter on it; each one
 * fails with ENOTCONN unless its reply is already in.
 */
void
rc_conn_kill(struct rc_conn *cn)
{
	struct rc_client *c = &rc_client;
	struct rc_waiter *w;
	bool die;

	pthread_mutex_lock(&c->c_mtx);
	if (cn->cn_dead) {
		pthread_mutex_unlock(&c->c_mtx);
		return;
	}
	cn->cn_dead = true;
	/* shutdown wakes a reader or sender blocked on it; not the parent's */
	if (!cn->cn_noshut)
		if (rc_conn_fdok(cn))
			(void)shutdown(cn->cn_fd, SHUT_RDWR);
	TAILQ_FOREACH(w, &cn->cn_waiters, w_entries)
		rc_wake(w->w_efd);
	/* the listener leaves exit(3) to the program's next call */
	die = c->c_retry == RUMPCLIENT_RETRYCONN_DIE && c->c_conn == cn &&
	    !c->c_exiting && !rc_listener_self();
	if (c->c_conn == cn) {
		c->c_conn = NULL;
		cn->cn_retired = true;
		c->c_retired += cn->cn_refs;
		rc_conn_rele_locked(cn);
	}
	pthread_mutex_unlock(&c->c_mtx);
	if (die)
		rc_die();
}

static struct timespec
rc_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts;
}

/* Reconnect under policy; called by the one thread marked c_connecting. */
static int
rc_reconnect(const struct rsp_addr *ra, time_t policy,
    const sigset_t *omask, struct rc_conn **cnp)
{
	const char *comm = getprogname();
	struct timespec start, now, ts;
	long backoff_ms = 10, left_ms;
	int error;

	start = rc_now();
	for (;;) {
		error = rc_open(ra, HANDSHAKE_GUEST, comm,
		    strnlen(comm, RUMPSP_MAXCOMM), omask, cnp);
		if (error == 0)
			return 0;
		rc_debug("reconnect failed: %s", strerror(error));
		if (policy == RUMPCLIENT_RETRYCONN_ONCE)
			return error;
		ts.tv_sec = backoff_ms / 1000;
		ts.tv_nsec = (backoff_ms % 1000) * 1000000;
		if (policy > 0) {
			now = rc_now();
			left_ms = (long)(policy - (now.tv_sec - start.tv_sec)) *
			    1000 - (now.tv_nsec - start.tv_nsec) / 1000000;
			if (left_ms <= 0)
				return error;
			if (left_ms < backoff_ms) {
				ts.tv_sec = left_ms / 1000;
				ts.tv_nsec = (left_ms % 1000) * 1000000;
			}
		}
		(void)ppoll(NULL, 0, &ts, omask);
		backoff_ms *= 2;
		if (backoff_ms > 1000)
			backoff_ms = 1000;
	}
}

/*
 * Before a reconnect makes its socket (c_mtx held, dropped meanwhile):
 * wait until no other thread uses a retired connection, so that none
 * can read from or write to the new socket through the number the old
 * one had.  Each notices within RC_CHECK_MS that its descriptor is
 * gone; one that holds on longer (a signal handler that does not
 * return) is waited for RC_RETIRE_MS, then the reconnect goes ahead.
 */
static void
rc_wait_retired(const sigset_t *omask)
{
	struct rc_client *c = &rc_client;
	struct timespec start, now;
	int efd;

	start = rc_now();
	while (c->c_retired > rc_thread_refs) {
		now = rc_now();
		if ((now.tv_sec - start.tv_sec) * 1000 +
		    (now.tv_nsec - start.tv_nsec) / 1000000 >= RC_RETIRE_MS) {
			rc_debug("reconnecting while %d calls hold the old "
			    "connection", c->c_retired - rc_thread_refs);
			break;
		}
		pthread_mutex_unlock(&c->c_mtx);
		efd = rc_thread_efd();
		pthread_mutex_lock(&c->c_mtx);
		c->c_retirefd = efd;
		if (c->c_retired <= rc_thread_refs)
			break;
		pthread_mutex_unlock(&c->c_mtx);
		(void)rc_sleep(efd, omask);
		pthread_mutex_lock(&c->c_mtx);
	}
	c->c_retirefd = -1;
}

/*
 * Sleep (c_mtx held, dropped while asleep) until a reconnect finishes.
 * The sleeper is in the call's record when it has one (rc_call.c): a
 * signal handler may jump out of the sleep.
 */
static void
rc_wait_reconnect(const sigset_t *omask)
{
	struct rc_client *c = &rc_client;
	struct rc_callrec *cr = rc_call_current();
	struct rc_sleeper st, *s = &st;

	if (cr != NULL && !cr->cr_sleeping)
		s = &cr->cr_sleeper;
	else
		cr = NULL;
	pthread_mutex_unlock(&c->c_mtx);
	s->s_efd = rc_thread_efd();
	pthread_mutex_lock(&c->c_mtx);
	if (!c->c_connecting)
		return;
	TAILQ_INSERT_TAIL(&c->c_connwait, s, s_entries);
	if (cr != NULL)
		cr->cr_sleeping = true;
	pthread_mutex_unlock(&c->c_mtx);
	(void)rc_sleep(s->s_efd, omask);
	pthread_mutex_lock(&c->c_mtx);
	TAILQ_REMOVE(&c->c_connwait, s, s_entries);
	if (cr != NULL)
		cr->cr_sleeping = false;
}

/*
 * cr's call was abandoned (rc_call.c; signals blocked): it waits for no
 * reconnect any more, and one it was making has failed (its socket,
 * if it had one yet, is lost).
 */
void
rc_conn_abandon(struct rc_callrec *cr)
{
	struct rc_client *c = &rc_client;
	struct rc_sleeper *s;

	if (!cr->cr_sleeping && !cr->cr_connecting)
		return;
	pthread_mutex_lock(&c->c_mtx);
	if (cr->cr_sleeping) {
		TAILQ_REMOVE(&c->c_connwait, &cr->cr_sleeper, s_entries);
		cr->cr_sleeping = false;
	}
	if (cr->cr_connecting) {
		cr->cr_connecting = false;
		c->c_connecting = false;
		c->c_retirefd = -1;
		c->c_connepoch++;
		c->c_connfailed = true;
		TAILQ_FOREACH(s, &c->c_connwait, s_entries)
			rc_wake(s->s_efd);
	}
	pthread_mutex_unlock(&c->c_mtx);
}

/*
 * A call was cut off by a broken connection: does the policy reconnect?
 * Then it is sent again on the new one, as NetBSD's client does.  Under
 * RUMPCLIENT_RETRYCONN_DIE the process exits here: whoever saw the
 * break first (the listener leaves the exit to the calls) the call
 * never returns ENOTCONN.
 */
bool
rc_conn_resends(void)
{
	struct rc_client *c = &rc_client;
	time_t policy;

	pthread_mutex_lock(&c->c_mtx);
	policy = c->c_exiting ? 0 : c->c_retry;
	pthread_mutex_unlock(&c->c_mtx);
	if (policy == RUMPCLIENT_RETRYCONN_DIE)
		rc_die();
	return policy != 0;
}

/*
 * A referenced live connection for a new request, reconnecting under
 * the policy if the last one broke.  Returns 0 or an errno (ENOTCONN).
 */
int
rc_conn_get(const sigset_t *omask, struct rc_conn **cnp)
{
	struct rc_client *c = &rc_client;
	struct rc_callrec *cr;
	struct rc_sleeper *s;
	struct rc_conn *cn;
	struct rsp_addr ra;
	uint64_t epoch = 0;
	bool waited = false, reconnected = false;
	time_t policy;
	int error;

	pthread_mutex_lock(&c->c_mtx);
	for (;;) {
		if ((cn = c->c_conn) != NULL) {
			cn->cn_refs++;
			rc_thread_refs++;
			pthread_mutex_unlock(&c->c_mtx);
			if (reconnected)
				rc_listener_start();
			*cnp = cn;
			return 0;
		}
		policy = c->c_retry;
		if (c->c_exiting)
			break;
		if (!c->c_inited || !c->c_haveaddr || policy == 0)
			break;
		/*
		 * Another thread's reconnect ended while we waited.  If it
		 * gave up, so do we; if it succeeded and that connection
		 * broke already, we try ourselves.
		 */
		if (waited && c->c_connepoch != epoch) {
			if (c->c_connfailed)
				break;
			waited = false;
		}
		if (policy == RUMPCLIENT_RETRYCONN_DIE) {
			pthread_mutex_unlock(&c->c_mtx);
			rc_die();
		}
		if (c->c_connecting) {
			/* a signal handler nested in our own reconnect */
			if (pthread_equal(c->c_connthread, pthread_self()))
				break;
			if (!waited)
				epoch = c->c_connepoch;
			waited = true;
			rc_wait_reconnect(omask);
			continue;
		}
		c->c_connecting = true;
		c->c_connthread = pthread_self();
		if ((cr = rc_call_current()) != NULL)
			cr->cr_connecting = true;
		rc_wait_retired(omask);
		ra = c->c_addr;
		pthread_mutex_unlock(&c->c_mtx);
		error = rc_reconnect(&ra, policy, omask, &cn);
		pthread_mutex_lock(&c->c_mtx);
		if (cr != NULL)
			cr->cr_connecting = false;
		c->c_connecting = false;
		c->c_connepoch++;
		c->c_connfailed = error != 0;
		TAILQ_FOREACH(s, &c->c_connwait, s_entries)
			rc_wake(s->s_efd);
		if (error != 0)
			break;
		c->c_conn = cn;
		reconnected = true;
	}
	pthread_mutex_unlock(&c->c_mtx);
	return ENOTCONN;
}

void
rumpclient_setconnretry(time_t retrytime)
{

	if (retrytime < RUMPCLIENT_RETRYCONN_DIE)
		return;
	pthread_mutex_lock(&rc_client.c_mtx);
	rc_client.c_retry = retrytime;
	pthread_mutex_unlock(&rc_client.c_mtx);
}

/*
 * Take over the connection an exec'ing rumpclient_exec() left us:
 * "fd:major.minor", and ":memfd" when it was on shared rings.  The
 * kernel process goes on; the EXEC handshake follows.
 */
static int
rc_adopt(const char *v)
{
	struct rc_conn *cn;
	char *end;
	long fd, major, minor, memfd = -1;
	int fl, error;

	errno = 0;
	fd = strtol(v, &end, 10);
	if (end == v || *end != ':' || fd < 0 || fd > 1 << 30)
		return EINVAL;
	v = end + 1;
	major = strtol(v, &end, 10);
	if (end == v || *end != '.' || major < 0 || major > 1 << 30)
		return EINVAL;
	v = end + 1;
	minor = strtol(v, &end, 10);
	if (end == v || (*end != '\0' && *end != ':') || minor < 0 ||
	    minor > 1 << 30 || errno)
		return EINVAL;
	if (*end == ':') {
		v = end + 1;
		memfd = strtol(v, &end, 10);
		if (end == v || *end != '\0' || memfd < 0 || memfd > 1 << 30 ||
		    errno)
			return EINVAL;
		if (fcntl((int)memfd, F_SETFD, FD_CLOEXEC) == -1)
			return errno;
	}
	if (fcntl((int)fd, F_SETFD, FD_CLOEXEC) == -1 ||
	    (fl = fcntl((int)fd, F_GETFL)) == -1 ||
	    fcntl((int)fd, F_SETFL, fl | O_NONBLOCK) == -1)
		return errno;
	if ((cn = rc_conn_alloc((int)fd, (int)major, (int)minor)) == NULL)
		return ENOMEM;
	if (memfd != -1 && (error = rc_shm_adopt(cn, (int)memfd)) != 0) {
		free(cn);
		return error;
	}
	rc_client.c_conn = cn;
	return 0;
}

/* Answer a copy request of the old image's: its memory is gone. */
static int
rc_exec_refuse(struct rc_conn *cn, const struct rsp_hdr *req)
{
	static const char why[] = "process image replaced by exec";
	struct rsp_hdr h;
	struct iovec iov[2];

	rsp_hdr_fill(&h, RSP_HDRSZ + sizeof(why), req->rsp_reqno,
	    RUMPSP_ERROR, req->rsp_type, RUMPSP_ERR_MALFORMED_REQUEST);
	iov[0].iov_base = &h;
	iov[0].iov_len = sizeof(h);
	iov[1].iov_base = (void *)(uintptr_t)why;
	iov[1].iov_len = sizeof(why);
	return rc_conn_send(cn, iov, 2);
}

/*
 * The new image's EXEC handshake, as in NetBSD: the old image called
 * execve(2) first and left the connection at a frame boundary.  The
 * server answers after the old image's calls have drained; until then
 * their replies are dropped, their copy requests refused (that memory
 * no longer exists) and their signals ignored.
 */
static int
rc_exec_handshake(struct rc_conn *cn, const char *comm)
{
	char reason[RC_MAXREASON];
	struct rsp_hdr h;
	struct iovec iov[2];
	size_t len = strnlen(comm, RUMPSP_MAXCOMM), blen, n;
	int error;

	rsp_hdr_fill(&h, RSP_HDRSZ + len, 0, RUMPSP_REQ, RUMPSP_HANDSHAKE,
	    HANDSHAKE_EXEC);
	iov[0].iov_base = &h;
	iov[0].iov_len = sizeof(h);
	iov[1].iov_base = (void *)(uintptr_t)comm;
	iov[1].iov_len = len;
	if ((error = rc_conn_send(cn, iov, len ? 2 : 1)) != 0)
		return error;
	for (;;) {
		if ((error = rc_cnread(cn, &h, sizeof(h))) != 0)
			return error;
		if (rsp_hdr_check(&h, &(const char *){ NULL }) !=
		    RUMPSP_ERR_NONE)
			return EPROTO;
		blen = h.rsp_len - RSP_HDRSZ;
		if (h.rsp_type == RUMPSP_HANDSHAKE &&
		    h.rsp_class != RUMPSP_REQ) {
			n = blen < sizeof(reason) ? blen : sizeof(reason);
			if ((error = rc_cnread(cn, reason, n)) != 0 ||
			    (error = rc_cnread(cn, NULL, blen - n)) != 0)
				return error;
			return h.rsp_class == RUMPSP_ERROR ?
			    rc_errframe(&h, reason, n) : 0;
		}
		if ((error = rc_cnread(cn, NULL, blen)) != 0)
			return error;
		if (h.rsp_class == RUMPSP_REQ &&
		    (h.rsp_type == RUMPSP_COPYIN ||
		    h.rsp_type == RUMPSP_COPYINSTR) &&
		    (error = rc_exec_refuse(cn, &h)) != 0)
			return error;
	}
}

static int
rc_init_locked(const sigset_t *omask)
{
	struct rc_client *c = &rc_client;
	struct rsp_addr ra;
	struct rc_conn *cn;
	const char *url, *v, *comm;
	int error;

	url = getenv("RUMP_SERVER");
	if ((v = getenv("RUMP_KEYFILE")) != NULL && *v != '\0' &&
	    c->c_key.k_len == 0) {
		if ((error = rsp_auth_init()) != 0 ||
		    (error = rsp_key_load(v, &c->c_key)) != 0) {
			rc_debug("%s: %s", v, error == EACCES ?
			    "readable by group or others" : strerror(error));
			return error;
		}
	}
	comm = getprogname();
	if (comm == NULL)
		comm = "rumpclient";
	if ((v = getenv("RUMPCLIENT__EXECFD")) != NULL) {
		pthread_mutex_lock(&c->c_mtx);
		error = rc_adopt(v);
		if (error == 0) {
			error = rc_exec_handshake(c->c_conn, comm);
			if (error != 0) {
				rc_shm_free(c->c_conn);
				close(c->c_conn->cn_fd);
				free(c->c_conn);
				c->c_conn = NULL;
			}
		}
		if (error == 0 && url != NULL &&
		    rsp_url_resolve(url, 0, &c->c_addr) == 0)
			c->c_haveaddr = true;
		if (error == 0)
			c->c_inited = true;
		pthread_mutex_unlock(&c->c_mtx);
		unsetenv("RUMPCLIENT__EXECFD");
		return error;
	}
	if (url == NULL)
		return ENOENT;
	if ((error = rsp_url_resolve(url, 0, &ra)) != 0)
		return error;
	error = rc_open(&ra, HANDSHAKE_GUEST, comm,
	    strnlen(comm, RUMPSP_MAXCOMM), omask, &cn);
	if (error != 0)
		return error;
	pthread_mutex_lock(&c->c_mtx);
	c->c_addr = ra;
	c->c_haveaddr = true;
	c->c_conn = cn;
	c->c_inited = true;
	pthread_mutex_unlock(&c->c_mtx);
	return 0;
}

int
rumpclient_init(void)
{
	struct rc_client *c = &rc_client;
	sigset_t omask;
	bool inited;
	int error = 0;

	rc_global_init();
	rc_blocksigs(&omask);
	pthread_mutex_lock(&c->c_initmtx);
	pthread_mutex_lock(&c->c_mtx);
	inited = c->c_inited;
	pthread_mutex_unlock(&c->c_mtx);
	if (!inited && (error = rc_init_locked(&omask)) == 0)
		rc_listener_start();
	pthread_mutex_unlock(&c->c_initmtx);
	rc_restoresigs(&omask);
	if (error != 0) {
		errno = error;
		return -1;
	}
	return 0;
}
