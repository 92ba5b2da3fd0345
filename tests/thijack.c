/*
 * thijack.c -- an ordinary program, built against libc alone, that
 * test_hijack runs under rumprun: what no Debian tool does on its own
 * (fork and exec with an inherited kernel descriptor, vfork,
 * posix_spawn with a dup2 into the kernel, poll and select over host
 * and kernel descriptors, stdio and directory streams on the kernel).
 * Each mode prints lines that the test compares; any failure is one
 * line on stderr and exit status 1.
 *
 *	thijack forkexec FILE	fork, exec, vfork, posix_spawn appending
 *				to FILE; prints it
 *	thijack poll		needs RUMPHIJACK socket=local
 *	thijack stdio DIR	fopen, fprintf, fgets, opendir, getcwd,
 *				scandir, realpath, mkstemp (DIR: /rump/tmp)
 *	thijack shell DIR	system and popen in the kernel directory DIR
 *	thijack threads DIR	4 threads writing kernel files while the main
 *				thread forks children that write too
 *	thijack execd FD WORD	(internal) append WORD to FD
 */
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <poll.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static char echo_cmd[] = "echo", echo_arg[] = "spawned";
static char *echo_argv[] = { echo_cmd, echo_arg, NULL };

static void
put(int fd, const char *s)
{

	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		err(1, "write %d", fd);
}

static void
waitok(pid_t pid, const char *what)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		err(1, "waitpid %s", what);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		errx(1, "%s: status %#x", what, st);
}

static void
cat(const char *path)
{
	char buf[512];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY)) == -1)
		err(1, "%s", path);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, stdout);
	if (n == -1)
		err(1, "read %s", path);
	close(fd);
}

static int
forkexec(const char *self, const char *path)
{
	posix_spawn_file_actions_t fa;
	char fds[16];
	pid_t pid;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
	if (fd == -1)
		err(1, "%s", path);
	printf("fd %s\n", fd >= 512 ? "kernel" : "host");
	snprintf(fds, sizeof(fds), "%d", fd);
	put(fd, "parent\n");
	if ((pid = fork()) == -1)
		err(1, "fork");
	if (pid == 0) {
		put(fd, "child\n");
		execl(self, "thijack", "execd", fds, "exec", (char *)NULL);
		err(1, "execl");
	}
	waitok(pid, "fork child");
	if ((pid = vfork()) == -1)
		err(1, "vfork");
	if (pid == 0) {
		execl(self, "thijack", "execd", fds, "vfork", (char *)NULL);
		_exit(1);
	}
	waitok(pid, "vfork child");
	if (posix_spawn_file_actions_init(&fa) != 0 ||
	    posix_spawn_file_actions_adddup2(&fa, fd, 1) != 0)
		errx(1, "file actions");
	if (posix_spawnp(&pid, "echo", &fa, NULL, echo_argv, environ) != 0)
		errx(1, "posix_spawnp");
	posix_spawn_file_actions_destroy(&fa);
	waitok(pid, "spawned echo");
	close(fd);
	fflush(stdout);
	cat(path);
	return 0;
}

/* n ready in a poll of {kernel, host}; which ones */
static void
poll2(int k, int h, int timeout, const char *what)
{
	struct pollfd pf[2];
	int n;

	pf[0].fd = k;
	pf[1].fd = h;
	pf[0].events = pf[1].events = POLLIN;
	if ((n = poll(pf, 2, timeout)) == -1)
		err(1, "poll");
	printf("%s: %d%s%s\n", what, n, pf[0].revents & POLLIN ? " kernel" : "",
	    pf[1].revents & POLLIN ? " host" : "");
}

static void
drain(int fd)
{
	char c;

	if (read(fd, &c, 1) != 1)
		err(1, "read %d", fd);
}

static int
polltest(void)
{
	struct timeval tv;
	fd_set rs;
	int sv[2], p[2], n;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1 || pipe(p) == -1)
		err(1, "socketpair, pipe");
	printf("socketpair %s\n", sv[0] >= 512 && sv[1] >= 512 ? "kernel" :
	    "host");
	fflush(stdout);
	poll2(sv[0], p[0], 0, "idle");
	/* a writer in another process; the poll waits for whichever */
	if ((pid = fork()) == 0) {
		put(sv[1], "k");
		_exit(0);
	}
	poll2(sv[0], p[0], 10000, "kernel written");
	waitok(pid, "kernel writer");
	drain(sv[0]);
	if ((pid = fork()) == 0) {
		put(p[1], "h");
		_exit(0);
	}
	poll2(sv[0], p[0], 10000, "host written");
	waitok(pid, "host writer");
	drain(p[0]);
	put(sv[1], "k");
	put(p[1], "h");
	FD_ZERO(&rs);
	FD_SET(sv[0], &rs);
	FD_SET(p[0], &rs);
	tv.tv_sec = 10;
	tv.tv_usec = 0;
	if ((n = select(sv[0] + 1, &rs, NULL, NULL, &tv)) == -1)
		err(1, "select");
	printf("select: %d%s%s\n", n, FD_ISSET(sv[0], &rs) ? " kernel" : "",
	    FD_ISSET(p[0], &rs) ? " host" : "");
	return 0;
}

static int
stdiotest(const char *dir)
{
	char path[512], line[64], cwd[512];
	struct dirent *de;
	FILE *fp;
	DIR *d;
	int n = 0, fd;

	snprintf(path, sizeof(path), "%s/stdio", dir);
	if ((fp = fopen(path, "w")) == NULL)
		err(1, "fopen %s", path);
	fprintf(fp, "line %d\n", 42);
	if (fclose(fp) != 0)
		err(1, "fclose");
	if ((fp = fopen(path, "r")) == NULL)
		err(1, "fopen %s", path);
	if (fgets(line, sizeof(line), fp) == NULL)
		errx(1, "fgets: nothing");
	fclose(fp);
	printf("read: %s", line);
	if ((d = opendir(dir)) == NULL)
		err(1, "opendir %s", dir);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, "stdio") == 0)
			n++;
	closedir(d);
	printf("readdir: %d\n", n);
	{
		struct dirent **list;
		int i, m, found = 0;

		if ((m = scandir(dir, &list, NULL, alphasort)) == -1)
			err(1, "scandir %s", dir);
		for (i = 0; i < m; i++) {
			if (strcmp(list[i]->d_name, "stdio") == 0)
				found++;
			free(list[i]);
		}
		free(list);
		printf("scandir: %d\n", found);
	}
	if (chdir(dir) == -1 || getcwd(cwd, sizeof(cwd)) == NULL)
		err(1, "chdir, getcwd");
	printf("cwd: %s\n", strcmp(cwd, dir) == 0 ? "same" : cwd);
	if ((fp = fopen("stdio", "r")) == NULL)
		err(1, "relative fopen");
	fclose(fp);
	printf("relative: ok\n");
	snprintf(path, sizeof(path), "%s/../tmp/./stdio", dir);
	if (realpath(path, line) == NULL)
		err(1, "realpath %s", path);
	snprintf(path, sizeof(path), "%s/stdio", dir);
	printf("realpath: %s\n", strcmp(line, path) == 0 ? "same" : line);
	snprintf(path, sizeof(path), "%s/tmpXXXXXX", dir);
	if ((fd = mkstemp(path)) == -1)
		err(1, "mkstemp");
	printf("mkstemp: %s\n", fd >= 512 && access(path, F_OK) == 0 ?
	    "kernel" : "host");
	return 0;
}

/* the children of system and popen start in our kernel directory */
static int
shelltest(const char *dir)
{
	char line[512];
	FILE *fp;
	int st;

	if (chdir(dir) == -1)
		err(1, "chdir %s", dir);
	fflush(stdout);
	if ((st = system("/bin/pwd && echo viasystem > sys")) != 0)
		errx(1, "system: status %#x", st);
	if ((fp = popen("/bin/pwd", "r")) == NULL)
		err(1, "popen r");
	if (fgets(line, sizeof(line), fp) == NULL)
		errx(1, "popen r: nothing");
	printf("popen r: %s", line);
	if ((st = pclose(fp)) != 0)
		errx(1, "pclose r: status %#x", st);
	if ((fp = popen("cat > pop", "w")) == NULL)
		err(1, "popen w");
	fprintf(fp, "viapopen\n");
	if ((st = pclose(fp)) != 0)
		errx(1, "pclose w: status %#x", st);
	fflush(stdout);
	cat("sys");
	cat("pop");
	return 0;
}

static const char *tdir;

static void *
writer(void *arg)
{
	char path[512];
	int fd, i;

	snprintf(path, sizeof(path), "%s/t%d", tdir, (int)(intptr_t)arg);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1)
		err(1, "%s", path);
	for (i = 0; i < 200; i++)
		put(fd, "0123456789\n");
	close(fd);
	return NULL;
}

/* descriptors and streams stay sane while threads and forks mix */
static int
threadtest(const char *dir)
{
	char path[512];
	struct stat sb;
	pthread_t t[4];
	pid_t pid;
	int i, fd;

	tdir = dir;
	for (i = 0; i < 4; i++)
		if ((errno = pthread_create(&t[i], NULL, writer,
		    (void *)(intptr_t)i)) != 0)
			err(1, "pthread_create");
	for (i = 0; i < 4; i++) {
		if ((pid = fork()) == -1)
			err(1, "fork");
		if (pid == 0) {
			snprintf(path, sizeof(path), "%s/c%d", dir, i);
			if ((fd = open(path, O_WRONLY | O_CREAT, 0644)) == -1)
				_exit(1);
			put(fd, "child\n");
			_exit(0);
		}
		waitok(pid, "forked writer");
	}
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/t%d", dir, i);
		if (stat(path, &sb) == -1)
			err(1, "%s", path);
		printf("t%d %lld\n", i, (long long)sb.st_size);
		snprintf(path, sizeof(path), "%s/c%d", dir, i);
		if (stat(path, &sb) == -1)
			err(1, "%s", path);
		printf("c%d %lld\n", i, (long long)sb.st_size);
	}
	return 0;
}

int
main(int argc, char **argv)
{

	if (argc == 3 && strcmp(argv[1], "forkexec") == 0)
		return forkexec(argv[0], argv[2]);
	if (argc == 2 && strcmp(argv[1], "poll") == 0)
		return polltest();
	if (argc == 3 && strcmp(argv[1], "stdio") == 0)
		return stdiotest(argv[2]);
	if (argc == 3 && strcmp(argv[1], "shell") == 0)
		return shelltest(argv[2]);
	if (argc == 3 && strcmp(argv[1], "threads") == 0)
		return threadtest(argv[2]);
	if (argc == 4 && strcmp(argv[1], "execd") == 0) {
		put(atoi(argv[2]), argv[3]);
		put(atoi(argv[2]), "\n");
		return 0;
	}
	fprintf(stderr, "usage: thijack forkexec FILE | poll | stdio DIR\n");
	return 2;
}
