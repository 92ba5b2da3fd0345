/*
 * ps.c -- rump.ps: list the processes of the rump kernel that
 * RUMP_SERVER names, through its proclist call.
 *
 * The call returns how many bytes the whole list takes; a list that
 * grew between two calls is asked for again (tool_getlist).
 * Command names are the clients' choice: they are printed through
 * strvis(3), so that none reaches the terminal as an escape sequence.
 *
 * Columns are chosen as with ps(1) -o: a table of keywords, each with
 * a header, a width and a function that formats one process.  -f
 * hands over to rump.fstat's listing (fstat.c is linked in), as a
 * shorthand for NetBSD's separate fstat(1).
 */
#include "config.h"

#define LIBBSD_OPENBSD_VIS

#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vis.h>

#include <rump/rump_syscalls.h>

#include "tool.h"

#define MAXCOLS		32
#define FIELDLEN	(4 * 16 + 1)	/* a visible command name */

typedef void fmtfn(const struct rump_procinfo *, char *, size_t);

struct keyword {
	const char	*k_name;
	const char	*k_alias;	/* another name for it, or NULL */
	const char	*k_header;
	int		 k_width;	/* negative: left aligned */
	fmtfn		*k_fmt;
};

struct column {
	const struct keyword	*c_kw;
	const char		*c_header;	/* -o kw=header, or the kw's */
};

static struct column cols[MAXCOLS];
static int ncols;

static const struct option longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static void __attribute__((__noreturn__))
usage(FILE *fp, int status)
{

	fprintf(fp, "usage: %s [-fhLv] [-o keyword[=header][,...]]\n"
	    "  -f  the open files of each process (as rump.fstat)\n"
	    "  -L  list the keywords -o takes\n", getprogname());
	exit(status);
}

static void
fmt_pid(const struct rump_procinfo *p, char *b, size_t n)
{
	snprintf(b, n, "%d", p->rpi_pid);
}

static void
fmt_ppid(const struct rump_procinfo *p, char *b, size_t n)
{
	snprintf(b, n, "%d", p->rpi_ppid);
}

static void
fmt_pgid(const struct rump_procinfo *p, char *b, size_t n)
{
	snprintf(b, n, "%d", p->rpi_pgid);
}

static void
fmt_sid(const struct rump_procinfo *p, char *b, size_t n)
{
	snprintf(b, n, "%d", p->rpi_sid);
}

static void
fmt_uid(const struct rump_procinfo *p, char *b, size_t n)
{
	snprintf(b, n, "%u", p->rpi_uid);
}

static void
fmt_nlwp(const struct rump_procinfo *p, char *b, size_t n)
{
	snprintf(b, n, "%d", p->rpi_nlwps);
}

static void
fmt_nfd(const struct rump_procinfo *p, char *b, size_t n)
{
	snprintf(b, n, "%d", p->rpi_nfiles);
}

static void
fmt_stat(const struct rump_procinfo *p, char *b, size_t n)
{

	switch (p->rpi_stat) {
	case RUMP_PSTAT_ACTIVE:
		snprintf(b, n, "%s", p->rpi_remote ? "R" : "L");
		break;
	case RUMP_PSTAT_PREFORK:
		snprintf(b, n, "F");
		break;
	case RUMP_PSTAT_ZOMBIE:
		if (WIFSIGNALED(p->rpi_xstat))
			snprintf(b, n, "Z sig %d", WTERMSIG(p->rpi_xstat));
		else
			snprintf(b, n, "Z exit %d", WEXITSTATUS(p->rpi_xstat));
		break;
	default:
		snprintf(b, n, "?");
		break;
	}
}

static void
fmt_comm(const struct rump_procinfo *p, char *b, size_t n)
{
	char comm[sizeof(p->rpi_comm)];

	if (n < FIELDLEN)
		abort();
	memcpy(comm, p->rpi_comm, sizeof(comm));
	comm[sizeof(comm) - 1] = '\0';
	strvis(b, comm, VIS_SAFE | VIS_OCTAL);
}

static const struct keyword keywords[] = {
	{ "pid",	NULL,	 "PID",	    5, fmt_pid },
	{ "ppid",	NULL,	 "PPID",    5, fmt_ppid },
	{ "pgid",	NULL,	 "PGID",    5, fmt_pgid },
	{ "sid",	NULL,	 "SID",	    5, fmt_sid },
	{ "uid",	NULL,	 "UID",	    5, fmt_uid },
	{ "nlwp",	"lwps",	 "NLWP",    4, fmt_nlwp },
	{ "nfd",	"fds",	 "NFD",	    4, fmt_nfd },
	{ "stat",	"state", "STAT",  -10, fmt_stat },
	{ "command",	"comm",	 "COMMAND", -16, fmt_comm },
};

static const struct keyword *
keyword_find(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < __arraycount(keywords); i++) {
		if ((strlen(keywords[i].k_name) == len &&
		    strncmp(keywords[i].k_name, name, len) == 0) ||
		    (keywords[i].k_alias != NULL &&
		    strlen(keywords[i].k_alias) == len &&
		    strncmp(keywords[i].k_alias, name, len) == 0))
			return &keywords[i];
	}
	return NULL;
}

static void
addcol(const struct keyword *kw, const char *header)
{

	if (ncols == MAXCOLS)
		errx(1, "more than %d columns", MAXCOLS);
	cols[ncols].c_kw = kw;
	cols[ncols].c_header = header != NULL ? header : kw->k_header;
	ncols++;
}

/*
 * -o: keywords separated by commas or blanks; as in ps(1), "kw=header"
 * renames the column and takes the rest of the argument as the header.
 */
static void
parse_columns(const char *arg)
{
	const struct keyword *kw;
	const char *p = arg, *eq;
	size_t len;

	while (*p != '\0') {
		len = strcspn(p, ", \t=");
		if (len == 0) {
			p++;
			continue;
		}
		if ((kw = keyword_find(p, len)) == NULL)
			errx(1, "%.*s: no such keyword (rump.ps -L lists them)",
			    (int)len, p);
		if (p[len] == '=') {
			eq = p + len + 1;
			addcol(kw, eq);
			return;
		}
		addcol(kw, NULL);
		p += len;
	}
}

static void
list_keywords(void)
{
	size_t i;

	for (i = 0; i < __arraycount(keywords); i++) {
		printf("%-8s %s", keywords[i].k_name, keywords[i].k_header);
		if (keywords[i].k_alias != NULL)
			printf(" (also %s)", keywords[i].k_alias);
		printf("\n");
	}
	exit(0);
}

static void
printrow(const struct rump_procinfo *p)
{
	char buf[FIELDLEN];
	const char *s;
	int i, w;

	for (i = 0; i < ncols; i++) {
		if (p != NULL) {
			cols[i].c_kw->k_fmt(p, buf, sizeof(buf));
			s = buf;
		} else
			s = cols[i].c_header;
		w = cols[i].c_kw->k_width;
		/* the last column is not padded: no trailing blanks */
		if (i == ncols - 1 && w < 0)
			w = 0;
		printf("%s%*s", i > 0 ? " " : "", w, s);
	}
	printf("\n");
}

static int
bypid(const void *a, const void *b)
{
	const struct rump_procinfo *x = a, *y = b;

	return (x->rpi_pid > y->rpi_pid) - (x->rpi_pid < y->rpi_pid);
}

static ssize_t
proclist(void *buf, size_t size)
{

	return rump_sys_proclist(buf, size);
}

int
main(int argc, char **argv)
{
	struct rump_procinfo *pi;
	size_t n, i;
	int ch, verbose = 0, files = 0;

	tool_setname(argv, "rump.ps");
	while ((ch = getopt_long(argc, argv, "fhLo:v", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'f':
			files = 1;
			break;
		case 'L':
			list_keywords();
			break;
		case 'o':
			parse_columns(optarg);
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
	if (files && ncols > 0)
		errx(1, "-f and -o do not go together");
	if (ncols == 0)
		parse_columns("pid,ppid,pgid,sid,uid,nlwp,nfd,stat,command");
	tool_connect(verbose);
	if (files)
		return tool_fstat(-1, -1);
	pi = tool_getlist(proclist, sizeof(*pi), &n);
	qsort(pi, n, sizeof(*pi), bypid);
	printrow(NULL);
	for (i = 0; i < n; i++)
		printrow(&pi[i]);
	free(pi);
	return 0;
}
