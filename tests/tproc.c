/*
 * tproc.c -- a rump client for the process lifecycle tests: fork,
 * vfork, exec, wait, kill, signals during calls and reconnect.  Each
 * subcommand checks what it can itself and prints "ok" (or values for
 * the test to compare); a failed check prints what failed and exits 1.
 */
#include <sys/types.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rump/rumpclient.h>
#include <rump/rump_syscalls.h>

static char self[PATH_MAX];

#define CHECK(e) do {							\
	if (!(e)) {							\
		fprintf(stderr, "tproc: %s:%d: check failed: %s (errno %s)\n", \
		    __FILE__, __LINE__, #e, strerror(errno));		\
		exit(1);						\
	}								\
} while (0)

static int
nprocs(int stat)
{
	struct rump_procinfo pi[512];
	ssize_t n;
	int i, c = 0;

	n = rump_sys_proclist(pi, sizeof(pi));
	CHECK(n >= 0);
	for (i = 0; i < n / (ssize_t)sizeof(pi[0]); i++)
		if (stat == 0 || pi[i].rpi_stat == stat)
			c++;
	return c;
}

static int
procinfo(pid_t pid, struct rump_procinfo *out)
{
	struct rump_procinfo pi[512];
	ssize_t n;
	int i;

	n = rump_sys_proclist(pi, sizeof(pi));
	CHECK(n >= 0);
	for (i = 0; i < n / (ssize_t)sizeof(pi[0]); i++) {
		if (pi[i].rpi_pid == pid) {
			*out = pi[i];
			return 0;
		}
	}
	return -1;
}

/* fork: the child gets a copy of the table and shares the open file */
static int
cmd_fork(void)
{
	char buf[8] = { 0 };
	pid_t me = rump_sys_getpid(), hp, rp;
	int fd, st;

	fd = rump_sys_open("/tmp/forkfile", O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	CHECK(rump_sys_write(fd, "0123456789", 10) == 10);
	CHECK(rump_sys_lseek(fd, 0, SEEK_SET) == 0);
	CHECK(rump_sys_read(fd, buf, 2) == 2);
	hp = rumpclient_fork();
	CHECK(hp != -1);
	if (hp == 0) {
		CHECK(rump_sys_getpid() != me);
		CHECK(rump_sys_getppid() == me);
		CHECK(rump_sys_read(fd, buf, 3) == 3);
		CHECK(memcmp(buf, "234", 3) == 0);
		exit(7);
	}
	CHECK(waitpid(hp, &st, 0) == hp);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7);
	/* the child's read moved our offset: one open file */
	CHECK(rump_sys_lseek(fd, 0, SEEK_CUR) == 5);
	rp = rump_sys_wait4(-1, &st, 0, NULL);
	CHECK(rp > 1 && rp != me);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7);
	errno = 0;
	CHECK(rump_sys_wait4(-1, &st, WNOHANG, NULL) == -1 && errno == ECHILD);
	printf("ok\n");
	return 0;
}

/* a cancelled prefork leaves nothing behind */
static int
cmd_cancel(void)
{
	struct rumpclient_fork *rf;
	int before, i;

	before = nprocs(RUMP_PSTAT_PREFORK);
	rf = rumpclient_prefork();
	CHECK(rf != NULL);
	CHECK(nprocs(RUMP_PSTAT_PREFORK) == before + 1);
	rumpclient_fork_cancel(rf);
	for (i = 0; i < 100 && nprocs(RUMP_PSTAT_PREFORK) != before; i++)
		usleep(10000);
	CHECK(nprocs(RUMP_PSTAT_PREFORK) == before);
	printf("ok\n");
	return 0;
}

/* vfork, then exec a program that reports its pids */
static int
cmd_vforkexec(void)
{
	static char pids[] = "pids";
	char *argv[] = { self, pids, NULL };
	extern char **environ;
	pid_t me = rump_sys_getpid(), hp;
	int st;

	hp = rumpclient_vfork();
	CHECK(hp != -1);
	if (hp == 0) {
		rumpclient_exec(self, argv, environ);
		_exit(99);
	}
	CHECK(waitpid(hp, &st, 0) == hp);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	printf("%d\n", (int)me);
	fflush(stdout);
	CHECK(rump_sys_wait4(-1, &st, 0, NULL) > 1);
	return 0;
}

static int
cmd_pids(void)
{

	printf("%d %d\n", (int)rump_sys_getpid(), (int)rump_sys_getppid());
	return 0;
}

/* exec keeps pid and descriptors, closes CLOEXEC ones, renames */
static int
cmd_exec(const char *as)
{
	static char after[] = "afterexec";
	char a[16], b[16], p[16], path[PATH_MAX];
	char *argv[] = { path, after, a, b, p, NULL };
	extern char **environ;
	int fa, fb;

	fa = rump_sys_open("/tmp/cloexec", O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	fb = rump_sys_open("/tmp/kept", O_RDWR | O_CREAT, 0644);
	CHECK(fa >= 0 && fb >= 0);
	CHECK(rump_sys_write(fb, "abc", 3) == 3);
	snprintf(a, sizeof(a), "%d", fa);
	snprintf(b, sizeof(b), "%d", fb);
	snprintf(p, sizeof(p), "%d", (int)rump_sys_getpid());
	snprintf(path, sizeof(path), "%s", as);
	rumpclient_exec(path, argv, environ);
	CHECK(!"exec failed");
	return 1;
}

static int
cmd_afterexec(int fa, int fb, pid_t pid, const char *name)
{
	struct rump_procinfo pi;
	struct stat sb;

	CHECK(rump_sys_getpid() == pid);
	errno = 0;
	CHECK(rump_sys_fcntl(fa, F_GETFD) == -1 && errno == EBADF);
	CHECK(rump_sys_fstat(fb, &sb) == 0 && sb.st_size == 3);
	CHECK(rump_sys_lseek(fb, 0, SEEK_CUR) == 3);
	CHECK(procinfo(pid, &pi) == 0);
	CHECK(strcmp(pi.rpi_comm, name) == 0);
	printf("ok %d %s\n", (int)pid, pi.rpi_comm);
	return 0;
}

/* exec while many threads are blocked reading kernel pipes */
static int pipefd[2];

static void *
blocked_reader(void *arg)
{
	char c;

	(void)rump_sys_read(pipefd[0], &c, 1);
	return NULL;
}

static int
cmd_execpipes(int nthr, int gen, int last, pid_t pid)
{
	char g[16], r[16], w[16], p[16], n[16], l[16];
	static char execpipes[] = "execpipes";
	char *argv[] = { self, execpipes, n, g, l, r, w, p, NULL };
	extern char **environ;
	struct rump_procinfo pi;
	pthread_t t;
	char c;
	int i;

	if (gen == 0) {
		CHECK(rump_sys_pipe2(pipefd, 0) == 0);
		pid = rump_sys_getpid();
	} else {
		/* after exec: same process, only the main lwp and us left */
		CHECK(rump_sys_getpid() == pid);
		CHECK(procinfo(pid, &pi) == 0);
		CHECK(pi.rpi_nlwps <= 2);
		CHECK(rump_sys_write(pipefd[1], "x", 1) == 1);
		CHECK(rump_sys_read(pipefd[0], &c, 1) == 1 && c == 'x');
	}
	if (gen == last) {
		printf("ok %d\n", gen);
		return 0;
	}
	for (i = 0; i < nthr; i++)
		CHECK(pthread_create(&t, NULL, blocked_reader, NULL) == 0);
	/* let them block in the kernel */
	for (i = 0; i < 500; i++) {
		CHECK(procinfo(pid, &pi) == 0);
		if (pi.rpi_nlwps >= nthr + 1)
			break;
		usleep(10000);
	}
	CHECK(pi.rpi_nlwps >= nthr + 1);
	snprintf(n, sizeof(n), "%d", nthr);
	snprintf(g, sizeof(g), "%d", gen + 1);
	snprintf(l, sizeof(l), "%d", last);
	snprintf(r, sizeof(r), "%d", pipefd[0]);
	snprintf(w, sizeof(w), "%d", pipefd[1]);
	snprintf(p, sizeof(p), "%d", (int)pid);
	rumpclient_exec(self, argv, environ);
	CHECK(!"exec failed");
	return 1;
}

/* three children: exit 3, exit 4, killed; WNOHANG before they end */
static int
cmd_wait(void)
{
	int go[2], rep[2], st, i, n3 = 0, n4 = 0, nk = 0;
	pid_t hp[3], victim, rp;

	CHECK(pipe(go) == 0 && pipe(rep) == 0);
	for (i = 0; i < 3; i++) {
		hp[i] = rumpclient_fork();
		CHECK(hp[i] != -1);
		if (hp[i] == 0) {
			char c;

			if (i == 2) {
				pid_t me = rump_sys_getpid();

				CHECK(write(rep[1], &me, sizeof(me)) ==
				    sizeof(me));
				for (;;)
					pause();
			}
			CHECK(read(go[0], &c, 1) == 1);
			exit(3 + i);
		}
	}
	CHECK(read(rep[0], &victim, sizeof(victim)) == sizeof(victim));
	CHECK(rump_sys_wait4(-1, &st, WNOHANG, NULL) == 0);
	CHECK(write(go[1], "xx", 2) == 2);
	CHECK(rump_sys_kill(victim, SIGKILL) == 0);
	for (i = 0; i < 3; i++) {
		rp = rump_sys_wait4(-1, &st, 0, NULL);
		CHECK(rp > 1);
		if (WIFEXITED(st) && WEXITSTATUS(st) == 3)
			n3++;
		else if (WIFEXITED(st) && WEXITSTATUS(st) == 4)
			n4++;
		else if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL &&
		    rp == victim)
			nk++;
	}
	CHECK(n3 == 1 && n4 == 1 && nk == 1);
	errno = 0;
	CHECK(rump_sys_wait4(-1, &st, 0, NULL) == -1 && errno == ECHILD);
	for (i = 0; i < 3; i++) {
		CHECK(waitpid(hp[i], &st, 0) == hp[i]);
		if (i == 2)
			CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	}
	printf("ok\n");
	return 0;
}

/* an orphan is reparented to pid 1, which reaps it */
static int
cmd_orphan(void)
{
	int rep[2], st, i;
	pid_t hp, gp, gr;

	CHECK(pipe(rep) == 0);
	hp = rumpclient_fork();
	CHECK(hp != -1);
	if (hp == 0) {
		gp = rumpclient_fork();
		CHECK(gp != -1);
		if (gp == 0) {
			/* wait until our parent is gone */
			for (i = 0; i < 500 && rump_sys_getppid() != 1; i++)
				usleep(10000);
			gr = rump_sys_getppid();
			CHECK(write(rep[1], &gr, sizeof(gr)) == sizeof(gr));
			exit(0);
		}
		exit(0);
	}
	CHECK(waitpid(hp, &st, 0) == hp);
	CHECK(rump_sys_wait4(-1, &st, 0, NULL) > 1);
	CHECK(read(rep[0], &gr, sizeof(gr)) == sizeof(gr));
	CHECK(gr == 1);
	printf("ok\n");
	return 0;
}

/* SIGALRM every 10 ms, the handler making calls, for secs seconds */
static volatile sig_atomic_t nalrm, badalrm;
static pid_t mypid;

static void
onalrm(int sig)
{
	int save = errno;

	if (rump_sys_getpid() != mypid)
		badalrm++;
	nalrm++;
	errno = save;
}

static int
cmd_sigalrm(int secs)
{
	struct itimerval it = { { 0, 10000 }, { 0, 10000 } };
	struct sigaction sa;
	time_t end;
	char buf[64];
	int fd, bad = 0;
	long calls = 0;

	mypid = rump_sys_getpid();
	fd = rump_sys_open("/tmp/alrm", O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = onalrm;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	end = time(NULL) + secs;
	while (time(NULL) < end) {
		int n = snprintf(buf, sizeof(buf), "call %ld", calls);

		if (rump_sys_getpid() != mypid)
			bad++;
		if (rump_sys_pwrite(fd, buf, (size_t)n, 0) != n)
			bad++;
		memset(buf + 32, 0, 32);
		if (rump_sys_pread(fd, buf + 32, (size_t)n, 0) != n ||
		    memcmp(buf, buf + 32, (size_t)n) != 0)
			bad++;
		calls++;
	}
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	printf("%d %d %d %ld\n", bad, (int)badalrm, (int)nalrm, calls);
	return bad != 0 || badalrm != 0;
}

/* print our pid, then block in the kernel until killed */
static int
cmd_blocked(void)
{
	int p[2];
	char c;

	CHECK(rump_sys_pipe2(p, 0) == 0);
	printf("%d\n", (int)rump_sys_getpid());
	fflush(stdout);
	(void)rump_sys_read(p[0], &c, 1);
	printf("read returned\n");
	return 3;
}

static int
cmd_kill(pid_t pid, int sig)
{

	CHECK(rump_sys_kill(pid, sig) == 0);
	printf("ok\n");
	return 0;
}

/* reconnect policy: call, wait for a line on stdin, call again */
static int
cmd_retry(const char *mode)
{
	char line[64];
	int fd, rv;

	if (strcmp(mode, "inf") == 0)
		rumpclient_setconnretry(RUMPCLIENT_RETRYCONN_INFTIME);
	else if (strcmp(mode, "die") == 0)
		rumpclient_setconnretry(RUMPCLIENT_RETRYCONN_DIE);
	else
		rumpclient_setconnretry(atoi(mode));
	fd = rump_sys_open("/tmp/before", O_RDWR | O_CREAT, 0644);
	CHECK(fd >= 0);
	printf("%d %d\n", (int)rump_sys_getpid(), fd);
	fflush(stdout);
	if (fgets(line, sizeof(line), stdin) == NULL)
		return 2;
	errno = 0;
	rv = (int)rump_sys_getpid();
	printf("%d %d\n", rv, rv == -1 ? errno : 0);
	/* a new process: the old descriptor is gone */
	errno = 0;
	rv = rump_sys_close(fd);
	printf("%d %d\n", rv, rv == -1 ? errno : 0);
	return 0;
}


/*
 * churn MODE: 8 threads making calls and checking the answers until
 * SIGUSR1 asks for a clean exit; MODE 1 also forks children that make
 * a few calls and exit, MODE 2 execs itself now and then.  Exit status
 * 0 only if every answer was right.
 */
/*
 * Set by the SIGUSR1 handler, read by every thread: an atomic (lock
 * free, so safe in a handler), not just a sig_atomic_t, which says
 * nothing about other threads.
 */
static atomic_int churn_stop;
static int churn_bad;
static pthread_mutex_t churn_mtx = PTHREAD_MUTEX_INITIALIZER;

static void
onusr1(int sig)
{

	churn_stop = 1;
}

static void *
churn_thread(void *arg)
{
	char path[64], buf[32], in[32];
	pid_t me = rump_sys_getpid();
	int fd, n, bad = 0;

	snprintf(path, sizeof(path), "/tmp/churn.%d.%d", (int)getpid(),
	    (int)(intptr_t)arg);
	/* close-on-exec: mode 2 execs over and over */
	fd = rump_sys_open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "tproc churn: open %s: %s\n", path,
		    strerror(errno));
		bad++;
	}
	while (!churn_stop && fd >= 0) {
		if (rump_sys_getpid() != me)
			bad++;
		n = snprintf(buf, sizeof(buf), "%ld", random());
		if (rump_sys_pwrite(fd, buf, (size_t)n, 0) != n ||
		    rump_sys_pread(fd, in, (size_t)n, 0) != n ||
		    memcmp(buf, in, (size_t)n) != 0)
			bad++;
	}
	if (fd >= 0) {
		rump_sys_close(fd);
		rump_sys_unlink(path);
	}
	pthread_mutex_lock(&churn_mtx);
	churn_bad += bad;
	pthread_mutex_unlock(&churn_mtx);
	return NULL;
}

static int
cmd_churn(int mode)
{
	static char churn[] = "churn", two[] = "2";
	char *argv[] = { self, churn, two, NULL };
	extern char **environ;
	pthread_t t[8];
	int i, st, rounds = 0;
	pid_t hp;

	sigset_t usr1;

	/*
	 * Only the main thread takes SIGUSR1, so that blocking it before
	 * an exec closes the window in which the old image would consume
	 * it: the threads inherit the blocked mask.
	 */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &usr1, NULL);
	for (i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, churn_thread, (void *)(intptr_t)i);
	pthread_sigmask(SIG_UNBLOCK, &usr1, NULL);
	while (!churn_stop) {
		usleep(100000);
		rounds++;
		if (mode == 1 && !churn_stop) {
			hp = rumpclient_fork();
			if (hp == 0) {
				for (i = 0; i < 100; i++)
					(void)rump_sys_getppid();
				_exit(rump_sys_getppid() > 1 ? 0 : 1);
			}
			if (hp > 0) {
				waitpid(hp, &st, 0);
				(void)rump_sys_wait4(-1, &st, 0, NULL);
			}
		}
		if (mode == 2 && rounds == 3 && !churn_stop) {
			/*
			 * A SIGUSR1 between execve and the new image's
			 * sigaction would kill us: keep it pending instead.
			 */
			sigprocmask(SIG_BLOCK, &usr1, NULL);
			if (!churn_stop)
				rumpclient_exec(self, argv, environ);
			sigprocmask(SIG_UNBLOCK, &usr1, NULL);
		}
	}
	for (i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	return churn_bad != 0;
}

int
main(int argc, char *argv[])
{
	ssize_t n;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return 2;
	self[n] = '\0';
	if (argc < 2) {
		fprintf(stderr, "usage: tproc command [args]\n");
		return 2;
	}
	if (strcmp(argv[1], "churn") == 0) {
		/* before anything slow: the test may ask us to stop at once */
		struct sigaction sa;

		sigset_t usr1;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = onusr1;
		sigaction(SIGUSR1, &sa, NULL);
		sigemptyset(&usr1);
		sigaddset(&usr1, SIGUSR1);
		sigprocmask(SIG_UNBLOCK, &usr1, NULL);
	}
	if (rumpclient_init() == -1) {
		fprintf(stderr, "tproc: rumpclient_init: %s\n",
		    strerror(errno));
		return 1;
	}
	if (strcmp(argv[1], "fork") == 0)
		return cmd_fork();
	if (strcmp(argv[1], "cancel") == 0)
		return cmd_cancel();
	if (strcmp(argv[1], "vforkexec") == 0)
		return cmd_vforkexec();
	if (strcmp(argv[1], "pids") == 0)
		return cmd_pids();
	if (strcmp(argv[1], "exec") == 0 && argc == 3)
		return cmd_exec(argv[2]);
	if (strcmp(argv[1], "afterexec") == 0 && argc == 5) {
		const char *base = strrchr(argv[0], '/');

		return cmd_afterexec(atoi(argv[2]), atoi(argv[3]),
		    atoi(argv[4]), base ? base + 1 : argv[0]);
	}
	if (strcmp(argv[1], "execpipes") == 0 && argc == 4)
		return cmd_execpipes(atoi(argv[2]), 0, atoi(argv[3]), 0);
	if (strcmp(argv[1], "execpipes") == 0 && argc == 8) {
		pipefd[0] = atoi(argv[5]);
		pipefd[1] = atoi(argv[6]);
		return cmd_execpipes(atoi(argv[2]), atoi(argv[3]),
		    atoi(argv[4]), atoi(argv[7]));
	}
	if (strcmp(argv[1], "wait") == 0)
		return cmd_wait();
	if (strcmp(argv[1], "orphan") == 0)
		return cmd_orphan();
	if (strcmp(argv[1], "sigalrm") == 0 && argc == 3)
		return cmd_sigalrm(atoi(argv[2]));
	if (strcmp(argv[1], "blocked") == 0)
		return cmd_blocked();
	if (strcmp(argv[1], "kill") == 0 && argc == 4)
		return cmd_kill(atoi(argv[2]), atoi(argv[3]));
	if (strcmp(argv[1], "churn") == 0 && argc == 3)
		return cmd_churn(atoi(argv[2]));
	if (strcmp(argv[1], "retry") == 0 && argc == 3)
		return cmd_retry(argv[2]);
	fprintf(stderr, "tproc: unknown command %s\n", argv[1]);
	return 2;
}
