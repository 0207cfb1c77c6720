#!/bin/bash
# pvctl kmod: a clear refusal (exit 3) when pvabi.ko is not loaded, usage
# errors (exit 2) and help.  The module itself is tested in a real kernel
# by tests/kmod/run-in-qemu, never loaded into this machine's kernel.
set -e
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
[ -d /sys/module/pvabi ] && skip_all "pvabi.ko is loaded on this machine"
plan 19

run "$PVCTL" kmod status
is "$rc" 3 "status without the module exits 3"
is "$out" "" "and prints nothing on stdout"
is "$err" "pvctl: kernel module pvabi is not loaded (no generic netlink family \"pvabi\"; try 'modprobe pvabi')" \
	"and says why in one line"

run "$PVCTL" kmod status --json
is "$rc" 3 "status --json without the module exits 3"
is "$out" '{"ok":false,"error":"module-unavailable","message":"kernel module pvabi is not loaded (no generic netlink family \"pvabi\"; try '"'modprobe pvabi'"')","loaded":false}' "and says so in JSON"

run "$PVCTL" kmod status --vm 0
is "$rc" 2 "VM id 0 is bad usage"
is "$err" "pvctl: kmod status: bad VM id '0'" "quoting the bad value"

run "$PVCTL" kmod status extra
is "$rc" 2 "a stray argument is bad usage"

run "$PVCTL" kmod policy --vm 3 --features notify
is "$rc" 3 "policy without the module exits 3"
run "$PVCTL" kmod policy --vm 3 --features bogus
is "$err" "pvctl: --features: unknown feature 'bogus' (see 'pvctl abi show')" \
	"policy quotes an unknown feature (exit $rc)"
run "$PVCTL" kmod policy --vm 3 --defer-us 5
is "$err" "pvctl: --defer-us: bad value '5' (10..1000000)" "policy quotes a bound out of range"
run "$PVCTL" kmod policy --vm 3 --patch-mode x
is "$rc" 2 "policy refuses an unknown patch mode"
run "$PVCTL" kmod policy --vm 3
is "$err" "pvctl: kmod policy: nothing to change" "policy with nothing to change is bad usage"
run "$PVCTL" kmod inject --vm 1 --vcpu 64
is "$err" "pvctl: --vcpu: bad value '64' (0..63)" "inject quotes a vCPU index out of range"
run "$PVCTL" kmod inject --vm 1 --vcpu 0 --count 0
is "$rc$err" "2pvctl: --count: bad value '0' (1..10000000)" "inject --count 0 is bad usage"
run "$PVCTL" kmod inject --vm 1 --vcpu 0 --vector 4294967290 --count 7
is "$rc$err" "2pvctl: kmod inject: --vector 4294967290 --count 7 runs past 4294967295" "inject --count may not run past the last vector"
run "$PVCTL" kmod inject --vm 1 --vcpu 0 --json
is "$rc$out" '3{"ok":false,"error":"module-unavailable","message":"kernel module pvabi is not loaded (no generic netlink family \"pvabi\"; try '"'modprobe pvabi'"')","loaded":false}' "inject without the module exits 3"

run "$PVCTL" help kmod policy
ok $(echo "$out" | grep -q -- '--defer-us' && echo 0 || echo 1) "help kmod policy lists --defer-us"
run "$PVCTL" help kmod status
ok $(echo "$out" | grep -q -- '--json' && echo 0 || echo 1) "help kmod status lists --json"
done_testing
