// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * snapshot_check.c - validate a snapshot file before anything is used
 * (snapshot.h).  No KVM, no allocation: the fuzz harness
 * tests/fuzz/fuzz-pvvm-snapshot.c runs it on arbitrary bytes.
 */
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "snapshot.h"

static _Alignas(
	16) unsigned char snapshot_scratch[sizeof(struct pvvm_snap_vcpu)];

static int bad(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bad(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int check_header(const struct pvvm_snap_header *h, size_t size,
			char *why, size_t len)
{
	if (memcmp(h->magic, PVVM_SNAP_MAGIC, sizeof(h->magic)))
		return bad(why, len, "not a pvvm snapshot (bad magic)");
	if (h->version != PVVM_SNAP_VERSION)
		return bad(why, len, "snapshot version %u, this pvvm reads 1",
			   h->version);
	if (h->nr_vcpus < 1 || h->nr_vcpus > PVVM_MAX_VCPUS)
		return bad(why, len, "%u vCPUs", h->nr_vcpus);
	if (h->ram_size != PVVM_RAM_SIZE)
		return bad(why, len, "RAM size %" PRIu64, h->ram_size);
	if (h->vcpu_size != sizeof(struct pvvm_snap_vcpu))
		return bad(why, len, "vCPU record of %u bytes", h->vcpu_size);
	if (size < sizeof(*h) + (size_t)h->nr_vcpus * h->vcpu_size)
		return bad(why, len,
			   "file of %zu bytes: truncated or oversized", size);
	if (h->point < PVVM_SNAP_AT_CRITICAL || h->point > PVVM_SNAP_AT_EXITS)
		return bad(why, len, "unknown stop point %u", h->point);
	if (pvabi_offer_check(&h->offer))
		return bad(why, len, "invalid offer");
	if (h->dlv_cfg.flags & ~PVABI_DLV_CFG_ALL)
		return bad(why, len, "delivery flags 0x%x", h->dlv_cfg.flags);
	if (h->arm > PVVM_ARM_READONLY || h->reserved)
		return bad(why, len, "arm mode %u", h->arm);
	return 0;
}

static int check_vcpu(const struct pvvm_snap_vcpu *s, uint32_t id,
		      const struct pvabi_offer *offer, char *why, size_t len)
{
	struct pvabi_request req;
	struct pvabi_result res;

	if (s->id != id)
		return bad(why, len, "vCPU record %u out of order", id);
	if ((s->flags & ~PVVM_SNAP_ALL) || s->reserved ||
	    ((s->flags & PVVM_SNAP_NOTIFY) && !(s->flags & PVVM_SNAP_PV)))
		return bad(why, len, "vCPU %u: bad flags", id);
	if (!(s->flags & PVVM_SNAP_PV))
		return 0;
	/* Negotiating it again checks version, features and addresses. */
	memset(&req, 0, sizeof(req));
	req.min = req.max = s->version;
	req.wanted = req.required = s->features;
	req.magic_gpa = s->magic_gpa;
	req.notify_gpa = s->notify_gpa;
	if (pvabi_negotiate(offer, &req, &res) ||
	    pvabi_version_cmp(res.version, s->version) ||
	    res.features != s->features ||
	    !(s->features & PVABI_F_NOTIFY) != !(s->flags & PVVM_SNAP_NOTIFY))
		return bad(why, len,
			   "vCPU %u: negotiated state the offer refuses", id);
	return 0;
}

int snapshot__check(const uint8_t *buf, size_t size, char *why, size_t len)
{
	struct pvvm_snap_header h;
	struct pvvm_snap_vcpu *s;
	int r;

	if (size < sizeof(h))
		return bad(why, len, "%zu bytes, too short for a snapshot",
			   size);
	memcpy(&h, buf, sizeof(h));
	r = check_header(&h, size, why, len);
	if (r)
		return r;
	/* A copy: the buffer need not be aligned for the struct. */
	s = (struct pvvm_snap_vcpu *)snapshot_scratch;
	for (uint32_t i = 0; !r && i < h.nr_vcpus; i++) {
		memcpy(s, buf + sizeof(h) + (size_t)i * h.vcpu_size,
		       sizeof(*s));
		r = check_vcpu(s, i, &h.offer, why, len);
	}
	if (!r &&
	    size != sizeof(h) + (size_t)h.nr_vcpus * h.vcpu_size + h.ram_size)
		r = bad(why, len, "file of %zu bytes: truncated or oversized",
			size);
	return r;
}
