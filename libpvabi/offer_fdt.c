// SPDX-License-Identifier: LGPL-2.1-or-later
/* Device-tree discovery: the host's offer in an ePAPR /hypervisor node. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "pvabi/pvabi.h"
#include "export.h"

#define NODE "hypervisor"
/* The flattened-tree version the devicetree specification requires.  Older
 * layouts are refused before libfdt looks at them: libfdt 1.6's
 * fdt_check_full() dereferences NULL on some trees of version 15 or less. */
#define SPEC_VERSION 17
static const char compatible[] = "pvabi,hypervisor-1\0epapr,hypervisor-1";

/* ePAPR hcall-instructions for pvabi: "sc 1" followed by nops; the token
 * goes in r11 as pvabi/abi.h says. */
static const uint32_t hcall_insns[4] = {
	0x44000022,
	0x60000000,
	0x60000000,
	0x60000000,
};

/*
 * Walk the structure block's tags with checked arithmetic before libfdt
 * does: libfdt 1.6.1 (Debian 12) adds a property's length to the offset
 * unchecked, so a length near 2^32 moves it backwards and fdt_check_full()
 * loops forever (fixed in libfdt 1.7.0).  Needs a tree that passed
 * fdt_check_header(), so the block lies inside the tree.
 */
#define TAG_ALIGN(x) (((x) + FDT_TAGSIZE - 1) & ~(uint64_t)(FDT_TAGSIZE - 1))
static bool tags_sane(const void *fdt)
{
	const char *blk = (const char *)fdt + fdt_off_dt_struct(fdt);
	uint64_t size = fdt_size_dt_struct(fdt), off = 0;

	while (size - off >= FDT_TAGSIZE) {
		uint32_t tag = fdt32_ld((const fdt32_t *)(blk + off)), plen;
		const char *end;

		off += FDT_TAGSIZE;
		switch (tag) {
		case FDT_BEGIN_NODE:
			end = memchr(blk + off, '\0', size - off);
			if (!end)
				return false;
			off = TAG_ALIGN((uint64_t)(end - blk) + 1);
			break;
		case FDT_PROP:
			if (size - off < 2 * sizeof(fdt32_t))
				return false;
			plen = fdt32_ld((const fdt32_t *)(blk + off));
			off += 2 * sizeof(fdt32_t);
			if (plen > size - off)
				return false;
			off = TAG_ALIGN(off + plen);
			break;
		case FDT_END_NODE:
		case FDT_NOP: break;
		case FDT_END: return true;
		default: return false;
		}
		if (off > size)
			return false;
	}
	return false;
}

static int fdt_err(int e)
{
	switch (e) {
	case -FDT_ERR_NOSPACE: return PVABI_E_NOSPACE;
	case -FDT_ERR_BADMAGIC: return PVABI_E_BADMAGIC;
	case -FDT_ERR_TRUNCATED: return PVABI_E_TRUNCATED;
	default: return PVABI_E_MALFORMED;
	}
}

PVABI_EXPORT int pvabi_fdt_add_offer(void *fdt, size_t len,
				     const struct pvabi_offer *offer)
{
	fdt32_t vers[2 * PVABI_OFFER_MAX_VERSIONS], hcall[4];
	int node, e;

	if (!fdt || pvabi_offer_check(offer))
		return PVABI_E_INVAL;
	/* libfdt's read-write functions trust the tree they are given (an
	 * unterminated reservation map makes fdt_open_into() memmove a
	 * negative size), so the whole tree is checked first. */
	if (len < FDT_V17_SIZE || len > INT32_MAX || fdt_check_header(fdt) ||
	    fdt_totalsize(fdt) > len || fdt_version(fdt) < SPEC_VERSION ||
	    !tags_sane(fdt) || fdt_check_full(fdt, len))
		return PVABI_E_MALFORMED;
	e = fdt_open_into(fdt, fdt, (int)len);
	if (e)
		return fdt_err(e);

	node = fdt_subnode_offset(fdt, 0, NODE);
	if (node >= 0 && (e = fdt_del_node(fdt, node)))
		return fdt_err(e);
	node = fdt_add_subnode(fdt, 0, NODE);
	if (node < 0)
		return fdt_err(node);

	for (int i = 0; i < 4; i++)
		hcall[i] = cpu_to_fdt32(hcall_insns[i]);
	for (pvabi_u32 i = 0; i < offer->n_versions; i++) {
		vers[2 * i] = cpu_to_fdt32(offer->versions[i].major);
		vers[2 * i + 1] = cpu_to_fdt32(offer->versions[i].minor);
	}
	if ((e = fdt_setprop(fdt, node, "compatible", compatible,
			     sizeof(compatible))) ||
	    (e = fdt_setprop(fdt, node, "hcall-instructions", hcall,
			     sizeof(hcall))) ||
	    (e = fdt_setprop(fdt, node, "pvabi,versions", vers,
			     (int)(offer->n_versions * 2 * sizeof(fdt32_t)))) ||
	    (e = fdt_setprop_u64(fdt, node, "pvabi,features", offer->features)))
		return fdt_err(e);
	if (offer->floor.major) {
		fdt32_t floor[2] = {cpu_to_fdt32(offer->floor.major),
				    cpu_to_fdt32(offer->floor.minor)};

		e = fdt_setprop(fdt, node, "pvabi,min-version", floor,
				sizeof(floor));
		if (e)
			return fdt_err(e);
	}
	return 0;
}

PVABI_EXPORT int pvabi_fdt_write_offer(const struct pvabi_offer *offer,
				       void *buf, size_t len)
{
	int e;

	if (!buf || pvabi_offer_check(offer))
		return PVABI_E_INVAL;
	if (len > INT32_MAX)
		len = INT32_MAX;
	e = fdt_create_empty_tree(buf, (int)len);
	if (e)
		return fdt_err(e);
	e = pvabi_fdt_add_offer(buf, len, offer);
	if (e)
		return e;
	e = fdt_pack(buf);
	if (e)
		return fdt_err(e);
	return (int)fdt_totalsize(buf);
}

/* Read a (major, minor) pair from two cells; major 0 or >65535 is bad. */
static int cells_to_version(const fdt32_t *c, struct pvabi_version *v)
{
	uint32_t major = fdt32_ld(&c[0]), minor = fdt32_ld(&c[1]);

	if (major == 0 || major > 0xffff || minor > 0xffff)
		return PVABI_E_BADVERSION;
	v->major = (pvabi_u16)major;
	v->minor = (pvabi_u16)minor;
	return 0;
}

static int read_offer(const void *blob, size_t len, struct pvabi_offer *offer,
		      char *why, size_t whylen);

PVABI_EXPORT int pvabi_fdt_read_offer(const void *blob, size_t len,
				      struct pvabi_offer *offer, char *why,
				      size_t whylen)
{
	void *copy;
	int err;

	if (!blob || !offer)
		return PVABI_E_INVAL;
	if (!((uintptr_t)blob & 7))
		return read_offer(blob, len, offer, why, whylen);
	/* libfdt wants 8-byte alignment; a blob from a D-Bus byte array or a
	 * network buffer need not have it. */
	copy = malloc(len ? len : 1);
	if (!copy)
		return PVABI_E_NOMEM;
	memcpy(copy, blob, len);
	err = read_offer(copy, len, offer, why, whylen);
	free(copy);
	return err;
}

static int read_offer(const void *blob, size_t len, struct pvabi_offer *offer,
		      char *why, size_t whylen)
{
	struct pvabi_offer o = {0};
	const fdt32_t *p;
	int node, plen, e;

	if (len < FDT_V17_SIZE)
		return pvabi_why(PVABI_E_TRUNCATED, why, whylen,
				 "blob of %zu bytes is shorter than a "
				 "device-tree header",
				 len);
	if (fdt_magic(blob) != FDT_MAGIC)
		return pvabi_why(PVABI_E_BADMAGIC, why, whylen,
				 "not a flattened device tree (magic 0x%08x)",
				 fdt_magic(blob));
	if (fdt_totalsize(blob) > len)
		return pvabi_why(PVABI_E_TRUNCATED, why, whylen,
				 "header says %u bytes but the blob has %zu",
				 fdt_totalsize(blob), len);
	if (fdt_version(blob) < SPEC_VERSION)
		return pvabi_why(PVABI_E_MALFORMED, why, whylen,
				 "device-tree version %u; want %u or later",
				 fdt_version(blob), SPEC_VERSION);
	e = fdt_check_header(blob);
	if (!e && !tags_sane(blob))
		e = -FDT_ERR_BADSTRUCTURE;
	if (!e)
		e = fdt_check_full(blob, len);
	if (e)
		return pvabi_why(fdt_err(e), why, whylen,
				 "malformed device tree: %s", fdt_strerror(e));

	node = fdt_path_offset(blob, "/" NODE);
	if (node < 0)
		return pvabi_why(PVABI_E_NOTFOUND, why, whylen,
				 "no /" NODE " node");
	if (fdt_node_check_compatible(blob, node, "epapr,hypervisor-1") ||
	    fdt_node_check_compatible(blob, node, "pvabi,hypervisor-1"))
		return pvabi_why(
			PVABI_E_NOTFOUND, why, whylen,
			"/" NODE " is not compatible with both "
			"\"pvabi,hypervisor-1\" and \"epapr,hypervisor-1\"");

	p = fdt_getprop(blob, node, "pvabi,versions", &plen);
	if (!p)
		return pvabi_why(PVABI_E_NOTFOUND, why, whylen,
				 "/" NODE " has no pvabi,versions property");
	if (plen == 0 || plen % 8 || plen / 8 > PVABI_OFFER_MAX_VERSIONS)
		return pvabi_why(PVABI_E_MALFORMED, why, whylen,
				 "pvabi,versions is %d bytes; want 1 to %u "
				 "pairs of cells",
				 plen, PVABI_OFFER_MAX_VERSIONS);
	o.n_versions = (pvabi_u32)plen / 8;
	for (pvabi_u32 i = 0; i < o.n_versions; i++)
		if (cells_to_version(p + 2 * i, &o.versions[i]))
			return pvabi_why(PVABI_E_BADVERSION, why, whylen,
					 "pvabi,versions entry %u (%u.%u) is "
					 "not a version",
					 i, fdt32_ld(&p[2 * i]),
					 fdt32_ld(&p[2 * i + 1]));
	e = pvabi_offer_check(&o);
	if (e)
		return pvabi_why(e, why, whylen,
				 "pvabi,versions lists a version twice");

	p = fdt_getprop(blob, node, "pvabi,features", &plen);
	if (!p)
		return pvabi_why(PVABI_E_NOTFOUND, why, whylen,
				 "/" NODE " has no pvabi,features property");
	if (plen != 8)
		return pvabi_why(
			PVABI_E_MALFORMED, why, whylen,
			"pvabi,features is %d bytes; want 8 (/bits/ 64)", plen);
	o.features = ((pvabi_u64)fdt32_ld(&p[0]) << 32) | fdt32_ld(&p[1]);

	p = fdt_getprop(blob, node, "pvabi,min-version", &plen);
	if (p) {
		if (plen != 8 || cells_to_version(p, &o.floor))
			return pvabi_why(PVABI_E_MALFORMED, why, whylen,
					 "pvabi,min-version is not one (major, "
					 "minor) pair");
	}
	*offer = o;
	return 0;
}
