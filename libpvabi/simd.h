/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * 64-byte blocks in plain vector code (GCC's and clang's vector
 * extensions), for the loops that read every byte of a page or of a
 * kernel's text: GCC builds a function marked WIDEST_CLONES once per
 * register width and an ifunc picks the widest the CPU has at load time.
 * Elsewhere the same code is compiled for the baseline ISA.
 */
#ifndef PVABI_SIMD_H
#define PVABI_SIMD_H

#include "pvabi/pvabi.h"

typedef pvabi_u64 block64 __attribute__((vector_size(64)));
typedef pvabi_u64 block32 __attribute__((vector_size(32)));
typedef pvabi_u64 block16 __attribute__((vector_size(16)));

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define WIDEST_CLONES                                                          \
	__attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define WIDEST_CLONES
#endif

/*
 * Whether every bit of the block64 @b is zero.  A macro, not a function: a
 * 64-byte vector argument or return value would have an ABI that depends
 * on the clone (GCC's -Wpsabi).  Folded in halves (512 to 256 to 128
 * bits), not word by word: the horizontal OR is what a step costs beyond
 * its loads.
 */
#define BLOCK_ZERO(b)                                                          \
	__extension__({                                                        \
		block32 h_ = __builtin_shufflevector((b), (b), 0, 1, 2, 3) |   \
			     __builtin_shufflevector((b), (b), 4, 5, 6, 7);    \
		block16 q_ = __builtin_shufflevector(h_, h_, 0, 1) |           \
			     __builtin_shufflevector(h_, h_, 2, 3);            \
		!(q_[0] | q_[1]);                                              \
	})

#endif
