/*
 * vfs_vnode.c -- vnodes: allocation, reference counting, permission
 * checks, timestamps and attributes, and the VFS's boot (vfs_init).
 *
 * A vnode is freed by the vrele that drops its last reference; the
 * directory entry naming it holds one, so only a vnode with no name
 * left can reach zero (see vfs.h).  Inode numbers come from a 64-bit
 * counter and are never reused while the kernel runs.
 *
 * Timestamps follow Linux: the wall clock from the host, and atime
 * updated with "relatime" rules (only when it is older than mtime or
 * ctime, or a day old), which is Linux's default for a mount.
 */
#include <sys/sysmacros.h>

#include "vfs.h"

struct vnode *rootvnode;
const unsigned char vfs_zeropage[VFS_PAGESIZE];

static uint64_t vfs_nextino = 1;

/* memfs's st_dev: an anonymous device number, as for tmpfs */
#define MEMFS_DEV	makedev(0, 0x2a)
#define ETFS_DEV	makedev(0, 0x2b)	/* host files, etfs.c */

static void
vfs_now(struct timespec *ts)
{
	int64_t sec;
	long nsec;

	if (rumpuser_clock_gettime(RUMPUSER_CLOCK_RELWALL, &sec, &nsec) != 0) {
		sec = 0;
		nsec = 0;
	}
	ts->tv_sec = (time_t)sec;
	ts->tv_nsec = nsec;
}

/*
 * A new vnode with one reference for the caller, owned by the
 * credentials' effective ids, all times now.  NULL if memory is short.
 */
struct vnode *
vn_alloc(enum vtype type, mode_t mode, const struct cred *cred)
{
	struct vnode *vp;

	vp = kmem_zalloc(sizeof(*vp));
	if (vp == NULL)
		return NULL;
	vp->v_type = type;
	vp->v_usecount = 1;
	vp->v_ino = vfs_nextino++;
	vp->v_mode = mode & 07777;
	vp->v_nlink = (type == VDIR) ? 2 : 1;
	vp->v_uid = cred->cr_euid;
	vp->v_gid = cred->cr_egid;
	vfs_now(&vp->v_atime);
	vp->v_mtime = vp->v_ctime = vp->v_atime;
	return vp;
}

/* the same file?  Host files may have several vnodes (etfs.c) */
bool
vn_same(const struct vnode *a, const struct vnode *b)
{

	if (a == b)
		return true;
	return (a->v_flag & VHOST) != 0 && (b->v_flag & VHOST) != 0 &&
	    etfs_same(a, b);
}

void
vref(struct vnode *vp)
{

	KASSERT(vp->v_usecount > 0);
	vp->v_usecount++;
}

/*
 * Drop a reference; the last one frees the vnode.  Freeing a directory
 * drops the reference it held on its parent, which may free that one
 * too: loop rather than recurse, as a chain of removed directories
 * kept alive by a current directory deep inside can be long.
 */
void
vrele(struct vnode *vp)
{

	while (vp != NULL) {
		KASSERT(vp->v_usecount > 0);
		if (--vp->v_usecount > 0)
			return;
		KASSERT((vp->v_flag & VROOT) == 0);
		vp = memfs_reclaim(vp);
	}
}

/*
 * May cred access vp for vaccess (VREAD|VWRITE|VEXEC)?  EACCES if not.
 * As on Linux, the superuser may read and write anything and search
 * any directory, but executes a file only if some x bit is set.
 */
int
vn_access(const struct vnode *vp, const struct cred *cred, int vaccess)
{
	mode_t bits;

	if (cred_isroot(cred)) {
		if ((vaccess & VEXEC) != 0 && vp->v_type != VDIR &&
		    (vp->v_mode & 0111) == 0)
			return EACCES;
		return 0;
	}
	if (cred->cr_euid == vp->v_uid)
		bits = (vp->v_mode >> 6) & 07;
	else if (cred_groupmember(cred, vp->v_gid))
		bits = (vp->v_mode >> 3) & 07;
	else
		bits = vp->v_mode & 07;
	return ((vaccess & ~bits) != 0) ? EACCES : 0;
}

void
vn_touch(struct vnode *vp, int which)
{
	struct timespec now;

	vfs_now(&now);
	if (which & VT_ATIME)
		vp->v_atime = now;
	if (which & VT_MTIME)
		vp->v_mtime = now;
	if (which & VT_CTIME)
		vp->v_ctime = now;
}

static bool
ts_le(const struct timespec *a, const struct timespec *b)
{

	if (a->tv_sec != b->tv_sec)
		return a->tv_sec < b->tv_sec;
	return a->tv_nsec <= b->tv_nsec;
}

/* the file was read: update atime as Linux's relatime does */
void
vn_accessed(struct vnode *vp)
{
	struct timespec now;

	vfs_now(&now);
	if (ts_le(&vp->v_atime, &vp->v_mtime) ||
	    ts_le(&vp->v_atime, &vp->v_ctime) ||
	    now.tv_sec - vp->v_atime.tv_sec >= 24 * 60 * 60)
		vp->v_atime = now;
}

static mode_t
vn_typebits(enum vtype type)
{

	switch (type) {
	case VDIR:
		return S_IFDIR;
	case VCHR:
		return S_IFCHR;
	case VBLK:
		return S_IFBLK;
	case VLNK:
		return S_IFLNK;
	case VSOCK:
		return S_IFSOCK;
	default:
		return S_IFREG;
	}
}

void
vn_stat(struct vnode *vp, struct stat *st)
{

	if ((vp->v_flag & VHOST) != 0)
		etfs_refresh(vp);
	memset(st, 0, sizeof(*st));
	st->st_dev = (vp->v_flag & VHOST) != 0 ? ETFS_DEV : MEMFS_DEV;
	st->st_ino = vp->v_ino;
	st->st_mode = vn_typebits(vp->v_type) | vp->v_mode;
	st->st_nlink = vp->v_nlink;
	st->st_uid = vp->v_uid;
	st->st_gid = vp->v_gid;
	st->st_rdev = vp->v_rdev;
	st->st_blksize = VFS_PAGESIZE;
	switch (vp->v_type) {
	case VREG:
		st->st_size = vp->v_size;
		if ((vp->v_flag & VHOST) == 0)
			st->st_blocks = (blkcnt_t)vp->v_reg.npages *
			    (VFS_PAGESIZE / 512);
		break;
	case VLNK:
	case VBLK:
		st->st_size = vp->v_size;
		break;
	case VDIR:
		st->st_size = (vp->v_flag & VHOST) != 0 ? vp->v_size :
		    (off_t)(vp->v_dir.nentries + 2) * VFS_DIRENTSIZE;
		break;
	default:
		break;
	}
	st->st_atim = vp->v_atime;
	st->st_mtim = vp->v_mtime;
	st->st_ctim = vp->v_ctime;
}

/* a directory owned by root, made at boot */
static int
vfs_mkbootdir(struct vnode *dvp, const char *name, mode_t mode,
    struct vnode **vpp)
{
	static const struct cred rootcred;

	return memfs_create(dvp, name, strlen(name), VDIR, mode, &rootcred,
	    0, vpp);
}

/*
 * Make the root directory, /dev with its devices and /tmp.  Called
 * once by rump_init() after proc_init(); rump_init() then gives pid 1
 * the root as its current directory, which later processes inherit.
 * ENOMEM when the memory limit is too small for them.
 */
int
vfs_init(void)
{
	struct vnode *dev, *tmp;
	int error;

	if ((rootvnode = memfs_mountroot()) == NULL)
		return ENOMEM;
	if ((error = vfs_mkbootdir(rootvnode, "dev", 0755, &dev)) != 0)
		return ENOMEM;
	error = dev_init(dev);
	vrele(dev);
	if (error != 0)
		return ENOMEM;
	if ((error = vfs_mkbootdir(rootvnode, "tmp", 01777, &tmp)) != 0)
		return ENOMEM;
	vrele(tmp);
	return 0;
}
