/*
 * rc_serve.c -- requests the server makes of us while it runs one of
 * our system calls: copy data in from our memory (COPYIN, COPYINSTR),
 * copy data out to it (COPYOUT, COPYOUTSTR), and raise a signal.
 *
 * The addresses come from the wire.  Our memory is read and written
 * with process_vm_readv/writev on our own pid, which turns a bad
 * address into an error instead of a crash: a failed copyin is answered
 * with an ERROR frame (the server's copyin returns EFAULT), a failed
 * copyout is dropped.  Where those calls are not permitted (seccomp,
 * old kernels) we fall back to memcpy for good.
 *
 * Those calls want our pid, and getpid(2) is a system call.  It is kept
 * in a page marked MADV_WIPEONFORK: a child made by any kind of fork
 * finds the page zeroed and asks again, so a copy never goes to the
 * parent's memory by mistake.  A vfork child or a thread shares the
 * page and the memory it names, which is right for them.
 *
 * Called by the reader, or on a thread's own connection by its thread
 * (rc_tconn.c), with every signal blocked; a malformed request
 * is answered with ERROR MALFORMED_REQUEST and the connection goes on,
 * since the frame itself was well delimited.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/uio.h>

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rumpclient_int.h"

static atomic_bool rc_novm;

struct rc_pidpage {
	atomic_int	pp_pid;	/* 0: ask again (a fresh page, or a fork) */
};
static struct rc_pidpage *_Atomic rc_pidpage;
static atomic_bool rc_pidpage_tried;

/* Our pid, from the page when it still holds it. */
static pid_t
rc_mypid(void)
{
	struct rc_pidpage *pp;
	pid_t pid;
	void *m;

	pp = atomic_load_explicit(&rc_pidpage, memory_order_acquire);
	if (pp == NULL && !atomic_exchange(&rc_pidpage_tried, true)) {
		m = mmap(NULL, sizeof(*pp), PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m != MAP_FAILED && madvise(m, sizeof(*pp),
		    MADV_WIPEONFORK) == -1) {
			/* without the wipe a fork would see a stale pid */
			munmap(m, sizeof(*pp));
			m = MAP_FAILED;
		}
		if (m != MAP_FAILED) {
			pp = m;
			atomic_store_explicit(&rc_pidpage, pp,
			    memory_order_release);
		}
	}
	if (pp == NULL)
		return getpid();
	pid = atomic_load_explicit(&pp->pp_pid, memory_order_relaxed);
	if (pid == 0) {
		pid = getpid();
		atomic_store_explicit(&pp->pp_pid, pid, memory_order_relaxed);
	}
	return pid;
}

/* Copy len bytes at our address src to dst; 0 or EFAULT. */
int
rc_memread(void *dst, uint64_t src, size_t len)
{
	struct iovec l, r;
	ssize_t n;

	if (!atomic_load_explicit(&rc_novm, memory_order_relaxed)) {
		l.iov_base = dst;
		l.iov_len = len;
		r.iov_base = (void *)(uintptr_t)src;
		r.iov_len = len;
		n = process_vm_readv(rc_mypid(), &l, 1, &r, 1, 0);
		if (n == (ssize_t)len)
			return 0;
		if (n >= 0 || (errno != EPERM && errno != ENOSYS))
			return EFAULT;
		atomic_store(&rc_novm, true);
	}
	memcpy(dst, (const void *)(uintptr_t)src, len);
	return 0;
}

int
rc_memwrite(uint64_t dst, const void *src, size_t len)
{
	struct iovec l, r;
	ssize_t n;

	if (!atomic_load_explicit(&rc_novm, memory_order_relaxed)) {
		l.iov_base = (void *)(uintptr_t)src;
		l.iov_len = len;
		r.iov_base = (void *)(uintptr_t)dst;
		r.iov_len = len;
		n = process_vm_writev(rc_mypid(), &l, 1, &r, 1, 0);
		if (n == (ssize_t)len)
			return 0;
		if (n >= 0 || (errno != EPERM && errno != ENOSYS))
			return EFAULT;
		atomic_store(&rc_novm, true);
	}
	memcpy((void *)(uintptr_t)dst, src, len);
	return 0;
}

/*
 * A string: read page by page, so that a string ending just before an
 * unmapped page is still found.  *lenp in: the most to read; out: the
 * bytes to send, NUL included when one was found.
 */
static int
rc_strread(uint8_t *dst, uint64_t src, size_t *lenp)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), done = 0, chunk;
	uint8_t *nul;
	int error;

	while (done < *lenp) {
		chunk = pg - (size_t)((src + done) % pg);
		if (chunk > *lenp - done)
			chunk = *lenp - done;
		if ((error = rc_memread(dst + done, src + done, chunk)) != 0)
			return error;
		if ((nul = memchr(dst + done, '\0', chunk)) != NULL) {
			*lenp = (size_t)(nul - dst) + 1;
			return 0;
		}
		done += chunk;
	}
	return 0;
}

static int
rc_reply(struct rc_conn *cn, const struct rsp_hdr *req, int class,
    uint32_t arg, const void *body, size_t len)
{
	struct rsp_hdr h;
	struct iovec iov[2];
	int error;

	rsp_hdr_fill(&h, RSP_HDRSZ + len, req->rsp_reqno, class,
	    req->rsp_type, arg);
	iov[0].iov_base = &h;
	iov[0].iov_len = sizeof(h);
	iov[1].iov_base = (void *)(uintptr_t)body;
	iov[1].iov_len = len;
	if (cn->cn_own)
		return rc_conn_send(cn, iov, len ? 2 : 1);
	pthread_mutex_lock(&rc_client.c_sendmtx);
	error = rc_conn_send(cn, iov, len ? 2 : 1);
	pthread_mutex_unlock(&rc_client.c_sendmtx);
	return error;
}

static int
rc_refuse(struct rc_conn *cn, const struct rsp_hdr *req, uint32_t code,
    const char *why)
{

	rc_debug("refusing server request type %u: %s", req->rsp_type, why);
	return rc_reply(cn, req, RUMPSP_ERROR, code, why, strlen(why) + 1);
}

static int
rc_copyin(struct rc_conn *cn, const struct rsp_hdr *h,
    const struct rsp_copydata *cd)
{
	uint8_t stackbuf[256], *buf;
	size_t len = (size_t)cd->rcp_len;
	int error;

	if (cd->rcp_len > RUMPSP_MAXCOPY)
		return rc_refuse(cn, h, RUMPSP_ERR_TOOBIG, "copyin too large");
	if (cd->rcp_addr + cd->rcp_len < cd->rcp_addr)
		return rc_refuse(cn, h, RUMPSP_ERR_MALFORMED_REQUEST,
		    "copyin: bad address");
	buf = len <= sizeof(stackbuf) ? stackbuf : malloc(len);
	if (buf == NULL)
		return rc_refuse(cn, h, RUMPSP_ERR_NOMEM, "out of memory");
	if (h->rsp_type == RUMPSP_COPYINSTR)
		error = rc_strread(buf, cd->rcp_addr, &len);
	else
		error = rc_memread(buf, cd->rcp_addr, len);
	if (error == 0)
		error = rc_reply(cn, h, RUMPSP_RESP, 0, buf, len);
	else
		error = rc_refuse(cn, h, RUMPSP_ERR_MALFORMED_REQUEST,
		    "copyin: bad address");
	if (buf != stackbuf)
		free(buf);
	return error;
}

/* The body (copydata + data) is still on the socket. */
static int
rc_copyout(struct rc_conn *cn, const struct rsp_hdr *h, size_t blen)
{
	uint8_t stackbuf[512], *buf;
	struct rsp_copydata cd;
	size_t len;
	int error;

	if (blen < sizeof(cd) || blen - sizeof(cd) > RUMPSP_MAXCOPY) {
		if ((error = rc_cnread(cn, NULL, blen)) != 0)
			return error;
		return rc_refuse(cn, h, RUMPSP_ERR_MALFORMED_REQUEST,
		    "copyout: bad length");
	}
	len = blen - sizeof(cd);
	buf = len <= sizeof(stackbuf) ? stackbuf : malloc(len);
	if ((error = rc_cnread(cn, &cd, sizeof(cd))) != 0)
		goto out;
	if (buf == NULL) {
		error = rc_cnread(cn, NULL, len);
		goto out;
	}
	if ((error = rc_cnread(cn, buf, len)) != 0)
		goto out;
	/* no reply either way: a bad one is dropped, as a fault would be */
	if (cd.rcp_len != len || cd.rcp_addr + len < cd.rcp_addr)
		rc_debug("copyout: length mismatch, dropped");
	else if (rc_memwrite(cd.rcp_addr, buf, len) != 0)
		rc_debug("copyout: bad address, dropped");
 out:
	if (buf != stackbuf)
		free(buf);
	return error;
}

/*
 * One request from the server; its header is read, its body is not.
 * *sigp is set to a signal to raise once the frame is consumed.
 * Returns 0 or an errno that breaks the connection.
 */
int
rc_serve(struct rc_conn *cn, const struct rsp_hdr *h, int *sigp)
{
	size_t blen = h->rsp_len - RSP_HDRSZ;
	struct rsp_copydata cd;
	int error;

	switch (h->rsp_type) {
	case RUMPSP_COPYIN:
	case RUMPSP_COPYINSTR:
		if (blen != sizeof(cd)) {
			if ((error = rc_cnread(cn, NULL, blen)) != 0)
				return error;
			return rc_refuse(cn, h, RUMPSP_ERR_MALFORMED_REQUEST,
			    "copyin: bad length");
		}
		if ((error = rc_cnread(cn, &cd, sizeof(cd))) != 0)
			return error;
		return rc_copyin(cn, h, &cd);
	case RUMPSP_COPYOUT:
	case RUMPSP_COPYOUTSTR:
		return rc_copyout(cn, h, blen);
	case RUMPSP_RAISE:
		if ((error = rc_cnread(cn, NULL, blen)) != 0)
			return error;
		if (h->rsp_arg > 0 && h->rsp_arg < (uint32_t)NSIG)
			*sigp = (int)h->rsp_arg;
		return 0;
	default:
		if ((error = rc_cnread(cn, NULL, blen)) != 0)
			return error;
		return rc_refuse(cn, h, RUMPSP_ERR_MALFORMED_REQUEST,
		    "unknown request type");
	}
}
