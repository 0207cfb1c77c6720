#!/bin/bash
# pvctl sim: exact keys, exit codes, one-line usage errors.
set -e
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
plan 14

keys() { python3 -c 'import json,sys; print(",".join(json.load(sys.stdin)))'; }
field() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }

run "$PVCTL" sim --injections 3000 --seed 5 --json
is "$rc" 0 "a clean run exits 0"
is "$(echo "$out" | keys)" \
	"injected,delivered,lost,duplicated,stalled,in_critical,deferred,notify_traps,max_delay_us" \
	"exactly the documented keys, in order"
is "$(echo "$out" | field injected)" 3000 "every injection was accepted"
is "$(echo "$out" | field delivered)" 3000 "every one delivered"
is "$(echo "$out" | field lost),$(echo "$out" | field duplicated),$(echo "$out" | field in_critical)" \
	"0,0,0" "none lost, duplicated or delivered inside a critical section"

run "$PVCTL" sim --vcpus 2 --injections 2000 --no-notify --json
is "$rc" 0 "--no-notify runs (stalls are its expected result, not a failure)"
is "$(echo "$out" | field notify_traps)" 0 "no doorbell traps without the page"

run "$PVCTL" sim --injections 500
is "$rc" 0 "text output"
echo "$out" | grep -q '^notify_traps: '
ok $? "text output lists the counters"

run "$PVCTL" sim --vcpus 0
is "$rc" 2 "--vcpus 0 is bad usage"
is "$err" "pvctl: --vcpus: '0' is not a number in 1..64" "the error quotes the value"
run "$PVCTL" sim --injections 12x
is "$err" "pvctl: --injections: '12x' is not a number in 1..4294967295" "a malformed number is refused"
run "$PVCTL" sim extra
is "$rc" 2 "a stray argument is bad usage"

run "$PVCTL" help sim
echo "$out" | grep -q -- '--no-notify'
ok $? "pvctl help sim lists the options"

done_testing
