/*
 * tool_common.c -- the parts every rump.* tool shares.
 *
 * The tools name themselves explicitly: getopt(3) prints argv[0],
 * err(3) glibc's program_invocation_short_name, and librumpclient sends
 * libbsd's getprogname() as the kernel command name; in the build tree
 * all three would otherwise be libtool's "lt-rump.cat".
 *
 * Directory reading trusts nothing about the records it gets back: a
 * record length that is too short or runs past the buffer ends the
 * listing with EIO instead of looping or reading out of bounds.
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rump/rumpclient.h>
#include <rump/rump_syscalls.h>

#include "tool.h"

/* The kernel's getdents64 record, Linux layout. */
struct dirent64_hdr {
	uint64_t	d_ino;
	int64_t		d_off;
	uint16_t	d_reclen;
	uint8_t		d_type;
} __attribute__((__packed__));
/* The name follows the 19 bytes of fixed fields. */
#define D_NAMEOFF	sizeof(struct dirent64_hdr)

#define DIRBUFSZ	(32 * 1024)

void
tool_setname(char **argv, const char *name)
{
	static char namebuf[64];

	strlcpy(namebuf, name, sizeof(namebuf));
	argv[0] = namebuf;
	program_invocation_short_name = namebuf;
	program_invocation_name = namebuf;
	setprogname(namebuf);
	/* every tool answers --version alike, before its own options */
	if (argv[1] != NULL && strcmp(argv[1], "--version") == 0 &&
	    argv[2] == NULL) {
		printf("%s (%s) %s\n", name, PACKAGE_NAME, PACKAGE_VERSION);
		exit(0);
	}
}

void
tool_connect(int verbose)
{
	const char *url;

	if (rumpclient_init() == -1) {
		if ((url = getenv("RUMP_SERVER")) == NULL)
			errx(1, "RUMP_SERVER is not set");
		if (*url == '\0')
			errx(1, "RUMP_SERVER is empty");
		if (errno == EADDRNOTAVAIL)
			errx(1, "%s: no address for this host name", url);
		err(1, "%s", url);
	}
	if (verbose)
		fprintf(stderr, "%s: rump pid %ld\n", getprogname(),
		    (long)rump_sys_getpid());
}

void
tool_freenames(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static int
addname(char ***namesp, size_t *np, size_t *capp, const char *name)
{
	char **nn;
	size_t ncap;

	if (*np == *capp) {
		ncap = *capp ? *capp * 2 : 32;
		if ((nn = reallocarray(*namesp, ncap, sizeof(*nn))) == NULL)
			return ENOMEM;
		*namesp = nn;
		*capp = ncap;
	}
	if (((*namesp)[*np] = strdup(name)) == NULL)
		return ENOMEM;
	(*np)++;
	return 0;
}

/* Append the names of the records in buf[0..len). */
static int
parse_records(const char *buf, size_t len, char ***namesp, size_t *np,
    size_t *capp)
{
	struct dirent64_hdr d;
	const char *name;
	size_t off, namemax;
	int error;

	for (off = 0; off < len; off += d.d_reclen) {
		if (len - off < D_NAMEOFF + 1)
			return EIO;
		memcpy(&d, buf + off, sizeof(d));
		if (d.d_reclen < D_NAMEOFF + 1 || d.d_reclen > len - off)
			return EIO;
		name = buf + off + D_NAMEOFF;
		namemax = d.d_reclen - D_NAMEOFF;
		if (strnlen(name, namemax) == namemax)
			return EIO;
		if ((error = addname(namesp, np, capp, name)) != 0)
			return error;
	}
	return 0;
}

int
tool_dirnames(const char *path, char ***namesp, size_t *np)
{
	char **names;
	char *buf;
	size_t n, cap;
	ssize_t len;
	int fd, error;

	if ((fd = rump_sys_open(path, O_RDONLY | O_DIRECTORY)) == -1)
		return errno;
	if ((buf = malloc(DIRBUFSZ)) == NULL) {
		rump_sys_close(fd);
		return ENOMEM;
	}
	names = NULL;
	n = cap = 0;
	error = 0;
	while ((len = rump_sys_getdents64(fd, buf, DIRBUFSZ)) > 0) {
		if ((size_t)len > DIRBUFSZ) {
			error = EIO;
			break;
		}
		if ((error = parse_records(buf, (size_t)len, &names, &n,
		    &cap)) != 0)
			break;
	}
	if (len == -1)
		error = errno;
	free(buf);
	rump_sys_close(fd);
	if (error != 0) {
		tool_freenames(names, n);
		return error;
	}
	*namesp = names;
	*np = n;
	return 0;
}

void *
tool_getlist(ssize_t (*call)(void *, size_t), size_t recsz, size_t *np)
{
	size_t size = 64 * recsz;
	ssize_t need;
	void *buf = NULL;

	for (;;) {
		if ((buf = realloc(buf, size)) == NULL)
			err(1, "malloc");
		if ((need = call(buf, size)) == -1)
			err(1, "listing the kernel's state");
		if ((size_t)need <= size)
			break;
		size = (size_t)need + 16 * recsz;
	}
	*np = (size_t)need / recsz;
	return buf;
}
