# pvabi.ko in a real kernel under QEMU, and its style and sparse checks.
kmod_tests = \
	%reldir%/run-in-qemu \
	%reldir%/checkpatch.sh \
	%reldir%/kernel-doc.sh \
	%reldir%/coccicheck.sh \
	%reldir%/w1.sh \
	%reldir%/sparse.sh \
	%reldir%/dkms.sh
TESTS += $(kmod_tests)
dist_check_SCRIPTS += $(kmod_tests)
EXTRA_DIST += %reldir%/guest/init %reldir%/guest/pvabi-test.c \
	%reldir%/guest/guest.h %reldir%/guest/guest.c %reldir%/guest/hostile.c \
	%reldir%/guest/security.c %reldir%/guest/region.c \
	%reldir%/guest/compat32.c %reldir%/guest/fuzz.c \
	%reldir%/debian-kernel %reldir%/kernel-scripts %reldir%/lib-kmod.sh \
	%reldir%/debug-kernel %reldir%/debug.config %reldir%/check-kernel-debug
AM_TESTS_ENVIRONMENT += KDIR='$(KDIR)'; export KDIR;

# The same tests and a fuzzer under a kernel with KASAN, lockdep, kmemleak
# and UBSAN, built once into a cache (18 min on 2 shared cores), then about
# 9 min of run: too long for make check and CI.
check-kernel-debug: all
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
		$(srcdir)/%reldir%/check-kernel-debug
.PHONY: check-kernel-debug

clean-local: kmod-tests-clean
kmod-tests-clean:
	rm -rf $(abs_top_builddir)/tests/kmod/work $(abs_top_builddir)/tests/kmod/work-debug \
		$(abs_top_builddir)/tests/kmod/check-kernel-debug.log \
		$(abs_top_builddir)/tests/kmod/sparse-build
.PHONY: kmod-tests-clean

# The bound of the module's drain loop, on this machine (no module needed).
check_PROGRAMS += tests/kmod/test-dlv-rounds
TESTS += tests/kmod/test-dlv-rounds
tests_kmod_test_dlv_rounds_SOURCES = tests/kmod/test-dlv-rounds.c
tests_kmod_test_dlv_rounds_CFLAGS = $(UNIT_CFLAGS)
tests_kmod_test_dlv_rounds_LDADD = $(UNIT_LDADD)

# The netlink client's parser, on this machine (no module needed).
check_PROGRAMS += tests/unit/test-genl-parse
TESTS += tests/unit/test-genl-parse
tests_unit_test_genl_parse_SOURCES = tests/unit/test-genl-parse.c
tests_unit_test_genl_parse_CPPFLAGS = $(AM_CPPFLAGS) $(LIBPVCTL_CPPFLAGS)
tests_unit_test_genl_parse_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(LIBNL_CFLAGS)
tests_unit_test_genl_parse_LDADD = libpvctl/libpvctl.la $(CMOCKA_LIBS) $(LIBNL_LIBS)

# libFuzzer harnesses of the client's parsers: GET_VMS replies, and the
# events and GET_OFFER replies (make fuzz).
fuzz_programs += tests/fuzz/fuzz-genl-vm
tests/fuzz/fuzz-genl-vm: tests/fuzz/fuzz-genl-vm.c libpvctl/genl_client.c \
		libpvctl/genl_client.h $(fuzz_libpvabi)
	$(FUZZ_LINK) -I$(top_srcdir)/kmod/uapi -I$(top_srcdir)/libpvctl \
		$(LIBNL_CFLAGS) $(LIBNL_LIBS) $(fuzz_libpvabi_libs)
fuzz_programs += tests/fuzz/fuzz-genl-event
tests/fuzz/fuzz-genl-event: tests/fuzz/fuzz-genl-event.c libpvctl/genl_client.c \
		libpvctl/genl_client.h $(fuzz_libpvabi)
	$(FUZZ_LINK) -I$(top_srcdir)/kmod/uapi -I$(top_srcdir)/libpvctl \
		$(LIBNL_CFLAGS) $(LIBNL_LIBS) $(fuzz_libpvabi_libs)
