/*
 * test_vfs.c -- the VFS, memfs, devices and the file system calls,
 * in-process through librump.
 *
 * The main tests run the scenarios of fs_scen.c twice: on the host's
 * system calls in a fresh directory under a mkdtemp one, and on
 * rump_sys_* in a fresh directory of the kernel's /tmp, and compare
 * the logs (test_vfs_remote runs the same ones over the wire).  The
 * host is the oracle for Linux's semantics; the permission scenario
 * runs both sides with effective ids 1000:1000 (seteuid on the host,
 * pid 1's credentials set through kern.h in the kernel).  Tests of what the host cannot
 * show here (permissions as a non-root user, the memory limit,
 * devices, timestamps, memory release) check the kernel alone; the
 * permission test sets a process's credentials directly through
 * kern.h, as there is no setuid call.
 *
 * Each test runs in a child forked by Check and boots its own kernel.
 */
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/magic.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

#include "kern.h"
#include "fs_scen.h"

static int
boot_local(void)
{

	return rump_init();
}

int (*fs_boot)(void) = boot_local;

/* the effective ids of pid 1, which runs calls from unbound threads */
static int
seteids_local(uid_t uid, gid_t gid)
{

	rump_schedule();
	initproc->p_cred.cr_euid = uid;
	initproc->p_cred.cr_egid = gid;
	rump_unschedule();
	return 0;
}

int (*fs_rump_seteids)(uid_t, gid_t) = seteids_local;


SCENARIO(open)
SCENARIO(openat)
SCENARIO(rw)
SCENARIO(dirs)
SCENARIO(names)
SCENARIO(getdents)
SCENARIO(cwd)
SCENARIO(removed)
SCENARIO(unlinked)
SCENARIO(symlinks)
SCENARIO(links)
SCENARIO(rename)
SCENARIO(at)
SCENARIO(attrs)
SCENARIO(sizes)
SCENARIO(times)
SCENARIO(perms)

/*
 * The tests below check the kernel alone.
 */
static void
boot(void)
{

	ck_assert_int_eq(rump_init(), 0);
}

START_TEST(boot_tree)
{
	struct stat st;

	boot();
	ck_assert_int_eq(rump_sys_stat("/", &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_int_eq(st.st_mode & 07777, 0755);
	ck_assert_int_eq(st.st_nlink, 4);	/* ., .., dev, tmp */
	ck_assert_int_eq(st.st_blksize, 4096);
	ck_assert_int_eq(rump_sys_stat("/tmp", &st), 0);
	ck_assert_int_eq(st.st_mode, S_IFDIR | 01777);
	ck_assert_int_eq(rump_sys_stat("/dev", &st), 0);
	ck_assert_int_eq(st.st_mode, S_IFDIR | 0755);
	ck_assert_int_eq(rump_sys_stat("/..", &st), 0);
	ck_assert_int_eq(st.st_nlink, 4);
	ck_assert_int_eq(rump_sys_rmdir("/"), -1);
	ck_assert_int_eq(errno, EBUSY);
	ck_assert_int_eq(rump_sys_rmdir("/tmp"), 0);
	ck_assert_int_eq(rump_sys_stat("/", &st), 0);
	ck_assert_int_eq(st.st_nlink, 3);
}
END_TEST

START_TEST(devices)
{
	char buf[10000];
	struct stat st, st2;
	size_t i;
	int fd;

	boot();
	ck_assert_int_eq(rump_sys_stat("/dev/null", &st), 0);
	ck_assert_int_eq(st.st_mode, S_IFCHR | 0666);
	ck_assert_int_eq(st.st_rdev, makedev(1, 3));
	ck_assert_int_eq(rump_sys_stat("/dev/zero", &st2), 0);
	ck_assert_int_eq(st2.st_mode, S_IFCHR | 0666);
	ck_assert_int_eq(st2.st_rdev, makedev(1, 5));
	ck_assert_int_ne(st.st_ino, st2.st_ino);

	fd = rump_sys_open("/dev/null", O_RDWR);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(rump_sys_write(fd, "abc", 3), 3);
	ck_assert_int_eq(rump_sys_write(fd, buf, sizeof(buf)), sizeof(buf));
	ck_assert_int_eq(rump_sys_read(fd, buf, sizeof(buf)), 0);
	ck_assert_int_eq(rump_sys_lseek(fd, 100, SEEK_SET), 0);
	ck_assert_int_eq(rump_sys_pread(fd, buf, 10, 5), 0);
	ck_assert_int_eq(rump_sys_pwrite(fd, buf, 10, 5), 10);
	ck_assert_int_eq(rump_sys_fstat(fd, &st2), 0);
	ck_assert_int_eq(st2.st_rdev, makedev(1, 3));
	ck_assert_int_eq(rump_sys_getdents64(fd, buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, ENOTDIR);
	ck_assert_int_eq(rump_sys_close(fd), 0);

	fd = rump_sys_open("/dev/zero", O_RDWR | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	memset(buf, 0x55, sizeof(buf));
	ck_assert_int_eq(rump_sys_read(fd, buf, sizeof(buf)), sizeof(buf));
	for (i = 0; i < sizeof(buf); i++)
		ck_assert_int_eq(buf[i], 0);
	ck_assert_int_eq(rump_sys_write(fd, "abc", 3), 3);
	ck_assert_int_eq(rump_sys_lseek(fd, 0, SEEK_CUR), 0);
	ck_assert_int_eq(rump_sys_close(fd), 0);
	ck_assert_int_eq(rump_sys_open("/dev/null", O_RDONLY | O_DIRECTORY),
	    -1);
	ck_assert_int_eq(errno, ENOTDIR);
	ck_assert_int_eq(rump_sys_open("/dev/null/", O_RDONLY), -1);
	ck_assert_int_eq(errno, ENOTDIR);
}
END_TEST

static unsigned char
pattern(size_t i)
{

	return (unsigned char)(i * 31 + i / 4093);
}

/* 3 MiB written in odd-sized pieces reads back equal */
START_TEST(bigfile)
{
	static const size_t wsizes[] = { 1, 4095, 4097, 65537, 12345, 100003,
	    7, 70000 };
	static const size_t rsizes[] = { 7, 65539, 4096, 333333, 1 };
	const size_t total = 3 * 1024 * 1024;
	unsigned char *buf;
	size_t off, n, i, k;
	struct stat st;
	ssize_t got;
	int fd;

	boot();
	buf = malloc(total);
	ck_assert_ptr_nonnull(buf);
	for (i = 0; i < total; i++)
		buf[i] = pattern(i);
	fd = rump_sys_open("/tmp/big", O_RDWR | O_CREAT | O_EXCL, 0644);
	ck_assert_int_ge(fd, 0);
	for (off = 0, k = 0; off < total; off += n, k++) {
		n = wsizes[k % __arraycount(wsizes)];
		if (n > total - off)
			n = total - off;
		ck_assert_int_eq(rump_sys_write(fd, buf + off, n), (ssize_t)n);
	}
	ck_assert_int_eq(rump_sys_fstat(fd, &st), 0);
	ck_assert_int_eq(st.st_size, total);
	ck_assert_int_eq(st.st_blocks, total / 512);
	memset(buf, 0, total);
	ck_assert_int_eq(rump_sys_lseek(fd, 0, SEEK_SET), 0);
	for (off = 0, k = 0; off < total; off += (size_t)got, k++) {
		got = rump_sys_read(fd, buf + off,
		    rsizes[k % __arraycount(rsizes)]);
		ck_assert_int_gt(got, 0);
	}
	ck_assert_int_eq(rump_sys_read(fd, buf, 1), 0);
	for (i = 0; i < total; i++)
		if (buf[i] != pattern(i))
			ck_abort_msg("byte %zu is %d, not %d", i, buf[i],
			    pattern(i));
	/* random preads */
	for (k = 0; k < 200; k++) {
		off = ((size_t)k * 2654435761u) % total;
		got = rump_sys_pread(fd, buf, 9999, (off_t)off);
		ck_assert_int_eq(got, off + 9999 > total ? total - off : 9999);
		for (i = 0; i < (size_t)got; i++)
			ck_assert_int_eq(buf[i], pattern(off + i));
	}
	ck_assert_int_eq(rump_sys_close(fd), 0);
	free(buf);
}
END_TEST

/* holes read as zeros and take no memory; SEEK_DATA and SEEK_HOLE */
START_TEST(holes)
{
	char buf[8192];
	struct stat st;
	size_t i;
	int fd;

	boot();
	fd = rump_sys_open("/tmp/sparse", O_RDWR | O_CREAT, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(rump_sys_pwrite(fd, "x", 1, (off_t)1 << 40), 1);
	ck_assert_int_eq(rump_sys_fstat(fd, &st), 0);
	ck_assert_int_eq(st.st_size, ((off_t)1 << 40) + 1);
	ck_assert_int_eq(st.st_blocks, 8);
	ck_assert_int_eq(rump_sys_pread(fd, buf, sizeof(buf), 12345),
	    sizeof(buf));
	for (i = 0; i < sizeof(buf); i++)
		ck_assert_int_eq(buf[i], 0);
	ck_assert_int_eq(rump_sys_lseek(fd, 0, SEEK_DATA), (off_t)1 << 40);
	ck_assert_int_eq(rump_sys_lseek(fd, 0, SEEK_HOLE), 0);
	ck_assert_int_eq(rump_sys_lseek(fd, (off_t)1 << 40, SEEK_HOLE),
	    ((off_t)1 << 40) + 1);
	ck_assert_int_eq(rump_sys_lseek(fd, ((off_t)1 << 40) + 1, SEEK_DATA),
	    -1);
	ck_assert_int_eq(errno, ENXIO);
	/* as Linux: offset + count may not overflow, the largest size is */
	ck_assert_int_eq(rump_sys_pwrite(fd, "x", 1, INT64_MAX), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(rump_sys_pread(fd, buf, 2, INT64_MAX - 1), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(rump_sys_pwrite(fd, "y", 1, INT64_MAX - 1), 1);
	ck_assert_int_eq(rump_sys_lseek(fd, 0, SEEK_END), INT64_MAX);
	ck_assert_int_eq(rump_sys_lseek(fd, 1, SEEK_CUR), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(rump_sys_read(fd, buf, 1), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(rump_sys_read(fd, buf, 0), 0);
	ck_assert_int_eq(rump_sys_pread(fd, buf, 1, INT64_MAX - 1), 1);
	ck_assert_int_eq(buf[0], 'y');
	ck_assert_int_eq(rump_sys_fstat(fd, &st), 0);
	ck_assert_int_eq(st.st_blocks, 16);
	/* truncation zeroes the tail of the last page */
	ck_assert_int_eq(rump_sys_close(fd), 0);
	fd = rump_sys_open("/tmp/sparse", O_RDWR | O_TRUNC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(rump_sys_fstat(fd, &st), 0);
	ck_assert_int_eq(st.st_size, 0);
	ck_assert_int_eq(st.st_blocks, 0);
	ck_assert_int_eq(rump_sys_close(fd), 0);
}
END_TEST

/* getdents64 positions: d_off resumes a listing through lseek */
START_TEST(getdents_resume)
{
	char buf[4096], name[32], first[64][64];
	struct linux_dirent64 *d;
	off_t offs[64], pos;
	ssize_t n, o;
	int fd, i, cnt;

	boot();
	ck_assert_int_eq(rump_sys_mkdir("/tmp/d", 0755), 0);
	for (i = 0; i < 30; i++) {
		snprintf(name, sizeof(name), "/tmp/d/e%02d", i);
		ck_assert_int_eq(rump_sys_mkdir(name, 0700), 0);
	}
	fd = rump_sys_open("/tmp/d", O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(fd, 0);
	cnt = 0;
	while ((n = rump_sys_getdents64(fd, buf, 64)) > 0) {
		for (o = 0; o < n; o += d->d_reclen) {
			d = (struct linux_dirent64 *)(buf + o);
			ck_assert_int_eq(d->d_reclen % 8, 0);
			ck_assert_int_eq(d->d_type, DT_DIR);
			strlcpy(first[cnt], d->d_name, sizeof(first[0]));
			offs[cnt++] = d->d_off;
		}
	}
	ck_assert_int_eq(cnt, 32);
	ck_assert_str_eq(first[0], ".");
	ck_assert_str_eq(first[1], "..");
	/* resume after entry 10 */
	pos = rump_sys_lseek(fd, offs[10], SEEK_SET);
	ck_assert_int_eq(pos, offs[10]);
	n = rump_sys_getdents64(fd, buf, sizeof(buf));
	d = (struct linux_dirent64 *)buf;
	ck_assert_int_gt(n, 0);
	ck_assert_str_eq(d->d_name, first[11]);
	/* removing entries does not disturb a listing in progress */
	ck_assert_int_eq(rump_sys_lseek(fd, offs[20], SEEK_SET), offs[20]);
	ck_assert_int_eq(rump_sys_rmdir("/tmp/d/e19"), 0);	/* first[21] */
	n = rump_sys_getdents64(fd, buf, sizeof(buf));
	d = (struct linux_dirent64 *)buf;
	ck_assert_str_eq(d->d_name, first[22]);
	ck_assert_int_eq(rump_sys_lseek(fd, 0, SEEK_SET), 0);
	ck_assert_int_eq(rump_sys_lseek(fd, -1, SEEK_SET), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(rump_sys_lseek(fd, 0, SEEK_END), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(rump_sys_close(fd), 0);
}
END_TEST

/* make the current lwp a new process with the given effective ids */
static void
become(uid_t uid, gid_t gid)
{
	struct cred *cr;

	ck_assert_int_eq(rump_pub_lwproc_rfork(RUMP_RFFDG), 0);
	rump_schedule();
	cr = &curproc->p_cred;
	cr->cr_uid = cr->cr_euid = cr->cr_suid = uid;
	cr->cr_gid = cr->cr_egid = cr->cr_sgid = gid;
	rump_unschedule();
	ck_assert_int_eq(rump_sys_geteuid(), uid);
}

#define FAILS(expr, err) do {						\
	errno = 0;							\
	ck_assert_int_eq((long)(expr), -1);				\
	ck_assert_msg(errno == (err), "%s: errno %d, not %d", #expr,	\
	    errno, (err));						\
} while (0)

START_TEST(permissions)
{
	struct lwp *rootl;
	struct stat st;
	int fd;

	boot();
	/* as root: files and directories with restrictive modes */
	ck_assert_int_eq(rump_pub_lwproc_rfork(RUMP_RFCFDG), 0);
	rootl = rump_pub_lwproc_curlwp();
	ck_assert_int_eq(rump_sys_mkdir("/tmp/priv", 0700), 0);
	fd = rump_sys_open("/tmp/priv/secret", O_CREAT | O_RDWR, 0600);
	ck_assert_int_ge(fd, 0);
	rump_sys_close(fd);
	fd = rump_sys_open("/tmp/rootfile", O_CREAT | O_RDWR, 0666);
	ck_assert_int_ge(fd, 0);
	rump_sys_close(fd);
	ck_assert_int_eq(rump_sys_stat("/tmp/rootfile", &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0644);	/* creation mask */
	fd = rump_sys_open("/tmp/nobody", O_CREAT | O_RDWR, 0);
	ck_assert_int_ge(fd, 0);		/* root ignores mode bits */
	rump_sys_close(fd);
	fd = rump_sys_open("/tmp/nobody", O_RDWR);
	ck_assert_int_ge(fd, 0);
	rump_sys_close(fd);

	become(1000, 1000);
	FAILS(rump_sys_open("/tmp/priv/secret", O_RDONLY), EACCES);
	FAILS(rump_sys_stat("/tmp/priv/secret", &st), EACCES);
	FAILS(rump_sys_chdir("/tmp/priv"), EACCES);
	FAILS(rump_sys_open("/tmp/priv", O_RDONLY), EACCES);
	ck_assert_int_eq(rump_sys_stat("/tmp/priv", &st), 0);
	FAILS(rump_sys_open("/tmp/rootfile", O_WRONLY), EACCES);
	FAILS(rump_sys_open("/tmp/rootfile", O_RDONLY | O_TRUNC), EACCES);
	FAILS(rump_sys_open("/tmp/nobody", O_RDONLY), EACCES);
	fd = rump_sys_open("/tmp/rootfile", O_RDONLY);
	ck_assert_int_ge(fd, 0);
	rump_sys_close(fd);
	FAILS(rump_sys_mkdir("/mine", 0755), EACCES);
	FAILS(rump_sys_mkdir("/tmp", 0755), EEXIST);	/* before EACCES */
	FAILS(rump_sys_open("/newfile", O_CREAT | O_RDWR, 0644), EACCES);
	FAILS(rump_sys_unlink("/tmp/rootfile"), EPERM);	/* sticky /tmp */
	FAILS(rump_sys_rmdir("/tmp/priv"), EPERM);
	FAILS(rump_sys_unlink("/tmp/priv/secret"), EACCES);
	fd = rump_sys_open("/dev/null", O_RDWR);
	ck_assert_int_ge(fd, 0);
	rump_sys_close(fd);
	/* the user's own files */
	fd = rump_sys_open("/tmp/mine", O_CREAT | O_RDWR, 0600);
	ck_assert_int_ge(fd, 0);
	rump_sys_close(fd);
	ck_assert_int_eq(rump_sys_stat("/tmp/mine", &st), 0);
	ck_assert_int_eq(st.st_uid, 1000);
	ck_assert_int_eq(st.st_gid, 1000);
	ck_assert_int_eq(rump_sys_mkdir("/tmp/sub", 0777), 0);
	ck_assert_int_eq(rump_sys_stat("/tmp/sub", &st), 0);
	ck_assert_int_eq(st.st_mode, S_IFDIR | 0755);
	ck_assert_int_eq(st.st_uid, 1000);
	ck_assert_int_eq(rump_sys_rmdir("/tmp/sub"), 0);
	rump_pub_lwproc_releaselwp();

	/* another user may not remove the first one's file from /tmp */
	become(1001, 1001);
	FAILS(rump_sys_open("/tmp/mine", O_RDONLY), EACCES);
	FAILS(rump_sys_unlink("/tmp/mine"), EPERM);
	rump_pub_lwproc_releaselwp();

	become(1000, 1000);
	ck_assert_int_eq(rump_sys_unlink("/tmp/mine"), 0);
	rump_pub_lwproc_releaselwp();

	rump_pub_lwproc_switch(rootl);
	ck_assert_int_eq(rump_sys_unlink("/tmp/rootfile"), 0);
	ck_assert_int_eq(rump_sys_unlink("/tmp/priv/secret"), 0);
}
END_TEST

static bool
ts_after(const struct timespec *a, const struct timespec *b)
{

	return a->tv_sec > b->tv_sec ||
	    (a->tv_sec == b->tv_sec && a->tv_nsec > b->tv_nsec);
}

static void
pause_clock(void)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

START_TEST(timestamps)
{
	struct timespec before;
	struct stat st, st2, dst, dst2;
	char buf[16];
	int fd;

	boot();
	clock_gettime(CLOCK_REALTIME, &before);
	before.tv_sec -= 1;
	ck_assert_int_eq(rump_sys_stat("/tmp", &dst), 0);
	pause_clock();
	fd = rump_sys_open("/tmp/t", O_CREAT | O_RDWR, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(rump_sys_fstat(fd, &st), 0);
	ck_assert(ts_after(&st.st_mtim, &before));
	ck_assert(ts_after(&st.st_atim, &before));
	ck_assert(ts_after(&st.st_ctim, &before));
	ck_assert_int_eq(rump_sys_stat("/tmp", &dst2), 0);
	ck_assert(ts_after(&dst2.st_mtim, &dst.st_mtim));
	ck_assert(ts_after(&dst2.st_ctim, &dst.st_ctim));

	pause_clock();
	ck_assert_int_eq(rump_sys_write(fd, "data", 4), 4);
	ck_assert_int_eq(rump_sys_fstat(fd, &st2), 0);
	ck_assert(ts_after(&st2.st_mtim, &st.st_mtim));
	ck_assert(ts_after(&st2.st_ctim, &st.st_ctim));
	ck_assert(!ts_after(&st2.st_atim, &st.st_atim));

	/* relatime: a read after a write updates atime */
	pause_clock();
	ck_assert_int_eq(rump_sys_pread(fd, buf, 4, 0), 4);
	ck_assert_int_eq(rump_sys_fstat(fd, &st), 0);
	ck_assert(ts_after(&st.st_atim, &st2.st_atim));
	ck_assert(!ts_after(&st.st_mtim, &st2.st_mtim));
	/* ... but a second one does not */
	pause_clock();
	ck_assert_int_eq(rump_sys_pread(fd, buf, 4, 0), 4);
	ck_assert_int_eq(rump_sys_fstat(fd, &st2), 0);
	ck_assert(!ts_after(&st2.st_atim, &st.st_atim));
	ck_assert_int_eq(rump_sys_close(fd), 0);

	/* unlink changes the parent's mtime and ctime */
	ck_assert_int_eq(rump_sys_stat("/tmp", &dst), 0);
	pause_clock();
	ck_assert_int_eq(rump_sys_unlink("/tmp/t"), 0);
	ck_assert_int_eq(rump_sys_stat("/tmp", &dst2), 0);
	ck_assert(ts_after(&dst2.st_mtim, &dst.st_mtim));
}
END_TEST

/* removing files and directories gives their memory back */
START_TEST(memory_released)
{
	char buf[10000], name[64];
	uint64_t before;
	int fd, i;

	boot();
	memset(buf, 'm', sizeof(buf));
	fd = rump_sys_open("/tmp/warm", O_CREAT | O_RDWR, 0644);
	rump_sys_close(fd);
	rump_sys_unlink("/tmp/warm");
	before = kmem_inuse();
	for (i = 0; i < 50; i++) {
		snprintf(name, sizeof(name), "/tmp/d%d", i);
		ck_assert_int_eq(rump_sys_mkdir(name, 0755), 0);
		snprintf(name, sizeof(name), "/tmp/d%d/f", i);
		fd = rump_sys_open(name, O_CREAT | O_RDWR, 0644);
		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(rump_sys_write(fd, buf, sizeof(buf)),
		    sizeof(buf));
		ck_assert_int_eq(rump_sys_close(fd), 0);
	}
	ck_assert_uint_gt(kmem_inuse(), before + 50 * sizeof(buf));
	/* an unlinked but open file keeps its memory until closed */
	fd = rump_sys_open("/tmp/d0/f", O_RDONLY);
	ck_assert_int_ge(fd, 0);
	for (i = 0; i < 50; i++) {
		snprintf(name, sizeof(name), "/tmp/d%d/f", i);
		ck_assert_int_eq(rump_sys_unlink(name), 0);
		snprintf(name, sizeof(name), "/tmp/d%d", i);
		ck_assert_int_eq(rump_sys_rmdir(name), 0);
	}
	ck_assert_uint_gt(kmem_inuse(), before + sizeof(buf));
	ck_assert_int_eq(rump_sys_read(fd, buf, sizeof(buf)), sizeof(buf));
	ck_assert_int_eq(rump_sys_close(fd), 0);
	ck_assert_uint_eq(kmem_inuse(), before);
}
END_TEST

/*
 * A chain of removed directories, each kept by the one below it, with
 * the current directory at the bottom: leaving it frees them all.
 */
START_TEST(removed_chain)
{
	char path[PATH_MAX];
	struct stat st;
	uint64_t before;
	size_t len;
	int i, depth = 1300;

	boot();
	ck_assert_int_eq(rump_sys_chdir("/tmp"), 0);
	before = kmem_inuse();
	for (i = 0; i < depth; i++) {
		ck_assert_int_eq(rump_sys_mkdir("d", 0755), 0);
		ck_assert_int_eq(rump_sys_chdir("d"), 0);
	}
	ck_assert_uint_gt(kmem_inuse(), before);
	len = 0;
	for (i = 0; i < depth; i++) {
		memcpy(path + len, "../", 3);
		len += 3;
		strcpy(path + len, "d");
		ck_assert_int_eq(rump_sys_rmdir(path), 0);
	}
	ck_assert_int_eq(rump_sys_stat(".", &st), 0);
	ck_assert_int_eq(st.st_nlink, 0);
	ck_assert_int_eq(rump_sys_getcwd(path, sizeof(path)), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(rump_sys_chdir("/tmp"), 0);
	ck_assert_uint_eq(kmem_inuse(), before);
	ck_assert_int_eq(rump_sys_stat("/tmp", &st), 0);
	ck_assert_int_eq(st.st_nlink, 2);
}
END_TEST

/* O_APPEND writes from several threads each land whole */
#define APPEND_THREADS	4
#define APPEND_WRITES	200
#define APPEND_LEN	1000

static void *
appender(void *arg)
{
	char rec[APPEND_LEN];
	int fd, i;

	memset(rec, 'A' + (int)(intptr_t)arg, sizeof(rec));
	fd = rump_sys_open("/tmp/log", O_WRONLY | O_APPEND);
	if (fd < 0)
		return (void *)1;
	for (i = 0; i < APPEND_WRITES; i++)
		if (rump_sys_write(fd, rec, sizeof(rec)) != sizeof(rec))
			return (void *)1;
	rump_sys_close(fd);
	return NULL;
}

START_TEST(append_threads)
{
	pthread_t t[APPEND_THREADS];
	char rec[APPEND_LEN];
	struct stat st;
	void *rv;
	int fd, i, j;

	boot();
	fd = rump_sys_open("/tmp/log", O_CREAT | O_RDWR, 0644);
	ck_assert_int_ge(fd, 0);
	for (i = 0; i < APPEND_THREADS; i++)
		pthread_create(&t[i], NULL, appender, (void *)(intptr_t)i);
	for (i = 0; i < APPEND_THREADS; i++) {
		pthread_join(t[i], &rv);
		ck_assert_ptr_null(rv);
	}
	ck_assert_int_eq(rump_sys_fstat(fd, &st), 0);
	ck_assert_int_eq(st.st_size, APPEND_THREADS * APPEND_WRITES *
	    APPEND_LEN);
	while (rump_sys_read(fd, rec, sizeof(rec)) == sizeof(rec))
		for (j = 1; j < APPEND_LEN; j++)
			ck_assert_int_eq(rec[j], rec[0]);
	ck_assert_int_eq(rump_sys_close(fd), 0);
}
END_TEST


/* make the current process's credentials these, in place */
static void
setcred(uid_t ruid, uid_t euid, gid_t rgid, gid_t egid)
{
	struct cred *cr;

	rump_schedule();
	cr = &curproc->p_cred;
	cr->cr_uid = ruid;
	cr->cr_euid = cr->cr_suid = euid;
	cr->cr_gid = rgid;
	cr->cr_egid = cr->cr_sgid = egid;
	rump_unschedule();
}

static int
mkfile(const char *path, mode_t mode)
{
	int fd;

	fd = rump_sys_open(path, O_CREAT | O_WRONLY | O_TRUNC, mode);
	if (fd >= 0)
		rump_sys_close(fd);
	return fd >= 0 ? 0 : -1;
}

static mode_t
modeof(const char *path)
{
	struct stat st;

	ck_assert_int_eq(rump_sys_lstat(path, &st), 0);
	return st.st_mode & 07777;
}

/* who may change attributes, as a user and as root (kernel alone) */
START_TEST(attr_permissions)
{
	struct timespec ts[2];
	struct stat st;
	struct lwp *rootl;
	int fd;

	boot();
	ck_assert_int_eq(rump_pub_lwproc_rfork(RUMP_RFCFDG), 0);
	rootl = rump_pub_lwproc_curlwp();
	ck_assert_int_eq(mkfile("/tmp/rootf", 0644), 0);
	ck_assert_int_eq(mkfile("/tmp/shared", 0666), 0);
	ck_assert_int_eq(rump_sys_chmod("/tmp/shared", 0666), 0);
	ck_assert_int_eq(rump_sys_mkdir("/tmp/rootdir", 0755), 0);
	ck_assert_int_eq(mkfile("/tmp/rootdir/inside", 0644), 0);

	become(1000, 1000);
	ck_assert_int_eq(mkfile("/tmp/mine", 0644), 0);
	FAILS(rump_sys_chmod("/tmp/rootf", 0777), EPERM);
	FAILS(rump_sys_chown("/tmp/rootf", 1000, 1000), EPERM);
	FAILS(rump_sys_chown("/tmp/mine", 1001, -1), EPERM);
	FAILS(rump_sys_chown("/tmp/mine", -1, 1001), EPERM);
	ck_assert_int_eq(rump_sys_chown("/tmp/mine", 1000, 1000), 0);
	ck_assert_int_eq(rump_sys_chown("/tmp/mine", -1, -1), 0);
	/* set-group-ID of a group one is not in is dropped by chmod */
	setcred(0, 0, 0, 0);
	ck_assert_int_eq(rump_sys_chown("/tmp/mine", 1000, 50), 0);
	setcred(1000, 1000, 1000, 1000);
	ck_assert_int_eq(rump_sys_chmod("/tmp/mine", 02755), 0);
	ck_assert_int_eq(modeof("/tmp/mine"), 0755);
	ck_assert_int_eq(rump_sys_chmod("/tmp/mine", 04755), 0);
	ck_assert_int_eq(modeof("/tmp/mine"), 04755);
	/* a write by someone not root clears set-user-ID */
	fd = rump_sys_open("/tmp/mine", O_WRONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(rump_sys_write(fd, "x", 1), 1);
	ck_assert_int_eq(modeof("/tmp/mine"), 0755);
	/* ... as does a truncate */
	ck_assert_int_eq(rump_sys_fchmod(fd, 04755), 0);
	ck_assert_int_eq(rump_sys_ftruncate(fd, 0), 0);
	ck_assert_int_eq(modeof("/tmp/mine"), 0755);
	ck_assert_int_eq(rump_sys_close(fd), 0);
	/* times: explicit ones need ownership, "now" write permission */
	ts[0].tv_sec = 1000;
	ts[0].tv_nsec = 0;
	ts[1].tv_sec = 2000;
	ts[1].tv_nsec = 0;
	FAILS(rump_sys_utimensat(AT_FDCWD, "/tmp/rootf", ts, 0), EPERM);
	FAILS(rump_sys_utimensat(AT_FDCWD, "/tmp/rootf", NULL, 0), EACCES);
	ck_assert_int_eq(rump_sys_utimensat(AT_FDCWD, "/tmp/shared", NULL,
	    0), 0);
	FAILS(rump_sys_utimensat(AT_FDCWD, "/tmp/shared", ts, 0), EPERM);
	ts[0].tv_nsec = ts[1].tv_nsec = UTIME_NOW;
	ck_assert_int_eq(rump_sys_utimensat(AT_FDCWD, "/tmp/shared", ts, 0),
	    0);
	ts[0].tv_nsec = ts[1].tv_nsec = UTIME_OMIT;
	ck_assert_int_eq(rump_sys_utimensat(AT_FDCWD, "/tmp/rootf", ts, 0),
	    0);
	/* device nodes are root's; so is linking by descriptor */
	FAILS(rump_sys_mknod("/tmp/null2", S_IFCHR | 0666, makedev(1, 3)),
	    EPERM);
	ck_assert_int_eq(rump_sys_mknod("/tmp/plain", S_IFREG | 0600, 0), 0);
	/* protected hard links: not another's file one cannot write */
	FAILS(rump_sys_link("/tmp/rootf", "/tmp/hl"), EPERM);
	ck_assert_int_eq(rump_sys_link("/tmp/shared", "/tmp/hl"), 0);
	fd = rump_sys_open("/tmp/mine", O_RDONLY);
	FAILS(rump_sys_linkat(fd, "", AT_FDCWD, "/tmp/hl2", AT_EMPTY_PATH),
	    ENOENT);
	rump_sys_close(fd);
	/* renaming needs write on both parents, sticky rules apply */
	FAILS(rump_sys_rename("/tmp/rootdir/inside", "/tmp/out"), EACCES);
	FAILS(rump_sys_rename("/tmp/rootf", "/tmp/mine2"), EPERM);
	ck_assert_int_eq(rump_sys_rename("/tmp/mine", "/tmp/mine2"), 0);
	FAILS(rump_sys_rename("/tmp/mine2", "/tmp/rootdir/x"), EACCES);
	FAILS(rump_sys_rename("/tmp/mine2", "/tmp/rootf"), EPERM);
	/* searching through a directory, also behind a symlink */
	ck_assert_int_eq(rump_sys_symlink("/tmp/rootdir", "/tmp/lnk"), 0);
	rump_pub_lwproc_switch(rootl);
	ck_assert_int_eq(rump_sys_chmod("/tmp/rootdir", 0700), 0);
	become(1000, 1000);
	FAILS(rump_sys_stat("/tmp/lnk/inside", &st), EACCES);
	FAILS(rump_sys_access("/tmp/lnk/inside", F_OK), EACCES);
	ck_assert_int_eq(rump_sys_lstat("/tmp/lnk", &st), 0);
	/* access asks with the real ids, AT_EACCESS with the effective */
	setcred(1000, 0, 1000, 0);
	ck_assert_int_eq(rump_sys_stat("/tmp/lnk/inside", &st), 0);
	FAILS(rump_sys_access("/tmp/lnk/inside", F_OK), EACCES);
	ck_assert_int_eq(rump_sys_faccessat(AT_FDCWD, "/tmp/lnk/inside",
	    R_OK | W_OK, AT_EACCESS), 0);
	setcred(0, 1000, 0, 1000);
	ck_assert_int_eq(rump_sys_access("/tmp/rootf", R_OK | W_OK), 0);
	FAILS(rump_sys_access("/tmp/rootf", X_OK), EACCES);
	FAILS(rump_sys_faccessat(AT_FDCWD, "/tmp/rootf", W_OK, AT_EACCESS),
	    EACCES);
	rump_pub_lwproc_releaselwp();

	/* root: chown clears set-user-ID, even to the same owner */
	rump_pub_lwproc_switch(rootl);
	ck_assert_int_eq(rump_sys_chmod("/tmp/rootf", 06755), 0);
	ck_assert_int_eq(rump_sys_chown("/tmp/rootf", -1, -1), 0);
	ck_assert_int_eq(modeof("/tmp/rootf"), 0755);
	ck_assert_int_eq(rump_sys_chmod("/tmp/rootf", 06745), 0);
	ck_assert_int_eq(rump_sys_chown("/tmp/rootf", 5, 6), 0);
	ck_assert_int_eq(modeof("/tmp/rootf"), 02745);
	ck_assert_int_eq(rump_sys_stat("/tmp/rootf", &st), 0);
	ck_assert_int_eq(st.st_uid, 5);
	ck_assert_int_eq(st.st_gid, 6);
	/* fchmodat: AT_SYMLINK_NOFOLLOW on a link is EOPNOTSUPP */
	ck_assert_int_eq(rump_sys_symlink("rootf", "/tmp/rl"), 0);
	FAILS(rump_sys_fchmodat(AT_FDCWD, "/tmp/rl", 0600,
	    AT_SYMLINK_NOFOLLOW), EOPNOTSUPP);
	ck_assert_int_eq(rump_sys_fchmodat(AT_FDCWD, "/tmp/rootf", 0600,
	    AT_SYMLINK_NOFOLLOW), 0);
	ck_assert_int_eq(modeof("/tmp/rootf"), 0600);
	FAILS(rump_sys_fchmodat(AT_FDCWD, "/tmp/rootf", 0600, 0x1), EINVAL);
	/* new files in a set-group-ID directory take its group */
	ck_assert_int_eq(rump_sys_mkdir("/tmp/sgid", 0777), 0);
	ck_assert_int_eq(rump_sys_chown("/tmp/sgid", 0, 77), 0);
	ck_assert_int_eq(rump_sys_chmod("/tmp/sgid", 02777), 0);
	ck_assert_int_eq(mkfile("/tmp/sgid/f", 0644), 0);
	ck_assert_int_eq(rump_sys_mkdir("/tmp/sgid/d", 0755), 0);
	ck_assert_int_eq(rump_sys_stat("/tmp/sgid/f", &st), 0);
	ck_assert_int_eq(st.st_gid, 77);
	ck_assert_int_eq(rump_sys_stat("/tmp/sgid/d", &st), 0);
	ck_assert_int_eq(st.st_gid, 77);
	ck_assert_int_eq(st.st_mode & 07777, 02755);
}
END_TEST

/* umask: per process, inherited by children, returned old */
START_TEST(umask_inherit)
{
	struct stat st;

	boot();
	ck_assert_int_eq(rump_sys_umask(077), 022);
	ck_assert_int_eq(rump_pub_lwproc_rfork(RUMP_RFFDG), 0);
	ck_assert_int_eq(rump_sys_umask(0), 077);
	ck_assert_int_eq(rump_sys_mkdir("/tmp/open", 0777), 0);
	ck_assert_int_eq(rump_sys_stat("/tmp/open", &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0777);
	ck_assert_int_eq(rump_sys_umask(01777), 0);
	ck_assert_int_eq(rump_sys_umask(0), 0777);
	rump_pub_lwproc_releaselwp();
	ck_assert_int_eq(rump_sys_umask(022), 077);
}
END_TEST

static bool
ts_eq(const struct timespec *a, time_t sec, long nsec)
{

	return a->tv_sec == sec && a->tv_nsec == nsec;
}

/* utimensat and futimens, and ctime on metadata changes */
START_TEST(utimens)
{
	struct timespec ts[2];
	struct stat st, st2;
	int fd;

	boot();
	ck_assert_int_eq(mkfile("/tmp/t", 0644), 0);
	ts[0].tv_sec = 100;
	ts[0].tv_nsec = 5;
	ts[1].tv_sec = 200;
	ts[1].tv_nsec = 6;
	ck_assert_int_eq(rump_sys_stat("/tmp/t", &st), 0);
	pause_clock();
	ck_assert_int_eq(rump_sys_utimensat(AT_FDCWD, "/tmp/t", ts, 0), 0);
	ck_assert_int_eq(rump_sys_stat("/tmp/t", &st2), 0);
	ck_assert(ts_eq(&st2.st_atim, 100, 5));
	ck_assert(ts_eq(&st2.st_mtim, 200, 6));
	ck_assert(ts_after(&st2.st_ctim, &st.st_ctim));
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_nsec = UTIME_NOW;
	ck_assert_int_eq(rump_sys_utimensat(AT_FDCWD, "/tmp/t", ts, 0), 0);
	ck_assert_int_eq(rump_sys_stat("/tmp/t", &st), 0);
	ck_assert(ts_eq(&st.st_atim, 100, 5));
	ck_assert(ts_after(&st.st_mtim, &st2.st_mtim));
	ts[0].tv_nsec = ts[1].tv_nsec = UTIME_OMIT;
	ck_assert_int_eq(rump_sys_utimensat(AT_FDCWD, "/tmp/none", ts, 0), 0);
	ts[0].tv_nsec = 1000000000;
	FAILS(rump_sys_utimensat(AT_FDCWD, "/tmp/t", ts, 0), EINVAL);
	FAILS(rump_sys_utimensat(AT_FDCWD, "/tmp/t", NULL, 0x1), EINVAL);
	FAILS(rump_sys_utimensat(AT_FDCWD, "/tmp/none", NULL, 0), ENOENT);
	fd = rump_sys_open("/tmp/t", O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ts[0].tv_sec = 7;
	ts[0].tv_nsec = 0;
	ts[1].tv_nsec = UTIME_OMIT;
	ck_assert_int_eq(rump_sys_futimens(fd, ts), 0);
	ck_assert_int_eq(rump_sys_utimensat(fd, NULL, NULL, 0), 0);
	ck_assert_int_eq(rump_sys_fstat(fd, &st2), 0);
	ck_assert(ts_after(&st2.st_atim, &st.st_atim));
	FAILS(rump_sys_futimens(999, NULL), EBADF);
	/* symlinks: AT_SYMLINK_NOFOLLOW sets the link's own times */
	ck_assert_int_eq(rump_sys_symlink("t", "/tmp/l"), 0);
	ts[0].tv_sec = ts[1].tv_sec = 42;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	ck_assert_int_eq(rump_sys_utimensat(AT_FDCWD, "/tmp/l", ts,
	    AT_SYMLINK_NOFOLLOW), 0);
	ck_assert_int_eq(rump_sys_lstat("/tmp/l", &st), 0);
	ck_assert(ts_eq(&st.st_mtim, 42, 0));
	ck_assert_int_eq(rump_sys_stat("/tmp/l", &st), 0);
	ck_assert(!ts_eq(&st.st_mtim, 42, 0));
	/* ctime: chmod, chown, link, rename all set it */
	ck_assert_int_eq(rump_sys_fstat(fd, &st), 0);
	pause_clock();
	ck_assert_int_eq(rump_sys_chmod("/tmp/t", 0600), 0);
	ck_assert_int_eq(rump_sys_fstat(fd, &st2), 0);
	ck_assert(ts_after(&st2.st_ctim, &st.st_ctim));
	pause_clock();
	ck_assert_int_eq(rump_sys_link("/tmp/t", "/tmp/t2"), 0);
	ck_assert_int_eq(rump_sys_fstat(fd, &st), 0);
	ck_assert(ts_after(&st.st_ctim, &st2.st_ctim));
	ck_assert_int_eq(st.st_nlink, 2);
	pause_clock();
	ck_assert_int_eq(rump_sys_rename("/tmp/t2", "/tmp/t3"), 0);
	ck_assert_int_eq(rump_sys_fstat(fd, &st2), 0);
	ck_assert(ts_after(&st2.st_ctim, &st.st_ctim));
	ck_assert(!ts_after(&st2.st_mtim, &st.st_mtim));
	ck_assert_int_eq(rump_sys_close(fd), 0);
}
END_TEST

/* statx and statfs: the kernel's own numbers */
START_TEST(statx_statfs)
{
	struct statfs sf;
	struct statx sx;
	struct stat st;
	int fd;

	boot();
	ck_assert_int_eq(mkfile("/tmp/s", 0640), 0);
	ck_assert_int_eq(rump_sys_stat("/tmp/s", &st), 0);
	ck_assert_int_eq(rump_sys_statx(AT_FDCWD, "/tmp/s", 0,
	    STATX_BASIC_STATS, &sx), 0);
	ck_assert_int_eq(sx.stx_mask & STATX_BASIC_STATS, STATX_BASIC_STATS);
	ck_assert_int_eq(sx.stx_mode, S_IFREG | 0640);
	ck_assert_int_eq(sx.stx_ino, st.st_ino);
	ck_assert_int_eq(sx.stx_nlink, 1);
	ck_assert_int_eq(sx.stx_blksize, 4096);
	ck_assert_int_eq(sx.stx_mtime.tv_sec, st.st_mtim.tv_sec);
	ck_assert_int_eq(sx.stx_mtime.tv_nsec, st.st_mtim.tv_nsec);
	ck_assert_int_eq(makedev(sx.stx_dev_major, sx.stx_dev_minor),
	    st.st_dev);
	ck_assert_int_eq(rump_sys_statx(AT_FDCWD, "/dev/null", 0,
	    STATX_BASIC_STATS, &sx), 0);
	ck_assert_int_eq(sx.stx_rdev_major, 1);
	ck_assert_int_eq(sx.stx_rdev_minor, 3);
	FAILS(rump_sys_statx(AT_FDCWD, "/tmp/s", 0, STATX__RESERVED, &sx),
	    EINVAL);
	FAILS(rump_sys_statx(AT_FDCWD, "/tmp/s", AT_STATX_SYNC_TYPE,
	    STATX_BASIC_STATS, &sx), EINVAL);
	FAILS(rump_sys_statx(AT_FDCWD, "/tmp/s", 0x10000000,
	    STATX_BASIC_STATS, &sx), EINVAL);
	FAILS(rump_sys_statx(AT_FDCWD, "/tmp/none", 0, STATX_BASIC_STATS,
	    &sx), ENOENT);
	fd = rump_sys_open("/tmp", O_PATH);
	ck_assert_int_eq(rump_sys_statx(fd, "", AT_EMPTY_PATH,
	    STATX_BASIC_STATS, &sx), 0);
	ck_assert(S_ISDIR(sx.stx_mode));
	ck_assert_int_eq(rump_sys_fstatfs(fd, &sf), 0);
	ck_assert_int_eq(sf.f_type, TMPFS_MAGIC);
	ck_assert_int_eq(sf.f_bsize, 4096);
	ck_assert_int_eq(sf.f_namelen, 255);
	ck_assert_int_eq(sf.f_blocks, 0);	/* no memory limit */
	ck_assert_int_eq(rump_sys_close(fd), 0);
	ck_assert_int_eq(rump_sys_statfs("/dev/null", &sf), 0);
	ck_assert_int_eq(sf.f_type, TMPFS_MAGIC);
	FAILS(rump_sys_statfs("/nonexistent", &sf), ENOENT);
}
END_TEST

/* full, random and urandom; mknod'ed nodes act as the device */
START_TEST(more_devices)
{
	unsigned char a[4096], b[4096];
	struct stat st;
	size_t i, nz;
	int fd;

	boot();
	ck_assert_int_eq(rump_sys_stat("/dev/full", &st), 0);
	ck_assert_int_eq(st.st_rdev, makedev(1, 7));
	fd = rump_sys_open("/dev/full", O_RDWR);
	ck_assert_int_ge(fd, 0);
	FAILS(rump_sys_write(fd, "x", 1), ENOSPC);
	memset(a, 1, sizeof(a));
	ck_assert_int_eq(rump_sys_read(fd, a, sizeof(a)), sizeof(a));
	for (i = 0; i < sizeof(a); i++)
		ck_assert_int_eq(a[i], 0);
	ck_assert_int_eq(rump_sys_close(fd), 0);
	ck_assert_int_eq(rump_sys_stat("/dev/random", &st), 0);
	ck_assert_int_eq(st.st_rdev, makedev(1, 8));
	ck_assert_int_eq(rump_sys_stat("/dev/urandom", &st), 0);
	ck_assert_int_eq(st.st_rdev, makedev(1, 9));
	fd = rump_sys_open("/dev/urandom", O_RDWR);
	ck_assert_int_ge(fd, 0);
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	ck_assert_int_eq(rump_sys_read(fd, a, sizeof(a)), sizeof(a));
	ck_assert_int_eq(rump_sys_read(fd, b, sizeof(b)), sizeof(b));
	ck_assert(memcmp(a, b, sizeof(a)) != 0);
	for (i = 0, nz = 0; i < sizeof(a); i++)
		nz += a[i] == 0;
	ck_assert_uint_lt(nz, 64);
	ck_assert_int_eq(rump_sys_write(fd, "seed", 4), 4);
	ck_assert_int_eq(rump_sys_close(fd), 0);
	fd = rump_sys_open("/dev/random", O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(rump_sys_read(fd, a, 7), 7);
	ck_assert_int_eq(rump_sys_close(fd), 0);
	/* mknod: a node with /dev/zero's numbers is /dev/zero */
	ck_assert_int_eq(rump_sys_mknod("/tmp/z", S_IFCHR | 0600,
	    makedev(1, 5)), 0);
	fd = rump_sys_open("/tmp/z", O_RDONLY);
	ck_assert_int_ge(fd, 0);
	memset(a, 1, 10);
	ck_assert_int_eq(rump_sys_read(fd, a, 10), 10);
	ck_assert_int_eq(a[9], 0);
	ck_assert_int_eq(rump_sys_close(fd), 0);
	ck_assert_int_eq(rump_sys_mknod("/tmp/nodev", S_IFCHR | 0600,
	    makedev(99, 1)), 0);
	FAILS(rump_sys_open("/tmp/nodev", O_RDONLY), ENXIO);
	ck_assert_int_eq(rump_sys_mknod("/tmp/blk", S_IFBLK | 0600,
	    makedev(8, 0)), 0);
	ck_assert_int_eq(rump_sys_stat("/tmp/blk", &st), 0);
	ck_assert(S_ISBLK(st.st_mode));
	ck_assert_int_eq(st.st_rdev, makedev(8, 0));
	FAILS(rump_sys_open("/tmp/blk", O_RDONLY), ENXIO);
	FAILS(rump_sys_mknod("/tmp/fifo", S_IFIFO | 0600, 0), EPERM);
	fd = rump_sys_open("/dev/null", O_RDONLY);
	FAILS(rump_sys_fsync(fd), EINVAL);
	rump_sys_close(fd);
}
END_TEST

/*
 * getdents64 while other threads create and remove entries: every
 * entry that exists throughout the listing is seen exactly once.
 */
static atomic_int churn_stop;	/* the churner runs until set */

static void *
churner(void *arg)
{
	char name[64];
	int i, k = (int)(intptr_t)arg;

	for (i = 0; !atomic_load(&churn_stop); i++) {
		snprintf(name, sizeof(name), "/tmp/dir/tmp-%d-%d", k, i % 50);
		if (i % 100 < 50)
			mkfile(name, 0644);
		else
			rump_sys_unlink(name);
	}
	return NULL;
}

START_TEST(getdents_churn)
{
	char buf[512], name[64];
	struct linux_dirent64 *d;
	pthread_t t[2];
	int seen[200], fd, i, round, n, off;
	ssize_t got;

	boot();
	ck_assert_int_eq(rump_sys_mkdir("/tmp/dir", 0755), 0);
	for (i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "/tmp/dir/stable-%03d", i);
		ck_assert_int_eq(mkfile(name, 0644), 0);
	}
	atomic_store(&churn_stop, 0);
	for (i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, churner, (void *)(intptr_t)i);
	for (round = 0; round < 30; round++) {
		memset(seen, 0, sizeof(seen));
		fd = rump_sys_open("/tmp/dir", O_RDONLY | O_DIRECTORY);
		ck_assert_int_ge(fd, 0);
		while ((got = rump_sys_getdents64(fd, buf,
		    sizeof(buf))) > 0) {
			for (off = 0; off < got; off += d->d_reclen) {
				d = (struct linux_dirent64 *)(buf + off);
				if (sscanf(d->d_name, "stable-%d", &n) == 1)
					seen[n]++;
			}
		}
		ck_assert_int_eq(got, 0);
		rump_sys_close(fd);
		for (i = 0; i < 200; i++)
			ck_assert_msg(seen[i] == 1, "round %d: stable-%03d "
			    "seen %d times", round, i, seen[i]);
	}
	atomic_store(&churn_stop, 1);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
}
END_TEST

/* a limit too small to boot: ENOMEM from rump_init, no panic */
START_TEST(boot_too_small)
{
	pid_t pid;
	int status;

	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		setenv("RUMP_MEMLIMIT", "1k", 1);
		if (rump_init() != ENOMEM || rump_init() != ENOMEM)
			_exit(1);
		if (rump_sys_getpid() != -1 || errno != ENXIO)
			_exit(2);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "status %#x", status);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char lim[32];

		snprintf(lim, sizeof(lim), "%d", RUMP_MEMLIMIT_MIN);
		setenv("RUMP_MEMLIMIT", lim, 1);
		if (rump_init() != 0)
			_exit(1);
		if (mkfile("/tmp/f", 0644) != 0)
			_exit(2);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "status %#x", status);
}
END_TEST

/*
 * The memory limit: with RUMP_MEMLIMIT at 1 MiB a 4 MiB file cannot
 * be written (ENOSPC, after a short write), and the kernel goes on
 * working once the file is gone.  Run in a child of its own so that
 * the environment and the kernel do not outlive it; the child reports
 * the line of the first failed check as its exit status.
 */
#define CHILD_CHECK(e) do { if (!(e)) { fprintf(stderr,			\
	"memlimit: %s failed at line %d (errno %d)\n", #e, __LINE__,	\
	errno); _exit(__LINE__ % 250 + 1); } } while (0)

static void
memlimit_child(void)
{
	static char chunk[64 * 1024];
	struct statfs sf;
	struct stat st;
	uint64_t before;
	size_t total = 0;
	ssize_t n = 0;
	int fd, fd2;

	setenv("RUMP_MEMLIMIT", "1048576", 1);
	CHILD_CHECK(rump_init() == 0);
	fd = rump_sys_open("/tmp/huge", O_CREAT | O_RDWR, 0644);
	CHILD_CHECK(fd >= 0);
	memset(chunk, 'h', sizeof(chunk));
	while (total < 4 * 1024 * 1024) {
		n = rump_sys_write(fd, chunk, sizeof(chunk));
		if (n <= 0)
			break;
		total += (size_t)n;
	}
	CHILD_CHECK(n == -1 && errno == ENOSPC);
	CHILD_CHECK(total > 0 && total < 1024 * 1024);
	CHILD_CHECK(kmem_inuse() <= 1024 * 1024);
	/* a full file system: no new files, but reading still works */
	fd2 = rump_sys_open("/tmp/more", O_CREAT | O_RDWR, 0644);
	CHILD_CHECK(fd2 >= 0 || errno == ENOSPC || errno == ENOMEM);
	if (fd2 >= 0)
		rump_sys_close(fd2);
	CHILD_CHECK(rump_sys_pread(fd, chunk, 100, 0) == 100);
	CHILD_CHECK(rump_sys_close(fd) == 0);
	CHILD_CHECK(rump_sys_unlink("/tmp/huge") == 0);
	/* and then the kernel works again */
	CHILD_CHECK(rump_sys_getpid() == 1);
	fd = rump_sys_open("/tmp/small", O_CREAT | O_RDWR, 0644);
	CHILD_CHECK(fd >= 0);
	CHILD_CHECK(rump_sys_write(fd, chunk, sizeof(chunk)) ==
	    sizeof(chunk));
	CHILD_CHECK(rump_sys_close(fd) == 0);
	CHILD_CHECK(rump_sys_mkdir("/tmp/dir", 0755) == 0);
	/* a 1 GiB sparse file costs its written pages only */
	before = kmem_inuse();
	fd = rump_sys_open("/tmp/sparse", O_CREAT | O_RDWR, 0644);
	CHILD_CHECK(fd >= 0);
	CHILD_CHECK(rump_sys_ftruncate(fd, (off_t)1 << 30) == 0);
	CHILD_CHECK(rump_sys_pwrite(fd, "end", 3, ((off_t)1 << 30) - 3) == 3);
	CHILD_CHECK(rump_sys_pwrite(fd, "mid", 3, (off_t)1 << 29) == 3);
	CHILD_CHECK(rump_sys_fstat(fd, &st) == 0);
	CHILD_CHECK(st.st_size == (off_t)1 << 30 && st.st_blocks == 16);
	CHILD_CHECK(kmem_inuse() < before + 3 * 4096);
	CHILD_CHECK(rump_sys_pread(fd, chunk, 100, 12345) == 100);
	CHILD_CHECK(chunk[0] == 0 && chunk[99] == 0);
	CHILD_CHECK(rump_sys_statfs("/tmp", &sf) == 0);
	CHILD_CHECK(sf.f_type == TMPFS_MAGIC && sf.f_blocks == 256 &&
	    sf.f_bfree > 0 && sf.f_bfree < 256);
	CHILD_CHECK(rump_sys_close(fd) == 0);
	_exit(0);
}

START_TEST(memlimit)
{
	pid_t pid;
	int status;

	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		memlimit_child();
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "memlimit child failed, status %#x", status);
}
END_TEST

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{

	return remove(path);
}

int
main(void)
{
	Suite *s = suite_create("vfs");
	TCase *tc = tcase_create("vfs");
	SRunner *sr;
	const char *tmp;
	int nf;

	tmp = getenv("TMPDIR");
	snprintf(hostbase, sizeof(hostbase), "%s/test_vfs.XXXXXX",
	    tmp != NULL ? tmp : "/tmp");
	if (mkdtemp(hostbase) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	/* a user must be able to reach the scenarios' directories */
	(void)chmod(hostbase, 0755);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, cmp_open);
	tcase_add_test(tc, cmp_openat);
	tcase_add_test(tc, cmp_rw);
	tcase_add_test(tc, cmp_dirs);
	tcase_add_test(tc, cmp_names);
	tcase_add_test(tc, cmp_getdents);
	tcase_add_test(tc, cmp_cwd);
	tcase_add_test(tc, cmp_removed);
	tcase_add_test(tc, cmp_unlinked);
	tcase_add_test(tc, cmp_symlinks);
	tcase_add_test(tc, cmp_links);
	tcase_add_test(tc, cmp_rename);
	tcase_add_test(tc, cmp_at);
	tcase_add_test(tc, cmp_attrs);
	tcase_add_test(tc, cmp_sizes);
	tcase_add_test(tc, cmp_times);
	tcase_add_test(tc, cmp_perms);
	tcase_add_test(tc, boot_tree);
	tcase_add_test(tc, devices);
	tcase_add_test(tc, bigfile);
	tcase_add_test(tc, holes);
	tcase_add_test(tc, getdents_resume);
	tcase_add_test(tc, permissions);
	tcase_add_test(tc, timestamps);
	tcase_add_test(tc, memory_released);
	tcase_add_test(tc, removed_chain);
	tcase_add_test(tc, append_threads);
	tcase_add_test(tc, memlimit);
	tcase_add_test(tc, attr_permissions);
	tcase_add_test(tc, umask_inherit);
	tcase_add_test(tc, utimens);
	tcase_add_test(tc, statx_statfs);
	tcase_add_test(tc, more_devices);
	tcase_add_test(tc, getdents_churn);
	tcase_add_test(tc, boot_too_small);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	nftw(hostbase, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return nf == 0 ? 0 : 1;
}
