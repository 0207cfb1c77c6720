#!/bin/bash
# The libvirt hook answers within 5 s whatever pvctld does: a stalled
# pvctld (SIGSTOP) or none on the bus is a refusal, with one line for
# libvirt's log.  The figures go to docs/reliability.md (Daemon faults).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-ctl.sh"

command -v dbus-daemon >/dev/null || skip_all "dbus-daemon not installed"
plan 7
LIMIT_MS=5000

ctl_bus here
export PVCTL_BUS_ADDRESS=$addr
ctl_daemon "$addr" "$TMP/pvctld.log" --connect test:///default --config /dev/null
NS=https://pvabi.org/xmlns/libvirt/pvabi/1
cat >"$TMP/dom.xml" <<EOX
<domain type='kvm'><name>test</name><metadata>
<pvabi:pvabi xmlns:pvabi="$NS" enabled="yes"><pvabi:versions min="1.0" max="1.0"/>
<pvabi:features>notify</pvabi:features></pvabi:pvabi>
</metadata></domain>
EOX
ms() { date +%s%3N; }
hook() { # hook: run the hook on migrate begin; sets rc, err, $took (ms)
	local t0
	t0=$(ms)
	run "$PVCTL" hook test migrate begin - <"$TMP/dom.xml"
	took=$(($(ms) - t0))
}

hook
is "$rc" 0 "pvctld answering: the hook lets a compatible VM in"

kill -STOP "$dpid"
hook
kill -CONT "$dpid"
stalled_ms=$took
echo "# stalled pvctld: the hook answered in $took ms: $err"
is "$rc" 1 "pvctld stalled (SIGSTOP): the hook refuses (exit 1)"
ok $([ "$took" -lt "$LIMIT_MS" ] && echo 0 || echo 1) "... within 5 s ($took ms)"
is "$(echo "$err" | wc -l):$(echo "$err" | grep -c "refusing VM 'test'.*pvctld")" "1:1" \
	"... with one line naming the VM and pvctld"

ctl_stop "$dpid"
hook
absent_ms=$took
echo "# no pvctld: the hook answered in $took ms: $err"
is "$rc" 1 "no pvctld on the bus: the hook refuses (exit 1)"
ok $([ "$took" -lt "$LIMIT_MS" ] && echo 0 || echo 1) "... within 5 s ($took ms)"
is "$(echo "$err" | wc -l):$(echo "$err" | grep -c "refusing VM 'test'")" "1:1" "... with one line"

result=pass
[ "$_failed" -eq 0 ] || result=fail
record faults test=hook-stalled result=$result stalled_ms=$stalled_ms \
	absent_ms=$absent_ms limit_ms=$LIMIT_MS
done_testing
