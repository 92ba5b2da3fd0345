/*
 * rumpuser_file.c -- host files for the kernel's etfs (rump_etfs(3)):
 * open, read, write, stat and list host files and directories on the
 * kernel's behalf.  The kernel never includes a host file header; it
 * sees descriptors as plain integers and attributes as struct
 * rumpuser_fattr.
 *
 * Every function returns an errno value (0 on success), translated
 * here once.  Short reads and writes are the caller's business: pread
 * and pwrite report what they moved, and EINTR is retried.  Nothing
 * here follows a symbolic link it is asked about (lstat, O_NOFOLLOW,
 * AT_SYMLINK_NOFOLLOW): the kernel resolves links in its own name
 * space, so a link inside a mapped directory never reaches a host file
 * outside it.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rump/rumpuser.h>

int
rumpuser_file_realpath(const char *path, char *buf, size_t len)
{
	char *p;

	if ((p = realpath(path, NULL)) == NULL)
		return errno;
	if (strlen(p) >= len) {
		free(p);
		return ENAMETOOLONG;
	}
	strcpy(buf, p);
	free(p);
	return 0;
}

int
rumpuser_file_open(const char *path, int flags, int mode, int *fdp)
{
	int fd, oflags;

	oflags = O_CLOEXEC | O_NOFOLLOW;
	oflags |= (flags & RUMPUSER_OPEN_RDWR) ? O_RDWR : O_RDONLY;
	if (flags & RUMPUSER_OPEN_CREATE)
		oflags |= O_CREAT | O_EXCL;
	if (flags & RUMPUSER_OPEN_DIR)
		oflags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW;
	do
		fd = open(path, oflags, (mode_t)mode);
	while (fd == -1 && errno == EINTR);
	if (fd == -1)
		return errno;
	*fdp = fd;
	return 0;
}

int
rumpuser_file_close(int fd)
{

	return close(fd) == -1 ? errno : 0;
}

static int
ftype(mode_t mode)
{

	switch (mode & S_IFMT) {
	case S_IFDIR:
		return RUMPUSER_FT_DIR;
	case S_IFREG:
		return RUMPUSER_FT_REG;
	case S_IFBLK:
		return RUMPUSER_FT_BLK;
	case S_IFCHR:
		return RUMPUSER_FT_CHR;
	case S_IFLNK:
		return RUMPUSER_FT_LNK;
	default:
		return RUMPUSER_FT_OTHER;
	}
}

int
rumpuser_file_stat(const char *path, int fd, struct rumpuser_fattr *fa)
{
	struct stat st;
	int rv;

	rv = (path != NULL) ? lstat(path, &st) : fstat(fd, &st);
	if (rv == -1)
		return errno;
	memset(fa, 0, sizeof(*fa));
	fa->fa_type = ftype(st.st_mode);
	fa->fa_mode = st.st_mode & 07777;
	fa->fa_size = (uint64_t)st.st_size;
	fa->fa_dev = st.st_dev;
	fa->fa_ino = st.st_ino;
	fa->fa_nlink = st.st_nlink;
	fa->fa_uid = st.st_uid;
	fa->fa_gid = st.st_gid;
	fa->fa_atime = st.st_atim.tv_sec;
	fa->fa_atimensec = st.st_atim.tv_nsec;
	fa->fa_mtime = st.st_mtim.tv_sec;
	fa->fa_mtimensec = st.st_mtim.tv_nsec;
	fa->fa_ctime = st.st_ctim.tv_sec;
	fa->fa_ctimensec = st.st_ctim.tv_nsec;
	return 0;
}

int
rumpuser_file_pread(int fd, void *buf, size_t len, int64_t off,
    size_t *donep)
{
	ssize_t n;

	do
		n = pread(fd, buf, len, (off_t)off);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return errno;
	*donep = (size_t)n;
	return 0;
}

int
rumpuser_file_pwrite(int fd, const void *buf, size_t len, int64_t off,
    size_t *donep)
{
	ssize_t n;

	do
		n = pwrite(fd, buf, len, (off_t)off);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return errno;
	*donep = (size_t)n;
	return 0;
}

int
rumpuser_file_truncate(int fd, int64_t len)
{

	return ftruncate(fd, (off_t)len) == -1 ? errno : 0;
}

int
rumpuser_file_sync(int fd)
{

	return fsync(fd) == -1 ? errno : 0;
}

int
rumpuser_file_getdents(int fd, int64_t *pos, void *buf, size_t len,
    size_t *usedp)
{
	struct dirent64 *d;
	ssize_t n, off;

	if (lseek(fd, (off_t)*pos, SEEK_SET) == -1)
		return errno;
	n = syscall(SYS_getdents64, fd, buf, len);
	if (n == -1)
		return errno;
	for (off = 0; off < n; off += d->d_reclen) {
		d = (struct dirent64 *)((char *)buf + off);
		*pos = d->d_off;
	}
	*usedp = (size_t)n;
	return 0;
}

int
rumpuser_file_mkdir(const char *path, int mode)
{

	return mkdir(path, (mode_t)mode) == -1 ? errno : 0;
}

int
rumpuser_file_unlink(const char *path, int isdir)
{

	return (isdir ? rmdir(path) : unlink(path)) == -1 ? errno : 0;
}

int
rumpuser_file_rename(const char *from, const char *to, int exchange)
{

	return renameat2(AT_FDCWD, from, AT_FDCWD, to,
	    exchange ? RENAME_EXCHANGE : 0) == -1 ? errno : 0;
}

int
rumpuser_file_readlink(const char *path, char *buf, size_t len,
    size_t *lenp)
{
	ssize_t n;

	if ((n = readlink(path, buf, len)) == -1)
		return errno;
	*lenp = (size_t)n;
	return 0;
}

int
rumpuser_file_symlink(const char *target, const char *path)
{

	return symlink(target, path) == -1 ? errno : 0;
}

/*
 * A hard link to from itself, not to what a symbolic link names; to an
 * open file through /proc, which needs no privilege (AT_EMPTY_PATH
 * would), so that a file whose first name is gone can still be linked.
 */
int
rumpuser_file_link(const char *from, int fd, const char *to)
{
	char proc[64];

	if (fd < 0)
		return linkat(AT_FDCWD, from, AT_FDCWD, to, 0) == -1 ?
		    errno : 0;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	return linkat(AT_FDCWD, proc, AT_FDCWD, to, AT_SYMLINK_FOLLOW) == -1 ?
	    errno : 0;
}

int
rumpuser_file_chmod(const char *path, int fd, int mode)
{
	int rv;

	rv = fd >= 0 ? fchmod(fd, (mode_t)mode) :
	    fchmodat(AT_FDCWD, path, (mode_t)mode, 0);
	return rv == -1 ? errno : 0;
}

int
rumpuser_file_chown(const char *path, int fd, uint32_t uid, uint32_t gid)
{
	int rv;

	rv = fd >= 0 ? fchown(fd, (uid_t)uid, (gid_t)gid) :
	    lchown(path, (uid_t)uid, (gid_t)gid);
	return rv == -1 ? errno : 0;
}

int
rumpuser_file_utimens(const char *path, int fd, const int64_t sec[2],
    const long nsec[2])
{
	struct timespec ts[2];
	int i, rv;

	for (i = 0; i < 2; i++) {
		ts[i].tv_sec = (time_t)sec[i];
		ts[i].tv_nsec = nsec[i];
	}
	rv = fd >= 0 ? futimens(fd, ts) :
	    utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW);
	return rv == -1 ? errno : 0;
}
