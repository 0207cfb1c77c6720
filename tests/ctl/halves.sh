#!/bin/bash
# A change is all or nothing across a running VM's live and persistent
# definitions: libvirt is made to refuse the live half after the persistent
# half took (tests/ctl/fail-metadata.c, preloaded into pvctld), and pvctld
# puts the persistent half back, or says which half holds what.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-ctl.sh"

command -v dbus-daemon >/dev/null || skip_all "dbus-daemon not installed"
shim=$top_builddir/tests/ctl/.libs/libfail-metadata.so
[ -f "$shim" ] || skip_all "$shim is not built (a --disable-shared build)"
# ASan must be the first library loaded; a preloaded shim before it stops
# the daemon from starting.  The shim's own logic is plain C the main build
# runs.
[ -z "${PVABI_SANITIZER_BUILD:-}" ] ||
	skip_all "a preloaded libvirt shim and ASan's runtime do not mix"
plan 9

ctl_bus halves
export PVABI_FAIL_METADATA=$TMP/fail PVABI_FAIL_METADATA_LOG=$TMP/calls
: >"$TMP/fail"
# The test driver's domain "test" is persistent and running.
LD_PRELOAD=$shim ctl_daemon "$addr" "$TMP/pvctld.log" --connect test:///default
export PVCTL_BUS_ADDRESS=$addr

features() { "$PVCTL" show test --json | python3 -c 'import json,sys; print(",".join(json.load(sys.stdin)["features"]))'; }

run "$PVCTL" enable test
is "$rc" 0 "enable writes both halves"
# Enabling adds pvabi's device: the persistent half is one definition
# holding it and the metadata.
is "$(cat "$TMP/calls")" $'config define ok\nlive set ok' \
	"the persistent half first, then the live one"
before=$(features)

: >"$TMP/calls"
echo live >"$TMP/fail"
run "$PVCTL" enable test --features notify
is "$rc" 1 "the live half refused: the change fails"
case $err in *"refused the change"*"nothing changed"*) r=0 ;; *) r=1 ;; esac
ok $r "and says that nothing changed"
echo "# $err"
is "$(cat "$TMP/calls")" $'config set ok\nlive set fail\nconfig set ok' \
	"the persistent half was put back"
: >"$TMP/fail"
is "$(features)" "$before" "the running VM keeps its features ($before)"

# Neither the live half nor the way back can be written: the error says
# which half holds what.
: >"$TMP/calls"
echo live-then-config >"$TMP/fail"
run "$PVCTL" enable test --features notify
is "$rc" 1 "live half and way back refused: the change fails"
case $err in *"next boot"*"running VM keeps the old"*) r=0 ;; *) r=1 ;; esac
ok $r "and says which half holds what"
echo "# $err"
is "$(cat "$TMP/calls")" $'config set ok\nlive set fail\nconfig set fail' \
	"the way back was tried"
done_testing
