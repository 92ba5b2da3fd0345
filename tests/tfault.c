/*
 * tfault.c -- a rump client that runs one scenario of the fault
 * injection test (test_faults.c) against a server that fails one of
 * its allocations (RUMP_FAILNTH) or cuts its writes (RUMP_SHORTWRITE).
 *
 * Every call either succeeds, and then its result must be right, or
 * fails with an error that an allocation failure may explain: ENOMEM
 * and its relatives from the kernel, EIO from a fork the server could
 * not make, ENOTCONN when the server cut the connection because it
 * could not queue a frame.  Anything else is a bug.
 *
 * Exit status: 0 the scenario ran through, 3 it stopped at a clean
 * error, 1 a wrong result or an unexpected error (printed), 2 usage.
 * A crash or a hang is the test's to see.
 */
#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rump/rumpclient.h>
#include <rump/rump_syscalls.h>

static char self[PATH_MAX];
static int wrong = 1;		/* exit status of a wrong result */

/* errors an allocation failure somewhere may explain */
static int
clean_error(int e)
{

	switch (e) {
	case ENOMEM: case ENFILE: case EMFILE: case ENOSPC: case ENOBUFS:
	case EAGAIN: case EIO: case ENOTCONN: case ECONNRESET: case EPIPE:
		return 1;
	default:
		return 0;
	}
}

/* a call that returned -1: stop cleanly or complain */
static void
failed(const char *what, int line)
{
	int e = errno;

	if (clean_error(e))
		exit(3);
	fprintf(stderr, "tfault: line %d: %s: unexpected %s\n", line, what,
	    strerror(e));
	exit(wrong);
}

/* a call that moves len bytes: all of them, or a clean error */
static void
moved(ssize_t r, size_t len, const char *what, int line)
{

	if (r == -1)
		failed(what, line);
	if (r != (ssize_t)len) {
		fprintf(stderr, "tfault: line %d: %s: %zd of %zu bytes\n",
		    line, what, r, len);
		exit(wrong);
	}
}
#define MOVE(e, len)	moved((e), (len), #e, __LINE__)

#define TRY(e) do {							\
	if ((e) == -1)							\
		failed(#e, __LINE__);					\
} while (0)
#define CHECK(e) do {							\
	if (!(e)) {							\
		fprintf(stderr, "tfault: line %d: wrong: %s\n",		\
		    __LINE__, #e);					\
		exit(wrong);						\
	}								\
} while (0)

static int
sc_files(void)
{
	struct stat st;
	char buf[64];
	int fd;

	TRY(rump_sys_mkdir("/tmp/d", 0755));
	TRY(fd = rump_sys_open("/tmp/d/f", O_RDWR | O_CREAT | O_TRUNC, 0644));
	MOVE(rump_sys_write(fd, "hello, faults", 13), 13);
	TRY(rump_sys_lseek(fd, 0, SEEK_SET));
	memset(buf, 0, sizeof(buf));
	TRY(rump_sys_read(fd, buf, sizeof(buf)));
	CHECK(strcmp(buf, "hello, faults") == 0);
	TRY(rump_sys_fstat(fd, &st));
	CHECK(st.st_size == 13);
	TRY(rump_sys_close(fd));
	TRY(rump_sys_rename("/tmp/d/f", "/tmp/d/g"));
	TRY(rump_sys_symlink("g", "/tmp/d/l"));
	TRY(rump_sys_stat("/tmp/d/l", &st));
	CHECK(st.st_size == 13);
	TRY(rump_sys_unlink("/tmp/d/l"));
	TRY(rump_sys_unlink("/tmp/d/g"));
	TRY(rump_sys_rmdir("/tmp/d"));
	return 0;
}

static int
sc_pipes(void)
{
	char buf[8192];
	int p[2], d;

	TRY(rump_sys_pipe2(p, 0));
	TRY(d = rump_sys_dup(p[1]));
	TRY(rump_sys_close(p[1]));
	memset(buf, 'x', sizeof(buf));
	MOVE(rump_sys_write(d, buf, sizeof(buf)), sizeof(buf));
	MOVE(rump_sys_read(p[0], buf, sizeof(buf)), sizeof(buf));
	CHECK(buf[0] == 'x' && buf[sizeof(buf) - 1] == 'x');
	TRY(rump_sys_close(d));
	MOVE(rump_sys_read(p[0], buf, 1), 0);
	TRY(rump_sys_close(p[0]));
	return 0;
}

static int
sc_sockets(void)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	char buf[16];
	int sv[2], l, c, a;

	TRY(rump_sys_socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	MOVE(rump_sys_write(sv[0], "ping", 4), 4);
	MOVE(rump_sys_read(sv[1], buf, 4), 4);
	CHECK(memcmp(buf, "ping", 4) == 0);
	TRY(rump_sys_close(sv[0]));
	TRY(rump_sys_close(sv[1]));

	TRY(l = rump_sys_socket(AF_INET, SOCK_STREAM, 0));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	TRY(rump_sys_bind(l, (struct sockaddr *)&sin, sizeof(sin)));
	TRY(rump_sys_listen(l, 4));
	TRY(rump_sys_getsockname(l, (struct sockaddr *)&sin, &sl));
	TRY(c = rump_sys_socket(AF_INET, SOCK_STREAM, 0));
	TRY(rump_sys_connect(c, (struct sockaddr *)&sin, sizeof(sin)));
	TRY(a = rump_sys_accept(l, NULL, NULL));
	MOVE(rump_sys_write(c, "pong", 4), 4);
	MOVE(rump_sys_read(a, buf, 4), 4);
	CHECK(memcmp(buf, "pong", 4) == 0);
	TRY(rump_sys_close(a));
	TRY(rump_sys_close(c));
	TRY(rump_sys_close(l));
	return 0;
}

/*
 * Buffers too big to travel inline: the kernel asks the client for
 * them with copy requests and sends them back in COPYOUT frames.  A
 * file that cannot grow may take fewer bytes than asked (POSIX), which
 * is a clean stop here; the test knows whether a failure was injected.
 */
static int
sc_bigio(void)
{
	size_t len = 5u << 20, i;
	unsigned char *b, *c;
	ssize_t r;
	int fd;

	if ((b = malloc(len)) == NULL || (c = malloc(len)) == NULL)
		return 2;
	for (i = 0; i < len; i++)
		b[i] = (unsigned char)(i * 7 + i / 4096);
	TRY(fd = rump_sys_open("/tmp/big", O_RDWR | O_CREAT | O_TRUNC, 0644));
	TRY(r = rump_sys_write(fd, b, len));
	if ((size_t)r != len)
		exit(3);
	TRY(rump_sys_lseek(fd, 0, SEEK_SET));
	MOVE(rump_sys_read(fd, c, len), len);
	CHECK(memcmp(b, c, len) == 0);
	TRY(rump_sys_close(fd));
	TRY(rump_sys_unlink("/tmp/big"));
	free(b);
	free(c);
	return 0;
}

/*
 * Waiting and waking: poll and epoll on a pipe, a signal from the
 * kernel (SIGPIPE as a RAISE frame), and one between processes.
 */
static volatile sig_atomic_t got;

static void
onsig(int sig)
{

	got = sig;
}

static int
sc_poll(void)
{
	struct pollfd pfd;
	struct epoll_event ev;
	char c;
	int p[2], ep;

	signal(SIGPIPE, onsig);
	signal(SIGUSR1, onsig);
	TRY(rump_sys_pipe2(p, 0));
	pfd.fd = p[0];
	pfd.events = POLLIN;
	pfd.revents = 0;
	MOVE(rump_sys_poll(&pfd, 1, 0), 0);
	MOVE(rump_sys_write(p[1], "z", 1), 1);
	MOVE(rump_sys_poll(&pfd, 1, 1000), 1);
	TRY(ep = rump_sys_epoll_create1(0));
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.fd = p[0];
	TRY(rump_sys_epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	MOVE(rump_sys_epoll_wait(ep, &ev, 1, 1000), 1);
	CHECK(ev.data.fd == p[0]);
	MOVE(rump_sys_read(p[0], &c, 1), 1);
	TRY(rump_sys_close(ep));
	TRY(rump_sys_close(p[0]));
	got = 0;
	if (rump_sys_write(p[1], "z", 1) != -1 || errno != EPIPE)
		failed("write to a pipe without readers", __LINE__);
	CHECK(got == SIGPIPE);
	TRY(rump_sys_close(p[1]));
	got = 0;
	TRY(rump_sys_kill(rump_sys_getpid(), SIGUSR1));
	CHECK(got == SIGUSR1);
	return 0;
}

/*
 * The child writes its pid into a pipe it shares with the parent.  A
 * child that could not attach exits 1 (rumpclient(3)): a clean error;
 * its own wrong results are 4.
 */
static int
sc_fork(void)
{
	pid_t hp, rp, cpid = 0;
	int p[2], st;

	TRY(rump_sys_pipe2(p, 0));
	TRY(hp = rumpclient_fork());
	if (hp == 0) {
		pid_t me;

		wrong = 4;
		TRY(me = rump_sys_getpid());
		MOVE(rump_sys_write(p[1], &me, sizeof(me)), sizeof(me));
		exit(0);
	}
	CHECK(waitpid(hp, &st, 0) == hp);
	if (!WIFEXITED(st) || (WEXITSTATUS(st) != 0 &&
	    WEXITSTATUS(st) != 1 && WEXITSTATUS(st) != 3)) {
		fprintf(stderr, "tfault: fork child: status %#x\n", st);
		return 1;
	}
	if (WEXITSTATUS(st) == 0) {
		MOVE(rump_sys_read(p[0], &cpid, sizeof(cpid)), sizeof(cpid));
		TRY(rp = rump_sys_wait4(cpid, &st, 0, NULL));
		CHECK(rp == cpid);
	}
	TRY(rump_sys_close(p[0]));
	TRY(rump_sys_close(p[1]));
	return WEXITSTATUS(st) == 0 ? 0 : 3;
}

/* exec ourselves: the new image checks that the descriptor survived */
static int
sc_exec(void)
{
	static char after[] = "afterexec";
	char num[16], *argv[] = { self, after, num, NULL };
	extern char **environ;
	int fd;

	TRY(fd = rump_sys_open("/tmp/keep", O_RDWR | O_CREAT, 0644));
	snprintf(num, sizeof(num), "%d", fd);
	rumpclient_exec(self, argv, environ);
	failed("rumpclient_exec", __LINE__);
	return 1;
}

static int
sc_afterexec(const char *num)
{
	struct stat st;

	TRY(rump_sys_fstat(atoi(num), &st));
	CHECK(S_ISREG(st.st_mode));
	TRY(rump_sys_close(atoi(num)));
	TRY(rump_sys_unlink("/tmp/keep"));
	return 0;
}

/*
 * After a run: the server serves this fresh client, and the process
 * table is back to pid 0, pid 1 and us once the run's disconnects
 * have been served (a bounded poll: they are work items of their own).
 */
static int
sc_clean(void)
{
	struct rump_procinfo pi[64];
	pid_t me;
	ssize_t n;
	int i, tries, others = 0;

	TRY(me = rump_sys_getpid());
	for (tries = 0; tries < 1000; tries++) {
		TRY(n = rump_sys_proclist(pi, sizeof(pi)));
		others = 0;
		for (i = 0; i < n / (ssize_t)sizeof(pi[0]); i++)
			if (pi[i].rpi_pid > 1 && pi[i].rpi_pid != me)
				others++;
		if (others == 0)
			return 0;
		usleep(10000);
	}
	fprintf(stderr, "tfault: %d processes left behind:", others);
	for (i = 0; i < n / (ssize_t)sizeof(pi[0]); i++)
		fprintf(stderr, " %d(%d)", (int)pi[i].rpi_pid,
		    (int)pi[i].rpi_stat);
	fprintf(stderr, "\n");
	return 1;
}

int
main(int argc, char *argv[])
{
	ssize_t n;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0 || argc < 2) {
		fprintf(stderr, "usage: tfault scenario\n");
		return 2;
	}
	self[n] = '\0';
	/* a handshake the server could not serve is a clean error too */
	TRY(rumpclient_init());
	TRY(rump_sys_getpid());
	if (strcmp(argv[1], "hello") == 0)
		return 0;
	if (strcmp(argv[1], "clean") == 0)
		return sc_clean();
	if (strcmp(argv[1], "files") == 0)
		return sc_files();
	if (strcmp(argv[1], "pipes") == 0)
		return sc_pipes();
	if (strcmp(argv[1], "sockets") == 0)
		return sc_sockets();
	if (strcmp(argv[1], "fork") == 0)
		return sc_fork();
	if (strcmp(argv[1], "bigio") == 0)
		return sc_bigio();
	if (strcmp(argv[1], "poll") == 0)
		return sc_poll();
	if (strcmp(argv[1], "exec") == 0)
		return sc_exec();
	if (strcmp(argv[1], "afterexec") == 0 && argc == 3)
		return sc_afterexec(argv[2]);
	fprintf(stderr, "tfault: unknown scenario %s\n", argv[1]);
	return 2;
}
