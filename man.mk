# man.mk -- man/: a page for every installed program, library and the protocol.
# (These rules live beside, not inside, man/ so that man/ holds only pages.)
dist_man_MANS += man/rump_server.1 man/rump.halt.1 man/rump.cat.1 man/rump.ps.1 \
	man/rump.sysctl.1 man/rump.stat.1 man/rump.sockstat.1 man/rump.fstat.1 \
	man/rumprun.1 man/rumphijack.3 \
	man/rump.3 man/rump_etfs.3 man/rump_lwproc.3 man/rumpclient.3 \
	man/rumpuser.3 \
	man/rump_sp.7 man/rump_net.7

# A link for every program and function a page documents besides its
# own name (rump.tee(1) -> rump.cat.1, rumpclient_init(3) ->
# rumpclient.3), as scripts/mlinks.sh finds them in NAME and SYNOPSIS;
# tests/man_lint.sh checks references against the same list.  (The
# hook rules have no recipe of their own, so other local.mk files may
# hook in too.)
EXTRA_DIST += scripts/mlinks.sh
install-data-hook: install-man-links
uninstall-hook: uninstall-man-links

MLINKS_CMD = pages=; for p in $(dist_man_MANS); do \
	    pages="$$pages $(top_srcdir)/$$p"; done; \
	    $(SHELL) $(top_srcdir)/scripts/mlinks.sh $$pages

.PHONY: install-man-links uninstall-man-links man-lint
install-man-links:
	@$(MLINKS_CMD) | while read page link; do \
	    d="$(DESTDIR)$(mandir)/man$${page##*.}"; \
	    rm -f "$$d/$$link" && $(LN_S) "$$page" "$$d/$$link" || exit 1; \
	done
uninstall-man-links:
	@$(MLINKS_CMD) | while read page link; do \
	    rm -f "$(DESTDIR)$(mandir)/man$${page##*.}/$$link"; done

# mandoc's lint must have nothing to say about any page.
man-lint:
	@out=`cd $(top_srcdir) && \
	    mandoc -Tlint -Wwarning $(dist_man_MANS) 2>&1`; \
	if test -n "$$out"; then echo "$$out"; exit 1; fi
