#!/bin/bash
# pvctl abi: exact JSON, exit codes, one-line errors.
set -e
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
plan 22

run "$PVCTL" abi negotiate --host-versions 1.0,1.2,2.0 --host-features notify,booke \
	--guest-min 1.0 --guest-max 1.9 --guest-features notify --json
is "$out" '{"ok":true,"major":1,"minor":2,"features":["notify"]}' "negotiate picks 1.2 and the common features"
is "$rc" 0 "agreement exits 0"

run "$PVCTL" abi negotiate --host-versions 1.0,1.2,2.0 --guest-min 2.0 --guest-max 2.9 --json
is "$out" '{"ok":true,"major":2,"minor":0,"features":[]}' "negotiate picks the highest common major"

run "$PVCTL" abi negotiate --host-versions 1.0,1.2 --guest-min 2.0 --guest-max 2.9 --json
is "$rc" 1 "no common version exits 1"
is "$(echo "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["ok"], d["error"])')" \
	"False no-common-version" "refusal names its code"
is "$out" '{"ok":false,"error":"no-common-version","message":"guest range 2.0-2.9 and host offer 1.0,1.2 share no version"}' \
	"refusal JSON is exact"

run "$PVCTL" abi negotiate --host-versions 1.0 --host-features notify --guest-max 1.0 --guest-require booke --json
is "$rc" 1 "missing required feature exits 1"
is "$out" '{"ok":false,"error":"feature-missing","message":"guest requires feature(s) booke that the host does not offer"}' \
	"missing feature JSON is exact"

run "$PVCTL" abi negotiate --host-versions 1.0 --host-features notify --guest-max 1.0 \
	--guest-features notify --magic-gpa 0x10001 --notify-gpa 0x20000 --json
is "$rc" 1 "misaligned page address is refused"
is "$(echo "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["error"])')" bad-address "as bad-address"

run "$PVCTL" abi negotiate --host-versions 1.0 --guest-max 1.0 --magic-gpa 0x10000000000000 --json
is "$(echo "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["error"])')" reserved-bits \
	"address with reserved bits is refused"

run "$PVCTL" abi negotiate --host-versions 1.0 --guest-max 1.0
is "$out" "negotiated ABI 1.0, features: none" "text output"

run "$PVCTL" abi negotiate --host-versions 1.x --guest-max 1.0
is "$rc" 2 "bad version exits 2"
is "$err" "pvctl: --host-versions: '1.x' is not a version (want MAJOR.MINOR, e.g. 1.0)" \
	"bad version: one line quoting the value"

run "$PVCTL" abi negotiate --host-versions 1.0 --host-features notify,warp --guest-max 1.0
is "$rc:$err" "2:pvctl: --host-features: unknown feature 'warp' (see 'pvctl abi show')" \
	"unknown feature: exit 2, one line"

run "$PVCTL" abi negotiate --host-versions 1.0
is "$rc:$err" "2:pvctl: abi negotiate: --guest-max is required" "missing option: exit 2"

run "$PVCTL" abi frobnicate
is "$rc" 2 "unknown verb exits 2"

run "$PVCTL" abi show --json
is "$rc" 0 "abi show --json"
is "$(echo "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); f={x["name"]:x for x in d["fields"]}; print(d["page_size"], f["dlv.critical"]["offset"], f["dlv.critical"]["size"], [x["bit"] for x in d["features"] if x["name"]=="notify"][0])')" \
	"4096 128 8 0" "abi show lists fields and feature bits"

run "$PVCTL" --help
ok $(echo "$out" | grep -q '^  abi ' ; echo $?) "pvctl --help lists commands"
run "$PVCTL" help abi negotiate
ok $(echo "$out" | grep -q -- '--guest-require' ; echo $?) "pvctl help abi negotiate shows options"
run "$PVCTL"
is "$rc" 2 "pvctl without a command exits 2"
done_testing
