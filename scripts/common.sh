# scripts/common.sh -- shared by demo.sh and test.sh: install what is
# missing (Debian packages), then configure and build in a build
# directory.  Sourced, not run.

PKGS="build-essential autoconf automake libtool pkg-config libbsd-dev libsodium-dev check mandoc"

need_pkgs() {
	missing=
	for p in $PKGS; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q "install ok installed" || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	echo "==> installing:$missing (apt-get, log in /tmp/rump-apt.log)"
	if [ "$(id -u)" = 0 ]; then
		SUDO=
	elif command -v sudo >/dev/null 2>&1; then
		SUDO=sudo
	else
		echo "missing packages and no sudo: as root, run" >&2
		echo "    apt-get install$missing" >&2
		return 1
	fi
	if ! { $SUDO apt-get update -qq &&
	    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
	    $missing; } >/tmp/rump-apt.log 2>&1; then
		tail -20 /tmp/rump-apt.log >&2
		echo "apt-get failed: see /tmp/rump-apt.log" >&2
		return 1
	fi
}

# build DIR [configure args...]: names are prefixed, as sh has no locals
build_in() {
	b_dir=$1; shift
	b_top=$(cd "$(dirname "$0")/.." && pwd)
	[ -x "$b_top/configure" ] || (cd "$b_top" && autoreconf -fi) || return 1
	# configure refuses a build directory once the source directory
	# itself was configured: say what to do instead of its message
	if [ -f "$b_top/config.status" ] && [ "$b_top" != "$b_dir" ]; then
		echo "$b_top was configured for a build in the source" \
		    "directory; run 'make distclean' there first" >&2
		return 1
	fi
	mkdir -p "$b_dir" && cd "$b_dir" || return 1
	if [ ! -f Makefile ] || [ "$(cat .configure-args 2>/dev/null)" != "$*" ]; then
		"$b_top/configure" -q "$@" || return 1
		echo "$*" > .configure-args
	fi
	make -j"$(nproc)" >make.log 2>&1 || { tail -40 make.log; return 1; }
}

# In the build directory, before make check: make install relinks each
# library in place in .libs (libtool moves the built one aside
# meanwhile), and a test that links or loads it at that moment fails.
# So it runs here, alone, into ./inst-check, and tests/install.sh
# judges what it installed (RUMP_TEST_DESTDIR).
install_before_check() {
	rm -rf inst-check inst-check.ok
	make install DESTDIR="$(pwd)/inst-check" >inst-check.log 2>&1 &&
	    : >inst-check.ok
	RUMP_TEST_DESTDIR="$(pwd)/inst-check"
	export RUMP_TEST_DESTDIR
}
