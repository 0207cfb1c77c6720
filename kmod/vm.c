// SPDX-License-Identifier: GPL-2.0-only
/*
 * VM contexts: one per PVABI_CREATE_VM, found by id or UUID from netlink,
 * holding the administrator's policy and the VM's vCPUs.
 */
#include <linux/anon_inodes.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "pvabi_mod.h"

static unsigned int max_vms_per_user = PVABI_MAX_VMS;
module_param(max_vms_per_user, uint, 0644);
MODULE_PARM_DESC(max_vms_per_user,
		 "VMs one user (effective uid) may hold at a time (default and at most 256)");

/*
 * vms, nr_vms, next_id, every vm->live, and every vm->ref dropping to 0.
 * Ids are allocated cyclically over 1 ... U32_MAX: an id is not handed out
 * again before 2^32 - 1 more VMs were created, so a request addressed to
 * a VM that went away fails with ENOENT instead of reaching another one.
 */
static DEFINE_MUTEX(vms_lock);
static DEFINE_XARRAY_ALLOC1(vms);
static u32 nr_vms;
static u32 next_id = 1;

/*
 * Fail closed (uapi/linux/pvabi.h): without standalone a VM negotiates only
 * once a control plane pushed its policy.  Read-only after load, so a
 * running host cannot be switched to fail open behind its control plane.
 */
static bool standalone;
module_param(standalone, bool, 0444);
MODULE_PARM_DESC(standalone,
		 "VMs negotiate under the default policy without a control plane (default N: not before a policy is pushed)");

bool pvabi_standalone(void)
{
	return standalone;
}

/*
 * The host's offer: what this module implements until the control plane
 * pushes its own (PVABI_CMD_SET_OFFER).  A spinlock: it is copied whole.
 */
static DEFINE_SPINLOCK(host_lock);
static struct pvabi_offer host_offer = {
	.n_versions = 1,
	.versions = { { PVABI_VERSION_MAJOR, PVABI_VERSION_MINOR } },
	.features = PVABI_KMOD_FEATURES,
};
static bool host_offer_set;

bool pvabi_host_offer(struct pvabi_offer *offer)
{
	bool set;

	spin_lock(&host_lock);
	*offer = host_offer;
	set = host_offer_set;
	spin_unlock(&host_lock);
	return set;
}

void pvabi_host_set_offer(const struct pvabi_offer *offer)
{
	spin_lock(&host_lock);
	host_offer = *offer;
	host_offer_set = true;
	spin_unlock(&host_lock);
}

void pvabi_policy_default(struct pvabi_policy *pol)
{
	pol->min.major = PVABI_VERSION_MAJOR;
	pol->min.minor = 0;
	pol->max.major = PVABI_VERSION_MAJOR;
	pol->max.minor = PVABI_VERSION_MINOR;
	pol->features = PVABI_KMOD_FEATURES;
	pol->patch_mode = PVABI_NL_PATCH_GUEST;
	pol->defer_us = PVABI_DEFER_US_DEFAULT;
	pol->enabled = true;
}

/* vm->lock held. */
static int may_negotiate(const struct pvabi_vm *vm)
{
	if (!vm->policy_pushed && !standalone)
		return PVABI_E_POLICY;
	return vm->policy.enabled ? 0 : PVABI_E_POLICY;
}

/*
 * Whether @vm's vCPUs may negotiate now: 0, or PVABI_E_POLICY (no policy
 * pushed yet without standalone, or a policy that disables pvabi).  Every
 * negotiation path asks, through pvabi_vm_offer() or here.
 */
int pvabi_vm_may_negotiate(struct pvabi_vm *vm)
{
	int ret;

	mutex_lock(&vm->lock);
	ret = may_negotiate(vm);
	mutex_unlock(&vm->lock);
	return ret;
}

/*
 * The VM's offer: the host's, clamped by the VM's policy.  Returns 0 or a
 * PVABI_E_* code: PVABI_E_POLICY when the VM may not negotiate (see
 * pvabi_vm_may_negotiate()), another when the policy leaves nothing.
 */
int pvabi_vm_offer(struct pvabi_vm *vm, struct pvabi_offer *offer,
		   u32 *defer_us)
{
	struct pvabi_policy pol;
	u64 features;
	int ret;

	mutex_lock(&vm->lock);
	pol = vm->policy;
	ret = may_negotiate(vm);
	mutex_unlock(&vm->lock);
	if (ret)
		return ret;

	pvabi_host_offer(offer);
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

	xa_erase(&vms, id);
	nr_vms--;
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

	mutex_lock(&vms_lock);
	vm = xa_load(&vms, id);
	if (vm && vm->live)
		kref_get(&vm->ref);
	else
		vm = NULL;
	mutex_unlock(&vms_lock);
	return vm;
}

struct pvabi_vm *pvabi_vm_get_by_uuid(const u8 *uuid)
{
	struct pvabi_vm *vm, *found = NULL;
	unsigned long id;

	mutex_lock(&vms_lock);
	xa_for_each(&vms, id, vm) {
		if (vm->live && vm->has_uuid &&
		    !memcmp(vm->uuid, uuid, PVABI_UUID_LEN)) {
			kref_get(&vm->ref);
			found = vm;
			break;
		}
	}
	mutex_unlock(&vms_lock);
	return found;
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
	unsigned long id = from;
	struct pvabi_vm *vm;
	int ret;

	for (;;) {
		mutex_lock(&vms_lock);
		do {
			vm = xa_find(&vms, &id, U32_MAX, XA_PRESENT);
		} while (vm && !vm->live && id++ < U32_MAX);
		if (vm && vm->live)
			kref_get(&vm->ref);
		else
			vm = NULL;
		mutex_unlock(&vms_lock);
		if (!vm)
			return 0;
		ret = fn(vm, arg);
		pvabi_vm_put(vm);
		if (ret || id == U32_MAX)
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
	case PVABI_VM_REGION:
		return pvabi_region_create(vm, (void __user *)arg);
	case PVABI_VM_SET_VCPU_FDS:
		return pvabi_region_set_fds(vm, (void __user *)arg);
	case PVABI_VM_GET_VCPU_FDS:
		return pvabi_region_get_fds(vm, (void __user *)arg);
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

/*
 * Printable ASCII only: the kernel's isprint() also passes Latin-1 bytes
 * 0xa0 ... 0xff, which are not characters in the UTF-8 a terminal shows.
 */
static int check_name(const char *name)
{
	size_t len = strnlen(name, PVABI_VM_NAME_MAX), i;

	if (len == PVABI_VM_NAME_MAX)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (name[i] < 0x20 || name[i] > 0x7e)
			return -EINVAL;
	for (; i < PVABI_VM_NAME_MAX; i++)
		if (name[i])
			return -EINVAL;
	return 0;
}

/*
 * Whether @vm may join the table (vms_lock held): its name and UUID are
 * free, and neither the global nor its owner's limit is reached.  VMs not
 * live yet count: they hold their name and their place.
 */
static int may_add(const struct pvabi_vm *vm)
{
	struct pvabi_vm *o;
	unsigned long id;
	u32 mine = 0;

	xa_for_each(&vms, id, o) {
		if (vm->name[0] && !strcmp(o->name, vm->name))
			return -EEXIST;
		if (vm->has_uuid && o->has_uuid &&
		    !memcmp(o->uuid, vm->uuid, PVABI_UUID_LEN))
			return -EEXIST;
		mine += uid_eq(o->owner, vm->owner);
	}
	if (nr_vms >= PVABI_MAX_VMS)
		return -ENOSPC;
	if (mine >= min_t(unsigned int, READ_ONCE(max_vms_per_user),
			  PVABI_MAX_VMS))
		return -EDQUOT;
	return 0;
}

/*
 * PVABI_CREATE_VM: returns the new VM's fd, its id written to @ureq->id.
 * The VM joins the table hidden (not live: no lookup finds it), the id is
 * copied out, and only then is it made live and the fd installed: a failed
 * copy leaves neither an fd nor a VM behind.
 */
int pvabi_vm_create(const struct pvabi_create_vm *req,
		    struct pvabi_create_vm __user *ureq)
{
	bool has_uuid = memchr_inv(req->uuid, 0, PVABI_UUID_LEN);
	struct pvabi_vm *vm;
	struct file *file;
	int fd, ret;
	u32 id;

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
	vm->owner = current_euid();
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
	ret = may_add(vm);
	if (!ret)
		ret = xa_alloc_cyclic(&vms, &id, vm, XA_LIMIT(1, U32_MAX),
				      &next_id, GFP_KERNEL_ACCOUNT);
	if (ret >= 0) {
		vm->id = id;
		nr_vms++;
	}
	mutex_unlock(&vms_lock);
	if (ret < 0)
		goto err_file;

	if (put_user(id, &ureq->id)) {
		mutex_lock(&vms_lock);
		xa_erase(&vms, id);
		nr_vms--;
		mutex_unlock(&vms_lock);
		ret = -EFAULT;
		goto err_file;
	}
	mutex_lock(&vms_lock);
	vm->live = true;
	mutex_unlock(&vms_lock);
	fd_install(fd, file);
	pvabi_genl_event(PVABI_EVENT_VM_CREATED, id, -1);
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

/*
 * PVABI_OPEN_VM: another fd of the live VM with @ureq->uuid, for its owner
 * (the euid that created it) or CAP_SYS_ADMIN: a control plane that
 * restarted takes back the VMs a VMM still runs.
 */
int pvabi_vm_open(struct pvabi_open_vm __user *ureq)
{
	struct pvabi_open_vm req;
	struct pvabi_vm *vm;
	int fd;

	if (copy_from_user(&req, ureq, sizeof(req)))
		return -EFAULT;
	if (req.flags || req.id || !memchr_inv(req.uuid, 0, PVABI_UUID_LEN))
		return -EINVAL;
	vm = pvabi_vm_get_by_uuid(req.uuid);
	if (!vm)
		return -ENOENT;
	if (!uid_eq(vm->owner, current_euid()) && !capable(CAP_SYS_ADMIN)) {
		fd = -EPERM;
		goto out;
	}
	req.id = vm->id;
	if (copy_to_user(ureq, &req, sizeof(req))) {
		fd = -EFAULT;
		goto out;
	}
	/* The fd's reference is the lookup's. */
	fd = anon_inode_getfd("pvabi-vm", &vm_fops, vm, O_RDWR | O_CLOEXEC);
	if (fd >= 0)
		return fd;
out:
	pvabi_vm_put(vm);
	return fd;
}

void pvabi_vms_exit(void)
{
	xa_destroy(&vms);
}
