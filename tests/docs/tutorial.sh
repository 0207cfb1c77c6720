#!/bin/bash
# docs/tutorial.md, executed: every block marked <!-- run --> runs, in
# order, against pvctld on a private bus and a private libvirtd's test
# driver holding the domain web1; its exit status must be 0 (or N for
# <!-- run: exit N -->) and its output (stdout and stderr) must equal the
# <!-- output --> block after it.  <!-- host --> blocks only have to parse
# and name what exists; <!-- run: libvirt-host --> blocks only have to
# parse here (tests/vm/tutorial-vm.sh runs them).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$top_srcdir/tests/ctl/lib-ctl.sh"
DOC=$top_srcdir/docs/tutorial.md

for t in dbus-daemon virsh libvirtd; do
	command -v $t >/dev/null || skip_all "$t not installed"
done

. "$top_srcdir/tests/docs/tutorial-blocks.sh"
tut_parse "$DOC"

n=0 unmarked=0
for i in "${!kinds[@]}"; do
	case ${kinds[$i]} in
	run | output) n=$((n + 1)) ;;
	host) n=$((n + 2)) ;;
	vmrun) n=$((n + 1)) ;;
	unmarked) unmarked=$((unmarked + 1)) ;;
	esac
done
plan $((n + 1))
is "$unmarked" 0 "every sh block in docs/tutorial.md is marked run, run: libvirt-host or host"

# The world the tutorial assumes: libvirtd with the domain web1 running,
# pvctld on the bus.
ctl_test_libvirtd

ctl_bus bus
export PVCTL_BUS_ADDRESS=$addr
ctl_daemon "$addr" "$TMP/pvctld.log" --connect "$LIBVIRT_DEFAULT_URI" --config /dev/null
cat >"$TMP/web1.xml" <<EOX
<domain type='test'>
  <name>web1</name>
  <uuid>6f1d2a3c-7e0b-4c55-9a41-2b8e5f3d9c10</uuid>
  <memory unit='MiB'>512</memory>
  <os><type>hvm</type></os>
</domain>
EOX
# The driver's own domain 'test' would only clutter the listings.
{ virsh destroy test && virsh undefine test && virsh define "$TMP/web1.xml" &&
	virsh start web1; } >"$TMP/setup.log" 2>&1 ||
	{ echo "Bail out! setting up web1:"; sed 's/^/# /' "$TMP/setup.log"; exit 1; }

mkdir -p "$TMP/bin" "$TMP/work"
printf '#!/bin/sh\nexec "%s" "$@"\n' "$PVCTL" >"$TMP/bin/pvctl"
chmod +x "$TMP/bin/pvctl"
export PATH="$TMP/bin:$PATH"
cd "$TMP/work"

# host_check TEXT: what in a block that only a real host can run does not
# exist here: a command not on PATH, a pvctl verb or option pvctl's help
# does not know, or an edit of pvctld.conf that does not work on the
# installed template (pvctld/pvctld.conf).
host_check() {
	local line cmd verb opt
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		cmd=${line%% *}
		case $cmd in
		./*) [ -x "$top_srcdir/$cmd" ] || echo "no '$cmd' in the source tree" ;;
		*) command -v "$cmd" >/dev/null || echo "no command '$cmd'" ;;
		esac
		if [ "$cmd" = pvctl ]; then
			verb=$(echo "$line" | cut -d' ' -f2)
			pvctl help "$verb" >"$TMP/verb.help" 2>&1 || echo "no 'pvctl $verb'"
			for opt in $(echo "$line" | grep -oE -- '--[a-z][a-z-]*'); do
				grep -q -- "$opt" "$TMP/verb.help" || echo "no 'pvctl $verb $opt'"
			done
		fi
		case $line in
		*/etc/pvabi/pvctld.conf*)
			cp "$top_srcdir/pvctld/pvctld.conf" "$TMP/pvctld.conf"
			bash -c "${line//\/etc\/pvabi\/pvctld.conf/$TMP/pvctld.conf}"
			grep -qx 'connect = qemu:///system' "$TMP/pvctld.conf" ||
				echo "'$line' does not set connect on pvctld/pvctld.conf"
			;;
		esac
	done <<<"$1"
}

for i in "${!kinds[@]}"; do
	text=${texts[$i]}
	first=$(printf '%s' "$text" | paste -sd ';' | sed 's/;/; /g')
	case ${kinds[$i]} in
	host)
		run bash -n -c "$text"
		is "$rc" 0 "host block parses: $first"
		is "$(host_check "$text")" "" "host block names real commands, verbs and options: $first"
		;;
	vmrun)
		# Run by tests/vm/tutorial-vm.sh, with its output.
		run bash -n -c "$text"
		is "$rc" 0 "libvirt-host block parses: $first"
		;;
	run) tut_run "$text" "${codes[$i]}" ;;
	output) tut_output "$text" ;;
	esac
done
done_testing
