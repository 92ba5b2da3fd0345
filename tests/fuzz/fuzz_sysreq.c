/*
 * fuzz_sysreq.c -- libFuzzer harness for rsp_sysreq_parse(), the
 * parser of a SYSCALL request body (common/sp_sysreq.c).
 *
 * The input is the body, exactly as the server hands it over: an empty
 * one as NULL, the rest in a buffer of its own size so that ASan sees
 * any read past it.  Besides not crashing, a body the parser accepts
 * must keep every promise the server relies on: the argument block and
 * every IN region's data lie inside the body, the counts are within
 * the protocol's limits, and the OUT regions fit one reply frame.  A
 * broken promise aborts, which libFuzzer reports as a crash.
 */
#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sp_proto.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fail(const char *what)
{

	fprintf(stderr, "fuzz_sysreq: %s\n", what);
	abort();
}

/* [p, p + n) must lie inside [b, b + len) */
static void
inside(const uint8_t *b, size_t len, const uint8_t *p, size_t n,
    const char *what)
{

	if (p < b || p > b + len || n > (size_t)(b + len - p))
		fail(what);
}

static void
check(const uint8_t *b, size_t len, const struct rsp_sysreq_parsed *sp)
{
	volatile uint8_t sink = 0;
	size_t i, j, out = 0;

	if (sp->sp_argsize > RUMPSP_ARGSIZE || sp->sp_argsize % 8 != 0)
		fail("argument size beyond the limit");
	if (sp->sp_nregions > RUMPSP_MAXREGIONS)
		fail("too many regions accepted");
	if (sp->sp_argsize > 0)
		inside(b, len, sp->sp_args, sp->sp_argsize, "arguments");
	for (i = 0; i < sp->sp_nregions; i++) {
		const struct rsp_region *r = &sp->sp_region[i];

		if (r->rr_flags == 0 ||
		    (r->rr_flags & ~(RSP_REGION_IN | RSP_REGION_OUT)) != 0)
			fail("bad region flags accepted");
		if (r->rr_addr + r->rr_len < r->rr_addr)
			fail("wrapping region accepted");
		if ((r->rr_flags & RSP_REGION_IN) != (sp->sp_data[i] != NULL))
			fail("IN data missing, or data for an OUT region");
		if (sp->sp_data[i] != NULL) {
			inside(b, len, sp->sp_data[i], RSP_PAD8(r->rr_len),
			    "region data");
			for (j = 0; j < r->rr_len; j++)
				sink ^= sp->sp_data[i][j];
		}
		if (r->rr_flags & RSP_REGION_OUT)
			out += sizeof(*r) + RSP_PAD8((size_t)r->rr_len);
	}
	if (out > RUMPSP_MAXFRAME - RSP_HDRSZ - sizeof(struct rsp_sysresp))
		fail("OUT regions do not fit a reply");
	(void)sink;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rsp_sysreq_parsed sp;
	const char *why = NULL;
	uint8_t *body = NULL;
	int err;

	if (size > 0) {
		if ((body = malloc(size)) == NULL)
			return 0;
		memcpy(body, data, size);
	}
	err = rsp_sysreq_parse(body, size, &sp, &why);
	if (err == RUMPSP_ERR_NONE)
		check(body, size, &sp);
	else if (why == NULL || err >= RUMPSP_NERR)
		fail("error without a reason or with an unknown code");
	free(body);
	return 0;
}
