#!/bin/bash
# The delivery state machine builds without libc: the kernel module
# compiles libpvabi/delivery.c unchanged, so it may call nothing.
set -e
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
plan 2
CC=${CC:-cc}

rc=0
$CC -std=gnu11 -ffreestanding -fno-builtin -fno-stack-protector -O2 \
	-Wall -Wextra -Werror -I"$top_srcdir/libpvabi/include" \
	-I"$top_srcdir/libpvabi" -c "$top_srcdir/libpvabi/delivery.c" \
	-o "$TMP/delivery.o" || rc=$?
ok $rc "delivery.c compiles freestanding"
is "$(nm -u "$TMP/delivery.o" 2>&1)" "" "and calls no outside symbol"
done_testing
