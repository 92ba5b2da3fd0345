/*
 * rc_fork.c -- processes: fork (prefork, then a FORK handshake from
 * the child on a new connection), vfork, exec (the connection survives
 * execve(2) through a descriptor named in the environment) and daemon.
 *
 * The child of any fork(2) inherits the parent's connection; a
 * pthread_atfork child handler resets the client state (locks,
 * waiters, reader role, eventfds: the other threads are gone) and marks
 * that connection inherited, so that dropping it later only closes our
 * copy and never shuts down the parent's socket.
 *
 * The child of fork(2) has no listener thread (rc_listen.c): the
 * atfork child handler marks it gone and rumpclient_fork_init() starts
 * one for the child's own connection.  rumpclient_exec() pauses the
 * listener before the EXEC handshake.
 *
 * After exec the new program reads the connection afresh: frames the
 * old one had read ahead but not yet handled (only an unsolicited
 * RAISE can be among them) are lost with its memory.
 *
 * The server releases a prefork whose maker disconnects before the
 * child claimed it.  So rumpclient_fork() and rumpclient_daemon() make
 * the parent wait (a pipe) until the child has done its handshake:
 * when the parent goes on, or exits, the child is already attached.
 */
#include "config.h"

#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rump/rumpclient.h>

#include <rump/rump_syscalls.h>

#include "rumpclient_int.h"

#define RC_EXECFD_VAR	"RUMPCLIENT__EXECFD"

struct rumpclient_fork {
	uint8_t		rf_auth[RUMPSP_AUTHLEN];
	struct rsp_addr	rf_addr;
};

/*
 * The prepare handler takes c_mtx; signals stay blocked until the lock
 * is given back, or a handler's rump_sys_* call would wait on it.
 */
static __thread sigset_t rc_fork_omask;

static void
rc_atfork_prepare(void)
{

	rc_blocksigs(&rc_fork_omask);
	pthread_mutex_lock(&rc_client.c_mtx);
	rc_tconn_prefork();
	rc_wake_prefork();
}

static void
rc_atfork_parent(void)
{

	rc_wake_postfork_parent();
	rc_tconn_postfork_parent();
	pthread_mutex_unlock(&rc_client.c_mtx);
	rc_restoresigs(&rc_fork_omask);
}

static void
rc_atfork_child(void)
{
	struct rc_client *c = &rc_client;
	struct rc_conn *cn;

	rc_wake_postfork_child();
	rc_tconn_postfork_child();
	rc_call_postfork_child();
	/* the parent's join key and thread connections are not for us */
	c->c_havekey = false;
	atomic_fetch_add(&c->c_connepoch, 1);
	pthread_mutex_init(&c->c_mtx, NULL);
	pthread_mutex_init(&c->c_sendmtx, NULL);
	pthread_mutex_init(&c->c_initmtx, NULL);
	if ((cn = c->c_conn) != NULL) {
		cn->cn_refs = 1;
		cn->cn_reader = NULL;
		atomic_store(&cn->cn_rwaiter, NULL);
		cn->cn_noshut = true;
		/* MADV_DONTFORK: the parent's region is not mapped here */
		rc_shm_forget(cn);
		TAILQ_INIT(&cn->cn_waiters);
		atomic_store(&cn->cn_ncalls, 0);
	}
	c->c_connecting = false;
	TAILQ_INIT(&c->c_connwait);
	/* the parent's threads that held retired connections are not here */
	c->c_retired = 0;
	c->c_retirefd = -1;
	rc_listener_postfork_child();
	rc_restoresigs(&rc_fork_omask);
}

/*
 * exit(3) of a client reports its status to the kernel, so that the
 * parent's wait4() sees it (a client that ends without exit(3) or
 * rump_sys_exit() is reported as killed, see rump_sp(7)).  A status
 * set earlier by rump_sys_exit() stays: the kernel keeps the first.
 * From here on the connection is not re-established and a broken one
 * does not call exit(3) again.
 */
static void
rc_onexit(int status, void *arg)
{
	struct rc_client *c = &rc_client;
	bool live;

	pthread_mutex_lock(&c->c_mtx);
	live = c->c_conn != NULL && !c->c_conn->cn_dead && !c->c_exiting;
	c->c_exiting = true;
	pthread_mutex_unlock(&c->c_mtx);
	if (live)
		rump_sys_exit(status);
}

static void
rc_global_once(void)
{

	rc_wake_init();
	rc_tconn_init();
	rc_call_init();
	if (on_exit(rc_onexit, NULL) != 0)
		rc_debug("on_exit failed");
	if (pthread_atfork(rc_atfork_prepare, rc_atfork_parent,
	    rc_atfork_child) != 0)
		rc_debug("pthread_atfork failed");
}

void
rc_global_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, rc_global_once);
}

struct rumpclient_fork *
rumpclient_prefork(void)
{
	struct rc_client *c = &rc_client;
	struct rumpclient_fork *rf;
	struct rc_waiter w;
	sigset_t omask;
	bool haveaddr;
	int error;

	if ((rf = malloc(sizeof(*rf))) == NULL)
		return NULL;
	rc_blocksigs(&omask);
	pthread_mutex_lock(&c->c_mtx);
	haveaddr = c->c_haveaddr;
	rf->rf_addr = c->c_addr;
	pthread_mutex_unlock(&c->c_mtx);
	/* without an address the child could not connect */
	error = haveaddr ? rc_simple(RUMPSP_PREFORK, 0, NULL, 0, &w, &omask) :
	    ENOTCONN;
	if (error == 0) {
		if (w.w_bodylen != sizeof(struct rsp_prefork_resp))
			error = EPROTO;
		else
			memcpy(rf->rf_auth, w.w_body, sizeof(rf->rf_auth));
		rc_waiter_fini(&w);
	}
	rc_restoresigs(&omask);
	if (error != 0) {
		free(rf);
		errno = error;
		return NULL;
	}
	return rf;
}

static void
rc_fork_free(struct rumpclient_fork *rf)
{

	explicit_bzero(rf, sizeof(*rf));
	free(rf);
}

/* Forget the connection we inherited, closing only our copy. */
static void
rc_drop_inherited(void)
{
	struct rc_client *c = &rc_client;
	struct rc_conn *cn;
	struct rc_waiter *w;

	pthread_mutex_lock(&c->c_mtx);
	if ((cn = c->c_conn) != NULL) {
		c->c_conn = NULL;
		cn->cn_dead = true;
		TAILQ_FOREACH(w, &cn->cn_waiters, w_entries)
			rc_wake(w->w_efd);
		rc_conn_rele_locked(cn);
	}
	pthread_mutex_unlock(&c->c_mtx);
}

int
rumpclient_fork_init(struct rumpclient_fork *rf)
{
	struct rc_client *c = &rc_client;
	struct rsp_handshake_fork hf;
	struct rc_conn *cn;
	sigset_t omask;
	int error;

	rc_global_init();
	rc_blocksigs(&omask);
	rc_drop_inherited();
	memset(&hf, 0, sizeof(hf));
	memcpy(hf.rf_auth, rf->rf_auth, sizeof(hf.rf_auth));
	hf.rf_cancel = 0;
	error = rc_open(&rf->rf_addr, HANDSHAKE_FORK, &hf, sizeof(hf),
	    &omask, &cn);
	if (error == 0) {
		pthread_mutex_lock(&c->c_mtx);
		c->c_addr = rf->rf_addr;
		c->c_haveaddr = true;
		/* a new process: thread connections and key are its own */
		c->c_havekey = false;
		c->c_connepoch++;
		c->c_conn = cn;
		c->c_inited = true;
		pthread_mutex_unlock(&c->c_mtx);
		rc_listener_start();
	}
	explicit_bzero(&hf, sizeof(hf));
	rc_fork_free(rf);
	rc_restoresigs(&omask);
	if (error != 0) {
		errno = error;
		return -1;
	}
	return 0;
}

/*
 * NetBSD's cancel does nothing and leaks the pending child in the
 * kernel; ours tells the server, on a connection of its own.
 */
void
rumpclient_fork_cancel(struct rumpclient_fork *rf)
{
	struct rsp_handshake_fork hf;
	struct rc_conn *cn;
	sigset_t omask;
	int sverrno = errno;

	rc_blocksigs(&omask);
	memset(&hf, 0, sizeof(hf));
	memcpy(hf.rf_auth, rf->rf_auth, sizeof(hf.rf_auth));
	hf.rf_cancel = 1;
	if (rc_open(&rf->rf_addr, HANDSHAKE_FORK, &hf, sizeof(hf), &omask,
	    &cn) == 0)
		rc_conn_rele(cn);
	explicit_bzero(&hf, sizeof(hf));
	rc_fork_free(rf);
	rc_restoresigs(&omask);
	errno = sverrno;
}

/*
 * fork(2) with the rump side done: prefork, fork, the child attaches
 * and tells the parent through a pipe, the parent waits for that.
 * -1 in the child (*childfail set) when it could not attach.
 */
static pid_t
rc_fork_sync(int *childfail)
{
	struct rumpclient_fork *rf;
	int p[2], e;
	pid_t pid;
	char ch;

	*childfail = 0;
	if ((rf = rumpclient_prefork()) == NULL)
		return -1;
	if (pipe2(p, O_CLOEXEC) == -1) {
		e = errno;
		rumpclient_fork_cancel(rf);
		errno = e;
		return -1;
	}
	switch ((pid = fork())) {
	case -1:
		e = errno;
		close(p[0]);
		close(p[1]);
		rumpclient_fork_cancel(rf);
		errno = e;
		return -1;
	case 0:
		close(p[0]);
		e = rumpclient_fork_init(rf);
		*childfail = e != 0;
		ch = e == 0 ? 'y' : 'n';
		(void)write(p[1], &ch, 1);
		close(p[1]);
		return e == 0 ? 0 : -1;
	default:
		close(p[1]);
		while (read(p[0], &ch, 1) == -1 && errno == EINTR)
			continue;
		close(p[0]);
		rc_fork_free(rf);
		return pid;
	}
}

pid_t
rumpclient_fork(void)
{
	pid_t pid;
	int childfail;

	pid = rc_fork_sync(&childfail);
	if (pid == -1 && childfail) {
		/* the child could not attach: it has nothing to go on with */
		fprintf(stderr, "%s: rumpclient_fork: %s\n", getprogname(),
		    strerror(errno));
		_exit(1);
	}
	return pid;
}

/*
 * vfork(2)'s contract (the child may only exec or _exit) done with
 * fork(2): a library function cannot return into a vfork child, whose
 * stack is the parent's, and the child has its own handshake to do.
 */
pid_t
rumpclient_vfork(void)
{

	return rumpclient_fork();
}

/* envp plus RUMPCLIENT__EXECFD=var (replacing one already there). */
static char **
rc_exec_env(char *const envp[], char *var)
{
	size_t n = 0, i, j = 0, vl = strlen(RC_EXECFD_VAR);
	char **env;

	while (envp != NULL && envp[n] != NULL)
		n++;
	if ((env = calloc(n + 2, sizeof(*env))) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (strncmp(envp[i], RC_EXECFD_VAR, vl) == 0 &&
		    envp[i][vl] == '=')
			continue;
		env[j++] = envp[i];
	}
	env[j++] = var;
	env[j] = NULL;
	return env;
}

/*
 * execve(2) first, as NetBSD does: the new image sends the EXEC
 * handshake from rumpclient_init() (rc_conn.c), so a failed execve
 * leaves the kernel process exactly as it was, and the old image's
 * threads see no call interrupted before they are gone.  The
 * connection must be at a frame boundary when the image goes: the
 * listener is paused, and a getpid round trip reads whatever the
 * server had sent before it.
 */
static int
rc_exec_conn(const char *path, char *const argv[], char *const envp[],
    sigset_t *omask)
{
	struct rc_client *c = &rc_client;
	struct rsp_sysreq rs;
	struct rc_waiter w;
	struct rc_conn *cn;
	char var[80], **env;
	int memfd, error;

	memset(&rs, 0, sizeof(rs));
	error = rc_simple(RUMPSP_SYSCALL, RUMP_SYS_getpid, &rs, sizeof(rs),
	    &w, omask);
	if (error != 0)
		return error;
	rc_waiter_fini(&w);
	pthread_mutex_lock(&c->c_mtx);
	if ((cn = c->c_conn) != NULL)
		cn->cn_refs++;
	pthread_mutex_unlock(&c->c_mtx);
	if (cn == NULL)
		return ENOTCONN;
	memfd = rc_shm_memfd(cn);
	if (cn->cn_shm != NULL && memfd == -1) {
		/* closed under us: the new image could not read the rings */
		rc_conn_rele(cn);
		return EBADF;
	}
	if (memfd != -1)
		snprintf(var, sizeof(var), "%s=%d:%d.%d:%d", RC_EXECFD_VAR,
		    cn->cn_fd, cn->cn_major, cn->cn_minor, memfd);
	else
		snprintf(var, sizeof(var), "%s=%d:%d.%d", RC_EXECFD_VAR,
		    cn->cn_fd, cn->cn_major, cn->cn_minor);
	if ((env = rc_exec_env(envp, var)) == NULL) {
		rc_conn_rele(cn);
		return ENOMEM;
	}
	pthread_mutex_lock(&c->c_sendmtx);
	if (fcntl(cn->cn_fd, F_SETFD, 0) == -1 ||
	    (memfd != -1 && fcntl(memfd, F_SETFD, 0) == -1)) {
		error = errno;
		(void)fcntl(cn->cn_fd, F_SETFD, FD_CLOEXEC);
	} else {
		/* the new program starts with the caller's signal mask */
		rc_restoresigs(omask);
		execve(path, argv, env);
		error = errno;
		rc_blocksigs(omask);
		(void)fcntl(cn->cn_fd, F_SETFD, FD_CLOEXEC);
		if (memfd != -1)
			(void)fcntl(memfd, F_SETFD, FD_CLOEXEC);
	}
	pthread_mutex_unlock(&c->c_sendmtx);
	free(env);
	rc_conn_rele(cn);
	return error;
}

/* The listener must not be inside a frame when the image goes. */
static int
rc_exec(const char *path, char *const argv[], char *const envp[],
    sigset_t *omask)
{
	int error;

	rc_listener_pause(omask);
	error = rc_exec_conn(path, argv, envp, omask);
	rc_listener_resume();
	return error;
}

int
rumpclient_exec(const char *path, char *const argv[], char *const envp[])
{
	sigset_t omask;
	int error;

	rc_blocksigs(&omask);
	error = rc_exec(path, argv, envp, &omask);
	rc_restoresigs(&omask);
	errno = error;
	return -1;
}

int
rumpclient_daemon(int nochdir, int noclose)
{
	pid_t pid;
	int fd, childfail;

	if ((pid = rc_fork_sync(&childfail)) == -1)
		return -1;
	if (pid != 0)
		_exit(0);
	if (setsid() == -1)
		return -1;
	if (!nochdir && chdir("/") == -1)
		return -1;
	if (!noclose) {
		if ((fd = open("/dev/null", O_RDWR)) == -1)
			return -1;
		(void)dup2(fd, STDIN_FILENO);
		(void)dup2(fd, STDOUT_FILENO);
		(void)dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	return 0;
}
