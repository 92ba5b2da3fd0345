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
 * Data in the reply is copied to an address only after checking that
 * it lies inside an OUT region this request sent.  A reply that does
 * not add up fails the call with EPROTO; the connection goes on.
 *
 * Bad buffers of the caller's give EFAULT, as a kernel would, never a
 * crash: OUT data is written with rc_memwrite(), and an inline IN
 * buffer that cannot be read fails the first sendmsg before anything
 * left (see rc_send()).
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

struct rc_outreg {
	uint64_t	o_addr;
	uint32_t	o_len;
};

struct rc_sysframe {
	uint64_t	sf_meta[(RC_METAMAX + 7) / 8];
	size_t		sf_metalen;	/* bytes of sf_meta in use */
	size_t		sf_metastart;	/* not yet in an iovec */
	struct iovec	sf_iov[16];
	int		sf_iovcnt;
	size_t		sf_nout;	/* OUT regions sent */
	struct rc_outreg sf_out[RUMPSP_MAXREGIONS];
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
	sf->sf_nout = 0;
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
			sf->sf_out[sf->sf_nout].o_addr = r[i].rr_addr;
			sf->sf_out[sf->sf_nout].o_len = r[i].rr_len;
			sf->sf_nout++;
			if (!(r[i].rr_flags & RSP_REGION_IN))
				continue;
		}
		rc_meta_flush(sf);
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

static bool
rc_inside(const struct rc_sysframe *sf, const struct rsp_region *rr)
{
	size_t i;

	for (i = 0; i < sf->sf_nout; i++) {
		const struct rc_outreg *o = &sf->sf_out[i];

		if (rr->rr_addr >= o->o_addr && rr->rr_len <= o->o_len &&
		    rr->rr_addr - o->o_addr <= o->o_len - rr->rr_len)
			return true;
	}
	return false;
}

/*
 * Check every returned region against the ones sent (copy == false),
 * then copy them out (copy == true).  Returns 0 or EPROTO.
 */
static int
rc_outregions(const struct rc_sysframe *sf, const uint8_t *p,
    const uint8_t *end, int32_t n, bool copy)
{
	struct rsp_region rr;
	size_t dlen;
	int32_t i;

	if (n < 0 || n > RUMPSP_MAXREGIONS)
		return EPROTO;
	for (i = 0; i < n; i++) {
		if ((size_t)(end - p) < sizeof(rr))
			return EPROTO;
		memcpy(&rr, p, sizeof(rr));
		p += sizeof(rr);
		dlen = RSP_PAD8((size_t)rr.rr_len);
		if (rr.rr_flags != RSP_REGION_OUT ||
		    (size_t)(end - p) < dlen || !rc_inside(sf, &rr))
			return EPROTO;
		if (copy && rc_memwrite(rr.rr_addr, p, rr.rr_len) != 0)
			return EFAULT;
		p += dlen;
	}
	return p == end ? 0 : EPROTO;
}

static int
rc_sysreply(const struct rc_waiter *w, const struct rc_sysframe *sf,
    register_t retval[2])
{
	const uint8_t *p = w->w_body, *end = p + w->w_bodylen;
	struct rsp_sysresp rs;
	int error;

	if (w->w_hdr.rsp_class == RUMPSP_ERROR)
		return rc_errframe(&w->w_hdr, w->w_body, w->w_bodylen);
	if (w->w_hdr.rsp_type != RUMPSP_SYSCALL ||
	    w->w_bodylen < sizeof(rs))
		return EPROTO;
	memcpy(&rs, p, sizeof(rs));
	p += sizeof(rs);
	if (rs.rsys_error < 0 ||
	    rc_outregions(sf, p, end, rs.rsys_nregions, false) != 0)
		return EPROTO;
	if ((error = rc_outregions(sf, p, end, rs.rsys_nregions, true)) != 0)
		return error;
	retval[0] = (register_t)rs.rsys_retval[0];
	retval[1] = (register_t)rs.rsys_retval[1];
	return rs.rsys_error;
}

static int
rc_syscall(int num, const void *args, size_t argsize,
    const struct rsp_region *r, size_t nr, register_t retval[2],
    const sigset_t *omask)
{
	struct rc_sysframe sf;
	struct rc_waiter w;
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
		error = rc_call(cn, &w, sf.sf_iov, sf.sf_iovcnt, omask);
		if (error == 0)
			break;
		/* a request that never left whole may go on a new one */
		if (!w.w_unsent || tries > 0 || error == EFAULT)
			return error;
	}
	error = rc_sysreply(&w, &sf, retval);
	rc_waiter_fini(&w);
	return error;
}

int
rumpclient__syscall(int num, const void *args, size_t argsize,
    const struct rsp_region *r, size_t nr, register_t retval[2])
{
	sigset_t omask;
	int error, sverrno = errno;

	rc_blocksigs(&omask);
	error = rc_syscall(num, args, argsize, r, nr, retval, &omask);
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
