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

#endif /* _RUMP_RUMPDEFS_H_ */
