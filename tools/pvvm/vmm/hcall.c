// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hcall.c - pvabi hypercalls, x86 profile (guest/boot.h): IN from
 * PVVM_PORT_HCALL with the token in %eax, arguments in %ebx, %ecx, %esi,
 * %edi; the status is the data the IN reads, results go to %ebx, %ecx.
 * Everything the guest passes is hostile: addresses are bounds-checked against
 * RAM, values are validated by libpvabi.
 */
#include <string.h>

#include "vmm.h"

static int32_t hcall__get_offer(struct vcpu *v, struct kvm_regs *r)
{
	const struct pvabi_offer *o = &v->vm->cfg.offer;

	r->rbx = o->n_versions;
	r->rcx = (uint32_t)o->features;
	return 0;
}

static int32_t hcall__get_version(struct vcpu *v, struct kvm_regs *r)
{
	const struct pvabi_offer *o = &v->vm->cfg.offer;
	uint32_t i = (uint32_t)r->rbx;

	if (i >= o->n_versions)
		return PVABI_E_INVAL;
	r->rbx = pvabi_version_pack(o->versions[i]);
	return 0;
}

static int32_t hcall__negotiate(struct vcpu *v, struct kvm_regs *r)
{
	struct pvvm_negotiate *a, in;
	struct pvabi_request req;
	struct pvabi_result res;
	int err;

	a = vm__gpa(v->vm, (uint32_t)r->rbx, sizeof(*a));
	if (!a)
		return PVABI_E_BADADDR;
	/* One copy: the guest may change the block while we look. */
	memcpy(&in, a, sizeof(in));
	req.min = pvabi_version_unpack(in.min_ver);
	req.max = pvabi_version_unpack(in.max_ver);
	req.wanted = in.wanted;
	req.required = in.required;
	req.magic_gpa = in.magic_gpa;
	req.notify_gpa = in.notify_gpa;
	err = pvpage__negotiate(v, &req, &res);
	if (err)
		return err;
	a->version = pvabi_version_pack(res.version);
	a->features = res.features;
	return 0;
}

/* A no-op: pvvm decides at every exit anyway; this one is explicit. */
static int32_t hcall__kick(struct vcpu *v, struct kvm_regs *r)
{
	(void)v;
	(void)r;
	return 0;
}

static int32_t (*const hcalls[])(struct vcpu *, struct kvm_regs *) = {
	[PVABI_HC_NEGOTIATE] = hcall__negotiate,
	[PVABI_HC_GET_OFFER] = hcall__get_offer,
	[PVABI_HC_GET_VERSION] = hcall__get_version,
	[PVABI_HC_KICK] = hcall__kick,
};

int32_t hcall__dispatch(struct vcpu *v)
{
	struct kvm_regs *r = &v->run->s.regs.regs;
	uint32_t token = (uint32_t)r->rax, nr = token & 0xffff;
	uint64_t rbx = r->rbx, rcx = r->rcx;
	int32_t ret;

	v->st.hcalls++;
	if (token >> 16 != PVABI_HCALL_VENDOR ||
	    nr >= sizeof(hcalls) / sizeof(hcalls[0]) || !hcalls[nr])
		ret = PVABI_E_UNSUPPORTED;
	else
		ret = hcalls[nr](v, r);
	if (ret)
		v->st.hcall_errors++;
	/* Writing registers back costs a full state reload on some KVMs:
	 * only when a hypercall has results. */
	if (r->rbx != rbx || r->rcx != rcx)
		v->run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
	return ret;
}
