# Tests: cmocka unit tests (tests/unit), CLI tests (tests/cli).  All TAP.
UNIT_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(JSONC_CFLAGS)
UNIT_LDADD = libpvabi/libpvabi.la $(CMOCKA_LIBS) $(JSONC_LIBS)

unit_tests = \
	tests/unit/test-abi-schema \
	tests/unit/test-access \
	tests/unit/test-negotiate \
	tests/unit/test-text \
	tests/unit/test-fdt \
	tests/unit/test-delivery
check_PROGRAMS += $(unit_tests)
TESTS += $(unit_tests)

tests_unit_test_abi_schema_SOURCES = tests/unit/test-abi-schema.c
tests_unit_test_abi_schema_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_abi_schema_LDADD = $(UNIT_LDADD)
tests_unit_test_access_SOURCES = tests/unit/test-access.c
tests_unit_test_access_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_access_LDADD = $(UNIT_LDADD)
tests_unit_test_negotiate_SOURCES = tests/unit/test-negotiate.c
tests_unit_test_negotiate_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_negotiate_LDADD = $(UNIT_LDADD)
tests_unit_test_text_SOURCES = tests/unit/test-text.c
tests_unit_test_text_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_text_LDADD = $(UNIT_LDADD)
tests_unit_test_fdt_SOURCES = tests/unit/test-fdt.c
tests_unit_test_fdt_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_fdt_LDADD = $(UNIT_LDADD) $(FDT_LIBS)

tests_unit_test_delivery_SOURCES = tests/unit/test-delivery.c
tests_unit_test_delivery_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools/sim
tests_unit_test_delivery_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_delivery_LDADD = tools/sim/libpvsim.la $(UNIT_LDADD)

cli_tests = \
	tests/cli/abi.sh \
	tests/cli/dt.sh \
	tests/cli/sim.sh \
	tests/unit/freestanding.sh
TESTS += $(cli_tests)
EXTRA_DIST += $(cli_tests) tests/lib.sh tests/data

# Real threads, real traps (tools/sim/stress.h).
stress_tests = tests/stress/test-stress
check_PROGRAMS += $(stress_tests)
TESTS += $(stress_tests)
tests_stress_test_stress_SOURCES = tests/stress/test-stress.c
tests_stress_test_stress_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools/sim
tests_stress_test_stress_CFLAGS = $(UNIT_CFLAGS)
tests_stress_test_stress_LDADD = tools/sim/libpvsim.la $(UNIT_LDADD)

# The spin model of the delivery protocol (docs/delivery.md).
model_tests = tests/model/run-model.sh
TESTS += $(model_tests)
EXTRA_DIST += $(model_tests) tests/model/delivery.pml
