// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The magic page as the host reads it: arbitrary bytes, as a hostile guest
 * may leave them, through pvabi_page_order() and the pvabi/access.h
 * accessors, for every field of pvabi_layout().
 *
 * Invariants: pvabi_page_order() answers 0, PVABI_LE or PVABI_BE, and a
 * byte order only when the magic reads back as PVABI_MAGIC in it and the
 * byte_order byte names it; every field lies inside its page; a field read
 * in one order is the byte swap of the other; storing back what was read
 * changes no byte.
 */
#include <stdbool.h>

#include "pvabi/pvabi.h"
#include "fuzz.h"

static pvabi_u64 load(enum pvabi_byte_order bo, const void *p, unsigned size)
{
	switch (size) {
	case 2: return pvabi_ld16(bo, p);
	case 4: return pvabi_ld32(bo, p);
	default: return pvabi_ld64(bo, p);
	}
}

static pvabi_u64 swap(pvabi_u64 v, unsigned size)
{
	switch (size) {
	case 2: return __builtin_bswap16((pvabi_u16)v);
	case 4: return __builtin_bswap32((pvabi_u32)v);
	default: return __builtin_bswap64(v);
	}
}

static void store(enum pvabi_byte_order bo, void *p, unsigned size, pvabi_u64 v)
{
	switch (size) {
	case 2: pvabi_st16(bo, p, (pvabi_u16)v); break;
	case 4: pvabi_st32(bo, p, (pvabi_u32)v); break;
	default: pvabi_st64(bo, p, v); break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pvabi_magic_page *pg =
		aligned_alloc(PVABI_PAGE_SIZE, sizeof(*pg));
	uint8_t *bytes = (uint8_t *)pg, before[PVABI_PAGE_SIZE];
	const struct pvabi_field *f;
	size_t n;
	int bo;

	if (!pg)
		abort();
	memset(pg, 0, sizeof(*pg));
	memcpy(pg, data, size < sizeof(*pg) ? size : sizeof(*pg));
	memcpy(before, pg, sizeof(before));

	bo = pvabi_page_order(pg);
	FUZZ_ASSERT(bo == 0 || bo == PVABI_LE || bo == PVABI_BE);
	if (bo) {
		FUZZ_ASSERT(pvabi_ld32(bo, &pg->hdr.magic) == PVABI_MAGIC);
		FUZZ_ASSERT(pg->hdr.byte_order == bo);
	}

	f = pvabi_layout(&n);
	for (size_t i = 0; i < n; i++) {
		unsigned sz = f[i].size;
		void *p = bytes + f[i].offset;
		pvabi_u64 le, be;

		FUZZ_ASSERT(f[i].offset + (size_t)sz <= PVABI_PAGE_SIZE);
		if (f[i].notify_page || f[i].reserved ||
		    (sz != 2 && sz != 4 && sz != 8))
			continue;
		FUZZ_ASSERT(f[i].offset % sz == 0);
		le = load(PVABI_LE, p, sz);
		be = load(PVABI_BE, p, sz);
		FUZZ_ASSERT(le == swap(be, sz));
		store(PVABI_LE, p, sz, le);
		store(PVABI_BE, p, sz, be);
	}
	FUZZ_ASSERT(!memcmp(before, pg, sizeof(before)));
	free(pg);
	return 0;
}
