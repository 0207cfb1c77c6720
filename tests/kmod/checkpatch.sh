#!/bin/bash
# checkpatch.pl --no-tree over pvabi.ko's sources and the libpvabi files the
# module compiles (tests/lint/kernel-style-files); the script comes from
# linux-source through tests/kmod/kernel-scripts.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/kmod/lib-kmod.sh"
if [ -n "${CHECKPATCH:-}" ]; then
	cp=$CHECKPATCH
else
	kernel_scripts
	cp=$ks/scripts/checkpatch.pl
fi

cd "$top_srcdir"
mapfile -t files < <(kernel_style_files)
plan ${#files[@]}
for f in "${files[@]}"; do
	ign=()
	# abi.h's pvabi_g16_t..g64_t are byte-order types, __bitwise under
	# sparse like the kernel's __le32: the one place a typedef is right.
	[ "$f" = libpvabi/include/pvabi/abi.h ] && ign=(--ignore NEW_TYPEDEFS)
	run perl "$cp" --no-tree --terse --show-types "${ign[@]}" -f "$f"
	ok $rc "checkpatch.pl --no-tree $f"
	[ $rc -eq 0 ] || sed 's/^/# /' "$TMP/out"
done
done_testing
