#!/bin/bash
# pvctld on libvirt's default connection as root, with the real libvirtd in
# system mode started after it (a private one, in this test's mount
# namespace): uri_default in /etc/libvirt/libvirt.conf is followed; without
# it the driver's default, qemu:///system, is what pvctld waits for,
# answering LibvirtUnavailable (pvctl exit 3) until libvirtd comes up, then
# connecting by itself and working.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-ctl.sh"

CTL_LIBVIRTD_LATER=1 ctl_libvirtd_ns "$@"
plan 13
unset LIBVIRT_DEFAULT_URI
now_ms() { echo $(($(date +%s%N) / 1000000)); }
wait_log() { # FILE PATTERN: 10 s at most
	for _ in $(seq 200); do
		grep -q -- "$2" "$1" && return 0
		sleep 0.05
	done
	return 1
}

ctl_bus here
export PVCTL_BUS_ADDRESS=$addr

# uri_default: root's libvirt.conf (this namespace's own copy).
printf 'uri_default = "test:///default"\n' >"$TMP/libvirt.conf"
mount --bind "$TMP/libvirt.conf" /etc/libvirt/libvirt.conf
ctl_daemon "$addr" "$TMP/conf.log" --config /dev/null
run "$PVCTL" list
ok $([ "$rc" = 0 ] && echo "$out" | grep -q '^test ' && echo 0 || echo 1) \
	"uri_default in libvirt.conf is followed: pvctl list shows test:///default's VM"
ok $(grep -q "connected to test:///default" "$TMP/conf.log" && echo 0 || echo 1) \
	"... and the log names the URI it resolved to"
ctl_stop "$dpid"

# No uri_default: the driver's default for root, qemu:///system, whose
# libvirtd is not started yet.
: >"$TMP/libvirt.conf"
LOG=$TMP/pvctld.log
ctl_daemon_early "$LOG" --config /dev/null
pid0=$dpid
run "$PVCTL" offer
is "$rc" 0 "what needs no libvirt works (pvctl offer)"
sleep 2 # a few retries go by

ctl_domain_xml pvabi-late >"$TMP/pvabi-late.xml"
ctl_libvirtd_start
virsh -c qemu:///system define "$TMP/pvabi-late.xml" >/dev/null
t=$(now_ms)
for _ in $(seq 400); do
	"$PVCTL" show pvabi-late >/dev/null 2>&1 && break
	sleep 0.025
done
late_ms=$(($(now_ms) - t))
run "$PVCTL" list
is "$rc" 0 "once libvirtd is up pvctl list works (answering $late_ms ms after)"
ok $(echo "$out" | grep -q '^pvabi-late ' && echo 0 || echo 1) "... and shows the VM defined there"
ok $(wait_log "$LOG" "connected to qemu:///system after [0-9]* ms ([0-9]* attempts); synchronised" &&
	echo 0 || echo 1) "the log: connected to qemu:///system, the driver's default for root"
run "$PVCTL" enable pvabi-late --versions 1.0 --features notify
is "$rc" 0 "pvctl enable goes through"
run virsh -c qemu:///system metadata pvabi-late --uri "$NS" --config
ok $(echo "$out" | grep -q 'enabled="yes"' && echo 0 || echo 1) "... and lands in libvirtd"
is "$dpid" "$pid0" "the same pvctld process throughout"
ctl_stop "$dpid"
ok $(grep -q 'Sanitizer\|runtime error\|Assertion' "$LOG" && echo 1 || echo 0) \
	"pvctld's log has no sanitizer report or assertion"
done_testing
