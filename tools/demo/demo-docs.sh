# shellcheck shell=bash
# ./quickstart demo, the docs: the tutorial is executed, the man pages are
# built.  Sourced by tools/demo/demo.
step "docs/tutorial.md runs: each command on the page, against a private libvirtd and D-Bus, must print what the page shows"
if top_srcdir=$top top_builddir=$top bash "$top/tests/docs/tutorial.sh" >"$work/tutorial.tap"; then
	sed -n 's/^ok [0-9]* - output as shown: /  as shown: $ /p' "$work/tutorial.tap"
else
	grep -A6 '^not ok' "$work/tutorial.tap" || cat "$work/tutorial.tap"
fi

step "The man pages: pvabi(7), pvctl(8), pvctld(8) and pvvm(1); the start of pvvm(1)"
show man -l "$top/docs/man/pvvm.1" | sed -n '1,16p'
