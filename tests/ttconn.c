/*
 * ttconn.c -- client side of tests/test_tconn.c: a librumpclient
 * program whose threads make enough calls to get connections of their
 * own (librumpclient's rc_tconn.c), and says what it sees: how many
 * sockets it holds, which process its calls are in, whether a signal
 * handler's call inside a call works, and what fork and exec do to
 * them.  Run with RUMP_SHM=0 (thread connections are for sockets).
 * Prints one line per check; exits non-zero on a failure.
 */
#include <sys/types.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rump/rumpclient.h>
#include <rump/rump_syscalls.h>

extern char **environ;

#define CHECK(e) do {							\
	if (!(e)) {							\
		fprintf(stderr, "ttconn: %s:%d: check failed: %s "	\
		    "(errno %s)\n", __FILE__, __LINE__, #e,		\
		    strerror(errno));					\
		exit(1);						\
	}								\
} while (0)

/*
 * Signal mask changes of this thread: librumpclient's, through this
 * definition, which comes before libc's.
 */
static __thread long nmask;

int
pthread_sigmask(int how, const sigset_t *set, sigset_t *oset)
{
	static int (*real)(int, const sigset_t *, sigset_t *);

	if (real == NULL)
		real = (int (*)(int, const sigset_t *, sigset_t *))
		    dlsym(RTLD_NEXT, "pthread_sigmask");
	nmask++;
	return real(how, set, oset);
}

/* process_vm_writev calls librumpclient makes on this thread. */
static __thread long nvmwrite;

ssize_t
process_vm_writev(pid_t pid, const struct iovec *l, unsigned long nl,
    const struct iovec *r, unsigned long nr, unsigned long flags)
{
	static ssize_t (*real)(pid_t, const struct iovec *, unsigned long,
	    const struct iovec *, unsigned long, unsigned long);

	if (real == NULL)
		real = (ssize_t (*)(pid_t, const struct iovec *,
		    unsigned long, const struct iovec *, unsigned long,
		    unsigned long))dlsym(RTLD_NEXT, "process_vm_writev");
	nvmwrite++;
	return real(pid, l, nl, r, nr, flags);
}

/* Receives librumpclient makes on this thread (on sockets). */
static __thread long nrecv;

ssize_t
recv(int fd, void *buf, size_t len, int flags)
{
	static ssize_t (*real)(int, void *, size_t, int);

	if (real == NULL)
		real = (ssize_t (*)(int, void *, size_t, int))dlsym(RTLD_NEXT,
		    "recv");
	nrecv++;
	return real(fd, buf, len, flags);
}

/* More than the calls a thread makes before it gets its own. */
#define WARMUP	100

/* Sockets among our descriptors. */
static int
sockets(void)
{
	struct dirent *de;
	struct stat st;
	char path[300];
	DIR *d;
	int n = 0;

	CHECK((d = opendir("/proc/self/fd")) != NULL);
	while ((de = readdir(d)) != NULL) {
		snprintf(path, sizeof(path), "/proc/self/fd/%s", de->d_name);
		if (stat(path, &st) == 0 && S_ISSOCK(st.st_mode))
			n++;
	}
	closedir(d);
	return n;
}

static void
warmup(pid_t *pidp)
{
	pid_t pid = 0;
	int i;

	for (i = 0; i < WARMUP; i++) {
		pid = rump_sys_getpid();
		CHECK(pid > 0);
		CHECK(pidp == NULL || *pidp == 0 || *pidp == pid);
	}
	if (pidp != NULL)
		*pidp = pid;
}

static pthread_barrier_t bar;
static pid_t mainpid;

static void *
counter(void *arg)
{
	pid_t pid = mainpid;

	warmup(&pid);
	CHECK(pid == mainpid);
	pthread_barrier_wait(&bar);	/* all have theirs */
	pthread_barrier_wait(&bar);	/* counted */
	return NULL;
}

/*
 * n threads get a connection each: n + 1 sockets (the process's own
 * and theirs) while they live, and 1 again once they have exited.
 */
static void
count(int n)
{
	pthread_t t[16];
	int i, during, after;

	CHECK(n > 0 && n <= 16);
	mainpid = rump_sys_getpid();
	CHECK(pthread_barrier_init(&bar, NULL, (unsigned)n + 1) == 0);
	for (i = 0; i < n; i++)
		CHECK(pthread_create(&t[i], NULL, counter, NULL) == 0);
	pthread_barrier_wait(&bar);
	during = sockets();
	pthread_barrier_wait(&bar);
	for (i = 0; i < n; i++)
		CHECK(pthread_join(t[i], NULL) == 0);
	after = sockets();
	printf("count %d during %d after %d\n", n, during, after);
}

static int pfd[2];
static volatile sig_atomic_t handled;

/* The handler's own call, while its thread waits in a call of its own. */
static void
onalarm(int sig)
{

	(void)sig;
	handled = rump_sys_write(pfd[1], "x", 1) == 1 ? 1 : -1;
}

/*
 * A call blocked on its thread's connection (a read on an empty rump
 * pipe); a signal handler that runs meanwhile writes the byte that
 * wakes it, over the shared connection.
 */
static void
sigcall(void)
{
	struct sigaction sa;
	struct itimerval it;
	char c;
	ssize_t n;

	warmup(NULL);
	CHECK(rump_sys_pipe(pfd) == 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = onalarm;
	CHECK(sigaction(SIGALRM, &sa, NULL) == 0);
	memset(&it, 0, sizeof(it));
	it.it_value.tv_usec = 200 * 1000;
	CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0);
	n = rump_sys_read(pfd[0], &c, 1);
	printf("sigcall read %zd %c handled %d sockets %d\n", n,
	    n == 1 ? c : '-', (int)handled, sockets());
}

/*
 * fork: the child is another process, whose first calls go over its
 * own connection and later ones over a thread connection of its own;
 * the parent's thread connection still serves the parent.
 */
static void
forkcheck(void)
{
	pid_t ppid = 0, cpid = 0, pid;
	int status;

	warmup(&ppid);
	CHECK(sockets() == 2);
	if ((pid = rumpclient_fork()) == 0) {
		/* the parent's thread connection is not ours: closed */
		CHECK(sockets() == 1);
		warmup(&cpid);
		CHECK(cpid != ppid);
		CHECK(sockets() == 2);
		CHECK(rump_sys_getppid() == ppid);
		exit(0);
	}
	CHECK(pid > 0);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	warmup(&ppid);
	printf("fork ok sockets %d\n", sockets());
}

/* exec with thread connections: the new image is the same process. */
static void
execcheck(void)
{
	char self[4096], pidstr[32], cmd[] = "execed";
	char *nargv[] = { self, cmd, pidstr, NULL };
	ssize_t n;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	CHECK(n > 0);
	self[n] = '\0';
	warmup(NULL);
	snprintf(pidstr, sizeof(pidstr), "%d", (int)rump_sys_getpid());
	CHECK(sockets() == 2);
	rumpclient_exec(self, nargv, environ);
	CHECK(!"exec failed");
}

static void
execed(const char *pidstr)
{
	pid_t pid = 0;

	/* only the process's connection came through exec */
	CHECK(sockets() == 1);
	warmup(&pid);
	printf("execed same %d sockets %d\n", pid == atoi(pidstr), sockets());
}

/*
 * process_vm_writev calls for 100 reads of 64 KiB and 100 of 64 bytes
 * after the warmup: a large reply's data is received straight into the
 * buffer, a small one's comes with its header and is copied.  Then
 * receives for 100 reads of a 100-byte file into the 64 KiB buffer:
 * the first reads the head alone (the reads before filled it), the
 * rest the whole reply at once.
 */
static void
vmwrites(void)
{
	static char buf[64 * 1024];
	long before, big, small;
	int fd, i;

	warmup(NULL);
	CHECK((fd = rump_sys_open("/dev/zero", O_RDONLY)) >= 0);
	before = nvmwrite;
	for (i = 0; i < 100; i++)
		CHECK(rump_sys_read(fd, buf, sizeof(buf)) ==
		    (ssize_t)sizeof(buf));
	big = nvmwrite - before;
	before = nvmwrite;
	for (i = 0; i < 100; i++)
		CHECK(rump_sys_read(fd, buf, 64) == 64);
	small = nvmwrite - before;
	CHECK(rump_sys_close(fd) == 0);
	CHECK((fd = rump_sys_open("/vmwrites", O_RDWR | O_CREAT | O_TRUNC,
	    0600)) >= 0);
	CHECK(rump_sys_write(fd, buf, 100) == 100);
	before = nrecv;
	for (i = 0; i < 100; i++)
		CHECK(rump_sys_pread(fd, buf, sizeof(buf), 0) == 100);
	printf("vmwrites big %ld small %ld short recvs %ld\n", big, small,
	    nrecv - before);
	CHECK(rump_sys_close(fd) == 0);
	CHECK(rump_sys_unlink("/vmwrites") == 0);
}

/* Signal mask changes for 1000 calls after the warmup. */
static void
masks(void)
{
	long before;
	int i;

	warmup(NULL);
	before = nmask;
	for (i = 0; i < 1000; i++)
		CHECK(rump_sys_getpid() > 0);
	printf("masks %ld\n", nmask - before);
}

/*
 * Reads into bad memory on a thread connection: EFAULT, as from a
 * kernel, for a reply that comes with its header (small) and one
 * received straight into the buffer (big, its second half unmapped);
 * the connection goes on.
 */
static void
efault(void)
{
	size_t big = 256 * 1024;
	uint8_t *p;
	char c;
	int fd, esmall, ebig;
	ssize_t n;

	warmup(NULL);
	CHECK((fd = rump_sys_open("/dev/zero", O_RDONLY)) >= 0);
	n = rump_sys_read(fd, (void *)8, 64);
	esmall = n == -1 ? errno : 0;
	p = mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	CHECK(p != MAP_FAILED);
	CHECK(mprotect(p + big / 2, big / 2, PROT_NONE) == 0);
	memset(p, 'x', big / 2);
	n = rump_sys_read(fd, p, big);
	ebig = n == -1 ? errno : 0;
	CHECK(p[0] == 0 && p[big / 2 - 1] == 0);
	CHECK(rump_sys_read(fd, &c, 1) == 1 && c == 0);
	printf("efault small %s big %s sockets %d\n",
	    esmall == EFAULT ? "EFAULT" : strerror(esmall),
	    ebig == EFAULT ? "EFAULT" : strerror(ebig), sockets());
}

/* The highest-numbered socket: the thread connection made last. */
static int
lastsocket(void)
{
	struct stat st;
	int fd, last = -1;

	for (fd = 3; fd < 1024; fd++)
		if (fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode))
			last = fd;
	return last;
}

struct closer {
	pid_t	tid;	/* the thread to wait for */
	int	fd;	/* what to close once it sleeps */
};

/* Close c->fd once thread c->tid sleeps (its call is waiting). */
static void *
closer(void *arg)
{
	struct closer *c = arg;
	char path[64], buf[512], *p;
	FILE *fp;
	int i;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)c->tid);
	for (i = 0; i < 10000; i++) {
		CHECK((fp = fopen(path, "r")) != NULL);
		p = fgets(buf, sizeof(buf), fp);
		fclose(fp);
		CHECK(p != NULL && (p = strrchr(buf, ')')) != NULL);
		if (p[2] == 'S')
			break;
		sched_yield();
	}
	CHECK(close(c->fd) == 0);
	return NULL;
}

/* A kern.sysproxy counter of the server, by name. */
static long long
srvcounter(const char *name)
{
	int q[2] = { RUMP_CTL_SYSCTL, RUMP_SYSCTL_NAME2OID }, mib[4];
	size_t mlen = sizeof(mib), vlen;
	int64_t v;

	CHECK(rump_sys___sysctl(q, 2, mib, &mlen, name, strlen(name)) == 0);
	vlen = sizeof(v);
	CHECK(rump_sys___sysctl(mib, (unsigned)(mlen / sizeof(int)), &v,
	    &vlen, NULL, 0) == 0 && vlen == sizeof(v));
	return (long long)v;
}

/* Poll the server's count of calls asleep until it is n (10 s). */
static long long
blocked_becomes(long long n)
{
	long long v = -1;
	int i;

	for (i = 0; i < 1000; i++) {
		if ((v = srvcounter("kern.sysproxy.blocked")) == n)
			break;
		usleep(10 * 1000);
	}
	return v;
}

static void *
cancelled_reader(void *arg)
{
	int *p = arg;
	char ch;

	warmup(NULL);
	(void)rump_sys_read(p[0], &ch, 1);
	pthread_testcancel();
	return NULL;
}

/*
 * A thread is cancelled (pthread_cancel) while its read sleeps in the
 * kernel.  On its own connection (own) the call is a cancellation
 * point: the connection closes as the thread goes, and the server
 * interrupts the read, which took nothing.  On the shared connection
 * (RUMP_THREADCONN=0) the call is not one (its frame is on the
 * connection's list of waiters): the read ends when the byte comes and
 * the thread is cancelled at its next cancellation point.  Either way
 * the process goes on.
 */
static void
cancelcheck(bool own)
{
	pthread_t t;
	void *res;
	long long during, after;
	int p[2];
	char ch;

	CHECK(rump_sys_pipe(p) == 0);
	CHECK(pthread_create(&t, NULL, cancelled_reader, p) == 0);
	during = blocked_becomes(1);
	CHECK(pthread_cancel(t) == 0);
	if (own) {
		/* interrupted: the byte stays for us */
		after = blocked_becomes(0);
		CHECK(pthread_join(t, &res) == 0 && res == PTHREAD_CANCELED);
		CHECK(rump_sys_write(p[1], "x", 1) == 1);
		CHECK(rump_sys_read(p[0], &ch, 1) == 1 && ch == 'x');
	} else {
		/* the read takes the byte, then the thread is cancelled */
		CHECK(rump_sys_write(p[1], "x", 1) == 1);
		CHECK(pthread_join(t, &res) == 0 && res == PTHREAD_CANCELED);
		after = blocked_becomes(0);
	}
	warmup(NULL);
	printf("cancel blocked %lld then %lld\n", during, after);
}

/*
 * The program closes the thread's connection: between calls (the next
 * call goes over the process's connection, and the thread joins
 * again), and while a call waits on it (the call fails with ENOTCONN,
 * as a call cut off by a broken connection does without a reconnect
 * policy, and the next one works).
 */
static void
closed(bool waiting)
{
	struct closer c;
	pthread_t t;
	pid_t pid = 0, again = 0;
	char ch;
	int p[2], between, during, err;
	ssize_t n;

	warmup(&pid);
	CHECK(sockets() == 2);
	CHECK(close(lastsocket()) == 0);
	CHECK(rump_sys_getpid() == pid);
	warmup(&again);
	CHECK(again == pid);
	between = sockets();
	if (!waiting) {
		printf("closed between %d\n", between);
		return;
	}

	CHECK(rump_sys_pipe(p) == 0);
	c.tid = (pid_t)syscall(SYS_gettid);
	c.fd = lastsocket();
	CHECK(pthread_create(&t, NULL, closer, &c) == 0);
	n = rump_sys_read(p[0], &ch, 1);
	err = n == -1 ? errno : 0;
	CHECK(pthread_join(t, NULL) == 0);
	CHECK(rump_sys_getpid() == pid);
	warmup(NULL);
	during = sockets();
	printf("closed between %d during %s %d\n", between,
	    err == ENOTCONN ? "ENOTCONN" : strerror(err), during);
}

/*
 * The server restarts under a thread connection: with a reconnect
 * policy the next call goes over a new process connection, and the
 * thread later joins the new process.
 */
static void
reconnect(void)
{
	char line[16];
	int after;

	rumpclient_setconnretry(RUMPCLIENT_RETRYCONN_INFTIME);
	warmup(NULL);
	printf("ready %d\n", sockets());
	CHECK(fgets(line, sizeof(line), stdin) != NULL);
	CHECK(rump_sys_getpid() > 0);
	after = sockets();
	warmup(NULL);
	printf("reconnect %d %d\n", after, sockets());
}

static sigjmp_buf jumpbuf;
static pthread_t jumpee;

static void
jumper(int sig)
{

	(void)sig;
	siglongjmp(jumpbuf, 1);
}

/* Once the main thread's read is asleep in the server, signal it. */
static void *
jumpsignal(void *arg)
{

	(void)arg;
	CHECK(blocked_becomes(1) == 1);
	CHECK(pthread_kill(jumpee, SIGUSR1) == 0);
	return NULL;
}

/*
 * A signal handler leaves a read asleep on an empty pipe with
 * siglongjmp(3), three times.  The next call ends each abandoned call
 * (its thread connection is closed, or it is cancelled on the shared
 * one): none stays asleep in the server, the byte written afterwards
 * is not taken by one of them, and calls go on.
 */
static void
jump(void)
{
	struct sigaction sa;
	pthread_t t;
	volatile int jumped = 0;
	long long after;
	int p[2], i;
	char ch = 0;

	warmup(NULL);
	jumpee = pthread_self();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = jumper;
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	CHECK(rump_sys_pipe(p) == 0);
	for (i = 0; i < 3; i++) {
		/* this call ends the one abandoned before */
		CHECK(rump_sys_getpid() > 0);
		CHECK(blocked_becomes(0) == 0);
		CHECK(pthread_create(&t, NULL, jumpsignal, NULL) == 0);
		if (sigsetjmp(jumpbuf, 1) == 0) {
			(void)rump_sys_read(p[0], &ch, 1);
			fprintf(stderr, "ttconn: read returned\n");
			exit(1);
		}
		CHECK(pthread_join(t, NULL) == 0);
		jumped++;
	}
	CHECK(rump_sys_getpid() > 0);
	after = blocked_becomes(0);
	CHECK(rump_sys_write(p[1], "x", 1) == 1);
	CHECK(rump_sys_read(p[0], &ch, 1) == 1);
	printf("jump %d blocked %lld read %c\n", jumped, after, ch);
}

static void *
othercalls(void *arg)
{
	int *np = arg, i;

	for (i = 0; i < 10; i++)
		if (rump_sys_getpid() > 0)
			(*np)++;
	return NULL;
}

/*
 * The main thread, reading the shared connection for itself, leaves
 * its read with a jump (the test sends SIGUSR1 once the read sleeps in
 * the server) and then makes no call for a while: another thread's
 * calls still get their replies (it takes over the reading), and the
 * main thread's next call ends the abandoned read.
 */
static void
jumpshare(void)
{
	struct sigaction sa;
	pthread_t t;
	long long after;
	int p[2], n = 0;
	char ch = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = jumper;
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	CHECK(rump_sys_pipe(p) == 0);
	if (sigsetjmp(jumpbuf, 1) == 0) {
		printf("reading\n");
		(void)rump_sys_read(p[0], &ch, 1);
		fprintf(stderr, "ttconn: read returned\n");
		exit(1);
	}
	CHECK(pthread_create(&t, NULL, othercalls, &n) == 0);
	CHECK(pthread_join(t, NULL) == 0);
	CHECK(rump_sys_getpid() > 0);
	after = blocked_becomes(0);
	CHECK(rump_sys_write(p[1], "x", 1) == 1);
	CHECK(rump_sys_read(p[0], &ch, 1) == 1);
	printf("jumpshare other %d blocked %lld read %c\n", n, after, ch);
}

int
main(int argc, char **argv)
{

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (rumpclient_init() == -1) {
		fprintf(stderr, "ttconn: rumpclient_init: %s\n",
		    strerror(errno));
		return 2;
	}
	if (argc >= 3 && strcmp(argv[1], "count") == 0)
		count(atoi(argv[2]));
	else if (argc >= 2 && strcmp(argv[1], "sigcall") == 0)
		sigcall();
	else if (argc >= 2 && strcmp(argv[1], "reconnect") == 0)
		reconnect();
	else if (argc >= 2 && strcmp(argv[1], "closed") == 0)
		closed(argc < 3 || strcmp(argv[2], "between") != 0);
	else if (argc >= 2 && strcmp(argv[1], "efault") == 0)
		efault();
	else if (argc >= 2 && strcmp(argv[1], "jump") == 0)
		jump();
	else if (argc >= 2 && strcmp(argv[1], "jumpshare") == 0)
		jumpshare();
	else if (argc >= 2 && strcmp(argv[1], "vmwrites") == 0)
		vmwrites();
	else if (argc >= 2 && strcmp(argv[1], "masks") == 0)
		masks();
	else if (argc >= 2 && strcmp(argv[1], "fork") == 0)
		forkcheck();
	else if (argc >= 2 && strcmp(argv[1], "exec") == 0)
		execcheck();
	else if (argc >= 3 && strcmp(argv[1], "execed") == 0)
		execed(argv[2]);
	else if (argc >= 2 && strcmp(argv[1], "cancel") == 0)
		cancelcheck(argc < 3 || strcmp(argv[2], "shared") != 0);
	else {
		fprintf(stderr, "usage: ttconn count N | sigcall | jump | jumpshare | masks | "
		    "vmwrites | "
		    "efault | closed [between] | reconnect | fork | exec | "
		    "cancel [shared]\n");
		return 2;
	}
	return 0;
}
