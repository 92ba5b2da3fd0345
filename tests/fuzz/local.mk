# tests/fuzz/: libFuzzer harnesses for the wire protocol and the
# server.  They need clang (configure's HAVE_FUZZER), so they are
# EXTRA_PROGRAMS: built by "make fuzz" only, never by make or make
# check.  Each compiles the code it fuzzes into itself, so that all of
# it carries libFuzzer's coverage instrumentation and the sanitizers.
# scripts/fuzz.sh builds them in ./build-fuzz and runs them; the suite
# runs each for a few seconds (tests/fuzz/fuzz_smoke.sh).

FUZZ_PROGS = tests/fuzz/fuzz_frame tests/fuzz/fuzz_sysreq \
	tests/fuzz/fuzz_url tests/fuzz/fuzz_banner tests/fuzz/fuzz_server
EXTRA_PROGRAMS = $(FUZZ_PROGS) tests/fuzz/gencorpus
CLEANFILES += $(FUZZ_PROGS) tests/fuzz/gencorpus
FUZZ_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/librumpuser
FUZZ_ALLCFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
FUZZ_ALLLDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)

tests_fuzz_fuzz_frame_SOURCES = tests/fuzz/fuzz_frame.c \
	$(librumpuser_la_SOURCES)
tests_fuzz_fuzz_frame_CPPFLAGS = $(FUZZ_CPPFLAGS)
tests_fuzz_fuzz_frame_CFLAGS = $(FUZZ_ALLCFLAGS)
tests_fuzz_fuzz_frame_LDFLAGS = $(FUZZ_ALLLDFLAGS)
tests_fuzz_fuzz_frame_LDADD = $(BSD_LIBS) $(PTHREAD_LIBS)

tests_fuzz_fuzz_sysreq_SOURCES = tests/fuzz/fuzz_sysreq.c $(COMMON_SRC)
tests_fuzz_fuzz_sysreq_CFLAGS = $(FUZZ_ALLCFLAGS)
tests_fuzz_fuzz_sysreq_LDFLAGS = $(FUZZ_ALLLDFLAGS)
tests_fuzz_fuzz_sysreq_LDADD = $(BSD_LIBS)

tests_fuzz_fuzz_url_SOURCES = tests/fuzz/fuzz_url.c $(COMMON_SRC)
tests_fuzz_fuzz_url_CFLAGS = $(FUZZ_ALLCFLAGS)
tests_fuzz_fuzz_url_LDFLAGS = $(FUZZ_ALLLDFLAGS)
tests_fuzz_fuzz_url_LDADD = $(BSD_LIBS)

tests_fuzz_fuzz_banner_SOURCES = tests/fuzz/fuzz_banner.c $(COMMON_SRC)
tests_fuzz_fuzz_banner_CFLAGS = $(FUZZ_ALLCFLAGS)
tests_fuzz_fuzz_banner_LDFLAGS = $(FUZZ_ALLLDFLAGS)
tests_fuzz_fuzz_banner_LDADD = $(BSD_LIBS)

tests_fuzz_fuzz_server_SOURCES = tests/fuzz/fuzz_server.c \
	$(librumpuser_la_SOURCES) $(librump_la_SOURCES)
nodist_tests_fuzz_fuzz_server_SOURCES = $(nodist_librump_la_SOURCES)
tests_fuzz_fuzz_server_CPPFLAGS = $(FUZZ_CPPFLAGS) \
	-I$(top_srcdir)/rumpkern -I$(top_builddir)/gen
tests_fuzz_fuzz_server_CFLAGS = $(FUZZ_ALLCFLAGS)
tests_fuzz_fuzz_server_LDFLAGS = $(FUZZ_ALLLDFLAGS)
tests_fuzz_fuzz_server_LDADD = $(BSD_LIBS) $(PTHREAD_LIBS)

# The seed corpus: gencorpus writes valid frames of every type (and a
# few URLs and banners) into tests/fuzz/corpus/<harness>/; the files
# are committed, "make fuzz-corpus" makes them again.
tests_fuzz_gencorpus_SOURCES = tests/fuzz/gencorpus.c $(COMMON_SRC)
tests_fuzz_gencorpus_CFLAGS = $(AM_CFLAGS)
tests_fuzz_gencorpus_LDADD = $(BSD_LIBS)

EXTRA_DIST += tests/fuzz/README.md tests/fuzz/corpus tests/fuzz/fuzz_smoke.sh \
	scripts/fuzz.sh
TESTS += tests/fuzz/fuzz_smoke.sh

.PHONY: fuzz fuzz-corpus
fuzz-corpus: $(BUILT_SOURCES)
	$(MAKE) $(AM_MAKEFLAGS) tests/fuzz/gencorpus$(EXEEXT)
	tests/fuzz/gencorpus $(top_srcdir)/tests/fuzz/corpus

if HAVE_FUZZER
fuzz: $(BUILT_SOURCES)
	$(MAKE) $(AM_MAKEFLAGS) $(FUZZ_PROGS)
else
fuzz:
	@echo "make fuzz: $(CC) cannot link -fsanitize=fuzzer: the" \
	    "harnesses need clang and libFuzzer (Debian: apt-get install" \
	    "clang libclang-rt-14-dev), then ./configure CC=clang, or" \
	    "run scripts/fuzz.sh" >&2; exit 1
endif
