/*
 * hj_init.c -- librumphijack's start: read RUMPHIJACK, keep the host's
 * descriptors below the kernel's, connect to the rump kernel.
 *
 * The constructor connects before main(), as NetBSD's rumphijack
 * does: a program that forks or execs must already be a kernel
 * process for its children to inherit one.  A program that cannot
 * connect stops with one line; running on without the kernel would
 * send its /rump paths to the host.
 *
 * RUMPHIJACK is a comma-separated list (rumphijack(3)):
 *	path=/prefix	paths under /prefix go to the kernel, prefix
 *			stripped (default /rump)
 *	fdoff=N		kernel descriptors start at N (default 512)
 *	socket=LIST	socket families created in the kernel, words
 *			joined by ':' (all, local, unix, inet, inet6,
 *			none, and no<family>; default none)
 * After exec the new image finds RUMPHIJACK__DUP2INFO (aliases, see
 * hj_fd.c) and RUMPHIJACK__PWDINRUMP (the current directory is in
 * the kernel) in its environment, left there by hj_proc.c.
 */
#include <sys/resource.h>

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rump/rumpclient.h>
#include <rump/rump_syscalls.h>

#include "hijack_int.h"
#include "rumpclient_int.h"

#define HJ_DEFAULT	"path=/rump"
#define HJ_FDOFF	512	/* NetBSD's FD_SETSIZE / 2 */

bool		hj_ready;
__thread int	hj_inlib;
int		hj_fdoff = HJ_FDOFF;
const char	*hj_prefix = "/rump";
size_t		hj_prefixlen = 5;

void *
hj_dlsym(const char *name)
{
	void *p;

	if ((p = dlsym(RTLD_NEXT, name)) == NULL) {
		fprintf(stderr, "rumphijack: no host %s: %s\n", name,
		    dlerror());
		_exit(127);
	}
	return p;
}

void
hj_fatal(const char *what, int error)
{

	fprintf(stderr, "rumphijack: %s: %s\n", what, strerror(error));
	_exit(1);
}

/* one "key=value" of RUMPHIJACK */
static void
hj_option(char *opt)
{
	char *v, *end, *w, *last;
	long n;

	if ((v = strchr(opt, '=')) == NULL)
		hj_fatal(opt, EINVAL);
	*v++ = '\0';
	if (strcmp(opt, "path") == 0) {
		/* "/" alone would take the whole host away */
		if (v[0] != '/' || v[1] == '\0' || strlen(v) >= PATH_MAX)
			hj_fatal("RUMPHIJACK path= must be an absolute path "
			    "other than /", EINVAL);
		hj_prefixlen = strlen(v);
		while (hj_prefixlen > 1 && v[hj_prefixlen - 1] == '/')
			v[--hj_prefixlen] = '\0';
		hj_prefix = v;
	} else if (strcmp(opt, "fdoff") == 0) {
		errno = 0;
		n = strtol(v, &end, 10);
		if (*v == '\0' || *end != '\0' || errno != 0 || n < 16 ||
		    n > 1 << 20)
			hj_fatal("RUMPHIJACK fdoff= must be 16..1048576",
			    EINVAL);
		hj_fdoff = (int)n;
	} else if (strcmp(opt, "socket") == 0) {
		for (w = strtok_r(v, ":", &last); w != NULL;
		    w = strtok_r(NULL, ":", &last))
			if (hj_sock_option(w) == -1) {
				fprintf(stderr, "rumphijack: RUMPHIJACK "
				    "socket=: unknown family %s\n", w);
				_exit(1);
			}
	} else {
		fprintf(stderr, "rumphijack: unknown RUMPHIJACK option %s\n",
		    opt);
		_exit(1);
	}
}

static void
hj_parse(void)
{
	const char *env;
	char *s, *opt, *last;

	if ((env = getenv("RUMPHIJACK")) == NULL || *env == '\0')
		env = HJ_DEFAULT;
	/* kept for the life of the process: hj_prefix points into it */
	if ((s = strdup(env)) == NULL)
		hj_fatal("RUMPHIJACK", ENOMEM);
	for (opt = strtok_r(s, ",", &last); opt != NULL;
	    opt = strtok_r(NULL, ",", &last))
		hj_option(opt);
}

/*
 * The host hands out the lowest free descriptor; a soft limit of
 * hj_fdoff keeps every host descriptor below the kernel's.
 */
static void
hj_limitfds(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return;
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (rlim_t)hj_fdoff) {
		rl.rlim_cur = (rlim_t)hj_fdoff;
		if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < rl.rlim_cur)
			rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* in hijack_int.h's order; released in the reverse */
static pthread_mutex_t *const hj_mtxs[] = {
	&hj_aliasmtx, &hj_dirmtx, &hj_ckmtx, &hj_popenmtx, &hj_factmtx,
};
#define HJ_NMTX	(sizeof(hj_mtxs) / sizeof(hj_mtxs[0]))

static void
hj_atfork_prepare(void)
{
	size_t i;

	for (i = 0; i < HJ_NMTX; i++)
		pthread_mutex_lock(hj_mtxs[i]);
}

static void
hj_atfork_release(void)
{
	size_t i;

	for (i = HJ_NMTX; i > 0; i--)
		pthread_mutex_unlock(hj_mtxs[i - 1]);
}

__attribute__((__constructor__))
static void
hj_init(void)
{
	const char *v;
	bool fresh;
	int fd;

	hj_parse();
	hj_limitfds();
	if (pthread_atfork(hj_atfork_prepare, hj_atfork_release,
	    hj_atfork_release) != 0)
		hj_fatal("pthread_atfork", ENOMEM);
	fresh = getenv("RUMPCLIENT__EXECFD") == NULL;
	/*
	 * One socket of librumpclient's is kept out of the program's way
	 * (hj_connfd, hj_fd.c): none per thread.
	 */
	rc_tconn_forbid();
	hj_inlib = 1;
	if (rumpclient_init() == -1)
		hj_fatal("cannot reach the rump kernel (RUMP_SERVER)", errno);
	hj_inlib = 0;
	/*
	 * A new kernel process starts with 0-2 on /dev/console; here they
	 * would only be descriptors hj_fdoff..+2 the program never opened.
	 */
	if (fresh) {
		for (fd = 0; fd < 3; fd++)
			(void)rump_sys_close(fd);
		hj_umask_sync();
	}
	if ((v = getenv("RUMPHIJACK__DUP2INFO")) != NULL)
		hj_alias_import(v);
	if ((v = getenv("RUMPHIJACK__PWDINRUMP")) != NULL)
		hj_cwd_rump = strcmp(v, "1") == 0;
	unsetenv("RUMPHIJACK__DUP2INFO");
	unsetenv("RUMPHIJACK__PWDINRUMP");
	hj_ready = true;
	for (fd = 0; fd < 3; fd++)
		if (hj_alias_get(fd) != -1)
			hj_stdio_alias(fd);
}
