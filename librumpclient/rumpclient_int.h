/*
 * rumpclient_int.h -- the inside of librumpclient, shared by its files
 * and by the generated stubs in gen/sys_client.c.
 *
 * One client per host process (rc_client).  It owns at most one live
 * connection (c_conn); a connection that broke is unlinked from the
 * client at once (retired) but lives on until the last call that used
 * it has let go of it (cn_refs), so no descriptor is closed under a
 * thread still polling or sending on it.  Nor is a new connection made
 * while a retired one is still in use (c_retired): a program that
 * closed our socket under us (closefrom(3)) would give its number to
 * the new socket, and a thread of the old connection would read the
 * new one's banner or replies.
 *
 * A thread that makes many calls on a socket gets a connection of its
 * own (rc_tconn.c): none of what follows concerns those.
 *
 * Locks: c_mtx guards the client, every connection's waiters, reader
 * role and reference count, and the reconnect state.  c_sendmtx keeps
 * frames whole on the wire.  c_initmtx serializes rumpclient_init().
 * No two of them are held at once, except in the pthread_atfork
 * prepare handler (c_mtx, then the thread connections' registry lock,
 * then the eventfds').  No lock is
 * held while a thread waits: waiting is ppoll() with the caller's
 * signal mask, so signal handlers run there and only there, and they
 * may make rump_sys_* calls of their own.
 *
 * The reader role (cn_reader) is held by a waiting call, or, while no
 * call is in flight, by the listener thread (rc_listen.c), whose token
 * is c_listener.l_w.  A call that starts takes the role from a listener
 * waiting between frames at once; from one inside a frame it waits for
 * the frame's end, like any other waiter.
 */
#ifndef RUMPCLIENT_INT_H
#define RUMPCLIENT_INT_H

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/uio.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "sp_proto.h"
#include "sp_shm.h"
#include "sp_url.h"

/*
 * Limits on what one SYSCALL request carries inline (rump_sp(7)): a
 * frame's worth, less room for the headers, so that a read or write of
 * up to almost 4 MiB is one request and one reply.
 */
#define RC_INLINE_MAX	(RUMPSP_MAXFRAME - 64u * 1024)
/* The reader's buffer: small frames come in with one recv. */
#define RC_RBUF		4096
/* Reply bodies up to this size land on the caller's stack. */
#define RC_INLBODY	512
/* Longest ERROR reason we print. */
#define RC_MAXREASON	256

struct rc_conn;
struct rc_shm;

/*
 * The OUT regions a SYSCALL request sent: the only places its reply's
 * data may go.  The reader receives the data straight into them.
 */
struct rc_outreg {
	uint64_t	o_addr;
	uint32_t	o_len;
};
struct rc_outset {
	size_t		os_n;
	struct rc_outreg os_reg[RUMPSP_MAXREGIONS];
};

/*
 * A call waiting for its reply.  It lives in the calling thread's call
 * record (struct rc_callrec), or on its stack when calls nest deeper
 * than those go, and is
 * on its connection's cn_waiters (w_linked) from before the request is
 * sent until the call returns.  w_done, w_filling, w_error and the reply fields are
 * written under c_mtx, except the body bytes, which the reader writes
 * without the lock while w_filling keeps the waiter from leaving.
 * With w_out set, a SYSCALL reply's data is put in place by the reader
 * as it arrives (w_placed), and w_body holds only the rsp_sysresp.
 */
struct rc_waiter {
	TAILQ_ENTRY(rc_waiter)	w_entries;
	struct rc_conn		*w_conn;
	uint64_t		w_reqno;
	pthread_t		w_thread;
	const sigset_t		*w_omask;	/* the caller's signal mask */
	int			w_efd;		/* thread's eventfd, or -1 */
	bool			w_linked;	/* on cn_waiters */
	bool			w_done;		/* reply (or error) is in */
	bool			w_filling;	/* reader is reading its body */
	bool			w_unsent;	/* request never left whole */
	bool			w_placed;	/* reply data put in place */
	int			w_placeerr;	/* ... EFAULT or EPROTO, or 0 */
	const struct rc_outset	*w_out;		/* where data may go, or NULL */
	int			w_error;	/* transport error, or 0 */
	unsigned		w_rgen;		/* cn_rgen when last looked */
	int			w_stale;	/* looks that saw it unchanged */
	struct rsp_hdr		w_hdr;		/* the reply's header */
	uint8_t			*w_body;	/* w_inl or malloc'd */
	size_t			w_bodylen;
	uint64_t		w_inl[RC_INLBODY / sizeof(uint64_t)];
};
TAILQ_HEAD(rc_waiterq, rc_waiter);

struct rc_conn {
	int			cn_fd;
	dev_t			cn_dev;		/* what cn_fd was: closefrom(3) */
	ino_t			cn_ino;		/* may have given it away */
	int			cn_major;	/* from the server's banner */
	int			cn_minor;
	int			cn_refs;	/* the client's + each call's */
	bool			cn_dead;
	bool			cn_retired;	/* unlinked from c_conn */
	bool			cn_noshut;	/* inherited over fork(2) */
	bool			cn_own;		/* a thread's (rc_tconn.c) */
	struct rc_shm		*cn_shm;	/* on shared rings (rc_shm.c) */
	struct rc_waiter	*cn_reader;	/* who reads the socket */
	/* the reader while signal handlers may run, and its returns */
	_Atomic(struct rc_waiter *) cn_rwaiter;
	_Atomic unsigned	cn_rgen;
	struct rc_waiterq	cn_waiters;
	_Atomic int		cn_ncalls;	/* on cn_waiters (rc_shm.c) */
	/* bytes read ahead; only the reader touches them */
	size_t			cn_rpos, cn_rlen;
	size_t			cn_rnext;	/* next read: this much, or 0 */
	bool			cn_bigreplies;	/* large buffers get filled */
	uint8_t			cn_rbuf[RC_RBUF];
};

/* A thread waiting for another thread's reconnect to finish. */
struct rc_sleeper {
	TAILQ_ENTRY(rc_sleeper)	s_entries;
	int			s_efd;
};

/*
 * A system call in progress on this thread (rc_call.c): where its
 * frame is and what it holds that other threads look at, so that a
 * call that a signal handler left with siglongjmp(3) can be ended by
 * the thread's next call, or at its exit.  Thread-local storage, never
 * the stack that the jump gave up.
 */
struct rc_callrec {
	uintptr_t		cr_frame;	/* rumpclient__syscall's */
	int			cr_blockdepth;	/* rc_blocksigs nesting before */
	bool			cr_own;		/* on the thread's connection */
	bool			cr_connecting;	/* this thread reconnects */
	bool			cr_sleeping;	/* cr_sleeper is on c_connwait */
	struct rc_sleeper	cr_sleeper;
	struct rc_waiter	cr_w;		/* on the shared connection */
};

/*
 * The listener (rc_listen.c), under c_mtx.  POLLING and READING hold
 * the reader role; only in READING does the listener touch the socket.
 */
enum rc_lstate {
	RC_L_NONE,		/* no listener thread in this process */
	RC_L_STARTING,		/* created, not yet in its loop */
	RC_L_PARKED,		/* not reading: waits for an idle connection */
	RC_L_POLLING,		/* reader, between frames: a call takes over */
	RC_L_READING		/* reader, inside a frame: calls wait for it */
};

struct rc_listener {
	enum rc_lstate		l_state;
	int			l_efd;		/* its eventfd, or -1 */
	int			l_pause;	/* exec()s under way */
	bool			l_deep;		/* parked long: wake at idle */
	struct rc_waiter	l_w;		/* its token as cn_reader */
	/* rumpclient_exec() waiting for READING to end */
	TAILQ_HEAD(, rc_sleeper) l_pausewait;
};

struct rc_client {
	pthread_mutex_t		c_mtx;
	pthread_mutex_t		c_sendmtx;
	pthread_mutex_t		c_initmtx;
	struct rc_conn		*c_conn;	/* live connection or NULL */
	uint64_t		c_reqno;
	bool			c_inited;
	bool			c_exiting;	/* exit(3) under way: no reconnect */
	bool			c_haveaddr;	/* c_addr usable to reconnect */
	struct rsp_addr		c_addr;		/* set before c_inited */
	time_t			c_retry;	/* rumpclient_setconnretry() */
	bool			c_connecting;	/* a reconnect is under way */
	pthread_t		c_connthread;	/* ... by this thread */
	/* reconnects finished, and new processes (fork): a thread
	   connection or join key of an older epoch is another process's */
	_Atomic uint64_t	c_connepoch;
	bool			c_connfailed;	/* ... the last one gave up */
	int			c_retired;	/* refs to retired connections */
	int			c_retirefd;	/* reconnect waits for them */
	TAILQ_HEAD(, rc_sleeper) c_connwait;
	struct rc_listener	c_listener;
	struct rsp_key		c_key;		/* RUMP_KEYFILE, k_len 0: none */
	bool			c_havekey;	/* c_joinkey, of c_keyepoch */
	uint64_t		c_keyepoch;
	struct rsp_joinkey	c_joinkey;
};

extern struct rc_client rc_client;

/* How long a peer has to send its banner. */
#define RC_BANNER_MS	10000
/* How long a wait goes before checking that its descriptor is ours. */
#define RC_CHECK_MS	500
#define RC_CHECK_TS	{ RC_CHECK_MS / 1000, (RC_CHECK_MS % 1000) * 1000000L }
/* Calls a thread makes on the shared socket before it gets its own. */
#define RC_TCONN_CALLS	32
/* How long a reconnect waits for calls to let go of the old connection. */
#define RC_RETIRE_MS	(20 * RC_CHECK_MS)

/* rc_conn.c: connecting, handshakes, reconnect policy */
bool	rc_conn_fdok(const struct rc_conn *);
int	rc_conn_send(struct rc_conn *, const struct iovec *, int);
void	rc_global_init(void);
int	rc_open(const struct rsp_addr *, uint32_t, const void *, size_t,
	    const sigset_t *, struct rc_conn **);
int	rc_open_in(struct rc_conn *, const struct rsp_addr *, uint32_t,
	    const void *, size_t, const sigset_t *);
struct rc_conn *rc_conn_alloc(int, int, int);
int	rc_conn_get(const sigset_t *, struct rc_conn **);
void	rc_conn_abandon(struct rc_callrec *);
bool	rc_conn_resends(void);
void	rc_conn_rele(struct rc_conn *);
void	rc_conn_rele_locked(struct rc_conn *);
void	rc_conn_put_locked(struct rc_conn *);
void	rc_conn_kill(struct rc_conn *);
int	rc_recvall(int, void *, size_t, const sigset_t *);
int	rc_discard(int, size_t);
bool	rc_fd_issock(int);
int	rc_fd_above2(int);
int	rc_errframe(const struct rsp_hdr *, const void *, size_t);
void	rc_debug(const char *, ...)
	    __attribute__((__format__(__printf__, 1, 2)));

/* rc_call.c: requests, waiting, the reader role */
void	rc_blocksigs(sigset_t *);
void	rc_restoresigs(const sigset_t *);
void	rc_call_init(void);
struct rc_callrec *rc_call_begin(uintptr_t);
void	rc_call_end(struct rc_callrec *);
struct rc_callrec *rc_call_current(void);
void	rc_call_postfork_child(void);
int	rc_call(struct rc_conn *, struct rc_waiter *, struct iovec *, int,
	    unsigned, const struct rc_outset *, const sigset_t *);
int	rc_send(int, struct iovec *, int, bool *);
int	rc_place(struct rc_conn *, struct rc_waiter *, size_t);
void	rc_waiter_fini(struct rc_waiter *);
int	rc_cnread(struct rc_conn *, void *, size_t);
int	rc_frame(struct rc_conn *, int *);
void	rc_pass_role(struct rc_conn *);
int	rc_simple(int, uint32_t, const void *, size_t, struct rc_waiter *,
	    const sigset_t *);

/* rc_listen.c: the listener thread */
void	rc_listener_start(void);
void	rc_listener_yield(struct rc_conn *);
void	rc_listener_pause(const sigset_t *);
void	rc_listener_resume(void);
void	rc_listener_postfork_child(void);
bool	rc_listener_self(void);

/* rc_serve.c: the server's requests to us (copyin/copyout/raise) */
int	rc_serve(struct rc_conn *, const struct rsp_hdr *, int *);
int	rc_memwrite(uint64_t, const void *, size_t);
int	rc_memread(void *, uint64_t, size_t);

/* rc_shm.c: the shared-memory transport */
int	rc_shm_open(struct rc_conn *, const struct rsp_addr *,
	    const sigset_t *);
int	rc_shm_adopt(struct rc_conn *, int);
int	rc_shm_memfd(const struct rc_conn *);
void	rc_shm_free(struct rc_conn *);
void	rc_shm_forget(struct rc_conn *);
int	rc_shm_send(struct rc_conn *, const struct iovec *, int, unsigned,
	    bool *);
int	rc_shm_avail(struct rc_conn *, size_t *);
void	rc_shm_get(struct rc_conn *, void *, size_t);
int	rc_shm_getuser(struct rc_conn *, uint64_t, size_t);
int	rc_shm_wait(struct rc_conn *, const sigset_t *, bool);
int	rc_shm_some(struct rc_conn *, size_t *);
bool	rc_shm_arm(struct rc_conn *);
int	rc_shm_disarm(struct rc_conn *, bool);

/* rc_tconn.c: a thread's own connection */
void	rc_tconn_init(void);
void	rc_tconn_forbid(void);
void	rc_tconn_abandon(void);
struct rc_conn *rc_tconn_get(void);
bool	rc_tconn_call(struct rc_conn *, struct rc_waiter *, struct iovec *,
	    int, const struct rc_outset *, int *);
void	rc_tconn_prefork(void);
void	rc_tconn_postfork_parent(void);
void	rc_tconn_postfork_child(void);

/* rc_wake.c: per-thread eventfds */
void	rc_wake_init(void);
int	rc_thread_efd(void);
void	rc_wake(int);
bool	rc_unwake(int);
int	rc_sleep(int, const sigset_t *);
int	rc_sleep_ms(int, const sigset_t *, int);
int	rc_efd_renew(int);
void	rc_wake_prefork(void);
void	rc_wake_postfork_parent(void);
void	rc_wake_postfork_child(void);

/* rc_syscall.c: called by the generated stubs */
void	rumpclient__region(struct rsp_region *, size_t *, const void *,
	    size_t, uint32_t);
int	rumpclient__syscall(int, const void *, size_t,
	    const struct rsp_region *, size_t, register_t[2]);

#endif /* RUMPCLIENT_INT_H */
