// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* console.c - text out through the transport's console_putc (guest.h). */
#include "guest.h"

void putstr(const char *s)
{
	while (*s)
		console_putc(*s++);
}

/* 64-by-10 division with 32-bit divl: no libgcc needed. */
static uint32_t div10(uint64_t *v)
{
	uint32_t hi = (uint32_t)(*v >> 32), lo = (uint32_t)*v, qhi, qlo, r;

	qhi = hi / 10;
	r = hi % 10;
	__asm__("divl %4" : "=a"(qlo), "=d"(r) : "a"(lo), "d"(r), "r"(10u));
	*v = (uint64_t)qhi << 32 | qlo;
	return r;
}

void putdec(uint64_t v)
{
	char buf[24], *p = buf + sizeof(buf) - 1;

	*p = 0;
	do
		*--p = (char)('0' + div10(&v));
	while (v);
	putstr(p);
}

void puthex(uint64_t v)
{
	char buf[20], *p = buf + sizeof(buf) - 1;

	*p = 0;
	do {
		*--p = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	*--p = 'x';
	*--p = '0';
	putstr(p);
}

void putver(uint32_t v)
{
	struct pvabi_version ver = pvabi_version_unpack(v);

	putdec(ver.major);
	putstr(".");
	putdec(ver.minor);
}
