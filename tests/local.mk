# Tests: cmocka unit tests (tests/unit), CLI tests (tests/cli).  All TAP.
UNIT_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(JSONC_CFLAGS)
UNIT_LDADD = libpvabi/libpvabi.la $(CMOCKA_LIBS) $(JSONC_LIBS)

unit_tests = \
	tests/unit/test-abi-schema \
	tests/unit/test-access \
	tests/unit/test-negotiate \
	tests/unit/test-text \
	tests/unit/test-fdt \
	tests/unit/test-delivery \
	tests/unit/test-ctl-settings \
	tests/unit/test-cmd-vm \
	tests/unit/test-ivshmem \
	tests/unit/test-ctl-shmem \
	tests/unit/test-cmd-vm
check_PROGRAMS += $(unit_tests)
TESTS += $(unit_tests)

tests_unit_test_abi_schema_SOURCES = tests/unit/test-abi-schema.c tests/unit/schema-file.h
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

tests_unit_test_ctl_settings_SOURCES = tests/unit/test-ctl-settings.c
tests_unit_test_ctl_settings_CPPFLAGS = $(AM_CPPFLAGS) $(LIBPVCTL_CPPFLAGS)
tests_unit_test_ctl_settings_CFLAGS = $(UNIT_CFLAGS) $(LIBXML_CFLAGS)
tests_unit_test_ctl_settings_LDADD = libpvctl/libpvctl.la $(UNIT_LDADD) $(LIBXML_LIBS)
tests_unit_test_ctl_shmem_SOURCES = tests/unit/test-ctl-shmem.c
tests_unit_test_ctl_shmem_CPPFLAGS = $(AM_CPPFLAGS) $(LIBPVCTL_CPPFLAGS)
tests_unit_test_ctl_shmem_CFLAGS = $(UNIT_CFLAGS) $(LIBXML_CFLAGS)
tests_unit_test_ctl_shmem_LDADD = libpvctl/libpvctl.la $(UNIT_LDADD) $(LIBXML_LIBS)

# libpvctl's ivshmem-doorbell server and its messages, without QEMU.
tests_unit_test_ivshmem_SOURCES = tests/unit/test-ivshmem.c
tests_unit_test_ivshmem_CPPFLAGS = $(AM_CPPFLAGS) $(LIBPVCTL_CPPFLAGS)
tests_unit_test_ivshmem_CFLAGS = $(UNIT_CFLAGS) $(LIBSYSTEMD_CFLAGS)
tests_unit_test_ivshmem_LDADD = libpvctl/libpvctl.la $(UNIT_LDADD) $(LIBSYSTEMD_LIBS)

# pvctl's daemon subcommands against a fake pvctld (client.h).
tests_unit_test_cmd_vm_SOURCES = tests/unit/test-cmd-vm.c tools/pvctl/output.c
tests_unit_test_cmd_vm_CPPFLAGS = $(AM_CPPFLAGS) $(LIBPVCTL_CPPFLAGS) \
	-I$(top_srcdir)/tools/pvctl
tests_unit_test_cmd_vm_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_cmd_vm_LDADD = libpvctl/libpvctl.la $(UNIT_LDADD)
EXTRA_DIST += tests/unit/test-cmd-vm.c

cli_tests = \
	tests/cli/abi.sh \
	tests/cli/dt.sh \
	tests/cli/state.sh \
	tests/cli/kmod.sh \
	tests/cli/sim.sh \
	tests/cli/refusal.sh \
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

# Migration state streams.
state_tests = \
	tests/unit/test-state \
	tests/unit/test-state-golden \
	tests/unit/test-state-schema \
	tests/unit/test-state-move
check_PROGRAMS += $(state_tests)
TESTS += $(state_tests)
EXTRA_DIST += tests/unit/state-golden.h
tests_unit_test_state_SOURCES = tests/unit/test-state.c \
	libpvabi/crc32c.c libpvabi/crc32c.h
tests_unit_test_state_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_state_LDADD = $(UNIT_LDADD) $(ISAL_LIBS)
tests_unit_test_state_golden_SOURCES = tests/unit/test-state-golden.c
tests_unit_test_state_golden_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_state_golden_LDADD = $(UNIT_LDADD)
tests_unit_test_state_schema_SOURCES = tests/unit/test-state-schema.c tests/unit/schema-file.h
tests_unit_test_state_schema_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_state_schema_LDADD = $(UNIT_LDADD)
tests_unit_test_state_move_SOURCES = tests/unit/test-state-move.c
tests_unit_test_state_move_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools/sim
tests_unit_test_state_move_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_state_move_LDADD = tools/sim/libpvsim.la $(UNIT_LDADD)
# ... and on real KVM, across two pvvm processes (tests/kvm/kvm-lib.sh).
TESTS += tests/kvm/move.sh
EXTRA_DIST += tests/kvm/move.sh

# Control plane: pvctld on private buses (tests/ctl).
ctl_tests = \
	tests/ctl/daemon.sh \
	tests/ctl/objects.sh \
	tests/ctl/libvirtd.sh \
	tests/ctl/host-patch.sh \
	tests/ctl/libvirtd-restart.sh \
	tests/ctl/connect.sh \
	tests/ctl/libvirtd-late.sh \
	tests/ctl/dbus-1000.sh \
	tests/ctl/polkit.sh \
	tests/ctl/hook-timeout.sh \
	tests/ctl/unit-security.sh \
	tests/ctl/halves.sh \
	tests/ctl/ivshmem-qemu.sh \
	tests/ctl/ivshmem-pvctld.sh \
	tests/ctl/ivshmem-libvirt.sh \
	tests/ctl/shmem.sh \
	tests/ctl/shmem-qemu.sh
TESTS += $(ctl_tests)
EXTRA_DIST += $(ctl_tests) tests/ctl/lib-ctl.sh
# 1000 D-Bus calls in flight at once against pvctld (tests/ctl/dbus-1000.sh).
check_PROGRAMS += tests/ctl/dbus-concurrent
tests_ctl_dbus_concurrent_CFLAGS = $(AM_CFLAGS) $(LIBSYSTEMD_CFLAGS)
tests_ctl_dbus_concurrent_LDADD = $(LIBSYSTEMD_LIBS)
# polkit on a private bus, answering as a test asks (tests/ctl/polkit.sh).
check_PROGRAMS += tests/ctl/polkit-standin
tests_ctl_polkit_standin_CPPFLAGS = $(AM_CPPFLAGS) $(LIBPVCTL_CPPFLAGS)
tests_ctl_polkit_standin_CFLAGS = $(AM_CFLAGS) $(LIBSYSTEMD_CFLAGS)
tests_ctl_polkit_standin_LDADD = libpvctl/libpvctl.la $(LIBSYSTEMD_LIBS)
# The ivshmem-doorbell server against QEMU through qtest (ivshmem-qemu.sh).
check_PROGRAMS += tests/ctl/ivshmem-qtest
tests_ctl_ivshmem_qtest_CPPFLAGS = $(AM_CPPFLAGS) $(LIBPVCTL_CPPFLAGS)
tests_ctl_ivshmem_qtest_CFLAGS = $(AM_CFLAGS) $(LIBSYSTEMD_CFLAGS) $(PTHREAD_CFLAGS)
tests_ctl_ivshmem_qtest_LDADD = libpvctl/libpvctl.la $(LIBSYSTEMD_LIBS) $(PTHREAD_LIBS)
# A caller that execs a setgid program right after its call (daemon.sh).
check_PROGRAMS += tests/ctl/call-then-exec
tests_ctl_call_then_exec_CPPFLAGS = $(AM_CPPFLAGS) $(LIBPVCTL_CPPFLAGS)
tests_ctl_call_then_exec_CFLAGS = $(AM_CFLAGS) $(LIBSYSTEMD_CFLAGS)
tests_ctl_call_then_exec_LDADD = libpvctl/libpvctl.la $(LIBSYSTEMD_LIBS)
# virDomainSetMetadata that fails on demand, preloaded into pvctld
# (daemon.sh: a change is all or nothing across live and persistent).
check_LTLIBRARIES += tests/ctl/libfail-metadata.la
tests_ctl_libfail_metadata_la_SOURCES = tests/ctl/fail-metadata.c
tests_ctl_libfail_metadata_la_CFLAGS = $(AM_CFLAGS) $(LIBVIRT_CFLAGS)
tests_ctl_libfail_metadata_la_LDFLAGS = -module -avoid-version -rpath /nowhere
tests_ctl_libfail_metadata_la_LIBADD = $(LIBVIRT_LIBS) -ldl
