# tests/hijack.mk: unmodified programs under rumprun (librumphijack)
# against a real rump_server.  tests/thijack is an ordinary libc
# program; it must not link anything of ours.
check_PROGRAMS += tests/thijack tests/test_hijack
TESTS += tests/test_hijack
tests_thijack_SOURCES = tests/thijack.c
tests_thijack_LDFLAGS = $(AM_LDFLAGS) -no-install
tests_thijack_LDADD = $(PTHREAD_LIBS)
tests_test_hijack_SOURCES = tests/test_hijack.c $(HARNESS_SRC)
tests_test_hijack_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_hijack_LDADD = $(CHECK_LIBS) $(BSD_LIBS)
if SANITIZED
HIJACK_SAN = -DRUMP_SANITIZED
endif
tests_test_hijack_CPPFLAGS = $(AM_CPPFLAGS) $(HIJACK_SAN)
TESTS += tests/hijack_syms.sh
EXTRA_DIST += tests/hijack_syms.sh
