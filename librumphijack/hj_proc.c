/*
 * hj_proc.c -- processes: fork, vfork, daemon and the exec family keep
 * the kernel process (rumpclient(3)).
 *
 * fork is rumpclient_fork(): prefork, the host's fork, the child's
 * FORK handshake.  vfork is the same fork: the child gets its own
 * connection, which it could not make in the parent's memory.  execve
 * is rumpclient_exec(), and the environment of the new image gets
 * what it needs to carry on: the descriptor aliases, whether the
 * current directory is in the kernel, and LD_PRELOAD, RUMPHIJACK and
 * RUMP_SERVER when the program's environment lost them.  glibc's
 * execv, execvp, execl... call its internal execve, out of our reach,
 * so they are defined here on top of ours.
 *
 * librumpclient calls fork and execve itself; hj_inlib sends those
 * to the host.
 */
#include <sys/stat.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <paths.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rump/rumpclient.h>

#include "hijack_int.h"

extern char **environ;

static char	hj_pwdvar[] = "RUMPHIJACK__PWDINRUMP=1";
static char	hj_sh[] = _PATH_BSHELL;

DECL_HOST(fork);
DECL_HOST(execve);

pid_t
fork(void)
{
	pid_t pid;

	if (!hj_ready || hj_inlib)
		return HOST(fork)();
	hj_inlib = 1;
	pid = rumpclient_fork();
	hj_inlib = 0;
	return pid;
}

pid_t
vfork(void)
{

	return fork();
}

int
daemon(int nochdir, int noclose)
{
	pid_t pid;
	int fd;

	if ((pid = fork()) == -1)
		return -1;
	if (pid != 0)
		_exit(0);
	if (setsid() == -1)
		return -1;
	if (!nochdir && chdir("/") == -1)
		return -1;
	if (!noclose) {
		if ((fd = open(_PATH_DEVNULL, O_RDWR)) == -1)
			return -1;
		(void)dup2(fd, STDIN_FILENO);
		(void)dup2(fd, STDOUT_FILENO);
		(void)dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			(void)close(fd);
	}
	return 0;
}

/* this library's file name, for LD_PRELOAD of the next image */
static const char *
hj_self(void)
{
	static char self[PATH_MAX];
	Dl_info dli;

	if (self[0] == '\0' && dladdr((void *)hj_self, &dli) != 0 &&
	    dli.dli_fname != NULL)
		(void)strlcpy(self, dli.dli_fname, sizeof(self));
	return self;
}

static bool
hj_hasvar(char *const env[], const char *name)
{
	size_t l = strlen(name);

	for (; env != NULL && *env != NULL; env++)
		if (strncmp(*env, name, l) == 0 && (*env)[l] == '=')
			return true;
	return false;
}

/* "NAME=value" (malloc'd) */
static char *
hj_var(const char *name, const char *value)
{
	char *s;

	if (asprintf(&s, "%s=%s", name, value) == -1)
		return NULL;
	return s;
}

/*
 * The new image's environment: envp without our private variables,
 * plus them afresh and whatever the hijack needs that envp lacks.
 * Strings we made are listed in mine[] for the caller to free.
 */
static char **
hj_execenv(char *const envp[], char *mine[4])
{
	char **env, *v;
	size_t n = 0, j = 0, m = 0;
	const char *s;

	while (envp != NULL && envp[n] != NULL)
		n++;
	if ((env = calloc(n + 6, sizeof(*env))) == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strncmp(envp[i], "RUMPHIJACK__", 12) != 0)
			env[j++] = envp[i];
	if ((v = hj_alias_env()) != NULL)
		env[j++] = mine[m++] = v;
	if (hj_cwd_rump)
		env[j++] = hj_pwdvar;
	if (!hj_hasvar(envp, "LD_PRELOAD") && hj_self()[0] != '\0' &&
	    (v = hj_var("LD_PRELOAD", hj_self())) != NULL)
		env[j++] = mine[m++] = v;
	if (!hj_hasvar(envp, "RUMPHIJACK") &&
	    (s = getenv("RUMPHIJACK")) != NULL &&
	    (v = hj_var("RUMPHIJACK", s)) != NULL)
		env[j++] = mine[m++] = v;
	if (!hj_hasvar(envp, "RUMP_SERVER") &&
	    (s = getenv("RUMP_SERVER")) != NULL &&
	    (v = hj_var("RUMP_SERVER", s)) != NULL)
		env[j++] = mine[m++] = v;
	env[j] = NULL;
	return env;
}

int
execve(const char *path, char *const argv[], char *const envp[])
{
	char **env, *mine[4] = { NULL, NULL, NULL, NULL };
	int e, i;

	if (!hj_ready || hj_inlib)
		return HOST(execve)(path, argv, envp);
	if ((env = hj_execenv(envp, mine)) == NULL)
		return -1;
	hj_inlib = 1;
	(void)rumpclient_exec(path, argv, env);
	hj_inlib = 0;
	e = errno;
	/*
	 * With the kernel gone, exec all the same: the new image
	 * connects afresh (or says that it cannot), rather than this
	 * program failing every exec.
	 */
	if (e == ENOTCONN) {
		(void)HOST(execve)(path, argv, env);
		e = errno;
	}
	for (i = 0; i < 4; i++)
		free(mine[i]);
	free(env);
	errno = e;
	return -1;
}

int
execv(const char *path, char *const argv[])
{

	return execve(path, argv, environ);
}

/* a file execve refused as no program: glibc runs it with sh */
static void
hj_execsh(const char *file, char *const argv[], char *const envp[])
{
	char **nargv;
	int n = 0;

	while (argv[n] != NULL)
		n++;
	if ((nargv = calloc((size_t)n + 2, sizeof(*nargv))) == NULL)
		return;
	nargv[0] = hj_sh;
	nargv[1] = (char *)(uintptr_t)file;
	if (n > 1)
		memcpy(nargv + 2, argv + 1, (size_t)(n - 1) * sizeof(*nargv));
	(void)execve(_PATH_BSHELL, nargv, envp);
	free(nargv);
	errno = ENOEXEC;
}

/* execvpe as glibc's: the PATH search, EACCES kept, ENOEXEC via sh */
int
execvpe(const char *file, char *const argv[], char *const envp[])
{
	char buf[PATH_MAX];
	const char *path, *p, *end;
	bool eacces = false;
	size_t dl, fl;

	if (*file == '\0') {
		errno = ENOENT;
		return -1;
	}
	if (strchr(file, '/') != NULL) {
		(void)execve(file, argv, envp);
		if (errno == ENOEXEC)
			hj_execsh(file, argv, envp);
		return -1;
	}
	if ((path = getenv("PATH")) == NULL)
		path = "/bin:/usr/bin";
	fl = strlen(file);
	for (p = path;; p = end + 1) {
		if ((end = strchr(p, ':')) == NULL)
			end = p + strlen(p);
		dl = (size_t)(end - p);
		if (dl + fl + 2 <= sizeof(buf)) {
			if (dl == 0)
				memcpy(buf, ".", (dl = 1));
			else
				memcpy(buf, p, dl);
			buf[dl] = '/';
			memcpy(buf + dl + 1, file, fl + 1);
			(void)execve(buf, argv, envp);
			if (errno == ENOEXEC) {
				hj_execsh(buf, argv, envp);
				return -1;
			}
			if (errno == EACCES)
				eacces = true;
			else if (errno != ENOENT && errno != ENOTDIR &&
			    errno != ESTALE && errno != ENODEV &&
			    errno != ETIMEDOUT)
				return -1;
		}
		if (*end == '\0')
			break;
	}
	errno = eacces ? EACCES : ENOENT;
	return -1;
}

int
execvp(const char *file, char *const argv[])
{

	return execvpe(file, argv, environ);
}

/* execl's arguments as an argv (malloc'd); *envp after them for execle */
static char **
hj_listargv(const char *arg0, va_list ap, char ***envp)
{
	va_list aq;
	char **argv;
	size_t n = 1, i;

	va_copy(aq, ap);
	while (va_arg(aq, char *) != NULL)
		n++;
	va_end(aq);
	if ((argv = calloc(n + 1, sizeof(*argv))) == NULL)
		return NULL;
	argv[0] = (char *)(uintptr_t)arg0;
	for (i = 1; i <= n; i++)
		argv[i] = va_arg(ap, char *);
	if (envp != NULL)
		*envp = va_arg(ap, char **);
	return argv;
}

int
execl(const char *path, const char *arg, ...)
{
	va_list ap;
	char **argv;
	int e;

	va_start(ap, arg);
	argv = hj_listargv(arg, ap, NULL);
	va_end(ap);
	if (argv == NULL)
		return -1;
	(void)execve(path, argv, environ);
	e = errno;
	free(argv);
	errno = e;
	return -1;
}

int
execle(const char *path, const char *arg, ...)
{
	va_list ap;
	char **argv, **envp;
	int e;

	va_start(ap, arg);
	argv = hj_listargv(arg, ap, &envp);
	va_end(ap);
	if (argv == NULL)
		return -1;
	(void)execve(path, argv, envp);
	e = errno;
	free(argv);
	errno = e;
	return -1;
}

int
execlp(const char *file, const char *arg, ...)
{
	va_list ap;
	char **argv;
	int e;

	va_start(ap, arg);
	argv = hj_listargv(arg, ap, NULL);
	va_end(ap);
	if (argv == NULL)
		return -1;
	(void)execvpe(file, argv, environ);
	e = errno;
	free(argv);
	errno = e;
	return -1;
}
