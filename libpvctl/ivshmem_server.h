/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An ivshmem-doorbell server for one VM, on an sd-event loop: it listens on
 * a UNIX socket and hands each QEMU that connects the VM's region
 * (ivshmem_region.h) in QEMU's protocol (ivshmem_proto.h).
 *
 * - Peer 0 is pvabi.ko, with n_vectors vectors: the region's doorbell
 *   eventfds.  Each client gets an ID >= 1 (cyclically over 1 ... 65535,
 *   skipping those in use) and n_vectors eventfds of its own, created here:
 *   its interrupts, one per vCPU (MSI-X vector).
 * - Any number of clients over time, at most PVCTL_IVSHMEM_MAX_CLIENTS at
 *   once (QEMU restarts; an incoming migration connects while its source
 *   is still connected).  The region is opened when the first client
 *   connects and freed when the last one leaves: one region per run of the
 *   VM, shared by a migration's source and destination.
 * - The module's interrupts go to the oldest client's eventfds; when it
 *   leaves, to the next oldest's.
 * - Nothing blocks: messages that do not fit in the socket go out when it
 *   is writable again (per client, only the index of the next message is
 *   kept).  A client that sends anything, or that the peer check refuses,
 *   is dropped: QEMU never sends.
 * - When the server is freed with clients connected, each is told that
 *   peer 0 is gone, so its guest's doorbell writes go nowhere.
 */
#ifndef PVCTL_IVSHMEM_SERVER_H
#define PVCTL_IVSHMEM_SERVER_H

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

/* Tell the clients peer 0 is gone, drop them, close and remove the socket
 * (if it is still this server's).  NULL is fine. */
void pvctl_ivshmem_server_free(struct pvctl_ivshmem_server *s);

/* Clients connected now, and IDs handed out since the start. */
unsigned int pvctl_ivshmem_server_clients(const struct pvctl_ivshmem_server *s);
uint64_t pvctl_ivshmem_server_served(const struct pvctl_ivshmem_server *s);

#endif
