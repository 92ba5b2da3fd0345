# common/: the wire protocol, compiled into both libraries through
# $(COMMON_SRC) (see the top Makefile.am).
