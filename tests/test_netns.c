/*
 * test_netns.c -- a network that fails under a call (issue 9).  The
 * server runs in one network namespace and its clients in another,
 * joined by a veth pair the test makes; two clients wait in a call
 * and the link is cut under them.  The server must notice the dead
 * peers by itself (TCP keepalive, rump_server --keepalive) and release
 * their processes while the link is still down; once the link is back,
 * each client follows its retry policy (rumpclient(3)): without
 * retries the waiting call fails with ENOTCONN and so does the next;
 * with a retry time the client reconnects as a new process, and the
 * waiting call is sent again there, as NetBSD's client does (its pipe
 * is not in the new process: EBADF).
 *
 * It needs root, ip(8) and network namespaces; without them its case
 * is a SKIP with the reason.  There is no tc netem on every kernel, so
 * the cut is "ip link set down", which drops everything as netem's
 * 100% loss would.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define IP		"/usr/sbin/ip"
#define KEEPALIVE	"2"	/* seconds, both ends: dead within ~6 s */
#define PORT		"5555"
#define SRVADDR		"10.77.0.1"

static char nsa[32], nsb[32], va[16], vb[16];
static char tstorm[PATH_MAX];

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* run a shell command quietly; 0 when it succeeded */
static int
sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	strncat(cmd, " >/dev/null 2>&1", sizeof(cmd) - strlen(cmd) - 1);
	st = system(cmd);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static void
net_down(void)
{

	(void)sh(IP " netns del %s", nsa);
	(void)sh(IP " netns del %s", nsb);
}

/* two namespaces and a veth pair between them; 0 or -1 */
static int
net_up(void)
{
	int pid = (int)getpid();

	snprintf(nsa, sizeof(nsa), "rumpsrv%d", pid);
	snprintf(nsb, sizeof(nsb), "rumpcli%d", pid);
	snprintf(va, sizeof(va), "rva%d", pid % 1000000);
	snprintf(vb, sizeof(vb), "rvb%d", pid % 1000000);
	if (sh(IP " netns add %s", nsa) != 0)
		return -1;
	if (sh(IP " netns add %s", nsb) != 0 ||
	    sh(IP " link add %s netns %s type veth peer name %s netns %s",
	    va, nsa, vb, nsb) != 0 ||
	    sh(IP " -n %s addr add " SRVADDR "/24 dev %s", nsa, va) != 0 ||
	    sh(IP " -n %s addr add 10.77.0.2/24 dev %s", nsb, vb) != 0 ||
	    sh(IP " -n %s link set lo up", nsa) != 0 ||
	    sh(IP " -n %s link set lo up", nsb) != 0 ||
	    sh(IP " -n %s link set %s up", nsa, va) != 0 ||
	    sh(IP " -n %s link set %s up", nsb, vb) != 0) {
		net_down();
		return -1;
	}
	return 0;
}

/* "tstorm procs" in the server's namespace: processes but 0, 1, it */
static int
procs(const struct server *srv)
{
	char out[64];
	int st;

	st = run_prog(srv, out, sizeof(out), IP, "netns", "exec", nsa,
	    tstorm, "procs", (char *)NULL);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? atoi(out) : -1;
}

static void
start_server(struct server *srv)
{
	char bin[PATH_MAX];
	uint64_t end;

	memset(srv, 0, sizeof(*srv));
	snprintf(srv->url, sizeof(srv->url), "tcp://" SRVADDR ":" PORT);
	builddir_path("rump_server", bin, sizeof(bin));
	srv->pid = fork();
	ck_assert_int_ge(srv->pid, 0);
	if (srv->pid == 0) {
		execl(IP, IP, "netns", "exec", nsa, bin, "-s", "--keepalive",
		    KEEPALIVE, srv->url, (char *)NULL);
		_exit(127);
	}
	for (end = now_ms() + 10000; now_ms() < end; usleep(20000))
		if (procs(srv) == 0)
			return;
	ck_abort_msg("rump_server in %s did not start", nsa);
}

/* a line from a client, with a bound */
static void
line(int fd, char *buf, size_t len, int ms, const char *what)
{
	uint64_t end = now_ms() + (uint64_t)ms;

	while (read_line(fd, buf, len) != 0)
		ck_assert_msg(now_ms() < end, "no %s from the client", what);
}

START_TEST(link_cut_under_a_call)
{
	struct server srv;
	char l0[64], l1[64];
	int out[2], in, pid0[2], r, e, i;
	pid_t cl[2];
	uint64_t end, t0;

	start_server(&srv);
	setenv("RUMP_KEEPALIVE", KEEPALIVE, 1);
	/* client 0: no retries; client 1: reconnects for up to 60 s */
	for (i = 0; i < 2; i++) {
		cl[i] = spawn_prog(&srv, &in, &out[i], IP, "netns", "exec",
		    nsb, tstorm, "netcall", i == 0 ? "0" : "60", (char *)NULL);
		close(in);
		line(out[i], l0, sizeof(l0), 10000, "up");
		ck_assert_int_eq(sscanf(l0, "up %d", &pid0[i]), 1);
	}
	ck_assert_int_eq(procs(&srv), 2);

	/* cut: both clients are in a read that cannot return */
	ck_assert_int_eq(sh(IP " -n %s link set %s down", nsb, vb), 0);
	t0 = now_ms();
	for (end = t0 + 30000; procs(&srv) != 0; usleep(100000))
		ck_assert_msg(now_ms() < end, "the server kept the processes "
		    "of dead peers for 30 s");
	fprintf(stderr, "# the server released dead peers after %llu ms\n",
	    (unsigned long long)(now_ms() - t0));

	/* restore: the waiting calls fail, then each policy decides */
	ck_assert_int_eq(sh(IP " -n %s link set %s up", nsb, vb), 0);
	for (i = 0; i < 2; i++) {
		line(out[i], l0, sizeof(l0), 30000, "end of the read");
		ck_assert_int_eq(sscanf(l0, "read %d %d", &r, &e), 2);
		ck_assert_msg(r == -1 && e == (i == 0 ? ENOTCONN : EBADF),
		    "client %d: %s", i, l0);
		line(out[i], l1, sizeof(l1), 30000, "getpid");
		ck_assert_int_eq(sscanf(l1, "getpid %d %d", &r, &e), 2);
		if (i == 0)
			ck_assert_msg(r == -1 && e == ENOTCONN,
			    "no retries, yet: %s", l1);
		else
			ck_assert_msg(r > 1 && r != pid0[i],
			    "retry: not a new process: %s (was %d)", l1,
			    pid0[i]);
		ck_assert_int_eq(waitpid(cl[i], NULL, 0), cl[i]);
		close(out[i]);
	}
	ck_assert_int_eq(srv_stop(&srv), 0);
}
END_TEST

static void
setup(void)
{

	ck_assert_msg(net_up() == 0, "cannot make the namespaces");
}

int
main(void)
{
	Suite *s = suite_create("netns");
	TCase *tc = tcase_create("netns");
	SRunner *sr;
	int nf;

	builddir_path("tests/tstorm", tstorm, sizeof(tstorm));
	/* the conditions, tried once: the test needs all of them */
	if (geteuid() != 0 || access(IP, X_OK) != 0 || net_up() != 0) {
		printf("1..1\nok 1 - link_cut_under_a_call # SKIP needs root, "
		    "ip(8) and network namespaces\n");
		return 0;
	}
	net_down();
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, net_down);
	tcase_add_test(tc, link_cut_under_a_call);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
