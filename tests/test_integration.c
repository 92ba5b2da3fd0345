/*
 * test_integration.c -- a real rump_server and real client programs,
 * each a separate host process: sharing files through the kernel, one
 * kernel process per client, threads sharing a connection, disconnect,
 * the three transports, bad input, and starting and stopping the
 * server.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static struct server srv;

START_TEST(two_clients_share_a_file)
{
	char out[256], out2[256];
	int pid1, pid2, ppid;

	srv_start(&srv, "unix", NULL);
	ck_assert_int_eq(run_client(&srv, out, sizeof(out), "write",
	    "/tmp/shared", "hello from one", NULL), 0);
	pid1 = atoi(out);
	ck_assert_int_gt(pid1, 1);
	ck_assert_int_eq(run_client(&srv, out, sizeof(out), "read",
	    "/tmp/shared", NULL), 0);
	ck_assert_str_eq(out, "hello from one");
	ck_assert_int_eq(run_client(&srv, out2, sizeof(out2), "pid", NULL),
	    0);
	ck_assert_int_eq(sscanf(out2, "%d %d", &pid2, &ppid), 2);
	ck_assert_int_gt(pid2, 1);
	ck_assert_int_ne(pid1, pid2);
	ck_assert_int_eq(ppid, 1);
	srv_stop_clean(&srv);
}
END_TEST

START_TEST(own_pid_and_descriptors)
{
	char l1[64], l2[64];
	int in1, out1, in2, out2, pid1, fd1, pid2, fd2, st;
	pid_t c1, c2;

	srv_start(&srv, "unix", NULL);
	c1 = spawn_client(&srv, &in1, &out1, "hold", "/tmp/one", NULL);
	ck_assert_int_eq(read_line(out1, l1, sizeof(l1)), 0);
	c2 = spawn_client(&srv, &in2, &out2, "hold", "/tmp/two", NULL);
	ck_assert_int_eq(read_line(out2, l2, sizeof(l2)), 0);
	ck_assert_int_eq(sscanf(l1, "%d %d", &pid1, &fd1), 2);
	ck_assert_int_eq(sscanf(l2, "%d %d", &pid2, &fd2), 2);
	ck_assert_int_ne(pid1, pid2);
	/* separate tables: each got the lowest after 0-2 (the console) */
	ck_assert_int_eq(fd1, 3);
	ck_assert_int_eq(fd2, 3);
	close(in1);
	close(in2);
	waitpid(c1, &st, 0);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	waitpid(c2, &st, 0);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(out1);
	close(out2);
	srv_stop_clean(&srv);
}
END_TEST

START_TEST(eight_threads_one_connection)
{
	char out[64];

	srv_start(&srv, "unix", NULL);
	ck_assert_int_eq(run_client(&srv, out, sizeof(out), "threads", "8",
	    "300", NULL), 0);
	ck_assert_str_eq(out, "0\n");
	srv_stop_clean(&srv);
}
END_TEST

/* is pid in the kernel's process list? */
static int
pid_listed(int pid)
{
	char out[8192], *line, *save = NULL;

	ck_assert_int_eq(run_client(&srv, out, sizeof(out), "ps", NULL), 0);
	for (line = strtok_r(out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (atoi(line) == pid)
			return 1;
	}
	return 0;
}

START_TEST(disconnect_ends_process)
{
	char l[64];
	int in, out, pid, fd, i, st;
	pid_t c;

	srv_start(&srv, "unix", NULL);
	c = spawn_client(&srv, &in, &out, "hold", "/tmp/held", NULL);
	ck_assert_int_eq(read_line(out, l, sizeof(l)), 0);
	ck_assert_int_eq(sscanf(l, "%d %d", &pid, &fd), 2);
	ck_assert(pid_listed(pid));
	ck_assert(pid_listed(1));
	/* kill the client outright: no goodbye on the wire */
	kill(c, SIGKILL);
	waitpid(c, &st, 0);
	for (i = 0; i < 200 && pid_listed(pid); i++)
		usleep(20000);
	ck_assert_msg(!pid_listed(pid), "pid %d still in the kernel", pid);
	close(in);
	close(out);
	srv_stop_clean(&srv);
}
END_TEST

static void
transport(const char *kind)
{
	char out[256];

	srv_start(&srv, kind, NULL);
	ck_assert_int_eq(run_client(&srv, out, sizeof(out), "write",
	    "/tmp/t", kind, NULL), 0);
	ck_assert_int_gt(atoi(out), 1);
	ck_assert_int_eq(run_client(&srv, out, sizeof(out), "read", "/tmp/t",
	    NULL), 0);
	ck_assert_str_eq(out, kind);
	ck_assert_int_eq(run_client(&srv, out, sizeof(out), "threads", "8",
	    "50", NULL), 0);
	ck_assert_str_eq(out, "0\n");
	srv_stop_clean(&srv);
}

START_TEST(transport_unix)
{

	transport("unix");
}
END_TEST

START_TEST(transport_tcp4)
{

	transport("tcp4");
}
END_TEST

START_TEST(transport_tcp6)
{

	transport("tcp6");
}
END_TEST

/* the server still serves a real client and a raw one */
static void
still_serving(void)
{
	char out[64];
	int s;

	ck_assert_int_eq(run_client(&srv, out, sizeof(out), "pid", NULL), 0);
	ck_assert_int_gt(atoi(out), 1);
	s = raw_connect(&srv);
	ck_assert_int_ge(s, 0);
	ck_assert_int_eq(raw_handshake(s, "raw"), 0);
	ck_assert_int_gt(raw_getpid(s, 2), 1);
	close(s);
}

/* expect an ERROR frame with code err and a reason, then EOF */
static void
expect_error_close(int s, uint32_t err)
{
	struct rsp_hdr h;
	char reason[256];

	memset(reason, 0, sizeof(reason));
	ck_assert_int_eq(raw_recv(s, &h, reason, sizeof(reason) - 1), 0);
	ck_assert_int_eq(h.rsp_class, RUMPSP_ERROR);
	ck_assert_int_eq(h.rsp_arg, err);
	ck_assert_msg(strlen(reason) > 0, "ERROR frame without a reason");
	ck_assert_int_eq(raw_recv(s, &h, NULL, 0), -1);
	close(s);
}

START_TEST(bad_frames)
{
	struct rsp_sysreq rs = { 0, 0 };
	int s, busy;

	srv_start(&srv, "unix", NULL);
	/* a long-running client stays connected through all of it */
	s = raw_connect(&srv);
	ck_assert_int_eq(raw_handshake(s, "bystander"), 0);
	busy = s;

	/* length below the header size */
	s = raw_connect(&srv);
	raw_send(s, 10, 5, RUMPSP_REQ, RUMPSP_HANDSHAKE, HANDSHAKE_GUEST,
	    NULL, 0);
	expect_error_close(s, RUMPSP_ERR_MALFORMED_REQUEST);
	still_serving();

	/* length above the limit: refused before any allocation */
	s = raw_connect(&srv);
	raw_send(s, (uint64_t)1 << 40, 6, RUMPSP_REQ, RUMPSP_HANDSHAKE,
	    HANDSHAKE_GUEST, NULL, 0);
	expect_error_close(s, RUMPSP_ERR_TOOBIG);
	still_serving();

	/* a system call before the handshake */
	s = raw_connect(&srv);
	raw_send(s, sizeof(struct rsp_hdr) + sizeof(rs), 7, RUMPSP_REQ,
	    RUMPSP_SYSCALL, 1, &rs, sizeof(rs));
	expect_error_close(s, RUMPSP_ERR_AUTH);
	still_serving();

	/* an unknown request type after the handshake */
	s = raw_connect(&srv);
	ck_assert_int_eq(raw_handshake(s, "bad"), 0);
	raw_send(s, sizeof(struct rsp_hdr), 8, RUMPSP_REQ, 77, 0, NULL, 0);
	expect_error_close(s, RUMPSP_ERR_MALFORMED_REQUEST);
	still_serving();

	/* a syscall body that lies about its regions */
	s = raw_connect(&srv);
	ck_assert_int_eq(raw_handshake(s, "bad"), 0);
	rs.rs_nregions = 3;
	raw_send(s, sizeof(struct rsp_hdr) + sizeof(rs), 9, RUMPSP_REQ,
	    RUMPSP_SYSCALL, 1, &rs, sizeof(rs));
	expect_error_close(s, RUMPSP_ERR_MALFORMED_REQUEST);
	still_serving();

	/* a forged fork cookie */
	{
		struct rsp_handshake_fork hf;

		memset(&hf, 0xa5, sizeof(hf));
		hf.rf_cancel = 0;
		s = raw_connect(&srv);
		raw_send(s, sizeof(struct rsp_hdr) + sizeof(hf), 10,
		    RUMPSP_REQ, RUMPSP_HANDSHAKE, HANDSHAKE_FORK, &hf,
		    sizeof(hf));
		expect_error_close(s, RUMPSP_ERR_INVALID_PREFORK);
		still_serving();
	}

	/* a client that dies in the middle of a frame */
	s = raw_connect(&srv);
	ck_assert_int_eq(raw_handshake(s, "half"), 0);
	ck_assert_int_eq(write(s, "\x40\0\0\0\0\0", 6), 6);
	close(s);
	still_serving();

	ck_assert_int_gt(raw_getpid(busy, 3), 1);
	close(busy);
	srv_stop_clean(&srv);
}
END_TEST

START_TEST(closed_stdio_client)
{
	char out[64];

	srv_start(&srv, "unix", NULL);
	ck_assert_int_eq(run_client(&srv, out, sizeof(out), "closedstdio",
	    NULL), 0);
	ck_assert_int_eq(run_client(&srv, out, sizeof(out), "read",
	    "/tmp/closedstdio", NULL), 0);
	ck_assert_str_eq(out, "ok");
	srv_stop_clean(&srv);
}
END_TEST

START_TEST(halt_stops_server)
{
	char bin[4096], out[256];
	int status, i;

	srv_start(&srv, "unix", NULL);
	builddir_path("rump.halt", bin, sizeof(bin));
	ck_assert_int_eq(run_prog(&srv, out, sizeof(out), bin, NULL), 0);
	for (i = 0; i < 500; i++) {
		if (waitpid(srv.pid, &status, WNOHANG) == srv.pid)
			break;
		usleep(10000);
	}
	ck_assert_int_lt(i, 500);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_msg(access(srv.path, F_OK) == -1, "socket left behind");
	rmdir(srv.dir);
	srv.pid = 0;
}
END_TEST

/*
 * Run rump_server (detaching) with up to two options before the URL
 * (NULL: none) and capture its exit status and stderr.
 */
static int
server_detached_opts(const char *o1, const char *o2, const char *url,
    char *err, size_t errlen)
{
	char bin[4096];
	int p[2], status;
	ssize_t n;
	pid_t pid;

	builddir_path("rump_server", bin, sizeof(bin));
	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 2);
		close(p[0]);
		close(p[1]);
		if (o1 == NULL)
			execl(bin, bin, url, (char *)NULL);
		else if (o2 == NULL)
			execl(bin, bin, o1, url, (char *)NULL);
		else
			execl(bin, bin, o1, o2, url, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	n = read(p[0], err, errlen - 1);
	err[n > 0 ? n : 0] = '\0';
	close(p[0]);
	waitpid(pid, &status, 0);
	return status;
}

static int
server_detached(const char *url, char *err, size_t errlen)
{

	return server_detached_opts(NULL, NULL, url, err, errlen);
}

/* the socket file is gone: a bounded poll */
static bool
gone(const char *path)
{
	int i;

	for (i = 0; i < 500 && access(path, F_OK) == 0; i++)
		usleep(10000);
	return access(path, F_OK) == -1;
}

START_TEST(start_failures)
{
	char dir[] = "/tmp/rumptest.XXXXXX", url[300], err[512], bin[4096];
	char out[64];
	struct server tmp;
	int status;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(url, sizeof(url), "unix://%s/sock", dir);
	/* detached start reports success only once it listens */
	status = server_detached(url, err, sizeof(err));
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	memset(&tmp, 0, sizeof(tmp));
	strcpy(tmp.url, url);
	ck_assert_int_eq(run_client(&tmp, out, sizeof(out), "pid", NULL), 0);
	/* the address is in use: one line and exit 1 */
	status = server_detached(url, err, sizeof(err));
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1);
	ck_assert_msg(strstr(err, "in use") != NULL, "stderr: %s", err);
	ck_assert_int_eq(strchr(err, '\n') - err + 1, (long)strlen(err));
	/* a malformed URL */
	status = server_detached("tcp://nonsense", err, sizeof(err));
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1);
	ck_assert_msg(strstr(err, "Invalid argument") != NULL, "%s", err);
	/* a path too long for a Unix socket is refused, never truncated */
	{
		char longurl[400];

		snprintf(longurl, sizeof(longurl), "unix://%s/%0200d", dir, 0);
		status = server_detached(longurl, err, sizeof(err));
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1);
		ck_assert_msg(strstr(err, "too long") != NULL, "%s", err);
	}
	/* stop the detached one */
	builddir_path("rump.halt", bin, sizeof(bin));
	ck_assert_int_eq(run_prog(&tmp, out, sizeof(out), bin, NULL), 0);
	snprintf(err, sizeof(err), "%s/sock", dir);
	ck_assert_msg(gone(err), "socket left behind");
	rmdir(dir);
}
END_TEST

/*
 * NetBSD's test scripts start "rump_server -lrumpvfs -lrumpnet_netinet
 * URL": built-in components are accepted, others and modules refused.
 */
START_TEST(netbsd_component_options)
{
	char dir[] = "/tmp/rumptest.XXXXXX", url[300], err[512], bin[4096];
	char out[64];
	struct server tmp;
	int status;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(url, sizeof(url), "unix://%s/sock", dir);
	status = server_detached_opts("-lrumpvfs", "-llibrumpnet_netinet.so",
	    url, err, sizeof(err));
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s",
	    err);
	memset(&tmp, 0, sizeof(tmp));
	strcpy(tmp.url, url);
	ck_assert_int_eq(run_client(&tmp, out, sizeof(out), "pid", NULL), 0);
	builddir_path("rump.halt", bin, sizeof(bin));
	ck_assert_int_eq(run_prog(&tmp, out, sizeof(out), bin, NULL), 0);
	snprintf(err, sizeof(err), "%s/sock", dir);
	ck_assert_msg(gone(err), "socket left behind");
	/* a component this kernel does not have: one line, exit 1 */
	status = server_detached_opts("-lrumpfs_ffs", NULL, url, err,
	    sizeof(err));
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1);
	ck_assert_msg(strstr(err, "rumpfs_ffs: no such component") != NULL,
	    "%s", err);
	ck_assert_int_eq(strchr(err, '\n') - err + 1, (long)strlen(err));
	status = server_detached_opts("-m", "/x/mod.kmod", url, err,
	    sizeof(err));
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1);
	ck_assert_msg(strstr(err, "loads no modules") != NULL, "%s", err);
	rmdir(dir);
}
END_TEST

/*
 * A program that links librump and detaches with NetBSD's
 * rump_daemonize_begin()/rump_daemonize_done(): its caller returns
 * once it serves, or with the errno that stopped it.
 */
START_TEST(daemonize_api)
{
	char dir[] = "/tmp/rumptest.XXXXXX", url[300], bin[4096], out[64];
	char *const args[] = { bin, url, NULL };
	struct server tmp;
	int status;
	pid_t pid;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(url, sizeof(url), "unix://%s/sock", dir);
	builddir_path("tests/tserver", bin, sizeof(bin));
	pid = fork();
	if (pid == 0) {
		execv(bin, args);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "status 0x%x", status);
	/* it serves as soon as its caller has returned */
	memset(&tmp, 0, sizeof(tmp));
	strcpy(tmp.url, url);
	ck_assert_int_eq(run_client(&tmp, out, sizeof(out), "pid", NULL), 0);
	/* a second one finds the address in use: its caller says so */
	pid = fork();
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, 2);
		execv(bin, args);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == EADDRINUSE,
	    "status 0x%x", status);
	builddir_path("rump.halt", bin, sizeof(bin));
	ck_assert_int_eq(run_prog(&tmp, out, sizeof(out), bin, NULL), 0);
	snprintf(out, sizeof(out), "%s/sock", dir);
	ck_assert_msg(gone(out), "socket left behind");
	rmdir(dir);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("integration");
	TCase *tc = tcase_create("server");
	SRunner *sr;
	int nf;

	signal(SIGPIPE, SIG_IGN);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, two_clients_share_a_file);
	tcase_add_test(tc, own_pid_and_descriptors);
	tcase_add_test(tc, eight_threads_one_connection);
	tcase_add_test(tc, disconnect_ends_process);
	tcase_add_test(tc, transport_unix);
	tcase_add_test(tc, transport_tcp4);
	tcase_add_test(tc, transport_tcp6);
	tcase_add_test(tc, bad_frames);
	tcase_add_test(tc, closed_stdio_client);
	tcase_add_test(tc, halt_stops_server);
	tcase_add_test(tc, start_failures);
	tcase_add_test(tc, netbsd_component_options);
	tcase_add_test(tc, daemonize_api);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
