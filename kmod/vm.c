// SPDX-License-Identifier: GPL-2.0-only
/*
 * VM contexts: one per PVABI_CREATE_VM, found by id from netlink, holding
 * the administrator's policy and the VM's vCPUs.
 */
#include <linux/anon_inodes.h>
#include <linux/ctype.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "pvabi_mod.h"

static DEFINE_MUTEX(vms_lock);	/* vms, and every vm->ref dropping to 0 */
static DEFINE_IDR(vms);

void pvabi_policy_default(struct pvabi_policy *pol)
{
	pol->min.major = PVABI_VERSION_MAJOR;
	pol->min.minor = 0;
	pol->max.major = PVABI_VERSION_MAJOR;
	pol->max.minor = PVABI_VERSION_MINOR;
	pol->features = PVABI_F_ALL_1_0;
	pol->patch_mode = PVABI_NL_PATCH_GUEST;
	pol->defer_us = PVABI_DEFER_US_DEFAULT;
}

/*
 * The VM's offer: what this host implements, clamped by the VM's policy.
 * Returns 0 or a PVABI_E_* code when the policy leaves nothing.
 */
int pvabi_vm_offer(struct pvabi_vm *vm, struct pvabi_offer *offer,
		   u32 *defer_us)
{
	struct pvabi_policy pol;
	u64 features;

	mutex_lock(&vm->lock);
	pol = vm->policy;
	mutex_unlock(&vm->lock);

	memset(offer, 0, sizeof(*offer));
	offer->n_versions = 1;
	offer->versions[0].major = PVABI_VERSION_MAJOR;
	offer->versions[0].minor = PVABI_VERSION_MINOR;
	offer->features = PVABI_F_ALL_1_0;
	features = pol.features;
	if (pol.patch_mode != PVABI_NL_PATCH_HOST)
		features &= ~PVABI_F_HOST_PATCH;
	*defer_us = pol.defer_us;
	return pvabi_offer_clamp(offer, pol.min, pol.max, features);
}

static void vm_release(struct kref *ref)
{
	struct pvabi_vm *vm = container_of(ref, struct pvabi_vm, ref);
	u32 id = vm->id;

	idr_remove(&vms, id);
	mutex_unlock(&vms_lock);
	mutex_destroy(&vm->lock);
	kfree(vm);
	pvabi_genl_event(PVABI_EVENT_VM_DESTROYED, id, -1);
}

void pvabi_vm_put(struct pvabi_vm *vm)
{
	kref_put_mutex(&vm->ref, vm_release, &vms_lock);
}

struct pvabi_vm *pvabi_vm_get(u32 id)
{
	struct pvabi_vm *vm;

	if (id > INT_MAX)
		return NULL;
	mutex_lock(&vms_lock);
	vm = idr_find(&vms, id);
	if (vm)
		kref_get(&vm->ref);
	mutex_unlock(&vms_lock);
	return vm;
}

struct pvabi_vcpu *pvabi_vm_get_vcpu(struct pvabi_vm *vm, u32 index)
{
	struct pvabi_vcpu *v = NULL;

	if (index >= PVABI_MAX_VCPUS)
		return NULL;
	mutex_lock(&vm->lock);
	v = vm->vcpus[index];
	if (v)
		kref_get(&v->ref);
	mutex_unlock(&vm->lock);
	return v;
}

/*
 * Call @fn on each VM with id >= @from, in id order, holding a reference
 * but no lock.  Stops at the first non-zero return and returns it.
 */
int pvabi_vm_for_each(u32 from, int (*fn)(struct pvabi_vm *vm, void *arg),
		      void *arg)
{
	int id = from > INT_MAX ? INT_MAX : from, ret = 0;
	struct pvabi_vm *vm;

	for (;;) {
		mutex_lock(&vms_lock);
		vm = idr_get_next(&vms, &id);
		if (vm)
			kref_get(&vm->ref);
		mutex_unlock(&vms_lock);
		if (!vm)
			return 0;
		ret = fn(vm, arg);
		pvabi_vm_put(vm);
		if (ret || id == INT_MAX)
			return ret;
		id++;
	}
}

static long vm_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct pvabi_vm *vm = file->private_data;

	switch (cmd) {
	case PVABI_CREATE_VCPU:
		return pvabi_vcpu_create(vm, arg);
	default:
		return -ENOTTY;
	}
}

static int vm_release_file(struct inode *inode, struct file *file)
{
	if (file->private_data)
		pvabi_vm_put(file->private_data);
	return 0;
}

static const struct file_operations vm_fops = {
	.owner = THIS_MODULE,
	.release = vm_release_file,
	.unlocked_ioctl = vm_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static int check_name(const char *name)
{
	size_t len = strnlen(name, PVABI_VM_NAME_MAX), i;

	if (len == PVABI_VM_NAME_MAX)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (!isprint(name[i]))
			return -EINVAL;
	for (; i < PVABI_VM_NAME_MAX; i++)
		if (name[i])
			return -EINVAL;
	return 0;
}

static bool taken(const struct pvabi_create_vm *req, bool has_uuid)
{
	struct pvabi_vm *vm;
	int id;

	idr_for_each_entry(&vms, vm, id) {
		if (req->name[0] && !strcmp(vm->name, req->name))
			return true;
		if (has_uuid && vm->has_uuid &&
		    !memcmp(vm->uuid, req->uuid, PVABI_UUID_LEN))
			return true;
	}
	return false;
}

/* PVABI_CREATE_VM: returns the new VM's fd and sets *id. */
int pvabi_vm_create(const struct pvabi_create_vm *req, u32 *id)
{
	bool has_uuid = memchr_inv(req->uuid, 0, PVABI_UUID_LEN);
	struct pvabi_vm *vm;
	struct file *file;
	int fd, ret;

	if (req->flags || req->id)
		return -EINVAL;
	ret = check_name(req->name);
	if (ret)
		return ret;
	if (!req->name[0] && !has_uuid)
		return -EINVAL;

	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		return -ENOMEM;
	kref_init(&vm->ref);
	mutex_init(&vm->lock);
	memcpy(vm->name, req->name, sizeof(vm->name));
	memcpy(vm->uuid, req->uuid, sizeof(vm->uuid));
	vm->has_uuid = has_uuid;
	pvabi_policy_default(&vm->policy);

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto err_free;
	}
	file = anon_inode_getfile("pvabi-vm", &vm_fops, vm, O_RDWR);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto err_fd;
	}

	mutex_lock(&vms_lock);
	if (taken(req, has_uuid)) {
		ret = -EEXIST;
	} else {
		ret = idr_alloc_cyclic(&vms, vm, 1, PVABI_MAX_VMS + 1,
				       GFP_KERNEL);
	}
	if (ret > 0)
		vm->id = ret;
	mutex_unlock(&vms_lock);
	if (ret < 0)
		goto err_file;

	*id = vm->id;
	fd_install(fd, file);
	pvabi_genl_event(PVABI_EVENT_VM_CREATED, vm->id, -1);
	return fd;

err_file:
	/* The file owns vm now, but vm is in no list: free it by hand. */
	file->private_data = NULL;
	fput(file);
err_fd:
	put_unused_fd(fd);
err_free:
	mutex_destroy(&vm->lock);
	kfree(vm);
	return ret;
}

void pvabi_vms_exit(void)
{
	idr_destroy(&vms);
}
