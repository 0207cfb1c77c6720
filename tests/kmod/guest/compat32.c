// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * compat32: a 32-bit x86 process drives /dev/pvabi through the module's
 * compat_ioctl (compat_ptr_ioctl).  Freestanding, raw int $0x80 system
 * calls: no 32-bit C library is needed to build it.  Exits 0 when every
 * step worked, else the number of the step that failed.
 */
#include <linux/pvabi.h>

#include "pvabi/abi.h"

static long sys3(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "0"(nr), "b"(a), "c"(b), "d"(c)
			 : "memory");
	return ret;
}

#define SYS_exit  1
#define SYS_open  5
#define SYS_ioctl 54
#define O_RDWR	  2

static int run(void)
{
	struct pvabi_create_vm cv = {.name = "compat32"};
	struct pvabi_vcpu_negotiate n = {
		.min_version = 0x10000,
		.max_version = 0x1ffff,
		.magic_gpa = 0x10000,
		.notify_gpa = 0x11000,
		.byte_order = PVABI_BYTE_ORDER_LITTLE,
	};
	struct pvabi_vcpu_stats st;
	long dev, vm, vc;

	dev = sys3(SYS_open, (long)"/dev/pvabi", O_RDWR, 0);
	if (dev < 0)
		return 1;
	if (sys3(SYS_ioctl, dev, PVABI_GET_API_VERSION, 0) != PVABI_API_VERSION)
		return 2;
	vm = sys3(SYS_ioctl, dev, PVABI_CREATE_VM, (long)&cv);
	if (vm < 0 || cv.id == 0)
		return 3;
	vc = sys3(SYS_ioctl, vm, PVABI_CREATE_VCPU, 0);
	if (vc < 0)
		return 4;
	if (sys3(SYS_ioctl, vc, PVABI_VCPU_NEGOTIATE, (long)&n) ||
	    n.version != 0x10001) /* 1.1, the default offer's */
		return 5;
	if (sys3(SYS_ioctl, vc, PVABI_VCPU_INJECT, 7) != 0)
		return 6;
	/* Queued: the page's virtual interrupts are off (never mapped). */
	if (sys3(SYS_ioctl, vc, PVABI_VCPU_GET_STATS, (long)&st) ||
	    st.injected != 1 || st.pending != 1)
		return 7;
	return 0;
}

/* Entered with no return address: realign for the SSE the compiler may use. */
__attribute__((force_align_arg_pointer)) void _start(void)
{
	sys3(SYS_exit, run(), 0, 0);
	for (;;)
		;
}
