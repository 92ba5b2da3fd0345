# tests/netns.mk: a link cut under a call, server and clients in two
# network namespaces (tests/test_netns.c); skips without root.
check_PROGRAMS += tests/test_netns
TESTS += tests/test_netns
tests_test_netns_SOURCES = tests/test_netns.c $(HARNESS_SRC)
tests_test_netns_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_netns_LDADD = $(CHECK_LIBS) $(BSD_LIBS)
