# tests/faults.mk: fault injection (RUMP_FAILNTH, RUMP_SHORTWRITE,
# peers that close mid-frame) over real scenarios: tests/test_faults.c
# drives tests/tfault, a client that accepts only clean errors.
check_PROGRAMS += tests/tfault tests/test_faults
TESTS += tests/test_faults
tests_tfault_SOURCES = tests/tfault.c
tests_tfault_LDADD = librumpclient.la $(PTHREAD_LIBS)
tests_tfault_LDFLAGS = $(AM_LDFLAGS) -no-install
tests_test_faults_SOURCES = tests/test_faults.c $(HARNESS_SRC)
tests_test_faults_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_faults_LDADD = $(CHECK_LIBS) $(BSD_LIBS)
