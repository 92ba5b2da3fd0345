# tests/kern.mk: protocol and kernel unit tests (the lead's).
check_PROGRAMS += tests/test_proto tests/test_lwproc
TESTS += tests/test_proto tests/test_lwproc
tests_test_proto_SOURCES = tests/test_proto.c $(COMMON_SRC)
tests_test_proto_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_proto_LDADD = $(CHECK_LIBS) $(BSD_LIBS)
tests_test_lwproc_SOURCES = tests/test_lwproc.c
tests_test_lwproc_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_lwproc_LDADD = librump.la $(CHECK_LIBS)
check_PROGRAMS += tests/test_kern_proc
TESTS += tests/test_kern_proc
tests_test_kern_proc_SOURCES = tests/test_kern_proc.c
tests_test_kern_proc_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_kern_proc_LDADD = librump.la $(CHECK_LIBS)
