#!/bin/sh
# man_lint.sh -- every manual page is mandoc -Tlint clean (TAP).
top=${TOP_SRCDIR:-.}
n=0
for page in "$top"/man/*.[1-9]; do
	n=$((n + 1))
	out=$(mandoc -Tlint -Wwarning "$page" 2>&1)
	if [ -z "$out" ]; then
		echo "ok $n - mandoc -Tlint $(basename "$page")"
	else
		echo "not ok $n - mandoc -Tlint $(basename "$page")"
		echo "$out" | sed 's/^/# /'
	fi
done
echo "1..$n"
