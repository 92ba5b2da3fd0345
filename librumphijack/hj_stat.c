/*
 * hj_stat.c -- stat and its names, statfs, statvfs and pathconf.
 *
 * glibc reaches stat under many names: the 64 forms, fstatat and
 * statx, and the __xstat family that programs built before glibc 2.33
 * still call.  statvfs and pathconf ask glibc's internal statfs, so
 * they are made here from the kernel's statfs, or answered with the
 * kernel file system's limits.
 */
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <rump/rump_syscalls.h>

#include "hijack_int.h"

DECL_HOST(stat);
DECL_HOST(lstat);
DECL_HOST(fstatat);
DECL_HOST(statx);
DECL_HOST(statfs);
DECL_HOST(pathconf);
DECL_HOST(statvfs);

/* stat and its names */

int
fstatat(int dirfd, const char *path, struct stat *sb, int flags)
{
	const char *kp;
	int kd;

	if (path[0] == '\0' && (flags & AT_EMPTY_PATH) &&
	    (kd = hj_kfd(dirfd)) != -1)
		return rump_sys_fstat(kd, sb);
	if (hj_atpath(dirfd, path, &kd, &kp))
		return rump_sys_fstatat(kd, kp, sb, flags);
	return HOST(fstatat)(dirfd, path, sb, flags);
}

int
fstatat64(int dirfd, const char *path, struct stat64 *sb, int flags)
{

	return fstatat(dirfd, path, (struct stat *)sb, flags);
}

int
stat(const char *path, struct stat *sb)
{
	const char *kp;

	if ((kp = hj_kpath(path)) != NULL)
		return rump_sys_stat(kp, sb);
	return HOST(stat)(path, sb);
}

int
stat64(const char *path, struct stat64 *sb)
{

	return stat(path, (struct stat *)sb);
}

int
lstat(const char *path, struct stat *sb)
{
	const char *kp;

	if ((kp = hj_kpath(path)) != NULL)
		return rump_sys_lstat(kp, sb);
	return HOST(lstat)(path, sb);
}

int
lstat64(const char *path, struct stat64 *sb)
{

	return lstat(path, (struct stat *)sb);
}

int	__xstat(int, const char *, struct stat *);
int	__xstat64(int, const char *, struct stat64 *);
int	__lxstat(int, const char *, struct stat *);
int	__lxstat64(int, const char *, struct stat64 *);
int	__fxstatat(int, int, const char *, struct stat *, int);
int	__fxstatat64(int, int, const char *, struct stat64 *, int);

int
__xstat(int ver, const char *path, struct stat *sb)
{

	return stat(path, sb);
}

int
__xstat64(int ver, const char *path, struct stat64 *sb)
{

	return stat(path, (struct stat *)sb);
}

int
__lxstat(int ver, const char *path, struct stat *sb)
{

	return lstat(path, sb);
}

int
__lxstat64(int ver, const char *path, struct stat64 *sb)
{

	return lstat(path, (struct stat *)sb);
}

int
__fxstatat(int ver, int dirfd, const char *path, struct stat *sb, int fl)
{

	return fstatat(dirfd, path, sb, fl);
}

int
__fxstatat64(int ver, int dirfd, const char *path, struct stat64 *sb, int fl)
{

	return fstatat(dirfd, path, (struct stat *)sb, fl);
}

int
statx(int dirfd, const char *path, int flags, unsigned int mask,
    struct statx *sx)
{
	const char *kp;
	int kd;

	if (path[0] == '\0' && (flags & AT_EMPTY_PATH) &&
	    (kd = hj_kfd(dirfd)) != -1)
		return rump_sys_statx(kd, path, flags, mask, sx);
	if (hj_atpath(dirfd, path, &kd, &kp))
		return rump_sys_statx(kd, kp, flags, mask, sx);
	return HOST(statx)(dirfd, path, flags, mask, sx);
}

int
statfs(const char *path, struct statfs *sb)
{
	const char *kp;

	if ((kp = hj_kpath(path)) != NULL)
		return rump_sys_statfs(kp, sb);
	return HOST(statfs)(path, sb);
}

int
statfs64(const char *path, struct statfs64 *sb)
{

	return statfs(path, (struct statfs *)sb);
}


/*
 * The limits of the kernel's file system (glibc's pathconf asks the
 * host's statfs): Linux's names and paths; -1 with errno untouched is
 * "no limit", as pathconf(3) says.
 */
long
hj_kpathconf(int name)
{

	switch (name) {
	case _PC_NAME_MAX:
		return 255;
	case _PC_PATH_MAX:
		return 4096;
	case _PC_PIPE_BUF:
		return 4096;
	case _PC_LINK_MAX:
		return 65000;
	case _PC_NO_TRUNC:
	case _PC_CHOWN_RESTRICTED:
		return 1;
	case _PC_FILESIZEBITS:
		return 64;
	}
	return -1;
}

long
pathconf(const char *path, int name)
{
	struct stat sb;

	if (hj_kpath(path) == NULL)
		return HOST(pathconf)(path, name);
	if (stat(path, &sb) == -1)
		return -1;
	return hj_kpathconf(name);
}

/* statvfs from the kernel's statfs (glibc's asks the host's) */
void
hj_statvfs(const struct statfs *sf, struct statvfs *sv)
{

	memset(sv, 0, sizeof(*sv));
	sv->f_bsize = (unsigned long)sf->f_bsize;
	sv->f_frsize = (unsigned long)(sf->f_frsize != 0 ? sf->f_frsize :
	    sf->f_bsize);
	sv->f_blocks = sf->f_blocks;
	sv->f_bfree = sf->f_bfree;
	sv->f_bavail = sf->f_bavail;
	sv->f_files = sf->f_files;
	sv->f_ffree = sf->f_ffree;
	sv->f_favail = sf->f_ffree;
	memcpy(&sv->f_fsid, &sf->f_fsid, sizeof(sv->f_fsid) <
	    sizeof(sf->f_fsid) ? sizeof(sv->f_fsid) : sizeof(sf->f_fsid));
	sv->f_flag = (unsigned long)sf->f_flags & ~0x20UL;	/* ST_VALID */
	sv->f_namemax = (unsigned long)sf->f_namelen;
}

int
statvfs(const char *path, struct statvfs *sv)
{
	struct statfs sf;
	const char *kp;

	if ((kp = hj_kpath(path)) == NULL)
		return HOST(statvfs)(path, sv);
	if (rump_sys_statfs(kp, &sf) == -1)
		return -1;
	hj_statvfs(&sf, sv);
	return 0;
}

int
statvfs64(const char *path, struct statvfs64 *sv)
{

	return statvfs(path, (struct statvfs *)sv);
}
