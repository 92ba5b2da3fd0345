/*
 * sp_auth.c -- the shared-key challenge-response of protocol 0.6, used
 * by both the server and the client.
 *
 * Both sides hold the same key, read from a file that only its owner
 * may read.  The client sends a fresh 32-byte nonce; the server answers
 * with a fresh nonce of its own and HMAC-SHA256(key, "rumpsp server" ||
 * client nonce || server nonce), which proves to the client that it
 * talks to a holder of the key; the client then proves the same with
 * HMAC-SHA256(key, "rumpsp client" || client nonce || server nonce).
 * Fresh nonces from both sides mean a recorded exchange proves nothing
 * on another connection.  Proofs are compared in constant time.
 *
 * The cryptography is libsodium's: a small library whose interfaces
 * (crypto_auth_hmacsha256, randombytes_buf, sodium_memcmp) leave little
 * room for misuse, and which Debian carries.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "sp_proto.h"

static const char rsp_label_server[] = "rumpsp server";
static const char rsp_label_client[] = "rumpsp client";

/*
 * Read a key file: RSP_KEYMIN to RSP_KEYMAX bytes, readable by its
 * owner only.  Returns 0, EACCES for a file group or others may read,
 * EINVAL for a key of the wrong size, or the errno of open or read.
 */
int
rsp_key_load(const char *path, struct rsp_key *key)
{
	struct stat st;
	ssize_t n;
	int fd, error = 0;

	memset(key, 0, sizeof(*key));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return errno;
	if (fstat(fd, &st) == -1)
		error = errno;
	else if (!S_ISREG(st.st_mode))
		error = EINVAL;
	else if ((st.st_mode & 077) != 0)
		error = EACCES;
	else if ((n = read(fd, key->k_data, sizeof(key->k_data))) == -1)
		error = errno;
	else if (n < RSP_KEYMIN || (size_t)n > RSP_KEYMAX ||
	    st.st_size > RSP_KEYMAX)
		error = EINVAL;
	else
		key->k_len = (size_t)n;
	close(fd);
	if (error != 0)
		memset(key, 0, sizeof(*key));
	return error;
}

int
rsp_auth_init(void)
{

	return sodium_init() < 0 ? ENOSYS : 0;
}

void
rsp_nonce(uint8_t nonce[RSP_NONCELEN])
{

	randombytes_buf(nonce, RSP_NONCELEN);
}

/* The proof of one side (server: nonzero) for this pair of nonces. */
void
rsp_proof(const struct rsp_key *key, int server,
    const uint8_t cnonce[RSP_NONCELEN], const uint8_t snonce[RSP_NONCELEN],
    uint8_t mac[RSP_MACLEN])
{
	crypto_auth_hmacsha256_state st;
	const char *label = server ? rsp_label_server : rsp_label_client;

	crypto_auth_hmacsha256_init(&st, key->k_data, key->k_len);
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)label,
	    strlen(label));
	crypto_auth_hmacsha256_update(&st, cnonce, RSP_NONCELEN);
	crypto_auth_hmacsha256_update(&st, snonce, RSP_NONCELEN);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(&st, sizeof(st));
}

/* Is mac the proof it should be?  Constant time. */
int
rsp_proof_ok(const struct rsp_key *key, int server,
    const uint8_t cnonce[RSP_NONCELEN], const uint8_t snonce[RSP_NONCELEN],
    const uint8_t mac[RSP_MACLEN])
{
	uint8_t want[RSP_MACLEN];
	int ok;

	rsp_proof(key, server, cnonce, snonce, want);
	ok = sodium_memcmp(want, mac, RSP_MACLEN) == 0;
	sodium_memzero(want, sizeof(want));
	return ok;
}
