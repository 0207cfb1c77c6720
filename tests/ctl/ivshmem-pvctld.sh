#!/bin/bash
# pvctld's ivshmem-doorbell sockets (pvctld/vmsock.c) on libvirt's test
# driver: one per enabled VM under $RUNTIME_DIRECTORY, listening from
# pvctld's start and from enable, gone on disable and at exit; without
# pvabi.ko a QEMU that connects is refused and does not start.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-ctl.sh"

command -v dbus-daemon >/dev/null || skip_all "dbus-daemon not installed"
command -v xmllint >/dev/null || skip_all "xmllint (libxml2-utils) not installed"
[ ! -e /dev/pvabi ] || skip_all "pvabi.ko is loaded: this test is for a host without it"
plan 12

ctl_bus bus
export PVCTL_BUS_ADDRESS=$addr RUNTIME_DIRECTORY=$TMP/run
mkdir -p "$RUNTIME_DIRECTORY"
UUID=$(virsh -q -c test:///default domuuid test)
SOCK=$RUNTIME_DIRECTORY/$UUID.sock
LOG=$TMP/pvctld.log

ctl_daemon "$addr" "$LOG" --connect test:///default
ok "$([ ! -e "$SOCK" ] && echo 0 || echo 1)" "no socket for a VM that is not enabled"
"$PVCTL" enable test >/dev/null
ok "$([ -S "$SOCK" ] && echo 0 || echo 1)" "enable: $SOCK listens"
is "$(stat -c %a "$SOCK")" 666 "the socket is 0666 (who connects is checked by SO_PEERCRED)"

# Without the module there is no region: QEMU is refused with a version it
# does not speak and fails, rather than hanging in its realize.
QEMU=$(command -v qemu-system-x86_64 || true)
if [ -n "$QEMU" ]; then
	run timeout 30 "$QEMU" -machine q35 -display none -nodefaults -qtest null \
		-chardev "socket,path=$SOCK,id=c" \
		-device ivshmem-doorbell,chardev=c,vectors=1,ioeventfd=on
	echo "# qemu: $err"
	ok "$([ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && echo 0 || echo 1)" "QEMU without pvabi.ko fails to start (rc $rc)"
	ok "$(echo "$err" | grep -q 'server sent version -1' && echo 0 || echo 1)" "... saying the server refused it"
	ok "$(grep -q 'no region for the client: /dev/pvabi' "$LOG" && echo 0 || echo 1)" "pvctld logs why"
else
	for i in 1 2 3; do echo "ok - # SKIP qemu-system-x86_64 not installed"; _n=$((_n + 1)); done
fi

ctl_stop "$dpid"
ok "$([ ! -e "$SOCK" ] && echo 0 || echo 1)" "pvctld's exit removes the socket"

# A VM enabled before pvctld starts (the test driver's state lives only as
# long as its connection, so it comes from a node file): its socket
# listens once pvctld is up, with one vector per vCPU it can have.
PVUUID=0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0
cat >"$TMP/node.xml" <<EOX
<node>
  <domain type='test'>
    <name>pv</name>
    <uuid>$PVUUID</uuid>
    <memory>65536</memory>
    <vcpu>3</vcpu>
    <os><type>hvm</type></os>
    <metadata><pvabi:pvabi xmlns:pvabi="$NS" enabled="yes"/></metadata>
  </domain>
</node>
EOX
ctl_daemon "$addr" "$LOG" --connect "test://$TMP/node.xml"
ok "$([ -S "$RUNTIME_DIRECTORY/$PVUUID.sock" ] && echo 0 || echo 1)" "an enabled VM listens from pvctld's start"
ok "$(grep -q "VM 'pv': serving .*(3 vectors)" "$LOG" && echo 0 || echo 1)" "one vector per vCPU"
"$PVCTL" disable pv >/dev/null
ok "$([ ! -e "$RUNTIME_DIRECTORY/$PVUUID.sock" ] && echo 0 || echo 1)" "disable: the socket is gone"

# The device QEMU connects with, as libvirt takes it (issue 15's shape:
# model ivshmem-doorbell, the server path, one MSI-X vector per vCPU,
# ioeventfd): the test driver parses it and gives it back unchanged.
SHMUUID=1c2d3e4f-5061-7283-94a5-b6c7d8e9f0a1
ctl_shmem_domain_xml pvshm "$SHMUUID" 3 >"$TMP/shmem.xml"
run virsh -q -c test:///default "define $TMP/shmem.xml; dumpxml pvshm"
is "$rc" 0 "virsh define of a domain with the shmem device (test driver)"
ok "$(echo "$out" | xmllint --xpath "//shmem[@name='pvabi-${SHMUUID//-/}'][model/@type='ivshmem-doorbell'][server/@path='/run/pvabi/$SHMUUID.sock'][msi/@vectors='3'][msi/@ioeventfd='on']" - >/dev/null 2>&1 && echo 0 || echo 1)" \
	"... and it reads back whole"
sed 's/^/# /' "$LOG"
done_testing
