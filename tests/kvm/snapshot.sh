#!/bin/sh
# Save a running VM inside a critical section with an interrupt deferred
# (and the notification page armed), restore it in a new process, and see
# the interrupt delivered; broken snapshot files are refused cleanly.
. "$(dirname "$0")/kvm-lib.sh"
plan 12

snap=$TMP/vm.snap
run "$PVVM" run --guest window --save-to "$snap" --save-at deferred --quiet
is "$rc" 0 "the window guest is saved with an interrupt deferred"
case $err in *"interrupts pending"*) r=0 ;; *) r=1 ;; esac
ok $r "pvvm says how many interrupts were pending"
pending=$(printf '%s' "$err" | sed -n 's/.* \([0-9]*\) interrupts pending.*/\1/p')

run "$PVVM" run --restore "$snap" --json
is "$rc" 0 "a new pvvm process restores and runs it"
is "$(json 'd["vcpus"][0]["negotiated"], d["vcpus"][0]["features"]')" "1.0 notify" \
	"with the negotiated ABI and features"
is "$(json 'd["vcpus"][0]["notify_traps"] >= 1')" "True" \
	"the armed notification page traps after the restore"
is "$(json 'd["vcpus"][0]["deferred"] >= 1 and '"${pending:-0}"' >= 1')" "True" \
	"and delivers what was deferred before the save"

run "$PVVM" run --trap --guest idle --save-to "$snap" --save-at exits:40 --quiet
is "$rc" 0 "a trapping guest is saved after 40 exits"
run "$PVVM" run --restore "$snap" --injections 50 --json
is "$(json 'd["injections"]["delivered"], d["injections"]["lost"]')" "50 0" \
	"restored, it takes 50 more interrupts"

head -c 4096 "$snap" >"$TMP/short.snap"
run "$PVVM" run --restore "$TMP/short.snap"
is "$rc" 2 "a truncated snapshot is refused as bad input"
case $err in *"truncated or oversized"*) r=0 ;; *) r=1 ;; esac
ok $r "saying so"
printf 'XVVMSNAP' | dd of="$snap" conv=notrunc 2>/dev/null
run "$PVVM" run --restore "$snap"
case $rc:$err in 2:*"bad magic"*) r=0 ;; *) r=1 ;; esac
ok $r "a file with the wrong magic is refused"
run "$PVVM" run --restore "$TMP/none.snap"
is "$rc" 2 "a missing file is bad input"
done_testing
