/*
 * bench_scale.c -- calls per second as clients are added: several
 * client processes, and several threads sharing one connection.
 *
 * usage: bench_scale [-q] [-n ms] [-r rounds] [-k procs|threads] url
 *
 * procs    1, 2, 4 and 8 client processes, each with its own
 *          connection, call rump_sys_getpid() in a loop for -n
 *          milliseconds; the total calls/s, its ratio to one process
 *          (the scaling), and the same number of raw ping-pong pairs
 *          (32-byte request, 48-byte reply) for comparison.
 * threads  8 threads of one client process sharing its connection
 *          against 8 threads each on its own raw connection; the
 *          ratio is rump calls/s over raw calls/s.
 * Rounds alternate raw and rump, as long runs (-n ms each) and as
 * short ones (a tenth of that, three times as many rounds).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rump/rumpclient.h>
#include <rump/rump_syscalls.h>

#include "bench_common.h"

#define USAGE	"bench_scale [-q] [-n ms] [-r rounds] [-k procs|threads] url"

#define NPROC		8
#define NTHREAD		8
#define NKS		4	/* 1, 2, 4, 8 processes */

enum { RAW, RUMP, QUIT };

/* A command to a client process and its answer. */
struct cmd {
	int	 c_kind;
	int	 c_ms;
};
struct answer {
	uint64_t a_calls;
	uint64_t a_ns;
};

struct proc {
	pid_t	 p_pid;
	int	 p_cmd;		/* we write commands */
	int	 p_ans;		/* we read answers */
};

/* Calls of one kind for ms milliseconds: the count and the time. */
static void
spin(int kind, int ms, struct bn_raw *raw, struct answer *a)
{
	char req[BN_GETPID_REQ], resp[BN_GETPID_RESP];
	uint64_t t0, now, end;
	uint64_t calls = 0;
	int i;

	memset(req, 0, sizeof(req));
	rsp_hdr_fill((struct rsp_hdr *)(void *)req, sizeof(req), 0,
	    RUMPSP_REQ, RUMPSP_SYSCALL, RUMP_SYS_getpid);
	t0 = now = bn_now();
	end = t0 + (uint64_t)ms * 1000000u;
	while (now < end) {
		for (i = 0; i < 16; i++) {
			if (kind == RAW)
				bn_raw_call(raw, req, sizeof(req), resp,
				    sizeof(resp));
			else if (rump_sys_getpid() == -1)
				err(1, "rump_sys_getpid");
		}
		calls += 16;
		now = bn_now();
	}
	a->a_calls = calls;
	a->a_ns = now - t0;
}

/* A client process: a raw pair and a connection, serving commands. */
static void __attribute__((__noreturn__))
proc_main(const char *url, const struct rsp_addr *ra, int cmdfd, int ansfd)
{
	struct bn_raw raw;
	struct answer a;
	struct cmd c;

	bn_raw_start(&raw, ra->ra_family, BN_GETPID_REQ, BN_GETPID_RESP);
	bn_client(url, ra);
	memset(&a, 0, sizeof(a));
	if (bn_io(ansfd, &a, sizeof(a), 1) == -1)
		_exit(1);
	while (bn_io(cmdfd, &c, sizeof(c), 0) == 0 && c.c_kind != QUIT) {
		spin(c.c_kind, c.c_ms, &raw, &a);
		if (bn_io(ansfd, &a, sizeof(a), 1) == -1)
			break;
	}
	bn_raw_stop(&raw);
	_exit(0);
}

static void
procs_start(struct proc *p, const char *url, const struct rsp_addr *ra)
{
	struct answer a;
	int cfd[2], afd[2], i;

	for (i = 0; i < NPROC; i++) {
		if (pipe(cfd) == -1 || pipe(afd) == -1)
			err(1, "pipe");
		fflush(stdout);
		if ((p[i].p_pid = fork()) == -1)
			err(1, "fork");
		if (p[i].p_pid == 0) {
			close(cfd[1]);
			close(afd[0]);
			proc_main(url, ra, cfd[0], afd[1]);
		}
		close(cfd[0]);
		close(afd[1]);
		p[i].p_cmd = cfd[1];
		p[i].p_ans = afd[0];
	}
	for (i = 0; i < NPROC; i++)
		if (bn_io(p[i].p_ans, &a, sizeof(a), 0) == -1)
			errx(1, "client process %d failed to start", i);
}

/* k processes run kind for ms: their total calls per second. */
static double
procs_run(struct proc *p, int k, int kind, int ms)
{
	struct answer a;
	struct cmd c;
	double rate = 0;
	int i;

	c.c_kind = kind;
	c.c_ms = ms;
	for (i = 0; i < k; i++)
		if (bn_io(p[i].p_cmd, &c, sizeof(c), 1) == -1)
			errx(1, "client process %d went away", i);
	for (i = 0; i < k; i++) {
		if (bn_io(p[i].p_ans, &a, sizeof(a), 0) == -1)
			errx(1, "client process %d went away", i);
		rate += (double)a.a_calls * 1e9 / (double)a.a_ns;
	}
	return rate;
}

static void
procs_stop(struct proc *p)
{
	struct cmd c;
	int i;

	c.c_kind = QUIT;
	c.c_ms = 0;
	for (i = 0; i < NPROC; i++) {
		(void)bn_io(p[i].p_cmd, &c, sizeof(c), 1);
		close(p[i].p_cmd);
		close(p[i].p_ans);
		(void)waitpid(p[i].p_pid, NULL, 0);
	}
}

static void
bench_procs(const char *url, const struct rsp_addr *ra, int rounds, int ms,
    const char *mode)
{
	static const int ks[NKS] = { 1, 2, 4, 8 };
	double raw[NKS][BN_MAXROUNDS], rump[NKS][BN_MAXROUNDS];
	double scale[BN_MAXROUNDS], vs[BN_MAXROUNDS];
	struct proc p[NPROC];
	char label[64];
	int i, j, first;

	if (rounds > BN_MAXROUNDS)
		rounds = BN_MAXROUNDS;
	procs_start(p, url, ra);
	for (j = 0; j < NKS; j++) {
		(void)procs_run(p, ks[j], RAW, ms / 4 + 1);
		(void)procs_run(p, ks[j], RUMP, ms / 4 + 1);
	}
	for (i = 0; i < rounds; i++)
		for (j = 0; j < NKS; j++) {
			first = (i + j) % 2 == 0 ? RAW : RUMP;
			if (first == RAW) {
				raw[j][i] = procs_run(p, ks[j], RAW, ms);
				rump[j][i] = procs_run(p, ks[j], RUMP, ms);
			} else {
				rump[j][i] = procs_run(p, ks[j], RUMP, ms);
				raw[j][i] = procs_run(p, ks[j], RAW, ms);
			}
		}
	procs_stop(p);

	for (j = 0; j < NKS; j++) {
		for (i = 0; i < rounds; i++) {
			scale[i] = rump[j][i] / rump[0][i];
			vs[i] = raw[j][i] / raw[0][i];
		}
		snprintf(label, sizeof(label), "procs %d %s", ks[j],
		    bn_transport(ra->ra_family));
		printf("%-24s %-6s %12.0f %12.0f %9.2f %9.2f %9.2f  %s\n",
		    label, mode, bn_median(raw[j], rounds),
		    bn_median(rump[j], rounds), bn_median(vs, rounds),
		    bn_min(scale, rounds), bn_median(scale, rounds),
		    ks[j] == 4 ? (bn_median(scale, rounds) >= 1.7 ?
		    ">=1.70 ok" : ">=1.70 MISS") : "");
	}
	fflush(stdout);
}

/* The threads of one process: shared state behind two barriers. */
struct threads {
	pthread_barrier_t t_start;
	pthread_barrier_t t_done;
	int		 t_kind;
	int		 t_ms;
	struct bn_raw	 t_raw[NTHREAD];
	struct answer	 t_ans[NTHREAD];
};

struct tharg {
	struct threads	*ta_t;
	int		 ta_i;
};

static void *
thread_main(void *arg)
{
	struct tharg *ta = arg;
	struct threads *t = ta->ta_t;

	for (;;) {
		pthread_barrier_wait(&t->t_start);
		if (t->t_kind == QUIT)
			break;
		spin(t->t_kind, t->t_ms, &t->t_raw[ta->ta_i],
		    &t->t_ans[ta->ta_i]);
		pthread_barrier_wait(&t->t_done);
	}
	return NULL;
}

static double
threads_run(struct threads *t, int kind, int ms)
{
	double rate = 0;
	int i;

	t->t_kind = kind;
	t->t_ms = ms;
	pthread_barrier_wait(&t->t_start);
	pthread_barrier_wait(&t->t_done);
	for (i = 0; i < NTHREAD; i++)
		rate += (double)t->t_ans[i].a_calls * 1e9 /
		    (double)t->t_ans[i].a_ns;
	return rate;
}

static void
bench_threads(struct threads *t, int family, int rounds, int ms,
    const char *mode)
{
	double raw[BN_MAXROUNDS], rump[BN_MAXROUNDS], ratio[BN_MAXROUNDS];
	char label[64];
	double med;
	int i;

	if (rounds > BN_MAXROUNDS)
		rounds = BN_MAXROUNDS;
	(void)threads_run(t, RAW, ms / 4 + 1);
	(void)threads_run(t, RUMP, ms / 4 + 1);
	for (i = 0; i < rounds; i++) {
		if (i % 2 == 0) {
			raw[i] = threads_run(t, RAW, ms);
			rump[i] = threads_run(t, RUMP, ms);
		} else {
			rump[i] = threads_run(t, RUMP, ms);
			raw[i] = threads_run(t, RAW, ms);
		}
		ratio[i] = rump[i] / raw[i];
	}
	med = bn_median(ratio, rounds);
	snprintf(label, sizeof(label), "threads %d %s", NTHREAD,
	    bn_transport(family));
	printf("%-24s %-6s %12.0f %12.0f %9s %9.2f %9.2f  >=0.80 %s\n",
	    label, mode, bn_median(raw, rounds), bn_median(rump, rounds), "",
	    bn_min(ratio, rounds), med, med >= 0.8 ? "ok" : "MISS");
	fflush(stdout);
}

static void
threads_all(const char *url, const struct rsp_addr *ra, int rounds, int ms)
{
	pthread_t tid[NTHREAD];
	struct tharg ta[NTHREAD];
	struct threads t;
	int i;

	memset(&t, 0, sizeof(t));
	for (i = 0; i < NTHREAD; i++)
		bn_raw_start(&t.t_raw[i], ra->ra_family, BN_GETPID_REQ,
		    BN_GETPID_RESP);
	bn_client(url, ra);
	pthread_barrier_init(&t.t_start, NULL, NTHREAD + 1);
	pthread_barrier_init(&t.t_done, NULL, NTHREAD + 1);
	for (i = 0; i < NTHREAD; i++) {
		ta[i].ta_t = &t;
		ta[i].ta_i = i;
		if ((errno = pthread_create(&tid[i], NULL, thread_main,
		    &ta[i])) != 0)
			err(1, "pthread_create");
	}
	printf("\n%-24s %-6s %12s %12s %9s %9s %9s  %s\n", "case", "mode",
	    "raw_calls/s", "rump_calls/s", "", "ratio_min", "ratio_med",
	    "target");
	bench_threads(&t, ra->ra_family, rounds, ms, "long");
	bench_threads(&t, ra->ra_family, rounds * 3, ms / 10 + 1, "short");
	t.t_kind = QUIT;
	pthread_barrier_wait(&t.t_start);
	for (i = 0; i < NTHREAD; i++) {
		pthread_join(tid[i], NULL);
		bn_raw_stop(&t.t_raw[i]);
	}
}

int
main(int argc, char **argv)
{
	struct rsp_addr ra;
	struct bn_opts o;
	int ms;

	bn_opts_init(&o, 200, 11, 0);
	argv += bn_opts_parse(&o, argc, argv, USAGE);
	if (*argv == NULL || argv[1] != NULL) {
		fprintf(stderr, "usage: %s\n", USAGE);
		return 1;
	}
	bn_url(*argv, &ra);
	ms = (int)o.o_n;
	/* a tenth of 200 ms is too short for a process to get going */
	if (o.o_quick && ms < 50)
		ms = 50;
	printf("# bench_scale %s: %d rounds of %d ms per side (short: "
	    "%d rounds of %d ms)\n", *argv, o.o_rounds, ms, o.o_rounds * 3,
	    ms / 10 + 1);

	if (bn_want(&o, "procs")) {
		printf("\n%-24s %-6s %12s %12s %9s %9s %9s  %s\n", "case",
		    "mode", "raw_calls/s", "rump_calls/s", "raw_scale",
		    "scale_min", "scale_med", "target");
		bench_procs(*argv, &ra, o.o_rounds, ms, "long");
		bench_procs(*argv, &ra, o.o_rounds * 3, ms / 10 + 1, "short");
	}
	/* last: it makes this process a client */
	if (bn_want(&o, "threads"))
		threads_all(*argv, &ra, o.o_rounds, ms);
	return 0;
}
