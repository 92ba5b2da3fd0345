/*
 * hj_tmp.c -- temporary files and real paths in the kernel.
 *
 * glibc's mkstemp family and realpath use its internal open, mkdir,
 * lstat and readlink; a template or path under the prefix is done
 * here instead, with this library's calls, and others go to glibc.
 * sed -i, sort and install make their temporary files beside their
 * output, which may be in the kernel.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hijack_int.h"

#define HJ_TMPTRIES	1000

DECL_HOST(mkstemp);
DECL_HOST(mkostemp);
DECL_HOST(mkstemps);
DECL_HOST(mkostemps);
DECL_HOST(mkdtemp);
DECL_HOST(realpath);

/* fill the six Xs before the suffix; -1 (EINVAL) if there are none */
static int
hj_tmpname(char *tmpl, int suffixlen, char **xp)
{
	static const char set[] =
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	size_t len = strlen(tmpl);
	char *x;
	int i;

	if (suffixlen < 0 || len < 6 + (size_t)suffixlen) {
		errno = EINVAL;
		return -1;
	}
	x = tmpl + len - suffixlen - 6;
	if (*xp == NULL && strncmp(x, "XXXXXX", 6) != 0) {
		errno = EINVAL;
		return -1;
	}
	*xp = x;
	for (i = 0; i < 6; i++)
		x[i] = set[arc4random_uniform(sizeof(set) - 1)];
	return 0;
}

/* a kernel file (dir false) or directory made from tmpl */
static int
hj_mktemp(char *tmpl, int suffixlen, int flags, bool dir)
{
	char *x = NULL;
	int i, fd;

	for (i = 0; i < HJ_TMPTRIES; i++) {
		if (hj_tmpname(tmpl, suffixlen, &x) == -1)
			return -1;
		if (dir)
			fd = mkdir(tmpl, 0700);
		else
			fd = open(tmpl, O_RDWR | O_CREAT | O_EXCL |
			    (flags & (O_APPEND | O_CLOEXEC | O_SYNC)), 0600);
		if (fd != -1 || errno != EEXIST)
			return fd;
	}
	errno = EEXIST;
	return -1;
}

int
mkstemp(char *tmpl)
{

	if (hj_kpath(tmpl) == NULL)
		return HOST(mkstemp)(tmpl);
	return hj_mktemp(tmpl, 0, 0, false);
}

int
mkostemp(char *tmpl, int flags)
{

	if (hj_kpath(tmpl) == NULL)
		return HOST(mkostemp)(tmpl, flags);
	return hj_mktemp(tmpl, 0, flags, false);
}

int
mkstemps(char *tmpl, int suffixlen)
{

	if (hj_kpath(tmpl) == NULL)
		return HOST(mkstemps)(tmpl, suffixlen);
	return hj_mktemp(tmpl, suffixlen, 0, false);
}

int
mkostemps(char *tmpl, int suffixlen, int flags)
{

	if (hj_kpath(tmpl) == NULL)
		return HOST(mkostemps)(tmpl, suffixlen, flags);
	return hj_mktemp(tmpl, suffixlen, flags, false);
}

int
mkstemp64(char *tmpl)
{

	return mkstemp(tmpl);
}

int
mkostemp64(char *tmpl, int flags)
{

	return mkostemp(tmpl, flags);
}

int
mkstemps64(char *tmpl, int suffixlen)
{

	return mkstemps(tmpl, suffixlen);
}

int
mkostemps64(char *tmpl, int suffixlen, int flags)
{

	return mkostemps(tmpl, suffixlen, flags);
}

char *
mkdtemp(char *tmpl)
{

	if (hj_kpath(tmpl) == NULL)
		return HOST(mkdtemp)(tmpl);
	return hj_mktemp(tmpl, 0, 0, true) == -1 ? NULL : tmpl;
}

/*
 * realpath of a kernel path, in program terms: the current directory
 * (for a relative path) and then each component, following symbolic
 * links with lstat and readlink, at most 40 of them as Linux does.
 * Every intermediate is a program path, so a link that points out of
 * the prefix leaves the kernel just as the program would.
 */
static char *
hj_realpath(const char *path, char *out)
{
	char res[PATH_MAX], rest[PATH_MAX], link[PATH_MAX], *r, *comp;
	struct stat sb;
	size_t rl;
	ssize_t n;
	int links = 0;

	if (strlcpy(rest, path, sizeof(rest)) >= sizeof(rest)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	if (path[0] == '/')
		strlcpy(res, "/", sizeof(res));
	else if (getcwd(res, sizeof(res)) == NULL)
		return NULL;
	for (r = rest; *r != '\0';) {
		while (*r == '/')
			r++;
		comp = r;
		while (*r != '\0' && *r != '/')
			r++;
		if (*r == '/')
			*r++ = '\0';
		if (*comp == '\0' || strcmp(comp, ".") == 0)
			continue;
		rl = strlen(res);
		if (strcmp(comp, "..") == 0) {
			while (rl > 1 && res[rl - 1] != '/')
				rl--;
			res[rl > 1 ? rl - 1 : 1] = '\0';
			continue;
		}
		if ((rl > 1 && strlcat(res, "/", sizeof(res)) >= sizeof(res)) ||
		    strlcat(res, comp, sizeof(res)) >= sizeof(res)) {
			errno = ENAMETOOLONG;
			return NULL;
		}
		if (lstat(res, &sb) == -1)
			return NULL;
		if (!S_ISLNK(sb.st_mode))
			continue;
		if (++links > 40) {
			errno = ELOOP;
			return NULL;
		}
		if ((n = readlink(res, link, sizeof(link) - 1)) == -1)
			return NULL;
		link[n] = '\0';
		/* the link's target, then what was left */
		if (*r != '\0' && (strlcat(link, "/", sizeof(link)) >=
		    sizeof(link) || strlcat(link, r, sizeof(link)) >=
		    sizeof(link))) {
			errno = ENAMETOOLONG;
			return NULL;
		}
		strlcpy(rest, link, sizeof(rest));
		r = rest;
		if (link[0] == '/')
			strlcpy(res, "/", sizeof(res));
		else {
			/* relative to the link's directory */
			while (rl > 1 && res[rl - 1] != '/')
				rl--;
			res[rl > 1 ? rl - 1 : 1] = '\0';
		}
	}
	if (out == NULL)
		return strdup(res);
	strlcpy(out, res, PATH_MAX);
	return out;
}

char *
realpath(const char *path, char *out)
{

	if (path == NULL || path[0] == '\0' || hj_kpath(path) == NULL)
		return HOST(realpath)(path, out);
	return hj_realpath(path, out);
}

char *
canonicalize_file_name(const char *path)
{

	return realpath(path, NULL);
}
