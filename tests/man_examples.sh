#!/bin/sh
# man_examples.sh -- the C programs in the pages' EXAMPLES build as
# written against this build (TAP): each .Bd -literal block of a
# section-3 page's EXAMPLES that has a main() is extracted, its roff
# escapes undone, and compiled and linked with libtool against
# librumpclient (if it includes rumpclient.h) or librump.  The
# kernel-linked ones are run too: they boot a kernel of their own.
# CC and SAN_CFLAGS come from the build (tests/integration.mk).
top=$(cd "${TOP_SRCDIR:-.}" && pwd)
build=$(cd "${TOP_BUILDDIR:-.}" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rumpex.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0
for page in "$top"/man/*.3; do
	base=$(basename "$page")
	awk -v out="$tmp/$base" '
	/^\.Sh / { ex = ($2 == "EXAMPLES"); next }
	ex && /^\.Bd -literal/ { k++; f = out "." k ".c"; inb = 1; next }
	inb && /^\.Ed/ { inb = 0; next }
	inb { gsub(/\\e/, "\\"); gsub(/\\&/, ""); print > f }
	' "$page"
	for c in "$tmp/$base".*.c; do
		[ -f "$c" ] || continue
		grep -q 'main(' "$c" || continue
		n=$((n + 1))
		name="$base EXAMPLES $(basename "$c" .c | sed 's/.*\.//')"
		lib=librump.la
		grep -q 'rump/rumpclient.h' "$c" && lib=librumpclient.la
		if ! out=$(cd "$tmp" && "$build/libtool" --mode=link --quiet \
		    ${CC:-cc} -std=gnu11 -Wall -Werror $SAN_CFLAGS -I"$top/include" \
		    -I"$build/gen" -o "${c%.c}" "$c" "$build/$lib" 2>&1); then
			echo "not ok $n - $name builds"
			echo "$out" | sed 's/^/# /'
			continue
		fi
		# (not under the sanitizers: a kernel is never freed)
		if [ "$lib" = librump.la ] && [ -z "${SAN_CFLAGS:-}" ] &&
		    ! grep -q etfs "$c"; then
			if ! out=$(cd "$tmp" && "${c%.c}" 2>&1); then
				echo "not ok $n - $name builds and runs"
				echo "$out" | sed 's/^/# /'
				continue
			fi
		fi
		echo "ok $n - $name builds"
	done
done
echo "1..$n"
