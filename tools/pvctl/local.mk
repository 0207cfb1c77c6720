# pvctl: the command-line front door.
bin_PROGRAMS += tools/pvctl/pvctl

tools_pvctl_pvctl_SOURCES = \
	%reldir%/pvctl.h \
	%reldir%/pvctl.c \
	%reldir%/cmd_abi.c \
	%reldir%/cmd_dt.c \
	%reldir%/cmd_patch.c \
	%reldir%/client.h \
	%reldir%/client_dbus.c \
	%reldir%/cmd_vm.c \
	%reldir%/cmd_hook.c
tools_pvctl_pvctl_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/pvctld
tools_pvctl_pvctl_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(LIBSYSTEMD_CFLAGS)
tools_pvctl_pvctl_LDADD = pvctld/libpvctl-settings.la libpvabi/libpvabi.la \
	$(JSONC_LIBS) $(LIBSYSTEMD_LIBS)
