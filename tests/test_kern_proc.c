/*
 * test_kern_proc.c -- the kernel's process calls in-process (librump):
 * exit and wait4 (statuses, WNOHANG, ECHILD, a process group),
 * orphans, process groups and sessions, kill between local processes,
 * pipes, dup and fcntl.  Processes are made with rump_lwproc(3), so
 * the calls run exactly as a client's would, without a socket.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

/* a child of the current process; curlwp becomes the child's */
static pid_t
child(struct lwp **lp)
{

	ck_assert_int_eq(rump_pub_lwproc_rfork(RUMP_RFFDG), 0);
	*lp = rump_pub_lwproc_curlwp();
	return rump_sys_getpid();
}

/* end the current process with status st, then become l */
static void
child_exit(int st, struct lwp *l)
{

	rump_sys_exit(st);
	rump_pub_lwproc_releaselwp();
	rump_pub_lwproc_switch(l);
}

START_TEST(wait_exit_status)
{
	struct lwp *parent, *c;
	pid_t p1, p2;
	int st;

	ck_assert_int_eq(rump_init(), 0);
	ck_assert_int_eq(rump_pub_lwproc_rfork(RUMP_RFCFDG), 0);
	parent = rump_pub_lwproc_curlwp();
	errno = 0;
	ck_assert_int_eq(rump_sys_wait4(-1, &st, 0, NULL), -1);
	ck_assert_int_eq(errno, ECHILD);
	p1 = child(&c);
	rump_pub_lwproc_switch(parent);
	/* running: WNOHANG says so */
	ck_assert_int_eq(rump_sys_wait4(p1, &st, WNOHANG, NULL), 0);
	rump_pub_lwproc_switch(c);
	child_exit(3, parent);
	p2 = child(&c);
	rump_pub_lwproc_switch(parent);
	ck_assert_int_eq(rump_sys_wait4(p1, &st, 0, NULL), p1);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 3);
	/* a zombie is reaped once */
	errno = 0;
	ck_assert_int_eq(rump_sys_wait4(p1, &st, WNOHANG, NULL), -1);
	ck_assert_int_eq(errno, ECHILD);
	/* killed by a signal: a local process has no handler */
	ck_assert_int_eq(rump_sys_kill(p2, SIGTERM), 0);
	rump_pub_lwproc_switch(c);
	rump_pub_lwproc_releaselwp();
	rump_pub_lwproc_switch(parent);
	ck_assert_int_eq(rump_sys_wait4(-1, &st, 0, NULL), p2);
	ck_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	errno = 0;
	ck_assert_int_eq(rump_sys_wait4(-1, &st, WNOHANG, NULL), -1);
	ck_assert_int_eq(errno, ECHILD);
	errno = 0;
	ck_assert_int_eq(rump_sys_wait4(-1, &st, 0x4000000, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(wait_process_group)
{
	struct lwp *parent, *a, *b;
	pid_t pa, pb;
	int st;

	ck_assert_int_eq(rump_init(), 0);
	ck_assert_int_eq(rump_pub_lwproc_rfork(RUMP_RFCFDG), 0);
	parent = rump_pub_lwproc_curlwp();
	pa = child(&a);
	ck_assert_int_eq(rump_sys_setpgid(0, 0), 0);
	ck_assert_int_eq(rump_sys_getpgid(0), pa);
	rump_pub_lwproc_switch(parent);
	pb = child(&b);
	/* b joins a's group, from the parent */
	rump_pub_lwproc_switch(parent);
	ck_assert_int_eq(rump_sys_setpgid(pb, pa), 0);
	ck_assert_int_eq(rump_sys_getpgid(pb), pa);
	errno = 0;
	ck_assert_int_eq(rump_sys_setpgid(pb, 4242), -1);
	ck_assert_int_eq(errno, EPERM);
	errno = 0;
	ck_assert_int_eq(rump_sys_getpgid(99999), -1);
	ck_assert_int_eq(errno, ESRCH);
	rump_pub_lwproc_switch(b);
	child_exit(9, parent);
	ck_assert_int_eq(rump_sys_wait4(-pa, &st, 0, NULL), pb);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 9);
	/* a kill to the group reaches a */
	ck_assert_int_eq(rump_sys_kill(-pa, SIGKILL), 0);
	rump_pub_lwproc_switch(a);
	rump_pub_lwproc_releaselwp();
	rump_pub_lwproc_switch(parent);
	ck_assert_int_eq(rump_sys_wait4(0 - pa, &st, 0, NULL), pa);
	ck_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	errno = 0;
	ck_assert_int_eq(rump_sys_kill(-pa, SIGKILL), -1);
	ck_assert_int_eq(errno, ESRCH);
}
END_TEST

START_TEST(sessions)
{
	struct lwp *c;
	pid_t p;

	ck_assert_int_eq(rump_init(), 0);
	ck_assert_int_eq(rump_pub_lwproc_rfork(RUMP_RFCFDG), 0);
	p = child(&c);
	ck_assert_int_eq(rump_sys_getsid(0), 1);
	ck_assert_int_eq(rump_sys_setsid(), p);
	ck_assert_int_eq(rump_sys_getsid(0), p);
	ck_assert_int_eq(rump_sys_getpgid(0), p);
	/* a group leader cannot start another session */
	errno = 0;
	ck_assert_int_eq(rump_sys_setsid(), -1);
	ck_assert_int_eq(errno, EPERM);
	/* nor move its group */
	errno = 0;
	ck_assert_int_eq(rump_sys_setpgid(0, 0), -1);
	ck_assert_int_eq(errno, EPERM);
}
END_TEST

START_TEST(orphan_goes_to_init)
{
	struct lwp *top, *mid, *leaf;
	pid_t pm, pl;

	ck_assert_int_eq(rump_init(), 0);
	ck_assert_int_eq(rump_pub_lwproc_rfork(RUMP_RFCFDG), 0);
	top = rump_pub_lwproc_curlwp();
	pm = child(&mid);
	pl = child(&leaf);
	ck_assert_int_eq(rump_sys_getppid(), pm);
	rump_pub_lwproc_switch(mid);
	child_exit(0, leaf);
	ck_assert_int_eq(rump_sys_getpid(), pl);
	ck_assert_int_eq(rump_sys_getppid(), 1);
	rump_pub_lwproc_switch(top);
	ck_assert_int_eq(rump_sys_wait4(pm, NULL, 0, NULL), pm);
	errno = 0;
	ck_assert_int_eq(rump_sys_wait4(pl, NULL, WNOHANG, NULL), -1);
	ck_assert_int_eq(errno, ECHILD);
}
END_TEST

START_TEST(kill_errors)
{

	ck_assert_int_eq(rump_init(), 0);
	ck_assert_int_eq(rump_pub_lwproc_rfork(RUMP_RFCFDG), 0);
	errno = 0;
	ck_assert_int_eq(rump_sys_kill(99999, SIGTERM), -1);
	ck_assert_int_eq(errno, ESRCH);
	errno = 0;
	ck_assert_int_eq(rump_sys_kill(1, 1000), -1);
	ck_assert_int_eq(errno, EINVAL);
	/* signal 0 only checks; pid 1 ignores signals */
	ck_assert_int_eq(rump_sys_kill(1, 0), 0);
	ck_assert_int_eq(rump_sys_kill(1, SIGKILL), 0);
	ck_assert_int_eq(rump_sys_getpid() > 1, 1);
}
END_TEST

START_TEST(pipes_dup_fcntl)
{
	char buf[8];
	int p[2], d, fl;

	ck_assert_int_eq(rump_init(), 0);
	ck_assert_int_eq(rump_pub_lwproc_rfork(RUMP_RFCFDG), 0);
	ck_assert_int_eq(rump_sys_pipe2(p, O_CLOEXEC), 0);
	ck_assert_int_eq(rump_sys_fcntl(p[0], F_GETFD), FD_CLOEXEC);
	ck_assert_int_eq(rump_sys_write(p[1], "abc", 3), 3);
	d = rump_sys_dup(p[0]);
	ck_assert_int_gt(d, p[1]);
	ck_assert_int_eq(rump_sys_fcntl(d, F_GETFD), 0);
	ck_assert_int_eq(rump_sys_read(d, buf, sizeof(buf)), 3);
	ck_assert(memcmp(buf, "abc", 3) == 0);
	/* empty and non-blocking */
	fl = rump_sys_fcntl(p[0], F_GETFL);
	ck_assert_int_eq(fl & O_ACCMODE, O_RDONLY);
	ck_assert_int_eq(rump_sys_fcntl(p[0], F_SETFL, fl | O_NONBLOCK), 0);
	errno = 0;
	ck_assert_int_eq(rump_sys_read(p[0], buf, 1), -1);
	ck_assert_int_eq(errno, EAGAIN);
	errno = 0;
	ck_assert_int_eq(rump_sys_lseek(p[0], 0, SEEK_SET), -1);
	ck_assert_int_eq(errno, ESPIPE);
	ck_assert_int_eq(rump_sys_dup2(p[1], 10), 10);
	ck_assert_int_eq(rump_sys_close(p[1]), 0);
	ck_assert_int_eq(rump_sys_write(10, "z", 1), 1);
	ck_assert_int_eq(rump_sys_close(10), 0);
	/* writers gone: the data, then end of file */
	ck_assert_int_eq(rump_sys_read(d, buf, 8), 1);
	ck_assert_int_eq(rump_sys_read(d, buf, 8), 0);
	/* readers gone: EPIPE */
	ck_assert_int_eq(rump_sys_pipe2(p, 0), 0);
	ck_assert_int_eq(rump_sys_close(p[0]), 0);
	errno = 0;
	ck_assert_int_eq(rump_sys_write(p[1], "x", 1), -1);
	ck_assert_int_eq(errno, EPIPE);
	errno = 0;
	ck_assert_int_eq(rump_sys_dup2(p[1], -1), -1);
	ck_assert_int_eq(errno, EBADF);
	errno = 0;
	ck_assert_int_eq(rump_sys_pipe2(p, O_APPEND), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("kern_proc");
	TCase *tc = tcase_create("proc");
	SRunner *sr;
	int nf;

	tcase_add_test(tc, wait_exit_status);
	tcase_add_test(tc, wait_process_group);
	tcase_add_test(tc, sessions);
	tcase_add_test(tc, orphan_goes_to_init);
	tcase_add_test(tc, kill_errors);
	tcase_add_test(tc, pipes_dup_fcntl);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
