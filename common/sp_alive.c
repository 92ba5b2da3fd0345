/*
 * sp_alive.c -- noticing a peer that is gone without a word: TCP
 * keepalive on a sysproxy connection, used by both ends.
 *
 * A peer whose host crashed or whose link was cut sends no FIN and no
 * RST: without this, a server keeps such a client's process forever
 * and a client waits forever for a reply.  After secs idle seconds the
 * kernel probes, every secs/4 seconds (at least 1), four times; and
 * TCP_USER_TIMEOUT gives up on data unacknowledged for as long, since
 * keepalive does not probe while a reply is in flight.  So a dead peer
 * is noticed within about twice secs, whichever way it died.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include "sp_url.h"

void
rsp_keepalive(int fd, int secs)
{
	int on = 1, intvl, cnt = 4;
	unsigned int ms;

	if (secs <= 0)
		return;
	intvl = secs / 4 > 0 ? secs / 4 : 1;
	ms = (unsigned int)(secs + intvl * cnt) * 1000u;
	(void)setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &secs, sizeof(secs));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl,
	    sizeof(intvl));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ms, sizeof(ms));
}
