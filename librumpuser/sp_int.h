/*
 * sp_int.h -- internal interfaces of the sysproxy server.
 *
 * Threads (sp_pool.c, described in rump_sp(7)): one pool of identical
 * threads, leader/follower.  At most one thread, the leader, waits in
 * epoll (sp_server.c) and reads what arrives; a complete request
 * becomes a work item, and the leader runs the first one itself after
 * giving up the lead.  Only when a thread is about to wait (a kernel
 * sleep, the kernel lock held by another, a copy waiting for its
 * client) does it wake a follower to lead: a call that does not block
 * wakes nobody.  Threads asleep do not count against the runnable
 * limit (rumpsp_maxworker) but against their own (rumpsp_maxblocked).
 * The leader never enters the kernel: handshakes, disconnects and
 * prefork expiry are work items like system calls.
 *
 * Frames out go through each connection's outbound queue (sp_send.c):
 * sent at once when the socket takes them, else queued and drained by
 * the leader when the socket is writable.  No thread ever waits in a
 * send.
 *
 * A client struct lives while its connection is open or a work item
 * refers to it (sp_client.c).
 *
 * Thread connections (sp_join.c) are connections of a process that
 * another connection, its owner, made; they hold their owner.
 *
 * Lock order: sp_join_mtx (sp_join.c), then spc_mtx (an owner's before
 * its thread connections'), then sp_pool's mutex, then sp_pf_mtx
 * (sp_prefork.c).  spc_outmtx is a leaf: nothing else is taken while
 * it is held, and it is never held across anything that waits.  No
 * lock of this library is held while the kernel is scheduled by this
 * library, except that the kernel may call rumpuser_sp_* (copies,
 * raise) with its lock held, and those take leaves only.
 *
 * An lwp may be curlwp of one host thread only, and mainlwp is used by
 * several (prefork and exec, disconnect, the final release): whoever
 * switches to it holds the mainlwp guard (spc_mainbusy) for that time.
 */
#ifndef LIBRUMPUSER_SP_INT_H
#define LIBRUMPUSER_SP_INT_H

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/uio.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <rump/rumpuser.h>

#include "sp_proto.h"
#include "sp_shm.h"
#include "rumpuser_int.h"

/* Nothing below leaves the library. */
#pragma GCC visibility push(hidden)

/* How long an unclaimed prefork image lives. */
#define SP_PREFORK_TTL_MS	(60 * 1000)
/* A request body up to this size travels inside its work item. */
#define SP_INLBODY		512

/* The state of a connection, read by the leader, set by work items. */
enum sp_state {
	SPC_NEW,	/* banner sent, waiting for the handshake */
	SPC_HANDSHAKE,	/* handshake being served: nothing may come */
	SPC_RUNNING	/* a process in the kernel */
};

/* A thread waiting for the answer to a COPYIN or COPYINSTR request. */
struct sp_waiter {
	TAILQ_ENTRY(sp_waiter)	 w_entries;	/* spc_waiters */
	uint64_t		 w_reqno;
	pthread_cond_t		 w_cv;
	bool			 w_done;
	int			 w_class;	/* RUMPSP_RESP, RUMPSP_ERROR */
	uint8_t			*w_data;	/* body, the waiter frees it */
	size_t			 w_len;
};

/*
 * Where the kernel's copyouts into an OUT region went.  The reply
 * carries [lo, hi) whole: a gap the kernel skipped goes back as zeros,
 * so a region is meant for one output buffer written front to back.
 */
struct sp_outbuf {
	uint8_t			*ob_data;	/* rr_len + 8 bytes, see sp_copy.c */
	size_t			 ob_lo, ob_hi;	/* written: [lo, hi) */
};

struct sp_client;

/*
 * The SYSCALL request a thread is serving.  It is the thread's current
 * request while the kernel runs the call, so that copyin and copyout
 * can use the inline regions.
 */
struct sp_req {
	struct sp_client	*rq_spc;
	uint64_t		 rq_reqno;
	bool			 rq_replied;	/* rumpuser_sp_fini answered */
	bool			 rq_held;	/* counts in spc_ncalls */
	struct rsp_sysreq_parsed rq_sp;		/* points into the body */
	struct sp_outbuf	 rq_out[RUMPSP_MAXREGIONS];
	/* copyouts outside the regions, gathered into one COPYOUT frame */
	uint8_t			*rq_co;		/* RUMPSP_MAXCOPY bytes */
	uint64_t		 rq_coaddr;
	size_t			 rq_colen;
	_Atomic uint32_t	*rq_asleep;	/* sh_asleep we raised */
};

/* What a work item does. */
enum sp_worktype {
	SPW_REQUEST,	/* a request frame: wk_hdr says which */
	SPW_DISCONNECT,	/* the connection is gone: the kernel side */
	SPW_SWEEP	/* release expired prefork images */
};

/* Something for a pool thread to run. */
struct sp_work {
	TAILQ_ENTRY(sp_work)	 wk_entries;
	enum sp_worktype	 wk_type;
	struct sp_client	*wk_spc;	/* holds a reference, or NULL */
	struct rsp_hdr		 wk_hdr;
	uint8_t			*wk_body;	/* wk_inl, malloc'd or NULL */
	size_t			 wk_len;
	struct sp_req		 wk_req;	/* SYSCALL only */
	uint64_t		 wk_inl[SP_INLBODY / sizeof(uint64_t)];
};
TAILQ_HEAD(sp_workq, sp_work);

/* A frame, or the unsent rest of one, waiting in an outbound queue. */
struct sp_obuf {
	STAILQ_ENTRY(sp_obuf)	 ob_entries;
	size_t			 ob_len, ob_off;
	uint8_t			 ob_data[];
};

struct sp_prefork;

#define SP_TOGETHER_UNKNOWN	0	/* spc_together: not judged yet */
#define SP_TOGETHER_YES		1	/* it can run while we watch */
#define SP_TOGETHER_NO		2	/* only on our one CPU */

/* A call running on an lwp, on its caller's stack (sp_lwproc_call). */
struct sp_incall {
	LIST_ENTRY(sp_incall)	 ic_entries;
	struct lwp		*ic_lwp;
	uint64_t		 ic_reqno;
	bool			 ic_kicked;	/* its lwp is not kept */
};

struct sp_client {
	int			 spc_fd;	/* closed when freed */

	/* the leader only */
	TAILQ_ENTRY(sp_client)	 spc_entries;	/* sp_server.c's list */
	struct rsp_hdr		 spc_hdr;	/* frame being read */
	size_t			 spc_hdroff;
	struct sp_work		*spc_inwk;	/* its work item, if a request */
	uint8_t			*spc_body;	/* where its body goes */
	size_t			 spc_bodylen, spc_bodyoff;
	bool			 spc_closed;	/* out of epoll: no more input */
	TAILQ_ENTRY(sp_client)	 spc_newentries; /* waiting for a handshake */
	uint64_t		 spc_hsdeadline; /* sp_now_ms() */
	bool			 spc_isnew;	/* on the handshake list */
	bool			 spc_hot;	/* on the watched list */
	uint8_t			 spc_together;	/* SP_TOGETHER_*, sp_ring.c */
	TAILQ_ENTRY(sp_client)	 spc_hotentries;
	struct rsp_ring		 spc_rin;	/* client-to-server ring */
	int			 spc_authstep;	/* AUTH steps done: 2 is in */
	uint8_t			 spc_cnonce[RSP_NONCELEN];
	uint8_t			 spc_snonce[RSP_NONCELEN];

	_Atomic(enum sp_state)	 spc_state;
	/* why the connection is closing (a static string), for -v */
	_Atomic(const char *)	 spc_why;

	/*
	 * Written by the handshake before the state becomes RUNNING;
	 * constant afterwards.
	 */
	struct lwp		*spc_mainlwp;
	pid_t			 spc_pid;

	/* an lwp kept between calls (atomic exchange), or NULL */
	_Atomic(struct lwp *)	 spc_lwpcache;
	/* the lwps running its calls now; under the kernel lock */
	LIST_HEAD(, sp_incall)	 spc_incalls;
	bool			 spc_kicked;	/* so is a late call's */
	bool			 spc_cancelled;	/* call spc_cancelreq is too */
	uint64_t		 spc_cancelreq;
	/* a work item kept for the next small request, or NULL */
	_Atomic(struct sp_work *) spc_wkcache;
	/* preallocated, so that a disconnect cannot fail */
	struct sp_work		 spc_diswork;

	/* under spc_mtx */
	pthread_mutex_t		 spc_mtx;
	pthread_cond_t		 spc_cv;	/* nwork, pins, mainbusy */
	unsigned		 spc_nwork;	/* work items queued, running */
	unsigned		 spc_ncalls;	/* calls held, not answered; joined */
	unsigned		 spc_pins;	/* sp_client_pin() */
	bool			 spc_connected;	/* the connection's ref */
	bool			 spc_dying;	/* disconnected: no waits */
	bool			 spc_inexec;
	bool			 spc_mainbusy;	/* the mainlwp guard */
	uint64_t		 spc_nextreq;	/* our own requests */
	TAILQ_HEAD(, sp_waiter)	 spc_waiters;

	/*
	 * Thread connections (sp_join.c).  spc_owner is set by the JOIN
	 * handshake, before RUNNING, and constant afterwards; an owner's
	 * spc_joined is under its spc_mtx; the key under sp_join_mtx.
	 */
	struct sp_client	*spc_owner;	/* whose process, or NULL */
	LIST_ENTRY(sp_client)	 spc_joinentries;
	LIST_HEAD(, sp_client)	 spc_joined;
	bool			 spc_haskey;
	LIST_ENTRY(sp_client)	 spc_keyentries;
	uint8_t			 spc_joinkey[RUMPSP_AUTHLEN];

	/* under sp_pf_mtx */
	LIST_HEAD(, sp_prefork)	 spc_preforks;
	int			 spc_npreforks;

	/* the outbound queue, under spc_outmtx */
	pthread_mutex_t		 spc_outmtx;
	STAILQ_HEAD(, sp_obuf)	 spc_outq;
	size_t			 spc_outbytes;
	bool			 spc_outarmed;	/* EPOLLOUT wanted */
	bool			 spc_outdead;	/* nothing more goes out */

	/*
	 * The shared region, once the connection is on rings (sp_ring.c):
	 * set by the leader under spc_outmtx, then constant until freed.
	 * spc_rout is used under spc_outmtx, spc_rin by the leader only.
	 */
	_Atomic(void *)		 spc_shm;
	size_t			 spc_shmlen;
	struct rsp_ring		 spc_rout;	/* server-to-client ring */
};

extern struct rumpuser_sp_ops sp_ops;

/* sp_lwproc.c: the operations, each bracketed by schedule/unschedule */
int	 sp_lwproc_rfork(struct sp_client *, int, const char *);
void	 sp_lwproc_switch(struct lwp *);
void	 sp_lwproc_release(void);
struct lwp *sp_lwproc_curlwp(void);
pid_t	 sp_lwproc_getpid(void);
void	 sp_lwproc_execnotify(const char *);
void	 sp_lwproc_lwpexit(void);
int	 sp_lwproc_call(struct sp_client *, uint64_t, int, void *,
	    register_t *);
void	 sp_lwproc_cancel(struct sp_client *, uint64_t);
void	 sp_lwproc_uncache(struct sp_client *);
void	 sp_lwproc_kickcalls(struct sp_client *);

/* sp_client.c: lifetime of a client */
struct sp_client *sp_client_alloc(int);
void	 sp_client_discard(struct sp_client *);
void	 sp_client_hold(struct sp_client *);
bool	 sp_client_hold_call(struct sp_client *);
void	 sp_client_call_answered(struct sp_req *);
void	 sp_client_rele(struct sp_client *);
void	 sp_client_dying(struct sp_client *);
void	 sp_client_why(struct sp_client *, const char *);
void	 sp_client_disconnect(struct sp_client *);
int	 sp_client_pin(struct sp_client *);
void	 sp_client_unpin(struct sp_client *);
void	 sp_mainlwp_enter(struct sp_client *);
void	 sp_mainlwp_exit(struct sp_client *);
uint64_t sp_client_reqno(struct sp_client *);

/* sp_join.c: thread connections */
void	 sp_join_key(struct sp_client *, uint64_t);
bool	 sp_join_claim(struct sp_client *, const struct rsp_joinkey *);
void	 sp_join_cut(struct sp_client *);
void	 sp_join_forget(struct sp_client *);
struct sp_client *sp_join_detach(struct sp_client *);

/* sp_send.c: frames out through the outbound queue */
int	 sp_send(struct sp_client *, const struct iovec *, int);
int	 sp_send_resp(struct sp_client *, uint64_t, int, uint32_t,
	    const void *, size_t);
int	 sp_send_error(struct sp_client *, uint64_t, int, int, const char *);
int	 sp_send_refuse(int, const char *, size_t, int, const char *);
int	 sp_out_flush(struct sp_client *);
void	 sp_out_drop(struct sp_client *);
void	 sp_out_close(struct sp_client *);

/* sp_ring.c: the shared-memory transport */
int	 sp_ring_setup(struct sp_client *, uint64_t);
ssize_t	 sp_ring_write(struct sp_client *, const struct iovec *, int);
bool	 sp_ring_waitroom(struct sp_client *);
int	 sp_ring_doorbells(struct sp_client *);
int	 sp_ring_peek(struct sp_client *, size_t, const uint8_t **, size_t *);
void	 sp_ring_taken(struct sp_client *, size_t);
bool	 sp_ring_ready(struct sp_client *);
bool	 sp_ring_sleep(struct sp_client *);
void	 sp_ring_watch(struct sp_client *);
bool	 sp_ring_together(struct sp_client *);
void	 sp_ring_asleep(bool);
void	 sp_ring_free(struct sp_client *);
bool	 sp_ring_enabled(void);

/* the key clients must prove they hold (rumpuser_sp_keyfile), or none */
extern struct rsp_key sp_key;

/* sp_handle.c: requests */
int	 sp_handle_hdr(struct sp_client *, const struct rsp_hdr *,
	    const char **);
int	 sp_handle_frame(struct sp_client *, struct sp_work *,
	    struct sp_workq *);
void	 sp_handle_work(struct sp_work *);
struct sp_req *sp_curreq(void);
void	 sp_req_reply(struct sp_req *, int, const register_t [2]);
struct sp_work *sp_work_get(struct sp_client *, size_t);
void	 sp_work_put(struct sp_work *);

/* sp_stats.c: counters (enum rumpuser_sp_counter) */
extern _Atomic int64_t sp_stat[RUMPUSER_SP_NCOUNTERS];
#define SP_STAT_ADD(which, n) \
	atomic_fetch_add_explicit(&sp_stat[(which)], (int64_t)(n), \
	    memory_order_relaxed)

/* sp_pool.c: the threads */
void	 sp_pool_init(void);
int	 sp_pool_start(void);
void	 sp_pool_stop(struct sp_workq *);
bool	 sp_pool_overloaded(void);
int64_t	 sp_pool_gauge(int);
void	 sp_pool_wait_begin(bool);
void	 sp_pool_wait_end(bool);

/* sp_prefork.c: pending prefork images */
int	 sp_prefork_add(struct sp_client *, struct lwp *,
	    uint8_t [RUMPSP_AUTHLEN]);
struct lwp *sp_prefork_claim(const uint8_t [RUMPSP_AUTHLEN]);
void	 sp_prefork_drop_client(struct sp_client *);
int	 sp_prefork_next(void);
void	 sp_prefork_sweep(void);

/* sp_copy.c: copies, and answers to our own requests */
int	 sp_copyout_flush(struct sp_req *);
void	 sp_waiter_deliver(struct sp_client *, const struct rsp_hdr *,
	    uint8_t *, size_t);
void	 sp_waiter_wakeall(struct sp_client *);

/* sp_server.c: the event loop, run by the leader */
void	 sp_server_poll(struct sp_workq *);
void	 sp_server_kick(void);
void	 sp_server_arm(struct sp_client *, bool);
void	 sp_server_swept(void);
void	 sp_server_newdone(struct sp_client *);
uint64_t sp_now_ms(void);
void	 sp_log(const char *, ...)
	    __attribute__((__format__(__printf__, 1, 2)));

#pragma GCC visibility pop

#endif /* LIBRUMPUSER_SP_INT_H */
