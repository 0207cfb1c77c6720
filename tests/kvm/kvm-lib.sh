# Shared by the KVM tests: find pvvm, skip with the reason where KVM is not
# usable, and read pvvm's JSON.
. "$top_srcdir/tests/lib.sh"
PVVM=${PVVM:-$top_builddir/tools/pvvm/pvvm}
[ -x "$PVVM" ] || skip_all "pvvm not built (it needs an x86-64 Linux host)"
[ -e /dev/kvm ] || skip_all "/dev/kvm is missing"
[ -r /dev/kvm ] && [ -w /dev/kvm ] || skip_all "/dev/kvm is not read-writable for $(id -un)"
command -v python3 >/dev/null || skip_all "python3 is missing"
# pvvm exits 3 (pvctl's "unavailable") only when KVM itself is unusable; any
# other failure of the probe is left to the tests, which then fail.
"$PVVM" run --quiet >/dev/null 2>"$TMP/probe"
[ $? -eq 3 ] && skip_all "KVM unusable: $(cat "$TMP/probe")"

# jq-like: json EXPR reads $out and prints the Python expression on d
json() {
	printf '%s' "$out" | python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"
}
