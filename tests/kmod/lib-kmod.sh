# Sourced by the module's maintainer checks after tests/lib.sh, and by the
# runners that boot Debian's kernel under QEMU (tests/kmod/run-in-qemu,
# tests/vm/run-libvirt-host).
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

# The functions below need bash alone (not tests/lib.sh): the runners that
# boot a kernel under QEMU use them too.

# kmod_kdir: set KDIR to the kernel build tree (default: configure's, else
# the newest /lib/modules/*/build) and krel to its Debian release name
# (6.1.0-56-amd64); return 1 when there is none.
kmod_kdir() {
	local d
	if [ -z "${KDIR:-}" ]; then
		for d in "/lib/modules/$(uname -r)/build" $(ls -d /lib/modules/*/build 2>/dev/null | sort -rV); do
			[ -f "$d/Makefile" ] && { KDIR=$d; break; }
		done
	fi
	[ -n "${KDIR:-}" ] && [ -f "$KDIR/Makefile" ] || return 1
	# Debian's headers name the release in their directory, not in
	# include/config/kernel.release (which holds the upstream version).
	krel=$(basename "$(readlink -f "$KDIR")")
	krel=${krel#linux-headers-}
}

# kmod_build DIR: build pvabi.ko against $KDIR in DIR (DIR/pvabi.ko), the
# build's output in DIR.log.
kmod_build() {
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s -C "$top_srcdir/kmod" \
		B="$1" KDIR="$KDIR" >"$1.log" 2>&1
}

# kmod_boot CONSOLE MARKER QEMU-ARG...: run qemu-system-x86_64 with the
# arguments and its console in CONSOLE until it exits, or until it has run
# $kmod_run_timeout seconds (default 900) after MARKER appeared in CONSOLE.
# TCG on a loaded host can stall a kernel before its /init: a guest that has
# not printed MARKER within $kmod_boot_timeout seconds (default 180) is
# killed and booted once more (the stalled console kept as
# CONSOLE without .log, then -stalled-N.log).  Before it kills a guest that
# ran out of time it calls kmod_before_kill, when the caller defines it.
# Returns QEMU's exit status, 124 when MARKER never came.
kmod_boot() {
	local console=$1 marker=$2 attempt t qpid
	shift 2
	for attempt in 1 2; do
		qemu-system-x86_64 "$@" </dev/null >"$console" 2>&1 &
		qpid=$!
		for ((t = 0; t < ${kmod_boot_timeout:-180}; t++)); do
			grep -q "$marker" "$console" && break
			kill -0 $qpid 2>/dev/null || break
			sleep 1
		done
		if grep -q "$marker" "$console" || ! kill -0 $qpid 2>/dev/null; then
			for ((t = 0; t < ${kmod_run_timeout:-900}; t++)); do
				kill -0 $qpid 2>/dev/null || break
				sleep 1
			done
			if kill -0 $qpid 2>/dev/null &&
				declare -F kmod_before_kill >/dev/null; then
				kmod_before_kill
			fi
			kill $qpid 2>/dev/null
			wait $qpid
			return
		fi
		kill $qpid
		wait $qpid
		echo "# guest did not reach /init in ${kmod_boot_timeout:-180} s (attempt $attempt); its console ended with:"
		tr -d '\r' <"$console" | tail -5 | sed 's/^/#   /'
		cp "$console" "${console%.log}-stalled-$attempt.log"
	done
	return 124
}
