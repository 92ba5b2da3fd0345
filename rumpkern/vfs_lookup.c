/*
 * vfs_lookup.c -- path name lookup (namei).
 *
 * namei walks every component but the last, and then looks the last
 * one up without failing when it is absent, so that one walk serves
 * open, creat, mkdir, rmdir, unlink, rename, link, stat and chdir;
 * each caller decides what an absent or present last component means.
 * Its answers follow Linux's path walk: repeated slashes count as one,
 * ".." at the root is the root, every directory passed through
 * (including the one holding the last component) needs search
 * permission, a component longer than NAME_MAX is ENAMETOOLONG when it
 * is looked up, and a non-directory in the middle of a path is ENOTDIR.
 *
 * Symbolic links: a link met in the middle of a path is always
 * followed; the last component is followed with NI_FOLLOW, or when the
 * path ends in a slash, unless NI_NOFOLLOW says never (the calls that
 * act on a name itself: unlink, rmdir, rename, link's new name, mkdir,
 * symlink, mknod).  A relative target continues from the directory
 * holding the link, an absolute one from the root; a trailing slash
 * after a followed link still asks for a directory.  More than
 * VFS_MAXSYMLINKS (40, Linux's MAXSYMLINKS) links in one walk is
 * ELOOP; an empty target is ENOENT.  The walk holds a reference on
 * every link it followed until it ends, so it reads their targets in
 * place, without copies.
 *
 * The path is a kernel string (the caller copied it in), so nothing
 * here gives up the kernel lock; the vnodes returned carry references
 * that namei_done drops.
 */
#include "vfs.h"

/* the parent of directory dvp, referenced; the root is its own */
struct vnode *
vfs_lookupdotdot(struct vnode *dvp)
{
	struct vnode *vp;

	vp = dvp->v_dir.parent != NULL ? dvp->v_dir.parent : dvp;
	vref(vp);
	return vp;
}

/* one component in directory dvp: the vnode, referenced */
static int
lookup_one(struct vnode *dvp, const char *name, size_t len,
    struct vnode **vpp)
{

	if (len == 1 && name[0] == '.') {
		vref(dvp);
		*vpp = dvp;
		return 0;
	}
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		*vpp = vfs_lookupdotdot(dvp);
		return 0;
	}
	if (len > NAME_MAX)
		return ENAMETOOLONG;
	return memfs_lookup(dvp, name, len, vpp);
}

static enum nilast
lookup_lasttype(const char *name, size_t len)
{

	if (len == 1 && name[0] == '.')
		return NI_DOT;
	if (len == 2 && name[0] == '.' && name[1] == '.')
		return NI_DOTDOT;
	return NI_NORM;
}

/* the state of one walk: the links it follows and what remains */
struct walk {
	struct vnode	*w_links[VFS_MAXSYMLINKS];	/* held, in order */
	int		 w_nlinks;
	const char	*w_rest[VFS_MAXSYMLINKS];	/* after each link */
	int		 w_depth;
};

/*
 * Go on with the target of link vp (the walk keeps a reference, so the
 * target string stays put): *cpp becomes the target, and *dvpp the root
 * for an absolute one.  rest, the path after the link, is resumed once
 * the target is walked, unless it is empty (the link was last).
 */
static int
walk_follow(struct walk *w, struct vnode *vp, const char *rest,
    const char **cpp, struct vnode **dvpp)
{
	const char *target;
	int error;

	if (w->w_nlinks >= VFS_MAXSYMLINKS)
		return ELOOP;
	if ((error = memfs_linktarget(vp, &target)) != 0)
		return error;
	if (*target == '\0')
		return ENOENT;
	vref(vp);
	w->w_links[w->w_nlinks++] = vp;
	vn_accessed(vp);
	if (*rest != '\0')
		w->w_rest[w->w_depth++] = rest;
	*cpp = target;
	if (*target == '/') {
		vrele(*dvpp);
		*dvpp = rootvnode;
		vref(rootvnode);
	}
	return 0;
}

static void
walk_done(struct walk *w)
{

	while (w->w_nlinks > 0)
		vrele(w->w_links[--w->w_nlinks]);
}

/*
 * Resolve path (a kernel string) from directory start (ignored for an
 * absolute path).  On success ni_dvp is the directory holding the last
 * component and ni_vp the last component or NULL when it does not
 * exist; both are referenced until namei_done.
 *
 * A link in the middle pushes the rest of the path and walks its
 * target; at the end of a target the rest is taken up again.  So the
 * length of targets and path together is not limited, as on Linux;
 * only the number of links is.
 */
int
namei(struct vnode *start, const char *path, const struct cred *cred,
    int flags, struct nameidata *ni)
{
	struct walk w;
	struct vnode *dvp, *vp;
	const char *cp, *end, *next;
	size_t len;
	bool slash;
	int error;

	ni->ni_dvp = ni->ni_vp = NULL;
	if (*path == '\0')
		return ENOENT;
	w.w_nlinks = w.w_depth = 0;
	slash = false;
	dvp = (*path == '/') ? rootvnode : start;
	vref(dvp);
	cp = path;
restart:
	for (; *cp == '/'; cp++)
		continue;
	if (*cp == '\0' && w.w_depth > 0) {
		cp = w.w_rest[--w.w_depth];
		goto restart;
	}
	if (*cp == '\0') {
		vref(dvp);
		ni->ni_dvp = ni->ni_vp = dvp;
		ni->ni_last = NI_ROOT;
		ni->ni_slash = true;
		ni->ni_namelen = 0;
		ni->ni_name[0] = '\0';
		walk_done(&w);
		return 0;
	}
	for (;;) {
		end = cp + strcspn(cp, "/");
		len = (size_t)(end - cp);
		for (next = end; *next == '/'; next++)
			continue;
		if (dvp->v_type != VDIR) {
			error = ENOTDIR;
			goto fail;
		}
		error = vn_access(dvp, cred, VEXEC);
		if (error != 0)
			goto fail;
		error = lookup_one(dvp, cp, len, &vp);
		if (*next == '\0' && w.w_depth == 0)
			break;
		if (error != 0)
			goto fail;
		if (vp->v_type == VLNK) {
			error = walk_follow(&w, vp, next, &cp, &dvp);
			vrele(vp);
			if (error != 0)
				goto fail;
			goto restart;
		}
		vrele(dvp);
		dvp = vp;
		cp = next;
		if (*cp == '\0')
			goto restart;	/* the end of a link's target */
	}
	if (error == ENOENT)
		vp = NULL;
	else if (error != 0)
		goto fail;
	slash |= (*end == '/');
	if (vp != NULL && vp->v_type == VLNK && (flags & NI_NOFOLLOW) == 0 &&
	    ((flags & NI_FOLLOW) != 0 || slash)) {
		error = walk_follow(&w, vp, "", &cp, &dvp);
		vrele(vp);
		if (error != 0)
			goto fail;
		goto restart;
	}
	ni->ni_dvp = dvp;
	ni->ni_vp = vp;
	ni->ni_last = lookup_lasttype(cp, len);
	ni->ni_slash = slash;
	ni->ni_namelen = len;
	memcpy(ni->ni_name, cp, len);
	ni->ni_name[len] = '\0';
	walk_done(&w);
	return 0;

fail:
	walk_done(&w);
	vrele(dvp);
	return error;
}

void
namei_done(struct nameidata *ni)
{

	if (ni->ni_vp != NULL)
		vrele(ni->ni_vp);
	if (ni->ni_dvp != NULL)
		vrele(ni->ni_dvp);
	ni->ni_dvp = ni->ni_vp = NULL;
}
