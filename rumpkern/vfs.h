/*
 * vfs.h -- the VFS inside the kernel: vnodes, path name lookup, the
 * in-memory file system (memfs) and the character devices.
 *
 * There is one file system, memfs, so there is no vnode-operations
 * indirection: a vnode carries memfs's per-type data in a union and
 * the vnode type chooses the code (VDIR, VREG and VLNK: memfs.c, VCHR:
 * the device switch in dev.c); a host file (etfs.c) is a vnode marked
 * VHOST, which memfs's entry points hand over to etfs.
 *
 * Ownership: a vnode lives while it has references (v_usecount).  The
 * directory entry naming it holds one, every open file holds one, a
 * process's current directory holds one, a directory holds one on its
 * parent (so ".." of a removed directory still resolves), and callers
 * of namei hold the ones it returns.  The last vrele of a vnode whose
 * last name is gone frees it and its data.
 *
 * Locking: everything here runs under the big kernel lock and nothing
 * in this layer gives it up except copyin/copyinstr/copyout, which the
 * callers (vfs_syscalls.c, vfs_vnops.c, dev.c, memfs's read and write)
 * make only while holding a reference on every vnode they use, and
 * after which they look again at the vnode's current state.
 */
#ifndef RUMPKERN_VFS_H
#define RUMPKERN_VFS_H

#include <sys/tree.h>
#include <time.h>

#include "kern.h"

#define VFS_PAGESIZE	4096		/* memfs page, st_blksize */
#define VFS_CMASK	022		/* creation mask, NetBSD's CMASK */
#define VFS_MAXFILESIZE	INT64_MAX	/* Linux's MAX_LFS_FILESIZE */
#define VFS_MAXRW	0x7ffff000	/* Linux's MAX_RW_COUNT */
#define VFS_BOUNCE	(64 * 1024)	/* most bytes copied in one chunk */
#define VFS_DIRENTSIZE	20		/* st_size per entry, as tmpfs */
#define VFS_MAXSYMLINKS	40		/* links one lookup follows (ELOOP) */
#define VFS_MAXLINK	65000		/* hard links to one file (EMLINK) */

/* a page of a regular file; absent pages are holes reading as zeros */
struct memfs_page {
	RB_ENTRY(memfs_page)	 mp_tree;
	uint64_t		 mp_index;	/* offset / VFS_PAGESIZE */
	unsigned char		 mp_data[VFS_PAGESIZE];
};
RB_HEAD(memfs_pages, memfs_page);

/* a name in a directory: found by name, listed in cookie order */
struct memfs_dirent {
	RB_ENTRY(memfs_dirent)	 md_byname;
	RB_ENTRY(memfs_dirent)	 md_bycookie;
	struct vnode		*md_vp;		/* holds a reference */
	off_t			 md_cookie;	/* getdents64 position */
	size_t			 md_namelen;
	char			 md_name[];	/* NUL terminated */
};
RB_HEAD(memfs_names, memfs_dirent);
RB_HEAD(memfs_cookies, memfs_dirent);

struct vnode {
	enum vtype		 v_type;
	int			 v_usecount;
	int			 v_flag;	/* V* below */
	uint64_t		 v_ino;
	mode_t			 v_mode;	/* permission bits (07777) */
	nlink_t			 v_nlink;
	uid_t			 v_uid;
	gid_t			 v_gid;
	dev_t			 v_rdev;	/* VCHR */
	struct socket		*v_socket;	/* VSOCK: bound socket or NULL */
	off_t			 v_size;	/* VREG: bytes */
	struct timespec		 v_atime, v_mtime, v_ctime;
	struct etfs_node	*v_host;	/* VHOST: the host file */
	uint64_t		 v_listgen;	/* kern.file's name search */
	union {
		struct {			/* VDIR */
			struct memfs_names	 names;
			struct memfs_cookies	 cookies;
			size_t			 nentries;
			off_t			 nextcookie;
			struct vnode		*parent;	/* NULL: root */
			struct memfs_dirent	*self;	/* name in parent */
		} vu_dir;
		struct {			/* VREG */
			struct memfs_pages	 pages;
			size_t			 npages;
		} vu_reg;
		struct {			/* VLNK */
			char			*target; /* v_size bytes */
		} vu_lnk;
	} v_un;
};
#define v_dir	v_un.vu_dir
#define v_reg	v_un.vu_reg
#define v_lnk	v_un.vu_lnk

#define VROOT		0x01	/* the root directory */
#define VREMOVED	0x02	/* directory removed: empty, takes no entries */
#define VHOST		0x04	/* a host file (etfs.c), not memfs data */

/* access bits for vn_access, as in the mode bits of "other" */
#define VREAD		04
#define VWRITE		02
#define VEXEC		01

/* which timestamps vn_touch sets to the current time */
#define VT_ATIME	0x1
#define VT_MTIME	0x2
#define VT_CTIME	0x4

/* vfs_vnode.c */
extern const unsigned char vfs_zeropage[VFS_PAGESIZE];
struct vnode *vn_alloc(enum vtype, mode_t, const struct cred *);
int	vn_access(const struct vnode *, const struct cred *, int vaccess);
void	vn_touch(struct vnode *, int which);
void	vn_accessed(struct vnode *);
void	vn_stat(struct vnode *, struct stat *);
bool	vn_same(const struct vnode *, const struct vnode *);

/* vfs_lookup.c */
enum nilast { NI_NORM, NI_DOT, NI_DOTDOT, NI_ROOT };

struct nameidata {
	struct vnode	*ni_dvp;	/* directory of the last component */
	struct vnode	*ni_vp;		/* the last component, NULL: absent */
	enum nilast	 ni_last;
	bool		 ni_slash;	/* the path ended in '/' */
	size_t		 ni_namelen;
	char		 ni_name[NAME_MAX + 1];
};

/* namei flags: what to do with a symbolic link as the last component */
#define NI_FOLLOW	0x01	/* follow it */
#define NI_NOFOLLOW	0x02	/* never, even when the path ends in '/' */

int	namei(struct vnode *start, const char *path, const struct cred *,
	    int flags, struct nameidata *);
void	namei_done(struct nameidata *);
struct vnode *vfs_lookupdotdot(struct vnode *);

/* memfs.c */
struct vnode *memfs_mountroot(void);
int	memfs_lookup(struct vnode *dvp, const char *, size_t,
	    struct vnode **);
int	memfs_create(struct vnode *dvp, const char *, size_t, enum vtype,
	    mode_t, const struct cred *, dev_t, struct vnode **);
int	memfs_symlink(struct vnode *dvp, const char *, size_t,
	    const char *target, const struct cred *, struct vnode **);
int	memfs_readlink(struct vnode *, char *buf, size_t len, size_t *lenp);
int	memfs_linktarget(struct vnode *, const char **);	/* kept by vp */
int	memfs_link(struct vnode *dvp, const char *, size_t, struct vnode *);
int	memfs_remove(struct vnode *dvp, const char *, size_t);
int	memfs_rename(struct vnode *fdvp, const char *, size_t,
	    struct vnode *tdvp, const char *, size_t, bool exchange);
struct vnode *memfs_reclaim(struct vnode *);
int	memfs_read(struct vnode *, struct uio *);
int	memfs_write(struct vnode *, struct uio *, bool append);
int	memfs_truncate(struct vnode *, off_t);
int	memfs_seekdata(struct vnode *, off_t, int whence, off_t *);
int	memfs_readdir(struct vnode *, off_t *cookiep, void *buf, size_t len,
	    size_t *usedp);
/*
 * Every name below root, depth first: fn(dvp, de, arg) for each until
 * it returns non-zero (returned), or EAGAIN once budget names were
 * seen; 0 at the end.  Host directories are not entered.
 */
int	memfs_walk(struct vnode *root,
	    int (*fn)(struct vnode *, struct memfs_dirent *, void *),
	    void *arg, size_t budget);

/* etfs.c: host files; called by memfs for VHOST vnodes */
struct etfs_node;
int	etfs_lookup(struct vnode *dvp, const char *, size_t, struct vnode **);
int	etfs_create(struct vnode *dvp, const char *, size_t, enum vtype,
	    mode_t, const struct cred *, struct vnode **);
int	etfs_symlink(struct vnode *dvp, const char *, size_t,
	    const char *target, struct vnode **);
int	etfs_link(struct vnode *dvp, const char *, size_t, struct vnode *);
int	etfs_remove(struct vnode *dvp, const char *, size_t);
int	etfs_linktarget(struct vnode *);	/* read v_lnk.target */
int	etfs_rename(struct vnode *fdvp, const char *, size_t,
	    struct vnode *tdvp, const char *, size_t, bool exchange);
int	etfs_read(struct vnode *, struct uio *);
int	etfs_write(struct vnode *, struct uio *, bool append);
int	etfs_truncate(struct vnode *, off_t);
int	etfs_readdir(struct vnode *, off_t *, void *, size_t, size_t *);
int	etfs_chmod(struct vnode *, mode_t);
int	etfs_chown(struct vnode *, uid_t, gid_t);
int	etfs_utimens(struct vnode *, const struct timespec *);
bool	etfs_same(const struct vnode *, const struct vnode *);
int	etfs_fsync(struct vnode *);
void	etfs_refresh(struct vnode *);	/* size, mode, times from the host */
void	etfs_reclaim(struct vnode *);
bool	etfs_iskey(const struct vnode *);

/* dev.c */
int	dev_init(struct vnode *devdir);
int	dev_open(struct vnode *);
int	dev_read(struct vnode *, struct uio *, int ioflag);
int	dev_write(struct vnode *, struct uio *, int ioflag);

/* vfs_syscalls.c: what the file system calls share */
int	vfs_namei(struct proc *, int dirfd, const char *kpath, int niflags,
	    struct nameidata *);
int	namei_user(struct proc *, int dirfd, const char *upath, char *kpath,
	    int niflags, struct nameidata *);
/* the vnode a path (or with AT_EMPTY_PATH an empty one) names */
int	vfs_lookup_at(struct proc *, int dirfd, const char *upath,
	    int atflags, struct vnode **);
int	vfs_lookup_atcred(struct proc *, const struct cred *, int dirfd,
	    const char *upath, int atflags, struct vnode **);
/* the vnode of an open descriptor, referenced; EBADF for O_PATH ones */
int	vfs_getvnode(struct proc *, int fd, bool allowpath, struct vnode **);
int	vfs_maycreate(struct vnode *dvp, const struct cred *);
int	vfs_copyinpath(const char *upath, char *kpath);
bool	vfs_upath_empty(const char *upath);
int	vfs_create(struct proc *, struct nameidata *, enum vtype, mode_t,
	    dev_t, struct vnode **);
void	vn_initowner(struct vnode *, struct vnode *dvp, const struct cred *);
void	vn_killpriv(struct vnode *, const struct cred *);

/* vfs_vnops.c */
int	vn_falloc(struct file **);
void	vn_attach(struct file *, struct vnode *, int fflags);

/* the getdents64 record (Linux's struct linux_dirent64) */
struct linux_dirent64 {
	uint64_t	d_ino;
	int64_t		d_off;		/* position of the next entry */
	uint16_t	d_reclen;
	uint8_t		d_type;
	char		d_name[];
};
#define DIRENT64_NAMEOFF	offsetof(struct linux_dirent64, d_name)
#define DIRENT64_RECLEN(namelen) \
	((DIRENT64_NAMEOFF + (namelen) + 1 + 7) & ~(size_t)7)

/* move a uio on by n bytes that were transferred */
static inline void
uio_advance(struct uio *uio, size_t n)
{

	uio->uio_uaddr = (char *)uio->uio_uaddr + n;
	uio->uio_resid -= n;
	uio->uio_offset += (off_t)n;
}

#endif /* RUMPKERN_VFS_H */
