/*
 * filelist.c -- the open files of the rump kernel's processes, as
 * NetBSD's fstat(1) lists them: rump.fstat, and rump.ps -f.
 *
 * Three listings make one table: sysctl kern.file (a record per
 * descriptor, with the file's name as the kernel found it), the
 * process list (user and command) and the socket list (a socket's
 * protocol and addresses, matched by pid and descriptor).  They are
 * taken one after the other, so a process may come or go in between:
 * a descriptor whose process or socket is missing prints "?".
 * Names and commands are client-chosen and go through strvis(3).
 */
#include "config.h"

#define LIBBSD_OPENBSD_VIS

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vis.h>

#include <rump/rumpdefs.h>
#include <rump/rump_syscalls.h>

#include "tool.h"

static struct rump_procinfo *procs;
static size_t nprocs;
static struct rump_sockinfo *socks;
static size_t nsocks;

static ssize_t
proclist(void *buf, size_t size)
{

	return rump_sys_proclist(buf, size);
}

static ssize_t
socklist(void *buf, size_t size)
{

	return rump_sys_socklist(buf, size);
}

/* kern.file, in the shape of the listing calls for tool_getlist */
static ssize_t
kernfile(void *buf, size_t size)
{
	static const int mib[] = { RUMP_CTL_KERN, RUMP_KERN_FILE };
	size_t len = size;

	if (rump_sys___sysctl(mib, 2, buf, &len, NULL, 0) == -1 &&
	    errno != ENOMEM)
		return -1;
	return (ssize_t)len;
}

static int
byfd(const void *a, const void *b)
{
	const struct rump_fileinfo *x = a, *y = b;

	if (x->rfi_pid != y->rfi_pid)
		return (x->rfi_pid > y->rfi_pid) - (x->rfi_pid < y->rfi_pid);
	return (x->rfi_fd > y->rfi_fd) - (x->rfi_fd < y->rfi_fd);
}

static const struct rump_procinfo *
findproc(int32_t pid)
{
	size_t i;

	for (i = 0; i < nprocs; i++)
		if (procs[i].rpi_pid == pid)
			return &procs[i];
	return NULL;
}

static const struct rump_sockinfo *
findsock(int32_t pid, int32_t fd)
{
	size_t i;

	for (i = 0; i < nsocks; i++)
		if (socks[i].rsi_pid == pid && socks[i].rsi_fd == fd)
			return &socks[i];
	return NULL;
}

static const char *
typename(const struct rump_fileinfo *fi)
{

	switch (fi->rfi_type) {
	case RUMP_FTYPE_PIPE:
		return "pipe";
	case RUMP_FTYPE_SOCKET:
		return "sock";
	case RUMP_FTYPE_EPOLL:
		return "epoll";
	case RUMP_FTYPE_VNODE:
		break;
	default:
		return "?";
	}
	switch (fi->rfi_mode & S_IFMT) {
	case S_IFREG:
		return "file";
	case S_IFDIR:
		return "dir";
	case S_IFCHR:
		return "chr";
	case S_IFBLK:
		return "blk";
	case S_IFLNK:
		return "link";
	case S_IFIFO:
		return "fifo";
	case S_IFSOCK:
		return "sock";
	default:
		return "?";
	}
}

/* the open flags and close-on-exec as letters: "a", "n", "s", "x" */
static void
flagstr(const struct rump_fileinfo *fi, char *buf)
{
	char *p = buf;

	if (fi->rfi_flags & O_APPEND)
		*p++ = 'a';
	if (fi->rfi_flags & O_NONBLOCK)
		*p++ = 'n';
	if (fi->rfi_flags & O_ASYNC)
		*p++ = 's';
	if (fi->rfi_fdflags & FD_CLOEXEC)
		*p++ = 'x';
	if (p == buf)
		*p++ = '-';
	*p = '\0';
}

/* NAME: the path, a pipe, a socket's protocol and addresses */
static void
namestr(const struct rump_fileinfo *fi, char *buf, size_t len)
{
	const struct rump_sockinfo *si;
	char path[sizeof(fi->rfi_path)], la[512], fa[512];

	switch (fi->rfi_type) {
	case RUMP_FTYPE_VNODE:
		memcpy(path, fi->rfi_path, sizeof(path));
		path[sizeof(path) - 1] = '\0';
		if (path[0] == '\0') {
			snprintf(buf, len, fi->rfi_nlink == 0 ? "(removed)" :
			    "(name unknown)");
			return;
		}
		if (len < 4 * strlen(path) + 1)
			abort();
		strvis(buf, path, VIS_SAFE | VIS_OCTAL);
		return;
	case RUMP_FTYPE_PIPE:
		snprintf(buf, len, "pipe %#llx, %lld bytes",
		    (unsigned long long)fi->rfi_dataid,
		    (long long)fi->rfi_size);
		return;
	case RUMP_FTYPE_SOCKET:
		if ((si = findsock(fi->rfi_pid, fi->rfi_fd)) == NULL) {
			snprintf(buf, len, "socket %#llx",
			    (unsigned long long)fi->rfi_dataid);
			return;
		}
		snprintf(buf, len, "%s %s <-> %s", tool_sockproto(si),
		    tool_sockaddr(&si->rsi_laddr, si->rsi_laddrlen, la,
		    sizeof(la)),
		    tool_sockaddr(&si->rsi_faddr, si->rsi_faddrlen, fa,
		    sizeof(fa)));
		return;
	default:
		buf[0] = '\0';
		return;
	}
}

static void
printfile(const struct rump_fileinfo *fi)
{
	const struct rump_procinfo *pi;
	char comm[4 * sizeof(pi->rpi_comm) + 1], user[16], mode[16];
	char flags[8], szdv[32], name[4 * RUMP_FI_PATHLEN + 1200];
	const char *rw;

	snprintf(user, sizeof(user), "?");
	snprintf(comm, sizeof(comm), "?");
	if ((pi = findproc(fi->rfi_pid)) != NULL) {
		char c[sizeof(pi->rpi_comm)];

		snprintf(user, sizeof(user), "%u", pi->rpi_uid);
		memcpy(c, pi->rpi_comm, sizeof(c));
		c[sizeof(c) - 1] = '\0';
		strvis(comm, c, VIS_SAFE | VIS_OCTAL);
	}
	strmode((mode_t)fi->rfi_mode, mode);
	mode[10] = '\0';		/* strmode appends a blank */
	if (S_ISCHR(fi->rfi_mode) || S_ISBLK(fi->rfi_mode))
		snprintf(szdv, sizeof(szdv), "%u,%u", major(fi->rfi_rdev),
		    minor(fi->rfi_rdev));
	else
		snprintf(szdv, sizeof(szdv), "%lld", (long long)fi->rfi_size);
	switch (fi->rfi_flags & O_ACCMODE) {
	case O_RDWR:
		rw = "rw";
		break;
	case O_WRONLY:
		rw = "w";
		break;
	default:
		rw = "r";
		break;
	}
	flagstr(fi, flags);
	namestr(fi, name, sizeof(name));
	printf("%-5s %-10s %5d %4d %-5s %6llu %-10s %7s %-3s %-4s %8lld %s\n",
	    user, comm, fi->rfi_pid, fi->rfi_fd, typename(fi),
	    (unsigned long long)fi->rfi_ino, mode, szdv, rw, flags,
	    (long long)fi->rfi_offset, name);
}

int
tool_fstat(long pid, long uid)
{
	struct rump_fileinfo *fi;
	const struct rump_procinfo *pi;
	size_t n, i;

	fi = tool_getlist(kernfile, sizeof(*fi), &n);
	procs = tool_getlist(proclist, sizeof(*procs), &nprocs);
	socks = tool_getlist(socklist, sizeof(*socks), &nsocks);
	qsort(fi, n, sizeof(*fi), byfd);
	printf("%-5s %-10s %5s %4s %-5s %6s %-10s %7s %-3s %-4s %8s %s\n",
	    "USER", "CMD", "PID", "FD", "TYPE", "INUM", "MODE", "SZ|DV",
	    "R/W", "FL", "OFFSET", "NAME");
	for (i = 0; i < n; i++) {
		if (pid != -1 && fi[i].rfi_pid != pid)
			continue;
		pi = findproc(fi[i].rfi_pid);
		if (uid != -1 && (pi == NULL || pi->rpi_uid != (uint32_t)uid))
			continue;
		printfile(&fi[i]);
	}
	free(fi);
	free(procs);
	free(socks);
	return 0;
}
