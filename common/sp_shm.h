/*
 * sp_shm.h -- the shared-memory transport's rings (rump_sp(7), SHM).
 *
 * A client on a Unix socket may ask for a region shared with its
 * server (a memfd the server makes and passes with SCM_RIGHTS).  From
 * then on every frame of the connection goes through two byte rings
 * in it, one per direction, exactly as it would have gone through the
 * socket; the socket carries only doorbell bytes (any value, any
 * number: "look at the rings") and its end is still the end of the
 * client.
 *
 * Layout: one page of control words, then the client-to-server ring,
 * then the server-to-client ring, each sh_size bytes (a power of two).
 * Positions are free-running 32-bit byte counts.  The producer owns
 * r_tail, the consumer r_head; each side keeps its own position in
 * private memory (rg_pos) and only publishes it, and judges the
 * other's: a peer whose position puts more than sh_size bytes, or less
 * than none, in the ring is broken (EPROTO).  Nothing is read from
 * shared memory twice: the consumer copies bytes out once and judges
 * the copy.
 *
 * Doorbells follow Dekker: a consumer about to sleep sets r_cwait,
 * then looks at r_tail once more; a producer publishes r_tail, then
 * looks at r_cwait, and if set clears it and sends a doorbell byte.
 * With both stores before both loads (sequentially consistent), at
 * least one side sees the other.  r_pwait is the same for a producer
 * waiting for room.
 *
 * Watching before sleeping: each side watches the other's ring for a
 * few tens of microseconds before it asks for a doorbell, but a
 * client's reader stops at once when every call it has in flight is
 * asleep in the server (sh_asleep), so a call that blocks in the
 * kernel costs its client no CPU.
 */
#ifndef RUMP_COMMON_SP_SHM_H
#define RUMP_COMMON_SP_SHM_H

#include <sys/types.h>
#include <sys/uio.h>

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RSP_SHM_MAGIC		0x72736d31u	/* "rsm1" */
#define RSP_SHM_CTLSZ		4096u
#define RSP_SHM_MINRING		(16u * 1024)
#define RSP_SHM_MAXRING		(16u * 1024 * 1024)
#define RSP_SHM_DEFRING		(256u * 1024)
#define RSP_SHM_CPUWORDS	16u		/* 1024 CPUs, as cpu_set_t */

/* A pause in a loop that watches a ring (both sides spin so). */
#if defined(__x86_64__) || defined(__i386__)
#define RSP_CPU_RELAX()	__builtin_ia32_pause()
#elif defined(__aarch64__)
#define RSP_CPU_RELAX()	__asm__ __volatile__("yield")
#else
#define RSP_CPU_RELAX()	do { } while (0)
#endif

/* One direction's control words, each on a cache line of its own. */
struct rsp_shm_ctl {
	_Atomic uint32_t	r_tail;		/* producer: bytes put */
	uint32_t		r_pad0[15];
	_Atomic uint32_t	r_head;		/* consumer: bytes taken */
	uint32_t		r_pad1[15];
	_Atomic uint32_t	r_cwait;	/* consumer asleep: ring it */
	uint32_t		r_pad2[15];
	_Atomic uint32_t	r_pwait;	/* producer needs room: ring */
	uint32_t		r_pad3[15];
};

/* The region's first page. */
struct rsp_shm_hdr {
	uint32_t		sh_magic;
	uint32_t		sh_size;	/* bytes of each ring */
	uint32_t		sh_pad[14];
	struct rsp_shm_ctl	sh_c2s;		/* client to server */
	struct rsp_shm_ctl	sh_s2c;		/* server to client */
	/*
	 * The server's count of the client's calls asleep in its kernel
	 * (or waiting for the client's answer to a copy): no answer soon,
	 * so the client's reader need not watch its ring.  Only a hint,
	 * for the client alone: the server never acts on what it reads.
	 */
	_Atomic uint32_t	sh_asleep;
	uint32_t		sh_pad1[15];
	/*
	 * The CPUs each side may run on, a bit each (its affinity mask
	 * when the region was mapped; all zero: not said), each written
	 * by its side before its first frame on the rings.  Watching a
	 * ring pays only when the two can run at once on two CPUs
	 * (rsp_shm_together); two sides confined to one and the same CPU
	 * do not watch.  Hints for watching alone, read once.
	 */
	uint64_t		sh_srvcpus[RSP_SHM_CPUWORDS];
	uint64_t		sh_clicpus[RSP_SHM_CPUWORDS];
};

/* The RESP to a RUMPSP_SHM request; the memfd comes with it. */
struct rsp_shm_resp {
	uint32_t		rsr_size;	/* bytes of each ring */
	uint32_t		rsr_pad;
};

/* One side's private view of one ring. */
struct rsp_ring {
	struct rsp_shm_ctl	*rg_ctl;
	uint8_t			*rg_data;
	uint32_t		 rg_size;
	uint32_t		 rg_pos;	/* our r_tail or r_head */
};

/*
 * Copy n bytes to dst from src, a piece of iovec number idx (0 for a
 * plain buffer); 0 or an errno (EFAULT).
 */
typedef int (*rsp_ring_copyfn)(void *arg, int idx, void *dst,
    const void *src, size_t n);

size_t	rsp_shm_mapsize(uint32_t);
bool	rsp_shm_sizeok(uint32_t);
void	rsp_shm_rings(void *, uint32_t, bool, struct rsp_ring *,
	    struct rsp_ring *);

/* producer */
int	rsp_ring_room(struct rsp_ring *, size_t *);
int	rsp_ring_put(struct rsp_ring *, const struct iovec *, int, size_t,
	    rsp_ring_copyfn, void *, size_t *);
bool	rsp_ring_needwake(struct rsp_ring *);
bool	rsp_ring_waitroom(struct rsp_ring *);

/* consumer */
int	rsp_ring_avail(struct rsp_ring *, size_t *);
int	rsp_ring_get(struct rsp_ring *, void *, size_t, rsp_ring_copyfn,
	    void *);
void	rsp_ring_peek(const struct rsp_ring *, size_t, const uint8_t **,
	    size_t *);
void	rsp_ring_take(struct rsp_ring *, size_t);
bool	rsp_ring_roomwake(struct rsp_ring *);
bool	rsp_ring_sleep(struct rsp_ring *);
void	rsp_ring_awake(struct rsp_ring *);

/* both: whether watching can pay */
void	rsp_shm_mycpus(uint64_t *);
bool	rsp_shm_together(const volatile uint64_t *, const uint64_t *);

#endif /* RUMP_COMMON_SP_SHM_H */
