#!/bin/sh
# scripts/demo.sh -- install what is missing, build, start rump_server
# on a local socket and let a few real client processes use it.
#
# The server keeps running afterwards, so that you can carry on by
# hand; the last lines say how.  Run it again to restart it.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
. scripts/common.sh

need_pkgs
echo "==> building in $top/build"
build_in "$top/build"
cd "$top"
PATH="$top/build:$PATH"
export PATH

RUMP_SERVER="unix:///tmp/rump-$(id -u).sock"
export RUMP_SERVER
# a server from an earlier run: halt it (the socket goes with it)
rump.halt 2>/dev/null || true

run() {
	echo "\$ $*"
	sh -c "$*"
}

echo "==> starting the kernel: rump_server $RUMP_SERVER"
rump_server "$RUMP_SERVER"
echo
echo "==> separate client processes, each its own process in the kernel"
run "rump.mkdir -v /demo"
run "echo 'hello from one client process' | rump.tee -v /demo/greeting"
run "rump.cat -v /demo/greeting"
run "date | rump.tee -av /demo/greeting >/dev/null"
run "rump.cat /demo/greeting"
run "rump.ls -l /demo /dev"
run "(sleep 1 | rump.tee /demo/pending &) ; sleep 0.3 ; rump.ps"
echo
echo "==> the server is still running on $RUMP_SERVER; try:"
echo "    export PATH=$top/build:\$PATH RUMP_SERVER=$RUMP_SERVER"
echo "    rump.ls -la /    rump.cat /demo/greeting    rump.halt"
