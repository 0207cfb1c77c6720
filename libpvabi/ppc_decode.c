// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The PowerPC decoder: which instructions the patcher replaces.
 * Freestanding (no libc), like pvabi/abi.h.
 *
 * Matching is exact, as in Linux's kvm.c: every bit outside the register
 * fields must equal the canonical encoding, so reserved-bit variants and
 * record forms are left alone.
 */
#if !defined(__KERNEL__)
#include <stdbool.h>
#endif

#include "pvabi/access.h"
#include "pvabi/patch.h"
#include "export.h"
#include "simd.h"

#define F(field) __builtin_offsetof(struct pvabi_magic_page, field)

#define OP31	 0x7c000000u
#define MASK_RT	 0x03e00000u
#define MASK_RB	 0x0000f800u
#define MASK_SPR 0x001ff800u

#define MFMSR	  0x7c0000a6u
#define MTMSR	  0x7c000124u
#define MTMSRD_L0 0x7c000164u
#define MTMSRD_L1 0x7c010164u
#define WRTEE	  0x7c000106u
#define WRTEEI_0  0x7c000146u
#define WRTEEI_1  0x7c008146u
#define MFSPR	  0x7c0002a6u
#define MTSPR	  0x7c0003a6u
#define MTSRIN	  0x7c0001e4u
#define TLBSYNC	  0x7c00046cu

/* Instruction table: the index is the stable id that names a site kind. */
struct entry {
	const char *name;
	pvabi_u8 op;
	pvabi_u8 width;
	pvabi_u8 part;
	pvabi_u16 offset;
	pvabi_u32 cls;
};

enum {
	I_MFMSR,
	I_MTMSR,
	I_MTMSRD,
	I_MTMSRD_L1,
	I_WRTEE,
	I_WRTEEI,
	I_MFSPRG0,
	I_MTSPRG0 = I_MFSPRG0 + 8,
	I_MFSRR0 = I_MTSPRG0 + 8,
	I_MFSRR1,
	I_MTSRR0,
	I_MTSRR1,
	I_MFDAR,
	I_MTDAR,
	I_MFDSISR,
	I_MTDSISR,
	I_MFESR,
	I_MTESR,
	I_MFPIR,
	I_MFMAS0,
	I_MFMAS1,
	I_MFMAS2,
	I_MFMAS3,
	I_MFMAS4,
	I_MFMAS6,
	I_MFMAS7,
	I_MTMAS0,
	I_MTMAS1,
	I_MTMAS2,
	I_MTMAS3,
	I_MTMAS4,
	I_MTMAS6,
	I_MTMAS7,
	I_MTSRIN,
	I_TLBSYNC,
	I_COUNT
};

#define MSR_E(n, o)                                                            \
	{                                                                      \
		n, o, 8, 0, F(arch.msr), PVABI_PC_MSR                          \
	}
#define SPRG_E(n, o, i)                                                        \
	{                                                                      \
		n, o, 8, 0, F(arch.sprg[i]), PVABI_PC_SPRG                     \
	}
#define SPR_E(n, o, w, p, f, c)                                                \
	{                                                                      \
		n, PVABI_OP_##o, w, p, F(f), c                                 \
	}

static const struct entry table[I_COUNT] = {
	[I_MFMSR] = MSR_E("mfmsr", PVABI_OP_MFMSR),
	[I_MTMSR] = MSR_E("mtmsr", PVABI_OP_MTMSR),
	[I_MTMSRD] = MSR_E("mtmsrd", PVABI_OP_MTMSRD),
	[I_MTMSRD_L1] = MSR_E("mtmsrd.l1", PVABI_OP_MTMSRD_L1),
	[I_WRTEE] = MSR_E("wrtee", PVABI_OP_WRTEE),
	[I_WRTEEI] = MSR_E("wrteei", PVABI_OP_WRTEEI),
	[I_MFSPRG0 + 0] = SPRG_E("mfsprg0", PVABI_OP_MFSPR, 0),
	[I_MFSPRG0 + 1] = SPRG_E("mfsprg1", PVABI_OP_MFSPR, 1),
	[I_MFSPRG0 + 2] = SPRG_E("mfsprg2", PVABI_OP_MFSPR, 2),
	[I_MFSPRG0 + 3] = SPRG_E("mfsprg3", PVABI_OP_MFSPR, 3),
	[I_MFSPRG0 + 4] = SPRG_E("mfsprg4", PVABI_OP_MFSPR, 4),
	[I_MFSPRG0 + 5] = SPRG_E("mfsprg5", PVABI_OP_MFSPR, 5),
	[I_MFSPRG0 + 6] = SPRG_E("mfsprg6", PVABI_OP_MFSPR, 6),
	[I_MFSPRG0 + 7] = SPRG_E("mfsprg7", PVABI_OP_MFSPR, 7),
	[I_MTSPRG0 + 0] = SPRG_E("mtsprg0", PVABI_OP_MTSPR, 0),
	[I_MTSPRG0 + 1] = SPRG_E("mtsprg1", PVABI_OP_MTSPR, 1),
	[I_MTSPRG0 + 2] = SPRG_E("mtsprg2", PVABI_OP_MTSPR, 2),
	[I_MTSPRG0 + 3] = SPRG_E("mtsprg3", PVABI_OP_MTSPR, 3),
	[I_MTSPRG0 + 4] = SPRG_E("mtsprg4", PVABI_OP_MTSPR, 4),
	[I_MTSPRG0 + 5] = SPRG_E("mtsprg5", PVABI_OP_MTSPR, 5),
	[I_MTSPRG0 + 6] = SPRG_E("mtsprg6", PVABI_OP_MTSPR, 6),
	[I_MTSPRG0 + 7] = SPRG_E("mtsprg7", PVABI_OP_MTSPR, 7),
	[I_MFSRR0] = SPR_E("mfsrr0", MFSPR, 8, 0, arch.srr0, PVABI_PC_SRR),
	[I_MFSRR1] = SPR_E("mfsrr1", MFSPR, 8, 0, arch.srr1, PVABI_PC_SRR),
	[I_MTSRR0] = SPR_E("mtsrr0", MTSPR, 8, 0, arch.srr0, PVABI_PC_SRR),
	[I_MTSRR1] = SPR_E("mtsrr1", MTSPR, 8, 0, arch.srr1, PVABI_PC_SRR),
	[I_MFDAR] = SPR_E("mfdar", MFSPR, 8, 0, arch.dar, PVABI_PC_FAULT),
	[I_MTDAR] = SPR_E("mtdar", MTSPR, 8, 0, arch.dar, PVABI_PC_FAULT),
	[I_MFDSISR] = SPR_E("mfdsisr", MFSPR, 4, 0, arch.dsisr, PVABI_PC_FAULT),
	[I_MTDSISR] = SPR_E("mtdsisr", MTSPR, 4, 0, arch.dsisr, PVABI_PC_FAULT),
	[I_MFESR] = SPR_E("mfesr", MFSPR, 4, 0, arch.esr, PVABI_PC_FAULT),
	[I_MTESR] = SPR_E("mtesr", MTSPR, 4, 0, arch.esr, PVABI_PC_FAULT),
	[I_MFPIR] = SPR_E("mfpir", MFSPR, 4, 0, arch.pir, PVABI_PC_BOOKE),
	[I_MFMAS0] = SPR_E("mfmas0", MFSPR, 4, 0, arch.mas0, PVABI_PC_BOOKE),
	[I_MFMAS1] = SPR_E("mfmas1", MFSPR, 4, 0, arch.mas1, PVABI_PC_BOOKE),
	[I_MFMAS2] = SPR_E("mfmas2", MFSPR, 8, 0, arch.mas2, PVABI_PC_BOOKE),
	[I_MFMAS3] = SPR_E("mfmas3", MFSPR, 4, 1, arch.mas7_3, PVABI_PC_BOOKE),
	[I_MFMAS4] = SPR_E("mfmas4", MFSPR, 4, 0, arch.mas4, PVABI_PC_BOOKE),
	[I_MFMAS6] = SPR_E("mfmas6", MFSPR, 4, 0, arch.mas6, PVABI_PC_BOOKE),
	[I_MFMAS7] = SPR_E("mfmas7", MFSPR, 4, 2, arch.mas7_3, PVABI_PC_BOOKE),
	[I_MTMAS0] = SPR_E("mtmas0", MTSPR, 4, 0, arch.mas0, PVABI_PC_BOOKE),
	[I_MTMAS1] = SPR_E("mtmas1", MTSPR, 4, 0, arch.mas1, PVABI_PC_BOOKE),
	[I_MTMAS2] = SPR_E("mtmas2", MTSPR, 8, 0, arch.mas2, PVABI_PC_BOOKE),
	[I_MTMAS3] = SPR_E("mtmas3", MTSPR, 4, 1, arch.mas7_3, PVABI_PC_BOOKE),
	[I_MTMAS4] = SPR_E("mtmas4", MTSPR, 4, 0, arch.mas4, PVABI_PC_BOOKE),
	[I_MTMAS6] = SPR_E("mtmas6", MTSPR, 4, 0, arch.mas6, PVABI_PC_BOOKE),
	[I_MTMAS7] = SPR_E("mtmas7", MTSPR, 4, 2, arch.mas7_3, PVABI_PC_BOOKE),
	[I_MTSRIN] = {"mtsrin", PVABI_OP_MTSRIN, 4, 0, F(arch.sr),
		      PVABI_PC_SEGREGS},
	[I_TLBSYNC] = {"tlbsync", PVABI_OP_TLBSYNC, 0, 0, 0, PVABI_PC_TLBSYNC},
};

/* SPR number to table entries (read, write) and the features it needs;
 * sorted by number (decode_spr() searches it by halves). */
struct spr {
	pvabi_u16 nr;
	pvabi_u8 mf, mt; /* entry ids; 0xff: not decoded that way */
	pvabi_u64 need;	 /* every one of these features */
	pvabi_u64 not ;	 /* none of these (book3s numbers reused by book-E) */
};

#define NONE   0xff
#define BOOKE  PVABI_F_BOOKE
#define SPRG47 PVABI_F_SPRG4_7

static const struct spr sprs[] = {
	{18, I_MFDSISR, I_MTDSISR, 0, BOOKE},
	{19, I_MFDAR, I_MTDAR, 0, BOOKE},
	{26, I_MFSRR0, I_MTSRR0, 0, 0},
	{27, I_MFSRR1, I_MTSRR1, 0, 0},
	{61, I_MFDAR, I_MTDAR, BOOKE, 0}, /* DEAR */
	{62, I_MFESR, I_MTESR, BOOKE, 0},
	{260, I_MFSPRG0 + 4, NONE, BOOKE | SPRG47, 0}, /* SPRG4R-7R */
	{261, I_MFSPRG0 + 5, NONE, BOOKE | SPRG47, 0},
	{262, I_MFSPRG0 + 6, NONE, BOOKE | SPRG47, 0},
	{263, I_MFSPRG0 + 7, NONE, BOOKE | SPRG47, 0},
	{272, I_MFSPRG0 + 0, I_MTSPRG0 + 0, 0, 0},
	{273, I_MFSPRG0 + 1, I_MTSPRG0 + 1, 0, 0},
	{274, I_MFSPRG0 + 2, I_MTSPRG0 + 2, 0, 0},
	{275, I_MFSPRG0 + 3, I_MTSPRG0 + 3, 0, 0},
	{276, I_MFSPRG0 + 4, I_MTSPRG0 + 4, SPRG47, 0},
	{277, I_MFSPRG0 + 5, I_MTSPRG0 + 5, SPRG47, 0},
	{278, I_MFSPRG0 + 6, I_MTSPRG0 + 6, SPRG47, 0},
	{279, I_MFSPRG0 + 7, I_MTSPRG0 + 7, SPRG47, 0},
	{286, I_MFPIR, NONE, BOOKE, 0},
	{624, I_MFMAS0, I_MTMAS0, BOOKE, 0},
	{625, I_MFMAS1, I_MTMAS1, BOOKE, 0},
	{626, I_MFMAS2, I_MTMAS2, BOOKE, 0},
	{627, I_MFMAS3, I_MTMAS3, BOOKE, 0},
	{628, I_MFMAS4, I_MTMAS4, BOOKE, 0},
	{630, I_MFMAS6, I_MTMAS6, BOOKE, 0},
	{944, I_MFMAS7, I_MTMAS7, BOOKE, 0},
};

static int fill(struct pvabi_ppc_insn *in, pvabi_u32 word, unsigned int id,
		unsigned int reg, unsigned int rb, unsigned int spr)
{
	const struct entry *e = &table[id];

	if (in) {
		in->word = word;
		in->id = (pvabi_u16)id;
		in->op = e->op;
		in->reg = (pvabi_u8)reg;
		in->rb = (pvabi_u8)rb;
		in->width = e->width;
		in->part = e->part;
		in->spr = (pvabi_u16)spr;
		in->offset = e->offset;
		in->cls = e->cls;
	}
	return 1;
}

/* sprs[] is sorted by number: searched by halves, since every mflr, mtlr
 * and mtctr of the scanned code comes here. */
static int decode_spr(pvabi_u32 word, pvabi_u64 features, bool to,
		      struct pvabi_ppc_insn *in)
{
	unsigned int spr = ((word >> 16) & 0x1f) | ((word >> 6) & 0x3e0);
	unsigned int lo = 0, hi = sizeof(sprs) / sizeof(sprs[0]);

	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2, id;
		const struct spr *s = &sprs[mid];

		if (s->nr < spr) {
			lo = mid + 1;
			continue;
		}
		if (s->nr > spr) {
			hi = mid;
			continue;
		}
		id = to ? s->mt : s->mf;
		if (id == NONE || (features & s->need) != s->need ||
		    (features & s->not ))
			return 0;
		return fill(in, word, id, (word >> 21) & 31, 0, spr);
	}
	return 0;
}

#define XO(word) (((word) >> 1) & 0x3ffu)

/* pvabi_ppc_decode(), inlined into the scan loop. */
static inline int decode(pvabi_u32 word, pvabi_u64 features,
			 struct pvabi_ppc_insn *in)
{
	pvabi_u32 rs = (word >> 21) & 31;

	if ((word & 0xfc000000u) != OP31)
		return 0;
	/* The extended opcode (bits 1-10, outside every register field)
	 * first: one jump rejects almost every other primary-31 word, and
	 * each match below compares it again with the rest. */
	switch (XO(word)) {
	case XO(MFMSR):
	case XO(MTMSR):
	case XO(MTMSRD_L0):
	case XO(WRTEE):
	case XO(WRTEEI_0):
	case XO(MFSPR):
	case XO(MTSPR):
	case XO(MTSRIN):
	case XO(TLBSYNC): break;
	default: return 0;
	}
	switch (word & ~MASK_RT) {
	case MFMSR: return fill(in, word, I_MFMSR, rs, 0, 0);
	case MTMSR: return fill(in, word, I_MTMSR, rs, 0, 0);
	case MTMSRD_L0: return fill(in, word, I_MTMSRD, rs, 0, 0);
	case MTMSRD_L1: return fill(in, word, I_MTMSRD_L1, rs, 0, 0);
	case WRTEE: return fill(in, word, I_WRTEE, rs, 0, 0);
	case TLBSYNC:
		if (rs || !(features & PVABI_F_TLBSYNC_NOP))
			return 0;
		return fill(in, word, I_TLBSYNC, 0, 0, 0);
	}
	if (word == WRTEEI_0 || word == WRTEEI_1)
		return fill(in, word, I_WRTEEI, word == WRTEEI_1, 0, 0);
	if ((word & ~(MASK_RT | MASK_SPR)) == MFSPR)
		return decode_spr(word, features, false, in);
	if ((word & ~(MASK_RT | MASK_SPR)) == MTSPR)
		return decode_spr(word, features, true, in);
	if ((word & ~(MASK_RT | MASK_RB)) == MTSRIN &&
	    (features & PVABI_F_SEGREGS))
		return fill(in, word, I_MTSRIN, rs, (word >> 11) & 31, 0);
	return 0;
}

PVABI_EXPORT int pvabi_ppc_decode(pvabi_u32 word, pvabi_u64 features,
				  struct pvabi_ppc_insn *in)
{
	return decode(word, features, in);
}

PVABI_EXPORT const char *pvabi_ppc_name(unsigned int id)
{
	return id < I_COUNT ? table[id].name : NULL;
}

PVABI_EXPORT unsigned int pvabi_ppc_ninsn(void)
{
	return I_COUNT;
}

PVABI_EXPORT const char *pvabi_ppc_class_name(pvabi_u32 cls)
{
	static const char *const names[] = {
		"msr", "sprg", "srr", "fault", "booke", "segregs", "tlbsync"};

	if (!cls || (cls & (cls - 1)) || cls > PVABI_PC_ALL)
		return NULL;
	return names[__builtin_ctz(cls)];
}

PVABI_EXPORT const char *pvabi_ppc_arch_name(enum pvabi_ppc_arch arch)
{
	switch (arch) {
	case PVABI_PPC32: return "ppc32";
	case PVABI_PPC64: return "ppc64";
	case PVABI_PPC64LE: return "ppc64le";
	}
	return NULL;
}

static inline pvabi_u32 load_word(const unsigned char *p, bool swap)
{
	pvabi_u32 w;

	__builtin_memcpy(&w, p, 4);
	return swap ? __builtin_bswap32(w) : w;
}

/* The extended opcodes decode() can match, as a 1024-bit set. */
#define XO_BIT(xo, i) (((xo) >> 6) == (i) ? 1ull << ((xo)&63) : 0)
#define XO_WORD(i)                                                             \
	(XO_BIT(XO(MFMSR), i) | XO_BIT(XO(MTMSR), i) |                         \
	 XO_BIT(XO(MTMSRD_L0), i) | XO_BIT(XO(WRTEE), i) |                     \
	 XO_BIT(XO(WRTEEI_0), i) | XO_BIT(XO(MFSPR), i) |                      \
	 XO_BIT(XO(MTSPR), i) | XO_BIT(XO(MTSRIN), i) |                        \
	 XO_BIT(XO(TLBSYNC), i))
static const pvabi_u64 xo_set[16] = {
	XO_WORD(0),  XO_WORD(1),  XO_WORD(2),  XO_WORD(3),
	XO_WORD(4),  XO_WORD(5),  XO_WORD(6),  XO_WORD(7),
	XO_WORD(8),  XO_WORD(9),  XO_WORD(10), XO_WORD(11),
	XO_WORD(12), XO_WORD(13), XO_WORD(14), XO_WORD(15),
};

/* Could decode() match @w?  Computed without a branch: one word in five
 * of PowerPC code is primary opcode 31, at random, and a branch on that
 * alone is mispredicted all the time; one in thirty passes both tests. */
static inline bool candidate(pvabi_u32 w)
{
	return ((w & 0xfc000000u) == OP31) &
	       (unsigned int)(xo_set[(w >> 7) & 15] >> ((w >> 1) & 63));
}

typedef pvabi_u32 words16 __attribute__((vector_size(64)));

/* Primary opcode and extended opcode: what decode()'s switch looks at. */
#define KEY_XO 0xfc0007feu
/* The same with the SPR field, mfspr and mtspr alike (they differ in one
 * bit of the extended opcode). */
#define KEY_SPR	     ((KEY_XO & ~0x100u) | MASK_SPR)
#define SPR_FIELD(n) ((((n)&0x1fu) << 16) | (((n) >> 5) << 11))
#define XFER_SPR(n)  ((MFSPR & KEY_SPR) | SPR_FIELD(n))

/*
 * Could decode() match any of the 16 words at @p?  A superset of it, in
 * vector code: the extended opcodes decode() takes, less mfspr and mtspr
 * of XER, LR and CTR (none is a site, yet every mflr, mtlr and mtctr would
 * send its block to the word-by-word loop: a block in three, where one in
 * ninety has a candidate left).  The constants are byte-swapped for a
 * foreign byte order, not the words.
 */
static inline __attribute__((always_inline)) bool
block_may_match(const unsigned char *p, bool swap)
{
#define C(x) (swap ? __builtin_bswap32(x) : (x))
	words16 w, k, s, hit, xfer;
	block64 any;

	__builtin_memcpy(&w, p, sizeof(w));
	k = w & C(KEY_XO);
	hit = (words16)(k == C(MFMSR)) | (words16)(k == C(MTMSR)) |
	      (words16)(k == C(MTMSRD_L0)) | (words16)(k == C(WRTEE)) |
	      (words16)(k == C(WRTEEI_0)) | (words16)(k == C(MFSPR)) |
	      (words16)(k == C(MTSPR)) | (words16)(k == C(MTSRIN)) |
	      (words16)(k == C(TLBSYNC));
	s = w & C(KEY_SPR);
	xfer = (words16)(s == C(XFER_SPR(1))) | (words16)(s == C(XFER_SPR(8))) |
	       (words16)(s == C(XFER_SPR(9)));
	any = (block64)(hit & ~xfer);
	return !BLOCK_ZERO(any);
#undef C
}

/* The scan loop, instantiated once per byte order (@swap is a constant):
 * 64-byte blocks that block_may_match() clears are skipped whole. */
static inline __attribute__((always_inline)) long scan_words(
	const unsigned char *p, unsigned long len, bool swap, pvabi_u64 addr,
	pvabi_u64 features,
	int (*site)(void *ctx, pvabi_u64 addr, const struct pvabi_ppc_insn *in),
	void *ctx)
{
	long found = 0;

	for (unsigned long off = 0; off + 4 <= len; off += 4) {
		pvabi_u32 w;
		struct pvabi_ppc_insn in;
		int rc;

		if (!(off & 63) && len - off >= 64 &&
		    !block_may_match(p + off, swap)) {
			off += 60;
			continue;
		}
		w = load_word(p + off, swap);
		if (!candidate(w) || !decode(w, features, &in))
			continue;
		found++;
		if (site && (rc = site(ctx, addr + off, &in)) < 0)
			return rc;
	}
	return found;
}

#define SCAN_ARGS                                                              \
	const unsigned char *p, unsigned long len, pvabi_u64 addr,             \
		pvabi_u64 features,                                            \
		int (*site)(void *ctx, pvabi_u64 addr,                         \
			    const struct pvabi_ppc_insn *in),                  \
		void *ctx

WIDEST_CLONES static long scan_native(SCAN_ARGS)
{
	return scan_words(p, len, false, addr, features, site, ctx);
}

WIDEST_CLONES static long scan_swapped(SCAN_ARGS)
{
	return scan_words(p, len, true, addr, features, site, ctx);
}

PVABI_EXPORT long pvabi_ppc_scan(enum pvabi_ppc_arch arch, const void *code,
				 unsigned long len, pvabi_u64 addr,
				 pvabi_u64 features,
				 int (*site)(void *ctx, pvabi_u64 addr,
					     const struct pvabi_ppc_insn *in),
				 void *ctx)
{
	bool le = arch == PVABI_PPC64LE;

	if (!pvabi_ppc_arch_name(arch) || (!code && len >= 4))
		return PVABI_E_INVAL;
	if (le != (PVABI_HOST_ORDER == PVABI_LE))
		return scan_swapped(code, len, addr, features, site, ctx);
	return scan_native(code, len, addr, features, site, ctx);
}
