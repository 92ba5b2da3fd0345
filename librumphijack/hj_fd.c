/*
 * hj_fd.c -- the descriptor scheme: which side a program's descriptor
 * is on, the aliases that dup2() makes below hj_fdoff, and keeping
 * librumpclient's own socket out of the program's way.
 *
 * Kernel descriptor k is program descriptor k + hj_fdoff (NetBSD's
 * scheme).  The host stays below hj_fdoff by its soft RLIMIT_NOFILE
 * (hj_init.c, and setrlimit/prlimit here keep it there).
 *
 * An alias is a program descriptor n < hj_fdoff that refers to a
 * kernel descriptor: dup2(kernelfd, 1) is what a shell does for
 * "> /rump/f".  The kernel gets a descriptor of its own for it
 * (F_DUPFD of the source), the host's n is pointed at /dev/null so
 * the host does not give n to the next open(), and n's close-on-exec
 * flag is kept on both sides, so that after execve either both are
 * there (and RUMPHIJACK__DUP2INFO says so) or neither.
 *
 * librumpclient's socket is moved to the top of the host's range
 * (hj_fdoff - 1, or just below when a fork child still holds its
 * parent's there), and its eventfds just below that, where a
 * program's lowest-free allocation does not reach; close() of it is refused quietly and dup2() onto it fails,
 * so a program that closes "all" its descriptors keeps its kernel.
 */
#include <sys/resource.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rump/rump_syscalls.h>

#include "hijack_int.h"

int		hj_connfd = -1;
static int	*hj_alias;		/* [hj_fdoff]: kernel fd + 1, or 0 */
pthread_mutex_t hj_aliasmtx = PTHREAD_MUTEX_INITIALIZER;

DECL_HOST(socket);
DECL_HOST(eventfd);
DECL_HOST(close);
DECL_HOST(open);
DECL_HOST(dup3);
DECL_HOST(setrlimit);
DECL_HOST(prlimit);

int
hj_kfd(int fd)
{
	int a;

	if (!hj_ready || hj_inlib || fd < 0)
		return -1;
	if (fd >= hj_fdoff)
		return fd - hj_fdoff;
	if (hj_alias != NULL && (a = hj_alias[fd]) != 0)
		return a - 1;
	return -1;
}

/*
 * The lowest of 0, 1 and 2 that is free on the host and no alias, or
 * -1.  POSIX gives open and dup the lowest free number, and programs
 * redirect a standard stream by closing it first: tar's child does
 * close(1) and then dup(archive), and aborts if that is not 1.
 */
static int
hj_lowstd(void)
{
	int n, e = errno;

	for (n = 0; n < 3; n++) {
		if (hj_alias_get(n) != -1 || n == hj_connfd)
			continue;
		if (fcntl(n, F_GETFD) == -1 && errno == EBADF) {
			errno = e;
			return n;
		}
	}
	errno = e;
	return -1;
}

/*
 * A rump_sys_* result that is a new kernel descriptor, as the
 * program's: k + hj_fdoff, or an alias at 0, 1 or 2 when one of them
 * is free (hj_lowstd).
 */
int
hj_ret_kfd(int kfd)
{
	int n, fl;

	if (kfd < 0)
		return kfd;
	if ((n = hj_lowstd()) != -1) {
		fl = rump_sys_fcntl(kfd, F_GETFD, 0L);
		if (fl != -1 && hj_alias_set(n, kfd, fl & FD_CLOEXEC) == n) {
			(void)rump_sys_close(kfd);
			return n;
		}
	}
	return hj_ret_kfd_high(kfd);
}

/* the same, never below hj_fdoff (F_DUPFD with a floor above 2) */
int
hj_ret_kfd_high(int kfd)
{

	if (kfd < 0)
		return kfd;
	if (kfd > INT32_MAX - hj_fdoff) {
		(void)rump_sys_close(kfd);
		errno = EMFILE;
		return -1;
	}
	return kfd + hj_fdoff;
}

int
hj_alias_get(int fd)
{

	if (hj_alias == NULL || fd < 0 || fd >= hj_fdoff ||
	    hj_alias[fd] == 0)
		return -1;
	return hj_alias[fd] - 1;
}

static int
hj_alias_table(void)
{

	if (hj_alias == NULL &&
	    (hj_alias = calloc((size_t)hj_fdoff, sizeof(*hj_alias))) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/*
 * Make program descriptor n (< hj_fdoff) refer to kernel descriptor
 * kfd: the kernel's own copy of it, /dev/null on the host's n.
 */
int
hj_alias_set(int n, int kfd, int cloexec)
{
	int nk, hfd, e;

	if (n == hj_connfd) {
		errno = EBUSY;
		return -1;
	}
	/* what stdio holds for n goes where n pointed until now */
	if ((n == 1 || n == 2) && fcntl(n, F_GETFD) != -1)
		(void)fflush(n == 1 ? stdout : stderr);
	pthread_mutex_lock(&hj_aliasmtx);
	if (hj_alias_table() == -1)
		goto fail;
	nk = rump_sys_fcntl(kfd, cloexec ? F_DUPFD_CLOEXEC : F_DUPFD, 0);
	if (nk == -1)
		goto fail;
	if ((hfd = HOST(open)("/dev/null", O_RDWR | O_CLOEXEC)) == -1) {
		e = errno;
		(void)rump_sys_close(nk);
		errno = e;
		goto fail;
	}
	if (hfd != n && HOST(dup3)(hfd, n, cloexec ? O_CLOEXEC : 0) == -1) {
		e = errno;
		(void)HOST(close)(hfd);
		(void)rump_sys_close(nk);
		errno = e;
		goto fail;
	}
	if (hfd != n)
		(void)HOST(close)(hfd);
	else if (!cloexec)
		(void)fcntl(n, F_SETFD, 0);
	if (hj_alias[n] != 0)
		(void)rump_sys_close(hj_alias[n] - 1);
	hj_alias[n] = nk + 1;
	pthread_mutex_unlock(&hj_aliasmtx);
	if (n < 3)
		hj_stdio_alias(n);
	return n;
fail:
	pthread_mutex_unlock(&hj_aliasmtx);
	return -1;
}

/* n is no alias any more: close the kernel's copy (the host's stays) */
void
hj_alias_clear(int n)
{

	pthread_mutex_lock(&hj_aliasmtx);
	if (hj_alias != NULL && n >= 0 && n < hj_fdoff && hj_alias[n] != 0) {
		(void)rump_sys_close(hj_alias[n] - 1);
		hj_alias[n] = 0;
	}
	pthread_mutex_unlock(&hj_aliasmtx);
}

/* close a program descriptor that hj_kfd() found on the kernel side */
int
hj_close_kfd(int fd)
{
	int k;

	if (fd >= hj_fdoff)
		return rump_sys_close(fd - hj_fdoff);
	if ((k = hj_alias_get(fd)) == -1) {
		errno = EBADF;
		return -1;
	}
	hj_alias_clear(fd);
	return HOST(close)(fd);
}

/* "n:k,n:k" for the next image (malloc'd), or NULL when none */
char *
hj_alias_env(void)
{
	char *s, *p;
	size_t len;
	int n;

	if (hj_alias == NULL)
		return NULL;
	len = sizeof("RUMPHIJACK__DUP2INFO=");
	for (n = 0; n < hj_fdoff; n++)
		if (hj_alias[n] != 0)
			len += 24;
	if (len == sizeof("RUMPHIJACK__DUP2INFO="))
		return NULL;
	if ((s = malloc(len)) == NULL)
		return NULL;
	p = s + strlcpy(s, "RUMPHIJACK__DUP2INFO=", len);
	for (n = 0; n < hj_fdoff; n++)
		if (hj_alias[n] != 0)
			p += snprintf(p, len - (size_t)(p - s), "%s%d:%d",
			    p[-1] == '=' ? "" : ",", n, hj_alias[n] - 1);
	return s;
}

/*
 * The old image's aliases.  One whose host descriptor is gone was
 * close-on-exec, and so the kernel has closed its copy too.
 */
void
hj_alias_import(const char *v)
{
	char *end;
	long n, k;

	if (hj_alias_table() == -1)
		return;
	while (*v != '\0') {
		n = strtol(v, &end, 10);
		if (end == v || *end != ':')
			return;
		v = end + 1;
		k = strtol(v, &end, 10);
		if (end == v || (*end != ',' && *end != '\0'))
			return;
		v = *end == ',' ? end + 1 : end;
		if (n < 0 || n >= hj_fdoff || k < 0 || k > INT32_MAX - 1)
			continue;
		if (fcntl((int)n, F_GETFD) != -1)
			hj_alias[n] = (int)k + 1;
	}
}

/*
 * A socket of a family RUMPHIJACK's socket= gives the kernel is the
 * kernel's (hj_sock.c).  librumpclient's own goes to the top of the
 * host's range.
 */
int
socket(int domain, int type, int protocol)
{
	int s, n;

	if (hj_sock_kernel(domain))
		return hj_ret_kfd(rump_sys_socket(domain, type, protocol));
	s = HOST(socket)(domain, type, protocol);
	if (s == -1 || !hj_inlib)
		return s;
	for (n = hj_fdoff - 1; n > s && n >= hj_fdoff - 8; n--) {
		if (fcntl(n, F_GETFD) != -1 || errno != EBADF)
			continue;
		if (HOST(dup3)(s, n, O_CLOEXEC) == -1)
			break;
		(void)HOST(close)(s);
		s = n;
		break;
	}
	hj_connfd = s;
	return s;
}

/* is addr code of this library (librumpclient's, compiled in)? */
static bool
hj_fromlib(const void *addr)
{
	static void *base;
	Dl_info dli;

	if (base == NULL && dladdr((void *)hj_fromlib, &dli) != 0)
		base = dli.dli_fbase;
	return base != NULL && dladdr(addr, &dli) != 0 &&
	    dli.dli_fbase == base;
}

/*
 * librumpclient's eventfds (one per calling thread) go high too, below
 * its socket, so that a shell's "exec 3> file" does not replace one.
 */
int
eventfd(unsigned int val, int flags)
{
	int fd, n;

	fd = HOST(eventfd)(val, flags);
	if (fd == -1 || !hj_fromlib(__builtin_return_address(0)))
		return fd;
	for (n = hj_fdoff - 2; n > fd && n >= hj_fdoff / 2; n--) {
		if (fcntl(n, F_GETFD) != -1 || errno != EBADF)
			continue;
		if (HOST(dup3)(fd, n, (flags & EFD_CLOEXEC) ? O_CLOEXEC : 0)
		    == -1)
			break;
		(void)HOST(close)(fd);
		return n;
	}
	return fd;
}

/* the host's soft limit on descriptors stays at or below hj_fdoff */
static void
hj_caplimit(int res, const struct rlimit *in, struct rlimit *out)
{

	*out = *in;
	if (res == RLIMIT_NOFILE && hj_ready &&
	    (out->rlim_cur == RLIM_INFINITY ||
	    out->rlim_cur > (rlim_t)hj_fdoff))
		out->rlim_cur = (rlim_t)hj_fdoff;
}

int
setrlimit(__rlimit_resource_t res, const struct rlimit *rl)
{
	struct rlimit c;

	hj_caplimit(res, rl, &c);
	return HOST(setrlimit)(res, &c);
}

int
prlimit(pid_t pid, __rlimit_resource_t res, const struct rlimit *nl,
    struct rlimit *ol)
{
	struct rlimit c;

	if (nl == NULL || (pid != 0 && pid != getpid()))
		return HOST(prlimit)(pid, res, nl, ol);
	hj_caplimit(res, nl, &c);
	return HOST(prlimit)(pid, res, &c, ol);
}
