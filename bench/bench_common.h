/*
 * bench_common.h -- what the benchmarks share: the clock, full reads
 * and writes, the raw echo peer that is every case's baseline, the
 * alternating rounds and their statistics, and the counters read from
 * /proc and perf(1) (context switches, resident memory, system calls).
 */
#ifndef RUMP_BENCH_COMMON_H
#define RUMP_BENCH_COMMON_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "sp_proto.h"
#include "sp_url.h"

/* The frames of a getpid round trip. */
#define BN_GETPID_REQ	(RSP_HDRSZ + sizeof(struct rsp_sysreq))
#define BN_GETPID_RESP	(RSP_HDRSZ + sizeof(struct rsp_sysresp))

#define BN_MAXROUNDS	200

/* Options every benchmark takes. */
struct bn_opts {
	long	 o_n;		/* calls per side per round */
	int	 o_rounds;	/* rounds, at least 10 */
	int	 o_chunk;	/* calls per chunk in interleaved mode */
	long	 o_idle;	/* -i: idle clients */
	int	 o_quick;	/* -q: a short run */
	pid_t	 o_server;	/* -s: the server's pid, 0 if unknown */
	const char *o_case;	/* -k: only this case */
};

/* One side of a comparison: make n calls. */
struct bn_side {
	void	(*s_run)(void *, long);
	void	*s_arg;
};

/* The outcome of alternating rounds. */
struct bn_result {
	int	 r_rounds;
	double	 r_raw[BN_MAXROUNDS];	/* ns per call, per round */
	double	 r_rump[BN_MAXROUNDS];
	double	 r_ratio[BN_MAXROUNDS];	/* rump/raw, or raw/rump if inv */
};

/* A raw peer: a forked child answering every request of reqsz bytes. */
struct bn_raw {
	int	 r_fd;		/* our end */
	pid_t	 r_pid;		/* the echoing child */
	char	 r_dir[64];	/* temporary directory of a Unix socket */
	char	 r_path[128];
};

/* System calls counted by perf stat attached to a process. */
struct bn_perf {
	pid_t	 p_pid;		/* perf itself, 0 if unavailable */
	int	 p_ctl;		/* --control fd: enable/disable */
	int	 p_ack;
	char	 p_out[64];	/* its -o file */
};

/* Counts of one measured stretch: [0] the client, [1] the server. */
struct bn_count {
	double	 c_syscalls[2];	/* per call, -1 if perf is unavailable */
	double	 c_ctxsw[2];	/* per call */
};

uint64_t bn_now(void);
int	 bn_io(int, void *, size_t, int);
void	 bn_opts_init(struct bn_opts *, long, int, int);
int	 bn_opts_parse(struct bn_opts *, int, char **, const char *);
int	 bn_want(const struct bn_opts *, const char *);
void	 bn_url(const char *, struct rsp_addr *);
void	 bn_client(const char *, const struct rsp_addr *);
const char *bn_transport(int);

void	 bn_raw_start(struct bn_raw *, int, size_t, size_t);
void	 bn_raw_call(struct bn_raw *, void *, size_t, void *, size_t);
void	 bn_raw_stop(struct bn_raw *);

void	 bn_rounds(struct bn_result *, const struct bn_side *,
	    const struct bn_side *, int, long, int, int);
double	 bn_median(const double *, int);
double	 bn_min(const double *, int);
void	 bn_header(const char *);
void	 bn_print(const char *, const char *, const struct bn_result *,
	    const char *);

long	 bn_ctxsw(pid_t);
long	 bn_rss_kb(pid_t);
int	 bn_perf_start(struct bn_perf *, pid_t);
long	 bn_perf_stop(struct bn_perf *);
void	 bn_count(struct bn_count *, const struct bn_side *, long, pid_t,
	    pid_t);
void	 bn_count_header(const char *);
void	 bn_print_count(const char *, const struct bn_count *,
	    const struct bn_count *);

#endif /* RUMP_BENCH_COMMON_H */
