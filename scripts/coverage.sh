#!/bin/sh
# scripts/coverage.sh -- line coverage of the suite, per directory.
#
#	scripts/coverage.sh		build ./build-cov, run the suite, report
#	scripts/coverage.sh -n		report on the counts already there
#	scripts/coverage.sh -f DIR	also list DIR's files, least covered first
#	scripts/coverage.sh -u FILE	also list FILE's lines never run
#
# Builds with ./configure --enable-coverage (gcc --coverage, -O0), clears
# the old counts, runs make check twice (clients on shared memory, then
# with RUMP_SHM=0 on sockets, as CI does), then reads every object's
# notes with plain gcov (part of gcc: nothing more to install) and
# prints, for each source directory, the lines executed out of the
# lines that hold code.
#
# A source compiled into several objects (common/ goes into both
# libraries, the server and the test harness; librumpuser/ into the
# server's tests) is counted once: a line is covered when any object
# ran it.  Only what exited normally is counted: gcov writes its counts
# from exit(), so a process killed by a signal adds nothing.  Nor does
# code a forked child runs inside fork() (pthread_atfork child
# handlers: rc_atfork_child and the two it calls in librumpclient):
# gcc's fork wrapper (__gcov_fork) zeroes the child's counts after
# fork() returns, whatever the child does next.
set -u
cd "$(dirname "$0")/.." || exit 1
top=$(pwd)
. scripts/common.sh

usage() {
	echo "usage: $0 [-n] [-f dir] [-u dir/file.c]" >&2
	exit 2
}
dir=build-cov; run=1; files=; unrun=
while [ $# -gt 0 ]; do
	case "$1" in
	-n) run=0 ;;
	-f) [ $# -ge 2 ] || usage; files=$2; shift ;;
	-u) [ $# -ge 2 ] || usage; unrun=$2; shift ;;
	*) usage ;;
	esac
	shift
done

rc=0
if [ $run -eq 1 ]; then
	need_pkgs || exit 1
	build_in "$top/$dir" --enable-coverage || exit 1
	cd "$top/$dir" || exit 1
	find . -name '*.gcda' -delete
	install_before_check
	num() { sed -n "s/^# $1: *\([0-9]*\).*/\1/p" test-suite.log | head -1; }
	# twice, as CI runs it: clients on the shared rings (the default
	# on Unix sockets), then on the sockets; the counts add up
	for shm in 1 0; do
		log=check.log
		[ $shm = 0 ] && log=check-sock.log
		rm -f tests/*.trs tests/*/*.trs test-suite.log
		echo "==> make check in $dir, RUMP_SHM=$shm (log in $dir/$log)"
		RUMP_SHM=$shm make -j"$(nproc)" check >$log 2>&1 || rc=1
		if [ -f test-suite.log ]; then
			echo "$(num PASS) passed, $(( $(num FAIL) + $(num ERROR) )) failed, $(num SKIP) skipped"
		fi
	done
	[ $rc -eq 0 ] || echo "==> the suite failed: the counts below are partial"
fi
cd "$top/$dir" || { echo "no $dir: run $0 without -n" >&2; exit 1; }

# gcov -t prints each source's annotated lines: "count:line:text",
# count "-" for no code, "#####" or "=====" for code never run.  Run
# from the build directory, as the compiler was, so it finds the source.
# Every object's notes (.gcno), not only those with counts (.gcda): a
# program the suite never ran counts as lines never run.
find . -name '*.gcno' | sort | while read -r gcno; do
	gcov -t -o "$(dirname "$gcno")" "$gcno" 2>/dev/null
done | awk -v want="$files" -v unrun="$unrun" '
function dirof(path,	n, p) {
	n = split(path, p, "/")
	return n >= 2 ? p[n - 1] : ""
}
/^ *-: *0:Source:/ {
	src = $0
	sub(/^ *-: *0:Source:/, "", src)
	# configure ran by absolute path: keep "dir/file.c" only
	if (match(src, /[^\/]+\/[^\/]+$/))
		src = substr(src, RSTART)
	d = dirof(src)
	keep = (d ~ /^(common|librumpclient|librumpuser|rumpkern|server|tools)$/) &&
	    src ~ /\.c$/
	next
}
!keep { next }
{
	split($0, f, ":")
	cnt = f[1]; gsub(/ /, "", cnt)
	ln = f[2] + 0
	if (cnt == "-" || ln == 0)
		next
	k = src SUBSEP ln
	if (!(k in code)) {
		code[k] = 1
		ncode[src]++
	}
	if (cnt !~ /^(#####|=====)$/ && !(k in hit)) {
		hit[k] = 1
		nhit[src]++
	}
	if (src == unrun && !(ln in text)) {
		t = $0
		sub(/^[^:]*:[^:]*:/, "", t)
		text[ln] = t
	}
}
END {
	for (s in ncode) {
		d = dirof(s)
		dcode[d] += ncode[s]; dhit[d] += nhit[s]
		tcode += ncode[s]; thit += nhit[s]
	}
	printf "%-16s %7s %7s %7s\n", "directory", "lines", "run", "cover"
	n = split("common librumpclient librumpuser rumpkern server tools", dl, " ")
	for (i = 1; i <= n; i++) {
		d = dl[i]
		printf "%-16s %7d %7d %6.1f%%\n", d "/", dcode[d], dhit[d],
		    dcode[d] ? 100 * dhit[d] / dcode[d] : 0
	}
	printf "%-16s %7d %7d %6.1f%%\n", "total", tcode, thit,
	    tcode ? 100 * thit / tcode : 0
	if (unrun != "") {
		printf "\n"
		for (ln in text)
			if (!((unrun SUBSEP ln) in hit))
				printf "%5d: %s\n", ln, text[ln] | "sort -n"
		close("sort -n")
	}
	if (want == "")
		exit
	want = want; sub(/\/$/, "", want)
	printf "\n"
	for (s in ncode)
		if (dirof(s) == want)
			printf "%6.1f%% %5d/%-5d %s\n", 100 * nhit[s] / ncode[s], nhit[s], ncode[s], s | "sort -n"
}'
exit $rc
