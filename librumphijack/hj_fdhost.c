/*
 * hj_fdhost.c -- calls that only the host has, on kernel descriptors.
 *
 * The kernel has no ioctl, mapping, file-to-file copy, advice,
 * preallocation or locking; glibc's isatty, pathconf and fstatvfs ask
 * calls of its own.  A kernel descriptor gets the answer a program
 * can live with: ioctl and the terminal calls ENOTTY, mmap ENODEV,
 * copy_file_range EXDEV and sendfile EINVAL (cp and cat then read and
 * write), fallocate EOPNOTSUPP; posix_fadvise and the locks succeed
 * (the kernel is one host's, its only users the clients of one
 * server); fpathconf and fstatvfs are made from the kernel's fstat and
 * fstatfs.  Every other descriptor goes to the host.
 */
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <termios.h>
#include <unistd.h>

#include <rump/rump_syscalls.h>

#include "hijack_int.h"

#define ALIAS(from, to)	__typeof__(to) from __attribute__((__alias__(#to)))

DECL_HOST(ioctl);
DECL_HOST(copy_file_range);
DECL_HOST(sendfile);
DECL_HOST(posix_fadvise);
DECL_HOST(fallocate);
DECL_HOST(posix_fallocate);
DECL_HOST(fpathconf);
DECL_HOST(isatty);
DECL_HOST(tcgetattr);
DECL_HOST(mmap);
DECL_HOST(fstatvfs);
DECL_HOST(flock);
DECL_HOST(lockf);

int
ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;
	int k;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if ((k = hj_kfd(fd)) != -1) {
		if (req == FIOCLEX || req == FIONCLEX)
			return rump_sys_fcntl(k, F_SETFD,
			    req == FIOCLEX ? (long)FD_CLOEXEC : 0L);
		errno = ENOTTY;
		return -1;
	}
	return HOST(ioctl)(fd, req, arg);
}

ssize_t
copy_file_range(int in, off_t *inoff, int out, off_t *outoff, size_t len,
    unsigned int flags)
{

	if (hj_kfd(in) != -1 || hj_kfd(out) != -1) {
		errno = EXDEV;
		return -1;
	}
	return HOST(copy_file_range)(in, inoff, out, outoff, len, flags);
}

ssize_t
sendfile(int out, int in, off_t *off, size_t n)
{

	if (hj_kfd(in) != -1 || hj_kfd(out) != -1) {
		errno = EINVAL;
		return -1;
	}
	return HOST(sendfile)(out, in, off, n);
}
ALIAS(sendfile64, sendfile);

int
posix_fadvise(int fd, off_t off, off_t len, int advice)
{

	if (hj_kfd(fd) != -1)
		return 0;
	return HOST(posix_fadvise)(fd, off, len, advice);
}
ALIAS(posix_fadvise64, posix_fadvise);

int
fallocate(int fd, int mode, off_t off, off_t len)
{

	if (hj_kfd(fd) != -1) {
		errno = EOPNOTSUPP;
		return -1;
	}
	return HOST(fallocate)(fd, mode, off, len);
}
ALIAS(fallocate64, fallocate);

int
posix_fallocate(int fd, off_t off, off_t len)
{

	if (hj_kfd(fd) != -1)
		return EOPNOTSUPP;
	return HOST(posix_fallocate)(fd, off, len);
}
ALIAS(posix_fallocate64, posix_fallocate);

long
fpathconf(int fd, int name)
{
	struct stat sb;

	if (hj_kfd(fd) == -1)
		return HOST(fpathconf)(fd, name);
	if (fstat(fd, &sb) == -1)
		return -1;
	return hj_kpathconf(name);
}

/* no kernel descriptor is a terminal (glibc asks its internal ioctl) */
int
isatty(int fd)
{

	if (hj_kfd(fd) != -1) {
		errno = ENOTTY;
		return 0;
	}
	return HOST(isatty)(fd);
}

int
tcgetattr(int fd, struct termios *t)
{

	if (hj_kfd(fd) != -1) {
		errno = ENOTTY;
		return -1;
	}
	return HOST(tcgetattr)(fd, t);
}

/* a kernel file cannot be mapped: ENODEV, as for a file that cannot */
void *
mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{

	if ((flags & MAP_ANONYMOUS) == 0 && hj_kfd(fd) != -1) {
		errno = ENODEV;
		return MAP_FAILED;
	}
	return HOST(mmap)(addr, len, prot, flags, fd, off);
}
ALIAS(mmap64, mmap);

int
fstatvfs(int fd, struct statvfs *sv)
{
	struct statfs sf;
	int k;

	if ((k = hj_kfd(fd)) == -1)
		return HOST(fstatvfs)(fd, sv);
	if (rump_sys_fstatfs(k, &sf) == -1)
		return -1;
	hj_statvfs(&sf, sv);
	return 0;
}

int
fstatvfs64(int fd, struct statvfs64 *sv)
{

	return fstatvfs(fd, (struct statvfs *)sv);
}

/* whole-file locks succeed on kernel files, as record locks do */
int
flock(int fd, int op)
{

	if (hj_kfd(fd) != -1)
		return 0;
	return HOST(flock)(fd, op);
}

int
lockf(int fd, int cmd, off_t len)
{

	if (hj_kfd(fd) != -1)
		return 0;
	return HOST(lockf)(fd, cmd, len);
}
ALIAS(lockf64, lockf);
