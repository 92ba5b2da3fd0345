/*
 * sp_send.c -- frames from the server to a client.
 *
 * Workers send whole frames under the client's send mutex with
 * rsp_sendv(), which waits while the socket is full: a slow reader
 * slows only the workers serving it.  The event thread must never wait
 * for one client, so it sends with MSG_DONTWAIT and gives up if the
 * send mutex is taken or the frame does not fit at once.  That way it
 * sends only the banner (into an empty socket) and ERROR frames on a
 * connection it is closing anyway, where a lost frame costs nothing
 * more; the handshake reply is the first frame on a fresh connection
 * and cannot wait either (see sp_handle.c).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "sp_int.h"

/* rsp_sendv() takes this many iovecs at a time */
#define SP_IOVMAX	16

static void *
sp_unconst(const void *p)
{

	return (void *)(uintptr_t)p;
}

/* A whole frame from a worker; waits while the socket is full. */
int
sp_send(struct sp_client *spc, const struct iovec *iov, int iovcnt)
{
	int error = 0, n;

	pthread_mutex_lock(&spc->spc_sendmtx);
	while (iovcnt > 0 && error == 0) {
		n = iovcnt > SP_IOVMAX ? SP_IOVMAX : iovcnt;
		error = rsp_sendv(spc->spc_fd, iov, n);
		iov += n;
		iovcnt -= n;
	}
	pthread_mutex_unlock(&spc->spc_sendmtx);
	return error;
}

/* A whole frame on a bare socket, without waiting. */
int
sp_send_fd_nb(int fd, const struct iovec *iov, int iovcnt)
{
	struct msghdr msg;
	size_t total = 0;
	ssize_t n;
	int i;

	for (i = 0; i < iovcnt; i++)
		total += iov[i].iov_len;
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = sp_unconst(iov);
	msg.msg_iovlen = (size_t)iovcnt;
	do
		n = sendmsg(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return errno;
	return (size_t)n == total ? 0 : EAGAIN;
}

/*
 * A whole frame from the event thread, or EAGAIN without waiting.  A
 * frame sent in part leaves the stream broken: the caller closes.
 */
static int
sp_send_nb(struct sp_client *spc, const struct iovec *iov, int iovcnt)
{
	int error;

	if (pthread_mutex_trylock(&spc->spc_sendmtx) != 0)
		return EAGAIN;
	error = sp_send_fd_nb(spc->spc_fd, iov, iovcnt);
	pthread_mutex_unlock(&spc->spc_sendmtx);
	return error;
}

/* A RESP frame with an optional body, from a worker. */
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

	sp_error_frame(&hdr, iov, reqno, type, err, why);
	return sp_send(spc, iov, 2);
}

int
sp_send_error_nb(struct sp_client *spc, uint64_t reqno, int type, int err,
    const char *why)
{
	struct rsp_hdr hdr;
	struct iovec iov[2];

	sp_error_frame(&hdr, iov, reqno, type, err, why);
	return sp_send_nb(spc, iov, 2);
}

/* An ERROR frame on a socket that never became a client (table full). */
int
sp_send_error_fd(int fd, int err, const char *why)
{
	struct rsp_hdr hdr;
	struct iovec iov[2];

	sp_error_frame(&hdr, iov, 0, RUMPSP_HANDSHAKE, err, why);
	return sp_send_fd_nb(fd, iov, 2);
}
