# The PowerPC patcher's tests: unit tests, the execution proof under QEMU,
# the real-kernel scan and the benchmark.
patch_unit_tests = \
	%reldir%/test-patch-policy
check_PROGRAMS += $(patch_unit_tests)
TESTS += $(patch_unit_tests)

%canon_reldir%_test_patch_policy_SOURCES = %reldir%/test-patch-policy.c
%canon_reldir%_test_patch_policy_CFLAGS = $(UNIT_CFLAGS)
%canon_reldir%_test_patch_policy_LDADD = $(UNIT_LDADD)

EXTRA_DIST += %reldir%/fetch-kernel.sh
