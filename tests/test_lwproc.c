/*
 * test_lwproc.c -- rump_lwproc(3) in-process: the kernel linked into
 * the test (librump), driven through rump_pub_lwproc_* and rump_sys_*.
 * Each test runs in its own forked child (Check's default), so each
 * boots a fresh kernel; the fatal misuses are expected to abort.
 */
#include <sys/types.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

static void
boot(void)
{

	ck_assert_int_eq(rump_init(), 0);
}

START_TEST(implicit_is_pid1)
{

	boot();
	ck_assert_ptr_null(rump_pub_lwproc_curlwp());
	ck_assert_int_eq(rump_sys_getpid(), 1);
	ck_assert_int_eq(rump_sys_getppid(), 0);
	ck_assert_int_eq(rump_sys_getuid(), 0);
	ck_assert_int_eq(rump_sys_geteuid(), 0);
}
END_TEST

START_TEST(rfork_new_process)
{
	struct lwp *l;
	pid_t pid;

	boot();
	ck_assert_int_eq(rump_pub_lwproc_rfork(RUMP_RFCFDG), 0);
	l = rump_pub_lwproc_curlwp();
	ck_assert_ptr_nonnull(l);
	pid = rump_sys_getpid();
	ck_assert_int_gt(pid, 1);
	ck_assert_int_eq(rump_sys_getppid(), 1);
	/* its child has it as parent */
	ck_assert_int_eq(rump_pub_lwproc_rfork(RUMP_RFFDG), 0);
	ck_assert_int_ne(rump_sys_getpid(), pid);
	ck_assert_int_eq(rump_sys_getppid(), pid);
	ck_assert_ptr_ne(rump_pub_lwproc_curlwp(), l);
	rump_pub_lwproc_releaselwp();
	rump_pub_lwproc_switch(l);
	ck_assert_int_eq(rump_sys_getpid(), pid);
}
END_TEST

START_TEST(rfork_badflags)
{

	boot();
	ck_assert_int_eq(rump_pub_lwproc_rfork(RUMP_RFFDG | RUMP_RFCFDG),
	    EINVAL);
	ck_assert_int_eq(rump_pub_lwproc_rfork(0x40), EINVAL);
	ck_assert_ptr_null(rump_pub_lwproc_curlwp());
}
END_TEST

/* open a file in the current process, return the descriptor */
static int
openfile(const char *path)
{
	int fd;

	fd = rump_sys_open(path, O_RDWR | O_CREAT, 0644);
	ck_assert_int_ge(fd, 0);
	return fd;
}

START_TEST(rfork_shared_fds)
{
	struct lwp *parent;
	int fd, fd2;

	boot();
	ck_assert_int_eq(rump_pub_lwproc_rfork(RUMP_RFCFDG), 0);
	parent = rump_pub_lwproc_curlwp();
	fd = openfile("/tmp/a");
	ck_assert_int_eq(rump_pub_lwproc_rfork(0), 0);
	/* the child sees the parent's descriptor and shares later ones */
	ck_assert_int_eq(rump_sys_write(fd, "xy", 2), 2);
	fd2 = openfile("/tmp/b");
	rump_pub_lwproc_switch(parent);
	ck_assert_int_eq(rump_sys_lseek(fd, 0, SEEK_CUR), 2);
	ck_assert_int_eq(rump_sys_close(fd2), 0);
}
END_TEST

START_TEST(rfork_copied_fds)
{
	struct lwp *parent, *child;
	int fd, fd2;

	boot();
	ck_assert_int_eq(rump_pub_lwproc_rfork(RUMP_RFCFDG), 0);
	parent = rump_pub_lwproc_curlwp();
	fd = openfile("/tmp/a");
	ck_assert_int_eq(rump_pub_lwproc_rfork(RUMP_RFFDG), 0);
	child = rump_pub_lwproc_curlwp();
	/* copied table, shared open file: the offset moves for both */
	ck_assert_int_eq(rump_sys_write(fd, "abc", 3), 3);
	fd2 = openfile("/tmp/b");
	rump_pub_lwproc_switch(parent);
	ck_assert_int_eq(rump_sys_lseek(fd, 0, SEEK_CUR), 3);
	/* the child's later descriptor is not in the parent's table */
	errno = 0;
	ck_assert_int_eq(rump_sys_close(fd2), -1);
	ck_assert_int_eq(errno, EBADF);
	/* closing in the parent leaves the child's copy open */
	ck_assert_int_eq(rump_sys_close(fd), 0);
	rump_pub_lwproc_switch(child);
	ck_assert_int_eq(rump_sys_lseek(fd, 0, SEEK_SET), 0);
}
END_TEST

START_TEST(rfork_clean_fds)
{
	int fd;

	boot();
	ck_assert_int_eq(rump_pub_lwproc_rfork(RUMP_RFCFDG), 0);
	fd = openfile("/tmp/a");
	ck_assert_int_eq(rump_pub_lwproc_rfork(RUMP_RFCFDG), 0);
	errno = 0;
	ck_assert_int_eq(rump_sys_close(fd), -1);
	ck_assert_int_eq(errno, EBADF);
	/* and the lowest descriptor is free again */
	ck_assert_int_eq(openfile("/tmp/b"), 0);
}
END_TEST

START_TEST(newlwp_same_process)
{
	struct lwp *l1, *l2;
	pid_t pid;

	boot();
	ck_assert_int_eq(rump_pub_lwproc_rfork(RUMP_RFCFDG), 0);
	l1 = rump_pub_lwproc_curlwp();
	pid = rump_sys_getpid();
	ck_assert_int_eq(rump_pub_lwproc_newlwp(pid), 0);
	l2 = rump_pub_lwproc_curlwp();
	ck_assert_ptr_ne(l1, l2);
	ck_assert_int_eq(rump_sys_getpid(), pid);
	/* releasing one lwp keeps the process */
	rump_pub_lwproc_releaselwp();
	ck_assert_ptr_null(rump_pub_lwproc_curlwp());
	ck_assert_int_eq(rump_sys_getpid(), 1);
	rump_pub_lwproc_switch(l1);
	ck_assert_int_eq(rump_sys_getpid(), pid);
	ck_assert_int_eq(rump_pub_lwproc_newlwp(99999), ESRCH);
	/* a failed newlwp leaves curlwp alone */
	ck_assert_ptr_eq(rump_pub_lwproc_curlwp(), l1);
}
END_TEST

START_TEST(release_last_lwp)
{
	pid_t pid;
	int fd;

	boot();
	ck_assert_int_eq(rump_pub_lwproc_rfork(RUMP_RFCFDG), 0);
	pid = rump_sys_getpid();
	fd = openfile("/tmp/kept");
	ck_assert_int_eq(rump_sys_write(fd, "data", 4), 4);
	rump_pub_lwproc_releaselwp();
	ck_assert_ptr_null(rump_pub_lwproc_curlwp());
	/* the process is gone */
	ck_assert_int_eq(rump_pub_lwproc_newlwp(pid), ESRCH);
	/* what it wrote is not */
	{
		struct stat sb;

		ck_assert_int_eq(rump_sys_stat("/tmp/kept", &sb), 0);
		ck_assert_int_eq(sb.st_size, 4);
	}
}
END_TEST

START_TEST(switch_null_is_implicit)
{

	boot();
	ck_assert_int_eq(rump_pub_lwproc_rfork(RUMP_RFCFDG), 0);
	ck_assert_int_gt(rump_sys_getpid(), 1);
	rump_pub_lwproc_switch(NULL);
	ck_assert_ptr_null(rump_pub_lwproc_curlwp());
	ck_assert_int_eq(rump_sys_getpid(), 1);
}
END_TEST

START_TEST(fatal_release_implicit)
{

	boot();
	rump_pub_lwproc_releaselwp();
}
END_TEST

static pthread_mutex_t mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static struct lwp *otherlwp;

static void *
holdlwp(void *arg)
{

	ck_assert_int_eq(rump_pub_lwproc_rfork(RUMP_RFCFDG), 0);
	pthread_mutex_lock(&mtx);
	otherlwp = rump_pub_lwproc_curlwp();
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mtx);
	pause();
	return NULL;
}

START_TEST(fatal_switch_running)
{
	pthread_t t;

	boot();
	pthread_create(&t, NULL, holdlwp, NULL);
	pthread_mutex_lock(&mtx);
	while (otherlwp == NULL)
		pthread_cond_wait(&cv, &mtx);
	pthread_mutex_unlock(&mtx);
	rump_pub_lwproc_switch(otherlwp);
}
END_TEST

#define NTHREADS	8
static pid_t tpids[NTHREADS];

static void *
rforker(void *arg)
{
	int i = (int)(intptr_t)arg, n;

	if (rump_pub_lwproc_rfork(RUMP_RFCFDG) != 0)
		return (void *)1;
	tpids[i] = rump_sys_getpid();
	for (n = 0; n < 1000; n++) {
		if (rump_sys_getpid() != tpids[i])
			return (void *)1;
	}
	rump_pub_lwproc_releaselwp();
	return NULL;
}

START_TEST(threads_own_processes)
{
	pthread_t t[NTHREADS];
	void *rv;
	int i, j;

	boot();
	for (i = 0; i < NTHREADS; i++)
		pthread_create(&t[i], NULL, rforker, (void *)(intptr_t)i);
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(t[i], &rv);
		ck_assert_ptr_null(rv);
	}
	for (i = 0; i < NTHREADS; i++)
		for (j = i + 1; j < NTHREADS; j++)
			ck_assert_int_ne(tpids[i], tpids[j]);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("lwproc");
	TCase *tc = tcase_create("lwproc");
	SRunner *sr;
	int nf;

	tcase_add_test(tc, implicit_is_pid1);
	tcase_add_test(tc, rfork_new_process);
	tcase_add_test(tc, rfork_badflags);
	tcase_add_test(tc, rfork_shared_fds);
	tcase_add_test(tc, rfork_copied_fds);
	tcase_add_test(tc, rfork_clean_fds);
	tcase_add_test(tc, newlwp_same_process);
	tcase_add_test(tc, release_last_lwp);
	tcase_add_test(tc, switch_null_is_implicit);
	tcase_add_test(tc, threads_own_processes);
	tcase_add_test_raise_signal(tc, fatal_release_implicit, SIGABRT);
	tcase_add_test_raise_signal(tc, fatal_switch_running, SIGABRT);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
