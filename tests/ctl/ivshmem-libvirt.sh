#!/bin/bash
# The ivshmem-doorbell device as libvirt 9 writes it for QEMU, served by
# pvabi's server: a real libvirtd (qemu:///system, in a mount namespace of
# the test's own: tests/ctl/lib-ctl.sh) defines a domain with the <shmem>
# device pvctl enable adds, turns it into QEMU's arguments
# (domxml-to-native), and QEMU runs with exactly that device against the
# server (tests/ctl/ivshmem-qtest.c's checks).  Starting the domain under
# libvirtd is issue 15's TCG-booted test, not this one.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-ctl.sh"

QEMU=${QEMU:-$(command -v qemu-system-x86_64 || true)}
[ -n "$QEMU" ] || skip_all "qemu-system-x86_64 not installed"
ctl_libvirtd_ns "$@"
plan 5

UUID=0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0
ctl_shmem_domain_xml pvshm "$UUID" 4 >"$TMP/dom.xml"
run virsh -c qemu:///system define "$TMP/dom.xml"
is "$rc" 0 "libvirtd defines a domain with the shmem device"
run virsh -c qemu:///system domxml-to-native qemu-argv --domain pvshm
is "$rc" 0 "domxml-to-native"
# libvirt's -chardev and -device for the shmem, one per line.
printf '%s\n' "$out" | python3 -c '
import shlex, sys
a = shlex.split(sys.stdin.read())
for i, x in enumerate(a[:-1]):
    if x in ("-chardev", "-device") and "shmem" in a[i + 1]:
        print(x, a[i + 1])' >"$TMP/args"
sed 's/^/# libvirt: /' "$TMP/args"
chardev=$(sed -n 's/^-chardev //p' "$TMP/args")
device=$(sed -n 's/^-device //p' "$TMP/args")
is "$chardev" "socket,id=charshmem0,path=/run/pvabi/$UUID.sock" "the chardev: a client socket on /run/pvabi/<uuid>.sock"
# The device without libvirt's bus and address (its PCIe topology is not
# in the test's QEMU).
qdev=$(printf '%s' "$device" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["driver"] == "ivshmem-doorbell" and d["vectors"] == 4 and d["ioeventfd"] is True, d
d.pop("bus", None); d.pop("addr", None)
print(json.dumps(d, separators=(",", ":")))') && r=0 || r=1
ok $r "the device: ivshmem-doorbell, 4 vectors, ioeventfd"
mkdir -p "$TMP/q"
run env IVSHMEM_QTEST_DEVICE="$qdev" IVSHMEM_QTEST_CHARDEV=charshmem0 \
	timeout 120 "$top_builddir/tests/ctl/ivshmem-qtest" "$QEMU" "$TMP/q"
printf '%s\n' "$out" | grep -E '^#|FAIL' || true
is "$rc" 0 "QEMU with libvirt's device is served: memory, IDs, doorbells, MSI-X, reconnects"
printf '%s\n' "$out" | grep '^ivshmem-qemu:' | sed 's/^ivshmem-qemu:/ivshmem-libvirt: libvirt'"'"'s device:/' || true
done_testing
