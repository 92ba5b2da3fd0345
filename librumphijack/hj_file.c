/*
 * hj_file.c -- calls on an open descriptor: I/O, seeking, attributes,
 * fcntl, dup and close.  A kernel descriptor goes to rump_sys_*, any
 * other to the host.  glibc's 64-bit names (pread64, lseek64,
 * fstat64...) are the same functions on LP64 and are defined here as
 * the same code.  Calls the kernel does not have are in hj_fdhost.c.
 *
 * Record locks (fcntl F_SETLK and the like) succeed without locking:
 * the kernel is one host's, its only users the clients of one server.
 */
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/uio.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <unistd.h>

#include <rump/rump_syscalls.h>

#include "hijack_int.h"

DECL_HOST(read);
DECL_HOST(write);
DECL_HOST(pread);
DECL_HOST(pwrite);
DECL_HOST(readv);
DECL_HOST(writev);
DECL_HOST(preadv);
DECL_HOST(pwritev);
DECL_HOST(close);
DECL_HOST(lseek);
DECL_HOST(fstat);
DECL_HOST(ftruncate);
DECL_HOST(fsync);
DECL_HOST(fdatasync);
DECL_HOST(fchmod);
DECL_HOST(fchown);
DECL_HOST(futimens);
DECL_HOST(fstatfs);
DECL_HOST(fcntl);
DECL_HOST(dup);
DECL_HOST(dup2);
DECL_HOST(dup3);
DECL_HOST(getdents64);
DECL_HOST(close_range);

#define ALIAS(from, to)	__typeof__(to) from __attribute__((__alias__(#to)))

ssize_t
read(int fd, void *buf, size_t n)
{
	int k;

	if ((k = hj_kfd(fd)) != -1)
		return rump_sys_read(k, buf, n);
	return HOST(read)(fd, buf, n);
}

ssize_t
write(int fd, const void *buf, size_t n)
{
	int k;

	if ((k = hj_kfd(fd)) != -1)
		return rump_sys_write(k, buf, n);
	return HOST(write)(fd, buf, n);
}

ssize_t
pread(int fd, void *buf, size_t n, off_t off)
{
	int k;

	if ((k = hj_kfd(fd)) != -1)
		return rump_sys_pread(k, buf, n, off);
	return HOST(pread)(fd, buf, n, off);
}
ALIAS(pread64, pread);

ssize_t
pwrite(int fd, const void *buf, size_t n, off_t off)
{
	int k;

	if ((k = hj_kfd(fd)) != -1)
		return rump_sys_pwrite(k, buf, n, off);
	return HOST(pwrite)(fd, buf, n, off);
}
ALIAS(pwrite64, pwrite);

ssize_t
readv(int fd, const struct iovec *iov, int cnt)
{
	int k;

	if ((k = hj_kfd(fd)) != -1)
		return rump_sys_readv(k, iov, cnt);
	return HOST(readv)(fd, iov, cnt);
}

ssize_t
writev(int fd, const struct iovec *iov, int cnt)
{
	int k;

	if ((k = hj_kfd(fd)) != -1)
		return rump_sys_writev(k, iov, cnt);
	return HOST(writev)(fd, iov, cnt);
}

ssize_t
preadv(int fd, const struct iovec *iov, int cnt, off_t off)
{
	int k;

	if ((k = hj_kfd(fd)) != -1)
		return rump_sys_preadv(k, iov, cnt, off);
	return HOST(preadv)(fd, iov, cnt, off);
}
ALIAS(preadv64, preadv);

ssize_t
pwritev(int fd, const struct iovec *iov, int cnt, off_t off)
{
	int k;

	if ((k = hj_kfd(fd)) != -1)
		return rump_sys_pwritev(k, iov, cnt, off);
	return HOST(pwritev)(fd, iov, cnt, off);
}
ALIAS(pwritev64, pwritev);

int
close(int fd)
{

	if (hj_kfd(fd) != -1)
		return hj_close_kfd(fd);
	/* librumpclient's socket is not the program's to close */
	if (fd == hj_connfd && hj_ready && !hj_inlib)
		return 0;
	return HOST(close)(fd);
}

/* the host's part of closefrom/close_range, around the socket */
static void
hj_closehost(unsigned int lo, unsigned int hi, int flags)
{
	unsigned int c = (unsigned int)hj_connfd;

	if (hj_connfd < 0 || c < lo || c > hi || !hj_ready) {
		(void)HOST(close_range)(lo, hi, flags);
		return;
	}
	if (c > lo)
		(void)HOST(close_range)(lo, c - 1, flags);
	if (c < hi)
		(void)HOST(close_range)(c + 1, hi, flags);
}

/* aliases in [lo, hi] go too; the kernel's own descriptors stay */
static void
hj_closealiases(unsigned int lo, unsigned int hi)
{
	unsigned int n;

	for (n = lo; n <= hi && n < (unsigned int)hj_fdoff; n++)
		if (hj_alias_get((int)n) != -1)
			hj_alias_clear((int)n);
}

void
closefrom(int lo)
{

	if (lo < 0)
		lo = 0;
	hj_closealiases((unsigned int)lo, ~0U);
	hj_closehost((unsigned int)lo, ~0U, 0);
}

int
close_range(unsigned int lo, unsigned int hi, int flags)
{

	if (lo > hi) {
		errno = EINVAL;
		return -1;
	}
	if ((flags & CLOSE_RANGE_CLOEXEC) == 0)
		hj_closealiases(lo, hi);
	hj_closehost(lo, hi, flags);
	return 0;
}

off_t
lseek(int fd, off_t off, int whence)
{
	int k;

	if ((k = hj_kfd(fd)) != -1)
		return rump_sys_lseek(k, off, whence);
	return HOST(lseek)(fd, off, whence);
}
ALIAS(lseek64, lseek);

int
fstat(int fd, struct stat *sb)
{
	int k;

	if ((k = hj_kfd(fd)) != -1)
		return rump_sys_fstat(k, sb);
	return HOST(fstat)(fd, sb);
}

int
fstat64(int fd, struct stat64 *sb)
{

	return fstat(fd, (struct stat *)sb);
}

/* glibc before 2.33 reached fstat through these */
int	__fxstat(int, int, struct stat *);
int
__fxstat(int ver, int fd, struct stat *sb)
{

	return fstat(fd, sb);
}
ALIAS(__fxstat64, __fxstat);

int
ftruncate(int fd, off_t len)
{
	int k;

	if ((k = hj_kfd(fd)) != -1)
		return rump_sys_ftruncate(k, len);
	return HOST(ftruncate)(fd, len);
}
ALIAS(ftruncate64, ftruncate);

int
fsync(int fd)
{
	int k;

	if ((k = hj_kfd(fd)) != -1)
		return rump_sys_fsync(k);
	return HOST(fsync)(fd);
}

int
fdatasync(int fd)
{
	int k;

	if ((k = hj_kfd(fd)) != -1)
		return rump_sys_fdatasync(k);
	return HOST(fdatasync)(fd);
}

int
fchmod(int fd, mode_t mode)
{
	int k;

	if ((k = hj_kfd(fd)) != -1)
		return rump_sys_fchmod(k, mode);
	return HOST(fchmod)(fd, mode);
}

int
fchown(int fd, uid_t uid, gid_t gid)
{
	int k;

	if ((k = hj_kfd(fd)) != -1)
		return rump_sys_fchown(k, uid, gid);
	return HOST(fchown)(fd, uid, gid);
}

int
futimens(int fd, const struct timespec ts[2])
{
	int k;

	if ((k = hj_kfd(fd)) != -1)
		return rump_sys_futimens(k, ts);
	return HOST(futimens)(fd, ts);
}

int
fstatfs(int fd, struct statfs *sb)
{
	int k;

	if ((k = hj_kfd(fd)) != -1)
		return rump_sys_fstatfs(k, sb);
	return HOST(fstatfs)(fd, sb);
}

int
fstatfs64(int fd, struct statfs64 *sb)
{

	return fstatfs(fd, (struct statfs *)sb);
}

ssize_t
getdents64(int fd, void *buf, size_t n)
{
	int k;

	if ((k = hj_kfd(fd)) != -1)
		return rump_sys_getdents64(k, buf, n);
	return HOST(getdents64)(fd, buf, n);
}

/* fcntl on a kernel descriptor: F_DUPFD's floor is a program number */
static int
hj_kfcntl(int fd, int k, int cmd, long arg)
{
	long min;
	int r;

	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		min = arg - hj_fdoff;
		r = rump_sys_fcntl(k, cmd, min < 0 ? 0L : min);
		return arg <= 2 ? hj_ret_kfd(r) : hj_ret_kfd_high(r);
	case F_GETLK:
	case F_OFD_GETLK:
		((struct flock *)arg)->l_type = F_UNLCK;
		return 0;
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		return 0;
	case F_SETFD:
		/* an alias keeps its flag on both sides (hj_fd.c) */
		if ((r = rump_sys_fcntl(k, cmd, arg)) != -1 && fd < hj_fdoff)
			(void)HOST(fcntl)(fd, cmd, arg);
		return r;
	default:
		return rump_sys_fcntl(k, cmd, arg);
	}
}

int
fcntl(int fd, int cmd, ...)
{
	va_list ap;
	long arg;
	int k;

	va_start(ap, cmd);
	arg = va_arg(ap, long);
	va_end(ap);
	if ((k = hj_kfd(fd)) != -1)
		return hj_kfcntl(fd, k, cmd, arg);
	if (fd == hj_connfd && hj_ready && !hj_inlib &&
	    (cmd == F_SETFD || cmd == F_SETFL)) {
		/* the socket's flags are librumpclient's */
		return 0;
	}
	return HOST(fcntl)(fd, cmd, arg);
}
ALIAS(fcntl64, fcntl);

int
dup(int fd)
{
	int k;

	if ((k = hj_kfd(fd)) != -1)
		return hj_ret_kfd(rump_sys_dup(k));
	return HOST(dup)(fd);
}

/*
 * dup3 in all its cases: onto the kernel's range, onto an alias or a
 * host number (making an alias), from the host onto an alias (ending
 * it).
 */
static int
hj_dup3(int old, int new, int flags, bool isdup2)
{
	int ko, kn;

	ko = hj_kfd(old);
	if (!hj_ready || hj_inlib || (ko == -1 && hj_kfd(new) == -1 &&
	    new < hj_fdoff && new != hj_connfd))
		return isdup2 ? HOST(dup2)(old, new) : HOST(dup3)(old, new,
		    flags);
	if (new < 0 || (flags & ~O_CLOEXEC) != 0) {
		errno = EINVAL;
		return -1;
	}
	if (new == hj_connfd) {
		errno = EBUSY;
		return -1;
	}
	if (old == new) {
		if (!isdup2) {
			errno = EINVAL;
			return -1;
		}
		return ko != -1 || fcntl(old, F_GETFD) != -1 ? new : -1;
	}
	if (new >= hj_fdoff) {
		if (ko == -1) {
			/* no host descriptor lives up there */
			errno = EBADF;
			return -1;
		}
		kn = rump_sys_dup3(ko, new - hj_fdoff, flags);
		return kn == -1 ? -1 : new;
	}
	if (ko != -1)
		return hj_alias_set(new, ko, flags & O_CLOEXEC);
	/* a host descriptor onto an alias */
	hj_alias_clear(new);
	return isdup2 ? HOST(dup2)(old, new) : HOST(dup3)(old, new, flags);
}

int
dup2(int old, int new)
{

	return hj_dup3(old, new, 0, true);
}

int
dup3(int old, int new, int flags)
{

	return hj_dup3(old, new, flags, false);
}
