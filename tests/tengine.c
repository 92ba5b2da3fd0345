/*
 * tengine.c -- a rump client for the engine tests (test_engine.c):
 * calls blocked in the kernel beside calls that would wake them, many
 * blocked clients, exec with every thread blocked, a failed exec,
 * closefrom(3) under waiting threads, and calls re-sent across
 * reconnects that closefrom(3) forces.  Each subcommand checks what it
 * can and prints "ok"; a failed check prints what failed and exits 1.
 *
 * "Blocked in the kernel" is seen through the process listing: the
 * server keeps one lwp per client between calls, so a process whose
 * every lwp but the main one is taken has a call in the kernel
 * (rpi_nlwps counts them; see waitlwps()).
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rump/rump.h>
#include <rump/rumpclient.h>
#include <rump/rumpdefs.h>
#include <rump/rump_syscalls.h>

#define CHECK(e) do {							\
	if (!(e)) {							\
		fprintf(stderr, "tengine: %s:%d: check failed: %s "	\
		    "(errno %s)\n", __FILE__, __LINE__, #e,		\
		    strerror(errno));					\
		exit(1);						\
	}								\
} while (0)

static char self[PATH_MAX];
static int pfd[2];

/* lwps of pid in the kernel, or -1 */
static int
nlwps(pid_t pid)
{
	static struct rump_procinfo pi[4096];
	ssize_t n;
	int i;

	n = rump_sys_proclist(pi, sizeof(pi));
	CHECK(n >= 0);
	for (i = 0; i < n / (ssize_t)sizeof(pi[0]); i++)
		if (pi[i].rpi_pid == pid)
			return pi[i].rpi_nlwps;
	return -1;
}

/* children of pid with at least want lwps */
static int
nchildren_in(pid_t pid, int want)
{
	static struct rump_procinfo pi[4096];
	ssize_t n;
	int i, c = 0;

	n = rump_sys_proclist(pi, sizeof(pi));
	CHECK(n >= 0);
	for (i = 0; i < n / (ssize_t)sizeof(pi[0]); i++)
		if (pi[i].rpi_ppid == pid && pi[i].rpi_nlwps >= want)
			c++;
	return c;
}

/* Wait (10 s at most) until pid has at least want lwps. */
static void
waitlwps(pid_t pid, int want)
{
	int i;

	for (i = 0; i < 1000; i++) {
		if (nlwps(pid) >= want)
			return;
		usleep(10000);
	}
	fprintf(stderr, "tengine: pid %d never had %d lwps\n", (int)pid,
	    want);
	exit(1);
}

static void *
reader(void *arg)
{
	char c;
	ssize_t n;

	n = rump_sys_read(pfd[0], &c, 1);
	if (arg != NULL) {
		/* the old image of an exec: nothing may return */
		printf("read returned %zd (%s)\n", n,
		    n == -1 ? strerror(errno) : "data");
		fflush(stdout);
		return NULL;
	}
	CHECK(n == 1 && c == 'x');
	return NULL;
}

/*
 * A read blocked on a pipe, then the write that wakes it.  Run against
 * --maxworker 1: the blocked read must not hold the only thread.
 */
static int
cmd_starve(void)
{
	pthread_t t;
	pid_t me;

	CHECK(rump_sys_pipe2(pfd, 0) == 0);
	me = rump_sys_getpid();
	CHECK(pthread_create(&t, NULL, reader, NULL) == 0);
	/* main lwp, the reader's, and the one of this very listing */
	waitlwps(me, 3);
	CHECK(rump_sys_write(pfd[1], "x", 1) == 1);
	CHECK(pthread_join(t, NULL) == 0);
	printf("ok\n");
	return 0;
}

/*
 * n processes each blocked in read on a pipe, a fresh client served
 * meanwhile (the test runs one), then the writes that wake them all.
 * Prints "blocked" when they are, then waits for a line on stdin.
 */
static int
cmd_blockers(int n)
{
	pid_t *kids, me;
	char line[16];
	int i, st, bad = 0;

	CHECK(rump_sys_pipe2(pfd, 0) == 0);
	me = rump_sys_getpid();
	CHECK((kids = calloc((size_t)n, sizeof(*kids))) != NULL);
	for (i = 0; i < n; i++) {
		kids[i] = rumpclient_fork();
		CHECK(kids[i] != -1);
		if (kids[i] == 0) {
			char c;

			/* exit(3): the kernel hears our status (and gcov) */
			exit(rump_sys_read(pfd[0], &c, 1) == 1 ? 0 : 1);
		}
	}
	/* each child's read is its first call: main lwp plus one */
	for (i = 0; i < 3000 && nchildren_in(me, 2) < n; i++)
		usleep(10000);
	CHECK(nchildren_in(me, 2) == n);
	printf("blocked\n");
	fflush(stdout);
	if (fgets(line, sizeof(line), stdin) == NULL)
		return 1;
	for (i = 0; i < n; i++)
		CHECK(rump_sys_write(pfd[1], "x", 1) == 1);
	for (i = 0; i < n; i++) {
		CHECK(waitpid(kids[i], &st, 0) == kids[i]);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			bad++;
	}
	CHECK(bad == 0);
	free(kids);
	printf("ok\n");
	return 0;
}

/* nthr threads blocked in read, then exec ourselves ("afterexec"). */
static int
cmd_blockexec(int nthr)
{
	char pidarg[16], as[] = "afterexec";
	char *argv[4];
	pthread_t t;
	pid_t me;
	int i;

	CHECK(rump_sys_pipe2(pfd, 0) == 0);
	me = rump_sys_getpid();
	for (i = 0; i < nthr; i++)
		CHECK(pthread_create(&t, NULL, reader, self) == 0);
	waitlwps(me, nthr + 2);
	snprintf(pidarg, sizeof(pidarg), "%d", (int)me);
	argv[0] = self;
	argv[1] = as;
	argv[2] = pidarg;
	argv[3] = NULL;
	rumpclient_exec(self, argv, environ);
	fprintf(stderr, "tengine: exec: %s\n", strerror(errno));
	return 1;
}

static int
cmd_afterexec(pid_t pid)
{

	CHECK(rumpclient_init() == 0);
	CHECK(rump_sys_getpid() == pid);
	printf("ok\n");
	return 0;
}

/* A failed exec leaves descriptors, close-on-exec ones too, and name. */
static int
cmd_execfail(void)
{
	char x[] = "x";
	char *argv[2] = { x, NULL };
	struct rump_procinfo pi[64];
	char before[16] = "", after[16] = "";
	struct stat sb;
	ssize_t n;
	pid_t me;
	int fd, i;

	me = rump_sys_getpid();
	CHECK((fd = rump_sys_open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0);
	n = rump_sys_proclist(pi, sizeof(pi));
	for (i = 0; i < n / (ssize_t)sizeof(pi[0]); i++)
		if (pi[i].rpi_pid == me)
			memcpy(before, pi[i].rpi_comm, sizeof(before));
	CHECK(rumpclient_exec("/nonexistent/prog", argv, environ) == -1);
	CHECK(errno == ENOENT);
	CHECK(rump_sys_fstat(fd, &sb) == 0);
	CHECK(rump_sys_getpid() == me);
	n = rump_sys_proclist(pi, sizeof(pi));
	for (i = 0; i < n / (ssize_t)sizeof(pi[0]); i++)
		if (pi[i].rpi_pid == me)
			memcpy(after, pi[i].rpi_comm, sizeof(after));
	CHECK(before[0] != '\0' && strcmp(before, after) == 0);
	printf("ok\n");
	return 0;
}

/*
 * Threads wait in calls; the program closes every descriptor above 2.
 * The waiting threads must come back with an error, not hang.
 */
static void *
closed_reader(void *arg)
{
	char c;

	(void)arg;
	CHECK(rump_sys_read(pfd[0], &c, 1) == -1);
	return NULL;
}

static int
cmd_closefrom(int nthr)
{
	pthread_t t[16];
	pid_t me;
	int i, fd;

	CHECK(rump_sys_pipe2(pfd, 0) == 0);
	me = rump_sys_getpid();
	for (i = 0; i < nthr; i++)
		CHECK(pthread_create(&t[i], NULL, closed_reader, NULL) == 0);
	waitlwps(me, nthr + 2);
	closefrom(3);
	/* the number comes back for a file of the program's own */
	CHECK((fd = open("/dev/null", O_RDONLY)) >= 3);
	for (i = 0; i < nthr; i++)
		CHECK(pthread_join(t[i], NULL) == 0);
	/* and the library did not close or write to it */
	CHECK(fcntl(fd, F_GETFD) != -1);
	printf("ok\n");
	return 0;
}

/*
 * NetBSD's reconnect scenario: threads make calls while another closes
 * every descriptor above 2 again and again; under
 * RUMPCLIENT_RETRYCONN_INFTIME each call cut off is sent again on a
 * new connection, so none fails.  The calls are counted, not timed.
 * The workers wait for the first two closes to have happened by their
 * 100th and 200th call: on two CPUs kept busy by them (on rings) the
 * closing thread could otherwise run too late to close twice.
 */
static pthread_mutex_t rc_mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t rc_cv = PTHREAD_COND_INITIALIZER;
static int rc_calls, rc_done, rc_closes;

static void *
reconnect_worker(void *arg)
{
	char name[64];
	int mib[2] = { RUMP_CTL_KERN, RUMP_KERN_HOSTNAME };
	size_t len;
	int i;

	(void)arg;
	for (i = 0; i < 120; i++) {
		CHECK(rump_sys_getpid() > 0);
		len = sizeof(name);
		memset(name, 0, sizeof(name));
		CHECK(rump_sys___sysctl(mib, 2, name, &len, NULL, 0) == 0);
		CHECK(strcmp(name, "tengine-host") == 0);
		pthread_mutex_lock(&rc_mtx);
		rc_calls++;
		pthread_cond_broadcast(&rc_cv);
		while (rc_closes < 2 && rc_calls >= 100 * (rc_closes + 1))
			pthread_cond_wait(&rc_cv, &rc_mtx);
		pthread_mutex_unlock(&rc_mtx);
	}
	pthread_mutex_lock(&rc_mtx);
	rc_done++;
	pthread_cond_broadcast(&rc_cv);
	pthread_mutex_unlock(&rc_mtx);
	return NULL;
}

static int
cmd_reconnect(int nthr)
{
	int mib[2] = { RUMP_CTL_KERN, RUMP_KERN_HOSTNAME };
	pthread_t t[16];
	int i, seen = 0;

	/* a new process after each reconnect: the name is the kernel's */
	CHECK(rump_sys___sysctl(mib, 2, NULL, NULL, "tengine-host", 13) == 0);
	for (i = 0; i < nthr; i++)
		CHECK(pthread_create(&t[i], NULL, reconnect_worker,
		    NULL) == 0);
	pthread_mutex_lock(&rc_mtx);
	while (rc_done < nthr) {
		/* close everything once for every 40 calls done */
		if (rc_calls - seen >= 40) {
			seen = rc_calls;
			pthread_mutex_unlock(&rc_mtx);
			closefrom(3);
			pthread_mutex_lock(&rc_mtx);
			rc_closes++;
			pthread_cond_broadcast(&rc_cv);
			continue;
		}
		pthread_cond_wait(&rc_cv, &rc_mtx);
	}
	pthread_mutex_unlock(&rc_mtx);
	for (i = 0; i < nthr; i++)
		CHECK(pthread_join(t[i], NULL) == 0);
	/*
	 * Up to 12: each costs up to two RC_CHECK_MS (a reconnect waits
	 * until every thread of the old connection has seen its
	 * descriptor gone), so more would make a slow test.  On shared
	 * memory calls go on through the still mapped ring until the
	 * server has seen the socket's end, so fewer closes may find the
	 * calls unfinished; two reconnects are the least that tests it.
	 */
	CHECK(rc_closes >= 2);
	printf("ok\n");
	return 0;
}

int
main(int argc, char *argv[])
{
	ssize_t n;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	CHECK(n > 0);
	self[n] = '\0';
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 3 && strcmp(argv[1], "afterexec") == 0)
		return cmd_afterexec(atoi(argv[2]));
	if (argc >= 2 && strcmp(argv[1], "reconnect") == 0)
		rumpclient_setconnretry(RUMPCLIENT_RETRYCONN_INFTIME);
	if (rumpclient_init() != 0) {
		/* on stdout: the test compares the reason */
		printf("tengine: rumpclient_init: %s\n", strerror(errno));
		return 2;
	}
	if (argc >= 2 && strcmp(argv[1], "starve") == 0)
		return cmd_starve();
	if (argc >= 3 && strcmp(argv[1], "blockers") == 0 &&
	    atoi(argv[2]) == 0) {
		char line[16];

		/* just stay connected until told */
		printf("connected\n");
		return fgets(line, sizeof(line), stdin) == NULL;
	}
	if (argc >= 3 && strcmp(argv[1], "blockers") == 0)
		return cmd_blockers(atoi(argv[2]));
	if (argc >= 3 && strcmp(argv[1], "blockexec") == 0)
		return cmd_blockexec(atoi(argv[2]));
	if (argc >= 2 && strcmp(argv[1], "execfail") == 0)
		return cmd_execfail();
	if (argc >= 3 && strcmp(argv[1], "closefrom") == 0)
		return cmd_closefrom(atoi(argv[2]));
	if (argc >= 3 && strcmp(argv[1], "reconnect") == 0)
		return cmd_reconnect(atoi(argv[2]));
	if (argc >= 2 && strcmp(argv[1], "ids") == 0) {
		/* credentials, then whether this client may halt the kernel */
		printf("%d %d ", (int)rump_sys_getuid(),
		    (int)rump_sys_getgid());
		if (rump_sys_reboot(RUMP_RB_HALT, NULL) == -1)
			printf("%s\n", strerror(errno));
		else
			printf("halted\n");
		return 0;
	}
	if (argc >= 3 && strcmp(argv[1], "counter") == 0) {
		/* a kern.sysproxy counter by name, through sysctl */
		int q[2] = { RUMP_CTL_SYSCTL, RUMP_SYSCTL_NAME2OID }, mib[4];
		size_t mlen = sizeof(mib), vlen;
		int64_t v;

		CHECK(rump_sys___sysctl(q, 2, mib, &mlen, argv[2],
		    strlen(argv[2])) == 0);
		vlen = sizeof(v);
		CHECK(rump_sys___sysctl(mib, (unsigned)(mlen / sizeof(int)), &v,
		    &vlen, NULL, 0) == 0 && vlen == sizeof(v));
		printf("%lld\n", (long long)v);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "getpid") == 0) {
		printf("%d\n", (int)rump_sys_getpid());
		return 0;
	}
	fprintf(stderr, "usage: tengine starve | blockers n | blockexec n |"
	    " execfail | closefrom n | reconnect n | getpid\n");
	return 2;
}
