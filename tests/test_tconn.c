/*
 * test_tconn.c -- thread connections (rump_sp(7), JOIN) against a real
 * rump_server.  Client threads that make calls steadily get sockets of
 * their own, in the same process, closed when they exit; a signal
 * handler's call inside such a call works; fork and exec leave each
 * process its own; a refused one leaves the thread where it was; a
 * thread cancelled in a call that sleeps ends it.  Raw clients: a join
 * key joins only while its process lives, a wrong one is refused, a
 * thread connection carries calls and their copies and nothing else,
 * it is shut down when its process's connection goes or the process
 * execs, and its call asleep in the kernel ends when it closes.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rump/rump_syscalls.h>

#include "harness.h"

/*
 * ThreadSanitizer models descriptors as memory: a close(2) under a
 * thread waiting in recv(2) on it, which is what "closed" provokes,
 * is a race to it.  Under it only the close between calls is run.
 */
#if defined(__SANITIZE_THREAD__)
#define TTCONN_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TTCONN_TSAN 1
#endif
#endif
#ifndef TTCONN_TSAN
#define TTCONN_TSAN 0
#endif

/*
 * AddressSanitizer keeps the stack poison of the frames a cancellation
 * unwinds, so a thread cancelled inside a call trips over it in its
 * key destructors (google/sanitizers#1010, #1399, open): under it the
 * cancellation inside a call on a thread connection is not run.
 */
#if defined(__SANITIZE_ADDRESS__)
#define TTCONN_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TTCONN_ASAN 1
#endif
#endif
#ifndef TTCONN_ASAN
#define TTCONN_ASAN 0
#endif

static struct server srv;
static char ttconn[PATH_MAX];

static void
start_with(const char *kind, const char *const *extra)
{

	builddir_path("tests/ttconn", ttconn, sizeof(ttconn));
	srv_start(&srv, kind, extra);
}

static void
start(const char *kind)
{

	start_with(kind, NULL);
}

/* ttconn ARGS: its output, which must exit 0 */
static void
ttconn_says(const char *a1, const char *a2, const char *want)
{
	char out[1024];
	int st;

	st = run_prog(&srv, out, sizeof(out), ttconn, a1, a2, NULL);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "ttconn %s: status 0x%x, output %s", a1, st, out);
	ck_assert_msg(strcmp(out, want) == 0, "ttconn %s: %s, want %s", a1,
	    out, want);
}

/*
 * ttconn jumpshare: once its read sleeps in the server, SIGUSR1 makes
 * it jump out of the read; then it says what it saw.
 */
static void
jumpshare_says(const char *want)
{
	char line[128];
	int to, from, st;
	pid_t pid;

	pid = spawn_prog(&srv, &to, &from, ttconn, "jumpshare", NULL);
	ck_assert_int_eq(read_line(from, line, sizeof(line)), 0);
	ck_assert_str_eq(line, "reading");
	srv_wait_counter(&srv, "kern.sysproxy.blocked", 1);
	ck_assert_int_eq(kill(pid, SIGUSR1), 0);
	ck_assert_int_eq(read_line(from, line, sizeof(line)), 0);
	ck_assert_str_eq(line, want);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(to);
	close(from);
}

/* wait until the server has n connections besides the asking one */
static void
wait_clients(long n)
{

	srv_wait_counter(&srv, "kern.sysproxy.clients", n + 1);
}

static void
client_cases(const char *kind)
{

	setenv("RUMP_SHM", "0", 1);
	start(kind);
	ttconn_says("count", "4", "count 4 during 5 after 1\n");
	wait_clients(0);
	ttconn_says("sigcall", NULL, "sigcall read 1 x handled 1 sockets 2\n");
	ttconn_says("fork", NULL, "fork ok sockets 2\n");
	ttconn_says("exec", NULL, "execed same 1 sockets 2\n");
	wait_clients(0);
	if (TTCONN_TSAN)
		ttconn_says("closed", "between", "closed between 2\n");
	else
		ttconn_says("closed", NULL,
		    "closed between 2 during ENOTCONN 2\n");
	ttconn_says("efault", NULL,
	    "efault small EFAULT big EFAULT sockets 2\n");
	/* calls a signal handler jumped out of end (thread connection) */
	ttconn_says("jump", NULL, "jump 3 blocked 0 read x\n");
	/* no signal mask changes per call on a thread connection */
	ttconn_says("masks", NULL, "masks 0\n");
	/*
	 * a large reply's data is received in place, a small one copied;
	 * a large buffer that gets little back reads the head alone once
	 */
	ttconn_says("vmwrites", NULL,
	    "vmwrites big 0 small 100 short recvs 101\n");
	/* a thread cancelled in a read: the server interrupts the read */
	if (!TTCONN_ASAN)
		ttconn_says("cancel", NULL, "cancel blocked 1 then 0\n");
	setenv("RUMP_THREADCONN", "0", 1);
	ttconn_says("count", "4", "count 4 during 1 after 1\n");
	/* ... on the shared connection the call is no cancellation point */
	ttconn_says("cancel", "shared", "cancel blocked 1 then 0\n");
	/* the shared connection's: two per call */
	ttconn_says("masks", NULL, "masks 2000\n");
	/* ... calls a signal handler jumped out of are cancelled */
	ttconn_says("jump", NULL, "jump 3 blocked 0 read x\n");
	/* ... and another thread takes over the reading of one */
	jumpshare_says("jumpshare other 10 blocked 0 read x");
	unsetenv("RUMP_THREADCONN");
	srv_stop_clean(&srv);
	unsetenv("RUMP_SHM");
}

START_TEST(threads_unix)
{

	client_cases("unix");
}
END_TEST

START_TEST(threads_tcp)
{

	client_cases("tcp4");
}
END_TEST

/* The server dies and restarts: the client reconnects, joins anew. */
START_TEST(server_restart)
{
	char line[64];
	int to, from, st;
	pid_t pid;

	setenv("RUMP_SHM", "0", 1);
	start("unix");
	pid = spawn_prog(&srv, &to, &from, ttconn, "reconnect", NULL);
	ck_assert_int_eq(read_line(from, line, sizeof(line)), 0);
	ck_assert_str_eq(line, "ready 2");
	kill(srv.pid, SIGKILL);
	waitpid(srv.pid, NULL, 0);
	srv_launch(&srv);	/* the same URL; a stale socket file */
	ck_assert_int_eq(write(to, "go\n", 3), 3);
	ck_assert_int_eq(read_line(from, line, sizeof(line)), 0);
	/* the call went over the new connection; then a thread one */
	ck_assert_str_eq(line, "reconnect 1 2");
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(to);
	close(from);
	srv_stop_clean(&srv);
	unsetenv("RUMP_SHM");
}
END_TEST

/*
 * A full client table refuses a thread connection: the thread goes on
 * over the process's own, and its calls all succeed.
 */
START_TEST(refused_join_falls_back)
{
	static const char *const extra[] = { "--maxclient", "2", NULL };

	setenv("RUMP_SHM", "0", 1);
	start_with("unix", extra);
	ttconn_says("count", "4", "count 4 during 2 after 1\n");
	srv_stop_clean(&srv);
	unsetenv("RUMP_SHM");
}
END_TEST

/* On rings a thread gains nothing from a socket: none is made. */
START_TEST(none_on_rings)
{

	unsetenv("RUMP_SHM");
	start("unix");
	ttconn_says("count", "4", "count 4 during 1 after 1\n");
	/* and a thread that made its calls pays nothing for looking */
	ttconn_says("masks", NULL, "masks 2000\n");
	/* calls a signal handler jumped out of are cancelled on rings too */
	ttconn_says("jump", NULL, "jump 3 blocked 0 read x\n");
	jumpshare_says("jumpshare other 10 blocked 0 read x");
	srv_stop_clean(&srv);
}
END_TEST

/* --- raw clients ------------------------------------------------- */

static int
raw_guest(void)
{
	int fd;

	fd = raw_connect(&srv);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(raw_handshake(fd, "rawowner"), 0);
	return fd;
}

static void
raw_timeout(int fd)
{
	struct timeval tv = { 10, 0 };

	ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
	    sizeof(tv)), 0);
}

/* the process's join key, over its own connection */
static struct rsp_joinkey
raw_key(int fd, uint64_t reqno)
{
	struct rsp_joinkey jk;
	struct rsp_hdr h;

	ck_assert_int_eq(raw_send(fd, RSP_HDRSZ, reqno, RUMPSP_REQ,
	    RUMPSP_JOIN, 0, NULL, 0), 0);
	ck_assert_int_eq(raw_recv(fd, &h, &jk, sizeof(jk)), 0);
	ck_assert_int_eq(h.rsp_class, RUMPSP_RESP);
	ck_assert_int_eq(h.rsp_type, RUMPSP_JOIN);
	ck_assert_uint_eq(h.rsp_reqno, reqno);
	ck_assert_uint_eq(h.rsp_len, RSP_HDRSZ + sizeof(jk));
	return jk;
}

/* a JOIN handshake: 0 and the connection, or the ERROR's code */
static int
raw_join(const struct rsp_joinkey *jk, int *fdp)
{
	struct rsp_hdr h;
	int fd;

	fd = raw_connect(&srv);
	ck_assert_int_ge(fd, 0);
	raw_timeout(fd);
	ck_assert_int_eq(raw_send(fd, RSP_HDRSZ + sizeof(*jk), 1, RUMPSP_REQ,
	    RUMPSP_HANDSHAKE, HANDSHAKE_JOIN, jk, sizeof(*jk)), 0);
	ck_assert_int_eq(raw_recv(fd, &h, NULL, 0), 0);
	ck_assert_int_eq(h.rsp_type, RUMPSP_HANDSHAKE);
	*fdp = fd;
	return h.rsp_class == RUMPSP_RESP ? 0 : (int)h.rsp_arg;
}

/* fd ends: an ERROR frame may come first, then EOF */
static void
raw_ends(int fd)
{
	struct rsp_hdr h;
	int i;

	raw_timeout(fd);
	for (i = 0; i < 4 && raw_recv(fd, &h, NULL, 0) == 0; i++)
		ck_assert_int_eq(h.rsp_class, RUMPSP_ERROR);
	ck_assert_int_lt(i, 4);
	close(fd);
}

/*
 * The raw process's own connection goes: the server releases it and
 * every connection of it, and stops cleanly.
 */
static void
owner_gone(int owner)
{

	close(owner);
	wait_clients(0);
	srv_stop_clean(&srv);
}

START_TEST(raw_join_same_process)
{
	struct rsp_joinkey jk, jk2;
	long pid;
	int owner, tc, tc2;

	start("unix");
	owner = raw_guest();
	pid = raw_getpid(owner, 2);
	ck_assert_int_gt(pid, 0);
	jk = raw_key(owner, 3);
	/* one key per process */
	jk2 = raw_key(owner, 4);
	ck_assert_mem_eq(&jk, &jk2, sizeof(jk));
	ck_assert_int_eq(raw_join(&jk, &tc), 0);
	ck_assert_int_eq(raw_join(&jk, &tc2), 0);
	ck_assert_int_eq(raw_getpid(tc, 2), pid);
	ck_assert_int_eq(raw_getpid(tc2, 2), pid);
	wait_clients(3);
	/* a thread connection that goes takes only itself */
	close(tc2);
	wait_clients(2);
	ck_assert_int_eq(raw_getpid(owner, 5), pid);
	ck_assert_int_eq(raw_getpid(tc, 3), pid);
	close(tc);
	owner_gone(owner);
}
END_TEST

START_TEST(raw_join_refused)
{
	struct rsp_joinkey jk, bad;
	struct rsp_hdr h;
	int owner, fd;

	start("unix");
	owner = raw_guest();
	jk = raw_key(owner, 2);
	bad = jk;
	bad.rjk_key[0] ^= 1;
	ck_assert_int_eq(raw_join(&bad, &fd), RUMPSP_ERR_INVALID_PREFORK);
	raw_ends(fd);
	/* a short key is malformed */
	fd = raw_connect(&srv);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(raw_send(fd, RSP_HDRSZ + 4, 1, RUMPSP_REQ,
	    RUMPSP_HANDSHAKE, HANDSHAKE_JOIN, &jk, 4), 0);
	ck_assert_int_eq(raw_recv(fd, &h, NULL, 0), 0);
	ck_assert_int_eq(h.rsp_class, RUMPSP_ERROR);
	ck_assert_int_eq(h.rsp_arg, RUMPSP_ERR_MALFORMED_REQUEST);
	raw_ends(fd);
	/* JOIN before a handshake: nothing to join */
	fd = raw_connect(&srv);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(raw_send(fd, RSP_HDRSZ, 1, RUMPSP_REQ, RUMPSP_JOIN,
	    0, NULL, 0), 0);
	ck_assert_int_eq(raw_recv(fd, &h, NULL, 0), 0);
	ck_assert_int_eq(h.rsp_class, RUMPSP_ERROR);
	raw_ends(fd);
	/* the process goes: its key joins nothing any more */
	close(owner);
	wait_clients(0);
	ck_assert_int_eq(raw_join(&jk, &fd), RUMPSP_ERR_INVALID_PREFORK);
	raw_ends(fd);
	srv_stop_clean(&srv);
}
END_TEST

/* calls and copies only: anything else cuts a thread connection off */
START_TEST(raw_thread_conn_limits)
{
	static const int types[] = { RUMPSP_PREFORK, RUMPSP_JOIN,
	    RUMPSP_SHM };
	struct rsp_joinkey jk;
	struct rsp_hdr h;
	size_t i;
	long pid;
	int owner, tc;

	start("unix");
	owner = raw_guest();
	pid = raw_getpid(owner, 2);
	jk = raw_key(owner, 3);
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		ck_assert_int_eq(raw_join(&jk, &tc), 0);
		ck_assert_int_eq(raw_send(tc, RSP_HDRSZ, 2, RUMPSP_REQ,
		    types[i], 0, NULL, 0), 0);
		ck_assert_int_eq(raw_recv(tc, &h, NULL, 0), 0);
		ck_assert_int_eq(h.rsp_class, RUMPSP_ERROR);
		ck_assert_int_eq(h.rsp_arg, RUMPSP_ERR_MALFORMED_REQUEST);
		raw_ends(tc);
	}
	/* nor a second handshake (exec is the process's own business) */
	ck_assert_int_eq(raw_join(&jk, &tc), 0);
	ck_assert_int_eq(raw_send(tc, RSP_HDRSZ + 1, 2, RUMPSP_REQ,
	    RUMPSP_HANDSHAKE, HANDSHAKE_EXEC, "x", 1), 0);
	ck_assert_int_eq(raw_recv(tc, &h, NULL, 0), 0);
	ck_assert_int_eq(h.rsp_class, RUMPSP_ERROR);
	raw_ends(tc);
	/* the process itself is untouched */
	ck_assert_int_eq(raw_getpid(owner, 4), pid);
	owner_gone(owner);
}
END_TEST

/*
 * A call on a thread connection whose data is not inline: the server's
 * COPYINSTR comes over that connection, not the process's own, and the
 * answer there completes the call.
 */
START_TEST(raw_copy_on_thread_conn)
{
	struct {
		struct rsp_sysreq rs;
		uint64_t path;
	} req;
	struct rsp_copydata cd;
	struct rsp_sysresp sr;
	struct rsp_joinkey jk;
	struct rsp_hdr h;
	char b;
	int owner, tc;

	start("unix");
	owner = raw_guest();
	jk = raw_key(owner, 2);
	ck_assert_int_eq(raw_join(&jk, &tc), 0);
	memset(&req, 0, sizeof(req));
	req.rs.rs_argsize = sizeof(req.path);
	req.path = 0x5000;
	ck_assert_int_eq(raw_send(tc, RSP_HDRSZ + sizeof(req), 7, RUMPSP_REQ,
	    RUMPSP_SYSCALL, RUMP_SYS_chdir, &req, sizeof(req)), 0);
	ck_assert_int_eq(raw_recv(tc, &h, &cd, sizeof(cd)), 0);
	ck_assert_int_eq(h.rsp_class, RUMPSP_REQ);
	ck_assert_int_eq(h.rsp_type, RUMPSP_COPYINSTR);
	ck_assert_uint_eq(cd.rcp_addr, 0x5000);
	/* nothing went to the process's own connection */
	ck_assert_int_eq(recv(owner, &b, 1, MSG_DONTWAIT), -1);
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_int_eq(raw_send(tc, RSP_HDRSZ + 2, h.rsp_reqno, RUMPSP_RESP,
	    RUMPSP_COPYINSTR, 0, "/", 2), 0);
	ck_assert_int_eq(raw_recv(tc, &h, &sr, sizeof(sr)), 0);
	ck_assert_int_eq(h.rsp_class, RUMPSP_RESP);
	ck_assert_uint_eq(h.rsp_reqno, 7);
	ck_assert_int_eq(sr.rsys_error, 0);
	close(tc);
	owner_gone(owner);
}
END_TEST

/*
 * A guest with a pipe in the kernel (fds, made by request 2) and a
 * thread connection it joined (*tcp, with the key of request 3).
 */
static int
raw_owner_joined(int *tcp, int fds[2])
{
	struct rsp_joinkey jk;
	int owner;

	owner = raw_guest();
	raw_timeout(owner);
	raw_pipe(owner, 2, fds);
	jk = raw_key(owner, 3);
	ck_assert_int_eq(raw_join(&jk, tcp), 0);
	return owner;
}

/*
 * Thread connections do not multiply a process's --maxcalls: with 3,
 * one thread connection (which takes one) and a read asleep on each
 * connection, the next call is refused.
 */
START_TEST(raw_calls_counted_per_process)
{
	static const char *const extra[] = { "--maxcalls", "3", NULL };
	struct rsp_hdr h;
	int owner, tc, fds[2];

	start_with("unix", extra);
	owner = raw_owner_joined(&tc, fds);
	raw_byte(owner, 4, RUMP_SYS_read, fds[0]);
	/* the owner's read is counted first: it is asleep */
	srv_wait_counter(&srv, "kern.sysproxy.blocked", 1);
	raw_byte(tc, 2, RUMP_SYS_read, fds[0]);
	raw_byte(tc, 3, RUMP_SYS_read, fds[0]);
	ck_assert_int_eq(raw_recv(tc, &h, NULL, 0), 0);
	ck_assert_int_eq(h.rsp_class, RUMPSP_ERROR);
	ck_assert_int_eq(h.rsp_arg, RUMPSP_ERR_TRYAGAIN);
	ck_assert_uint_eq(h.rsp_reqno, 3);
	close(tc);
	owner_gone(owner);
}
END_TEST

/*
 * A thread connection closes while its call sleeps in the kernel (its
 * thread was cancelled in the call, or left it from a signal handler):
 * nobody will read the answer, so the call is interrupted and its lwp
 * goes, rather than sleeping until the process ends.  The read took
 * nothing from the pipe: the byte written next is the owner's to read.
 */
START_TEST(raw_closed_thread_conn_ends_call)
{
	struct rsp_hdr h;
	struct raw_byteresp rr;
	int owner, tc, fds[2];

	start("unix");
	owner = raw_owner_joined(&tc, fds);

	raw_byte(tc, 2, RUMP_SYS_read, fds[0]);
	srv_wait_counter(&srv, "kern.sysproxy.blocked", 1);
	close(tc);
	srv_wait_counter(&srv, "kern.sysproxy.blocked", 0);
	wait_clients(1);

	raw_byte(owner, 4, RUMP_SYS_write, fds[1]);
	ck_assert_int_eq(raw_recv(owner, &h, &rr, sizeof(rr)), 0);
	ck_assert_int_eq(rr.sr.rsys_error, 0);
	ck_assert_int_eq(rr.sr.rsys_retval[0], 1);
	raw_byte(owner, 5, RUMP_SYS_read, fds[0]);
	ck_assert_int_eq(raw_recv(owner, &h, &rr, sizeof(rr)), 0);
	ck_assert_uint_eq(h.rsp_reqno, 5);
	ck_assert_int_eq(rr.sr.rsys_error, 0);
	ck_assert_int_eq(rr.sr.rsys_retval[0], 1);
	ck_assert_int_eq(rr.rr.rr_len, 1);
	ck_assert_int_eq(rr.c[0], 'x');
	owner_gone(owner);
}
END_TEST

/* The process's connection goes: its thread connections are shut down. */
START_TEST(raw_owner_gone_cuts)
{
	struct rsp_joinkey jk;
	int owner, tc;

	start("unix");
	owner = raw_guest();
	jk = raw_key(owner, 2);
	ck_assert_int_eq(raw_join(&jk, &tc), 0);
	close(owner);
	raw_ends(tc);
	wait_clients(0);
	srv_stop_clean(&srv);
}
END_TEST

/*
 * Exec drains the process's old work: its thread connections are shut
 * down for it, so the EXEC answer comes even while one is open.
 */
START_TEST(raw_exec_cuts)
{
	struct rsp_joinkey jk;
	struct rsp_hdr h;
	long pid;
	int owner, tc;

	start("unix");
	owner = raw_guest();
	raw_timeout(owner);
	pid = raw_getpid(owner, 2);
	jk = raw_key(owner, 3);
	ck_assert_int_eq(raw_join(&jk, &tc), 0);
	ck_assert_int_eq(raw_getpid(tc, 2), pid);
	ck_assert_int_eq(raw_send(owner, RSP_HDRSZ + 3, 4, RUMPSP_REQ,
	    RUMPSP_HANDSHAKE, HANDSHAKE_EXEC, "new", 3), 0);
	ck_assert_int_eq(raw_recv(owner, &h, NULL, 0), 0);
	ck_assert_int_eq(h.rsp_class, RUMPSP_RESP);
	ck_assert_int_eq(h.rsp_type, RUMPSP_HANDSHAKE);
	raw_ends(tc);
	ck_assert_int_eq(raw_getpid(owner, 5), pid);
	owner_gone(owner);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("tconn");
	TCase *tc = tcase_create("tconn");
	SRunner *sr;
	int nf;

	signal(SIGPIPE, SIG_IGN);
	unsetenv("RUMP_THREADCONN");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, threads_unix);
	tcase_add_test(tc, threads_tcp);
	tcase_add_test(tc, refused_join_falls_back);
	tcase_add_test(tc, server_restart);
	tcase_add_test(tc, none_on_rings);
	tcase_add_test(tc, raw_join_same_process);
	tcase_add_test(tc, raw_join_refused);
	tcase_add_test(tc, raw_thread_conn_limits);
	tcase_add_test(tc, raw_copy_on_thread_conn);
	tcase_add_test(tc, raw_calls_counted_per_process);
	tcase_add_test(tc, raw_owner_gone_cuts);
	tcase_add_test(tc, raw_closed_thread_conn_ends_call);
	tcase_add_test(tc, raw_exec_cuts);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
