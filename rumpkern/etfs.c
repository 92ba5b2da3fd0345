/*
 * etfs.c -- host files in the kernel's name space (NetBSD's etfs,
 * rump_etfs(3)): rump_pub_etfs_register() puts a host file, device
 * image or directory at a path of memfs, and the kernel reaches it
 * only through the rumpuser_file_* hypercalls.
 *
 * A registered key is a name in a memfs directory (unlike NetBSD's,
 * it shows in listings) for a vnode marked VHOST whose v_host says
 * which host file it is.  memfs hands every operation on a VHOST
 * vnode to the functions here.  Inside a mapped directory each lookup
 * makes a fresh VHOST vnode for the host file it finds, freed with its
 * last reference (no name holds one; the host keeps the names), so
 * the host stays the one authority on what a directory contains: files
 * made or removed on the host side show at once.  RUMP_ETFS_DIR shows
 * a directory's files (and symbolic links); RUMP_ETFS_DIR_SUBDIRS its
 * whole tree.  Host devices, FIFOs and sockets stay invisible, and
 * symbolic links resolve in the kernel's name space, never the host's.
 *
 * Symbolic and hard links made inside a mapping are made on the host.
 * Attributes come from the host (refreshed on every stat and on the
 * reads and writes that need the size), owner and group included, and
 * chmod, chown and utimensat are the host's to allow and carry out.
 * st_dev is etfs's own, st_ino the host's inode, so that stat and
 * getdents64 agree.  As every lookup makes a new vnode, two vnodes
 * stand for the same host file when their device and inode agree
 * (etfs_same, vn_same): rename compares files that way.
 *
 * Locking: host I/O runs under the kernel lock.  That serialises the
 * kernel behind a slow host disk, but a host file cannot change under
 * a vnode operation half done; data crosses to the user through a
 * private bounce buffer, as in memfs.
 */
#include <sys/sysmacros.h>

#include <dirent.h>

#include "vfs.h"

#define ETFS_DEV	makedev(0, 0x2b)	/* st_dev of host files */

struct etfs_node {
	char			*en_path;	/* absolute host path */
	int			 en_fd;		/* host descriptor, -1: none */
	bool			 en_rdonly;	/* the host gave read only */
	bool			 en_subdirs;	/* VDIR: subdirectories too */
	bool			 en_key;	/* a registered key */
	uint64_t		 en_begin;	/* the window on the file */
	uint64_t		 en_size;	/* RUMP_ETFS_SIZE_ENDOFF: all */
	uint64_t		 en_dev;	/* the host's device and */
	uint64_t		 en_ino;	/* inode: which file it is */
	struct memfs_dirent	*en_self;	/* a subdirectory's name */
	size_t			 en_tlen;	/* VLNK: target length */
};

static const struct cred rootcred;

static void
etfs_nodefree(struct etfs_node *en)
{

	if (en->en_fd >= 0)
		(void)rumpuser_file_close(en->en_fd);
	kmem_strfree(en->en_path);
	if (en->en_self != NULL)
		kmem_free(en->en_self, sizeof(*en->en_self) +
		    en->en_self->md_namelen + 1);
	kmem_free(en, sizeof(*en));
}

/* a node for host path (taken over) and descriptor fd (closed on error) */
static struct etfs_node *
etfs_nodealloc(char *path, int fd)
{
	struct etfs_node *en;

	if ((en = kmem_zalloc(sizeof(*en))) == NULL) {
		kmem_strfree(path);
		if (fd >= 0)
			(void)rumpuser_file_close(fd);
		return NULL;
	}
	en->en_path = path;
	en->en_fd = fd;
	en->en_size = RUMP_ETFS_SIZE_ENDOFF;
	return en;
}

static void
etfs_setattrs(struct vnode *vp, const struct rumpuser_fattr *fa)
{
	struct etfs_node *en = vp->v_host;
	uint64_t size;

	vp->v_mode = fa->fa_mode & 07777;
	vp->v_nlink = (nlink_t)fa->fa_nlink;
	vp->v_uid = (uid_t)fa->fa_uid;
	vp->v_gid = (gid_t)fa->fa_gid;
	vp->v_ino = fa->fa_ino;
	en->en_dev = fa->fa_dev;
	en->en_ino = fa->fa_ino;
	vp->v_atime.tv_sec = (time_t)fa->fa_atime;
	vp->v_atime.tv_nsec = fa->fa_atimensec;
	vp->v_mtime.tv_sec = (time_t)fa->fa_mtime;
	vp->v_mtime.tv_nsec = fa->fa_mtimensec;
	vp->v_ctime.tv_sec = (time_t)fa->fa_ctime;
	vp->v_ctime.tv_nsec = fa->fa_ctimensec;
	size = fa->fa_size > en->en_begin ? fa->fa_size - en->en_begin : 0;
	if (en->en_size != RUMP_ETFS_SIZE_ENDOFF && size > en->en_size)
		size = en->en_size;
	vp->v_size = (off_t)size;
}

/* size, mode, links and times from the host; a directory gone there */
void
etfs_refresh(struct vnode *vp)
{
	struct etfs_node *en = vp->v_host;
	struct rumpuser_fattr fa;

	if (rumpuser_file_stat(en->en_fd >= 0 ? NULL : en->en_path, en->en_fd,
	    &fa) != 0)
		return;
	etfs_setattrs(vp, &fa);
	/* removed on the host (or by us): as a removed memfs directory */
	if (vp->v_type == VDIR && fa.fa_nlink == 0)
		vp->v_flag |= VREMOVED;
}

/* a VHOST vnode of type for node en, or NULL (en is freed) */
static struct vnode *
etfs_vnode(enum vtype type, struct etfs_node *en,
    const struct rumpuser_fattr *fa)
{
	struct vnode *vp;

	if ((vp = vn_alloc(type, fa->fa_mode, &rootcred)) == NULL) {
		etfs_nodefree(en);
		return NULL;
	}
	vp->v_flag |= VHOST;
	vp->v_host = en;
	etfs_setattrs(vp, fa);
	return vp;
}

/* the host path of name in directory dvp, allocated */
static int
etfs_path(struct vnode *dvp, const char *name, size_t len, char **pathp)
{
	const char *dir = dvp->v_host->en_path;
	size_t dlen = strlen(dir);
	char *p;

	if (dlen + 1 + len + 1 > PATH_MAX)
		return ENAMETOOLONG;
	if ((p = kmem_alloc(dlen + 1 + len + 1)) == NULL)
		return ENOMEM;
	memcpy(p, dir, dlen);
	p[dlen] = '/';
	memcpy(p + dlen + 1, name, len);
	p[dlen + 1 + len] = '\0';
	*pathp = p;
	return 0;
}

/* the descriptor attribute calls go through, or -1 for the path */
static int
etfs_attrfd(struct vnode *vp)
{

	return vp->v_type == VDIR ? -1 : vp->v_host->en_fd;
}

/* open a host file read-write if the host lets us, else read only */
static int
etfs_openfile(const char *path, int *fdp, bool *rdonlyp)
{
	int error;

	*rdonlyp = false;
	error = rumpuser_file_open(path, RUMPUSER_OPEN_RDWR, 0, fdp);
	if (error == EACCES || error == EROFS || error == ETXTBSY) {
		*rdonlyp = true;
		error = rumpuser_file_open(path, RUMPUSER_OPEN_RDONLY, 0, fdp);
	}
	return error;
}

/* a subdirectory dvp contains: its parent and name for ".." and getcwd */
static int
etfs_setdir(struct vnode *vp, struct vnode *dvp, const char *name,
    size_t len)
{
	struct memfs_dirent *de;

	if ((de = kmem_zalloc(sizeof(*de) + len + 1)) == NULL)
		return ENOMEM;
	memcpy(de->md_name, name, len);
	de->md_namelen = len;
	de->md_vp = vp;
	vp->v_host->en_self = de;
	vp->v_host->en_subdirs = true;
	RB_INIT(&vp->v_dir.names);
	RB_INIT(&vp->v_dir.cookies);
	vp->v_dir.self = de;
	vref(dvp);
	vp->v_dir.parent = dvp;
	return 0;
}

/*
 * A symbolic link's target, read from the host when first wanted (a
 * readlink on the host sets the link's atime, which lstat must not)
 * and kept in the vnode as memfs keeps its own.
 */
int
etfs_linktarget(struct vnode *vp)
{
	struct etfs_node *en = vp->v_host;
	char buf[PATH_MAX];
	size_t len;
	int error;

	if (vp->v_lnk.target != NULL)
		return 0;
	error = rumpuser_file_readlink(en->en_path, buf, sizeof(buf), &len);
	if (error != 0)
		return error;
	if (len >= sizeof(buf))
		return ENAMETOOLONG;
	if ((vp->v_lnk.target = kmem_alloc(len + 1)) == NULL)
		return ENOMEM;
	memcpy(vp->v_lnk.target, buf, len);
	vp->v_lnk.target[len] = '\0';
	vp->v_size = (off_t)len;
	en->en_tlen = len;
	return 0;
}

/* a vnode for host file path (taken over), named name in dvp */
static int
etfs_get(struct vnode *dvp, char *path, const char *name, size_t len,
    struct vnode **vpp)
{
	struct rumpuser_fattr fa;
	struct etfs_node *en;
	struct vnode *vp;
	enum vtype type;
	bool rdonly = false;
	int error, fd = -1;

	error = rumpuser_file_stat(path, -1, &fa);
	if (error == 0) {
		switch (fa.fa_type) {
		case RUMPUSER_FT_REG:
			type = VREG;
			error = etfs_openfile(path, &fd, &rdonly);
			break;
		case RUMPUSER_FT_DIR:
			type = VDIR;
			error = dvp->v_host->en_subdirs ? rumpuser_file_open(
			    path, RUMPUSER_OPEN_DIR, 0, &fd) : ENOENT;
			break;
		case RUMPUSER_FT_LNK:
			type = VLNK;
			break;
		default:
			error = ENOENT;
			break;
		}
	}
	if (error != 0) {
		kmem_strfree(path);
		return error;
	}
	if ((en = etfs_nodealloc(path, fd)) == NULL)
		return ENOMEM;
	en->en_rdonly = rdonly;
	if ((vp = etfs_vnode(type, en, &fa)) == NULL)
		return ENOMEM;
	if (type == VDIR)
		error = etfs_setdir(vp, dvp, name, len);
	if (error != 0) {
		vrele(vp);
		return error;
	}
	*vpp = vp;
	return 0;
}

int
etfs_lookup(struct vnode *dvp, const char *name, size_t len,
    struct vnode **vpp)
{
	char *path;
	int error;

	if ((error = etfs_path(dvp, name, len, &path)) != 0)
		return error;
	return etfs_get(dvp, path, name, len, vpp);
}

/* a new regular file or (in a whole tree) directory on the host */
int
etfs_create(struct vnode *dvp, const char *name, size_t len,
    enum vtype type, mode_t mode, const struct cred *cred,
    struct vnode **vpp)
{
	char *path;
	int error, fd;

	if (type != VREG && (type != VDIR || !dvp->v_host->en_subdirs))
		return EPERM;
	if ((error = etfs_path(dvp, name, len, &path)) != 0)
		return error;
	if (type == VDIR)
		error = rumpuser_file_mkdir(path, (int)mode);
	else {
		error = rumpuser_file_open(path, RUMPUSER_OPEN_RDWR |
		    RUMPUSER_OPEN_CREATE, (int)mode, &fd);
		if (error == 0)
			(void)rumpuser_file_close(fd);
	}
	if (error != 0) {
		kmem_strfree(path);
		return error;
	}
	return etfs_get(dvp, path, name, len, vpp);
}

/* a symbolic link on the host, to a target the kernel will resolve */
int
etfs_symlink(struct vnode *dvp, const char *name, size_t len,
    const char *target, struct vnode **vpp)
{
	char *path;
	int error;

	if ((error = etfs_path(dvp, name, len, &path)) != 0)
		return error;
	if ((error = rumpuser_file_symlink(target, path)) != 0) {
		kmem_strfree(path);
		return error;
	}
	return etfs_get(dvp, path, name, len, vpp);
}

/* a hard link on the host; host and kernel memory do not mix (EXDEV) */
int
etfs_link(struct vnode *dvp, const char *name, size_t len, struct vnode *vp)
{
	char *path;
	int error;

	if ((dvp->v_flag & VHOST) == 0 || (vp->v_flag & VHOST) == 0 ||
	    etfs_iskey(vp))
		return EXDEV;
	if ((error = etfs_path(dvp, name, len, &path)) != 0)
		return error;
	error = rumpuser_file_link(vp->v_host->en_path, etfs_attrfd(vp),
	    path);
	kmem_strfree(path);
	return error;
}

int
etfs_remove(struct vnode *dvp, const char *name, size_t len)
{
	struct rumpuser_fattr fa;
	char *path;
	int error;

	if ((error = etfs_path(dvp, name, len, &path)) != 0)
		return error;
	error = rumpuser_file_stat(path, -1, &fa);
	if (error == 0)
		error = rumpuser_file_unlink(path,
		    fa.fa_type == RUMPUSER_FT_DIR);
	kmem_strfree(path);
	return error;
}

/* a rename inside the host's name space; memfs and host do not mix */
int
etfs_rename(struct vnode *fdvp, const char *fname, size_t flen,
    struct vnode *tdvp, const char *tname, size_t tlen, bool exchange)
{
	char *from, *to;
	int error;

	if ((fdvp->v_flag & VHOST) == 0 || (tdvp->v_flag & VHOST) == 0)
		return EXDEV;
	if ((error = etfs_path(fdvp, fname, flen, &from)) != 0)
		return error;
	if ((error = etfs_path(tdvp, tname, tlen, &to)) != 0) {
		kmem_strfree(from);
		return error;
	}
	error = rumpuser_file_rename(from, to, exchange);
	kmem_strfree(from);
	kmem_strfree(to);
	return error;
}

/* bytes of vp from off that a transfer of want may touch */
static size_t
etfs_window(struct vnode *vp, off_t off, size_t want)
{
	struct etfs_node *en = vp->v_host;

	if (en->en_size == RUMP_ETFS_SIZE_ENDOFF)
		return want;
	if ((uint64_t)off >= en->en_size)
		return 0;
	return (uint64_t)want < en->en_size - (uint64_t)off ? want :
	    (size_t)(en->en_size - (uint64_t)off);
}

/* a bounce buffer of at most VFS_BOUNCE bytes, or the small one */
static unsigned char *
etfs_bounce(size_t want, unsigned char *small, size_t smalllen,
    size_t *lenp)
{
	unsigned char *buf;

	*lenp = want < VFS_BOUNCE ? want : VFS_BOUNCE;
	if (*lenp > smalllen && (buf = kmem_alloc(*lenp)) != NULL)
		return buf;
	*lenp = *lenp < smalllen ? *lenp : smalllen;
	return small;
}

int
etfs_read(struct vnode *vp, struct uio *uio)
{
	struct etfs_node *en = vp->v_host;
	unsigned char small[512], *buf;
	size_t buflen, n, got;
	int error = 0;

	if (en->en_fd < 0)
		return EISDIR;
	etfs_refresh(vp);
	buf = etfs_bounce(uio->uio_resid, small, sizeof(small), &buflen);
	while (uio->uio_resid > 0 && uio->uio_offset < vp->v_size) {
		n = uio->uio_resid < buflen ? uio->uio_resid : buflen;
		if ((off_t)n > vp->v_size - uio->uio_offset)
			n = (size_t)(vp->v_size - uio->uio_offset);
		error = rumpuser_file_pread(en->en_fd, buf, n,
		    (int64_t)(en->en_begin + (uint64_t)uio->uio_offset), &got);
		if (error != 0 || got == 0)
			break;
		if ((error = copyout(buf, uio->uio_uaddr, got)) != 0)
			break;
		uio_advance(uio, got);
		if (got < n)
			break;
	}
	if (buf != small)
		kmem_free(buf, buflen);
	return error;
}

int
etfs_write(struct vnode *vp, struct uio *uio, bool append)
{
	struct etfs_node *en = vp->v_host;
	unsigned char small[512], *buf;
	size_t buflen, n, done;
	off_t off;
	int error = 0;

	if (en->en_fd < 0)
		return EISDIR;
	if (en->en_rdonly)
		return EROFS;
	buf = etfs_bounce(uio->uio_resid, small, sizeof(small), &buflen);
	while (uio->uio_resid > 0) {
		n = uio->uio_resid < buflen ? uio->uio_resid : buflen;
		if ((error = copyin(uio->uio_uaddr, buf, n)) != 0)
			break;
		if (append)
			etfs_refresh(vp);
		off = append ? vp->v_size : uio->uio_offset;
		if ((n = etfs_window(vp, off, n)) == 0) {
			error = ENOSPC;
			break;
		}
		error = rumpuser_file_pwrite(en->en_fd, buf, n,
		    (int64_t)(en->en_begin + (uint64_t)off), &done);
		if (error != 0)
			break;
		uio->uio_offset = off;
		uio_advance(uio, done);
		if (uio->uio_offset > vp->v_size)
			vp->v_size = uio->uio_offset;
		if (done < n)
			break;
	}
	if (buf != small)
		kmem_free(buf, buflen);
	return error;
}

int
etfs_truncate(struct vnode *vp, off_t len)
{
	struct etfs_node *en = vp->v_host;
	int error;

	if (en->en_begin != 0 || en->en_size != RUMP_ETFS_SIZE_ENDOFF)
		return EINVAL;
	if (en->en_rdonly)
		return EROFS;
	if ((error = rumpuser_file_truncate(en->en_fd, (int64_t)len)) != 0)
		return error;
	vp->v_size = len;
	return 0;
}

/*
 * A host directory's entries from host position *cookiep on: the
 * records the host gives, less what a mapping does not show, with "."
 * and ".." numbered as the kernel sees them.
 */
int
etfs_readdir(struct vnode *vp, off_t *cookiep, void *buf, size_t len,
    size_t *usedp)
{
	struct etfs_node *en = vp->v_host;
	struct linux_dirent64 *d;
	unsigned char *hbuf;
	int64_t pos = *cookiep;
	size_t hused, off;
	int error;

	if ((hbuf = kmem_alloc(len)) == NULL)
		return ENOMEM;
	*usedp = 0;
	do {
		error = rumpuser_file_getdents(en->en_fd, &pos, hbuf, len,
		    &hused);
		if (error != 0)
			break;
		for (off = 0; off < hused; off += d->d_reclen) {
			d = (struct linux_dirent64 *)(hbuf + off);
			if (strcmp(d->d_name, ".") == 0)
				d->d_ino = vp->v_ino;
			else if (strcmp(d->d_name, "..") == 0)
				d->d_ino = vp->v_dir.parent->v_ino;
			else if (d->d_type != DT_REG && d->d_type != DT_LNK &&
			    d->d_type != DT_UNKNOWN &&
			    (d->d_type != DT_DIR || !en->en_subdirs))
				continue;
			memcpy((unsigned char *)buf + *usedp, d, d->d_reclen);
			*usedp += d->d_reclen;
		}
	} while (error == 0 && hused > 0 && *usedp == 0);
	kmem_free(hbuf, len);
	if (error == 0)
		*cookiep = (off_t)pos;
	return error;
}

int
etfs_chmod(struct vnode *vp, mode_t mode)
{
	int error;

	error = rumpuser_file_chmod(vp->v_host->en_path, etfs_attrfd(vp),
	    (int)mode);
	etfs_refresh(vp);
	return error;
}

/* the host decides, and clears set-id bits as its kernel does */
int
etfs_chown(struct vnode *vp, uid_t uid, gid_t gid)
{
	int error;

	error = rumpuser_file_chown(vp->v_host->en_path, etfs_attrfd(vp),
	    (uint32_t)uid, (uint32_t)gid);
	etfs_refresh(vp);
	return error;
}

int
etfs_utimens(struct vnode *vp, const struct timespec *ts)
{
	int64_t sec[2];
	long nsec[2];
	int error, i;

	for (i = 0; i < 2; i++) {
		sec[i] = ts[i].tv_sec;
		nsec[i] = ts[i].tv_nsec;
	}
	error = rumpuser_file_utimens(vp->v_host->en_path, etfs_attrfd(vp),
	    sec, nsec);
	etfs_refresh(vp);
	return error;
}

/* do a and b, both host files, stand for the same one? */
bool
etfs_same(const struct vnode *a, const struct vnode *b)
{

	return a->v_host->en_dev == b->v_host->en_dev &&
	    a->v_host->en_ino == b->v_host->en_ino;
}

int
etfs_fsync(struct vnode *vp)
{
	struct etfs_node *en = vp->v_host;

	return en->en_fd >= 0 ? rumpuser_file_sync(en->en_fd) : 0;
}

/* is vp a registered key?  Those stay put like mount points (EBUSY) */
bool
etfs_iskey(const struct vnode *vp)
{

	return (vp->v_flag & VHOST) != 0 && vp->v_host->en_key;
}

/* the last reference is gone: close the host file */
void
etfs_reclaim(struct vnode *vp)
{
	struct etfs_node *en = vp->v_host;

	if (vp->v_type == VLNK && vp->v_lnk.target != NULL)
		kmem_free(vp->v_lnk.target, en->en_tlen + 1);
	etfs_nodefree(en);
	vp->v_host = NULL;
}

/* what a key of type ftype becomes, and checks of its host file */
static int
etfs_keytype(enum rump_etfs_type ftype, const struct rumpuser_fattr *fa,
    enum vtype *typep)
{

	switch (ftype) {
	case RUMP_ETFS_REG:
		*typep = VREG;
		break;
	case RUMP_ETFS_BLK:
		*typep = VBLK;
		break;
	case RUMP_ETFS_CHR:
		*typep = VCHR;
		break;
	case RUMP_ETFS_DIR:
	case RUMP_ETFS_DIR_SUBDIRS:
		*typep = VDIR;
		return fa->fa_type == RUMPUSER_FT_DIR ? 0 : ENOTDIR;
	default:
		return EINVAL;
	}
	return fa->fa_type == RUMPUSER_FT_DIR ? EISDIR : 0;
}

/* open the host side of a key: a node for it */
static int
etfs_keynode(const char *hostpath, enum rump_etfs_type ftype,
    uint64_t begin, uint64_t size, enum vtype *typep,
    struct rumpuser_fattr *fa, struct etfs_node **enp)
{
	char abspath[PATH_MAX], *path;
	struct etfs_node *en;
	bool rdonly = false;
	int error, fd;

	if ((error = rumpuser_file_realpath(hostpath, abspath,
	    sizeof(abspath))) != 0)
		return error;
	if ((error = rumpuser_file_stat(abspath, -1, fa)) != 0 ||
	    (error = etfs_keytype(ftype, fa, typep)) != 0)
		return error;
	if (*typep == VDIR && (begin != 0 || size != RUMP_ETFS_SIZE_ENDOFF))
		return EINVAL;
	if (*typep == VDIR)
		error = rumpuser_file_open(abspath, RUMPUSER_OPEN_DIR, 0, &fd);
	else
		error = etfs_openfile(abspath, &fd, &rdonly);
	if (error != 0)
		return error;
	if ((path = kmem_strdup(abspath)) == NULL) {
		(void)rumpuser_file_close(fd);
		return ENOMEM;
	}
	if ((en = etfs_nodealloc(path, fd)) == NULL)
		return ENOMEM;
	en->en_rdonly = rdonly;
	en->en_key = true;
	en->en_subdirs = ftype == RUMP_ETFS_DIR_SUBDIRS;
	en->en_begin = begin;
	en->en_size = size;
	*enp = en;
	return 0;
}

/* put node en at key, a new name in a memfs directory */
static int
etfs_enter(const char *key, enum vtype type, struct etfs_node *en,
    const struct rumpuser_fattr *fa)
{
	struct nameidata ni;
	struct vnode *vp;
	int error;

	error = namei(rootvnode, key, &rootcred, NI_NOFOLLOW, &ni);
	if (error != 0)
		return error;
	if (ni.ni_last != NI_NORM || ni.ni_vp != NULL)
		error = EEXIST;
	else if ((ni.ni_dvp->v_flag & VHOST) != 0)
		error = EINVAL;
	else if (ni.ni_slash && type != VDIR)
		error = ENOENT;
	else
		error = memfs_create(ni.ni_dvp, ni.ni_name, ni.ni_namelen,
		    type, fa->fa_mode, &rootcred, 0, &vp);
	if (error == 0) {
		vp->v_flag |= VHOST;
		vp->v_host = en;
		etfs_setattrs(vp, fa);
		vrele(vp);
	}
	namei_done(&ni);
	return error;
}

int
rump_pub_etfs_register_withsize(const char *key, const char *hostpath,
    enum rump_etfs_type ftype, uint64_t begin, uint64_t size)
{
	struct rumpuser_fattr fa;
	struct etfs_node *en;
	enum vtype type;
	int error;

	if (rootvnode == NULL)
		return ENXIO;		/* rump_init() has not run */
	if (key == NULL || hostpath == NULL || key[0] != '/')
		return EINVAL;
	if (strlen(key) >= PATH_MAX)
		return ENAMETOOLONG;
	rump_schedule();
	error = etfs_keynode(hostpath, ftype, begin, size, &type, &fa, &en);
	if (error == 0 && (error = etfs_enter(key, type, en, &fa)) != 0)
		etfs_nodefree(en);
	rump_unschedule();
	return error;
}

int
rump_pub_etfs_register(const char *key, const char *hostpath,
    enum rump_etfs_type ftype)
{

	return rump_pub_etfs_register_withsize(key, hostpath, ftype, 0,
	    RUMP_ETFS_SIZE_ENDOFF);
}

/*
 * Take key out of the name space.  Descriptors open on it go on
 * reading and writing the host file until they are closed.
 */
int
rump_pub_etfs_remove(const char *key)
{
	struct nameidata ni;
	int error;

	if (rootvnode == NULL)
		return ENXIO;
	if (key == NULL || key[0] != '/')
		return EINVAL;
	if (strlen(key) >= PATH_MAX)
		return ENAMETOOLONG;
	rump_schedule();
	error = namei(rootvnode, key, &rootcred, NI_NOFOLLOW, &ni);
	if (error == 0) {
		if (ni.ni_vp == NULL || !etfs_iskey(ni.ni_vp) ||
		    (ni.ni_dvp->v_flag & VHOST) != 0)
			error = ENOENT;
		else
			error = memfs_remove(ni.ni_dvp, ni.ni_name,
			    ni.ni_namelen);
		namei_done(&ni);
	}
	rump_unschedule();
	return error;
}
