/*
 * kern_misc.c -- the kernel's identity (uname) and its end (reboot).
 */
#include <sys/utsname.h>

#include "kern.h"
#include "sysent.h"

#if defined(__x86_64__)
#define RUMP_MACHINE	"x86_64"
#elif defined(__aarch64__)
#define RUMP_MACHINE	"aarch64"
#elif defined(__i386__)
#define RUMP_MACHINE	"i686"
#elif defined(__riscv) && __riscv_xlen == 64
#define RUMP_MACHINE	"riscv64"
#else
#define RUMP_MACHINE	"unknown"
#endif

const char rump_ostype[] = "rump";
const char rump_osrelease[] = "0.1";
const char rump_machine[] = RUMP_MACHINE;
static char hostname[65] = "rump";

void
kern_hostname(char *buf, size_t len)
{

	strlcpy(buf, hostname, len);
}

void
kern_sethostname(const char *name)
{

	strlcpy(hostname, name, sizeof(hostname));
}

int
sys_uname(struct lwp *l, const struct sys_uname_args *uap, register_t *rv)
{
	struct utsname u;

	memset(&u, 0, sizeof(u));
	strlcpy(u.sysname, rump_ostype, sizeof(u.sysname));
	strlcpy(u.nodename, hostname, sizeof(u.nodename));
	strlcpy(u.release, rump_osrelease, sizeof(u.release));
	strlcpy(u.version, "rump kernel", sizeof(u.version));
	strlcpy(u.machine, rump_machine, sizeof(u.machine));
#ifdef _GNU_SOURCE
	strlcpy(u.domainname, "(none)", sizeof(u.domainname));
#endif
	return copyout(&u, SCARG(uap, buf), sizeof(u));
}

/*
 * reboot(howto, bootstr): only root may.  The sysproxy server answers
 * the caller before it stops, so rump.halt sees success.  RB_HALT stops
 * serving but keeps the host process alive; RB_DUMP ends it with a
 * core dump; otherwise the host process exits.  RB_NOSYNC changes
 * nothing: the in-memory file system has nothing to write back.
 */
int
sys_reboot(struct lwp *l, const struct sys_reboot_args *uap, register_t *rv)
{
	struct proc *p = l->l_proc;
	int howto = SCARG(uap, howto);
	void *spc = p->p_spc;

	if (p->p_cred.cr_euid != 0)
		return EPERM;
	if ((howto & ~(RUMP_RB_NOSYNC | RUMP_RB_HALT | RUMP_RB_DUMP)) != 0)
		return EINVAL;
	if (rump_verbose)
		rumpuser_dprintf("rump kernel: reboot (howto 0x%x) by pid %d\n",
		    howto, p->p_pid);
	rump_unschedule();
	rumpuser_sp_fini(spc);
	rump_schedule();
	if (howto & RUMP_RB_DUMP)
		rumpuser_exit(RUMPUSER_PANIC);
	if (howto & RUMP_RB_HALT)
		return 0;
	rumpuser_exit(0);
}
