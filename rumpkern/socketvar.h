/*
 * socketvar.h -- sockets inside the kernel: the socket object, its
 * receive queue, and the interface between the generic layer
 * (uipc_socket.c, uipc_syscalls.c) and the address families
 * (uipc_usrreq.c: AF_UNIX; in_loopback.c: AF_INET and AF_INET6).
 *
 * There is no network: every socket lives in this kernel, so data goes
 * straight from the sender into the receiver's queue.  A connected
 * stream or seqpacket socket points at its peer (so_peer, both ways,
 * cleared by whichever closes first); a datagram is delivered to the
 * socket its destination address names, looked up afresh for each
 * send.  The address families only name sockets: binding, looking an
 * address up, choosing a local address, and unbinding at close.
 *
 * Ownership: a socket belongs to its struct file (f_data) and is freed
 * by the file's last close; a connection not yet accepted belongs to
 * its listener's queue.  Nothing else holds a pointer to a socket
 * across a sleep or a copy: after either, code looks so_peer, the
 * listener or the destination up again.  Descriptors in flight
 * (SCM_RIGHTS) are file references held by the queued record; freeing
 * the record (read, or the receiving socket closed) drops them.  A
 * cycle of sockets in flight inside each other is not collected.
 *
 * Locking: the kernel lock.  Readers, writers, accept and connect
 * sleep on their own socket's so_cv; a change to a socket wakes its
 * so_cv and its pollers (sowakeup).  Waits whose cause is another
 * socket that may go away meanwhile (room in a datagram receiver, a
 * place in a listener's backlog) sleep on the global so_spacecv.
 */
#ifndef RUMPKERN_SOCKETVAR_H
#define RUMPKERN_SOCKETVAR_H

#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <netinet/in.h>

#include "kern.h"

struct vnode;

/* a message or a piece of a stream in a receive queue */
struct sorec {
	TAILQ_ENTRY(sorec)	 sr_link;
	size_t			 sr_len;	/* bytes in sr_data */
	size_t			 sr_off;	/* bytes already read */
	size_t			 sr_alloc;	/* allocated with the header */
	struct sockaddr_storage	 sr_from;	/* sender, for datagrams */
	socklen_t		 sr_fromlen;
	struct file		**sr_rights;	/* SCM_RIGHTS in flight */
	int			 sr_nrights;
	char			 sr_data[];
};

struct sockbuf {
	TAILQ_HEAD(, sorec)	 sb_recs;
	size_t			 sb_cc;		/* unread bytes */
	int			 sb_nrecs;
	size_t			 sb_hiwat;	/* SO_RCVBUF: room */
};

struct sodomain;

struct socket {
	LIST_ENTRY(socket)	 so_list;	/* allsockets */
	LIST_ENTRY(socket)	 so_bound;	/* its family's bound sockets */
	const struct sodomain	*so_dom;
	int			 so_family;
	int			 so_type;	/* SOCK_STREAM, _DGRAM, _SEQPACKET */
	int			 so_protocol;
	int			 so_state;	/* SS_* */
	int			 so_options;	/* SO_* bits below */
	int			 so_error;	/* pending, SO_ERROR */
	struct socket		*so_peer;	/* the other end */
	struct sockbuf		 so_rcv;
	size_t			 so_sndbuf;	/* SO_SNDBUF, reported only */
	/* listening */
	struct socket		*so_head;	/* listener, until accepted */
	TAILQ_HEAD(, socket)	 so_q;		/* connections to accept */
	TAILQ_ENTRY(socket)	 so_qe;
	int			 so_qlen;
	int			 so_qlimit;	/* backlog */
	/* addresses: length 0 when none */
	struct sockaddr_storage	 so_laddr;
	socklen_t		 so_laddrlen;
	struct sockaddr_storage	 so_faddr;
	socklen_t		 so_faddrlen;
	struct vnode		*so_vp;		/* AF_UNIX: bound file */
	/* credentials: the creator's, and the peer's at connection */
	pid_t			 so_cpid, so_peerpid;
	uid_t			 so_cuid, so_peeruid;
	gid_t			 so_cgid, so_peergid;
	int64_t			 so_rcvtimeo;	/* ns, 0: none */
	int64_t			 so_sndtimeo;
	struct linger		 so_linger;
	kcondvar_t		 so_cv;
	struct selinfo		 so_sel;
	uint64_t		 so_listgen;	/* socklist: already listed */
};

#define SS_ISCONNECTED		0x001
#define SS_CANTSENDMORE		0x002	/* shut for writing (ours or peer) */
#define SS_CANTRCVMORE		0x004	/* no more data will arrive */
#define SS_LISTENING		0x008
#define SS_ISBOUND		0x010
#define SS_WASCONNECTED		0x020	/* had a peer, lost it */
#define SS_RDSHUT		0x040	/* shutdown(SHUT_RD) by us */
#define SS_NBCONNECT		0x080	/* non-blocking connect reported */

#define SOO_REUSEADDR		0x001
#define SOO_REUSEPORT		0x002
#define SOO_KEEPALIVE		0x004
#define SOO_NODELAY		0x008
#define SOO_V6ONLY		0x010
#define SOO_PASSCRED		0x020
#define SOO_BROADCAST		0x040
#define SOO_OOBINLINE		0x080

#define SO_DEFBUF		212992	/* net.core.[rw]mem_default */
#define SO_MAXBUF		212992	/* net.core.[rw]mem_max */
#define SO_MAXCONN		4096	/* net.core.somaxconn */

/* an address family: how its sockets are named */
struct sodomain {
	int	dom_family;
	/* is the address well-formed for this family (before a lookup)? */
	int	(*dom_bind)(struct socket *, const struct sockaddr *,
		    socklen_t, struct proc *);
	/* give an unbound socket a local address before it sends or
	 * listens (AF_INET: an ephemeral port); may do nothing */
	int	(*dom_autobind)(struct socket *);
	/*
	 * The socket an address names, for connect and sendto, or the
	 * error a connect gets (ECONNREFUSED, ENOENT, ENETUNREACH...).
	 * *gone says a datagram to it is silently lost instead (UDP).
	 * An unbound so is bound first, with the local address that
	 * suits the destination.
	 */
	int	(*dom_lookup)(struct socket *, const struct sockaddr *,
		    socklen_t, struct proc *, struct socket **, bool *gone);
	/* the addresses of a new connection: so connects to lso, nso is
	 * the socket that accept will return; sa is what so asked for */
	void	(*dom_connaddr)(struct socket *so, struct socket *lso,
		    struct socket *nso, const struct sockaddr *sa,
		    socklen_t len);
	/* the address a datagram from so carries to target */
	void	(*dom_srcaddr)(struct socket *so, struct socket *target,
		    struct sockaddr_storage *, socklen_t *);
	void	(*dom_detach)(struct socket *);	/* unbind at close */
};

extern const struct sodomain unixdomain, inetdomain, inet6domain;
LIST_HEAD(socketlist, socket);
extern struct socketlist allsockets;
extern kcondvar_t so_spacecv;

/* uipc_socket.c */
int	socreate(int family, int type, int proto, struct proc *,
	    struct socket **);
void	sofree(struct socket *);
void	sowakeup(struct socket *);
int	sofile(struct socket *, int flags, struct file **);
struct socket *sofromfile(struct file *);
int	sobind(struct socket *, const struct sockaddr *, socklen_t,
	    struct proc *);
int	solisten(struct socket *, int backlog);
int	soconnect(struct socket *, const struct sockaddr *, socklen_t,
	    struct proc *, bool nbio);
int	soconnect2(struct socket *, struct socket *);	/* socketpair */
int	soaccept(struct socket *, bool nbio, struct socket **);
int	soshutdown(struct socket *, int how);

/* a transfer between the kernel and a user iovec array */
struct sockio {
	struct iovec	*sio_iov;	/* kernel copy, user addresses */
	int		 sio_iovcnt;
	size_t		 sio_resid;
	enum uio_rw	 sio_rw;
};
int	sockio_move(void *kbuf, size_t n, struct sockio *);

/* what a send carries besides data, and what a receive returns */
struct somsg {
	const struct sockaddr	*sm_to;		/* sendto address or NULL */
	socklen_t		 sm_tolen;
	struct file		**sm_rights;	/* send: taken over */
	int			 sm_nrights;
	int			 sm_flags;	/* MSG_* in and out */
	struct sockaddr_storage	 sm_from;	/* receive: sender */
	socklen_t		 sm_fromlen;
	size_t			 sm_done;	/* bytes moved */
};
int	sosend(struct socket *, struct sockio *, struct somsg *,
	    struct proc *, bool nbio);
int	soreceive(struct socket *, struct sockio *, struct somsg *,
	    bool nbio);
void	sorec_free(struct sorec *);
void	sorights_free(struct file **, int n);	/* drop in-flight files */
int	sosetopt(struct socket *, int level, int name, const void *val,
	    socklen_t len);
int	sogetopt(struct socket *, int level, int name, void *val,
	    socklen_t *len);
int	sopoll(struct socket *, int events, struct selwait *);
bool	sorights_ok(const struct socket *);	/* may carry SCM_RIGHTS */

#endif /* RUMPKERN_SOCKETVAR_H */
