# pvctl: the command-line front door.
bin_PROGRAMS += tools/pvctl/pvctl

tools_pvctl_pvctl_SOURCES = \
	%reldir%/pvctl.h \
	%reldir%/pvctl.c \
	%reldir%/cmd_abi.c \
	%reldir%/cmd_dt.c \
	%reldir%/cmd_state.c
tools_pvctl_pvctl_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
tools_pvctl_pvctl_LDADD = libpvabi/libpvabi.la $(JSONC_LIBS)
