/*
 * bench_calls.c -- the cost of small rump system calls against the
 * socket round trip underneath them.
 *
 * usage: bench_calls [-q] [-n calls] [-r rounds] [-c chunk] [-s pid]
 *            [-k getpid|read1] url
 *
 * Cases, each against a raw ping-pong between this process and a
 * forked child over the same kind of socket with the frame sizes of
 * the real exchange:
 *   getpid  rump_sys_getpid(): a 32-byte request, a 48-byte reply;
 *   read1   rump_sys_read() of one byte of /dev/zero, opened once:
 *           a 72-byte request (arguments and an output region), a
 *           72-byte reply (the region and the byte, padded).
 * Rounds alternate both sides, as long runs and as interleaved chunks
 * (bench_common.c).  With -s (the server's pid) it also counts the
 * system calls and context switches per call of client and server
 * together, and of the raw pair.
 */
#include "config.h"

#include <sys/types.h>

#include <err.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rump/rumpclient.h>
#include <rump/rump_syscalls.h>

#include "bench_common.h"

#define USAGE	"bench_calls [-q] [-n calls] [-r rounds] [-c chunk] " \
		"[-s pid] [-k getpid|read1] url"

/* read(fd, buf, 1): three argument slots and one output region. */
#define READ1_REQ	(RSP_HDRSZ + sizeof(struct rsp_sysreq) + \
			    3 * sizeof(uint64_t) + sizeof(struct rsp_region))
#define READ1_RESP	(RSP_HDRSZ + sizeof(struct rsp_sysresp) + \
			    sizeof(struct rsp_region) + RSP_PAD8(1))

_Static_assert(BN_GETPID_REQ == 32, "getpid request frame is 32 bytes");
_Static_assert(BN_GETPID_RESP == 48, "getpid reply frame is 48 bytes");

struct rawcall {
	struct bn_raw	 rc_raw;
	size_t		 rc_reqsz;
	size_t		 rc_respsz;
	uint32_t	 rc_sysnum;
};

static void
run_raw(void *arg, long n)
{
	struct rawcall *rc = arg;
	char req[128], resp[128];
	long i;

	memset(req, 0, sizeof(req));
	for (i = 0; i < n; i++) {
		rsp_hdr_fill((struct rsp_hdr *)(void *)req, rc->rc_reqsz,
		    (uint64_t)i, RUMPSP_REQ, RUMPSP_SYSCALL, rc->rc_sysnum);
		bn_raw_call(&rc->rc_raw, req, rc->rc_reqsz, resp,
		    rc->rc_respsz);
	}
}

static void
run_getpid(void *arg, long n)
{
	long i;

	for (i = 0; i < n; i++)
		if (rump_sys_getpid() == -1)
			err(1, "rump_sys_getpid");
}

static void
run_read1(void *arg, long n)
{
	int fd = *(int *)arg;
	char c;
	long i;

	for (i = 0; i < n; i++)
		if (rump_sys_read(fd, &c, 1) != 1)
			err(1, "rump_sys_read /dev/zero");
}

static void
bench_case(const struct bn_opts *o, const char *name, int family,
    size_t reqsz, size_t respsz, uint32_t sysnum,
    const struct bn_side *rump, const char *target)
{
	struct bn_count craw, crump;
	struct bn_result res;
	struct rawcall rc;
	struct bn_side raw;
	char label[64];

	rc.rc_reqsz = reqsz;
	rc.rc_respsz = respsz;
	rc.rc_sysnum = sysnum;
	bn_raw_start(&rc.rc_raw, family, reqsz, respsz);
	raw.s_run = run_raw;
	raw.s_arg = &rc;
	snprintf(label, sizeof(label), "%s %s", name, bn_transport(family));

	bn_rounds(&res, &raw, rump, o->o_rounds, o->o_n, 0, 0);
	bn_print(label, "long", &res, target);
	bn_rounds(&res, &raw, rump, o->o_rounds, o->o_n, o->o_chunk, 0);
	bn_print(label, "chunk", &res, target);

	bn_count(&craw, &raw, o->o_n, getpid(), rc.rc_raw.r_pid);
	if (o->o_server != 0)
		bn_count(&crump, rump, o->o_n, getpid(), o->o_server);
	bn_count_header(label);
	bn_print_count(label, &craw, o->o_server != 0 ? &crump : NULL);
	bn_raw_stop(&rc.rc_raw);
}

int
main(int argc, char **argv)
{
	struct rsp_addr ra;
	struct bn_opts o;
	struct bn_side s;
	int fd, shm;

	bn_opts_init(&o, 20000, 11, 20);
	argv += bn_opts_parse(&o, argc, argv, USAGE);
	if (*argv == NULL || argv[1] != NULL) {
		fprintf(stderr, "usage: %s\n", USAGE);
		return 1;
	}
	bn_url(*argv, &ra);
	bn_client(*argv, &ra);
	shm = strcmp(bn_transport(ra.ra_family), "shm") == 0;
	printf("# bench_calls %s: %d rounds of %ld calls per side, "
	    "chunks of %d\n", *argv, o.o_rounds, o.o_n, o.o_chunk);
	bn_header("case");

	if (bn_want(&o, "getpid")) {
		s.s_run = run_getpid;
		s.s_arg = NULL;
		/* issue 11's targets on rings, issue 7's on sockets */
		bench_case(&o, "getpid", ra.ra_family, BN_GETPID_REQ,
		    BN_GETPID_RESP, RUMP_SYS_getpid, &s, shm ? "<=0.50" :
		    "<=1.10");
	}
	if (bn_want(&o, "read1")) {
		if ((fd = rump_sys_open("/dev/zero", O_RDONLY)) == -1)
			err(1, "rump_sys_open /dev/zero");
		s.s_run = run_read1;
		s.s_arg = &fd;
		bench_case(&o, "read1", ra.ra_family, READ1_REQ, READ1_RESP,
		    RUMP_SYS_read, &s, shm ? "<=0.60" : "<=1.25");
		rump_sys_close(fd);
	}
	return 0;
}
