#!/bin/bash
# pvctld against a real libvirtd in system mode: settings land in the
# domain's persistent XML, survive a pvctld restart and a kill -9 in the
# middle of 1000 changes, and follow the domain's lifecycle.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-ctl.sh"

URI=qemu:///system
RNG=$top_srcdir/schemas/libvirt-metadata.rng

ctl_libvirtd_ns "$@"
plan 22

DOM=pvabi-test-$$
cleanup_domain() {
	[ -z "${writer:-}" ] || kill -CONT "$writer" 2>/dev/null || true
	virsh -c "$URI" undefine "$DOM" >/dev/null 2>&1 || true
	ctl_cleanup
}
trap cleanup_domain EXIT
ctl_domain_xml "$DOM" >"$TMP/dom.xml"

ctl_bus here; export PVCTL_BUS_ADDRESS=$addr
ctl_daemon "$addr" "$TMP/pvctld.log" --connect "$URI" --config /dev/null
dbus-monitor --address "$addr" "type='signal',interface='org.pvabi.pvctl1.Manager'" \
	>"$TMP/signals" 2>&1 &
_pids+=($!)
sleep 0.2

run virsh -c "$URI" define "$TMP/dom.xml"
is "$rc" 0 "define a qemu domain"
run "$PVCTL" enable "$DOM" --versions 1.0 --features notify,segregs
is "$rc" 0 "enable it through pvctl"
run virsh -c "$URI" metadata "$DOM" --uri "$NS" --config
ok $(echo "$out" | grep -q 'enabled="yes"' && echo "$out" | grep -q '<features>notify,segregs</features>' &&
	echo 0 || echo 1) "virsh metadata shows the settings"
[ "$_failed" = 0 ] || printf '%s\n' "virsh metadata: exit $rc" "$out" "$err" | sed 's/^/# /'
stored() {
	virsh -c "$URI" dumpxml --inactive "$DOM" |
		xmllint --xpath "//*[local-name()='pvabi' and namespace-uri()='$NS']" -
}
stored >"$TMP/stored.xml"
run xmllint --noout --relaxng "$RNG" "$TMP/stored.xml"
is "$rc" 0 "the stored metadata validates against libvirt-metadata.rng"

ctl_stop "$dpid"
ctl_daemon "$addr" "$TMP/pvctld.log" --connect "$URI" --config /dev/null
run "$PVCTL" show "$DOM" --json
is "$(echo "$out" | python3 -c 'import json,sys; v=json.load(sys.stdin); print(v["enabled"], ",".join(v["features"]))')" \
	"True notify,segregs" "a restarted pvctld sees the settings"

# 1000 changes, each a new exclude range; pvctld is killed with SIGKILL
# in the middle.  A change counts as acknowledged when its D-Bus call
# returned.  (busctl, not pvctl: a libtool-wrapped pvctl per change would
# triple the test's time for nothing the test looks at.)
range_of() { printf '0x%x-0x%x' $(($1 * 4096)) $(($1 * 4096 + 4096)); }
changes() {
	local i tries=0
	for i in $(seq 1000); do
		until busctl --address="$PVCTL_BUS_ADDRESS" call org.pvabi.pvctl1 \
			/org/pvabi/pvctl1 org.pvabi.pvctl1.Manager SetPatchPolicy ss \
			"$DOM" "mode=guest
exclude=$(range_of "$i")" >/dev/null 2>>"$TMP/changes.err"; do
			# pvctld is down: retry, for 20 s at most.
			tries=$((tries + 1))
			[ "$tries" -lt 1000 ] || return 1
			sleep 0.02
		done
		echo "$i" >>"$TMP/acks"
	done
}
: >"$TMP/acks"
changes &
writer=$!
_pids+=("$writer")
deadline=$((SECONDS + 120))
while [ "$(wc -l <"$TMP/acks")" -lt 300 ]; do
	if ! kill -0 "$writer" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
		echo "Bail out! the changes stalled after $(wc -l <"$TMP/acks"): $(tail -n1 "$TMP/changes.err" 2>/dev/null)"
		exit 1
	fi
	sleep 0.05
done
failed_before=$_failed
kill -9 "$dpid"
{ wait "$dpid"; } 2>/dev/null || true
kill -STOP "$writer" # until the restarted pvctld has been read
last=$(tail -n1 "$TMP/acks")
stored >"$TMP/crash.xml"
run xmllint --noout --relaxng "$RNG" "$TMP/crash.xml"
is "$rc" 0 "after kill -9: the stored metadata is whole and valid"
got=$(xmllint --xpath "string(//*[local-name()='exclude']/@start)" "$TMP/crash.xml")
got=$((got / 4096))
ok $([ "$got" -eq "$last" ] || [ "$got" -eq $((last + 1)) ] && echo 0 || echo 1) \
	"after kill -9: the last acknowledged change ($last) is there (found $got)"
ctl_daemon "$addr" "$TMP/pvctld.log" --connect "$URI" --config /dev/null
run "$PVCTL" policy "$DOM"
is "$(echo "$out" | grep '^exclude=')" "exclude=$(range_of "$got")" "the restarted pvctld reads the same"
kill -CONT "$writer"
run wait "$writer"
is "$rc" 0 "all 1000 changes went through, across the restart"
is "$(sort -n "$TMP/acks" | uniq | wc -l)" 1000 "1000 acknowledged"
run "$PVCTL" policy "$DOM"
is "$(echo "$out" | grep '^exclude=')" "exclude=$(range_of 1000)" "the last change is the one stored"
lost=$((got < last ? last - got : 0))
record faults test=kill-9 result=$([ "$_failed" -eq "$failed_before" ] && echo pass || echo fail) \
	changes=1000 acknowledged_at_kill=$last found_after_kill=$got \
	acknowledged=$(sort -n "$TMP/acks" | uniq | wc -l) lost=$lost \
	half_written=$(xmllint --noout --relaxng "$RNG" "$TMP/crash.xml" 2>/dev/null && echo 0 || echo 1)

# Unprivileged callers read but never change a real domain.
run runuser -u nobody -- "$PVCTL" show "$DOM"
is "$rc" 0 "nobody can read a real domain"
run runuser -u nobody -- "$PVCTL" disable "$DOM"
is "$rc" 1 "nobody cannot disable it"
run virsh -c "$URI" metadata "$DOM" --uri "$NS" --config
ok $(echo "$out" | grep -q 'enabled="yes"' && echo 0 || echo 1) "... and it stays enabled"

# Metadata that no longer reads is refused, and reset repairs it (root only).
run virsh -c "$URI" metadata "$DOM" --uri "$NS" --key pvabi --config \
	--set '<pvabi enabled="maybe"/>'
is "$rc" 0 "break the domain's pvabi metadata by hand"
run "$PVCTL" enable "$DOM"
is "$rc" 1 "a change to broken metadata is refused"
case $err in *'enabled="maybe"'*) r=0 ;; *) r=1 ;; esac
ok $r "... naming what is wrong ($err)"
run runuser -u nobody -- "$PVCTL" reset "$DOM"
is "$rc" 1 "nobody cannot reset it"
run "$PVCTL" reset "$DOM" --json
is "$rc/$(echo "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["enabled"])')" \
	"0/False" "root resets it: disabled, the defaults"
run virsh -c "$URI" metadata "$DOM" --uri "$NS" --config
ok $(echo "$out" | grep -q 'enabled="no"' && echo 0 || echo 1) "the stored metadata is whole again"

# Lifecycle: undefine reaches pvctl's listeners.
virsh -c "$URI" undefine "$DOM" >/dev/null
run "$PVCTL" show "$DOM"
is "$rc" 2 "after undefine, the VM is gone"
for _ in $(seq 50); do grep -q '"undefined"' "$TMP/signals" && break; sleep 0.1; done
ok $(grep -q "$DOM" <<<"$(grep -B1 -A0 '"undefined"' "$TMP/signals")" && echo 0 || echo 1) \
	"VMChanged(VM, \"undefined\") from libvirt's lifecycle event"
ctl_stop "$dpid"
done_testing
