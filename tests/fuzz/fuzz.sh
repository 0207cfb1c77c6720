#!/bin/bash
# Every libFuzzer harness: replay the regression inputs (each one a crash
# found and fixed), then fuzz for FUZZ_CHECK_SECONDS from the seed corpus.
# Figures go to $PVABI_RESULTS/fuzz-check.txt, reproducers to
# tests/fuzz/crashes/<harness>/.
set -e
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
[ -n "${FUZZ_PROGRAMS:-}" ] ||
	skip_all "clang with libFuzzer not found (apt-get install clang libclang-rt-14-dev)"
set --
for p in $FUZZ_PROGRAMS; do set -- "$@" "${p##*/fuzz-}"; done
regress_files() { find "$top_srcdir/tests/fuzz/regress/$1" -type f 2>/dev/null | sort; }
n=$#
for h; do [ -z "$(regress_files "$h")" ] || n=$((n + 1)); done
plan $n
results=${PVABI_RESULTS:-$top_builddir/results}/fuzz-check.txt
mkdir -p "$(dirname "$results")"
: >"$results"

for h; do
	bin=$top_builddir/tests/fuzz/fuzz-$h
	regress=$(regress_files "$h")
	if [ -n "$regress" ]; then
		run "$bin" $regress
		ok $rc "$h: replays $(printf '%s\n' "$regress" | wc -l) regression input(s)"
		[ $rc -eq 0 ] || printf '%s\n' "$err" | grep -E '^==|ERROR|SUMMARY|^    #' | head -40 | sed 's/^/# /'
	fi
	set +e
	out=$(bash "$top_srcdir/tests/fuzz/run-harness" --seconds "${FUZZ_CHECK_SECONDS:-3}" \
		--results "$results" "$h")
	rc=$?
	set -e
	ok $rc "$h: ${FUZZ_CHECK_SECONDS:-3}s without a crash ($(printf '%s\n' "$out" | head -1))"
	[ $rc -eq 0 ] || printf '%s\n' "$out" | tail -n +2
done
done_testing
