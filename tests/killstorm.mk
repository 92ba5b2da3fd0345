# tests/killstorm.mk: clients of every kind killed at random, then the
# server must be back to its warm-up state (tests/test_killstorm.c);
# tests/tstorm plays the clients.
check_PROGRAMS += tests/tstorm tests/test_killstorm
TESTS += tests/test_killstorm
tests_tstorm_SOURCES = tests/tstorm.c
tests_tstorm_LDADD = librumpclient.la $(PTHREAD_LIBS)
tests_tstorm_LDFLAGS = $(AM_LDFLAGS) -no-install
tests_test_killstorm_SOURCES = tests/test_killstorm.c $(HARNESS_SRC)
tests_test_killstorm_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_killstorm_LDADD = $(CHECK_LIBS) $(BSD_LIBS)
