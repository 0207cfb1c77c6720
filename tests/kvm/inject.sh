#!/bin/sh
# Interrupts at random times from a host thread, on real KVM: every one
# delivered, once, in order, never inside a critical section unless the
# deferral bound forced it.
. "$(dirname "$0")/kvm-lib.sh"
plan 10

check() { # check DESCRIPTION N: the injection figures of the last run
	is "$rc" 0 "$1: pvvm exits 0"
	is "$(json 'd["injections"]["delivered"], d["injections"]["lost"], d["injections"]["dup"], d["injections"]["reordered"]')" \
		"$2 0 0 0" "$1: $2 delivered in order, 0 lost, 0 duplicated"
	is "$(json 'd["injections"]["in_critical"] <= sum(v["forced"] for v in d["vcpus"])')" \
		"True" "$1: none inside a critical section unless forced"
}

# No time bound and no rescue kicks: only the protocol itself (exits, the
# interrupt-enable trap, the doorbell) can deliver; what it misses is lost
# (no progress for 5 s).  How long each took is for the benchmark.
run "$PVVM" run --guest idle --injections 10000 --bound-ms 0 --no-rescue \
	--json --quiet
check "notification page, 10^4" 10000
is "$(json 'd["injections"]["in_critical"], d["vcpus"][0]["forced"]')" "0 0" \
	"notification page, 10^4: none forced, none inside a critical section"
run "$PVVM" run --guest idle --trap --injections 2000 --json --quiet
check "trapping guest" 2000
run "$PVVM" run --guest busy --vcpus 2 --injections 2000 --json --quiet
check "two busy vCPUs" 2000
done_testing
