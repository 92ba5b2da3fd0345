/*
 * sp_join.c -- thread connections: more connections of one process.
 *
 * A process's own connection (the one its GUEST or FORK handshake
 * made: the owner) may ask for the process's join key (a JOIN request,
 * protocol 0.8).  A new connection whose JOIN handshake shows the key
 * becomes a thread connection of that process: its calls run on an lwp
 * of the process of their own (cached per connection, as any
 * connection's), its copies and their answers go over it, and nothing
 * else does (no prefork, exec, rings or signals: those stay with the
 * owner).  The client gives each of its busy threads one, so that
 * threads neither share a socket nor wait on each other's frames
 * (librumpclient's rc_tconn.c).
 *
 * Lifetime: a thread connection holds a reference on its owner (a unit
 * of spc_nwork), so the owner, and with it the process, outlives every
 * thread connection.  When the owner's connection goes, or the process
 * execs, its thread connections are shut down (sp_join_cut): the
 * client's threads see their socket end, the leader closes them as any
 * other, and the owner's disconnect or exec drain completes once they
 * are gone.  One that closes alone (its thread exited, or was
 * cancelled in a call) takes only its cached lwp with it, and a call of
 * its still asleep in the kernel is interrupted (sp_lwproc_kickcalls):
 * nobody waits for its answer.
 *
 * The key is 16 random bytes, made at the first JOIN and valid while
 * the owner's connection lives: anyone who has it can make calls as
 * the process, which is why it travels only over the owner's own
 * connection (and, with a server key, only to an authenticated one).
 *
 * Locks: sp_join_mtx guards the list of keys and each owner's
 * spc_haskey; it is taken before an owner's spc_mtx (sp_join_claim),
 * never after.  An owner's spc_joined list is under its spc_mtx.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "sp_int.h"

static pthread_mutex_t sp_join_mtx = PTHREAD_MUTEX_INITIALIZER;
static LIST_HEAD(, sp_client) sp_joinkeys = LIST_HEAD_INITIALIZER(sp_joinkeys);

/* Constant-time comparison: a key is a secret. */
static bool
sp_join_keyeq(const uint8_t *a, const uint8_t *b)
{
	unsigned d = 0;
	size_t i;

	for (i = 0; i < RUMPSP_AUTHLEN; i++)
		d |= a[i] ^ b[i];
	return d == 0;
}

/*
 * The leader: a JOIN request on spc, a process's own connection
 * (sp_handle_frame refuses it on a thread connection).  Answers with
 * the key, made now if this is the first.
 */
void
sp_join_key(struct sp_client *spc, uint64_t reqno)
{
	struct rsp_joinkey jk;

	pthread_mutex_lock(&sp_join_mtx);
	if (!spc->spc_haskey) {
		arc4random_buf(spc->spc_joinkey, sizeof(spc->spc_joinkey));
		spc->spc_haskey = true;
		LIST_INSERT_HEAD(&sp_joinkeys, spc, spc_keyentries);
	}
	memcpy(jk.rjk_key, spc->spc_joinkey, sizeof(jk.rjk_key));
	pthread_mutex_unlock(&sp_join_mtx);
	(void)sp_send_resp(spc, reqno, RUMPSP_JOIN, 0, &jk, sizeof(jk));
}

/*
 * The leader: the JOIN handshake of a new connection spc.  With the
 * key of a running process, spc becomes one of its thread connections
 * and holds its owner; returns false when no owner that may be joined
 * now (not disconnecting, not in exec) has the key.
 */
bool
sp_join_claim(struct sp_client *spc, const struct rsp_joinkey *jk)
{
	struct sp_client *owner;
	bool ok = false;

	pthread_mutex_lock(&sp_join_mtx);
	LIST_FOREACH(owner, &sp_joinkeys, spc_keyentries) {
		if (sp_join_keyeq(owner->spc_joinkey, jk->rjk_key))
			break;
	}
	if (owner != NULL) {
		pthread_mutex_lock(&owner->spc_mtx);
		if (owner->spc_connected && !owner->spc_dying &&
		    !owner->spc_inexec) {
			/* it takes one of the process's --maxcalls */
			owner->spc_nwork++;
			owner->spc_ncalls++;
			LIST_INSERT_HEAD(&owner->spc_joined, spc,
			    spc_joinentries);
			spc->spc_owner = owner;
			spc->spc_pid = owner->spc_pid;
			ok = true;
		}
		pthread_mutex_unlock(&owner->spc_mtx);
	}
	pthread_mutex_unlock(&sp_join_mtx);
	return ok;
}

/*
 * Shut down the owner's thread connections: their clients see the end
 * at once, and the leader closes them (each then lets go of owner).
 */
void
sp_join_cut(struct sp_client *owner)
{
	struct sp_client *spc;

	pthread_mutex_lock(&owner->spc_mtx);
	LIST_FOREACH(spc, &owner->spc_joined, spc_joinentries)
		(void)shutdown(spc->spc_fd, SHUT_RDWR);
	pthread_mutex_unlock(&owner->spc_mtx);
}

/* The owner is going: its key joins nothing from now on. */
void
sp_join_forget(struct sp_client *owner)
{

	pthread_mutex_lock(&sp_join_mtx);
	if (owner->spc_haskey) {
		owner->spc_haskey = false;
		LIST_REMOVE(owner, spc_keyentries);
	}
	pthread_mutex_unlock(&sp_join_mtx);
}

/*
 * A thread connection is being freed: off its owner's list.  Returns
 * the owner, whose reference the caller drops last (sp_client_rele).
 */
struct sp_client *
sp_join_detach(struct sp_client *spc)
{
	struct sp_client *owner = spc->spc_owner;

	pthread_mutex_lock(&owner->spc_mtx);
	LIST_REMOVE(spc, spc_joinentries);
	owner->spc_ncalls--;
	pthread_mutex_unlock(&owner->spc_mtx);
	return owner;
}
