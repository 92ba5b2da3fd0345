/*
 * tserver.c -- a server program of the kind NetBSD's tests use: it
 * links librump, detaches with rump_daemonize_begin(), boots, serves
 * argv[1] and reports with rump_daemonize_done().  Its parent exits
 * with the verdict: 0 once it serves, the errno that stopped it.
 */
#include <sys/types.h>

#include <stdlib.h>
#include <unistd.h>

#include <rump/rump.h>

int
main(int argc, char *argv[])
{
	int error;

	if (argc != 2)
		return 2;
	if (rump_daemonize_begin() != 0)
		return 1;
	if ((error = rump_init()) == 0)
		error = rump_init_server(argv[1]);
	(void)rump_daemonize_done(error);
	if (error != 0)
		return 1;
	for (;;)
		pause();
}
