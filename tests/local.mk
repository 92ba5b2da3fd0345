# tests/: Check unit tests per subsystem and integration tests that run
# a real rump_server with real client programs.  Every test program
# prints TAP, one line per test case (see the top Makefile.am).

if HAVE_CHECK
include tests/sp_server.mk
include tests/client.mk
include tests/vfs.mk
include tests/kern.mk
include tests/integration.mk
include tests/cred.mk
include tests/sock.mk
include tests/hijack.mk
include tests/faults.mk
include tests/killstorm.mk
include tests/shm.mk
include tests/tconn.mk
include tests/netns.mk
include tests/cover.mk
endif

# libFuzzer harnesses: make fuzz, never make or make check (see there)
include tests/fuzz/local.mk
