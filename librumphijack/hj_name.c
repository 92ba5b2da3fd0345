/*
 * hj_name.c -- calls on names: access, and the name space (mkdir,
 * unlink, rename, links) and its attributes (modes, owners, times,
 * sizes, nodes).
 *
 * A call with two paths (rename, link) whose paths are on different
 * sides fails with EXDEV, as between two file systems; mv and cp then
 * copy.
 */
#include <sys/stat.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <utime.h>

#include <rump/rump_syscalls.h>

#include "hijack_int.h"

DECL_HOST(access);
DECL_HOST(faccessat);
DECL_HOST(euidaccess);
DECL_HOST(mkdir);
DECL_HOST(mkdirat);
DECL_HOST(rmdir);
DECL_HOST(unlink);
DECL_HOST(unlinkat);
DECL_HOST(rename);
DECL_HOST(renameat);
DECL_HOST(renameat2);
DECL_HOST(link);
DECL_HOST(linkat);
DECL_HOST(symlink);
DECL_HOST(symlinkat);
DECL_HOST(readlink);
DECL_HOST(readlinkat);
DECL_HOST(chmod);
DECL_HOST(fchmodat);
DECL_HOST(chown);
DECL_HOST(lchown);
DECL_HOST(fchownat);
DECL_HOST(utimensat);
DECL_HOST(utime);
DECL_HOST(utimes);
DECL_HOST(lutimes);
DECL_HOST(truncate);
DECL_HOST(mknod);
DECL_HOST(mknodat);
DECL_HOST(mkfifo);
DECL_HOST(mkfifoat);
DECL_HOST(futimesat);
DECL_HOST(lchmod);

/* access */

int
access(const char *path, int mode)
{
	const char *kp;

	if ((kp = hj_kpath(path)) != NULL)
		return rump_sys_access(kp, mode);
	return HOST(access)(path, mode);
}

int
faccessat(int dirfd, const char *path, int mode, int flags)
{
	const char *kp;
	int kd;

	if (hj_atpath(dirfd, path, &kd, &kp))
		return rump_sys_faccessat(kd, kp, mode, flags);
	return HOST(faccessat)(dirfd, path, mode, flags);
}

int
euidaccess(const char *path, int mode)
{
	const char *kp;

	if ((kp = hj_kpath(path)) != NULL)
		return rump_sys_faccessat(AT_FDCWD, kp, mode, AT_EACCESS);
	return HOST(euidaccess)(path, mode);
}

int
eaccess(const char *path, int mode)
{

	return euidaccess(path, mode);
}

/* the name space */

int
mkdir(const char *path, mode_t mode)
{
	const char *kp;

	if ((kp = hj_kpath(path)) != NULL)
		return rump_sys_mkdir(kp, mode);
	return HOST(mkdir)(path, mode);
}

int
mkdirat(int dirfd, const char *path, mode_t mode)
{
	const char *kp;
	int kd;

	if (hj_atpath(dirfd, path, &kd, &kp))
		return rump_sys_mkdirat(kd, kp, mode);
	return HOST(mkdirat)(dirfd, path, mode);
}

int
rmdir(const char *path)
{
	const char *kp;

	if ((kp = hj_kpath(path)) != NULL)
		return rump_sys_rmdir(kp);
	return HOST(rmdir)(path);
}

int
unlink(const char *path)
{
	const char *kp;

	if ((kp = hj_kpath(path)) != NULL)
		return rump_sys_unlink(kp);
	return HOST(unlink)(path);
}

int
unlinkat(int dirfd, const char *path, int flags)
{
	const char *kp;
	int kd;

	if (hj_atpath(dirfd, path, &kd, &kp))
		return rump_sys_unlinkat(kd, kp, flags);
	return HOST(unlinkat)(dirfd, path, flags);
}

/*
 * Two paths: 2 both kernel, 0 both host, -1 (EXDEV) one of each.
 */
static int
hj_two(int d1, const char *p1, int d2, const char *p2, int *k1,
    const char **kp1, int *k2, const char **kp2)
{
	int a, b;

	a = hj_atpath(d1, p1, k1, kp1);
	b = hj_atpath(d2, p2, k2, kp2);
	if (a != b) {
		errno = EXDEV;
		return -1;
	}
	return a ? 2 : 0;
}

int
renameat2(int d1, const char *p1, int d2, const char *p2, unsigned int fl)
{
	const char *kp1, *kp2;
	int k1, k2;

	switch (hj_two(d1, p1, d2, p2, &k1, &kp1, &k2, &kp2)) {
	case -1:
		return -1;
	case 2:
		return rump_sys_renameat2(k1, kp1, k2, kp2, fl);
	}
	return HOST(renameat2)(d1, p1, d2, p2, fl);
}

int
renameat(int d1, const char *p1, int d2, const char *p2)
{
	const char *kp1, *kp2;
	int k1, k2;

	switch (hj_two(d1, p1, d2, p2, &k1, &kp1, &k2, &kp2)) {
	case -1:
		return -1;
	case 2:
		return rump_sys_renameat(k1, kp1, k2, kp2);
	}
	return HOST(renameat)(d1, p1, d2, p2);
}

int
rename(const char *p1, const char *p2)
{
	const char *kp1, *kp2;
	int k1, k2;

	switch (hj_two(AT_FDCWD, p1, AT_FDCWD, p2, &k1, &kp1, &k2, &kp2)) {
	case -1:
		return -1;
	case 2:
		return rump_sys_rename(kp1, kp2);
	}
	return HOST(rename)(p1, p2);
}

int
linkat(int d1, const char *p1, int d2, const char *p2, int fl)
{
	const char *kp1, *kp2;
	int k1, k2;

	switch (hj_two(d1, p1, d2, p2, &k1, &kp1, &k2, &kp2)) {
	case -1:
		return -1;
	case 2:
		return rump_sys_linkat(k1, kp1, k2, kp2, fl);
	}
	return HOST(linkat)(d1, p1, d2, p2, fl);
}

int
link(const char *p1, const char *p2)
{
	const char *kp1, *kp2;
	int k1, k2;

	switch (hj_two(AT_FDCWD, p1, AT_FDCWD, p2, &k1, &kp1, &k2, &kp2)) {
	case -1:
		return -1;
	case 2:
		return rump_sys_link(kp1, kp2);
	}
	return HOST(link)(p1, p2);
}

/* a symbolic link's target is its contents: never translated */
int
symlinkat(const char *target, int dirfd, const char *path)
{
	const char *kp;
	int kd;

	if (hj_atpath(dirfd, path, &kd, &kp))
		return rump_sys_symlinkat(target, kd, kp);
	return HOST(symlinkat)(target, dirfd, path);
}

int
symlink(const char *target, const char *path)
{
	const char *kp;

	if ((kp = hj_kpath(path)) != NULL)
		return rump_sys_symlink(target, kp);
	return HOST(symlink)(target, path);
}

ssize_t
readlinkat(int dirfd, const char *path, char *buf, size_t len)
{
	const char *kp;
	int kd;

	if (hj_atpath(dirfd, path, &kd, &kp))
		return rump_sys_readlinkat(kd, kp, buf, len);
	return HOST(readlinkat)(dirfd, path, buf, len);
}

ssize_t
readlink(const char *path, char *buf, size_t len)
{
	const char *kp;

	if ((kp = hj_kpath(path)) != NULL)
		return rump_sys_readlink(kp, buf, len);
	return HOST(readlink)(path, buf, len);
}

/* modes, owners, times, sizes, nodes */

int
chmod(const char *path, mode_t mode)
{
	const char *kp;

	if ((kp = hj_kpath(path)) != NULL)
		return rump_sys_chmod(kp, mode);
	return HOST(chmod)(path, mode);
}

int
fchmodat(int dirfd, const char *path, mode_t mode, int flags)
{
	const char *kp;
	int kd;

	if (hj_atpath(dirfd, path, &kd, &kp))
		return rump_sys_fchmodat(kd, kp, mode, flags);
	return HOST(fchmodat)(dirfd, path, mode, flags);
}

int
chown(const char *path, uid_t uid, gid_t gid)
{
	const char *kp;

	if ((kp = hj_kpath(path)) != NULL)
		return rump_sys_chown(kp, uid, gid);
	return HOST(chown)(path, uid, gid);
}

int
lchown(const char *path, uid_t uid, gid_t gid)
{
	const char *kp;

	if ((kp = hj_kpath(path)) != NULL)
		return rump_sys_lchown(kp, uid, gid);
	return HOST(lchown)(path, uid, gid);
}

int
fchownat(int dirfd, const char *path, uid_t uid, gid_t gid, int flags)
{
	const char *kp;
	int kd;

	if (path[0] == '\0' && (flags & AT_EMPTY_PATH) &&
	    (kd = hj_kfd(dirfd)) != -1)
		return rump_sys_fchown(kd, uid, gid);
	if (hj_atpath(dirfd, path, &kd, &kp))
		return rump_sys_fchownat(kd, kp, uid, gid, flags);
	return HOST(fchownat)(dirfd, path, uid, gid, flags);
}

int
utimensat(int dirfd, const char *path, const struct timespec ts[2],
    int flags)
{
	const char *kp;
	int kd;

	if (hj_atpath(dirfd, path, &kd, &kp))
		return rump_sys_utimensat(kd, kp, ts, flags);
	return HOST(utimensat)(dirfd, path, ts, flags);
}

/* the old time calls, as utimensat with microseconds made nanoseconds */
static int
hj_utimes(const char *kp, const struct timeval tv[2], int flags)
{
	struct timespec ts[2];

	if (tv == NULL)
		return rump_sys_utimensat(AT_FDCWD, kp, NULL, flags);
	ts[0].tv_sec = tv[0].tv_sec;
	ts[0].tv_nsec = tv[0].tv_usec * 1000;
	ts[1].tv_sec = tv[1].tv_sec;
	ts[1].tv_nsec = tv[1].tv_usec * 1000;
	return rump_sys_utimensat(AT_FDCWD, kp, ts, flags);
}

int
utimes(const char *path, const struct timeval tv[2])
{
	const char *kp;

	if ((kp = hj_kpath(path)) != NULL)
		return hj_utimes(kp, tv, 0);
	return HOST(utimes)(path, tv);
}

int
lutimes(const char *path, const struct timeval tv[2])
{
	const char *kp;

	if ((kp = hj_kpath(path)) != NULL)
		return hj_utimes(kp, tv, AT_SYMLINK_NOFOLLOW);
	return HOST(lutimes)(path, tv);
}

int
utime(const char *path, const struct utimbuf *ub)
{
	struct timeval tv[2];
	const char *kp;

	if ((kp = hj_kpath(path)) == NULL)
		return HOST(utime)(path, ub);
	if (ub == NULL)
		return hj_utimes(kp, NULL, 0);
	tv[0].tv_sec = ub->actime;
	tv[0].tv_usec = 0;
	tv[1].tv_sec = ub->modtime;
	tv[1].tv_usec = 0;
	return hj_utimes(kp, tv, 0);
}

int
truncate(const char *path, off_t len)
{
	const char *kp;

	if ((kp = hj_kpath(path)) != NULL)
		return rump_sys_truncate(kp, len);
	return HOST(truncate)(path, len);
}

int
truncate64(const char *path, off64_t len)
{

	return truncate(path, len);
}

int
mknod(const char *path, mode_t mode, dev_t dev)
{
	const char *kp;

	if ((kp = hj_kpath(path)) != NULL)
		return rump_sys_mknod(kp, mode, dev);
	return HOST(mknod)(path, mode, dev);
}

int
mknodat(int dirfd, const char *path, mode_t mode, dev_t dev)
{
	const char *kp;
	int kd;

	if (hj_atpath(dirfd, path, &kd, &kp))
		return rump_sys_mknodat(kd, kp, mode, dev);
	return HOST(mknodat)(dirfd, path, mode, dev);
}

int
mkfifo(const char *path, mode_t mode)
{
	const char *kp;

	if ((kp = hj_kpath(path)) != NULL)
		return rump_sys_mknod(kp, S_IFIFO | (mode & 07777), 0);
	return HOST(mkfifo)(path, mode);
}

int
mkfifoat(int dirfd, const char *path, mode_t mode)
{
	const char *kp;
	int kd;

	if (hj_atpath(dirfd, path, &kd, &kp))
		return rump_sys_mknodat(kd, kp, S_IFIFO | (mode & 07777), 0);
	return HOST(mkfifoat)(dirfd, path, mode);
}

int
futimesat(int dirfd, const char *path, const struct timeval tv[2])
{
	struct timespec ts[2];
	const char *kp;
	int kd;

	if (!hj_atpath(dirfd, path, &kd, &kp))
		return HOST(futimesat)(dirfd, path, tv);
	if (tv == NULL)
		return rump_sys_utimensat(kd, kp, NULL, 0);
	ts[0].tv_sec = tv[0].tv_sec;
	ts[0].tv_nsec = tv[0].tv_usec * 1000;
	ts[1].tv_sec = tv[1].tv_sec;
	ts[1].tv_nsec = tv[1].tv_usec * 1000;
	return rump_sys_utimensat(kd, kp, ts, 0);
}

int
lchmod(const char *path, mode_t mode)
{
	const char *kp;

	if ((kp = hj_kpath(path)) != NULL)
		return rump_sys_fchmodat(AT_FDCWD, kp, mode,
		    AT_SYMLINK_NOFOLLOW);
	return HOST(lchmod)(path, mode);
}
