/*
 * sp_stats.c -- the server's live counters, for the kernel's
 * kern.sysproxy.* sysctl nodes (rump.stat(1) shows them).
 *
 * Counters are relaxed atomics, bumped where the event happens and
 * read one at a time: a reader sees each counter exact but not all of
 * them at one instant, which is what a monitor needs.  The gauges
 * (threads, idle, blocked) come from the pool.
 */
#include <sys/types.h>

#include <stdatomic.h>
#include <stdint.h>

#include "sp_int.h"

_Atomic int64_t sp_stat[RUMPUSER_SP_NCOUNTERS];

int64_t
rumpuser_sp_counter(int which)
{

	if (which < 0 || which >= RUMPUSER_SP_NCOUNTERS)
		return -1;
	switch (which) {
	case RUMPUSER_SP_THREADS:
	case RUMPUSER_SP_IDLE:
	case RUMPUSER_SP_BLOCKED:
		return sp_pool_gauge(which);
	default:
		return atomic_load_explicit(&sp_stat[which],
		    memory_order_relaxed);
	}
}
