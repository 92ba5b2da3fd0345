/*
 * test_tools.c -- the rump.* tools against a real rump_server: what
 * rump.ps and rump.fstat show of a client holding one open file of
 * each kind and a zombie, tee(1)'s semantics for rump.tee, rump.ls -l,
 * rump.stat -w, every tool's --help, --version and one-line errors,
 * and rump_server's options after the URL.
 *
 * Shell command lines (sh -c, with the build directory first in PATH)
 * are used where a test needs standard error or a pipeline.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static struct server srv;

static const char *const tools[] = {
	"rump.cat", "rump.fstat", "rump.halt", "rump.ls", "rump.mkdir",
	"rump.ps", "rump.rm", "rump.sockstat", "rump.stat", "rump.sysctl",
	"rump.tee", NULL
};

/* sh -c CMD, RUMP_SERVER set, the build directory first in PATH */
static int
sh(char *out, size_t outlen, const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return run_prog(&srv, out, outlen, "/bin/sh", "-c", cmd, NULL);
}

static int
exited(int st)
{

	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int
nlines(const char *s)
{
	int n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

/* the line of out whose fields start with pid and contain what */
static const char *
row(const char *out, int pid, const char *what, char *line, size_t len)
{
	const char *p, *e;
	int f;

	for (p = out; *p != '\0'; p = *e != '\0' ? e + 1 : e) {
		e = strchr(p, '\n');
		if (e == NULL)
			e = p + strlen(p);
		if ((size_t)(e - p) >= len || sscanf(p, "%d", &f) != 1 ||
		    f != pid)
			continue;
		memcpy(line, p, (size_t)(e - p));
		line[e - p] = '\0';
		if (strstr(line, what) != NULL)
			return line;
	}
	return NULL;
}

/* start ttools hold: its pid in the kernel, its pipes in *to, *from */
static int
hold(pid_t *hostpid, int *to, int *from)
{
	char ttools[PATH_MAX], line[64];
	int pid;

	builddir_path("tests/ttools", ttools, sizeof(ttools));
	*hostpid = spawn_prog(&srv, to, from, ttools, "hold", NULL);
	ck_assert_int_eq(read_line(*from, line, sizeof(line)), 0);
	ck_assert_int_eq(sscanf(line, "ready %d", &pid), 1);
	return pid;
}

static void
release(pid_t hostpid, int to, int from)
{
	int st;

	ck_assert_int_eq(write(to, "\n", 1), 1);
	ck_assert_int_eq(waitpid(hostpid, &st, 0), hostpid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "ttools 0x%x",
	    st);
	close(to);
	close(from);
}

/*
 * rump.ps: uid, lwps, open descriptors, a zombie with its status;
 * -o chooses and renames columns.
 */
START_TEST(ps_columns)
{
	char out[8192], line[256];
	pid_t hp;
	int to, from, pid, i, st;

	srv_start(&srv, "unix", NULL);
	pid = hold(&hp, &to, &from);
	st = sh(out, sizeof(out), "rump.ps");
	ck_assert_int_eq(exited(st), 0);
	ck_assert_msg(strncmp(out, "  PID  PPID  PGID   SID   UID NLWP  NFD "
	    "STAT       COMMAND\n", 50) == 0, "%s", out);
	/* 0-2, the file, the directory, two pipe ends, the socket */
	ck_assert_msg(row(out, pid, "    8 R          ttools", line,
	    sizeof(line)) != NULL, "%s", out);
	/* the child's exit reaches the kernel as its connection closes */
	for (i = 0; i < 500; i++) {
		st = sh(out, sizeof(out), "rump.ps -o ppid,pid,stat");
		ck_assert_int_eq(exited(st), 0);
		if (row(out, pid, "Z exit 7", line, sizeof(line)) != NULL)
			break;
	}
	ck_assert_msg(i < 500, "no zombie: %s", out);
	st = sh(out, sizeof(out), "rump.ps -o pid,nfd -o comm=NAME");
	ck_assert_int_eq(exited(st), 0);
	ck_assert_msg(strncmp(out, "  PID  NFD NAME\n", 16) == 0, "%s", out);
	ck_assert_msg(row(out, pid, "    8 ttools", line, sizeof(line)) !=
	    NULL, "%s", out);
	st = sh(out, sizeof(out), "rump.ps -o pid,nosuch 2>&1");
	ck_assert_int_eq(exited(st), 1);
	ck_assert_int_eq(nlines(out), 1);
	ck_assert_ptr_nonnull(strstr(out, "nosuch"));
	release(hp, to, from);
	srv_stop_clean(&srv);
}
END_TEST

/*
 * rump.fstat: each kind of open file with its name, mode, offset and
 * flags; a file that was removed as such.
 */
START_TEST(fstat_files)
{
	char out[8192];
	pid_t hp;
	int to, from, pid, st;

	srv_start(&srv, "unix", NULL);
	pid = hold(&hp, &to, &from);
	st = sh(out, sizeof(out), "rump.fstat -p %d", pid);
	ck_assert_int_eq(exited(st), 0);
	ck_assert_int_eq(nlines(out), 9);
	/* USER CMD PID FD TYPE INUM MODE SZ|DV R/W FL OFFSET NAME */
	ck_assert_msg(strstr(out, " 5,1 rw  -           0 /dev/console\n") !=
	    NULL, "%s", out);
	ck_assert_msg(strstr(out, " -rw-r-----       5 w   a           5 "
	    "/t/dir/file\n") != NULL, "%s", out);
	ck_assert_msg(strstr(out, " dir ") != NULL && strstr(out,
	    " r   x           0 /t/dir\n") != NULL, "%s", out);
	ck_assert_msg(strstr(out, " r   n           0 pipe 0x") != NULL &&
	    strstr(out, ", 3 bytes\n") != NULL, "%s", out);
	ck_assert_msg(strstr(out, " sock ") != NULL && strstr(out,
	    "tcp4 127.0.0.1:7070 <-> *:*\n") != NULL, "%s", out);

	/* a file whose last name is gone */
	st = sh(out, sizeof(out), "rump.rm /t/dir/file && "
	    "rump.fstat -p %d | grep -c '(removed)'", pid);
	ck_assert_msg(strcmp(out, "1\n") == 0, "%s", out);

	/* rump.ps -f is the same listing */
	st = sh(out, sizeof(out), "rump.ps -f | grep -c ' ttools '");
	ck_assert_str_eq(out, "8\n");
	/* only that user's, only that process's */
	st = sh(out, sizeof(out), "rump.fstat -u 4242 | wc -l");
	ck_assert_str_eq(out, "1\n");
	st = sh(out, sizeof(out), "rump.fstat -p x 2>&1");
	ck_assert_int_eq(exited(st), 1);
	ck_assert_int_eq(nlines(out), 1);
	release(hp, to, from);
	srv_stop_clean(&srv);
}
END_TEST

/*
 * rump.tee is tee(1): a file that cannot be opened is reported once,
 * the others and standard output still get everything, status 1.
 */
START_TEST(tee_semantics)
{
	char out[4096];
	int st;

	srv_start(&srv, "unix", NULL);
	st = sh(out, sizeof(out), "printf 'a\\nb\\n' | "
	    "rump.tee /nodir/x /f1 2>/dev/null");
	ck_assert_int_eq(exited(st), 1);
	ck_assert_str_eq(out, "a\nb\n");
	st = sh(out, sizeof(out), "echo a | rump.tee /nodir/x 2>&1 >/dev/null");
	ck_assert_int_eq(exited(st), 1);
	ck_assert_int_eq(nlines(out), 1);
	ck_assert_msg(strstr(out, "rump.tee: /nodir/x: ") == out, "%s", out);
	st = sh(out, sizeof(out), "rump.cat /f1");
	ck_assert_int_eq(exited(st), 0);
	ck_assert_str_eq(out, "a\nb\n");
	/* no file at all: a copy to standard output */
	st = sh(out, sizeof(out), "echo c | rump.tee");
	ck_assert_int_eq(exited(st), 0);
	ck_assert_str_eq(out, "c\n");
	/* -a appends */
	st = sh(out, sizeof(out), "echo c | rump.tee -a /f1 >/dev/null && "
	    "rump.cat /f1");
	ck_assert_str_eq(out, "a\nb\nc\n");
	srv_stop_clean(&srv);
}
END_TEST

/* rump.ls -l: mode, links, owner, group, size, time, name */
START_TEST(ls_long)
{
	char out[4096], mode[16], mon[8], hm[8], name[64];
	unsigned nlink, uid, gid, size, day;
	int st;

	srv_start(&srv, "unix", NULL);
	st = sh(out, sizeof(out), "echo hello | rump.tee /f >/dev/null && "
	    "rump.ls -l /f");
	ck_assert_int_eq(exited(st), 0);
	ck_assert_msg(sscanf(out, "%15s %u %u %u %u %7s %u %7s %63s", mode,
	    &nlink, &uid, &gid, &size, mon, &day, hm, name) == 9, "%s", out);
	ck_assert_str_eq(mode, "-rw-r--r--");
	ck_assert_uint_eq(nlink, 1);
	ck_assert_uint_eq(uid, 0);
	ck_assert_uint_eq(gid, 0);
	ck_assert_uint_eq(size, 6);
	ck_assert_msg(strlen(hm) == 5 && hm[2] == ':', "%s", out);
	ck_assert_str_eq(name, "/f");
	st = sh(out, sizeof(out), "rump.ls -l /dev | grep ' null$'");
	ck_assert_msg(strncmp(out, "crw-rw-rw-   1 0     0       1,   3 ",
	    36) == 0, "%s", out);
	srv_stop_clean(&srv);
}
END_TEST

/* rump.stat -w: a header and one line a sample */
START_TEST(stat_interval)
{
	char out[4096];
	int st;

	srv_start(&srv, "unix", NULL);
	st = sh(out, sizeof(out), "rump.stat -w 1 -c 2");
	ck_assert_int_eq(exited(st), 0);
	ck_assert_int_eq(nlines(out), 3);
	ck_assert_msg(strncmp(out, "clients", 7) == 0 ||
	    strstr(out, " clients ") != NULL, "%s", out);
	st = sh(out, sizeof(out), "rump.stat -w 0 2>&1");
	ck_assert_int_eq(exited(st), 1);
	ck_assert_int_eq(nlines(out), 1);
	srv_stop_clean(&srv);
}
END_TEST

/*
 * Every tool: --help on stdout with status 0, --version, an unknown
 * option a usage on stderr with status 1, no server one line and 1.
 */
START_TEST(every_tool_helps)
{
	char out[4096];
	const char *const *t;
	int st;

	memset(&srv, 0, sizeof(srv));
	snprintf(srv.url, sizeof(srv.url), "unix:///nonexistent/sock");
	for (t = tools; *t != NULL; t++) {
		st = sh(out, sizeof(out), "%s --help 2>/dev/null", *t);
		ck_assert_msg(exited(st) == 0, "%s --help: %d", *t, exited(st));
		ck_assert_msg(strncmp(out, "usage: ", 7) == 0, "%s: %s", *t,
		    out);
		st = sh(out, sizeof(out), "%s --version", *t);
		ck_assert_int_eq(exited(st), 0);
		ck_assert_msg(strncmp(out, *t, strlen(*t)) == 0, "%s", out);
		st = sh(out, sizeof(out), "%s --no-such-option 2>&1 >/dev/null",
		    *t);
		ck_assert_msg(exited(st) == 1, "%s: %d", *t, exited(st));
		ck_assert_msg(strstr(out, "usage: ") != NULL, "%s: %s", *t,
		    out);
		/* a tool that needs no operand fails on the connection */
		if (strcmp(*t, "rump.mkdir") == 0 || strcmp(*t, "rump.rm") == 0)
			continue;
		st = sh(out, sizeof(out), "%s %s </dev/null 2>&1 >/dev/null",
		    *t, strcmp(*t, "rump.sysctl") == 0 ? "-a" : "");
		ck_assert_msg(exited(st) == 1, "%s: %d", *t, exited(st));
		ck_assert_msg(nlines(out) == 1, "%s: %s", *t, out);
		ck_assert_msg(strstr(out, "/nonexistent/sock") != NULL, "%s: %s",
		    *t, out);
	}
	/* rump.halt -h halts, as on NetBSD, and --help says so */
	st = sh(out, sizeof(out), "rump.halt --help");
	ck_assert_ptr_nonnull(strstr(out, "-h  halt"));
}
END_TEST

/* rump_server: options after the URL, as getopt permutes them */
START_TEST(server_option_after_url)
{
	char out[4096], dir[] = "/tmp/rumptools.XXXXXX";
	int st;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	memset(&srv, 0, sizeof(srv));
	snprintf(srv.url, sizeof(srv.url), "unix://%s/s", dir);
	/* it detaches once it listens: then the clients may connect */
	st = sh(out, sizeof(out), "rump_server %s -c 3 2>&1", srv.url);
	ck_assert_msg(exited(st) == 0, "%s", out);
	st = sh(out, sizeof(out), "rump.sysctl -n hw.ncpu");
	ck_assert_str_eq(out, "3\n");
	st = sh(out, sizeof(out), "rump.halt");
	ck_assert_int_eq(exited(st), 0);
	st = sh(out, sizeof(out), "rump_server %s unix://%s/t 2>&1", srv.url,
	    dir);
	ck_assert_int_eq(exited(st), 1);
	ck_assert_msg(strstr(out, "one URL expected") != NULL, "%s", out);
	/* the halted server removes its socket as it goes: poll for that */
	for (st = 0; st < 1000 && access(srv.url + 7, F_OK) == 0; st++)
		usleep(10000);
	unlink(srv.url + 7);
	rmdir(dir);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("tools");
	TCase *tc = tcase_create("tools");
	SRunner *sr;
	char bin[PATH_MAX], path[2 * PATH_MAX];
	int nf;

	signal(SIGPIPE, SIG_IGN);
	builddir_path("", bin, sizeof(bin));
	snprintf(path, sizeof(path), "%s:%s", bin, getenv("PATH") != NULL ?
	    getenv("PATH") : "/usr/bin:/bin");
	setenv("PATH", path, 1);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, ps_columns);
	tcase_add_test(tc, fstat_files);
	tcase_add_test(tc, tee_semantics);
	tcase_add_test(tc, ls_long);
	tcase_add_test(tc, stat_interval);
	tcase_add_test(tc, every_tool_helps);
	tcase_add_test(tc, server_option_after_url);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
