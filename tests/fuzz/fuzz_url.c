/*
 * fuzz_url.c -- libFuzzer harness for rsp_url_parse() and
 * rsp_addr_str() (common/sp_url.c).
 *
 * The input, NUL-terminated, is parsed as a client URL and as a server
 * URL.  Beyond not crashing: a Unix path is never truncated (it ends
 * inside sun_path and ra_len counts it), a client never gets a
 * wildcard address, whatever a client may use a server may use too,
 * and the printed form of an address parses back to the same address.
 * Relative Unix paths are made absolute against the current
 * directory, which stays the same for the whole run.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <netinet/in.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sp_url.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fail(const char *what, const char *url)
{

	fprintf(stderr, "fuzz_url: %s: \"%s\"\n", what, url);
	abort();
}

static int
same(const struct rsp_addr *a, const struct rsp_addr *b)
{

	return a->ra_family == b->ra_family && a->ra_len == b->ra_len &&
	    memcmp(&a->ra_sa, &b->ra_sa, a->ra_len) == 0;
}

static void
check(const char *url, const struct rsp_addr *ra, int forserver)
{
	const struct sockaddr_un *sun = (const void *)&ra->ra_sa;
	const struct sockaddr_in *sin = (const void *)&ra->ra_sa;
	const struct sockaddr_in6 *sin6 = (const void *)&ra->ra_sa;
	struct rsp_addr back;
	char str[300];
	size_t n;

	switch (ra->ra_family) {
	case AF_UNIX:
		n = strnlen(sun->sun_path, sizeof(sun->sun_path));
		if (n == sizeof(sun->sun_path) || sun->sun_path[0] != '/')
			fail("unix path unterminated or relative", url);
		if (ra->ra_len != offsetof(struct sockaddr_un, sun_path) +
		    n + 1)
			fail("unix address length", url);
		break;
	case AF_INET:
		if (ra->ra_len != sizeof(*sin) || sin->sin_port == 0)
			fail("inet address", url);
		if (!forserver && sin->sin_addr.s_addr == INADDR_ANY)
			fail("wildcard address for a client", url);
		break;
	case AF_INET6:
		if (ra->ra_len != sizeof(*sin6) || sin6->sin6_port == 0)
			fail("inet6 address", url);
		if (!forserver && IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr))
			fail("wildcard address for a client", url);
		break;
	default:
		fail("unknown family", url);
	}
	rsp_addr_str(ra, str, sizeof(str));
	if (strnlen(str, sizeof(str)) == sizeof(str))
		fail("printed address unterminated", url);
	if (rsp_url_parse(str, forserver, &back) != 0 || !same(ra, &back))
		fail("printed address does not parse back", url);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rsp_addr rc, rs;
	char *url;
	int ec, es;

	if ((url = malloc(size + 1)) == NULL)
		return 0;
	memcpy(url, data, size);
	url[size] = '\0';
	ec = rsp_url_parse(url, 0, &rc);
	es = rsp_url_parse(url, 1, &rs);
	if (ec == 0)
		check(url, &rc, 0);
	if (es == 0)
		check(url, &rs, 1);
	if (ec == 0 && (es != 0 || !same(&rc, &rs)))
		fail("a client URL a server refuses", url);
	free(url);
	return 0;
}
