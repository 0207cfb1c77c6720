#!/bin/bash
# dkms.conf works: the dkms source tree that 'make install' writes is added,
# built against the installed kernel headers, and removed again - all in a
# scratch dkms tree, never the machine's own.
set -e
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
[ -z "${PVABI_SANITIZER_BUILD:-}" ] ||
	skip_all "no user-space code of ours runs here; the unsanitized pass runs this test"
command -v dkms >/dev/null || skip_all "dkms not installed (apt-get install dkms)"
[ -n "${KDIR:-}" ] && [ -f "$KDIR/Makefile" ] || skip_all "no kernel build tree (apt-get install linux-headers-amd64)"
# Debian's headers record the upstream version, not the release name: take
# the name from /lib/modules/RELEASE/build.
kver=$(basename "$(dirname "$(realpath -s "$KDIR")")")
plan 5
prefix=$(sed -n 's/^prefix = //p' "$top_builddir/Makefile")
version=$(sed -n 's/^VERSION = //p' "$top_builddir/Makefile")
run make -s -C "$top_builddir" install DESTDIR="$TMP/root"
is "$rc" 0 "make install writes the dkms source tree"
src=$TMP/root$prefix/src
mkdir -p "$TMP/dkms" "$TMP/inst"
opts=(--sourcetree "$src" --dkmstree "$TMP/dkms" --installtree "$TMP/inst")
run dkms add -m pvabi -v "$version" "${opts[@]}"
is "$rc" 0 "dkms add pvabi/$version"
run dkms build -m pvabi -v "$version" -k "$kver" --kernelsourcedir "$KDIR" "${opts[@]}"
is "$rc" 0 "dkms build against $kver"
[ "$rc" -eq 0 ] || { sed 's/^/# /' "$TMP/err"; cat "$TMP/dkms/pvabi/$version/build/make.log" 2>/dev/null | tail -20 | sed 's/^/# /'; }
ko=$(find "$TMP/dkms/pvabi/$version/$kver" -name 'pvabi.ko*' 2>/dev/null | head -1)
ok $([ -n "$ko" ] && modinfo -F name "$ko" | grep -qx pvabi; echo $?) "the built module is pvabi.ko"
run dkms remove -m pvabi -v "$version" --all "${opts[@]}"
is "$rc" 0 "dkms remove"
done_testing
