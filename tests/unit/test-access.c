// SPDX-License-Identifier: GPL-2.0-or-later
/* Byte-order accessors: a big-endian guest page on this little-endian host. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "pvabi/pvabi.h"

static struct pvabi_magic_page page __attribute__((aligned(4096)));

static void test_big_endian_page(void **state)
{
	const unsigned char *raw = (const unsigned char *)&page;

	memset(&page, 0, sizeof(page));
	pvabi_st32(PVABI_BE, &page.hdr.magic, PVABI_MAGIC);
	page.hdr.byte_order = PVABI_BYTE_ORDER_BIG;
	pvabi_st16(PVABI_BE, &page.hdr.major, 1);
	pvabi_st64(PVABI_BE, &page.dlv.critical, 0x0123456789abcdefull);
	pvabi_st64(PVABI_BE, &page.arch.msr, PVABI_MSR_EE);

	/* The bytes are big-endian whatever the host is. */
	assert_memory_equal(raw, "PVAB", 4);
	assert_int_equal(raw[4], 0);
	assert_int_equal(raw[5], 1);
	assert_memory_equal(raw + 0x80, "\x01\x23\x45\x67\x89\xab\xcd\xef", 8);
	assert_memory_equal(raw + 0x100, "\0\0\0\0\0\0\x80\0", 8);

	assert_int_equal(pvabi_page_order(&page), PVABI_BE);
	assert_int_equal(pvabi_ld16(PVABI_BE, &page.hdr.major), 1);
	assert_int_equal(pvabi_ld64(PVABI_BE, &page.dlv.critical),
			 0x0123456789abcdefull);
	assert_int_equal(pvabi_ld64(PVABI_LE, &page.dlv.critical),
			 0xefcdab8967452301ull);
	assert_int_equal(pvabi_ld32(PVABI_BE, &page.hdr.magic), PVABI_MAGIC);
}

static void test_little_endian_page(void **state)
{
	const unsigned char *raw = (const unsigned char *)&page;

	memset(&page, 0, sizeof(page));
	pvabi_st32(PVABI_LE, &page.hdr.magic, PVABI_MAGIC);
	page.hdr.byte_order = PVABI_BYTE_ORDER_LITTLE;
	pvabi_st32(PVABI_LE, &page.dlv.int_pending, 0x01020304);
	assert_memory_equal(raw, "BAVP", 4);
	assert_memory_equal(raw + 0x88, "\x04\x03\x02\x01", 4);
	assert_int_equal(pvabi_page_order(&page), PVABI_LE);
	assert_int_equal(pvabi_ld32(PVABI_LE, &page.dlv.int_pending),
			 0x01020304);
}

static void test_inconsistent_header(void **state)
{
	memset(&page, 0, sizeof(page));
	assert_int_equal(pvabi_page_order(&page), 0);
	/* Magic says big-endian, the byte says little: not trusted. */
	pvabi_st32(PVABI_BE, &page.hdr.magic, PVABI_MAGIC);
	page.hdr.byte_order = PVABI_BYTE_ORDER_LITTLE;
	assert_int_equal(pvabi_page_order(&page), 0);
	page.hdr.byte_order = 7;
	assert_int_equal(pvabi_page_order(&page), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_big_endian_page),
		cmocka_unit_test(test_little_endian_page),
		cmocka_unit_test(test_inconsistent_header),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
