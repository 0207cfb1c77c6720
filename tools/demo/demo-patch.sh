# demo-patch.sh: the PowerPC patcher, sourced by tools/demo/demo.
# A small ppc32 program with privileged instructions is scanned, patched
# and run under QEMU before and after; a SIGILL handler plays the host.
step "The PowerPC patcher: a ppc32 test program with privileged instructions"
src="$top/tests/patch/ppc"
show powerpc-linux-gnu-gcc -static -O2 -mcpu=powerpc -Wa,-many \
	-I"$top/libpvabi/include" -I"$src" "$src/host.c" "$src/run.S" -o "$work/prog"
show "$pvctl" patch scan "$work/prog"

step "Run unpatched under qemu-ppc-static: every privileged instruction traps"
qemu-ppc-static "$work/prog" | tee "$work/before" | tail -n 2

step "Patch it: each site becomes a branch to a magic-page template"
show "$pvctl" patch apply "$work/prog" -o "$work/prog.patched" \
	--magic 0xffffe000 --notify 0xffffd000 --json
chmod +x "$work/prog.patched"

step "Run patched: same final state, only the fall-backs trap"
qemu-ppc-static "$work/prog.patched" | tee "$work/after" | tail -n 2
if cmp -s <(grep -v '^traps' "$work/before") <(grep -v '^traps' "$work/after"); then
	echo "final state identical; traps: $(sed -n 's/^traps \([0-9]*\).*/\1/p' "$work/before")" \
		"-> $(sed -n 's/^traps \([0-9]*\).*/\1/p' "$work/after")" \
		"(each one an interrupt that waited or an MSR change outside EE/RI)"
else
	echo "final states differ!"
fi

step "A policy the host keeps for the VM; bad policy text is refused with the line"
printf 'mode=host\nclasses=msr\nmax-sites=10\n' >"$work/policy"
cat "$work/policy"
echo "\$ pvctl patch apply prog --policy policy --by host ... --json"
"$pvctl" patch apply "$work/prog" -o "$work/prog.p2" --magic 0xffffe000 \
	--notify 0xffffd000 --policy "$work/policy" --by host \
	--features notify,host-patch,segregs,tlbsync-nop,sprg4-7 --json |
	python3 -c 'import json,sys; d=json.load(sys.stdin); print("patched", d["patched"], "skipped", len(d["skipped"]), "e.g.", json.dumps(d["skipped"][0]))'
printf 'mode=host\nclasses=msr,sprgg\n' >"$work/bad-policy"
set +e
show "$pvctl" patch apply "$work/prog" -o "$work/prog.p3" --policy "$work/bad-policy"
echo "(exit status $?)"
set -e
