/*
 * uipc_usrreq.c -- AF_UNIX: naming local sockets.
 *
 * A path name is bound by creating a socket vnode (VSOCK) in the
 * kernel's file system, as Linux does: bind fails with EADDRINUSE if
 * the name exists, the vnode points at the socket (v_socket) and the
 * socket holds a reference on the vnode.  Closing the socket leaves
 * the name in place but empty (connect: ECONNREFUSED); removing the
 * name (unlink) leaves the socket bound to nothing that can be found.
 * An abstract name (sun_path starting with a NUL) lives in a list of
 * its own and goes away with its socket; bind with only a family
 * (autobind) picks an abstract name of five hex digits, as Linux.
 *
 * Looking a name up for connect or sendto needs write permission on
 * the socket file; a name that is not a socket, or whose socket is
 * closed, is ECONNREFUSED.  A datagram socket connected to a path name
 * keeps the name and looks it up at each send.
 *
 * Locking: the kernel lock; namei and memfs do not give it up, so the
 * socket a vnode points at is valid until the caller next sleeps.
 * Addresses arrive copied in by uipc_syscalls.c.
 */
#include "socketvar.h"
#include "vfs.h"

#define SUN_PATHOFF	offsetof(struct sockaddr_un, sun_path)

static LIST_HEAD(, socket) unix_abstract =
    LIST_HEAD_INITIALIZER(unix_abstract);
static unsigned unix_autonum;

/* the name in an address: a path (NUL-terminated) or abstract bytes */
struct unixname {
	bool	 un_abstract;
	size_t	 un_len;		/* bytes of un_name */
	char	 un_name[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
	socklen_t un_salen;		/* the address as getsockname gives it */
};

static int
unix_name(const struct sockaddr *sa, socklen_t len, struct unixname *un)
{
	const struct sockaddr_un *sun = (const struct sockaddr_un *)sa;
	size_t n;

	if (len <= SUN_PATHOFF || len > sizeof(struct sockaddr_un))
		return EINVAL;
	if (sa->sa_family != AF_UNIX)
		return EINVAL;
	memset(un, 0, sizeof(*un));
	n = len - SUN_PATHOFF;
	if (sun->sun_path[0] == '\0') {
		un->un_abstract = true;
		un->un_len = n - 1;
		memcpy(un->un_name, sun->sun_path + 1, n - 1);
		un->un_salen = len;
		return 0;
	}
	un->un_len = strnlen(sun->sun_path, n);
	memcpy(un->un_name, sun->sun_path, un->un_len);
	un->un_name[un->un_len] = '\0';
	un->un_salen = (socklen_t)(SUN_PATHOFF + un->un_len + 1);
	return 0;
}

static struct socket *
unix_findabstract(const char *name, size_t len)
{
	struct socket *so;
	const struct sockaddr_un *sun;

	LIST_FOREACH(so, &unix_abstract, so_bound) {
		sun = (const struct sockaddr_un *)&so->so_laddr;
		if (so->so_laddrlen - SUN_PATHOFF - 1 == len &&
		    memcmp(sun->sun_path + 1, name, len) == 0)
			return so;
	}
	return NULL;
}

static void
unix_setaddr(struct socket *so, const struct unixname *un)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)&so->so_laddr;

	memset(&so->so_laddr, 0, sizeof(so->so_laddr));
	sun->sun_family = AF_UNIX;
	if (un->un_abstract)
		memcpy(sun->sun_path + 1, un->un_name, un->un_len);
	else
		memcpy(sun->sun_path, un->un_name, un->un_len);
	so->so_laddrlen = un->un_salen;
	so->so_state |= SS_ISBOUND;
}

static int
unix_autobind(struct socket *so)
{
	struct unixname un;
	unsigned i;

	memset(&un, 0, sizeof(un));
	un.un_abstract = true;
	un.un_len = 5;
	un.un_salen = (socklen_t)(SUN_PATHOFF + 1 + 5);
	for (i = 0; i < 0x100000; i++) {
		snprintf(un.un_name, sizeof(un.un_name), "%05x",
		    unix_autonum++ & 0xfffff);
		if (unix_findabstract(un.un_name, 5) == NULL) {
			unix_setaddr(so, &un);
			LIST_INSERT_HEAD(&unix_abstract, so, so_bound);
			return 0;
		}
	}
	return ENOSPC;
}

static struct vnode *
unix_cwd(struct proc *p)
{

	return p->p_cwd != NULL ? p->p_cwd : rootvnode;
}

static int
unix_bindpath(struct socket *so, const struct unixname *un, struct proc *p)
{
	struct nameidata ni;
	struct vnode *vp;
	int error;

	if (un->un_len == 0)
		return ENOENT;
	if ((error = namei(unix_cwd(p), un->un_name, &p->p_cred, NI_NOFOLLOW,
	    &ni)) != 0)
		return error;
	if (ni.ni_vp != NULL || ni.ni_last != NI_NORM) {
		error = EADDRINUSE;
		goto out;
	}
	if ((so->so_state & SS_ISBOUND) != 0) {
		error = EINVAL;
		goto out;
	}
	if ((error = vn_access(ni.ni_dvp, &p->p_cred, VWRITE | VEXEC)) != 0)
		goto out;
	error = memfs_create(ni.ni_dvp, ni.ni_name, ni.ni_namelen, VSOCK,
	    0777 & ~p->p_umask, &p->p_cred, 0, &vp);
	if (error != 0)
		goto out;
	vp->v_socket = so;
	so->so_vp = vp;		/* memfs_create's reference */
	unix_setaddr(so, un);
 out:
	namei_done(&ni);
	return error;
}

static int
unix_bind(struct socket *so, const struct sockaddr *sa, socklen_t len,
    struct proc *p)
{
	struct unixname un;
	int error;

	if (len < sizeof(sa_family_t))
		return EINVAL;
	if (sa->sa_family != AF_UNIX)
		return EINVAL;
	if ((error = unix_name(sa, len, &un)) != 0 &&
	    len != sizeof(sa_family_t))
		return error;
	if (len != sizeof(sa_family_t) && !un.un_abstract)
		return unix_bindpath(so, &un, p);
	if ((so->so_state & SS_ISBOUND) != 0)
		return EINVAL;
	if (len == sizeof(sa_family_t))
		return unix_autobind(so);
	if (unix_findabstract(un.un_name, un.un_len) != NULL)
		return EADDRINUSE;
	unix_setaddr(so, &un);
	LIST_INSERT_HEAD(&unix_abstract, so, so_bound);
	return 0;
}

static int
unix_nop(struct socket *so)
{

	return 0;
}

static int
unix_lookup(struct socket *so, const struct sockaddr *sa, socklen_t len,
    struct proc *p, struct socket **sop, bool *gone)
{
	struct unixname un;
	struct nameidata ni;
	struct vnode *vp;
	int error;

	*gone = false;
	if ((error = unix_name(sa, len, &un)) != 0)
		return error;
	if (un.un_abstract) {
		*sop = unix_findabstract(un.un_name, un.un_len);
		return *sop != NULL ? 0 : ECONNREFUSED;
	}
	if (un.un_len == 0)
		return ENOENT;
	if ((error = namei(unix_cwd(p), un.un_name, &p->p_cred, NI_FOLLOW,
	    &ni)) != 0)
		return error;
	vp = ni.ni_vp;
	if (vp == NULL)
		error = ENOENT;
	else if ((error = vn_access(vp, &p->p_cred, VWRITE)) != 0)
		;
	else if (vp->v_type != VSOCK || vp->v_socket == NULL)
		error = ECONNREFUSED;
	else
		*sop = vp->v_socket;
	namei_done(&ni);
	return error;
}

static void
unix_connaddr(struct socket *so, struct socket *lso, struct socket *nso,
    const struct sockaddr *sa, socklen_t len)
{

	if (lso != NULL) {
		memcpy(&so->so_faddr, &lso->so_laddr, lso->so_laddrlen);
		so->so_faddrlen = lso->so_laddrlen;
	}
	if (nso == NULL)
		return;
	memcpy(&nso->so_laddr, &lso->so_laddr, lso->so_laddrlen);
	nso->so_laddrlen = lso->so_laddrlen;
	memcpy(&nso->so_faddr, &so->so_laddr, so->so_laddrlen);
	nso->so_faddrlen = so->so_laddrlen;
}

static void
unix_srcaddr(struct socket *so, struct socket *target,
    struct sockaddr_storage *ss, socklen_t *len)
{

	memcpy(ss, &so->so_laddr, sizeof(*ss));
	*len = so->so_laddrlen;
}

static void
unix_detach(struct socket *so)
{
	struct vnode *vp = so->so_vp;

	if (vp != NULL) {
		vp->v_socket = NULL;
		so->so_vp = NULL;
		vrele(vp);
	} else if ((so->so_state & SS_ISBOUND) != 0)
		LIST_REMOVE(so, so_bound);
	so->so_state &= ~SS_ISBOUND;
}

const struct sodomain unixdomain = {
	.dom_family = AF_UNIX,
	.dom_bind = unix_bind,
	.dom_autobind = unix_nop,
	.dom_lookup = unix_lookup,
	.dom_connaddr = unix_connaddr,
	.dom_srcaddr = unix_srcaddr,
	.dom_detach = unix_detach,
};
