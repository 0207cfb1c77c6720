#!/bin/bash
# The CI build (--enable-werror) compiles libpvabi, libpvctl, pvctld and the
# tools with gcc's -fanalyzer, its reports errors.  This shows the gate
# works: a copy of pvctl's file reader with one free() left out must be
# reported as a leak by the same compiler and flags.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
[ -n "${ANALYZER_CFLAGS:-}" ] ||
	skip_all "configured without --enable-werror: no -fanalyzer in this build"
plan 2
flags=(-std=gnu11 -O2 -include "$top_builddir/config.h" -I"$top_srcdir/libpvabi/include"
	-I"$top_srcdir/libpvabi" -I"$top_srcdir/libpvctl" -I"$top_srcdir/kmod/uapi"
	-I"$top_srcdir/tools/pvctl" -DPVCTL_NEXT_PATH='"/usr/libexec/pvabi/pvctl-bus"' $JSONC_CFLAGS $ANALYZER_CFLAGS -Werror)

run ${CC:-gcc} "${flags[@]}" -c "$top_srcdir/tools/pvctl/pvctl.c" -o "$TMP/ok.o"
is "$rc" 0 "tools/pvctl/pvctl.c passes the analyzer"
sed 's/^/# /' "$TMP/err" | head -20

# The planted fault: the buffer is not freed when the file is too large.
awk '/^static int read_stream/ { in_fn = 1 }
	in_fn && /free\(buf\);/ && !done { done = 1; next } { print }' \
	"$top_srcdir/tools/pvctl/pvctl.c" >"$TMP/planted.c"
run ${CC:-gcc} "${flags[@]}" -c "$TMP/planted.c" -o "$TMP/planted.o"
r=1
[ "$rc" -ne 0 ] && grep -q 'analyzer-malloc-leak' "$TMP/err" && r=0
ok $r "the analyzer reports a planted leak (read_stream without its free)"
done_testing
