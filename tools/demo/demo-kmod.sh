# Sourced by tools/demo/demo: pvabi.ko, tested in a real kernel under QEMU.
step "pvabi.ko: this machine's kernel never loads it, and pvctl says so (exit 3)"
set +e
show "$pvctl" kmod status
echo "(exit status $?)"
set -e

step "pvabi.ko inside a real Debian kernel under QEMU (TCG): the notification page traps, the bound forces, 10^4 injections"
echo "(builds the module, fetches the matching linux-image once into ~/.cache/pvabi, boots it: about a minute)"
set +e
PVABI_STRESS=10000 PVABI_CASES=defer,bound,pvctl top_srcdir="$top" top_builddir="$top" \
	"$top/tests/kmod/run-in-qemu" |
	grep -E '^(not )?ok .*(trap|bound|forked|stress)|^# (stress|\$ pvctl)|^kmod-in-qemu'
set -e
