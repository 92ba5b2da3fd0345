# tests/sp_server.mk: the sysproxy server of librumpuser against a fake
# kernel (tests/test_sp_server.c).
check_PROGRAMS += tests/test_sp_server
TESTS += tests/test_sp_server
tests_test_sp_server_SOURCES = tests/test_sp_server.c
tests_test_sp_server_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_sp_server_LDADD = librumpuser.la $(CHECK_LIBS)
