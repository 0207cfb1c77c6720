// SPDX-License-Identifier: GPL-2.0-or-later
/* The ivshmem client-server protocol's messages (ivshmem_proto.h). */
#include <errno.h>

#include "ivshmem_proto.h"

uint32_t pvctl_ivshmem_setup_len(uint32_t n_vectors)
{
	return 3 + 2 * n_vectors;
}

int pvctl_ivshmem_setup_msg(uint32_t k, uint32_t id, uint32_t n_vectors,
			    struct pvctl_ivshmem_msg *m)
{
	if (id > PVCTL_IVSHMEM_MAX_ID || id == PVCTL_IVSHMEM_MODULE_ID ||
	    n_vectors < 1 || n_vectors > PVCTL_IVSHMEM_MAX_VECTORS ||
	    k >= pvctl_ivshmem_setup_len(n_vectors))
		return -EINVAL;
	m->vector = 0;
	m->fd = PVCTL_IVSHMEM_FD_NONE;
	if (k == 0) {
		m->value = PVCTL_IVSHMEM_VERSION;
	} else if (k == 1) {
		m->value = id;
	} else if (k == 2) {
		m->value = PVCTL_IVSHMEM_SHM_ID;
		m->fd = PVCTL_IVSHMEM_FD_REGION;
	} else if (k < 3 + n_vectors) {
		m->value = PVCTL_IVSHMEM_MODULE_ID;
		m->fd = PVCTL_IVSHMEM_FD_DOORBELL;
		m->vector = k - 3;
	} else {
		m->value = id;
		m->fd = PVCTL_IVSHMEM_FD_IRQ;
		m->vector = k - 3 - n_vectors;
	}
	return 0;
}

void pvctl_ivshmem_encode(int64_t value, uint8_t out[PVCTL_IVSHMEM_MSG_SIZE])
{
	uint64_t v = (uint64_t)value;

	for (unsigned int i = 0; i < PVCTL_IVSHMEM_MSG_SIZE; i++)
		out[i] = (uint8_t)(v >> (8 * i));
}

int64_t pvctl_ivshmem_decode(const uint8_t in[PVCTL_IVSHMEM_MSG_SIZE])
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < PVCTL_IVSHMEM_MSG_SIZE; i++)
		v |= (uint64_t)in[i] << (8 * i);
	return (int64_t)v;
}

void pvctl_ivshmem_rx_init(struct pvctl_ivshmem_rx *rx, uint32_t n_vectors)
{
	*rx = (struct pvctl_ivshmem_rx){.n_vectors = n_vectors, .id = -1};
}

static int refuse(struct pvctl_ivshmem_rx *rx)
{
	rx->state = PVCTL_IVSHMEM_RX_ERROR;
	return -EPROTO;
}

/* After the memory: the module's vectors, then the own ones, or the
 * module gone. */
static int rx_vector(struct pvctl_ivshmem_rx *rx, int64_t v, bool has_fd,
		     struct pvctl_ivshmem_msg *m)
{
	if (v == PVCTL_IVSHMEM_MODULE_ID && !has_fd) {
		rx->state = PVCTL_IVSHMEM_RX_GONE;
		return PVCTL_IVSHMEM_FD_NONE;
	}
	if (!has_fd)
		return refuse(rx);
	if (v == PVCTL_IVSHMEM_MODULE_ID && rx->own == 0 &&
	    rx->peer0 < rx->n_vectors) {
		m->fd = PVCTL_IVSHMEM_FD_DOORBELL;
		m->vector = rx->peer0++;
		return m->fd;
	}
	if (v == rx->id && rx->peer0 == rx->n_vectors &&
	    rx->own < rx->n_vectors) {
		m->fd = PVCTL_IVSHMEM_FD_IRQ;
		m->vector = rx->own++;
		return m->fd;
	}
	return refuse(rx);
}

int pvctl_ivshmem_rx_feed(struct pvctl_ivshmem_rx *rx, const uint8_t *buf,
			  size_t len, bool has_fd, struct pvctl_ivshmem_msg *m)
{
	int64_t v;

	if (rx->state == PVCTL_IVSHMEM_RX_ERROR ||
	    rx->state == PVCTL_IVSHMEM_RX_GONE || len != PVCTL_IVSHMEM_MSG_SIZE)
		return refuse(rx);
	v = pvctl_ivshmem_decode(buf);
	*m = (struct pvctl_ivshmem_msg){.value = v};
	switch (rx->state) {
	case PVCTL_IVSHMEM_RX_VERSION:
		if (v != PVCTL_IVSHMEM_VERSION || has_fd)
			return refuse(rx);
		rx->state = PVCTL_IVSHMEM_RX_ID;
		return PVCTL_IVSHMEM_FD_NONE;
	case PVCTL_IVSHMEM_RX_ID:
		/* The module's ID is never a client's. */
		if (v < 0 || v > PVCTL_IVSHMEM_MAX_ID ||
		    v == PVCTL_IVSHMEM_MODULE_ID || has_fd)
			return refuse(rx);
		rx->id = v;
		rx->state = PVCTL_IVSHMEM_RX_SHM;
		return PVCTL_IVSHMEM_FD_NONE;
	case PVCTL_IVSHMEM_RX_SHM:
		if (v != PVCTL_IVSHMEM_SHM_ID || !has_fd)
			return refuse(rx);
		rx->state = PVCTL_IVSHMEM_RX_VECTORS;
		m->fd = PVCTL_IVSHMEM_FD_REGION;
		return m->fd;
	case PVCTL_IVSHMEM_RX_VECTORS: return rx_vector(rx, v, has_fd, m);
	default: return refuse(rx);
	}
}

bool pvctl_ivshmem_rx_ready(const struct pvctl_ivshmem_rx *rx)
{
	return rx->state == PVCTL_IVSHMEM_RX_VECTORS &&
	       rx->peer0 == rx->n_vectors && rx->own == rx->n_vectors;
}
