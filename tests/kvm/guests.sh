#!/bin/sh
# pvvm guests on real KVM: discovery, negotiation, the magic page, trapping.
. "$(dirname "$0")/kvm-lib.sh"
plan 17

run "$PVVM" run --json --quiet
is "$rc" 0 "the demo guest runs and exits 0"
is "$(json 'd["vcpus"][0]["negotiated"]')" "1.0" "it negotiates pvabi 1.0"
is "$(json 'd["vcpus"][0]["features"]')" "notify" "with the notification page"
is "$(json 'd["vcpus"][0]["pv_ops"] >= 2000')" "True" \
	"2000 and more privileged operations without an exit"
is "$(json 'd["vcpus"][0]["trapped_ops"]')" "0" "none of them trapped"

run "$PVVM" run
case $out in *"negotiated pvabi 1.0, features 0x1"*) r=0 ;; *) r=1 ;; esac
ok $r "the guest prints what it negotiated"
case $out in *"2002 without exiting"*) r=0 ;; *) r=1 ;; esac
ok $r "the guest prints how many operations did not exit"

run "$PVVM" run --trap --json --quiet
is "$(json 'd["vcpus"][0]["negotiated"]')" "none" "a trapping guest does not negotiate"
is "$(json 'd["vcpus"][0]["pv_ops"], d["vcpus"][0]["trapped_ops"] >= 2000')" \
	"0 True" "every one of its operations traps"

run "$PVVM" run --abi 2.0
case $out in *"negotiation refused: error 20; trapping instead"*) r=0 ;; *) r=1 ;; esac
ok $r "a host offering only 2.0 is refused by a 1.x guest, which traps"

run "$PVVM" run --features none --json --quiet
is "$(json 'd["vcpus"][0]["negotiated"], d["vcpus"][0]["features"] or "none"')" \
	"1.0 none" "a host without the notification page negotiates without it"

run "$PVVM" run --vcpus 3 --json --quiet
is "$(json '[v["negotiated"] for v in d["vcpus"]]')" "['1.0', '1.0', '1.0']" \
	"three vCPUs each negotiate their own pages"

run "$PVVM" run --guest measure --iterations 20 --quiet
is "$rc" 0 "the measuring guest runs"

run "$PVVM" run --arm readonly --guest idle --injections 200 --json --quiet
is "$(json 'd["injections"]["lost"], d["injections"]["dup"]')" "0 0" \
	"arming by a read-only slot delivers too"

run "$PVVM" run --vcpus 9
is "$rc" 2 "9 vCPUs is bad usage"
case $err in *"'9'"*) r=0 ;; *) r=1 ;; esac
ok $r "the error quotes the bad value"

run "$PVVM" run --guest nosuch
is "$rc" 2 "an unknown guest is bad usage"
done_testing
