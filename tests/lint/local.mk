# Static analysis of the user-space sources, as TAP tests.
TESTS += %reldir%/cppcheck.sh
EXTRA_DIST += %reldir%/cppcheck.sh
AM_TESTS_ENVIRONMENT += CPPCHECK='$(CPPCHECK)'; export CPPCHECK;
TESTS += %reldir%/pvvm-layers.sh
EXTRA_DIST += %reldir%/pvvm-layers.sh
TESTS += %reldir%/clang-format.sh
EXTRA_DIST += %reldir%/clang-format.sh %reldir%/kernel-style-files
TESTS += %reldir%/abi.sh
EXTRA_DIST += %reldir%/abi.sh
TESTS += %reldir%/analyzer.sh
EXTRA_DIST += %reldir%/analyzer.sh
AM_TESTS_ENVIRONMENT += CC='$(CC)'; export CC; \
	ANALYZER_CFLAGS='$(ANALYZER_CFLAGS)'; \
	export ANALYZER_CFLAGS; JSONC_CFLAGS='$(JSONC_CFLAGS)'; export JSONC_CFLAGS;
TESTS += %reldir%/scan-build.sh
EXTRA_DIST += %reldir%/scan-build.sh
TESTS += %reldir%/pipefail-grep.sh
EXTRA_DIST += %reldir%/pipefail-grep.sh
