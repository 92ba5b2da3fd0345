/*
 * rc_shm.c -- the client's side of the shared-memory transport
 * (common/sp_shm.h, rump_sp(7) SHM).
 *
 * A new connection on a Unix socket to a server of protocol 0.7 asks,
 * right after its handshake and before anyone else may use it, for a
 * region shared with the server (rc_shm_open).  When the server agrees,
 * every later frame goes through the region's rings: the reader takes
 * them from the server-to-client ring exactly as it would read the
 * socket (rc_cnfill and friends in rc_call.c ask here), and senders put
 * them in the client-to-server ring under c_sendmtx (rc_shm_send).  The
 * socket stays: it carries doorbell bytes both ways, and its end (or
 * its number closed under us) is the end of the connection.
 *
 * Waiting: the reader spins on the ring for RC_SHM_SPIN_US (a short
 * call's answer comes in microseconds, and no system call is made),
 * then asks the server for a doorbell and sleeps in ppoll() on the
 * socket, bounded by RC_CHECK_MS as every wait here.  It stops
 * watching at once when the server says that every call in flight is
 * asleep there (the control page's sh_asleep): a call that blocks
 * costs no CPU, and it does not watch at all when it and the server
 * can run only on one and the same CPU (the control page's CPU masks,
 * rsp_shm_together): the server cannot answer while it watches.  Only
 * the reader reads doorbells.  A sender that finds
 * the ring full sleeps in short, growing steps (it is not the reader,
 * so it cannot take doorbells) until the server has taken bytes.
 *
 * Bad buffers of the caller's: inline data is copied into the ring with
 * rc_memread (process_vm_readv on ourselves), which fails cleanly with
 * EFAULT, and a frame is published only once whole in the ring when it
 * fits, so an EFAULT leaves the stream intact as with sendmsg.  Reply
 * data goes to the caller's buffers with rc_memwrite.
 *
 * The region is not inherited over fork(2) (MADV_DONTFORK): the child
 * makes its own connection and region.  Over exec the memfd goes to the
 * new image with the socket (RUMPCLIENT__EXECFD) and is mapped again
 * there; the positions are in the region.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rumpclient_int.h"

/* How long the reader watches the ring before it sleeps. */
#define RC_SHM_SPIN_US	50

struct rc_shm {
	void		*sm_base;
	size_t		 sm_len;
	int		 sm_memfd;	/* kept for exec */
	dev_t		 sm_dev;	/* what sm_memfd was */
	ino_t		 sm_ino;
	struct rsp_ring	 sm_in;		/* server to client: the reader */
	struct rsp_ring	 sm_out;	/* client to server: c_sendmtx */
	uint64_t	 sm_spin;	/* ns the reader watches, or 0 */
};

/* The caller's iovecs (a bit each) are read with rc_memread. */
struct rc_shm_src {
	unsigned	 ss_user;
};

/* RUMP_SHM=0 keeps connections on the socket. */
static bool
rc_shm_wanted(void)
{
	const char *v = getenv("RUMP_SHM");

	return v == NULL || strcmp(v, "0") != 0;
}

static uint64_t
rc_shm_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Map the region behind memfd; size as the server said. */
static int
rc_shm_map(int memfd, uint32_t size, struct rc_shm **smp)
{
	uint64_t mine[RSP_SHM_CPUWORDS];
	struct rsp_shm_hdr *sh;
	struct rc_shm *sm;
	struct stat st;
	size_t len;
	void *base;

	if (!rsp_shm_sizeok(size))
		return EPROTO;
	len = rsp_shm_mapsize(size);
	if (fstat(memfd, &st) == -1)
		return errno;
	if (!S_ISREG(st.st_mode) || (size_t)st.st_size < len)
		return EPROTO;
	base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (base == MAP_FAILED)
		return errno;
	sh = base;
	if (sh->sh_magic != RSP_SHM_MAGIC || sh->sh_size != size) {
		munmap(base, len);
		return EPROTO;
	}
	/* a forked child makes its own: it must not touch ours */
	(void)madvise(base, len, MADV_DONTFORK);
	if ((sm = calloc(1, sizeof(*sm))) == NULL) {
		munmap(base, len);
		return ENOMEM;
	}
	sm->sm_base = base;
	sm->sm_len = len;
	sm->sm_memfd = memfd;
	sm->sm_dev = st.st_dev;
	sm->sm_ino = st.st_ino;
	/* before our first frame: the server judges it then */
	rsp_shm_mycpus(mine);
	memcpy(sh->sh_clicpus, mine, sizeof(mine));
	sm->sm_spin = rsp_shm_together(sh->sh_srvcpus, mine) ?
	    RC_SHM_SPIN_US * 1000ull : 0;
	rsp_shm_rings(base, size, false, &sm->sm_in, &sm->sm_out);
	*smp = sm;
	return 0;
}

/* The memfd from the SHM answer's control message, or -1. */
static int
rc_shm_recvfd(int fd, void *buf, size_t len, ssize_t *np)
{
	union {
		struct cmsghdr	cm;
		char		buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct msghdr msg;
	struct cmsghdr *cm;
	struct iovec iov;
	int memfd = -1;

	memset(&msg, 0, sizeof(msg));
	iov.iov_base = buf;
	iov.iov_len = len;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = ctl.buf;
	msg.msg_controllen = sizeof(ctl.buf);
	*np = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (*np <= 0)
		return -1;
	for (cm = CMSG_FIRSTHDR(&msg); cm != NULL; cm = CMSG_NXTHDR(&msg, cm))
		if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_RIGHTS &&
		    cm->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(&memfd, CMSG_DATA(cm), sizeof(int));
	return memfd;
}

/*
 * Ask for the shared region on cn, a connection nobody else uses yet,
 * whose handshake is done.  Returns 0 on rings or on the socket (the
 * server said no: one debug line), or an errno when the connection is
 * broken.
 */
int
rc_shm_open(struct rc_conn *cn, const struct rsp_addr *ra,
    const sigset_t *omask)
{
	char reason[RC_MAXREASON];
	struct rsp_shm_resp rsr;
	struct rsp_hdr h;
	struct iovec iov[1];
	struct pollfd pfd;
	struct timespec ts = RC_CHECK_TS;
	uint64_t start;
	size_t blen, n;
	ssize_t got = 0;
	int memfd = -1, error;

	if (cn->cn_minor < 7 || ra->ra_family != AF_UNIX || !rc_shm_wanted())
		return 0;
	rsp_hdr_fill(&h, RSP_HDRSZ, 2, RUMPSP_REQ, RUMPSP_SHM, 0);
	iov[0].iov_base = &h;
	iov[0].iov_len = sizeof(h);
	if ((error = rsp_sendv(cn->cn_fd, iov, 1)) != 0)
		return error;
	/* the descriptor comes with the answer's first byte */
	start = rc_shm_now_ns();
	for (;;) {
		memfd = rc_shm_recvfd(cn->cn_fd, &h, sizeof(h), &got);
		if (got > 0)
			break;
		if (got == 0)
			return ECONNRESET;
		if (errno != EAGAIN && errno != EINTR)
			return errno;
		pfd.fd = cn->cn_fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (ppoll(&pfd, 1, &ts, omask) == 0 && !rc_conn_fdok(cn))
			return EBADF;
		/* a server that announces SHM and never answers */
		if (rc_shm_now_ns() - start > RC_BANNER_MS * 1000000ull) {
			rc_debug("no answer to SHM in %d ms", RC_BANNER_MS);
			return ETIMEDOUT;
		}
	}
	error = rc_recvall(cn->cn_fd, (char *)&h + got, sizeof(h) - (size_t)got,
	    NULL);
	if (error == 0 && (rsp_hdr_check(&h, &(const char *){ NULL }) !=
	    RUMPSP_ERR_NONE || h.rsp_type != RUMPSP_SHM ||
	    h.rsp_class == RUMPSP_REQ || h.rsp_reqno != 2))
		error = EPROTO;
	blen = error == 0 ? h.rsp_len - RSP_HDRSZ : 0;
	if (error == 0 && h.rsp_class == RUMPSP_ERROR) {
		n = blen < sizeof(reason) - 1 ? blen : sizeof(reason) - 1;
		if ((error = rc_recvall(cn->cn_fd, reason, n, NULL)) == 0 &&
		    (error = rc_discard(cn->cn_fd, blen - n)) == 0) {
			reason[n] = '\0';
			rc_debug("server keeps us on the socket: %s", reason);
		}
	} else if (error == 0) {
		if (blen != sizeof(rsr) || memfd == -1)
			error = EPROTO;
		else if ((error = rc_recvall(cn->cn_fd, &rsr, sizeof(rsr),
		    NULL)) == 0 &&
		    (error = rc_shm_map(memfd, rsr.rsr_size, &cn->cn_shm)) == 0)
			return 0;
	}
	if (memfd != -1)
		close(memfd);
	return error;
}

/*
 * The new image of an exec: map the region whose memfd the old one
 * left us.  Its positions are in it.
 */
int
rc_shm_adopt(struct rc_conn *cn, int memfd)
{
	const struct rsp_shm_hdr *sh;
	struct stat st;
	void *p;
	uint32_t size;

	if (fstat(memfd, &st) == -1)
		return errno;
	if (!S_ISREG(st.st_mode) || (size_t)st.st_size < RSP_SHM_CTLSZ)
		return EPROTO;
	p = mmap(NULL, RSP_SHM_CTLSZ, PROT_READ, MAP_SHARED, memfd, 0);
	if (p == MAP_FAILED)
		return errno;
	sh = p;
	size = sh->sh_size;
	munmap(p, RSP_SHM_CTLSZ);
	return rc_shm_map(memfd, size, &cn->cn_shm);
}

/* For rumpclient_exec(): the memfd, still ours, or -1. */
int
rc_shm_memfd(const struct rc_conn *cn)
{
	const struct rc_shm *sm = cn->cn_shm;
	struct stat st;

	if (sm == NULL || fstat(sm->sm_memfd, &st) == -1 ||
	    st.st_dev != sm->sm_dev || st.st_ino != sm->sm_ino)
		return -1;
	return sm->sm_memfd;
}

/* The connection is freed: unmap, and close the memfd if still ours. */
void
rc_shm_free(struct rc_conn *cn)
{
	struct rc_shm *sm = cn->cn_shm;
	int memfd;

	if (sm == NULL)
		return;
	if ((memfd = rc_shm_memfd(cn)) != -1)
		close(memfd);
	munmap(sm->sm_base, sm->sm_len);
	free(sm);
	cn->cn_shm = NULL;
}

/* The child of fork(2): the region is not mapped here; forget it. */
void
rc_shm_forget(struct rc_conn *cn)
{
	struct rc_shm *sm = cn->cn_shm;

	if (sm == NULL)
		return;
	if (rc_shm_memfd(cn) != -1)
		close(sm->sm_memfd);
	free(sm);
	cn->cn_shm = NULL;
}

static void
rc_shm_ring(struct rc_conn *cn)
{
	static const uint8_t bell = 0;

	(void)send(cn->cn_fd, &bell, 1, MSG_DONTWAIT | MSG_NOSIGNAL);
}

static int
rc_shm_copyin(void *arg, int idx, void *dst, const void *src, size_t n)
{
	const struct rc_shm_src *ss = arg;

	if (idx < 32 && (ss->ss_user & (1u << idx)))
		return rc_memread(dst, (uint64_t)(uintptr_t)src, n);
	memcpy(dst, src, n);
	return 0;
}

static int
rc_shm_memcpy(void *arg, int idx, void *dst, const void *src, size_t n)
{

	(void)arg;
	(void)idx;
	memcpy(dst, src, n);
	return 0;
}

/* Is cn dead (the reader saw its end)?  For a sender's slow wait. */
static bool
rc_shm_dead(struct rc_conn *cn)
{
	bool dead;

	pthread_mutex_lock(&rc_client.c_mtx);
	dead = cn->cn_dead;
	pthread_mutex_unlock(&rc_client.c_mtx);
	return dead || !rc_conn_fdok(cn);
}

/*
 * Put a whole frame into the ring (c_sendmtx held).  iovecs whose bit
 * is set in user are the caller's buffers.  EFAULT with *intact when
 * nothing of the frame was published; other errors break the stream.
 */
int
rc_shm_send(struct rc_conn *cn, const struct iovec *iov, int iovcnt,
    unsigned user, bool *intact)
{
	struct rc_shm *sm = cn->cn_shm;
	struct rc_shm_src ss = { user };
	struct timespec ts;
	size_t total = 0, sent = 0, done;
	long wait_us = 20;
	int i, error;

	*intact = false;
	for (i = 0; i < iovcnt; i++)
		total += iov[i].iov_len;
	while (sent < total) {
		error = rsp_ring_put(&sm->sm_out, iov, iovcnt, sent,
		    rc_shm_copyin, &ss, &done);
		if (error != 0) {
			*intact = error == EFAULT && sent == 0;
			return error;
		}
		if (done > 0) {
			sent += done;
			wait_us = 20;
			if (rsp_ring_needwake(&sm->sm_out))
				rc_shm_ring(cn);
			continue;
		}
		/* full: the server takes bytes soon, or is gone */
		if (rc_shm_dead(cn))
			return EPIPE;
		ts.tv_sec = 0;
		ts.tv_nsec = wait_us * 1000;
		(void)nanosleep(&ts, NULL);
		if (wait_us < 10000)
			wait_us *= 2;
	}
	return 0;
}

/* Bytes the server put for us; EPROTO when it broke the ring. */
int
rc_shm_avail(struct rc_conn *cn, size_t *np)
{

	return rsp_ring_avail(&cn->cn_shm->sm_in, np);
}

/* Tell the server of room, if it waits for some. */
static void
rc_shm_took(struct rc_conn *cn)
{

	if (rsp_ring_roomwake(&cn->cn_shm->sm_in))
		rc_shm_ring(cn);
}

/* Copy len available bytes into our own buf. */
void
rc_shm_get(struct rc_conn *cn, void *buf, size_t len)
{

	(void)rsp_ring_get(&cn->cn_shm->sm_in, buf, len, rc_shm_memcpy, NULL);
	rc_shm_took(cn);
}

/*
 * Copy len available bytes to the caller's memory at addr.  A bad
 * address takes the bytes all the same and says EFAULT.
 */
int
rc_shm_getuser(struct rc_conn *cn, uint64_t addr, size_t len)
{
	struct rsp_ring *rg = &cn->cn_shm->sm_in;
	const uint8_t *p;
	size_t k;
	int error = 0;

	while (len > 0) {
		rsp_ring_peek(rg, len, &p, &k);
		if (error == 0 && rc_memwrite(addr, p, k) != 0)
			error = EFAULT;
		rsp_ring_take(rg, k);
		addr += k;
		len -= k;
	}
	rc_shm_took(cn);
	return error;
}

/* Drop doorbell bytes; ECONNRESET at the socket's end, else 0. */
static int
rc_shm_doorbells(struct rc_conn *cn)
{
	uint8_t buf[64];
	ssize_t n;

	for (;;) {
		n = recv(cn->cn_fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0)
			continue;
		if (n == 0)
			return ECONNRESET;
		if (errno == EINTR)
			continue;
		return errno == EAGAIN ? 0 : errno;
	}
}

/*
 * Will no answer come soon?  Every call in flight is asleep in the
 * server (sp_shm.h, sh_asleep), and every request of ours is taken.
 * sh_asleep first: it is 0 while calls run, and its cache line, unlike
 * r_head's, is not written at every request the server takes.
 */
static bool
rc_shm_quiet(struct rc_conn *cn)
{
	const struct rsp_shm_hdr *sh = cn->cn_shm->sm_base;
	const struct rsp_shm_ctl *out = &sh->sh_c2s;

	return atomic_load(&sh->sh_asleep) >= (uint32_t)atomic_load_explicit(
	    &cn->cn_ncalls, memory_order_relaxed) &&
	    atomic_load(&out->r_head) == atomic_load(&out->r_tail);
}

/*
 * The reader waits for bytes: spin a while, then sleep on the socket
 * with mask (NULL: the current one) until a doorbell, for RC_CHECK_MS
 * at most.  Between frames (between) the spin ends as soon as the
 * server says that all our calls are asleep.  Returns 0 (look again:
 * bytes may have come, or a signal handler ran), or an errno: the
 * connection is over.
 */
int
rc_shm_wait(struct rc_conn *cn, const sigset_t *mask, bool between)
{
	struct rsp_ring *rg = &cn->cn_shm->sm_in;
	struct timespec ts = RC_CHECK_TS;
	struct pollfd pfd;
	uint64_t start, spin = cn->cn_shm->sm_spin;
	size_t n;
	int r, error;

	start = spin > 0 ? rc_shm_now_ns() : 0;
	while (spin > 0) {
		if (rsp_ring_avail(rg, &n) != 0 || n > 0)
			return 0;
		if (between && rc_shm_quiet(cn))
			break;
		if (rc_shm_now_ns() - start >= spin)
			break;
		/*
		 * No sched_yield() here.  Four client processes on two
		 * cores made twice the calls when each yielded its core
		 * between looks (to the server, or to the client whose call
		 * was ahead), but beside two programs that compute, a
		 * yield put a client behind them for a time slice: one
		 * client made 4,000 calls a second instead of 150,000.
		 */
		RSP_CPU_RELAX();
	}
	if (!rsp_ring_sleep(rg))
		return 0;
	pfd.fd = cn->cn_fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	r = ppoll(&pfd, 1, &ts, mask);
	rsp_ring_awake(rg);
	if (r == -1)
		return errno == EINTR ? 0 : errno;
	if (r == 0 || (pfd.revents & POLLNVAL)) {
		if (!rc_conn_fdok(cn))
			return EBADF;
		return 0;
	}
	error = rc_shm_doorbells(cn);
	/* the server's last frames (an ERROR) come before its end */
	if (error != 0 && rsp_ring_avail(rg, &n) == 0 && n > 0)
		return 0;
	return error;
}

/*
 * Inside a frame: wait until the server has put bytes for us.  0 with
 * *np > 0, or an errno: the connection is over.
 */
int
rc_shm_some(struct rc_conn *cn, size_t *np)
{
	int error;

	for (;;) {
		if ((error = rc_shm_avail(cn, np)) != 0 || *np > 0)
			return error;
		if ((error = rc_shm_wait(cn, NULL, false)) != 0)
			return error;
	}
}

/*
 * For the listener, which polls the socket together with its eventfd:
 * true when bytes are there, else a doorbell is asked for.
 */
bool
rc_shm_arm(struct rc_conn *cn)
{

	return !rsp_ring_sleep(&cn->cn_shm->sm_in);
}

/* ... the listener's poll returned: doorbells off, drop them. */
int
rc_shm_disarm(struct rc_conn *cn, bool readable)
{
	struct rsp_ring *rg = &cn->cn_shm->sm_in;
	size_t n;
	int error;

	rsp_ring_awake(rg);
	if (!readable)
		return 0;
	error = rc_shm_doorbells(cn);
	if (error != 0 && rsp_ring_avail(rg, &n) == 0 && n > 0)
		return 0;
	return error;
}
