/*
 * hj_shell.c -- system(3) and popen(3): glibc runs their shell with
 * its internal spawn, whose child would be a new kernel process rather
 * than the caller's child, without its kernel descriptors or current
 * directory.  Here they are hj_spawn() (hj_spawn.c) of /bin/sh -c, with
 * the signal handling and the stream bookkeeping POSIX gives them:
 * system ignores SIGINT and SIGQUIT and blocks SIGCHLD while it waits,
 * and a popen child closes the streams of earlier popen calls.
 */
#include <sys/queue.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <paths.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hijack_int.h"

extern char **environ;

struct hj_popen {
	LIST_ENTRY(hj_popen) p_link;
	FILE		*p_fp;
	int		p_fd;
	pid_t		p_pid;
};

static LIST_HEAD(, hj_popen) hj_popens = LIST_HEAD_INITIALIZER(hj_popens);
pthread_mutex_t hj_popenmtx = PTHREAD_MUTEX_INITIALIZER;

static char	hj_sh[] = _PATH_BSHELL, hj_shname[] = "sh", hj_c[] = "-c";

DECL_HOST(system);
DECL_HOST(popen);
DECL_HOST(pclose);

/* sh -c cmd; the argument vector points into cmd without copying */
static void
hj_shargv(char *argv[4], const char *cmd)
{

	argv[0] = hj_shname;
	argv[1] = hj_c;
	argv[2] = (char *)(uintptr_t)cmd;
	argv[3] = NULL;
}

int
system(const char *cmd)
{
	struct sigaction ign, oint, oquit;
	posix_spawnattr_t at;
	sigset_t chld, omask, def;
	char *argv[4];
	pid_t pid;
	int st, e;

	if (!hj_ready || hj_inlib)
		return HOST(system)(cmd);
	if (cmd == NULL)
		return 1;
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	(void)sigaction(SIGINT, &ign, &oint);
	(void)sigaction(SIGQUIT, &ign, &oquit);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	(void)sigprocmask(SIG_BLOCK, &chld, &omask);
	/* the child gets back what the caller had */
	sigemptyset(&def);
	if (oint.sa_handler != SIG_IGN)
		sigaddset(&def, SIGINT);
	if (oquit.sa_handler != SIG_IGN)
		sigaddset(&def, SIGQUIT);
	(void)posix_spawnattr_init(&at);
	(void)posix_spawnattr_setsigdefault(&at, &def);
	(void)posix_spawnattr_setsigmask(&at, &omask);
	(void)posix_spawnattr_setflags(&at,
	    POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
	hj_shargv(argv, cmd);
	if ((e = hj_spawn(&pid, hj_sh, NULL, &at, argv, environ, false)) == 0) {
		while (waitpid(pid, &st, 0) == -1) {
			if (errno != EINTR) {
				st = -1;
				break;
			}
		}
	} else
		st = W_EXITCODE(127, 0);	/* as a shell that could not run */
	(void)posix_spawnattr_destroy(&at);
	(void)sigaction(SIGINT, &oint, NULL);
	(void)sigaction(SIGQUIT, &oquit, NULL);
	(void)sigprocmask(SIG_SETMASK, &omask, NULL);
	return st;
}

FILE *
popen(const char *cmd, const char *mode)
{
	posix_spawn_file_actions_t fa;
	struct hj_popen *pp, *o;
	char *argv[4];
	bool rd, cloexec;
	int p[2], mine, theirs, e;

	if (!hj_ready || hj_inlib)
		return HOST(popen)(cmd, mode);
	rd = mode[0] == 'r';
	if ((mode[0] != 'r' && mode[0] != 'w') ||
	    (mode[1] != '\0' && strcmp(mode + 1, "e") != 0)) {
		errno = EINVAL;
		return NULL;
	}
	cloexec = mode[1] == 'e';
	if ((pp = calloc(1, sizeof(*pp))) == NULL)
		return NULL;
	if (pipe2(p, O_CLOEXEC) == -1) {
		free(pp);
		return NULL;
	}
	mine = rd ? p[0] : p[1];
	theirs = rd ? p[1] : p[0];
	(void)posix_spawn_file_actions_init(&fa);
	(void)posix_spawn_file_actions_adddup2(&fa, theirs, rd ? 1 : 0);
	pthread_mutex_lock(&hj_popenmtx);
	LIST_FOREACH(o, &hj_popens, p_link)
		(void)posix_spawn_file_actions_addclose(&fa, o->p_fd);
	pthread_mutex_unlock(&hj_popenmtx);
	hj_shargv(argv, cmd);
	e = hj_spawn(&pp->p_pid, hj_sh, &fa, NULL, argv, environ, false);
	(void)posix_spawn_file_actions_destroy(&fa);
	(void)close(theirs);
	if (e != 0 || (!cloexec && fcntl(mine, F_SETFD, 0) == -1) ||
	    (pp->p_fp = fdopen(mine, rd ? "r" : "w")) == NULL) {
		if (e == 0) {
			e = errno;
			while (waitpid(pp->p_pid, NULL, 0) == -1 &&
			    errno == EINTR)
				continue;
		}
		(void)close(mine);
		free(pp);
		errno = e;
		return NULL;
	}
	pp->p_fd = mine;
	pthread_mutex_lock(&hj_popenmtx);
	LIST_INSERT_HEAD(&hj_popens, pp, p_link);
	pthread_mutex_unlock(&hj_popenmtx);
	return pp->p_fp;
}

int
pclose(FILE *fp)
{
	struct hj_popen *pp;
	pid_t pid;
	int st;

	pthread_mutex_lock(&hj_popenmtx);
	LIST_FOREACH(pp, &hj_popens, p_link)
		if (pp->p_fp == fp)
			break;
	if (pp != NULL)
		LIST_REMOVE(pp, p_link);
	pthread_mutex_unlock(&hj_popenmtx);
	if (pp == NULL)
		return HOST(pclose)(fp);
	pid = pp->p_pid;
	free(pp);
	(void)fclose(fp);
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR)
			return -1;
	return st;
}
