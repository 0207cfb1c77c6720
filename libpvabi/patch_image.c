// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Images: an ELF file or raw code, scanned or patched in one call with the
 * decisions every caller would otherwise make for itself (which one it is,
 * its arch, where the pages go, where raw code's templates go).
 */
#include <stdlib.h>
#include <string.h>

#include "pvabi/pvabi.h"
#include "pvabi/patch.h"
#include "export.h"

/* Template area per site of raw code: the most a template can take
 * (TEMPLATE_MAX words, ppc_rewrite.c), so every site fits. */
#define TEMPLATE_ROOM 256ul

/* Which image @im is and its arch, checked against what the caller said. */
static int identify(struct pvabi_patch_image *im)
{
	enum pvabi_ppc_arch arch;
	int err;

	if (!im || !im->data || (im->flags & ~PVABI_IMAGE_F_ALL) ||
	    (im->arch && !pvabi_ppc_arch_name(im->arch)))
		return PVABI_E_INVAL;
	im->elf = im->len >= 4 && !memcmp(im->data, "\177ELF", 4);
	im->text_bytes = 0;
	im->n_sites = 0;
	if (!im->elf) {
		if (!im->arch)
			return PVABI_E_BADMAGIC;
		return im->base & 3 ? PVABI_E_INVAL : 0;
	}
	if (im->flags & PVABI_IMAGE_F_BASE)
		return PVABI_E_INVAL;
	err = pvabi_elf_arch(im->data, im->len, &arch);
	if (err)
		return err;
	if (im->arch && im->arch != arch) {
		im->arch = arch;
		return PVABI_E_INVAL;
	}
	im->arch = arch;
	return 0;
}

static long scan(struct pvabi_patch_image *im, pvabi_u64 features,
		 int (*site)(void *ctx, pvabi_u64 addr,
			     const struct pvabi_ppc_insn *insn),
		 void *ctx)
{
	struct pvabi_elf_info info;
	long n;

	if (im->elf) {
		n = pvabi_elf_scan(im->data, im->len, features, site, ctx,
				   &info);
		if (n >= 0)
			im->text_bytes = info.text_bytes;
	} else {
		n = pvabi_ppc_scan(im->arch, im->data, im->len, im->base,
				   features, site, ctx);
		im->text_bytes = im->len & ~3ul;
	}
	if (n >= 0)
		im->n_sites = (unsigned long)n;
	return n;
}

PVABI_EXPORT long
pvabi_patch_image_scan(struct pvabi_patch_image *im, pvabi_u64 features,
		       int (*site)(void *ctx, pvabi_u64 addr,
				   const struct pvabi_ppc_insn *insn),
		       void *ctx)
{
	int err = identify(im);

	return err ? err : scan(im, features, site, ctx);
}

/* Raw code: copied into a buffer with the template area after it. */
static int apply_raw(struct pvabi_patch_image *im,
		     const struct pvabi_patch_config *cfg,
		     const struct pvabi_patch_policy *pol,
		     pvabi_patch_site_fn report, void *ctx,
		     struct pvabi_patch_stats *st)
{
	unsigned long code = im->len & ~3ul;
	unsigned long start = (code + PVABI_IMAGE_RAW_ALIGN - 1) &
			      ~(PVABI_IMAGE_RAW_ALIGN - 1);
	unsigned long room = (im->n_sites ? im->n_sites : 1) * TEMPLATE_ROOM;
	struct pvabi_patch_area area;
	unsigned char *buf = calloc(1, start + room);
	int err;

	if (!buf)
		return PVABI_E_NOMEM;
	memcpy(buf, im->data, im->len);
	area = (struct pvabi_patch_area){buf + start, im->base + start, room,
					 0};
	err = pvabi_patch_code(cfg, pol, &area, buf, code, im->base, report,
			       ctx, st);
	if (err) {
		free(buf);
		return err;
	}
	im->out = buf;
	im->out_len = start + area.used;
	return 0;
}

PVABI_EXPORT int pvabi_patch_image_apply(struct pvabi_patch_image *im,
					 struct pvabi_patch_config *cfg,
					 const struct pvabi_patch_policy *pol,
					 pvabi_patch_site_fn report, void *ctx,
					 struct pvabi_patch_stats *st)
{
	int err;

	if (im) {
		im->out = NULL;
		im->out_len = 0;
	}
	err = identify(im);
	if (err)
		return err;
	if (!cfg || !pol || !st)
		return PVABI_E_INVAL;
	cfg->arch = im->arch;
	if (!(im->flags & PVABI_IMAGE_F_MAGIC))
		cfg->magic_gpa = PVABI_PATCH_DEFAULT_MAGIC;
	if (!(im->flags & PVABI_IMAGE_F_NOTIFY))
		cfg->notify_gpa = PVABI_PATCH_DEFAULT_NOTIFY;
	/* ppc32's address space ends at 4 GiB: its top is there.  Only the
	 * defaults move; an address the caller gave is checked as given. */
	if (cfg->arch == PVABI_PPC32) {
		if (!(im->flags & PVABI_IMAGE_F_MAGIC))
			cfg->magic_gpa &= 0xffffffffu;
		if (!(im->flags & PVABI_IMAGE_F_NOTIFY))
			cfg->notify_gpa &= 0xffffffffu;
	}
	err = pvabi_patch_config_check(cfg);
	if (err)
		return err;
	/* How many sites: the size of raw code's template area, and what a
	 * caller's progress counts up to.  An ELF file the scan refuses is
	 * refused by pvabi_elf_patch() too, which says why. */
	if (scan(im, cfg->features, NULL, NULL) < 0)
		im->n_sites = 0;
	if (!im->elf)
		return apply_raw(im, cfg, pol, report, ctx, st);
	err = pvabi_elf_patch(im->data, im->len, cfg, pol, report, ctx, st);
	if (!err) {
		im->out = im->data;
		im->out_len = im->len;
	}
	return err;
}
