/*
 * vfs_attr.c -- the calls on a file's attributes: stat, lstat, fstat,
 * fstatat, statx, statfs, fstatfs, chmod, fchmod, fchmodat, chown,
 * fchown, lchown, fchownat, utimensat, futimens, access, faccessat,
 * umask, truncate, ftruncate, fsync and fdatasync.
 *
 * Who may change what follows Linux (fs/attr.c, fs/open.c,
 * fs/utimes.c): only the owner or root changes the mode; only root
 * gives a file away, the owner may change its group to one of their
 * own; chown of a non-directory clears set-user-ID, and set-group-ID
 * when group execute is set (or the caller is not in the group); a
 * chmod by someone outside the file's group drops set-group-ID;
 * setting explicit times needs ownership, setting them to now needs
 * ownership or write permission.  access(2) asks with the real ids.
 * Every change of an attribute sets ctime.
 *
 * The memfs statfs numbers: f_type is TMPFS_MAGIC (the file system is
 * tmpfs's in-kernel cousin); with a memory limit (rump_server -r) the
 * blocks are that limit in pages and the free ones what kmem has
 * left, without a limit every count is 0, as for tmpfs mounted with
 * size=0.
 */
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>

#include "vfs.h"
#include "sysent.h"

#define MEMFS_MAGIC	0x01021994	/* Linux's TMPFS_MAGIC */
#define MEMFS_ST_VALID	0x0020		/* Linux's ST_VALID: f_flags is set */
#define MEMFS_UTIME_NOW	((1L << 30) - 1)	/* Linux's UTIME_NOW */
#define MEMFS_UTIME_OMIT ((1L << 30) - 2)	/* Linux's UTIME_OMIT */

/* stat of what fd is open on, through its fileops (pipes too) */
static int
do_fstat(struct proc *p, int fd, struct stat *st)
{
	struct file *fp;
	int error;

	error = fd_getfile(p, fd, &fp);
	if (error != 0)
		return error;
	memset(st, 0, sizeof(*st));
	error = (fp->f_ops->fo_stat != NULL) ? fp->f_ops->fo_stat(fp, st) :
	    EOPNOTSUPP;
	fd_putfile(fp);
	return error;
}

static int
do_stat(struct proc *p, int dirfd, const char *upath, int flags,
    struct stat *st)
{
	struct vnode *vp;
	int error;

	if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH |
	    AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE)) != 0)
		return EINVAL;
	/* an empty path on a descriptor that is not a vnode: fstat */
	if ((flags & AT_EMPTY_PATH) != 0 && dirfd != AT_FDCWD &&
	    vfs_upath_empty(upath))
		return do_fstat(p, dirfd, st);
	error = vfs_lookup_at(p, dirfd, upath, flags, &vp);
	if (error != 0)
		return error;
	vn_stat(vp, st);
	vrele(vp);
	return 0;
}

int
sys_stat(struct lwp *l, const struct sys_stat_args *uap, register_t *retval)
{
	struct stat st;
	int error;

	error = do_stat(l->l_proc, AT_FDCWD, SCARG(uap, path), 0, &st);
	if (error != 0)
		return error;
	return copyout(&st, SCARG(uap, sb), sizeof(st));
}

int
sys_lstat(struct lwp *l, const struct sys_lstat_args *uap,
    register_t *retval)
{
	struct stat st;
	int error;

	error = do_stat(l->l_proc, AT_FDCWD, SCARG(uap, path),
	    AT_SYMLINK_NOFOLLOW, &st);
	if (error != 0)
		return error;
	return copyout(&st, SCARG(uap, sb), sizeof(st));
}

int
sys_fstat(struct lwp *l, const struct sys_fstat_args *uap,
    register_t *retval)
{
	struct stat st;
	int error;

	error = do_fstat(l->l_proc, SCARG(uap, fd), &st);
	if (error != 0)
		return error;
	return copyout(&st, SCARG(uap, sb), sizeof(st));
}

int
sys_fstatat(struct lwp *l, const struct sys_fstatat_args *uap,
    register_t *retval)
{
	struct stat st;
	int error;

	if ((SCARG(uap, flags) & AT_STATX_SYNC_TYPE) != 0)
		return EINVAL;
	error = do_stat(l->l_proc, SCARG(uap, dirfd), SCARG(uap, path),
	    SCARG(uap, flags), &st);
	if (error != 0)
		return error;
	return copyout(&st, SCARG(uap, sb), sizeof(st));
}

static void
statx_ts(struct statx_timestamp *sx, const struct timespec *ts)
{

	sx->tv_sec = ts->tv_sec;
	sx->tv_nsec = (uint32_t)ts->tv_nsec;
}

/* statx: what stat knows, with the basic-stats mask, as tmpfs */
int
sys_statx(struct lwp *l, const struct sys_statx_args *uap,
    register_t *retval)
{
	int flags = SCARG(uap, flags);
	struct statx sx;
	struct stat st;
	int error;

	if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE ||
	    (SCARG(uap, mask) & STATX__RESERVED) != 0)
		return EINVAL;
	error = do_stat(l->l_proc, SCARG(uap, dirfd), SCARG(uap, path),
	    flags, &st);
	if (error != 0)
		return error;
	memset(&sx, 0, sizeof(sx));
	sx.stx_mask = STATX_BASIC_STATS;
	sx.stx_blksize = (uint32_t)st.st_blksize;
	sx.stx_nlink = (uint32_t)st.st_nlink;
	sx.stx_uid = st.st_uid;
	sx.stx_gid = st.st_gid;
	sx.stx_mode = (uint16_t)st.st_mode;
	sx.stx_ino = st.st_ino;
	sx.stx_size = (uint64_t)st.st_size;
	sx.stx_blocks = (uint64_t)st.st_blocks;
	statx_ts(&sx.stx_atime, &st.st_atim);
	statx_ts(&sx.stx_mtime, &st.st_mtim);
	statx_ts(&sx.stx_ctime, &st.st_ctim);
	sx.stx_rdev_major = major(st.st_rdev);
	sx.stx_rdev_minor = minor(st.st_rdev);
	sx.stx_dev_major = major(st.st_dev);
	sx.stx_dev_minor = minor(st.st_dev);
	return copyout(&sx, SCARG(uap, sb), sizeof(sx));
}

static void
vfs_statfs(struct statfs *sf)
{
	uint64_t limit, used;

	memset(sf, 0, sizeof(*sf));
	sf->f_type = MEMFS_MAGIC;
	sf->f_bsize = VFS_PAGESIZE;
	sf->f_frsize = VFS_PAGESIZE;
	sf->f_namelen = NAME_MAX;
	sf->f_flags = MEMFS_ST_VALID | ST_RELATIME;
	sf->f_fsid.__val[1] = 0x2a;
	limit = kmem_limit();
	if (limit != 0) {
		used = kmem_inuse();
		sf->f_blocks = limit / VFS_PAGESIZE;
		sf->f_bfree = sf->f_bavail = used < limit ?
		    (limit - used) / VFS_PAGESIZE : 0;
		sf->f_files = limit / sizeof(struct vnode);
		sf->f_ffree = used < limit ?
		    (limit - used) / sizeof(struct vnode) : 0;
	}
}

int
sys_statfs(struct lwp *l, const struct sys_statfs_args *uap,
    register_t *retval)
{
	struct statfs sf;
	struct vnode *vp;
	int error;

	error = vfs_lookup_at(l->l_proc, AT_FDCWD, SCARG(uap, path), 0, &vp);
	if (error != 0)
		return error;
	vrele(vp);
	vfs_statfs(&sf);
	return copyout(&sf, SCARG(uap, buf), sizeof(sf));
}

int
sys_fstatfs(struct lwp *l, const struct sys_fstatfs_args *uap,
    register_t *retval)
{
	struct statfs sf;
	struct file *fp;
	int error;

	error = fd_getfile(l->l_proc, SCARG(uap, fd), &fp);
	if (error != 0)
		return error;
	fd_putfile(fp);
	vfs_statfs(&sf);
	return copyout(&sf, SCARG(uap, buf), sizeof(sf));
}

/* the caller is not root: writing or truncating clears set-id bits */
void
vn_killpriv(struct vnode *vp, const struct cred *cred)
{

	if (cred_isroot(cred) || vp->v_type != VREG)
		return;
	vp->v_mode &= ~S_ISUID;
	if ((vp->v_mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP))
		vp->v_mode &= ~S_ISGID;
}

static bool
vn_isowner(const struct vnode *vp, const struct cred *cred)
{

	return cred_isroot(cred) || cred->cr_euid == vp->v_uid;
}

static int
vn_chmod(struct vnode *vp, mode_t mode, const struct cred *cred)
{

	if (!vn_isowner(vp, cred))
		return EPERM;
	mode &= 07777;
	if (!cred_isroot(cred) && !cred_groupmember(cred, vp->v_gid))
		mode &= ~S_ISGID;
	if ((vp->v_flag & VHOST) != 0)
		return etfs_chmod(vp, mode);
	vp->v_mode = mode;
	vn_touch(vp, VT_CTIME);
	return 0;
}

static int
do_chmod(struct proc *p, int dirfd, const char *upath, mode_t mode,
    int flags)
{
	struct vnode *vp;
	int error;

	if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) != 0)
		return EINVAL;
	error = vfs_lookup_at(p, dirfd, upath, flags, &vp);
	if (error != 0)
		return error;
	error = (vp->v_type == VLNK) ? EOPNOTSUPP :
	    vn_chmod(vp, mode, &p->p_cred);
	vrele(vp);
	return error;
}

int
sys_chmod(struct lwp *l, const struct sys_chmod_args *uap,
    register_t *retval)
{

	return do_chmod(l->l_proc, AT_FDCWD, SCARG(uap, path),
	    SCARG(uap, mode), 0);
}

int
sys_fchmodat(struct lwp *l, const struct sys_fchmodat_args *uap,
    register_t *retval)
{

	return do_chmod(l->l_proc, SCARG(uap, dirfd), SCARG(uap, path),
	    SCARG(uap, mode), SCARG(uap, flags));
}

int
sys_fchmod(struct lwp *l, const struct sys_fchmod_args *uap,
    register_t *retval)
{
	struct proc *p = l->l_proc;
	struct vnode *vp;
	int error;

	error = vfs_getvnode(p, SCARG(uap, fd), false, &vp);
	if (error != 0)
		return error;
	error = vn_chmod(vp, SCARG(uap, mode), &p->p_cred);
	vrele(vp);
	return error;
}

/* Linux's chown_ok and chgrp_ok, then the set-id bits chown clears */
static int
vn_chown(struct vnode *vp, uid_t uid, gid_t gid, const struct cred *cred)
{
	bool root = cred_isroot(cred);

	if (uid != (uid_t)-1 && !root &&
	    (cred->cr_euid != vp->v_uid || uid != vp->v_uid))
		return EPERM;
	if (gid != (gid_t)-1 && !root && (cred->cr_euid != vp->v_uid ||
	    (gid != vp->v_gid && !cred_groupmember(cred, gid))))
		return EPERM;
	if ((vp->v_flag & VHOST) != 0)
		return etfs_chown(vp, uid, gid);
	if (vp->v_type != VDIR) {
		vp->v_mode &= ~S_ISUID;
		if ((vp->v_mode & S_ISGID) != 0 &&
		    ((vp->v_mode & S_IXGRP) != 0 ||
		    (!root && !cred_groupmember(cred, vp->v_gid))))
			vp->v_mode &= ~S_ISGID;
	}
	if (uid != (uid_t)-1)
		vp->v_uid = uid;
	if (gid != (gid_t)-1)
		vp->v_gid = gid;
	vn_touch(vp, VT_CTIME);
	return 0;
}

static int
do_chown(struct proc *p, int dirfd, const char *upath, uid_t uid, gid_t gid,
    int flags)
{
	struct vnode *vp;
	int error;

	if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) != 0)
		return EINVAL;
	error = vfs_lookup_at(p, dirfd, upath, flags, &vp);
	if (error != 0)
		return error;
	error = vn_chown(vp, uid, gid, &p->p_cred);
	vrele(vp);
	return error;
}

int
sys_chown(struct lwp *l, const struct sys_chown_args *uap,
    register_t *retval)
{

	return do_chown(l->l_proc, AT_FDCWD, SCARG(uap, path), SCARG(uap, uid),
	    SCARG(uap, gid), 0);
}

int
sys_lchown(struct lwp *l, const struct sys_lchown_args *uap,
    register_t *retval)
{

	return do_chown(l->l_proc, AT_FDCWD, SCARG(uap, path), SCARG(uap, uid),
	    SCARG(uap, gid), AT_SYMLINK_NOFOLLOW);
}

int
sys_fchownat(struct lwp *l, const struct sys_fchownat_args *uap,
    register_t *retval)
{

	return do_chown(l->l_proc, SCARG(uap, dirfd), SCARG(uap, path),
	    SCARG(uap, uid), SCARG(uap, gid), SCARG(uap, flags));
}

int
sys_fchown(struct lwp *l, const struct sys_fchown_args *uap,
    register_t *retval)
{
	struct proc *p = l->l_proc;
	struct vnode *vp;
	int error;

	error = vfs_getvnode(p, SCARG(uap, fd), false, &vp);
	if (error != 0)
		return error;
	error = vn_chown(vp, SCARG(uap, uid), SCARG(uap, gid), &p->p_cred);
	vrele(vp);
	return error;
}

/*
 * Set vp's times: ts NULL means both now; otherwise each is a time,
 * UTIME_NOW or UTIME_OMIT (the caller validated them).
 */
static int
vn_utimens(struct vnode *vp, const struct timespec *ts,
    const struct cred *cred)
{
	struct timespec now, t[2];
	bool explicit;
	int error, i;

	explicit = ts != NULL && (ts[0].tv_nsec != MEMFS_UTIME_NOW ||
	    ts[1].tv_nsec != MEMFS_UTIME_NOW);
	if (explicit && !vn_isowner(vp, cred))
		return EPERM;
	if (!explicit && !vn_isowner(vp, cred) &&
	    (error = vn_access(vp, cred, VWRITE)) != 0)
		return error;
	if ((vp->v_flag & VHOST) != 0)
		etfs_refresh(vp);	/* UTIME_OMIT keeps the host's time */
	vn_touch(vp, VT_CTIME);
	now = vp->v_ctime;
	t[0] = vp->v_atime;
	t[1] = vp->v_mtime;
	for (i = 0; i < 2; i++) {
		if (ts == NULL || ts[i].tv_nsec == MEMFS_UTIME_NOW)
			t[i] = now;
		else if (ts[i].tv_nsec != MEMFS_UTIME_OMIT)
			t[i] = ts[i];
	}
	if ((vp->v_flag & VHOST) != 0)
		return etfs_utimens(vp, t);
	vp->v_atime = t[0];
	vp->v_mtime = t[1];
	return 0;
}

/* copy the times in; *tsp NULL means now; *skip: both UTIME_OMIT */
static int
utimens_copyin(const struct timespec *uts, struct timespec *ts,
    struct timespec **tsp, bool *skip)
{
	int error, i;

	*tsp = NULL;
	*skip = false;
	if (uts == NULL)
		return 0;
	if ((error = copyin(uts, ts, 2 * sizeof(*ts))) != 0)
		return error;
	if (ts[0].tv_nsec == MEMFS_UTIME_OMIT &&
	    ts[1].tv_nsec == MEMFS_UTIME_OMIT) {
		*skip = true;
		return 0;
	}
	for (i = 0; i < 2; i++)
		if ((ts[i].tv_nsec < 0 || ts[i].tv_nsec >= 1000000000L) &&
		    ts[i].tv_nsec != MEMFS_UTIME_NOW &&
		    ts[i].tv_nsec != MEMFS_UTIME_OMIT)
			return EINVAL;
	*tsp = ts;
	return 0;
}

static int
do_utimens(struct proc *p, int dirfd, const char *upath,
    const struct timespec *uts, int flags, bool isfd)
{
	struct timespec ts[2], *tsp;
	struct vnode *vp;
	bool skip;
	int error;

	if ((error = utimens_copyin(uts, ts, &tsp, &skip)) != 0 || skip)
		return error;
	if (isfd || (upath == NULL && dirfd != AT_FDCWD)) {
		if (flags != 0)
			return EINVAL;
		error = vfs_getvnode(p, dirfd, false, &vp);
	} else {
		if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) != 0)
			return EINVAL;
		error = vfs_lookup_at(p, dirfd, upath, flags, &vp);
	}
	if (error != 0)
		return error;
	error = vn_utimens(vp, tsp, &p->p_cred);
	vrele(vp);
	return error;
}

int
sys_utimensat(struct lwp *l, const struct sys_utimensat_args *uap,
    register_t *retval)
{

	return do_utimens(l->l_proc, SCARG(uap, dirfd), SCARG(uap, path),
	    SCARG(uap, times), SCARG(uap, flags), false);
}

int
sys_futimens(struct lwp *l, const struct sys_futimens_args *uap,
    register_t *retval)
{

	return do_utimens(l->l_proc, SCARG(uap, fd), NULL, SCARG(uap, times),
	    0, true);
}

int
sys_umask(struct lwp *l, const struct sys_umask_args *uap,
    register_t *retval)
{
	struct proc *p = l->l_proc;

	retval[0] = p->p_umask;
	p->p_umask = SCARG(uap, mask) & 0777;
	return 0;
}

/* access and faccessat: the real ids unless AT_EACCESS */
static int
do_access(struct proc *p, int dirfd, const char *upath, int mode, int flags)
{
	struct cred cred;
	struct vnode *vp;
	int error, vacc;

	if ((mode & ~(R_OK | W_OK | X_OK)) != 0 ||
	    (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) != 0)
		return EINVAL;
	cred = p->p_cred;
	if ((flags & AT_EACCESS) == 0) {
		cred.cr_euid = cred.cr_uid;
		cred.cr_egid = cred.cr_gid;
	}
	error = vfs_lookup_atcred(p, &cred, dirfd, upath, flags & ~AT_EACCESS,
	    &vp);
	if (error != 0)
		return error;
	vacc = ((mode & R_OK) ? VREAD : 0) | ((mode & W_OK) ? VWRITE : 0) |
	    ((mode & X_OK) ? VEXEC : 0);
	error = vacc != 0 ? vn_access(vp, &cred, vacc) : 0;
	vrele(vp);
	return error;
}

int
sys_access(struct lwp *l, const struct sys_access_args *uap,
    register_t *retval)
{

	return do_access(l->l_proc, AT_FDCWD, SCARG(uap, path),
	    SCARG(uap, mode), 0);
}

int
sys_faccessat(struct lwp *l, const struct sys_faccessat_args *uap,
    register_t *retval)
{

	return do_access(l->l_proc, SCARG(uap, dirfd), SCARG(uap, path),
	    SCARG(uap, mode), SCARG(uap, flags));
}

/* set a regular file's size; mtime and ctime change with it */
static int
vn_truncate(struct vnode *vp, off_t len, const struct cred *cred)
{
	int error;

	if (len == vp->v_size && (vp->v_flag & VHOST) == 0)
		return 0;
	if ((error = memfs_truncate(vp, len)) != 0)
		return error;
	vn_killpriv(vp, cred);
	vn_touch(vp, VT_MTIME | VT_CTIME);
	return 0;
}

int
sys_truncate(struct lwp *l, const struct sys_truncate_args *uap,
    register_t *retval)
{
	struct proc *p = l->l_proc;
	struct vnode *vp;
	int error;

	if (SCARG(uap, length) < 0)
		return EINVAL;
	error = vfs_lookup_at(p, AT_FDCWD, SCARG(uap, path), 0, &vp);
	if (error != 0)
		return error;
	if (vp->v_type == VDIR)
		error = EISDIR;
	else if (vp->v_type != VREG)
		error = EINVAL;
	else if ((error = vn_access(vp, &p->p_cred, VWRITE)) == 0)
		error = vn_truncate(vp, SCARG(uap, length), &p->p_cred);
	vrele(vp);
	return error;
}

int
sys_ftruncate(struct lwp *l, const struct sys_ftruncate_args *uap,
    register_t *retval)
{
	struct proc *p = l->l_proc;
	struct file *fp;
	struct vnode *vp;
	int error;

	if (SCARG(uap, length) < 0)
		return EINVAL;
	error = fd_getfile(p, SCARG(uap, fd), &fp);
	if (error != 0)
		return error;
	vp = fp->f_data;
	if (fp->f_type == DTYPE_VNODE && (fp->f_flag & O_PATH) != 0)
		error = EBADF;
	else if (fp->f_type != DTYPE_VNODE || vp->v_type != VREG ||
	    (fp->f_flag & FWRITE) == 0)
		error = EINVAL;
	else
		error = vn_truncate(vp, SCARG(uap, length), &p->p_cred);
	fd_putfile(fp);
	return error;
}

/*
 * fsync and fdatasync: memfs keeps nothing to write back; a host file
 * (etfs) is synced on the host.  Files that cannot be synced (pipes,
 * devices) give EINVAL, as on Linux.
 */
static int
do_fsync(struct proc *p, int fd)
{
	struct file *fp;
	struct vnode *vp;
	int error;

	error = fd_getfile(p, fd, &fp);
	if (error != 0)
		return error;
	vp = fp->f_data;
	if (fp->f_type == DTYPE_VNODE && (fp->f_flag & O_PATH) != 0)
		error = EBADF;
	else if (fp->f_type != DTYPE_VNODE ||
	    (vp->v_type != VREG && vp->v_type != VDIR &&
	    (vp->v_flag & VHOST) == 0))
		error = EINVAL;
	else if ((vp->v_flag & VHOST) != 0)
		error = etfs_fsync(vp);
	fd_putfile(fp);
	return error;
}

int
sys_fsync(struct lwp *l, const struct sys_fsync_args *uap,
    register_t *retval)
{

	return do_fsync(l->l_proc, SCARG(uap, fd));
}

int
sys_fdatasync(struct lwp *l, const struct sys_fdatasync_args *uap,
    register_t *retval)
{

	return do_fsync(l->l_proc, SCARG(uap, fd));
}
