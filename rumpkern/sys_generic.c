/*
 * sys_generic.c -- read, write, pread, pwrite, lseek, readv, writev,
 * preadv and pwritev on any open file, through its fileops.
 *
 * A file without fo_seek (a pipe, a socket) has no position: lseek,
 * pread and pwrite on it fail with ESPIPE.  fo_seek sets f_offset
 * itself and returns the new position.  A transfer larger than
 * Linux's MAX_RW_COUNT is cut to it.  When an error ends a transfer
 * that already moved some bytes, the call reports those bytes and
 * drops the error, as Linux does (a short write before ENOSPC, a read
 * interrupted by a signal); the next call meets the error again.
 *
 * The file is held (fd_getfile) across the operation, which may sleep
 * or give up the kernel lock while copying.
 *
 * The vector calls copy the iovec array in (the buffers it points to
 * are copied segment by segment by the file's operation) and run one
 * transfer per segment, stopping at the first short one.  A file
 * without a position (a pipe) could block in a later segment after an
 * earlier one was filled, so readv on it stops after the first
 * segment that moved data; its writev goes on through every segment,
 * each atomic up to PIPE_BUF on its own but not together.
 */
#include "vfs.h"
#include "sysent.h"

/* Linux refuses I/O on an O_PATH descriptor as if it were not open */
static int
getfile_io(struct proc *p, int fd, struct file **fpp)
{
	int error;

	error = fd_getfile(p, fd, fpp);
	if (error != 0)
		return error;
	if ((*fpp)->f_type == DTYPE_VNODE && ((*fpp)->f_flag & O_PATH) != 0) {
		fd_putfile(*fpp);
		return EBADF;
	}
	return 0;
}

/*
 * One read or write of nbyte bytes at off (or at f_offset, with
 * FOF_UPDATE_OFFSET in flags).  pos says it is pread/pwrite, which
 * need a seekable file.
 */
static int
dofileio(struct lwp *l, int fd, void *buf, size_t nbyte, off_t off,
    enum uio_rw rw, bool pos, register_t *retval)
{
	struct file *fp;
	struct uio uio;
	int error, flags;

	if (pos && off < 0)
		return EINVAL;
	error = getfile_io(l->l_proc, fd, &fp);
	if (error != 0)
		return error;
	if (pos && fp->f_ops->fo_seek == NULL)
		error = ESPIPE;
	else if ((fp->f_flag & (rw == UIO_READ ? FREAD : FWRITE)) == 0)
		error = EBADF;
	if (error != 0) {
		fd_putfile(fp);
		return error;
	}
	if (nbyte > VFS_MAXRW)
		nbyte = VFS_MAXRW;
	uio.uio_uaddr = buf;
	uio.uio_resid = nbyte;
	uio.uio_offset = off;
	uio.uio_rw = rw;
	flags = pos ? 0 : FOF_UPDATE_OFFSET;
	if (rw == UIO_READ)
		error = fp->f_ops->fo_read(fp, &uio, flags);
	else
		error = fp->f_ops->fo_write(fp, &uio, flags);
	fd_putfile(fp);
	if (uio.uio_resid != nbyte)
		error = 0;
	if (error == 0)
		retval[0] = (register_t)(nbyte - uio.uio_resid);
	return error;
}

int
sys_read(struct lwp *l, const struct sys_read_args *uap, register_t *retval)
{

	return dofileio(l, SCARG(uap, fd), SCARG(uap, buf), SCARG(uap, nbyte),
	    0, UIO_READ, false, retval);
}

int
sys_write(struct lwp *l, const struct sys_write_args *uap,
    register_t *retval)
{

	return dofileio(l, SCARG(uap, fd), (void *)(uintptr_t)SCARG(uap, buf),
	    SCARG(uap, nbyte), 0, UIO_WRITE, false, retval);
}

int
sys_pread(struct lwp *l, const struct sys_pread_args *uap,
    register_t *retval)
{

	return dofileio(l, SCARG(uap, fd), SCARG(uap, buf), SCARG(uap, nbyte),
	    SCARG(uap, offset), UIO_READ, true, retval);
}

int
sys_pwrite(struct lwp *l, const struct sys_pwrite_args *uap,
    register_t *retval)
{

	return dofileio(l, SCARG(uap, fd), (void *)(uintptr_t)SCARG(uap, buf),
	    SCARG(uap, nbyte), SCARG(uap, offset), UIO_WRITE, true, retval);
}

int
sys_lseek(struct lwp *l, const struct sys_lseek_args *uap,
    register_t *retval)
{
	struct file *fp;
	off_t newoff;
	int error;

	error = getfile_io(l->l_proc, SCARG(uap, fd), &fp);
	if (error != 0)
		return error;
	if (fp->f_ops->fo_seek == NULL)
		error = ESPIPE;
	else
		error = fp->f_ops->fo_seek(fp, SCARG(uap, offset),
		    SCARG(uap, whence), &newoff);
	fd_putfile(fp);
	if (error == 0)
		retval[0] = (register_t)newoff;
	return error;
}

#define RUMP_IOV_MAX	1024	/* Linux's UIO_MAXIOV */

/*
 * The vector form of dofileio.  ESPIPE, EBADF and EINVAL come in
 * Linux's order: the position first, then the file, then the vector.
 */
static int
dofilev(struct lwp *l, int fd, const struct iovec *uiov, int iovcnt,
    off_t off, enum uio_rw rw, bool pos, register_t *retval)
{
	struct iovec small[8], *iov;
	struct file *fp;
	struct uio uio;
	size_t total, done, len, iovlen;
	int error, flags, i;

	if (pos && off < 0)
		return EINVAL;
	error = getfile_io(l->l_proc, fd, &fp);
	if (error != 0)
		return error;
	iov = small;
	iovlen = 0;
	if (pos && fp->f_ops->fo_seek == NULL)
		error = ESPIPE;
	else if ((fp->f_flag & (rw == UIO_READ ? FREAD : FWRITE)) == 0)
		error = EBADF;
	else if (iovcnt < 0 || iovcnt > RUMP_IOV_MAX)
		error = EINVAL;
	else if ((size_t)iovcnt > __arraycount(small)) {
		iovlen = (size_t)iovcnt * sizeof(*iov);
		if ((iov = kmem_alloc(iovlen)) == NULL)
			error = ENOMEM;
	}
	if (error == 0)
		error = copyin(uiov, iov, (size_t)iovcnt * sizeof(*iov));
	for (i = 0, total = 0; error == 0 && i < iovcnt; i++) {
		if (iov[i].iov_len > (size_t)SSIZE_MAX - total)
			error = EINVAL;
		else
			total += iov[i].iov_len;
	}
	flags = pos ? 0 : FOF_UPDATE_OFFSET;
	for (i = 0, done = 0; error == 0 && i < iovcnt && done < VFS_MAXRW;
	    i++) {
		len = iov[i].iov_len;
		if (len > VFS_MAXRW - done)
			len = VFS_MAXRW - done;
		if (len == 0)
			continue;
		uio.uio_uaddr = iov[i].iov_base;
		uio.uio_resid = len;
		uio.uio_offset = off + (off_t)done;
		uio.uio_rw = rw;
		if (rw == UIO_READ)
			error = fp->f_ops->fo_read(fp, &uio, flags);
		else
			error = fp->f_ops->fo_write(fp, &uio, flags);
		done += len - uio.uio_resid;
		if (uio.uio_resid != 0 || (rw == UIO_READ &&
		    fp->f_ops->fo_seek == NULL))
			break;
	}
	fd_putfile(fp);
	if (iov != small)
		kmem_free(iov, iovlen);
	if (done > 0)
		error = 0;
	if (error == 0)
		retval[0] = (register_t)done;
	return error;
}

int
sys_readv(struct lwp *l, const struct sys_readv_args *uap,
    register_t *retval)
{

	return dofilev(l, SCARG(uap, fd), SCARG(uap, iov), SCARG(uap, iovcnt),
	    0, UIO_READ, false, retval);
}

int
sys_writev(struct lwp *l, const struct sys_writev_args *uap,
    register_t *retval)
{

	return dofilev(l, SCARG(uap, fd), SCARG(uap, iov), SCARG(uap, iovcnt),
	    0, UIO_WRITE, false, retval);
}

int
sys_preadv(struct lwp *l, const struct sys_preadv_args *uap,
    register_t *retval)
{

	return dofilev(l, SCARG(uap, fd), SCARG(uap, iov), SCARG(uap, iovcnt),
	    SCARG(uap, offset), UIO_READ, true, retval);
}

int
sys_pwritev(struct lwp *l, const struct sys_pwritev_args *uap,
    register_t *retval)
{

	return dofilev(l, SCARG(uap, fd), SCARG(uap, iov), SCARG(uap, iovcnt),
	    SCARG(uap, offset), UIO_WRITE, true, retval);
}
