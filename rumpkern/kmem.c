/*
 * kmem.c -- kernel memory, charged against the kernel's memory limit
 * (rump_server -r, RUMP_MEMLIMIT).  Callers pass the size back to
 * kmem_free, so no header is kept per allocation.  The counter is
 * atomic because a few allocations happen before or outside the
 * kernel lock (boot).
 *
 * kmem_failnth() is fault injection for tests, in the manner of
 * SQLite's test_malloc.c: it makes the nth allocation from now fail,
 * so that a test can walk every allocation of a call and check that
 * each failure is clean (an error returned, kmem_inuse() back where
 * it was).  Its countdown is atomic like the counter.
 */
#include "kern.h"

static uint64_t kmem_limit_bytes;	/* 0: unlimited */
static uint64_t kmem_used;
static long kmem_countdown;	/* > 0: allocations left until one fails */

long
kmem_failnth(long n)
{
	long left;

	left = __atomic_exchange_n(&kmem_countdown, n > 0 ? n : 0,
	    __ATOMIC_RELAXED);
	return left;
}

/* is this allocation the one to fail? */
static bool
kmem_injectfail(void)
{
	long left = __atomic_load_n(&kmem_countdown, __ATOMIC_RELAXED);

	while (left > 0) {
		if (__atomic_compare_exchange_n(&kmem_countdown, &left,
		    left - 1, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
			return left == 1;
	}
	return false;
}

void
kmem_init(uint64_t limit)
{

	kmem_limit_bytes = limit;
}

uint64_t
kmem_limit(void)
{

	return kmem_limit_bytes;
}

uint64_t
kmem_inuse(void)
{

	return __atomic_load_n(&kmem_used, __ATOMIC_RELAXED);
}

void *
kmem_alloc(size_t len)
{
	uint64_t now;
	void *p;

	if (len == 0)
		len = 1;
	if (kmem_injectfail())
		return NULL;
	now = __atomic_add_fetch(&kmem_used, len, __ATOMIC_RELAXED);
	if (kmem_limit_bytes != 0 && now > kmem_limit_bytes) {
		__atomic_sub_fetch(&kmem_used, len, __ATOMIC_RELAXED);
		return NULL;
	}
	if (rumpuser_malloc(len, 0, &p) != 0) {
		__atomic_sub_fetch(&kmem_used, len, __ATOMIC_RELAXED);
		return NULL;
	}
	return p;
}

void *
kmem_zalloc(size_t len)
{
	void *p;

	if ((p = kmem_alloc(len)) != NULL)
		memset(p, 0, len);
	return p;
}

void
kmem_free(void *p, size_t len)
{

	if (p == NULL)
		return;
	if (len == 0)
		len = 1;
	rumpuser_free(p, len);
	__atomic_sub_fetch(&kmem_used, len, __ATOMIC_RELAXED);
}

char *
kmem_strdup(const char *s)
{
	size_t len = strlen(s) + 1;
	char *p;

	if ((p = kmem_alloc(len)) != NULL)
		memcpy(p, s, len);
	return p;
}

void
kmem_strfree(char *s)
{

	if (s != NULL)
		kmem_free(s, strlen(s) + 1);
}
