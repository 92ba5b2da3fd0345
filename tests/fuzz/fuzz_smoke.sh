#!/bin/sh
# fuzz_smoke.sh -- each libFuzzer harness runs for a few seconds (TAP).
# The harnesses need clang and libFuzzer, so they are built apart, by
# scripts/fuzz.sh in ./build-fuzz; without them every case is a SKIP.
# Run at low priority: the other tests of the suite keep the CPU.
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
secs=${FUZZ_SMOKE_SECS:-10}
set -- frame sysreq url banner server
echo "1..$#"
out=$(nice -n 10 "$top/scripts/fuzz.sh" "$secs" "$@" 2>&1)
st=$?
n=0
for h in "$@"; do
	n=$((n + 1))
	if [ $st -eq 77 ]; then
		echo "ok $n - fuzz_$h # SKIP clang with libFuzzer not available"
		continue
	fi
	line=$(echo "$out" | grep "^fuzz_$h: ")
	case "$line" in
	*", no crash") echo "ok $n - $line" ;;
	*) echo "not ok $n - fuzz_$h: ${line:-not run}" ;;
	esac
done
[ $st -eq 0 ] || [ $st -eq 77 ] || echo "$out" | sed 's/^/# /'
exit 0
