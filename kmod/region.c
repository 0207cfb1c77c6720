// SPDX-License-Identifier: GPL-2.0-only
/*
 * Region mode (PVABI_VM_REGION): one shared region per VM that a VMM maps
 * as a device BAR (a stock QEMU through ivshmem-doorbell) and never calls
 * the module about.  Exits come from eventfds the module waits on (the
 * doorbell register) and from stores to the notification pages; deliveries
 * leave as posts in the control page plus an eventfd (an MSI-X vector).
 * The layout and the guest's side are in uapi/linux/pvabi.h.
 */
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/pseudo_fs.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>

#include "pvabi_mod.h"

static_assert(sizeof(struct pvabi_region_slot) == 56);
static_assert(sizeof(struct pvabi_region_ctl) == PAGE_SIZE);
static_assert(offsetof(struct pvabi_region_ctl, slot) == 0x40);

/* Both features make the memory-only predicate sound (abi.h). */
#define REGION_FEATURES (PVABI_F_NESTING | PVABI_F_NOTIFY)

/*
 * The region fd's inode comes from this internal filesystem, not from the
 * shared anon inode: fstat() must see the region's size (QEMU sizes the
 * BAR from it), and its address_space holds exactly this region's
 * mappings, which arming unmaps from.  Linux 6.1 exports neither
 * anon_inode_getfile_secure() nor a way to size an anon inode's file
 * before its fd is installed.
 */
#define PVABI_FS_MAGIC 0x50564142

static int region_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, PVABI_FS_MAGIC) ? 0 : -ENOMEM;
}

static struct file_system_type region_fs_type = {
	.name = "pvabi",
	.init_fs_context = region_init_fs_context,
	.kill_sb = kill_anon_super,
};

static struct vfsmount *region_mnt;

int pvabi_region_init(void)
{
	region_mnt = kern_mount(&region_fs_type);
	return PTR_ERR_OR_ZERO(region_mnt);
}

void pvabi_region_exit(void)
{
	kern_unmount(region_mnt);
}

static struct pvabi_region_ctl *ctl_of(struct pvabi_region *r)
{
	return page_address(r->ctl);
}

static bool guest_inside(struct pvabi_vcpu *v)
{
	struct pvabi_magic_page *pg = page_address(v->magic);

	return pvabi_ld64(v->bo, &pg->dlv.critical) != 0;
}

static void signal_irq(struct pvabi_vcpu *v)
{
	smp_mb(); /* the post and int_pending before the interrupt */
	if (v->efd)
		eventfd_signal(v->efd, 1);
}

/*
 * Post @vector (v->lock held): the vector, then a new seq, int_pending,
 * and the interrupt.  The drain stops here until the guest acknowledges.
 */
void pvabi_region_post(struct pvabi_vcpu *v, u32 vector)
{
	struct pvabi_magic_page *pg = page_address(v->magic);

	lockdep_assert_held(&v->lock);
	WRITE_ONCE(v->slot->post_vector, cpu_to_le32(vector));
	smp_wmb(); /* the vector before its seq */
	v->post_vector = vector;
	v->post_seq++;
	WRITE_ONCE(v->slot->post_seq, cpu_to_le16(v->post_seq));
	v->posted = true;
	v->post_armed = false;
	pvabi_st32(v->bo, &pg->dlv.int_pending, 1);
	signal_irq(v);
}

/*
 * Whether no post is outstanding (v->lock held).  A post the guest has
 * acknowledged stops being outstanding here.
 */
bool pvabi_region_acked(struct pvabi_vcpu *v)
{
	lockdep_assert_held(&v->lock);
	if (!v->posted)
		return true;
	if (le16_to_cpu(READ_ONCE(v->slot->ack_seq)) != v->post_seq)
		return false;
	v->posted = false;
	v->post_armed = false;
	return true;
}

/*
 * The outstanding post was not taken (v->lock held): the guest declined it
 * inside a section, had its interrupts off, or has not run its handler
 * yet.  Signal it again when the guest can take it; while it is inside,
 * arm the notification page and look again after the unmap, as a deferral
 * does (the store that ends the section then traps, or was made before
 * the unmap and the second look sees critical == 0).
 */
static void region_repost(struct pvabi_vcpu *v)
{
	struct pvabi_magic_page *pg = page_address(v->magic);

	smp_mb(); /* int_pending (set at the post) before the guest's state */
	if (guest_inside(v)) {
		if (!v->zapped)
			pvabi_zap(v);
		v->post_armed = true;
		smp_mb(); /* the unmap before the second look */
		if (guest_inside(v))
			return;
	}
	v->post_armed = false;
	/* Off: the interrupt-enable template sees int_pending and rings. */
	if (!pvabi_ld32(v->bo, &pg->dlv.irq_enabled))
		return;
	signal_irq(v);
}

/*
 * What the module wrote and still means, written again (v->lock held): a
 * VMM that restored the region from a saved image (virsh restore, an
 * incoming migration) wrote back older contents over the outstanding
 * post and int_pending.  The same values again change nothing for a guest
 * that saw them.
 */
static void region_republish(struct pvabi_vcpu *v)
{
	struct pvabi_magic_page *pg = page_address(v->magic);

	if (v->posted) {
		WRITE_ONCE(v->slot->post_vector, cpu_to_le32(v->post_vector));
		smp_wmb(); /* the vector before its seq */
		WRITE_ONCE(v->slot->post_seq, cpu_to_le16(v->post_seq));
	}
	if (v->posted || pvabi_dlv_pending(&v->dlv))
		pvabi_st32(v->bo, &pg->dlv.int_pending, 1);
}

/* An exit of @v in region mode (v->lock held, negotiated, not dead). */
static void region_exit(struct pvabi_vcpu *v)
{
	struct pvabi_dlv_action act;

	region_republish(v);
	if (!pvabi_region_acked(v)) {
		region_repost(v);
		return;
	}
	pvabi_dlv_exit(&v->dlv, &v->regs, ktime_get_ns(), &act);
	pvabi_perform(v, act);
}

static bool still_armed(struct pvabi_vcpu *v)
{
	return (pvabi_dlv_flags(&v->dlv) & PVABI_DLV_S_ARMED) || v->post_armed;
}

/*
 * A store to the notification page faulted (v->lock held): a stop of the
 * vCPU after the store that left its section.  The caller maps the page
 * whatever is decided; if the vCPU must stay armed, the page is unmapped
 * again afterwards by rezap_work.
 */
static void region_ring(struct pvabi_vcpu *v)
{
	struct pvabi_dlv_action act;

	lockdep_assert_held(&v->lock);
	if (v->dead || !v->negotiated || !v->zapped)
		return;	/* not armed: an ordinary store */
	if (v->posted) {
		region_exit(v);
	} else {
		pvabi_dlv_notify_trap(&v->dlv, &v->regs, ktime_get_ns(), &act);
		pvabi_perform(v, act);
	}
	v->zapped = false;
	if (still_armed(v))
		schedule_work(&v->rezap_work);
}

/* Arm again what a completed store had to map. */
static void rezap_work(struct work_struct *work)
{
	struct pvabi_vcpu *v = container_of(work, struct pvabi_vcpu,
					    rezap_work);
	struct pvabi_dlv_action act;

	mutex_lock(&v->lock);
	if (!v->dead && v->negotiated && !v->zapped) {
		if (pvabi_dlv_flags(&v->dlv) & PVABI_DLV_S_ARMED) {
			pvabi_zap(v);
			smp_mb(); /* the unmap before the re-check's loads */
			pvabi_dlv_entry(&v->dlv, &v->regs, ktime_get_ns(), &act);
			pvabi_perform(v, act);
		} else if (v->post_armed && !pvabi_region_acked(v)) {
			region_repost(v);
		}
	}
	mutex_unlock(&v->lock);
}

/* Write the VM's offer into the control page's header. */
static void write_offer(struct pvabi_region *r, const struct pvabi_offer *o)
{
	struct pvabi_region_ctl *c = ctl_of(r);
	struct pvabi_version lo = { 0xffff, 0xffff }, hi = { 0, 0 };
	u32 i;

	for (i = 0; i < o->n_versions; i++) {
		if (pvabi_version_cmp(o->versions[i], hi) > 0)
			hi = o->versions[i];
		if (pvabi_version_cmp(o->versions[i], lo) < 0)
			lo = o->versions[i];
	}
	/* Offering major.minor implies every lower minor, down to a floor. */
	lo.minor = 0;
	if (o->floor.major == lo.major && o->floor.minor > lo.minor)
		lo = o->floor;
	if (!o->n_versions)
		lo = hi;
	WRITE_ONCE(c->offer_min, cpu_to_le32(pvabi_version_pack(lo)));
	WRITE_ONCE(c->offer_max, cpu_to_le32(pvabi_version_pack(hi)));
	WRITE_ONCE(c->offer_features, cpu_to_le64(o->features));
}

/* The request in @v's slot, read once; a PVABI_E_* code if malformed. */
static int read_request(struct pvabi_vcpu *v, struct pvabi_request *req,
			u8 *bo)
{
	struct pvabi_region_slot *s = v->slot;
	u8 pad[3];

	req->min = pvabi_version_unpack(le32_to_cpu(READ_ONCE(s->req_min)));
	req->max = pvabi_version_unpack(le32_to_cpu(READ_ONCE(s->req_max)));
	req->wanted = le64_to_cpu(READ_ONCE(s->req_wanted));
	req->required = le64_to_cpu(READ_ONCE(s->req_required));
	*bo = READ_ONCE(s->req_byte_order);
	memcpy(pad, s->req_reserved, sizeof(pad));
	/* The pages are where the layout puts them: offsets, not GPAs. */
	req->magic_gpa = (1 + 2 * (u64)v->index) * PAGE_SIZE;
	req->notify_gpa = req->magic_gpa + PAGE_SIZE;
	if (memchr_inv(pad, 0, sizeof(pad)))
		return PVABI_E_RESERVED;
	if (*bo != PVABI_BYTE_ORDER_LITTLE && *bo != PVABI_BYTE_ORDER_BIG)
		return PVABI_E_INVAL;
	return 0;
}

/*
 * The guest wrote a new request into @v's slot: negotiate it as
 * PVABI_VCPU_NEGOTIATE does and answer in the slot.
 */
static void region_negotiate(struct pvabi_vcpu *v, u32 seq)
{
	struct pvabi_region_slot *s = v->slot;
	struct pvabi_request req;
	struct pvabi_result res;
	struct pvabi_offer offer;
	u32 defer_us, status;
	bool ok = false;
	u8 bo;
	int err;

	smp_rmb(); /* req_seq before the request it publishes */
	err = read_request(v, &req, &bo);
	if (!err)
		err = pvabi_vm_offer(v->vm, &offer, &defer_us);
	if (!err)
		write_offer(v->region, &offer);
	if (!err)
		err = pvabi_negotiate(&offer, &req, &res);
	if (!err && (res.features & REGION_FEATURES) != REGION_FEATURES)
		err = PVABI_E_NOFEATURE;

	mutex_lock(&v->lock);
	if (!err && !v->dead) {
		/* A guest that rebooted starts afresh. */
		hrtimer_try_to_cancel(&v->bound);
		v->negotiated = false;
		v->posted = false;
		v->post_armed = false;
		err = pvabi_vcpu_start(v, bo, &res, &req, defer_us);
		ok = !err;
	}
	status = err ? (u32)err : v->version;
	WRITE_ONCE(s->ans_status, cpu_to_le32(status));
	WRITE_ONCE(s->ans_features, cpu_to_le64(ok ? v->features : 0));
	smp_wmb(); /* the answer before its seq */
	WRITE_ONCE(s->ans_seq, cpu_to_le32(seq));
	mutex_unlock(&v->lock);
	if (ok)
		pvabi_genl_event(PVABI_EVENT_VCPU_NEGOTIATED, v->vm->id,
				 v->index);
}

/* A doorbell ring: an exit of the vCPU. */
static void exit_work(struct work_struct *work)
{
	struct pvabi_vcpu *v = container_of(work, struct pvabi_vcpu,
					    exit_work);
	u32 seq = le32_to_cpu(READ_ONCE(v->slot->req_seq));

	if (seq != v->req_seen) {
		v->req_seen = seq;
		region_negotiate(v, seq);
	}
	mutex_lock(&v->lock);
	if (!v->dead && v->negotiated)
		region_exit(v);
	mutex_unlock(&v->lock);
}

/* Called by the eventfd's wake-up, in atomic context, like KVM's irqfd. */
static int doorbell_wake(wait_queue_entry_t *wait, unsigned int mode,
			 int sync, void *key)
{
	struct pvabi_vcpu *v = container_of(wait, struct pvabi_vcpu, db_wait);
	u64 cnt;

	if (key_to_poll(key) & EPOLLIN) {
		/* Rings coalesce: one exit decides for all of them. */
		eventfd_ctx_do_read(v->db_ctx, &cnt);
		schedule_work(&v->exit_work);
	}
	return 0;
}

static void doorbell_queue(struct file *file, wait_queue_head_t *wqh,
			   poll_table *pt)
{
	struct pvabi_vcpu *v = container_of(pt, struct pvabi_vcpu, db_pt);

	add_wait_queue(wqh, &v->db_wait);
}

static void doorbell_detach(struct pvabi_vcpu *v)
{
	u64 cnt;

	if (!v->db_ctx)
		return;
	eventfd_ctx_remove_wait_queue(v->db_ctx, &v->db_wait, &cnt);
	eventfd_ctx_put(v->db_ctx);
	v->db_ctx = NULL;
	fput(v->db_file);
	v->db_file = NULL;
}

/* Wait on @fd's eventfd (r->lock held); rings already counted are one. */
static int doorbell_attach(struct pvabi_vcpu *v, int fd)
{
	struct eventfd_ctx *ctx;
	struct fd f = fdget(fd);
	__poll_t events;

	if (!f.file)
		return -EBADF;
	ctx = eventfd_ctx_fileget(f.file);
	if (IS_ERR(ctx)) {
		fdput(f);
		return PTR_ERR(ctx);
	}
	doorbell_detach(v);
	v->db_ctx = ctx;
	v->db_file = get_file(f.file);
	init_waitqueue_func_entry(&v->db_wait, doorbell_wake);
	init_poll_funcptr(&v->db_pt, doorbell_queue);
	events = vfs_poll(f.file, &v->db_pt);
	fdput(f);
	if (events & EPOLLIN)
		schedule_work(&v->exit_work);
	return 0;
}

/* @fd's eventfd and a reference to its file; the file is NULL for -1. */
static int irq_get(int fd, struct eventfd_ctx **ctx, struct file **file)
{
	struct fd f;

	*ctx = NULL;
	*file = NULL;
	if (fd < 0)
		return 0;
	f = fdget(fd);
	if (!f.file)
		return -EBADF;
	*ctx = eventfd_ctx_fileget(f.file);
	if (IS_ERR(*ctx)) {
		fdput(f);
		return PTR_ERR(*ctx);
	}
	*file = get_file(f.file);
	fdput(f);
	return 0;
}

int pvabi_region_set_fds(struct pvabi_vm *vm,
			 const struct pvabi_vm_vcpu_fds __user *u)
{
	struct eventfd_ctx *irq = NULL, *old;
	struct file *irq_file = NULL, *old_file;
	struct pvabi_vm_vcpu_fds f;
	struct pvabi_region *r;
	struct pvabi_vcpu *v;
	int err = 0;

	if (copy_from_user(&f, u, sizeof(f)))
		return -EFAULT;
	if (f.reserved || f.doorbell_fd < -1 || f.irq_fd < -1)
		return -EINVAL;
	err = irq_get(f.irq_fd, &irq, &irq_file);
	if (err)
		return err;
	/*
	 * vm->lock until the end: region_release() clears vm->region under
	 * it before freeing, so the region and its vCPUs outlive this call.
	 */
	mutex_lock(&vm->lock);
	r = vm->region;
	if (!r || !r->live || f.vcpu >= r->n_vcpus) {
		err = -ENOENT;
		goto out;
	}
	v = r->vcpus[f.vcpu];
	mutex_lock(&r->lock);
	if (f.doorbell_fd >= 0)
		err = doorbell_attach(v, f.doorbell_fd);
	else
		doorbell_detach(v);
	mutex_unlock(&r->lock);
	if (err)
		goto out;
	mutex_lock(&v->lock);
	old = v->efd;
	old_file = v->efd_file;
	v->efd = irq;
	v->efd_file = irq_file;
	mutex_unlock(&v->lock);
	irq = old;
	irq_file = old_file;
out:
	mutex_unlock(&vm->lock);
	if (irq)
		eventfd_ctx_put(irq);
	if (irq_file)
		fput(irq_file);
	return err;
}

/* An unused fd for @file, or -1 when there is no file; -errno. */
static int reserve_fd(struct file *file)
{
	return file ? get_unused_fd_flags(O_CLOEXEC) : -1;
}

/*
 * PVABI_VM_GET_VCPU_FDS: new fds of the eventfds a vCPU uses now, for a
 * control plane that restarted and serves the VM again.
 */
int pvabi_region_get_fds(struct pvabi_vm *vm,
			 struct pvabi_vm_vcpu_fds __user *u)
{
	struct pvabi_vm_vcpu_fds f;
	struct file *db = NULL, *irq = NULL;
	struct pvabi_region *r;
	struct pvabi_vcpu *v;
	int err = 0;

	if (copy_from_user(&f, u, sizeof(f)))
		return -EFAULT;
	if (f.reserved || f.doorbell_fd || f.irq_fd)
		return -EINVAL;
	mutex_lock(&vm->lock);
	r = vm->region;
	if (!r || !r->live || f.vcpu >= r->n_vcpus) {
		mutex_unlock(&vm->lock);
		return -ENOENT;
	}
	v = r->vcpus[f.vcpu];
	mutex_lock(&r->lock);
	if (v->db_file)
		db = get_file(v->db_file);
	mutex_unlock(&r->lock);
	mutex_lock(&v->lock);
	if (v->efd_file)
		irq = get_file(v->efd_file);
	mutex_unlock(&v->lock);
	mutex_unlock(&vm->lock);

	f.doorbell_fd = reserve_fd(db);
	f.irq_fd = f.doorbell_fd < -1 ? -1 : reserve_fd(irq);
	if (f.doorbell_fd < -1 || f.irq_fd < -1)
		err = f.doorbell_fd < -1 ? f.doorbell_fd : f.irq_fd;
	else if (copy_to_user(u, &f, sizeof(f)))
		err = -EFAULT;
	if (!err && db)
		fd_install(f.doorbell_fd, db);
	if (!err && irq)
		fd_install(f.irq_fd, irq);
	if (err) {
		if (f.doorbell_fd >= 0)
			put_unused_fd(f.doorbell_fd);
		if (f.irq_fd >= 0)
			put_unused_fd(f.irq_fd);
		if (db)
			fput(db);
		if (irq)
			fput(irq);
	}
	return err;
}

/*
 * The VM's policy changed and still lets it negotiate (netlink.c): the
 * control page offers what a negotiation would be offered now, before the
 * guest asks (a region made before pvctld pushed the policy offered
 * nothing until then).
 */
void pvabi_region_offer_changed(struct pvabi_vm *vm)
{
	struct pvabi_offer offer;
	u32 defer_us;

	if (pvabi_vm_offer(vm, &offer, &defer_us))
		return;
	mutex_lock(&vm->lock);
	if (vm->region && vm->region->live)
		write_offer(vm->region, &offer);
	mutex_unlock(&vm->lock);
}

/*
 * The VM's policy went from enabled to disabled (netlink.c): the control
 * page offers nothing from now on, and each vCPU that negotiated finds its
 * last answer turned into PVABI_E_POLICY, with one interrupt to look.  What
 * was injected is still delivered: no vector is dropped.
 */
void pvabi_region_revoke(struct pvabi_vm *vm)
{
	struct pvabi_region *r;
	struct pvabi_region_ctl *c;
	u32 i;

	mutex_lock(&vm->lock);
	r = vm->region;
	if (!r || !r->live) {
		mutex_unlock(&vm->lock);
		return;
	}
	c = ctl_of(r);
	WRITE_ONCE(c->offer_min, 0);
	WRITE_ONCE(c->offer_max, 0);
	WRITE_ONCE(c->offer_features, 0);
	for (i = 0; i < r->n_vcpus; i++) {
		struct pvabi_vcpu *v = r->vcpus[i];

		mutex_lock(&v->lock);
		if (!v->dead && v->negotiated) {
			WRITE_ONCE(v->slot->ans_status,
				   cpu_to_le32((u32)PVABI_E_POLICY));
			signal_irq(v);
		}
		mutex_unlock(&v->lock);
	}
	mutex_unlock(&vm->lock);
}

/* ---------------------------------------------------------------- mapping */

static struct pvabi_vcpu *vcpu_at(struct pvabi_region *r, pgoff_t pg,
				  bool *notify)
{
	if (pg < 1 || pg >= 1 + 2 * (pgoff_t)r->n_vcpus)
		return NULL;
	*notify = (pg - 1) & 1;
	return r->vcpus[(pg - 1) / 2];
}

static vm_fault_t region_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct pvabi_region *r = vma->vm_file->private_data;
	bool write = vmf->flags & FAULT_FLAG_WRITE, notify = false;
	/* A read maps read-only: a later store still reaches pfn_mkwrite. */
	pgprot_t prot = write ? vm_get_page_prot(vma->vm_flags) :
				vma->vm_page_prot;
	struct pvabi_vcpu *v;
	struct page *page;
	vm_fault_t ret;

	if (vmf->pgoff == 0) {
		page = r->ctl;
	} else {
		v = vcpu_at(r, vmf->pgoff, &notify);
		page = v ? (notify ? v->notify : v->magic) : r->pad;
	}
	if (!notify)
		return vmf_insert_pfn_prot(vma, vmf->address,
					   page_to_pfn(page), prot);
	/* Map under the lock that zaps, after deciding: never no page. */
	mutex_lock(&v->lock);
	if (write)
		region_ring(v);
	ret = vmf_insert_pfn_prot(vma, vmf->address, page_to_pfn(page), prot);
	mutex_unlock(&v->lock);
	return ret;
}

/* A store to a page a read mapped read-only. */
static vm_fault_t region_pfn_mkwrite(struct vm_fault *vmf)
{
	struct pvabi_region *r = vmf->vma->vm_file->private_data;
	struct pvabi_vcpu *v;
	bool notify = false;

	v = vcpu_at(r, vmf->pgoff, &notify);
	if (v && notify) {
		mutex_lock(&v->lock);
		region_ring(v);
		mutex_unlock(&v->lock);
	}
	return 0;
}

static const struct vm_operations_struct region_vm_ops = {
	.fault = region_fault,
	.pfn_mkwrite = region_pfn_mkwrite,
};

static int region_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct pvabi_region *r = file->private_data;
	unsigned long pages = r->size >> PAGE_SHIFT;

	if (!(vma->vm_flags & VM_SHARED) || (vma->vm_flags & VM_EXEC))
		return -EINVAL;
	if (vma->vm_pgoff >= pages || vma_pages(vma) > pages - vma->vm_pgoff)
		return -EINVAL;
	pvabi_vm_flags_mod(vma, VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP,
			   VM_MAYEXEC);
	vma->vm_ops = &region_vm_ops;
	return 0;
}

static void region_free(struct pvabi_region *r)
{
	u32 i;

	for (i = 0; i < r->n_vcpus; i++) {
		struct pvabi_vcpu *v = r->vcpus[i];

		if (!v)
			continue;
		mutex_lock(&r->lock);
		doorbell_detach(v);
		mutex_unlock(&r->lock);
		pvabi_vcpu_kill(v);
	}
	__free_page(r->ctl);
	__free_page(r->pad);
	mutex_destroy(&r->lock);
	pvabi_vm_put(r->vm);
	kfree(r);
}

static int region_release(struct inode *inode, struct file *file)
{
	struct pvabi_region *r = file->private_data;
	struct pvabi_vm *vm = r->vm;

	mutex_lock(&vm->lock);
	if (vm->region == r)
		vm->region = NULL;
	mutex_unlock(&vm->lock);
	region_free(r);
	return 0;
}

static const struct file_operations region_fops = {
	.owner = THIS_MODULE,
	.release = region_release,
	.mmap = region_mmap,
	.llseek = noop_llseek,
};

/* The fd of a file on the region filesystem whose inode is @size long. */
static struct file *region_file(struct pvabi_region *r)
{
	struct inode *inode;
	struct file *file;

	/* What anon_inode_getfile() does: the file holds the module. */
	if (!try_module_get(THIS_MODULE))
		return ERR_PTR(-ENOENT);
	inode = alloc_anon_inode(region_mnt->mnt_sb);
	if (IS_ERR(inode)) {
		module_put(THIS_MODULE);
		return ERR_CAST(inode);
	}
	inode->i_size = r->size;
	file = alloc_file_pseudo(inode, region_mnt, "[pvabi-region]", O_RDWR,
				 &region_fops);
	if (IS_ERR(file)) {
		iput(inode);
		module_put(THIS_MODULE);
		return file;
	}
	file->private_data = r;
	return file;
}

static void ctl_init(struct pvabi_region *r)
{
	struct pvabi_region_ctl *c = ctl_of(r);

	c->magic = cpu_to_le32(PVABI_REGION_MAGIC);
	c->layout = cpu_to_le32(PVABI_REGION_LAYOUT);
	c->n_vcpus = cpu_to_le32(r->n_vcpus);
	c->page_size = cpu_to_le32(PAGE_SIZE);
	c->doorbell_id = cpu_to_le32(r->doorbell_id);
}

/*
 * PVABI_VM_REGION_F_REOPEN: another fd of the VM's region, for a control
 * plane that lost its own (restarted) while a VMM maps it.
 */
static int region_reopen(struct pvabi_vm *vm, struct pvabi_vm_region *req,
			 struct pvabi_vm_region __user *u)
{
	struct pvabi_region *r;
	struct file *file = NULL;
	int fd;

	if (req->n_vcpus || req->size || req->fd || req->doorbell_id ||
	    req->flags != PVABI_VM_REGION_F_REOPEN)
		return -EINVAL;
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return fd;
	/* vm->lock: region_release() clears vm->region under it first. */
	mutex_lock(&vm->lock);
	r = vm->region;
	if (r && r->live && get_file_rcu(r->file)) {
		file = r->file;
		req->n_vcpus = r->n_vcpus;
		req->size = r->size;
		req->doorbell_id = r->doorbell_id;
	}
	mutex_unlock(&vm->lock);
	if (!file) {
		put_unused_fd(fd);
		return -ENOENT;
	}
	req->fd = fd;
	if (copy_to_user(u, req, sizeof(*req))) {
		put_unused_fd(fd);
		fput(file);
		return -EFAULT;
	}
	fd_install(fd, file);
	return fd;
}

/* PVABI_VM_REGION: the vCPUs, the pages, the fd. */
int pvabi_region_create(struct pvabi_vm *vm, struct pvabi_vm_region __user *u)
{
	struct pvabi_vm_region req;
	struct pvabi_offer offer;
	struct pvabi_region *r;
	struct file *file;
	u32 i, defer_us;
	int fd, err;

	if (copy_from_user(&req, u, sizeof(req)))
		return -EFAULT;
	if (req.flags & PVABI_VM_REGION_F_REOPEN)
		return region_reopen(vm, &req, u);
	if (!req.n_vcpus || req.n_vcpus > PVABI_MAX_VCPUS || req.flags ||
	    req.size || req.fd || req.doorbell_id > PVABI_REGION_MAX_ID)
		return -EINVAL;
	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return -ENOMEM;
	mutex_init(&r->lock);
	kref_get(&vm->ref);
	r->vm = vm;
	r->n_vcpus = req.n_vcpus;
	r->doorbell_id = req.doorbell_id;
	r->size = roundup_pow_of_two((1 + 2 * (u64)req.n_vcpus) * PAGE_SIZE);
	r->ctl = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	r->pad = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!r->ctl || !r->pad) {
		err = -ENOMEM;
		goto err_pages;
	}
	ctl_init(r);
	if (!pvabi_vm_offer(vm, &offer, &defer_us))
		write_offer(r, &offer);

	mutex_lock(&vm->lock);
	err = vm->region ? -EBUSY : 0;
	if (!err)
		vm->region = r;
	mutex_unlock(&vm->lock);
	if (err)
		goto err_pages;

	for (i = 0; i < r->n_vcpus; i++) {
		struct pvabi_vcpu *v = pvabi_vcpu_new(vm, i);

		if (IS_ERR(v)) {
			err = PTR_ERR(v);
			goto err_vcpus;
		}
		v->region = r;
		v->slot = &ctl_of(r)->slot[i];
		v->notify_off = (2 + 2 * (loff_t)i) * PAGE_SIZE;
		INIT_WORK(&v->exit_work, exit_work);
		INIT_WORK(&v->rezap_work, rezap_work);
		r->vcpus[i] = v;
	}

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		err = fd;
		goto err_vcpus;
	}
	file = region_file(r);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		err = PTR_ERR(file);
		goto err_vcpus;
	}
	for (i = 0; i < r->n_vcpus; i++)
		r->vcpus[i]->mapping = file->f_mapping;
	mutex_lock(&vm->lock);
	r->file = file;
	r->live = true;	/* complete: PVABI_VM_SET_VCPU_FDS may use it */
	mutex_unlock(&vm->lock);
	req.size = r->size;
	req.fd = fd;
	if (copy_to_user(u, &req, sizeof(req))) {
		put_unused_fd(fd);
		fput(file);	/* region_release() undoes the rest */
		return -EFAULT;
	}
	fd_install(fd, file);
	return fd;

err_vcpus:
	mutex_lock(&vm->lock);
	vm->region = NULL;
	mutex_unlock(&vm->lock);
	region_free(r);
	return err;
err_pages:
	if (r->ctl)
		__free_page(r->ctl);
	if (r->pad)
		__free_page(r->pad);
	mutex_destroy(&r->lock);
	pvabi_vm_put(vm);
	kfree(r);
	return err;
}
