#!/bin/bash
# pvabi.ko built with the kernel's extra warnings (make W=1) and -Werror on
# our objects: no warning at all.  A planted fault (a function without a
# prototype, which W=1 reports) must fail the build.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/kmod/lib-kmod.sh"
[ -n "${KDIR:-}" ] && [ -f "$KDIR/Makefile" ] || skip_all "no kernel build tree"

w1() { # w1 SRC: build the module of source tree SRC with W=1 -Werror
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -C "$1/kmod" \
		B="$TMP/build" PVABI_SRC="$1" KDIR="$KDIR" W=1 KCFLAGS=-Werror
}

plan 3
rm -rf "$TMP/build"
run w1 "$top_srcdir"
ok $rc "make W=1 KCFLAGS=-Werror builds pvabi.ko"
[ $rc -eq 0 ] || sed 's/^/# /' "$TMP/err" | tail -20
grep -E ': (warning|error):' "$TMP/out" "$TMP/err" >"$TMP/w" || true
is "$(wc -l <"$TMP/w")" 0 "W=1 reports no warnings"
sed 's/^/# /' "$TMP/w"

f=$(plant kmod/main.c)
printf '\nint pvabi_planted(void)\n{\n\treturn 0;\n}\n' >>"$f"
rm -rf "$TMP/build"
run w1 "$TMP/plant"
grep -q 'no previous prototype for .pvabi_planted' "$TMP/err" "$TMP/out" &&
	[ $rc -ne 0 ]
ok $? "W=1 -Werror fails on a planted fault (a function without a prototype)"
done_testing
