/*
 * sp_shm.c -- byte rings in a region shared by a client and its
 * server (sp_shm.h says how they work and why they are safe).  Both
 * sides use these functions; only the copy function differs (the
 * client's turns a bad buffer of its caller's into EFAULT).
 */
#include <sys/types.h>
#include <sys/uio.h>

#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "sp_shm.h"

/*
 * The CPUs this thread may run on, RSP_SHM_CPUWORDS words of bits: its
 * affinity mask, which taskset(1), a cpuset or a container's CPU list
 * narrows.  All zero when it cannot be read.
 */
void
rsp_shm_mycpus(uint64_t *cpus)
{
	cpu_set_t set;
	unsigned i;

	memset(cpus, 0, RSP_SHM_CPUWORDS * sizeof(*cpus));
	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return;
	for (i = 0; i < RSP_SHM_CPUWORDS * 64 && i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, &set))
			cpus[i / 64] |= 1ull << (i % 64);
}

/*
 * Can the peer, whose mask is theirs (in the shared page: read once,
 * here), and we (mine) run at the same time on two CPUs?  Only then can
 * one answer while the other watches; confined to one and the same CPU
 * a watcher only keeps the other off it (a getpid took 110 us instead
 * of 14, bench/README.md).  A mask not said (all zero) may be anything.
 */
bool
rsp_shm_together(const volatile uint64_t *theirs, const uint64_t *mine)
{
	uint64_t t, any = 0, all = 0;
	unsigned i, n = 0;

	for (i = 0; i < RSP_SHM_CPUWORDS; i++) {
		t = theirs[i];
		any |= t;
		all |= mine[i];
		n += (unsigned)__builtin_popcountll(t | mine[i]);
	}
	return any == 0 || all == 0 || n >= 2;
}

size_t
rsp_shm_mapsize(uint32_t size)
{

	return RSP_SHM_CTLSZ + 2 * (size_t)size;
}

bool
rsp_shm_sizeok(uint32_t size)
{

	return size >= RSP_SHM_MINRING && size <= RSP_SHM_MAXRING &&
	    (size & (size - 1)) == 0;
}

/*
 * The two rings of a mapped region: *in is the one we consume, *out
 * the one we produce.  The server starts both at zero, whatever the
 * client may have written; a client takes its own positions from the
 * region, so that a new program image (exec) goes on where the old
 * one stopped.
 */
void
rsp_shm_rings(void *base, uint32_t size, bool server, struct rsp_ring *in,
    struct rsp_ring *out)
{
	struct rsp_shm_hdr *sh = base;
	uint8_t *c2s = (uint8_t *)base + RSP_SHM_CTLSZ;
	uint8_t *s2c = c2s + size;

	in->rg_size = out->rg_size = size;
	if (server) {
		in->rg_ctl = &sh->sh_c2s;
		in->rg_data = c2s;
		out->rg_ctl = &sh->sh_s2c;
		out->rg_data = s2c;
		in->rg_pos = out->rg_pos = 0;
	} else {
		in->rg_ctl = &sh->sh_s2c;
		in->rg_data = s2c;
		out->rg_ctl = &sh->sh_c2s;
		out->rg_data = c2s;
		in->rg_pos = atomic_load(&in->rg_ctl->r_head);
		out->rg_pos = atomic_load(&out->rg_ctl->r_tail);
	}
}

/* Room for the producer; EPROTO when the consumer's head is insane. */
int
rsp_ring_room(struct rsp_ring *rg, size_t *roomp)
{
	uint32_t head, used;

	head = atomic_load_explicit(&rg->rg_ctl->r_head,
	    memory_order_acquire);
	used = rg->rg_pos - head;
	if (used > rg->rg_size) {
		*roomp = 0;
		return EPROTO;
	}
	*roomp = rg->rg_size - used;
	return 0;
}

/*
 * Put what fits of iov (past its first skip bytes) into the ring and
 * publish it.  *donep is the number of bytes put.  A copy that fails
 * publishes nothing of this call and returns its errno.
 */
int
rsp_ring_put(struct rsp_ring *rg, const struct iovec *iov, int iovcnt,
    size_t skip, rsp_ring_copyfn copy, void *arg, size_t *donep)
{
	size_t room, n, k, off, done = 0;
	uint32_t pos;
	int i, error;

	*donep = 0;
	if ((error = rsp_ring_room(rg, &room)) != 0)
		return error;
	pos = rg->rg_pos;
	for (i = 0; i < iovcnt && room > 0; i++) {
		n = iov[i].iov_len;
		if (skip >= n) {
			skip -= n;
			continue;
		}
		off = skip;
		skip = 0;
		n -= off;
		if (n > room)
			n = room;
		while (n > 0) {
			k = rg->rg_size - (pos & (rg->rg_size - 1));
			if (k > n)
				k = n;
			error = copy(arg, i,
			    rg->rg_data + (pos & (rg->rg_size - 1)),
			    (const uint8_t *)iov[i].iov_base + off, k);
			if (error != 0)
				return error;
			pos += (uint32_t)k;
			off += k;
			n -= k;
			room -= k;
			done += k;
		}
	}
	rg->rg_pos = pos;
	atomic_store_explicit(&rg->rg_ctl->r_tail, pos, memory_order_release);
	*donep = done;
	return 0;
}

/* After a put: must the consumer be woken?  Then the caller rings. */
bool
rsp_ring_needwake(struct rsp_ring *rg)
{

	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(&rg->rg_ctl->r_cwait,
	    memory_order_relaxed) == 0)
		return false;
	return atomic_exchange(&rg->rg_ctl->r_cwait, 0) != 0;
}

/*
 * The ring is full and the producer will wait for a doorbell: ask the
 * consumer for one.  false when room came meanwhile (no wait).
 */
bool
rsp_ring_waitroom(struct rsp_ring *rg)
{
	size_t room;

	atomic_store(&rg->rg_ctl->r_pwait, 1);
	atomic_thread_fence(memory_order_seq_cst);
	if (rsp_ring_room(rg, &room) != 0 || room > 0) {
		atomic_store(&rg->rg_ctl->r_pwait, 0);
		return false;
	}
	return true;
}

/* Bytes for the consumer; EPROTO when the producer's tail is insane. */
int
rsp_ring_avail(struct rsp_ring *rg, size_t *np)
{
	uint32_t tail, n;

	tail = atomic_load_explicit(&rg->rg_ctl->r_tail,
	    memory_order_acquire);
	n = tail - rg->rg_pos;
	if (n > rg->rg_size) {
		*np = 0;
		return EPROTO;
	}
	*np = n;
	return 0;
}

/* The first contiguous piece of the next n (available) bytes. */
void
rsp_ring_peek(const struct rsp_ring *rg, size_t n, const uint8_t **pp,
    size_t *lenp)
{
	size_t off = rg->rg_pos & (rg->rg_size - 1), k;

	k = rg->rg_size - off;
	*pp = rg->rg_data + off;
	*lenp = n < k ? n : k;
}

/* The consumer is done with n bytes: publish the new head. */
void
rsp_ring_take(struct rsp_ring *rg, size_t n)
{

	rg->rg_pos += (uint32_t)n;
	atomic_store_explicit(&rg->rg_ctl->r_head, rg->rg_pos,
	    memory_order_release);
}

/*
 * Copy the next n (available) bytes out and take them.  A failed copy
 * takes nothing and returns its errno.
 */
int
rsp_ring_get(struct rsp_ring *rg, void *dst, size_t n, rsp_ring_copyfn copy,
    void *arg)
{
	const uint8_t *p;
	uint8_t *d = dst;
	size_t k;
	int error;

	while (n > 0) {
		rsp_ring_peek(rg, n, &p, &k);
		if ((error = copy(arg, 0, d, p, k)) != 0)
			return error;
		rsp_ring_take(rg, k);
		d += k;
		n -= k;
	}
	return 0;
}

/* After a take: must the producer be told of room?  Then ring. */
bool
rsp_ring_roomwake(struct rsp_ring *rg)
{

	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(&rg->rg_ctl->r_pwait,
	    memory_order_relaxed) == 0)
		return false;
	return atomic_exchange(&rg->rg_ctl->r_pwait, 0) != 0;
}

/*
 * The consumer found the ring empty and will sleep until a doorbell:
 * ask the producer for one.  false when bytes came meanwhile (or the
 * ring is broken, which the next rsp_ring_avail says): no sleep.
 */
bool
rsp_ring_sleep(struct rsp_ring *rg)
{
	size_t n;

	atomic_store(&rg->rg_ctl->r_cwait, 1);
	atomic_thread_fence(memory_order_seq_cst);
	if (rsp_ring_avail(rg, &n) != 0 || n > 0) {
		atomic_store(&rg->rg_ctl->r_cwait, 0);
		return false;
	}
	return true;
}

/* The consumer is awake again: doorbells are not needed. */
void
rsp_ring_awake(struct rsp_ring *rg)
{

	atomic_store_explicit(&rg->rg_ctl->r_cwait, 0, memory_order_relaxed);
}
