# pvabi.ko in a real kernel under QEMU, and its style and sparse checks.
kmod_tests = \
	%reldir%/run-in-qemu \
	%reldir%/checkpatch.sh \
	%reldir%/sparse.sh
TESTS += $(kmod_tests)
dist_check_SCRIPTS += $(kmod_tests)
EXTRA_DIST += %reldir%/guest/init %reldir%/guest/pvabi-test.c
AM_TESTS_ENVIRONMENT += KDIR='$(KDIR)'; export KDIR;

clean-local: kmod-tests-clean
kmod-tests-clean:
	rm -rf $(abs_top_builddir)/tests/kmod/work $(abs_top_builddir)/tests/kmod/sparse-build
.PHONY: kmod-tests-clean
