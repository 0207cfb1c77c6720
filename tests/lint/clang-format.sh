#!/bin/bash
# Every user-space C file is laid out as .clang-format says; the kernel-style
# files (tests/lint/kernel-style-files) are checkpatch's instead.  To fix a
# failure: clang-format -i FILE.
set -e
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
CLANG_FORMAT=${CLANG_FORMAT:-$(command -v clang-format || true)}
[ -x "$CLANG_FORMAT" ] || skip_all "clang-format not found (apt-get install clang-format)"

cd "$top_srcdir"
if git rev-parse --show-toplevel 2>/dev/null | grep -qx "$(pwd -P)"; then
	all=$(git ls-files '*.c' '*.h')
else
	all=$(find . \( -path './tests/kmod/work*' -o -path './tests/vm/work*' -o -path ./tests/fuzz/work -o \
		-path ./build-asan -o -path './pvabi-*' -o -path ./_build \) -prune \
		-o \( -name '*.c' -o -name '*.h' \) -print | sed 's|^\./||')
fi
kernel=$(for g in $(grep -v '^#' tests/lint/kernel-style-files); do
	for f in $g; do echo "$f"; done
done | sort -u)
# config.h is configure's; the rest of the list is ours.
files=$(printf '%s\n' "$all" | grep -vx -e config.h $(printf -- '-e %s ' $kernel) | sort)
plan 1
bad=()
for f in $files; do
	"$CLANG_FORMAT" --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
n=$(printf '%s\n' "$files" | wc -l)
ok ${#bad[@]} "clang-format: $n files, ${#bad[@]} differ${bad:+: ${bad[*]}}"
done_testing
