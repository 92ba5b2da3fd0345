/*
 * hj_stdio.c -- stdio streams on kernel descriptors.
 *
 * glibc's FILE reads and writes with its internal read and write,
 * which no preloaded library can reach.  So fopen of a kernel path
 * and fdopen of a kernel descriptor make a fopencookie(3) stream whose
 * functions call the read, write, lseek and close of this library;
 * and when 0, 1 or 2 becomes an alias (a shell's "> /rump/f" before
 * exec, or dup2 in the program), stdin, stdout or stderr is replaced
 * by such a stream on that descriptor number, so that printf lands in
 * the kernel.  glibc's fileno() of such a stream is -1, so fileno and
 * fileno_unlocked are defined here too, and find the descriptor on
 * the list of our streams (sed -i checks fstat(fileno(fp))).
 */
#include <sys/queue.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hijack_int.h"

/* a stream of ours: its cookie */
struct hj_ck {
	LIST_ENTRY(hj_ck) ck_link;
	FILE		*ck_fp;
	int		ck_fd;		/* the program's descriptor */
};

static LIST_HEAD(, hj_ck) hj_cks = LIST_HEAD_INITIALIZER(hj_cks);
pthread_mutex_t hj_ckmtx = PTHREAD_MUTEX_INITIALIZER;
static atomic_int hj_ncks;

DECL_HOST(fopen);
DECL_HOST(fopen64);
DECL_HOST(fdopen);
DECL_HOST(fileno);
DECL_HOST(fileno_unlocked);

static ssize_t
hj_ck_read(void *arg, char *buf, size_t n)
{
	struct hj_ck *ck = arg;

	return read(ck->ck_fd, buf, n);
}

static ssize_t
hj_ck_write(void *arg, const char *buf, size_t n)
{
	struct hj_ck *ck = arg;
	ssize_t w;

	/* stdio takes 0 as an error: a short write is finished here */
	w = write(ck->ck_fd, buf, n);
	return w == 0 ? -1 : w;
}

static int
hj_ck_seek(void *arg, off64_t *off, int whence)
{
	struct hj_ck *ck = arg;
	off_t r;

	if ((r = lseek(ck->ck_fd, *off, whence)) == -1)
		return -1;
	*off = r;
	return 0;
}

static int
hj_ck_close(void *arg)
{
	struct hj_ck *ck = arg;
	int fd = ck->ck_fd;

	pthread_mutex_lock(&hj_ckmtx);
	LIST_REMOVE(ck, ck_link);
	atomic_fetch_sub(&hj_ncks, 1);
	pthread_mutex_unlock(&hj_ckmtx);
	free(ck);
	return close(fd);
}

static const cookie_io_functions_t hj_ck_io = {
	.read = hj_ck_read,
	.write = hj_ck_write,
	.seek = hj_ck_seek,
	.close = hj_ck_close,
};

/* fopen's mode as open flags, or -1 */
static int
hj_fmode(const char *mode)
{
	int fl;

	switch (mode[0]) {
	case 'r':
		fl = O_RDONLY;
		break;
	case 'w':
		fl = O_WRONLY | O_CREAT | O_TRUNC;
		break;
	case 'a':
		fl = O_WRONLY | O_CREAT | O_APPEND;
		break;
	default:
		return -1;
	}
	for (mode++; *mode != '\0' && *mode != ','; mode++) {
		if (*mode == '+')
			fl = (fl & ~O_ACCMODE) | O_RDWR;
		else if (*mode == 'e')
			fl |= O_CLOEXEC;
		else if (*mode == 'x')
			fl |= O_EXCL;
	}
	return fl;
}

static FILE *
hj_cookie(int fd, const char *mode)
{
	struct hj_ck *ck;
	FILE *fp;

	if ((ck = calloc(1, sizeof(*ck))) == NULL)
		return NULL;
	ck->ck_fd = fd;
	if ((fp = fopencookie(ck, mode, hj_ck_io)) == NULL) {
		free(ck);
		return NULL;
	}
	ck->ck_fp = fp;
	pthread_mutex_lock(&hj_ckmtx);
	LIST_INSERT_HEAD(&hj_cks, ck, ck_link);
	atomic_fetch_add(&hj_ncks, 1);
	pthread_mutex_unlock(&hj_ckmtx);
	return fp;
}

/* our stream's descriptor, or -1 when fp is not ours */
static int
hj_ckfd(FILE *fp)
{
	struct hj_ck *ck;
	int fd = -1;

	if (atomic_load(&hj_ncks) == 0)
		return -1;
	pthread_mutex_lock(&hj_ckmtx);
	LIST_FOREACH(ck, &hj_cks, ck_link)
		if (ck->ck_fp == fp) {
			fd = ck->ck_fd;
			break;
		}
	pthread_mutex_unlock(&hj_ckmtx);
	return fd;
}

int
fileno(FILE *fp)
{
	int fd;

	if ((fd = hj_ckfd(fp)) != -1)
		return fd;
	return HOST(fileno)(fp);
}

int
fileno_unlocked(FILE *fp)
{
	int fd;

	if ((fd = hj_ckfd(fp)) != -1)
		return fd;
	return HOST(fileno_unlocked)(fp);
}

static FILE *
hj_fopen(const char *path, const char *mode, FILE *(*host)(const char *,
    const char *))
{
	FILE *fp;
	int fd, fl, e;

	if (hj_kpath(path) == NULL)
		return host(path, mode);
	if ((fl = hj_fmode(mode)) == -1) {
		errno = EINVAL;
		return NULL;
	}
	if ((fd = open(path, fl, 0666)) == -1)
		return NULL;
	if ((fp = hj_cookie(fd, mode)) == NULL) {
		e = errno;
		(void)close(fd);
		errno = e;
	}
	return fp;
}

FILE *
fopen(const char *path, const char *mode)
{

	return hj_fopen(path, mode, HOST(fopen));
}

FILE *
fopen64(const char *path, const char *mode)
{

	return hj_fopen(path, mode, HOST(fopen64));
}

FILE *
fdopen(int fd, const char *mode)
{

	if (hj_kfd(fd) == -1)
		return HOST(fdopen)(fd, mode);
	return hj_cookie(fd, mode);
}

/*
 * Descriptor n (0-2) is now an alias: its standard stream becomes one
 * that goes through this library.  Once is enough: the stream keeps
 * working by number if n later goes back to the host.
 */
void
hj_stdio_alias(int n)
{
	static FILE *done[3];
	FILE **sp, *fp;

	sp = n == 0 ? &stdin : n == 1 ? &stdout : &stderr;
	if (done[n] != NULL && *sp == done[n])
		return;
	(void)fflush(*sp);
	if ((fp = hj_cookie(n, n == 0 ? "r" : "w")) == NULL)
		return;
	if (n == 2)
		(void)setvbuf(fp, NULL, _IONBF, 0);
	done[n] = *sp = fp;
}
