#!/bin/bash
# clang's static analyzer (scan-build) over every C file the user-space
# build compiles; any report fails.  It runs after the build, so it does
# not build again: `make -n` prints the build's own compile commands
# (every source marked new with -W), and scan-build runs them with
# --use-cc=true, so only the analysis runs, -j2.  Then a copy of
# libpvabi/offer_fdt.c with one free() left out must be reported, with the
# same command line as the real file, or the gate proves nothing.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
SCAN_BUILD=${SCAN_BUILD:-scan-build}
command -v "$SCAN_BUILD" >/dev/null || skip_all "no scan-build (Debian: clang-tools)"
# The out-of-tree sanitizer build compiles the same sources again; they
# were analysed in the main build's make check.
[ -z "${PVABI_SANITIZER_BUILD:-}" ] || skip_all "sanitizer build: analysed in the main build"
plan 3
start=$SECONDS

# The compile commands of `make all`, with the compiler as a placeholder.
# gcc's -fanalyzer is left out: clang does not know it (the build ran it).
cc=__pvabi_scan_build_cc__
mapfile -t srcs < <(cd "$top_srcdir" && find libpvabi libpvctl pvctld tools tests \
	-name '*.c' | sort)
what_if=()
for s in "${srcs[@]}"; do what_if+=(-W "$s"); done
run make -C "$top_builddir" -n V=1 CC="$cc" ANALYZER_CFLAGS= "${what_if[@]}" all-am
is "$rc" 0 "make -n lists the build's compile commands"

# One target per compile command: continuation lines joined; libtool's
# wrapper (it would write .lo files) and the .deps moves dropped; $
# escaped for make; the placeholder replaced by $(CC), which scan-build
# sets to its analyzer.
gen() { # gen SED-EXPR...: the makefile from $TMP/commands
	sed -e ':a' -e '/\\$/{N;s/\\\n//;ba' -e '}' "$TMP/commands" |
		grep -F -e "$cc " | grep -e ' -c ' | grep -v -e '--mode=link' |
		sed -e 's/^.*--mode=compile //' -e 's/ *&& *mv -f .*$//' \
			-e 's/\$/$$/g' -e "s/$cc /\$(CC) /" "$@" |
		awk '{ printf "all: t%d\nt%d:\n\t%s\n", NR, NR, $0 } END { print ".PHONY: all" }'
}
cp "$TMP/out" "$TMP/make-n"
cp "$TMP/make-n" "$TMP/commands"
gen >"$TMP/analyze.mk"
n=$(grep -c '^t[0-9]*:$' "$TMP/analyze.mk")
echo "# $n compile commands"
run "$SCAN_BUILD" --status-bugs --use-cc=true -o "$TMP/reports" \
	make -C "$top_builddir" -f "$TMP/analyze.mk" -j2 all
r=$rc
[ "$n" -gt 40 ] || r=1
[ ! -d "$TMP/reports"/*/failures ] || r=1
ok $r "scan-build finds nothing in $n files"
[ $r -eq 0 ] || grep -h -E 'warning:|error:|Error|failures' "$TMP/out" "$TMP/err" |
	sed 's/^/# /' | head -40
echo "# scan-build took $((SECONDS - start)) s"

# The planted fault: the aligned copy of an offer blob is never freed.
grep -v '^[[:space:]]*free(copy);$' "$top_srcdir/libpvabi/offer_fdt.c" >"$TMP/planted.c"
grep -e '-o libpvabi/libpvabi_la-offer_fdt.lo ' "$TMP/make-n" >"$TMP/commands"
gen -e "s|libpvabi/offer_fdt\\.c|$TMP/planted.c|g" >"$TMP/planted.mk"
run "$SCAN_BUILD" --status-bugs --use-cc=true -o "$TMP/planted" \
	make -C "$top_builddir" -f "$TMP/planted.mk" all
r=1
[ "$rc" -eq 1 ] && grep -q "planted.c:.*leak.*unix.Malloc" "$TMP/out" "$TMP/err" && r=0
ok $r "scan-build reports a planted leak (offer_fdt.c without a free)"
[ $r -eq 0 ] || sed 's/^/# /' "$TMP/out" "$TMP/err" | tail -20
done_testing
