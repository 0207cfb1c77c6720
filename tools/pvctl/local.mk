# pvctl: the command-line front door.  pvctl runs the offline commands
# itself and hands the rest to pvctl-bus, which runs the VM commands (sd-bus)
# and hands the rest to pvctl-host, which links the host libraries (pvctl.c
# says why).
bin_PROGRAMS += tools/pvctl/pvctl
pkglibexec_PROGRAMS = tools/pvctl/pvctl-bus tools/pvctl/pvctl-host

pvctl_offline_sources = \
	%reldir%/pvctl.h \
	%reldir%/pvctl.c \
	%reldir%/output.c \
	%reldir%/cmd_abi.c \
	%reldir%/cmd_dt.c \
	%reldir%/cmd_state.c \
	%reldir%/cmd_patch.c

tools_pvctl_pvctl_SOURCES = $(pvctl_offline_sources)
tools_pvctl_pvctl_CPPFLAGS = $(AM_CPPFLAGS) \
	-DPVCTL_NEXT_PATH='"$(pkglibexecdir)/pvctl-bus"'
tools_pvctl_pvctl_CFLAGS = $(AM_CFLAGS) $(ANALYZER_CFLAGS) $(JSONC_CFLAGS)
tools_pvctl_pvctl_LDADD = libpvabi/libpvabi.la $(JSONC_LIBS)

# The two files of libpvctl it needs, not libpvctl.la, which would bring
# libxml2 and libnl along.
tools_pvctl_pvctl_bus_SOURCES = $(pvctl_offline_sources) \
	%reldir%/client.h \
	%reldir%/client_dbus.c \
	%reldir%/cmd_vm.c \
	libpvctl/bus_open.h libpvctl/bus_open.c \
	libpvctl/settings.h libpvctl/settings.c
tools_pvctl_pvctl_bus_CPPFLAGS = $(AM_CPPFLAGS) $(LIBPVCTL_CPPFLAGS) \
	-DPVCTL_BUS_PROG -DPVCTL_NEXT_PATH='"$(pkglibexecdir)/pvctl-host"'
tools_pvctl_pvctl_bus_CFLAGS = $(AM_CFLAGS) $(ANALYZER_CFLAGS) $(JSONC_CFLAGS) \
	$(LIBSYSTEMD_CFLAGS)
tools_pvctl_pvctl_bus_LDADD = libpvabi/libpvabi.la $(JSONC_LIBS) $(LIBSYSTEMD_LIBS)

tools_pvctl_pvctl_host_SOURCES = $(pvctl_offline_sources) \
	%reldir%/cmd_kmod.c \
	%reldir%/cmd_sim.c \
	%reldir%/client.h \
	%reldir%/client_dbus.c \
	%reldir%/cmd_vm.c \
	%reldir%/cmd_hook.c \
	%reldir%/hook_kernel.c
tools_pvctl_pvctl_host_CPPFLAGS = $(AM_CPPFLAGS) $(LIBPVCTL_CPPFLAGS) \
	-I$(top_srcdir)/tools/sim -DPVCTL_HOST
tools_pvctl_pvctl_host_CFLAGS = $(AM_CFLAGS) $(ANALYZER_CFLAGS) $(JSONC_CFLAGS) $(LIBSYSTEMD_CFLAGS) \
	$(LIBNL_CFLAGS)
tools_pvctl_pvctl_host_LDADD = tools/sim/libpvsim.la libpvctl/libpvctl.la \
	libpvabi/libpvabi.la $(JSONC_LIBS) $(LIBSYSTEMD_LIBS) $(LIBNL_LIBS)
