/*
 * test_client_proto.c -- librumpclient against a fake server, without
 * a kernel.  The fake lives in the test process: a thread accepting
 * on a Unix socket under a mkdtemp directory and one thread per
 * connection speaking raw frames.  Its behaviour is set per test
 * through the global fk (Check runs each test in its own process, so
 * the client library starts fresh every time).
 *
 * The fake answers getpid with 100 + the connection's index, lseek with
 * its offset (optionally held back and answered in reverse order),
 * write with the byte sum of what it got, read and mkdir as documented
 * at fk_syscall(); getuid and getgid trigger a RAISE and a bad COPYIN,
 * chdir a series of malformed requests (fk_hostile).
 * kill(ms, sig) is answered at once; ms milliseconds later the fake
 * sends a RAISE of sig to the idle client, or with sig 0 drops it.
 *
 * Run with --exec-child N it is the program rumpclient_exec() starts:
 * it adopts the connection and checks that getpid still says N.
 */
#include <sys/types.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rump/rump_syscalls.h>
#include <rump/rumpclient.h>

#include "sp_proto.h"

extern char **environ;

#define FK_PID		100
#define FK_COPYREQNO	(1ull << 40)

static struct fake {
	char		dir[64];
	char		path[128];
	int		lfd;
	int		major, minor;
	uint32_t	hserr;		/* refuse GUEST with this ERROR code */
	bool		hslong;		/* ... with a reason of 1000 bytes */
	int		hsdelay_ms;	/* before answering GUEST */
	int		batch;		/* hold lseek replies, reverse them */
	int		delay_us;	/* before every lseek reply */
	int		closeafter;	/* conn 0: drop after N getpid */
	uint8_t		cookie[RUMPSP_AUTHLEN];
	atomic_int	nconn;
	atomic_int	inlined, copyins, copyouts;
	atomic_int	forkok, forkbad, cancelled, execs;
	atomic_bool	started;	/* the accept thread runs */
	pthread_mutex_t	mtx;
	char		execcomm[RUMPSP_MAXCOMM + 1];
} fk = { .lfd = -1, .mtx = PTHREAD_MUTEX_INITIALIZER };

struct fk_pend {
	uint64_t	reqno;
	int64_t		rv;
};

struct fk_conn {
	int		fd;
	int		idx;
	int		ngetpid;
	size_t		npend;
	struct fk_pend	pend[64];
};

/*
 * Under ThreadSanitizer: the children forked here start a thread (the
 * client's listener) although the test process has the fake's threads.
 * TSAN_OPTIONS in the environment still wins.
 */
const char *__tsan_default_options(void);

const char *
__tsan_default_options(void)
{

	return "die_after_fork=0";
}

static int
fk_above(int fd)
{
	int nfd;

	if (fd < 0)
		return fd;
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, 10);
	close(fd);
	return nfd;
}

static int
fk_readn(int fd, void *buf, size_t n)
{
	uint8_t *p = buf;
	ssize_t r;

	while (n > 0) {
		r = read(fd, p, n);
		if (r <= 0) {
			if (r == -1 && errno == EINTR)
				continue;
			return -1;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int
fk_send(int fd, int class, int type, uint32_t arg, uint64_t reqno,
    const void *b1, size_t l1, const void *b2, size_t l2)
{
	struct rsp_hdr h;
	struct iovec iov[3];

	rsp_hdr_fill(&h, RSP_HDRSZ + l1 + l2, reqno, class, type, arg);
	iov[0].iov_base = &h;
	iov[0].iov_len = sizeof(h);
	iov[1].iov_base = (void *)(uintptr_t)b1;
	iov[1].iov_len = l1;
	iov[2].iov_base = (void *)(uintptr_t)b2;
	iov[2].iov_len = l2;
	return rsp_sendv(fd, iov, 3);
}

/* read one frame; body malloc'd */
static int
fk_recv(int fd, struct rsp_hdr *h, uint8_t **body)
{
	size_t len;

	*body = NULL;
	if (fk_readn(fd, h, sizeof(*h)) == -1)
		return -1;
	if (h->rsp_len < RSP_HDRSZ || h->rsp_len > RUMPSP_MAXFRAME)
		return -1;
	len = h->rsp_len - RSP_HDRSZ;
	if ((*body = malloc(len + 1)) == NULL)
		return -1;
	if (fk_readn(fd, *body, len) == -1) {
		free(*body);
		return -1;
	}
	(*body)[len] = 0;
	return 0;
}

static int
fk_sysreply(int fd, uint64_t reqno, int error, int64_t rv,
    const struct rsp_region *out, const void *data)
{
	struct rsp_sysresp rs;
	uint8_t buf[sizeof(struct rsp_region) + 8192 + 8];
	size_t len = 0;

	memset(&rs, 0, sizeof(rs));
	rs.rsys_error = error;
	rs.rsys_retval[0] = rv;
	if (out != NULL) {
		rs.rsys_nregions = 1;
		memcpy(buf, out, sizeof(*out));
		memset(buf + sizeof(*out), 0, RSP_PAD8(out->rr_len));
		memcpy(buf + sizeof(*out), data, out->rr_len);
		len = sizeof(*out) + RSP_PAD8(out->rr_len);
	}
	return fk_send(fd, RUMPSP_RESP, RUMPSP_SYSCALL, 0, reqno, &rs,
	    sizeof(rs), buf, len);
}

static void
fk_flush(struct fk_conn *fc)
{

	while (fc->npend > 0) {
		fc->npend--;
		fk_sysreply(fc->fd, fc->pend[fc->npend].reqno, 0,
		    fc->pend[fc->npend].rv, NULL, NULL);
	}
}

/* Ask the client for memory; returns the reply's body (or NULL). */
static uint8_t *
fk_copyin(int fd, int type, uint64_t addr, uint64_t len, struct rsp_hdr *rh)
{
	struct rsp_copydata cd = { addr, len };
	uint8_t *body;

	if (fk_send(fd, RUMPSP_REQ, type, 0, FK_COPYREQNO, &cd, sizeof(cd),
	    NULL, 0) != 0)
		return NULL;
	if (fk_recv(fd, rh, &body) == -1)
		return NULL;
	if (rh->rsp_reqno != FK_COPYREQNO || rh->rsp_type != type) {
		free(body);
		return NULL;
	}
	return body;
}

static uint8_t
fk_pattern(size_t i)
{

	return (uint8_t)(i * 7 + 3);
}

static int64_t
fk_sum(const uint8_t *p, size_t n)
{
	int64_t s = 0;

	while (n-- > 0)
		s += *p++;
	return s;
}

static const struct rsp_region *
fk_region(const struct rsp_sysreq_parsed *sp, uint64_t addr, uint32_t flags,
    size_t *idx)
{
	size_t i;

	for (i = 0; i < sp->sp_nregions; i++) {
		if (sp->sp_region[i].rr_addr == addr &&
		    sp->sp_region[i].rr_flags == flags) {
			*idx = i;
			return &sp->sp_region[i];
		}
	}
	return NULL;
}

/* write: the byte sum of what arrived, inline or through COPYIN */
static void
fk_write(struct fk_conn *fc, uint64_t reqno, const struct rsp_sysreq_parsed *sp,
    const uint64_t *a)
{
	struct rsp_hdr rh;
	uint8_t *data;
	size_t i, n;
	int64_t rv = -1;

	if (fk_region(sp, a[1], RSP_REGION_IN, &i) != NULL &&
	    sp->sp_region[i].rr_len == a[2]) {
		atomic_fetch_add(&fk.inlined, 1);
		rv = fk_sum(sp->sp_data[i], a[2]);
	} else {
		/* one COPYIN (counted once) of up to RUMPSP_MAXCOPY at a time */
		atomic_fetch_add(&fk.copyins, 1);
		for (rv = 0, i = 0; i < a[2] && rv >= 0; i += n) {
			n = a[2] - i < RUMPSP_MAXCOPY ? a[2] - i :
			    RUMPSP_MAXCOPY;
			data = fk_copyin(fc->fd, RUMPSP_COPYIN, a[1] + i, n,
			    &rh);
			if (data != NULL && rh.rsp_class == RUMPSP_RESP &&
			    rh.rsp_len - RSP_HDRSZ == n)
				rv += fk_sum(data, n);
			else
				rv = -1;
			free(data);
		}
	}
	fk_sysreply(fc->fd, reqno, 0, rv, NULL, NULL);
}

/*
 * A SYSCALL reply that does not add up, for read(5..8): too many
 * regions, a region announced and missing, bytes after the last
 * region, a region that is not OUT.  The frame's length is right.
 */
static void
fk_badreply(int fd, uint64_t reqno, int kind, uint64_t addr)
{
	struct {
		struct rsp_sysresp	rs;
		struct rsp_region	rr;
		uint8_t			data[8];
		uint8_t			extra[8];
	} b;
	size_t len = sizeof(b) - sizeof(b.extra);

	memset(&b, 0x5a, sizeof(b));
	memset(&b.rs, 0, sizeof(b.rs));
	b.rs.rsys_retval[0] = 8;
	b.rs.rsys_nregions = 1;
	b.rr.rr_addr = addr;
	b.rr.rr_len = 8;
	b.rr.rr_flags = RSP_REGION_OUT;
	switch (kind) {
	case 5:
		b.rs.rsys_nregions = RUMPSP_MAXREGIONS + 1;
		break;
	case 6:
		b.rs.rsys_nregions = 2;
		break;
	case 7:
		len = sizeof(b);
		break;
	default:
		b.rr.rr_flags = RSP_REGION_IN;
		break;
	}
	(void)fk_send(fd, RUMPSP_RESP, RUMPSP_SYSCALL, 0, reqno, &b, len,
	    NULL, 0);
}

/* read: the pattern, in an OUT region or through COPYOUT */
static void
fk_read(struct fk_conn *fc, uint64_t reqno, const struct rsp_sysreq_parsed *sp,
    const uint64_t *a)
{
	struct rsp_copydata cd = { a[1], a[2] };
	struct rsp_region out;
	uint8_t data[8192];
	size_t i, n = a[2] < sizeof(data) ? a[2] : sizeof(data);

	for (i = 0; i < n; i++)
		data[i] = fk_pattern(i);
	if (a[0] >= 5 && a[0] <= 8) {
		fk_badreply(fc->fd, reqno, (int)a[0], a[1]);
		return;
	}
	if (fk_region(sp, a[1], RSP_REGION_OUT, &i) != NULL) {
		atomic_fetch_add(&fk.inlined, 1);
		/* descriptor 4: data for 8 bytes past the region sent */
		out.rr_addr = a[1] + (a[0] == 4 ? 8 : 0);
		out.rr_len = (uint32_t)n;
		out.rr_flags = RSP_REGION_OUT;
		fk_sysreply(fc->fd, reqno, 0, (int64_t)n, &out, data);
		return;
	}
	atomic_fetch_add(&fk.copyouts, 1);
	cd.rcp_len = n;
	fk_send(fc->fd, RUMPSP_REQ, RUMPSP_COPYOUT, 0, FK_COPYREQNO, &cd,
	    sizeof(cd), data, n);
	fk_sysreply(fc->fd, reqno, 0, (int64_t)n, NULL, NULL);
}

/* mkdir: the length of the path, inline or through COPYINSTR */
static void
fk_mkdir(struct fk_conn *fc, uint64_t reqno,
    const struct rsp_sysreq_parsed *sp, const uint64_t *a)
{
	struct rsp_hdr rh;
	uint8_t *data;
	size_t i, len;
	int64_t rv = -1;

	if (fk_region(sp, a[0], RSP_REGION_IN, &i) != NULL) {
		atomic_fetch_add(&fk.inlined, 1);
		rv = (int64_t)strnlen((const char *)sp->sp_data[i],
		    sp->sp_region[i].rr_len);
	} else {
		atomic_fetch_add(&fk.copyins, 1);
		data = fk_copyin(fc->fd, RUMPSP_COPYINSTR, a[0], 4096, &rh);
		len = data ? rh.rsp_len - RSP_HDRSZ : 0;
		if (data != NULL && rh.rsp_class == RUMPSP_RESP && len > 0 &&
		    data[len - 1] == '\0')
			rv = (int64_t)len - 1;
		free(data);
	}
	fk_sysreply(fc->fd, reqno, 0, rv, NULL, NULL);
}

/* Send a request of ours; true if the answer is an ERROR with code. */
static bool
fk_refused(int fd, int type, const void *body, size_t len, uint32_t code)
{
	struct rsp_hdr rh;
	uint8_t *b;
	bool ok;

	if (fk_send(fd, RUMPSP_REQ, type, 0, FK_COPYREQNO, body, len, NULL,
	    0) != 0 || fk_recv(fd, &rh, &b) == -1)
		return false;
	ok = rh.rsp_reqno == FK_COPYREQNO && rh.rsp_type == type &&
	    rh.rsp_class == RUMPSP_ERROR && rh.rsp_arg == code;
	free(b);
	return ok;
}

/*
 * chdir(path): a server's bad requests, each a bit of the answer when
 * the client handled it right: refused with the right ERROR, or (bad
 * COPYOUTs, which get no answer) dropped with the stream still in
 * step, which the COPYINSTR of the path at the end shows.
 */
static void
fk_hostile(struct fk_conn *fc, uint64_t reqno, const uint64_t *a)
{
	struct rsp_copydata cd;
	struct rsp_hdr rh;
	uint8_t *data, junk[16] = { 0 };
	int64_t rv = 0;

	cd.rcp_addr = a[0];
	cd.rcp_len = RUMPSP_MAXCOPY + 1;
	rv |= fk_refused(fc->fd, RUMPSP_COPYIN, &cd, sizeof(cd),
	    RUMPSP_ERR_TOOBIG) << 0;
	cd.rcp_addr = UINT64_MAX - 4;
	cd.rcp_len = 16;
	rv |= fk_refused(fc->fd, RUMPSP_COPYIN, &cd, sizeof(cd),
	    RUMPSP_ERR_MALFORMED_REQUEST) << 1;
	rv |= fk_refused(fc->fd, RUMPSP_COPYINSTR, junk, 3,
	    RUMPSP_ERR_MALFORMED_REQUEST) << 2;
	rv |= fk_refused(fc->fd, RUMPSP_COPYOUT, junk, 4,
	    RUMPSP_ERR_MALFORMED_REQUEST) << 3;
	rv |= fk_refused(fc->fd, RUMPSP_SYSCALL, junk, sizeof(junk),
	    RUMPSP_ERR_MALFORMED_REQUEST) << 4;
	/* a length that does not match its data; a bad address */
	cd.rcp_addr = a[0];
	cd.rcp_len = 4;
	(void)fk_send(fc->fd, RUMPSP_REQ, RUMPSP_COPYOUT, 0, FK_COPYREQNO,
	    &cd, sizeof(cd), "xxxxxxxx", 8);
	cd.rcp_addr = 8;
	cd.rcp_len = 8;
	(void)fk_send(fc->fd, RUMPSP_REQ, RUMPSP_COPYOUT, 0, FK_COPYREQNO,
	    &cd, sizeof(cd), "xxxxxxxx", 8);
	data = fk_copyin(fc->fd, RUMPSP_COPYINSTR, a[0], 64, &rh);
	if (data != NULL && rh.rsp_class == RUMPSP_RESP &&
	    strcmp((char *)data, "hostile") == 0)
		rv |= 1 << 5;
	free(data);
	fk_sysreply(fc->fd, reqno, 0, rv, NULL, NULL);
}

/* Returns -1 to drop the connection. */
static int
fk_syscall(struct fk_conn *fc, const struct rsp_hdr *h, uint8_t *body)
{
	struct rsp_sysreq_parsed sp;
	struct rsp_hdr rh;
	uint64_t a[RUMPSP_MAXARGS];
	const char *why;
	uint8_t *data;

	if (rsp_sysreq_parse(body, h->rsp_len - RSP_HDRSZ, &sp, &why) != 0)
		return -1;
	memset(a, 0, sizeof(a));
	memcpy(a, sp.sp_args, sp.sp_argsize);
	switch (h->rsp_arg) {
	case RUMP_SYS_getpid:
		/* conn 0 holds closeafter getpids unanswered, then drops */
		if (fc->idx == 0 && fk.closeafter > 0)
			return ++fc->ngetpid >= fk.closeafter ? -1 : 0;
		return fk_sysreply(fc->fd, h->rsp_reqno, 0, FK_PID + fc->idx,
		    NULL, NULL);
	case RUMP_SYS_lseek:
		if (fk.delay_us > 0)
			usleep((useconds_t)fk.delay_us);
		if (fk.batch <= 1)
			return fk_sysreply(fc->fd, h->rsp_reqno, 0,
			    (int64_t)a[1], NULL, NULL);
		fc->pend[fc->npend].reqno = h->rsp_reqno;
		fc->pend[fc->npend].rv = (int64_t)a[1];
		if (++fc->npend >= (size_t)fk.batch)
			fk_flush(fc);
		return 0;
	case RUMP_SYS_write:
		fk_write(fc, h->rsp_reqno, &sp, a);
		return 0;
	case RUMP_SYS_read:
		fk_read(fc, h->rsp_reqno, &sp, a);
		return 0;
	case RUMP_SYS_mkdir:
		fk_mkdir(fc, h->rsp_reqno, &sp, a);
		return 0;
	case RUMP_SYS_chdir:
		fk_hostile(fc, h->rsp_reqno, a);
		return 0;
	case RUMP_SYS_fsync:
		/* the first connection answers with a header of garbage */
		if (fc->idx == 0) {
			struct iovec iov = { &rh, sizeof(rh) };

			memset(&rh, 0xff, sizeof(rh));
			return rsp_sendv(fc->fd, &iov, 1) == 0 ? 0 : -1;
		}
		return fk_sysreply(fc->fd, h->rsp_reqno, 0, 0, NULL, NULL);
	case RUMP_SYS_getuid:
		fk_send(fc->fd, RUMPSP_REQ, RUMPSP_RAISE, SIGUSR1, 0, NULL, 0,
		    NULL, 0);
		return fk_sysreply(fc->fd, h->rsp_reqno, 0, 0, NULL, NULL);
	case RUMP_SYS_kill:
		/* the client is idle by the time the RAISE comes */
		fk_sysreply(fc->fd, h->rsp_reqno, 0, 0, NULL, NULL);
		usleep((useconds_t)a[0] * 1000);
		if (a[1] == 0)
			return -1;
		return fk_send(fc->fd, RUMPSP_REQ, RUMPSP_RAISE,
		    (uint32_t)a[1], 0, NULL, 0, NULL, 0);
	case RUMP_SYS_getgid:
		/* a bad address: the client answers with an ERROR */
		data = fk_copyin(fc->fd, RUMPSP_COPYIN, 8, 16, &rh);
		free(data);
		return fk_sysreply(fc->fd, h->rsp_reqno, 0,
		    data != NULL && rh.rsp_class == RUMPSP_ERROR, NULL, NULL);
	default:
		return fk_sysreply(fc->fd, h->rsp_reqno, ENOSYS, 0, NULL,
		    NULL);
	}
}

static int
fk_handshake(struct fk_conn *fc, const struct rsp_hdr *h, uint8_t *body)
{
	struct rsp_handshake_fork hf;
	size_t len = h->rsp_len - RSP_HDRSZ;
	static const char no[] = "the fake says no";
	bool bad;

	switch (h->rsp_arg) {
	case HANDSHAKE_GUEST:
		if (fk.hsdelay_ms > 0)
			usleep((useconds_t)fk.hsdelay_ms * 1000);
		if (fk.hserr != 0 && fk.hslong) {
			char why[1000];

			memset(why, 'w', sizeof(why) - 1);
			why[sizeof(why) - 1] = '\0';
			fk_send(fc->fd, RUMPSP_ERROR, RUMPSP_HANDSHAKE,
			    fk.hserr, h->rsp_reqno, why, sizeof(why), NULL, 0);
			return -1;
		}
		if (fk.hserr != 0) {
			fk_send(fc->fd, RUMPSP_ERROR, RUMPSP_HANDSHAKE,
			    fk.hserr, h->rsp_reqno, no, sizeof(no), NULL, 0);
			return -1;
		}
		break;
	case HANDSHAKE_FORK:
		if (len != sizeof(hf))
			return -1;
		memcpy(&hf, body, sizeof(hf));
		pthread_mutex_lock(&fk.mtx);
		bad = memcmp(hf.rf_auth, fk.cookie, sizeof(fk.cookie)) != 0;
		pthread_mutex_unlock(&fk.mtx);
		if (bad) {
			atomic_fetch_add(&fk.forkbad, 1);
			fk_send(fc->fd, RUMPSP_ERROR, RUMPSP_HANDSHAKE,
			    RUMPSP_ERR_INVALID_PREFORK, h->rsp_reqno, no,
			    sizeof(no), NULL, 0);
			return -1;
		}
		if (hf.rf_cancel) {
			atomic_fetch_add(&fk.cancelled, 1);
			fk_send(fc->fd, RUMPSP_RESP, RUMPSP_HANDSHAKE, 0,
			    h->rsp_reqno, NULL, 0, NULL, 0);
			return -1;
		}
		atomic_fetch_add(&fk.forkok, 1);
		break;
	case HANDSHAKE_EXEC:
		pthread_mutex_lock(&fk.mtx);
		snprintf(fk.execcomm, sizeof(fk.execcomm), "%.*s", (int)len,
		    (const char *)body);
		pthread_mutex_unlock(&fk.mtx);
		atomic_fetch_add(&fk.execs, 1);
		break;
	default:
		return -1;
	}
	return fk_send(fc->fd, RUMPSP_RESP, RUMPSP_HANDSHAKE, 0, h->rsp_reqno,
	    NULL, 0, NULL, 0);
}

static void *
fk_conn_main(void *arg)
{
	struct fk_conn *fc = arg;
	struct pollfd pfd;
	struct rsp_hdr h;
	char banner[RUMPSP_MAXBANNER];
	uint8_t cookie[RUMPSP_AUTHLEN], *body;
	int n, rv;

	n = snprintf(banner, sizeof(banner), "RUMPSP-%d.%d-Linux-fake/test\n",
	    fk.major, fk.minor);
	if (write(fc->fd, banner, (size_t)n) != n)
		goto out;
	for (;;) {
		if (fc->npend > 0) {
			/* answer what we hold once the client goes quiet */
			pfd.fd = fc->fd;
			pfd.events = POLLIN;
			if (poll(&pfd, 1, 20) == 0)
				fk_flush(fc);
		}
		if (fk_recv(fc->fd, &h, &body) == -1)
			break;
		rv = 0;
		if (h.rsp_class != RUMPSP_REQ)
			rv = 0;
		else if (h.rsp_type == RUMPSP_HANDSHAKE)
			rv = fk_handshake(fc, &h, body);
		else if (h.rsp_type == RUMPSP_SYSCALL)
			rv = fk_syscall(fc, &h, body);
		else if (h.rsp_type == RUMPSP_SHM)
			/* this fake keeps every client on its socket */
			rv = fk_send(fc->fd, RUMPSP_ERROR, RUMPSP_SHM,
			    RUMPSP_ERR_MALFORMED_REQUEST, h.rsp_reqno,
			    "no shared memory", 17, NULL, 0);
		else if (h.rsp_type == RUMPSP_JOIN)
			/* nor gives a thread a connection of its own */
			rv = fk_send(fc->fd, RUMPSP_ERROR, RUMPSP_JOIN,
			    RUMPSP_ERR_MALFORMED_REQUEST, h.rsp_reqno,
			    "no thread connections", 22, NULL, 0);
		else if (h.rsp_type == RUMPSP_PREFORK) {
			pthread_mutex_lock(&fk.mtx);
			memcpy(cookie, fk.cookie, sizeof(cookie));
			pthread_mutex_unlock(&fk.mtx);
			rv = fk_send(fc->fd, RUMPSP_RESP, RUMPSP_PREFORK, 0,
			    h.rsp_reqno, cookie, sizeof(cookie), NULL, 0);
		}
		free(body);
		if (rv != 0)
			break;
	}
 out:
	shutdown(fc->fd, SHUT_RDWR);
	close(fc->fd);
	free(fc);
	return NULL;
}

static void *
fk_accept_main(void *arg)
{
	struct fk_conn *fc;
	pthread_t t;
	int fd;

	(void)arg;
	atomic_store(&fk.started, true);
	for (;;) {
		fd = fk_above(accept(fk.lfd, NULL, NULL));
		if (fd == -1)
			return NULL;
		if ((fc = calloc(1, sizeof(*fc))) == NULL)
			abort();
		fc->fd = fd;
		fc->idx = atomic_fetch_add(&fk.nconn, 1);
		pthread_create(&t, NULL, fk_conn_main, fc);
		pthread_detach(t);
	}
}

static void
fk_cleanup(void)
{

	if (fk.path[0] != '\0')
		unlink(fk.path);
	if (fk.dir[0] != '\0')
		rmdir(fk.dir);
}

static void
fk_start(int major, int minor)
{
	struct sockaddr_un sun;
	sigset_t all, omask;
	char url[200];
	pthread_t t;
	size_t i;

	fk.major = major;
	fk.minor = minor;
	for (i = 0; i < sizeof(fk.cookie); i++)
		fk.cookie[i] = (uint8_t)(0xa0 + i);
	strcpy(fk.dir, "/tmp/rctest.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(fk.dir));
	snprintf(fk.path, sizeof(fk.path), "%s/sock", fk.dir);
	atexit(fk_cleanup);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, fk.path);
	fk.lfd = fk_above(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
	ck_assert_int_ge(fk.lfd, 10);
	ck_assert_int_eq(bind(fk.lfd, (struct sockaddr *)&sun, sizeof(sun)),
	    0);
	ck_assert_int_eq(listen(fk.lfd, 64), 0);
	snprintf(url, sizeof(url), "unix://%s", fk.path);
	setenv("RUMP_SERVER", url, 1);
	/* the fake's threads take no signals: handlers call the client */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &omask);
	ck_assert_int_eq(pthread_create(&t, NULL, fk_accept_main, NULL), 0);
	pthread_sigmask(SIG_SETMASK, &omask, NULL);
	pthread_detach(t);
	/*
	 * A test may fork next: not while the thread is starting, which
	 * may hold a lock of a sanitizer's allocator (the child of a
	 * multithreaded fork inherits it held).
	 */
	while (!atomic_load(&fk.started))
		usleep(1000);
}

static void
fk_start_init(void)
{

	fk_start(RUMPSP_PROTOMAJOR, RUMPSP_PROTOMINOR);
	ck_assert_int_eq(rumpclient_init(), 0);
}

/* Connection and handshake */

START_TEST(test_noserver)
{

	unsetenv("RUMP_SERVER");
	ck_assert_int_eq(rumpclient_init(), -1);
	ck_assert_int_eq(errno, ENOENT);
	/* before init, calls fail cleanly */
	ck_assert_int_eq(rump_sys_getpid(), -1);
	ck_assert_int_eq(errno, ENOTCONN);
}
END_TEST

START_TEST(test_badurl)
{
	char url[300];

	setenv("RUMP_SERVER", "tcp://1.2.3.4", 1);
	ck_assert_int_eq(rumpclient_init(), -1);
	ck_assert_int_eq(errno, EINVAL);
	setenv("RUMP_SERVER", "unix://", 1);
	ck_assert_int_eq(rumpclient_init(), -1);
	ck_assert_int_eq(errno, EINVAL);
	snprintf(url, sizeof(url), "unix:///%0200d", 0);
	setenv("RUMP_SERVER", url, 1);
	ck_assert_int_eq(rumpclient_init(), -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);
}
END_TEST

START_TEST(test_refused)
{
	char url[200];

	fk_start(0, 5);
	/* nobody listening on a path: ENOENT from connect */
	snprintf(url, sizeof(url), "unix://%s/none", fk.dir);
	setenv("RUMP_SERVER", url, 1);
	ck_assert_int_eq(rumpclient_init(), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

START_TEST(test_major)
{

	fk_start(1, 0);
	ck_assert_int_eq(rumpclient_init(), -1);
	ck_assert_int_eq(errno, EPROGMISMATCH);
}
END_TEST

/* A client with a key refuses a server too old to prove one (0.5). */
START_TEST(test_key_oldserver)
{
	char key[200];
	int fd;

	fk_start(0, 5);
	snprintf(key, sizeof(key), "%s/key", fk.dir);
	fd = open(key, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "correct horse battery staple", 28), 28);
	close(fd);
	setenv("RUMP_KEYFILE", key, 1);
	ck_assert_int_eq(rumpclient_init(), -1);
	ck_assert_int_eq(errno, EPERM);
	unsetenv("RUMP_KEYFILE");
	unlink(key);
}
END_TEST

START_TEST(test_hserror)
{

	char tmpl[] = "/tmp/rcerr.XXXXXX", buf[512];
	ssize_t n;
	int fd, saved;

	fk.hserr = RUMPSP_ERR_BUSY;
	fk_start(0, 5);
	/* the reason string goes to stderr when RUMPCLIENT_DEBUG is set */
	fd = mkstemp(tmpl);
	ck_assert_int_ge(fd, 0);
	unlink(tmpl);
	saved = dup(2);
	dup2(fd, 2);
	setenv("RUMPCLIENT_DEBUG", "1", 1);
	ck_assert_int_eq(rumpclient_init(), -1);
	ck_assert_int_eq(errno, EBUSY);
	unsetenv("RUMPCLIENT_DEBUG");
	dup2(saved, 2);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_ptr_nonnull(strstr(buf, "the fake says no"));
	close(fd);
	close(saved);
}
END_TEST

/*
 * A server slower to answer the handshake than the client's check
 * interval (RC_CHECK_MS): the client looks that its descriptor is
 * still its socket and waits on.  A refusal with a reason longer than
 * the client keeps: the rest is read and dropped, the errno is right.
 */
START_TEST(test_hsslow)
{

	fk.hsdelay_ms = 700;
	fk_start_init();
	ck_assert_int_eq(rump_sys_getpid(), FK_PID);
}
END_TEST

START_TEST(test_hslong)
{

	fk.hserr = RUMPSP_ERR_BUSY;
	fk.hslong = true;
	fk_start(0, 5);
	ck_assert_int_eq(rumpclient_init(), -1);
	ck_assert_int_eq(errno, EBUSY);
}
END_TEST

START_TEST(test_getpid)
{

	fk_start_init();
	ck_assert_int_eq(rump_sys_getpid(), FK_PID);
	/* a second init does nothing */
	ck_assert_int_eq(rumpclient_init(), 0);
	ck_assert_int_eq(atomic_load(&fk.nconn), 1);
	ck_assert_int_eq(rump_sys_getpid(), FK_PID);
	/* unknown call: the server's errno */
	ck_assert_int_eq(rump_sys_getppid(), -1);
	ck_assert_int_eq(errno, ENOSYS);
}
END_TEST

START_TEST(test_syscall_public)
{
	register_t rv[2] = { 0, 0 };
	uint64_t args[3] = { 0, 777, 0 };

	fk_start_init();
	ck_assert_int_eq(rumpclient_syscall(RUMP_SYS_lseek, args,
	    sizeof(args), rv), 0);
	ck_assert_int_eq(rv[0], 777);
	ck_assert_int_eq(rumpclient_syscall(RUMP_SYS_getppid, NULL, 0, rv),
	    -1);
	ck_assert_int_eq(errno, ENOSYS);
	ck_assert_int_eq(rumpclient_syscall(RUMP_SYS_lseek, args, 1000, rv),
	    -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* Data: inline regions and the server's copy requests */

static void
check_io(bool expect_inline)
{
	static uint8_t big[RUMPSP_MAXFRAME];
	uint8_t buf[1000], in[500];
	int64_t sum = 0;
	size_t i;

	for (i = 0; i < sizeof(buf); i++) {
		buf[i] = (uint8_t)(i * 13);
		sum += buf[i];
	}
	ck_assert_int_eq(rump_sys_write(3, buf, sizeof(buf)), sum);
	memset(in, 0, sizeof(in));
	ck_assert_int_eq(rump_sys_read(3, in, sizeof(in)), sizeof(in));
	for (i = 0; i < sizeof(in); i++)
		ck_assert_uint_eq(in[i], fk_pattern(i));
	ck_assert_int_eq(rump_sys_mkdir("/a/path/of/some/length", 0755), 22);
	ck_assert_int_eq(atomic_load(&fk.inlined), expect_inline ? 3 : 0);
	ck_assert_int_eq(atomic_load(&fk.copyins), expect_inline ? 0 : 2);
	ck_assert_int_eq(atomic_load(&fk.copyouts), expect_inline ? 0 : 1);

	/* too big to go inline (a frame's worth): COPYIN even from 0.5 */
	for (i = 0, sum = 0; i < sizeof(big); i++) {
		big[i] = (uint8_t)(i ^ (i >> 8));
		sum += big[i];
	}
	ck_assert_int_eq(rump_sys_write(3, big, sizeof(big)), sum);
	ck_assert_int_eq(atomic_load(&fk.copyins), expect_inline ? 1 : 3);
}

START_TEST(test_inline)
{

	fk_start_init();
	check_io(true);
}
END_TEST

START_TEST(test_copyreq)
{

	/* a 0.4 server gets no regions */
	fk_start(0, 4);
	ck_assert_int_eq(rumpclient_init(), 0);
	check_io(false);
}
END_TEST

START_TEST(test_badcopyin)
{

	fk_start_init();
	/* the fake asks for address 8: the client sends an ERROR frame */
	ck_assert_int_eq(rump_sys_getgid(), 1);
	ck_assert_int_eq(rump_sys_getpid(), FK_PID);
}
END_TEST

/*
 * An 8 KiB read into a buffer whose last 2000 bytes lie in an unmapped
 * page: the first part of the reply's data comes through the client's
 * read-ahead buffer, the rest is received straight into the caller's
 * buffer and faults there.  EFAULT, and the next read finds the stream
 * in step.
 */
static void
check_efault_direct(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	uint8_t *m, *buf;
	size_t i;

	m = mmap(NULL, (size_t)pg * 4, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(m, MAP_FAILED);
	ck_assert_int_eq(munmap(m + pg * 3, (size_t)pg), 0);
	buf = m + pg * 3 - (8192 - 2000);
	ck_assert_int_eq(rump_sys_read(3, buf, 8192), -1);
	ck_assert_int_eq(errno, EFAULT);
	buf = m;
	memset(buf, 0, 8192);
	ck_assert_int_eq(rump_sys_read(3, buf, 8192), 8192);
	for (i = 0; i < 8192; i++)
		ck_assert_uint_eq(buf[i], fk_pattern(i));
	munmap(m, (size_t)pg * 3);
}

/* A server's malformed requests are refused or dropped; calls go on. */
START_TEST(test_badrequests)
{
	char path[] = "hostile";

	fk_start_init();
	ck_assert_int_eq(rump_sys_chdir(path), 0x3f);
	ck_assert_int_eq(rump_sys_getpid(), FK_PID);
	ck_assert_str_eq(path, "hostile");
}
END_TEST

START_TEST(test_efault)
{

	fk_start_init();
	/* an inline IN buffer we cannot read: nothing is sent */
	ck_assert_int_eq(rump_sys_write(3, (void *)8, 100), -1);
	ck_assert_int_eq(errno, EFAULT);
	ck_assert_int_eq(atomic_load(&fk.inlined), 0);
	/* OUT data for a buffer we cannot write */
	ck_assert_int_eq(rump_sys_read(3, (void *)8, 100), -1);
	ck_assert_int_eq(errno, EFAULT);
	/* OUT data received straight into a buffer that ends too soon */
	check_efault_direct();
	/* the connection goes on; errno is left alone on success */
	errno = 1234;
	ck_assert_int_eq(rump_sys_getpid(), FK_PID);
	ck_assert_int_eq(errno, 1234);
	ck_assert_int_eq(atomic_load(&fk.nconn), 1);
}
END_TEST

/* A reply whose data lies outside the region sent: EPROTO, untouched. */
START_TEST(test_badregion)
{
	uint8_t buf[64 + 8];
	size_t i;

	fk_start_init();
	memset(buf, 0xee, sizeof(buf));
	ck_assert_int_eq(rump_sys_read(4, buf, 64), -1);
	ck_assert_int_eq(errno, EPROTO);
	for (i = 0; i < sizeof(buf); i++)
		ck_assert_uint_eq(buf[i], 0xee);
	ck_assert_int_eq(rump_sys_read(3, buf, 64), 64);
	for (i = 0; i < 64; i++)
		ck_assert_uint_eq(buf[i], fk_pattern(i));
	ck_assert_int_eq(atomic_load(&fk.nconn), 1);
}
END_TEST

/*
 * Replies that do not add up (too many regions, one missing, bytes
 * left over, a region not OUT): EPROTO for the call, the rest of the
 * frame dropped, the stream in step.  The caller's buffer holds what
 * good regions came before the fault (6, 7), nothing else.
 */
START_TEST(test_badreply)
{
	uint8_t buf[64];
	size_t i;
	int fd;

	fk_start_init();
	for (fd = 5; fd <= 8; fd++) {
		memset(buf, 0xee, sizeof(buf));
		ck_assert_int_eq(rump_sys_read(fd, buf, 8), -1);
		ck_assert_int_eq(errno, EPROTO);
		for (i = 0; i < sizeof(buf); i++)
			ck_assert_uint_eq(buf[i], i < 8 && (fd == 6 || fd == 7) ?
			    0x5a : 0xee);
		ck_assert_int_eq(rump_sys_read(3, buf, 64), 64);
		for (i = 0; i < 64; i++)
			ck_assert_uint_eq(buf[i], fk_pattern(i));
	}
	ck_assert_int_eq(atomic_load(&fk.nconn), 1);
}
END_TEST

static volatile sig_atomic_t usr1_seen;

static void
on_usr1(int sig)
{

	(void)sig;
	usr1_seen = 1;
}

START_TEST(test_raise)
{

	fk_start_init();
	signal(SIGUSR1, on_usr1);
	ck_assert_int_eq(rump_sys_getuid(), 0);
	ck_assert_int_eq(usr1_seen, 1);
	ck_assert_int_eq(rump_sys_getpid(), FK_PID);
}
END_TEST

/* Signals to an idle client: the listener thread */

static volatile sig_atomic_t alrm_fired;

static void
on_alrm_flag(int sig)
{

	(void)sig;
	alrm_fired = 1;
}

/*
 * Have the fake send SIGUSR1 in ms milliseconds, then sleep in
 * sigsuspend() until a handler has run.  True if SIGUSR1's ran within
 * five seconds.  The signal is blocked during the call, so only a
 * RAISE read while no call is in flight can wake us.
 */
static bool
idle_raise(int ms)
{
	struct sigaction sa;
	sigset_t block, omask;
	bool ok = false;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = on_alrm_flag;
	sigaction(SIGALRM, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGALRM);
	sigprocmask(SIG_BLOCK, &block, &omask);
	usr1_seen = 0;
	alrm_fired = 0;
	if (rump_sys_kill(ms, SIGUSR1) == 0) {
		alarm(5);
		while (!usr1_seen && !alrm_fired)
			sigsuspend(&omask);
		alarm(0);
		ok = usr1_seen;
	}
	sigprocmask(SIG_SETMASK, &omask, NULL);
	return ok;
}

START_TEST(test_raise_idle)
{

	fk_start_init();
	ck_assert(idle_raise(30));
	/* the listener steps aside for the next call */
	ck_assert_int_eq(rump_sys_getpid(), FK_PID);
	/* and when it has held the role for a while */
	usleep(50000);
	ck_assert_int_eq(rump_sys_getpid(), FK_PID);
	ck_assert(idle_raise(1));
	ck_assert_int_eq(rump_sys_getpid(), FK_PID);
	ck_assert_int_eq(atomic_load(&fk.nconn), 1);
}
END_TEST

/* A client of its own in a child; exits 1 if it could not ask. */
static pid_t
idle_term_child(bool compute)
{
	volatile unsigned long n = 0;
	pid_t pid;

	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid != 0)
		return pid;
	/* Check's handler would pass SIGTERM on to the test process */
	signal(SIGTERM, SIG_DFL);
	signal(SIGALRM, SIG_DFL);
	alarm(10);
	if (rumpclient_init() != 0 || rump_sys_kill(30, SIGTERM) != 0)
		_exit(1);
	for (;;) {
		if (compute)
			n++;
		else
			pause();
	}
}

/*
 * The default action applies: SIGTERM ends a client that is idle, in
 * pause() or computing.  One fork per test: the fake's threads are
 * quiet when it happens.
 */
static void
idle_term(bool compute)
{
	pid_t pid;
	int status;

	fk_start(RUMPSP_PROTOMAJOR, RUMPSP_PROTOMINOR);
	pid = idle_term_child(compute);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM,
	    "status 0x%x", status);
}

START_TEST(test_raise_idle_term)
{

	idle_term(false);
}
END_TEST

START_TEST(test_raise_idle_compute)
{

	idle_term(true);
}
END_TEST

START_TEST(test_raise_fork)
{
	pid_t pid;
	int status;

	fk_start_init();
	/* fork(2) while the listener waits in ppoll holding the role */
	usleep(50000);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* the child of rumpclient_fork() has a listener of its own */
	usleep(50000);
	pid = rumpclient_fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		signal(SIGTERM, SIG_DFL);
		signal(SIGALRM, SIG_DFL);
		alarm(10);
		if (rump_sys_getpid() != FK_PID + 1 ||
		    rump_sys_kill(30, SIGTERM) != 0)
			_exit(1);
		for (;;)
			pause();
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM,
	    "status 0x%x", status);
	/* and the parent's goes on */
	ck_assert(idle_raise(30));
	ck_assert_int_eq(rump_sys_getpid(), FK_PID);
}
END_TEST

START_TEST(test_raise_reconnect)
{

	fk.closeafter = 1;
	fk_start_init();
	rumpclient_setconnretry(RUMPCLIENT_RETRYCONN_ONCE);
	/* cut off, sent again on a new connection: a new process */
	ck_assert_int_eq(rump_sys_getpid(), FK_PID + 1);
	/* the listener takes up the new connection */
	ck_assert(idle_raise(30));
	ck_assert_int_eq(atomic_load(&fk.nconn), 2);
	ck_assert_int_eq(rump_sys_getpid(), FK_PID + 1);
}
END_TEST

/* A break while idle: the listener leaves RETRYCONN_DIE to the call. */
START_TEST(test_die_idle)
{
	pid_t pid;
	int status, p[2], fd;
	char c = 0;

	fk_start(RUMPSP_PROTOMAJOR, RUMPSP_PROTOMINOR);
	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(p[0]);
		fd = open("/dev/null", O_WRONLY);
		dup2(fd, 2);
		if (rumpclient_init() != 0)
			_exit(2);
		rumpclient_setconnretry(RUMPCLIENT_RETRYCONN_DIE);
		if (rump_sys_kill(10, 0) != 0)
			_exit(3);
		usleep(200000);
		(void)write(p[1], "a", 1);
		rump_sys_getpid();
		_exit(4);
	}
	close(p[1]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 1,
	    "status 0x%x", status);
	ck_assert_int_eq(read(p[0], &c, 1), 1);
	ck_assert_int_eq(c, 'a');
	close(p[0]);
}
END_TEST

/* Calls after idle spells of every length: the role goes to and fro. */
static void *
idle_calls_thread(void *arg)
{
	unsigned int seed = (unsigned int)(uintptr_t)arg;
	long i, bad = 0;

	for (i = 0; i < 40; i++) {
		usleep((useconds_t)(rand_r(&seed) % 25000));
		if (rump_sys_lseek(0, i, SEEK_SET) != i)
			bad++;
	}
	return (void *)(intptr_t)bad;
}

START_TEST(test_idle_calls)
{
	pthread_t t[2];
	void *bad;
	int i;

	fk_start_init();
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL,
		    idle_calls_thread, (void *)(uintptr_t)(i + 1)), 0);
	for (i = 0; i < 2; i++) {
		pthread_join(t[i], &bad);
		ck_assert_int_eq((intptr_t)bad, 0);
	}
	ck_assert_int_eq(rump_sys_getpid(), FK_PID);
}
END_TEST

/* Threads and signals */

#define NTHREADS	8
#define NCALLS		200

static void *
lseek_thread(void *arg)
{
	long base = (long)(intptr_t)arg, i;
	long bad = 0;

	for (i = 0; i < NCALLS; i++) {
		if (rump_sys_lseek(0, base + i, SEEK_SET) != base + i)
			bad++;
	}
	return (void *)(intptr_t)bad;
}

static void
run_lseek_threads(int n)
{
	pthread_t t[NTHREADS];
	void *bad;
	int i;

	for (i = 0; i < n; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, lseek_thread,
		    (void *)(intptr_t)((i + 1) * 1000000L)), 0);
	for (i = 0; i < n; i++) {
		pthread_join(t[i], &bad);
		ck_assert_int_eq((intptr_t)bad, 0);
	}
}

START_TEST(test_threads)
{

	fk.batch = NTHREADS;
	fk_start_init();
	run_lseek_threads(NTHREADS);
	ck_assert_int_eq(rump_sys_getpid(), FK_PID);
}
END_TEST

START_TEST(test_stdio_closed)
{
	int saved[3], i;

	for (i = 0; i < 3; i++)
		saved[i] = fcntl(i, F_DUPFD_CLOEXEC, 20);
	fk.batch = 2;
	fk_start(0, 5);
	for (i = 0; i < 3; i++)
		close(i);
	i = rumpclient_init();
	if (i == 0 && rump_sys_getpid() == FK_PID)
		run_lseek_threads(2);	/* makes eventfds, too */
	for (i = 0; i < 3; i++) {
		errno = 0;
		ck_assert_int_eq(fcntl(i, F_GETFD), -1);
		ck_assert_int_eq(errno, EBADF);
	}
	for (i = 0; i < 3; i++)
		dup2(saved[i], i);
	ck_assert_int_eq(rump_sys_getpid(), FK_PID);
}
END_TEST

static atomic_int alrm_calls, alrm_bad;

static void
on_alrm(int sig)
{
	int e = errno;

	(void)sig;
	if (rump_sys_getpid() != FK_PID)
		atomic_fetch_add(&alrm_bad, 1);
	atomic_fetch_add(&alrm_calls, 1);
	errno = e;
}

START_TEST(test_sigalrm)
{
	struct itimerval it = { { 0, 1000 }, { 0, 1000 } };
	struct sigaction sa;
	pthread_t t;
	void *bad;
	long i, nbad = 0;

	fk.delay_us = 100;
	fk_start_init();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alrm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	pthread_create(&t, NULL, lseek_thread, (void *)(intptr_t)5000000L);
	setitimer(ITIMER_REAL, &it, NULL);
	for (i = 1; i <= 2000; i++) {
		if (rump_sys_lseek(0, i, SEEK_SET) != i)
			nbad++;
	}
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	pthread_join(t, &bad);
	signal(SIGALRM, SIG_IGN);
	ck_assert_int_eq(nbad, 0);
	ck_assert_int_eq((intptr_t)bad, 0);
	ck_assert_int_eq(atomic_load(&alrm_bad), 0);
	ck_assert_int_gt(atomic_load(&alrm_calls), 20);
}
END_TEST

/* Broken connections */

static void *
getpid_thread(void *arg)
{
	pid_t p;

	(void)arg;
	p = rump_sys_getpid();
	return (void *)(intptr_t)(p == -1 && errno == ENOTCONN);
}

START_TEST(test_close)
{
	pthread_t t[3];
	void *ok;
	int i;

	fk.closeafter = 3;
	fk_start_init();
	for (i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, getpid_thread, NULL);
	for (i = 0; i < 3; i++) {
		pthread_join(t[i], &ok);
		ck_assert_int_eq((intptr_t)ok, 1);
	}
	/* no reconnect by default */
	ck_assert_int_eq(rump_sys_getpid(), -1);
	ck_assert_int_eq(errno, ENOTCONN);
	ck_assert_int_eq(atomic_load(&fk.nconn), 1);
}
END_TEST

START_TEST(test_reconnect)
{

	fk.closeafter = 1;
	fk_start_init();
	rumpclient_setconnretry(RUMPCLIENT_RETRYCONN_ONCE);
	/*
	 * The call cut off is sent again on a new connection, as
	 * NetBSD's client does: a new process in the kernel answers.
	 */
	ck_assert_int_eq(rump_sys_getpid(), FK_PID + 1);
	ck_assert_int_eq(atomic_load(&fk.nconn), 2);
	ck_assert_int_eq(rump_sys_getpid(), FK_PID + 1);
}
END_TEST

/*
 * A frame from the server whose header is garbage breaks the
 * connection (there is no telling where the next frame starts); the
 * call is sent again on a new one under the retry policy.
 */
START_TEST(test_badheader)
{

	fk_start_init();
	rumpclient_setconnretry(RUMPCLIENT_RETRYCONN_ONCE);
	ck_assert_int_eq(rump_sys_fsync(3), 0);
	ck_assert_int_eq(atomic_load(&fk.nconn), 2);
	ck_assert_int_eq(rump_sys_getpid(), FK_PID + 1);
}
END_TEST

START_TEST(test_retry_timeout)
{
	struct timespec t0, t1;
	double dt;

	fk.closeafter = 1;
	fk_start_init();
	rumpclient_setconnretry(1);
	/*
	 * The call is cut off and nobody is there to reconnect to:
	 * retried for a second, then ENOTCONN.
	 */
	unlink(fk.path);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(rump_sys_getpid(), -1);
	ck_assert_int_eq(errno, ENOTCONN);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	dt = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	ck_assert(dt > 0.9 && dt < 5.0);
	ck_assert_int_eq(atomic_load(&fk.nconn), 1);
}
END_TEST

/*
 * The child of test_die leaves through the library's exit(3).  It is
 * the fork of a process with threads (the fake server's), whose stacks
 * the child does not have: LeakSanitizer's check at exit then finds
 * what those threads held "leaked", or hangs trying to stop them.  A
 * handler registered after the sanitizer's runs before it and leaves
 * with the status the library chose.
 */
static void
die_quietly(int status, void *arg)
{

	(void)arg;
	_exit(status);
}

START_TEST(test_die)
{
	pid_t pid;
	int status, fd;

	fk.closeafter = 1;
	fk_start_init();
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		fd = open("/dev/null", O_WRONLY);
		dup2(fd, 2);
		on_exit(die_quietly, NULL);
		rumpclient_setconnretry(RUMPCLIENT_RETRYCONN_DIE);
		rump_sys_getpid();
		_exit(7);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 1);
}
END_TEST

/* Fork and exec */

START_TEST(test_fork)
{
	pid_t pid;
	int status;

	fk_start_init();
	pid = rumpclient_fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(rump_sys_getpid() == FK_PID + 1 ? 0 : 1);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	ck_assert_int_eq(atomic_load(&fk.forkok), 1);
	ck_assert_int_eq(rump_sys_getpid(), FK_PID);
}
END_TEST

START_TEST(test_fork_cancel)
{
	struct rumpclient_fork *rf;
	pid_t pid;
	int status;

	fk_start_init();
	rf = rumpclient_prefork();
	ck_assert_ptr_nonnull(rf);
	rumpclient_fork_cancel(rf);
	ck_assert_int_eq(atomic_load(&fk.cancelled), 1);

	/* a cookie the server does not know: ESRCH */
	rf = rumpclient_prefork();
	ck_assert_ptr_nonnull(rf);
	pthread_mutex_lock(&fk.mtx);
	fk.cookie[0] ^= 1;
	pthread_mutex_unlock(&fk.mtx);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(rumpclient_fork_init(rf) == -1 && errno == ESRCH ? 0 : 1);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	ck_assert_int_eq(atomic_load(&fk.forkbad), 1);
	/* the parent still owns its copy of rf: give the child up */
	pthread_mutex_lock(&fk.mtx);
	fk.cookie[0] ^= 1;
	pthread_mutex_unlock(&fk.mtx);
	rumpclient_fork_cancel(rf);
	ck_assert_int_eq(atomic_load(&fk.cancelled), 2);
	ck_assert_int_eq(rump_sys_getpid(), FK_PID);
}
END_TEST

START_TEST(test_daemon)
{
	pid_t pid;
	int p[2], status;
	char res[2] = { 0, 0 };

	/*
	 * The child connects itself: a connection inherited over a plain
	 * fork(2) stays the parent's, whose listener reads it.
	 */
	fk_start(RUMPSP_PROTOMAJOR, RUMPSP_PROTOMINOR);
	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(p[0]);
		if (rumpclient_init() == -1 || rumpclient_daemon(1, 1) == -1)
			_exit(2);
		/* the daemon: its parent has exited 0 */
		res[0] = rump_sys_getpid() == FK_PID + 1 ? 'y' : 'n';
		res[1] = getsid(0) == getpid() ? 'y' : 'n';
		(void)write(p[1], res, 2);
		_exit(0);
	}
	close(p[1]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	ck_assert_int_eq(read(p[0], res, 2), 2);
	ck_assert_int_eq(res[0], 'y');
	ck_assert_int_eq(res[1], 'y');
	close(p[0]);
}
END_TEST

START_TEST(test_exec)
{
	char self[PATH_MAX], arg[32], x[] = "x", ec[] = "--exec-child";
	char *argv[4];
	const char *base;
	ssize_t n;
	pid_t pid;
	int status;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	ck_assert_int_gt(n, 0);
	self[n] = '\0';
	base = strrchr(self, '/') + 1;
	fk_start_init();

	/* a failed execve leaves the connection usable, the server untold */
	argv[0] = x;
	argv[1] = NULL;
	ck_assert_int_eq(rumpclient_exec("/nonexistent/prog", argv, environ),
	    -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(rump_sys_getpid(), FK_PID);

	pid = rumpclient_fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		snprintf(arg, sizeof(arg), "%d", (int)rump_sys_getpid());
		argv[0] = self;
		argv[1] = ec;
		argv[2] = arg;
		argv[3] = NULL;
		rumpclient_exec(self, argv, environ);
		_exit(3);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	/* the failed execve sent nothing: only the new image's handshake */
	ck_assert_int_eq(atomic_load(&fk.execs), 1);
	pthread_mutex_lock(&fk.mtx);
	ck_assert_str_eq(fk.execcomm, base);
	pthread_mutex_unlock(&fk.mtx);
	/* the child's exec'd program reused the fork's connection */
	ck_assert_int_eq(atomic_load(&fk.nconn), 2);
}
END_TEST

/* The program rumpclient_exec() runs in test_exec. */
static int
exec_child(const char *want)
{

	if (rumpclient_init() != 0)
		return 10;
	if (getenv("RUMPCLIENT__EXECFD") != NULL)
		return 11;
	if (rump_sys_getpid() != atoi(want))
		return 12;
	/* the adopted connection has a listener */
	if (!idle_raise(20))
		return 13;
	return 0;
}

static Suite *
client_suite(void)
{
	Suite *s = suite_create("client_proto");
	TCase *tc;

	tc = tcase_create("connect");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_noserver);
	tcase_add_test(tc, test_badurl);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_major);
	tcase_add_test(tc, test_key_oldserver);
	tcase_add_test(tc, test_hsslow);
	tcase_add_test(tc, test_hslong);
	tcase_add_test(tc, test_hserror);
	tcase_add_test(tc, test_getpid);
	tcase_add_test(tc, test_syscall_public);
	suite_add_tcase(s, tc);

	tc = tcase_create("data");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_inline);
	tcase_add_test(tc, test_copyreq);
	tcase_add_test(tc, test_badcopyin);
	tcase_add_test(tc, test_badrequests);
	tcase_add_test(tc, test_badreply);
	tcase_add_test(tc, test_efault);
	tcase_add_test(tc, test_badregion);
	tcase_add_test(tc, test_raise);
	suite_add_tcase(s, tc);

	tc = tcase_create("idle");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_raise_idle);
	tcase_add_test(tc, test_raise_idle_term);
	tcase_add_test(tc, test_raise_idle_compute);
	tcase_add_test(tc, test_raise_fork);
	tcase_add_test(tc, test_raise_reconnect);
	tcase_add_test(tc, test_die_idle);
	tcase_add_test(tc, test_idle_calls);
	suite_add_tcase(s, tc);

	tc = tcase_create("concurrency");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_threads);
	tcase_add_test(tc, test_stdio_closed);
	tcase_add_test(tc, test_sigalrm);
	suite_add_tcase(s, tc);

	tc = tcase_create("broken");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_close);
	tcase_add_test(tc, test_reconnect);
	tcase_add_test(tc, test_badheader);
	tcase_add_test(tc, test_retry_timeout);
	tcase_add_test(tc, test_die);
	suite_add_tcase(s, tc);

	tc = tcase_create("process");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_fork);
	tcase_add_test(tc, test_fork_cancel);
	tcase_add_test(tc, test_daemon);
	tcase_add_test(tc, test_exec);
	suite_add_tcase(s, tc);
	return s;
}

int
main(int argc, char **argv)
{
	SRunner *sr;
	int nf;

	if (argc == 3 && strcmp(argv[1], "--exec-child") == 0)
		return exec_child(argv[2]);
	signal(SIGPIPE, SIG_IGN);
	sr = srunner_create(client_suite());
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
