/*
 * tool.h -- what the rump.* tools share: naming the program, connecting
 * to the kernel, and reading a kernel directory.
 */
#ifndef RUMP_TOOLS_TOOL_H
#define RUMP_TOOLS_TOOL_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

/*
 * Name the program for getopt(3), err(3), warn(3) and the kernel's
 * command name, whatever argv[0] says (in the build tree libtool runs
 * ".libs/lt-rump.cat").  Replaces argv[0].  A lone --version
 * argument prints the name and version and exits 0.
 */
void	tool_setname(char **argv, const char *name);

/*
 * rumpclient_init(), or one line on stderr and exit 1.  With verbose,
 * print "<tool>: rump pid N" first.
 */
void	tool_connect(int verbose);

/*
 * The names in the kernel directory path, "." and ".." included, as
 * one malloc'd array of malloc'd strings.  Returns 0 or an errno.
 */
int	tool_dirnames(const char *path, char ***namesp, size_t *np);

/*
 * One of the kernel's listing calls (proclist, socklist: they return
 * the bytes the whole list takes), asked again with more room until
 * the list fits.  Returns a malloc'd array of *np records of recsz
 * bytes; one line on stderr and exit 1 on error.
 */
void	*tool_getlist(ssize_t (*call)(void *, size_t), size_t recsz,
	    size_t *np);
void	tool_freenames(char **names, size_t n);

/* a socket's protocol ("tcp4", "stream"...) and an address (tool_sock.c) */
struct rump_sockinfo;
struct sockaddr_storage;
const char *tool_sockproto(const struct rump_sockinfo *);
const char *tool_sockaddr(const struct sockaddr_storage *, uint32_t len,
	    char *buf, size_t size);

/*
 * rump.fstat's listing (filelist.c), also rump.ps -f: the open files
 * of process pid (-1: all) of user uid (-1: all); returns the exit
 * status.
 */
int	tool_fstat(long pid, long uid);

#endif /* RUMP_TOOLS_TOOL_H */
