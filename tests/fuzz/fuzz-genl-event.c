// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness for pvctl_genl_parse_event() and
 * pvctl_genl_parse_offer() (libpvctl/genl_client.c): the bytes are one
 * message as the kernel (or anything that can send to the socket) might
 * send it: a PVABI_CMD_EVENT on the events group, or the GET_OFFER reply.
 * Both parsers see every input: they must refuse or accept cleanly, never
 * read past the message, and accept only what the uapi header allows.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netlink.h>

#include "fuzz.h"
#include "genl_client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pvctl_genl_event ev;
	struct pvabi_offer offer;
	struct nlmsghdr *nlh;
	uint32_t flags;

	nlh = fuzz_copy(data, size);
	if (!nlh)
		return 0;
	if (pvctl_genl_parse_event(nlh, size, &ev) == 0) {
		FUZZ_ASSERT(size >= NLMSG_HDRLEN);
		FUZZ_ASSERT(ev.vm_id != 0);
		FUZZ_ASSERT(ev.vcpu >= -1 && ev.vcpu < PVABI_MAX_VCPUS);
		FUZZ_ASSERT(memchr(ev.name, 0, sizeof(ev.name)));
		for (const char *c = ev.name; *c; c++)
			FUZZ_ASSERT(*c >= 0x20 && *c <= 0x7e);
		FUZZ_ASSERT(!ev.name[0] || ev.event == PVABI_EVENT_VM_CREATED);
		FUZZ_ASSERT(!ev.has_uuid || ev.event == PVABI_EVENT_VM_CREATED);
		FUZZ_ASSERT(!ev.version ||
			    (ev.event == PVABI_EVENT_VCPU_NEGOTIATED &&
			     ev.vcpu >= 0 && ev.version >> 16));
		FUZZ_ASSERT(ev.version || !ev.features);
	}
	if (pvctl_genl_parse_offer(nlh, size, &offer, &flags) == 0) {
		FUZZ_ASSERT(offer.n_versions >= 1 &&
			    offer.n_versions <= PVABI_OFFER_MAX_VERSIONS);
		FUZZ_ASSERT(pvabi_offer_check(&offer) == 0);
		FUZZ_ASSERT(!(flags & ~(uint32_t)__PVABI_HOST_F_ALL));
	}
	free(nlh);
	return 0;
}
