# tests/integration.mk: a real rump_server and real client programs.
AM_TESTS_ENVIRONMENT = TOP_BUILDDIR='$(abs_top_builddir)'; \
	export TOP_BUILDDIR;
check_PROGRAMS += tests/tclient tests/test_integration
TESTS += tests/test_integration
tests_tclient_SOURCES = tests/tclient.c
tests_tclient_LDADD = librumpclient.la $(PTHREAD_LIBS)
tests_test_integration_SOURCES = tests/test_integration.c \
	tests/harness.c tests/harness.h $(COMMON_SRC)
tests_test_integration_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_integration_LDADD = $(CHECK_LIBS) $(BSD_LIBS)
