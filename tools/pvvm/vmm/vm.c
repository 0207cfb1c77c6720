// SPDX-License-Identifier: GPL-2.0-or-later
/* vm.c - the virtual machine: memory slots, image, boot block, lifetime. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm.h"

/* Where KVM on VMX without unrestricted guest keeps its real-mode TSS:
 * three pages below the 4 GiB boundary, clear of the pvabi window. */
#define PVVM_TSS_GPA 0xfffbd000u

void vm_config__default(struct vm_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->nr_vcpus = 1;
	cfg->offer.n_versions = 1;
	cfg->offer.versions[0].major = PVABI_VERSION_MAJOR;
	cfg->offer.versions[0].minor = PVABI_VERSION_MINOR;
	cfg->offer.features = PVABI_F_NOTIFY;
	pvabi_dlv_config_default(&cfg->dlv);
	cfg->arm = PVVM_ARM_SLOT;
	cfg->console = stdout;
}

int vm__add_slot(struct vm *vm, struct vm_slot *s)
{
	struct kvm_userspace_memory_region r = {
		.slot = s->id,
		.flags = s->flags,
		.guest_phys_addr = s->gpa,
		.memory_size = s->size,
		.userspace_addr = (uint64_t)(uintptr_t)s->hva,
	};

	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &r) < 0)
		return -errno;
	s->present = true;
	return 0;
}

int vm__del_slot(struct vm *vm, struct vm_slot *s)
{
	struct kvm_userspace_memory_region r = {
		.slot = s->id,
		.guest_phys_addr = s->gpa,
		.memory_size = 0,
		.userspace_addr = (uint64_t)(uintptr_t)s->hva,
	};

	if (!s->present)
		return 0;
	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &r) < 0)
		return -errno;
	s->present = false;
	return 0;
}

/* Host view of guest RAM [gpa, gpa + len), or NULL if it is not all RAM. */
void *vm__gpa(struct vm *vm, uint64_t gpa, uint64_t len)
{
	if (gpa >= vm->ram.size || len > vm->ram.size - gpa)
		return NULL;
	return (uint8_t *)vm->ram.hva + gpa;
}

int vm__load_image(struct vm *vm, const void *image, size_t size)
{
	if (size == 0 || size > PVVM_IMAGE_MAX)
		return -EFBIG;
	memcpy((uint8_t *)vm->ram.hva + PVVM_IMAGE_GPA, image, size);
	return 0;
}

int vm__new(struct vm *vm, const struct vm_config *cfg, char *why, size_t len)
{
	int r;

	memset(vm, 0, sizeof(*vm));
	vm->fd = -1;
	vm->cfg = *cfg;
	pthread_mutex_init(&vm->timer_lock, NULL);
	pthread_cond_init(&vm->timer_cond, NULL);
	pthread_mutex_init(&vm->out_lock, NULL);
	if (cfg->nr_vcpus < 1 || cfg->nr_vcpus > PVVM_MAX_VCPUS) {
		snprintf(why, len, "%d vCPUs: pvvm runs 1 to %d", cfg->nr_vcpus,
			 PVVM_MAX_VCPUS);
		return -EINVAL;
	}
	vm->sys_fd = kvm__open();
	if (vm->sys_fd < 0) {
		r = vm->sys_fd;
		snprintf(why, len, "/dev/kvm: %s", strerror(-r));
		return r;
	}
	r = kvm__check_caps(vm->sys_fd, why, len);
	if (r < 0)
		goto fail;
	vm->run_size = ioctl(vm->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	vm->fd = ioctl(vm->sys_fd, KVM_CREATE_VM, 0);
	if (vm->fd < 0 || vm->run_size <= 0) {
		r = -errno;
		snprintf(why, len, "KVM_CREATE_VM: %s", strerror(errno));
		goto fail;
	}
	if (kvm__check_extension(vm->sys_fd, KVM_CAP_SET_TSS_ADDR) &&
	    ioctl(vm->fd, KVM_SET_TSS_ADDR, PVVM_TSS_GPA) < 0) {
		r = -errno;
		snprintf(why, len, "KVM_SET_TSS_ADDR: %s", strerror(errno));
		goto fail;
	}

	vm->ram.id = PVVM_SLOT_RAM;
	vm->ram.size = PVVM_RAM_SIZE;
	vm->ram.hva = mmap(NULL, PVVM_RAM_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->ram.hva == MAP_FAILED) {
		vm->ram.hva = NULL;
		r = -errno;
		snprintf(why, len, "guest RAM: %s", strerror(errno));
		goto fail;
	}
	r = vm__add_slot(vm, &vm->ram);
	if (r < 0) {
		snprintf(why, len, "KVM_SET_USER_MEMORY_REGION (RAM): %s",
			 strerror(-r));
		goto fail;
	}
	vm->boot = (struct pvvm_boot *)((uint8_t *)vm->ram.hva + PVVM_BOOT_GPA);
	vm->boot->magic = PVVM_BOOT_MAGIC;
	vm->boot->nr_vcpus = (uint32_t)cfg->nr_vcpus;

	for (int i = 0; i < cfg->nr_vcpus; i++) {
		r = vcpu__new(vm, i);
		if (r < 0) {
			snprintf(why, len, "vCPU %d: %s", i, strerror(-r));
			goto fail;
		}
		vm->nr_vcpus++;
	}
	vm->tsc_khz = (uint64_t)ioctl(vm->vcpus[0].fd, KVM_GET_TSC_KHZ, 0);
	if ((int64_t)vm->tsc_khz <= 0) {
		r = -ENOTSUP;
		snprintf(why, len, "KVM_GET_TSC_KHZ failed");
		goto fail;
	}
	return 0;
fail:
	vm__delete(vm);
	return r;
}

uint64_t vm__tsc_to_ns(const struct vm *vm, uint64_t cycles)
{
	return (uint64_t)((unsigned __int128)cycles * 1000000u / vm->tsc_khz);
}

int vm__start(struct vm *vm)
{
	int r = irq__timer_start(vm);

	for (int i = 0; !r && i < vm->nr_vcpus; i++)
		r = vcpu__start(&vm->vcpus[i]);
	return r;
}

/* Wait for every vCPU thread; returns the first error or 0. */
int vm__wait(struct vm *vm)
{
	int err = 0;

	for (int i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		if (!v->running)
			continue;
		pthread_join(v->thread, NULL);
		v->running = false;
		if (v->error && !err)
			err = v->error;
	}
	return err;
}

/* Ask every vCPU thread to return (the guest is abandoned, not told). */
void vm__stop(struct vm *vm)
{
	vm->stopping = true;
	for (int i = 0; i < vm->nr_vcpus; i++)
		vcpu__kick(&vm->vcpus[i]);
}

void vm__delete(struct vm *vm)
{
	irq__timer_stop(vm);
	for (int i = 0; i < vm->nr_vcpus; i++)
		vcpu__delete(&vm->vcpus[i]);
	vm->nr_vcpus = 0;
	if (vm->ram.hva)
		munmap(vm->ram.hva, vm->ram.size);
	vm->ram.hva = NULL;
	if (vm->fd >= 0)
		close(vm->fd);
	if (vm->sys_fd >= 0)
		close(vm->sys_fd);
	vm->fd = vm->sys_fd = -1;
}
