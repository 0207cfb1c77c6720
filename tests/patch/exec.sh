#!/bin/bash
# Proof by execution: PowerPC programs with privileged instructions run in
# user mode under QEMU, a SIGILL handler playing the host.  The original and
# the patched code must end in the same architected state, and traps must
# drop to the templates' fall-backs (an interrupt waits, or an MSR change
# outside the safe bits).  Hand-written sequences (the ELF path) and
# thousands of random ones (the raw path, fixed seed) on ppc32, ppc64 and
# ppc64le.
set -e
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
: "${PPC32_CC:=powerpc-linux-gnu-gcc}" "${PPC64LE_CC:=powerpc64le-linux-gnu-gcc}"
: "${PPC64_CC:=powerpc64-linux-gnu-gcc}" "${QEMU_PPC64:=qemu-ppc64-static}"
: "${QEMU_PPC:=qemu-ppc-static}" "${QEMU_PPC64LE:=qemu-ppc64le-static}"
: "${GEN_SEQ:=$top_builddir/tests/patch/gen-seq}"
: "${PVABI_EXEC_SEQS:=3000}"
seed=0x5eed
stride=512

for t in "$PPC32_CC" "$PPC64_CC" "$PPC64LE_CC" "$QEMU_PPC" "$QEMU_PPC64" "$QEMU_PPC64LE"; do
	command -v "$t" >/dev/null || skip_all "$t not installed (./quickstart installs it)"
done
plan 90

src=$top_srcdir/tests/patch/ppc
cflags=(-static -O2 -Wall -Wextra -Wno-unused-parameter -Werror -Wa,-many
	-I"$top_srcdir/libpvabi/include" -I"$src")
"$PPC32_CC" "${cflags[@]}" -mcpu=powerpc "$src/host.c" "$src/run.S" -o "$TMP/pvtest-ppc32"
"$PPC32_CC" "${cflags[@]}" -mcpu=powerpc -DPVT_BOOKE "$src/host.c" "$src/run.S" \
	-o "$TMP/pvtest-ppc32-booke"
"$PPC64_CC" "${cflags[@]}" "$src/host.c" "$src/run.S" -o "$TMP/pvtest-ppc64"
"$PPC64LE_CC" "${cflags[@]}" "$src/host.c" "$src/run.S" -o "$TMP/pvtest-ppc64le"

# The same programs patching themselves at run time with libpvabi's
# freestanding rewriter built for PowerPC (a guest patching itself).
self_src=("$src/host.c" "$src/run.S" "$top_srcdir/libpvabi/ppc_decode.c"
	"$top_srcdir/libpvabi/ppc_rewrite.c" -I"$top_srcdir/libpvabi" -DPVT_SELF_PATCH)
"$PPC32_CC" "${cflags[@]}" -mcpu=powerpc "${self_src[@]}" -o "$TMP/self-ppc32"
"$PPC64_CC" "${cflags[@]}" "${self_src[@]}" -o "$TMP/self-ppc64"
"$PPC64LE_CC" "${cflags[@]}" "${self_src[@]}" -o "$TMP/self-ppc64le"

declare -A qemu=([ppc32]=$QEMU_PPC [ppc64]=$QEMU_PPC64 [ppc64le]=$QEMU_PPC64LE)
# Where the test program maps the pages (tests/patch/ppc/pvtest.h).
declare -A where=(
	[ppc32]="--magic 0xffffe000 --notify 0xffffd000"
	[ppc64]="--magic 0x3f000000 --notify 0x3f001000 --base-reg r29 --base-addr 0x3f000000"
	[ppc64le]="--magic 0x3f000000 --notify 0x3f001000 --base-reg r29 --base-addr 0x3f000000"
)

field() { sed -n "s/^traps .*\<$1 \([0-9]*\).*/\1/p" "$2"; }
traps() { sed -n 's/^traps \([0-9]*\) .*/\1/p' "$1"; }

# compare ARCH WHAT MODE ORIG-OUTPUT PATCHED-OUTPUT RO-OUTPUT
# Full templates take a waiting interrupt at the same instruction as the
# original: everything must match.  Lean ones (one load or store for SPR
# moves) take it later: the architected state must match, and in the end
# nothing may be left pending.
state() { # state MODE OUTPUT: what must match
	if [ "$1" = full ]; then grep -v '^traps' "$2"
	else grep -v -e '^traps' -e '^delivery' "$2" | sed 's/ pending.*//'; fi
}
compare() {
	local a=$1 what="$2 ($3)" mode=$3 o=$4 p=$5 ro=$6 n
	state "$mode" "$o" >"$TMP/o.state"
	state "$mode" "$p" >"$TMP/p.state"
	n=$(grep -c '^seq' "$o")
	if cmp -s "$TMP/o.state" "$TMP/p.state"; then
		ok 0 "$a $what: $n sequences end in the same state"
	else
		ok 1 "$a $what: $n sequences end in the same state"
		diff "$TMP/o.state" "$TMP/p.state" | head -n 5 | sed 's/^/# /'
	fi
	is "$(sed -n 's/^delivery pending=\([0-9]*\).*/\1/p' "$p")" 0 \
		"$a $what: no interrupt left waiting"
	local to tp fb db
	to=$(traps "$o")
	tp=$(traps "$p")
	fb=$(( $(field irq "$p") + $(field msr "$p") ))
	echo "# $a $what: traps $to -> $tp ($(field irq "$p") interrupt" \
		"fall-backs, $(field msr "$p") unsafe-MSR fall-backs)"
	[ "$tp" -eq "$fb" ] && [ "$tp" -lt "$to" ]
	ok $? "$a $what: only fall-backs trap ($to -> $tp)"
	is "$(field violations "$p")" 0 "$a $what: no trap inside a critical section"
	db=$(field doorbells "$ro")
	if [ "$mode" = full ]; then
		is "$db" "$to" "$a $what: one doorbell store per executed site ($to)"
	else
		[ "$db" -gt 0 ] && [ "$db" -lt "$to" ]
		ok $? "$a $what: a doorbell store per executed critical section ($db)"
	fi
}

for a in ppc32 ppc64 ppc64le; do
	bin=$TMP/pvtest-$a
	sites=$("$PVCTL" patch scan --json "$bin" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["sites"])')
	"${qemu[$a]}" "$bin" >"$TMP/$a.orig"
	"$GEN_SEQ" "$a" "$PVABI_EXEC_SEQS" $stride $seed "$TMP/$a.seq"
	"${qemu[$a]}" "$bin" "$TMP/$a.seq" "$PVABI_EXEC_SEQS" $stride $seed >"$TMP/$a.sorig"
	for mode in lean full; do
		flag=
		[ $mode = lean ] || flag=--full-templates
		# shellcheck disable=SC2086
		run "$PVCTL" patch apply "$bin" -o "$bin.$mode" ${where[$a]} $flag --json
		is "$out" "{\"patched\":$sites,\"skipped\":[]}" \
			"$a ($mode): pvctl patch apply on the ELF program patches all $sites sites"
		chmod +x "$bin.$mode"
		"${qemu[$a]}" "$bin.$mode" >"$TMP/$a.patched"
		"${qemu[$a]}" "$bin.$mode" --notify-ro >"$TMP/$a.ro"
		compare "$a" "hand-written" $mode "$TMP/$a.orig" "$TMP/$a.patched" "$TMP/$a.ro"
		self=--self-patch
		[ $mode = lean ] || self=--self-patch-full
		"${qemu[$a]}" "$TMP/self-$a" $self >"$TMP/$a.self" 2>"$TMP/$a.self.err"
		is "$(cat "$TMP/$a.self")" "$(cat "$TMP/$a.patched")" \
			"$a ($mode): patched at run time by the program itself, the same run ($(cat "$TMP/$a.self.err"))"

		# shellcheck disable=SC2086
		run "$PVCTL" patch apply "$TMP/$a.seq" --arch "$a" --base 0x20000000 \
			-o "$TMP/$a.seq.$mode" ${where[$a]} $flag --json
		is "$(echo "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["patched"] > 0, d["skipped"])')" \
			"True []" "$a ($mode): random image patched without skips"
		"${qemu[$a]}" "$bin" "$TMP/$a.seq.$mode" "$PVABI_EXEC_SEQS" $stride $seed >"$TMP/$a.spatched"
		"${qemu[$a]}" "$bin" --notify-ro "$TMP/$a.seq.$mode" "$PVABI_EXEC_SEQS" $stride $seed >"$TMP/$a.sro"
		compare "$a" "random" $mode "$TMP/$a.sorig" "$TMP/$a.spatched" "$TMP/$a.sro"
	done
done
# Book-E registers (MAS, ESR, DEAR, PIR, SPRG4R-7R), hand-written, ppc32.
bin=$TMP/pvtest-ppc32-booke
booke=notify,booke,segregs,tlbsync-nop,sprg4-7
sites=$("$PVCTL" patch scan --json --features $booke "$bin" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["sites"])')
"$QEMU_PPC" "$bin" >"$TMP/booke.orig"
for mode in lean full; do
	flag=
	[ $mode = lean ] || flag=--full-templates
	# shellcheck disable=SC2086
	run "$PVCTL" patch apply "$bin" -o "$bin.$mode" ${where[ppc32]} --features $booke $flag --json
	is "$out" "{\"patched\":$sites,\"skipped\":[]}" \
		"ppc32 book-E ($mode): all $sites sites patched"
	chmod +x "$bin.$mode"
	"$QEMU_PPC" "$bin.$mode" >"$TMP/booke.patched"
	"$QEMU_PPC" "$bin.$mode" --notify-ro >"$TMP/booke.ro"
	compare ppc32 "book-E" $mode "$TMP/booke.orig" "$TMP/booke.patched" "$TMP/booke.ro"
done
done_testing
