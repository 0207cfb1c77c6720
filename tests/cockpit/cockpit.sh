#!/bin/bash
# pvabi's Cockpit page (contrib/cockpit) in a real browser: cockpit-ws on
# 127.0.0.1 without TLS, its bridge on a private system bus beside pvctld
# on test:///default, and Debian's chromium driven by puppeteer-core
# (tests/cockpit/browser.js).  The page lists the VMs; a click enables one
# and 'pvctl show' says so; 'pvctl disable' shows on the page within 1 s;
# an unprivileged session is told it is not authorized; a bad version
# range shows pvctld's error; an uploaded offer is checked as 'pvctl
# migrate-check' does.  Saves a screenshot and prints
#   cockpit: N VMs listed, enable by click ok, live update M ms, denial shown, error shown
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../ctl/lib-ctl.sh"

[ -z "${PVABI_SANITIZER_BUILD:-}" ] ||
	skip_all "the page is JavaScript and the browser is Debian's; pvctld under the sanitizers is tested by tests/ctl"
: "${CHROMIUM:=$(command -v chromium || true)}"
WS=/usr/lib/cockpit/cockpit-ws
[ -x "$CHROMIUM" ] || skip_all "chromium not installed (./quickstart installs it)"
[ -x "$WS" ] || skip_all "cockpit-ws not installed (./quickstart installs it)"
command -v cockpit-bridge >/dev/null || skip_all "cockpit-bridge not installed"
command -v npm >/dev/null || skip_all "npm not installed (./quickstart installs it)"
command -v dbus-daemon >/dev/null || skip_all "dbus-daemon not installed"
command -v dbus-monitor >/dev/null || skip_all "dbus-monitor not installed"
[ "$(id -u)" -eq 0 ] || skip_all "the unprivileged session runs as another user: needs root"

# puppeteer-core from the committed lockfile, into the build tree; npm's
# cache stays there too, so that a later run needs no network.
nm=$top_builddir/tests/cockpit
mkdir -p "$nm"
if ! cmp -s "$top_srcdir/tests/cockpit/package-lock.json" "$nm/node_modules/.pvabi-lock"; then
	[ "$nm" -ef "$top_srcdir/tests/cockpit" ] ||
		cp "$top_srcdir/tests/cockpit/package.json" "$top_srcdir/tests/cockpit/package-lock.json" "$nm/"
	(cd "$nm" && npm ci --prefer-offline --no-audit --no-fund --cache "$nm/npm-cache") \
		>"$TMP/npm.log" 2>&1 || {
		sed 's/^/# /' "$TMP/npm.log" | tail -20
		skip_all "npm ci could not install puppeteer-core (no registry and nothing cached)"
	}
	cp "$top_srcdir/tests/cockpit/package-lock.json" "$nm/node_modules/.pvabi-lock"
fi
plan 13

# The page as 'make install' puts it; the bridge looks for packages in
# $XDG_DATA_DIRS/cockpit/NAME, and reads the list when it starts.
make -s -C "$top_builddir" install-dist_cockpitDATA DESTDIR="$TMP/dest" >"$TMP/install.log" 2>&1 ||
	{ sed 's/^/# /' "$TMP/install.log"; echo "Bail out! make install-dist_cockpitDATA failed"; exit 1; }
manifest=$(find "$TMP/dest" -path '*/cockpit/pvabi/manifest.json')
share=${manifest%/cockpit/pvabi/manifest.json}

ctl_bus system
SYS=$addr
export PVCTL_BUS_ADDRESS=$SYS
# The VMs' ivshmem sockets in a directory of the test's own, not /run/pvabi.
mkdir -p "$TMP/run"
RUNTIME_DIRECTORY=$TMP/run ctl_daemon "$SYS" "$TMP/pvctld.log" --connect test:///default
VM=test

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# ws USER: a cockpit-ws of its own for USER, whose local session is a
# cockpit-bridge on the private bus.  Sets $url to the page.
ws() {
	local user=$1 port as=() i
	port=$(free_port)
	mkdir -p "$TMP/home-$user"
	if [ "$user" != root ]; then
		as=(setpriv --reuid="$user" --regid=nogroup --clear-groups)
		chown "$user" "$TMP/home-$user"
	fi
	"${as[@]}" env -i PATH="$PATH" HOME="$TMP/home-$user" XDG_DATA_DIRS="$share:/usr/share" \
		DBUS_SYSTEM_BUS_ADDRESS="$SYS" \
		"$WS" --no-tls --address 127.0.0.1 --port "$port" --local-session=cockpit-bridge \
		>>"$TMP/ws-$user.log" 2>&1 &
	_pids+=($!)
	for i in $(seq 100); do
		curl -sf -o /dev/null "http://127.0.0.1:$port/cockpit/@localhost/pvabi/manifest.json" && break
		sleep 0.1
	done
	url=http://127.0.0.1:$port/cockpit/@localhost/pvabi/index.html
}
ws root
URL=$url
ws nobody
URL_DENIED=$url

expected=$("$PVCTL" list --json | python3 -c 'import json, sys; print(" ".join(sorted(v["name"] for v in json.load(sys.stdin))))')
"$PVCTL" disable "$VM" >/dev/null

# docs/cockpit.png is such a screenshot, taken with
#   make check TESTS=tests/cockpit/cockpit.sh COCKPIT_SCREENSHOT=$PWD/docs/cockpit.png
shot=${COCKPIT_SCREENSHOT:-$nm/cockpit.png}
# A destination that offers only ABI 2.0: the enabled VM cannot go there.
"$PVCTL" dt write --host-versions 2.0 --host-features notify -o "$TMP/offer.dtb" >/dev/null
start=$(date +%s%3N)
CHROMIUM=$CHROMIUM URL=$URL URL_DENIED=$URL_DENIED VM=$VM BAD_VERSIONS=1.9-1.0 \
	OFFER=$TMP/offer.dtb PVCTL=$PVCTL SHOT=$shot OUT=$TMP/result.json NODE_PATH=$nm/node_modules \
	node "$top_srcdir/tests/cockpit/browser.js" 2>"$TMP/browser.log" || true
echo "# browser: $(($(date +%s%3N) - start)) ms"
[ -s "$TMP/result.json" ] || echo '{"error": "browser.js wrote no result"}' >"$TMP/result.json"
r() { python3 -c 'import json, sys; v = json.load(open(sys.argv[1])); exec(sys.argv[2])' "$TMP/result.json" "$1"; }
err=$(r 'print(v.get("error", ""))')
[ -z "$err" ] || { echo "# browser.js failed:"; sed 's/^/#   /' <<<"$err"; sed 's/^/#   /' "$TMP/browser.log" | tail -20; }

listed=$(r 'print(" ".join(sorted(v.get("listed", []))))')
is "$listed" "$expected" "the page lists pvctld's VMs"
is "$(r 'print(v.get("before"), v.get("after_click"))')" "disabled enabled" "a click on Enable: the row says enabled"
is "$(r 'print(v.get("show_after_click", {}).get("enabled"))')" "True" "... and 'pvctl show' says enabled"
live=$(r 'print(v.get("live_ms", -1))')
lag=$(r 'print(v.get("lag_ms", -1))')
signal=$(r 'print(v.get("signal_ms", -1))')
is "$(r 'print(v.get("disable_rc"))')" 0 "'pvctl disable' in the shell"
# Within 1 s of the change: of pvctld's PropertiesChanged on the bus (as
# dbus-monitor stamps it), and of pvctl's answer, which pvctld sends once
# the change is made.  pvctl's own time, a process start and a libvirt
# define, is not the page's; on a loaded machine it alone can take a second.
ok $([ "$signal" -ge 0 ] && [ "$signal" -le 1000 ] && [ "$lag" -le 1000 ] && echo 0 || echo 1) \
	"... shows on the page within 1 s: $signal ms after its PropertiesChanged, $live ms after the command started, pvctl itself $(r 'print(v.get("pvctl_ms"))') ms"
pvctl_err=$("$PVCTL" enable "$VM" --versions 1.9-1.0 2>&1 || true)
want=${pvctl_err#pvctl: --versions: }
alert=$(r 'print(v.get("bad_versions_alert", ""))')
echo "# alert: $alert"
ok $([[ -n $want && $alert == *"$want"* ]] && echo 0 || echo 1) "a bad version range shows pvctl's error ($want)"
is "$(r 'print(v.get("versions_after"))')" "$("$PVCTL" show "$VM" --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["versions"])')" "... and the versions stay as they were"
migrate=$(r 'print(v.get("migrate", ""))')
echo "# migration: $migrate"
"$PVCTL" migrate-check "$VM" --to-offer "$TMP/offer.dtb" --json >"$TMP/migrate.json" || true
reason=$(python3 -c 'import json, sys; v = json.load(open(sys.argv[1])); print("cannot" if not v["compatible"] else "can", v["reasons"][0] if v["reasons"] else "")' "$TMP/migrate.json")
ok $([[ $reason == cannot* && $migrate == *"cannot migrate"*"${reason#cannot }"* ]] && echo 0 || echo 1) \
	"an uploaded offer: the page's migration check answers as 'pvctl migrate-check' does"
denied=$(r 'print(v.get("denied_alert", ""))')
echo "# denial: $denied"
ok $([[ $denied == *"Not authorized"* ]] && echo 0 || echo 1) "an unprivileged session: 'Not authorized'"
is "$(r 'print(v.get("denied_listed", 0) > 0, v.get("show_after_denial", {}).get("enabled"))')" "True True" "... it still lists the VMs, and nothing changed"
is "$(r 'print(v.get("negotiated"))')" "1.1 notify,nesting (vCPUs 0,1); 1.0 notify,booke (vCPU 2)" \
	"what guests negotiated, per outcome with its vCPUs"
is "$(r 'print(len(v.get("page_errors", [])))')" 0 "no script errors on the page (the content security policy let it run)"
page_features=$(sed -n 's/^const FEATURES = \[\(.*\)\];$/\1/p' "$top_srcdir/contrib/cockpit/pvabi.js" | tr -d '" ')
is "$page_features" "$("$PVCTL" abi show --json | python3 -c 'import json, sys; print(",".join(f["name"] for f in sorted(json.load(sys.stdin)["features"], key=lambda f: f["bit"])))')" \
	"the page names the feature bits as libpvabi does"

if [ "$_failed" -eq 0 ]; then
	# The live update's time is the page's, after the signal (above).
	echo "cockpit: $(wc -w <<<"$listed") VMs listed, enable by click ok, live update $signal ms, denial shown, error shown"
	echo "# screenshot: $shot"
else
	sed 's/^/# browser: /' "$TMP/browser.log" | tail -30
	for f in "$TMP"/ws-*.log "$TMP/pvctld.log"; do sed "s|^|# ${f##*/}: |" "$f" | tail -10; done
fi
done_testing
