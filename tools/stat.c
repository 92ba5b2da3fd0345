/*
 * stat.c -- rump.stat: the sysproxy server's counters (kern.sysproxy.*
 * sysctl variables) as a live view, a line every interval like
 * vmstat(8).
 *
 *	rump.stat [-hv] [-c count] [-w secs]
 *
 * Gauges (clients, threads, idle, blocked, queued bytes) are shown as
 * they are; counters as their change per second over the interval, and
 * on the first line as totals since the server started.  This tool is a client too: it
 * shows up in the counters it reads (one client, a few requests).
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rump/rumpdefs.h>
#include <rump/rump_syscalls.h>

#include "tool.h"

enum { C_CLIENTS, C_THREADS, C_IDLE, C_BLOCKED, C_QUEUED, C_REQUESTS,
    C_BYTESIN, C_BYTESOUT, C_COPYREQS, C_ERRORS, C_CONNECTS, C_N };

static const char *const cname[C_N] = {
	"clients", "threads", "idle", "blocked", "queued", "requests",
	"bytes_in", "bytes_out", "copyreqs", "errors", "connects",
};
#define NGAUGES		5	/* the first five are gauges */

struct counter {
	int	mib[RUMP_CTL_MAXNAME];
	int	miblen;
};

static const struct option longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static void __attribute__((__noreturn__))
usage(FILE *fp, int status)
{

	fprintf(fp, "usage: %s [-hv] [-c count] [-w secs]\n", getprogname());
	exit(status);
}

static void
lookup(struct counter *c)
{
	int q[2] = { RUMP_CTL_SYSCTL, RUMP_SYSCTL_NAME2OID }, i;
	char name[64];
	size_t len;

	for (i = 0; i < C_N; i++) {
		snprintf(name, sizeof(name), "kern.sysproxy.%s", cname[i]);
		len = sizeof(c[i].mib);
		if (rump_sys___sysctl(q, 2, c[i].mib, &len, name,
		    strlen(name)) == -1)
			err(1, "%s (not a sysproxy server?)", name);
		c[i].miblen = (int)(len / sizeof(int));
	}
}

static void
sample(const struct counter *c, int64_t *v)
{
	size_t len;
	int i;

	for (i = 0; i < C_N; i++) {
		len = sizeof(v[i]);
		if (rump_sys___sysctl(c[i].mib, (unsigned)c[i].miblen, &v[i],
		    &len, NULL, 0) == -1)
			err(1, "kern.sysproxy.%s", cname[i]);
	}
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long
parse(const char *what, const char *s, long min)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < min)
		errx(1, "invalid %s: %s", what, s);
	return v;
}

int
main(int argc, char **argv)
{
	struct counter c[C_N];
	int64_t prev[C_N], cur[C_N];
	double t0, t1, dt;
	long count = -1, secs = 1, line;
	int ch, verbose = 0, i;

	tool_setname(argv, "rump.stat");
	while ((ch = getopt_long(argc, argv, "c:hvw:", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'c':
			count = parse("count", optarg, 1);
			break;
		case 'v':
			verbose = 1;
			break;
		case 'w':
			secs = parse("interval", optarg, 1);
			break;
		case 'h':
			usage(stdout, 0);
		default:
			usage(stderr, 1);
		}
	}
	if (optind != argc)
		usage(stderr, 1);
	tool_connect(verbose);
	lookup(c);
	memset(prev, 0, sizeof(prev));
	t0 = 0;
	for (line = 0; count < 0 || line < count; line++) {
		if (line % 20 == 0)
			printf("%7s %7s %5s %7s %9s %9s %10s %10s %8s %6s "
			    "%8s\n", "clients", "threads", "idle", "blocked",
			    "queued", "req/s", "in B/s", "out B/s", "copy/s",
			    "err/s", "conn/s");
		sample(c, cur);
		t1 = now();
		/* the first line: totals since the server started */
		dt = line == 0 ? 1.0 : t1 - t0;
		printf("%7" PRId64 " %7" PRId64 " %5" PRId64 " %7" PRId64
		    " %9" PRId64, cur[C_CLIENTS], cur[C_THREADS], cur[C_IDLE],
		    cur[C_BLOCKED], cur[C_QUEUED]);
		for (i = NGAUGES; i < C_N; i++)
			printf(" %*.0f", i == C_REQUESTS ? 9 :
			    i == C_BYTESIN || i == C_BYTESOUT ? 10 :
			    i == C_COPYREQS || i == C_CONNECTS ? 8 : 6,
			    (double)(cur[i] - prev[i]) / dt);
		printf("\n");
		fflush(stdout);
		memcpy(prev, cur, sizeof(prev));
		t0 = t1;
		if (count < 0 || line + 1 < count)
			sleep((unsigned)secs);
	}
	return 0;
}
