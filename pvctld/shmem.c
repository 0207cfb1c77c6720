// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pvabi's device in libvirt, and when a change applies.
 *
 * Enable puts the ivshmem-doorbell device (libpvctl/shmem.h) into the VM's
 * persistent definition together with its settings, Disable and Reset take
 * it out, and both land in one virDomainDefineXML, so the metadata and the
 * device change together or not at all; the live half then goes through
 * virt_write_settings() as every change does.  A running VM gets the device
 * now only if it can be attached now: libvirt supports it and pvabi's
 * server already listens on its socket (QEMU connects while it realizes
 * the device); otherwise at its next boot.  A running VM keeps its device
 * after Disable until it stops: unplugging a PCI device needs the guest's
 * cooperation, and the module's policy already refuses it pvabi.
 */
#include <stdarg.h>
#include <string.h>

#include <libvirt/virterror.h>

#include "kernel.h"
#include "shmem.h"
#include "pvctld.h"

/* Does a listening UNIX socket have @path?  /proc/net/unix lists every
 * bound socket and its flags; connecting instead would make us a peer of
 * the ivshmem server. */
static bool served(const char *path)
{
	FILE *f = fopen("/proc/net/unix", "re");
	char line[512], p[PVCTL_SHMEM_PATH_MAX + 1];
	unsigned long flags;
	bool r = false;

	if (!f)
		return false;
	/* Num RefCount Protocol Flags Type St Inode Path; __SO_ACCEPTCON. */
	while (!r && fgets(line, sizeof(line), f))
		r = sscanf(line, "%*s %*s %*s %lx %*s %*s %*s %108s", &flags,
			   p) == 2 &&
		    (flags & 0x10000) && !strcmp(p, path);
	fclose(f);
	return r;
}

static void note(struct vm_applies *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void note(struct vm_applies *a, const char *fmt, ...)
{
	size_t n = strlen(a->note);
	va_list ap;

	if (n && n + 2 < sizeof(a->note)) {
		memcpy(a->note + n, "; ", 3);
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(a->note + n, sizeof(a->note) - n, fmt, ap);
	va_end(ap);
}

/* Does the running VM have the device?  (-1: could not tell.) */
static int live_has(virDomainPtr dom)
{
	struct pvctl_shmem_result res;
	char *xml = virDomainGetXMLDesc(dom, 0), why[256];
	int r;

	if (!xml)
		return -1;
	r = pvctl_shmem_edit(xml, strlen(xml), NULL, PVCTL_SHMEM_LEAVE, NULL,
			     &res, why, sizeof(why));
	free(xml);
	return r < 0 ? -1 : res.ours > 0;
}

/* Attach the device to the running VM if its server listens: 0 done, -1
 * not, with the reason noted. */
static int attach_now(virDomainPtr dom, const struct pvctl_shmem_result *res,
		      struct vm_applies *a)
{
	const char *msg;
	char *xml;
	int r;

	if (!served(res->id.path)) {
		note(a,
		     "not attached to the running VM: no pvabi server "
		     "listens on %s",
		     res->id.path);
		return -1;
	}
	xml = pvctl_shmem_device_xml(&res->id, res->vectors);
	if (!xml) {
		note(a, "not attached to the running VM: out of memory");
		return -1;
	}
	r = virDomainAttachDeviceFlags(dom, xml, VIR_DOMAIN_AFFECT_LIVE);
	free(xml);
	if (r == 0) {
		/* libvirt applies <qemu:override> to the command line only. */
		note(a, "attached to the running VM; its master setting "
			"(migration) from its next boot");
		return 0;
	}
	msg = virGetLastErrorMessage();
	note(a, "not attached to the running VM: %s",
	     msg ? msg : "libvirt error");
	return -1;
}

/* When a change of the settings alone applies. */
static const char *settings_applies(bool changed, bool enabled, bool live)
{
	if (!changed)
		return VM_APPLIES_UNCHANGED;
	if (!enabled)
		return VM_APPLIES_WHEN_ENABLED;
	return live ? VM_APPLIES_NEXT_NEGOTIATION : VM_APPLIES_NEXT_BOOT;
}

/* When a change with the device applies, the live half written. */
static const char *device_applies(virDomainPtr dom, enum pvctl_shmem_want want,
				  const struct pvctl_shmem_result *res,
				  bool changed, struct vm_applies *a)
{
	bool any = changed || res->device_changed;
	int has = virDomainIsActive(dom) == 1 ? live_has(dom) : 0;

	if (res->repaired)
		note(a, "pvabi's device, edited by hand, was rewritten");
	if (want == PVCTL_SHMEM_REMOVE && res->squatters)
		note(a, "shmem device '%s' on pvabi's socket was left in place",
		     res->squatter);
	if (virDomainIsActive(dom) != 1)
		return any ? VM_APPLIES_NEXT_BOOT : VM_APPLIES_UNCHANGED;
	if (want == PVCTL_SHMEM_REMOVE) {
		if (has == 0)
			return any ? VM_APPLIES_NOW : VM_APPLIES_UNCHANGED;
		if (any)
			note(a, "the running VM keeps pvabi's device until it "
				"stops");
		return any ? VM_APPLIES_NEXT_BOOT : VM_APPLIES_UNCHANGED;
	}
	if (has == 1)
		return res->repaired ? VM_APPLIES_NEXT_BOOT
		       : any	     ? VM_APPLIES_NOW
				     : VM_APPLIES_UNCHANGED;
	return attach_now(dom, res, a) == 0 ? VM_APPLIES_NOW
					    : VM_APPLIES_NEXT_BOOT;
}

int shmem_store(struct pvctld *c, virDomainPtr dom,
		const struct pvctl_vm_settings *old,
		const struct pvctl_vm_settings *s, enum pvctl_shmem_want want,
		struct vm_applies *a, sd_bus_error *error)
{
	const char *name = virDomainGetName(dom);
	bool changed = !old || !pvctl_settings_equal(old, s);
	struct pvctl_shmem_result res = {.ours = 0};
	struct virt_definition def = {NULL, NULL};
	char *before = NULL, *after = NULL, *moved = NULL, why[512];
	/* Patch policy "host" boots pvabi's copy of a direct-boot kernel
	 * (libpvctl/kernel.h): a change to or from it moves <kernel>. */
	bool host = s->patch.mode == PVABI_PATCH_HOST;
	bool kernel = host || !old || old->patch.mode == PVABI_PATCH_HOST;
	bool redefine = false;
	int r = 0;

	a->when = VM_APPLIES_UNCHANGED;
	a->note[0] = '\0';
	if ((want != PVCTL_SHMEM_LEAVE || kernel) &&
	    virDomainIsPersistent(dom) == 1) {
		before = virDomainGetXMLDesc(
			dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
		if (!before)
			return virt_libvirt_error(c, error, name);
		r = pvctl_shmem_edit(before, strlen(before), s, want, &after,
				     &res, why, sizeof(why));
		if (r == PVABI_E_NOMEM)
			r = sd_bus_error_set_errno(error, -ENOMEM);
		else if (r < 0)
			r = sd_bus_error_setf(error,
					      r == PVABI_E_POLICY
						      ? PVCTLD_ERROR_DEVICE
						      : PVCTLD_ERROR_LIBVIRT,
					      "VM '%s': %s", name, why);
		if (r >= 0 && kernel) {
			r = pvctl_kernel_edit(after, strlen(after), host,
					      &moved, why, sizeof(why));
			if (r < 0)
				r = sd_bus_error_setf(error,
						      PVCTLD_ERROR_LIBVIRT,
						      "VM '%s': %s", name, why);
		}
		if (r < 0)
			goto out;
		redefine = res.device_changed || r > 0;
		if (r > 0)
			note(a, "its <kernel> is now %s",
			     host ? "pvabi's patched copy"
				  : "the original again");
		def = (struct virt_definition){moved ? moved : after, before};
	} else if (want == PVCTL_SHMEM_ENSURE) {
		r = sd_bus_error_setf(error, PVCTLD_ERROR_DEVICE,
				      "VM '%s' is transient: pvabi's device "
				      "goes into a persistent definition "
				      "('virsh define' it first)",
				      name);
		goto out;
	}
	/* Between reading the definition and writing it back, someone else's
	 * edit would be lost: libvirt has no compare-and-swap.  It is the
	 * same window 'virsh edit' has. */
	if (changed || redefine)
		r = virt_write_settings(c, dom, s, redefine ? &def : NULL,
					error);
	if (r < 0)
		goto out;
	/* The server listens before the device is plugged in: QEMU connects
	 * while it realizes the device. */
	if (want == PVCTL_SHMEM_ENSURE)
		vmsock_follow(c, dom, s);
	a->when = want == PVCTL_SHMEM_LEAVE
			  ? settings_applies(changed, s->enabled,
					     virDomainIsActive(dom) == 1)
		  : before ? device_applies(dom, want, &res, changed, a)
			   : settings_applies(changed, true,
					      virDomainIsActive(dom) == 1);
out:
	free(moved);
	free(after);
	free(before);
	return r < 0 ? r : 0;
}
