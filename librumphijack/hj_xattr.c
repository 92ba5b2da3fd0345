/*
 * hj_xattr.c -- extended attributes: the kernel's file system has
 * none.  Programs ask anyway (ls -l for SELinux labels and ACLs, cp -a
 * to copy them): a kernel path or descriptor has an empty list, and
 * getting, setting or removing one is ENOTSUP, which they take as "no
 * such support here" rather than as an error about the file.
 */
#include <sys/xattr.h>

#include <errno.h>

#include "hijack_int.h"

DECL_HOST(getxattr);
DECL_HOST(lgetxattr);
DECL_HOST(fgetxattr);
DECL_HOST(setxattr);
DECL_HOST(lsetxattr);
DECL_HOST(fsetxattr);
DECL_HOST(listxattr);
DECL_HOST(llistxattr);
DECL_HOST(flistxattr);
DECL_HOST(removexattr);
DECL_HOST(lremovexattr);
DECL_HOST(fremovexattr);

static int
hj_notsup(void)
{

	errno = ENOTSUP;
	return -1;
}

ssize_t
getxattr(const char *path, const char *name, void *v, size_t n)
{

	if (hj_kpath(path) != NULL)
		return hj_notsup();
	return HOST(getxattr)(path, name, v, n);
}

ssize_t
lgetxattr(const char *path, const char *name, void *v, size_t n)
{

	if (hj_kpath(path) != NULL)
		return hj_notsup();
	return HOST(lgetxattr)(path, name, v, n);
}

ssize_t
fgetxattr(int fd, const char *name, void *v, size_t n)
{

	if (hj_kfd(fd) != -1)
		return hj_notsup();
	return HOST(fgetxattr)(fd, name, v, n);
}

int
setxattr(const char *path, const char *name, const void *v, size_t n, int fl)
{

	if (hj_kpath(path) != NULL)
		return hj_notsup();
	return HOST(setxattr)(path, name, v, n, fl);
}

int
lsetxattr(const char *path, const char *name, const void *v, size_t n, int fl)
{

	if (hj_kpath(path) != NULL)
		return hj_notsup();
	return HOST(lsetxattr)(path, name, v, n, fl);
}

int
fsetxattr(int fd, const char *name, const void *v, size_t n, int fl)
{

	if (hj_kfd(fd) != -1)
		return hj_notsup();
	return HOST(fsetxattr)(fd, name, v, n, fl);
}

ssize_t
listxattr(const char *path, char *list, size_t n)
{

	if (hj_kpath(path) != NULL)
		return 0;
	return HOST(listxattr)(path, list, n);
}

ssize_t
llistxattr(const char *path, char *list, size_t n)
{

	if (hj_kpath(path) != NULL)
		return 0;
	return HOST(llistxattr)(path, list, n);
}

ssize_t
flistxattr(int fd, char *list, size_t n)
{

	if (hj_kfd(fd) != -1)
		return 0;
	return HOST(flistxattr)(fd, list, n);
}

int
removexattr(const char *path, const char *name)
{

	if (hj_kpath(path) != NULL)
		return hj_notsup();
	return HOST(removexattr)(path, name);
}

int
lremovexattr(const char *path, const char *name)
{

	if (hj_kpath(path) != NULL)
		return hj_notsup();
	return HOST(lremovexattr)(path, name);
}

int
fremovexattr(int fd, const char *name)
{

	if (hj_kfd(fd) != -1)
		return hj_notsup();
	return HOST(fremovexattr)(fd, name);
}
