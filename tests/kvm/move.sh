#!/bin/sh
# A running guest moves to a new pvvm process: stopped inside a critical
# section with an interrupt deferred, saved (the pvabi part as a migration
# stream), restored elsewhere.  The guest's own log and counters must show
# the deferred interrupt taken once, in order, when it left the section.
. "$(dirname "$0")/kvm-lib.sh"
plan 16
snap=$TMP/guest.snap

# save ARGS...: pvvm run --save-to $snap; a loaded host may miss the
# window, so up to three tries.
save() {
	for try in 1 2 3; do
		run "$PVVM" run --guest window --bound-ms 5000 --quiet \
			--save-to "$snap" "$@"
		[ "$rc" -eq 0 ] && return 0
		echo "# try $try: $err"
	done
	return 1
}
# pending at the save == taken in order, and how many inside a section
restored() {
	json "str(d['restored']['pending_at_save'] >= 1 and d['restored']['pending_at_save'] == d['restored']['in_order']) + ' ' + str(d['restored']['in_critical'])"
}

save --save-at deferred
is "$rc" 0 "saved with an interrupt deferred inside a critical section"
ok $(printf '%s' "$err" | grep -q ' [1-9][0-9]* interrupts pending'; echo $?) "interrupts pending at the save"

# The pvabi part is a migration stream that pvctl reads.
python3 - "$snap" "$TMP/guest.pvstate" <<'PY'
import struct, sys
data = open(sys.argv[1], 'rb').read()
start = data.find(b'\x89PVSTATE')
off = start + 24
while True:
    t, n = struct.unpack_from('<II', data, off)
    off += 8 + ((n + 7) & ~7)
    if t == 0:
        break
open(sys.argv[2], 'wb').write(data[start:off])
PY
run "$PVCTL" state show --json "$TMP/guest.pvstate"
is "$rc" 0 "pvctl state show reads the saved pvabi state"
is "$(json "d['version'], d['vcpus'][0]['deferred'], d['vcpus'][0]['notify_armed'], len(d['vcpus'][0]['pending']) >= 1")" \
	"2 True True True" "vCPU 0: deferred, notification page armed, vectors pending"

run "$PVVM" run --restore "$snap" --json --quiet
is "$rc" 0 "restored in a new process"
is "$(restored)" "True 0" "the deferred vectors taken once each, in order, outside the section"
is "$(json "d['restored']['counted'] == d['restored']['pending_at_save'], [v['exit_status'] for v in d['vcpus']]")" \
	"True [0]" "the guest counted them and finished cleanly"
# The armed page must make the doorbell store that ends the section trap.
# On a loaded host an unrelated exit between leaving the section and that
# store may deliver first (as the protocol allows): once in three moves.
doorbell=$(json "d['restored']['doorbell_traps']")
for try in 2 3; do
	[ "$doorbell" -ge 1 ] && break
	save --save-at deferred
	run "$PVVM" run --restore "$snap" --json --quiet
	doorbell=$(json "d['restored']['doorbell_traps']")
done
ok $([ "$doorbell" -ge 1 ]; echo $?) "delivered by the doorbell store that ends the section"

# Two vCPUs; vCPU 1 is stopped wherever it is.
save --save-at deferred --vcpus 2
run "$PVVM" run --restore "$snap" --json --quiet
is "$rc:$(restored)" "0:True 0" "two vCPUs: the deferred vectors taken in order"
is "$(json "[v['exit_status'] for v in d['vcpus']]")" "[0, 0]" \
	"both vCPUs finished cleanly"

# Stopped inside a section without waiting for a deferral; then the
# restored guest takes twenty more interrupts.
save --save-at critical
run "$PVVM" run --restore "$snap" --json --quiet --injections 20
is "$rc" 0 "saved inside a critical section, restored"
is "$(json "d['injections']['injected'], d['injections']['delivered'], d['injections']['lost'], d['injections']['dup'], d['injections']['reordered']")" \
	"20 20 0 0 0" "20 more interrupts after the move: none lost, duplicated or reordered"
is "$(json "d['restored']['ok']")" "True" "what was pending at the save arrived first"

# A damaged stream is refused whole, with libpvabi's reason.
python3 - "$snap" "$TMP/bad.snap" <<'PY'
import sys
data = bytearray(open(sys.argv[1], 'rb').read())
data[data.find(b'\x89PVSTATE') + 0x80] ^= 1
open(sys.argv[2], 'wb').write(data)
PY
run "$PVVM" run --restore "$TMP/bad.snap" --quiet
is "$rc" 2 "a damaged pvabi stream: exit 2"
ok $(printf '%s' "$err" | grep -q 'pvabi state: record END (0x00000000) at offset 0x[0-9a-f]*: checksum'; echo $?) \
	"the reason names the record and its offset ($err)"
run "$PVVM" run --restore "$TMP/missing.snap" --quiet
is "$rc" 2 "a missing file: exit 2"
done_testing
