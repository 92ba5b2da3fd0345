/*
 * sys_poll.c -- poll(2) and ppoll(2) over any kernel descriptors.
 *
 * The array of struct pollfd is copied in once (it travels inline for
 * a remote client, INOUT in syscalls.master), scanned with the files'
 * fo_poll under the kernel lock, and the caller sleeps on its selwait
 * (subr_select.c) until a recorded object changes or the timeout
 * passes; then it scans again.  Each scan looks the descriptors up
 * afresh, so one closed meanwhile reports POLLNVAL.
 *
 * ppoll leaves its timeout as it was (glibc's const struct timespec),
 * unlike Linux's raw system call, which writes back the time left.
 * ppoll's signal mask is checked (size, readable) and otherwise has
 * no effect inside the kernel: the signals of a remote client are
 * delivered to its host process, where its own mask applies, and a
 * local program's thread keeps its mask while it sleeps here.
 */
#include "kern.h"
#include "sysent.h"

#define KSIGSETSIZE	8	/* Linux's kernel sigset_t */
#define NSEC		1000000000LL

int
file_poll(struct file *fp, int events, struct selwait *sw)
{

	if (fp->f_ops->fo_poll == NULL)
		return events & (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM);
	return fp->f_ops->fo_poll(fp, events, sw);
}

int
sel_timespec(const void *uts, int64_t *deadline)
{
	struct timespec ts;
	int error;

	if (uts == NULL) {
		*deadline = -1;
		return 0;
	}
	if ((error = copyin(uts, &ts, sizeof(ts))) != 0)
		return error;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= NSEC)
		return EINVAL;
	if (ts.tv_sec > INT64_MAX / NSEC / 2)
		*deadline = -1;
	else
		*deadline = sel_deadline(ts.tv_sec * NSEC + ts.tv_nsec);
	return 0;
}

/* one pass over the array: the number of entries with revents */
static int
poll_scan(struct proc *p, struct pollfd *fds, nfds_t nfds,
    struct selwait *sw)
{
	struct file *fp;
	nfds_t i;
	int n = 0;

	for (i = 0; i < nfds; i++) {
		fds[i].revents = 0;
		if (fds[i].fd < 0)
			continue;
		if (fd_getfile(p, fds[i].fd, &fp) != 0) {
			fds[i].revents = POLLNVAL;
		} else {
			fds[i].revents = (short)(file_poll(fp, fds[i].events,
			    sw) & (fds[i].events | POLLERR | POLLHUP));
			fd_putfile(fp);
		}
		if (fds[i].revents != 0) {
			n++;
			sw = NULL;	/* returning: record no more */
		}
	}
	return n;
}

static int
dopoll(struct lwp *l, struct pollfd *ufds, nfds_t nfds, int64_t deadline,
    register_t *rv)
{
	struct pollfd *fds = NULL;
	struct selwait sw;
	size_t sz = nfds * sizeof(*fds);
	int error = 0, n;

	if (nfds > (nfds_t)fd_limit(l->l_proc))
		return EINVAL;		/* Linux: above RLIMIT_NOFILE */
	if (nfds > 0) {
		if ((fds = kmem_alloc(sz)) == NULL)
			return ENOMEM;
		if ((error = copyin(ufds, fds, sz)) != 0)
			goto out;
	}
	selwait_init(&sw);
	for (;;) {
		selwait_arm(&sw);
		n = poll_scan(l->l_proc, fds, nfds, &sw);
		if (n > 0 || deadline == 0)
			break;
		if ((error = selwait_sleep(&sw, deadline)) != 0) {
			if (error == ETIMEDOUT)
				error = 0;
			break;
		}
	}
	selwait_fini(&sw);
	if (error == 0 && nfds > 0)
		error = copyout(fds, ufds, sz);
	if (error == 0)
		rv[0] = n;
 out:
	if (fds != NULL)
		kmem_free(fds, sz);
	return error;
}

int
sys_poll(struct lwp *l, const struct sys_poll_args *uap, register_t *rv)
{
	int timeout = SCARG(uap, timeout);
	int64_t deadline;

	deadline = timeout < 0 ? -1 : sel_deadline((int64_t)timeout * 1000000);
	if (timeout == 0)
		deadline = 0;
	return dopoll(l, SCARG(uap, fds), SCARG(uap, nfds), deadline, rv);
}

/* a signal mask: Linux's size, readable; it changes nothing here */
int
sel_sigmask(const void *usig, size_t size)
{
	uint64_t set;

	if (usig == NULL)
		return 0;
	if (size != KSIGSETSIZE)
		return EINVAL;
	return copyin(usig, &set, sizeof(set));
}

int
sys_ppoll(struct lwp *l, const struct sys_ppoll_args *uap, register_t *rv)
{
	int64_t deadline;
	int error;

	if ((error = sel_timespec(SCARG(uap, tmo), &deadline)) != 0)
		return error;
	if ((error = sel_sigmask(SCARG(uap, sigmask),
	    SCARG(uap, sigsetsize))) != 0)
		return error;
	if (SCARG(uap, tmo) != NULL && deadline >= 0 &&
	    deadline <= sel_now())
		deadline = 0;
	return dopoll(l, SCARG(uap, fds), SCARG(uap, nfds), deadline, rv);
}
