/*
 * sp_copy.c -- the kernel's copies to and from a client's memory, and
 * signals to a client.
 *
 * The kernel calls these with itself scheduled on the calling thread,
 * which is a pool thread serving a SYSCALL request of the client.  A
 * copy that falls inside an inline region of that request is served
 * from the request (IN) or collected for the reply (OUT) without
 * leaving the kernel.  Anything else crosses the wire.  A copyin waits
 * for its answer with the kernel unscheduled, so a slow or dead client
 * never holds it up; the caller's destination is private to it
 * (kern.h), so it may be written while unscheduled.  Copyouts outside
 * the regions are gathered while they are contiguous into one COPYOUT
 * frame of up to RUMPSP_MAXCOPY bytes (a read of 1 MiB the kernel
 * copies out page by page is one frame, not 256); the gathered frame
 * goes into the outbound queue before anything else of the request
 * (a copyin, the reply), so the client sees them in order.  Sends never
 * wait (sp_send.c), so nothing here but a copyin unschedules.
 *
 * Whoever uses the client after unscheduling pins it (sp_client.c).
 *
 * The client's host credentials, for rump_server --peercred, are
 * here too: the kernel asks for them when it makes the process.
 *
 * A thread waiting for a COPYIN answer sleeps on its own condition
 * variable (struct sp_waiter, on the client's list under spc_mtx); the
 * leader hands it the answer's body and wakes it.  The wait counts as
 * asleep for the pool.  Disconnect wakes every waiter: the copy fails
 * with EFAULT, as a bad address would.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sp_int.h"

int rumpsp_copytimeout = 30 * 1000;

static int
sp_waiter_add(struct sp_client *spc, struct sp_waiter *w)
{
	pthread_condattr_t ca;
	int error;

	memset(w, 0, sizeof(*w));
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	error = pthread_cond_init(&w->w_cv, &ca);
	pthread_condattr_destroy(&ca);
	if (error != 0)
		return ENOMEM;
	pthread_mutex_lock(&spc->spc_mtx);
	if (spc->spc_dying) {
		pthread_mutex_unlock(&spc->spc_mtx);
		pthread_cond_destroy(&w->w_cv);
		return ENOTCONN;
	}
	w->w_reqno = spc->spc_nextreq++;
	TAILQ_INSERT_TAIL(&spc->spc_waiters, w, w_entries);
	pthread_mutex_unlock(&spc->spc_mtx);
	return 0;
}

/* The deadline of a copy request, rumpsp_copytimeout from now. */
static void
sp_copy_deadline(struct timespec *ts)
{

	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += rumpsp_copytimeout / 1000;
	ts->tv_nsec += (long)(rumpsp_copytimeout % 1000) * 1000000;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/*
 * Wait for the answer; 0 with w_data/w_len filled, or an errno.  A
 * client that does not answer within rumpsp_copytimeout is cut off: a
 * thread of the server, and the kernel call it serves, must not wait
 * on it for ever.
 */
static int
sp_waiter_wait(struct sp_client *spc, struct sp_waiter *w, bool wait)
{
	struct timespec ts;
	bool done, late = false;

	if (wait) {
		sp_copy_deadline(&ts);
		sp_pool_wait_begin(true);
	}
	pthread_mutex_lock(&spc->spc_mtx);
	while (wait && !w->w_done && !spc->spc_dying && !late)
		late = rumpsp_copytimeout >= 0 &&
		    pthread_cond_timedwait(&w->w_cv, &spc->spc_mtx, &ts) ==
		    ETIMEDOUT && !w->w_done;
	TAILQ_REMOVE(&spc->spc_waiters, w, w_entries);
	done = w->w_done;
	pthread_mutex_unlock(&spc->spc_mtx);
	if (wait)
		sp_pool_wait_end(true);
	if (late) {
		SP_STAT_ADD(RUMPUSER_SP_CUTOFF, 1);
		sp_client_why(spc, "cut off: a copy request not answered");
		sp_log("pid %d: no answer to a copy request in %d ms: cut off",
		    (int)spc->spc_pid, rumpsp_copytimeout);
		sp_out_close(spc);
	}
	pthread_cond_destroy(&w->w_cv);
	if (!done) {
		free(w->w_data);
		return ENOTCONN;
	}
	if (w->w_class != RUMPSP_RESP) {
		free(w->w_data);
		return EFAULT;
	}
	return 0;
}

/* The leader: an answer (RESP or ERROR) to one of our requests. */
void
sp_waiter_deliver(struct sp_client *spc, const struct rsp_hdr *hdr,
    uint8_t *body, size_t len)
{
	struct sp_waiter *w;

	pthread_mutex_lock(&spc->spc_mtx);
	TAILQ_FOREACH(w, &spc->spc_waiters, w_entries)
		if (w->w_reqno == hdr->rsp_reqno && !w->w_done)
			break;
	if (w != NULL) {
		w->w_done = true;
		w->w_class = hdr->rsp_class;
		w->w_data = body;
		w->w_len = len;
		body = NULL;
		pthread_cond_signal(&w->w_cv);
	}
	pthread_mutex_unlock(&spc->spc_mtx);
	/* an answer nobody waits for is dropped */
	free(body);
}

/* spc_mtx held: the client is dying, nobody will answer. */
void
sp_waiter_wakeall(struct sp_client *spc)
{
	struct sp_waiter *w;

	TAILQ_FOREACH(w, &spc->spc_waiters, w_entries)
		pthread_cond_signal(&w->w_cv);
}

/* One COPYIN or COPYINSTR round trip of at most RUMPSP_MAXCOPY bytes. */
static int
sp_wire_copyin(struct sp_client *spc, int type, uint64_t raddr, size_t len,
    struct sp_waiter *w)
{
	struct rsp_copydata cd;
	struct rsp_hdr hdr;
	struct iovec iov[2];
	int error;

	if ((error = sp_waiter_add(spc, w)) != 0)
		return error;
	rsp_hdr_fill(&hdr, RSP_HDRSZ + sizeof(cd), w->w_reqno, RUMPSP_REQ,
	    type, 0);
	cd.rcp_addr = raddr;
	cd.rcp_len = len;
	SP_STAT_ADD(RUMPUSER_SP_COPYREQS, 1);
	iov[0].iov_base = &hdr;
	iov[0].iov_len = sizeof(hdr);
	iov[1].iov_base = &cd;
	iov[1].iov_len = sizeof(cd);
	error = sp_send(spc, iov, 2);
	return sp_waiter_wait(spc, w, error == 0);
}

static int
sp_wire_copyin_all(struct sp_client *spc, uint64_t raddr, uint8_t *laddr,
    size_t len)
{
	struct sp_waiter w;
	size_t n;
	int error;

	while (len > 0) {
		n = len > RUMPSP_MAXCOPY ? RUMPSP_MAXCOPY : len;
		error = sp_wire_copyin(spc, RUMPSP_COPYIN, raddr, n, &w);
		if (error != 0)
			return error;
		if (w.w_len != n) {
			free(w.w_data);
			return EFAULT;
		}
		memcpy(laddr, w.w_data, n);
		free(w.w_data);
		raddr += n;
		laddr += n;
		len -= n;
	}
	return 0;
}

/*
 * Strings: each answer is at most the length asked for and ends at the
 * string's NUL, if the string ends within it.  *len in: room at laddr;
 * out: bytes copied, NUL included.
 */
static int
sp_wire_copyinstr(struct sp_client *spc, uint64_t raddr, uint8_t *laddr,
    size_t *len)
{
	struct sp_waiter w;
	size_t done = 0, n;
	uint8_t *nul;
	int error;

	while (done < *len) {
		n = *len - done;
		if (n > RUMPSP_MAXCOPY)
			n = RUMPSP_MAXCOPY;
		error = sp_wire_copyin(spc, RUMPSP_COPYINSTR, raddr + done, n,
		    &w);
		if (error != 0)
			return error;
		if (w.w_len > n) {
			free(w.w_data);
			return EFAULT;
		}
		nul = memchr(w.w_data, '\0', w.w_len);
		if (nul != NULL) {
			n = (size_t)(nul - w.w_data) + 1;
			memcpy(laddr + done, w.w_data, n);
			free(w.w_data);
			*len = done + n;
			return 0;
		}
		if (w.w_len < n) {
			/* short without a NUL: the client could not read on */
			free(w.w_data);
			return EFAULT;
		}
		memcpy(laddr + done, w.w_data, n);
		free(w.w_data);
		done += n;
	}
	return ENAMETOOLONG;
}

/* COPYOUT or COPYOUTSTR requests, no answer expected. */
static int
sp_wire_copyout(struct sp_client *spc, int type, uint64_t raddr,
    const uint8_t *data, size_t len)
{
	struct rsp_copydata cd;
	struct rsp_hdr hdr;
	struct iovec iov[3];
	uint64_t reqno;
	size_t n;
	int error;

	while (len > 0) {
		n = len > RUMPSP_MAXCOPY ? RUMPSP_MAXCOPY : len;
		reqno = sp_client_reqno(spc);
		SP_STAT_ADD(RUMPUSER_SP_COPYREQS, 1);
		rsp_hdr_fill(&hdr, RSP_HDRSZ + sizeof(cd) + n, reqno,
		    RUMPSP_REQ, type, 0);
		cd.rcp_addr = raddr;
		cd.rcp_len = n;
		iov[0].iov_base = &hdr;
		iov[0].iov_len = sizeof(hdr);
		iov[1].iov_base = &cd;
		iov[1].iov_len = sizeof(cd);
		iov[2].iov_base = (void *)(uintptr_t)data;
		iov[2].iov_len = n;
		if ((error = sp_send(spc, iov, 3)) != 0)
			return error;
		raddr += n;
		data += n;
		len -= n;
	}
	return 0;
}

/*
 * The inline region of the current request with these flags that holds
 * [addr, addr + len), or -1; *offp: where addr lies in it.
 */
static int
sp_region_find(const struct sp_req *rq, struct sp_client *spc,
    uint64_t addr, size_t len, uint32_t flags, size_t *offp)
{
	const struct rsp_region *r;
	size_t i;

	if (rq == NULL || rq->rq_spc != spc)
		return -1;
	for (i = 0; i < rq->rq_sp.sp_nregions; i++) {
		r = &rq->rq_sp.sp_region[i];
		if ((r->rr_flags & flags) == 0 || addr < r->rr_addr ||
		    addr - r->rr_addr > r->rr_len ||
		    len > r->rr_len - (addr - r->rr_addr))
			continue;
		*offp = (size_t)(addr - r->rr_addr);
		return (int)i;
	}
	return -1;
}

/*
 * The connection a copy for the process of arg (the kernel's p_spc, the
 * owner) goes over: the current request's own when that is one of the
 * process's thread connections (sp_join.c), since its client thread is
 * the one waiting for the call and answers its copies.
 */
static struct sp_client *
sp_copy_conn(const struct sp_req *rq, void *arg)
{

	if (rq != NULL && rq->rq_spc->spc_owner == arg)
		return rq->rq_spc;
	return arg;
}

const void *
rumpuser_sp_copyin_inline(void *arg, const void *raddr, size_t len)
{
	struct sp_req *rq = sp_curreq();
	uint64_t addr = (uint64_t)(uintptr_t)raddr;
	size_t off;
	int i;

	if (len == 0 || (i = sp_region_find(rq, sp_copy_conn(rq, arg), addr,
	    len, RSP_REGION_IN,
	    &off)) < 0)
		return NULL;
	return rq->rq_sp.sp_data[i] + off;
}

int
rumpuser_sp_copyin(void *arg, const void *raddr, void *laddr, size_t len)
{
	struct sp_req *rq = sp_curreq();
	struct sp_client *spc = sp_copy_conn(rq, arg);
	uint64_t addr = (uint64_t)(uintptr_t)raddr;
	size_t off;
	int error, i;

	if (len == 0)
		return 0;
	if ((i = sp_region_find(rq, spc, addr, len, RSP_REGION_IN,
	    &off)) >= 0) {
		memcpy(laddr, rq->rq_sp.sp_data[i] + off, len);
		return 0;
	}
	if (rq != NULL && rq->rq_spc == spc && sp_copyout_flush(rq) != 0)
		return EFAULT;
	if (sp_client_pin(spc) != 0)
		return EFAULT;
	sp_ops.spop_unschedule();
	error = sp_wire_copyin_all(spc, addr, laddr, len);
	sp_client_unpin(spc);
	sp_ops.spop_schedule();
	return error != 0 ? EFAULT : 0;
}

int
rumpuser_sp_copyinstr(void *arg, const void *raddr, void *laddr, size_t *len)
{
	struct sp_req *rq = sp_curreq();
	struct sp_client *spc = sp_copy_conn(rq, arg);
	uint64_t addr = (uint64_t)(uintptr_t)raddr;
	const uint8_t *src, *nul;
	size_t off, avail;
	int error, i;

	if (*len == 0)
		return ENAMETOOLONG;
	if ((i = sp_region_find(rq, spc, addr, 1, RSP_REGION_IN,
	    &off)) >= 0) {
		src = rq->rq_sp.sp_data[i] + off;
		avail = rq->rq_sp.sp_region[i].rr_len - off;
		if (avail > *len)
			avail = *len;
		if ((nul = memchr(src, '\0', avail)) != NULL) {
			*len = (size_t)(nul - src) + 1;
			memcpy(laddr, src, *len);
			return 0;
		}
		if (avail == *len)
			return ENAMETOOLONG;
		/* the string goes on past the region: ask the client */
	}
	if (rq != NULL && rq->rq_spc == spc && sp_copyout_flush(rq) != 0)
		return EFAULT;
	if (sp_client_pin(spc) != 0)
		return EFAULT;
	sp_ops.spop_unschedule();
	error = sp_wire_copyinstr(spc, addr, laddr, len);
	sp_client_unpin(spc);
	sp_ops.spop_schedule();
	if (error == ENAMETOOLONG)
		return error;
	return error != 0 ? EFAULT : 0;
}

/* Collect a copyout into an OUT region of the current request. */
static bool
sp_copyout_inline(struct sp_client *spc, const void *laddr, uint64_t addr,
    size_t len)
{
	struct sp_req *rq = sp_curreq();
	struct sp_outbuf *ob;
	size_t off, rlen;
	int i;

	if ((i = sp_region_find(rq, spc, addr, len, RSP_REGION_OUT,
	    &off)) < 0)
		return false;
	ob = &rq->rq_out[i];
	rlen = rq->rq_sp.sp_region[i].rr_len;
	if (ob->ob_data == NULL) {
		/*
		 * Room for the padding to 8 the reply needs.  Not zeroed
		 * whole (a 1 MiB read would clear 1 MiB for nothing): only
		 * what [lo, hi) covers without a copyout, below.
		 */
		if ((ob->ob_data = sp_malloc(rlen + 8)) == NULL)
			return false;
		memset(ob->ob_data + rlen, 0, 8);
		/* a gap in [lo, hi) of an IN|OUT region goes back unchanged */
		if (rq->rq_sp.sp_data[i] != NULL)
			memcpy(ob->ob_data, rq->rq_sp.sp_data[i], rlen);
		ob->ob_lo = off;
		ob->ob_hi = off;
	}
	if (rq->rq_sp.sp_data[i] == NULL) {
		/* a gap the kernel skipped goes back as zeros */
		if (off > ob->ob_hi)
			memset(ob->ob_data + ob->ob_hi, 0, off - ob->ob_hi);
		if (off + len < ob->ob_lo)
			memset(ob->ob_data + off + len, 0,
			    ob->ob_lo - (off + len));
	}
	memcpy(ob->ob_data + off, laddr, len);
	if (off < ob->ob_lo)
		ob->ob_lo = off;
	if (off + len > ob->ob_hi)
		ob->ob_hi = off + len;
	return true;
}

/* Send the copyouts gathered for rq, if any. */
int
sp_copyout_flush(struct sp_req *rq)
{
	int error;

	if (rq->rq_colen == 0)
		return 0;
	error = sp_wire_copyout(rq->rq_spc, RUMPSP_COPYOUT, rq->rq_coaddr,
	    rq->rq_co, rq->rq_colen);
	rq->rq_colen = 0;
	return error;
}

/* Gather a copyout that continues the one before; false: cannot. */
static bool
sp_copyout_gather(struct sp_req *rq, const void *laddr, uint64_t addr,
    size_t len)
{

	if (rq->rq_colen > 0 && (addr != rq->rq_coaddr + rq->rq_colen ||
	    len > RUMPSP_MAXCOPY - rq->rq_colen) && sp_copyout_flush(rq) != 0)
		return false;
	if (len > RUMPSP_MAXCOPY)
		return false;
	if (rq->rq_co == NULL && (rq->rq_co = sp_malloc(RUMPSP_MAXCOPY)) == NULL)
		return false;
	if (rq->rq_colen == 0)
		rq->rq_coaddr = addr;
	memcpy(rq->rq_co + rq->rq_colen, laddr, len);
	rq->rq_colen += len;
	return true;
}

static int
sp_copyout(void *arg, int type, const void *laddr, void *raddr, size_t len)
{
	struct sp_req *rq = sp_curreq();
	struct sp_client *spc = sp_copy_conn(rq, arg);
	uint64_t addr = (uint64_t)(uintptr_t)raddr;

	if (len == 0)
		return 0;
	if (sp_copyout_inline(spc, laddr, addr, len))
		return 0;
	if (rq != NULL && rq->rq_spc == spc) {
		if (type == RUMPSP_COPYOUT &&
		    sp_copyout_gather(rq, laddr, addr, len))
			return 0;
		if (sp_copyout_flush(rq) != 0)
			return EFAULT;
	}
	/* the data is queued or sent before this returns: no copy */
	return sp_wire_copyout(spc, type, addr, laddr, len) != 0 ? EFAULT : 0;
}

int
rumpuser_sp_copyout(void *arg, const void *laddr, void *raddr, size_t dlen)
{

	return sp_copyout(arg, RUMPSP_COPYOUT, laddr, raddr, dlen);
}

int
rumpuser_sp_copyoutstr(void *arg, const void *laddr, void *raddr,
    size_t *dlen)
{

	return sp_copyout(arg, RUMPSP_COPYOUTSTR, laddr, raddr, *dlen);
}

/* Remote memory mappings are not offered. */
int
rumpuser_sp_anonmmap(void *arg, size_t howmuch, void **addr)
{

	return ENOTSUP;
}

/*
 * Deliver signo to the client process: a RAISE request, no answer.
 * The caller serves another process, with the kernel scheduled, which
 * keeps spc alive; the send does not wait.
 */
int
rumpuser_sp_raise(void *arg, int signo)
{
	struct sp_client *spc = arg;
	struct rsp_hdr hdr;
	struct iovec iov[1];

	rsp_hdr_fill(&hdr, RSP_HDRSZ, sp_client_reqno(spc), RUMPSP_REQ,
	    RUMPSP_RAISE, (uint32_t)signo);
	iov[0].iov_base = &hdr;
	iov[0].iov_len = sizeof(hdr);
	return sp_send(spc, iov, 1);
}

int rumpsp_peercred;

int
rumpuser_sp_peercred(void *arg, uid_t *uid, gid_t *gid)
{
	struct sp_client *spc = arg;
	struct ucred uc;
	socklen_t len = sizeof(uc);

	if (!rumpsp_peercred)
		return ENOENT;
	if (getsockopt(spc->spc_fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) == -1)
		return errno;
	if (uc.pid == 0)
		return ENOENT;	/* not a Unix socket peer */
	*uid = uc.uid;
	*gid = uc.gid;
	return 0;
}
