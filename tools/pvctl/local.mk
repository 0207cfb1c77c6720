# pvctl: the command-line front door.
bin_PROGRAMS += tools/pvctl/pvctl

tools_pvctl_pvctl_SOURCES = \
	%reldir%/pvctl.h \
	%reldir%/pvctl.c \
	%reldir%/output.c \
	%reldir%/cmd_abi.c \
	%reldir%/cmd_dt.c \
	%reldir%/cmd_state.c \
	%reldir%/cmd_patch.c \
	%reldir%/cmd_kmod.c \
	%reldir%/cmd_sim.c \
	%reldir%/client.h \
	%reldir%/client_dbus.c \
	%reldir%/cmd_vm.c \
	%reldir%/cmd_hook.c \
	%reldir%/hook_kernel.c
tools_pvctl_pvctl_CPPFLAGS = $(AM_CPPFLAGS) $(LIBPVCTL_CPPFLAGS) \
	-I$(top_srcdir)/tools/sim
tools_pvctl_pvctl_CFLAGS = $(AM_CFLAGS) $(ANALYZER_CFLAGS) $(JSONC_CFLAGS) $(LIBSYSTEMD_CFLAGS) \
	$(LIBNL_CFLAGS)
tools_pvctl_pvctl_LDADD = tools/sim/libpvsim.la libpvctl/libpvctl.la \
	libpvabi/libpvabi.la $(JSONC_LIBS) $(LIBSYSTEMD_LIBS) $(LIBNL_LIBS)
