# pvctl: the command-line front door.
bin_PROGRAMS += tools/pvctl/pvctl

tools_pvctl_pvctl_SOURCES = \
	%reldir%/pvctl.h \
	%reldir%/pvctl.c \
	%reldir%/cmd_abi.c \
	%reldir%/cmd_dt.c \
	%reldir%/cmd_patch.c \
	%reldir%/cmd_sim.c
tools_pvctl_pvctl_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools/sim
tools_pvctl_pvctl_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
tools_pvctl_pvctl_LDADD = tools/sim/libpvsim.la libpvabi/libpvabi.la $(JSONC_LIBS)
