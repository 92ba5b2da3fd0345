/*
 * hj_spawn.c -- posix_spawn and posix_spawnp keep the kernel process.
 *
 * glibc spawns with clone(CLONE_VM|CLONE_VFORK) and its internal
 * dup2, close and execve: the child would neither reach kernel
 * descriptors nor keep the kernel process.  So posix_spawn here is
 * fork (hj_proc.c), the attributes and file actions done in the child
 * with this library's calls, and execve; the child reports a failure
 * through a close-on-exec pipe, so the caller gets exec's error as
 * posix_spawn(3) promises.
 *
 * A posix_spawn_file_actions_t is opaque, so the actions are recorded
 * as they are added, in a list of our own keyed by its address, and
 * passed on to glibc too.
 */
#include <sys/queue.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hijack_int.h"

extern char **environ;

enum hj_fatype { FA_OPEN, FA_CLOSE, FA_DUP2, FA_CHDIR, FA_FCHDIR };

struct hj_fact {
	STAILQ_ENTRY(hj_fact) a_link;
	enum hj_fatype	a_type;
	int		a_fd, a_newfd, a_flags;
	mode_t		a_mode;
	char		*a_path;
};

struct hj_facts {
	LIST_ENTRY(hj_facts) f_link;
	const posix_spawn_file_actions_t *f_key;
	STAILQ_HEAD(, hj_fact) f_acts;
};

static LIST_HEAD(, hj_facts) hj_factlist = LIST_HEAD_INITIALIZER(hj_factlist);
pthread_mutex_t hj_factmtx = PTHREAD_MUTEX_INITIALIZER;

DECL_HOST(posix_spawn_file_actions_init);
DECL_HOST(posix_spawn_file_actions_destroy);
DECL_HOST(posix_spawn_file_actions_addopen);
DECL_HOST(posix_spawn_file_actions_addclose);
DECL_HOST(posix_spawn_file_actions_adddup2);
DECL_HOST(posix_spawn_file_actions_addchdir_np);
DECL_HOST(posix_spawn_file_actions_addfchdir_np);
DECL_HOST(posix_spawn);
DECL_HOST(posix_spawnp);

/* the record of fa, under hj_factmtx; made when create */
static struct hj_facts *
hj_facts(const posix_spawn_file_actions_t *fa, bool create)
{
	struct hj_facts *f;

	LIST_FOREACH(f, &hj_factlist, f_link)
		if (f->f_key == fa)
			return f;
	if (!create || (f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	f->f_key = fa;
	STAILQ_INIT(&f->f_acts);
	LIST_INSERT_HEAD(&hj_factlist, f, f_link);
	return f;
}

static void
hj_facts_free(const posix_spawn_file_actions_t *fa)
{
	struct hj_facts *f;
	struct hj_fact *a;

	pthread_mutex_lock(&hj_factmtx);
	if ((f = hj_facts(fa, false)) != NULL) {
		LIST_REMOVE(f, f_link);
		while ((a = STAILQ_FIRST(&f->f_acts)) != NULL) {
			STAILQ_REMOVE_HEAD(&f->f_acts, a_link);
			free(a->a_path);
			free(a);
		}
		free(f);
	}
	pthread_mutex_unlock(&hj_factmtx);
}

/* record one action; 0 or an errno, as the posix_spawn calls return */
static int
hj_fact_add(const posix_spawn_file_actions_t *fa, enum hj_fatype t, int fd,
    int newfd, const char *path, int flags, mode_t mode)
{
	struct hj_facts *f;
	struct hj_fact *a;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return ENOMEM;
	if (path != NULL && (a->a_path = strdup(path)) == NULL) {
		free(a);
		return ENOMEM;
	}
	a->a_type = t;
	a->a_fd = fd;
	a->a_newfd = newfd;
	a->a_flags = flags;
	a->a_mode = mode;
	pthread_mutex_lock(&hj_factmtx);
	if ((f = hj_facts(fa, true)) == NULL) {
		pthread_mutex_unlock(&hj_factmtx);
		free(a->a_path);
		free(a);
		return ENOMEM;
	}
	STAILQ_INSERT_TAIL(&f->f_acts, a, a_link);
	pthread_mutex_unlock(&hj_factmtx);
	return 0;
}

int
posix_spawn_file_actions_init(posix_spawn_file_actions_t *fa)
{

	hj_facts_free(fa);
	return HOST(posix_spawn_file_actions_init)(fa);
}

int
posix_spawn_file_actions_destroy(posix_spawn_file_actions_t *fa)
{

	hj_facts_free(fa);
	return HOST(posix_spawn_file_actions_destroy)(fa);
}

/*
 * glibc checks descriptors against the host's limit, which kernel
 * descriptors are above: it gets a stand-in number it accepts.
 */
static int
hj_hostfd(int fd)
{

	return hj_kfd(fd) != -1 && fd >= hj_fdoff ? 0 : fd;
}

int
posix_spawn_file_actions_addopen(posix_spawn_file_actions_t *fa, int fd,
    const char *path, int flags, mode_t mode)
{
	int e;

	if ((e = HOST(posix_spawn_file_actions_addopen)(fa, hj_hostfd(fd),
	    path, flags, mode)) != 0)
		return e;
	return hj_fact_add(fa, FA_OPEN, fd, 0, path, flags, mode);
}

int
posix_spawn_file_actions_addclose(posix_spawn_file_actions_t *fa, int fd)
{
	int e;

	if ((e = HOST(posix_spawn_file_actions_addclose)(fa,
	    hj_hostfd(fd))) != 0)
		return e;
	return hj_fact_add(fa, FA_CLOSE, fd, 0, NULL, 0, 0);
}

int
posix_spawn_file_actions_adddup2(posix_spawn_file_actions_t *fa, int fd,
    int newfd)
{
	int e;

	if ((e = HOST(posix_spawn_file_actions_adddup2)(fa, hj_hostfd(fd),
	    hj_hostfd(newfd))) != 0)
		return e;
	return hj_fact_add(fa, FA_DUP2, fd, newfd, NULL, 0, 0);
}

int
posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *fa,
    const char *path)
{
	int e;

	if ((e = HOST(posix_spawn_file_actions_addchdir_np)(fa, path)) != 0)
		return e;
	return hj_fact_add(fa, FA_CHDIR, 0, 0, path, 0, 0);
}

int
posix_spawn_file_actions_addfchdir_np(posix_spawn_file_actions_t *fa,
    int fd)
{
	int e;

	if ((e = HOST(posix_spawn_file_actions_addfchdir_np)(fa,
	    hj_hostfd(fd))) != 0)
		return e;
	return hj_fact_add(fa, FA_FCHDIR, fd, 0, NULL, 0, 0);
}

/* in the child: the file actions, in order; 0 or an errno */
static int
hj_fact_run(const posix_spawn_file_actions_t *fa)
{
	struct hj_facts *f;
	struct hj_fact *a;
	int fd;

	if (fa == NULL || (f = hj_facts(fa, false)) == NULL)
		return 0;
	STAILQ_FOREACH(a, &f->f_acts, a_link) {
		switch (a->a_type) {
		case FA_OPEN:
			if ((fd = open(a->a_path, a->a_flags, a->a_mode)) == -1)
				return errno;
			if (fd != a->a_fd) {
				if (dup2(fd, a->a_fd) == -1)
					return errno;
				(void)close(fd);
			}
			break;
		case FA_CLOSE:
			(void)close(a->a_fd);
			break;
		case FA_DUP2:
			if (a->a_fd == a->a_newfd) {
				/* POSIX: the flag is cleared, fd stays */
				if (fcntl(a->a_fd, F_SETFD, 0) == -1)
					return errno;
			} else if (dup2(a->a_fd, a->a_newfd) == -1)
				return errno;
			break;
		case FA_CHDIR:
			if (chdir(a->a_path) == -1)
				return errno;
			break;
		case FA_FCHDIR:
			if (fchdir(a->a_fd) == -1)
				return errno;
			break;
		}
	}
	return 0;
}

/* in the child: the attributes; 0 or an errno */
static int
hj_attr_run(const posix_spawnattr_t *at)
{
	struct sched_param sp;
	sigset_t set;
	short fl;
	pid_t pg;
	int sig, pol;

	if (at == NULL || posix_spawnattr_getflags(at, &fl) != 0)
		return 0;
	if (fl & POSIX_SPAWN_SETSIGDEF) {
		(void)posix_spawnattr_getsigdefault(at, &set);
		for (sig = 1; sig < NSIG; sig++)
			if (sigismember(&set, sig) == 1)
				(void)signal(sig, SIG_DFL);
	}
	if (fl & POSIX_SPAWN_SETSID && setsid() == -1)
		return errno;
	if (fl & POSIX_SPAWN_SETPGROUP) {
		(void)posix_spawnattr_getpgroup(at, &pg);
		if (setpgid(0, pg) == -1)
			return errno;
	}
	if (fl & (POSIX_SPAWN_SETSCHEDULER | POSIX_SPAWN_SETSCHEDPARAM)) {
		(void)posix_spawnattr_getschedparam(at, &sp);
		if (fl & POSIX_SPAWN_SETSCHEDULER) {
			(void)posix_spawnattr_getschedpolicy(at, &pol);
			if (sched_setscheduler(0, pol, &sp) == -1)
				return errno;
		} else if (sched_setparam(0, &sp) == -1)
			return errno;
	}
	if (fl & POSIX_SPAWN_RESETIDS &&
	    (setgid(getgid()) == -1 || setuid(getuid()) == -1))
		return errno;
	return 0;
}

int
hj_spawn(pid_t *pidp, const char *file, const posix_spawn_file_actions_t *fa,
    const posix_spawnattr_t *at, char *const argv[], char *const envp[],
    bool search)
{
	sigset_t set;
	short fl = 0;
	pid_t pid;
	int p[2], e;
	ssize_t n;

	if (pipe2(p, O_CLOEXEC) == -1)
		return errno;
	if ((pid = fork()) == -1) {
		e = errno;
		(void)close(p[0]);
		(void)close(p[1]);
		return e;
	}
	if (pid == 0) {
		/*
		 * One thread now: the list needs (and may take) no lock.
		 * The parent's unwritten stdio is not the child's to write
		 * (glibc's spawn never runs stdio), and a dup2 onto 1 or 2
		 * would flush it.
		 */
		(void)close(p[0]);
		__fpurge(stdout);
		__fpurge(stderr);
		e = hj_attr_run(at);
		if (e == 0)
			e = hj_fact_run(fa);
		if (e == 0) {
			if (at != NULL && posix_spawnattr_getflags(at, &fl) ==
			    0 && (fl & POSIX_SPAWN_SETSIGMASK)) {
				(void)posix_spawnattr_getsigmask(at, &set);
				(void)sigprocmask(SIG_SETMASK, &set, NULL);
			}
			if (search)
				(void)execvpe(file, argv, envp ? envp : environ);
			else
				(void)execve(file, argv, envp ? envp : environ);
			e = errno;
		}
		(void)write(p[1], &e, sizeof(e));
		_exit(127);
	}
	(void)close(p[1]);
	while ((n = read(p[0], &e, sizeof(e))) == -1 && errno == EINTR)
		continue;
	(void)close(p[0]);
	if (n == sizeof(e)) {
		while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
			continue;
		return e;
	}
	if (pidp != NULL)
		*pidp = pid;
	return 0;
}

int
posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
    const posix_spawnattr_t *at, char *const argv[], char *const envp[])
{

	if (!hj_ready || hj_inlib)
		return HOST(posix_spawn)(pid, path, fa, at, argv, envp);
	return hj_spawn(pid, path, fa, at, argv, envp, false);
}

int
posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
    const posix_spawnattr_t *at, char *const argv[], char *const envp[])
{

	if (!hj_ready || hj_inlib)
		return HOST(posix_spawnp)(pid, file, fa, at, argv, envp);
	return hj_spawn(pid, file, fa, at, argv, envp, true);
}
