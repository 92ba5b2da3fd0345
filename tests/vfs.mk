# tests/vfs.mk: the VFS, memfs, devices and file system calls, run
# in-process through librump and, with the same scenarios
# (fs_scen.c), through librumpclient against a real rump_server;
# both compared with the host's answers.
check_PROGRAMS += tests/test_vfs tests/test_vfs_remote
TESTS += tests/test_vfs tests/test_vfs_remote
tests_test_vfs_SOURCES = tests/test_vfs.c tests/fs_scen.c tests/fs_scen.h
# kern.h for the white-box parts: credentials and kmem_inuse()
tests_test_vfs_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/rumpkern
tests_test_vfs_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_vfs_LDADD = librump.la $(CHECK_LIBS) $(BSD_LIBS)
tests_test_vfs_remote_SOURCES = tests/test_vfs_remote.c tests/fs_scen.c \
	tests/fs_scen.h $(HARNESS_SRC)
tests_test_vfs_remote_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_vfs_remote_LDADD = librumpclient.la $(CHECK_LIBS) $(BSD_LIBS)
# host files (etfs), in-process
check_PROGRAMS += tests/test_etfs
TESTS += tests/test_etfs
tests_test_etfs_SOURCES = tests/test_etfs.c tests/fs_scen.c tests/fs_scen.h
tests_test_etfs_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_etfs_LDADD = librump.la $(CHECK_LIBS) $(BSD_LIBS)
# the file system with a real rump_server: -d (etfs) and -r at boot
check_PROGRAMS += tests/test_fs_integration
TESTS += tests/test_fs_integration
tests_test_fs_integration_SOURCES = tests/test_fs_integration.c \
	$(HARNESS_SRC)
tests_test_fs_integration_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_fs_integration_LDADD = $(CHECK_LIBS) $(BSD_LIBS)
