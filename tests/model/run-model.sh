#!/bin/bash
# The spin model of the delivery protocol: it must pass with the
# notification page, fail without it with the seed's interleaving as the
# counterexample, and Graf's write-protect alternative must pass too.
# The trap counts per deferral come from the model, not from this script.
set -euo pipefail
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

SPIN=${SPIN:-spin}
if [ "$SPIN" = no ] || ! command -v "$SPIN" >/dev/null; then
	skip_all "spin not found"
fi
CC=${CC:-cc}
model="$top_srcdir/tests/model/delivery.pml"

plan 18

# verify NAME MODE [-Dmacro...]: MODE is safety or live.  Sets $errors,
# prints the verdict, the states explored and the time as TAP comments.
verify() {
	local name=$1 mode=$2 dir="$TMP/$1"
	shift 2
	mkdir -p "$dir"
	cp "$model" "$dir/delivery.pml"
	local t0 t1
	t0=$(date +%s%N)
	if [ "$mode" = safety ]; then
		(cd "$dir" && "$SPIN" -a "$@" delivery.pml >spin.out &&
			$CC -O0 -w -DSAFETY -o pan pan.c &&
			./pan -m100000 >pan.out) || true
	else
		(cd "$dir" && "$SPIN" -a -DLIVE -DLAG=200 "$@" delivery.pml \
			>spin.out && $CC -O0 -w -o pan pan.c &&
			./pan -a -f -m100000 >pan.out) || true
	fi
	t1=$(date +%s%N)
	errors=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' "$dir/pan.out")
	: "${errors:=missing}"
	echo "# $name ($mode $*): errors $errors," \
		"$(sed -n 's/^ *\([0-9]*\) states, stored.*/\1/p' "$dir/pan.out") states," \
		"$(( (t1 - t0) / 1000000 )) ms"
}

verify notify safety
is "$errors" 0 "with the notification page: safe (no delivery in a critical section or with EE off, in order, once, within LAG steps)"
verify notify-3 safety -DMAXINJ=3
is "$errors" 0 "the same with three injections"
verify notify live
is "$errors" 0 "with the notification page: every injected vector is delivered (weak fairness)"

verify no-notify safety -DNO_NOTIFY
is "$errors" 1 "without the notification page: the delivery bound is violated"
rc=0; grep -q 'assertion violated (lag<=2)' "$TMP/no-notify/pan.out" || rc=1
ok $rc "... by the LAG assertion"
verify no-notify-live live -DNO_NOTIFY
is "$errors" 1 "without the notification page: an injected vector is never delivered"
rc=0; grep -q 'acceptance cycle' "$TMP/no-notify-live/pan.out" || rc=1
ok $rc "... an acceptance cycle of the liveness claim"

# The counterexample must be the seed's interleaving.  Replay it.
(cd "$TMP/no-notify-live" && "$SPIN" -t -p -DLIVE -DLAG=200 -DNO_NOTIFY \
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
rc=0; printf '%s\n' "$seq" | grep -q '^check 0$' || rc=1
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

verify graf safety -DGRAF
is "$errors" 0 "Graf's write-protected magic page: safe"
verify graf-live live -DGRAF
is "$errors" 0 "Graf's write-protected magic page: live"

# A guest that holds critical for ever: only the deferral bound saves the
# interrupt, and it does.
verify hostile safety -DHOSTILE
is "$errors" 0 "hostile guest: no unforced delivery in a critical section"
verify hostile-live live -DHOSTILE
is "$errors" 0 "hostile guest: every vector is still delivered (the bound forces it)"
verify hostile-nobound live -DHOSTILE -DNO_BOUND
is "$errors" 1 "hostile guest without the bound: a vector is never delivered"

# The most traps one deferral episode takes, from the model: the bound N
# holds (TRAP_LIMIT=N verifies) and N-1 does not.
exact_max() { # exact_max N [-D...]
	local n=$1 a b
	shift
	verify "traps-le-$n$*" safety -DTRAP_LIMIT="$n" "$@"
	a=$errors
	verify "traps-le-$((n - 1))$*" safety -DTRAP_LIMIT=$((n - 1)) "$@"
	b=$errors
	[ "$a" = 0 ] && [ "$b" = 1 ]
}
rc=0; exact_max 1 || rc=1
ok $rc "notification page: at most one trap per deferral, and one is taken"
# After enter, the template stores r31, r30, msr, irq_enabled and
# critical = r2: with the whole page write-protected, each store traps.
rc=0; exact_max 5 -DGRAF || rc=1
ok $rc "Graf: up to five traps per deferral (every store to the page until leave)"

done_testing
