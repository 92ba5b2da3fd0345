/*
 * harness.c -- see harness.h.  Everything here fails the current Check
 * test (ck_abort_msg) rather than returning errors nobody looks at.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "sp_url.h"
#include <rump/rump_syscalls.h>

const char *
builddir_path(const char *rel, char *buf, size_t len)
{
	const char *top = getenv("TOP_BUILDDIR");

	snprintf(buf, len, "%s/%s", top != NULL ? top : ".", rel);
	return buf;
}

/* execv wants char *const[]; our argument vectors hold string literals */
static void
exec_argv(const char *bin, const char **argv)
{
	char *v[32];
	int i;

	for (i = 0; i < 31 && argv[i] != NULL; i++)
		v[i] = strdup(argv[i]);
	v[i] = NULL;
	execv(bin, v);
	_exit(127);
}

static int
free_port(int family)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int s, port;

	memset(&ss, 0, sizeof(ss));
	ss.ss_family = (sa_family_t)family;
	if (family == AF_INET6)
		((struct sockaddr_in6 *)&ss)->sin6_addr = in6addr_loopback;
	else
		((struct sockaddr_in *)&ss)->sin_addr.s_addr =
		    htonl(INADDR_LOOPBACK);
	s = socket(family, SOCK_STREAM, 0);
	ck_assert_int_ge(s, 0);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&ss,
	    family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in)), 0);
	ck_assert_int_eq(getsockname(s, (struct sockaddr *)&ss, &sl), 0);
	port = ntohs(family == AF_INET6 ?
	    ((struct sockaddr_in6 *)&ss)->sin6_port :
	    ((struct sockaddr_in *)&ss)->sin_port);
	close(s);
	return port;
}

static int
try_connect(const char *url)
{
	struct rsp_addr ra;
	int s;

	if (rsp_url_parse(url, 0, &ra) != 0)
		return -1;
	if ((s = socket(ra.ra_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(s, (struct sockaddr *)&ra.ra_sa, ra.ra_len) == -1) {
		close(s);
		return -1;
	}
	return s;
}

/* start rump_server -s on srv->url and wait until it accepts */
void
srv_launch(struct server *srv)
{
	char bin[4096];
	const char *argv[32];
	int i, n = 0, s;

	builddir_path("rump_server", bin, sizeof(bin));
	argv[n++] = bin;
	argv[n++] = "-s";
	for (i = 0; srv->extra != NULL && srv->extra[i] != NULL && n < 28; i++)
		argv[n++] = srv->extra[i];
	argv[n++] = srv->url;
	argv[n] = NULL;
	srv->pid = fork();
	ck_assert_int_ge(srv->pid, 0);
	if (srv->pid == 0) {
		exec_argv(bin, argv);
	}
	for (i = 0; i < 500; i++) {
		if ((s = try_connect(srv->url)) != -1) {
			close(s);
			return;
		}
		if (waitpid(srv->pid, NULL, WNOHANG) == srv->pid)
			ck_abort_msg("rump_server %s exited at start", srv->url);
		usleep(10000);
	}
	ck_abort_msg("rump_server %s did not start listening", srv->url);
}

void
srv_start(struct server *srv, const char *kind, const char *const *extra)
{

	memset(srv, 0, sizeof(*srv));
	srv->extra = extra;
	if (strcmp(kind, "unix") == 0) {
		strcpy(srv->dir, "/tmp/rumptest.XXXXXX");
		ck_assert_ptr_nonnull(mkdtemp(srv->dir));
		snprintf(srv->path, sizeof(srv->path), "%s/sock", srv->dir);
		snprintf(srv->url, sizeof(srv->url), "unix://%s", srv->path);
	} else if (strcmp(kind, "tcp4") == 0) {
		snprintf(srv->url, sizeof(srv->url), "tcp://127.0.0.1:%d",
		    free_port(AF_INET));
	} else {
		snprintf(srv->url, sizeof(srv->url), "tcp://[::1]:%d",
		    free_port(AF_INET6));
	}
	srv_launch(srv);
	(void)extra;
}

int
srv_stop(struct server *srv)
{
	int status = -1, i;

	if (srv->pid <= 0)
		return -1;
	kill(srv->pid, SIGTERM);
	for (i = 0; i < 1000; i++) {
		if (waitpid(srv->pid, &status, WNOHANG) == srv->pid)
			break;
		usleep(10000);
	}
	if (i == 1000) {
		kill(srv->pid, SIGKILL);
		waitpid(srv->pid, &status, 0);
		ck_abort_msg("rump_server did not stop on SIGTERM");
	}
	srv->pid = 0;
	if (srv->path[0] != '\0') {
		ck_assert_msg(access(srv->path, F_OK) == -1,
		    "server left its socket behind");
		rmdir(srv->dir);
	}
	return status;
}

/* srv_stop(), and the server must have exited with status 0 */
void
srv_stop_clean(struct server *srv)
{
	int status = srv_stop(srv);

	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "rump_server did not exit cleanly (status 0x%x)", status);
}

static pid_t
spawn(const struct server *srv, const char *bin, const char **argv,
    int *tochild, int *fromchild)
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
		setenv("RUMP_SERVER", srv->url, 1);
		exec_argv(bin, argv);
	}
	close(in[0]);
	close(out[1]);
	if (tochild != NULL)
		*tochild = in[1];
	else
		close(in[1]);
	*fromchild = out[0];
	return pid;
}

static int
run_argv(const struct server *srv, char *out, size_t outlen, const char *bin,
    const char **argv)
{
	size_t got = 0;
	ssize_t n;
	int fd, status;
	pid_t pid;

	pid = spawn(srv, bin, argv, NULL, &fd);
	while (got + 1 < outlen &&
	    (n = read(fd, out + got, outlen - got - 1)) > 0)
		got += (size_t)n;
	if (outlen > 0)
		out[got] = '\0';
	close(fd);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return status;
}

int
run_prog(const struct server *srv, char *out, size_t outlen,
    const char *bin, ...)
{
	const char *argv[32];
	va_list ap;
	int n = 0;

	argv[n++] = bin;
	va_start(ap, bin);
	while (n < 31 && (argv[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	return run_argv(srv, out, outlen, bin, argv);
}

int
run_client(const struct server *srv, char *out, size_t outlen, ...)
{
	static char bin[4096];
	const char *argv[32];
	va_list ap;
	int n = 0;

	builddir_path("tests/tclient", bin, sizeof(bin));
	argv[n++] = bin;
	va_start(ap, outlen);
	while (n < 31 && (argv[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	return run_argv(srv, out, outlen, bin, argv);
}

pid_t
spawn_client(const struct server *srv, int *tochild, int *fromchild, ...)
{
	static char bin[4096];
	const char *argv[32];
	va_list ap;
	int n = 0;

	builddir_path("tests/tclient", bin, sizeof(bin));
	argv[n++] = bin;
	va_start(ap, fromchild);
	while (n < 31 && (argv[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	return spawn(srv, bin, argv, tochild, fromchild);
}

int
read_line(int fd, char *buf, size_t len)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	size_t got = 0;
	char c;

	while (got + 1 < len) {
		if (poll(&pfd, 1, 10000) != 1)
			return -1;
		if (read(fd, &c, 1) != 1)
			return -1;
		if (c == '\n')
			break;
		buf[got++] = c;
	}
	buf[got] = '\0';
	return 0;
}

int
raw_connect(const struct server *srv)
{
	char banner[RUMPSP_MAXBANNER];
	int s, major, minor;
	size_t got = 0;

	if ((s = try_connect(srv->url)) == -1)
		return -1;
	while (got + 1 < sizeof(banner)) {
		if (read(s, &banner[got], 1) != 1) {
			close(s);
			return -1;
		}
		if (banner[got++] == '\n')
			break;
	}
	banner[got] = '\0';
	ck_assert_int_eq(rsp_banner_parse(banner, &major, &minor), 0);
	ck_assert_int_eq(major, RUMPSP_PROTOMAJOR);
	return s;
}

int
raw_send(int fd, uint64_t len, uint64_t reqno, int class, int type,
    uint32_t arg, const void *body, size_t bodylen)
{
	struct rsp_hdr h;
	struct iovec iov[2];

	rsp_hdr_fill(&h, len, reqno, class, type, arg);
	iov[0].iov_base = &h;
	iov[0].iov_len = sizeof(h);
	iov[1].iov_base = (void *)(uintptr_t)body;
	iov[1].iov_len = bodylen;
	return rsp_sendv(fd, iov, bodylen > 0 ? 2 : 1) == 0 ? 0 : -1;
}

static int
readfull(int fd, void *buf, size_t len)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		if (poll(&pfd, 1, 10000) != 1)
			return -1;
		n = read(fd, (char *)buf + got, len - got);
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

int
raw_recv(int fd, struct rsp_hdr *h, void *body, size_t bodymax)
{
	char skip[512];
	size_t blen, n;

	if (readfull(fd, h, sizeof(*h)) == -1)
		return -1;
	if (h->rsp_len < sizeof(*h) || h->rsp_len > RUMPSP_MAXFRAME)
		return -1;
	blen = h->rsp_len - sizeof(*h);
	n = blen < bodymax ? blen : bodymax;
	if (n > 0 && readfull(fd, body, n) == -1)
		return -1;
	for (blen -= n; blen > 0; blen -= n) {
		n = blen < sizeof(skip) ? blen : sizeof(skip);
		if (readfull(fd, skip, n) == -1)
			return -1;
	}
	return 0;
}

int
raw_handshake(int fd, const char *comm)
{
	struct rsp_hdr h;

	if (raw_send(fd, sizeof(h) + strlen(comm), 1, RUMPSP_REQ,
	    RUMPSP_HANDSHAKE, HANDSHAKE_GUEST, comm, strlen(comm)) == -1)
		return -1;
	if (raw_recv(fd, &h, NULL, 0) == -1)
		return -1;
	return h.rsp_class == RUMPSP_RESP && h.rsp_arg == 0 ? 0 : -1;
}

long
raw_getpid(int fd, uint64_t reqno)
{
	struct rsp_sysreq rs = { 0, 0 };
	struct rsp_sysresp rr;
	struct rsp_hdr h;

	if (raw_send(fd, sizeof(h) + sizeof(rs), reqno, RUMPSP_REQ,
	    RUMPSP_SYSCALL, RUMP_SYS_getpid, &rs, sizeof(rs)) == -1)
		return -1;
	if (raw_recv(fd, &h, &rr, sizeof(rr)) == -1)
		return -1;
	if (h.rsp_class != RUMPSP_RESP || h.rsp_reqno != reqno ||
	    rr.rsys_error != 0)
		return -1;
	return (long)rr.rsys_retval[0];
}

/* a SYSCALL request, by hand: arguments then one region */
void
raw_syscall(int fd, uint64_t reqno, int num, const uint64_t *args,
    int nargs, const struct rsp_region *r, const void *data)
{
	uint8_t buf[512];
	struct rsp_sysreq rs;
	size_t len = 0;

	rs.rs_argsize = (uint32_t)(nargs * 8);
	rs.rs_nregions = r != NULL ? 1 : 0;
	memcpy(buf, &rs, sizeof(rs));
	len += sizeof(rs);
	memcpy(buf + len, args, (size_t)nargs * 8);
	len += (size_t)nargs * 8;
	if (r != NULL) {
		memcpy(buf + len, r, sizeof(*r));
		len += sizeof(*r);
		if (data != NULL) {
			memset(buf + len, 0, RSP_PAD8(r->rr_len));
			memcpy(buf + len, data, r->rr_len);
			len += RSP_PAD8(r->rr_len);
		}
	}
	ck_assert_int_eq(raw_send(fd, RSP_HDRSZ + len, reqno, RUMPSP_REQ,
	    RUMPSP_SYSCALL, (uint32_t)num, buf, len), 0);
}

/* pipe2() in the raw process, over fd: its two descriptors */
void
raw_pipe(int fd, uint64_t reqno, int fds[2])
{
	struct rsp_region r;
	struct rsp_hdr h;
	struct {
		struct rsp_sysresp sr;
		struct rsp_region rr;
		int fds[2];
	} pr;
	uint64_t a[2] = { 0x1000, 0 };

	r.rr_addr = 0x1000;
	r.rr_len = 8;
	r.rr_flags = RSP_REGION_OUT;
	raw_syscall(fd, reqno, RUMP_SYS_pipe2, a, 2, &r, NULL);
	ck_assert_int_eq(raw_recv(fd, &h, &pr, sizeof(pr)), 0);
	ck_assert_uint_eq(h.rsp_reqno, reqno);
	ck_assert_int_eq(pr.sr.rsys_error, 0);
	fds[0] = pr.fds[0];
	fds[1] = pr.fds[1];
}

/*
 * Send a read (num RUMP_SYS_read) of one byte of descriptor d into
 * 0x2000, or a write (RUMP_SYS_write) of "x" from 0x3000; the answer
 * is the caller's to take.
 */
void
raw_byte(int fd, uint64_t reqno, int num, int d)
{
	struct rsp_region r;
	uint64_t a[3];

	a[0] = (uint64_t)d;
	a[1] = num == RUMP_SYS_read ? 0x2000 : 0x3000;
	a[2] = 1;
	r.rr_addr = a[1];
	r.rr_len = 1;
	r.rr_flags = num == RUMP_SYS_read ? RSP_REGION_OUT : RSP_REGION_IN;
	raw_syscall(fd, reqno, num, a, 3, &r,
	    num == RUMP_SYS_read ? NULL : "x");
}

long long
srv_counter(const struct server *srv, const char *name)
{
	char bin[4096], out[64];
	int st;

	builddir_path("tests/tengine", bin, sizeof(bin));
	st = run_prog(srv, out, sizeof(out), bin, "counter", name, NULL);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s: %s", name,
	    out);
	return atoll(out);
}

void
srv_wait_counter(const struct server *srv, const char *name, long long n)
{
	int i;

	for (i = 0; i < 500 && srv_counter(srv, name) != n; i++)
		usleep(20000);
	ck_assert_int_eq(srv_counter(srv, name), n);
}

pid_t
spawn_prog(const struct server *srv, int *tochild, int *fromchild,
    const char *bin, ...)
{
	const char *argv[32];
	va_list ap;
	int n = 0;

	argv[n++] = bin;
	va_start(ap, bin);
	while (n < 31 && (argv[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	return spawn(srv, bin, argv, tochild, fromchild);
}
