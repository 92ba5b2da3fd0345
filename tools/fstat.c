/*
 * fstat.c -- rump.fstat: the open files of the rump kernel's
 * processes, as NetBSD's fstat(1).  The listing itself is filelist.c,
 * shared with rump.ps -f.  The kernel has no user names, so -u takes
 * a number.
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "tool.h"

static const struct option longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static void __attribute__((__noreturn__))
usage(FILE *fp, int status)
{

	fprintf(fp, "usage: %s [-hv] [-p pid] [-u uid]\n", getprogname());
	exit(status);
}

static long
number(const char *what, const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < 0 ||
	    v > INT_MAX)
		errx(1, "invalid %s: %s", what, s);
	return v;
}

int
main(int argc, char **argv)
{
	long pid = -1, uid = -1;
	int ch, verbose = 0;

	tool_setname(argv, "rump.fstat");
	while ((ch = getopt_long(argc, argv, "hp:u:v", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'p':
			pid = number("pid", optarg);
			break;
		case 'u':
			uid = number("uid", optarg);
			break;
		case 'v':
			verbose = 1;
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
	return tool_fstat(pid, uid);
}
