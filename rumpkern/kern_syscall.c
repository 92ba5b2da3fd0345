/*
 * kern_syscall.c -- the system call entry: from a program that linked
 * librump (rump_syscall_local, called by the generated rump_sys_*
 * stubs) and from the sysproxy server (rump_syscall_dispatch, through
 * the spop_syscall operation).  Both end in the generated rump_sysent
 * table.
 */
#include "kern.h"
#include "sysent.h"
#include <rump/rump_syscalls.h>

/*
 * Run system call num as lwp l.  The argument block is copied into a
 * zeroed block of the largest size, so a handler may read any of its
 * argument slots whatever the caller sent.
 */
int
rump_syscall_dispatch(struct lwp *l, int num, const void *args,
    register_t *rv)
{
	uint64_t argbuf[8];
	const struct sysent *sy;
	size_t argsize;

	if (num <= 0 || num >= RUMP_SYS_MAXSYSCALL)
		return ENOSYS;
	sy = &rump_sysent[num];
	if (sy->sy_call == NULL)
		return ENOSYS;
	memset(argbuf, 0, sizeof(argbuf));
	argsize = (size_t)sy->sy_narg * sizeof(uint64_t);
	if (argsize > 0 && args != NULL)
		memcpy(argbuf, args, argsize);
	rv[0] = rv[1] = 0;
	return sy->sy_call(l, argbuf, rv);
}

int
rump_syscall_local(int num, const void *args, size_t argsize,
    register_t *rv)
{
	struct lwp *l, *implicit = NULL;
	int error;

	if (initproc == NULL)
		return ENXIO;		/* rump_init() has not run */
	if (num <= 0 || num >= RUMP_SYS_MAXSYSCALL ||
	    argsize != (size_t)rump_sysent[num].sy_narg * sizeof(uint64_t))
		return ENOSYS;
	rump_schedule();
	if ((l = curlwp) == NULL) {
		if ((l = implicit = lwp_implicit_enter()) == NULL) {
			rump_unschedule();
			return ENOMEM;
		}
	}
	error = rump_syscall_dispatch(l, num, args, rv);
	if (implicit != NULL)
		lwp_implicit_leave(implicit);
	rump_unschedule();
	return error;
}
