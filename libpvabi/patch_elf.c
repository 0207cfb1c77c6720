// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The patcher's ELF front end: elfutils' libelf reads the headers; the
 * executable sections are then scanned or rewritten where they lie in the
 * caller's image, so patching is in place and nothing is converted.
 */
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <string.h>

#include "pvabi/pvabi.h"
#include "pvabi/patch.h"
#include "export.h"

struct elf_image {
	Elf *elf;
	unsigned char *base;
	unsigned long len;
	enum pvabi_ppc_arch arch;
	size_t shstrndx;
};

static int elf_open(struct elf_image *im, const void *image, unsigned long len)
{
	GElf_Ehdr eh;
	size_t nsec;

	memset(im, 0, sizeof(*im));
	if (!image || len < EI_NIDENT)
		return PVABI_E_TRUNCATED;
	if (memcmp(image, ELFMAG, SELFMAG))
		return PVABI_E_BADMAGIC;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return PVABI_E_UNSUPPORTED;
	/* libelf only reads through this pointer (ELF_C_READ semantics). */
	im->elf = elf_memory((char *)image, len);
	if (!im->elf)
		return PVABI_E_NOMEM;
	im->base = (unsigned char *)image;
	im->len = len;
	if (elf_kind(im->elf) != ELF_K_ELF || !gelf_getehdr(im->elf, &eh) ||
	    elf_getshdrstrndx(im->elf, &im->shstrndx)) {
		elf_end(im->elf);
		return PVABI_E_MALFORMED;
	}
	/* libelf quietly finds no sections when their table is cut off:
	 * a truncated file must be refused, not read as empty. */
	if (!eh.e_shoff || eh.e_shoff > len || elf_getshdrnum(im->elf, &nsec) ||
	    !nsec ||
	    (unsigned long long)nsec * eh.e_shentsize > len - eh.e_shoff) {
		elf_end(im->elf);
		return PVABI_E_TRUNCATED;
	}
	if (eh.e_machine == EM_PPC && eh.e_ident[EI_CLASS] == ELFCLASS32 &&
	    eh.e_ident[EI_DATA] == ELFDATA2MSB)
		im->arch = PVABI_PPC32;
	else if (eh.e_machine == EM_PPC64 && eh.e_ident[EI_CLASS] == ELFCLASS64)
		im->arch = eh.e_ident[EI_DATA] == ELFDATA2LSB ? PVABI_PPC64LE
							      : PVABI_PPC64;
	else {
		elf_end(im->elf);
		return PVABI_E_UNSUPPORTED;
	}
	return 0;
}

/* The next executable section with contents, its name and its bytes. */
static Elf_Scn *next_text(struct elf_image *im, Elf_Scn *scn, GElf_Shdr *sh,
			  const char **name, int *err)
{
	*err = 0;
	while ((scn = elf_nextscn(im->elf, scn))) {
		if (!gelf_getshdr(scn, sh)) {
			*err = PVABI_E_MALFORMED;
			return NULL;
		}
		if (sh->sh_type != SHT_PROGBITS ||
		    !(sh->sh_flags & SHF_EXECINSTR) || !sh->sh_size)
			continue;
		if (sh->sh_offset > im->len ||
		    sh->sh_size > im->len - sh->sh_offset) {
			*err = PVABI_E_TRUNCATED;
			return NULL;
		}
		*name = elf_strptr(im->elf, im->shstrndx, sh->sh_name);
		if (!*name)
			*name = "";
		return scn;
	}
	return NULL;
}

/*
 * Executable sections that share file bytes (only a crafted file has them:
 * a linker lays sections out one after the other) are refused by scan and
 * patch alike, rather than read once: patching rewrites sections in place,
 * so each would see the other's templates, and a scan would have to pick
 * one of two guest addresses for every site in the shared bytes (or count
 * it twice, as it once did).
 */
static int check_disjoint(struct elf_image *im)
{
	Elf_Scn *a = NULL, *b;
	GElf_Shdr sa, sb;
	const char *name;
	int err;

	while ((a = next_text(im, a, &sa, &name, &err))) {
		b = a;
		while ((b = next_text(im, b, &sb, &name, &err)))
			if (sa.sh_offset < sb.sh_offset + sb.sh_size &&
			    sb.sh_offset < sa.sh_offset + sa.sh_size)
				return PVABI_E_MALFORMED;
		if (err)
			return err;
	}
	return err;
}

PVABI_EXPORT int pvabi_elf_arch(const void *image, unsigned long len,
				enum pvabi_ppc_arch *arch)
{
	struct elf_image im;
	int err = elf_open(&im, image, len);

	if (err)
		return err;
	if (arch)
		*arch = im.arch;
	elf_end(im.elf);
	return 0;
}

PVABI_EXPORT long pvabi_elf_scan(const void *image, unsigned long len,
				 pvabi_u64 features,
				 int (*site)(void *ctx, pvabi_u64 addr,
					     const struct pvabi_ppc_insn *in),
				 void *ctx, struct pvabi_elf_info *info)
{
	struct elf_image im;
	Elf_Scn *scn = NULL;
	const char *name;
	GElf_Shdr sh;
	long total = 0;
	int err = elf_open(&im, image, len);

	if (err)
		return err;
	if (info) {
		memset(info, 0, sizeof(*info));
		info->arch = im.arch;
	}
	err = check_disjoint(&im);
	while (!err && (scn = next_text(&im, scn, &sh, &name, &err))) {
		long n;

		if (!strcmp(name, PVABI_ELF_TEMPLATE_SECTION))
			continue;
		n = pvabi_ppc_scan(im.arch, im.base + sh.sh_offset, sh.sh_size,
				   sh.sh_addr, features, site, ctx);
		if (n < 0) {
			err = (int)n;
			break;
		}
		total += n;
		if (info) {
			info->text_bytes += sh.sh_size;
			info->n_text++;
		}
	}
	elf_end(im.elf);
	return err ? err : total;
}

PVABI_EXPORT int pvabi_elf_patch(void *image, unsigned long len,
				 const struct pvabi_patch_config *cfg,
				 const struct pvabi_patch_policy *pol,
				 pvabi_patch_site_fn report, void *ctx,
				 struct pvabi_patch_stats *st)
{
	struct pvabi_patch_area area = {0};
	struct elf_image im;
	Elf_Scn *scn = NULL;
	const char *name;
	GElf_Shdr sh;
	int err = elf_open(&im, image, len);

	if (err)
		return err;
	if (!cfg || cfg->arch != im.arch) {
		elf_end(im.elf);
		return PVABI_E_INVAL;
	}
	while ((scn = next_text(&im, scn, &sh, &name, &err))) {
		if (!strcmp(name, PVABI_ELF_TEMPLATE_SECTION)) {
			area.buf = im.base + sh.sh_offset;
			area.addr = sh.sh_addr;
			area.size = sh.sh_size;
		}
	}
	if (!err && !area.buf)
		err = PVABI_E_NOTFOUND;
	if (!err)
		err = check_disjoint(&im);
	scn = NULL;
	while (!err && (scn = next_text(&im, scn, &sh, &name, &err))) {
		if (!strcmp(name, PVABI_ELF_TEMPLATE_SECTION))
			continue;
		err = pvabi_patch_code(cfg, pol, &area, im.base + sh.sh_offset,
				       sh.sh_size, sh.sh_addr, report, ctx, st);
	}
	elf_end(im.elf);
	return err;
}

PVABI_EXPORT int pvabi_elf_symbolize(const void *image, unsigned long len,
				     pvabi_u64 addr, char *buf,
				     unsigned long buflen)
{
	struct elf_image im;
	Elf_Scn *scn = NULL;
	GElf_Sym best = {0};
	const char *best_name = NULL;
	int n = 0;

	if (elf_open(&im, image, len))
		return 0;
	while ((scn = elf_nextscn(im.elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB ||
		    !sh.sh_entsize || !(d = elf_getdata(scn, NULL)))
			continue;
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym s;
			const char *nm;

			if (!gelf_getsym(d, (int)i, &s) ||
			    GELF_ST_TYPE(s.st_info) != STT_FUNC ||
			    s.st_value > addr ||
			    (s.st_size && addr - s.st_value >= s.st_size) ||
			    (best_name && s.st_value <= best.st_value))
				continue;
			nm = elf_strptr(im.elf, sh.sh_link, s.st_name);
			if (nm && *nm) {
				best = s;
				best_name = nm;
			}
		}
	}
	if (best_name) {
		n = snprintf(buf, buflen, "%s+0x%llx", best_name,
			     (unsigned long long)(addr - best.st_value));
		if (n < 0 || (unsigned long)n >= buflen)
			n = PVABI_E_NOSPACE;
	}
	elf_end(im.elf);
	return n;
}
