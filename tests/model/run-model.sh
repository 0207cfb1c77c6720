#!/bin/bash
# The spin model of the delivery protocol (tests/model/delivery.pml): the
# machine that runs -- remote decisions and the unmap's window, a second
# guest context with the nesting rule, x86-TSO and PowerPC store buffers,
# one vector per round -- must pass, safety and liveness, under both
# "inside" predicates; each seeded bug must make spin report a violation;
# without the notification page the counterexample is the seed's.
# Exhaustive search everywhere (no COLLAPSE, no BITSTATE): the largest
# state space, PowerPC's, is about a million states.
set -euo pipefail
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

SPIN=${SPIN:-spin}
if [ "$SPIN" = no ] || ! command -v "$SPIN" >/dev/null; then
	skip_all "spin not found"
fi
CC=${CC:-cc}
model="$top_srcdir/tests/model/delivery.pml"

plan 35

# verify NAME MODE [-Dmacro...]: MODE is safety or live.  Sets $errors and
# $states and prints the verdict and the time as a TAP comment.
verify() {
	local name=$1 mode=$2 dir="$TMP/$1"
	shift 2
	mkdir -p "$dir"
	cp "$model" "$dir/delivery.pml"
	local t0 t1
	t0=$(date +%s%N)
	# -E: a guest waiting for an interrupt that never comes is a valid
	# end state; that it never comes is what the assertions and the
	# liveness claim judge.
	if [ "$mode" = safety ]; then
		(cd "$dir" && "$SPIN" -a "$@" delivery.pml >spin.out &&
			$CC -O0 -w -DSAFETY -o pan pan.c &&
			./pan -E -m1000000 >pan.out) || true
	else
		(cd "$dir" && "$SPIN" -a -DLIVE -DLAG=200 "$@" delivery.pml \
			>spin.out && $CC -O0 -w -o pan pan.c &&
			./pan -E -a -f -m1000000 >pan.out) || true
	fi
	t1=$(date +%s%N)
	errors=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' "$dir/pan.out")
	: "${errors:=missing}"
	states=$(sed -n 's/^ *\([0-9]*\) states, stored.*/\1/p' "$dir/pan.out")
	: "${states:=0}"
	echo "# $name ($mode $*): errors $errors, $states states," \
		"$(((t1 - t0) / 1000000)) ms"
}

# The clean model: every memory model, both predicates.
sum_safe=0 sum_live=0 bad_safe=0 bad_live=0
for mem in 0:sc 1:tso 2:ppc; do
	for pred in 0:sp 1:memory; do
		name=${mem#*:}-${pred#*:}
		verify "$name" safety -DMEM="${mem%%:*}" -DPRED="${pred%%:*}"
		is "$errors" 0 "$name: safe (no delivery in a section or with EE off, once, in order, nothing stranded, drain within its rounds)"
		sum_safe=$((sum_safe + states))
		[ "$errors" = 0 ] || bad_safe=1
		# Liveness under PowerPC takes a minute of CPU; its safety
		# run already asserts that no vector is ever stranded.
		[ "${mem#*:}" = ppc ] && continue
		verify "$name-live" live -DMEM="${mem%%:*}" -DPRED="${pred%%:*}"
		is "$errors" 0 "$name: every injected vector is delivered (weak fairness)"
		sum_live=$((sum_live + states))
		[ "$errors" = 0 ] || bad_live=1
	done
done
echo "model: clean safety $([ $bad_safe = 0 ] && echo ok || echo FAIL) states $sum_safe"
echo "model: clean liveness $([ $bad_live = 0 ] && echo ok || echo FAIL) states $sum_live"

# mutation NAME MODE -D...: a seeded bug; spin must report a violation.
mutation() {
	local name=$1
	verify "mut-$name" "${@:2}"
	if [ "$errors" != missing ] && [ "$errors" -gt 0 ]; then
		echo "model: mutation $name caught errors $errors states $states"
	else
		echo "model: mutation $name MISSED errors $errors states $states"
	fi
	ok "$([ "$errors" != missing ] && [ "$errors" -gt 0 ] && echo 0 || echo 1)" \
		"mutation $name: caught"
}
mutation no-recheck-after-arm safety -DNO_RECHECK
mutation memory-predicate-no-nesting safety -DPRED=1 -DNO_NEST
mutation handler-template-no-nesting safety -DPRED=0 -DNO_NEST
mutation handler-clears-critical safety -DPRED=1 -DNO_RESTORE
mutation no-guest-fence safety -DMEM=1 -DNO_GUEST_FENCE
mutation no-guest-fence-ppc safety -DMEM=2 -DNO_GUEST_FENCE
mutation lwsync-for-sync safety -DMEM=2 -DLWSYNC_FOR_SYNC
mutation no-lwsync safety -DMEM=2 -DNO_LWSYNC
mutation no-host-fence safety -DMEM=1 -DNO_HOST_FENCE
mutation no-notify safety -DNO_NOTIFY
mutation no-bound live -DHOSTILE -DNO_BOUND -DMAXEXC=0
mutation one-round safety -DROUNDS1

# Why pvvm's guest ran without the fence: a host that decides only at
# stops of the vCPU (pvvm on KVM) never reads the page past a guest store
# buffer.  pvabi.ko decides on the injecting CPU, so the ABI keeps it.
verify stop-only-no-fence safety -DMEM=1 -DSTOP_ONLY -DNO_GUEST_FENCE
is "$errors" 0 "decisions only at stops, TSO, no guest fence: safe"

# The seed's counterexample: its host (decisions at exits), its guest (no
# exceptions), no notification page.  Replay the liveness trail.
seed="-DSTOP_ONLY -DMAXEXC=0 -DNO_NOTIFY"
# shellcheck disable=SC2086
verify no-notify-live live $seed
is "$errors" 1 "without the notification page: an injected vector is never delivered"
rc=0; grep -q 'acceptance cycle' "$TMP/no-notify-live/pan.out" || rc=1
ok $rc "... an acceptance cycle of the liveness claim"
# shellcheck disable=SC2086
(cd "$TMP/no-notify-live" && "$SPIN" -t -p -DLIVE -DLAG=200 $seed \
	delivery.pml >trail.txt 2>&1) || true
ev=$(sed -n 's/^ *EV //p; /START OF CYCLE/s/.*/CYCLE/p' \
	"$TMP/no-notify-live/trail.txt")
# From the last guest "enter" before the fatal injection to the cycle.
seq=$(printf '%s\n' "$ev" | awk '
	/^enter/ { buf = "" }
	{ buf = buf $0 "\n" }
	/^defer/ { found = 1 }
	found && /^CYCLE/ { printf "%s", buf; exit }')
echo "$seq" | sed 's/^/#   /'
rc=0; grep -qx 'check 0' <<<"$seq" || rc=1
ok $rc "trail: the template read int_pending == 0"
stranded=$(printf '%s\n' "$seq" | awk '
	/^check 0/ { c = 1 } c && /^inject/ { i = 1 } i && /^exit/ { e = 1 }
	e && /^defer/ { d = 1 } d && /^leave/ { l = 1 }
	l && /^doorbell 0/ { b = 1 } b && /^idle/ { z = 1 }
	z && /^CYCLE/ { print "yes" }')
is "$stranded" yes "trail: inject, exit, defer after that read and before leave; doorbell unarmed; then idle"
late=$(printf '%s\n' "$seq" | awk '/^inject/,0' | grep -c '^deliver' || true)
is "$late" 0 "trail: nothing is delivered after the injection"
tail_ev=$(printf '%s\n' "$seq" | grep -v '^CYCLE' | tail -n 1)
is "$tail_ev" idle "trail: the guest's last step is going idle; the cycle is it idling forever"

simple="-DSTOP_ONLY -DMAXEXC=0"
# shellcheck disable=SC2086
verify graf safety -DGRAF $simple
is "$errors" 0 "Graf's write-protected magic page: safe"
# shellcheck disable=SC2086
verify graf-live live -DGRAF $simple
is "$errors" 0 "Graf's write-protected magic page: live"

# A guest that holds critical for ever: only the deferral bound saves the
# interrupt, and it does.
verify hostile safety -DHOSTILE -DMAXEXC=0
is "$errors" 0 "hostile guest: no unforced delivery in a critical section"
verify hostile-live live -DHOSTILE -DMAXEXC=0
is "$errors" 0 "hostile guest: every vector is still delivered (the bound forces it)"

# The most traps one deferral episode takes, for the guest of section 5
# of docs/delivery.md (no exceptions): the bound N holds (TRAP_LIMIT=N
# verifies) and N-1 does not.
exact_max() { # exact_max N [-D...]
	local n=$1 a b
	shift
	verify "traps-le-$n$*" safety -DTRAP_LIMIT="$n" "$@"
	a=$errors
	verify "traps-le-$((n - 1))$*" safety -DTRAP_LIMIT=$((n - 1)) "$@"
	b=$errors
	[ "$a" = 0 ] && [ "$b" = 1 ]
}
rc=0
# shellcheck disable=SC2086
exact_max 1 $simple || rc=1
ok $rc "notification page: at most one trap per deferral, and one is taken"
# After enter, the template stores r31, r30, msr, irq_enabled and
# critical = r2: with the whole page write-protected, each store traps.
rc=0
# shellcheck disable=SC2086
exact_max 5 -DGRAF $simple || rc=1
ok $rc "Graf: up to five traps per deferral (every store to the page until leave)"

done_testing
