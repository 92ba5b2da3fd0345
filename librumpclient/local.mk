# librumpclient/: the sysproxy client.
lib_LTLIBRARIES += librumpclient.la
librumpclient_la_SOURCES = $(COMMON_SRC)
nodist_librumpclient_la_SOURCES = gen/sys_client.c
librumpclient_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/librumpclient
librumpclient_la_LIBADD = $(BSD_LIBS) $(PTHREAD_LIBS)
librumpclient_la_LDFLAGS = $(AM_LDFLAGS) -version-info 0:0:0
