#!/bin/bash
# dpkg-buildpackage builds libpvabi0, libpvabi-dev, pvabi-tools, pvabi-dkms
# and cockpit-pvabi from a copy of the source; lintian finds no errors; the
# packages unpacked into a scratch root run 'pvctl abi show'.  The packages
# stay in tests/pkg/debs for tests/pkg/boot.sh.
set -e
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
[ -z "${PVABI_SANITIZER_BUILD:-}" ] ||
	skip_all "no user-space code of ours runs here; the unsanitized pass runs this test"
for t in dpkg-buildpackage dh lintian fakeroot; do
	command -v $t >/dev/null || skip_all "$t not installed (apt-get install dpkg-dev debhelper lintian fakeroot)"
done
[ -d "$top_srcdir/debian" ] || skip_all "no debian/ in this tree"
plan 8

# The copy: the files git tracks, or (in a release tarball, which may sit
# inside a git checkout, as make distcheck's does) every file.
src=$TMP/pvabi
mkdir -p "$src"
if [ "$(git -C "$top_srcdir" rev-parse --show-toplevel 2>/dev/null)" = "$(cd "$top_srcdir" && pwd -P)" ]; then
	git -C "$top_srcdir" ls-files -z | (cd "$top_srcdir" && xargs -0 cp --parents -t "$src")
else
	cp -a "$top_srcdir/." "$src"
fi
run sh -c "cd '$src' && DEB_BUILD_OPTIONS='nocheck parallel=2' dpkg-buildpackage -us -uc -b"
is "$rc" 0 "dpkg-buildpackage -us -uc -b"
[ "$rc" -eq 0 ] || tail -30 "$TMP/out" | sed 's/^/# /'
debs_dir=$top_builddir/tests/pkg/debs
rm -rf "$debs_dir"
if [ "$rc" -eq 0 ]; then
	mkdir -p "$debs_dir"
	ls "$TMP"/*.deb | grep -v dbgsym | xargs cp -t "$debs_dir"
fi

debs=$(ls "$TMP"/*.deb 2>/dev/null | grep -v dbgsym | sort | xargs -n1 basename | sed 's/_.*//' | tr '\n' ' ')
is "$debs" "cockpit-pvabi libpvabi-dev libpvabi0 pvabi-dkms pvabi-tools " "the five packages"

run lintian --tag-display-limit 0 "$TMP"/*.changes
errors=$(grep -c '^E: ' "$TMP/out" || true)
is "$rc:$errors" "0:0" "lintian: no errors"
grep '^[EW]: ' "$TMP/out" | sed 's/^/# /' | head -40

root=$TMP/root
for d in "$TMP"/*.deb; do dpkg-deb -x "$d" "$root"; done
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
run env LD_LIBRARY_PATH="$root/usr/lib/$multiarch" "$root/usr/bin/pvctl" abi show --json
is "$rc" 0 "pvctl abi show from the unpacked packages"
ok $(grep -q '"page_size":4096' <<<"$out"; echo $?) "prints the layout"
ok $([ -f "$root/usr/src/pvabi-0.1.0/dkms.conf" ] && [ -f "$root/lib/systemd/system/pvctld.service" ]; echo $?) "dkms source and systemd unit are packaged"
ok $([ -f "$root/usr/share/man/man8/pvctl.8.gz" ] && [ -f "$root/usr/share/man/man1/pvvm.1.gz" ] &&
	[ -f "$root/usr/share/bash-completion/completions/pvctl" ]; echo $?) "man pages and completion are packaged"
ok $([ -f "$root/usr/share/cockpit/pvabi/manifest.json" ] && [ -f "$root/usr/share/cockpit/pvabi/pvabi.js" ] &&
	dpkg-deb -f "$TMP"/cockpit-pvabi_*.deb Depends | grep -q cockpit-bridge; echo $?) "the Cockpit page is packaged, depending on cockpit-bridge"
done_testing
