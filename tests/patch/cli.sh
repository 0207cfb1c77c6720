#!/bin/bash
# pvctl patch scan | apply: exact JSON, policy refusals, exit codes, the
# progress bar only on a terminal.
set -e
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
plan 33

# words WORD... : raw big-endian code
words() { for w; do printf "\\x${w:0:2}\\x${w:2:2}\\x${w:4:2}\\x${w:6:2}"; done; }
count() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(" ".join("%s=%d" % (k, v) for k, v in d["by_insn"].items() if v))'; }

# mfmsr r3; nop; mtsprg 0,r4; mtmsr r3; blr
words 7c6000a6 60000000 7c9043a6 7c600124 4e800020 >"$TMP/code.bin"

run "$PVCTL" patch scan "$TMP/code.bin" --arch ppc32 --base 0x1000 --json
is "$rc" 0 "scan of raw ppc32 code"
is "$(echo "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["arch"], d["bytes"], d["sites"])')" \
	"ppc32 20 3" "scan JSON: arch, bytes, sites"
is "$(echo "$out" | count)" "mfmsr=1 mtmsr=1 mtsprg0=1" "scan JSON: by_insn"

run "$PVCTL" patch scan "$TMP/code.bin" --arch ppc64le --json
is "$(echo "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["sites"])')" 0 \
	"the same bytes read little-endian hold no site"

run "$PVCTL" patch scan "$TMP/code.bin"
is "$rc" 2 "raw code without --arch is bad usage"
is "$err" "pvctl: $TMP/code.bin: not an ELF file; raw code needs --arch" "and says so"
run "$PVCTL" patch scan "$TMP/code.bin" --arch ppc128
is "$err" "pvctl: --arch: 'ppc128' is not ppc32, ppc64 or ppc64le" "bad --arch is quoted"

run "$PVCTL" patch scan --json "$top_srcdir/tests/fuzz/corpus/patch/elf-ppc64le.o"
is "$(echo "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["arch"], d["sites"])')" \
	"ppc64le 5" "an ELF file says its arch"

printf 'classes=sprg,srr\n' >"$TMP/sprg.policy"
run "$PVCTL" patch apply "$TMP/code.bin" --arch ppc32 --base 0x1000 \
	--policy "$TMP/sprg.policy" -o "$TMP/out.bin" --json
is "$rc" 0 "apply with a class policy"
is "$out" '{"patched":1,"skipped":[{"addr":"0x1000","insn":"mfmsr","reason":"class"},{"addr":"0x100c","insn":"mtmsr","reason":"class"}]}' \
	"apply JSON: one patched, two skipped with their reason"
run "$PVCTL" patch scan "$TMP/out.bin" --arch ppc32 --base 0x1000 --json
is "$(echo "$out" | count)" "mfmsr=1 mtmsr=1" \
	"the patched file: mtsprg0 is gone (its template is one store)"
run "$PVCTL" patch apply "$TMP/code.bin" --arch ppc32 --base 0x1000 --full-templates \
	--policy "$TMP/sprg.policy" -o "$TMP/out.bin" --json
run "$PVCTL" patch scan "$TMP/out.bin" --arch ppc32 --base 0x1000 --json
is "$(echo "$out" | count)" "mfmsr=1 mtmsr=1 mtsprg0=1" \
	"--full-templates: mtsprg0 is left only in its template's fall-back"

printf 'exclude=0x1000-0x1004\nmax-sites=1\n' >"$TMP/cap.policy"
run "$PVCTL" patch apply "$TMP/code.bin" --arch ppc32 --base 0x1000 \
	--policy "$TMP/cap.policy" -o "$TMP/out.bin" --json
is "$(echo "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["patched"], [s["reason"] for s in d["skipped"]])')" \
	"1 ['excluded', 'max-sites']" "excluded range and cap"

printf 'mode=guest\nmode=hots\n' >"$TMP/bad.policy"
run "$PVCTL" patch apply "$TMP/code.bin" --arch ppc32 --policy "$TMP/bad.policy" -o "$TMP/out.bin"
is "$rc" 2 "a bad policy is bad input"
is "$err" "pvctl: $TMP/bad.policy: line 2 'mode=hots': mode given twice" \
	"the error quotes the line"

printf 'mode=off\n' >"$TMP/off.policy"
run "$PVCTL" patch apply "$TMP/code.bin" --arch ppc32 --policy "$TMP/off.policy" -o "$TMP/out.bin"
is "$rc" 1 "mode=off refuses"
is "$err" "pvctl: patch apply: policy mode 'off' forbids patching by the guest" "with the reason"

printf 'mode=host\n' >"$TMP/host.policy"
run "$PVCTL" patch apply "$TMP/code.bin" --arch ppc32 --policy "$TMP/host.policy" --by host -o "$TMP/out.bin"
is "$rc" 1 "the host patches only a guest that negotiated host-patch"
run "$PVCTL" patch apply "$TMP/code.bin" --arch ppc32 --policy "$TMP/host.policy" --by host \
	--features notify,host-patch,sprg4-7 -o "$TMP/out.bin" --json
is "$out" '{"patched":3,"skipped":[]}' "... and does when it did"

run "$PVCTL" patch apply "$TMP/code.bin" --arch ppc64 --magic 0x10000000 -o "$TMP/out.bin"
is "$rc" 2 "pages out of absolute reach are refused"
run "$PVCTL" patch apply "$top_srcdir/tests/fuzz/corpus/patch/elf-ppc32.o" -o "$TMP/out.o"
is "$rc" 0 "an ELF with a template section is patched"
python3 -c 'import sys; sys.stdout.buffer.write(open(sys.argv[1],"rb").read().replace(b".pvabi_templates", b".pvabi_xxxxxxxxx"))' \
	"$top_srcdir/tests/fuzz/corpus/patch/elf-ppc32.o" >"$TMP/notpl.o"
run "$PVCTL" patch apply "$TMP/notpl.o" -o "$TMP/out.o"
is "$err" "pvctl: $TMP/notpl.o: no executable .pvabi_templates section for templates" \
	"an ELF without one is refused"

# A progress bar on a terminal for a large input, never otherwise.
head -c $((6 << 20)) /dev/zero >"$TMP/big.bin"
words 7c6000a6 >>"$TMP/big.bin"
# script(1) (bsdutils, essential) gives the command a terminal.
script -qec "'$PVCTL' patch scan --arch ppc32 '$TMP/big.bin'" /dev/null >"$TMP/tty" 2>&1 || true
grep -q 'reading  \[#*\] 100%' "$TMP/tty"
ok $? "a terminal gets a progress bar"
script -qec "'$PVCTL' patch scan --arch ppc32 --json '$TMP/big.bin'" /dev/null >"$TMP/tty" 2>&1 || true
! grep -q '%' "$TMP/tty"
ok $? "--json gets none, even on a terminal"
run "$PVCTL" patch scan --arch ppc32 "$TMP/big.bin"
is "$err" "" "no progress bar when stderr is not a terminal"
is "$(echo "$out" | tail -n 1)" "  mfmsr      1" "the large input is scanned"

printf '# the host keeps this one\nmode = host\nexclude=4096-8192\nclasses=msr,sprg\n' >"$TMP/p.policy"
run "$PVCTL" patch policy "$TMP/p.policy"
is "$out" "$(printf 'mode=host\nclasses=msr,sprg\nexclude=0x1000-0x2000\nmax-sites=unlimited')" \
	"patch policy prints the canonical form"
run "$PVCTL" patch policy "$TMP/p.policy" --json
is "$out" '{"mode":"host","classes":["msr","sprg"],"exclude":[{"start":"0x1000","end":"0x2000"}],"max_sites":null}' \
	"patch policy --json"
run "$PVCTL" patch policy "$TMP/bad.policy"
is "$rc" 2 "patch policy refuses bad text"

# Broken inputs: every bad policy and every truncated ELF is refused with
# one line on stderr, exit 2, no crash.
bad=0
for f in "$top_srcdir"/tests/data/bad-policy/*.txt; do
	run "$PVCTL" patch policy "$f"
	case $err in "pvctl: $f: line "[0-9]*" '"*) ;; *) rc=99 ;; esac
	if [ "$rc" -ne 2 ] || [ "$(printf '%s\n' "$err" | wc -l)" -ne 1 ]; then
		echo "# $f: rc $rc: $err"
		bad=$((bad + 1))
	fi
done
is "$bad" 0 "every policy in tests/data/bad-policy is refused, quoting its line"
elf=$top_srcdir/tests/fuzz/corpus/patch/elf-ppc64le.o
size=$(wc -c <"$elf")
bad=0
for n in 4 16 52 63 64 100 200 $((size / 2)) $((size - 64)) $((size - 1)); do
	head -c "$n" "$elf" >"$TMP/cut.o"
	run "$PVCTL" patch scan "$TMP/cut.o" --json
	# With --json the refusal is one object on stdout (pvctl(8)).
	if [ "$rc" -ne 2 ] || [ -n "$err" ] || ! printf '%s' "$out" | python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); sys.exit(not (d["ok"] is False and d["error"] and d["message"]))'; then
		echo "# truncated to $n: rc $rc: $out$err"
		bad=$((bad + 1))
	fi
done
is "$bad" 0 "an ELF cut anywhere is refused cleanly"
for f in "$top_srcdir"/tests/fuzz/regress/patch/elf-overlapping-*; do
	run "$PVCTL" patch scan "$f"
	echo "# $rc $err"
	[ "$rc" -eq 2 ] && [ "$err" = "pvctl: $f: malformed input" ] || bad=$((bad + 1))
done
is "$bad" 0 "executable sections that share file bytes are refused by scan"

run "$PVCTL" help patch apply
is "$rc" 0 "pvctl help patch apply"
done_testing
