# TAP helpers for shell tests: source it, call plan N, then the checks.
# Exit codes follow automake: 77 skip, 99 hard error.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${PVCTL:=$top_builddir/tools/pvctl/pvctl}"
_n=0
_failed=0
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

plan() { echo "1..$1"; }
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
ok() { # ok COND-EXIT-STATUS DESCRIPTION
	_n=$((_n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $_n - $2"; else
		echo "not ok $_n - $2"; _failed=$((_failed + 1)); fi
}
# is ACTUAL EXPECTED DESCRIPTION
is() {
	_n=$((_n + 1))
	if [ "$1" = "$2" ]; then echo "ok $_n - $3"; else
		echo "not ok $_n - $3"
		printf '#   got:      %s\n#   expected: %s\n' "$1" "$2"
		_failed=$((_failed + 1))
	fi
}
# run CMD...: sets $out, $err, $rc
run() {
	set +e
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	set -e
	out=$(cat "$TMP/out")
	err=$(cat "$TMP/err")
}
done_testing() { [ "$_failed" -eq 0 ]; }
# record KIND key=value...: one line of figures for docs/reliability.md, in
# $PVABI_RESULTS/KIND.txt (hostile, faults, ...; see tools/reliability-report).
# Name the case with test=NAME and say result=pass|fail; the last line per
# test wins.
record() {
	local kind=$1
	shift
	mkdir -p "${PVABI_RESULTS:=$top_builddir/results}"
	printf '%s date=%s\n' "$*" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >>"$PVABI_RESULTS/$kind.txt"
}
