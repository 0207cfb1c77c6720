// SPDX-License-Identifier: GPL-2.0-or-later
/* The ELF front end and the image calls of pvabi/patch.h, on ELF files built
 * here section by section: what is scanned, what is refused, and that a
 * file is patched as pvctl patch apply does it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <elf.h>
#include <cmocka.h>

#include "verify.h"

/* mfmsr r3; nop; mtsprg 0,r4; mtmsr r3; blr: three sites in 20 bytes. */
static const uint32_t code5[] = {0x7c6000a6u, 0x60000000u, 0x7c9043a6u,
				 0x7c600124u, 0x4e800020u};

struct sec {
	const char *name;
	uint32_t type;
	uint64_t flags;
	uint64_t addr;
	uint64_t off, size;
};

#define TEXT (SHF_ALLOC | SHF_EXECINSTR)

/* Little-endian words (ppc64le, the host's order). */
static void put_words(unsigned char *p, const uint32_t *w, size_t n)
{
	memcpy(p, w, n * 4);
}

/*
 * A ppc64le ELF relocatable file in @buf (4096 bytes): the header, @n
 * sections as given (their contents are the caller's), the section names
 * at 0xc00 and the section table at 0xd00.
 */
static unsigned long build_elf(unsigned char *buf, const struct sec *s,
			       unsigned int n)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	Elf64_Shdr *sh = (Elf64_Shdr *)(buf + 0xd00);
	char *names = (char *)buf + 0xc00;
	size_t nl = 1;

	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_REL;
	eh->e_machine = EM_PPC64;
	eh->e_version = EV_CURRENT;
	eh->e_ehsize = sizeof(*eh);
	eh->e_shoff = 0xd00;
	eh->e_shentsize = sizeof(*sh);
	eh->e_shnum = (Elf64_Half)(n + 2);
	eh->e_shstrndx = (Elf64_Half)(n + 1);
	memset(sh, 0, sizeof(*sh));
	for (unsigned int i = 0; i < n; i++) {
		Elf64_Shdr *h = &sh[i + 1];

		memset(h, 0, sizeof(*h));
		h->sh_name = (Elf64_Word)nl;
		strcpy(names + nl, s[i].name);
		nl += strlen(s[i].name) + 1;
		h->sh_type = s[i].type;
		h->sh_flags = s[i].flags;
		h->sh_addr = s[i].addr;
		h->sh_offset = s[i].off;
		h->sh_size = s[i].size;
		h->sh_addralign = 4;
	}
	memset(&sh[n + 1], 0, sizeof(*sh));
	sh[n + 1].sh_name = (Elf64_Word)nl;
	strcpy(names + nl, ".shstrtab");
	nl += sizeof(".shstrtab");
	sh[n + 1].sh_type = SHT_STRTAB;
	sh[n + 1].sh_offset = 0xc00;
	sh[n + 1].sh_size = nl;
	return 0xd00 + (n + 2) * sizeof(*sh);
}

/* .text at 0x100 (code5 at 0x10000000), .text.b at @b_off (code5 at
 * 0x10001000), the template area at 0x400 (0x800 bytes at 0x10002000). */
static unsigned long two_texts(unsigned char *buf, uint64_t b_off)
{
	const struct sec s[] = {
		{".text", SHT_PROGBITS, TEXT, 0x10000000, 0x100, 20},
		{".text.b", SHT_PROGBITS, TEXT, 0x10001000, b_off, 20},
		{PVABI_ELF_TEMPLATE_SECTION, SHT_PROGBITS, TEXT, 0x10002000,
		 0x400, 0x800},
	};

	memset(buf, 0, 4096);
	put_words(buf + 0x100, code5, 5);
	put_words(buf + b_off, code5, 5);
	return build_elf(buf, s, 3);
}

static int count(void *ctx, pvabi_u64 addr, const struct pvabi_ppc_insn *in)
{
	(*(long *)ctx)++;
	return 0;
}

static void elf_scan_sections(void **state)
{
	unsigned char *buf = calloc(1, 4096);
	struct pvabi_elf_info info;
	unsigned long len = two_texts(buf, 0x200);
	long seen = 0;

	assert_int_equal(
		pvabi_elf_scan(buf, len, PVABI_F_ALL_1_0, count, &seen, &info),
		6);
	assert_int_equal(seen, 6);
	assert_int_equal(info.arch, PVABI_PPC64LE);
	assert_int_equal(info.text_bytes, 40); /* not the template area */
	assert_int_equal(info.n_text, 2);
	free(buf);
}

/*
 * Two executable sections that share file bytes (found by fuzz-patch,
 * tests/fuzz/regress/patch/elf-overlapping-text): the scan used to read the
 * shared bytes twice, reporting more bytes of code than the file holds and
 * every site there twice.  Scan and patch refuse the file alike.
 */
static void elf_overlapping_text(void **state)
{
	struct pvabi_patch_config cfg = {
		.arch = PVABI_PPC64LE,
		.by = PVABI_PATCH_BY_GUEST,
		.features = PVABI_F_ALL_1_0,
		.magic_gpa = (pvabi_u64)-0x1000,
		.notify_gpa = (pvabi_u64)-0x2000,
		.base_reg = PVABI_PATCH_ABSOLUTE,
	};
	unsigned char *buf = calloc(1, 4096);
	struct pvabi_patch_policy pol;
	struct pvabi_patch_stats st = {0};
	struct pvabi_elf_info info;
	unsigned long len;
	long seen = 0;

	pvabi_patch_policy_init(&pol);
	/* .text.b starts 8 bytes into .text: 12 bytes (mtsprg0, mtmsr) shared.
	 */
	len = two_texts(buf, 0x108);
	assert_int_equal(
		pvabi_elf_scan(buf, len, PVABI_F_ALL_1_0, count, &seen, &info),
		PVABI_E_MALFORMED);
	assert_int_equal(seen, 0);
	assert_int_equal(pvabi_elf_patch(buf, len, &cfg, &pol, NULL, NULL, &st),
			 PVABI_E_MALFORMED);
	assert_int_equal(st.sites, 0);
	/* The same with the template area: it lies inside .text. */
	len = two_texts(buf, 0x200);
	((Elf64_Shdr *)(buf + 0xd00))[3].sh_offset = 0x100;
	assert_int_equal(
		pvabi_elf_scan(buf, len, PVABI_F_ALL_1_0, NULL, NULL, NULL),
		PVABI_E_MALFORMED);
	/* Touching is not sharing. */
	len = two_texts(buf, 0x114);
	assert_int_equal(
		pvabi_elf_scan(buf, len, PVABI_F_ALL_1_0, NULL, NULL, &info),
		6);
	assert_int_equal(info.text_bytes, 40);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(elf_scan_sections),
		cmocka_unit_test(elf_overlapping_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
