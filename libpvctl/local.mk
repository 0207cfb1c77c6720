# libpvctl: the host layer pvctl and pvctld share (settings, libvirt
# metadata, the migration check, the configuration file, opening the bus,
# the client of pvabi.ko's generic netlink family, the patch-mode mapping,
# the ivshmem-doorbell server that hands QEMU a VM's pvabi region).
# It depends on libpvabi and on the host libraries; libpvabi and the module
# never depend on it.
noinst_LTLIBRARIES += libpvctl/libpvctl.la
libpvctl_libpvctl_la_SOURCES = \
	%reldir%/settings.h %reldir%/settings.c \
	%reldir%/metadata.h %reldir%/metadata.c \
	%reldir%/migrate.h %reldir%/migrate.c \
	%reldir%/conf.h %reldir%/conf.c \
	%reldir%/bus_open.h %reldir%/bus_open.c \
	%reldir%/genl_client.h %reldir%/genl_client.c \
	%reldir%/patch_mode.h %reldir%/patch_mode.c \
	%reldir%/ivshmem_proto.h %reldir%/ivshmem_proto.c \
	%reldir%/ivshmem_region.h %reldir%/ivshmem_region.c \
	%reldir%/ivshmem_server.h %reldir%/ivshmem_server.c \
	%reldir%/shmem.h %reldir%/shmem.c %reldir%/xml_read.h \
	%reldir%/kernel.h %reldir%/kernel.c
libpvctl_libpvctl_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/kmod/uapi
libpvctl_libpvctl_la_CFLAGS = $(AM_CFLAGS) $(ANALYZER_CFLAGS) $(LIBXML_CFLAGS) $(LIBSYSTEMD_CFLAGS) \
	$(LIBNL_CFLAGS) $(NETTLE_CFLAGS)
libpvctl_libpvctl_la_LIBADD = libpvabi/libpvabi.la $(LIBXML_LIBS) \
	$(LIBSYSTEMD_LIBS) $(LIBNL_LIBS) $(NETTLE_LIBS)

# What a user of libpvctl adds to its CPPFLAGS.
LIBPVCTL_CPPFLAGS = -I$(top_srcdir)/libpvctl -I$(top_srcdir)/kmod/uapi
