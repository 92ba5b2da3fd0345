/*
 * rumpuser_fault.c -- fault injection for tests, in the manner of
 * SQLite's test_malloc.c: make the Nth allocation fail, and make every
 * write to a client short, so that the error paths of the kernel and
 * of the sysproxy server run in tests instead of only being written.
 *
 * One counter for both: the kernel allocates through rumpuser_malloc
 * (kmem_alloc) and the server through sp_malloc/sp_calloc, and all of
 * them ask rumpuser_fault_alloc() first.  So "the Nth allocation" is
 * the Nth of the whole server, whichever side makes it, and a test
 * sweeps N over one scenario without knowing who allocates what.
 *
 * Switched on from the environment only, once, when the server accepts
 * its first connection (rumpuser_fault_arm): the boot and the server's
 * start are not counted, so N means the same in every run, and a
 * kernel linked into a program without a server never pays more than
 * one relaxed load per allocation.
 *
 *	RUMP_FAILNTH=N		the Nth allocation from the first
 *				connection on fails, once; one line on the
 *				standard error says so, which is how a
 *				test knows that its run got that far
 *	RUMP_SHORTWRITE=N	every write to a client sends at most
 *				N bytes (the rest waits in the queue)
 *
 * The kernel's own kmem_failnth() (for programs that link the kernel)
 * is a separate countdown that counts kernel allocations only.
 */
#include <sys/types.h>

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "rumpuser_int.h"

static _Atomic long fault_countdown;	/* > 0: allocations left */
static long fault_nth;			/* for the log line */
static size_t fault_shortwrite;		/* 0: writes are not cut */

static long
fault_env(const char *name)
{
	const char *v;
	char *end;
	long n;

	if ((v = getenv(name)) == NULL || *v == '\0')
		return 0;
	n = strtol(v, &end, 10);
	return *end == '\0' && n > 0 ? n : 0;
}

void
rumpuser_fault_arm(void)
{
	static atomic_bool armed;

	if (atomic_exchange_explicit(&armed, true, memory_order_relaxed))
		return;
	fault_nth = fault_env("RUMP_FAILNTH");
	fault_shortwrite = (size_t)fault_env("RUMP_SHORTWRITE");
	atomic_store_explicit(&fault_countdown, fault_nth,
	    memory_order_relaxed);
}

/* Is this allocation the one to fail? */
bool
rumpuser_fault_alloc(void)
{
	long left = atomic_load_explicit(&fault_countdown,
	    memory_order_relaxed);

	while (left > 0) {
		if (atomic_compare_exchange_weak_explicit(&fault_countdown,
		    &left, left - 1, memory_order_relaxed,
		    memory_order_relaxed)) {
			if (left != 1)
				return false;
			fprintf(stderr, "rumpuser: RUMP_FAILNTH: allocation "
			    "%ld fails\n", fault_nth);
			return true;
		}
	}
	return false;
}

size_t
rumpuser_fault_shortwrite(void)
{

	return fault_shortwrite;
}

void *
sp_malloc(size_t len)
{

	return rumpuser_fault_alloc() ? NULL : malloc(len);
}

void *
sp_calloc(size_t n, size_t len)
{

	return rumpuser_fault_alloc() ? NULL : calloc(n, len);
}
