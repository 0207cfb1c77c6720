#!/bin/bash
# fetch-kernel.sh: print the path of a real Debian ppc64el kernel (vmlinux),
# fetching and extracting linux-image-*-powerpc64le on first use.
#
# apt runs with its own state and cache folders configured for ppc64el, so
# the host's apt state is never touched, against the same Debian mirror the
# host uses (/etc/apt/sources*).  The result is cached outside the build
# tree in ${XDG_CACHE_HOME:-$HOME/.cache}/pvabi, so reruns don't refetch.
# Exit status 0 with the path on stdout, or 1 with the reason on stderr.
set -euo pipefail

cache=${PVABI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pvabi}
apt_dir=$cache/apt-ppc64el
mkdir -p "$cache"

found=$(find "$cache/kernel" -name 'vmlinux-*-powerpc64le' -type f \
	2>/dev/null | sort | tail -n 1 || true)
if [ -n "$found" ]; then
	echo "$found"
	exit 0
fi

# The host's Debian mirror and suite, from deb822 or one-line sources.
mirror=$(sed -n 's/^URIs:[[:space:]]*\(http[^ ]*debian\)\/\?[[:space:]]*$/\1/p' \
	/etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1 || true)
[ -n "$mirror" ] || mirror=$(sed -n 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\(http[^ ]*debian\)\/\?[[:space:]].*/\2/p' \
	/etc/apt/sources.list 2>/dev/null | head -n 1 || true)
suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
if [ -z "$mirror" ]; then
	echo "fetch-kernel: no Debian mirror in /etc/apt/sources*" >&2
	exit 1
fi

mkdir -p "$apt_dir/etc/sources.list.d" "$apt_dir/etc/preferences.d" \
	"$apt_dir/state/lists/partial" "$apt_dir/cache/archives/partial" \
	"$cache/debs"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
echo "deb [arch=ppc64el signed-by=$keyring] $mirror $suite main" \
	>"$apt_dir/etc/sources.list"
apt_opts=(
	-o "Dir::Etc=$apt_dir/etc"
	-o "Dir::Etc::SourceList=$apt_dir/etc/sources.list"
	-o "Dir::Etc::SourceParts=$apt_dir/etc/sources.list.d"
	-o "Dir::Etc::PreferencesParts=$apt_dir/etc/preferences.d"
	-o "Dir::State=$apt_dir/state"
	-o "Dir::State::status=$apt_dir/state/status"
	-o "Dir::Cache=$apt_dir/cache"
	-o "APT::Architecture=ppc64el"
	-o "APT::Architectures=ppc64el"
	-o "APT::Sandbox::User=root"
	-q
)
touch "$apt_dir/state/status"
if ! apt-get "${apt_opts[@]}" update >"$cache/apt.log" 2>&1; then
	echo "fetch-kernel: apt-get update for ppc64el failed (see $cache/apt.log)" >&2
	exit 1
fi
# The meta package names the current ABI's image package.
pkg=$(apt-cache "${apt_opts[@]}" depends linux-image-powerpc64le 2>/dev/null |
	sed -n 's/^[[:space:]]*Depends:[[:space:]]*\(linux-image-[0-9][^ ]*-powerpc64le\)$/\1/p' |
	head -n 1)
if [ -z "$pkg" ]; then
	echo "fetch-kernel: linux-image-powerpc64le names no kernel package" >&2
	exit 1
fi
if ! (cd "$cache/debs" && apt-get "${apt_opts[@]}" download "$pkg" \
	>>"$cache/apt.log" 2>&1); then
	echo "fetch-kernel: apt-get download $pkg failed (see $cache/apt.log)" >&2
	exit 1
fi
deb=$(ls "$cache/debs/${pkg}_"*.deb | head -n 1)
rm -rf "$cache/kernel.tmp"
mkdir -p "$cache/kernel.tmp"
dpkg-deb --fsys-tarfile "$deb" |
	tar -x -C "$cache/kernel.tmp" --wildcards './boot/vmlinux-*'
rm -rf "$cache/kernel"
mv "$cache/kernel.tmp" "$cache/kernel"
rm -f "$deb"
find "$cache/kernel" -name 'vmlinux-*-powerpc64le' -type f | sort | tail -n 1
