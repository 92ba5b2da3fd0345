/*
 * sys_epoll.c -- epoll_create1, epoll_ctl, epoll_wait and epoll_pwait.
 *
 * An epoll instance is a list of watched descriptors; epoll_wait
 * scans it with the files' fo_poll and sleeps on its selwait like
 * poll (subr_select.c), so readiness is level-triggered.  EPOLLONESHOT
 * disables an item once it reported, until EPOLL_CTL_MOD.  EPOLLET is
 * approximated from the states seen: an item is reported when a bit
 * becomes ready that was not ready at the previous scan, which is what
 * a program that reads or writes until EAGAIN relies on (Linux also
 * reports a second write to an already readable socket; we do not).
 *
 * An item names a descriptor of the caller's table and remembers the
 * file's serial number, not a reference: the instance keeps no file
 * open.  When the descriptor is closed or reused for another file the
 * item is dropped at the next scan or epoll_ctl, as Linux drops it
 * when the file is closed (Linux keeps it while a dup of the
 * descriptor lives on; here it goes with the descriptor).  Files
 * without fo_poll (regular files, directories, devices) cannot be
 * added (EPERM), as on Linux.  An epoll instance can watch another
 * one; a scan goes at most EP_MAXDEPTH instances deep.
 *
 * Locking: the kernel lock, never given up during a scan (fo_poll does
 * not sleep); epoll_wait copies its events out after the scan.
 */
#include <sys/epoll.h>

#include "kern.h"
#include "sysent.h"

#define EP_MAXEVENTS	(INT_MAX / (int)sizeof(struct epoll_event))
#define EP_MAXDEPTH	4
#define EP_CTLFLAGS	(EPOLLET | EPOLLONESHOT | EPOLLEXCLUSIVE | \
	EPOLLWAKEUP)

struct epitem {
	TAILQ_ENTRY(epitem)	 ei_link;
	int			 ei_fd;
	uint64_t		 ei_serial;	/* of the file at ei_fd */
	uint32_t		 ei_events;
	uint64_t		 ei_data;
	bool			 ei_disabled;	/* EPOLLONESHOT fired */
	uint32_t		 ei_seen;	/* EPOLLET: ready at last scan */
};

struct eventpoll {
	TAILQ_HEAD(, epitem)	 ep_items;
	struct selinfo		 ep_sel;
};

static int	ep_close(struct file *);
static int	ep_poll(struct file *, int, struct selwait *);
static int	ep_stat(struct file *, struct stat *);

static const struct fileops epollops = {
	.fo_read = NULL,
	.fo_write = NULL,
	.fo_stat = ep_stat,
	.fo_seek = NULL,
	.fo_close = ep_close,
	.fo_poll = ep_poll,
};

static int ep_depth;

static void
ep_drop(struct eventpoll *ep, struct epitem *ei)
{

	TAILQ_REMOVE(&ep->ep_items, ei, ei_link);
	kmem_free(ei, sizeof(*ei));
}

/* the item's file if its descriptor still holds it (referenced) */
static struct file *
ep_file(struct proc *p, struct epitem *ei)
{
	struct file *fp;

	if (fd_getfile(p, ei->ei_fd, &fp) != 0)
		return NULL;
	if (fp->f_serial != ei->ei_serial) {
		fd_putfile(fp);
		return NULL;
	}
	return fp;
}

/* one scan: fill up to max events (out may be NULL to count only) */
static int
ep_scan(struct proc *p, struct eventpoll *ep, struct epoll_event *out,
    int max, struct selwait *sw)
{
	struct epitem *ei, *next;
	struct file *fp;
	uint32_t rev, fresh;
	int n = 0;

	if (ep_depth >= EP_MAXDEPTH)
		return 0;
	ep_depth++;
	TAILQ_FOREACH_SAFE(ei, &ep->ep_items, ei_link, next) {
		if ((fp = ep_file(p, ei)) == NULL) {
			ep_drop(ep, ei);
			continue;
		}
		rev = ei->ei_disabled ? 0 : (uint32_t)file_poll(fp,
		    (int)(ei->ei_events & ~EP_CTLFLAGS), n < max ? sw : NULL);
		fd_putfile(fp);
		rev &= ei->ei_events | EPOLLERR | EPOLLHUP;
		fresh = rev;
		if ((ei->ei_events & EPOLLET) != 0) {
			fresh = rev & ~ei->ei_seen;
			/* remembered by epoll_wait, unless left unreported */
			if (out != NULL && (fresh == 0 || n < max))
				ei->ei_seen = rev;
		}
		if (fresh == 0 || n >= max)
			continue;
		if (out != NULL) {
			out[n].events = rev;
			out[n].data.u64 = ei->ei_data;
			if ((ei->ei_events & EPOLLONESHOT) != 0)
				ei->ei_disabled = true;
		}
		n++;
	}
	ep_depth--;
	return n;
}

static int
ep_poll(struct file *fp, int events, struct selwait *sw)
{
	struct eventpoll *ep = fp->f_data;
	struct lwp *l = curlwp;
	int revents = 0;

	/* not ready: sw is recorded on the items and on ep itself */
	if (l != NULL && ep_scan(l->l_proc, ep, NULL, 1, sw) > 0)
		revents = events & (POLLIN | POLLRDNORM);
	if (revents == 0)
		selrecord(sw, &ep->ep_sel);
	return revents;
}

static int
ep_stat(struct file *fp, struct stat *sb)
{

	memset(sb, 0, sizeof(*sb));
	sb->st_mode = 0600;		/* anon_inode, as Linux */
	sb->st_nlink = 1;
	sb->st_blksize = 4096;
	return 0;
}

static int
ep_close(struct file *fp)
{
	struct eventpoll *ep = fp->f_data;
	struct epitem *ei;

	while ((ei = TAILQ_FIRST(&ep->ep_items)) != NULL)
		ep_drop(ep, ei);
	kmem_free(ep, sizeof(*ep));
	return 0;
}

int
sys_epoll_create1(struct lwp *l, const struct sys_epoll_create1_args *uap,
    register_t *rv)
{
	int flags = SCARG(uap, flags), fd, error;
	struct eventpoll *ep;
	struct file *fp;

	if ((flags & ~EPOLL_CLOEXEC) != 0)
		return EINVAL;
	if ((ep = kmem_zalloc(sizeof(*ep))) == NULL)
		return ENOMEM;
	TAILQ_INIT(&ep->ep_items);
	if ((fp = falloc_file()) == NULL) {
		kmem_free(ep, sizeof(*ep));
		return ENFILE;
	}
	fp->f_flag = FREAD | FWRITE;
	fp->f_ops = &epollops;
	fp->f_data = ep;
	fp->f_type = DTYPE_EPOLL;
	error = fd_install(l->l_proc, fp, 0, (flags & EPOLL_CLOEXEC) != 0,
	    &fd);
	fd_putfile(fp);
	if (error == 0)
		rv[0] = fd;
	return error;
}

static struct epitem *
ep_find(struct proc *p, struct eventpoll *ep, int fd)
{
	struct epitem *ei, *next;
	struct file *fp;

	TAILQ_FOREACH_SAFE(ei, &ep->ep_items, ei_link, next) {
		if (ei->ei_fd != fd)
			continue;
		if ((fp = ep_file(p, ei)) == NULL) {
			ep_drop(ep, ei);	/* closed meanwhile */
			return NULL;
		}
		fd_putfile(fp);
		return ei;
	}
	return NULL;
}

static int
ep_ctl(struct proc *p, struct eventpoll *ep, int op, int fd,
    struct file *tfp, const struct epoll_event *ev)
{
	struct epitem *ei;

	ei = ep_find(p, ep, fd);
	switch (op) {
	case EPOLL_CTL_ADD:
		if (ei != NULL)
			return EEXIST;
		if ((ei = kmem_zalloc(sizeof(*ei))) == NULL)
			return ENOMEM;
		ei->ei_fd = fd;
		ei->ei_serial = tfp->f_serial;
		ei->ei_events = ev->events;
		ei->ei_data = ev->data.u64;
		TAILQ_INSERT_TAIL(&ep->ep_items, ei, ei_link);
		break;
	case EPOLL_CTL_MOD:
		if (ei == NULL)
			return ENOENT;
		if ((ev->events & EPOLLEXCLUSIVE) != 0)
			return EINVAL;
		ei->ei_events = ev->events;
		ei->ei_data = ev->data.u64;
		ei->ei_disabled = false;
		ei->ei_seen = 0;
		break;
	case EPOLL_CTL_DEL:
		if (ei == NULL)
			return ENOENT;
		ep_drop(ep, ei);
		break;
	}
	/* pollers of this instance look again */
	selnotify(&ep->ep_sel);
	return 0;
}

int
sys_epoll_ctl(struct lwp *l, const struct sys_epoll_ctl_args *uap,
    register_t *rv)
{
	struct proc *p = l->l_proc;
	int op = SCARG(uap, op), fd = SCARG(uap, fd), error;
	struct file *efp, *tfp;
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	if (op != EPOLL_CTL_ADD && op != EPOLL_CTL_MOD && op != EPOLL_CTL_DEL)
		return EINVAL;
	if (op != EPOLL_CTL_DEL &&
	    (error = copyin(SCARG(uap, event), &ev, sizeof(ev))) != 0)
		return error;
	if ((error = fd_getfile(p, SCARG(uap, epfd), &efp)) != 0)
		return error;
	if ((error = fd_getfile(p, fd, &tfp)) != 0) {
		fd_putfile(efp);
		return error;
	}
	if (tfp->f_ops->fo_poll == NULL)
		error = EPERM;
	else if (efp->f_type != DTYPE_EPOLL || efp == tfp)
		error = EINVAL;
	else
		error = ep_ctl(p, efp->f_data, op, fd, tfp, &ev);
	fd_putfile(tfp);
	fd_putfile(efp);
	return error;
}

static int
ep_wait(struct lwp *l, int epfd, struct epoll_event *uev, int max,
    int timeout, register_t *rv)
{
	struct epoll_event *ev;
	struct selwait sw;
	struct file *fp;
	int64_t deadline;
	size_t sz;
	int error, n = 0;

	if (max <= 0 || max > EP_MAXEVENTS)
		return EINVAL;
	if ((error = fd_getfile(l->l_proc, epfd, &fp)) != 0)
		return error;
	if (fp->f_type != DTYPE_EPOLL) {
		fd_putfile(fp);
		return EINVAL;
	}
	if (max > RUMP_MAXFILES)
		max = RUMP_MAXFILES;	/* no more items than descriptors */
	sz = (size_t)max * sizeof(*ev);
	if ((ev = kmem_alloc(sz)) == NULL) {
		fd_putfile(fp);
		return ENOMEM;
	}
	deadline = timeout < 0 ? -1 : timeout == 0 ? 0 :
	    sel_deadline((int64_t)timeout * 1000000);
	selwait_init(&sw);
	for (;;) {
		selwait_arm(&sw);
		n = ep_scan(l->l_proc, fp->f_data, ev, max, &sw);
		if (n > 0 || deadline == 0)
			break;
		if ((error = selwait_sleep(&sw, deadline)) != 0) {
			if (error == ETIMEDOUT)
				error = 0;
			break;
		}
	}
	selwait_fini(&sw);
	fd_putfile(fp);
	if (error == 0 && n > 0)
		error = copyout(ev, uev, (size_t)n * sizeof(*ev));
	kmem_free(ev, sz);
	if (error == 0)
		rv[0] = n;
	return error;
}

int
sys_epoll_wait(struct lwp *l, const struct sys_epoll_wait_args *uap,
    register_t *rv)
{

	return ep_wait(l, SCARG(uap, epfd), SCARG(uap, events),
	    SCARG(uap, maxevents), SCARG(uap, timeout), rv);
}

int
sys_epoll_pwait(struct lwp *l, const struct sys_epoll_pwait_args *uap,
    register_t *rv)
{
	int error;

	if ((error = sel_sigmask(SCARG(uap, sigmask),
	    SCARG(uap, sigsetsize))) != 0)
		return error;
	return ep_wait(l, SCARG(uap, epfd), SCARG(uap, events),
	    SCARG(uap, maxevents), SCARG(uap, timeout), rv);
}
