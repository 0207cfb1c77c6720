#!/bin/bash
# Patch policy "host" on a real libvirtd in system mode: a domain's
# direct-boot kernel (the Debian ppc64el vmlinux of tests/patch, with an
# empty .pvabi_templates section added as a pvabi-ready kernel provides it)
# is patched by the libvirt hook's "prepare begin" into pvabi's copy under
# /var/lib/pvabi/kernels, and QEMU is given the copy.  Checked: the copy is
# what 'pvctl patch apply' makes with the same policy and features, per
# class it matches 'pvctl patch scan', no byte in an excluded range
# changed, at most max-sites sites; the original is byte-identical after;
# 'pvctl show' reports it; policy guest boots the original; an unreadable
# image, a policy the VM's features cannot follow and metadata that does
# not parse refuse the start with the reason in libvirt's error.  The
# domain is x86_64 (QEMU for PowerPC is not needed): what is checked is
# the file QEMU is given, on its command line in libvirt's log.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-ctl.sh"
: "${PPC64LE_OBJCOPY:=powerpc64le-linux-gnu-objcopy}"

URI=qemu:///system
KDIR=/var/lib/pvabi/kernels
if [ -n "${PVABI_LIBVIRTD_NS:-}" ] && [ ! -e /run/libvirt/.pvabi-test ]; then
	# In the test's mount namespace, before libvirtd starts (it looks
	# for hooks once): the hook and pvabi's state are ours alone.
	mkdir -p /etc/libvirt/hooks /var/lib/pvabi
	mount -t tmpfs -o mode=0755 pvabi-test /etc/libvirt/hooks
	mount -t tmpfs -o mode=0755 pvabi-test /var/lib/pvabi
	# libvirt runs hooks with a clean environment: the bus address comes
	# from a file the test writes once its bus is up.
	cat >/etc/libvirt/hooks/qemu <<EOH
#!/bin/sh
PVCTL_BUS_ADDRESS=\$(cat /var/lib/pvabi/test-bus) exec $PVCTL hook "\$@"
EOH
	chmod 755 /etc/libvirt/hooks/qemu
elif [ -z "${PVABI_LIBVIRTD_NS:-}" ]; then
	command -v "$PPC64LE_OBJCOPY" >/dev/null || skip_all "$PPC64LE_OBJCOPY not installed"
	command -v qemu-system-x86_64 >/dev/null || skip_all "qemu-system-x86_64 not installed"
	"$top_srcdir/tests/patch/fetch-kernel.sh" >/dev/null 2>&1 ||
		skip_all "can't fetch the ppc64el kernel (tests/patch/fetch-kernel.sh)"
fi
ctl_libvirtd_ns "$@"
plan 28

DOM=pvabi-hostpatch-$$
UUID=6b1d6f5e-2c1a-4e43-9d8e-0d5a0000$(printf '%04x' $(($$ % 65536)))
COPY=$KDIR/$UUID.vmlinux
cleanup_domain() {
	virsh -c "$URI" destroy "$DOM" >/dev/null 2>&1 || true
	virsh -c "$URI" undefine "$DOM" >/dev/null 2>&1 || true
	ctl_cleanup
}
trap cleanup_domain EXIT

# The kernel: Debian's, and a 1 MiB template section within branch reach of
# its text (as Linux's kvm_tmp[] is), which a kernel built for pvabi has.
vmlinux=$("$top_srcdir/tests/patch/fetch-kernel.sh")
mkdir -p /var/lib/libvirt/boot
ORIG=/var/lib/libvirt/boot/vmlinux-ppc64le
head -c 1048576 /dev/zero >"$TMP/tpl"
"$PPC64LE_OBJCOPY" --add-section .pvabi_templates="$TMP/tpl" \
	--set-section-flags .pvabi_templates=alloc,code,contents,readonly \
	--change-section-address .pvabi_templates=0xc000000001e00000 \
	"$vmlinux" "$ORIG" 2>/dev/null
chmod 644 "$ORIG"
orig_sum=$(sha256sum <"$ORIG" | cut -d' ' -f1)

ctl_bus here; export PVCTL_BUS_ADDRESS=$addr
echo "$addr" >/var/lib/pvabi/test-bus
ctl_daemon "$addr" "$TMP/pvctld.log" --connect "$URI" --config /dev/null

cat >"$TMP/dom.xml" <<EOX
<domain type='qemu'>
  <name>$DOM</name>
  <uuid>$UUID</uuid>
  <memory unit='MiB'>64</memory>
  <os><type arch='x86_64' machine='pc'>hvm</type><kernel>$ORIG</kernel></os>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices><controller type='usb' model='none'/><memballoon model='none'/></devices>
</domain>
EOX
run virsh -c "$URI" define "$TMP/dom.xml"
is "$rc" 0 "define an x86_64 domain booting the ppc64el kernel directly"
FEAT=notify,host-patch,sprg4-7,segregs,tlbsync-nop
EXCL=0xc000000000008000-0xc000000000100000
run "$PVCTL" enable "$DOM" --features $FEAT
is "$rc" 0 "enable it with the host-patch feature"
run "$PVCTL" policy "$DOM" --patch host --classes msr,sprg,srr,fault,tlbsync \
	--exclude $EXCL --max-sites 800
is "$rc" 0 "pvctl policy --patch host"
kernel_of() { virsh -c "$URI" dumpxml --inactive "$DOM" | sed -n 's|.*<kernel>\(.*\)</kernel>.*|\1|p'; }
is "$(kernel_of)" "$COPY" "the persistent <kernel> is pvabi's copy"
ok $(grep -q "source=\"$ORIG\"" <<<"$(virsh -c "$URI" dumpxml --inactive "$DOM")" && echo 0 || echo 1) \
	"the original path is kept in the domain's metadata"

virsh -c "$URI" dumpxml --inactive "$DOM" |
	xmllint --xpath "//*[local-name()='kernel' and namespace-uri()='https://pvabi.org/xmlns/libvirt/pvabi-kernel/1']" - \
	>"$TMP/kernel.xml" 2>/dev/null || true
run xmllint --noout --relaxng "$top_srcdir/schemas/libvirt-kernel.rng" "$TMP/kernel.xml"
is "$rc" 0 "the record validates against libvirt-kernel.rng"
qlog=/var/log/libvirt/qemu/$DOM.log
start() { # start: virsh start, QEMU's -kernel from libvirt's log, then destroy
	: 2>/dev/null >"$qlog" || true
	run virsh -c "$URI" start "$DOM"
	started=$rc
	qkernel=$(grep -ao -- "-kernel [^ ]*" "$qlog" 2>/dev/null | tail -n 1 | cut -d' ' -f2) || true
	virsh -c "$URI" destroy "$DOM" >/dev/null 2>&1 || true
}
start
echo "# virsh start: exit $started ($(echo "$err" | tail -n 1))"
is "$qkernel" "$COPY" "libvirt gives QEMU the copy (-kernel $qkernel)"
ok $([ -s "$COPY" ] && echo 0 || echo 1) "the hook wrote the copy"
is "$(sha256sum <"$ORIG" | cut -d' ' -f1)" "$orig_sum" "the original is byte-identical"

# The same patch by the CLI, with the policy pvctld keeps.
"$PVCTL" policy "$DOM" >"$TMP/policy"
run "$PVCTL" patch apply "$ORIG" --policy "$TMP/policy" --by host --features $FEAT \
	-o "$TMP/cli.vmlinux" --json
is "$rc" 0 "pvctl patch apply with the VM's policy"
cli_patched=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["patched"])' "$TMP/out")
ok $(cmp -s "$TMP/cli.vmlinux" "$COPY" && echo 0 || echo 1) \
	"the copy is byte for byte what pvctl patch apply makes ($cli_patched sites)"
report=$KDIR/$UUID.json
py() { python3 -c "$1" "${@:2}"; }
is "$(py 'import json,sys; print(json.load(open(sys.argv[1]))["patched"])' "$report")" "$cli_patched" \
	"the report counts the same sites"
ok $([ "$cli_patched" -le 800 ] && [ "$cli_patched" -gt 0 ] && echo 0 || echo 1) \
	"max-sites 800 holds ($cli_patched patched)"

# Per class: what scan finds in the original, less what scan finds in the
# copy, is what the report says was patched.
"$PVCTL" patch scan --json "$ORIG" >"$TMP/scan-orig"
"$PVCTL" patch scan --json "$COPY" >"$TMP/scan-copy"
classes=$(py '
import json, sys
cls = lambda i: ("msr" if "msr" in i or "wrtee" in i else "sprg" if "sprg" in i else
	"srr" if "srr" in i else "fault" if i[2:] in ("dar", "dsisr", "esr", "dear") else
	"segregs" if "mtsrin" in i else "tlbsync" if i == "tlbsync" else "booke")
a = json.load(open(sys.argv[1]))["by_insn"]; b = json.load(open(sys.argv[2]))["by_insn"]
r = json.load(open(sys.argv[3]))["by_class"]
d = {}
for i in a:
	d[cls(i)] = d.get(cls(i), 0) + a[i] - b.get(i, 0)
bad = [c for c in set(d) | set(r) if d.get(c, 0) != r.get(c, 0)]
print(" ".join("%s %d" % (c, d[c]) for c in sorted(d) if d[c]), "|", "mismatch: " + ",".join(bad) if bad else "ok")
' "$TMP/scan-orig" "$TMP/scan-copy" "$report")
echo "# patched by class (scan of the original less scan of the copy): ${classes%|*}"
is "${classes#*| }" ok "scan's counts per class match the report's"
# No byte in the excluded range changed: its file offsets from the
# section headers.
changed=$(py '
import struct, sys
lo, hi = (int(x, 16) for x in sys.argv[3].split("-"))
a = open(sys.argv[1], "rb").read(); b = open(sys.argv[2], "rb").read()
shoff, = struct.unpack_from("<Q", a, 0x28); shentsize, shnum = struct.unpack_from("<HH", a, 0x3a)
n = 0; covered = 0
for i in range(shnum):
	_, typ, flags, addr, off, size = struct.unpack_from("<IIQQQQ", a, shoff + i * shentsize)
	if typ == 8 or not flags & 4: continue
	s, e = max(lo, addr), min(hi, addr + size)
	if s >= e: continue
	covered += e - s
	n += sum(1 for k in range(s - addr + off, e - addr + off) if a[k] != b[k])
print(covered, n)
' "$ORIG" "$COPY" "$EXCL")
echo "# excluded $EXCL: ${changed% *} bytes of code, ${changed#* } changed"
ok $([ "${changed% *}" -gt 0 ] && [ "${changed#* }" = 0 ] && echo 0 || echo 1) \
	"no byte inside the excluded range changed"
outside=$( (cmp -l "$ORIG" "$COPY" || true) | wc -l)
ok $([ "$outside" -gt 0 ] && echo 0 || echo 1) "the copy differs elsewhere ($outside bytes)"

run "$PVCTL" show "$DOM" --json
is "$(echo "$out" | py 'import json,sys; k=json.load(sys.stdin)["kernel"]; print(k["sha256"], k["source"], k["source_sha256"])')" \
	"$(sha256sum <"$COPY" | cut -d' ' -f1) $ORIG $orig_sum" \
	"pvctl show --json: the copy's checksum, the original and its checksum"
run "$PVCTL" show "$DOM"
ok $(echo "$out" | grep -q "^kernel:   $COPY patched from $ORIG: $cli_patched of" && echo 0 || echo 1) \
	"pvctl show says what was patched"
echo "$out" | grep -A1 '^kernel:' | sed 's/^/# /'

# Policy guest: the original again.
run "$PVCTL" policy "$DOM" --patch guest
is "$rc" 0 "pvctl policy --patch guest"
is "$(kernel_of)" "$ORIG" "the persistent <kernel> is the original again"
start
is "$qkernel" "$ORIG" "libvirt gives QEMU the original"
run "$PVCTL" policy "$DOM" --patch host
is "$(kernel_of)" "$COPY" "policy host again: the copy"

# Refusals, with the reason in libvirt's error.
mv "$ORIG" "$ORIG.away"
start
ok $([ "$started" != 0 ] && echo "$err" | grep -q "pvabi: refusing to start VM '$DOM': cannot read its kernel $ORIG: No such file or directory" && echo 0 || echo 1) \
	"an unreadable image refuses the start"
echo "$err" | grep pvabi | sed 's/^/# /'
cp "$vmlinux" "$ORIG"
start
ok $([ "$started" != 0 ] && echo "$err" | grep -q "its kernel $ORIG has no executable .pvabi_templates section" && echo 0 || echo 1) \
	"a stock kernel (no template section) refuses the start"
echo "$err" | grep pvabi | sed 's/^/# /'
mv "$ORIG.away" "$ORIG"
run "$PVCTL" enable "$DOM" --features notify,sprg4-7
start
ok $([ "$started" != 0 ] && echo "$err" | grep -q "the host patches only a guest allowed the host-patch feature" && echo 0 || echo 1) \
	"a policy the VM's features cannot follow refuses the start"
echo "$err" | grep pvabi | sed 's/^/# /'
"$PVCTL" enable "$DOM" --features $FEAT >/dev/null
virsh -c "$URI" metadata "$DOM" --config --uri https://pvabi.org/xmlns/libvirt/pvabi/1 \
	--key pvabi --set '<pvabi enabled="yes"><patch mode="hots"/></pvabi>' >/dev/null
start
ok $([ "$started" != 0 ] && echo "$err" | grep -q "pvabi: refusing to start VM '$DOM': its pvabi metadata: .*hots" && echo 0 || echo 1) \
	"a bad policy in the metadata refuses the start"
echo "$err" | grep pvabi | sed 's/^/# /'
is "$(sha256sum <"$ORIG" | cut -d' ' -f1)" "$orig_sum" "the original is still byte-identical"
run virsh -c "$URI" undefine "$DOM"
is "$rc" 0 "undefine"
done_testing
