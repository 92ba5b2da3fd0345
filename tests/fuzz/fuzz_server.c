/*
 * fuzz_server.c -- libFuzzer harness for the server's handling of a
 * client's byte stream: the real sysproxy server of librumpuser and
 * the real kernel of librump, booted once inside this process and
 * listening on a Unix socket in a temporary directory.
 *
 * Each input is what one client sends after reading the banner.  The
 * harness connects, reads the banner, and sends the input frame by
 * frame, cut where the server cuts it (a 24-byte header, then
 * rsp_len - 24 bytes; a tail that is not a whole frame goes last, as
 * is).  After each request it waits for the answer with the request's
 * number (RESP or ERROR), a request of the server's own (a copy the
 * call waits for), the end of the connection, or SP_WAIT_MS, so that
 * requests run one after another as a real client would send them,
 * and the run is about as deterministic as a threaded server allows.
 * Whatever else comes back is read and dropped; the harness never
 * answers the server's copy requests (the input may), and closes the
 * connection at the end of the input.
 *
 * Every SP_CHECK_EVERY inputs, and when the run ends, a fresh client
 * must still get the banner, a GUEST handshake and a getpid answer
 * within SP_CHECK_MS; otherwise the harness aborts, which libFuzzer
 * reports as a crash (of the previous inputs: the last ones are in
 * the crash report's neighbourhood, not in the artifact).
 *
 * Limits, on purpose:
 * - reboot(2) would end this process: a SYSCALL request for it is
 *   turned into getpid before it is sent.
 * - The kernel lives for the whole run, so an input meets the state
 *   (files, processes, pids) earlier inputs left, and the server's
 *   threads run concurrently: an input replayed alone may behave
 *   differently.  RUMP_MEMLIMIT caps what inputs can pile up.
 * - The waits make it slow (hundreds of inputs a second, not
 *   millions), and a call that blocks costs SP_WAIT_MS.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>
#include <rump/rumpuser.h>

#include "sp_proto.h"

#define SP_WAIT_MS	20	/* for the answer to one request */
#define SP_CHECK_MS	5000	/* for the health check's answers */
#define SP_CHECK_EVERY	500	/* inputs between health checks */

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char fz_dir[64];
static struct sockaddr_un fz_sun;
static unsigned long fz_ninputs;

/* What the server sent: frames are parsed as they stream in. */
struct reader {
	int		 fd;
	uint8_t		 hdr[RSP_HDRSZ];
	size_t		 hoff;
	uint64_t	 skip;		/* body bytes still to drop */
	bool		 eof;
	/* what we wait for */
	uint64_t	 want;		/* request number */
	bool		 answered;	/* RESP or ERROR with it, or a REQ */
	struct rsp_hdr	 last;		/* the last header */
	uint8_t		 body[64];	/* the start of the last body */
	size_t		 bodylen;
};

static void
die(const char *what)
{

	fprintf(stderr, "fuzz_server: %s\n", what);
	abort();
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* A header is in: know how much body follows. */
static void
rd_header(struct reader *rd)
{
	struct rsp_hdr h;

	memcpy(&h, rd->hdr, sizeof(h));
	rd->bodylen = 0;
	if (h.rsp_len < RSP_HDRSZ) {
		rd->eof = true;		/* not a frame: give up reading */
		return;
	}
	rd->skip = h.rsp_len - RSP_HDRSZ;
}

/* A whole frame is in: is it what we wait for? */
static void
rd_frame(struct reader *rd)
{
	struct rsp_hdr *h = &rd->last;

	memcpy(h, rd->hdr, sizeof(*h));
	rd->hoff = 0;
	if (h->rsp_class == RUMPSP_REQ || h->rsp_reqno == rd->want)
		rd->answered = true;
}

/* Take n bytes the server sent. */
static void
rd_feed(struct reader *rd, const uint8_t *p, size_t n)
{
	size_t k, c;

	while (n > 0 && !rd->eof) {
		if (rd->hoff < RSP_HDRSZ) {
			k = RSP_HDRSZ - rd->hoff < n ? RSP_HDRSZ - rd->hoff : n;
			memcpy(rd->hdr + rd->hoff, p, k);
			rd->hoff += k;
			if (rd->hoff == RSP_HDRSZ)
				rd_header(rd);
		} else {
			k = rd->skip < n ? (size_t)rd->skip : n;
			c = sizeof(rd->body) - rd->bodylen;
			if (c > k)
				c = k;
			memcpy(rd->body + rd->bodylen, p, c);
			rd->bodylen += c;
			rd->skip -= k;
		}
		p += k;
		n -= k;
		if (rd->hoff == RSP_HDRSZ && rd->skip == 0 && !rd->eof)
			rd_frame(rd);
	}
}

/* Read what is there; false at the end of the connection. */
static bool
rd_input(struct reader *rd)
{
	static uint8_t buf[64 * 1024];
	ssize_t n;

	for (;;) {
		n = recv(rd->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0) {
			rd_feed(rd, buf, (size_t)n);
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return !rd->eof;
		rd->eof = true;
		return false;
	}
}

/*
 * Send p[0..n) while reading what comes back; then, when wait is set,
 * wait up to ms for the answer.  False when the connection is over.
 */
static bool
xchg(struct reader *rd, const uint8_t *p, size_t n, bool wait, int ms)
{
	struct pollfd pfd;
	uint64_t end;
	ssize_t w;
	int t;

	rd->answered = false;
	end = now_ms() + (uint64_t)ms;
	for (;;) {
		if (n == 0 && (!wait || rd->answered))
			return !rd->eof;
		t = (int)(end > now_ms() ? end - now_ms() : 0);
		if (n == 0 && t == 0)
			return !rd->eof;
		pfd.fd = rd->fd;
		pfd.events = POLLIN | (n > 0 ? POLLOUT : 0);
		if (poll(&pfd, 1, n > 0 ? -1 : t) == -1) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		if ((pfd.revents & (POLLIN | POLLHUP | POLLERR)) &&
		    !rd_input(rd))
			return false;
		if (n > 0 && (pfd.revents & POLLOUT)) {
			w = send(rd->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
			if (w == -1 && errno != EAGAIN && errno != EINTR)
				return false;	/* the server closed */
			if (w > 0) {
				p += w;
				n -= (size_t)w;
			}
		}
	}
}

/* Connect and read the banner; -1 if the server does not greet. */
static int
fz_connect(struct reader *rd)
{
	char c;
	int fd, i;
	struct pollfd pfd;

	memset(rd, 0, sizeof(*rd));
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		die("socket");
	if (connect(fd, (struct sockaddr *)&fz_sun, sizeof(fz_sun)) == -1) {
		close(fd);
		return -1;
	}
	rd->fd = fd;
	for (i = 0; i < RUMPSP_MAXBANNER; i++) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, SP_CHECK_MS) != 1 ||
		    recv(fd, &c, 1, 0) != 1)
			break;
		if (c == '\n')
			return fd;
	}
	close(fd);
	return -1;
}

/* A fresh client: banner, handshake and getpid must all work. */
static void
fz_healthcheck(void)
{
	struct {
		struct rsp_hdr h;
		struct rsp_sysreq rs;
	} call;
	struct {
		struct rsp_hdr h;
		char comm[8];
	} hs;
	struct rsp_sysresp sr;
	struct reader rd;

	if (fz_connect(&rd) == -1)
		die("health check: no banner from the server");
	rsp_hdr_fill(&hs.h, sizeof(hs), 1, RUMPSP_REQ, RUMPSP_HANDSHAKE,
	    HANDSHAKE_GUEST);
	memcpy(hs.comm, "fzcheck", 8);
	rd.want = 1;
	if (!xchg(&rd, (const uint8_t *)&hs, sizeof(hs), true, SP_CHECK_MS) ||
	    !rd.answered || rd.last.rsp_class != RUMPSP_RESP)
		die("health check: handshake not answered");
	memset(&call, 0, sizeof(call));
	rsp_hdr_fill(&call.h, sizeof(call), 2, RUMPSP_REQ, RUMPSP_SYSCALL,
	    RUMP_SYS_getpid);
	rd.want = 2;
	if (!xchg(&rd, (const uint8_t *)&call, sizeof(call), true,
	    SP_CHECK_MS) || !rd.answered || rd.last.rsp_class != RUMPSP_RESP)
		die("health check: getpid not answered");
	if (rd.bodylen < sizeof(sr))
		die("health check: short getpid answer");
	memcpy(&sr, rd.body, sizeof(sr));
	if (sr.rsys_error != 0 || sr.rsys_retval[0] <= 1)
		die("health check: getpid failed");
	close(rd.fd);
}

static void
fz_atexit(void)
{
	char path[sizeof(fz_sun.sun_path)];

	fz_healthcheck();
	fprintf(stderr, "fuzz_server: %lu inputs, server healthy at exit\n",
	    fz_ninputs);
	snprintf(path, sizeof(path), "%s", fz_sun.sun_path);
	(void)unlink(path);
	(void)rmdir(fz_dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char url[200];
	int error;

	snprintf(fz_dir, sizeof(fz_dir), "%s", "/tmp/rump-fuzz-XXXXXX");
	if (mkdtemp(fz_dir) == NULL)
		die("mkdtemp");
	fz_sun.sun_family = AF_UNIX;
	snprintf(fz_sun.sun_path, sizeof(fz_sun.sun_path), "%s/sock",
	    fz_dir);
	snprintf(url, sizeof(url), "unix://%s", fz_sun.sun_path);
	/* what inputs leave behind in the kernel stays bounded */
	setenv("RUMP_MEMLIMIT", "64m", 0);
	rumpsp_copytimeout = 500;
	rumpsp_hstimeout = 2000;
	if ((error = rump_init()) != 0 ||
	    (error = rump_init_server(url)) != 0) {
		fprintf(stderr, "fuzz_server: boot: %s\n", strerror(error));
		exit(1);
	}
	atexit(fz_atexit);
	return 0;
}

/* reboot would end the run: it becomes getpid */
static void
defuse(uint8_t *frame)
{
	struct rsp_hdr h;

	memcpy(&h, frame, sizeof(h));
	if (h.rsp_class == RUMPSP_REQ && h.rsp_type == RUMPSP_SYSCALL &&
	    h.rsp_arg == RUMP_SYS_reboot) {
		h.rsp_arg = RUMP_SYS_getpid;
		memcpy(frame, &h, sizeof(h));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reader rd;
	struct rsp_hdr h;
	uint8_t *buf;
	size_t off = 0, n;
	bool wait;

	if (++fz_ninputs % SP_CHECK_EVERY == 0)
		fz_healthcheck();
	if ((buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	if (fz_connect(&rd) == -1)
		die("no banner from the server");
	while (off < size) {
		n = size - off;
		if (n >= RSP_HDRSZ) {
			memcpy(&h, buf + off, sizeof(h));
			if (h.rsp_len >= RSP_HDRSZ && h.rsp_len <= n)
				n = (size_t)h.rsp_len;
			defuse(buf + off);
		}
		/* only a whole request is answered */
		wait = n >= RSP_HDRSZ && h.rsp_len == n &&
		    h.rsp_class == RUMPSP_REQ;
		rd.want = wait ? h.rsp_reqno : 0;
		if (!xchg(&rd, buf + off, n, wait, SP_WAIT_MS))
			break;
		off += n;
	}
	close(rd.fd);
	free(buf);
	return 0;
}
