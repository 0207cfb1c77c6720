#!/bin/bash
# The kernel's scripts/kernel-doc over pvabi.ko's sources and the uapi and
# libpvabi headers it uses: every kernel-doc comment describes every
# parameter and member of what follows it.  A planted fault (a parameter
# left out of a comment) must be reported.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/kmod/lib-kmod.sh"
command -v perl >/dev/null || skip_all "perl missing"
kernel_scripts
cd "$top_srcdir"
mapfile -t files < <(kernel_style_files)
plan 2

run perl "$ks/scripts/kernel-doc" -none "${files[@]}"
w=$(grep -c 'warning:' "$TMP/err" || true)
is "$rc/$w" "0/0" "kernel-doc: ${#files[@]} files, $w warnings"
grep 'warning:\|error:' "$TMP/err" | sed 's/^/# /'

f=$(plant libpvabi/include/pvabi/delivery.h)
sed -i '/^ \* pvabi_dlv_tick - /{n;d}' "$f"
run perl "$ks/scripts/kernel-doc" -none "$f"
grep -q "'d' not described in 'pvabi_dlv_tick'" "$TMP/err"
ok $? "kernel-doc reports a planted fault (@d left out of pvabi_dlv_tick)"
done_testing
