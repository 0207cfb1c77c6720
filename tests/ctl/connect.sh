#!/bin/bash
# pvctld's libvirt connection from its start: a malformed URI is a one-line
# error at once; without a configured URI libvirt's own default applies
# (here LIBVIRT_DEFAULT_URI); a libvirt that is not there yet is not fatal:
# pvctld serves the bus at once, answers LibvirtUnavailable (pvctl exit 3)
# and says why in sd_notify's STATUS, then connects when a libvirtd (the
# real daemon, its test driver, on a socket in $TMP) starts later; and one
# that never comes leaves pvctld up, retrying with its backoff.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-ctl.sh"

command -v dbus-daemon >/dev/null || skip_all "dbus-daemon not installed"
command -v libvirtd >/dev/null || skip_all "libvirtd not installed"
command -v virsh >/dev/null || skip_all "virsh not installed"
command -v python3 >/dev/null || skip_all "python3 not installed"
plan 29

now_ms() { echo $(($(date +%s%N) / 1000000)); }
lines() { printf '%s\n' "$1" | wc -l; }
# notify_listen SOCKET FILE: what pvctld tells sd_notify, a line a message.
notify_listen() {
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as f:
    while True:
        f.write(s.recv(4096).decode(errors="replace").replace("\n", " | ") + "\n")
' "$1" "$2" &
	_pids+=($!)
	for _ in $(seq 100); do [ -S "$1" ] && break; sleep 0.05; done
}
wait_for() { # FILE PATTERN: 10 s at most
	for _ in $(seq 200); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

ctl_bus here
export PVCTL_BUS_ADDRESS=$addr

# A malformed URI: libvirt's own parser (libxml2's xmlParseURI) refuses it,
# before any libvirt is asked.
run "$PVCTLD" --address "$addr" --connect 'qemu:///sys tem' --config /dev/null
is "$rc" 2 "--connect with a malformed URI: exit 2"
is "$err" "pvctld: connect: 'qemu:///sys tem' is not a URI libvirt can parse" \
	"... with one line saying so"
printf '# comment\nconnect = qemu:///%%zz\n' >"$TMP/bad.conf"
run "$PVCTLD" --address "$addr" --config "$TMP/bad.conf"
is "$rc" 2 "connect = a malformed URI in the configuration: exit 2"
is "$err" "pvctld: $TMP/bad.conf: line 2: connect: 'qemu:///%zz' is not a URI libvirt can parse" \
	"... with one line naming the line"

# Up before libvirtd, on libvirt's default connection: no --connect, no
# connect =, LIBVIRT_DEFAULT_URI naming the socket of a libvirtd that is not
# started yet (ctl_test_libvirtd's, below).
sock=$TMP/libvirt/run/libvirt/libvirt-sock
URI="test+unix:///default?socket=$sock"
notify_listen "$TMP/notify" "$TMP/status"
LOG=$TMP/pvctld.log
LIBVIRT_DEFAULT_URI=$URI NOTIFY_SOCKET=$TMP/notify \
	ctl_daemon_early "$LOG" --config /dev/null
pid0=$dpid
run "$PVCTL" show test
is "$rc" 3 "so does pvctl show"
run busctl --address="$addr" get-property org.pvabi.pvctl1 /org/pvabi/pvctl1 \
	org.pvabi.pvctl1.Manager Connection
is "$out" 's ""' "the Connection property is \"\": libvirt's default"
ok $(wait_for "$TMP/status" "READY=1" && echo 0 || echo 1) "sd_notify READY=1 is sent"
ok $(wait_for "$TMP/status" "STATUS=Serving org.pvabi.pvctl1; libvirt ($URI) unavailable, retrying: Failed to connect socket to '$sock'" &&
	echo 0 || echo 1) "sd_notify STATUS says libvirt is unavailable, and why"
ok $(grep -qF "cannot connect to $URI: Failed to connect socket" "$LOG" &&
	echo 0 || echo 1) "the log says it cannot connect yet"

ctl_test_libvirtd
is "$LIBVIRT_DEFAULT_URI" "$URI" "libvirtd starts on the socket pvctld was pointed at"
t=$(now_ms)
for _ in $(seq 400); do
	"$PVCTL" list >/dev/null 2>&1 && break
	sleep 0.025
done
late_ms=$(($(now_ms) - t))
run "$PVCTL" list
is "$rc" 0 "once libvirtd is up pvctl list works ($late_ms ms after it started)"
ok $(echo "$out" | grep -q '^test ' && echo 0 || echo 1) \
	"... listing libvirtd's test-driver domain"
ok $(wait_for "$LOG" "connected to $URI after [0-9]* ms ([0-9]* attempts); synchronised 1 VM" &&
	echo 0 || echo 1) "the log names the URI libvirt's default resolved to"
ok $(wait_for "$TMP/status" "STATUS=Serving org.pvabi.pvctl1 for $URI\$" &&
	echo 0 || echo 1) "sd_notify STATUS says it serves that connection"
run "$PVCTL" enable test
is "$rc" 0 "pvctl enable test goes through"
run virsh -c "$URI" metadata test --uri "$NS" --config
ok $(echo "$out" | grep -q 'enabled="yes"' && echo 0 || echo 1) "... and lands in libvirtd"
is "$dpid" "$pid0" "the same pvctld process throughout"
ok $(grep -q "reconnect" "$LOG" && echo 1 || echo 0) \
	"a first connection is no reconnect (no resync line)"
ctl_stop "$dpid"

# libvirt that never comes: an explicit URI whose socket never appears.
ctl_bus never
NEVER="test+unix:///default?socket=$TMP/never/libvirt-sock"
notify_listen "$TMP/notify2" "$TMP/status2"
LOG2=$TMP/never.log
NOTIFY_SOCKET=$TMP/notify2 ctl_daemon "$addr" "$LOG2" --connect "$NEVER" \
	--config /dev/null
sleep 7
ok $(kill -0 "$dpid" 2>/dev/null && echo 0 || echo 1) "with libvirt never there pvctld stays up (7 s)"
t=$(now_ms)
run env PVCTL_BUS_ADDRESS="$addr" "$PVCTL" list
call_ms=$(($(now_ms) - t))
is "$rc" 3 "pvctl list still exits 3"
is "$(lines "$err")" 1 "... with one line ($err)"
t=$(now_ms)
run env PVCTL_BUS_ADDRESS="$addr" "$PVCTL" offer
offer_ms=$(($(now_ms) - t))
is "$rc" 0 "what needs no libvirt works (pvctl offer)"
# Not held behind a connection attempt (up to 5 s apart): no slower than a
# call that needs no libvirt, give or take 2 s of a loaded machine.
ok $((call_ms < offer_ms + 2000 ? 0 : 1)) \
	"... at once ($call_ms ms; pvctl offer $offer_ms ms)"
n=$(grep -c "cannot connect to $NEVER" "$LOG2" || true)
ok $((n >= 4 && n <= 10 ? 0 : 1)) \
	"it retries with the backoff, one log line an attempt while the delay grows ($n lines in 7 s)"
ok $(grep -q "STATUS=Serving org.pvabi.pvctl1; libvirt ($NEVER) unavailable, retrying: Failed to connect socket" \
	<<<"$(tail -n 1 "$TMP/status2")" && echo 0 || echo 1) "sd_notify STATUS still says why"
kill "$dpid"
t=$(now_ms)
wait "$dpid" && rc=0 || rc=$?
is "$rc" 0 "SIGTERM while retrying: a clean exit ($(($(now_ms) - t)) ms)"
record faults test=libvirt-late result=$([ "$_failed" -eq 0 ] && echo pass || echo fail) \
	serve_ms=$early_ms connect_after_libvirtd_ms=$late_ms never_s=7 retries_logged=$n
done_testing
