/*
 * rumpuser.c -- the host services the kernel needs besides threads:
 * the version handshake, memory, parameters, console output, exit and
 * panic, clocks and randomness.
 *
 * Every function returns an errno value, never -1: the translation
 * from the host's -1/errno convention happens here, once.  Parameters
 * come from the environment only; the kernel never reads it itself.
 */
#include <sys/types.h>

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rump/rumpuser.h>

#include "rumpuser_int.h"

int
rumpuser_init(int version)
{

	if (version != RUMPUSER_VERSION) {
		fprintf(stderr, "rumpuser: kernel wants hypercall version %d, "
		    "this library provides %d\n", version, RUMPUSER_VERSION);
		return EINVAL;
	}
	return 0;
}

int
rumpuser_malloc(size_t len, int alignment, void **memp)
{
	size_t align;
	void *p;
	int error;

	if (len == 0)
		len = 1;
	if (rumpuser_fault_alloc())
		return ENOMEM;
	if (alignment <= (int)sizeof(void *)) {
		if ((p = malloc(len)) == NULL)
			return ENOMEM;
		*memp = p;
		return 0;
	}
	align = (size_t)alignment;
	if ((align & (align - 1)) != 0)
		return EINVAL;
	if ((error = posix_memalign(&p, align, len)) != 0)
		return error;
	*memp = p;
	return 0;
}

void
rumpuser_free(void *mem, size_t len)
{

	free(mem);
}

/* The only parameters the host hands out; anything else is ENOENT. */
static const char *const rumpuser_params[] = {
	"RUMP_NCPU", "RUMP_MEMLIMIT", "RUMP_VERBOSE", "RUMP_HOSTNAME",
};

int
rumpuser_getparam(const char *name, void *buf, size_t blen)
{
	const char *v;
	size_t i, n;

	for (i = 0; i < sizeof(rumpuser_params) / sizeof(rumpuser_params[0]);
	    i++)
		if (strcmp(name, rumpuser_params[i]) == 0)
			break;
	if (i == sizeof(rumpuser_params) / sizeof(rumpuser_params[0]))
		return ENOENT;
	if ((v = getenv(name)) == NULL)
		return ENOENT;
	n = strlen(v);
	if (n >= blen)
		return ENAMETOOLONG;
	memcpy(buf, v, n + 1);
	return 0;
}

void
rumpuser_dprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

int
rumpuser_conswrite(const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		if ((n = write(STDERR_FILENO, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

void
rumpuser_exit(int value)
{

	if (value == RUMPUSER_PANIC)
		abort();
	exit(value);
}

void
rumpuser_panic(const char *fmt, ...)
{
	va_list ap;

	fputs("rump kernel panic: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

int
rumpuser_clock_gettime(int which, int64_t *sec, long *nsec)
{
	struct timespec ts;
	clockid_t clk;

	switch (which) {
	case RUMPUSER_CLOCK_RELWALL:
		clk = CLOCK_REALTIME;
		break;
	case RUMPUSER_CLOCK_ABSMONO:
		clk = CLOCK_MONOTONIC;
		break;
	default:
		return EINVAL;
	}
	if (clock_gettime(clk, &ts) == -1)
		return errno;
	*sec = (int64_t)ts.tv_sec;
	*nsec = ts.tv_nsec;
	return 0;
}

/* Relative sleep; a signal does not cut it short. */
int
rumpuser_clock_sleep(int64_t sec, long nsec)
{
	struct timespec ts, rem;

	if (sec < 0 || nsec < 0 || nsec >= 1000000000L)
		return EINVAL;
	ts.tv_sec = (time_t)sec;
	ts.tv_nsec = nsec;
	while (nanosleep(&ts, &rem) == -1) {
		if (errno != EINTR)
			return errno;
		ts = rem;
	}
	return 0;
}

int
rumpuser_getrandom(void *buf, size_t buflen)
{

	arc4random_buf(buf, buflen);
	return 0;
}
