# tests/cover.mk: the paths the rest of the suite leaves unrun, found
# with scripts/coverage.sh: rump_server's options, detaching and its
# failures (test_server_opts), and every tool's options and error
# paths (test_tool_opts, with tcover to set up what no tool can make).
check_PROGRAMS += tests/test_server_opts tests/test_tool_opts tests/tcover
TESTS += tests/test_server_opts tests/test_tool_opts
tests_test_server_opts_SOURCES = tests/test_server_opts.c $(HARNESS_SRC)
tests_test_server_opts_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_server_opts_LDADD = $(CHECK_LIBS) $(BSD_LIBS)
tests_test_tool_opts_SOURCES = tests/test_tool_opts.c $(HARNESS_SRC)
tests_test_tool_opts_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_tool_opts_LDADD = $(CHECK_LIBS) $(BSD_LIBS)
tests_tcover_SOURCES = tests/tcover.c
tests_tcover_LDADD = librumpclient.la $(PTHREAD_LIBS)
tests_tcover_LDFLAGS = $(AM_LDFLAGS) -no-install
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
