#!/bin/bash
# Each VM a D-Bus object: pvctld on a private bus beside libvirtd's test
# driver, which virsh changes too.  busctl tree shows one object per domain,
# GetManagedObjects and the properties read as virsh and pvctl say,
# PropertiesChanged arrives for a pvctl change, a virsh metadata edit and a
# lifecycle event, InterfacesAdded and InterfacesRemoved for define and
# undefine, the VM methods answer as the Manager's do, and an unprivileged
# caller is refused every change.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-ctl.sh"

for t in dbus-daemon dbus-send virsh libvirtd busctl gdbus python3; do
	command -v $t >/dev/null || skip_all "$t not installed"
done
[ "$(id -u)" -eq 0 ] || skip_all "the unprivileged caller is another user: needs root"
plan 27

ctl_test_libvirtd
ctl_bus here
export PVCTL_BUS_ADDRESS=$addr
ctl_daemon "$addr" "$TMP/pvctld.log" --connect "$LIBVIRT_DEFAULT_URI" \
	--config /dev/null
gdbus monitor --address "$addr" --dest org.pvabi.pvctl1 >"$TMP/signals" 2>&1 &
_pids+=($!)

bc() { busctl --address="$addr" "$@"; }
# path UUID: the object of the domain with UUID, as sd_bus_path_encode
# writes it (every character but [A-Za-z0-9] and a leading digit escaped).
path() {
	python3 -c '
import sys
u = sys.argv[1]
print("/org/pvabi/pvctl1/vm/" + "".join(
    c if c.isalnum() and c.isascii() and (i or not c.isdigit())
    else "_%02x" % ord(c) for i, c in enumerate(u)))' "$1"
}
# seen PATTERN: wait up to 5 s for a signal line matching PATTERN; prints
# 0 when one came, else 1 (for ok).
seen() {
	for _ in $(seq 100); do
		grep -q -- "$1" "$TMP/signals" && { echo 0; return; }
		sleep 0.05
	done
	echo 1
}

# The tree: one object per domain, at the path its UUID encodes to.
TEST_UUID=$(virsh domuuid test)
OBJ=$(path "$TEST_UUID")
want=$(virsh list --all --uuid | sed '/^$/d' | while read -r u; do path "$u"; done | sort)
got=$(bc --list tree org.pvabi.pvctl1 | grep '^/org/pvabi/pvctl1/vm/' | sort)
is "$got" "$want" "busctl tree: one object per libvirt domain, at its encoded UUID"
run bc call org.pvabi.pvctl1 /org/pvabi/pvctl1 org.pvabi.pvctl1.Manager FindVM s test
is "$out" "o \"$OBJ\"" "FindVM(test) answers the same path"

# GetManagedObjects: every property, as virsh and pvctl see the VM.
bc --json=short call org.pvabi.pvctl1 /org/pvabi/pvctl1 \
	org.freedesktop.DBus.ObjectManager GetManagedObjects >"$TMP/objects.json"
is "$(python3 -c '
import json, sys
objs = json.load(open(sys.argv[1]))["data"][0]
p = objs[sys.argv[2]]["org.pvabi.pvctl1.VM"]
print(len(objs), *(p[k]["data"] for k in ("Name", "UUID", "State", "Enabled", "Versions")),
      p["Negotiated"]["type"], len(p["Negotiated"]["data"]))' "$TMP/objects.json" "$OBJ")" \
	"1 test $TEST_UUID running False 1.0-1.1 a(uut) 0" \
	"GetManagedObjects: the test domain's properties, nothing negotiated"
run bc get-property org.pvabi.pvctl1 "$OBJ" org.pvabi.pvctl1.VM Features PatchPolicy
is "$(echo "$out" | head -n1)" 's "notify,booke,segregs,host-patch,tlbsync-nop,sprg4-7,nesting"' \
	"Features reads as pvctl prints it"
ok $(echo "$out" | grep -q '^s "mode=guest\\nclasses=all' && echo 0 || echo 1) "PatchPolicy: the text form"
run bc get-property org.pvabi.pvctl1 "$(path 00000000-0000-0000-0000-000000000000)" \
	org.pvabi.pvctl1.VM Name
ok $(echo "$err" | grep -q "Unknown object" && echo 0 || echo 1) "a UUID no domain has: no object"

# PropertiesChanged, whatever made the change.
"$PVCTL" enable test >/dev/null
ok $(seen "^$OBJ: org.freedesktop.DBus.Properties.PropertiesChanged ('org.pvabi.pvctl1.VM', {'Enabled': <true>") \
	"pvctl enable: PropertiesChanged with Enabled true"
virsh metadata test "$NS" --key pvabi --set \
	"<pvabi enabled='yes'><versions min='1.0' max='1.0'/><features>notify</features><patch mode='off'/></pvabi>" \
	>/dev/null
ok $(seen "'Versions': <'1.0'>, 'Features': <'notify'>, 'PatchPolicy': <'mode=off") \
	"virsh metadata edit: PropertiesChanged with the new versions, features and policy"
run bc get-property org.pvabi.pvctl1 "$OBJ" org.pvabi.pvctl1.VM Versions
is "$out" 's "1.0"' "... and the property reads the edit"
virsh suspend test >/dev/null
ok $(seen "^$OBJ: .*PropertiesChanged ('org.pvabi.pvctl1.VM', {'State': <'paused'>}") \
	"virsh suspend: PropertiesChanged with State paused"
virsh resume test >/dev/null
ok $(seen "{'State': <'running'>}") "virsh resume: State running"

# Define and undefine: InterfacesAdded and InterfacesRemoved.
NEW_UUID=0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d
NEW=$(path $NEW_UUID)
cat >"$TMP/new.xml" <<EOX
<domain type='test'><name>objnew</name><uuid>$NEW_UUID</uuid>
<memory unit='MiB'>64</memory><os><type>hvm</type></os></domain>
EOX
virsh define "$TMP/new.xml" >/dev/null
ok $(seen "^/org/pvabi/pvctl1: org.freedesktop.DBus.ObjectManager.InterfacesAdded (objectpath '$NEW', {'org.pvabi.pvctl1.VM': {'Name': <'objnew'>") \
	"virsh define: InterfacesAdded with the new VM's properties"
ok $(grep -qx "$NEW" <<<"$(bc --list tree org.pvabi.pvctl1)" && echo 0 || echo 1) "... and the tree shows it"
virsh define "$TMP/new.xml" >/dev/null
sleep 0.3
is "$(grep -c "InterfacesAdded (objectpath '$NEW'" "$TMP/signals")" 1 \
	"defining it again (an update) adds nothing"
virsh undefine objnew >/dev/null
ok $(seen "InterfacesRemoved (objectpath '$NEW', \['org.pvabi.pvctl1.VM'\])") \
	"virsh undefine: InterfacesRemoved"
ok $(grep -qx "$NEW" <<<"$(bc --list tree org.pvabi.pvctl1)" && echo 1 || echo 0) "... and the tree no longer shows it"

# The VM methods: the Manager's, without the name.
run bc call org.pvabi.pvctl1 "$OBJ" org.pvabi.pvctl1.VM SetVersions s 1.0-1.1
is "$rc:$out" '0:ss "next-negotiation" ""' "VM.SetVersions: applies at the next negotiation"
ok $(seen "'Versions': <'1.0-1.1'>") "... PropertiesChanged says so"
run bc call org.pvabi.pvctl1 "$OBJ" org.pvabi.pvctl1.VM SetFeatures s notify,bogus
ok $(echo "$err" | grep -q "unknown feature 'bogus'" && echo 0 || echo 1) "VM.SetFeatures quotes a bad feature"
run bc call org.pvabi.pvctl1 "$(path 00000000-0000-0000-0000-000000000000)" org.pvabi.pvctl1.VM Disable
ok $(echo "$err" | grep -q "no VM with UUID 00000000-0000-0000-0000-000000000000" && echo 0 || echo 1) \
	"a method on the path of no domain: NoSuchVM"
"$PVCTL" offer -o "$TMP/here.dtb" >/dev/null
run bc call org.pvabi.pvctl1 "$OBJ" org.pvabi.pvctl1.VM CheckMigration ay \
	"$(stat -c %s "$TMP/here.dtb")" $(od -An -tu1 -v "$TMP/here.dtb")
is "$out" "bas true 0" "VM.CheckMigration against this host's own offer: compatible"
run "$PVCTL" disable test
ok $(seen "{'Enabled': <false>") "pvctl disable through the object: PropertiesChanged"

# Who may: reading is open without polkit, changing is not.
run runuser -u nobody -- busctl --address="$addr" get-property org.pvabi.pvctl1 "$OBJ" \
	org.pvabi.pvctl1.VM Enabled
is "$rc:$out" "0:b false" "nobody reads a property"
# dbus-send prints the error's message (busctl only strerror(EACCES)).
nobody_call() {
	runuser -u nobody -- dbus-send --print-reply --bus="$addr" \
		--dest=org.pvabi.pvctl1 "$OBJ" "org.pvabi.pvctl1.VM.$@"
}
run nobody_call Enable
ok $(echo "$err" | grep -q "needs root or group" && echo 0 || echo 1) "nobody is refused VM.Enable"
run nobody_call SetPatchPolicy string:mode=host
ok $(echo "$err" | grep -q "needs root or group" && echo 0 || echo 1) "nobody is refused VM.SetPatchPolicy"
run "$PVCTL" show test --json
is "$(echo "$out" | python3 -c 'import json,sys; v=json.load(sys.stdin); print(v["enabled"], v["patch"]["mode"])')" \
	"False off" "... and nothing changed"
run bc call org.pvabi.pvctl1 "$OBJ" org.pvabi.pvctl1.VM Reset
is "$rc:$out" '0:ss "now" ""' "VM.Reset: the defaults written, in effect now"
done_testing
