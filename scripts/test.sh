#!/bin/sh
# scripts/test.sh -- build and run the whole test suite.
#
#	scripts/test.sh				plain build in ./build
#	scripts/test.sh --sanitize=address,undefined	in ./build-asan
#	scripts/test.sh --sanitize=thread	in ./build-tsan
#	CC=clang scripts/test.sh --sanitize=...	the same with clang, in
#						./build-asan-clang (-tsan-clang)
#
# Prints a line for each test program as it finishes, the failures,
# and, last, one line "N passed, N failed, N skipped" counting every
# test case of every test program.  The full output is in DIR/check.log.
set -u
cd "$(dirname "$0")/.." || exit 1
top=$(pwd)
. scripts/common.sh

dir=build; cfg=
case "${1:-}" in
--sanitize=thread) dir=build-tsan; cfg="--enable-sanitizers=thread" ;;
--sanitize=*) dir=build-asan; cfg="--enable-sanitizers=${1#--sanitize=}" ;;
"") ;;
*) echo "usage: $0 [--sanitize=LIST]" >&2; exit 2 ;;
esac
# another compiler, another directory: objects of two compilers (and
# their sanitizer runtimes) must not meet in one link
case ${CC:-} in
*clang*) dir=$dir-clang ;;
esac

need_pkgs || exit 1
# the fuzz smoke test (tests/fuzz/fuzz_smoke.sh) wants clang and
# libFuzzer; without them its cases skip, so failing here is no error
b_pkgs=$PKGS; PKGS="clang libclang-rt-14-dev"
need_pkgs || echo "==> no clang or libFuzzer: the fuzz harnesses will skip"
PKGS=$b_pkgs
build_in "$top/$dir" $cfg || exit 1
cd "$top/$dir" || exit 1
# leaks are errors too: every process of the suite is checked at exit
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# clients are multi-threaded (the listener) and fork: let TSan follow
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:die_after_fork=0
# a verdict of an earlier run is not this run's
rm -f check.done tests/*.trs tests/*/*.trs
install_before_check
# one line per test program as it finishes (automake writes its .trs)
( seen=
  while [ ! -f check.done ]; do
	for t in tests/*.trs; do
		case " $seen " in *" $t "*) continue ;; esac
		# complete once the driver has written its verdict
		grep -q '^:global-test-result:' "$t" 2>/dev/null || continue
		seen="$seen $t"
		res=$(sed -n 's/^:test-result: //p' "$t" | sort | uniq -c |
		    awk '{ printf "%s%d %s", (NR > 1 ? ", " : ""), $1, $2 }')
		echo "    ${t%.trs}: $res"
	done
	sleep 1
  done ) &
watcher=$!
make -j"$(nproc)" check >check.log 2>&1
rc=$?
touch check.done
wait "$watcher" 2>/dev/null
rm -f check.done
grep -E '^(PASS|FAIL|ERROR|XPASS|SKIP|XFAIL|# )' check.log | grep -v '^PASS' || true
[ $rc -ne 0 ] && [ -f test-suite.log ] && grep -E '^(not ok|Bail out|#.*fail)' -r --include='*.log' tests | head -40
if [ ! -f test-suite.log ]; then
	tail -30 check.log
	echo "0 passed, 1 failed"
	exit 1
fi
num() { sed -n "s/^# $1: *\([0-9]*\).*/\1/p" test-suite.log | head -1; }
pass=$(num PASS); fail=$(( $(num FAIL) + $(num ERROR) + $(num XPASS) ))
skip=$(num SKIP)
echo "${pass:-0} passed, ${fail} failed, ${skip:-0} skipped"
[ "$rc" -eq 0 ] && [ "$fail" -eq 0 ]
