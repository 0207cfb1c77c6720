// SPDX-License-Identifier: GPL-2.0-or-later
/* Region sources for the ivshmem server (ivshmem_region.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/pvabi.h>

#include "ivshmem_proto.h"
#include "ivshmem_region.h"

#define PVABI_DEVICE "/dev/pvabi"

static struct pvctl_region *region_alloc(uint32_t n_vcpus)
{
	struct pvctl_region *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->fd = -1;
	r->n_vcpus = n_vcpus;
	r->doorbell_fds = malloc(n_vcpus * sizeof(int));
	if (!r->doorbell_fds) {
		free(r);
		return NULL;
	}
	for (uint32_t i = 0; i < n_vcpus; i++)
		r->doorbell_fds[i] = -1;
	return r;
}

void pvctl_region_free(struct pvctl_region *r)
{
	if (!r)
		return;
	if (r->free)
		r->free(r);
	for (uint32_t i = 0; i < r->n_vcpus; i++)
		if (r->doorbell_fds[i] >= 0)
			close(r->doorbell_fds[i]);
	if (r->fd >= 0)
		close(r->fd);
	free(r->doorbell_fds);
	free(r);
}

/* ------------------------------------------------------------ pvabi.ko */

struct pvabi_source {
	int vm_fd;
};

static int pvabi_set_fds(struct pvctl_region *r, uint32_t vcpu, int irq_fd,
			 char *why, size_t whylen)
{
	struct pvabi_source *p = r->data;
	struct pvabi_vm_vcpu_fds f = {
		.vcpu = vcpu,
		.doorbell_fd = r->doorbell_fds[vcpu],
		.irq_fd = irq_fd,
	};

	if (ioctl(p->vm_fd, PVABI_VM_SET_VCPU_FDS, &f) < 0) {
		int err = errno;

		snprintf(why, whylen, "PVABI_VM_SET_VCPU_FDS (vCPU %u): %s",
			 vcpu, strerror(err));
		return -err;
	}
	return 0;
}

static int pvabi_set_irq_fds(struct pvctl_region *r, const int *irq_fds,
			     char *why, size_t whylen)
{
	for (uint32_t i = 0; i < r->n_vcpus; i++) {
		int err = pvabi_set_fds(r, i, irq_fds ? irq_fds[i] : -1, why,
					whylen);

		if (err)
			return err;
	}
	return 0;
}

static void pvabi_free(struct pvctl_region *r)
{
	struct pvabi_source *p = r->data;

	if (p && p->vm_fd >= 0)
		close(p->vm_fd);
	free(p);
}

static int fail(int err, char *why, size_t whylen, const char *what)
{
	snprintf(why, whylen, "%s: %s", what, strerror(err));
	return -err;
}

/*
 * The region of the module VM p->vm_fd, which exists already (its QEMU
 * runs, or its fds were kept while pvctld restarted), and the doorbells it
 * uses now, changing nothing.  1 when taken back, or a negative errno.
 */
static int pvabi_take_back(struct pvctl_region *r, uint32_t id, char *why,
			   size_t whylen)
{
	struct pvabi_source *p = r->data;
	struct pvabi_vm_region reg = {.flags = PVABI_VM_REGION_F_REOPEN};

	if (ioctl(p->vm_fd, PVABI_VM_REGION, &reg) < 0)
		return fail(errno, why, whylen, "PVABI_VM_REGION (reopen)");
	r->fd = reg.fd;
	r->size = reg.size;
	if (reg.n_vcpus != r->n_vcpus ||
	    reg.doorbell_id != PVCTL_IVSHMEM_MODULE_ID) {
		snprintf(why, whylen,
			 "module VM %u has %u vCPUs and doorbell ID %u, not "
			 "%u and %u",
			 id, reg.n_vcpus, reg.doorbell_id, r->n_vcpus,
			 (unsigned int)PVCTL_IVSHMEM_MODULE_ID);
		return -EEXIST;
	}
	for (uint32_t i = 0; i < r->n_vcpus; i++) {
		struct pvabi_vm_vcpu_fds f = {.vcpu = i};

		if (ioctl(p->vm_fd, PVABI_VM_GET_VCPU_FDS, &f) < 0)
			return fail(errno, why, whylen,
				    "PVABI_VM_GET_VCPU_FDS");
		r->doorbell_fds[i] = f.doorbell_fd;
		if (f.irq_fd >= 0)
			close(f.irq_fd); /* the running QEMU's: left set */
		if (f.doorbell_fd < 0) {
			snprintf(why, whylen,
				 "vCPU %u of module VM %u has no "
				 "doorbell",
				 i, id);
			return -ENOENT;
		}
	}
	return 1;
}

/* The module VM with @uuid, if it exists: 1 taken back, 0 none, -errno. */
static int pvabi_reopen(struct pvctl_region *r, int dev,
			const unsigned char uuid[16], char *why, size_t whylen)
{
	struct pvabi_source *p = r->data;
	struct pvabi_open_vm ov = {.flags = 0};

	memcpy(ov.uuid, uuid, sizeof(ov.uuid));
	p->vm_fd = ioctl(dev, PVABI_OPEN_VM, &ov);
	if (p->vm_fd < 0)
		return errno == ENOENT
			       ? 0
			       : fail(errno, why, whylen, "PVABI_OPEN_VM");
	return pvabi_take_back(r, ov.id, why, whylen);
}

static int pvabi_region(struct pvctl_region *r, const unsigned char uuid[16],
			const char *name, char *why, size_t whylen)
{
	struct pvabi_source *p = r->data;
	struct pvabi_create_vm cv = {0};
	struct pvabi_vm_region reg = {.n_vcpus = r->n_vcpus,
				      .doorbell_id = PVCTL_IVSHMEM_MODULE_ID};
	int dev, err;

	memcpy(cv.uuid, uuid, sizeof(cv.uuid));
	if (name && strlen(name) < sizeof(cv.name))
		strcpy(cv.name, name);
	dev = open(PVABI_DEVICE, O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return fail(errno, why, whylen, PVABI_DEVICE);
	err = pvabi_reopen(r, dev, uuid, why, whylen);
	if (err) {
		close(dev);
		return err < 0 ? err : 0;
	}
	p->vm_fd = ioctl(dev, PVABI_CREATE_VM, &cv);
	err = errno;
	close(dev);
	if (p->vm_fd < 0)
		return fail(err, why, whylen, "PVABI_CREATE_VM");
	if (ioctl(p->vm_fd, PVABI_VM_REGION, &reg) < 0)
		return fail(errno, why, whylen, "PVABI_VM_REGION");
	r->fd = reg.fd;
	r->size = reg.size;
	for (uint32_t i = 0; i < r->n_vcpus; i++) {
		r->doorbell_fds[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (r->doorbell_fds[i] < 0)
			return fail(errno, why, whylen, "eventfd");
		err = pvabi_set_fds(r, i, -1, why, whylen);
		if (err)
			return err;
	}
	return 0;
}

/* A region of the pvabi source whose VM fd is still to be opened. */
static int pvabi_alloc(uint32_t n_vcpus, struct pvctl_region **out, char *why,
		       size_t whylen)
{
	struct pvctl_region *r;
	struct pvabi_source *p;

	*out = NULL;
	if (n_vcpus < 1 || n_vcpus > PVABI_MAX_VCPUS) {
		snprintf(why, whylen, "%u vCPUs: pvabi.ko takes 1 ... %u",
			 n_vcpus, PVABI_MAX_VCPUS);
		return -EINVAL;
	}
	r = region_alloc(n_vcpus);
	p = calloc(1, sizeof(*p));
	if (!r || !p) {
		free(p);
		pvctl_region_free(r);
		snprintf(why, whylen, "out of memory");
		return -ENOMEM;
	}
	p->vm_fd = -1;
	r->data = p;
	r->free = pvabi_free;
	r->set_irq_fds = pvabi_set_irq_fds;
	*out = r;
	return 0;
}

int pvctl_region_open_pvabi(const unsigned char uuid[16], const char *name,
			    uint32_t n_vcpus, struct pvctl_region **out,
			    char *why, size_t whylen)
{
	int err = pvabi_alloc(n_vcpus, out, why, whylen);

	if (!err)
		err = pvabi_region(*out, uuid, name, why, whylen);
	if (err) {
		pvctl_region_free(*out);
		*out = NULL;
	}
	return err;
}

int pvctl_region_adopt_pvabi(int vm_fd, uint32_t n_vcpus,
			     struct pvctl_region **out, char *why,
			     size_t whylen)
{
	int err = pvabi_alloc(n_vcpus, out, why, whylen);

	if (err) {
		close(vm_fd);
		return err;
	}
	((struct pvabi_source *)(*out)->data)->vm_fd = vm_fd;
	err = pvabi_take_back(*out, 0, why, whylen);
	if (err < 0) {
		pvctl_region_free(*out);
		*out = NULL;
		return err;
	}
	return 0;
}

int pvctl_region_vm_fd(const struct pvctl_region *r)
{
	return r && r->free == pvabi_free
		       ? ((const struct pvabi_source *)r->data)->vm_fd
		       : -1;
}

/* ------------------------------------- memfd: the protocol test's only */

struct memfd_source {
	void (*on_irq_fds)(void *arg, const int *irq_fds, uint32_t n);
	void *arg;
};

static int memfd_set_irq_fds(struct pvctl_region *r, const int *irq_fds,
			     char *why, size_t whylen)
{
	struct memfd_source *m = r->data;

	if (m->on_irq_fds)
		m->on_irq_fds(m->arg, irq_fds, r->n_vcpus);
	return 0;
}

static void memfd_free(struct pvctl_region *r)
{
	free(r->data);
}

int pvctl_region_open_memfd(int memfd, const int *doorbell_fds,
			    uint32_t n_vcpus,
			    void (*on_irq_fds)(void *arg, const int *irq_fds,
					       uint32_t n),
			    void *arg, struct pvctl_region **out)
{
	struct pvctl_region *r = region_alloc(n_vcpus);
	struct memfd_source *m = calloc(1, sizeof(*m));
	struct stat st;

	*out = NULL;
	if (!r || !m) {
		free(m);
		pvctl_region_free(r);
		return -ENOMEM;
	}
	*m = (struct memfd_source){.on_irq_fds = on_irq_fds, .arg = arg};
	r->data = m;
	r->free = memfd_free;
	r->set_irq_fds = memfd_set_irq_fds;
	if (fstat(memfd, &st) < 0)
		goto fail;
	r->size = (uint64_t)st.st_size;
	r->fd = fcntl(memfd, F_DUPFD_CLOEXEC, 0);
	if (r->fd < 0)
		goto fail;
	for (uint32_t i = 0; i < n_vcpus; i++) {
		r->doorbell_fds[i] = fcntl(doorbell_fds[i], F_DUPFD_CLOEXEC, 0);
		if (r->doorbell_fds[i] < 0)
			goto fail;
	}
	*out = r;
	return 0;
fail:;
	int err = -errno;

	pvctl_region_free(r);
	return err;
}
