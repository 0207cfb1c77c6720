#!/bin/bash
# Every libFuzzer harness: replay the regression inputs (each one a crash
# found and fixed), then fuzz for FUZZ_CHECK_SECONDS from the seed corpus.
# Each run draws a fresh seed, printed first, so that every CI run explores
# inputs the last one did not; FUZZ_SEED=N repeats run N.  Figures go to
# $PVABI_RESULTS/fuzz-check.txt; a crash's input is kept in
# $PVABI_RESULTS/fuzz-crashes/<harness>/ and printed in the log (run-harness).
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
# libFuzzer's -seed: any 32-bit value but 0 (which means "pick one").
export FUZZ_SEED=${FUZZ_SEED:-$(($(od -An -N4 -tu4 /dev/urandom) % 4294967295 + 1))}
echo "# seed $FUZZ_SEED; repeat with: FUZZ_SEED=$FUZZ_SEED make check TESTS=tests/fuzz/fuzz.sh"

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
		--results "$results" --keep "$(dirname "$results")/fuzz-crashes" "$h")
	rc=$?
	set -e
	ok $rc "$h: ${FUZZ_CHECK_SECONDS:-3}s without a crash ($(printf '%s\n' "$out" | head -1))"
	[ $rc -eq 0 ] || printf '%s\n' "$out" | tail -n +2
done
done_testing
