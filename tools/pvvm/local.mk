# pvvm: a small KVM monitor and its guest (x86-64 Linux hosts).
if PVVM
bin_PROGRAMS += tools/pvvm/pvvm
BENCHES += tools/pvvm/pvvm-bench tools/pvvm/pvvm-bench-hostile
noinst_SCRIPTS = tools/pvvm/pvvm-bench tools/pvvm/pvvm-bench-hostile
# make bench runs this: the table on stdout, the JSON in bench/kvm.json.
tools/pvvm/pvvm-bench: Makefile
	$(AM_V_GEN)$(MKDIR_P) $(@D) && \
	printf '#!/bin/sh\nexec "%s" bench --output bench/kvm.json "$$@"\n' \
		'$(abs_builddir)/tools/pvvm/pvvm' >$@ && chmod +x $@
CLEANFILES += tools/pvvm/pvvm-bench
# ... and the good guest's latency beside each hostile guest, in
# bench/hostile-kvm.json.
tools/pvvm/pvvm-bench-hostile: Makefile
	$(AM_V_GEN)$(MKDIR_P) $(@D) && \
	printf '#!/bin/sh\nexec "%s" hostile --injections 2000 --rounds 3 --output bench/hostile-kvm.json "$$@"\n' \
		'$(abs_builddir)/tools/pvvm/pvvm' >$@ && chmod +x $@
CLEANFILES += tools/pvvm/pvvm-bench-hostile

# The command layer (pvvm.c, session.c, cmd_*.c) over the VMM core in vmm/,
# which includes nothing of the layer above it.
tools_pvvm_pvvm_SOURCES = \
	%reldir%/cmd.h \
	%reldir%/guest/boot.h \
	%reldir%/pvvm.c \
	%reldir%/session.c \
	%reldir%/cmd_run.c \
	%reldir%/cmd_bench.c \
	%reldir%/cmd_hostile.c \
	%reldir%/guest_image.S \
	%reldir%/vmm/vmm.h \
	%reldir%/vmm/inject.h \
	%reldir%/vmm/snapshot.h \
	%reldir%/vmm/kvm.c \
	%reldir%/vmm/vm.c \
	%reldir%/vmm/vcpu.c \
	%reldir%/vmm/ioport.c \
	%reldir%/vmm/hcall.c \
	%reldir%/vmm/pvpage.c \
	%reldir%/vmm/irq.c \
	%reldir%/vmm/inject.c \
	%reldir%/vmm/inject_log.c \
	%reldir%/vmm/snapshot.c \
	%reldir%/vmm/snapshot_check.c
# Includes name paths from tools/pvvm/: "vmm/vmm.h", "guest/boot.h".
tools_pvvm_pvvm_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/%reldir%
tools_pvvm_pvvm_CFLAGS = $(AM_CFLAGS) $(ANALYZER_CFLAGS) $(PTHREAD_CFLAGS) $(JSONC_CFLAGS)
tools_pvvm_pvvm_CCASFLAGS = $(AM_CCASFLAGS) -Wa,-I,$(abs_top_builddir)/%reldir%/guest
tools_pvvm_pvvm_LDADD = libpvabi/libpvabi.la $(PTHREAD_LIBS) $(JSONC_LIBS)
%reldir%/pvvm-guest_image.$(OBJEXT): %reldir%/guest/pvguest.bin

# The guest: 32-bit, freestanding, only the compiler's own headers; linked
# at PVVM_IMAGE_GPA by guest.ld and flattened with objcopy.
PVVM_GUEST_CFLAGS = -m32 -march=i686 -std=gnu11 -O2 -ffreestanding \
	-fno-builtin -fno-pic -fno-pie -fno-asynchronous-unwind-tables -nostdinc -isystem $(GUEST_CC_INCLUDE) \
	-I$(top_srcdir)/libpvabi/include -I$(top_srcdir)/%reldir%/guest \
	$(WARN_CFLAGS) -Wno-missing-prototypes -fno-stack-protector
PVVM_GUEST_CC = $(AM_V_CC)$(MKDIR_P) $(@D) && $(CC) $(PVVM_GUEST_CFLAGS)
pvvm_guest_headers = $(top_srcdir)/%reldir%/guest/boot.h \
	$(top_srcdir)/%reldir%/guest/guest.h \
	$(top_srcdir)/libpvabi/include/pvabi/abi.h \
	$(top_srcdir)/libpvabi/include/pvabi/error.h
pvvm_guest_objs = %reldir%/guest/start.o %reldir%/guest/pv.o \
	%reldir%/guest/cpu.o %reldir%/guest/console.o %reldir%/guest/hcall.o \
	%reldir%/guest/main.o %reldir%/guest/hostile.o %reldir%/guest/section.o

%reldir%/guest/start.o: $(top_srcdir)/%reldir%/guest/start.S $(pvvm_guest_headers)
	$(PVVM_GUEST_CC) -c -o $@ $(top_srcdir)/%reldir%/guest/start.S
%reldir%/guest/pv.o: $(top_srcdir)/%reldir%/guest/pv.S $(pvvm_guest_headers)
	$(PVVM_GUEST_CC) -c -o $@ $(top_srcdir)/%reldir%/guest/pv.S
%reldir%/guest/cpu.o: $(top_srcdir)/%reldir%/guest/cpu.c $(pvvm_guest_headers)
	$(PVVM_GUEST_CC) -c -o $@ $(top_srcdir)/%reldir%/guest/cpu.c
%reldir%/guest/console.o: $(top_srcdir)/%reldir%/guest/console.c $(pvvm_guest_headers)
	$(PVVM_GUEST_CC) -c -o $@ $(top_srcdir)/%reldir%/guest/console.c
%reldir%/guest/hcall.o: $(top_srcdir)/%reldir%/guest/hcall.c $(pvvm_guest_headers)
	$(PVVM_GUEST_CC) -c -o $@ $(top_srcdir)/%reldir%/guest/hcall.c
%reldir%/guest/main.o: $(top_srcdir)/%reldir%/guest/main.c $(pvvm_guest_headers)
	$(PVVM_GUEST_CC) -c -o $@ $(top_srcdir)/%reldir%/guest/main.c
%reldir%/guest/hostile.o: $(top_srcdir)/%reldir%/guest/hostile.c $(pvvm_guest_headers)
	$(PVVM_GUEST_CC) -c -o $@ $(top_srcdir)/%reldir%/guest/hostile.c
%reldir%/guest/section.o: $(top_srcdir)/%reldir%/guest/section.c $(pvvm_guest_headers)
	$(PVVM_GUEST_CC) -c -o $@ $(top_srcdir)/%reldir%/guest/section.c
%reldir%/guest/pvguest.bin: $(pvvm_guest_objs) $(top_srcdir)/%reldir%/guest/guest.ld
	$(AM_V_CCLD)$(CC) $(PVVM_GUEST_CFLAGS) -nostdlib -static -no-pie \
		-Wl,-T,$(top_srcdir)/%reldir%/guest/guest.ld -Wl,--build-id=none \
		-Wl,-z,noexecstack -Wl,--no-warn-rwx-segments \
		-o %reldir%/guest/pvguest.elf $(pvvm_guest_objs)
	$(AM_V_GEN)$(OBJCOPY) -O binary %reldir%/guest/pvguest.elf $@

CLEANFILES += $(pvvm_guest_objs) %reldir%/guest/pvguest.elf \
	%reldir%/guest/pvguest.bin

# The same guest code over ivshmem-doorbell instead of pvvm's ports, as a
# multiboot ELF a libvirt domain boots through <os><kernel> (ivshmem.c);
# the region's layout comes from the module's uapi header.
pvabi_guest_objs = %reldir%/guest/mbstart.o %reldir%/guest/start.o \
	%reldir%/guest/pv.o %reldir%/guest/cpu.o %reldir%/guest/console.o \
	%reldir%/guest/section.o %reldir%/guest/ivshmem.o
%reldir%/guest/mbstart.o: $(top_srcdir)/%reldir%/guest/mbstart.S $(pvvm_guest_headers)
	$(PVVM_GUEST_CC) -c -o $@ $(top_srcdir)/%reldir%/guest/mbstart.S
%reldir%/guest/ivshmem.o: $(top_srcdir)/%reldir%/guest/ivshmem.c $(pvvm_guest_headers) \
		$(top_srcdir)/kmod/uapi/linux/pvabi.h
	$(PVVM_GUEST_CC) -I$(top_srcdir)/%reldir%/guest/shim \
		-I$(top_srcdir)/kmod/uapi -c -o $@ $(top_srcdir)/%reldir%/guest/ivshmem.c
%reldir%/guest/pvabi-guest.elf: $(pvabi_guest_objs) $(top_srcdir)/%reldir%/guest/ivshmem.ld
	$(AM_V_CCLD)$(CC) $(PVVM_GUEST_CFLAGS) -nostdlib -static -no-pie \
		-Wl,-T,$(top_srcdir)/%reldir%/guest/ivshmem.ld -Wl,--build-id=none \
		-Wl,-z,noexecstack -Wl,-z,max-page-size=0x1000 \
		-Wl,--no-warn-rwx-segments -o $@ $(pvabi_guest_objs)
# Installed as pkglibdir/pvabi-guest.elf, but never in a multiarch
# libdir: an i386 image any x86 host boots, at /usr/lib/pvabi on Debian.
guestdir = $(exec_prefix)/lib/$(PACKAGE)
guest_DATA = %reldir%/guest/pvabi-guest.elf
CLEANFILES += %reldir%/guest/mbstart.o %reldir%/guest/ivshmem.o \
	%reldir%/guest/pvabi-guest.elf
endif
EXTRA_DIST += %reldir%/guest/guest.h %reldir%/guest/guest.ld \
	%reldir%/guest/start.S %reldir%/guest/pv.S %reldir%/guest/cpu.c \
	%reldir%/guest/console.c %reldir%/guest/hcall.c %reldir%/guest/main.c \
	%reldir%/guest/hostile.c %reldir%/guest/section.c \
	%reldir%/guest/mbstart.S %reldir%/guest/ivshmem.c \
	%reldir%/guest/ivshmem.ld %reldir%/guest/shim/linux/types.h \
	%reldir%/guest/shim/linux/ioctl.h

# Real-KVM tests: they SKIP, saying why, where pvvm or /dev/kvm is missing.
kvm_tests = \
	tests/kvm/cli.sh \
	tests/kvm/guests.sh \
	tests/kvm/inject.sh \
	tests/kvm/window.sh \
	tests/kvm/bench.sh \
	tests/kvm/snapshot.sh \
	tests/kvm/hostile.sh \
	tests/kvm/exception-in-section.sh
TESTS += $(kvm_tests)
EXTRA_DIST += $(kvm_tests) tests/kvm/kvm-lib.sh \
	tests/fuzz/fuzz-pvvm-snapshot.c tests/fuzz/corpus/pvvm-snapshot
