# tests/client.mk: librumpclient against a fake server (no kernel).
# The library exports only rumpclient_* and rump_sys_*, so the test
# compiles the framing helpers its fake server uses itself.
check_PROGRAMS += tests/test_client_proto
TESTS += tests/test_client_proto
tests_test_client_proto_SOURCES = tests/test_client_proto.c \
	common/sp_frame.c common/sp_sysreq.c common/sp_proto.h
tests_test_client_proto_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_client_proto_LDADD = librumpclient.la $(CHECK_LIBS) $(BSD_LIBS)
