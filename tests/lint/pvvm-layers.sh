#!/bin/bash
# pvvm's VMM core (tools/pvvm/vmm/) includes nothing of the command layer
# above it (tools/pvvm/*.h: cmd.h): only its own headers, the guest's
# contract (tools/pvvm/guest/) and libpvabi's.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
cd "$top_srcdir"
plan 1

bad= n=0
for f in tools/pvvm/vmm/*.[ch]; do
	for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f"); do
		n=$((n + 1))
		# A quoted include is looked up beside the file first, then on
		# the -I paths, of which tools/pvvm is one (the fuzz harnesses').
		if [ -e "tools/pvvm/vmm/$inc" ]; then
			p=$(realpath -m --relative-to=. "tools/pvvm/vmm/$inc")
		elif [ -e "tools/pvvm/$inc" ]; then
			p=tools/pvvm/$inc
		else
			continue
		fi
		case $p in
		tools/pvvm/vmm/* | tools/pvvm/guest/*) ;;
		*) bad+=" $f:$inc" ;;
		esac
	done
done
is "${bad# }" "" "tools/pvvm/vmm/ includes none of the command layer's headers ($n includes)"
done_testing
