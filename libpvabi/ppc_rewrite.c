// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The PowerPC rewriter: each site becomes "b template", and the template
 * runs the critical-section protocol of pvabi/abi.h (step sequence and
 * barriers in docs/patching.md) and branches back.  Freestanding.
 */
#if !defined(__KERNEL__)
#include <stdbool.h>
#endif

#include "pvabi/access.h"
#include "pvabi/patch.h"
#include "export.h"

#define F(field) __builtin_offsetof(struct pvabi_magic_page, field)

/* Template scratch registers and where their guest values are saved. */
#define S1	31
#define S2	30
#define SLOT_S1 (F(scratch) + 0)
#define SLOT_S2 (F(scratch) + 8)
#define SLOT_CR (F(scratch) + 16)

#define B_MAX	     ((1ll << 25) - 4) /* I-form branch reach, either way */
#define TEMPLATE_MAX 64		       /* words; the largest template is ~45 */

/* ------------------------------------------------------ policy helpers */

PVABI_EXPORT void pvabi_patch_policy_init(struct pvabi_patch_policy *pol)
{
	__builtin_memset(pol, 0, sizeof(*pol));
	pol->mode = PVABI_PATCH_GUEST;
	pol->classes = PVABI_PC_ALL;
	pol->max_sites = PVABI_PATCH_NO_CAP;
}

PVABI_EXPORT int pvabi_patch_policy_check(const struct pvabi_patch_policy *pol)
{
	if (!pol || (unsigned int)pol->mode > PVABI_PATCH_HOST ||
	    (pol->classes & ~(pvabi_u32)PVABI_PC_ALL) ||
	    pol->n_exclude > PVABI_PATCH_MAX_EXCLUDES)
		return PVABI_E_INVAL;
	for (unsigned int i = 0; i < pol->n_exclude; i++) {
		const struct pvabi_patch_range *a = &pol->exclude[i];

		if (a->end <= a->start)
			return PVABI_E_INVAL;
		for (unsigned int j = 0; j < i; j++) {
			const struct pvabi_patch_range *b = &pol->exclude[j];

			if (a->start < b->end && b->start < a->end)
				return PVABI_E_INVAL;
		}
	}
	return 0;
}

PVABI_EXPORT const char *pvabi_patch_mode_name(enum pvabi_patch_mode mode)
{
	switch (mode) {
	case PVABI_PATCH_OFF: return "off";
	case PVABI_PATCH_GUEST: return "guest";
	case PVABI_PATCH_HOST: return "host";
	}
	return NULL;
}

PVABI_EXPORT const char *pvabi_patch_skip_name(enum pvabi_patch_skip why)
{
	static const char *const names[PVABI_SKIP_MAX_] = {
		[PVABI_SKIP_NONE] = "patched",
		[PVABI_SKIP_MODE] = "mode",
		[PVABI_SKIP_EXCLUDED] = "excluded",
		[PVABI_SKIP_CLASS] = "class",
		[PVABI_SKIP_CAP] = "max-sites",
		[PVABI_SKIP_RANGE] = "out-of-range",
		[PVABI_SKIP_AREA_FULL] = "area-full",
		[PVABI_SKIP_REGISTER] = "register",
		[PVABI_SKIP_TEMPLATE] = "template-area",
	};

	return (unsigned int)why < PVABI_SKIP_MAX_ ? names[why] : NULL;
}

/* ----------------------------------------------------- addressing */

/* A signed 16-bit displacement reaching @target from @base, or false. */
static bool disp16(pvabi_u64 target, pvabi_u64 base, bool is64, int *d)
{
	pvabi_u64 diff = target - base;
	long long v;

	/* 32-bit code: addresses wrap at 4 GiB, so the top reaches 0. */
	if (!is64)
		diff = (pvabi_u64)(long long)(int)(pvabi_u32)diff;
	v = (long long)diff;
	if (v < -32768 || v > 32767)
		return false;
	*d = (int)v;
	return true;
}

static bool is64(enum pvabi_ppc_arch arch)
{
	return arch == PVABI_PPC64 || arch == PVABI_PPC64LE;
}

static pvabi_u64 base_of(const struct pvabi_patch_config *cfg)
{
	return cfg->base_reg == PVABI_PATCH_ABSOLUTE ? 0 : cfg->base_addr;
}

PVABI_EXPORT int pvabi_patch_config_check(const struct pvabi_patch_config *cfg)
{
	int d;

	if (!cfg || !pvabi_ppc_arch_name(cfg->arch) ||
	    (cfg->by != PVABI_PATCH_BY_GUEST &&
	     cfg->by != PVABI_PATCH_BY_HOST) ||
	    (cfg->flags & ~PVABI_PATCH_F_ALL))
		return PVABI_E_INVAL;
	if (cfg->base_reg != PVABI_PATCH_ABSOLUTE &&
	    (cfg->base_reg < 2 || cfg->base_reg > 29 || (cfg->base_addr & 7)))
		return PVABI_E_INVAL;
	if ((cfg->magic_gpa | cfg->notify_gpa) & (PVABI_PAGE_SIZE - 1))
		return PVABI_E_BADADDR;
	if (!is64(cfg->arch) &&
	    ((cfg->magic_gpa | cfg->notify_gpa | cfg->base_addr) >> 32))
		return PVABI_E_BADADDR;
	/* Every displacement a template uses lies between these two. */
	if (!disp16(cfg->magic_gpa, base_of(cfg), is64(cfg->arch), &d) ||
	    !disp16(cfg->magic_gpa + PVABI_SIZE_1_0 - 8, base_of(cfg),
		    is64(cfg->arch), &d) ||
	    !disp16(cfg->notify_gpa, base_of(cfg), is64(cfg->arch), &d))
		return PVABI_E_BADADDR;
	return 0;
}

/* ------------------------------------------------------------ encoder */

struct emit {
	const struct pvabi_patch_config *cfg;
	pvabi_u32 w[TEMPLATE_MAX];
	unsigned int n;
	unsigned int ra; /* base register of every page access (0: none) */
	bool is64;
};

static void put(struct emit *e, pvabi_u32 w)
{
	if (e->n < TEMPLATE_MAX)
		e->w[e->n] = w;
	e->n++;
}

static pvabi_u32 dform(unsigned int op, unsigned int rt, unsigned int ra, int d)
{
	return (op << 26) | (rt << 21) | (ra << 16) | ((pvabi_u32)d & 0xffff);
}

static int magic_disp(const struct emit *e, unsigned int off)
{
	int d = 0;

	disp16(e->cfg->magic_gpa + off, base_of(e->cfg), e->is64, &d);
	return d;
}

/* Offset of a 32-bit view: the low (part 1) or high (part 2) word. */
static unsigned int word_of(const struct emit *e, unsigned int off,
			    unsigned int part)
{
	bool le = e->cfg->arch == PVABI_PPC64LE;

	return off + ((part == 1) != le ? 4 : 0);
}

/* Load or store a magic-page field of @width bytes (8: native long). */
static void field(struct emit *e, bool store, unsigned int reg,
		  unsigned int off, unsigned int width, unsigned int part)
{
	if (width == 8 && e->is64)
		put(e, dform(store ? 62 : 58, reg, e->ra, magic_disp(e, off)));
	else if (width == 8)
		put(e, dform(store ? 36 : 32, reg, e->ra,
			     magic_disp(e, word_of(e, off, 1))));
	else
		put(e,
		    dform(store ? 36 : 32, reg, e->ra,
			  magic_disp(e, part ? word_of(e, off, part) : off)));
}

#define LL(e, r, off)  field(e, false, r, off, 8, 0)
#define STL(e, r, off) field(e, true, r, off, 8, 0)

static void notify_store(struct emit *e, unsigned int reg)
{
	int d = 0;

	disp16(e->cfg->notify_gpa, base_of(e->cfg), e->is64, &d);
	put(e, dform(e->is64 ? 62 : 36, reg, e->ra, d + (e->is64 ? 0 : 4)));
}

static pvabi_u32 x31(unsigned int xo, unsigned int rs, unsigned int ra,
		     unsigned int rb, unsigned int rc)
{
	return 0x7c000000u | (rs << 21) | (ra << 16) | (rb << 11) | (xo << 1) |
	       rc;
}

#define MR(d, s)       x31(444, s, d, s, 0) /* or d,s,s */
#define XOR(d, a, b)   x31(316, a, d, b, 0)
#define OR(d, a, b)    x31(444, a, d, b, 0)
#define ADD(d, a, b)   x31(266, d, a, b, 0)
#define MFCR(d)	       (0x7c000026u | (d) << 21)
#define MTCR(s)	       (0x7c0ff120u | (s) << 21)
#define SYNC	       0x7c0004acu
#define LWSYNC	       0x7c2004acu
#define ANDI_(d, s, i) dform(28, s, d, i)
#define ORI(d, s, i)   dform(24, s, d, i)
#define LI(d, i)       dform(14, d, 0, i) /* addi d,0,i */
#define XORI(d, s, i)  dform(26, s, d, i)
#define CMPWI0(a)      dform(11, 0, a, 0)
#define RLWIMI(a, s, sh, mb, me)                                               \
	((20u << 26) | (s) << 21 | (a) << 16 | (sh) << 11 | (mb) << 6 |        \
	 (me) << 1)
#define RLWINM(a, s, sh, mb, me)                                               \
	((21u << 26) | (s) << 21 | (a) << 16 | (sh) << 11 | (mb) << 6 |        \
	 (me) << 1)

static pvabi_u32 cmpli0(bool l, unsigned int ra, unsigned int imm)
{
	return (10u << 26) | ((pvabi_u32)l << 21) | (ra << 16) | imm;
}

/* bc BO,BI with the target patched in later by @fix(). */
#define BEQ 0x41820000u
#define BNE 0x40820000u

static void fix(struct emit *e, unsigned int at, unsigned int target)
{
	if (at < TEMPLATE_MAX)
		e->w[at] |= ((target - at) * 4) & 0xfffc;
}

static pvabi_u32 branch(pvabi_u64 from, pvabi_u64 to)
{
	return 0x48000000u | ((pvabi_u32)(to - from) & 0x03fffffcu);
}

static bool in_reach(pvabi_u64 from, pvabi_u64 to)
{
	long long d = (long long)(to - from);

	return d >= -B_MAX - 4 && d <= B_MAX;
}

/* Slot that holds the guest's value of a scratch register. */
static unsigned int slot_of(unsigned int reg)
{
	return reg == S1 ? SLOT_S1 : SLOT_S2;
}

/* Put the guest's value of @reg into @dst (a scratch register). */
static void get_reg(struct emit *e, unsigned int dst, unsigned int reg)
{
	if (reg == S1 || reg == S2)
		LL(e, dst, slot_of(reg));
	else
		put(e, MR(dst, reg));
}

/*
 * Steps 4-6: restore, leave the section with critical = 0 (PVABI_F_NESTING;
 * under 1.0 any value but r1 will do), on the fall-back path the original
 * instruction (it traps, outside the section), then the doorbell store,
 * ordered after the "outside" store by lwsync: once an unmap makes the
 * doorbell store visible, the re-check must see 0 (model check no-lwsync;
 * docs/delivery.md).
 *
 * PowerPC cannot store an immediate and, once restored, no register is
 * free, so the zero is S2's: S1 and CR come back inside the section, then
 * "li S2,0; std S2,critical; ld S2,scratch1".  That last load runs outside
 * the section: an exception there may run a handler whose template
 * rewrites scratch1, which is why the nesting rule has every exception
 * entry save the scratch slots, not only one that finds critical != 0
 * (docs/delivery.md).  No order of these instructions avoids it: zeroing a
 * register whose value is live needs a copy that outlives the store.
 */
static void leave(struct emit *e, pvabi_u32 original)
{
	LL(e, S1, SLOT_S1);
	put(e, dform(32, S2, e->ra, magic_disp(e, SLOT_CR)));
	put(e, MTCR(S2));
	put(e, LI(S2, 0));
	STL(e, S2, F(dlv.critical)); /* 0: outside */
	LL(e, S2, SLOT_S2);
	if (original)
		put(e, original);
	put(e, LWSYNC);
	notify_store(e, 1); /* the doorbell: any value */
}

/* New MSR in S2: fall back if bits outside PVABI_MSR_SAFE_BITS change. */
static unsigned int check_safe(struct emit *e)
{
	unsigned int at;

	LL(e, S1, F(arch.msr));
	put(e, XOR(S1, S1, S2));
	put(e, ORI(S1, S1, PVABI_MSR_SAFE_BITS));
	put(e, cmpli0(e->is64, S1, PVABI_MSR_SAFE_BITS));
	at = e->n;
	put(e, BNE);
	return at;
}

/* Keep old MSR bits outside @mask, take those inside from S2. */
static void merge_msr(struct emit *e, unsigned int mask)
{
	put(e, ANDI_(S2, S2, mask));
	LL(e, S1, F(arch.msr));
	put(e, ORI(S1, S1, mask));
	put(e, XORI(S1, S1, mask));
	put(e, OR(S2, S2, S1));
}

/*
 * docs/delivery.md's form for SPR moves: the one load or store, no
 * critical section (the template scratch registers are not used, so r30
 * and r31 are operands like any other); tlbsync: nothing.
 */
static bool build_lean(struct emit *e, const struct pvabi_ppc_insn *in)
{
	switch (in->op) {
	case PVABI_OP_MFMSR:
	case PVABI_OP_MFSPR:
		field(e, false, in->reg, in->offset, in->width, in->part);
		return true;
	case PVABI_OP_MTSPR:
		field(e, true, in->reg, in->offset, in->width, in->part);
		return true;
	case PVABI_OP_TLBSYNC: return true;
	}
	return false;
}

/*
 * Build the template for @in at @site into e->w.  Returns the word index
 * of the final "b back" of each exit through @back (two of them, or the
 * same one twice).
 */
static void build(struct emit *e, const struct pvabi_ppc_insn *in,
		  unsigned int back[2])
{
	unsigned int unsafe = ~0u, to_fallback = ~0u, no_irq;
	bool writes_msr = false;

	if (!(e->cfg->flags & PVABI_PATCH_F_FULL) && build_lean(e, in)) {
		back[0] = back[1] = e->n;
		put(e, 0);
		return;
	}

	/* 1: enter the critical section; 2: save scratch registers. */
	STL(e, 1, F(dlv.critical));
	STL(e, S1, SLOT_S1);
	STL(e, S2, SLOT_S2);
	put(e, MFCR(S1));
	put(e, dform(36, S1, e->ra, magic_disp(e, SLOT_CR)));

	/* 2: the state update. */
	switch (in->op) {
	case PVABI_OP_MFMSR:
	case PVABI_OP_MFSPR:
		if (in->reg == S1 || in->reg == S2) {
			field(e, false, S2, in->offset, in->width, in->part);
			STL(e, S2, slot_of(in->reg));
		} else {
			field(e, false, in->reg, in->offset, in->width,
			      in->part);
		}
		break;
	case PVABI_OP_MTSPR:
		get_reg(e, S2, in->reg);
		field(e, true, S2, in->offset, in->width, in->part);
		break;
	case PVABI_OP_MTMSR:
		/* L=0 sets the low 32 bits; on 64-bit the rest stay. */
		get_reg(e, S2, in->reg);
		LL(e, S1, F(arch.msr));
		put(e, RLWIMI(S1, S2, 0, 0, 31));
		put(e, MR(S2, S1));
		unsafe = check_safe(e);
		writes_msr = true;
		break;
	case PVABI_OP_MTMSRD:
		get_reg(e, S2, in->reg);
		unsafe = check_safe(e);
		writes_msr = true;
		break;
	case PVABI_OP_MTMSRD_L1:
		get_reg(e, S2, in->reg);
		merge_msr(e, PVABI_MSR_SAFE_BITS);
		writes_msr = true;
		break;
	case PVABI_OP_WRTEE:
		get_reg(e, S2, in->reg);
		merge_msr(e, PVABI_MSR_EE);
		writes_msr = true;
		break;
	case PVABI_OP_WRTEEI:
		LL(e, S2, F(arch.msr));
		put(e, ORI(S2, S2, PVABI_MSR_EE));
		if (!in->reg)
			put(e, XORI(S2, S2, PVABI_MSR_EE));
		writes_msr = true;
		break;
	case PVABI_OP_MTSRIN:
		get_reg(e, S1, in->rb);
		put(e, RLWINM(S1, S1, 6, 26, 29)); /* SR number * 4 */
		if (e->ra)
			put(e, ADD(S1, S1, e->ra));
		get_reg(e, S2, in->reg);
		put(e, dform(36, S2, S1, magic_disp(e, in->offset)));
		break;
	case PVABI_OP_TLBSYNC: break;
	}
	if (writes_msr) {
		STL(e, S2, F(arch.msr));
		put(e, RLWINM(S1, S2, 17, 31, 31)); /* irq_enabled = MSR[EE] */
		put(e, dform(36, S1, e->ra, magic_disp(e, F(dlv.irq_enabled))));
	}

	/*
	 * 3: after the stores, does an interrupt wait with EE on?  wrteei 0
	 * leaves EE off, so it has nothing to check.
	 */
	if (in->op != PVABI_OP_WRTEEI || in->reg) {
		/* hwsync, not lwsync: the irq_enabled store before this load
		 * (model checks no-guest-fence-ppc, lwsync-for-sync). */
		put(e, SYNC);
		put(e, dform(32, S1, e->ra, magic_disp(e, F(dlv.int_pending))));
		put(e, CMPWI0(S1));
		no_irq = e->n;
		put(e, BEQ);
		LL(e, S1, F(arch.msr));
		put(e, ANDI_(S1, S1, PVABI_MSR_EE));
		to_fallback = e->n;
		put(e, BNE);
		fix(e, no_irq, e->n);
	}

	/* 4-6 and back. */
	leave(e, 0);
	back[0] = e->n;
	put(e, 0);

	/* Fall back: the original instruction traps, outside the section. */
	back[1] = back[0];
	if (to_fallback == ~0u && unsafe == ~0u)
		return;
	if (to_fallback != ~0u)
		fix(e, to_fallback, e->n);
	if (unsafe != ~0u)
		fix(e, unsafe, e->n);
	leave(e, in->word);
	back[1] = e->n;
	put(e, 0);
}

static void store_word(void *p, pvabi_u32 w, bool le)
{
	if (le != (PVABI_HOST_ORDER == PVABI_LE))
		w = __builtin_bswap32(w);
	__builtin_memcpy(p, &w, 4);
}

static enum pvabi_patch_skip policy_says(const struct pvabi_patch_config *cfg,
					 const struct pvabi_patch_policy *pol,
					 const struct pvabi_patch_area *area,
					 pvabi_u64 addr,
					 const struct pvabi_ppc_insn *in,
					 const struct pvabi_patch_stats *st)
{
	bool writes = in->op == PVABI_OP_MFMSR || in->op == PVABI_OP_MFSPR;

	if (addr - area->addr < area->size)
		return PVABI_SKIP_TEMPLATE;
	for (unsigned int i = 0; i < pol->n_exclude; i++)
		if (addr >= pol->exclude[i].start && addr < pol->exclude[i].end)
			return PVABI_SKIP_EXCLUDED;
	if (!(pol->classes & in->cls))
		return PVABI_SKIP_CLASS;
	if (writes && (in->reg == 1 || in->reg == 2 ||
		       in->reg == (unsigned int)cfg->base_reg))
		return PVABI_SKIP_REGISTER;
	if (pol->max_sites != PVABI_PATCH_NO_CAP &&
	    st->patched >= pol->max_sites)
		return PVABI_SKIP_CAP;
	return PVABI_SKIP_NONE;
}

static int mode_allows(const struct pvabi_patch_config *cfg,
		       const struct pvabi_patch_policy *pol)
{
	if (pol->mode == PVABI_PATCH_OFF)
		return 0;
	if (cfg->by == PVABI_PATCH_BY_HOST &&
	    (pol->mode != PVABI_PATCH_HOST ||
	     !(cfg->features & PVABI_F_HOST_PATCH)))
		return 0;
	return 1;
}

PVABI_EXPORT int pvabi_patch_code(const struct pvabi_patch_config *cfg,
				  const struct pvabi_patch_policy *pol,
				  struct pvabi_patch_area *area, void *code,
				  unsigned long len, pvabi_u64 addr,
				  pvabi_patch_site_fn report, void *ctx,
				  struct pvabi_patch_stats *st)
{
	bool le;
	unsigned char *p = code;
	int err = pvabi_patch_config_check(cfg);

	if (err)
		return err;
	if (pvabi_patch_policy_check(pol) || !area || !st || (!code && len) ||
	    (area->size && !area->buf) || area->used > area->size ||
	    (area->addr & 3) || (addr & 3))
		return PVABI_E_INVAL;
	if (!mode_allows(cfg, pol))
		return PVABI_E_POLICY;
	le = cfg->arch == PVABI_PPC64LE;

	for (unsigned long off = 0; off + 4 <= len; off += 4) {
		struct pvabi_ppc_insn in;
		struct emit e = {.cfg = cfg, .is64 = is64(cfg->arch)};
		enum pvabi_patch_skip why;
		unsigned int back[2];
		pvabi_u64 site = addr + off, tpl;
		pvabi_u32 w;

		__builtin_memcpy(&w, p + off, 4);
		if (le != (PVABI_HOST_ORDER == PVABI_LE))
			w = __builtin_bswap32(w);
		if ((w & 0xfc000000u) != 0x7c000000u ||
		    !pvabi_ppc_decode(w, cfg->features, &in))
			continue;
		st->sites++;
		e.ra = cfg->base_reg == PVABI_PATCH_ABSOLUTE
			       ? 0
			       : (unsigned int)cfg->base_reg;
		why = policy_says(cfg, pol, area, site, &in, st);
		if (why == PVABI_SKIP_NONE) {
			build(&e, &in, back);
			tpl = area->addr + area->used;
			if (e.n > TEMPLATE_MAX ||
			    area->size - area->used < e.n * 4ul)
				why = PVABI_SKIP_AREA_FULL;
			else if (!in_reach(site, tpl) ||
				 !in_reach(tpl + back[1] * 4, site + 4) ||
				 !in_reach(tpl + back[0] * 4, site + 4))
				why = PVABI_SKIP_RANGE;
		}
		if (why == PVABI_SKIP_NONE) {
			unsigned char *out =
				(unsigned char *)area->buf + area->used;

			for (unsigned int b = 0; b < 2; b++)
				e.w[back[b]] =
					branch(tpl + back[b] * 4, site + 4);
			for (unsigned int i = 0; i < e.n; i++)
				store_word(out + i * 4, e.w[i], le);
			area->used += e.n * 4ul;
			store_word(p + off, branch(site, tpl), le);
			st->patched++;
		} else {
			st->skipped++;
		}
		st->per_skip[why]++;
		if (report && (err = report(ctx, site, &in, why)) < 0)
			return err;
	}
	return 0;
}
