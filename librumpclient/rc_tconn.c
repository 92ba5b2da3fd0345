/*
 * rc_tconn.c -- a thread's own connection to its process.
 *
 * On the socket transport (TCP, or a Unix socket without shared rings)
 * every call of a shared connection pays for the sharing: the send
 * lock, the reader role passed between threads with eventfd wakeups,
 * and the signal mask set and restored around each call so that no
 * handler runs while a lock is held or a frame is half read.  A thread
 * that makes calls steadily (RC_TCONN_CALLS of them) gets a connection
 * of its own instead, joined to the same kernel process (the server's
 * JOIN handshake, protocol 0.8, sp_join.c): it sends its request and
 * waits in recv(2) for the answer, and serves the server's copy
 * requests of its call, alone.  A call there costs two system calls on
 * our side, one sendmsg and one recv, and takes no lock.
 *
 * Signals are not blocked on a thread connection: a handler may run at
 * any point of a call, and nothing here is unsafe to interrupt, since
 * no lock is held and no memory is allocated.  A handler's own
 * rump_sys_* call finds the thread's connection busy (t_busy) and goes
 * over the shared connection, which is unaffected by the interrupted
 * call.  A recv interrupted by a handler simply goes on waiting: the
 * call is in the server's hands, and rump signals come as RAISE on the
 * shared connection.  The server's requests (copies) are served with
 * signals blocked, as on the shared connection: they may allocate.
 * Making a thread connection allocates nothing, since the first call
 * that needs one may be a signal handler's.
 *
 * A thread connection belongs to one process: the record of which
 * (t_epoch) is the client's c_connepoch, which a reconnect or a fork
 * child's new process moves on; one of an older epoch is closed at the
 * thread's next call.  The child of fork(2) closes its copies of all of
 * them (another thread's connection, or ours, talks for the parent).
 * Exec closes them (close-on-exec).  When the server cuts one (the
 * process's own connection went, or it is exec'ing), or a program
 * closes its descriptor, it is broken: the call in hand goes over the
 * shared connection if it never left, else as the reconnect policy
 * says of a call cut off (rc_syscall.c); the thread joins again later.
 *
 * RUMP_THREADCONN=0 turns them off, and so does librumphijack.  A
 * server that refuses a join (a full client table) leaves the thread
 * on the shared connection until the process changes.
 *
 * Locks: rc_tc_mtx guards the registry (rc_tc_list), taken only with
 * signals blocked and never with c_mtx held, except by the atfork
 * prepare handler, which takes c_mtx first.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/queue.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rumpclient_int.h"

struct rc_tc {
	LIST_ENTRY(rc_tc)	t_entries;	/* while t_cn is set */
	struct rc_conn		*t_cn;		/* &t_conn, or NULL */
	uint64_t		t_epoch;	/* c_connepoch of t_cn, or of
						   the refusal (t_refused) */
	uint64_t		t_reqno;
	unsigned		t_calls;	/* on the shared connection */
	bool			t_refused;	/* no join in t_epoch */
	volatile sig_atomic_t	t_busy;		/* a call of ours on t_cn */
	struct rc_conn		t_conn;		/* no malloc: see rc_tc_join */
};

static pthread_mutex_t rc_tc_mtx = PTHREAD_MUTEX_INITIALIZER;
static LIST_HEAD(, rc_tc) rc_tc_list = LIST_HEAD_INITIALIZER(rc_tc_list);
static pthread_key_t rc_tc_key;
static bool rc_tc_keyok;
static __thread struct rc_tc rc_tc_self;

/* 1: yes, 0: no, -1: ask RUMP_THREADCONN */
static _Atomic int rc_tc_wanted = -1;

/*
 * None in this process: for librumphijack, which keeps one socket of
 * ours out of the program's way and would have to keep them all.
 */
void
rc_tconn_forbid(void)
{

	atomic_store(&rc_tc_wanted, 0);
}

/* RUMP_THREADCONN=0 keeps every call on the shared connection. */
static bool
rc_tconn_wanted(void)
{
	_Atomic int *wanted = &rc_tc_wanted;
	const char *v;
	int w = atomic_load_explicit(wanted, memory_order_relaxed);

	if (w < 0) {
		v = getenv("RUMP_THREADCONN");
		w = v == NULL || strcmp(v, "0") != 0;
		atomic_store_explicit(wanted, w, memory_order_relaxed);
	}
	return w != 0;
}

/* Close t's connection (signals blocked): ours alone, so no shutdown. */
static void
rc_tc_drop(struct rc_tc *t)
{
	struct rc_conn *cn = t->t_cn;

	if (cn == NULL)
		return;
	pthread_mutex_lock(&rc_tc_mtx);
	LIST_REMOVE(t, t_entries);
	pthread_mutex_unlock(&rc_tc_mtx);
	t->t_cn = NULL;
	t->t_calls = 0;
	if (rc_conn_fdok(cn))
		close(cn->cn_fd);
}

/* At thread exit: its connection goes (the server frees its lwp). */
static void
rc_tc_destroy(void *arg)
{
	sigset_t omask;

	rc_blocksigs(&omask);
	rc_tc_drop(arg);
	rc_restoresigs(&omask);
}

/*
 * The call on the thread's connection was abandoned: a signal handler
 * jumped out of it (rc_call.c; signals blocked).  Its reply would come
 * to nobody: the connection is closed, so that the server interrupts
 * the call, and a later call makes a new one.
 */
void
rc_tconn_abandon(void)
{
	struct rc_tc *t = &rc_tc_self;

	if (!t->t_busy)
		return;
	rc_tc_drop(t);
	atomic_signal_fence(memory_order_seq_cst);
	t->t_busy = 0;
}

/* Called once, from rc_global_init(). */
void
rc_tconn_init(void)
{

	if (pthread_key_create(&rc_tc_key, rc_tc_destroy) == 0)
		rc_tc_keyok = true;
	else
		rc_debug("pthread_key_create failed: no thread connections");
}

/*
 * The process's join key (a JOIN request on the shared connection, the
 * first time in this epoch).  Signals blocked.  Returns 0 or an errno.
 */
static int
rc_tc_key_get(struct rsp_joinkey *jk, uint64_t epoch,
    const sigset_t *omask)
{
	struct rc_client *c = &rc_client;
	struct rc_waiter w;
	int error;

	pthread_mutex_lock(&c->c_mtx);
	if (c->c_havekey && c->c_keyepoch == epoch) {
		*jk = c->c_joinkey;
		pthread_mutex_unlock(&c->c_mtx);
		return 0;
	}
	pthread_mutex_unlock(&c->c_mtx);
	if ((error = rc_simple(RUMPSP_JOIN, 0, NULL, 0, &w, omask)) != 0)
		return error;
	if (w.w_bodylen != sizeof(*jk)) {
		rc_waiter_fini(&w);
		return EPROTO;
	}
	memcpy(jk, w.w_body, sizeof(*jk));
	rc_waiter_fini(&w);
	pthread_mutex_lock(&c->c_mtx);
	if (atomic_load(&c->c_connepoch) == epoch) {
		c->c_joinkey = *jk;
		c->c_keyepoch = epoch;
		c->c_havekey = true;
	}
	pthread_mutex_unlock(&c->c_mtx);
	return 0;
}

/*
 * Make this thread's connection, if the shared one is a socket to a
 * server that knows JOIN.  Signals blocked.  Returns true when t_cn is
 * set.  This may be a signal handler's call (the handler interrupted
 * anything, malloc included), so nothing here allocates: the
 * connection lives in the thread's record, the key request's answer in
 * its waiter.
 */
static bool
rc_tc_join(struct rc_tc *t, const sigset_t *omask)
{
	struct rc_client *c = &rc_client;
	struct timeval tv = { RC_CHECK_MS / 1000, (RC_CHECK_MS % 1000) * 1000 };
	struct rsp_joinkey jk;
	struct rc_conn *cn = &t->t_conn;
	struct rsp_addr ra;
	uint64_t epoch;
	bool ok;
	int fl, error;

	pthread_mutex_lock(&c->c_mtx);
	epoch = atomic_load(&c->c_connepoch);
	ok = c->c_inited && c->c_haveaddr && !c->c_exiting &&
	    c->c_conn != NULL && !c->c_conn->cn_dead &&
	    c->c_conn->cn_shm == NULL && c->c_conn->cn_minor >= 8;
	ra = c->c_addr;
	pthread_mutex_unlock(&c->c_mtx);
	/* not again in this epoch, unless it works */
	t->t_refused = true;
	t->t_epoch = epoch;
	if (!ok)
		return false;
	if ((error = rc_tc_key_get(&jk, epoch, omask)) != 0 ||
	    (error = rc_open_in(cn, &ra, HANDSHAKE_JOIN, &jk, sizeof(jk),
	    omask)) != 0) {
		rc_debug("no thread connection: %s", strerror(error));
		explicit_bzero(&jk, sizeof(jk));
		return false;
	}
	explicit_bzero(&jk, sizeof(jk));
	/* ours alone: wait in recv, looking at the descriptor now and then */
	if ((fl = fcntl(cn->cn_fd, F_GETFL)) == -1 ||
	    fcntl(cn->cn_fd, F_SETFL, fl & ~O_NONBLOCK) == -1 ||
	    setsockopt(cn->cn_fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
	    sizeof(tv)) == -1) {
		rc_debug("thread connection: %s", strerror(errno));
		close(cn->cn_fd);
		return false;
	}
	cn->cn_own = true;
	cn->cn_bigreplies = true;
	t->t_cn = cn;
	t->t_refused = false;
	pthread_mutex_lock(&rc_tc_mtx);
	LIST_INSERT_HEAD(&rc_tc_list, t, t_entries);
	pthread_mutex_unlock(&rc_tc_mtx);
	(void)pthread_setspecific(rc_tc_key, t);
	rc_debug("thread connection on descriptor %d", cn->cn_fd);
	return true;
}

/*
 * The thread's connection for a call, made now if it is time; NULL:
 * use the shared one.  A connection of another process is closed.
 */
static struct rc_conn *
rc_tc_get(struct rc_tc *t)
{
	uint64_t epoch = atomic_load(&rc_client.c_connepoch);
	sigset_t omask;
	bool ok;

	if (t->t_cn != NULL && t->t_epoch == epoch)
		return t->t_cn;
	if (t->t_cn == NULL && (t->t_calls++ < RC_TCONN_CALLS ||
	    (t->t_refused && t->t_epoch == epoch) || !rc_tc_keyok ||
	    !rc_tconn_wanted()))
		return NULL;
	rc_blocksigs(&omask);
	rc_tc_drop(t);
	ok = rc_tc_join(t, &omask);
	rc_restoresigs(&omask);
	return ok ? t->t_cn : NULL;
}

/* A server request in the middle of our call: served as the reader does. */
static int
rc_tc_serve(struct rc_conn *cn, const struct rsp_hdr *h)
{
	sigset_t omask, cur;
	int sig, error;

	rc_blocksigs(&omask);
	error = rc_serve(cn, h, &sig);
	if (error == 0 && sig != 0) {
		pthread_sigmask(SIG_SETMASK, &omask, &cur);
		raise(sig);
		pthread_sigmask(SIG_SETMASK, &cur, NULL);
	}
	rc_restoresigs(&omask);
	return error;
}

/*
 * Our reply: the rsp_sysresp into w_inl and the data in place, as
 * rc_deliver does; an ERROR's reason, up to w_inl's size, no more.
 */
static int
rc_tc_reply(struct rc_conn *cn, struct rc_waiter *w, const struct rsp_hdr *h)
{
	size_t len = h->rsp_len - RSP_HDRSZ, n;
	int error;

	w->w_hdr = *h;
	w->w_body = (uint8_t *)w->w_inl;
	if (w->w_out != NULL && h->rsp_class == RUMPSP_RESP &&
	    h->rsp_type == RUMPSP_SYSCALL &&
	    len >= sizeof(struct rsp_sysresp)) {
		w->w_placed = true;
		w->w_bodylen = sizeof(struct rsp_sysresp);
		return rc_place(cn, w, len);
	}
	n = len < sizeof(w->w_inl) ? len : sizeof(w->w_inl);
	w->w_bodylen = n;
	if ((error = rc_cnread(cn, w->w_inl, n)) != 0)
		return error;
	return rc_cnread(cn, NULL, len - n);
}

/*
 * One call on the thread's connection cn, as rc_call() on a shared
 * one: 0 with the reply in w, EFAULT for a bad inline buffer (nothing
 * left), or ENOTCONN with w_unsent saying whether the request left.
 */
static int
rc_tc_call(struct rc_tc *t, struct rc_conn *cn, struct rc_waiter *w,
    struct iovec *iov, int iovcnt, const struct rc_outset *out)
{
	struct rsp_hdr *hp = iov[0].iov_base, h;
	const char *why;
	bool intact, large;
	int error;

	memset(w, 0, offsetof(struct rc_waiter, w_inl));
	w->w_conn = cn;
	w->w_thread = pthread_self();
	w->w_out = out;
	w->w_efd = -1;
	w->w_reqno = ++t->t_reqno;
	hp->rsp_reqno = w->w_reqno;
	if ((error = rc_send(cn->cn_fd, iov, iovcnt, &intact)) != 0) {
		if (intact)
			return error;
		w->w_unsent = true;
		goto broken;
	}
	/*
	 * A call whose first OUT buffer is large (a read): take the
	 * reply's head alone, so that its data goes from the socket
	 * straight to the buffer instead of partly through the read-ahead
	 * and process_vm_writev (one system call less).  A short reply
	 * then costs a recv more, so only while such buffers are filled:
	 * a program reading small files with a large buffer pays once.
	 */
	large = out != NULL && out->os_n > 0 && out->os_reg[0].o_len >= RC_RBUF;
	if (large && cn->cn_bigreplies)
		cn->cn_rnext = RSP_HDRSZ + sizeof(struct rsp_sysresp) +
		    sizeof(struct rsp_region);
	for (;;) {
		if ((error = rc_cnread(cn, &h, sizeof(h))) != 0)
			goto broken;
		if (rsp_hdr_check(&h, &why) != RUMPSP_ERR_NONE) {
			rc_debug("bad frame from server: %s", why);
			error = EPROTO;
			goto broken;
		}
		if (h.rsp_class == RUMPSP_REQ)
			error = rc_tc_serve(cn, &h);
		else if (h.rsp_reqno != w->w_reqno)
			error = rc_cnread(cn, NULL, h.rsp_len - RSP_HDRSZ);
		else {
			if (large)
				cn->cn_bigreplies = h.rsp_len - RSP_HDRSZ >=
				    RC_RBUF;
			if ((error = rc_tc_reply(cn, w, &h)) != 0)
				goto broken;
			return 0;
		}
		if (error != 0)
			goto broken;
	}
 broken:
	rc_debug("thread connection lost: %s", strerror(error));
	return ENOTCONN;
}

/*
 * The thread's own connection for its next call, made now if it is
 * time; NULL: the shared connection carries the call (there is none,
 * or it is busy with a call that a signal handler's call interrupted).
 * It is busy from here until rc_tconn_call() returns: a handler that
 * runs in between must not use it, nor drop it under us.
 */
struct rc_conn *
rc_tconn_get(void)
{
	struct rc_tc *t = &rc_tc_self;
	struct rc_conn *cn;

	if (t->t_busy)
		return NULL;
	t->t_busy = 1;
	atomic_signal_fence(memory_order_seq_cst);
	if ((cn = rc_tc_get(t)) == NULL) {
		atomic_signal_fence(memory_order_seq_cst);
		t->t_busy = 0;
	}
	return cn;
}

/*
 * A call on cn, which rc_tconn_get() gave (and marked busy).  Returns
 * false when the shared connection is to carry it after all (cn broke
 * before the request left, or the reconnect policy re-sends a call cut
 * off); else true with 0 and the reply in w, or an errno in *errorp.
 */
bool
rc_tconn_call(struct rc_conn *cn, struct rc_waiter *w, struct iovec *iov,
    int iovcnt, const struct rc_outset *out, int *errorp)
{
	struct rc_tc *t = &rc_tc_self;
	sigset_t omask;
	bool resend = false;
	int error;

	error = rc_tc_call(t, cn, w, iov, iovcnt, out);
	if (error == ENOTCONN) {
		rc_blocksigs(&omask);
		rc_tc_drop(t);
		rc_restoresigs(&omask);
		/* as rc_syscall() does for a call cut off */
		resend = w->w_unsent || rc_conn_resends();
	}
	atomic_signal_fence(memory_order_seq_cst);
	t->t_busy = 0;
	*errorp = error;
	return !resend;
}

/* The atfork handlers, called with signals blocked and c_mtx held. */
void
rc_tconn_prefork(void)
{

	pthread_mutex_lock(&rc_tc_mtx);
}

void
rc_tconn_postfork_parent(void)
{

	pthread_mutex_unlock(&rc_tc_mtx);
}

/*
 * In the child of fork(2): every thread connection talks for the
 * parent's process.  Close our copies and forget them: their threads
 * are not here, their records only stay in memory.  A
 * call of ours that a fork in a signal handler interrupted finds its
 * descriptor gone and fails as on a broken connection.
 */
void
rc_tconn_postfork_child(void)
{
	struct rc_tc *t, *self = &rc_tc_self;
	struct rc_conn *cn;

	pthread_mutex_init(&rc_tc_mtx, NULL);
	LIST_FOREACH(t, &rc_tc_list, t_entries) {
		if ((cn = t->t_cn) != NULL && rc_conn_fdok(cn))
			close(cn->cn_fd);
		if (t != self || !t->t_busy)
			t->t_cn = NULL;
	}
	LIST_INIT(&rc_tc_list);
	if (self->t_cn != NULL)
		LIST_INSERT_HEAD(&rc_tc_list, self, t_entries);
	self->t_calls = 0;
	self->t_refused = false;
}
