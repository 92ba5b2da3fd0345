/*
 * sys_select.c -- select(2) and pselect6(2), built on the same scan
 * and wait as poll (subr_select.c, file_poll in sys_poll.c).
 *
 * Linux's rules: nfds < 0 is EINVAL and a larger nfds than an fd_set
 * holds (FD_SETSIZE) is cut to it, so descriptors from FD_SETSIZE up
 * cannot be selected (poll and epoll take them);
 * only ((nfds + 63) / 64) 64-bit words of each set are read and
 * written, as Linux does; a bit set for a descriptor that is not open
 * is EBADF; readable means POLLIN, POLLHUP or POLLERR, writable
 * POLLOUT or POLLERR, exceptional POLLPRI.  select writes the time
 * left back into its struct timeval, as Linux does; pselect6 leaves
 * its timespec alone (glibc's pselect passes it const).  pselect6's
 * last argument is Linux's: a pointer to { const sigset_t *ss;
 * size_t ss_len; }, checked and otherwise without effect, as for
 * ppoll.
 *
 * Locking: as poll: the sets are copied in first, scanned and slept on
 * under the kernel lock, and copied out last.
 */
#include <sys/select.h>

#include "kern.h"
#include "sysent.h"

#define NSEC		1000000000LL
#define WORDBITS	64
#define SEL_IN		(POLLIN | POLLRDNORM | POLLRDBAND | POLLHUP | POLLERR)
#define SEL_OUT		(POLLOUT | POLLWRNORM | POLLWRBAND | POLLERR)
#define SEL_EX		POLLPRI

struct selsets {
	uint64_t	in[FD_SETSIZE / WORDBITS];
	uint64_t	ou[FD_SETSIZE / WORDBITS];
	uint64_t	ex[FD_SETSIZE / WORDBITS];
	uint64_t	rin[FD_SETSIZE / WORDBITS];
	uint64_t	rou[FD_SETSIZE / WORDBITS];
	uint64_t	rex[FD_SETSIZE / WORDBITS];
};

static bool
bit(const uint64_t *set, int fd)
{

	return (set[fd / WORDBITS] >> (fd % WORDBITS)) & 1;
}

static void
setbit(uint64_t *set, int fd)
{

	set[fd / WORDBITS] |= (uint64_t)1 << (fd % WORDBITS);
}

/* one pass: the number of bits set in the result sets */
static int
select_scan(struct proc *p, int nfds, struct selsets *s,
    struct selwait *sw, int *errorp)
{
	struct file *fp;
	int fd, ev, rev, n = 0;

	memset(s->rin, 0, sizeof(s->rin));
	memset(s->rou, 0, sizeof(s->rou));
	memset(s->rex, 0, sizeof(s->rex));
	for (fd = 0; fd < nfds; fd++) {
		ev = (bit(s->in, fd) ? SEL_IN : 0) |
		    (bit(s->ou, fd) ? SEL_OUT : 0) |
		    (bit(s->ex, fd) ? SEL_EX : 0);
		if (ev == 0)
			continue;
		if (fd_getfile(p, fd, &fp) != 0) {
			*errorp = EBADF;
			return 0;
		}
		rev = file_poll(fp, ev, sw);
		fd_putfile(fp);
		if ((rev & ev & SEL_IN) != 0 && bit(s->in, fd)) {
			setbit(s->rin, fd);
			n++;
		}
		if ((rev & ev & SEL_OUT) != 0 && bit(s->ou, fd)) {
			setbit(s->rou, fd);
			n++;
		}
		if ((rev & ev & SEL_EX) != 0 && bit(s->ex, fd)) {
			setbit(s->rex, fd);
			n++;
		}
		if (n > 0)
			sw = NULL;	/* returning: record no more */
	}
	return n;
}

static int
set_in(const void *uset, uint64_t *kset, size_t bytes)
{

	memset(kset, 0, FD_SETSIZE / 8);
	return uset == NULL ? 0 : copyin(uset, kset, bytes);
}

static int
set_out(const uint64_t *kset, void *uset, size_t bytes)
{

	return uset == NULL ? 0 : copyout(kset, uset, bytes);
}

static int
doselect(struct lwp *l, int nfds, void *uin, void *uou, void *uex,
    int64_t deadline, register_t *rv)
{
	struct selsets *s;
	struct selwait sw;
	size_t bytes;
	int error = 0, n = 0, fd;

	if (nfds < 0)
		return EINVAL;
	if (nfds > FD_SETSIZE)
		nfds = FD_SETSIZE;
	bytes = (size_t)(nfds + WORDBITS - 1) / WORDBITS * 8;
	if ((s = kmem_alloc(sizeof(*s))) == NULL)
		return ENOMEM;
	if ((error = set_in(uin, s->in, bytes)) != 0 ||
	    (error = set_in(uou, s->ou, bytes)) != 0 ||
	    (error = set_in(uex, s->ex, bytes)) != 0)
		goto out;
	/* bits past nfds in the last word are not looked at */
	for (fd = nfds; fd < (int)bytes * 8; fd++) {
		s->in[fd / WORDBITS] &= ~((uint64_t)1 << (fd % WORDBITS));
		s->ou[fd / WORDBITS] &= ~((uint64_t)1 << (fd % WORDBITS));
		s->ex[fd / WORDBITS] &= ~((uint64_t)1 << (fd % WORDBITS));
	}
	selwait_init(&sw);
	for (;;) {
		selwait_arm(&sw);
		n = select_scan(l->l_proc, nfds, s, &sw, &error);
		if (n > 0 || error != 0 || deadline == 0)
			break;
		if ((error = selwait_sleep(&sw, deadline)) != 0) {
			if (error == ETIMEDOUT)
				error = 0;
			break;
		}
	}
	selwait_fini(&sw);
	if (error == 0 && ((error = set_out(s->rin, uin, bytes)) != 0 ||
	    (error = set_out(s->rou, uou, bytes)) != 0 ||
	    (error = set_out(s->rex, uex, bytes)) != 0))
		goto out;
	if (error == 0)
		rv[0] = n;
 out:
	kmem_free(s, sizeof(*s));
	return error;
}

int
sys_select(struct lwp *l, const struct sys_select_args *uap,
    register_t *rv)
{
	struct timeval tv, *utv = SCARG(uap, timeout);
	int64_t deadline = -1, left;
	int error;

	if (utv != NULL) {
		if ((error = copyin(utv, &tv, sizeof(tv))) != 0)
			return error;
		if (tv.tv_sec < 0 || tv.tv_usec < 0)
			return EINVAL;
		if (tv.tv_sec > INT64_MAX / NSEC / 2)
			deadline = -1;
		else if (tv.tv_sec == 0 && tv.tv_usec == 0)
			deadline = 0;
		else
			deadline = sel_deadline(tv.tv_sec * NSEC +
			    (int64_t)tv.tv_usec * 1000);
	}
	error = doselect(l, SCARG(uap, nfds), SCARG(uap, readfds),
	    SCARG(uap, writefds), SCARG(uap, exceptfds), deadline, rv);
	if (error == 0 && utv != NULL && deadline >= 0) {
		left = deadline == 0 ? 0 : deadline - sel_now();
		if (left < 0)
			left = 0;
		tv.tv_sec = left / NSEC;
		tv.tv_usec = (left % NSEC) / 1000;
		error = copyout(&tv, utv, sizeof(tv));
	}
	return error;
}

int
sys_pselect6(struct lwp *l, const struct sys_pselect6_args *uap,
    register_t *rv)
{
	struct {
		const void	*ss;
		size_t		 ss_len;
	} sig;
	int64_t deadline;
	int error;

	if ((error = sel_timespec(SCARG(uap, timeout), &deadline)) != 0)
		return error;
	if (SCARG(uap, timeout) != NULL && deadline >= 0 &&
	    deadline <= sel_now())
		deadline = 0;
	if (SCARG(uap, sig) != NULL) {
		if ((error = copyin(SCARG(uap, sig), &sig, sizeof(sig))) != 0)
			return error;
		if ((error = sel_sigmask(sig.ss, sig.ss_len)) != 0)
			return error;
	}
	return doselect(l, SCARG(uap, nfds), SCARG(uap, readfds),
	    SCARG(uap, writefds), SCARG(uap, exceptfds), deadline, rv);
}
