// SPDX-License-Identifier: GPL-2.0-or-later
/* The ELF front end and the image calls of pvabi/patch.h, on raw code and
 * on ELF files built here section by section: what is scanned, what is
 * refused and why, where the pages and the templates go. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <elf.h>
#include <sys/mman.h>
#include <unistd.h>
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

/* ------------------------------------------------------------- images */

/* code5 as ppc32 (big-endian) raw code. */
static void be_words(unsigned char *p, const uint32_t *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (int b = 0; b < 4; b++)
			p[i * 4 + (size_t)b] =
				(unsigned char)(w[i] >> (24 - 8 * b));
}

static void image_scan_raw(void **state)
{
	unsigned char code[24] = {0};
	struct pvabi_patch_image im = {.data = code,
				       .len = 22,
				       .arch = PVABI_PPC32,
				       .base = 0x1000,
				       .flags = PVABI_IMAGE_F_BASE};
	long seen = 0;

	be_words(code, code5, 5);
	assert_int_equal(
		pvabi_patch_image_scan(&im, PVABI_F_ALL_1_0, count, &seen), 3);
	assert_int_equal(seen, 3);
	assert_int_equal(im.elf, 0);
	assert_int_equal(im.arch, PVABI_PPC32);
	assert_int_equal(im.text_bytes, 20); /* whole instructions */
	assert_int_equal(im.n_sites, 3);
	/* Read little-endian, the same bytes hold no site. */
	im.arch = PVABI_PPC64LE;
	assert_int_equal(
		pvabi_patch_image_scan(&im, PVABI_F_ALL_1_0, NULL, NULL), 0);

	/* Raw code needs its arch, and a 4-byte aligned base. */
	im.arch = 0;
	assert_int_equal(pvabi_patch_image_scan(&im, 0, NULL, NULL),
			 PVABI_E_BADMAGIC);
	im.arch = PVABI_PPC32;
	im.base = 0x1002;
	assert_int_equal(pvabi_patch_image_scan(&im, 0, NULL, NULL),
			 PVABI_E_INVAL);
	im.base = 0x1000;
	im.flags = PVABI_IMAGE_F_ALL + 1;
	assert_int_equal(pvabi_patch_image_scan(&im, 0, NULL, NULL),
			 PVABI_E_INVAL);
	im.flags = 0;
	im.arch = (enum pvabi_ppc_arch)4;
	assert_int_equal(pvabi_patch_image_scan(&im, 0, NULL, NULL),
			 PVABI_E_INVAL);
	im.arch = PVABI_PPC32;
	im.data = NULL;
	assert_int_equal(pvabi_patch_image_scan(&im, 0, NULL, NULL),
			 PVABI_E_INVAL);
	assert_int_equal(pvabi_patch_image_scan(NULL, 0, NULL, NULL),
			 PVABI_E_INVAL);
}

static void image_scan_elf(void **state)
{
	unsigned char *buf = calloc(1, 4096);
	struct pvabi_patch_image im = {.data = buf};

	im.len = two_texts(buf, 0x200);
	assert_int_equal(
		pvabi_patch_image_scan(&im, PVABI_F_ALL_1_0, NULL, NULL), 6);
	assert_int_equal(im.elf, 1);
	assert_int_equal(im.arch, PVABI_PPC64LE);
	assert_int_equal(im.text_bytes, 40);
	/* The arch asked for, if any, must be the file's. */
	assert_int_equal(
		pvabi_patch_image_scan(&im, PVABI_F_ALL_1_0, NULL, NULL), 6);
	im.arch = PVABI_PPC32;
	assert_int_equal(pvabi_patch_image_scan(&im, 0, NULL, NULL),
			 PVABI_E_INVAL);
	assert_int_equal(im.arch, PVABI_PPC64LE); /* what the file is */
	/* A base says raw code: refused before the file is read. */
	im.flags = PVABI_IMAGE_F_BASE;
	buf[0x12] = 0xff; /* e_machine: no PowerPC at all */
	assert_int_equal(pvabi_patch_image_scan(&im, 0, NULL, NULL),
			 PVABI_E_INVAL);
	assert_int_equal(im.elf, 1);
	im.flags = 0;
	assert_int_equal(pvabi_patch_image_scan(&im, 0, NULL, NULL),
			 PVABI_E_UNSUPPORTED);
	/* pvabi_elf_scan()'s refusals come through. */
	im.len = two_texts(buf, 0x108);
	im.arch = 0;
	assert_int_equal(pvabi_patch_image_scan(&im, 0, NULL, NULL),
			 PVABI_E_MALFORMED);
	im.len = 0xd10; /* inside the section table */
	assert_int_equal(pvabi_patch_image_scan(&im, 0, NULL, NULL),
			 PVABI_E_TRUNCATED);
	free(buf);
}

struct seen {
	const struct pvabi_patch_image *im;
	unsigned long calls, total_at_first;
};

static int on_site(void *ctx, pvabi_u64 addr, const struct pvabi_ppc_insn *in,
		   enum pvabi_patch_skip why)
{
	struct seen *s = ctx;

	if (!s->calls++)
		s->total_at_first = s->im->n_sites;
	return 0;
}

static void config_init(struct pvabi_patch_config *cfg,
			struct pvabi_patch_policy *pol)
{
	*cfg = (struct pvabi_patch_config){
		.by = PVABI_PATCH_BY_GUEST,
		.features = PVABI_PATCH_DEFAULT_FEATURES,
		.base_reg = PVABI_PATCH_ABSOLUTE,
	};
	pvabi_patch_policy_init(pol);
}

static void image_apply_raw(void **state)
{
	static const enum pvabi_ppc_arch arches[] = {PVABI_PPC32, PVABI_PPC64};
	unsigned char code[20];

	be_words(code, code5, 5);
	for (unsigned int i = 0; i < 2; i++) {
		struct pvabi_patch_image im = {.data = code,
					       .len = 20,
					       .arch = arches[i],
					       .base = 0x100000};
		struct pvabi_patch_config cfg;
		struct pvabi_patch_policy pol;
		struct pvabi_patch_stats st = {0};
		struct pvabi_patch_area area;
		struct seen s = {.im = &im};
		const unsigned char *out;

		config_init(&cfg, &pol);
		assert_int_equal(pvabi_patch_image_apply(&im, &cfg, &pol,
							 on_site, &s, &st),
				 0);
		/* Linux's placement: the top of the (32-bit) address space. */
		assert_int_equal(cfg.arch, arches[i]);
		if (arches[i] == PVABI_PPC32) {
			assert_true(cfg.magic_gpa == 0xfffff000u);
			assert_true(cfg.notify_gpa == 0xffffe000u);
		} else {
			assert_true(cfg.magic_gpa == (pvabi_u64)-0x1000);
			assert_true(cfg.notify_gpa == (pvabi_u64)-0x2000);
		}
		assert_int_equal(s.calls, 3);
		assert_int_equal(s.total_at_first, 3);
		assert_int_equal(st.patched, 3);
		/* A new buffer: the code, then the templates 4 KiB on. */
		out = im.out;
		assert_non_null(out);
		assert_ptr_not_equal(out, code);
		assert_true(im.out_len > PVABI_IMAGE_RAW_ALIGN &&
			    im.out_len < PVABI_IMAGE_RAW_ALIGN + 3 * 256);
		for (size_t b = 20; b < PVABI_IMAGE_RAW_ALIGN; b++)
			assert_int_equal(out[b], 0);
		area = (struct pvabi_patch_area){
			(void *)(out + PVABI_IMAGE_RAW_ALIGN),
			0x100000 + PVABI_IMAGE_RAW_ALIGN, 3 * 256,
			im.out_len - PVABI_IMAGE_RAW_ALIGN};
		assert_int_equal(
			vfy_patch(&cfg, &area, code, out, 20, 0x100000), 3);
		free(im.out);
	}
}

static void image_apply_pages(void **state)
{
	unsigned char code[20];
	struct pvabi_patch_image im = {
		.data = code, .len = 20, .arch = PVABI_PPC32};
	struct pvabi_patch_config cfg;
	struct pvabi_patch_policy pol;
	struct pvabi_patch_stats st = {0};

	be_words(code, code5, 5);
	/* Pages the caller places are checked as given: not moved into
	 * ppc32's 4 GiB, nor out of any template's reach. */
	config_init(&cfg, &pol);
	cfg.magic_gpa = (pvabi_u64)-0x1000;
	im.flags = PVABI_IMAGE_F_MAGIC;
	assert_int_equal(
		pvabi_patch_image_apply(&im, &cfg, &pol, NULL, NULL, &st),
		PVABI_E_BADADDR);
	assert_int_equal(cfg.arch, PVABI_PPC32); /* the image was taken */
	assert_true(cfg.notify_gpa == 0xffffe000u);
	assert_null(im.out);
	config_init(&cfg, &pol);
	cfg.magic_gpa = 0x1000;
	cfg.notify_gpa = 0x2000;
	im.flags = PVABI_IMAGE_F_MAGIC | PVABI_IMAGE_F_NOTIFY;
	assert_int_equal(
		pvabi_patch_image_apply(&im, &cfg, &pol, NULL, NULL, &st), 0);
	assert_true(cfg.magic_gpa == 0x1000 && cfg.notify_gpa == 0x2000);
	free(im.out);
	/* A refused image leaves the configuration alone. */
	config_init(&cfg, &pol);
	im.arch = 0;
	im.flags = 0;
	assert_int_equal(
		pvabi_patch_image_apply(&im, &cfg, &pol, NULL, NULL, &st),
		PVABI_E_BADMAGIC);
	assert_int_equal(cfg.arch, 0);
	assert_true(cfg.magic_gpa == 0);
	/* The policy's mode, then a missing argument. */
	im.arch = PVABI_PPC32;
	pol.mode = PVABI_PATCH_OFF;
	assert_int_equal(
		pvabi_patch_image_apply(&im, &cfg, &pol, NULL, NULL, &st),
		PVABI_E_POLICY);
	assert_null(im.out);
	assert_int_equal(
		pvabi_patch_image_apply(&im, &cfg, &pol, NULL, NULL, NULL),
		PVABI_E_INVAL);
}

static void image_apply_elf(void **state)
{
	const struct sec s[] = {
		{".text", SHT_PROGBITS, TEXT, 0x10000000, 0x100, 20},
		{PVABI_ELF_TEMPLATE_SECTION, SHT_PROGBITS, TEXT, 0x10002000,
		 0x400, 0x800},
	};
	unsigned char *buf = calloc(1, 4096), before[20];
	struct pvabi_patch_image im = {.data = buf};
	struct pvabi_patch_config cfg;
	struct pvabi_patch_policy pol;
	struct pvabi_patch_stats st = {0};
	struct pvabi_patch_area area = {buf + 0x400, 0x10002000, 0x800, 0};
	struct seen sn = {.im = &im};

	put_words(buf + 0x100, code5, 5);
	memcpy(before, buf + 0x100, 20);
	im.len = build_elf(buf, s, 2);
	config_init(&cfg, &pol);
	assert_int_equal(
		pvabi_patch_image_apply(&im, &cfg, &pol, on_site, &sn, &st), 0);
	/* In place, the file's length. */
	assert_ptr_equal(im.out, buf);
	assert_int_equal(im.out_len, im.len);
	assert_int_equal(cfg.arch, PVABI_PPC64LE);
	assert_int_equal(sn.total_at_first, 3);
	assert_int_equal(st.patched, 3);
	area.used = area.size; /* what follows the last template is zero */
	assert_int_equal(
		vfy_patch(&cfg, &area, before, buf + 0x100, 20, 0x10000000), 3);
	/* Without the template section. */
	im.len = build_elf(buf, s, 1);
	assert_int_equal(
		pvabi_patch_image_apply(&im, &cfg, &pol, NULL, NULL, &st),
		PVABI_E_NOTFOUND);
	assert_null(im.out);
	free(buf);
}

/* The addresses a scan reports, in order. */
struct addrs {
	pvabi_u64 a[16];
	unsigned int n;
};

static int record(void *ctx, pvabi_u64 addr, const struct pvabi_ppc_insn *in)
{
	struct addrs *r = ctx;

	if (r->n < 16)
		r->a[r->n] = addr;
	r->n++;
	return 0;
}

/* A memfd holding @len bytes of @buf. */
static int memfd_of(const unsigned char *buf, unsigned long len)
{
	int fd = memfd_create("elf", MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	return fd;
}

/* pvabi_elf_scan_fd() against pvabi_elf_scan() of the same bytes: the
 * same result, info and sites, at their addresses. */
static void fd_agrees(const unsigned char *buf, unsigned long len)
{
	struct pvabi_elf_info mi, fi;
	struct addrs ma = {0}, fa = {0};
	int fd = memfd_of(buf, len);
	long m = pvabi_elf_scan(buf, len, PVABI_F_ALL_1_0, record, &ma, &mi);
	long f;

	assert_int_equal(lseek(fd, 7, SEEK_SET), 7);
	f = pvabi_elf_scan_fd(fd, PVABI_F_ALL_1_0, record, &fa, &fi);
	assert_int_equal(lseek(fd, 0, SEEK_CUR), 7); /* pread only */
	close(fd);
	assert_int_equal(f, m);
	if (m < 0)
		return;
	assert_int_equal(fi.arch, mi.arch);
	assert_int_equal(fi.text_bytes, mi.text_bytes);
	assert_int_equal(fi.n_text, mi.n_text);
	assert_int_equal(fa.n, ma.n);
	assert_memory_equal(fa.a, ma.a, sizeof(fa.a));
}

/*
 * The descriptor scan reads code a chunk (128 KiB) at a time: sites on
 * both sides of each chunk boundary and in the last word, in a 300 KiB
 * section, are each found once at their address; every cut of a small
 * file is refused or scanned as the in-memory scan does; what is not a
 * regular file is refused.
 */
static void elf_scan_fd(void **state)
{
	const unsigned long size = 300ul << 10, chunk = 128ul << 10;
	const unsigned long at[] = {
		0, chunk - 4, chunk, 2 * chunk - 4, 2 * chunk + 8, size - 4};
	const struct sec big[] = {
		{".text", SHT_PROGBITS, TEXT, 0x20000000, 0x1000, size},
	};
	unsigned char *buf = calloc(1, 0x1000 + size);
	struct pvabi_elf_info info;
	struct addrs r = {0};
	unsigned long len;
	int fd, p[2];

	assert_non_null(buf);
	build_elf(buf, big, 1);
	for (unsigned int i = 0; i < sizeof(at) / sizeof(at[0]); i++)
		put_words(buf + 0x1000 + at[i], code5, 1);
	fd = memfd_of(buf, 0x1000 + size);
	assert_int_equal(
		pvabi_elf_scan_fd(fd, PVABI_F_ALL_1_0, record, &r, &info), 6);
	close(fd);
	assert_int_equal(r.n, 6);
	for (unsigned int i = 0; i < 6; i++)
		assert_int_equal(r.a[i], 0x20000000 + at[i]);
	assert_int_equal(info.text_bytes, size);
	fd_agrees(buf, 0x1000 + size);

	len = two_texts(buf, 0x200);
	for (unsigned long cut = 0; cut <= len; cut++)
		fd_agrees(buf, cut);
	len = two_texts(buf, 0x108); /* overlapping: refused alike */
	fd_agrees(buf, len);

	assert_int_equal(pipe(p), 0);
	assert_int_equal(
		pvabi_elf_scan_fd(p[0], PVABI_F_ALL_1_0, NULL, NULL, NULL),
		PVABI_E_INVAL);
	close(p[0]);
	close(p[1]);
	assert_int_equal(
		pvabi_elf_scan_fd(-1, PVABI_F_ALL_1_0, NULL, NULL, NULL),
		PVABI_E_INVAL);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(elf_scan_sections),
		cmocka_unit_test(elf_overlapping_text),
		cmocka_unit_test(elf_scan_fd),
		cmocka_unit_test(image_scan_raw),
		cmocka_unit_test(image_scan_elf),
		cmocka_unit_test(image_apply_raw),
		cmocka_unit_test(image_apply_pages),
		cmocka_unit_test(image_apply_elf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
