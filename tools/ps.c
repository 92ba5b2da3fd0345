/*
 * ps.c -- rump.ps: list the processes of the rump kernel that
 * RUMP_SERVER names, through its proclist call.
 *
 * The call returns how many bytes the whole list takes; a list that
 * grew between two calls is asked for again (tool_getlist).
 * Command names are the clients' choice: they are printed through
 * strvis(3), so that none reaches the terminal as an escape sequence.
 */
#include "config.h"

#define LIBBSD_OPENBSD_VIS

#include <sys/wait.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <vis.h>

#include <rump/rump_syscalls.h>

#include "tool.h"

static const struct option longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static void __attribute__((__noreturn__))
usage(FILE *fp, int status)
{

	fprintf(fp, "usage: %s [-hv]\n", getprogname());
	exit(status);
}

static ssize_t
proclist(void *buf, size_t size)
{

	return rump_sys_proclist(buf, size);
}

static const char *
statname(const struct rump_procinfo *p, char *buf, size_t len)
{

	switch (p->rpi_stat) {
	case RUMP_PSTAT_ACTIVE:
		return p->rpi_remote ? "R" : "L";
	case RUMP_PSTAT_PREFORK:
		return "F";
	case RUMP_PSTAT_ZOMBIE:
		if (WIFSIGNALED(p->rpi_xstat))
			snprintf(buf, len, "Z sig %d", WTERMSIG(p->rpi_xstat));
		else
			snprintf(buf, len, "Z exit %d",
			    WEXITSTATUS(p->rpi_xstat));
		return buf;
	default:
		return "?";
	}
}

int
main(int argc, char **argv)
{
	struct rump_procinfo *pi;
	char buf[32], comm[4 * sizeof(pi->rpi_comm) + 1];
	size_t n, i;
	int ch, verbose = 0;

	tool_setname(argv, "rump.ps");
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
	if (optind != argc)
		usage(stderr, 1);
	tool_connect(verbose);
	pi = tool_getlist(proclist, sizeof(*pi), &n);
	printf("%5s %5s %5s %5s %4s %-10s %s\n", "PID", "PPID", "PGID", "SID",
	    "NLWP", "STAT", "COMMAND");
	for (i = 0; i < n; i++) {
		pi[i].rpi_comm[sizeof(pi[i].rpi_comm) - 1] = '\0';
		strvis(comm, pi[i].rpi_comm, VIS_SAFE | VIS_OCTAL);
		printf("%5d %5d %5d %5d %4d %-10s %s\n", pi[i].rpi_pid,
		    pi[i].rpi_ppid, pi[i].rpi_pgid, pi[i].rpi_sid,
		    pi[i].rpi_nlwps, statname(&pi[i], buf, sizeof(buf)),
		    comm);
	}
	free(pi);
	return 0;
}
