# Sourced by the module's maintainer checks after tests/lib.sh.
#
# kernel_style_files: the files held to the kernel's style, one a line
# (tests/lint/kernel-style-files: pvabi.ko's sources and the libpvabi files it
# compiles or includes).
kernel_style_files() {
	local g f
	for g in $(grep -v '^#' "$top_srcdir/tests/lint/kernel-style-files"); do
		for f in $top_srcdir/$g; do [ -f "$f" ] && echo "${f#$top_srcdir/}"; done
	done
}

# kernel_scripts: set $ks to the directory of the kernel's maintainer scripts
# (tests/kmod/kernel-scripts), or skip the whole test with the reason.
kernel_scripts() {
	ks=$("$top_srcdir/tests/kmod/kernel-scripts" 2>"$TMP/ks") ||
		skip_all "$(cat "$TMP/ks")"
}

# plant FILE: copy the module's sources (kmod/ and libpvabi/) to $TMP/plant
# and print the copy of FILE, for a check to plant a fault in and prove that
# it reports it.
plant() {
	rm -rf "$TMP/plant"
	mkdir -p "$TMP/plant"
	cp -r "$top_srcdir/kmod" "$top_srcdir/libpvabi" "$TMP/plant/"
	rm -rf "$TMP/plant/kmod/build"
	echo "$TMP/plant/$1"
}
