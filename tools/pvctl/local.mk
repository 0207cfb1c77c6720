# pvctl: the command-line front door.
bin_PROGRAMS += tools/pvctl/pvctl

tools_pvctl_pvctl_SOURCES = \
	%reldir%/pvctl.h \
	%reldir%/pvctl.c \
	%reldir%/cmd_abi.c \
	%reldir%/cmd_dt.c \
	%reldir%/cmd_state.c \
	%reldir%/cmd_kmod.c \
	%reldir%/cmd_patch.c \
	%reldir%/cmd_sim.c \
	tools/common/genl-client.h \
	tools/common/genl-client.c
tools_pvctl_pvctl_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools/sim \
	-I$(top_srcdir)/kmod/uapi -I$(top_srcdir)/tools/common
tools_pvctl_pvctl_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(LIBNL_CFLAGS)
tools_pvctl_pvctl_LDADD = tools/sim/libpvsim.la libpvabi/libpvabi.la \
	$(JSONC_LIBS) $(LIBNL_LIBS)
