/*
 * test_server_opts.c -- rump_server's command line, as rump_server(1)
 * documents it: every option's bad values are one line on stderr and
 * exit status 1, the good ones start a server; -v's log lines; the
 * stopping signals; detaching (the parent exits once the child listens,
 * the child is a session leader in /) and the ways a detached start
 * can fail.
 *
 * Every server here is a real rump_server process.  Nothing waits by
 * sleeping: a test waits for a line on a pipe, a socket that accepts,
 * a file that disappears or a process that exits, each with a bound.
 */
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define MAXARGS		160

/* the temporary directory of the current test, and a URL in it */
static char tdir[64], url[128];

static void
setup(void)
{

	strcpy(tdir, "/tmp/rumpopts.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tdir));
	snprintf(url, sizeof(url), "unix://%s/sock", tdir);
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tdir);
	(void)system(cmd);
}

struct proc {
	pid_t	pid;
	int	out;		/* its stdout, read end */
	int	err;		/* its stderr, read end */
};

/*
 * Start rump_server with argv (NULL-terminated, without argv[0]).
 * env: "NAME=value" strings or NULL; nofile > 0: the descriptor limit,
 * soft and hard, for which the program itself is run, not libtool's
 * wrapper script (which needs descriptors of its own).
 */
static void
start(struct proc *p, const char *const *env, int nofile,
    const char *const *argv)
{
	char bin[4096], libs[4096], *v[MAXARGS];
	int o[2], e[2], i, n = 0;
	struct rlimit rl;

	if (nofile > 0)
		builddir_path(".libs/rump_server", bin, sizeof(bin));
	else
		builddir_path("rump_server", bin, sizeof(bin));
	v[n++] = bin;
	for (i = 0; argv[i] != NULL && n < MAXARGS - 1; i++)
		v[n++] = (char *)(uintptr_t)argv[i];
	v[n] = NULL;
	ck_assert_int_eq(pipe2(o, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(e, O_CLOEXEC), 0);
	p->pid = fork();
	ck_assert_int_ge(p->pid, 0);
	if (p->pid == 0) {
		dup2(o[1], 1);
		dup2(e[1], 2);
		for (i = 0; env != NULL && env[i] != NULL; i++)
			putenv((char *)(uintptr_t)env[i]);
		if (nofile > 0) {
			builddir_path(".libs", libs, sizeof(libs));
			setenv("LD_LIBRARY_PATH", libs, 1);
			/* Check's own descriptors would count against it */
			closefrom(3);
			rl.rlim_cur = rl.rlim_max = (rlim_t)nofile;
			if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
				_exit(126);
		}
		execv(bin, v);
		_exit(127);
	}
	close(o[1]);
	close(e[1]);
	p->out = o[0];
	p->err = e[0];
}

/* wait for p to exit, at most 30 s; its wait status */
static int
reap(struct proc *p)
{
	int status, i;

	for (i = 0; i < 3000; i++) {
		if (waitpid(p->pid, &status, WNOHANG) == p->pid)
			return status;
		usleep(10000);
	}
	kill(p->pid, SIGKILL);
	waitpid(p->pid, &status, 0);
	ck_abort_msg("rump_server did not exit");
	return -1;
}

/* what is in fd now, without waiting for more */
static void
drain(int fd, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	(void)fcntl(fd, F_SETFL, O_NONBLOCK);
	while (got + 1 < len && (n = read(fd, buf + got, len - got - 1)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
}

static void
closeproc(struct proc *p)
{

	close(p->out);
	close(p->err);
}

/*
 * Run rump_server to its end with argv; its status, stdout and stderr.
 * The output is small and fits the pipes, so reading after the exit
 * is safe.
 */
static int
runv(char *out, size_t outlen, char *err, size_t errlen,
    const char *const *env, int nofile, const char *const *argv)
{
	struct proc p;
	int status;

	start(&p, env, nofile, argv);
	status = reap(&p);
	drain(p.out, out, outlen);
	drain(p.err, err, errlen);
	closeproc(&p);
	return status;
}

static int
run(char *out, size_t outlen, char *err, size_t errlen, ...)
{
	const char *argv[MAXARGS];
	va_list ap;
	int n = 0;

	va_start(ap, errlen);
	while (n < MAXARGS - 1 && (argv[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	return runv(out, outlen, err, errlen, NULL, 0, argv);
}

/* status 1, nothing on stdout, one line on stderr containing what */
static void
one_line_error(int status, const char *out, const char *err,
    const char *what)
{

	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 1,
	    "status 0x%x for %s (stderr: %s)", status, what, err);
	ck_assert_str_eq(out, "");
	ck_assert_msg(strstr(err, what) != NULL, "expected \"%s\" in: %s",
	    what, err);
	ck_assert_msg(strncmp(err, "rump_server: ", 13) == 0, "%s", err);
	ck_assert_msg(strchr(err, '\n') == err + strlen(err) - 1,
	    "not one line: %s", err);
}

/* wait until path is gone, at most 30 s */
static int
gone(const char *path)
{
	int i;

	for (i = 0; i < 3000; i++) {
		if (access(path, F_OK) == -1)
			return 1;
		usleep(10000);
	}
	return 0;
}

/* read lines from fd until one contains what; 0 or -1 (10 s each) */
static int
await_line(int fd, const char *what, char *line, size_t len)
{
	int i;

	for (i = 0; i < 100; i++) {
		if (read_line(fd, line, len) == -1)
			return -1;
		if (strstr(line, what) != NULL)
			return 0;
	}
	return -1;
}

START_TEST(usage_help_version)
{
	char out[4096], err[4096];
	int st;

	/* no operand, two, an unknown option */
	st = run(out, sizeof(out), err, sizeof(err), "-s", NULL);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1);
	ck_assert_msg(strncmp(err, "usage: rump_server", 18) == 0, "%s", err);
	ck_assert_str_eq(out, "");
	st = run(out, sizeof(out), err, sizeof(err), "-s", url, url, NULL);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1);
	ck_assert_ptr_nonnull(strstr(err, "usage: rump_server"));
	st = run(out, sizeof(out), err, sizeof(err), "-s", "-x", url, NULL);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1);
	ck_assert_ptr_nonnull(strstr(err, "usage: rump_server"));
	/* an option missing its value */
	st = run(out, sizeof(out), err, sizeof(err), "-s", "-c", NULL);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1);
	ck_assert_ptr_nonnull(strstr(err, "usage: rump_server"));
	/* --help: the usage on stdout, status 0 */
	st = run(out, sizeof(out), err, sizeof(err), "--help", NULL);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ck_assert_msg(strncmp(out, "usage: rump_server", 18) == 0, "%s", out);
	ck_assert_ptr_nonnull(strstr(out, "--peercred"));
	ck_assert_str_eq(err, "");
	st = run(out, sizeof(out), err, sizeof(err), "--version", NULL);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ck_assert_msg(strncmp(out, "rump_server (rump) ", 19) == 0, "%s", out);
	ck_assert_str_eq(err, "");
	ck_assert_msg(access(tdir, F_OK) == 0 &&
	    access(url + 7, F_OK) == -1, "a socket was made");
}
END_TEST

/* option, value, what the one line says */
static const char *const badvalues[][3] = {
	{ "-c", "0", "invalid number of CPUs: 0 (expected 1 to 256)" },
	{ "-c", "257", "invalid number of CPUs: 257" },
	{ "-c", "2x", "invalid number of CPUs: 2x" },
	{ "-c", "", "invalid number of CPUs" },
	{ "-r", "0", "invalid memory limit: 0 (expected a positive" },
	{ "-r", "x", "invalid memory limit: x" },
	{ "-r", "12q", "invalid memory limit: 12q" },
	{ "-r", "4kb", "invalid memory limit: 4kb" },
	{ "-r", "99999999999999999999", "invalid memory limit" },
	{ "-r", "17179869184g", "invalid memory limit: 17179869184g" },
	{ "-r", "1k", "memory limit 1k is too small: the kernel needs at "
	    "least 16384 bytes (16k) to boot" },
	{ "-r", "16383", "memory limit 16383 is too small" },
	{ "--maxworker", "0", "invalid --maxworker: 0 (expected -1 or 1 to" },
	{ "--maxworker", "-2", "invalid --maxworker: -2 (expected -1 to" },
	{ "--maxworker", "many", "invalid --maxworker: many" },
	{ "--maxworker", "99999999999", "invalid --maxworker" },
	{ "--idleworker", "-3", "invalid --idleworker: -3" },
	{ "--maxblocked", "0", "invalid --maxblocked: 0" },
	{ "--maxclient", "0", "invalid --maxclient: 0" },
	{ "--maxcalls", "0", "invalid --maxcalls: 0" },
	{ "--maxprefork", "0", "invalid --maxprefork: 0" },
	{ "--handshake-timeout", "0", "invalid --handshake-timeout: 0" },
	{ "--copy-timeout", "1s", "invalid --copy-timeout: 1s" },
	{ "--maxqueue", "1m", "invalid --maxqueue: 1m (at least" },
	{ "--maxqueue", "lots", "invalid --maxqueue: lots" },
	{ "--maxproc", "1", "invalid --maxproc: 1 (expected 2 to 99998)" },
	{ "--maxproc", "99999", "invalid --maxproc: 99999" },
	{ "--sockmode", "0800", "invalid --sockmode: 0800 (expected an "
	    "octal mode" },
	{ "--sockmode", "01000", "invalid --sockmode: 01000" },
	{ "--sockmode", "", "invalid --sockmode" },
	{ "-d", "hostpath=/tmp", "invalid drivespec: hostpath=/tmp "
	    "(expected key=PATH,hostpath=HOST" },
	{ "-d", "key=/x", "invalid drivespec: key=/x" },
	{ "-d", "key=/x,hostpath", "invalid drivespec: key=/x,hostpath" },
	{ "-d", "key=/x,hostpath=/tmp,type=fifo", "invalid drivespec" },
	{ "-d", "key=/x,hostpath=/tmp,size=12q", "invalid drivespec" },
	{ "-d", "key=/x,hostpath=/tmp,size=x", "invalid drivespec" },
	{ "-d", "key=/x,hostpath=/tmp,size=99999999999999999999",
	    "invalid drivespec" },
	{ "-d", "key=/x,hostpath=/tmp,size=1g,offset=1m,colour=red",
	    "invalid drivespec: key=/x,hostpath=/tmp,size=1g,offset=1m,"
	    "colour=red" },
	{ "-d", "key=/x,hostpath=/tmp,offset=-1", "invalid drivespec" },
	{ "-d", "key=/x,hostpath=/tmp,offset=17179869184g",
	    "invalid drivespec" },
	{ "-l", "librumpnope.so", "librumpnope.so: no such component in "
	    "this kernel (built in: vfs" },
	{ "-l", "rumpfs_ffs", "rumpfs_ffs: no such component" },
	{ "-l", "lib0123456789012345678901234567890123456789012345678901234567"
	    "89.so", "no such component" },
	{ "-m", "ffs.kmod", "-m ffs.kmod: this kernel loads no modules" },
};

START_TEST(bad_values)
{
	char out[4096], err[4096];
	size_t i;
	int st;

	for (i = 0; i < sizeof(badvalues) / sizeof(badvalues[0]); i++) {
		st = run(out, sizeof(out), err, sizeof(err), "-s",
		    badvalues[i][0], badvalues[i][1], url, NULL);
		one_line_error(st, out, err, badvalues[i][2]);
	}
	/* a malformed URL, and a good one after a bad option value */
	st = run(out, sizeof(out), err, sizeof(err), "-s", "tcp://1.2.3.4",
	    NULL);
	one_line_error(st, out, err, "tcp://1.2.3.4: Invalid argument");
	ck_assert_msg(access(url + 7, F_OK) == -1, "a socket was made");
}
END_TEST

START_TEST(too_many_drives)
{
	char out[4096], err[4096], spec[70][128];
	const char *argv[MAXARGS];
	int i, n = 0, st;

	argv[n++] = "-s";
	for (i = 0; i < 65; i++) {
		snprintf(spec[i], sizeof(spec[i]),
		    "key=/tmp/d%d,hostpath=%s", i, tdir);
		argv[n++] = "-d";
		argv[n++] = spec[i];
	}
	argv[n++] = url;
	argv[n] = NULL;
	st = runv(out, sizeof(out), err, sizeof(err), NULL, 0, argv);
	one_line_error(st, out, err, "more than 64 -d options");
}
END_TEST

/* --key: a missing file, one others may read, one that is no key */
START_TEST(key_files)
{
	char out[4096], err[4096], key[128];
	int fd, st;

	snprintf(key, sizeof(key), "%s/missing", tdir);
	st = run(out, sizeof(out), err, sizeof(err), "-s", "--key", key, url,
	    NULL);
	one_line_error(st, out, err, "missing: No such file or directory");
	snprintf(key, sizeof(key), "%s/key", tdir);
	fd = open(key, O_WRONLY | O_CREAT | O_EXCL, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fchmod(fd, 0644), 0);
	ck_assert_int_eq(write(fd, "0123456789abcdef0123", 20), 20);
	close(fd);
	st = run(out, sizeof(out), err, sizeof(err), "-s", "--key", key, url,
	    NULL);
	one_line_error(st, out, err, "key: readable by group or others");
	ck_assert_int_eq(truncate(key, 5), 0);
	ck_assert_int_eq(chmod(key, 0600), 0);
	st = run(out, sizeof(out), err, sizeof(err), "-s", "--key", key, url,
	    NULL);
	one_line_error(st, out, err, "key: not a key of 16 to 1024 bytes");
	ck_assert_msg(access(url + 7, F_OK) == -1, "a socket was made");
}
END_TEST

/*
 * -d that parses but cannot be set up: a missing host file, a size too
 * large for a file, a host "file" that cannot be grown, a host
 * directory that does not exist.  The kernel has booted by then: the
 * server still exits 1 with one line, detached or not.
 */
START_TEST(drive_failures)
{
	char out[4096], err[4096], spec[256], what[256];
	int st;

	snprintf(spec, sizeof(spec), "key=/tmp/x,hostpath=%s/missing", tdir);
	snprintf(what, sizeof(what), "-d /tmp/x: %s/missing: No such file or "
	    "directory", tdir);
	st = run(out, sizeof(out), err, sizeof(err), "-s", "-d", spec, url,
	    NULL);
	one_line_error(st, out, err, what);
	/* the same detached: the child says it, the parent exits 1 */
	st = run(out, sizeof(out), err, sizeof(err), "-d", spec, url, NULL);
	one_line_error(st, out, err, what);

	snprintf(spec, sizeof(spec), "key=/tmp/x,hostpath=%s/img,"
	    "size=17179869183g", tdir);
	st = run(out, sizeof(out), err, sizeof(err), "-s", "-d", spec, url,
	    NULL);
	one_line_error(st, out, err, "img: File too large");
	st = run(out, sizeof(out), err, sizeof(err), "-s", "-d",
	    "key=/tmp/x,hostpath=/dev/null,type=reg,size=4k", url, NULL);
	one_line_error(st, out, err, "-d /tmp/x: /dev/null: Invalid argument");
	snprintf(spec, sizeof(spec), "key=/tmp/x,hostpath=%s/no/img,size=4k",
	    tdir);
	st = run(out, sizeof(out), err, sizeof(err), "-s", "-d", spec, url,
	    NULL);
	one_line_error(st, out, err, "no/img: No such file or directory");
	ck_assert_msg(access(url + 7, F_OK) == -1, "a socket was made");
}
END_TEST

/*
 * Drives that work: a file made to offset plus size (k and m
 * suffixes), the rest of a host file, a host directory; the kernel sees
 * each with the right size, and the file is on the host afterwards.
 */
START_TEST(drives)
{
	char out[4096], d1[256], d2[256], d3[256], d4[256], path[128];
	char bin[4096];
	struct server srv;
	const char *extra[16];
	struct stat st;
	int fd;

	snprintf(d1, sizeof(d1), "key=/tmp/img,hostpath=%s/img,type=reg,"
	    "size=64k,offset=4k", tdir);
	snprintf(d2, sizeof(d2), "key=/tmp/disk,hostpath=%s/disk,size=1m",
	    tdir);
	snprintf(d3, sizeof(d3), "key=/tmp/whole,hostpath=%s/img,type=reg,"
	    "size=host", tdir);
	snprintf(d4, sizeof(d4), "key=/tmp/dir,hostpath=%s/sub,type=dir",
	    tdir);
	snprintf(path, sizeof(path), "%s/sub", tdir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/sub/hello", tdir);
	fd = open(path, O_WRONLY | O_CREAT, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "hello\n", 6), 6);
	close(fd);
	extra[0] = "-d"; extra[1] = d1;
	extra[2] = "-d"; extra[3] = d2;
	extra[4] = "-d"; extra[5] = d3;
	extra[6] = "-d"; extra[7] = d4;
	extra[8] = NULL;
	srv_start(&srv, "unix", extra);
	snprintf(path, sizeof(path), "%s/img", tdir);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_size, 68 * 1024);
	snprintf(path, sizeof(path), "%s/disk", tdir);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_size, 1024 * 1024);
	builddir_path("rump.cat", bin, sizeof(bin));
	ck_assert_int_eq(run_prog(&srv, out, sizeof(out), bin, "/tmp/dir/hello",
	    NULL), 0);
	ck_assert_str_eq(out, "hello\n");
	builddir_path("rump.ls", bin, sizeof(bin));
	ck_assert_int_eq(run_prog(&srv, out, sizeof(out), bin, "-l",
	    "/tmp/whole", NULL), 0);
	ck_assert_msg(strstr(out, " 69632 ") != NULL &&
	    strstr(out, " /tmp/whole\n") != NULL, "%s", out);
	ck_assert_int_eq(srv_stop(&srv), 0);
}
END_TEST

/*
 * The kernel's parameters from the environment: a memory limit there
 * too small to boot fails rump_init, named as such.
 */
START_TEST(environment)
{
	static const char *const env[] = { "RUMP_MEMLIMIT=1k", NULL };
	char out[4096], err[4096];
	const char *argv[3];
	int st;

	argv[0] = "-s";
	argv[1] = url;
	argv[2] = NULL;
	st = runv(out, sizeof(out), err, sizeof(err), env, 0, argv);
	one_line_error(st, out, err, "rump_init: Cannot allocate memory");
}
END_TEST

/*
 * -v in the foreground with every limit given a good value: the boot
 * line with the CPUs, the address and pid, a client's connect and
 * disconnect, and the signal that stops it; the socket has its mode.
 */
START_TEST(verbose_foreground)
{
	char line[512], want[256], out[256];
	struct server tmp;
	struct proc p;
	struct stat st;
	int status;
	const char *argv[] = { "-s", "-v", "-l", "librumpvfs.so",
	    "-l", "rumpnet_netinet", "-c", "3", "-r", "64m",
	    "--maxworker", "-1", "--idleworker", "0", "--maxblocked", "100",
	    "--maxclient", "10", "--maxqueue", "4m", "--maxcalls", "8",
	    "--maxprefork", "4", "--handshake-timeout", "5000",
	    "--copy-timeout", "-1", "--maxproc", "50", "--sockmode", "0660",
	    "--peercred", url, NULL };

	start(&p, NULL, 0, argv);
	ck_assert_int_eq(await_line(p.err, "booted", line, sizeof(line)), 0);
	ck_assert_msg(strstr(line, "3 virtual cpus") != NULL, "%s", line);
	ck_assert_msg(strstr(line, "memory limit 67108864") != NULL, "%s",
	    line);
	snprintf(want, sizeof(want), "rump_server: listening on %s (pid %d)",
	    url, (int)p.pid);
	ck_assert_int_eq(await_line(p.err, "listening", line, sizeof(line)),
	    0);
	ck_assert_str_eq(line, want);
	ck_assert_int_eq(stat(url + 7, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0660);
	memset(&tmp, 0, sizeof(tmp));
	strcpy(tmp.url, url);
	ck_assert_int_eq(run_client(&tmp, out, sizeof(out), "pid", NULL), 0);
	ck_assert_int_eq(await_line(p.err, "connected (tclient)", line,
	    sizeof(line)), 0);
	ck_assert_int_eq(await_line(p.err, "disconnect", line, sizeof(line)),
	    0);
	kill(p.pid, SIGINT);
	ck_assert_int_eq(await_line(p.err, "exiting", line, sizeof(line)), 0);
	ck_assert_str_eq(line, "rump_server: Interrupt, exiting");
	status = reap(&p);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_msg(gone(url + 7), "socket left behind");
	closeproc(&p);
}
END_TEST

/*
 * Start "rump_server -s -v url" on the CPUs of srvset, run a client on
 * shared rings on those of cliset, and return the server's first line
 * about it after "connected": whether its ring is watched, or the
 * "disconnected" line that ends it.
 */
static void
watch_line(const cpu_set_t *srvset, const cpu_set_t *cliset, char *line,
    size_t len)
{
	const char *argv[] = { "-s", "-v", url, NULL };
	char out[64];
	struct server tmp;
	struct proc p;
	cpu_set_t old;
	int status;

	/* both sides on rings, whatever the suite runs on (RUMP_SHM=0) */
	setenv("RUMP_SHM", "1", 1);
	ck_assert_int_eq(sched_getaffinity(0, sizeof(old), &old), 0);
	ck_assert_int_eq(sched_setaffinity(0, sizeof(*srvset), srvset), 0);
	start(&p, NULL, 0, argv);
	ck_assert_int_eq(await_line(p.err, "listening", out, sizeof(out)),
	    0);
	ck_assert_int_eq(sched_setaffinity(0, sizeof(*cliset), cliset), 0);
	memset(&tmp, 0, sizeof(tmp));
	strcpy(tmp.url, url);
	ck_assert_int_eq(run_client(&tmp, out, sizeof(out), "pid", NULL), 0);
	ck_assert_int_gt(atoi(out), 0);
	ck_assert_int_eq(sched_setaffinity(0, sizeof(old), &old), 0);
	ck_assert_int_eq(await_line(p.err, "connected (tclient)", line, len),
	    0);
	do
		ck_assert_int_eq(read_line(p.err, line, len), 0);
	while (strstr(line, "watched") == NULL &&
	    strstr(line, "disconnected") == NULL);
	kill(p.pid, SIGTERM);
	status = reap(&p);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	closeproc(&p);
}

/*
 * Watching a shared ring pays only when the client can run while the
 * server watches: a server and a client confined to one and the same
 * CPU (their affinity masks, as taskset(1) or a cpuset leaves them) do
 * not watch, and the calls are answered through doorbells.  On two
 * CPUs the server watches as always.
 */
START_TEST(shm_watch_follows_affinity)
{
	cpu_set_t all, one, other;
	char line[256];
	int cpu, cpu2;

	ck_assert_int_eq(sched_getaffinity(0, sizeof(all), &all), 0);
	for (cpu = 0; !CPU_ISSET(cpu, &all); cpu++)
		continue;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);

	watch_line(&one, &one, line, sizeof(line));
	ck_assert_msg(strstr(line, "runs on our one CPU only: its ring is "
	    "not watched") != NULL, "%s", line);
	if (CPU_COUNT(&all) > 1) {
		for (cpu2 = cpu + 1; !CPU_ISSET(cpu2, &all); cpu2++)
			continue;
		CPU_ZERO(&other);
		CPU_SET(cpu2, &other);
		watch_line(&one, &other, line, sizeof(line));
		ck_assert_msg(strstr(line, "disconnected") != NULL, "%s",
		    line);
		watch_line(&all, &one, line, sizeof(line));
		ck_assert_msg(strstr(line, "disconnected") != NULL, "%s",
		    line);
	}
}
END_TEST

/* SIGHUP stops a quiet server too, exit 0, socket removed */
START_TEST(hangup_stops)
{
	char out[64];
	struct server srv;
	int st;

	srv_start(&srv, "unix", NULL);
	ck_assert_int_eq(run_client(&srv, out, sizeof(out), "pid", NULL), 0);
	kill(srv.pid, SIGHUP);
	ck_assert_int_eq(waitpid(srv.pid, &st, 0), srv.pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ck_assert_msg(gone(srv.path), "socket left behind");
	rmdir(srv.dir);
}
END_TEST

static int
free_port4(void)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	int s, port;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	s = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(s, 0);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(getsockname(s, (struct sockaddr *)&sin, &sl), 0);
	port = ntohs(sin.sin_port);
	close(s);
	return port;
}

/* no --key on an address other hosts reach: one warning, then serve */
START_TEST(warns_without_key)
{
	char line[512], wurl[64], out[64];
	struct server tmp;
	struct proc p;
	const char *argv[] = { "-s", wurl, NULL };
	int st;

	snprintf(wurl, sizeof(wurl), "tcp://0.0.0.0:%d", free_port4());
	start(&p, NULL, 0, argv);
	ck_assert_int_eq(read_line(p.err, line, sizeof(line)), 0);
	ck_assert_msg(strstr(line, "rump_server: warning: ") == line &&
	    strstr(line, "is reachable from other hosts and no --key is set")
	    != NULL, "%s", line);
	memset(&tmp, 0, sizeof(tmp));
	snprintf(tmp.url, sizeof(tmp.url), "tcp://127.0.0.1:%s",
	    strrchr(wurl, ':') + 1);
	/* the warning comes before the boot: wait until it serves */
	for (st = 0; st < 1000 && raw_connect(&tmp) == -1; st++)
		usleep(10000);
	ck_assert_int_lt(st, 1000);
	ck_assert_int_eq(run_client(&tmp, out, sizeof(out), "pid", NULL), 0);
	kill(p.pid, SIGTERM);
	st = reap(&p);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	closeproc(&p);
}
END_TEST

/*
 * Detached and quiet: the parent exits 0 once the child listens, and
 * says nothing; the child serves until rump.halt.
 */
START_TEST(detached_quiet)
{
	char out[4096], err[4096], bin[4096];
	struct server tmp;
	int st;

	st = run(out, sizeof(out), err, sizeof(err), url, NULL);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", err);
	ck_assert_str_eq(out, "");
	ck_assert_str_eq(err, "");
	memset(&tmp, 0, sizeof(tmp));
	strcpy(tmp.url, url);
	ck_assert_int_eq(run_client(&tmp, out, sizeof(out), "pid", NULL), 0);
	builddir_path("rump.halt", bin, sizeof(bin));
	ck_assert_int_eq(run_prog(&tmp, out, sizeof(out), bin, NULL), 0);
	ck_assert_msg(gone(url + 7), "socket left behind");
}
END_TEST

/* the state field of /proc/pid/stat, or 0 when the process is gone */
static char
procstate(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY)) == -1)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL || p[1] == '\0')
		return 0;
	return p[2];
}

/*
 * Detached and verbose: stderr is kept; the child is another process,
 * leads its own session and has left for /; SIGTERM stops it.  A
 * relative unix:// URL still names the same socket after the chdir.
 */
START_TEST(detached_verbose)
{
	char out[4096], line[512], cwd[PATH_MAX], rel[128], want[256];
	char path[64];
	struct server tmp;
	struct proc p;
	pid_t child;
	ssize_t n;
	int st, i;
	const char *argv[] = { "-v", rel, NULL };

	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	ck_assert_int_eq(chdir(tdir), 0);
	snprintf(rel, sizeof(rel), "unix://sock");
	start(&p, NULL, 0, argv);
	ck_assert_int_eq(chdir(cwd), 0);
	st = reap(&p);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ck_assert_int_eq(await_line(p.err, "listening", line, sizeof(line)),
	    0);
	snprintf(want, sizeof(want), "rump_server: listening on %s (pid ",
	    url);
	ck_assert_msg(strncmp(line, want, strlen(want)) == 0, "%s", line);
	child = (pid_t)atoi(line + strlen(want));
	ck_assert_int_gt(child, 0);
	ck_assert_int_ne(child, p.pid);
	ck_assert_int_eq(getsid(child), child);
	snprintf(path, sizeof(path), "/proc/%d/cwd", (int)child);
	n = readlink(path, cwd, sizeof(cwd) - 1);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(cwd[0], '/');
	memset(&tmp, 0, sizeof(tmp));
	strcpy(tmp.url, url);
	ck_assert_int_eq(run_client(&tmp, out, sizeof(out), "pid", NULL), 0);
	kill(child, SIGTERM);
	ck_assert_int_eq(await_line(p.err, "exiting", line, sizeof(line)), 0);
	ck_assert_str_eq(line, "rump_server: Terminated, exiting");
	ck_assert_msg(gone(url + 7), "socket left behind");
	/* gone, or a zombie left to whoever reaps orphans here */
	for (i = 0; i < 3000; i++) {
		st = procstate(child);
		if (st == 0 || st == 'Z')
			break;
		usleep(10000);
	}
	ck_assert_int_lt(i, 3000);
	closeproc(&p);
}
END_TEST

/* Out of descriptors before the fork: the pipe to the child fails. */
START_TEST(detach_without_descriptors)
{
	char out[4096], err[4096], bin[4096];
	const char *argv[2];
	int st;

	builddir_path(".libs/rump_server", bin, sizeof(bin));
	if (access(bin, X_OK) == -1)
		return;		/* not a libtool build tree: nothing to run */
	argv[0] = url;
	argv[1] = NULL;
	/* 0-2 and one more: the dynamic loader needs one at a time */
	st = runv(out, sizeof(out), err, sizeof(err), NULL, 4, argv);
	one_line_error(st, out, err, "pipe: Too many open files");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("server_opts");
	TCase *tc = tcase_create("options");
	SRunner *sr;
	int nf;

	signal(SIGPIPE, SIG_IGN);
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, usage_help_version);
	tcase_add_test(tc, bad_values);
	tcase_add_test(tc, too_many_drives);
	tcase_add_test(tc, key_files);
	tcase_add_test(tc, drive_failures);
	tcase_add_test(tc, drives);
	tcase_add_test(tc, environment);
	tcase_add_test(tc, verbose_foreground);
	tcase_add_test(tc, hangup_stops);
	tcase_add_test(tc, shm_watch_follows_affinity);
	tcase_add_test(tc, warns_without_key);
	tcase_add_test(tc, detached_quiet);
	tcase_add_test(tc, detached_verbose);
	tcase_add_test(tc, detach_without_descriptors);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
