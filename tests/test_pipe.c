/*
 * test_pipe.c -- pipes in-process: writes of at most PIPE_BUF bytes
 * from concurrent writers are never interleaved, a local process gets
 * EPIPE and lives on, and pipe2 frees everything when any of its
 * allocations fails (kmem_failnth walks them all) or a descriptor
 * cannot be had.  The errors themselves are compared with the host's
 * in test_cred.c.
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

#include "kern.h"

#define NWRITERS	4
#define NRECORDS	16	/* 256 KB: four times the ring */
#define RECSIZE		4000	/* < PIPE_BUF, so the ring wraps inside */

static int wfd;
static pid_t wpid;

/* a writer thread: its own lwp in the pipe's process, its own byte */
static void *
writer(void *arg)
{
	char rec[RECSIZE];
	int i;

	memset(rec, (int)(intptr_t)arg, sizeof(rec));
	if (rump_pub_lwproc_newlwp(wpid) != 0)
		return (void *)1;
	for (i = 0; i < NRECORDS; i++)
		if (rump_sys_write(wfd, rec, sizeof(rec)) != sizeof(rec))
			return (void *)2;
	rump_pub_lwproc_releaselwp();
	return NULL;
}

START_TEST(pipe_buf_atomic)
{
	static char all[NWRITERS * NRECORDS * RECSIZE];
	pthread_t t[NWRITERS];
	size_t got = 0, i, j;
	int p[2], counts[NWRITERS + 1] = { 0 };
	ssize_t n;
	void *rv;

	ck_assert_int_eq(rump_init(), 0);
	ck_assert_int_eq(rump_pub_lwproc_rfork(RUMP_RFCFDG), 0);
	wpid = rump_sys_getpid();
	ck_assert_int_eq(rump_sys_pipe2(p, 0), 0);
	wfd = p[1];
	for (i = 0; i < NWRITERS; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, writer,
		    (void *)(intptr_t)(i + 1)), 0);
	/* small reads, so that writers keep waiting for room */
	while (got < sizeof(all)) {
		n = rump_sys_read(p[0], all + got, 3000);
		ck_assert_int_gt(n, 0);
		got += (size_t)n;
	}
	for (i = 0; i < NWRITERS; i++) {
		ck_assert_int_eq(pthread_join(t[i], &rv), 0);
		ck_assert_ptr_null(rv);
	}
	for (i = 0; i < sizeof(all); i += RECSIZE) {
		for (j = 1; j < RECSIZE; j++)
			ck_assert_msg(all[i + j] == all[i],
			    "record at %zu interleaved", i);
		counts[(int)all[i]]++;
	}
	for (i = 1; i <= NWRITERS; i++)
		ck_assert_int_eq(counts[i], NRECORDS);
}
END_TEST

/* no SIGPIPE for a local process: EPIPE, and it goes on */
START_TEST(epipe_local_lives)
{
	int p[2];

	ck_assert_int_eq(rump_init(), 0);
	ck_assert_int_eq(rump_pub_lwproc_rfork(RUMP_RFCFDG), 0);
	ck_assert_int_eq(rump_sys_pipe2(p, 0), 0);
	ck_assert_int_eq(rump_sys_close(p[0]), 0);
	errno = 0;
	ck_assert_int_eq(rump_sys_write(p[1], "x", 1), -1);
	ck_assert_int_eq(errno, EPIPE);
	ck_assert_int_eq(rump_sys_kill(rump_sys_getpid(), 0), 0);
	/* a blocking call still blocks rather than failing with EINTR */
	ck_assert_int_eq(rump_sys_pipe2(p, 0), 0);
	ck_assert_int_eq(rump_sys_write(p[1], "y", 1), 1);
	ck_assert_int_eq(rump_sys_read(p[0], p, 1), 1);
}
END_TEST

/* NetBSD's rump_sys_pipe(), which its own tests call: pipe2 with 0 */
START_TEST(pipe_netbsd_name)
{
	char c;
	int p[2];

	ck_assert_int_eq(rump_init(), 0);
	ck_assert_int_eq(rump_pub_lwproc_rfork(RUMP_RFCFDG), 0);
	ck_assert_int_eq(rump_sys_pipe(p), 0);
	ck_assert_int_ne(p[0], p[1]);
	ck_assert_int_eq(rump_sys_write(p[1], "z", 1), 1);
	ck_assert_int_eq(rump_sys_read(p[0], &c, 1), 1);
	ck_assert_int_eq(c, 'z');
	/* neither end is close-on-exec or non-blocking */
	ck_assert_int_eq(rump_sys_fcntl(p[0], F_GETFD), 0);
	ck_assert_int_eq(rump_sys_fcntl(p[1], F_GETFL) & O_NONBLOCK, 0);
	errno = 0;
	ck_assert_int_eq(rump_sys_pipe(NULL), -1);
	ck_assert_int_eq(errno, EFAULT);
}
END_TEST

/*
 * Fail pipe2's first allocation, then its second, and so on until it
 * succeeds: every failure must return an error and leave the kernel's
 * memory as it was (issue 9: a failed write end leaked the pipe).
 */
START_TEST(pipe2_alloc_failures)
{
	uint64_t before;
	int fds[2], r, err;
	long n, left;

	ck_assert_int_eq(rump_init(), 0);
	ck_assert_int_eq(rump_pub_lwproc_rfork(RUMP_RFCFDG), 0);
	/* grow the descriptor table first, so it does not count */
	ck_assert_int_eq(rump_sys_pipe2(fds, 0), 0);
	rump_sys_close(fds[0]);
	rump_sys_close(fds[1]);
	before = kmem_inuse();
	for (n = 1; n < 100; n++) {
		kmem_failnth(n);
		errno = 0;
		r = rump_sys_pipe2(fds, 0);
		err = errno;
		left = kmem_failnth(0);
		if (left > 0) {
			/* pipe2 made fewer than n allocations: it worked */
			ck_assert_int_eq(r, 0);
			rump_sys_close(fds[0]);
			rump_sys_close(fds[1]);
			break;
		}
		ck_assert_msg(r == -1 && (err == ENFILE || err == ENOMEM),
		    "allocation %ld failed: pipe2 %d errno %d", n, r, err);
		ck_assert_msg(kmem_inuse() == before,
		    "allocation %ld failed: %llu bytes lost", n,
		    (unsigned long long)(kmem_inuse() - before));
	}
	/* the pipe, its ring and two files at least */
	ck_assert_int_ge(n, 5);
	ck_assert_uint_eq(kmem_inuse(), before);
}
END_TEST

/* one free descriptor: the read end goes in, the write end cannot */
START_TEST(pipe2_emfile)
{
	struct rlimit rl = { 3, 3 };
	uint64_t before;
	int fds[2];

	ck_assert_int_eq(rump_init(), 0);
	ck_assert_int_eq(rump_pub_lwproc_rfork(RUMP_RFCFDG), 0);
	ck_assert_int_eq(rump_sys_pipe2(fds, 0), 0);
	ck_assert_int_eq(rump_sys_setrlimit(RLIMIT_NOFILE, &rl), 0);
	before = kmem_inuse();
	errno = 0;
	ck_assert_int_eq(rump_sys_pipe2(fds, 0), -1);
	ck_assert_int_eq(errno, EMFILE);
	ck_assert_uint_eq(kmem_inuse(), before);
	ck_assert_int_eq(rump_sys_dup(0), 2);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("pipe");
	TCase *tc = tcase_create("pipe");
	SRunner *sr;
	int nf;

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, pipe_buf_atomic);
	tcase_add_test(tc, epipe_local_lives);
	tcase_add_test(tc, pipe_netbsd_name);
	tcase_add_test(tc, pipe2_alloc_failures);
	tcase_add_test(tc, pipe2_emfile);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
