/*
 * uipc_socket.c -- the generic socket layer: creating and freeing
 * sockets, connecting, listening and accepting, moving data between
 * sockets, shutdown, readiness, and sockets as open files (the
 * options are in uipc_sockopt.c).
 *
 * Every socket lives in this kernel, so a send appends a record to the
 * receiving socket's queue (so_rcv) and a receive takes it off: a
 * stream is a sequence of records read across their boundaries, a
 * datagram or a seqpacket message is one record read whole.  A connect
 * to a listener makes the socket that accept will return at once and
 * queues it on the listener, so a connection is established (or
 * refused) inside the connect call; the backlog bounds that queue as
 * Linux's does (full above backlog entries).  A stream's capacity is
 * the receiver's SO_RCVBUF.
 *
 * Copies to and from the user may give up the kernel lock, so data is
 * copied in before a record is queued (and the destination looked at
 * again after), and taken off the queue, into a private buffer, before
 * it is copied out.  Sleeps are interruptible (EINTR when the process
 * exits) and honour SO_RCVTIMEO/SO_SNDTIMEO (EAGAIN, as Linux).
 *
 * Differences from Linux's TCP that programs may notice: there is no
 * TIME_WAIT (a port is free again when its socket closes), a write to
 * a peer that has closed fails at once with EPIPE (Linux's first
 * write after the peer's close may still succeed), and no urgent data.
 */
#include "socketvar.h"
#include "sysent.h"

#define SO_CHUNK	65536		/* the most one record or copy holds */
#define UNIX_DGRAMQLEN	10		/* net.unix.max_dgram_qlen */
#define UDP_MAXDGRAM	65507
#define UDP6_MAXDGRAM	65527

struct socketlist allsockets = LIST_HEAD_INITIALIZER(allsockets);
kcondvar_t so_spacecv;
static bool so_inited;

static int	soo_read(struct file *, struct uio *, int);
static int	soo_write(struct file *, struct uio *, int);
static int	soo_stat(struct file *, struct stat *);
static int	soo_close(struct file *);
static int	soo_poll(struct file *, int, struct selwait *);
static bool	sodgram_otherpeer(const struct socket *, const struct socket *,
		    const struct sockaddr_storage *, socklen_t);

static const struct fileops sockops = {
	.fo_read = soo_read,
	.fo_write = soo_write,
	.fo_stat = soo_stat,
	.fo_seek = NULL,
	.fo_close = soo_close,
	.fo_poll = soo_poll,
};

static bool
so_connoriented(const struct socket *so)
{

	return so->so_type != SOCK_DGRAM;
}

int
socreate(int family, int type, int proto, struct proc *p,
    struct socket **sop)
{
	const struct sodomain *dom;
	struct socket *so;

	switch (family) {
	case AF_UNIX:
		dom = &unixdomain;
		if (proto != 0 && proto != PF_UNIX)
			return EPROTONOSUPPORT;
		if (type == SOCK_RAW)
			type = SOCK_DGRAM;	/* as Linux */
		break;
	case AF_INET:
		dom = &inetdomain;
		break;
	case AF_INET6:
		dom = &inet6domain;
		break;
	default:
		return EAFNOSUPPORT;
	}
	switch (type) {
	case SOCK_STREAM:
	case SOCK_DGRAM:
	case SOCK_SEQPACKET:
		break;
	default:
		return type >= 1 && type <= 10 ? ESOCKTNOSUPPORT : EINVAL;
	}
	if (family != AF_UNIX) {
		if (type == SOCK_STREAM && (proto == 0 || proto == IPPROTO_TCP))
			proto = IPPROTO_TCP;
		else if (type == SOCK_DGRAM &&
		    (proto == 0 || proto == IPPROTO_UDP))
			proto = IPPROTO_UDP;
		else
			return EPROTONOSUPPORT;
	}
	if ((so = kmem_zalloc(sizeof(*so))) == NULL)
		return ENOMEM;
	if (!so_inited) {
		cv_init(&so_spacecv);
		so_inited = true;
	}
	so->so_dom = dom;
	so->so_family = family;
	so->so_type = type;
	so->so_protocol = proto;
	TAILQ_INIT(&so->so_rcv.sb_recs);
	TAILQ_INIT(&so->so_q);
	so->so_rcv.sb_hiwat = SO_DEFBUF;
	so->so_sndbuf = SO_DEFBUF;
	if (p != NULL) {
		so->so_cpid = p->p_pid;
		so->so_cuid = p->p_cred.cr_euid;
		so->so_cgid = p->p_cred.cr_egid;
	}
	so->so_peerpid = 0;
	so->so_peeruid = so->so_peergid = (uid_t)-1;
	cv_init(&so->so_cv);
	LIST_INSERT_HEAD(&allsockets, so, so_list);
	*sop = so;
	return 0;
}

void
sowakeup(struct socket *so)
{

	cv_broadcast(&so->so_cv);
	selnotify(&so->so_sel);
}

static struct sorec *
sorec_alloc(size_t len)
{
	struct sorec *rec;

	if ((rec = kmem_zalloc(sizeof(*rec) + len)) == NULL)
		return NULL;
	rec->sr_alloc = sizeof(*rec) + len;
	rec->sr_len = len;
	return rec;
}

void
sorights_free(struct file **rights, int n)
{
	int i;

	if (rights == NULL)
		return;
	for (i = 0; i < n; i++)
		fd_putfile(rights[i]);
	kmem_free(rights, sizeof(*rights) * (size_t)n);
}

void
sorec_free(struct sorec *rec)
{

	sorights_free(rec->sr_rights, rec->sr_nrights);
	kmem_free(rec, rec->sr_alloc);
}

static void
sbappend(struct socket *so, struct sorec *rec)
{

	TAILQ_INSERT_TAIL(&so->so_rcv.sb_recs, rec, sr_link);
	so->so_rcv.sb_cc += rec->sr_len;
	so->so_rcv.sb_nrecs++;
	sowakeup(so);
}

static void
sbremove(struct socket *so, struct sorec *rec)
{

	TAILQ_REMOVE(&so->so_rcv.sb_recs, rec, sr_link);
	so->so_rcv.sb_cc -= rec->sr_len - rec->sr_off;
	so->so_rcv.sb_nrecs--;
}

/* lose the peer: it closed, or the connection was aborted */
static void
sodisconnect(struct socket *so, int error)
{

	so->so_peer = NULL;
	so->so_state |= SS_WASCONNECTED;
	if (so_connoriented(so))
		so->so_state |= SS_CANTRCVMORE | SS_CANTSENDMORE;
	if (error != 0)
		so->so_error = error;
	sowakeup(so);
}

/*
 * The last reference is gone: abort the connections nobody accepted,
 * tell the peer (ECONNRESET when data was left unread, as Linux),
 * drop what was queued (and the descriptors in flight with it), and
 * unbind.
 */
void
sofree(struct socket *so)
{
	struct socket *q;
	struct sorec *rec;

	while ((q = TAILQ_FIRST(&so->so_q)) != NULL) {
		TAILQ_REMOVE(&so->so_q, q, so_qe);
		so->so_qlen--;
		sofree(q);	/* q->so_head still set: an abort */
	}
	if (so->so_peer != NULL) {
		sodisconnect(so->so_peer,
		    so_connoriented(so) && (so->so_rcv.sb_cc > 0 ||
		    so->so_head != NULL) ? ECONNRESET : 0);
		so->so_peer = NULL;
	}
	while ((rec = TAILQ_FIRST(&so->so_rcv.sb_recs)) != NULL) {
		sbremove(so, rec);
		sorec_free(rec);
	}
	so->so_dom->dom_detach(so);
	LIST_REMOVE(so, so_list);
	cv_destroy(&so->so_cv);
	kmem_free(so, sizeof(*so));
	cv_broadcast(&so_spacecv);
}

int
sofile(struct socket *so, int flags, struct file **fpp)
{
	struct file *fp;

	if ((fp = falloc_file()) == NULL)
		return ENFILE;
	fp->f_flag = FREAD | FWRITE | (flags & O_NONBLOCK);
	fp->f_ops = &sockops;
	fp->f_data = so;
	fp->f_type = DTYPE_SOCKET;
	*fpp = fp;
	return 0;
}

struct socket *
sofromfile(struct file *fp)
{

	return fp->f_type == DTYPE_SOCKET ? fp->f_data : NULL;
}

/*
 * Sleep on so until woken or the deadline (ns, -1: none) passes:
 * EAGAIN then, as a socket timeout gives on Linux.
 */
static int
sosleep(kcondvar_t *cv, int64_t deadline)
{
	int64_t left, ms = 0;
	int error;

	if (deadline >= 0) {
		left = deadline - sel_now();
		if (left <= 0)
			return EAGAIN;
		ms = (left + 999999) / 1000000;
		if (ms > INT_MAX)
			ms = INT_MAX;
	}
	error = cv_wait_sig(cv, (int)ms);
	if (error == EINTR)
		return EINTR;
	return 0;
}

static int64_t
so_deadline(int64_t timeo)
{

	return timeo > 0 ? sel_deadline(timeo) : -1;
}

int
sobind(struct socket *so, const struct sockaddr *sa, socklen_t len,
    struct proc *p)
{

	/* AF_UNIX looks at the name first: EADDRINUSE before EINVAL */
	if (so->so_family != AF_UNIX && so->so_laddrlen != 0)
		return EINVAL;
	return so->so_dom->dom_bind(so, sa, len, p);
}

int
solisten(struct socket *so, int backlog)
{
	int error;

	if (so->so_type == SOCK_DGRAM)
		return EOPNOTSUPP;
	if ((so->so_state & (SS_ISCONNECTED | SS_WASCONNECTED)) != 0)
		return EINVAL;
	if ((so->so_state & SS_ISBOUND) == 0) {
		if (so->so_family == AF_UNIX)
			return EINVAL;
		if ((error = so->so_dom->dom_autobind(so)) != 0)
			return error;
	}
	if ((unsigned)backlog > SO_MAXCONN)
		backlog = SO_MAXCONN;
	so->so_qlimit = backlog;
	so->so_state |= SS_LISTENING;
	return 0;
}

/* the two ends of a connection, and who they are */
static void
sopair(struct socket *a, struct socket *b)
{

	a->so_peer = b;
	b->so_peer = a;
	a->so_state |= SS_ISCONNECTED;
	b->so_state |= SS_ISCONNECTED;
	a->so_peerpid = b->so_cpid;
	a->so_peeruid = b->so_cuid;
	a->so_peergid = b->so_cgid;
	b->so_peerpid = a->so_cpid;
	b->so_peeruid = a->so_cuid;
	b->so_peergid = a->so_cgid;
}

int
soconnect2(struct socket *a, struct socket *b)
{

	sopair(a, b);
	return 0;
}

static int
soconnect_dgram(struct socket *so, const struct sockaddr *sa,
    socklen_t len, struct proc *p)
{
	struct socket *target;
	bool gone = false;
	int error;

	if (len >= sizeof(sa_family_t) && sa->sa_family == AF_UNSPEC) {
		so->so_faddrlen = 0;
		so->so_state &= ~SS_ISCONNECTED;
		return 0;
	}
	error = so->so_dom->dom_lookup(so, sa, len, p, &target, &gone);
	if (error != 0)
		return error;
	if (!gone && target->so_type != so->so_type)
		return EPROTOTYPE;
	if (!gone && so->so_family == AF_UNIX &&
	    sodgram_otherpeer(target, so, &so->so_laddr, so->so_laddrlen))
		return EPERM;
	so->so_dom->dom_connaddr(so, gone ? NULL : target, NULL, sa, len);
	so->so_state |= SS_ISCONNECTED;
	return 0;
}

/* a connection from so to the listener lso: nso is its other end */
static int
soconnect_to(struct socket *so, struct socket *lso,
    const struct sockaddr *sa, socklen_t len, struct proc *p)
{
	struct socket *nso;
	int error;

	error = socreate(lso->so_family, lso->so_type, lso->so_protocol,
	    NULL, &nso);
	if (error != 0)
		return error;
	nso->so_cpid = lso->so_cpid;
	nso->so_cuid = lso->so_cuid;
	nso->so_cgid = lso->so_cgid;
	nso->so_options = lso->so_options;
	nso->so_rcv.sb_hiwat = lso->so_rcv.sb_hiwat;
	nso->so_sndbuf = lso->so_sndbuf;
	nso->so_linger = lso->so_linger;
	sopair(so, nso);
	so->so_peerpid = lso->so_cpid;
	so->so_peeruid = lso->so_cuid;
	so->so_peergid = lso->so_cgid;
	nso->so_peerpid = p->p_pid;
	nso->so_peeruid = p->p_cred.cr_euid;
	nso->so_peergid = p->p_cred.cr_egid;
	so->so_dom->dom_connaddr(so, lso, nso, sa, len);
	nso->so_head = lso;
	TAILQ_INSERT_TAIL(&lso->so_q, nso, so_qe);
	lso->so_qlen++;
	sowakeup(lso);
	sowakeup(so);
	return 0;
}

int
soconnect(struct socket *so, const struct sockaddr *sa, socklen_t len,
    struct proc *p, bool nbio)
{
	struct socket *lso;
	bool gone = false, inet = so->so_family != AF_UNIX;
	int64_t deadline = so_deadline(so->so_sndtimeo);
	int error;

	if (so->so_type == SOCK_DGRAM)
		return soconnect_dgram(so, sa, len, p);
	if ((so->so_state & SS_LISTENING) != 0)
		return inet ? EISCONN : EINVAL;
	if ((so->so_state & SS_ISCONNECTED) != 0) {
		if ((so->so_state & SS_NBCONNECT) != 0 && so->so_peer != NULL) {
			/* the first connect after EINPROGRESS: done */
			so->so_state &= ~SS_NBCONNECT;
			return 0;
		} else if ((so->so_state & SS_NBCONNECT) != 0) {
			/* a refused non-blocking connect, asked again */
			so->so_state &= ~(SS_NBCONNECT | SS_ISCONNECTED |
			    SS_CANTRCVMORE | SS_CANTSENDMORE);
			error = so->so_error;
			so->so_error = 0;
			return error != 0 ? error : ECONNREFUSED;
		}
		return EISCONN;
	}
	if ((so->so_state & SS_WASCONNECTED) != 0)
		return inet ? EISCONN : EINVAL;
	for (;;) {
		error = so->so_dom->dom_lookup(so, sa, len, p, &lso, &gone);
		if (error == 0 && (lso->so_state & SS_LISTENING) == 0)
			error = ECONNREFUSED;
		if (error == 0 && lso->so_type != so->so_type)
			error = inet ? ECONNREFUSED : EPROTOTYPE;
		if (error != 0) {
			if (inet && nbio && error == ECONNREFUSED) {
				/* reported by poll and SO_ERROR, as Linux */
				so->so_error = error;
				so->so_state |= SS_ISCONNECTED | SS_NBCONNECT |
				    SS_CANTRCVMORE | SS_CANTSENDMORE;
				sowakeup(so);
				return EINPROGRESS;
			}
			return error;
		}
		if (lso->so_qlen <= lso->so_qlimit)
			break;
		if (nbio)
			return EAGAIN;
		if ((error = sosleep(&so_spacecv, deadline)) != 0)
			return error == EAGAIN && inet ? ETIMEDOUT : error;
	}
	if ((error = soconnect_to(so, lso, sa, len, p)) != 0)
		return error;
	if (inet && nbio) {
		so->so_state |= SS_NBCONNECT;
		return EINPROGRESS;
	}
	return 0;
}

int
soaccept(struct socket *so, bool nbio, struct socket **nsop)
{
	int64_t deadline = so_deadline(so->so_rcvtimeo);
	struct socket *nso;
	int error;

	if (so->so_type == SOCK_DGRAM)
		return EOPNOTSUPP;
	if ((so->so_state & SS_LISTENING) == 0)
		return EINVAL;
	while ((nso = TAILQ_FIRST(&so->so_q)) == NULL) {
		if (nbio)
			return EAGAIN;
		if ((error = sosleep(&so->so_cv, deadline)) != 0)
			return error;
		if ((so->so_state & SS_LISTENING) == 0)
			return EINVAL;
	}
	TAILQ_REMOVE(&so->so_q, nso, so_qe);
	so->so_qlen--;
	nso->so_head = NULL;
	cv_broadcast(&so_spacecv);
	*nsop = nso;
	return 0;
}

int
soshutdown(struct socket *so, int how)
{
	struct socket *peer = so->so_peer;

	if (how < SHUT_RD || how > SHUT_RDWR)
		return EINVAL;
	if (so->so_family != AF_UNIX &&
	    (so->so_state & SS_ISCONNECTED) == 0)
		return ENOTCONN;
	if (how != SHUT_WR) {
		so->so_state |= SS_CANTRCVMORE | SS_RDSHUT;
		/* AF_UNIX: the peer's writes fail; TCP has no way to say */
		if (peer != NULL && so->so_family == AF_UNIX &&
		    so_connoriented(so))
			peer->so_state |= SS_CANTSENDMORE;
	}
	if (how != SHUT_RD) {
		so->so_state |= SS_CANTSENDMORE;
		if (peer != NULL && so_connoriented(so))
			peer->so_state |= SS_CANTRCVMORE;
	}
	sowakeup(so);
	if (peer != NULL)
		sowakeup(peer);
	return 0;
}

/*
 * Move n bytes between kbuf and the user's iovecs.  Each piece may
 * give up the kernel lock.
 */
int
sockio_move(void *kbuf, size_t n, struct sockio *sio)
{
	struct iovec *iov;
	size_t m;
	int error;

	while (n > 0 && sio->sio_iovcnt > 0) {
		iov = sio->sio_iov;
		if (iov->iov_len == 0) {
			sio->sio_iov++;
			sio->sio_iovcnt--;
			continue;
		}
		m = iov->iov_len < n ? iov->iov_len : n;
		if (sio->sio_rw == UIO_READ)
			error = copyout(kbuf, iov->iov_base, m);
		else
			error = copyin(iov->iov_base, kbuf, m);
		if (error != 0)
			return error;
		iov->iov_base = (char *)iov->iov_base + m;
		iov->iov_len -= m;
		sio->sio_resid -= m;
		kbuf = (char *)kbuf + m;
		n -= m;
	}
	return 0;
}

/* may so send now?  the error a send meets, or 0 */
static int
sosend_check(struct socket *so)
{
	int error;

	if ((error = so->so_error) != 0) {
		so->so_error = 0;
		return error;
	}
	if ((so->so_state & SS_CANTSENDMORE) != 0)
		return EPIPE;
	if (so->so_peer == NULL) {
		if ((so->so_state & SS_WASCONNECTED) != 0)
			return EPIPE;
		return so->so_family == AF_UNIX ? ENOTCONN : EPIPE;
	}
	return 0;
}

static int
sosend_stream(struct socket *so, struct sockio *sio, struct somsg *sm,
    bool nbio)
{
	int64_t deadline = so_deadline(so->so_sndtimeo);
	struct socket *peer;
	struct sorec *rec;
	size_t n, room;
	int error = 0;

	if (sm->sm_to != NULL && so->so_family == AF_UNIX)
		return (so->so_state & SS_ISCONNECTED) ? EISCONN : EOPNOTSUPP;
	while (sio->sio_resid > 0) {
		if ((error = sosend_check(so)) != 0)
			break;
		peer = so->so_peer;
		room = peer->so_rcv.sb_hiwat > peer->so_rcv.sb_cc ?
		    peer->so_rcv.sb_hiwat - peer->so_rcv.sb_cc : 0;
		if (room == 0) {
			if (nbio) {
				error = EAGAIN;
				break;
			}
			if ((error = sosleep(&so->so_cv, deadline)) != 0)
				break;
			continue;
		}
		n = sio->sio_resid;
		if (n > room)
			n = room;
		if (n > SO_CHUNK)
			n = SO_CHUNK;
		if ((rec = sorec_alloc(n)) == NULL) {
			error = ENOMEM;
			break;
		}
		/* copy first: the copy may give up the lock */
		if ((error = sockio_move(rec->sr_data, n, sio)) != 0 ||
		    (error = sosend_check(so)) != 0) {
			sorec_free(rec);
			break;
		}
		rec->sr_rights = sm->sm_rights;
		rec->sr_nrights = sm->sm_nrights;
		sm->sm_rights = NULL;
		sm->sm_nrights = 0;
		sbappend(so->so_peer, rec);
		sm->sm_done += n;
	}
	return sm->sm_done > 0 ? 0 : error;
}

/* the most one datagram or message may hold */
static size_t
so_maxmsg(const struct socket *so)
{

	if (so->so_family == AF_INET)
		return UDP_MAXDGRAM;
	if (so->so_family == AF_INET6)
		return UDP6_MAXDGRAM;
	return so->so_sndbuf - 32;
}

/*
 * Where a datagram goes: the peer of a socketpair, the sendto
 * address, or the address connected to.  *gone: nowhere (UDP).
 */
static int
sodgram_target(struct socket *so, struct somsg *sm, struct proc *p,
    struct socket **tp, bool *gone)
{
	int error;

	*gone = false;
	if (so->so_type == SOCK_SEQPACKET || (sm->sm_to == NULL &&
	    so->so_faddrlen == 0)) {
		if ((error = sosend_check(so)) != 0) {
			if (so->so_type == SOCK_DGRAM &&
			    (so->so_state & SS_WASCONNECTED) != 0) {
				so->so_state &= ~SS_WASCONNECTED;
				return ECONNREFUSED;
			}
			if (so->so_type == SOCK_DGRAM &&
			    so->so_family != AF_UNIX)
				return EDESTADDRREQ;
			return error;
		}
		*tp = so->so_peer;
		return 0;
	}
	if (sm->sm_to != NULL)
		error = so->so_dom->dom_lookup(so, sm->sm_to, sm->sm_tolen, p,
		    tp, gone);
	else
		error = so->so_dom->dom_lookup(so,
		    (struct sockaddr *)&so->so_faddr, so->so_faddrlen, p, tp,
		    gone);
	if (error == 0 && !*gone && (*tp)->so_type != so->so_type)
		error = so->so_family == AF_UNIX ? EPROTOTYPE : 0;
	return error;
}

/* is the datagram socket target connected to someone, and not so? */
static bool
sodgram_otherpeer(const struct socket *target, const struct socket *so,
    const struct sockaddr_storage *from, socklen_t fromlen)
{

	if (target->so_peer != NULL)
		return target->so_peer != so;
	return target->so_faddrlen != 0 && (target->so_faddrlen != fromlen ||
	    memcmp(&target->so_faddr, from, fromlen) != 0);
}

/* does target take a datagram from so?  0, or the error (or *drop) */
static int
sodgram_accepts(struct socket *so, struct socket *target,
    const struct sockaddr_storage *from, socklen_t fromlen, bool *drop)
{
	bool isunix = so->so_family == AF_UNIX;

	*drop = false;
	if (target->so_type == SOCK_DGRAM &&
	    sodgram_otherpeer(target, so, from, fromlen)) {
		if (!isunix) {
			*drop = true;
			return 0;
		}
		return EPERM;
	}
	if ((target->so_state & SS_RDSHUT) != 0 ||
	    (so_connoriented(so) && (target->so_state & SS_CANTRCVMORE))) {
		if (!isunix)
			*drop = true;
		return EPIPE;
	}
	return 0;
}

/*
 * Is target's queue too full for len more bytes?  An AF_UNIX datagram
 * receiver not connected back to the sender also takes only so many
 * datagrams (net.unix.max_dgram_qlen), as Linux.
 */
static bool
sodgram_full(struct socket *so, struct socket *target, size_t len,
    const struct sockaddr_storage *from, socklen_t fromlen)
{

	if (target->so_rcv.sb_nrecs == 0)
		return false;
	if (target->so_rcv.sb_cc + len > target->so_rcv.sb_hiwat)
		return true;
	return so->so_family == AF_UNIX && so->so_type == SOCK_DGRAM &&
	    target != so && (target->so_peer != so &&
	    (target->so_faddrlen == 0 ||
	    sodgram_otherpeer(target, so, from, fromlen))) &&
	    target->so_rcv.sb_nrecs > UNIX_DGRAMQLEN;
}

static int
sosend_atomic(struct socket *so, struct sockio *sio, struct somsg *sm,
    struct proc *p, bool nbio)
{
	int64_t deadline = so_deadline(so->so_sndtimeo);
	size_t len = sio->sio_resid;
	struct socket *target;
	struct sorec *rec;
	bool gone, drop;
	int error;

	if (len > so_maxmsg(so))
		return EMSGSIZE;
	if ((so->so_state & SS_CANTSENDMORE) != 0)
		return EPIPE;
	if (so->so_type == SOCK_SEQPACKET && so->so_peer == NULL)
		return (so->so_state & SS_WASCONNECTED) ? EPIPE : ENOTCONN;
	if (so->so_family != AF_UNIX && so->so_laddrlen == 0 &&
	    (error = so->so_dom->dom_autobind(so)) != 0)
		return error;
	/* look before copying, for the errors; again after */
	if ((error = sodgram_target(so, sm, p, &target, &gone)) != 0)
		return error;
	if ((rec = sorec_alloc(len)) == NULL)
		return ENOMEM;
	if ((error = sockio_move(rec->sr_data, len, sio)) != 0)
		goto fail;
	for (;;) {
		if ((error = sodgram_target(so, sm, p, &target, &gone)) != 0)
			goto fail;
		if (gone)
			break;
		so->so_dom->dom_srcaddr(so, target, &rec->sr_from,
		    &rec->sr_fromlen);
		error = sodgram_accepts(so, target, &rec->sr_from,
		    rec->sr_fromlen, &drop);
		if (drop) {
			gone = true;
			break;
		}
		if (error != 0)
			goto fail;
		if (!sodgram_full(so, target, len, &rec->sr_from,
		    rec->sr_fromlen))
			break;
		if (so->so_family != AF_UNIX) {
			gone = true;	/* UDP: lost */
			break;
		}
		if (nbio) {
			error = EAGAIN;
			goto fail;
		}
		if ((error = sosleep(&so_spacecv, deadline)) != 0)
			goto fail;
	}
	sm->sm_done = len;
	if (gone) {
		sorec_free(rec);
		return 0;
	}
	rec->sr_rights = sm->sm_rights;
	rec->sr_nrights = sm->sm_nrights;
	sm->sm_rights = NULL;
	sm->sm_nrights = 0;
	sbappend(target, rec);
	return 0;
 fail:
	sorec_free(rec);
	return error;
}

int
sosend(struct socket *so, struct sockio *sio, struct somsg *sm,
    struct proc *p, bool nbio)
{

	sm->sm_done = 0;
	if ((so->so_state & SS_LISTENING) != 0)
		return so->so_family == AF_UNIX ? EINVAL : EPIPE;
	if (so->so_type == SOCK_STREAM)
		return sosend_stream(so, sio, sm, nbio);
	return sosend_atomic(so, sio, sm, p, nbio);
}

/* take rec's descriptors for the receiver (a peek takes copies) */
static void
sorights_take(struct sorec *rec, struct somsg *sm, bool peek)
{
	int i;

	if (rec->sr_nrights == 0 || sm->sm_rights != NULL)
		return;
	if (!peek) {
		sm->sm_rights = rec->sr_rights;
		sm->sm_nrights = rec->sr_nrights;
		rec->sr_rights = NULL;
		rec->sr_nrights = 0;
		return;
	}
	sm->sm_rights = kmem_alloc(sizeof(*sm->sm_rights) *
	    (size_t)rec->sr_nrights);
	if (sm->sm_rights == NULL)
		return;
	for (i = 0; i < rec->sr_nrights; i++) {
		sm->sm_rights[i] = rec->sr_rights[i];
		fhold(sm->sm_rights[i]);
	}
	sm->sm_nrights = rec->sr_nrights;
}

/* wait until so has something to read: 0, EOF (*eof) or the error */
static int
sorecv_wait(struct socket *so, bool nbio, bool peek, int64_t deadline,
    bool *eof)
{
	int error;

	*eof = false;
	while (TAILQ_EMPTY(&so->so_rcv.sb_recs)) {
		if ((error = so->so_error) != 0) {
			if (!peek)
				so->so_error = 0;
			return error;
		}
		if ((so->so_state & SS_CANTRCVMORE) != 0) {
			*eof = true;
			return 0;
		}
		if (so_connoriented(so) &&
		    (so->so_state & (SS_ISCONNECTED | SS_WASCONNECTED)) == 0)
			return so->so_family == AF_UNIX ? EINVAL : ENOTCONN;
		if (nbio)
			return EAGAIN;
		if ((error = sosleep(&so->so_cv, deadline)) != 0)
			return error;
	}
	return 0;
}

static int
soreceive_atomic(struct socket *so, struct sockio *sio, struct somsg *sm,
    bool nbio, int flags)
{
	bool peek = (flags & MSG_PEEK) != 0, eof;
	struct sorec *rec;
	size_t n;
	char *buf = NULL;
	int error;

	error = sorecv_wait(so, nbio, peek, so_deadline(so->so_rcvtimeo),
	    &eof);
	if (error != 0 || eof)
		return error;
	rec = TAILQ_FIRST(&so->so_rcv.sb_recs);
	n = rec->sr_len < sio->sio_resid ? rec->sr_len : sio->sio_resid;
	memcpy(&sm->sm_from, &rec->sr_from, sizeof(sm->sm_from));
	sm->sm_fromlen = rec->sr_fromlen;
	if (rec->sr_len > sio->sio_resid)
		sm->sm_flags |= MSG_TRUNC;
	sm->sm_done = (flags & MSG_TRUNC) ? rec->sr_len : n;
	sorights_take(rec, sm, peek);
	if (peek) {
		/* a private copy: the record may go while we copy out */
		if (n > 0 && (buf = kmem_alloc(n)) == NULL)
			return ENOMEM;
		if (n > 0)
			memcpy(buf, rec->sr_data, n);
		error = sockio_move(buf, n, sio);
		if (buf != NULL)
			kmem_free(buf, n);
		return error;
	}
	sbremove(so, rec);
	if (so->so_peer != NULL)
		sowakeup(so->so_peer);
	cv_broadcast(&so_spacecv);
	error = sockio_move(rec->sr_data, n, sio);
	sorec_free(rec);
	return error;
}

/* fill buf from the stream's queue, up to len bytes: the count */
static size_t
sostream_fill(struct socket *so, char *buf, size_t len, struct somsg *sm,
    bool peek, bool first)
{
	struct sorec *rec, *next;
	size_t n, done = 0;

	for (rec = TAILQ_FIRST(&so->so_rcv.sb_recs); rec != NULL && done < len;
	    rec = next) {
		next = TAILQ_NEXT(rec, sr_link);
		/* descriptors travel with the data they were sent with */
		if (rec->sr_nrights > 0 && (done > 0 || !first))
			break;
		n = rec->sr_len - rec->sr_off;
		if (n > len - done)
			n = len - done;
		memcpy(buf + done, rec->sr_data + rec->sr_off, n);
		done += n;
		sorights_take(rec, sm, peek);
		if (peek) {
			if (sm->sm_rights != NULL)
				break;
			continue;
		}
		rec->sr_off += n;
		so->so_rcv.sb_cc -= n;
		if (rec->sr_off == rec->sr_len) {
			TAILQ_REMOVE(&so->so_rcv.sb_recs, rec, sr_link);
			so->so_rcv.sb_nrecs--;
			sorec_free(rec);
		}
		if (sm->sm_rights != NULL)
			break;
	}
	return done;
}

static int
soreceive_stream(struct socket *so, struct sockio *sio, struct somsg *sm,
    bool nbio, int flags)
{
	bool peek = (flags & MSG_PEEK) != 0, eof;
	bool waitall = (flags & MSG_WAITALL) != 0 && !peek;
	int64_t deadline = so_deadline(so->so_rcvtimeo);
	size_t len, n;
	char *buf;
	int error = 0;

	len = sio->sio_resid < SO_CHUNK ? sio->sio_resid : SO_CHUNK;
	if (len == 0)
		return 0;
	if ((buf = kmem_alloc(len)) == NULL)
		return ENOMEM;
	while (sio->sio_resid > 0) {
		/* more than what is there only with MSG_WAITALL */
		if (sm->sm_done > 0 && !waitall &&
		    TAILQ_EMPTY(&so->so_rcv.sb_recs))
			break;
		error = sorecv_wait(so, nbio, peek || sm->sm_done > 0,
		    deadline, &eof);
		if (error == EAGAIN && sm->sm_done > 0)
			error = 0;
		if (error != 0 || eof || TAILQ_EMPTY(&so->so_rcv.sb_recs))
			break;
		n = sio->sio_resid < len ? sio->sio_resid : len;
		n = sostream_fill(so, buf, n, sm, peek, sm->sm_done == 0);
		if (n == 0)
			break;
		if (!peek && so->so_peer != NULL)
			sowakeup(so->so_peer);
		if ((error = sockio_move(buf, n, sio)) != 0)
			break;
		sm->sm_done += n;
		if (peek || sm->sm_rights != NULL)
			break;
	}
	kmem_free(buf, len);
	return sm->sm_done > 0 ? 0 : error;
}

int
soreceive(struct socket *so, struct sockio *sio, struct somsg *sm,
    bool nbio)
{
	int flags = sm->sm_flags;

	sm->sm_done = 0;
	sm->sm_flags = 0;
	sm->sm_fromlen = 0;
	if ((flags & MSG_OOB) != 0)
		return so->so_family == AF_UNIX ? EOPNOTSUPP : EINVAL;
	if ((so->so_state & SS_LISTENING) != 0)
		return so->so_family == AF_UNIX ? EINVAL : ENOTCONN;
	if (so->so_type == SOCK_STREAM)
		return soreceive_stream(so, sio, sm, nbio, flags);
	return soreceive_atomic(so, sio, sm, nbio, flags);
}

bool
sorights_ok(const struct socket *so)
{

	return so->so_family == AF_UNIX;
}

/*
 * Readiness as Linux's unix_poll and tcp_poll report it: readable
 * with data, a connection to accept, at end of file or with an error;
 * writable unless a connected peer's queue is full; POLLHUP when both
 * directions are shut, POLLRDHUP when reading is.
 */
int
sopoll(struct socket *so, int events, struct selwait *sw)
{
	struct socket *peer = so->so_peer;
	int revents = 0;

	if ((so->so_state & SS_LISTENING) != 0) {
		if (so->so_qlen > 0)
			revents |= POLLIN | POLLRDNORM;
	} else {
		if (so->so_rcv.sb_nrecs > 0 ||
		    (so->so_state & SS_CANTRCVMORE) != 0)
			revents |= POLLIN | POLLRDNORM;
		if ((so->so_state & SS_CANTRCVMORE) != 0)
			revents |= POLLRDHUP;
		if ((so->so_state & (SS_CANTRCVMORE | SS_CANTSENDMORE)) ==
		    (SS_CANTRCVMORE | SS_CANTSENDMORE))
			revents |= POLLHUP;
		if (peer == NULL || so->so_type == SOCK_DGRAM ||
		    peer->so_rcv.sb_cc < peer->so_rcv.sb_hiwat ||
		    (so->so_state & SS_CANTSENDMORE) != 0)
			revents |= POLLOUT | POLLWRNORM;
	}
	if (so->so_error != 0)
		revents |= POLLERR;
	revents &= events | POLLERR | POLLHUP;
	if (revents == 0)
		selrecord(sw, &so->so_sel);
	return revents;
}

static int
soo_poll(struct file *fp, int events, struct selwait *sw)
{

	return sopoll(fp->f_data, events, sw);
}

static int
soo_rw(struct file *fp, struct uio *uio, bool write)
{
	struct socket *so = fp->f_data;
	struct iovec iov;
	struct sockio sio;
	struct somsg sm;
	int error;

	iov.iov_base = uio->uio_uaddr;
	iov.iov_len = uio->uio_resid;
	sio.sio_iov = &iov;
	sio.sio_iovcnt = 1;
	sio.sio_resid = uio->uio_resid;
	sio.sio_rw = uio->uio_rw;
	memset(&sm, 0, sizeof(sm));
	if (write)
		error = sosend(so, &sio, &sm, curproc,
		    (fp->f_flag & O_NONBLOCK) != 0);
	else
		error = soreceive(so, &sio, &sm, (fp->f_flag & O_NONBLOCK) != 0);
	sorights_free(sm.sm_rights, sm.sm_nrights);
	if (sm.sm_done > uio->uio_resid)
		sm.sm_done = uio->uio_resid;
	uio->uio_uaddr = (char *)uio->uio_uaddr + sm.sm_done;
	uio->uio_resid -= sm.sm_done;
	if (write && error == EPIPE)
		kpsignal(curproc, SIGPIPE);
	return error;
}

static int
soo_read(struct file *fp, struct uio *uio, int flags)
{

	return soo_rw(fp, uio, false);
}

static int
soo_write(struct file *fp, struct uio *uio, int flags)
{

	return soo_rw(fp, uio, true);
}

static int
soo_stat(struct file *fp, struct stat *sb)
{
	struct socket *so = fp->f_data;

	memset(sb, 0, sizeof(*sb));
	sb->st_mode = S_IFSOCK | 0777;
	sb->st_nlink = 1;
	sb->st_blksize = 4096;
	sb->st_uid = so->so_cuid;
	sb->st_gid = so->so_cgid;
	return 0;
}

static int
soo_close(struct file *fp)
{

	sofree(fp->f_data);
	return 0;
}
