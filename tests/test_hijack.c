/*
 * test_hijack.c -- unmodified Debian programs (sh, cat, ls, cp, mkdir,
 * rm, mv, find, tar) run under rumprun against a real rump_server.
 *
 * Where a command's output can be compared, the same shell script runs
 * twice under rumprun, with $R a host temporary directory and then a
 * directory under /rump, and the outputs must be the same: the host
 * is the oracle.  tests/thijack covers what no tool does alone: fork
 * and exec with kernel descriptors, vfork, posix_spawn, poll and
 * select over both kinds, stdio and directory streams.
 *
 * In a sanitizer build the cases skip: the library would carry the
 * sanitizer's runtime into programs built without it.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static struct server srv;
static char rumprun[4096], thijack[4096], hostdir[64];

static void
setup(void)
{

	builddir_path("rumprun", rumprun, sizeof(rumprun));
	builddir_path("tests/thijack", thijack, sizeof(thijack));
	strcpy(hostdir, "/tmp/rumphijack.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(hostdir));
	unsetenv("RUMPHIJACK");
	srv_start(&srv, "unix", NULL);
}

static void
teardown(void)
{
	char cmd[128];

	srv_stop_clean(&srv);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", hostdir);
	ck_assert_int_eq(system(cmd), 0);
}

/* sh -c script under rumprun, with R and H set; output and status */
static int
run_sh(char *out, size_t len, const char *r, const char *script)
{
	setenv("R", r, 1);
	setenv("H", hostdir, 1);
	return run_prog(&srv, out, len, rumprun, "sh", "-c", script, NULL);
}

/* the script on the host ($R a host directory) and in the kernel */
static void
same_both(const char *script)
{
	static char hout[16384], kout[16384];
	char hr[128];
	int hs, ks;

	snprintf(hr, sizeof(hr), "%s/oracle", hostdir);
	ck_assert_int_eq(mkdir(hr, 0755), 0);
	ck_assert_int_eq(run_sh(kout, sizeof(kout), "/rump/t",
	    "mkdir /rump/t || exit 1"), 0);
	hs = run_sh(hout, sizeof(hout), hr, script);
	ks = run_sh(kout, sizeof(kout), "/rump/t", script);
	ck_assert_msg(hs == ks, "status: host %#x, kernel %#x", hs, ks);
	ck_assert_msg(strcmp(hout, kout) == 0,
	    "host said:\n%s\nkernel said:\n%s", hout, kout);
	ck_assert_msg(hout[0] != '\0', "no output at all");
}

START_TEST(shell_redirect)
{
	char out[256];

	ck_assert_int_eq(run_sh(out, sizeof(out), "",
	    "echo hi > /rump/f; cat < /rump/f"), 0);
	ck_assert_str_eq(out, "hi\n");
	/* >>, and a redirect of a program's stdio (ls uses printf) */
	ck_assert_int_eq(run_sh(out, sizeof(out), "",
	    "echo again >> /rump/f; ls /rump > /rump/ls; cat /rump/f /rump/ls"),
	    0);
	ck_assert_str_eq(out, "hi\nagain\ndev\nf\nls\ntmp\n");
	/* numbered descriptors, kernel and host, and then a kernel call */
	ck_assert_int_eq(run_sh(out, sizeof(out), "",
	    "exec 3>/rump/three; echo 3 >&3; exec 3>&-;"
	    " exec 4>$H/four; echo 4 >&4; exec 4>&-;"
	    " cat /rump/three $H/four && ls /rump | wc -l"), 0);
	ck_assert_str_eq(out, "3\n4\n5\n");
}
END_TEST

START_TEST(cat_and_cp_both_ways)
{
	char out[256];

	/* 300 KiB of varied bytes: more than one request's worth of cp */
	ck_assert_int_eq(run_sh(out, sizeof(out), "",
	    "head -c 307200 /dev/urandom > $H/big &&"
	    " cp $H/big /rump/big && cmp $H/big /rump/big &&"
	    " cat /rump/big > $H/cat && cmp $H/big $H/cat &&"
	    " cp /rump/big $H/back && cmp $H/big $H/back &&"
	    " cp -r $H /rump/tree && cmp $H/big /rump/tree/big &&"
	    " echo same"), 0);
	ck_assert_str_eq(out, "same\n");
}
END_TEST

START_TEST(ls_mkdir_find_rm)
{

	same_both("cd $R && (umask 027 && echo u > u && mkdir ud) &&"
	    " ls -ld u ud | awk '{ print $1 }' && rm -r u ud &&"
	    " mkdir -p a/b/c && echo x > a/b/c/f &&"
	    " echo yy > a/g && ln -s g a/l && chmod 640 a/g &&"
	    " ls -l a | awk 'NR > 1 { print $1, $NF }' && echo a/* &&"
	    " ls -l a/g | awk '{ print $5 }' &&"
	    " ls -ld a/b/c | awk '{ print $1 }' &&"
	    " find . | sort && find . -type f -name f && find . -type l &&"
	    " rm -r a/b && find . | sort && rm -r a && ls -A && echo end");
}
END_TEST

START_TEST(mv_within_and_across)
{
	char out[512];

	same_both("cd $R && echo one > 1 && mv 1 2 && cat 2 &&"
	    " mkdir d && mv 2 d && ls . d && mv d e && ls . e");
	/* host to kernel and back: rename says EXDEV, mv copies */
	ck_assert_int_eq(run_sh(out, sizeof(out), "",
	    "echo across > $H/a && mv $H/a /rump/a && test ! -e $H/a &&"
	    " cat /rump/a && mv /rump/a $H/b && test ! -e /rump/a &&"
	    " cat $H/b"), 0);
	ck_assert_str_eq(out, "across\nacross\n");
}
END_TEST

START_TEST(tar_in_and_out)
{
	char out[512];

	ck_assert_int_eq(run_sh(out, sizeof(out), "",
	    "mkdir -p $H/src/d/e && echo one > $H/src/d/a &&"
	    " echo two > $H/src/d/e/b && ln -s a $H/src/d/l &&"
	    " tar -C $H/src -cf /rump/x.tar . &&"
	    " mkdir /rump/out && tar -C /rump/out -xf /rump/x.tar &&"
	    " mkdir $H/back && tar -C /rump/out -cf - . | tar -C $H/back -xf -"
	    " && diff -r $H/src $H/back && tar -tf /rump/x.tar | sort &&"
	    /* -z: tar's child puts gzip's output on 1 with close and dup */
	    " tar -C $H/src -czf /rump/x.tgz d && mkdir $H/z &&"
	    " tar -C $H/z -xzf /rump/x.tgz && diff -r $H/src $H/z && echo z"),
	    0);
	ck_assert_str_eq(out,
	    "./\n./d/\n./d/a\n./d/e/\n./d/e/b\n./d/l\nz\n");
}
END_TEST

/* sed -i writes a temporary file beside its input (mkostemp) */
START_TEST(sed_in_place)
{

	same_both("cd $R && printf 'a\\nb\\n' > f && sed -i s/a/z/ f &&"
	    " cat f && ls && mkdir d && ln -s d l && realpath l/../f |"
	    " sed \"s|$R|R|\"");
}
END_TEST

START_TEST(cd_into_the_kernel)
{
	char out[512];

	ck_assert_int_eq(run_sh(out, sizeof(out), "",
	    "mkdir /rump/w && cd /rump/w && pwd && echo rel > f &&"
	    " cat /rump/w/f && cd .. && pwd && ls w && cd $H && pwd"
	    " | sed \"s|$H|H|\""), 0);
	ck_assert_str_eq(out, "/rump/w\nrel\n/rump\nf\nH\n");
}
END_TEST

START_TEST(fork_exec_vfork_spawn)
{
	char out[512];

	ck_assert_int_eq(run_prog(&srv, out, sizeof(out), rumprun, thijack,
	    "forkexec", "/rump/fe", NULL), 0);
	ck_assert_str_eq(out,
	    "fd kernel\nparent\nchild\nexec\nvfork\nspawned\n");
}
END_TEST

START_TEST(poll_and_select_mixed)
{
	char out[512];

	setenv("RUMPHIJACK", "path=/rump,socket=local", 1);
	ck_assert_int_eq(run_prog(&srv, out, sizeof(out), rumprun, thijack,
	    "poll", NULL), 0);
	unsetenv("RUMPHIJACK");
	ck_assert_str_eq(out, "socketpair kernel\nidle: 0\n"
	    "kernel written: 1 kernel\nhost written: 1 host\n"
	    "select: 2 kernel host\n");
}
END_TEST

START_TEST(stdio_and_directories)
{
	char out[512];

	ck_assert_int_eq(run_prog(&srv, out, sizeof(out), rumprun, thijack,
	    "stdio", "/rump/tmp", NULL), 0);
	ck_assert_str_eq(out,
	    "read: line 42\nreaddir: 1\nscandir: 1\ncwd: same\n"
	    "relative: ok\n"
	    "realpath: same\nmkstemp: kernel\n");
}
END_TEST

START_TEST(system_and_popen)
{
	char out[512];

	ck_assert_int_eq(run_prog(&srv, out, sizeof(out), rumprun, thijack,
	    "shell", "/rump/tmp", NULL), 0);
	ck_assert_str_eq(out, "/rump/tmp\npopen r: /rump/tmp\n"
	    "viasystem\nviapopen\n");
}
END_TEST

START_TEST(threads_and_forks)
{
	char out[512];

	ck_assert_int_eq(run_prog(&srv, out, sizeof(out), rumprun, thijack,
	    "threads", "/rump/tmp", NULL), 0);
	ck_assert_str_eq(out, "t0 2200\nc0 6\nt1 2200\nc1 6\n"
	    "t2 2200\nc2 6\nt3 2200\nc3 6\n");
}
END_TEST

START_TEST(other_prefix_bad_spec_no_server)
{
	char out[256];

	/* -p moves the kernel; /rump is then the host's (and absent) */
	ck_assert_int_eq(run_prog(&srv, out, sizeof(out), rumprun, "-p",
	    "/k", "sh", "-c", "echo p > /k/f && cat /k/f && ls /k", NULL), 0);
	ck_assert_str_eq(out, "p\ndev\nf\ntmp\n");
	/* a bad RUMPHIJACK, or no kernel: the program stops, one line */
	setenv("RUMPHIJACK", "path=/rump,bogus=1", 1);
	ck_assert_int_ne(run_prog(&srv, out, sizeof(out), rumprun, "echo",
	    "ran", NULL), 0);
	ck_assert_str_eq(out, "");
	unsetenv("RUMPHIJACK");
	ck_assert_int_ne(run_prog(&srv, out, sizeof(out), rumprun, "-s",
	    "unix:///nonexistent/sock", "echo", "ran", NULL), 0);
	ck_assert_str_eq(out, "");
}
END_TEST

int
main(void)
{
	Suite *s;
	TCase *tc;
	SRunner *sr;
	int nf;

#ifdef RUMP_SANITIZED
	printf("1..1\nok 1 - hijack # SKIP sanitizer build: librumphijack "
	    "would bring the sanitizer runtime into uninstrumented "
	    "programs\n");
	return 0;
#endif
	s = suite_create("hijack");
	tc = tcase_create("rumprun");
	signal(SIGPIPE, SIG_IGN);
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, shell_redirect);
	tcase_add_test(tc, cat_and_cp_both_ways);
	tcase_add_test(tc, ls_mkdir_find_rm);
	tcase_add_test(tc, mv_within_and_across);
	tcase_add_test(tc, tar_in_and_out);
	tcase_add_test(tc, sed_in_place);
	tcase_add_test(tc, cd_into_the_kernel);
	tcase_add_test(tc, fork_exec_vfork_spawn);
	tcase_add_test(tc, poll_and_select_mixed);
	tcase_add_test(tc, stdio_and_directories);
	tcase_add_test(tc, system_and_popen);
	tcase_add_test(tc, threads_and_forks);
	tcase_add_test(tc, other_prefix_bad_spec_no_server);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
