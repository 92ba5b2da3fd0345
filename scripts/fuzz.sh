#!/bin/sh
# scripts/fuzz.sh -- build the libFuzzer harnesses with clang in
# ./build-fuzz and run each for a while.
#
#	scripts/fuzz.sh [seconds [harness...]]
#
# seconds: per harness (default 60); harness: frame, sysreq, url,
# banner, server (default all).  Each starts from the committed seeds
# in tests/fuzz/corpus/<harness>/ and keeps what it learns in
# build-fuzz/corpus/<harness>/; a crash leaves its input in
# build-fuzz/crashes/.  Prints one line per harness:
#	fuzz_frame: 12345678 executions in 60 s, no crash
# and exits 1 if any crashed, 77 if clang or libFuzzer is missing.
# FUZZ_RUNS=N stops each harness after N executions instead (seconds
# still bound it): on a busy machine, time says little.
set -u
cd "$(dirname "$0")/.." || exit 1
top=$(pwd)
secs=${1:-60}
[ $# -gt 0 ] && shift
harnesses=${*:-frame sysreq url banner server}
bdir=$top/build-fuzz

# called from make check: the outer make's job server is not ours
unset MAKEFLAGS MFLAGS MAKELEVEL

if ! command -v clang >/dev/null 2>&1; then
	echo "fuzz.sh: no clang (Debian: apt-get install clang" \
	    "libclang-rt-14-dev)" >&2
	exit 77
fi
[ -x "$top/configure" ] || (autoreconf -fi >/dev/null 2>&1) || exit 1
mkdir -p "$bdir" && cd "$bdir" || exit 1
if [ ! -f Makefile ] || [ "$(cat .configure-args 2>/dev/null)" != CC=clang ]
then
	"$top/configure" -q CC=clang >configure.log 2>&1 ||
	    { tail -20 configure.log; exit 1; }
	echo CC=clang > .configure-args
fi
if ! grep -q '^rump_cv_fuzzer=yes' config.log; then
	echo "fuzz.sh: clang cannot link -fsanitize=fuzzer (Debian:" \
	    "apt-get install libclang-rt-14-dev)" >&2
	exit 77
fi
make -j2 fuzz >make-fuzz.log 2>&1 || { tail -40 make-fuzz.log; exit 1; }

export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
rc=0
for h in $harnesses; do
	prog=$bdir/tests/fuzz/fuzz_$h
	[ -x "$prog" ] || { echo "fuzz_$h: no such harness" >&2; rc=1; continue; }
	mkdir -p "corpus/$h" crashes
	log=$bdir/fuzz_$h.log
	"$prog" -max_total_time="$secs" ${FUZZ_RUNS:+-runs=$FUZZ_RUNS} \
	    -print_final_stats=1 \
	    -artifact_prefix="$bdir/crashes/fuzz_$h-" \
	    "corpus/$h" "$top/tests/fuzz/corpus/$h" >"$log" 2>&1
	st=$?
	n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	t=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' \
	    "$log" | tail -1)
	[ -n "$t" ] && secs_run=$t || secs_run=$secs
	if [ $st -eq 0 ]; then
		echo "fuzz_$h: ${n:-0} executions in $secs_run s, no crash"
	else
		echo "fuzz_$h: CRASH after ${n:-?} executions (status $st)," \
		    "log $log:"
		grep -E 'ERROR|SUMMARY|fuzz_[a-z]*:|Test unit written' "$log" |
		    head -20 | sed 's/^/    /'
		rc=1
	fi
done
exit $rc
