/*
 * bench_idle.c -- what idle clients cost: the server's memory per
 * connected client, and the latency of an active client beside them.
 *
 * usage: bench_idle [-q] [-n calls] [-r rounds] [-c chunk] [-i idle]
 *            [-s pid] url
 *
 * This process is the active client.  It measures rump_sys_getpid()
 * against a raw ping-pong (32-byte request, 48-byte reply) alone, then
 * a forked helper opens -i connections (10,000 by default) and does
 * the GUEST handshake on each by hand (banner line, HANDSHAKE request,
 * RESP), and the active client measures again while they sit idle.
 * With -s (the server's pid) it reads the server's VmRSS before and
 * after the idle clients connected: the growth per idle client.  The
 * latency ratio is, per round, the active client's time per call with
 * the idle clients over its time alone (and the same after dividing
 * each by the raw baseline of its phase, which takes out the drift of
 * the machine between the phases).  On shared memory (rump_sp(7) SHM,
 * unless RUMP_SHM=0) each idle connection also moves to rings, and
 * the server's CPU time over two quiet seconds with them all connected
 * says what they cost it.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <err.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rump/rumpclient.h>
#include <rump/rump_syscalls.h>

#include "bench_common.h"

#define USAGE	"bench_idle [-q] [-n calls] [-r rounds] [-c chunk] " \
		"[-i idle] [-s pid] url"

#define BATCH		256	/* handshakes in flight */
#define IDLECOMM	"bench_idle"

struct rawcall {
	struct bn_raw	 rc_raw;
};

static void
run_raw(void *arg, long n)
{
	struct rawcall *rc = arg;
	char req[BN_GETPID_REQ], resp[BN_GETPID_RESP];
	long i;

	memset(req, 0, sizeof(req));
	for (i = 0; i < n; i++) {
		rsp_hdr_fill((struct rsp_hdr *)(void *)req, sizeof(req),
		    (uint64_t)i, RUMPSP_REQ, RUMPSP_SYSCALL, RUMP_SYS_getpid);
		bn_raw_call(&rc->rc_raw, req, sizeof(req), resp, sizeof(resp));
	}
}

static void
run_getpid(void *arg, long n)
{
	long i;

	for (i = 0; i < n; i++)
		if (rump_sys_getpid() == -1)
			err(1, "rump_sys_getpid");
}

/* Read the banner line: up to and including its newline. */
static void
read_banner(int fd)
{
	char buf[RUMPSP_MAXBANNER];
	size_t len = 0;
	ssize_t n;

	while (len < sizeof(buf)) {
		if ((n = read(fd, buf + len, sizeof(buf) - len)) <= 0)
			errx(1, "idle client: no banner");
		len += (size_t)n;
		if (memchr(buf, '\n', len) != NULL)
			return;
	}
	errx(1, "idle client: banner too long");
}

/* Read the handshake's answer; anything but a RESP is fatal. */
static void
read_resp(int fd)
{
	char body[512];
	struct rsp_hdr h;
	size_t len;

	if (bn_io(fd, &h, sizeof(h), 0) == -1)
		errx(1, "idle client: connection closed at the handshake");
	len = h.rsp_len > RSP_HDRSZ ? h.rsp_len - RSP_HDRSZ : 0;
	if (len > sizeof(body))
		len = sizeof(body);
	if (len > 0 && bn_io(fd, body, len, 0) == -1)
		errx(1, "idle client: short answer");
	if (h.rsp_class != RUMPSP_RESP)
		errx(1, "idle client: handshake refused: %s (%.*s)",
		    rsp_err_str(h.rsp_arg), (int)len, body);
}

/* The SHM request and its answer; the region's descriptor is closed. */
static void
idle_shm(int fd)
{
	union {
		struct cmsghdr	cm;
		char		buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct rsp_hdr h;
	struct msghdr msg;
	struct cmsghdr *cm;
	struct iovec iov;
	char body[256];
	size_t len;
	int memfd;

	rsp_hdr_fill(&h, RSP_HDRSZ, 2, RUMPSP_REQ, RUMPSP_SHM, 0);
	if (bn_io(fd, &h, sizeof(h), 1) == -1)
		err(1, "idle client: SHM request");
	memset(&msg, 0, sizeof(msg));
	iov.iov_base = &h;
	iov.iov_len = sizeof(h);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = ctl.buf;
	msg.msg_controllen = sizeof(ctl.buf);
	if (recvmsg(fd, &msg, MSG_WAITALL) != (ssize_t)sizeof(h))
		errx(1, "idle client: no answer to SHM");
	for (cm = CMSG_FIRSTHDR(&msg); cm != NULL; cm = CMSG_NXTHDR(&msg, cm))
		if (cm->cmsg_type == SCM_RIGHTS) {
			memcpy(&memfd, CMSG_DATA(cm), sizeof(int));
			close(memfd);
		}
	len = h.rsp_len > RSP_HDRSZ ? h.rsp_len - RSP_HDRSZ : 0;
	if (len > sizeof(body) || (len > 0 && bn_io(fd, body, len, 0) == -1))
		errx(1, "idle client: bad answer to SHM");
	if (h.rsp_class != RUMPSP_RESP)
		errx(1, "idle client: SHM refused: %.*s", (int)len, body);
}

/* The server's CPU time so far, in milliseconds, or -1. */
static long
cpu_ms(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut, st;
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	/* after the command name, field 3 on: utime and stime are 14, 15 */
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
	    &ut, &st) != 2)
		return -1;
	return (long)((ut + st) * 1000 / (unsigned long)sysconf(_SC_CLK_TCK));
}

/*
 * The helper: nidle connections, GUEST handshakes BATCH at a time,
 * one byte on ready once done; then it waits for EOF on done and
 * exits, which closes them all.
 */
static void __attribute__((__noreturn__))
idle_main(const struct rsp_addr *ra, long nidle, bool shm, int ready,
    int done)
{
	char frame[RSP_HDRSZ + sizeof(IDLECOMM) - 1];
	struct rlimit rl;
	int fds[BATCH];
	long i, j, k;
	char c;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	if ((rlim_t)nidle + 16 > rl.rlim_cur)
		errx(1, "idle client: %ld descriptors needed, limit %ld",
		    nidle + 16, (long)rl.rlim_cur);
	rsp_hdr_fill((struct rsp_hdr *)(void *)frame, sizeof(frame), 1,
	    RUMPSP_REQ, RUMPSP_HANDSHAKE, HANDSHAKE_GUEST);
	memcpy(frame + RSP_HDRSZ, IDLECOMM, sizeof(IDLECOMM) - 1);
	for (i = 0; i < nidle; i += k) {
		k = nidle - i < BATCH ? nidle - i : BATCH;
		for (j = 0; j < k; j++) {
			if ((fds[j] = socket(ra->ra_family, SOCK_STREAM, 0)) ==
			    -1)
				err(1, "idle client %ld: socket", i + j);
			if (connect(fds[j], (const struct sockaddr *)&ra->ra_sa,
			    ra->ra_len) == -1)
				err(1, "idle client %ld: connect", i + j);
		}
		for (j = 0; j < k; j++) {
			read_banner(fds[j]);
			if (bn_io(fds[j], frame, sizeof(frame), 1) == -1)
				err(1, "idle client %ld: handshake", i + j);
		}
		for (j = 0; j < k; j++) {
			read_resp(fds[j]);
			if (shm)
				idle_shm(fds[j]);
		}
	}
	c = 0;
	if (bn_io(ready, &c, 1, 1) == -1)
		_exit(1);
	(void)bn_io(done, &c, 1, 0);
	_exit(0);
}

static void
print_pair(const char *label, const char *mode, const struct bn_result *a,
    const struct bn_result *b)
{
	double lat[BN_MAXROUNDS], norm[BN_MAXROUNDS];
	int i, n;

	n = a->r_rounds < b->r_rounds ? a->r_rounds : b->r_rounds;
	for (i = 0; i < n; i++) {
		lat[i] = b->r_rump[i] / a->r_rump[i];
		norm[i] = b->r_ratio[i] / a->r_ratio[i];
	}
	printf("%-24s %-6s %10.0f %10.0f %9.2f %9.2f %9.2f  <=1.10 %s\n",
	    label, mode, bn_median(a->r_rump, n), bn_median(b->r_rump, n),
	    bn_min(lat, n), bn_median(lat, n), bn_median(norm, n),
	    bn_median(lat, n) <= 1.1 ? "ok" : "MISS");
}

int
main(int argc, char **argv)
{
	struct bn_result alone[2], busy[2];
	struct bn_side raw, rump;
	struct rawcall rc;
	struct rsp_addr ra;
	struct bn_opts o;
	long rss0, rss1, cpu0 = -1, cpu1 = -1;
	uint64_t t0, t1;
	bool shm;
	int rfd[2], dfd[2];
	pid_t helper;
	char c, label[64];

	bn_opts_init(&o, 20000, 11, 20);
	o.o_idle = 10000;
	argv += bn_opts_parse(&o, argc, argv, USAGE);
	if (*argv == NULL || argv[1] != NULL) {
		fprintf(stderr, "usage: %s\n", USAGE);
		return 1;
	}
	bn_url(*argv, &ra);
	bn_client(*argv, &ra);
	shm = strcmp(bn_transport(ra.ra_family), "shm") == 0;
	bn_raw_start(&rc.rc_raw, ra.ra_family, BN_GETPID_REQ, BN_GETPID_RESP);
	raw.s_run = run_raw;
	raw.s_arg = &rc;
	rump.s_run = run_getpid;
	rump.s_arg = NULL;
	printf("# bench_idle %s: %ld idle clients, %d rounds of %ld calls "
	    "per side, chunks of %d\n", *argv, o.o_idle, o.o_rounds, o.o_n,
	    o.o_chunk);

	bn_rounds(&alone[0], &raw, &rump, o.o_rounds, o.o_n, 0, 0);
	bn_rounds(&alone[1], &raw, &rump, o.o_rounds, o.o_n, o.o_chunk, 0);
	rss0 = o.o_server != 0 ? bn_rss_kb(o.o_server) : -1;

	if (pipe(rfd) == -1 || pipe(dfd) == -1)
		err(1, "pipe");
	t0 = bn_now();
	fflush(stdout);
	if ((helper = fork()) == -1)
		err(1, "fork");
	if (helper == 0) {
		close(rfd[0]);
		close(dfd[1]);
		idle_main(&ra, o.o_idle, shm, rfd[1], dfd[0]);
	}
	close(rfd[1]);
	close(dfd[0]);
	if (bn_io(rfd[0], &c, 1, 0) == -1)
		errx(1, "the idle clients did not connect");
	t1 = bn_now();
	rss1 = o.o_server != 0 ? bn_rss_kb(o.o_server) : -1;
	/* two quiet seconds: what the idle clients cost the server */
	if (o.o_server != 0) {
		cpu0 = cpu_ms(o.o_server);
		sleep(2);
		cpu1 = cpu_ms(o.o_server);
	}

	bn_rounds(&busy[0], &raw, &rump, o.o_rounds, o.o_n, 0, 0);
	bn_rounds(&busy[1], &raw, &rump, o.o_rounds, o.o_n, o.o_chunk, 0);
	close(dfd[1]);
	(void)waitpid(helper, NULL, 0);
	close(rfd[0]);
	bn_raw_stop(&rc.rc_raw);

	printf("\nidle clients: %ld connected and handshaken in %.2f s\n",
	    o.o_idle, (double)(t1 - t0) / 1e9);
	if (rss0 >= 0 && rss1 >= 0)
		printf("server VmRSS: %ld KiB before, %ld KiB after: %.0f "
		    "bytes per idle client  <=4096 %s\n", rss0, rss1,
		    (double)(rss1 - rss0) * 1024 / (double)o.o_idle,
		    (double)(rss1 - rss0) * 1024 / (double)o.o_idle <= 4096 ?
		    "ok" : "MISS");
	if (cpu0 >= 0 && cpu1 >= 0)
		printf("server CPU over 2 quiet seconds with them: %ld ms "
		    "(%s)\n", cpu1 - cpu0, shm ? "on shared memory" :
		    "on sockets");
	printf("\n%-24s %-6s %10s %10s %9s %9s %9s  %s\n", "case", "mode",
	    "alone_ns", "idle_ns", "lat_min", "lat_med", "norm_med",
	    "target");
	snprintf(label, sizeof(label), "getpid %s +%ld idle",
	    bn_transport(ra.ra_family), o.o_idle);
	print_pair(label, "long", &alone[0], &busy[0]);
	print_pair(label, "chunk", &alone[1], &busy[1]);
	return 0;
}
