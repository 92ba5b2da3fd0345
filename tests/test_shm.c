/*
 * test_shm.c -- the shared-memory transport (rump_sp(7), SHM) against
 * a real rump_server.  Ordinary clients (tests/tshm) land on rings
 * unless told not to, and frames larger than a ring, threads, fork and
 * exec work over them.  Raw clients that break their rings, rewrite a
 * request after the server took it, never ring, or die in the middle
 * of a frame are cut off or merely unserved, while everyone else is
 * served and the server releases their processes.
 */
#include <sys/types.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rump/rump_syscalls.h>

#include "harness.h"
#include "sp_shm.h"

static struct server srv;
static char tshm[PATH_MAX];

static void
start(const char *kind, const char *const *extra)
{

	builddir_path("tests/tshm", tshm, sizeof(tshm));
	srv_start(&srv, kind, extra);
}

/* tshm CMD: its one line of output, which must exit 0 */
static void
tshm_says(const char *cmd, const char *want)
{
	char out[1024];
	int st;

	st = run_prog(&srv, out, sizeof(out), tshm, cmd, NULL);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "tshm %s: status 0x%x, output %s", cmd, st, out);
	ck_assert_msg(strcmp(out, want) == 0, "tshm %s: %s, want %s", cmd,
	    out, want);
}

/* the client that asks is the only one left: the rest were released */
static void
wait_alone(void)
{

	srv_wait_counter(&srv, "kern.sysproxy.clients", 1);
}

/* A raw client on rings: the client's view of the region. */
struct rawshm {
	int		fd;
	void		*base;
	size_t		len;
	uint32_t	size;
	struct rsp_ring	in, out;
};

static int
rs_memcpy(void *arg, int idx, void *dst, const void *src, size_t n)
{

	(void)arg;
	(void)idx;
	memcpy(dst, src, n);
	return 0;
}

static void
rs_bell(struct rawshm *r)
{

	(void)send(r->fd, "", 1, MSG_NOSIGNAL);
}

/* Connect, handshake, ask for the region: 0, or the ERROR's code. */
static int
rs_open(struct rawshm *r)
{
	union {
		struct cmsghdr	cm;
		char		buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct rsp_shm_resp rsr;
	struct rsp_hdr h;
	struct iovec iov;
	struct msghdr msg;
	struct cmsghdr *cm;
	struct pollfd pfd;
	uint8_t why[128];
	int memfd = -1;

	memset(r, 0, sizeof(*r));
	r->fd = raw_connect(&srv);
	ck_assert_int_ge(r->fd, 0);
	ck_assert_int_eq(raw_handshake(r->fd, "rawshm"), 0);
	ck_assert_int_eq(raw_send(r->fd, RSP_HDRSZ, 2, RUMPSP_REQ,
	    RUMPSP_SHM, 0, NULL, 0), 0);
	pfd.fd = r->fd;
	pfd.events = POLLIN;
	ck_assert_int_eq(poll(&pfd, 1, 10000), 1);
	memset(&msg, 0, sizeof(msg));
	iov.iov_base = &h;
	iov.iov_len = sizeof(h);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = ctl.buf;
	msg.msg_controllen = sizeof(ctl.buf);
	ck_assert_int_eq(recvmsg(r->fd, &msg, MSG_WAITALL), sizeof(h));
	for (cm = CMSG_FIRSTHDR(&msg); cm != NULL; cm = CMSG_NXTHDR(&msg, cm))
		if (cm->cmsg_type == SCM_RIGHTS)
			memcpy(&memfd, CMSG_DATA(cm), sizeof(int));
	ck_assert_int_eq(h.rsp_type, RUMPSP_SHM);
	ck_assert_uint_eq(h.rsp_reqno, 2);
	if (h.rsp_class == RUMPSP_ERROR) {
		ck_assert_int_eq(memfd, -1);
		ck_assert_uint_le(h.rsp_len - RSP_HDRSZ, sizeof(why));
		ck_assert_int_eq(recv(r->fd, why, h.rsp_len - RSP_HDRSZ,
		    MSG_WAITALL), (ssize_t)(h.rsp_len - RSP_HDRSZ));
		return (int)h.rsp_arg;
	}
	ck_assert_int_eq(h.rsp_class, RUMPSP_RESP);
	ck_assert_int_ge(memfd, 0);
	ck_assert_int_eq(recv(r->fd, &rsr, sizeof(rsr), MSG_WAITALL),
	    sizeof(rsr));
	ck_assert(rsp_shm_sizeok(rsr.rsr_size));
	r->size = rsr.rsr_size;
	r->len = rsp_shm_mapsize(r->size);
	r->base = mmap(NULL, r->len, PROT_READ | PROT_WRITE, MAP_SHARED,
	    memfd, 0);
	ck_assert(r->base != MAP_FAILED);
	/* sealed: shrinking it under the server's mapping is refused */
	ck_assert_int_eq(ftruncate(memfd, 0), -1);
	ck_assert_int_eq(errno, EPERM);
	close(memfd);
	rsp_shm_rings(r->base, r->size, false, &r->in, &r->out);
	return 0;
}

static void
rs_close(struct rawshm *r)
{

	if (r->base != NULL)
		munmap(r->base, r->len);
	close(r->fd);
}

/* Put bytes into our ring; ring the doorbell when asked and needed. */
static void
rs_put(struct rawshm *r, const void *p, size_t len, bool bell)
{
	struct iovec iov;
	size_t done;

	iov.iov_base = (void *)(uintptr_t)p;
	iov.iov_len = len;
	ck_assert_int_eq(rsp_ring_put(&r->out, &iov, 1, 0, rs_memcpy, NULL,
	    &done), 0);
	ck_assert_uint_eq(done, len);
	if (bell && rsp_ring_needwake(&r->out))
		rs_bell(r);
}

/*
 * Take len bytes from the server's ring within ms milliseconds.  0, or
 * -1: none came in time, or the server closed the connection.
 */
static int
rs_get(struct rawshm *r, void *p, size_t len, int ms)
{
	struct pollfd pfd;
	uint8_t bells[64];
	size_t n;
	int waited = 0;

	for (;;) {
		ck_assert_int_eq(rsp_ring_avail(&r->in, &n), 0);
		if (n >= len) {
			ck_assert_int_eq(rsp_ring_get(&r->in, p, len,
			    rs_memcpy, NULL), 0);
			if (rsp_ring_roomwake(&r->in))
				rs_bell(r);
			return 0;
		}
		if (waited >= ms)
			return -1;
		if (!rsp_ring_sleep(&r->in))
			continue;
		pfd.fd = r->fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		(void)poll(&pfd, 1, 10);
		waited += 10;
		rsp_ring_awake(&r->in);
		if (pfd.revents & POLLIN) {
			if (recv(r->fd, bells, sizeof(bells), MSG_DONTWAIT) == 0 &&
			    rsp_ring_avail(&r->in, &n) == 0 && n < len)
				return -1;
		}
	}
}

/* a getpid request: header, then body */
static void
getpid_req(struct rsp_hdr *h, struct rsp_sysreq *rs, uint64_t reqno)
{

	memset(rs, 0, sizeof(*rs));
	rsp_hdr_fill(h, sizeof(*h) + sizeof(*rs), reqno, RUMPSP_REQ,
	    RUMPSP_SYSCALL, RUMP_SYS_getpid);
}

/* its answer from the ring: the pid, or -1 */
static long
getpid_resp(struct rawshm *r, uint64_t reqno, int ms)
{
	struct rsp_sysresp rr;
	struct rsp_hdr h;

	if (rs_get(r, &h, sizeof(h), ms) != 0)
		return -1;
	ck_assert_int_eq(h.rsp_class, RUMPSP_RESP);
	ck_assert_uint_eq(h.rsp_reqno, reqno);
	ck_assert_uint_eq(h.rsp_len, sizeof(h) + sizeof(rr));
	ck_assert_int_eq(rs_get(r, &rr, sizeof(rr), 10000), 0);
	ck_assert_int_eq(rr.rsys_error, 0);
	return (long)rr.rsys_retval[0];
}

static long
rs_getpid(struct rawshm *r, uint64_t reqno)
{
	struct rsp_sysreq rs;
	struct rsp_hdr h;

	getpid_req(&h, &rs, reqno);
	rs_put(r, &h, sizeof(h), false);
	rs_put(r, &rs, sizeof(rs), true);
	return getpid_resp(r, reqno, 10000);
}

/* The server closes its end within ms: the client was cut off. */
static bool
rs_cutoff(struct rawshm *r, int ms)
{
	struct pollfd pfd;
	uint8_t buf[64];
	ssize_t n;

	pfd.fd = r->fd;
	pfd.events = POLLIN;
	while (poll(&pfd, 1, ms) == 1) {
		n = recv(r->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0 || (n == -1 && errno != EAGAIN))
			return true;
	}
	return false;
}

/* Someone else is served: a raw client of its own on rings. */
static void
others_served(void)
{
	struct rawshm r;

	ck_assert_int_eq(rs_open(&r), 0);
	ck_assert_int_gt(rs_getpid(&r, 3), 0);
	rs_close(&r);
}

/*
 * After a client was cut off or killed: others are served, the kernel
 * released its process, and the server stops cleanly.
 */
static void
serves_others_then_stop(void)
{

	others_served();
	wait_alone();
	srv_stop_clean(&srv);
}

START_TEST(clients_choose_rings)
{
	static const char *const off[] = { "--shm", "0", NULL };

	start("unix", NULL);
	tshm_says("transport", "1\n");
	setenv("RUMP_SHM", "0", 1);
	tshm_says("transport", "0\n");
	unsetenv("RUMP_SHM");
	srv_stop_clean(&srv);
	/* rings are for Unix sockets; a server may refuse them */
	start("tcp4", NULL);
	tshm_says("transport", "0\n");
	srv_stop_clean(&srv);
	start("unix", off);
	tshm_says("transport", "0\n");
	srv_stop_clean(&srv);
}
END_TEST

START_TEST(rings_carry_everything)
{

	start("unix", NULL);
	tshm_says("bigio", "ok 1\n");
	/* without process_vm_readv/writev (a sandbox), on both transports */
	tshm_says("novm", "novm 1\n");
	setenv("RUMP_SHM", "0", 1);
	tshm_says("novm", "novm 0\n");
	unsetenv("RUMP_SHM");
	tshm_says("threads", "ok 1\n");
	/* the child has its own region, not the parent's as well */
	tshm_says("fork", "child 1\nparent 1\n");
	tshm_says("exec", "exec 1\n");
	wait_alone();
	srv_stop_clean(&srv);
}
END_TEST

START_TEST(raw_client_on_rings)
{
	struct rawshm r;
	long pid;

	start("unix", NULL);
	ck_assert_int_eq(rs_open(&r), 0);
	pid = rs_getpid(&r, 3);
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(rs_getpid(&r, 4), pid);
	rs_close(&r);
	srv_stop_clean(&srv);
}
END_TEST

static uint32_t
asleep(struct rsp_shm_hdr *sh)
{

	return atomic_load(&sh->sh_asleep);
}

/*
 * A call asleep in the kernel is counted in the control page's
 * sh_asleep while it sleeps, and no longer once answered: the client's
 * reader stops watching its ring for it (rc_shm.c).
 */
START_TEST(asleep_call_told)
{
	struct {
		struct rsp_hdr		h;
		struct rsp_sysreq	rs;
		uint64_t		args[3];	/* poll(NULL, 0, ms) */
	} rq;
	struct rsp_sysresp rr;
	struct rsp_hdr h;
	struct rsp_shm_hdr *sh;
	struct rawshm r;
	int i;

	start("unix", NULL);
	ck_assert_int_eq(rs_open(&r), 0);
	sh = r.base;
	ck_assert_uint_eq(asleep(sh), 0);
	memset(&rq, 0, sizeof(rq));
	rsp_hdr_fill(&rq.h, sizeof(rq), 3, RUMPSP_REQ, RUMPSP_SYSCALL,
	    RUMP_SYS_poll);
	rq.rs.rs_argsize = sizeof(rq.args);
	rq.args[2] = 1500;
	rs_put(&r, &rq, sizeof(rq), true);
	for (i = 0; i < 1400 && asleep(sh) == 0; i++)
		usleep(1000);
	ck_assert_uint_eq(asleep(sh), 1);
	ck_assert_int_eq(rs_get(&r, &h, sizeof(h), 10000), 0);
	ck_assert_int_eq(h.rsp_class, RUMPSP_RESP);
	ck_assert_uint_eq(h.rsp_reqno, 3);
	ck_assert_int_eq(rs_get(&r, &rr, sizeof(rr), 10000), 0);
	ck_assert_int_eq(rr.rsys_error, 0);
	ck_assert_int_eq(rr.rsys_retval[0], 0);
	/* counted down before the answer was put */
	ck_assert_uint_eq(asleep(sh), 0);
	ck_assert_int_gt(rs_getpid(&r, 4), 0);
	ck_assert_uint_eq(asleep(sh), 0);
	rs_close(&r);
	srv_stop_clean(&srv);
}
END_TEST

START_TEST(refused_over_tcp)
{
	struct rawshm r;

	start("tcp4", NULL);
	ck_assert_int_eq(rs_open(&r), RUMPSP_ERR_MALFORMED_REQUEST);
	/* the connection goes on over the socket */
	ck_assert_int_gt(raw_getpid(r.fd, 3), 0);
	rs_close(&r);
	srv_stop_clean(&srv);
}
END_TEST

/* A tail that puts more than a ring in the ring: cut off. */
START_TEST(broken_tail_cut_off)
{
	struct rawshm r;

	start("unix", NULL);
	ck_assert_int_eq(rs_open(&r), 0);
	atomic_store(&r.out.rg_ctl->r_tail, r.out.rg_pos + r.size + 8);
	rs_bell(&r);
	ck_assert(rs_cutoff(&r, 10000));
	rs_close(&r);
	serves_others_then_stop();
}
END_TEST

/* A head beyond what the server put: cut off at its next answer. */
START_TEST(broken_head_cut_off)
{
	struct rawshm r;
	struct rsp_sysreq rs;
	struct rsp_hdr h;

	start("unix", NULL);
	ck_assert_int_eq(rs_open(&r), 0);
	atomic_store(&r.in.rg_ctl->r_head, r.in.rg_pos + 12345);
	getpid_req(&h, &rs, 3);
	rs_put(&r, &h, sizeof(h), false);
	rs_put(&r, &rs, sizeof(rs), true);
	ck_assert(rs_cutoff(&r, 10000));
	rs_close(&r);
	serves_others_then_stop();
}
END_TEST

/* Garbage for a frame: the ERROR, then the end. */
START_TEST(garbage_cut_off)
{
	struct rawshm r;
	uint8_t junk[4096];

	start("unix", NULL);
	ck_assert_int_eq(rs_open(&r), 0);
	memset(junk, 0xa5, sizeof(junk));
	rs_put(&r, junk, sizeof(junk), true);
	ck_assert(rs_cutoff(&r, 10000));
	rs_close(&r);
	serves_others_then_stop();
}
END_TEST

/*
 * The server copies what it takes: rewriting a header it has taken
 * changes nothing, the request completes as first written.
 */
START_TEST(rewrite_after_taken)
{
	struct rawshm r;
	struct rsp_sysreq rs;
	struct rsp_hdr h;
	uint8_t *at;
	uint32_t pos;
	int i;

	start("unix", NULL);
	ck_assert_int_eq(rs_open(&r), 0);
	getpid_req(&h, &rs, 3);
	pos = r.out.rg_pos;
	at = r.out.rg_data + (pos & (r.size - 1));
	rs_put(&r, &h, sizeof(h), true);
	for (i = 0; i < 1000 && atomic_load(&r.out.rg_ctl->r_head) !=
	    pos + sizeof(h); i++)
		usleep(10000);
	ck_assert_uint_eq(atomic_load(&r.out.rg_ctl->r_head),
	    pos + sizeof(h));
	memset(at, 0xff, sizeof(h));
	rs_put(&r, &rs, sizeof(rs), true);
	rs_bell(&r);
	ck_assert_int_gt(getpid_resp(&r, 3, 10000), 0);
	rs_close(&r);
	srv_stop_clean(&srv);
}
END_TEST

/*
 * A request without its doorbell waits for one (the server does not
 * watch a ring that never rang), and costs nobody else anything.
 */
START_TEST(no_doorbell_no_answer)
{
	struct rawshm r;
	struct rsp_sysreq rs;
	struct rsp_hdr h;

	start("unix", NULL);
	ck_assert_int_eq(rs_open(&r), 0);
	getpid_req(&h, &rs, 3);
	rs_put(&r, &h, sizeof(h), false);
	rs_put(&r, &rs, sizeof(rs), false);
	others_served();
	ck_assert_int_eq(getpid_resp(&r, 3, 300), -1);
	rs_bell(&r);
	ck_assert_int_gt(getpid_resp(&r, 3, 10000), 0);
	rs_close(&r);
	wait_alone();
	srv_stop_clean(&srv);
}
END_TEST

/* A client that dies with half a frame in its ring is released. */
START_TEST(killed_mid_frame)
{
	struct rawshm r;
	struct rsp_sysreq rs;
	struct rsp_hdr h;
	pid_t pid;
	int st;

	start("unix", NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (rs_open(&r) != 0)
			_exit(1);
		getpid_req(&h, &rs, 3);
		rs_put(&r, &h, sizeof(h), true);
		rs_put(&r, &rs, 3, true);
		kill(getpid(), SIGKILL);
		_exit(1);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	serves_others_then_stop();
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("shm");
	TCase *tc = tcase_create("shm");
	SRunner *sr;
	int nf;

	signal(SIGPIPE, SIG_IGN);
	/* about the transport itself: not the environment's choice */
	unsetenv("RUMP_SHM");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, clients_choose_rings);
	tcase_add_test(tc, rings_carry_everything);
	tcase_add_test(tc, raw_client_on_rings);
	tcase_add_test(tc, asleep_call_told);
	tcase_add_test(tc, refused_over_tcp);
	tcase_add_test(tc, broken_tail_cut_off);
	tcase_add_test(tc, broken_head_cut_off);
	tcase_add_test(tc, garbage_cut_off);
	tcase_add_test(tc, rewrite_after_taken);
	tcase_add_test(tc, no_doorbell_no_answer);
	tcase_add_test(tc, killed_mid_frame);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
