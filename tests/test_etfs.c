/*
 * test_etfs.c -- host files in the kernel (rump_etfs(3)), in-process:
 * a regular file, a window on one, a block device image, a directory
 * with its files and a whole tree, what the host sees afterwards, the
 * registration errors, and the host-compared scenarios of fs_scen.c
 * run inside a mapped directory (the kernel's calls there must answer
 * as the host's own; only device nodes, which a mapping refuses, are
 * left out).
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

#include "fs_scen.h"

static char hostdir[256];		/* what the tests map */
static char mapped[256];		/* mapped at /etfs for scenarios */

#define FAILS(expr, err) do {						\
	errno = 0;							\
	ck_assert_int_eq((long)(expr), -1);				\
	ck_assert_msg(errno == (err), "%s: errno %d, not %d", #expr,	\
	    errno, (err));						\
} while (0)

static int
boot_mapped(void)
{
	struct stat st;
	int error;

	if ((error = rump_init()) != 0)
		return error;
	if (rump_sys_stat("/etfs", &st) == 0)
		return 0;
	return rump_pub_etfs_register("/etfs", mapped,
	    RUMP_ETFS_DIR_SUBDIRS);
}

int (*fs_rump_seteids)(uid_t, gid_t);	/* no setuid call */
int (*fs_boot)(void) = boot_mapped;

/* hostdir/rel, made with contents */
static void
hostfile(const char *rel, const char *contents)
{
	char path[PATH_MAX];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", hostdir, rel);
	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fputs(contents, fp);
	ck_assert_int_eq(fclose(fp), 0);
}

/* the contents of hostdir/rel, or "" if absent */
static const char *
hostread(const char *rel)
{
	static char buf[4096];
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", hostdir, rel);
	buf[0] = '\0';
	if ((fd = open(path, O_RDONLY)) == -1)
		return buf;
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	return buf;
}

static const char *
rumpread(const char *path)
{
	static char buf[4096];
	ssize_t n;
	int fd;

	buf[0] = '\0';
	if ((fd = rump_sys_open(path, O_RDONLY)) == -1)
		return "(open failed)";
	n = rump_sys_read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	rump_sys_close(fd);
	return buf;
}

/* the names in a kernel directory, sorted, joined by spaces */
static const char *
listing(const char *path)
{
	static char out[1024];
	char buf[4096], *names[64], *tmp;
	struct linux_dirent64 *d;
	ssize_t n, off;
	int fd, nn = 0, i, j;

	out[0] = '\0';
	fd = rump_sys_open(path, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(fd, 0);
	while ((n = rump_sys_getdents64(fd, buf, sizeof(buf))) > 0)
		for (off = 0; off < n && nn < 64; off += d->d_reclen) {
			d = (struct linux_dirent64 *)(buf + off);
			if (strcmp(d->d_name, ".") != 0 &&
			    strcmp(d->d_name, "..") != 0)
				names[nn++] = strdup(d->d_name);
		}
	ck_assert_int_eq(n, 0);
	rump_sys_close(fd);
	for (i = 0; i < nn; i++)
		for (j = i + 1; j < nn; j++)
			if (strcmp(names[j], names[i]) < 0) {
				tmp = names[i];
				names[i] = names[j];
				names[j] = tmp;
			}
	for (i = 0; i < nn; i++) {
		strlcat(out, i > 0 ? " " : "", sizeof(out));
		strlcat(out, names[i], sizeof(out));
		free(names[i]);
	}
	return out;
}

static int
mkfile_kernel(const char *path)
{
	int fd;

	if ((fd = rump_sys_open(path, O_CREAT | O_WRONLY, 0644)) == -1)
		return -1;
	return rump_sys_close(fd);
}

static void
setup(void)
{
	char path[PATH_MAX];

	ck_assert_int_eq(rump_init(), 0);
	snprintf(path, sizeof(path), "%s/sub", hostdir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	hostfile("file", "host data\n");
	hostfile("sub/inner", "inner\n");
	hostfile("image", "0123456789abcdefghijklmnopqrstuvwxyz");
	snprintf(path, sizeof(path), "%s/link", hostdir);
	ck_assert_int_eq(symlink("file", path), 0);
}

START_TEST(regular_file)
{
	char path[PATH_MAX], buf[64];
	struct stat st;
	int fd;

	setup();
	snprintf(path, sizeof(path), "%s/file", hostdir);
	ck_assert_int_eq(rump_pub_etfs_register("/hostfile", path,
	    RUMP_ETFS_REG), 0);
	ck_assert_str_eq(rumpread("/hostfile"), "host data\n");
	ck_assert_int_eq(rump_sys_stat("/hostfile", &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_eq(st.st_size, 10);
	fd = rump_sys_open("/hostfile", O_WRONLY | O_APPEND);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(rump_sys_write(fd, "kernel\n", 7), 7);
	ck_assert_int_eq(rump_sys_fsync(fd), 0);
	ck_assert_str_eq(hostread("file"), "host data\nkernel\n");
	ck_assert_int_eq(rump_sys_pwrite(fd, "H", 1, 0), 1);  /* appends */
	ck_assert_int_eq(rump_sys_close(fd), 0);
	fd = rump_sys_open("/hostfile", O_RDWR);
	ck_assert_int_eq(rump_sys_pwrite(fd, "HOST", 4, 0), 4);
	ck_assert_int_eq(rump_sys_lseek(fd, 0, SEEK_END), 18);
	ck_assert_int_eq(rump_sys_ftruncate(fd, 4), 0);
	ck_assert_str_eq(hostread("file"), "HOST");
	/* removing the key leaves open descriptors working */
	FAILS(rump_sys_unlink("/hostfile"), EBUSY);
	ck_assert_int_eq(rump_pub_etfs_remove("/hostfile"), 0);
	FAILS(rump_sys_stat("/hostfile", &st), ENOENT);
	ck_assert_int_eq(rump_sys_pread(fd, buf, sizeof(buf), 0), 4);
	ck_assert_int_eq(rump_sys_close(fd), 0);
	ck_assert_int_eq(rump_pub_etfs_remove("/hostfile"), ENOENT);
	ck_assert_int_eq(rump_pub_etfs_remove("/tmp"), ENOENT);
}
END_TEST

START_TEST(window_and_devices)
{
	char path[PATH_MAX], buf[64];
	struct stat st;
	int fd;

	setup();
	snprintf(path, sizeof(path), "%s/image", hostdir);
	ck_assert_int_eq(rump_pub_etfs_register_withsize("/dev/win", path,
	    RUMP_ETFS_BLK, 10, 20), 0);
	ck_assert_int_eq(rump_sys_stat("/dev/win", &st), 0);
	ck_assert(S_ISBLK(st.st_mode));
	ck_assert_int_eq(st.st_size, 20);
	fd = rump_sys_open("/dev/win", O_RDWR);
	ck_assert_int_ge(fd, 0);
	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(rump_sys_read(fd, buf, sizeof(buf)), 20);
	ck_assert_str_eq(buf, "abcdefghijklmnopqrst");
	ck_assert_int_eq(rump_sys_pwrite(fd, "XY", 2, 18), 2);
	FAILS(rump_sys_pwrite(fd, "Z", 1, 20), ENOSPC);
	ck_assert_int_eq(rump_sys_pwrite(fd, "Z12", 3, 19), 1);
	ck_assert_int_eq(rump_sys_close(fd), 0);
	ck_assert_str_eq(hostread("image"),
	    "0123456789abcdefghijklmnopqrXZuvwxyz");
	ck_assert_int_eq(rump_pub_etfs_register("/dev/chr", path,
	    RUMP_ETFS_CHR), 0);
	ck_assert_int_eq(rump_sys_stat("/dev/chr", &st), 0);
	ck_assert(S_ISCHR(st.st_mode));
	ck_assert_str_eq(rumpread("/dev/chr"),
	    "0123456789abcdefghijklmnopqrXZuvwxyz");
}
END_TEST

START_TEST(directory)
{
	char path[PATH_MAX], buf[64];
	struct stat st;
	int fd;

	setup();
	ck_assert_int_eq(rump_pub_etfs_register("/hd", hostdir,
	    RUMP_ETFS_DIR), 0);
	ck_assert_str_eq(listing("/hd"), "file image link");
	ck_assert_str_eq(rumpread("/hd/file"), "host data\n");
	ck_assert_str_eq(rumpread("/hd/link"), "host data\n");
	ck_assert_int_eq(rump_sys_readlink("/hd/link", buf, sizeof(buf)), 4);
	FAILS(rump_sys_stat("/hd/sub", &st), ENOENT);
	FAILS(rump_sys_mkdir("/hd/newdir", 0755), EPERM);
	ck_assert_int_eq(rump_sys_symlink("file", "/hd/l2"), 0);
	ck_assert_str_eq(rumpread("/hd/l2"), "host data\n");
	snprintf(path, sizeof(path), "%s/l2", hostdir);
	ck_assert_int_eq(readlink(path, buf, sizeof(buf)), 4);
	ck_assert_int_eq(rump_sys_link("/hd/file", "/hd/f2"), 0);
	ck_assert_int_eq(rump_sys_stat("/hd/file", &st), 0);
	ck_assert_int_eq(st.st_nlink, 2);
	FAILS(rump_sys_link("/hd/file", "/tmp/f3"), EXDEV);
	ck_assert_int_eq(mkfile_kernel("/tmp/mem"), 0);
	FAILS(rump_sys_link("/tmp/mem", "/hd/f3"), EXDEV);
	ck_assert_int_eq(rump_sys_unlink("/hd/f2"), 0);
	ck_assert_int_eq(rump_sys_unlink("/hd/l2"), 0);
	/* made in the kernel, seen on the host, and back */
	fd = rump_sys_open("/hd/new", O_CREAT | O_EXCL | O_WRONLY, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(rump_sys_write(fd, "from kernel", 11), 11);
	ck_assert_int_eq(rump_sys_close(fd), 0);
	ck_assert_str_eq(hostread("new"), "from kernel");
	snprintf(path, sizeof(path), "%s/new", hostdir);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	hostfile("fromhost", "x");
	ck_assert_str_eq(listing("/hd"), "file fromhost image link new");
	ck_assert_int_eq(rump_sys_rename("/hd/new", "/hd/renamed"), 0);
	ck_assert_str_eq(hostread("renamed"), "from kernel");
	FAILS(rump_sys_rename("/hd/renamed", "/tmp/x"), EXDEV);
	ck_assert_int_eq(rump_sys_unlink("/hd/renamed"), 0);
	ck_assert_int_eq(access(path, F_OK), -1);
	ck_assert_int_eq(rump_sys_chmod("/hd/fromhost", 0640), 0);
	snprintf(path, sizeof(path), "%s/fromhost", hostdir);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0640);
	ck_assert_int_eq(rump_sys_stat("/hd/fromhost", &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0640);
	ck_assert_int_eq(st.st_uid, 0);
	ck_assert_int_eq(rump_sys_stat("/hd", &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	/* a key is like a mount point */
	FAILS(rump_sys_rmdir("/hd"), EBUSY);
	FAILS(rump_sys_rename("/hd", "/hd2"), EBUSY);
}
END_TEST

START_TEST(tree)
{
	char buf[PATH_MAX];
	struct stat st;
	int fd;

	setup();
	ck_assert_int_eq(rump_pub_etfs_register("/tmp/ht", hostdir,
	    RUMP_ETFS_DIR_SUBDIRS), 0);
	ck_assert_str_eq(listing("/tmp/ht"), "file image link sub");
	ck_assert_str_eq(listing("/tmp/ht/sub"), "inner");
	ck_assert_str_eq(rumpread("/tmp/ht/sub/inner"), "inner\n");
	ck_assert_str_eq(rumpread("/tmp/ht/sub/../file"), "host data\n");
	ck_assert_int_eq(rump_sys_chdir("/tmp/ht/sub"), 0);
	ck_assert_int_gt(rump_sys_getcwd(buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/tmp/ht/sub");
	ck_assert_int_eq(rump_sys_mkdir("deeper", 0755), 0);
	fd = rump_sys_open("deeper/f", O_CREAT | O_RDWR, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(rump_sys_write(fd, "deep", 4), 4);
	ck_assert_int_eq(rump_sys_close(fd), 0);
	ck_assert_str_eq(hostread("sub/deeper/f"), "deep");
	FAILS(rump_sys_rmdir("deeper"), ENOTEMPTY);
	ck_assert_int_eq(rump_sys_unlink("deeper/f"), 0);
	ck_assert_int_eq(rump_sys_rmdir("deeper"), 0);
	ck_assert_int_eq(rump_sys_chdir("/"), 0);
	ck_assert_int_eq(rump_sys_stat("/tmp/ht/sub", &st), 0);
	ck_assert_int_eq(st.st_nlink, 2);
	ck_assert_int_eq(rump_pub_etfs_remove("/tmp/ht/sub"), ENOENT);
	ck_assert_int_eq(rump_pub_etfs_remove("/tmp/ht"), 0);
	FAILS(rump_sys_stat("/tmp/ht", &st), ENOENT);
}
END_TEST

START_TEST(register_errors)
{
	char path[PATH_MAX];

	setup();
	snprintf(path, sizeof(path), "%s/file", hostdir);
	ck_assert_int_eq(rump_pub_etfs_register("rel", path, RUMP_ETFS_REG),
	    EINVAL);
	ck_assert_int_eq(rump_pub_etfs_register("/x", "/nonexistent/f",
	    RUMP_ETFS_REG), ENOENT);
	ck_assert_int_eq(rump_pub_etfs_register("/x", path, RUMP_ETFS_DIR),
	    ENOTDIR);
	ck_assert_int_eq(rump_pub_etfs_register("/x", hostdir,
	    RUMP_ETFS_REG), EISDIR);
	ck_assert_int_eq(rump_pub_etfs_register("/tmp", path,
	    RUMP_ETFS_REG), EEXIST);
	ck_assert_int_eq(rump_pub_etfs_register("/nodir/x", path,
	    RUMP_ETFS_REG), ENOENT);
	ck_assert_int_eq(rump_pub_etfs_register("/x", path, 99), EINVAL);
	ck_assert_int_eq(rump_pub_etfs_register_withsize("/x", hostdir,
	    RUMP_ETFS_DIR, 1, RUMP_ETFS_SIZE_ENDOFF), EINVAL);
	ck_assert_int_eq(rump_pub_etfs_register("/x", path, RUMP_ETFS_REG),
	    0);
	ck_assert_int_eq(rump_pub_etfs_register("/x", path, RUMP_ETFS_REG),
	    EEXIST);
}
END_TEST

SCENARIO_IN(open)
SCENARIO_IN(openat)
SCENARIO_IN(rw)
SCENARIO_IN(dirs)
SCENARIO_IN(names)
SCENARIO_IN(getdents)
SCENARIO_IN(cwd)
SCENARIO_IN(unlinked)
SCENARIO_IN(sizes)
SCENARIO_IN(removed)
SCENARIO_IN(times)
SCENARIO_IN(symlinks)
SCENARIO_IN(links)
SCENARIO_IN(rename)
SCENARIO_IN(attrs)

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{

	return remove(path);
}

static void
fresh_hostdir(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(hostdir, sizeof(hostdir), "%s/test_etfs.XXXXXX",
	    tmp != NULL ? tmp : "/tmp");
	if (mkdtemp(hostdir) == NULL)
		ck_abort_msg("mkdtemp: %s", strerror(errno));
}

static void
clean_hostdir(void)
{

	nftw(hostdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int
main(void)
{
	Suite *s = suite_create("etfs");
	TCase *tc = tcase_create("etfs");
	SRunner *sr;
	const char *tmp;
	int nf;

	tmp = getenv("TMPDIR");
	snprintf(hostbase, sizeof(hostbase), "%s/test_etfs_cmp.XXXXXX",
	    tmp != NULL ? tmp : "/tmp");
	snprintf(mapped, sizeof(mapped), "%s/test_etfs_map.XXXXXX",
	    tmp != NULL ? tmp : "/tmp");
	if (mkdtemp(hostbase) == NULL || mkdtemp(mapped) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, fresh_hostdir, clean_hostdir);
	tcase_add_test(tc, regular_file);
	tcase_add_test(tc, window_and_devices);
	tcase_add_test(tc, directory);
	tcase_add_test(tc, tree);
	tcase_add_test(tc, register_errors);
	tcase_add_test(tc, etfs_open);
	tcase_add_test(tc, etfs_openat);
	tcase_add_test(tc, etfs_rw);
	tcase_add_test(tc, etfs_dirs);
	tcase_add_test(tc, etfs_names);
	tcase_add_test(tc, etfs_getdents);
	tcase_add_test(tc, etfs_cwd);
	tcase_add_test(tc, etfs_unlinked);
	tcase_add_test(tc, etfs_sizes);
	tcase_add_test(tc, etfs_removed);
	tcase_add_test(tc, etfs_times);
	tcase_add_test(tc, etfs_symlinks);
	tcase_add_test(tc, etfs_links);
	tcase_add_test(tc, etfs_rename);
	tcase_add_test(tc, etfs_attrs);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	nftw(hostbase, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	nftw(mapped, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return nf == 0 ? 0 : 1;
}
