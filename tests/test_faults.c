/*
 * test_faults.c -- fault injection over real scenarios, SQLite's way
 * (issue 9).  For N = 1, 2, ... a fresh rump_server is started with
 * RUMP_FAILNTH=N, so that the Nth allocation after it listens, kernel
 * or server, fails; a scenario client (tests/tfault) runs fork, exec,
 * pipes, sockets, files or a bare handshake against it.  Each run must
 * end with no crash and no hang, every call either right or failed
 * with a clean error (tfault checks that), the server still serving a
 * fresh client whose process table is back to pid 0 and 1, and the
 * server exiting cleanly on SIGTERM: under the ASan build LeakSanitizer
 * runs at its exit and any leak is a failed run.  The sweep ends at the
 * first N the scenario completes without reaching.
 *
 * Every N up to FULL_SWEEP is run; past it N grows by an eighth each
 * time, so that scenarios with hundreds of allocations stay fast.
 * RUMP_FAULTS_FULL=1 in the environment runs every N:
 *
 *	RUMP_FAULTS_FULL=1 build/tests/test_faults
 *
 * The other cases: every write to clients cut short (RUMP_SHORTWRITE),
 * and peers that close in the middle of a frame, in both directions.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rump/rump_syscalls.h>

#include "harness.h"

#define FULL_SWEEP	48
/*
 * A scenario that takes longer hangs.  Generous: under ASan on a loaded
 * machine a fork scenario whose every frame arrives in 3-byte pieces
 * took more than 20 s.
 */
#define RUN_LIMIT_MS	60000

static char tfault[PATH_MAX], logpath[PATH_MAX];

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* does the server's log hold this text yet? */
static int
log_has(const char *what)
{
	static char buf[1 << 16];
	ssize_t n;
	int fd;

	if ((fd = open(logpath, O_RDONLY)) == -1)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strstr(buf, what) != NULL;
}

static void
log_dump(void)
{
	char cmd[PATH_MAX + 32];

	snprintf(cmd, sizeof(cmd), "tail -20 %s >&2", logpath);
	(void)system(cmd);
}

/*
 * rump_server -s -v with the fault variables set, its standard error
 * in the log; ready once it says it listens (a connection to check
 * would spend allocations of the count).
 */
static void
fault_server(struct server *srv, const char *var, long n)
{
	char bin[PATH_MAX], num[32];
	uint64_t end;
	int fd;

	memset(srv, 0, sizeof(*srv));
	strcpy(srv->dir, "/tmp/rumpfault.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(srv->dir));
	snprintf(srv->path, sizeof(srv->path), "%s/sock", srv->dir);
	snprintf(srv->url, sizeof(srv->url), "unix://%s", srv->path);
	snprintf(logpath, sizeof(logpath), "%s/log", srv->dir);
	builddir_path("rump_server", bin, sizeof(bin));
	snprintf(num, sizeof(num), "%ld", n);
	srv->pid = fork();
	ck_assert_int_ge(srv->pid, 0);
	if (srv->pid == 0) {
		fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd == -1)
			_exit(127);
		dup2(fd, 2);
		if (var != NULL)
			setenv(var, num, 1);
		execl(bin, bin, "-s", "-v", srv->url, (char *)NULL);
		_exit(127);
	}
	for (end = now_ms() + 10000; now_ms() < end; usleep(2000)) {
		if (log_has("listening on"))
			return;
		if (waitpid(srv->pid, NULL, WNOHANG) == srv->pid) {
			log_dump();
			ck_abort_msg("rump_server exited at start");
		}
	}
	ck_abort_msg("rump_server did not start listening");
}

/* run tfault with args; its exit status, or a failed test on a hang */
static int
run_tfault(const struct server *srv, const char *a1, const char *a2)
{
	int status;
	uint64_t end;
	pid_t pid;

	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		setenv("RUMP_SERVER", srv->url, 1);
		execl(tfault, tfault, a1, a2, (char *)NULL);
		_exit(127);
	}
	for (end = now_ms() + RUN_LIMIT_MS; now_ms() < end; usleep(1000))
		if (waitpid(pid, &status, WNOHANG) == pid)
			return status;
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	log_dump();
	ck_abort_msg("tfault %s hangs", a1);
	return -1;
}

/* SIGTERM: a clean exit, nothing the sanitizers complain of */
static void
stop_clean(struct server *srv, const char *what, long n)
{
	int st;

	st = srv_stop(srv);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 ||
	    log_has("Sanitizer") || log_has("runtime error")) {
		log_dump();
		ck_abort_msg("%s, N=%ld: server exit status %#x", what, n, st);
	}
	unlink(logpath);
	rmdir(srv->dir);
}

/*
 * One scenario with N swept.  Returns how many runs hit their
 * failure, so that the caller can check the sweep did something.
 */
static long
sweep(const char *scenario)
{
	struct server srv;
	long n, hits = 0;
	int st, full = getenv("RUMP_FAULTS_FULL") != NULL, hit;

	for (n = 1; ; n += (full || n < FULL_SWEEP) ? 1 : n / 8) {
		fault_server(&srv, "RUMP_FAILNTH", n);
		st = run_tfault(&srv, scenario, NULL);
		hit = log_has("RUMP_FAILNTH: allocation");
		if (!WIFEXITED(st) || (WEXITSTATUS(st) != 0 &&
		    !(hit && WEXITSTATUS(st) == 3))) {
			log_dump();
			ck_abort_msg("%s, N=%ld: tfault status %#x%s", scenario,
			    n, st, hit ? "" : " with no failure injected");
		}
		if (!hit) {
			/* ran through before the Nth allocation: done */
			stop_clean(&srv, scenario, n);
			break;
		}
		/* the server still serves, and nothing of the run is left */
		st = run_tfault(&srv, "clean", NULL);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			log_dump();
			ck_abort_msg("%s, N=%ld: a fresh client after it: "
			    "status %#x", scenario, n, st);
		}
		stop_clean(&srv, scenario, n);
		hits++;
	}
	fprintf(stderr, "# %s: %ld runs hit an allocation failure, "
	    "done at N=%ld\n", scenario, hits, n);
	return hits;
}

START_TEST(failnth_hello)
{
	ck_assert_int_gt(sweep("hello"), 3);
}
END_TEST

START_TEST(failnth_files)
{
	ck_assert_int_gt(sweep("files"), 10);
}
END_TEST

START_TEST(failnth_pipes)
{
	ck_assert_int_gt(sweep("pipes"), 5);
}
END_TEST

START_TEST(failnth_sockets)
{
	ck_assert_int_gt(sweep("sockets"), 10);
}
END_TEST

START_TEST(failnth_fork)
{
	ck_assert_int_gt(sweep("fork"), 5);
}
END_TEST

START_TEST(failnth_bigio)
{
	ck_assert_int_gt(sweep("bigio"), 3);
}
END_TEST

START_TEST(failnth_poll)
{
	ck_assert_int_gt(sweep("poll"), 5);
}
END_TEST

START_TEST(failnth_exec)
{
	ck_assert_int_gt(sweep("exec"), 5);
}
END_TEST

/* every frame to the client goes out a few bytes at a time */
START_TEST(short_writes)
{
	static const char *const sc[] = { "files", "pipes", "sockets",
	    "fork", "exec", "poll" };
	struct server srv;
	size_t i;
	int st;

	fault_server(&srv, "RUMP_SHORTWRITE", 3);
	for (i = 0; i < sizeof(sc) / sizeof(sc[0]); i++) {
		st = run_tfault(&srv, sc[i], NULL);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		    "%s with short writes: status %#x", sc[i], st);
	}
	st = run_tfault(&srv, "clean", NULL);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "after short writes: status %#x", st);
	stop_clean(&srv, "short writes", 3);
	/*
	 * The megabytes of bigio in pieces of an odd size that splits
	 * headers and data alike; in 3-byte pieces they would be a third
	 * of a million wakeups of the leader, minutes on a loaded machine.
	 */
	fault_server(&srv, "RUMP_SHORTWRITE", 4093);
	st = run_tfault(&srv, "bigio", NULL);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "bigio with short writes: status %#x", st);
	stop_clean(&srv, "short writes", 4093);
}
END_TEST

/*
 * Peers that go away in the middle of a frame: a header cut short, a
 * body cut short, a request whose reply is never read, a handshake
 * whose body never comes.  The server drops each and serves the next.
 */
START_TEST(peer_closes_mid_frame)
{
	struct server srv;
	struct rsp_hdr h;
	char body[256];
	int fd, i, st;

	fault_server(&srv, NULL, 0);
	for (i = 0; i < 4; i++) {
		fd = raw_connect(&srv);
		ck_assert_int_ge(fd, 0);
		memset(&h, 0, sizeof(h));
		memset(body, 'a', sizeof(body));
		switch (i) {
		case 0:		/* half a header */
			h.rsp_len = RSP_HDRSZ + 8;
			ck_assert_int_eq(write(fd, &h, 12), 12);
			break;
		case 1:		/* a handshake header, half its body */
			h.rsp_len = RSP_HDRSZ + sizeof(body);
			h.rsp_class = RUMPSP_REQ;
			h.rsp_type = RUMPSP_HANDSHAKE;
			h.rsp_arg = HANDSHAKE_GUEST;
			ck_assert_int_eq(write(fd, &h, sizeof(h)),
			    (ssize_t)sizeof(h));
			ck_assert_int_eq(write(fd, body, 100), 100);
			break;
		case 2:		/* a process, then a syscall cut short */
			ck_assert_int_eq(raw_handshake(fd, "midframe"), 0);
			h.rsp_len = RSP_HDRSZ + 64;
			h.rsp_class = RUMPSP_REQ;
			h.rsp_type = RUMPSP_SYSCALL;
			ck_assert_int_eq(write(fd, &h, sizeof(h)),
			    (ssize_t)sizeof(h));
			ck_assert_int_eq(write(fd, body, 5), 5);
			break;
		case 3:		/* a reply it never reads */
			ck_assert_int_eq(raw_handshake(fd, "midreply"), 0);
			ck_assert_int_gt(raw_getpid(fd, 7), 1);
			ck_assert_int_gt(raw_getpid(fd, 8), 1);
			break;
		}
		close(fd);
	}
	st = run_tfault(&srv, "clean", NULL);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "after peers that closed mid-frame: status %#x", st);
	stop_clean(&srv, "mid-frame", 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("faults");
	TCase *tc = tcase_create("faults");
	SRunner *sr;
	int nf;

	builddir_path("tests/tfault", tfault, sizeof(tfault));
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, failnth_hello);
	tcase_add_test(tc, failnth_files);
	tcase_add_test(tc, failnth_pipes);
	tcase_add_test(tc, failnth_sockets);
	tcase_add_test(tc, failnth_fork);
	tcase_add_test(tc, failnth_exec);
	tcase_add_test(tc, failnth_bigio);
	tcase_add_test(tc, failnth_poll);
	tcase_add_test(tc, short_writes);
	tcase_add_test(tc, peer_closes_mid_frame);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
