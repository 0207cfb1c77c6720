# Sourced by tools/demo/demo: the interrupt delivery protocol, live.
step "Delivery: 50000 interrupts into a guest thread that idles tickless; the notification page is a real page, its trap a real SIGSEGV"
show "$pvctl" sim --injections 50000 --seed 1 --json
echo "  (deferred: held back by a critical section; notify_traps: the doorbell stores that trapped and delivered them)"

step "The same without the notification page: the seed's race"
show "$pvctl" sim --injections 50000 --seed 1 --no-notify --json || true
echo "  (stalled: interrupts that sat >= 100 ms on an idle guest with interrupts on, until pvabi's deferral bound fetched them;"
echo "   the seed's host had no bound: they would have waited for an unrelated exit)"
