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
 * the kernel.  fileno() of these streams is -1 (rumphijack(3)).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hijack_int.h"

DECL_HOST(fopen);
DECL_HOST(fopen64);
DECL_HOST(fdopen);

static ssize_t
hj_ck_read(void *ck, char *buf, size_t n)
{

	return read((int)(intptr_t)ck, buf, n);
}

static ssize_t
hj_ck_write(void *ck, const char *buf, size_t n)
{
	ssize_t w;

	/* stdio takes 0 as an error: a short write is finished here */
	w = write((int)(intptr_t)ck, buf, n);
	return w == 0 ? -1 : w;
}

static int
hj_ck_seek(void *ck, off64_t *off, int whence)
{
	off_t r;

	if ((r = lseek((int)(intptr_t)ck, *off, whence)) == -1)
		return -1;
	*off = r;
	return 0;
}

static int
hj_ck_close(void *ck)
{

	return close((int)(intptr_t)ck);
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

	return fopencookie((void *)(intptr_t)fd, mode, hj_ck_io);
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
