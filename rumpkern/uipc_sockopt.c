/*
 * uipc_sockopt.c -- setsockopt and getsockopt: the socket options
 * programs set, with Linux's values and rules.
 *
 * Most are flags that are kept and reported and change nothing in a
 * kernel without a network (SO_KEEPALIVE, SO_LINGER, TCP_NODELAY...).
 * SO_RCVBUF bounds what a stream peer may queue to the socket; it and
 * SO_SNDBUF are doubled and clamped as Linux does (net.core.rmem_max,
 * SOCK_MIN_RCVBUF).  SO_RCVTIMEO and SO_SNDTIMEO bound the sleeps of
 * uipc_socket.c.  SO_ERROR is read and cleared.  IPV6_V6ONLY may only
 * change before bind.  An option the kernel does not know is
 * ENOPROTOOPT; a TCP or IPv6 level on an AF_UNIX socket EOPNOTSUPP.
 * The values are in kernel buffers: uipc_syscalls.c copies them.
 */
#include <netinet/tcp.h>

#include "socketvar.h"

#define SO_MINRCVBUF	2304		/* SOCK_MIN_RCVBUF */
#define SO_MINSNDBUF	4608		/* SOCK_MIN_SNDBUF */
#define NSEC		1000000000LL

/* the options that are one flag each */
static const struct {
	int	name;
	int	bit;
} soflags[] = {
	{ SO_REUSEADDR,	SOO_REUSEADDR },
	{ SO_REUSEPORT,	SOO_REUSEPORT },
	{ SO_KEEPALIVE,	SOO_KEEPALIVE },
	{ SO_BROADCAST,	SOO_BROADCAST },
	{ SO_OOBINLINE,	SOO_OOBINLINE },
	{ SO_PASSCRED,	SOO_PASSCRED },
};

static int
soflag_of(int name)
{
	size_t i;

	for (i = 0; i < sizeof(soflags) / sizeof(soflags[0]); i++) {
		if (soflags[i].name == name)
			return soflags[i].bit;
	}
	return 0;
}

/* options: an int, or a larger structure, from the user's bytes */
static int
optint(const void *val, socklen_t len, int *v)
{

	if (len < (socklen_t)sizeof(int))
		return EINVAL;
	memcpy(v, val, sizeof(int));
	return 0;
}

static int
opttimeo(const void *val, socklen_t len, int64_t *ns)
{
	struct timeval tv;

	if (len < (socklen_t)sizeof(tv))
		return EINVAL;
	memcpy(&tv, val, sizeof(tv));
	if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
		return EDOM;
	if (tv.tv_sec < 0)
		*ns = 0;
	else if (tv.tv_sec > INT64_MAX / NSEC / 2)
		*ns = 0;
	else
		*ns = tv.tv_sec * NSEC + (int64_t)tv.tv_usec * 1000;
	return 0;
}

static void
optflag(struct socket *so, int bit, int on)
{

	if (on)
		so->so_options |= bit;
	else
		so->so_options &= ~bit;
}

static int
sosetopt_socket(struct socket *so, int name, const void *val,
    socklen_t len)
{
	int v = 0, bit, error;

	switch (name) {
	case SO_LINGER:
		if (len < (socklen_t)sizeof(struct linger))
			return EINVAL;
		memcpy(&so->so_linger, val, sizeof(so->so_linger));
		return 0;
	case SO_RCVTIMEO:
		return opttimeo(val, len, &so->so_rcvtimeo);
	case SO_SNDTIMEO:
		return opttimeo(val, len, &so->so_sndtimeo);
	}
	if ((error = optint(val, len, &v)) != 0)
		return error;
	if ((bit = soflag_of(name)) != 0) {
		optflag(so, bit, v);
		return 0;
	}
	switch (name) {
	case SO_RCVBUF:
	case SO_RCVBUFFORCE:
		if ((unsigned)v > SO_MAXBUF)
			v = SO_MAXBUF;
		so->so_rcv.sb_hiwat = (size_t)v * 2 < SO_MINRCVBUF ?
		    SO_MINRCVBUF : (size_t)v * 2;
		/* a reader may now have room to give */
		if (so->so_peer != NULL)
			sowakeup(so->so_peer);
		break;
	case SO_SNDBUF:
	case SO_SNDBUFFORCE:
		if ((unsigned)v > SO_MAXBUF)
			v = SO_MAXBUF;
		so->so_sndbuf = (size_t)v * 2 < SO_MINSNDBUF ?
		    SO_MINSNDBUF : (size_t)v * 2;
		break;
	default:
		return ENOPROTOOPT;	/* also the read-only ones */
	}
	return 0;
}

/* does so have options at this level?  0, or the error */
static int
optlevel(const struct socket *so, int level)
{

	switch (level) {
	case SOL_SOCKET:
		return 0;
	case IPPROTO_TCP:
		if (so->so_family == AF_UNIX)
			return EOPNOTSUPP;
		return so->so_type == SOCK_STREAM ? 0 : ENOPROTOOPT;
	case IPPROTO_IPV6:
		if (so->so_family == AF_INET6)
			return 0;
		break;
	}
	return so->so_family == AF_UNIX ? EOPNOTSUPP : ENOPROTOOPT;
}

int
sosetopt(struct socket *so, int level, int name, const void *val,
    socklen_t len)
{
	int v, error;

	if ((error = optlevel(so, level)) != 0)
		return error;
	if (level == SOL_SOCKET)
		return sosetopt_socket(so, name, val, len);
	if ((error = optint(val, len, &v)) != 0)
		return error;
	if (level == IPPROTO_TCP) {
		switch (name) {
		case TCP_NODELAY:
			optflag(so, SOO_NODELAY, v);
			return 0;
		case TCP_KEEPIDLE:
		case TCP_KEEPINTVL:
		case TCP_KEEPCNT:
			return v < 1 ? EINVAL : 0;
		}
		return ENOPROTOOPT;
	}
	if (name != IPV6_V6ONLY)
		return ENOPROTOOPT;
	if (so->so_laddrlen != 0)
		return EINVAL;
	optflag(so, SOO_V6ONLY, v);
	return 0;
}

/* give back an option's value: at most *len bytes, *len set */
static int
optout(void *val, socklen_t *len, const void *v, size_t vlen)
{

	if ((int)*len < 0)
		return EINVAL;
	if ((size_t)*len > vlen)
		*len = (socklen_t)vlen;
	memcpy(val, v, (size_t)*len);
	return 0;
}

static int
sogetopt_socket(struct socket *so, int name, void *val, socklen_t *len)
{
	struct timeval tv;
	struct ucred uc;
	int64_t ns;
	int v, bit;

	switch (name) {
	case SO_LINGER:
		return optout(val, len, &so->so_linger, sizeof(so->so_linger));
	case SO_RCVTIMEO:
	case SO_SNDTIMEO:
		ns = name == SO_RCVTIMEO ? so->so_rcvtimeo : so->so_sndtimeo;
		tv.tv_sec = ns / NSEC;
		tv.tv_usec = (ns % NSEC) / 1000;
		return optout(val, len, &tv, sizeof(tv));
	case SO_PEERCRED:
		uc.pid = so->so_peerpid;
		uc.uid = so->so_peeruid;
		uc.gid = so->so_peergid;
		return optout(val, len, &uc, sizeof(uc));
	case SO_RCVBUF:
		v = (int)so->so_rcv.sb_hiwat;
		break;
	case SO_SNDBUF:
		v = (int)so->so_sndbuf;
		break;
	case SO_TYPE:
		v = so->so_type;
		break;
	case SO_DOMAIN:
		v = so->so_family;
		break;
	case SO_PROTOCOL:
		v = so->so_protocol;
		break;
	case SO_ACCEPTCONN:
		v = (so->so_state & SS_LISTENING) != 0;
		break;
	case SO_ERROR:
		v = so->so_error;
		so->so_error = 0;
		break;
	default:
		if ((bit = soflag_of(name)) == 0)
			return ENOPROTOOPT;
		v = (so->so_options & bit) != 0;
		break;
	}
	return optout(val, len, &v, sizeof(v));
}

int
sogetopt(struct socket *so, int level, int name, void *val,
    socklen_t *len)
{
	int v, error;

	if ((error = optlevel(so, level)) != 0)
		return error;
	if (level == SOL_SOCKET)
		return sogetopt_socket(so, name, val, len);
	if (level == IPPROTO_TCP && name == TCP_NODELAY)
		v = (so->so_options & SOO_NODELAY) != 0;
	else if (level == IPPROTO_IPV6 && name == IPV6_V6ONLY)
		v = (so->so_options & SOO_V6ONLY) != 0;
	else
		return ENOPROTOOPT;
	return optout(val, len, &v, sizeof(v));
}
