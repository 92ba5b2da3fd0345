# tests/shm.mk: the shared-memory transport against a real rump_server
# (tests/test_shm.c); tests/tshm is its librumpclient client.
check_PROGRAMS += tests/tshm tests/test_shm
TESTS += tests/test_shm
tests_tshm_SOURCES = tests/tshm.c
tests_tshm_LDADD = librumpclient.la $(PTHREAD_LIBS)
tests_tshm_LDFLAGS = $(AM_LDFLAGS) -no-install
tests_test_shm_SOURCES = tests/test_shm.c $(HARNESS_SRC)
tests_test_shm_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_shm_LDADD = $(CHECK_LIBS) $(BSD_LIBS)
