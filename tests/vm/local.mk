# A libvirt host under TCG (Debian's kernel with nested SVM, this machine's
# own libvirtd and QEMU, pvabi.ko loaded) and the domains it starts.
vm_tests = %reldir%/libvirt-boot.sh %reldir%/kvm-nested.sh %reldir%/libvirt-vm.sh \
	%reldir%/tutorial-vm.sh %reldir%/libvirt-vm-life.sh
TESTS += $(vm_tests)
dist_check_SCRIPTS += $(vm_tests)
EXTRA_DIST += %reldir%/run-libvirt-host %reldir%/initramfs-init \
	%reldir%/host-init %reldir%/marker-guest.S %reldir%/vm-lib.sh

clean-local: vm-tests-clean
vm-tests-clean:
	rm -rf $(abs_top_builddir)/tests/vm/work-* \
		$(abs_top_builddir)/tests/vm/marker-guest.elf \
		$(abs_top_builddir)/tests/vm/libvirt-host.lock
.PHONY: vm-tests-clean
