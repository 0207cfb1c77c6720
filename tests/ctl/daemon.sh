#!/bin/bash
# pvctld on a private bus with libvirt's test driver: every pvctl daemon
# subcommand, validation, the D-Bus contract, the hook, and authorization.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-ctl.sh"

command -v dbus-daemon >/dev/null || skip_all "dbus-daemon not installed"
command -v xmllint >/dev/null || skip_all "xmllint (libxml2-utils) not installed"
plan 56

ctl_bus here; HERE=$addr
ctl_bus there; THERE=$addr
# The group rule's group: the primary group of the account "daemon", which
# every Debian and Fedora system has; nobody is not in it.
DUID=$(id -u daemon)
GROUP=$(id -g daemon)
echo "group = $GROUP" >"$TMP/here.conf"
printf 'versions = 1.0\nfeatures = booke\n' >"$TMP/there.conf"
ctl_daemon "$HERE" "$TMP/here.log" --connect test:///default --config "$TMP/here.conf"
HERE_PID=$dpid
ctl_daemon "$THERE" "$TMP/there.log" --connect test:///default --config "$TMP/there.conf"
THERE_PID=$dpid
export PVCTL_BUS_ADDRESS=$HERE
dbus-monitor --address "$HERE" "type='signal',interface='org.pvabi.pvctl1.Manager'" \
	>"$TMP/signals" 2>&1 &
_pids+=($!)

# Both interfaces match the committed introspection, element for element:
# the Manager's on its object, the VM's on the test domain's.
VMOBJ=$(busctl --address="$HERE" call org.pvabi.pvctl1 /org/pvabi/pvctl1 \
	org.pvabi.pvctl1.Manager FindVM s test | sed 's/^o "\(.*\)"$/\1/')
for pair in "Manager /org/pvabi/pvctl1" "VM $VMOBJ"; do
	iface="//interface[@name=\"org.pvabi.pvctl1.${pair%% *}\"]"
	busctl --address="$HERE" introspect --xml-interface org.pvabi.pvctl1 "${pair#* }" |
		xmllint --xpath "$iface" - | xmllint --noblanks - >"$TMP/live.xml"
	xmllint --xpath "$iface" "$top_srcdir/schemas/org.pvabi.pvctl1.xml" |
		xmllint --noblanks - >"$TMP/committed.xml"
	run diff -u "$TMP/committed.xml" "$TMP/live.xml"
	ok $rc "live introspection of org.pvabi.pvctl1.${pair%% *} matches schemas/org.pvabi.pvctl1.xml"
done

run "$PVCTL" list --json
is "$rc" 0 "list"
is "$(echo "$out" | python3 -c 'import json,sys; v=json.load(sys.stdin); print(v[0]["name"], v[0]["enabled"], v[0]["versions"])')" \
	"test False 1.0-1.1" "list: the test domain, disabled, allowed the host's 1.0-1.1"

run "$PVCTL" enable test --versions 1.0 --features notify,booke --json
is "$rc" 0 "enable with versions and features"
is "$(echo "$out" | python3 -c 'import json,sys; v=json.load(sys.stdin); print(v["enabled"], ",".join(v["features"]))')" \
	"True notify,booke" "enable: settings read back"
run "$PVCTL" enable test
is "$rc" 0 "enable again: nothing changes, still ok"
run "$PVCTL" show test
ok $(echo "$out" | grep -q '^pvabi: *enabled' && echo 0 || echo 1) "show: enabled"

run "$PVCTL" policy test --patch guest --exclude 0x1000-0x2000 --exclude 0x4000-0x5000 --classes msr,sprg
is "$rc" 0 "policy: set"
is "$(echo $out)" "mode=guest classes=msr,sprg exclude=0x1000-0x2000 exclude=0x4000-0x5000 max-sites=unlimited # applies: at the guest's next negotiation" \
	"policy: printed back in the text form of schemas/patch-policy.txt"
run "$PVCTL" policy test --json
is "$(echo "$out" | python3 -c 'import json,sys; v=json.load(sys.stdin); print(v["mode"], v["exclude"][1]["start"])')" \
	"guest 16384" "policy --json: mode and ranges"

# Bad input: exit 2, one line quoting the bad value; nothing reached libvirt.
run "$PVCTL" enable test --versions 9.x
is "$rc" 2 "bad --versions: exit 2"
ok $(echo "$err" | grep -q "'9.x'" && echo 0 || echo 1) "bad --versions quoted"
run "$PVCTL" enable test --features notify,warp
ok $(echo "$err" | grep -q "'warp'" && echo 0 || echo 1) "unknown feature quoted"
run "$PVCTL" policy test --patch sideways
is "$rc:$(echo "$err" | grep -c "'sideways'")" "2:1" "bad patch mode quoted, exit 2"
run "$PVCTL" policy test --patch guest --exclude 0x2000-0x1000
is "$rc:$(echo "$err" | grep -c "0x2000-0x1000")" "2:1" "reversed range quoted, exit 2"
run "$PVCTL" policy test --patch guest --exclude 0x1000-0x3000 --exclude 0x2000-0x4000
is "$rc:$(echo "$err" | grep -c "overlaps")" "2:1" "overlapping ranges refused"
run "$PVCTL" show no-such-vm
is "$rc:$(echo "$err" | grep -c "no-such-vm")" "2:1" "unknown VM: exit 2, named"
run "$PVCTL" show no-such-vm --json
is "$rc:$(echo "$out" | python3 -c 'import json,sys; v=json.load(sys.stdin); print(v["ok"], v["error"], "no-such-vm" in v["message"])')" \
	"2:False no-such-vm True" "unknown VM --json: the refusal names pvctld's error"
run "$PVCTL" show
is "$rc" 2 "show without a VM: exit 2"

# The daemon validates on its own: raw D-Bus calls get InvalidArgs.
bc() { busctl --address="$HERE" call org.pvabi.pvctl1 /org/pvabi/pvctl1 org.pvabi.pvctl1.Manager "$@"; }
run bc SetFeatures ss test "notify,bogus"
ok $(echo "$err" | grep -q "unknown feature 'bogus'" && echo 0 || echo 1) "D-Bus: SetFeatures quotes the bad feature"
run bc SetVersions ss test "2.0-2.5"
ok $(echo "$err" | grep -q "'2.0-2.5' leaves nothing of this host's offer 1.1" && echo 0 || echo 1) "D-Bus: SetVersions outside the offer refused"
run bc SetPatchPolicy ss test "mode=guest
mode=host"
ok $(echo "$err" | grep -q "patch policy: line 2 'mode=host'" && echo 0 || echo 1) "D-Bus: a bad patch policy line is quoted"
run bc Enable s "a/b"
ok $(echo "$err" | grep -q "'a/b'" && echo 0 || echo 1) "D-Bus: bad VM name quoted"
run bc GetVM s "$(head -c 300 /dev/zero | tr '\0' x)"
ok $(echo "$err" | grep -q "longer than 255" && echo 0 || echo 1) "D-Bus: overlong VM name refused"
run bc CheckMigration say test 4 1 2 3 4
ok $(echo "$err" | grep -q "offer:" && echo 0 || echo 1) "D-Bus: garbage offer blob refused"

# This host's offer, and migration checks both ways.
run "$PVCTL" offer --json -o "$TMP/here.dtb"
is "$out" '{"versions":["1.1"],"features":["notify","booke","segregs","host-patch","tlbsync-nop","sprg4-7","nesting"]}' "offer --json"
run "$PVCTL" offer -o /dev/full
is "$rc:$out:$err" "2::pvctl: /dev/full: No space left on device" "offer -o /dev/full: a clean refusal"
run "$PVCTL" migrate-check test --to-offer "$TMP/here.dtb"
is "$rc" 0 "migrate-check to an offer like ours: compatible"
"$PVCTL" dt write --host-versions 1.0 --host-features booke -o "$TMP/booke.dtb"
run "$PVCTL" migrate-check test --to-offer "$TMP/booke.dtb" --json
is "$rc" 1 "migrate-check to an offer without notify: exit 1"
is "$(echo "$out" | python3 -c 'import json,sys; v=json.load(sys.stdin); print(v["compatible"], v["reasons"][0])')" \
	"False the guest may use feature(s) notify, which the destination does not offer" "the reason names notify"
"$PVCTL" dt write --host-versions 2.0 -o "$TMP/v2.dtb"
run "$PVCTL" migrate-check test --to-offer "$TMP/v2.dtb"
is "$rc:$(echo "$err" | grep -c 'offers ABI 2.0, nothing in the VM.s allowed range 1.0')" "1:1" \
	"migrate-check to a 2.0-only host: refused with the version reason"
echo garbage >"$TMP/garbage.dtb"
run "$PVCTL" migrate-check test --to-offer "$TMP/garbage.dtb"
is "$rc" 2 "migrate-check to a garbage offer: exit 2"
run "$PVCTL" migrate-check test
is "$rc" 2 "migrate-check without a destination: exit 2"

# --to-host goes through sd_bus_open_system_remote, i.e. "ssh HOST
# systemd-stdio-bridge"; this ssh bridges to the other private bus instead.
mkdir -p "$TMP/bin"
cat >"$TMP/bin/ssh" <<EOS
#!/bin/sh
echo "\$*" >"$TMP/ssh-args"
exec systemd-stdio-bridge --bus-path="$THERE"
EOS
chmod +x "$TMP/bin/ssh"
run env PATH="$TMP/bin:$PATH" "$PVCTL" migrate-check test --to-host there.example
is "$rc" 1 "migrate-check --to-host: the remote host lacks notify"
ok $(echo "$err" | grep -q "feature(s) notify" && echo 0 || echo 1) "--to-host: reason from the remote offer"
ok $(grep -q -- "there.example systemd-stdio-bridge" "$TMP/ssh-args" && echo 0 || echo 1) "--to-host ran ssh to the host"
run "$PVCTL" disable test
run env PATH="$TMP/bin:$PATH" "$PVCTL" migrate-check test --to-host there.example
is "$rc" 0 "a disabled VM migrates anywhere"
"$PVCTL" enable test >/dev/null

# The libvirt hook, on the destination: settings from the incoming XML.
cat >"$TMP/dom.xml" <<EOX
<domain type='kvm'><name>test</name><metadata>
<pvabi:pvabi xmlns:pvabi="$NS" enabled="yes"><pvabi:versions min="1.0" max="1.0"/>
<pvabi:features>notify</pvabi:features><pvabi:patch mode="off"/></pvabi:pvabi>
</metadata></domain>
EOX
run env PVCTL_BUS_ADDRESS="$THERE" "$PVCTL" hook test migrate begin - <"$TMP/dom.xml"
is "$rc" 1 "hook: migrate begin to a host without notify: exit 1"
ok $(echo "$err" | grep -q "pvabi: VM 'test' cannot run on this host: .*notify" && echo 0 || echo 1) "hook: the reason on stderr"
run "$PVCTL" hook test migrate begin - <"$TMP/dom.xml"
is "$rc:$out" "0:" "hook: a capable host lets it in, prints nothing"
run "$PVCTL" hook test prepare begin - <"$TMP/dom.xml"
is "$rc" 0 "hook: other operations pass"
echo "<domain type='kvm'><name>test</name></domain>" >"$TMP/plain.xml"
run env PVCTL_BUS_ADDRESS="$THERE" "$PVCTL" hook test migrate begin - <"$TMP/plain.xml"
is "$rc" 0 "hook: a VM without pvabi metadata passes"

# Authorization: without polkit, root or a member of the configured group.
# A member is an account the group database puts in the group (here:
# daemon, whose primary group it is), judged from the UID the bus attests;
# the groups a process happens to hold do not count (pvctld(8)).
ok $(grep -q "no polkit: reading is open, root and group $GROUP may change" "$TMP/here.log" && echo 0 || echo 1) \
	"pvctld says it judges by the group rule, polkit being absent"
run runuser -u nobody -- "$PVCTL" list
is "$rc" 0 "nobody can list"
run runuser -u nobody -- "$PVCTL" show test
is "$rc" 0 "nobody can show"
denied=0
for cmd in "enable test --features booke" "disable test" "enable test --versions 1.0-1.0 --features notify" \
	"policy test --patch host"; do
	# shellcheck disable=SC2086
	run runuser -u nobody -- "$PVCTL" $cmd
	[ "$rc" -eq 1 ] && echo "$err" | grep -q "needs root or group" || denied=$((denied + 1))
done
is "$denied" 0 "nobody is refused every change (exit 1, AccessDenied)"
run setpriv --reuid=65534 --regid=65534 --groups="$GROUP" "$PVCTL" policy test --patch host
is "$rc:$(echo "$err" | grep -c 'needs root or group')" "1:1" \
	"a process that holds the group (setpriv --groups) but whose account is not in it is refused"
run setpriv --reuid="$DUID" --regid=65534 --clear-groups "$PVCTL" policy test --patch host
is "$rc" 0 "a member of the configured group may change settings, whatever groups its process holds"
run "$PVCTL" policy test
is "$(echo "$out" | head -n1)" "mode=host" "... and the change is there"
# Issue 21's race: nobody sends Disable, then execs a setgid program while
# pvctld is stopped; pvctld must judge the caller, not what /proc/PID shows
# when it gets round to looking.
cp "$(command -v sleep)" "$TMP/sgid-sleep"
chgrp "$GROUP" "$TMP/sgid-sleep"
chmod 2755 "$TMP/sgid-sleep"
kill -STOP "$HERE_PID"
runuser -u nobody -- "$top_builddir/tests/ctl/call-then-exec" "$HERE" Disable test \
	"$TMP/sgid-sleep" 30 &
racer=$!
_pids+=("$racer")
# runuser forks: wait until its child runs the setgid program.
for _ in $(seq 200); do
	grep -q "^Gid:.*[[:space:]]$GROUP[[:space:]]" \
		"/proc/$(pgrep -n -f "^$TMP/sgid-sleep")/status" 2>/dev/null && break
	sleep 0.02
done
kill -CONT "$HERE_PID"
sleep 0.5
run "$PVCTL" show test
is "$(echo "$out" | grep -c '^pvabi: *enabled')" 1 \
	"a caller that execs a setgid program after its call is judged as it called: the VM stays enabled"
racer_child=$(pgrep -n -f "^$TMP/sgid-sleep" || true)
kill "$racer" ${racer_child:+"$racer_child"} 2>/dev/null || true

# --system follows DBUS_SYSTEM_BUS_ADDRESS, as sd-bus does.
run env -u PVCTL_BUS_ADDRESS DBUS_SYSTEM_BUS_ADDRESS="$HERE" "$PVCTL" show test --system
is "$rc" 0 "--system reaches the bus DBUS_SYSTEM_BUS_ADDRESS names"

# Signals, and a daemon that is not there.
sleep 0.2
ok $(grep -q 'string "settings"' "$TMP/signals" && echo 0 || echo 1) "VMChanged emitted on changes"
if [ -d /sys/module/pvabi ]; then
	ok 0 "# SKIP pvabi.ko is loaded here: the absent-module path is not taken"
else
	ok $(grep -q "generic netlink family 'pvabi' absent" "$TMP/here.log" && echo 0 || echo 1) \
		"without pvabi.ko, pvctld says so once and carries on"
fi
ctl_stop "$THERE_PID"
run env PVCTL_BUS_ADDRESS="$THERE" "$PVCTL" list
is "$rc" 3 "no pvctld on the bus: exit 3"
run env PVCTL_BUS_ADDRESS=unix:path=$TMP/nowhere "$PVCTL" list
is "$rc" 3 "no bus: exit 3"
ctl_stop "$HERE_PID"
done_testing
