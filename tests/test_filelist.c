/*
 * test_filelist.c -- sysctl kern.file and the process record's open
 * descriptors, in-process through librump: each kind of open file
 * with the fields fstat(2) and fcntl(2) give for it, its name as it is
 * now (after a rename, in a deep tree), a removed file, and a buffer
 * too small.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

static const int kernfile[] = { RUMP_CTL_KERN, RUMP_KERN_FILE };

static void
boot_proc(void)
{

	ck_assert_int_eq(rump_init(), 0);
	ck_assert_int_eq(rump_pub_lwproc_rfork(RUMP_RFCFDG), 0);
}

/* this process's records, in a malloc'd array of *np */
static struct rump_fileinfo *
mine(size_t *np)
{
	struct rump_fileinfo *fi, *out;
	size_t len = 0, n, i, k = 0;
	pid_t me = rump_sys_getpid();

	ck_assert_int_eq(rump_sys___sysctl(kernfile, 2, NULL, &len, NULL, 0),
	    0);
	ck_assert_uint_eq(len % sizeof(*fi), 0);
	fi = malloc(len + sizeof(*fi));
	out = malloc(len + sizeof(*fi));
	ck_assert_int_eq(rump_sys___sysctl(kernfile, 2, fi, &len, NULL, 0),
	    0);
	n = len / sizeof(*fi);
	for (i = 0; i < n; i++)
		if (fi[i].rfi_pid == me)
			out[k++] = fi[i];
	free(fi);
	*np = k;
	return out;
}

static const struct rump_fileinfo *
byfd(const struct rump_fileinfo *fi, size_t n, int fd)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (fi[i].rfi_fd == fd)
			return &fi[i];
	ck_abort_msg("no record for fd %d", fd);
	return NULL;
}

static int
nfiles(void)
{
	struct rump_procinfo pi[16];
	ssize_t len;
	size_t i;

	len = rump_sys_proclist(pi, sizeof(pi));
	ck_assert_int_gt(len, 0);
	for (i = 0; i < (size_t)len / sizeof(pi[0]); i++)
		if (pi[i].rpi_pid == rump_sys_getpid())
			return pi[i].rpi_nfiles;
	ck_abort_msg("not in the process list");
	return -1;
}

START_TEST(each_kind)
{
	const struct rump_fileinfo *r;
	struct rump_fileinfo *fi;
	struct stat st;
	size_t n;
	int f, d, p[2], s, e;

	boot_proc();
	ck_assert_int_eq(nfiles(), 0);
	ck_assert_int_eq(rump_sys_mkdir("/a", 0755), 0);
	f = rump_sys_open("/a/f", O_RDWR | O_CREAT | O_APPEND, 0600);
	ck_assert_int_ge(f, 0);
	ck_assert_int_eq(rump_sys_write(f, "hello", 5), 5);
	d = rump_sys_open("/a", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(d, 0);
	ck_assert_int_eq(rump_sys_pipe2(p, O_NONBLOCK), 0);
	ck_assert_int_eq(rump_sys_write(p[1], "ab", 2), 2);
	s = rump_sys_socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(s, 0);
	e = rump_sys_epoll_create1(0);
	ck_assert_int_ge(e, 0);
	ck_assert_int_eq(nfiles(), 6);

	fi = mine(&n);
	ck_assert_uint_eq(n, 6);
	r = byfd(fi, n, f);
	ck_assert_int_eq(rump_sys_fstat(f, &st), 0);
	ck_assert_int_eq(r->rfi_type, RUMP_FTYPE_VNODE);
	ck_assert_int_eq(r->rfi_flags, rump_sys_fcntl(f, F_GETFL));
	ck_assert_int_eq(r->rfi_flags & O_ACCMODE, O_RDWR);
	ck_assert_int_eq(r->rfi_fdflags, 0);
	ck_assert_int_eq(r->rfi_offset, 5);
	ck_assert_int_eq(r->rfi_size, 5);
	ck_assert_uint_eq(r->rfi_ino, st.st_ino);
	ck_assert_uint_eq(r->rfi_mode, st.st_mode);
	ck_assert_str_eq(r->rfi_path, "/a/f");
	r = byfd(fi, n, d);
	ck_assert_int_eq(r->rfi_fdflags, FD_CLOEXEC);
	ck_assert(S_ISDIR(r->rfi_mode));
	ck_assert_str_eq(r->rfi_path, "/a");
	r = byfd(fi, n, p[0]);
	ck_assert_int_eq(r->rfi_type, RUMP_FTYPE_PIPE);
	ck_assert_int_eq(r->rfi_flags, O_RDONLY | O_NONBLOCK);
	ck_assert_int_eq(r->rfi_size, 2);
	ck_assert_uint_eq(r->rfi_dataid, byfd(fi, n, p[1])->rfi_dataid);
	ck_assert_int_eq(byfd(fi, n, p[1])->rfi_flags & O_ACCMODE, O_WRONLY);
	ck_assert_int_eq(byfd(fi, n, s)->rfi_type, RUMP_FTYPE_SOCKET);
	ck_assert_int_eq(byfd(fi, n, e)->rfi_type, RUMP_FTYPE_EPOLL);
	free(fi);

	/* a dup shares the open file; the name is the current one */
	ck_assert_int_eq(rump_sys_dup2(f, 20), 20);
	ck_assert_int_eq(rump_sys_rename("/a", "/b"), 0);
	fi = mine(&n);
	ck_assert_uint_eq(byfd(fi, n, 20)->rfi_id, byfd(fi, n, f)->rfi_id);
	ck_assert_int_eq(byfd(fi, n, f)->rfi_count, 2);
	ck_assert_str_eq(byfd(fi, n, f)->rfi_path, "/b/f");
	ck_assert_str_eq(byfd(fi, n, d)->rfi_path, "/b");
	free(fi);

	/* removed: no name, no links */
	ck_assert_int_eq(rump_sys_unlink("/b/f"), 0);
	ck_assert_int_eq(rump_sys_rmdir("/b"), 0);
	fi = mine(&n);
	ck_assert_str_eq(byfd(fi, n, f)->rfi_path, "");
	ck_assert_uint_eq(byfd(fi, n, f)->rfi_nlink, 0);
	ck_assert_str_eq(byfd(fi, n, d)->rfi_path, "");
	free(fi);
}
END_TEST

/* a name deeper than the record holds keeps its end */
START_TEST(deep_name)
{
	struct rump_fileinfo *fi;
	char path[1024], *want;
	size_t n, len;
	int i, f;

	boot_proc();
	strcpy(path, "");
	for (i = 0; i < 40; i++) {
		strcat(path, "/dir-number-");
		len = strlen(path);
		snprintf(path + len, sizeof(path) - len, "%02d", i);
		ck_assert_int_eq(rump_sys_mkdir(path, 0755), 0);
	}
	strcat(path, "/file");
	f = rump_sys_open(path, O_WRONLY | O_CREAT, 0644);
	ck_assert_int_ge(f, 0);
	fi = mine(&n);
	ck_assert_uint_eq(n, 1);
	len = strlen(fi[0].rfi_path);
	ck_assert_uint_eq(len, RUMP_FI_PATHLEN - 1);
	ck_assert(strncmp(fi[0].rfi_path, "...", 3) == 0);
	want = path + strlen(path) - (len - 3);
	ck_assert_str_eq(fi[0].rfi_path + 3, want);
	free(fi);
}
END_TEST

/* too small a buffer: what fits, the size needed and ENOMEM */
START_TEST(small_buffer)
{
	struct rump_fileinfo fi[1];
	size_t len = sizeof(fi);

	boot_proc();
	ck_assert_int_ge(rump_sys_open("/", O_RDONLY), 0);
	ck_assert_int_ge(rump_sys_open("/", O_RDONLY), 0);
	ck_assert_int_eq(rump_sys___sysctl(kernfile, 2, fi, &len, NULL, 0),
	    -1);
	ck_assert_int_eq(errno, ENOMEM);
	ck_assert_uint_eq(len, 2 * sizeof(fi[0]));
	ck_assert_int_eq(fi[0].rfi_fd, 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("filelist");
	TCase *tc = tcase_create("filelist");
	SRunner *sr;
	int nf;

	tcase_add_test(tc, each_kind);
	tcase_add_test(tc, deep_name);
	tcase_add_test(tc, small_buffer);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
