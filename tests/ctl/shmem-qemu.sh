#!/bin/bash
# pvabi's device on the real QEMU driver: a private libvirtd in system mode
# (qemu:///system) takes the definition pvctl enable writes, keeps the
# <qemu:override>, and turns it into the ivshmem-doorbell QEMU gets.  The
# domain (type='qemu', TCG) is started only while something listens on its
# socket: a stand-in that speaks just enough of QEMU's ivshmem-spec protocol
# to show that QEMU connects and realizes the device (pvabi's own server is
# another part's; this is not it).  With it: a running VM gets the device
# hot-plugged now, and keeps it after disable until it stops.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-ctl.sh"

URI=qemu:///system
ctl_libvirtd_ns "$@"
command -v qemu-system-x86_64 >/dev/null || skip_all "qemu-system-x86_64 not installed"
plan 26

mkdir -p /run/pvabi
mount -t tmpfs -o mode=0755 pvabi-test /run/pvabi
DOM=pvabi-shmem-$$
UUID=$(cat /proc/sys/kernel/random/uuid)
HEX=${UUID//-/}
SOCK=/run/pvabi/$UUID.sock
cleanup_domain() {
	virsh -c "$URI" destroy "$DOM" >/dev/null 2>&1 || true
	virsh -c "$URI" undefine "$DOM" >/dev/null 2>&1 || true
	ctl_cleanup
}
trap cleanup_domain EXIT
cat >"$TMP/dom.xml" <<EOX
<domain type='qemu'>
  <name>$DOM</name>
  <uuid>$UUID</uuid>
  <memory unit='MiB'>64</memory>
  <vcpu current='1'>2</vcpu>
  <os><type arch='x86_64'>hvm</type></os>
  <features><acpi/></features>
</domain>
EOX
v() { virsh -c "$URI" "$@"; }
xp() { v dumpxml "$DOM" "${@:2}" | xmllint --xpath "$1" - 2>/dev/null || true; }
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
ours="//devices/shmem[@name='pvabi-$HEX']"
override="//*[local-name()='override']/*[@alias='ua-pvabi-$HEX']/*/*[@name='master']"

ctl_bus qemu
export PVCTL_BUS_ADDRESS=$addr
# pvctld's own server would answer QEMU with version -1 here (no pvabi.ko
# on this machine): it listens in a directory of its own, the stand-in on
# the path the definition names.
mkdir -p "$TMP/run"
RUNTIME_DIRECTORY=$TMP/run ctl_daemon "$addr" "$TMP/pvctld.log" --connect "$URI" --config /dev/null
v define "$TMP/dom.xml" >/dev/null

run "$PVCTL" enable "$DOM" --json
is "$rc" 0 "enable a defined, shut-off qemu domain"
is "$(echo "$out" | json '["applies"]')" next-boot "it applies at its next boot"
is "$(xp "count($ours)" --inactive)" 1 "the qemu driver took the device"
is "$(xp "concat($ours/server/@path, ' ', $ours/msi/@vectors, ' ', $ours/msi/@ioeventfd)" --inactive)" \
	"$SOCK 2 on" "socket, vectors (maximum vCPUs), ioeventfd"
is "$(xp "concat($override/@type, ':', $override/@value)" --inactive)" string:auto \
	"and kept the override: master=auto"

# The definition as the driver now holds it is valid for it again.
v dumpxml "$DOM" --inactive >"$TMP/enabled.xml"
run v define "$TMP/enabled.xml"
is "$rc" 0 "virsh define of the enabled definition is accepted"
run v domxml-to-native qemu-argv --domain "$DOM"
dev=$(echo "$out" | grep -o "{\"driver\":\"ivshmem-doorbell\"[^}]*}" || true)
echo "# $dev"
is "$(echo "$dev" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["id"], d["vectors"], d["ioeventfd"], d["master"])')" \
	"ua-pvabi-$HEX 2 True auto" "QEMU gets an ivshmem-doorbell: 2 vectors, ioeventfd, master auto"
case $out in *"-chardev socket,id=charua-pvabi-$HEX,path=$SOCK"*) r=0 ;; *) r=1 ;; esac
ok $r "on a socket chardev at /run/pvabi/<uuid>.sock"

# Nothing listens: the start fails, saying where QEMU looked.
run v start "$DOM"
is "$rc" 1 "without a server the domain does not start"
case $err in *"$SOCK"*) r=0 ;; *) r=1 ;; esac
ok $r "and libvirt names the socket"

# standin ID: an ivshmem server on $SOCK that gives QEMU peer ID ID.
standin() {
	python3 - "$SOCK" 2 "$1" "$TMP/standin.log" <<'EOP' &
import os, socket, struct, sys
path, vectors, peer, log = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
os.chmod(path, 0o777)
s.listen(4)
shm = os.memfd_create("standin")
os.ftruncate(shm, 1 << 16)
def send(c, v, fd=None):
    anc = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, struct.pack("i", fd))] if fd is not None else []
    c.sendmsg([struct.pack("<q", v)], anc)
held = []
while True:
    c, _ = s.accept()
    held.append(c)
    send(c, 0)           # protocol version
    send(c, peer)        # the client's own ID
    send(c, -1, shm)     # the shared memory
    for _ in range(vectors):
        send(c, peer, os.eventfd(0))
    with open(log, "a") as f:
        f.write("connected\n")
EOP
	spid=$!
	_pids+=("$spid")
	for _ in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.05; done
}
stop_standin() {
	kill "$spid"
	wait "$spid" 2>/dev/null || true
	rm -f "$SOCK"
}
master() {
	v qemu-monitor-command "$DOM" --hmp "info qtree" |
		sed -n "/id \"ua-pvabi-$HEX\"/,/addr/s/.*master = \"\\(.*\\)\"/\\1/p" | tr -d "\\r"
}

: >"$TMP/standin.log"
standin 1
run v start "$DOM"
is "$rc" 0 "with a listener (QEMU peer ID 1) the domain starts"
is "$(cat "$TMP/standin.log")" connected "QEMU connected to the socket"
is "$(master)" off "as a peer, master=auto is off (QEMU blocks migration)"
run v qemu-monitor-command "$DOM" '{"execute":"migrate","arguments":{"uri":"exec:cat >/dev/null"}}'
case $out$err in *"Migration is disabled"*ivshmem*) r=0 ;; *) r=1 ;; esac
ok $r "and QEMU refuses to migrate it"

run "$PVCTL" disable "$DOM" --json
is "$(echo "$out" | json '["applies"]')" next-boot "disable a VM running with the device: next boot"
case $(echo "$out" | json '["note"]') in *"keeps pvabi's device until it stops"*) r=0 ;; *) r=1 ;; esac
ok $r "which keeps the device until it stops"
is "$(xp "count($ours)" --inactive),$(xp "count($ours)")" 0,1 \
	"gone from the definition, still in the running VM"
v destroy "$DOM" >/dev/null
stop_standin

# With ID 0 QEMU is the master; the same definition.
run "$PVCTL" enable "$DOM"
standin 0
run v start "$DOM"
is "$rc" 0 "QEMU as peer 0 starts"
is "$(master)" on "and is the master: master=auto is on"
v destroy "$DOM" >/dev/null

# Hot-plug: the VM runs without the device, the socket is served.
run "$PVCTL" disable "$DOM"
run v start "$DOM"
is "$rc" 0 "start without the device"
: >"$TMP/standin.log"
run "$PVCTL" enable "$DOM" --json
is "$rc" 0 "enable the running VM while its socket is served"
is "$(echo "$out" | json '["applies"]')" now "it applies now"
case $(echo "$out" | json '["note"]') in *"attached to the running VM"*) r=0 ;; *) r=1 ;; esac
ok $r "attached"
is "$(xp "count($ours)")" 1 "the running VM has the device"
is "$(cat "$TMP/standin.log")" connected "QEMU connected for it"
run "$PVCTL" enable "$DOM" --json
is "$(echo "$out" | json '["applies"]')" unchanged "enable again: unchanged"
v destroy "$DOM" >/dev/null
stop_standin
done_testing
