/*
 * dev.c -- character devices: the device switch and /dev/null and
 * /dev/zero, with Linux's numbers (1,3) and (1,5).
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
	unsigned int	 d_minor;	/* of major CDEV_MAJOR_MEM */
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

#define CDEV_MAJOR_MEM	1
static const struct cdevsw cdevsw[] = {
	{ 3, "null", null_read, null_write },
	{ 5, "zero", zero_read, null_write },
};

static const struct cdevsw *
cdev_lookup(dev_t dev)
{
	size_t i;

	if (major(dev) != CDEV_MAJOR_MEM)
		return NULL;
	for (i = 0; i < __arraycount(cdevsw); i++)
		if (minor(dev) == cdevsw[i].d_minor)
			return &cdevsw[i];
	return NULL;
}

int
dev_read(struct vnode *vp, struct uio *uio, int ioflag)
{
	const struct cdevsw *d;

	d = cdev_lookup(vp->v_rdev);
	if (d == NULL)
		return ENXIO;
	return d->d_read(uio);
}

int
dev_write(struct vnode *vp, struct uio *uio, int ioflag)
{
	const struct cdevsw *d;

	d = cdev_lookup(vp->v_rdev);
	if (d == NULL)
		return ENXIO;
	return d->d_write(uio);
}

/* make the device nodes in /dev, mode 0666, owned by root */
void
dev_init(struct vnode *devdir)
{
	static const struct cred rootcred;
	struct vnode *vp;
	size_t i;
	int error;

	for (i = 0; i < __arraycount(cdevsw); i++) {
		error = memfs_create(devdir, cdevsw[i].d_name,
		    strlen(cdevsw[i].d_name), VCHR, 0666, &rootcred,
		    makedev(CDEV_MAJOR_MEM, cdevsw[i].d_minor), &vp);
		if (error != 0)
			panic("dev_init: cannot make /dev/%s: error %d",
			    cdevsw[i].d_name, error);
		vrele(vp);
	}
}
