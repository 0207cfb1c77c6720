# pvctld: the control-plane daemon, and the settings code pvctl shares.
noinst_LTLIBRARIES += pvctld/libpvctl-settings.la
pvctld_libpvctl_settings_la_SOURCES = \
	%reldir%/settings.h %reldir%/settings.c \
	%reldir%/metadata.h %reldir%/metadata.c \
	%reldir%/migrate.h %reldir%/migrate.c \
	%reldir%/conf.h %reldir%/conf.c
pvctld_libpvctl_settings_la_CFLAGS = $(AM_CFLAGS) $(LIBXML_CFLAGS)
pvctld_libpvctl_settings_la_LIBADD = libpvabi/libpvabi.la $(LIBXML_LIBS)

sbin_PROGRAMS += pvctld/pvctld
pvctld_pvctld_SOURCES = \
	%reldir%/pvctld.h \
	%reldir%/main.c \
	%reldir%/bus.c \
	%reldir%/virt.c \
	%reldir%/auth.c \
	%reldir%/push.c
pvctld_pvctld_CFLAGS = $(AM_CFLAGS) $(LIBVIRT_CFLAGS) $(LIBSYSTEMD_CFLAGS) \
	$(LIBNL_CFLAGS) $(PTHREAD_CFLAGS)
pvctld_pvctld_LDADD = pvctld/libpvctl-settings.la libpvabi/libpvabi.la \
	$(LIBVIRT_LIBS) $(LIBSYSTEMD_LIBS) $(LIBNL_LIBS) $(PTHREAD_LIBS)
