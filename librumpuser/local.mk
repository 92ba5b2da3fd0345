# librumpuser/: hypercalls and the sysproxy server.
lib_LTLIBRARIES += librumpuser.la
librumpuser_la_SOURCES = $(COMMON_SRC) \
	librumpuser/rumpuser.c librumpuser/rumpuser_pth.c \
	librumpuser/rumpuser_int.h librumpuser/rumpuser_fault.c \
	librumpuser/rumpuser_file.c librumpuser/rumpuser_daemon.c \
	librumpuser/sp_int.h librumpuser/sp_server.c \
	librumpuser/sp_client.c librumpuser/sp_handle.c \
	librumpuser/sp_join.c librumpuser/sp_pool.c librumpuser/sp_prefork.c \
	librumpuser/sp_copy.c librumpuser/sp_send.c \
	librumpuser/sp_lwproc.c librumpuser/sp_stats.c \
	librumpuser/sp_ring.c
librumpuser_la_LIBADD = $(BSD_LIBS) $(PTHREAD_LIBS)
librumpuser_la_LDFLAGS = $(AM_LDFLAGS) -version-info 0:0:0
