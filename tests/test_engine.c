/*
 * test_engine.c -- the sysproxy engine against a real rump_server and
 * real client processes (tests/tengine): no call waits on a thread it
 * does not need, none starves, no reply is dropped, exec as NetBSD does
 * it, a refused client learns why; and the limits that keep one client
 * from stalling or exhausting the server.  Each case is a defect the old
 * engine had (see issue 7 and ../shared/repro/).
 */
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <check.h>
#include <grp.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rump/rump_syscalls.h>

#include "harness.h"

static struct server srv;
static char tengine[PATH_MAX];

/*
 * Blocked clients in thousand_blocked_readers: each is a host process,
 * which under a sanitizer costs ten times the memory and time; the
 * property tested is the same with fewer.
 */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define NBLOCKERS	"200"
#else
#define NBLOCKERS	"1000"
#endif

static void
start(const char *kind, const char *const *extra)
{

	builddir_path("tests/tengine", tengine, sizeof(tengine));
	srv_start(&srv, kind, extra);
}

static void
tengine_ok(const char *cmd, const char *arg)
{
	char out[1024];
	int st;

	st = run_prog(&srv, out, sizeof(out), tengine, cmd, arg, NULL);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "tengine %s: status 0x%x, output %s", cmd, st, out);
	ck_assert_msg(strcmp(out, "ok\n") == 0, "tengine %s: %s", cmd, out);
}

/* Run tengine under another name (a link): swap the path, get the old. */
static char *
tengine_path_swap(char *path)
{
	static char saved[PATH_MAX];
	static char back[PATH_MAX];

	strlcpy(back, tengine, sizeof(back));
	strlcpy(tengine, path, sizeof(tengine));
	strlcpy(saved, back, sizeof(saved));
	return saved;
}

/* tengine in the background, its stdin and stdout pipes */
static pid_t
tengine_spawn(int *to, int *from, const char *cmd, const char *arg)
{
	int in[2], out[2];
	pid_t pid;

	ck_assert_int_eq(pipe(in), 0);
	ck_assert_int_eq(pipe(out), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		setenv("RUMP_SERVER", srv.url, 1);
		execl(tengine, tengine, cmd, arg, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	*to = in[1];
	*from = out[0];
	return pid;
}

/* a line from fd within secs seconds */
static int
line_within(int fd, char *buf, size_t len, int secs)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	size_t got = 0;
	char c;

	while (got + 1 < len) {
		if (poll(&pfd, 1, secs * 1000) != 1 || read(fd, &c, 1) != 1)
			return -1;
		if (c == '\n')
			break;
		buf[got++] = c;
	}
	buf[got] = '\0';
	return 0;
}

/* A read blocked on a pipe and the write that wakes it, one thread. */
START_TEST(blocked_call_does_not_hold_the_thread)
{
	static const char *const extra[] = { "--maxworker", "1", NULL };

	start("unix", extra);
	tengine_ok("starve", NULL);
	srv_stop_clean(&srv);
}
END_TEST

/*
 * 1,000 clients each blocked in read: a new client is answered, and
 * the writes that wake them all succeed.
 */
START_TEST(thousand_blocked_readers)
{
	char line[64], out[64];
	int to, from, st;
	pid_t pid;

	start("unix", NULL);
	pid = tengine_spawn(&to, &from, "blockers", NBLOCKERS);
	ck_assert_int_eq(line_within(from, line, sizeof(line), 120), 0);
	ck_assert_str_eq(line, "blocked");
	st = run_prog(&srv, out, sizeof(out), tengine, "getpid", NULL);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0 && atoi(out) > 1,
	    "a new client was not served: 0x%x %s", st, out);
	ck_assert_int_eq(write(to, "go\n", 3), 3);
	ck_assert_int_eq(line_within(from, line, sizeof(line), 120), 0);
	ck_assert_str_eq(line, "ok");
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(to);
	close(from);
	srv_stop_clean(&srv);
}
END_TEST

/*
 * Exec with more threads blocked than --maxworker: the exec completes,
 * and the old image saw none of its calls return first.
 */
START_TEST(exec_with_every_thread_blocked)
{
	static const char *const extra[] = { "--maxworker", "8", NULL };
	char out[4096];
	int st;

	start("unix", extra);
	st = run_prog(&srv, out, sizeof(out), tengine, "blockexec", "32",
	    NULL);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "status 0x%x, output %s", st, out);
	ck_assert_msg(strcmp(out, "ok\n") == 0, "%s", out);
	/* the server still answers */
	st = run_prog(&srv, out, sizeof(out), tengine, "getpid", NULL);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	srv_stop_clean(&srv);
}
END_TEST

START_TEST(failed_exec_changes_nothing)
{

	start("unix", NULL);
	tengine_ok("execfail", NULL);
	srv_stop_clean(&srv);
}
END_TEST

/* Threads wait in calls when the program closes every descriptor. */
START_TEST(closefrom_under_waiting_threads)
{

	start("unix", NULL);
	tengine_ok("closefrom", "4");
	srv_stop_clean(&srv);
}
END_TEST

/*
 * NetBSD's reconnect test (h_reconcli): calls under RETRYCONN_INFTIME
 * while another thread closes every descriptor; not one call fails.
 * Not under ThreadSanitizer: it models descriptors as memory and
 * reports a number that closefrom(3) freed and a new socket took as a
 * race with the thread that still checks the old one, which is the
 * very reuse this test provokes and the client's identity checks
 * (rc_conn_fdok, rc_fd_issock) are there to survive.
 */
#if defined(__SANITIZE_THREAD__)
#define TENGINE_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TENGINE_TSAN 1
#endif
#endif
#ifndef TENGINE_TSAN
#define TENGINE_TSAN 0
#endif
START_TEST(reconnect_resends_cut_calls)
{

	start("unix", NULL);
	tengine_ok("reconnect", "4");
	srv_stop_clean(&srv);
}
END_TEST

/* --maxclient reached: the next client's init fails with EBUSY. */
static void
maxclient_busy(const char *kind)
{
	static const char *const extra[] = { "--maxclient", "1", NULL };
	char line[64], out[256];
	int to, from, st, i;
	pid_t pid;

	start(kind, extra);
	/* srv_start's probe may hold the one slot for a moment */
	for (i = 0;; i++) {
		pid = tengine_spawn(&to, &from, "blockers", "0");
		ck_assert_int_eq(line_within(from, line, sizeof(line), 30), 0);
		if (strcmp(line, "connected") == 0)
			break;
		ck_assert_int_eq(waitpid(pid, &st, 0), pid);
		close(to);
		close(from);
		ck_assert_int_lt(i, 100);
		usleep(20000);
	}
	st = run_prog(&srv, out, sizeof(out), tengine, "getpid", NULL);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 2, "0x%x", st);
	ck_assert_msg(strstr(out, strerror(EBUSY)) != NULL, "%s", out);
	ck_assert_int_eq(write(to, "go\n", 3), 3);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	close(to);
	close(from);
	srv_stop_clean(&srv);
}

START_TEST(maxclient_is_ebusy_unix)
{

	maxclient_busy("unix");
}
END_TEST

START_TEST(maxclient_is_ebusy_tcp)
{

	maxclient_busy("tcp4");
}
END_TEST

/* A raw client named comm with /dev/zero open as *zfd. */
static int
raw_client_zero(const char *comm, int *zfd)
{
	struct rsp_region r;
	struct rsp_sysresp sr;
	struct rsp_hdr h;
	uint64_t a[2];
	int fd;

	fd = raw_connect(&srv);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(raw_handshake(fd, comm), 0);
	a[0] = 0x1000;
	a[1] = O_RDONLY;
	r.rr_addr = 0x1000;
	r.rr_len = 10;
	r.rr_flags = RSP_REGION_IN;
	raw_syscall(fd, 2, RUMP_SYS_open, a, 2, &r, "/dev/zero");
	ck_assert_int_eq(raw_recv(fd, &h, &sr, sizeof(sr)), 0);
	ck_assert_int_eq(sr.rsys_error, 0);
	*zfd = (int)sr.rsys_retval[0];
	return fd;
}

/* exactly len bytes within 10 s (buf NULL: dropped) */
static int
read_exact(int fd, void *buf, size_t len)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	char sink[65536];
	size_t n;
	ssize_t r;

	while (len > 0) {
		if (poll(&pfd, 1, 10000) != 1)
			return -1;
		n = len < sizeof(sink) ? len : sizeof(sink);
		r = read(fd, buf != NULL ? buf : sink, n);
		if (r <= 0)
			return -1;
		if (buf != NULL)
			buf = (char *)buf + r;
		len -= (size_t)r;
	}
	return 0;
}

/*
 * A client that stops reading in the middle of a 3 MiB reply, then
 * asks for an exec and a prefork: every answer arrives.  (The old
 * engine answered the PREFORK during exec with a try-lock on the send
 * mutex, which the thread stuck sending the reply held: the answer was
 * dropped and the client waited for ever.)
 */
START_TEST(replies_never_dropped)
{
	struct rsp_region r;
	struct rsp_hdr h;
	struct rsp_sysresp sr;
	uint64_t a[3];
	int fd, zfd, i, seen = 0;

	start("unix", NULL);
	fd = raw_client_zero("dropper", &zfd);
	a[0] = (uint64_t)zfd;
	a[1] = 0x200000;
	a[2] = 3u << 20;
	r.rr_addr = 0x200000;
	r.rr_len = 3u << 20;
	r.rr_flags = RSP_REGION_OUT;
	raw_syscall(fd, 3, RUMP_SYS_read, a, 3, &r, NULL);
	/* the reply has begun: the rest waits, the socket is full */
	ck_assert_int_eq(read_exact(fd, &h, sizeof(h)), 0);
	ck_assert_uint_eq(h.rsp_reqno, 3);
	ck_assert_int_eq(raw_send(fd, RSP_HDRSZ + 1, 4, RUMPSP_REQ,
	    RUMPSP_HANDSHAKE, HANDSHAKE_EXEC, "x", 1), 0);
	ck_assert_int_eq(raw_send(fd, RSP_HDRSZ, 5, RUMPSP_REQ,
	    RUMPSP_PREFORK, 0, NULL, 0), 0);
	ck_assert_int_eq(read_exact(fd, &sr, sizeof(sr)), 0);
	ck_assert_int_eq(sr.rsys_error, 0);
	ck_assert_int_eq(sr.rsys_retval[0], 3u << 20);
	ck_assert_int_eq(read_exact(fd, NULL, h.rsp_len - RSP_HDRSZ -
	    sizeof(sr)), 0);
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(raw_recv(fd, &h, NULL, 0), 0);
		ck_assert(h.rsp_reqno == 4 || h.rsp_reqno == 5);
		seen |= 1 << (int)h.rsp_reqno;
	}
	ck_assert_int_eq(seen, (1 << 4) | (1 << 5));
	close(fd);
	srv_stop_clean(&srv);
}
END_TEST

/* A client that never reads is cut off; the others are served. */
START_TEST(slow_reader_cut_off)
{
	static const char *const extra[] = { "--maxqueue", "8m", NULL };
	struct rsp_region r;
	struct rsp_hdr h;
	char out[64];
	uint64_t a[3];
	int fd, zfd, i, st;

	start("unix", extra);
	fd = raw_client_zero("hog", &zfd);
	a[0] = (uint64_t)zfd;
	a[1] = 0x200000;
	a[2] = 3u << 20;
	r.rr_addr = 0x200000;
	r.rr_len = 3u << 20;
	r.rr_flags = RSP_REGION_OUT;
	/* 24 MiB of replies for a client that reads none of them */
	for (i = 0; i < 8; i++)
		raw_syscall(fd, 10 + (uint64_t)i, RUMP_SYS_read, a, 3, &r,
		    NULL);
	/* others are served meanwhile */
	st = run_prog(&srv, out, sizeof(out), tengine, "getpid", NULL);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* and the hog's connection ends: what it reads runs into EOF */
	for (i = 0; i < 9; i++)
		if (raw_recv(fd, &h, NULL, 0) == -1)
			break;
	ck_assert_int_lt(i, 9);
	close(fd);
	srv_stop_clean(&srv);
}
END_TEST


/* A connection that never sends its handshake is closed with a reason. */
START_TEST(handshake_deadline)
{
	static const char *const extra[] = { "--handshake-timeout", "200",
	    NULL };
	struct rsp_hdr h;
	int fd;

	start("unix", extra);
	fd = raw_connect(&srv);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(raw_recv(fd, &h, NULL, 0), 0);
	ck_assert_int_eq(h.rsp_class, RUMPSP_ERROR);
	ck_assert_int_eq(h.rsp_arg, RUMPSP_ERR_TIMEOUT);
	ck_assert_int_eq(raw_recv(fd, &h, NULL, 0), -1);
	close(fd);
	srv_stop_clean(&srv);
}
END_TEST

/* One client cannot fill the process table with fork images. */
START_TEST(prefork_limit)
{
	static const char *const extra[] = { "--maxprefork", "3", NULL };
	struct rsp_hdr h;
	int fd, i, ok = 0, again = 0;

	start("unix", extra);
	fd = raw_connect(&srv);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(raw_handshake(fd, "forker"), 0);
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(raw_send(fd, RSP_HDRSZ, 10 + (uint64_t)i,
		    RUMPSP_REQ, RUMPSP_PREFORK, 0, NULL, 0), 0);
	for (i = 0; i < 5; i++) {
		ck_assert_int_eq(raw_recv(fd, &h, NULL, 0), 0);
		if (h.rsp_class == RUMPSP_RESP)
			ok++;
		else if (h.rsp_class == RUMPSP_ERROR &&
		    h.rsp_arg == RUMPSP_ERR_TRYAGAIN)
			again++;
	}
	ck_assert_int_eq(ok, 3);
	ck_assert_int_eq(again, 2);
	close(fd);
	srv_stop_clean(&srv);
}
END_TEST

/* A client that never answers a copy request is cut off. */
START_TEST(copy_deadline)
{
	static const char *const extra[] = { "--copy-timeout", "200", NULL };
	struct rsp_hdr h;
	char out[64];
	uint64_t a[2];
	int fd, st;

	start("unix", extra);
	fd = raw_connect(&srv);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(raw_handshake(fd, "mute"), 0);
	/* open() with its path not inline: the server asks for it */
	a[0] = 0x1000;
	a[1] = O_RDONLY;
	raw_syscall(fd, 2, RUMP_SYS_open, a, 2, NULL, NULL);
	ck_assert_int_eq(raw_recv(fd, &h, NULL, 0), 0);
	ck_assert_int_eq(h.rsp_type, RUMPSP_COPYINSTR);
	/* no answer: the connection ends */
	ck_assert_int_eq(raw_recv(fd, &h, NULL, 0), -1);
	st = run_prog(&srv, out, sizeof(out), tengine, "getpid", NULL);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(fd);
	srv_stop_clean(&srv);
}
END_TEST

/* Calls of one client in the server at once are bounded. */
START_TEST(calls_per_client)
{
	static const char *const extra[] = { "--maxcalls", "2", NULL };
	struct rsp_hdr h;
	int fd, i, fds[2];

	start("unix", extra);
	fd = raw_connect(&srv);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(raw_handshake(fd, "greedy"), 0);
	raw_pipe(fd, 2, fds);
	/* three reads of an empty pipe: two sleep, the third is refused */
	for (i = 0; i < 3; i++)
		raw_byte(fd, 10 + (uint64_t)i, RUMP_SYS_read, fds[0]);
	ck_assert_int_eq(raw_recv(fd, &h, NULL, 0), 0);
	ck_assert_int_eq(h.rsp_class, RUMPSP_ERROR);
	ck_assert_int_eq(h.rsp_arg, RUMPSP_ERR_TRYAGAIN);
	ck_assert_uint_eq(h.rsp_reqno, 12);
	close(fd);
	srv_stop_clean(&srv);
}
END_TEST

/*
 * CANCEL (protocol 0.9): a read asleep on an empty pipe is interrupted
 * and answered EINTR; a CANCEL of a call that ended, or never was, has
 * no effect and no answer; the next read on the connection sleeps (the
 * interrupted call's lwp was not kept for it) and gets the byte.
 */
START_TEST(cancel_interrupts_call)
{
	struct rsp_hdr h;
	struct raw_byteresp rr;
	int fd, fds[2], i;

	start("unix", NULL);
	fd = raw_connect(&srv);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(raw_handshake(fd, "canceller"), 0);
	raw_pipe(fd, 2, fds);
	raw_byte(fd, 3, RUMP_SYS_read, fds[0]);
	srv_wait_counter(&srv, "kern.sysproxy.blocked", 1);
	ck_assert_int_eq(raw_send(fd, RSP_HDRSZ, 3, RUMPSP_REQ, RUMPSP_CANCEL,
	    0, NULL, 0), 0);
	ck_assert_int_eq(raw_recv(fd, &h, &rr, sizeof(rr)), 0);
	ck_assert_int_eq(h.rsp_class, RUMPSP_RESP);
	ck_assert_uint_eq(h.rsp_reqno, 3);
	ck_assert_int_eq(rr.sr.rsys_error, EINTR);
	srv_wait_counter(&srv, "kern.sysproxy.blocked", 0);

	ck_assert_int_eq(raw_send(fd, RSP_HDRSZ, 3, RUMPSP_REQ, RUMPSP_CANCEL,
	    0, NULL, 0), 0);
	ck_assert_int_eq(raw_send(fd, RSP_HDRSZ, 99, RUMPSP_REQ, RUMPSP_CANCEL,
	    0, NULL, 0), 0);
	raw_byte(fd, 4, RUMP_SYS_read, fds[0]);
	srv_wait_counter(&srv, "kern.sysproxy.blocked", 1);
	raw_byte(fd, 5, RUMP_SYS_write, fds[1]);
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(raw_recv(fd, &h, &rr, sizeof(rr)), 0);
		ck_assert_int_eq(h.rsp_class, RUMPSP_RESP);
		ck_assert_int_eq(rr.sr.rsys_error, 0);
		ck_assert_int_eq(rr.sr.rsys_retval[0], 1);
		if (h.rsp_reqno == 4)
			ck_assert_int_eq(rr.c[0], 'x');
		else
			ck_assert_uint_eq(h.rsp_reqno, 5);
	}
	close(fd);
	srv_stop_clean(&srv);
}
END_TEST

/* The socket file is the owner's only, unless asked otherwise. */
START_TEST(socket_mode)
{
	static const char *const extra[] = { "--sockmode", "0660", NULL };
	struct stat st;

	start("unix", NULL);
	ck_assert_int_eq(stat(srv.path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	srv_stop_clean(&srv);
	start("unix", extra);
	ck_assert_int_eq(stat(srv.path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0660);
	srv_stop_clean(&srv);
}
END_TEST

/*
 * Out of descriptors, a new connection gets a banner and an error
 * (the server keeps a spare descriptor for it), not silence.
 */
START_TEST(out_of_descriptors)
{
	struct rlimit low = { 24, 24 };
	struct rsp_hdr h;
	int fds[64], n, i, refused = 0;

	start("unix", NULL);
	/* the server raised its limit at start: lower it under it */
	ck_assert_int_eq(prlimit(srv.pid, RLIMIT_NOFILE, &low, NULL), 0);
	for (n = 0; n < 64 && !refused; n++) {
		fds[n] = raw_connect(&srv);
		ck_assert_int_ge(fds[n], 0);
		/* the send may fail: a refused client was closed already */
		(void)raw_send(fds[n], RSP_HDRSZ + 2, 1, RUMPSP_REQ,
		    RUMPSP_HANDSHAKE, HANDSHAKE_GUEST, "fd", 2);
		ck_assert_int_eq(raw_recv(fds[n], &h, NULL, 0), 0);
		if (h.rsp_class == RUMPSP_RESP)
			continue;
		ck_assert_int_eq(h.rsp_class, RUMPSP_ERROR);
		ck_assert_int_eq(h.rsp_arg, RUMPSP_ERR_BUSY);
		refused = 1;
	}
	ck_assert(refused);
	for (i = 0; i < n; i++)
		close(fds[i]);
	/* descriptors come back: served again */
	for (i = 0; i < 500; i++) {
		int fd = raw_connect(&srv);

		if (fd >= 0 && raw_handshake(fd, "again") == 0) {
			close(fd);
			break;
		}
		if (fd >= 0)
			close(fd);
		usleep(10000);
	}
	ck_assert_int_lt(i, 500);
	srv_stop_clean(&srv);
}
END_TEST

/* a key file of mode mode in dir; returns its path (the caller frees) */
static char *
keyfile(const char *dir, const char *name, const char *key, mode_t mode)
{
	char *p;
	int fd;

	ck_assert_int_gt(asprintf(&p, "%s/%s", dir, name), 0);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, key, strlen(key)), (ssize_t)strlen(key));
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
	return p;
}

/*
 * --key: a client proves it holds the key (and the server proves it
 * too); without it, or with another, the client is refused with EPERM.
 */
START_TEST(shared_key)
{
	char dir[] = "/tmp/rumpkey.XXXXXX", out[256];
	char *good, *bad, *loose;
	const char *extra[3] = { "--key", NULL, NULL };
	int st;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	good = keyfile(dir, "good", "correct horse battery staple", 0600);
	extra[1] = good;
	start("tcp4", extra);
	setenv("RUMP_KEYFILE", good, 1);
	st = run_prog(&srv, out, sizeof(out), tengine, "getpid", NULL);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", out);
	bad = keyfile(dir, "bad", "incorrect horse battery staple", 0600);
	setenv("RUMP_KEYFILE", bad, 1);
	st = run_prog(&srv, out, sizeof(out), tengine, "getpid", NULL);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 2);
	ck_assert_msg(strstr(out, strerror(EPERM)) != NULL, "%s", out);
	loose = keyfile(dir, "loose", "correct horse battery staple", 0640);
	setenv("RUMP_KEYFILE", loose, 1);
	st = run_prog(&srv, out, sizeof(out), tengine, "getpid", NULL);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 2);
	ck_assert_msg(strstr(out, strerror(EACCES)) != NULL, "%s", out);
	unsetenv("RUMP_KEYFILE");
	st = run_prog(&srv, out, sizeof(out), tengine, "getpid", NULL);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 2);
	ck_assert_msg(strstr(out, strerror(EPERM)) != NULL, "%s", out);
	srv_stop_clean(&srv);

	/* nor does a server start with a key others may read */
	{
		char server[PATH_MAX], url[300];

		builddir_path("rump_server", server, sizeof(server));
		snprintf(url, sizeof(url), "unix://%s/s", dir);
		st = run_prog(&srv, out, sizeof(out), server, "-s", "--key",
		    loose, url, NULL);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 1,
		    "0x%x", st);
	}

	/* a client with a key does not talk to a server without one */
	start("unix", NULL);
	setenv("RUMP_KEYFILE", good, 1);
	st = run_prog(&srv, out, sizeof(out), tengine, "getpid", NULL);
	unsetenv("RUMP_KEYFILE");
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 2);
	ck_assert_msg(strstr(out, strerror(EPERM)) != NULL, "%s", out);
	srv_stop_clean(&srv);
	unlink(good);
	unlink(bad);
	unlink(loose);
	free(good);
	free(bad);
	free(loose);
	rmdir(dir);
}
END_TEST

/* A forged proof is refused and the connection closed. */
START_TEST(forged_proof)
{
	char dir[] = "/tmp/rumpkey.XXXXXX", *key;
	const char *extra[3] = { "--key", NULL, NULL };
	struct rsp_auth ra;
	struct rsp_auth_resp ar;
	struct rsp_hdr h;
	int fd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	extra[1] = key = keyfile(dir, "k", "0123456789abcdef0123", 0600);
	start("unix", extra);
	fd = raw_connect(&srv);
	ck_assert_int_ge(fd, 0);
	/* GUEST first: refused */
	ck_assert_int_eq(raw_handshake(fd, "intruder"), -1);
	close(fd);
	fd = raw_connect(&srv);
	memset(&ra, 0, sizeof(ra));
	ra.ra_step = 1;
	ck_assert_int_eq(raw_send(fd, RSP_HDRSZ + sizeof(ra), 1, RUMPSP_REQ,
	    RUMPSP_HANDSHAKE, HANDSHAKE_AUTH, &ra, sizeof(ra)), 0);
	ck_assert_int_eq(raw_recv(fd, &h, &ar, sizeof(ar)), 0);
	ck_assert_int_eq(h.rsp_class, RUMPSP_RESP);
	ra.ra_step = 2;
	memcpy(ra.ra_mac, ar.rar_mac, sizeof(ra.ra_mac));	/* replayed */
	ck_assert_int_eq(raw_send(fd, RSP_HDRSZ + sizeof(ra), 1, RUMPSP_REQ,
	    RUMPSP_HANDSHAKE, HANDSHAKE_AUTH, &ra, sizeof(ra)), 0);
	ck_assert_int_eq(raw_recv(fd, &h, NULL, 0), 0);
	ck_assert_int_eq(h.rsp_class, RUMPSP_ERROR);
	ck_assert_int_eq(h.rsp_arg, RUMPSP_ERR_AUTH);
	ck_assert_int_eq(raw_recv(fd, &h, NULL, 0), -1);
	close(fd);
	srv_stop_clean(&srv);
	unlink(key);
	free(key);
	rmdir(dir);
}
END_TEST

/* run tengine ids as host uid/gid 1000 (we are root), its output */
static void
ids_as_1000(char *out, size_t len)
{
	int p[2], st;
	ssize_t n;
	size_t got = 0;
	pid_t pid;

	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		if (setgroups(0, NULL) == -1 || setgid(1000) == -1 ||
		    setuid(1000) == -1)
			_exit(126);
		setenv("RUMP_SERVER", srv.url, 1);
		execl(tengine, tengine, "ids", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	while (got + 1 < len && (n = read(p[0], out + got, len - got - 1)) > 0)
		got += (size_t)n;
	out[got] = '\0';
	close(p[0]);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "0x%x", st);
}

/*
 * --peercred: a client runs with its host user's credentials in the
 * kernel, so it may not halt it; without, every client is root.
 */
START_TEST(peer_credentials)
{
	static const char *const cred[] = { "--peercred", "--sockmode",
	    "0666", NULL };
	static const char *const open[] = { "--sockmode", "0666", NULL };
	char out[256], want[256];

	if (geteuid() != 0)
		return;		/* needs to become another user */
	start("unix", cred);
	/* the socket's directory is mkdtemp's 0700: let uid 1000 in */
	ck_assert_int_eq(chmod(srv.dir, 0711), 0);
	ids_as_1000(out, sizeof(out));
	snprintf(want, sizeof(want), "1000 1000 %s\n", strerror(EPERM));
	ck_assert_str_eq(out, want);
	srv_stop_clean(&srv);
	start("unix", open);
	ck_assert_int_eq(chmod(srv.dir, 0711), 0);
	ids_as_1000(out, sizeof(out));
	ck_assert_str_eq(out, "0 0 halted\n");
	(void)srv_stop(&srv);
}
END_TEST

/* kern.sysproxy.*: the server's counters move with what it does */
START_TEST(server_counters)
{
	long long req, conn, threads;

	start("unix", NULL);
	conn = srv_counter(&srv, "kern.sysproxy.connects");
	req = srv_counter(&srv, "kern.sysproxy.requests");
	/* each run is a new client making two sysctl calls at least */
	ck_assert_int_eq(srv_counter(&srv, "kern.sysproxy.connects"), conn + 2);
	ck_assert_int_ge(srv_counter(&srv, "kern.sysproxy.requests"), req + 4);
	ck_assert_int_eq(srv_counter(&srv, "kern.sysproxy.clients"), 1);
	threads = srv_counter(&srv, "kern.sysproxy.threads");
	ck_assert_int_ge(threads, 1);
	ck_assert_int_le(srv_counter(&srv, "kern.sysproxy.idle"), threads);
	ck_assert_int_ge(srv_counter(&srv, "kern.sysproxy.bytes_out"), 1);
	srv_stop_clean(&srv);
}
END_TEST

/*
 * rump.sysctl, rump.stat and rump.ps show the server's state, and
 * never print a client-chosen string raw: escape sequences come out
 * as text.
 */
START_TEST(tools_show_and_escape)
{
	char sysctl[PATH_MAX], stat[PATH_MAX], ps[PATH_MAX], out[4096];
	char link[PATH_MAX], line[64];
	int st, to, from;
	pid_t pid;

	builddir_path("rump.sysctl", sysctl, sizeof(sysctl));
	builddir_path("rump.stat", stat, sizeof(stat));
	builddir_path("rump.ps", ps, sizeof(ps));
	start("unix", NULL);
	st = run_prog(&srv, out, sizeof(out), sysctl, "-w",
	    "kern.hostname=\033[31mred", NULL);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", out);
	st = run_prog(&srv, out, sizeof(out), sysctl, "kern.hostname", NULL);
	ck_assert_str_eq(out, "kern.hostname = \\033[31mred\n");
	st = run_prog(&srv, out, sizeof(out), sysctl, "-n",
	    "kern.sysproxy.clients", NULL);
	ck_assert_str_eq(out, "1\n");
	st = run_prog(&srv, out, sizeof(out), sysctl, "kern.nosuch", NULL);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1);
	st = run_prog(&srv, out, sizeof(out), stat, "-c", "1", NULL);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", out);
	ck_assert_ptr_nonnull(strstr(out, "clients"));
	ck_assert_ptr_nonnull(strstr(out, "\n      1 "));

	/* a client whose name is an escape sequence */
	snprintf(link, sizeof(link), "%s/\033[1mbold", srv.dir);
	ck_assert_ptr_nonnull(realpath(tengine, out));
	ck_assert_int_eq(symlink(out, link), 0);
	{
		char *save = tengine_path_swap(link);

		pid = tengine_spawn(&to, &from, "blockers", "0");
		tengine_path_swap(save);
	}
	if (line_within(from, line, sizeof(line), 30) != 0) {
		ck_assert_int_eq(waitpid(pid, &st, 0), pid);
		ck_abort_msg("%s did not start: 0x%x", link, st);
	}
	st = run_prog(&srv, out, sizeof(out), ps, NULL);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", out);
	ck_assert_ptr_null(strchr(out, '\033'));
	ck_assert_ptr_nonnull(strstr(out, "\\033[1mbold"));
	ck_assert_int_eq(write(to, "go\n", 3), 3);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	close(to);
	close(from);
	unlink(link);
	srv_stop_clean(&srv);
}
END_TEST

/* A peer that never sends a banner: the client gives up, with a reason. */
START_TEST(no_banner)
{
	struct server mute;
	struct sockaddr_un sun;
	char dir[] = "/tmp/rumpmute.XXXXXX", out[256];
	int s, st;

	builddir_path("tests/tengine", tengine, sizeof(tengine));
	ck_assert_ptr_nonnull(mkdtemp(dir));
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/s", dir);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(s, 0);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ck_assert_int_eq(listen(s, 1), 0);
	memset(&mute, 0, sizeof(mute));
	snprintf(mute.url, sizeof(mute.url), "unix://%s", sun.sun_path);
	st = run_prog(&mute, out, sizeof(out), tengine, "getpid", NULL);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 2);
	ck_assert_msg(strstr(out, strerror(ETIMEDOUT)) != NULL, "%s", out);
	close(s);
	unlink(sun.sun_path);
	rmdir(dir);
}
END_TEST

/* rump.sockstat lists a listening socket with its owner and address. */
START_TEST(sockstat_lists)
{
	char tsock[PATH_MAX], sockstat[PATH_MAX], out[4096], port[32];
	char want[64];
	int to, from, st;
	pid_t pid;

	builddir_path("tests/tsock", tsock, sizeof(tsock));
	builddir_path("rump.sockstat", sockstat, sizeof(sockstat));
	start("unix", NULL);
	pid = spawn_prog(&srv, &to, &from, tsock, "tcp-serve", NULL);
	/* "ready PID PORT" once it listens */
	ck_assert_int_eq(line_within(from, port, sizeof(port), 30), 0);
	ck_assert_ptr_nonnull(strrchr(port, ' '));
	st = run_prog(&srv, out, sizeof(out), sockstat, NULL);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", out);
	snprintf(want, sizeof(want), "127.0.0.1:%d", atoi(strrchr(port, ' ')));
	ck_assert_msg(strstr(out, want) != NULL, "%s", out);
	ck_assert_msg(strstr(out, "tcp4") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "tsock") != NULL, "%s", out);
	kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	close(to);
	close(from);
	srv_stop_clean(&srv);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("engine");
	TCase *tc = tcase_create("engine");
	SRunner *sr;
	int nf;

	signal(SIGPIPE, SIG_IGN);
	tcase_set_timeout(tc, 150);
	tcase_add_test(tc, blocked_call_does_not_hold_the_thread);
	tcase_add_test(tc, thousand_blocked_readers);
	tcase_add_test(tc, exec_with_every_thread_blocked);
	tcase_add_test(tc, failed_exec_changes_nothing);
	tcase_add_test(tc, closefrom_under_waiting_threads);
#if !TENGINE_TSAN
	tcase_add_test(tc, reconnect_resends_cut_calls);
#endif
	tcase_add_test(tc, maxclient_is_ebusy_unix);
	tcase_add_test(tc, maxclient_is_ebusy_tcp);
	tcase_add_test(tc, replies_never_dropped);
	tcase_add_test(tc, slow_reader_cut_off);
	tcase_add_test(tc, handshake_deadline);
	tcase_add_test(tc, prefork_limit);
	tcase_add_test(tc, copy_deadline);
	tcase_add_test(tc, calls_per_client);
	tcase_add_test(tc, cancel_interrupts_call);
	tcase_add_test(tc, socket_mode);
	tcase_add_test(tc, out_of_descriptors);
	tcase_add_test(tc, shared_key);
	tcase_add_test(tc, forged_proof);
	tcase_add_test(tc, peer_credentials);
	tcase_add_test(tc, server_counters);
	tcase_add_test(tc, tools_show_and_escape);
	tcase_add_test(tc, no_banner);
	tcase_add_test(tc, sockstat_lists);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
