#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# libvirtd starts a KVM and a TCG domain on pvabi's test libvirt host
# (tests/vm/run-libvirt-host: Debian's kernel under TCG with nested SVM,
# this machine's own libvirtd and QEMU, pvabi.ko loaded).  Each domain boots
# tests/vm/marker-guest.S through <os><kernel>, which prints a marker with
# its CPUID hypervisor signature on a <serial type='file'>.  Checked: the
# marker, virsh domstate, and that the KVM domain really ran on KVM (its
# QEMU command line, /dev/kvm among its fds, the signature KVMKVMKVM) and
# the TCG one did not.  The last line:
#   libvirt-boot: kvm ok|FAIL|skipped tcg ok|FAIL in S s
# with S the seconds from the libvirt host's kernel start to the end.
set -e
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
guest=$top_builddir/tests/vm/marker-guest.elf

if [ -z "${PVABI_VM:-}" ]; then
	# Here: build the guest, then run this script on the libvirt host.
	[ -z "${PVABI_SANITIZER_BUILD:-}" ] ||
		skip_all "no user-space code of ours runs here; the unsanitized pass runs this test"
	mkdir -p "$(dirname "$guest")"
	as --32 -o "$TMP/guest.o" "$top_srcdir/tests/vm/marker-guest.S" &&
		ld -m elf_i386 -Ttext=0x100000 -e start -o "$guest" "$TMP/guest.o" ||
		{ echo "not ok 1 - the marker guest builds (as --32, ld -m elf_i386)"; echo 1..1; exit 1; }
	rc=0
	"$top_srcdir/tests/vm/run-libvirt-host" "$0" || rc=$?
	# run-libvirt-host said "1..0 # SKIP ..." (automake's 77 is an error to
	# the TAP driver).
	[ $rc = 77 ] && exit 0
	exit $rc
fi

# On the libvirt host.
now() { cut -d' ' -f1 /proc/uptime; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
echo "# libvirt host: kernel $(uname -r), root mounted at ${PVABI_VM_T_BOOT} s, KVM at ${PVABI_VM_T_KVM} s, libvirtd up at ${PVABI_VM_T_LIBVIRTD} s"
serial=/var/log/pvabi-boot
mkdir -p $serial
declare -A result pid t0 t_start t_marker failed
types="kvm qemu"

# The domains of vm-lib.sh, booting the marker guest.
VM_GUEST=$guest VM_SERIAL=$serial
. "$top_srcdir/tests/vm/vm-lib.sh"

# Both domains are defined (one virsh: under TCG each costs seconds), then
# started at once (QEMU alone takes seconds to start), then waited for.
defines=
for t in $types; do
	result[$t]=ok
	if [ $t = kvm ] && [ "$PVABI_VM_KVM" != 1 ]; then
		result[$t]=skipped
		continue
	fi
	vm_domain_xml pvabi-boot-$t $t >"$TMP/pvabi-boot-$t.xml"
	defines="$defines define $TMP/pvabi-boot-$t.xml;"
done
defined=$(virsh "$defines" 2>&1) || true
for t in $types; do
	[ "${result[$t]}" = ok ] || continue
	ok $(grep -q "Domain 'pvabi-boot-$t' defined" <<<"$defined"; echo $?) "virsh define a type='$t' domain"
	[ "$_failed" = 0 ] || { result[$t]=FAIL; printf '%s\n' "$defined" | sed 's/^/# /'; }
done
for t in $types; do
	[ "${result[$t]}" = ok ] || continue
	t0[$t]=$(now)
	(
		src=0
		virsh start pvabi-boot-$t >"$TMP/start-$t" 2>&1 || src=$?
		echo $src >"$TMP/rc-$t"
		since ${t0[$t]} >"$TMP/t-$t"
	) &
done
wait
for t in $types; do
	[ "${result[$t]}" = ok ] || continue
	name=pvabi-boot-$t
	ok "$(cat "$TMP/rc-$t")" "virsh start $name"
	[ "$(cat "$TMP/rc-$t")" = 0 ] || { sed 's/^/# /' "$TMP/start-$t"; result[$t]=FAIL; continue; }
	t_start[$t]=$(cat "$TMP/t-$t")
	pid[$t]=$(cat /run/libvirt/qemu/$name.pid)
done

# The markers, as they come.
deadline=$((SECONDS + ${PVABI_BOOT_MARKER_TIMEOUT:-240}))
while ((SECONDS < deadline)); do
	waiting=0
	for t in $types; do
		[ "${result[$t]}" = ok ] && [ -z "${t_marker[$t]:-}" ] || continue
		if grep -aq '^PVABI-TESTBED-GUEST' $serial/pvabi-boot-$t.log 2>/dev/null; then
			t_marker[$t]=$(since ${t0[$t]})
		else
			waiting=1
		fi
	done
	[ $waiting = 1 ] || break
	sleep 0.2
done

running=$(virsh list --state-running --name)
ran=
for t in $types; do
	name=pvabi-boot-$t
	if [ "${result[$t]}" = skipped ]; then
		echo "ok $((_n += 1)) - the type='kvm' domain # SKIP $PVABI_VM_NOKVM"
		continue
	fi
	[ "${result[$t]}" = ok ] || continue
	ran="$ran $t"
	failed[$t]=$_failed
	log=$serial/$name.log
	marker=$(grep -a '^PVABI-TESTBED-GUEST' "$log" 2>/dev/null | tr -d '\r' | head -1) || true
	ok $([ -n "$marker" ]; echo $?) "$name printed its marker on its serial port ($marker)"
	[ -n "$marker" ] || tail -c 2000 "$log" 2>/dev/null | sed 's/^/# serial: /'
	ok $(grep -qx $name <<<"$running"; echo $?) "virsh list: $name is running"
	# libvirt writes QEMU's command line one argument a line.
	qlog=/var/log/libvirt/qemu/$name.log
	fds=$(ls -l /proc/${pid[$t]}/fd 2>/dev/null | grep -c ' -> /dev/kvm$') || true
	if [ $t = kvm ]; then
		ok $(grep -aqE -- '-accel kvm|accel=kvm|-enable-kvm' $qlog; echo $?) "$name's QEMU runs with KVM (its command line)"
		ok $([ "$fds" -ge 1 ]; echo $?) "$name's QEMU (pid ${pid[$t]}) holds /dev/kvm open"
		is "${marker#*hypervisor=}" KVMKVMKVM... "$name's guest sees KVM's CPUID signature"
	else
		ok $(grep -aqE -- '-accel tcg|accel=tcg' $qlog; echo $?) "$name's QEMU runs with TCG (its command line)"
		is "$fds" 0 "$name's QEMU (pid ${pid[$t]}) does not hold /dev/kvm"
		ok $([ -n "$marker" ] && [ "${marker#*hypervisor=}" != KVMKVMKVM... ]; echo $?) \
			"$name's guest sees no KVM CPUID signature"
	fi
done

# Each domain destroyed, shut off, undefined (one virsh each for all).
batch() { # batch VERB: "VERB pvabi-boot-T; ..." for each domain that ran
	local t
	for t in $ran; do printf '%s pvabi-boot-%s; ' "$1" "$t"; done
}
if [ -n "$ran" ]; then
	destroyed=$(virsh "$(batch destroy)" 2>&1) || true
	shutoff=$(virsh list --state-shutoff --name 2>&1) || true
	undefined=$(virsh "$(batch undefine)" 2>&1) || true
fi
for t in $ran; do
	name=pvabi-boot-$t
	ok $(grep -q "Domain '$name' destroyed" <<<"$destroyed"; echo $?) "virsh destroy $name"
	ok $(grep -qx $name <<<"$shutoff"; echo $?) "virsh list: $name is shut off"
	ok $(grep -q "Domain '$name' has been undefined" <<<"$undefined"; echo $?) "virsh undefine $name"
	[ "$_failed" = "${failed[$t]}" ] || result[$t]=FAIL
	echo "# $name: virsh start took ${t_start[$t]} s; its marker came ${t_marker[$t]:-never} s after virsh start began"
done
[ "$_failed" = 0 ] || printf '%s\n' "$destroyed" "$shutoff" "$undefined" | sed 's/^/# virsh: /'
plan $_n
[ "$_failed" = 0 ] || { tail -20 /var/log/libvirt/libvirtd.log | sed 's/^/# libvirtd: /'; }
echo "libvirt-boot: kvm ${result[kvm]} tcg ${result[qemu]} in $(now | cut -d. -f1) s"
done_testing
