/*
 * hj_open.c -- open and its names.
 *
 * glibc reaches the open system call under several names: open64,
 * the fortified __open_2 and __openat_2 (and their 64 forms) that
 * programs built with _FORTIFY_SOURCE call, and creat.  Each is
 * defined here, so a program goes to the kernel whichever one it was
 * built against.  A new kernel descriptor is the program's through
 * hj_ret_kfd() (hj_fd.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>

#include <rump/rump_syscalls.h>

#include "hijack_int.h"

DECL_HOST(open);
DECL_HOST(openat);

/* the mode argument is there only with O_CREAT or O_TMPFILE */
#define OPENMODE(flags, mode) do {					\
	va_list ap_;							\
	(mode) = 0;							\
	if (((flags) & O_CREAT) != 0 ||					\
	    ((flags) & O_TMPFILE) == O_TMPFILE) {			\
		va_start(ap_, flags);					\
		(mode) = (mode_t)va_arg(ap_, int);			\
		va_end(ap_);						\
	}								\
} while (0)

static int
hj_open(const char *path, int flags, mode_t mode)
{
	const char *kp;

	if ((kp = hj_kpath(path)) != NULL)
		return hj_ret_kfd(rump_sys_open(kp, flags, mode));
	return HOST(open)(path, flags, mode);
}

static int
hj_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	const char *kp;
	int kd;

	if (hj_atpath(dirfd, path, &kd, &kp))
		return hj_ret_kfd(rump_sys_openat(kd, kp, flags, mode));
	return HOST(openat)(dirfd, path, flags, mode);
}

int
open(const char *path, int flags, ...)
{
	mode_t mode;

	OPENMODE(flags, mode);
	return hj_open(path, flags, mode);
}

int
open64(const char *path, int flags, ...)
{
	mode_t mode;

	OPENMODE(flags, mode);
	return hj_open(path, flags, mode);
}

int	__open_2(const char *, int);
int	__open64_2(const char *, int);
int	__openat_2(int, const char *, int);
int	__openat64_2(int, const char *, int);

int
__open_2(const char *path, int flags)
{

	return hj_open(path, flags, 0);
}

int
__open64_2(const char *path, int flags)
{

	return hj_open(path, flags, 0);
}

int
openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode;

	OPENMODE(flags, mode);
	return hj_openat(dirfd, path, flags, mode);
}

int
openat64(int dirfd, const char *path, int flags, ...)
{
	mode_t mode;

	OPENMODE(flags, mode);
	return hj_openat(dirfd, path, flags, mode);
}

int
__openat_2(int dirfd, const char *path, int flags)
{

	return hj_openat(dirfd, path, flags, 0);
}

int
__openat64_2(int dirfd, const char *path, int flags)
{

	return hj_openat(dirfd, path, flags, 0);
}

int
creat(const char *path, mode_t mode)
{

	return hj_open(path, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

int
creat64(const char *path, mode_t mode)
{

	return hj_open(path, O_CREAT | O_WRONLY | O_TRUNC, mode);
}
