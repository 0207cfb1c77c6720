/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where an ivshmem server's fds come from: a "region source".
 *
 * A region is what one VM's QEMU maps and rings: the shared-memory fd (its
 * st_size a power of two, BAR2), peer 0's n_vcpus doorbell eventfds, and a
 * way to tell the source which eventfds interrupt the guest (the current
 * QEMU client's, one per vCPU = MSI-X vector).  The server
 * (ivshmem_server.h) sees nothing else, so its protocol can be tested
 * without pvabi.ko.
 */
#ifndef PVCTL_IVSHMEM_REGION_H
#define PVCTL_IVSHMEM_REGION_H

#include <stddef.h>
#include <stdint.h>

struct pvctl_region {
	int fd;		   /* the shared memory */
	uint64_t size;	   /* fstat(fd).st_size: a power of two >= 4096 */
	uint32_t n_vcpus;  /* vectors, both ways */
	int *doorbell_fds; /* n_vcpus: peer 0's vectors */
	/*
	 * Deliveries to vCPU i signal @irq_fds[i] from now on; NULL: nowhere.
	 * The fds stay the caller's (the source takes its own references).
	 * Returns 0 or a negative errno with @why.
	 */
	int (*set_irq_fds)(struct pvctl_region *r, const int *irq_fds,
			   char *why, size_t whylen);
	void (*free)(struct pvctl_region *r);
	void *data; /* the source's */
};

/* Closes the fds and frees @r; NULL is fine. */
void pvctl_region_free(struct pvctl_region *r);

/*
 * pvctl_region_open_pvabi - the production source: pvabi.ko
 * @uuid: the VM's 16 bytes; @name: its name (at most PVABI_VM_NAME_MAX - 1
 * bytes, else it is left out and the UUID alone names the VM)
 * @n_vcpus: 1 ... PVABI_MAX_VCPUS
 * Opens /dev/pvabi, creates the VM (PVABI_CREATE_VM), its region
 * (PVABI_VM_REGION, the module's doorbell ID PVCTL_IVSHMEM_MODULE_ID) and
 * one doorbell eventfd per vCPU, handed to the module with
 * PVABI_VM_SET_VCPU_FDS.  When the module has a VM with @uuid already (its
 * QEMU kept running while pvctld restarted), takes it back instead:
 * PVABI_OPEN_VM, the region reopened, the doorbells it uses now
 * (PVABI_VM_GET_VCPU_FDS), its interrupts left where they go.  The module
 * VM lives at least as long as @out.
 * Returns 0, or a negative errno with @why (-ENOENT: no /dev/pvabi, the
 * module is not loaded; -EEXIST: the module already has a VM of that name,
 * or one of that UUID whose region does not fit; -EPERM: that VM is
 * another user's).
 */
int pvctl_region_open_pvabi(const unsigned char uuid[16], const char *name,
			    uint32_t n_vcpus, struct pvctl_region **out,
			    char *why, size_t whylen);

/*
 * pvctl_region_adopt_pvabi - the region of a module VM whose fd @vm_fd the
 * caller kept (systemd's fd store across a restart of pvctld); @vm_fd is
 * the region's from now on, closed by pvctl_region_free() (and on failure).
 * Takes the region and doorbells back as pvctl_region_open_pvabi() does
 * for a VM that exists.  Returns 0 or a negative errno with @why (-ENOENT:
 * the VM has no region any more; -EEXIST: its region has another number
 * of vCPUs).
 */
int pvctl_region_adopt_pvabi(int vm_fd, uint32_t n_vcpus,
			     struct pvctl_region **out, char *why,
			     size_t whylen);

/* The module VM fd of a region from pvabi.ko, or -1 (another source). */
int pvctl_region_vm_fd(const struct pvctl_region *r);

/*
 * pvctl_region_open_memfd - a region of memory and eventfds the caller owns
 *
 * This source exists for the protocol test only (tests/ctl/ivshmem-qtest.c,
 * tests/unit/test-ivshmem.c), where no module can be loaded: nothing in
 * pvctld uses it.  @memfd and @doorbell_fds[n_vcpus] are duplicated (the
 * caller keeps its own); @on_irq_fds, when not NULL, is called from
 * set_irq_fds with the new fds (NULL: none), which it must duplicate to
 * keep.  @memfd's size is taken from fstat() as it is: the server refuses
 * one that is not a power of two.
 */
int pvctl_region_open_memfd(int memfd, const int *doorbell_fds,
			    uint32_t n_vcpus,
			    void (*on_irq_fds)(void *arg, const int *irq_fds,
					       uint32_t n),
			    void *arg, struct pvctl_region **out);

#endif
