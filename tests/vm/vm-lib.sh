# Helpers for the tests that run libvirt domains of pvabi's guest
# (tools/pvvm/guest/pvabi-guest.elf, tools/pvvm/guest/ivshmem.c) on the
# libvirt host of tests/vm/run-libvirt-host.  Source after tests/lib.sh;
# vm_begin sources tests/ctl/lib-ctl.sh there (for vm_pvctld), whose exit
# trap stops everything started here.  VM_GUEST (the kernel) and VM_SERIAL (where the serial logs
# go) may be set before.
#
# The guest's side, as these helpers read it: it prints lines starting
# "pvabi-guest: " on COM1 (a <serial type='file'>), "negotiated X.Y, features
# 0xF" or "not negotiated: REASON" once, and per round of injections
#   pvabi-guest: done vectors T inorder I dup D lost L deferred F negotiated X.Y
#     rearmed R stack S shadow H   (one line; tools/pvvm/guest/ivshmem.c)
# where a round is the vectors 1, 2, ..., N in order and then the end vector
# VM_END | N.
: "${VM_GUEST:=$top_builddir/tools/pvvm/guest/pvabi-guest.elf}"
: "${VM_SERIAL:=/var/log/pvabi-vm}"
VM_END=$((0x80000000))

# vm_begin ARG...: on this machine (PVABI_VM unset), run the calling test
# with ARGs on the libvirt host (tests/vm/run-libvirt-host, which boots it
# once more if it stopped answering) and exit with its status; SKIP in the
# sanitizer pass
# (no user-space code of ours runs there) and without pvabi-guest.elf.  On
# the libvirt host, source tests/ctl/lib-ctl.sh and return.
vm_begin() {
	local rc
	if [ -n "${PVABI_VM:-}" ]; then
		. "$top_srcdir/tests/ctl/lib-ctl.sh"
		return 0
	fi
	[ -z "${PVABI_SANITIZER_BUILD:-}" ] ||
		skip_all "no user-space code of ours runs here; the unsanitized pass runs this test"
	[ -f "$VM_GUEST" ] ||
		skip_all "pvabi-guest.elf is not built (configure found no pvvm)"
	rc=0
	"$top_srcdir/tests/vm/run-libvirt-host" "$0" "$@" || rc=$?
	# run-libvirt-host said "1..0 # SKIP ..." (automake's 77 is an error to
	# the TAP driver).
	[ $rc = 77 ] && exit 0
	exit $rc
}

# vm_now: seconds since this machine's kernel started.
vm_now() { cut -d' ' -f1 /proc/uptime; }

# vm_pvctld [pvctld options]: a private bus (lib-ctl.sh's ctl_bus) and
# pvctld on it, connected to qemu:///system through its configuration
# file, serving its ivshmem sockets in RUNTIME_DIRECTORY (/run/pvabi: the
# path pvctl enable writes into the domain).  Exports PVCTL_BUS_ADDRESS;
# sets $dpid and VM_PVCTLD_LOG.
vm_pvctld() {
	ctl_bus bus
	export PVCTL_BUS_ADDRESS=$addr RUNTIME_DIRECTORY=/run/pvabi
	mkdir -p "$RUNTIME_DIRECTORY" "$VM_SERIAL"
	printf 'connect = qemu:///system\n' >"$TMP/pvctld.conf"
	VM_PVCTLD_LOG=$TMP/pvctld.log
	ctl_daemon "$addr" "$VM_PVCTLD_LOG" --config "$TMP/pvctld.conf" "$@"
}

# vm_domain_xml NAME TYPE: a domain of one vCPU booting $VM_GUEST through
# <os><kernel>, its COM1 in $VM_SERIAL/NAME.log.
vm_domain_xml() {
	cat <<XML
<domain type='$2'>
  <name>$1</name>
  <memory unit='MiB'>32</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$VM_GUEST</kernel>
  </os>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <serial type='file'>
      <source path='$VM_SERIAL/$1.log' append='on'/>
      <target port='0'/>
    </serial>
    <controller type='usb' model='none'/>
    <memballoon model='none'/>
  </devices>
</domain>
XML
}

# vm_serial NAME: the guest's lines so far, without carriage returns.
# Whole lines only: a line the guest is still writing is left for the next
# read (a wait once matched "negotiated 1.1, features " half written).
vm_serial() {
	tr -d '\r' <"$VM_SERIAL/$1.log" 2>/dev/null | awk '
		{ if (seen) print prev; prev = $0; seen = 1 }
		END { if (seen && complete) print prev }' complete="$(
		[ "$(tail -c1 "$VM_SERIAL/$1.log" 2>/dev/null | od -An -c | tr -d ' ')" = '\n' ] && echo 1)" |
		grep -a '^pvabi-guest: ' || true
}

# vm_wait_line NAME REGEX SECONDS: wait for a guest line matching REGEX
# (after "pvabi-guest: "); prints the last such line, fails after SECONDS.
vm_wait_line() {
	local deadline=$((SECONDS + $3)) l
	while :; do
		l=$(vm_serial "$1" | grep -aE "^pvabi-guest: ($2)" | tail -1)
		[ -n "$l" ] && { printf '%s\n' "$l"; return 0; }
		((SECONDS < deadline)) || return 1
		sleep 0.5
	done
}

# vm_kmod_json: pvctl kmod status --json, once.
vm_kmod_json() { "$PVCTL" kmod status --json; }

# vm_kmod_field NAME EXPR: EXPR (Python, over the module's VM v of the
# domain NAME, from vm_kmod_json on stdin) printed; empty without the VM.
vm_kmod_field() {
	python3 -c '
import json, sys
name, expr = sys.argv[1], sys.argv[2]
for v in json.load(sys.stdin).get("vms", []):
    if v.get("name") == name:
        print(eval(expr))
        break' "$1" "$2"
}

# vm_kmod_id NAME: the module's id of the domain's VM.
vm_kmod_id() { vm_kmod_json | vm_kmod_field "$1" 'v["id"]'; }

# vm_stall_diagnostics NAME: what a failed round leaves to read, as
# comments: the domain's state, the guest's last lines, the module's view
# of its vCPU, QEMU's of the vCPU (registers, descriptor tables) and its
# local APIC (in service, pending), and what the host kernel (KVM, the
# OOM killer, a report of its own corruption) and QEMU logged.
vm_stall_diagnostics() {
	# A guest that reset (a triple fault) is shut off: <on_reboot> destroys.
	echo "# domain: $(virsh domstate --reason "$1" 2>&1 | head -1)"
	tr -d '\r' <"$VM_SERIAL/$1.log" 2>/dev/null | tail -20 | sed 's/^/# serial: /'
	vm_kmod_json | vm_kmod_field "$1" 'json.dumps(v["vcpus"][0])' | sed 's/^/# module: /'
	virsh qemu-monitor-command --hmp "$1" 'info lapic' 2>&1 | sed 's/^/# lapic: /'
	virsh qemu-monitor-command --hmp "$1" 'info registers' 2>&1 | sed 's/^/# registers: /'
	dmesg 2>/dev/null | grep -aiE 'kvm|svm|npt|corrupt|\<bug:|oops|panic|oom|killed process' | tail -10 | sed 's/^/# dmesg: /'
	grep -av '^-\|^[A-Z]* *=\|^[A-Z]*[0-9]*=' "/var/log/libvirt/qemu/$1.log" 2>/dev/null | tail -8 | sed 's/^/# qemu: /'
}

# vm_destroy NAME: virsh destroy, given 60 s.  A domain already off is no
# failure; a destroy that does not return prints the kernel stacks of the
# domain's QEMU threads, as comments, and returns 124.
vm_destroy() {
	local pid t
	timeout 60 virsh destroy "$1" >/dev/null 2>&1
	[ $? = 124 ] || return 0
	pid=$(cat "/run/libvirt/qemu/$1.pid" 2>/dev/null)
	echo "# virsh destroy $1: no answer in 60 s; QEMU (pid ${pid:-?}) threads:"
	for t in /proc/${pid:-none}/task/*; do
		[ -d "$t" ] || continue
		echo "# $(cat "$t/comm" 2>/dev/null) ($(basename "$t")):"
		sed 's/^/#   /' "$t/stack" 2>/dev/null
	done
	return 124
}

# vm_inject_round ID N: the vectors 1 ... N on vCPU 0 of module VM ID, then
# the end vector; pvctl's exit status.
vm_inject_round() {
	"$PVCTL" kmod inject --vm "$1" --vcpu 0 --vector 1 --count "$2" &&
		"$PVCTL" kmod inject --vm "$1" --vcpu 0 --vector $((VM_END | $2))
}

# vm_done_field LINE WORD: the number after WORD in a "done" line.
vm_done_field() { sed -n "s/.* $2 \([0-9.]*\).*/\1/p" <<<"$1"; }
