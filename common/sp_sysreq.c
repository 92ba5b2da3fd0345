/*
 * sp_sysreq.c -- taking apart the body of a SYSCALL request.  Every
 * count and length is checked against the body that actually arrived
 * and against the protocol's limits; the parsed form points into the
 * body, so it lives as long as the body does.
 */
#include <sys/types.h>

#include <string.h>

#include "sp_proto.h"

int
rsp_sysreq_parse(const void *body, size_t len, struct rsp_sysreq_parsed *sp,
    const char **why)
{
	const uint8_t *p = body, *end;
	struct rsp_sysreq rs;
	size_t i, dlen, outlen = 0;

	memset(sp, 0, sizeof(*sp));
	/* an empty body may be NULL: no arithmetic on it before this */
	if (len < sizeof(rs)) {
		*why = "syscall request shorter than its header";
		return RUMPSP_ERR_MALFORMED_REQUEST;
	}
	end = p + len;
	memcpy(&rs, p, sizeof(rs));
	p += sizeof(rs);
	if (rs.rs_argsize > RUMPSP_ARGSIZE || rs.rs_argsize % 8 != 0) {
		*why = "bad syscall argument size";
		return RUMPSP_ERR_MALFORMED_REQUEST;
	}
	if (rs.rs_nregions > RUMPSP_MAXREGIONS) {
		*why = "too many syscall regions";
		return RUMPSP_ERR_MALFORMED_REQUEST;
	}
	if ((size_t)(end - p) < rs.rs_argsize) {
		*why = "syscall arguments truncated";
		return RUMPSP_ERR_MALFORMED_REQUEST;
	}
	sp->sp_args = p;
	sp->sp_argsize = rs.rs_argsize;
	p += rs.rs_argsize;
	sp->sp_nregions = rs.rs_nregions;
	for (i = 0; i < rs.rs_nregions; i++) {
		struct rsp_region *r = &sp->sp_region[i];

		if ((size_t)(end - p) < sizeof(*r)) {
			*why = "syscall region truncated";
			return RUMPSP_ERR_MALFORMED_REQUEST;
		}
		memcpy(r, p, sizeof(*r));
		p += sizeof(*r);
		if (r->rr_flags == 0 ||
		    (r->rr_flags & ~(RSP_REGION_IN | RSP_REGION_OUT)) != 0) {
			*why = "bad syscall region flags";
			return RUMPSP_ERR_MALFORMED_REQUEST;
		}
		if (r->rr_addr + r->rr_len < r->rr_addr) {
			*why = "syscall region wraps";
			return RUMPSP_ERR_MALFORMED_REQUEST;
		}
		if (r->rr_flags & RSP_REGION_OUT) {
			/* the reply must be able to carry all of them */
			outlen += RSP_PAD8((size_t)r->rr_len) + sizeof(*r);
			if (outlen > RUMPSP_MAXFRAME - RSP_HDRSZ -
			    sizeof(struct rsp_sysresp)) {
				*why = "syscall output regions too large";
				return RUMPSP_ERR_TOOBIG;
			}
			if (!(r->rr_flags & RSP_REGION_IN))
				continue;
		}
		dlen = RSP_PAD8((size_t)r->rr_len);
		if ((size_t)(end - p) < dlen) {
			*why = "syscall region data truncated";
			return RUMPSP_ERR_MALFORMED_REQUEST;
		}
		sp->sp_data[i] = p;
		p += dlen;
	}
	if (p != end) {
		*why = "trailing bytes after syscall request";
		return RUMPSP_ERR_MALFORMED_REQUEST;
	}
	return RUMPSP_ERR_NONE;
}
