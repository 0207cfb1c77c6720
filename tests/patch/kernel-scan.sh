#!/bin/bash
# A real Debian ppc64el kernel: pvabi's per-class counts must equal those of
# `powerpc64le-linux-gnu-objdump -d` on the same file.  SKIP only when the
# package can't be fetched.
set -e
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
: "${PPC64LE_OBJDUMP:=powerpc64le-linux-gnu-objdump}"

command -v "$PPC64LE_OBJDUMP" >/dev/null ||
	skip_all "$PPC64LE_OBJDUMP not installed"
if ! vmlinux=$("$top_srcdir/tests/patch/fetch-kernel.sh" 2>"$TMP/fetch.err"); then
	skip_all "can't fetch the kernel package: $(tail -n 1 "$TMP/fetch.err")"
fi
plan 10
echo "# $vmlinux"

run "$PVCTL" patch scan --json "$vmlinux"
is "$rc" 0 "pvctl patch scan reads the kernel"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for k, v in d["by_insn"].items():
    if v: print(k, v)
' "$TMP/out" | sort >"$TMP/pvabi.txt"
"$PPC64LE_OBJDUMP" -d "$vmlinux" |
	awk -f "$top_srcdir/tests/patch/objdump-classify.awk" | sort >"$TMP/objdump.txt"

# Per class, then per instruction.
classes() {
	awk '{ c = $1
	       if (c ~ /msr|wrtee/) c = "msr"
	       else if (c ~ /sprg/) c = "sprg"
	       else if (c ~ /srr/) c = "srr"
	       else if (c ~ /dar|dsisr|esr/) c = "fault"
	       else if (c ~ /mas|pir/) c = "booke"
	       else if (c ~ /mtsrin/) c = "segregs"
	       n[c] += $2 }
	     END { for (c in n) print c, n[c] }' "$1" | sort
}
classes "$TMP/pvabi.txt" >"$TMP/pvabi.cls"
classes "$TMP/objdump.txt" >"$TMP/objdump.cls"
echo "# class      pvabi  objdump"
join -a1 -a2 -e0 -o 0,1.2,2.2 "$TMP/pvabi.cls" "$TMP/objdump.cls" |
	while read -r c a b; do printf '# %-10s %6s %8s\n' "$c" "$a" "$b"; done
for c in msr sprg srr fault booke segregs tlbsync; do
	a=$(awk -v c=$c '$1 == c { print $2 }' "$TMP/pvabi.cls")
	b=$(awk -v c=$c '$1 == c { print $2 }' "$TMP/objdump.cls")
	is "${a:-0}" "${b:-0}" "class $c: pvabi ${a:-0}, objdump ${b:-0}"
done
is "$(cat "$TMP/pvabi.txt")" "$(cat "$TMP/objdump.txt")" "every instruction's count equals objdump's"
total=$(awk '{ n += $2 } END { print n + 0 }' "$TMP/pvabi.txt")
[ "$total" -gt 100 ]
ok $? "the kernel has sites at all ($total)"
done_testing
