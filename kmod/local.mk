# pvabi.ko: built on request ("make module"), never by "make", so machines
# without kernel headers build and distcheck as before.
KMOD_FILES = \
	%reldir%/Kbuild \
	%reldir%/Makefile \
	%reldir%/dkms.conf \
	%reldir%/pvabi_mod.h \
	%reldir%/pvabi_compat.h \
	%reldir%/main.c \
	%reldir%/vm.c \
	%reldir%/vcpu.c \
	%reldir%/deliver.c \
	%reldir%/netlink.c \
	%reldir%/region.c \
	%reldir%/uapi/linux/pvabi.h
EXTRA_DIST += $(KMOD_FILES)

# Kbuild runs in a directory of symlinks under the build tree.
KMOD_MAKE = env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS $(MAKE) \
	-C $(abs_top_srcdir)/kmod B=$(abs_top_builddir)/kmod/build \
	KDIR=$(KDIR) PVABI_SRC=$(abs_top_srcdir)

module:
	@if test -z "$(KDIR)" || test ! -f "$(KDIR)/Makefile"; then \
		echo "make module: no kernel build tree; install linux-headers-amd64 or configure --with-kernel-build=DIR" >&2; \
		exit 1; fi
	$(AM_V_GEN)$(KMOD_MAKE) modules
	@echo "  built kmod/build/pvabi.ko (against $(KDIR))"

module-clean:
	rm -rf $(abs_top_builddir)/kmod/build

clean-local: module-clean
.PHONY: module module-clean

# The dkms source tree: kmod/ and libpvabi's freestanding files side by side,
# dkms.conf at its top ($(prefix)/src is /usr/src for a Debian build).
dkmssrcdir = $(prefix)/src/$(PACKAGE)-$(VERSION)
dkmskmoddir = $(dkmssrcdir)/kmod
dkmskmod_DATA = %reldir%/Kbuild %reldir%/Makefile %reldir%/pvabi_mod.h \
	%reldir%/pvabi_compat.h \
	%reldir%/main.c %reldir%/vm.c %reldir%/vcpu.c %reldir%/deliver.c \
	%reldir%/netlink.c %reldir%/region.c
dkmsuapidir = $(dkmssrcdir)/kmod/uapi/linux
dkmsuapi_DATA = %reldir%/uapi/linux/pvabi.h
dkmslibdir = $(dkmssrcdir)/libpvabi
dkmslib_DATA = libpvabi/negotiate.c libpvabi/delivery.c libpvabi/export.h
dkmsincdir = $(dkmssrcdir)/libpvabi/include/pvabi
dkmsinc_DATA = libpvabi/include/pvabi/abi.h libpvabi/include/pvabi/access.h \
	libpvabi/include/pvabi/error.h libpvabi/include/pvabi/negotiate.h \
	libpvabi/include/pvabi/delivery.h
dkmstop_DATA = %reldir%/dkms.conf
dkmstopdir = $(dkmssrcdir)
