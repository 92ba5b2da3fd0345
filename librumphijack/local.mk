# librumphijack/: the LD_PRELOAD library that sends an unmodified
# program's /rump paths and kernel descriptors to the rump kernel
# (rumphijack(3)).  librumpclient's sources are compiled in, so the
# one preloaded file needs nothing that is not installed beside libc;
# hijack.sym exports the libc names it defines and nothing else.
lib_LTLIBRARIES += librumphijack.la
librumphijack_la_SOURCES = $(librumpclient_la_SOURCES) \
	librumphijack/hijack_int.h \
	librumphijack/hj_init.c \
	librumphijack/hj_fd.c \
	librumphijack/hj_path.c \
	librumphijack/hj_file.c \
	librumphijack/hj_fdhost.c \
	librumphijack/hj_open.c \
	librumphijack/hj_stat.c \
	librumphijack/hj_name.c \
	librumphijack/hj_dir.c \
	librumphijack/hj_stdio.c \
	librumphijack/hj_poll.c \
	librumphijack/hj_proc.c \
	librumphijack/hj_spawn.c \
	librumphijack/hj_shell.c \
	librumphijack/hj_sock.c \
	librumphijack/hj_tmp.c \
	librumphijack/hj_xattr.c
nodist_librumphijack_la_SOURCES = gen/sys_client.c
librumphijack_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/librumpclient
librumphijack_la_LIBADD = $(BSD_LIBS) $(PTHREAD_LIBS) -ldl
librumphijack_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared \
	-export-symbols $(top_srcdir)/librumphijack/hijack.sym
EXTRA_DIST += librumphijack/hijack.sym

# After adding a wrapper: regenerate the export list from the objects
# (tests/hijack_syms.sh checks that it is current).
.PHONY: hijack-sym
hijack-sym: $(librumphijack_la_OBJECTS)
	nm librumphijack/.libs/*hj_*.o | \
	    awk '$$2 == "T" || $$2 == "W" { print $$3 }' | grep -v '^hj_' | \
	    sort -u > $(top_srcdir)/librumphijack/hijack.sym
