/*
 * kern_filelist.c -- sysctl kern.file: every open descriptor of every
 * process as a struct rump_fileinfo (<rump/rumpdefs.h>), for
 * rump.fstat.  Made under the kernel lock into a kernel buffer that
 * sysctl copies out after, as kern.proc.all.
 *
 * Names: a directory knows its own name and parent (as for getcwd), but
 * a regular file, device or link does not know which names it has.
 * Rather than remember a name at open(2) (it goes stale on rename and
 * costs memory on every open), the snapshot marks the vnodes it wants
 * with a generation number and walks the file system once, giving
 * each marked vnode the first name that refers to it.  The walk is
 * bounded (FILELIST_WALKMAX names), so a huge tree leaves some names
 * unknown instead of holding the kernel lock for long.
 */
#include <rump/rumpdefs.h>

#include "vfs.h"

#define FILELIST_WALKMAX	(1024 * 1024)	/* names one walk looks at */
#define GETFL_FLAGS		(O_APPEND | O_NONBLOCK | O_ASYNC)

struct filelist {
	struct rump_fileinfo	*fl_buf;
	struct vnode		**fl_vps;	/* fl_buf[i]'s vnode to name */
	size_t			 fl_n;
	size_t			 fl_unnamed;	/* marked vnodes left */
	uint64_t		 fl_gen;
};

static uint64_t filelist_gen;

/* a record's type is the file's: the numbers are the same */
_Static_assert(DTYPE_VNODE == RUMP_FTYPE_VNODE &&
    DTYPE_PIPE == RUMP_FTYPE_PIPE && DTYPE_SOCKET == RUMP_FTYPE_SOCKET &&
    DTYPE_EPOLL == RUMP_FTYPE_EPOLL, "DTYPE_* and RUMP_FTYPE_* differ");

/*
 * The path of directory vp, built backwards into path[0..len) as
 * getcwd does; returns where it starts, or NULL if vp has no name.
 */
static char *
dirpath(struct vnode *vp, char *path, size_t len)
{
	struct memfs_dirent *de;
	size_t pos = len;

	path[--pos] = '\0';
	if ((vp->v_flag & VREMOVED) != 0)
		return NULL;
	for (; (vp->v_flag & VROOT) == 0; vp = vp->v_dir.parent) {
		if ((de = vp->v_dir.self) == NULL ||
		    de->md_namelen + 1 > pos)
			return NULL;
		pos -= de->md_namelen;
		memcpy(path + pos, de->md_name, de->md_namelen);
		path[--pos] = '/';
	}
	if (pos == len - 1)
		path[--pos] = '/';
	return path + pos;
}

/* the field keeps the end of a path too long for it */
static void
setpath(struct rump_fileinfo *fi, const char *path)
{
	size_t len = strlen(path), keep;

	if (len < sizeof(fi->rfi_path)) {
		memcpy(fi->rfi_path, path, len + 1);
		return;
	}
	keep = sizeof(fi->rfi_path) - 4;
	memcpy(fi->rfi_path, "...", 3);
	memcpy(fi->rfi_path + 3, path + len - keep, keep + 1);
}

static void
file_info(struct proc *p, int fd, struct file *fp, struct rump_fileinfo *fi)
{
	struct stat st;

	memset(fi, 0, sizeof(*fi));
	fi->rfi_pid = p->p_pid;
	fi->rfi_fd = fd;
	fi->rfi_type = fp->f_type;
	fi->rfi_flags = (fp->f_flag & GETFL_FLAGS) |
	    ((fp->f_flag & (FREAD | FWRITE)) == (FREAD | FWRITE) ? O_RDWR :
	    (fp->f_flag & FWRITE) ? O_WRONLY : O_RDONLY);
	fi->rfi_fdflags = p->p_fd->fd_ofiles[fd].fe_flags;
	fi->rfi_count = fp->f_count;
	fi->rfi_offset = fp->f_offset;
	fi->rfi_id = fp->f_serial;
	if (fp->f_type == DTYPE_PIPE || fp->f_type == DTYPE_SOCKET)
		fi->rfi_dataid = (uint64_t)(uintptr_t)fp->f_data;
	if (fp->f_ops->fo_stat != NULL && fp->f_ops->fo_stat(fp, &st) == 0) {
		fi->rfi_ino = st.st_ino;
		fi->rfi_rdev = st.st_rdev;
		fi->rfi_size = st.st_size;
		fi->rfi_mode = st.st_mode;
		fi->rfi_nlink = (uint32_t)st.st_nlink;
	}
}

/* a record for a vnode: a directory's name now, another's marked */
static void
file_name(struct filelist *fl, struct file *fp)
{
	struct vnode *vp = fp->f_data;
	char path[PATH_MAX], *s;

	fl->fl_vps[fl->fl_n] = NULL;
	if (fp->f_type != DTYPE_VNODE || vp == NULL)
		return;
	if (vp->v_type == VDIR) {
		if ((s = dirpath(vp, path, sizeof(path))) != NULL)
			setpath(&fl->fl_buf[fl->fl_n], s);
		return;
	}
	if (vp->v_nlink == 0)
		return;
	fl->fl_vps[fl->fl_n] = vp;
	if (vp->v_listgen != fl->fl_gen) {
		vp->v_listgen = fl->fl_gen;
		fl->fl_unnamed++;
	}
}

/* memfs_walk: name every record of a marked vnode */
static int
file_found(struct vnode *dvp, struct memfs_dirent *de, void *arg)
{
	struct filelist *fl = arg;
	struct vnode *vp = de->md_vp;
	char path[PATH_MAX], *s;
	size_t i, len;

	if (vp->v_listgen != fl->fl_gen)
		return 0;
	vp->v_listgen = 0;
	fl->fl_unnamed--;
	if ((s = dirpath(dvp, path, sizeof(path) - NAME_MAX - 2)) != NULL) {
		len = strlen(s);
		if (s[len - 1] != '/')
			s[len++] = '/';
		memcpy(s + len, de->md_name, de->md_namelen + 1);
		for (i = 0; i < fl->fl_n; i++)
			if (fl->fl_vps[i] == vp)
				setpath(&fl->fl_buf[i], s);
	}
	return fl->fl_unnamed == 0;
}

static size_t
file_count(void)
{
	struct proc *p;
	size_t n = 0;
	int i;

	LIST_FOREACH(p, &allproc, p_list) {
		if (p->p_fd == NULL)
			continue;
		for (i = 0; i < p->p_fd->fd_nfiles; i++)
			if (p->p_fd->fd_ofiles[i].fe_file != NULL)
				n++;
	}
	return n;
}

/*
 * A snapshot of every descriptor in a new buffer of *bufszp bytes,
 * *needp of them used; kmem_free it.
 */
int
filelist_snapshot(struct rump_fileinfo **bufp, size_t *needp, size_t *bufszp)
{
	struct filelist fl;
	struct file *fp;
	struct proc *p;
	size_t max;
	int i;

	max = file_count();
	if (max == 0)
		max = 1;
	memset(&fl, 0, sizeof(fl));
	fl.fl_gen = ++filelist_gen;
	if ((fl.fl_buf = kmem_alloc(max * sizeof(*fl.fl_buf))) == NULL)
		return ENOMEM;
	if ((fl.fl_vps = kmem_alloc(max * sizeof(*fl.fl_vps))) == NULL) {
		kmem_free(fl.fl_buf, max * sizeof(*fl.fl_buf));
		return ENOMEM;
	}
	LIST_FOREACH(p, &allproc, p_list) {
		if (p->p_fd == NULL)
			continue;
		for (i = 0; i < p->p_fd->fd_nfiles && fl.fl_n < max; i++) {
			if ((fp = p->p_fd->fd_ofiles[i].fe_file) == NULL)
				continue;
			file_info(p, i, fp, &fl.fl_buf[fl.fl_n]);
			file_name(&fl, fp);
			fl.fl_n++;
		}
	}
	if (fl.fl_unnamed > 0)
		(void)memfs_walk(rootvnode, file_found, &fl, FILELIST_WALKMAX);
	kmem_free(fl.fl_vps, max * sizeof(*fl.fl_vps));
	*bufp = fl.fl_buf;
	*needp = fl.fl_n * sizeof(*fl.fl_buf);
	*bufszp = max * sizeof(*fl.fl_buf);
	return 0;
}
