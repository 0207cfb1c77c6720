#!/bin/bash
# libvirtd restarts (SIGTERM, then SIGKILL) and hangs (SIGSTOP) under a
# running pvctld: pvctld stays the same process, answers LibvirtUnavailable
# (pvctl exit 3) while libvirt is away, reconnects by itself, resynchronises
# (a change made with virsh while it was cut off is picked up and
# announced), and takes new changes.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-ctl.sh"

URI=qemu:///system
ctl_libvirtd_ns "$@"
plan 38

doms=(pvabi-rs-a pvabi-rs-b pvabi-rs-c)
for d in "${doms[@]}"; do
	ctl_domain_xml "$d" >"$TMP/$d.xml"
	virsh -c "$URI" define "$TMP/$d.xml" >/dev/null
done

ctl_bus here; export PVCTL_BUS_ADDRESS=$addr
LOG=$TMP/pvctld.log
ctl_daemon "$addr" "$LOG" --connect "$URI" --config /dev/null
dbus-monitor --address "$addr" "type='signal',interface='org.pvabi.pvctl1.Manager'" \
	>"$TMP/signals" 2>&1 &
_pids+=($!)
pid0=$dpid
start0=$(cut -d' ' -f22 "/proc/$dpid/stat")

{
	"$PVCTL" enable pvabi-rs-a --versions 1.0 --features notify
	"$PVCTL" enable pvabi-rs-b
	"$PVCTL" policy pvabi-rs-b --patch host --exclude 0x1000-0x2000
	"$PVCTL" disable pvabi-rs-c
} >/dev/null

# What libvirt holds, straight from virsh, and what pvctld answers, both
# as "enabled versions features patch-mode excludes".
libvirt_view() {
	local x
	x=$(virsh -c "$URI" metadata "$1" --uri "$NS" --config 2>/dev/null) ||
		{ echo "no-metadata"; return; }
	q() { echo "$x" | xmllint --xpath "$1" - 2>/dev/null || true; }
	echo "$(q 'string(/*/@enabled)')" \
		"$(q 'string(//*[local-name()="versions"]/@min)')-$(q 'string(//*[local-name()="versions"]/@max)')" \
		"$(q 'string(//*[local-name()="features"])')" \
		"$(q 'string(//*[local-name()="patch"]/@mode)')" \
		"$(q 'string(//*[local-name()="exclude"]/@start)')"
}
pvctld_view() {
	"$PVCTL" show "$1" --json | python3 -c '
import json, sys
v = json.load(sys.stdin)
p = v["patch"]
lo, _, hi = v["versions"].partition("-")
print("yes" if v["enabled"] else "no", lo + "-" + (hi or lo),
      ",".join(v["features"]), p["mode"],
      hex(p["exclude"][0]["start"]) if p["exclude"] else "")'
}
same_state() { # DESCRIPTION: every VM that has settings in libvirt
	local d bad=
	for d in "${doms[@]}"; do
		[ "$(libvirt_view "$d")" = no-metadata ] ||
		[ "$(libvirt_view "$d")" = "$(pvctld_view "$d" 2>&1)" ] || {
			bad+=" $d"
			echo "#   $d: libvirt '$(libvirt_view "$d")', pvctld '$(pvctld_view "$d" 2>&1)'"
		}
	done
	ok $([ -z "$bad" ] && echo 0 || echo 1) "$1"
}
same_state "before any restart, pvctld answers what libvirt holds"

# Calls in flight while libvirtd goes away: each is answered, with the
# settings or with exit 3; none hangs.
hammer() {
	local i rc
	for i in $(seq 40); do
		set +e
		timeout 30 "$PVCTL" show pvabi-rs-a >/dev/null 2>&1
		rc=$?
		set -e
		echo "$rc" >>"$TMP/hammer.rc"
	done
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }
during_outage() { # SIGNAL
	run "$PVCTL" show pvabi-rs-a
	is "$rc" 3 "SIG$1: pvctl show exits 3 while libvirtd is down"
	is "$(printf '%s\n' "$err" | wc -l)" 1 "SIG$1: ... with one line on stderr"
	ok $(echo "$err" | grep -q "libvirt ($URI) is unavailable; pvctld is reconnecting" &&
		echo 0 || echo 1) "SIG$1: ... saying libvirt is unavailable ($err)"
	run "$PVCTL" enable pvabi-rs-c
	is "$rc" 3 "SIG$1: a change exits 3 too"
	run "$PVCTL" list
	is "$rc" 3 "SIG$1: so does pvctl list"
	run dbus-send --system --print-reply --dest=org.pvabi.pvctl1 \
		/org/pvabi/pvctl1 org.pvabi.pvctl1.Manager.GetVM string:pvabi-rs-b
	ok $(echo "$err" | grep -q '^Error org.pvabi.pvctl1.LibvirtUnavailable:' &&
		echo 0 || echo 1) "SIG$1: the D-Bus error is org.pvabi.pvctl1.LibvirtUnavailable"
	run "$PVCTL" offer
	is "$rc" 0 "SIG$1: what needs no libvirt still works (pvctl offer)"
}
# dbus-send has no --address: it reads the system bus address from here.
export DBUS_SYSTEM_BUS_ADDRESS=$addr

wait_log() { # PATTERN: until pvctld's log has it, 10 s at most
	for _ in $(seq 200); do
		grep -q "$1" "$LOG" && return 0
		sleep 0.05
	done
	return 1
}

restarts=0 reconnect_ms=() failed_before=$_failed
# answering_again: libvirtd is back; how long until pvctld answers from it.
answering_again() {
	local up
	up=$(now_ms)
	for _ in $(seq 400); do
		"$PVCTL" show pvabi-rs-a >/dev/null 2>&1 && break
		sleep 0.025
	done
	reconnect_ms+=($(($(now_ms) - up)))
	restarts=$((restarts + 1))
}
same_process() { # PREFIX
	is "$dpid:$(cut -d' ' -f22 "/proc/$dpid/stat" 2>/dev/null)" "$pid0:$start0" \
		"$1: pvctld is the same process"
}

# Round 1, SIGTERM: libvirtd shuts down in order.
: >"$TMP/hammer.rc"
hammer &
hammer_pid=$!
sleep 0.3
ctl_libvirtd_stop TERM
ok $(wait_log "lost the connection to $URI" && echo 0 || echo 1) \
	"SIGTERM: pvctld logs the lost connection"
during_outage TERM
ctl_libvirtd_start
answering_again
wait "$hammer_pid"
is "$(sort -u "$TMP/hammer.rc" | grep -cvx '[03]')" 0 \
	"SIGTERM: 40 calls across the outage each got 0 or 3 ($(sort "$TMP/hammer.rc" | uniq -c | tr -s ' \n' ' '))"
ok $(wait_log "reconnected to $URI after" && echo 0 || echo 1) \
	"SIGTERM: pvctld logs the reconnect"
same_process SIGTERM
same_state "SIGTERM: after the reconnect pvctld answers what libvirt holds"
run "$PVCTL" enable pvabi-rs-a --versions 1.0 --features notify,segregs
is "$rc" 0 "SIGTERM: a new change goes through"
is "$(libvirt_view pvabi-rs-a)" "yes 1.0-1.0 notify,segregs guest " \
	"SIGTERM: ... and lands in libvirt"

# Round 2, SIGKILL, and a change made with virsh while pvctld is cut off:
# pvctld is held stopped from before libvirtd comes back until the change
# is made, so it can only learn of it by resynchronising.
ctl_libvirtd_stop KILL
ok $(wait_log "lost the connection to $URI.*reconnecting" &&
	[ "$(grep -c "lost the connection to $URI" "$LOG")" -eq 2 ] && echo 0 || echo 1) \
	"SIGKILL: pvctld logs the lost connection"
during_outage KILL
kill -STOP "$dpid"
ctl_libvirtd_start
virsh -c "$URI" metadata pvabi-rs-c --uri "$NS" --key pvabi --config \
	--set "$(virsh -c "$URI" metadata pvabi-rs-a --uri "$NS" --config)" >/dev/null
virsh -c "$URI" metadata pvabi-rs-b --uri "$NS" --config --remove >/dev/null
signals_before=$(wc -l <"$TMP/signals")
kill -CONT "$dpid"
answering_again
ok $(wait_log "reconnected to $URI after .*reconnect #2); resynchronised 3 VMs" &&
	echo 0 || echo 1) "SIGKILL: pvctld reconnects and resynchronises the 3 VMs"
same_process SIGKILL
for _ in $(seq 50); do
	[ "$(tail -n +"$signals_before" "$TMP/signals" | grep -c '"reconnected"')" -ge 3 ] && break
	sleep 0.1
done
ok $(tail -n +"$signals_before" "$TMP/signals" | grep -B1 '"reconnected"' |
	grep -q '"pvabi-rs-c"' && echo 0 || echo 1) \
	"SIGKILL: VMChanged(pvabi-rs-c, \"reconnected\") tells listeners to re-read"
is "$(pvctld_view pvabi-rs-c)" "yes 1.0-1.0 notify,segregs guest " \
	"SIGKILL: the virsh change made while pvctld was cut off is picked up"
is "$(libvirt_view pvabi-rs-b)" "no-metadata" "SIGKILL: virsh removed pvabi-rs-b's settings"
run "$PVCTL" show pvabi-rs-b --json
ok $(echo "$out" | grep -q '"enabled":false' && echo 0 || echo 1) \
	"SIGKILL: ... and pvctld shows it with no settings"
same_state "SIGKILL: after the reconnect pvctld answers what libvirt holds"
run "$PVCTL" disable pvabi-rs-a
is "$rc" 0 "SIGKILL: a new change goes through"
is "$(libvirt_view pvabi-rs-a)" "no 1.0-1.0 notify,segregs guest " \
	"SIGKILL: ... and lands in libvirt"
run "$PVCTL" policy pvabi-rs-b --patch off
is "$rc" 0 "SIGKILL: a VM without settings gets new ones"

# Round 3, SIGSTOP: a libvirtd that hangs.  A call waiting on it fails
# once libvirt's keepalive gives up (about 12 s), inside D-Bus's 25 s.
kill -STOP "$lvpid"
t=$(now_ms)
run timeout 30 "$PVCTL" list
hung_ms=$(($(now_ms) - t))
kill -CONT "$lvpid"
is "$rc" 3 "SIGSTOP: a call on a hung libvirtd ends with exit 3 after $hung_ms ms, no hang"
ok $(wait_log "lost the connection to $URI (keepalive timeout)" && echo 0 || echo 1) \
	"SIGSTOP: pvctld logs the keepalive timeout"
ok $(wait_log "reconnect #3); resynchronised 3 VMs" && echo 0 || echo 1) \
	"SIGSTOP: once libvirtd runs again, pvctld reconnects and resynchronises"
same_process SIGSTOP

ctl_stop "$dpid"
[ -z "${PVABI_KEEP_LOG:-}" ] || cp "$LOG" "$PVABI_KEEP_LOG"
ok $(grep -q 'Sanitizer\|runtime error\|Assertion' "$LOG" && echo 1 || echo 0) \
	"pvctld's log has no sanitizer report or assertion"
result=pass
[ "$_failed" -eq "$failed_before" ] || result=fail
record faults test=libvirtd-restart result=$result restarts=$restarts \
	signals=TERM,KILL,STOP hung_call_ms=$hung_ms reconnect_ms=$(IFS=,; echo "${reconnect_ms[*]}") \
	pid_kept=$([ "$result" = pass ] && echo yes || echo no) \
	outage_exit=3 error=org.pvabi.pvctl1.LibvirtUnavailable
echo "# reconnect_ms (libvirtd up -> pvctld answering): ${reconnect_ms[*]}"
done_testing
