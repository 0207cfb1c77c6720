// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gen-seq: write an image of random PowerPC instruction sequences for the
 * differential execution test (tests/patch/exec.sh).
 *
 *   gen-seq ppc32|ppc64|ppc64le COUNT STRIDE SEED OUT
 *
 * Sequence i starts at byte i * STRIDE and ends with blr.  It mixes the
 * privileged instructions the patcher replaces (with the templates'
 * scratch registers r30/r31 as operands too), MSR changes inside and
 * outside the safe bits, ordinary integer and compare instructions, and
 * "an interrupt arrives" stores to int_pending.  The same seed gives the
 * same image.  Registers r1, r2 and r13 (stack, TOC or TLS) are never
 * written, nor r29 on 64-bit (it holds the magic page's address there).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvabi/abi.h"

static uint64_t rng;
static bool is64, le;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

/* A register the sequence may write. */
static uint32_t reg(void)
{
	static const uint8_t ok[] = {0,	 3,  4,	 5,  6,	 7,  8,	 9,  10, 11, 12,
				     14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
				     25, 26, 27, 28, 29, 30, 31, 30, 31};
	uint32_t r;

	do
		r = ok[rnd(sizeof(ok))];
	while (is64 && r == 29);
	return r;
}

static uint32_t x31(uint32_t xo, uint32_t rs, uint32_t ra, uint32_t rb)
{
	return 0x7c000000u | rs << 21 | ra << 16 | rb << 11 | xo << 1;
}

static uint32_t spr_insn(bool to, uint32_t spr, uint32_t r)
{
	return x31(to ? 467 : 339, r, spr & 31, spr >> 5);
}

#define MFMSR(r)       x31(83, r, 0, 0)
#define MTMSR(r)       x31(146, r, 0, 0)
#define XORI(d, s, i)  (26u << 26 | (s) << 21 | (d) << 16 | (i))
#define XORIS(d, s, i) (27u << 26 | (s) << 21 | (d) << 16 | (i))

static uint32_t out[1 << 12];
static unsigned int n;

static void put(uint32_t w)
{
	out[n++] = w;
}

static void privileged(void)
{
	static const uint16_t sprs[] = {272, 273, 274, 275, 276, 277,
					278, 279, 26,  27,  19,	 18};
	static const uint32_t safe[] = {PVABI_MSR_EE, PVABI_MSR_RI,
					PVABI_MSR_SAFE_BITS};
	uint32_t r = reg(), r2 = reg();

	switch (rnd(12)) {
	case 0: put(MFMSR(r)); break;
	case 1: /* a safe change: EE, RI or both */
		put(MFMSR(r));
		put(XORI(r, r, safe[rnd(3)]));
		put(MTMSR(r));
		break;
	case 2: /* an unsafe change, or whatever the register holds */
		if (rnd(2)) {
			put(MFMSR(r));
			put(XORIS(r, r, 1u << rnd(16)));
		}
		put(MTMSR(r));
		break;
	case 3:
		if (is64)
			put(x31(178, r, rnd(2), 0)); /* mtmsrd r / r,1 */
		else
			put(0x7c000146u | rnd(2) << 15); /* wrteei */
		break;
	case 4:
		put(x31(131, r, 0, 0)); /* wrtee */
		break;
	case 5:
		put(0x7c000146u | rnd(2) << 15); /* wrteei */
		break;
	case 6:
	case 7: put(spr_insn(false, sprs[rnd(sizeof(sprs) / 2)], r)); break;
	case 8:
	case 9: put(spr_insn(true, sprs[rnd(sizeof(sprs) / 2)], r)); break;
	case 10:
		put(x31(242, r, 0, r2)); /* mtsrin */
		break;
	default:
		put(0x7c00046cu); /* tlbsync */
		break;
	}
}

static void ordinary(void)
{
	uint32_t d = reg(), a = reg(), b = reg();

	switch (rnd(6)) {
	case 0:
		put(x31(266, d, a, b)); /* add */
		break;
	case 1:
		put(x31(316, a, d, b)); /* xor */
		break;
	case 2:
		put(14u << 26 | d << 21 | a << 16 | rnd(65536)); /* addi */
		break;
	case 3:
		put(21u << 26 | a << 21 | d << 16 | rnd(32) << 11 |
		    rnd(32) << 6 | rnd(32) << 1 | rnd(2)); /* rlwinm[.] */
		break;
	case 4:
		put(x31(0, 0, a, b) | rnd(8) << 23); /* cmpw crN */
		break;
	default:
		put(x31(28, a, d, b) | 1); /* and. */
		break;
	}
}

static void irq_arrives(uint32_t magic)
{
	long d =
		is64 ? (long)offsetof(struct pvabi_magic_page, dlv.int_pending)
		     : (long)(int32_t)(magic + offsetof(struct pvabi_magic_page,
							dlv.int_pending));

	put(14u << 26 | 0u << 21 | 0 << 16 | 1); /* li r0,1 */
	put(36u << 26 | 0u << 21 | (is64 ? 29u : 0u) << 16 |
	    ((uint32_t)d & 0xffff)); /* stw r0,int_pending */
}

int main(int argc, char **argv)
{
	unsigned long count, stride;
	uint32_t magic;
	FILE *f;

	if (argc != 6 ||
	    (strcmp(argv[1], "ppc32") && strcmp(argv[1], "ppc64") &&
	     strcmp(argv[1], "ppc64le"))) {
		fprintf(stderr, "usage: gen-seq ppc32|ppc64|ppc64le COUNT "
				"STRIDE SEED OUT\n");
		return 2;
	}
	is64 = strcmp(argv[1], "ppc32") != 0;
	le = !strcmp(argv[1], "ppc64le");
	magic = is64 ? 0 : 0xffffe000u; /* tests/patch/ppc/pvtest.h */
	count = strtoul(argv[2], NULL, 0);
	stride = strtoul(argv[3], NULL, 0);
	rng = strtoull(argv[4], NULL, 0) | 1;
	if (stride < 64 || stride % 4 || stride / 4 > sizeof(out) / 4) {
		fprintf(stderr, "gen-seq: bad stride %lu\n", stride);
		return 2;
	}
	f = fopen(argv[5], "wb");
	if (!f) {
		perror(argv[5]);
		return 1;
	}
	for (unsigned long i = 0; i < count; i++) {
		unsigned int items = 4 + rnd(20);

		memset(out, 0, sizeof(out));
		n = 0;
		for (unsigned int k = 0; k < items && n + 8 < stride / 4; k++) {
			uint32_t p = rnd(100);

			if (p < 55)
				privileged();
			else if (p < 62)
				irq_arrives(magic);
			else
				ordinary();
		}
		put(0x4e800020u); /* blr */
		for (unsigned int k = 0; k < stride / 4; k++) {
			unsigned char b[4];

			for (int j = 0; j < 4; j++)
				b[le ? j : 3 - j] =
					(unsigned char)(out[k] >> (8 * j));
			fwrite(b, 4, 1, f);
		}
	}
	return fclose(f) ? 1 : 0;
}
