/*
 * kern_copy.c -- copyin/copyout: moving data between the kernel and the
 * address space of the current process.
 *
 * A local process (a program that linked librump) shares the kernel's
 * address space, so a copy is a memcpy.  A sysproxy client's memory is
 * in another host process: the copy goes through the sysproxy server,
 * which serves it from the data that came inline with the request when
 * it can and otherwise asks the client over the wire.  Waiting for a
 * client's answer gives up the kernel lock (the server unschedules),
 * which is why kern.h asks copyin destinations to be private; a
 * copyout's data is sent or queued at once, under the lock.
 */
#include "kern.h"

static int
copy_remote(struct proc *p, void **spcp)
{

	if ((p->p_flag & P_PREFORK) != 0)
		return EFAULT;		/* nobody's memory yet */
	*spcp = p->p_spc;
	return 0;
}

int
copyin(const void *uaddr, void *kaddr, size_t len)
{
	struct proc *p = curproc;
	void *spc;
	int error;

	if (len == 0)
		return 0;
	if (uaddr == NULL)
		return EFAULT;
	if ((error = copy_remote(p, &spc)) != 0)
		return error;
	if (spc == NULL) {
		memcpy(kaddr, uaddr, len);
		return 0;
	}
	return rumpuser_sp_copyin(spc, uaddr, kaddr, len) ? EFAULT : 0;
}

const void *
copyin_inline(const void *uaddr, size_t len)
{
	struct proc *p = curproc;
	void *spc;

	if (len == 0 || uaddr == NULL || copy_remote(p, &spc) != 0 ||
	    spc == NULL)
		return NULL;
	return rumpuser_sp_copyin_inline(spc, uaddr, len);
}

int
copyout(const void *kaddr, void *uaddr, size_t len)
{
	struct proc *p = curproc;
	void *spc;
	int error;

	if (len == 0)
		return 0;
	/* NULL is a fault for a client too: its COPYOUT has no answer */
	if (uaddr == NULL)
		return EFAULT;
	if ((error = copy_remote(p, &spc)) != 0)
		return error;
	if (spc == NULL) {
		memcpy(uaddr, kaddr, len);
		return 0;
	}
	return rumpuser_sp_copyout(spc, kaddr, uaddr, len) ? EFAULT : 0;
}

/*
 * Copy a NUL-terminated string of at most len bytes (NUL included);
 * ENAMETOOLONG if there is no NUL within len.  *done, if not NULL, is
 * the length copied including the NUL.
 */
int
copyinstr(const void *uaddr, void *kaddr, size_t len, size_t *done)
{
	struct proc *p = curproc;
	const char *nul;
	size_t n;
	void *spc;
	int error;

	if ((error = copy_remote(p, &spc)) != 0)
		return error;
	if (uaddr == NULL)
		return EFAULT;
	if (len == 0)
		return ENAMETOOLONG;
	if (spc == NULL) {
		nul = memchr(uaddr, '\0', len);
		if (nul == NULL)
			return ENAMETOOLONG;
		n = (size_t)(nul - (const char *)uaddr) + 1;
		memcpy(kaddr, uaddr, n);
	} else {
		n = len;
		error = rumpuser_sp_copyinstr(spc, uaddr, kaddr, &n);
		if (error != 0)
			return error == ENAMETOOLONG ? error : EFAULT;
		if (n == 0 || n > len || ((char *)kaddr)[n - 1] != '\0')
			return EFAULT;
	}
	if (done != NULL)
		*done = n;
	return 0;
}

int
uiomove(void *kbuf, size_t n, struct uio *uio)
{
	int error;

	if (n > uio->uio_resid)
		n = uio->uio_resid;
	if (uio->uio_rw == UIO_READ)
		error = copyout(kbuf, uio->uio_uaddr, n);
	else
		error = copyin(uio->uio_uaddr, kbuf, n);
	if (error != 0)
		return error;
	uio->uio_uaddr = (char *)uio->uio_uaddr + n;
	uio->uio_resid -= n;
	uio->uio_offset += (off_t)n;
	return 0;
}
