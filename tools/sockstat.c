/*
 * sockstat.c -- rump.sockstat: list the sockets of the rump kernel that
 * RUMP_SERVER names, with NetBSD sockstat(1)'s columns: user, command,
 * pid, fd, proto, local and foreign address.
 *
 * The kernel's socklist call gives one record per descriptor of a
 * socket (and one with pid 0 for a socket no descriptor holds, such as
 * one queued on a listener); the process listing gives the user and the
 * command (tool_getlist fetches both).  Command names and Unix socket
 * paths are client-chosen: they are printed through strvis(3).
 */
#include "config.h"

#define LIBBSD_OPENBSD_VIS

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vis.h>

#include <rump/rumpdefs.h>
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
socklist(void *buf, size_t size)
{

	return rump_sys_socklist(buf, size);
}

static ssize_t
proclist(void *buf, size_t size)
{

	return rump_sys_proclist(buf, size);
}

int
main(int argc, char **argv)
{
	struct rump_sockinfo *si;
	struct rump_procinfo *pi;
	char la[512], fa[512], comm[4 * sizeof(pi->rpi_comm) + 1];
	char user[16];
	size_t ns, np, i, k;
	int ch, verbose = 0;

	tool_setname(argv, "rump.sockstat");
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
	si = tool_getlist(socklist, sizeof(*si), &ns);
	pi = tool_getlist(proclist, sizeof(*pi), &np);
	printf("%-8s %-10s %5s %3s %-6s %-21s %s\n", "USER", "COMMAND", "PID",
	    "FD", "PROTO", "LOCAL ADDRESS", "FOREIGN ADDRESS");
	for (i = 0; i < ns; i++) {
		snprintf(user, sizeof(user), "?");
		snprintf(comm, sizeof(comm), "?");
		for (k = 0; k < np; k++) {
			if (pi[k].rpi_pid != si[i].rsi_pid)
				continue;
			snprintf(user, sizeof(user), "%u", pi[k].rpi_uid);
			pi[k].rpi_comm[sizeof(pi[k].rpi_comm) - 1] = '\0';
			strvis(comm, pi[k].rpi_comm, VIS_SAFE | VIS_OCTAL);
			break;
		}
		printf("%-8s %-10s %5d %3d %-6s %-21s %s\n", user, comm,
		    si[i].rsi_pid, si[i].rsi_fd, tool_sockproto(&si[i]),
		    tool_sockaddr(&si[i].rsi_laddr, si[i].rsi_laddrlen, la, sizeof(la)),
		    tool_sockaddr(&si[i].rsi_faddr, si[i].rsi_faddrlen, fa,
		    sizeof(fa)));
	}
	free(si);
	free(pi);
	return 0;
}
