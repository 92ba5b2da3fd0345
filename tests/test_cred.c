/*
 * test_cred.c -- credentials, kill and wait4 between users, resource
 * limits, dup3 and fcntl, pipes' errors, pid 0, in-process through
 * librump.
 *
 * The compared tests run one scenario twice, on the host's system
 * calls in a forked child (the tests run as root, so the child may
 * change its credentials) and on rump_sys_* in a new kernel process,
 * log every call's result and errno and the ids it leaves, and require
 * the two logs to be equal: the host is the oracle for Linux's rules.
 * What the host cannot show (RUMP_NGROUPS, the kernel's RLIMIT_NOFILE
 * ceiling, kill between kernel processes, pid 0) is checked on the
 * kernel alone.  Without root on the host the compared tests skip
 * their host half and fail, so that they are never silently empty.
 *
 * Each test runs in a child forked by Check and boots its own kernel.
 */
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

/* the calls a scenario makes, on the host or in the kernel */
struct ops {
	int	(*setuid)(uid_t);
	int	(*seteuid)(uid_t);
	int	(*setreuid)(uid_t, uid_t);
	int	(*setresuid)(uid_t, uid_t, uid_t);
	int	(*getresuid)(uid_t *, uid_t *, uid_t *);
	int	(*setgid)(gid_t);
	int	(*setegid)(gid_t);
	int	(*setregid)(gid_t, gid_t);
	int	(*setresgid)(gid_t, gid_t, gid_t);
	int	(*getresgid)(gid_t *, gid_t *, gid_t *);
	int	(*getgroups)(int, gid_t *);
	int	(*setgroups)(int, const gid_t *);
	int	(*open)(const char *, int, ...);
	int	(*close)(int);
	int	(*dup)(int);
	int	(*dup2)(int, int);
	int	(*dup3)(int, int, int);
	int	(*fcntl)(int, int, ...);
	int	(*pipe2)(int *, int);
	ssize_t	(*read)(int, void *, size_t);
	ssize_t	(*write)(int, const void *, size_t);
	int	(*getrlimit)(int, struct rlimit *);
	int	(*setrlimit)(int, const struct rlimit *);
	int	(*prlimit)(pid_t, int, const struct rlimit *, struct rlimit *);
};

static int
host_setgroups(int n, const gid_t *g)
{

	return setgroups((size_t)n, g);
}

static int
host_getrlimit(int r, struct rlimit *rl)
{

	return getrlimit((__rlimit_resource_t)r, rl);
}

static int
host_setrlimit(int r, const struct rlimit *rl)
{

	return setrlimit((__rlimit_resource_t)r, rl);
}

static int
host_prlimit(pid_t pid, int r, const struct rlimit *n, struct rlimit *o)
{

	return prlimit(pid, (__rlimit_resource_t)r, n, o);
}

static const struct ops hostops = {
	setuid, seteuid, setreuid, setresuid, getresuid,
	setgid, setegid, setregid, setresgid, getresgid,
	getgroups, host_setgroups, open, close, dup, dup2, dup3, fcntl,
	pipe2, read, write, host_getrlimit, host_setrlimit, host_prlimit,
};

static const struct ops rumpops = {
	rump_sys_setuid, rump_sys_seteuid, rump_sys_setreuid,
	rump_sys_setresuid, rump_sys_getresuid, rump_sys_setgid,
	rump_sys_setegid, rump_sys_setregid, rump_sys_setresgid,
	rump_sys_getresgid, rump_sys_getgroups, rump_sys_setgroups,
	rump_sys_open, rump_sys_close, rump_sys_dup, rump_sys_dup2,
	rump_sys_dup3, rump_sys_fcntl, rump_sys_pipe2, rump_sys_read,
	rump_sys_write, rump_sys_getrlimit, rump_sys_setrlimit,
	rump_sys_prlimit64,
};

/* one run's log */
struct log {
	const struct ops *o;
	char	text[16384];
	size_t	len;
};

static void
logp(struct log *lg, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(lg->text + lg->len, sizeof(lg->text) - lg->len, fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof(lg->text) - lg->len)
		lg->len += (size_t)n;
}

/* log a call's result; descriptors are logged as numbers on purpose */
#define CALL(lg, e) do {						\
	long r_;							\
	errno = 0;							\
	r_ = (long)(e);							\
	logp(lg, "%d %s = %ld %s\n", __LINE__, #e, r_,			\
	    r_ == -1 ? strerror(errno) : "");				\
} while (0)

static void
log_ids(struct log *lg, int line)
{
	uid_t r = 9, e = 9, s = 9;
	gid_t gr = 9, ge = 9, gs = 9, g[64];
	int n, i;

	lg->o->getresuid(&r, &e, &s);
	lg->o->getresgid(&gr, &ge, &gs);
	logp(lg, "%d ids %u %u %u / %u %u %u /", line, r, e, s, gr, ge, gs);
	n = lg->o->getgroups(64, g);
	for (i = 0; i < n; i++)
		logp(lg, " %u", g[i]);
	logp(lg, "\n");
}
#define IDS(lg)	log_ids(lg, __LINE__)

/* Run scenario on the host in a child (it changes credentials). */
static void
run_host(void (*scenario)(struct log *), struct log *lg)
{
	int p[2], st;
	ssize_t n;
	size_t got = 0;
	pid_t pid;

	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct log *cl = calloc(1, sizeof(*cl));

		close(p[0]);
		/* EPIPE without dying, as the kernel's local processes */
		signal(SIGPIPE, SIG_IGN);
		/* out of the way of the descriptors scenarios use */
		if (dup2(p[1], 500) != 500)
			_exit(1);
		p[1] = 500;
		cl->o = &hostops;
		scenario(cl);
		if (write(p[1], cl->text, cl->len) != (ssize_t)cl->len)
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	while ((n = read(p[0], lg->text + got, sizeof(lg->text) - 1 - got)) > 0)
		got += (size_t)n;
	lg->text[got] = '\0';
	lg->len = got;
	close(p[0]);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void
run_rump(void (*scenario)(struct log *), struct log *lg)
{

	ck_assert_int_eq(rump_init(), 0);
	ck_assert_int_eq(rump_pub_lwproc_rfork(RUMP_RFCFDG), 0);
	/* 0, 1 and 2 open, as the host's */
	ck_assert_int_eq(rump_sys_open("/dev/null", O_RDONLY), 0);
	ck_assert_int_eq(rump_sys_open("/dev/null", O_WRONLY), 1);
	ck_assert_int_eq(rump_sys_dup(1), 2);
	lg->o = &rumpops;
	scenario(lg);
	rump_pub_lwproc_releaselwp();
}

static void
compare(void (*scenario)(struct log *))
{
	static struct log h, r;

	ck_assert_msg(geteuid() == 0, "the host oracle needs root");
	memset(&h, 0, sizeof(h));
	memset(&r, 0, sizeof(r));
	run_host(scenario, &h);
	run_rump(scenario, &r);
	ck_assert_msg(h.len > 0, "empty host log");
	if (getenv("TEST_CRED_LOG") != NULL)	/* to see what was compared */
		fprintf(stderr, "%s", h.text);
	if (strcmp(h.text, r.text) != 0) {
		fprintf(stderr, "host:\n%s\nrump:\n%s\n", h.text, r.text);
		ck_abort_msg("host and rump logs differ");
	}
}

/* root: every id may be set; the rules without root, id by id */
static void
scen_uids(struct log *lg)
{
	const struct ops *o = lg->o;
	static const gid_t g3[] = { 30, 10, 20 }, g1[] = { 5 };
	gid_t gbuf[8];

	CALL(lg, o->setresgid(0, 0, 0));
	CALL(lg, o->setresuid(0, 0, 0));
	CALL(lg, o->setgroups(3, g3));
	IDS(lg);
	CALL(lg, o->getgroups(0, NULL));
	CALL(lg, o->getgroups(2, gbuf));
	CALL(lg, o->getgroups(-1, gbuf));
	CALL(lg, o->setgroups(-1, g1));
	CALL(lg, o->setgroups(0, NULL));
	IDS(lg);
	CALL(lg, o->setgroups(1, g1));
	CALL(lg, o->setresgid(100, 200, 300));
	IDS(lg);
	CALL(lg, o->setresuid(1000, 1001, 1002));
	IDS(lg);
	/* no longer root */
	CALL(lg, o->setgroups(1, g1));
	CALL(lg, o->setuid(0));
	CALL(lg, o->setuid(1002));
	IDS(lg);
	CALL(lg, o->seteuid(1000));
	CALL(lg, o->seteuid(5));
	CALL(lg, o->seteuid((uid_t)-1));
	CALL(lg, o->setuid((uid_t)-1));
	IDS(lg);
	CALL(lg, o->setreuid(1002, (uid_t)-1));
	IDS(lg);
	CALL(lg, o->setreuid((uid_t)-1, 1000));
	IDS(lg);
	CALL(lg, o->setreuid((uid_t)-1, 1001));
	CALL(lg, o->setreuid(7, (uid_t)-1));
	CALL(lg, o->setreuid((uid_t)-1, 7));
	IDS(lg);
	CALL(lg, o->setresuid((uid_t)-1, (uid_t)-1, 7));
	CALL(lg, o->setresuid(1000, 1000, (uid_t)-1));
	IDS(lg);
	/* gids: the same rules, privilege by the effective uid */
	CALL(lg, o->setgid(5));
	CALL(lg, o->setgid(300));
	IDS(lg);
	CALL(lg, o->setegid(100));
	CALL(lg, o->setegid((gid_t)-1));
	CALL(lg, o->setgid((gid_t)-1));
	CALL(lg, o->setregid((gid_t)-1, 200));
	IDS(lg);
	CALL(lg, o->setregid(300, (gid_t)-1));
	IDS(lg);
	CALL(lg, o->setregid(8, (gid_t)-1));
	CALL(lg, o->setresgid(1, (gid_t)-1, (gid_t)-1));
	CALL(lg, o->setresgid(200, 300, 100));
	IDS(lg);
	CALL(lg, o->setresuid(0, (uid_t)-1, (uid_t)-1));
	CALL(lg, o->setuid(1000));
	CALL(lg, o->setresuid(1000, 1000, 1000));
	IDS(lg);
}

/* a root process that only gave up its effective uid can take it back */
static void
scen_saved(struct log *lg)
{
	const struct ops *o = lg->o;

	CALL(lg, o->setresgid(0, 0, 0));
	CALL(lg, o->setresuid(0, 0, 0));
	CALL(lg, o->setgroups(0, NULL));
	CALL(lg, o->seteuid(1000));
	IDS(lg);
	CALL(lg, o->setgid(4));
	CALL(lg, o->seteuid(0));
	IDS(lg);
	CALL(lg, o->setreuid((uid_t)-1, 2000));
	IDS(lg);
	CALL(lg, o->setreuid(3000, 3000));
	IDS(lg);
	CALL(lg, o->seteuid(0));
	CALL(lg, o->setreuid(0, 0));
	IDS(lg);
	CALL(lg, o->setuid(0));
	IDS(lg);
	/* root's setuid sets all three: no way back */
	CALL(lg, o->setuid(1000));
	IDS(lg);
	CALL(lg, o->setuid(0));
	CALL(lg, o->seteuid(0));
	CALL(lg, o->setresuid(0, 0, 0));
	IDS(lg);
}

START_TEST(ids_as_linux)
{

	compare(scen_uids);
}
END_TEST

START_TEST(saved_ids_as_linux)
{

	compare(scen_saved);
}
END_TEST

/* dup, dup2, dup3 and fcntl on descriptors of /dev/null and a pipe */
static void
scen_dup(struct log *lg)
{
	const struct ops *o = lg->o;
	int fd, p[2];

	for (fd = 3; fd < 64; fd++)
		(void)o->close(fd);
	fd = o->open("/dev/null", O_RDWR);
	CALL(lg, fd);
	CALL(lg, o->dup3(fd, fd, 0));
	CALL(lg, o->dup3(fd, fd, O_CLOEXEC));
	CALL(lg, o->dup3(fd, 10, 0x4));
	CALL(lg, o->dup3(40, 10, 0));
	CALL(lg, o->dup3(fd, -1, 0));
	CALL(lg, o->dup3(fd, 10, O_CLOEXEC));
	CALL(lg, o->fcntl(10, F_GETFD));
	CALL(lg, o->dup3(fd, 10, 0));
	CALL(lg, o->fcntl(10, F_GETFD));
	CALL(lg, o->dup2(fd, fd));
	CALL(lg, o->dup2(41, 41));
	CALL(lg, o->dup2(fd, 11));
	CALL(lg, o->fcntl(11, F_GETFD));
	CALL(lg, o->fcntl(fd, F_DUPFD, 11));
	CALL(lg, o->fcntl(fd, F_DUPFD_CLOEXEC, 20));
	CALL(lg, o->fcntl(20, F_GETFD));
	CALL(lg, o->fcntl(20, F_SETFD, 0));
	CALL(lg, o->fcntl(20, F_GETFD));
	CALL(lg, o->fcntl(fd, F_DUPFD, -1));
	CALL(lg, o->fcntl(fd, 9999));
	CALL(lg, o->fcntl(41, F_GETFD));
	CALL(lg, o->pipe2(p, O_NONBLOCK));
	CALL(lg, p[0]);
	CALL(lg, p[1]);
	CALL(lg, o->fcntl(p[0], F_GETFL));
	CALL(lg, o->fcntl(p[1], F_GETFL));
	CALL(lg, o->fcntl(p[0], F_SETFL, O_ASYNC | O_APPEND));
	CALL(lg, o->fcntl(p[0], F_GETFL));
	CALL(lg, o->fcntl(p[0], F_SETFL, O_RDWR | O_NONBLOCK));
	CALL(lg, o->fcntl(p[0], F_GETFL));
	CALL(lg, o->fcntl(p[0], F_GETOWN));
	CALL(lg, o->fcntl(p[0], F_SETOWN, 99998));
	CALL(lg, o->fcntl(p[0], F_SETOWN, -99998));
	CALL(lg, o->fcntl(p[0], F_SETOWN, 0));
	CALL(lg, o->fcntl(p[0], F_GETOWN));
	CALL(lg, o->read(p[0], &fd, 1));
	CALL(lg, o->close(p[1]));
	CALL(lg, o->read(p[0], &fd, 1));
}

START_TEST(dup_fcntl_as_linux)
{

	compare(scen_dup);
}
END_TEST

/* RLIMIT_NOFILE: EMFILE, EBADF and EINVAL at the soft limit */
static void
scen_rlimit(struct log *lg)
{
	const struct ops *o = lg->o;
	struct rlimit rl, old;
	int fd, i, p[2];

	for (fd = 3; fd < 64; fd++)
		(void)o->close(fd);
	rl.rlim_cur = 8;
	rl.rlim_max = 16;
	CALL(lg, o->setrlimit(RLIMIT_NOFILE, &rl));
	CALL(lg, o->getrlimit(RLIMIT_NOFILE, &old));
	logp(lg, "%d %lu %lu\n", __LINE__, (unsigned long)old.rlim_cur,
	    (unsigned long)old.rlim_max);
	for (i = 0; i < 6; i++)
		CALL(lg, o->open("/dev/null", O_RDONLY));
	CALL(lg, o->open("/dev/null", O_RDONLY));
	CALL(lg, o->dup(0));
	CALL(lg, o->pipe2(p, 0));
	CALL(lg, o->fcntl(0, F_DUPFD, 8));
	CALL(lg, o->fcntl(0, F_DUPFD, 7));
	CALL(lg, o->dup2(0, 8));
	CALL(lg, o->dup3(0, 8, 0));
	CALL(lg, o->close(7));
	CALL(lg, o->dup2(0, 7));
	CALL(lg, o->close(7));
	CALL(lg, o->close(6));
	CALL(lg, o->pipe2(p, 0));
	CALL(lg, p[0]);
	CALL(lg, p[1]);
	/* the limits themselves */
	rl.rlim_cur = 17;
	CALL(lg, o->setrlimit(RLIMIT_NOFILE, &rl));
	CALL(lg, o->setrlimit(RLIM_NLIMITS, &rl));
	CALL(lg, o->getrlimit(-1, &rl));
	CALL(lg, o->getrlimit(RLIM_NLIMITS, &rl));
	/* (raising a hard limit as root needs CAP_SYS_RESOURCE on the host) */
	rl.rlim_cur = 4;
	rl.rlim_max = 16;
	CALL(lg, o->setrlimit(RLIMIT_NOFILE, &rl));
	CALL(lg, o->prlimit(0, RLIMIT_NOFILE, NULL, &old));
	logp(lg, "%d %lu %lu\n", __LINE__, (unsigned long)old.rlim_cur,
	    (unsigned long)old.rlim_max);
	CALL(lg, o->open("/dev/null", O_RDONLY));
	rl.rlim_cur = 16;
	rl.rlim_max = 16;
	CALL(lg, o->prlimit(0, RLIMIT_NOFILE, &rl, &old));
	logp(lg, "%d %lu %lu\n", __LINE__, (unsigned long)old.rlim_cur,
	    (unsigned long)old.rlim_max);
	CALL(lg, o->open("/dev/null", O_RDONLY));
	rl.rlim_cur = RLIM_INFINITY;
	rl.rlim_max = RLIM_INFINITY;
	CALL(lg, o->setrlimit(RLIMIT_CORE, &rl));
	CALL(lg, o->getrlimit(RLIMIT_CORE, &old));
	logp(lg, "%d %ld %ld\n", __LINE__, (long)old.rlim_cur,
	    (long)old.rlim_max);
	/* without root the hard limit only goes down */
	CALL(lg, o->setresuid(1000, 1000, 1000));
	rl.rlim_cur = 8;
	rl.rlim_max = 17;
	CALL(lg, o->setrlimit(RLIMIT_NOFILE, &rl));
	rl.rlim_max = 15;
	CALL(lg, o->setrlimit(RLIMIT_NOFILE, &rl));
	rl.rlim_max = 16;
	CALL(lg, o->setrlimit(RLIMIT_NOFILE, &rl));
	CALL(lg, o->getrlimit(RLIMIT_NOFILE, &old));
	logp(lg, "%d %lu %lu\n", __LINE__, (unsigned long)old.rlim_cur,
	    (unsigned long)old.rlim_max);
}

START_TEST(rlimit_as_linux)
{

	compare(scen_rlimit);
}
END_TEST

/*
 * Pipes: flags, EAGAIN both ways, PIPE_BUF writes whole or not at all,
 * EPIPE (the host child ignores SIGPIPE; a local kernel process gets
 * none), end of file.  Writes are whole pages, where the host's page
 * ring and the kernel's byte ring hold the same.
 */
static void
scen_pipe(struct log *lg)
{
	const struct ops *o = lg->o;
	static char buf[4096];
	int p[2], i;

	for (i = 3; i < 64; i++)
		(void)o->close(i);
	CALL(lg, o->pipe2(p, O_DIRECT << 4));
	CALL(lg, o->pipe2(p, O_NONBLOCK | O_CLOEXEC));
	CALL(lg, o->fcntl(p[0], F_GETFD));
	CALL(lg, o->read(p[0], buf, sizeof(buf)));
	for (i = 0; i < 16; i++)
		CALL(lg, o->write(p[1], buf, sizeof(buf)));
	CALL(lg, o->write(p[1], buf, 1));
	CALL(lg, o->write(p[1], buf, sizeof(buf)));
	CALL(lg, o->read(p[0], buf, sizeof(buf)));
	CALL(lg, o->write(p[1], buf, sizeof(buf)));
	CALL(lg, o->write(p[1], buf, 10));
	CALL(lg, o->read(p[1], buf, 1));
	CALL(lg, o->write(p[0], buf, 1));
	CALL(lg, o->close(p[0]));
	CALL(lg, o->write(p[1], buf, 1));
	CALL(lg, o->write(p[1], buf, sizeof(buf)));
	CALL(lg, o->close(p[1]));
	/* the reader drains what is left, then end of file */
	CALL(lg, o->pipe2(p, 0));
	CALL(lg, o->write(p[1], buf, 100));
	CALL(lg, o->close(p[1]));
	CALL(lg, o->read(p[0], buf, sizeof(buf)));
	CALL(lg, o->read(p[0], buf, sizeof(buf)));
	CALL(lg, o->close(p[0]));
}

START_TEST(pipe_as_linux)
{

	compare(scen_pipe);
}
END_TEST

/* a new kernel process, curlwp its lwp */
static pid_t
newproc(int flags, struct lwp **lp)
{

	ck_assert_int_eq(rump_pub_lwproc_rfork(flags), 0);
	*lp = rump_pub_lwproc_curlwp();
	return rump_sys_getpid();
}

START_TEST(groups_bounded)
{
	gid_t g[40];
	struct lwp *l;
	int i;

	ck_assert_int_eq(rump_init(), 0);
	newproc(RUMP_RFCFDG, &l);
	for (i = 0; i < 40; i++)
		g[i] = (gid_t)(40 - i);
	/* 32 groups, the kernel's bound; past it EINVAL */
	ck_assert_int_eq(rump_sys_setgroups(32, g + 8), 0);
	ck_assert_int_eq(rump_sys_getgroups(0, NULL), 32);
	errno = 0;
	ck_assert_int_eq(rump_sys_setgroups(33, g), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(rump_sys_getgroups(40, g), 32);
	for (i = 0; i < 32; i++)
		ck_assert_uint_eq(g[i], (gid_t)(i + 1));
}
END_TEST

/*
 * kill needs root or a real or effective uid equal to the target's
 * real or saved uid; wait4 sees only one's own children; credentials
 * go to children.
 */
START_TEST(kill_wait_between_users)
{
	struct lwp *root, *user, *other, *child;
	pid_t proot, puser, pother, pchild;
	uid_t r, e, s;
	int st;

	ck_assert_int_eq(rump_init(), 0);
	proot = newproc(RUMP_RFCFDG, &root);
	pother = newproc(RUMP_RFFDG, &other);
	ck_assert_int_eq(rump_sys_setresuid(2000, 2000, 1000), 0);
	rump_pub_lwproc_switch(root);
	puser = newproc(RUMP_RFFDG, &user);
	ck_assert_int_eq(rump_sys_setgroups(0, NULL), 0);
	ck_assert_int_eq(rump_sys_setresgid(1000, 1000, 1000), 0);
	ck_assert_int_eq(rump_sys_setuid(1000), 0);
	/* the child inherits the credentials */
	pchild = newproc(RUMP_RFFDG, &child);
	ck_assert_int_eq(rump_sys_getresuid(&r, &e, &s), 0);
	ck_assert(r == 1000 && e == 1000 && s == 1000);
	ck_assert_int_eq(rump_sys_getegid(), 1000);
	ck_assert_int_eq(rump_sys_getppid(), puser);
	rump_pub_lwproc_switch(user);
	errno = 0;
	ck_assert_int_eq(rump_sys_kill(proot, SIGTERM), -1);
	ck_assert_int_eq(errno, EPERM);
	errno = 0;
	ck_assert_int_eq(rump_sys_kill(proot, 0), -1);
	ck_assert_int_eq(errno, EPERM);
	errno = 0;
	ck_assert_int_eq(rump_sys_kill(1, 0), -1);
	ck_assert_int_eq(errno, EPERM);
	/* SIGCONT within the session is job control: allowed */
	ck_assert_int_eq(rump_sys_kill(proot, SIGCONT), 0);
	ck_assert_int_eq(rump_sys_setsid(), puser);
	errno = 0;
	ck_assert_int_eq(rump_sys_kill(proot, SIGCONT), -1);
	ck_assert_int_eq(errno, EPERM);
	/* other's saved uid is 1000: allowed */
	ck_assert_int_eq(rump_sys_kill(pother, 0), 0);
	ck_assert_int_eq(rump_sys_kill(pchild, 0), 0);
	/* root's children are not ours to wait for */
	errno = 0;
	ck_assert_int_eq(rump_sys_wait4(pother, &st, WNOHANG, NULL), -1);
	ck_assert_int_eq(errno, ECHILD);
	ck_assert_int_eq(rump_sys_wait4(-1, &st, WNOHANG, NULL), 0);
	/* once other's saved uid is gone, so is the permission */
	rump_pub_lwproc_switch(other);
	ck_assert_int_eq(rump_sys_setresuid(-1, -1, 2000), 0);
	rump_pub_lwproc_switch(user);
	errno = 0;
	ck_assert_int_eq(rump_sys_kill(pother, 0), -1);
	ck_assert_int_eq(errno, EPERM);
	/* the other way round: root may */
	rump_pub_lwproc_switch(root);
	ck_assert_int_eq(rump_sys_kill(puser, 0), 0);
	ck_assert_int_eq(rump_sys_kill(pchild, SIGKILL), 0);
	rump_pub_lwproc_switch(child);
	rump_pub_lwproc_releaselwp();
	rump_pub_lwproc_switch(user);
	ck_assert_int_eq(rump_sys_wait4(-1, &st, 0, NULL), pchild);
	ck_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}
END_TEST

/* the kernel's own ceilings, which the host does not share */
START_TEST(rlimit_kernel)
{
	struct rlimit rl;
	struct lwp *parent, *c;
	pid_t pc;
	int i, fd = -1;

	ck_assert_int_eq(rump_init(), 0);
	newproc(RUMP_RFCFDG, &parent);
	ck_assert_int_eq(rump_sys_getrlimit(RLIMIT_NOFILE, &rl), 0);
	ck_assert_uint_eq(rl.rlim_cur, 1024);
	ck_assert_uint_eq(rl.rlim_max, 4096);
	ck_assert_int_eq(rump_sys_getrlimit(RLIMIT_CPU, &rl), 0);
	ck_assert(rl.rlim_cur == RLIM_INFINITY && rl.rlim_max == RLIM_INFINITY);
	ck_assert_int_eq(rump_sys_getrlimit(RLIMIT_STACK, &rl), 0);
	ck_assert(rl.rlim_cur == 8 << 20 && rl.rlim_max == RLIM_INFINITY);
	/* nr_open: no further than the table's size, even for root */
	rl.rlim_cur = rl.rlim_max = 4097;
	errno = 0;
	ck_assert_int_eq(rump_sys_setrlimit(RLIMIT_NOFILE, &rl), -1);
	ck_assert_int_eq(errno, EPERM);
	/* 4096 descriptors, then EMFILE */
	rl.rlim_cur = rl.rlim_max = 4096;
	ck_assert_int_eq(rump_sys_setrlimit(RLIMIT_NOFILE, &rl), 0);
	for (i = 0; i < 4096; i++) {
		fd = rump_sys_open("/dev/null", O_RDONLY);
		ck_assert_int_eq(fd, i);
	}
	errno = 0;
	ck_assert_int_eq(rump_sys_open("/dev/null", O_RDONLY), -1);
	ck_assert_int_eq(errno, EMFILE);
	for (i = 10; i < 4096; i++)
		rump_sys_close(i);
	/* limits go to children; prlimit64 reaches them by pid */
	rl.rlim_cur = 20;
	rl.rlim_max = 30;
	ck_assert_int_eq(rump_sys_setrlimit(RLIMIT_NOFILE, &rl), 0);
	pc = newproc(RUMP_RFFDG, &c);
	ck_assert_int_eq(rump_sys_getrlimit(RLIMIT_NOFILE, &rl), 0);
	ck_assert(rl.rlim_cur == 20 && rl.rlim_max == 30);
	ck_assert_int_eq(rump_sys_setresuid(1000, 1000, 1000), 0);
	rump_pub_lwproc_switch(parent);
	rl.rlim_cur = 25;
	ck_assert_int_eq(rump_sys_prlimit64(pc, RLIMIT_NOFILE, &rl, NULL), 0);
	errno = 0;
	ck_assert_int_eq(rump_sys_prlimit64(99999, RLIMIT_NOFILE, NULL, &rl),
	    -1);
	ck_assert_int_eq(errno, ESRCH);
	rump_pub_lwproc_switch(c);
	ck_assert_int_eq(rump_sys_getrlimit(RLIMIT_NOFILE, &rl), 0);
	ck_assert_uint_eq(rl.rlim_cur, 25);
	/* a user may not touch root's limits */
	errno = 0;
	ck_assert_int_eq(rump_sys_prlimit64(rump_sys_getppid(), RLIMIT_NOFILE,
	    NULL, &rl), -1);
	ck_assert_int_eq(errno, EPERM);
}
END_TEST

/* pid 0: the kernel's process, where newlwp(0) puts an lwp */
START_TEST(proc0)
{
	struct rump_procinfo pi[16];
	struct lwp *l0, *c;
	ssize_t n;
	int i;

	ck_assert_int_eq(rump_init(), 0);
	ck_assert_int_eq(rump_pub_lwproc_newlwp(0), 0);
	l0 = rump_pub_lwproc_curlwp();
	ck_assert_int_eq(rump_sys_getpid(), 0);
	ck_assert_int_eq(rump_sys_getppid(), 0);
	ck_assert_int_eq(rump_sys_geteuid(), 0);
	/* a child of pid 0, reaped by it when it goes */
	newproc(RUMP_RFCFDG, &c);
	ck_assert_int_eq(rump_sys_getppid(), 0);
	rump_pub_lwproc_releaselwp();
	rump_pub_lwproc_switch(l0);
	errno = 0;
	ck_assert_int_eq(rump_sys_wait4(-1, NULL, WNOHANG, NULL), -1);
	ck_assert_int_eq(errno, ECHILD);
	/* exit(2) and signals do not end it */
	rump_sys_exit(3);
	ck_assert_int_eq(rump_sys_kill(1, SIGKILL), 0);
	rump_pub_lwproc_releaselwp();
	ck_assert_int_eq(rump_pub_lwproc_newlwp(0), 0);
	ck_assert_int_eq(rump_sys_getpid(), 0);
	rump_pub_lwproc_releaselwp();
	ck_assert_int_eq(rump_pub_lwproc_newlwp(1), 0);
	ck_assert_int_eq(rump_sys_getpid(), 1);
	rump_pub_lwproc_releaselwp();
	/* the process list is of the others: pid 1 first, no pid 0 */
	n = rump_sys_proclist(pi, sizeof(pi));
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(pi[0].rpi_pid, 1);
	for (i = 0; i < n / (ssize_t)sizeof(pi[0]); i++)
		ck_assert_int_ne(pi[i].rpi_pid, 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("cred");
	TCase *tc = tcase_create("cred");
	SRunner *sr;
	int nf;

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, ids_as_linux);
	tcase_add_test(tc, saved_ids_as_linux);
	tcase_add_test(tc, dup_fcntl_as_linux);
	tcase_add_test(tc, rlimit_as_linux);
	tcase_add_test(tc, pipe_as_linux);
	tcase_add_test(tc, groups_bounded);
	tcase_add_test(tc, kill_wait_between_users);
	tcase_add_test(tc, rlimit_kernel);
	tcase_add_test(tc, proc0);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
