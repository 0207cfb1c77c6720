#!/bin/bash
# pvctl dt: round trip through dtc, and every broken blob refused cleanly.
set -e
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
[ -x "${DTC:-}" ] || DTC=$(command -v dtc || true)
[ -x "$DTC" ] || skip_all "dtc not found (apt-get install device-tree-compiler)"
bad="$top_srcdir/tests/data/bad-dtb"
nbad=$(ls "$bad"/*.dts | wc -l)
plan $((9 + 2 * nbad + 6))

run "$PVCTL" dt write --host-versions 1.0,1.2,2.0 --host-features notify,segregs --min-version 1.0 -o "$TMP/offer.dtb"
is "$rc" 0 "dt write"
run "$PVCTL" dt read "$TMP/offer.dtb" --json
is "$out" '{"versions":["1.0","1.2","2.0"],"min_version":"1.0","features":["notify","segregs"]}' "dt read --json"

# Through dtc and back: the node is plain ePAPR device-tree source.
"$DTC" -q -I dtb -O dts -o "$TMP/offer.dts" "$TMP/offer.dtb"
# dtc prints a string list either as "a", "b" or as "a\0b".
ok $(grep -Eq 'compatible = "pvabi,hypervisor-1(\\0|", ")epapr,hypervisor-1";' "$TMP/offer.dts"; echo $?) "dts has the ePAPR compatible"
ok $(grep -q 'pvabi,versions = <0x01 0x00 0x01 0x02 0x02 0x00>;' "$TMP/offer.dts"; echo $?) "dts has the version pairs"
ok $(grep -q 'hcall-instructions' "$TMP/offer.dts"; echo $?) "dts has hcall-instructions"
"$DTC" -q -I dts -O dtb -o "$TMP/again.dtb" "$TMP/offer.dts"
run "$PVCTL" dt read "$TMP/again.dtb" --json
is "$out" '{"versions":["1.0","1.2","2.0"],"min_version":"1.0","features":["notify","segregs"]}' "dtc round trip keeps the offer"

run "$PVCTL" dt read "$TMP/offer.dtb"
is "$out" "versions: 1.0,1.2,2.0
min-version: 1.0
features: notify,segregs" "dt read text"

# The offer in a tree made by dtc drives negotiation.
run "$PVCTL" abi negotiate --host-dtb "$TMP/again.dtb" --guest-max 1.9 --guest-features notify,booke --json
is "$out" '{"ok":true,"major":1,"minor":2,"features":["notify"]}' "negotiate from a dtb"
run "$PVCTL" abi negotiate --host-dtb "$TMP/again.dtb" --host-versions 1.0 --guest-max 1.9
is "$rc" 2 "--host-dtb with --host-versions is bad usage"

# Each broken source compiles with dtc but must be refused with one line.
for dts in "$bad"/*.dts; do
	name=$(basename "$dts" .dts)
	"$DTC" -q -I dts -O dtb -o "$TMP/$name.dtb" "$dts"
	run "$PVCTL" dt read "$TMP/$name.dtb"
	is "$rc" 2 "$name: exit 2"
	is "$(printf '%s\n' "$err" | wc -l):$(printf '%s' "$err" | grep -c "^pvctl: .*$name.dtb: ")" "1:1" "$name: one clear line ($err)"
done

# Byte-level damage: truncated, bad magic, empty, not a file.
head -c 100 "$TMP/offer.dtb" > "$TMP/trunc.dtb"
run "$PVCTL" dt read "$TMP/trunc.dtb"
is "$rc:$err" "2:pvctl: $TMP/trunc.dtb: header says $(stat -c %s "$TMP/offer.dtb") bytes but the blob has 100" "truncated blob"
printf 'not a device tree at all, just text padding padding' > "$TMP/text.dtb"
run "$PVCTL" dt read "$TMP/text.dtb"
is "$rc" 2 "text file refused"
ok $(printf '%s' "$err" | grep -q 'not a flattened device tree'; echo $?) "bad magic named"
: > "$TMP/empty.dtb"
run "$PVCTL" dt read "$TMP/empty.dtb"
is "$rc:$err" "2:pvctl: $TMP/empty.dtb: blob of 0 bytes is shorter than a device-tree header" "empty blob"
run "$PVCTL" dt read "$TMP/missing.dtb"
is "$rc" 2 "missing file exits 2"
python3 - "$TMP/offer.dtb" "$TMP/size.dtb" <<'PY'
import sys, struct
b = bytearray(open(sys.argv[1], 'rb').read())
struct.pack_into('>I', b, 12, 0xfffffff0)   # off_mem_rsvmap far outside the blob
open(sys.argv[2], 'wb').write(b)
PY
run "$PVCTL" dt read "$TMP/size.dtb"
is "$rc" 2 "out-of-range block offset refused"
done_testing
