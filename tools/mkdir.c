/*
 * mkdir.c -- rump.mkdir: make kernel directories, like mkdir(1).
 *
 * The kernel keeps no umask, so the tool applies the host's: new
 * directories get 0777 less the caller's umask, as mkdir(1) would give
 * them.  With -p the missing parents are made too (writable and
 * searchable by their owner whatever the umask, so the walk can go on)
 * and an existing directory is not an error.  A directory that cannot
 * be made is reported and the others are still tried; the exit status
 * is then 1.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rump/rump_syscalls.h>

#include "tool.h"

static const struct option longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static void __attribute__((__noreturn__))
usage(FILE *fp, int status)
{

	fprintf(fp, "usage: %s [-hpv] directory ...\n", getprogname());
	exit(status);
}

/*
 * mkdir that accepts an existing directory; returns 0 or an errno.  An
 * existing file that is not a directory is EEXIST as the last
 * component, ENOTDIR as a parent (the path cannot go through it).
 */
static int
mkdir_exist(const char *path, mode_t mode, int parent)
{
	struct stat st;
	int error;

	if (rump_sys_mkdir(path, mode) == 0)
		return 0;
	error = errno;
	if (error != EEXIST)
		return error;
	if (rump_sys_stat(path, &st) == -1)
		return errno;
	if (S_ISDIR(st.st_mode))
		return 0;
	return parent ? ENOTDIR : EEXIST;
}

/* Make path and its missing parents; a failure names the prefix. */
static int
mkdir_p(const char *path, mode_t mode)
{
	char *p, *slash;
	int error;

	if ((p = strdup(path)) == NULL)
		err(1, "strdup");
	slash = p;
	error = 0;
	for (;;) {
		slash += strspn(slash, "/");
		slash += strcspn(slash, "/");
		if (*slash == '\0' || slash[strspn(slash, "/")] == '\0')
			break;
		*slash = '\0';
		error = mkdir_exist(p, mode | S_IWUSR | S_IXUSR, 1);
		if (error != 0)
			break;
		*slash = '/';
	}
	if (error == 0)
		error = mkdir_exist(path, mode, 0);
	if (error != 0) {
		errno = error;
		warn("%s", p);
	}
	free(p);
	return error != 0;
}

int
main(int argc, char **argv)
{
	int ch, pflag, verbose, rv;
	mode_t mask, mode;

	tool_setname(argv, "rump.mkdir");
	pflag = verbose = 0;
	while ((ch = getopt_long(argc, argv, "hpv", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			pflag = 1;
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

	mask = umask(0);
	umask(mask);
	mode = 0777 & ~mask;

	tool_connect(verbose);
	rv = 0;
	for (; argc > 0; argc--, argv++) {
		if (pflag)
			rv |= mkdir_p(*argv, mode);
		else if (rump_sys_mkdir(*argv, mode) == -1) {
			warn("%s", *argv);
			rv = 1;
		}
	}
	return rv;
}
