/*
 * tclient.c -- a rump client program for the integration tests: each
 * run is a separate host process with its own connection, so its own
 * process in the kernel.  One subcommand per run; results go to
 * stdout, one value per line, so that the test can compare them.
 *
 *	tclient pid			pid and ppid
 *	tclient write PATH TEXT		create/truncate PATH, write TEXT
 *	tclient read PATH		print the file's contents
 *	tclient fdtest PATH		open PATH twice, print the fds
 *	tclient threads N ITERS		N threads, each checks its answers
 *	tclient hold PATH		open PATH, print pid, wait for stdin EOF
 *	tclient ps			the kernel's process list
 *	tclient closedstdio		close 0-2 first, then make calls
 */
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rump/rumpclient.h>
#include <rump/rump_syscalls.h>

static void
die(const char *what)
{

	fprintf(stderr, "tclient: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int
cmd_write(const char *path, const char *text)
{
	int fd;

	if ((fd = rump_sys_open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1)
		die(path);
	if (rump_sys_write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		die("write");
	if (rump_sys_close(fd) == -1)
		die("close");
	printf("%d\n", (int)rump_sys_getpid());
	return 0;
}

static int
cmd_read(const char *path)
{
	char buf[4096];
	ssize_t n;
	int fd;

	if ((fd = rump_sys_open(path, O_RDONLY)) == -1)
		die(path);
	while ((n = rump_sys_read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, stdout);
	if (n == -1)
		die("read");
	rump_sys_close(fd);
	return 0;
}

struct targ {
	int	id;
	int	iters;
	pid_t	pid;
	int	bad;
};

/*
 * Each thread has its own file and checks every answer: the pid, the
 * descriptor's contents after each write, and that pread returns what
 * this thread (not another) wrote.
 */
static void *
worker(void *v)
{
	struct targ *t = v;
	char path[64], out[64], in[64];
	int fd, i;
	ssize_t n;

	snprintf(path, sizeof(path), "/tmp/thread.%d.%d", (int)getpid(),
	    t->id);
	if ((fd = rump_sys_open(path, O_RDWR | O_CREAT | O_TRUNC, 0600)) < 0) {
		t->bad++;
		return NULL;
	}
	for (i = 0; i < t->iters; i++) {
		if (rump_sys_getpid() != t->pid)
			t->bad++;
		n = snprintf(out, sizeof(out), "thread %d iteration %d", t->id,
		    i);
		if (rump_sys_pwrite(fd, out, (size_t)n, 0) != n)
			t->bad++;
		memset(in, 0, sizeof(in));
		if (rump_sys_pread(fd, in, (size_t)n, 0) != n ||
		    memcmp(in, out, (size_t)n) != 0)
			t->bad++;
	}
	rump_sys_close(fd);
	rump_sys_unlink(path);
	return NULL;
}

static int
cmd_threads(int n, int iters)
{
	pthread_t th[64];
	struct targ ta[64];
	int i, bad = 0;
	pid_t pid = rump_sys_getpid();

	if (n > 64)
		n = 64;
	for (i = 0; i < n; i++) {
		ta[i] = (struct targ){ i, iters, pid, 0 };
		pthread_create(&th[i], NULL, worker, &ta[i]);
	}
	for (i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		bad += ta[i].bad;
	}
	printf("%d\n", bad);
	return bad != 0;
}

static int
cmd_hold(const char *path)
{
	char c;
	int fd;

	if ((fd = rump_sys_open(path, O_RDWR | O_CREAT, 0644)) == -1)
		die(path);
	printf("%d %d\n", (int)rump_sys_getpid(), fd);
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	return 0;
}

static int
cmd_ps(void)
{
	struct rump_procinfo pi[256];
	ssize_t n;
	int i;

	if ((n = rump_sys_proclist(pi, sizeof(pi))) == -1)
		die("proclist");
	n /= (ssize_t)sizeof(pi[0]);
	for (i = 0; i < n && i < 256; i++)
		printf("%d %d %s %d\n", pi[i].rpi_pid, pi[i].rpi_ppid,
		    pi[i].rpi_comm, pi[i].rpi_stat);
	return 0;
}

static int
cmd_closedstdio(void)
{
	int fd, ok;

	/* the connection must not land on 0-2 */
	close(0);
	close(1);
	close(2);
	if (rumpclient_init() == -1)
		return 2;
	fd = rump_sys_open("/tmp/closedstdio", O_RDWR | O_CREAT | O_TRUNC,
	    0644);
	ok = fd >= 0 && rump_sys_write(fd, "ok", 2) == 2;
	/* a host descriptor now takes slot 1; it must not be the kernel */
	if (open("/dev/null", O_WRONLY) == -1)
		return 3;
	return ok && rump_sys_getpid() > 1 ? 0 : 4;
}

int
main(int argc, char *argv[])
{

	if (argc < 2) {
		fprintf(stderr, "usage: tclient command [args]\n");
		return 2;
	}
	if (strcmp(argv[1], "closedstdio") == 0)
		return cmd_closedstdio();
	if (rumpclient_init() == -1)
		die("rumpclient_init");
	if (strcmp(argv[1], "pid") == 0) {
		printf("%d\n%d\n", (int)rump_sys_getpid(),
		    (int)rump_sys_getppid());
		return 0;
	}
	if (strcmp(argv[1], "write") == 0 && argc == 4)
		return cmd_write(argv[2], argv[3]);
	if (strcmp(argv[1], "read") == 0 && argc == 3)
		return cmd_read(argv[2]);
	if (strcmp(argv[1], "threads") == 0 && argc == 4)
		return cmd_threads(atoi(argv[2]), atoi(argv[3]));
	if (strcmp(argv[1], "hold") == 0 && argc == 3)
		return cmd_hold(argv[2]);
	if (strcmp(argv[1], "ps") == 0)
		return cmd_ps();
	fprintf(stderr, "tclient: unknown command %s\n", argv[1]);
	return 2;
}
