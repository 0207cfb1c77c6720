// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * CRC32C through Intel's ISA-L (libisal, runtime-dispatched SSE4.2/PCLMUL
 * code) where configure found it; otherwise a byte-at-a-time table, kept
 * because ISA-L is not built for every architecture a pvabi host runs on.
 */
#include "crc32c.h"

#ifdef HAVE_ISAL
#include <isa-l/crc.h>
#endif

#define CRC32C_POLY 0x82f63b78u /* Castagnoli, bit-reversed */

static uint32_t table[256];

__attribute__((constructor)) static void table_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ CRC32C_POLY : c >> 1;
		table[i] = c;
	}
}

uint32_t pvabi_crc32c_sw(uint32_t crc, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	crc = ~crc;
	while (len--)
		crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

uint32_t pvabi_crc32c(uint32_t crc, const void *buf, size_t len)
{
#ifdef HAVE_ISAL
	/* ISA-L neither inverts on entry nor on exit; it takes an int. */
	while (len) {
		int n = len > (1u << 30) ? 1 << 30 : (int)len;

		crc = ~crc32_iscsi((unsigned char *)buf, n, ~crc);
		buf = (const unsigned char *)buf + n;
		len -= (size_t)n;
	}
	return crc;
#else
	return pvabi_crc32c_sw(crc, buf, len);
#endif
}
