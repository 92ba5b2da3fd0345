# bench/: benchmarks, each against a raw-socket baseline measured in the
# same run.  "make bench" runs them all against this build's programs;
# they are never part of "make check".  The framing and URL helpers are
# compiled in (per-target CPPFLAGS keep their objects apart from the
# libraries' libtool objects).
BENCH_COMMON = bench/bench_common.c bench/bench_common.h \
	common/sp_frame.c common/sp_url.c common/sp_proto.h common/sp_url.h

noinst_PROGRAMS += bench/bench_calls bench/bench_stream bench/bench_scale \
	bench/bench_idle
bench_bench_calls_SOURCES = bench/bench_calls.c $(BENCH_COMMON)
bench_bench_calls_CPPFLAGS = $(AM_CPPFLAGS)
bench_bench_calls_LDADD = librumpclient.la $(BSD_LIBS)
bench_bench_stream_SOURCES = bench/bench_stream.c $(BENCH_COMMON)
bench_bench_stream_CPPFLAGS = $(AM_CPPFLAGS)
bench_bench_stream_LDADD = librumpclient.la $(BSD_LIBS)
bench_bench_scale_SOURCES = bench/bench_scale.c $(BENCH_COMMON)
bench_bench_scale_CPPFLAGS = $(AM_CPPFLAGS)
bench_bench_scale_LDADD = librumpclient.la $(BSD_LIBS)
bench_bench_idle_SOURCES = bench/bench_idle.c $(BENCH_COMMON)
bench_bench_idle_CPPFLAGS = $(AM_CPPFLAGS)
bench_bench_idle_LDADD = librumpclient.la $(BSD_LIBS)
EXTRA_DIST += bench/run.sh bench/README.md

BENCH_PROGS = rump_server$(EXEEXT) bench/bench_calls$(EXEEXT) \
	bench/bench_stream$(EXEEXT) bench/bench_scale$(EXEEXT) \
	bench/bench_idle$(EXEEXT)

# make bench BENCH_ARGS="-q" (a run under a minute) or "-k calls" (one
# case): the options of bench/run.sh.
.PHONY: bench
bench: $(BENCH_PROGS)
	$(SHELL) $(top_srcdir)/bench/run.sh $(abs_top_builddir) $(BENCH_ARGS)
