// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The edit of pvabi's device in a libvirt domain (libpvctl/shmem.c) on
 * arbitrary bytes.
 *
 * The first byte picks what to do (leave, ensure, remove), the second
 * sizes the @why buffer; the rest is the domain XML.
 *
 * Invariants: a refusal writes nothing and leaves a message in @why; an
 * ensured domain holds exactly one canonical device and ensuring it again
 * changes nothing, byte for byte; a removed one holds none of ours and
 * removing again changes nothing.
 */
#include "../../libpvctl/shmem.h"
#include "fuzz.h"

static struct pvctl_shmem_result again(const char *xml,
				       enum pvctl_shmem_want want, char **out)
{
	struct pvctl_shmem_result res;

	FUZZ_ASSERT(pvctl_shmem_edit(xml, strlen(xml), NULL, want, out, &res,
				     NULL, 0) == 0);
	return res;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = {data, size};
	enum pvctl_shmem_want want =
		(enum pvctl_shmem_want)(fuzz_take(&in, 1) % 3);
	size_t wl = (size_t)fuzz_take(&in, 1) % 300;
	struct pvctl_shmem_result res, r2;
	char *why = malloc(wl ? wl : 1), *out = NULL, *out2 = NULL;
	int err;

	err = pvctl_shmem_edit((const char *)in.p, in.left, NULL, want, &out,
			       &res, wl ? why : NULL, wl);
	if (err) {
		FUZZ_ASSERT(err < 0);
		FUZZ_ASSERT(!out);
		if (err != PVABI_E_NOMEM)
			fuzz_check_why(why, wl);
	} else if (want == PVCTL_SHMEM_ENSURE) {
		r2 = again(out, PVCTL_SHMEM_ENSURE, &out2);
		FUZZ_ASSERT(r2.canonical && r2.ours == 1 && !r2.device_changed);
		FUZZ_ASSERT(!strcmp(out, out2));
	} else if (want == PVCTL_SHMEM_REMOVE) {
		r2 = again(out, PVCTL_SHMEM_REMOVE, &out2);
		FUZZ_ASSERT(r2.ours == 0 && !r2.device_changed);
		FUZZ_ASSERT(!strcmp(out, out2));
	}
	free(out2);
	free(out);
	free(why);
	return 0;
}
