/*
 * vfs_vnops.c -- the file operations of open vnodes (vnops): read,
 * write, stat, seek and close on a struct file whose f_data is a
 * vnode, and vn_falloc/vn_attach, which make such a file.
 *
 * The file holds a reference on its vnode from vn_attach until the last
 * reference to the file goes (fo_close), so an unlinked file or a
 * removed directory stays usable through descriptors open on it.
 *
 * Offsets: with FOF_UPDATE_OFFSET the operation starts at f_offset
 * and leaves f_offset after the bytes moved (read, write) or at the
 * new position (seek sets f_offset itself and returns it).  Devices
 * have no position: their offset stays 0, as /dev/null's on Linux.
 * Two lwps reading one file at once each start at the f_offset they
 * saw; the last one to finish sets it (Linux serialises them with
 * f_pos_lock; nothing here depends on it).
 */
#include "vfs.h"

/* as Linux's rw_verify_area: the transfer may not pass the largest off_t */
static int
vn_checkrange(const struct uio *uio)
{

	if (uio->uio_offset < 0 ||
	    (uint64_t)uio->uio_resid > (uint64_t)(INT64_MAX - uio->uio_offset))
		return EINVAL;
	return 0;
}

static int
vn_read(struct file *fp, struct uio *uio, int flags)
{
	struct vnode *vp = fp->f_data;
	int error;

	if ((flags & FOF_UPDATE_OFFSET) != 0)
		uio->uio_offset = fp->f_offset;
	if ((error = vn_checkrange(uio)) != 0)
		return error;
	switch ((vp->v_flag & VHOST) != 0 && vp->v_type != VDIR ? VREG :
	    vp->v_type) {
	case VDIR:
		return EISDIR;
	case VCHR:
		return dev_read(vp, uio, fp->f_flag);
	case VREG:
		error = memfs_read(vp, uio);
		break;
	default:
		return EINVAL;
	}
	if ((flags & FOF_UPDATE_OFFSET) != 0)
		fp->f_offset = uio->uio_offset;
	return error;
}

static int
vn_write(struct file *fp, struct uio *uio, int flags)
{
	struct vnode *vp = fp->f_data;
	int error;

	if ((flags & FOF_UPDATE_OFFSET) != 0)
		uio->uio_offset = fp->f_offset;
	if ((error = vn_checkrange(uio)) != 0)
		return error;
	switch ((vp->v_flag & VHOST) != 0 && vp->v_type != VDIR ? VREG :
	    vp->v_type) {
	case VDIR:
		return EISDIR;
	case VCHR:
		return dev_write(vp, uio, fp->f_flag);
	case VREG:
		if (uio->uio_resid > 0)
			vn_killpriv(vp, &curproc->p_cred);
		error = memfs_write(vp, uio, (fp->f_flag & O_APPEND) != 0);
		break;
	default:
		return EINVAL;
	}
	if ((flags & FOF_UPDATE_OFFSET) != 0)
		fp->f_offset = uio->uio_offset;
	return error;
}

static int
vn_fo_stat(struct file *fp, struct stat *st)
{

	vn_stat(fp->f_data, st);
	return 0;
}

/* base + off, or EINVAL when it overflows or is negative */
static int
vn_seekadd(off_t base, off_t off, off_t *resp)
{

	if (__builtin_add_overflow(base, off, resp) || *resp < 0)
		return EINVAL;
	return 0;
}

/*
 * lseek: SEEK_SET, SEEK_CUR and SEEK_END on regular files (and
 * SEEK_DATA/SEEK_HOLE, as tmpfs); a directory takes SEEK_SET and
 * SEEK_CUR to a getdents64 position; a device always seeks to 0.
 */
static int
vn_seek(struct file *fp, off_t off, int whence, off_t *newoffp)
{
	struct vnode *vp = fp->f_data;
	off_t pos;
	int error;

	if (vp->v_type == VCHR && (vp->v_flag & VHOST) == 0) {
		fp->f_offset = *newoffp = 0;
		return 0;
	}
	if ((vp->v_flag & VHOST) != 0)
		etfs_refresh(vp);
	switch (whence) {
	case SEEK_SET:
		error = vn_seekadd(0, off, &pos);
		break;
	case SEEK_CUR:
		error = vn_seekadd(fp->f_offset, off, &pos);
		break;
	case SEEK_END:
		if (vp->v_type != VREG && (vp->v_flag & VHOST) == 0)
			return EINVAL;
		error = vn_seekadd(vp->v_size, off, &pos);
		break;
	case SEEK_DATA:
	case SEEK_HOLE:
		if (vp->v_type != VREG || (vp->v_flag & VHOST) != 0)
			return EINVAL;
		error = memfs_seekdata(vp, off, whence, &pos);
		break;
	default:
		return EINVAL;
	}
	if (error != 0)
		return error;
	fp->f_offset = *newoffp = pos;
	return 0;
}

static int
vn_close(struct file *fp)
{

	if (fp->f_data != NULL)
		vrele(fp->f_data);
	fp->f_data = NULL;
	return 0;
}

const struct fileops vnops = {
	.fo_read = vn_read,
	.fo_write = vn_write,
	.fo_stat = vn_fo_stat,
	.fo_seek = vn_seek,
	.fo_close = vn_close,
};

/*
 * An open file for a vnode not yet chosen: made before the path is
 * looked up so that running out of memory cannot leave a file created
 * but not opened.  Until vn_attach it has no vnode, and dropping it
 * (fd_putfile) just frees it.
 */
int
vn_falloc(struct file **fpp)
{
	struct file *fp;

	fp = falloc_file();
	if (fp == NULL)
		return ENOMEM;
	fp->f_flag = 0;
	fp->f_offset = 0;
	fp->f_ops = &vnops;
	fp->f_data = NULL;
	fp->f_type = DTYPE_VNODE;
	*fpp = fp;
	return 0;
}

/* open fp on vp with f_flag fflags; the file takes its own reference */
void
vn_attach(struct file *fp, struct vnode *vp, int fflags)
{

	vref(vp);
	fp->f_flag = fflags;
	fp->f_data = vp;
}
