/*
 * rc_syscall.c -- system calls: marshalling a SYSCALL request with its
 * inline regions and taking the reply apart.  The generated stubs
 * (gen/sys_client.c) describe their buffers with rumpclient__region()
 * and call rumpclient__syscall(); rumpclient_syscall() is the public
 * pre-marshalled form and sends no regions.
 *
 * Regions go out only to a server whose banner says 0.5 or later.  An
 * IN region travels inline only while the frame stays under
 * RC_INLINE_MAX, OUT regions only up to RC_INLINE_MAX in all; a region
 * left out is served by the server's COPYIN/COPYOUT requests instead.
 * At most RC_MAXIN IN regions go inline, so that the frame fits the
 * 16 iovecs of rsp_sendv (the header, argument block, region headers
 * and padding share one stack buffer; every IN data block is its own
 * iovec and is sent straight from the caller's memory: one sendmsg, no
 * copy).
 *
 * Data in the reply is received straight into the caller's buffers,
 * and only after checking that it lies inside an OUT region this
 * request sent (rc_place() in rc_call.c).  Only what came with the
 * reply's head in the read-ahead buffer is copied from there; on a
 * thread connection a reply whose first OUT buffer is large is read
 * head first, so none of it is (rc_tc_call()).  A reply that does not
 * add up fails the call with EPROTO; the connection goes on.
 *
 * Bad buffers of the caller's give EFAULT, as a kernel would, never a
 * crash: OUT data is received with recv(2), or written with
 * rc_memwrite() from the read-ahead buffer, both of which fail
 * cleanly, and an inline IN buffer that cannot be read fails the
 * first sendmsg before anything left (see rc_send()).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/uio.h>

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rump/rumpclient.h>

#include "rumpclient_int.h"

#define RC_MAXIN	7
#define RC_METAMAX	(RSP_HDRSZ + sizeof(struct rsp_sysreq) + \
			    RUMPSP_ARGSIZE + RUMPSP_MAXREGIONS * \
			    (sizeof(struct rsp_region) + 7))

struct rc_sysframe {
	uint64_t	sf_meta[(RC_METAMAX + 7) / 8];
	size_t		sf_metalen;	/* bytes of sf_meta in use */
	size_t		sf_metastart;	/* not yet in an iovec */
	struct iovec	sf_iov[16];
	int		sf_iovcnt;
	unsigned	sf_user;	/* iovecs that are the caller's */
	struct rc_outset sf_out;	/* OUT regions sent */
};

void
rumpclient__region(struct rsp_region *r, size_t *nr, const void *addr,
    size_t len, uint32_t flags)
{

	/* not describable inline: the server will ask for it instead */
	if (addr == NULL || len == 0 || len > UINT32_MAX ||
	    *nr >= RUMPSP_MAXREGIONS)
		return;
	r[*nr].rr_addr = (uint64_t)(uintptr_t)addr;
	r[*nr].rr_len = (uint32_t)len;
	r[*nr].rr_flags = flags;
	(*nr)++;
}

static void
rc_meta_put(struct rc_sysframe *sf, const void *p, size_t len)
{

	memcpy((uint8_t *)sf->sf_meta + sf->sf_metalen, p, len);
	sf->sf_metalen += len;
}

static void
rc_meta_flush(struct rc_sysframe *sf)
{

	if (sf->sf_metalen == sf->sf_metastart)
		return;
	sf->sf_iov[sf->sf_iovcnt].iov_base =
	    (uint8_t *)sf->sf_meta + sf->sf_metastart;
	sf->sf_iov[sf->sf_iovcnt].iov_len = sf->sf_metalen - sf->sf_metastart;
	sf->sf_iovcnt++;
	sf->sf_metastart = sf->sf_metalen;
}

/* Which regions go inline, by the limits above; returns how many. */
static size_t
rc_choose(const struct rsp_region *r, size_t nr, size_t base, bool *use)
{
	size_t i, n = 0, nin = 0, total = base, outtotal = 0, need;

	for (i = 0; i < nr; i++) {
		use[i] = false;
		if (r[i].rr_flags == (RSP_REGION_IN | RSP_REGION_OUT)) {
			need = sizeof(r[i]) + RSP_PAD8((size_t)r[i].rr_len);
			if (nin >= RC_MAXIN || total + need >= RC_INLINE_MAX ||
			    r[i].rr_len > RC_INLINE_MAX - outtotal)
				continue;
			nin++;
			outtotal += r[i].rr_len;
		} else if (r[i].rr_flags == RSP_REGION_IN) {
			need = sizeof(r[i]) + RSP_PAD8((size_t)r[i].rr_len);
			if (nin >= RC_MAXIN || total + need >= RC_INLINE_MAX)
				continue;
			nin++;
		} else if (r[i].rr_flags == RSP_REGION_OUT) {
			if (r[i].rr_len > RC_INLINE_MAX - outtotal)
				continue;
			outtotal += r[i].rr_len;
			need = sizeof(r[i]);
		} else
			continue;
		total += need;
		use[i] = true;
		n++;
	}
	return n;
}

static void
rc_sysframe_build(struct rc_sysframe *sf, int num, const void *args,
    size_t argsize, const struct rsp_region *r, size_t nr, int minor)
{
	static const uint8_t zeros[8];
	bool use[RUMPSP_MAXREGIONS];
	struct rsp_sysreq rs;
	struct rsp_hdr h;
	size_t i, pad, len, argpad = RSP_PAD8(argsize);

	sf->sf_metalen = RSP_HDRSZ + sizeof(rs);
	sf->sf_metastart = 0;
	sf->sf_iovcnt = 0;
	sf->sf_user = 0;
	sf->sf_out.os_n = 0;
	memset((uint8_t *)sf->sf_meta + sf->sf_metalen, 0, argpad);
	if (argsize > 0)
		memcpy((uint8_t *)sf->sf_meta + sf->sf_metalen, args, argsize);
	sf->sf_metalen += argpad;

	if (minor < 5 || nr > RUMPSP_MAXREGIONS)
		nr = 0;
	rs.rs_argsize = (uint32_t)argpad;
	rs.rs_nregions = (uint32_t)rc_choose(r, nr, sf->sf_metalen, use);
	len = sf->sf_metalen;
	for (i = 0; i < nr; i++) {
		if (!use[i])
			continue;
		rc_meta_put(sf, &r[i], sizeof(r[i]));
		len += sizeof(r[i]);
		if (r[i].rr_flags & RSP_REGION_OUT) {
			sf->sf_out.os_reg[sf->sf_out.os_n].o_addr =
			    r[i].rr_addr;
			sf->sf_out.os_reg[sf->sf_out.os_n].o_len = r[i].rr_len;
			sf->sf_out.os_n++;
			if (!(r[i].rr_flags & RSP_REGION_IN))
				continue;
		}
		rc_meta_flush(sf);
		sf->sf_user |= 1u << sf->sf_iovcnt;
		sf->sf_iov[sf->sf_iovcnt].iov_base =
		    (void *)(uintptr_t)r[i].rr_addr;
		sf->sf_iov[sf->sf_iovcnt].iov_len = r[i].rr_len;
		sf->sf_iovcnt++;
		pad = RSP_PAD8((size_t)r[i].rr_len) - r[i].rr_len;
		rc_meta_put(sf, zeros, pad);
		len += r[i].rr_len + pad;
	}
	rc_meta_flush(sf);
	rsp_hdr_fill(&h, len, 0, RUMPSP_REQ, RUMPSP_SYSCALL, (uint32_t)num);
	memcpy(sf->sf_meta, &h, sizeof(h));
	memcpy((uint8_t *)sf->sf_meta + RSP_HDRSZ, &rs, sizeof(rs));
}

/* The reply; its data is in place already (rc_place in rc_call.c). */
static int
rc_sysreply(const struct rc_waiter *w, register_t retval[2])
{
	struct rsp_sysresp rs;

	if (w->w_hdr.rsp_class == RUMPSP_ERROR)
		return rc_errframe(&w->w_hdr, w->w_body, w->w_bodylen);
	if (w->w_hdr.rsp_type != RUMPSP_SYSCALL || !w->w_placed ||
	    w->w_bodylen < sizeof(rs))
		return EPROTO;
	if (w->w_placeerr != 0)
		return w->w_placeerr;
	memcpy(&rs, w->w_body, sizeof(rs));
	retval[0] = (register_t)rs.rsys_retval[0];
	retval[1] = (register_t)rs.rsys_retval[1];
	return rs.rsys_error;
}

/*
 * On the thread's own connection (rc_tconn.c), when it has one: no
 * signal mask, no lock.  Returns false when the shared connection is to
 * carry the call.
 */
static bool
rc_syscall_own(int num, const void *args, size_t argsize,
    const struct rsp_region *r, size_t nr, register_t retval[2], int *errorp)
{
	struct rc_sysframe sf;
	struct rc_waiter w;
	struct rc_conn *cn;

	if (argsize > RUMPSP_ARGSIZE || (args == NULL && argsize > 0) ||
	    num < 0 || (cn = rc_tconn_get()) == NULL)
		return false;
	rc_sysframe_build(&sf, num, args, argsize, r, nr, cn->cn_minor);
	if (!rc_tconn_call(cn, &w, sf.sf_iov, sf.sf_iovcnt, &sf.sf_out,
	    errorp))
		return false;
	if (*errorp == 0)
		*errorp = rc_sysreply(&w, retval);
	return true;
}

static int
rc_syscall(int num, const void *args, size_t argsize,
    const struct rsp_region *r, size_t nr, register_t retval[2],
    const sigset_t *omask, struct rc_waiter *wp)
{
	struct rc_sysframe sf;
	struct rc_waiter ws, *w = wp != NULL ? wp : &ws;
	struct rc_conn *cn;
	int error, tries;

	if (argsize > RUMPSP_ARGSIZE || (args == NULL && argsize > 0) ||
	    num < 0)
		return EINVAL;
	for (tries = 0;; tries++) {
		if ((error = rc_conn_get(omask, &cn)) != 0)
			return error;
		rc_sysframe_build(&sf, num, args, argsize, r, nr,
		    cn->cn_minor);
		error = rc_call(cn, w, sf.sf_iov, sf.sf_iovcnt, sf.sf_user,
		    &sf.sf_out, omask);
		if (error == 0)
			break;
		if (error == EFAULT)
			return error;
		/*
		 * A request that never left whole may go on a new
		 * connection; any other only when the policy reconnects.
		 */
		if ((!w->w_unsent || tries > 0) && !rc_conn_resends())
			return error;
	}
	error = rc_sysreply(w, retval);
	rc_waiter_fini(w);
	return error;
}

int
rumpclient__syscall(int num, const void *args, size_t argsize,
    const struct rsp_region *r, size_t nr, register_t retval[2])
{
	struct rc_callrec *cr;
	sigset_t omask;
	int error, sverrno = errno;

	/* a record, in case a signal handler jumps out (rc_call.c) */
	cr = rc_call_begin((uintptr_t)__builtin_frame_address(0));
	if (cr != NULL)
		cr->cr_own = true;
	if (rc_syscall_own(num, args, argsize, r, nr, retval, &error)) {
		rc_call_end(cr);
		errno = sverrno;
		return error;
	}
	if (cr != NULL)
		cr->cr_own = false;
	rc_blocksigs(&omask);
	error = rc_syscall(num, args, argsize, r, nr, retval, &omask,
	    cr != NULL ? &cr->cr_w : NULL);
	rc_call_end(cr);
	rc_restoresigs(&omask);
	/* errno changes only when the stub reports an error */
	errno = sverrno;
	return error;
}

int
rumpclient_syscall(int num, const void *sysarg, size_t argsize,
    register_t *retval)
{
	register_t rv[2] = { 0, 0 };
	int error;

	error = rumpclient__syscall(num, sysarg, argsize, NULL, 0, rv);
	if (retval != NULL) {
		retval[0] = rv[0];
		retval[1] = rv[1];
	}
	if (error != 0) {
		errno = error;
		return -1;
	}
	return 0;
}
