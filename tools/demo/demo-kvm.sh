# pvvm: pvabi on real KVM.  Sourced by tools/demo/demo (step, show, $top).
pvvm="$top/tools/pvvm/pvvm"
step "pvvm: a small KVM monitor whose guest uses the magic page"
if [ ! -x "$pvvm" ]; then
	echo "  skipped: pvvm is not built here (it needs an x86-64 Linux host)"
elif [ ! -e /dev/kvm ]; then
	echo "  skipped: /dev/kvm is missing (no KVM on this machine)"
elif ! { [ -r /dev/kvm ] && [ -w /dev/kvm ]; }; then
	echo "  skipped: /dev/kvm is not read-writable for $(id -un)"
elif kvm_why=$("$pvvm" run --quiet 2>&1 >/dev/null); [ $? -eq 3 ]; then
	# 3: KVM is unusable; any other failure shows in the steps below.
	echo "  skipped: KVM is not usable: $kvm_why"
else
	echo "The guest discovers the host's offer by hypercall, negotiates, maps"
	echo "its magic page and notification page, and toggles its interrupt"
	echo "enable through the page; a host thread injects at random times."
	show "$pvvm" run --vcpus 2 --injections 1000
	step "The same guest without pvabi: every privileged operation traps"
	show "$pvvm" run --trap --injections 1000
	step "The seed's race, on purpose: interrupts aimed after the guest read int_pending"
	echo "Without the notification page (and no deferral bound, as the seed's"
	echo "host) each one stalls until something unrelated exits the guest:"
	show "$pvvm" run --guest window --aim-window --injections 5 --features none --bound-ms 0 --quiet
	echo "With it, the guest's doorbell store traps and delivers at once:"
	show "$pvvm" run --guest window --aim-window --injections 5 --quiet
	step "A VM saved inside a critical section with an interrupt deferred, restored in a new process"
	show "$pvvm" run --guest window --save-to "$work/vm.snap" --save-at deferred --quiet
	show "$pvvm" run --restore "$work/vm.snap" --quiet
	step "Hostile guests beside a well-behaved one: the host holds"
	echo "Each hostile guest runs in the same pvvm process as a tickless idle"
	echo "guest; both get interrupts.  Nothing is lost, the deferral bound"
	echo "forces what a guest that never leaves its critical section holds"
	echo "back, and every bad negotiation gets its documented error."
	show "$pvvm" hostile --guest all --injections 300
	step "The benchmark, small (make bench runs the full one)"
	show "$pvvm" bench --quick
fi
