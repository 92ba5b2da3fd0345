/*
 * sp_proto.h -- the sysproxy (rump_sp) wire protocol, shared by the
 * server in librumpuser and the client in librumpclient.
 *
 * Every frame starts with a fixed 24-byte header in host byte order
 * (client and server share the ABI, as in the original sysproxy).
 * rsp_len counts the whole frame, header included, and is checked
 * against RUMPSP_MAXFRAME before anything is allocated for the body.
 *
 * Protocol 0.5 extends NetBSD's 0.4 with optional inline copy data
 * (SYSCALL requests may carry regions, see struct rsp_sysreq) and with
 * a reason string in ERROR frames.  A peer that sends no regions gets
 * plain COPYIN/COPYOUT requests, exactly as with 0.4.  Protocol 0.6
 * adds the AUTH handshake (sp_auth.c), which a server with a key
 * requires before GUEST or FORK and a server without one refuses.
 * Protocol 0.7 adds the SHM request: a client on a Unix socket, once
 * its handshake is done, may move the connection's frames into rings
 * in memory it shares with the server (sp_shm.h).  Protocol 0.8 adds
 * thread connections: the JOIN request gives a process's join key, and
 * a new connection whose JOIN handshake shows it serves the calls of
 * one thread of that process, on an lwp of its own (sp_join.c).
 */
#ifndef RUMP_COMMON_SP_PROTO_H
#define RUMP_COMMON_SP_PROTO_H

#include <sys/types.h>
#include <sys/uio.h>

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Linux has no EPROGMISMATCH (BSD's "program version wrong"): a peer
 * speaking another major protocol version is reported as this.
 */
#ifndef EPROGMISMATCH
#define EPROGMISMATCH	EPROTONOSUPPORT
#endif

#define RUMPSP_PROTOMAJOR	0
#define RUMPSP_PROTOMINOR	9
#define RUMPSP_MAXBANNER	128

/* Largest frame either side accepts, header included. */
#define RUMPSP_MAXFRAME		(4u * 1024 * 1024)
/* Largest single COPYIN/COPYOUT chunk the server asks for. */
#define RUMPSP_MAXCOPY		(1u * 1024 * 1024)
/* Largest command name carried by a GUEST or EXEC handshake. */
#define RUMPSP_MAXCOMM		256
/* Most inline regions in one SYSCALL request. */
#define RUMPSP_MAXREGIONS	8
/* Bytes of argument block in a SYSCALL request: 8 slots of 64 bits. */
#define RUMPSP_MAXARGS		8
#define RUMPSP_ARGSIZE		(RUMPSP_MAXARGS * sizeof(uint64_t))
/* Length of the prefork cookie. */
#define RUMPSP_AUTHLEN		16

struct rsp_hdr {
	uint64_t rsp_len;	/* whole frame, header included */
	uint64_t rsp_reqno;	/* matches a response to its request */
	uint16_t rsp_class;	/* enum rumpsp_class */
	uint16_t rsp_type;	/* enum rumpsp_type */
	uint32_t rsp_arg;	/* sysnum, error, handshake kind or signal */
};
#define RSP_HDRSZ	sizeof(struct rsp_hdr)

enum rumpsp_class {
	RUMPSP_REQ = 0,
	RUMPSP_RESP = 1,
	RUMPSP_ERROR = 2
};

enum rumpsp_type {
	RUMPSP_HANDSHAKE = 0,
	RUMPSP_SYSCALL = 1,
	RUMPSP_COPYIN = 2,
	RUMPSP_COPYINSTR = 3,
	RUMPSP_COPYOUT = 4,
	RUMPSP_COPYOUTSTR = 5,
	RUMPSP_ANONMMAP = 6,
	RUMPSP_PREFORK = 7,
	RUMPSP_RAISE = 8,
	RUMPSP_SHM = 9,		/* 0.7: frames move to shared rings */
	RUMPSP_JOIN = 10,	/* 0.8: the process's join key */
	RUMPSP_CANCEL = 11	/* 0.9: interrupt call rsp_reqno; no answer */
};
#define RUMPSP_NTYPES	12

enum rumpsp_err {
	RUMPSP_ERR_NONE = 0,
	RUMPSP_ERR_TRYAGAIN = 1,		/* EAGAIN */
	RUMPSP_ERR_AUTH = 2,			/* EPERM */
	RUMPSP_ERR_INVALID_PREFORK = 3,		/* ESRCH */
	RUMPSP_ERR_RFORK_FAILED = 4,		/* EIO */
	RUMPSP_ERR_INEXEC = 5,			/* EBUSY */
	RUMPSP_ERR_NOMEM = 6,			/* ENOMEM */
	RUMPSP_ERR_MALFORMED_REQUEST = 7,	/* EINVAL */
	/* ours, after NetBSD's */
	RUMPSP_ERR_TOOBIG = 8,			/* EMSGSIZE */
	RUMPSP_ERR_BUSY = 9,			/* EBUSY: client table full */
	RUMPSP_ERR_TIMEOUT = 10			/* ETIMEDOUT: too slow */
};
#define RUMPSP_NERR	11

enum rumpsp_handshake {
	HANDSHAKE_GUEST = 0,	/* body: command name */
	HANDSHAKE_AUTH = 1,	/* body: struct rsp_auth (0.6) */
	HANDSHAKE_FORK = 2,	/* body: struct rsp_handshake_fork */
	HANDSHAKE_EXEC = 3,	/* body: new command name */
	HANDSHAKE_JOIN = 4	/* body: struct rsp_joinkey (0.8) */
};

/*
 * The AUTH handshake, two requests before GUEST or FORK.  Step 1: the
 * client's nonce; the RESP body is struct rsp_auth_resp.  Step 2: the
 * client's proof; an empty RESP.  A failure is RUMPSP_ERR_AUTH and the
 * connection closes.
 */
#define RSP_NONCELEN	32
#define RSP_MACLEN	32
#define RSP_KEYMIN	16
#define RSP_KEYMAX	1024
struct rsp_auth {
	uint32_t ra_step;		/* 1 or 2 */
	uint32_t ra_pad;
	uint8_t	 ra_nonce[RSP_NONCELEN];	/* step 1: the client's */
	uint8_t	 ra_mac[RSP_MACLEN];	/* step 2: the client's proof */
};
struct rsp_auth_resp {
	uint8_t	 rar_nonce[RSP_NONCELEN];	/* the server's */
	uint8_t	 rar_mac[RSP_MACLEN];		/* the server's proof */
};

struct rsp_handshake_fork {
	uint8_t rf_auth[RUMPSP_AUTHLEN];
	uint32_t rf_cancel;
	uint32_t rf_pad;
};

/*
 * SYSCALL request body: this header, then rs_argsize bytes of argument
 * block (64-bit slots, at most RUMPSP_ARGSIZE), then rs_nregions
 * regions.  A region with RSP_REGION_IN is followed by rr_len bytes of
 * data padded to 8; RSP_REGION_OUT regions carry no data.  A region
 * with both flags (a buffer the kernel reads and writes back, poll(2)'s
 * array) carries its data and may come back in the reply.
 */
struct rsp_sysreq {
	uint32_t rs_argsize;
	uint32_t rs_nregions;
};

struct rsp_region {
	uint64_t rr_addr;	/* client address */
	uint32_t rr_len;
	uint32_t rr_flags;	/* RSP_REGION_* */
};
#define RSP_REGION_IN	0x1	/* data follows: serves copyin/copyinstr */
#define RSP_REGION_OUT	0x2	/* copyout may land here, sent in reply */

/*
 * SYSCALL response body: struct rsp_sysresp, then for every OUT region
 * the kernel wrote into, a struct rsp_region (rr_addr/rr_len: the part
 * written, inside a region of the request; rr_flags RSP_REGION_OUT)
 * followed by the data padded to 8.
 */
struct rsp_sysresp {
	int32_t rsys_error;
	int32_t rsys_nregions;
	int64_t rsys_retval[2];
};

/* COPYIN, COPYINSTR, COPYOUT, COPYOUTSTR request body (then data). */
struct rsp_copydata {
	uint64_t rcp_addr;
	uint64_t rcp_len;
};
/* A COPYIN response body is the data; a failed copy is an ERROR frame. */

/*
 * The JOIN response body, and the JOIN handshake's: the key that joins
 * a new connection to the process (one key per process, kept until it
 * ends; whoever holds it can make calls as the process).
 */
struct rsp_joinkey {
	uint8_t rjk_key[RUMPSP_AUTHLEN];
};

/* PREFORK response body: the cookie. */
struct rsp_prefork_resp {
	uint8_t rpf_auth[RUMPSP_AUTHLEN];
};

#define RSP_PAD8(n)	(((n) + 7) & ~(size_t)7)

/* sp_frame.c: framing helpers */
int	 rsp_hdr_check(const struct rsp_hdr *, const char **);
void	 rsp_hdr_fill(struct rsp_hdr *, size_t, uint64_t, int, int, uint32_t);
int	 rsp_err_errno(uint32_t);
const char *rsp_err_str(uint32_t);
int	 rsp_sendv(int, const struct iovec *, int);
int	 rsp_banner_make(char *, size_t, const char *, const char *,
	    const char *);
int	 rsp_banner_parse(const char *, int *, int *);

/* sp_auth.c: the shared key and its proofs */
struct rsp_key {
	size_t	k_len;
	uint8_t	k_data[RSP_KEYMAX];
};
int	 rsp_key_load(const char *, struct rsp_key *);
int	 rsp_auth_init(void);
void	 rsp_nonce(uint8_t [RSP_NONCELEN]);
void	 rsp_proof(const struct rsp_key *, int, const uint8_t [RSP_NONCELEN],
	    const uint8_t [RSP_NONCELEN], uint8_t [RSP_MACLEN]);
int	 rsp_proof_ok(const struct rsp_key *, int,
	    const uint8_t [RSP_NONCELEN], const uint8_t [RSP_NONCELEN],
	    const uint8_t [RSP_MACLEN]);

/* sp_sysreq.c: parsing a SYSCALL request body */
struct rsp_sysreq_parsed {
	const uint8_t *sp_args;		/* rs_argsize bytes */
	size_t sp_argsize;
	size_t sp_nregions;
	struct rsp_region sp_region[RUMPSP_MAXREGIONS];
	const uint8_t *sp_data[RUMPSP_MAXREGIONS]; /* IN data or NULL */
};
int	 rsp_sysreq_parse(const void *, size_t, struct rsp_sysreq_parsed *,
	    const char **);

#endif /* RUMP_COMMON_SP_PROTO_H */
