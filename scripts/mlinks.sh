#!/bin/sh
# scripts/mlinks.sh PAGE... -- the manual page links a page needs: one
# "page link" line for each function or program its NAME section
# (.Nm) or SYNOPSIS (.Fn, .Fo) names other than the page itself, so
# that "man rumpclient_init" finds rumpclient(3).  Used by man.mk to
# install the links and by tests/man_lint.sh to check references.
for page in "$@"; do
	base=${page##*/}
	sec=${base##*.}
	awk -v base="$base" -v sec="$sec" '
	/^\.Sh / { sh = $2; next }
	(sh == "NAME" && $1 == ".Nm") ||
	    (sh == "SYNOPSIS" && ($1 == ".Fn" || $1 == ".Fo")) {
		n = $2
		gsub(/[^A-Za-z0-9_.]/, "", n)
		if (n == "" || n "." sec == base || seen[n]++)
			next
		print base, n "." sec
	}' "$page"
done
