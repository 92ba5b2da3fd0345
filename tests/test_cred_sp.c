/*
 * test_cred_sp.c -- credentials, the console descriptors, signals from
 * pipes and descriptor limits across the socket: a real rump_server
 * and real client processes (tests/tcred, tests/tclient).
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static struct server srv;
static char tcred[PATH_MAX];

static void
setup(void)
{

	builddir_path("tests/tcred", tcred, sizeof(tcred));
	srv_start(&srv, "unix", NULL);
}

static void
teardown(void)
{
	srv_stop_clean(&srv);
}

static void
tcred_ok(const char *cmd, const char *arg)
{
	char out[512];
	int st;

	st = run_prog(&srv, out, sizeof(out), tcred, cmd, arg, NULL);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "tcred %s: status 0x%x, output %s", cmd, st, out);
	ck_assert_msg(strcmp(out, "ok\n") == 0, "tcred %s: %s", cmd, out);
}

/*
 * A client that dropped to uid 1000 cannot signal or wait for root's
 * client, and its forked and exec'd child is uid 1000 too.
 */
START_TEST(dropped_user_cannot_kill_root)
{
	char line[64], pid[16];
	int in, out, rootpid, fd, st;
	pid_t hold;

	setup();
	hold = spawn_client(&srv, &in, &out, "hold", "/tmp/held", NULL);
	ck_assert_int_eq(read_line(out, line, sizeof(line)), 0);
	ck_assert_int_eq(sscanf(line, "%d %d", &rootpid, &fd), 2);
	snprintf(pid, sizeof(pid), "%d", rootpid);
	tcred_ok("drop", pid);
	close(in);
	ck_assert_int_eq(waitpid(hold, &st, 0), hold);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(out);
	teardown();
}
END_TEST

/* 0-2 are the console, whose writes reach the server's stderr */
START_TEST(guest_console_descriptors)
{
	char tmpl[] = "/tmp/rumpconsole.XXXXXX", buf[4096];
	int logfd, saved, i;
	ssize_t n = 0;

	logfd = mkstemp(tmpl);
	ck_assert_int_ge(logfd, 0);
	unlink(tmpl);
	saved = dup(2);
	ck_assert_int_eq(dup2(logfd, 2), 2);
	builddir_path("tests/tcred", tcred, sizeof(tcred));
	srv_start(&srv, "unix", NULL);	/* its stderr is the log */
	dup2(saved, 2);
	close(saved);
	tcred_ok("console", NULL);
	for (i = 0; i < 500; i++) {
		n = pread(logfd, buf, sizeof(buf) - 1, 0);
		ck_assert_int_ge(n, 0);
		buf[n] = '\0';
		if (strstr(buf, "tcred: hello from the console\n") != NULL)
			break;
		usleep(10000);
	}
	ck_assert_msg(i < 500, "server log: %s", buf);
	close(logfd);
	teardown();
}
END_TEST

START_TEST(sigpipe_through_raise)
{

	setup();
	tcred_ok("sigpipe", NULL);
	teardown();
}
END_TEST

START_TEST(sigio_through_raise)
{

	setup();
	tcred_ok("sigio", NULL);
	teardown();
}
END_TEST

START_TEST(sigio_permission)
{

	setup();
	tcred_ok("sigioperm", NULL);
	teardown();
}
END_TEST

START_TEST(pipe_buf_atomic_clients)
{

	setup();
	tcred_ok("atomic", "4");
	teardown();
}
END_TEST

START_TEST(emfile_inherited)
{

	setup();
	tcred_ok("emfile", NULL);
	teardown();
}
END_TEST

START_TEST(bad_pointers_efault)
{

	setup();
	tcred_ok("faults", NULL);
	teardown();
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("cred_sp");
	TCase *tc = tcase_create("cred_sp");
	SRunner *sr;
	int nf;

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, dropped_user_cannot_kill_root);
	tcase_add_test(tc, guest_console_descriptors);
	tcase_add_test(tc, sigpipe_through_raise);
	tcase_add_test(tc, sigio_through_raise);
	tcase_add_test(tc, sigio_permission);
	tcase_add_test(tc, pipe_buf_atomic_clients);
	tcase_add_test(tc, emfile_inherited);
	tcase_add_test(tc, bad_pointers_efault);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
