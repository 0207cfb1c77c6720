#!/bin/sh
# A real exception inside a critical section (docs/delivery.md, "the
# nesting rule"): the guest stores to a page that is not present between
# entering and leaving a section, the host aims its injections at that
# section, and the page fault's handler turns interrupts on and off with
# templates of its own.  With ABI 1.1's nesting negotiated and the host
# using the memory-only predicate (critical != 0, all pvabi.ko serving QEMU
# can read), no interrupt may land inside a section, none be lost or
# duplicated, and the handler's templates must have run inside interrupted
# sections.
. "$(dirname "$0")/kvm-lib.sh"
plan 3

# A long bound: a preempted vCPU on a loaded machine must not be forced.
# PVVM_DEBUG: pvvm also describes the vCPU at an interrupt's first stall,
# which a failed run prints beside its description at the give-up.
export PVVM_DEBUG=1
run "$PVVM" run --guest exception-in-section --abi 1.1 \
	--features notify,nesting --guest-features notify,nesting \
	--predicate memory --aim-window --injections 10000 --bound-ms 5000 \
	--json --quiet
line=$(printf '%s\n' "$err" | grep '^pvvm exception-in-section:')
printf '# %s\n' "$line"
# A failed run: everything pvvm said, and its JSON.
[ "$rc" = 0 ] || { printf '%s\n' "$err" "$out" | sed 's/^/#   /'; }
is "$rc" 0 "pvvm exits 0"
ok "$(case "$line" in *" lost 0 duplicated 0 inside 0 nested "*) echo 0;; *) echo 1;; esac)" \
	"nothing lost, duplicated or delivered inside a section"
is "$(json 'd["injections"]["injected"] == d["injections"]["delivered"] == 10000 and d["vcpus"][0]["nested"] > 0 and d["vcpus"][0]["faults"] > 0')" \
	"True" "10000 injected and delivered; handler templates ran inside interrupted sections"
done_testing
