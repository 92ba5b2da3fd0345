/*
 * rumpdefs.h -- structures of the rump kernel's own system calls, shared
 * by clients and the kernel.
 */
#ifndef _RUMP_RUMPDEFS_H_
#define _RUMP_RUMPDEFS_H_

#include <sys/types.h>
#include <sys/socket.h>
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
	int32_t	rpi_nfiles;	/* open descriptors (was padding: same size) */
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
#define RUMP_KERN_FILE		15	/* struct rump_fileinfo[] */

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

/*
 * One socket as rump_sys_socklist() reports it: one record for every
 * descriptor of every process that refers to a socket, then one with
 * pid 0 and fd -1 for each socket no descriptor refers to (a
 * connection not yet accepted, a socket in flight in SCM_RIGHTS).
 * Addresses are Linux's struct sockaddr_* with their lengths (0: none;
 * an unbound socket's local address is its family's empty one).
 */
struct rump_sockinfo {
	int32_t	rsi_pid;	/* process holding it, 0: none */
	int32_t	rsi_fd;		/* its descriptor there, -1: none */
	int32_t	rsi_family;	/* AF_UNIX, AF_INET, AF_INET6 */
	int32_t	rsi_type;	/* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET */
	int32_t	rsi_protocol;	/* 0, IPPROTO_TCP, IPPROTO_UDP */
	int32_t	rsi_state;	/* RUMP_SOCK_* */
	uint32_t rsi_rcvq;	/* bytes waiting to be read */
	uint32_t rsi_sndq;	/* bytes sent, waiting in the peer */
	uint64_t rsi_id;	/* the same for every descriptor of it */
	uint32_t rsi_laddrlen;
	uint32_t rsi_faddrlen;
	struct sockaddr_storage rsi_laddr;	/* local address */
	struct sockaddr_storage rsi_faddr;	/* peer address */
};
#define RUMP_SOCK_UNCONNECTED	1	/* new, bound, or a datagram socket */
#define RUMP_SOCK_LISTEN	2
#define RUMP_SOCK_CONNECTED	3
#define RUMP_SOCK_CLOSED	4	/* the peer is gone */
#define RUMP_SOCK_EMBRYONIC	5	/* queued on a listener, not accepted */

/*
 * One descriptor as sysctl kern.file reports it: one record for every
 * open descriptor of every process, process by process (in no
 * particular order of processes), each process's in descriptor order.  The stat fields are
 * fstat(2)'s for the descriptor.  rfi_path is the file's name in the
 * kernel's file system, "" when not known (a file whose last name is
 * gone, a host file inside a host directory, a name past the search's
 * bound); a file with several names gets one of them; a name too long
 * for the field keeps its end, after "...".
 */
#define RUMP_FI_PATHLEN		256
struct rump_fileinfo {
	int32_t	rfi_pid;
	int32_t	rfi_fd;
	int32_t	rfi_type;	/* RUMP_FTYPE_* */
	int32_t	rfi_flags;	/* fcntl(F_GETFL): O_ACCMODE, O_APPEND... */
	int32_t	rfi_fdflags;	/* fcntl(F_GETFD): FD_CLOEXEC */
	int32_t	rfi_count;	/* references to the open file */
	int64_t	rfi_offset;
	uint64_t rfi_id;	/* the open file: shared by dup and fork */
	uint64_t rfi_dataid;	/* socket: rsi_id; pipe: both ends' */
	uint64_t rfi_ino;	/* st_ino */
	uint64_t rfi_rdev;	/* st_rdev */
	int64_t	rfi_size;	/* st_size; a pipe: bytes in it */
	uint32_t rfi_mode;	/* st_mode */
	uint32_t rfi_nlink;	/* st_nlink */
	char	rfi_path[RUMP_FI_PATHLEN];
};
#define RUMP_FTYPE_VNODE	1	/* a file, directory or device */
#define RUMP_FTYPE_PIPE		2
#define RUMP_FTYPE_SOCKET	3
#define RUMP_FTYPE_EPOLL	4

#endif /* _RUMP_RUMPDEFS_H_ */
