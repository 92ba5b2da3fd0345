/*
 * test_fs_integration.c -- the file system with a real rump_server and
 * real client processes: host files mapped with -d (written by one
 * client, read by another, and found on the host after the server
 * exits), a client's remote readv/writev and rename, and the memory
 * limit below which the server refuses to boot (one line, exit 1,
 * never a panic).
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rump/rump.h>

#include "harness.h"

static struct server srv;
static char hostdir[256];

static void
hostdir_make(void)
{

	strcpy(hostdir, "/tmp/rumpfs.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(hostdir));
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{

	return remove(path);
}

/* the contents of a host file, or "" */
static const char *
hostread(const char *path)
{
	static char buf[1024];
	ssize_t n;
	int fd;

	buf[0] = '\0';
	if ((fd = open(path, O_RDONLY)) == -1)
		return buf;
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	return buf;
}

START_TEST(etfs_round_trip)
{
	char file[300], dir[300], spec1[700], spec2[700], spec3[700];
	char out[256];
	const char *extra[7];
	struct stat st;
	int status, fd;

	hostdir_make();
	snprintf(file, sizeof(file), "%s/data", hostdir);
	snprintf(dir, sizeof(dir), "%s/tree", hostdir);
	fd = open(file, O_CREAT | O_WRONLY, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "from the host", 13), 13);
	close(fd);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	snprintf(spec1, sizeof(spec1), "key=/data,hostpath=%s,type=reg",
	    file);
	snprintf(spec2, sizeof(spec2), "key=/tmp/tree,hostpath=%s,"
	    "type=dirsubdirs", dir);
	extra[0] = "-d";
	extra[1] = spec1;
	extra[2] = "-d";
	extra[3] = spec2;
	/* a disk image that does not exist yet: made and sized */
	snprintf(spec3, sizeof(spec3), "key=/dev/img,hostpath=%s/disk.img,"
	    "type=blk,size=64k,offset=4k", hostdir);
	extra[4] = "-d";
	extra[5] = spec3;
	extra[6] = NULL;
	srv_start(&srv, "unix", extra);
	ck_assert_int_eq(run_client(&srv, out, sizeof(out), "read", "/data",
	    NULL), 0);
	ck_assert_str_eq(out, "from the host");
	ck_assert_int_eq(run_client(&srv, out, sizeof(out), "write", "/data",
	    "written in the kernel", NULL), 0);
	ck_assert_int_eq(run_client(&srv, out, sizeof(out), "write",
	    "/tmp/tree/new", "a new host file", NULL), 0);
	ck_assert_int_eq(run_client(&srv, out, sizeof(out), "read",
	    "/tmp/tree/new", NULL), 0);
	ck_assert_str_eq(out, "a new host file");
	ck_assert_int_eq(run_client(&srv, out, sizeof(out), "write",
	    "/dev/img", "block", NULL), 0);
	status = srv_stop(&srv);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	snprintf(file, sizeof(file), "%s/disk.img", hostdir);
	ck_assert_int_eq(stat(file, &st), 0);
	ck_assert_int_eq(st.st_size, 68 * 1024);
	fd = open(file, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, out, 5, 4096), 5);
	ck_assert(memcmp(out, "block", 5) == 0);
	close(fd);
	snprintf(file, sizeof(file), "%s/data", hostdir);
	/* the server is gone; the host has the results */
	ck_assert_str_eq(hostread(file), "written in the kernel");
	snprintf(file, sizeof(file), "%s/tree/new", hostdir);
	ck_assert_str_eq(hostread(file), "a new host file");
	nftw(hostdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}
END_TEST

/* run rump_server -s with args and capture its exit status and stderr */
static int
server_fails(char *err, size_t errlen, const char *a1, const char *a2,
    const char *a3)
{
	char bin[4096];
	int p[2], status;
	ssize_t n, got;
	pid_t pid;

	builddir_path("rump_server", bin, sizeof(bin));
	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(p[1], 2);
		close(p[0]);
		close(p[1]);
		execl(bin, bin, "-s", a1, a2, a3, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	got = 0;
	while ((n = read(p[0], err + got, errlen - 1 - (size_t)got)) > 0)
		got += n;
	err[got] = '\0';
	close(p[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return status;
}

START_TEST(memlimit_too_small)
{
	char err[512], want[64], url[300], dir[] = "/tmp/rumpfs.XXXXXX";
	int status;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(url, sizeof(url), "unix://%s/sock", dir);
	status = server_fails(err, sizeof(err), "-r", "1k", url);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 1,
	    "status %#x: %s", status, err);
	snprintf(want, sizeof(want), "at least %d bytes", RUMP_MEMLIMIT_MIN);
	ck_assert_msg(strstr(err, want) != NULL, "stderr: %s", err);
	ck_assert_int_eq(strchr(err, '\n') - err + 1, (long)strlen(err));
	/* just below the minimum: the same; a bad drivespec: one line */
	snprintf(want, sizeof(want), "%d", RUMP_MEMLIMIT_MIN - 1);
	status = server_fails(err, sizeof(err), "-r", want, url);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1);
	status = server_fails(err, sizeof(err), "-d", "key=/x", url);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1);
	ck_assert_msg(strstr(err, "drivespec") != NULL, "stderr: %s", err);
	status = server_fails(err, sizeof(err), "-d",
	    "key=/x,hostpath=/nonexistent/file,type=reg", url);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1);
	ck_assert_msg(strstr(err, "No such file") != NULL, "stderr: %s", err);
	ck_assert_int_eq(strchr(err, '\n') - err + 1, (long)strlen(err));
	rmdir(dir);
}
END_TEST

START_TEST(memlimit_minimum_boots)
{
	char lim[32], out[64];
	const char *extra[3];

	snprintf(lim, sizeof(lim), "%d", RUMP_MEMLIMIT_MIN);
	extra[0] = "-r";
	extra[1] = lim;
	extra[2] = NULL;
	srv_start(&srv, "unix", extra);
	ck_assert_int_eq(run_client(&srv, out, sizeof(out), "write",
	    "/tmp/f", "small", NULL), 0);
	ck_assert_int_eq(run_client(&srv, out, sizeof(out), "read",
	    "/tmp/f", NULL), 0);
	ck_assert_str_eq(out, "small");
	ck_assert_int_eq(srv_stop(&srv), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("fs_integration");
	TCase *tc = tcase_create("fs_integration");
	SRunner *sr;
	int nf;

	signal(SIGPIPE, SIG_IGN);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, etfs_round_trip);
	tcase_add_test(tc, memlimit_too_small);
	tcase_add_test(tc, memlimit_minimum_boots);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
