/*
 * sys_pipe.c -- pipes.
 *
 * One structure holds the buffer and both ends; it is freed when both
 * ends are closed.  Data moves through a private bounce buffer so that
 * the ring is never touched while a copy has given up the kernel lock.
 * A write of at most PIPE_BUF bytes is atomic: it is fetched whole
 * into the bounce buffer and put into the ring only when all of it
 * fits, so concurrent writers never interleave inside it; larger
 * writes go in PIPE_BUF pieces and may interleave with others.
 * Writing with no reader left fails with EPIPE and sends SIGPIPE to
 * the writing process (kern_sig.c: a sysproxy client's host process
 * decides what it does; a local process only sees EPIPE).  Sleepers
 * are interruptible: a process told to exit gets EINTR.
 *
 * SIGIO: each end's struct file is known to the pipe (pi_rfile,
 * pi_wfile; there is one of each, dup and fork share it), so a write
 * signals the owner of an O_ASYNC read end and a read the owner of an
 * O_ASYNC write end, as Linux's kill_fasync.  Signals may give up the
 * kernel lock; the file held by the caller keeps the pipe, and the
 * loops look at its state again afterwards.  Closing an end sends
 * nothing (Linux does): a close may run in the middle of a process's
 * exit, where the lock must not be given up.
 *
 * pipe2 makes the pipe and both files before it counts any end, so a
 * failure at any allocation frees exactly what was made.
 */
#include "kern.h"
#include "sysent.h"

#define PIPE_SIZE	65536
#define PIPE_CHUNK	4096		/* == PIPE_BUF */

struct pipe {
	char		*pi_buf;
	size_t		 pi_start;	/* first byte in the ring */
	size_t		 pi_len;	/* bytes in the ring */
	int		 pi_readers;	/* open read ends (0 or 1) */
	int		 pi_writers;
	kcondvar_t	 pi_cv;		/* readers and writers wait here */
	struct selinfo	 pi_sel;	/* pollers of either end */
	int64_t		 pi_mtime;
	struct file	*pi_rfile;	/* the read end, NULL once closed */
	struct file	*pi_wfile;	/* the write end */
};

static int	pipe_read(struct file *, struct uio *, int);
static int	pipe_write(struct file *, struct uio *, int);
static int	pipe_stat(struct file *, struct stat *);
static int	pipe_close(struct file *);
static int	pipe_poll(struct file *, int, struct selwait *);

static const struct fileops pipeops = {
	.fo_read = pipe_read,
	.fo_write = pipe_write,
	.fo_stat = pipe_stat,
	.fo_seek = NULL,
	.fo_close = pipe_close,
	.fo_poll = pipe_poll,
};

/* wake sleepers and pollers: the pipe changed */
static void
pipe_wakeup(struct pipe *pi)
{

	cv_broadcast(&pi->pi_cv);
	selnotify(&pi->pi_sel);
}

/*
 * The read end is readable with data or without a writer (POLLHUP);
 * the write end writable with room for an atomic write, POLLERR
 * without a reader, as Linux's pipe_poll.
 */
static int
pipe_poll(struct file *fp, int events, struct selwait *sw)
{
	struct pipe *pi = fp->f_data;
	int revents = 0;

	if ((fp->f_flag & FREAD) != 0) {
		if (pi->pi_len > 0)
			revents |= events & (POLLIN | POLLRDNORM);
		if (pi->pi_writers == 0)
			revents |= POLLHUP;
	}
	if ((fp->f_flag & FWRITE) != 0) {
		if (PIPE_SIZE - pi->pi_len >= PIPE_CHUNK)
			revents |= events & (POLLOUT | POLLWRNORM);
		if (pi->pi_readers == 0)
			revents |= POLLERR;
	}
	if ((revents & (events | POLLHUP | POLLERR)) == 0)
		selrecord(sw, &pi->pi_sel);
	return revents;
}

static void
ring_get(struct pipe *pi, char *dst, size_t n)
{
	size_t first = PIPE_SIZE - pi->pi_start;

	if (first > n)
		first = n;
	memcpy(dst, pi->pi_buf + pi->pi_start, first);
	memcpy(dst + first, pi->pi_buf, n - first);
	pi->pi_start = (pi->pi_start + n) % PIPE_SIZE;
	pi->pi_len -= n;
}

static void
ring_put(struct pipe *pi, const char *src, size_t n)
{
	size_t end = (pi->pi_start + pi->pi_len) % PIPE_SIZE;
	size_t first = PIPE_SIZE - end;

	if (first > n)
		first = n;
	memcpy(pi->pi_buf + end, src, first);
	memcpy(pi->pi_buf, src + first, n - first);
	pi->pi_len += n;
}

static int
pipe_read(struct file *fp, struct uio *uio, int flags)
{
	struct pipe *pi = fp->f_data;
	char bounce[PIPE_CHUNK];
	size_t n, done = 0;
	int error = 0;

	while (uio->uio_resid > 0) {
		if (pi->pi_len == 0) {
			if (done > 0 || pi->pi_writers == 0)
				break;
			if (fp->f_flag & O_NONBLOCK)
				return EAGAIN;
			if ((error = cv_wait_sig(&pi->pi_cv, 0)) != 0)
				return error;
			continue;
		}
		n = pi->pi_len < sizeof(bounce) ? pi->pi_len : sizeof(bounce);
		if (n > uio->uio_resid)
			n = uio->uio_resid;
		ring_get(pi, bounce, n);
		pipe_wakeup(pi);
		if ((error = uiomove(bounce, n, uio)) != 0)
			break;
		done += n;
	}
	if (done > 0 && pi->pi_wfile != NULL)
		fown_signal(pi->pi_wfile, SIGIO);
	return done > 0 ? 0 : error;
}

/* undo the uiomove of n bytes that could not be written after all */
static void
uio_giveback(struct uio *uio, size_t n)
{

	uio->uio_uaddr = (char *)uio->uio_uaddr - n;
	uio->uio_resid += n;
	uio->uio_offset -= (off_t)n;
}

static void
pipe_sigio(struct file *fp)
{

	if (fp != NULL)
		fown_signal(fp, SIGIO);
}

static int
pipe_write(struct file *fp, struct uio *uio, int flags)
{
	struct pipe *pi = fp->f_data;
	char bounce[PIPE_CHUNK];
	size_t n, done = 0;
	int error;
	bool unsignalled = false;	/* data put since the last SIGIO */

	while (uio->uio_resid > 0) {
		n = uio->uio_resid < sizeof(bounce) ? uio->uio_resid :
		    sizeof(bounce);
		/* fetch before waiting: the copy may give up the lock */
		if ((error = uiomove(bounce, n, uio)) != 0)
			return done > 0 ? 0 : error;
		for (;;) {
			if (pi->pi_readers == 0)
				goto broken;
			if (PIPE_SIZE - pi->pi_len >= n)
				break;
			if (fp->f_flag & O_NONBLOCK) {
				uio_giveback(uio, n);
				error = EAGAIN;
				goto out;
			}
			/* the reader may be waiting for SIGIO to read */
			if (unsignalled) {
				unsignalled = false;
				pipe_sigio(pi->pi_rfile);
				continue;
			}
			if ((error = cv_wait_sig(&pi->pi_cv, 0)) != 0) {
				uio_giveback(uio, n);
				goto out;
			}
		}
		ring_put(pi, bounce, n);
		done += n;
		unsignalled = true;
		pipe_wakeup(pi);
	}
	error = 0;
 out:
	if (unsignalled)
		pipe_sigio(pi->pi_rfile);
	return done > 0 ? 0 : error;
 broken:
	/* Linux sends SIGPIPE even when part of the write went through */
	uio_giveback(uio, n);
	if (unsignalled)
		pipe_sigio(pi->pi_rfile);
	kpsignal(curproc, SIGPIPE);
	return done > 0 ? 0 : EPIPE;
}

static int
pipe_stat(struct file *fp, struct stat *sb)
{
	struct pipe *pi = fp->f_data;

	memset(sb, 0, sizeof(*sb));
	sb->st_mode = S_IFIFO | 0600;
	sb->st_nlink = 1;
	sb->st_blksize = PIPE_CHUNK;
	sb->st_size = (off_t)pi->pi_len;
	sb->st_mtim.tv_sec = pi->pi_mtime;
	sb->st_ctim = sb->st_atim = sb->st_mtim;
	return 0;
}

static void
pipe_free(struct pipe *pi)
{

	cv_destroy(&pi->pi_cv);
	kmem_free(pi->pi_buf, PIPE_SIZE);
	kmem_free(pi, sizeof(*pi));
}

static int
pipe_close(struct file *fp)
{
	struct pipe *pi = fp->f_data;

	if (fp->f_flag & FREAD) {
		pi->pi_readers--;
		pi->pi_rfile = NULL;
	}
	if (fp->f_flag & FWRITE) {
		pi->pi_writers--;
		pi->pi_wfile = NULL;
	}
	pipe_wakeup(pi);
	if (pi->pi_readers == 0 && pi->pi_writers == 0)
		pipe_free(pi);
	return 0;
}

/* the pipe's structure and ring, no ends yet */
static struct pipe *
pipe_alloc(void)
{
	struct pipe *pi;
	int64_t sec;
	long nsec;

	if ((pi = kmem_zalloc(sizeof(*pi))) == NULL)
		return NULL;
	if ((pi->pi_buf = kmem_alloc(PIPE_SIZE)) == NULL) {
		kmem_free(pi, sizeof(*pi));
		return NULL;
	}
	cv_init(&pi->pi_cv);
	if (rumpuser_clock_gettime(RUMPUSER_CLOCK_RELWALL, &sec, &nsec) == 0)
		pi->pi_mtime = sec;
	return pi;
}

/* make an end; it counts once both ends exist (pipe_open) */
static struct file *
pipe_file(int flag)
{
	struct file *fp;

	if ((fp = falloc_file()) == NULL)
		return NULL;
	fp->f_flag = flag;
	fp->f_type = DTYPE_PIPE;
	return fp;
}

static void
pipe_open(struct pipe *pi, struct file *rf, struct file *wf)
{

	rf->f_ops = wf->f_ops = &pipeops;
	rf->f_data = wf->f_data = pi;
	pi->pi_rfile = rf;
	pi->pi_wfile = wf;
	pi->pi_readers = pi->pi_writers = 1;
}

int
sys_pipe2(struct lwp *l, const struct sys_pipe2_args *uap, register_t *rv)
{
	struct proc *p = l->l_proc;
	int flags = SCARG(uap, flags), fds[2] = { -1, -1 }, error;
	struct file *rf, *wf;
	struct pipe *pi;

	if (flags & ~(O_CLOEXEC | O_NONBLOCK))
		return EINVAL;
	if ((pi = pipe_alloc()) == NULL)
		return ENFILE;
	rf = pipe_file(FREAD | (flags & O_NONBLOCK));
	wf = pipe_file(FWRITE | (flags & O_NONBLOCK));
	if (rf == NULL || wf == NULL) {
		/* files without fileops: dropping them only frees them */
		if (rf != NULL)
			fd_putfile(rf);
		if (wf != NULL)
			fd_putfile(wf);
		pipe_free(pi);
		return ENFILE;
	}
	pipe_open(pi, rf, wf);
	/* from here the last reference to each end closes it */
	if ((error = fd_install(p, rf, 0, flags & O_CLOEXEC, &fds[0])) == 0 &&
	    (error = fd_install(p, wf, 0, flags & O_CLOEXEC, &fds[1])) != 0)
		fd_close(p, fds[0]);
	fd_putfile(rf);
	fd_putfile(wf);
	if (error != 0)
		return error;
	if ((error = copyout(fds, SCARG(uap, fds), sizeof(fds))) != 0) {
		fd_close(p, fds[0]);
		fd_close(p, fds[1]);
	}
	return error;
}

/* pipe(2): NetBSD's rump_sys_pipe(), which programs written for it call */
int
sys_pipe(struct lwp *l, const struct sys_pipe_args *uap, register_t *rv)
{
	struct sys_pipe2_args a;

	SCARG(&a, fds) = SCARG(uap, fds);
	SCARG(&a, flags) = 0;
	return sys_pipe2(l, &a, rv);
}
