/*
 * sp_url.c -- parsing rump_sp URLs into socket addresses.
 *
 *	unix://relative/path	made absolute against the current directory
 *	unix:///absolute/path
 *	tcp://A.B.C.D:port	"*" or 0.0.0.0 only for a server
 *	tcp://[IPv6]:port	[::] only for a server
 *
 * A Unix path that does not fit sun_path is ENAMETOOLONG: binding a
 * truncated path would put the socket somewhere nobody asked for.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <arpa/inet.h>
#include <netdb.h>

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sp_url.h"

static int
parse_unix(const char *path, struct rsp_addr *ra)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)&ra->ra_sa;
	char cwd[PATH_MAX];
	int n;

	if (*path == '\0')
		return EINVAL;
	sun->sun_family = AF_UNIX;
	if (*path == '/') {
		n = snprintf(sun->sun_path, sizeof(sun->sun_path), "%s", path);
	} else {
		if (getcwd(cwd, sizeof(cwd)) == NULL)
			return errno;
		n = snprintf(sun->sun_path, sizeof(sun->sun_path), "%s/%s",
		    strcmp(cwd, "/") == 0 ? "" : cwd, path);
	}
	if (n < 0 || (size_t)n >= sizeof(sun->sun_path))
		return ENAMETOOLONG;
	ra->ra_family = AF_UNIX;
	ra->ra_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
	    (size_t)n + 1);
	return 0;
}

static int
parse_port(const char *s, in_port_t *port)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end != '\0' || errno != 0 || v < 1 || v > 65535)
		return EINVAL;
	*port = htons((in_port_t)v);
	return 0;
}

/*
 * A host name (not an address): the first address getaddrinfo(3)
 * gives for it, IPv4 or IPv6.  EADDRNOTAVAIL when it has none.
 */
static int
resolve_host(const char *host, in_port_t port, struct rsp_addr *ra)
{
	struct addrinfo hints, *res;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_ADDRCONFIG;
	if (getaddrinfo(host, NULL, &hints, &res) != 0 || res == NULL)
		return EADDRNOTAVAIL;
	if (res->ai_addrlen > sizeof(ra->ra_sa)) {
		freeaddrinfo(res);
		return EADDRNOTAVAIL;
	}
	memcpy(&ra->ra_sa, res->ai_addr, res->ai_addrlen);
	ra->ra_family = res->ai_family;
	ra->ra_len = res->ai_addrlen;
	if (res->ai_family == AF_INET)
		((struct sockaddr_in *)&ra->ra_sa)->sin_port = port;
	else
		((struct sockaddr_in6 *)&ra->ra_sa)->sin6_port = port;
	freeaddrinfo(res);
	return 0;
}

static int
parse_tcp(const char *hp, int forserver, int resolve, struct rsp_addr *ra)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *colon, *close;
	in_port_t port;
	size_t hlen;
	int error;

	if (*hp == '[') {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ra->ra_sa;

		close = strchr(hp, ']');
		if (close == NULL || close[1] != ':')
			return EINVAL;
		hlen = (size_t)(close - hp - 1);
		if (hlen == 0 || hlen >= sizeof(host))
			return EINVAL;
		memcpy(host, hp + 1, hlen);
		host[hlen] = '\0';
		if ((error = parse_port(close + 2, &port)) != 0)
			return error;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = port;
		if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
			return EINVAL;
		if (!forserver && IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr))
			return EINVAL;
		ra->ra_family = AF_INET6;
		ra->ra_len = sizeof(*sin6);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ra->ra_sa;

		colon = strrchr(hp, ':');
		if (colon == NULL)
			return EINVAL;
		hlen = (size_t)(colon - hp);
		if (hlen == 0 || hlen >= sizeof(host))
			return EINVAL;
		memcpy(host, hp, hlen);
		host[hlen] = '\0';
		if ((error = parse_port(colon + 1, &port)) != 0)
			return error;
		sin->sin_family = AF_INET;
		sin->sin_port = port;
		if (strcmp(host, "*") == 0) {
			if (!forserver)
				return EINVAL;
			sin->sin_addr.s_addr = htonl(INADDR_ANY);
		} else {
			if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
				return resolve ? resolve_host(host, port, ra) :
				    EINVAL;
			if (!forserver && sin->sin_addr.s_addr == INADDR_ANY)
				return EINVAL;
		}
		ra->ra_family = AF_INET;
		ra->ra_len = sizeof(*sin);
	}
	return 0;
}

static int
url_parse(const char *url, int forserver, int resolve, struct rsp_addr *ra)
{

	memset(ra, 0, sizeof(*ra));
	if (url == NULL)
		return EINVAL;
	if (strncmp(url, "unix://", 7) == 0)
		return parse_unix(url + 7, ra);
	if (strncmp(url, "tcp://", 6) == 0)
		return parse_tcp(url + 6, forserver, resolve, ra);
	if (strstr(url, "://") == NULL)
		return EINVAL;
	return EPROTONOSUPPORT;
}

int
rsp_url_parse(const char *url, int forserver, struct rsp_addr *ra)
{

	return url_parse(url, forserver, 0, ra);
}

int
rsp_url_resolve(const char *url, int forserver, struct rsp_addr *ra)
{

	return url_parse(url, forserver, 1, ra);
}

int
rsp_addr_local(const struct rsp_addr *ra)
{
	const struct sockaddr_in *sin;
	const struct sockaddr_in6 *sin6;

	switch (ra->ra_family) {
	case AF_UNIX:
		return 1;
	case AF_INET:
		sin = (const struct sockaddr_in *)&ra->ra_sa;
		return (ntohl(sin->sin_addr.s_addr) >> 24) == 127;
	case AF_INET6:
		sin6 = (const struct sockaddr_in6 *)&ra->ra_sa;
		return IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr);
	default:
		return 0;
	}
}

void
rsp_addr_str(const struct rsp_addr *ra, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN];
	const struct sockaddr_in *sin;
	const struct sockaddr_in6 *sin6;

	switch (ra->ra_family) {
	case AF_UNIX:
		snprintf(buf, len, "unix://%s",
		    ((const struct sockaddr_un *)&ra->ra_sa)->sun_path);
		break;
	case AF_INET:
		sin = (const struct sockaddr_in *)&ra->ra_sa;
		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		snprintf(buf, len, "tcp://%s:%u", host, ntohs(sin->sin_port));
		break;
	case AF_INET6:
		sin6 = (const struct sockaddr_in6 *)&ra->ra_sa;
		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		snprintf(buf, len, "tcp://[%s]:%u", host,
		    ntohs(sin6->sin6_port));
		break;
	default:
		snprintf(buf, len, "(unknown address family %d)",
		    ra->ra_family);
	}
}
