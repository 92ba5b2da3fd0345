/*
 * fuzz_frame.c -- libFuzzer harness for the judging of frames: the
 * header check every peer applies (rsp_hdr_check, common/sp_frame.c)
 * and the server's limits per class and type applied before a body
 * is allocated (sp_handle_hdr, librumpuser/sp_handle.c).
 *
 * The input is a client's byte stream, cut into frames as the server
 * cuts it: a 24-byte header, then rsp_len - 24 bytes of body.  Every
 * header is judged as the first frame of a new connection and as a
 * frame of a running one; the stream ends at the first header the
 * running server would refuse, as the connection would.  A header
 * that passes must bound the body the server then allocates: at least
 * a header, at most RUMPSP_MAXFRAME, and no more than its type may
 * carry; a new connection takes nothing but a handshake request.  A
 * complete SYSCALL body goes through rsp_sysreq_parse, and the codes
 * of ERROR frames through the error table.  Broken promises abort.
 *
 * The reading loop that assembles frames from partial reads
 * (sp_consume, static in sp_server.c) is fuzzed by fuzz_server.c.
 */
#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sp_int.h"
#include "sp_proto.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fail(const char *what, const struct rsp_hdr *h)
{

	fprintf(stderr, "fuzz_frame: %s: len %llu class %u type %u arg %u\n",
	    what, (unsigned long long)h->rsp_len, h->rsp_class, h->rsp_type,
	    h->rsp_arg);
	abort();
}

/* The most body a frame of this class and type may make us allocate. */
static uint64_t
maxbody(const struct rsp_hdr *h)
{

	switch (h->rsp_class) {
	case RUMPSP_REQ:
		if (h->rsp_type == RUMPSP_SYSCALL)
			return RUMPSP_MAXFRAME - RSP_HDRSZ;
		return RUMPSP_MAXCOMM;
	case RUMPSP_RESP:
		return RUMPSP_MAXCOPY;
	default:
		return 4096;
	}
}

/* Judge h as the server would in state st; returns 0 if accepted. */
static int
judge(const struct rsp_hdr *h, enum sp_state st)
{
	static struct sp_client spc;
	const char *why = NULL;
	int err;

	atomic_store(&spc.spc_state, st);
	if ((err = rsp_hdr_check(h, &why)) == RUMPSP_ERR_NONE)
		err = sp_handle_hdr(&spc, h, &why);
	if (err == RUMPSP_ERR_NONE) {
		if (h->rsp_len < RSP_HDRSZ || h->rsp_len > RUMPSP_MAXFRAME)
			fail("length outside the frame limits", h);
		if (h->rsp_class > RUMPSP_ERROR ||
		    h->rsp_type >= RUMPSP_NTYPES)
			fail("unknown class or type accepted", h);
		if (h->rsp_len - RSP_HDRSZ > maxbody(h))
			fail("body above its type's limit", h);
		if (st == SPC_NEW && (h->rsp_class != RUMPSP_REQ ||
		    h->rsp_type != RUMPSP_HANDSHAKE))
			fail("a new connection took a non-handshake", h);
		return 0;
	}
	if (why == NULL || err >= RUMPSP_NERR)
		fail("refused without a reason or a known code", h);
	(void)rsp_err_str((uint32_t)err);
	return -1;
}

/* What the server does next with a complete body it accepted. */
static void
body(const struct rsp_hdr *h, const uint8_t *b, size_t len)
{
	struct rsp_sysreq_parsed sp;
	const char *why;
	uint8_t *copy = NULL;

	if (h->rsp_class == RUMPSP_ERROR) {
		if (rsp_err_str(h->rsp_arg) == NULL)
			fail("no string for an error code", h);
		(void)rsp_err_errno(h->rsp_arg);
		return;
	}
	if (h->rsp_class != RUMPSP_REQ || h->rsp_type != RUMPSP_SYSCALL)
		return;
	/* a buffer of the body's own size, so ASan sees overreads */
	if (len > 0 && (copy = malloc(len)) == NULL)
		return;
	if (len > 0)
		memcpy(copy, b, len);
	(void)rsp_sysreq_parse(copy, len, &sp, &why);
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rsp_hdr h;
	size_t off = 0, blen;

	while (size - off >= RSP_HDRSZ) {
		memcpy(&h, data + off, sizeof(h));
		off += RSP_HDRSZ;
		(void)judge(&h, SPC_NEW);
		if (judge(&h, SPC_RUNNING) != 0)
			break;
		blen = (size_t)(h.rsp_len - RSP_HDRSZ);
		if (blen > size - off)
			break;		/* the rest has not arrived */
		body(&h, data + off, blen);
		off += blen;
	}
	return 0;
}
