#!/bin/sh
#
# run.sh -- run the benchmarks against the programs of a build
# directory.  It builds nothing.
#
# usage: bench/run.sh [builddir [bench_getpid options]]
#
# For each transport (a Unix socket in a temporary directory, TCP on
# 127.0.0.1) it starts "rump_server -s -v" in the background, waits for
# its "listening on" line (or its error line), runs bench_getpid
# against all of them in one run, and stops the servers with SIGTERM.
# A TCP port in use is retried with another one.
#
set -eu

B=${1:-./build}
[ $# -gt 0 ] && shift

server=$B/rump_server
bench=$B/bench/bench_getpid
for p in "$server" "$bench"; do
	if [ ! -x "$p" ]; then
		echo "run.sh: $p: not built (run make in $B first)" >&2
		exit 1
	fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rumpbench.XXXXXX")
pids=
cleanup()
{
	for p in $pids; do
		kill "$p" 2>/dev/null || :
		wait "$p" 2>/dev/null || :
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# start URL LOG: 0 once the server listens, 1 if it failed or hung.
start()
{
	"$server" -s -v "$1" >"$2" 2>&1 &
	spid=$!
	n=0
	until grep -q "listening on" "$2"; do
		if grep "^rump_server: " "$2" | grep -qv "listening on" ||
		    [ $n -ge 100 ]; then
			kill "$spid" 2>/dev/null || :
			wait "$spid" 2>/dev/null || :
			return 1
		fi
		n=$((n + 1))
		sleep 0.1
	done
	pids="$pids $spid"
	return 0
}

unixurl="unix://$tmp/sock"
if ! start "$unixurl" "$tmp/unix.log"; then
	echo "run.sh: rump_server $unixurl did not start:" >&2
	cat "$tmp/unix.log" >&2
	exit 1
fi

port=$(( ($$ % 20000) + 30000 ))
tries=0
while :; do
	tcpurl="tcp://127.0.0.1:$port"
	start "$tcpurl" "$tmp/tcp.log" && break
	tries=$((tries + 1))
	if [ $tries -ge 10 ] || ! grep -q "Address already in use" \
	    "$tmp/tcp.log"; then
		echo "run.sh: rump_server $tcpurl did not start:" >&2
		cat "$tmp/tcp.log" >&2
		exit 1
	fi
	port=$((port + 97))
done

"$bench" "$@" "$unixurl" "$tcpurl"
