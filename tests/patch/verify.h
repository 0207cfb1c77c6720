/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * verify.h: the rewriter's invariants, checked after pvabi_patch_code() by
 * the unit test and the fuzz harness alike.
 *
 * - A word that changed is an I-form branch into the template area, at
 *   a template that the rewriter wrote (inside area->used).
 * - Every branch in that template that leaves the area goes to the word
 *   after the site, and there is at least one; no two sites share one.
 * - Words that did not decode as sites are untouched.
 * Returns the number of rewritten sites, or -1 with a message on stderr.
 */
#ifndef PVABI_TEST_VERIFY_H
#define PVABI_TEST_VERIFY_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvabi/pvabi.h"
#include "pvabi/patch.h"

static inline uint32_t vfy_word(const unsigned char *p, bool le)
{
	return le ? (uint32_t)p[0] | (uint32_t)p[1] << 8 |
			       (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24
		  : (uint32_t)p[3] | (uint32_t)p[2] << 8 |
			       (uint32_t)p[1] << 16 | (uint32_t)p[0] << 24;
}

/* The target of an I-form "b" (AA=0, LK=0) at @at, or false. */
static inline bool vfy_branch(uint32_t w, uint64_t at, uint64_t *to)
{
	int32_t li;

	if ((w & 0xfc000003u) != 0x48000000u)
		return false;
	li = (int32_t)((w & 0x03fffffcu) << 6) >> 6;
	*to = at + (uint64_t)(int64_t)li;
	return true;
}

struct vfy_site {
	uint64_t site, tpl;
};

static inline int vfy_cmp(const void *a, const void *b)
{
	const struct vfy_site *x = a, *y = b;

	return x->tpl < y->tpl ? -1 : x->tpl > y->tpl;
}

static inline long vfy_patch(const struct pvabi_patch_config *cfg,
			     const struct pvabi_patch_area *area,
			     const unsigned char *before,
			     const unsigned char *after, unsigned long len,
			     uint64_t addr)
{
	bool le = cfg->arch == PVABI_PPC64LE;
	const unsigned char *abuf = area->buf;
	struct vfy_site *s = malloc((len / 4 + 1) * sizeof(*s));
	long n = 0;

	if (!s)
		abort();
	for (unsigned long off = 0; off + 4 <= len; off += 4) {
		uint32_t was = vfy_word(before + off, le);
		uint32_t now = vfy_word(after + off, le);
		uint64_t tpl;

		if (was == now)
			continue;
		if (!pvabi_ppc_decode(was, cfg->features, NULL)) {
			fprintf(stderr,
				"0x%llx: 0x%08x is no site but changed\n",
				(unsigned long long)(addr + off), was);
			goto bad;
		}
		if (!vfy_branch(now, addr + off, &tpl) ||
		    tpl - area->addr >= area->used) {
			fprintf(stderr,
				"0x%llx: 0x%08x is no branch into the area\n",
				(unsigned long long)(addr + off), now);
			goto bad;
		}
		s[n++] = (struct vfy_site){addr + off, tpl};
	}
	/* Templates are laid out one after the other: each one ends where
	 * the next begins, and every branch in it that leaves the area
	 * returns to the word after its site. */
	qsort(s, (size_t)n, sizeof(*s), vfy_cmp);
	for (long i = 0; i < n; i++) {
		uint64_t end =
			i + 1 < n ? s[i + 1].tpl : area->addr + area->used;
		int back = 0;

		if (i + 1 < n && s[i + 1].tpl == s[i].tpl) {
			fprintf(stderr, "0x%llx: shares its template\n",
				(unsigned long long)s[i].site);
			goto bad;
		}
		for (uint64_t t = s[i].tpl; t + 4 <= end; t += 4) {
			uint64_t to;

			if (!vfy_branch(vfy_word(abuf + (t - area->addr), le),
					t, &to) ||
			    to - area->addr < area->size)
				continue;
			if (to != s[i].site + 4) {
				fprintf(stderr,
					"0x%llx: template branches to 0x%llx\n",
					(unsigned long long)s[i].site,
					(unsigned long long)to);
				goto bad;
			}
			back++;
		}
		if (!back) {
			fprintf(stderr,
				"0x%llx: template never branches back\n",
				(unsigned long long)s[i].site);
			goto bad;
		}
	}
	free(s);
	return n;
bad:
	free(s);
	return -1;
}

#endif
