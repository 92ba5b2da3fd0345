/*
 * sp_handle.c -- what the server does with each request.
 *
 * The leader judges every header (sp_handle_hdr) before a body is read
 * and every complete request (sp_handle_frame): a protocol violation
 * gets an ERROR frame with a reason and closes the connection; anything
 * else becomes a work item.  Pool threads run the items
 * (sp_handle_work): the GUEST and FORK handshakes, system calls,
 * PREFORK and EXEC.  A request that merely cannot be served now
 * (prefork during exec, no memory, too many threads asleep) gets an
 * ERROR and the connection stays.  While a handshake is being served
 * the connection is in SPC_HANDSHAKE, in which any frame is a
 * violation: a client waits for the handshake's answer.
 *
 * A system call runs on an lwp of the client's process, the one kept
 * from its last call when there is one; the request is the thread's
 * current request meanwhile, so that copyin and copyout find its
 * inline regions (sp_copy.c).  Exec (the new image's EXEC handshake)
 * tells the process's lwps to exit, waits for the client's other work
 * items to drain, then renames the process and closes its close-on-
 * exec descriptors; the kernel's execnotify clears the exit flag.
 * Calls of the old image that had not started are answered EINTR.
 */
#include <sys/types.h>
#include <sys/uio.h>

#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
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

	if (atomic_load(&spc->spc_state) == SPC_NEW &&
	    (hdr->rsp_class != RUMPSP_REQ ||
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
		case RUMPSP_SHM:
		case RUMPSP_JOIN:
		case RUMPSP_CANCEL:
			max = 0;
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

/* A work item, small bodies inside it; the client keeps one spare. */
struct sp_work *
sp_work_get(struct sp_client *spc, size_t bodylen)
{
	struct sp_work *wk = NULL;

	if (bodylen <= SP_INLBODY)
		wk = atomic_exchange(&spc->spc_wkcache, NULL);
	if (wk == NULL && (wk = sp_malloc(sizeof(*wk))) == NULL)
		return NULL;
	memset(wk, 0, offsetof(struct sp_work, wk_inl));
	wk->wk_type = SPW_REQUEST;
	wk->wk_spc = spc;
	if (bodylen <= SP_INLBODY)
		wk->wk_body = (uint8_t *)wk->wk_inl;
	else if ((wk->wk_body = sp_malloc(bodylen)) == NULL) {
		free(wk);
		return NULL;
	}
	return wk;
}

void
sp_work_put(struct sp_work *wk)
{
	struct sp_client *spc = wk->wk_spc;
	struct sp_work *none = NULL;

	if (wk->wk_body != (uint8_t *)wk->wk_inl)
		free(wk->wk_body);
	wk->wk_body = NULL;
	if (!atomic_compare_exchange_strong(&spc->spc_wkcache, &none, wk))
		free(wk);
}

/* A violation seen by the leader: ERROR, and the caller closes. */
static int
sp_fail(struct sp_client *spc, struct sp_work *wk, int err, const char *why)
{

	(void)sp_send_error(spc, wk->wk_hdr.rsp_reqno, wk->wk_hdr.rsp_type,
	    err, why);
	sp_client_why(spc, why);
	sp_work_put(wk);
	return -1;
}

/* A handshake that failed in a pool thread: ERROR, then close. */
static void
sp_hs_fail(struct sp_client *spc, const struct rsp_hdr *hdr, int err,
    const char *why)
{

	(void)sp_send_error(spc, hdr->rsp_reqno, hdr->rsp_type, err, why);
	sp_client_why(spc, why);
	sp_out_close(spc);
}

/* The handshake went through: running from now on, then tell it. */
static void
sp_hs_done(struct sp_client *spc, const struct rsp_hdr *hdr)
{

	atomic_store(&spc->spc_state, SPC_RUNNING);
	(void)sp_send_resp(spc, hdr->rsp_reqno, RUMPSP_HANDSHAKE, 0, NULL, 0);
}

static void
sp_do_guest(struct sp_work *wk)
{
	struct sp_client *spc = wk->wk_spc;
	char comm[RUMPSP_MAXCOMM + 1];

	if (wk->wk_len > RUMPSP_MAXCOMM) {
		sp_hs_fail(spc, &wk->wk_hdr, RUMPSP_ERR_MALFORMED_REQUEST,
		    "command name too long");
		return;
	}
	if (wk->wk_len > 0)
		memcpy(comm, wk->wk_body, wk->wk_len);
	comm[wk->wk_len] = '\0';
	if (sp_lwproc_rfork(spc, RUMP_RFCFDG, comm) != 0) {
		sp_hs_fail(spc, &wk->wk_hdr, RUMPSP_ERR_RFORK_FAILED,
		    "rfork failed");
		return;
	}
	spc->spc_mainlwp = sp_lwproc_curlwp();
	spc->spc_pid = sp_lwproc_getpid();
	sp_lwproc_switch(NULL);
	if (rumpsp_verbose)
		sp_log("pid %d: connected (%s)", (int)spc->spc_pid, comm);
	sp_hs_done(spc, &wk->wk_hdr);
}

static void
sp_do_fork(struct sp_work *wk)
{
	struct sp_client *spc = wk->wk_spc;
	struct rsp_handshake_fork hf;
	struct lwp *l;

	if (wk->wk_len != sizeof(hf)) {
		sp_hs_fail(spc, &wk->wk_hdr, RUMPSP_ERR_MALFORMED_REQUEST,
		    "bad fork handshake");
		return;
	}
	memcpy(&hf, wk->wk_body, sizeof(hf));
	if ((l = sp_prefork_claim(hf.rf_auth)) == NULL) {
		sp_hs_fail(spc, &wk->wk_hdr, RUMPSP_ERR_INVALID_PREFORK,
		    "invalid prefork cookie");
		return;
	}
	sp_lwproc_switch(l);
	if (hf.rf_cancel) {
		/* the image process goes away; so does this connection */
		sp_lwproc_release();
		(void)sp_send_resp(spc, wk->wk_hdr.rsp_reqno,
		    RUMPSP_HANDSHAKE, 0, NULL, 0);
		sp_client_why(spc, "fork cancelled");
		sp_out_close(spc);
		return;
	}
	if (sp_lwproc_rfork(spc, 0, NULL) != 0) {
		sp_lwproc_release();
		sp_hs_fail(spc, &wk->wk_hdr, RUMPSP_ERR_RFORK_FAILED,
		    "rfork failed");
		return;
	}
	spc->spc_mainlwp = sp_lwproc_curlwp();
	spc->spc_pid = sp_lwproc_getpid();
	sp_lwproc_switch(l);
	sp_lwproc_release();
	sp_lwproc_switch(NULL);
	if (rumpsp_verbose)
		sp_log("pid %d: connected (fork)", (int)spc->spc_pid);
	sp_hs_done(spc, &wk->wk_hdr);
}

struct rsp_key sp_key;

int
rumpuser_sp_keyfile(const char *path)
{
	int error;

	if ((error = rsp_auth_init()) != 0)
		return error;
	return rsp_key_load(path, &sp_key);
}

/*
 * The leader: an AUTH request (sp_auth.c has the exchange).  Pure
 * computation, so the leader answers it itself.  Returns 0, or -1 to
 * close (an ERROR frame is queued).
 */
static int
sp_auth(struct sp_client *spc, struct sp_work *wk)
{
	struct rsp_auth_resp ar;
	struct rsp_auth ra;

	if (sp_key.k_len == 0)
		return sp_fail(spc, wk, RUMPSP_ERR_AUTH,
		    "this server has no key");
	if (wk->wk_len != sizeof(ra))
		return sp_fail(spc, wk, RUMPSP_ERR_MALFORMED_REQUEST,
		    "bad authentication request");
	memcpy(&ra, wk->wk_body, sizeof(ra));
	if (ra.ra_step == 1 && spc->spc_authstep == 0) {
		memcpy(spc->spc_cnonce, ra.ra_nonce, RSP_NONCELEN);
		rsp_nonce(spc->spc_snonce);
		memcpy(ar.rar_nonce, spc->spc_snonce, RSP_NONCELEN);
		rsp_proof(&sp_key, 1, spc->spc_cnonce, spc->spc_snonce,
		    ar.rar_mac);
		spc->spc_authstep = 1;
		(void)sp_send_resp(spc, wk->wk_hdr.rsp_reqno, RUMPSP_HANDSHAKE,
		    0, &ar, sizeof(ar));
	} else if (ra.ra_step == 2 && spc->spc_authstep == 1 &&
	    rsp_proof_ok(&sp_key, 0, spc->spc_cnonce, spc->spc_snonce,
	    ra.ra_mac)) {
		spc->spc_authstep = 2;
		(void)sp_send_resp(spc, wk->wk_hdr.rsp_reqno, RUMPSP_HANDSHAKE,
		    0, NULL, 0);
	} else {
		sp_log("a client failed authentication");
		return sp_fail(spc, wk, RUMPSP_ERR_AUTH,
		    "authentication failed");
	}
	sp_work_put(wk);
	return 0;
}

/*
 * The leader: a JOIN handshake (sp_join.c).  Nothing enters the kernel:
 * the connection only attaches to a process that exists.  Returns 0,
 * or -1 to close (an ERROR is queued).
 */
static int
sp_join(struct sp_client *spc, struct sp_work *wk)
{
	struct rsp_joinkey jk;

	if (wk->wk_len != sizeof(jk))
		return sp_fail(spc, wk, RUMPSP_ERR_MALFORMED_REQUEST,
		    "bad join handshake");
	memcpy(&jk, wk->wk_body, sizeof(jk));
	if (!sp_join_claim(spc, &jk))
		return sp_fail(spc, wk, RUMPSP_ERR_INVALID_PREFORK,
		    "no process with this join key");
	sp_server_newdone(spc);
	if (rumpsp_verbose)
		sp_log("pid %d: thread connection", (int)spc->spc_pid);
	sp_hs_done(spc, &wk->wk_hdr);
	sp_work_put(wk);
	return 0;
}

/*
 * The leader: a complete request whose header sp_handle_hdr accepted,
 * in its work item.  Queues it on out, or returns -1 to close.
 */
int
sp_handle_frame(struct sp_client *spc, struct sp_work *wk,
    struct sp_workq *out)
{
	const struct rsp_hdr *hdr = &wk->wk_hdr;
	const char *why;
	int err;

	switch (atomic_load(&spc->spc_state)) {
	case SPC_NEW:
		/* sp_handle_hdr let only a HANDSHAKE request through */
		switch (hdr->rsp_arg) {
		case HANDSHAKE_GUEST:
		case HANDSHAKE_FORK:
			if (sp_key.k_len != 0 && spc->spc_authstep != 2) {
				sp_log("a client did not authenticate");
				return sp_fail(spc, wk, RUMPSP_ERR_AUTH,
				    "authentication required");
			}
			atomic_store(&spc->spc_state, SPC_HANDSHAKE);
			sp_server_newdone(spc);
			break;
		case HANDSHAKE_JOIN:
			if (sp_key.k_len != 0 && spc->spc_authstep != 2) {
				sp_log("a client did not authenticate");
				return sp_fail(spc, wk, RUMPSP_ERR_AUTH,
				    "authentication required");
			}
			return sp_join(spc, wk);
		case HANDSHAKE_AUTH:
			return sp_auth(spc, wk);
		case HANDSHAKE_EXEC:
			return sp_fail(spc, wk, RUMPSP_ERR_AUTH,
			    "handshake required");
		default:
			return sp_fail(spc, wk, RUMPSP_ERR_MALFORMED_REQUEST,
			    "unknown handshake");
		}
		break;
	case SPC_HANDSHAKE:
		return sp_fail(spc, wk, RUMPSP_ERR_MALFORMED_REQUEST,
		    "request before the handshake was answered");
	case SPC_RUNNING:
		/* a thread connection makes calls and answers copies only */
		if (spc->spc_owner != NULL && hdr->rsp_type != RUMPSP_SYSCALL &&
		    hdr->rsp_type != RUMPSP_CANCEL)
			return sp_fail(spc, wk, RUMPSP_ERR_MALFORMED_REQUEST,
			    "not on a thread connection");
		switch (hdr->rsp_type) {
		case RUMPSP_SYSCALL:
			err = rsp_sysreq_parse(wk->wk_body, wk->wk_len,
			    &wk->wk_req.rq_sp, &why);
			if (err != RUMPSP_ERR_NONE)
				return sp_fail(spc, wk, err, why);
			wk->wk_req.rq_spc = spc;
			wk->wk_req.rq_reqno = hdr->rsp_reqno;
			wk->wk_req.rq_asleep = NULL;
			wk->wk_req.rq_held = false;
			if (!sp_client_hold_call(spc)) {
				(void)sp_send_error(spc, hdr->rsp_reqno,
				    hdr->rsp_type, RUMPSP_ERR_TRYAGAIN,
				    "too many calls of this client");
				sp_work_put(wk);
				return 0;
			}
			wk->wk_req.rq_held = true;
			TAILQ_INSERT_TAIL(out, wk, wk_entries);
			return 0;
		case RUMPSP_PREFORK:
		case RUMPSP_CANCEL:	/* the kernel lock: a pool thread's */
			break;
		case RUMPSP_SHM:
			/* the leader itself: no byte after it is read yet */
			err = sp_ring_setup(spc, hdr->rsp_reqno);
			sp_work_put(wk);
			return err;
		case RUMPSP_JOIN:
			sp_join_key(spc, hdr->rsp_reqno);
			sp_work_put(wk);
			return 0;
		case RUMPSP_HANDSHAKE:
			if (hdr->rsp_arg != HANDSHAKE_EXEC)
				return sp_fail(spc, wk,
				    RUMPSP_ERR_MALFORMED_REQUEST,
				    "handshake already done");
			/* calls of the old image not yet started: EINTR */
			pthread_mutex_lock(&spc->spc_mtx);
			err = spc->spc_inexec;
			spc->spc_inexec = true;
			pthread_mutex_unlock(&spc->spc_mtx);
			if (err) {
				(void)sp_send_error(spc, hdr->rsp_reqno,
				    hdr->rsp_type, RUMPSP_ERR_INEXEC,
				    "process is in exec");
				sp_work_put(wk);
				return 0;
			}
			break;
		default:
			return sp_fail(spc, wk, RUMPSP_ERR_MALFORMED_REQUEST,
			    "unexpected request type");
		}
		break;
	}
	sp_client_hold(spc);
	TAILQ_INSERT_TAIL(out, wk, wk_entries);
	return 0;
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

	/* copyouts outside the regions go first: the client sees them so */
	if (sp_copyout_flush(rq) != 0 && error == 0)
		error = EFAULT;
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
	sp_client_call_answered(rq);
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
	if (dying) {
		sp_client_call_answered(rq);
		return;		/* nobody to answer */
	}
	/*
	 * The process is draining for exec: a call of the old image that
	 * had not started is interrupted, as the ones in flight were.
	 */
	if (inexec) {
		sp_req_reply(rq, EINTR, rv);
		return;
	}
	if (sp_pool_overloaded()) {
		sp_client_call_answered(rq);
		(void)sp_send_error(spc, rq->rq_reqno, RUMPSP_SYSCALL,
		    RUMPSP_ERR_TRYAGAIN, "too many calls asleep in the kernel");
		return;
	}

	memset(args, 0, sizeof(args));
	memcpy(args, rq->rq_sp.sp_args, rq->rq_sp.sp_argsize);
	sp_curreq_tls = rq;
	error = sp_lwproc_call(spc, rq->rq_reqno, (int)wk->wk_hdr.rsp_arg,
	    args, rv);
	sp_curreq_tls = NULL;
	if (!rq->rq_replied)
		sp_req_reply(rq, error, rv);
	sp_client_call_answered(rq);
	for (i = 0; i < rq->rq_sp.sp_nregions; i++)
		free(rq->rq_out[i].ob_data);
	free(rq->rq_co);
}

static void
sp_do_prefork(struct sp_work *wk)
{
	struct sp_client *spc = wk->wk_spc;
	struct rsp_prefork_resp pr;
	struct lwp *l;
	bool inexec;
	int error;

	pthread_mutex_lock(&spc->spc_mtx);
	inexec = spc->spc_inexec;
	pthread_mutex_unlock(&spc->spc_mtx);
	if (inexec) {
		(void)sp_send_error(spc, wk->wk_hdr.rsp_reqno, RUMPSP_PREFORK,
		    RUMPSP_ERR_INEXEC, "process is in exec");
		return;
	}
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
		else if (error == EAGAIN)
			(void)sp_send_error(spc, wk->wk_hdr.rsp_reqno,
			    RUMPSP_PREFORK, RUMPSP_ERR_TRYAGAIN,
			    "too many fork images pending");
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
	size_t len = wk->wk_len;
	bool dying;

	if (len > RUMPSP_MAXCOMM)
		len = RUMPSP_MAXCOMM;
	if (len > 0)
		memcpy(comm, wk->wk_body, len);
	comm[len] = '\0';

	/*
	 * Wake the process's lwps blocked in the kernel, then wait for
	 * the client's other work to drain.  The wait counts as asleep:
	 * the pool carries on without this thread.
	 */
	sp_on_mainlwp(spc, sp_lwpexit_op, NULL);
	/* the old image's thread connections went with it: drain them too */
	sp_join_cut(spc);
	sp_pool_wait_begin(true);
	pthread_mutex_lock(&spc->spc_mtx);
	while (spc->spc_nwork > 1)
		pthread_cond_wait(&spc->spc_cv, &spc->spc_mtx);
	dying = spc->spc_dying;
	pthread_mutex_unlock(&spc->spc_mtx);
	sp_pool_wait_end(true);
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
	if (rumpsp_verbose)
		sp_log("pid %d: exec %s", (int)spc->spc_pid, comm);
	(void)sp_send_resp(spc, wk->wk_hdr.rsp_reqno, RUMPSP_HANDSHAKE, 0,
	    NULL, 0);
}

static void
sp_do_request(struct sp_work *wk)
{

	switch (wk->wk_hdr.rsp_type) {
	case RUMPSP_SYSCALL:
		sp_do_syscall(wk);
		break;
	case RUMPSP_PREFORK:
		sp_do_prefork(wk);
		break;
	case RUMPSP_CANCEL:
		sp_lwproc_cancel(wk->wk_spc, wk->wk_hdr.rsp_reqno);
		break;
	case RUMPSP_HANDSHAKE:
		switch (wk->wk_hdr.rsp_arg) {
		case HANDSHAKE_GUEST:
			sp_do_guest(wk);
			break;
		case HANDSHAKE_FORK:
			sp_do_fork(wk);
			break;
		default:
			sp_do_exec(wk);
			break;
		}
		break;
	}
}

/* A pool thread runs one work item and drops its reference. */
void
sp_handle_work(struct sp_work *wk)
{
	struct sp_client *spc = wk->wk_spc;
	bool call;

	switch (wk->wk_type) {
	case SPW_SWEEP:
		sp_prefork_sweep();
		sp_server_swept();
		return;
	case SPW_DISCONNECT:
		/* embedded in the client; drops the connection's ref */
		sp_client_disconnect(spc);
		return;
	case SPW_REQUEST:
		sp_do_request(wk);
		call = wk->wk_hdr.rsp_type == RUMPSP_SYSCALL;
		sp_work_put(wk);
		/* a thread connection's call held its process too */
		if (call && spc->spc_owner != NULL)
			sp_client_rele(spc->spc_owner);
		sp_client_rele(spc);
		return;
	}
}
