/*
 * rm.c -- rump.rm: remove kernel files, and with -r directory trees,
 * like rm(1).
 *
 * Every path is first unlinked; a directory answers EISDIR, and only
 * then, with -r, is it emptied (its names are read completely before
 * any is removed, so the walk never depends on directory offsets that
 * the removals would move) and removed with rmdir.  As rm(1) does, "/"
 * and paths ending in "." or ".." are refused.  Anything that cannot
 * be removed is reported and the rest is still tried; the exit status
 * is then 1.
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rump/rump_syscalls.h>

#include "tool.h"

static int rflag;

static const struct option longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static void __attribute__((__noreturn__))
usage(FILE *fp, int status)
{

	fprintf(fp, "usage: %s [-hrv] path ...\n", getprogname());
	exit(status);
}

static int rm_path(const char *);

/* Remove everything in dir, then dir itself. */
static int
rm_tree(const char *dir)
{
	char **names, *path;
	size_t i, n;
	int error, rv;

	if ((error = tool_dirnames(dir, &names, &n)) != 0) {
		errno = error;
		warn("%s", dir);
		return 1;
	}
	rv = 0;
	for (i = 0; i < n; i++) {
		if (strcmp(names[i], ".") == 0 || strcmp(names[i], "..") == 0)
			continue;
		if (asprintf(&path, "%s/%s", dir, names[i]) == -1)
			err(1, "asprintf");
		rv |= rm_path(path);
		free(path);
	}
	tool_freenames(names, n);
	if (rump_sys_rmdir(dir) == -1) {
		warn("%s", dir);
		rv = 1;
	}
	return rv;
}

static int
rm_path(const char *path)
{

	if (rump_sys_unlink(path) == 0)
		return 0;
	if (errno == EISDIR && rflag)
		return rm_tree(path);
	warn("%s", path);
	return 1;
}

/* rm(1)'s refusals: "/" and a last component of "." or "..". */
static int
refused(const char *path)
{
	const char *last;
	size_t len;

	len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		len--;
	if (len == 1 && path[0] == '/') {
		warnx("\"/\" may not be removed");
		return 1;
	}
	last = path + len;
	while (last > path && last[-1] != '/')
		last--;
	if ((path + len - last == 1 && last[0] == '.') ||
	    (path + len - last == 2 && last[0] == '.' && last[1] == '.')) {
		warnx("\".\" and \"..\" may not be removed");
		return 1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	int ch, verbose, rv;

	tool_setname(argv, "rump.rm");
	verbose = 0;
	while ((ch = getopt_long(argc, argv, "hrv", longopts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			rflag = 1;
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
	argc -= optind;
	argv += optind;
	if (argc == 0)
		usage(stderr, 1);

	tool_connect(verbose);
	rv = 0;
	for (; argc > 0; argc--, argv++) {
		if (refused(*argv))
			rv = 1;
		else
			rv |= rm_path(*argv);
	}
	return rv;
}
