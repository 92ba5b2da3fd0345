/*
 * halt.c -- rump.halt: stop the rump kernel that RUMP_SERVER names.
 *
 * The kernel answers the reboot call before the server goes away, so
 * a successful return is the whole story and the exit status is 0.
 * -h is "halt" here, as on NetBSD, so help is only --help.
 */
#include "config.h"

#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

#include "tool.h"

static const struct option longopts[] = {
	{ "help", no_argument, NULL, 'H' },
	{ NULL, 0, NULL, 0 }
};

static void __attribute__((__noreturn__))
usage(FILE *fp, int status)
{

	fprintf(fp, "usage: %s [-dhnv]\n"
	    "  -d  ask for a dump    -h  halt (as NetBSD's rump.halt: not help)\n"
	    "  -n  do not sync       -v  print the client's rump pid\n"
	    "  --help  this message  --version\n", getprogname());
	exit(status);
}

int
main(int argc, char **argv)
{
	int ch, howto, verbose;

	tool_setname(argv, "rump.halt");
	howto = 0;
	verbose = 0;
	while ((ch = getopt_long(argc, argv, "dhnv", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			howto |= RUMP_RB_DUMP;
			break;
		case 'h':
			howto |= RUMP_RB_HALT;
			break;
		case 'n':
			howto |= RUMP_RB_NOSYNC;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'H':
			usage(stdout, 0);
		default:
			usage(stderr, 1);
		}
	}
	if (optind != argc)
		usage(stderr, 1);
	if (howto == 0)
		howto = RUMP_RB_AUTOBOOT;

	tool_connect(verbose);
	if (rump_sys_reboot(howto, NULL) == -1)
		err(1, "reboot");
	return 0;
}
