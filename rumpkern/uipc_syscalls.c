/*
 * uipc_syscalls.c -- the socket system calls: socket, socketpair,
 * bind, listen, accept, accept4, connect, shutdown, getsockname,
 * getpeername, sendto, recvfrom, sendmsg, recvmsg, setsockopt and
 * getsockopt.  They copy arguments in and results out and leave the
 * rest to uipc_socket.c.
 *
 * A struct msghdr holds pointers (the name, the iovec array, control
 * data), so it travels unannotated: each part is fetched with its own
 * copyin, as Linux does, and only msg_namelen, msg_controllen and
 * msg_flags are written back.  SCM_RIGHTS is AF_UNIX's alone (other
 * families ignore it, as Linux does); the
 * descriptors are looked up at send (EBADF), travel as file references
 * and are installed in the receiver at recvmsg, or closed if the
 * control buffer has no room for them (MSG_CTRUNC), as Linux.
 * SCM_CREDENTIALS is accepted and ignored.
 *
 * A send that fails with EPIPE sends SIGPIPE to the caller
 * (kpsignal) unless MSG_NOSIGNAL is given.
 *
 * Locking: arguments are copied in before the socket is looked up and
 * results copied out after it is released, except where a copy is part
 * of the transfer (uipc_socket.c deals with those); the file reference
 * taken with the descriptor keeps the socket alive across them.
 */
#include "socketvar.h"
#include "sysent.h"

#define SOCK_TYPEMASK	0xf
#define SCM_MAXFD	253
#define OPTMEM_MAX	20480		/* net.core.optmem_max */
#define SOCKOPT_MAX	256		/* the largest option we take */

static int
getsock(struct proc *p, int fd, struct file **fpp, struct socket **sop)
{
	int error;

	if ((error = fd_getfile(p, fd, fpp)) != 0)
		return error;
	if ((*sop = sofromfile(*fpp)) == NULL) {
		fd_putfile(*fpp);
		return ENOTSOCK;
	}
	return 0;
}

static int
addr_in(const void *uaddr, socklen_t len, struct sockaddr_storage *ss)
{

	if ((int)len < 0 || len > sizeof(*ss))
		return EINVAL;
	memset(ss, 0, sizeof(*ss));
	if (len == 0)
		return 0;
	return copyin(uaddr, ss, len);
}

/* Linux's move_addr_to_user: copy what fits, report the full length */
static int
addr_out(const struct sockaddr_storage *ss, socklen_t len, void *uaddr,
    socklen_t *ulen)
{
	socklen_t have;
	int error;

	if (ulen == NULL)
		return 0;
	if ((error = copyin(ulen, &have, sizeof(have))) != 0)
		return error;
	if ((int)have < 0)
		return EINVAL;
	if (have > len)
		have = len;
	if (have > 0 && (error = copyout(ss, uaddr, have)) != 0)
		return error;
	return copyout(&len, ulen, sizeof(len));
}

/* a socket's address, or the family's empty one when it has none */
static void
sockaddr_of(const struct socket *so, bool local,
    struct sockaddr_storage *ss, socklen_t *len)
{
	socklen_t l = local ? so->so_laddrlen : so->so_faddrlen;

	memset(ss, 0, sizeof(*ss));
	if (l != 0) {
		memcpy(ss, local ? &so->so_laddr : &so->so_faddr, l);
		*len = l;
		return;
	}
	ss->ss_family = (sa_family_t)so->so_family;
	switch (so->so_family) {
	case AF_INET:
		*len = sizeof(struct sockaddr_in);
		break;
	case AF_INET6:
		*len = sizeof(struct sockaddr_in6);
		break;
	default:
		*len = sizeof(sa_family_t);
		break;
	}
}

/* a new socket's file and descriptor */
static int
so_install(struct proc *p, struct socket *so, int flags, int *fdp)
{
	struct file *fp;
	int error;

	if ((error = sofile(so, (flags & SOCK_NONBLOCK) ? O_NONBLOCK : 0,
	    &fp)) != 0) {
		sofree(so);
		return error;
	}
	error = fd_install(p, fp, 0, (flags & SOCK_CLOEXEC) != 0, fdp);
	fd_putfile(fp);		/* on failure the last: frees the socket */
	return error;
}

int
sys_socket(struct lwp *l, const struct sys_socket_args *uap,
    register_t *rv)
{
	int type = SCARG(uap, type), flags = type & ~SOCK_TYPEMASK, fd;
	struct socket *so;
	int error;

	if ((flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) != 0)
		return EINVAL;
	error = socreate(SCARG(uap, domain), type & SOCK_TYPEMASK,
	    SCARG(uap, protocol), l->l_proc, &so);
	if (error != 0)
		return error;
	if ((error = so_install(l->l_proc, so, flags, &fd)) != 0)
		return error;
	rv[0] = fd;
	return 0;
}

int
sys_socketpair(struct lwp *l, const struct sys_socketpair_args *uap,
    register_t *rv)
{
	struct proc *p = l->l_proc;
	int type = SCARG(uap, type), flags = type & ~SOCK_TYPEMASK;
	int fds[2] = { -1, -1 }, error;
	struct socket *a, *b;

	if ((flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) != 0)
		return EINVAL;
	if ((error = socreate(SCARG(uap, domain), type & SOCK_TYPEMASK,
	    SCARG(uap, protocol), p, &a)) != 0)
		return error;
	if (a->so_family != AF_UNIX) {
		sofree(a);
		return EOPNOTSUPP;
	}
	if ((error = socreate(AF_UNIX, a->so_type, 0, p, &b)) != 0) {
		sofree(a);
		return error;
	}
	soconnect2(a, b);
	if ((error = so_install(p, a, flags, &fds[0])) != 0) {
		sofree(b);
		return error;
	}
	if ((error = so_install(p, b, flags, &fds[1])) != 0) {
		fd_close(p, fds[0]);
		return error;
	}
	if ((error = copyout(fds, SCARG(uap, sv), sizeof(fds))) != 0) {
		fd_close(p, fds[0]);
		fd_close(p, fds[1]);
	}
	return error;
}

int
sys_bind(struct lwp *l, const struct sys_bind_args *uap, register_t *rv)
{
	struct sockaddr_storage ss;
	struct socket *so;
	struct file *fp;
	socklen_t len = SCARG(uap, addrlen);
	int error;

	if ((error = addr_in(SCARG(uap, addr), len, &ss)) != 0)
		return error;
	if ((error = getsock(l->l_proc, SCARG(uap, s), &fp, &so)) != 0)
		return error;
	error = sobind(so, (struct sockaddr *)&ss, len, l->l_proc);
	fd_putfile(fp);
	return error;
}

int
sys_listen(struct lwp *l, const struct sys_listen_args *uap,
    register_t *rv)
{
	struct socket *so;
	struct file *fp;
	int error;

	if ((error = getsock(l->l_proc, SCARG(uap, s), &fp, &so)) != 0)
		return error;
	error = solisten(so, SCARG(uap, backlog));
	fd_putfile(fp);
	return error;
}

static int
doaccept(struct lwp *l, int s, struct sockaddr *uaddr, socklen_t *ulen,
    int flags, register_t *rv)
{
	struct proc *p = l->l_proc;
	struct sockaddr_storage ss;
	struct socket *so, *nso;
	struct file *fp;
	socklen_t len;
	int error, fd;

	if ((flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) != 0)
		return EINVAL;
	if ((error = getsock(p, s, &fp, &so)) != 0)
		return error;
	error = soaccept(so, (fp->f_flag & O_NONBLOCK) != 0, &nso);
	fd_putfile(fp);
	if (error != 0)
		return error;
	sockaddr_of(nso, false, &ss, &len);
	if ((error = so_install(p, nso, flags, &fd)) != 0)
		return error;
	if (uaddr != NULL &&
	    (error = addr_out(&ss, len, uaddr, ulen)) != 0) {
		fd_close(p, fd);
		return error;
	}
	rv[0] = fd;
	return 0;
}

int
sys_accept(struct lwp *l, const struct sys_accept_args *uap,
    register_t *rv)
{

	return doaccept(l, SCARG(uap, s), SCARG(uap, addr),
	    SCARG(uap, addrlen), 0, rv);
}

int
sys_accept4(struct lwp *l, const struct sys_accept4_args *uap,
    register_t *rv)
{

	return doaccept(l, SCARG(uap, s), SCARG(uap, addr),
	    SCARG(uap, addrlen), SCARG(uap, flags), rv);
}

int
sys_connect(struct lwp *l, const struct sys_connect_args *uap,
    register_t *rv)
{
	struct sockaddr_storage ss;
	struct socket *so;
	struct file *fp;
	socklen_t len = SCARG(uap, addrlen);
	int error;

	if ((error = addr_in(SCARG(uap, addr), len, &ss)) != 0)
		return error;
	if ((error = getsock(l->l_proc, SCARG(uap, s), &fp, &so)) != 0)
		return error;
	error = soconnect(so, (struct sockaddr *)&ss, len, l->l_proc,
	    (fp->f_flag & O_NONBLOCK) != 0);
	fd_putfile(fp);
	return error;
}

int
sys_shutdown(struct lwp *l, const struct sys_shutdown_args *uap,
    register_t *rv)
{
	struct socket *so;
	struct file *fp;
	int error;

	if ((error = getsock(l->l_proc, SCARG(uap, s), &fp, &so)) != 0)
		return error;
	error = soshutdown(so, SCARG(uap, how));
	fd_putfile(fp);
	return error;
}

static int
getname(struct lwp *l, int s, struct sockaddr *uaddr, socklen_t *ulen,
    bool local)
{
	struct sockaddr_storage ss;
	struct socket *so;
	struct file *fp;
	socklen_t len;
	int error;

	if ((error = getsock(l->l_proc, s, &fp, &so)) != 0)
		return error;
	if (!local && so->so_faddrlen == 0 && (so->so_peer == NULL ||
	    (so->so_state & SS_ISCONNECTED) == 0 ||
	    (so->so_family != AF_UNIX))) {
		fd_putfile(fp);
		return ENOTCONN;
	}
	sockaddr_of(so, local, &ss, &len);
	fd_putfile(fp);
	return addr_out(&ss, len, uaddr, ulen);
}

int
sys_getsockname(struct lwp *l, const struct sys_getsockname_args *uap,
    register_t *rv)
{

	return getname(l, SCARG(uap, s), SCARG(uap, addr), SCARG(uap, addrlen),
	    true);
}

int
sys_getpeername(struct lwp *l, const struct sys_getpeername_args *uap,
    register_t *rv)
{

	return getname(l, SCARG(uap, s), SCARG(uap, addr), SCARG(uap, addrlen),
	    false);
}

/* the iovec array of a msghdr, copied in, with its total */
static int
iov_in(const struct iovec *uiov, size_t n, struct iovec **iovp,
    size_t *totalp)
{
	struct iovec *iov;
	size_t i, total = 0;
	int error;

	*iovp = NULL;
	*totalp = 0;
	if (n > UIO_MAXIOV)
		return EMSGSIZE;
	if (n == 0)
		return 0;
	if ((iov = kmem_alloc(n * sizeof(*iov))) == NULL)
		return ENOMEM;
	if ((error = copyin(uiov, iov, n * sizeof(*iov))) != 0) {
		kmem_free(iov, n * sizeof(*iov));
		return error;
	}
	for (i = 0; i < n; i++) {
		if (iov[i].iov_len > (size_t)SSIZE_MAX - total) {
			kmem_free(iov, n * sizeof(*iov));
			return EINVAL;
		}
		total += iov[i].iov_len;
	}
	*iovp = iov;
	*totalp = total;
	return 0;
}

/* add the descriptors of one SCM_RIGHTS message to sm */
static int
rights_add(struct proc *p, const int *fds, int n, struct somsg *sm)
{
	struct file **nr;
	int i, error;

	if (n == 0)
		return 0;
	if (sm->sm_nrights + n > SCM_MAXFD)
		return EINVAL;
	nr = kmem_alloc(sizeof(*nr) * (size_t)(sm->sm_nrights + n));
	if (nr == NULL)
		return ENOMEM;
	for (i = 0; i < n; i++) {
		if ((error = fd_getfile(p, fds[i], &nr[sm->sm_nrights + i]))
		    != 0) {
			while (i-- > 0)
				fd_putfile(nr[sm->sm_nrights + i]);
			kmem_free(nr, sizeof(*nr) *
			    (size_t)(sm->sm_nrights + n));
			return error;
		}
	}
	if (sm->sm_rights != NULL) {
		memcpy(nr, sm->sm_rights, sizeof(*nr) *
		    (size_t)sm->sm_nrights);
		kmem_free(sm->sm_rights, sizeof(*nr) *
		    (size_t)sm->sm_nrights);
	}
	sm->sm_rights = nr;
	sm->sm_nrights += n;
	return 0;
}

/* parse control messages (Linux's __scm_send) */
static int
control_in(struct proc *p, struct socket *so, const void *uctl,
    size_t len, struct somsg *sm)
{
	struct cmsghdr *cm;
	unsigned char *buf;
	size_t off = 0;
	int error = 0;

	if (len == 0)
		return 0;
	if (len > OPTMEM_MAX)
		return ENOBUFS;
	if ((buf = kmem_alloc(len)) == NULL)
		return ENOMEM;
	if ((error = copyin(uctl, buf, len)) != 0)
		goto out;
	while (off + sizeof(*cm) <= len) {
		cm = (struct cmsghdr *)(buf + off);
		if (cm->cmsg_len < sizeof(*cm) || cm->cmsg_len > len - off) {
			error = EINVAL;
			goto out;
		}
		if (cm->cmsg_level == SOL_SOCKET) {
			switch (cm->cmsg_type) {
			case SCM_RIGHTS:
				if (!sorights_ok(so))
					break;	/* ignored, as Linux */
				error = rights_add(p, (int *)CMSG_DATA(cm),
				    (int)((cm->cmsg_len - CMSG_LEN(0)) /
				    sizeof(int)), sm);
				if (error != 0)
					goto out;
				break;
			case SCM_CREDENTIALS:
				break;
			default:
				error = EINVAL;
				goto out;
			}
		}
		off += CMSG_ALIGN(cm->cmsg_len);
	}
 out:
	kmem_free(buf, len);
	return error;
}

static int
dosend(struct lwp *l, int s, struct iovec *iov, int iovcnt, size_t total,
    struct somsg *sm, int flags, register_t *rv)
{
	struct proc *p = l->l_proc;
	struct sockio sio;
	struct socket *so;
	struct file *fp;
	int error;

	if ((error = getsock(p, s, &fp, &so)) != 0)
		return error;
	if (sm->sm_rights != NULL && !sorights_ok(so))
		error = EINVAL;
	else if ((flags & MSG_OOB) != 0)
		error = EOPNOTSUPP;
	if (error == 0) {
		sio.sio_iov = iov;
		sio.sio_iovcnt = iovcnt;
		sio.sio_resid = total;
		sio.sio_rw = UIO_WRITE;
		error = sosend(so, &sio, sm, p, (fp->f_flag & O_NONBLOCK) != 0
		    || (flags & MSG_DONTWAIT) != 0);
	}
	fd_putfile(fp);
	if (error == EPIPE && (flags & MSG_NOSIGNAL) == 0)
		kpsignal(p, SIGPIPE);
	if (error == 0)
		rv[0] = (register_t)sm->sm_done;
	return error;
}

int
sys_sendto(struct lwp *l, const struct sys_sendto_args *uap,
    register_t *rv)
{
	struct sockaddr_storage ss;
	struct iovec iov;
	struct somsg sm;
	int error;

	memset(&sm, 0, sizeof(sm));
	if (SCARG(uap, to) != NULL && SCARG(uap, tolen) != 0) {
		if ((error = addr_in(SCARG(uap, to), SCARG(uap, tolen),
		    &ss)) != 0)
			return error;
		sm.sm_to = (struct sockaddr *)&ss;
		sm.sm_tolen = SCARG(uap, tolen);
	}
	if (SCARG(uap, len) > (size_t)SSIZE_MAX)
		return EINVAL;
	iov.iov_base = (void *)(uintptr_t)SCARG(uap, buf);
	iov.iov_len = SCARG(uap, len);
	return dosend(l, SCARG(uap, s), &iov, 1, iov.iov_len, &sm,
	    SCARG(uap, flags), rv);
}

int
sys_sendmsg(struct lwp *l, const struct sys_sendmsg_args *uap,
    register_t *rv)
{
	struct sockaddr_storage ss;
	struct iovec *iov = NULL;
	struct socket *so;
	struct file *fp;
	struct msghdr mh;
	struct somsg sm;
	size_t total = 0;
	int error;

	memset(&sm, 0, sizeof(sm));
	if ((error = copyin(SCARG(uap, msg), &mh, sizeof(mh))) != 0)
		return error;
	if (mh.msg_name != NULL && mh.msg_namelen != 0) {
		if ((error = addr_in(mh.msg_name, mh.msg_namelen, &ss)) != 0)
			return error;
		sm.sm_to = (struct sockaddr *)&ss;
		sm.sm_tolen = mh.msg_namelen;
	}
	if ((error = iov_in(mh.msg_iov, mh.msg_iovlen, &iov, &total)) != 0)
		return error;
	if (mh.msg_controllen > 0) {
		if ((error = getsock(l->l_proc, SCARG(uap, s), &fp, &so)) == 0) {
			error = control_in(l->l_proc, so, mh.msg_control,
			    mh.msg_controllen, &sm);
			fd_putfile(fp);
		}
	}
	if (error == 0)
		error = dosend(l, SCARG(uap, s), iov, (int)mh.msg_iovlen,
		    total, &sm, SCARG(uap, flags), rv);
	sorights_free(sm.sm_rights, sm.sm_nrights);
	if (iov != NULL)
		kmem_free(iov, mh.msg_iovlen * sizeof(*iov));
	return error;
}

static int
dorecv(struct lwp *l, int s, struct iovec *iov, int iovcnt, size_t total,
    struct somsg *sm, int flags)
{
	struct sockio sio;
	struct socket *so;
	struct file *fp;
	int error;

	if ((error = getsock(l->l_proc, s, &fp, &so)) != 0)
		return error;
	sio.sio_iov = iov;
	sio.sio_iovcnt = iovcnt;
	sio.sio_resid = total;
	sio.sio_rw = UIO_READ;
	sm->sm_flags = flags;
	error = soreceive(so, &sio, sm, (fp->f_flag & O_NONBLOCK) != 0 ||
	    (flags & MSG_DONTWAIT) != 0);
	fd_putfile(fp);
	return error;
}

int
sys_recvfrom(struct lwp *l, const struct sys_recvfrom_args *uap,
    register_t *rv)
{
	struct iovec iov;
	struct somsg sm;
	int error;

	memset(&sm, 0, sizeof(sm));
	iov.iov_base = SCARG(uap, buf);
	iov.iov_len = SCARG(uap, len);
	error = dorecv(l, SCARG(uap, s), &iov, 1, iov.iov_len, &sm,
	    SCARG(uap, flags));
	sorights_free(sm.sm_rights, sm.sm_nrights);
	if (error != 0)
		return error;
	/* length 0: a stream, or an unnamed sender */
	if (SCARG(uap, from) != NULL && (error = addr_out(&sm.sm_from,
	    sm.sm_fromlen, SCARG(uap, from), SCARG(uap, fromlen))) != 0)
		return error;
	rv[0] = (register_t)sm.sm_done;
	return 0;
}

/*
 * Install the received descriptors in the control buffer (Linux's
 * scm_detach_fds): as many as fit; the rest are closed and the
 * message says MSG_CTRUNC.  *usedp: the bytes of control written.
 */
static int
control_out(struct proc *p, struct somsg *sm, void *uctl, size_t len,
    bool cloexec, size_t *usedp)
{
	struct cmsghdr cm;
	int *fds = NULL, i, n = 0, max;
	size_t fsz = 0;
	int error = 0;

	*usedp = 0;
	if (sm->sm_nrights == 0)
		return 0;
	max = len < CMSG_LEN(0) ? 0 : (int)((len - CMSG_LEN(0)) /
	    sizeof(int));
	if (max > sm->sm_nrights)
		max = sm->sm_nrights;
	if (max < sm->sm_nrights)
		sm->sm_flags |= MSG_CTRUNC;
	if (max > 0) {
		fsz = sizeof(int) * (size_t)max;
		if ((fds = kmem_alloc(fsz)) == NULL)
			return ENOMEM;
	}
	for (i = 0; i < max; i++) {
		if (fd_install(p, sm->sm_rights[i], 0, cloexec, &fds[n]) != 0) {
			sm->sm_flags |= MSG_CTRUNC;
			break;
		}
		n++;
	}
	if (n > 0) {
		memset(&cm, 0, sizeof(cm));
		cm.cmsg_len = CMSG_LEN(sizeof(int) * (size_t)n);
		cm.cmsg_level = SOL_SOCKET;
		cm.cmsg_type = SCM_RIGHTS;
		error = copyout(&cm, uctl, sizeof(cm));
		if (error == 0)
			error = copyout(fds, (char *)uctl + CMSG_LEN(0),
			    sizeof(int) * (size_t)n);
		*usedp = CMSG_SPACE(sizeof(int) * (size_t)n);
		if (*usedp > len)
			*usedp = len;
	}
	if (fds != NULL)
		kmem_free(fds, fsz);
	return error;
}

int
sys_recvmsg(struct lwp *l, const struct sys_recvmsg_args *uap,
    register_t *rv)
{
	struct msghdr mh, *umh = SCARG(uap, msg);
	struct iovec *iov = NULL;
	struct somsg sm;
	size_t total, used = 0;
	socklen_t namelen;
	int error;

	memset(&sm, 0, sizeof(sm));
	if ((error = copyin(umh, &mh, sizeof(mh))) != 0)
		return error;
	if ((int)mh.msg_namelen < 0)
		return EINVAL;
	if ((error = iov_in(mh.msg_iov, mh.msg_iovlen, &iov, &total)) != 0)
		return error;
	error = dorecv(l, SCARG(uap, s), iov, (int)mh.msg_iovlen, total, &sm,
	    SCARG(uap, flags));
	if (iov != NULL)
		kmem_free(iov, mh.msg_iovlen * sizeof(*iov));
	if (error == 0)
		error = control_out(l->l_proc, &sm, mh.msg_control,
		    mh.msg_controllen, (SCARG(uap, flags) & MSG_CMSG_CLOEXEC)
		    != 0, &used);
	sorights_free(sm.sm_rights, sm.sm_nrights);
	if (error != 0)
		return error;
	namelen = 0;
	if (mh.msg_name != NULL && sm.sm_fromlen > 0) {
		namelen = mh.msg_namelen < sm.sm_fromlen ? mh.msg_namelen :
		    sm.sm_fromlen;
		if ((error = copyout(&sm.sm_from, mh.msg_name, namelen)) != 0)
			return error;
		namelen = sm.sm_fromlen;
	}
	mh.msg_namelen = namelen;
	mh.msg_controllen = used;
	/* Linux reflects MSG_CMSG_CLOEXEC in msg_flags */
	mh.msg_flags = sm.sm_flags | (SCARG(uap, flags) & MSG_CMSG_CLOEXEC);
	if ((error = copyout(&mh.msg_namelen, &umh->msg_namelen,
	    sizeof(mh.msg_namelen))) != 0 ||
	    (error = copyout(&mh.msg_controllen, &umh->msg_controllen,
	    sizeof(mh.msg_controllen))) != 0 ||
	    (error = copyout(&mh.msg_flags, &umh->msg_flags,
	    sizeof(mh.msg_flags))) != 0)
		return error;
	rv[0] = (register_t)sm.sm_done;
	return 0;
}

int
sys_setsockopt(struct lwp *l, const struct sys_setsockopt_args *uap,
    register_t *rv)
{
	unsigned char buf[SOCKOPT_MAX];
	socklen_t len = SCARG(uap, optlen);
	struct socket *so;
	struct file *fp;
	int error;

	if ((int)len < 0)
		return EINVAL;
	if (len > sizeof(buf))
		len = sizeof(buf);
	memset(buf, 0, sizeof(buf));
	if (len > 0 && (error = copyin(SCARG(uap, optval), buf, len)) != 0)
		return error;
	if ((error = getsock(l->l_proc, SCARG(uap, s), &fp, &so)) != 0)
		return error;
	error = sosetopt(so, SCARG(uap, level), SCARG(uap, name), buf, len);
	fd_putfile(fp);
	return error;
}

int
sys_getsockopt(struct lwp *l, const struct sys_getsockopt_args *uap,
    register_t *rv)
{
	unsigned char buf[SOCKOPT_MAX];
	struct socket *so;
	struct file *fp;
	socklen_t len;
	int error;

	if ((error = copyin(SCARG(uap, optlen), &len, sizeof(len))) != 0)
		return error;
	if ((int)len < 0)
		return EINVAL;
	if (len > sizeof(buf))
		len = sizeof(buf);
	if ((error = getsock(l->l_proc, SCARG(uap, s), &fp, &so)) != 0)
		return error;
	memset(buf, 0, sizeof(buf));
	error = sogetopt(so, SCARG(uap, level), SCARG(uap, name), buf, &len);
	fd_putfile(fp);
	if (error != 0)
		return error;
	if ((error = copyout(buf, SCARG(uap, optval), len)) != 0)
		return error;
	return copyout(&len, SCARG(uap, optlen), sizeof(len));
}
