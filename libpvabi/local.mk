# libpvabi: the ABI headers and the user-space library.
lib_LTLIBRARIES += libpvabi/libpvabi.la

libpvabi_libpvabi_la_SOURCES = \
	%reldir%/export.h \
	%reldir%/negotiate.c \
	%reldir%/delivery.c \
	%reldir%/error.c \
	%reldir%/layout.c \
	%reldir%/text.h \
	%reldir%/text.c \
	%reldir%/offer_fdt.c \
	%reldir%/crc32c.h \
	%reldir%/crc32c.c \
	%reldir%/simd.h \
	%reldir%/state.c \
	%reldir%/ppc_decode.c \
	%reldir%/ppc_rewrite.c \
	%reldir%/patch_policy.c \
	%reldir%/patch_elf.c \
	%reldir%/patch_image.c
libpvabi_libpvabi_la_CFLAGS = $(AM_CFLAGS) $(ANALYZER_CFLAGS) $(VISIBILITY_CFLAGS)
libpvabi_libpvabi_la_CPPFLAGS = $(AM_CPPFLAGS) $(LIBELF_CFLAGS)
libpvabi_libpvabi_la_LIBADD = $(FDT_LIBS) $(LIBELF_LIBS) $(ISAL_LIBS)
libpvabi_libpvabi_la_LDFLAGS = $(AM_LDFLAGS) -version-info $(LIBPVABI_LT_VERSION) \
	-Wl,--version-script=$(top_srcdir)/%reldir%/libpvabi.sym
EXTRA_libpvabi_libpvabi_la_DEPENDENCIES = %reldir%/libpvabi.sym

pvabiincludedir = $(includedir)/pvabi
pvabiinclude_HEADERS = \
	%reldir%/include/pvabi/abi.h \
	%reldir%/include/pvabi/access.h \
	%reldir%/include/pvabi/delivery.h \
	%reldir%/include/pvabi/error.h \
	%reldir%/include/pvabi/negotiate.h \
	%reldir%/include/pvabi/patch.h \
	%reldir%/include/pvabi/pvabi.h \
	%reldir%/include/pvabi/state.h

pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = %reldir%/libpvabi.pc
EXTRA_DIST += %reldir%/libpvabi.sym %reldir%/libpvabi.pc.in %reldir%/clock.h

# make abi-baseline: record the built library's ABI as the released one.  Run
# it at a release only: the commit that opens a section in libpvabi.sym.
abi-baseline: libpvabi/libpvabi.la
	$(AM_V_GEN)abidw --drop-private-types \
		--headers-dir $(srcdir)/libpvabi/include/pvabi \
		libpvabi/.libs/libpvabi.so >$(srcdir)/libpvabi/libpvabi.abi.tmp && \
	mv $(srcdir)/libpvabi/libpvabi.abi.tmp $(srcdir)/libpvabi/libpvabi.abi
.PHONY: abi-baseline
EXTRA_DIST += %reldir%/libpvabi.abi
