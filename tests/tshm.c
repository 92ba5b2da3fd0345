/*
 * tshm.c -- client side of tests/test_shm.c: a librumpclient program
 * that says which transport it is on (the shared region shows in
 * /proc/self/maps as "memfd:rump_sp") and moves data through it in
 * the ways that stress rings: frames larger than a ring, threads,
 * fork, exec, and a sandbox that forbids process_vm_readv/writev.
 * Prints one line per check; exits non-zero on a failure.
 */
#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include <linux/filter.h>
#include <linux/seccomp.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rump/rumpclient.h>
#include <rump/rump_syscalls.h>

extern char **environ;

#define CHECK(e) do {							\
	if (!(e)) {							\
		fprintf(stderr, "tshm: %s:%d: check failed: %s "	\
		    "(errno %s)\n", __FILE__, __LINE__, #e,		\
		    strerror(errno));					\
		exit(1);						\
	}								\
} while (0)

/* Mappings of shared regions in this process. */
static int
regions(void)
{
	char line[512];
	FILE *fp;
	int n = 0;

	CHECK((fp = fopen("/proc/self/maps", "r")) != NULL);
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strstr(line, "memfd:rump_sp") != NULL)
			n++;
	fclose(fp);
	return n;
}

static void
transport(const char *who)
{

	CHECK(rump_sys_getpid() > 0);
	printf("%s%s%d\n", who, *who ? " " : "", regions());
}

/* Write len bytes of a pattern to a kernel file, read them back. */
static void
bigio(const char *path, size_t len, unsigned seed)
{
	uint8_t *w, *r;
	size_t i;
	int fd;

	CHECK((w = malloc(len)) != NULL && (r = malloc(len)) != NULL);
	for (i = 0; i < len; i++)
		w[i] = (uint8_t)(i * 7 + seed + (i >> 12));
	CHECK((fd = rump_sys_open(path, O_RDWR | O_CREAT | O_TRUNC,
	    0600)) >= 0);
	CHECK(rump_sys_write(fd, w, len) == (ssize_t)len);
	memset(r, 0, len);
	CHECK(rump_sys_pread(fd, r, len, 0) == (ssize_t)len);
	CHECK(memcmp(w, r, len) == 0);
	CHECK(rump_sys_close(fd) == 0);
	CHECK(rump_sys_unlink(path) == 0);
	free(w);
	free(r);
}

/*
 * What this process costs while one of its calls sleeps ms in the
 * kernel: CPU time (ms) and how often its threads woke (voluntary
 * context switches).  Neither a ring watched in a loop nor a thread
 * that looks at the connection many times a second may hide there.
 */
static void
kernel_sleep_cost(int ms, long *cpu_ms, long *wakeups)
{
	struct rusage a, b;

	CHECK(getrusage(RUSAGE_SELF, &a) == 0);
	CHECK(rump_sys_poll(NULL, 0, ms) == 0);
	CHECK(getrusage(RUSAGE_SELF, &b) == 0);
	*cpu_ms = (b.ru_utime.tv_sec - a.ru_utime.tv_sec) * 1000 +
	    (b.ru_utime.tv_usec - a.ru_utime.tv_usec) / 1000 +
	    (b.ru_stime.tv_sec - a.ru_stime.tv_sec) * 1000 +
	    (b.ru_stime.tv_usec - a.ru_stime.tv_usec) / 1000;
	*wakeups = b.ru_nvcsw - a.ru_nvcsw;
}

/* A call asleep for a second: little CPU, and a handful of wakeups. */
static void
sleeps_cheaply(void)
{
	long cpu, wakeups;

	kernel_sleep_cost(1000, &cpu, &wakeups);
	if (cpu >= 200 || wakeups >= 30) {
		printf("tshm: a 1 s kernel sleep cost %ld ms CPU, %ld "
		    "wakeups\n", cpu, wakeups);
		exit(1);
	}
}

/*
 * A sandbox as container runtimes make one (Docker's default seccomp
 * profile without CAP_SYS_PTRACE): process_vm_readv and
 * process_vm_writev fail with EPERM, in every thread.
 */
static void
forbid_process_vm(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_process_vm_readv, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_process_vm_writev, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };
	struct iovec l, r;
	char a = 'a', b = 'b';

	CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0);
	CHECK(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
	    SECCOMP_FILTER_FLAG_TSYNC, &prog) == 0);
	l.iov_base = &b;
	l.iov_len = 1;
	r.iov_base = &a;
	r.iov_len = 1;
	CHECK(process_vm_readv(getpid(), &l, 1, &r, 1, 0) == -1 &&
	    errno == EPERM);
}

/*
 * writev and readv: the data behind the iovecs is not in the request,
 * the server asks for it (COPYIN) and sends it back (COPYOUT).
 */
static void
vectored(const char *path)
{
	char w1[] = "hello, ", w2[] = "sandbox", r1[7], r2[8];
	struct iovec wv[2] = { { w1, 7 }, { w2, 7 } };
	struct iovec rv[2] = { { r1, 7 }, { r2, 7 } };
	int fd;

	CHECK((fd = rump_sys_open(path, O_RDWR | O_CREAT | O_TRUNC,
	    0600)) >= 0);
	CHECK(rump_sys_writev(fd, wv, 2) == 14);
	CHECK(rump_sys_lseek(fd, 0, SEEK_SET) == 0);
	memset(r1, 0, sizeof(r1));
	memset(r2, 0, sizeof(r2));
	CHECK(rump_sys_readv(fd, rv, 2) == 14);
	CHECK(memcmp(r1, "hello, ", 7) == 0 && memcmp(r2, "sandbox", 7) == 0);
	CHECK(rump_sys_close(fd) == 0);
	CHECK(rump_sys_unlink(path) == 0);
}

static void *
worker(void *arg)
{
	char path[32];
	int i, id = (int)(intptr_t)arg;

	snprintf(path, sizeof(path), "/tshm.%d", id);
	for (i = 0; i < 300; i++) {
		CHECK(rump_sys_getpid() > 0);
		if (i % 50 == 0)
			bigio(path, 64 * 1024 + (size_t)id * 1000,
			    (unsigned)(i + id));
	}
	return NULL;
}

int
main(int argc, char *argv[])
{
	char self[PATH_MAX];
	pthread_t t[8];
	ssize_t n;
	pid_t pid;
	int i, st;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (rumpclient_init() == -1) {
		printf("tshm: rumpclient_init: %s\n", strerror(errno));
		return 2;
	}
	if (argc >= 2 && strcmp(argv[1], "transport") == 0) {
		sleeps_cheaply();
		transport("");
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "novm") == 0) {
		/* the client falls back to plain copies, for good */
		forbid_process_vm();
		vectored("/tshm.vec");
		bigio("/tshm.novm", 3u * 1024 * 1024 + 77, 8);
		vectored("/tshm.vec");
		transport("novm");
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "bigio") == 0) {
		/* frames of 3 MiB both ways: many times a default ring */
		bigio("/tshm.big", 3u * 1024 * 1024 + 123, 1);
		transport("ok");
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "threads") == 0) {
		for (i = 0; i < 8; i++)
			CHECK(pthread_create(&t[i], NULL, worker,
			    (void *)(intptr_t)i) == 0);
		for (i = 0; i < 8; i++)
			CHECK(pthread_join(t[i], NULL) == 0);
		transport("ok");
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "fork") == 0) {
		/* the child's connection has a region of its own */
		CHECK(rump_sys_getpid() > 0);
		if ((pid = rumpclient_fork()) == 0) {
			bigio("/tshm.child", 300 * 1024, 3);
			transport("child");
			/* exit(3): the kernel hears our status (and gcov) */
			exit(0);
		}
		CHECK(pid > 0);
		CHECK(waitpid(pid, &st, 0) == pid);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		bigio("/tshm.parent", 300 * 1024, 4);
		transport("parent");
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "exec") == 0) {
		/* the new image takes the region over with the socket */
		char pidarg[32], cmd[] = "afterexec";
		char *nargv[] = { self, cmd, pidarg, NULL };

		n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		CHECK(n > 0);
		self[n] = '\0';
		snprintf(pidarg, sizeof(pidarg), "%d", (int)rump_sys_getpid());
		bigio("/tshm.before", 100 * 1024, 5);
		rumpclient_exec(self, nargv, environ);
		printf("tshm: exec: %s\n", strerror(errno));
		return 1;
	}
	if (argc >= 3 && strcmp(argv[1], "afterexec") == 0) {
		CHECK(rump_sys_getpid() == atoi(argv[2]));
		bigio("/tshm.after", 300 * 1024, 6);
		/* a call that sleeps in the kernel: we sleep too, not spin */
		sleeps_cheaply();
		transport("exec");
		return 0;
	}
	fprintf(stderr, "usage: tshm transport | bigio | novm | threads | "
	    "fork | exec\n");
	return 2;
}
