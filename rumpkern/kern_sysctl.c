/*
 * kern_sysctl.c -- the sysctl tree, __sysctl(2) and sethostname(2).
 *
 * One call, NetBSD's shape: __sysctl(name, namelen, oldp, oldlenp,
 * newp, newlen) with integer names (NetBSD's numbers, RUMP_CTL_* in
 * <rump/rumpdefs.h>).  The old value is reported before a new one is
 * set.  oldp NULL asks for the size only (*oldlenp gets it); a buffer
 * too small gets what fits, *oldlenp the size needed and ENOMEM, as
 * NetBSD.  A name that goes on past a leaf is ENOTDIR, one that stops
 * at an inner node EISDIR, an unknown number ENOENT; setting needs a
 * writable leaf and effective uid 0 (EPERM).
 *
 * Names to numbers: NetBSD's sysctlnametomib(3) is a library function
 * over CTL_QUERY, which returns whole node descriptions.  We answer in
 * the kernel instead, with FreeBSD's simpler scheme under node 0
 * (RUMP_CTL_SYSCTL): {0,3} with the dotted name as the new value
 * returns its numbers, {0,1,mib...} a node's dotted name, {0,2,mib...}
 * the next leaf after mib in depth-first order (so a tool can walk the
 * whole tree: start from {0,2}) and {0,4,mib...} a node's type.
 *
 * The tree: nodes with their children in a list sorted by number.
 * The nodes made at boot live in static storage, so that booting under
 * a tight memory limit cannot fail here; nodes are never removed, so a
 * pointer to one stays valid across a copy that gives up the kernel
 * lock.
 *
 * The hook for counters kept outside the kernel (kern.sysproxy.*: the
 * sysproxy server's clients, workers, queued bytes): sysctl_addquad()
 * adds a read-only 64-bit leaf whose value a function returns when
 * asked.  librumpuser cannot call into the kernel, so the engine would
 * reach it through its operations table: an spop_sysctl_addquad member
 * of struct rumpuser_sp_ops, set by rump.c to sysctl_addquad, which the
 * server calls once at rumpuser_sp_init() for each counter, with a
 * getter that reads the counter atomically (it runs with the kernel
 * scheduled and must not block).  The kern.sysproxy node exists
 * already, empty, for it.
 */
#include <rump/rumpdefs.h>

#include "kern.h"
#include "sysent.h"

#define SYSCTL_NAMELEN	32		/* a component, NUL included */
#define SYSCTL_MAXNEW	1024		/* largest new value */
#define HOSTNAMELEN	64		/* Linux's __NEW_UTS_LEN */
#define KERN_SYSPROXY	1000		/* kern.sysproxy: outside NetBSD's */

struct sysctl_req {
	struct lwp	*r_l;
	void		*r_oldp;	/* user buffer for the old value */
	size_t		 r_oldlen;	/* its size */
	size_t		 r_oldneed;	/* bytes the old value needs */
	const void	*r_new;		/* kernel copy of the new value */
	size_t		 r_newlen;
};

struct sysctlnode;
typedef int sysctlfn(struct sysctlnode *, struct sysctl_req *);

struct sysctlnode {
	char			 sn_name[SYSCTL_NAMELEN];
	int			 sn_num;
	int			 sn_type;	/* RUMP_CTLTYPE_* */
	bool			 sn_writable;	/* root may set it */
	sysctlfn		*sn_fn;		/* leaves: read (and set) */
	const void		*sn_arg;
	struct sysctlnode	*sn_parent;
	TAILQ_HEAD(, sysctlnode) sn_children;	/* by number */
	TAILQ_ENTRY(sysctlnode)	 sn_entry;
};

/* a leaf whose value a function outside the kernel gives */
struct sysctl_quad {
	int64_t	(*sq_get)(void *);
	void	*sq_arg;
};

static struct sysctlnode sysctl_root = { .sn_type = RUMP_CTLTYPE_NODE };
static struct sysctlnode sysctl_boot[16];	/* the nodes made at boot */
static size_t sysctl_nboot;

/*
 * Values.
 */
static int
sysctl_out(struct sysctl_req *r, const void *data, size_t len)
{
	size_t n;
	int error;

	r->r_oldneed = len;
	if (r->r_oldp == NULL)
		return 0;
	n = len < r->r_oldlen ? len : r->r_oldlen;
	if (n > 0 && (error = copyout(data, r->r_oldp, n)) != 0)
		return error;
	return len > r->r_oldlen ? ENOMEM : 0;
}

static int
sysctl_string(struct sysctlnode *n, struct sysctl_req *r)
{
	const char *s = n->sn_arg;

	return sysctl_out(r, s, strlen(s) + 1);
}

static int
sysctl_int(struct sysctlnode *n, struct sysctl_req *r)
{
	int v = *(const int *)n->sn_arg;

	return sysctl_out(r, &v, sizeof(v));
}

static int
sysctl_quad(struct sysctlnode *n, struct sysctl_req *r)
{
	const struct sysctl_quad *q = n->sn_arg;
	int64_t v = q->sq_get(q->sq_arg);

	return sysctl_out(r, &v, sizeof(v));
}

/* kern.hostname: the old name out, then the new one in */
static int
sysctl_hostname(struct sysctlnode *n, struct sysctl_req *r)
{
	char name[HOSTNAMELEN + 1];
	int error;

	kern_hostname(name, sizeof(name));
	if ((error = sysctl_out(r, name, strlen(name) + 1)) != 0)
		return error;
	if (r->r_new == NULL)
		return 0;
	if (r->r_newlen > HOSTNAMELEN)
		return EINVAL;
	memcpy(name, r->r_new, r->r_newlen);
	name[r->r_newlen] = '\0';
	kern_sethostname(name);
	return 0;
}

/* kern.proc.all: what proclist(2) returns */
static int
sysctl_procall(struct sysctlnode *n, struct sysctl_req *r)
{
	struct rump_procinfo *buf;
	size_t need, bufsz;
	int error;

	if ((error = proclist_snapshot(&buf, &need, &bufsz)) != 0)
		return error;
	error = sysctl_out(r, buf, need);
	kmem_free(buf, bufsz);
	return error;
}

/* kern.file: every open descriptor of every process */
static int
sysctl_file(struct sysctlnode *n, struct sysctl_req *r)
{
	struct rump_fileinfo *buf;
	size_t need, bufsz;
	int error;

	if ((error = filelist_snapshot(&buf, &need, &bufsz)) != 0)
		return error;
	error = sysctl_out(r, buf, need);
	kmem_free(buf, bufsz);
	return error;
}

/*
 * The tree.
 */
static struct sysctlnode *
child_bynum(struct sysctlnode *dir, int num)
{
	struct sysctlnode *c;

	TAILQ_FOREACH(c, &dir->sn_children, sn_entry)
		if (c->sn_num == num)
			return c;
	return NULL;
}

static struct sysctlnode *
child_byname(struct sysctlnode *dir, const char *name, size_t len)
{
	struct sysctlnode *c;

	TAILQ_FOREACH(c, &dir->sn_children, sn_entry)
		if (strlen(c->sn_name) == len &&
		    memcmp(c->sn_name, name, len) == 0)
			return c;
	return NULL;
}

/* insert n (name, number and type set) under dir, in number order */
static int
sysctl_insert(struct sysctlnode *dir, struct sysctlnode *n)
{
	struct sysctlnode *c;

	if (dir->sn_type != RUMP_CTLTYPE_NODE)
		return ENOTDIR;
	if (child_bynum(dir, n->sn_num) != NULL ||
	    child_byname(dir, n->sn_name, strlen(n->sn_name)) != NULL)
		return EEXIST;
	TAILQ_INIT(&n->sn_children);
	n->sn_parent = dir;
	TAILQ_FOREACH(c, &dir->sn_children, sn_entry) {
		if (c->sn_num > n->sn_num) {
			TAILQ_INSERT_BEFORE(c, n, sn_entry);
			return 0;
		}
	}
	TAILQ_INSERT_TAIL(&dir->sn_children, n, sn_entry);
	return 0;
}

/* a node made at boot, in static storage */
static struct sysctlnode *
sysctl_bootnode(struct sysctlnode *dir, const char *name, int num, int type,
    sysctlfn *fn, const void *arg)
{
	struct sysctlnode *n;

	if (sysctl_nboot == __arraycount(sysctl_boot))
		panic("sysctl_init: too many nodes");
	n = &sysctl_boot[sysctl_nboot++];
	strlcpy(n->sn_name, name, sizeof(n->sn_name));
	n->sn_num = num;
	n->sn_type = type;
	n->sn_fn = fn;
	n->sn_arg = arg;
	if (sysctl_insert(dir, n) != 0)
		panic("sysctl_init: cannot add %s", name);
	return n;
}

void
sysctl_init(void)
{
	struct sysctlnode *kern, *hw, *proc, *n;

	TAILQ_INIT(&sysctl_root.sn_children);
	kern = sysctl_bootnode(&sysctl_root, "kern", RUMP_CTL_KERN,
	    RUMP_CTLTYPE_NODE, NULL, NULL);
	hw = sysctl_bootnode(&sysctl_root, "hw", RUMP_CTL_HW,
	    RUMP_CTLTYPE_NODE, NULL, NULL);
	sysctl_bootnode(kern, "ostype", RUMP_KERN_OSTYPE, RUMP_CTLTYPE_STRING,
	    sysctl_string, rump_ostype);
	sysctl_bootnode(kern, "osrelease", RUMP_KERN_OSRELEASE,
	    RUMP_CTLTYPE_STRING, sysctl_string, rump_osrelease);
	sysctl_bootnode(kern, "maxproc", RUMP_KERN_MAXPROC, RUMP_CTLTYPE_INT,
	    sysctl_int, &maxproc);
	n = sysctl_bootnode(kern, "hostname", RUMP_KERN_HOSTNAME,
	    RUMP_CTLTYPE_STRING, sysctl_hostname, NULL);
	n->sn_writable = true;
	proc = sysctl_bootnode(kern, "proc", RUMP_KERN_PROC, RUMP_CTLTYPE_NODE,
	    NULL, NULL);
	sysctl_bootnode(proc, "all", RUMP_KERN_PROC_ALL, RUMP_CTLTYPE_STRUCT,
	    sysctl_procall, NULL);
	sysctl_bootnode(kern, "file", RUMP_KERN_FILE, RUMP_CTLTYPE_STRUCT,
	    sysctl_file, NULL);
	sysctl_bootnode(kern, "sysproxy", KERN_SYSPROXY, RUMP_CTLTYPE_NODE,
	    NULL, NULL);
	sysctl_bootnode(hw, "machine", RUMP_HW_MACHINE, RUMP_CTLTYPE_STRING,
	    sysctl_string, rump_machine);
	sysctl_bootnode(hw, "ncpu", RUMP_HW_NCPU, RUMP_CTLTYPE_INT,
	    sysctl_int, &rump_ncpu);
}

/* the node a dotted name names, or NULL */
static struct sysctlnode *
sysctl_byname(const char *name, size_t len, int *mib, unsigned int *depthp)
{
	struct sysctlnode *n = &sysctl_root;
	const char *dot;
	unsigned int depth = 0;
	size_t clen;

	while (len > 0) {
		dot = memchr(name, '.', len);
		clen = dot != NULL ? (size_t)(dot - name) : len;
		if (depth == RUMP_CTL_MAXNAME ||
		    (n = child_byname(n, name, clen)) == NULL)
			return NULL;
		if (mib != NULL)
			mib[depth] = n->sn_num;
		depth++;
		if (dot == NULL)
			break;
		len -= clen + 1;
		name = dot + 1;
	}
	if (depthp != NULL)
		*depthp = depth;
	return depth > 0 ? n : NULL;
}

int
sysctl_addquad(const char *parent, const char *name, int num,
    int64_t (*get)(void *), void *arg)
{
	struct sysctlnode *dir, *n;
	struct sysctl_quad *q;
	int error;

	if ((dir = sysctl_byname(parent, strlen(parent), NULL, NULL)) == NULL)
		return ENOENT;
	if (strlen(name) >= SYSCTL_NAMELEN || strchr(name, '.') != NULL)
		return EINVAL;
	if ((n = kmem_zalloc(sizeof(*n))) == NULL)
		return ENOMEM;
	if ((q = kmem_alloc(sizeof(*q))) == NULL) {
		kmem_free(n, sizeof(*n));
		return ENOMEM;
	}
	q->sq_get = get;
	q->sq_arg = arg;
	strlcpy(n->sn_name, name, sizeof(n->sn_name));
	n->sn_num = num;
	n->sn_type = RUMP_CTLTYPE_QUAD;
	n->sn_fn = sysctl_quad;
	n->sn_arg = q;
	if ((error = sysctl_insert(dir, n)) != 0) {
		kmem_free(q, sizeof(*q));
		kmem_free(n, sizeof(*n));
	}
	return error;
}

/* the node mib names: ENOENT, or ENOTDIR past a leaf */
static int
sysctl_bynum(const int *mib, unsigned int len, struct sysctlnode **np)
{
	struct sysctlnode *n = &sysctl_root;
	unsigned int i;

	for (i = 0; i < len; i++) {
		if (n->sn_type != RUMP_CTLTYPE_NODE)
			return ENOTDIR;
		if ((n = child_bynum(n, mib[i])) == NULL)
			return ENOENT;
	}
	*np = n;
	return 0;
}

/*
 * The first leaf under dir after the position mib[0..len) (len 0: the
 * first leaf of all), its number path written into out from depth on.
 */
static bool
sysctl_nextleaf(struct sysctlnode *dir, const int *mib, unsigned int len,
    int *out, unsigned int depth, unsigned int *outlen)
{
	struct sysctlnode *c;
	bool same;

	TAILQ_FOREACH(c, &dir->sn_children, sn_entry) {
		if (len > 0 && c->sn_num < mib[0])
			continue;
		same = len > 0 && c->sn_num == mib[0];
		out[depth] = c->sn_num;
		if (c->sn_type == RUMP_CTLTYPE_NODE) {
			if (depth + 1 < RUMP_CTL_MAXNAME &&
			    sysctl_nextleaf(c, same ? mib + 1 : NULL,
			    same ? len - 1 : 0, out, depth + 1, outlen))
				return true;
		} else if (!same) {
			*outlen = depth + 1;
			return true;
		}
		len = 0;	/* past the position: every node counts */
	}
	return false;
}

/* a node's dotted name, from the root */
static void
sysctl_pathname(struct sysctlnode *n, char *buf, size_t len)
{
	struct sysctlnode *path[RUMP_CTL_MAXNAME];
	int depth = 0;

	buf[0] = '\0';
	for (; n != &sysctl_root && depth < RUMP_CTL_MAXNAME; n = n->sn_parent)
		path[depth++] = n;
	while (depth-- > 0) {
		strlcat(buf, path[depth]->sn_name, len);
		if (depth > 0)
			strlcat(buf, ".", len);
	}
}

/* {0, what, mib...}: the questions about the tree itself */
static int
sysctl_meta(const int *name, unsigned int namelen, struct sysctl_req *r)
{
	char path[RUMP_CTL_MAXNAME * SYSCTL_NAMELEN];
	int mib[RUMP_CTL_MAXNAME], type;
	struct sysctlnode *n;
	unsigned int len;
	int error;

	if (namelen == 0)
		return EISDIR;
	switch (name[0]) {
	case RUMP_SYSCTL_NAME2OID:
		if (r->r_new == NULL || namelen != 1)
			return EINVAL;
		if (sysctl_byname(r->r_new, strnlen(r->r_new, r->r_newlen),
		    mib, &len) == NULL)
			return ENOENT;
		r->r_new = NULL;	/* the name was a question, not a value */
		return sysctl_out(r, mib, len * sizeof(int));
	case RUMP_SYSCTL_NEXT:
		if (!sysctl_nextleaf(&sysctl_root, name + 1, namelen - 1, mib,
		    0, &len))
			return ENOENT;
		return sysctl_out(r, mib, len * sizeof(int));
	case RUMP_SYSCTL_NAME:
	case RUMP_SYSCTL_TYPE:
		if ((error = sysctl_bynum(name + 1, namelen - 1, &n)) != 0)
			return error;
		if (n == &sysctl_root)
			return ENOENT;
		if (name[0] == RUMP_SYSCTL_TYPE) {
			type = n->sn_type;
			return sysctl_out(r, &type, sizeof(type));
		}
		sysctl_pathname(n, path, sizeof(path));
		return sysctl_out(r, path, strlen(path) + 1);
	default:
		return ENOENT;
	}
}

static int
sysctl_dispatch(const int *name, unsigned int namelen, struct sysctl_req *r)
{
	struct sysctlnode *n;
	int error;

	if (name[0] == RUMP_CTL_SYSCTL)
		return sysctl_meta(name + 1, namelen - 1, r);
	if ((error = sysctl_bynum(name, namelen, &n)) != 0)
		return error;
	if (n->sn_type == RUMP_CTLTYPE_NODE)
		return EISDIR;
	if (r->r_new != NULL && (!n->sn_writable ||
	    !cred_isroot(&r->r_l->l_proc->p_cred)))
		return EPERM;
	return n->sn_fn(n, r);
}

int
sys___sysctl(struct lwp *l, const struct sys___sysctl_args *uap,
    register_t *rv)
{
	int name[RUMP_CTL_MAXNAME], error, error2;
	unsigned int namelen = SCARG(uap, namelen);
	size_t *oldlenp = SCARG(uap, oldlenp), newlen = SCARG(uap, newlen);
	struct sysctl_req r;
	void *newbuf = NULL;

	if (namelen < 1 || namelen > RUMP_CTL_MAXNAME)
		return EINVAL;
	memset(&r, 0, sizeof(r));
	if ((error = copyin(SCARG(uap, name), name,
	    namelen * sizeof(int))) != 0)
		return error;
	if (oldlenp != NULL &&
	    (error = copyin(oldlenp, &r.r_oldlen, sizeof(r.r_oldlen))) != 0)
		return error;
	if (SCARG(uap, newp) != NULL) {
		if (newlen > SYSCTL_MAXNEW)
			return EINVAL;
		if ((newbuf = kmem_alloc(newlen)) == NULL)
			return ENOMEM;
		if ((error = copyin(SCARG(uap, newp), newbuf, newlen)) != 0) {
			kmem_free(newbuf, newlen);
			return error;
		}
	}
	r.r_l = l;
	r.r_oldp = SCARG(uap, oldp);
	r.r_new = newbuf;
	r.r_newlen = newlen;
	error = sysctl_dispatch(name, namelen, &r);
	if (oldlenp != NULL && (error == 0 || error == ENOMEM)) {
		error2 = copyout(&r.r_oldneed, oldlenp, sizeof(r.r_oldneed));
		if (error2 != 0)
			error = error2;
	}
	if (newbuf != NULL)
		kmem_free(newbuf, newlen);
	return error;
}

/* Linux's sethostname(2): root only, at most 64 bytes, not NUL-ended */
int
sys_sethostname(struct lwp *l, const struct sys_sethostname_args *uap,
    register_t *rv)
{
	char name[HOSTNAMELEN + 1];
	size_t len = SCARG(uap, len);
	int error;

	if (!cred_isroot(&l->l_proc->p_cred))
		return EPERM;
	if (len > HOSTNAMELEN)
		return EINVAL;
	if ((error = copyin(SCARG(uap, name), name, len)) != 0)
		return error;
	name[len] = '\0';
	kern_sethostname(name);
	return 0;
}
