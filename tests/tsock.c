/*
 * tsock.c -- a rump client for the socket and poll integration tests.
 * Each subcommand is one side of a scenario between separate client
 * processes; it prints what the test compares ("ready ..." when it is
 * about to block, then its result) and exits 0, or prints what failed
 * and exits 1.
 *
 *	tsock unix-serve PATH		accept one connection, print its data
 *	tsock unix-send PATH DATA
 *	tsock tcp-serve			print the port, then as unix-serve
 *	tsock tcp-send PORT DATA
 *	tsock dgram-wait PATH		poll for a datagram, print it
 *	tsock dgram-send PATH DATA
 *	tsock rights-recv PATH		receive a descriptor, read it to EOF
 *	tsock rights-send PATH DATA	send a pipe's read end, write DATA
 *	tsock pipe-fork DATA		forked reader blocks, parent writes
 *	tsock sigpipe ign|dfl		write to a socket without a reader
 *	tsock blocked PID		wait until PID is inside a call
 *	tsock socklist			print the kernel's sockets
 *	tsock calls			every call once, over the wire
 */
#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rump/rumpclient.h>
#include <rump/rump_syscalls.h>

#define CHECK(e) do {							\
	if (!(e)) {							\
		fprintf(stderr, "tsock: %s:%d: check failed: %s (errno %s)\n", \
		    __FILE__, __LINE__, #e, strerror(errno));		\
		exit(1);						\
	}								\
} while (0)

static socklen_t
sun_of(const char *path, struct sockaddr_un *sun)
{

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	strncpy(sun->sun_path, path, sizeof(sun->sun_path) - 1);
	return (socklen_t)sizeof(*sun);
}

static void
ready(const char *what)
{

	printf("ready %d %s\n", (int)rump_sys_getpid(), what);
	fflush(stdout);
}

/* accept one connection on l and print all it sends */
static int
serve(int l)
{
	char buf[4096];
	size_t got = 0;
	ssize_t n;
	int a;

	CHECK((a = rump_sys_accept4(l, NULL, NULL, 0)) >= 0);
	while ((n = rump_sys_read(a, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)n;
	CHECK(n == 0);
	buf[got] = '\0';
	printf("%s\n", buf);
	return 0;
}

static int
cmd_unix_serve(const char *path)
{
	struct sockaddr_un sun;
	int l;

	CHECK((l = rump_sys_socket(AF_UNIX, SOCK_STREAM, 0)) >= 0);
	CHECK(rump_sys_bind(l, (struct sockaddr *)&sun, sun_of(path, &sun))
	    == 0);
	CHECK(rump_sys_listen(l, 4) == 0);
	ready("listening");
	return serve(l);
}

static int
cmd_unix_send(const char *path, const char *data)
{
	struct sockaddr_un sun;
	int s;

	CHECK((s = rump_sys_socket(AF_UNIX, SOCK_STREAM, 0)) >= 0);
	CHECK(rump_sys_connect(s, (struct sockaddr *)&sun, sun_of(path, &sun))
	    == 0);
	CHECK(rump_sys_write(s, data, strlen(data)) == (ssize_t)strlen(data));
	CHECK(rump_sys_close(s) == 0);
	printf("ok\n");
	return 0;
}

static int
cmd_tcp_serve(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	char port[16];
	int l;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK((l = rump_sys_socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	CHECK(rump_sys_bind(l, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	CHECK(rump_sys_listen(l, 4) == 0);
	CHECK(rump_sys_getsockname(l, (struct sockaddr *)&sin, &len) == 0);
	snprintf(port, sizeof(port), "%d", ntohs(sin.sin_port));
	ready(port);
	return serve(l);
}

static int
cmd_tcp_send(const char *port, const char *data)
{
	struct sockaddr_in sin;
	int s;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)atoi(port));
	CHECK((s = rump_sys_socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	CHECK(rump_sys_connect(s, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	CHECK(rump_sys_write(s, data, strlen(data)) == (ssize_t)strlen(data));
	CHECK(rump_sys_shutdown(s, SHUT_WR) == 0);
	CHECK(rump_sys_close(s) == 0);
	printf("ok\n");
	return 0;
}

static int
cmd_dgram_wait(const char *path)
{
	struct sockaddr_un sun;
	struct pollfd pf;
	char buf[256];
	ssize_t n;
	int s, r;

	CHECK((s = rump_sys_socket(AF_UNIX, SOCK_DGRAM, 0)) >= 0);
	CHECK(rump_sys_bind(s, (struct sockaddr *)&sun, sun_of(path, &sun))
	    == 0);
	ready("polling");
	pf.fd = s;
	pf.events = POLLIN;
	pf.revents = 0;
	CHECK((r = rump_sys_poll(&pf, 1, 10000)) == 1);
	CHECK((n = rump_sys_recvfrom(s, buf, sizeof(buf) - 1, MSG_DONTWAIT,
	    NULL, NULL)) >= 0);
	buf[n] = '\0';
	printf("%d %#x %s\n", r, pf.revents, buf);
	return 0;
}

static int
cmd_dgram_send(const char *path, const char *data)
{
	struct sockaddr_un sun;
	int s;

	CHECK((s = rump_sys_socket(AF_UNIX, SOCK_DGRAM, 0)) >= 0);
	CHECK(rump_sys_sendto(s, data, strlen(data), 0,
	    (struct sockaddr *)&sun, sun_of(path, &sun)) ==
	    (ssize_t)strlen(data));
	printf("ok\n");
	return 0;
}

static int
cmd_rights_recv(const char *path)
{
	struct sockaddr_un sun;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct cmsghdr *cm;
	struct msghdr mh;
	struct iovec iov;
	char buf[256], tag;
	size_t got = 0;
	ssize_t n;
	int l, a, fd;

	CHECK((l = rump_sys_socket(AF_UNIX, SOCK_STREAM, 0)) >= 0);
	CHECK(rump_sys_bind(l, (struct sockaddr *)&sun, sun_of(path, &sun))
	    == 0);
	CHECK(rump_sys_listen(l, 4) == 0);
	ready("listening");
	CHECK((a = rump_sys_accept4(l, NULL, NULL, 0)) >= 0);
	memset(&mh, 0, sizeof(mh));
	iov.iov_base = &tag;
	iov.iov_len = 1;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl.buf;
	mh.msg_controllen = sizeof(ctl.buf);
	CHECK(rump_sys_recvmsg(a, &mh, 0) == 1);
	CHECK((cm = CMSG_FIRSTHDR(&mh)) != NULL);
	CHECK(cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS);
	memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
	while ((n = rump_sys_read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)n;
	CHECK(n == 0);
	buf[got] = '\0';
	printf("%c %s\n", tag, buf);
	return 0;
}

static int
cmd_rights_send(const char *path, const char *data)
{
	struct sockaddr_un sun;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct cmsghdr *cm;
	struct msghdr mh;
	struct iovec iov;
	int s, p[2];

	CHECK(rump_sys_pipe2(p, 0) == 0);
	CHECK((s = rump_sys_socket(AF_UNIX, SOCK_STREAM, 0)) >= 0);
	CHECK(rump_sys_connect(s, (struct sockaddr *)&sun, sun_of(path, &sun))
	    == 0);
	memset(&mh, 0, sizeof(mh));
	memset(&ctl, 0, sizeof(ctl));
	iov.iov_base = (void *)(uintptr_t)"R";
	iov.iov_len = 1;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl.buf;
	mh.msg_controllen = sizeof(ctl.buf);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &p[0], sizeof(int));
	CHECK(rump_sys_sendmsg(s, &mh, 0) == 1);
	/* the receiver now holds the only read end */
	CHECK(rump_sys_close(p[0]) == 0);
	CHECK(rump_sys_write(p[1], data, strlen(data)) ==
	    (ssize_t)strlen(data));
	CHECK(rump_sys_close(p[1]) == 0);
	printf("ok\n");
	return 0;
}

static int
cmd_pipe_fork(const char *data)
{
	char buf[256];
	size_t got = 0;
	ssize_t n;
	pid_t hp;
	int p[2], st;

	CHECK(rump_sys_pipe2(p, 0) == 0);
	hp = rumpclient_fork();
	CHECK(hp != -1);
	if (hp == 0) {
		/* the reader: blocks until the other process writes */
		CHECK(rump_sys_close(p[1]) == 0);
		while ((n = rump_sys_read(p[0], buf + got,
		    sizeof(buf) - 1 - got)) > 0)
			got += (size_t)n;
		CHECK(n == 0);
		buf[got] = '\0';
		printf("child read %s\n", buf);
		exit(0);
	}
	CHECK(rump_sys_close(p[0]) == 0);
	CHECK(rump_sys_write(p[1], data, strlen(data)) ==
	    (ssize_t)strlen(data));
	CHECK(rump_sys_close(p[1]) == 0);
	CHECK(waitpid(hp, &st, 0) == hp);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return 0;
}

static int
cmd_sigpipe(const char *how)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int sv[2], i;
	ssize_t n;

	/* explicitly: an ignored SIGPIPE survives exec from the test */
	signal(SIGPIPE, strcmp(how, "ign") == 0 ? SIG_IGN : SIG_DFL);
	CHECK(rump_sys_socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(rump_sys_close(sv[1]) == 0);
	/* MSG_NOSIGNAL: no signal either way */
	CHECK(rump_sys_sendto(sv[0], "x", 1, MSG_NOSIGNAL, NULL, 0) == -1 &&
	    errno == EPIPE);
	n = rump_sys_write(sv[0], "x", 1);
	CHECK(n == -1 && errno == EPIPE);
	if (strcmp(how, "ign") == 0) {
		printf("EPIPE\n");
		return 0;
	}
	/* the RAISE comes on its own: wait for it, boundedly */
	for (i = 0; i < 500; i++)
		nanosleep(&ts, NULL);
	printf("alive\n");
	return 3;
}

/* wait until pid has a call in the kernel (it is blocked there) */
static int
cmd_blocked(const char *spid)
{
	struct timespec ts = { 0, 5 * 1000 * 1000 };
	struct rump_procinfo pi[256];
	pid_t pid = atoi(spid);
	ssize_t n;
	int i, j;

	for (i = 0; i < 2000; i++) {
		CHECK((n = rump_sys_proclist(pi, sizeof(pi))) >= 0);
		for (j = 0; j < n / (ssize_t)sizeof(pi[0]); j++)
			if (pi[j].rpi_pid == pid && pi[j].rpi_nlwps > 0) {
				printf("ok\n");
				return 0;
			}
		nanosleep(&ts, NULL);
	}
	printf("not blocked\n");
	return 1;
}

static const char *
sock_state(int st)
{

	switch (st) {
	case RUMP_SOCK_LISTEN:
		return "LISTEN";
	case RUMP_SOCK_CONNECTED:
		return "CONNECTED";
	case RUMP_SOCK_CLOSED:
		return "CLOSED";
	case RUMP_SOCK_EMBRYONIC:
		return "EMBRYONIC";
	default:
		return "UNCONNECTED";
	}
}

static int
cmd_socklist(void)
{
	struct rump_sockinfo si[128];
	struct sockaddr_in *sin;
	struct sockaddr_un *sun;
	ssize_t n;
	int i;

	CHECK((n = rump_sys_socklist(si, sizeof(si))) >= 0);
	for (i = 0; i < n / (ssize_t)sizeof(si[0]) && i < 128; i++) {
		printf("%d %d %d %d %s ", si[i].rsi_pid, si[i].rsi_fd,
		    si[i].rsi_family, si[i].rsi_type,
		    sock_state(si[i].rsi_state));
		if (si[i].rsi_family == AF_UNIX) {
			sun = (struct sockaddr_un *)&si[i].rsi_laddr;
			printf("%s\n", si[i].rsi_laddrlen > 2 ?
			    sun->sun_path : "-");
		} else {
			sin = (struct sockaddr_in *)&si[i].rsi_laddr;
			printf("%d\n", ntohs(sin->sin_port));
		}
	}
	return 0;
}

/*
 * Every poll and socket call once over the wire, with the buffers the
 * annotations ship inline (INOUT arrays and sets, address lengths)
 * and the ones the server fetches with copy requests (accept's and
 * recvfrom's address, getsockopt's value, msghdr parts).
 */
static int
cmd_calls(void)
{
	struct sockaddr_in sin, peer;
	struct epoll_event ev, evs[2];
	struct timespec ts = { 0, 0 };
	struct timeval tv = { 0, 0 };
	struct pollfd pf[2];
	socklen_t len;
	uint64_t mask = 0;
	char buf[32];
	fd_set r, w;
	int p[2], l, c, a, ep, v, u1, u2;

	CHECK(rump_sys_pipe2(p, 0) == 0);
	pf[0] = (struct pollfd){ p[0], POLLIN, 0 };
	pf[1] = (struct pollfd){ p[1], POLLOUT, 0 };
	CHECK(rump_sys_poll(pf, 2, 0) == 1 && pf[0].revents == 0 &&
	    pf[1].revents == POLLOUT);
	CHECK(rump_sys_write(p[1], "x", 1) == 1);
	CHECK(rump_sys_ppoll(pf, 2, &ts, &mask, 8) == 2 &&
	    pf[0].revents == POLLIN);
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(p[0], &r);
	FD_SET(p[1], &w);
	tv.tv_sec = 3;
	CHECK(rump_sys_select(p[1] + 1, &r, &w, NULL, &tv) == 2 &&
	    FD_ISSET(p[0], &r) && FD_ISSET(p[1], &w) && tv.tv_sec <= 3);
	FD_ZERO(&w);
	CHECK(rump_sys_pselect6(p[1] + 1, NULL, &w, NULL, &ts, NULL) == 0);
	CHECK((ep = rump_sys_epoll_create1(EPOLL_CLOEXEC)) >= 0);
	ev.events = EPOLLIN;
	ev.data.u64 = 77;
	CHECK(rump_sys_epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == 0);
	CHECK(rump_sys_epoll_wait(ep, evs, 2, 1000) == 1 &&
	    evs[0].data.u64 == 77 && evs[0].events == EPOLLIN);
	CHECK(rump_sys_epoll_pwait(ep, evs, 2, 0, &mask, 8) == 1);
	/* TCP with addresses coming back */
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK((l = rump_sys_socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	v = 1;
	CHECK(rump_sys_setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &v,
	    sizeof(v)) == 0);
	v = 0;
	len = sizeof(v);
	CHECK(rump_sys_getsockopt(l, SOL_SOCKET, SO_REUSEADDR, &v, &len) ==
	    0 && v == 1 && len == sizeof(v));
	CHECK(rump_sys_bind(l, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	CHECK(rump_sys_listen(l, 1) == 0);
	len = sizeof(sin);
	CHECK(rump_sys_getsockname(l, (struct sockaddr *)&sin, &len) == 0 &&
	    sin.sin_port != 0);
	CHECK((c = rump_sys_socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	CHECK(rump_sys_connect(c, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	len = sizeof(peer);
	memset(&peer, 0, sizeof(peer));
	CHECK((a = rump_sys_accept(l, (struct sockaddr *)&peer, &len)) >= 0);
	CHECK(len == sizeof(peer) && peer.sin_family == AF_INET &&
	    peer.sin_port != 0);
	len = sizeof(sin);
	CHECK(rump_sys_getpeername(a, (struct sockaddr *)&sin, &len) == 0 &&
	    sin.sin_port == peer.sin_port);
	CHECK(rump_sys_sendto(c, "tcp", 3, 0, NULL, 0) == 3);
	CHECK(rump_sys_recvfrom(a, buf, sizeof(buf), MSG_WAITALL | MSG_PEEK,
	    NULL, NULL) == 3);
	CHECK(rump_sys_recvfrom(a, buf, sizeof(buf), 0, NULL, NULL) == 3 &&
	    memcmp(buf, "tcp", 3) == 0);
	CHECK(rump_sys_accept4(l, NULL, NULL, SOCK_NONBLOCK | 0x1) == -1 &&
	    errno == EINVAL);
	/* UDP: the sender's address comes back */
	CHECK((u1 = rump_sys_socket(AF_INET, SOCK_DGRAM, 0)) >= 0);
	CHECK((u2 = rump_sys_socket(AF_INET, SOCK_DGRAM, 0)) >= 0);
	sin.sin_port = 0;
	CHECK(rump_sys_bind(u2, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	len = sizeof(sin);
	CHECK(rump_sys_getsockname(u2, (struct sockaddr *)&sin, &len) == 0);
	CHECK(rump_sys_sendto(u1, "udp", 3, 0, (struct sockaddr *)&sin,
	    sizeof(sin)) == 3);
	len = sizeof(peer);
	CHECK(rump_sys_recvfrom(u2, buf, sizeof(buf), 0,
	    (struct sockaddr *)&peer, &len) == 3 && len == sizeof(peer) &&
	    peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
	CHECK(rump_sys_shutdown(c, SHUT_RDWR) == 0);
	printf("ok\n");
	return 0;
}

int
main(int argc, char *argv[])
{

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (rumpclient_init() != 0) {
		fprintf(stderr, "tsock: rumpclient_init: %s\n",
		    strerror(errno));
		return 1;
	}
	if (argc == 3 && strcmp(argv[1], "unix-serve") == 0)
		return cmd_unix_serve(argv[2]);
	if (argc == 4 && strcmp(argv[1], "unix-send") == 0)
		return cmd_unix_send(argv[2], argv[3]);
	if (argc == 2 && strcmp(argv[1], "tcp-serve") == 0)
		return cmd_tcp_serve();
	if (argc == 4 && strcmp(argv[1], "tcp-send") == 0)
		return cmd_tcp_send(argv[2], argv[3]);
	if (argc == 3 && strcmp(argv[1], "dgram-wait") == 0)
		return cmd_dgram_wait(argv[2]);
	if (argc == 4 && strcmp(argv[1], "dgram-send") == 0)
		return cmd_dgram_send(argv[2], argv[3]);
	if (argc == 3 && strcmp(argv[1], "rights-recv") == 0)
		return cmd_rights_recv(argv[2]);
	if (argc == 4 && strcmp(argv[1], "rights-send") == 0)
		return cmd_rights_send(argv[2], argv[3]);
	if (argc == 3 && strcmp(argv[1], "pipe-fork") == 0)
		return cmd_pipe_fork(argv[2]);
	if (argc == 3 && strcmp(argv[1], "sigpipe") == 0)
		return cmd_sigpipe(argv[2]);
	if (argc == 3 && strcmp(argv[1], "blocked") == 0)
		return cmd_blocked(argv[2]);
	if (argc == 2 && strcmp(argv[1], "calls") == 0)
		return cmd_calls();
	if (argc == 2 && strcmp(argv[1], "socklist") == 0)
		return cmd_socklist();
	fprintf(stderr, "tsock: unknown command\n");
	return 2;
}
