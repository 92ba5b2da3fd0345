/*
 * rump.c -- booting the kernel, and the operations table through which
 * the sysproxy server in librumpuser drives it.
 *
 * Boot reads its parameters from the host (rumpuser_getparam):
 * RUMP_NCPU, RUMP_MEMLIMIT (bytes, or with a k/m/g suffix),
 * RUMP_MAXPROC (processes, at least 2, at most 99998),
 * RUMP_VERBOSE and RUMP_HOSTNAME.
 *
 * A memory limit below RUMP_MEMLIMIT_MIN is refused with ENOMEM
 * before anything is made: the boot file system and pid 1 need a few
 * kilobytes and the first clients a few more.  Boot failing for want
 * of memory above that (the host's malloc) is ENOMEM too, never a
 * panic; a kernel whose boot failed stays unbooted and every later
 * rump_init() returns the same error.
 */
#include <stdlib.h>

#include "kern.h"

int rump_ncpu = 1;
int rump_verbose;
static int rump_booted;
static int rump_booterror;

static long long
getparam_num(const char *name, long long dflt)
{
	char buf[64], *end;
	long long v;

	if (rumpuser_getparam(name, buf, sizeof(buf)) != 0)
		return dflt;
	v = strtoll(buf, &end, 10);
	if (end == buf || v < 0)
		return dflt;
	/* sizes may say k, m or g, as rump_server -r does */
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	default: break;
	}
	if (*end != '\0')
		return dflt;
	return v;
}

const char *
rump_boot_version(void)
{

	return rump_osrelease;
}

/* make pids 0 and 1, sysctl and the file system; ENOMEM if short */
static int
rump_boot(void)
{
	int error;

	rump_schedule();
	if ((error = proc_init()) == 0) {
		sysctl_init();
		error = vfs_init();
	}
	if (error == 0) {
		proc0->p_cwd = initproc->p_cwd = rootvnode;
		vref(rootvnode);
		vref(rootvnode);
	} else
		initproc = NULL;	/* no system calls into a half kernel */
	rump_unschedule();
	return error;
}

int
rump_init(void)
{
	char name[65];
	uint64_t limit;
	int error;

	if (__atomic_exchange_n(&rump_booted, 1, __ATOMIC_ACQ_REL) != 0)
		return rump_booterror;
	if ((error = rumpuser_init(RUMPUSER_VERSION)) != 0)
		return rump_booterror = error;
	rump_verbose = getparam_num("RUMP_VERBOSE", 0) != 0;
	rump_ncpu = (int)getparam_num("RUMP_NCPU", 1);
	maxproc = (int)getparam_num("RUMP_MAXPROC", RUMP_MAXPROC);
	if (maxproc < 2 || maxproc > 99998)
		maxproc = RUMP_MAXPROC;
	if (rump_ncpu < 1)
		rump_ncpu = 1;
	limit = (uint64_t)getparam_num("RUMP_MEMLIMIT", 0);
	if (limit != 0 && limit < RUMP_MEMLIMIT_MIN)
		return rump_booterror = ENOMEM;
	kmem_init(limit);
	if (rumpuser_getparam("RUMP_HOSTNAME", name, sizeof(name)) == 0)
		kern_sethostname(name);

	sched_init();
	if ((error = rump_boot()) != 0)
		return rump_booterror = error;

	if (rump_verbose) {
		rumpuser_dprintf("rump kernel %s/%s booted: %d virtual cpu%s, "
		    "memory limit %lld\n", rump_osrelease, rump_machine,
		    rump_ncpu, rump_ncpu == 1 ? "" : "s",
		    getparam_num("RUMP_MEMLIMIT", 0));
	}
	return 0;
}

/*
 * The sysproxy operations.  The server calls every one but
 * schedule/unschedule with the kernel scheduled on its thread.
 */
static int
spop_rfork(void *spc, int flags, const char *comm)
{
	struct lwp *l = curlwp;

	/* the FORK handshake: bind the prefork image, do not fork again */
	if (l != NULL && (l->l_proc->p_flag & P_PREFORK) != 0 &&
	    (flags & RUMPUSER_SP_PREFORK) == 0)
		return lwproc_bindprefork(spc, comm);
	return lwproc_rfork(spc, flags, comm);
}

static struct lwp *
spop_curlwp(void)
{

	return curlwp;
}

/* the server keeps an lwp between calls: an exiting process has no more */
static int
spop_syscall(int num, void *args, register_t *rv)
{

	if (curproc->p_flag & P_WEXIT)
		return ESRCH;
	return rump_syscall_dispatch(curlwp, num, args, rv);
}

/* every lwp of the current process is told to exit (disconnect, exec) */
static void
spop_lwpexit(void)
{
	struct lwp *l;

	curproc->p_flag |= P_LWPEXIT;
	LIST_FOREACH(l, &curproc->p_lwps, l_sibling)
		lwp_kick(l);
}

/*
 * exec: the process keeps its pid, credentials and descriptors, but
 * not CLOEXEC ones; as execve(2), the saved ids take the effective ids.
 */
static void
spop_execnotify(const char *comm)
{
	struct proc *p = curproc;
	struct lwp *l;

	proc_setcomm(p, comm);
	p->p_cred.cr_suid = p->p_cred.cr_euid;
	p->p_cred.cr_sgid = p->p_cred.cr_egid;
	p->p_flag &= ~P_LWPEXIT;
	if (p->p_fd != NULL)
		fd_closeexec(p->p_fd);
	LIST_FOREACH(l, &p->p_lwps, l_sibling)
		l->l_flag &= ~LW_WEXIT;
}

static pid_t
spop_getpid(void)
{

	return curproc->p_pid;
}

static const struct rumpuser_sp_ops spops = {
	.spop_schedule = rump_schedule,
	.spop_unschedule = rump_unschedule,
	.spop_lwproc_rfork = spop_rfork,
	.spop_lwproc_newlwp = lwproc_newlwp,
	.spop_lwproc_switch = lwp_switchto,
	.spop_lwproc_release = lwproc_release,
	.spop_lwproc_curlwp = spop_curlwp,
	.spop_syscall = spop_syscall,
	.spop_lwpexit = spop_lwpexit,
	.spop_execnotify = spop_execnotify,
	.spop_getpid = spop_getpid,
	.spop_lwpkick = lwp_kick,
};

/* kern.sysproxy.*: the server's counters, read when asked */
static const char *const sysproxy_names[RUMPUSER_SP_NCOUNTERS] = {
	[RUMPUSER_SP_CLIENTS] = "clients",
	[RUMPUSER_SP_CONNECTS] = "connects",
	[RUMPUSER_SP_REFUSED] = "refused",
	[RUMPUSER_SP_THREADS] = "threads",
	[RUMPUSER_SP_IDLE] = "idle",
	[RUMPUSER_SP_BLOCKED] = "blocked",
	[RUMPUSER_SP_REQUESTS] = "requests",
	[RUMPUSER_SP_BYTESIN] = "bytes_in",
	[RUMPUSER_SP_BYTESOUT] = "bytes_out",
	[RUMPUSER_SP_QUEUED] = "queued",
	[RUMPUSER_SP_COPYREQS] = "copyreqs",
	[RUMPUSER_SP_ERRORS] = "errors",
	[RUMPUSER_SP_CUTOFF] = "cutoff",
	[RUMPUSER_SP_PREFORKS] = "preforks",
};

static int64_t
sysproxy_get(void *arg)
{

	return rumpuser_sp_counter((int)(intptr_t)arg);
}

int
rump_daemonize_begin(void)
{

	return rumpuser_daemonize_begin();
}

int
rump_daemonize_done(int error)
{

	return rumpuser_daemonize_done(error);
}

int
rump_init_server(const char *url)
{
	int error, i;

	if (initproc == NULL)
		return ENXIO;
	error = rumpuser_sp_init(url, &spops, rump_ostype, rump_osrelease,
	    rump_machine);
	if (error != 0)
		return error;
	rump_schedule();
	for (i = 0; i < RUMPUSER_SP_NCOUNTERS && error == 0; i++)
		error = sysctl_addquad("kern.sysproxy", sysproxy_names[i],
		    i + 1, sysproxy_get, (void *)(intptr_t)i);
	rump_unschedule();
	/* a server without its counters still serves */
	if (error != 0)
		rumpuser_dprintf("rump kernel: kern.sysproxy: %s\n",
		    strerror(error));
	return 0;
}
