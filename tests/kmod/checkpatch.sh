#!/bin/bash
# checkpatch.pl --no-tree over pvabi.ko's sources and the libpvabi files the
# module compiles.  checkpatch.pl is not in Debian's linux-headers or
# linux-kbuild packages; it is in linux-source-X.Y, which this test fetches
# once into the cache (extracting three files), like run-in-qemu's kernel.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
cache=${PVABI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pvabi/kmod-qemu}

find_checkpatch() {
	local c
	for c in "${CHECKPATCH:-}" "${KDIR:-/nonexistent}/scripts/checkpatch.pl" \
		/usr/src/linux-source-*/scripts/checkpatch.pl \
		"$cache"/linux-source-*/scripts/checkpatch.pl; do
		[ -n "$c" ] && [ -f "$c" ] && { echo "$c"; return 0; }
	done
	return 1
}

fetch_checkpatch() {
	local pkg deb
	pkg=$(apt-cache depends linux-source 2>/dev/null | awk '/Depends: linux-source-/ { print $2; exit }')
	[ -n "$pkg" ] || return 1
	mkdir -p "$cache" && cd "$cache" || return 1
	apt-get download -q "$pkg" >/dev/null 2>&1 || return 1
	deb=$(ls "$pkg"_*.deb | head -1)
	dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$pkg.tar.xz" |
		tar -xJ "$pkg/scripts/checkpatch.pl" "$pkg/scripts/spelling.txt" \
			"$pkg/scripts/const_structs.checkpatch" || return 1
	rm -f "$deb"
}

cp=$(find_checkpatch) || { (fetch_checkpatch) && cp=$(find_checkpatch); } ||
	skip_all "checkpatch.pl not found and linux-source cannot be fetched"

cd "$top_srcdir"
files=()
for g in $(grep -v '^#' tests/lint/kernel-style-files); do
	for f in $g; do [ -f "$f" ] && files+=("$f"); done
done
plan ${#files[@]}
for f in "${files[@]}"; do
	ign=()
	# abi.h's pvabi_g16_t..g64_t are byte-order types, __bitwise under
	# sparse like the kernel's __le32: the one place a typedef is right.
	[ "$f" = libpvabi/include/pvabi/abi.h ] && ign=(--ignore NEW_TYPEDEFS)
	run perl "$cp" --no-tree --terse --show-types "${ign[@]}" -f "$f"
	ok $rc "checkpatch.pl --no-tree $f"
	[ $rc -eq 0 ] || sed 's/^/# /' "$TMP/out"
done
done_testing
