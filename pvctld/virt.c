// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pvctld's libvirt side, domain by domain: settings in domain metadata, and
 * their push to the kernel module.  The connection is connection.c's.
 */
#include <string.h>

#include <libvirt/virterror.h>

#include "metadata.h"
#include "push.h"
#include "pvctld.h"

/*
 * A disabled VM is pushed with enabled 0: the module refuses its vCPUs'
 * negotiation (vCPUs that negotiated keep what they have until the VM is
 * started again).  A module without the VM (its VMM has not created it
 * yet) is not an error: kmod.c pushes when the module announces it.
 */
void push_vm(struct pvctld *c, virDomainPtr dom,
	     const struct pvctl_vm_settings *s)
{
	push_vm_to(c, dom, s, 0);
}

void push_vm_to(struct pvctld *c, virDomainPtr dom,
		const struct pvctl_vm_settings *s, uint32_t vm_id)
{
	unsigned char uuid[VIR_UUID_BUFLEN] = {0};
	struct push_policy p = {
		.uuid = uuid,
		.vm_id = vm_id,
		.name = virDomainGetName(dom),
		.min_version = pvabi_version_pack(s->lo),
		.max_version = pvabi_version_pack(s->hi),
		.features = s->features,
		.patch_mode = s->patch.mode,
		.enabled = s->enabled,
	};
	char why[256] = "";
	int r;

	virDomainGetUUID(dom, uuid);
	/* Wherever settings reach the module, the VM's socket follows. */
	vmsock_follow(c, dom, s);
	r = push_policy(&p, why, sizeof(why));
	if (r == -ESRCH && !vm_id) {
		/* No module VM with the UUID: one with the domain's name. */
		const struct kmod_vm *k = kmod_find(c, uuid, p.name);

		p.vm_id = k ? k->id : 0;
		if (p.vm_id)
			r = push_policy(&p, why, sizeof(why));
	}
	if (r == -ENOENT) {
		if (!c->netlink_absent_logged)
			log_msg("generic netlink family 'pvabi' absent (kernel "
				"module not loaded): settings stay in libvirt "
				"only");
		c->netlink_absent_logged = true;
		return;
	}
	c->netlink_absent_logged = false;
	if (r < 0 && r != -ESRCH)
		log_msg("VM '%s': pushing the policy to pvabi.ko: %s", p.name,
			why);
}

/* By name, or by UUID when no domain has that name. */
int virt_lookup(struct pvctld *c, const char *name, virDomainPtr *dom,
		sd_bus_error *error)
{
	virConnectPtr conn = virt_conn(c, error);

	*dom = NULL;
	if (!conn)
		return -EAGAIN;
	*dom = virDomainLookupByName(conn, name);
	if (!*dom && strlen(name) == VIR_UUID_STRING_BUFLEN - 1)
		*dom = virDomainLookupByUUIDString(conn, name);
	if (*dom)
		return 0;
	if (virGetLastErrorCode() == VIR_ERR_NO_DOMAIN)
		return sd_bus_error_setf(error, PVCTLD_ERROR_NO_SUCH_VM,
					 "no VM '%s'", name);
	return virt_libvirt_error(c, error, name);
}

int virt_read_settings(struct pvctld *c, virDomainPtr dom,
		       struct pvctl_vm_settings *s, sd_bus_error *error)
{
	const char *name = virDomainGetName(dom);
	char why[256], *xml;
	int r;

	pvctl_settings_default(s, &c->config.offer);
	xml = virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT,
				   PVCTL_METADATA_NS,
				   VIR_DOMAIN_AFFECT_CURRENT);
	if (!xml) {
		if (virGetLastErrorCode() == VIR_ERR_NO_DOMAIN_METADATA)
			return 0;
		return virt_libvirt_error(c, error, name);
	}
	/* Most of a host's VMs share their settings, and GetManagedObjects
	 * reads every one's: the same text over the same defaults gives what
	 * it gave last time, without the XML parser. */
	if (c->parsed.xml && !strcmp(c->parsed.xml, xml) &&
	    pvctl_settings_equal(&c->parsed.in, s)) {
		*s = c->parsed.out;
		free(xml);
		return 0;
	}
	free(c->parsed.xml);
	c->parsed.xml = NULL;
	c->parsed.in = *s;
	r = pvctl_metadata_parse(xml, strlen(xml), s, why, sizeof(why));
	if (r == 0) {
		c->parsed.xml = xml;
		c->parsed.out = *s;
	} else {
		free(xml);
	}
	if (r < 0)
		return sd_bus_error_setf(error, PVCTLD_ERROR_BAD_METADATA,
					 "VM '%s': pvabi metadata: %s", name,
					 why);
	return 0;
}

static int set_metadata(virDomainPtr dom, const char *xml, unsigned int flags)
{
	return virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, xml,
				    xml ? PVCTL_METADATA_PREFIX : NULL,
				    PVCTL_METADATA_NS, flags);
}

/*
 * The persistent half: the metadata alone, or (@def) a whole definition
 * holding it and pvabi's device, which libvirt writes in one go.
 */
static int write_config(virDomainPtr dom, const char *meta, const char *def)
{
	virDomainPtr d;

	if (!def)
		return set_metadata(dom, meta, VIR_DOMAIN_AFFECT_CONFIG);
	d = virDomainDefineXML(virDomainGetConnect(dom), def);
	if (!d)
		return -1;
	virDomainFree(d);
	return 0;
}

/*
 * A running persistent domain holds its settings twice, in the live and in
 * the persistent definition, and one virDomainSetMetadata with both flags
 * writes them one after the other: a failure between leaves them apart.  So
 * each half is written by itself, the persistent one first (it outlives the
 * run); when the live half then fails, the persistent one is put back, and
 * if even that fails the error says which half holds what.  libvirt writes
 * the persistent file atomically (a new file renamed over the old).
 */
int virt_write_settings(struct pvctld *c, virDomainPtr dom,
			const struct pvctl_vm_settings *s,
			const struct virt_definition *def, sd_bus_error *error)
{
	const char *name = virDomainGetName(dom);
	bool config = virDomainIsPersistent(dom) == 1;
	bool live = virDomainIsActive(dom) == 1;
	char *xml, *before = NULL;
	int r = 0;

	xml = pvctl_metadata_format(s, false);
	if (!xml)
		return sd_bus_error_set_errno(error, -ENOMEM);
	if (config && live && !def) {
		before = virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT,
					      PVCTL_METADATA_NS,
					      VIR_DOMAIN_AFFECT_CONFIG);
		if (!before &&
		    virGetLastErrorCode() != VIR_ERR_NO_DOMAIN_METADATA) {
			r = virt_libvirt_error(c, error, name);
			goto out;
		}
	}
	if (config && write_config(dom, xml, def ? def->after : NULL) < 0) {
		r = virt_libvirt_error(c, error, name);
		goto out;
	}
	if (live && set_metadata(dom, xml, VIR_DOMAIN_AFFECT_LIVE) < 0) {
		const char *msg = virGetLastErrorMessage();
		char why[512];

		snprintf(why, sizeof(why), "%s", msg ? msg : "libvirt error");
		if (config &&
		    write_config(dom, before, def ? def->before : NULL) < 0)
			r = sd_bus_error_setf(
				error, PVCTLD_ERROR_LIBVIRT,
				"%s: the running VM refused the change (%s) "
				"and "
				"the persistent definition could not be put "
				"back: the new settings take effect at the "
				"next boot, the running VM keeps the old ones",
				name, why);
		else
			r = sd_bus_error_setf(error, PVCTLD_ERROR_LIBVIRT,
					      "%s: the running VM refused the "
					      "change (%s); nothing changed",
					      name, why);
	}
out:
	free(before);
	free(xml);
	return r < 0 ? r : 0;
}

const char *virt_state(virDomainPtr dom)
{
	int state, reason;

	if (virDomainGetState(dom, &state, &reason, 0) < 0)
		return "unknown";
	switch (state) {
	case VIR_DOMAIN_RUNNING: return "running";
	case VIR_DOMAIN_BLOCKED: return "blocked";
	case VIR_DOMAIN_PAUSED: return "paused";
	case VIR_DOMAIN_SHUTDOWN: return "shutting-down";
	case VIR_DOMAIN_SHUTOFF: return "shut-off";
	case VIR_DOMAIN_CRASHED: return "crashed";
	case VIR_DOMAIN_PMSUSPENDED: return "pmsuspended";
	default: return "unknown";
	}
}
