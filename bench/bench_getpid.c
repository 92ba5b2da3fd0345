/*
 * bench_getpid.c -- the cost of a rump system call against the cost
 * of the socket round trip underneath it.
 *
 * usage: bench_getpid [-n iterations] url ...
 *
 * For every URL (a running rump_server) one row: the nanoseconds of a
 * raw request/response between two host processes over the same kind
 * of socket, the nanoseconds of rump_sys_getpid() against the server,
 * and their ratio.  The raw exchange uses the frame sizes of the real
 * one (a 32-byte request: header and struct rsp_sysreq; a 48-byte
 * reply: header and struct rsp_sysresp), its server a forked child
 * doing read-full/write-full, so the ratio is what sysproxy adds to
 * the transport.
 *
 * Each URL is measured in a child process of its own: librumpclient
 * holds one connection per process.  Raw and rump runs alternate, five
 * of each after a warm-up, and the median of the five is reported, so
 * that both see the same machine load.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rump/rumpclient.h>
#include <rump/rump_syscalls.h>

#include "sp_proto.h"
#include "sp_url.h"

#define REQSZ	(RSP_HDRSZ + sizeof(struct rsp_sysreq))
#define RESPSZ	(RSP_HDRSZ + sizeof(struct rsp_sysresp))
_Static_assert(REQSZ == 32, "request frame is 32 bytes");
_Static_assert(RESPSZ == 48, "reply frame is 48 bytes");

#define NREP		5
#define WAITSERVER_MS	10000

struct raw {
	int	 r_fd;		/* our end */
	pid_t	 r_pid;		/* the echoing child */
	char	 r_dir[64];	/* temporary directory of a Unix socket */
	char	 r_path[128];
};

static void __attribute__((__noreturn__))
usage(void)
{

	fprintf(stderr, "usage: bench_getpid [-n iterations] url ...\n");
	exit(1);
}

static int
io_full(int fd, void *buf, size_t len, int wr)
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

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
nodelay(int fd, int family)
{
	int one = 1;

	if (family != AF_UNIX)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
}

/* The echoing child: a reply for every request until EOF. */
static void __attribute__((__noreturn__))
raw_serve(int lfd, int family)
{
	char req[REQSZ], resp[RESPSZ];
	struct rsp_hdr h;
	int fd;

	if ((fd = accept(lfd, NULL, NULL)) == -1)
		_exit(1);
	close(lfd);
	nodelay(fd, family);
	memset(resp, 0, sizeof(resp));
	while (io_full(fd, req, sizeof(req), 0) == 0) {
		memcpy(&h, req, sizeof(h));
		rsp_hdr_fill((struct rsp_hdr *)resp, RESPSZ, h.rsp_reqno,
		    RUMPSP_RESP, RUMPSP_SYSCALL, 0);
		if (io_full(fd, resp, sizeof(resp), 1) == -1)
			break;
	}
	_exit(0);
}

/* A listening socket of the same kind as ra, on a fresh address. */
static int
raw_listen(const struct rsp_addr *ra, struct raw *r,
    struct sockaddr_storage *ss, socklen_t *sslen)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	int fd;

	memset(ss, 0, sizeof(*ss));
	switch (ra->ra_family) {
	case AF_UNIX:
		strlcpy(r->r_dir, "/tmp/bench_getpid.XXXXXX", sizeof(r->r_dir));
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
	if ((fd = socket(ra->ra_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		err(1, "socket");
	if (bind(fd, (struct sockaddr *)ss, *sslen) == -1)
		err(1, "bind");
	if (listen(fd, 1) == -1)
		err(1, "listen");
	/* The port the kernel chose. */
	if (getsockname(fd, (struct sockaddr *)ss, sslen) == -1)
		err(1, "getsockname");
	return fd;
}

static void
raw_start(const struct rsp_addr *ra, struct raw *r)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	int lfd;

	memset(r, 0, sizeof(*r));
	lfd = raw_listen(ra, r, &ss, &sslen);
	if ((r->r_pid = fork()) == -1)
		err(1, "fork");
	if (r->r_pid == 0)
		raw_serve(lfd, ra->ra_family);
	if ((r->r_fd = socket(ra->ra_family, SOCK_STREAM | SOCK_CLOEXEC,
	    0)) == -1)
		err(1, "socket");
	if (connect(r->r_fd, (struct sockaddr *)&ss, sslen) == -1)
		err(1, "connect");
	nodelay(r->r_fd, ra->ra_family);
	close(lfd);
}

static void
raw_stop(struct raw *r)
{

	close(r->r_fd);
	(void)waitpid(r->r_pid, NULL, 0);
	if (r->r_path[0] != '\0') {
		unlink(r->r_path);
		rmdir(r->r_dir);
	}
}

static double
run_raw(struct raw *r, long n)
{
	char req[REQSZ], resp[RESPSZ];
	uint64_t t0;
	long i;

	memset(req, 0, sizeof(req));
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		rsp_hdr_fill((struct rsp_hdr *)req, REQSZ, (uint64_t)i,
		    RUMPSP_REQ, RUMPSP_SYSCALL, RUMP_SYS_getpid);
		if (io_full(r->r_fd, req, sizeof(req), 1) == -1 ||
		    io_full(r->r_fd, resp, sizeof(resp), 0) == -1)
			errx(1, "raw echo server went away");
	}
	return (double)(now_ns() - t0) / (double)n;
}

static double
run_rump(long n)
{
	uint64_t t0;
	long i;

	t0 = now_ns();
	for (i = 0; i < n; i++)
		if (rump_sys_getpid() == -1)
			err(1, "rump_sys_getpid");
	return (double)(now_ns() - t0) / (double)n;
}

/*
 * rump_server -s may still be booting when we start: wait until its
 * socket accepts a connection (which the server sees as a client that
 * leaves before its handshake).
 */
static void
wait_server(const char *url, const struct rsp_addr *ra)
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
			return;
		}
		close(fd);
		nanosleep(&ts, NULL);
	}
	errx(1, "%s: no server answers", url);
}

static int
cmpdouble(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(double *v)
{

	qsort(v, NREP, sizeof(v[0]), cmpdouble);
	return v[NREP / 2];
}

static const char *
transport(int family)
{

	switch (family) {
	case AF_UNIX:	return "unix";
	case AF_INET:	return "tcp";
	default:	return "tcp6";
	}
}

static void __attribute__((__noreturn__))
measure(const char *url, long n)
{
	double traw[NREP], trump[NREP], mraw, mrump;
	struct rsp_addr ra;
	struct raw r;
	long warm;
	int error, i;

	if ((error = rsp_url_parse(url, 0, &ra)) != 0) {
		errno = error;
		err(1, "%s", url);
	}
	raw_start(&ra, &r);
	wait_server(url, &ra);
	if (setenv("RUMP_SERVER", url, 1) == -1)
		err(1, "setenv");
	if (rumpclient_init() == -1)
		err(1, "%s", url);

	warm = n / 10 > 1000 ? n / 10 : 1000;
	run_raw(&r, warm);
	run_rump(warm);
	for (i = 0; i < NREP; i++) {
		traw[i] = run_raw(&r, n);
		trump[i] = run_rump(n);
	}
	raw_stop(&r);
	mraw = median(traw);
	mrump = median(trump);
	printf("%-9s %9.0f %9.0f %6.2f\n", transport(ra.ra_family), mraw,
	    mrump, mrump / mraw);
	fflush(stdout);
	exit(0);
}

int
main(int argc, char **argv)
{
	char *end;
	long n;
	pid_t pid;
	int ch, status, rv;

	n = 100000;
	while ((ch = getopt(argc, argv, "n:")) != -1) {
		switch (ch) {
		case 'n':
			errno = 0;
			n = strtol(optarg, &end, 10);
			if (end == optarg || *end != '\0' || errno != 0 ||
			    n < 1)
				errx(1, "invalid iteration count: %s", optarg);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		usage();

	printf("%-9s %9s %9s %6s\n", "transport", "raw_ns", "rump_ns",
	    "ratio");
	fflush(stdout);
	rv = 0;
	for (; argc > 0; argc--, argv++) {
		if ((pid = fork()) == -1)
			err(1, "fork");
		if (pid == 0)
			measure(*argv, n);
		if (waitpid(pid, &status, 0) == -1 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			rv = 1;
	}
	return rv;
}
