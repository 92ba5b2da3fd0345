/*
 * ttools.c -- a rump client that gives the tools' tests something to
 * show: it holds one open file of each kind and a zombie child.
 *
 *	ttools hold	open /t/dir/file (O_APPEND, 5 bytes written), the
 *			directory /t/dir, a pipe with 3 bytes in it and a
 *			TCP listener on 127.0.0.1:7070; fork a child that
 *			exits 7 and is not waited for; print "ready PID",
 *			then wait for a line on stdin and exit.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rump/rumpclient.h>
#include <rump/rump_syscalls.h>

#define CHECK(e) do {							\
	if (!(e)) {							\
		fprintf(stderr, "ttools: %s:%d: check failed: %s (%s)\n", \
		    __FILE__, __LINE__, #e, strerror(errno));		\
		exit(1);						\
	}								\
} while (0)

static int
hold(void)
{
	struct sockaddr_in sin;
	char line[16];
	int fd, p[2], s, st;
	pid_t child;

	CHECK(rump_sys_mkdir("/t", 0755) == 0 || errno == EEXIST);
	CHECK(rump_sys_mkdir("/t/dir", 0755) == 0);
	fd = rump_sys_open("/t/dir/file", O_WRONLY | O_CREAT | O_APPEND,
	    0640);
	CHECK(fd >= 0);
	CHECK(rump_sys_write(fd, "hello", 5) == 5);
	CHECK(rump_sys_open("/t/dir", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC) >= 0);
	CHECK(rump_sys_pipe2(p, O_NONBLOCK) == 0);
	CHECK(rump_sys_write(p[1], "abc", 3) == 3);
	CHECK((s = rump_sys_socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(7070);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(rump_sys_bind(s, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	CHECK(rump_sys_listen(s, 1) == 0);
	CHECK((child = rumpclient_fork()) != -1);
	if (child == 0)
		exit(7);
	/* the host child, not the rump one: it stays a zombie there */
	CHECK(waitpid(child, &st, 0) == child);
	printf("ready %d\n", (int)rump_sys_getpid());
	fflush(stdout);
	if (fgets(line, sizeof(line), stdin) == NULL)
		return 0;
	return 0;
}

int
main(int argc, char **argv)
{

	if (rumpclient_init() == -1) {
		fprintf(stderr, "ttools: rumpclient_init: %s\n",
		    strerror(errno));
		return 2;
	}
	if (argc == 2 && strcmp(argv[1], "hold") == 0)
		return hold();
	fprintf(stderr, "usage: ttools hold\n");
	return 2;
}
