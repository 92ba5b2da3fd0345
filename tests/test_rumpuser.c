/*
 * test_rumpuser.c -- the hypercall library on its own, through the
 * interface of rumpuser(3): the parts the kernel of this project does
 * not call (joinable threads, tryenter, signal, the memory alignments
 * and parameter refusals), which a kernel built on rumpuser(3) may.
 * No kernel here: every call goes straight to librumpuser.
 */
#include <sys/types.h>

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rump/rumpuser.h>

START_TEST(version)
{

	ck_assert_int_eq(rumpuser_init(RUMPUSER_VERSION), 0);
	ck_assert_int_eq(rumpuser_init(RUMPUSER_VERSION + 1), EINVAL);
}
END_TEST

START_TEST(memory)
{
	void *p;

	/* no alignment, a small one and a page; zero bytes is one */
	ck_assert_int_eq(rumpuser_malloc(0, 0, &p), 0);
	rumpuser_free(p, 0);
	ck_assert_int_eq(rumpuser_malloc(100, 8, &p), 0);
	rumpuser_free(p, 100);
	ck_assert_int_eq(rumpuser_malloc(100, 4096, &p), 0);
	ck_assert_int_eq((uintptr_t)p % 4096, 0);
	rumpuser_free(p, 100);
	/* not a power of two */
	ck_assert_int_eq(rumpuser_malloc(100, 48, &p), EINVAL);
}
END_TEST

START_TEST(params)
{
	char buf[8];

	ck_assert_int_eq(setenv("RUMP_NCPU", "4", 1), 0);
	ck_assert_int_eq(rumpuser_getparam("RUMP_NCPU", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "4");
	/* too long for the buffer */
	ck_assert_int_eq(setenv("RUMP_HOSTNAME", "a-long-name", 1), 0);
	ck_assert_int_eq(rumpuser_getparam("RUMP_HOSTNAME", buf, sizeof(buf)),
	    ENAMETOOLONG);
	/* not set, and not a parameter at all */
	ck_assert_int_eq(unsetenv("RUMP_VERBOSE"), 0);
	ck_assert_int_eq(rumpuser_getparam("RUMP_VERBOSE", buf, sizeof(buf)),
	    ENOENT);
	ck_assert_int_eq(setenv("PATH_NOT_A_PARAM", "x", 1), 0);
	ck_assert_int_eq(rumpuser_getparam("PATH_NOT_A_PARAM", buf,
	    sizeof(buf)), ENOENT);
}
END_TEST

START_TEST(clocks)
{
	int64_t s1, s2;
	long n1, n2;

	ck_assert_int_eq(rumpuser_clock_gettime(RUMPUSER_CLOCK_ABSMONO, &s1,
	    &n1), 0);
	ck_assert_int_eq(rumpuser_clock_sleep(0, 1000000), 0);
	ck_assert_int_eq(rumpuser_clock_gettime(RUMPUSER_CLOCK_ABSMONO, &s2,
	    &n2), 0);
	ck_assert(s2 > s1 || (s2 == s1 && n2 >= n1 + 1000000));
	ck_assert_int_eq(rumpuser_clock_gettime(RUMPUSER_CLOCK_RELWALL, &s1,
	    &n1), 0);
	ck_assert_int_gt(s1, 1000000000);
	ck_assert_int_eq(rumpuser_clock_gettime(7, &s1, &n1), EINVAL);
	ck_assert_int_eq(rumpuser_clock_sleep(-1, 0), EINVAL);
	ck_assert_int_eq(rumpuser_clock_sleep(0, 1000000000L), EINVAL);
	ck_assert_int_eq(rumpuser_clock_sleep(0, -1), EINVAL);
}
END_TEST

START_TEST(console_and_random)
{
	unsigned char a[32], b[32];

	ck_assert_int_eq(rumpuser_conswrite("", 0), 0);
	rumpuser_dprintf("%s", "");
	ck_assert_int_eq(rumpuser_getrandom(a, sizeof(a)), 0);
	ck_assert_int_eq(rumpuser_getrandom(b, sizeof(b)), 0);
	ck_assert(memcmp(a, b, sizeof(a)) != 0);
}
END_TEST

static struct rumpuser_mtx *mtx;
static struct rumpuser_cv *cv;
static int state;

/* take the lock, report, wait for the test to signal, leave */
static void *
waiter(void *arg)
{

	rumpuser_mutex_enter(mtx);
	state = 1;
	rumpuser_cv_signal(cv);
	while (state != 2)
		rumpuser_cv_wait(cv, mtx);
	state = 3;
	rumpuser_cv_signal(cv);
	rumpuser_mutex_exit(mtx);
	return arg;
}

static void *
exiter(void *arg)
{

	(void)arg;
	rumpuser_thread_exit();
}

START_TEST(threads_and_locks)
{
	void *cookie;

	rumpuser_mutex_init(&mtx);
	rumpuser_cv_init(&cv);
	/* tryenter: free, then held by us */
	ck_assert_int_eq(rumpuser_mutex_tryenter(mtx), 0);
	ck_assert(rumpuser_mutex_owned(mtx));
	ck_assert_int_eq(rumpuser_mutex_tryenter(mtx), EBUSY);
	rumpuser_mutex_exit(mtx);
	ck_assert(!rumpuser_mutex_owned(mtx));

	state = 0;
	ck_assert_int_eq(rumpuser_thread_create(waiter, NULL,
	    "a-thread-with-a-long-name", 1, &cookie), 0);
	ck_assert_ptr_nonnull(cookie);
	rumpuser_mutex_enter(mtx);
	while (state != 1)
		rumpuser_cv_wait(cv, mtx);
	state = 2;
	rumpuser_cv_broadcast(cv);
	while (state != 3)
		rumpuser_cv_wait(cv, mtx);
	/* a wait that times out */
	ck_assert_int_eq(rumpuser_cv_timedwait(cv, mtx, 0, 1000000),
	    ETIMEDOUT);
	rumpuser_mutex_exit(mtx);
	ck_assert_int_eq(rumpuser_thread_join(cookie), 0);

	/* a joinable thread that leaves with thread_exit; a detached one */
	ck_assert_int_eq(rumpuser_thread_create(exiter, NULL, NULL, 1,
	    &cookie), 0);
	ck_assert_int_eq(rumpuser_thread_join(cookie), 0);
	ck_assert_int_eq(rumpuser_thread_create(exiter, NULL, "detached", 0,
	    &cookie), 0);
	ck_assert_ptr_null(cookie);
	ck_assert_int_eq(rumpuser_thread_join(NULL), EINVAL);

	rumpuser_cv_destroy(cv);
	rumpuser_mutex_destroy(mtx);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("rumpuser");
	TCase *tc = tcase_create("rumpuser");
	SRunner *sr;
	int nf;

	tcase_add_test(tc, version);
	tcase_add_test(tc, memory);
	tcase_add_test(tc, params);
	tcase_add_test(tc, clocks);
	tcase_add_test(tc, console_and_random);
	tcase_add_test(tc, threads_and_locks);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
