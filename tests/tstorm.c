/*
 * tstorm.c -- the clients of the kill storm (test_killstorm.c): each
 * role keeps the server busy in its own way until it is killed, which
 * is its only way out.
 *
 *	tstorm threads		four threads calling in a loop
 *	tstorm forker		fork a child that calls and exits, wait, again
 *	tstorm prefork		fork images made and abandoned, up to the
 *				limit, then a blocked read
 *	tstorm exec N		exec itself, N deep, then loop calling
 *	tstorm reader		one read that never returns
 *	tstorm netcall RETRY	with rumpclient_setconnretry(RETRY), a read
 *				that waits until the connection breaks, then
 *				a getpid: prints "up PID", "read RET ERRNO"
 *				and "getpid PID ERRNO" (test_netns.c)
 *	tstorm count NAME	print a kern.sysproxy counter and exit
 *	tstorm procs		print the processes other than 0, 1 and us
 *
 * Each prints "up" once it has its process, so that the storm can
 * count the clients that got going.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rump/rumpclient.h>
#include <rump/rumpdefs.h>
#include <rump/rump_syscalls.h>

static char self[PATH_MAX];

static void
up(void)
{

	printf("up\n");
	fflush(stdout);
}

/* a blocked read on a pipe nobody writes to */
static void
block(void)
{
	char c;
	int p[2];

	if (rump_sys_pipe2(p, 0) == 0)
		(void)rump_sys_read(p[0], &c, 1);
	pause();
}

static void *
caller(void *arg)
{
	struct stat st;
	int fd;

	(void)arg;
	for (;;) {
		(void)rump_sys_getpid();
		if ((fd = rump_sys_open("/dev/zero", O_RDONLY)) != -1) {
			(void)rump_sys_fstat(fd, &st);
			(void)rump_sys_close(fd);
		}
	}
	return NULL;
}

static void
role_threads(void)
{
	pthread_t t;
	int i;

	for (i = 0; i < 3; i++)
		pthread_create(&t, NULL, caller, NULL);
	up();
	caller(NULL);
}

static void
role_forker(void)
{
	pid_t hp;
	int st;

	up();
	for (;;) {
		if ((hp = rumpclient_fork()) == 0) {
			(void)rump_sys_getpid();
			_exit(0);
		}
		if (hp > 0)
			(void)waitpid(hp, &st, 0);
		(void)rump_sys_wait4(-1, &st, 0, NULL);
	}
}

static void
role_prefork(void)
{
	int i;

	for (i = 0; i < 8; i++)
		if (rumpclient_prefork() == NULL)
			break;
	up();
	block();
}

static void
role_exec(int n)
{
	extern char **environ;
	static char exec[] = "exec";
	char num[16], *argv[] = { self, exec, num, NULL };

	if (n <= 0) {
		up();
		caller(NULL);
	}
	snprintf(num, sizeof(num), "%d", n - 1);
	rumpclient_exec(self, argv, environ);
	_exit(1);
}

static int
role_netcall(const char *retry)
{
	ssize_t r;
	pid_t pid;
	char c;
	int p[2];

	rumpclient_setconnretry(atoi(retry));
	if (rump_sys_pipe2(p, 0) == -1)
		return 1;
	printf("up %d\n", (int)rump_sys_getpid());
	fflush(stdout);
	errno = 0;
	r = rump_sys_read(p[0], &c, 1);
	printf("read %zd %d\n", r, errno);
	fflush(stdout);
	errno = 0;
	pid = rump_sys_getpid();
	printf("getpid %d %d\n", (int)pid, errno);
	fflush(stdout);
	return 0;
}

static int
counter(const char *name)
{
	int q[2] = { RUMP_CTL_SYSCTL, RUMP_SYSCTL_NAME2OID }, mib[4];
	size_t mlen = sizeof(mib), vlen;
	int64_t v;

	if (rump_sys___sysctl(q, 2, mib, &mlen, name, strlen(name)) == -1)
		return 1;
	vlen = sizeof(v);
	if (rump_sys___sysctl(mib, (unsigned)(mlen / sizeof(int)), &v,
	    &vlen, NULL, 0) == -1)
		return 1;
	printf("%lld\n", (long long)v);
	return 0;
}

static int
procs(void)
{
	struct rump_procinfo pi[1024];
	pid_t me = rump_sys_getpid();
	ssize_t n;
	int i, c = 0;

	if ((n = rump_sys_proclist(pi, sizeof(pi))) == -1)
		return 1;
	for (i = 0; i < n / (ssize_t)sizeof(pi[0]); i++)
		if (pi[i].rpi_pid > 1 && pi[i].rpi_pid != me)
			c++;
	printf("%d\n", c);
	return 0;
}

int
main(int argc, char *argv[])
{
	ssize_t n;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0 || argc < 2)
		return 2;
	self[n] = '\0';
	if (rumpclient_init() == -1) {
		fprintf(stderr, "tstorm: rumpclient_init: %s\n",
		    strerror(errno));
		return 1;
	}
	if (strcmp(argv[1], "threads") == 0)
		role_threads();
	else if (strcmp(argv[1], "forker") == 0)
		role_forker();
	else if (strcmp(argv[1], "prefork") == 0)
		role_prefork();
	else if (strcmp(argv[1], "exec") == 0 && argc == 3)
		role_exec(atoi(argv[2]));
	else if (strcmp(argv[1], "reader") == 0) {
		up();
		block();
	} else if (strcmp(argv[1], "netcall") == 0 && argc == 3)
		return role_netcall(argv[2]);
	else if (strcmp(argv[1], "count") == 0 && argc == 3)
		return counter(argv[2]);
	else if (strcmp(argv[1], "procs") == 0)
		return procs();
	return 2;
}
