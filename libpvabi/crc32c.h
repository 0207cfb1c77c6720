/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * CRC32C (Castagnoli, as iSCSI, ext4 and btrfs use it): the state stream's
 * checksum.  Chosen over zlib's CRC-32 because x86 (SSE4.2) and arm64 (ARMv8
 * CRC) compute it in hardware, which is what keeps a save+load within a few
 * page copies (make bench), and because its polynomial detects more bit
 * errors at the stream's lengths.  Internal to libpvabi; not exported.
 */
#ifndef PVABI_CRC32C_H
#define PVABI_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* zlib-style: start with crc 0, feed the result back to continue. */
uint32_t pvabi_crc32c(uint32_t crc, const void *buf, size_t len);

/* The portable table-driven version, used where ISA-L is missing and by
 * the unit test as the reference. */
uint32_t pvabi_crc32c_sw(uint32_t crc, const void *buf, size_t len);

#endif
