#!/bin/bash
# pvctld.service as built: systemd-analyze security's exposure at most 1.5,
# its own user, CAP_NET_ADMIN only, and the settings issue 21 asks for.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

command -v systemd-analyze >/dev/null || skip_all "systemd-analyze not installed"
UNIT=$top_builddir/pvctld/pvctld.service
[ -f "$UNIT" ] || skip_all "$UNIT not built"
systemd-analyze security --help 2>/dev/null | grep -q -- --offline ||
	skip_all "systemd-analyze security has no --offline (systemd < 250)"
plan 5
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
done_testing
