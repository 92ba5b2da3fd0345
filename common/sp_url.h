/*
 * sp_url.h -- rump_sp URLs: unix://path, tcp://A.B.C.D:port,
 * tcp://[IPv6]:port.  Shared by rump_server and librumpclient.
 */
#ifndef RUMP_COMMON_SP_URL_H
#define RUMP_COMMON_SP_URL_H

#include <sys/types.h>
#include <sys/socket.h>

struct rsp_addr {
	int			ra_family;	/* AF_UNIX, AF_INET, AF_INET6 */
	socklen_t		ra_len;		/* bytes of ra_sa in use */
	struct sockaddr_storage	ra_sa;
};

/*
 * Parse url into ra.  forserver allows the wildcard addresses
 * ("*", 0.0.0.0, [::]).  Returns 0 or an errno: EINVAL for a malformed
 * URL, EPROTONOSUPPORT for an unknown scheme, ENAMETOOLONG for a Unix
 * path that does not fit sun_path (never truncated), or what getcwd(3)
 * says when a relative path cannot be made absolute.
 */
int	rsp_url_parse(const char *url, int forserver, struct rsp_addr *ra);
/*
 * The same, and a TCP host that is a name rather than an address is
 * looked up (getaddrinfo(3), the first address, IPv4 or IPv6):
 * EADDRNOTAVAIL when it has none.  The parser proper never looks
 * anything up.
 */
int	rsp_url_resolve(const char *url, int forserver, struct rsp_addr *ra);

/* Is ra reachable only from this host (Unix, loopback)? */
int	rsp_addr_local(const struct rsp_addr *ra);

/* Human-readable form of ra, for messages. */
void	rsp_addr_str(const struct rsp_addr *ra, char *buf, size_t len);
/* TCP keepalive on a connection: a silent peer is dead after ~2 secs */
void	rsp_keepalive(int fd, int secs);
/* its default for both ends, seconds */
#define RSP_KEEPALIVE_DEFAULT	60

#endif /* RUMP_COMMON_SP_URL_H */
