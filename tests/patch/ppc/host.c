// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * host.c: the execution test's guest and host in one PowerPC process, run
 * under qemu-ppc-static, qemu-ppc64-static or qemu-ppc64le-static.
 *
 * The "guest" is a set of instruction sequences in user mode: the
 * hand-written ones in run.S, or a raw image of random ones.  Every
 * privileged instruction traps (SIGILL); the handler plays the host and
 * emulates it against the magic page, which holds the architected state
 * exactly as a pvabi host keeps it.  Run unpatched, every site traps; run
 * after 'pvctl patch apply', only the templates' fall-backs should.  The
 * host's emulation here is written from the architecture, independently
 * of libpvabi's decoder and templates.
 *
 *   pvtest [--notify-ro]                         the hand-written sequences
 *   pvtest [--notify-ro] IMAGE COUNT STRIDE SEED  COUNT random sequences,
 *                           STRIDE bytes apart, in IMAGE at PVT_CODE_BASE
 *
 * --self-patch[-full] (a build with -DPVT_SELF_PATCH): before running, the
 * program patches its own hand-written sequences with libpvabi's
 * freestanding rewriter compiled for this PowerPC, as a guest kernel
 * patching itself at boot would (lean or full templates).
 *
 * --notify-ro write-protects the notification page, as a host that holds
 * an interrupt back does: every doorbell store then faults and is counted.
 * Output: one "seq N HASH pending P delivered D" line per sequence (HASH:
 * registers and architected state), one more for a last sequence that
 * enables EE so that nothing stays pending, a "state" line, a "delivery"
 * line, and a "traps" line: all traps, those that delivered a
 * waiting interrupt ("irq"), those that changed MSR bits outside the safe
 * ones ("msr"), traps taken while critical != 0 ("violations") and
 * faulting doorbell stores.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <ucontext.h>
#include <unistd.h>

#include "pvabi/abi.h"
#include "pvtest.h"

_Static_assert(PVT_INT_PENDING == __builtin_offsetof(struct pvabi_magic_page,
						     dlv.int_pending),
	       "pvtest.h disagrees with abi.h");
_Static_assert(PVT_MSR_EE == PVABI_MSR_EE && PVT_MSR_RI == PVABI_MSR_RI,
	       "MSR bits");

struct pvt_regs {
	unsigned long gpr[32], cr;
};

void pvt_run(struct pvt_regs *r, void *code);
extern void *pvt_seqs[];
extern char pvt_seq_drain[];

#ifdef __powerpc64__
#define GREGS(uc) ((uc)->uc_mcontext.gp_regs)
#define IS64	  1
#else
#define GREGS(uc) ((uc)->uc_mcontext.uc_regs->gregs)
#define IS64	  0
#endif
#define NIP 32

static struct pvabi_magic_page *mp;
static unsigned char *notify;
static unsigned long traps, irq_traps, msr_traps, violations, doorbells;

#define OFF(field) __builtin_offsetof(struct pvabi_magic_page, field)

/* A "long" field as the guest sees it: a 32-bit guest owns the low word. */
static unsigned long get_long(unsigned int off)
{
	unsigned char *p = (unsigned char *)mp + off;

	return IS64 ? *(uint64_t *)p : *(uint32_t *)(p + 4);
}

static void put_long(unsigned int off, unsigned long v)
{
	unsigned char *p = (unsigned char *)mp + off;

	if (IS64)
		*(uint64_t *)p = v;
	else
		*(uint32_t *)(p + 4) = (uint32_t)v;
}

static int spr_field(unsigned int spr, unsigned int *off, int *width)
{
	*width = 8;
	if (spr >= 272 && spr <= 279)
		*off = OFF(arch.sprg) + (spr - 272) * 8;
	else if (spr == 26)
		*off = OFF(arch.srr0);
	else if (spr == 27)
		*off = OFF(arch.srr1);
#ifdef PVT_BOOKE
	/* ppc32 only: 32-bit views of 64-bit fields are big-endian words. */
	else if (spr == 61)
		*off = OFF(arch.dar);
	else if (spr >= 260 && spr <= 263)
		*off = OFF(arch.sprg) + (spr - 260 + 4) * 8;
	else if (spr == 626)
		*off = OFF(arch.mas2);
	else {
		*width = 4;
		switch (spr) {
		case 62: *off = OFF(arch.esr); break;
		case 286: *off = OFF(arch.pir); break;
		case 624: *off = OFF(arch.mas0); break;
		case 625: *off = OFF(arch.mas1); break;
		case 627: *off = OFF(arch.mas7_3) + 4; break;
		case 628: *off = OFF(arch.mas4); break;
		case 630: *off = OFF(arch.mas6); break;
		case 944: *off = OFF(arch.mas7_3); break;
		default: return -1;
		}
	}
#else
	else if (spr == 19)
		*off = OFF(arch.dar);
	else if (spr == 18) {
		*off = OFF(arch.dsisr);
		*width = 4;
	} else
		return -1;
#endif
	return 0;
}

static void die(const char *what, uint32_t w, unsigned long nip)
{
	/* Not async-signal-safe, but the test is over anyway. */
	fprintf(stderr, "pvtest: %s: 0x%08x at 0x%lx\n", what, w, nip);
	_exit(99);
}

static void on_sigill(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	unsigned long *g = (unsigned long *)GREGS(uc);
	uint32_t w = *(uint32_t *)g[NIP];
	unsigned int rs = (w >> 21) & 31, rb = (w >> 11) & 31;
	unsigned int spr = ((w >> 16) & 31) | (((w >> 11) & 31) << 5);
	unsigned long old = get_long(OFF(arch.msr)), msr = old, v = g[rs];
	const unsigned long safe = PVABI_MSR_SAFE_BITS, ee = PVABI_MSR_EE;
	unsigned int off;
	int width;
	bool unsafe = false, wmsr = false;

	traps++;
	/* A trap inside a critical section, by either predicate: templates
	 * leave with critical = 0, so the memory-only one must see outside. */
	if (get_long(OFF(dlv.critical)) != 0)
		violations++;
	if ((w >> 26) != 31)
		die("not a privileged instruction", w, g[NIP]);
	switch ((w >> 1) & 0x3ff) {
	case 83: /* mfmsr */ g[rs] = old; break;
	case 146: /* mtmsr: the low 32 bits */
		msr = IS64 ? (old & ~0xfffffffful) | (v & 0xfffffffful) : v;
		wmsr = true;
		break;
	case 178: /* mtmsrd */
		msr = (w & 0x10000) ? (old & ~safe) | (v & safe) : v;
		wmsr = true;
		break;
	case 131: /* wrtee */
		msr = (old & ~ee) | (v & ee);
		wmsr = true;
		break;
	case 163: /* wrteei */
		msr = (old & ~ee) | ((w & 0x8000) ? ee : 0);
		wmsr = true;
		break;
	case 339: /* mfspr */
		if (spr_field(spr, &off, &width))
			die("unknown SPR", w, g[NIP]);
		g[rs] = width == 8 ? get_long(off)
				   : *(uint32_t *)((char *)mp + off);
		break;
	case 467: /* mtspr */
		if (spr_field(spr, &off, &width))
			die("unknown SPR", w, g[NIP]);
		if (width == 8)
			put_long(off, v);
		else
			*(uint32_t *)((char *)mp + off) = (uint32_t)v;
		break;
	case 242: /* mtsrin */
		mp->arch.sr[(uint32_t)g[rb] >> 28] = (uint32_t)v;
		break;
	case 566: /* tlbsync */ break;
	default: die("not emulated", w, g[NIP]);
	}
	if (wmsr) {
		unsafe = ((old ^ msr) & ~safe) != 0;
		put_long(OFF(arch.msr), msr);
		mp->dlv.irq_enabled = (msr & ee) != 0;
	}
	/* Deliver what waits once EE is on: the interrupt's handler returns
	 * transparently, so delivery only counts. */
	if (mp->dlv.int_pending && (msr & ee)) {
		mp->dlv.int_pending = 0;
		mp->dlv.delivered++;
		irq_traps++;
	} else if (unsafe) {
		msr_traps++;
	}
	g[NIP] += 4;
}

static void on_sigsegv(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	unsigned long *g = (unsigned long *)GREGS(uc);
	unsigned long a = (unsigned long)si->si_addr;

	if (a - PVT_NOTIFY >= 4096)
		die("segfault", *(uint32_t *)g[NIP], a);
	/* The doorbell: "any value" is stored, so skipping it is exact. */
	doorbells++;
	g[NIP] += 4;
}

#ifdef PVT_SELF_PATCH
#include "pvabi/patch.h"

extern char pvt_code_start[], pvt_code_end[], pvt_templates[];

static void protect(void *start, size_t len, int prot)
{
	uintptr_t lo = (uintptr_t)start & ~(uintptr_t)4095;
	uintptr_t hi = ((uintptr_t)start + len + 4095) & ~(uintptr_t)4095;

	if (mprotect((void *)lo, hi - lo, prot)) {
		perror("pvtest: mprotect");
		exit(99);
	}
}

static void self_patch(bool full)
{
	struct pvabi_patch_config cfg = {
		.arch = !IS64 ? PVABI_PPC32 :
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			      PVABI_PPC64LE,
#else
			      PVABI_PPC64,
#endif
		.by = PVABI_PATCH_BY_GUEST,
		.features = PVABI_F_NOTIFY | PVABI_F_SEGREGS |
			    PVABI_F_TLBSYNC_NOP | PVABI_F_SPRG4_7,
		.magic_gpa = PVT_MAGIC,
		.notify_gpa = PVT_NOTIFY,
#ifdef PVT_BASE_REG
		.base_reg = PVT_BASE_REG,
		.base_addr = PVT_MAGIC,
#else
		.base_reg = PVABI_PATCH_ABSOLUTE,
#endif
		.flags = full ? PVABI_PATCH_F_FULL : 0,
	};
	struct pvabi_patch_area area = {pvt_templates, (uintptr_t)pvt_templates,
					PVT_TEMPLATE_BYTES, 0};
	size_t len = (size_t)(pvt_code_end - pvt_code_start);
	struct pvabi_patch_stats st = {0};
	struct pvabi_patch_policy pol;
	int err;

	pvabi_patch_policy_init(&pol);
	protect(pvt_code_start, len, PROT_READ | PROT_WRITE | PROT_EXEC);
	protect(pvt_templates, PVT_TEMPLATE_BYTES,
		PROT_READ | PROT_WRITE | PROT_EXEC);
	err = pvabi_patch_code(&cfg, &pol, &area, pvt_code_start, len,
			       (uintptr_t)pvt_code_start, NULL, NULL, &st);
	if (err || st.skipped || !st.patched) {
		fprintf(stderr, "pvtest: self-patching: %d, %lu skipped\n", err,
			st.skipped);
		exit(99);
	}
	__builtin___clear_cache(pvt_code_start, pvt_code_end);
	__builtin___clear_cache(pvt_templates, pvt_templates + area.used);
	protect(pvt_code_start, len, PROT_READ | PROT_EXEC);
	protect(pvt_templates, PVT_TEMPLATE_BYTES, PROT_READ | PROT_EXEC);
	fprintf(stderr, "pvtest: patched %lu sites, %lu template bytes\n",
		st.patched, area.used);
}
#endif

static uint64_t rng;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--)
		h = (h ^ *b++) * 0x100000001b3ull;
	return h;
}

static void run_one(unsigned int idx, void *code, uint64_t seed)
{
	struct pvt_regs r;
	uint64_t h = 0xcbf29ce484222325ull;

	rng = seed ^ (0x9e3779b97f4a7c15ull * (idx + 1));
	for (int i = 0; i < 32; i++)
		r.gpr[i] = (unsigned long)next();
	r.cr = (unsigned long)next();
#ifdef PVT_BASE_REG
	r.gpr[PVT_BASE_REG] = PVT_MAGIC;
#endif
	pvt_run(&r, code);
	r.gpr[1] = r.gpr[2] = r.gpr[13] = 0; /* never loaded or stored */
	h = fnv(h, &r, sizeof(r));
	h = fnv(h, &mp->arch, sizeof(mp->arch));
	h = fnv(h, (const void *)&mp->dlv.irq_enabled, 4);
	printf("seq %u %016llx", idx, (unsigned long long)h);
	/* When interrupts are taken is up to the templates: lean ones take a
	 * waiting interrupt at the next full template or trap, full ones at
	 * the same instruction as unpatched code. */
	printf(" pending %u delivered %llu\n", mp->dlv.int_pending,
	       (unsigned long long)mp->dlv.delivered);
}

static void *map_at(unsigned long addr, size_t len, int prot)
{
	void *p =
		mmap((void *)addr, len, prot,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p != (void *)addr) {
		fprintf(stderr, "pvtest: can't map 0x%lx\n", addr);
		exit(99);
	}
	return p;
}

static void *load_image(const char *path, size_t *len)
{
	struct stat st;
	void *p;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st)) {
		perror(path);
		exit(99);
	}
	*len = ((size_t)st.st_size + 4095) & ~(size_t)4095;
	p = map_at(PVT_CODE_BASE, *len, PROT_READ | PROT_WRITE);
	if (read(fd, p, (size_t)st.st_size) != st.st_size) {
		perror(path);
		exit(99);
	}
	close(fd);
	mprotect(p, *len, PROT_READ | PROT_EXEC);
	return p;
}

int main(int argc, char **argv)
{
	struct sigaction sa = {.sa_flags = SA_SIGINFO};
	bool ro = false;
	unsigned long counts[4];
	unsigned int n = 0;

	for (; argc > 1 && !strncmp(argv[1], "--", 2); argc--, argv++) {
		if (!strcmp(argv[1], "--notify-ro"))
			ro = true;
#ifdef PVT_SELF_PATCH
		else if (!strcmp(argv[1], "--self-patch"))
			self_patch(false);
		else if (!strcmp(argv[1], "--self-patch-full"))
			self_patch(true);
#endif
		else
			argc = -1;
	}
	mp = map_at(PVT_MAGIC, 4096, PROT_READ | PROT_WRITE);
	notify = map_at(PVT_NOTIFY, 4096, PROT_READ | PROT_WRITE);
	put_long(OFF(arch.msr), PVABI_MSR_EE | PVABI_MSR_RI);
	mp->dlv.irq_enabled = 1;
	mp->arch.pir = 0x1234; /* the host's to set; read-only to the guest */
	if (ro)
		mprotect(notify, 4096, PROT_READ);
	sa.sa_sigaction = on_sigill;
	sigaction(SIGILL, &sa, NULL);
	sa.sa_sigaction = on_sigsegv;
	sigaction(SIGSEGV, &sa, NULL);

	if (argc == 5) {
		size_t len;
		unsigned char *img = load_image(argv[1], &len);
		unsigned long count = strtoul(argv[2], NULL, 0);
		unsigned long stride = strtoul(argv[3], NULL, 0);
		uint64_t seed = strtoull(argv[4], NULL, 0);

		for (n = 0; n < count && n * stride < len; n++)
			run_one(n, img + n * stride, seed);
	} else if (argc == 1) {
		for (n = 0; pvt_seqs[n]; n++)
			run_one(n, pvt_seqs[n], 42);
	} else {
		fprintf(stderr, "usage: pvtest [--notify-ro] [IMAGE COUNT "
				"STRIDE SEED]\n");
		return 2;
	}
	/* Whatever waits is taken now: EE on, then a trapping instruction
	 * (or its template's fall-back, in a patched program).  The counts
	 * below are the sequences' own, without this. */
	counts[0] = traps;
	counts[1] = irq_traps;
	counts[2] = msr_traps;
	counts[3] = doorbells;
	run_one(n, pvt_seq_drain, 0);
	printf("state msr=%lx srr0=%lx srr1=%lx dar=%lx dsisr=%x sprg0=%lx "
	       "sprg7=%lx sr0=%x sr15=%x\ndelivery pending=%u delivered=%llu\n",
	       get_long(OFF(arch.msr)), get_long(OFF(arch.srr0)),
	       get_long(OFF(arch.srr1)), get_long(OFF(arch.dar)),
	       mp->arch.dsisr, get_long(OFF(arch.sprg)),
	       get_long(OFF(arch.sprg) + 56), mp->arch.sr[0], mp->arch.sr[15],
	       mp->dlv.int_pending, (unsigned long long)mp->dlv.delivered);
	printf("traps %lu irq %lu msr %lu violations %lu doorbells %lu "
	       "sequences %u\n",
	       counts[0], counts[1], counts[2], violations, counts[3], n);
	return 0;
}
