/*
 * sys_pipe.c -- pipes.
 *
 * One structure holds the buffer and both ends; it is freed when both
 * ends are closed.  Data moves through a private bounce buffer so that
 * the ring is never touched while a copy has given up the kernel lock.
 * A write of at most PIPE_BUF bytes is atomic; larger writes may
 * interleave with others.  Writing with no reader left fails with
 * EPIPE; no SIGPIPE is sent (the kernel cannot know whether the client
 * ignores it).  Sleepers are interruptible: a process told to exit
 * gets EINTR.
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
	int64_t		 pi_mtime;
};

static int	pipe_read(struct file *, struct uio *, int);
static int	pipe_write(struct file *, struct uio *, int);
static int	pipe_stat(struct file *, struct stat *);
static int	pipe_close(struct file *);

static const struct fileops pipeops = {
	.fo_read = pipe_read,
	.fo_write = pipe_write,
	.fo_stat = pipe_stat,
	.fo_seek = NULL,
	.fo_close = pipe_close,
};

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
	int error;

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
		cv_broadcast(&pi->pi_cv);
		if ((error = uiomove(bounce, n, uio)) != 0)
			return done > 0 ? 0 : error;
		done += n;
	}
	return 0;
}

/* undo the uiomove of n bytes that could not be written after all */
static void
uio_giveback(struct uio *uio, size_t n)
{

	uio->uio_uaddr = (char *)uio->uio_uaddr - n;
	uio->uio_resid += n;
	uio->uio_offset -= (off_t)n;
}

static int
pipe_write(struct file *fp, struct uio *uio, int flags)
{
	struct pipe *pi = fp->f_data;
	char bounce[PIPE_CHUNK];
	size_t n, done = 0;
	int error;

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
				return done > 0 ? 0 : EAGAIN;
			}
			if ((error = cv_wait_sig(&pi->pi_cv, 0)) != 0) {
				uio_giveback(uio, n);
				return done > 0 ? 0 : error;
			}
		}
		ring_put(pi, bounce, n);
		done += n;
		cv_broadcast(&pi->pi_cv);
	}
	return 0;
 broken:
	uio_giveback(uio, n);
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

static int
pipe_close(struct file *fp)
{
	struct pipe *pi = fp->f_data;

	if (fp->f_flag & FREAD)
		pi->pi_readers--;
	if (fp->f_flag & FWRITE)
		pi->pi_writers--;
	cv_broadcast(&pi->pi_cv);
	if (pi->pi_readers == 0 && pi->pi_writers == 0) {
		cv_destroy(&pi->pi_cv);
		kmem_free(pi->pi_buf, PIPE_SIZE);
		kmem_free(pi, sizeof(*pi));
	}
	return 0;
}

static struct file *
pipe_file(struct pipe *pi, int flag)
{
	struct file *fp;

	if ((fp = falloc_file()) == NULL)
		return NULL;
	fp->f_flag = flag;
	fp->f_ops = &pipeops;
	fp->f_data = pi;
	fp->f_type = DTYPE_PIPE;
	return fp;
}

int
sys_pipe2(struct lwp *l, const struct sys_pipe2_args *uap, register_t *rv)
{
	struct proc *p = l->l_proc;
	int flags = SCARG(uap, flags), fds[2] = { -1, -1 }, error;
	struct file *rf = NULL, *wf = NULL;
	struct pipe *pi;
	int64_t sec;
	long nsec;

	if (flags & ~(O_CLOEXEC | O_NONBLOCK))
		return EINVAL;
	if ((pi = kmem_zalloc(sizeof(*pi))) == NULL)
		return ENFILE;
	if ((pi->pi_buf = kmem_alloc(PIPE_SIZE)) == NULL) {
		kmem_free(pi, sizeof(*pi));
		return ENFILE;
	}
	cv_init(&pi->pi_cv);
	if (rumpuser_clock_gettime(RUMPUSER_CLOCK_RELWALL, &sec, &nsec) == 0)
		pi->pi_mtime = sec;
	pi->pi_readers = pi->pi_writers = 1;
	rf = pipe_file(pi, FREAD | (flags & O_NONBLOCK));
	wf = pipe_file(pi, FWRITE | (flags & O_NONBLOCK));
	if (rf == NULL || wf == NULL) {
		error = ENFILE;
		goto fail;
	}
	if ((error = fd_install(p, rf, 0, flags & O_CLOEXEC, &fds[0])) != 0)
		goto fail;
	if ((error = fd_install(p, wf, 0, flags & O_CLOEXEC, &fds[1])) != 0)
		goto fail;
	fd_putfile(rf);
	fd_putfile(wf);
	if ((error = copyout(fds, SCARG(uap, fds), sizeof(fds))) != 0) {
		fd_close(p, fds[0]);
		fd_close(p, fds[1]);
	}
	return error;
 fail:
	if (fds[0] != -1)
		fd_close(p, fds[0]);
	/* the last references close the ends and free the pipe */
	if (rf != NULL)
		fd_putfile(rf);
	else
		pi->pi_readers--;
	if (wf != NULL)
		fd_putfile(wf);
	else
		pi->pi_writers--;
	if (rf == NULL && wf == NULL) {
		cv_destroy(&pi->pi_cv);
		kmem_free(pi->pi_buf, PIPE_SIZE);
		kmem_free(pi, sizeof(*pi));
	}
	return error;
}
