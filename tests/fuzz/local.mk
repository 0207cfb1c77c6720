# libFuzzer harnesses: one tests/fuzz/fuzz-<parser>.c per parser of outside
# input, built with clang -fsanitize=fuzzer,address,undefined straight from
# the sources (not the installed library), so the parser itself is
# instrumented.
#
#   make fuzz FUZZ_SECONDS=60   run each harness on its corpus, one line of
#                               figures per harness in results/fuzz.txt; what
#                               it learns stays in tests/fuzz/work/<parser>/
#                               for the next run
#   make check                  runs each for FUZZ_CHECK_SECONDS (tests/fuzz/fuzz.sh)
#                               from a fresh seed (printed; FUZZ_SEED=N repeats
#                               it) and replays tests/fuzz/regress/<parser>/*
#
# To add a harness for parser P:
#   1. tests/fuzz/fuzz-P.c: LLVMFuzzerTestOneInput() that feeds the bytes to
#      the parser and FUZZ_ASSERT()s its invariants (tests/fuzz/fuzz.h);
#   2. tests/fuzz/corpus/P/: a few small seed inputs taken from P's tests
#      (optional: tests/fuzz/corpus/P.dict, a libFuzzer dictionary);
#   3. below: add tests/fuzz/fuzz-P to fuzz_programs and give it its sources:
#        tests/fuzz/fuzz-P: tests/fuzz/fuzz-P.c $(fuzz_libpvabi) [more .c]
#        	$(FUZZ_LINK) $(fuzz_libpvabi_libs) [more, e.g. $(LIBXML_LIBS)]
#   4. when it finds a crash: fix the parser, and copy the reproducer from
#      tests/fuzz/crashes/P/ (or results/fuzz-crashes/P/, or the base64 the
#      log prints) to tests/fuzz/regress/P/ (make check replays it).
fuzz_programs = \
	tests/fuzz/fuzz-fdt-offer \
	tests/fuzz/fuzz-negotiate \
	tests/fuzz/fuzz-text \
	tests/fuzz/fuzz-page \
	tests/fuzz/fuzz-state \
	tests/fuzz/fuzz-delivery \
	tests/fuzz/fuzz-metadata \
	tests/fuzz/fuzz-shmem \
	tests/fuzz/fuzz-bus-args

FUZZ_SECONDS = 60
FUZZ_CHECK_SECONDS = 3
FUZZ_CFLAGS = -std=gnu11 -g -O1 -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	$(WARN_CFLAGS) -Wno-unknown-warning-option
FUZZ_CPPFLAGS = $(DEFS) $(DEFAULT_INCLUDES) $(AM_CPPFLAGS) $(CPPFLAGS) \
	-I$(top_srcdir)/%reldir% -I$(top_srcdir)/tools/pvvm $(LIBXML_CFLAGS)
# Compiles the .c files among the prerequisites into one program.
# libpvabi's CRC32C needs ISA-L (where configure found it) in every one.
FUZZ_LINK = $(AM_V_CCLD)$(MKDIR_P) $(@D) && \
	$(CLANG) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) -o $@ \
	$$(for f in $^; do case $$f in *.c) echo $$f;; esac; done)
# Every libpvabi source, instrumented along with the harness, and the
# libraries libpvabi links.
fuzz_libpvabi = $(libpvabi_libpvabi_la_SOURCES) %reldir%/fuzz.h
fuzz_libpvabi_libs = $(libpvabi_libpvabi_la_LIBADD)

tests/fuzz/fuzz-fdt-offer: tests/fuzz/fuzz-fdt-offer.c $(fuzz_libpvabi)
	$(FUZZ_LINK) $(fuzz_libpvabi_libs)
tests/fuzz/fuzz-negotiate: tests/fuzz/fuzz-negotiate.c $(fuzz_libpvabi)
	$(FUZZ_LINK) $(fuzz_libpvabi_libs)
tests/fuzz/fuzz-text: tests/fuzz/fuzz-text.c $(fuzz_libpvabi)
	$(FUZZ_LINK) $(fuzz_libpvabi_libs)
tests/fuzz/fuzz-page: tests/fuzz/fuzz-page.c $(fuzz_libpvabi)
	$(FUZZ_LINK) $(fuzz_libpvabi_libs)
tests/fuzz/fuzz-delivery: tests/fuzz/fuzz-delivery.c $(fuzz_libpvabi)
	$(FUZZ_LINK) $(fuzz_libpvabi_libs)

# pvvm's snapshot validation (the harness is tools/pvvm's).
fuzz_programs += tests/fuzz/fuzz-pvvm-snapshot
tests/fuzz/fuzz-pvvm-snapshot: tests/fuzz/fuzz-pvvm-snapshot.c \
		tools/pvvm/vmm/snapshot_check.c $(fuzz_libpvabi)
	$(FUZZ_LINK) $(fuzz_libpvabi_libs)
# ... and its reader of a guest's interrupt log.
fuzz_programs += tests/fuzz/fuzz-pvvm-log
tests/fuzz/fuzz-pvvm-log: tests/fuzz/fuzz-pvvm-log.c \
		tools/pvvm/vmm/inject_log.c $(fuzz_libpvabi)
	$(FUZZ_LINK) $(fuzz_libpvabi_libs)

# libpvctl's parsers of outside input: libvirt metadata, the domain XML
# pvabi's device is edited in, and D-Bus arguments.
fuzz_libpvctl = libpvctl/settings.c libpvctl/metadata.c libpvctl/migrate.c
tests/fuzz/fuzz-metadata: tests/fuzz/fuzz-metadata.c $(fuzz_libpvabi) $(fuzz_libpvctl)
	$(FUZZ_LINK) $(fuzz_libpvabi_libs) $(LIBXML_LIBS)
tests/fuzz/fuzz-shmem: tests/fuzz/fuzz-shmem.c libpvctl/shmem.c $(fuzz_libpvabi) $(fuzz_libpvctl)
	$(FUZZ_LINK) $(fuzz_libpvabi_libs) $(LIBXML_LIBS)
tests/fuzz/fuzz-bus-args: tests/fuzz/fuzz-bus-args.c $(fuzz_libpvabi) $(fuzz_libpvctl)
	$(FUZZ_LINK) $(fuzz_libpvabi_libs) $(LIBXML_LIBS)
# ... and the ivshmem messages the tests hold pvctld's server to.
fuzz_programs += tests/fuzz/fuzz-ivshmem
tests/fuzz/fuzz-ivshmem: tests/fuzz/fuzz-ivshmem.c libpvctl/ivshmem_proto.c %reldir%/fuzz.h
	$(FUZZ_LINK)
tests/fuzz/fuzz-state: tests/fuzz/fuzz-state.c $(fuzz_libpvabi)
	$(FUZZ_LINK) $(fuzz_libpvabi_libs)

CLEANFILES += $(fuzz_programs)
clean-local: clean-fuzz
clean-fuzz:
	-rm -rf %reldir%/crashes %reldir%/work results

if HAVE_LIBFUZZER
AM_TESTS_ENVIRONMENT += FUZZ_PROGRAMS='$(fuzz_programs)'; export FUZZ_PROGRAMS; \
	FUZZ_CHECK_SECONDS='$(FUZZ_CHECK_SECONDS)'; export FUZZ_CHECK_SECONDS;
%reldir%/fuzz.log: $(fuzz_programs)

fuzz: $(fuzz_programs)
	@$(MKDIR_P) results
	@: > results/fuzz.txt
	@fail=0; for p in $(fuzz_programs); do \
		h=$${p##*/fuzz-}; top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
		$(SHELL) $(srcdir)/%reldir%/run-harness --seconds $(FUZZ_SECONDS) \
			--work %reldir%/work/$$h --results results/fuzz.txt $$h || fail=1; \
	done; cat results/fuzz.txt; exit $$fail
else
fuzz:
	@echo "make fuzz: clang with libFuzzer not found (apt-get install clang libclang-rt-14-dev)" >&2; exit 1
endif
.PHONY: fuzz clean-fuzz

TESTS += %reldir%/fuzz.sh
EXTRA_DIST += %reldir%/fuzz.sh %reldir%/run-harness %reldir%/fuzz.h %reldir%/make-seeds \
	$(fuzz_programs:=.c) %reldir%/corpus %reldir%/regress
