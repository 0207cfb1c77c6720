# Helpers for the control-plane tests: a private dbus-daemon and pvctld on
# it.  Source after tests/lib.sh.  Everything started here is stopped on exit.
: "${PVCTLD:=$top_builddir/pvctld/pvctld}"
NS=https://pvabi.org/xmlns/libvirt/pvabi/1
_pids=()

ctl_cleanup() {
	local p
	for p in "${_pids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$TMP"
}
trap ctl_cleanup EXIT

# ctl_bus NAME [XML]: a bus whose policy is the system bus's default plus
# pvctld's own (pvctld/org.pvabi.pvctl1.conf) and XML, listening in
# $TMP/NAME.  Sets $addr.
ctl_bus() {
	local dir=$TMP/$1 pid
	mkdir -p "$dir"
	chmod 755 "$TMP" "$dir"
	cat >"$dir/bus.conf" <<EOC
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <listen>unix:path=$dir/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Monitoring"/>
  </policy>
  <include>$top_srcdir/pvctld/org.pvabi.pvctl1.conf</include>
  ${2:-}
</busconfig>
EOC
	exec 5>"$dir/addr" 6>"$dir/pid"
	dbus-daemon --config-file="$dir/bus.conf" --fork --print-address=5 \
		--print-pid=6
	exec 5>&- 6>&-
	pid=$(cat "$dir/pid")
	_pids+=("$pid")
	addr=$(head -n1 "$dir/addr")
}

# ctl_daemon ADDR LOG [pvctld options]: start pvctld and wait until it
# answers.  Sets $dpid.
ctl_daemon() {
	local a=$1 log=$2 i
	shift 2
	"$PVCTLD" --address "$a" "$@" >>"$log" 2>&1 &
	dpid=$!
	_pids+=("$dpid")
	for i in $(seq 200); do
		PVCTL_BUS_ADDRESS=$a "$PVCTL" offer >/dev/null 2>&1 && return 0
		kill -0 "$dpid" 2>/dev/null || break
		sleep 0.05
	done
	echo "# pvctld did not come up:"; sed 's/^/#   /' "$log"
	return 1
}

# ctl_daemon_early LOG [pvctld options]: ctl_daemon on $addr while libvirt's
# default URI does not answer; three checks: the bus is served at once,
# pvctl list exits 3 with LibvirtUnavailable's one line.  Sets $dpid and
# $early_ms.
ctl_daemon_early() {
	local log=$1 t name
	shift
	t=$(date +%s%N)
	ctl_daemon "$addr" "$log" "$@"
	early_ms=$((($(date +%s%N) - t) / 1000000))
	# The first attempt fails at once when nothing listens; pvctld waits
	# 3 s at most for one that hangs.
	ok $((early_ms < 5000 ? 0 : 1)) "without libvirt pvctld serves the bus at once ($early_ms ms)"
	run "$PVCTL" list
	is "$rc" 3 "pvctl list exits 3 while libvirt is not there"
	name=${LIBVIRT_DEFAULT_URI:-"libvirt's default URI"}
	is "$err" "pvctl: libvirt ($name) is unavailable; pvctld is reconnecting" \
		"... with one line: LibvirtUnavailable"
}

ctl_stop() { # PID
	kill "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# A libvirtd of the test's own: the real daemon in system mode
# (qemu:///system), in a mount namespace where its state, config and socket
# directories are empty tmpfs.  Domains from other runs are not seen, and
# stopping it stops nobody else's.
#
# ctl_libvirtd_ns "$@" (before plan): rerun the calling test inside its own
# mount namespace and start libvirtd there, or SKIP saying why it cannot.
# With CTL_LIBVIRTD_LATER=1 only the directories are made: the test starts
# libvirtd itself (ctl_libvirtd_start).
ctl_libvirtd_ns() {
	if [ -n "${PVABI_LIBVIRTD_NS:-}" ]; then
		if [ -n "${CTL_LIBVIRTD_LATER:-}" ]; then
			ctl_libvirtd_dirs
			return 0
		fi
		ctl_libvirtd_start ||
			skip_all "libvirtd started but qemu:///system does not answer"
		return 0
	fi
	command -v dbus-daemon >/dev/null || skip_all "dbus-daemon not installed"
	command -v virsh >/dev/null || skip_all "virsh not installed"
	command -v xmllint >/dev/null ||
		skip_all "xmllint (libxml2-utils) not installed"
	[ "$(id -u)" -eq 0 ] || skip_all "a libvirtd in system mode needs root"
	command -v libvirtd >/dev/null ||
		skip_all "libvirtd not installed (libvirt-daemon-system)"
	command -v virtlogd >/dev/null || skip_all "virtlogd not installed"
	unshare -m --propagation private true 2>/dev/null ||
		skip_all "unshare -m failed: no mount namespace for a private libvirtd"
	rmdir "$TMP"
	PVABI_LIBVIRTD_NS=1 exec unshare -m --propagation private \
		"$BASH" "$0" "$@"
}

# ctl_domain_xml NAME: a small qemu domain that is only ever defined.
ctl_domain_xml() {
	cat <<EOX
<domain type='qemu'>
  <name>$1</name>
  <memory unit='MiB'>64</memory>
  <os><type arch='x86_64'>hvm</type></os>
</domain>
EOX
}

# ctl_shmem_domain_xml NAME UUID VCPUS: a qemu domain with the ivshmem-doorbell
# device pvctld serves (issue 15's shape: the server path, one MSI-X vector
# per vCPU, ioeventfd).
ctl_shmem_domain_xml() {
	cat <<EOX
<domain type='qemu'>
  <name>$1</name>
  <uuid>$2</uuid>
  <memory unit='MiB'>64</memory>
  <vcpu>$3</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <shmem name='pvabi-${2//-/}' role='master'>
      <model type='ivshmem-doorbell'/>
      <server path='/run/pvabi/$2.sock'/>
      <msi vectors='$3' ioeventfd='on'/>
    </shmem>
  </devices>
</domain>
EOX
}

_lv_dirs=(/run/libvirt /etc/libvirt/qemu /var/lib/libvirt /var/log/libvirt)
LV_PID=/run/libvirt/pvabi-test-libvirtd.pid
# ctl_libvirtd_dirs: mount the empty directories and start virtlogd (once).
ctl_libvirtd_dirs() {
	local d
	if [ ! -e /run/libvirt/.pvabi-test ]; then
		for d in "${_lv_dirs[@]}"; do
			mkdir -p "$d"
			mount -t tmpfs -o mode=0755 pvabi-test "$d"
		done
		touch /run/libvirt/.pvabi-test
		# udev would make /dev/kvm root:kvm 0660; without it (a
		# container) libvirt sees KVM as unusable for its qemu user
		# and probes QEMU again on every start, for seconds.  A node
		# of our own, in this namespace only.
		if [ -c /dev/kvm ] && getent group kvm >/dev/null &&
			mknod -m 0660 /run/libvirt/kvm c \
				$((0x$(stat -c %t /dev/kvm))) \
				$((0x$(stat -c %T /dev/kvm))) 2>/dev/null; then
			chgrp kvm /run/libvirt/kvm
			mount --bind /run/libvirt/kvm /dev/kvm 2>/dev/null || true
		fi
		virtlogd -d -p /run/libvirt/virtlogd.pid
		_pids+=("$(cat /run/libvirt/virtlogd.pid)")
	fi
}

# ctl_libvirtd_start: ctl_libvirtd_dirs, start libvirtd, and wait until
# qemu:///system answers.
ctl_libvirtd_start() {
	ctl_libvirtd_dirs
	libvirtd -d --pid-file "$LV_PID"
	for _ in $(seq 600); do
		[ -s "$LV_PID" ] && virsh -c qemu:///system list >/dev/null 2>&1 &&
			break
		sleep 0.05
	done
	lvpid=$(cat "$LV_PID")
	_pids+=("$lvpid")
	virsh -c qemu:///system list >/dev/null 2>&1
}

# ctl_libvirtd_stop SIGNAL: stop libvirtd with SIGNAL and wait until it is
# gone (it is not our child: libvirtd -d forks).
ctl_libvirtd_stop() {
	kill -"$1" "$lvpid"
	for _ in $(seq 600); do
		kill -0 "$lvpid" 2>/dev/null || break
		sleep 0.05
	done
	! kill -0 "$lvpid" 2>/dev/null && rm -f "$LV_PID"
}

# ctl_test_libvirtd: libvirtd's test driver, which unlike an embedded
# test:///default is one state that pvctld and virsh share.  It runs
# unprivileged (root's would be the system instance), with its sockets in
# $TMP/libvirt.  Exports LIBVIRT_DEFAULT_URI.
ctl_test_libvirtd() {
	local lv=$TMP/libvirt sock as_user=()
	mkdir -p "$lv/run" "$lv/home"
	chmod 755 "$TMP" "$lv"
	if [ "$(id -u)" -eq 0 ]; then
		chown nobody "$lv/run" "$lv/home"
		as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
	fi
	"${as_user[@]}" env -i PATH="$PATH" HOME="$lv/home" \
		XDG_RUNTIME_DIR="$lv/run" \
		libvirtd --timeout 300 >"$lv/log" 2>&1 &
	_pids+=($!)
	sock=$lv/run/libvirt/libvirt-sock
	for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
	[ -S "$sock" ] || {
		echo "Bail out! libvirtd did not start:"
		sed 's/^/# /' "$lv/log"
		exit 1
	}
	export LIBVIRT_DEFAULT_URI="test+unix:///default?socket=$sock"
}
