/*
 * test_client_paths.c -- paths of the client library that need a real
 * server and real processes to reach: rumpclient_daemon() (the program
 * goes on as a daemon in a new session, in /, with its stdio on
 * /dev/null, in a rump process of its own), and reconnect waits (threads
 * that find the connection broken while another thread reconnects
 * wait for it and then share the new connection); and the server's
 * refusals as a client sees them: TRYAGAIN when too many calls sleep
 * in the kernel (--maxblocked) or too many fork images wait
 * (--maxprefork), EPERM for a client with a key at a server without
 * one, EACCES for a key file others may read.
 *
 * No sleep synchronises anything: the tests wait for a file in the
 * kernel, a line on a pipe, or every thread of a client being asleep
 * (/proc), each with a bound.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static struct server srv;

START_TEST(daemon_mode)
{
	char tcover[4096], cat[4096], out[256];
	int i, st, before, after;

	srv_start(&srv, "unix", NULL);
	builddir_path("tests/tcover", tcover, sizeof(tcover));
	builddir_path("rump.cat", cat, sizeof(cat));
	/* the program's first process returns at once, status 0 */
	st = run_prog(&srv, out, sizeof(out), tcover, "daemon", "/tmp/d",
	    NULL);
	ck_assert_int_eq(st, 0);
	ck_assert_str_eq(out, "");
	/* the daemon says what it is in the kernel */
	for (i = 0; i < 1000; i++) {
		if (run_prog(&srv, out, sizeof(out), cat, "/tmp/d", NULL) == 0 &&
		    strchr(out, '\n') != NULL)
			break;
		usleep(10000);
	}
	ck_assert_int_lt(i, 1000);
	ck_assert_int_eq(sscanf(out, "daemon %d %d", &before, &after), 2);
	/* a rump process of its own, a fork of the first one's */
	ck_assert_int_gt(before, 1);
	ck_assert_int_gt(after, 1);
	ck_assert_int_ne(after, before);
	ck_assert_int_eq(srv_stop(&srv), 0);
}
END_TEST

/* 1 when every thread of pid sleeps (S), so none is on its way */
static int
all_asleep(pid_t pid, int want)
{
	char path[384], buf[512], *p;
	struct dirent *d;
	int n = 0, asleep = 1, fd;
	ssize_t len;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	if ((dir = opendir(path)) == NULL)
		return 0;
	while ((d = readdir(dir)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/stat", (int)pid,
		    d->d_name);
		if ((fd = open(path, O_RDONLY)) == -1)
			continue;
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = '\0';
		n++;
		if ((p = strrchr(buf, ')')) == NULL || p[2] != 'S')
			asleep = 0;
	}
	closedir(dir);
	return asleep && n >= want;
}

/*
 * The server dies under an idle client that reconnects forever; four
 * threads then call at once: one reconnects (its tries fail until the
 * new server is up), the others wait for it.  All four are answered
 * by the same new process.
 */
START_TEST(reconnect_waits)
{
	char tcover[4096], line[256];
	long pid[4], old;
	int in, from, st, i;
	pid_t c;

	srv_start(&srv, "unix", NULL);
	builddir_path("tests/tcover", tcover, sizeof(tcover));
	c = spawn_prog(&srv, &in, &from, tcover, "rethreads", "4", NULL);
	ck_assert_int_eq(read_line(from, line, sizeof(line)), 0);
	old = atol(line);
	ck_assert_int_gt(old, 1);
	kill(srv.pid, SIGKILL);
	ck_assert_int_eq(waitpid(srv.pid, NULL, 0), srv.pid);
	ck_assert_int_eq(write(in, "go\n", 3), 3);
	ck_assert_int_eq(read_line(from, line, sizeof(line)), 0);
	ck_assert_str_eq(line, "started");
	/* main, the listener and the four callers, all asleep */
	for (i = 0; i < 3000 && !all_asleep(c, 5); i++)
		usleep(10000);
	ck_assert_int_lt(i, 3000);
	srv_launch(&srv);	/* the same URL; a stale socket file */
	ck_assert_int_eq(read_line(from, line, sizeof(line)), 0);
	ck_assert_int_eq(sscanf(line, "%ld %ld %ld %ld", &pid[0], &pid[1],
	    &pid[2], &pid[3]), 4);
	for (i = 0; i < 4; i++) {
		ck_assert_int_gt(pid[i], 1);
		ck_assert_int_eq(pid[i], pid[0]);
	}
	close(in);
	ck_assert_int_eq(waitpid(c, &st, 0), c);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(from);
	ck_assert_int_eq(srv_stop(&srv), 0);
}
END_TEST

/* run tcover call with RUMP_KEYFILE (or without); its two lines */
static void
call(const char *keyfile, char *out, size_t len)
{
	char tcover[4096];

	builddir_path("tests/tcover", tcover, sizeof(tcover));
	if (keyfile != NULL)
		setenv("RUMP_KEYFILE", keyfile, 1);
	ck_assert_int_eq(run_prog(&srv, out, len, tcover, "call", NULL), 0);
	unsetenv("RUMP_KEYFILE");
}

START_TEST(tryagain_blocked)
{
	static const char *const extra[] = { "--maxblocked", "1", NULL };
	char tcover[4096], line[64], out[256];
	int in, from, st, i;
	pid_t c;

	srv_start(&srv, "unix", extra);
	builddir_path("tests/tcover", tcover, sizeof(tcover));
	c = spawn_prog(&srv, &in, &from, tcover, "block", NULL);
	ck_assert_int_eq(read_line(from, line, sizeof(line)), 0);
	ck_assert_str_eq(line, "ready");
	/* once its read sleeps, every new call is EAGAIN */
	for (i = 0; i < 1000; i++) {
		call(NULL, out, sizeof(out));
		if (strcmp(out, "0 0\n-1 11\n") == 0)
			break;
		usleep(10000);
	}
	ck_assert_msg(i < 1000, "%s", out);
	kill(c, SIGKILL);
	ck_assert_int_eq(waitpid(c, &st, 0), c);
	close(in);
	close(from);
	/* and served again once it is gone */
	for (i = 0; i < 1000; i++) {
		call(NULL, out, sizeof(out));
		if (strncmp(out, "0 0\n", 4) == 0 && atoi(out + 4) > 1)
			break;
		usleep(10000);
	}
	ck_assert_msg(i < 1000, "%s", out);
	ck_assert_int_eq(srv_stop(&srv), 0);
}
END_TEST

START_TEST(tryagain_prefork)
{
	static const char *const extra[] = { "--maxprefork", "2", NULL };
	char tcover[4096], out[256];
	int st;

	srv_start(&srv, "unix", extra);
	builddir_path("tests/tcover", tcover, sizeof(tcover));
	st = run_prog(&srv, out, sizeof(out), tcover, "hold", "3", NULL);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1);
	ck_assert_str_eq(out, "");
	call(NULL, out, sizeof(out));
	ck_assert_int_eq(strncmp(out, "0 0\n", 4), 0);
	ck_assert_int_eq(srv_stop(&srv), 0);
}
END_TEST

START_TEST(key_refusals)
{
	char dir[] = "/tmp/rumpkey.XXXXXX", key[64], out[256];
	int fd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(key, sizeof(key), "%s/key", dir);
	fd = open(key, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "0123456789abcdef0123456789abcdef", 32),
	    32);
	close(fd);
	srv_start(&srv, "unix", NULL);
	/* a key, and a server that asks for none: no proof, EPERM */
	call(key, out, sizeof(out));
	ck_assert_str_eq(out, "-1 1\n");
	/* a key others may read is refused before connecting */
	ck_assert_int_eq(chmod(key, 0644), 0);
	call(key, out, sizeof(out));
	ck_assert_str_eq(out, "-1 13\n");
	/* without one, served */
	call(NULL, out, sizeof(out));
	ck_assert_int_eq(strncmp(out, "0 0\n", 4), 0);
	ck_assert_int_eq(srv_stop(&srv), 0);
	unlink(key);
	rmdir(dir);
}
END_TEST

/*
 * rumpclient_fork() when the host has no descriptor for its pipe: it
 * fails with EMFILE.  Its fork image cannot be given back then either
 * (the cancel needs a connection of its own), so it waits, like any
 * unclaimed image, for its client to go: once the client has exited
 * the kernel holds no fork image.
 */
START_TEST(fork_without_descriptors)
{
	char tcover[4096], ps[4096], out[4096];
	int e, before, after, i;

	srv_start(&srv, "unix", NULL);
	builddir_path("tests/tcover", tcover, sizeof(tcover));
	builddir_path("rump.ps", ps, sizeof(ps));
	ck_assert_int_eq(run_prog(&srv, out, sizeof(out), tcover, "forkfail",
	    NULL), 0);
	ck_assert_int_eq(sscanf(out, "%d %d %d", &e, &before, &after), 3);
	ck_assert_int_eq(e, EMFILE);
	ck_assert_int_le(after, before + 1);
	for (i = 0; i < 1000; i++) {
		ck_assert_int_eq(run_prog(&srv, out, sizeof(out), ps, NULL), 0);
		if (strstr(out, " F ") == NULL)
			break;
		usleep(10000);
	}
	ck_assert_msg(i < 1000, "%s", out);
	ck_assert_int_eq(srv_stop(&srv), 0);
}
END_TEST

/* exec after exec: the environment given carries the old connection */
START_TEST(exec_chain)
{
	char tcover[4096], out[256];
	int first, last;

	srv_start(&srv, "unix", NULL);
	builddir_path("tests/tcover", tcover, sizeof(tcover));
	ck_assert_int_eq(run_prog(&srv, out, sizeof(out), tcover, "execchain",
	    "3", NULL), 0);
	ck_assert_int_eq(sscanf(out, "%d\n%d", &first, &last), 2);
	ck_assert_int_gt(first, 1);
	ck_assert_int_eq(last, first);
	ck_assert_int_eq(srv_stop(&srv), 0);
}
END_TEST

/*
 * A reply larger than the socket can hold arrives in pieces: the
 * client waits mid-frame and puts each piece in place.
 */
START_TEST(reply_in_pieces)
{
	char tcover[4096], out[64];

	srv_start(&srv, "unix", NULL);
	builddir_path("tests/tcover", tcover, sizeof(tcover));
	ck_assert_int_eq(run_prog(&srv, out, sizeof(out), tcover, "bigread",
	    NULL), 0);
	ck_assert_str_eq(out, "ok\n");
	ck_assert_int_eq(srv_stop(&srv), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("client_paths");
	TCase *tc = tcase_create("client");
	SRunner *sr;
	int nf;

	signal(SIGPIPE, SIG_IGN);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, daemon_mode);
	tcase_add_test(tc, reconnect_waits);
	tcase_add_test(tc, tryagain_blocked);
	tcase_add_test(tc, tryagain_prefork);
	tcase_add_test(tc, key_refusals);
	tcase_add_test(tc, fork_without_descriptors);
	tcase_add_test(tc, exec_chain);
	tcase_add_test(tc, reply_in_pieces);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
