/*
 * rumpdefs.h -- structures of the rump kernel's own system calls, shared
 * by clients and the kernel.
 */
#ifndef _RUMP_RUMPDEFS_H_
#define _RUMP_RUMPDEFS_H_

#include <sys/types.h>
#include <stdint.h>

/* One process, as rump_sys_proclist() reports it. */
struct rump_procinfo {
	int32_t	rpi_pid;
	int32_t	rpi_ppid;
	int32_t	rpi_pgid;
	int32_t	rpi_sid;
	uint32_t rpi_uid;
	int32_t	rpi_nlwps;
	int32_t	rpi_stat;	/* RUMP_PSTAT_* */
	int32_t	rpi_xstat;	/* wait status, for a zombie */
	int32_t	rpi_remote;	/* 1: a sysproxy client, 0: in-process */
	int32_t	rpi_pad;
	char	rpi_comm[16];
};
#define RUMP_PSTAT_ACTIVE	1
#define RUMP_PSTAT_ZOMBIE	2
#define RUMP_PSTAT_PREFORK	3	/* forked for a client, not yet claimed */

/*
 * rump_sys___sysctl() names: NetBSD's numbers where NetBSD has the
 * node, prefixed so as not to meet Linux's <linux/sysctl.h>.  See
 * rump(3).
 */
#define RUMP_CTL_MAXNAME	12	/* most levels in a name */
#define RUMP_CTL_SYSCTL		0	/* the tree itself, below */
#define RUMP_CTL_KERN		1
#define RUMP_CTL_HW		6

#define RUMP_KERN_OSTYPE	1	/* string */
#define RUMP_KERN_OSRELEASE	2	/* string */
#define RUMP_KERN_MAXPROC	6	/* int */
#define RUMP_KERN_HOSTNAME	10	/* string, root may set */
#define RUMP_KERN_PROC		14	/* node */
#define RUMP_KERN_PROC_ALL	0	/* struct rump_procinfo[] */

#define RUMP_HW_MACHINE		1	/* string */
#define RUMP_HW_NCPU		3	/* int */

/* under RUMP_CTL_SYSCTL (FreeBSD's scheme): what a tool needs to walk */
#define RUMP_SYSCTL_NAME	1	/* {0,1,mib}: the dotted name */
#define RUMP_SYSCTL_NEXT	2	/* {0,2,mib}: the next leaf's mib */
#define RUMP_SYSCTL_NAME2OID	3	/* {0,3}, new: a name; old: its mib */
#define RUMP_SYSCTL_TYPE	4	/* {0,4,mib}: an int RUMP_CTLTYPE_* */

#define RUMP_CTLTYPE_NODE	1
#define RUMP_CTLTYPE_INT	2
#define RUMP_CTLTYPE_STRING	3
#define RUMP_CTLTYPE_QUAD	4
#define RUMP_CTLTYPE_STRUCT	5

#endif /* _RUMP_RUMPDEFS_H_ */
