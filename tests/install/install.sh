#!/bin/bash
# make install DESTDIR=...: the installed file list is exactly the expected
# one (tests/install/expected-files, relative to the prefix; configure's
# defaults put everything, /etc and unit files too, below it), the library
# resolves, pvctl runs from there, and the man pages render.
set -e
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
plan 9
dest=$TMP/root
prefix=$(sed -n 's/^prefix = //p' "$top_builddir/Makefile")
run make -s -C "$top_builddir" install DESTDIR="$dest"
is "$rc" 0 "make install DESTDIR=... succeeds"

(cd "$dest$prefix" && find . -type f -o -type l | sed 's|^\./||' | sort) > "$TMP/got"
sed -e '/^#/d' -e '/^$/d' "$top_srcdir/tests/install/expected-files" | sort > "$TMP/want"
sort -o "$TMP/got" "$TMP/got"
diff -u "$TMP/want" "$TMP/got" > "$TMP/diff" || true
is "$(cat "$TMP/diff")" "" "installed files are exactly the expected ones"
sed 's/^/# /' "$TMP/diff"

run env LD_LIBRARY_PATH="$dest$prefix/lib" "$dest$prefix/bin/pvctl" abi show --json
is "$rc" 0 "installed pvctl runs against the installed libpvabi"
# The other two programs, found beside pvctl when not where they install:
# a VM command's usage error comes from pvctl-bus alone (no pvctl-host
# beside it yet), help from pvctl-host.
cp "$dest$prefix/libexec/pvabi/pvctl-bus" "$dest$prefix/bin/"
run env LD_LIBRARY_PATH="$dest$prefix/lib" "$dest$prefix/bin/pvctl" list --no-such-option
ok $([ "$rc" = 2 ] && grep -q 'no-such-option' <<<"$err"; echo $?) "installed pvctl hands VM commands to pvctl-bus"
cp "$dest$prefix/libexec/pvabi/pvctl-host" "$dest$prefix/bin/"
run env LD_LIBRARY_PATH="$dest$prefix/lib" "$dest$prefix/bin/pvctl" help list
ok $(grep -q '^Usage: pvctl list' <<<"$out"; echo $?) "installed pvctl-bus hands help to pvctl-host"
rm "$dest$prefix/bin/pvctl-bus" "$dest$prefix/bin/pvctl-host"
# What each program loads is what its commands cost to start (pvctl.c).
is "$(LD_LIBRARY_PATH="$dest$prefix/lib" ldd "$dest$prefix/libexec/pvabi/pvctl-bus" |
	grep -c 'libxml2\|libnl')" 0 "pvctl-bus loads neither libxml2 nor libnl"
run env PKG_CONFIG_PATH="$dest$prefix/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$dest" pkg-config --cflags --libs libpvabi
is "$rc" 0 "pkg-config finds libpvabi"
# With the build's own compiler and flags (a sanitizer build's library
# needs its runtime at link time).
mk() { sed -n "s/^$1 = //p" "$top_builddir/Makefile"; }
run sh -c "printf '#include <pvabi/pvabi.h>\nint main(void){return pvabi_strerror(-20)[0]==0;}\n' | $(mk CC) $(mk CFLAGS) -x c - -o $TMP/use -I$dest$prefix/include $(mk LDFLAGS) -L$dest$prefix/lib -lpvabi && LD_LIBRARY_PATH=$dest$prefix/lib $TMP/use"
is "$rc" 0 "a program builds against the installed header and library"
run man -l "$dest$prefix/share/man/man8/pvctl.8"
ok $(grep -q 'migrate-check' <<<"$out"; echo $?) "man pvctl renders"
done_testing
