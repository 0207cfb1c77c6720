#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The lifecycle of a libvirtd-started domain on pvabi.ko through pvctld, on
# the libvirt host of tests/vm/run-libvirt-host, with the set-up of
# tests/vm/libvirt-vm.sh (pvctld on a private bus with connect =
# qemu:///system; a domain booting pvabi-guest.elf, enabled with a policy of
# 1.0-1.1 and notify,sprg4-7,nesting).  On one type='kvm' domain where KVM
# exists there, then one type='qemu', in this order:
#   kill-9       pvctld is killed with SIGKILL while the VM runs and started
#                again: it takes the VM back (pvctl show: negotiated), and a
#                round of N vectors injected after arrives, 0 lost 0 dup;
#   save-restore vectors 1 ... N/2 injected, virsh save at once (some still
#                pending), a few more injected while it is saved (as many as
#                the module's queue takes), virsh restore, the rest and the
#                end vector: the round arrives whole, once each, in order,
#                and the guest keeps its negotiation (no second one; pvctl
#                show still negotiated): the region's pages survived.  The
#                guest's "rearmed" count says how often its idle watchdog
#                took a post whose interrupt never came (on kvm, QEMU 7.2
#                leaves the irqfds of a restored ivshmem unconnected until
#                the guest turns MSI-X off and on: ivshmem.c's idle());
#   disable      pvctl disable while it runs, virsh destroy and start: the
#                definition has no ivshmem device any more, the guest says
#                "not negotiated: ..." and runs trapping, pvctl show says
#                not negotiated.
# The last line:
#   libvirt-vm-life: kill-9 ok|FAIL save-restore ok|FAIL (rearmed R) disable ok|FAIL (type='T', S s)
# (one such part per type, joined by "; ").
#
# PVABI_VM_VECTORS (default 500): vectors per round.  PVABI_VM_LIFE_TYPES:
# the domain types to run, one after the other (default "kvm qemu"; kvm
# only where KVM exists there).
set -e
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

. "$top_srcdir/tests/vm/vm-lib.sh"
vm_begin "${PVABI_VM_VECTORS:-500}"
# On the libvirt host.
types=${PVABI_VM_LIFE_TYPES:-kvm qemu}
[ "$PVABI_VM_KVM" = 1 ] || types=${types//kvm/}
N=${1:-500}
POLICY=notify,sprg4-7,nesting
POLICY_HEX=0x61
echo "# libvirt host: kernel $(uname -r), libvirtd up at ${PVABI_VM_T_LIBVIRTD} s; $N vectors per round; types: $types"

vm_pvctld && r=0 || r=1
ok $r "pvctld is up on a private bus, connected to qemu:///system"

# wait_done NAME K SECONDS: the guest's K-th "done" line (its K-th round).
wait_done() {
	local deadline=$((SECONDS + $3)) l
	while :; do
		l=$(vm_serial "$1" | grep -a '^pvabi-guest: done ' | sed -n "$2p")
		[ -n "$l" ] && { printf '%s\n' "$l"; return 0; }
		((SECONDS < deadline)) || return 1
		sleep 0.5
	done
}

# check_round NAME K WHAT: the K-th round took 1 ... N once each, in order.
# Its line stays in round_line.
check_round() {
	local l taken inorder dup lost
	l=$(wait_done "$1" "$2" 600) || l=
	round_line=$l
	echo "# $1: round $2: $l"
	taken=$(vm_done_field "$l" vectors) inorder=$(vm_done_field "$l" inorder)
	dup=$(vm_done_field "$l" dup) lost=$(vm_done_field "$l" lost)
	is "$taken/$inorder/$dup/$lost" "$N/$N/0/0" \
		"$3: the guest took every vector once, in order (taken/inorder/dup/lost)"
	is "$(vm_done_field "$l" negotiated)" 1.1 "$3: ... still negotiated 1.1"
}

# show_is NAME REGEX WHAT: pvctl show NAME has a line matching REGEX.
show_is() {
	run "$PVCTL" show "$1"
	ok "$(grep -qxE "$2" <<<"$out" && echo 0 || echo 1)" "$3"
	[ "$_failed" = "$f0" ] || printf '%s\n' "$out" "$err" | sed 's/^/# show: /'
}
NEG_RE="guest: *negotiated 1\.1 \[$POLICY\] on vCPU 0"

# save_restore NAME: vectors 1 ... N/2 injected, virsh save at once (some
# still pending), a few more injected while it is saved (as many as the
# module's queue takes), virsh restore, the rest and the end vector.  Sets
# saverestore.
save_restore() {
	local d=$1 half next id2
	f0=$_failed
	half=$((N / 2))
	run "$PVCTL" kmod inject --vm "$id" --vcpu 0 --vector 1 --count $half
	is "$rc" 0 "save-restore: vectors 1 ... $half injected"
	run timeout 300 virsh save $d "$TMP/$d.save"
	is "$rc" 0 "save-restore: virsh save $d"
	[ "$rc" = 0 ] || printf '%s\n' "$out" "$err" | sed 's/^/# /'
	is "$(virsh domstate $d 2>&1)" "shut off" "save-restore: $d is shut off once saved"
	# While saved: one at a time, so a full queue (32 pending) costs
	# one wait (pvctl's 30 s) and the rest go after the restore.
	next=$((half + 1))
	while ((next <= half + 8)); do
		"$PVCTL" kmod inject --vm "$id" --vcpu 0 --vector $next >/dev/null 2>&1 || break
		next=$((next + 1))
	done
	echo "# save-restore: $((next - half - 1)) vectors injected while $d was saved"
	run timeout 300 virsh restore "$TMP/$d.save"
	is "$rc" 0 "save-restore: virsh restore"
	[ "$rc" = 0 ] || printf '%s\n' "$out" "$err" | sed 's/^/# /'
	id2=$(vm_kmod_id $d)
	is "$id2" "$id" "save-restore: the restored $d has the same module VM"
	run "$PVCTL" kmod inject --vm "$id" --vcpu 0 --vector $next --count $((N - next + 1))
	is "$rc" 0 "save-restore: vectors $next ... $N injected after the restore"
	[ "$rc" = 0 ] || {
		printf '%s\n' "$err" | sed 's/^/# /'
		"$PVCTL" kmod status 2>&1 | sed 's/^/# kmod: /'
		vm_stall_diagnostics $d
	}
	run "$PVCTL" kmod inject --vm "$id" --vcpu 0 --vector $((VM_END | N))
	is "$rc" 0 "save-restore: the end vector"
	check_round $d 2 save-restore
	is "$(vm_serial $d | grep -ac '^pvabi-guest: negotiated')" 1 \
		"save-restore: the guest negotiated once (its pages survived)"
	show_is $d "$NEG_RE" "save-restore: pvctl show $d: negotiated 1.1 [$POLICY] on vCPU 0"
	[ "$_failed" = "$f0" ] && saverestore=ok || saverestore=FAIL
	saverestore+=" (rearmed $(vm_done_field "$round_line" rearmed))"
}

summary=()
for t in $types; do
	d=pvabi-life-$t
	ts=$SECONDS
	vm_domain_xml $d $t >"$TMP/$d.xml"
	run virsh define "$TMP/$d.xml"
	is "$rc" 0 "virsh define $d"
	run "$PVCTL" enable $d --versions 1.0-1.1 --features $POLICY
	is "$rc" 0 "pvctl enable $d --versions 1.0-1.1 --features $POLICY"
	run timeout 300 virsh start $d
	is "$rc" 0 "virsh start $d"
	l=$(vm_wait_line $d 'negotiated|not negotiated' 600) || l=
	echo "# $d: $l"
	f0=$_failed
	is "$l" "pvabi-guest: negotiated 1.1, features $POLICY_HEX" "$d's guest negotiated 1.1 [$POLICY]"
	[ "$_failed" = "$f0" ] || vm_stall_diagnostics $d

	# kill-9: the VM goes on without pvctld; the next one takes it back.
	f0=$_failed
	kill -9 "$dpid"
	wait "$dpid" 2>/dev/null || true
	echo "# pvctld killed; restarted:" >>"$VM_PVCTLD_LOG"
	ctl_daemon "$PVCTL_BUS_ADDRESS" "$VM_PVCTLD_LOG" --config "$TMP/pvctld.conf" && r=0 || r=1
	ok $r "kill-9: pvctld killed with SIGKILL while $d runs, started again"
	show_is $d "$NEG_RE" "kill-9: pvctl show $d: negotiated 1.1 [$POLICY] on vCPU 0"
	id=$(vm_kmod_id $d)
	ok "$([ -n "$id" ] && echo 0 || echo 1)" "kill-9: pvabi.ko still has $d's VM (id $id)"
	run vm_inject_round "$id" "$N"
	is "$rc" 0 "kill-9: pvctl kmod inject --count $N, then the end vector"
	check_round $d 1 kill-9
	[ "$_failed" = "$f0" ] && kill9=ok || kill9=FAIL

	save_restore $d

	# disable, then a new boot: no device, no negotiation.
	f0=$_failed
	run "$PVCTL" disable $d
	is "$rc" 0 "disable: pvctl disable $d while it runs"
	ok "$(virsh dumpxml --inactive $d | grep -q ivshmem-doorbell && echo 1 || echo 0)" \
		"disable: the persistent definition has no ivshmem-doorbell device"
	run virsh destroy $d
	is "$rc" 0 "disable: virsh destroy $d"
	run timeout 300 virsh start $d
	is "$rc" 0 "disable: virsh start $d"
	l=$(vm_wait_line $d 'not negotiated' 600) || l=
	echo "# $d: $l"
	ok "$([ -n "$l" ] && echo 0 || echo 1)" "disable: the guest says it is not negotiated"
	ok "$(vm_wait_line $d 'running trapping' 60 >/dev/null && echo 0 || echo 1)" \
		"disable: ... and runs trapping"
	show_is $d "guest: *not negotiated" "disable: pvctl show $d: not negotiated"
	[ "$_failed" = "$f0" ] && disable=ok || disable=FAIL

	[ "$_failed" = 0 ] || {
		vm_serial $d | tail -20 | sed 's/^/# serial: /'
		tail -20 "/var/log/libvirt/qemu/$d.log" | sed 's/^/# qemu: /'
	}
	vm_destroy $d || ok 1 "virsh destroy $d returned within 60 s"
	run virsh undefine $d
	is "$rc" 0 "virsh undefine $d"
	summary+=("kill-9 $kill9 save-restore $saverestore disable $disable (type='$t', $((SECONDS - ts)) s)")
done
[ "$_failed" = 0 ] || sed 's/^/# pvctld: /' "$VM_PVCTLD_LOG" | tail -40
plan $_n
(
	IFS=';'
	echo "libvirt-vm-life: ${summary[*]}" | sed 's/;/; /g'
)
done_testing
