#include "vfs.h"
int etfs_lookup(struct vnode *dvp, const char *n, size_t l, struct vnode **v) { return ENOENT; }
int etfs_create(struct vnode *dvp, const char *n, size_t l, enum vtype t, mode_t m, const struct cred *c, struct vnode **v) { return EOPNOTSUPP; }
int etfs_remove(struct vnode *dvp, const char *n, size_t l) { return EOPNOTSUPP; }
int etfs_rename(struct vnode *a, const char *b, size_t c, struct vnode *d, const char *e, size_t f, bool x) { return EXDEV; }
int etfs_read(struct vnode *v, struct uio *u) { return EIO; }
int etfs_write(struct vnode *v, struct uio *u, bool a) { return EIO; }
int etfs_truncate(struct vnode *v, off_t l) { return EIO; }
int etfs_readdir(struct vnode *v, off_t *c, void *b, size_t l, size_t *u) { return EIO; }
int etfs_setattr(struct vnode *v, const mode_t *m, const struct timespec *t) { return EIO; }
int etfs_fsync(struct vnode *v) { return 0; }
void etfs_refresh(struct vnode *v) { }
void etfs_forget(struct vnode *v) { }
void etfs_reclaim(struct vnode *v) { }
