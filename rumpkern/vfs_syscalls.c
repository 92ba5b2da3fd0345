/*
 * vfs_syscalls.c -- the file system calls: open, openat, mkdir, rmdir,
 * unlink, stat, lstat, fstat, getdents64, chdir and getcwd.
 *
 * Every call copies its path in first (copyinstr may give up the
 * kernel lock), onto the stack, so that a full kernel memory can still
 * unlink files; after that the lookup and the change are made without
 * giving the lock up, and results are copied out last from private
 * buffers.  The errors and their order follow Linux's man pages and
 * fs/namei.c: for instance EEXIST before EACCES for mkdir, EISDIR for
 * unlink of a directory, EINVAL/ENOTEMPTY/EBUSY for rmdir of ".",
 * ".." and "/".  Permission checks use the effective ids; the
 * superuser passes them as on Linux.  New files and directories take
 * the creation mask VFS_CMASK (there is no umask call).
 *
 * One difference from Linux: open allocates its struct file before it
 * creates anything, but takes its descriptor number only at the end,
 * so a process out of descriptors (EMFILE) may still create the file.
 */
#include "vfs.h"
#include "sysent.h"

static int
path_copyin(const char *upath, char *kpath)
{
	size_t done;

	return copyinstr(upath, kpath, PATH_MAX, &done);
}

static struct vnode *
proc_cwd(struct proc *p)
{

	return p->p_cwd != NULL ? p->p_cwd : rootvnode;
}

/*
 * Look kpath up relative to dirfd (AT_FDCWD: the current directory),
 * as the *at calls do: EBADF for a bad descriptor, ENOTDIR for one that
 * is not a directory, both only when the path is relative.
 */
static int
vfs_namei(struct proc *p, int dirfd, const char *kpath,
    struct nameidata *ni)
{
	struct vnode *start;
	struct file *fp;
	int error;

	if (kpath[0] == '\0')
		return ENOENT;
	if (kpath[0] == '/' || dirfd == AT_FDCWD)
		return namei(proc_cwd(p), kpath, &p->p_cred, ni);
	error = fd_getfile(p, dirfd, &fp);
	if (error != 0)
		return error;
	if (fp->f_type != DTYPE_VNODE ||
	    ((struct vnode *)fp->f_data)->v_type != VDIR) {
		fd_putfile(fp);
		return ENOTDIR;
	}
	/* namei does not sleep, so the file's reference covers it */
	start = fp->f_data;
	error = namei(start, kpath, &p->p_cred, ni);
	fd_putfile(fp);
	return error;
}

/* Copy the user's path into kpath (PATH_MAX bytes) and look it up. */
static int
namei_user(struct proc *p, int dirfd, const char *upath, char *kpath,
    struct nameidata *ni)
{
	int error;

	if ((error = path_copyin(upath, kpath)) != 0)
		return error;
	return vfs_namei(p, dirfd, kpath, ni);
}

/* may cred remove vp from dvp?  (Linux's may_delete) */
static int
vfs_maydelete(struct vnode *dvp, struct vnode *vp, const struct cred *cred,
    bool isdir)
{
	int error;

	error = vn_access(dvp, cred, VWRITE | VEXEC);
	if (error != 0)
		return error;
	if ((dvp->v_mode & S_ISVTX) != 0 && cred->cr_euid != 0 &&
	    cred->cr_euid != vp->v_uid && cred->cr_euid != dvp->v_uid)
		return EPERM;
	if (isdir && vp->v_type != VDIR)
		return ENOTDIR;
	if (!isdir && vp->v_type == VDIR)
		return EISDIR;
	return 0;
}

/* the permissions an open needs (Linux's ACC_MODE, plus O_TRUNC) */
static int
open_vaccess(int flags)
{
	int vacc;

	if ((flags & O_PATH) != 0)
		return 0;
	switch (flags & O_ACCMODE) {
	case O_RDONLY:
		vacc = VREAD;
		break;
	case O_WRONLY:
		vacc = VWRITE;
		break;
	default:
		vacc = VREAD | VWRITE;
		break;
	}
	if ((flags & O_TRUNC) != 0)
		vacc |= VWRITE;
	return vacc;
}

/*
 * The last component of an open: found, or created for O_CREAT.
 * Returns the vnode referenced in *vpp and whether it was created.
 */
static int
open_lookup(struct nameidata *ni, int flags, mode_t mode,
    const struct cred *cred, struct vnode **vpp, bool *createdp)
{
	struct vnode *vp;
	int error;

	*createdp = false;
	vp = ni->ni_vp;
	if ((flags & O_CREAT) != 0) {
		if (ni->ni_last == NI_NORM && ni->ni_slash)
			return EISDIR;
		if (vp == NULL) {
			if ((ni->ni_dvp->v_flag & VREMOVED) != 0)
				return ENOENT;
			error = vn_access(ni->ni_dvp, cred, VWRITE | VEXEC);
			if (error != 0)
				return error;
			error = memfs_create(ni->ni_dvp, ni->ni_name,
			    ni->ni_namelen, VREG, mode & 07777 & ~VFS_CMASK,
			    cred, 0, &vp);
			if (error != 0)
				return error;
			*createdp = true;
			*vpp = vp;
			return 0;
		}
		if ((flags & O_EXCL) != 0)
			return EEXIST;
		if (vp->v_type == VDIR)
			return EISDIR;
	} else if (vp == NULL)
		return ENOENT;
	if (((flags & O_DIRECTORY) != 0 || ni->ni_slash) && vp->v_type != VDIR)
		return ENOTDIR;
	if ((flags & O_PATH) == 0) {
		if (vp->v_type == VSOCK)
			return ENXIO;	/* a socket is connected to, not opened */
		if (vp->v_type == VDIR && (open_vaccess(flags) & VWRITE) != 0)
			return EISDIR;
		error = vn_access(vp, cred, open_vaccess(flags));
		if (error != 0)
			return error;
	}
	vref(vp);
	*vpp = vp;
	return 0;
}

static int
do_open(struct lwp *l, int dirfd, const char *upath, int flags, mode_t mode,
    register_t *retval)
{
	struct proc *p = l->l_proc;
	char kpath[PATH_MAX];
	struct nameidata ni;
	struct vnode *vp;
	struct file *fp;
	bool created;
	int error, fd, fflags;

	if ((flags & O_TMPFILE & ~O_DIRECTORY) != 0)
		return EOPNOTSUPP;
	if ((flags & (O_CREAT | O_DIRECTORY)) == (O_CREAT | O_DIRECTORY))
		return EINVAL;
	if ((flags & O_PATH) != 0)
		flags &= O_DIRECTORY | O_NOFOLLOW | O_PATH | O_CLOEXEC;
	error = path_copyin(upath, kpath);
	if (error != 0)
		return error;
	error = vn_falloc(&fp);
	if (error != 0)
		return error;
	error = vfs_namei(p, dirfd, kpath, &ni);
	if (error != 0)
		goto out;
	error = open_lookup(&ni, flags, mode, &p->p_cred, &vp, &created);
	namei_done(&ni);
	if (error != 0)
		goto out;
	if (!created && vp->v_type == VREG && (flags & O_TRUNC) != 0) {
		memfs_truncate(vp, 0);
		vn_touch(vp, VT_MTIME | VT_CTIME);
	}
	/* O_ACCMODE + 1 maps to FREAD|FWRITE; O_PATH opens neither */
	fflags = (flags & O_PATH) != 0 ? O_PATH : ((flags + 1) & O_ACCMODE);
	fflags |= flags & (O_APPEND | O_NONBLOCK);
	vn_attach(fp, vp, fflags);
	vrele(vp);
	error = fd_install(p, fp, 0, (flags & O_CLOEXEC) != 0, &fd);
	if (error == 0)
		retval[0] = fd;
out:
	fd_putfile(fp);
	return error;
}

int
sys_open(struct lwp *l, const struct sys_open_args *uap, register_t *retval)
{

	return do_open(l, AT_FDCWD, SCARG(uap, path), SCARG(uap, flags),
	    SCARG(uap, mode), retval);
}

int
sys_openat(struct lwp *l, const struct sys_openat_args *uap,
    register_t *retval)
{

	return do_open(l, SCARG(uap, dirfd), SCARG(uap, path),
	    SCARG(uap, flags), SCARG(uap, mode), retval);
}

int
sys_mkdir(struct lwp *l, const struct sys_mkdir_args *uap,
    register_t *retval)
{
	struct proc *p = l->l_proc;
	char kpath[PATH_MAX];
	struct nameidata ni;
	struct vnode *vp;
	mode_t mode;
	int error;

	error = namei_user(p, AT_FDCWD, SCARG(uap, path), kpath, &ni);
	if (error != 0)
		return error;
	if (ni.ni_last != NI_NORM || ni.ni_vp != NULL)
		error = EEXIST;
	else if ((ni.ni_dvp->v_flag & VREMOVED) != 0)
		error = ENOENT;
	else
		error = vn_access(ni.ni_dvp, &p->p_cred, VWRITE | VEXEC);
	if (error == 0) {
		mode = SCARG(uap, mode) & (0777 | S_ISVTX) & ~VFS_CMASK;
		error = memfs_create(ni.ni_dvp, ni.ni_name, ni.ni_namelen,
		    VDIR, mode, &p->p_cred, 0, &vp);
		if (error == 0)
			vrele(vp);
	}
	namei_done(&ni);
	return error;
}

int
sys_rmdir(struct lwp *l, const struct sys_rmdir_args *uap,
    register_t *retval)
{
	struct proc *p = l->l_proc;
	char kpath[PATH_MAX];
	struct nameidata ni;
	int error;

	error = namei_user(p, AT_FDCWD, SCARG(uap, path), kpath, &ni);
	if (error != 0)
		return error;
	switch (ni.ni_last) {
	case NI_DOT:
		error = EINVAL;
		break;
	case NI_DOTDOT:
		error = ENOTEMPTY;
		break;
	case NI_ROOT:
		error = EBUSY;
		break;
	default:
		if (ni.ni_vp == NULL)
			error = ENOENT;
		else
			error = vfs_maydelete(ni.ni_dvp, ni.ni_vp, &p->p_cred,
			    true);
		if (error == 0)
			error = memfs_remove(ni.ni_dvp, ni.ni_name,
			    ni.ni_namelen);
		break;
	}
	namei_done(&ni);
	return error;
}

int
sys_unlink(struct lwp *l, const struct sys_unlink_args *uap,
    register_t *retval)
{
	struct proc *p = l->l_proc;
	char kpath[PATH_MAX];
	struct nameidata ni;
	int error;

	error = namei_user(p, AT_FDCWD, SCARG(uap, path), kpath, &ni);
	if (error != 0)
		return error;
	if (ni.ni_last != NI_NORM)
		error = EISDIR;
	else if (ni.ni_vp == NULL)
		error = ENOENT;
	else if (ni.ni_slash)
		error = (ni.ni_vp->v_type == VDIR) ? EISDIR : ENOTDIR;
	else
		error = vfs_maydelete(ni.ni_dvp, ni.ni_vp, &p->p_cred, false);
	if (error == 0)
		error = memfs_remove(ni.ni_dvp, ni.ni_name, ni.ni_namelen);
	namei_done(&ni);
	return error;
}

/* stat and lstat: there are no symbolic links, so they are one call */
static int
do_stat(struct lwp *l, const char *upath, struct stat *usb)
{
	struct proc *p = l->l_proc;
	char kpath[PATH_MAX];
	struct nameidata ni;
	struct stat st;
	int error;

	error = namei_user(p, AT_FDCWD, upath, kpath, &ni);
	if (error != 0)
		return error;
	if (ni.ni_vp == NULL)
		error = ENOENT;
	else if (ni.ni_slash && ni.ni_vp->v_type != VDIR)
		error = ENOTDIR;
	else
		vn_stat(ni.ni_vp, &st);
	namei_done(&ni);
	if (error != 0)
		return error;
	return copyout(&st, usb, sizeof(st));
}

int
sys_stat(struct lwp *l, const struct sys_stat_args *uap, register_t *retval)
{

	return do_stat(l, SCARG(uap, path), SCARG(uap, sb));
}

int
sys_lstat(struct lwp *l, const struct sys_lstat_args *uap,
    register_t *retval)
{

	return do_stat(l, SCARG(uap, path), SCARG(uap, sb));
}

int
sys_fstat(struct lwp *l, const struct sys_fstat_args *uap,
    register_t *retval)
{
	struct file *fp;
	struct stat st;
	int error;

	error = fd_getfile(l->l_proc, SCARG(uap, fd), &fp);
	if (error != 0)
		return error;
	memset(&st, 0, sizeof(st));
	error = (fp->f_ops->fo_stat != NULL) ? fp->f_ops->fo_stat(fp, &st) :
	    EOPNOTSUPP;
	fd_putfile(fp);
	if (error != 0)
		return error;
	return copyout(&st, SCARG(uap, sb), sizeof(st));
}

/*
 * getdents64: as many whole records as fit, built in a private buffer
 * (at most VFS_BOUNCE bytes per call) and copied out at once.
 */
int
sys_getdents64(struct lwp *l, const struct sys_getdents64_args *uap,
    register_t *retval)
{
	uint64_t small[64];
	struct vnode *vp;
	struct file *fp;
	void *buf;
	size_t buflen, used;
	off_t pos, oldpos;
	int error;

	error = fd_getfile(l->l_proc, SCARG(uap, fd), &fp);
	if (error != 0)
		return error;
	vp = fp->f_data;
	if ((fp->f_flag & O_PATH) != 0 && fp->f_type == DTYPE_VNODE)
		error = EBADF;
	else if (fp->f_type != DTYPE_VNODE || vp->v_type != VDIR)
		error = ENOTDIR;
	if (error != 0) {
		fd_putfile(fp);
		return error;
	}
	buflen = SCARG(uap, count) < VFS_BOUNCE ? SCARG(uap, count) :
	    VFS_BOUNCE;
	buf = (buflen > sizeof(small)) ? kmem_alloc(buflen) : NULL;
	if (buf == NULL) {
		buf = small;
		if (buflen > sizeof(small))
			buflen = sizeof(small);
	}
	oldpos = pos = fp->f_offset;
	error = memfs_readdir(vp, &pos, buf, buflen, &used);
	if (error == 0) {
		vn_accessed(vp);
		fp->f_offset = pos;
		error = copyout(buf, SCARG(uap, buf), used);
		if (error != 0)
			fp->f_offset = oldpos;
		else
			retval[0] = (register_t)used;
	}
	if (buf != small)
		kmem_free(buf, buflen);
	fd_putfile(fp);
	return error;
}

int
sys_chdir(struct lwp *l, const struct sys_chdir_args *uap,
    register_t *retval)
{
	struct proc *p = l->l_proc;
	char kpath[PATH_MAX];
	struct nameidata ni;
	struct vnode *old;
	int error;

	error = namei_user(p, AT_FDCWD, SCARG(uap, path), kpath, &ni);
	if (error != 0)
		return error;
	if (ni.ni_vp == NULL)
		error = ENOENT;
	else if (ni.ni_vp->v_type != VDIR)
		error = ENOTDIR;
	else
		error = vn_access(ni.ni_vp, &p->p_cred, VEXEC);
	if (error == 0) {
		old = p->p_cwd;
		vref(ni.ni_vp);
		p->p_cwd = ni.ni_vp;
		if (old != NULL)
			vrele(old);
	}
	namei_done(&ni);
	return error;
}

/*
 * getcwd: the path of the current directory built backwards from the
 * names directories keep of themselves.  retval[0] is its length with
 * the NUL; ERANGE if size is too small, ENOENT once it was removed.
 */
int
sys_getcwd(struct lwp *l, const struct sys_getcwd_args *uap,
    register_t *retval)
{
	char path[PATH_MAX];
	struct memfs_dirent *de;
	struct vnode *vp;
	size_t pos, len;
	int error;

	vp = proc_cwd(l->l_proc);
	if ((vp->v_flag & VREMOVED) != 0)
		return ENOENT;
	pos = sizeof(path);
	path[--pos] = '\0';
	for (; (vp->v_flag & VROOT) == 0; vp = vp->v_dir.parent) {
		de = vp->v_dir.self;
		if (de->md_namelen + 1 > pos)
			return ENAMETOOLONG;
		pos -= de->md_namelen;
		memcpy(path + pos, de->md_name, de->md_namelen);
		path[--pos] = '/';
	}
	if (pos == sizeof(path) - 1)
		path[--pos] = '/';
	len = sizeof(path) - pos;
	if (SCARG(uap, size) < len)
		return ERANGE;
	error = copyout(path + pos, SCARG(uap, buf), len);
	if (error == 0)
		retval[0] = (register_t)len;
	return error;
}
