/*
 * vfs_names.c -- the calls that make and remove names: mkdir(at),
 * mknod(at), rmdir, unlink(at), link(at), symlink(at), readlink(at),
 * rename, renameat and renameat2.
 *
 * Each copies its paths in first (copyinstr may give up the kernel
 * lock) and then looks up and changes the name space without giving
 * it up.  None of them follows a symbolic link that is the last
 * component (NI_NOFOLLOW): they act on the name itself.  The errors
 * and their order are Linux's (fs/namei.c): for instance EEXIST
 * before EACCES for mkdir, EISDIR for unlink of a directory,
 * EINVAL/ENOTEMPTY/EBUSY for rmdir of ".", ".." and "/", and for
 * rename the order of do_renameat2 and then vfs_rename.  The root and
 * etfs keys stay put as mount points do (EBUSY).
 */
#include "vfs.h"
#include "sysent.h"

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

	if ((error = vfs_copyinpath(utarget, target)) != 0)
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

/*
 * readlink: an empty path means dirfd itself (an O_PATH link), and
 * then something that is not a link is ENOENT rather than EINVAL.
 */
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
	else if (error == EINVAL && vfs_upath_empty(upath))
		error = ENOENT;
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
		if (vn_same(dvp, vp))
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
	if (vp->v_type == VDIR && !vn_same(from->ni_dvp, to->ni_dvp) &&
	    vn_isancestor(vp, to->ni_dvp))
		return EINVAL;
	if (tvp != NULL && tvp->v_type == VDIR &&
	    !vn_same(from->ni_dvp, to->ni_dvp) &&
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
	if (!vn_same(from->ni_dvp, to->ni_dvp)) {
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
	if ((error = vfs_copyinpath(uold, kold)) != 0 ||
	    (error = vfs_copyinpath(unew, knew)) != 0)
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
	if (error == 0 &&
	    (to.ni_vp == NULL || !vn_same(from.ni_vp, to.ni_vp))) {
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

