# tests/cover.mk: the paths the rest of the suite leaves unrun, found
# with scripts/coverage.sh: rump_server's options, detaching and its
# failures (test_server_opts), and every tool's options and error
# paths (test_tools, with ttools to set up what no tool can make).
check_PROGRAMS += tests/test_server_opts tests/test_tools tests/ttools
TESTS += tests/test_server_opts tests/test_tools
tests_test_server_opts_SOURCES = tests/test_server_opts.c $(HARNESS_SRC)
tests_test_server_opts_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_server_opts_LDADD = $(CHECK_LIBS) $(BSD_LIBS)
tests_test_tools_SOURCES = tests/test_tools.c $(HARNESS_SRC)
tests_test_tools_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_tools_LDADD = $(CHECK_LIBS) $(BSD_LIBS)
tests_ttools_SOURCES = tests/ttools.c
tests_ttools_LDADD = librumpclient.la $(PTHREAD_LIBS)
tests_ttools_LDFLAGS = $(AM_LDFLAGS) -no-install
# the hypercall library alone, through rumpuser(3)
check_PROGRAMS += tests/test_rumpuser
TESTS += tests/test_rumpuser
tests_test_rumpuser_SOURCES = tests/test_rumpuser.c
tests_test_rumpuser_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_rumpuser_LDADD = librumpuser.la $(CHECK_LIBS) $(BSD_LIBS)
# the client library's daemon and reconnect waits, with a real server
check_PROGRAMS += tests/test_client_paths
TESTS += tests/test_client_paths
tests_test_client_paths_SOURCES = tests/test_client_paths.c $(HARNESS_SRC)
tests_test_client_paths_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_client_paths_LDADD = $(CHECK_LIBS) $(BSD_LIBS)
