#!/bin/bash
# Every pvctl subcommand with --json refuses in the one shape of pvctl(8),
# "EXIT STATUS AND REFUSALS": with --json one object {"ok":false,"error":
# NAME,"message":TEXT,...} on stdout and nothing on stderr; without, nothing
# on stdout and the one line "pvctl: TEXT" on stderr.  The subcommands come
# from pvctl's own help, so a new one without a case below fails here.  And
# a file that cannot be written is a clean refusal that leaves the old one.
set -e
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
data="$top_srcdir/tests/data/state"

# names: the commands or verbs a help text lists (as tests/docs/man-help.sh).
names() { sed -n '/^\(Available commands\|Verbs\):$/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p'; }
subs=()
for c in $("$PVCTL" --help | names); do
	verbs=$("$PVCTL" help "$c" | names)
	if [ -n "$verbs" ]; then
		for v in $verbs; do
			"$PVCTL" help "$c" "$v" | grep -q -- '--json' && subs+=("$c $v")
		done
	elif "$PVCTL" help "$c" | grep -q -- '--json'; then
		subs+=("$c")
	fi
done

# Inputs the cases refuse.
printf 'not a device tree, a stream, a policy or code\n' >"$TMP/garbage"
printf '\x7c\x60\x00\xa6\x4e\x80\x00\x20' >"$TMP/code.bin" # mfmsr r3; blr
nobus="unix:path=$TMP/no-bus-here"
module=$([ -d /sys/module/pvabi ] && echo loaded || echo absent)

# case SUBCOMMAND: "EXIT ARGS..." provoking one of its refusals (--json is
# added for the JSON form); a subcommand with --json and no case fails.
declare -A case=(
	["abi show"]="2 abi show stray"
	["abi negotiate"]="1 abi negotiate --host-versions 1.0 --guest-min 2.0 --guest-max 2.9"
	["dt read"]="2 dt read $TMP/garbage"
	["state show"]="2 state show $TMP/garbage"
	["state convert"]="1 state convert --to-version 1 $data/v2-abi-1.1.pvstate $TMP/never"
	["state check"]="2 state check $data/v2-be.pvstate --to-offer $TMP/garbage"
	["patch scan"]="2 patch scan $TMP/garbage"
	["patch apply"]="2 patch apply $TMP/code.bin --arch ppc32 -o /dev/full"
	["patch policy"]="2 patch policy $TMP/garbage"
	["sim"]="2 sim --vcpus 0"
	["list"]="3 list --address $nobus"
	["show"]="3 show vm1 --address $nobus"
	["enable"]="3 enable vm1 --address $nobus"
	["disable"]="3 disable vm1 --address $nobus"
	["reset"]="3 reset vm1 --address $nobus"
	["policy"]="3 policy vm1 --address $nobus"
	["offer"]="3 offer --address $nobus"
	["migrate-check"]="3 migrate-check vm1 --to-offer $TMP/garbage --address $nobus"
)
if [ "$module" = absent ]; then
	case["kmod status"]="3 kmod status"
	case["kmod policy"]="3 kmod policy --vm 1 --reset"
	case["kmod inject"]="3 kmod inject --vm 1 --vcpu 0"
else
	case["kmod status"]="2 kmod status --vm 0"
	case["kmod policy"]="2 kmod policy --vm 1"
	case["kmod inject"]="2 kmod inject --vm 1"
fi

plan $((4 * ${#subs[@]} + 1 + 7))

# shape: checks $TMP/out (one JSON refusal, its three keys first) and
# prints "ERROR<tab>MESSAGE", or what is wrong.
shape() {
	python3 - "$TMP/out" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
if text.count("\n") != 1 or not text.endswith("\n"):
    sys.exit(print("not one line: %r" % text))
try:
    d = json.loads(text)
except ValueError as e:
    sys.exit(print("not JSON: %s: %r" % (e, text)))
if not isinstance(d, dict) or list(d)[:3] != ["ok", "error", "message"]:
    sys.exit(print("not the shape: %r" % text))
if d["ok"] is not False or not isinstance(d["error"], str) or not d["error"] \
        or not isinstance(d["message"], str) or not d["message"]:
    sys.exit(print("bad members: %r" % text))
print("%s\t%s" % (d["error"], d["message"]))
PY
}

# refuses EXIT NAME-OR-* DESCRIPTION ARGS...: both forms, the same message.
refuses() {
	local want=$1 name=$2 what=$3 got msg
	shift 3
	run "$PVCTL" "$@" --json
	got=$(shape)
	msg=${got#*$'\t'}
	[ "$name" = '*' ] || [ "${got%%$'\t'*}" = "$name" ] || got="error is not $name: $got"
	is "$rc:$got:$err" "$want:${got%%$'\t'*}"$'\t'"$msg:" "$what --json: exit $want, one refusal object, nothing on stderr"
	run "$PVCTL" "$@"
	is "$rc:$out:$err" "$want::pvctl: $msg" "$what: exit $want, the one line on stderr, the same message"
}

missing=
for s in "${subs[@]}"; do
	if [ -z "${case[$s]}" ]; then
		missing+=" '$s'"
		_n=$((_n + 2))
		echo "not ok $((_n - 1)) - $s: no refusal case"
		echo "not ok $_n - $s: no refusal case"
		_failed=$((_failed + 2))
	else
		# shellcheck disable=SC2086
		refuses ${case[$s]%% *} '*' "$s" ${case[$s]#* }
	fi
	# shellcheck disable=SC2086
	refuses 2 bad-usage "$s --no-such-option" $s --no-such-option
done
is "${missing# }" "" "every subcommand with --json has a refusal case (${#subs[@]}: ${subs[*]})"

# Names, where a case has a stable one.
run "$PVCTL" abi frobnicate --json
is "$rc:$(shape)" "2:bad-usage	'abi frobnicate' is not a command; see 'pvctl help abi'" \
	"an unknown verb with --json is refused in JSON"
run "$PVCTL" dt read "$TMP/missing.dtb" --json
is "$(shape)" "io-error	$TMP/missing.dtb: No such file or directory" "an unreadable file: io-error"

# Writing: a short write is a refusal, nothing leaks (the sanitizer build
# runs LSan), and an existing file stays whole.
run "$PVCTL" dt write --host-versions 1.0 -o /dev/full
is "$rc:$out:$err" "2::pvctl: /dev/full: No space left on device" "dt write -o /dev/full: one line"
run "$PVCTL" state convert --to-version 2 "$data/v2-be.pvstate" /dev/full --json
is "$rc:$(shape)" "2:io-error	/dev/full: No space left on device" "state convert to /dev/full: io-error"
printf 'old contents\n' >"$TMP/keep.bin"
chmod 640 "$TMP/keep.bin"
# 1 KiB at most per file, and SIGXFSZ ignored: the write fails with EFBIG.
run bash -c 'trap "" XFSZ; ulimit -f 1; exec "$@"' sh \
	"$PVCTL" patch apply "$TMP/code.bin" --arch ppc32 -o "$TMP/keep.bin"
is "$rc:$err:$(cat "$TMP/keep.bin")" "2:pvctl: $TMP/keep.bin: File too large:old contents" \
	"patch apply cut short by a file-size limit: refused, the old file whole"
is "$(ls "$TMP" | grep -c '^keep\.bin\.')" 0 "no temporary left behind"
run "$PVCTL" patch apply "$TMP/code.bin" --arch ppc32 -o "$TMP/keep.bin"
"$PVCTL" patch apply "$TMP/code.bin" --arch ppc32 -o "$TMP/new.bin" >/dev/null
is "$rc:$(stat -c %a "$TMP/keep.bin"):$(cmp "$TMP/keep.bin" "$TMP/new.bin" && echo same)" \
	"0:640:same" "written in full otherwise, keeping the file's mode"
done_testing
