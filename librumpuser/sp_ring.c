/*
 * sp_ring.c -- the server's side of the shared-memory transport
 * (common/sp_shm.h, rump_sp(7) SHM).
 *
 * A client on a Unix socket, its handshake done, sends a SHM request
 * and nothing after it until the answer.  The leader (which reads
 * that request, so no other byte of the socket is read meanwhile)
 * makes a memfd, maps it, and answers with the descriptor attached;
 * that answer is the last frame on the socket in either direction.
 * From then on:
 *
 *  - input: the socket's bytes are doorbells, drained and dropped
 *    (sp_ring_doorbells); its end is the client's end.  The leader
 *    takes frames from the client-to-server ring through the same
 *    frame assembly as socket input (sp_consume in sp_server.c), which
 *    copies every byte once into private memory and judges the copy.
 *  - output: sp_send() puts frames into the server-to-client ring
 *    (sp_ring_write) instead of the socket, under spc_outmtx as
 *    always; what does not fit waits in the outbound queue, and the
 *    client's doorbell after it made room has the leader flush it.
 *
 * A client can corrupt only its own rings: the memfd is sealed at its
 * size (no SIGBUS for us from a file it shrank), positions it publishes are
 * judged against ours (EPROTO cuts it off), its flags only cost it
 * doorbells, and we never wait for it.  The mapping is ours until the
 * client struct is freed.
 */
#include <sys/types.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sp_int.h"

/* Bytes of each ring; 0 refuses SHM requests (rump_server --shm). */
int rumpsp_shmring = RSP_SHM_DEFRING;

static int
sp_ring_memcpy(void *arg, int idx, void *dst, const void *src, size_t n)
{

	(void)arg;
	(void)idx;
	memcpy(dst, src, n);
	return 0;
}

/* One doorbell byte to the client; a full socket has one already. */
static void
sp_ring_ring(struct sp_client *spc)
{
	static const uint8_t bell = 0;

	(void)send(spc->spc_fd, &bell, 1, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* The answer with the memfd attached: one sendmsg, whole or nothing. */
static int
sp_ring_answer(struct sp_client *spc, uint64_t reqno, int memfd,
    uint32_t size)
{
	union {
		struct cmsghdr	cm;
		char		buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct rsp_shm_resp rsr;
	struct rsp_hdr hdr;
	struct iovec iov[2];
	struct msghdr msg;
	struct cmsghdr *cm;
	ssize_t n;

	rsp_hdr_fill(&hdr, RSP_HDRSZ + sizeof(rsr), reqno, RUMPSP_RESP,
	    RUMPSP_SHM, 0);
	memset(&rsr, 0, sizeof(rsr));
	rsr.rsr_size = size;
	iov[0].iov_base = &hdr;
	iov[0].iov_len = sizeof(hdr);
	iov[1].iov_base = &rsr;
	iov[1].iov_len = sizeof(rsr);
	memset(&msg, 0, sizeof(msg));
	memset(&ctl, 0, sizeof(ctl));
	msg.msg_iov = iov;
	msg.msg_iovlen = 2;
	msg.msg_control = ctl.buf;
	msg.msg_controllen = sizeof(ctl.buf);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &memfd, sizeof(int));
	do
		n = sendmsg(spc->spc_fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
	while (n == -1 && errno == EINTR);
	if (n == (ssize_t)(sizeof(hdr) + sizeof(rsr)))
		return 0;
	return n == -1 ? errno : EPIPE;
}

/*
 * The leader: a SHM request from a running client.  Answers it either
 * way; returns -1 only when the connection must close (the answer
 * left in part).
 */
int
sp_ring_setup(struct sp_client *spc, uint64_t reqno)
{
	struct rsp_shm_hdr *sh;
	const char *why = NULL;
	size_t len;
	void *base = MAP_FAILED;
	int memfd = -1, error;
	uint32_t size = (uint32_t)rumpsp_shmring;
	socklen_t slen = sizeof(error);

	if (getsockopt(spc->spc_fd, SOL_SOCKET, SO_DOMAIN, &error,
	    &slen) == -1 || error != AF_UNIX)
		why = "shared memory is for Unix sockets";
	else if (size == 0 || !sp_ring_enabled())
		why = "shared memory is off on this server";
	else if (spc->spc_shm != NULL)
		why = "shared memory already in use";
	else if (!rsp_shm_sizeok(size))
		why = "bad ring size";
	if (why != NULL) {
		(void)sp_send_error(spc, reqno, RUMPSP_SHM,
		    RUMPSP_ERR_MALFORMED_REQUEST, why);
		return 0;
	}
	len = rsp_shm_mapsize(size);
	/*
	 * Sealed at its size: a client that could shrink the file would
	 * turn our next access to the mapping into SIGBUS.
	 */
	memfd = memfd_create("rump_sp", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (memfd == -1 || ftruncate(memfd, (off_t)len) == -1 ||
	    fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW |
	    F_SEAL_SEAL) == -1 ||
	    (base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
	    memfd, 0)) == MAP_FAILED) {
		if (memfd != -1)
			close(memfd);
		(void)sp_send_error(spc, reqno, RUMPSP_SHM, RUMPSP_ERR_NOMEM,
		    "no memory for a shared region");
		return 0;
	}
	sh = base;
	sh->sh_magic = RSP_SHM_MAGIC;
	sh->sh_size = size;
	rsp_shm_mycpus(sh->sh_srvcpus);
	/* nobody watches the client's ring yet: it rings */
	atomic_store(&sh->sh_c2s.r_cwait, 1);

	pthread_mutex_lock(&spc->spc_outmtx);
	if (!STAILQ_EMPTY(&spc->spc_outq) || spc->spc_outdead) {
		/* a frame of ours is still on its way: not now */
		pthread_mutex_unlock(&spc->spc_outmtx);
		close(memfd);
		munmap(base, len);
		(void)sp_send_error(spc, reqno, RUMPSP_SHM,
		    RUMPSP_ERR_TRYAGAIN, "output pending");
		return 0;
	}
	error = sp_ring_answer(spc, reqno, memfd, size);
	close(memfd);
	if (error == EAGAIN) {
		pthread_mutex_unlock(&spc->spc_outmtx);
		munmap(base, len);
		(void)sp_send_error(spc, reqno, RUMPSP_SHM,
		    RUMPSP_ERR_TRYAGAIN, "socket full");
		return 0;
	}
	if (error != 0) {
		pthread_mutex_unlock(&spc->spc_outmtx);
		munmap(base, len);
		sp_client_why(spc, "write error");
		return -1;
	}
	rsp_shm_rings(base, size, true, &spc->spc_rin, &spc->spc_rout);
	spc->spc_shmlen = len;
	atomic_store(&spc->spc_shm, base);
	pthread_mutex_unlock(&spc->spc_outmtx);
	SP_STAT_ADD(RUMPUSER_SP_BYTESOUT, sizeof(struct rsp_hdr) +
	    sizeof(struct rsp_shm_resp));
	return 0;
}

/*
 * spc_outmtx held, the connection on rings: put what fits of iov.
 * Returns the bytes put, or -1 with errno: EAGAIN when the ring is
 * full, EPROTO when the client broke it.
 */
ssize_t
sp_ring_write(struct sp_client *spc, const struct iovec *iov, int iovcnt)
{
	size_t done;
	int error;

	error = rsp_ring_put(&spc->spc_rout, iov, iovcnt, 0, sp_ring_memcpy,
	    NULL, &done);
	if (error != 0) {
		sp_log("pid %d: its shared ring is broken: cut off",
		    (int)spc->spc_pid);
		errno = error;
		return -1;
	}
	if (done == 0) {
		errno = EAGAIN;
		return -1;
	}
	if (rsp_ring_needwake(&spc->spc_rout))
		sp_ring_ring(spc);
	return (ssize_t)done;
}

/*
 * spc_outmtx held, frames queued: ask the client for a doorbell when
 * it makes room.  false when room came meanwhile: flush again now.
 */
bool
sp_ring_waitroom(struct sp_client *spc)
{

	return rsp_ring_waitroom(&spc->spc_rout);
}

/*
 * The leader: the socket of a client on rings is readable.  Drop the
 * doorbells; -1 at its end (or an error), else 0.
 */
int
sp_ring_doorbells(struct sp_client *spc)
{
	uint8_t buf[256];
	ssize_t n;

	for (;;) {
		n = recv(spc->spc_fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0)
			continue;
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return 0;
		if (n == -1)
			sp_client_why(spc, "read error");
		return -1;
	}
}

/*
 * The leader: the next contiguous bytes the client put, at most max.
 * Returns 0 (*lenp 0: none), or -1 when the client broke the ring.
 */
int
sp_ring_peek(struct sp_client *spc, size_t max, const uint8_t **pp,
    size_t *lenp)
{
	size_t n;

	if (rsp_ring_avail(&spc->spc_rin, &n) != 0) {
		sp_client_why(spc, "shared ring broken");
		*lenp = 0;
		return -1;
	}
	if (n > max)
		n = max;
	rsp_ring_peek(&spc->spc_rin, n, pp, lenp);
	return 0;
}

/* The leader took n bytes; the client may be waiting for the room. */
void
sp_ring_taken(struct sp_client *spc, size_t n)
{

	rsp_ring_take(&spc->spc_rin, n);
	SP_STAT_ADD(RUMPUSER_SP_BYTESIN, n);
	if (rsp_ring_roomwake(&spc->spc_rin))
		sp_ring_ring(spc);
}

/* The leader: does the client's ring hold bytes? */
bool
sp_ring_ready(struct sp_client *spc)
{
	size_t n;

	/* a broken ring counts as ready: reading it cuts the client off */
	return rsp_ring_avail(&spc->spc_rin, &n) != 0 || n > 0;
}

/* The leader: stop watching; false when bytes came meanwhile. */
bool
sp_ring_sleep(struct sp_client *spc)
{

	return rsp_ring_sleep(&spc->spc_rin);
}

/*
 * The leader: may it watch spc's ring?  Judged once, after the client's
 * first frame on the rings, when its CPU mask is in the control page:
 * not when it and we can run only on one and the same CPU, where it
 * could not call while we watch (rsp_shm_together).
 */
bool
sp_ring_together(struct sp_client *spc)
{
	uint64_t mine[RSP_SHM_CPUWORDS];
	struct rsp_shm_hdr *sh;

	if (spc->spc_together == SP_TOGETHER_UNKNOWN) {
		sh = atomic_load(&spc->spc_shm);
		rsp_shm_mycpus(mine);
		if (sh == NULL || rsp_shm_together(sh->sh_clicpus, mine))
			spc->spc_together = SP_TOGETHER_YES;
		else {
			spc->spc_together = SP_TOGETHER_NO;
			if (rumpsp_verbose)
				sp_log("pid %d: runs on our one CPU only: its "
				    "ring is not watched", (int)spc->spc_pid);
		}
	}
	return spc->spc_together == SP_TOGETHER_YES;
}

/* The leader watches the ring: the client need not ring. */
void
sp_ring_watch(struct sp_client *spc)
{

	rsp_ring_awake(&spc->spc_rin);
}

/*
 * This pool thread is about to sleep (asleep) or has woken.  If it
 * runs a call of a client on rings, count the call in the client's
 * sh_asleep: its reader stops watching the ring for an answer that
 * will not come soon.  The word is the client's as much as ours; a
 * client that writes it fools only its own reader, and we never read
 * it back.  The request keeps the word it raised: begin and end pair
 * on one thread, and the mapping lives as long as the client struct,
 * which the request holds.
 */
void
sp_ring_asleep(bool asleep)
{
	struct sp_req *rq = sp_curreq();
	struct rsp_shm_hdr *sh;

	if (rq == NULL)
		return;
	if (asleep && rq->rq_asleep == NULL) {
		if ((sh = atomic_load(&rq->rq_spc->spc_shm)) == NULL)
			return;
		rq->rq_asleep = &sh->sh_asleep;
		atomic_fetch_add(rq->rq_asleep, 1);
	} else if (!asleep && rq->rq_asleep != NULL) {
		atomic_fetch_sub(rq->rq_asleep, 1);
		rq->rq_asleep = NULL;
	}
}

/* The client struct is freed. */
void
sp_ring_free(struct sp_client *spc)
{
	void *base = atomic_load(&spc->spc_shm);

	if (base != NULL)
		munmap(base, spc->spc_shmlen);
	atomic_store(&spc->spc_shm, NULL);
}

/* RUMP_SHM=0 in the server's environment turns the transport off. */
bool
sp_ring_enabled(void)
{
	const char *v = getenv("RUMP_SHM");

	return v == NULL || strcmp(v, "0") != 0;
}
