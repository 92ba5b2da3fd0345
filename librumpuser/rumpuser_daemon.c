/*
 * rumpuser_daemon.c -- detaching a server program from its caller, the
 * hypercalls behind NetBSD's rump_daemonize_begin() and
 * rump_daemonize_done().
 *
 * begin forks.  The parent waits on a pipe for the child's verdict and
 * exits with it: 0 once the child reports that it serves, the child's
 * errno otherwise, ESRCH if the child died without a word.  So a
 * script's "server URL && client" never races the server.  The child
 * goes on in a session of its own; done reports and, on success, puts
 * /dev/null on its standard input and output.  Standard error stays:
 * it is the kernel's console (rump(3)).
 *
 * Called before the kernel has threads (begin) and from the one
 * thread that boots it (done): the state here needs no lock.
 */
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <rump/rumpuser.h>

static int daemon_pipe[2] = { -1, -1 };

int
rumpuser_daemonize_begin(void)
{
	ssize_t n;
	int verdict;

	if (daemon_pipe[1] != -1)
		return EINPROGRESS;
	if (pipe2(daemon_pipe, O_CLOEXEC) == -1)
		return errno;
	switch (fork()) {
	case -1:
		verdict = errno;
		close(daemon_pipe[0]);
		close(daemon_pipe[1]);
		daemon_pipe[0] = daemon_pipe[1] = -1;
		return verdict;
	case 0:
		close(daemon_pipe[0]);
		daemon_pipe[0] = -1;
		(void)setsid();
		return 0;
	default:
		close(daemon_pipe[1]);
		do
			n = read(daemon_pipe[0], &verdict, sizeof(verdict));
		while (n == -1 && errno == EINTR);
		_exit(n == (ssize_t)sizeof(verdict) ? verdict : ESRCH);
	}
}

int
rumpuser_daemonize_done(int error)
{
	ssize_t n;
	int fd;

	if (daemon_pipe[1] == -1)
		return ENOENT;
	if (error == 0 && (fd = open("/dev/null", O_RDWR)) != -1) {
		(void)dup2(fd, STDIN_FILENO);
		(void)dup2(fd, STDOUT_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	do
		n = write(daemon_pipe[1], &error, sizeof(error));
	while (n == -1 && errno == EINTR);
	close(daemon_pipe[1]);
	daemon_pipe[1] = -1;
	return n == (ssize_t)sizeof(error) ? 0 : EPIPE;
}
