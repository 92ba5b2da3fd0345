/*
 * kern_descrip.c -- descriptor tables and open files.
 *
 * A descriptor table may be shared by several processes (rfork with
 * flags 0) and is freed with its last one.  A struct file is shared by
 * every descriptor that refers to it (fork copies, dup) and is closed
 * with its last reference: f_count counts table slots plus the
 * temporary references system calls take with fd_getfile().
 *
 * No descriptor is made at or past the process's RLIMIT_NOFILE soft
 * limit (fd_limit()): EMFILE for calls that pick the number, EBADF
 * for dup2/dup3 (which are given it) and EINVAL for F_DUPFD's
 * minimum, as Linux.  A table shared by processes with different
 * limits obeys the caller's.
 *
 * F_SETOWN records who gets SIGIO for an O_ASYNC file (a pid, or a
 * process group as a negative number) together with the real and
 * effective uid of the caller, which decide later whether the signal
 * may be sent (kern_sig.c).  The owner is kept as a number, not a
 * reference: once its process is gone, a process that gets the same
 * pid later would get the signal (Linux holds the struct pid), but
 * pids come round again only after all the others up to PID_MAX.
 */
#include "kern.h"
#include "sysent.h"

#define NDFILE	16	/* initial table size */

struct filedesc *
fd_init(void)
{
	struct filedesc *fdp;

	if ((fdp = kmem_zalloc(sizeof(*fdp))) == NULL)
		return NULL;
	fdp->fd_refcnt = 1;
	return fdp;
}

static int
fd_grow(struct filedesc *fdp, int want)
{
	struct fdent *nf;
	int n;

	if (want >= RUMP_MAXFILES)
		return EMFILE;
	n = fdp->fd_nfiles ? fdp->fd_nfiles : NDFILE;
	while (n <= want)
		n *= 2;
	if (n > RUMP_MAXFILES)
		n = RUMP_MAXFILES;
	if ((nf = kmem_zalloc(sizeof(*nf) * (size_t)n)) == NULL)
		return ENOMEM;
	if (fdp->fd_nfiles > 0) {
		memcpy(nf, fdp->fd_ofiles,
		    sizeof(*nf) * (size_t)fdp->fd_nfiles);
		kmem_free(fdp->fd_ofiles,
		    sizeof(*nf) * (size_t)fdp->fd_nfiles);
	}
	fdp->fd_ofiles = nf;
	fdp->fd_nfiles = n;
	return 0;
}

struct filedesc *
fd_copy(struct filedesc *src)
{
	struct filedesc *fdp;
	int i;

	if ((fdp = fd_init()) == NULL)
		return NULL;
	if (src->fd_nfiles > 0 && fd_grow(fdp, src->fd_nfiles - 1) != 0) {
		fd_free(fdp);
		return NULL;
	}
	for (i = 0; i < src->fd_nfiles; i++) {
		fdp->fd_ofiles[i] = src->fd_ofiles[i];
		if (fdp->fd_ofiles[i].fe_file != NULL)
			fhold(fdp->fd_ofiles[i].fe_file);
	}
	return fdp;
}

void
fd_share(struct filedesc *fdp)
{

	fdp->fd_refcnt++;
}

void
fd_free(struct filedesc *fdp)
{
	struct file *fp;
	int i;

	if (--fdp->fd_refcnt > 0)
		return;
	for (i = 0; i < fdp->fd_nfiles; i++) {
		if ((fp = fdp->fd_ofiles[i].fe_file) != NULL) {
			fdp->fd_ofiles[i].fe_file = NULL;
			fd_putfile(fp);
		}
	}
	if (fdp->fd_nfiles > 0)
		kmem_free(fdp->fd_ofiles,
		    sizeof(*fdp->fd_ofiles) * (size_t)fdp->fd_nfiles);
	kmem_free(fdp, sizeof(*fdp));
}

void
fd_closeexec(struct filedesc *fdp)
{
	struct file *fp;
	int i;

	for (i = 0; i < fdp->fd_nfiles; i++) {
		fp = fdp->fd_ofiles[i].fe_file;
		if (fp != NULL && (fdp->fd_ofiles[i].fe_flags & FD_CLOEXEC)) {
			fdp->fd_ofiles[i].fe_file = NULL;
			fdp->fd_ofiles[i].fe_flags = 0;
			fd_putfile(fp);
		}
	}
}

struct file *
falloc_file(void)
{
	struct file *fp;

	if ((fp = kmem_zalloc(sizeof(*fp))) == NULL)
		return NULL;
	fp->f_count = 1;
	return fp;
}

int
fd_install(struct proc *p, struct file *fp, int minfd, int cloexec, int *fdp)
{
	struct filedesc *fdt = p->p_fd;
	int fd, error, lim = fd_limit(p);

	if (minfd < 0 || minfd >= lim)
		return minfd < 0 ? EINVAL : EMFILE;
	for (fd = minfd; fd < fdt->fd_nfiles && fd < lim; fd++) {
		if (fdt->fd_ofiles[fd].fe_file == NULL)
			break;
	}
	if (fd >= lim)
		return EMFILE;
	if (fd >= fdt->fd_nfiles && (error = fd_grow(fdt, fd)) != 0)
		return error;
	fhold(fp);
	fdt->fd_ofiles[fd].fe_file = fp;
	fdt->fd_ofiles[fd].fe_flags = cloexec ? FD_CLOEXEC : 0;
	*fdp = fd;
	return 0;
}

int
fd_getfile(struct proc *p, int fd, struct file **fpp)
{
	struct filedesc *fdt = p->p_fd;
	struct file *fp;

	if (fdt == NULL || fd < 0 || fd >= fdt->fd_nfiles ||
	    (fp = fdt->fd_ofiles[fd].fe_file) == NULL)
		return EBADF;
	fhold(fp);
	*fpp = fp;
	return 0;
}

void
fd_putfile(struct file *fp)
{

	KASSERT(fp->f_count > 0);
	if (--fp->f_count > 0)
		return;
	if (fp->f_ops != NULL && fp->f_ops->fo_close != NULL)
		(void)fp->f_ops->fo_close(fp);
	kmem_free(fp, sizeof(*fp));
}

int
fd_close(struct proc *p, int fd)
{
	struct filedesc *fdt = p->p_fd;
	struct file *fp;

	if (fdt == NULL || fd < 0 || fd >= fdt->fd_nfiles ||
	    (fp = fdt->fd_ofiles[fd].fe_file) == NULL)
		return EBADF;
	fdt->fd_ofiles[fd].fe_file = NULL;
	fdt->fd_ofiles[fd].fe_flags = 0;
	fd_putfile(fp);
	return 0;
}

int
sys_close(struct lwp *l, const struct sys_close_args *uap, register_t *rv)
{

	return fd_close(l->l_proc, SCARG(uap, fd));
}

int
sys_dup(struct lwp *l, const struct sys_dup_args *uap, register_t *rv)
{
	struct file *fp;
	int error, fd;

	if ((error = fd_getfile(l->l_proc, SCARG(uap, fd), &fp)) != 0)
		return error;
	error = fd_install(l->l_proc, fp, 0, 0, &fd);
	fd_putfile(fp);
	if (error == 0)
		rv[0] = fd;
	return error;
}

/*
 * dup2 and dup3: newfd becomes a descriptor for oldfd's file, closing
 * what newfd had.  The callers have dealt with oldfd == newfd.
 */
static int
do_dup2(struct proc *p, int oldfd, int newfd, int flags, register_t *rv)
{
	struct filedesc *fdt = p->p_fd;
	struct file *fp, *old;
	int error;

	if (newfd < 0 || newfd >= fd_limit(p))
		return EBADF;
	if ((error = fd_getfile(p, oldfd, &fp)) != 0)
		return error;
	if (newfd >= fdt->fd_nfiles && (error = fd_grow(fdt, newfd)) != 0) {
		fd_putfile(fp);
		return error;
	}
	/* the reference from fd_getfile becomes the slot's */
	old = fdt->fd_ofiles[newfd].fe_file;
	fdt->fd_ofiles[newfd].fe_file = fp;
	fdt->fd_ofiles[newfd].fe_flags = (flags & O_CLOEXEC) ? FD_CLOEXEC : 0;
	if (old != NULL)
		fd_putfile(old);
	rv[0] = newfd;
	return 0;
}

int
sys_dup2(struct lwp *l, const struct sys_dup2_args *uap, register_t *rv)
{
	struct proc *p = l->l_proc;
	int oldfd = SCARG(uap, oldfd), newfd = SCARG(uap, newfd), error;
	struct file *fp;

	if (newfd == oldfd) {
		/* Linux: EBADF if oldfd is not open, else nothing to do */
		if ((error = fd_getfile(p, oldfd, &fp)) != 0)
			return error;
		fd_putfile(fp);
		rv[0] = newfd;
		return 0;
	}
	return do_dup2(p, oldfd, newfd, 0, rv);
}

int
sys_dup3(struct lwp *l, const struct sys_dup3_args *uap, register_t *rv)
{
	int flags = SCARG(uap, flags);

	if ((flags & ~O_CLOEXEC) != 0 || SCARG(uap, oldfd) == SCARG(uap, newfd))
		return EINVAL;
	return do_dup2(l->l_proc, SCARG(uap, oldfd), SCARG(uap, newfd), flags,
	    rv);
}

/* the file status flags F_SETFL may change */
#define FCNTLFLAGS	(O_APPEND | O_NONBLOCK | O_ASYNC)

/* F_SETOWN: a live process (owner > 0) or process group (owner < 0) */
static int
fown_set(struct proc *p, struct file *fp, long arg)
{
	struct proc *q;
	pid_t owner = (pid_t)arg;
	bool found = false;

	if (owner == INT_MIN)		/* Linux takes the int of arg */
		return EINVAL;
	if (owner > 0)
		found = proc_find(owner) != NULL;
	else if (owner < 0) {
		LIST_FOREACH(q, &allproc, p_list) {
			if (q->p_pgid == -owner &&
			    (q->p_flag & P_PREFORK) == 0) {
				found = true;
				break;
			}
		}
	}
	if (owner != 0 && !found)
		return ESRCH;
	fp->f_owner = owner;
	fp->f_ownuid = p->p_cred.cr_uid;
	fp->f_owneuid = p->p_cred.cr_euid;
	return 0;
}

int
sys_fcntl(struct lwp *l, const struct sys_fcntl_args *uap, register_t *rv)
{
	struct proc *p = l->l_proc;
	int fd = SCARG(uap, fd), cmd = SCARG(uap, cmd), error, nfd;
	long arg = SCARG(uap, arg);
	struct file *fp;

	if ((error = fd_getfile(p, fd, &fp)) != 0)
		return error;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg < 0 || arg >= fd_limit(p)) {
			error = EINVAL;
			break;
		}
		error = fd_install(p, fp, (int)arg, cmd == F_DUPFD_CLOEXEC,
		    &nfd);
		if (error == 0)
			rv[0] = nfd;
		break;
	case F_GETFD:
		rv[0] = p->p_fd->fd_ofiles[fd].fe_flags & FD_CLOEXEC;
		break;
	case F_SETFD:
		p->p_fd->fd_ofiles[fd].fe_flags = (arg & FD_CLOEXEC) ?
		    FD_CLOEXEC : 0;
		break;
	case F_GETFL:
		rv[0] = (fp->f_flag & FCNTLFLAGS) |
		    ((fp->f_flag & (FREAD | FWRITE)) == (FREAD | FWRITE) ?
		    O_RDWR : (fp->f_flag & FWRITE) ? O_WRONLY : O_RDONLY);
		break;
	case F_SETFL:
		fp->f_flag = (fp->f_flag & ~FCNTLFLAGS) |
		    ((int)arg & FCNTLFLAGS);
		break;
	case F_GETOWN:
		rv[0] = fp->f_owner;
		break;
	case F_SETOWN:
		error = fown_set(p, fp, arg);
		break;
	default:
		error = EINVAL;
		break;
	}
	fd_putfile(fp);
	return error;
}
