/*
 * dev.c -- character devices: the device switch and /dev/null,
 * /dev/zero, /dev/full, /dev/random, /dev/urandom and /dev/console,
 * with Linux's numbers (1,3), (1,5), (1,7), (1,8), (1,9) and (5,1).
 *
 * /dev/full reads zeros and fails every write with ENOSPC.  random
 * and urandom read the host's randomness (rumpuser_getrandom) through
 * a private buffer, one chunk at a time, and never block (as Linux's
 * since 5.6 once seeded); writes to them are accepted and dropped.
 * A node with numbers the switch does not know (mknod) opens with
 * ENXIO, as does a block device node that is not a host file (etfs).
 *
 * /dev/console reads end of file at once; its writes go to the host
 * process's standard error (rump_server -s keeps it, a detached one not)
 * through rumpuser_conswrite(), with the kernel lock given up around
 * the host write, which may block.  A process made by a sysproxy
 * client's GUEST handshake starts with descriptors 0, 1 and 2 on it
 * (dev_consopen, called by lwproc_rfork), as in NetBSD; the console
 * vnode is held from boot for that, so it needs no lookup.
 *
 * A device node is a VCHR vnode in memfs whose v_rdev selects an entry
 * of the switch.  Devices ignore file offsets.  /dev/null and
 * /dev/zero consume writes without looking at the data (as Linux,
 * which does not read the buffer either); /dev/zero's reads copy out
 * of the shared zero page, which copyout may read before it gives up
 * the kernel lock, so nothing needs holding across the copy.
 */
#include <sys/sysmacros.h>

#include "vfs.h"

struct cdevsw {
	unsigned int	 d_major;
	unsigned int	 d_minor;
	const char	*d_name;	/* its node in /dev */
	int		(*d_read)(struct uio *);
	int		(*d_write)(struct uio *);
};

static int
null_read(struct uio *uio)
{

	return 0;
}

/* writes to null and zero succeed in full */
static int
null_write(struct uio *uio)
{

	uio_advance(uio, uio->uio_resid);
	return 0;
}

static int
zero_read(struct uio *uio)
{
	size_t n;
	int error;

	while (uio->uio_resid > 0) {
		n = uio->uio_resid < VFS_PAGESIZE ? uio->uio_resid :
		    VFS_PAGESIZE;
		error = copyout(vfs_zeropage, uio->uio_uaddr, n);
		if (error != 0)
			return error;
		uio_advance(uio, n);
	}
	return 0;
}

/* the console: host stderr, in pieces, the kernel lock given up */
static int
cons_write(struct uio *uio)
{
	char buf[512];
	size_t n;
	int error;

	while (uio->uio_resid > 0) {
		n = uio->uio_resid < sizeof(buf) ? uio->uio_resid : sizeof(buf);
		if ((error = uiomove(buf, n, uio)) != 0)
			return error;
		rump_unschedule();
		error = rumpuser_conswrite(buf, n);
		rump_schedule();
		if (error != 0)
			return EIO;
	}
	return 0;
}

static int
full_write(struct uio *uio)
{

	return ENOSPC;
}

#define RANDOM_CHUNK	256

static int
random_read(struct uio *uio)
{
	unsigned char buf[RANDOM_CHUNK];
	size_t n;
	int error;

	while (uio->uio_resid > 0) {
		n = uio->uio_resid < sizeof(buf) ? uio->uio_resid :
		    sizeof(buf);
		if ((error = rumpuser_getrandom(buf, n)) != 0)
			return error;
		error = copyout(buf, uio->uio_uaddr, n);
		explicit_bzero(buf, n);
		if (error != 0)
			return error;
		uio_advance(uio, n);
	}
	return 0;
}

#define CDEV_MAJOR_MEM	1
#define CDEV_MAJOR_TTYAUX	5
static const struct cdevsw cdevsw[] = {
	{ CDEV_MAJOR_MEM, 3, "null", null_read, null_write },
	{ CDEV_MAJOR_MEM, 5, "zero", zero_read, null_write },
	{ CDEV_MAJOR_MEM, 7, "full", zero_read, full_write },
	{ CDEV_MAJOR_MEM, 8, "random", random_read, null_write },
	{ CDEV_MAJOR_MEM, 9, "urandom", random_read, null_write },
	{ CDEV_MAJOR_TTYAUX, 1, "console", null_read, cons_write },
};
static struct vnode *consvp;	/* /dev/console, held from boot */

static const struct cdevsw *
cdev_lookup(dev_t dev)
{
	size_t i;

	for (i = 0; i < __arraycount(cdevsw); i++)
		if (major(dev) == cdevsw[i].d_major &&
		    minor(dev) == cdevsw[i].d_minor)
			return &cdevsw[i];
	return NULL;
}

/* may a device node be opened?  A host file (etfs) always may */
int
dev_open(struct vnode *vp)
{

	if ((vp->v_flag & VHOST) != 0)
		return 0;
	if (vp->v_type != VCHR || cdev_lookup(vp->v_rdev) == NULL)
		return ENXIO;
	return 0;
}

int
dev_read(struct vnode *vp, struct uio *uio, int ioflag)
{
	const struct cdevsw *d;

	if ((vp->v_flag & VHOST) != 0)
		return etfs_read(vp, uio);
	d = cdev_lookup(vp->v_rdev);
	if (d == NULL)
		return ENXIO;
	return d->d_read(uio);
}

int
dev_write(struct vnode *vp, struct uio *uio, int ioflag)
{
	const struct cdevsw *d;

	if ((vp->v_flag & VHOST) != 0)
		return etfs_write(vp, uio, false);
	d = cdev_lookup(vp->v_rdev);
	if (d == NULL)
		return ENXIO;
	return d->d_write(uio);
}

/* make the device nodes in /dev, mode 0666, owned by root */
int
dev_init(struct vnode *devdir)
{
	static const struct cred rootcred;
	struct vnode *vp;
	size_t i;
	int error;

	for (i = 0; i < __arraycount(cdevsw); i++) {
		error = memfs_create(devdir, cdevsw[i].d_name,
		    strlen(cdevsw[i].d_name), VCHR, 0666, &rootcred,
		    makedev(cdevsw[i].d_major, cdevsw[i].d_minor), &vp);
		if (error != 0)
			return error;
		if (cdevsw[i].d_major == CDEV_MAJOR_TTYAUX)
			consvp = vp;	/* keep the reference */
		else
			vrele(vp);
	}
	return 0;
}

/*
 * Descriptors 0, 1 and 2 of p (its table empty) on one open file of
 * the console, read-write, as NetBSD's rump_consdev.
 */
int
dev_consopen(struct proc *p)
{
	struct file *fp;
	int error, fd, i;

	if ((error = vn_falloc(&fp)) != 0)
		return error;
	vn_attach(fp, consvp, FREAD | FWRITE);
	for (i = 0, error = 0; i < 3 && error == 0; i++)
		error = fd_install(p, fp, i, 0, &fd);
	fd_putfile(fp);
	return error;
}
