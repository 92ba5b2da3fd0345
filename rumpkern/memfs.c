/*
 * memfs.c -- the in-memory file system: directories, regular files,
 * symbolic links, device nodes, hard links and rename.
 *
 * A vnode marked VHOST is a host file (etfs.c): the entry points here
 * hand it over at their top, so that callers need not know which kind
 * they hold.
 *
 * A directory keeps its entries in two red-black trees: by name for
 * lookup and by cookie for getdents64.  Cookies come from a per-
 * directory counter starting at 2 (0 is ".", 1 is ".."), are never
 * reused, and an entry's d_off is its cookie + 1, so a position stays
 * valid while entries come and go, and lseek(SEEK_SET) to any d_off
 * resumes the listing there.
 *
 * A regular file is a tree of 4 KiB pages indexed by page number;
 * absent pages are holes and read as zeros, as on tmpfs.  Invariant:
 * no page lies wholly past v_size and bytes past v_size in the last
 * page are zero, so growing a file never exposes old data.
 *
 * A symbolic link keeps its target, NUL terminated, in v_lnk.target
 * (v_size bytes); a hard link is one more entry holding a reference,
 * counted in v_nlink.  Rename moves or swaps entries; a directory that
 * changes parents takes a reference on the new one and drops the old.
 *
 * Memory: pages, vnodes and entries come from kmem and so count
 * against the kernel's memory limit; when kmem says no, the file
 * system is full and the operation fails with ENOSPC, as tmpfs does.
 * A write that stored some bytes before that reports what it stored.
 *
 * Locking (see kern.h): copyin and copyout may give up the kernel
 * lock.  A write copies each chunk into a private bounce buffer first
 * and only then, without giving up the lock again, stores it at the
 * file's current end (O_APPEND) or offset; a read finds the page again
 * for every chunk it copies out, because the file may have changed
 * meanwhile.  The caller holds a reference on the vnode throughout.
 */
#include <dirent.h>

#include "vfs.h"

static int
dirent_cmp(const struct memfs_dirent *a, const struct memfs_dirent *b)
{
	size_t n;
	int c;

	n = a->md_namelen < b->md_namelen ? a->md_namelen : b->md_namelen;
	c = memcmp(a->md_name, b->md_name, n);
	if (c != 0)
		return c;
	return (a->md_namelen > b->md_namelen) -
	    (a->md_namelen < b->md_namelen);
}

static int
cookie_cmp(const struct memfs_dirent *a, const struct memfs_dirent *b)
{

	return (a->md_cookie > b->md_cookie) - (a->md_cookie < b->md_cookie);
}

static int
page_cmp(const struct memfs_page *a, const struct memfs_page *b)
{

	return (a->mp_index > b->mp_index) - (a->mp_index < b->mp_index);
}

/* libbsd's RB_GENERATE_STATIC needs a __unused it does not define */
#define MEMFS_RB_GENERATE(name, type, field, cmp) \
	RB_GENERATE_INTERNAL(name, type, field, cmp, \
	    __attribute__((__unused__)) static)
MEMFS_RB_GENERATE(memfs_names, memfs_dirent, md_byname, dirent_cmp)
MEMFS_RB_GENERATE(memfs_cookies, memfs_dirent, md_bycookie, cookie_cmp)
MEMFS_RB_GENERATE(memfs_pages, memfs_page, mp_tree, page_cmp)

/*
 * Tree searches by key.  Written out rather than through RB_FIND so
 * that no key structure (a page is 4 KiB) has to be built.
 */
static struct memfs_dirent *
dir_find(struct vnode *dvp, const char *name, size_t len)
{
	struct memfs_dirent *de;
	size_t n;
	int c;

	de = RB_ROOT(&dvp->v_dir.names);
	while (de != NULL) {
		n = len < de->md_namelen ? len : de->md_namelen;
		c = memcmp(name, de->md_name, n);
		if (c == 0)
			c = (len > de->md_namelen) - (len < de->md_namelen);
		if (c == 0)
			return de;
		de = (c < 0) ? RB_LEFT(de, md_byname) : RB_RIGHT(de, md_byname);
	}
	return NULL;
}

/* the first entry whose cookie is at least pos */
static struct memfs_dirent *
dir_nfind(struct vnode *dvp, off_t pos)
{
	struct memfs_dirent *de, *res;

	res = NULL;
	de = RB_ROOT(&dvp->v_dir.cookies);
	while (de != NULL) {
		if (de->md_cookie >= pos) {
			res = de;
			de = RB_LEFT(de, md_bycookie);
		} else
			de = RB_RIGHT(de, md_bycookie);
	}
	return res;
}

/* the first page whose index is at least idx */
static struct memfs_page *
page_nfind(struct vnode *vp, uint64_t idx)
{
	struct memfs_page *pg, *res;

	res = NULL;
	pg = RB_ROOT(&vp->v_reg.pages);
	while (pg != NULL) {
		if (pg->mp_index >= idx) {
			res = pg;
			pg = RB_LEFT(pg, mp_tree);
		} else
			pg = RB_RIGHT(pg, mp_tree);
	}
	return res;
}

static struct memfs_page *
page_find(struct vnode *vp, uint64_t idx)
{
	struct memfs_page *pg;

	pg = page_nfind(vp, idx);
	return (pg != NULL && pg->mp_index == idx) ? pg : NULL;
}

static void
page_free(struct vnode *vp, struct memfs_page *pg)
{

	RB_REMOVE(memfs_pages, &vp->v_reg.pages, pg);
	vp->v_reg.npages--;
	kmem_free(pg, sizeof(*pg));
}

static void
dir_setup(struct vnode *vp, struct vnode *parent, struct memfs_dirent *self)
{

	RB_INIT(&vp->v_dir.names);
	RB_INIT(&vp->v_dir.cookies);
	vp->v_dir.nextcookie = 2;
	vp->v_dir.parent = parent;
	vp->v_dir.self = self;
}

struct vnode *
memfs_mountroot(void)
{
	static const struct cred rootcred;
	struct vnode *vp;

	vp = vn_alloc(VDIR, 0755, &rootcred);
	if (vp == NULL)
		return NULL;
	vp->v_flag |= VROOT;
	dir_setup(vp, NULL, NULL);
	return vp;
}

/* look name up in dvp: the vnode, referenced, or ENOENT */
int
memfs_lookup(struct vnode *dvp, const char *name, size_t len,
    struct vnode **vpp)
{
	struct memfs_dirent *de;

	KASSERT(dvp->v_type == VDIR);
	if ((dvp->v_flag & VREMOVED) != 0)
		return ENOENT;
	if ((dvp->v_flag & VHOST) != 0)
		return etfs_lookup(dvp, name, len, vpp);
	de = dir_find(dvp, name, len);
	if (de == NULL)
		return ENOENT;
	vref(de->md_vp);
	*vpp = de->md_vp;
	return 0;
}

/* a directory entry for name, not yet in any directory */
static struct memfs_dirent *
dirent_alloc(const char *name, size_t len)
{
	struct memfs_dirent *de;

	de = kmem_alloc(sizeof(*de) + len + 1);
	if (de == NULL)
		return NULL;
	memcpy(de->md_name, name, len);
	de->md_name[len] = '\0';
	de->md_namelen = len;
	de->md_vp = NULL;
	return de;
}

static void
dirent_free(struct memfs_dirent *de)
{

	kmem_free(de, sizeof(*de) + de->md_namelen + 1);
}

/* enter de (naming vp, whose reference it takes over) into dvp */
static void
dir_attach(struct vnode *dvp, struct memfs_dirent *de, struct vnode *vp)
{

	de->md_vp = vp;
	de->md_cookie = dvp->v_dir.nextcookie++;
	RB_INSERT(memfs_names, &dvp->v_dir.names, de);
	RB_INSERT(memfs_cookies, &dvp->v_dir.cookies, de);
	dvp->v_dir.nentries++;
	vn_touch(dvp, VT_MTIME | VT_CTIME);
}

static void
dir_detach(struct vnode *dvp, struct memfs_dirent *de)
{

	RB_REMOVE(memfs_names, &dvp->v_dir.names, de);
	RB_REMOVE(memfs_cookies, &dvp->v_dir.cookies, de);
	dvp->v_dir.nentries--;
	vn_touch(dvp, VT_MTIME | VT_CTIME);
}

/* the checks every new name in dvp passes first */
static int
dir_cancreate(struct vnode *dvp, const char *name, size_t len)
{

	KASSERT(dvp->v_type == VDIR && len > 0 && len <= NAME_MAX);
	if ((dvp->v_flag & VREMOVED) != 0)
		return ENOENT;
	if (dir_find(dvp, name, len) != NULL)
		return EEXIST;
	return 0;
}

/*
 * Make a new name in dvp for a new vnode of the given type and mode
 * (the final permission bits; the caller applied the creation mask).
 * Returns the vnode with a reference for the caller.
 */
int
memfs_create(struct vnode *dvp, const char *name, size_t len,
    enum vtype type, mode_t mode, const struct cred *cred, dev_t rdev,
    struct vnode **vpp)
{
	struct memfs_dirent *de;
	struct vnode *vp;
	int error;

	if ((dvp->v_flag & VHOST) != 0)
		return etfs_create(dvp, name, len, type, mode, cred, vpp);
	if ((error = dir_cancreate(dvp, name, len)) != 0)
		return error;
	if ((de = dirent_alloc(name, len)) == NULL)
		return ENOSPC;
	vp = vn_alloc(type, mode, cred);
	if (vp == NULL) {
		dirent_free(de);
		return ENOSPC;
	}
	switch (type) {
	case VDIR:
		vref(dvp);
		dir_setup(vp, dvp, de);
		dvp->v_nlink++;
		break;
	case VREG:
		RB_INIT(&vp->v_reg.pages);
		break;
	default:
		vp->v_rdev = rdev;
		break;
	}
	dir_attach(dvp, de, vp);
	vref(vp);		/* the caller's; the entry holds the first */
	*vpp = vp;
	return 0;
}

/* a symbolic link to target (a string of at most PATH_MAX - 1 bytes) */
int
memfs_symlink(struct vnode *dvp, const char *name, size_t len,
    const char *target, const struct cred *cred, struct vnode **vpp)
{
	struct memfs_dirent *de;
	struct vnode *vp;
	size_t tlen;
	int error;

	if ((dvp->v_flag & VHOST) != 0)
		return etfs_symlink(dvp, name, len, target, vpp);
	if ((error = dir_cancreate(dvp, name, len)) != 0)
		return error;
	tlen = strlen(target);
	if ((de = dirent_alloc(name, len)) == NULL)
		return ENOSPC;
	if ((vp = vn_alloc(VLNK, 0777, cred)) == NULL) {
		dirent_free(de);
		return ENOSPC;
	}
	if ((vp->v_lnk.target = kmem_alloc(tlen + 1)) == NULL) {
		vp->v_nlink = 0;
		vrele(vp);
		dirent_free(de);
		return ENOSPC;
	}
	memcpy(vp->v_lnk.target, target, tlen + 1);
	vp->v_size = (off_t)tlen;
	dir_attach(dvp, de, vp);
	vref(vp);
	*vpp = vp;
	return 0;
}

/* the target of link vp, NUL terminated, kept while vp is */
int
memfs_linktarget(struct vnode *vp, const char **targetp)
{
	int error;

	KASSERT(vp->v_type == VLNK);
	if ((vp->v_flag & VHOST) != 0 && (error = etfs_linktarget(vp)) != 0)
		return error;
	*targetp = vp->v_lnk.target;
	return 0;
}

/* the target of link vp, not NUL terminated, at most len bytes */
int
memfs_readlink(struct vnode *vp, char *buf, size_t len, size_t *lenp)
{
	size_t n;
	int error;

	if (vp->v_type != VLNK)
		return EINVAL;
	if ((vp->v_flag & VHOST) != 0 && (error = etfs_linktarget(vp)) != 0)
		return error;
	/* the string's own length: a host link's v_size follows the host */
	n = strlen(vp->v_lnk.target);
	if (n > len)
		n = len;
	memcpy(buf, vp->v_lnk.target, n);
	*lenp = n;
	return 0;
}

/* a new name in dvp for vp, which is not a directory */
int
memfs_link(struct vnode *dvp, const char *name, size_t len, struct vnode *vp)
{
	struct memfs_dirent *de;
	int error;

	KASSERT(vp->v_type != VDIR);
	if ((dvp->v_flag & VHOST) != 0 || (vp->v_flag & VHOST) != 0)
		return etfs_link(dvp, name, len, vp);
	if ((error = dir_cancreate(dvp, name, len)) != 0)
		return error;
	if (vp->v_nlink == 0)
		return ENOENT;
	if (vp->v_nlink >= VFS_MAXLINK)
		return EMLINK;
	if ((de = dirent_alloc(name, len)) == NULL)
		return ENOSPC;
	vref(vp);
	vp->v_nlink++;
	vn_touch(vp, VT_CTIME);
	dir_attach(dvp, de, vp);
	return 0;
}

/* vp lost the name de held: drop the entry's reference */
static void
name_gone(struct vnode *dvp, struct vnode *vp)
{

	if (vp->v_type == VDIR) {
		vp->v_flag |= VREMOVED;
		vp->v_dir.self = NULL;
		vp->v_nlink = 0;
		dvp->v_nlink--;
	} else
		vp->v_nlink--;
	vn_touch(vp, VT_CTIME);
	vrele(vp);
}

/*
 * Remove name from dvp.  A directory must be empty (ENOTEMPTY); once
 * removed it is marked so that it takes no new entries.  The vnode
 * lives on while something still references it.
 */
int
memfs_remove(struct vnode *dvp, const char *name, size_t len)
{
	struct memfs_dirent *de;
	struct vnode *vp;

	if ((dvp->v_flag & VHOST) != 0)
		return etfs_remove(dvp, name, len);
	de = dir_find(dvp, name, len);
	if (de == NULL)
		return ENOENT;
	vp = de->md_vp;
	if (vp->v_type == VDIR && vp->v_dir.nentries > 0)
		return ENOTEMPTY;
	dir_detach(dvp, de);
	dirent_free(de);
	name_gone(dvp, vp);
	return 0;
}

/* directory vp now lives in dvp under entry de */
static void
dir_reparent(struct vnode *vp, struct vnode *dvp, struct memfs_dirent *de)
{
	struct vnode *old;

	vp->v_dir.self = de;
	old = vp->v_dir.parent;
	if (old == dvp)
		return;
	old->v_nlink--;
	dvp->v_nlink++;
	vref(dvp);
	vp->v_dir.parent = dvp;
	vrele(old);
}

/*
 * Rename fname in fdvp to tname in tdvp, replacing what tname named,
 * or with exchange swap the two.  The caller made Linux's checks
 * (types, emptiness, subtrees, permissions) and holds references on
 * both directories; the two names name different vnodes.  A new name
 * gets a new cookie, so a listing in progress may see a renamed entry
 * under its new name.
 */
int
memfs_rename(struct vnode *fdvp, const char *fname, size_t flen,
    struct vnode *tdvp, const char *tname, size_t tlen, bool exchange)
{
	struct memfs_dirent *fde, *tde, *nde;
	struct vnode *vp, *tvp;

	if ((fdvp->v_flag & VHOST) != 0 || (tdvp->v_flag & VHOST) != 0)
		return etfs_rename(fdvp, fname, flen, tdvp, tname, tlen,
		    exchange);
	fde = dir_find(fdvp, fname, flen);
	tde = dir_find(tdvp, tname, tlen);
	if (fde == NULL || (exchange && tde == NULL))
		return ENOENT;
	if ((tdvp->v_flag & VREMOVED) != 0)
		return ENOENT;
	vp = fde->md_vp;
	vn_touch(vp, VT_CTIME);
	vn_touch(fdvp, VT_MTIME | VT_CTIME);
	vn_touch(tdvp, VT_MTIME | VT_CTIME);
	if (exchange) {
		tvp = tde->md_vp;
		vn_touch(tvp, VT_CTIME);
		fde->md_vp = tvp;
		tde->md_vp = vp;
		if (vp->v_type == VDIR)
			dir_reparent(vp, tdvp, tde);
		if (tvp->v_type == VDIR)
			dir_reparent(tvp, fdvp, fde);
		return 0;
	}
	if (tde != NULL) {
		/* the entry takes the reference fde held */
		tvp = tde->md_vp;
		tde->md_vp = vp;
		if (vp->v_type == VDIR)
			dir_reparent(vp, tdvp, tde);
		dir_detach(fdvp, fde);
		dirent_free(fde);
		name_gone(tdvp, tvp);
		return 0;
	}
	if ((nde = dirent_alloc(tname, tlen)) == NULL)
		return ENOSPC;
	dir_detach(fdvp, fde);
	dirent_free(fde);
	dir_attach(tdvp, nde, vp);
	if (vp->v_type == VDIR)
		dir_reparent(vp, tdvp, nde);
	return 0;
}

/*
 * The last reference is gone: free the vnode and what it holds.  A
 * directory's reference on its parent is handed back to the caller
 * (vrele) to drop, so that long chains do not recurse.
 */
struct vnode *
memfs_reclaim(struct vnode *vp)
{
	struct vnode *parent;

	/* a host file's links are the host's business */
	KASSERT(vp->v_usecount == 0 &&
	    (vp->v_nlink == 0 || (vp->v_flag & VHOST) != 0));
	parent = NULL;
	if ((vp->v_flag & VHOST) != 0) {
		if (vp->v_type == VDIR)
			parent = vp->v_dir.parent;
		etfs_reclaim(vp);
		kmem_free(vp, sizeof(*vp));
		return parent;
	}
	switch (vp->v_type) {
	case VREG:
		(void)memfs_truncate(vp, 0);
		break;
	case VDIR:
		KASSERT(vp->v_dir.nentries == 0);
		parent = vp->v_dir.parent;
		break;
	case VLNK:
		if (vp->v_lnk.target != NULL)
			kmem_free(vp->v_lnk.target, (size_t)vp->v_size + 1);
		break;
	default:
		break;
	}
	kmem_free(vp, sizeof(*vp));
	return parent;
}

/*
 * Read from a regular file at uio_offset.  Each chunk is at most the
 * rest of one page; a hole is copied out of the zero page.
 */
int
memfs_read(struct vnode *vp, struct uio *uio)
{
	const unsigned char *src;
	struct memfs_page *pg;
	size_t n, poff;
	off_t off;
	int error;

	if (uio->uio_offset < 0)
		return EINVAL;
	if ((vp->v_flag & VHOST) != 0)
		return etfs_read(vp, uio);
	if (uio->uio_resid > 0)
		vn_accessed(vp);
	while (uio->uio_resid > 0 && uio->uio_offset < vp->v_size) {
		off = uio->uio_offset;
		poff = (size_t)(off % VFS_PAGESIZE);
		n = VFS_PAGESIZE - poff;
		if ((off_t)n > vp->v_size - off)
			n = (size_t)(vp->v_size - off);
		if (n > uio->uio_resid)
			n = uio->uio_resid;
		pg = page_find(vp, (uint64_t)off / VFS_PAGESIZE);
		src = (pg != NULL) ? pg->mp_data + poff : vfs_zeropage;
		error = copyout(src, uio->uio_uaddr, n);
		if (error != 0)
			return error;
		uio_advance(uio, n);
	}
	return 0;
}

/*
 * Store len bytes at off, allocating pages as needed; *donep says how
 * many were stored.  ENOSPC when a page cannot be had.
 */
static int
memfs_store(struct vnode *vp, off_t off, const unsigned char *buf,
    size_t len, size_t *donep)
{
	struct memfs_page *pg;
	size_t done, n, poff;
	uint64_t idx;
	off_t end;

	for (done = 0; done < len; done += n) {
		idx = (uint64_t)(off + (off_t)done) / VFS_PAGESIZE;
		poff = (size_t)((off + (off_t)done) % VFS_PAGESIZE);
		n = VFS_PAGESIZE - poff;
		if (n > len - done)
			n = len - done;
		pg = page_find(vp, idx);
		if (pg == NULL) {
			pg = kmem_zalloc(sizeof(*pg));
			if (pg == NULL) {
				*donep = done;
				return ENOSPC;
			}
			pg->mp_index = idx;
			RB_INSERT(memfs_pages, &vp->v_reg.pages, pg);
			vp->v_reg.npages++;
		}
		memcpy(pg->mp_data + poff, buf + done, n);
		end = off + (off_t)(done + n);
		if (end > vp->v_size)
			vp->v_size = end;
	}
	*donep = done;
	return 0;
}

/*
 * Write to a regular file at uio_offset, or at its end for append.
 * Data a client sent inline with its request is stored from there
 * (copyin_inline); anything else goes chunk by chunk through a bounce
 * buffer.  If kmem cannot even give the bounce buffer, a small one on
 * the stack keeps the write going so that a full file system reports
 * ENOSPC, not ENOMEM.
 */
int
memfs_write(struct vnode *vp, struct uio *uio, bool append)
{
	uint64_t small[64];
	const unsigned char *src;
	unsigned char *buf;
	size_t buflen, len, done;
	off_t off;
	bool wrote;
	int error;

	if (uio->uio_resid == 0)
		return 0;
	if ((vp->v_flag & VHOST) != 0)
		return etfs_write(vp, uio, append);
	buf = NULL;
	buflen = 0;
	wrote = false;
	error = 0;
	while (uio->uio_resid > 0) {
		len = uio->uio_resid;
		if ((src = copyin_inline(uio->uio_uaddr, len)) == NULL) {
			if (buf == NULL) {
				buflen = len < VFS_BOUNCE ? len : VFS_BOUNCE;
				if ((buf = kmem_alloc(buflen)) == NULL) {
					buf = (unsigned char *)small;
					buflen = sizeof(small);
				}
			}
			if (len > buflen)
				len = buflen;
			error = copyin(uio->uio_uaddr, buf, len);
			if (error != 0)
				break;
			src = buf;
		}
		/* from here to the store, the lock is not given up */
		off = append ? vp->v_size : uio->uio_offset;
		if (off < 0) {
			error = EINVAL;
			break;
		}
		if (off >= VFS_MAXFILESIZE) {
			error = EFBIG;
			break;
		}
		if ((uint64_t)len > (uint64_t)(VFS_MAXFILESIZE - off))
			len = (size_t)(VFS_MAXFILESIZE - off);
		error = memfs_store(vp, off, src, len, &done);
		if (done > 0) {
			uio->uio_offset = off;
			uio_advance(uio, done);
			wrote = true;
		}
		if (error != 0)
			break;
	}
	if (wrote)
		vn_touch(vp, VT_MTIME | VT_CTIME);
	if (buf != NULL && buf != (unsigned char *)small)
		kmem_free(buf, buflen);
	return error;
}

/*
 * Cut or extend a regular file to len bytes; extension is a hole, so
 * only a host file can fail.  The caller updates the timestamps.
 */
int
memfs_truncate(struct vnode *vp, off_t len)
{
	struct memfs_page *pg, *prev;
	size_t poff;

	KASSERT(vp->v_type == VREG && len >= 0);
	if ((vp->v_flag & VHOST) != 0)
		return etfs_truncate(vp, len);
	if (len < vp->v_size) {
		for (pg = RB_MAX(memfs_pages, &vp->v_reg.pages);
		    pg != NULL && (off_t)pg->mp_index * VFS_PAGESIZE >= len;
		    pg = prev) {
			prev = RB_PREV(memfs_pages, &vp->v_reg.pages, pg);
			page_free(vp, pg);
		}
		poff = (size_t)(len % VFS_PAGESIZE);
		pg = page_find(vp, (uint64_t)len / VFS_PAGESIZE);
		if (pg != NULL && poff != 0)
			memset(pg->mp_data + poff, 0, VFS_PAGESIZE - poff);
	}
	vp->v_size = len;
	return 0;
}

/* lseek's SEEK_DATA and SEEK_HOLE: the end of file counts as a hole */
int
memfs_seekdata(struct vnode *vp, off_t off, int whence, off_t *resp)
{
	struct memfs_page *pg;
	uint64_t idx;
	off_t pos;

	if (off < 0 || off >= vp->v_size)
		return ENXIO;
	idx = (uint64_t)off / VFS_PAGESIZE;
	pg = page_nfind(vp, idx);
	if (whence == SEEK_DATA) {
		if (pg == NULL)
			return ENXIO;
		pos = (off_t)pg->mp_index * VFS_PAGESIZE;
		*resp = pos > off ? pos : off;
		return (*resp < vp->v_size) ? 0 : ENXIO;
	}
	while (pg != NULL && pg->mp_index == idx) {
		idx++;
		pg = RB_NEXT(memfs_pages, &vp->v_reg.pages, pg);
	}
	pos = (off_t)idx * VFS_PAGESIZE;
	if (pos < off)
		pos = off;
	*resp = pos < vp->v_size ? pos : vp->v_size;
	return 0;
}

static uint8_t
memfs_dtype(const struct vnode *vp)
{

	switch (vp->v_type) {
	case VDIR:
		return DT_DIR;
	case VREG:
		return DT_REG;
	case VCHR:
		return DT_CHR;
	case VBLK:
		return DT_BLK;
	case VLNK:
		return DT_LNK;
	case VSOCK:
		return DT_SOCK;
	default:
		return DT_UNKNOWN;
	}
}

/* append one record to buf if it fits */
static bool
dirent_put(unsigned char *buf, size_t len, size_t *usedp, uint64_t ino,
    off_t next, uint8_t type, const char *name, size_t namelen)
{
	struct linux_dirent64 d;
	size_t reclen;

	reclen = DIRENT64_RECLEN(namelen);
	if (reclen > len - *usedp)
		return false;
	memset(buf + *usedp, 0, reclen);
	d.d_ino = ino;
	d.d_off = next;
	d.d_reclen = (uint16_t)reclen;
	d.d_type = type;
	memcpy(buf + *usedp, &d, DIRENT64_NAMEOFF);
	memcpy(buf + *usedp + DIRENT64_NAMEOFF, name, namelen);
	*usedp += reclen;
	return true;
}

/*
 * Fill buf with linux_dirent64 records from position *cookiep on and
 * advance it.  EINVAL if the first record does not fit; ENOENT for a
 * removed directory, as Linux.
 */
int
memfs_readdir(struct vnode *vp, off_t *cookiep, void *buf, size_t len,
    size_t *usedp)
{
	struct memfs_dirent *de;
	struct vnode *pvp;
	off_t pos;
	bool fit;

	if ((vp->v_flag & VHOST) != 0)
		etfs_refresh(vp);
	if ((vp->v_flag & VREMOVED) != 0)
		return ENOENT;
	if ((vp->v_flag & VHOST) != 0)
		return etfs_readdir(vp, cookiep, buf, len, usedp);
	pos = *cookiep;
	*usedp = 0;
	fit = true;
	if (pos == 0) {
		fit = dirent_put(buf, len, usedp, vp->v_ino, 1, DT_DIR, ".", 1);
		if (fit)
			pos = 1;
	}
	if (fit && pos == 1) {
		pvp = vp->v_dir.parent != NULL ? vp->v_dir.parent : vp;
		fit = dirent_put(buf, len, usedp, pvp->v_ino, 2, DT_DIR, "..",
		    2);
		if (fit)
			pos = 2;
	}
	for (de = dir_nfind(vp, pos); fit && de != NULL;
	    de = RB_NEXT(memfs_cookies, &vp->v_dir.cookies, de)) {
		fit = dirent_put(buf, len, usedp, de->md_vp->v_ino,
		    de->md_cookie + 1, memfs_dtype(de->md_vp), de->md_name,
		    de->md_namelen);
		if (fit)
			pos = de->md_cookie + 1;
	}
	if (!fit && *usedp == 0)
		return EINVAL;
	*cookiep = pos;
	return 0;
}

/*
 * The walk keeps no stack of its own: a directory's entry in its
 * parent (v_dir.self) says where to go on after its last name, so a
 * deep tree costs nothing and the names are seen in name order.
 */
int
memfs_walk(struct vnode *root,
    int (*fn)(struct vnode *, struct memfs_dirent *, void *), void *arg,
    size_t budget)
{
	struct vnode *dvp = root, *vp;
	struct memfs_dirent *de;
	int r;

	de = RB_MIN(memfs_names, &dvp->v_dir.names);
	for (;;) {
		if (de == NULL) {
			if (dvp == root)
				return 0;
			de = dvp->v_dir.self;
			dvp = dvp->v_dir.parent;
			de = RB_NEXT(memfs_names, &dvp->v_dir.names, de);
			continue;
		}
		if (budget-- == 0)
			return EAGAIN;
		if ((r = fn(dvp, de, arg)) != 0)
			return r;
		vp = de->md_vp;
		if (vp->v_type == VDIR && (vp->v_flag & VHOST) == 0 &&
		    vp->v_dir.self == de && vp->v_dir.parent == dvp) {
			dvp = vp;
			de = RB_MIN(memfs_names, &dvp->v_dir.names);
			continue;
		}
		de = RB_NEXT(memfs_names, &dvp->v_dir.names, de);
	}
}
