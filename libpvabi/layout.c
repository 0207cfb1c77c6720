// SPDX-License-Identifier: LGPL-2.1-or-later
/* The field and feature tables, built from abi.h with offsetof so they can't
 * disagree with it; tests check them against schemas/abi-v1.json. */
#include <stddef.h>

#include "pvabi/pvabi.h"
#include "export.h"

/* clang-format would fold these into unreadable braces. */
// clang-format off
#define V1_0 { 1, 0 }
#define V1_1 { 1, 1 }
#define MAGIC_ENTRY(m, feat, rsv)					\
	{ #m, offsetof(struct pvabi_magic_page, m),			\
	  sizeof(((struct pvabi_magic_page *)0)->m), V1_0, feat, false, rsv }
#define FIELD(m, feat)	MAGIC_ENTRY(m, feat, false)
#define RESERVED(m)	MAGIC_ENTRY(m, 0, true)
// clang-format on

static const struct pvabi_field fields[] = {
	FIELD(hdr.magic, 0),
	FIELD(hdr.major, 0),
	FIELD(hdr.minor, 0),
	FIELD(hdr.size, 0),
	FIELD(hdr.byte_order, 0),
	RESERVED(hdr.reserved0),
	FIELD(hdr.generation, 0),
	RESERVED(hdr.reserved1),
	FIELD(hdr.features, 0),
	FIELD(hdr.magic_gpa, 0),
	FIELD(hdr.notify_gpa, 0),
	RESERVED(hdr.reserved2),
	FIELD(dlv.critical, 0),
	FIELD(dlv.int_pending, 0),
	FIELD(dlv.irq_enabled, 0),
	FIELD(dlv.delivered, 0),
	FIELD(dlv.deferred, 0),
	FIELD(dlv.notify_traps, 0),
	FIELD(dlv.forced, 0),
	RESERVED(dlv.reserved),
	FIELD(arch.msr, 0),
	FIELD(arch.srr0, 0),
	FIELD(arch.srr1, 0),
	FIELD(arch.dar, 0),
	FIELD(arch.sprg, 0),
	FIELD(arch.dsisr, 0),
	FIELD(arch.esr, PVABI_F_BOOKE),
	FIELD(arch.pir, PVABI_F_BOOKE),
	FIELD(arch.mas0, PVABI_F_BOOKE),
	FIELD(arch.mas1, PVABI_F_BOOKE),
	FIELD(arch.mas4, PVABI_F_BOOKE),
	FIELD(arch.mas2, PVABI_F_BOOKE),
	FIELD(arch.mas7_3, PVABI_F_BOOKE),
	FIELD(arch.mas6, PVABI_F_BOOKE),
	RESERVED(arch.reserved0),
	FIELD(arch.sr, PVABI_F_SEGREGS),
	RESERVED(arch.reserved1),
	FIELD(scratch, 0),
	RESERVED(reserved),
	{"notify.doorbell", offsetof(struct pvabi_notify_page, doorbell),
	 sizeof(((struct pvabi_notify_page *)0)->doorbell), V1_0,
	 PVABI_F_NOTIFY, true, false},
	{"notify.reserved", offsetof(struct pvabi_notify_page, reserved),
	 sizeof(((struct pvabi_notify_page *)0)->reserved), V1_0, 0, true,
	 true},
};

PVABI_EXPORT const struct pvabi_field *pvabi_layout(size_t *n)
{
	*n = sizeof(fields) / sizeof(fields[0]);
	return fields;
}

static const struct pvabi_feature_info features[] = {
	{"notify", PVABI_F_NOTIFY, V1_0,
	 "notification page: held-back interrupts trap on the next store"},
	{"booke", PVABI_F_BOOKE, V1_0, "book-E MAS, ESR and PIR registers"},
	{"segregs", PVABI_F_SEGREGS, V1_0,
	 "book3s-32 segment registers (mtsrin/mfsrin)"},
	{"host-patch", PVABI_F_HOST_PATCH, V1_0,
	 "the guest may ask the host to patch it"},
	{"tlbsync-nop", PVABI_F_TLBSYNC_NOP, V1_0,
	 "tlbsync may become a no-op"},
	{"sprg4-7", PVABI_F_SPRG4_7, V1_0, "SPRG4-7 in the magic page"},
	{"nesting", PVABI_F_NESTING, V1_1,
	 "critical is 0 outside sections; exceptions follow the nesting rule"},
};

_Static_assert(sizeof(features) / sizeof(features[0]) == 7,
	       "every PVABI_F_* bit of 1.1 has a name");

PVABI_EXPORT const struct pvabi_feature_info *pvabi_features(size_t *n)
{
	*n = sizeof(features) / sizeof(features[0]);
	return features;
}
