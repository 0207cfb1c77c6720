#!/bin/sh
# pvvm bench in miniature: it runs on real KVM and writes the JSON shape
# the issue fixes (the figures themselves are for make bench).
. "$(dirname "$0")/kvm-lib.sh"
plan 3

run "$PVVM" bench --quick --count 200 --notify-count 1000 --json
is "$rc" 0 "pvvm bench --quick runs"
[ "$rc" = 0 ] || printf "# %s\n" "$err"
is "$(json 'sorted(d) == ["exit_roundtrip_ns", "p1", "p2"] and sorted(d["p1"]) == ["pv_ns", "ratio", "trap_ns"] and sorted(d["p2"]) == ["no_notify", "notify", "trap"] and sorted(d["p2"]["trap"]) == ["count", "max_ns", "p50_ns", "p99_ns"] and sorted(d["p2"]["notify"]) == ["count", "dup", "lost", "max_ns", "p50_ns", "p99_ns"] and sorted(d["p2"]["no_notify"]) == ["count", "p50_ns", "p99_ns", "stalled"]')" \
	"True" "the JSON has exactly the agreed shape"
is "$(json 'd["p2"]["notify"]["count"], d["p2"]["notify"]["lost"], d["p2"]["notify"]["dup"]')" \
	"1000 0 0" "1000 injections with the notification page: 0 lost, 0 duplicated"
done_testing
