#!/bin/bash
# pvctld asks polkit (a stand-in on the private bus, tests/ctl/polkit-standin)
# asynchronously: a slow answer delays no other caller, no, an error and a
# challenge are denials, reading is an action an administrator can restrict,
# authorization comes before any lookup, an activatable polkit is started
# and asked, and without polkit pvctld falls back to the group rule, following
# polkit's name on the bus rather than asking on every call.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-ctl.sh"

command -v dbus-daemon >/dev/null || skip_all "dbus-daemon not installed"
command -v dbus-monitor >/dev/null || skip_all "dbus-monitor not installed"
[ "$(id -u)" -eq 0 ] || skip_all "the callers are other users: needs root"
STANDIN=$top_builddir/tests/ctl/polkit-standin
[ -x "$STANDIN" ] || skip_all "$STANDIN not built"
plan 28

READ=org.pvabi.pvctl1.read MANAGE=org.pvabi.pvctl1.manage
PATCH=org.pvabi.pvctl1.set-patch-policy
# polkit's own bus policy: root owns the name, everyone may ask it.
PK_POLICY='<policy user="root"><allow own="org.freedesktop.PolicyKit1"/></policy>
  <policy context="default"><allow send_destination="org.freedesktop.PolicyKit1"/></policy>'
ctl_bus here "$PK_POLICY"
HERE=$addr
export PVCTL_BUS_ADDRESS=$HERE
echo "group = $(id -g daemon)" >"$TMP/pvctld.conf"
ctl_daemon "$HERE" "$TMP/pvctld.log" --connect test:///default --config "$TMP/pvctld.conf"
DPID=$dpid
ok $(grep -q "no polkit" "$TMP/pvctld.log" && echo 0 || echo 1) "no polkit on the bus: pvctld says so"
uniq=$(busctl --address="$HERE" call org.freedesktop.DBus /org/freedesktop/DBus \
	org.freedesktop.DBus GetNameOwner s org.pvabi.pvctl1 | sed 's/^s "\(.*\)"$/\1/')
dbus-monitor --address "$HERE" "type='method_call',sender='$uniq',member='NameHasOwner'" \
	>"$TMP/name-has-owner" 2>&1 &
_pids+=($!)

owned() { # owned yes|no: wait until polkit's name has an owner, or none
	local want=true i
	[ "$1" = yes ] || want=false
	for i in $(seq 200); do
		busctl --address="$HERE" call org.freedesktop.DBus /org/freedesktop/DBus \
			org.freedesktop.DBus NameHasOwner s org.freedesktop.PolicyKit1 |
			grep -q "b $want" && return 0
		sleep 0.02
	done
	return 1
}
standin() { # standin ACTION=VERDICT...: (re)start the stand-in
	[ -z "${spid:-}" ] || { ctl_stop "$spid"; owned no; }
	"$STANDIN" --address "$HERE" --log "$TMP/pk.log" "$@" &
	spid=$!
	_pids+=("$spid")
	owned yes
}
ms() { date +%s%3N; }

# Slow: a change waits 5 s for polkit (twice: pvctl enable --features makes
# two calls); meanwhile another caller reads.  The margins are wide so that
# a loaded machine cannot blur "answered at once" and "after polkit".
standin $READ=yes $MANAGE=slow:5000 $PATCH=no
t0=$(ms)
"$PVCTL" enable test --features booke >"$TMP/slow.out" 2>&1 &
slow=$!
sleep 0.3
t1=$(ms)
run runuser -u nobody -- "$PVCTL" show test
t2=$(ms)
is "$rc" 0 "a second caller reads while polkit thinks about the first"
ok $([ $((t2 - t1)) -lt 4000 ] && echo 0 || echo 1) "... answered in $((t2 - t1)) ms, not after the slow answer"
ok $(kill -0 "$slow" 2>/dev/null && echo 0 || echo 1) "... while the first call is still waiting"
set +e
wait "$slow"
src=$?
set -e
t3=$(ms)
is "$src" 0 "the slow change is allowed once polkit says yes"
ok $([ $((t3 - t0)) -ge 5000 ] && echo 0 || echo 1) "... after polkit's $((t3 - t0)) ms"
run "$PVCTL" show test --json
is "$(echo "$out" | python3 -c 'import json,sys; v=json.load(sys.stdin); print(v["enabled"], ",".join(v["features"]))')" \
	"True booke" "... and it took effect"
ok $(grep -q "action=$READ subject=:.* flags=1 verdict=yes" "$TMP/pk.log" && echo 0 || echo 1) \
	"reads are asked as $READ, interactive as the caller allows"

send() { # send USER PATH IFACE.METHOD [ARGS...]: the error's message
	local u=$1
	shift
	runuser -u "$u" -- dbus-send --print-reply --bus="$HERE" --dest=org.pvabi.pvctl1 "$@"
}
OBJ=$(busctl --address="$HERE" call org.pvabi.pvctl1 /org/pvabi/pvctl1 \
	org.pvabi.pvctl1.Manager FindVM s test | sed 's/^o "\(.*\)"$/\1/')

# No: polkit's word holds, for root too (the group rule would allow root).
run "$PVCTL" policy test --patch host
is "$rc:$(echo "$err" | grep -c "not authorized for $PATCH")" "1:1" "polkit says no: root is refused (exit 1)"

# Reading restricted, and authorization before any lookup.
standin $READ=no $MANAGE=no
run runuser -u nobody -- "$PVCTL" list
is "$rc:$(echo "$err" | grep -c "not authorized for $READ")" "1:1" "an administrator can restrict reading: list refused"
run "$PVCTL" show no-such-vm
is "$rc:$(echo "$err" | grep -c "no-such-vm")" "1:0" \
	"an unauthorized caller is refused before the lookup: no word of whether the VM exists"
run send root /org/pvabi/pvctl1 org.pvabi.pvctl1.Manager.Enable string:test
is "$rc:$(echo "$err" | grep -c "not authorized for $MANAGE")" "1:1" \
	"no 'nothing would change' shortcut before authorization"
run "$PVCTL" enable test
is "$rc:$(echo "$err" | grep -c "not authorized for $READ")" "1:1" \
	"pvctl enable finds the VM's object first, a read: refused"
run "$PVCTL" offer
is "$rc" 1 "GetOffer is a read too"
# The VM objects: the same actions, asked before sd-bus answers a read.
run send nobody "$OBJ" org.freedesktop.DBus.Properties.GetAll string:org.pvabi.pvctl1.VM
is "$rc:$(echo "$err" | grep -c "not authorized for $READ")" "1:1" \
	"reading restricted: a VM object's properties refused"
run send nobody /org/pvabi/pvctl1 org.freedesktop.DBus.ObjectManager.GetManagedObjects
is "$rc:$(echo "$err" | grep -c "not authorized for $READ")" "1:1" "... and GetManagedObjects"
run send root "$OBJ" org.pvabi.pvctl1.VM.Enable
is "$rc:$(echo "$err" | grep -c "not authorized for $MANAGE")" "1:1" \
	"VM.Enable is asked as $MANAGE: polkit says no, root is refused"

# An error from polkit is a denial, not a fallback.
standin $READ=yes $MANAGE=error
run "$PVCTL" disable test
is "$rc:$(echo "$err" | grep -c "polkit did not decide")" "1:1" "polkit fails: denied (exit 1), saying so"
run "$PVCTL" show test
is "$(echo "$out" | grep -c '^pvabi: *enabled')" 1 "... and nothing changed"

# A challenge: interactive authorization only when the caller allows it.
standin $READ=yes $MANAGE=interactive
bc() { # bc yes|no METHOD SIGNATURE ARGS...
	local i=$1
	shift
	busctl --address="$HERE" --allow-interactive-authorization="$i" call \
		org.pvabi.pvctl1 /org/pvabi/pvctl1 org.pvabi.pvctl1.Manager "$@"
}
run bc no Disable s test
ok $(echo "$err" | grep -q "needs authentication" && echo 0 || echo 1) \
	"without ALLOW_INTERACTIVE_AUTHORIZATION: InteractiveAuthorizationRequired"
run bc yes Disable s test
is "$rc" 0 "with it, polkit may ask the user, and says yes"

# polkit goes away: the group rule again, without asking the bus per call.
ctl_stop "$spid"
spid=
owned no
run "$PVCTL" enable test
is "$rc" 0 "polkit gone: root may change settings (group rule)"
run runuser -u nobody -- "$PVCTL" disable test
is "$rc:$(echo "$err" | grep -c 'needs root or group')" "1:1" "... nobody may not"
run runuser -u nobody -- "$PVCTL" list
is "$rc" 0 "... and reading is open"
standin $READ=yes $MANAGE=no
run "$PVCTL" disable test
is "$rc:$(echo "$err" | grep -c "not authorized for $MANAGE")" "1:1" "polkit back: it decides again"
sleep 0.2
is "$(grep -c NameHasOwner "$TMP/name-has-owner" || true)" 0 \
	"pvctld followed polkit's name without one NameHasOwner call"
ctl_stop "$spid"
spid=
ctl_stop "$DPID"

# Installed but not running: the bus starts polkit, and pvctld asks it.
mkdir -p "$TMP/services"
cat >"$TMP/services/org.freedesktop.PolicyKit1.service" <<EOS
[D-BUS Service]
Name=org.freedesktop.PolicyKit1
Exec=$STANDIN --log $TMP/pk-activated.log $READ=yes $MANAGE=no
EOS
ctl_bus act "$PK_POLICY <servicedir>$TMP/services</servicedir>"
export PVCTL_BUS_ADDRESS=$addr
ctl_daemon "$addr" "$TMP/act.log" --connect test:///default --config "$TMP/pvctld.conf"
ok $(grep -q "polkit decides" "$TMP/act.log" && echo 0 || echo 1) "an activatable polkit counts as installed"
run "$PVCTL" enable test
is "$rc:$(grep -c "action=$MANAGE .*verdict=no" "$TMP/pk-activated.log" 2>/dev/null)" "1:1" \
	"polkit is started and asked; its no holds for root"
ctl_stop "$dpid"
done_testing
