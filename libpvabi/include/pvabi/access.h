/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * pvabi/access.h - read and write magic-page fields in the guest's byte order.
 *
 * Freestanding, like pvabi/abi.h.  The byte order is an argument, never read
 * back from the page: the host records it at negotiation, and a guest that
 * later scribbles over header.byte_order changes nothing.
 *
 * Loads and stores are single-copy atomic (relaxed): each field is naturally
 * aligned and the other side may write it at any time.  Ordering between
 * fields is the caller's business (see pvabi/delivery.h).
 */
#ifndef PVABI_ACCESS_H
#define PVABI_ACCESS_H

#include "abi.h"

enum pvabi_byte_order {
	PVABI_LE = PVABI_BYTE_ORDER_LITTLE,
	PVABI_BE = PVABI_BYTE_ORDER_BIG,
};

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define PVABI_HOST_ORDER PVABI_BE
#define PVABI_SWAPPED_ORDER PVABI_LE
#else
#define PVABI_HOST_ORDER PVABI_LE
#define PVABI_SWAPPED_ORDER PVABI_BE
#endif

#ifdef __CHECKER__
#define __pvabi_force __attribute__((force))
#else
#define __pvabi_force
#endif

/*
 * Relaxed single-copy atomic access; the kernel module supplies its own
 * (READ_ONCE/WRITE_ONCE, kmod/pvabi_compat.h).
 */
#ifndef PVABI_LOAD_RELAXED
#define PVABI_LOAD_RELAXED(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define PVABI_STORE_RELAXED(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#endif

static inline pvabi_u16 pvabi_ld16(enum pvabi_byte_order bo,
				   const pvabi_g16_t *p)
{
	pvabi_u16 v = PVABI_LOAD_RELAXED((__pvabi_force const pvabi_u16 *)p);
	return bo == PVABI_HOST_ORDER ? v : __builtin_bswap16(v);
}

static inline pvabi_u32 pvabi_ld32(enum pvabi_byte_order bo,
				   const pvabi_g32_t *p)
{
	pvabi_u32 v = PVABI_LOAD_RELAXED((__pvabi_force const pvabi_u32 *)p);
	return bo == PVABI_HOST_ORDER ? v : __builtin_bswap32(v);
}

static inline pvabi_u64 pvabi_ld64(enum pvabi_byte_order bo,
				   const pvabi_g64_t *p)
{
	pvabi_u64 v = PVABI_LOAD_RELAXED((__pvabi_force const pvabi_u64 *)p);
	return bo == PVABI_HOST_ORDER ? v : __builtin_bswap64(v);
}

static inline void pvabi_st16(enum pvabi_byte_order bo, pvabi_g16_t *p,
			      pvabi_u16 v)
{
	if (bo != PVABI_HOST_ORDER)
		v = __builtin_bswap16(v);
	PVABI_STORE_RELAXED((__pvabi_force pvabi_u16 *)p, v);
}

static inline void pvabi_st32(enum pvabi_byte_order bo, pvabi_g32_t *p,
			      pvabi_u32 v)
{
	if (bo != PVABI_HOST_ORDER)
		v = __builtin_bswap32(v);
	PVABI_STORE_RELAXED((__pvabi_force pvabi_u32 *)p, v);
}

static inline void pvabi_st64(enum pvabi_byte_order bo, pvabi_g64_t *p,
			      pvabi_u64 v)
{
	if (bo != PVABI_HOST_ORDER)
		v = __builtin_bswap64(v);
	PVABI_STORE_RELAXED((__pvabi_force pvabi_u64 *)p, v);
}

/*
 * pvabi_page_order - the byte order a page's header claims, from its magic.
 * Returns PVABI_LE or PVABI_BE when the magic and the byte_order byte agree,
 * 0 when they do not (not a pvabi page, or a torn/hostile header).
 */
static inline int pvabi_page_order(const struct pvabi_magic_page *pg)
{
	pvabi_u32 m = PVABI_LOAD_RELAXED((__pvabi_force const pvabi_u32 *)
					 &pg->hdr.magic);
	pvabi_u8 bo = PVABI_LOAD_RELAXED(&pg->hdr.byte_order);
	int by_magic;

	if (m == PVABI_MAGIC)
		by_magic = PVABI_HOST_ORDER;
	else if (m == PVABI_MAGIC_SWAPPED)
		by_magic = PVABI_SWAPPED_ORDER;
	else
		return 0;
	return by_magic == bo ? by_magic : 0;
}

#endif /* PVABI_ACCESS_H */
