/*
 * tee.c -- rump.tee: copy standard input to a kernel file and to
 * standard output, like tee(1).
 *
 * The file is created with mode 0644 and truncated, or appended to
 * with -a.  As with tee(1), an output that fails is reported once and
 * dropped while the other one keeps receiving the data; the exit
 * status is then 1.
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

	fprintf(fp, "usage: %s [-ahv] file\n", getprogname());
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

static int
copy_input(int fd, const char *path)
{
	int outok, fileok;
	ssize_t n;

	outok = fileok = 1;
	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			warn("stdin");
			return 1;
		}
		if (outok && write_full(0, STDOUT_FILENO, buf,
		    (size_t)n) == -1) {
			warn("stdout");
			outok = 0;
		}
		if (fileok && write_full(1, fd, buf, (size_t)n) == -1) {
			warn("%s", path);
			fileok = 0;
		}
	}
	return !(outok && fileok);
}

int
main(int argc, char **argv)
{
	int ch, fd, flags, verbose, rv;

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
	if (argc - optind != 1)
		usage(stderr, 1);

	tool_connect(verbose);
	if ((fd = rump_sys_open(argv[optind], flags, 0644)) == -1)
		err(1, "%s", argv[optind]);
	rv = copy_input(fd, argv[optind]);
	if (rump_sys_close(fd) == -1) {
		warn("%s", argv[optind]);
		rv = 1;
	}
	return rv;
}
