/*
 * tcred.c -- a rump client for the credential, descriptor and pipe
 * tests across the socket (test_cred_sp.c).  Each subcommand checks
 * what it can itself and prints "ok"; a failed check prints what
 * failed and exits 1.
 *
 *	tcred drop ROOTPID	drop to uid 1000: kill ROOTPID fails, and
 *				fork and exec keep the credentials
 *	tcred console		descriptors 0-2 on /dev/console
 *	tcred sigpipe		SIGPIPE through RAISE: handled, ignored,
 *				and fatal in a forked child
 *	tcred sigio		SIGIO for O_ASYNC pipe ends
 *	tcred sigioperm		SIGIO only where F_SETOWN's caller may
 *	tcred atomic N		N forked writers, PIPE_BUF records
 *	tcred emfile		RLIMIT_NOFILE, inherited by a child
 *	tcred faults		bad pointers are EFAULT, never a crash
 */
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rump/rumpclient.h>
#include <rump/rump_syscalls.h>

static char self[PATH_MAX];

#define CHECK(e) do {							\
	if (!(e)) {							\
		fprintf(stderr, "tcred: %s:%d: check failed: %s (errno %s)\n", \
		    __FILE__, __LINE__, #e, strerror(errno));		\
		exit(1);						\
	}								\
} while (0)

/* wait, bounded, for a signal handler to have counted to want */
static void
wait_count(volatile sig_atomic_t *count, int want)
{
	int i;

	for (i = 0; i < 500 && *count < want; i++)
		usleep(10000);
	CHECK(*count >= want);
}

static void
check_user(pid_t rootpid)
{
	uid_t r, e, s;
	gid_t gr, ge, gs;
	int st;

	CHECK(rump_sys_getresuid(&r, &e, &s) == 0);
	CHECK(r == 1000 && e == 1000 && s == 1000);
	CHECK(rump_sys_getresgid(&gr, &ge, &gs) == 0);
	CHECK(gr == 1000 && ge == 1000 && gs == 1000);
	CHECK(rump_sys_getgroups(0, NULL) == 1);
	errno = 0;
	CHECK(rump_sys_kill(rootpid, SIGTERM) == -1 && errno == EPERM);
	errno = 0;
	CHECK(rump_sys_kill(rootpid, 0) == -1 && errno == EPERM);
	errno = 0;
	CHECK(rump_sys_wait4(rootpid, &st, WNOHANG, NULL) == -1 &&
	    errno == ECHILD);
	errno = 0;
	CHECK(rump_sys_setuid(0) == -1 && errno == EPERM);
}

static int
cmd_drop(pid_t rootpid)
{
	static char afterexec[] = "afterexec";
	char pidarg[16];
	char *argv[] = { self, afterexec, pidarg, NULL };
	static const gid_t g[] = { 1000 };
	extern char **environ;
	pid_t hp, me = rump_sys_getpid();
	int st;

	CHECK(rump_sys_kill(rootpid, 0) == 0);
	CHECK(rump_sys_setgroups(1, g) == 0);
	CHECK(rump_sys_setresgid(1000, 1000, 1000) == 0);
	CHECK(rump_sys_setresuid(1000, 1000, 1000) == 0);
	check_user(rootpid);
	hp = rumpclient_fork();
	CHECK(hp != -1);
	if (hp == 0) {
		CHECK(rump_sys_getppid() == me);
		check_user(rootpid);
		snprintf(pidarg, sizeof(pidarg), "%d", (int)rootpid);
		rumpclient_exec(self, argv, environ);
		CHECK(!"exec failed");
	}
	CHECK(waitpid(hp, &st, 0) == hp);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(rump_sys_wait4(-1, &st, 0, NULL) > 1);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	printf("ok\n");
	return 0;
}

static int
cmd_afterexec(pid_t rootpid)
{

	check_user(rootpid);
	return 0;
}

/* 0, 1 and 2 are one read-write open file of /dev/console */
static int
cmd_console(void)
{
	static const char msg[] = "tcred: hello from the console\n";
	struct stat sb;
	char c;
	int fd;

	CHECK(rump_sys_fstat(0, &sb) == 0);
	CHECK(S_ISCHR(sb.st_mode) && sb.st_rdev == makedev(5, 1));
	CHECK(rump_sys_fcntl(0, F_GETFL) == O_RDWR);
	CHECK(rump_sys_fcntl(2, F_GETFL) == O_RDWR);
	CHECK(rump_sys_read(0, &c, 1) == 0);
	CHECK(rump_sys_write(2, msg, sizeof(msg) - 1) ==
	    (ssize_t)sizeof(msg) - 1);
	fd = rump_sys_open("/dev/null", O_RDONLY);
	CHECK(fd == 3);
	printf("ok\n");
	return 0;
}

static volatile sig_atomic_t npipe, nio;

static void
onpipe(int sig)
{

	npipe++;
}

static void
onio(int sig)
{

	nio++;
}

static int
cmd_sigpipe(void)
{
	struct sigaction sa;
	int p[2], st;
	pid_t hp;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = onpipe;
	sa.sa_flags = SA_RESTART;
	CHECK(sigaction(SIGPIPE, &sa, NULL) == 0);
	CHECK(rump_sys_pipe2(p, 0) == 0);
	CHECK(rump_sys_close(p[0]) == 0);
	errno = 0;
	CHECK(rump_sys_write(p[1], "x", 1) == -1 && errno == EPIPE);
	wait_count(&npipe, 1);
	/* ignored: EPIPE only */
	signal(SIGPIPE, SIG_IGN);
	errno = 0;
	CHECK(rump_sys_write(p[1], "x", 1) == -1 && errno == EPIPE);
	/* the default action: a forked child dies of it */
	hp = rumpclient_fork();
	CHECK(hp != -1);
	if (hp == 0) {
		signal(SIGPIPE, SIG_DFL);
		(void)rump_sys_write(p[1], "x", 1);
		/* the signal may come just after the answer */
		for (st = 0; st < 500; st++)
			usleep(10000);
		exit(0);
	}
	CHECK(waitpid(hp, &st, 0) == hp);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE);
	CHECK(rump_sys_wait4(-1, &st, 0, NULL) > 1);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE);
	printf("ok\n");
	return 0;
}

/*
 * SIGIO: to the owner of an O_ASYNC read end when another process
 * writes, to the owner of an O_ASYNC write end when data is read; a
 * process group as owner; nothing without O_ASYNC.
 */
static int
cmd_sigio(void)
{
	struct sigaction sa;
	int p[2], st;
	pid_t hp, me = rump_sys_getpid();
	char c;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = onio;
	sa.sa_flags = SA_RESTART;
	CHECK(sigaction(SIGIO, &sa, NULL) == 0);
	CHECK(rump_sys_pipe2(p, 0) == 0);
	CHECK(rump_sys_fcntl(p[0], F_SETOWN, me) == 0);
	CHECK(rump_sys_fcntl(p[0], F_GETOWN) == me);
	/* owner but no O_ASYNC: nothing */
	CHECK(rump_sys_write(p[1], "a", 1) == 1);
	CHECK(rump_sys_read(p[0], &c, 1) == 1);
	CHECK(nio == 0);
	CHECK(rump_sys_fcntl(p[0], F_SETFL, O_ASYNC) == 0);
	CHECK(rump_sys_fcntl(p[0], F_GETFL) == O_ASYNC);
	hp = rumpclient_fork();
	CHECK(hp != -1);
	if (hp == 0) {
		CHECK(rump_sys_write(p[1], "b", 1) == 1);
		exit(0);
	}
	CHECK(waitpid(hp, &st, 0) == hp && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0);
	CHECK(rump_sys_wait4(-1, &st, 0, NULL) > 1);
	wait_count(&nio, 1);
	CHECK(rump_sys_read(p[0], &c, 1) == 1 && c == 'b');
	/* the write end, owned by our process group */
	CHECK(rump_sys_fcntl(p[0], F_SETFL, 0) == 0);
	CHECK(rump_sys_setpgid(0, 0) == 0);
	CHECK(rump_sys_fcntl(p[1], F_SETOWN, -me) == 0);
	CHECK(rump_sys_fcntl(p[1], F_GETOWN) == -me);
	CHECK(rump_sys_fcntl(p[1], F_SETFL, O_ASYNC) == 0);
	st = nio;
	CHECK(rump_sys_write(p[1], "c", 1) == 1);
	CHECK(rump_sys_read(p[0], &c, 1) == 1);
	wait_count(&nio, st + 1);
	printf("ok\n");
	return 0;
}

/*
 * SIGIO obeys the uids of whoever set the owner: a child that dropped
 * to uid 1000 names root's process as owner and writes; no signal.
 * Once root names itself, the child's writes signal it.
 */
static int
cmd_sigioperm(void)
{
	struct sigaction sa;
	int p[2], go[2], done[2], st, i;
	pid_t hp, me = rump_sys_getpid();
	char c;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = onio;
	sa.sa_flags = SA_RESTART;
	CHECK(sigaction(SIGIO, &sa, NULL) == 0);
	CHECK(pipe(go) == 0 && pipe(done) == 0);
	CHECK(rump_sys_pipe2(p, 0) == 0);
	CHECK(rump_sys_fcntl(p[0], F_SETFL, O_ASYNC) == 0);
	hp = rumpclient_fork();
	CHECK(hp != -1);
	if (hp == 0) {
		close(go[1]);
		close(done[0]);
		CHECK(rump_sys_setresuid(1000, 1000, 1000) == 0);
		CHECK(rump_sys_fcntl(p[0], F_SETOWN, me) == 0);
		CHECK(rump_sys_write(p[1], "a", 1) == 1);
		CHECK(write(done[1], "1", 1) == 1);
		CHECK(read(go[0], &c, 1) == 1);
		CHECK(rump_sys_write(p[1], "b", 1) == 1);
		exit(0);
	}
	close(go[0]);
	close(done[1]);
	CHECK(read(done[0], &c, 1) == 1);
	/* the kernel sent nothing: a signal would have come before it */
	CHECK(rump_sys_read(p[0], &c, 1) == 1 && c == 'a');
	for (i = 0; i < 20; i++)
		CHECK(rump_sys_getpid() == me);
	CHECK(nio == 0);
	CHECK(rump_sys_fcntl(p[0], F_SETOWN, me) == 0);
	CHECK(write(go[1], "1", 1) == 1);
	CHECK(waitpid(hp, &st, 0) == hp && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0);
	CHECK(rump_sys_wait4(-1, &st, 0, NULL) > 1);
	wait_count(&nio, 1);
	printf("ok\n");
	return 0;
}

#define RECSIZE		4096	/* PIPE_BUF */
#define NRECORDS	64

/* N forked writers of whole PIPE_BUF records; none is interleaved */
static int
cmd_atomic(int nw)
{
	static char all[16 * NRECORDS * RECSIZE];
	char rec[RECSIZE];
	int p[2], i, j, st, counts[17] = { 0 };
	size_t got = 0, want = (size_t)nw * NRECORDS * RECSIZE;
	ssize_t n;
	pid_t hp;

	CHECK(nw > 0 && nw <= 16);
	CHECK(rump_sys_pipe2(p, 0) == 0);
	for (i = 1; i <= nw; i++) {
		hp = rumpclient_fork();
		CHECK(hp != -1);
		if (hp == 0) {
			memset(rec, i, sizeof(rec));
			for (j = 0; j < NRECORDS; j++)
				CHECK(rump_sys_write(p[1], rec, sizeof(rec)) ==
				    sizeof(rec));
			exit(0);
		}
	}
	CHECK(rump_sys_close(p[1]) == 0);
	while (got < want) {
		n = rump_sys_read(p[0], all + got, 3000);
		CHECK(n > 0);
		got += (size_t)n;
	}
	CHECK(rump_sys_read(p[0], rec, 1) == 0);
	for (i = 0; i < nw; i++) {
		CHECK(wait(&st) > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
		CHECK(rump_sys_wait4(-1, &st, 0, NULL) > 1);
	}
	for (got = 0; got < want; got += RECSIZE) {
		for (j = 1; j < RECSIZE; j++)
			CHECK(all[got + (size_t)j] == all[got]);
		counts[(int)all[got]]++;
	}
	for (i = 1; i <= nw; i++)
		CHECK(counts[i] == NRECORDS);
	printf("ok\n");
	return 0;
}

static int
cmd_emfile(void)
{
	struct rlimit rl = { 10, 20 };
	int fd, i, st;
	pid_t hp;

	CHECK(rump_sys_setrlimit(RLIMIT_NOFILE, &rl) == 0);
	for (i = 3; i < 10; i++)
		CHECK(rump_sys_open("/dev/null", O_RDONLY) == i);
	errno = 0;
	CHECK(rump_sys_open("/dev/null", O_RDONLY) == -1 && errno == EMFILE);
	errno = 0;
	CHECK(rump_sys_dup2(0, 10) == -1 && errno == EBADF);
	CHECK(rump_sys_close(9) == 0);
	hp = rumpclient_fork();
	CHECK(hp != -1);
	if (hp == 0) {
		CHECK(rump_sys_getrlimit(RLIMIT_NOFILE, &rl) == 0);
		CHECK(rl.rlim_cur == 10 && rl.rlim_max == 20);
		fd = rump_sys_open("/dev/null", O_RDONLY);
		CHECK(fd == 9);
		errno = 0;
		CHECK(rump_sys_open("/dev/null", O_RDONLY) == -1 &&
		    errno == EMFILE);
		exit(0);
	}
	CHECK(waitpid(hp, &st, 0) == hp && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0);
	printf("ok\n");
	return 0;
}

/*
 * Bad pointers to read from are EFAULT, never a crash.  (A bad pointer
 * to write to other than NULL is not reported: a COPYOUT request has
 * no answer in the protocol.)
 */
static int
cmd_faults(void)
{
	static const int mib[] = { 1, 10 }, q[] = { 0, 3 };
	struct utsname u;
	char name[64];
	int got[4];
	size_t n = sizeof(got);

	errno = 0;
	CHECK(rump_sys_getresuid(NULL, NULL, NULL) == -1 && errno == EFAULT);
	errno = 0;
	CHECK(rump_sys_setgroups(1, (gid_t *)8) == -1 && errno == EFAULT);
	errno = 0;
	CHECK(rump_sys_setrlimit(RLIMIT_NOFILE, (void *)8) == -1 &&
	    errno == EFAULT);
	errno = 0;
	CHECK(rump_sys___sysctl(mib, 2, NULL, NULL, (void *)8, 6) == -1 &&
	    errno == EFAULT);
	errno = 0;
	CHECK(rump_sys_sethostname((void *)8, 6) == -1 && errno == EFAULT);
	/* and a good one: the name set through sysctl is uname's */
	CHECK(rump_sys___sysctl(mib, 2, NULL, NULL, "remote", 6) == 0);
	CHECK(rump_sys_uname(&u) == 0 && strcmp(u.nodename, "remote") == 0);
	/* and back, by name, with buffers travelling both ways */
	CHECK(rump_sys___sysctl(q, 2, got, &n, "kern.hostname", 13) == 0);
	CHECK(n == 2 * sizeof(int) && got[0] == 1 && got[1] == 10);
	n = sizeof(name);
	CHECK(rump_sys___sysctl(got, 2, name, &n, NULL, 0) == 0);
	CHECK(n == 7 && strcmp(name, "remote") == 0);
	n = 3;
	errno = 0;
	CHECK(rump_sys___sysctl(got, 2, name, &n, NULL, 0) == -1 &&
	    errno == ENOMEM && n == 7);
	printf("ok\n");
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
		fprintf(stderr, "tcred: rumpclient_init: %s\n",
		    strerror(errno));
		return 1;
	}
	if (strcmp(argv[1], "drop") == 0 && argc == 3)
		return cmd_drop((pid_t)atoi(argv[2]));
	if (strcmp(argv[1], "afterexec") == 0 && argc == 3)
		return cmd_afterexec((pid_t)atoi(argv[2]));
	if (strcmp(argv[1], "console") == 0)
		return cmd_console();
	if (strcmp(argv[1], "sigpipe") == 0)
		return cmd_sigpipe();
	if (strcmp(argv[1], "sigio") == 0)
		return cmd_sigio();
	if (strcmp(argv[1], "sigioperm") == 0)
		return cmd_sigioperm();
	if (strcmp(argv[1], "atomic") == 0 && argc == 3)
		return cmd_atomic(atoi(argv[2]));
	if (strcmp(argv[1], "emfile") == 0)
		return cmd_emfile();
	if (strcmp(argv[1], "faults") == 0)
		return cmd_faults();
	fprintf(stderr, "usage: tcred command [args]\n");
	return 2;
}
