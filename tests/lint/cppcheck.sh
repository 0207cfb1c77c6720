#!/bin/bash
# cppcheck over every user-space C source (kmod/ is kernel code, checked by
# sparse and checkpatch): no findings.  Silence a false positive in place
# with "// cppcheck-suppress <id>" and a reason.
set -e
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
CPPCHECK=${CPPCHECK:-$(command -v cppcheck || true)}
[ -x "$CPPCHECK" ] || skip_all "cppcheck not found (apt-get install cppcheck)"
plan 1

cd "$top_srcdir"
files=$(find . \( -path ./kmod -o -path './tests/kmod/work*' -o -path './tests/vm/work*' -o -path ./build-asan -o -path './pvabi-*' \
	-o -path ./_build -o -path ./autom4te.cache \) -prune -o -name '*.c' -print | sort)
nfiles=$(printf '%s\n' "$files" | wc -l)
run "$CPPCHECK" --error-exitcode=1 --enable=warning,portability,performance \
	--inline-suppr --quiet --std=c11 -D__GNUC__ -D__x86_64__ \
	--include="$top_builddir/config.h" \
	-I libpvabi/include -I libpvabi -I tools/pvvm $files
findings=$(printf '%s\n' "$err" | grep -c '^[^ ].*: \(error\|warning\|portability\|performance\|style\):' || true)
ok $rc "cppcheck: $nfiles files, $findings findings"
[ $rc -eq 0 ] || printf '%s\n' "$err" | sed 's/^/# /'
record cppcheck tool=cppcheck files=$nfiles findings=$findings
done_testing
