/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared by the libFuzzer harnesses: an assertion that libFuzzer records as
 * a crash (with the input that caused it), and a reader that turns the
 * fuzzer's bytes into structured values.
 */
#ifndef PVABI_FUZZ_H
#define PVABI_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant of the parser under test; abort() makes libFuzzer keep the
 * input as a crash reproducer. */
#define FUZZ_ASSERT(cond)                                                      \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: invariant broken: %s\n",       \
				__FILE__, __LINE__, #cond);                    \
			abort();                                               \
		}                                                              \
	} while (0)

/* An exact-size, aligned copy of the input (the caller frees it), for
 * parsers that take a struct pointer: ASan catches any read past it.  NULL
 * for an input over 64 KiB (no netlink message is longer) or no memory. */
static inline void *fuzz_copy(const uint8_t *data, size_t size)
{
	void *p = size <= 65536 ? malloc(size ? size : 1) : NULL;

	if (p)
		memcpy(p, data, size);
	return p;
}

/* Consumes the input front to back; past the end it reads zeros. */
struct fuzz_input {
	const uint8_t *p;
	size_t left;
};

static inline uint64_t fuzz_take(struct fuzz_input *in, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++) {
		v <<= 8;
		if (in->left) {
			v |= *in->p++;
			in->left--;
		}
	}
	return v;
}

/* A copy of the rest of the input as a NUL-terminated string, in its own
 * allocation so that ASan sees any read past its end.  Free it. */
static inline char *fuzz_take_string(struct fuzz_input *in)
{
	char *s = malloc(in->left + 1);

	if (!s)
		abort();
	memcpy(s, in->p, in->left);
	s[in->left] = '\0';
	in->p += in->left;
	in->left = 0;
	return s;
}

/* A @why buffer as the parsers take it: exactly @len bytes on the heap.
 * After the call it must hold a NUL-terminated string. */
static inline void fuzz_check_why(const char *why, size_t len)
{
	if (!len)
		return;
	FUZZ_ASSERT(memchr(why, '\0', len));
}

#endif
