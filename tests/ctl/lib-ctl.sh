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

# ctl_bus NAME: a bus whose policy is the system bus's default plus pvctld's
# own (pvctld/org.pvabi.pvctl1.conf), listening in $TMP/NAME.  Sets $addr.
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

ctl_stop() { # PID
	kill "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}
