/*
 * test_sock_integ.c -- sockets, pipes and poll between real client
 * processes of a real rump_server (tests/tsock): a reader and a
 * writer on a pipe (the reader a forked client), on an AF_UNIX socket
 * and on a loopback TCP socket; a poll in one client woken by another
 * client's send; a descriptor passed between clients (SCM_RIGHTS);
 * SIGPIPE raised in the client; the socket listing.
 *
 * A side that must be blocked before the other acts prints "ready
 * PID"; the test then waits (tsock blocked PID, a bounded poll of the
 * process list) until that process has a call inside the kernel, so
 * that the wake-up, not luck, delivers the data.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <check.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static struct server srv;
static char tsock[4096];

static void
start(void)
{

	signal(SIGPIPE, SIG_IGN);
	builddir_path("tests/tsock", tsock, sizeof(tsock));
	srv_start(&srv, "unix", NULL);
}

static void
run_ok(char *out, size_t len, ...)
{
	const char *a[6] = { NULL };
	va_list ap;
	int i, st;

	va_start(ap, len);
	for (i = 0; i < 5 && (a[i] = va_arg(ap, const char *)) != NULL; i++)
		;
	va_end(ap);
	st = run_prog(&srv, out, len, tsock, a[0], a[1], a[2], a[3], a[4],
	    NULL);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "tsock %s: status 0x%x, output %s", a[0], st, out);
}

/* a background side: its pid in the kernel and what follows "ready" */
static pid_t
background(int *fromp, int *rpid, char *word, size_t wlen, const char *cmd,
    const char *arg)
{
	char line[256], w[128];
	pid_t pid;

	pid = spawn_prog(&srv, NULL, fromp, tsock, cmd, arg, NULL);
	ck_assert_int_eq(read_line(*fromp, line, sizeof(line)), 0);
	ck_assert_msg(sscanf(line, "ready %d %127s", rpid, w) == 2,
	    "tsock %s said: %s", cmd, line);
	if (word != NULL)
		strlcpy(word, w, wlen);
	return pid;
}

static void
wait_blocked(int rpid)
{
	char out[64], pid[16];

	snprintf(pid, sizeof(pid), "%d", rpid);
	run_ok(out, sizeof(out), "blocked", pid, NULL);
}

static void
finish(pid_t pid, int from, const char *expect)
{
	char line[256];
	int st;

	ck_assert_int_eq(read_line(from, line, sizeof(line)), 0);
	ck_assert_str_eq(line, expect);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(from);
}

START_TEST(pipe_between_processes)
{
	char out[256];

	start();
	run_ok(out, sizeof(out), "pipe-fork", "through a pipe", NULL);
	ck_assert_str_eq(out, "child read through a pipe\n");
	srv_stop_clean(&srv);
}
END_TEST

START_TEST(unix_stream_between_clients)
{
	char out[64];
	int from, rpid;
	pid_t pid;

	start();
	pid = background(&from, &rpid, NULL, 0, "unix-serve", "/tmp/us");
	wait_blocked(rpid);
	run_ok(out, sizeof(out), "unix-send", "/tmp/us", "over AF_UNIX",
	    NULL);
	finish(pid, from, "over AF_UNIX");
	srv_stop_clean(&srv);
}
END_TEST

START_TEST(tcp_between_clients)
{
	char out[64], port[16];
	int from, rpid;
	pid_t pid;

	start();
	pid = background(&from, &rpid, port, sizeof(port), "tcp-serve",
	    NULL);
	wait_blocked(rpid);
	run_ok(out, sizeof(out), "tcp-send", port, "over loopback TCP",
	    NULL);
	finish(pid, from, "over loopback TCP");
	srv_stop_clean(&srv);
}
END_TEST

START_TEST(poll_woken_by_other_client)
{
	char out[64];
	int from, rpid;
	pid_t pid;

	start();
	pid = background(&from, &rpid, NULL, 0, "dgram-wait", "/tmp/dg");
	wait_blocked(rpid);
	run_ok(out, sizeof(out), "dgram-send", "/tmp/dg", "wake", NULL);
	finish(pid, from, "1 0x1 wake");
	srv_stop_clean(&srv);
}
END_TEST

START_TEST(rights_between_clients)
{
	char out[64];
	int from, rpid;
	pid_t pid;

	start();
	pid = background(&from, &rpid, NULL, 0, "rights-recv", "/tmp/rr");
	wait_blocked(rpid);
	run_ok(out, sizeof(out), "rights-send", "/tmp/rr", "via SCM_RIGHTS",
	    NULL);
	finish(pid, from, "R via SCM_RIGHTS");
	srv_stop_clean(&srv);
}
END_TEST

START_TEST(sigpipe_raised_in_client)
{
	char out[64];
	int st;

	start();
	run_ok(out, sizeof(out), "sigpipe", "ign", NULL);
	ck_assert_str_eq(out, "EPIPE\n");
	st = run_prog(&srv, out, sizeof(out), tsock, "sigpipe", "dfl", NULL);
	ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE,
	    "status 0x%x, output %s", st, out);
	srv_stop_clean(&srv);
}
END_TEST

START_TEST(every_call_remotely)
{
	char out[256];

	start();
	run_ok(out, sizeof(out), "calls", NULL);
	ck_assert_str_eq(out, "ok\n");
	srv_stop_clean(&srv);
}
END_TEST

/* is there a line "pid fd rest" in the listing? */
static int
listed(const char *out, int pid, const char *rest)
{
	char line[256];
	const char *p, *nl;
	int lp, fd, off;

	for (p = out; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		snprintf(line, sizeof(line), "%.*s", (int)(nl - p), p);
		if (sscanf(line, "%d %d %n", &lp, &fd, &off) == 2 &&
		    lp == pid && fd >= 0 && strcmp(line + off, rest) == 0)
			return 1;
	}
	return 0;
}

START_TEST(socket_listing)
{
	char out[4096], port[16], want[64];
	int from1, from2, rpid1, rpid2;
	pid_t p1, p2;

	start();
	p1 = background(&from1, &rpid1, NULL, 0, "unix-serve", "/tmp/ls");
	p2 = background(&from2, &rpid2, port, sizeof(port), "tcp-serve",
	    NULL);
	run_ok(out, sizeof(out), "socklist", NULL);
	ck_assert_msg(listed(out, rpid1, "1 1 LISTEN /tmp/ls"),
	    "no listener of %d in:\n%s", rpid1, out);
	snprintf(want, sizeof(want), "2 1 LISTEN %s", port);
	ck_assert_msg(listed(out, rpid2, want), "no listener of %d in:\n%s",
	    rpid2, out);
	run_ok(out, sizeof(out), "unix-send", "/tmp/ls", "a", NULL);
	run_ok(out, sizeof(out), "tcp-send", port, "b", NULL);
	finish(p1, from1, "a");
	finish(p2, from2, "b");
	srv_stop_clean(&srv);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("sock_integ");
	TCase *tc = tcase_create("sock_integ");
	SRunner *sr;
	int nf;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, pipe_between_processes);
	tcase_add_test(tc, unix_stream_between_clients);
	tcase_add_test(tc, tcp_between_clients);
	tcase_add_test(tc, poll_woken_by_other_client);
	tcase_add_test(tc, rights_between_clients);
	tcase_add_test(tc, sigpipe_raised_in_client);
	tcase_add_test(tc, socket_listing);
	tcase_add_test(tc, every_call_remotely);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
