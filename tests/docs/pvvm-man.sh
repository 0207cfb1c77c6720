#!/bin/bash
# pvvm(1) and pvvm's own help say the same: every command and every option
# its help lists is in the man page, every option the man page lists is in
# the help, the exit codes match, and the built page renders.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
PVVM=$top_builddir/tools/pvvm/pvvm
SCD=$top_srcdir/docs/man/pvvm.1.scd
PAGE=$top_builddir/docs/man/pvvm.1
[ -x "$PVVM" ] || skip_all "pvvm not built (x86-64 Linux with linux/kvm.h only)"
plan 6

"$PVVM" --help >"$TMP/help"
cmds=$(sed -n '/^Commands:/,/^$/s/^  \([a-z]\+\) .*/\1/p' "$TMP/help")
for c in $cmds; do "$PVVM" help "$c"; done >"$TMP/all-help"
# --help itself is the one option the help does not list.
help_opts=$({ grep -ohE -- '--[a-z][a-z-]*' "$TMP/help" "$TMP/all-help"; echo --help; } | sort -u)
man_opts=$(grep -oE -- '\*--[a-z][a-z-]*\*' "$SCD" | tr -d '*' | sort -u)

missing=
for c in $cmds; do grep -q "^\*$c\*" "$SCD" || missing+=" $c"; done
is "${missing# }" "" "every command of 'pvvm --help' has an entry in pvvm(1) ($(echo $cmds))"

missing=$(comm -23 <(echo "$help_opts") <(echo "$man_opts") | tr '\n' ' ')
is "${missing% }" "" "every option in pvvm's help is in pvvm(1) ($(echo $help_opts | wc -w) options)"

extra=$(comm -13 <(echo "$help_opts") <(echo "$man_opts") | tr '\n' ' ')
is "${extra% }" "" "every option in pvvm(1) is in pvvm's help"

help_codes=$(grep -oE '\b[0-9]+ (ok|failed|bad usage|no usable KVM)' "$TMP/help" | cut -d' ' -f1 | sort -n | tr '\n' ' ')
man_codes=$(sed -n '/^# EXIT STATUS/,/^# /p' "$SCD" | grep -oE '^\*[0-9]+\*$' | tr -d '*' | sort -n | tr '\n' ' ')
is "$man_codes" "$help_codes" "the exit codes of pvvm(1) are those pvvm --help names"

command -v man >/dev/null || { ok 0 "# SKIP man not installed"; ok 0 "# SKIP man not installed"; exit 0; }
run env MANWIDTH=80 man -l "$PAGE"
is "$rc" 0 "man -l docs/man/pvvm.1 renders"
ok $(printf '%s' "$out" | grep -q '^RUN OPTIONS' && printf '%s' "$out" | grep -q -- '--save-at POINT' && echo 0 || echo 1) \
	"the rendered page has its sections and options"
done_testing
