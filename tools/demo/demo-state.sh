# Sourced by tools/demo/demo: migration state streams (pvctl state).
# Uses $pvctl, $work, $top, step and show from there.
gold="$top/tests/data/state"

step "Migration state: a stream of typed records, per vCPU (schemas/migration-stream.md)"
echo "A 2-vCPU guest saved while vCPU 0 sat in a critical section with two interrupts held back:"
show "$pvctl" state show "$gold/v2-be.pvstate"

step "A destination that runs the older stream version gets v1; nothing it knows is lost"
show "$pvctl" state convert --to-version 1 --byte-order little "$gold/v2-be.pvstate" "$work/v1.pvstate"
show "$pvctl" state convert --to-version 2 "$work/v1.pvstate" "$work/back.pvstate"
cmp -s "$work/v1.pvstate" "$gold/v1-le.pvstate" &&
	echo "(the v1 stream is byte for byte the committed v1 golden stream)"

step "Would it load on that host?  The same reasons as negotiation"
show "$pvctl" dt write --host-versions 1.0 --host-features notify -o "$work/small.dtb"
set +e
show "$pvctl" state check "$gold/v2-be.pvstate" --to-offer "$work/small.dtb" --json
echo "(exit status $?)"
set -e
show "$pvctl" dt write --host-versions 1.0,1.2 --host-features all -o "$work/big.dtb"
show "$pvctl" state check "$gold/v2-be.pvstate" --to-offer "$work/big.dtb"

step "A damaged stream is refused whole, naming the record and its offset"
cp "$gold/v2-be.pvstate" "$work/flipped.pvstate"
printf '\x01' | dd of="$work/flipped.pvstate" bs=1 seek=300 conv=notrunc status=none
set +e
show "$pvctl" state show "$work/flipped.pvstate"
echo "(exit status $?)"
show "$pvctl" state show "$gold/bad/unknown-mandatory.pvstate"
echo "(exit status $?)"
set -e
