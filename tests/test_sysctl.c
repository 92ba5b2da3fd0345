/*
 * test_sysctl.c -- __sysctl(2) and its tree, sethostname(2) and
 * /dev/console, in-process through librump.  The host has no sysctl
 * of this shape to compare with; uname(2) and sethostname(2) errors
 * follow Linux's man pages.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

#include "kern.h"

static int
ctl(const int *mib, unsigned int len, void *old, size_t *oldlen,
    const void *new, size_t newlen)
{

	return rump_sys___sysctl(mib, len, old, oldlen, new, newlen);
}

static void
ctl_str(const int *mib, unsigned int len, char *buf, size_t size)
{
	size_t n = size;

	ck_assert_int_eq(ctl(mib, len, buf, &n, NULL, 0), 0);
	ck_assert_uint_eq(n, strlen(buf) + 1);
}

static void
boot_proc(void)
{

	ck_assert_int_eq(rump_init(), 0);
	ck_assert_int_eq(rump_pub_lwproc_rfork(RUMP_RFCFDG), 0);
}

START_TEST(nodes)
{
	static const int ostype[] = { RUMP_CTL_KERN, RUMP_KERN_OSTYPE },
	    osrel[] = { RUMP_CTL_KERN, RUMP_KERN_OSRELEASE },
	    mproc[] = { RUMP_CTL_KERN, RUMP_KERN_MAXPROC },
	    ncpu[] = { RUMP_CTL_HW, RUMP_HW_NCPU },
	    machine[] = { RUMP_CTL_HW, RUMP_HW_MACHINE },
	    procall[] = { RUMP_CTL_KERN, RUMP_KERN_PROC, RUMP_KERN_PROC_ALL };
	struct rump_procinfo pi[8], pl[8];
	struct utsname u;
	char buf[128];
	size_t n;
	int v;

	boot_proc();
	ck_assert_int_eq(rump_sys_uname(&u), 0);
	ctl_str(ostype, 2, buf, sizeof(buf));
	ck_assert_str_eq(buf, u.sysname);
	ctl_str(osrel, 2, buf, sizeof(buf));
	ck_assert_str_eq(buf, u.release);
	ctl_str(machine, 2, buf, sizeof(buf));
	ck_assert_str_eq(buf, u.machine);
	n = sizeof(v);
	ck_assert_int_eq(ctl(mproc, 2, &v, &n, NULL, 0), 0);
	ck_assert_int_eq(v, maxproc);
	ck_assert_uint_eq(n, sizeof(int));
	ck_assert_int_eq(ctl(ncpu, 2, &v, &n, NULL, 0), 0);
	ck_assert_int_eq(v, 1);
	/* the size alone, then a buffer too small: ENOMEM, what fits */
	n = 0;
	ck_assert_int_eq(ctl(ostype, 2, NULL, &n, NULL, 0), 0);
	ck_assert_uint_eq(n, strlen(u.sysname) + 1);
	memset(buf, 'x', sizeof(buf));
	n = 2;
	errno = 0;
	ck_assert_int_eq(ctl(ostype, 2, buf, &n, NULL, 0), -1);
	ck_assert_int_eq(errno, ENOMEM);
	ck_assert_uint_eq(n, strlen(u.sysname) + 1);
	ck_assert(memcmp(buf, u.sysname, 2) == 0 && buf[2] == 'x');
	/* kern.proc.all is the process list */
	n = sizeof(pi);
	ck_assert_int_eq(ctl(procall, 3, pi, &n, NULL, 0), 0);
	ck_assert_int_eq(rump_sys_proclist(pl, sizeof(pl)), (ssize_t)n);
	ck_assert_uint_eq(n, 2 * sizeof(pi[0]));
	ck_assert_int_eq(pi[0].rpi_pid, 1);
	ck_assert_int_eq(pi[1].rpi_pid, rump_sys_getpid());
}
END_TEST

START_TEST(errors)
{
	static const int ostype[] = { RUMP_CTL_KERN, RUMP_KERN_OSTYPE, 1 },
	    kern[] = { RUMP_CTL_KERN }, nope[] = { RUMP_CTL_KERN, 999 },
	    deep[RUMP_CTL_MAXNAME + 1] = { RUMP_CTL_KERN };
	char buf[64];
	size_t n = sizeof(buf);

	boot_proc();
	errno = 0;
	ck_assert_int_eq(ctl(ostype, 3, buf, &n, NULL, 0), -1);
	ck_assert_int_eq(errno, ENOTDIR);
	errno = 0;
	ck_assert_int_eq(ctl(kern, 1, buf, &n, NULL, 0), -1);
	ck_assert_int_eq(errno, EISDIR);
	errno = 0;
	ck_assert_int_eq(ctl(nope, 2, buf, &n, NULL, 0), -1);
	ck_assert_int_eq(errno, ENOENT);
	errno = 0;
	ck_assert_int_eq(ctl(kern, 0, buf, &n, NULL, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(ctl(deep, RUMP_CTL_MAXNAME + 1, buf, &n, NULL, 0),
	    -1);
	ck_assert_int_eq(errno, EINVAL);
	/* read-only, even for root */
	errno = 0;
	ck_assert_int_eq(ctl(ostype, 2, NULL, NULL, "x", 1), -1);
	ck_assert_int_eq(errno, EPERM);
}
END_TEST

START_TEST(hostname)
{
	static const int mib[] = { RUMP_CTL_KERN, RUMP_KERN_HOSTNAME };
	char buf[128], long65[66];
	struct utsname u;
	size_t n = sizeof(buf);

	boot_proc();
	/* the old value comes back, the new one is set */
	ck_assert_int_eq(ctl(mib, 2, buf, &n, "alpha", 5), 0);
	ck_assert_str_eq(buf, "rump");
	ck_assert_int_eq(rump_sys_uname(&u), 0);
	ck_assert_str_eq(u.nodename, "alpha");
	ctl_str(mib, 2, buf, sizeof(buf));
	ck_assert_str_eq(buf, "alpha");
	/* sethostname(2): not NUL-terminated, at most 64 bytes */
	ck_assert_int_eq(rump_sys_sethostname("betagamma", 4), 0);
	ck_assert_int_eq(rump_sys_uname(&u), 0);
	ck_assert_str_eq(u.nodename, "beta");
	memset(long65, 'h', sizeof(long65));
	ck_assert_int_eq(rump_sys_sethostname(long65, 64), 0);
	ck_assert_int_eq(rump_sys_uname(&u), 0);
	ck_assert_uint_eq(strlen(u.nodename), 64);
	errno = 0;
	ck_assert_int_eq(rump_sys_sethostname(long65, 65), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(ctl(mib, 2, NULL, NULL, long65, 65), -1);
	ck_assert_int_eq(errno, EINVAL);
	/* not root: EPERM both ways */
	ck_assert_int_eq(rump_sys_setuid(1000), 0);
	errno = 0;
	ck_assert_int_eq(rump_sys_sethostname("x", 1), -1);
	ck_assert_int_eq(errno, EPERM);
	errno = 0;
	ck_assert_int_eq(ctl(mib, 2, NULL, NULL, "x", 1), -1);
	ck_assert_int_eq(errno, EPERM);
	ck_assert_int_eq(rump_sys_uname(&u), 0);
	ck_assert_uint_eq(strlen(u.nodename), 64);
}
END_TEST

/* names to numbers and back, and a walk over every leaf */
START_TEST(names)
{
	static const int name2oid[] = { RUMP_CTL_SYSCTL, RUMP_SYSCTL_NAME2OID };
	int mib[RUMP_CTL_MAXNAME + 2], q[RUMP_CTL_MAXNAME + 2], type;
	char name[256], all[1024] = "";
	size_t n, i;

	boot_proc();
	n = sizeof(mib);
	ck_assert_int_eq(ctl(name2oid, 2, mib, &n, "kern.hostname", 13), 0);
	ck_assert_uint_eq(n, 2 * sizeof(int));
	ck_assert(mib[0] == RUMP_CTL_KERN && mib[1] == RUMP_KERN_HOSTNAME);
	n = sizeof(mib);
	errno = 0;
	ck_assert_int_eq(ctl(name2oid, 2, mib, &n, "kern.nope", 9), -1);
	ck_assert_int_eq(errno, ENOENT);
	/* walk: {0,2} first, then {0,2,mib...} until ENOENT */
	q[0] = RUMP_CTL_SYSCTL;
	q[1] = RUMP_SYSCTL_NEXT;
	n = sizeof(mib);
	ck_assert_int_eq(ctl(q, 2, mib, &n, NULL, 0), 0);
	for (;;) {
		q[1] = RUMP_SYSCTL_NAME;
		memcpy(q + 2, mib, n);
		ctl_str(q, 2 + n / sizeof(int), name, sizeof(name));
		strlcat(all, name, sizeof(all));
		q[1] = RUMP_SYSCTL_TYPE;
		i = sizeof(type);
		ck_assert_int_eq(ctl(q, 2 + n / sizeof(int), &type, &i, NULL,
		    0), 0);
		snprintf(name, sizeof(name), ":%d ", type);
		strlcat(all, name, sizeof(all));
		q[1] = RUMP_SYSCTL_NEXT;
		i = n / sizeof(int);
		n = sizeof(mib);
		if (ctl(q, 2 + i, mib, &n, NULL, 0) == -1) {
			ck_assert_int_eq(errno, ENOENT);
			break;
		}
	}
	ck_assert_str_eq(all, "kern.ostype:3 kern.osrelease:3 kern.maxproc:2 "
	    "kern.hostname:3 kern.proc.all:5 kern.file:5 hw.machine:3 "
	    "hw.ncpu:2 ");
}
END_TEST

static int64_t
counter(void *arg)
{

	return *(int64_t *)arg;
}

/* the hook for counters outside the kernel: kern.sysproxy.* */
START_TEST(addquad)
{
	static const int name2oid[] = { RUMP_CTL_SYSCTL, RUMP_SYSCTL_NAME2OID };
	int64_t val = 12345678901LL, got;
	int mib[4];
	size_t n = sizeof(mib);

	boot_proc();
	rump_schedule();
	ck_assert_int_eq(sysctl_addquad("kern.sysproxy", "clients", 1,
	    counter, &val), 0);
	ck_assert_int_eq(sysctl_addquad("kern.sysproxy", "clients", 2,
	    counter, &val), EEXIST);
	ck_assert_int_eq(sysctl_addquad("kern.nope", "x", 1, counter, &val),
	    ENOENT);
	rump_unschedule();
	ck_assert_int_eq(ctl(name2oid, 2, mib, &n, "kern.sysproxy.clients",
	    21), 0);
	ck_assert_uint_eq(n, 3 * sizeof(int));
	n = sizeof(got);
	ck_assert_int_eq(ctl(mib, 3, &got, &n, NULL, 0), 0);
	ck_assert(got == val);
	val = 7;
	ck_assert_int_eq(ctl(mib, 3, &got, &n, NULL, 0), 0);
	ck_assert(got == 7);
	errno = 0;
	ck_assert_int_eq(ctl(mib, 3, NULL, NULL, &got, sizeof(got)), -1);
	ck_assert_int_eq(errno, EPERM);
}
END_TEST

/* /dev/console: (5,1), reads end of file, writes reach host stderr */
START_TEST(console)
{
	char tmpl[] = "/tmp/rumpcons.XXXXXX", buf[64];
	struct stat sb;
	int fd, tfd, saved;
	ssize_t n;

	boot_proc();
	ck_assert_int_eq(rump_sys_stat("/dev/console", &sb), 0);
	ck_assert(S_ISCHR(sb.st_mode));
	ck_assert_uint_eq(sb.st_rdev, makedev(5, 1));
	fd = rump_sys_open("/dev/console", O_RDWR);
	ck_assert_int_eq(fd, 0);
	ck_assert_int_eq(rump_sys_read(fd, buf, sizeof(buf)), 0);
	tfd = mkstemp(tmpl);
	ck_assert_int_ge(tfd, 0);
	unlink(tmpl);
	saved = dup(2);
	ck_assert_int_eq(dup2(tfd, 2), 2);
	n = rump_sys_write(fd, "to the console\n", 15);
	dup2(saved, 2);
	close(saved);
	ck_assert_int_eq(n, 15);
	ck_assert_int_eq(pread(tfd, buf, sizeof(buf), 0), 15);
	ck_assert(memcmp(buf, "to the console\n", 15) == 0);
	close(tfd);
	/* an in-process rfork with RUMP_RFCFDG has an empty table */
	ck_assert_int_eq(rump_pub_lwproc_rfork(RUMP_RFCFDG), 0);
	errno = 0;
	ck_assert_int_eq(rump_sys_fcntl(0, F_GETFD), -1);
	ck_assert_int_eq(errno, EBADF);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("sysctl");
	TCase *tc = tcase_create("sysctl");
	SRunner *sr;
	int nf;

	tcase_add_test(tc, nodes);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, hostname);
	tcase_add_test(tc, names);
	tcase_add_test(tc, addquad);
	tcase_add_test(tc, console);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
