#!/bin/bash
# Each man page and its program's own help say the same: every command and
# verb the help lists has an entry in the page, every option in the help is
# in the page and every option in the page is in the help, the exit codes
# match, and the built page renders.  pvvm(1) against 'pvvm help', pvctl(8)
# against 'pvctl help', pvctld(8) against 'pvctld --help' (which names no
# commands and no exit codes: those two checks are for the others).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
pages=(pvctl:8:tools/pvctl/pvctl pvctld:8:pvctld/pvctld)
[ -x "$top_builddir/tools/pvvm/pvvm" ] && pages+=(pvvm:1:tools/pvvm/pvvm)

# names FILE: the commands or verbs a help text lists, one per line.
names() {
	sed -n '/^\(Commands\|Available commands\|Verbs\):$/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p' "$1"
}

# all_help TOOL DIR: the top help, and the help of every command and verb,
# in DIR/help; "command verb" lines in DIR/entries.
all_help() {
	local tool=$1 d=$2 c v
	"$tool" --help >"$d/top"
	cp "$d/top" "$d/help"
	: >"$d/entries"
	for c in $(names "$d/top"); do
		"$tool" help "$c" >"$d/cmd"
		cat "$d/cmd" >>"$d/help"
		[ -n "$(names "$d/cmd")" ] || echo "$c" >>"$d/entries"
		for v in $(names "$d/cmd"); do
			"$tool" help "$c" "$v" >>"$d/help"
			echo "$c $v" >>"$d/entries"
		done
	done
}

n=0
for p in "${pages[@]}"; do
	name=${p%%:*}
	mkdir -p "$TMP/$name"
	all_help "$top_builddir/${p##*:}" "$TMP/$name"
	n=$((n + 3))
	[ ! -s "$TMP/$name/entries" ] || n=$((n + 1))
	! grep -qi 'Exit status:' "$TMP/$name/top" || n=$((n + 1))
done
plan $n

check_page() { # NAME SECTION
	local name=$1 sec=$2 d=$TMP/$1 scd page e missing extra
	scd=$top_srcdir/docs/man/$name.$sec.scd
	page=$top_builddir/docs/man/$name.$sec
	# A release tarball ships the built pages, so a VPATH build keeps them
	# in the source tree.
	[ -e "$page" ] || page=$top_srcdir/docs/man/$name.$sec

	if [ -s "$d/entries" ]; then
		missing=
		while read -r e; do
			grep -qE "\*($name )?$e[* ]" "$scd" || missing+=" '$e'"
		done <"$d/entries"
		is "${missing# }" "" "$name($sec): every command and verb of '$name help' has an entry ($(wc -l <"$d/entries"))"
	fi

	# --help itself is the one option the help does not list.
	{ grep -ohE -- '--[a-z][a-z-]*' "$d/help"; echo --help; } | sort -u >"$d/help.opts"
	{ grep -oE -- '\*--[a-z][a-z-]*\*' "$scd" | tr -d '*'; echo --help; } | sort -u >"$d/man.opts"
	missing=$(comm -23 "$d/help.opts" "$d/man.opts" | tr '\n' ' ')
	is "${missing% }" "" "$name($sec): every option in '$name --help' and its commands' help is in the page ($(wc -l <"$d/help.opts"))"
	extra=$(comm -13 "$d/help.opts" "$d/man.opts" | tr '\n' ' ')
	is "${extra% }" "" "$name($sec): every option in the page is in '$name --help' and its commands' help"

	if grep -qi 'Exit status:' "$d/top"; then
		is "$(sed -n '/^# EXIT STATUS/,/^# [A-Z]/p' "$scd" | grep -oE '\*[0-9]+\*' | tr -d '*' | sort -n | tr '\n' ' ')" \
			"$(grep -io 'Exit status:.*' "$d/top" | grep -oE '\b[0-9]+ [a-z]' | cut -d' ' -f1 | sort -n | tr '\n' ' ')" \
			"$name($sec): the exit codes are those '$name --help' names"
	fi

	if command -v man >/dev/null; then
		run env MANWIDTH=80 man -l "$page"
		# Here-strings, not pipes: under pipefail grep -q's early exit
		# would fail the printf feeding it (SIGPIPE) when the page is long.
		ok $([ "$rc" -eq 0 ] && grep -q '^NAME' <<<"$out" &&
			grep -q '^EXIT STATUS' <<<"$out" && echo 0 || echo 1) \
			"man -l docs/man/$name.$sec renders"
	else
		echo "ok $((_n += 1)) # SKIP man not installed"
	fi
}

for p in "${pages[@]}"; do
	sec=${p#*:}
	check_page "${p%%:*}" "${sec%%:*}"
done
done_testing
