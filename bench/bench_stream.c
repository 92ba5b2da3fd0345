/*
 * bench_stream.c -- moving bulk data through the kernel against raw
 * streaming of the same sizes.
 *
 * usage: bench_stream [-q] [-n ops] [-r rounds] [-c chunk] [-s pid]
 *            [-k 64k|1m] url
 *
 * The kernel side: rump_sys_pwrite() of size bytes to /f (opened once
 * with O_CREAT|O_RDWR) at offset 0, then rump_sys_pread() of them
 * back.  The raw side: this process writes size bytes to a forked
 * child, which reads them all and writes size bytes back, over the
 * same kind of socket.  Both move the data out and back once per
 * operation.  The ratio is a throughput: raw time / rump time, so
 * 1.0 means the kernel moves bytes as fast as the bare socket.
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

#define USAGE	"bench_stream [-q] [-n ops] [-r rounds] [-c chunk] " \
		"[-s pid] [-k 64k|1m] url"

struct stream {
	struct bn_raw	 st_raw;
	size_t		 st_size;
	char		*st_out;
	char		*st_in;
	int		 st_fd;	/* /f in the kernel */
};

static void
run_raw(void *arg, long n)
{
	struct stream *st = arg;
	long i;

	for (i = 0; i < n; i++)
		bn_raw_call(&st->st_raw, st->st_out, st->st_size, st->st_in,
		    st->st_size);
}

static void
run_rump(void *arg, long n)
{
	struct stream *st = arg;
	long i;

	for (i = 0; i < n; i++) {
		if (rump_sys_pwrite(st->st_fd, st->st_out, st->st_size, 0) !=
		    (ssize_t)st->st_size)
			err(1, "rump_sys_pwrite");
		if (rump_sys_pread(st->st_fd, st->st_in, st->st_size, 0) !=
		    (ssize_t)st->st_size)
			err(1, "rump_sys_pread");
	}
}

static void
bench_size(const struct bn_opts *o, int family, const char *name,
    size_t size, long n, int chunk, const char *target)
{
	struct bn_side raw, rump;
	struct bn_result res;
	struct stream st;
	char label[64];

	memset(&st, 0, sizeof(st));
	st.st_size = size;
	if ((st.st_out = malloc(size)) == NULL ||
	    (st.st_in = malloc(size)) == NULL)
		err(1, "malloc");
	memset(st.st_out, 'x', size);
	if ((st.st_fd = rump_sys_open("/f", O_CREAT | O_RDWR, 0644)) == -1)
		err(1, "rump_sys_open /f");
	bn_raw_start(&st.st_raw, family, size, size);
	raw.s_run = run_raw;
	raw.s_arg = &st;
	rump.s_run = run_rump;
	rump.s_arg = &st;
	snprintf(label, sizeof(label), "%s %s", name, bn_transport(family));

	bn_rounds(&res, &raw, &rump, o->o_rounds, n, 0, 1);
	bn_print(label, "long", &res, target);
	bn_rounds(&res, &raw, &rump, o->o_rounds, n, chunk, 1);
	bn_print(label, "chunk", &res, target);
	printf("%-24s %-6s %10.1f %10.1f MB/s (median)\n", label, "rate",
	    (double)size * 1e3 / bn_median(res.r_raw, res.r_rounds),
	    (double)size * 1e3 / bn_median(res.r_rump, res.r_rounds));

	bn_raw_stop(&st.st_raw);
	rump_sys_close(st.st_fd);
	rump_sys_unlink("/f");
	free(st.st_out);
	free(st.st_in);
}

int
main(int argc, char **argv)
{
	struct rsp_addr ra;
	struct bn_opts o;
	const char *target;
	long n;

	/* -n counts 64 KiB operations; 1 MiB runs a sixteenth of them */
	bn_opts_init(&o, 2000, 11, 4);
	argv += bn_opts_parse(&o, argc, argv, USAGE);
	if (*argv == NULL || argv[1] != NULL) {
		fprintf(stderr, "usage: %s\n", USAGE);
		return 1;
	}
	bn_url(*argv, &ra);
	bn_client(*argv, &ra);
	printf("# bench_stream %s: %d rounds of %ld 64 KiB or %ld 1 MiB "
	    "operations per side, chunks of %d or 1\n", *argv, o.o_rounds,
	    o.o_n, o.o_n / 16 + 1, o.o_chunk);
	bn_header("case (ratio: rate)");

	/* issue 11's target on rings, issue 7's on sockets */
	target = strcmp(bn_transport(ra.ra_family), "shm") == 0 ? ">=1.50" :
	    ">=0.70";
	if (bn_want(&o, "64k"))
		bench_size(&o, ra.ra_family, "pwrite+pread 64k", 65536,
		    o.o_n, o.o_chunk, target);
	n = o.o_n / 16 + 1;
	if (bn_want(&o, "1m"))
		bench_size(&o, ra.ra_family, "pwrite+pread 1m", 1048576, n,
		    1, target);
	return 0;
}
