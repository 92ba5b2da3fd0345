/*
 * tool_sock.c -- how rump.sockstat and rump.fstat name a socket: its
 * protocol and its addresses, with NetBSD sockstat(1)'s spelling.
 * Unix socket paths are client-chosen: they go through strvis(3).
 */
#include "config.h"

#define LIBBSD_OPENBSD_VIS

#include <sys/socket.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <vis.h>

#include <rump/rumpdefs.h>

#include "tool.h"

const char *
tool_sockproto(const struct rump_sockinfo *si)
{

	switch (si->rsi_family) {
	case AF_UNIX:
		return si->rsi_type == SOCK_STREAM ? "stream" :
		    si->rsi_type == SOCK_DGRAM ? "dgram" : "seqpac";
	case AF_INET:
		return si->rsi_type == SOCK_STREAM ? "tcp4" : "udp4";
	case AF_INET6:
		return si->rsi_type == SOCK_STREAM ? "tcp6" : "udp6";
	default:
		return "?";
	}
}

/* An address as sockstat prints it: "*:*" when there is none. */
const char *
tool_sockaddr(const struct sockaddr_storage *ss, uint32_t len, char *buf,
    size_t size)
{
	const struct sockaddr_un *sun = (const void *)ss;
	const struct sockaddr_in *sin = (const void *)ss;
	const struct sockaddr_in6 *sin6 = (const void *)ss;
	char host[INET6_ADDRSTRLEN], path[sizeof(sun->sun_path) + 1];

	if (len == 0)
		return "*:*";
	switch (ss->ss_family) {
	case AF_UNIX:
		if (len <= offsetof(struct sockaddr_un, sun_path))
			return "(unnamed)";
		memset(path, 0, sizeof(path));
		memcpy(path, sun->sun_path,
		    len - offsetof(struct sockaddr_un, sun_path) <
		    sizeof(sun->sun_path) ?
		    len - offsetof(struct sockaddr_un, sun_path) :
		    sizeof(sun->sun_path));
		if (path[0] == '\0')	/* abstract: @name */
			path[0] = '@';
		if (size < 4 * strlen(path) + 1)
			return "(too long)";
		strvis(buf, path, VIS_SAFE | VIS_OCTAL);
		return buf;
	case AF_INET:
		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		snprintf(buf, size, "%s:%u", host, ntohs(sin->sin_port));
		return buf;
	case AF_INET6:
		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		snprintf(buf, size, "[%s]:%u", host, ntohs(sin6->sin6_port));
		return buf;
	default:
		return "?";
	}
}
