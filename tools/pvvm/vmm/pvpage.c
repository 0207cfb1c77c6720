// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pvpage.c - the magic page and the notification page as memory slots.
 *
 * Each page is its own 4 KiB mapping and its own KVM memory slot, at the
 * guest-physical address the guest chose in PVABI_HC_NEGOTIATE.  Arming
 * takes the notification slot away (or, with --arm readonly, registers it
 * again with KVM_MEM_READONLY), so the guest's next doorbell store is an
 * MMIO exit; disarming puts it back.  The page's contents survive both: they
 * live in pvvm's mapping, not in KVM.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "vmm.h"

#define PVVM_TSS_PAGES_GPA 0xfffbd000ull
#define PVVM_TSS_PAGES_END 0xfffc0000ull
#define GUEST32_END	   0x100000000ull

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* A page the guest may put a pvabi page at: valid for pvabi, reachable by
 * a 32-bit guest, and clear of RAM, KVM's TSS and every other pvabi page. */
static int pvpage__check_gpa(struct vcpu *v, uint64_t gpa, uint64_t other)
{
	struct vm *vm = v->vm;
	int r = pvabi_gpa_check(gpa);

	if (r)
		return r;
	if (gpa >= GUEST32_END - PVABI_PAGE_SIZE ||
	    overlaps(gpa, PVABI_PAGE_SIZE, 0, vm->ram.size) ||
	    overlaps(gpa, PVABI_PAGE_SIZE, PVVM_TSS_PAGES_GPA,
		     PVVM_TSS_PAGES_END - PVVM_TSS_PAGES_GPA) ||
	    gpa == other)
		return PVABI_E_BADADDR;
	for (int i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *o = &vm->vcpus[i];

		if (o == v || !o->pv)
			continue;
		if (gpa == o->magic.gpa ||
		    (o->notify.size && gpa == o->notify.gpa))
			return PVABI_E_BADADDR;
	}
	return 0;
}

static int pvpage__map(struct vcpu *v, struct vm_slot *s, uint32_t id,
		       uint64_t gpa)
{
	s->id = id;
	s->gpa = gpa;
	s->size = PVABI_PAGE_SIZE;
	s->flags = 0;
	s->hva = mmap(NULL, PVABI_PAGE_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s->hva == MAP_FAILED) {
		s->hva = NULL;
		s->size = 0;
		/* Not -errno: scan-build does not know mmap() sets errno > 0,
		 * so it followed a "successful" NULL page into the header.
		 * The caller reports any failure here as PVABI_E_NOMEM. */
		return -ENOMEM;
	}
	return vm__add_slot(v->vm, s);
}

static void pvpage__unmap(struct vcpu *v, struct vm_slot *s)
{
	if (!s->hva)
		return;
	vm__del_slot(v->vm, s);
	munmap(s->hva, PVABI_PAGE_SIZE);
	memset(s, 0, sizeof(*s));
}

void pvpage__delete(struct vcpu *v)
{
	pvpage__unmap(v, &v->notify);
	pvpage__unmap(v, &v->magic);
	v->pv = false;
	v->page = v->private_page;
}

static void pvpage__init_header(struct vcpu *v, struct pvabi_magic_page *p,
				const struct pvabi_result *res)
{
	struct pvabi_header *h = &p->hdr;

	pvabi_st32(PVABI_LE, &h->magic, PVABI_MAGIC);
	pvabi_st16(PVABI_LE, &h->major, res->version.major);
	pvabi_st16(PVABI_LE, &h->minor, res->version.minor);
	pvabi_st32(PVABI_LE, &h->size, PVABI_SIZE_1_0);
	h->byte_order = PVABI_BYTE_ORDER_LITTLE;
	pvabi_st64(PVABI_LE, &h->features, res->features);
	pvabi_st64(PVABI_LE, &h->magic_gpa, v->magic.gpa);
	pvabi_st64(PVABI_LE, &h->notify_gpa, v->notify.gpa);
}

/*
 * PVABI_HC_NEGOTIATE on this vCPU: agree, map the pages where the guest
 * asked, and move the delivery machine onto the magic page.  Once only: a
 * second negotiation is refused with PVABI_E_BUSY.
 */
int pvpage__negotiate(struct vcpu *v, const struct pvabi_request *req,
		      struct pvabi_result *res)
{
	struct pvabi_magic_page *p;
	uint32_t msr = pvpage__read_msr(v);
	bool notify;
	int r;

	if (v->pv)
		return PVABI_E_BUSY;
	r = pvabi_negotiate(&v->vm->cfg.offer, req, res);
	if (r)
		return r;
	notify = res->features & PVABI_F_NOTIFY;
	r = pvpage__check_gpa(v, req->magic_gpa, notify ? req->notify_gpa : 0);
	if (!r && notify)
		r = pvpage__check_gpa(v, req->notify_gpa, req->magic_gpa);
	if (r)
		return r;
	if (pvpage__map(v, &v->magic, PVVM_SLOT_MAGIC(v->id), req->magic_gpa) <
		    0 ||
	    (notify && pvpage__map(v, &v->notify, PVVM_SLOT_NOTIFY(v->id),
				   req->notify_gpa) < 0)) {
		pvpage__delete(v);
		return PVABI_E_NOMEM;
	}
	p = v->magic.hva;
	pvpage__init_header(v, p, res);
	r = irq__attach_page(v, p, notify);
	if (r) {
		pvpage__delete(v);
		return PVABI_E_NOMEM;
	}
	v->pv = true;
	v->negotiated = *res;
	pvpage__write_msr(v, msr);
	return 0;
}

/* A restored vCPU: the pages where the snapshot had them (already
 * re-negotiated against the offer by the loader). */
int pvpage__restore(struct vcpu *v, uint64_t magic_gpa, uint64_t notify_gpa,
		    const struct pvabi_result *res)
{
	bool notify = res->features & PVABI_F_NOTIFY;
	int r;

	r = pvpage__check_gpa(v, magic_gpa, notify ? notify_gpa : 0);
	if (!r && notify)
		r = pvpage__check_gpa(v, notify_gpa, magic_gpa);
	if (r)
		return r;
	if (pvpage__map(v, &v->magic, PVVM_SLOT_MAGIC(v->id), magic_gpa) < 0 ||
	    (notify && pvpage__map(v, &v->notify, PVVM_SLOT_NOTIFY(v->id),
				   notify_gpa) < 0)) {
		pvpage__delete(v);
		return PVABI_E_NOMEM;
	}
	v->page = v->magic.hva;
	v->pv = true;
	v->negotiated = *res;
	return 0;
}

int pvpage__arm(struct vcpu *v)
{
	struct vm_slot *s = &v->notify;
	int r;

	if (!s->hva)
		return 0;
	v->st.arms++;
	r = vm__del_slot(v->vm, s);
	if (r || v->vm->cfg.arm != PVVM_ARM_READONLY)
		return r;
	s->flags = KVM_MEM_READONLY;
	return vm__add_slot(v->vm, s);
}

int pvpage__disarm(struct vcpu *v)
{
	struct vm_slot *s = &v->notify;
	int r;

	if (!s->hva || (s->present && !s->flags))
		return 0;
	v->st.disarms++;
	r = vm__del_slot(v->vm, s);
	if (r)
		return r;
	s->flags = 0;
	return vm__add_slot(v->vm, s);
}

bool pvpage__is_notify(const struct vcpu *v, uint64_t gpa)
{
	return v->notify.hva && gpa >= v->notify.gpa &&
	       gpa - v->notify.gpa < PVABI_PAGE_SIZE;
}

/* The machine-state register lives in the page the machine reads, with
 * dlv.irq_enabled mirroring its EE bit (pvabi/abi.h). */
void pvpage__write_msr(struct vcpu *v, uint32_t msr)
{
	pvabi_st64(PVABI_LE, &v->page->arch.msr, msr);
	pvabi_st32(PVABI_LE, &v->page->dlv.irq_enabled,
		   (msr & PVABI_MSR_EE) ? 1 : 0);
}

uint32_t pvpage__read_msr(const struct vcpu *v)
{
	return (uint32_t)pvabi_ld64(PVABI_LE, &v->page->arch.msr);
}
