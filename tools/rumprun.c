/*
 * rumprun.c -- run an unmodified program with librumphijack preloaded,
 * so that its paths under /rump (and what it opens there) are the rump
 * kernel's (rumprun(1), rumphijack(3)).
 *
 * rumprun only sets the environment and execs: LD_PRELOAD (the
 * library in front of any the caller had), RUMP_SERVER from -s,
 * RUMPHIJACK from -p (path= added to what RUMPHIJACK held).  It never connects itself, and is linked with
 * nothing but libc, so that in the build tree it is the program and
 * not a libtool wrapper, and finds the uninstalled library beside it.
 */
#include "config.h"

#include <err.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HIJACKLIB	"librumphijack.so"

static const struct option longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void __attribute__((__noreturn__))
usage(FILE *fp, int status)
{

	fprintf(fp, "usage: rumprun [-s url] [-p prefix] command [arg ...]\n"
	    "  -s url     the rump kernel (default: $RUMP_SERVER)\n"
	    "  -p prefix  its paths in the program (default: /rump; "
	    "adds path=prefix to RUMPHIJACK)\n"
	    "  $RUMPHIJACK_LIB overrides the library (%s/%s)\n",
	    LIBDIR, HIJACKLIB);
	exit(status);
}

/*
 * The library: $RUMPHIJACK_LIB, else the build tree's beside this
 * program (.libs/), else the installed one.
 */
static const char *
hijacklib(void)
{
	static char buf[PATH_MAX];
	const char *v;
	char *slash;
	ssize_t n;

	if ((v = getenv("RUMPHIJACK_LIB")) != NULL && *v != '\0')
		return v;
	n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	if (n > 0 && (size_t)n < sizeof(buf) - sizeof("/.libs/" HIJACKLIB)) {
		buf[n] = '\0';
		if ((slash = strrchr(buf, '/')) != NULL) {
			strcpy(slash, "/.libs/" HIJACKLIB);
			if (access(buf, R_OK) == 0)
				return buf;
		}
	}
	return LIBDIR "/" HIJACKLIB;
}

int
main(int argc, char **argv)
{
	const char *lib, *old;
	char *pre, *spec;
	int ch;

	while ((ch = getopt_long(argc, argv, "+hp:s:", longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
			if (*optarg == '\0')
				errx(1, "-s: empty URL");
			if (setenv("RUMP_SERVER", optarg, 1) == -1)
				err(1, "setenv");
			break;
		case 'p':
			if (optarg[0] != '/' || optarg[1] == '\0' ||
			    strchr(optarg, ',') != NULL)
				errx(1, "-p %s: an absolute path other than "
				    "/, without commas", optarg);
			/* a later path= wins: the rest of RUMPHIJACK stays */
			old = getenv("RUMPHIJACK");
			if (asprintf(&spec, "%s%spath=%s", old ? old : "",
			    old && *old ? "," : "", optarg) == -1 ||
			    setenv("RUMPHIJACK", spec, 1) == -1)
				err(1, "setenv");
			break;
		case 'V':
			printf("rumprun %s\n", PACKAGE_VERSION);
			exit(0);
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
	if (getenv("RUMP_SERVER") == NULL || *getenv("RUMP_SERVER") == '\0')
		errx(1, "no server: give -s url or set RUMP_SERVER");
	lib = hijacklib();
	if (access(lib, R_OK) == -1)
		err(1, "%s", lib);
	old = getenv("LD_PRELOAD");
	if (old != NULL && *old != '\0') {
		if (asprintf(&pre, "%s:%s", lib, old) == -1)
			err(1, "asprintf");
	} else if ((pre = strdup(lib)) == NULL)
		err(1, "strdup");
	if (setenv("LD_PRELOAD", pre, 1) == -1)
		err(1, "setenv");
	execvp(argv[0], argv);
	err(127, "%s", argv[0]);
}
