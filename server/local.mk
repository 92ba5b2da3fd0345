# server/: rump_server, the kernel as a sysproxy server.
# sp_url.c is compiled in so that a bad URL is refused before the fork
# and -v can print the absolute address; the per-target CPPFLAGS keep
# its object apart from the libraries' libtool objects.
bin_PROGRAMS += rump_server
rump_server_SOURCES = server/rump_server.c common/sp_url.c common/sp_url.h
rump_server_CPPFLAGS = $(AM_CPPFLAGS)
rump_server_LDADD = librump.la librumpuser.la $(BSD_LIBS) $(PTHREAD_LIBS)
