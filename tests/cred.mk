# tests/cred.mk: credentials, kill/wait between users, limits,
# descriptors, pipes, pid 0, the console and sysctl (in-process), and
# the same across real clients (tcred).
check_PROGRAMS += tests/test_cred
TESTS += tests/test_cred
tests_test_cred_SOURCES = tests/test_cred.c
tests_test_cred_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_cred_LDADD = librump.la $(CHECK_LIBS)
check_PROGRAMS += tests/test_pipe tests/test_sysctl
TESTS += tests/test_pipe tests/test_sysctl
# kern.h for the white-box parts: kmem_failnth(), sysctl_addquad()
tests_test_pipe_SOURCES = tests/test_pipe.c
tests_test_pipe_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/rumpkern
tests_test_pipe_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_pipe_LDADD = librump.la $(CHECK_LIBS) $(PTHREAD_LIBS)
tests_test_sysctl_SOURCES = tests/test_sysctl.c
tests_test_sysctl_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/rumpkern
tests_test_sysctl_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_sysctl_LDADD = librump.la $(CHECK_LIBS) $(BSD_LIBS)
# across the socket: tcred is linked -no-install so that it can exec
# itself (see integration.mk, which sets TOP_BUILDDIR for the harness)
check_PROGRAMS += tests/tcred tests/test_cred_sp
TESTS += tests/test_cred_sp
tests_tcred_SOURCES = tests/tcred.c
tests_tcred_LDADD = librumpclient.la $(PTHREAD_LIBS)
tests_tcred_LDFLAGS = $(AM_LDFLAGS) -no-install
tests_test_cred_sp_SOURCES = tests/test_cred_sp.c $(HARNESS_SRC)
tests_test_cred_sp_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_cred_sp_LDADD = $(CHECK_LIBS) $(BSD_LIBS)
