/*
 * in_loopback.c -- AF_INET and AF_INET6: the kernel's own loopback
 * network, fully separate from the host's.
 *
 * The local addresses are 127.0.0.0/8 and ::1 (and the wildcards
 * 0.0.0.0 and ::); binding anything else is EADDRNOTAVAIL, and there
 * is no route to anything else (connect and sendto: ENETUNREACH).
 * Ports are the only real name space: one per protocol (TCP, UDP),
 * shared by both families.  An address is kept internally as an IPv6
 * address (IPv4 as ::ffff:a.b.c.d) and a port, so that one comparison
 * serves both families; an AF_INET6 socket without IPV6_V6ONLY bound
 * to :: also takes IPv4 connections and datagrams, and sees their
 * addresses as v4-mapped, as on Linux.
 *
 * Binding checks every bound socket of the same protocol and port whose
 * address overlaps (equal, or either a wildcard): EADDRINUSE unless
 * both set SO_REUSEPORT, or both set SO_REUSEADDR and neither listens
 * (TCP) or always for UDP with SO_REUSEADDR on both.  Port 0 picks a
 * free ephemeral port (32768-60999, Linux's range); ports below 1024
 * need root (EACCES).  There is no TIME_WAIT: a closed socket's port
 * is free at once.  Accepted sockets share their listener's port and
 * are not in the table, so a listener can be rebound while its
 * connections live on.
 *
 * A connection or datagram goes to the listening (TCP) or bound (UDP)
 * socket whose address is the destination, preferring an exact address
 * to a wildcard; none is ECONNREFUSED for TCP and a lost datagram for
 * UDP.  Connecting to a wildcard address reaches the loopback address
 * (127.0.0.1 or ::1), as on Linux.
 *
 * Locking: the kernel lock; nothing here sleeps or copies, so a socket
 * found in the table is valid until the caller next gives the lock up.
 */
#include <arpa/inet.h>

#include "socketvar.h"

#define EPHEMERAL_LO	32768
#define EPHEMERAL_HI	60999
#define IPPORT_RESERVED	1024

struct inaddr {
	uint8_t		ia_addr[16];
	uint16_t	ia_port;	/* host order */
};

static LIST_HEAD(, socket) in_bound = LIST_HEAD_INITIALIZER(in_bound);
static unsigned in_nextport = EPHEMERAL_LO;

static const uint8_t in_mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

static bool
ia_ismapped(const struct inaddr *ia)
{

	return memcmp(ia->ia_addr, in_mapped, 12) == 0;
}

static bool
ia_isany(const struct inaddr *ia)
{
	static const uint8_t zero[16];

	if (ia_ismapped(ia))
		return memcmp(ia->ia_addr + 12, zero, 4) == 0;
	return memcmp(ia->ia_addr, zero, 16) == 0;
}

static bool
ia_islocal(const struct inaddr *ia)
{
	static const uint8_t loop6[16] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1
	};

	if (ia_isany(ia))
		return true;
	if (ia_ismapped(ia))
		return ia->ia_addr[12] == 127;
	return memcmp(ia->ia_addr, loop6, 16) == 0;
}

static void
ia_setloop(struct inaddr *ia, bool v4)
{

	memset(ia->ia_addr, 0, 16);
	if (v4) {
		memcpy(ia->ia_addr, in_mapped, 12);
		ia->ia_addr[12] = 127;
		ia->ia_addr[15] = 1;
	} else
		ia->ia_addr[15] = 1;
}

/* a user's sockaddr for a socket of family fam, made internal */
static int
ia_from(const struct sockaddr *sa, socklen_t len, int fam, bool bind,
    struct inaddr *ia)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;

	memset(ia, 0, sizeof(*ia));
	if (fam == AF_INET) {
		if (len < sizeof(*sin))
			return EINVAL;
		if (sa->sa_family != AF_INET && !(bind &&
		    sa->sa_family == AF_UNSPEC &&
		    sin->sin_addr.s_addr == htonl(INADDR_ANY)))
			return EAFNOSUPPORT;
		memcpy(ia->ia_addr, in_mapped, 12);
		memcpy(ia->ia_addr + 12, &sin->sin_addr, 4);
		ia->ia_port = ntohs(sin->sin_port);
		return 0;
	}
	if (len < 24)		/* SIN6_LEN_RFC2133 */
		return EINVAL;
	if (sa->sa_family != AF_INET6)
		return EAFNOSUPPORT;
	memcpy(ia->ia_addr, &sin6->sin6_addr, 16);
	ia->ia_port = ntohs(sin6->sin6_port);
	return 0;
}

/* ia as a sockaddr of family fam (an IPv4 one must fit: mapped) */
static void
ia_to(const struct inaddr *ia, int fam, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (fam == AF_INET) {
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, ia->ia_addr + 12, 4);
		sin->sin_port = htons(ia->ia_port);
		*len = sizeof(*sin);
	} else {
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, ia->ia_addr, 16);
		sin6->sin6_port = htons(ia->ia_port);
		*len = sizeof(*sin6);
	}
}

static void
ia_ofsock(const struct socket *so, bool local, struct inaddr *ia)
{
	const struct sockaddr_storage *ss = local ? &so->so_laddr :
	    &so->so_faddr;

	(void)ia_from((const struct sockaddr *)ss, sizeof(*ss),
	    so->so_family, false, ia);
}

/* may an address bound by so take traffic for address ia? */
static bool
ia_matches(const struct socket *so, const struct inaddr *ia)
{
	struct inaddr b;

	ia_ofsock(so, true, &b);
	if (so->so_family == AF_INET6 && (so->so_options & SOO_V6ONLY) &&
	    ia_ismapped(ia))
		return false;
	if (so->so_family == AF_INET && !ia_ismapped(ia))
		return false;
	if (ia_isany(&b)) {
		/* an AF_INET6 wildcard is "::", which takes v4 too */
		return true;
	}
	return memcmp(b.ia_addr, ia->ia_addr, 16) == 0;
}

/* do two bindings of the same port overlap? */
static bool
ia_overlap(const struct socket *a, const struct socket *b)
{
	struct inaddr x, y;

	ia_ofsock(a, true, &x);
	ia_ofsock(b, true, &y);
	if (ia_isany(&x) || ia_isany(&y)) {
		/* a v6-only wildcard and a v4 address do not meet */
		if (a->so_family != b->so_family) {
			const struct socket *s6 = a->so_family == AF_INET6 ?
			    a : b;
			struct inaddr z;

			ia_ofsock(s6, true, &z);
			if ((s6->so_options & SOO_V6ONLY) != 0 ||
			    (!ia_isany(&z) && !ia_ismapped(&z)))
				return false;
		}
		return true;
	}
	return memcmp(x.ia_addr, y.ia_addr, 16) == 0;
}

static bool
in_conflict(const struct socket *so, const struct socket *o)
{

	if ((so->so_options & o->so_options & SOO_REUSEPORT) != 0)
		return false;
	if ((so->so_options & o->so_options & SOO_REUSEADDR) != 0 &&
	    (so->so_type == SOCK_DGRAM ||
	    (o->so_state & SS_LISTENING) == 0))
		return false;
	return ia_overlap(so, o);
}

/* is port free for so, at the address so_laddr holds? */
static bool
in_portfree(struct socket *so, uint16_t port)
{
	struct socket *o;
	struct inaddr b;

	LIST_FOREACH(o, &in_bound, so_bound) {
		if (o == so || o->so_protocol != so->so_protocol)
			continue;
		ia_ofsock(o, true, &b);
		if (b.ia_port != port)
			continue;
		if (in_conflict(so, o))
			return false;
	}
	return true;
}

static void
in_setlocal(struct socket *so, const struct inaddr *ia)
{

	ia_to(ia, so->so_family, &so->so_laddr, &so->so_laddrlen);
}

/* bind so to ia (port 0: an ephemeral one) */
static int
in_dobind(struct socket *so, struct inaddr *ia, struct proc *p)
{
	unsigned i, n = EPHEMERAL_HI - EPHEMERAL_LO + 1;

	if (ia->ia_port != 0 && ia->ia_port < IPPORT_RESERVED && p != NULL &&
	    !cred_isroot(&p->p_cred))
		return EACCES;
	in_setlocal(so, ia);
	if (ia->ia_port != 0) {
		if (!in_portfree(so, ia->ia_port)) {
			so->so_laddrlen = 0;
			return EADDRINUSE;
		}
	} else {
		for (i = 0; i < n; i++) {
			ia->ia_port = (uint16_t)in_nextport;
			if (++in_nextport > EPHEMERAL_HI)
				in_nextport = EPHEMERAL_LO;
			in_setlocal(so, ia);
			if (in_portfree(so, ia->ia_port))
				break;
		}
		if (i == n) {
			so->so_laddrlen = 0;
			return EADDRINUSE;
		}
	}
	so->so_state |= SS_ISBOUND;
	LIST_INSERT_HEAD(&in_bound, so, so_bound);
	return 0;
}

static int
in_bind(struct socket *so, const struct sockaddr *sa, socklen_t len,
    struct proc *p)
{
	struct inaddr ia;
	int error;

	if ((error = ia_from(sa, len, so->so_family, true, &ia)) != 0)
		return error;
	if (!ia_islocal(&ia))
		return EADDRNOTAVAIL;
	if (so->so_family == AF_INET6 && ia_ismapped(&ia) &&
	    (so->so_options & SOO_V6ONLY) != 0)
		return EINVAL;
	return in_dobind(so, &ia, p);
}

/* the wildcard of so's family, on an ephemeral port */
static int
in_autobind(struct socket *so)
{
	struct inaddr ia;

	if ((so->so_state & SS_ISBOUND) != 0)
		return 0;
	memset(&ia, 0, sizeof(ia));
	if (so->so_family == AF_INET)
		memcpy(ia.ia_addr, in_mapped, 12);
	return in_dobind(so, &ia, NULL);
}

/* the socket for traffic of so to ia: exact address before wildcard */
static struct socket *
in_find(struct socket *so, const struct inaddr *ia)
{
	struct socket *o, *wild = NULL;
	struct inaddr b;

	LIST_FOREACH(o, &in_bound, so_bound) {
		if (o->so_protocol != so->so_protocol)
			continue;
		if (so->so_type == SOCK_STREAM &&
		    (o->so_state & SS_LISTENING) == 0)
			continue;
		ia_ofsock(o, true, &b);
		if (b.ia_port != ia->ia_port || !ia_matches(o, ia))
			continue;
		if (!ia_isany(&b))
			return o;
		if (wild == NULL)
			wild = o;
	}
	return wild;
}

/* the destination as it will be reached: a wildcard is loopback */
static int
in_dest(struct socket *so, const struct sockaddr *sa, socklen_t len,
    struct inaddr *ia)
{
	int error;

	if ((error = ia_from(sa, len, so->so_family, false, ia)) != 0)
		return error;
	if (so->so_family == AF_INET6 && ia_ismapped(ia) &&
	    (so->so_options & SOO_V6ONLY) != 0)
		return ENETUNREACH;
	if (!ia_islocal(ia))
		return ENETUNREACH;
	if (ia_isany(ia))
		ia_setloop(ia, ia_ismapped(ia));
	return 0;
}

static int
in_lookup(struct socket *so, const struct sockaddr *sa, socklen_t len,
    struct proc *p, struct socket **sop, bool *gone)
{
	struct inaddr ia, local;
	int error;

	*gone = false;
	if ((error = in_dest(so, sa, len, &ia)) != 0)
		return error;
	if ((so->so_state & SS_ISBOUND) == 0) {
		if ((error = in_autobind(so)) != 0)
			return error;
	}
	/* a connection's local address is a real one */
	ia_ofsock(so, true, &local);
	if (so->so_type == SOCK_STREAM && ia_isany(&local)) {
		ia_setloop(&local, ia_ismapped(&ia));
		in_setlocal(so, &local);
	}
	if (ia.ia_port == 0) {
		if (so->so_type == SOCK_STREAM)
			return ECONNREFUSED;
		*gone = true;
		return 0;
	}
	*sop = in_find(so, &ia);
	if (*sop != NULL)
		return 0;
	if (so->so_type == SOCK_STREAM)
		return ECONNREFUSED;
	*gone = true;
	return 0;
}

/* the address so's traffic comes from, as a receiver of family fam sees it */
static void
in_source(struct socket *so, int fam, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct inaddr ia;

	ia_ofsock(so, true, &ia);
	if (ia_isany(&ia))
		ia_setloop(&ia, ia_ismapped(&ia));
	ia_to(&ia, fam, ss, len);
}

static void
in_connaddr(struct socket *so, struct socket *lso, struct socket *nso,
    const struct sockaddr *sa, socklen_t len)
{
	struct inaddr ia, local;

	if (in_dest(so, sa, len, &ia) != 0)
		return;
	ia_to(&ia, so->so_family, &so->so_faddr, &so->so_faddrlen);
	if (so->so_type == SOCK_DGRAM) {
		/* a connected UDP socket has a real local address */
		ia_ofsock(so, true, &local);
		if (ia_isany(&local)) {
			ia_setloop(&local, ia_ismapped(&ia));
			in_setlocal(so, &local);
		}
		return;
	}
	if (nso == NULL)
		return;
	ia_to(&ia, nso->so_family, &nso->so_laddr, &nso->so_laddrlen);
	in_source(so, nso->so_family, &nso->so_faddr, &nso->so_faddrlen);
}

static void
in_srcaddr(struct socket *so, struct socket *target,
    struct sockaddr_storage *ss, socklen_t *len)
{

	in_source(so, target->so_family, ss, len);
}

static void
in_detach(struct socket *so)
{

	if ((so->so_state & SS_ISBOUND) != 0)
		LIST_REMOVE(so, so_bound);
	so->so_state &= ~SS_ISBOUND;
}

const struct sodomain inetdomain = {
	.dom_family = AF_INET,
	.dom_bind = in_bind,
	.dom_autobind = in_autobind,
	.dom_lookup = in_lookup,
	.dom_connaddr = in_connaddr,
	.dom_srcaddr = in_srcaddr,
	.dom_detach = in_detach,
};

const struct sodomain inet6domain = {
	.dom_family = AF_INET6,
	.dom_bind = in_bind,
	.dom_autobind = in_autobind,
	.dom_lookup = in_lookup,
	.dom_connaddr = in_connaddr,
	.dom_srcaddr = in_srcaddr,
	.dom_detach = in_detach,
};
