/*
 * ls.c -- rump.ls: list kernel directories, a small ls(1).
 *
 * Directories are read with getdents64 (tool_dirnames) and their
 * entries printed sorted by name; names starting with "." are shown
 * only with -a.  With -l each entry is lstat'ed and printed as mode,
 * link count, owner and group, size (major, minor for a device),
 * modification time and name.  The kernel has no user or group names,
 * so owner and group are numbers, as with ls -n; times are ls(1)'s:
 * hour and minute within six months, else the year, in local time.  As ls(1)
 * does, operands that are not directories come first, then each
 * directory under a "path:" heading when there is more than one
 * operand.  An operand or entry that cannot be read is reported and
 * skipped; the exit status is then 1.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rump/rump_syscalls.h>

#include "tool.h"

#define SIXMONTHS	((time_t)365 * 24 * 60 * 60 / 2)

static int aflag, lflag;

static const struct option longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static void __attribute__((__noreturn__))
usage(FILE *fp, int status)
{

	fprintf(fp, "usage: %s [-ahlv] [path ...]\n", getprogname());
	exit(status);
}

static char
typechar(mode_t m)
{

	switch (m & S_IFMT) {
	case S_IFDIR:	return 'd';
	case S_IFCHR:	return 'c';
	case S_IFBLK:	return 'b';
	case S_IFLNK:	return 'l';
	case S_IFIFO:	return 'p';
	case S_IFSOCK:	return 's';
	default:	return '-';
	}
}

/* "drwxr-xr-x", with s/S and t/T for the set-id and sticky bits. */
static void
modestr(mode_t m, char s[11])
{

	s[0] = typechar(m);
	s[1] = m & S_IRUSR ? 'r' : '-';
	s[2] = m & S_IWUSR ? 'w' : '-';
	s[3] = m & S_ISUID ? (m & S_IXUSR ? 's' : 'S') :
	    (m & S_IXUSR ? 'x' : '-');
	s[4] = m & S_IRGRP ? 'r' : '-';
	s[5] = m & S_IWGRP ? 'w' : '-';
	s[6] = m & S_ISGID ? (m & S_IXGRP ? 's' : 'S') :
	    (m & S_IXGRP ? 'x' : '-');
	s[7] = m & S_IROTH ? 'r' : '-';
	s[8] = m & S_IWOTH ? 'w' : '-';
	s[9] = m & S_ISVTX ? (m & S_IXOTH ? 't' : 'T') :
	    (m & S_IXOTH ? 'x' : '-');
	s[10] = '\0';
}

static void
print_long(const char *name, const struct stat *st)
{
	char mode[11], when[32];
	struct tm tm;
	time_t now = time(NULL), t = st->st_mtim.tv_sec;

	modestr(st->st_mode, mode);
	/* ls(1): the year instead of the time if not within six months */
	if (localtime_r(&t, &tm) == NULL ||
	    strftime(when, sizeof(when), t > now - SIXMONTHS &&
	    t < now + SIXMONTHS ? "%b %e %H:%M" : "%b %e  %Y", &tm) == 0)
		snprintf(when, sizeof(when), "%jd", (intmax_t)t);
	printf("%s %3ju %-5u %-5u ", mode, (uintmax_t)st->st_nlink,
	    st->st_uid, st->st_gid);
	if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
		printf("%3u, %3u", major(st->st_rdev), minor(st->st_rdev));
	else
		printf("%8jd", (intmax_t)st->st_size);
	printf(" %s %s\n", when, name);
}

/* Print one entry; path is what to lstat, name what to show. */
static int
print_entry(const char *path, const char *name)
{
	struct stat st;

	if (!lflag) {
		printf("%s\n", name);
		return 0;
	}
	if (rump_sys_lstat(path, &st) == -1) {
		warn("%s", path);
		return 1;
	}
	print_long(name, &st);
	return 0;
}

static int
cmpname(const void *a, const void *b)
{

	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
list_dir(const char *dir)
{
	char **names, *path;
	size_t i, n;
	int error, rv;

	if ((error = tool_dirnames(dir, &names, &n)) != 0) {
		errno = error;
		warn("%s", dir);
		return 1;
	}
	qsort(names, n, sizeof(names[0]), cmpname);
	rv = 0;
	for (i = 0; i < n; i++) {
		if (names[i][0] == '.' && !aflag)
			continue;
		if (asprintf(&path, "%s/%s", dir, names[i]) == -1)
			err(1, "asprintf");
		rv |= print_entry(path, names[i]);
		free(path);
	}
	tool_freenames(names, n);
	return rv;
}

/*
 * Sort operands into files (printed now, counted in *nfiles) and
 * directories (returned in dirs).
 */
static int
list_files(int argc, char **argv, char **dirs, int *ndirs, int *nfiles)
{
	struct stat st;
	int i, rv, r;

	rv = 0;
	*ndirs = *nfiles = 0;
	for (i = 0; i < argc; i++) {
		if (lflag)
			r = rump_sys_lstat(argv[i], &st);
		else
			r = rump_sys_stat(argv[i], &st);
		if (r == -1) {
			warn("%s", argv[i]);
			rv = 1;
		} else if (S_ISDIR(st.st_mode))
			dirs[(*ndirs)++] = argv[i];
		else {
			rv |= print_entry(argv[i], argv[i]);
			(*nfiles)++;
		}
	}
	return rv;
}

int
main(int argc, char **argv)
{
	static char dotname[] = ".";
	static char *dot[] = { dotname, NULL };
	char **dirs;
	int ch, i, ndirs, nfiles, verbose, rv;

	tool_setname(argv, "rump.ls");
	verbose = 0;
	while ((ch = getopt_long(argc, argv, "ahlv", longopts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			aflag = 1;
			break;
		case 'l':
			lflag = 1;
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
	if (argc == 0) {
		argc = 1;
		argv = dot;
	}

	tool_connect(verbose);
	if ((dirs = calloc((size_t)argc, sizeof(*dirs))) == NULL)
		err(1, "calloc");
	rv = list_files(argc, argv, dirs, &ndirs, &nfiles);
	for (i = 0; i < ndirs; i++) {
		if (argc > 1)
			printf("%s%s:\n", i > 0 || nfiles > 0 ? "\n" : "",
			    dirs[i]);
		rv |= list_dir(dirs[i]);
	}
	free(dirs);
	return rv;
}
