# librumpclient/: the sysproxy client.
lib_LTLIBRARIES += librumpclient.la
librumpclient_la_SOURCES = $(COMMON_SRC) \
	librumpclient/rumpclient_int.h \
	librumpclient/rc_call.c \
	librumpclient/rc_conn.c \
	librumpclient/rc_fork.c \
	librumpclient/rc_listen.c \
	librumpclient/rc_serve.c \
	librumpclient/rc_shm.c \
	librumpclient/rc_syscall.c librumpclient/rc_tconn.c \
	librumpclient/rc_wake.c
nodist_librumpclient_la_SOURCES = gen/sys_client.c
librumpclient_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/librumpclient
librumpclient_la_LIBADD = $(BSD_LIBS) $(PTHREAD_LIBS)
librumpclient_la_LDFLAGS = $(AM_LDFLAGS) -version-info 0:0:0 \
	-export-symbols-regex '^(rumpclient_|rump_sys_)'
