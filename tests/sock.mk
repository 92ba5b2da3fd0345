# tests/sock.mk: poll, select, epoll and sockets, in-process through
# librump (compared with the host's answers) and across real clients.
check_PROGRAMS += tests/test_poll
TESTS += tests/test_poll
tests_test_poll_SOURCES = tests/test_poll.c
tests_test_poll_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_poll_LDADD = librump.la $(CHECK_LIBS) $(PTHREAD_LIBS)
