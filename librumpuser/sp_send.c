/*
 * sp_send.c -- frames from the server to a client: the outbound queue.
 *
 * OpenBSD's imsg msgbuf is the model.  Every sender (a thread with a
 * reply, a copy request, a signal, an error; the leader with a banner)
 * calls sp_send() with a whole frame.  When nothing is queued, the
 * frame goes straight to the socket with one non-blocking sendmsg;
 * whatever the socket does not take is copied into the queue, and the
 * leader is asked to watch for the socket to become writable
 * (sp_server_arm).  The leader drains the queue (sp_out_flush) with
 * one writev of many frames.  So no thread ever waits in a send, no
 * frame is ever dropped while the connection lives, and frames never
 * interleave: the queue is FIFO and a send with a non-empty queue goes
 * behind it.
 *
 * A client that does not read while more than rumpsp_maxqueue bytes
 * are queued for it is cut off: its connection is shut down, which
 * the leader sees as a disconnect, and one line is logged.
 *
 * A connection on shared rings (sp_ring.c) writes into its ring
 * where the socket would take the bytes; with frames queued it asks
 * the client for a doorbell when it makes room, in place of EPOLLOUT.
 *
 * spc_outmtx is a leaf lock held only around non-blocking socket
 * calls, ring copies and list operations.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sp_int.h"

size_t rumpsp_maxqueue = 16u * 1024 * 1024;

/* frames the leader writes with one writev */
#define SP_FLUSHIOV	64

static void *
sp_unconst(const void *p)
{

	return (void *)(uintptr_t)p;
}

/* One non-blocking sendmsg; returns bytes sent or -1 with errno. */
static ssize_t
sp_sendmsg_nb(int fd, const struct iovec *iov, int iovcnt)
{
	struct msghdr msg;
	struct iovec cut;
	ssize_t n;

	/* RUMP_SHORTWRITE (tests): a piece of the first buffer only */
	if (iovcnt > 0 && rumpuser_fault_shortwrite() != 0) {
		cut = iov[0];
		if (cut.iov_len > rumpuser_fault_shortwrite())
			cut.iov_len = rumpuser_fault_shortwrite();
		iov = &cut;
		iovcnt = 1;
	}
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = sp_unconst(iov);
	msg.msg_iovlen = (size_t)(iovcnt > IOV_MAX ? IOV_MAX : iovcnt);
	do
		n = sendmsg(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
	while (n == -1 && errno == EINTR);
	return n;
}

static int	sp_out_ringwait(struct sp_client *);

/* spc_outmtx held: to the socket or the ring; as sp_sendmsg_nb. */
static ssize_t
sp_out_write(struct sp_client *spc, const struct iovec *iov, int iovcnt)
{

	if (atomic_load_explicit(&spc->spc_shm, memory_order_relaxed) != NULL)
		return sp_ring_write(spc, iov, iovcnt);
	return sp_sendmsg_nb(spc->spc_fd, iov, iovcnt);
}

/* spc_outmtx held: nothing more goes out; the connection closes. */
static void
sp_out_kill(struct sp_client *spc)
{

	if (!spc->spc_outdead)
		SP_STAT_ADD(RUMPUSER_SP_QUEUED, -(int64_t)spc->spc_outbytes);
	spc->spc_outdead = true;
	(void)shutdown(spc->spc_fd, SHUT_RDWR);
}

/* spc_outmtx held: queue iov past its first skip bytes. */
static int
sp_out_queue(struct sp_client *spc, const struct iovec *iov, int iovcnt,
    size_t skip, size_t total)
{
	struct sp_obuf *ob;
	size_t off = 0, n;
	int i;

	if (spc->spc_outbytes + (total - skip) > rumpsp_maxqueue) {
		SP_STAT_ADD(RUMPUSER_SP_CUTOFF, 1);
		sp_client_why(spc, "cut off: replies not read");
		sp_log("pid %d: %zu bytes queued and not read: cut off",
		    (int)spc->spc_pid, spc->spc_outbytes + (total - skip));
		sp_out_kill(spc);
		return ENOBUFS;
	}
	if ((ob = sp_malloc(sizeof(*ob) + (total - skip))) == NULL) {
		/* a frame lost would break the stream: give up on it */
		sp_client_why(spc, "out of memory for its outbound queue");
		sp_log("pid %d: out of memory for its outbound queue: cut off",
		    (int)spc->spc_pid);
		sp_out_kill(spc);
		return ENOMEM;
	}
	ob->ob_len = total - skip;
	ob->ob_off = 0;
	for (i = 0; i < iovcnt; i++) {
		n = iov[i].iov_len;
		if (skip >= n) {
			skip -= n;
			continue;
		}
		memcpy(ob->ob_data + off, (uint8_t *)iov[i].iov_base + skip,
		    n - skip);
		off += n - skip;
		skip = 0;
	}
	STAILQ_INSERT_TAIL(&spc->spc_outq, ob, ob_entries);
	spc->spc_outbytes += ob->ob_len;
	SP_STAT_ADD(RUMPUSER_SP_QUEUED, ob->ob_len);
	if (atomic_load(&spc->spc_shm) != NULL)
		return 0;	/* sp_send asks for the doorbell */
	if (!spc->spc_outarmed) {
		spc->spc_outarmed = true;
		sp_server_arm(spc, true);
	}
	return 0;
}

/*
 * A whole frame to spc, now or later; never waits.  Returns 0, or
 * ENOTCONN/EPIPE/ENOBUFS when the connection is gone or cut off.
 */
int
sp_send(struct sp_client *spc, const struct iovec *iov, int iovcnt)
{
	size_t total = 0, sent = 0;
	ssize_t n;
	int i, error = 0;

	for (i = 0; i < iovcnt; i++)
		total += iov[i].iov_len;
	pthread_mutex_lock(&spc->spc_outmtx);
	if (spc->spc_outdead) {
		pthread_mutex_unlock(&spc->spc_outmtx);
		return ENOTCONN;
	}
	if (STAILQ_EMPTY(&spc->spc_outq) && iovcnt <= IOV_MAX) {
		n = sp_out_write(spc, iov, iovcnt);
		if (n == -1 && errno != EAGAIN) {
			error = errno;
			sp_client_why(spc, "write error");
			sp_out_kill(spc);
		} else if (n > 0) {
			sent = (size_t)n;
			SP_STAT_ADD(RUMPUSER_SP_BYTESOUT, n);
		}
	}
	if (error == 0 && sent < total)
		error = sp_out_queue(spc, iov, iovcnt, sent, total);
	if (error == 0 && sent < total &&
	    atomic_load(&spc->spc_shm) != NULL)
		error = sp_out_ringwait(spc);
	pthread_mutex_unlock(&spc->spc_outmtx);
	return error;
}

/* spc_outmtx held: write what the socket or ring takes of the queue. */
static int
sp_out_flush_locked(struct sp_client *spc)
{
	struct iovec iov[SP_FLUSHIOV];
	struct sp_obuf *ob;
	size_t n;
	ssize_t done;
	int cnt, error = 0;

	while (!STAILQ_EMPTY(&spc->spc_outq) && !spc->spc_outdead) {
		cnt = 0;
		STAILQ_FOREACH(ob, &spc->spc_outq, ob_entries) {
			if (cnt == SP_FLUSHIOV)
				break;
			iov[cnt].iov_base = ob->ob_data + ob->ob_off;
			iov[cnt].iov_len = ob->ob_len - ob->ob_off;
			cnt++;
		}
		if ((done = sp_out_write(spc, iov, cnt)) == -1) {
			if (errno != EAGAIN) {
				error = errno;
				sp_out_kill(spc);
			}
			break;
		}
		spc->spc_outbytes -= (size_t)done;
		SP_STAT_ADD(RUMPUSER_SP_BYTESOUT, done);
		SP_STAT_ADD(RUMPUSER_SP_QUEUED, -done);
		while (done > 0) {
			ob = STAILQ_FIRST(&spc->spc_outq);
			n = ob->ob_len - ob->ob_off;
			if ((size_t)done < n) {
				ob->ob_off += (size_t)done;
				break;
			}
			done -= (ssize_t)n;
			STAILQ_REMOVE_HEAD(&spc->spc_outq, ob_entries);
			free(ob);
		}
	}
	return error;
}

/*
 * spc_outmtx held, on rings, frames queued: ask the client to ring
 * when it has made room; if room came meanwhile, use it.
 */
static int
sp_out_ringwait(struct sp_client *spc)
{
	int error = 0;

	while (!STAILQ_EMPTY(&spc->spc_outq) && !spc->spc_outdead &&
	    !sp_ring_waitroom(spc))
		if ((error = sp_out_flush_locked(spc)) != 0)
			break;
	return error;
}

/*
 * The leader: the socket is writable, or the client on rings made
 * room.  Returns 0, or an errno when the connection is broken and
 * must close.
 */
int
sp_out_flush(struct sp_client *spc)
{
	int error;

	pthread_mutex_lock(&spc->spc_outmtx);
	error = sp_out_flush_locked(spc);
	if (error == 0 && atomic_load(&spc->spc_shm) != NULL)
		error = sp_out_ringwait(spc);
	if (STAILQ_EMPTY(&spc->spc_outq) && spc->spc_outarmed &&
	    !spc->spc_outdead) {
		spc->spc_outarmed = false;
		sp_server_arm(spc, false);
	}
	if (spc->spc_outdead && error == 0)
		error = EPIPE;
	pthread_mutex_unlock(&spc->spc_outmtx);
	return error;
}

/*
 * The connection is closing: send what the socket takes at once (an
 * ERROR frame explaining why, usually), then shut it down.
 */
void
sp_out_close(struct sp_client *spc)
{

	(void)sp_out_flush(spc);
	pthread_mutex_lock(&spc->spc_outmtx);
	sp_out_kill(spc);
	pthread_mutex_unlock(&spc->spc_outmtx);
}

/* The client is freed: whatever is still queued goes. */
void
sp_out_drop(struct sp_client *spc)
{
	struct sp_obuf *ob;

	while ((ob = STAILQ_FIRST(&spc->spc_outq)) != NULL) {
		STAILQ_REMOVE_HEAD(&spc->spc_outq, ob_entries);
		free(ob);
	}
	spc->spc_outbytes = 0;
}

/* A RESP frame with an optional body. */
int
sp_send_resp(struct sp_client *spc, uint64_t reqno, int type, uint32_t arg,
    const void *body, size_t len)
{
	struct rsp_hdr hdr;
	struct iovec iov[2];

	rsp_hdr_fill(&hdr, RSP_HDRSZ + len, reqno, RUMPSP_RESP, type, arg);
	iov[0].iov_base = &hdr;
	iov[0].iov_len = sizeof(hdr);
	iov[1].iov_base = sp_unconst(body);
	iov[1].iov_len = len;
	return sp_send(spc, iov, len > 0 ? 2 : 1);
}

/* An ERROR frame: the code in rsp_arg, the reason as a C string. */
static void
sp_error_frame(struct rsp_hdr *hdr, struct iovec iov[2], uint64_t reqno,
    int type, int err, const char *why)
{
	size_t wlen = strlen(why) + 1;

	rsp_hdr_fill(hdr, RSP_HDRSZ + wlen, reqno, RUMPSP_ERROR, type,
	    (uint32_t)err);
	iov[0].iov_base = hdr;
	iov[0].iov_len = sizeof(*hdr);
	iov[1].iov_base = sp_unconst(why);
	iov[1].iov_len = wlen;
}

int
sp_send_error(struct sp_client *spc, uint64_t reqno, int type, int err,
    const char *why)
{
	struct rsp_hdr hdr;
	struct iovec iov[2];

	SP_STAT_ADD(RUMPUSER_SP_ERRORS, 1);
	sp_error_frame(&hdr, iov, reqno, type, err, why);
	return sp_send(spc, iov, 2);
}

/*
 * A connection that never becomes a client (table full, no memory):
 * the banner and an ERROR frame in one send, so that the client finds
 * both before it writes anything, then no more from us.
 */
int
sp_send_refuse(int fd, const char *banner, size_t bannerlen, int err,
    const char *why)
{
	struct rsp_hdr hdr;
	struct iovec iov[3];
	ssize_t n;

	iov[0].iov_base = sp_unconst(banner);
	iov[0].iov_len = bannerlen;
	sp_error_frame(&hdr, &iov[1], 0, RUMPSP_HANDSHAKE, err, why);
	n = sp_sendmsg_nb(fd, iov, 3);
	(void)shutdown(fd, SHUT_WR);
	return n == -1 ? errno : 0;
}
