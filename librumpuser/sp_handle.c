/*
 * sp_handle.c -- what the server does with each request.
 *
 * The event thread judges every header (sp_handle_hdr) before a body is
 * read, runs the GUEST and FORK handshakes itself (they come once per
 * connection, before any other request, so nothing can be waiting
 * behind them) and hands SYSCALL, PREFORK and EXEC to the workers.
 * A protocol violation gets an ERROR frame with a reason and closes the
 * connection; a request that merely cannot be served now (prefork or a
 * second exec during exec, no memory) gets an ERROR and the connection
 * stays.
 *
 * A system call runs on a fresh lwp of the client's process; the
 * request is the thread's current request meanwhile, so that copyin
 * and copyout find its inline regions (sp_copy.c).  Exec first tells
 * the process's lwps to exit, waits for the client's other work items
 * to drain, then renames the process; the kernel's execnotify clears
 * the exit flag again.
 */
#include <sys/types.h>
#include <sys/uio.h>

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rump/rump.h>

#include "sp_int.h"

/* Largest body of an ERROR frame a client may send us. */
#define SP_MAXERRBODY	4096

static __thread struct sp_req *sp_curreq_tls;

struct sp_req *
sp_curreq(void)
{

	return sp_curreq_tls;
}

/*
 * Is this header acceptable from this client now?  Returns 0, or an
 * RUMPSP_ERR_* code and the reason for the ERROR frame.  Per-type
 * limits keep a client from making us allocate more than the request
 * can need.
 */
int
sp_handle_hdr(struct sp_client *spc, const struct rsp_hdr *hdr,
    const char **why)
{
	uint64_t blen = hdr->rsp_len - RSP_HDRSZ, max;

	if (spc->spc_state == SPC_NEW && (hdr->rsp_class != RUMPSP_REQ ||
	    hdr->rsp_type != RUMPSP_HANDSHAKE)) {
		*why = "handshake required";
		return RUMPSP_ERR_AUTH;
	}
	switch (hdr->rsp_class) {
	case RUMPSP_REQ:
		switch (hdr->rsp_type) {
		case RUMPSP_HANDSHAKE:
		case RUMPSP_PREFORK:
			max = RUMPSP_MAXCOMM;
			break;
		case RUMPSP_SYSCALL:
			max = RUMPSP_MAXFRAME;
			break;
		default:
			*why = "unexpected request type";
			return RUMPSP_ERR_MALFORMED_REQUEST;
		}
		break;
	case RUMPSP_RESP:
		max = RUMPSP_MAXCOPY;
		break;
	default:
		max = SP_MAXERRBODY;
		break;
	}
	if (blen > max) {
		*why = "frame too long for its type";
		return RUMPSP_ERR_TOOBIG;
	}
	return RUMPSP_ERR_NONE;
}

/*
 * Event thread: the handshake went through; tell the client.  This is
 * the first frame after the banner on a fresh connection, so the send
 * cannot wait for the client; the send mutex is taken because the
 * kernel may already signal the new process (rumpuser_sp_raise).
 */
static int
sp_handshake_done(struct sp_client *spc, const struct rsp_hdr *hdr)
{

	return sp_send_resp(spc, hdr->rsp_reqno, RUMPSP_HANDSHAKE, 0, NULL,
	    0);
}

static int
sp_fail(struct sp_client *spc, const struct rsp_hdr *hdr, int err,
    const char *why)
{

	(void)sp_send_error_nb(spc, hdr->rsp_reqno, hdr->rsp_type, err, why);
	return -1;
}

static int
sp_hs_guest(struct sp_client *spc, const struct rsp_hdr *hdr,
    const uint8_t *body, size_t len)
{
	char comm[RUMPSP_MAXCOMM + 1];

	if (len > RUMPSP_MAXCOMM)
		return sp_fail(spc, hdr, RUMPSP_ERR_MALFORMED_REQUEST,
		    "command name too long");
	if (len > 0)
		memcpy(comm, body, len);
	comm[len] = '\0';
	if (sp_lwproc_rfork(spc, RUMP_RFCFDG, comm) != 0)
		return sp_fail(spc, hdr, RUMPSP_ERR_RFORK_FAILED,
		    "rfork failed");
	spc->spc_mainlwp = sp_lwproc_curlwp();
	spc->spc_pid = sp_lwproc_getpid();
	sp_lwproc_switch(NULL);
	spc->spc_state = SPC_RUNNING;
	return sp_handshake_done(spc, hdr) == 0 ? 0 : -1;
}

static int
sp_hs_fork(struct sp_client *spc, const struct rsp_hdr *hdr,
    const uint8_t *body, size_t len)
{
	struct rsp_handshake_fork hf;
	struct lwp *l;

	if (len != sizeof(hf))
		return sp_fail(spc, hdr, RUMPSP_ERR_MALFORMED_REQUEST,
		    "bad fork handshake");
	memcpy(&hf, body, sizeof(hf));
	if ((l = sp_prefork_claim(hf.rf_auth)) == NULL)
		return sp_fail(spc, hdr, RUMPSP_ERR_INVALID_PREFORK,
		    "invalid prefork cookie");
	sp_lwproc_switch(l);
	if (hf.rf_cancel) {
		/* the image process goes away; so does this connection */
		sp_lwproc_release();
		(void)sp_handshake_done(spc, hdr);
		return -1;
	}
	if (sp_lwproc_rfork(spc, 0, NULL) != 0) {
		sp_lwproc_release();
		return sp_fail(spc, hdr, RUMPSP_ERR_RFORK_FAILED,
		    "rfork failed");
	}
	spc->spc_mainlwp = sp_lwproc_curlwp();
	spc->spc_pid = sp_lwproc_getpid();
	sp_lwproc_switch(l);
	sp_lwproc_release();
	sp_lwproc_switch(NULL);
	spc->spc_state = SPC_RUNNING;
	return sp_handshake_done(spc, hdr) == 0 ? 0 : -1;
}

static int
sp_handshake(struct sp_client *spc, const struct rsp_hdr *hdr,
    const uint8_t *body, size_t len)
{

	switch (hdr->rsp_arg) {
	case HANDSHAKE_GUEST:
		return sp_hs_guest(spc, hdr, body, len);
	case HANDSHAKE_FORK:
		return sp_hs_fork(spc, hdr, body, len);
	case HANDSHAKE_AUTH:
		return sp_fail(spc, hdr, RUMPSP_ERR_AUTH,
		    "authentication not supported");
	case HANDSHAKE_EXEC:
		return sp_fail(spc, hdr, RUMPSP_ERR_AUTH,
		    "handshake required");
	default:
		return sp_fail(spc, hdr, RUMPSP_ERR_MALFORMED_REQUEST,
		    "unknown request type");
	}
}

/*
 * Event thread: hand a request to the workers.  Takes the body.
 * Returns 0 or, when it could not be queued, the errno.
 */
static int
sp_queue(struct sp_client *spc, struct sp_work *wk,
    const struct rsp_hdr *hdr, uint8_t *body, size_t len)
{

	wk->wk_spc = spc;
	wk->wk_hdr = *hdr;
	wk->wk_body = body;
	wk->wk_len = len;
	sp_client_hold(spc);
	if (sp_pool_submit(wk) != 0) {
		/* not the last reference: the connection holds one */
		sp_client_rele(spc);
		free(body);
		free(wk);
		(void)sp_send_error_nb(spc, hdr->rsp_reqno, hdr->rsp_type,
		    RUMPSP_ERR_TRYAGAIN, "no worker thread available");
		return EAGAIN;
	}
	return 0;
}

static int
sp_syscall_start(struct sp_client *spc, const struct rsp_hdr *hdr,
    uint8_t *body, size_t len)
{
	struct sp_work *wk;
	const char *why;
	int err;

	if ((wk = calloc(1, sizeof(*wk))) == NULL) {
		free(body);
		(void)sp_send_error_nb(spc, hdr->rsp_reqno, hdr->rsp_type,
		    RUMPSP_ERR_NOMEM, "out of memory");
		return 0;
	}
	err = rsp_sysreq_parse(body, len, &wk->wk_req.rq_sp, &why);
	if (err != RUMPSP_ERR_NONE) {
		free(wk);
		free(body);
		return sp_fail(spc, hdr, err, why);
	}
	wk->wk_req.rq_spc = spc;
	wk->wk_req.rq_reqno = hdr->rsp_reqno;
	(void)sp_queue(spc, wk, hdr, body, len);
	return 0;
}

/* PREFORK, or EXEC when exec is set. */
static int
sp_process_start(struct sp_client *spc, const struct rsp_hdr *hdr,
    uint8_t *body, size_t len, bool exec)
{
	struct sp_work *wk;
	bool inexec;
	int error;

	pthread_mutex_lock(&spc->spc_mtx);
	inexec = spc->spc_inexec;
	if (exec)
		spc->spc_inexec = true;
	pthread_mutex_unlock(&spc->spc_mtx);
	if (inexec) {
		free(body);
		(void)sp_send_error_nb(spc, hdr->rsp_reqno, hdr->rsp_type,
		    RUMPSP_ERR_INEXEC, "process is in exec");
		return 0;
	}
	if ((wk = calloc(1, sizeof(*wk))) == NULL) {
		free(body);
		(void)sp_send_error_nb(spc, hdr->rsp_reqno, hdr->rsp_type,
		    RUMPSP_ERR_NOMEM, "out of memory");
		error = ENOMEM;
	} else
		error = sp_queue(spc, wk, hdr, body, len);
	if (error != 0 && exec) {
		pthread_mutex_lock(&spc->spc_mtx);
		spc->spc_inexec = false;
		pthread_mutex_unlock(&spc->spc_mtx);
	}
	return 0;
}

/*
 * Event thread: a complete frame whose header sp_handle_hdr accepted.
 * Takes the body.  Returns 0, or -1 to close the connection.
 */
int
sp_handle_frame(struct sp_client *spc, const struct rsp_hdr *hdr,
    uint8_t *body, size_t len)
{
	int rv;

	if (hdr->rsp_class != RUMPSP_REQ) {
		sp_waiter_deliver(spc, hdr, body, len);
		return 0;
	}
	if (spc->spc_state == SPC_NEW) {
		rv = sp_handshake(spc, hdr, body, len);
		free(body);
		return rv;
	}
	switch (hdr->rsp_type) {
	case RUMPSP_SYSCALL:
		return sp_syscall_start(spc, hdr, body, len);
	case RUMPSP_PREFORK:
		return sp_process_start(spc, hdr, body, len, false);
	case RUMPSP_HANDSHAKE:
		if (hdr->rsp_arg == HANDSHAKE_EXEC)
			return sp_process_start(spc, hdr, body, len, true);
		free(body);
		return sp_fail(spc, hdr, RUMPSP_ERR_MALFORMED_REQUEST,
		    "handshake already done");
	default:
		/* sp_handle_hdr let nothing else through */
		free(body);
		return sp_fail(spc, hdr, RUMPSP_ERR_MALFORMED_REQUEST,
		    "unexpected request type");
	}
}

/*
 * The SYSCALL response: struct rsp_sysresp, then each OUT region the
 * kernel wrote, from its lowest to its highest written byte.
 */
void
sp_req_reply(struct sp_req *rq, int error, const register_t retval[2])
{
	struct iovec iov[2 + 2 * RUMPSP_MAXREGIONS];
	struct rsp_region rr[RUMPSP_MAXREGIONS];
	struct rsp_sysresp sr;
	struct rsp_hdr hdr;
	struct sp_outbuf *ob;
	size_t i, len, nr = 0;
	int n = 2;

	len = RSP_HDRSZ + sizeof(sr);
	for (i = 0; i < rq->rq_sp.sp_nregions; i++) {
		ob = &rq->rq_out[i];
		if (ob->ob_data == NULL || ob->ob_hi <= ob->ob_lo)
			continue;
		rr[nr].rr_addr = rq->rq_sp.sp_region[i].rr_addr + ob->ob_lo;
		rr[nr].rr_len = (uint32_t)(ob->ob_hi - ob->ob_lo);
		rr[nr].rr_flags = RSP_REGION_OUT;
		iov[n].iov_base = &rr[nr];
		iov[n++].iov_len = sizeof(rr[nr]);
		/* the buffer has 8 spare zero bytes for the padding */
		iov[n].iov_base = ob->ob_data + ob->ob_lo;
		iov[n++].iov_len = RSP_PAD8(ob->ob_hi - ob->ob_lo);
		len += sizeof(rr[nr]) + RSP_PAD8(ob->ob_hi - ob->ob_lo);
		nr++;
	}
	memset(&sr, 0, sizeof(sr));
	sr.rsys_error = error;
	sr.rsys_nregions = (int32_t)nr;
	sr.rsys_retval[0] = retval[0];
	sr.rsys_retval[1] = retval[1];
	rsp_hdr_fill(&hdr, len, rq->rq_reqno, RUMPSP_RESP, RUMPSP_SYSCALL, 0);
	iov[0].iov_base = &hdr;
	iov[0].iov_len = sizeof(hdr);
	iov[1].iov_base = &sr;
	iov[1].iov_len = sizeof(sr);
	(void)sp_send(rq->rq_spc, iov, n);
	rq->rq_replied = true;
}

static void
sp_do_syscall(struct sp_work *wk)
{
	struct sp_client *spc = wk->wk_spc;
	struct sp_req *rq = &wk->wk_req;
	uint64_t args[RUMPSP_MAXARGS];
	register_t rv[2] = { 0, 0 };
	bool dying, inexec;
	size_t i;
	int error;

	pthread_mutex_lock(&spc->spc_mtx);
	dying = spc->spc_dying;
	inexec = spc->spc_inexec;
	pthread_mutex_unlock(&spc->spc_mtx);
	if (dying)
		return;		/* nobody to answer */
	/*
	 * The process is draining for exec: a call that arrives now is
	 * interrupted before it starts, as the ones in flight were, so
	 * that a program whose threads keep calling cannot hold the exec
	 * off for ever.
	 */
	if (inexec) {
		sp_req_reply(rq, EINTR, rv);
		return;
	}

	if ((error = sp_lwproc_newlwp(spc->spc_pid)) != 0) {
		sp_req_reply(rq, error, rv);
		return;
	}
	memset(args, 0, sizeof(args));
	memcpy(args, rq->rq_sp.sp_args, rq->rq_sp.sp_argsize);
	sp_curreq_tls = rq;
	error = sp_lwproc_syscall((int)wk->wk_hdr.rsp_arg, args, rv);
	sp_curreq_tls = NULL;
	sp_lwproc_release();
	if (!rq->rq_replied)
		sp_req_reply(rq, error, rv);
	for (i = 0; i < rq->rq_sp.sp_nregions; i++)
		free(rq->rq_out[i].ob_data);
}

static void
sp_do_prefork(struct sp_work *wk)
{
	struct sp_client *spc = wk->wk_spc;
	struct rsp_prefork_resp pr;
	struct lwp *l;
	int error;

	sp_mainlwp_enter(spc);
	sp_lwproc_switch(spc->spc_mainlwp);
	error = sp_lwproc_rfork(spc, RUMP_RFFDG | RUMPUSER_SP_PREFORK, NULL);
	l = error == 0 ? sp_lwproc_curlwp() : NULL;
	sp_lwproc_switch(NULL);
	sp_mainlwp_exit(spc);
	if (error != 0) {
		(void)sp_send_error(spc, wk->wk_hdr.rsp_reqno, RUMPSP_PREFORK,
		    RUMPSP_ERR_RFORK_FAILED, "rfork failed");
		return;
	}
	if ((error = sp_prefork_add(spc, l, pr.rpf_auth)) != 0) {
		sp_lwproc_switch(l);
		sp_lwproc_release();
		if (error == ENOMEM)
			(void)sp_send_error(spc, wk->wk_hdr.rsp_reqno,
			    RUMPSP_PREFORK, RUMPSP_ERR_NOMEM, "out of memory");
		return;
	}
	(void)sp_send_resp(spc, wk->wk_hdr.rsp_reqno, RUMPSP_PREFORK, 0,
	    &pr, sizeof(pr));
}

/* Make mainlwp curlwp for one operation. */
static void
sp_on_mainlwp(struct sp_client *spc, void (*op)(const char *),
    const char *arg)
{

	sp_mainlwp_enter(spc);
	sp_lwproc_switch(spc->spc_mainlwp);
	op(arg);
	sp_lwproc_switch(NULL);
	sp_mainlwp_exit(spc);
}

static void
sp_lwpexit_op(const char *unused)
{

	sp_lwproc_lwpexit();
}

static void
sp_do_exec(struct sp_work *wk)
{
	struct sp_client *spc = wk->wk_spc;
	char comm[RUMPSP_MAXCOMM + 1];
	bool dying;

	if (wk->wk_len > 0)
		memcpy(comm, wk->wk_body, wk->wk_len);
	comm[wk->wk_len] = '\0';

	/* wake the process's lwps blocked in the kernel, then drain */
	sp_on_mainlwp(spc, sp_lwpexit_op, NULL);
	pthread_mutex_lock(&spc->spc_mtx);
	while (spc->spc_nwork > 1)
		pthread_cond_wait(&spc->spc_cv, &spc->spc_mtx);
	dying = spc->spc_dying;
	pthread_mutex_unlock(&spc->spc_mtx);
	if (!dying)
		sp_on_mainlwp(spc, sp_lwproc_execnotify, comm);

	/*
	 * A disconnect during exec left the lwp exit to us: it saw
	 * spc_inexec.  Clearing spc_inexec and reading spc_dying under
	 * one lock makes exactly one of us do it.
	 */
	pthread_mutex_lock(&spc->spc_mtx);
	spc->spc_inexec = false;
	dying = spc->spc_dying;
	pthread_mutex_unlock(&spc->spc_mtx);
	if (dying) {
		sp_on_mainlwp(spc, sp_lwpexit_op, NULL);
		return;
	}
	(void)sp_send_resp(spc, wk->wk_hdr.rsp_reqno, RUMPSP_HANDSHAKE, 0,
	    NULL, 0);
}

/* A worker runs one work item and drops its reference. */
void
sp_handle_work(struct sp_work *wk)
{
	struct sp_client *spc = wk->wk_spc;

	switch (wk->wk_hdr.rsp_type) {
	case RUMPSP_SYSCALL:
		sp_do_syscall(wk);
		break;
	case RUMPSP_PREFORK:
		sp_do_prefork(wk);
		break;
	case RUMPSP_HANDSHAKE:
		sp_do_exec(wk);
		break;
	}
	free(wk->wk_body);
	free(wk);
	sp_client_rele(spc);
}
