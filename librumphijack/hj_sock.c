/*
 * hj_sock.c -- sockets: the families RUMPHIJACK's socket= names are
 * created in the kernel, whose network is its own (rump_net(7)); the
 * other calls follow the descriptor.
 *
 * By default no family is hijacked: the kernel's network is a
 * loopback of its own, and a program run for its files (the common
 * case) keeps its host name service and its host network.  NetBSD's
 * "socket=all:nolocal" gives NetBSD's behaviour.
 *
 * SCM_RIGHTS descriptors cross the boundary in kernel numbers: they
 * are turned into program numbers on the way in, and back (in a copy
 * of the control data) on the way out.
 *
 * socket() itself lives in hj_fd.c, which also places librumpclient's
 * own socket.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rump/rump_syscalls.h>

#include "hijack_int.h"

unsigned int	hj_sockfam;		/* HJ_SF_* */

DECL_HOST(socketpair);
DECL_HOST(bind);
DECL_HOST(listen);
DECL_HOST(accept);
DECL_HOST(accept4);
DECL_HOST(connect);
DECL_HOST(shutdown);
DECL_HOST(getsockname);
DECL_HOST(getpeername);
DECL_HOST(sendto);
DECL_HOST(recvfrom);
DECL_HOST(send);
DECL_HOST(recv);
DECL_HOST(sendmsg);
DECL_HOST(recvmsg);
DECL_HOST(setsockopt);
DECL_HOST(getsockopt);

/* one word of socket=LIST: 0 or -1 for an unknown word */
int
hj_sock_option(const char *w)
{
	static const struct {
		const char	*name;
		unsigned int	bits;
	} fams[] = {
		{ "all", HJ_SF_ALL }, { "local", HJ_SF_LOCAL },
		{ "unix", HJ_SF_LOCAL }, { "inet", HJ_SF_INET },
		{ "inet6", HJ_SF_INET6 },
	};
	size_t i;
	bool no = strncmp(w, "no", 2) == 0 && strcmp(w, "none") != 0;

	if (strcmp(w, "none") == 0) {
		hj_sockfam = 0;
		return 0;
	}
	for (i = 0; i < sizeof(fams) / sizeof(fams[0]); i++) {
		if (strcmp(w + (no ? 2 : 0), fams[i].name) != 0)
			continue;
		if (no)
			hj_sockfam &= ~fams[i].bits;
		else
			hj_sockfam |= fams[i].bits;
		return 0;
	}
	return -1;
}

bool
hj_sock_kernel(int domain)
{

	if (!hj_ready || hj_inlib)
		return false;
	switch (domain) {
	case AF_UNIX:
		return (hj_sockfam & HJ_SF_LOCAL) != 0;
	case AF_INET:
		return (hj_sockfam & HJ_SF_INET) != 0;
	case AF_INET6:
		return (hj_sockfam & HJ_SF_INET6) != 0;
	}
	return false;
}

int
socketpair(int domain, int type, int proto, int sv[2])
{

	if (!hj_sock_kernel(domain))
		return HOST(socketpair)(domain, type, proto, sv);
	if (rump_sys_socketpair(domain, type, proto, sv) == -1)
		return -1;
	sv[0] += hj_fdoff;
	sv[1] += hj_fdoff;
	return 0;
}

int
bind(int s, const struct sockaddr *sa, socklen_t len)
{
	int k;

	if ((k = hj_kfd(s)) != -1)
		return rump_sys_bind(k, sa, len);
	return HOST(bind)(s, sa, len);
}

int
listen(int s, int backlog)
{
	int k;

	if ((k = hj_kfd(s)) != -1)
		return rump_sys_listen(k, backlog);
	return HOST(listen)(s, backlog);
}

int
accept(int s, struct sockaddr *sa, socklen_t *len)
{
	int k;

	if ((k = hj_kfd(s)) != -1)
		return hj_ret_kfd(rump_sys_accept(k, sa, len));
	return HOST(accept)(s, sa, len);
}

int
accept4(int s, struct sockaddr *sa, socklen_t *len, int flags)
{
	int k;

	if ((k = hj_kfd(s)) != -1)
		return hj_ret_kfd(rump_sys_accept4(k, sa, len, flags));
	return HOST(accept4)(s, sa, len, flags);
}

int
connect(int s, const struct sockaddr *sa, socklen_t len)
{
	int k;

	if ((k = hj_kfd(s)) != -1)
		return rump_sys_connect(k, sa, len);
	return HOST(connect)(s, sa, len);
}

int
shutdown(int s, int how)
{
	int k;

	if ((k = hj_kfd(s)) != -1)
		return rump_sys_shutdown(k, how);
	return HOST(shutdown)(s, how);
}

int
getsockname(int s, struct sockaddr *sa, socklen_t *len)
{
	int k;

	if ((k = hj_kfd(s)) != -1)
		return rump_sys_getsockname(k, sa, len);
	return HOST(getsockname)(s, sa, len);
}

int
getpeername(int s, struct sockaddr *sa, socklen_t *len)
{
	int k;

	if ((k = hj_kfd(s)) != -1)
		return rump_sys_getpeername(k, sa, len);
	return HOST(getpeername)(s, sa, len);
}

ssize_t
sendto(int s, const void *buf, size_t n, int flags,
    const struct sockaddr *to, socklen_t tolen)
{
	int k;

	if ((k = hj_kfd(s)) != -1)
		return rump_sys_sendto(k, buf, n, flags, to, tolen);
	return HOST(sendto)(s, buf, n, flags, to, tolen);
}

ssize_t
recvfrom(int s, void *buf, size_t n, int flags, struct sockaddr *from,
    socklen_t *fromlen)
{
	int k;

	if ((k = hj_kfd(s)) != -1)
		return rump_sys_recvfrom(k, buf, n, flags, from, fromlen);
	return HOST(recvfrom)(s, buf, n, flags, from, fromlen);
}

ssize_t
send(int s, const void *buf, size_t n, int flags)
{
	int k;

	if ((k = hj_kfd(s)) != -1)
		return rump_sys_sendto(k, buf, n, flags, NULL, 0);
	return HOST(send)(s, buf, n, flags);
}

ssize_t
recv(int s, void *buf, size_t n, int flags)
{
	int k;

	if ((k = hj_kfd(s)) != -1)
		return rump_sys_recvfrom(k, buf, n, flags, NULL, NULL);
	return HOST(recv)(s, buf, n, flags);
}

/*
 * SCM_RIGHTS descriptors in a control buffer: into program numbers
 * (in), or into kernel numbers (out; a host descriptor is EBADF).
 */
static int
hj_cmsg_shift(struct msghdr *m, bool in)
{
	struct cmsghdr *c;
	int *fds;
	size_t i, n;

	for (c = CMSG_FIRSTHDR(m); c != NULL; c = CMSG_NXTHDR(m, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		fds = (int *)(void *)CMSG_DATA(c);
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			if (in) {
				fds[i] += hj_fdoff;
				continue;
			}
			if (hj_kfd(fds[i]) == -1) {
				/* a host descriptor cannot enter the kernel */
				errno = EBADF;
				return -1;
			}
			fds[i] = hj_kfd(fds[i]);
		}
	}
	return 0;
}

ssize_t
sendmsg(int s, const struct msghdr *m, int flags)
{
	struct msghdr km;
	ssize_t r;
	int k;

	if ((k = hj_kfd(s)) == -1)
		return HOST(sendmsg)(s, m, flags);
	if (m->msg_controllen == 0)
		return rump_sys_sendmsg(k, m, flags);
	km = *m;
	if ((km.msg_control = malloc(m->msg_controllen)) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	memcpy(km.msg_control, m->msg_control, m->msg_controllen);
	if (hj_cmsg_shift(&km, false) == -1)
		r = -1;
	else
		r = rump_sys_sendmsg(k, &km, flags);
	free(km.msg_control);
	return r;
}

ssize_t
recvmsg(int s, struct msghdr *m, int flags)
{
	ssize_t r;
	int k;

	if ((k = hj_kfd(s)) == -1)
		return HOST(recvmsg)(s, m, flags);
	if ((r = rump_sys_recvmsg(k, m, flags)) >= 0 && m->msg_controllen > 0)
		(void)hj_cmsg_shift(m, true);
	return r;
}

int
setsockopt(int s, int level, int name, const void *v, socklen_t len)
{
	int k;

	if ((k = hj_kfd(s)) != -1)
		return rump_sys_setsockopt(k, level, name, v, len);
	return HOST(setsockopt)(s, level, name, v, len);
}

int
getsockopt(int s, int level, int name, void *v, socklen_t *len)
{
	int k;

	if ((k = hj_kfd(s)) != -1)
		return rump_sys_getsockopt(k, level, name, v, len);
	return HOST(getsockopt)(s, level, name, v, len);
}
