# rumpkern/: the kernel, librump.
lib_LTLIBRARIES += librump.la
librump_la_SOURCES = rumpkern/kern.h
nodist_librump_la_SOURCES = gen/sysent.h gen/sysent.c gen/sys_local.c
librump_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/rumpkern -I$(top_builddir)/gen
librump_la_LIBADD = librumpuser.la
librump_la_LDFLAGS = $(AM_LDFLAGS) -version-info 0:0:0
