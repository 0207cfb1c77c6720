#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# docs/tutorial.md's "A guest on pvabi", executed: every block marked
# <!-- run: libvirt-host --> runs, in order, as root on the libvirt host of
# tests/vm/run-libvirt-host (Debian's kernel under TCG with nested SVM, this
# machine's libvirtd and QEMU); it must exit 0 and print the <!-- output -->
# block after it (tests/docs/tutorial-blocks.sh; tests/docs/tutorial.sh
# runs the other blocks and only parses these).
#
# What the packages would have put in place is put there first, in the
# host's overlay: pvabi-guest.elf at /usr/lib/pvabi (pvabi-tools), and
# pvabi.ko, the one just built, for modprobe (pvabi-dkms: an install line
# in /etc/modprobe.d, the module unloaded so that the tutorial loads it).
# pvctld runs on a private bus with connect = qemu:///system (section 2 of
# the tutorial, tests/vm/vm-lib.sh vm_pvctld), pvctl on PATH.
set -e
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

. "$top_srcdir/tests/vm/vm-lib.sh"

# Here: the guest is built with pvvm; the rest runs on the libvirt host.
PVABI_VM_TIMEOUT=${PVABI_VM_TIMEOUT:-900} vm_begin

. "$top_srcdir/tests/docs/tutorial-blocks.sh"
echo "# libvirt host: kernel $(uname -r), libvirtd up at ${PVABI_VM_T_LIBVIRTD} s"
# The tutorial's domain is type='kvm', as an administrator's would be.
[ "$PVABI_VM_KVM" = 1 ] || skip_all "no KVM on the libvirt host: $PVABI_VM_NOKVM"

tut_parse "$top_srcdir/docs/tutorial.md"
n=0
for k in "${kinds[@]}"; do
	case $k in vmrun | vmoutput) n=$((n + 1)) ;; esac
done
plan $((n + 4))
ok "$([ "$n" -gt 0 ] && echo 0 || echo 1)" "docs/tutorial.md has libvirt-host blocks ($n with their outputs)"

install -D -m 644 "$VM_GUEST" /usr/lib/pvabi/pvabi-guest.elf
# shellcheck disable=SC2086
printf 'install pvabi /sbin/insmod %s %s\n' "$PVABI_VM_KO" "${PVABI_KMOD_PARAMS:-}" \
	>/etc/modprobe.d/pvabi-tutorial.conf
run rmmod pvabi
is "$rc" 0 "pvabi.ko unloaded, for the tutorial to load"

vm_pvctld && r=0 || r=1
ok $r "pvctld is up on a private bus, connected to qemu:///system"
mkdir -p "$TMP/bin" "$TMP/work"
printf '#!/bin/sh\nexec "%s" "$@"\n' "$PVCTL" >"$TMP/bin/pvctl"
chmod +x "$TMP/bin/pvctl"
export PATH="$TMP/bin:$PATH"
cd "$TMP/work"

for i in "${!kinds[@]}"; do
	case ${kinds[$i]} in
	vmrun) tut_run "${texts[$i]}" 0 ;;
	vmoutput) tut_output "${texts[$i]}" ;;
	esac
done
run lsmod
ok "$(grep -q '^pvabi ' <<<"$out" && echo 0 || echo 1)" "pvabi.ko is loaded"
if [ "$_failed" != 0 ]; then
	sed 's/^/# pvctld: /' "$VM_PVCTLD_LOG" | tail -40
	tail -20 /var/log/libvirt/qemu/guest1.log 2>/dev/null | sed 's/^/# qemu: /'
	tr -d '\r' </var/log/libvirt/qemu/guest1-serial.log 2>/dev/null | sed 's/^/# serial: /'
fi
done_testing
