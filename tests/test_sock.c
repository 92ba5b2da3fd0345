/*
 * test_sock.c -- sockets in-process (librump): AF_UNIX stream,
 * datagram and seqpacket, loopback TCP and UDP over IPv4 and IPv6,
 * options, non-blocking connect and accept, SCM_RIGHTS, and the
 * socket listing.
 *
 * The scenarios run twice, on the host's system calls and on
 * rump_sys_*, and the logs (return values, errnos, and what is
 * comparable of addresses: families, lengths, whether a port is set)
 * must be equal: the host is the oracle for Linux's semantics.  Paths
 * are made under a directory of each side's own (a mkdtemp directory
 * on the host, /tmp/s in the kernel), and ports are the ones each side
 * chose, so the logs record relations (same port as getsockname said)
 * rather than numbers.  SIGPIPE is ignored so that the host gives
 * EPIPE, as the kernel does for a local process.  With TEST_SOCK_TRACE
 * set in the environment every logged call is also printed, to find
 * where a scenario blocks.
 */
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

#include "kern.h"

struct sops {
	int	(*socket)(int, int, int);
	int	(*socketpair)(int, int, int, int *);
	int	(*bind)(int, const struct sockaddr *, socklen_t);
	int	(*listen)(int, int);
	int	(*accept4)(int, struct sockaddr *, socklen_t *, int);
	int	(*connect)(int, const struct sockaddr *, socklen_t);
	int	(*shutdown)(int, int);
	int	(*getsockname)(int, struct sockaddr *, socklen_t *);
	int	(*getpeername)(int, struct sockaddr *, socklen_t *);
	ssize_t	(*sendto)(int, const void *, size_t, int,
		    const struct sockaddr *, socklen_t);
	ssize_t	(*recvfrom)(int, void *, size_t, int, struct sockaddr *,
		    socklen_t *);
	ssize_t	(*sendmsg)(int, const struct msghdr *, int);
	ssize_t	(*recvmsg)(int, struct msghdr *, int);
	int	(*setsockopt)(int, int, int, const void *, socklen_t);
	int	(*getsockopt)(int, int, int, void *, socklen_t *);
	ssize_t	(*read)(int, void *, size_t);
	ssize_t	(*write)(int, const void *, size_t);
	int	(*close)(int);
	int	(*poll)(struct pollfd *, nfds_t, int);
	int	(*fcntl)(int, int, ...);
	int	(*open)(const char *, int, ...);
	int	(*unlink)(const char *);
	int	(*mkdir)(const char *, mode_t);
	int	(*stat)(const char *, struct stat *);
	int	(*pipe2)(int *, int);
};

static const struct sops hostops = {
	socket, socketpair, bind, listen, accept4, connect, shutdown,
	getsockname, getpeername, sendto, recvfrom, sendmsg, recvmsg,
	setsockopt, getsockopt, read, write, close, poll, fcntl, open,
	unlink, mkdir, stat, pipe2,
};

static const struct sops rumpops = {
	rump_sys_socket, rump_sys_socketpair, rump_sys_bind,
	rump_sys_listen, rump_sys_accept4, rump_sys_connect,
	rump_sys_shutdown, rump_sys_getsockname, rump_sys_getpeername,
	rump_sys_sendto, rump_sys_recvfrom, rump_sys_sendmsg,
	rump_sys_recvmsg, rump_sys_setsockopt, rump_sys_getsockopt,
	rump_sys_read, rump_sys_write, rump_sys_close, rump_sys_poll,
	rump_sys_fcntl, rump_sys_open, rump_sys_unlink, rump_sys_mkdir,
	rump_sys_stat, rump_sys_pipe2,
};

#define MAXLOG	512
struct run {
	const struct sops *o;
	const char	*base;
	int		 n;
	long		 v[MAXLOG][4];	/* line, return, errno, extra */
};

static char hostbase[PATH_MAX];

static void
log_add(struct run *r, int line, long ret, int err, long extra)
{

	ck_assert_int_lt(r->n, MAXLOG);
	if (getenv("TEST_SOCK_TRACE") != NULL)
		fprintf(stderr, "%s:%d %ld %d\n", r->o == &hostops ? "host" :
		    "rump", line, ret, err);
	r->v[r->n][0] = line;
	r->v[r->n][1] = ret;
	r->v[r->n][2] = ret < 0 ? err : 0;
	r->v[r->n][3] = extra;
	r->n++;
}

#define CALL(r, expr, extra) do {					\
	long r_;							\
	errno = 0;							\
	r_ = (long)(expr);						\
	log_add(r, __LINE__, r_, errno, (long)(extra));			\
} while (0)

/* a call returning a descriptor: logged as 0 or -1 */
#define CALLFD(r, var, expr) do {					\
	errno = 0;							\
	(var) = (expr);							\
	log_add(r, __LINE__, (var) < 0 ? -1 : 0, errno, 0);		\
} while (0)

static void
log_compare(const struct run *h, const struct run *r)
{
	int i;

	for (i = 0; i < h->n && i < r->n; i++) {
		ck_assert_msg(memcmp(h->v[i], r->v[i], sizeof(h->v[i])) == 0,
		    "line %ld: host %ld/%s/%#lx, rump line %ld %ld/%s/%#lx",
		    h->v[i][0], h->v[i][1], strerror((int)h->v[i][2]),
		    h->v[i][3], r->v[i][0], r->v[i][1],
		    strerror((int)r->v[i][2]), r->v[i][3]);
	}
	ck_assert_int_eq(h->n, r->n);
}

static socklen_t
sun_at(struct run *r, struct sockaddr_un *sun, const char *name)
{

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	snprintf(sun->sun_path, sizeof(sun->sun_path), "%s/%s", r->base,
	    name);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
	    strlen(sun->sun_path) + 1);
}

/* an abstract name unique to this run */
static socklen_t
sun_abstract(struct run *r, struct sockaddr_un *sun, const char *name)
{

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	snprintf(sun->sun_path + 1, sizeof(sun->sun_path) - 1,
	    "rumptest-%d-%s-%s", (int)getpid(),
	    r->o == &hostops ? "h" : "r", name);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
	    strlen(sun->sun_path + 1));
}

static void
run_scenario(void (*scenario)(struct run *), struct run *h, struct run *r)
{

	memset(h, 0, sizeof(*h));
	memset(r, 0, sizeof(*r));
	signal(SIGPIPE, SIG_IGN);
	strlcpy(hostbase, "/tmp/rumpsockXXXXXX", sizeof(hostbase));
	ck_assert_ptr_nonnull(mkdtemp(hostbase));
	h->o = &hostops;
	h->base = hostbase;
	scenario(h);
	ck_assert_int_eq(rump_init(), 0);
	ck_assert_int_eq(rump_sys_mkdir("/tmp/s", 0777), 0);
	r->o = &rumpops;
	r->base = "/tmp/s";
	scenario(r);
	log_compare(h, r);
}

#define COMPARE(scenario) do {						\
	static struct run h_, r_;					\
	run_scenario(scenario, &h_, &r_);				\
} while (0)

/* AF_UNIX stream socketpair: data, shutdown, close, poll, errors */
static void
sc_unix_pair(struct run *r)
{
	const struct sops *o = r->o;
	struct pollfd pf[2];
	char buf[256];
	int sv[2], x, fl, t;
	socklen_t len;

	CALL(r, o->socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	CALL(r, o->write(sv[0], "hello", 5), 0);
	CALL(r, o->write(sv[0], "world", 5), 0);
	CALL(r, o->read(sv[1], buf, 3), memcmp(buf, "hel", 3));
	CALL(r, o->recvfrom(sv[1], buf, sizeof(buf), MSG_PEEK, NULL, NULL),
	    memcmp(buf, "loworld", 7));
	CALL(r, o->read(sv[1], buf, sizeof(buf)), memcmp(buf, "loworld", 7));
	CALL(r, o->recvfrom(sv[1], buf, sizeof(buf), MSG_DONTWAIT, NULL,
	    NULL), 0);
	pf[0] = (struct pollfd){ sv[0], POLLIN | POLLOUT, 0 };
	pf[1] = (struct pollfd){ sv[1], POLLIN | POLLOUT, 0 };
	CALL(r, o->poll(pf, 2, 0), pf[0].revents | pf[1].revents << 16);
	len = sizeof(t);
	CALL(r, o->getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &t, &len), t);
	CALL(r, o->getsockopt(sv[0], SOL_SOCKET, SO_DOMAIN, &t, &len), t);
	CALL(r, o->getsockopt(sv[0], SOL_SOCKET, SO_PROTOCOL, &t, &len), t);
	CALL(r, o->getsockopt(sv[0], SOL_SOCKET, SO_ACCEPTCONN, &t, &len), t);
	CALL(r, o->getsockopt(sv[0], SOL_SOCKET, 9999, &t, &len), 0);
	CALL(r, o->getsockopt(sv[0], IPPROTO_TCP, TCP_NODELAY, &t, &len), 0);
	/* shutdown: the peer reads end of file, we cannot write */
	CALL(r, o->shutdown(sv[0], SHUT_WR), 0);
	CALL(r, o->read(sv[1], buf, sizeof(buf)), 0);
	CALL(r, o->write(sv[0], "x", 1), 0);
	CALL(r, o->sendto(sv[0], "x", 1, MSG_NOSIGNAL, NULL, 0), 0);
	CALL(r, o->poll(pf, 2, 0), pf[0].revents | pf[1].revents << 16);
	CALL(r, o->shutdown(sv[0], 7), 0);
	/* the other way still works */
	CALL(r, o->write(sv[1], "back", 4), 0);
	CALL(r, o->read(sv[0], buf, sizeof(buf)), memcmp(buf, "back", 4));
	/* non-blocking through fcntl */
	CALL(r, fl = o->fcntl(sv[0], F_GETFL), 0);
	CALL(r, o->fcntl(sv[0], F_SETFL, fl | O_NONBLOCK), 0);
	CALL(r, o->read(sv[0], buf, sizeof(buf)), 0);
	/* close with unread data: ECONNRESET, then end of file */
	CALL(r, o->write(sv[0], "unread", 6), 0);
	CALL(r, o->write(sv[1], "unread", 6), 0);
	CALL(r, o->close(sv[1]), 0);
	CALL(r, o->read(sv[0], buf, sizeof(buf)), 0);
	CALL(r, o->read(sv[0], buf, sizeof(buf)), 0);
	CALL(r, o->write(sv[0], "x", 1), 0);
	pf[0].events = POLLIN | POLLOUT;
	CALL(r, o->poll(pf, 1, 0), pf[0].revents);
	CALL(r, o->close(sv[0]), 0);
	/* errors */
	CALL(r, o->socketpair(AF_INET, SOCK_STREAM, 0, sv), 0);
	CALL(r, o->socketpair(AF_UNIX, SOCK_STREAM, 5, sv), 0);
	CALL(r, o->socket(AF_UNIX, SOCK_STREAM | 0x10000, 0), 0);
	CALL(r, o->socket(12345, SOCK_STREAM, 0), 0);
	CALL(r, o->socket(AF_UNIX, 99, 0), 0);
	CALL(r, o->socket(AF_INET, SOCK_STREAM, IPPROTO_UDP), 0);
	CALL(r, o->shutdown(99, SHUT_RD), 0);
	x = o->open(r->base, O_RDONLY | O_DIRECTORY);
	CALL(r, o->shutdown(x, SHUT_RD), 0);
	CALL(r, o->listen(x, 1), 0);
	o->close(x);
}

/* AF_UNIX stream by name: bind, listen, connect, accept */
static void
sc_unix_named(struct run *r)
{
	const struct sops *o = r->o;
	struct sockaddr_un sun, peer, abs;
	struct stat st;
	char buf[64];
	socklen_t len, alen, plen;
	int l, c, a, c2, x, fl;

	alen = sun_at(r, &sun, "sock");
	CALLFD(r, l, o->socket(AF_UNIX, SOCK_STREAM, 0));
	CALL(r, o->listen(l, 5), 0);		/* not bound: EINVAL */
	CALL(r, o->bind(l, (struct sockaddr *)&sun, alen), 0);
	CALL(r, o->stat(sun.sun_path, &st), st.st_mode & S_IFMT);
	CALL(r, o->bind(l, (struct sockaddr *)&sun, alen), 0);
	CALLFD(r, x, o->socket(AF_UNIX, SOCK_STREAM, 0));
	CALL(r, o->bind(x, (struct sockaddr *)&sun, alen), 0);
	CALL(r, o->open(sun.sun_path, O_RDWR), 0);
	/* nobody listens yet */
	CALL(r, o->connect(x, (struct sockaddr *)&sun, alen), 0);
	CALL(r, o->listen(l, 1), 0);
	len = sizeof(peer);
	CALL(r, o->getsockname(l, (struct sockaddr *)&peer, &len),
	    len - strlen(r->base));
	CALLFD(r, c, o->socket(AF_UNIX, SOCK_STREAM, 0));
	CALL(r, o->connect(c, (struct sockaddr *)&sun, alen), 0);
	CALL(r, o->connect(c, (struct sockaddr *)&sun, alen), 0);
	len = sizeof(peer);
	CALL(r, o->getpeername(c, (struct sockaddr *)&peer, &len),
	    len - strlen(r->base));
	len = sizeof(peer);
	CALL(r, o->getsockname(c, (struct sockaddr *)&peer, &len), len);
	len = sizeof(peer);
	CALL(r, o->getpeername(l, (struct sockaddr *)&peer, &len), 0);
	/* a listener's backlog of 1 holds two; the third waits */
	CALLFD(r, c2, o->socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0));
	CALL(r, o->connect(c2, (struct sockaddr *)&sun, alen), 0);
	o->close(x);
	CALLFD(r, x, o->socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0));
	CALL(r, o->connect(x, (struct sockaddr *)&sun, alen), 0);
	o->close(x);
	len = sizeof(peer);
	CALLFD(r, a, o->accept4(l, (struct sockaddr *)&peer, &len,
	    SOCK_CLOEXEC));
	CALL(r, len, peer.sun_family);
	CALL(r, fl = o->fcntl(a, F_GETFD), fl);
	CALL(r, o->write(c, "ping", 4), 0);
	CALL(r, o->read(a, buf, sizeof(buf)), memcmp(buf, "ping", 4));
	CALL(r, o->sendto(a, "pong", 4, 0, NULL, 0), 0);
	CALL(r, o->sendto(a, "pong", 4, 0, (struct sockaddr *)&sun, alen), 0);
	CALL(r, o->recvfrom(c, buf, 4, MSG_WAITALL, NULL, NULL),
	    memcmp(buf, "pong", 4));
	o->close(a);
	CALLFD(r, a, o->accept4(l, NULL, NULL, SOCK_NONBLOCK));
	CALL(r, o->read(a, buf, sizeof(buf)), 0);
	o->close(a);
	CALL(r, o->fcntl(l, F_SETFL, O_NONBLOCK), 0);
	CALL(r, o->accept4(l, NULL, NULL, 0), 0);
	CALL(r, o->accept4(l, NULL, NULL, 0x777), 0);
	CALL(r, o->accept4(c, NULL, NULL, 0), 0);
	/* the listener gone, the name stays and refuses */
	CALL(r, o->close(l), 0);
	CALLFD(r, x, o->socket(AF_UNIX, SOCK_STREAM, 0));
	CALL(r, o->connect(x, (struct sockaddr *)&sun, alen), 0);
	CALL(r, o->unlink(sun.sun_path), 0);
	CALL(r, o->connect(x, (struct sockaddr *)&sun, alen), 0);
	/* a regular file is not a socket */
	alen = sun_at(r, &sun, "file");
	CALL(r, o->close(o->open(sun.sun_path, O_CREAT | O_RDWR, 0644)), 0);
	CALL(r, o->connect(x, (struct sockaddr *)&sun, alen), 0);
	alen = sun_at(r, &sun, "nodir/sock");
	CALL(r, o->bind(x, (struct sockaddr *)&sun, alen), 0);
	CALL(r, o->connect(x, (struct sockaddr *)&sun, 1), 0);
	sun.sun_family = AF_INET;
	CALL(r, o->connect(x, (struct sockaddr *)&sun, alen), 0);
	CALL(r, o->bind(x, (struct sockaddr *)&sun, alen), 0);
	/* abstract names */
	alen = sun_abstract(r, &abs, "l");
	CALLFD(r, l, o->socket(AF_UNIX, SOCK_STREAM, 0));
	CALL(r, o->bind(l, (struct sockaddr *)&abs, alen), 0);
	CALL(r, o->listen(l, 4), 0);
	CALL(r, o->bind(x, (struct sockaddr *)&abs, alen), 0);
	CALL(r, o->connect(x, (struct sockaddr *)&abs, alen), 0);
	plen = sizeof(peer);
	CALL(r, o->getpeername(x, (struct sockaddr *)&peer, &plen),
	    plen == alen && memcmp(&peer, &abs, alen) == 0);
	o->close(l);
	o->close(x);
	/* autobind: five hex digits */
	CALLFD(r, x, o->socket(AF_UNIX, SOCK_DGRAM, 0));
	CALL(r, o->bind(x, (struct sockaddr *)&abs, sizeof(sa_family_t)), 0);
	plen = sizeof(peer);
	CALL(r, o->getsockname(x, (struct sockaddr *)&peer, &plen), plen);
	o->close(x);
	o->close(c);
	o->close(c2);
}

/* AF_UNIX datagrams and seqpacket: boundaries, addresses, truncation */
static void
sc_unix_dgram(struct run *r)
{
	const struct sops *o = r->o;
	struct sockaddr_un a1, a2, from;
	char buf[64];
	struct iovec iov[2];
	struct msghdr mh;
	socklen_t l1, l2, flen;
	int s1, s2, s3, sv[2], i;

	l1 = sun_at(r, &a1, "d1");
	l2 = sun_at(r, &a2, "d2");
	CALLFD(r, s1, o->socket(AF_UNIX, SOCK_DGRAM, 0));
	CALLFD(r, s2, o->socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0));
	CALL(r, o->bind(s1, (struct sockaddr *)&a1, l1), 0);
	CALL(r, o->bind(s2, (struct sockaddr *)&a2, l2), 0);
	CALL(r, o->sendto(s1, "one", 3, 0, (struct sockaddr *)&a2, l2), 0);
	CALL(r, o->sendto(s1, "three", 5, 0, (struct sockaddr *)&a2, l2), 0);
	CALL(r, o->sendto(s1, "", 0, 0, (struct sockaddr *)&a2, l2), 0);
	flen = sizeof(from);
	CALL(r, o->recvfrom(s2, buf, sizeof(buf), 0, (struct sockaddr *)&from,
	    &flen), flen - strlen(r->base));
	CALL(r, o->recvfrom(s2, buf, 2, MSG_TRUNC, NULL, NULL), 0);
	memset(&mh, 0, sizeof(mh));
	CALL(r, o->recvmsg(s2, &mh, 0), mh.msg_flags);
	CALL(r, o->recvfrom(s2, buf, 2, 0, NULL, NULL), 0);
	CALL(r, o->sendto(s1, "x", 1, 0, NULL, 0), 0);
	/* connected: only from the peer */
	CALL(r, o->connect(s1, (struct sockaddr *)&a2, l2), 0);
	CALL(r, o->sendto(s1, "conn", 4, 0, NULL, 0), 0);
	CALL(r, o->connect(s2, (struct sockaddr *)&a1, l1), 0);
	CALLFD(r, s3, o->socket(AF_UNIX, SOCK_DGRAM, 0));
	CALL(r, o->sendto(s3, "x", 1, 0, (struct sockaddr *)&a2, l2), 0);
	/* scatter a datagram over two iovecs, with the sender's name */
	iov[0] = (struct iovec){ buf, 2 };
	iov[1] = (struct iovec){ buf + 10, 10 };
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = iov;
	mh.msg_iovlen = 2;
	mh.msg_name = &from;
	mh.msg_namelen = sizeof(from);
	CALL(r, o->recvmsg(s2, &mh, 0), memcmp(buf, "co", 2) |
	    memcmp(buf + 10, "nn", 2) | (mh.msg_namelen == l1) << 4);
	/* a full receiver: EAGAIN when non-blocking */
	CALL(r, o->connect(s2, (struct sockaddr *)&a2, l2), 0);
	for (i = 0; i < 20; i++)
		if (o->sendto(s2, "f", 1, 0, NULL, 0) < 0)
			break;
	CALL(r, i, errno);
	CALL(r, o->sendto(s3, "x", 1, 0, (struct sockaddr *)&a1, l1), 0);
	CALL(r, o->close(s1), 0);
	CALL(r, o->sendto(s3, "x", 1, 0, (struct sockaddr *)&a1, l1), 0);
	o->close(s2);
	o->close(s3);
	/* stream address for a datagram socket */
	CALLFD(r, s1, o->socket(AF_UNIX, SOCK_STREAM, 0));
	CALL(r, o->bind(s1, (struct sockaddr *)&a1, l1), 0);
	o->unlink(a1.sun_path);
	CALL(r, o->bind(s1, (struct sockaddr *)&a1, l1), 0);
	CALL(r, o->listen(s1, 1), 0);
	CALLFD(r, s2, o->socket(AF_UNIX, SOCK_DGRAM, 0));
	CALL(r, o->connect(s2, (struct sockaddr *)&a1, l1), 0);
	CALL(r, o->sendto(s2, "x", 1, 0, (struct sockaddr *)&a1, l1), 0);
	o->close(s1);
	o->close(s2);
	/* socketpair datagrams, then the peer closes */
	CALL(r, o->socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	CALL(r, o->write(sv[0], "ab", 2), 0);
	CALL(r, o->write(sv[0], "cde", 3), 0);
	CALL(r, o->read(sv[1], buf, sizeof(buf)), 0);
	CALL(r, o->read(sv[1], buf, 1), 0);
	CALL(r, o->close(sv[1]), 0);
	CALL(r, o->write(sv[0], "x", 1), 0);
	CALL(r, o->write(sv[0], "x", 1), 0);
	o->close(sv[0]);
	/* seqpacket keeps boundaries and has end of file */
	CALL(r, o->socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	CALL(r, o->write(sv[0], "rec1", 4), 0);
	CALL(r, o->write(sv[0], "record2", 7), 0);
	CALL(r, o->read(sv[1], buf, 2), 0);
	memset(&mh, 0, sizeof(mh));
	iov[0] = (struct iovec){ buf, 3 };
	mh.msg_iov = iov;
	mh.msg_iovlen = 1;
	CALL(r, o->recvmsg(sv[1], &mh, 0), mh.msg_flags);
	CALL(r, o->shutdown(sv[0], SHUT_WR), 0);
	CALL(r, o->read(sv[1], buf, sizeof(buf)), 0);
	CALL(r, o->write(sv[0], "x", 1), 0);
	o->close(sv[0]);
	o->close(sv[1]);
	/* seqpacket by name */
	l1 = sun_at(r, &a1, "sp");
	CALLFD(r, s1, o->socket(AF_UNIX, SOCK_SEQPACKET, 0));
	CALL(r, o->bind(s1, (struct sockaddr *)&a1, l1), 0);
	CALL(r, o->listen(s1, 1), 0);
	CALLFD(r, s2, o->socket(AF_UNIX, SOCK_SEQPACKET, 0));
	CALL(r, o->write(s2, "x", 1), 0);
	CALL(r, o->connect(s2, (struct sockaddr *)&a1, l1), 0);
	CALLFD(r, s3, o->accept4(s1, NULL, NULL, 0));
	CALL(r, o->write(s2, "msg", 3), 0);
	CALL(r, o->read(s3, buf, sizeof(buf)), 0);
	o->close(s1);
	o->close(s2);
	o->close(s3);
}

/* TCP on the loopback: ports, connect, accept, shutdown, errors */
static void
sc_tcp(struct run *r, int fam)
{
	const struct sops *o = r->o;
	struct sockaddr_storage ss, sa, pa;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	struct pollfd pf;
	socklen_t len, alen, plen;
	char buf[64];
	int l, c, a, x, v, port;

	memset(&ss, 0, sizeof(ss));
	if (fam == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		alen = sizeof(*sin);
	} else {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_loopback;
		alen = sizeof(*sin6);
	}
	CALLFD(r, l, o->socket(fam, SOCK_STREAM, 0));
	v = 1;
	CALL(r, o->setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v)), 0);
	len = sizeof(v);
	CALL(r, o->getsockopt(l, SOL_SOCKET, SO_REUSEADDR, &v, &len), v);
	CALL(r, o->bind(l, (struct sockaddr *)&ss, alen), 0);
	CALL(r, o->bind(l, (struct sockaddr *)&ss, alen), 0);
	len = sizeof(sa);
	CALL(r, o->getsockname(l, (struct sockaddr *)&sa, &len), len);
	port = fam == AF_INET ? ((struct sockaddr_in *)&sa)->sin_port :
	    ((struct sockaddr_in6 *)&sa)->sin6_port;
	CALL(r, port != 0, 0);
	/* not listening yet: refused */
	if (fam == AF_INET)
		sin->sin_port = (in_port_t)port;
	else
		sin6->sin6_port = (in_port_t)port;
	CALLFD(r, c, o->socket(fam, SOCK_STREAM, 0));
	CALL(r, o->connect(c, (struct sockaddr *)&ss, alen), 0);
	o->close(c);
	CALL(r, o->listen(l, 8), 0);
	len = sizeof(v);
	CALL(r, o->getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &v, &len), v);
	/* the same port again: in use, even with SO_REUSEADDR on one */
	CALLFD(r, x, o->socket(fam, SOCK_STREAM, 0));
	CALL(r, o->bind(x, (struct sockaddr *)&ss, alen), 0);
	o->close(x);
	CALLFD(r, c, o->socket(fam, SOCK_STREAM, 0));
	CALL(r, o->getpeername(c, (struct sockaddr *)&pa, &len), 0);
	CALL(r, o->write(c, "x", 1), 0);
	CALL(r, o->read(c, buf, 1), 0);
	CALL(r, o->connect(c, (struct sockaddr *)&ss, alen), 0);
	CALL(r, o->connect(c, (struct sockaddr *)&ss, alen), 0);
	len = sizeof(pa);
	CALL(r, o->getpeername(c, (struct sockaddr *)&pa, &len),
	    len == alen && memcmp(&pa, &ss, alen) == 0);
	len = sizeof(sa);
	CALL(r, o->getsockname(c, (struct sockaddr *)&sa, &len), len);
	plen = sizeof(pa);
	CALLFD(r, a, o->accept4(l, (struct sockaddr *)&pa, &plen, 0));
	CALL(r, plen == len && memcmp(&pa, &sa, len) == 0, 0);
	len = sizeof(sa);
	CALL(r, o->getsockname(a, (struct sockaddr *)&sa, &len),
	    len == alen && memcmp(&sa, &ss, alen) == 0);
	v = 1;
	CALL(r, o->setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &v, sizeof(v)), 0);
	len = sizeof(v);
	CALL(r, o->getsockopt(c, IPPROTO_TCP, TCP_NODELAY, &v, &len), v);
	CALL(r, o->getsockopt(c, SOL_SOCKET, SO_PROTOCOL, &v, &len), v);
	CALL(r, o->write(c, "hello", 5), 0);
	CALL(r, o->recvfrom(a, buf, sizeof(buf), MSG_PEEK, NULL, NULL), 0);
	CALL(r, o->read(a, buf, sizeof(buf)), memcmp(buf, "hello", 5));
	/* half close: end of file one way, data the other */
	CALL(r, o->shutdown(c, SHUT_WR), 0);
	CALL(r, o->read(a, buf, sizeof(buf)), 0);
	CALL(r, o->write(a, "bye", 3), 0);
	CALL(r, o->read(c, buf, sizeof(buf)), memcmp(buf, "bye", 3));
	CALL(r, o->sendto(c, "x", 1, MSG_NOSIGNAL, NULL, 0), 0);
	pf = (struct pollfd){ a, POLLIN | POLLOUT | POLLRDHUP, 0 };
	CALL(r, o->poll(&pf, 1, 0), pf.revents);
	CALL(r, o->close(a), 0);
	CALL(r, o->read(c, buf, sizeof(buf)), 0);
	o->close(c);
	/* non-blocking connect and accept */
	CALLFD(r, c, o->socket(fam, SOCK_STREAM | SOCK_NONBLOCK, 0));
	CALL(r, o->fcntl(l, F_SETFL, O_NONBLOCK), 0);
	CALL(r, o->accept4(l, NULL, NULL, 0), 0);
	CALL(r, o->connect(c, (struct sockaddr *)&ss, alen), 0);
	pf = (struct pollfd){ c, POLLOUT, 0 };
	CALL(r, o->poll(&pf, 1, 5000), pf.revents);
	len = sizeof(v);
	v = -1;
	CALL(r, o->getsockopt(c, SOL_SOCKET, SO_ERROR, &v, &len), v);
	CALL(r, o->connect(c, (struct sockaddr *)&ss, alen), 0);
	pf = (struct pollfd){ l, POLLIN, 0 };
	CALL(r, o->poll(&pf, 1, 5000), pf.revents);
	CALLFD(r, a, o->accept4(l, NULL, NULL, 0));
	CALL(r, o->write(a, "nb", 2), 0);
	pf = (struct pollfd){ c, POLLIN, 0 };
	CALL(r, o->poll(&pf, 1, 5000), pf.revents);
	CALL(r, o->read(c, buf, sizeof(buf)), 0);
	CALL(r, o->read(c, buf, sizeof(buf)), 0);
	o->close(a);
	o->close(c);
	/* refused, non-blocking: EINPROGRESS, then POLLERR and SO_ERROR */
	CALL(r, o->close(l), 0);
	CALLFD(r, c, o->socket(fam, SOCK_STREAM | SOCK_NONBLOCK, 0));
	CALL(r, o->connect(c, (struct sockaddr *)&ss, alen), 0);
	pf = (struct pollfd){ c, POLLOUT, 0 };
	CALL(r, o->poll(&pf, 1, 5000), pf.revents);
	len = sizeof(v);
	CALL(r, o->getsockopt(c, SOL_SOCKET, SO_ERROR, &v, &len), v);
	o->close(c);
	/* the port is free again at once (no TIME_WAIT between these) */
	CALLFD(r, l, o->socket(fam, SOCK_STREAM, 0));
	v = 1;
	CALL(r, o->setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v)), 0);
	CALL(r, o->bind(l, (struct sockaddr *)&ss, alen), 0);
	o->close(l);
	/* not a local address; a bad length; the wrong family */
	CALLFD(r, x, o->socket(fam, SOCK_STREAM, 0));
	if (fam == AF_INET)
		sin->sin_addr.s_addr = inet_addr("192.0.2.1");
	else
		inet_pton(AF_INET6, "2001:db8::1", &sin6->sin6_addr);
	CALL(r, o->bind(x, (struct sockaddr *)&ss, alen), 0);
	CALL(r, o->bind(x, (struct sockaddr *)&ss, alen - 1), 0);
	ss.ss_family = fam == AF_INET ? AF_INET6 : AF_INET;
	CALL(r, o->bind(x, (struct sockaddr *)&ss, alen), 0);
	CALL(r, o->listen(x, -1), 0);
	len = sizeof(sa);
	CALL(r, o->getsockname(x, (struct sockaddr *)&sa, &len), len);
	CALL(r, o->read(l, buf, 1), 0);
	o->close(x);
}

static void
sc_tcp4(struct run *r)
{

	sc_tcp(r, AF_INET);
}

static void
sc_tcp6(struct run *r)
{

	sc_tcp(r, AF_INET6);
}

/* UDP: ports, source addresses, connected sockets, truncation */
static void
sc_udp(struct run *r)
{
	const struct sops *o = r->o;
	struct sockaddr_in a1, a2, from, any;
	struct sockaddr_in6 s6, f6;
	socklen_t len, flen;
	char buf[64];
	int s1, s2, s3, s4, v;

	memset(&any, 0, sizeof(any));
	any.sin_family = AF_INET;
	any.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CALLFD(r, s1, o->socket(AF_INET, SOCK_DGRAM, 0));
	CALLFD(r, s2, o->socket(AF_INET, SOCK_DGRAM, 0));
	CALL(r, o->bind(s1, (struct sockaddr *)&any, sizeof(any)), 0);
	CALL(r, o->bind(s2, (struct sockaddr *)&any, sizeof(any)), 0);
	len = sizeof(a1);
	CALL(r, o->getsockname(s1, (struct sockaddr *)&a1, &len), len);
	len = sizeof(a2);
	CALL(r, o->getsockname(s2, (struct sockaddr *)&a2, &len), len);
	CALL(r, o->sendto(s1, "dgram", 5, 0, (struct sockaddr *)&a2,
	    sizeof(a2)), 0);
	CALL(r, o->sendto(s1, "", 0, 0, (struct sockaddr *)&a2,
	    sizeof(a2)), 0);
	flen = sizeof(from);
	CALL(r, o->recvfrom(s2, buf, 3, 0, (struct sockaddr *)&from, &flen),
	    flen == sizeof(a1) && memcmp(&from, &a1, flen) == 0);
	CALL(r, o->recvfrom(s2, buf, 3, 0, NULL, NULL), 0);
	CALL(r, o->recvfrom(s2, buf, 3, MSG_DONTWAIT, NULL, NULL), 0);
	/* connected: send without an address, receive only from it */
	CALL(r, o->sendto(s1, "x", 1, 0, NULL, 0), 0);
	CALL(r, o->connect(s2, (struct sockaddr *)&a1, sizeof(a1)), 0);
	CALL(r, o->write(s2, "back", 4), 0);
	CALL(r, o->read(s1, buf, sizeof(buf)), memcmp(buf, "back", 4));
	CALLFD(r, s3, o->socket(AF_INET, SOCK_DGRAM, 0));
	CALL(r, o->sendto(s3, "lost", 4, 0, (struct sockaddr *)&a2,
	    sizeof(a2)), 0);
	CALL(r, o->sendto(s1, "kept", 4, 0, (struct sockaddr *)&a2,
	    sizeof(a2)), 0);
	CALL(r, o->read(s2, buf, sizeof(buf)), memcmp(buf, "kept", 4));
	len = sizeof(from);
	CALL(r, o->getpeername(s2, (struct sockaddr *)&from, &len),
	    memcmp(&from, &a1, sizeof(a1)) == 0);
	CALL(r, o->getpeername(s1, (struct sockaddr *)&from, &len), 0);
	/* autobound on first send: a port, the wildcard address */
	len = sizeof(from);
	CALL(r, o->getsockname(s3, (struct sockaddr *)&from, &len),
	    from.sin_port != 0 && from.sin_addr.s_addr == 0);
	/* disconnect with AF_UNSPEC */
	from.sin_family = AF_UNSPEC;
	CALL(r, o->connect(s2, (struct sockaddr *)&from, sizeof(from)), 0);
	CALL(r, o->getpeername(s2, (struct sockaddr *)&from, &len), 0);
	CALL(r, o->bind(s3, (struct sockaddr *)&a1, sizeof(a1)), 0);
	CALL(r, o->listen(s1, 1), 0);
	CALL(r, o->accept4(s1, NULL, NULL, 0), 0);
	CALL(r, o->sendto(s1, buf, 70000, 0, (struct sockaddr *)&a2,
	    sizeof(a2)), 0);
	v = 0;
	len = sizeof(v);
	CALL(r, o->getsockopt(s1, SOL_SOCKET, SO_TYPE, &v, &len), v);
	v = 4096;
	CALL(r, o->setsockopt(s1, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)), 0);
	CALL(r, o->getsockopt(s1, SOL_SOCKET, SO_RCVBUF, &v, &len), v);
	CALL(r, o->setsockopt(s1, SOL_SOCKET, SO_RCVBUF, &v, 2), 0);
	/* IPv6 to the same port space; v4-mapped on a dual socket */
	CALLFD(r, s4, o->socket(AF_INET6, SOCK_DGRAM, 0));
	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	CALL(r, o->bind(s4, (struct sockaddr *)&s6, sizeof(s6)), 0);
	len = sizeof(s6);
	CALL(r, o->getsockname(s4, (struct sockaddr *)&s6, &len), len);
	a2.sin_port = s6.sin6_port;
	CALL(r, o->sendto(s1, "v4", 2, 0, (struct sockaddr *)&a2,
	    sizeof(a2)), 0);
	flen = sizeof(f6);
	CALL(r, o->recvfrom(s4, buf, sizeof(buf), 0, (struct sockaddr *)&f6,
	    &flen), flen == sizeof(f6) &&
	    IN6_IS_ADDR_V4MAPPED(&f6.sin6_addr) && f6.sin6_port ==
	    a1.sin_port);
	v = 1;
	CALL(r, o->setsockopt(s4, IPPROTO_IPV6, IPV6_V6ONLY, &v, sizeof(v)),
	    0);
	CALL(r, o->setsockopt(s1, IPPROTO_IPV6, IPV6_V6ONLY, &v, sizeof(v)),
	    0);
	o->close(s1);
	o->close(s2);
	o->close(s3);
	o->close(s4);
}

/* send n descriptors (and one byte) with SCM_RIGHTS */
static ssize_t
send_fds(const struct sops *o, int s, const int *fds, int n, size_t ctllen)
{
	char ctl[CMSG_SPACE(sizeof(int) * 8)];
	struct cmsghdr *cm;
	struct msghdr mh;
	struct iovec iov;

	memset(ctl, 0, sizeof(ctl));
	memset(&mh, 0, sizeof(mh));
	iov.iov_base = (void *)(uintptr_t)"F";
	iov.iov_len = 1;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl;
	mh.msg_controllen = ctllen != 0 ? ctllen : CMSG_SPACE(sizeof(int) *
	    (size_t)n);
	cm = (struct cmsghdr *)(void *)ctl;	/* also when ctllen is short */
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)n);
	memcpy(CMSG_DATA(cm), fds, sizeof(int) * (size_t)n);
	return o->sendmsg(s, &mh, MSG_NOSIGNAL);
}

/* receive into a control buffer of ctllen bytes; the first fd or -1 */
static ssize_t
recv_fds(const struct sops *o, int s, size_t ctllen, int flags, int *fds,
    int *nfds, int *mflags)
{
	char ctl[CMSG_SPACE(sizeof(int) * 8)], b;
	struct cmsghdr *cm;
	struct msghdr mh;
	struct iovec iov;
	ssize_t n;

	memset(&mh, 0, sizeof(mh));
	iov.iov_base = &b;
	iov.iov_len = 1;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctllen > 0 ? ctl : NULL;
	mh.msg_controllen = ctllen;
	*nfds = 0;
	n = o->recvmsg(s, &mh, flags);
	*mflags = n < 0 ? 0 : mh.msg_flags;
	if (n < 0 || mh.msg_controllen == 0)
		return n;
	cm = CMSG_FIRSTHDR(&mh);
	if (cm != NULL && cm->cmsg_type == SCM_RIGHTS) {
		*nfds = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		memcpy(fds, CMSG_DATA(cm), sizeof(int) * (size_t)*nfds);
	}
	return n;
}

/* SCM_RIGHTS: passing descriptors, truncation, errors */
static void
sc_rights(struct run *r)
{
	const struct sops *o = r->o;
	int sv[2], p[2], got[8], fds[8], n, fl, u, i;
	struct sockaddr_in sin;
	char buf[16];

	CALL(r, o->socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	CALL(r, o->pipe2(p, 0), 0);
	/* a pipe's read end goes through; the original is closed */
	CALL(r, send_fds(o, sv[0], &p[0], 1, 0), 0);
	CALL(r, o->close(p[0]), 0);
	CALL(r, o->write(p[1], "piped", 5), 0);
	CALL(r, recv_fds(o, sv[1], CMSG_SPACE(sizeof(int)), MSG_CMSG_CLOEXEC,
	    got, &n, &fl), n | (long)fl << 8);
	CALL(r, o->fcntl(got[0], F_GETFD), 0);
	CALL(r, o->read(got[0], buf, sizeof(buf)), memcmp(buf, "piped", 5));
	CALL(r, o->close(got[0]), 0);
	CALL(r, o->write(p[1], "x", 1), 0);
	/* three descriptors into room for one: MSG_CTRUNC */
	CALL(r, o->pipe2(p, 0), 0);
	fds[0] = fds[1] = fds[2] = p[0];
	CALL(r, send_fds(o, sv[0], fds, 3, 0), 0);
	CALL(r, recv_fds(o, sv[1], CMSG_SPACE(sizeof(int)), 0, got, &n, &fl),
	    n | (long)fl << 8);
	CALL(r, o->close(got[0]), 0);
	/* no room at all: the descriptors are closed, MSG_CTRUNC */
	CALL(r, send_fds(o, sv[0], fds, 2, 0), 0);
	CALL(r, recv_fds(o, sv[1], 0, 0, got, &n, &fl), n | (long)fl << 8);
	CALL(r, o->close(p[0]), 0);
	CALL(r, o->write(p[1], "x", 1), 0);
	CALL(r, o->close(p[1]), 0);
	/* a bad descriptor; a bad length; not AF_UNIX */
	fds[0] = 99;
	CALL(r, send_fds(o, sv[0], fds, 1, 0), 0);
	/* control shorter than a header: none, the byte goes alone */
	CALL(r, send_fds(o, sv[0], &sv[0], 1, 4), 0);
	CALL(r, recv_fds(o, sv[1], CMSG_SPACE(sizeof(int)), 0, got, &n, &fl),
	    n | (long)fl << 8);
	CALLFD(r, u, o->socket(AF_INET, SOCK_DGRAM, 0));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(9);
	CALL(r, o->connect(u, (struct sockaddr *)&sin, sizeof(sin)), 0);
	CALL(r, send_fds(o, u, &sv[0], 1, 0), 0);
	o->close(u);
	/* a socket passed over itself, then everything closed */
	CALL(r, send_fds(o, sv[0], &sv[1], 1, 0), 0);
	CALL(r, recv_fds(o, sv[1], CMSG_SPACE(sizeof(int)), 0, got, &n, &fl),
	    n | (long)fl << 8);
	CALL(r, o->write(got[0], "self", 4), 0);
	CALL(r, o->read(sv[0], buf, sizeof(buf)), 0);
	o->close(got[0]);
	/* peek sees the descriptors too, and leaves them */
	for (i = 0; i < 2; i++)
		fds[i] = sv[0];
	CALL(r, send_fds(o, sv[0], fds, 2, 0), 0);
	CALL(r, recv_fds(o, sv[1], CMSG_SPACE(sizeof(int) * 2), MSG_PEEK, got,
	    &n, &fl), n | (long)fl << 8);
	for (i = 0; i < n; i++)
		o->close(got[i]);
	CALL(r, recv_fds(o, sv[1], CMSG_SPACE(sizeof(int) * 2), 0, got,
	    &n, &fl), n | (long)fl << 8);
	for (i = 0; i < n; i++)
		o->close(got[i]);
	CALL(r, o->close(sv[0]), 0);
	CALL(r, o->close(sv[1]), 0);
}

START_TEST(rights_like_host)
{

	COMPARE(sc_rights);
}
END_TEST

/* descriptors in flight are freed with the socket holding them */
START_TEST(rights_in_flight_freed)
{
	struct run r;
	int sv[2], p[2], q[2], fds[3];
	uint64_t before;
	char c;

	ck_assert_int_eq(rump_init(), 0);
	memset(&r, 0, sizeof(r));
	r.o = &rumpops;
	/* the descriptor table first: it stays */
	ck_assert_int_eq(rump_sys_pipe2(q, 0), 0);
	ck_assert_int_eq(rump_sys_close(q[0]), 0);
	ck_assert_int_eq(rump_sys_close(q[1]), 0);
	before = kmem_inuse();
	ck_assert_int_eq(rump_sys_pipe2(q, 0), 0);
	ck_assert_int_eq(rump_sys_socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	ck_assert_int_eq(rump_sys_pipe2(p, 0), 0);
	fds[0] = p[0];
	fds[1] = p[1];
	fds[2] = q[1];
	ck_assert_int_eq(send_fds(&rumpops, sv[0], fds, 3, 0), 1);
	ck_assert_int_eq(rump_sys_close(p[0]), 0);
	ck_assert_int_eq(rump_sys_close(p[1]), 0);
	ck_assert_int_eq(rump_sys_close(q[1]), 0);
	/* q's write end lives on in flight: no end of file yet */
	ck_assert_int_eq(rump_sys_fcntl(q[0], F_SETFL, O_NONBLOCK), 0);
	errno = 0;
	ck_assert_int_eq(rump_sys_read(q[0], &c, 1), -1);
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_int_eq(rump_sys_close(sv[0]), 0);
	ck_assert_int_eq(rump_sys_close(sv[1]), 0);
	/* gone with the receiving socket: end of file, memory back */
	ck_assert_int_eq(rump_sys_read(q[0], &c, 1), 0);
	ck_assert_int_eq(rump_sys_close(q[0]), 0);
	ck_assert_uint_eq(kmem_inuse(), before);
}
END_TEST

struct bg {
	int		 fd;
	int		 ret;
	char		 buf[32];
	struct sockaddr_in sin;
};

static void *
bg_accept(void *arg)
{
	struct bg *b = arg;

	b->ret = rump_sys_accept4(b->fd, NULL, NULL, 0);
	return NULL;
}

static void *
bg_read(void *arg)
{
	struct bg *b = arg;

	b->ret = (int)rump_sys_read(b->fd, b->buf, sizeof(b->buf));
	return NULL;
}

static void *
bg_connect(void *arg)
{
	struct bg *b = arg;
	int s;

	s = rump_sys_socket(AF_INET, SOCK_STREAM, 0);
	b->ret = rump_sys_connect(s, (struct sockaddr *)&b->sin,
	    sizeof(b->sin));
	if (b->ret == 0)
		b->ret = s;
	return NULL;
}

/* blocked accept, read and connect are woken by other threads */
START_TEST(blocking_wakeups)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	struct bg b, c, d;
	pthread_t t, u, w;
	int l, i, v;

	ck_assert_int_eq(rump_init(), 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ge(l = rump_sys_socket(AF_INET, SOCK_STREAM, 0), 0);
	ck_assert_int_eq(rump_sys_bind(l, (struct sockaddr *)&sin,
	    sizeof(sin)), 0);
	ck_assert_int_eq(rump_sys_listen(l, 0), 0);
	ck_assert_int_eq(rump_sys_getsockname(l, (struct sockaddr *)&sin,
	    &len), 0);
	b.fd = l;
	pthread_create(&t, NULL, bg_accept, &b);
	c.sin = sin;
	pthread_create(&u, NULL, bg_connect, &c);
	pthread_join(t, NULL);
	pthread_join(u, NULL);
	ck_assert_int_ge(b.ret, 0);
	ck_assert_int_ge(c.ret, 0);
	/* a reader blocked until the other side writes */
	d.fd = b.ret;
	pthread_create(&w, NULL, bg_read, &d);
	ck_assert_int_eq(rump_sys_write(c.ret, "wake", 4), 4);
	pthread_join(w, NULL);
	ck_assert_int_eq(d.ret, 4);
	/* backlog 0 holds one; the next connect waits for an accept */
	pthread_create(&u, NULL, bg_connect, &c);
	pthread_join(u, NULL);
	ck_assert_int_ge(c.ret, 0);
	pthread_create(&u, NULL, bg_connect, &c);
	for (i = 0; i < 2; i++)
		ck_assert_int_ge(rump_sys_accept4(l, NULL, NULL, 0), 0);
	pthread_join(u, NULL);
	ck_assert_int_ge(c.ret, 0);
	/* a receive timeout */
	struct timeval tv = { 0, 50000 };
	ck_assert_int_eq(rump_sys_setsockopt(b.ret, SOL_SOCKET, SO_RCVTIMEO,
	    &tv, sizeof(tv)), 0);
	errno = 0;
	ck_assert_int_eq(rump_sys_read(b.ret, d.buf, 1), -1);
	ck_assert_int_eq(errno, EAGAIN);
	len = sizeof(v);
	ck_assert_int_eq(rump_sys_getsockopt(b.ret, SOL_SOCKET, SO_RCVTIMEO,
	    &tv, &len), 0);
	ck_assert_int_eq(tv.tv_usec, 50000);
}
END_TEST

/* the socket listing: one record per descriptor, then the rest */
START_TEST(socklist_records)
{
	struct rump_sockinfo si[16];
	struct sockaddr_un sun;
	int sv[2], l, c, n, i, found = 0;
	struct ucred uc;
	socklen_t alen, len;
	struct run r;

	ck_assert_int_eq(rump_init(), 0);
	memset(&r, 0, sizeof(r));
	r.base = "/tmp";
	r.o = &rumpops;
	alen = sun_at(&r, &sun, "listsock");
	ck_assert_int_eq(rump_sys_socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_ge(l = rump_sys_socket(AF_UNIX, SOCK_STREAM, 0), 0);
	ck_assert_int_eq(rump_sys_bind(l, (struct sockaddr *)&sun, alen), 0);
	ck_assert_int_eq(rump_sys_listen(l, 1), 0);
	ck_assert_int_ge(c = rump_sys_socket(AF_UNIX, SOCK_STREAM, 0), 0);
	ck_assert_int_eq(rump_sys_connect(c, (struct sockaddr *)&sun, alen),
	    0);
	ck_assert_int_eq(rump_sys_write(sv[0], "abc", 3), 3);
	/* the peer's credentials: pid 1, root, as at connect */
	len = sizeof(uc);
	memset(&uc, 0xff, sizeof(uc));
	ck_assert_int_eq(rump_sys_getsockopt(c, SOL_SOCKET, SO_PEERCRED, &uc,
	    &len), 0);
	ck_assert_int_eq(len, sizeof(uc));
	ck_assert_int_eq(uc.pid, 1);
	ck_assert_int_eq(uc.uid, 0);
	ck_assert_int_eq(uc.gid, 0);
	/* too small: what fits, and the size all need */
	ck_assert_int_eq(rump_sys_socklist(si, sizeof(si[0])),
	    5 * (ssize_t)sizeof(si[0]));
	n = (int)(rump_sys_socklist(si, sizeof(si)) / (ssize_t)sizeof(si[0]));
	ck_assert_int_eq(n, 5);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(si[i].rsi_family, AF_UNIX);
		if (si[i].rsi_fd == l) {
			ck_assert_int_eq(si[i].rsi_state, RUMP_SOCK_LISTEN);
			ck_assert_str_eq(((struct sockaddr_un *)
			    &si[i].rsi_laddr)->sun_path, sun.sun_path);
			found++;
		} else if (si[i].rsi_fd == sv[1]) {
			ck_assert_int_eq(si[i].rsi_rcvq, 3);
			ck_assert_int_eq(si[i].rsi_state, RUMP_SOCK_CONNECTED);
			found++;
		} else if (si[i].rsi_fd == -1) {
			ck_assert_int_eq(si[i].rsi_pid, 0);
			ck_assert_int_eq(si[i].rsi_state, RUMP_SOCK_EMBRYONIC);
			found++;
		}
		if (si[i].rsi_fd >= 0)
			ck_assert_int_eq(si[i].rsi_pid, 1);
	}
	ck_assert_int_eq(found, 3);
}
END_TEST

/* an IPv6 wildcard listener takes IPv4 connections, unless v6-only */
static void
sc_dual(struct run *r)
{
	const struct sops *o = r->o;
	struct sockaddr_in6 s6, p6;
	struct sockaddr_in s4;
	socklen_t len;
	int l, c, a, v;

	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	s6.sin6_addr = in6addr_any;
	CALLFD(r, l, o->socket(AF_INET6, SOCK_STREAM, 0));
	CALL(r, o->bind(l, (struct sockaddr *)&s6, sizeof(s6)), 0);
	CALL(r, o->listen(l, 4), 0);
	len = sizeof(s6);
	CALL(r, o->getsockname(l, (struct sockaddr *)&s6, &len), len);
	memset(&s4, 0, sizeof(s4));
	s4.sin_family = AF_INET;
	s4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s4.sin_port = s6.sin6_port;
	CALLFD(r, c, o->socket(AF_INET, SOCK_STREAM, 0));
	CALL(r, o->connect(c, (struct sockaddr *)&s4, sizeof(s4)), 0);
	len = sizeof(p6);
	CALLFD(r, a, o->accept4(l, (struct sockaddr *)&p6, &len, 0));
	CALL(r, len, IN6_IS_ADDR_V4MAPPED(&p6.sin6_addr));
	len = sizeof(p6);
	CALL(r, o->getsockname(a, (struct sockaddr *)&p6, &len),
	    IN6_IS_ADDR_V4MAPPED(&p6.sin6_addr) &&
	    p6.sin6_port == s6.sin6_port);
	CALL(r, o->write(c, "46", 2), 0);
	o->close(a);
	o->close(c);
	/* a v4 socket cannot take the port of the v6 wildcard */
	CALLFD(r, c, o->socket(AF_INET, SOCK_STREAM, 0));
	CALL(r, o->bind(c, (struct sockaddr *)&s4, sizeof(s4)), 0);
	o->close(c);
	o->close(l);
	/* v6-only: IPv4 is refused, the v4 port is free */
	CALLFD(r, l, o->socket(AF_INET6, SOCK_STREAM, 0));
	v = 1;
	CALL(r, o->setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &v, sizeof(v)), 0);
	CALL(r, o->bind(l, (struct sockaddr *)&s6, sizeof(s6)), 0);
	CALL(r, o->listen(l, 4), 0);
	CALL(r, o->setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &v, sizeof(v)), 0);
	CALLFD(r, c, o->socket(AF_INET, SOCK_STREAM, 0));
	CALL(r, o->connect(c, (struct sockaddr *)&s4, sizeof(s4)), 0);
	o->close(c);
	o->close(l);
}

START_TEST(dual_stack_like_host)
{

	COMPARE(sc_dual);
}
END_TEST

START_TEST(unix_pair_like_host)
{

	COMPARE(sc_unix_pair);
}
END_TEST

START_TEST(unix_named_like_host)
{

	COMPARE(sc_unix_named);
}
END_TEST

START_TEST(unix_dgram_like_host)
{

	COMPARE(sc_unix_dgram);
}
END_TEST

START_TEST(tcp4_like_host)
{

	COMPARE(sc_tcp4);
}
END_TEST

START_TEST(tcp6_like_host)
{

	COMPARE(sc_tcp6);
}
END_TEST

START_TEST(udp_like_host)
{

	COMPARE(sc_udp);
}
END_TEST

/*
 * Out of kernel memory: socket, socketpair, connect (the accepted
 * socket) and sends fail with ENOMEM, nothing leaks, and closing gives
 * the memory back so the same calls work again.
 */
START_TEST(out_of_memory)
{
	static int fds[RUMP_MAXFILES];
	struct sockaddr_un sun;
	uint64_t base;
	char buf[4096];
	int n = 0, i, sv[2], l, c, e, top;
	struct rlimit rl;
	socklen_t alen;
	struct run r;

	setenv("RUMP_MEMLIMIT", "262144", 1);
	ck_assert_int_eq(rump_init(), 0);
	memset(&r, 0, sizeof(r));
	r.base = "/tmp";
	alen = sun_at(&r, &sun, "oom");
	ck_assert_int_ge(l = rump_sys_socket(AF_UNIX, SOCK_STREAM, 0), 0);
	ck_assert_int_eq(rump_sys_bind(l, (struct sockaddr *)&sun, alen), 0);
	ck_assert_int_eq(rump_sys_listen(l, 1000), 0);
	/* the descriptor table at its largest first: it stays */
	ck_assert_int_eq(rump_sys_getrlimit(RLIMIT_NOFILE, &rl), 0);
	top = (int)rl.rlim_cur - 1;
	ck_assert_int_eq(rump_sys_dup2(l, top), top);
	ck_assert_int_eq(rump_sys_close(top), 0);
	base = kmem_inuse();
	e = 0;
	while (n + 2 < top) {
		if (rump_sys_socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) {
			e = errno;
			break;
		}
		fds[n++] = sv[0];
		fds[n++] = sv[1];
	}
	ck_assert_int_eq(e, ENOMEM);
	/* the last bytes: connect or send fails, and cleanly */
	e = 0;
	for (i = 0; i < 100 && e == 0; i++) {
		c = rump_sys_socket(AF_UNIX, SOCK_STREAM, 0);
		if (c < 0) {
			e = errno;
			break;
		}
		if (rump_sys_connect(c, (struct sockaddr *)&sun, alen) != 0 ||
		    rump_sys_write(c, buf, sizeof(buf)) != sizeof(buf))
			e = errno;
		rump_sys_close(c);
	}
	ck_assert_int_eq(e, ENOMEM);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(rump_sys_close(fds[i]), 0);
	ck_assert_uint_eq(kmem_inuse(), base);
	ck_assert_int_eq(rump_sys_close(l), 0);
	ck_assert_int_eq(rump_sys_socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(rump_sys_write(sv[0], buf, sizeof(buf)), sizeof(buf));
	ck_assert_int_eq(rump_sys_read(sv[1], buf, sizeof(buf)), sizeof(buf));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("sock");
	TCase *tc = tcase_create("sock");
	SRunner *sr;
	int nf;

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, unix_pair_like_host);
	tcase_add_test(tc, unix_named_like_host);
	tcase_add_test(tc, unix_dgram_like_host);
	tcase_add_test(tc, tcp4_like_host);
	tcase_add_test(tc, tcp6_like_host);
	tcase_add_test(tc, udp_like_host);
	tcase_add_test(tc, dual_stack_like_host);
	tcase_add_test(tc, rights_like_host);
	tcase_add_test(tc, rights_in_flight_freed);
	tcase_add_test(tc, blocking_wakeups);
	tcase_add_test(tc, socklist_records);
	tcase_add_test(tc, out_of_memory);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
