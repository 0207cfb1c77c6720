/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ivshmem client-server protocol (QEMU's docs/specs/ivshmem-spec.rst),
 * as pvabi speaks it: the messages alone, no sockets, no OS.
 *
 * The server sends, the client never does.  A message is one 8-byte
 * little-endian signed number, with or without one file descriptor
 * (SCM_RIGHTS).  On connect a client receives, in order:
 *
 *   k = 0                 0 (the protocol version), no fd
 *   k = 1                 the client's own ID, no fd
 *   k = 2                 -1 with the shared memory (the region fd)
 *   k = 3 ... 2 + n       1 (peer 1, the module) with its vector k - 3's
 *                         eventfd: the doorbell of vCPU k - 3
 *   k = 3 + n ... 2 + 2n  the own ID with vector k - 3 - n's eventfd: the
 *                         interrupt of vCPU k - 3 - n (MSI-X vector)
 *
 * and later only "peer 1 gone" (1 without an fd) when the server stops
 * serving the VM while the client is still connected.
 *
 * pvabi's one peer is pvabi.ko, ID 1: a guest rings vCPU v's doorbell by
 * writing (1 << 16) | v to BAR0 offset 12, and finds the 1 in its control
 * page (doorbell_id, kmod/uapi/linux/pvabi.h).  Every QEMU client gets ID
 * 0: QEMU's ivshmem with master=on, the only role whose region migrates
 * (virsh save/restore, migration), refuses any other ID ("master must
 * connect to the server before any peers").  Clients never learn of one
 * another: two clients of one socket are one VM twice (an incoming
 * migration beside its source, both masters), and neither has a reason to
 * interrupt the other.
 */
#ifndef PVCTL_IVSHMEM_PROTO_H
#define PVCTL_IVSHMEM_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PVCTL_IVSHMEM_VERSION	0
#define PVCTL_IVSHMEM_MSG_SIZE	8
#define PVCTL_IVSHMEM_MODULE_ID 1
#define PVCTL_IVSHMEM_CLIENT_ID 0
/* The doorbell register has 16 bits for the peer ID, and for the vector. */
#define PVCTL_IVSHMEM_MAX_ID	  65535
#define PVCTL_IVSHMEM_MAX_VECTORS 65536u
/* What a refused client gets instead of the version, before the server
 * closes the connection: QEMU fails its device with "server sent version
 * -1, expecting 0" (pvctld's log says why). */
#define PVCTL_IVSHMEM_REFUSED -1
/* The shared-memory message's number. */
#define PVCTL_IVSHMEM_SHM_ID -1

/* What a message's fd is, in the server's terms. */
enum pvctl_ivshmem_fd {
	PVCTL_IVSHMEM_FD_NONE,
	PVCTL_IVSHMEM_FD_REGION,
	PVCTL_IVSHMEM_FD_DOORBELL, /* peer 0's vector @vector */
	PVCTL_IVSHMEM_FD_IRQ,	   /* the client's own vector @vector */
};

struct pvctl_ivshmem_msg {
	int64_t value;
	enum pvctl_ivshmem_fd fd;
	uint32_t vector;
};

/* The number of messages a client with @n_vectors vectors gets on connect:
 * 3 + 2 * @n_vectors. */
uint32_t pvctl_ivshmem_setup_len(uint32_t n_vectors);

/*
 * pvctl_ivshmem_setup_msg - the @k-th message sent on connect
 * Returns 0, or -EINVAL for @id outside 0 ... PVCTL_IVSHMEM_MAX_ID or the
 * module's, @n_vectors outside 1 ... PVCTL_IVSHMEM_MAX_VECTORS, or @k past
 * the end.
 */
int pvctl_ivshmem_setup_msg(uint32_t k, uint32_t id, uint32_t n_vectors,
			    struct pvctl_ivshmem_msg *m);

/* The 8 bytes on the wire, little-endian whatever the host. */
void pvctl_ivshmem_encode(int64_t value, uint8_t out[PVCTL_IVSHMEM_MSG_SIZE]);
int64_t pvctl_ivshmem_decode(const uint8_t in[PVCTL_IVSHMEM_MSG_SIZE]);

/*
 * The receiving side, as strict as pvabi's server: what QEMU's ivshmem
 * device accepts (version 0, an ID in 0 ... 65535, the shared memory with
 * -1, vectors in order, at most as many as it has) narrowed to what pvabi
 * sends: only peer 1 (the module) besides the client itself, the module's
 * vectors before the own ones.  The tests hold the server's stream to it; the
 * fuzz harness holds it to its invariants.
 */
enum pvctl_ivshmem_rx_state {
	PVCTL_IVSHMEM_RX_VERSION,
	PVCTL_IVSHMEM_RX_ID,
	PVCTL_IVSHMEM_RX_SHM,
	PVCTL_IVSHMEM_RX_VECTORS,
	PVCTL_IVSHMEM_RX_GONE,	/* the module left; nothing more may come */
	PVCTL_IVSHMEM_RX_ERROR, /* a message was refused */
};

struct pvctl_ivshmem_rx {
	enum pvctl_ivshmem_rx_state state;
	uint32_t n_vectors;  /* the client's vectors: the bound */
	int64_t id;	     /* the own ID, once received */
	uint32_t peer0, own; /* vectors received of each */
};

void pvctl_ivshmem_rx_init(struct pvctl_ivshmem_rx *rx, uint32_t n_vectors);

/*
 * pvctl_ivshmem_rx_feed - take one received message
 * @buf, @len: what one recvmsg() returned (a message is exactly 8 bytes)
 * @has_fd: whether one fd came with it (more than one is the caller's to
 * refuse before)
 * Returns the message's meaning (>= 0: PVCTL_IVSHMEM_FD_* of what the fd
 * is, with @m filled in), or -EPROTO when the stream is not one pvabi's
 * server sends; after -EPROTO every message is refused.
 */
int pvctl_ivshmem_rx_feed(struct pvctl_ivshmem_rx *rx, const uint8_t *buf,
			  size_t len, bool has_fd, struct pvctl_ivshmem_msg *m);

/* Whether the setup is complete: version, ID, memory, every vector. */
bool pvctl_ivshmem_rx_ready(const struct pvctl_ivshmem_rx *rx);

#endif
