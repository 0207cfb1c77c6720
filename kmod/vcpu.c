// SPDX-License-Identifier: GPL-2.0-only
/*
 * vCPU contexts: an anon-inode fd per vCPU whose magic and notification
 * pages are mmap-able, and its ioctls (negotiation, delivery setup, stats).
 */
#include <linux/anon_inodes.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "pvabi_mod.h"

/* One ABI page is one host page: the fault handler maps whole pages. */
static_assert(PAGE_SIZE == PVABI_PAGE_SIZE);

#define MAGIC_PGOFF (PVABI_MMAP_MAGIC_OFFSET >> PAGE_SHIFT)
#define NOTIFY_PGOFF (PVABI_MMAP_NOTIFY_OFFSET >> PAGE_SHIFT)
#define NR_PAGES 2

static void vcpu_free(struct kref *ref)
{
	struct pvabi_vcpu *v = container_of(ref, struct pvabi_vcpu, ref);

	if (v->efd)
		eventfd_ctx_put(v->efd);
	if (v->efd_file)
		fput(v->efd_file);
	put_pid(v->sig_pid);
	__free_page(v->magic);
	__free_page(v->notify);
	mutex_destroy(&v->lock);
	pvabi_vm_put(v->vm);
	kfree(v);
}

void pvabi_vcpu_put(struct pvabi_vcpu *v)
{
	kref_put(&v->ref, vcpu_free);
}

void pvabi_vcpu_stats(struct pvabi_vcpu *v, struct pvabi_vcpu_stats *st,
		      u32 *version, u64 *features)
{
	mutex_lock(&v->lock);
	pvabi_delivery_stats(v, st);
	*version = v->negotiated ? v->version : 0;
	*features = v->negotiated ? v->features : 0;
	mutex_unlock(&v->lock);
}

static vm_fault_t vcpu_fault(struct vm_fault *vmf)
{
	struct pvabi_vcpu *v = vmf->vma->vm_file->private_data;
	vm_fault_t ret;

	switch (vmf->pgoff) {
	case MAGIC_PGOFF:
		return vmf_insert_pfn(vmf->vma, vmf->address,
				      page_to_pfn(v->magic));
	case NOTIFY_PGOFF:
		/* Map the page under the lock that zaps it, so a zap can't
		 * slip in between the delivery decision and the new PTE.
		 */
		mutex_lock(&v->lock);
		if (pvabi_notify_trap(v))
			ret = vmf_insert_pfn(vmf->vma, vmf->address,
					     page_to_pfn(v->notify));
		else
			ret = VM_FAULT_NOPAGE;	/* still armed: trap again */
		mutex_unlock(&v->lock);
		return ret;
	default:
		return VM_FAULT_SIGBUS;
	}
}

static const struct vm_operations_struct vcpu_vm_ops = {
	.fault = vcpu_fault,
};

static int vcpu_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct pvabi_vcpu *v = file->private_data;

	if (!(vma->vm_flags & VM_SHARED) || (vma->vm_flags & VM_EXEC))
		return -EINVAL;
	if (vma->vm_pgoff >= NR_PAGES || vma_pages(vma) > NR_PAGES - vma->vm_pgoff)
		return -EINVAL;
	pvabi_vm_flags_mod(vma, VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP,
			   VM_MAYEXEC);
	vma->vm_ops = &vcpu_vm_ops;
	mutex_lock(&v->lock);
	v->mapping = file->f_mapping;
	mutex_unlock(&v->lock);
	return 0;
}

static int pvabi_to_errno(int err)
{
	switch (err) {
	case PVABI_E_NOVERSION:
	case PVABI_E_NOFEATURE:
		return -EOPNOTSUPP;
	case PVABI_E_POLICY:	/* the control plane has not allowed it */
		return -EACCES;
	default:
		return -EINVAL;
	}
}

/* Write the negotiated header; generation is odd while it changes. */
static void write_header(struct pvabi_vcpu *v, const struct pvabi_request *req)
{
	struct pvabi_magic_page *pg = page_address(v->magic);
	enum pvabi_byte_order bo = v->bo;
	u32 gen = pvabi_ld32(bo, &pg->hdr.generation);
	struct pvabi_version ver = pvabi_version_unpack(v->version);

	pvabi_st32(bo, &pg->hdr.generation, gen | 1);
	smp_wmb(); /* odd generation before the fields: readers retry */
	pvabi_st32(bo, &pg->hdr.magic, PVABI_MAGIC);
	pvabi_st16(bo, &pg->hdr.major, ver.major);
	pvabi_st16(bo, &pg->hdr.minor, ver.minor);
	pvabi_st32(bo, &pg->hdr.size, PVABI_SIZE_1_0);
	WRITE_ONCE(pg->hdr.byte_order, bo);
	pvabi_st64(bo, &pg->hdr.features, v->features);
	pvabi_st64(bo, &pg->hdr.magic_gpa, req->magic_gpa);
	pvabi_st64(bo, &pg->hdr.notify_gpa, req->notify_gpa);
	smp_wmb(); /* the fields before the even generation */
	pvabi_st32(bo, &pg->hdr.generation, (gen | 1) + 1);
}

/*
 * Make a negotiation's result the vCPU's (v->lock held): the header, the
 * delivery machine.  Returns 0 or a PVABI_E_* code (nothing changed).
 */
int pvabi_vcpu_start(struct pvabi_vcpu *v, enum pvabi_byte_order bo,
		     const struct pvabi_result *res,
		     const struct pvabi_request *req, u32 defer_us)
{
	int err;

	lockdep_assert_held(&v->lock);
	v->bo = bo;
	v->version = pvabi_version_pack(res->version);
	v->features = res->features;
	write_header(v, req);
	err = pvabi_delivery_start(v, defer_us);
	if (!err)
		v->negotiated = true;
	return err;
}

static long vcpu_negotiate(struct pvabi_vcpu *v, void __user *uarg)
{
	struct pvabi_vcpu_negotiate n;
	struct pvabi_request req;
	struct pvabi_result res;
	struct pvabi_offer offer;
	u32 defer_us;
	int err;

	if (copy_from_user(&n, uarg, sizeof(n)))
		return -EFAULT;
	if (memchr_inv(n.pad, 0, sizeof(n.pad)) || n.pad2 || n.error ||
	    n.version || n.features)
		return -EINVAL;
	if (n.byte_order != PVABI_BYTE_ORDER_LITTLE &&
	    n.byte_order != PVABI_BYTE_ORDER_BIG)
		return -EINVAL;
	req.min = pvabi_version_unpack(n.min_version);
	req.max = pvabi_version_unpack(n.max_version);
	req.wanted = n.wanted;
	req.required = n.required;
	req.magic_gpa = n.magic_gpa;
	req.notify_gpa = n.notify_gpa;

	/*
	 * Write the request back unchanged before anything changes: an
	 * argument the caller may read but not write fails here, not after
	 * the vCPU has negotiated.
	 */
	if (copy_to_user(uarg, &n, sizeof(n)))
		return -EFAULT;

	err = pvabi_vm_offer(v->vm, &offer, &defer_us);
	if (!err)
		err = pvabi_negotiate(&offer, &req, &res);
	/* Both addresses 0 is libpvabi's offline query; a vCPU registers. */
	if (!err && !req.magic_gpa && !req.notify_gpa)
		err = PVABI_E_BADADDR;

	mutex_lock(&v->lock);
	if (v->negotiated) {
		mutex_unlock(&v->lock);
		return -EBUSY;
	}
	if (!err)
		err = pvabi_vcpu_start(v, n.byte_order, &res, &req, defer_us);
	if (!err) {
		n.version = v->version;
		n.features = v->features;
	}
	mutex_unlock(&v->lock);

	n.error = err;
	if (copy_to_user(uarg, &n, sizeof(n)))
		return -EFAULT;
	if (err)
		return pvabi_to_errno(err);
	pvabi_genl_event(PVABI_EVENT_VCPU_NEGOTIATED, v->vm->id, v->index);
	return 0;
}

static long vcpu_set_eventfd(struct pvabi_vcpu *v, void __user *uarg)
{
	struct eventfd_ctx *ctx = NULL, *old;
	struct pvabi_eventfd e;

	if (copy_from_user(&e, uarg, sizeof(e)))
		return -EFAULT;
	if (e.flags || e.fd < -1)
		return -EINVAL;
	if (e.fd >= 0) {
		ctx = eventfd_ctx_fdget(e.fd);
		if (IS_ERR(ctx))
			return PTR_ERR(ctx);
	}
	mutex_lock(&v->lock);
	old = v->efd;
	v->efd = ctx;
	mutex_unlock(&v->lock);
	if (old)
		eventfd_ctx_put(old);
	return 0;
}

static long vcpu_set_signal(struct pvabi_vcpu *v, void __user *uarg)
{
	struct pvabi_signal s;
	struct pid *pid = NULL, *old;

	if (copy_from_user(&s, uarg, sizeof(s)))
		return -EFAULT;
	if (s.flags || s.signo < 0 || !valid_signal(s.signo) ||
	    s.signo == SIGKILL || s.signo == SIGSTOP)
		return -EINVAL;
	if (s.signo)
		pid = get_task_pid(current, PIDTYPE_PID);
	mutex_lock(&v->lock);
	old = v->sig_pid;
	v->sig_pid = pid;
	v->signo = s.signo;
	v->sig_uid = current_uid();
	v->sig_euid = current_euid();
	mutex_unlock(&v->lock);
	put_pid(old);
	return 0;
}

static long vcpu_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct pvabi_vcpu *v = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case PVABI_VCPU_NEGOTIATE:
		return vcpu_negotiate(v, uarg);
	case PVABI_VCPU_SET_REGS: {
		struct pvabi_regs r;

		if (copy_from_user(&r, uarg, sizeof(r)))
			return -EFAULT;
		mutex_lock(&v->lock);
		v->regs.r1 = r.r1;
		v->regs.supervisor = !(r.msr & PVABI_MSR_PR);
		mutex_unlock(&v->lock);
		return 0;
	}
	case PVABI_VCPU_SET_EVENTFD:
		return vcpu_set_eventfd(v, uarg);
	case PVABI_VCPU_SET_SIGNAL:
		return vcpu_set_signal(v, uarg);
	case PVABI_VCPU_INJECT:
		return arg > U32_MAX ? -EINVAL : pvabi_inject(v, arg);
	case PVABI_VCPU_KICK:
		return arg ? -EINVAL : pvabi_kick(v);
	case PVABI_VCPU_GET_STATS: {
		struct pvabi_vcpu_stats st;
		u64 features;
		u32 version;

		pvabi_vcpu_stats(v, &st, &version, &features);
		return copy_to_user(uarg, &st, sizeof(st)) ? -EFAULT : 0;
	}
	default:
		return -ENOTTY;
	}
}

/*
 * The vCPU's owner (its fd, or the region) lets it go: no lookup finds it,
 * no timer or work runs for it again, and the owner's reference is dropped.
 */
void pvabi_vcpu_kill(struct pvabi_vcpu *v)
{
	struct pvabi_vm *vm = v->vm;

	mutex_lock(&vm->lock);
	if (vm->vcpus[v->index] == v)
		vm->vcpus[v->index] = NULL;
	mutex_unlock(&vm->lock);
	mutex_lock(&v->lock);
	v->dead = true;
	v->mapping = NULL;
	mutex_unlock(&v->lock);
	pvabi_delivery_stop(v);
	pvabi_vcpu_put(v);
}

static int vcpu_release(struct inode *inode, struct file *file)
{
	pvabi_vcpu_kill(file->private_data);
	return 0;
}

static const struct file_operations vcpu_fops = {
	.owner = THIS_MODULE,
	.release = vcpu_release,
	.unlocked_ioctl = vcpu_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = vcpu_mmap,
	.llseek = noop_llseek,
};

/*
 * A new vCPU at @index of @vm, in its table (EEXIST if taken), holding a
 * reference on @vm; the caller owns the returned reference and gives it
 * up with pvabi_vcpu_kill().
 */
struct pvabi_vcpu *pvabi_vcpu_new(struct pvabi_vm *vm, u32 index)
{
	struct pvabi_vcpu *v;
	int err;

	if (index >= PVABI_MAX_VCPUS)
		return ERR_PTR(-EINVAL);
	v = kzalloc(sizeof(*v), GFP_KERNEL_ACCOUNT);
	if (!v)
		return ERR_PTR(-ENOMEM);
	v->magic = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	v->notify = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!v->magic || !v->notify) {
		if (v->magic)
			__free_page(v->magic);
		if (v->notify)
			__free_page(v->notify);
		kfree(v);
		return ERR_PTR(-ENOMEM);
	}
	kref_init(&v->ref);
	mutex_init(&v->lock);
	kref_get(&vm->ref);
	v->vm = vm;
	v->index = index;
	v->bo = PVABI_HOST_ORDER;
	v->regs.supervisor = 1;
	v->notify_off = PVABI_MMAP_NOTIFY_OFFSET;
	pvabi_delivery_init(v);

	mutex_lock(&vm->lock);
	err = vm->vcpus[index] ? -EEXIST : 0;
	if (!err)
		vm->vcpus[index] = v;
	mutex_unlock(&vm->lock);
	if (err) {
		mutex_lock(&v->lock);
		v->dead = true;
		mutex_unlock(&v->lock);
		pvabi_vcpu_put(v);
		return ERR_PTR(err);
	}
	return v;
}

/* PVABI_CREATE_VCPU: returns the vCPU's fd. */
int pvabi_vcpu_create(struct pvabi_vm *vm, unsigned long index)
{
	struct pvabi_vcpu *v;
	int fd;

	if (index >= PVABI_MAX_VCPUS)
		return -EINVAL;
	v = pvabi_vcpu_new(vm, index);
	if (IS_ERR(v))
		return PTR_ERR(v);

	/* A file of its own (not the shared anon inode): its address_space
	 * holds exactly this vCPU's mappings, which deferral zaps.
	 */
	fd = anon_inode_getfd_secure("[pvabi-vcpu]", &vcpu_fops, v,
				     O_RDWR | O_CLOEXEC, NULL);
	if (fd < 0)
		pvabi_vcpu_kill(v);
	return fd;
}
