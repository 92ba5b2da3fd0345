# tools/: small rumpclient programs, installed as rump.NAME.  Each is
# one file; tool_common.c holds what they share (naming, connecting,
# reading a directory).
TOOL_SRC = tools/tool.h tools/tool_common.c tools/tool_sock.c
TOOL_LDADD = librumpclient.la $(BSD_LIBS)

bin_PROGRAMS += rump.halt rump.cat rump.tee rump.ls rump.mkdir rump.rm \
	rump.ps rump.sysctl rump.stat rump.sockstat rump.fstat

rump_halt_SOURCES = tools/halt.c $(TOOL_SRC)
rump_halt_LDADD = $(TOOL_LDADD)
rump_cat_SOURCES = tools/cat.c $(TOOL_SRC)
rump_cat_LDADD = $(TOOL_LDADD)
rump_tee_SOURCES = tools/tee.c $(TOOL_SRC)
rump_tee_LDADD = $(TOOL_LDADD)
rump_ls_SOURCES = tools/ls.c $(TOOL_SRC)
rump_ls_LDADD = $(TOOL_LDADD)
rump_mkdir_SOURCES = tools/mkdir.c $(TOOL_SRC)
rump_mkdir_LDADD = $(TOOL_LDADD)
rump_rm_SOURCES = tools/rm.c $(TOOL_SRC)
rump_rm_LDADD = $(TOOL_LDADD)
rump_ps_SOURCES = tools/ps.c tools/filelist.c $(TOOL_SRC)
rump_ps_LDADD = $(TOOL_LDADD)
rump_sysctl_SOURCES = tools/sysctl.c $(TOOL_SRC)
rump_sysctl_LDADD = $(TOOL_LDADD)
rump_stat_SOURCES = tools/stat.c $(TOOL_SRC)
rump_stat_LDADD = $(TOOL_LDADD)
rump_sockstat_SOURCES = tools/sockstat.c $(TOOL_SRC)
rump_sockstat_LDADD = $(TOOL_LDADD)
rump_fstat_SOURCES = tools/fstat.c tools/filelist.c $(TOOL_SRC)
rump_fstat_LDADD = $(TOOL_LDADD)

# rumprun: sets up librumphijack for an unmodified program; libc only
bin_PROGRAMS += rumprun
rumprun_SOURCES = tools/rumprun.c
rumprun_CPPFLAGS = $(AM_CPPFLAGS) -DLIBDIR='"$(libdir)"'
