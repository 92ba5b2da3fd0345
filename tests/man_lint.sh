#!/bin/sh
# man_lint.sh -- every manual page is mandoc -Tlint clean, lists its
# errors (DIAGNOSTICS in section 1, ERRORS in 3), refers only to rump
# pages that exist or are installed as links (scripts/mlinks.sh), and
# has no display line where "No" would be read as a macro (TAP).
top=${TOP_SRCDIR:-.}
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; echo "$2" | sed 's/^/# /'; }

links=$(sh "$top/scripts/mlinks.sh" "$top"/man/*.[1-9] | awk '{ print $2 }')
for page in "$top"/man/*.[1-9]; do
	base=$(basename "$page")
	out=$(mandoc -Tlint -Wwarning "$page" 2>&1)
	if [ -z "$out" ]; then ok "mandoc -Tlint $base"
	else notok "mandoc -Tlint $base" "$out"; fi

	case $base in
	*.1) want=DIAGNOSTICS ;;
	*.2|*.3) want=ERRORS ;;
	*) want= ;;
	esac
	if [ -n "$want" ]; then
		if grep -q "^\.Sh $want" "$page"; then ok "$base has $want"
		else notok "$base has $want" "no .Sh $want"; fi
	fi

	# rumphijack(3) is another branch's page, on its way
	bad=
	for x in $(sed -n 's/^\.Xr \(rump[A-Za-z0-9_.]*\) \([0-9]\).*/\1.\2/p' \
	    "$page" | sort -u); do
		[ "$x" = rumphijack.3 ] && continue
		[ -f "$top/man/$x" ] && continue
		echo "$links" | grep -qx "$x" && continue
		bad="$bad $x"
	done
	if [ -z "$bad" ]; then ok "$base refers to pages that exist"
	else notok "$base refers to pages that exist" "missing:$bad"; fi

	out=$(grep -n '^\.D[l1] .*[^&]No ' "$page")
	if [ -z "$out" ]; then ok "$base: no \"No\" read as a macro"
	else notok "$base: no \"No\" read as a macro" "$out (escape: \\&No)"; fi
done
echo "1..$n"
