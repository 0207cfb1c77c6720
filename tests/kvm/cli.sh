#!/bin/sh
# pvvm's dispatch and exit codes, which need no KVM: pvctl's table shape
# ('pvvm help NAME' and 'pvvm NAME --help' say the same) and pvctl's codes
# (2 bad usage, 3 no usable KVM).
. "$(dirname "$0")/../lib.sh"
PVVM=${PVVM:-$top_builddir/tools/pvvm/pvvm}
[ -x "$PVVM" ] || skip_all "pvvm not built (it needs an x86-64 Linux host)"
plan 12

run "$PVVM"
is "$rc" 2 "no command: exit 2"
ok $(printf '%s' "$err" | grep -q '^Usage: pvvm <command>'; echo $?) "no command: the usage on stderr"

run "$PVVM" --help
is "$rc" 0 "--help: exit 0"
is "$(printf '%s\n' "$out" | sed -n 's/^  \([a-z]*\) .*/\1/p' | tr '\n' ' ')" "run bench hostile help " \
	"--help lists the commands"
ok $(grep -q 'Exit status: 0 ok, 1 failed, 2 bad usage, 3 no usable KVM\.' <<<"$out"; echo $?) \
	"--help names pvctl's exit codes"

run "$PVVM" help run
ok $([ "$rc" = 0 ] && printf '%s\n' "$out" | head -n 1 | grep -q '^Usage: pvvm run \['; echo $?) \
	"help run: exit 0, the usage first"
help=$out
run "$PVVM" run --quiet --help
is "$rc:$out" "0:$help" "run --help prints what 'help run' does"

run "$PVVM" frob
is "$rc:$err" "2:pvvm: 'frob' is not a command; see 'pvvm help'" "an unknown command: exit 2, one line"
run "$PVVM" help frob
is "$rc:$err" "2:pvvm: 'frob' is not a command; see 'pvvm help'" "help for an unknown command: exit 2"
run "$PVVM" run --vcpus 9
is "$rc" 2 "a value out of range: exit 2 before KVM is opened"

# Exit 3 needs a host without KVM; where /dev/kvm opens, tests/kvm/guests.sh
# runs the guest instead.
if [ -e /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ] && (: <>/dev/kvm) 2>/dev/null; then
	echo "ok $((_n += 1)) # SKIP /dev/kvm opens here: no exit 3 to see"
	echo "ok $((_n += 1)) # SKIP /dev/kvm opens here: no exit 3 to see"
else
	run "$PVVM" run --quiet
	ok $([ "$rc" = 3 ] && printf '%s' "$err" | grep -q '/dev/kvm'; echo $?) \
		"run without a usable KVM: exit 3, naming /dev/kvm ($err)"
	run "$PVVM" hostile --guest busy --injections 1
	is "$rc" 3 "hostile without a usable KVM: exit 3"
fi
done_testing
