#!/bin/bash
# Under 'set -o pipefail', 'CMD | grep -q' fails when grep leaves at its
# first match while CMD is still writing: CMD dies of SIGPIPE and the
# pipeline's status is 141, a match read as a mismatch.  It bites only when
# CMD writes more than once (virsh, busctl, qemu -device help), so a test
# passes for months and then fails on a loaded machine.  The scripts grep a
# here-string of the output instead; echo and printf of a variable are one
# write and may pipe.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
cd "$top_srcdir"
plan 1

bad= n=0
for f in quickstart $(find tests tools .ci -type f \( -name '*.sh' -o ! -name '*.*' \) 2>/dev/null); do
	[ -f "$f" ] || continue
	IFS= read -r first <"$f" || true
	case $first:$f in '#!'*) ;; *:*.sh) ;; *) continue ;; esac
	grep -q 'pipefail' "$f" || continue
	n=$((n + 1))
	while IFS= read -r hit; do
		line=${hit#*:}
		case $line in
		*'echo "$'*'| grep -'[qm]* | *"printf '"*'| grep -'[qm]*) ;;
		*) bad+=" $f:${hit%%:*}" ;;
		esac
	done < <(grep -nE '\| *grep( +-[a-zA-Z]+)* +-[a-zA-Z]*[qm]' "$f" | grep -vE '^[0-9]+:[[:space:]]*#' || true)
done
ok $([ "$n" -gt 30 ] && [ -z "$bad" ] && echo 0 || echo 1) "nothing is piped into grep -q in the $n scripts that set pipefail${bad:+:$bad}"
done_testing
