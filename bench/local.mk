# bench/: benchmarks, each against a raw-socket baseline measured in the
# same run.  "make bench" runs them against this build's programs; they
# are never part of "make check".  The framing and URL helpers are
# compiled in (per-target CPPFLAGS keep their objects apart from the
# libraries' libtool objects).
noinst_PROGRAMS += bench/bench_getpid
bench_bench_getpid_SOURCES = bench/bench_getpid.c common/sp_frame.c \
	common/sp_url.c common/sp_proto.h common/sp_url.h
bench_bench_getpid_CPPFLAGS = $(AM_CPPFLAGS)
bench_bench_getpid_LDADD = librumpclient.la $(BSD_LIBS)
EXTRA_DIST += bench/run.sh

# make bench BENCH_ARGS="-n 10000" passes options to bench_getpid.
.PHONY: bench
bench: rump_server$(EXEEXT) bench/bench_getpid$(EXEEXT)
	$(SHELL) $(top_srcdir)/bench/run.sh $(abs_top_builddir) $(BENCH_ARGS)
