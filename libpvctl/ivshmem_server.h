/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An ivshmem-doorbell server for one VM, on an sd-event loop: it listens on
 * a UNIX socket and hands each QEMU that connects the VM's region
 * (ivshmem_region.h) in QEMU's protocol (ivshmem_proto.h).
 *
 * - Peer 1 is pvabi.ko, with n_vectors vectors: the region's doorbell
 *   eventfds.  Every client gets ID 0 (ivshmem_proto.h says why) and
 *   n_vectors eventfds of its own, created here: its interrupts, one per
 *   vCPU (MSI-X vector).
 * - Any number of clients over time, at most PVCTL_IVSHMEM_MAX_CLIENTS at
 *   once (QEMU restarts; an incoming migration connects while its source
 *   is still connected).  The region is opened when the first client
 *   connects (or pvctl_ivshmem_server_hold()) and kept until the server is
 *   freed or told to forget it: every QEMU of the VM, before and after a
 *   virsh save/restore, gets the same region, the same doorbells, and
 *   fresh interrupt eventfds.
 * - The module's interrupts go to the oldest client's eventfds; when it
 *   leaves, to the next oldest's.
 * - Nothing blocks: messages that do not fit in the socket go out when it
 *   is writable again (per client, only the index of the next message is
 *   kept).  A client that sends anything, or that the peer check refuses,
 *   is dropped: QEMU never sends.
 * - When the server is freed with clients connected, each is told that
 *   the module (peer 1) is gone, so its guest's doorbell writes go nowhere.
 */
#ifndef PVCTL_IVSHMEM_SERVER_H
#define PVCTL_IVSHMEM_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <systemd/sd-event.h>

#include "ivshmem_region.h"

#define PVCTL_IVSHMEM_MAX_CLIENTS 4

struct pvctl_ivshmem_opts {
	const char *path;   /* the socket; a stale socket there is replaced */
	mode_t mode;	    /* the socket file's mode */
	uid_t allow_uid;    /* who may connect besides root; (uid_t)-1: any */
	uint32_t n_vectors; /* 1 ... PVCTL_IVSHMEM_MAX_VECTORS */
	/* Opens the VM's region for the first client: 0, or a negative
	 * errno with @why.  The region must have n_vectors vCPUs. */
	int (*open_region)(void *arg, struct pvctl_region **out, char *why,
			   size_t whylen);
	/* One line about a client (optional). */
	void (*log)(void *arg, const char *line);
	void *arg;
};

struct pvctl_ivshmem_server;

/*
 * pvctl_ivshmem_server_new - listen on @o->path
 * Returns 0, or a negative errno with @why: -EINVAL (bad options, a path
 * too long for a socket), -EEXIST (something not a socket is there), or
 * what socket(), bind(), listen() or sd_event returned.
 */
int pvctl_ivshmem_server_new(sd_event *e, const struct pvctl_ivshmem_opts *o,
			     struct pvctl_ivshmem_server **out, char *why,
			     size_t whylen);

/* Tell the clients the module is gone, drop them, close and remove the
 * socket (if it is still this server's), let the region go.  NULL is
 * fine. */
void pvctl_ivshmem_server_free(struct pvctl_ivshmem_server *s);

/* Open the region now rather than at the first client (a VM whose VMM runs
 * already: pvctld restarted).  0, or open_region's negative errno. */
int pvctl_ivshmem_server_hold(struct pvctl_ivshmem_server *s);
bool pvctl_ivshmem_server_holds(const struct pvctl_ivshmem_server *s);
/* The region held now, or NULL. */
const struct pvctl_region *
pvctl_ivshmem_server_region(const struct pvctl_ivshmem_server *s);

/* Let the region go, so the next client gets a new one (the VM stopped for
 * good: its next boot starts afresh).  -EBUSY while clients are connected. */
int pvctl_ivshmem_server_forget(struct pvctl_ivshmem_server *s);

/* Write 1 to every doorbell of the region: an exit of each vCPU, at which
 * the module decides again and writes its outstanding posts again (after
 * QEMU wrote a saved region back).  Returns the doorbells rung. */
unsigned int pvctl_ivshmem_server_ring(struct pvctl_ivshmem_server *s);

/* Clients connected now, and clients served since the start. */
unsigned int pvctl_ivshmem_server_clients(const struct pvctl_ivshmem_server *s);
uint64_t pvctl_ivshmem_server_served(const struct pvctl_ivshmem_server *s);

#endif
