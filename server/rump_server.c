/*
 * rump_server.c -- run a rump kernel as a sysproxy server.
 *
 * The program parses its options, hands the kernel its parameters
 * through the environment that rumpuser_getparam() reads (RUMP_NCPU,
 * RUMP_MEMLIMIT, RUMP_VERBOSE) and the server its limits through the
 * rumpsp_* globals, boots the kernel, starts serving the URL and then
 * does nothing but wait for a signal.
 *
 * Decisions a reader would otherwise have to reverse-engineer:
 *
 * - SIGTERM, SIGINT and SIGHUP are blocked before the first thread is
 *   created (before fork and rump_init), so every kernel and server
 *   thread inherits the mask and only the main thread, in sigwait(),
 *   ever sees them.  On one of them the server stops listening
 *   (rumpuser_sp_fini unlinks a Unix socket) and the process exits 0.
 *   The kernel's reboot system call (rump.halt) ends the process by
 *   itself; nothing here is involved.
 *
 * - Without -s the process detaches, but the parent does not return
 *   until the child has booted the kernel and is listening: the child
 *   reports one status byte through a pipe.  A script that runs
 *   "rump_server URL && client" therefore never races the server.  A
 *   failing child prints its own one-line error before it reports, so
 *   the message is on the terminal before the shell prompt; a child
 *   that dies without reporting is caught by EOF on the pipe.
 *
 * - The URL is parsed here once before anything else, so a malformed
 *   URL fails fast with the same errno rump_init_server() would give;
 *   the parsed form also gives -v an absolute address to print.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rump/rump.h>
#include <rump/rumpuser.h>

#include "sp_proto.h"
#include "sp_shm.h"
#include "sp_url.h"

#define PROGNAME	"rump_server"
#define MAXNCPU		256

/* -d key=PATH,hostpath=HOST[,type=...][,size=N|host][,offset=N] */
struct etfsopt {
	char			*e_key;
	char			*e_hostpath;
	enum rump_etfs_type	 e_type;
	uint64_t		 e_begin;
	uint64_t		 e_size;	/* RUMP_ETFS_SIZE_ENDOFF: to the end */
};
#define MAXETFS		64

struct options {
	int		 o_foreground;	/* -s */
	struct etfsopt	 o_etfs[MAXETFS];	/* -d */
	int		 o_netfs;
	int		 o_verbose;	/* -v */
	long		 o_maxproc;	/* --maxproc, 0: kernel default */
	const char	*o_key;		/* --key, or NULL */
	long		 o_ncpu;	/* -c, 0: kernel default */
	uint64_t	 o_memlimit;	/* -r, 0: no limit */
	const char	*o_url;
};

enum {
	OPT_HELP = 256,
	OPT_VERSION,
	OPT_MAXWORKER,
	OPT_IDLEWORKER,
	OPT_MAXCLIENT,
	OPT_MAXBLOCKED,
	OPT_MAXQUEUE,
	OPT_MAXPROC,
	OPT_MAXCALLS,
	OPT_MAXPREFORK,
	OPT_HSTIMEOUT,
	OPT_COPYTIMEOUT,
	OPT_KEEPALIVE,
	OPT_SOCKMODE,
	OPT_KEY,
	OPT_PEERCRED,
	OPT_SHM,
	OPT_SHMSPIN
};

static const struct option longopts[] = {
	{ "help",	no_argument,		NULL,	OPT_HELP },
	{ "version",	no_argument,		NULL,	OPT_VERSION },
	{ "maxworker",	required_argument,	NULL,	OPT_MAXWORKER },
	{ "idleworker",	required_argument,	NULL,	OPT_IDLEWORKER },
	{ "maxclient",	required_argument,	NULL,	OPT_MAXCLIENT },
	{ "maxblocked",	required_argument,	NULL,	OPT_MAXBLOCKED },
	{ "maxqueue",	required_argument,	NULL,	OPT_MAXQUEUE },
	{ "maxproc",	required_argument,	NULL,	OPT_MAXPROC },
	{ "maxcalls",	required_argument,	NULL,	OPT_MAXCALLS },
	{ "maxprefork",	required_argument,	NULL,	OPT_MAXPREFORK },
	{ "handshake-timeout", required_argument, NULL,	OPT_HSTIMEOUT },
	{ "copy-timeout", required_argument,	NULL,	OPT_COPYTIMEOUT },
	{ "keepalive",	required_argument,	NULL,	OPT_KEEPALIVE },
	{ "sockmode",	required_argument,	NULL,	OPT_SOCKMODE },
	{ "key",	required_argument,	NULL,	OPT_KEY },
	{ "peercred",	no_argument,		NULL,	OPT_PEERCRED },
	{ "shm",	required_argument,	NULL,	OPT_SHM },
	{ "shm-spin",	required_argument,	NULL,	OPT_SHMSPIN },
	{ NULL,		0,			NULL,	0 }
};

static void
usage(FILE *fp, int status)
{

	fprintf(fp, "usage: %s [-sv] [-c ncpu] [-d drivespec] [-l library]\n"
	    "                   [-r memlimit] [--maxworker n] [--idleworker n] "
	    "[--maxblocked n]\n"
	    "                   [--maxclient n] [--maxqueue bytes] "
	    "[--maxproc n]\n"
	    "                   [--maxcalls n] [--maxprefork n] "
	    "[--handshake-timeout ms]\n"
	    "                   [--copy-timeout ms] [--keepalive secs] "
	    "[--sockmode mode]\n"
	    "                   [--key file] [--peercred] [--shm bytes] "
	    "[--shm-spin us] url\n",
	    PROGNAME);
	exit(status);
}

/* A decimal number in [min, max], or one line on stderr and exit 1. */
static long
parse_long(const char *what, const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end != '\0' || errno != 0 || v < min || v > max) {
		fprintf(stderr, "%s: invalid %s: %s (expected %ld to %ld)\n",
		    PROGNAME, what, s, min, max);
		exit(1);
	}
	return v;
}

/* A limit that is either -1 (none) or at least min. */
static int
parse_limit(const char *what, const char *s, long min)
{
	long v;

	v = parse_long(what, s, -1, INT_MAX);
	if (v != -1 && v < min) {
		fprintf(stderr, "%s: invalid %s: %s (expected -1 or %ld "
		    "to %d)\n", PROGNAME, what, s, min, INT_MAX);
		exit(1);
	}
	return (int)v;
}

/*
 * A memory size: decimal bytes with an optional k, m or g suffix
 * (powers of 1024).  Zero, garbage and overflow are refused.
 */
static uint64_t
parse_memlimit(const char *what, const char *s)
{
	unsigned long long v;
	uint64_t mult;
	char *end;

	mult = 1;
	errno = 0;
	if (*s < '0' || *s > '9')
		goto bad;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		goto bad;
	switch (*end) {
	case '\0':
		break;
	case 'k':
	case 'K':
		mult = 1024;
		end++;
		break;
	case 'm':
	case 'M':
		mult = 1024 * 1024;
		end++;
		break;
	case 'g':
	case 'G':
		mult = 1024 * 1024 * 1024;
		end++;
		break;
	default:
		goto bad;
	}
	if (*end != '\0' || v == 0 || v > UINT64_MAX / mult)
		goto bad;
	return (uint64_t)v * mult;
 bad:
	fprintf(stderr, "%s: invalid %s: %s (expected a positive "
	    "number of bytes with an optional k, m or g suffix)\n",
	    PROGNAME, what, s);
	exit(1);
}

/* An octal file mode for the socket, e.g. 0660. */
static int
parse_mode(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 8);
	if (end == s || *end != '\0' || errno != 0 || v < 0 || v > 0777) {
		fprintf(stderr, "%s: invalid --sockmode: %s (expected an "
		    "octal mode such as 0660)\n", PROGNAME, s);
		exit(1);
	}
	return (int)v;
}

/* a size for -d: bytes with an optional k, m or g suffix */
static int
parse_size(const char *s, uint64_t *vp)
{
	unsigned long long v;
	uint64_t mult = 1;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	switch (*end) {
	case 'k': case 'K': mult = 1024; end++; break;
	case 'm': case 'M': mult = 1024 * 1024; end++; break;
	case 'g': case 'G': mult = 1024 * 1024 * 1024; end++; break;
	default: break;
	}
	if (*end != '\0' || v > UINT64_MAX / mult)
		return -1;
	*vp = (uint64_t)v * mult;
	return 0;
}

static const struct {
	const char		*name;
	enum rump_etfs_type	 type;
} etfstypes[] = {
	{ "reg", RUMP_ETFS_REG }, { "blk", RUMP_ETFS_BLK },
	{ "chr", RUMP_ETFS_CHR }, { "dir", RUMP_ETFS_DIR },
	{ "dirsubdirs", RUMP_ETFS_DIR_SUBDIRS },
};

/* one value of a -d drivespec into e; -1 if it is not one */
static int
parse_drivevalue(struct etfsopt *e, const char *name, char *value)
{
	size_t i;

	if (strcmp(name, "key") == 0)
		e->e_key = value;
	else if (strcmp(name, "hostpath") == 0)
		e->e_hostpath = value;
	else if (strcmp(name, "size") == 0) {
		if (strcmp(value, "host") == 0)
			e->e_size = RUMP_ETFS_SIZE_ENDOFF;
		else if (parse_size(value, &e->e_size) != 0)
			return -1;
	} else if (strcmp(name, "offset") == 0) {
		if (parse_size(value, &e->e_begin) != 0)
			return -1;
	} else if (strcmp(name, "type") == 0) {
		for (i = 0; i < sizeof(etfstypes) / sizeof(etfstypes[0]); i++)
			if (strcmp(value, etfstypes[i].name) == 0)
				break;
		if (i == sizeof(etfstypes) / sizeof(etfstypes[0]))
			return -1;
		e->e_type = etfstypes[i].type;
	} else
		return -1;
	return 0;
}

/* -d key=PATH,hostpath=HOST[,type=T][,size=N|host][,offset=N] */
static void
parse_drivespec(struct options *o, char *spec)
{
	struct etfsopt *e;
	char *item, *value, *save = NULL, *orig;

	if (o->o_netfs == MAXETFS) {
		fprintf(stderr, "%s: more than %d -d options\n", PROGNAME,
		    MAXETFS);
		exit(1);
	}
	if ((orig = strdup(spec)) == NULL) {
		fprintf(stderr, "%s: %s\n", PROGNAME, strerror(errno));
		exit(1);
	}
	e = &o->o_etfs[o->o_netfs++];
	e->e_type = RUMP_ETFS_BLK;
	e->e_size = RUMP_ETFS_SIZE_ENDOFF;
	for (item = strtok_r(spec, ",", &save); item != NULL;
	    item = strtok_r(NULL, ",", &save)) {
		if ((value = strchr(item, '=')) == NULL)
			goto bad;
		*value++ = '\0';
		if (parse_drivevalue(e, item, value) != 0)
			goto bad;
	}
	if (e->e_key == NULL || e->e_hostpath == NULL)
		goto bad;
	free(orig);
	return;
 bad:
	fprintf(stderr, "%s: invalid drivespec: %s (expected key=PATH,"
	    "hostpath=HOST[,type=reg|blk|chr|dir|dirsubdirs][,size=N|host]"
	    "[,offset=N])\n", PROGNAME, orig);
	exit(1);
}

/*
 * NetBSD's -l: a component library to load before boot.  Every
 * component this kernel has is built in, so naming one of them does
 * nothing; a component it does not have is an error, as a failed
 * dlopen is there.  "rumpvfs", "librumpvfs" and "librumpvfs.so" alike.
 */
static void
check_component(const char *arg)
{
	static const char *const builtin[] = {
		"rump", "rumpuser", "rumpkern", "rumpvfs", "rumpdev",
		"rumpnet", "rumpnet_net", "rumpnet_netinet",
		"rumpnet_netinet6", "rumpnet_local", "rumpkern_sysproxy",
		NULL
	};
	char name[64];
	const char *p = arg;
	size_t i, n;

	if (strncmp(p, "lib", 3) == 0)
		p += 3;
	n = strcspn(p, ".");
	if (n < sizeof(name)) {
		memcpy(name, p, n);
		name[n] = '\0';
		for (i = 0; builtin[i] != NULL; i++)
			if (strcmp(name, builtin[i]) == 0)
				return;
	}
	fprintf(stderr, "%s: %s: no such component in this kernel "
	    "(built in: vfs, dev, net, net_net, net_netinet, net_netinet6, "
	    "net_local)\n", PROGNAME, arg);
	exit(1);
}

static void
parse_options(int argc, char **argv, struct options *o)
{
	int ch;

	memset(o, 0, sizeof(*o));
	/* GNU permutation: "rump_server URL -s" works as "-s URL" */
	while ((ch = getopt_long(argc, argv, "c:d:l:m:r:sv", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'l':
			check_component(optarg);
			break;
		case 'm':
			fprintf(stderr, "%s: -m %s: this kernel loads no "
			    "modules\n", PROGNAME, optarg);
			exit(1);
		case 'd':
			parse_drivespec(o, optarg);
			break;
		case 'c':
			o->o_ncpu = parse_long("number of CPUs", optarg, 1,
			    MAXNCPU);
			break;
		case 'r':
			o->o_memlimit = parse_memlimit("memory limit", optarg);
			if (o->o_memlimit < RUMP_MEMLIMIT_MIN) {
				fprintf(stderr, "%s: memory limit %s is too "
				    "small: the kernel needs at least %d bytes "
				    "(%dk) to boot\n", PROGNAME, optarg,
				    RUMP_MEMLIMIT_MIN, RUMP_MEMLIMIT_MIN / 1024);
				exit(1);
			}
			break;
		case 's':
			o->o_foreground = 1;
			break;
		case 'v':
			o->o_verbose = 1;
			break;
		case OPT_HELP:
			usage(stdout, 0);
			break;
		case OPT_VERSION:
			printf("%s (%s) %s\n", PROGNAME, PACKAGE_NAME,
			    PACKAGE_VERSION);
			exit(0);
		case OPT_MAXWORKER:
			rumpsp_maxworker = parse_limit("--maxworker", optarg,
			    1);
			break;
		case OPT_IDLEWORKER:
			rumpsp_idleworker = parse_limit("--idleworker",
			    optarg, 0);
			break;
		case OPT_MAXCLIENT:
			rumpsp_maxclient = parse_limit("--maxclient", optarg,
			    1);
			break;
		case OPT_MAXBLOCKED:
			rumpsp_maxblocked = parse_limit("--maxblocked",
			    optarg, 1);
			break;
		case OPT_MAXQUEUE:
			rumpsp_maxqueue = (size_t)parse_memlimit("--maxqueue",
			    optarg);
			if (rumpsp_maxqueue < RUMPSP_MAXFRAME) {
				fprintf(stderr, "%s: invalid --maxqueue: %s "
				    "(at least %u bytes)\n", PROGNAME, optarg,
				    RUMPSP_MAXFRAME);
				exit(1);
			}
			break;
		case OPT_MAXCALLS:
			rumpsp_maxcalls = parse_limit("--maxcalls", optarg, 1);
			break;
		case OPT_MAXPREFORK:
			rumpsp_maxprefork = parse_limit("--maxprefork",
			    optarg, 1);
			break;
		case OPT_HSTIMEOUT:
			rumpsp_hstimeout = parse_limit("--handshake-timeout",
			    optarg, 1);
			break;
		case OPT_COPYTIMEOUT:
			rumpsp_copytimeout = parse_limit("--copy-timeout",
			    optarg, 1);
			break;
		case OPT_KEEPALIVE:
			/* TCP_KEEPIDLE takes at most 32767 */
			rumpsp_keepalive = (int)parse_long("--keepalive",
			    optarg, -1, 32767);
			if (rumpsp_keepalive == 0) {
				fprintf(stderr, "%s: invalid --keepalive: %s "
				    "(expected -1 or 1 to 32767)\n", PROGNAME,
				    optarg);
				exit(1);
			}
			break;
		case OPT_SOCKMODE:
			rumpsp_sockmode = parse_mode(optarg);
			break;
		case OPT_SHM:
			rumpsp_shmring = (int)parse_long("--shm", optarg, 0,
			    RSP_SHM_MAXRING);
			if (rumpsp_shmring != 0 &&
			    !rsp_shm_sizeok((uint32_t)rumpsp_shmring)) {
				fprintf(stderr, "%s: invalid --shm: %s (expected "
				    "0, or a power of 2 from %u to %u)\n",
				    PROGNAME, optarg, RSP_SHM_MINRING,
				    RSP_SHM_MAXRING);
				exit(1);
			}
			break;
		case OPT_SHMSPIN:
			rumpsp_shmspin = (int)parse_long("--shm-spin", optarg, 0,
			    1000);
			break;
		case OPT_KEY:
			o->o_key = optarg;
			break;
		case OPT_PEERCRED:
			rumpsp_peercred = 1;
			break;
		case OPT_MAXPROC:
			o->o_maxproc = parse_long("--maxproc", optarg, 2,
			    99998);
			break;
		default:
			usage(stderr, 1);
		}
	}
	if (argc - optind > 1) {
		fprintf(stderr, "%s: one URL expected, also got: %s\n",
		    PROGNAME, argv[optind + 1]);
		usage(stderr, 1);
	}
	if (argc - optind != 1)
		usage(stderr, 1);
	o->o_url = argv[optind];
}

static void
setparam(const char *name, const char *value)
{

	if (setenv(name, value, 1) == -1) {
		fprintf(stderr, "%s: setenv %s: %s\n", PROGNAME, name,
		    strerror(errno));
		exit(1);
	}
}

/* The kernel reads its parameters from the environment. */
static void
export_params(const struct options *o)
{
	char buf[32];

	if (o->o_ncpu != 0) {
		snprintf(buf, sizeof(buf), "%ld", o->o_ncpu);
		setparam("RUMP_NCPU", buf);
	}
	if (o->o_memlimit != 0) {
		snprintf(buf, sizeof(buf), "%" PRIu64, o->o_memlimit);
		setparam("RUMP_MEMLIMIT", buf);
	}
	if (o->o_maxproc != 0) {
		snprintf(buf, sizeof(buf), "%ld", o->o_maxproc);
		setparam("RUMP_MAXPROC", buf);
	}
	if (o->o_verbose) {
		setparam("RUMP_VERBOSE", "1");
		rumpsp_verbose = 1;
	}
}

/* Every client is a descriptor: take all the host lets us have. */
static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/*
 * A file drive given a size, as in NetBSD: the host file is made if it
 * is missing and grown to offset + size if it is shorter (a disk image
 * to be).  Returns 0 or an errno value.
 */
static int
drive_prepare(const struct etfsopt *e)
{
	struct stat st;
	int error = 0, fd;

	if (e->e_size == RUMP_ETFS_SIZE_ENDOFF || e->e_type == RUMP_ETFS_DIR ||
	    e->e_type == RUMP_ETFS_DIR_SUBDIRS)
		return 0;
	if (e->e_begin > UINT64_MAX - e->e_size ||
	    e->e_begin + e->e_size > (uint64_t)INT64_MAX)
		return EFBIG;
	if ((fd = open(e->e_hostpath, O_RDWR | O_CREAT | O_CLOEXEC,
	    0644)) == -1)
		return errno;
	if (fstat(fd, &st) == -1 || ((uint64_t)st.st_size <
	    e->e_begin + e->e_size &&
	    ftruncate(fd, (off_t)(e->e_begin + e->e_size)) == -1))
		error = errno;
	close(fd);
	return error;
}

/*
 * Boot the kernel and start serving.  Prints one line naming what
 * failed and returns -1, or returns 0 once the server is listening.
 */
static int
server_start(const struct options *o, const char *addr)
{
	const struct etfsopt *e;
	int error, i;

	if ((error = rump_init()) != 0) {
		if (error == ENOMEM && o->o_memlimit != 0)
			fprintf(stderr, "%s: memory limit %" PRIu64 " is too "
			    "small to boot the kernel\n", PROGNAME,
			    o->o_memlimit);
		else
			fprintf(stderr, "%s: rump_init: %s\n", PROGNAME,
			    strerror(error));
		return -1;
	}
	for (i = 0; i < o->o_netfs; i++) {
		e = &o->o_etfs[i];
		if ((error = drive_prepare(e)) == 0)
			error = rump_pub_etfs_register_withsize(e->e_key,
			    e->e_hostpath, e->e_type, e->e_begin, e->e_size);
		if (error != 0) {
			fprintf(stderr, "%s: -d %s: %s: %s\n", PROGNAME,
			    e->e_key, e->e_hostpath, strerror(error));
			return -1;
		}
	}
	if ((error = rump_init_server(o->o_url)) != 0) {
		fprintf(stderr, "%s: %s: %s\n", PROGNAME, o->o_url,
		    strerror(error));
		return -1;
	}
	if (o->o_verbose)
		fprintf(stderr, "%s: listening on %s (pid %ld)\n", PROGNAME,
		    addr, (long)getpid());
	return 0;
}

/* Wait until a stopping signal arrives, then stop serving and exit. */
static void __attribute__((__noreturn__))
server_wait(const sigset_t *stopset, int verbose)
{
	int sig;

	while (sigwait(stopset, &sig) != 0)
		continue;
	if (verbose)
		fprintf(stderr, "%s: %s, exiting\n", PROGNAME,
		    strsignal(sig));
	rumpuser_sp_fini(NULL);
	exit(0);
}

/* The detached child's stdio goes nowhere, so a closed terminal is harmless. */
static void
detach_stdio(void)
{
	int fd;

	if ((fd = open("/dev/null", O_RDWR)) == -1)
		return;
	(void)dup2(fd, STDIN_FILENO);
	(void)dup2(fd, STDOUT_FILENO);
	(void)dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
}

/*
 * The parent's half of detaching: wait for the child's status byte
 * and exit with it.  The child has already printed any error.  exit,
 * not _exit: stdio was flushed before the fork and the parent has no
 * kernel whose threads an exit handler could disturb, and exit is
 * where a coverage build (gcc --coverage) writes its counts.
 */
static void __attribute__((__noreturn__))
parent_wait(int rfd, pid_t child)
{
	unsigned char status;
	ssize_t n;

	do
		n = read(rfd, &status, 1);
	while (n == -1 && errno == EINTR);
	if (n == 1)
		exit(status == 0 ? 0 : 1);
	/* EOF: the child died before it could report; collect it. */
	(void)waitpid(child, NULL, WNOHANG);
	fprintf(stderr, "%s: server exited during start-up\n", PROGNAME);
	exit(1);
}

static void
report(int wfd, unsigned char status)
{
	ssize_t n;

	do
		n = write(wfd, &status, 1);
	while (n == -1 && errno == EINTR);
	close(wfd);
}

static void __attribute__((__noreturn__))
run_detached(const struct options *o, const char *addr,
    const sigset_t *stopset)
{
	int pfd[2];
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) == -1) {
		fprintf(stderr, "%s: pipe: %s\n", PROGNAME, strerror(errno));
		exit(1);
	}
	fflush(NULL);
	switch (pid = fork()) {
	case -1:
		fprintf(stderr, "%s: fork: %s\n", PROGNAME, strerror(errno));
		exit(1);
	case 0:
		break;
	default:
		close(pfd[1]);
		parent_wait(pfd[0], pid);
	}

	close(pfd[0]);
	(void)setsid();
	/* a failed start exits as it does in the foreground, with exit */
	if (server_start(o, addr) != 0) {
		report(pfd[1], 1);
		exit(1);
	}
	/*
	 * A relative unix:// URL was made absolute when it was parsed,
	 * so leaving the directory cannot lose the socket.
	 */
	(void)chdir("/");
	if (!o->o_verbose)
		detach_stdio();
	report(pfd[1], 0);
	server_wait(stopset, o->o_verbose);
}

int
main(int argc, char **argv)
{
	static char progname[] = PROGNAME;
	struct options opts;
	struct rsp_addr ra;
	char addr[256];
	sigset_t stopset;
	int error;

	/* getopt's messages name argv[0]; libtool's would be "lt-..." */
	argv[0] = progname;
	/*
	 * glibc gives threads that allocate an arena each, up to eight
	 * per core, and an arena keeps what was freed in it.  The pool's
	 * threads come and go with the load, so after a storm of clients
	 * the server held freed memory in arenas nobody used any more
	 * (issue 9: RSS 55% above warm-up).  The kernel runs one call at
	 * a time under its big lock, so more arenas buy little; two keep
	 * the memory bounded.  MALLOC_ARENA_MAX in the environment wins.
	 */
	if (getenv("MALLOC_ARENA_MAX") == NULL)
		(void)mallopt(M_ARENA_MAX, 2);
	parse_options(argc, argv, &opts);
	if ((error = rsp_url_resolve(opts.o_url, 1, &ra)) != 0) {
		fprintf(stderr, "%s: %s: %s\n", PROGNAME, opts.o_url,
		    strerror(error));
		return 1;
	}
	rsp_addr_str(&ra, addr, sizeof(addr));
	if (opts.o_key != NULL &&
	    (error = rumpuser_sp_keyfile(opts.o_key)) != 0) {
		fprintf(stderr, "%s: %s: %s\n", PROGNAME, opts.o_key,
		    error == EACCES ? "readable by group or others" :
		    error == EINVAL ? "not a key of 16 to 1024 bytes" :
		    strerror(error));
		return 1;
	}
	if (opts.o_key == NULL && !rsp_addr_local(&ra))
		fprintf(stderr, "%s: warning: %s is reachable from other "
		    "hosts and no --key is set: anyone who can connect can "
		    "make system calls\n", PROGNAME, addr);
	export_params(&opts);
	raise_nofile();

	/* Before any thread exists: see the comment at the top. */
	sigemptyset(&stopset);
	sigaddset(&stopset, SIGTERM);
	sigaddset(&stopset, SIGINT);
	sigaddset(&stopset, SIGHUP);
	if ((error = pthread_sigmask(SIG_BLOCK, &stopset, NULL)) != 0) {
		fprintf(stderr, "%s: pthread_sigmask: %s\n", PROGNAME,
		    strerror(error));
		return 1;
	}
	/* Sockets are written with MSG_NOSIGNAL; this covers stdio. */
	signal(SIGPIPE, SIG_IGN);

	if (!opts.o_foreground)
		run_detached(&opts, addr, &stopset);
	if (server_start(&opts, addr) != 0)
		return 1;
	server_wait(&stopset, opts.o_verbose);
}
