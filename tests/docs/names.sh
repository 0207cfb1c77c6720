#!/bin/bash
# docs/architecture.md names only what exists: every path in it is a file
# of the tree, every identifier in it occurs in the sources, and every
# function of its "Where to read" table is in the file that row names.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
DOC=$top_srcdir/docs/architecture.md
cd "$top_srcdir"
src=(libpvabi libpvctl tools kmod pvctld tests schemas)

paths=$(grep -oE '[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+\.(c|h|S|in|xml|rng|conf|md|txt|json)\b' "$DOC" |
	grep -v '^/etc/' | sort -u)
files=$(grep -oE '\b[a-z0-9_-]+\.[chS]\b' "$DOC" | sort -u)
idents=$(grep -oE '\b([A-Za-z][A-Za-z0-9]*(_+[A-Za-z0-9]+)+|vir[A-Z][A-Za-z]+)\b' "$DOC" | sort -u)
rows=$(sed -n '/^## Where to read/,$p' "$DOC" | grep -E '^\| `')
plan 4

missing=
for p in $paths; do [ -e "$p" ] || missing+=" $p"; done
is "${missing# }" "" "every path in docs/architecture.md exists ($(echo $paths | wc -w) paths)"

missing=
for f in $files; do
	[ -n "$(find "${src[@]}" -name "$f" -print -quit)" ] || missing+=" $f"
done
is "${missing# }" "" "every file name exists somewhere in the tree ($(echo $files | wc -w) names)"

missing=
for w in $idents; do grep -rqw -- "$w" "${src[@]}" || missing+=" $w"; done
is "${missing# }" "" "every identifier occurs in the sources ($(echo $idents | wc -w) identifiers)"

missing= n=0
while IFS='|' read -r _ file names _; do
	file=$(echo "$file" | tr -d '` ')
	for fn in $(echo "$names" | tr -d '`,'); do
		n=$((n + 1))
		grep -qw -- "$fn" "$file" 2>/dev/null || missing+=" $file:$fn"
	done
done <<<"$rows"
is "${missing# }" "" "every function of the table is in its file ($n functions)"
done_testing
