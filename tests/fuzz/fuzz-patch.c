// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The PowerPC decoder and rewriter on arbitrary code, and the ELF front end
 * on arbitrary files.
 *
 * Input starting with "\177ELF": a file; pvabi_elf_scan(),
 * pvabi_elf_scan_fd() (the same bytes in a memfd), pvabi_patch_image_scan()
 * and pvabi_elf_patch() must refuse it cleanly or agree with each other;
 * the two scans also on how they refuse it.
 * Otherwise: up to 8 bytes of configuration (arch, addressing, features,
 * lean or full templates, policy, area size), then code.  A code word whose low
 * two bits are 3 becomes a site (an entry of a table of every decodable kind,
 * registers from the word), so the rewriter sees many sites.
 *
 * Invariants (tests/patch/verify.h): every rewritten site is a branch into
 * the template area and its template branches back to the next word;
 * nothing else changed; patched + skipped == sites == what the scanner
 * finds; the area never overflows.
 */
#include <stdbool.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "pvabi/pvabi.h"
#include "pvabi/patch.h"
#include "../patch/verify.h"

static const uint32_t kinds[] = {
	0x7c0000a6, 0x7c000124, 0x7c000164, 0x7c010164, 0x7c000106, 0x7c000146,
	0x7c008146, 0x7c00046c, 0x7c0001e4, 0x7c1042a6, 0x7c1043a6, 0x7c1742a6,
	0x7c1743a6, 0x7c1a02a6, 0x7c1b03a6, 0x7c1303a6, 0x7c1202a6, 0x7c1e4aa6,
	0x7c1003a6, 0x7c1e0aa6, 0x7c109ba6, 0x7c0000a7, 0x48000000, 0x60000000,
};

static int count(void *ctx, pvabi_u64 addr, const struct pvabi_ppc_insn *in)
{
	FUZZ_ASSERT(pvabi_ppc_name(in->id));
	(*(long *)ctx)++;
	return 0;
}

static int report(void *ctx, pvabi_u64 addr, const struct pvabi_ppc_insn *in,
		  enum pvabi_patch_skip why)
{
	FUZZ_ASSERT(pvabi_patch_skip_name(why));
	return 0;
}

/* pvabi_elf_scan_fd() of the same bytes: the same answer as @n and @info,
 * refusals included, and as many sites reported. */
static void scan_fd_agrees(const uint8_t *data, size_t size, pvabi_u64 features,
			   long n, const struct pvabi_elf_info *info)
{
	struct pvabi_elf_info fi;
	long m, seen = 0;
	int fd = memfd_create("fuzz-elf", MFD_CLOEXEC);

	FUZZ_ASSERT(fd >= 0 && write(fd, data, size) == (ssize_t)size);
	m = pvabi_elf_scan_fd(fd, features, count, &seen, &fi);
	close(fd);
	FUZZ_ASSERT(m == n);
	if (m >= 0)
		FUZZ_ASSERT(seen == m && fi.arch == info->arch &&
			    fi.text_bytes == info->text_bytes &&
			    fi.n_text == info->n_text);
}

static void fuzz_elf(const uint8_t *data, size_t size)
{
	struct pvabi_patch_config cfg = {
		.by = PVABI_PATCH_BY_GUEST,
		.features = PVABI_F_ALL_1_0,
		.base_reg = PVABI_PATCH_ABSOLUTE,
	};
	struct pvabi_patch_policy pol;
	struct pvabi_patch_stats st = {0};
	struct pvabi_elf_info info;
	struct pvabi_patch_image im;
	unsigned char *copy = malloc(size);
	long n, seen = 0;
	char sym[64];

	FUZZ_ASSERT(copy);
	memcpy(copy, data, size);
	n = pvabi_elf_scan(copy, size, cfg.features, count, &seen, &info);
	scan_fd_agrees(data, size, cfg.features, n, &info);
	if (n < 0) {
		FUZZ_ASSERT(pvabi_strerror((int)n)[0]);
		free(copy);
		return;
	}
	FUZZ_ASSERT(n == seen && info.text_bytes <= size);
	/* The image call reads an ELF file as the ELF front end does. */
	im = (struct pvabi_patch_image){.data = copy, .len = size};
	FUZZ_ASSERT(pvabi_patch_image_scan(&im, cfg.features, NULL, NULL) ==
			    n &&
		    im.elf && im.arch == info.arch &&
		    im.text_bytes == info.text_bytes);
	cfg.arch = info.arch;
	cfg.magic_gpa =
		info.arch == PVABI_PPC32 ? 0xfffff000u : (pvabi_u64)-0x1000;
	cfg.notify_gpa = cfg.magic_gpa - 0x1000;
	pvabi_patch_policy_init(&pol);
	if (!pvabi_elf_patch(copy, size, &cfg, &pol, report, NULL, &st))
		FUZZ_ASSERT(st.sites == (unsigned long)n &&
			    st.patched + st.skipped == st.sites);
	pvabi_elf_symbolize(copy, size, 0x1000, sym, sizeof(sym));
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = {data, size};
	struct pvabi_patch_config cfg = {.by = PVABI_PATCH_BY_GUEST};
	struct pvabi_patch_policy pol;
	struct pvabi_patch_stats st = {0};
	struct pvabi_patch_area area = {0};
	unsigned char *code, *before;
	unsigned long len;
	uint64_t addr = 0x100000;
	long scanned;
	unsigned int c;

	if (size >= 4 && !memcmp(data, "\177ELF", 4)) {
		fuzz_elf(data, size);
		return 0;
	}
	c = (unsigned int)fuzz_take(&in, 1);
	cfg.arch = (enum pvabi_ppc_arch)(c % 3 + 1);
	if (c & 4) {
		cfg.base_reg = 2 + (int)(fuzz_take(&in, 1) % 28);
		cfg.base_addr = 0x3f000000;
		cfg.magic_gpa = 0x3f000000;
		cfg.notify_gpa = 0x3f001000;
	} else {
		cfg.base_reg = PVABI_PATCH_ABSOLUTE;
		cfg.magic_gpa = cfg.arch == PVABI_PPC32 ? 0xfffff000u
							: (pvabi_u64)-0x1000;
		cfg.notify_gpa = cfg.magic_gpa - 0x1000;
	}
	cfg.features = fuzz_take(&in, 1) & PVABI_F_ALL_1_0;
	if (c & 64)
		cfg.flags = PVABI_PATCH_F_FULL;
	pvabi_patch_policy_init(&pol);
	pol.classes = (pvabi_u32)fuzz_take(&in, 1) & PVABI_PC_ALL;
	if (c & 8)
		pol.max_sites = (pvabi_u32)fuzz_take(&in, 1);
	if (c & 16) {
		pol.n_exclude = 1;
		pol.exclude[0].start = addr + fuzz_take(&in, 1) * 4;
		pol.exclude[0].end =
			pol.exclude[0].start + 1 + fuzz_take(&in, 1) * 4;
	}
	area.size = (unsigned long)fuzz_take(&in, 2) * 4;
	area.buf = malloc(area.size + 1);
	/* Near or (c & 32) out of branch reach. */
	area.addr = c & 32 ? addr + (64ul << 20) : addr + 0x10000;

	len = in.left & ~3ul;
	code = malloc(len + 1);
	before = malloc(len + 1);
	FUZZ_ASSERT(code && before && area.buf);
	for (unsigned long i = 0; i < len; i += 4) {
		uint32_t w = (uint32_t)fuzz_take(&in, 4);

		if ((w & 3) == 3)
			w = kinds[(w >> 2) % (sizeof(kinds) / 4)] |
			    (((w >> 8) & 31) << 21) |
			    ((w >> 16) & 1 ? ((w >> 20) & 31) << 11 : 0);
		for (int b = 0; b < 4; b++)
			code[i + (unsigned)b] =
				(unsigned char)(cfg.arch == PVABI_PPC64LE
							? w >> (8 * b)
							: w >> (24 - 8 * b));
	}
	memcpy(before, code, len);
	scanned = pvabi_ppc_scan(cfg.arch, code, len, addr, cfg.features, NULL,
				 NULL);
	FUZZ_ASSERT(scanned >= 0);
	if (!pvabi_patch_code(&cfg, &pol, &area, code, len, addr, report, NULL,
			      &st)) {
		FUZZ_ASSERT(st.sites == (unsigned long)scanned);
		FUZZ_ASSERT(st.patched + st.skipped == st.sites);
		FUZZ_ASSERT(area.used <= area.size);
		FUZZ_ASSERT(vfy_patch(&cfg, &area, before, code, len, addr) ==
			    (long)st.patched);
		if (pol.max_sites != PVABI_PATCH_NO_CAP)
			FUZZ_ASSERT(st.patched <= pol.max_sites);
	}
	free(code);
	free(before);
	free(area.buf);
	return 0;
}
