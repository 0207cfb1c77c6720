#!/bin/bash
# Inside the booted Debian (systemd as PID 1), as the oneshot
# pvabi-boot-test.service: install the packages in /root/pvabi the way an
# administrator would and use them.  Every line for the host starts with
# PVABI-BOOT and goes to the serial console; tests/pkg/boot.sh numbers them.
# Each is followed by the guest's uptime (PVABI-BOOT-AT), for a profile in
# tests/pkg/boot-console.log.
exec >/dev/ttyS0 2>&1
say() { echo "PVABI-BOOT $*"; echo "PVABI-BOOT-AT $(cut -d' ' -f1 /proc/uptime)"; }
# t DESCRIPTION CMD...: one check; the command's output only on failure.
t() {
	local out rc
	out=$("${@:2}" 2>&1)
	rc=$?
	if [ $rc -eq 0 ]; then say "ok - $1"; else
		say "not ok - $1 (exit $rc)"
		printf '%s\n' "$out" | tail -n 20 | sed 's/^/PVABI-BOOT #   /'
	fi
}
# is ACTUAL EXPECTED DESCRIPTION
is() {
	if [ "$1" = "$2" ]; then say "ok - $3"; else
		say "not ok - $3"
		say "#   got '$1', expected '$2'"
	fi
}
ours() { systemctl list-units --failed --plain --no-legend 'pvctld*' 'pvabi*' 'dbus*'; }
complete_line() { # what bash completion offers for the words "$@"
	bash -lic '
		_completion_loader pvctl
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_pvctl pvctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		echo "${COMPREPLY[*]}"' bash "$@" 2>/dev/null
}

say "begin $(cut -d' ' -f1 /proc/uptime) s after the kernel started"
is "$(cat /proc/1/comm)" systemd "systemd is PID 1"
failed=$(systemctl list-units --failed --plain --no-legend)
[ -z "$failed" ] || printf '%s\n' "$failed" | sed 's/^/PVABI-BOOT # failed at boot: /'

cd /root/pvabi
t "dpkg -i libpvabi0 libpvabi-dev pvabi-tools" dpkg -i libpvabi0_*.deb libpvabi-dev_*.deb pvabi-tools_*.deb
journalctl -b -u pvctld --no-pager -q | sed 's/^/PVABI-BOOT # after dpkg -i: /'
t "the postinst made group pvabi (sysusers.d)" getent group pvabi
is "$(systemctl is-enabled pvctld)" enabled "the postinst enabled pvctld.service"

t "systemd-analyze verify pvctld.service" systemd-analyze verify pvctld.service
systemd-analyze security pvctld.service --no-pager 2>&1 | tail -n 1 | sed 's/^/PVABI-BOOT # /'
t "systemctl start pvctld" systemctl start pvctld
is "$(systemctl is-active pvctld)" active "systemctl is-active pvctld"
# As packaged pvctld follows libvirt's default, qemu:///system, whose
# libvirtd is not installed here: it serves the bus anyway and says why.
pvctl list >/dev/null 2>&1
is "$?" 3 "without libvirtd pvctl list exits 3 (LibvirtUnavailable)"
t "systemctl status pvctld says libvirt is unavailable, and why" sh -c '
	s=$(systemctl show -P StatusText pvctld); echo "StatusText: $s"
	journalctl -b -u pvctld --no-pager -q | tail -n 12
	echo "$s" | grep -q "libvirt (qemu:///system) unavailable, retrying: "'
# The rest names libvirt's test driver, as the tests do.
sed -i 's|^#connect = qemu:///system|connect = test:///default|' /etc/pvabi/pvctld.conf
t "systemctl restart pvctld" systemctl restart pvctld
t "pvctl list reaches pvctld on the system bus" sh -c 'pvctl list --json | grep -q "\"name\":\"test\""'
t "pvctl offer comes from the daemon" pvctl offer
t "pvctl abi show" sh -c 'pvctl abi show --json | grep -q "\"page_size\":4096"'

# polkit (polkitd, pkexec and their rules are in the root): pvctld asks it
# about every call.  Each case prints the caller, what it asked and the
# answer; alice is in group pvabi (the packaged rule), bob is not.
useradd -m -G pvabi alice && useradd -m bob
# answer WHO CMD...: "allowed", or the exit status and the error pvctl or
# busctl printed.
answer() {
	local out rc
	if [ "$1" = root ]; then out=$("${@:2}" 2>&1); else out=$(runuser -u "$1" -- "${@:2}" 2>&1); fi
	rc=$?
	if [ $rc = 0 ]; then echo allowed; else echo "exit $rc: $(printf '%s' "$out" | tail -n 1)"; fi
}
# polkit_case WHO WHAT EXPECTED CMD...: one case, its answer on a line.
polkit_case() {
	local a
	a=$(answer "$1" "${@:5}")
	say "# $3 case: $1, $2: $a"
	case $a in $4) say "ok - $3: $1, $2: ${4//\*/...}" ;; *) say "not ok - $3: $1, $2: got '$a'" ;; esac
}
mgr=org.pvabi.pvctl1.manage
t "polkitd answers on the system bus" busctl status org.freedesktop.PolicyKit1
t "pvctld asks polkit (its log says so)" sh -c 'journalctl -b -u pvctld -q | grep -q "polkit decides"'
polkit_case root "pvctl enable test" polkit allowed pvctl enable test
t "the change is kept" sh -c 'pvctl show test --json | grep -q "\"enabled\":true"'
polkit_case alice "pvctl disable test (group pvabi, the packaged rule)" polkit allowed pvctl disable test
polkit_case alice "pvctl policy test --patch host" polkit allowed pvctl policy test --patch host
polkit_case bob "pvctl show test (read: allowed to all)" polkit allowed pvctl show test
# pvctl's calls allow interaction; busctl's need not.
polkit_case bob "busctl call Enable without interaction" polkit \
	"exit 1: *$mgr needs authentication*" busctl --allow-interactive-authorization=no \
	call org.pvabi.pvctl1 /org/pvabi/pvctl1 org.pvabi.pvctl1.Manager Enable s test
polkit_case bob "pvctl enable test (interactive, no agent)" polkit "exit 1: pvctl: $mgr needs authentication" pvctl enable test
is "$(pvctl show test --json | grep -c '"enabled":false')" 1 "bob's refused calls changed nothing"

# Without polkitd: root, or a member of group pvabi, by the attested UID.
# dpkg -r leaves polkitd running (its bus policy gone): stopped first.
t "systemctl stop polkit; dpkg -r pkexec polkitd" sh -c 'systemctl stop polkit && dpkg -r pkexec polkitd'
t "polkitd is gone from the bus" sh -c '! busctl status org.freedesktop.PolicyKit1'
t "systemctl restart pvctld (it finds no polkit)" systemctl restart pvctld
t "pvctld falls back to the group rule (no polkit line in its log)" \
	sh -c '! journalctl -u pvctld -q --since "$(systemctl show -P ActiveEnterTimestamp pvctld)" | grep -q "polkit decides"'
polkit_case root "pvctl enable test" no-polkit allowed pvctl enable test
polkit_case alice "pvctl disable test (group pvabi)" no-polkit allowed pvctl disable test
polkit_case bob "pvctl show test (read: open)" no-polkit allowed pvctl show test
polkit_case bob "pvctl enable test" no-polkit \
	"exit 1: *$mgr needs root or group pvabi (caller uid $(id -u bob))*" pvctl enable test
t "root changes a setting without polkit (pvctl enable test)" pvctl enable test
t "the change is kept" sh -c 'pvctl show test --json | grep -q "\"enabled\":true"'

# /dev/pvabi for the packaged pvctld, the module loaded after pvctld
# started: udev's group and mode, the DeviceAllow= applied again, and a
# client of the enabled VM's ivshmem socket answered with version 0 and an
# ID, which pvctld sends only once it has opened /dev/pvabi for the VM's
# region (-1 when it cannot).
ivshmem_hello() { # SOCKET: the first two numbers the server sends
	perl -MSocket -e '
		socket(my $s, AF_UNIX, SOCK_STREAM, 0) or die "socket: $!\n";
		connect($s, pack_sockaddr_un($ARGV[0])) or die "connect: $!\n";
		my @v;
		for (1 .. 2) { sysread($s, my $b, 8) == 8 or last; push @v, unpack("q<", $b); }
		print "@v\n";' "$1" 2>&1
}
# minbase has no kmod (insmod): finit_module(2), x86-64's 313, from perl.
if [ -f pvabi.ko ]; then
	t "pvabi.ko loaded after pvctld started" perl -e '
		open(my $f, "<", $ARGV[0]) or die "$ARGV[0]: $!\n";
		my $params = "";
		syscall(313, fileno($f), $params, 0) == 0 or die "finit_module: $!\n"' pvabi.ko
	udevadm settle
	is "$(stat -c '%U %G %a' /dev/pvabi 2>&1)" "root pvabi 660" "udev: /dev/pvabi is root:pvabi 0660"
	t "the udev rule applied pvctld.service's DeviceAllow= again" \
		grep -rq '^DeviceAllow=/dev/pvabi rw' /run/systemd/system.control/pvctld.service.d
	is "$(ivshmem_hello /run/pvabi/6695eb01-f6a4-8304-79aa-97f2502e193f.sock)" "0 0" \
		"pvctld opens /dev/pvabi: the VM's ivshmem socket answers version 0, ID 0 (QEMU's)"
	journalctl -u pvctld --no-pager -q | grep -E "pvabi.ko|/dev/pvabi|refused" |
		tail -n 4 | sed 's/^/PVABI-BOOT # journal: /'
else
	say "# no pvabi.ko for this kernel: /dev/pvabi not checked"
fi

t "man pvctl renders" sh -c 'man -P cat pvctl | grep -q SYNOPSIS'
t "man pvctld renders" sh -c 'man -P cat pvctld | grep -q SYNOPSIS'
t "man 7 pvabi renders" sh -c 'man -P cat 7 pvabi | grep -q "CRITICAL-SECTION PROTOCOL"'
is "$(complete_line pvctl ab)" abi "bash completion: pvctl ab<TAB> gives abi"
is "$(complete_line pvctl abi sh)" show "bash completion: pvctl abi sh<TAB> gives show"
is "$(complete_line pvctl show te)" test "bash completion: pvctl show te<TAB> asks pvctl list for VM names"

t "systemctl stop pvctld" systemctl stop pvctld
is "$(systemctl is-active pvctld)" inactive "pvctld is inactive after stop"
is "$(systemctl show -P Result pvctld)" success "pvctld stopped cleanly (Result=success)"
t "D-Bus activation starts pvctld for pvctl list" pvctl list
is "$(systemctl is-active pvctld)" active "pvctld is active again, started by the bus"
journalctl -b -u pvctld -p warning --no-pager -q | sed 's/^/PVABI-BOOT # journal: /'
is "$(ours)" "" "no failed units of ours"

t "dpkg -r pvabi-tools" dpkg -r pvabi-tools
is "$(systemctl is-active pvctld)" inactive "removing pvabi-tools stopped pvctld"
t "the unit is gone" sh -c '! systemctl cat pvctld.service'
t "dpkg -P pvabi-tools removes /etc/pvabi" sh -c 'dpkg -P pvabi-tools && [ ! -e /etc/pvabi ]'
is "$(ours)" "" "no failed units of ours after removal"
say "end $(cut -d' ' -f1 /proc/uptime)"
systemctl poweroff --force --force
