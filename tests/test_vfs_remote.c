/*
 * test_vfs_remote.c -- the host-compared file system scenarios of
 * fs_scen.c, run by a client of a real rump_server (librumpclient), so
 * that every file system call is checked over the wire too: the
 * buffers that travel inline (STR, IN, OUT) and those the server
 * fetches with COPYIN/COPYOUT (the iovecs of readv and writev).
 *
 * One server serves every test (an unchecked fixture, in the parent);
 * each test runs in a child forked by Check, which connects as a new
 * process of the kernel.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rump/rumpclient.h>
#include <rump/rump_syscalls.h>

#include "fs_scen.h"
#include "harness.h"

static struct server srv;

static int
boot_remote(void)
{

	if (setenv("RUMP_SERVER", srv.url, 1) == -1)
		return errno;
	if (rumpclient_init() != 0)
		return errno;
	/* a client is a process of its own, never pid 1 */
	return rump_sys_getpid() > 1 ? 0 : EPROTO;
}

int (*fs_rump_seteids)(uid_t, gid_t);	/* no setuid call */
int (*fs_boot)(void) = boot_remote;

static void
server_up(void)
{

	srv_start(&srv, "unix", NULL);
}

static void
server_down(void)
{

	(void)srv_stop(&srv);
}

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

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{

	return remove(path);
}

int
main(void)
{
	Suite *s = suite_create("vfs_remote");
	TCase *tc = tcase_create("vfs_remote");
	SRunner *sr;
	const char *tmp;
	int nf;

	signal(SIGPIPE, SIG_IGN);
	tmp = getenv("TMPDIR");
	snprintf(hostbase, sizeof(hostbase), "%s/test_vfs_remote.XXXXXX",
	    tmp != NULL ? tmp : "/tmp");
	if (mkdtemp(hostbase) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	tcase_set_timeout(tc, 60);
	tcase_add_unchecked_fixture(tc, server_up, server_down);
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
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	nftw(hostbase, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return nf == 0 ? 0 : 1;
}
