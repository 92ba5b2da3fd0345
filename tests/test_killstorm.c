/*
 * test_killstorm.c -- clients killed at random while they work (issue
 * 9): multithreaded callers, forkers, clients that make fork images and
 * abandon them, exec chains and readers blocked in the kernel, ten at a
 * time, each SIGKILLed at a random moment and replaced, for
 * RUMP_STORM_SECS seconds (12 by default; the number is 60):
 *
 *	RUMP_STORM_SECS=60 build/tests/test_killstorm
 *
 * Afterwards the server must be back where it was after a warm-up
 * storm: no process but pid 0 and 1, no fork image pending
 * (kern.sysproxy.preforks), one client connected, its descriptors
 * (/proc/PID/fd) and threads (/proc/PID/task) back, and its resident
 * memory within 10% of the warm-up value.  Every "back" is a bounded
 * poll: disconnects are work items the server runs when it can.
 *
 * What the storm did is counted, not required: under load fewer
 * clients get going, and the checks hold for whatever happened.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define NSLOT		10
#define IDLEWORKER	4	/* rump_server --idleworker */
#define SETTLE_MS	30000	/* how long "back" may take */

/* gcc says so with a macro, clang with __has_feature */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SANITIZED	1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED	0
#endif

static struct server srv;
static char tstorm[PATH_MAX];

struct slot {
	pid_t	pid;
	int	out;		/* its standard output: "up" */
};

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int
count_dir(const char *fmt, pid_t pid)
{
	char path[64];
	struct dirent *de;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), fmt, (int)pid);
	ck_assert_ptr_nonnull(d = opendir(path));
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static long
rss_kib(pid_t pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* a number printed by "tstorm ARGS" */
static long
ask(const char *a1, const char *a2)
{
	char out[64];
	int st;

	st = run_prog(&srv, out, sizeof(out), tstorm, a1, a2, (char *)NULL);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "tstorm %s: status %#x", a1, st);
	return strtol(out, NULL, 10);
}

static void
spawn_role(struct slot *s)
{
	static const char *const role[] = { "threads", "forker", "prefork",
	    "exec", "reader" };
	char depth[8];
	int r = rand() % 5, in;

	snprintf(depth, sizeof(depth), "%d", 1 + rand() % 4);
	s->pid = spawn_prog(&srv, &in, &s->out, tstorm, role[r],
	    r == 3 ? depth : NULL, (char *)NULL);
	close(in);
	(void)fcntl(s->out, F_SETFL, O_NONBLOCK);
}

/* read what a client said; how many "up"s */
static int
drain(struct slot *s)
{
	char buf[64];
	ssize_t n;
	int ups = 0, i;

	while ((n = read(s->out, buf, sizeof(buf))) > 0)
		for (i = 0; i + 1 < n; i++)
			if (buf[i] == 'u' && buf[i + 1] == 'p')
				ups++;
	return ups;
}

static void
kill_slot(struct slot *s, int *ups)
{

	kill(s->pid, SIGKILL);
	ck_assert_int_eq(waitpid(s->pid, NULL, 0), s->pid);
	*ups += drain(s);
	close(s->out);
}

/* the storm itself; returns how many clients were killed */
static int
storm(unsigned secs, int *ups)
{
	struct slot slot[NSLOT];
	uint64_t end = now_ms() + secs * 1000ull;
	int i, kills = 0;

	for (i = 0; i < NSLOT; i++)
		spawn_role(&slot[i]);
	while (now_ms() < end) {
		/* pacing, not synchronisation: the kills are meant random */
		usleep(5000 + (unsigned)(rand() % 45000));
		i = rand() % NSLOT;
		kill_slot(&slot[i], ups);
		kills++;
		spawn_role(&slot[i]);
	}
	for (i = 0; i < NSLOT; i++) {
		kill_slot(&slot[i], ups);
		kills++;
	}
	return kills;
}

struct state {
	long	procs, preforks, clients;
	int	fds, threads;
};

static void
measure(struct state *st)
{

	st->procs = ask("procs", NULL);
	st->preforks = ask("count", "kern.sysproxy.preforks");
	/* the asking client is connected while it asks */
	st->clients = ask("count", "kern.sysproxy.clients");
	st->fds = count_dir("/proc/%d/fd", srv.pid);
	st->threads = count_dir("/proc/%d/task", srv.pid);
}

/*
 * Wait until nothing of the storm is left: no process, no image, no
 * client but the one asking, no more descriptors than base had (or,
 * with base NULL, whatever they settle to) and at most maxthreads
 * threads.  Fewer than base is no leak: the base may have caught the
 * socket of a client whose disconnect was still under way (seen once
 * under ThreadSanitizer: 11 after, 12 before).
 */
static void
settle(struct state *st, const struct state *base, int maxthreads)
{
	uint64_t end = now_ms() + SETTLE_MS;

	for (;;) {
		measure(st);
		if (st->procs == 0 && st->preforks == 0 && st->clients == 1 &&
		    (base == NULL || st->fds <= base->fds) &&
		    st->threads <= maxthreads)
			return;
		if (now_ms() > end)
			break;
		usleep(20000);
	}
	ck_abort_msg("not back after the storm: %ld processes, %ld fork "
	    "images, %ld clients, %d descriptors (%d before), %d threads "
	    "(at most %d)", st->procs, st->preforks, st->clients, st->fds,
	    base != NULL ? base->fds : -1, st->threads, maxthreads);
}

START_TEST(kill_storm)
{
	static const char *const extra[] = { "--idleworker", "4", NULL };
	const char *e = getenv("RUMP_STORM_SECS");
	unsigned secs = e != NULL ? (unsigned)atoi(e) : 12;
	struct state base, after;
	long rss0, rss1;
	int t0, kills, ups = 0, maxthreads, st;

	srand((unsigned)getpid());
	builddir_path("tests/tstorm", tstorm, sizeof(tstorm));
	srv_start(&srv, "unix", extra);
	/* threads of a server that has served nobody, plus idle ones kept */
	t0 = count_dir("/proc/%d/task", srv.pid);
	maxthreads = t0 + IDLEWORKER + 1;

	/* warm-up: the same storm, shorter; what it leaves is the base */
	kills = storm(secs / 4 + 1, &ups);
	settle(&base, NULL, maxthreads);
	rss0 = rss_kib(srv.pid);

	kills += storm(secs, &ups);
	settle(&after, &base, maxthreads);
	rss1 = rss_kib(srv.pid);
	fprintf(stderr, "# kill storm: %u s, %d clients killed, %d got "
	    "going; RSS %ld KiB after warm-up, %ld KiB after; %d threads, "
	    "%d descriptors\n", secs, kills, ups, rss0, rss1, after.threads,
	    after.fds);
	ck_assert_int_gt(ups, 0);
	/*
	 * Under a sanitizer freed memory waits in its quarantine and the
	 * shadow grows with it: the figure would measure the sanitizer.
	 */
	if (!SANITIZED)
		ck_assert_msg(rss1 <= rss0 + rss0 / 10, "RSS grew from %ld "
		    "to %ld KiB", rss0, rss1);
	st = srv_stop(&srv);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "server exit status %#x", st);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("killstorm");
	TCase *tc = tcase_create("killstorm");
	const char *e = getenv("RUMP_STORM_SECS");
	SRunner *sr;
	int nf;

	tcase_set_timeout(tc, 2 * (e != NULL ? atoi(e) : 12) + 180);
	tcase_add_test(tc, kill_storm);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
