#!/bin/bash
# pvctld.service as built: systemd-analyze security's exposure at most 1.5,
# its own user, CAP_NET_ADMIN only, and the settings issue 21 asks for; and
# its way to /dev/pvabi: the device policy lets that one device in, the udev
# rule gives it group pvabi 0660 and sysusers.d puts pvctld in the group.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

command -v systemd-analyze >/dev/null || skip_all "systemd-analyze not installed"
UNIT=$top_builddir/pvctld/pvctld.service
[ -f "$UNIT" ] || skip_all "$UNIT not built"
grep -q -- --offline <<<"$(systemd-analyze security --help 2>/dev/null)" ||
	skip_all "systemd-analyze security has no --offline (systemd < 250)"
plan 9
THRESHOLD=1.5

cp "$UNIT" "$TMP/pvctld.service"
run systemd-analyze security --offline=yes --threshold=15 "$TMP/pvctld.service"
score=$(echo "$out" | sed -n 's/.*Overall exposure level for pvctld.service: \([0-9.]*\).*/\1/p')
echo "# exposure: $score (at most $THRESHOLD)"
is "$rc" 0 "systemd-analyze security --offline --threshold=15 passes"
ok $(awk -v s="$score" -v t="$THRESHOLD" 'BEGIN { exit !(s != "" && s <= t) }' && echo 0 || echo 1) \
	"exposure $score <= $THRESHOLD"
key() { sed -n "s/^$1=//p" "$UNIT" | tail -n1; }
is "$(key User)" pvctld "runs as its own user, not root"
is "$(key CapabilityBoundingSet):$(key AmbientCapabilities)" "CAP_NET_ADMIN:CAP_NET_ADMIN" \
	"CAP_NET_ADMIN only (pvabi.ko's SET_POLICY)"
missing=
for kv in ProtectProc=invisible ProcSubset=pid PrivateMounts=yes IPAddressDeny=any \
	NoNewPrivileges=yes ProtectSystem=strict; do
	grep -qx "$kv" "$UNIT" || missing="$missing $kv"
done
for k in MemoryMax TasksMax; do
	[ -n "$(key $k)" ] || missing="$missing $k"
done
is "$missing" "" "ProtectProc, ProcSubset, PrivateMounts, IPAddressDeny, MemoryMax, TasksMax set"

is "$(key DevicePolicy):$(grep '^DeviceAllow=' "$UNIT" | tr '\n' ' ')" \
	"closed:DeviceAllow=/dev/pvabi rw " "DevicePolicy=closed, DeviceAllow=/dev/pvabi rw and no other device"
# PrivateDevices=yes would hide /dev/pvabi (pvctld.service.in says why not
# a bind mount of it instead).
ok $(grep -q '^PrivateDevices=yes' "$UNIT" && echo 1 || echo 0) "no PrivateDevices=yes, which hides /dev/pvabi"
rules=$top_srcdir/pvctld/60-pvabi.rules
is "$(grep -v '^#' "$rules" | grep 'GROUP=')" \
	'SUBSYSTEM=="misc", KERNEL=="pvabi", GROUP="pvabi", MODE="0660"' \
	"60-pvabi.rules: /dev/pvabi is group pvabi, 0660"
sysusers=$top_srcdir/pvctld/sysusers.d/pvabi.conf
ok $(grep -qx 'g pvabi -' "$sysusers" && grep -qx 'm pvctld pvabi' "$sysusers" &&
	echo 0 || echo 1) "sysusers.d makes group pvabi and puts pvctld in it"
done_testing
