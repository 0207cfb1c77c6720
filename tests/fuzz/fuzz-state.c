// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Migration state streams, as they arrive from another host: arbitrary
 * bytes through pvabi_state_read().
 *
 * Each input is read twice: as it is (the header, the frame and the
 * checksum are what stop it), and with END's checksum made right, so that
 * the fuzzer reaches the records behind it.
 *
 * Invariants: the reader returns 0 or a known PVABI_E_* code; on a refusal
 * @why is one line and the caller's state is untouched; a stream that
 * loads fits its own version, and written again it loads again and writes
 * the same bytes (one encoding per state).
 */
#include "pvabi/pvabi.h"
#include "crc32c.h"
#include "fuzz.h"

static pvabi_u32 get32(int order, const uint8_t *p)
{
	pvabi_u32 v;

	memcpy(&v, p, 4);
	return order == PVABI_HOST_ORDER ? v : __builtin_bswap32(v);
}

/* Walk the top-level records as the frame check does and put the right
 * CRC32C into the first END.  False when there is no END to fix. */
static bool fix_checksum(uint8_t *s, size_t len)
{
	size_t off = PVABI_STATE_HEADER_SIZE;
	int order;

	if (len < PVABI_STATE_HEADER_SIZE ||
	    (s[8] != PVABI_LE && s[8] != PVABI_BE))
		return false;
	order = s[8];
	while (len - off >= 16) {
		pvabi_u32 type = get32(order, s + off);
		size_t body = get32(order, s + off + 4);

		if (type == PVABI_REC_END) {
			pvabi_u32 crc = pvabi_crc32c(0, s, off + 8);

			if (order != PVABI_HOST_ORDER)
				crc = __builtin_bswap32(crc);
			memcpy(s + off + 8, &crc, 4);
			return true;
		}
		body = (body + 7) & ~(size_t)7;
		if (body > len - off - 8)
			return false;
		off += 8 + body;
	}
	return false;
}

static void check(const uint8_t *data, size_t size)
{
	struct pvabi_state st = {.n_vcpus = 0xdead}, again;
	size_t whylen = 256;
	char *why = malloc(whylen);
	long n, m;
	uint8_t *out, *out2;
	int err;

	if (!why)
		abort();
	err = pvabi_state_read(data, size, &st, why, whylen);
	if (err) {
		FUZZ_ASSERT(err < 0 && err > PVABI_E_MIN);
		FUZZ_ASSERT(strcmp(pvabi_errname(err), "unknown"));
		fuzz_check_why(why, whylen);
		FUZZ_ASSERT(*why && !strchr(why, '\n'));
		FUZZ_ASSERT(st.n_vcpus == 0xdead && !st.vcpus);
		free(why);
		return;
	}
	FUZZ_ASSERT(st.n_vcpus >= 1 && st.n_vcpus <= PVABI_STATE_MAX_VCPUS);
	FUZZ_ASSERT(pvabi_state_fits(&st, st.version, why, whylen) == 0);
	n = pvabi_state_size(&st, st.version);
	FUZZ_ASSERT(n > 0 && (size_t)n <= size);
	out = malloc((size_t)n);
	out2 = malloc((size_t)n);
	if (!out || !out2)
		abort();
	FUZZ_ASSERT(pvabi_state_write(&st, st.version, st.order, out, (size_t)n,
				      why, whylen) == n);
	FUZZ_ASSERT(pvabi_state_read(out, (size_t)n, &again, why, whylen) == 0);
	m = pvabi_state_write(&again, again.version, again.order, out2,
			      (size_t)n, why, whylen);
	FUZZ_ASSERT(m == n && !memcmp(out, out2, (size_t)n));
	pvabi_state_free(&again);
	pvabi_state_free(&st);
	free(out);
	free(out2);
	free(why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);

	if (!copy)
		abort();
	check(data, size);
	memcpy(copy, data, size);
	if (fix_checksum(copy, size))
		check(copy, size);
	free(copy);
	return 0;
}
