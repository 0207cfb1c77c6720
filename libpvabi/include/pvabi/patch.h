/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * pvabi/patch.h - the PowerPC patcher: decoder, rewriter and patch policy.
 *
 * A PowerPC guest kernel runs privileged instructions that trap to the host
 * (mfmsr, mtmsr, mfspr SPRG0, ...).  The patcher finds them and rewrites
 * each into a branch to a per-site *template* that does the same work with
 * loads and stores on the magic page (pvabi/abi.h), following the
 * critical-section protocol there and in docs/patching.md, and branches
 * back.  Only what a template cannot do without the host (an interrupt
 * waits, an MSR change outside PVABI_MSR_SAFE_BITS) falls back to the
 * original instruction, which traps as before.
 *
 * The decoder and the rewriter are freestanding (no libc): the kernel
 * module can patch a guest that asks for it (PVABI_F_HOST_PATCH).  The
 * policy parser and the ELF front end are user space.
 *
 * The instruction set is the one Linux's arch/powerpc/kernel/kvm.c patches,
 * with these differences:
 * - every site becomes a branch to a per-site template, also for mfmsr,
 *   mfspr and mtspr, whose template is the single load or store kvm.c
 *   writes in place (and docs/delivery.md prescribes), then the branch
 *   back; tlbsync's template is only the branch back (kvm.c: a nop).  With
 *   PVABI_PATCH_F_FULL these run the whole protocol too, so that a waiting
 *   interrupt is taken at the same instruction as in unpatched code;
 * - wrtee and wrteei are decoded on every profile (kvm.c: only BOOKE); they
 *   are invalid on book3s, so nothing else uses their encodings;
 * - mfspr PIR is decoded for both profiles (1023 book3s, 286 book-E), and
 *   mtspr PIR is not (PIR is read-only);
 * - SPRG4-7 need PVABI_F_SPRG4_7; book-E registers (DEAR, ESR, PIR 286,
 *   MAS0-4/6/7, SPRG4R-7R) need PVABI_F_BOOKE; mtsrin needs
 *   PVABI_F_SEGREGS; tlbsync needs PVABI_F_TLBSYNC_NOP.
 *
 * Every function appeared in libpvabi 1.0 (LIBPVABI_1) unless it says
 * otherwise.  Functions return 0 (or a count) or a negative PVABI_E_* code.
 */
#ifndef PVABI_PATCH_H
#define PVABI_PATCH_H

#include "abi.h"
#include "error.h"
#if !defined(__KERNEL__)
#include <stddef.h> /* size_t: freestanding too */
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------ targets */

enum pvabi_ppc_arch {
	PVABI_PPC32 = 1,   /* 32-bit, big-endian */
	PVABI_PPC64 = 2,   /* 64-bit, big-endian */
	PVABI_PPC64LE = 3, /* 64-bit, little-endian */
};

/* What the decoder recognises, one entry per kind of site. */
enum pvabi_ppc_op {
	PVABI_OP_MFMSR = 1,
	PVABI_OP_MTMSR,	    /* mtmsr rS (L=0) */
	PVABI_OP_MTMSRD,    /* mtmsrd rS (L=0): the whole MSR */
	PVABI_OP_MTMSRD_L1, /* mtmsrd rS,1: only EE and RI */
	PVABI_OP_WRTEE,	    /* wrtee rS: EE from rS */
	PVABI_OP_WRTEEI,    /* wrteei E */
	PVABI_OP_MFSPR,	    /* mfspr rT,SPR for a paravirtualised SPR */
	PVABI_OP_MTSPR,	    /* mtspr SPR,rS */
	PVABI_OP_MTSRIN,    /* mtsrin rS,rB */
	PVABI_OP_TLBSYNC,
};

/* Instruction classes, for policy ("classes=msr,sprg"). */
enum pvabi_patch_class {
	PVABI_PC_MSR = 1u << 0,	    /* mfmsr mtmsr mtmsrd wrtee wrteei */
	PVABI_PC_SPRG = 1u << 1,    /* SPRG0-7 */
	PVABI_PC_SRR = 1u << 2,	    /* SRR0, SRR1 */
	PVABI_PC_FAULT = 1u << 3,   /* DAR/DEAR, DSISR, ESR */
	PVABI_PC_BOOKE = 1u << 4,   /* MAS0-7, PIR */
	PVABI_PC_SEGREGS = 1u << 5, /* mtsrin */
	PVABI_PC_TLBSYNC = 1u << 6, /* tlbsync */
	PVABI_PC_ALL = (1u << 7) - 1,
};

/* One decoded site. */
struct pvabi_ppc_insn {
	pvabi_u32 word;	  /* the instruction, as a number */
	pvabi_u16 id;	  /* index in the instruction table: pvabi_ppc_name() */
	pvabi_u8 op;	  /* enum pvabi_ppc_op */
	pvabi_u8 reg;	  /* rT or rS; wrteei: the E bit */
	pvabi_u8 rb;	  /* mtsrin: rB */
	pvabi_u8 width;	  /* bytes of the magic-page field: 4 or 8; 0 none */
	pvabi_u8 part;	  /* 0: the whole field; a 32-bit view of a 64-bit
			     field: 1 its low word, 2 its high word */
	pvabi_u16 spr;	  /* mfspr/mtspr: the SPR number */
	pvabi_u16 offset; /* magic-page offset of the field it touches */
	pvabi_u32 cls;	  /* one PVABI_PC_* bit */
};

/**
 * pvabi_ppc_decode - is @word an instruction the patcher replaces?
 * @word: one instruction, already in host order
 * @features: PVABI_F_* that gate optional registers (see the top of this
 *            file); decoding for a scan passes what the guest would get
 * @insn: filled in when the answer is yes (may be NULL)
 * Returns 1 for a patchable instruction, 0 otherwise.  Freestanding.
 */
int pvabi_ppc_decode(pvabi_u32 word, pvabi_u64 features,
		     struct pvabi_ppc_insn *insn);

/**
 * pvabi_ppc_name - the stable name of an instruction table entry
 * ("mfmsr", "mtmsrd.l1", "mfsprg0", "mtsrr1", "tlbsync"), as used in
 * "by_insn" of pvctl's JSON; NULL past the end.
 * @id: 0 .. pvabi_ppc_ninsn() - 1
 */
const char *pvabi_ppc_name(unsigned int id);

/** pvabi_ppc_ninsn - the number of instruction table entries */
unsigned int pvabi_ppc_ninsn(void);

/** pvabi_ppc_class_name - "msr", "sprg", ...; NULL for an unknown bit */
const char *pvabi_ppc_class_name(pvabi_u32 cls);

/** pvabi_ppc_arch_name - "ppc32", "ppc64", "ppc64le"; NULL if unknown */
const char *pvabi_ppc_arch_name(enum pvabi_ppc_arch arch);

/**
 * pvabi_ppc_scan - find every site in a block of code
 * @arch: the code's word size and byte order
 * @code, @len: the code; @len is rounded down to whole instructions and
 *              @code need not be aligned
 * @addr: the guest address of @code[0] (reported back, never used to read)
 * @features: as for pvabi_ppc_decode()
 * @site: called for each site with @ctx; a negative return stops the scan
 *        and is returned.  May be NULL (count only).
 * Returns the number of sites found, the callback's negative value, or
 * PVABI_E_INVAL (unknown @arch).  Freestanding.
 */
long pvabi_ppc_scan(enum pvabi_ppc_arch arch, const void *code,
		    unsigned long len, pvabi_u64 addr, pvabi_u64 features,
		    int (*site)(void *ctx, pvabi_u64 addr,
				const struct pvabi_ppc_insn *insn),
		    void *ctx);

/* ------------------------------------------------------------- policy */

enum pvabi_patch_mode {
	PVABI_PATCH_OFF = 0,   /* nobody patches */
	PVABI_PATCH_GUEST = 1, /* the guest patches itself (default) */
	PVABI_PATCH_HOST = 2,  /* the host patches a guest that asks for it
				  (PVABI_F_HOST_PATCH, "please patch me");
				  the guest may still patch itself */
};

/* Who is about to patch: checked against the mode. */
enum pvabi_patch_by {
	PVABI_PATCH_BY_GUEST = 1,
	PVABI_PATCH_BY_HOST = 2,
};

#define PVABI_PATCH_MAX_EXCLUDES 64
#define PVABI_PATCH_NO_CAP	 0xffffffffu

struct pvabi_patch_range {
	pvabi_u64 start; /* first excluded address */
	pvabi_u64 end;	 /* first address after the range (exclusive) */
};

struct pvabi_patch_policy {
	enum pvabi_patch_mode mode;
	pvabi_u32 classes;   /* PVABI_PC_* allowed */
	pvabi_u32 max_sites; /* at most this many sites; PVABI_PATCH_NO_CAP */
	pvabi_u32 n_exclude;
	struct pvabi_patch_range exclude[PVABI_PATCH_MAX_EXCLUDES];
};

/*
 * The text form (schemas/patch-policy.txt), read by pvctl and pvctld alike:
 *
 *   # comment; blank lines and blanks around '=' are ignored
 *   mode=host                       off | guest | host     (default guest)
 *   classes=msr,sprg                names, "all" or "none" (default all)
 *   exclude=0xc0000000-0xc0001000   [start, end), hex or decimal; repeat
 *                                   for more ranges (at most 64)
 *   max-sites=1000                  decimal, or "unlimited" (the default)
 *
 * mode, classes and max-sites may appear once each.  An error names the
 * line number and quotes the line.
 */

/**
 * pvabi_patch_policy_init - the default policy: mode guest, every class,
 * no excluded range, no cap.  Freestanding.
 */
void pvabi_patch_policy_init(struct pvabi_patch_policy *pol);

/**
 * pvabi_patch_policy_parse - read the text form into @pol
 * @text, @len: the text; it need not be NUL-terminated and may contain NULs
 *              (which are an error)
 * @pol: receives the policy; defaults for what the text leaves out
 * @why, @whylen: optional; receives "line 3 'mode=hots': unknown mode 'hots'
 *              (off, guest or host)"
 * Returns 0, PVABI_E_INVAL (NULL @text or @pol), or PVABI_E_MALFORMED (a bad
 * line: unknown key, bad value, repeated key, empty or reversed range,
 * overlapping ranges, too many ranges, line longer than 1024 bytes).
 */
int pvabi_patch_policy_parse(const char *text, size_t len,
			     struct pvabi_patch_policy *pol, char *why,
			     size_t whylen);

/**
 * pvabi_patch_policy_format - write @pol in its canonical text form, one
 * "key=value" a line, which pvabi_patch_policy_parse() reads back equal.
 * Returns the length written (without the NUL), PVABI_E_INVAL (an invalid
 * policy) or PVABI_E_NOSPACE.
 */
int pvabi_patch_policy_format(const struct pvabi_patch_policy *pol, char *buf,
			      size_t len);

/**
 * pvabi_patch_policy_check - is @pol valid (known mode and classes, ranges
 * non-empty, sorted-or-not but not overlapping, n_exclude in bounds)?
 * Returns 0 or PVABI_E_INVAL.  Freestanding.
 */
int pvabi_patch_policy_check(const struct pvabi_patch_policy *pol);

/** pvabi_patch_mode_name - "off", "guest", "host"; NULL if unknown */
const char *pvabi_patch_mode_name(enum pvabi_patch_mode mode);

/**
 * pvabi_patch_mode_parse - the mode pvabi_patch_mode_name() calls @text
 * @text: "off", "guest" or "host", exactly
 * @mode: receives the mode; untouched on failure
 * @why: optional; receives "unknown mode 'hots' (off, guest or host)"
 * @whylen: size of @why
 *
 * Returns 0, or PVABI_E_INVAL (a NULL pointer or an unknown name).
 * Since 1.1.
 */
int pvabi_patch_mode_parse(const char *text, enum pvabi_patch_mode *mode,
			   char *why, size_t whylen);

/**
 * pvabi_patch_classes_parse - "msr,sprg" (or "all", "none") into PVABI_PC_*
 * Returns 0 or PVABI_E_INVAL quoting the unknown name in @why.
 */
int pvabi_patch_classes_parse(const char *text, pvabi_u32 *classes, char *why,
			      size_t whylen);

/* ------------------------------------------------------------ rewriter */

/* Why a site was left alone. */
enum pvabi_patch_skip {
	PVABI_SKIP_NONE = 0,  /* patched */
	PVABI_SKIP_MODE,      /* policy mode forbids this patcher */
	PVABI_SKIP_EXCLUDED,  /* inside an excluded range */
	PVABI_SKIP_CLASS,     /* class not allowed by policy */
	PVABI_SKIP_CAP,	      /* policy's max-sites reached */
	PVABI_SKIP_RANGE,     /* template area out of branch range */
	PVABI_SKIP_AREA_FULL, /* no room left in the template area */
	PVABI_SKIP_REGISTER,  /* the site loads r1, r2 or the base register,
				 which templates rely on */
	PVABI_SKIP_TEMPLATE,  /* inside the template area itself */
	PVABI_SKIP_MAX_,
};

/** pvabi_patch_skip_name - "excluded", "out-of-range", ...; NULL if unknown */
const char *pvabi_patch_skip_name(enum pvabi_patch_skip why);

/* Addressing of the magic page from templates (docs/patching.md). */
#define PVABI_PATCH_ABSOLUTE (-1)

/*
 * struct pvabi_patch_config.flags
 * PVABI_PATCH_F_FULL: mfmsr, mfspr, mtspr and tlbsync templates run the
 * whole protocol (critical section, int_pending check, doorbell) instead
 * of the single load or store of docs/delivery.md.
 */
#define PVABI_PATCH_F_FULL (1u << 0)
#define PVABI_PATCH_F_ALL  PVABI_PATCH_F_FULL

struct pvabi_patch_config {
	enum pvabi_ppc_arch arch;
	enum pvabi_patch_by by; /* who patches; checked against the mode */
	pvabi_u64 features;	/* negotiated PVABI_F_* */
	pvabi_u64 magic_gpa;	/* guest address the magic page is mapped at */
	pvabi_u64 notify_gpa;	/* guest address of the notification page */
	/*
	 * PVABI_PATCH_ABSOLUTE: templates reach both pages with a 16-bit
	 * displacement from address 0 (D-form with RA=0), as Linux does; both
	 * pages must lie in the bottom or top 32 KiB of the address space.
	 * Otherwise the number of a GPR (2..29) that holds @base_addr
	 * wherever patched code runs; both pages must lie within 32 KiB of
	 * that address.  Sites that write the base register are skipped.
	 */
	int base_reg;
	pvabi_u64 base_addr;
	pvabi_u32 flags; /* PVABI_PATCH_F_* */
};

/* The template area: executable guest memory the rewriter fills. */
struct pvabi_patch_area {
	void *buf;	/* where the templates are written */
	pvabi_u64 addr; /* the guest address of buf[0] */
	unsigned long size;
	unsigned long used;
};

struct pvabi_patch_stats {
	unsigned long sites; /* decoded sites seen */
	unsigned long patched;
	unsigned long skipped;
	unsigned long per_skip[PVABI_SKIP_MAX_];
};

/**
 * pvabi_patch_config_check - can templates reach the pages as configured?
 * Returns 0, PVABI_E_INVAL (unknown arch, requester or flag, bad base
 * register), PVABI_E_BADADDR (a page out of 16-bit reach or not
 * page-aligned).
 * Freestanding.
 */
int pvabi_patch_config_check(const struct pvabi_patch_config *cfg);

/* Called for every site, patched or not. */
typedef int (*pvabi_patch_site_fn)(void *ctx, pvabi_u64 addr,
				   const struct pvabi_ppc_insn *insn,
				   enum pvabi_patch_skip why);

/**
 * pvabi_patch_code - rewrite every site in one block of code
 * @cfg: target and addressing (pvabi_patch_config_check() must pass)
 * @pol: policy (pvabi_patch_policy_check() must pass)
 * @area: the template area; @area->used grows
 * @code, @len: the code, rewritten in place (guest byte order)
 * @addr: the guest address of @code[0]
 * @report: called for each site with @ctx (may be NULL); a negative
 *          return stops and is returned
 * @st: statistics, added to (so a caller patching several sections keeps
 *      one cap across them)
 * A site is rewritten only when its template fits and both branches reach.
 * Returns 0, the callback's value, PVABI_E_INVAL, PVABI_E_BADADDR, or
 * PVABI_E_POLICY (the mode forbids @cfg->by from patching at all).
 * Freestanding.
 */
int pvabi_patch_code(const struct pvabi_patch_config *cfg,
		     const struct pvabi_patch_policy *pol,
		     struct pvabi_patch_area *area, void *code,
		     unsigned long len, pvabi_u64 addr,
		     pvabi_patch_site_fn report, void *ctx,
		     struct pvabi_patch_stats *st);

/* --------------------------------------------------------- ELF front end */

/* One executable section of an ELF file, for pvabi_elf_*(). */
struct pvabi_elf_info {
	enum pvabi_ppc_arch arch;
	unsigned long text_bytes; /* bytes in executable sections scanned */
	unsigned int n_text;	  /* executable sections */
};

/**
 * pvabi_elf_scan - scan the executable sections of a PowerPC ELF image
 * @image, @len: the whole file in memory (not modified)
 * @features: as for pvabi_ppc_decode()
 * @site: as for pvabi_ppc_scan(), called with the symbol containing the
 *        site through pvabi_elf_symbolize() if the caller wants it
 * @info: receives the arch and the bytes scanned
 * Returns the number of sites, the callback's negative value, or
 * PVABI_E_BADMAGIC (not ELF), PVABI_E_TRUNCATED (the file ends inside its
 * header, its section table or a section), PVABI_E_MALFORMED (libelf
 * refused it, or executable sections share file bytes: refused rather than
 * scanned once, docs/patching.md), PVABI_E_UNSUPPORTED (not PowerPC).
 * User space.
 */
long pvabi_elf_scan(const void *image, unsigned long len, pvabi_u64 features,
		    int (*site)(void *ctx, pvabi_u64 addr,
				const struct pvabi_ppc_insn *insn),
		    void *ctx, struct pvabi_elf_info *info);

/**
 * pvabi_elf_scan_fd - pvabi_elf_scan() of an ELF file read from @fd
 * @fd: a regular file open for reading; its offset is left alone; not
 *      closed
 * @features, @site, @ctx, @info: as for pvabi_elf_scan()
 * The headers are read as pvabi_elf_scan() reads them, through a read-only
 * mapping of the file, and the executable sections with pread(), a piece
 * at a time into a buffer of its own: the same result as pvabi_elf_scan()
 * of the whole file, refusals included, without mapping in a page of the
 * code (each costs a fault at its first touch) or touching the rest.
 * Returns what pvabi_elf_scan() returns; also PVABI_E_INVAL (@fd is not a
 * regular file, or cannot be mapped), PVABI_E_TRUNCATED for a read that
 * fails or ends early (errno says why; 0 where the file ended), and
 * PVABI_E_NOMEM.
 * Since 1.2.  User space.
 */
long pvabi_elf_scan_fd(int fd, pvabi_u64 features,
		       int (*site)(void *ctx, pvabi_u64 addr,
				   const struct pvabi_ppc_insn *insn),
		       void *ctx, struct pvabi_elf_info *info);

/**
 * pvabi_elf_arch - the PowerPC flavour of an ELF image, from its header
 * Returns 0, or the codes of pvabi_elf_scan().  User space.
 */
int pvabi_elf_arch(const void *image, unsigned long len,
		   enum pvabi_ppc_arch *arch);

/* The name of the ELF section that holds templates. */
#define PVABI_ELF_TEMPLATE_SECTION ".pvabi_templates"

/**
 * pvabi_elf_patch - patch the executable sections of an ELF image in place
 * @image, @len: the whole file in memory, rewritten in place
 * @cfg: its arch must match the file's (pvabi_elf_scan() tells it)
 * @pol, @report, @ctx, @st: as for pvabi_patch_code()
 * Templates go into the executable section PVABI_ELF_TEMPLATE_SECTION,
 * which the image must provide (zero-filled, as Linux's kvm_tmp[]); that
 * section is never scanned.
 * Returns 0, the callback's value, PVABI_E_NOTFOUND (no template section),
 * PVABI_E_MALFORMED (executable sections share file bytes), the codes of
 * pvabi_elf_scan() and of pvabi_patch_code().  User space.
 */
int pvabi_elf_patch(void *image, unsigned long len,
		    const struct pvabi_patch_config *cfg,
		    const struct pvabi_patch_policy *pol,
		    pvabi_patch_site_fn report, void *ctx,
		    struct pvabi_patch_stats *st);

/**
 * pvabi_elf_symbolize - "function+0x1c" for @addr in an ELF image
 * Returns the length written, 0 if no symbol covers @addr, or
 * PVABI_E_NOSPACE.  User space.
 */
int pvabi_elf_symbolize(const void *image, unsigned long len, pvabi_u64 addr,
			char *buf, unsigned long buflen);

/* ------------------------------------------------------------- images */

/*
 * An image is what a program reads from a file to patch: an ELF file (it
 * starts with "\177ELF"), which says its arch and where its code lies, or
 * else raw code, whose arch and guest address the caller gives.  The two
 * calls below tell them apart, check what the caller said against the
 * file, and scan or patch it with the defaults below, so that pvctl and any
 * other program patch a file alike.  Since 1.1; user space.
 */

/*
 * The features a patcher assumes when the caller names none: every feature
 * of ABI 1.0 but book-E (its SPR numbers name other registers on book3s)
 * and the host-patch request.  Since 1.1.
 */
#define PVABI_PATCH_DEFAULT_FEATURES                                           \
	(PVABI_F_NOTIFY | PVABI_F_SEGREGS | PVABI_F_TLBSYNC_NOP |              \
	 PVABI_F_SPRG4_7)

/*
 * Where pvabi_patch_image_apply() puts the pages unless told: Linux's
 * placement, the top of the address space (of the 32-bit space for ppc32),
 * which absolute addressing reaches with a 16-bit displacement from 0.
 * Since 1.1.
 */
#define PVABI_PATCH_DEFAULT_MAGIC  ((pvabi_u64)-0x1000)
#define PVABI_PATCH_DEFAULT_NOTIFY ((pvabi_u64)-0x2000)

/* struct pvabi_patch_image.flags: what the caller gave. */
#define PVABI_IMAGE_F_BASE   (1u << 0) /* @base: the image must be raw code */
#define PVABI_IMAGE_F_MAGIC  (1u << 1) /* cfg->magic_gpa, not the default */
#define PVABI_IMAGE_F_NOTIFY (1u << 2) /* cfg->notify_gpa, not the default */
#define PVABI_IMAGE_F_ALL    ((1u << 3) - 1)

/* Raw code: the template area starts this far aligned after the code. */
#define PVABI_IMAGE_RAW_ALIGN 4096ul

struct pvabi_patch_image {
	/* Set by the caller. */
	void *data; /* the file's bytes; an ELF file is patched in place */
	unsigned long len;
	/*
	 * Raw code: its arch, required.  An ELF file: 0, or the arch it must
	 * have.  libpvabi sets it to the image's arch as soon as it knows it
	 * (an ELF file's also when it is not the one asked for).
	 */
	enum pvabi_ppc_arch arch;
	pvabi_u64 base;	 /* raw code: the guest address of data[0] */
	pvabi_u32 flags; /* PVABI_IMAGE_F_* */
	/* Set by libpvabi. */
	int elf;		  /* 1: an ELF file; 0: raw code */
	unsigned long text_bytes; /* bytes of code, templates' area excluded */
	unsigned long n_sites;	  /* sites in the code, known before the first
				     call of the site callback */
	/*
	 * pvabi_patch_image_apply(): the patched image.  An ELF file: @data
	 * itself.  Raw code: a new buffer from malloc(), which the caller
	 * frees with free(), holding the code and after it, aligned to
	 * PVABI_IMAGE_RAW_ALIGN, the templates; @data is left alone.
	 */
	void *out;
	unsigned long out_len;
};

/**
 * pvabi_patch_image_scan - find every site of an ELF file or raw code
 * @im: the image (see struct pvabi_patch_image); @im->arch, @im->elf,
 *      @im->text_bytes and @im->n_sites are set
 * @features: as for pvabi_ppc_decode(); PVABI_PATCH_DEFAULT_FEATURES when
 *            the caller has nothing better
 * @site: as for pvabi_ppc_scan() (may be NULL: count only)
 * @ctx: passed to @site
 *
 * An ELF file is scanned as pvabi_elf_scan() does, raw code as
 * pvabi_ppc_scan() does at @im->base.
 *
 * Returns the number of sites, @site's negative value, or
 * PVABI_E_INVAL (NULL @im or NULL @im->data; a flag outside
 * PVABI_IMAGE_F_ALL or an unknown @im->arch; an ELF file with
 * PVABI_IMAGE_F_BASE, or whose arch is not the @im->arch asked for; raw
 * code whose @im->base is not 4-byte aligned), PVABI_E_BADMAGIC (not an
 * ELF file, and no @im->arch to read it as raw code), or the codes of
 * pvabi_elf_scan() for an ELF file (PVABI_E_TRUNCATED, PVABI_E_MALFORMED,
 * PVABI_E_UNSUPPORTED).  With PVABI_IMAGE_F_BASE an ELF
 * file is refused before its header is read; a wrong @im->arch only after.
 * Since 1.1.  User space.
 */
long pvabi_patch_image_scan(struct pvabi_patch_image *im, pvabi_u64 features,
			    int (*site)(void *ctx, pvabi_u64 addr,
					const struct pvabi_ppc_insn *insn),
			    void *ctx);

/**
 * pvabi_patch_image_apply - patch an ELF file or raw code
 * @im: the image, checked as pvabi_patch_image_scan() does; on success
 *      @im->out and @im->out_len hold the patched image
 * @cfg: who patches and how (@cfg->by, ->features, ->base_reg,
 *       ->base_addr, ->flags); @cfg->arch is set to the image's, and
 *       @cfg->magic_gpa and @cfg->notify_gpa to PVABI_PATCH_DEFAULT_MAGIC
 *       and PVABI_PATCH_DEFAULT_NOTIFY (the low 32 bits for ppc32) unless
 *       @im->flags has PVABI_IMAGE_F_MAGIC or PVABI_IMAGE_F_NOTIFY
 * @pol: the policy (pvabi_patch_policy_check() must pass)
 * @report: called for every site, as for pvabi_patch_code() (may be NULL)
 * @ctx: passed to @report
 * @st: statistics, added to
 *
 * An ELF file is patched in place as pvabi_elf_patch() does.  Raw code is
 * copied into a new buffer with room for the templates of every site after
 * it (PVABI_IMAGE_RAW_ALIGN-aligned, at @im->base plus that offset), and
 * patched there with pvabi_patch_code(); @im->out_len ends with the last
 * template.
 *
 * Returns 0 or, with @im->out NULL: the codes of pvabi_patch_image_scan()
 * (then @cfg->arch is not set: the image was refused, not the
 * configuration), PVABI_E_INVAL (NULL @cfg, @pol or @st) or the codes of
 * pvabi_patch_config_check() once the pages are placed (PVABI_E_INVAL,
 * PVABI_E_BADADDR: @cfg holds the addresses refused), then
 * PVABI_E_POLICY (the policy's mode forbids @cfg->by to patch),
 * PVABI_E_NOTFOUND (an ELF file without PVABI_ELF_TEMPLATE_SECTION),
 * PVABI_E_NOMEM, @report's negative value, or the other codes of
 * pvabi_elf_patch() and pvabi_patch_code().  Since 1.1.  User space.
 */
int pvabi_patch_image_apply(struct pvabi_patch_image *im,
			    struct pvabi_patch_config *cfg,
			    const struct pvabi_patch_policy *pol,
			    pvabi_patch_site_fn report, void *ctx,
			    struct pvabi_patch_stats *st);

#ifdef __cplusplus
}
#endif

#endif /* PVABI_PATCH_H */
