/*
 * tcover.c -- a client that makes, in the kernel, what test_tool_opts
 * needs and no rump.* tool can make: files of every type and mode
 * bit, sockets of every family, zombies and fork images.
 *
 *	tcover files DIR	make DIR's entries (see files()) and exit
 *	tcover hold N		make sockets, N fork images and two zombies,
 *				print "ready", hold them until stdin ends
 *	tcover daemon PATH	rumpclient_daemon(0, 0), then write to the
 *				kernel file PATH what the daemon sees
 *	tcover rethreads N	reconnect forever; print the rump pid, wait
 *				for a line, then N threads call getpid at once
 *				and their answers are printed on one line
 *	tcover block		print "ready", then sleep in the kernel (a
 *				read of an empty pipe) until killed
 *	tcover call		print "rv errno" of rumpclient_init, then of
 *				a getpid
 *	tcover forkfail		rumpclient_fork with no descriptor left for
 *				its pipe: print its errno, then the number of
 *				processes in the kernel before and after
 *	tcover execchain N	print the rump pid, exec itself N times with
 *				the environment it was given, print it again
 *	tcover bigread		write 1 MiB to a kernel file and read it back
 *				in one call (its reply is larger than any
 *				socket buffer); print "ok"
 *
 * Exits 0, or 1 with one line naming the call that failed.
 */
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rump/rumpclient.h>
#include <rump/rump_syscalls.h>

#define CHK(call)	do { if ((call) == -1) err(1, "%s", #call); } while (0)

static void
mkfile(const char *dir, const char *name, int mode)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = rump_sys_open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) ==
	    -1)
		err(1, "%s", path);
	CHK(rump_sys_write(fd, "data\n", 5));
	CHK(rump_sys_close(fd));
	CHK(rump_sys_chmod(path, mode));
}

/* a socket's name stays in the directory after the socket is closed */
static void
sockfile(const char *dir)
{
	struct sockaddr_un sun;
	int s;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/sock", dir);
	CHK(s = rump_sys_socket(AF_UNIX, SOCK_STREAM, 0));
	CHK(rump_sys_bind(s, (struct sockaddr *)&sun, sizeof(sun)));
	CHK(rump_sys_close(s));
}

/*
 * DIR/file (0644), suid (04755), suidnx (04644), sgid (02755), sgidnx
 * (02644), link -> file, sticky/ (01777), stickynx/ (01776),
 * chr (a device node 1,3), blk (7,0), sock (a bound socket), .hidden
 */
static int
files(const char *dir)
{
	char path[512];

	CHK(rump_sys_mkdir(dir, 0755));
	mkfile(dir, "file", 0644);
	mkfile(dir, "suid", 04755);
	mkfile(dir, "suidnx", 04644);
	mkfile(dir, "sgid", 02755);
	mkfile(dir, "sgidnx", 02644);
	mkfile(dir, ".hidden", 0600);
	snprintf(path, sizeof(path), "%s/link", dir);
	CHK(rump_sys_symlink("file", path));
	snprintf(path, sizeof(path), "%s/chr", dir);
	CHK(rump_sys_mknod(path, S_IFCHR | 0600, makedev(1, 3)));
	snprintf(path, sizeof(path), "%s/blk", dir);
	CHK(rump_sys_mknod(path, S_IFBLK | 0600, makedev(7, 0)));
	sockfile(dir);
	snprintf(path, sizeof(path), "%s/sticky", dir);
	CHK(rump_sys_mkdir(path, 0777));
	CHK(rump_sys_chmod(path, 01777));
	snprintf(path, sizeof(path), "%s/stickynx", dir);
	CHK(rump_sys_mkdir(path, 0777));
	CHK(rump_sys_chmod(path, 01776));
	return 0;
}

static int
sock(int family, int type)
{
	int s;

	if ((s = rump_sys_socket(family, type, 0)) == -1)
		err(1, "socket %d %d", family, type);
	return s;
}

/* a socket of every kind the tools print */
static void
sockets(void)
{
	struct sockaddr_un sun;
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	int s, c, sv[2];

	/* unix stream listener on a path, a datagram on an abstract name */
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, "/tmp/listener");
	s = sock(AF_UNIX, SOCK_STREAM);
	CHK(rump_sys_bind(s, (struct sockaddr *)&sun, sizeof(sun)));
	CHK(rump_sys_listen(s, 4));
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, "\0abstract", 9);
	s = sock(AF_UNIX, SOCK_DGRAM);
	CHK(rump_sys_bind(s, (struct sockaddr *)&sun,
	    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 9)));
	/* unbound seqpacket, a connected pair */
	(void)sock(AF_UNIX, SOCK_SEQPACKET);
	CHK(rump_sys_socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	/* tcp4 listener and a connection to it, udp4, tcp6, udp6 */
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(7);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s = sock(AF_INET, SOCK_STREAM);
	CHK(rump_sys_bind(s, (struct sockaddr *)&sin, sizeof(sin)));
	CHK(rump_sys_listen(s, 4));
	c = sock(AF_INET, SOCK_STREAM);
	CHK(rump_sys_connect(c, (struct sockaddr *)&sin, sizeof(sin)));
	s = sock(AF_INET, SOCK_DGRAM);
	CHK(rump_sys_bind(s, (struct sockaddr *)&sin, sizeof(sin)));
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(9);
	sin6.sin6_addr = in6addr_loopback;
	s = sock(AF_INET6, SOCK_STREAM);
	CHK(rump_sys_bind(s, (struct sockaddr *)&sin6, sizeof(sin6)));
	CHK(rump_sys_listen(s, 4));
	s = sock(AF_INET6, SOCK_DGRAM);
	CHK(rump_sys_bind(s, (struct sockaddr *)&sin6, sizeof(sin6)));
}

/* a child that exits with status, left a zombie */
static void
zombie(int status, int sig)
{
	pid_t pid;

	if ((pid = rumpclient_fork()) == -1)
		err(1, "rumpclient_fork");
	if (pid == 0) {
		if (sig != 0)
			rump_sys_kill(rump_sys_getpid(), sig);
		exit(status);
	}
}

/* fork images held for ever: kept here, so no leak checker calls them lost */
#define HOLDMAX	1024
static struct rumpclient_fork *held[HOLDMAX];

static int
hold(int nfork)
{
	char c;
	int i;

	sockets();
	if (nfork > HOLDMAX)
		errx(1, "hold: at most %d fork images", HOLDMAX);
	for (i = 0; i < nfork; i++)
		if ((held[i] = rumpclient_prefork()) == NULL)
			err(1, "rumpclient_prefork %d", i);
	zombie(3, 0);
	zombie(0, SIGKILL);
	printf("ready\n");
	fflush(stdout);
	while (read(STDIN_FILENO, &c, 1) > 0)
		continue;
	return 0;
}

/*
 * A daemon: new session, in /, stdio on /dev/null (checked here, since
 * nothing it prints is seen), a rump process of its own.  It says so in a
 * kernel file and leaves with exit(3).
 */
static int
daemon_(const char *path)
{
	char buf[128], cwd[16];
	struct stat st;
	pid_t before;
	int fd, ok;

	before = rump_sys_getpid();
	if (rumpclient_daemon(0, 0) == -1)
		err(1, "rumpclient_daemon");
	ok = getsid(0) == getpid() && getcwd(cwd, sizeof(cwd)) != NULL &&
	    strcmp(cwd, "/") == 0 && fstat(STDOUT_FILENO, &st) == 0 &&
	    S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3);
	snprintf(buf, sizeof(buf), "%s %d %d\n", ok ? "daemon" : "wrong",
	    (int)before, (int)rump_sys_getpid());
	if ((fd = rump_sys_open(path, O_WRONLY | O_CREAT | O_EXCL, 0644)) ==
	    -1)
		return 1;
	if (rump_sys_write(fd, buf, strlen(buf)) != (ssize_t)strlen(buf))
		return 1;
	rump_sys_close(fd);
	exit(0);
}

static void *
caller(void *arg)
{

	*(long *)arg = (long)rump_sys_getpid();
	return NULL;
}

/*
 * Reconnect waits: the test kills the server before the line, and
 * starts a new one once every thread here is asleep, so one thread
 * reconnects while the others wait for it.
 */
static int
rethreads(int n)
{
	pthread_t t[16];
	long pid[16];
	char line[16];
	int i;

	if (n < 1 || n > 16)
		errx(1, "1 to 16 threads");
	rumpclient_setconnretry(RUMPCLIENT_RETRYCONN_INFTIME);
	printf("%d\n", (int)rump_sys_getpid());
	fflush(stdout);
	if (fgets(line, sizeof(line), stdin) == NULL)
		return 1;
	for (i = 0; i < n; i++)
		if ((errno = pthread_create(&t[i], NULL, caller, &pid[i])) != 0)
			err(1, "pthread_create");
	printf("started\n");
	fflush(stdout);
	for (i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		printf("%s%ld", i > 0 ? " " : "", pid[i]);
	}
	printf("\n");
	return 0;
}

/* asleep in the kernel for good: the test kills the host process */
static int
block(void)
{
	int p[2];
	char c;

	CHK(rump_sys_pipe2(p, 0));
	printf("ready\n");
	fflush(stdout);
	return rump_sys_read(p[0], &c, 1) == -1;
}

/* what a call gets, for the test to compare; status 0 either way */
static int
call(void)
{
	long rv;

	errno = 0;
	rv = rumpclient_init();
	printf("%ld %d\n", rv, rv == -1 ? errno : 0);
	if (rv == -1)
		return 0;
	errno = 0;
	rv = (long)rump_sys_getpid();
	printf("%ld %d\n", rv, rv == -1 ? errno : 0);
	return 0;
}

static int
nprocs(void)
{
	static struct rump_procinfo pi[256];
	ssize_t n;

	CHK(n = rump_sys_proclist(pi, sizeof(pi)));
	return (int)((size_t)n / sizeof(pi[0]));
}

/* the fork image is given back when the host fork cannot be made */
static int
forkfail(void)
{
	struct rlimit rl, low;
	struct dirent *d;
	int maxfd = 0, before, e, fill[1024], nfill;
	DIR *dir;
	pid_t pid;

	before = nprocs();
	if ((dir = opendir("/proc/self/fd")) == NULL)
		err(1, "/proc/self/fd");
	while ((d = readdir(dir)) != NULL)
		if (atoi(d->d_name) > maxfd)
			maxfd = atoi(d->d_name);
	closedir(dir);
	CHK(getrlimit(RLIMIT_NOFILE, &rl));
	low = rl;
	low.rlim_cur = (rlim_t)maxfd + 1;
	CHK(setrlimit(RLIMIT_NOFILE, &low));
	/* fill every slot left below the limit */
	for (nfill = 0; nfill < 1024 && (fill[nfill] = dup(0)) != -1; nfill++)
		continue;
	pid = rumpclient_fork();
	e = errno;
	while (nfill > 0)
		close(fill[--nfill]);
	CHK(setrlimit(RLIMIT_NOFILE, &rl));
	if (pid == 0)
		_exit(0);
	printf("%d %d %d\n", pid == -1 ? e : 0, before, nprocs());
	return 0;
}

/* the first image (no "again") and the last print the rump pid */
static int
execchain(int n, int again)
{
	extern char **environ;
	char self[4096], num[16], *av[5];
	ssize_t len;

	if (!again || n == 0)
		printf("%d\n", (int)rump_sys_getpid());
	fflush(stdout);
	if (n == 0)
		return 0;
	CHK(len = readlink("/proc/self/exe", self, sizeof(self) - 1));
	self[len] = '\0';
	snprintf(num, sizeof(num), "%d", n - 1);
	av[0] = self;
	av[1] = (char *)(uintptr_t)"execchain";
	av[2] = num;
	av[3] = (char *)(uintptr_t)"again";
	av[4] = NULL;
	/* environ holds RUMPCLIENT__EXECFD after the first exec */
	rumpclient_exec(self, av, environ);
	err(1, "rumpclient_exec");
}

static int
bigread(void)
{
	size_t len = 1024 * 1024, i;
	unsigned char *a, *b;
	int fd;

	if ((a = malloc(len)) == NULL || (b = malloc(len)) == NULL)
		err(1, "malloc");
	for (i = 0; i < len; i++)
		a[i] = (unsigned char)(i * 7 + i / 4096);
	CHK(fd = rump_sys_open("/tmp/big", O_RDWR | O_CREAT | O_TRUNC, 0644));
	if (rump_sys_write(fd, a, len) != (ssize_t)len)
		err(1, "write");
	if (rump_sys_pread(fd, b, len, 0) != (ssize_t)len)
		err(1, "pread");
	if (memcmp(a, b, len) != 0)
		errx(1, "read back differs");
	free(a);
	free(b);
	printf("ok\n");
	return 0;
}

int
main(int argc, char **argv)
{

	if (argc == 2 && strcmp(argv[1], "call") == 0)
		return call();
	if (argc < 2)
		errx(1, "usage: tcover files DIR | hold N | daemon PATH | "
		    "rethreads N | block | call | forkfail | execchain N | "
		    "bigread");
	if (rumpclient_init() == -1)
		err(1, "rumpclient_init");
	if (strcmp(argv[1], "files") == 0 && argc == 3)
		return files(argv[2]);
	if (strcmp(argv[1], "hold") == 0 && argc == 3)
		return hold(atoi(argv[2]));
	if (strcmp(argv[1], "block") == 0 && argc == 2)
		return block();
	if (strcmp(argv[1], "bigread") == 0 && argc == 2)
		return bigread();
	if (strcmp(argv[1], "forkfail") == 0 && argc == 2)
		return forkfail();
	if (strcmp(argv[1], "execchain") == 0 && (argc == 3 || argc == 4))
		return execchain(atoi(argv[2]), argc == 4);
	if (strcmp(argv[1], "daemon") == 0 && argc == 3)
		return daemon_(argv[2]);
	if (strcmp(argv[1], "rethreads") == 0 && argc == 3)
		return rethreads(atoi(argv[2]));
	errx(1, "bad arguments");
}
