/*
 * hj_path.c -- which side a path is on, and the current directory.
 *
 * An absolute path is the kernel's when it is the prefix or starts
 * with the prefix and a slash; the kernel sees it with the prefix
 * taken off ("/rump/a" is "/a", "/rump" is "/").  No other
 * normalisation: "/rump/../etc" is the kernel's "/../etc", which is
 * its "/etc", as on NetBSD.  A relative path goes where the current
 * directory is: chdir() into the prefix moves it into the kernel
 * (hj_cwd_rump), chdir() to a host path moves it back, and getcwd()
 * puts the prefix in front of the kernel's answer.
 *
 * The file creation mask is one for both sides: umask() sets the
 * kernel's too, and hj_umask_sync() gives a new kernel process the
 * host's.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rump/rump_syscalls.h>

#include "hijack_int.h"

bool	hj_cwd_rump;

DECL_HOST(chdir);
DECL_HOST(fchdir);
DECL_HOST(getcwd);
DECL_HOST(umask);

const char *
hj_kpath(const char *path)
{

	if (!hj_ready || hj_inlib || path == NULL)
		return NULL;
	if (path[0] != '/')
		return hj_cwd_rump ? path : NULL;
	if (strncmp(path, hj_prefix, hj_prefixlen) != 0)
		return NULL;
	if (path[hj_prefixlen] == '\0')
		return "/";
	if (path[hj_prefixlen] == '/')
		return path + hj_prefixlen;
	return NULL;
}

/*
 * For the *at calls: 1 when (dirfd, path) is the kernel's, with the
 * kernel's directory descriptor and path; 0 when it is the host's.
 * An absolute path ignores dirfd, as openat(2) does.
 */
int
hj_atpath(int dirfd, const char *path, int *kdir, const char **kp)
{
	int k;

	if (!hj_ready || hj_inlib || path == NULL)
		return 0;
	if (path[0] == '/') {
		*kdir = AT_FDCWD;
		return (*kp = hj_kpath(path)) != NULL;
	}
	if (dirfd == AT_FDCWD) {
		*kdir = AT_FDCWD;
		*kp = path;
		return hj_cwd_rump;
	}
	if ((k = hj_kfd(dirfd)) == -1)
		return 0;
	*kdir = k;
	*kp = path;
	return 1;
}

int
chdir(const char *path)
{
	const char *kp;

	if (path[0] == '/' && (kp = hj_kpath(path)) != NULL) {
		if (rump_sys_chdir(kp) == -1)
			return -1;
		hj_cwd_rump = true;
		return 0;
	}
	if (hj_cwd_rump && hj_ready && !hj_inlib && path[0] != '/')
		return rump_sys_chdir(path);
	if (HOST(chdir)(path) == -1)
		return -1;
	hj_cwd_rump = false;
	return 0;
}

int
fchdir(int fd)
{
	int k;

	if ((k = hj_kfd(fd)) != -1) {
		if (rump_sys_fchdir(k) == -1)
			return -1;
		hj_cwd_rump = true;
		return 0;
	}
	if (HOST(fchdir)(fd) == -1)
		return -1;
	hj_cwd_rump = false;
	return 0;
}

/* the kernel's current directory with the prefix in front */
static char *
hj_getcwd_rump(char *buf, size_t size)
{
	char kbuf[PATH_MAX];
	size_t need;
	bool alloc = buf == NULL;

	if (rump_sys_getcwd(kbuf, sizeof(kbuf)) == -1)
		return NULL;
	need = hj_prefixlen + (strcmp(kbuf, "/") == 0 ? 0 : strlen(kbuf)) + 1;
	if (alloc) {
		if (size == 0)
			size = need;
		if ((buf = malloc(size)) == NULL)
			return NULL;
	}
	if (size < need) {
		if (alloc)
			free(buf);
		errno = size == 0 && !alloc ? EINVAL : ERANGE;
		return NULL;
	}
	memcpy(buf, hj_prefix, hj_prefixlen);
	strlcpy(buf + hj_prefixlen, strcmp(kbuf, "/") == 0 ? "" : kbuf,
	    size - hj_prefixlen);
	return buf;
}

char *
getcwd(char *buf, size_t size)
{

	if (hj_cwd_rump && hj_ready && !hj_inlib)
		return hj_getcwd_rump(buf, size);
	return HOST(getcwd)(buf, size);
}

char *
get_current_dir_name(void)
{

	return getcwd(NULL, 0);
}

mode_t
umask(mode_t mask)
{

	if (hj_ready && !hj_inlib)
		(void)rump_sys_umask(mask);
	return HOST(umask)(mask);
}

void
hj_umask_sync(void)
{
	mode_t m;

	m = HOST(umask)(022);
	(void)HOST(umask)(m);
	(void)rump_sys_umask(m);
}
