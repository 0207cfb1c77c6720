cmd_/work/wt/kmod/tests/kmod/work/kbuild/modules.order := {   echo /work/wt/kmod/tests/kmod/work/kbuild/pvabi.ko; :; } > /work/wt/kmod/tests/kmod/work/kbuild/modules.order
