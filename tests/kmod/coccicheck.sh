#!/bin/bash
# The kernel's Coccinelle scripts (scripts/coccinelle/, as make coccicheck
# runs them in report mode) over pvabi.ko's sources and the libpvabi files
# the module compiles.  A planted fault must be reported.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/kmod/lib-kmod.sh"
command -v spatch >/dev/null || skip_all "spatch missing (apt-get install coccinelle)"
kernel_scripts
cd "$top_srcdir"
mapfile -t files < <(kernel_style_files | grep '\.c$')

# Rules left out, each with its reason.
declare -A excluded=(
	# It checks one battery driver's register tables.
	[check_bq27xxx_data.cocci]="one driver's tables"
)

# spatch_report RULE FILE...: the rule's reports, one a line; a rule that
# cannot run (its OCaml or Python script part fails) is a report too.
spatch_report() {
	local rule=$1
	shift
	spatch -D report --very-quiet --no-show-diff --no-includes \
		--include-headers -I kmod -I kmod/uapi -I libpvabi/include -I libpvabi \
		--cocci-file "$rule" "$@" 2>&1 |
		grep -E '^[^ :]+:[0-9]+:[0-9]+(-[0-9]+)?:|No OCaml compiler|Traceback|^Fatal error|^exception' || true
}

plan 2
rules=0 reports=
for r in $(find "$ks/scripts/coccinelle" -name '*.cocci' | sort); do
	[ -n "${excluded[$(basename "$r")]:-}" ] && continue
	rules=$((rules + 1))
	out=$(spatch_report "$r" "${files[@]}")
	[ -n "$out" ] && reports+="$(basename "$r"): $out"$'\n'
done
n=$(printf '%s' "$reports" | grep -c . || true)
is "$n" 0 "coccicheck: $rules rules over ${#files[@]} files, $n reports (${#excluded[@]} rules left out)"
printf '%s' "$reports" | sed 's/^/# /'

# The planted fault: min() written out by hand, as minmax.cocci finds.
f=$(plant kmod/main.c)
printf '\nint pvabi_planted(int ret)\n{\n\treturn ret < 0 ? ret : 0;\n}\n' >>"$f"
out=$(cd "$TMP/plant" && spatch_report "$ks/scripts/coccinelle/misc/minmax.cocci" kmod/main.c)
case $out in *"opportunity for min()"*) rc=0 ;; *) rc=1 ;; esac
ok $rc "coccicheck reports a planted fault (min() by hand)"
done_testing
