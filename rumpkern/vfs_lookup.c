/*
 * vfs_lookup.c -- path name lookup (namei).
 *
 * namei walks every component but the last, and then looks the last
 * one up without failing when it is absent, so that one walk serves
 * open, creat, mkdir, rmdir, unlink, stat and chdir; each caller
 * decides what an absent or present last component means.  Its
 * answers follow Linux's path walk: repeated slashes count as one, ".."
 * at the root is the root, every directory passed through (including
 * the one holding the last component) needs search permission, a
 * component longer than NAME_MAX is ENAMETOOLONG when it is looked up,
 * and a non-directory in the middle of a path is ENOTDIR.  There are
 * no symbolic links, so O_NOFOLLOW and lstat have nothing to do.
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

/*
 * Resolve path from directory start (ignored for an absolute path).
 * On success ni_dvp is the directory holding the last component and
 * ni_vp the last component or NULL when it does not exist; both are
 * referenced until namei_done.
 */
int
namei(struct vnode *start, const char *path, const struct cred *cred,
    struct nameidata *ni)
{
	struct vnode *dvp, *vp;
	const char *cp, *end, *next;
	size_t len;
	int error;

	ni->ni_dvp = ni->ni_vp = NULL;
	if (*path == '\0')
		return ENOENT;
	dvp = (*path == '/') ? rootvnode : start;
	vref(dvp);
	for (cp = path; *cp == '/'; cp++)
		continue;
	if (*cp == '\0') {
		vref(dvp);
		ni->ni_dvp = ni->ni_vp = dvp;
		ni->ni_last = NI_ROOT;
		ni->ni_slash = true;
		ni->ni_namelen = 0;
		ni->ni_name[0] = '\0';
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
		if (*next == '\0')
			break;
		error = lookup_one(dvp, cp, len, &vp);
		if (error != 0)
			goto fail;
		vrele(dvp);
		dvp = vp;
		cp = next;
	}
	error = lookup_one(dvp, cp, len, &vp);
	if (error == ENOENT)
		vp = NULL;
	else if (error != 0)
		goto fail;
	ni->ni_dvp = dvp;
	ni->ni_vp = vp;
	ni->ni_last = lookup_lasttype(cp, len);
	ni->ni_slash = (*end == '/');
	ni->ni_namelen = len;
	memcpy(ni->ni_name, cp, len);
	ni->ni_name[len] = '\0';
	return 0;

fail:
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
