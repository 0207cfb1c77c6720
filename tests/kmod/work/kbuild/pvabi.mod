/work/wt/kmod/tests/kmod/work/kbuild/main.o
/work/wt/kmod/tests/kmod/work/kbuild/vm.o
/work/wt/kmod/tests/kmod/work/kbuild/vcpu.o
/work/wt/kmod/tests/kmod/work/kbuild/deliver.o
/work/wt/kmod/tests/kmod/work/kbuild/netlink.o
/work/wt/kmod/tests/kmod/work/kbuild/libpvabi/negotiate.o
/work/wt/kmod/tests/kmod/work/kbuild/libpvabi/delivery.o
