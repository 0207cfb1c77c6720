# The PowerPC patcher's tests: unit tests, the execution proof under QEMU,
# the real-kernel scan and the benchmark.
patch_unit_tests = \
	%reldir%/test-patch-policy \
	%reldir%/test-patch-rewrite \
	%reldir%/test-patch-image
check_PROGRAMS += $(patch_unit_tests)
TESTS += $(patch_unit_tests)

%canon_reldir%_test_patch_policy_SOURCES = %reldir%/test-patch-policy.c
%canon_reldir%_test_patch_policy_CFLAGS = $(UNIT_CFLAGS)
%canon_reldir%_test_patch_policy_LDADD = $(UNIT_LDADD)
%canon_reldir%_test_patch_rewrite_SOURCES = %reldir%/test-patch-rewrite.c \
	%reldir%/verify.h
%canon_reldir%_test_patch_rewrite_CFLAGS = $(UNIT_CFLAGS)
%canon_reldir%_test_patch_rewrite_LDADD = $(UNIT_LDADD)
%canon_reldir%_test_patch_image_SOURCES = %reldir%/test-patch-image.c \
	%reldir%/verify.h
%canon_reldir%_test_patch_image_CFLAGS = $(UNIT_CFLAGS)
%canon_reldir%_test_patch_image_LDADD = $(UNIT_LDADD)

EXTRA_DIST += %reldir%/fetch-kernel.sh

AM_TESTS_ENVIRONMENT += \
	PPC64LE_OBJDUMP='$(PPC64LE_OBJDUMP)'; export PPC64LE_OBJDUMP; \
	PPC32_CC='$(PPC32_CC)'; export PPC32_CC; \
	PPC64LE_CC='$(PPC64LE_CC)'; export PPC64LE_CC; \
	QEMU_PPC='$(QEMU_PPC)'; export QEMU_PPC; \
	QEMU_PPC64LE='$(QEMU_PPC64LE)'; export QEMU_PPC64LE;

patch_sh_tests = \
	%reldir%/cli.sh \
	%reldir%/exec.sh \
	%reldir%/kernel-scan.sh
TESTS += $(patch_sh_tests)
EXTRA_DIST += $(patch_sh_tests) %reldir%/objdump-classify.awk \
	%reldir%/ppc/host.c %reldir%/ppc/run.S %reldir%/ppc/pvtest.h

# The random sequence generator runs on the build machine.
check_PROGRAMS += %reldir%/gen-seq
%canon_reldir%_gen_seq_SOURCES = %reldir%/gen-seq.c

# libFuzzer harnesses (the plumbing is tests/fuzz/local.mk's).
fuzz_programs += tests/fuzz/fuzz-patch tests/fuzz/fuzz-patch-policy
tests/fuzz/fuzz-patch: tests/fuzz/fuzz-patch.c %reldir%/verify.h $(fuzz_libpvabi)
	$(FUZZ_LINK) $(fuzz_libpvabi_libs)
tests/fuzz/fuzz-patch-policy: tests/fuzz/fuzz-patch-policy.c $(fuzz_libpvabi)
	$(FUZZ_LINK) $(fuzz_libpvabi_libs)

# make bench: scan throughput against objdump -d | grep (bench/patch.json).
noinst_PROGRAMS += %reldir%/bench-patch
BENCHES += %reldir%/bench-patch
%canon_reldir%_bench_patch_SOURCES = %reldir%/bench-patch.c
%canon_reldir%_bench_patch_CPPFLAGS = $(AM_CPPFLAGS) \
	-DSRCDIR='"$(abs_top_srcdir)"' -DBUILDDIR='"$(abs_top_builddir)"' \
	-DPPC64LE_OBJDUMP='"$(PPC64LE_OBJDUMP)"'
%canon_reldir%_bench_patch_LDADD = libpvabi/libpvabi.la
EXTRA_DIST += docs/patching.md
