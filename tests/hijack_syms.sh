#!/bin/sh
# hijack_syms.sh -- librumphijack exports exactly the libc names its
# files define (TAP).  librumphijack/hijack.sym is the list libtool
# exports; a wrapper missing from it would never be called.  After
# adding one: make hijack-sym.
top=${TOP_SRCDIR:-.}
b=${TOP_BUILDDIR:-.}
want=$(nm "$b"/librumphijack/.libs/*hj_*.o 2>/dev/null |
    awk '$2 == "T" || $2 == "W" { print $3 }' | grep -v '^hj_' | sort -u)
have=$(sort -u "$top/librumphijack/hijack.sym")
echo "1..2"
if [ -n "$want" ] && [ "$want" = "$have" ]; then
	echo "ok 1 - hijack.sym lists every wrapper"
else
	echo "not ok 1 - hijack.sym lists every wrapper (make hijack-sym)"
	echo "$want" > /tmp/hjsym.$$; echo "$have" | diff - /tmp/hjsym.$$ |
	    sed 's/^/# /'; rm -f /tmp/hjsym.$$
fi
so=$(ls "$b"/.libs/librumphijack.so 2>/dev/null)
dyn=$(nm -D --defined-only "$so" 2>/dev/null | awk '{ print $3 }' | sort -u)
if [ -n "$dyn" ] && [ "$dyn" = "$have" ]; then
	echo "ok 2 - librumphijack.so exports those and nothing else"
else
	echo "not ok 2 - librumphijack.so exports those and nothing else"
fi
