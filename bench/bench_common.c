/*
 * bench_common.c -- what the benchmarks share.
 *
 * Every case compares the kernel with a raw baseline measured in the
 * same run: rounds alternate the two sides (the order flips every
 * round), either as one long run of n calls per side or as short
 * chunks of a few calls per side interleaved, so that both sides see
 * the same machine load.  The ratio of every round is kept and the
 * minimum and median of those ratios are printed: on a shared 2-core
 * machine a single figure moves a lot, the median of a ratio less.
 *
 * The raw baseline is a forked child answering fixed-size requests
 * with fixed-size replies over the same kind of socket (a ping-pong
 * when the sizes are a frame's, streaming when they are a buffer's).
 *
 * The counters: context switches summed over /proc/PID/task/<tid>/status
 * of each process of a pair, and system calls of each counted by a
 * "perf stat -e raw_syscalls:sys_enter" attached to it, started
 * disabled and switched on and off around the measured calls through
 * its --control descriptors.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rump/rumpclient.h>

#include "bench_common.h"

#define WAITSERVER_MS	10000
#define PERF_ACK_MS	10000

uint64_t
bn_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Read (wr == 0) or write all of len bytes: 0, or -1 on EOF or error. */
int
bn_io(int fd, void *buf, size_t len, int wr)
{
	char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = wr ? write(fd, p, len) : read(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

void
bn_opts_init(struct bn_opts *o, long n, int rounds, int chunk)
{

	memset(o, 0, sizeof(*o));
	o->o_n = n;
	o->o_rounds = rounds;
	o->o_chunk = chunk;
}

static long
bn_num(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end != '\0' || errno != 0 || v < min || v > max)
		errx(1, "invalid number: %s (%ld to %ld)", s, min, max);
	return v;
}

/*
 * -n calls, -r rounds, -c chunk, -q (quick: a tenth of the calls, ten
 * rounds), -s server pid, -k case, -i idle clients.  Returns optind;
 * prints usage and exits on a bad option.
 */
int
bn_opts_parse(struct bn_opts *o, int argc, char **argv, const char *usage)
{
	int ch, quick = 0, nset = 0, rset = 0;

	while ((ch = getopt(argc, argv, "c:i:k:n:qr:s:")) != -1) {
		switch (ch) {
		case 'c':
			o->o_chunk = (int)bn_num(optarg, 1, 1000000);
			break;
		case 'i':
			o->o_idle = bn_num(optarg, 0, 1000000);
			break;
		case 'k':
			o->o_case = optarg;
			break;
		case 'n':
			o->o_n = bn_num(optarg, 1, 1000000000);
			nset = 1;
			break;
		case 'q':
			quick = 1;
			break;
		case 'r':
			o->o_rounds = (int)bn_num(optarg, 10, BN_MAXROUNDS);
			rset = 1;
			break;
		case 's':
			o->o_server = (pid_t)bn_num(optarg, 1, 1 << 30);
			break;
		default:
			fprintf(stderr, "usage: %s\n", usage);
			exit(1);
		}
	}
	o->o_quick = quick;
	if (quick && !nset)
		o->o_n = o->o_n / 10 > 1 ? o->o_n / 10 : 1;
	if (quick && !rset)
		o->o_rounds = 10;
	return optind;
}

/* Whether case name is to run (-k selects one; a prefix matches). */
int
bn_want(const struct bn_opts *o, const char *name)
{

	return o->o_case == NULL ||
	    strncmp(name, o->o_case, strlen(o->o_case)) == 0;
}

void
bn_url(const char *url, struct rsp_addr *ra)
{
	int error;

	if ((error = rsp_url_parse(url, 0, ra)) != 0) {
		errno = error;
		err(1, "%s", url);
	}
}

/*
 * The transport a client of this process uses: on a Unix socket the
 * shared rings of rump_sp(7), unless RUMP_SHM=0 keeps it on the socket.
 */
const char *
bn_transport(int family)
{
	const char *v;

	switch (family) {
	case AF_UNIX:
		v = getenv("RUMP_SHM");
		return v != NULL && strcmp(v, "0") == 0 ? "unix" : "shm";
	case AF_INET:	return "tcp";
	default:	return "tcp6";
	}
}

/*
 * rump_server -s may still be booting: wait until its socket accepts
 * a connection (which it sees as a client leaving before its
 * handshake), then connect this process as a client.
 */
void
bn_client(const char *url, const struct rsp_addr *ra)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int fd, i;

	for (i = 0; i < WAITSERVER_MS / 10; i++) {
		if ((fd = socket(ra->ra_family, SOCK_STREAM | SOCK_CLOEXEC,
		    0)) == -1)
			err(1, "socket");
		if (connect(fd, (const struct sockaddr *)&ra->ra_sa,
		    ra->ra_len) == 0) {
			close(fd);
			break;
		}
		close(fd);
		nanosleep(&ts, NULL);
	}
	if (i == WAITSERVER_MS / 10)
		errx(1, "%s: no server answers", url);
	if (setenv("RUMP_SERVER", url, 1) == -1)
		err(1, "setenv");
	if (rumpclient_init() == -1)
		err(1, "rumpclient_init %s", url);
}

static void
bn_nodelay(int fd, int family)
{
	int one = 1;

	if (family != AF_UNIX)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
}

/*
 * The echoing child: a reply of respsz bytes for every request of
 * reqsz bytes until EOF.  A reply big enough for a header carries the
 * request's number, as a real server's does.
 */
static void __attribute__((__noreturn__))
bn_raw_serve(int lfd, int family, size_t reqsz, size_t respsz)
{
	struct rsp_hdr h;
	char *req, *resp;
	int fd;

	if ((fd = accept(lfd, NULL, NULL)) == -1)
		_exit(1);
	/* only this socket: earlier peers' ends would keep them from EOF */
	if (fd != 3) {
		if (dup2(fd, 3) == -1)
			_exit(1);
		fd = 3;
	}
	closefrom(4);
	bn_nodelay(fd, family);
	if ((req = malloc(reqsz)) == NULL || (resp = calloc(1, respsz)) ==
	    NULL)
		_exit(1);
	while (bn_io(fd, req, reqsz, 0) == 0) {
		if (reqsz >= RSP_HDRSZ && respsz >= RSP_HDRSZ) {
			memcpy(&h, req, sizeof(h));
			rsp_hdr_fill((struct rsp_hdr *)(void *)resp, respsz,
			    h.rsp_reqno, RUMPSP_RESP, h.rsp_type, 0);
		}
		if (bn_io(fd, resp, respsz, 1) == -1)
			break;
	}
	_exit(0);
}

/* A listening socket of family on a fresh loopback address. */
static int
bn_raw_listen(int family, struct bn_raw *r, struct sockaddr_storage *ss,
    socklen_t *sslen)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	int fd;

	memset(ss, 0, sizeof(*ss));
	switch (family) {
	case AF_UNIX:
		strlcpy(r->r_dir, "/tmp/rumpbench.XXXXXX", sizeof(r->r_dir));
		if (mkdtemp(r->r_dir) == NULL)
			err(1, "mkdtemp");
		snprintf(r->r_path, sizeof(r->r_path), "%s/raw", r->r_dir);
		sun->sun_family = AF_UNIX;
		strlcpy(sun->sun_path, r->r_path, sizeof(sun->sun_path));
		*sslen = sizeof(*sun);
		break;
	case AF_INET:
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		*sslen = sizeof(*sin);
		break;
	default:
		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_loopback;
		*sslen = sizeof(*sin6);
	}
	if ((fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		err(1, "socket");
	if (bind(fd, (struct sockaddr *)ss, *sslen) == -1)
		err(1, "bind");
	if (listen(fd, 1) == -1)
		err(1, "listen");
	if (getsockname(fd, (struct sockaddr *)ss, sslen) == -1)
		err(1, "getsockname");
	return fd;
}

/* Fork an echoing child of family answering reqsz with respsz bytes. */
void
bn_raw_start(struct bn_raw *r, int family, size_t reqsz, size_t respsz)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	int lfd;

	memset(r, 0, sizeof(*r));
	lfd = bn_raw_listen(family, r, &ss, &sslen);
	fflush(stdout);
	if ((r->r_pid = fork()) == -1)
		err(1, "fork");
	if (r->r_pid == 0)
		bn_raw_serve(lfd, family, reqsz, respsz);
	if ((r->r_fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		err(1, "socket");
	if (connect(r->r_fd, (struct sockaddr *)&ss, sslen) == -1)
		err(1, "connect");
	bn_nodelay(r->r_fd, family);
	close(lfd);
}

/* One exchange with the raw peer. */
void
bn_raw_call(struct bn_raw *r, void *req, size_t reqsz, void *resp,
    size_t respsz)
{

	if (bn_io(r->r_fd, req, reqsz, 1) == -1 ||
	    bn_io(r->r_fd, resp, respsz, 0) == -1)
		errx(1, "raw echo peer went away");
}

void
bn_raw_stop(struct bn_raw *r)
{

	close(r->r_fd);
	(void)waitpid(r->r_pid, NULL, 0);
	if (r->r_path[0] != '\0') {
		unlink(r->r_path);
		rmdir(r->r_dir);
	}
}

static double
bn_time(const struct bn_side *s, long n)
{
	uint64_t t0;

	t0 = bn_now();
	s->s_run(s->s_arg, n);
	return (double)(bn_now() - t0);
}

/*
 * rounds rounds of n calls per side, alternating raw and rump (the
 * order flips each round): one run each if chunk is 0, else chunks of
 * chunk calls interleaved.  A ratio is rump/raw time, or raw/rump
 * (throughput) if inv.  A tenth of n per side warms up first.
 */
void
bn_rounds(struct bn_result *res, const struct bn_side *raw,
    const struct bn_side *rump, int rounds, long n, int chunk, int inv)
{
	const struct bn_side *first, *second;
	double t[2];
	long done, c;
	int i;

	if (rounds > BN_MAXROUNDS)
		rounds = BN_MAXROUNDS;
	res->r_rounds = rounds;
	raw->s_run(raw->s_arg, n / 10 + 1);
	rump->s_run(rump->s_arg, n / 10 + 1);
	for (i = 0; i < rounds; i++) {
		first = i % 2 == 0 ? raw : rump;
		second = i % 2 == 0 ? rump : raw;
		t[0] = t[1] = 0;
		if (chunk == 0) {
			t[0] = bn_time(first, n);
			t[1] = bn_time(second, n);
		} else {
			for (done = 0; done < n; done += c) {
				c = n - done < chunk ? n - done : chunk;
				t[0] += bn_time(first, c);
				t[1] += bn_time(second, c);
			}
		}
		res->r_raw[i] = t[i % 2] / (double)n;
		res->r_rump[i] = t[1 - i % 2] / (double)n;
		res->r_ratio[i] = inv ? res->r_raw[i] / res->r_rump[i] :
		    res->r_rump[i] / res->r_raw[i];
	}
}

static int
bn_cmpdouble(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double
bn_median(const double *v, int n)
{
	double s[BN_MAXROUNDS];

	if (n <= 0)
		return 0;
	if (n > BN_MAXROUNDS)
		n = BN_MAXROUNDS;
	memcpy(s, v, (size_t)n * sizeof(s[0]));
	qsort(s, (size_t)n, sizeof(s[0]), bn_cmpdouble);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

double
bn_min(const double *v, int n)
{
	double m;
	int i;

	m = n > 0 ? v[0] : 0;
	for (i = 1; i < n; i++)
		if (v[i] < m)
			m = v[i];
	return m;
}

void
bn_header(const char *what)
{

	printf("\n%-24s %-6s %10s %10s %9s %9s  %s\n", what, "mode",
	    "raw_ns", "rump_ns", "ratio_min", "ratio_med", "target");
	fflush(stdout);
}

/* Whether v meets a target written "<=1.1" or ">=0.7". */
static const char *
bn_verdict(double v, const char *target)
{
	double t;

	if (target == NULL || strlen(target) < 3)
		return "";
	t = strtod(target + 2, NULL);
	if (target[0] == '<')
		return v <= t ? "ok" : "MISS";
	return v >= t ? "ok" : "MISS";
}

/* One row: the medians of the times per call, the ratio's min/median. */
void
bn_print(const char *name, const char *mode, const struct bn_result *res,
    const char *target)
{
	double med;

	med = bn_median(res->r_ratio, res->r_rounds);
	printf("%-24s %-6s %10.0f %10.0f %9.2f %9.2f  %s %s\n", name, mode,
	    bn_median(res->r_raw, res->r_rounds),
	    bn_median(res->r_rump, res->r_rounds),
	    bn_min(res->r_ratio, res->r_rounds), med,
	    target != NULL ? target : "", bn_verdict(med, target));
	fflush(stdout);
}

/* Context switches of every thread of pid, voluntary or not. */
long
bn_ctxsw(pid_t pid)
{
	char path[320], line[256];
	struct dirent *de;
	long sum, v;
	DIR *d;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/task", (long)pid);
	if ((d = opendir(path)) == NULL)
		return 0;
	sum = 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/task/%s/status",
		    (long)pid, de->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		while (fgets(line, sizeof(line), f) != NULL)
			if (sscanf(line, "voluntary_ctxt_switches: %ld",
			    &v) == 1 ||
			    sscanf(line, "nonvoluntary_ctxt_switches: %ld",
			    &v) == 1)
				sum += v;
		fclose(f);
	}
	closedir(d);
	return sum;
}

/* VmRSS of pid in KiB, -1 if unknown. */
long
bn_rss_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* Wait for perf's "ack": 0, or -1 if it died or said nothing. */
static int
bn_perf_ack(struct bn_perf *p)
{
	struct pollfd pfd;
	char buf[16];

	pfd.fd = p->p_ack;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, PERF_ACK_MS) != 1)
		return -1;
	if (read(p->p_ack, buf, sizeof(buf)) <= 0)
		return -1;
	return 0;
}

static void
bn_perf_kill(struct bn_perf *p)
{

	close(p->p_ctl);
	close(p->p_ack);
	kill(p->p_pid, SIGINT);
	(void)waitpid(p->p_pid, NULL, 0);
	p->p_pid = 0;
}

/*
 * Attach "perf stat" to process pid, disabled, and switch it on.
 * Returns 0 once it counts, -1 (and p->p_pid 0) if perf is missing or
 * cannot attach.
 */
int
bn_perf_start(struct bn_perf *p, pid_t pid)
{
	char pids[64], ctl[64];
	int cfd[2], afd[2], fd;

	memset(p, 0, sizeof(*p));
	strlcpy(p->p_out, "/tmp/rumpbench.perf.XXXXXX", sizeof(p->p_out));
	if ((fd = mkstemp(p->p_out)) == -1)
		return -1;
	close(fd);
	if (pipe(cfd) == -1 || pipe(afd) == -1)
		err(1, "pipe");
	snprintf(pids, sizeof(pids), "%ld", (long)pid);
	snprintf(ctl, sizeof(ctl), "fd:%d,%d", cfd[0], afd[1]);
	fflush(stdout);
	if ((p->p_pid = fork()) == -1)
		err(1, "fork");
	if (p->p_pid == 0) {
		if ((fd = open("/dev/null", O_RDWR)) != -1) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		close(cfd[1]);
		close(afd[0]);
		execlp("perf", "perf", "stat", "-x,", "-e",
		    "raw_syscalls:sys_enter", "-D", "-1", "--control", ctl,
		    "-o", p->p_out, "-p", pids, (char *)NULL);
		_exit(127);
	}
	close(cfd[0]);
	close(afd[1]);
	p->p_ctl = cfd[1];
	p->p_ack = afd[0];
	signal(SIGPIPE, SIG_IGN);
	if (write(p->p_ctl, "enable\n", 7) != 7 || bn_perf_ack(p) == -1) {
		bn_perf_kill(p);
		unlink(p->p_out);
		return -1;
	}
	return 0;
}

/* Switch perf off and return the system calls it counted, or -1. */
long
bn_perf_stop(struct bn_perf *p)
{
	char line[256];
	long n = -1;
	FILE *f;

	if (p->p_pid == 0)
		return -1;
	if (write(p->p_ctl, "disable\n", 8) != 8 || bn_perf_ack(p) == -1) {
		bn_perf_kill(p);
		unlink(p->p_out);
		return -1;
	}
	bn_perf_kill(p);
	if ((f = fopen(p->p_out, "r")) != NULL) {
		while (fgets(line, sizeof(line), f) != NULL) {
			if (strstr(line, "raw_syscalls:sys_enter") == NULL)
				continue;
			n = strncmp(line, "<not counted>", 13) == 0 ? 0 :
			    strtol(line, NULL, 10);
			break;
		}
		fclose(f);
	}
	unlink(p->p_out);
	return n;
}

/*
 * n calls of side with processes a and b (client and server) counted,
 * per call each: system calls by perf, then (another n calls, so that
 * reading /proc is not counted as the client's) context switches.
 * The client's perf starts last and stops first: starting the other
 * is not counted either.
 */
void
bn_count(struct bn_count *c, const struct bn_side *s, long n, pid_t a,
    pid_t b)
{
	struct bn_perf p[2];
	long cs0[2], cs1[2], sc;
	pid_t pid[2];
	int have[2], i;

	pid[0] = a;
	pid[1] = b;
	s->s_run(s->s_arg, n / 10 + 1);
	for (i = 1; i >= 0; i--)
		have[i] = bn_perf_start(&p[i], pid[i]) == 0;
	s->s_run(s->s_arg, n);
	for (i = 0; i < 2; i++) {
		sc = have[i] ? bn_perf_stop(&p[i]) : -1;
		c->c_syscalls[i] = sc < 0 ? -1 : (double)sc / (double)n;
	}

	for (i = 0; i < 2; i++)
		cs0[i] = bn_ctxsw(pid[i]);
	s->s_run(s->s_arg, n);
	for (i = 0; i < 2; i++) {
		cs1[i] = bn_ctxsw(pid[i]);
		c->c_ctxsw[i] = (double)(cs1[i] - cs0[i]) / (double)n;
	}
}

void
bn_count_header(const char *what)
{

	printf("%-24s %-6s %-5s %8s %8s %8s %8s %8s %8s\n", what, "counts",
	    "side", "sc_cli", "sc_srv", "sc_sum", "cs_cli", "cs_srv",
	    "cs_sum");
	fflush(stdout);
}

static void
bn_count_num(double v)
{

	if (v < 0)
		printf(" %8s", "-");
	else
		printf(" %8.2f", v);
}

/*
 * The counts of the raw and the rump side of one case: system calls
 * (sc) and context switches (cs) per call of the client, the server
 * (the echo child for raw) and both together.
 */
void
bn_print_count(const char *name, const struct bn_count *raw,
    const struct bn_count *rump)
{
	const struct bn_count *c;
	int i;

	for (i = 0; i < 2; i++) {
		c = i == 0 ? raw : rump;
		if (c == NULL)
			continue;
		printf("%-24s %-6s %-5s", name, "counts",
		    i == 0 ? "raw" : "rump");
		bn_count_num(c->c_syscalls[0]);
		bn_count_num(c->c_syscalls[1]);
		bn_count_num(c->c_syscalls[0] < 0 || c->c_syscalls[1] < 0 ?
		    -1 : c->c_syscalls[0] + c->c_syscalls[1]);
		bn_count_num(c->c_ctxsw[0]);
		bn_count_num(c->c_ctxsw[1]);
		bn_count_num(c->c_ctxsw[0] + c->c_ctxsw[1]);
		printf("\n");
	}
	fflush(stdout);
}
