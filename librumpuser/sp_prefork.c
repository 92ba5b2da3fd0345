/*
 * sp_prefork.c -- prefork images waiting for their FORK handshake.
 *
 * A PREFORK request forks the client's process in the kernel right
 * away (so the child's descriptors are a copy taken now, whatever the
 * parent does next) and hands the client a random cookie; the child
 * presents it on a new connection.  Each image is on a global list in
 * creation order, which is also expiry order, and on its creator's
 * list.  One FORK handshake claims it (compared in constant time); the
 * creator's disconnect or SP_PREFORK_TTL_MS without a claim releases
 * it.  The leader looks at the head of the global list for its epoll
 * timeout and a pool thread sweeps (releasing needs the kernel), so an
 * expiry costs nothing per client.
 *
 * sp_pf_mtx protects both lists; it comes after spc_mtx in the lock
 * order.  Images are released (which schedules the kernel) only after
 * they are off the lists and the mutex is dropped.
 */
#include <sys/types.h>
#include <sys/queue.h>

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sp_int.h"

int rumpsp_maxprefork = 64;

struct sp_prefork {
	uint8_t			 pf_auth[RUMPSP_AUTHLEN];
	struct lwp		*pf_lwp;
	uint64_t		 pf_expire;	/* sp_now_ms() */
	struct sp_client	*pf_spc;	/* its creator */
	TAILQ_ENTRY(sp_prefork)	 pf_entries;	/* sp_preforks */
	LIST_ENTRY(sp_prefork)	 pf_spcentries;	/* owner's spc_preforks */
};

TAILQ_HEAD(sp_pflist, sp_prefork);

static pthread_mutex_t sp_pf_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct sp_pflist sp_preforks = TAILQ_HEAD_INITIALIZER(sp_preforks);

/*
 * Constant-time comparison: the installed libbsd (0.11) has no
 * timingsafe_bcmp.  Every byte is looked at whatever the first
 * difference, so the time taken says nothing about the cookie.
 */
static int
sp_ct_bcmp(const uint8_t *a, const uint8_t *b, size_t n)
{
	volatile uint8_t diff = 0;
	size_t i;

	for (i = 0; i < n; i++)
		diff |= a[i] ^ b[i];
	return diff != 0;
}

static void
sp_prefork_unlink(struct sp_prefork *pf)
{

	TAILQ_REMOVE(&sp_preforks, pf, pf_entries);
	LIST_REMOVE(pf, pf_spcentries);
	pf->pf_spc->spc_npreforks--;
	SP_STAT_ADD(RUMPUSER_SP_PREFORKS, -1);
}

/* Release images taken off the lists: their processes go away. */
static void
sp_prefork_release(struct sp_pflist *list)
{
	struct sp_prefork *pf;

	while ((pf = TAILQ_FIRST(list)) != NULL) {
		TAILQ_REMOVE(list, pf, pf_entries);
		sp_lwproc_switch(pf->pf_lwp);
		sp_lwproc_release();
		free(pf);
	}
}

/*
 * Remember the image whose lwp is l for spc and fill in its cookie.
 * Returns ENOMEM, EAGAIN when spc holds rumpsp_maxprefork images
 * already, or ENOTCONN when spc has disconnected meanwhile (its
 * preforks were dropped already); the caller then releases l.
 */
int
sp_prefork_add(struct sp_client *spc, struct lwp *l,
    uint8_t auth[RUMPSP_AUTHLEN])
{
	struct sp_prefork *pf;
	bool first;

	if ((pf = sp_malloc(sizeof(*pf))) == NULL)
		return ENOMEM;
	arc4random_buf(pf->pf_auth, sizeof(pf->pf_auth));
	memcpy(auth, pf->pf_auth, sizeof(pf->pf_auth));
	pf->pf_lwp = l;
	pf->pf_spc = spc;
	pf->pf_expire = sp_now_ms() + SP_PREFORK_TTL_MS;

	pthread_mutex_lock(&spc->spc_mtx);
	if (spc->spc_dying) {
		pthread_mutex_unlock(&spc->spc_mtx);
		free(pf);
		return ENOTCONN;
	}
	pthread_mutex_lock(&sp_pf_mtx);
	if (rumpsp_maxprefork >= 0 &&
	    spc->spc_npreforks >= rumpsp_maxprefork) {
		pthread_mutex_unlock(&sp_pf_mtx);
		pthread_mutex_unlock(&spc->spc_mtx);
		free(pf);
		return EAGAIN;
	}
	spc->spc_npreforks++;
	SP_STAT_ADD(RUMPUSER_SP_PREFORKS, 1);
	first = TAILQ_EMPTY(&sp_preforks);
	TAILQ_INSERT_TAIL(&sp_preforks, pf, pf_entries);
	LIST_INSERT_HEAD(&spc->spc_preforks, pf, pf_spcentries);
	pthread_mutex_unlock(&sp_pf_mtx);
	pthread_mutex_unlock(&spc->spc_mtx);

	/* the leader's timeout was infinite: make it look again */
	if (first)
		sp_server_kick();
	return 0;
}

/*
 * The FORK handshake: take the image with this cookie off the lists.
 * Returns its lwp, or NULL when no image has the cookie.
 */
struct lwp *
sp_prefork_claim(const uint8_t auth[RUMPSP_AUTHLEN])
{
	struct sp_prefork *pf;
	struct lwp *l = NULL;

	pthread_mutex_lock(&sp_pf_mtx);
	TAILQ_FOREACH(pf, &sp_preforks, pf_entries) {
		if (sp_ct_bcmp(pf->pf_auth, auth, sizeof(pf->pf_auth)) == 0) {
			sp_prefork_unlink(pf);
			break;
		}
	}
	pthread_mutex_unlock(&sp_pf_mtx);
	if (pf != NULL) {
		l = pf->pf_lwp;
		free(pf);
	}
	return l;
}

/* spc disconnected: its unclaimed images go. */
void
sp_prefork_drop_client(struct sp_client *spc)
{
	struct sp_pflist list = TAILQ_HEAD_INITIALIZER(list);
	struct sp_prefork *pf;

	pthread_mutex_lock(&sp_pf_mtx);
	while ((pf = LIST_FIRST(&spc->spc_preforks)) != NULL) {
		sp_prefork_unlink(pf);
		TAILQ_INSERT_TAIL(&list, pf, pf_entries);
	}
	pthread_mutex_unlock(&sp_pf_mtx);
	sp_prefork_release(&list);
}

/*
 * The leader: milliseconds until the next image expires (0: one has),
 * or -1 when none is pending; an epoll_wait timeout.
 */
int
sp_prefork_next(void)
{
	struct sp_prefork *pf;
	uint64_t now;
	int next = -1;

	now = sp_now_ms();
	pthread_mutex_lock(&sp_pf_mtx);
	if ((pf = TAILQ_FIRST(&sp_preforks)) != NULL)
		next = pf->pf_expire <= now ? 0 :
		    pf->pf_expire - now > INT_MAX ? INT_MAX :
		    (int)(pf->pf_expire - now);
	pthread_mutex_unlock(&sp_pf_mtx);
	return next;
}

/* A pool thread: release the expired images. */
void
sp_prefork_sweep(void)
{
	struct sp_pflist list = TAILQ_HEAD_INITIALIZER(list);
	struct sp_prefork *pf;
	uint64_t now;

	now = sp_now_ms();
	pthread_mutex_lock(&sp_pf_mtx);
	while ((pf = TAILQ_FIRST(&sp_preforks)) != NULL &&
	    pf->pf_expire <= now) {
		sp_prefork_unlink(pf);
		TAILQ_INSERT_TAIL(&list, pf, pf_entries);
	}
	pthread_mutex_unlock(&sp_pf_mtx);
	sp_prefork_release(&list);
}
