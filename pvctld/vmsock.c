// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pvctld's ivshmem-doorbell sockets: one per enabled VM, at
 * $RUNTIME_DIRECTORY/<uuid>.sock (systemd's RuntimeDirectory=pvabi, so
 * /run/pvabi/), served on the daemon's loop by libpvctl/ivshmem_server.h
 * with the VM's region from pvabi.ko.
 *
 * A socket listens from pvctld's start (every enabled VM) or the VM's
 * enable, before QEMU needs it: QEMU connects while it realizes the device
 * and fails to start when nobody listens.  It closes on undefine, and on
 * disable once the VM is not running (a running VM keeps its device, and
 * its doorbells, until it stops: the module's policy already refuses it
 * pvabi); a QEMU still connected is told the module is gone.  The module's
 * VM is created when the first QEMU connects (without the module, that
 * QEMU is refused and does not start: a domain with the device needs
 * pvabi.ko).
 *
 * The region, and with it the module VM, is kept across the VM's QEMU
 * processes (vmsock_lifecycle): a virsh save / restore or a migration
 * hands the new QEMU the same region with the guest's pages, pending
 * vectors and negotiation, and fresh interrupt eventfds.  Once the
 * restored guest runs (libvirt's started and resumed events) every vCPU's
 * doorbell is rung, so the module writes again what QEMU's restore wrote
 * over.  A VM that stops for good (shut down, destroyed, crashed) lets the
 * region go: its next boot starts afresh.  When pvctld starts while a VM's
 * QEMU runs (it was killed, or restarted), kmod.c finds the module VM by
 * UUID and vmsock_adopt() takes its region and doorbells back
 * (PVABI_OPEN_VM): the socket serves the same region again.
 *
 * Under systemd the VM fd and region fd of each region held also go into
 * the service's fd store (FDSTORE=1, names pvabi-vm-<uuid> and
 * pvabi-region-<uuid>; FileDescriptorStoreMax= in pvctld.service), and out
 * of it when the region is let go.  A pvctld that systemd restarts gets
 * them back (LISTEN_FDS) and serves those VMs from them at once: that also
 * keeps a VM's module state while no QEMU holds it (a saved domain) and
 * pvctld is down, which PVABI_OPEN_VM cannot (the module VM would be gone).
 *
 * Who may connect: libvirt runs QEMU as its own user (qemu.conf's user,
 * Debian's default libvirt-qemu, group kvm), which is neither pvctld nor
 * in its group.  The socket is 0666 in a 0755 directory, and the server
 * checks each client's credentials (SO_PEERCRED, attested by the kernel at
 * connect): root or QEMU's user, everyone else is refused.
 */
#include <ctype.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "ivshmem_server.h"
#include "pvctld.h"

#define VMSOCK_DIR_DEFAULT "/run/pvabi"
/* libvirt's QEMU user: Debian's, then Fedora's. */
static const char *const qemu_users[] = {"libvirt-qemu", "qemu"};

struct vmsock {
	struct vmsock *next;
	unsigned char uuid[VIR_UUID_BUFLEN];
	char uuid_str[VIR_UUID_STRING_BUFLEN];
	char name[256];
	uint32_t n_vcpus;
	bool disabled;	/* disabled while running: closes when it stops */
	bool stored;	/* its fds are in systemd's fd store */
	int kept_vm_fd; /* from the fd store at start, until used; or -1 */
	struct pvctl_ivshmem_server *server;
};

/* fds systemd handed back at start, by UUID, until a VM takes them. */
struct kept_fd {
	unsigned char uuid[VIR_UUID_BUFLEN];
	bool region; /* else the VM fd */
	int fd;
};
static struct kept_fd *kept;
static size_t n_kept;

#define FDNAME_VM     "pvabi-vm-"
#define FDNAME_REGION "pvabi-region-"

/* systemd's fd store: put @r's VM fd and region fd in, after taking out
 * what @v had there (@r NULL: only that).  Without systemd (no
 * $NOTIFY_SOCKET) nothing happens. */
static void fd_store(struct vmsock *v, const struct pvctl_region *r)
{
	int fds[2] = {pvctl_region_vm_fd(r), r ? r->fd : -1};
	char msg[128];

	for (int i = 0; i < 2 && v->stored; i++) {
		snprintf(msg, sizeof(msg), "FDSTOREREMOVE=1\nFDNAME=%s%s",
			 i ? FDNAME_REGION : FDNAME_VM, v->uuid_str);
		sd_notify(0, msg);
	}
	v->stored = false;
	for (int i = 0; i < 2 && fds[0] >= 0 && fds[1] >= 0; i++) {
		snprintf(msg, sizeof(msg), "FDSTORE=1\nFDNAME=%s%s",
			 i ? FDNAME_REGION : FDNAME_VM, v->uuid_str);
		v->stored |= sd_pid_notify_with_fds(0, 0, msg, &fds[i], 1) > 0;
	}
}

/* The kept VM fd of @uuid, or -1; its kept region fd is closed (the VM fd
 * reopens the region). */
static int take_kept(const unsigned char *uuid)
{
	int vm_fd = -1;

	for (size_t i = 0; i < n_kept; i++) {
		if (kept[i].fd < 0 ||
		    memcmp(kept[i].uuid, uuid, VIR_UUID_BUFLEN))
			continue;
		if (kept[i].region)
			close(kept[i].fd);
		else
			vm_fd = kept[i].fd;
		kept[i].fd = -1;
	}
	return vm_fd;
}

static void vmsock_log(void *arg, const char *line)
{
	log_msg("%s", line);
}

static int open_region(void *arg, struct pvctl_region **out, char *why,
		       size_t whylen)
{
	struct vmsock *v = arg;
	int r;

	if (v->kept_vm_fd >= 0) {
		r = pvctl_region_adopt_pvabi(v->kept_vm_fd, v->n_vcpus, out,
					     why, whylen);
		v->kept_vm_fd = -1;
	} else {
		r = pvctl_region_open_pvabi(v->uuid, v->name, v->n_vcpus, out,
					    why, whylen);
	}
	if (r == 0)
		fd_store(v, *out);
	return r;
}

static uid_t qemu_uid(void)
{
	for (size_t i = 0; i < sizeof(qemu_users) / sizeof(*qemu_users); i++) {
		struct passwd *pw = getpwnam(qemu_users[i]);

		if (pw)
			return pw->pw_uid;
	}
	return 0; /* root alone */
}

static int vmsock_open(struct pvctld *c, struct vmsock *v)
{
	const char *dir = getenv("RUNTIME_DIRECTORY");
	char path[PATH_MAX], why[256];
	struct pvctl_ivshmem_opts o = {
		.path = path,
		.mode = 0666,
		.allow_uid = qemu_uid(),
		.n_vectors = v->n_vcpus,
		.open_region = open_region,
		.log = vmsock_log,
		.arg = v,
	};
	int r;

	/* Started without systemd's RuntimeDirectory=: make the default
	 * one, as systemd would (a failure shows as bind's). */
	if (!(dir && *dir))
		(void)mkdir(VMSOCK_DIR_DEFAULT, 0755);
	/* RUNTIME_DIRECTORY may list several, separated by ':'. */
	snprintf(path, sizeof(path), "%.*s/%s.sock",
		 dir && *dir ? (int)strcspn(dir, ":")
			     : (int)strlen(VMSOCK_DIR_DEFAULT),
		 dir && *dir ? dir : VMSOCK_DIR_DEFAULT, v->uuid_str);
	r = pvctl_ivshmem_server_new(c->event, &o, &v->server, why,
				     sizeof(why));
	if (r < 0)
		return log_msg("VM '%s': no ivshmem socket: %s", v->name, why),
		       r;
	log_msg("VM '%s': serving its pvabi region to QEMU on %s (%u vectors)",
		v->name, path, v->n_vcpus);
	return 0;
}

static void vmsock_close(struct pvctld *c, struct vmsock **pp)
{
	struct vmsock *v = *pp;

	*pp = v->next;
	if (v->server)
		log_msg("VM '%s': ivshmem socket closed", v->name);
	fd_store(v, NULL);
	pvctl_ivshmem_server_free(v->server);
	if (v->kept_vm_fd >= 0)
		close(v->kept_vm_fd);
	free(v);
}

static struct vmsock **find_uuid(struct pvctld *c, const unsigned char *uuid)
{
	struct vmsock **pp = &c->vmsocks;

	while (*pp && memcmp((*pp)->uuid, uuid, VIR_UUID_BUFLEN))
		pp = &(*pp)->next;
	return pp;
}

/* Serve the module VM that exists for @v from now on. */
static void vmsock_hold(struct vmsock *v, const char *how)
{
	int r = pvctl_ivshmem_server_hold(v->server);

	if (r < 0)
		log_msg("VM '%s': its module VM is not taken back (%s): %s",
			v->name, how, strerror(-r));
	else
		log_msg("VM '%s': its module VM and region taken back (%s); "
			"serving them again",
			v->name, how);
}

static struct vmsock **find_name(struct pvctld *c, const char *name)
{
	struct vmsock **pp = &c->vmsocks;

	while (*pp && strcmp((*pp)->name, name))
		pp = &(*pp)->next;
	return pp;
}

void vmsock_follow(struct pvctld *c, virDomainPtr dom,
		   const struct pvctl_vm_settings *s)
{
	unsigned char uuid[VIR_UUID_BUFLEN];
	char uuid_str[VIR_UUID_STRING_BUFLEN];
	const struct kmod_vm *k;
	struct vmsock **pp, *v;
	int n;

	if (virDomainGetUUID(dom, uuid) < 0)
		return;
	if (virDomainGetUUIDString(dom, uuid_str) < 0)
		return;
	pp = find_uuid(c, uuid);
	if (!s->enabled) {
		if (*pp && (*pp)->server &&
		    pvctl_ivshmem_server_clients((*pp)->server) &&
		    virDomainIsActive(dom) == 1)
			(*pp)->disabled = true;
		else if (*pp)
			vmsock_close(c, pp);
		return;
	}
	if (*pp)
		(*pp)->disabled = false;
	/* Known already, listening or not: nothing to ask libvirt, nothing
	 * to log again on every change of the VM's settings.  A socket that
	 * could not be opened is tried again on the next enable, or when
	 * pvctld starts; so is a changed vCPU maximum taken. */
	if (*pp)
		return;
	/* One vector per vCPU the domain can ever have (the <msi vectors>
	 * pvctl enable writes). */
	n = virDomainGetVcpusFlags(dom, VIR_DOMAIN_VCPU_MAXIMUM);
	if (n < 1)
		return;
	v = calloc(1, sizeof(*v));
	if (!v)
		return;
	memcpy(v->uuid, uuid, sizeof(uuid));
	memcpy(v->uuid_str, uuid_str, sizeof(uuid_str));
	snprintf(v->name, sizeof(v->name), "%s", virDomainGetName(dom));
	v->n_vcpus = (uint32_t)n;
	v->kept_vm_fd = take_kept(uuid);
	vmsock_open(c, v);
	k = kmod_find(c, uuid, NULL);
	if (v->server && v->kept_vm_fd >= 0)
		vmsock_hold(v, "from systemd's fd store");
	else if (v->server && k && k->has_uuid &&
		 !memcmp(k->uuid, uuid, sizeof(k->uuid)))
		vmsock_hold(v, "by its UUID");
	v->next = c->vmsocks;
	c->vmsocks = v;
}

void vmsock_forget(struct pvctld *c, const char *name)
{
	struct vmsock **pp = find_name(c, name);

	if (*pp)
		vmsock_close(c, pp);
}

void vmsock_lifecycle(struct pvctld *c, const char *name, int event, int detail)
{
	struct vmsock **pp = find_name(c, name), *v = *pp;
	unsigned int rung;

	if (!v || !v->server)
		return;
	switch (event) {
	case VIR_DOMAIN_EVENT_STARTED:
	case VIR_DOMAIN_EVENT_RESUMED:
		rung = pvctl_ivshmem_server_ring(v->server);
		if (rung && detail != VIR_DOMAIN_EVENT_STARTED_BOOTED)
			log_msg("VM '%s': %u doorbell%s rung (the guest runs "
				"again)",
				v->name, rung, rung == 1 ? "" : "s");
		break;
	case VIR_DOMAIN_EVENT_STOPPED:
		if (v->disabled) {
			vmsock_close(c, pp);
			break;
		}
		/* Saved or migrated: the guest goes on elsewhere, with its
		 * pages; otherwise its next boot starts afresh. */
		if (detail != VIR_DOMAIN_EVENT_STOPPED_SAVED &&
		    detail != VIR_DOMAIN_EVENT_STOPPED_MIGRATED &&
		    pvctl_ivshmem_server_forget(v->server) == 0)
			fd_store(v, NULL);
		break;
	default: break;
	}
}

void vmsock_adopt(struct pvctld *c, const unsigned char *uuid)
{
	struct vmsock *v = *find_uuid(c, uuid);

	if (v && v->server && !pvctl_ivshmem_server_holds(v->server))
		vmsock_hold(v, "by its UUID");
}

void vmsock_close_all(struct pvctld *c)
{
	while (c->vmsocks)
		vmsock_close(c, &c->vmsocks);
}

/* "pvabi-vm-<uuid>" or "pvabi-region-<uuid>" (36 characters with dashes):
 * its UUID in @k; false for any other name. */
static bool kept_name(const char *name, struct kept_fd *k)
{
	size_t lv = strlen(FDNAME_VM), lr = strlen(FDNAME_REGION), n = 0;
	const char *p;

	k->region = !strncmp(name, FDNAME_REGION, lr);
	if (!k->region && strncmp(name, FDNAME_VM, lv))
		return false;
	p = name + (k->region ? lr : lv);
	if (strlen(p) != VIR_UUID_STRING_BUFLEN - 1)
		return false;
	for (; *p && n < VIR_UUID_BUFLEN; p++) {
		if (*p == '-')
			continue;
		if (sscanf(p, "%2hhx", &k->uuid[n]) != 1 || !isxdigit(p[0]) ||
		    !isxdigit(p[1]))
			return false;
		n++;
		p++;
	}
	return n == VIR_UUID_BUFLEN && !*p;
}

/* What systemd's fd store handed back (LISTEN_FDS, with names). */
static void take_fd_store(void)
{
	char **names = NULL;
	int n = sd_listen_fds_with_names(1, &names);

	for (int i = 0; i < n; i++) {
		struct kept_fd k = {.fd = SD_LISTEN_FDS_START + i}, *grown;

		grown = names && names[i] && kept_name(names[i], &k)
				? realloc(kept, (n_kept + 1) * sizeof(*kept))
				: NULL;
		if (!grown) {
			close(k.fd);
			continue;
		}
		kept = grown;
		kept[n_kept++] = k;
	}
	if (n_kept)
		log_msg("systemd's fd store handed back %zu pvabi fd%s", n_kept,
			n_kept == 1 ? "" : "s");
	for (int i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
}

/* Kept fds no enabled VM took: out of the store, closed. */
static void drop_kept(void)
{
	char msg[128], uuid[VIR_UUID_STRING_BUFLEN];

	for (size_t i = 0; i < n_kept; i++) {
		const unsigned char *u = kept[i].uuid;

		if (kept[i].fd < 0)
			continue;
		snprintf(uuid, sizeof(uuid),
			 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
			 "%02x%02x%02x%02x%02x%02x",
			 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8],
			 u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
		snprintf(msg, sizeof(msg), "FDSTOREREMOVE=1\nFDNAME=%s%s",
			 kept[i].region ? FDNAME_REGION : FDNAME_VM, uuid);
		sd_notify(0, msg);
		close(kept[i].fd);
	}
	free(kept);
	kept = NULL;
	n_kept = 0;
}

/* At start: every enabled VM's socket, before its QEMU starts. */
void vmsock_open_all(struct pvctld *c)
{
	virDomainPtr *doms = NULL;
	int n;

	take_fd_store();
	n = c->conn ? virConnectListAllDomains(c->conn, &doms, 0) : -1;

	for (int i = 0; i < n; i++) {
		struct pvctl_vm_settings s;
		sd_bus_error err = SD_BUS_ERROR_NULL;

		if (virt_read_settings(c, doms[i], &s, &err) >= 0)
			vmsock_follow(c, doms[i], &s);
		sd_bus_error_free(&err);
		virDomainFree(doms[i]);
	}
	free(doms);
	drop_kept();
}
