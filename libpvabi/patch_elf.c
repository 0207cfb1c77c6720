// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The patcher's ELF front end: elfutils' libelf reads the headers; the
 * executable sections are then scanned or rewritten where they lie in the
 * caller's image, so patching is in place and nothing is converted.
 */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

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
	const unsigned char *ident = image;
	GElf_Ehdr eh;
	size_t nsec;

	memset(im, 0, sizeof(*im));
	if (!image || len < EI_NIDENT)
		return PVABI_E_TRUNCATED;
	if (memcmp(image, ELFMAG, SELFMAG))
		return PVABI_E_BADMAGIC;
	/* libelf refuses a file shorter than its header without saying
	 * why; a NULL from it below is its refusal of the file. */
	if ((ident[EI_CLASS] == ELFCLASS32 && len < sizeof(Elf32_Ehdr)) ||
	    (ident[EI_CLASS] == ELFCLASS64 && len < sizeof(Elf64_Ehdr)))
		return PVABI_E_TRUNCATED;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return PVABI_E_UNSUPPORTED;
	/* libelf only reads through this pointer (ELF_C_READ semantics). */
	im->elf = elf_memory((char *)image, len);
	if (!im->elf)
		return PVABI_E_MALFORMED;
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

/* Exactly @len bytes at @off of @fd: 0, or PVABI_E_TRUNCATED (errno says
 * why; 0 where the file ends first). */
static int read_at(int fd, void *buf, size_t len, off_t off)
{
	unsigned char *p = buf;

	while (len) {
		ssize_t n = pread(fd, p, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!n)
				errno = 0;
			return PVABI_E_TRUNCATED;
		}
		p += n;
		len -= (size_t)n;
		off += n;
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

/*
 * Section @sh, read from @fd a chunk at a time into @buf: a chunk stays in
 * the CPU's cache while it is scanned, and no page of the code is mapped
 * in (a mapped page costs a fault, and under shadow paging a hypervisor
 * exit, at its first touch).  Chunks are whole 64-byte blocks, so words
 * and the scan's blocks start where they would in one pass.
 */
#define SCAN_CHUNK (128ul << 10)

static long scan_section_fd(const struct elf_image *im, int fd,
			    unsigned char *buf, const GElf_Shdr *sh,
			    pvabi_u64 features,
			    int (*site)(void *ctx, pvabi_u64 addr,
					const struct pvabi_ppc_insn *in),
			    void *ctx)
{
	long total = 0;

	for (pvabi_u64 off = 0; off < sh->sh_size; off += SCAN_CHUNK) {
		size_t n = sh->sh_size - off < SCAN_CHUNK
				   ? (size_t)(sh->sh_size - off)
				   : SCAN_CHUNK;
		int err = read_at(fd, buf, n, (off_t)(sh->sh_offset + off));
		long k;

		if (err)
			return err;
		k = pvabi_ppc_scan(im->arch, buf, n, sh->sh_addr + off,
				   features, site, ctx);
		if (k < 0)
			return k;
		total += k;
	}
	return total;
}

/* The scan of an open image: in memory, or from @fd into @buf. */
static long elf_scan(struct elf_image *im, int fd, unsigned char *buf,
		     pvabi_u64 features,
		     int (*site)(void *ctx, pvabi_u64 addr,
				 const struct pvabi_ppc_insn *in),
		     void *ctx, struct pvabi_elf_info *info)
{
	Elf_Scn *scn = NULL;
	const char *name;
	GElf_Shdr sh;
	long total = 0;
	int err;

	if (info) {
		memset(info, 0, sizeof(*info));
		info->arch = im->arch;
	}
	err = check_disjoint(im);
	while (!err && (scn = next_text(im, scn, &sh, &name, &err))) {
		long n;

		if (!strcmp(name, PVABI_ELF_TEMPLATE_SECTION))
			continue;
		if (fd < 0)
			n = pvabi_ppc_scan(im->arch, im->base + sh.sh_offset,
					   sh.sh_size, sh.sh_addr, features,
					   site, ctx);
		else
			n = scan_section_fd(im, fd, buf, &sh, features, site,
					    ctx);
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
	elf_end(im->elf);
	return err ? err : total;
}

PVABI_EXPORT long pvabi_elf_scan(const void *image, unsigned long len,
				 pvabi_u64 features,
				 int (*site)(void *ctx, pvabi_u64 addr,
					     const struct pvabi_ppc_insn *in),
				 void *ctx, struct pvabi_elf_info *info)
{
	struct elf_image im;
	int err = elf_open(&im, image, len);

	return err ? err : elf_scan(&im, -1, NULL, features, site, ctx, info);
}

/*
 * The file is mapped for libelf, which reads only its headers, section
 * table and section names through the map, exactly as pvabi_elf_scan()
 * opens an image, so that both refuse the same files alike (libelf on a
 * descriptor did not: fuzz-patch found a file it read differently); the
 * code is read with pread(), so none of its pages is ever mapped in.
 */
PVABI_EXPORT long pvabi_elf_scan_fd(
	int fd, pvabi_u64 features,
	int (*site)(void *ctx, pvabi_u64 addr, const struct pvabi_ppc_insn *in),
	void *ctx, struct pvabi_elf_info *info)
{
	struct elf_image im;
	unsigned char *buf;
	struct stat st;
	size_t len;
	void *map;
	long n;

	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    (unsigned long long)st.st_size > (size_t)-1)
		return PVABI_E_INVAL;
	len = (size_t)st.st_size;
	if (len < EI_NIDENT)
		return PVABI_E_TRUNCATED;
	map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		return errno == ENOMEM ? PVABI_E_NOMEM : PVABI_E_INVAL;
	n = elf_open(&im, map, len);
	if (!n) {
		buf = malloc(SCAN_CHUNK);
		if (buf) {
			n = elf_scan(&im, fd, buf, features, site, ctx, info);
			free(buf);
		} else {
			elf_end(im.elf);
			n = PVABI_E_NOMEM;
		}
	}
	munmap(map, len);
	return n;
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
