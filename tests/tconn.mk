# tests/tconn.mk: thread connections against a real rump_server
# (tests/test_tconn.c); tests/ttconn is its librumpclient client.
check_PROGRAMS += tests/ttconn tests/test_tconn
TESTS += tests/test_tconn
tests_ttconn_SOURCES = tests/ttconn.c
tests_ttconn_LDADD = librumpclient.la $(PTHREAD_LIBS) -ldl
tests_ttconn_LDFLAGS = $(AM_LDFLAGS) -no-install
tests_test_tconn_SOURCES = tests/test_tconn.c $(HARNESS_SRC)
tests_test_tconn_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_tconn_LDADD = $(CHECK_LIBS) $(BSD_LIBS)
