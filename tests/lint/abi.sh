#!/bin/bash
# libpvabi keeps its ABI: the build equals the committed baseline
# (libpvabi/libpvabi.abi, abidw's account of the last release: every exported
# function and the types it reaches), its exports are exactly libpvabi.sym,
# and the sections of libpvabi.sym that the baseline holds are unchanged.  An
# ABI that grows opens a new section and refreshes the baseline in the same
# commit (make abi-baseline; README's maintainer section).  abidiff's status
# is a bit mask; any bit fails, 4 ("changed") included.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
command -v abidiff >/dev/null && command -v abidw >/dev/null ||
	skip_all "abidiff missing (apt-get install abigail-tools)"
so=$top_builddir/libpvabi/.libs/libpvabi.so
base=$top_srcdir/libpvabi/libpvabi.abi
sym=$top_srcdir/libpvabi/libpvabi.sym
hdrs=$top_srcdir/libpvabi/include/pvabi
[ -z "${PVABI_SANITIZER_BUILD:-}" ] ||
	skip_all "the baseline describes the release build (gcc); this one is clang's, instrumented"
[ -f "$so" ] || skip_all "$so is not built (a --disable-shared build)"
plan 4

run abidiff --headers-dir2 "$hdrs" "$base" "$so"
is "$rc" 0 "abidiff: the built libpvabi.so has the ABI of libpvabi/libpvabi.abi"
printf '%s\n' "$out" | sed 's/^/# /'

# NAME@SECTION, one a line, of the version script and of the library.
sym_pairs() {
	sed 's|/\*.*\*/||' "$sym" | awk '
		/^[A-Za-z0-9_.]+ *\{/ { sec = $1; next }
		/^\}/ { sec = ""; next }
		/^[ \t]*(global|local):/ { next }
		/;/ && sec != "" { gsub(/[ \t;]/, ""); if ($0 != "*") print $0 "@" sec }' | sort
}
built=$(objdump -T "$so" | awk '$2 == "g" && $(NF - 1) ~ /^LIBPVABI/ && $NF != $(NF - 1) { print $NF "@" $(NF - 1) }' | sort)
is "$built" "$(sym_pairs)" "the library exports exactly what libpvabi.sym says, in its sections"

base_pairs=$(grep -o "elf-symbol name='[^']*' version='[^']*'" "$base" |
	sed "s/elf-symbol name='\([^']*\)' version='\([^']*\)'/\1@\2/" | sort)
released=$(printf '%s\n' "$base_pairs" | sed 's/.*@//' | sort -u)
is "$(sym_pairs | grep -F -f <(printf '@%s\n' $released) || true)" "$base_pairs" \
	"the released sections of libpvabi.sym ($(echo $released)) are those of the baseline"

# The planted fault: the baseline says struct pvabi_offer is one field
# smaller than it is.
sed "s/\(class-decl name='pvabi_offer' size-in-bits='\)\([0-9]*\)'/\1576'/" "$base" >"$TMP/planted.abi"
cmp -s "$base" "$TMP/planted.abi" && echo "# the baseline has no struct pvabi_offer"
run abidiff --headers-dir2 "$hdrs" "$TMP/planted.abi" "$so"
[ "$rc" -ne 0 ] && grep -q 'pvabi_offer' <<<"$out"
ok $? "abidiff fails on a planted fault (struct pvabi_offer's size changed)"
done_testing
