// SPDX-License-Identifier: GPL-2.0-or-later
/* The decoder and the rewriter, on synthetic code: encodings, gating,
 * every skip reason, the policy's mode, and the rewriter's invariants. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "verify.h"

#define ALLF	PVABI_F_ALL_1_0
#define NOBOOKE (ALLF & ~(PVABI_F_BOOKE | PVABI_F_HOST_PATCH))

static const char *name_of(uint32_t w, uint64_t f)
{
	struct pvabi_ppc_insn in;

	return pvabi_ppc_decode(w, f, &in) ? pvabi_ppc_name(in.id) : NULL;
}

#define SPR(xo, spr, r)                                                        \
	(0x7c000000u | (r) << 21 | ((spr)&31) << 16 | ((spr) >> 5) << 11 |     \
	 (xo) << 1)
#define MFSPR(spr, r) SPR(339u, spr, r)
#define MTSPR(spr, r) SPR(467u, spr, r)

static void decode_kvm_set(void **state)
{
	/* The encodings of Linux's kvm.c, with a register in RT/RS. */
	assert_string_equal(name_of(0x7c0000a6u | 9 << 21, NOBOOKE), "mfmsr");
	assert_string_equal(name_of(0x7c000124u | 3 << 21, NOBOOKE), "mtmsr");
	assert_string_equal(name_of(0x7c000164u | 3 << 21, NOBOOKE), "mtmsrd");
	assert_string_equal(name_of(0x7c010164u | 3 << 21, NOBOOKE),
			    "mtmsrd.l1");
	assert_string_equal(name_of(0x7c000106u | 3 << 21, NOBOOKE), "wrtee");
	assert_string_equal(name_of(0x7c000146u, NOBOOKE), "wrteei");
	assert_string_equal(name_of(0x7c008146u, NOBOOKE), "wrteei");
	assert_string_equal(name_of(0x7c00046cu, NOBOOKE), "tlbsync");
	assert_string_equal(name_of(0x7c0001e4u | 3 << 21 | 4 << 11, NOBOOKE),
			    "mtsrin");
	for (unsigned int i = 0; i < 8; i++) {
		char n[16];

		snprintf(n, sizeof(n), "mfsprg%u", i);
		assert_string_equal(name_of(MFSPR(272 + i, 5), NOBOOKE), n);
		snprintf(n, sizeof(n), "mtsprg%u", i);
		assert_string_equal(name_of(MTSPR(272 + i, 5), NOBOOKE), n);
	}
	assert_string_equal(name_of(MFSPR(26, 1), NOBOOKE), "mfsrr0");
	assert_string_equal(name_of(MTSPR(27, 1), NOBOOKE), "mtsrr1");
	assert_string_equal(name_of(MFSPR(19, 1), NOBOOKE), "mfdar");
	assert_string_equal(name_of(MTSPR(18, 1), NOBOOKE), "mtdsisr");
}

static void decode_gating(void **state)
{
	/* Reserved bits, record forms and non-sites are left alone. */
	assert_null(name_of(0x7c0000a7u, ALLF)); /* mfmsr. */
	assert_null(name_of(0x7c0000a6u | 1 << 11, ALLF));
	assert_null(name_of(0x7c00046du, ALLF));
	assert_null(name_of(0x7c0802a6u, ALLF));   /* mflr r0 */
	assert_null(name_of(MFSPR(256, 3), ALLF)); /* VRSAVE */
	assert_null(name_of(0x60000000u, ALLF));   /* nop */
	/* Feature gates. */
	assert_null(name_of(0x7c00046cu, 0));
	assert_null(name_of(0x7c0001e4u, 0));
	assert_null(name_of(MFSPR(276, 3), 0));
	assert_string_equal(name_of(MFSPR(275, 3), 0), "mfsprg3");
	/* Book-E numbers only with booke; DAR's number only without. */
	assert_null(name_of(MFSPR(286, 3), NOBOOKE));
	assert_string_equal(name_of(MFSPR(286, 3), ALLF), "mfpir");
	assert_null(name_of(MTSPR(286, 3), ALLF));
	assert_string_equal(name_of(MFSPR(61, 3), ALLF), "mfdar");
	assert_null(name_of(MFSPR(19, 3), ALLF));
	assert_string_equal(name_of(MTSPR(944, 3), ALLF), "mtmas7");
	assert_string_equal(name_of(MFSPR(260, 3), ALLF), "mfsprg4");
	assert_null(name_of(MFSPR(260, 3), NOBOOKE));
}

static void names_unique(void **state)
{
	unsigned int n = pvabi_ppc_ninsn();

	assert_true(n > 40);
	for (unsigned int i = 0; i < n; i++)
		for (unsigned int j = 0; j < i; j++)
			assert_string_not_equal(pvabi_ppc_name(i),
						pvabi_ppc_name(j));
	assert_null(pvabi_ppc_name(n));
	assert_string_equal(pvabi_ppc_class_name(PVABI_PC_TLBSYNC), "tlbsync");
	assert_null(pvabi_ppc_class_name(3));
}

/* A code block of @n words at 0x100000, area right after it. */
struct fixture {
	struct pvabi_patch_config cfg;
	struct pvabi_patch_policy pol;
	struct pvabi_patch_area area;
	struct pvabi_patch_stats st;
	unsigned char code[4096], before[4096], abuf[65536];
	unsigned long len;
	enum pvabi_patch_skip last[64];
	unsigned int nlast;
};

static void fx_init(struct fixture *f, enum pvabi_ppc_arch arch)
{

	memset(f, 0, sizeof(*f));
	f->cfg.arch = arch;
	f->cfg.by = PVABI_PATCH_BY_GUEST;
	f->cfg.features = NOBOOKE;
	f->cfg.base_reg = PVABI_PATCH_ABSOLUTE;
	f->cfg.magic_gpa =
		arch == PVABI_PPC32 ? 0xfffff000u : (uint64_t)-0x1000;
	f->cfg.notify_gpa = f->cfg.magic_gpa - 0x1000;
	pvabi_patch_policy_init(&f->pol);
	f->area.buf = f->abuf;
	f->area.addr = 0x200000;
	f->area.size = sizeof(f->abuf);
}

static void fx_put(struct fixture *f, uint32_t w)
{
	unsigned char *p = f->code + f->len;

	if (f->cfg.arch == PVABI_PPC64LE)
		for (int i = 0; i < 4; i++)
			p[i] = (unsigned char)(w >> (8 * i));
	else
		for (int i = 0; i < 4; i++)
			p[i] = (unsigned char)(w >> (24 - 8 * i));
	f->len += 4;
}

static int record(void *ctx, uint64_t addr, const struct pvabi_ppc_insn *in,
		  enum pvabi_patch_skip why)
{
	struct fixture *f = ctx;

	if (f->nlast < 64)
		f->last[f->nlast++] = why;
	return 0;
}

static int fx_patch(struct fixture *f, uint64_t addr)
{
	int err;

	memcpy(f->before, f->code, f->len);
	err = pvabi_patch_code(&f->cfg, &f->pol, &f->area, f->code, f->len,
			       addr, record, f, &f->st);
	if (!err)
		assert_true(vfy_patch(&f->cfg, &f->area, f->before, f->code,
				      f->len, addr) == (long)f->st.patched);
	return err;
}

static void fill_all_kinds(struct fixture *f)
{
	fx_put(f, 0x7c0000a6u | 31 << 21); /* mfmsr r31 */
	fx_put(f, 0x38600000u);		   /* li r3,0 */
	fx_put(f, 0x7c000124u | 30 << 21); /* mtmsr r30 */
	fx_put(f, 0x7c010164u | 3 << 21);  /* mtmsrd r3,1 */
	fx_put(f, 0x7c000164u | 3 << 21);  /* mtmsrd r3 */
	fx_put(f, 0x7c000106u | 31 << 21); /* wrtee r31 */
	fx_put(f, 0x7c000146u);		   /* wrteei 0 */
	fx_put(f, 0x7c008146u);		   /* wrteei 1 */
	fx_put(f, MFSPR(272, 30));
	fx_put(f, MTSPR(279, 31));
	fx_put(f, MFSPR(18, 4));
	fx_put(f, 0x7c0001e4u | 30 << 21 | 31 << 11); /* mtsrin r30,r31 */
	fx_put(f, 0x7c00046cu);			      /* tlbsync */
	fx_put(f, 0x4e800020u);			      /* blr */
}

static void patch_all_arches(void **state)
{
	static const enum pvabi_ppc_arch arches[] = {PVABI_PPC32, PVABI_PPC64,
						     PVABI_PPC64LE};
	struct fixture *f = malloc(sizeof(*f));
	unsigned long lean_used[3];

	/* Lean (docs/delivery.md) and full SPR templates on each arch. */
	for (unsigned int a = 0; a < 6; a++) {
		fx_init(f, arches[a % 3]);
		f->cfg.flags = a < 3 ? 0 : PVABI_PATCH_F_FULL;
		fill_all_kinds(f);
		assert_int_equal(fx_patch(f, 0x100000), 0);
		assert_int_equal(f->st.sites, 12);
		assert_int_equal(f->st.patched, 12);
		assert_int_equal(f->st.skipped, 0);
		/* Lean templates for the 4 SPR moves and tlbsync: 2 words
		 * (1 for tlbsync), where the full ones take dozens. */
		if (a < 3)
			lean_used[a] = f->area.used;
		else
			assert_true(f->area.used >=
				    lean_used[a - 3] + 4 * 4 * 20 + 4 * 10);
		/* Base-register addressing, pages anywhere. */
		fx_init(f, arches[a % 3]);
		f->cfg.flags = a < 3 ? 0 : PVABI_PATCH_F_FULL;
		f->cfg.base_reg = 29;
		f->cfg.magic_gpa = 0x3f000000;
		f->cfg.notify_gpa = 0x3f001000;
		f->cfg.base_addr = 0x3f000000;
		fill_all_kinds(f);
		fx_put(f, 0x7c0000a6u | 29 << 21); /* mfmsr r29: the base */
		assert_int_equal(fx_patch(f, 0x100000), 0);
		assert_int_equal(f->st.patched, 12);
		assert_int_equal(f->st.per_skip[PVABI_SKIP_REGISTER], 1);
	}
	free(f);
}

static void skip_reasons(void **state)
{
	struct fixture *f = malloc(sizeof(*f));

	/* Excluded ranges, classes, the cap, r1/r2. */
	fx_init(f, PVABI_PPC64LE);
	f->pol.n_exclude = 1;
	f->pol.exclude[0] = (struct pvabi_patch_range){0x100000, 0x100004};
	f->pol.classes = PVABI_PC_ALL & ~PVABI_PC_TLBSYNC;
	f->pol.max_sites = 3;
	fx_put(f, 0x7c0000a6u | 3 << 21); /* excluded */
	fx_put(f, 0x7c00046cu);		  /* class */
	fx_put(f, 0x7c0000a6u | 1 << 21); /* mfmsr r1 */
	fx_put(f, 0x7c0000a6u | 2 << 21); /* mfmsr r2 */
	for (int i = 0; i < 5; i++)
		fx_put(f, 0x7c0000a6u | 3 << 21);
	assert_int_equal(fx_patch(f, 0x100000), 0);
	assert_int_equal(f->last[0], PVABI_SKIP_EXCLUDED);
	assert_int_equal(f->last[1], PVABI_SKIP_CLASS);
	assert_int_equal(f->last[2], PVABI_SKIP_REGISTER);
	assert_int_equal(f->last[3], PVABI_SKIP_REGISTER);
	assert_int_equal(f->st.patched, 3);
	assert_int_equal(f->last[7], PVABI_SKIP_CAP);
	assert_int_equal(f->last[8], PVABI_SKIP_CAP);

	/* The area too far away for a branch, then too small. */
	fx_init(f, PVABI_PPC32);
	fx_put(f, 0x7c0000a6u | 3 << 21);
	f->area.addr = 0x100000 + (32u << 20);
	assert_int_equal(fx_patch(f, 0x100000), 0);
	assert_int_equal(f->last[0], PVABI_SKIP_RANGE);
	fx_init(f, PVABI_PPC32);
	fx_put(f, 0x7c0000a6u | 3 << 21);
	f->area.size = 4; /* not even "ld; b back" */
	assert_int_equal(fx_patch(f, 0x100000), 0);
	assert_int_equal(f->last[0], PVABI_SKIP_AREA_FULL);
	f->cfg.flags = PVABI_PATCH_F_FULL;
	f->area.size = 64;
	assert_int_equal(fx_patch(f, 0x100000), 0);
	assert_int_equal(f->last[1], PVABI_SKIP_AREA_FULL);
	assert_int_equal(f->area.used, 0);
	/* A site inside the area itself. */
	fx_init(f, PVABI_PPC32);
	fx_put(f, 0x7c0000a6u | 3 << 21);
	assert_int_equal(fx_patch(f, 0x200000), 0);
	assert_int_equal(f->last[0], PVABI_SKIP_TEMPLATE);
	free(f);
}

static void mode_and_config(void **state)
{
	struct fixture *f = malloc(sizeof(*f));

	fx_init(f, PVABI_PPC64);
	fx_put(f, 0x7c0000a6u | 3 << 21);
	f->pol.mode = PVABI_PATCH_OFF;
	assert_int_equal(fx_patch(f, 0x100000), PVABI_E_POLICY);
	f->pol.mode = PVABI_PATCH_GUEST;
	f->cfg.by = PVABI_PATCH_BY_HOST;
	assert_int_equal(fx_patch(f, 0x100000), PVABI_E_POLICY);
	f->pol.mode = PVABI_PATCH_HOST;
	assert_int_equal(fx_patch(f, 0x100000), PVABI_E_POLICY);
	f->cfg.features |= PVABI_F_HOST_PATCH;
	assert_int_equal(fx_patch(f, 0x100000), 0);
	assert_int_equal(f->st.patched, 1);

	/* Absolute addressing reaches only the top and bottom 32 KiB. */
	fx_init(f, PVABI_PPC64);
	assert_int_equal(pvabi_patch_config_check(&f->cfg), 0);
	f->cfg.magic_gpa = 0x1000;
	f->cfg.notify_gpa = 0x2000;
	assert_int_equal(pvabi_patch_config_check(&f->cfg), 0);
	f->cfg.magic_gpa = 0x10000000;
	assert_int_equal(pvabi_patch_config_check(&f->cfg), PVABI_E_BADADDR);
	f->cfg.magic_gpa = 0x1800;
	assert_int_equal(pvabi_patch_config_check(&f->cfg), PVABI_E_BADADDR);
	f->cfg.magic_gpa = 0xffff8000u; /* the top for 32 bits only */
	f->cfg.notify_gpa = 0xffff9000u;
	assert_int_equal(pvabi_patch_config_check(&f->cfg), PVABI_E_BADADDR);
	f->cfg.arch = PVABI_PPC32;
	assert_int_equal(pvabi_patch_config_check(&f->cfg), 0);
	f->cfg.base_reg = 30; /* a template scratch register */
	f->cfg.base_addr = 0xffff8000u;
	assert_int_equal(pvabi_patch_config_check(&f->cfg), PVABI_E_INVAL);
	f->cfg.base_reg = 28;
	assert_int_equal(pvabi_patch_config_check(&f->cfg), 0);
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decode_kvm_set),
		cmocka_unit_test(decode_gating),
		cmocka_unit_test(names_unique),
		cmocka_unit_test(patch_all_arches),
		cmocka_unit_test(skip_reasons),
		cmocka_unit_test(mode_and_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
