#!/bin/bash
# sparse over every file of pvabi.ko (make C=2), libpvabi's included.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
command -v sparse >/dev/null || skip_all "sparse not installed"
[ -n "${KDIR:-}" ] && [ -f "$KDIR/Makefile" ] || skip_all "no kernel build tree"
plan 2
build="$top_builddir/tests/kmod/sparse-build"
rm -rf "$build"
run env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -C "$top_srcdir/kmod" \
	B="$build" KDIR="$KDIR" check
ok $rc "make C=2 builds pvabi.ko with sparse"
[ $rc -eq 0 ] || sed 's/^/# /' "$TMP/err" | tail -20
grep -E ': (warning|error):' "$TMP/out" "$TMP/err" >"$TMP/w" || true
is "$(wc -l <"$TMP/w")" 0 "sparse reports no warnings"
sed 's/^/# /' "$TMP/w"
rm -rf "$build"
done_testing
