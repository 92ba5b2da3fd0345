/*
 * vfs_syscalls.c -- the calls on the name space: open and openat,
 * mkdir(at), mknod(at), rmdir, unlink(at), link(at), symlink(at),
 * readlink(at), rename, renameat(2), chdir, fchdir, getcwd and
 * getdents64, and the lookups every file system call shares
 * (vfs_namei, namei_user, vfs_lookup_at, vfs_getvnode).
 *
 * Every call copies its paths in first (copyinstr may give up the
 * kernel lock), onto the stack, so that a full kernel memory can still
 * unlink files; after that the lookup and the change are made without
 * giving the lock up, and results are copied out last from private
 * buffers.  The errors and their order follow Linux's man pages and
 * fs/namei.c: for instance EEXIST before EACCES for mkdir, EISDIR for
 * unlink of a directory, EINVAL/ENOTEMPTY/EBUSY for rmdir of ".",
 * ".." and "/", and for rename the order of do_renameat2 and
 * vfs_rename.  Permission checks use the effective ids; the superuser
 * passes them as on Linux.  New files take the process's umask.
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

	if ((error = path_copyin(upath, kpath)) != 0)
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

	if ((error = path_copyin(upath, kpath)) != 0)
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

/* may cred remove vp from dvp?  (Linux's may_delete) */
static int
vfs_maydelete(struct vnode *dvp, struct vnode *vp, const struct cred *cred,
    bool isdir)
{
	int error;

	error = vn_access(dvp, cred, VWRITE | VEXEC);
	if (error != 0)
		return error;
	if ((dvp->v_mode & S_ISVTX) != 0 && !cred_isroot(cred) &&
	    cred->cr_euid != vp->v_uid && cred->cr_euid != dvp->v_uid)
		return EPERM;
	if (isdir && vp->v_type != VDIR)
		return ENOTDIR;
	if (!isdir && vp->v_type == VDIR)
		return EISDIR;
	if ((vp->v_flag & VROOT) != 0 || etfs_iskey(vp))
		return EBUSY;
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

/* a new vnode's owner, as Linux's inode_init_owner (set-group-ID dirs) */
static void
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
static int
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
	error = path_copyin(upath, kpath);
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
 * The new name of mkdir, mknod, symlink and link (Linux's
 * filename_create): "." and ".." and "/" exist already, a trailing
 * slash is only for directories, then the parent must take it.
 */
static int
newname_check(struct nameidata *ni, const struct cred *cred, bool isdir)
{

	if (ni->ni_last != NI_NORM || ni->ni_vp != NULL)
		return EEXIST;
	if (ni->ni_slash && !isdir)
		return ENOENT;
	return vfs_maycreate(ni->ni_dvp, cred);
}

static int
do_mkdir(struct lwp *l, int dirfd, const char *upath, mode_t mode)
{
	struct proc *p = l->l_proc;
	char kpath[PATH_MAX];
	struct nameidata ni;
	int error;

	error = namei_user(p, dirfd, upath, kpath, NI_NOFOLLOW, &ni);
	if (error != 0)
		return error;
	error = newname_check(&ni, &p->p_cred, true);
	if (error == 0)
		error = vfs_create(p, &ni, VDIR, mode & (0777 | S_ISVTX), 0,
		    NULL);
	namei_done(&ni);
	return error;
}

int
sys_mkdir(struct lwp *l, const struct sys_mkdir_args *uap,
    register_t *retval)
{

	return do_mkdir(l, AT_FDCWD, SCARG(uap, path), SCARG(uap, mode));
}

int
sys_mkdirat(struct lwp *l, const struct sys_mkdirat_args *uap,
    register_t *retval)
{

	return do_mkdir(l, SCARG(uap, dirfd), SCARG(uap, path),
	    SCARG(uap, mode));
}

/*
 * mknod: regular files for anyone; character and block device nodes
 * for root (CAP_MKNOD).  FIFOs and sockets are not supported: EPERM,
 * Linux's answer for a file system without that type of node.
 */
static int
do_mknod(struct lwp *l, int dirfd, const char *upath, mode_t mode,
    dev_t dev)
{
	struct proc *p = l->l_proc;
	char kpath[PATH_MAX];
	struct nameidata ni;
	enum vtype type;
	int error;

	switch (mode & S_IFMT) {
	case 0:
	case S_IFREG:
		type = VREG;
		break;
	case S_IFCHR:
		type = VCHR;
		break;
	case S_IFBLK:
		type = VBLK;
		break;
	case S_IFIFO:
	case S_IFSOCK:
		type = VNON;
		break;
	case S_IFDIR:
		return EPERM;
	default:
		return EINVAL;
	}
	error = namei_user(p, dirfd, upath, kpath, NI_NOFOLLOW, &ni);
	if (error != 0)
		return error;
	error = newname_check(&ni, &p->p_cred, false);
	if (error == 0 && (type == VCHR || type == VBLK) &&
	    !cred_isroot(&p->p_cred))
		error = EPERM;
	if (error == 0 && type == VNON)
		error = EPERM;
	if (error == 0)
		error = vfs_create(p, &ni, type, mode & 07777,
		    type == VREG ? 0 : dev, NULL);
	namei_done(&ni);
	return error;
}

int
sys_mknod(struct lwp *l, const struct sys_mknod_args *uap,
    register_t *retval)
{

	return do_mknod(l, AT_FDCWD, SCARG(uap, path), SCARG(uap, mode),
	    SCARG(uap, dev));
}

int
sys_mknodat(struct lwp *l, const struct sys_mknodat_args *uap,
    register_t *retval)
{

	return do_mknod(l, SCARG(uap, dirfd), SCARG(uap, path),
	    SCARG(uap, mode), SCARG(uap, dev));
}

static int
do_rmdir(struct lwp *l, int dirfd, const char *upath)
{
	struct proc *p = l->l_proc;
	char kpath[PATH_MAX];
	struct nameidata ni;
	int error;

	error = namei_user(p, dirfd, upath, kpath, NI_NOFOLLOW, &ni);
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
sys_rmdir(struct lwp *l, const struct sys_rmdir_args *uap,
    register_t *retval)
{

	return do_rmdir(l, AT_FDCWD, SCARG(uap, path));
}

static int
do_unlink(struct lwp *l, int dirfd, const char *upath)
{
	struct proc *p = l->l_proc;
	char kpath[PATH_MAX];
	struct nameidata ni;
	int error;

	error = namei_user(p, dirfd, upath, kpath, NI_NOFOLLOW, &ni);
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

int
sys_unlink(struct lwp *l, const struct sys_unlink_args *uap,
    register_t *retval)
{

	return do_unlink(l, AT_FDCWD, SCARG(uap, path));
}

int
sys_unlinkat(struct lwp *l, const struct sys_unlinkat_args *uap,
    register_t *retval)
{
	int flags = SCARG(uap, flags);

	if ((flags & ~AT_REMOVEDIR) != 0)
		return EINVAL;
	if ((flags & AT_REMOVEDIR) != 0)
		return do_rmdir(l, SCARG(uap, dirfd), SCARG(uap, path));
	return do_unlink(l, SCARG(uap, dirfd), SCARG(uap, path));
}

/*
 * Linux's protected_hardlinks (on by default): only the owner, root,
 * or someone who may read and write a plain regular file may link it.
 */
static int
link_allowed(struct vnode *vp, const struct cred *cred)
{

	if (cred_isroot(cred) || cred->cr_euid == vp->v_uid)
		return 0;
	if (vp->v_type != VREG || (vp->v_mode & S_ISUID) != 0 ||
	    (vp->v_mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP))
		return EPERM;
	return vn_access(vp, cred, VREAD | VWRITE) != 0 ? EPERM : 0;
}

static int
do_link(struct lwp *l, int olddirfd, const char *uold, int newdirfd,
    const char *unew, int flags)
{
	struct proc *p = l->l_proc;
	char kpath[PATH_MAX];
	struct nameidata ni;
	struct vnode *vp;
	int error, atflags;

	if ((flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) != 0)
		return EINVAL;
	if ((flags & AT_EMPTY_PATH) != 0 && !cred_isroot(&p->p_cred))
		return ENOENT;
	atflags = (flags & AT_EMPTY_PATH) |
	    ((flags & AT_SYMLINK_FOLLOW) != 0 ? 0 : AT_SYMLINK_NOFOLLOW);
	error = vfs_lookup_at(p, olddirfd, uold, atflags, &vp);
	if (error != 0)
		return error;
	error = namei_user(p, newdirfd, unew, kpath, NI_NOFOLLOW, &ni);
	if (error != 0) {
		vrele(vp);
		return error;
	}
	error = newname_check(&ni, &p->p_cred, false);
	if (error == 0)
		error = link_allowed(vp, &p->p_cred);
	if (error == 0 && vp->v_type == VDIR)
		error = EPERM;
	if (error == 0)
		error = memfs_link(ni.ni_dvp, ni.ni_name, ni.ni_namelen, vp);
	namei_done(&ni);
	vrele(vp);
	return error;
}

int
sys_link(struct lwp *l, const struct sys_link_args *uap, register_t *retval)
{

	return do_link(l, AT_FDCWD, SCARG(uap, path), AT_FDCWD,
	    SCARG(uap, link), 0);
}

int
sys_linkat(struct lwp *l, const struct sys_linkat_args *uap,
    register_t *retval)
{

	return do_link(l, SCARG(uap, olddirfd), SCARG(uap, oldpath),
	    SCARG(uap, newdirfd), SCARG(uap, newpath), SCARG(uap, flags));
}

static int
do_symlink(struct lwp *l, const char *utarget, int dirfd, const char *upath)
{
	struct proc *p = l->l_proc;
	char target[PATH_MAX], kpath[PATH_MAX];
	struct nameidata ni;
	struct vnode *vp;
	int error;

	if ((error = path_copyin(utarget, target)) != 0)
		return error;
	if (target[0] == '\0')
		return ENOENT;
	error = namei_user(p, dirfd, upath, kpath, NI_NOFOLLOW, &ni);
	if (error != 0)
		return error;
	error = newname_check(&ni, &p->p_cred, false);
	if (error == 0)
		error = memfs_symlink(ni.ni_dvp, ni.ni_name, ni.ni_namelen,
		    target, &p->p_cred, &vp);
	if (error == 0) {
		vn_initowner(vp, ni.ni_dvp, &p->p_cred);
		vrele(vp);
	}
	namei_done(&ni);
	return error;
}

int
sys_symlink(struct lwp *l, const struct sys_symlink_args *uap,
    register_t *retval)
{

	return do_symlink(l, SCARG(uap, target), AT_FDCWD,
	    SCARG(uap, linkpath));
}

int
sys_symlinkat(struct lwp *l, const struct sys_symlinkat_args *uap,
    register_t *retval)
{

	return do_symlink(l, SCARG(uap, target), SCARG(uap, newdirfd),
	    SCARG(uap, linkpath));
}

/* readlink: an empty path means dirfd itself (an O_PATH link) */
static int
do_readlink(struct lwp *l, int dirfd, const char *upath, char *ubuf,
    size_t bufsiz, register_t *retval)
{
	char target[PATH_MAX];
	struct vnode *vp;
	size_t len;
	int error;

	if (bufsiz == 0 || bufsiz > INT_MAX)
		return EINVAL;
	error = vfs_lookup_at(l->l_proc, dirfd, upath,
	    AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH, &vp);
	if (error != 0)
		return error;
	error = memfs_readlink(vp, target, sizeof(target), &len);
	if (error == 0)
		vn_accessed(vp);
	vrele(vp);
	if (error != 0)
		return error;
	if (len > bufsiz)
		len = bufsiz;
	error = copyout(target, ubuf, len);
	if (error == 0)
		retval[0] = (register_t)len;
	return error;
}

int
sys_readlink(struct lwp *l, const struct sys_readlink_args *uap,
    register_t *retval)
{

	return do_readlink(l, AT_FDCWD, SCARG(uap, path), SCARG(uap, buf),
	    SCARG(uap, bufsiz), retval);
}

int
sys_readlinkat(struct lwp *l, const struct sys_readlinkat_args *uap,
    register_t *retval)
{

	return do_readlink(l, SCARG(uap, dirfd), SCARG(uap, path),
	    SCARG(uap, buf), SCARG(uap, bufsiz), retval);
}

/* is vp, a directory, dvp or one of dvp's ancestors? */
static bool
vn_isancestor(struct vnode *vp, struct vnode *dvp)
{

	for (; dvp != NULL; dvp = dvp->v_dir.parent)
		if (dvp == vp)
			return true;
	return false;
}

/* The checks of Linux's do_renameat2 once both names are looked up. */
static int
rename_names(struct nameidata *from, struct nameidata *to, unsigned flags)
{
	struct vnode *vp = from->ni_vp, *tvp = to->ni_vp;

	if (from->ni_last != NI_NORM)
		return EBUSY;
	if (to->ni_last != NI_NORM)
		return (flags & RENAME_NOREPLACE) != 0 ? EEXIST : EBUSY;
	if (vp == NULL)
		return ENOENT;
	if ((flags & RENAME_NOREPLACE) != 0 && tvp != NULL)
		return EEXIST;
	if ((flags & RENAME_EXCHANGE) != 0) {
		if (tvp == NULL)
			return ENOENT;
		if (tvp->v_type != VDIR && to->ni_slash)
			return ENOTDIR;
	}
	if (vp->v_type != VDIR && (from->ni_slash ||
	    ((flags & RENAME_EXCHANGE) == 0 && to->ni_slash)))
		return ENOTDIR;
	if (vp->v_type == VDIR && from->ni_dvp != to->ni_dvp &&
	    vn_isancestor(vp, to->ni_dvp))
		return EINVAL;
	if (tvp != NULL && tvp->v_type == VDIR && from->ni_dvp != to->ni_dvp &&
	    vn_isancestor(tvp, from->ni_dvp))
		return (flags & RENAME_EXCHANGE) != 0 ? EINVAL : ENOTEMPTY;
	return 0;
}

/* The permission and type checks of Linux's vfs_rename. */
static int
rename_check(struct nameidata *from, struct nameidata *to, unsigned flags,
    const struct cred *cred)
{
	struct vnode *vp = from->ni_vp, *tvp = to->ni_vp;
	bool isdir = vp->v_type == VDIR;
	int error;

	error = vfs_maydelete(from->ni_dvp, vp, cred, isdir);
	if (error != 0)
		return error;
	if (tvp == NULL)
		error = vfs_maycreate(to->ni_dvp, cred);
	else
		error = vfs_maydelete(to->ni_dvp, tvp, cred,
		    (flags & RENAME_EXCHANGE) != 0 ? tvp->v_type == VDIR :
		    isdir);
	if (error != 0)
		return error;
	if (from->ni_dvp != to->ni_dvp) {
		if (isdir && (error = vn_access(vp, cred, VWRITE)) != 0)
			return error;
		if ((flags & RENAME_EXCHANGE) != 0 && tvp->v_type == VDIR &&
		    (error = vn_access(tvp, cred, VWRITE)) != 0)
			return error;
	}
	if ((flags & RENAME_EXCHANGE) == 0 && tvp != NULL &&
	    tvp->v_type == VDIR && tvp->v_dir.nentries > 0)
		return ENOTEMPTY;
	return 0;
}

static int
do_rename(struct lwp *l, int olddirfd, const char *uold, int newdirfd,
    const char *unew, unsigned flags)
{
	struct proc *p = l->l_proc;
	char kold[PATH_MAX], knew[PATH_MAX];
	struct nameidata from, to;
	int error;

	if ((flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE)) != 0 ||
	    (flags & (RENAME_NOREPLACE | RENAME_EXCHANGE)) ==
	    (RENAME_NOREPLACE | RENAME_EXCHANGE))
		return EINVAL;
	if ((error = path_copyin(uold, kold)) != 0 ||
	    (error = path_copyin(unew, knew)) != 0)
		return error;
	error = vfs_namei(p, olddirfd, kold, NI_NOFOLLOW, &from);
	if (error != 0)
		return error;
	error = vfs_namei(p, newdirfd, knew, NI_NOFOLLOW, &to);
	if (error != 0) {
		namei_done(&from);
		return error;
	}
	error = rename_names(&from, &to, flags);
	if (error == 0 && from.ni_vp != to.ni_vp) {
		error = rename_check(&from, &to, flags, &p->p_cred);
		if (error == 0)
			error = memfs_rename(from.ni_dvp, from.ni_name,
			    from.ni_namelen, to.ni_dvp, to.ni_name,
			    to.ni_namelen, (flags & RENAME_EXCHANGE) != 0);
	}
	namei_done(&to);
	namei_done(&from);
	return error;
}

int
sys_rename(struct lwp *l, const struct sys_rename_args *uap,
    register_t *retval)
{

	return do_rename(l, AT_FDCWD, SCARG(uap, from), AT_FDCWD,
	    SCARG(uap, to), 0);
}

int
sys_renameat(struct lwp *l, const struct sys_renameat_args *uap,
    register_t *retval)
{

	return do_rename(l, SCARG(uap, olddirfd), SCARG(uap, from),
	    SCARG(uap, newdirfd), SCARG(uap, to), 0);
}

int
sys_renameat2(struct lwp *l, const struct sys_renameat2_args *uap,
    register_t *retval)
{

	return do_rename(l, SCARG(uap, olddirfd), SCARG(uap, from),
	    SCARG(uap, newdirfd), SCARG(uap, to), SCARG(uap, flags));
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
