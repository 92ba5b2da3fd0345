/*
 * cat.c -- rump.cat: copy kernel files to standard output, like cat(1).
 *
 * With no operand, or with "-", it copies the host's standard input.
 * A file that cannot be read is reported and skipped; the exit status
 * is 1 if any was.  A failed write to standard output ends the program
 * at once, since nothing after it could be delivered.
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

	fprintf(fp, "usage: %s [-hv] [file ...]\n", getprogname());
	exit(status);
}

static void
write_stdout(const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = write(STDOUT_FILENO, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			err(1, "stdout");
		}
		p += n;
		len -= (size_t)n;
	}
}

static int
cat_stdin(void)
{
	ssize_t n;

	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			warn("stdin");
			return 1;
		}
		write_stdout(buf, (size_t)n);
	}
	return 0;
}

static int
cat_file(const char *path)
{
	ssize_t n;
	int fd;

	if (strcmp(path, "-") == 0)
		return cat_stdin();
	if ((fd = rump_sys_open(path, O_RDONLY)) == -1) {
		warn("%s", path);
		return 1;
	}
	while ((n = rump_sys_read(fd, buf, sizeof(buf))) > 0)
		write_stdout(buf, (size_t)n);
	if (n == -1)
		warn("%s", path);
	rump_sys_close(fd);
	return n == -1;
}

int
main(int argc, char **argv)
{
	int ch, verbose, rv;

	tool_setname(argv, "rump.cat");
	verbose = 0;
	while ((ch = getopt_long(argc, argv, "hv", longopts, NULL)) != -1) {
		switch (ch) {
		case 'v':
			verbose = 1;
			break;
		case 'h':
			usage(stdout, 0);
		default:
			usage(stderr, 1);
		}
	}
	argc -= optind;
	argv += optind;

	tool_connect(verbose);
	if (argc == 0)
		return cat_stdin();
	rv = 0;
	for (; argc > 0; argc--, argv++)
		rv |= cat_file(*argv);
	return rv;
}
