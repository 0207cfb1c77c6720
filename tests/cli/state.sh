#!/bin/bash
# pvctl state: show, convert between stream versions, check against an
# offer, and every broken stream refused with its reason.
set -e
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
data="$top_srcdir/tests/data/state"
nbad=$(grep -vc '^#' "$data/bad/expected.tsv")
plan $((19 + 2 * nbad))

run "$PVCTL" state show "$data/v2-be.pvstate"
is "$rc:$(printf '%s\n' "$out" | sed -n 1,3p)" "0:stream version 2, big endian, 2 vCPUs, 1664 bytes
vCPU 0: ABI 1.0, features notify,sprg4-7, page big endian
  delivery: deferred, notification page armed, pending 0x500,0x900" "show: header and vCPU 0"
ok $(printf '%s\n' "$out" | grep -qx '  deferral bound: running for 3 exits, 250000 ns'; echo $?) "show: v2 deferral bound"

run "$PVCTL" state show "$data/v1-le.pvstate" --json
is "$out" '{"version":1,"byte_order":"little","bytes":1616,"vcpus":[{"vcpu":0,"abi":"1.0","features":["notify","sprg4-7"],"page_byte_order":"big","deferred":true,"notify_armed":true,"pending":[1280,2304],"counters":{"delivered":41,"deferred":7,"notify_traps":6,"forced":1,"injected":45,"coalesced":2,"refused":0,"masked":5,"kicks":30,"exits":900},"page":{"critical":13835058055307329168,"int_pending":1,"irq_enabled":1,"msr":9223372036854812722}},{"vcpu":1,"abi":"1.0","features":["notify"],"page_byte_order":"big","deferred":false,"notify_armed":false,"pending":[],"counters":{"delivered":1000,"deferred":3,"notify_traps":3,"forced":0,"injected":1000,"coalesced":0,"refused":1,"masked":12,"kicks":700,"exits":5000},"page":{"critical":0,"int_pending":0,"irq_enabled":1,"msr":9223372036854812722}}]}' "show --json of the v1 golden"

# v2 -> v1 is the v1 golden, byte for byte; v1 -> v2 keeps all but the bound.
run "$PVCTL" state convert --to-version 1 --byte-order little "$data/v2-be.pvstate" "$TMP/v1.pvstate"
is "$rc:$(printf '%s\n' "$out" | tail -1)" "0:dropped the deferral-bound counters of 2 vCPUs (v2 only; restart at load)" "convert 2 -> 1 says what it dropped"
ok $(cmp -s "$TMP/v1.pvstate" "$data/v1-le.pvstate"; echo $?) "convert 2 -> 1 gives the v1 golden"
run "$PVCTL" state convert --to-version 2 --byte-order big "$TMP/v1.pvstate" "$TMP/v2.pvstate" --json
is "$out" '{"ok":true,"version":2,"byte_order":"big","bytes":1616,"dropped_defer_bound":0}' "convert 1 -> 2 --json"
"$PVCTL" state show --json "$data/v2-be.pvstate" | sed 's/,"defer_bound":{[^}]*}//g; s/"version":2,"byte_order":"big","bytes":1664/V/' > "$TMP/a.json"
"$PVCTL" state show --json "$TMP/v2.pvstate" | sed 's/"version":2,"byte_order":"big","bytes":1616/V/' > "$TMP/b.json"
ok $(cmp -s "$TMP/a.json" "$TMP/b.json"; echo $?) "2 -> 1 -> 2 keeps every field v1 has"
run "$PVCTL" state convert --to-version 2 "$data/v2-be.pvstate" "$TMP/same.pvstate"
ok $(cmp -s "$TMP/same.pvstate" "$data/v2-be.pvstate"; echo $?) "load -> save is byte-identical"

# A 1.1 guest fits v2 only.
run "$PVCTL" state convert --to-version 1 "$data/v2-abi-1.1.pvstate" "$TMP/no.pvstate"
is "$rc:$err" "1:pvctl: $data/v2-abi-1.1.pvstate: refused: vCPU 1 negotiated ABI 1.1; stream v1 carries ABI 1.0 only" "ABI 1.1 does not fit v1"
ok $([ ! -e "$TMP/no.pvstate" ]; echo $?) "nothing written when refused"
run "$PVCTL" state convert --to-version 1 --json "$data/v2-abi-1.1.pvstate" "$TMP/no.pvstate"
is "$rc:$out" '1:{"ok":false,"error":"unsupported","message":"'"$data"'/v2-abi-1.1.pvstate: refused: vCPU 1 negotiated ABI 1.1; stream v1 carries ABI 1.0 only"}' "refusal --json"

# Would it load on that host?  The negotiation's own reasons.
"$PVCTL" dt write --host-versions 1.0 --host-features notify -o "$TMP/notify.dtb"
"$PVCTL" dt write --host-versions 1.0 --host-features all -o "$TMP/all.dtb"
"$PVCTL" dt write --host-versions 1.2 --host-features all -o "$TMP/v12.dtb"
run "$PVCTL" state check "$data/v2-be.pvstate" --to-offer "$TMP/all.dtb"
is "$rc:$out" "0:would load: all 2 vCPUs fit the offer" "check: fits"
run "$PVCTL" state check "$data/v2-be.pvstate" --to-offer "$TMP/notify.dtb"
is "$rc:$err" "1:pvctl: would not load: vCPU 0: guest requires feature(s) sprg4-7 that the host does not offer" "check: feature missing"
run "$PVCTL" state check "$data/v2-abi-1.1.pvstate" --to-offer "$TMP/all.dtb" --json
is "$rc:$out" '1:{"ok":false,"error":"no-common-version","message":"would not load: vCPU 1: guest range 1.1-1.1 and host offer 1.0 share no version","vcpus":2,"vcpu":1}' "check: version missing"
run "$PVCTL" state check "$data/v2-abi-1.1.pvstate" --to-offer "$TMP/v12.dtb" --json
is "$rc:$out" '0:{"ok":true,"vcpus":2}' "check: 1.2 offer covers 1.1"

# Bad usage and bad input exit 2 with one line.
run "$PVCTL" state convert "$data/v2-be.pvstate" "$TMP/x"
is "$rc" 2 "convert without --to-version"
run "$PVCTL" state convert --to-version 3 "$data/v2-be.pvstate" "$TMP/x"
is "$rc:$err" "2:pvctl: --to-version: '3' is not a stream version this build writes (1 to 2)" "convert to version 3"
run "$PVCTL" state convert --to-version 2 --byte-order middle "$data/v2-be.pvstate" "$TMP/x"
is "$rc" 2 "bad --byte-order"
run "$PVCTL" state show "$TMP/missing.pvstate"
is "$rc" 2 "missing file"

while IFS=$'\t' read -r file errname reason; do
	case "$file" in '#'*|'') continue ;; esac
	run "$PVCTL" state show "$data/bad/$file"
	is "$rc" 2 "$file: exit 2"
	case "$err" in
	"pvctl: $data/bad/$file: "*"$reason"*) r=0 ;;
	*) r=1; echo "# got: $err" ;;
	esac
	ok $((r + $(printf '%s\n' "$err" | wc -l) - 1)) "$file: one line with the reason"
done < "$data/bad/expected.tsv"
done_testing
