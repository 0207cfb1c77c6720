// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness for pvctl_ivshmem_rx_feed() (libpvctl/ivshmem_proto.c),
 * the validator the tests hold pvabi's ivshmem server to: the bytes are a
 * stream of received messages, each one byte (bit 7: an fd came with it;
 * bits 0-3: its length) and that many bytes.  The validator must never
 * accept more vectors than the client has, an ID outside 0 ... 65535 or
 * the module's, a message that is not 8 bytes, an fd where none belongs or
 * none where one must be, or anything after it refused once; and
 * pvctl_ivshmem_setup_msg() for the first byte's values must be accepted whole.
 */
#include <errno.h>

#include "fuzz.h"
#include "../../libpvctl/ivshmem_proto.h"

static void check_setup(uint32_t id, uint32_t n)
{
	struct pvctl_ivshmem_rx rx;
	struct pvctl_ivshmem_msg m, got;
	uint8_t b[8];

	if (pvctl_ivshmem_setup_msg(0, id, n, &m) < 0) {
		FUZZ_ASSERT(id == PVCTL_IVSHMEM_MODULE_ID ||
			    id > PVCTL_IVSHMEM_MAX_ID || n < 1 ||
			    n > PVCTL_IVSHMEM_MAX_VECTORS);
		return;
	}
	pvctl_ivshmem_rx_init(&rx, n);
	for (uint32_t k = 0; k < pvctl_ivshmem_setup_len(n); k++) {
		FUZZ_ASSERT(pvctl_ivshmem_setup_msg(k, id, n, &m) == 0);
		pvctl_ivshmem_encode(m.value, b);
		FUZZ_ASSERT(pvctl_ivshmem_rx_feed(&rx, b, 8,
						  m.fd != PVCTL_IVSHMEM_FD_NONE,
						  &got) == (int)m.fd);
	}
	FUZZ_ASSERT(pvctl_ivshmem_rx_ready(&rx) && rx.id == id);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = {data, size};
	struct pvctl_ivshmem_rx rx;
	struct pvctl_ivshmem_msg m;
	uint32_t n = (uint32_t)fuzz_take(&in, 1) % 9, id;
	bool refused = false;

	id = (uint32_t)fuzz_take(&in, 3) & 0x1ffff;
	if (n <= 4)
		check_setup(id, n);
	pvctl_ivshmem_rx_init(&rx, n);
	while (in.left) {
		uint8_t head = (uint8_t)fuzz_take(&in, 1);
		size_t len = head & 0xf, take = len < in.left ? len : in.left;
		bool has_fd = head & 0x80;
		enum pvctl_ivshmem_rx_state before = rx.state;
		int r = pvctl_ivshmem_rx_feed(&rx, in.p, take, has_fd, &m);

		in.p += take;
		in.left -= take;
		if (refused || take != 8) {
			FUZZ_ASSERT(r == -EPROTO);
		}
		if (r == -EPROTO) {
			refused = true;
			FUZZ_ASSERT(rx.state == PVCTL_IVSHMEM_RX_ERROR);
			continue;
		}
		FUZZ_ASSERT(r >= 0);
		/* An fd exactly where one belongs. */
		FUZZ_ASSERT(has_fd == (r != PVCTL_IVSHMEM_FD_NONE));
		if (before == PVCTL_IVSHMEM_RX_VERSION)
			FUZZ_ASSERT(m.value == 0);
		if (r == PVCTL_IVSHMEM_FD_REGION)
			FUZZ_ASSERT(m.value == -1);
		if (r == PVCTL_IVSHMEM_FD_DOORBELL)
			FUZZ_ASSERT(m.value == PVCTL_IVSHMEM_MODULE_ID &&
				    m.vector < n);
		if (r == PVCTL_IVSHMEM_FD_IRQ)
			FUZZ_ASSERT(m.value == rx.id && m.vector < n);
		FUZZ_ASSERT(rx.peer0 <= n && rx.own <= n);
		FUZZ_ASSERT(rx.own == 0 || rx.peer0 == n);
		if (rx.state >= PVCTL_IVSHMEM_RX_SHM)
			FUZZ_ASSERT(rx.id >= 0 &&
				    rx.id != PVCTL_IVSHMEM_MODULE_ID &&
				    rx.id <= PVCTL_IVSHMEM_MAX_ID);
	}
	return 0;
}
