#!/bin/bash
# pvctl enable / disable and pvabi's ivshmem-doorbell device in the libvirt
# definition, read back with virsh and xmllint: exactly one device with the
# right attributes, exactly that device removed, idempotence, hand-edited
# definitions, when each change applies, and the device and the metadata
# changing together or not at all (tests/ctl/fail-metadata.c preloaded).
set -euo pipefail
[ -z "${SHMEM_TRACE:-}" ] || set -x
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-ctl.sh"

for t in dbus-daemon virsh libvirtd xmllint busctl; do
	command -v $t >/dev/null || skip_all "$t not installed"
done
shim=$top_builddir/tests/ctl/.libs/libfail-metadata.so
[ -f "$shim" ] || skip_all "$shim is not built (a --disable-shared build)"
[ -z "${PVABI_SANITIZER_BUILD:-}" ] ||
	skip_all "a preloaded libvirt shim and ASan's runtime do not mix"
plan 62

ctl_test_libvirtd
UUID=5b1e9c2a-0d4f-4e7a-9c3b-1a2b3c4d5e6f
HEX=${UUID//-/}
SOCK=/run/pvabi/$UUID.sock
cat >"$TMP/vm1.xml" <<EOX
<domain type='test'>
  <name>vm1</name>
  <uuid>$UUID</uuid>
  <memory unit='MiB'>512</memory>
  <vcpu current='2'>3</vcpu>
  <os><type>hvm</type></os>
  <devices>
    <shmem name='users-own'>
      <model type='ivshmem-plain'/>
      <size unit='M'>4</size>
    </shmem>
  </devices>
</domain>
EOX

ctl_bus shmem
export PVABI_FAIL_METADATA=$TMP/fail PVABI_FAIL_METADATA_LOG=$TMP/calls
: >"$TMP/fail"
LD_PRELOAD=$shim ctl_daemon "$addr" "$TMP/pvctld.log" \
	--connect "$LIBVIRT_DEFAULT_URI" --config /dev/null
export PVCTL_BUS_ADDRESS=$addr
# The test driver keeps its state while pvctld holds a connection.
{ virsh define "$TMP/vm1.xml" && virsh start vm1; } >"$TMP/setup.log" 2>&1 ||
	{ echo "Bail out! defining vm1:"; sed 's/^/# /' "$TMP/setup.log"; exit 1; }

inactive() { virsh dumpxml "${1:-vm1}" --inactive; }
# xp XPATH [DOMAIN]: the XPath's value in the persistent definition.
xp() { inactive "${2:-vm1}" | xmllint --xpath "$1" - 2>/dev/null || true; }
# The definition on stdin without pvabi's metadata, to compare around a
# change.
bare() {
	python3 -c '
import sys, xml.etree.ElementTree as ET
d = ET.fromstring(sys.stdin.read())
for m in d.findall("metadata"):
    d.remove(m)
print(ET.tostring(d, encoding="unicode"))'
}
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
ours="//devices/shmem[@name='pvabi-$HEX']"

before=$(inactive | bare)
run "$PVCTL" enable vm1 --json
is "$rc" 0 "enable a running VM"
is "$(echo "$out" | json '["applies"]')" next-boot \
	"it applies at the next boot ..."
is "$(echo "$out" | json '["note"]')" \
	"not attached to the running VM: this function is not supported by the connection driver: virDomainAttachDeviceFlags" \
	"... since pvctld's server listens but the driver cannot attach"
is "$(xp "count(//devices/shmem)")" 2 "one device added beside the user's own"
is "$(xp "count($ours)")" 1 "named pvabi-<uuid without dashes>"
is "$(xp "string($ours/model/@type)")" ivshmem-doorbell "model ivshmem-doorbell"
is "$(xp "string($ours/server/@path)")" "$SOCK" "server /run/pvabi/<uuid>.sock"
is "$(xp "string($ours/msi/@vectors)")" 3 "one vector per possible vCPU (3, not the 2 current)"
is "$(xp "string($ours/msi/@ioeventfd)")" on "ioeventfd on"
is "$(xp "string($ours/alias/@name)")" "ua-pvabi-$HEX" "a user alias"
is "$(xp "count($ours/size)")/$(xp "string($ours/@role)")" 0/master \
	"no size (QEMU's comes from the region), role master (libvirt saves no other)"
is "$(xp "string(//metadata/*[local-name()='pvabi']/@enabled)")" yes \
	"the metadata says enabled in the same definition"
is "$(virsh dumpxml vm1 | xmllint --xpath 'count(//shmem)' -)" 1 \
	"the running VM has only the user's device"

# Idempotence: the definition does not move.
after=$(inactive)
run "$PVCTL" enable vm1 --json
is "$rc" 0 "enable again"
is "$(inactive)" "$after" "enable twice: the definition is unchanged"
is "$(echo "$out" | json '["applies"]')" next-boot "still at the next boot"
run busctl --address="$addr" call org.pvabi.pvctl1 /org/pvabi/pvctl1 \
	org.pvabi.pvctl1.Manager Enable s vm1
is "$out" "ss \"next-boot\" \"not attached to the running VM: this function is not supported by the connection driver: virDomainAttachDeviceFlags\"" \
	"D-Bus: Enable answers (applies, note)"

# Settings alone: when they apply.
run busctl --address="$addr" call org.pvabi.pvctl1 /org/pvabi/pvctl1 \
	org.pvabi.pvctl1.Manager SetFeatures ss vm1 notify
is "$out" 'ss "next-negotiation" ""' \
	"a running enabled VM: new features at the guest's next negotiation"
run "$PVCTL" policy vm1 --patch host
is "$(echo "$out" | tail -n1)" "# applies: at the guest's next negotiation" \
	"policy says it as a comment of the text form"
is "$(inactive | bare)" "$(echo "$after" | bare)" "settings alone leave the device as it is"
run "$PVCTL" policy vm1 --patch host --json
is "$(echo "$out" | json '["applies"]')" unchanged "the same policy again: unchanged"

# Disable removes exactly that device.
run "$PVCTL" disable vm1 --json
is "$rc" 0 "disable"
is "$(echo "$out" | json '["applies"]')" now \
	"the running VM never had the device: disabled now"
is "$(xp "count($ours)")" 0 "the device is gone"
is "$(inactive | bare)" "$before" "and nothing else changed"
run "$PVCTL" disable vm1 --json
is "$(echo "$out" | json '["applies"]')" unchanged "disable twice: unchanged"
run "$PVCTL" policy vm1 --patch guest --json
is "$(echo "$out" | json '["applies"]')" when-enabled \
	"a disabled VM's settings apply once it is enabled"

# Hand-edited definitions.
edit() { # PYTHON over the inactive XML as tree d, then virsh define
	inactive | python3 -c "
import sys, xml.etree.ElementTree as ET
d = ET.fromstring(sys.stdin.read())
devs = d.find('devices')
mine = devs.find(\"shmem[@name='pvabi-$HEX']\")
$1
print(ET.tostring(d, encoding='unicode'))" >"$TMP/edit.xml"
	virsh define "$TMP/edit.xml" >/dev/null
}
"$PVCTL" enable vm1 >/dev/null
edit 'devs.remove(mine)'
run "$PVCTL" show vm1
is "$rc" 0 "device removed by hand: show still works"
run "$PVCTL" enable vm1 --json
is "$rc" 0 "enable puts it back"
is "$(xp "count($ours)")" 1 "one device again"

edit 'mine.find("server").set("path", "/tmp/elsewhere.sock"); mine.find("msi").set("vectors", "1")'
run "$PVCTL" enable vm1 --json
is "$rc" 0 "wrong server path: enable rewrites the device"
is "$(xp "string($ours/server/@path)") $(xp "string($ours/msi/@vectors)")" "$SOCK 3" \
	"path and vectors as they should be"
case $(echo "$out" | json '["note"]') in *"edited by hand, was rewritten"*) r=0 ;; *) r=1 ;; esac
ok $r "and says so"

edit 'mine.set("name", "renamed")'
saved=$(inactive)
run "$PVCTL" enable vm1 --json
is "$rc" 1 "renamed device on pvabi's socket: enable refuses"
is "$(echo "$out" | json '["error"]')" device-conflict "as device-conflict"
msg=$(echo "$out" | json '["message"]')
case $msg in *"'renamed' also uses pvabi's socket $SOCK"*) r=0 ;; *) r=1 ;; esac
ok $r "naming the device and the socket"
echo "# $msg"
is "$(inactive)" "$saved" "nothing was written"
run "$PVCTL" disable vm1 --json
is "$rc" 0 "disable still works"
is "$(xp "count(//devices/shmem[@name='renamed'])")" 1 "and leaves the renamed device alone"
case $(echo "$out" | json '["note"]') in *"'renamed' on pvabi's socket was left in place"*) r=0 ;; *) r=1 ;; esac
ok $r "saying so"
edit '[devs.remove(x) for x in devs.findall("shmem") if x.get("name") == "renamed"]'

"$PVCTL" enable vm1 >/dev/null
# libvirt refuses two devices with one alias, not two with one name.
edit 'import copy; c = copy.deepcopy(mine); c.remove(c.find("alias")); devs.append(c)'
is "$(xp "count($ours)")" 2 "a second device of ours added by hand (libvirt takes it)"
run "$PVCTL" enable vm1
is "$rc" 1 "enable refuses the duplicate"
case $err in *"appears 2 times"*) r=0 ;; *) r=1 ;; esac
ok $r "saying how many"
run "$PVCTL" disable vm1
is "$rc" 0 "disable"
is "$(xp "count($ours)")" 0 "removes both"
is "$(inactive | bare)" "$before" "and nothing else"

# The device and the metadata change together or not at all.
: >"$TMP/calls"
echo config >"$TMP/fail"
run "$PVCTL" enable vm1
is "$rc" 1 "the definition refused: enable fails"
is "$(xp "count($ours)"),$(xp "string(//metadata/*[local-name()='pvabi']/@enabled)")" 0,no \
	"no device, still disabled"
is "$(cat "$TMP/calls")" "config define fail" "one write, refused"

: >"$TMP/calls"
echo live >"$TMP/fail"
run "$PVCTL" enable vm1
is "$rc" 1 "the live half refused after the definition took: enable fails"
case $err in *"nothing changed"*) r=0 ;; *) r=1 ;; esac
ok $r "and says nothing changed"
is "$(cat "$TMP/calls")" $'config define ok\nlive set fail\nconfig define ok' \
	"the old definition was put back"
is "$(xp "count($ours)"),$(xp "string(//metadata/*[local-name()='pvabi']/@enabled)")" 0,no \
	"no device, still disabled"
is "$(inactive | bare)" "$before" "the definition is as before"

: >"$TMP/calls"
echo live-then-config >"$TMP/fail"
run "$PVCTL" enable vm1
is "$rc" 1 "live half and way back refused"
case $err in *"next boot"*"running VM keeps the old"*) r=0 ;; *) r=1 ;; esac
ok $r "the error says which half holds what"
is "$(xp "count($ours)"),$(xp "string(//metadata/*[local-name()='pvabi']/@enabled)")" 1,yes \
	"the persistent definition holds the device with its settings, together"
: >"$TMP/fail"

# Reset takes the device out with the settings.
run "$PVCTL" reset vm1 --json
is "$rc" 0 "reset"
is "$(xp "count($ours)")" 0 "reset removes the device"

# A shut-off VM, and a transient one.
virsh destroy vm1 >/dev/null
run "$PVCTL" enable vm1 --json
is "$(echo "$out" | json '["applies"]')" next-boot "a shut-off VM: at its next boot"
sed -e 's/vm1/vm2/' -e "s/$UUID/${UUID%f}0/" "$TMP/vm1.xml" >"$TMP/vm2.xml"
virsh create "$TMP/vm2.xml" >/dev/null
run "$PVCTL" enable vm2
is "$rc" 1 "a transient VM cannot be enabled"
case $err in *"transient"*"virsh define"*) r=0 ;; *) r=1 ;; esac
ok $r "and is told to define it"
done_testing
