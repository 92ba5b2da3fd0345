/*
 * sp_int.h -- internal interfaces of the sysproxy server.
 *
 * Threads: one event thread (sp_server.c) accepts connections, reads
 * frames and runs the connection handshakes; a pool of workers
 * (sp_worker.c) runs system calls, prefork and exec.  A client struct
 * lives while its connection is open or a work item refers to it.
 *
 * Lock order: spc_mtx, then sp_pool_mtx (sp_worker.c), then sp_pf_mtx
 * (sp_prefork.c).  spc_sendmtx is a leaf: nothing is taken while it is
 * held, and it is held across a blocking send so that frames never
 * interleave.  No lock of this library is held while an spop that
 * schedules the kernel runs.
 *
 * An lwp may be curlwp of one host thread only, and mainlwp is used by
 * several (prefork and exec on workers, disconnect on the event thread,
 * the final release wherever the last reference goes): whoever switches
 * to it holds the mainlwp guard (spc_mainbusy) for that time.
 */
#ifndef LIBRUMPUSER_SP_INT_H
#define LIBRUMPUSER_SP_INT_H

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/uio.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <rump/rumpuser.h>

#include "sp_proto.h"

/* Nothing below leaves the library. */
#pragma GCC visibility push(hidden)

/* How long an unclaimed prefork image lives. */
#define SP_PREFORK_TTL_MS	(60 * 1000)

/* The event thread's view of a connection. */
enum sp_state {
	SPC_NEW,	/* banner sent, waiting for the handshake */
	SPC_RUNNING	/* a process in the kernel */
};

/* A worker waiting for the answer to a COPYIN or COPYINSTR request. */
struct sp_waiter {
	TAILQ_ENTRY(sp_waiter)	 w_entries;	/* spc_waiters */
	uint64_t		 w_reqno;
	pthread_cond_t		 w_cv;
	bool			 w_done;
	int			 w_class;	/* RUMPSP_RESP, RUMPSP_ERROR */
	uint8_t			*w_data;	/* body, the waiter frees it */
	size_t			 w_len;
};

struct sp_prefork;

struct sp_client {
	int			 spc_fd;	/* closed when freed */

	/* event thread only */
	TAILQ_ENTRY(sp_client)	 spc_entries;	/* sp_server.c's list */
	enum sp_state		 spc_state;
	struct rsp_hdr		 spc_hdr;	/* frame being read */
	size_t			 spc_hdroff;
	uint8_t			*spc_body;
	size_t			 spc_bodylen, spc_bodyoff;

	/*
	 * Written by the event thread during the handshake, before the
	 * first work item exists; constant afterwards.
	 */
	struct lwp		*spc_mainlwp;
	pid_t			 spc_pid;

	/* under spc_mtx */
	pthread_mutex_t		 spc_mtx;
	pthread_cond_t		 spc_cv;	/* nwork, pins, mainbusy */
	unsigned		 spc_nwork;	/* work items queued, running */
	unsigned		 spc_pins;	/* sp_client_pin() */
	bool			 spc_connected;	/* the event thread's ref */
	bool			 spc_dying;	/* disconnected: no waits */
	bool			 spc_inexec;
	bool			 spc_mainbusy;	/* the mainlwp guard */
	uint64_t		 spc_nextreq;	/* our own requests */
	TAILQ_HEAD(, sp_waiter)	 spc_waiters;

	/* under sp_pf_mtx */
	LIST_HEAD(, sp_prefork)	 spc_preforks;

	pthread_mutex_t		 spc_sendmtx;
};

/*
 * Where the kernel's copyouts into an OUT region went.  The reply
 * carries [lo, hi) whole: a gap the kernel skipped goes back as zeros,
 * so a region is meant for one output buffer written front to back.
 */
struct sp_outbuf {
	uint8_t			*ob_data;	/* rr_len + 8 bytes, zeroed */
	size_t			 ob_lo, ob_hi;	/* written: [lo, hi) */
};

/*
 * The SYSCALL request a worker is serving.  It is the thread's current
 * request while the kernel runs the call, so that copyin and copyout
 * can use the inline regions.
 */
struct sp_req {
	struct sp_client	*rq_spc;
	uint64_t		 rq_reqno;
	bool			 rq_replied;	/* rumpuser_sp_fini answered */
	struct rsp_sysreq_parsed rq_sp;		/* points into the body */
	struct sp_outbuf	 rq_out[RUMPSP_MAXREGIONS];
};

/* A request handed from the event thread to a worker. */
struct sp_work {
	TAILQ_ENTRY(sp_work)	 wk_entries;
	struct sp_client	*wk_spc;	/* holds a reference */
	struct rsp_hdr		 wk_hdr;
	uint8_t			*wk_body;	/* owned, may be NULL */
	size_t			 wk_len;
	struct sp_req		 wk_req;	/* SYSCALL only */
};

extern struct rumpuser_sp_ops sp_ops;

/* sp_lwproc.c: the operations, each bracketed by schedule/unschedule */
int	 sp_lwproc_rfork(struct sp_client *, int, const char *);
int	 sp_lwproc_newlwp(pid_t);
void	 sp_lwproc_switch(struct lwp *);
void	 sp_lwproc_release(void);
struct lwp *sp_lwproc_curlwp(void);
pid_t	 sp_lwproc_getpid(void);
void	 sp_lwproc_execnotify(const char *);
void	 sp_lwproc_lwpexit(void);
int	 sp_lwproc_syscall(int, void *, register_t *);

/* sp_client.c: lifetime of a client */
struct sp_client *sp_client_alloc(int);
void	 sp_client_hold(struct sp_client *);
void	 sp_client_rele(struct sp_client *);
void	 sp_client_disconnect(struct sp_client *);
int	 sp_client_pin(struct sp_client *);
void	 sp_client_unpin(struct sp_client *);
void	 sp_mainlwp_enter(struct sp_client *);
void	 sp_mainlwp_exit(struct sp_client *);

/* sp_send.c: frames out */
int	 sp_send(struct sp_client *, const struct iovec *, int);
int	 sp_send_fd_nb(int, const struct iovec *, int);
int	 sp_send_resp(struct sp_client *, uint64_t, int, uint32_t,
	    const void *, size_t);
int	 sp_send_error(struct sp_client *, uint64_t, int, int, const char *);
int	 sp_send_error_nb(struct sp_client *, uint64_t, int, int,
	    const char *);
int	 sp_send_error_fd(int, int, const char *);

/* sp_handle.c: requests */
int	 sp_handle_hdr(struct sp_client *, const struct rsp_hdr *,
	    const char **);
int	 sp_handle_frame(struct sp_client *, const struct rsp_hdr *,
	    uint8_t *, size_t);
void	 sp_handle_work(struct sp_work *);
struct sp_req *sp_curreq(void);
void	 sp_req_reply(struct sp_req *, int, const register_t [2]);

/* sp_worker.c: the worker pool */
void	 sp_pool_init(int, int);
int	 sp_pool_submit(struct sp_work *);

/* sp_prefork.c: pending prefork images */
int	 sp_prefork_add(struct sp_client *, struct lwp *,
	    uint8_t [RUMPSP_AUTHLEN]);
struct lwp *sp_prefork_claim(const uint8_t [RUMPSP_AUTHLEN]);
void	 sp_prefork_drop_client(struct sp_client *);
int	 sp_prefork_sweep(void);

/* sp_copy.c: answers to our own requests */
void	 sp_waiter_deliver(struct sp_client *, const struct rsp_hdr *,
	    uint8_t *, size_t);
void	 sp_waiter_wakeall(struct sp_client *);

/* sp_server.c */
void	 sp_server_kick(void);
uint64_t sp_now_ms(void);

#pragma GCC visibility pop

#endif /* LIBRUMPUSER_SP_INT_H */
