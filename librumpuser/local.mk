# librumpuser/: hypercalls and the sysproxy server.
lib_LTLIBRARIES += librumpuser.la
librumpuser_la_SOURCES = $(COMMON_SRC)
librumpuser_la_LIBADD = $(BSD_LIBS) $(PTHREAD_LIBS)
librumpuser_la_LDFLAGS = $(AM_LDFLAGS) -version-info 0:0:0
