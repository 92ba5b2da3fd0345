/*
 * kern_proclist.c -- proclist(2), the rump kernel's own call for
 * listing its processes (rump.ps): one struct rump_procinfo per
 * process, pid 1 first, including prefork images (RUMP_PSTAT_PREFORK:
 * a fork under way that no connection has claimed yet, so a leaked one
 * shows).  pid 0, the kernel's own process, is not listed.  With a buffer
 * too small it fills what fits and returns the number of bytes all of
 * them need, so a caller can retry with the right size.
 */
#include <rump/rumpdefs.h>

#include "kern.h"
#include "sysent.h"

/* open descriptors; a zombie has no table any more */
static int
proc_nfiles(const struct proc *p)
{
	int i, n = 0;

	if (p->p_fd == NULL)
		return 0;
	for (i = 0; i < p->p_fd->fd_nfiles; i++)
		if (p->p_fd->fd_ofiles[i].fe_file != NULL)
			n++;
	return n;
}

static void
proc_info(struct proc *p, struct rump_procinfo *pi)
{

	memset(pi, 0, sizeof(*pi));
	pi->rpi_pid = p->p_pid;
	pi->rpi_ppid = p->p_pptr != NULL ? p->p_pptr->p_pid : 0;
	pi->rpi_pgid = p->p_pgid;
	pi->rpi_sid = p->p_sid;
	pi->rpi_uid = p->p_cred.cr_uid;
	pi->rpi_nlwps = p->p_nlwps;
	if (p->p_flag & P_PREFORK)
		pi->rpi_stat = RUMP_PSTAT_PREFORK;
	else if (p->p_stat == SZOMB)
		pi->rpi_stat = RUMP_PSTAT_ZOMBIE;
	else
		pi->rpi_stat = RUMP_PSTAT_ACTIVE;
	pi->rpi_xstat = p->p_stat == SZOMB ? p->p_xstat : 0;
	pi->rpi_remote = p->p_spc != NULL;
	pi->rpi_nfiles = proc_nfiles(p);
	strlcpy(pi->rpi_comm, p->p_comm, sizeof(pi->rpi_comm));
}

/*
 * A snapshot of every process (pid 1 first) in a new buffer of *bufszp
 * bytes, *needp of them used; shared with sysctl's kern.proc.all.
 */
int
proclist_snapshot(struct rump_procinfo **bufp, size_t *needp,
    size_t *bufszp)
{
	struct rump_procinfo *buf;
	struct proc *p;
	size_t n = 0, max, bufsz;

	max = (size_t)nprocs;		/* pid 0 is not counted */
	bufsz = max * sizeof(*buf);
	if ((buf = kmem_alloc(bufsz)) == NULL)
		return ENOMEM;
	proc_info(initproc, &buf[n++]);
	LIST_FOREACH(p, &allproc, p_list) {
		if (p == initproc || p == proc0 || n == max)
			continue;
		proc_info(p, &buf[n++]);
	}
	*bufp = buf;
	*needp = n * sizeof(*buf);
	*bufszp = bufsz;
	return 0;
}

int
sys_proclist(struct lwp *l, const struct sys_proclist_args *uap,
    register_t *rv)
{
	struct rump_procinfo *buf;
	size_t size = SCARG(uap, size), need, bufsz;
	int error;

	/* snapshot under the lock, copy out after */
	if ((error = proclist_snapshot(&buf, &need, &bufsz)) != 0)
		return error;
	error = copyout(buf, SCARG(uap, buf), need < size ? need :
	    size - size % sizeof(*buf));
	kmem_free(buf, bufsz);
	if (error == 0)
		rv[0] = (register_t)need;
	return error;
}
