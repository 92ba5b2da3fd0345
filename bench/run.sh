#!/bin/sh
#
# run.sh -- run the benchmarks against the programs of a build
# directory.  It builds nothing.
#
# usage: bench/run.sh [builddir] [-q] [-k case] [-p cpus]
#            [-- program options]
#
#	-q	a quick run (under a minute): fewer calls and 10 rounds
#	-p cpus	run the servers and the programs (with their raw echo
#		children) on these CPUs only (taskset -c cpus): -p 0 puts
#		everything on one CPU, which takes the host's cross-CPU
#		wakeups out of both sides' times
#	-k case	only this case: calls, stream, scale, idle or profile
#		(profile is never run by default: perf record of the
#		server during getpid, the top of the report)
#	--	the rest goes to every bench program (-n, -r, -c, -i)
#
# It starts "rump_server -s -v" on a Unix socket in a temporary
# directory and on TCP 127.0.0.1 (another port if one is in use),
# waits for each one's "listening on" line, runs the bench programs
# against them with the server's pid (-s) for the counters, and stops
# the servers with SIGTERM.  The idle case gets a fresh server of its
# own, so that its memory figures start from a server that served no
# one else.
#
set -eu

B=./build
case "${1:-}" in
""|-*) ;;
*) B=$1; shift ;;
esac
quick=
only=
pin=
while [ $# -gt 0 ]; do
	case "$1" in
	-q) quick=-q ;;
	-k) [ $# -ge 2 ] || { echo "run.sh: -k needs a case" >&2; exit 2; }
	    only=$2; shift ;;
	-p) [ $# -ge 2 ] || { echo "run.sh: -p needs a CPU list" >&2; exit 2; }
	    pin="taskset -c $2"; shift ;;
	--) shift; break ;;
	*) echo "usage: run.sh [builddir] [-q] [-k calls|stream|scale|idle|profile] [-p cpus] [-- options]" >&2
	   exit 2 ;;
	esac
	shift
done

server=$B/rump_server
for p in "$server" "$B/bench/bench_calls" "$B/bench/bench_stream" \
    "$B/bench/bench_scale" "$B/bench/bench_idle"; do
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

# start URL LOG: sets spid; 0 once the server listens, 1 if it failed.
start()
{
	: >"$2"
	$pin "$server" -s -v "$1" >"$2" 2>&1 &
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

# stop PID: SIGTERM and wait.
stop()
{
	kill "$1" 2>/dev/null || :
	wait "$1" 2>/dev/null || :
}

start_unix()
{
	unixurl="unix://$tmp/sock$1"
	if ! start "$unixurl" "$tmp/unix$1.log"; then
		echo "run.sh: rump_server $unixurl did not start:" >&2
		cat "$tmp/unix$1.log" >&2
		exit 1
	fi
	unixpid=$spid
}

start_tcp()
{
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
	tcppid=$spid
}

want()
{
	[ -z "$only" ] && [ "$1" != profile ] && return 0
	[ "$only" = "$1" ]
}

echo "# $(date -u '+%Y-%m-%d %H:%M UTC') $(uname -srm), $(nproc) CPUs," \
    "load $(cut -d' ' -f1-3 /proc/loadavg)${pin:+, all on $pin}"
command -v perf >/dev/null 2>&1 ||
    echo "# perf not found: no system call counts (apt-get install linux-perf)"

if want calls || want stream || want scale || want profile; then
	start_unix 0
fi
# On the Unix socket each case runs twice: on the socket (RUMP_SHM=0,
# labelled unix) and on shared rings (labelled shm), against the same
# raw AF_UNIX baseline.
if want calls; then
	start_tcp
	RUMP_SHM=0 $pin "$B/bench/bench_calls" $quick -s "$unixpid" "$@" "$unixurl"
	RUMP_SHM=1 $pin "$B/bench/bench_calls" $quick -s "$unixpid" "$@" "$unixurl"
	$pin "$B/bench/bench_calls" $quick -s "$tcppid" "$@" "$tcpurl"
	stop "$tcppid"
fi
if want stream; then
	RUMP_SHM=0 $pin "$B/bench/bench_stream" $quick -s "$unixpid" "$@" "$unixurl"
	RUMP_SHM=1 $pin "$B/bench/bench_stream" $quick -s "$unixpid" "$@" "$unixurl"
fi
if want scale; then
	RUMP_SHM=0 $pin "$B/bench/bench_scale" $quick -s "$unixpid" "$@" "$unixurl"
	RUMP_SHM=1 $pin "$B/bench/bench_scale" $quick -s "$unixpid" "$@" "$unixurl"
fi
if want profile; then
	# where the server's time goes during getpid over AF_UNIX
	$pin "$B/bench/bench_calls" -k getpid -r 10 "$@" "$unixurl" \
	    >"$tmp/profile.out" &
	bpid=$!
	sleep 2
	perf record -q -g -o "$tmp/perf.data" -p "$unixpid" -- sleep 5 \
	    >/dev/null 2>&1 || :
	wait "$bpid" || :
	perf report -q -i "$tmp/perf.data" --no-children --sort dso,sym \
	    --stdio -g none 2>/dev/null | head -40 || :
fi
if want idle; then
	start_unix 1
	RUMP_SHM=0 $pin "$B/bench/bench_idle" $quick -s "$unixpid" "$@" "$unixurl"
	stop "$unixpid"
	start_unix 2
	RUMP_SHM=1 $pin "$B/bench/bench_idle" $quick -s "$unixpid" "$@" "$unixurl"
fi
