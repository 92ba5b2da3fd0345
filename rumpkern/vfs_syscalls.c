/*
 * vfs_syscalls.c -- open and openat, getdents64, chdir, fchdir and
 * getcwd, and the lookups every file system call shares (vfs_namei,
 * namei_user, vfs_lookup_at, vfs_getvnode, vfs_create).  The calls
 * that make and remove names are in vfs_names.c, those on attributes
 * in vfs_attr.c.
 *
 * Every call copies its paths in first (copyinstr may give up the
 * kernel lock), onto the stack, so that a full kernel memory can still
 * unlink files; after that the lookup and the change are made without
 * giving the lock up, and results are copied out last from private
 * buffers.  The errors and their order follow Linux's man pages and
 * fs/namei.c.  Permission checks use the effective ids; the superuser
 * passes them as on Linux.  New files take the process's umask.
 *
 * One difference from Linux: open allocates its struct file before it
 * creates anything, but takes its descriptor number only at the end,
 * so a process out of descriptors (EMFILE) may still create the file.
 */
#include "vfs.h"
#include "sysent.h"

/* copy a path of at most PATH_MAX bytes (NUL included) into kpath */
int
vfs_copyinpath(const char *upath, char *kpath)
{
	size_t done;

	return copyinstr(upath, kpath, PATH_MAX, &done);
}

/* is the user's path the empty string (the AT_EMPTY_PATH cases)? */
bool
vfs_upath_empty(const char *upath)
{
	char c;

	return upath != NULL && copyin(upath, &c, 1) == 0 && c == '\0';
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
vfs_namei_cred(struct proc *p, const struct cred *cred, int dirfd,
    const char *kpath, int niflags, struct nameidata *ni)
{
	struct vnode *start;
	struct file *fp;
	int error;

	if (kpath[0] == '\0')
		return ENOENT;
	if (kpath[0] == '/' || dirfd == AT_FDCWD)
		return namei(proc_cwd(p), kpath, cred, niflags, ni);
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
	error = namei(start, kpath, cred, niflags, ni);
	fd_putfile(fp);
	return error;
}

int
vfs_namei(struct proc *p, int dirfd, const char *kpath, int niflags,
    struct nameidata *ni)
{

	return vfs_namei_cred(p, &p->p_cred, dirfd, kpath, niflags, ni);
}

/* Copy the user's path into kpath (PATH_MAX bytes) and look it up. */
int
namei_user(struct proc *p, int dirfd, const char *upath, char *kpath,
    int niflags, struct nameidata *ni)
{
	int error;

	if ((error = vfs_copyinpath(upath, kpath)) != 0)
		return error;
	return vfs_namei(p, dirfd, kpath, niflags, ni);
}

/*
 * The vnode of descriptor fd, referenced.  An O_PATH descriptor counts
 * only with allowpath (fstat, fchdir, the AT_EMPTY_PATH calls); a
 * descriptor that is not a vnode (a pipe) is EINVAL.
 */
int
vfs_getvnode(struct proc *p, int fd, bool allowpath, struct vnode **vpp)
{
	struct file *fp;
	int error;

	error = fd_getfile(p, fd, &fp);
	if (error != 0)
		return error;
	if (fp->f_type != DTYPE_VNODE)
		error = EINVAL;
	else if (!allowpath && (fp->f_flag & O_PATH) != 0)
		error = EBADF;
	else {
		*vpp = fp->f_data;
		vref(*vpp);
	}
	fd_putfile(fp);
	return error;
}

/*
 * The object a path names, as stat, chmod, chown, utimensat and
 * access see it: the last symbolic link followed unless
 * AT_SYMLINK_NOFOLLOW, an empty path with AT_EMPTY_PATH meaning dirfd
 * itself, a trailing slash demanding a directory.
 */
int
vfs_lookup_at(struct proc *p, int dirfd, const char *upath, int atflags,
    struct vnode **vpp)
{

	return vfs_lookup_atcred(p, &p->p_cred, dirfd, upath, atflags, vpp);
}

/* the same, searching directories with the credentials cred */
int
vfs_lookup_atcred(struct proc *p, const struct cred *cred, int dirfd,
    const char *upath, int atflags, struct vnode **vpp)
{
	char kpath[PATH_MAX];
	struct nameidata ni;
	int error;

	if ((error = vfs_copyinpath(upath, kpath)) != 0)
		return error;
	if (kpath[0] == '\0' && (atflags & AT_EMPTY_PATH) != 0) {
		if (dirfd == AT_FDCWD) {
			*vpp = proc_cwd(p);
			vref(*vpp);
			return 0;
		}
		return vfs_getvnode(p, dirfd, true, vpp);
	}
	error = vfs_namei_cred(p, cred, dirfd, kpath,
	    (atflags & AT_SYMLINK_NOFOLLOW) != 0 ? 0 : NI_FOLLOW, &ni);
	if (error != 0)
		return error;
	if (ni.ni_vp == NULL)
		error = ENOENT;
	else if (ni.ni_slash && ni.ni_vp->v_type != VDIR)
		error = ENOTDIR;
	else {
		*vpp = ni.ni_vp;
		vref(*vpp);
	}
	namei_done(&ni);
	return error;
}

/* may cred make a new name in dvp?  (Linux's may_create) */
int
vfs_maycreate(struct vnode *dvp, const struct cred *cred)
{

	if ((dvp->v_flag & VREMOVED) != 0)
		return ENOENT;
	return vn_access(dvp, cred, VWRITE | VEXEC);
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

/* a new vnode's owner, as Linux's inode_init_owner (set-group-ID dirs) */
void
vn_initowner(struct vnode *vp, struct vnode *dvp, const struct cred *cred)
{

	if ((dvp->v_mode & S_ISGID) == 0 || (dvp->v_flag & VHOST) != 0)
		return;
	vp->v_gid = dvp->v_gid;
	if (vp->v_type == VDIR)
		vp->v_mode |= S_ISGID;
	else if ((vp->v_mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP) &&
	    !cred_isroot(cred) && !cred_groupmember(cred, vp->v_gid))
		vp->v_mode &= ~S_ISGID;
}

/* make a file, directory or node for the last component of ni */
int
vfs_create(struct proc *p, struct nameidata *ni, enum vtype type,
    mode_t mode, dev_t rdev, struct vnode **vpp)
{
	struct vnode *vp;
	int error;

	error = memfs_create(ni->ni_dvp, ni->ni_name, ni->ni_namelen, type,
	    mode & ~p->p_umask, &p->p_cred, rdev, &vp);
	if (error != 0)
		return error;
	vn_initowner(vp, ni->ni_dvp, &p->p_cred);
	if (vpp != NULL)
		*vpp = vp;
	else
		vrele(vp);
	return 0;
}

/*
 * The last component of an open: found, or created for O_CREAT.
 * Returns the vnode referenced in *vpp and whether it was created.
 */
static int
open_lookup(struct proc *p, struct nameidata *ni, int flags, mode_t mode,
    struct vnode **vpp, bool *createdp)
{
	const struct cred *cred = &p->p_cred;
	struct vnode *vp;
	int error;

	*createdp = false;
	vp = ni->ni_vp;
	if ((flags & O_CREAT) != 0) {
		if (ni->ni_last == NI_NORM && ni->ni_slash)
			return EISDIR;
		if (vp == NULL) {
			error = vfs_maycreate(ni->ni_dvp, cred);
			if (error != 0)
				return error;
			error = vfs_create(p, ni, VREG, mode & 07777, 0, &vp);
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
	if (vp->v_type == VLNK && (flags & O_PATH) == 0)
		return ELOOP;		/* O_NOFOLLOW met a link */
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
		if ((vp->v_type == VCHR || vp->v_type == VBLK) &&
		    (error = dev_open(vp)) != 0)
			return error;
	}
	vref(vp);
	*vpp = vp;
	return 0;
}

/* the namei flags of an open: O_NOFOLLOW, and O_EXCL, stop at a link */
static int
open_niflags(int flags)
{

	if ((flags & O_NOFOLLOW) != 0 ||
	    (flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		return 0;
	return NI_FOLLOW;
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
	error = vfs_copyinpath(upath, kpath);
	if (error != 0)
		return error;
	error = vn_falloc(&fp);
	if (error != 0)
		return error;
	error = vfs_namei(p, dirfd, kpath, open_niflags(flags), &ni);
	if (error != 0)
		goto out;
	error = open_lookup(p, &ni, flags, mode, &vp, &created);
	namei_done(&ni);
	if (error != 0)
		goto out;
	if (!created && vp->v_type == VREG && (flags & O_TRUNC) != 0) {
		error = memfs_truncate(vp, 0);
		if (error != 0) {
			vrele(vp);
			goto out;
		}
		vn_killpriv(vp, &p->p_cred);
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

/* make vp, referenced by the caller, the current directory */
static int
vfs_setcwd(struct proc *p, struct vnode *vp)
{
	struct vnode *old;
	int error;

	if (vp->v_type != VDIR)
		return ENOTDIR;
	if ((error = vn_access(vp, &p->p_cred, VEXEC)) != 0)
		return error;
	old = p->p_cwd;
	vref(vp);
	p->p_cwd = vp;
	if (old != NULL)
		vrele(old);
	return 0;
}

int
sys_chdir(struct lwp *l, const struct sys_chdir_args *uap,
    register_t *retval)
{
	struct proc *p = l->l_proc;
	struct vnode *vp;
	int error;

	error = vfs_lookup_at(p, AT_FDCWD, SCARG(uap, path), 0, &vp);
	if (error != 0)
		return error;
	error = vfs_setcwd(p, vp);
	vrele(vp);
	return error;
}

int
sys_fchdir(struct lwp *l, const struct sys_fchdir_args *uap,
    register_t *retval)
{
	struct proc *p = l->l_proc;
	struct vnode *vp;
	int error;

	error = vfs_getvnode(p, SCARG(uap, fd), true, &vp);
	if (error == EINVAL)
		error = ENOTDIR;
	if (error != 0)
		return error;
	error = vfs_setcwd(p, vp);
	vrele(vp);
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
	if ((vp->v_flag & VHOST) != 0)
		etfs_refresh(vp);
	if ((vp->v_flag & VREMOVED) != 0)
		return ENOENT;
	pos = sizeof(path);
	path[--pos] = '\0';
	for (; (vp->v_flag & VROOT) == 0; vp = vp->v_dir.parent) {
		/* an etfs key removed above a host directory: no path */
		if ((de = vp->v_dir.self) == NULL)
			return ENOENT;
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
