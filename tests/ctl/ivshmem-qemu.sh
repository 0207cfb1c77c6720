#!/bin/bash
# pvabi's ivshmem-doorbell server against a real QEMU (q35, -accel qtest):
# tests/ctl/ivshmem-qtest.c does the checks and prints what QEMU saw.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

QEMU=${QEMU:-$(command -v qemu-system-x86_64 || true)}
[ -n "$QEMU" ] || skip_all "qemu-system-x86_64 not installed"
grep -q '"ivshmem-doorbell"' <<<"$("$QEMU" -device help 2>/dev/null)" ||
	skip_all "$QEMU has no ivshmem-doorbell device"
plan 2
run timeout 120 "$top_builddir/tests/ctl/ivshmem-qtest" "$QEMU" "$TMP"
printf '%s\n' "$out" | grep -E '^#|FAIL' || true
printf '%s\n' "$err" | sed 's/^/# qemu: /'
is "$rc" 0 "QEMU's ivshmem-doorbell served: memory, IDs, doorbells, MSI-X, reconnects"
line=$(printf '%s\n' "$out" | grep '^ivshmem-qemu:' || true)
ok "$([ -n "$line" ] && echo 0 || echo 1)" "the summary line"
echo "$line"
done_testing
