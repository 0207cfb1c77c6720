# shellcheck shell=bash
# ./quickstart demo, daemon faults: libvirtd restarted under a running
# pvctld.  The libvirtd is a private one (tests/ctl/lib-ctl.sh), in a mount
# namespace of its own, so no other libvirt user notices.  Sourced by
# tools/demo/demo.
step "pvctld rides out a libvirtd restart: same process, exit 3 meanwhile, back by itself"
if [ "$(id -u)" -ne 0 ] || ! command -v libvirtd >/dev/null ||
	! unshare -m --propagation private true 2>/dev/null; then
	echo "(needs root, libvirtd and a mount namespace: not shown here)"
else
	export -f step show
	top_srcdir=$top top_builddir=$top PVCTL=$pvctl PVABI_LIBVIRTD_NS=1 \
		unshare -m --propagation private bash -euo pipefail -c '
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/ctl/lib-ctl.sh"
ctl_libvirtd_start
ctl_domain_xml web1 >"$TMP/web1.xml"
virsh -c qemu:///system define "$TMP/web1.xml" >/dev/null
ctl_bus demo; export PVCTL_BUS_ADDRESS=$addr
ctl_daemon "$addr" "$TMP/pvctld.log" --connect qemu:///system --config /dev/null
echo "(a private libvirtd, pid $lvpid, and pvctld, pid $dpid, on a private bus)"
show "$PVCTL" enable web1 --versions 1.0 --features notify
echo "\$ kill -KILL $lvpid   # libvirtd"
ctl_libvirtd_stop KILL
sleep 0.3
set +e
show "$PVCTL" show web1 2>&1
echo "(exit status $?: pvctld is up, libvirt is not)"
set -e
echo "\$ libvirtd -d"
ctl_libvirtd_start
for _ in $(seq 200); do "$PVCTL" show web1 >/dev/null 2>&1 && break; sleep 0.05; done
show "$PVCTL" show web1
echo "(pvctld still pid $dpid: $(kill -0 "$dpid" && echo alive)); its log:"
sed "s/^/  /" "$TMP/pvctld.log"
'
fi
