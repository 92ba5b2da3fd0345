# tests/vfs.mk: the VFS, memfs, devices and file system calls, run
# in-process through librump and compared with the host's answers.
check_PROGRAMS += tests/test_vfs
TESTS += tests/test_vfs
tests_test_vfs_SOURCES = tests/test_vfs.c
# kern.h for the white-box parts: credentials and kmem_inuse()
tests_test_vfs_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/rumpkern
tests_test_vfs_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_vfs_LDADD = librump.la $(CHECK_LIBS) $(BSD_LIBS)
