/*
 * fs_scen.c -- file system scenarios run twice, on the host's system
 * calls and on rump_sys_*, with the logs compared: the host is the
 * oracle for Linux's semantics.  Compiled into test_vfs (the kernel
 * in-process, librump) and into test_vfs_remote (the same calls to a
 * rump_server through librumpclient), so every call is checked both
 * ways.  Each scenario logs every call's return value (descriptors
 * reduced to "ok") and errno, the stat fields that must agree (type,
 * size of regular files, nlink), hashes of file contents and sorted
 * directory listings.
 */
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rump/rump_syscalls.h>

#include "fs_scen.h"

struct fsops {
	int	(*open)(const char *, int, ...);
	int	(*openat)(int, const char *, int, ...);
	int	(*close)(int);
	ssize_t	(*read)(int, void *, size_t);
	ssize_t	(*write)(int, const void *, size_t);
	ssize_t	(*pread)(int, void *, size_t, off_t);
	ssize_t	(*pwrite)(int, const void *, size_t, off_t);
	off_t	(*lseek)(int, off_t, int);
	int	(*fstat)(int, struct stat *);
	int	(*stat)(const char *, struct stat *);
	int	(*lstat)(const char *, struct stat *);
	int	(*mkdir)(const char *, mode_t);
	int	(*rmdir)(const char *);
	int	(*unlink)(const char *);
	ssize_t	(*getdents64)(int, void *, size_t);
	int	(*chdir)(const char *);
	int	(*getcwd)(char *, size_t);	/* the system call's answer */
	int	(*link)(const char *, const char *);
	int	(*linkat)(int, const char *, int, const char *, int);
	int	(*symlink)(const char *, const char *);
	int	(*symlinkat)(const char *, int, const char *);
	ssize_t	(*readlink)(const char *, char *, size_t);
	ssize_t	(*readlinkat)(int, const char *, char *, size_t);
	int	(*rename)(const char *, const char *);
	int	(*renameat)(int, const char *, int, const char *);
	int	(*renameat2)(int, const char *, int, const char *, unsigned);
	int	(*unlinkat)(int, const char *, int);
	int	(*mkdirat)(int, const char *, mode_t);
	int	(*mknod)(const char *, mode_t, dev_t);
	int	(*mknodat)(int, const char *, mode_t, dev_t);
	int	(*truncate)(const char *, off_t);
	int	(*ftruncate)(int, off_t);
	int	(*chmod)(const char *, mode_t);
	int	(*fchmod)(int, mode_t);
	int	(*fchmodat)(int, const char *, mode_t, int);
	int	(*chown)(const char *, uid_t, gid_t);
	int	(*fchown)(int, uid_t, gid_t);
	int	(*lchown)(const char *, uid_t, gid_t);
	int	(*fchownat)(int, const char *, uid_t, gid_t, int);
	int	(*utimensat)(int, const char *, const struct timespec *, int);
	int	(*futimens)(int, const struct timespec *);
	mode_t	(*umask)(mode_t);
	int	(*access)(const char *, int);
	int	(*faccessat)(int, const char *, int, int);
	int	(*fstatat)(int, const char *, struct stat *, int);
	int	(*statx)(int, const char *, int, unsigned, struct statx *);
	int	(*fchdir)(int);
	int	(*statfs)(const char *, struct statfs *);
	int	(*fstatfs)(int, struct statfs *);
	int	(*fsync)(int);
	int	(*fdatasync)(int);
	ssize_t	(*readv)(int, const struct iovec *, int);
	ssize_t	(*writev)(int, const struct iovec *, int);
	ssize_t	(*preadv)(int, const struct iovec *, int, off_t);
	ssize_t	(*pwritev)(int, const struct iovec *, int, off_t);
	int	(*seteids)(uid_t, gid_t);	/* effective ids only */
};

/* the host's effective ids: the group first going down, last going up */
static int
host_seteids(uid_t uid, gid_t gid)
{

	if (uid == 0)
		return seteuid(0) == 0 && setegid(gid) == 0 ? 0 : -1;
	return setegid(gid) == 0 && seteuid(uid) == 0 ? 0 : -1;
}

static int
rump_seteids(uid_t uid, gid_t gid)
{

	if (fs_rump_seteids == NULL) {
		errno = ENOSYS;
		return -1;
	}
	return fs_rump_seteids(uid, gid);
}

static int
host_getcwd(char *buf, size_t size)
{

	return (int)syscall(SYS_getcwd, buf, size);
}

static const struct fsops hostops = {
	open, openat, close, read, write, pread, pwrite, lseek, fstat,
	stat, lstat, mkdir, rmdir, unlink, getdents64, chdir, host_getcwd,
	link, linkat, symlink, symlinkat, readlink, readlinkat, rename,
	renameat, renameat2, unlinkat, mkdirat, mknod, mknodat, truncate,
	ftruncate, chmod, fchmod, fchmodat, chown, fchown, lchown,
	fchownat, utimensat, futimens, umask, access, faccessat, fstatat,
	statx, fchdir, statfs, fstatfs, fsync, fdatasync, readv, writev,
	preadv, pwritev, host_seteids,
};

static const struct fsops rumpops = {
	rump_sys_open, rump_sys_openat, rump_sys_close, rump_sys_read,
	rump_sys_write, rump_sys_pread, rump_sys_pwrite, rump_sys_lseek,
	rump_sys_fstat, rump_sys_stat, rump_sys_lstat, rump_sys_mkdir,
	rump_sys_rmdir, rump_sys_unlink, rump_sys_getdents64, rump_sys_chdir,
	rump_sys_getcwd, rump_sys_link, rump_sys_linkat, rump_sys_symlink,
	rump_sys_symlinkat, rump_sys_readlink, rump_sys_readlinkat,
	rump_sys_rename, rump_sys_renameat, rump_sys_renameat2,
	rump_sys_unlinkat, rump_sys_mkdirat, rump_sys_mknod, rump_sys_mknodat,
	rump_sys_truncate, rump_sys_ftruncate, rump_sys_chmod,
	rump_sys_fchmod, rump_sys_fchmodat, rump_sys_chown, rump_sys_fchown,
	rump_sys_lchown, rump_sys_fchownat, rump_sys_utimensat,
	rump_sys_futimens, rump_sys_umask, rump_sys_access,
	rump_sys_faccessat, rump_sys_fstatat, rump_sys_statx,
	rump_sys_fchdir, rump_sys_statfs, rump_sys_fstatfs, rump_sys_fsync,
	rump_sys_fdatasync, rump_sys_readv, rump_sys_writev,
	rump_sys_preadv, rump_sys_pwritev, rump_seteids,
};

#define MAXREC	512

struct rec {
	int		 line;
	const char	*what;
	long		 ret;
	int		 err;
	long		 aux[3];
};

/* one run of a scenario */
struct run {
	const struct fsops	*o;
	const char		*base;	/* absolute path of its directory */
	bool			 dirlinks; /* nlink counts subdirectories */
	int			 n;
	struct rec		 r[MAXREC];
	char			 text[8192];	/* listings, compared whole */
};

char hostbase[PATH_MAX];		/* the mkdtemp directory */

static void
rec_add(struct run *run, int line, const char *what, long ret, int err,
    long a0, long a1, long a2)
{
	struct rec *r;

	ck_assert_int_lt(run->n, MAXREC);
	r = &run->r[run->n++];
	r->line = line;
	r->what = what;
	r->ret = ret;
	r->err = ret < 0 ? err : 0;
	r->aux[0] = a0;
	r->aux[1] = a1;
	r->aux[2] = a2;
}

/* log a call's result */
#define CALL(run, expr) do {						\
	long r_;							\
	errno = 0;							\
	r_ = (long)(expr);						\
	rec_add(run, __LINE__, #expr, r_, errno, 0, 0, 0);		\
} while (0)

/* log a call returning a descriptor, which is kept in var */
#define CALLFD(run, var, expr) do {					\
	errno = 0;							\
	(var) = (expr);							\
	rec_add(run, __LINE__, #expr, (var) < 0 ? -1 : 0, errno,	\
	    0, 0, 0);							\
} while (0)

/* log a stat-like call and the fields that must agree */
#define CALLST(run, expr, st) do {					\
	long r_;							\
	errno = 0;							\
	memset(&(st), 0, sizeof(st));					\
	r_ = (long)(expr);						\
	rec_add(run, __LINE__, #expr, r_, errno, (long)((st).st_mode &	\
	    S_IFMT), S_ISREG((st).st_mode) ? (long)(st).st_size : 0,	\
	    S_ISDIR((st).st_mode) && !(run)->dirlinks ? 0 :		\
	    (long)(st).st_nlink);					\
} while (0)

static uint64_t
fnv1a(const void *buf, size_t len, uint64_t h)
{
	const unsigned char *p = buf;

	while (len-- > 0)
		h = (h ^ *p++) * 0x100000001b3ULL;
	return h;
}

/* log the size and a hash of a file's whole contents */
static void
log_contents(struct run *run, int line, const char *path)
{
	char buf[8192];
	uint64_t h = 0xcbf29ce484222325ULL;
	long total = 0;
	ssize_t n;
	int fd;

	fd = run->o->open(path, O_RDONLY);
	if (fd < 0) {
		rec_add(run, line, path, -1, errno, 0, 0, 0);
		return;
	}
	while ((n = run->o->read(fd, buf, sizeof(buf))) > 0) {
		h = fnv1a(buf, (size_t)n, h);
		total += n;
	}
	run->o->close(fd);
	rec_add(run, line, path, n, errno, total, (long)(h & 0x7fffffff),
	    (long)(h >> 33));
}
#define CONTENTS(run, path)	log_contents(run, __LINE__, path)

static void
text_add(struct run *run, const char *s)
{

	strlcat(run->text, s, sizeof(run->text));
}

static int
strcmp_p(const void *a, const void *b)
{

	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * List directory path with getdents64 in buffers of bufsize and add
 * the sorted "name:type" list to the run's text.
 */
static void
log_listing(struct run *run, const char *path, size_t bufsize)
{
	char buf[4096], line[300], *names[256];
	struct linux_dirent64 *d;
	ssize_t n, off;
	int fd, nn, i;

	fd = run->o->open(path, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(fd, 0);
	nn = 0;
	while ((n = run->o->getdents64(fd, buf, bufsize)) > 0) {
		for (off = 0; off < n; off += d->d_reclen) {
			d = (struct linux_dirent64 *)(buf + off);
			ck_assert_int_lt(nn, 256);
			snprintf(line, sizeof(line), "%s:%d,", d->d_name,
			    d->d_type);
			names[nn++] = strdup(line);
		}
	}
	ck_assert_int_eq(n, 0);
	run->o->close(fd);
	qsort(names, (size_t)nn, sizeof(names[0]), strcmp_p);
	text_add(run, path);
	text_add(run, "=");
	for (i = 0; i < nn; i++) {
		text_add(run, names[i]);
		free(names[i]);
	}
	text_add(run, ";");
}

/* does the host's file system count subdirectories in nlink? */
static bool
host_dirlinks(const char *dir)
{
	char sub[PATH_MAX];
	struct stat st;
	bool counts;

	if (snprintf(sub, sizeof(sub), "%s/.linkprobe", dir) >=
	    (int)sizeof(sub) || mkdir(sub, 0700) != 0)
		return false;
	counts = stat(dir, &st) == 0 && st.st_nlink >= 3;
	rmdir(sub);
	return counts;
}


static void
compare_runs(const struct run *h, const struct run *r)
{
	int i;

	for (i = 0; i < h->n && i < r->n; i++) {
		const struct rec *a = &h->r[i], *b = &r->r[i];

		ck_assert_msg(a->ret == b->ret && a->err == b->err &&
		    a->aux[0] == b->aux[0] && a->aux[1] == b->aux[1] &&
		    a->aux[2] == b->aux[2],
		    "line %d: %s: host %ld errno %d (%ld %ld %ld), "
		    "rump %ld errno %d (%ld %ld %ld)", a->line, a->what,
		    a->ret, a->err, a->aux[0], a->aux[1], a->aux[2],
		    b->ret, b->err, b->aux[0], b->aux[1], b->aux[2]);
	}
	ck_assert_int_eq(h->n, r->n);
	ck_assert_int_gt(h->n, 10);
	ck_assert_msg(strcmp(h->text, r->text) == 0,
	    "listings differ:\nhost %s\nrump %s", h->text, r->text);
}

/*
 * Run scenario on the host in hostbase/name and in the kernel in
 * /tmp/name, each as the current directory, and compare the logs.
 */
void
run_both(const char *name, scenario_t *scenario)
{

	run_both_in("/tmp", name, scenario);
}

/* the same, in the kernel in rbase/name (a host directory with etfs) */
void
run_both_in(const char *rbase, const char *name, scenario_t *scenario)
{
	static struct run h, r;
	char hdir[PATH_MAX], rdir[PATH_MAX];

	ck_assert_int_eq(fs_boot(), 0);
	ck_assert_int_lt(snprintf(hdir, sizeof(hdir), "%s/%s", hostbase,
	    name), (int)sizeof(hdir));
	ck_assert_int_lt(snprintf(rdir, sizeof(rdir), "%s/%s", rbase, name),
	    (int)sizeof(rdir));
	ck_assert_int_eq(mkdir(hdir, 0755), 0);
	ck_assert_int_eq(rump_sys_mkdir(rdir, 0755), 0);

	memset(&h, 0, sizeof(h));
	h.o = &hostops;
	h.base = hdir;
	h.dirlinks = host_dirlinks(hdir);
	ck_assert_int_eq(chdir(hdir), 0);
	scenario(&h);
	ck_assert_int_eq(chdir("/"), 0);

	memset(&r, 0, sizeof(r));
	r.o = &rumpops;
	r.base = rdir;
	r.dirlinks = h.dirlinks;
	ck_assert_int_eq(rump_sys_chdir(rdir), 0);
	scenario(&r);

	compare_runs(&h, &r);
}

/* open(2) and its flags */
void
sc_open(struct run *run)
{
	const struct fsops *o = run->o;
	char buf[64];
	struct stat st;
	int fd;

	CALLFD(run, fd, o->open("f", O_RDWR | O_CREAT, 0644));
	CALL(run, o->write(fd, "hello", 5));
	CALL(run, o->close(fd));
	CALLFD(run, fd, o->open("f", O_RDWR | O_CREAT | O_EXCL, 0644));
	CALLFD(run, fd, o->open("f", O_RDONLY | O_CREAT, 0644));
	CALL(run, o->read(fd, buf, sizeof(buf)));
	CALL(run, o->write(fd, "x", 1));
	CALL(run, o->close(fd));
	CALLFD(run, fd, o->open("f", O_WRONLY | O_APPEND));
	CALL(run, o->lseek(fd, 0, SEEK_SET));
	CALL(run, o->write(fd, " world", 6));
	CALL(run, o->lseek(fd, 0, SEEK_CUR));
	CALL(run, o->pwrite(fd, "!", 1, 0));	/* appends, as Linux */
	CALL(run, o->read(fd, buf, 1));
	CALL(run, o->close(fd));
	CONTENTS(run, "f");
	CALLFD(run, fd, o->open("f", O_RDONLY | O_TRUNC));
	CALLST(run, o->fstat(fd, &st), st);
	CALL(run, o->close(fd));
	CALLFD(run, fd, o->open("g", O_WRONLY | O_CREAT | O_EXCL, 0600));
	CALL(run, o->close(fd));
	CALLFD(run, fd, o->open("nonexistent", O_RDONLY));
	CALLFD(run, fd, o->open("", O_RDONLY));
	CALLFD(run, fd, o->open("f/", O_RDONLY));
	CALLFD(run, fd, o->open("f/x", O_RDONLY));
	CALLFD(run, fd, o->open("f/x", O_RDONLY | O_CREAT, 0644));
	CALLFD(run, fd, o->open("f", O_RDONLY | O_DIRECTORY));
	CALLFD(run, fd, o->open("new", O_RDONLY | O_CREAT | O_DIRECTORY, 0644));
	CALLFD(run, fd, o->open("new/", O_RDWR | O_CREAT, 0644));
	CALLFD(run, fd, o->open("nodir/new", O_RDWR | O_CREAT, 0644));
	CALL(run, o->mkdir("d", 0755));
	CALLFD(run, fd, o->open("d", O_RDWR));
	CALLFD(run, fd, o->open("d", O_WRONLY));
	CALLFD(run, fd, o->open("d", O_RDONLY | O_TRUNC));
	CALLFD(run, fd, o->open("d", O_RDONLY | O_CREAT, 0644));
	CALLFD(run, fd, o->open("d", O_RDONLY | O_CREAT | O_EXCL, 0644));
	CALLFD(run, fd, o->open(".", O_RDONLY | O_CREAT, 0644));
	CALLFD(run, fd, o->open("d/", O_RDONLY | O_CREAT, 0644));
	CALLFD(run, fd, o->open("d/", O_RDONLY | O_NOFOLLOW | O_NONBLOCK));
	CALL(run, o->read(fd, buf, sizeof(buf)));
	CALL(run, o->write(fd, buf, 1));
	CALL(run, o->close(fd));
	CALLFD(run, fd, o->open("d/../f", O_RDONLY | O_CLOEXEC));
	CALL(run, o->close(fd));
	CALLFD(run, fd, o->open("d//..//./f", O_RDONLY));
	CALL(run, o->close(fd));
	CALL(run, o->close(fd));
	CALLFD(run, fd, o->open(NULL, O_RDONLY));
	CALL(run, o->unlink("f"));
	CALL(run, o->unlink("g"));
	CALL(run, o->rmdir("d"));
}

/* openat(2) with directory descriptors */
void
sc_openat(struct run *run)
{
	const struct fsops *o = run->o;
	char abs[PATH_MAX];
	int dfd, fd, ffd;

	CALL(run, o->mkdir("d", 0755));
	CALLFD(run, dfd, o->open("d", O_RDONLY | O_DIRECTORY));
	CALLFD(run, fd, o->openat(dfd, "f", O_RDWR | O_CREAT, 0644));
	CALL(run, o->write(fd, "at", 2));
	CALL(run, o->close(fd));
	CALLFD(run, fd, o->openat(AT_FDCWD, "d/f", O_RDONLY));
	CALL(run, o->close(fd));
	CALLFD(run, ffd, o->openat(dfd, "f", O_RDONLY));
	CALLFD(run, fd, o->openat(ffd, "x", O_RDONLY));
	CALLFD(run, fd, o->openat(999, "x", O_RDONLY));
	CALLFD(run, fd, o->openat(-5, "x", O_RDONLY));
	CALLFD(run, fd, o->openat(999, "", O_RDONLY));
	snprintf(abs, sizeof(abs), "%s/d/f", run->base);
	CALLFD(run, fd, o->openat(999, abs, O_RDONLY));	/* ignores dirfd */
	CALL(run, o->close(fd));
	CALLFD(run, fd, o->openat(dfd, "..", O_RDONLY));
	CALL(run, o->close(fd));
	CALL(run, o->close(ffd));
	CALL(run, o->close(dfd));
	CONTENTS(run, "d/f");
	CALL(run, o->unlink("d/f"));
	CALL(run, o->rmdir("d"));
}

/* read, write, pread, pwrite, lseek, holes and EOF */
void
sc_rw(struct run *run)
{
	const struct fsops *o = run->o;
	char buf[9000], pat[9000];
	struct stat st;
	int fd, rfd, wfd;
	size_t i;

	for (i = 0; i < sizeof(pat); i++)
		pat[i] = (char)('a' + i % 26);
	CALLFD(run, fd, o->open("f", O_RDWR | O_CREAT | O_TRUNC, 0644));
	CALL(run, o->write(fd, pat, 5000));
	CALL(run, o->lseek(fd, 0, SEEK_CUR));
	CALL(run, o->lseek(fd, 100, SEEK_SET));
	CALL(run, o->read(fd, buf, 10));
	CALL(run, o->lseek(fd, 0, SEEK_CUR));
	CALL(run, o->lseek(fd, -10, SEEK_END));
	CALL(run, o->read(fd, buf, 100));
	CALL(run, o->read(fd, buf, 100));
	CALL(run, o->lseek(fd, -1, SEEK_SET));
	CALL(run, o->lseek(fd, -6000, SEEK_END));
	CALL(run, o->lseek(fd, -6000, SEEK_CUR));
	CALL(run, o->lseek(fd, 0, 42));
	CALL(run, o->lseek(fd, 9000, SEEK_SET));	/* past EOF */
	CALL(run, o->read(fd, buf, 10));
	CALL(run, o->write(fd, "end", 3));		/* leaves a hole */
	CALLST(run, o->fstat(fd, &st), st);
	CALL(run, o->pread(fd, buf, sizeof(buf), 4990));
	CALL(run, (long)fnv1a(buf, 4013, 0) & 0xffffff);
	CALL(run, o->pread(fd, buf, 10, 100000));
	CALL(run, o->pread(fd, buf, 10, -1));
	CALL(run, o->pwrite(fd, "PW", 2, -1));
	CALL(run, o->pwrite(fd, "PW", 2, 4095));	/* across a page */
	CALL(run, o->pwrite(fd, pat, 0, 123));
	CALL(run, o->lseek(fd, 0, SEEK_CUR));
	CALL(run, o->write(fd, pat, 0));
	CALL(run, o->read(fd, buf, 0));
	CALL(run, o->close(fd));
	CALL(run, o->read(fd, buf, 1));
	CALL(run, o->write(fd, buf, 1));
	CALL(run, o->lseek(fd, 0, SEEK_SET));
	CALL(run, o->pread(fd, buf, 1, 0));
	CONTENTS(run, "f");
	CALLFD(run, rfd, o->open("f", O_RDONLY));
	CALLFD(run, wfd, o->open("f", O_WRONLY));
	CALL(run, o->write(rfd, "x", 1));
	CALL(run, o->read(wfd, buf, 1));
	CALL(run, o->pread(wfd, buf, 1, 0));
	CALL(run, o->pwrite(rfd, "x", 1, 0));
	CALL(run, o->write(wfd, "HEAD", 4));
	CALL(run, o->read(rfd, buf, 6));
	CALL(run, (long)fnv1a(buf, 6, 0) & 0xffffff);
	CALL(run, o->close(rfd));
	CALL(run, o->close(wfd));
	CALLFD(run, fd, o->open("f", O_WRONLY | O_TRUNC));
	CALLST(run, o->fstat(fd, &st), st);
	CALL(run, o->pwrite(fd, "z", 1, 20000));
	CALLST(run, o->fstat(fd, &st), st);
	CALL(run, o->close(fd));
	CONTENTS(run, "f");
	CALL(run, o->unlink("f"));
}

/* mkdir, rmdir, unlink and their errors; nlink of directories */
void
sc_dirs(struct run *run)
{
	const struct fsops *o = run->o;
	struct stat st;
	int fd;

	CALL(run, o->mkdir("a", 0755));
	CALL(run, o->mkdir("a", 0755));
	CALL(run, o->mkdir("a/b", 0755));
	CALL(run, o->mkdir("a/c/", 0755));
	CALL(run, o->mkdir("x/y", 0755));
	CALL(run, o->mkdir(".", 0755));
	CALL(run, o->mkdir("..", 0755));
	CALL(run, o->mkdir("/", 0755));
	CALL(run, o->mkdir("", 0755));
	CALLST(run, o->stat("a", &st), st);
	CALLST(run, o->stat("a/b", &st), st);
	CALLST(run, o->stat("a/", &st), st);
	CALLFD(run, fd, o->open("a/f", O_CREAT | O_WRONLY, 0644));
	CALL(run, o->close(fd));
	CALL(run, o->mkdir("a/f", 0755));
	CALL(run, o->mkdir("a/f/g", 0755));
	CALLST(run, o->stat("a/f", &st), st);
	CALLST(run, o->lstat("a/f", &st), st);
	CALLST(run, o->stat("a/f/", &st), st);
	CALLST(run, o->stat("a/nope", &st), st);
	CALLST(run, o->stat("a/f/nope", &st), st);
	CALLST(run, o->stat("", &st), st);
	CALL(run, o->rmdir("a"));
	CALL(run, o->rmdir("a/f"));
	CALL(run, o->rmdir("a/nope"));
	CALL(run, o->rmdir("a/b/."));
	CALL(run, o->rmdir("a/b/.."));
	CALL(run, o->rmdir("/"));
	CALL(run, o->rmdir("a/f/x"));
	CALL(run, o->unlink("a/b"));
	CALL(run, o->unlink("a/b/"));
	CALL(run, o->unlink("a/f/"));
	CALL(run, o->unlink("a/nope"));
	CALL(run, o->unlink("a/nope/"));
	CALL(run, o->unlink("."));
	CALL(run, o->unlink("a/.."));
	CALL(run, o->unlink("a/f"));
	CALL(run, o->unlink("a/f"));
	CALL(run, o->rmdir("a/b/"));
	CALL(run, o->rmdir("a/b"));
	CALLST(run, o->stat("a", &st), st);
	CALL(run, o->rmdir("a/c"));
	CALLST(run, o->stat("a", &st), st);
	CALLST(run, o->stat(".", &st), st);
	CALL(run, o->rmdir("a"));
	CALLST(run, o->stat(".", &st), st);
	CALLST(run, o->stat("a", &st), st);
}

/* names too long: components over NAME_MAX, paths over PATH_MAX */
void
sc_names(struct run *run)
{
	const struct fsops *o = run->o;
	char path[PATH_MAX + 100];
	struct stat st;
	size_t i;
	int fd;

	memset(path, 'n', NAME_MAX);
	path[NAME_MAX] = '\0';
	CALLFD(run, fd, o->open(path, O_CREAT | O_RDWR, 0644));
	CALL(run, o->close(fd));
	CALLST(run, o->stat(path, &st), st);
	CALL(run, o->unlink(path));
	memset(path, 'n', NAME_MAX + 1);
	path[NAME_MAX + 1] = '\0';
	CALLFD(run, fd, o->open(path, O_CREAT | O_RDWR, 0644));
	CALLST(run, o->stat(path, &st), st);
	CALL(run, o->mkdir(path, 0755));
	CALL(run, o->rmdir(path));
	CALL(run, o->unlink(path));
	CALL(run, o->chdir(path));
	memmove(path + 5, path, NAME_MAX + 2);	/* absent directory first */
	memcpy(path, "nope/", 5);
	CALLST(run, o->stat(path, &st), st);

	CALLFD(run, fd, o->open("f", O_CREAT | O_RDWR, 0644));
	CALL(run, o->close(fd));
	/* "./" repeated and "f": 4095 bytes fits PATH_MAX with its NUL */
	for (i = 0; i < 2047; i++)
		memcpy(path + 2 * i, "./", 2);
	strcpy(path + 2 * 2047, "f");
	CALLST(run, o->stat(path, &st), st);
	strcpy(path + 2 * 2047, "ff");
	CALLST(run, o->stat(path, &st), st);
	memset(path, 'x', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	CALLFD(run, fd, o->open(path, O_RDONLY));
	CALL(run, o->mkdir(path, 0755));
	CALL(run, o->unlink("f"));
}

/* getdents64: listings, small buffers, EINVAL, ENOTDIR, EBADF */
void
sc_getdents(struct run *run)
{
	const struct fsops *o = run->o;
	char name[64], buf[512];
	int fd, i;

	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "file-%d-%.*s", i, i, "abcdefghij"
		    "klmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz");
		CALLFD(run, fd, o->open(name, O_CREAT | O_WRONLY, 0644));
		CALL(run, o->close(fd));
		if (i % 5 == 0) {
			snprintf(name, sizeof(name), "dir%d", i);
			CALL(run, o->mkdir(name, 0755));
		}
	}
	CALL(run, o->unlink("file-3-abc"));
	log_listing(run, ".", 4096);
	log_listing(run, ".", 100);
	log_listing(run, "dir5", 4096);
	CALLFD(run, fd, o->open(".", O_RDONLY | O_DIRECTORY));
	CALL(run, o->getdents64(fd, buf, 10));
	CALL(run, o->getdents64(fd, buf, 0));
	CALL(run, o->close(fd));
	CALL(run, o->getdents64(fd, buf, sizeof(buf)));
	CALLFD(run, fd, o->open("file-1-a", O_RDONLY));
	CALL(run, o->getdents64(fd, buf, sizeof(buf)));
	CALL(run, o->close(fd));
}

/* chdir and getcwd, compared below each side's base directory */
void
sc_cwd(struct run *run)
{
	const struct fsops *o = run->o;
	size_t blen = strlen(run->base);
	char buf[PATH_MAX];
	int fd, len;

	CALL(run, o->mkdir("a", 0755));
	CALL(run, o->mkdir("a/bb", 0755));
	CALL(run, o->chdir("a/bb"));
	len = o->getcwd(buf, sizeof(buf));
	ck_assert_int_gt(len, (int)blen);
	ck_assert_int_eq(len, (int)strlen(buf) + 1);
	rec_add(run, __LINE__, "getcwd", len - (long)blen, 0, 0, 0, 0);
	text_add(run, buf + blen);
	CALL(run, o->getcwd(buf, blen + 3));
	CALL(run, o->getcwd(buf, 0));
	CALL(run, o->getcwd(NULL, 0));
	CALL(run, o->chdir("nope"));
	CALL(run, o->chdir(""));
	CALLFD(run, fd, o->open("file", O_CREAT | O_RDWR, 0644));
	CALL(run, o->close(fd));
	CALL(run, o->chdir("file"));
	CALL(run, o->chdir("file/"));
	CALL(run, o->chdir("../.."));
	len = o->getcwd(buf, sizeof(buf));
	rec_add(run, __LINE__, "getcwd", len - (long)blen, 0, 0, 0, 0);
	text_add(run, buf + blen);
	CALL(run, o->unlink("a/bb/file"));
	CALL(run, o->rmdir("a/bb"));
	CALL(run, o->rmdir("a"));
}

/*
 * A removed directory stays valid for those who have it as their
 * current directory or open, but is empty and takes no entries.
 */
void
sc_removed(struct run *run)
{
	const struct fsops *o = run->o;
	char buf[512], path[PATH_MAX];
	struct stat st;
	int dfd, fd;

	CALL(run, o->mkdir("gone", 0755));
	CALLFD(run, dfd, o->open("gone", O_RDONLY | O_DIRECTORY));
	CALL(run, o->chdir("gone"));
	snprintf(path, sizeof(path), "%s/gone", run->base);
	CALL(run, o->rmdir(path));
	CALL(run, o->getcwd(buf, sizeof(buf)));
	CALLST(run, o->stat(".", &st), st);
	CALLST(run, o->fstat(dfd, &st), st);
	CALLST(run, o->stat("..", &st), st);
	CALLFD(run, fd, o->open("new", O_CREAT | O_RDWR, 0644));
	CALL(run, o->mkdir("newdir", 0755));
	CALLST(run, o->stat("x", &st), st);
	CALL(run, o->getdents64(dfd, buf, sizeof(buf)));
	CALLFD(run, fd, o->openat(dfd, "new", O_CREAT | O_RDWR, 0644));
	CALL(run, o->close(dfd));
	CALL(run, o->chdir(run->base));
	CALLST(run, o->stat("gone", &st), st);
}

/* an unlinked file stays usable through its descriptors */
void
sc_unlinked(struct run *run)
{
	const struct fsops *o = run->o;
	char buf[64];
	struct stat st;
	int fd, fd2;

	CALLFD(run, fd, o->open("tmp", O_CREAT | O_RDWR, 0600));
	CALLFD(run, fd2, o->open("tmp", O_RDONLY));
	CALL(run, o->write(fd, "still here", 10));
	CALL(run, o->unlink("tmp"));
	CALLST(run, o->stat("tmp", &st), st);
	CALLST(run, o->fstat(fd, &st), st);
	CALL(run, o->write(fd, " and more", 9));
	CALL(run, o->read(fd2, buf, sizeof(buf)));
	CALL(run, (long)fnv1a(buf, 19, 0) & 0xffffff);
	CALL(run, o->close(fd));
	CALL(run, o->pread(fd2, buf, 5, 6));
	CALL(run, o->close(fd2));
	CALLFD(run, fd, o->open("tmp", O_RDONLY));
}


/* log a readlink: its length and a hash of what it returned */
#define CALLRL(run, expr, buf) do {					\
	long r_;							\
	errno = 0;							\
	memset((buf), 0, sizeof(buf));					\
	r_ = (long)(expr);						\
	rec_add(run, __LINE__, #expr, r_, errno, r_ > 0 ?		\
	    (long)(fnv1a((buf), (size_t)r_, 0) & 0xffffff) : 0, 0, 0);	\
} while (0)

/* log the permission bits and owner after a call */
#define CALLMODE(run, path) do {					\
	struct stat st_;						\
	long r_;							\
	errno = 0;							\
	memset(&st_, 0, sizeof(st_));					\
	r_ = (long)run->o->lstat((path), &st_);				\
	rec_add(run, __LINE__, path, r_, errno, (long)st_.st_mode,	\
	    (long)st_.st_uid, (long)st_.st_gid);			\
} while (0)

/* symbolic links: lookup through them, their own calls, ELOOP */
void
sc_symlinks(struct run *run)
{
	const struct fsops *o = run->o;
	char buf[PATH_MAX + 100], name[32], target[32];
	struct stat st;
	int fd, i;

	CALL(run, o->mkdir("d", 0755));
	CALLFD(run, fd, o->open("d/f", O_CREAT | O_RDWR, 0644));
	CALL(run, o->write(fd, "target", 6));
	CALL(run, o->close(fd));
	CALL(run, o->symlink("d/f", "lf"));
	CALL(run, o->symlink("d", "ld"));
	CALL(run, o->symlink("nowhere", "dangling"));
	CALL(run, o->symlink("../d/f", "d/up"));
	CALL(run, o->symlink("x", "lf"));
	CALL(run, o->symlink("", "empty"));
	CALL(run, o->symlink("x", "nodir/l"));
	CALL(run, o->symlink("x", "newl/"));
	snprintf(buf, sizeof(buf), "%s/d/f", run->base);
	CALL(run, o->symlink(buf, "abs"));
	CONTENTS(run, "lf");
	CONTENTS(run, "ld/f");
	CONTENTS(run, "d/up");
	CONTENTS(run, "abs");
	CONTENTS(run, "ld/../ld/up");
	CALLST(run, o->stat("lf", &st), st);
	CALLST(run, o->lstat("lf", &st), st);
	CALLST(run, o->lstat("ld", &st), st);
	CALLST(run, o->lstat("ld/", &st), st);
	CALLST(run, o->stat("dangling", &st), st);
	CALLST(run, o->lstat("dangling", &st), st);
	CALLST(run, o->lstat("lf/", &st), st);
	CALLRL(run, o->readlink("lf", buf, sizeof(buf)), buf);
	CALLRL(run, o->readlink("lf", buf, 2), buf);
	CALLRL(run, o->readlink("lf", buf, 0), buf);
	CALLRL(run, o->readlink("d/f", buf, sizeof(buf)), buf);
	CALLRL(run, o->readlink("ld/", buf, sizeof(buf)), buf);
	CALLRL(run, o->readlink("nope", buf, sizeof(buf)), buf);
	CALLRL(run, o->readlink("", buf, sizeof(buf)), buf);
	CALLRL(run, o->readlinkat(AT_FDCWD, "", buf, sizeof(buf)), buf);
	CALLFD(run, fd, o->open("lf", O_RDONLY | O_NOFOLLOW));
	CALLFD(run, fd, o->open("ld/", O_RDONLY | O_NOFOLLOW));
	CALL(run, o->close(fd));
	CALLFD(run, fd, o->open("ld", O_RDONLY | O_DIRECTORY));
	CALL(run, o->close(fd));
	CALLFD(run, fd, o->open("lf", O_RDONLY | O_CREAT | O_EXCL, 0644));
	CALLFD(run, fd, o->open("dangling", O_RDONLY | O_CREAT | O_EXCL,
	    0644));
	CALLFD(run, fd, o->open("dangling", O_WRONLY | O_CREAT, 0644));
	CALL(run, o->write(fd, "made", 4));
	CALL(run, o->close(fd));
	CONTENTS(run, "nowhere");
	CALLFD(run, fd, o->open("lf", O_PATH | O_NOFOLLOW));
	CALLRL(run, o->readlinkat(fd, "", buf, sizeof(buf)), buf);
	CALL(run, o->read(fd, buf, 1));
	CALL(run, o->close(fd));
	CALLFD(run, fd, o->open("d", O_PATH));
	CALLRL(run, o->readlinkat(fd, "", buf, sizeof(buf)), buf);
	CALL(run, o->close(fd));
	/* loops and chains */
	CALL(run, o->symlink("loop2", "loop1"));
	CALL(run, o->symlink("loop1", "loop2"));
	CALLST(run, o->stat("loop1", &st), st);
	CALLST(run, o->lstat("loop1", &st), st);
	CALLFD(run, fd, o->open("loop1/x", O_RDONLY));
	CALLFD(run, fd, o->open("loop1", O_RDWR | O_CREAT, 0644));
	CALL(run, o->symlink("d/f", "c0"));
	for (i = 1; i <= 41; i++) {
		snprintf(name, sizeof(name), "c%d", i);
		snprintf(target, sizeof(target), "c%d", i - 1);
		CALL(run, o->symlink(target, name));
	}
	CALLST(run, o->stat("c39", &st), st);
	CALLST(run, o->stat("c40", &st), st);
	CALLST(run, o->stat("c41", &st), st);
	/* links in the middle, unlink and rmdir of links */
	CALL(run, o->mkdir("ld/sub", 0755));
	CALLST(run, o->stat("d/sub", &st), st);
	CALL(run, o->rmdir("ld/sub"));
	CALL(run, o->rmdir("ld"));
	CALL(run, o->rmdir("ld/"));
	CALL(run, o->unlink("ld/"));
	CALL(run, o->mkdir("dangling", 0755));
	CALL(run, o->mkdir("ld/", 0755));
	CALL(run, o->chdir("ld"));
	CALL(run, o->chdir(".."));
	/* a link whose target makes the path too long */
	memset(buf, 'a', 3000);
	buf[3000] = '\0';
	for (i = 100; i < 3000; i += 100)
		buf[i] = '/';
	CALL(run, o->symlink(buf, "long"));
	memset(buf, 'b', 2000);
	memcpy(buf, "long/", 5);
	buf[2000] = '\0';
	for (i = 100; i < 2000; i += 100)
		buf[i] = '/';
	CALLST(run, o->stat(buf, &st), st);
	memset(buf, 'c', PATH_MAX);
	buf[PATH_MAX] = '\0';
	CALL(run, o->symlink(buf, "toolong"));
	CALL(run, o->unlink("ld"));
	CALL(run, o->unlink("lf"));
	CALLST(run, o->stat("d/f", &st), st);
	log_listing(run, ".", 4096);
}

/* hard links: nlink, EEXIST, EPERM for directories, linkat flags */
void
sc_links(struct run *run)
{
	const struct fsops *o = run->o;
	struct stat st;
	int fd, dfd;

	CALLFD(run, fd, o->open("f", O_CREAT | O_RDWR, 0644));
	CALL(run, o->write(fd, "shared", 6));
	CALL(run, o->link("f", "g"));
	CALLST(run, o->fstat(fd, &st), st);
	CALL(run, o->link("f", "g"));
	CALL(run, o->link("nope", "h"));
	CALL(run, o->link("f", "nodir/h"));
	CALL(run, o->link("f", "h/"));
	CALL(run, o->link("f/", "h"));
	CALL(run, o->mkdir("d", 0755));
	CALL(run, o->link("d", "dd"));
	CALL(run, o->link("f", "d/f"));
	CALL(run, o->link("f", "."));
	CALLST(run, o->stat("d/f", &st), st);
	CALL(run, o->unlink("f"));
	CALLST(run, o->stat("g", &st), st);
	CONTENTS(run, "d/f");
	CALL(run, o->symlink("g", "sl"));
	CALL(run, o->link("sl", "hl"));
	CALLST(run, o->lstat("hl", &st), st);
	CALL(run, o->linkat(AT_FDCWD, "sl", AT_FDCWD, "hf", AT_SYMLINK_FOLLOW));
	CALLST(run, o->lstat("hf", &st), st);
	CALL(run, o->linkat(AT_FDCWD, "sl", AT_FDCWD, "hx", 0x10000));
	CALLFD(run, dfd, o->open("d", O_RDONLY | O_DIRECTORY));
	CALL(run, o->linkat(dfd, "f", dfd, "f2", 0));
	CALL(run, o->linkat(fd, "", AT_FDCWD, "fromfd", AT_EMPTY_PATH));
	CALLST(run, o->fstat(fd, &st), st);
	CALL(run, o->close(fd));
	CALL(run, o->close(dfd));
	log_listing(run, ".", 4096);
	log_listing(run, "d", 4096);
}

/* rename and renameat2: replacing, across directories, the errors */
void
sc_rename(struct run *run)
{
	const struct fsops *o = run->o;
	struct stat st;
	int fd, dfd;

	CALL(run, o->mkdir("a", 0755));
	CALL(run, o->mkdir("a/sub", 0755));
	CALL(run, o->mkdir("b", 0755));
	CALL(run, o->mkdir("full", 0755));
	CALL(run, o->mkdir("full/x", 0755));
	CALLFD(run, fd, o->open("f", O_CREAT | O_RDWR, 0644));
	CALL(run, o->write(fd, "one", 3));
	CALL(run, o->close(fd));
	CALLFD(run, fd, o->open("g", O_CREAT | O_RDWR, 0644));
	CALL(run, o->write(fd, "two!", 4));
	CALL(run, o->close(fd));
	CALL(run, o->rename("f", "f2"));
	CALL(run, o->rename("f", "f3"));
	CALL(run, o->rename("f2", "g"));
	CONTENTS(run, "g");
	CALL(run, o->rename("g", "a/g"));
	CALL(run, o->rename("a/g", "a/g"));
	CALL(run, o->link("a/g", "hard"));
	CALL(run, o->rename("a/g", "hard"));
	CALLST(run, o->stat("hard", &st), st);
	CALL(run, o->rename("a/g", "a"));
	CALL(run, o->rename("a", "hard"));
	CALL(run, o->rename("a", "full"));
	CALL(run, o->rename("a", "a/sub/x"));
	CALL(run, o->rename("a", "a/x"));
	CALL(run, o->rename("a/sub", "b/sub"));
	CALLST(run, o->stat("a", &st), st);
	CALLST(run, o->stat("b", &st), st);
	CALL(run, o->rename("b/sub", "b/sub/.."));
	CALL(run, o->rename(".", "x"));
	CALL(run, o->rename("a", "."));
	CALL(run, o->rename("a/..", "x"));
	CALL(run, o->rename("hard/", "x"));
	CALL(run, o->rename("hard", "x/"));
	CALL(run, o->rename("a/", "c/"));
	CALLST(run, o->stat("c", &st), st);
	CALL(run, o->rename("c", "b/sub"));
	CALL(run, o->rename("full/x", "c"));
	CALL(run, o->rename("b", "full/x/y"));
	CALL(run, o->rename("full/x", "full"));
	CALL(run, o->rename("nodir/x", "y"));
	CALL(run, o->rename("hard", "nodir/y"));
	CALL(run, o->rename("", "y"));
	/* renameat2 */
	CALLFD(run, fd, o->open("p", O_CREAT | O_RDWR, 0644));
	CALL(run, o->write(fd, "P", 1));
	CALL(run, o->close(fd));
	CALL(run, o->renameat2(AT_FDCWD, "p", AT_FDCWD, "hard",
	    RENAME_NOREPLACE));
	CALL(run, o->renameat2(AT_FDCWD, "p", AT_FDCWD, "q",
	    RENAME_NOREPLACE));
	CALL(run, o->renameat2(AT_FDCWD, "q", AT_FDCWD, "hard",
	    RENAME_EXCHANGE));
	CONTENTS(run, "q");
	CONTENTS(run, "hard");
	CALL(run, o->renameat2(AT_FDCWD, "q", AT_FDCWD, "none",
	    RENAME_EXCHANGE));
	CALL(run, o->renameat2(AT_FDCWD, "q", AT_FDCWD, "c",
	    RENAME_EXCHANGE));
	CALLST(run, o->stat("q", &st), st);
	CALLST(run, o->stat("c", &st), st);
	CALL(run, o->renameat2(AT_FDCWD, "q", AT_FDCWD, "c",
	    RENAME_EXCHANGE | RENAME_NOREPLACE));
	CALL(run, o->renameat2(AT_FDCWD, "q", AT_FDCWD, "c", 0x100));
	CALL(run, o->renameat2(AT_FDCWD, "q", AT_FDCWD, "full",
	    RENAME_EXCHANGE));
	CALL(run, o->renameat2(AT_FDCWD, "full", AT_FDCWD, "full/x",
	    RENAME_EXCHANGE));
	CALLFD(run, dfd, o->open("full", O_RDONLY | O_DIRECTORY));
	CALL(run, o->renameat(dfd, "x", AT_FDCWD, "xx"));
	CALL(run, o->renameat(AT_FDCWD, "xx", dfd, "back"));
	CALL(run, o->close(dfd));
	log_listing(run, ".", 4096);
	log_listing(run, "full", 4096);
}

/* the *at calls with directory descriptors, unlinkat, mknod */
void
sc_at(struct run *run)
{
	const struct fsops *o = run->o;
	struct stat st;
	int dfd, fd;

	CALL(run, o->mkdir("d", 0755));
	CALLFD(run, dfd, o->open("d", O_RDONLY | O_DIRECTORY));
	CALL(run, o->mkdirat(dfd, "sub", 0700));
	CALL(run, o->mkdirat(dfd, "sub", 0700));
	CALL(run, o->mkdirat(999, "x", 0700));
	CALLST(run, o->fstatat(dfd, "sub", &st, 0), st);
	CALL(run, o->mknodat(dfd, "reg", S_IFREG | 0600, 0));
	CALL(run, o->mknod("plain", 0644, 0));
	CALLST(run, o->stat("plain", &st), st);
	CALL(run, o->mknod("dir", S_IFDIR | 0755, 0));
	CALL(run, o->mknod("bad", 0170000 | 0644, 0));
	CALL(run, o->mknod("plain", S_IFREG | 0644, 0));
	CALL(run, o->mknod("chr", S_IFCHR | 0644, makedev(1, 3)));
	CALLST(run, o->stat("chr", &st), st);
	CALLFD(run, fd, o->open("chr", O_WRONLY));
	CALL(run, o->write(fd, "x", 1));
	CALL(run, o->close(fd));
	CALL(run, o->symlinkat("reg", dfd, "sl"));
	CALLST(run, o->fstatat(dfd, "sl", &st, 0), st);
	CALLST(run, o->fstatat(dfd, "sl", &st, AT_SYMLINK_NOFOLLOW), st);
	CALLST(run, o->fstatat(dfd, "", &st, 0), st);
	CALLST(run, o->fstatat(dfd, "", &st, AT_EMPTY_PATH), st);
	CALLST(run, o->fstatat(dfd, "sl", &st, 0x4000000), st);
	CALL(run, o->unlinkat(dfd, "sub", 0));
	CALL(run, o->unlinkat(dfd, "reg", AT_REMOVEDIR));
	CALL(run, o->unlinkat(dfd, "reg", 0x1));
	CALL(run, o->unlinkat(dfd, "sub", AT_REMOVEDIR));
	CALL(run, o->unlinkat(dfd, "reg", 0));
	CALL(run, o->unlinkat(dfd, "sl", 0));
	CALL(run, o->fchdir(dfd));
	CALLFD(run, fd, o->open("here", O_CREAT | O_RDWR, 0644));
	CALL(run, o->close(fd));
	CALL(run, o->chdir(".."));
	CALLST(run, o->stat("d/here", &st), st);
	CALLFD(run, fd, o->open("d/here", O_RDONLY));
	CALL(run, o->fchdir(fd));
	CALL(run, o->fchdir(999));
	CALL(run, o->close(fd));
	CALL(run, o->close(dfd));
	CALL(run, o->unlinkat(AT_FDCWD, "d/here", 0));
	CALL(run, o->unlinkat(AT_FDCWD, "d", AT_REMOVEDIR));
	log_listing(run, ".", 4096);
}

/* chmod, chown, umask, access, set-id bits */
void
sc_attrs(struct run *run)
{
	const struct fsops *o = run->o;
	int fd;

	CALL(run, o->umask(027));
	CALLFD(run, fd, o->open("f", O_CREAT | O_RDWR, 0777));
	CALLMODE(run, "f");
	CALL(run, o->mkdir("d", 0777));
	CALLMODE(run, "d");
	CALL(run, o->umask(022));
	CALL(run, o->chmod("f", 04755));
	CALLMODE(run, "f");
	CALL(run, o->chown("f", 1234, 5678));
	CALLMODE(run, "f");
	CALL(run, o->chmod("f", 06775));
	CALL(run, o->fchown(fd, (uid_t)-1, (gid_t)-1));
	CALLMODE(run, "f");
	CALL(run, o->fchmod(fd, 02755));
	CALL(run, o->lchown("f", 0, (gid_t)-1));
	CALLMODE(run, "f");
	CALL(run, o->chmod("d", 06777));
	CALL(run, o->chown("d", 42, 43));
	CALLMODE(run, "d");
	CALL(run, o->symlink("f", "l"));
	CALL(run, o->lchown("l", 7, 8));
	CALLMODE(run, "l");
	CALLMODE(run, "f");
	CALL(run, o->fchownat(AT_FDCWD, "l", 9, 9, 0));
	CALLMODE(run, "f");
	CALL(run, o->fchownat(AT_FDCWD, "l", 9, 9, 0x8000));
	CALL(run, o->fchmodat(AT_FDCWD, "l", 0600, 0));
	CALLMODE(run, "f");
	CALL(run, o->chmod("nope", 0600));
	CALL(run, o->chown("f/", 1, 1));
	CALL(run, o->access("f", R_OK | W_OK));
	CALL(run, o->access("f", X_OK));
	CALL(run, o->chmod("f", 0644));
	CALL(run, o->access("f", X_OK));
	CALL(run, o->access("f", F_OK));
	CALL(run, o->access("f", 8));
	CALL(run, o->access("nope", F_OK));
	CALL(run, o->access("d", X_OK));
	CALL(run, o->faccessat(AT_FDCWD, "l", R_OK, AT_EACCESS));
	CALL(run, o->faccessat(AT_FDCWD, "l", R_OK, 0x4000));
	CALL(run, o->close(fd));
	CALL(run, o->fchmod(fd, 0600));
	CALL(run, o->fchown(fd, 1, 1));
	CALL(run, o->unlink("l"));
	CALL(run, o->unlink("f"));
	CALL(run, o->rmdir("d"));
}

/* truncate, ftruncate, fsync, fdatasync, statfs, readv and writev */
void
sc_sizes(struct run *run)
{
	const struct fsops *o = run->o;
	char a[10], b[20], c[5000];
	struct iovec iov[4];
	struct statfs sf;
	struct stat st;
	int fd, rfd;

	memset(c, 'c', sizeof(c));
	CALLFD(run, fd, o->open("f", O_CREAT | O_RDWR, 0644));
	CALL(run, o->write(fd, c, sizeof(c)));
	CALL(run, o->truncate("f", 100));
	CALLST(run, o->fstat(fd, &st), st);
	CALL(run, o->truncate("f", 10000));
	CONTENTS(run, "f");
	CALL(run, o->truncate("f", -1));
	CALL(run, o->truncate(".", 0));
	CALL(run, o->truncate("nope", 0));
	CALL(run, o->ftruncate(fd, 7));
	CALL(run, o->ftruncate(fd, -7));
	CALL(run, o->ftruncate(999, 7));
	CALLST(run, o->fstat(fd, &st), st);
	CALLFD(run, rfd, o->open("f", O_RDONLY));
	CALL(run, o->ftruncate(rfd, 0));
	CALL(run, o->fsync(fd));
	CALL(run, o->fdatasync(rfd));
	CALL(run, o->fsync(999));
	CALL(run, o->statfs("f", &sf));
	CALL(run, o->statfs("nope", &sf));
	CALL(run, o->fstatfs(fd, &sf));
	CALL(run, o->fstatfs(999, &sf));
	/* vectors */
	CALL(run, o->lseek(fd, 0, SEEK_SET));
	iov[0].iov_base = (void *)(uintptr_t)"hello ";
	iov[0].iov_len = 6;
	iov[1].iov_base = (void *)(uintptr_t)"";
	iov[1].iov_len = 0;
	iov[2].iov_base = (void *)(uintptr_t)"vector world";
	iov[2].iov_len = 12;
	CALL(run, o->writev(fd, iov, 3));
	CALL(run, o->pwritev(fd, iov, 1, 100));
	CALL(run, o->writev(fd, iov, -1));
	CALL(run, o->writev(fd, iov, 0));
	CALL(run, o->writev(rfd, iov, 1));
	CALL(run, o->pwritev(fd, iov, 1, -1));
	CALLST(run, o->fstat(fd, &st), st);
	iov[0].iov_base = a;
	iov[0].iov_len = sizeof(a);
	iov[1].iov_base = b;
	iov[1].iov_len = sizeof(b);
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	CALL(run, o->readv(rfd, iov, 2));
	CALL(run, (long)fnv1a(a, sizeof(a), fnv1a(b, sizeof(b), 0)) &
	    0xffffff);
	CALL(run, o->preadv(rfd, iov, 2, 3));
	CALL(run, (long)fnv1a(a, sizeof(a), fnv1a(b, sizeof(b), 0)) &
	    0xffffff);
	CALL(run, o->readv(fd, iov, 2));
	CALL(run, o->readv(999, iov, 2));
	CALL(run, o->close(rfd));
	CALL(run, o->close(fd));
	CONTENTS(run, "f");
	CALL(run, o->unlink("f"));
}


/* log the times a stat-like call gave (explicit times only) */
#define CALLTIMES(run, expr, st) do {					\
	long r_;							\
	errno = 0;							\
	memset(&(st), 0, sizeof(st));					\
	r_ = (long)(expr);						\
	rec_add(run, __LINE__, #expr, r_, errno,			\
	    (long)(st).st_atim.tv_sec * 1000 + (st).st_atim.tv_nsec,	\
	    (long)(st).st_mtim.tv_sec * 1000 + (st).st_mtim.tv_nsec, 0); \
} while (0)

/* log what statx gave that the two sides share */
#define CALLSTX(run, expr, sx) do {					\
	long r_;							\
	errno = 0;							\
	memset(&(sx), 0, sizeof(sx));					\
	r_ = (long)(expr);						\
	rec_add(run, __LINE__, #expr, r_, errno,			\
	    (long)(sx).stx_mode | (long)((sx).stx_mask &		\
	    STATX_BASIC_STATS) << 16, S_ISREG((sx).stx_mode) ?		\
	    (long)(sx).stx_size : 0, S_ISDIR((sx).stx_mode) &&		\
	    !(run)->dirlinks ? 0 : (long)(sx).stx_nlink);		\
} while (0)

static void
settimes(struct timespec *ts, long asec, long ansec, long msec, long mnsec)
{

	ts[0].tv_sec = asec;
	ts[0].tv_nsec = ansec;
	ts[1].tv_sec = msec;
	ts[1].tv_nsec = mnsec;
}

/* utimensat, futimens and statx */
void
sc_times(struct run *run)
{
	const struct fsops *o = run->o;
	struct timespec ts[2];
	struct statx sx;
	struct stat st;
	int fd, dfd;

	CALLFD(run, fd, o->open("f", O_CREAT | O_RDWR, 0644));
	CALL(run, o->write(fd, "12345", 5));
	settimes(ts, 100, 1, 200, 2);
	CALL(run, o->utimensat(AT_FDCWD, "f", ts, 0));
	CALLTIMES(run, o->stat("f", &st), st);
	settimes(ts, 300, UTIME_OMIT, 400, 4);
	CALL(run, o->utimensat(AT_FDCWD, "f", ts, 0));
	CALLTIMES(run, o->stat("f", &st), st);
	settimes(ts, 500, 5, 600, UTIME_OMIT);
	CALL(run, o->futimens(fd, ts));
	CALLTIMES(run, o->fstat(fd, &st), st);
	/* (a NULL path, the system call's futimens, glibc refuses) */
	settimes(ts, 1, 1000000000, 2, 0);
	CALL(run, o->utimensat(AT_FDCWD, "f", ts, 0));
	settimes(ts, 1, UTIME_OMIT, 2, UTIME_OMIT);
	CALL(run, o->utimensat(AT_FDCWD, "nope", ts, 0));
	CALL(run, o->utimensat(AT_FDCWD, "nope", NULL, 0));
	CALL(run, o->utimensat(AT_FDCWD, "f", NULL, 0x2));
	CALL(run, o->futimens(999, NULL));
	CALL(run, o->symlink("f", "l"));
	settimes(ts, 900, 9, 1000, 10);
	CALL(run, o->utimensat(AT_FDCWD, "l", ts, AT_SYMLINK_NOFOLLOW));
	CALLTIMES(run, o->lstat("l", &st), st);
	CALLTIMES(run, o->stat("l", &st), st);
	CALL(run, o->mkdir("d", 0755));
	CALLFD(run, dfd, o->open("d", O_RDONLY | O_DIRECTORY));
	settimes(ts, 11, 0, 12, 0);
	CALL(run, o->utimensat(dfd, "", ts, AT_EMPTY_PATH));
	CALLTIMES(run, o->stat("d", &st), st);
	/* statx */
	CALLSTX(run, o->statx(AT_FDCWD, "f", 0, STATX_BASIC_STATS, &sx), sx);
	CALLSTX(run, o->statx(AT_FDCWD, "l", AT_SYMLINK_NOFOLLOW,
	    STATX_BASIC_STATS, &sx), sx);
	CALLSTX(run, o->statx(AT_FDCWD, "l", 0, STATX_BASIC_STATS, &sx), sx);
	CALLSTX(run, o->statx(dfd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &sx),
	    sx);
	CALLSTX(run, o->statx(dfd, "", 0, STATX_BASIC_STATS, &sx), sx);
	CALLSTX(run, o->statx(AT_FDCWD, "nope", 0, STATX_BASIC_STATS, &sx),
	    sx);
	CALLSTX(run, o->statx(AT_FDCWD, "f/", 0, STATX_BASIC_STATS, &sx), sx);
	CALLSTX(run, o->statx(AT_FDCWD, "f", 0, STATX__RESERVED, &sx), sx);
	CALLSTX(run, o->statx(AT_FDCWD, "f", AT_STATX_FORCE_SYNC |
	    AT_STATX_DONT_SYNC, STATX_BASIC_STATS, &sx), sx);
	CALL(run, o->close(dfd));
	CALL(run, o->close(fd));
}

/*
 * Permissions as a user (effective ids 1000:1000, real ids root's):
 * what root made and what the user may do with it, the sticky bit,
 * protected hard links, set-id bits cleared by writes and chmod.
 */
void
sc_perms(struct run *run)
{
	const struct fsops *o = run->o;
	struct timespec ts[2] = { { 1, 0 }, { 2, 0 } };
	char buf[16];
	int fd;

	CALL(run, o->mkdir("priv", 0700));
	CALLFD(run, fd, o->open("priv/f", O_CREAT | O_RDWR, 0600));
	CALL(run, o->close(fd));
	CALL(run, o->mkdir("pub", 0777));
	CALL(run, o->chmod("pub", 0777));
	CALL(run, o->mkdir("sticky", 0777));
	CALL(run, o->chmod("sticky", 01777));
	CALLFD(run, fd, o->open("ro", O_CREAT | O_RDWR, 0644));
	CALL(run, o->close(fd));
	CALLFD(run, fd, o->open("pub/rootf", O_CREAT | O_RDWR, 0644));
	CALL(run, o->close(fd));
	CALLFD(run, fd, o->open("sticky/rootf", O_CREAT | O_RDWR, 0666));
	CALL(run, o->fchmod(fd, 0666));
	CALL(run, o->close(fd));
	CALLFD(run, fd, o->open("pub/suid", O_CREAT | O_RDWR, 0777));
	CALL(run, o->fchmod(fd, 06777));
	CALL(run, o->close(fd));
	CALL(run, o->symlink("priv/f", "lpriv"));

	CALL(run, o->seteids(1000, 1000));
	CALLFD(run, fd, o->open("priv/f", O_RDONLY));
	CALLFD(run, fd, o->open("lpriv", O_RDONLY));
	CALLFD(run, fd, o->open("priv", O_RDONLY));
	CALL(run, o->chdir("priv"));
	CALL(run, o->mkdir("priv/x", 0755));
	CALL(run, o->symlink("x", "priv/l"));
	CALL(run, o->access("priv/f", R_OK));	/* the real ids: root */
	CALL(run, o->faccessat(AT_FDCWD, "priv/f", R_OK, AT_EACCESS));
	CALLFD(run, fd, o->open("ro", O_WRONLY));
	CALLFD(run, fd, o->open("ro", O_RDONLY | O_TRUNC));
	CALLFD(run, fd, o->open("ro", O_RDONLY));
	CALL(run, o->write(fd, "x", 1));
	CALL(run, o->ftruncate(fd, 0));
	CALL(run, o->fchmod(fd, 0666));
	CALL(run, o->fchown(fd, 1000, 1000));
	CALL(run, o->read(fd, buf, sizeof(buf)));
	CALL(run, o->close(fd));
	CALL(run, o->truncate("ro", 0));
	CALL(run, o->chmod("ro", 0777));
	CALL(run, o->chown("ro", 1000, (gid_t)-1));
	CALL(run, o->chown("ro", (uid_t)-1, 1000));
	CALL(run, o->utimensat(AT_FDCWD, "ro", NULL, 0));
	CALL(run, o->utimensat(AT_FDCWD, "ro", ts, 0));
	CALL(run, o->unlink("ro"));
	CALL(run, o->rename("ro", "ro2"));
	CALL(run, o->link("ro", "pub/ro"));
	CALL(run, o->mknod("pub/node", S_IFCHR | 0600, makedev(1, 3)));
	CALL(run, o->mknod("pub/plain", S_IFREG | 0600, 0));
	/* a world-writable directory */
	CALLFD(run, fd, o->open("pub/mine", O_CREAT | O_RDWR, 0644));
	CALL(run, o->close(fd));
	CALLMODE(run, "pub/mine");
	CALL(run, o->chmod("pub/mine", 02755));
	CALLMODE(run, "pub/mine");
	CALL(run, o->chown("pub/mine", (uid_t)-1, 0));
	CALL(run, o->chown("pub/mine", 1000, 1000));
	CALL(run, o->utimensat(AT_FDCWD, "pub/mine", ts, 0));
	CALL(run, o->rename("pub/mine", "pub/mine2"));
	CALL(run, o->unlink("pub/rootf"));
	CALL(run, o->link("pub/suid", "pub/hl"));
	CALLFD(run, fd, o->open("pub/suid", O_WRONLY));
	CALL(run, o->write(fd, "x", 1));
	CALL(run, o->close(fd));
	CALLMODE(run, "pub/suid");
	/* the sticky directory */
	CALL(run, o->unlink("sticky/rootf"));
	CALL(run, o->rename("sticky/rootf", "sticky/x"));
	CALLFD(run, fd, o->open("sticky/rootf", O_WRONLY));
	CALL(run, o->close(fd));
	CALLFD(run, fd, o->open("sticky/mine", O_CREAT | O_RDWR, 0600));
	CALL(run, o->close(fd));
	CALL(run, o->rename("sticky/mine", "sticky/rootf"));
	CALL(run, o->seteids(0, 0));

	CALLMODE(run, "pub/mine2");
	CALL(run, o->unlink("priv/f"));
	log_listing(run, "pub", 4096);
	log_listing(run, "sticky", 4096);
}
