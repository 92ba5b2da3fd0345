# tests/integration.mk: a real rump_server and real client programs.
# The client programs are linked -no-install: no libtool wrapper
# script, so they can exec themselves and be exec'd by name.
AM_TESTS_ENVIRONMENT = TOP_BUILDDIR='$(abs_top_builddir)'; \
	TOP_SRCDIR='$(abs_top_srcdir)'; export TOP_BUILDDIR TOP_SRCDIR; \
	CC='$(CC)'; SAN_CFLAGS='$(SAN_CFLAGS)'; export CC SAN_CFLAGS;
check_PROGRAMS += tests/tclient tests/tproc tests/tengine tests/tserver \
	tests/test_integration tests/test_lifecycle tests/test_engine
TESTS += tests/test_integration tests/test_lifecycle tests/test_engine
tests_tclient_SOURCES = tests/tclient.c
tests_tclient_LDADD = librumpclient.la $(PTHREAD_LIBS)
tests_tclient_LDFLAGS = $(AM_LDFLAGS) -no-install
tests_tproc_SOURCES = tests/tproc.c
tests_tproc_LDADD = librumpclient.la $(PTHREAD_LIBS)
tests_tproc_LDFLAGS = $(AM_LDFLAGS) -no-install
tests_tserver_SOURCES = tests/tserver.c
tests_tserver_LDADD = librump.la librumpuser.la $(PTHREAD_LIBS)
tests_tserver_LDFLAGS = $(AM_LDFLAGS) -no-install
tests_tengine_SOURCES = tests/tengine.c
tests_tengine_LDADD = librumpclient.la $(BSD_LIBS) $(PTHREAD_LIBS)
tests_tengine_LDFLAGS = $(AM_LDFLAGS) -no-install
HARNESS_SRC = tests/harness.c tests/harness.h $(COMMON_SRC)
tests_test_integration_SOURCES = tests/test_integration.c $(HARNESS_SRC)
tests_test_integration_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_integration_LDADD = $(CHECK_LIBS) $(BSD_LIBS)
tests_test_lifecycle_SOURCES = tests/test_lifecycle.c $(HARNESS_SRC)
tests_test_lifecycle_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_lifecycle_LDADD = $(CHECK_LIBS) $(BSD_LIBS)
tests_test_engine_SOURCES = tests/test_engine.c $(HARNESS_SRC)
tests_test_engine_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_engine_LDADD = $(CHECK_LIBS) $(BSD_LIBS)

# the rump.* tools against a real server
check_PROGRAMS += tests/ttools tests/test_tools
TESTS += tests/test_tools
tests_ttools_SOURCES = tests/ttools.c
tests_ttools_LDADD = librumpclient.la $(PTHREAD_LIBS)
tests_ttools_LDFLAGS = $(AM_LDFLAGS) -no-install
tests_test_tools_SOURCES = tests/test_tools.c $(HARNESS_SRC)
tests_test_tools_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_tools_LDADD = $(CHECK_LIBS) $(BSD_LIBS)

# make install DESTDIR= and an outside program built with pkg-config
TESTS += tests/install.sh
EXTRA_DIST += tests/install.sh

# documentation: every page lints clean, its examples build
TESTS += tests/man_lint.sh tests/man_examples.sh
EXTRA_DIST += tests/man_lint.sh tests/man_examples.sh
