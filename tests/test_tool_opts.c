/*
 * test_tool_opts.c -- the rump.* tools as their pages document them, run
 * as real programs against a real rump_server: every option, the
 * usage and version answers, what each prints, and each error path a
 * user can reach (a missing file, a full output, a refused path, a
 * server that is not there, a user who may not halt the kernel).
 *
 * The exact text checked is the tools' documented behaviour; where a
 * tool leaves the format open (rump.stat's rates, rump.ps's numbers),
 * only the fields that do not change are compared.  The fixture
 * objects no tool can make (device nodes, sockets, zombies) come from
 * tests/tcover.
 */
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define OUTMAX	(256 * 1024)

static struct server srv;
static char out[OUTMAX], err[OUTMAX];

/* How the next tool() runs; tool() puts the defaults back. */
static struct {
	const char	*in;		/* host file for stdin, or /dev/null */
	const char	*outpath;	/* host file for stdout, or a pipe */
	const char	*url;		/* RUMP_SERVER, or srv.url */
	int		 unset;		/* no RUMP_SERVER at all */
	uid_t		 uid;		/* run as this host user, if nonzero */
	int		 umask;		/* -1: leave it */
} io = { NULL, NULL, NULL, 0, 0, -1 };

/* read both pipes to their ends */
static void
collect(int ofd, int efd)
{
	struct pollfd pfd[2];
	size_t got[2] = { 0, 0 };
	char *buf[2] = { out, err };
	ssize_t n;
	int i, open = 2;

	pfd[0].fd = ofd;
	pfd[1].fd = efd;
	pfd[0].events = pfd[1].events = POLLIN;
	if (ofd == -1) {
		pfd[0].fd = -1;
		open = 1;
	}
	while (open > 0) {
		ck_assert_int_gt(poll(pfd, 2, 30000), 0);
		for (i = 0; i < 2; i++) {
			if (pfd[i].fd == -1 || pfd[i].revents == 0)
				continue;
			n = read(pfd[i].fd, buf[i] + got[i],
			    OUTMAX - 1 - got[i]);
			if (n <= 0) {
				pfd[i].fd = -1;
				open--;
			} else
				got[i] += (size_t)n;
		}
	}
	out[got[0]] = '\0';
	err[got[1]] = '\0';
}

/* run rump.NAME with its arguments; stdout in out, stderr in err */
static int
tool(const char *name, ...)
{
	char bin[4096], prog[64], *argv[32];
	int o[2], e[2], n = 0, fd, status;
	va_list ap;
	pid_t pid;

	snprintf(prog, sizeof(prog), "rump.%s", name);
	builddir_path(prog, bin, sizeof(bin));
	argv[n++] = bin;
	va_start(ap, name);
	while (n < 31 && (argv[n] = va_arg(ap, char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	ck_assert_int_eq(pipe2(o, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(e, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		fd = open(io.in != NULL ? io.in : "/dev/null", O_RDONLY);
		dup2(fd, 0);
		if (io.outpath != NULL)
			dup2(open(io.outpath, O_WRONLY), 1);
		else
			dup2(o[1], 1);
		dup2(e[1], 2);
		if (io.unset)
			unsetenv("RUMP_SERVER");
		else
			setenv("RUMP_SERVER", io.url != NULL ? io.url :
			    srv.url, 1);
		if (io.umask != -1)
			umask((mode_t)io.umask);
		if (io.uid != 0 && (setgid(io.uid) == -1 ||
		    setuid(io.uid) == -1))
			_exit(126);
		execv(bin, argv);
		_exit(127);
	}
	close(o[1]);
	close(e[1]);
	if (io.outpath != NULL) {
		close(o[0]);
		o[0] = -1;
	}
	collect(o[0], e[0]);
	if (o[0] != -1)
		close(o[0]);
	close(e[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	memset(&io, 0, sizeof(io));
	io.umask = -1;
	ck_assert_msg(WIFEXITED(status), "rump.%s: status 0x%x", name,
	    status);
	return WEXITSTATUS(status);
}

/* err is exactly this one line */
#define ERR_IS(s)	ck_assert_str_eq(err, s "\n")
#define HAS(buf, s)	ck_assert_msg(strstr(buf, s) != NULL, \
			    "no \"%s\" in:\n%.2000s", s, buf)
#define HASNT(buf, s)	ck_assert_msg(strstr(buf, s) == NULL, \
			    "\"%s\" in:\n%.2000s", s, buf)

/* out has a line that starts with mode and ends with " name" */
static int
hasline(const char *mode, const char *name)
{
	const char *l, *nl;
	size_t nlen = strlen(name);

	for (l = out; *l != '\0'; l = nl + 1) {
		if ((nl = strchr(l, '\n')) == NULL)
			nl = l + strlen(l);
		if (strncmp(l, mode, strlen(mode)) == 0 &&
		    (size_t)(nl - l) > nlen && nl[-(long)nlen - 1] == ' ' &&
		    strncmp(nl - nlen, name, nlen) == 0)
			return 1;
		if (*nl == '\0')
			break;
	}
	return 0;
}
#define HASLINE(m, n)	ck_assert_msg(hasline(m, n), "no %s ... %s in:\n%.1000s", \
			    m, n, out)

static char hostdir[64];

/* a host file with the given contents, for stdin */
static const char *
hostfile(const char *name, const char *text)
{
	static char path[8][128];
	static int next;
	char *p = path[next++ % 8];
	int fd;

	snprintf(p, 128, "%s/%s", hostdir, name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return p;
}

static void
setup(void)
{

	strcpy(hostdir, "/tmp/rumptools.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(hostdir));
	memset(&io, 0, sizeof(io));
	io.umask = -1;
}

static void
teardown(void)
{
	char cmd[128];

	if (srv.pid > 0)
		(void)srv_stop(&srv);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", hostdir);
	(void)system(cmd);
}

/* what each tool needs to get as far as connecting */
static const char *const tools[][3] = {
	{ "cat", NULL, NULL }, { "tee", "/tmp/x", NULL }, { "ls", NULL, NULL },
	{ "mkdir", "/tmp/d", NULL }, { "rm", "/tmp/nothing", NULL },
	{ "halt", NULL, NULL }, { "ps", NULL, NULL },
	{ "sysctl", "kern.ostype", NULL }, { "stat", "-c", "1" },
	{ "sockstat", NULL, NULL },
};
#define NTOOLS	(sizeof(tools) / sizeof(tools[0]))

/*
 * Every tool: --help on stdout with status 0, --version, a bad option
 * is the usage on stderr and status 1, and no server, an empty
 * RUMP_SERVER or one that is not listening is one line and status 1.
 */
START_TEST(common_options)
{
	char want[256], nosock[128];
	size_t i;
	const char *t;

	srv_start(&srv, "unix", NULL);
	snprintf(nosock, sizeof(nosock), "unix://%s/nosock", hostdir);
	for (i = 0; i < NTOOLS; i++) {
		t = tools[i][0];
		ck_assert_int_eq(tool(t, "--help", NULL), 0);
		snprintf(want, sizeof(want), "usage: rump.%s ", t);
		ck_assert_msg(strncmp(out, want, strlen(want)) == 0, "%s", out);
		ck_assert_str_eq(err, "");
		ck_assert_int_eq(tool(t, "--version", NULL), 0);
		snprintf(want, sizeof(want), "rump.%s (rump) ", t);
		ck_assert_msg(strncmp(out, want, strlen(want)) == 0, "%s", out);
		ck_assert_int_eq(tool(t, "-Z", NULL), 1);
		snprintf(want, sizeof(want), "usage: rump.%s ", t);
		HAS(err, want);
		ck_assert_str_eq(out, "");

		io.unset = 1;
		ck_assert_int_eq(tool(t, tools[i][1], tools[i][2], NULL), 1);
		snprintf(want, sizeof(want), "rump.%s: RUMP_SERVER is not set\n",
		    t);
		ck_assert_str_eq(err, want);
		io.url = "";
		ck_assert_int_eq(tool(t, tools[i][1], tools[i][2], NULL), 1);
		snprintf(want, sizeof(want), "rump.%s: RUMP_SERVER is empty\n",
		    t);
		ck_assert_str_eq(err, want);
		io.url = nosock;
		ck_assert_int_eq(tool(t, tools[i][1], tools[i][2], NULL), 1);
		snprintf(want, sizeof(want), "rump.%s: %s: No such file or "
		    "directory\n", t, nosock);
		ck_assert_str_eq(err, want);
	}
	/* a host name with no address */
	io.url = "tcp://nosuchhost.invalid:7000";
	ck_assert_int_eq(tool("ps", NULL), 1);
	ERR_IS("rump.ps: tcp://nosuchhost.invalid:7000: no address for this "
	    "host name");
	/* operands where none are taken, none where some are needed */
	ck_assert_int_eq(tool("halt", "now", NULL), 1);
	HAS(err, "usage: rump.halt");
	ck_assert_int_eq(tool("ps", "x", NULL), 1);
	HAS(err, "usage: rump.ps");
	ck_assert_int_eq(tool("sockstat", "x", NULL), 1);
	HAS(err, "usage: rump.sockstat");
	ck_assert_int_eq(tool("stat", "x", NULL), 1);
	HAS(err, "usage: rump.stat");
	ck_assert_int_eq(tool("mkdir", NULL), 1);
	HAS(err, "usage: rump.mkdir");
	ck_assert_int_eq(tool("rm", NULL), 1);
	HAS(err, "usage: rump.rm");
	ck_assert_int_eq(tool("sysctl", NULL), 1);
	HAS(err, "usage: rump.sysctl");
	ck_assert_int_eq(tool("sysctl", "-a", "kern.ostype", NULL), 1);
	HAS(err, "usage: rump.sysctl");
	ck_assert_int_eq(tool("sysctl", "-a", "-w", NULL), 1);
	HAS(err, "usage: rump.sysctl");
}
END_TEST

/* -v: each tool names its rump pid on stderr first */
START_TEST(verbose_pid)
{
	char want[64];
	size_t i;

	srv_start(&srv, "unix", NULL);
	ck_assert_int_eq(tool("mkdir", "/tmp/d", NULL), 0);
	for (i = 0; i < NTOOLS; i++) {
		if (strcmp(tools[i][0], "halt") == 0)
			continue;
		/* a tool that fails after connecting is still verbose */
		(void)tool(tools[i][0], "-v", tools[i][1], tools[i][2], NULL);
		snprintf(want, sizeof(want), "rump.%s: rump pid ",
		    tools[i][0]);
		ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "%s", err);
		ck_assert_int_gt(atoi(err + strlen(want)), 1);
	}
}
END_TEST

START_TEST(cat_)
{
	const char *in, *dir;

	srv_start(&srv, "unix", NULL);
	io.in = hostfile("in", "one\ntwo\n");
	ck_assert_int_eq(tool("tee", "/tmp/f", NULL), 0);
	ck_assert_int_eq(tool("cat", "/tmp/f", NULL), 0);
	ck_assert_str_eq(out, "one\ntwo\n");
	ck_assert_str_eq(err, "");
	/* "-" and no operand: the host's stdin */
	in = hostfile("in2", "from stdin\n");
	io.in = in;
	ck_assert_int_eq(tool("cat", "/tmp/f", "-", "/tmp/f", NULL), 0);
	ck_assert_str_eq(out, "one\ntwo\nfrom stdin\none\ntwo\n");
	io.in = in;
	ck_assert_int_eq(tool("cat", NULL), 0);
	ck_assert_str_eq(out, "from stdin\n");
	/* a missing file and a directory are reported, the rest printed */
	ck_assert_int_eq(tool("cat", "/nope", "/tmp/f", "/tmp", NULL), 1);
	ck_assert_str_eq(out, "one\ntwo\n");
	ck_assert_str_eq(err, "rump.cat: /nope: No such file or directory\n"
	    "rump.cat: /tmp: Is a directory\n");
	/* an output that fails ends it at once */
	io.outpath = "/dev/full";
	ck_assert_int_eq(tool("cat", "/tmp/f", "/tmp/f", NULL), 1);
	ERR_IS("rump.cat: stdout: No space left on device");
	/* an input that cannot be read */
	dir = hostdir;
	io.in = dir;
	ck_assert_int_eq(tool("cat", NULL), 1);
	ERR_IS("rump.cat: stdin: Is a directory");
}
END_TEST

START_TEST(tee_)
{

	srv_start(&srv, "unix", NULL);
	io.in = hostfile("in", "first\n");
	ck_assert_int_eq(tool("tee", "/tmp/f", NULL), 0);
	ck_assert_str_eq(out, "first\n");
	io.in = hostfile("in2", "second\n");
	ck_assert_int_eq(tool("tee", "-a", "/tmp/f", NULL), 0);
	ck_assert_str_eq(out, "second\n");
	ck_assert_int_eq(tool("cat", "/tmp/f", NULL), 0);
	ck_assert_str_eq(out, "first\nsecond\n");
	/* without -a the file is truncated, mode 0644 */
	io.in = hostfile("in3", "third\n");
	ck_assert_int_eq(tool("tee", "/tmp/f", NULL), 0);
	ck_assert_int_eq(tool("cat", "/tmp/f", NULL), 0);
	ck_assert_str_eq(out, "third\n");
	ck_assert_int_eq(tool("ls", "-l", "/tmp/f", NULL), 0);
	HASLINE("-rw-r--r--   1 ", "/tmp/f");
	/* a file that cannot be opened */
	ck_assert_int_eq(tool("tee", "/nodir/f", NULL), 1);
	ERR_IS("rump.tee: /nodir/f: No such file or directory");
	/* stdout fails: reported once, the file still gets everything */
	io.in = hostfile("in4", "kept\n");
	io.outpath = "/dev/full";
	ck_assert_int_eq(tool("tee", "/tmp/g", NULL), 1);
	ERR_IS("rump.tee: stdout: No space left on device");
	ck_assert_int_eq(tool("cat", "/tmp/g", NULL), 0);
	ck_assert_str_eq(out, "kept\n");
	/* the file fails: stdout still gets everything */
	io.in = hostfile("in5", "to stdout\n");
	ck_assert_int_eq(tool("tee", "/dev/full", NULL), 1);
	ck_assert_str_eq(out, "to stdout\n");
	ERR_IS("rump.tee: /dev/full: No space left on device");
	/* stdin cannot be read */
	io.in = hostdir;
	ck_assert_int_eq(tool("tee", "/tmp/h", NULL), 1);
	ERR_IS("rump.tee: stdin: Is a directory");
}
END_TEST

START_TEST(mkdir_)
{

	srv_start(&srv, "unix", NULL);
	io.umask = 022;
	ck_assert_int_eq(tool("mkdir", "/tmp/a", "/tmp/b", NULL), 0);
	ck_assert_str_eq(err, "");
	/* the host's umask applies */
	io.umask = 027;
	ck_assert_int_eq(tool("mkdir", "/tmp/c", NULL), 0);
	ck_assert_int_eq(tool("ls", "-l", "/tmp", NULL), 0);
	HAS(out, "drwxr-xr-x   2");
	HAS(out, " a\n");
	HAS(out, "drwxr-x---   2");
	/* exists, missing parent: reported, the others still made */
	ck_assert_int_eq(tool("mkdir", "/tmp/a", "/no/x", "/tmp/d", NULL), 1);
	ck_assert_str_eq(err, "rump.mkdir: /tmp/a: File exists\n"
	    "rump.mkdir: /no/x: No such file or directory\n");
	ck_assert_int_eq(tool("ls", "/tmp/d", NULL), 0);
	/* -p: parents made, existing ones fine, slashes doubled */
	ck_assert_int_eq(tool("mkdir", "-p", "/tmp/p/q//r/", "/tmp/a", NULL),
	    0);
	ck_assert_str_eq(err, "");
	ck_assert_int_eq(tool("ls", "/tmp/p/q/r", NULL), 0);
	ck_assert_int_eq(tool("mkdir", "-p", "/tmp/p/q/r", NULL), 0);
	/* -p through a file, and onto one */
	io.in = hostfile("in", "x");
	ck_assert_int_eq(tool("tee", "/tmp/file", NULL), 0);
	ck_assert_int_eq(tool("mkdir", "-p", "/tmp/file/sub", NULL), 1);
	ERR_IS("rump.mkdir: /tmp/file: Not a directory");
	ck_assert_int_eq(tool("mkdir", "-p", "/tmp/file", NULL), 1);
	ERR_IS("rump.mkdir: /tmp/file: File exists");
	/* -p under something that is not there and cannot be made */
	ck_assert_int_eq(tool("mkdir", "-p", "/dev/null/x/y", NULL), 1);
	ERR_IS("rump.mkdir: /dev/null: Not a directory");
}
END_TEST

START_TEST(rm_)
{
	char tcover[4096];

	srv_start(&srv, "unix", NULL);
	io.in = hostfile("in", "x");
	ck_assert_int_eq(tool("tee", "/tmp/f", NULL), 0);
	ck_assert_int_eq(tool("rm", "/tmp/f", NULL), 0);
	ck_assert_str_eq(err, "");
	ck_assert_int_eq(tool("cat", "/tmp/f", NULL), 1);
	/* a directory needs -r; a missing path is reported */
	ck_assert_int_eq(tool("mkdir", "-p", "/tmp/t/a/b", NULL), 0);
	ck_assert_int_eq(tool("rm", "/tmp/t", "/tmp/missing", NULL), 1);
	ck_assert_str_eq(err, "rump.rm: /tmp/t: Is a directory\n"
	    "rump.rm: /tmp/missing: No such file or directory\n");
	/* -r: a tree of every kind of file */
	builddir_path("tests/tcover", tcover, sizeof(tcover));
	ck_assert_int_eq(run_prog(&srv, out, sizeof(out), tcover, "files",
	    "/tmp/t/a/b/all", NULL), 0);
	ck_assert_int_eq(tool("rm", "-r", "/tmp/t", NULL), 0);
	ck_assert_str_eq(err, "");
	ck_assert_int_eq(tool("ls", "/tmp", NULL), 0);
	ck_assert_str_eq(out, "");
	/* refused as rm(1) refuses them; the others still removed */
	ck_assert_int_eq(tool("mkdir", "/tmp/keep", NULL), 0);
	ck_assert_int_eq(tool("rm", "-r", "/", "//", "/tmp/.", "..",
	    "/tmp/keep/..", "/tmp/keep", NULL), 1);
	ck_assert_str_eq(err, "rump.rm: \"/\" may not be removed\n"
	    "rump.rm: \"/\" may not be removed\n"
	    "rump.rm: \".\" and \"..\" may not be removed\n"
	    "rump.rm: \".\" and \"..\" may not be removed\n"
	    "rump.rm: \".\" and \"..\" may not be removed\n");
	ck_assert_int_eq(tool("ls", "/tmp", NULL), 0);
	ck_assert_str_eq(out, "");
	/* -r where the tree cannot go: /dev's nodes stay, each reported */
	ck_assert_int_eq(tool("rm", "-r", "/tmp/none", NULL), 1);
	ERR_IS("rump.rm: /tmp/none: No such file or directory");
}
END_TEST

START_TEST(ls_)
{
	char tcover[4096];

	srv_start(&srv, "unix", NULL);
	builddir_path("tests/tcover", tcover, sizeof(tcover));
	ck_assert_int_eq(run_prog(&srv, out, sizeof(out), tcover, "files",
	    "/tmp/all", NULL), 0);
	/* no operand: the current directory, which is / */
	ck_assert_int_eq(tool("ls", NULL), 0);
	ck_assert_str_eq(out, "dev\ntmp\n");
	ck_assert_int_eq(tool("ls", "/tmp/all", NULL), 0);
	ck_assert_str_eq(out, "blk\nchr\nfile\nlink\nsgid\nsgidnx\n"
	    "sock\nsticky\nstickynx\nsuid\nsuidnx\n");
	ck_assert_int_eq(tool("ls", "-a", "/tmp/all", NULL), 0);
	ck_assert_msg(strncmp(out, ".\n..\n.hidden\nblk\n", 17) == 0, "%s",
	    out);
	ck_assert_int_eq(tool("ls", "-l", "/tmp/all", NULL), 0);
	HASLINE("brw-------", "blk");
	HAS(out, "7,   0 ");
	HASLINE("crw-------", "chr");
	HAS(out, "1,   3 ");
	HASLINE("-rw-r--r--", "file");
	HASLINE("lrwxrwxrwx", "link");
	HASLINE("-rwxr-sr-x", "sgid");
	HASLINE("-rw-r-Sr--", "sgidnx");
	HASLINE("srw", "sock");
	HASLINE("drwxrwxrwt", "sticky");
	HASLINE("drwxrwxrwT", "stickynx");
	HASLINE("-rwsr-xr-x", "suid");
	HASLINE("-rwSr--r--", "suidnx");
	HASNT(out, ".hidden");
	/* files first, then each directory under a heading */
	ck_assert_int_eq(tool("ls", "/tmp/all/sticky", "/tmp/all/file",
	    "/dev", NULL), 0);
	ck_assert_str_eq(out, "/tmp/all/file\n\n/tmp/all/sticky:\n\n/dev:\n"
	    "console\nfull\nnull\nrandom\nurandom\nzero\n");
	ck_assert_int_eq(tool("ls", "/tmp/all/sticky", "/dev", NULL), 0);
	ck_assert_msg(strncmp(out, "/tmp/all/sticky:\n\n/dev:\n", 24) == 0,
	    "%s", out);
	/* -l of a link operand is the link itself */
	ck_assert_int_eq(tool("ls", "-l", "/tmp/all/link", NULL), 0);
	HASLINE("lrwxrwxrwx", "/tmp/all/link");
	/* missing operands are reported, the rest listed */
	ck_assert_int_eq(tool("ls", "/nope", "/tmp/all/file", NULL), 1);
	ck_assert_str_eq(out, "/tmp/all/file\n");
	ERR_IS("rump.ls: /nope: No such file or directory");
	ck_assert_int_eq(tool("ls", "-l", "/nope", NULL), 1);
	ERR_IS("rump.ls: /nope: No such file or directory");
}
END_TEST

/* wait until rump.ps shows both zombies of tcover hold */
static void
await_zombies(void)
{
	int i;

	for (i = 0; i < 1000; i++) {
		ck_assert_int_eq(tool("ps", NULL), 0);
		if (strstr(out, "Z exit 3") != NULL &&
		    strstr(out, "Z sig 9") != NULL)
			return;
		usleep(10000);
	}
	ck_abort_msg("no zombies in:\n%s", out);
}

/* count lines of buf containing s */
static int
count(const char *buf, const char *s)
{
	int n = 0;

	while ((buf = strstr(buf, s)) != NULL) {
		n++;
		buf += strlen(s);
	}
	return n;
}

/*
 * rump.ps and rump.sockstat over a kernel with more processes than
 * their first guess holds (fork images), zombies, and every kind of
 * socket.
 */
START_TEST(ps_and_sockstat)
{
	static const char *const extra[] = { "--maxprefork", "100", NULL };
	char tcover[4096], line[64];
	int in, from, st;
	pid_t pid;

	srv_start(&srv, "unix", extra);
	builddir_path("tests/tcover", tcover, sizeof(tcover));
	pid = spawn_prog(&srv, &in, &from, tcover, "hold", "80", NULL);
	ck_assert_int_eq(read_line(from, line, sizeof(line)), 0);
	ck_assert_str_eq(line, "ready");
	await_zombies();
	ck_assert_msg(strncmp(out, "  PID  PPID  PGID   SID ", 24) == 0 &&
	    strstr(out, " STAT       COMMAND\n") != NULL, "%.500s", out);
	ck_assert_int_ge(count(out, " F "), 80);
	HAS(out, " R          tcover\n");
	HAS(out, " L          init\n");
	ck_assert_int_eq(tool("ps", "-v", NULL), 0);
	ck_assert_int_ge(count(out, " F "), 80);

	ck_assert_int_eq(tool("sockstat", NULL), 0);
	ck_assert_msg(strncmp(out, "USER     COMMAND      PID  FD PROTO  "
	    "LOCAL ADDRESS         FOREIGN ADDRESS\n", 75) == 0, "%.500s", out);
	HAS(out, "stream /tmp/listener");
	HAS(out, "dgram  @abstract");
	HAS(out, "seqpac (unnamed) ");
	HAS(out, "tcp4   127.0.0.1:7");
	HAS(out, "udp4   127.0.0.1:7");
	HAS(out, "tcp6   [::1]:9");
	HAS(out, "udp6   [::1]:9");
	/* the connection queued on the listener: no process holds it */
	HAS(out, "?        ?              0  -1 tcp4   127.0.0.1:7");
	HAS(out, "0        tcover");
	close(in);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	close(from);
	ck_assert_int_eq(srv_stop(&srv), 0);
}
END_TEST

START_TEST(sysctl_)
{

	srv_start(&srv, "unix", NULL);
	ck_assert_int_eq(tool("sysctl", "kern.ostype", "hw.ncpu", NULL), 0);
	ck_assert_str_eq(out, "kern.ostype = rump\nhw.ncpu = 1\n");
	ck_assert_int_eq(tool("sysctl", "-n", "kern.maxproc", NULL), 0);
	ck_assert_int_gt(atoi(out), 1);
	/* a structure is shown by its size; a node is refused */
	ck_assert_int_eq(tool("sysctl", "kern.proc.all", NULL), 0);
	HAS(out, "kern.proc.all = (");
	HAS(out, " bytes)\n");
	ck_assert_int_eq(tool("sysctl", "kern", "kern.nosuch",
	    "kern.ostype", NULL), 1);
	ck_assert_str_eq(out, "kern.ostype = rump\n");
	ck_assert_str_eq(err, "rump.sysctl: kern: a node, not a variable "
	    "(try -a)\nrump.sysctl: kern.nosuch: No such file or "
	    "directory\n");
	/* -a: every leaf, the server's counters (quads) among them */
	ck_assert_int_eq(tool("sysctl", "-a", NULL), 0);
	HAS(out, "kern.ostype = rump\n");
	HAS(out, "kern.hostname = ");
	HAS(out, "kern.sysproxy.requests = ");
	HAS(out, "hw.ncpu = 1\n");
	ck_assert_int_eq(tool("sysctl", "-n", "-a", NULL), 0);
	HAS(out, "\nrump\n");
	HASNT(out, " = ");
	/* -w: a string, then the refusals */
	ck_assert_int_eq(tool("sysctl", "-w", "kern.hostname=box", NULL), 0);
	HAS(out, "kern.hostname: ");
	HAS(out, " -> box\n");
	ck_assert_int_eq(tool("sysctl", "-n", "kern.hostname", NULL), 0);
	ck_assert_str_eq(out, "box\n");
	ck_assert_int_eq(tool("sysctl", "-w", "kern.hostname", NULL), 1);
	ERR_IS("rump.sysctl: kern.hostname: expected name=value");
	ck_assert_int_eq(tool("sysctl", "-w", "kern.maxproc=12x", NULL), 1);
	ERR_IS("rump.sysctl: kern.maxproc: not a number: 12x");
	ck_assert_int_eq(tool("sysctl", "-w", "kern.maxproc=", NULL), 1);
	ERR_IS("rump.sysctl: kern.maxproc: not a number: ");
	ck_assert_int_eq(tool("sysctl", "-w", "kern.maxproc=100", NULL), 1);
	ERR_IS("rump.sysctl: kern.maxproc: Operation not permitted");
	ck_assert_int_eq(tool("sysctl", "-w", "kern.sysproxy.requests=0x10",
	    NULL), 1);
	ERR_IS("rump.sysctl: kern.sysproxy.requests: Operation not permitted");
	ck_assert_int_eq(tool("sysctl", "-w", "kern.proc.all=1", NULL), 1);
	ERR_IS("rump.sysctl: kern.proc.all: cannot set a variable of this "
	    "type");
	ck_assert_int_eq(tool("sysctl", "-w", "kern=1", NULL), 1);
	ERR_IS("rump.sysctl: kern: cannot set a variable of this type");
	ck_assert_int_eq(tool("sysctl", "-w", "kern.nosuch=1", NULL), 1);
	ERR_IS("rump.sysctl: kern.nosuch: No such file or directory");
	/* a string another client set is printed terminal-safe */
	ck_assert_int_eq(tool("sysctl", "-w", "kern.hostname=a\033[2Jb",
	    NULL), 0);
	ck_assert_int_eq(tool("sysctl", "kern.hostname", NULL), 0);
	ck_assert_str_eq(out, "kern.hostname = a\\033[2Jb\n");
}
END_TEST

START_TEST(stat_)
{
	char *nl;

	srv_start(&srv, "unix", NULL);
	ck_assert_int_eq(tool("stat", "-c", "2", "-w", "1", NULL), 0);
	ck_assert_msg(strncmp(out, "clients threads  idle blocked", 29) == 0 ||
	    strncmp(out, "clients threads", 15) == 0 ||
	    strstr(out, "clients") != NULL, "%s", out);
	HAS(out, "req/s");
	ck_assert_int_eq(count(out, "\n"), 3);
	/* the first line is since the start: this client has connected */
	nl = strchr(out, '\n');
	ck_assert_ptr_nonnull(nl);
	ck_assert_int_ge(atoi(nl + 1), 1);
	ck_assert_int_eq(tool("stat", "-c", "0", NULL), 1);
	ERR_IS("rump.stat: invalid count: 0");
	ck_assert_int_eq(tool("stat", "-w", "soon", NULL), 1);
	ERR_IS("rump.stat: invalid interval: soon");
	ck_assert_int_eq(tool("stat", "-c", "", NULL), 1);
	ERR_IS("rump.stat: invalid count: ");
}
END_TEST

/*
 * rump.halt: -n and -h; -h stops serving but the process stays until
 * a signal; -d dumps core (no core file: the limit is 0 here); a user
 * the kernel does not know as root may not halt it.
 */
START_TEST(halt_)
{
	static const char *const peer[] = { "--peercred", "--sockmode",
	    "0666", NULL };
	int st, i;

	srv_start(&srv, "unix", NULL);
	ck_assert_int_eq(tool("halt", "-n", NULL), 0);
	ck_assert_int_eq(waitpid(srv.pid, &st, 0), srv.pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	srv.pid = 0;
	rmdir(srv.dir);

	srv_start(&srv, "unix", NULL);
	ck_assert_int_eq(tool("halt", "-h", NULL), 0);
	/* no longer serving, still there */
	for (i = 0; i < 3000 && access(srv.path, F_OK) == 0; i++)
		usleep(10000);
	ck_assert_int_lt(i, 3000);
	ck_assert_int_eq(waitpid(srv.pid, &st, WNOHANG), 0);
	ck_assert_int_eq(tool("ps", NULL), 1);
	ck_assert_int_eq(srv_stop(&srv), 0);

	srv_start(&srv, "unix", NULL);
	ck_assert_int_eq(tool("halt", "-d", NULL), 0);
	ck_assert_int_eq(waitpid(srv.pid, &st, 0), srv.pid);
	ck_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
	srv.pid = 0;
	unlink(srv.path);
	rmdir(srv.dir);

	srv_start(&srv, "unix", peer);
	/* the other user must reach the socket in its directory */
	ck_assert_int_eq(chmod(srv.dir, 0711), 0);
	io.uid = 65534;
	ck_assert_int_eq(tool("halt", NULL), 1);
	/* among others: a coverage build cannot write its counts as nobody */
	HAS(err, "rump.halt: reboot: Operation not permitted\n");
	ck_assert_int_eq(waitpid(srv.pid, &st, WNOHANG), 0);
	ck_assert_int_eq(srv_stop(&srv), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("tool_opts");
	TCase *tc = tcase_create("tools");
	struct rlimit rl = { 0, 0 };
	SRunner *sr;
	int nf;

	signal(SIGPIPE, SIG_IGN);
	/* rump.halt -d aborts the server: no core file from the suite */
	(void)setrlimit(RLIMIT_CORE, &rl);
	tcase_set_timeout(tc, 180);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, common_options);
	tcase_add_test(tc, verbose_pid);
	tcase_add_test(tc, cat_);
	tcase_add_test(tc, tee_);
	tcase_add_test(tc, mkdir_);
	tcase_add_test(tc, rm_);
	tcase_add_test(tc, ls_);
	tcase_add_test(tc, ps_and_sockstat);
	tcase_add_test(tc, sysctl_);
	tcase_add_test(tc, stat_);
	tcase_add_test(tc, halt_);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
