/*
 * harness.h -- integration test support: start a real rump_server,
 * run real client programs as separate host processes, and talk raw
 * frames to the server.
 */
#ifndef TESTS_HARNESS_H
#define TESTS_HARNESS_H

#include <sys/types.h>
#include <stddef.h>

#include "sp_proto.h"

struct server {
	pid_t	pid;
	char	url[300];
	char	dir[64];	/* temporary directory of the Unix socket */
	char	path[200];	/* the socket, for a Unix server */
	const char *const *extra; /* more rump_server arguments */
};

/* kind: "unix", "tcp4" or "tcp6"; extra: more rump_server arguments */
void	srv_start(struct server *, const char *kind, const char *const *extra);
/* start (again) on srv->url, as srv_start did */
void	srv_launch(struct server *);
/* SIGTERM; returns the server's wait status (checked by the caller) */
int	srv_stop(struct server *);
/* the same, asserting that it exited cleanly (status 0) */
void	srv_stop_clean(struct server *);
/* run bin with args (NULL-terminated), RUMP_SERVER set; stdout captured */
int	run_prog(const struct server *, char *out, size_t outlen,
	    const char *bin, ...);
/* the same for tests/tclient */
int	run_client(const struct server *, char *out, size_t outlen, ...);
/* start tclient in the background: its stdin and stdout are pipes */
pid_t	spawn_client(const struct server *, int *tochild, int *fromchild, ...);
/* the same for any program bin (args NULL-terminated) */
pid_t	spawn_prog(const struct server *, int *tochild, int *fromchild,
	    const char *bin, ...);
/* read one line from fd (blocking, with a 10 s limit) */
int	read_line(int fd, char *buf, size_t len);
const char *builddir_path(const char *rel, char *buf, size_t len);

/* a kern.sysproxy counter of srv, read by a client of its own (tengine) */
long long srv_counter(const struct server *, const char *name);
/* wait (a bounded poll, 10 s) until that counter says n, and assert it */
void	srv_wait_counter(const struct server *, const char *name, long long n);

/* raw protocol: connect, check the banner; -1 on failure */
int	raw_connect(const struct server *);
int	raw_send(int fd, uint64_t len, uint64_t reqno, int class, int type,
	    uint32_t arg, const void *body, size_t bodylen);
/* read one frame: header and up to bodymax bytes of body; -1 on EOF */
int	raw_recv(int fd, struct rsp_hdr *, void *body, size_t bodymax);
int	raw_handshake(int fd, const char *comm);
/* a SYSCALL request, by hand: arguments then one region (or none) */
void	raw_syscall(int fd, uint64_t reqno, int num, const uint64_t *args,
	    int nargs, const struct rsp_region *, const void *data);
/* getpid over a raw connection (after a handshake) */
long	raw_getpid(int fd, uint64_t reqno);
/* pipe2() over a raw connection: the two descriptors */
void	raw_pipe(int fd, uint64_t reqno, int fds[2]);
/* send a 1-byte read (into 0x2000) or write ("x") of descriptor d */
void	raw_byte(int fd, uint64_t reqno, int num, int d);
/* the body of raw_byte's answer: a read's byte comes in c[0] */
struct raw_byteresp {
	struct rsp_sysresp	sr;
	struct rsp_region	rr;
	char			c[8];
};

#endif /* TESTS_HARNESS_H */
