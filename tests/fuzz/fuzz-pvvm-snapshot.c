// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz-pvvm-snapshot.c - pvvm's snapshot validation on arbitrary bytes.
 *
 * Build: clang -fsanitize=fuzzer,address,undefined -Ilibpvabi/include
 *        -Ilibpvabi -Itools/pvvm -include config.h with this file,
 *        tools/pvvm/vmm/snapshot_check.c and every libpvabi/ source, -lfdt
 * Invariant: refused input gives a one-line reason; nothing crashes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/snapshot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[256] = "";
	int r = snapshot__check(data, size, why, sizeof(why));

	if (r && (!why[0] || strchr(why, '\n')))
		abort();
	return 0;
}
