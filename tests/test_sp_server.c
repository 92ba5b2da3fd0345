/*
 * test_sp_server.c -- the sysproxy server of librumpuser, without the
 * kernel.
 *
 * A fake kernel registers its struct rumpuser_sp_ops: the kernel lock
 * is a mutex, processes and lwps are small structs, and a few system
 * call numbers exercise the copy hypercalls.  The tests talk raw frames
 * to the server over a Unix socket, so every byte on the wire is the
 * test's choice, good or bad.  Each test runs in its own process
 * (Check's fork mode) with a fresh server.
 *
 * The fake aborts if an lwp is made curlwp of two threads at once, so
 * the server's use of a client's main lwp is checked too.
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rump/rump.h>
#include <rump/rumpuser.h>

#include "sp_proto.h"

/* Fake system calls. */
#define FK_GETPID	1	/* retval: pid */
#define FK_SUM		100	/* copyin(a0, a1): retval: byte sum */
#define FK_FILL		101	/* copyout pattern to (a0, a1) */
#define FK_FILLPAGES	110	/* the same, one 4 KiB copyout at a time */
#define FK_STR		102	/* copyinstr(a0, max a1): retval: length */
#define FK_BLOCK	103	/* sleep until the lwps must exit: EINTR */
#define FK_REBOOT	104	/* rumpuser_sp_fini(spc) */
#define FK_RAISE	105	/* rumpuser_sp_raise(spc, a0) */
#define FK_KILL		106	/* raise a1 in the process with pid a0 */

struct fproc {
	LIST_ENTRY(fproc)	 p_entries;
	pid_t			 p_pid;
	void			*p_spc;
	int			 p_nlwps;
	bool			 p_prefork;
	bool			 p_exit;
	char			 p_comm[RUMPSP_MAXCOMM + 1];
};

struct lwp {
	struct fproc		*l_proc;
	bool			 l_running;
};

/* The fake kernel lock protects everything of the fake. */
/*
 * The fake kernel's lock and sleep are the hypercalls' (rumpuser_pth.c),
 * as the real kernel's are: the server's threads learn that a call
 * sleeps, and another thread takes over the event loop meanwhile.
 */
static struct rumpuser_mtx *fk_mtx;
static struct rumpuser_cv *fk_cv;
static pthread_once_t fk_once = PTHREAD_ONCE_INIT;

static void
fk_lockinit(void)
{

	rumpuser_mutex_init(&fk_mtx);
	rumpuser_cv_init(&fk_cv);
}
static LIST_HEAD(, fproc) fk_procs = LIST_HEAD_INITIALIZER(fk_procs);
static int fk_nprocs, fk_nextpid = 2, fk_lwpexits;
static __thread struct lwp *fk_curlwp;

static void
fk_schedule(void)
{

	pthread_once(&fk_once, fk_lockinit);
	rumpuser_mutex_enter(fk_mtx);
}

static void
fk_unschedule(void)
{

	rumpuser_mutex_exit(fk_mtx);
}

static void
fk_switch(struct lwp *l)
{

	if (fk_curlwp != NULL)
		fk_curlwp->l_running = false;
	if (l != NULL) {
		if (l->l_running) {
			fprintf(stderr, "fake kernel: lwp %p runs twice\n",
			    (void *)l);
			abort();
		}
		l->l_running = true;
	}
	fk_curlwp = l;
}

static void
fk_newlwp_in(struct fproc *p)
{
	struct lwp *l;

	l = calloc(1, sizeof(*l));
	l->l_proc = p;
	p->p_nlwps++;
	fk_switch(l);
}

static int
fk_rfork(void *spc, int flags, const char *comm)
{
	struct lwp *cur = fk_curlwp;
	struct fproc *p;

	if (cur != NULL && cur->l_proc->p_prefork &&
	    (flags & RUMPUSER_SP_PREFORK) == 0) {
		/* the FORK handshake binds the image */
		p = cur->l_proc;
		p->p_prefork = false;
		p->p_spc = spc;
	} else {
		p = calloc(1, sizeof(*p));
		p->p_pid = fk_nextpid++;
		p->p_prefork = (flags & RUMPUSER_SP_PREFORK) != 0;
		p->p_spc = p->p_prefork ? NULL : spc;
		if (comm != NULL)
			strcpy(p->p_comm, comm);
		else if (cur != NULL)
			strcpy(p->p_comm, cur->l_proc->p_comm);
		LIST_INSERT_HEAD(&fk_procs, p, p_entries);
		fk_nprocs++;
	}
	fk_newlwp_in(p);
	return 0;
}

static int
fk_newlwp(pid_t pid)
{
	struct fproc *p;

	LIST_FOREACH(p, &fk_procs, p_entries)
		if (p->p_pid == pid)
			break;
	if (p == NULL)
		return ESRCH;
	fk_newlwp_in(p);
	return 0;
}

static void
fk_release(void)
{
	struct lwp *l = fk_curlwp;
	struct fproc *p = l->l_proc;

	fk_curlwp = NULL;
	free(l);
	if (--p->p_nlwps == 0) {
		LIST_REMOVE(p, p_entries);
		free(p);
		fk_nprocs--;
	}
}

static struct lwp *
fk_getcurlwp(void)
{

	return fk_curlwp;
}

static pid_t
fk_getpid(void)
{

	return fk_curlwp != NULL ? fk_curlwp->l_proc->p_pid : 1;
}

static void
fk_lwpexit(void)
{

	fk_curlwp->l_proc->p_exit = true;
	fk_lwpexits++;
}

static void
fk_execnotify(const char *comm)
{

	snprintf(fk_curlwp->l_proc->p_comm, sizeof(fk_curlwp->l_proc->p_comm),
	    "%s", comm);
	fk_curlwp->l_proc->p_exit = false;
}

static int
fk_sum(void *spc, const uint64_t *a, register_t *retval)
{
	uint8_t *buf;
	uint64_t sum = 0;
	size_t i;
	int error;

	buf = malloc(a[1] + 1);
	error = rumpuser_sp_copyin(spc, (const void *)(uintptr_t)a[0], buf,
	    a[1]);
	for (i = 0; error == 0 && i < a[1]; i++)
		sum += buf[i];
	free(buf);
	retval[0] = (register_t)sum;
	return error;
}

static uint8_t
fk_pattern(size_t i)
{

	return (uint8_t)(i * 7 + 3);
}

static int
fk_fill(void *spc, const uint64_t *a)
{
	uint8_t *buf;
	size_t i;
	int error;

	buf = malloc(a[1] + 1);
	for (i = 0; i < a[1]; i++)
		buf[i] = fk_pattern(i);
	error = rumpuser_sp_copyout(spc, buf, (void *)(uintptr_t)a[0], a[1]);
	free(buf);
	return error;
}

/* as the kernel's file reads do: a copyout per page */
static int
fk_fillpages(void *spc, const uint64_t *a)
{
	uint8_t page[4096];
	size_t i, off, n;
	int error = 0;

	for (off = 0; off < a[1] && error == 0; off += n) {
		n = a[1] - off < sizeof(page) ? a[1] - off : sizeof(page);
		for (i = 0; i < n; i++)
			page[i] = fk_pattern(off + i);
		error = rumpuser_sp_copyout(spc, page,
		    (void *)(uintptr_t)(a[0] + off), n);
	}
	return error;
}

static int
fk_syscall(int num, void *argp, register_t *retval)
{
	struct fproc *p = fk_curlwp->l_proc;
	const uint64_t *a = argp;
	char str[64];
	size_t len;
	int error;

	switch (num) {
	case FK_GETPID:
		retval[0] = p->p_pid;
		return 0;
	case FK_SUM:
		return fk_sum(p->p_spc, a, retval);
	case FK_FILL:
		return fk_fill(p->p_spc, a);
	case FK_FILLPAGES:
		return fk_fillpages(p->p_spc, a);
	case FK_STR:
		len = a[1] < sizeof(str) ? a[1] : sizeof(str);
		error = rumpuser_sp_copyinstr(p->p_spc,
		    (const void *)(uintptr_t)a[0], str, &len);
		retval[0] = error == 0 ? (register_t)len : 0;
		retval[1] = error == 0 ? str[0] : 0;
		return error;
	case FK_BLOCK:
		while (!p->p_exit)
			(void)rumpuser_cv_timedwait(fk_cv, fk_mtx, 0, 1000000);
		return EINTR;
	case FK_REBOOT:
		rumpuser_sp_fini(p->p_spc);
		retval[0] = 42;
		return 0;
	case FK_RAISE:
		return rumpuser_sp_raise(p->p_spc, (int)a[0]);
	case FK_KILL:
		LIST_FOREACH(p, &fk_procs, p_entries)
			if (p->p_pid == (pid_t)a[0])
				break;
		if (p == NULL || p->p_spc == NULL)
			return ESRCH;
		return rumpuser_sp_raise(p->p_spc, (int)a[1]);
	default:
		return ENOSYS;
	}
}

static const struct rumpuser_sp_ops fk_ops = {
	.spop_schedule = fk_schedule,
	.spop_unschedule = fk_unschedule,
	.spop_lwproc_rfork = fk_rfork,
	.spop_lwproc_newlwp = fk_newlwp,
	.spop_lwproc_switch = fk_switch,
	.spop_lwproc_release = fk_release,
	.spop_lwproc_curlwp = fk_getcurlwp,
	.spop_syscall = fk_syscall,
	.spop_lwpexit = fk_lwpexit,
	.spop_execnotify = fk_execnotify,
	.spop_getpid = fk_getpid,
};

static int
fk_get(const int *v)
{
	int n;

	fk_schedule();
	n = *v;
	fk_unschedule();
	return n;
}

/* Wait up to 5 s for the fake's process count to reach n. */
static bool
fk_wait_nprocs(int n)
{
	int i;

	for (i = 0; i < 5000; i++) {
		if (fk_get(&fk_nprocs) == n)
			return true;
		usleep(1000);
	}
	return false;
}

static bool
fk_comm_is(pid_t pid, const char *comm)
{
	struct fproc *p;
	bool same = false;

	fk_schedule();
	LIST_FOREACH(p, &fk_procs, p_entries)
		if (p->p_pid == pid)
			same = strcmp(p->p_comm, comm) == 0;
	fk_unschedule();
	return same;
}

/*
 * The server under test.
 */
static char tdir[64], tpath[128], turl[160];

static void
srv_start(int maxclient)
{

	strcpy(tdir, "/tmp/spsrvXXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tdir));
	snprintf(tpath, sizeof(tpath), "%s/sock", tdir);
	snprintf(turl, sizeof(turl), "unix://%s", tpath);
	rumpsp_maxclient = maxclient;
	ck_assert_int_eq(rumpuser_sp_init(turl, &fk_ops, "Linux", "testrel",
	    "testmach"), 0);
}

static void
setup(void)
{

	srv_start(1024);
}

static void
setup_small(void)
{

	srv_start(2);
}

static void
teardown(void)
{

	rumpuser_sp_fini(NULL);
	rmdir(tdir);
}

/*
 * Raw-frame client.
 */
static void
write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	ssize_t n;

	while (len > 0) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		ck_assert_msg(n > 0, "send: %s", strerror(errno));
		p += n;
		len -= (size_t)n;
	}
}

/* Returns false on EOF before the first byte. */
static bool
read_all(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;
	ssize_t n;
	size_t got = 0;

	while (got < len) {
		n = read(fd, p + got, len - got);
		if (n == 0 && got == 0)
			return false;
		ck_assert_msg(n > 0, "read: %s", n == 0 ? "EOF in frame" :
		    strerror(errno));
		got += (size_t)n;
	}
	return true;
}

static int
cl_connect_banner(char *banner, size_t blen)
{
	struct sockaddr_un sun;
	struct timeval tv = { 10, 0 };
	size_t i;
	int fd;

	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, tpath);
	ck_assert_msg(connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0,
	    "connect: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (i = 0; i + 1 < blen; i++) {
		ck_assert_int_eq(read(fd, &banner[i], 1), 1);
		if (banner[i] == '\n') {
			i++;
			break;
		}
	}
	banner[i] = '\0';
	return fd;
}

static int
cl_connect(void)
{
	char banner[RUMPSP_MAXBANNER + 1];

	return cl_connect_banner(banner, sizeof(banner));
}

static void
cl_send(int fd, uint64_t reqno, int class, int type, uint32_t arg,
    const void *body, size_t len)
{
	struct rsp_hdr h;
	uint8_t *frame;

	/* one write: a server that rejects the header sees it all */
	rsp_hdr_fill(&h, RSP_HDRSZ + len, reqno, class, type, arg);
	frame = malloc(sizeof(h) + len);
	memcpy(frame, &h, sizeof(h));
	if (len > 0)
		memcpy(frame + sizeof(h), body, len);
	write_all(fd, frame, sizeof(h) + len);
	free(frame);
}

/* Read a frame; false on EOF.  *bodyp: malloc'd, NUL-terminated. */
static bool
cl_recv(int fd, struct rsp_hdr *h, uint8_t **bodyp)
{
	uint8_t *body;
	size_t len;

	if (!read_all(fd, h, sizeof(*h)))
		return false;
	ck_assert_uint_ge(h->rsp_len, RSP_HDRSZ);
	ck_assert_uint_le(h->rsp_len, RUMPSP_MAXFRAME);
	len = h->rsp_len - RSP_HDRSZ;
	body = malloc(len + 1);
	if (len > 0)
		ck_assert(read_all(fd, body, len));
	body[len] = '\0';
	if (bodyp != NULL)
		*bodyp = body;
	else
		free(body);
	return true;
}

static void
cl_expect_eof(int fd)
{
	char c;
	ssize_t n;

	n = read(fd, &c, 1);
	ck_assert_msg(n == 0 || (n == -1 && errno == ECONNRESET),
	    "expected EOF, read returned %zd", n);
}

static void
cl_expect_error(int fd, uint32_t code, const char *why)
{
	struct rsp_hdr h;
	uint8_t *body;

	ck_assert(cl_recv(fd, &h, &body));
	ck_assert_uint_eq(h.rsp_class, RUMPSP_ERROR);
	ck_assert_uint_eq(h.rsp_arg, code);
	ck_assert_uint_gt(h.rsp_len, RSP_HDRSZ);
	ck_assert_uint_eq(body[h.rsp_len - RSP_HDRSZ - 1], '\0');
	if (why != NULL)
		ck_assert_str_eq((char *)body, why);
	free(body);
}

static void
cl_handshake(int fd, const char *comm)
{
	struct rsp_hdr h;

	cl_send(fd, 1, RUMPSP_REQ, RUMPSP_HANDSHAKE, HANDSHAKE_GUEST, comm,
	    strlen(comm));
	ck_assert(cl_recv(fd, &h, NULL));
	ck_assert_uint_eq(h.rsp_class, RUMPSP_RESP);
	ck_assert_uint_eq(h.rsp_type, RUMPSP_HANDSHAKE);
	ck_assert_uint_eq(h.rsp_arg, 0);
	ck_assert_uint_eq(h.rsp_len, RSP_HDRSZ);
	ck_assert_uint_eq(h.rsp_reqno, 1);
}

static int
cl_guest(void)
{
	int fd = cl_connect();

	cl_handshake(fd, "tester");
	return fd;
}

/* A SYSCALL request with nr regions; IN regions carry data[i]. */
static void
cl_syscall(int fd, uint64_t reqno, int num, const uint64_t *args,
    size_t nargs, const struct rsp_region *r, const void *const *data,
    size_t nr)
{
	static const uint8_t zero[8];
	struct rsp_sysreq rs;
	uint8_t *body, *p;
	size_t i, len;

	len = sizeof(rs) + nargs * 8;
	for (i = 0; i < nr; i++)
		len += sizeof(r[i]) + (r[i].rr_flags == RSP_REGION_IN ?
		    RSP_PAD8((size_t)r[i].rr_len) : 0);
	p = body = malloc(len);
	rs.rs_argsize = (uint32_t)(nargs * 8);
	rs.rs_nregions = (uint32_t)nr;
	memcpy(p, &rs, sizeof(rs));
	p += sizeof(rs);
	if (nargs > 0)
		memcpy(p, args, nargs * 8);
	p += nargs * 8;
	for (i = 0; i < nr; i++) {
		memcpy(p, &r[i], sizeof(r[i]));
		p += sizeof(r[i]);
		if (r[i].rr_flags != RSP_REGION_IN)
			continue;
		memcpy(p, data[i], r[i].rr_len);
		p += r[i].rr_len;
		memcpy(p, zero, RSP_PAD8((size_t)r[i].rr_len) - r[i].rr_len);
		p += RSP_PAD8((size_t)r[i].rr_len) - r[i].rr_len;
	}
	cl_send(fd, reqno, RUMPSP_REQ, RUMPSP_SYSCALL, (uint32_t)num, body,
	    len);
	free(body);
}

/* Read the SYSCALL response to reqno; body returned for regions. */
static struct rsp_sysresp
cl_sysresp(int fd, uint64_t reqno, uint8_t **bodyp)
{
	struct rsp_sysresp sr;
	struct rsp_hdr h;
	uint8_t *body;

	ck_assert(cl_recv(fd, &h, &body));
	ck_assert_uint_eq(h.rsp_class, RUMPSP_RESP);
	ck_assert_uint_eq(h.rsp_type, RUMPSP_SYSCALL);
	ck_assert_uint_eq(h.rsp_reqno, reqno);
	ck_assert_uint_ge(h.rsp_len, RSP_HDRSZ + sizeof(sr));
	memcpy(&sr, body, sizeof(sr));
	if (bodyp != NULL)
		*bodyp = body;
	else
		free(body);
	return sr;
}

static int64_t
cl_getpid(int fd, uint64_t reqno)
{
	struct rsp_sysresp sr;

	cl_syscall(fd, reqno, FK_GETPID, NULL, 0, NULL, NULL, 0);
	sr = cl_sysresp(fd, reqno, NULL);
	ck_assert_int_eq(sr.rsys_error, 0);
	return sr.rsys_retval[0];
}

/* A server-side request: COPYIN and friends carry rsp_copydata. */
static struct rsp_copydata
cl_expect_copyreq(int fd, int type, struct rsp_hdr *h, uint8_t **datap)
{
	struct rsp_copydata cd;
	uint8_t *body;

	ck_assert(cl_recv(fd, h, &body));
	ck_assert_uint_eq(h->rsp_class, RUMPSP_REQ);
	ck_assert_uint_eq(h->rsp_type, type);
	ck_assert_uint_ge(h->rsp_len, RSP_HDRSZ + sizeof(cd));
	memcpy(&cd, body, sizeof(cd));
	if (datap != NULL)
		*datap = body;
	else
		free(body);
	return cd;
}

static uint64_t
sum_of(const uint8_t *p, size_t n)
{
	uint64_t s = 0;

	while (n-- > 0)
		s += *p++;
	return s;
}

/*
 * The tests.
 */
START_TEST(test_banner)
{
	char banner[RUMPSP_MAXBANNER + 1];
	int fd, major, minor;

	fd = cl_connect_banner(banner, sizeof(banner));
	ck_assert_str_eq(banner, "RUMPSP-0.9-Linux-testrel/testmach\n");
	ck_assert_int_eq(rsp_banner_parse(banner, &major, &minor), 0);
	ck_assert_int_eq(major, RUMPSP_PROTOMAJOR);
	ck_assert_int_eq(minor, RUMPSP_PROTOMINOR);
	close(fd);
}
END_TEST

START_TEST(test_guest_handshake)
{
	int fd;

	fd = cl_guest();
	ck_assert_int_eq(fk_get(&fk_nprocs), 1);
	ck_assert(fk_comm_is((pid_t)cl_getpid(fd, 2), "tester"));
	close(fd);
	ck_assert(fk_wait_nprocs(0));
}
END_TEST

START_TEST(test_syscall_getpid)
{
	int fd1, fd2;
	int64_t p1, p2;

	fd1 = cl_guest();
	fd2 = cl_guest();
	p1 = cl_getpid(fd1, 2);
	p2 = cl_getpid(fd2, 2);
	ck_assert_int_gt(p1, 1);
	ck_assert_int_gt(p2, 1);
	ck_assert_int_ne(p1, p2);
	ck_assert_int_eq(cl_getpid(fd1, 3), p1);
	close(fd1);
	close(fd2);
}
END_TEST

START_TEST(test_inline_in)
{
	uint8_t data[100];
	struct rsp_region r;
	struct rsp_sysresp sr;
	const void *dp[1] = { data };
	uint64_t a[2];
	size_t i;
	int fd;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i + 1);
	fd = cl_guest();
	r.rr_addr = 0x10000;
	r.rr_len = sizeof(data);
	r.rr_flags = RSP_REGION_IN;
	/* the kernel reads 50 bytes from the middle of the region */
	a[0] = 0x10000 + 20;
	a[1] = 50;
	cl_syscall(fd, 7, FK_SUM, a, 2, &r, dp, 1);
	/* the very next frame is the answer: no COPYIN round trip */
	sr = cl_sysresp(fd, 7, NULL);
	ck_assert_int_eq(sr.rsys_error, 0);
	ck_assert_int_eq(sr.rsys_nregions, 0);
	ck_assert_int_eq(sr.rsys_retval[0], (int64_t)sum_of(data + 20, 50));
	close(fd);
}
END_TEST

/* Answer COPYIN requests from buf (remote address base) until done. */
static struct rsp_sysresp
serve_copyin(int fd, uint64_t reqno, uint64_t base, const uint8_t *buf,
    int *nreq)
{
	struct rsp_sysresp sr;
	struct rsp_copydata cd;
	struct rsp_hdr h;
	uint8_t *body;

	*nreq = 0;
	for (;;) {
		ck_assert(cl_recv(fd, &h, &body));
		if (h.rsp_class == RUMPSP_RESP) {
			ck_assert_uint_eq(h.rsp_reqno, reqno);
			memcpy(&sr, body, sizeof(sr));
			free(body);
			return sr;
		}
		ck_assert_uint_eq(h.rsp_class, RUMPSP_REQ);
		ck_assert_uint_eq(h.rsp_type, RUMPSP_COPYIN);
		memcpy(&cd, body, sizeof(cd));
		free(body);
		ck_assert_uint_le(cd.rcp_len, RUMPSP_MAXCOPY);
		cl_send(fd, h.rsp_reqno, RUMPSP_RESP, RUMPSP_COPYIN, 0,
		    buf + (cd.rcp_addr - base), cd.rcp_len);
		(*nreq)++;
	}
}

START_TEST(test_wire_copyin)
{
	size_t big = RUMPSP_MAXCOPY + RUMPSP_MAXCOPY / 2;
	struct rsp_sysresp sr;
	uint8_t *data;
	uint64_t a[2];
	size_t i;
	int fd, n;

	data = malloc(big);
	for (i = 0; i < big; i++)
		data[i] = (uint8_t)(i * 13);
	fd = cl_guest();
	a[0] = 0x400000;
	a[1] = 64;
	cl_syscall(fd, 2, FK_SUM, a, 2, NULL, NULL, 0);
	sr = serve_copyin(fd, 2, 0x400000, data, &n);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(sr.rsys_error, 0);
	ck_assert_int_eq(sr.rsys_retval[0], (int64_t)sum_of(data, 64));

	/* larger than one copy: split into RUMPSP_MAXCOPY chunks */
	a[1] = big;
	cl_syscall(fd, 3, FK_SUM, a, 2, NULL, NULL, 0);
	sr = serve_copyin(fd, 3, 0x400000, data, &n);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(sr.rsys_error, 0);
	ck_assert_int_eq(sr.rsys_retval[0], (int64_t)sum_of(data, big));
	close(fd);
	free(data);
}
END_TEST

START_TEST(test_wire_copyin_errors)
{
	struct rsp_copydata cd;
	struct rsp_sysresp sr;
	struct rsp_hdr h;
	uint8_t junk[64] = { 0 };
	uint64_t a[2] = { 0x5000, 16 };
	int fd;

	fd = cl_guest();
	/* an ERROR answer is EFAULT */
	cl_syscall(fd, 2, FK_SUM, a, 2, NULL, NULL, 0);
	cd = cl_expect_copyreq(fd, RUMPSP_COPYIN, &h, NULL);
	ck_assert_uint_eq(cd.rcp_addr, 0x5000);
	ck_assert_uint_eq(cd.rcp_len, 16);
	cl_send(fd, h.rsp_reqno, RUMPSP_ERROR, RUMPSP_COPYIN, 0, "bad", 4);
	sr = cl_sysresp(fd, 2, NULL);
	ck_assert_int_eq(sr.rsys_error, EFAULT);

	/* more data than asked for is EFAULT too */
	cl_syscall(fd, 3, FK_SUM, a, 2, NULL, NULL, 0);
	cd = cl_expect_copyreq(fd, RUMPSP_COPYIN, &h, NULL);
	cl_send(fd, h.rsp_reqno, RUMPSP_RESP, RUMPSP_COPYIN, 0, junk, 32);
	sr = cl_sysresp(fd, 3, NULL);
	ck_assert_int_eq(sr.rsys_error, EFAULT);

	/* an answer to nothing is dropped; the client is still served */
	cl_send(fd, 999, RUMPSP_RESP, RUMPSP_COPYIN, 0, junk, 8);
	ck_assert_int_gt(cl_getpid(fd, 4), 1);
	close(fd);
}
END_TEST

START_TEST(test_inline_out)
{
	struct rsp_region r, rr;
	struct rsp_sysresp sr;
	uint8_t *body, *p;
	uint64_t a[2];
	size_t i;
	int fd;

	fd = cl_guest();
	r.rr_addr = 0x20000;
	r.rr_len = 4096;
	r.rr_flags = RSP_REGION_OUT;
	a[0] = 0x20000 + 100;
	a[1] = 301;
	cl_syscall(fd, 2, FK_FILL, a, 2, &r, NULL, 1);
	sr = cl_sysresp(fd, 2, &body);
	ck_assert_int_eq(sr.rsys_error, 0);
	ck_assert_int_eq(sr.rsys_nregions, 1);
	p = body + sizeof(sr);
	memcpy(&rr, p, sizeof(rr));
	ck_assert_uint_eq(rr.rr_addr, 0x20000 + 100);
	ck_assert_uint_eq(rr.rr_len, 301);
	ck_assert_uint_eq(rr.rr_flags, RSP_REGION_OUT);
	p += sizeof(rr);
	for (i = 0; i < 301; i++)
		ck_assert_uint_eq(p[i], fk_pattern(i));
	free(body);
	close(fd);
}
END_TEST

START_TEST(test_wire_copyout)
{
	size_t big = RUMPSP_MAXCOPY + 5;
	struct rsp_copydata cd;
	struct rsp_sysresp sr;
	struct rsp_hdr h;
	uint8_t *data;
	uint64_t a[2];
	size_t i, off = 0;
	int fd, n = 0;

	fd = cl_guest();
	a[0] = 0x800000;
	a[1] = big;
	cl_syscall(fd, 2, FK_FILL, a, 2, NULL, NULL, 0);
	while (off < big) {
		cd = cl_expect_copyreq(fd, RUMPSP_COPYOUT, &h, &data);
		ck_assert_uint_eq(cd.rcp_addr, 0x800000 + off);
		ck_assert_uint_eq(h.rsp_len, RSP_HDRSZ + sizeof(cd) +
		    cd.rcp_len);
		for (i = 0; i < cd.rcp_len; i++)
			ck_assert_uint_eq(data[sizeof(cd) + i],
			    fk_pattern(off + i));
		off += cd.rcp_len;
		free(data);
		n++;
	}
	ck_assert_int_eq(n, 2);
	sr = cl_sysresp(fd, 2, NULL);
	ck_assert_int_eq(sr.rsys_error, 0);
	close(fd);
}
END_TEST

/* 3 MiB copied out page by page crosses the wire as three frames */
START_TEST(test_copyout_gathered)
{
	size_t big = 3 * RUMPSP_MAXCOPY;
	struct rsp_copydata cd;
	struct rsp_sysresp sr;
	struct rsp_hdr h;
	uint8_t *data;
	uint64_t a[2];
	size_t i, off = 0;
	int fd, n = 0;

	fd = cl_guest();
	a[0] = 0x800000;
	a[1] = big;
	cl_syscall(fd, 2, FK_FILLPAGES, a, 2, NULL, NULL, 0);
	while (off < big) {
		cd = cl_expect_copyreq(fd, RUMPSP_COPYOUT, &h, &data);
		ck_assert_uint_eq(cd.rcp_addr, 0x800000 + off);
		for (i = 0; i < cd.rcp_len; i++)
			if (data[sizeof(cd) + i] != fk_pattern(off + i))
				break;
		ck_assert_uint_eq(i, cd.rcp_len);
		off += cd.rcp_len;
		free(data);
		n++;
	}
	ck_assert_int_eq(n, 3);
	sr = cl_sysresp(fd, 2, NULL);
	ck_assert_int_eq(sr.rsys_error, 0);
	close(fd);
}
END_TEST

START_TEST(test_copyinstr)
{
	static const char s[] = "hello, world";
	struct rsp_region r;
	struct rsp_sysresp sr;
	struct rsp_copydata cd;
	struct rsp_hdr h;
	const void *dp[1] = { s };
	uint64_t a[2];
	int fd;

	fd = cl_guest();
	/* inline: the region holds the string and its NUL */
	r.rr_addr = 0x3000;
	r.rr_len = sizeof(s);
	r.rr_flags = RSP_REGION_IN;
	a[0] = 0x3000;
	a[1] = 64;
	cl_syscall(fd, 2, FK_STR, a, 2, &r, dp, 1);
	sr = cl_sysresp(fd, 2, NULL);
	ck_assert_int_eq(sr.rsys_error, 0);
	ck_assert_int_eq(sr.rsys_retval[0], sizeof(s));
	ck_assert_int_eq(sr.rsys_retval[1], 'h');

	/* inline, no NUL within the limit */
	a[1] = 5;
	cl_syscall(fd, 3, FK_STR, a, 2, &r, dp, 1);
	sr = cl_sysresp(fd, 3, NULL);
	ck_assert_int_eq(sr.rsys_error, ENAMETOOLONG);

	/* over the wire */
	a[1] = 64;
	cl_syscall(fd, 4, FK_STR, a, 2, NULL, NULL, 0);
	cd = cl_expect_copyreq(fd, RUMPSP_COPYINSTR, &h, NULL);
	ck_assert_uint_eq(cd.rcp_addr, 0x3000);
	ck_assert_uint_eq(cd.rcp_len, 64);
	cl_send(fd, h.rsp_reqno, RUMPSP_RESP, RUMPSP_COPYINSTR, 0, s,
	    sizeof(s));
	sr = cl_sysresp(fd, 4, NULL);
	ck_assert_int_eq(sr.rsys_error, 0);
	ck_assert_int_eq(sr.rsys_retval[0], sizeof(s));

	/* over the wire, no NUL within the limit */
	a[1] = 4;
	cl_syscall(fd, 5, FK_STR, a, 2, NULL, NULL, 0);
	cd = cl_expect_copyreq(fd, RUMPSP_COPYINSTR, &h, NULL);
	ck_assert_uint_eq(cd.rcp_len, 4);
	cl_send(fd, h.rsp_reqno, RUMPSP_RESP, RUMPSP_COPYINSTR, 0, s, 4);
	sr = cl_sysresp(fd, 5, NULL);
	ck_assert_int_eq(sr.rsys_error, ENAMETOOLONG);
	close(fd);
}
END_TEST

/* After a bad client, a good one is still served. */
static void
good_client_served(void)
{
	int fd;

	fd = cl_guest();
	ck_assert_int_gt(cl_getpid(fd, 2), 1);
	close(fd);
}

START_TEST(test_len_below_header)
{
	struct rsp_hdr h;
	int fd;

	fd = cl_connect();
	rsp_hdr_fill(&h, 10, 77, RUMPSP_REQ, RUMPSP_HANDSHAKE, 0);
	write_all(fd, &h, sizeof(h));
	cl_expect_error(fd, RUMPSP_ERR_MALFORMED_REQUEST,
	    "frame length below header size");
	cl_expect_eof(fd);
	close(fd);
	good_client_served();
}
END_TEST

START_TEST(test_len_above_max)
{
	struct rsp_hdr h;
	int fd;

	fd = cl_guest();
	rsp_hdr_fill(&h, (uint64_t)RUMPSP_MAXFRAME + 1, 5, RUMPSP_REQ,
	    RUMPSP_SYSCALL, 1);
	write_all(fd, &h, sizeof(h));
	cl_expect_error(fd, RUMPSP_ERR_TOOBIG, "frame length above limit");
	cl_expect_eof(fd);
	close(fd);
	ck_assert(fk_wait_nprocs(0));

	/* a huge length in the first frame, too */
	fd = cl_connect();
	rsp_hdr_fill(&h, UINT64_MAX, 5, RUMPSP_REQ, RUMPSP_HANDSHAKE, 0);
	write_all(fd, &h, sizeof(h));
	cl_expect_error(fd, RUMPSP_ERR_TOOBIG, NULL);
	cl_expect_eof(fd);
	close(fd);
	good_client_served();
}
END_TEST

START_TEST(test_before_handshake)
{
	int fd;

	fd = cl_connect();
	cl_syscall(fd, 9, FK_GETPID, NULL, 0, NULL, NULL, 0);
	cl_expect_error(fd, RUMPSP_ERR_AUTH, "handshake required");
	cl_expect_eof(fd);
	close(fd);

	/* an exec handshake is no first handshake either */
	fd = cl_connect();
	cl_send(fd, 1, RUMPSP_REQ, RUMPSP_HANDSHAKE, HANDSHAKE_EXEC, "x", 1);
	cl_expect_error(fd, RUMPSP_ERR_AUTH, "handshake required");
	cl_expect_eof(fd);
	close(fd);
	good_client_served();
}
END_TEST

START_TEST(test_auth_handshake)
{
	int fd;

	fd = cl_connect();
	cl_send(fd, 1, RUMPSP_REQ, RUMPSP_HANDSHAKE, HANDSHAKE_AUTH, NULL, 0);
	cl_expect_error(fd, RUMPSP_ERR_AUTH, "this server has no key");
	cl_expect_eof(fd);
	close(fd);
	good_client_served();
}
END_TEST

START_TEST(test_unknown_type)
{
	int fd;

	fd = cl_connect();
	cl_send(fd, 3, RUMPSP_REQ, 50, 0, NULL, 0);
	cl_expect_error(fd, RUMPSP_ERR_MALFORMED_REQUEST,
	    "unknown request type");
	cl_expect_eof(fd);
	close(fd);

	/* after the handshake too, and for an unknown class */
	fd = cl_guest();
	cl_send(fd, 3, RUMPSP_REQ, 50, 0, NULL, 0);
	cl_expect_error(fd, RUMPSP_ERR_MALFORMED_REQUEST,
	    "unknown request type");
	cl_expect_eof(fd);
	close(fd);

	fd = cl_guest();
	cl_send(fd, 3, 7, RUMPSP_SYSCALL, 0, NULL, 0);
	cl_expect_error(fd, RUMPSP_ERR_MALFORMED_REQUEST, NULL);
	cl_expect_eof(fd);
	close(fd);

	/* a request only the server may make */
	fd = cl_guest();
	cl_send(fd, 3, RUMPSP_REQ, RUMPSP_COPYIN, 0, NULL, 0);
	cl_expect_error(fd, RUMPSP_ERR_MALFORMED_REQUEST, NULL);
	cl_expect_eof(fd);
	close(fd);

	/* an unknown handshake kind */
	fd = cl_connect();
	cl_send(fd, 1, RUMPSP_REQ, RUMPSP_HANDSHAKE, 77, NULL, 0);
	cl_expect_error(fd, RUMPSP_ERR_MALFORMED_REQUEST, NULL);
	cl_expect_eof(fd);
	close(fd);
	ck_assert(fk_wait_nprocs(0));
	good_client_served();
}
END_TEST

START_TEST(test_malformed_syscall)
{
	struct rsp_sysreq rs = { 16, 0 };	/* promises 16 argument bytes */
	int fd;

	fd = cl_guest();
	cl_send(fd, 2, RUMPSP_REQ, RUMPSP_SYSCALL, 1, &rs, sizeof(rs));
	cl_expect_error(fd, RUMPSP_ERR_MALFORMED_REQUEST,
	    "syscall arguments truncated");
	cl_expect_eof(fd);
	close(fd);

	/* a second handshake */
	fd = cl_guest();
	cl_send(fd, 2, RUMPSP_REQ, RUMPSP_HANDSHAKE, HANDSHAKE_GUEST, "a", 1);
	cl_expect_error(fd, RUMPSP_ERR_MALFORMED_REQUEST, NULL);
	cl_expect_eof(fd);
	close(fd);

	/* a command name longer than allowed */
	{
		char name[RUMPSP_MAXCOMM + 10];

		memset(name, 'n', sizeof(name));
		fd = cl_connect();
		cl_send(fd, 1, RUMPSP_REQ, RUMPSP_HANDSHAKE, HANDSHAKE_GUEST,
		    name, sizeof(name));
		cl_expect_error(fd, RUMPSP_ERR_TOOBIG, NULL);
		cl_expect_eof(fd);
		close(fd);
	}
	good_client_served();
}
END_TEST

START_TEST(test_client_table_full)
{
	char banner[RUMPSP_MAXBANNER + 1];
	int fd1, fd2, fd3, i;
	bool served = false;

	fd1 = cl_guest();
	fd2 = cl_guest();
	fd3 = cl_connect_banner(banner, sizeof(banner));
	ck_assert_str_eq(banner, "RUMPSP-0.9-Linux-testrel/testmach\n");
	cl_expect_error(fd3, RUMPSP_ERR_BUSY, "client table full");
	cl_expect_eof(fd3);
	close(fd3);
	ck_assert_int_gt(cl_getpid(fd1, 2), 1);

	/* a place frees up once the server has seen the close */
	close(fd2);
	for (i = 0; i < 500 && !served; i++) {
		struct rsp_hdr h;

		fd3 = cl_connect();
		cl_send(fd3, 1, RUMPSP_REQ, RUMPSP_HANDSHAKE,
		    HANDSHAKE_GUEST, "late", 4);
		ck_assert(cl_recv(fd3, &h, NULL));
		served = h.rsp_class == RUMPSP_RESP;
		if (!served)
			usleep(10000);
		else
			ck_assert_int_gt(cl_getpid(fd3, 2), 1);
		close(fd3);
	}
	ck_assert(served);
	close(fd1);
}
END_TEST

START_TEST(test_forged_cookie)
{
	struct rsp_handshake_fork hf;
	int fd;

	memset(&hf, 0, sizeof(hf));
	arc4random_buf(hf.rf_auth, sizeof(hf.rf_auth));
	fd = cl_connect();
	cl_send(fd, 1, RUMPSP_REQ, RUMPSP_HANDSHAKE, HANDSHAKE_FORK, &hf,
	    sizeof(hf));
	cl_expect_error(fd, RUMPSP_ERR_INVALID_PREFORK,
	    "invalid prefork cookie");
	cl_expect_eof(fd);
	close(fd);

	/* a fork handshake of the wrong size */
	fd = cl_connect();
	cl_send(fd, 1, RUMPSP_REQ, RUMPSP_HANDSHAKE, HANDSHAKE_FORK, &hf, 8);
	cl_expect_error(fd, RUMPSP_ERR_MALFORMED_REQUEST, NULL);
	cl_expect_eof(fd);
	close(fd);
	good_client_served();
}
END_TEST

static struct rsp_prefork_resp
cl_prefork(int fd, uint64_t reqno)
{
	struct rsp_prefork_resp pr;
	struct rsp_hdr h;
	uint8_t *body;

	cl_send(fd, reqno, RUMPSP_REQ, RUMPSP_PREFORK, 0, NULL, 0);
	ck_assert(cl_recv(fd, &h, &body));
	ck_assert_uint_eq(h.rsp_class, RUMPSP_RESP);
	ck_assert_uint_eq(h.rsp_type, RUMPSP_PREFORK);
	ck_assert_uint_eq(h.rsp_reqno, reqno);
	ck_assert_uint_eq(h.rsp_len, RSP_HDRSZ + sizeof(pr));
	memcpy(&pr, body, sizeof(pr));
	free(body);
	return pr;
}

static int
cl_fork(const struct rsp_prefork_resp *pr, bool cancel)
{
	struct rsp_handshake_fork hf;
	struct rsp_hdr h;
	int fd;

	memset(&hf, 0, sizeof(hf));
	memcpy(hf.rf_auth, pr->rpf_auth, sizeof(hf.rf_auth));
	hf.rf_cancel = cancel;
	fd = cl_connect();
	cl_send(fd, 1, RUMPSP_REQ, RUMPSP_HANDSHAKE, HANDSHAKE_FORK, &hf,
	    sizeof(hf));
	ck_assert(cl_recv(fd, &h, NULL));
	if (h.rsp_class == RUMPSP_ERROR) {
		close(fd);
		return -1;
	}
	ck_assert_uint_eq(h.rsp_class, RUMPSP_RESP);
	ck_assert_uint_eq(h.rsp_type, RUMPSP_HANDSHAKE);
	return fd;
}

START_TEST(test_prefork_fork)
{
	struct rsp_prefork_resp pr;
	int64_t ppid, cpid;
	int fd, cfd;

	fd = cl_guest();
	ppid = cl_getpid(fd, 2);
	pr = cl_prefork(fd, 3);
	ck_assert_int_eq(fk_get(&fk_nprocs), 2);
	cfd = cl_fork(&pr, false);
	ck_assert_int_ge(cfd, 0);
	cpid = cl_getpid(cfd, 2);
	ck_assert_int_gt(cpid, 1);
	ck_assert_int_ne(cpid, ppid);
	ck_assert(fk_comm_is((pid_t)cpid, "tester"));
	ck_assert_int_eq(fk_get(&fk_nprocs), 2);

	/* a cookie works once */
	ck_assert_int_eq(cl_fork(&pr, false), -1);

	close(cfd);
	ck_assert(fk_wait_nprocs(1));
	close(fd);
	ck_assert(fk_wait_nprocs(0));
}
END_TEST

START_TEST(test_prefork_cancel)
{
	struct rsp_prefork_resp pr;
	int fd, cfd;

	fd = cl_guest();
	pr = cl_prefork(fd, 2);
	ck_assert_int_eq(fk_get(&fk_nprocs), 2);
	cfd = cl_fork(&pr, true);
	ck_assert_int_ge(cfd, 0);
	cl_expect_eof(cfd);
	close(cfd);
	ck_assert_int_eq(fk_get(&fk_nprocs), 1);
	ck_assert_int_gt(cl_getpid(fd, 3), 1);

	/* an unclaimed prefork goes with the client that made it */
	pr = cl_prefork(fd, 4);
	pr = cl_prefork(fd, 5);
	ck_assert_int_eq(fk_get(&fk_nprocs), 3);
	close(fd);
	ck_assert(fk_wait_nprocs(0));
	ck_assert_int_eq(cl_fork(&pr, false), -1);
}
END_TEST

START_TEST(test_disconnect_wakes_blocked)
{
	int fd, before;

	fd = cl_guest();
	before = fk_get(&fk_lwpexits);
	cl_syscall(fd, 2, FK_BLOCK, NULL, 0, NULL, NULL, 0);
	usleep(20000);
	close(fd);
	/* the lwp exit wakes the sleeper; then the process goes */
	ck_assert(fk_wait_nprocs(0));
	ck_assert_int_gt(fk_get(&fk_lwpexits), before);
	good_client_served();
}
END_TEST

START_TEST(test_killed_mid_frame)
{
	struct rsp_hdr h;
	uint64_t a[2] = { 0x1000, 100 };
	pid_t pid;
	int fd, status;

	/* half a header */
	fd = cl_guest();
	rsp_hdr_fill(&h, RSP_HDRSZ + 8, 2, RUMPSP_REQ, RUMPSP_SYSCALL, 1);
	write_all(fd, &h, 10);
	close(fd);

	/* a header and half its body, from a process that is killed */
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		fd = cl_guest();
		rsp_hdr_fill(&h, RSP_HDRSZ + 64, 2, RUMPSP_REQ,
		    RUMPSP_SYSCALL, 1);
		write_all(fd, &h, sizeof(h));
		write_all(fd, a, 9);
		kill(getpid(), SIGKILL);
		_exit(1);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status));

	/* a client that dies while the server waits for its COPYIN answer */
	fd = cl_guest();
	cl_syscall(fd, 2, FK_SUM, a, 2, NULL, NULL, 0);
	(void)cl_expect_copyreq(fd, RUMPSP_COPYIN, &h, NULL);
	close(fd);

	ck_assert(fk_wait_nprocs(0));
	good_client_served();
}
END_TEST

START_TEST(test_pipelined)
{
	enum { N = 200 };
	bool seen[N + 1];
	struct rsp_sysresp sr;
	struct rsp_hdr h;
	uint8_t *body;
	int64_t pid;
	int fd, i;

	fd = cl_guest();
	pid = cl_getpid(fd, 1000);
	for (i = 1; i <= N; i++)
		cl_syscall(fd, (uint64_t)i, FK_GETPID, NULL, 0, NULL, NULL, 0);
	memset(seen, 0, sizeof(seen));
	for (i = 1; i <= N; i++) {
		ck_assert(cl_recv(fd, &h, &body));
		ck_assert_uint_eq(h.rsp_class, RUMPSP_RESP);
		ck_assert_uint_ge(h.rsp_reqno, 1);
		ck_assert_uint_le(h.rsp_reqno, N);
		ck_assert(!seen[h.rsp_reqno]);
		seen[h.rsp_reqno] = true;
		memcpy(&sr, body, sizeof(sr));
		ck_assert_int_eq(sr.rsys_error, 0);
		ck_assert_int_eq(sr.rsys_retval[0], pid);
		free(body);
	}
	close(fd);
}
END_TEST

START_TEST(test_exec)
{
	struct rsp_sysresp sr;
	struct rsp_hdr h;
	uint8_t *body;
	int64_t pid;
	int fd, before;

	fd = cl_guest();
	pid = cl_getpid(fd, 2);
	before = fk_get(&fk_lwpexits);
	/* a call blocked in the kernel is woken by the exec */
	cl_syscall(fd, 3, FK_BLOCK, NULL, 0, NULL, NULL, 0);
	usleep(20000);
	cl_send(fd, 4, RUMPSP_REQ, RUMPSP_HANDSHAKE, HANDSHAKE_EXEC,
	    "newname", 7);
	sr = cl_sysresp(fd, 3, NULL);
	ck_assert_int_eq(sr.rsys_error, EINTR);
	ck_assert(cl_recv(fd, &h, &body));
	ck_assert_uint_eq(h.rsp_class, RUMPSP_RESP);
	ck_assert_uint_eq(h.rsp_type, RUMPSP_HANDSHAKE);
	ck_assert_uint_eq(h.rsp_reqno, 4);
	free(body);
	ck_assert_int_gt(fk_get(&fk_lwpexits), before);
	/* same process, new name */
	ck_assert_int_eq(cl_getpid(fd, 5), pid);
	ck_assert(fk_comm_is((pid_t)pid, "newname"));
	close(fd);
	ck_assert(fk_wait_nprocs(0));
}
END_TEST

/*
 * A second EXEC handshake while the first is under way (both in one
 * write, so the server takes them in one read): ERROR INEXEC for the
 * second, the first goes through, the blocked call it woke says EINTR.
 */
START_TEST(test_exec_twice)
{
	struct rsp_sysresp sr;
	struct rsp_hdr h[2];
	struct rsp_hdr r;
	uint8_t frames[2 * (sizeof(struct rsp_hdr) + 1)], *body;
	int fd, i, seen = 0;

	fd = cl_guest();
	(void)cl_getpid(fd, 2);
	cl_syscall(fd, 3, FK_BLOCK, NULL, 0, NULL, NULL, 0);
	for (i = 0; i < 2; i++) {
		rsp_hdr_fill(&h[i], RSP_HDRSZ + 1, 4 + (uint64_t)i, RUMPSP_REQ,
		    RUMPSP_HANDSHAKE, HANDSHAKE_EXEC);
		memcpy(frames + i * (sizeof(h[i]) + 1), &h[i], sizeof(h[i]));
		frames[i * (sizeof(h[i]) + 1) + sizeof(h[i])] = 'x';
	}
	write_all(fd, frames, sizeof(frames));
	for (i = 0; i < 3; i++) {
		ck_assert(cl_recv(fd, &r, &body));
		switch (r.rsp_reqno) {
		case 3:
			ck_assert_uint_eq(r.rsp_class, RUMPSP_RESP);
			memcpy(&sr, body, sizeof(sr));
			ck_assert_int_eq(sr.rsys_error, EINTR);
			break;
		case 4:
			ck_assert_uint_eq(r.rsp_class, RUMPSP_RESP);
			ck_assert_uint_eq(r.rsp_type, RUMPSP_HANDSHAKE);
			break;
		case 5:
			ck_assert_uint_eq(r.rsp_class, RUMPSP_ERROR);
			ck_assert_uint_eq(r.rsp_arg, RUMPSP_ERR_INEXEC);
			ck_assert_int_eq(rsp_err_errno(r.rsp_arg), EBUSY);
			break;
		default:
			ck_abort_msg("reply to unknown request %llu",
			    (unsigned long long)r.rsp_reqno);
		}
		seen |= 1 << (int)r.rsp_reqno;
		free(body);
	}
	ck_assert_int_eq(seen, (1 << 3) | (1 << 4) | (1 << 5));
	/* the process goes on under its new image */
	ck_assert_int_gt(cl_getpid(fd, 6), 0);
	close(fd);
	ck_assert(fk_wait_nprocs(0));
}
END_TEST

START_TEST(test_raise)
{
	struct rsp_sysresp sr;
	struct rsp_hdr h;
	uint64_t a[1] = { SIGUSR1 };
	int fd;

	fd = cl_guest();
	cl_syscall(fd, 2, FK_RAISE, a, 1, NULL, NULL, 0);
	ck_assert(cl_recv(fd, &h, NULL));
	ck_assert_uint_eq(h.rsp_class, RUMPSP_REQ);
	ck_assert_uint_eq(h.rsp_type, RUMPSP_RAISE);
	ck_assert_uint_eq(h.rsp_arg, SIGUSR1);
	ck_assert_uint_eq(h.rsp_len, RSP_HDRSZ);
	sr = cl_sysresp(fd, 2, NULL);
	ck_assert_int_eq(sr.rsys_error, 0);
	close(fd);
}
END_TEST

/*
 * A signal from another process's call, also while the target goes
 * away: the server must keep the target's state until the signal is
 * sent.
 */
START_TEST(test_raise_other)
{
	struct rsp_sysresp sr;
	struct rsp_hdr h;
	uint64_t a[2];
	uint64_t reqno = 10;
	int fda, fdb, i;

	fda = cl_guest();
	fdb = cl_guest();
	a[0] = (uint64_t)cl_getpid(fda, 2);
	a[1] = SIGUSR2;
	cl_syscall(fdb, 3, FK_KILL, a, 2, NULL, NULL, 0);
	sr = cl_sysresp(fdb, 3, NULL);
	ck_assert_int_eq(sr.rsys_error, 0);
	ck_assert(cl_recv(fda, &h, NULL));
	ck_assert_uint_eq(h.rsp_type, RUMPSP_RAISE);
	ck_assert_uint_eq(h.rsp_arg, SIGUSR2);

	close(fda);
	for (i = 0; i < 5000; i++) {
		cl_syscall(fdb, reqno, FK_KILL, a, 2, NULL, NULL, 0);
		sr = cl_sysresp(fdb, reqno++, NULL);
		if (sr.rsys_error == ESRCH)
			break;
		ck_assert(sr.rsys_error == 0 || sr.rsys_error == ENOTCONN ||
		    sr.rsys_error == EPIPE || sr.rsys_error == ECONNRESET);
	}
	ck_assert_int_eq(sr.rsys_error, ESRCH);
	close(fdb);
	ck_assert(fk_wait_nprocs(0));
}
END_TEST

START_TEST(test_fini_answers_caller)
{
	struct rsp_sysresp sr;
	struct sockaddr_un sun;
	struct stat st;
	int fd, s;

	fd = cl_guest();
	cl_syscall(fd, 2, FK_REBOOT, NULL, 0, NULL, NULL, 0);
	/* answered by fini with error 0 before the kernel returns */
	sr = cl_sysresp(fd, 2, NULL);
	ck_assert_int_eq(sr.rsys_error, 0);
	ck_assert_int_eq(sr.rsys_retval[0], 0);
	/* only once: then the server hangs up */
	cl_expect_eof(fd);
	close(fd);
	ck_assert_int_eq(stat(tpath, &st), -1);
	ck_assert_int_eq(errno, ENOENT);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, tpath);
	ck_assert_int_eq(connect(s, (struct sockaddr *)&sun, sizeof(sun)),
	    -1);
	close(s);
	/* idempotent */
	rumpuser_sp_fini(NULL);
	ck_assert(fk_wait_nprocs(0));
}
END_TEST

/*
 * Set-up errors, without the fixture.
 */
START_TEST(test_init_errors)
{
	char dir[] = "/tmp/spsrvXXXXXX", url[160], path[128];
	struct sockaddr_un sun;
	int s, fd;

	ck_assert_int_eq(rumpuser_sp_init("bogus", &fk_ops, "a", "b", "c"),
	    EINVAL);
	ck_assert_int_eq(rumpuser_sp_init("foo://x", &fk_ops, "a", "b", "c"),
	    EPROTONOSUPPORT);

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/file", dir);
	snprintf(url, sizeof(url), "unix://%s", path);
	/* a file that is not a socket is never removed */
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(rumpuser_sp_init(url, &fk_ops, "a", "b", "c"),
	    EADDRINUSE);
	unlink(path);

	/* a live listener keeps its address */
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, path);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ck_assert_int_eq(listen(s, 1), 0);
	ck_assert_int_eq(rumpuser_sp_init(url, &fk_ops, "a", "b", "c"),
	    EADDRINUSE);
	/* a dead one's file is reclaimed */
	close(s);
	ck_assert_int_eq(rumpuser_sp_init(url, &fk_ops, "a", "b", "c"), 0);
	ck_assert_int_eq(rumpuser_sp_init(url, &fk_ops, "a", "b", "c"),
	    EBUSY);
	rumpuser_sp_fini(NULL);
	rmdir(dir);
}
END_TEST

/* The same over TCP on the loopback, on a port picked at random. */
START_TEST(test_tcp)
{
	struct sockaddr_in sin;
	struct timeval tv = { 10, 0 };
	char url[64], c;
	int64_t pid;
	int fd, i, error = EADDRINUSE, port = 0;

	for (i = 0; i < 20 && error == EADDRINUSE; i++) {
		port = 20000 + (int)arc4random_uniform(40000);
		snprintf(url, sizeof(url), "tcp://127.0.0.1:%d", port);
		error = rumpuser_sp_init(url, &fk_ops, "Linux", "testrel",
		    "testmach");
	}
	ck_assert_int_eq(error, 0);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sin, sizeof(sin)),
	    0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	do
		ck_assert_int_eq(read(fd, &c, 1), 1);
	while (c != '\n');
	cl_handshake(fd, "tcp");
	pid = cl_getpid(fd, 2);
	ck_assert_int_gt(pid, 1);
	close(fd);
	ck_assert(fk_wait_nprocs(0));
	rumpuser_sp_fini(NULL);
}
END_TEST

static Suite *
sp_server_suite(void)
{
	Suite *s = suite_create("sp_server");
	TCase *tc;

	tc = tcase_create("protocol");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_banner);
	tcase_add_test(tc, test_guest_handshake);
	tcase_add_test(tc, test_syscall_getpid);
	tcase_add_test(tc, test_inline_in);
	tcase_add_test(tc, test_wire_copyin);
	tcase_add_test(tc, test_wire_copyin_errors);
	tcase_add_test(tc, test_inline_out);
	tcase_add_test(tc, test_wire_copyout);
	tcase_add_test(tc, test_copyout_gathered);
	tcase_add_test(tc, test_copyinstr);
	tcase_add_test(tc, test_len_below_header);
	tcase_add_test(tc, test_len_above_max);
	tcase_add_test(tc, test_before_handshake);
	tcase_add_test(tc, test_auth_handshake);
	tcase_add_test(tc, test_unknown_type);
	tcase_add_test(tc, test_malformed_syscall);
	tcase_add_test(tc, test_forged_cookie);
	tcase_add_test(tc, test_prefork_fork);
	tcase_add_test(tc, test_prefork_cancel);
	tcase_add_test(tc, test_disconnect_wakes_blocked);
	tcase_add_test(tc, test_killed_mid_frame);
	tcase_add_test(tc, test_pipelined);
	tcase_add_test(tc, test_exec);
	tcase_add_test(tc, test_exec_twice);
	tcase_add_test(tc, test_raise);
	tcase_add_test(tc, test_raise_other);
	tcase_add_test(tc, test_fini_answers_caller);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_checked_fixture(tc, setup_small, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_client_table_full);
	suite_add_tcase(s, tc);

	tc = tcase_create("setup");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_init_errors);
	tcase_add_test(tc, test_tcp);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int nfailed;

	sr = srunner_create(sp_server_suite());
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	nfailed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfailed > 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
