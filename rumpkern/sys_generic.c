/*
 * sys_generic.c -- read, write, pread, pwrite and lseek on any open
 * file, through its fileops.
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
