/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pvctld: all of the daemon's state, and what its files share. */
#ifndef PVCTLD_H
#define PVCTLD_H

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <string.h>

#include <libvirt/libvirt.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#define _cleanup_(f) __attribute__((cleanup(f)))

#include "conf.h"
#include "settings.h"
#include "shmem.h"

#define PVCTLD_BUS_NAME	 "org.pvabi.pvctl1"
#define PVCTLD_OBJECT	 "/org/pvabi/pvctl1"
#define PVCTLD_INTERFACE "org.pvabi.pvctl1.Manager"
/* One object per libvirt domain below PVCTLD_VM_PREFIX (objects.c). */
#define PVCTLD_VM_PREFIX		 "/org/pvabi/pvctl1/vm"
#define PVCTLD_VM_INTERFACE		 "org.pvabi.pvctl1.VM"
#define PVCTLD_ERROR_NO_SUCH_VM		 "org.pvabi.pvctl1.NoSuchVM"
#define PVCTLD_ERROR_BAD_METADATA	 "org.pvabi.pvctl1.BadMetadata"
#define PVCTLD_ERROR_LIBVIRT		 "org.pvabi.pvctl1.LibvirtError"
#define PVCTLD_ERROR_LIBVIRT_UNAVAILABLE "org.pvabi.pvctl1.LibvirtUnavailable"
#define PVCTLD_ERROR_DEVICE		 "org.pvabi.pvctl1.DeviceConflict"

/* polkit actions (org.pvabi.pvctl1.policy). */
#define AUTH_ACTION_READ   "org.pvabi.pvctl1.read"
#define AUTH_ACTION_MANAGE "org.pvabi.pvctl1.manage"
#define AUTH_ACTION_PATCH  "org.pvabi.pvctl1.set-patch-policy"

/* A libvirt lifecycle event, handed from libvirt's event thread to the
 * sd-event loop that owns the bus. */
struct pvctld_event {
	struct pvctld_event *next;
	char *name;
	char uuid[VIR_UUID_STRING_BUFLEN];
	const char *what;
	int event, detail; /* libvirt's lifecycle event; -1: none */
};

/* A VM of pvabi.ko (kmod.c) and what its vCPUs negotiated. */
struct kmod_vm {
	uint32_t id;
	char name[64];
	bool has_uuid;
	unsigned char uuid[16];
	uint64_t negotiated; /* bit i: vCPU i negotiated */
	uint32_t version[64];
	uint64_t features[64];
};

/* A VM's settings as the bus shows them (ListVMs, GetVM, the properties). */
struct vm_text {
	char versions[32], features[512], patch[PVCTL_PATCH_TEXT_MAX];
};

/* The VM object a message is about, as objects.c's find() loaded it for the
 * property getters and method handlers of that one message. */
struct vm_view {
	struct pvctld *c;
	char uuid[VIR_UUID_STRING_BUFLEN];
	bool loaded; /* false for a VM method: looked up once authorized */
	char name[256];
	char state[32];
	int enabled;
	struct vm_text text;
	const struct kmod_vm *kmod; /* NULL: nothing negotiated */
};

struct pvctld {
	struct pvctl_config config;
	const char *uri; /* config.connect, for the Connection property ("":
			  * libvirt's default) */
	gid_t group; /* may change settings without polkit; (gid_t)-1: none */
	sd_event *event;
	sd_bus *bus;

	virConnectPtr conn; /* NULL while libvirt is unavailable */
	int lifecycle_id, metadata_id;
	int wake_fd;
	sd_event_source *wake_source;

	/* Guards what libvirt's event thread and the connect thread hand
	 * to the loop: the event queue, the close, the connect result. */
	pthread_mutex_t lock;
	struct pvctld_event *queue, **queue_tail;
	bool conn_closed;
	const char *closed_why;
	bool open_done;
	virConnectPtr opened;
	char open_why[256];

	/* Reconnecting (connection.c), on the loop only. */
	sd_event_source *retry_source;
	pthread_t connector;
	bool connecting;
	unsigned int retry_ms, attempts, reconnects;
	uint64_t lost_usec;
	bool ever_connected;
	char uri_seen[1024];	   /* what libvirt's default resolved to */
	char unavailable_why[256]; /* the last failure, for STATUS */

	bool netlink_absent_logged;

	struct vmsock *vmsocks; /* vmsock.c: enabled VMs' ivshmem sockets */
	/* pvabi.ko (kmod.c), on the loop only: its events, the timer that
	 * notices it come and go, and its VMs. */
	struct pvctl_genl *kmod_events;
	sd_event_source *kmod_io, *kmod_timer;
	bool kmod_offer_pushed;
	struct kmod_vm *kmod_vms;
	size_t n_kmod_vms, cap_kmod_vms;

	/* Authorization (auth.c), on the loop only: the calls being decided,
	 * and whether polkit is installed, followed on the bus. */
	struct auth_query *auth_queries;
	bool polkit_owned, polkit_activatable;
	sd_bus_slot *activatable_slot;

	/* The VM objects (objects.c), on the loop only: the view of the one a
	 * message is about, and the UUIDs the bus was told exist (sorted),
	 * which InterfacesAdded and InterfacesRemoved keep in step. */
	struct vm_view view;
	bool emitting; /* find() loads the view even inside a VM method */
	unsigned char (*known)[VIR_UUID_BUFLEN];
	size_t n_known, cap_known;
	/* The domains the enumerator listed for the message being answered
	 * (sorted by UUID), which find() uses rather than a lookup each. */
	struct listed_domain *listed;
	size_t n_listed;
	sd_bus_message *listed_for;
	uint64_t listed_cookie;
	sd_event_source *listed_drop;
	/* The last metadata text virt_read_settings parsed, the defaults it
	 * was parsed over, and what it gave (virt.c). */
	struct {
		char *xml;
		struct pvctl_vm_settings in, out;
	} parsed;
};

/* main.c: one line on stderr, which journald reads.  Returns -|err|. */
void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int log_error_errno(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* connection.c: the libvirt connection, kept up by itself.  virt_open()
 * fails only for the machinery; libvirt not answering is not fatal. */
int virt_open(struct pvctld *c);
/* The URI for messages: the configured one, else what libvirt's default
 * resolved to once connected, else LIBVIRT_DEFAULT_URI, else "libvirt's
 * default URI". */
const char *virt_uri_name(const struct pvctld *c);
/* sd_notify STATUS= (after @also, e.g. "READY=1\n"): serving, and libvirt
 * connected or why not. */
void virt_notify_status(struct pvctld *c, const char *also);
void virt_close(struct pvctld *c);
int virt_schedule_retry(struct pvctld *c);
/* The connection, or NULL with @error set to LibvirtUnavailable. */
virConnectPtr virt_conn(struct pvctld *c, sd_bus_error *error);
/* libvirt's last error as LibvirtError, or as LibvirtUnavailable (and a
 * reconnect) when the connection turns out to be dead. */
int virt_libvirt_error(struct pvctld *c, sd_bus_error *error, const char *what);

/* virt.c: the libvirt side, domain by domain. */
int virt_lookup(struct pvctld *c, const char *name, virDomainPtr *dom,
		sd_bus_error *error);
int virt_read_settings(struct pvctld *c, virDomainPtr dom,
		       struct pvctl_vm_settings *s, sd_bus_error *error);
/* A whole persistent definition written instead of the metadata alone
 * (shmem.c's device changes), and the one it replaces, to put back. */
struct virt_definition {
	const char *after, *before;
};
int virt_write_settings(struct pvctld *c, virDomainPtr dom,
			const struct pvctl_vm_settings *s,
			const struct virt_definition *def, sd_bus_error *error);
const char *virt_state(virDomainPtr dom);

/* bus.c: the D-Bus objects. */
int bus_setup(struct pvctld *c);
/* VMChanged(name, what) on the Manager, and PropertiesChanged (or, when the
 * domain came or went, InterfacesAdded or InterfacesRemoved) on the VM's
 * object, @uuid its UUID string (NULL: looked up by @name). */
int bus_emit_vm_changed(struct pvctld *c, const char *name, const char *uuid,
			const char *what);

/* Which VM a call is about: a name (or UUID) a Manager caller gave, or the
 * UUID of the VM object it was sent to. */
struct vm_key {
	const char *text;
	bool uuid;
};
/* The change paths the Manager and the VM objects share (bus.c).  Each
 * starts once the arguments are read and checked: it authorizes, looks the
 * VM up, acts and replies, as a method handler returns. */
int bus_change(struct pvctld *c, sd_bus_message *m, const struct vm_key *k,
	       struct pvctl_change *ch, const char *text, const char *action,
	       sd_bus_error *error);
int bus_reset(struct pvctld *c, sd_bus_message *m, const struct vm_key *k,
	      sd_bus_error *error);
int bus_check_migration(struct pvctld *c, sd_bus_message *m,
			const struct vm_key *k, const void *blob, size_t len,
			sd_bus_error *error);
int bus_lookup(struct pvctld *c, const struct vm_key *k, virDomainPtr *dom,
	       sd_bus_error *error);
int bus_settings_text(const struct pvctl_vm_settings *s, struct vm_text *t);
/* What @vm's vCPUs negotiated, as a(uut) (GetNegotiated, Negotiated). */
int bus_append_negotiated(sd_bus_message *m, const struct kmod_vm *vm);

/* objects.c: the VM objects under an ObjectManager. */
int objects_setup(struct pvctld *c);
void objects_done(struct pvctld *c);
/* The VM with @uuid (a string; NULL: the domain named @name) changed for
 * @what (VMChanged's word), or came or went: PropertiesChanged with what
 * @what may have changed, InterfacesAdded or InterfacesRemoved. */
void objects_changed(struct pvctld *c, const char *uuid, const char *name,
		     const char *what);
/* After a reconnect: objects added and removed while pvctld was cut off. */
void objects_resync(struct pvctld *c);
/* The object path of the domain with @uuid (a string), free()d by the caller.
 */
int objects_path(const char *uuid, char **path);

/* auth.c: may the sender of @m do @action?  0: yes, go on.  1: the question
 * is out; the handler returns 1 and runs again with the same @m once the
 * answer is in.  Or a negative errno with @error set: no.  Call it before
 * looking anything up, in the same place on every run of the handler. */
int auth_check(struct pvctld *c, sd_bus_message *m, const char *action,
	       sd_bus_error *error);
/* Find out whether polkit is installed and follow it; log the rule. */
int auth_setup(struct pvctld *c);
/* Drop the calls still being decided (at exit). */
void auth_done(struct pvctld *c);

/* kmod.c: push the offer, follow the module's VMs; the VM with @uuid, or
 * else @name. */
int kmod_setup(struct pvctld *c);
void kmod_done(struct pvctld *c);
const struct kmod_vm *kmod_find(struct pvctld *c, const unsigned char *uuid,
				const char *name);

/* shmem.c: when a change applies (the D-Bus reply's "applies"), and why
 * (its "note", "" when there is nothing to add). */
#define VM_APPLIES_UNCHANGED	    "unchanged"
#define VM_APPLIES_NOW		    "now"
#define VM_APPLIES_NEXT_NEGOTIATION "next-negotiation"
#define VM_APPLIES_NEXT_BOOT	    "next-boot"
#define VM_APPLIES_WHEN_ENABLED	    "when-enabled"
struct vm_applies {
	const char *when;
	char note[512];
};
/* Write @s as @dom's settings (@old: what it held, NULL when unknown) and do
 * @want with pvabi's device, all or nothing; say in @a when it applies. */
int shmem_store(struct pvctld *c, virDomainPtr dom,
		const struct pvctl_vm_settings *old,
		const struct pvctl_vm_settings *s, enum pvctl_shmem_want want,
		struct vm_applies *a, sd_bus_error *error);

/* virt.c: hand a VM's settings to the kernel module, if it is loaded. */
void push_vm(struct pvctld *c, virDomainPtr dom,
	     const struct pvctl_vm_settings *s);
/* The same to module VM @vm_id (0: the one with the domain's UUID). */
void push_vm_to(struct pvctld *c, virDomainPtr dom,
		const struct pvctl_vm_settings *s, uint32_t vm_id);

/* vmsock.c: the ivshmem-doorbell socket of an enabled VM: opened (or kept)
 * when @s says enabled, closed otherwise, or when the VM is undefined. */
void vmsock_follow(struct pvctld *c, virDomainPtr dom,
		   const struct pvctl_vm_settings *s);
void vmsock_forget(struct pvctld *c, const char *name);
/* A libvirt lifecycle event of VM @name: ring its doorbells when its guest
 * runs again, let its region go when it stopped for good, close its socket
 * when it was disabled while running. */
void vmsock_lifecycle(struct pvctld *c, const char *name, int event,
		      int detail);
/* The module has a VM with @uuid: serve its region if its socket does not
 * yet (pvctld started while the VM's QEMU ran). */
void vmsock_adopt(struct pvctld *c, const unsigned char *uuid);
void vmsock_open_all(struct pvctld *c);
void vmsock_close_all(struct pvctld *c);

#endif
