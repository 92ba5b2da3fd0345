/*
 * rc_call.c -- one request and its reply over the shared connection:
 * request numbers, waiters, and the reader role.
 *
 * Every call blocks all signals for its whole length (rc_blocksigs) and
 * lets them in only while it waits, in ppoll() with the caller's mask.
 * So a signal handler never runs in the middle of a frame, sent or
 * read, and it never runs while this library holds a lock.  For the
 * same reason cancellation is off while signals are blocked: a thread
 * cancelled in ppoll() would leave its waiter, on its stack, in the
 * connection's list.  (A call on the thread's own connection, rc_tconn.c,
 * blocks nothing and may be cancelled: the connection dies with the
 * thread, and the server then interrupts the call.)
 *
 * At most one thread reads the connection (its socket, or the ring the
 * server writes when it is on shared memory, rc_shm.c): the reader.
 * It reads whole
 * frames, hands each reply to the waiter with the same request number
 * and answers the server's own requests (rc_serve.c).  The others sleep
 * on their thread's eventfd.  When the reader's reply is in, it gives
 * the role up and wakes one other waiter, which takes it.  A signal
 * handler that runs while its thread holds the role (in ppoll, so
 * between frames) may make calls that read frames themselves; whoever
 * returns from ppoll(), EINTR or not, re-checks its own state under
 * c_mtx, so no reply and no wakeup is ever lost to a nested call.
 *
 * While no call is in flight the listener thread (rc_listen.c) may hold
 * the role.  A call takes it back as it starts, before its request
 * leaves (rc_listener_yield), so a thread making calls back to back
 * reads its own replies and never waits for another thread.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rumpclient_int.h"

/* w_efd: not yet asked for / none could be made (sleep by polling) */
#define RC_EFD_UNSET	(-1)
#define RC_EFD_NONE	(-2)

/* blocks nested (a signal handler's call in ppoll) keep the outer state */
static __thread int rc_blockdepth, rc_cancelstate;

void
rc_blocksigs(sigset_t *omask)
{
	sigset_t all;
	int state;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, omask);
	(void)pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &state);
	if (rc_blockdepth++ == 0)
		rc_cancelstate = state;
}

void
rc_restoresigs(const sigset_t *omask)
{

	if (--rc_blockdepth == 0)
		(void)pthread_setcancelstate(rc_cancelstate, NULL);
	pthread_sigmask(SIG_SETMASK, omask, NULL);
}

/*
 * Calls that a signal handler leaves.  A handler runs in the middle of
 * a call (in its ppoll(), or anywhere in a call on the thread's own
 * connection) and may make calls itself, or leave with siglongjmp(3):
 * then the call under it never returns, yet its waiter is on the
 * connection's list, it may hold the reader role or the thread's own
 * connection (t_busy), and its reply is still to come.  So every call
 * made through rumpclient__syscall() keeps a record in thread-local
 * storage, up to RC_MAXNEST nested, with the waiter in it (not on the
 * stack, which the jump gives up and others would write to).  A call
 * of the handler's runs on a frame below the one it interrupted; a
 * call that finds a record whose frame is not above its own (and is
 * not on an alternate signal stack) knows that call was abandoned and
 * ends it first (rc_call_reap): its waiter leaves, its reply will be
 * dropped, a thread connection it used is closed (the server then
 * interrupts the call), a reconnect it made is called failed, and the
 * signal-blocking depth is what it was before it.  The thread's exit
 * reaps whatever is left.  Until then the abandoned call keeps what it
 * held, except the reader role, which another thread's call takes
 * over after a while (rc_reader_gone).
 */
#define RC_MAXNEST	4

static __thread struct rc_callrec rc_calls[RC_MAXNEST];
static __thread int rc_ncalls;		/* may exceed RC_MAXNEST */
static __thread bool rc_call_keyed;
static pthread_key_t rc_call_key;
static bool rc_call_havekey;

static void	rc_call_reap_all(void *);
static void	rc_waiter_leave(struct rc_conn *, struct rc_waiter *);

/* Called once, from rc_global_init(). */
void
rc_call_init(void)
{

	rc_call_havekey = pthread_key_create(&rc_call_key,
	    rc_call_reap_all) == 0;
}

/* Records in use: calls nested deeper than RC_MAXNEST have none. */
static int
rc_nrecorded(void)
{

	return rc_ncalls < RC_MAXNEST ? rc_ncalls : RC_MAXNEST;
}

/* Is this thread running on its alternate signal stack? */
static bool
rc_on_altstack(void)
{
	stack_t ss;

	return sigaltstack(NULL, &ss) == 0 && (ss.ss_flags & SS_ONSTACK);
}

/*
 * Tell the server that nobody waits for call reqno on cn any more
 * (CANCEL, 0.9): a call asleep in its kernel is interrupted there, as
 * a signal would have done in a kernel of our own.
 */
static void
rc_cancel_send(struct rc_conn *cn, uint64_t reqno)
{
	struct rc_client *c = &rc_client;
	struct rsp_hdr h;
	struct iovec iov;
	int error;

	rsp_hdr_fill(&h, RSP_HDRSZ, reqno, RUMPSP_REQ, RUMPSP_CANCEL, 0);
	iov.iov_base = &h;
	iov.iov_len = sizeof(h);
	pthread_mutex_lock(&c->c_sendmtx);
	error = rc_conn_send(cn, &iov, 1);
	pthread_mutex_unlock(&c->c_sendmtx);
	if (error != 0)
		rc_debug("cancel of call %llu not sent: %s",
		    (unsigned long long)reqno, strerror(error));
}

/* End cr's call, abandoned (signals blocked). */
static void
rc_call_reap(struct rc_callrec *cr)
{
	struct rc_client *c = &rc_client;
	struct rc_waiter *w = &cr->cr_w;
	struct rc_conn *cn = NULL;
	bool cancel = false;

	if (cr->cr_own) {
		rc_tconn_abandon();
		cr->cr_own = false;
	}
	pthread_mutex_lock(&c->c_mtx);
	/* the reader may be putting a reply into it right now */
	while (w->w_linked && w->w_filling) {
		pthread_mutex_unlock(&c->c_mtx);
		sched_yield();
		pthread_mutex_lock(&c->c_mtx);
	}
	if (w->w_linked) {
		cn = w->w_conn;
		cancel = !w->w_done && !w->w_unsent && !cn->cn_dead &&
		    cn->cn_minor >= 9;
		rc_waiter_leave(cn, w);
	}
	pthread_mutex_unlock(&c->c_mtx);
	if (cn != NULL) {
		rc_debug("call %llu abandoned by a signal handler",
		    (unsigned long long)w->w_reqno);
		if (cancel)
			rc_cancel_send(cn, w->w_reqno);
		/* the call's reference, which it would have given back */
		pthread_mutex_lock(&c->c_mtx);
		rc_conn_put_locked(cn);
		pthread_mutex_unlock(&c->c_mtx);
	}
	rc_waiter_fini(w);
	rc_conn_abandon(cr);
	rc_blockdepth = cr->cr_blockdepth;
	if (rc_blockdepth == 0)
		(void)pthread_setcancelstate(rc_cancelstate, NULL);
}

/* At thread exit (and with signals blocked): every call left is. */
static void
rc_call_reap_all(void *arg)
{
	sigset_t all, omask;
	int n;

	(void)arg;
	rc_call_keyed = false;
	if ((n = rc_nrecorded()) == 0)
		return;		/* every thread's exit: no system call */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &omask);
	while (n > 0)
		rc_call_reap(&rc_calls[--n]);
	rc_ncalls = 0;
	pthread_sigmask(SIG_SETMASK, &omask, NULL);
}

/* Is the innermost recorded call under a frame at frame abandoned? */
static bool
rc_call_stale(uintptr_t frame)
{
	int n = rc_nrecorded();

	return n > 0 && frame >= rc_calls[n - 1].cr_frame;
}

/*
 * A call starts on a frame at frame: end the calls it shows abandoned,
 * then record it.  Returns its record, or NULL when calls nest deeper
 * than RC_MAXNEST.
 */
struct rc_callrec *
rc_call_begin(uintptr_t frame)
{
	struct rc_callrec *cr;
	sigset_t all, omask;
	int n;

	if (rc_call_stale(frame) && !rc_on_altstack()) {
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &omask);
		while (rc_call_stale(frame)) {
			n = rc_nrecorded();
			rc_call_reap(&rc_calls[n - 1]);
			rc_ncalls = n - 1;
		}
		pthread_sigmask(SIG_SETMASK, &omask, NULL);
	}
	if (rc_ncalls >= RC_MAXNEST) {
		rc_ncalls++;
		return NULL;
	}
	if (!rc_call_keyed && rc_call_havekey) {
		rc_call_keyed = true;
		(void)pthread_setspecific(rc_call_key, &rc_call_keyed);
	}
	/*
	 * A handler may run anywhere in here and call: it must see this
	 * record as a call it interrupted (a frame above all) until the
	 * record is whole.
	 */
	cr = &rc_calls[rc_ncalls];
	cr->cr_frame = UINTPTR_MAX;
	atomic_signal_fence(memory_order_seq_cst);
	rc_ncalls++;
	atomic_signal_fence(memory_order_seq_cst);
	cr->cr_blockdepth = rc_blockdepth;
	cr->cr_own = cr->cr_connecting = cr->cr_sleeping = false;
	cr->cr_w.w_linked = false;
	cr->cr_w.w_body = NULL;
	atomic_signal_fence(memory_order_seq_cst);
	cr->cr_frame = frame;
	return cr;
}

/* The call of cr (NULL: it had no record) returns. */
void
rc_call_end(struct rc_callrec *cr)
{

	(void)cr;
	atomic_signal_fence(memory_order_seq_cst);
	rc_ncalls--;
}

/* This thread's innermost recorded call, if it is the innermost call. */
struct rc_callrec *
rc_call_current(void)
{

	if (rc_ncalls == 0 || rc_ncalls > RC_MAXNEST)
		return NULL;
	return &rc_calls[rc_ncalls - 1];
}

/* In the child of fork(2): the parent's calls are not the child's. */
void
rc_call_postfork_child(void)
{

	rc_ncalls = 0;
}

void
rc_waiter_fini(struct rc_waiter *w)
{

	if (w->w_body != NULL && w->w_body != (uint8_t *)w->w_inl)
		free(w->w_body);
	w->w_body = NULL;
}

/*
 * Wait, mid-frame, until the socket has bytes: with every signal
 * blocked, since a frame is never left half read for a handler.  A
 * quiet RC_CHECK_MS looks whether the descriptor is still ours.  (On
 * rings the wait is rc_shm_some's.)
 */
static int
rc_cnwait(struct rc_conn *cn)
{
	struct timespec ts = RC_CHECK_TS;
	struct pollfd pfd;
	int n;

	pfd.fd = cn->cn_fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	n = ppoll(&pfd, 1, &ts, NULL);
	if (n == -1 && errno != EINTR)
		return errno;
	if ((n == 0 || (pfd.revents & POLLNVAL)) && !rc_conn_fdok(cn))
		return EBADF;
	return 0;
}

/* Refill the empty read-ahead buffer from the shared ring. */
static int
rc_cnfill_shm(struct rc_conn *cn)
{
	size_t n;
	int error;

	if ((error = rc_shm_some(cn, &n)) != 0)
		return error;
	if (n > sizeof(cn->cn_rbuf))
		n = sizeof(cn->cn_rbuf);
	rc_shm_get(cn, cn->cn_rbuf, n);
	cn->cn_rpos = 0;
	cn->cn_rlen = n;
	return 0;
}

/* Refill the empty read-ahead buffer with what the socket has. */
static int
rc_cnfill(struct rc_conn *cn)
{
	size_t want = sizeof(cn->cn_rbuf);
	ssize_t r;
	int error;

	if (cn->cn_shm != NULL)
		return rc_cnfill_shm(cn);
	/* the head of a large reply alone: its data goes straight in */
	if (cn->cn_rnext > 0 && cn->cn_rnext < want)
		want = cn->cn_rnext;
	cn->cn_rnext = 0;
	for (;;) {
		/*
		 * A thread's own connection waits in recv itself, with
		 * signals deliverable and SO_RCVTIMEO at RC_CHECK_MS: a
		 * timeout looks whether the descriptor is still ours.
		 */
		r = recv(cn->cn_fd, cn->cn_rbuf, want,
		    cn->cn_own ? 0 : MSG_DONTWAIT);
		if (r > 0) {
			cn->cn_rpos = 0;
			cn->cn_rlen = (size_t)r;
			return 0;
		}
		if (r == 0)
			return ECONNRESET;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return errno;
		if (cn->cn_own) {
			if (!rc_conn_fdok(cn))
				return EBADF;
			continue;
		}
		if ((error = rc_cnwait(cn)) != 0)
			return error;
	}
}

/* Read len bytes of the stream straight into our buffer p. */
static int
rc_cnrecv(struct rc_conn *cn, uint8_t *p, size_t len)
{
	size_t n;
	int error;

	if (cn->cn_shm == NULL)
		return rc_recvall(cn->cn_fd, p, len, NULL);
	while (len > 0) {
		if ((error = rc_shm_some(cn, &n)) != 0)
			return error;
		if (n > len)
			n = len;
		rc_shm_get(cn, p, n);
		p += n;
		len -= n;
	}
	return 0;
}

/*
 * Read len bytes of the frame in hand (buf NULL: drop them), through
 * the read-ahead buffer: one recv brings a small reply, header and
 * body, and whatever follows it.  Large reads go straight to buf.
 * Only the reader calls this.  Returns 0 or an errno.
 */
int
rc_cnread(struct rc_conn *cn, void *buf, size_t len)
{
	uint8_t *p = buf;
	size_t n;
	int error;

	while (len > 0) {
		if (cn->cn_rpos < cn->cn_rlen) {
			n = cn->cn_rlen - cn->cn_rpos;
			if (n > len)
				n = len;
			if (p != NULL) {
				memcpy(p, cn->cn_rbuf + cn->cn_rpos, n);
				p += n;
			}
			cn->cn_rpos += n;
			len -= n;
			continue;
		}
		if (p != NULL && len >= sizeof(cn->cn_rbuf))
			return rc_cnrecv(cn, p, len);
		if ((error = rc_cnfill(cn)) != 0)
			return error;
	}
	return 0;
}

/*
 * Read len bytes of the frame into the program's memory at addr.  A
 * bad address is not the connection's fault: the bytes are read and
 * dropped, *faultp says EFAULT, the stream goes on.  recv(2) into a
 * bad buffer fails with nothing consumed (Unix and TCP alike), so the
 * drop starts where the fault was.
 */
static int
rc_cnread_user(struct rc_conn *cn, uint64_t addr, size_t len, int *faultp)
{
	size_t n;
	ssize_t r;
	int error;

	while (len > 0) {
		if (*faultp != 0)
			return rc_cnread(cn, NULL, len);
		if (cn->cn_rpos < cn->cn_rlen) {
			n = cn->cn_rlen - cn->cn_rpos;
			if (n > len)
				n = len;
			if (rc_memwrite(addr, cn->cn_rbuf + cn->cn_rpos, n) != 0)
				*faultp = EFAULT;
			cn->cn_rpos += n;
			addr += n;
			len -= n;
			continue;
		}
		if (len < sizeof(cn->cn_rbuf)) {
			if ((error = rc_cnfill(cn)) != 0)
				return error;
			continue;
		}
		if (cn->cn_shm != NULL) {
			if ((error = rc_shm_some(cn, &n)) != 0)
				return error;
			if (n > len)
				n = len;
			*faultp = rc_shm_getuser(cn, addr, n);
			addr += n;
			len -= n;
			continue;
		}
		/* a thread's own connection waits in recv for all of it */
		r = recv(cn->cn_fd, (void *)(uintptr_t)addr, len,
		    cn->cn_own ? MSG_WAITALL : MSG_DONTWAIT);
		if (r > 0) {
			addr += (size_t)r;
			len -= (size_t)r;
			continue;
		}
		if (r == 0)
			return ECONNRESET;
		if (errno == EFAULT)
			*faultp = EFAULT;
		else if (errno == EAGAIN && cn->cn_own) {
			if (!rc_conn_fdok(cn))
				return EBADF;
		} else if (errno == EAGAIN) {
			if ((error = rc_cnwait(cn)) != 0)
				return error;
		} else if (errno != EINTR)
			return errno;
	}
	return 0;
}

static bool
rc_outset_has(const struct rc_outset *os, const struct rsp_region *rr)
{
	const struct rc_outreg *o;
	size_t i;

	for (i = 0; i < os->os_n; i++) {
		o = &os->os_reg[i];
		if (rr->rr_addr >= o->o_addr && rr->rr_len <= o->o_len &&
		    rr->rr_addr - o->o_addr <= o->o_len - rr->rr_len)
			return true;
	}
	return false;
}

/*
 * A SYSCALL reply of len bytes for w: the rsp_sysresp into w_inl, each
 * region's data straight to where the program asked for it, once it
 * is known to lie inside an OUT region the request sent.  A reply that
 * does not add up (EPROTO) or a bad address (EFAULT) fails the call,
 * not the connection: the frame's length delimits it, and what is left
 * of it is dropped.  Regions before the bad one are in place, as a
 * host kernel's read leaves what it copied before a fault.  Returns 0
 * or an errno that broke the connection.
 */
int
rc_place(struct rc_conn *cn, struct rc_waiter *w, size_t len)
{
	struct rsp_sysresp rs;
	struct rsp_region rr;
	size_t left = len - sizeof(rs), dlen;
	int32_t i;
	int bad = 0, error;

	if ((error = rc_cnread(cn, w->w_inl, sizeof(rs))) != 0)
		return error;
	memcpy(&rs, w->w_inl, sizeof(rs));
	if (rs.rsys_error < 0 || rs.rsys_nregions < 0 ||
	    rs.rsys_nregions > RUMPSP_MAXREGIONS)
		bad = EPROTO;
	for (i = 0; bad == 0 && i < rs.rsys_nregions; i++) {
		if (left < sizeof(rr)) {
			bad = EPROTO;
			break;
		}
		if ((error = rc_cnread(cn, &rr, sizeof(rr))) != 0)
			return error;
		left -= sizeof(rr);
		dlen = RSP_PAD8((size_t)rr.rr_len);
		if (rr.rr_flags != RSP_REGION_OUT || dlen > left ||
		    !rc_outset_has(w->w_out, &rr)) {
			bad = EPROTO;
			break;
		}
		if ((error = rc_cnread_user(cn, rr.rr_addr, rr.rr_len,
		    &bad)) != 0 ||
		    (error = rc_cnread(cn, NULL, dlen - rr.rr_len)) != 0)
			return error;
		left -= dlen;
	}
	if (bad == 0 && left != 0)
		bad = EPROTO;
	if (left > 0 && (error = rc_cnread(cn, NULL, left)) != 0)
		return error;
	w->w_placeerr = bad;
	return 0;
}

/*
 * A reply or an ERROR frame: find its waiter and read the body into it.
 * The waiter cannot leave while w_filling is set, so the body is read
 * without the lock.  Returns 0 or the errno that broke the connection.
 */
static int
rc_deliver(struct rc_conn *cn, const struct rsp_hdr *h)
{
	struct rc_client *c = &rc_client;
	size_t len = h->rsp_len - RSP_HDRSZ;
	struct rc_waiter *w;
	uint8_t *body;
	bool placed;
	int error;

	pthread_mutex_lock(&c->c_mtx);
	TAILQ_FOREACH(w, &cn->cn_waiters, w_entries) {
		if (w->w_reqno == h->rsp_reqno && !w->w_done)
			break;
	}
	if (w != NULL)
		w->w_filling = true;
	pthread_mutex_unlock(&c->c_mtx);
	if (w == NULL) {
		rc_debug("reply to unknown request %llu dropped",
		    (unsigned long long)h->rsp_reqno);
		return rc_cnread(cn, NULL, len);
	}
	placed = w->w_out != NULL && h->rsp_class == RUMPSP_RESP &&
	    h->rsp_type == RUMPSP_SYSCALL && len >= sizeof(struct rsp_sysresp);
	if (placed || len <= sizeof(w->w_inl))
		body = (uint8_t *)w->w_inl;
	else
		body = malloc(len);
	if (placed) {
		error = rc_place(cn, w, len);
		len = sizeof(struct rsp_sysresp);
	} else if (body != NULL)
		error = rc_cnread(cn, body, len);
	else
		error = rc_cnread(cn, NULL, len);
	if (error != 0) {
		/* dead before w may look again: it must not wait for more */
		rc_conn_kill(cn);
		if (body != (uint8_t *)w->w_inl)
			free(body);
		body = NULL;
	}
	pthread_mutex_lock(&c->c_mtx);
	w->w_filling = false;
	if (error == 0) {
		w->w_hdr = *h;
		w->w_body = body;
		w->w_bodylen = len;
		w->w_placed = placed;
		w->w_error = body == NULL ? ENOMEM : 0;
		w->w_done = true;
	}
	/* a waiter of this thread re-checks on its way out of ppoll */
	if (!pthread_equal(w->w_thread, pthread_self()))
		rc_wake(w->w_efd);
	pthread_mutex_unlock(&c->c_mtx);
	return error;
}

/*
 * Read and dispatch one whole frame, with every signal blocked; the
 * caller holds the reader role.  A RAISE is not delivered here: *sigp
 * is set and the caller raises it once the frame is consumed.  Returns
 * 0, or an errno after which the connection is dead.
 */
int
rc_frame(struct rc_conn *cn, int *sigp)
{
	struct rsp_hdr h;
	const char *why;
	int error;

	*sigp = 0;
	if ((error = rc_cnread(cn, &h, sizeof(h))) != 0)
		goto bad;
	if (rsp_hdr_check(&h, &why) != RUMPSP_ERR_NONE) {
		rc_debug("bad frame from server: %s", why);
		error = EPROTO;
		goto bad;
	}
	if (h.rsp_class == RUMPSP_REQ)
		error = rc_serve(cn, &h, sigp);
	else
		error = rc_deliver(cn, &h);
	if (error == 0)
		return 0;
 bad:
	*sigp = 0;
	rc_debug("connection lost: %s", strerror(error));
	rc_conn_kill(cn);
	return error;
}

/*
 * A reader whose signal handler leaves its call with a jump reads no
 * more, and while its thread makes no other call, nobody would read
 * for the other threads.  So the reader says when handlers may run
 * (its wait between frames, a RAISE): cn_rwaiter is it then, and
 * cn_rgen counts its returns.  A waiting thread that sees the same
 * reader exposed and no return for RC_STEAL_LOOKS of its own waits
 * (RC_CHECK_MS each; a live reader returns at least that often) takes
 * the role (rc_reader_gone), swapping cn_rwaiter for RC_STOLEN; a
 * reader that comes back after all (a handler that ran that long)
 * finds it so and reads nothing more.  Atomics, no lock: this is on
 * every call's path.
 */
#define RC_STEAL_LOOKS	4
static char rc_stolen_mark;
#define RC_STOLEN	((struct rc_waiter *)(void *)&rc_stolen_mark)

static void
rc_reader_exposed(struct rc_conn *cn, struct rc_waiter *w)
{

	atomic_store(&cn->cn_rwaiter, w);
}

/* Back from where handlers ran: is w still the reader? */
static bool
rc_reader_back(struct rc_conn *cn, struct rc_waiter *w)
{
	struct rc_waiter *x = w;

	atomic_fetch_add_explicit(&cn->cn_rgen, 1, memory_order_relaxed);
	return atomic_compare_exchange_strong(&cn->cn_rwaiter, &x, NULL);
}

/*
 * c_mtx held, w back from a wait for its reply: has the reader (another
 * thread's call) been gone long?  Then w takes the role.
 */
static void
rc_reader_gone(struct rc_conn *cn, struct rc_waiter *w)
{
	struct rc_client *c = &rc_client;
	struct rc_waiter *r = cn->cn_reader;
	unsigned gen;

	if (r == NULL || r == w || r == &c->c_listener.l_w ||
	    atomic_load(&cn->cn_rwaiter) != r) {
		w->w_stale = 0;
		return;
	}
	gen = atomic_load_explicit(&cn->cn_rgen, memory_order_relaxed);
	if (w->w_stale == 0 || gen != w->w_rgen) {
		w->w_rgen = gen;
		w->w_stale = 1;
		return;
	}
	if (++w->w_stale <= RC_STEAL_LOOKS ||
	    !atomic_compare_exchange_strong(&cn->cn_rwaiter, &r, RC_STOLEN))
		return;
	rc_debug("the reader has not come back for %d ms (a signal handler "
	    "left its call?): another thread reads", RC_STEAL_LOOKS *
	    RC_CHECK_MS);
	cn->cn_reader = w;
	w->w_stale = 0;
}

/*
 * rc_read() on shared rings: true when bytes are there to read, after
 * a wait with the caller's mask if there were none.
 */
static bool
rc_read_shm(struct rc_conn *cn, struct rc_waiter *w)
{
	size_t n;
	int error;

	if ((error = rc_shm_avail(cn, &n)) == 0 && n == 0) {
		rc_reader_exposed(cn, w);
		error = rc_shm_wait(cn, w->w_omask, true);
		if (!rc_reader_back(cn, w))
			return false;
		if (error == 0 && (error = rc_shm_avail(cn, &n)) == 0 &&
		    n == 0)
			return false;
	}
	if (error != 0) {
		if (error == EBADF)
			rc_debug("connection descriptor %d closed under us",
			    cn->cn_fd);
		else
			rc_debug("connection lost: %s", strerror(error));
		rc_conn_kill(cn);
		return false;
	}
	return true;
}

/*
 * A waiting call's turn as the reader: wait for the socket with the
 * caller's mask, then read one frame.  A RAISE goes to this thread,
 * with the caller's mask back in place for the raise() only.
 */
static void
rc_read(struct rc_conn *cn, struct rc_waiter *w)
{
	struct timespec ts = RC_CHECK_TS;
	struct pollfd pfd;
	sigset_t cur;
	int sig, n;

	/*
	 * A frame already read ahead needs no wait (and no signals).  A
	 * ppoll on a descriptor another thread closes never wakes on
	 * Linux: a quiet wait looks now and then whether it is still ours.
	 */
	pfd.fd = cn->cn_fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	if (cn->cn_rpos == cn->cn_rlen && cn->cn_shm != NULL) {
		if (!rc_read_shm(cn, w))
			return;
	} else if (cn->cn_rpos == cn->cn_rlen) {
		rc_reader_exposed(cn, w);
		n = ppoll(&pfd, 1, &ts, w->w_omask);
		if (!rc_reader_back(cn, w))
			return;
		if (n == -1 && errno != EINTR)
			rc_conn_kill(cn);
		if ((n == 0 || (n > 0 && (pfd.revents & POLLNVAL))) &&
		    !rc_conn_fdok(cn)) {
			rc_debug("connection descriptor %d closed under us",
			    cn->cn_fd);
			rc_conn_kill(cn);
		}
		if (n <= 0 || (pfd.revents & POLLNVAL))
			return;
	}
	if (rc_frame(cn, &sig) == 0 && sig != 0) {
		rc_reader_exposed(cn, w);
		pthread_sigmask(SIG_SETMASK, w->w_omask, &cur);
		raise(sig);
		pthread_sigmask(SIG_SETMASK, &cur, NULL);
		(void)rc_reader_back(cn, w);
	}
}

/* May w read now?  Also when the reader is suspended under us. */
static bool
rc_may_read(struct rc_conn *cn, struct rc_waiter *w)
{
	struct rc_waiter *r = cn->cn_reader;

	if (r == NULL || (r != w && pthread_equal(r->w_thread, w->w_thread)))
		cn->cn_reader = w;
	return cn->cn_reader == w;
}

/* Hand the reader role on (c_mtx held): wake one waiter still waiting. */
void
rc_pass_role(struct rc_conn *cn)
{
	struct rc_waiter *x;

	TAILQ_FOREACH(x, &cn->cn_waiters, w_entries) {
		if (!x->w_done && x->w_efd >= 0) {
			rc_wake(x->w_efd);
			return;
		}
	}
}

/* w leaves cn's waiters (c_mtx held), and the reader role if it had it. */
static void
rc_waiter_leave(struct rc_conn *cn, struct rc_waiter *w)
{
	struct rc_client *c = &rc_client;
	struct rc_waiter *x = w;

	TAILQ_REMOVE(&cn->cn_waiters, w, w_entries);
	w->w_linked = false;
	atomic_fetch_sub_explicit(&cn->cn_ncalls, 1, memory_order_relaxed);
	(void)atomic_compare_exchange_strong(&cn->cn_rwaiter, &x, NULL);
	if (cn->cn_reader == w)
		cn->cn_reader = NULL;
	if (cn->cn_reader == NULL && !cn->cn_dead)
		rc_pass_role(cn);
	/* the last of calls that ran long: the listener may take over */
	if (c->c_listener.l_deep && TAILQ_EMPTY(&cn->cn_waiters)) {
		c->c_listener.l_deep = false;
		rc_wake(c->c_listener.l_efd);
	}
}

/* Wait (c_mtx held) until w's reply is in or its connection is gone. */
static void
rc_wait(struct rc_waiter *w)
{
	struct rc_client *c = &rc_client;
	struct rc_conn *cn = w->w_conn;
	int efd, error;

	for (;;) {
		if (w->w_done)
			break;
		if (cn->cn_dead && !w->w_filling) {
			w->w_error = ENOTCONN;
			w->w_done = true;
			break;
		}
		if (!cn->cn_dead && rc_may_read(cn, w)) {
			pthread_mutex_unlock(&c->c_mtx);
			rc_read(cn, w);
			pthread_mutex_lock(&c->c_mtx);
			continue;
		}
		if (w->w_efd == RC_EFD_UNSET) {
			pthread_mutex_unlock(&c->c_mtx);
			efd = rc_thread_efd();
			pthread_mutex_lock(&c->c_mtx);
			w->w_efd = efd >= 0 ? efd : RC_EFD_NONE;
			continue;
		}
		pthread_mutex_unlock(&c->c_mtx);
		if ((error = rc_sleep(w->w_efd, w->w_omask)) != 0 &&
		    !rc_conn_fdok(cn)) {
			/* our descriptors were closed under us */
			rc_debug("connection descriptor %d closed under us",
			    cn->cn_fd);
			rc_conn_kill(cn);
		}
		pthread_mutex_lock(&c->c_mtx);
		/* rc_sleep forgot it: the thread makes a new one */
		if (error == EBADF)
			w->w_efd = RC_EFD_UNSET;
		rc_reader_gone(cn, w);
	}
	rc_waiter_leave(cn, w);
}

/*
 * Send a whole frame.  The first sendmsg is our own: when it fails with
 * EFAULT nothing has left (a bad buffer of the caller's, sent inline),
 * the stream is intact and *intact says so.  The rest, if any, goes
 * through rsp_sendv.  Called with c_sendmtx held, or on a thread's
 * own connection.
 */
int
rc_send(int fd, struct iovec *iov, int iovcnt, bool *intact)
{
	struct msghdr msg;
	ssize_t n;

	*intact = false;
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = iov;
	msg.msg_iovlen = (size_t)iovcnt;
	do
		n = sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
	while (n == -1 && errno == EINTR);
	if (n == -1) {
		if (errno == EFAULT)
			*intact = true;
		if (errno != EAGAIN)
			return errno;
		n = 0;
	}
	while (iovcnt > 0 && (size_t)n >= iov->iov_len) {
		n -= (ssize_t)iov->iov_len;
		iov++;
		iovcnt--;
	}
	if (iovcnt == 0)
		return 0;
	iov->iov_base = (uint8_t *)iov->iov_base + n;
	iov->iov_len -= (size_t)n;
	return rsp_sendv(fd, iov, iovcnt);
}

/*
 * Send a request on cn and wait for its reply.  iov[0] starts with the
 * frame header, whose request number is set here; the iovecs are used
 * up; those whose bit is set in user are the caller's buffers (a bad
 * one fails with EFAULT).  out, if not NULL, is where a SYSCALL reply's
 * data may go (rc_place).  Consumes the caller's reference to cn.
 * Returns 0 with the reply in w (release it with rc_waiter_fini), or an
 * errno: EFAULT for a bad inline buffer, ENOTCONN when the connection
 * broke, and then w_unsent says whether the request never left whole
 * (it may be sent again on a new connection).
 */
int
rc_call(struct rc_conn *cn, struct rc_waiter *w, struct iovec *iov,
    int iovcnt, unsigned user, const struct rc_outset *out,
    const sigset_t *omask)
{
	struct rc_client *c = &rc_client;
	struct rsp_hdr *h = iov[0].iov_base;
	bool intact;
	int error;

	memset(w, 0, offsetof(struct rc_waiter, w_inl));
	w->w_conn = cn;
	w->w_thread = pthread_self();
	w->w_omask = omask;
	w->w_out = out;
	w->w_efd = RC_EFD_UNSET;

	pthread_mutex_lock(&c->c_mtx);
	w->w_reqno = ++c->c_reqno;
	h->rsp_reqno = w->w_reqno;
	TAILQ_INSERT_TAIL(&cn->cn_waiters, w, w_entries);
	w->w_linked = true;
	atomic_fetch_add_explicit(&cn->cn_ncalls, 1, memory_order_relaxed);
	/* the listener steps aside; nothing to do on the fast path */
	if (cn->cn_reader == &c->c_listener.l_w)
		rc_listener_yield(cn);
	pthread_mutex_unlock(&c->c_mtx);

	pthread_mutex_lock(&c->c_sendmtx);
	if (cn->cn_shm != NULL)
		error = rc_shm_send(cn, iov, iovcnt, user, &intact);
	else
		error = rc_send(cn->cn_fd, iov, iovcnt, &intact);
	pthread_mutex_unlock(&c->c_sendmtx);
	if (error != 0 && !intact) {
		/* part of a frame may be out: the stream is lost either way */
		rc_debug("send failed: %s", strerror(error));
		w->w_unsent = true;
		rc_conn_kill(cn);
	}

	pthread_mutex_lock(&c->c_mtx);
	/* nothing was sent: no reply may match w any more */
	if (intact && !w->w_filling)
		w->w_done = true;
	rc_wait(w);
	rc_conn_put_locked(cn);
	pthread_mutex_unlock(&c->c_mtx);
	if (intact) {
		rc_waiter_fini(w);
		return error;
	}
	if (error == 0)
		error = w->w_error;
	else if (error != EFAULT)
		error = ENOTCONN;
	if (error != 0)
		rc_waiter_fini(w);
	return error;
}

/*
 * A request with a plain body (PREFORK, the EXEC handshake): sent on
 * the current connection, again once on a new one if it never left.
 * Returns 0 with a RESP of the same type in w, or an errno.
 */
int
rc_simple(int type, uint32_t arg, const void *body, size_t len,
    struct rc_waiter *w, const sigset_t *omask)
{
	struct rc_conn *cn;
	struct rsp_hdr h;
	struct iovec iov[2];
	int error, tries;

	for (tries = 0;; tries++) {
		if ((error = rc_conn_get(omask, &cn)) != 0)
			return error;
		rsp_hdr_fill(&h, RSP_HDRSZ + len, 0, RUMPSP_REQ, type, arg);
		iov[0].iov_base = &h;
		iov[0].iov_len = sizeof(h);
		iov[1].iov_base = (void *)(uintptr_t)body;
		iov[1].iov_len = len;
		error = rc_call(cn, w, iov, len ? 2 : 1, 0, NULL, omask);
		if (error == 0)
			break;
		if (error == EFAULT)
			return error;
		/* as rc_syscall() */
		if ((!w->w_unsent || tries > 0) && !rc_conn_resends())
			return error;
	}
	if (w->w_hdr.rsp_class == RUMPSP_ERROR) {
		error = rc_errframe(&w->w_hdr, w->w_body, w->w_bodylen);
		rc_waiter_fini(w);
		return error;
	}
	if (w->w_hdr.rsp_type != type) {
		rc_waiter_fini(w);
		return EPROTO;
	}
	return 0;
}
