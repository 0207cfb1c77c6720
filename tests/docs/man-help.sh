#!/bin/bash
# Each man page and its program's own help say the same: every command and
# verb the help lists has an entry in the page, every option in the help is
# in the page and every option in the page is in the help, the exit codes
# match, and the built page renders.  pvvm(1) against 'pvvm help', pvctl(8)
# against 'pvctl help'.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
PVVM=$top_builddir/tools/pvvm/pvvm
pages=(pvctl:8)
[ -x "$PVVM" ] && pages+=(pvvm:1)
plan $((${#pages[@]} * 5))

# names FILE: the commands or verbs a help text lists, one per line.
names() {
	sed -n '/^\(Commands\|Available commands\|Verbs\):$/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p' "$1"
}

# all_help TOOL: the top help, and the help of every command and verb;
# writes "command verb" lines to $TMP/entries.
all_help() {
	local tool=$1 c v
	"$tool" --help >"$TMP/top"
	cat "$TMP/top"
	: >"$TMP/entries"
	for c in $(names "$TMP/top"); do
		"$tool" help "$c" >"$TMP/cmd"
		cat "$TMP/cmd"
		[ -n "$(names "$TMP/cmd")" ] || echo "$c" >>"$TMP/entries"
		for v in $(names "$TMP/cmd"); do
			"$tool" help "$c" "$v"
			echo "$c $v" >>"$TMP/entries"
		done
	done
}

check_page() { # NAME SECTION
	local name=$1 sec=$2 tool scd page e missing extra
	tool=$top_builddir/tools/$name/$name
	scd=$top_srcdir/docs/man/$name.$sec.scd
	page=$top_builddir/docs/man/$name.$sec
	all_help "$tool" >"$TMP/help"

	missing=
	while read -r e; do
		grep -qE "\*($name )?$e[* ]" "$scd" || missing+=" '$e'"
	done <"$TMP/entries"
	is "${missing# }" "" "$name($sec): every command and verb of '$name help' has an entry ($(wc -l <"$TMP/entries"))"

	# --help itself is the one option the help does not list.
	{ grep -ohE -- '--[a-z][a-z-]*' "$TMP/help"; echo --help; } | sort -u >"$TMP/help.opts"
	{ grep -oE -- '\*--[a-z][a-z-]*\*' "$scd" | tr -d '*'; echo --help; } | sort -u >"$TMP/man.opts"
	missing=$(comm -23 "$TMP/help.opts" "$TMP/man.opts" | tr '\n' ' ')
	is "${missing% }" "" "$name($sec): every option in '$name help' is in the page ($(wc -l <"$TMP/help.opts"))"
	extra=$(comm -13 "$TMP/help.opts" "$TMP/man.opts" | tr '\n' ' ')
	is "${extra% }" "" "$name($sec): every option in the page is in '$name help'"

	is "$(sed -n '/^# EXIT STATUS/,/^# [A-Z]/p' "$scd" | grep -oE '\*[0-9]+\*' | tr -d '*' | sort -n | tr '\n' ' ')" \
		"$(grep -io 'Exit status:.*' "$TMP/top" | grep -oE '\b[0-9]+ [a-z]' | cut -d' ' -f1 | sort -n | tr '\n' ' ')" \
		"$name($sec): the exit codes are those '$name --help' names"

	if command -v man >/dev/null; then
		run env MANWIDTH=80 man -l "$page"
		ok $([ "$rc" -eq 0 ] && printf '%s' "$out" | grep -q '^NAME' &&
			printf '%s' "$out" | grep -q '^EXIT STATUS' && echo 0 || echo 1) \
			"man -l docs/man/$name.$sec renders"
	else
		echo "ok $((_n += 1)) # SKIP man not installed"
	fi
}

for p in "${pages[@]}"; do check_page "${p%:*}" "${p#*:}"; done
done_testing
