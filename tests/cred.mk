# tests/cred.mk: credentials, kill/wait between users, limits,
# descriptors, pipes, pid 0, the console and sysctl (in-process), and
# the same across real clients (tcred).
check_PROGRAMS += tests/test_cred
TESTS += tests/test_cred
tests_test_cred_SOURCES = tests/test_cred.c
tests_test_cred_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_cred_LDADD = librump.la $(CHECK_LIBS)
