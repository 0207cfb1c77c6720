// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness for pvctl_genl_parse_vm() (libpvctl/genl_client.c):
 * the bytes are one PVABI_CMD_GET_VMS reply as the kernel (or anything that
 * can send to the socket) might send it.  The parser must refuse or accept
 * cleanly, never read past the message, and accept only what the uapi
 * header allows: a VM id, a printable name, vCPUs in range and in
 * increasing order after those of the messages before.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netlink.h>

#include "fuzz.h"
#include "genl_client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pvctl_genl_vm vm;
	struct nlmsghdr *nlh;
	uint32_t before;

	nlh = fuzz_copy(data, size);
	if (!nlh)
		return 0;
	memset(&vm, 0, sizeof(vm));
	/* Seed part of the vCPUs as a previous message of the same VM would. */
	vm.n_vcpus = size ? data[0] % 4 : 0;
	for (uint32_t i = 0; i < vm.n_vcpus; i++)
		vm.vcpus[i].index = i;
	before = vm.n_vcpus;
	if (pvctl_genl_parse_vm(nlh, size, &vm) == 0) {
		FUZZ_ASSERT(size >= NLMSG_HDRLEN);
		FUZZ_ASSERT(vm.n_vcpus >= before &&
			    vm.n_vcpus <= PVABI_MAX_VCPUS);
		FUZZ_ASSERT(vm.id != 0);
		FUZZ_ASSERT(memchr(vm.name, 0, sizeof(vm.name)));
		for (const char *c = vm.name; *c; c++)
			FUZZ_ASSERT(*c >= 0x20 && *c <= 0x7e);
		for (uint32_t i = before; i < vm.n_vcpus; i++)
			FUZZ_ASSERT(vm.vcpus[i].index < PVABI_MAX_VCPUS &&
				    (i == 0 || vm.vcpus[i].index >
						       vm.vcpus[i - 1].index));
	}
	free(nlh);
	return 0;
}
