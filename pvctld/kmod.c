// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pvctld and pvabi.ko: the host offer pushed to the module, the module's
 * events followed in the sd-event loop, and what each module VM's vCPUs
 * negotiated.
 *
 * The module refuses negotiation until a policy was pushed for a VM (its
 * parameter standalone=N), so pvctld pushes the moment it hears
 * PVABI_EVENT_VM_CREATED, and at start (or when the module comes back)
 * dumps the VMs that exist and pushes theirs.  A timer asks the module for
 * its offer every KMOD_CHECK_MS: a module loaded, reloaded (the offer it
 * reports is its own again) or gone is noticed there.
 */
#include <stdint.h>

#include "genl_client.h"
#include "pvctld.h"

#define KMOD_CHECK_MS 2000

static struct kmod_vm *find_vm(struct pvctld *c, uint32_t id)
{
	for (size_t i = 0; i < c->n_kmod_vms; i++)
		if (c->kmod_vms[i].id == id)
			return &c->kmod_vms[i];
	return NULL;
}

static struct kmod_vm *add_vm(struct pvctld *c, uint32_t id)
{
	struct kmod_vm *vm = find_vm(c, id), *grown;

	if (vm)
		return vm;
	if (c->n_kmod_vms == c->cap_kmod_vms) {
		size_t cap = c->cap_kmod_vms ? 2 * c->cap_kmod_vms : 16;

		grown = realloc(c->kmod_vms, cap * sizeof(*grown));
		if (!grown)
			return NULL;
		c->kmod_vms = grown;
		c->cap_kmod_vms = cap;
	}
	vm = &c->kmod_vms[c->n_kmod_vms++];
	memset(vm, 0, sizeof(*vm));
	vm->id = id;
	return vm;
}

static void forget_vm(struct pvctld *c, uint32_t id)
{
	struct kmod_vm *vm = find_vm(c, id);

	if (vm)
		*vm = c->kmod_vms[--c->n_kmod_vms];
}

const struct kmod_vm *kmod_find(struct pvctld *c, const unsigned char *uuid,
				const char *name)
{
	for (size_t i = 0; i < c->n_kmod_vms; i++)
		if (c->kmod_vms[i].has_uuid &&
		    !memcmp(c->kmod_vms[i].uuid, uuid, PVABI_UUID_LEN))
			return &c->kmod_vms[i];
	/* As push_kmod_vm() matched it: by name when the UUID is not its. */
	for (size_t i = 0; i < c->n_kmod_vms; i++)
		if (name && !strcmp(c->kmod_vms[i].name, name))
			return &c->kmod_vms[i];
	return NULL;
}

/*
 * The libvirt domain of a module VM (by UUID, else by name) gets its
 * settings pushed.  None: the VM stays without a policy, so it cannot
 * negotiate (unless the module is standalone).
 */
static void push_kmod_vm(struct pvctld *c, const struct kmod_vm *vm)
{
	struct pvctl_vm_settings s;
	sd_bus_error err = SD_BUS_ERROR_NULL;
	virDomainPtr dom = NULL;
	uint32_t by_id = 0;

	if (!c->conn)
		return; /* connection.c pushes every domain once connected */
	if (vm->has_uuid)
		dom = virDomainLookupByUUID(c->conn, vm->uuid);
	if (!dom && vm->name[0]) {
		dom = virDomainLookupByName(c->conn, vm->name);
		by_id = vm->id; /* the domain's UUID is not the VM's */
	}
	if (!dom) {
		log_msg("pvabi.ko VM %u%s%s%s matches no libvirt domain: no "
			"policy pushed, it cannot negotiate",
			vm->id, vm->name[0] ? " '" : "", vm->name,
			vm->name[0] ? "'" : "");
		return;
	}
	if (virt_read_settings(c, dom, &s, &err) >= 0)
		push_vm_to(c, dom, &s, by_id);
	else
		log_msg("pvabi.ko VM %u: %s", vm->id, err.message);
	sd_bus_error_free(&err);
	virDomainFree(dom);
}

/*
 * What @vm's vCPUs negotiated changed (a vCPU negotiated, the VM went, the
 * module came or went): VMChanged "negotiated" and the Negotiated property
 * of its domain, found as push_kmod_vm() finds it.
 */
static void negotiated_changed(struct pvctld *c, const struct kmod_vm *vm)
{
	char uuid[VIR_UUID_STRING_BUFLEN];
	virDomainPtr dom = NULL;

	if (!c->conn || !c->bus)
		return;
	if (vm->has_uuid)
		dom = virDomainLookupByUUID(c->conn, vm->uuid);
	if (!dom && vm->name[0])
		dom = virDomainLookupByName(c->conn, vm->name);
	if (!dom)
		return;
	if (virDomainGetUUIDString(dom, uuid) == 0)
		bus_emit_vm_changed(c, virDomainGetName(dom), uuid,
				    "negotiated");
	virDomainFree(dom);
}

/* Every module VM forgotten, each that had negotiated told. */
static void forget_all(struct pvctld *c)
{
	size_t n = c->n_kmod_vms;

	c->n_kmod_vms = 0;
	for (size_t i = 0; i < n; i++)
		if (c->kmod_vms[i].negotiated)
			negotiated_changed(c, &c->kmod_vms[i]);
}

static void record_vcpu(struct kmod_vm *vm, uint32_t index, uint32_t version,
			uint64_t features)
{
	if (index >= PVABI_MAX_VCPUS || !version)
		return;
	vm->negotiated |= UINT64_C(1) << index;
	vm->version[index] = version;
	vm->features[index] = features;
}

static int adopt_vm(const struct pvctl_genl_vm *gvm, void *arg)
{
	struct pvctld *c = arg;
	struct kmod_vm *vm = add_vm(c, gvm->id);

	if (!vm)
		return -ENOMEM;
	memcpy(vm->name, gvm->name, sizeof(vm->name));
	vm->has_uuid = gvm->has_uuid;
	memcpy(vm->uuid, gvm->uuid, sizeof(vm->uuid));
	vm->negotiated = 0;
	for (uint32_t i = 0; i < gvm->n_vcpus; i++)
		record_vcpu(vm, gvm->vcpus[i].index, gvm->vcpus[i].version,
			    gvm->vcpus[i].features);
	push_kmod_vm(c, vm);
	if (vm->negotiated)
		negotiated_changed(c, vm);
	/* A VM that outlived a pvctld: its socket serves it again. */
	if (vm->has_uuid)
		vmsock_adopt(c, vm->uuid);
	return 0;
}

/* Every VM the module holds now, adopted afresh (start, reconnect, or
 * events lost). */
static int resync(struct pvctld *c)
{
	struct pvctl_genl *g;
	int r = pvctl_genl_open(&g);

	if (r < 0)
		return r;
	forget_all(c);
	r = pvctl_genl_dump(g, 0, adopt_vm, c);
	pvctl_genl_close(g);
	if (r < 0)
		log_error_errno(r, "pvabi.ko: dumping its VMs");
	else if (c->n_kmod_vms)
		log_msg("pvabi.ko: adopted %zu VM%s", c->n_kmod_vms,
			c->n_kmod_vms == 1 ? "" : "s");
	return r;
}

static int on_event(const struct pvctl_genl_event *ev, void *arg)
{
	struct pvctld *c = arg;
	struct kmod_vm *vm;

	switch (ev->event) {
	case PVABI_EVENT_VM_CREATED:
		vm = add_vm(c, ev->vm_id);
		if (!vm)
			return -ENOMEM;
		memcpy(vm->name, ev->name, sizeof(vm->name));
		vm->has_uuid = ev->has_uuid;
		memcpy(vm->uuid, ev->uuid, sizeof(vm->uuid));
		push_kmod_vm(c, vm);
		break;
	case PVABI_EVENT_VM_DESTROYED:
		vm = find_vm(c, ev->vm_id);
		if (vm) {
			struct kmod_vm gone = *vm;

			forget_vm(c, ev->vm_id);
			if (gone.negotiated)
				negotiated_changed(c, &gone);
		}
		break;
	case PVABI_EVENT_VCPU_NEGOTIATED:
		vm = find_vm(c, ev->vm_id);
		if (vm && ev->vcpu >= 0) {
			record_vcpu(vm, (uint32_t)ev->vcpu, ev->version,
				    ev->features);
			negotiated_changed(c, vm);
		}
		break;
	default: break; /* policy changes, forced deliveries, newer ones */
	}
	return 0;
}

static void disconnect(struct pvctld *c)
{
	c->kmod_io = sd_event_source_disable_unref(c->kmod_io);
	pvctl_genl_close(c->kmod_events);
	c->kmod_events = NULL;
	forget_all(c);
}

static int on_readable(sd_event_source *s, int fd, uint32_t revents, void *data)
{
	struct pvctld *c = data;
	unsigned int bad = 0;
	int r = pvctl_genl_read_events(c->kmod_events, on_event, c, &bad);

	if (bad)
		log_msg("pvabi.ko: %u malformed event%s ignored", bad,
			bad == 1 ? "" : "s");
	if (r == -ENOBUFS) {
		log_msg("pvabi.ko: events were lost: dumping its VMs again");
		resync(c);
	} else if (r < 0) {
		log_error_errno(r, "pvabi.ko: reading its events");
		disconnect(c); /* the timer connects again */
	}
	return 0;
}

static bool same_offer(const struct pvabi_offer *a, const struct pvabi_offer *b)
{
	if (a->n_versions != b->n_versions || a->features != b->features)
		return false;
	for (uint32_t i = 0; i < a->n_versions; i++)
		if (pvabi_version_cmp(a->versions[i], b->versions[i]))
			return false;
	return true;
}

/* Push the configured offer unless the module holds it already. */
static int push_offer(struct pvctld *c, struct pvctl_genl *g)
{
	struct pvabi_offer now;
	uint32_t flags;
	int r = pvctl_genl_get_offer(g, &now, &flags);

	if (r < 0)
		return r;
	c->kmod_offer_pushed = (flags & PVABI_HOST_F_OFFER_SET) &&
			       same_offer(&now, &c->config.offer);
	if (c->kmod_offer_pushed)
		return 0;
	r = pvctl_genl_set_offer(g, &c->config.offer);
	c->kmod_offer_pushed = r == 0;
	if (r < 0)
		log_msg("pvabi.ko refuses the configured offer: %s",
			*pvctl_genl_errmsg(g) ? pvctl_genl_errmsg(g)
					      : strerror(-r));
	else
		log_msg("pvabi.ko: offer pushed%s",
			flags & PVABI_HOST_F_STANDALONE
				? " (the module is standalone: VMs negotiate "
				  "before their policy is pushed)"
				: "");
	return r;
}

/* Subscribe first, then push the offer and dump: no VM falls between. */
static int connect_module(struct pvctld *c)
{
	struct pvctl_genl *g = NULL;
	int r = pvctl_genl_open(&c->kmod_events);

	if (r >= 0)
		r = pvctl_genl_subscribe(c->kmod_events);
	if (r >= 0)
		r = sd_event_add_io(c->event, &c->kmod_io,
				    pvctl_genl_fd(c->kmod_events), EPOLLIN,
				    on_readable, c);
	if (r >= 0)
		r = pvctl_genl_open(&g);
	if (r < 0) {
		if (r != -ENOENT)
			log_error_errno(r, "pvabi.ko: following its events");
		disconnect(c);
		return r;
	}
	push_offer(c, g);
	pvctl_genl_close(g);
	log_msg("pvabi.ko: following its events");
	return resync(c);
}

/* Gone, or reloaded (its offer is its own again): connect afresh. */
static int check_module(struct pvctld *c)
{
	struct pvctl_genl *g;
	struct pvabi_offer now;
	uint32_t flags;
	int r;

	if (!c->kmod_events)
		return connect_module(c);
	r = pvctl_genl_open(&g);
	if (r == 0) {
		r = pvctl_genl_get_offer(g, &now, &flags);
		/* A module that refused the offer is not asked again. */
		if (r == 0 && c->kmod_offer_pushed &&
		    (!(flags & PVABI_HOST_F_OFFER_SET) ||
		     !same_offer(&now, &c->config.offer)))
			r = -ESTALE;
		pvctl_genl_close(g);
	}
	if (r == 0)
		return 0;
	log_msg("pvabi.ko %s: following it again",
		r == -ESTALE ? "lost its offer (reloaded, or changed)"
			     : "went away");
	disconnect(c);
	return connect_module(c);
}

static int on_timer(sd_event_source *s, uint64_t usec, void *data)
{
	struct pvctld *c = data;

	check_module(c);
	sd_event_source_set_time(s, usec + KMOD_CHECK_MS * UINT64_C(1000));
	return 0;
}

int kmod_setup(struct pvctld *c)
{
	uint64_t now;
	int r;

	sd_event_now(c->event, CLOCK_MONOTONIC, &now);
	r = sd_event_add_time(c->event, &c->kmod_timer, CLOCK_MONOTONIC,
			      now + KMOD_CHECK_MS * UINT64_C(1000), 0, on_timer,
			      c);
	if (r < 0)
		return log_error_errno(r, "pvabi.ko: its timer");
	sd_event_source_set_enabled(c->kmod_timer, SD_EVENT_ON);
	connect_module(c);
	return 0;
}

void kmod_done(struct pvctld *c)
{
	disconnect(c);
	c->kmod_timer = sd_event_source_disable_unref(c->kmod_timer);
	free(c->kmod_vms);
	c->kmod_vms = NULL;
}
