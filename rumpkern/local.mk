# rumpkern/: the kernel, librump.
lib_LTLIBRARIES += librump.la
librump_la_SOURCES = rumpkern/kern.h rumpkern/sched.c rumpkern/kmem.c \
	rumpkern/kern_proc.c rumpkern/kern_lwproc.c rumpkern/kern_descrip.c \
	rumpkern/kern_copy.c rumpkern/kern_syscall.c rumpkern/kern_prot.c \
	rumpkern/kern_misc.c rumpkern/rump.c rumpkern/kern_exit.c \
	rumpkern/kern_sig.c rumpkern/sys_pipe.c rumpkern/kern_proclist.c \
	rumpkern/kern_filelist.c rumpkern/kern_resource.c rumpkern/kern_sysctl.c \
	rumpkern/vfs.h rumpkern/vfs_vnode.c rumpkern/vfs_lookup.c \
	rumpkern/memfs.c rumpkern/dev.c rumpkern/vfs_vnops.c \
	rumpkern/vfs_syscalls.c rumpkern/vfs_names.c rumpkern/vfs_attr.c \
	rumpkern/etfs.c rumpkern/sys_generic.c \
	rumpkern/subr_select.c rumpkern/sys_poll.c rumpkern/sys_select.c \
	rumpkern/socketvar.h rumpkern/uipc_socket.c rumpkern/uipc_syscalls.c \
	rumpkern/uipc_usrreq.c rumpkern/in_loopback.c rumpkern/uipc_socklist.c rumpkern/uipc_sockopt.c \
	rumpkern/sys_epoll.c
nodist_librump_la_SOURCES = gen/sysent.h gen/sysent.c gen/sys_local.c
librump_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/rumpkern -I$(top_builddir)/gen
librump_la_LIBADD = librumpuser.la $(BSD_LIBS)
librump_la_LDFLAGS = $(AM_LDFLAGS) -version-info 0:0:0
