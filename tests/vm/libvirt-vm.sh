#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A libvirtd-started domain on pvabi.ko through pvctld, end to end, on the
# libvirt host of tests/vm/run-libvirt-host (Debian's kernel under TCG with
# nested SVM, pvabi.ko loaded, this machine's libvirtd and QEMU).
#
# pvctld runs on a private bus with connect = qemu:///system.  Domains are
# defined after it is up, booting pvabi's guest (pvabi-guest.elf) through
# <os><kernel>: one type='kvm' (where KVM exists there) and one type='qemu'
# (TCG), each enabled with a policy of 1.0-1.1 and notify,sprg4-7,nesting,
# plus a third whose policy allows only 1.0, which cannot grant the
# nesting region mode needs.  Checked, for each:
#   - the guest negotiates exactly what the policy allows (its serial line
#     and pvctl show), and the 1.0-only one is refused (-21, no feature):
#     its policy reached the module before it could negotiate, where the
#     module's default would have granted 1.1;
#   - N injections through the generic netlink family (pvctl kmod inject
#     --count: vectors 1 ... N, then the end vector), each taken by the
#     guest exactly once, in order; the guest's sections held across
#     injections defer (the guest's count and the module's).
# Per domain type a comment line, then the combined last line:
#   libvirt-vm: injected N delivered N lost L duplicated D deferred F forced B negotiated X.Y
# (the sums over both types; X.Y as both negotiated).  It fails unless lost
# and duplicated are 0 and delivered equals injected.
#
# PVABI_VM_VECTORS (default 10000): injections per domain.
set -e
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

. "$top_srcdir/tests/vm/vm-lib.sh"
# Here: the guest is built with pvvm; the rest runs on the libvirt host.
vm_begin "${PVABI_VM_VECTORS:-10000}"
N=${1:-10000}
POLICY=notify,sprg4-7,nesting
POLICY_HEX=0x61
echo "# libvirt host: kernel $(uname -r), libvirtd up at ${PVABI_VM_T_LIBVIRTD} s; $N injections per domain"
types=qemu
[ "$PVABI_VM_KVM" = 1 ] && types="kvm qemu"
# The refused domain runs on KVM where it can: it only has to boot.
rtype=${types%% *}

vm_pvctld && r=0 || r=1
ok $r "pvctld is up on a private bus, connected to qemu:///system"

# Defined after pvctld is up, enabled with their policies.
declare -A name
for t in $types; do
	name[$t]=pvabi-vm-$t
	vm_domain_xml "${name[$t]}" $t >"$TMP/${name[$t]}.xml"
done
refused=pvabi-vm-refused
vm_domain_xml $refused $rtype >"$TMP/$refused.xml"
for d in "${name[@]}" $refused; do
	run virsh define "$TMP/$d.xml"
	is "$rc" 0 "virsh define $d"
done
for t in $types; do
	run "$PVCTL" enable "${name[$t]}" --versions 1.0-1.1 --features $POLICY
	is "$rc" 0 "pvctl enable ${name[$t]} --versions 1.0-1.1 --features $POLICY"
done
run "$PVCTL" enable $refused --versions 1.0-1.0 --features notify
is "$rc" 0 "pvctl enable $refused --versions 1.0-1.0 --features notify"
ok "$(virsh dumpxml $refused | grep -q "ivshmem-doorbell" && echo 0 || echo 1)" \
	"enable put the ivshmem-doorbell device into $refused"

# All started at once (QEMU takes seconds to start under TCG).
declare -A t0
jobs_started=()
for d in "${name[@]}" $refused; do
	t0[$d]=$(vm_now)
	(
		src=0
		timeout 300 virsh start "$d" >"$TMP/start-$d" 2>&1 || src=$?
		echo $src >"$TMP/rc-$d"
	) &
	jobs_started+=($!)
done
# Not a bare wait: pvctld is a child of this shell too.
wait "${jobs_started[@]}"
for d in "${name[@]}" $refused; do
	is "$(cat "$TMP/rc-$d")" 0 "virsh start $d"
	[ "$(cat "$TMP/rc-$d")" = 0 ] || {
		sed 's/^/# /' "$TMP/start-$d"
		tail -20 "/var/log/libvirt/qemu/$d.log" | sed "s/^/# $d qemu: /"
		tail -20 "$VM_PVCTLD_LOG" | sed 's/^/# pvctld: /'
	}
done

# Negotiation: exactly the policy, or the refusal.
declare -A neg
for t in $types; do
	d=${name[$t]}
	l=$(vm_wait_line "$d" 'negotiated|not negotiated' 600) || l=
	echo "# $d: $l"
	is "$l" "pvabi-guest: negotiated 1.1, features $POLICY_HEX" \
		"$d's guest negotiated 1.1 with exactly the policy's features"
	is "$(vm_serial "$d" | grep -a '^pvabi-guest: host offers' | head -1)" \
		"pvabi-guest: host offers 1.0-1.1, features $POLICY_HEX" \
		"... and its control page offered the policy before it asked"
	neg[$t]=$(sed -n 's/^pvabi-guest: negotiated \([0-9.]*\),.*/\1/p' <<<"$l")
	run "$PVCTL" show "$d"
	ok "$(grep -qx "guest: *negotiated 1.1 \[$POLICY\] on vCPU 0" <<<"$out" && echo 0 || echo 1)" \
		"pvctl show $d: negotiated 1.1 [$POLICY] on vCPU 0"
	[ "$_failed" = 0 ] || { vm_serial "$d" | sed 's/^/# serial: /'; printf '%s\n' "$out" | sed 's/^/# show: /'; }
done
l=$(vm_wait_line $refused 'negotiated|not negotiated' 600) || l=
echo "# $refused: $l"
f0=$_failed
is "$l" "pvabi-guest: not negotiated: refused with error -21" \
	"$refused's guest is refused: 1.0 has no nesting (PVABI_E_NOFEATURE)"
[ "$_failed" = "$f0" ] || vm_stall_diagnostics $refused
ok "$(vm_wait_line $refused 'running trapping' 60 >/dev/null && echo 0 || echo 1)" \
	"... and runs trapping"
run "$PVCTL" show $refused
ok "$(grep -qx "guest: *not negotiated" <<<"$out" && echo 0 || echo 1)" "pvctl show $refused: not negotiated"
is "$(vm_kmod_json | vm_kmod_field $refused '"%s %s-%s" % (v["policy_pushed"], v["policy"]["min_version"], v["policy"]["max_version"])')" \
	"True 1.0-1.0" "the module holds $refused's policy, pushed by pvctld"

# The injections, into both domains at once.
declare -A id irc it
jobs_started=()
for t in $types; do
	d=${name[$t]}
	id[$t]=$(vm_kmod_id "$d")
	ok "$([ -n "${id[$t]}" ] && echo 0 || echo 1)" "pvabi.ko has $d's VM (id ${id[$t]})"
	(
		s=$(vm_now)
		src=0
		vm_inject_round "${id[$t]}" "$N" >"$TMP/inject-$t" 2>&1 || src=$?
		echo $src >"$TMP/irc-$t"
		awk -v a="$s" -v b="$(vm_now)" 'BEGIN { printf "%.1f", b - a }' >"$TMP/it-$t"
	) &
	jobs_started+=($!)
done
wait "${jobs_started[@]}"
tot_inj=0 tot_del=0 tot_lost=0 tot_dup=0 tot_def=0 tot_forced=0
for t in $types; do
	d=${name[$t]}
	irc[$t]=$(cat "$TMP/irc-$t")
	it[$t]=$(cat "$TMP/it-$t")
	is "${irc[$t]}" 0 "pvctl kmod inject --count $N into $d (${it[$t]} s)"
	[ "${irc[$t]}" = 0 ] || sed 's/^/# /' "$TMP/inject-$t"
	# After a refused injection the end vector was never sent.
	l=$(vm_wait_line "$d" 'done ' "$([ "${irc[$t]}" = 0 ] && echo 600 || echo 5)") || l=
	echo "# $d: $l"
	taken=$(vm_done_field "$l" vectors) inorder=$(vm_done_field "$l" inorder)
	dup=$(vm_done_field "$l" dup) lost=$(vm_done_field "$l" lost)
	gdef=$(vm_done_field "$l" deferred) stack=$(vm_done_field "$l" stack)
	is "$taken/$inorder/$dup/$lost" "$N/$N/0/0" \
		"$d's guest took every vector once, in order (taken/inorder/dup/lost)"
	# Back-to-back vectors must not pile up frames (tools/pvvm/guest/start.S).
	ok "$([ -n "$stack" ] && [ "$stack" -le 1024 ] && echo 0 || echo 1)" \
		"... with at most 1024 bytes of its stack in use under a handler (${stack:-?})"
	stats=$(vm_kmod_json | vm_kmod_field "$d" \
		'" ".join(str(v["vcpus"][0]["stats"][k]) for k in ("injected", "delivered", "deferred", "forced", "notify_traps"))')
	read -r minj mdel mdef mforced mtraps <<<"$stats"
	echo "# $d: module: injected $minj delivered $mdel deferred $mdef forced $mforced notify traps $mtraps; guest deferred $gdef"
	is "$minj/$mdel" "$((N + 1))/$((N + 1))" "the module injected and delivered every vector and the end vector"
	# The guest counts the vectors that waited for a section to end; the
	# module counts only the decisions it made while the vCPU was inside
	# one, which timing decides (0 in one of about 15 rounds here).
	ok "$([ "${gdef:-0}" -gt 0 ] && echo 0 || echo 1)" \
		"sections held across injections deferred vectors (guest $gdef; module decisions inside $mdef)"
	[ "$_failed" = 0 ] || vm_stall_diagnostics "$d"
	echo "# $t: libvirt-vm: injected $N delivered ${taken:-?} lost ${lost:-?} duplicated ${dup:-?} deferred ${mdef:-0} forced ${mforced:-0} negotiated ${neg[$t]:-none} rearmed $(vm_done_field "$l" rearmed) shadow $(vm_done_field "$l" shadow) (type='$t', ${it[$t]} s)"
	# A guest that never ended its round counts as having lost them all.
	tot_inj=$((tot_inj + N)) tot_del=$((tot_del + ${taken:-0}))
	tot_lost=$((tot_lost + ${lost:-$N})) tot_dup=$((tot_dup + ${dup:-0}))
	tot_def=$((tot_def + ${mdef:-0})) tot_forced=$((tot_forced + ${mforced:-0}))
done

# Gone again.
for d in "${name[@]}" $refused; do
	vm_destroy "$d" || ok 1 "virsh destroy $d returned within 60 s"
	run virsh undefine "$d"
	is "$rc" 0 "virsh undefine $d"
done
[ "$_failed" = 0 ] || sed 's/^/# pvctld: /' "$VM_PVCTLD_LOG" | tail -40
plan $_n
negs=$(printf '%s\n' "${neg[@]}" | sort -u | paste -sd/)
echo "libvirt-vm: injected $tot_inj delivered $tot_del lost $tot_lost duplicated $tot_dup deferred $tot_def forced $tot_forced negotiated ${negs:-none}"
[ "$tot_lost" = 0 ] && [ "$tot_dup" = 0 ] && [ "$tot_del" = "$tot_inj" ] || _failed=$((_failed + 1))
done_testing
