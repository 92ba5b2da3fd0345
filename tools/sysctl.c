/*
 * sysctl.c -- rump.sysctl: read and set the rump kernel's sysctl
 * variables, as sysctl(8) does.
 *
 *	rump.sysctl [-hnv] name ...		print each
 *	rump.sysctl [-hnv] -a			print every leaf
 *	rump.sysctl [-hv] -w name=value ...	set, printing "name: old -> new"
 *
 * Names are resolved and the tree walked by the kernel (the
 * RUMP_CTL_SYSCTL node: name to numbers, numbers to name, next leaf,
 * type), so this tool knows no variable by itself.  Strings are printed
 * through strvis(3): a value another client chose cannot reach the
 * terminal as an escape sequence.
 */
#include "config.h"

/* libbsd: the OpenBSD strnvis(), whose argument order we do not use */
#define LIBBSD_OPENBSD_VIS

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vis.h>

#include <rump/rumpdefs.h>
#include <rump/rump_syscalls.h>

#include "tool.h"

#define NAMEMAX		256
#define VALMAX		4096

static int nflag;		/* -n: values only */

static const struct option longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static void __attribute__((__noreturn__))
usage(FILE *fp, int status)
{

	fprintf(fp, "usage: %s [-nv] name ...\n"
	    "       %s [-nv] -a\n"
	    "       %s [-v] -w name=value ...\n",
	    getprogname(), getprogname(), getprogname());
	exit(status);
}

/* name -> mib; returns its length, or -1 with errno */
static int
name2mib(const char *name, int *mib)
{
	int q[2] = { RUMP_CTL_SYSCTL, RUMP_SYSCTL_NAME2OID };
	size_t len = RUMP_CTL_MAXNAME * sizeof(int);

	if (rump_sys___sysctl(q, 2, mib, &len, name, strlen(name)) == -1)
		return -1;
	return (int)(len / sizeof(int));
}

/* a query under RUMP_CTL_SYSCTL about mib: {0, what, mib...} */
static int
query(int what, const int *mib, int miblen, void *out, size_t *outlen)
{
	int q[RUMP_CTL_MAXNAME + 2];

	if (miblen > RUMP_CTL_MAXNAME) {
		errno = EINVAL;
		return -1;
	}
	q[0] = RUMP_CTL_SYSCTL;
	q[1] = what;
	memcpy(q + 2, mib, (size_t)miblen * sizeof(int));
	return rump_sys___sysctl(q, (unsigned)miblen + 2, out, outlen, NULL,
	    0);
}

/* A value as text, terminal-safe. */
static const char *
fmtval(int type, const void *val, size_t len, char *buf, size_t size)
{

	switch (type) {
	case RUMP_CTLTYPE_INT:
		snprintf(buf, size, "%d",
		    len == sizeof(int) ? *(const int *)val : 0);
		break;
	case RUMP_CTLTYPE_QUAD:
		snprintf(buf, size, "%" PRId64,
		    len == sizeof(int64_t) ? *(const int64_t *)val : 0);
		break;
	case RUMP_CTLTYPE_STRING:
		/* buf has room for 4 bytes per byte of a VALMAX string */
		if (size < 4 * strnlen(val, VALMAX) + 1)
			snprintf(buf, size, "(too long)");
		else
			strvis(buf, val, VIS_SAFE | VIS_OCTAL);
		break;
	default:
		snprintf(buf, size, "(%zu bytes)", len);
		break;
	}
	return buf;
}

static void
printval(const char *name, int type, const void *val, size_t len)
{
	char buf[VALMAX * 4 + 1];

	fmtval(type, val, len, buf, sizeof(buf));
	if (nflag)
		printf("%s\n", buf);
	else
		printf("%s = %s\n", name, buf);
}

/* Print one leaf by mib; name is its dotted name. */
static int
show(const char *name, const int *mib, int miblen)
{
	char val[VALMAX + 1];
	size_t len = sizeof(int), vlen = VALMAX;
	int type;

	if (query(RUMP_SYSCTL_TYPE, mib, miblen, &type, &len) == -1) {
		warn("%s", name);
		return 1;
	}
	if (type == RUMP_CTLTYPE_NODE) {
		warnx("%s: a node, not a variable (try -a)", name);
		return 1;
	}
	if (rump_sys___sysctl(mib, (unsigned)miblen, val, &vlen, NULL, 0) ==
	    -1) {
		warn("%s", name);
		return 1;
	}
	val[vlen < VALMAX ? vlen : VALMAX] = '\0';
	printval(name, type, val, vlen);
	return 0;
}

static int
show_name(const char *name)
{
	int mib[RUMP_CTL_MAXNAME], n;

	if ((n = name2mib(name, mib)) == -1) {
		warn("%s", name);
		return 1;
	}
	return show(name, mib, n);
}

/* -a: every leaf, in the kernel's order. */
static int
show_all(void)
{
	int mib[RUMP_CTL_MAXNAME], n = 0, rv = 0;
	char name[NAMEMAX];
	size_t len;

	for (;;) {
		len = sizeof(mib);
		if (query(RUMP_SYSCTL_NEXT, mib, n, mib, &len) == -1) {
			if (errno == ENOENT)
				break;
			err(1, "walking the tree");
		}
		n = (int)(len / sizeof(int));
		len = sizeof(name);
		if (query(RUMP_SYSCTL_NAME, mib, n, name, &len) == -1)
			err(1, "naming a variable");
		rv |= show(name, mib, n);
	}
	return rv;
}

/* -w name=value */
static int
set(char *arg)
{
	int mib[RUMP_CTL_MAXNAME], n, type, iv;
	char *eq, *end, old[VALMAX + 1];
	size_t len = sizeof(int), olen = VALMAX;
	const void *nv;
	size_t nlen;
	int64_t qv;

	if ((eq = strchr(arg, '=')) == NULL) {
		warnx("%s: expected name=value", arg);
		return 1;
	}
	*eq++ = '\0';
	if ((n = name2mib(arg, mib)) == -1 ||
	    query(RUMP_SYSCTL_TYPE, mib, n, &type, &len) == -1) {
		warn("%s", arg);
		return 1;
	}
	switch (type) {
	case RUMP_CTLTYPE_STRING:
		nv = eq;
		nlen = strlen(eq);
		break;
	case RUMP_CTLTYPE_INT:
	case RUMP_CTLTYPE_QUAD:
		errno = 0;
		qv = strtoll(eq, &end, 0);
		if (*eq == '\0' || *end != '\0' || errno != 0) {
			warnx("%s: not a number: %s", arg, eq);
			return 1;
		}
		iv = (int)qv;
		nv = type == RUMP_CTLTYPE_INT ? (const void *)&iv : &qv;
		nlen = type == RUMP_CTLTYPE_INT ? sizeof(iv) : sizeof(qv);
		break;
	default:
		warnx("%s: cannot set a variable of this type", arg);
		return 1;
	}
	if (rump_sys___sysctl(mib, (unsigned)n, old, &olen, nv, nlen) == -1) {
		warn("%s", arg);
		return 1;
	}
	old[olen < VALMAX ? olen : VALMAX] = '\0';
	{
		char ob[VALMAX * 4 + 1], nb[VALMAX * 4 + 1];

		printf("%s: %s -> %s\n", arg,
		    fmtval(type, old, olen, ob, sizeof(ob)),
		    fmtval(type, nv, nlen, nb, sizeof(nb)));
	}
	return 0;
}

int
main(int argc, char **argv)
{
	int ch, aflag = 0, wflag = 0, verbose = 0, rv = 0, i;

	tool_setname(argv, "rump.sysctl");
	while ((ch = getopt_long(argc, argv, "ahnvw", longopts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			aflag = 1;
			break;
		case 'n':
			nflag = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'w':
			wflag = 1;
			break;
		case 'h':
			usage(stdout, 0);
		default:
			usage(stderr, 1);
		}
	}
	if ((aflag && (wflag || optind != argc)) ||
	    (!aflag && optind == argc))
		usage(stderr, 1);
	tool_connect(verbose);
	if (aflag)
		return show_all();
	for (i = optind; i < argc; i++)
		rv |= wflag ? set(argv[i]) : show_name(argv[i]);
	return rv;
}
