// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * snapshot_check.c - validate a snapshot file before anything is used
 * (snapshot.h).  No KVM: the fuzz harness
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

int snapshot__refuse(char *why, size_t len, const char *fmt, ...)
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
		return snapshot__refuse(why, len,
					"not a pvvm snapshot (bad magic)");
	if (h->version != PVVM_SNAP_VERSION)
		return snapshot__refuse(
			why, len, "snapshot version %u, this pvvm reads %u",
			h->version, PVVM_SNAP_VERSION);
	if (h->nr_vcpus < 1 || h->nr_vcpus > PVVM_MAX_VCPUS)
		return snapshot__refuse(why, len, "%u vCPUs", h->nr_vcpus);
	if (h->ram_size != PVVM_RAM_SIZE)
		return snapshot__refuse(why, len, "RAM size %" PRIu64,
					h->ram_size);
	if (h->vcpu_size != sizeof(struct pvvm_snap_vcpu))
		return snapshot__refuse(why, len, "vCPU record of %u bytes",
					h->vcpu_size);
	/* What the checks below read; the RAM's share is checked last. */
	if (h->pvabi_len > size ||
	    size < sizeof(*h) + (size_t)h->nr_vcpus * h->vcpu_size +
			    h->pvabi_len)
		return snapshot__refuse(
			why, len, "file of %zu bytes: truncated or oversized",
			size);
	if (h->point < PVVM_SNAP_AT_CRITICAL || h->point > PVVM_SNAP_AT_EXITS)
		return snapshot__refuse(why, len, "unknown stop point %u",
					h->point);
	if (pvabi_offer_check(&h->offer))
		return snapshot__refuse(why, len, "invalid offer");
	if (h->dlv_cfg.flags & ~PVABI_DLV_CFG_ALL)
		return snapshot__refuse(why, len, "delivery flags 0x%x",
					h->dlv_cfg.flags);
	if (h->arm > PVVM_ARM_READONLY || h->reserved)
		return snapshot__refuse(why, len, "arm mode %u", h->arm);
	return 0;
}

static int check_vcpu(const struct pvvm_snap_vcpu *s,
		      const struct pvabi_state_vcpu *pv, uint32_t id,
		      const struct pvabi_offer *offer, char *why, size_t len)
{
	struct pvabi_request req;
	struct pvabi_result res;

	if (s->id != id)
		return snapshot__refuse(why, len, "vCPU record %u out of order",
					id);
	if ((s->flags & ~PVVM_SNAP_ALL) ||
	    ((s->flags & PVVM_SNAP_NOTIFY) && !(s->flags & PVVM_SNAP_PV)))
		return snapshot__refuse(why, len, "vCPU %u: bad flags", id);
	if (pv->page_order != PVABI_LE)
		return snapshot__refuse(
			why, len, "vCPU %u: a big-endian page for an x86 guest",
			id);
	if (!(s->flags & PVVM_SNAP_PV))
		return 0;
	/* Negotiating it again checks version, features and addresses. */
	memset(&req, 0, sizeof(req));
	req.min = req.max = pv->abi;
	req.wanted = req.required = pv->features;
	req.magic_gpa = s->magic_gpa;
	req.notify_gpa = s->notify_gpa;
	if (pvabi_negotiate(offer, &req, &res) ||
	    pvabi_version_cmp(res.version, pv->abi) ||
	    res.features != pv->features ||
	    !(pv->features & PVABI_F_NOTIFY) != !(s->flags & PVVM_SNAP_NOTIFY))
		return snapshot__refuse(
			why, len, "vCPU %u: negotiated state the offer refuses",
			id);
	return 0;
}

int snapshot__check_state(const uint8_t *buf, size_t size,
			  struct pvabi_state *st, char *why, size_t len)
{
	struct pvvm_snap_header h;
	struct pvvm_snap_vcpu *s;
	const uint8_t *stream;
	char text[256];
	int r;

	if (size < sizeof(h))
		return snapshot__refuse(
			why, len, "%zu bytes, too short for a snapshot", size);
	memcpy(&h, buf, sizeof(h));
	r = check_header(&h, size, why, len);
	if (r)
		return r;
	stream = buf + sizeof(h) + (size_t)h.nr_vcpus * h.vcpu_size;
	if (pvabi_state_read(stream, h.pvabi_len, st, text, sizeof(text)))
		return snapshot__refuse(why, len, "pvabi state: %s", text);
	if (st->n_vcpus != h.nr_vcpus)
		r = snapshot__refuse(
			why, len, "pvabi state of %u vCPUs in a snapshot of %u",
			st->n_vcpus, h.nr_vcpus);
	/* A copy: the buffer need not be aligned for the struct. */
	s = (struct pvvm_snap_vcpu *)snapshot_scratch;
	for (uint32_t i = 0; !r && i < h.nr_vcpus; i++) {
		memcpy(s, buf + sizeof(h) + (size_t)i * h.vcpu_size,
		       sizeof(*s));
		r = check_vcpu(s, &st->vcpus[i], i, &h.offer, why, len);
	}
	if (!r && size != sizeof(h) + (size_t)h.nr_vcpus * h.vcpu_size +
				  h.pvabi_len + h.ram_size)
		r = snapshot__refuse(
			why, len, "file of %zu bytes: truncated or oversized",
			size);
	if (r)
		pvabi_state_free(st);
	return r;
}

int snapshot__check(const uint8_t *buf, size_t size, char *why, size_t len)
{
	struct pvabi_state st;
	int r = snapshot__check_state(buf, size, &st, why, len);

	if (!r)
		pvabi_state_free(&st);
	return r;
}
