/*
 * gencorpus.c -- writes the seed corpus of the fuzz harnesses: valid
 * frames of every class and type, SYSCALL bodies with and without
 * inline regions, client sessions for the server, URLs and banners.
 *
 *	gencorpus DIR		writes DIR/<harness>/<name>
 *
 * Run by "make fuzz-corpus"; its output is committed, so the harnesses
 * start from frames the server accepts and the fuzzer mutates from
 * there.  Frames are built as librumpclient builds them: system call
 * arguments in 64-bit slots, regions after them, IN data padded to 8.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rump/rump_syscalls.h>

#include "sp_proto.h"

#define ADDR	0x7f0000001000ull	/* a client address for regions */

struct buf {
	uint8_t		 b[64 * 1024];
	size_t		 len;
};

struct reg {
	uint64_t	 addr;
	uint32_t	 len, flags;
	const void	*data;		/* IN data */
};

static const char *outdir;

static void
put(struct buf *b, const void *p, size_t n)
{

	if (b->len + n > sizeof(b->b)) {
		fprintf(stderr, "gencorpus: seed too big\n");
		exit(1);
	}
	memcpy(b->b + b->len, p, n);
	b->len += n;
}

static void
pad8(struct buf *b)
{
	static const uint8_t zero[8];

	put(b, zero, RSP_PAD8(b->len) - b->len);
}

static void
frame(struct buf *b, uint64_t reqno, int class, int type, uint32_t arg,
    const void *body, size_t len)
{
	struct rsp_hdr h;

	rsp_hdr_fill(&h, RSP_HDRSZ + len, reqno, class, type, arg);
	put(b, &h, sizeof(h));
	if (len > 0)
		put(b, body, len);
}

/* A SYSCALL request body, as rc_syscall.c lays it out. */
static void
sysbody(struct buf *b, const uint64_t *args, size_t nargs,
    const struct reg *r, size_t nr)
{
	struct rsp_sysreq rs;
	struct rsp_region rr;
	size_t i;

	rs.rs_argsize = (uint32_t)(nargs * sizeof(uint64_t));
	rs.rs_nregions = (uint32_t)nr;
	put(b, &rs, sizeof(rs));
	if (nargs > 0)
		put(b, args, nargs * sizeof(uint64_t));
	for (i = 0; i < nr; i++) {
		rr.rr_addr = r[i].addr;
		rr.rr_len = r[i].len;
		rr.rr_flags = r[i].flags;
		put(b, &rr, sizeof(rr));
		if (r[i].flags & RSP_REGION_IN) {
			put(b, r[i].data, r[i].len);
			pad8(b);
		}
	}
}

static void
syscall(struct buf *b, uint64_t reqno, int num, const uint64_t *args,
    size_t nargs, const struct reg *r, size_t nr)
{
	struct buf body;

	body.len = 0;
	sysbody(&body, args, nargs, r, nr);
	frame(b, reqno, RUMPSP_REQ, RUMPSP_SYSCALL, (uint32_t)num, body.b,
	    body.len);
}

static void
guest(struct buf *b)
{

	frame(b, 1, RUMPSP_REQ, RUMPSP_HANDSHAKE, HANDSHAKE_GUEST, "fuzz", 4);
}

static void
save(const char *harness, const char *name, const void *p, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", outdir, harness);
	if (mkdir(path, 0755) == -1 && errno != EEXIST) {
		perror(path);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s/%s", outdir, harness, name);
	if ((f = fopen(path, "wb")) == NULL ||
	    (n > 0 && fwrite(p, n, 1, f) != 1) || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

static void
savebuf(const char *harness, const char *name, const struct buf *b)
{

	save(harness, name, b->b, b->len);
}

/* SYSCALL bodies: the parser's seeds, and the server's. */
static void
gen_sysreq(void)
{
	static const char path[] = "/fuzz";
	static const char data[] = "hello, kernel";
	uint64_t a[RUMPSP_MAXARGS] = { 0 };
	struct reg r[RUMPSP_MAXREGIONS];
	struct buf b;
	size_t i;

	b.len = 0;
	sysbody(&b, NULL, 0, NULL, 0);
	savebuf("sysreq", "noargs", &b);

	a[0] = ADDR; a[1] = O_RDWR | O_CREAT; a[2] = 0644;
	r[0] = (struct reg){ ADDR, sizeof(path), RSP_REGION_IN, path };
	b.len = 0;
	sysbody(&b, a, 3, r, 1);
	savebuf("sysreq", "open_in", &b);

	a[0] = 3; a[1] = ADDR; a[2] = 512;
	r[0] = (struct reg){ ADDR, 512, RSP_REGION_OUT, NULL };
	b.len = 0;
	sysbody(&b, a, 3, r, 1);
	savebuf("sysreq", "read_out", &b);

	r[0] = (struct reg){ ADDR, sizeof(data), RSP_REGION_IN |
	    RSP_REGION_OUT, data };
	b.len = 0;
	sysbody(&b, a, 3, r, 1);
	savebuf("sysreq", "inout", &b);

	for (i = 0; i < RUMPSP_MAXREGIONS; i++)
		r[i] = (struct reg){ ADDR + i * 4096, (uint32_t)(i + 1),
		    i % 2 ? RSP_REGION_OUT : RSP_REGION_IN, data };
	b.len = 0;
	sysbody(&b, a, RUMPSP_MAXARGS, r, RUMPSP_MAXREGIONS);
	savebuf("sysreq", "maxregions", &b);
}

/* One frame of every class and type, alone and in a stream. */
static void
gen_frame(void)
{
	struct rsp_handshake_fork hf;
	struct rsp_auth au;
	struct rsp_copydata cd;
	struct rsp_sysresp sr;
	uint64_t a[1] = { 0 };
	struct buf all, b;
	char name[64];
	int type;

	all.len = 0;
	guest(&all);
	memset(&hf, 0, sizeof(hf));
	b.len = 0;
	frame(&b, 1, RUMPSP_REQ, RUMPSP_HANDSHAKE, HANDSHAKE_FORK, &hf,
	    sizeof(hf));
	savebuf("frame", "hs_fork", &b);
	b.len = 0;
	memset(&au, 0, sizeof(au));
	au.ra_step = 1;
	memset(au.ra_nonce, 0xa5, sizeof(au.ra_nonce));
	frame(&b, 1, RUMPSP_REQ, RUMPSP_HANDSHAKE, HANDSHAKE_AUTH, &au,
	    sizeof(au));
	savebuf("frame", "hs_auth", &b);
	savebuf("server", "auth_nokey", &b);
	b.len = 0;
	frame(&b, 1, RUMPSP_REQ, RUMPSP_HANDSHAKE, HANDSHAKE_EXEC, "new", 3);
	savebuf("frame", "hs_exec", &b);
	syscall(&all, 2, RUMP_SYS_getpid, a, 0, NULL, 0);
	frame(&all, 3, RUMPSP_REQ, RUMPSP_PREFORK, 0, NULL, 0);
	/* answers a client gives to the server's requests */
	frame(&all, 4, RUMPSP_RESP, RUMPSP_COPYIN, 0, "data", 4);
	frame(&all, 5, RUMPSP_RESP, RUMPSP_COPYINSTR, 0, "str", 4);
	frame(&all, 6, RUMPSP_ERROR, RUMPSP_COPYIN, RUMPSP_ERR_MALFORMED_REQUEST,
	    "bad address", 11);
	frame(&all, 7, RUMPSP_RESP, RUMPSP_RAISE, 0, NULL, 0);
	savebuf("frame", "session", &all);
	/* every type in every class, with a small body */
	memset(&cd, 0, sizeof(cd));
	cd.rcp_addr = ADDR;
	cd.rcp_len = 8;
	memset(&sr, 0, sizeof(sr));
	for (type = 0; type < RUMPSP_NTYPES; type++) {
		b.len = 0;
		frame(&b, 9, RUMPSP_REQ, type, 0, &cd, sizeof(cd));
		frame(&b, 10, RUMPSP_RESP, type, 0, &sr, sizeof(sr));
		frame(&b, 11, RUMPSP_ERROR, type, RUMPSP_ERR_NOMEM, NULL, 0);
		snprintf(name, sizeof(name), "type%d", type);
		savebuf("frame", name, &b);
	}
}

/* Client sessions for the server. */
static void
gen_server(void)
{
	static const char path[] = "/fuzzfile", dir[] = "/fuzzdir";
	static const char data[] = "some bytes for the file";
	struct rsp_handshake_fork hf;
	struct reg r[2];
	uint64_t a[4];
	struct buf b;

	b.len = 0;
	guest(&b);
	syscall(&b, 2, RUMP_SYS_getpid, NULL, 0, NULL, 0);
	syscall(&b, 3, RUMP_SYS_getppid, NULL, 0, NULL, 0);
	a[0] = ADDR;
	r[0] = (struct reg){ ADDR, 390, RSP_REGION_OUT, NULL };
	syscall(&b, 4, RUMP_SYS_uname, a, 1, r, 1);
	savebuf("server", "getpid_uname", &b);

	/* a file: create, write, seek, read back, stat, close, unlink */
	b.len = 0;
	guest(&b);
	a[0] = ADDR; a[1] = O_RDWR | O_CREAT; a[2] = 0644;
	r[0] = (struct reg){ ADDR, sizeof(path), RSP_REGION_IN, path };
	syscall(&b, 2, RUMP_SYS_open, a, 3, r, 1);
	a[0] = 3; a[1] = ADDR + 4096; a[2] = sizeof(data);
	r[0] = (struct reg){ ADDR + 4096, sizeof(data), RSP_REGION_IN, data };
	syscall(&b, 3, RUMP_SYS_write, a, 3, r, 1);
	a[0] = 3; a[1] = 0; a[2] = SEEK_SET;
	syscall(&b, 4, RUMP_SYS_lseek, a, 3, NULL, 0);
	a[0] = 3; a[1] = ADDR + 8192; a[2] = 64;
	r[0] = (struct reg){ ADDR + 8192, 64, RSP_REGION_OUT, NULL };
	syscall(&b, 5, RUMP_SYS_read, a, 3, r, 1);
	a[0] = 3; a[1] = ADDR;
	r[0] = (struct reg){ ADDR, 144, RSP_REGION_OUT, NULL };
	syscall(&b, 6, RUMP_SYS_fstat, a, 2, r, 1);
	a[0] = 3;
	syscall(&b, 7, RUMP_SYS_close, a, 1, NULL, 0);
	a[0] = ADDR;
	r[0] = (struct reg){ ADDR, sizeof(path), RSP_REGION_IN, path };
	syscall(&b, 8, RUMP_SYS_unlink, a, 1, r, 1);
	savebuf("server", "file", &b);

	/* a pipe: write into it, read it back */
	b.len = 0;
	guest(&b);
	a[0] = ADDR; a[1] = 0;
	r[0] = (struct reg){ ADDR, 8, RSP_REGION_OUT, NULL };
	syscall(&b, 2, RUMP_SYS_pipe2, a, 2, r, 1);
	a[0] = 4; a[1] = ADDR + 64; a[2] = 5;
	r[0] = (struct reg){ ADDR + 64, 5, RSP_REGION_IN, "pipe!" };
	syscall(&b, 3, RUMP_SYS_write, a, 3, r, 1);
	a[0] = 3; a[1] = ADDR + 128; a[2] = 5;
	r[0] = (struct reg){ ADDR + 128, 5, RSP_REGION_OUT, NULL };
	syscall(&b, 4, RUMP_SYS_read, a, 3, r, 1);
	a[0] = 3; a[1] = 10;
	syscall(&b, 5, RUMP_SYS_dup2, a, 2, NULL, 0);
	savebuf("server", "pipe", &b);

	/* directories */
	b.len = 0;
	guest(&b);
	a[0] = ADDR; a[1] = 0755;
	r[0] = (struct reg){ ADDR, sizeof(dir), RSP_REGION_IN, dir };
	syscall(&b, 2, RUMP_SYS_mkdir, a, 2, r, 1);
	a[0] = ADDR;
	syscall(&b, 3, RUMP_SYS_chdir, a, 1, r, 1);
	a[0] = ADDR + 4096; a[1] = 256;
	r[1] = (struct reg){ ADDR + 4096, 256, RSP_REGION_OUT, NULL };
	syscall(&b, 4, RUMP_SYS_getcwd, a, 2, &r[1], 1);
	a[0] = ADDR; a[1] = O_RDONLY | O_DIRECTORY; a[2] = 0;
	r[0] = (struct reg){ ADDR, 2, RSP_REGION_IN, "/" };
	syscall(&b, 5, RUMP_SYS_open, a, 3, r, 1);
	a[0] = 3; a[1] = ADDR + 4096; a[2] = 1024;
	r[1] = (struct reg){ ADDR + 4096, 1024, RSP_REGION_OUT, NULL };
	syscall(&b, 6, RUMP_SYS_getdents64, a, 3, &r[1], 1);
	a[0] = ADDR;
	r[0] = (struct reg){ ADDR, sizeof(dir), RSP_REGION_IN, dir };
	syscall(&b, 7, RUMP_SYS_rmdir, a, 1, r, 1);
	savebuf("server", "dirs", &b);

	/* a pointer not sent inline: the server asks with COPYIN */
	b.len = 0;
	guest(&b);
	a[0] = ADDR; a[1] = O_RDONLY; a[2] = 0;
	syscall(&b, 2, RUMP_SYS_open, a, 3, NULL, 0);
	frame(&b, 1, RUMPSP_RESP, RUMPSP_COPYINSTR, 0, "/dev/null", 10);
	savebuf("server", "copyin", &b);

	/* processes: prefork, exec, wait, kill, exit */
	b.len = 0;
	guest(&b);
	frame(&b, 2, RUMPSP_REQ, RUMPSP_PREFORK, 0, NULL, 0);
	frame(&b, 3, RUMPSP_REQ, RUMPSP_HANDSHAKE, HANDSHAKE_EXEC, "newimg", 6);
	syscall(&b, 4, RUMP_SYS_setsid, NULL, 0, NULL, 0);
	a[0] = (uint64_t)-1; a[1] = 0; a[2] = 1; a[3] = 0;
	syscall(&b, 5, RUMP_SYS_wait4, a, 4, NULL, 0);
	a[0] = 0; a[1] = 0;
	syscall(&b, 6, RUMP_SYS_kill, a, 2, NULL, 0);
	a[0] = 7;
	syscall(&b, 7, RUMP_SYS_exit, a, 1, NULL, 0);
	savebuf("server", "procs", &b);

	/* a fork handshake with a cookie nobody issued */
	b.len = 0;
	memset(&hf, 0x5a, sizeof(hf));
	hf.rf_cancel = 0;
	frame(&b, 1, RUMPSP_REQ, RUMPSP_HANDSHAKE, HANDSHAKE_FORK, &hf,
	    sizeof(hf));
	savebuf("server", "fork_badcookie", &b);

	/* violations: a call before the handshake, a lying length */
	b.len = 0;
	syscall(&b, 1, RUMP_SYS_getpid, NULL, 0, NULL, 0);
	savebuf("server", "no_handshake", &b);
	b.len = 0;
	guest(&b);
	frame(&b, 2, RUMPSP_REQ, RUMPSP_SYSCALL, RUMP_SYS_getpid, NULL, 0);
	savebuf("server", "empty_syscall", &b);
}

static void
gen_strings(void)
{
	static const char *const urls[] = {
		"unix://relative/sock", "unix:///tmp/abs.sock",
		"tcp://127.0.0.1:7000", "tcp://*:7000", "tcp://0.0.0.0:1",
		"tcp://[::1]:7000", "tcp://[::]:65535",
		"tcp://[fe80::1:2:3:4]:80", "udp://x", "plain",
	};
	static const char *const banners[] = {
		"RUMPSP-0.5-Linux-6.1/x86_64\n", "RUMPSP-0.4-NetBSD-10.0/amd64\n",
		"RUMPSP-1.0\n", "RUMPSP-2147483647.0-x", "RUMPSP-0.5",
	};
	char name[32];
	size_t i;

	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		snprintf(name, sizeof(name), "url%zu", i);
		save("url", name, urls[i], strlen(urls[i]));
	}
	for (i = 0; i < sizeof(banners) / sizeof(banners[0]); i++) {
		snprintf(name, sizeof(name), "banner%zu", i);
		save("banner", name, banners[i], strlen(banners[i]));
	}
}

int
main(int argc, char **argv)
{

	if (argc != 2) {
		fprintf(stderr, "usage: gencorpus dir\n");
		return 2;
	}
	outdir = argv[1];
	if (mkdir(outdir, 0755) == -1 && errno != EEXIST) {
		perror(outdir);
		return 1;
	}
	gen_sysreq();
	gen_frame();
	gen_server();
	gen_strings();
	return 0;
}
