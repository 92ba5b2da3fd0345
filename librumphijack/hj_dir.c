/*
 * hj_dir.c -- directory streams on kernel directories.
 *
 * glibc's opendir and fdopendir read with its internal getdents64,
 * which no preloaded library can reach; so a kernel directory gets a
 * stream of our own, and every DIR function asks first whether the
 * DIR it was given is one of ours.  Ours are on a list (never
 * recognised by looking inside a DIR, which for the host's is opaque);
 * hj_ndirs keeps the host's streams from taking the lock at all while
 * no kernel directory is open.
 *
 * The records that getdents64 returns are struct dirent64, which on
 * LP64 glibc is also struct dirent: readdir returns a pointer into the
 * buffer, as glibc's own does.  scandir, which glibc builds on its
 * internal opendir, is built here on ours.
 */
#include <sys/queue.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rump/rump_syscalls.h>

#include "hijack_int.h"

/* readdir_r is deprecated, but programs still call it */
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

#define HJ_DIRBUF	32768

struct hj_dir {
	LIST_ENTRY(hj_dir) d_link;
	int		d_fd;		/* the program's descriptor */
	size_t		d_pos, d_len;	/* unread records in d_buf */
	off_t		d_off;		/* the last record's d_off */
	pthread_mutex_t	d_mtx;
	char		d_buf[HJ_DIRBUF] __attribute__((__aligned__(8)));
};

static LIST_HEAD(, hj_dir) hj_dirs = LIST_HEAD_INITIALIZER(hj_dirs);
pthread_mutex_t hj_dirmtx = PTHREAD_MUTEX_INITIALIZER;
static atomic_int hj_ndirs;

DECL_HOST(opendir);
DECL_HOST(fdopendir);
DECL_HOST(closedir);
DECL_HOST(readdir);
DECL_HOST(readdir64);
DECL_HOST(readdir_r);
DECL_HOST(dirfd);
DECL_HOST(rewinddir);
DECL_HOST(seekdir);
DECL_HOST(telldir);
DECL_HOST(scandir);

static struct hj_dir *
hj_dir(DIR *d)
{
	struct hj_dir *hd;

	if (atomic_load(&hj_ndirs) == 0)
		return NULL;
	pthread_mutex_lock(&hj_dirmtx);
	LIST_FOREACH(hd, &hj_dirs, d_link)
		if ((DIR *)hd == d)
			break;
	pthread_mutex_unlock(&hj_dirmtx);
	return hd;
}

/* a stream for the program's kernel descriptor fd, a directory */
static DIR *
hj_dir_new(int fd)
{
	struct hj_dir *hd;
	struct stat sb;

	if (fstat(fd, &sb) == -1)
		return NULL;
	if (!S_ISDIR(sb.st_mode)) {
		errno = ENOTDIR;
		return NULL;
	}
	if ((hd = calloc(1, sizeof(*hd))) == NULL)
		return NULL;
	hd->d_fd = fd;
	pthread_mutex_init(&hd->d_mtx, NULL);
	pthread_mutex_lock(&hj_dirmtx);
	LIST_INSERT_HEAD(&hj_dirs, hd, d_link);
	atomic_fetch_add(&hj_ndirs, 1);
	pthread_mutex_unlock(&hj_dirmtx);
	return (DIR *)hd;
}

DIR *
opendir(const char *path)
{
	const char *kp;
	DIR *d;
	int fd, e;

	if ((kp = hj_kpath(path)) == NULL)
		return HOST(opendir)(path);
	fd = hj_ret_kfd(rump_sys_open(kp, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC, 0));
	if (fd == -1)
		return NULL;
	if ((d = hj_dir_new(fd)) == NULL) {
		e = errno;
		(void)close(fd);
		errno = e;
	}
	return d;
}

DIR *
fdopendir(int fd)
{

	if (hj_kfd(fd) == -1)
		return HOST(fdopendir)(fd);
	return hj_dir_new(fd);
}

int
closedir(DIR *d)
{
	struct hj_dir *hd;
	int fd;

	if ((hd = hj_dir(d)) == NULL)
		return HOST(closedir)(d);
	pthread_mutex_lock(&hj_dirmtx);
	LIST_REMOVE(hd, d_link);
	atomic_fetch_sub(&hj_ndirs, 1);
	pthread_mutex_unlock(&hj_dirmtx);
	fd = hd->d_fd;
	pthread_mutex_destroy(&hd->d_mtx);
	free(hd);
	return close(fd);
}

/* the next record, reading more when the buffer is used up */
static struct dirent64 *
hj_dir_next(struct hj_dir *hd)
{
	struct dirent64 *de;
	ssize_t n;

	if (hd->d_pos >= hd->d_len) {
		n = getdents64(hd->d_fd, hd->d_buf, sizeof(hd->d_buf));
		if (n <= 0)
			return NULL;	/* errno is set on error, kept at end */
		hd->d_len = (size_t)n;
		hd->d_pos = 0;
	}
	de = (struct dirent64 *)(void *)(hd->d_buf + hd->d_pos);
	hd->d_pos += de->d_reclen;
	hd->d_off = de->d_off;
	return de;
}

struct dirent *
readdir(DIR *d)
{
	struct hj_dir *hd;
	struct dirent64 *de;

	if ((hd = hj_dir(d)) == NULL)
		return HOST(readdir)(d);
	pthread_mutex_lock(&hd->d_mtx);
	de = hj_dir_next(hd);
	pthread_mutex_unlock(&hd->d_mtx);
	return (struct dirent *)de;
}

struct dirent64 *
readdir64(DIR *d)
{
	struct hj_dir *hd;
	struct dirent64 *de;

	if ((hd = hj_dir(d)) == NULL)
		return HOST(readdir64)(d);
	pthread_mutex_lock(&hd->d_mtx);
	de = hj_dir_next(hd);
	pthread_mutex_unlock(&hd->d_mtx);
	return de;
}

int
readdir_r(DIR *d, struct dirent *ent, struct dirent **res)
{
	struct hj_dir *hd;
	struct dirent64 *de;
	int e = errno;

	if ((hd = hj_dir(d)) == NULL)
		return HOST(readdir_r)(d, ent, res);
	pthread_mutex_lock(&hd->d_mtx);
	errno = 0;
	if ((de = hj_dir_next(hd)) != NULL)
		memcpy(ent, de, de->d_reclen < sizeof(*ent) ? de->d_reclen :
		    sizeof(*ent));
	pthread_mutex_unlock(&hd->d_mtx);
	*res = de != NULL ? ent : NULL;
	if (de == NULL && errno != 0)
		return errno;
	errno = e;
	return 0;
}

int
readdir64_r(DIR *d, struct dirent64 *ent, struct dirent64 **res)
{

	return readdir_r(d, (struct dirent *)ent, (struct dirent **)res);
}

int
dirfd(DIR *d)
{
	struct hj_dir *hd;

	if ((hd = hj_dir(d)) == NULL)
		return HOST(dirfd)(d);
	return hd->d_fd;
}

static void
hj_dir_seek(struct hj_dir *hd, off_t off)
{

	pthread_mutex_lock(&hd->d_mtx);
	if (lseek(hd->d_fd, off, SEEK_SET) != -1) {
		hd->d_pos = hd->d_len = 0;
		hd->d_off = off;
	}
	pthread_mutex_unlock(&hd->d_mtx);
}

void
rewinddir(DIR *d)
{
	struct hj_dir *hd;

	if ((hd = hj_dir(d)) == NULL) {
		HOST(rewinddir)(d);
		return;
	}
	hj_dir_seek(hd, 0);
}

void
seekdir(DIR *d, long off)
{
	struct hj_dir *hd;

	if ((hd = hj_dir(d)) == NULL) {
		HOST(seekdir)(d, off);
		return;
	}
	hj_dir_seek(hd, (off_t)off);
}

long
telldir(DIR *d)
{
	struct hj_dir *hd;
	long off;

	if ((hd = hj_dir(d)) == NULL)
		return HOST(telldir)(d);
	pthread_mutex_lock(&hd->d_mtx);
	off = (long)hd->d_off;
	pthread_mutex_unlock(&hd->d_mtx);
	return off;
}

/*
 * scandir of a kernel directory (glibc's opens it with its internal
 * opendir): our stream, the filter, copies of the entries, the sort.
 */
static int
hj_scandir(const char *path, struct dirent ***listp,
    int (*sel)(const struct dirent *),
    int (*cmp)(const struct dirent **, const struct dirent **))
{
	struct dirent **list = NULL, **nl, *de, *c;
	size_t n = 0, cap = 0, sz;
	DIR *d;
	int e;

	if ((d = opendir(path)) == NULL)
		return -1;
	errno = 0;
	while ((de = readdir(d)) != NULL) {
		if (sel != NULL && !sel(de))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nl = reallocarray(list, cap, sizeof(*list))) ==
			    NULL)
				goto fail;
			list = nl;
		}
		sz = offsetof(struct dirent, d_name) + strlen(de->d_name) + 1;
		if (sz < de->d_reclen)
			sz = de->d_reclen;
		if ((c = malloc(sz)) == NULL)
			goto fail;
		memcpy(c, de, sz);
		list[n++] = c;
		errno = 0;
	}
	if (errno != 0)
		goto fail;
	(void)closedir(d);
	if (cmp != NULL && n > 1)
		qsort(list, n, sizeof(*list),
		    (int (*)(const void *, const void *))cmp);
	*listp = list;
	return (int)n;
fail:
	e = errno;
	while (n > 0)
		free(list[--n]);
	free(list);
	(void)closedir(d);
	errno = e;
	return -1;
}

int
scandir(const char *path, struct dirent ***listp,
    int (*sel)(const struct dirent *),
    int (*cmp)(const struct dirent **, const struct dirent **))
{

	if (hj_kpath(path) == NULL)
		return HOST(scandir)(path, listp, sel, cmp);
	return hj_scandir(path, listp, sel, cmp);
}

int
scandir64(const char *path, struct dirent64 ***listp,
    int (*sel)(const struct dirent64 *),
    int (*cmp)(const struct dirent64 **, const struct dirent64 **))
{

	/* one layout on LP64 (see the top of this file) */
	return scandir(path, (struct dirent ***)listp,
	    (int (*)(const struct dirent *))sel,
	    (int (*)(const struct dirent **, const struct dirent **))cmp);
}
