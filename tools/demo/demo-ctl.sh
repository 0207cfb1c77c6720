# shellcheck shell=bash
# ./quickstart demo, the control plane: pvctld on a private D-Bus, with
# libvirt's embedded test driver holding the VMs.  Sourced by tools/demo/demo.
pvctld_bin="$top/pvctld/pvctld"
ctl_dir=$(mktemp -d)

step "pvctld keeps each VM's pvabi settings in its libvirt metadata and serves them on D-Bus"
exec 5>"$ctl_dir/addr" 6>"$ctl_dir/pid"
dbus-daemon --session --fork --print-address=5 --print-pid=6
exec 5>&- 6>&-
export PVCTL_BUS_ADDRESS
PVCTL_BUS_ADDRESS=$(head -n1 "$ctl_dir/addr")
echo "(a private bus at $PVCTL_BUS_ADDRESS; on a host it is the system bus)"
echo "\$ pvctld --connect test:///default --address \$PVCTL_BUS_ADDRESS &"
"$pvctld_bin" --connect test:///default --address "$PVCTL_BUS_ADDRESS" \
	--config /dev/null 2>"$ctl_dir/pvctld.log" &
ctl_pid=$!
for _ in $(seq 100); do "$pvctl" offer >/dev/null 2>&1 && break; sleep 0.05; done

step "This host's offer, and the VMs libvirt knows"
show "$pvctl" offer
show "$pvctl" list

step "Enable pvabi for VM 'test': ABI 1.0 with the notification page and book-E registers"
show "$pvctl" enable test --versions 1.0 --features notify,booke

step "Let the host patch the guest, except in one range; then show the policy"
show "$pvctl" policy test --patch host --exclude 0xc0000000-0xc0001000 --classes msr,sprg
show "$pvctl" policy test --json

step "Could 'test' migrate to a host that offers only book-E registers?  No, and here is why"
show "$pvctl" dt write --host-versions 1.0 --host-features booke -o "$ctl_dir/other-host.dtb"
set +e
show "$pvctl" migrate-check test --to-offer "$ctl_dir/other-host.dtb"
echo "(exit status $?: refused)"
set -e

step "libvirt asks the same question on the destination through its qemu hook"
cat >"$ctl_dir/incoming.xml" <<EOX
<domain type='kvm'><name>test</name><metadata>
 <pvabi:pvabi xmlns:pvabi="https://pvabi.org/xmlns/libvirt/pvabi/1" enabled="yes">
  <pvabi:versions min="1.0" max="1.0"/><pvabi:features>notify,booke</pvabi:features>
 </pvabi:pvabi></metadata></domain>
EOX
echo "\$ pvctl hook test migrate begin - < incoming.xml   # on this host: accepted"
"$pvctl" hook test migrate begin - <"$ctl_dir/incoming.xml" && echo "(exit status 0)"

kill "$ctl_pid" "$(cat "$ctl_dir/pid")" 2>/dev/null || true
wait "$ctl_pid" 2>/dev/null || true
unset PVCTL_BUS_ADDRESS
rm -rf "$ctl_dir"
