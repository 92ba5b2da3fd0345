# tests/sock.mk: poll, select, epoll and sockets, in-process through
# librump (compared with the host's answers) and across real clients.
check_PROGRAMS += tests/test_poll
TESTS += tests/test_poll
tests_test_poll_SOURCES = tests/test_poll.c
tests_test_poll_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_poll_LDADD = librump.la $(CHECK_LIBS) $(PTHREAD_LIBS)
check_PROGRAMS += tests/test_sock
TESTS += tests/test_sock
tests_test_sock_SOURCES = tests/test_sock.c
# kern.h for the white-box parts: kmem_inuse()
tests_test_sock_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/rumpkern
tests_test_sock_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_sock_LDADD = librump.la $(CHECK_LIBS) $(BSD_LIBS) $(PTHREAD_LIBS)
check_PROGRAMS += tests/tsock tests/test_sock_integ
TESTS += tests/test_sock_integ
tests_tsock_SOURCES = tests/tsock.c
tests_tsock_LDADD = librumpclient.la $(PTHREAD_LIBS)
tests_tsock_LDFLAGS = $(AM_LDFLAGS) -no-install
tests_test_sock_integ_SOURCES = tests/test_sock_integ.c $(HARNESS_SRC)
tests_test_sock_integ_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_sock_integ_LDADD = $(CHECK_LIBS) $(BSD_LIBS)
