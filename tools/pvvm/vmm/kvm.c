// SPDX-License-Identifier: GPL-2.0-or-later
/* kvm.c - /dev/kvm and the capabilities pvvm needs. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "vmm.h"

struct kvm_cap_req {
	long cap;
	const char *name;
	const char *why;
};

/* Checked at start; the error names the first one missing. */
static const struct kvm_cap_req required_caps[] = {
	{KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY", "guest memory slots"},
	{KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID", "KVM_SET_CPUID2"},
	{KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT",
	 "race-free kicks out of KVM_RUN"},
	{KVM_CAP_SYNC_REGS, "KVM_CAP_SYNC_REGS",
	 "registers in kvm_run at every exit"},
	{KVM_CAP_NR_MEMSLOTS, "KVM_CAP_NR_MEMSLOTS",
	 "one RAM slot and two pvabi slots per vCPU"},
	{0, NULL, NULL},
};

int kvm__check_extension(int fd, long cap)
{
	int r = ioctl(fd, KVM_CHECK_EXTENSION, cap);

	return r < 0 ? 0 : r;
}

int kvm__open(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int kvm__check_caps(int sys_fd, char *why, size_t len)
{
	int api = ioctl(sys_fd, KVM_GET_API_VERSION, 0);

	if (api != KVM_API_VERSION) {
		snprintf(why, len, "KVM API version %d, pvvm needs %d", api,
			 KVM_API_VERSION);
		return -ENOTSUP;
	}
	for (const struct kvm_cap_req *c = required_caps; c->name; c++)
		if (!kvm__check_extension(sys_fd, c->cap)) {
			snprintf(why, len, "KVM lacks %s (%s)", c->name,
				 c->why);
			return -ENOTSUP;
		}
	if (kvm__check_extension(sys_fd, KVM_CAP_NR_MEMSLOTS) < PVVM_NR_SLOTS) {
		snprintf(why, len, "KVM_CAP_NR_MEMSLOTS is %d, pvvm needs %d",
			 kvm__check_extension(sys_fd, KVM_CAP_NR_MEMSLOTS),
			 PVVM_NR_SLOTS);
		return -ENOTSUP;
	}
	return 0;
}
