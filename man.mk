# man.mk -- man/: a page for every installed program, library and the protocol.
# (These rules live beside, not inside, man/ so that man/ holds only pages.)
# rump.cat.1 documents all the file utilities; the others are installed
# as symbolic links to it (the hook rules have no recipe of their own,
# so other local.mk files may hook in too).
dist_man_MANS += man/rump_server.1 man/rump.halt.1 man/rump.cat.1 man/rump.ps.1 \
	man/rump.sysctl.1 man/rump.stat.1 man/rump.sockstat.1 \
	man/rumprun.1 man/rumphijack.3 \
	man/rump.3 man/rump_etfs.3 man/rump_lwproc.3 man/rumpclient.3 \
	man/rumpuser.3 \
	man/rump_sp.7 man/rump_net.7

RUMP_CAT_LINKS = rump.tee.1 rump.ls.1 rump.mkdir.1 rump.rm.1

install-data-hook: install-man-links
uninstall-hook: uninstall-man-links

.PHONY: install-man-links uninstall-man-links man-lint
install-man-links:
	cd "$(DESTDIR)$(man1dir)" && for l in $(RUMP_CAT_LINKS); do \
	    rm -f $$l && $(LN_S) rump.cat.1 $$l || exit 1; done
uninstall-man-links:
	cd "$(DESTDIR)$(man1dir)" && rm -f $(RUMP_CAT_LINKS)

# mandoc's lint must have nothing to say about any page.
man-lint:
	@out=`cd $(top_srcdir) && \
	    mandoc -Tlint -Wwarning $(dist_man_MANS) 2>&1`; \
	if test -n "$$out"; then echo "$$out"; exit 1; fi
