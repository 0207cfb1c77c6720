/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * pvabi/abi.h - the pvabi magic page, version 1 (minors 1.0 and 1.1).
 *
 * This header is the one definition of the shared-memory ABI between a
 * paravirtualised guest and its host.  It is freestanding: it needs no libc
 * and no operating system, and it is included unchanged by the kernel module
 * (kmod/), by guests, and by user space.
 *
 * THE PAGES
 *
 * Each vCPU has one 4096-byte *magic page* and one 4096-byte *notification
 * page*.  The guest chooses both guest-physical addresses during negotiation
 * (PVABI_HC_NEGOTIATE); the host maps them.
 *
 *   magic page    offset  size  region
 *                 0x000   128   header (struct pvabi_header)
 *                 0x080   128   delivery block (struct pvabi_delivery)
 *                 0x100   256   architected PowerPC state (struct pvabi_arch)
 *                 0x200   128   scratch slots for patch templates
 *                 0x280  3456   reserved, zero
 *
 *   notify page   0x000     8   doorbell; the guest stores any value here
 *                 0x008  4088   reserved, zero
 *
 * Every field is fixed width, naturally aligned and stored in the *guest's*
 * byte order, recorded in pvabi_header.byte_order.  The field types below
 * (pvabi_g16_t, pvabi_g32_t, pvabi_g64_t) say so in their name: they are
 * never read directly but through pvabi/access.h, which takes the byte order
 * the host recorded at negotiation.  Under sparse they are __bitwise, so a
 * raw access is a warning.
 *
 * THE CRITICAL-SECTION PROTOCOL (full state machine: pvabi/delivery.h)
 *
 * A patched guest instruction runs a short template:
 *   1. store r1 (its stack pointer) to delivery.critical: "inside";
 *   2. save scratch registers to scratch[], update arch state;
 *   3. load delivery.int_pending; if set and virtual interrupts are on,
 *      fall back to the original trapping instruction;
 *   4. restore scratch registers;
 *   5. store any other value (r2) to delivery.critical: "outside"; under
 *      PVABI_F_NESTING (1.1) that value is 0;
 *   6. store any value to the notification page's doorbell.
 * The host treats the vCPU as inside a critical section only while
 * critical == the guest's current r1 and the guest is in supervisor mode.
 * A host that cannot read the guest's registers treats it as inside while
 * critical != 0, which is sound only for a guest that negotiated
 * PVABI_F_NESTING.
 * An interrupt that must be held back because of a critical section makes
 * the host unmap (or write-protect) the notification page first; the store
 * in step 6 then traps and the host delivers.  That store closes the race
 * in which an interrupt arrives after step 3 and nothing brings the host
 * back on an idle, tickless guest.
 *
 * RULES FOR GROWTH (these never change)
 *
 * - Major versions are incompatible with each other and are negotiated.
 * - A minor version only adds fields, each in space that earlier minors
 *   reserved, each naturally aligned, each marked "added in 1.N" below.
 *   A reader ignores reserved space; a writer leaves it zero.
 * - Feature bits are zero until defined.  A bit, once defined, keeps its
 *   meaning forever; a new meaning gets a new bit, never a reused one.
 * - header.size says how many bytes of the page are in use for the
 *   negotiated minor: fields at or past it are reserved.
 * - Everything the host reads from these pages was written by the guest
 *   and is hostile: the host validates it and never uses it to index
 *   host memory.
 *
 * Schema: schemas/abi-v1.json lists every field with its offset, size and
 * the version that added it; tests/unit/test-abi-schema.c proves the two
 * agree field by field.
 */
#ifndef PVABI_ABI_H
#define PVABI_ABI_H

#if defined(__KERNEL__)
#include <linux/types.h>
typedef __u8 pvabi_u8;
typedef __u16 pvabi_u16;
typedef __u32 pvabi_u32;
typedef __u64 pvabi_u64;
#else
#include <stdint.h> /* a freestanding header: no libc needed */
typedef uint8_t pvabi_u8;
typedef uint16_t pvabi_u16;
typedef uint32_t pvabi_u32;
typedef uint64_t pvabi_u64;
#endif

#ifdef __CHECKER__
#define __pvabi_bitwise __attribute__((bitwise))
#else
#define __pvabi_bitwise
#endif

/* Guest-byte-order integers: read them with pvabi/access.h only. */
typedef pvabi_u16 __pvabi_bitwise pvabi_g16_t;
typedef pvabi_u32 __pvabi_bitwise pvabi_g32_t;
typedef pvabi_u64 __pvabi_bitwise pvabi_g64_t;

#define PVABI_PAGE_SIZE 4096u
#define PVABI_PAGE_SHIFT 12
/* Guest physical addresses have at most this many bits; higher are reserved. */
#define PVABI_GPA_BITS 52

/* "PVAB" read as a number in the guest's byte order. */
#define PVABI_MAGIC 0x50564142u
#define PVABI_MAGIC_SWAPPED 0x42415650u

#define PVABI_VERSION_MAJOR 1
/* The highest minor this header describes. */
#define PVABI_VERSION_MINOR 1

/* pvabi_header.byte_order: one byte, so it reads the same in either order. */
#define PVABI_BYTE_ORDER_LITTLE 1
#define PVABI_BYTE_ORDER_BIG 2

/*
 * Feature bits (pvabi_header.features).  "since" is the ABI version that
 * defined the bit; a host never offers a bit under an older version.
 */
/* 1.0: the notification-page protocol above; without it the host only
 * delivers held-back interrupts at the guest's next unrelated exit.
 */
#define PVABI_F_NOTIFY (1ull << 0)
/* 1.0: book-E registers are paravirtualised: arch.mas0..mas6, esr, pir. */
#define PVABI_F_BOOKE (1ull << 1)
/* 1.0: book3s-32 segment registers arch.sr[] (mtsrin, mfsrin). */
#define PVABI_F_SEGREGS (1ull << 2)
/* 1.0: the guest asks the host to patch it ("please patch me"); the host
 * does so only under the VM's patch policy.
 */
#define PVABI_F_HOST_PATCH (1ull << 3)
/* 1.0: tlbsync may be replaced by a no-op (uniprocessor or host-synced). */
#define PVABI_F_TLBSYNC_NOP (1ull << 4)
/* 1.0: SPRG4-7 are paravirtualised too, not only SPRG0-3. */
#define PVABI_F_SPRG4_7 (1ull << 5)
/* 1.1: the guest keeps delivery.critical at 0 outside every critical
 * section (templates leave by storing 0) and follows the nesting rule:
 * every exception entry, inside a section or not, saves critical and the
 * scratch slots on its own stack, stores 0 to critical with virtual
 * interrupts off, and restores both on return (docs/delivery.md).  A host without the guest's
 * registers (pvabi.ko serving QEMU) can then tell "inside" from the page
 * alone.  Not offered under 1.0.
 */
#define PVABI_F_NESTING (1ull << 6)
#define PVABI_F_ALL_1_0                                                        \
	(PVABI_F_NOTIFY | PVABI_F_BOOKE | PVABI_F_SEGREGS |                    \
	 PVABI_F_HOST_PATCH | PVABI_F_TLBSYNC_NOP | PVABI_F_SPRG4_7)
#define PVABI_F_ALL_1_1 (PVABI_F_ALL_1_0 | PVABI_F_NESTING)

/*
 * Hypercalls, ePAPR style: r11 holds PVABI_HCALL_TOKEN(nr), arguments in
 * r3..r8, status back in r3 (0 or a negative PVABI_E_* code), results in
 * r4...  The vendor id 0x5056 ("PV") is pvabi's own.
 */
#define PVABI_HCALL_VENDOR 0x5056u
#define PVABI_HCALL_TOKEN(nr) ((PVABI_HCALL_VENDOR << 16) | (nr))
/* (min_ver, max_ver, wanted, required, magic_gpa, notify_gpa) ->
 *   (major.minor, features); versions packed as (major << 16) | minor.
 */
#define PVABI_HC_NEGOTIATE 1
/* () -> (number of versions, features); the offer, for guests without DT. */
#define PVABI_HC_GET_OFFER 2
/* (index) -> (major << 16 | minor) of the index'th offered version. */
#define PVABI_HC_GET_VERSION 3
/* () -> (): an explicit exit on which the host delivers what is pending;
 * the same as a trapped doorbell store, for code that can't store.
 */
#define PVABI_HC_KICK 4
/* (text_gpa, len) -> (patched sites): "please patch me", PVABI_F_HOST_PATCH. */
#define PVABI_HC_PATCH_REQUEST 5

/* ---------------------------------------------------------------- header */
struct pvabi_header {
	pvabi_g32_t magic;      /* PVABI_MAGIC */
	pvabi_g16_t major;      /* negotiated major */
	pvabi_g16_t minor;      /* negotiated minor */
	pvabi_g32_t size;       /* bytes of this page in use for that minor */
	pvabi_u8 byte_order;    /* PVABI_BYTE_ORDER_* */
	pvabi_u8 reserved0[3];
	pvabi_g32_t generation; /* odd while the host rewrites host-owned
				 * fields; a reader retries if it changed
				 */
	pvabi_g32_t reserved1;
	pvabi_g64_t features;   /* negotiated PVABI_F_* */
	pvabi_g64_t magic_gpa;  /* where the guest mapped this page */
	pvabi_g64_t notify_gpa; /* where the guest mapped the notify page */
	pvabi_u8 reserved2[80];
};

/* ---------------------------------------------- delivery block (own line) */
struct pvabi_delivery {
	/* Guest writes r1 to enter a critical section, anything else to
	 * leave it.  Hostile: only ever compared, never dereferenced.
	 */
	pvabi_g64_t critical;
	/* Host sets non-zero while an interrupt waits for the guest. */
	pvabi_g32_t int_pending;
	/* Guest's virtual interrupt enable (MSR[EE] as the guest sees it):
	 * non-zero means on.  Mirrors arch.msr's EE bit.
	 */
	pvabi_g32_t irq_enabled;
	/* Host-maintained counters, for the guest's and the admin's eyes. */
	pvabi_g64_t delivered;    /* interrupts delivered */
	pvabi_g64_t deferred;     /* held back by a critical section */
	pvabi_g64_t notify_traps; /* doorbell stores that trapped */
	pvabi_g64_t forced;       /* delivered by the deferral bound */
	pvabi_u8 reserved[80];
};

/* ---------------------------------------- architected state (PowerPC) */
struct pvabi_arch {
	pvabi_g64_t msr;
	pvabi_g64_t srr0;
	pvabi_g64_t srr1;
	pvabi_g64_t dar;
	pvabi_g64_t sprg[8]; /* SPRG4-7 only with PVABI_F_SPRG4_7 */
	pvabi_g32_t dsisr;
	/* PVABI_F_BOOKE: */
	pvabi_g32_t esr;
	pvabi_g32_t pir;
	pvabi_g32_t mas0;
	pvabi_g32_t mas1;
	pvabi_g32_t mas4;
	pvabi_g64_t mas2;
	pvabi_g64_t mas7_3;
	pvabi_g32_t mas6;
	pvabi_g32_t reserved0;
	/* PVABI_F_SEGREGS: */
	pvabi_g32_t sr[16];
	pvabi_u8 reserved1[48];
};

#define PVABI_SCRATCH_SLOTS 16

/* ------------------------------------------------------------ magic page */
struct pvabi_magic_page {
	struct pvabi_header hdr;
	struct pvabi_delivery dlv;
	struct pvabi_arch arch;
	/* Register save slots for patch templates; the guest owns them. */
	pvabi_g64_t scratch[PVABI_SCRATCH_SLOTS];
	pvabi_u8 reserved[3456];
};

struct pvabi_notify_page {
	pvabi_g64_t doorbell; /* guest stores here after every critical section */
	pvabi_u8 reserved[4088];
};

/* Bytes in use in ABI 1.0 (header.size for a 1.0 guest). */
#define PVABI_SIZE_1_0 0x280u
/* 1.1 adds no field: the nesting rule keeps its saved state on the
 * guest's own stack, so the page in use is the same.
 */
#define PVABI_SIZE_1_1 PVABI_SIZE_1_0

/* MSR bits the templates may change without trapping (PowerPC: EE, RI). */
#define PVABI_MSR_EE (1ull << 15)
#define PVABI_MSR_RI (1ull << 1)
#define PVABI_MSR_PR (1ull << 14)
#define PVABI_MSR_SAFE_BITS (PVABI_MSR_EE | PVABI_MSR_RI)

/* The layout is the ABI: every offset is pinned here. */
#define PVABI_PIN(type, field, off)                                            \
	_Static_assert(__builtin_offsetof(type, field) == (off),               \
		       #type "." #field " moved")
PVABI_PIN(struct pvabi_magic_page, hdr.magic, 0x000);
PVABI_PIN(struct pvabi_magic_page, hdr.major, 0x004);
PVABI_PIN(struct pvabi_magic_page, hdr.minor, 0x006);
PVABI_PIN(struct pvabi_magic_page, hdr.size, 0x008);
PVABI_PIN(struct pvabi_magic_page, hdr.byte_order, 0x00c);
PVABI_PIN(struct pvabi_magic_page, hdr.reserved0, 0x00d);
PVABI_PIN(struct pvabi_magic_page, hdr.generation, 0x010);
PVABI_PIN(struct pvabi_magic_page, hdr.reserved1, 0x014);
PVABI_PIN(struct pvabi_magic_page, hdr.features, 0x018);
PVABI_PIN(struct pvabi_magic_page, hdr.magic_gpa, 0x020);
PVABI_PIN(struct pvabi_magic_page, hdr.notify_gpa, 0x028);
PVABI_PIN(struct pvabi_magic_page, hdr.reserved2, 0x030);
PVABI_PIN(struct pvabi_magic_page, dlv.critical, 0x080);
PVABI_PIN(struct pvabi_magic_page, dlv.int_pending, 0x088);
PVABI_PIN(struct pvabi_magic_page, dlv.irq_enabled, 0x08c);
PVABI_PIN(struct pvabi_magic_page, dlv.delivered, 0x090);
PVABI_PIN(struct pvabi_magic_page, dlv.deferred, 0x098);
PVABI_PIN(struct pvabi_magic_page, dlv.notify_traps, 0x0a0);
PVABI_PIN(struct pvabi_magic_page, dlv.forced, 0x0a8);
PVABI_PIN(struct pvabi_magic_page, dlv.reserved, 0x0b0);
PVABI_PIN(struct pvabi_magic_page, arch.msr, 0x100);
PVABI_PIN(struct pvabi_magic_page, arch.srr0, 0x108);
PVABI_PIN(struct pvabi_magic_page, arch.srr1, 0x110);
PVABI_PIN(struct pvabi_magic_page, arch.dar, 0x118);
PVABI_PIN(struct pvabi_magic_page, arch.sprg, 0x120);
PVABI_PIN(struct pvabi_magic_page, arch.dsisr, 0x160);
PVABI_PIN(struct pvabi_magic_page, arch.esr, 0x164);
PVABI_PIN(struct pvabi_magic_page, arch.pir, 0x168);
PVABI_PIN(struct pvabi_magic_page, arch.mas0, 0x16c);
PVABI_PIN(struct pvabi_magic_page, arch.mas1, 0x170);
PVABI_PIN(struct pvabi_magic_page, arch.mas4, 0x174);
PVABI_PIN(struct pvabi_magic_page, arch.mas2, 0x178);
PVABI_PIN(struct pvabi_magic_page, arch.mas7_3, 0x180);
PVABI_PIN(struct pvabi_magic_page, arch.mas6, 0x188);
PVABI_PIN(struct pvabi_magic_page, arch.reserved0, 0x18c);
PVABI_PIN(struct pvabi_magic_page, arch.sr, 0x190);
PVABI_PIN(struct pvabi_magic_page, arch.reserved1, 0x1d0);
PVABI_PIN(struct pvabi_magic_page, scratch, 0x200);
PVABI_PIN(struct pvabi_magic_page, reserved, 0x280);
PVABI_PIN(struct pvabi_notify_page, doorbell, 0x000);
PVABI_PIN(struct pvabi_notify_page, reserved, 0x008);
_Static_assert(sizeof(struct pvabi_header) == 128, "header size");
_Static_assert(sizeof(struct pvabi_delivery) == 128, "delivery block size");
_Static_assert(sizeof(struct pvabi_arch) == 256, "arch state size");
_Static_assert(sizeof(struct pvabi_magic_page) == PVABI_PAGE_SIZE,
	       "magic page size");
_Static_assert(sizeof(struct pvabi_notify_page) == PVABI_PAGE_SIZE,
	       "notify page size");
#undef PVABI_PIN

#endif /* PVABI_ABI_H */
