/*
 * uipc_socklist.c -- socklist(2), the rump kernel's own call for
 * listing its sockets (for rump.sockstat): one struct rump_sockinfo
 * per descriptor that refers to a socket, process by process, then
 * one for each socket that no descriptor refers to.  Like proclist,
 * with a buffer too small it fills what fits and returns the bytes
 * all records need.  The records are made under the kernel lock into
 * a kernel buffer and copied out after.
 */
#include <rump/rumpdefs.h>

#include "socketvar.h"
#include "sysent.h"

static uint64_t socklist_gen;

static void
sock_info(struct socket *so, pid_t pid, int fd, struct rump_sockinfo *si)
{

	memset(si, 0, sizeof(*si));
	si->rsi_pid = pid;
	si->rsi_fd = fd;
	si->rsi_family = so->so_family;
	si->rsi_type = so->so_type;
	si->rsi_protocol = so->so_protocol;
	if ((so->so_state & SS_LISTENING) != 0)
		si->rsi_state = RUMP_SOCK_LISTEN;
	else if (so->so_head != NULL)
		si->rsi_state = RUMP_SOCK_EMBRYONIC;
	else if (so->so_peer != NULL ||
	    (so->so_type == SOCK_DGRAM && so->so_faddrlen != 0))
		si->rsi_state = RUMP_SOCK_CONNECTED;
	else if ((so->so_state & SS_WASCONNECTED) != 0)
		si->rsi_state = RUMP_SOCK_CLOSED;
	else
		si->rsi_state = RUMP_SOCK_UNCONNECTED;
	si->rsi_rcvq = (uint32_t)so->so_rcv.sb_cc;
	if (so->so_peer != NULL && so->so_type != SOCK_DGRAM)
		si->rsi_sndq = (uint32_t)so->so_peer->so_rcv.sb_cc;
	si->rsi_id = (uint64_t)(uintptr_t)so;
	si->rsi_laddrlen = so->so_laddrlen;
	memcpy(&si->rsi_laddr, &so->so_laddr, sizeof(si->rsi_laddr));
	if (so->so_laddrlen == 0) {
		si->rsi_laddr.ss_family = (sa_family_t)so->so_family;
		si->rsi_laddrlen = so->so_family == AF_INET ?
		    sizeof(struct sockaddr_in) : so->so_family == AF_INET6 ?
		    sizeof(struct sockaddr_in6) : sizeof(sa_family_t);
	}
	si->rsi_faddrlen = so->so_faddrlen;
	memcpy(&si->rsi_faddr, &so->so_faddr, sizeof(si->rsi_faddr));
}

/* how many records: an upper bound for the buffer */
static size_t
sock_count(void)
{
	struct socket *so;
	struct proc *p;
	size_t n = 0;
	int i;

	LIST_FOREACH(so, &allsockets, so_list)
		n++;
	LIST_FOREACH(p, &allproc, p_list) {
		if (p->p_fd == NULL)
			continue;
		for (i = 0; i < p->p_fd->fd_nfiles; i++) {
			if (p->p_fd->fd_ofiles[i].fe_file != NULL &&
			    p->p_fd->fd_ofiles[i].fe_file->f_type ==
			    DTYPE_SOCKET)
				n++;
		}
	}
	return n;
}

int
sys_socklist(struct lwp *l, const struct sys_socklist_args *uap,
    register_t *rv)
{
	struct rump_sockinfo *buf;
	struct socket *so;
	struct file *fp;
	struct proc *p;
	size_t size = SCARG(uap, size), n = 0, max, need, bufsz;
	int i, error;

	max = sock_count();
	bufsz = (max > 0 ? max : 1) * sizeof(*buf);
	if ((buf = kmem_alloc(bufsz)) == NULL)
		return ENOMEM;
	socklist_gen++;
	LIST_FOREACH(p, &allproc, p_list) {
		if (p->p_fd == NULL)
			continue;
		for (i = 0; i < p->p_fd->fd_nfiles && n < max; i++) {
			fp = p->p_fd->fd_ofiles[i].fe_file;
			if (fp == NULL || (so = sofromfile(fp)) == NULL)
				continue;
			so->so_listgen = socklist_gen;
			sock_info(so, p->p_pid, i, &buf[n++]);
		}
	}
	LIST_FOREACH(so, &allsockets, so_list) {
		if (so->so_listgen != socklist_gen && n < max)
			sock_info(so, 0, -1, &buf[n++]);
	}
	need = n * sizeof(*buf);
	error = copyout(buf, SCARG(uap, buf), need < size ? need :
	    size - size % sizeof(*buf));
	kmem_free(buf, bufsz);
	if (error == 0)
		rv[0] = (register_t)need;
	return error;
}
