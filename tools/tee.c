/*
 * tee.c -- rump.tee: copy standard input to a kernel file and to
 * standard output, like tee(1).
 *
 * Each file is created with mode 0644 and truncated, or appended to
 * with -a.  As with tee(1), an output that fails -- a file that cannot
 * be opened, a write that fails -- is reported once and dropped while
 * the others, standard output among them, keep receiving the data; the
 * exit status is then 1.  A file whose write failed is closed without
 * a second report.
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <rump/rump_syscalls.h>

#include "tool.h"

#define BUFSZ	(64 * 1024)

static char buf[BUFSZ];

static const struct option longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static void __attribute__((__noreturn__))
usage(FILE *fp, int status)
{

	fprintf(fp, "usage: %s [-ahv] [file ...]\n", getprogname());
	exit(status);
}

/* Write all of p to the host descriptor (rump 0) or kernel descriptor. */
static int
write_full(int rump, int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if (rump)
			n = rump_sys_write(fd, p, len);
		else
			n = write(fd, p, len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* an output: the host's standard output or a kernel file */
struct output {
	const char	*o_name;
	int		 o_rump;	/* a kernel descriptor */
	int		 o_fd;		/* -1: failed, dropped */
};

static int
copy_input(struct output *outs, int nout)
{
	ssize_t n;
	int i, rv = 0;

	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			warn("stdin");
			return 1;
		}
		for (i = 0; i < nout; i++) {
			if (outs[i].o_fd == -1)
				continue;
			if (write_full(outs[i].o_rump, outs[i].o_fd, buf,
			    (size_t)n) == -1) {
				warn("%s", outs[i].o_name);
				if (outs[i].o_rump)
					(void)rump_sys_close(outs[i].o_fd);
				outs[i].o_fd = -1;
				rv = 1;
			}
		}
	}
	return rv;
}

int
main(int argc, char **argv)
{
	struct output *outs;
	int ch, flags, verbose, rv, nout, i;

	tool_setname(argv, "rump.tee");
	flags = O_WRONLY | O_CREAT | O_TRUNC;
	verbose = 0;
	while ((ch = getopt_long(argc, argv, "ahv", longopts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			flags = O_WRONLY | O_CREAT | O_APPEND;
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

	tool_connect(verbose);
	rv = 0;
	nout = 1 + argc - optind;
	if ((outs = calloc((size_t)nout, sizeof(*outs))) == NULL)
		err(1, "malloc");
	outs[0].o_name = "stdout";
	outs[0].o_fd = STDOUT_FILENO;
	for (i = 1; i < nout; i++) {
		outs[i].o_name = argv[optind + i - 1];
		outs[i].o_rump = 1;
		if ((outs[i].o_fd = rump_sys_open(outs[i].o_name, flags,
		    0644)) == -1) {
			warn("%s", outs[i].o_name);
			rv = 1;
		}
	}
	if (copy_input(outs, nout) != 0)
		rv = 1;
	for (i = 1; i < nout; i++) {
		if (outs[i].o_fd != -1 && rump_sys_close(outs[i].o_fd) == -1) {
			warn("%s", outs[i].o_name);
			rv = 1;
		}
	}
	free(outs);
	return rv;
}
