/*
 * test_proto.c -- the wire protocol's shared code: frame header checks,
 * SYSCALL request parsing and its limits, banners, error codes, sending
 * with short writes, and URL parsing.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sp_proto.h"
#include "sp_url.h"

static struct rsp_hdr
mkhdr(uint64_t len, int class, int type)
{
	struct rsp_hdr h;

	rsp_hdr_fill(&h, len, 7, class, type, 0);
	return h;
}

START_TEST(hdr_limits)
{
	struct rsp_hdr h;
	const char *why;

	h = mkhdr(RSP_HDRSZ, RUMPSP_REQ, RUMPSP_SYSCALL);
	ck_assert_int_eq(rsp_hdr_check(&h, &why), RUMPSP_ERR_NONE);
	h = mkhdr(RUMPSP_MAXFRAME, RUMPSP_RESP, RUMPSP_COPYIN);
	ck_assert_int_eq(rsp_hdr_check(&h, &why), RUMPSP_ERR_NONE);
	h = mkhdr(RSP_HDRSZ - 1, RUMPSP_REQ, RUMPSP_SYSCALL);
	ck_assert_int_eq(rsp_hdr_check(&h, &why),
	    RUMPSP_ERR_MALFORMED_REQUEST);
	ck_assert_str_eq(why, "frame length below header size");
	h = mkhdr(0, RUMPSP_REQ, RUMPSP_SYSCALL);
	ck_assert_int_ne(rsp_hdr_check(&h, &why), RUMPSP_ERR_NONE);
	h = mkhdr((uint64_t)RUMPSP_MAXFRAME + 1, RUMPSP_REQ, RUMPSP_SYSCALL);
	ck_assert_int_eq(rsp_hdr_check(&h, &why), RUMPSP_ERR_TOOBIG);
	h = mkhdr(UINT64_MAX, RUMPSP_REQ, RUMPSP_SYSCALL);
	ck_assert_int_eq(rsp_hdr_check(&h, &why), RUMPSP_ERR_TOOBIG);
	h = mkhdr(RSP_HDRSZ, 3, RUMPSP_SYSCALL);
	ck_assert_int_eq(rsp_hdr_check(&h, &why),
	    RUMPSP_ERR_MALFORMED_REQUEST);
	h = mkhdr(RSP_HDRSZ, RUMPSP_REQ, RUMPSP_NTYPES);
	ck_assert_int_eq(rsp_hdr_check(&h, &why),
	    RUMPSP_ERR_MALFORMED_REQUEST);
	ck_assert_str_eq(why, "unknown request type");
}
END_TEST

START_TEST(hdr_layout)
{
	struct rsp_hdr h;

	ck_assert_uint_eq(sizeof(struct rsp_hdr), 24);
	rsp_hdr_fill(&h, 100, 42, RUMPSP_RESP, RUMPSP_PREFORK, 9);
	ck_assert_uint_eq(h.rsp_len, 100);
	ck_assert_uint_eq(h.rsp_reqno, 42);
	ck_assert_uint_eq(h.rsp_class, RUMPSP_RESP);
	ck_assert_uint_eq(h.rsp_type, RUMPSP_PREFORK);
	ck_assert_uint_eq(h.rsp_arg, 9);
	ck_assert_uint_eq(offsetof(struct rsp_hdr, rsp_arg), 20);
}
END_TEST

START_TEST(err_errno)
{

	ck_assert_int_eq(rsp_err_errno(RUMPSP_ERR_TRYAGAIN), EAGAIN);
	ck_assert_int_eq(rsp_err_errno(RUMPSP_ERR_AUTH), EPERM);
	ck_assert_int_eq(rsp_err_errno(RUMPSP_ERR_INVALID_PREFORK), ESRCH);
	ck_assert_int_eq(rsp_err_errno(RUMPSP_ERR_RFORK_FAILED), EIO);
	ck_assert_int_eq(rsp_err_errno(RUMPSP_ERR_INEXEC), EBUSY);
	ck_assert_int_eq(rsp_err_errno(RUMPSP_ERR_NOMEM), ENOMEM);
	ck_assert_int_eq(rsp_err_errno(RUMPSP_ERR_MALFORMED_REQUEST), EINVAL);
	ck_assert_int_eq(rsp_err_errno(1000), EPROTO);
	ck_assert_str_eq(rsp_err_str(1000), "unknown error");
}
END_TEST

/* A SYSCALL request body assembled piece by piece. */
struct body {
	uint8_t	buf[4096];
	size_t	len;
};

static void
put(struct body *b, const void *p, size_t n)
{

	memcpy(b->buf + b->len, p, n);
	b->len += n;
}

static void
putreq(struct body *b, uint32_t argsize, uint32_t nreg)
{
	struct rsp_sysreq rs = { argsize, nreg };
	uint64_t args[16] = { 1, 2, 3, 4, 5, 6, 7, 8 };

	b->len = 0;
	put(b, &rs, sizeof(rs));
	put(b, args, argsize);
}

static void
putregion(struct body *b, uint64_t addr, uint32_t len, uint32_t flags,
    const char *data)
{
	struct rsp_region r = { addr, len, flags };
	uint8_t pad[8] = { 0 };

	put(b, &r, sizeof(r));
	if (data != NULL) {
		put(b, data, len);
		put(b, pad, RSP_PAD8(len) - len);
	}
}

START_TEST(sysreq_good)
{
	struct rsp_sysreq_parsed sp;
	struct body b;
	const char *why;

	putreq(&b, 24, 2);
	putregion(&b, 0x1000, 5, RSP_REGION_IN, "hello");
	putregion(&b, 0x2000, 100, RSP_REGION_OUT, NULL);
	ck_assert_int_eq(rsp_sysreq_parse(b.buf, b.len, &sp, &why), 0);
	ck_assert_uint_eq(sp.sp_argsize, 24);
	ck_assert_uint_eq(sp.sp_nregions, 2);
	ck_assert_uint_eq(sp.sp_region[0].rr_addr, 0x1000);
	ck_assert(memcmp(sp.sp_data[0], "hello", 5) == 0);
	ck_assert_ptr_null(sp.sp_data[1]);
	ck_assert_uint_eq(sp.sp_region[1].rr_len, 100);

	putreq(&b, 0, 0);
	ck_assert_int_eq(rsp_sysreq_parse(b.buf, b.len, &sp, &why), 0);
}
END_TEST

START_TEST(sysreq_bad)
{
	struct rsp_sysreq_parsed sp;
	struct body b;
	const char *why;

	/* shorter than its own header */
	ck_assert_int_ne(rsp_sysreq_parse("abc", 3, &sp, &why), 0);
	/* argument block too large, or not whole slots */
	putreq(&b, 72, 0);
	ck_assert_int_ne(rsp_sysreq_parse(b.buf, b.len, &sp, &why), 0);
	putreq(&b, 12, 0);
	ck_assert_int_ne(rsp_sysreq_parse(b.buf, b.len, &sp, &why), 0);
	/* arguments promised but missing */
	putreq(&b, 16, 0);
	ck_assert_int_ne(rsp_sysreq_parse(b.buf, b.len - 8, &sp, &why), 0);
	ck_assert_str_eq(why, "syscall arguments truncated");
	/* too many regions */
	putreq(&b, 0, RUMPSP_MAXREGIONS + 1);
	ck_assert_int_ne(rsp_sysreq_parse(b.buf, b.len, &sp, &why), 0);
	/* region header missing */
	putreq(&b, 8, 1);
	ck_assert_int_ne(rsp_sysreq_parse(b.buf, b.len, &sp, &why), 0);
	/* bad flags */
	putreq(&b, 8, 1);
	putregion(&b, 0x1000, 4, 4, "abcd");
	ck_assert_int_ne(rsp_sysreq_parse(b.buf, b.len, &sp, &why), 0);
	putreq(&b, 8, 1);
	putregion(&b, 0x1000, 4, 0, "abcd");
	ck_assert_int_ne(rsp_sysreq_parse(b.buf, b.len, &sp, &why), 0);
	/* IN|OUT carries its data and is an output region too */
	putreq(&b, 8, 1);
	putregion(&b, 0x1000, 4, RSP_REGION_IN | RSP_REGION_OUT, "abcd");
	ck_assert_int_eq(rsp_sysreq_parse(b.buf, b.len, &sp, &why), 0);
	ck_assert_ptr_nonnull(sp.sp_data[0]);
	ck_assert_int_eq(memcmp(sp.sp_data[0], "abcd", 4), 0);
	/* data shorter than the region says */
	putreq(&b, 8, 1);
	putregion(&b, 0x1000, 4000, RSP_REGION_IN, NULL);
	put(&b, "abcdefgh", 8);
	ck_assert_int_ne(rsp_sysreq_parse(b.buf, b.len, &sp, &why), 0);
	ck_assert_str_eq(why, "syscall region data truncated");
	/* a region that wraps around the address space */
	putreq(&b, 8, 1);
	putregion(&b, UINT64_MAX - 2, 8, RSP_REGION_OUT, NULL);
	ck_assert_int_ne(rsp_sysreq_parse(b.buf, b.len, &sp, &why), 0);
	/* output regions the reply could not carry */
	putreq(&b, 8, 2);
	putregion(&b, 0x1000, RUMPSP_MAXFRAME - 64, RSP_REGION_OUT, NULL);
	putregion(&b, 0x1000, RUMPSP_MAXFRAME - 64, RSP_REGION_OUT, NULL);
	ck_assert_int_eq(rsp_sysreq_parse(b.buf, b.len, &sp, &why),
	    RUMPSP_ERR_TOOBIG);
	/* trailing garbage */
	putreq(&b, 8, 0);
	put(&b, "x", 1);
	ck_assert_int_ne(rsp_sysreq_parse(b.buf, b.len, &sp, &why), 0);
	ck_assert_str_eq(why, "trailing bytes after syscall request");
}
END_TEST

START_TEST(banner)
{
	char buf[RUMPSP_MAXBANNER];
	int major, minor;

	ck_assert_int_eq(rsp_banner_make(buf, sizeof(buf), "rump", "0.1",
	    "x86_64"), 0);
	ck_assert_str_eq(buf, "RUMPSP-0.9-rump-0.1/x86_64\n");
	ck_assert_int_eq(rsp_banner_parse(buf, &major, &minor), 0);
	ck_assert_int_eq(major, RUMPSP_PROTOMAJOR);
	ck_assert_int_eq(minor, RUMPSP_PROTOMINOR);
	ck_assert_int_eq(rsp_banner_parse("RUMPSP-12.34-NetBSD-6/amd64\n",
	    &major, &minor), 0);
	ck_assert_int_eq(major, 12);
	ck_assert_int_eq(minor, 34);
	ck_assert_int_eq(rsp_banner_parse("HTTP/1.1 200 OK\r\n", &major,
	    &minor), EPROTO);
	ck_assert_int_eq(rsp_banner_parse("RUMPSP-x.4-a-b/c\n", &major,
	    &minor), EPROTO);
	ck_assert_int_eq(rsp_banner_parse("RUMPSP-0.-a\n", &major, &minor),
	    EPROTO);
	/* numbers are digits only: no blanks, no sign (found by fuzz_banner) */
	ck_assert_int_eq(rsp_banner_parse("RUMPSP-0.-0-x\n", &major, &minor),
	    EPROTO);
	ck_assert_int_eq(rsp_banner_parse("RUMPSP- +0.5-x\n", &major,
	    &minor), EPROTO);
	ck_assert_int_eq(rsp_banner_parse("RUMPSP-0.\n5-x\n", &major,
	    &minor), EPROTO);
	ck_assert_int_eq(rsp_banner_parse("RUMPSP-2147483648.5-x\n", &major,
	    &minor), EPROTO);
	ck_assert_int_ne(rsp_banner_make(buf, 16, "rump", "0.1", "x86_64"),
	    0);
}
END_TEST

static void *
drain(void *arg)
{
	int fd = *(int *)arg;
	static char total[1 << 20];
	size_t got = 0;
	ssize_t n;

	while (got < sizeof(total) &&
	    (n = read(fd, total + got, 777)) > 0)
		got += (size_t)n;
	return (void *)got;
}

/* rsp_sendv finishes a frame across short writes on a non-blocking socket */
START_TEST(sendv_short)
{
	static char big[1 << 20];
	struct iovec iov[3];
	struct rsp_hdr h;
	pthread_t t;
	int sv[2], sz = 4096;
	void *got;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0,
	    sv), 0);
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	ck_assert_int_eq(fcntl(sv[1], F_SETFL, 0), 0);
	rsp_hdr_fill(&h, sizeof(h) + sizeof(big) - sizeof(h), 1, 0, 0, 0);
	iov[0].iov_base = &h;
	iov[0].iov_len = sizeof(h);
	iov[1].iov_base = big;
	iov[1].iov_len = sizeof(big) - sizeof(h) - 100;
	iov[2].iov_base = big;
	iov[2].iov_len = 100;
	pthread_create(&t, NULL, drain, &sv[1]);
	ck_assert_int_eq(rsp_sendv(sv[0], iov, 3), 0);
	close(sv[0]);
	pthread_join(t, &got);
	ck_assert_uint_eq((size_t)got, sizeof(big));
	close(sv[1]);
}
END_TEST

START_TEST(url_unix)
{
	struct rsp_addr ra;
	struct sockaddr_un *sun = (struct sockaddr_un *)&ra.ra_sa;
	char cwd[4096], want[4200], longpath[200];

	ck_assert_int_eq(rsp_url_parse("unix:///tmp/sock", 0, &ra), 0);
	ck_assert_int_eq(ra.ra_family, AF_UNIX);
	ck_assert_str_eq(sun->sun_path, "/tmp/sock");

	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	if (strlen(cwd) + 12 < sizeof(sun->sun_path)) {
		ck_assert_int_eq(rsp_url_parse("unix://rel/sock", 1, &ra), 0);
		snprintf(want, sizeof(want), "%s/rel/sock", cwd);
		ck_assert_str_eq(sun->sun_path, want);
	}
	/* exactly the longest path that fits, then one byte more */
	memset(longpath, 'a', sizeof(longpath));
	longpath[0] = '/';
	snprintf(want, sizeof(want), "unix://%.*s",
	    (int)sizeof(sun->sun_path) - 1, longpath);
	ck_assert_int_eq(rsp_url_parse(want, 1, &ra), 0);
	snprintf(want, sizeof(want), "unix://%.*s",
	    (int)sizeof(sun->sun_path), longpath);
	ck_assert_int_eq(rsp_url_parse(want, 1, &ra), ENAMETOOLONG);
	ck_assert_int_eq(rsp_url_parse("unix://", 1, &ra), EINVAL);
}
END_TEST

START_TEST(url_tcp)
{
	struct rsp_addr ra;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ra.ra_sa;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ra.ra_sa;
	char buf[128];

	ck_assert_int_eq(rsp_url_parse("tcp://127.0.0.1:1234", 0, &ra), 0);
	ck_assert_int_eq(ra.ra_family, AF_INET);
	ck_assert_uint_eq(ntohs(sin->sin_port), 1234);
	ck_assert_uint_eq(ntohl(sin->sin_addr.s_addr), INADDR_LOOPBACK);
	rsp_addr_str(&ra, buf, sizeof(buf));
	ck_assert_str_eq(buf, "tcp://127.0.0.1:1234");

	/* host names: looked up by rsp_url_resolve only */
	ck_assert_int_eq(rsp_url_parse("tcp://localhost:1234", 0, &ra), EINVAL);
	ck_assert_int_eq(rsp_url_resolve("tcp://localhost:1234", 0, &ra), 0);
	ck_assert(rsp_addr_local(&ra));
	ck_assert_uint_eq(ntohs(ra.ra_family == AF_INET ? sin->sin_port :
	    sin6->sin6_port), 1234);
	ck_assert_int_eq(rsp_url_resolve("tcp://nosuchhost.invalid:1", 0, &ra),
	    EADDRNOTAVAIL);
	ck_assert_int_eq(rsp_url_resolve("tcp://127.0.0.1:1234", 0, &ra), 0);
	ck_assert_uint_eq(ntohl(sin->sin_addr.s_addr), INADDR_LOOPBACK);

	ck_assert_int_eq(rsp_url_parse("tcp://*:99", 1, &ra), 0);
	ck_assert_uint_eq(sin->sin_addr.s_addr, htonl(INADDR_ANY));
	ck_assert_int_eq(rsp_url_parse("tcp://*:99", 0, &ra), EINVAL);
	ck_assert_int_eq(rsp_url_parse("tcp://0.0.0.0:99", 1, &ra), 0);
	ck_assert_int_eq(rsp_url_parse("tcp://0.0.0.0:99", 0, &ra), EINVAL);

	ck_assert_int_eq(rsp_url_parse("tcp://[::1]:4321", 0, &ra), 0);
	ck_assert_int_eq(ra.ra_family, AF_INET6);
	ck_assert_uint_eq(ntohs(sin6->sin6_port), 4321);
	ck_assert(IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr));
	rsp_addr_str(&ra, buf, sizeof(buf));
	ck_assert_str_eq(buf, "tcp://[::1]:4321");
	ck_assert_int_eq(rsp_url_parse("tcp://[::]:5", 1, &ra), 0);
	ck_assert_int_eq(rsp_url_parse("tcp://[::]:5", 0, &ra), EINVAL);

	ck_assert_int_eq(rsp_url_parse("tcp://127.0.0.1", 0, &ra), EINVAL);
	ck_assert_int_eq(rsp_url_parse("tcp://127.0.0.1:", 0, &ra), EINVAL);
	ck_assert_int_eq(rsp_url_parse("tcp://127.0.0.1:0", 0, &ra), EINVAL);
	ck_assert_int_eq(rsp_url_parse("tcp://127.0.0.1:65536", 0, &ra),
	    EINVAL);
	ck_assert_int_eq(rsp_url_parse("tcp://127.0.0.1:12ab", 0, &ra),
	    EINVAL);
	ck_assert_int_eq(rsp_url_parse("tcp://localhost:80", 0, &ra), EINVAL);
	ck_assert_int_eq(rsp_url_parse("tcp://1.2.3.4.5:80", 0, &ra), EINVAL);
	ck_assert_int_eq(rsp_url_parse("tcp://[::1:80", 0, &ra), EINVAL);
	ck_assert_int_eq(rsp_url_parse("tcp://[::1]80", 0, &ra), EINVAL);
	ck_assert_int_eq(rsp_url_parse("tcp://[zz]:80", 0, &ra), EINVAL);
	ck_assert_int_eq(rsp_url_parse("tcp://:80", 0, &ra), EINVAL);
}
END_TEST

START_TEST(url_scheme)
{
	struct rsp_addr ra;

	ck_assert_int_eq(rsp_url_parse("http://x:1", 0, &ra),
	    EPROTONOSUPPORT);
	ck_assert_int_eq(rsp_url_parse("/tmp/sock", 0, &ra), EINVAL);
	ck_assert_int_eq(rsp_url_parse("", 0, &ra), EINVAL);
	ck_assert_int_eq(rsp_url_parse(NULL, 0, &ra), EINVAL);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("proto");
	TCase *tc = tcase_create("frame");
	SRunner *sr;
	int nf;

	tcase_add_test(tc, hdr_limits);
	tcase_add_test(tc, hdr_layout);
	tcase_add_test(tc, err_errno);
	tcase_add_test(tc, sysreq_good);
	tcase_add_test(tc, sysreq_bad);
	tcase_add_test(tc, banner);
	tcase_add_test(tc, sendv_short);
	suite_add_tcase(s, tc);
	tc = tcase_create("url");
	tcase_add_test(tc, url_unix);
	tcase_add_test(tc, url_tcp);
	tcase_add_test(tc, url_scheme);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
