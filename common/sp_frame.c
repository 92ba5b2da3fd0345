/*
 * sp_frame.c -- frame headers, error codes, banner and sending, shared
 * by the sysproxy server and client.  Nothing here trusts the peer:
 * rsp_hdr_check() is the one place where a header from the wire is
 * judged, before anything is allocated for its body.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sp_proto.h"

/*
 * Returns 0 if the header may be followed by its body, or an
 * RUMPSP_ERR_* code and a reason for the ERROR reply.
 */
int
rsp_hdr_check(const struct rsp_hdr *h, const char **why)
{

	if (h->rsp_len < RSP_HDRSZ) {
		*why = "frame length below header size";
		return RUMPSP_ERR_MALFORMED_REQUEST;
	}
	if (h->rsp_len > RUMPSP_MAXFRAME) {
		*why = "frame length above limit";
		return RUMPSP_ERR_TOOBIG;
	}
	if (h->rsp_class > RUMPSP_ERROR) {
		*why = "unknown frame class";
		return RUMPSP_ERR_MALFORMED_REQUEST;
	}
	if (h->rsp_type >= RUMPSP_NTYPES) {
		*why = "unknown request type";
		return RUMPSP_ERR_MALFORMED_REQUEST;
	}
	return RUMPSP_ERR_NONE;
}

void
rsp_hdr_fill(struct rsp_hdr *h, size_t len, uint64_t reqno, int class,
    int type, uint32_t arg)
{

	memset(h, 0, sizeof(*h));
	h->rsp_len = len;
	h->rsp_reqno = reqno;
	h->rsp_class = (uint16_t)class;
	h->rsp_type = (uint16_t)type;
	h->rsp_arg = arg;
}

static const struct {
	int		 err_errno;
	const char	*err_str;
} rsp_errtab[RUMPSP_NERR] = {
	[RUMPSP_ERR_NONE] = { 0, "no error" },
	[RUMPSP_ERR_TRYAGAIN] = { EAGAIN, "server busy, try again" },
	[RUMPSP_ERR_AUTH] = { EPERM, "handshake required" },
	[RUMPSP_ERR_INVALID_PREFORK] = { ESRCH, "invalid prefork cookie" },
	[RUMPSP_ERR_RFORK_FAILED] = { EIO, "rfork failed" },
	[RUMPSP_ERR_INEXEC] = { EBUSY, "process is in exec" },
	[RUMPSP_ERR_NOMEM] = { ENOMEM, "out of memory" },
	[RUMPSP_ERR_MALFORMED_REQUEST] = { EINVAL, "malformed request" },
	[RUMPSP_ERR_TOOBIG] = { EMSGSIZE, "frame too big" },
	[RUMPSP_ERR_BUSY] = { EBUSY, "client table full" },
	[RUMPSP_ERR_TIMEOUT] = { ETIMEDOUT, "too slow to answer" },
};

/* The errno a client reports for an ERROR frame's code. */
int
rsp_err_errno(uint32_t err)
{

	if (err >= RUMPSP_NERR)
		return EPROTO;
	return rsp_errtab[err].err_errno;
}

const char *
rsp_err_str(uint32_t err)
{

	if (err >= RUMPSP_NERR)
		return "unknown error";
	return rsp_errtab[err].err_str;
}

/*
 * Send a whole iovec on a socket, whatever the socket's blocking mode:
 * short writes are resumed and EAGAIN waits for the socket to drain.
 * The wait is in one-second slices: a poll on a descriptor that
 * another thread closes (a client's closefrom(3)) never wakes, the
 * next sendmsg fails.  The caller serializes senders.  Returns 0 or an
 * errno.
 */
int
rsp_sendv(int fd, const struct iovec *iov0, int iovcnt)
{
	struct iovec iov[16];
	struct msghdr msg;
	struct pollfd pfd;
	ssize_t n;
	int i;

	if (iovcnt > (int)(sizeof(iov) / sizeof(iov[0])))
		return EINVAL;
	memcpy(iov, iov0, sizeof(iov[0]) * (size_t)iovcnt);
	i = 0;
	while (i < iovcnt) {
		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = &iov[i];
		msg.msg_iovlen = (size_t)(iovcnt - i);
		n = sendmsg(fd, &msg, MSG_NOSIGNAL);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				return errno;
			pfd.fd = fd;
			pfd.events = POLLOUT;
			pfd.revents = 0;
			if (poll(&pfd, 1, 1000) == -1 && errno != EINTR)
				return errno;
			continue;
		}
		while (i < iovcnt && (size_t)n >= iov[i].iov_len) {
			n -= (ssize_t)iov[i].iov_len;
			i++;
		}
		if (i < iovcnt) {
			iov[i].iov_base = (char *)iov[i].iov_base + n;
			iov[i].iov_len -= (size_t)n;
		}
	}
	return 0;
}

int
rsp_banner_make(char *buf, size_t len, const char *ostype,
    const char *osrelease, const char *machine)
{
	int n;

	n = snprintf(buf, len, "RUMPSP-%d.%d-%s-%s/%s\n", RUMPSP_PROTOMAJOR,
	    RUMPSP_PROTOMINOR, ostype, osrelease, machine);
	if (n < 0 || (size_t)n >= len)
		return ENAMETOOLONG;
	return 0;
}

/*
 * A version number of the banner: decimal digits, at most INT_MAX.
 * strtol(3) alone would also take leading blanks and a sign, so that
 * "RUMPSP-0.-0" or "RUMPSP- +0.5" passed for a banner.
 */
static const char *
rsp_banner_num(const char *s, int *v)
{
	char *end;
	long n;

	if (*s < '0' || *s > '9')
		return NULL;
	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || n > INT_MAX)
		return NULL;
	*v = (int)n;
	return end;
}

/*
 * Parse "RUMPSP-<major>.<minor>-..." (the newline already stripped or
 * not).  Returns 0 or EPROTO if it is not a banner.
 */
int
rsp_banner_parse(const char *b, int *major, int *minor)
{
	int v, w;

	if (strncmp(b, "RUMPSP-", 7) != 0)
		return EPROTO;
	if ((b = rsp_banner_num(b + 7, &v)) == NULL || *b != '.')
		return EPROTO;
	if ((b = rsp_banner_num(b + 1, &w)) == NULL ||
	    (*b != '-' && *b != '\n' && *b != '\0'))
		return EPROTO;
	*major = v;
	*minor = w;
	return 0;
}
