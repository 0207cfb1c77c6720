#!/bin/bash
# The packages on a booted Debian 12 with systemd as PID 1: Debian's kernel
# under QEMU (TCG) boots a minimal root (tests/pkg/boot-root, cached) as its
# initramfs, with the .debs tests/pkg/deb.sh built; tests/pkg/boot-guest.sh
# installs them with dpkg, starts pvctld, uses pvctl over the system bus,
# man and bash completion, stops and removes them, and reports on the serial
# console; its lines become this test's TAP lines.
#
# Environment: PVABI_BOOT_TIMEOUT (seconds for the whole guest, default
# 600; the polkit cases, removing polkitd among them, take about 130 s of
# it under TCG), PVABI_BOOT_CACHE (see tests/pkg/boot-root), PVABI_CACHE (the kernel,
# see tests/kmod/debian-kernel).
set -e
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
[ -z "${PVABI_SANITIZER_BUILD:-}" ] ||
	skip_all "no user-space code of ours runs here; the unsanitized pass runs this test"
debs=$top_builddir/tests/pkg/debs
for p in libpvabi0 libpvabi-dev pvabi-tools; do
	ls "$debs/${p}_"*.deb >/dev/null 2>&1 ||
		skip_all "no $p package in $debs (tests/pkg/deb.sh builds them)"
done
for t in qemu-system-x86_64 cpio dpkg-deb; do
	command -v $t >/dev/null || skip_all "$t missing (./quickstart installs it)"
done
# The kernel of linux-headers-amd64, as tests/kmod/run-in-qemu boots it.
krel=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null |
	sed -n 's/^linux-headers-\([^ ,]*\).*/\1/p')
[ -n "$krel" ] || skip_all "linux-headers-amd64 not installed (./quickstart installs it)"
kernel=$("$top_srcdir/tests/kmod/debian-kernel" "$krel" 2>&1) || skip_all "$kernel"
pkgs=$(ls "$debs"/libpvabi0_*.deb "$debs"/libpvabi-dev_*.deb "$debs"/pvabi-tools_*.deb)
root=$("$top_srcdir/tests/pkg/boot-root" $pkgs 2>"$TMP/root.err") ||
	{ sed -n 's/^# /# /p' "$TMP/root.err"; skip_all "$(tail -1 "$TMP/root.err")"; }
sed -n '/^# /p' "$TMP/root.err"

# What the guest gets on top of the root: the packages, the checks and the
# unit that runs them; a fixed machine-id, so this is no first boot
# (systemd-firstboot would prompt on the console); no getty on the console.
ov=$TMP/overlay
mkdir -p "$ov/root/pvabi" "$ov/etc/systemd/system/multi-user.target.wants"
cp $pkgs "$ov/root/pvabi/"
# pvabi.ko for this kernel, built here (pvabi-dkms would need a compiler
# and headers in the guest): the guest loads it after pvctld started.
. "$top_srcdir/tests/kmod/lib-kmod.sh"
if KDIR=/usr/src/linux-headers-$krel kmod_build "$TMP/kbuild"; then
	cp "$TMP/kbuild/pvabi.ko" "$ov/root/pvabi/"
else
	echo "# pvabi.ko does not build against $krel: the /dev/pvabi checks are left out"
fi
install -m 755 "$top_srcdir/tests/pkg/boot-guest.sh" "$ov/root/pvabi/guest.sh"
cat >"$ov/etc/systemd/system/pvabi-boot-test.service" <<'EOF'
[Unit]
Description=pvabi package checks
After=multi-user.target
[Service]
Type=oneshot
ExecStart=/root/pvabi/guest.sh
EOF
ln -s ../pvabi-boot-test.service "$ov/etc/systemd/system/multi-user.target.wants/"
ln -s /dev/null "$ov/etc/systemd/system/serial-getty@ttyS0.service"
echo 70766162692d626f6f742d746573740a >"$ov/etc/machine-id"
echo pvabi-boot >"$ov/etc/hostname"
# The kernel unpacks concatenated archives in order: the overlay wins.
(cd "$ov" && find . | cpio -o -H newc -R 0:0 --quiet) | cat "$root" - >"$TMP/initrd"

# Boot: rdinit makes systemd PID 1 of the unpacked initramfs, which stays
# the root (no /etc/initrd-release, so systemd boots it as the real system).
# The timer options are run-in-qemu's, for TCG on a loaded host.
timeout=${PVABI_BOOT_TIMEOUT:-600}
console=$top_builddir/tests/pkg/boot-console.log
start=$SECONDS
timeout -k 5 "$timeout" qemu-system-x86_64 -accel tcg -m 1536 -smp 2 \
	-nographic -no-reboot -nic none -kernel "$kernel" -initrd "$TMP/initrd" \
	-append "console=ttyS0 rdinit=/sbin/init quiet loglevel=3 systemd.show_status=false edd=off no_timer_check lpj=4000000 panic=-1" \
	</dev/null >"$console" 2>&1 && qrc=0 || qrc=$?
echo "# qemu ran $((SECONDS - start)) s (exit $qrc)"

tr -d '\r' <"$console" | awk -v qrc="$qrc" '
	!/PVABI-BOOT / { next }
	{ sub(/^.*PVABI-BOOT /, "") }
	/^begin/ { began = $2; print "# guest: systemd ran the checks " began " s after the kernel started"; next }
	/^end/ { done = 1; printf "# guest: the checks took %d s\n", $2 - began; next }
	/^(ok|not ok) - / {
		n++
		st = ($1 == "ok") ? "ok" : "not ok"
		if (st == "not ok") failed++
		sub(/^(ok|not ok) - /, "")
		printf "%s %d - %s\n", st, n, $0
		next
	}
	/^# / { print; next }
	END {
		if (!done) {
			n++; failed++
			printf "not ok %d - the guest ran its checks to the end (qemu exit %d%s)\n",
				n, qrc, began ? "" : ", systemd never started them"
		}
		printf "1..%d\n", n
		exit failed ? 1 : 0
	}' || { tr -d '\r' <"$console" | grep -v 'PVABI-BOOT ' | tail -40 | sed 's/^/# console: /'; exit 1; }
