/* SPDX-License-Identifier: (GPL-2.0-only WITH Linux-syscall-note) OR BSD-2-Clause */
/*
 * pvabi.ko user-space API: the /dev/pvabi ioctls and the "pvabi" generic
 * netlink family.
 *
 * The magic page and notification page themselves are defined by
 * <pvabi/abi.h>; this header only says how a VMM and an administrator reach
 * them through the kernel.
 *
 * ============================================================== /dev/pvabi
 *
 * /dev/pvabi is a misc device, used like /dev/kvm: the fd is the capability.
 *
 *   dev = open("/dev/pvabi", O_RDWR | O_CLOEXEC);
 *   ioctl(dev, PVABI_GET_API_VERSION)      -> PVABI_API_VERSION
 *   vm = ioctl(dev, PVABI_CREATE_VM, &cv)  -> a VM fd; cv.id is filled in
 *   vm = ioctl(dev, PVABI_OPEN_VM, &ov)    -> another fd of a VM that
 *                                             exists (below)
 *   vcpu = ioctl(vm, PVABI_CREATE_VCPU, index)  -> a vCPU fd
 *   magic  = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu,
 *                 PVABI_MMAP_MAGIC_OFFSET);
 *   notify = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu,
 *                 PVABI_MMAP_NOTIFY_OFFSET);
 *   ioctl(vcpu, PVABI_VCPU_NEGOTIATE, &neg)
 *   ioctl(vcpu, PVABI_VCPU_SET_EVENTFD, &efd)   (or PVABI_VCPU_SET_SIGNAL)
 *   ioctl(vcpu, PVABI_VCPU_SET_REGS, &regs) on every guest exit
 *   ioctl(vcpu, PVABI_VCPU_INJECT, vector), ioctl(vcpu, PVABI_VCPU_KICK, 0)
 *
 * A VMM that never calls the module per exit uses region mode instead
 * (PVABI_VM_REGION, below).
 *
 * A VM lives while its fd or any of its vCPU fds (or a mapping of a vCPU's
 * pages) is open.  Every ioctl returns 0 on success (an fd, the API version
 * or PVABI_VCPU_INJECT's 1 where said) and -1 with errno on failure:
 *   EINVAL   a field is out of range, a reserved field or flag is non-zero;
 *   EFAULT   the argument pointer is bad (PVABI_CREATE_VM: then no fd is
 *            installed and no VM is left behind);
 *   EBADF    PVABI_VCPU_SET_EVENTFD: fd is not open (EINVAL: not an eventfd);
 *   ENOTTY   the command is not known on this kind of fd;
 *   EEXIST   the vCPU index or the VM's name/UUID is already in use;
 *   EPERM    PVABI_OPEN_VM: the caller is neither the VM's creator (its
 *            effective uid) nor CAP_SYS_ADMIN;
 *   EBUSY    the vCPU has already negotiated, or its vector queue is full;
 *   ENOTCONN the vCPU has not negotiated yet (PVABI_VCPU_INJECT, _KICK);
 *   ENOSPC   PVABI_MAX_VMS VMs exist;
 *   EDQUOT   the caller's effective user holds max_vms_per_user VMs (a
 *            module parameter, /sys/module/pvabi/parameters/, default and
 *            at most PVABI_MAX_VMS);
 *   EOPNOTSUPP  negotiation found no common version or feature (the
 *            precise PVABI_E_* code is in pvabi_vcpu_negotiate.error);
 *   EACCES   PVABI_VCPU_NEGOTIATE: the control plane has not let the VM
 *            negotiate (pvabi_vcpu_negotiate.error is PVABI_E_POLICY):
 *            no policy has been pushed for it yet (PVABI_CMD_SET_POLICY)
 *            while the module is not standalone, or its policy disables
 *            pvabi (PVABI_POLICY_A_ENABLED 0).  See "Fail closed" below.
 *
 * The vCPU fd's pages, each one page (4096 bytes) at a fixed mmap offset;
 * one mmap may cover both.  Mappings must be MAP_SHARED, never executable.
 *
 *   PVABI_MMAP_MAGIC_OFFSET   the magic page (struct pvabi_magic_page)
 *   PVABI_MMAP_NOTIFY_OFFSET  the notification page (struct pvabi_notify_page)
 *
 * Delivery.  PVABI_VCPU_INJECT raises an interrupt vector (any 32-bit value
 * the VMM uses to name an interrupt) and returns 0 when it was queued, 1
 * when the same vector was already pending (coalesced: one delivery), or
 * fails with EBUSY when 32 distinct vectors wait (PVABI_DLV_QUEUE_LEN in
 * <pvabi/delivery.h>; nothing queued: inject again after a delivery).  The vCPU must have negotiated
 * (ENOTCONN otherwise).  The decisions are libpvabi's delivery state
 * machine (<pvabi/delivery.h>), compiled into the module: the kernel treats
 * each injection, PVABI_VCPU_KICK and doorbell fault as a vCPU exit and
 * delivers at once when the vCPU is outside a critical section
 * (delivery.critical differs from the r1 last given with
 * PVABI_VCPU_SET_REGS, or the vCPU is in problem state) with its virtual
 * interrupts on.  Otherwise it sets delivery.int_pending and, inside a
 * critical section, unmaps the notification page from every process that
 * maps it; the guest's next doorbell store faults into the module, which
 * delivers and maps the page again.  The VM's deferral bound (an hrtimer)
 * forces delivery from a critical section held too long.  Each delivered
 * vector adds 1 to the vCPU's eventfd (usable as a KVM irqfd) and/or sends
 * the chosen signal, with the vector in si_value, to the thread that asked.
 *
 * fork().  A child shares what its parent had: the fds (all O_CLOEXEC) and
 * the MAP_SHARED mappings of the pages, so it is the same VM and vCPUs, not
 * a copy.  It may use every ioctl on the inherited fds, its stores to the
 * pages are the guest's, and its doorbell stores trap and deliver as the
 * parent's do.  The VM lives on while the child holds an fd or a mapping,
 * even after the parent closed everything (the lifetime above).  The
 * signal chosen with PVABI_VCPU_SET_SIGNAL stays addressed to the thread
 * that asked; a child that wants it asks again, replacing it (one thread
 * per vCPU).  exec() closes the fds and drops the mappings: a process that
 * keeps nothing else lets the VM go.
 *
 * Fail closed.  The module parameter standalone (bool, default N, set at
 * load: /sys/module/pvabi/parameters/standalone) decides who allows a VM
 * to negotiate.  With N, the packaged default, a new VM refuses every
 * negotiation (EACCES, PVABI_E_POLICY) until a control plane (pvctld) has
 * pushed a policy for it with PVABI_CMD_SET_POLICY; pvctld does that the
 * moment it hears PVABI_EVENT_VM_CREATED, so a VMM that negotiates at once
 * may have to try again.  With Y a new VM negotiates under the default
 * policy (below) as soon as it exists, for use without a control plane.
 * Either way a policy with PVABI_POLICY_A_ENABLED 0 refuses.  The offer
 * a policy clamps is the host's (PVABI_CMD_SET_OFFER).
 * ========================================================================
 */
#ifndef _UAPI_LINUX_PVABI_H
#define _UAPI_LINUX_PVABI_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define PVABI_API_VERSION 1

#define PVABI_MAX_VMS 256
#define PVABI_MAX_VCPUS 64
#define PVABI_VM_NAME_MAX 64 /* bytes, including the terminating NUL */
#define PVABI_UUID_LEN 16

#define PVABI_MMAP_MAGIC_OFFSET 0x0000
#define PVABI_MMAP_NOTIFY_OFFSET 0x1000

/*
 * PVABI_CREATE_VM: name (printable ASCII, bytes 0x20 ... 0x7e, NUL-terminated,
 * bytes after the NUL zero) and/or uuid; all-zero means absent; at least one
 * is given.  id is written back: the VM's number in netlink messages, never
 * 0.  Ids are handed out cyclically over 1 ... 2^32 - 1: while the module
 * stays loaded an id comes back only after 2^32 - 1 more VMs were created.
 */
struct pvabi_create_vm {
	char name[PVABI_VM_NAME_MAX];
	__u8 uuid[PVABI_UUID_LEN];
	__u32 flags; /* none defined: 0 */
	__u32 id;    /* out */
};

/*
 * PVABI_OPEN_VM: a new fd (O_RDWR | O_CLOEXEC) of the live VM whose UUID is
 * uuid (not all zero), its id written back, for a control plane that
 * restarted (killed, upgraded) and takes back the VMs a VMM still runs:
 * with the region's fd (PVABI_VM_REGION_F_REOPEN) and the vCPUs' eventfds
 * (PVABI_VM_GET_VCPU_FDS) it serves the VM as before.  The caller must be
 * the VM's creator (the effective uid that created it) or hold
 * CAP_SYS_ADMIN (EPERM); ENOENT when no live VM has the UUID.  The fd
 * holds the VM as PVABI_CREATE_VM's does.
 */
struct pvabi_open_vm {
	__u8 uuid[PVABI_UUID_LEN];
	__u32 flags; /* none defined: 0 */
	__u32 id;    /* out; 0 on input */
};

/*
 * PVABI_VCPU_NEGOTIATE.  Versions are (major << 16) | minor.  The VM's offer
 * (the host's versions and features clamped by the VM's policy) is matched
 * against the request as pvabi_negotiate() does; on success the magic page's
 * header is written in the given byte order and major/minor/features are
 * filled in.  On failure error holds the PVABI_E_* code.  The page
 * addresses are checked as pvabi_negotiate() checks them, and both 0 (its
 * offline query) is refused too: EINVAL with PVABI_E_BADADDR.  An argument
 * that is readable but not writable fails with EFAULT before the vCPU
 * changes.
 */
struct pvabi_vcpu_negotiate {
	__u32 min_version;
	__u32 max_version;
	__u64 wanted;
	__u64 required;
	__u64 magic_gpa;
	__u64 notify_gpa;
	__u8 byte_order; /* PVABI_BYTE_ORDER_LITTLE or _BIG */
	__u8 pad[3];     /* zero */
	__s32 error;     /* out: 0 or PVABI_E_* */
	__u32 version;   /* out */
	__u32 pad2;      /* zero */
	__u64 features;  /* out */
};

/*
 * PVABI_VCPU_SET_REGS: the guest registers the protocol depends on, given
 * by the VMM whenever they change (at least on every guest exit): r1 is
 * compared with delivery.critical; msr's PR bit marks problem state.
 */
struct pvabi_regs {
	__u64 r1;
	__u64 msr;
};

/* PVABI_VCPU_SET_EVENTFD: fd -1 removes the eventfd. */
struct pvabi_eventfd {
	__s32 fd;
	__u32 flags; /* none defined: 0 */
};

/*
 * PVABI_VCPU_SET_SIGNAL: send signo to the calling thread on every
 * delivery; 0 stops it.  signo is a valid signal number (1 ... 64 on most
 * architectures); SIGKILL and SIGSTOP are refused.  The caller's real and
 * effective uid are recorded and checked at each delivery as F_SETOWN's
 * are (the kernel's sigio_perm()): the signal is sent only if the recorded
 * euid is root, or either recorded uid equals the thread's real or saved
 * uid now.  A thread that exec'd a set-user-ID program and became another
 * user no longer gets it; the eventfd, if any, still counts.
 */
struct pvabi_signal {
	__s32 signo;
	__u32 flags; /* none defined: 0 */
};

/*
 * PVABI_VCPU_GET_STATS: counters since the vCPU negotiated (the delivery
 * state machine's, see <pvabi/delivery.h>, plus the module's own).
 */
struct pvabi_vcpu_stats {
	__u64 injected;     /* injections queued */
	__u64 coalesced;    /* injections of a vector already pending */
	__u64 refused;      /* injections refused: queue full (EBUSY) */
	__u64 delivered;    /* vectors delivered, each exactly once */
	__u64 deferred;     /* deferral episodes (critical section) */
	__u64 notify_traps; /* doorbell stores that faulted */
	__u64 forced;       /* deliveries forced by the deferral bound */
	__u64 masked;       /* decisions held back by irq_enabled == 0 */
	__u64 kicks;        /* times the vCPU was asked to exit */
	__u64 exits;        /* exits: PVABI_VCPU_KICK and the module's own */
	__u64 zaps;         /* times the notification page was unmapped */
	__u64 pending;      /* vectors waiting now */
};

/*
 * ================================================================ region mode
 *
 * For a VMM that never calls the module per exit (a stock QEMU through
 * ivshmem-doorbell), the VM fd creates its vCPUs in "region mode": no vCPU
 * fds, one shared region the VMM maps as a PCI BAR, and two eventfds per
 * vCPU.  vCPU-fd mode above is unchanged; one VM uses one mode or the other
 * per vCPU index.
 *
 *   ioctl(vm, PVABI_VM_REGION, &r)         -> r.fd, r.size
 *   fstat(r.fd).st_size == r.size          (a power of two, >= 4096)
 *   base = mmap(NULL, r.size, PROT_READ | PROT_WRITE, MAP_SHARED, r.fd, 0)
 *   ioctl(vm, PVABI_VM_SET_VCPU_FDS, &f)   per vCPU: doorbell_fd, irq_fd
 *
 * PVABI_VM_REGION creates vCPUs 0 ... n_vcpus - 1 (1 ... PVABI_MAX_VCPUS)
 * and the region fd (O_RDWR | O_CLOEXEC), once per VM: EBUSY the second
 * time, EEXIST when one of those indexes already has a vCPU fd.  flags,
 * size and fd are 0 on input (EINVAL); doorbell_id is the ivshmem peer ID
 * the VMM's server gives the module, 0 ... PVABI_REGION_MAX_ID (EINVAL),
 * written into the control page for the guest.  The region lives while
 * its fd or a mapping of it is open; it holds the VM.  Mappings are
 * MAP_SHARED and never executable (EINVAL), within size (EINVAL); one
 * mmap may cover any part of the region.
 *
 * With flags PVABI_VM_REGION_F_REOPEN (and every other field 0, EINVAL)
 * it creates nothing: it returns a new fd of the region that exists,
 * filling in n_vcpus, size, fd and doorbell_id (ENOENT: the VM has none,
 * or its last fd and mapping are being closed).  With PVABI_OPEN_VM and
 * PVABI_VM_GET_VCPU_FDS, what a restarted control plane takes back.
 *
 * PVABI_VM_GET_VCPU_FDS: the vCPU's doorbell and irq eventfds as they are
 * set now, each as a new fd (O_CLOEXEC) of the same eventfd, or -1 where
 * none is set: vcpu < n_vcpus (ENOENT), doorbell_fd, irq_fd and reserved 0
 * on input (EINVAL).  Nothing changes: the VMM that holds the other ends
 * keeps ringing and being interrupted through them.
 *
 * PVABI_VM_SET_VCPU_FDS: vcpu < n_vcpus (ENOENT without a region or past
 * n_vcpus), reserved 0, each fd an eventfd or -1 (none; EBADF for an fd
 * not open, EINVAL for one not an eventfd); replaces what was set.
 *   doorbell_fd  the module waits on it; every write is an exit of that
 *                vCPU (QEMU: the guest wrote the ivshmem doorbell register,
 *                BAR0 offset 12, with (doorbell_id << 16) | vcpu, the
 *                module's ivshmem peer ID being the control page's
 *                doorbell_id).  Writes that come faster than the
 *                module runs coalesce: after the last write the module
 *                makes at least one exit decision.
 *   irq_fd       the module adds 1 for each post to that vCPU (QEMU: MSI-X
 *                vector vcpu; with KVM an irqfd).
 *
 * Layout.  Offsets in bytes from the region's start; the control page is
 * little-endian whatever the guest's byte order, the magic page is in the
 * byte order the guest negotiated, as in <pvabi/abi.h>.
 *
 *   0x0000                      the control page (struct pvabi_region_ctl)
 *   (1 + 2 * i) * 4096          vCPU i's magic page
 *   (2 + 2 * i) * 4096          vCPU i's notification page
 *   (1 + 2 * n_vcpus) * 4096 ... size - 1   padding: reads and writes go
 *                               to one scratch page the module never reads
 *
 * Control page: the header is the module's (read-only to the guest; a
 * guest's write there is ignored and lasts until the module rewrites it):
 * magic PVABI_REGION_MAGIC, layout PVABI_REGION_LAYOUT, n_vcpus, the VM's
 * offer as negotiation would use it now (lowest and highest version,
 * features; written when the region is made and at each policy change and
 * negotiation; all 0 while the VM may not negotiate: before its first
 * policy, when the packaged default fails closed, and once disabled),
 * and doorbell_id, the module's ivshmem peer ID: the guest rings vCPU v's
 * doorbell by writing (doorbell_id << 16) | v to BAR0 offset 12.  pvabi's
 * server (pvctld) gives the module ID 1 and QEMU ID 0, because QEMU's
 * ivshmem with master=on (what migrates the region) must be peer 0;
 * doorbell_id was reserved (0) before, which is what a region created
 * with doorbell_id 0 still shows.  Slot i (struct
 * pvabi_region_slot, at 0x40 + 56 * i) belongs to vCPU i.  Everything the
 * guest writes is hostile: read once, checked, only compared.
 *
 * Negotiation through the region.  The guest fills req_* (req_min and
 * req_max packed versions, req_wanted, req_required, req_byte_order; the
 * reserved bytes zero), then, after a store barrier, writes req_seq = any
 * value different from the last one it wrote, then rings the doorbell.  At
 * the exit the module sees req_seq changed and negotiates as
 * PVABI_VCPU_NEGOTIATE does, with the VM's policy, the page addresses being
 * the region offsets above (they are what the magic page's magic_gpa and
 * notify_gpa then hold: the guest adds its BAR's address itself).  Region
 * mode has no guest registers, so "inside" is critical != 0
 * (PVABI_DLV_CFG_MEMORY): a negotiation whose result lacks PVABI_F_NESTING
 * or PVABI_F_NOTIFY is refused with PVABI_E_NOFEATURE and nothing changes.
 * A vCPU may negotiate again (a guest that rebooted): its pending vectors,
 * its post and its counters start afresh.  The region outlives the VMM
 * process (pvctld keeps it while the domain is enabled, for save/restore),
 * so a guest that boots finds the previous run's values in its slot: its
 * first req_seq differs from the one it finds there.
 *
 * Disable.  When a policy turns the VM's enabled from 1 to 0
 * (PVABI_POLICY_A_ENABLED), further negotiations are refused at once
 * (PVABI_E_POLICY in ans_status), the header's offer becomes all 0, and
 * each vCPU that negotiated finds ans_status turned into PVABI_E_POLICY
 * (ans_seq unchanged) and is sent one interrupt to look.  It keeps what it
 * negotiated until it renegotiates or the VM goes: vectors injected
 * before and after are still posted and delivered, none is dropped.  A
 * guest that sees the refusal may stop using its pages; once the domain
 * restarts without the device it finds none and runs trapping.  The answer: ans_status (the
 * negotiated version, > 0, or a PVABI_E_* code, < 0) and ans_features,
 * then, after a store barrier, ans_seq = the req_seq answered.  The guest
 * waits for ans_seq == its req_seq, then reads the rest.
 *
 * Delivery.  The module posts one vector at a time: post_vector, then
 * (after a store barrier) post_seq + 1 (16 bits, wrapping), int_pending = 1
 * in the magic page, then irq_fd.  A post stays outstanding, and no other
 * vector is posted, until the guest acknowledges it by storing ack_seq =
 * post_seq and ringing the doorbell (an EOI).  The module keeps
 * int_pending set while a post is outstanding.  On the interrupt the guest,
 * after its exception entry (the nesting rule of PVABI_F_NESTING: the
 * interrupted context's critical saved, critical = 0):
 *   - takes the post only when the interrupted context was outside every
 *     critical section (its saved critical == 0) and its virtual interrupts
 *     are on: reads post_seq, then (load barrier) post_vector; a post_seq
 *     it has taken already is a repeat signal and is ignored; otherwise it
 *     handles the vector, stores ack_seq = post_seq, rings the doorbell;
 *   - otherwise declines: takes nothing, restores critical and rings the
 *     doorbell.  At that exit the module finds the post unacknowledged and
 *     decides as for a deferral: inside (critical != 0) it unmaps the
 *     notification page, issues a full barrier and looks again, so the
 *     store that ends the section traps and the module signals irq_fd
 *     again; with irq_enabled == 0 it waits for the guest's
 *     interrupt-enable template, which sees int_pending and rings; else it
 *     signals irq_fd again at once.  The same post (same seq and vector)
 *     is signalled until it is taken: each vector reaches the guest once,
 *     in injection order.
 * A decision made on the injecting CPU reads critical while the guest runs
 * and may be stale by the time the interrupt lands; the guest's own check
 * on arrival is what keeps a delivery out of a section, the module's
 * decision only saves the round trip.  The deferral bound (PVABI_DLV_FORCED)
 * therefore only posts: a guest that declines keeps the vector until it
 * leaves its section.  In region mode the guest's "trap" (the template's
 * fallback when int_pending is set, PVABI_HC_KICK) is a doorbell ring.
 *
 * The notification page.  Only a store is a ring: the VMM's own reads (QEMU
 * saving the region for migration, a debugger) map it read-only and are
 * not.  The VMM's own stores (QEMU writing the saved region back on
 * virsh restore or an incoming migration, from a thread that is no vCPU)
 * cannot be told from the guest's: under TCG the guest's stores are the
 * VMM process's too.  They are rings, which is safe: a ring is only an
 * exit, at which the module decides again from the pages; it never drops,
 * repeats or reorders a vector (it counts in notify_traps).  What such a
 * write can do is put back older contents over what the module wrote
 * since the image was taken: so at every exit the module writes its
 * outstanding post (post_vector, post_seq) and int_pending again, and
 * pvctld rings every vCPU's doorbell once the restored guest runs
 * (libvirt's started and resumed events).  Pending vectors and the
 * outstanding post survive save/restore: they are the module's, which
 * keeps the VM while pvctld holds the region.  A store that faults is always completed: the module decides, maps
 * the page, and if the vCPU must stay armed unmaps it again from a work
 * item afterwards (the next store traps again and counts towards the
 * deferral bound).  The control page, the magic pages and the padding are
 * always mapped.
 * ========================================================================
 */
#define PVABI_REGION_MAGIC 0x47525650 /* "PVRG", little-endian */
#define PVABI_REGION_LAYOUT 1

#define PVABI_REGION_MAX_ID 65535	/* ivshmem's doorbell has 16 bits */
#define PVABI_VM_REGION_F_REOPEN (1U << 0)

struct pvabi_vm_region {
	__u32 n_vcpus;
	__u32 flags;	/* 0, or PVABI_VM_REGION_F_REOPEN */
	__u64 size;	/* out: bytes, a power of two >= 4096 */
	__s32 fd;	/* out: the region fd, O_RDWR | O_CLOEXEC */
	__u32 doorbell_id;	/* the module's ivshmem peer ID (was reserved) */
};

struct pvabi_vm_vcpu_fds {
	__u32 vcpu;
	__s32 doorbell_fd;	/* eventfd the module waits on, or -1 */
	__s32 irq_fd;		/* eventfd the module signals, or -1 */
	__u32 reserved;		/* zero */
};

/* One vCPU's slot: G = the guest writes it, M = the module. */
struct pvabi_region_slot {
	__le32 req_seq;		/* 0x00 G: new value = new request */
	__le32 req_min;		/* 0x04 G: (major << 16) | minor */
	__le32 req_max;		/* 0x08 G */
	__u8 req_byte_order;	/* 0x0c G: PVABI_BYTE_ORDER_* (magic page) */
	__u8 req_reserved[3];	/* 0x0d G: zero */
	__le64 req_wanted;	/* 0x10 G */
	__le64 req_required;	/* 0x18 G */
	__le32 ans_seq;		/* 0x20 M: the req_seq answered */
	__le32 ans_status;	/* 0x24 M: version (> 0) or PVABI_E_* (< 0) */
	__le64 ans_features;	/* 0x28 M */
	__le32 post_vector;	/* 0x30 M */
	__le16 post_seq;	/* 0x34 M: + 1 per post */
	__le16 ack_seq;		/* 0x36 G: the post_seq taken */
};

struct pvabi_region_ctl {
	__le32 magic;		/* 0x00 PVABI_REGION_MAGIC */
	__le32 layout;		/* 0x04 PVABI_REGION_LAYOUT */
	__le32 n_vcpus;		/* 0x08 */
	__le32 page_size;	/* 0x0c 4096 */
	__le32 offer_min;	/* 0x10 lowest version offered */
	__le32 offer_max;	/* 0x14 highest version offered */
	__le64 offer_features;	/* 0x18 */
	__le32 doorbell_id;	/* 0x20 the module's ivshmem peer ID */
	__u8 reserved[28];	/* 0x24 zero */
	struct pvabi_region_slot slot[PVABI_MAX_VCPUS];	/* 0x40 */
	__u8 tail[448];		/* zero */
};

/*
 * 0xBD is free in Documentation/userspace-api/ioctl/ioctl-number.rst (Linux
 * 6.1); 0xB7, the first one, is remoteproc's and nsfs's.
 */
#define PVABI_IO 0xBD

/* on /dev/pvabi */
#define PVABI_GET_API_VERSION _IO(PVABI_IO, 0x00)
#define PVABI_CREATE_VM _IOWR(PVABI_IO, 0x01, struct pvabi_create_vm)
#define PVABI_OPEN_VM _IOWR(PVABI_IO, 0x02, struct pvabi_open_vm)
/* on a VM fd; the argument is the vCPU index, < PVABI_MAX_VCPUS */
#define PVABI_CREATE_VCPU _IO(PVABI_IO, 0x10)
#define PVABI_VM_REGION _IOWR(PVABI_IO, 0x11, struct pvabi_vm_region)
#define PVABI_VM_SET_VCPU_FDS _IOW(PVABI_IO, 0x12, struct pvabi_vm_vcpu_fds)
#define PVABI_VM_GET_VCPU_FDS _IOWR(PVABI_IO, 0x13, struct pvabi_vm_vcpu_fds)
/* on a vCPU fd */
#define PVABI_VCPU_NEGOTIATE _IOWR(PVABI_IO, 0x20, struct pvabi_vcpu_negotiate)
#define PVABI_VCPU_SET_REGS _IOW(PVABI_IO, 0x21, struct pvabi_regs)
#define PVABI_VCPU_SET_EVENTFD _IOW(PVABI_IO, 0x22, struct pvabi_eventfd)
#define PVABI_VCPU_SET_SIGNAL _IOW(PVABI_IO, 0x23, struct pvabi_signal)
#define PVABI_VCPU_INJECT _IO(PVABI_IO, 0x24)	/* argument: the vector */
#define PVABI_VCPU_KICK _IO(PVABI_IO, 0x25)	/* argument 0 */
#define PVABI_VCPU_GET_STATS _IOR(PVABI_IO, 0x26, struct pvabi_vcpu_stats)

/*
 * ================================================ generic netlink "pvabi"
 *
 * Family PVABI_GENL_NAME, version PVABI_GENL_VERSION, in the initial network
 * namespace only.  Errors come back as the netlink error code (a negative
 * errno in the NLMSG_ERROR message) with an extended-ack message and, for a
 * bad attribute, its offset: EINVAL for a bad value or a missing required
 * attribute, ERANGE for a value out of range, ENOENT for an unknown VM or
 * vCPU, EPERM for any command without CAP_NET_ADMIN.  Attributes not
 * listed for a command are rejected (strict validation).
 *
 * Every command, the dump included, and the events group need CAP_NET_ADMIN
 * (GENL_ADMIN_PERM, GENL_MCAST_CAP_NET_ADMIN): the VMs' names, UUIDs,
 * policies and counters are the administrator's to see.
 *
 * PVABI_CMD_GET_VMS
 *   NLM_F_DUMP.  GENL_ADMIN_PERM (CAP_NET_ADMIN).  Optional filter:
 *     PVABI_A_VM_ID: NLA_U32       only this VM; absent: every VM
 *   Each reply message describes one VM.  A VM with more vCPUs than fit in
 *   one message spans several, consecutive; each repeats every attribute
 *   but PVABI_A_VM_VCPUS, which carries the next whole vCPU entries in
 *   increasing index order (never a partial one).  A VM destroyed while it
 *   is dumped ends early; the next VM starts from its first vCPU.  Zero
 *   vCPUs: PVABI_A_VM_VCPUS is empty.
 *     PVABI_A_VM_ID: NLA_U32, never 0
 *     PVABI_A_VM_NAME: NLA_NUL_STRING, at most PVABI_VM_NAME_MAX bytes
 *                      with the NUL; absent when the VM has no name
 *     PVABI_A_VM_UUID: NLA_BINARY, PVABI_UUID_LEN bytes; absent when the VM
 *                      has no UUID
 *     PVABI_A_VM_POLICY: NLA_NESTED, every member present (see below)
 *     PVABI_A_POLICY_PUSHED: NLA_FLAG, present once a policy has been
 *                      pushed for the VM (PVABI_CMD_SET_POLICY succeeded)
 *     PVABI_A_VM_VCPUS: NLA_NESTED
 *       0: NLA_NESTED (the nested type numbers are placeholders)
 *         PVABI_VCPU_A_INDEX: NLA_U32
 *         PVABI_VCPU_A_VERSION: NLA_U32, (major << 16) | minor; 0: the vCPU
 *                               has not negotiated yet
 *         PVABI_VCPU_A_FEATURES: NLA_U64, negotiated PVABI_F_* bits
 *         PVABI_VCPU_A_STATS: NLA_NESTED
 *           PVABI_STAT_A_INJECTED ... PVABI_STAT_A_PENDING: NLA_U64 each,
 *           the counters of struct pvabi_vcpu_stats, in its order; all
 *           zero for a vCPU that has not negotiated
 *       1: NLA_NESTED
 *         ...
 *
 * PVABI_CMD_SET_POLICY
 *   GENL_ADMIN_PERM (CAP_NET_ADMIN).  Applies to negotiations that happen
 *   afterwards; vCPUs that negotiated keep what they have.  The VM is
 *   named by exactly one of (both: EINVAL; neither: EINVAL):
 *     PVABI_A_VM_ID: NLA_U32
 *     PVABI_A_VM_UUID: NLA_BINARY, PVABI_UUID_LEN bytes (ERANGE for
 *                      another length); the way a control plane that knows
 *                      the VM by its UUID addresses it
 *     PVABI_A_FLAGS: NLA_U32, 0 or PVABI_SET_POLICY_F_RESET (start from the
 *                    defaults); other bits are refused; absent means 0
 *     PVABI_A_VM_POLICY: NLA_NESTED, required; an absent member is left as
 *                        it was:
 *       PVABI_POLICY_A_MIN_VERSION: NLA_U32, (major << 16) | minor, major
 *                                   not 0
 *       PVABI_POLICY_A_MAX_VERSION: NLA_U32, likewise; min <= max must hold
 *                                   after the change
 *       PVABI_POLICY_A_FEATURES: NLA_U64, the PVABI_F_* bits the VM may
 *                                negotiate; undefined bits are refused
 *       PVABI_POLICY_A_PATCH_MODE: NLA_U32, enum pvabi_nl_patch_mode, not
 *                                  UNSPEC; PVABI_F_HOST_PATCH is offered
 *                                  only under PVABI_NL_PATCH_HOST
 *       PVABI_POLICY_A_DEFER_US: NLA_U32, the deferral bound in
 *                                microseconds, 10 ... 1000000
 *       PVABI_POLICY_A_ENABLED: NLA_U32, 1: the VM may negotiate; 0: pvabi
 *                               is disabled for it, every negotiation is
 *                               refused (EACCES, PVABI_E_POLICY) whatever
 *                               the other members say
 *   A new VM starts with versions 1.0 ... 1.1, features PVABI_F_ALL_1_1
 *   (PVABI_F_NESTING: what region mode needs), PVABI_NL_PATCH_GUEST,
 *   10000 us (pvabi_dlv_config_default()'s bound) and enabled 1, but not
 *   pushed: without standalone=Y it cannot negotiate before its first
 *   PVABI_CMD_SET_POLICY (which may be empty: an empty PVABI_A_VM_POLICY
 *   nest accepts the defaults).
 *
 * PVABI_CMD_INJECT
 *   GENL_ADMIN_PERM (CAP_NET_ADMIN).  The same as PVABI_VCPU_INJECT; a
 *   coalesced injection succeeds too, a full queue fails with EBUSY, a vCPU
 *   that has not negotiated with ENOTCONN.
 *     PVABI_A_VM_ID: NLA_U32, required
 *     PVABI_A_VCPU: NLA_U32, the vCPU index, required
 *     PVABI_A_VECTOR: NLA_U32, the vector; absent means 0
 *
 * PVABI_CMD_EVENT
 *   Sent by the kernel to the multicast group PVABI_GENL_MCGRP_EVENTS;
 *   refused from user space.
 *     PVABI_A_EVENT: NLA_U32, enum pvabi_event
 *     PVABI_A_VM_ID: NLA_U32
 *     PVABI_A_VCPU: NLA_U32, for vCPU events only
 *     PVABI_A_VM_NAME, PVABI_A_VM_UUID: PVABI_EVENT_VM_CREATED only, as
 *                      in the dump (each absent when the VM has none)
 *     PVABI_A_VERSION: NLA_U32, PVABI_EVENT_VCPU_NEGOTIATED only: the
 *                      version negotiated, (major << 16) | minor
 *     PVABI_A_FEATURES: NLA_U64, PVABI_EVENT_VCPU_NEGOTIATED only: the
 *                      PVABI_F_* bits negotiated
 *   Events are best effort (a full socket buffer loses some: the
 *   listener sees ENOBUFS and dumps to catch up).  The details of
 *   VM_CREATED and VCPU_NEGOTIATED are read when the event is sent: a VM
 *   or vCPU already gone by then is announced without them.
 *
 * PVABI_CMD_SET_OFFER
 *   GENL_ADMIN_PERM (CAP_NET_ADMIN).  Sets the host's offer, what every
 *   VM's policy clamps from then on (negotiations that happen afterwards;
 *   vCPUs that negotiated keep what they have).  The control plane pushes
 *   its configured offer here; until then the module offers every version
 *   and feature it implements.  Both members are required: the offer is
 *   replaced as a whole.
 *     PVABI_A_OFFER: NLA_NESTED, required
 *       PVABI_OFFER_A_VERSIONS: NLA_NESTED, 1 ... PVABI_OFFER_MAX_VERSIONS
 *         (16) entries, each NLA_U32 (major << 16) | minor with major not
 *         0, no two equal (EINVAL); a version this module does not
 *         implement (another major, or a higher minor) is ERANGE.  The
 *         entries' own types are placeholders.
 *       PVABI_OFFER_A_FEATURES: NLA_U64, PVABI_F_* bits; undefined bits
 *         are refused
 *
 * PVABI_CMD_GET_OFFER
 *   GENL_ADMIN_PERM (CAP_NET_ADMIN).  No attributes.  Replies with:
 *     PVABI_A_OFFER: NLA_NESTED, the host's offer now, as SET_OFFER takes
 *                    it (the versions in the order they were given,
 *                    each entry's type 0)
 *     PVABI_A_FLAGS: NLA_U32, enum pvabi_host_flag: PVABI_HOST_F_STANDALONE
 *                    (loaded with standalone=Y), PVABI_HOST_F_OFFER_SET
 *                    (the offer was pushed; otherwise the module's own)
 */

#define PVABI_GENL_NAME "pvabi"
#define PVABI_GENL_VERSION 1
#define PVABI_GENL_MCGRP_EVENTS "events"

enum pvabi_cmd {
	PVABI_CMD_UNSPEC,
	PVABI_CMD_GET_VMS,
	PVABI_CMD_SET_POLICY,
	PVABI_CMD_INJECT,
	PVABI_CMD_EVENT,
	PVABI_CMD_SET_OFFER,
	PVABI_CMD_GET_OFFER,
	__PVABI_CMD_MAX
};
#define PVABI_CMD_MAX (__PVABI_CMD_MAX - 1)

enum pvabi_set_policy_flag {
	PVABI_SET_POLICY_F_RESET = 1U << 0,
	__PVABI_SET_POLICY_F_ALL = PVABI_SET_POLICY_F_RESET
};

enum pvabi_attr {
	PVABI_A_UNSPEC,
	PVABI_A_VM_ID,
	PVABI_A_VM_NAME,
	PVABI_A_VM_UUID,
	PVABI_A_VM_POLICY,
	PVABI_A_VM_VCPUS,
	PVABI_A_VCPU,
	PVABI_A_FLAGS,
	PVABI_A_EVENT,
	PVABI_A_VECTOR,
	PVABI_A_POLICY_PUSHED,
	PVABI_A_OFFER,
	PVABI_A_VERSION,
	PVABI_A_FEATURES,
	__PVABI_A_MAX
};
#define PVABI_A_MAX (__PVABI_A_MAX - 1)

enum pvabi_policy_attr {
	PVABI_POLICY_A_UNSPEC,
	PVABI_POLICY_A_MIN_VERSION,
	PVABI_POLICY_A_MAX_VERSION,
	PVABI_POLICY_A_FEATURES,
	PVABI_POLICY_A_PATCH_MODE,
	PVABI_POLICY_A_DEFER_US,
	PVABI_POLICY_A_ENABLED,
	__PVABI_POLICY_A_MAX
};
#define PVABI_POLICY_A_MAX (__PVABI_POLICY_A_MAX - 1)

#define PVABI_DEFER_US_MIN 10
#define PVABI_DEFER_US_MAX 1000000
#define PVABI_DEFER_US_DEFAULT 10000

enum pvabi_offer_attr {
	PVABI_OFFER_A_UNSPEC,
	PVABI_OFFER_A_VERSIONS,
	PVABI_OFFER_A_FEATURES,
	__PVABI_OFFER_A_MAX
};
#define PVABI_OFFER_A_MAX (__PVABI_OFFER_A_MAX - 1)

enum pvabi_host_flag {
	PVABI_HOST_F_STANDALONE = 1U << 0,
	PVABI_HOST_F_OFFER_SET = 1U << 1,
	__PVABI_HOST_F_ALL = PVABI_HOST_F_STANDALONE | PVABI_HOST_F_OFFER_SET
};

enum pvabi_vcpu_attr {
	PVABI_VCPU_A_UNSPEC,
	PVABI_VCPU_A_INDEX,
	PVABI_VCPU_A_VERSION,
	PVABI_VCPU_A_FEATURES,
	PVABI_VCPU_A_STATS,
	__PVABI_VCPU_A_MAX
};
#define PVABI_VCPU_A_MAX (__PVABI_VCPU_A_MAX - 1)

enum pvabi_stat_attr {
	PVABI_STAT_A_UNSPEC,
	PVABI_STAT_A_INJECTED,
	PVABI_STAT_A_COALESCED,
	PVABI_STAT_A_REFUSED,
	PVABI_STAT_A_DELIVERED,
	PVABI_STAT_A_DEFERRED,
	PVABI_STAT_A_NOTIFY_TRAPS,
	PVABI_STAT_A_FORCED,
	PVABI_STAT_A_MASKED,
	PVABI_STAT_A_KICKS,
	PVABI_STAT_A_EXITS,
	PVABI_STAT_A_ZAPS,
	PVABI_STAT_A_PENDING,
	__PVABI_STAT_A_MAX
};
#define PVABI_STAT_A_MAX (__PVABI_STAT_A_MAX - 1)

enum pvabi_nl_patch_mode {
	PVABI_NL_PATCH_UNSPEC,
	PVABI_NL_PATCH_GUEST, /* the guest patches itself (default) */
	PVABI_NL_PATCH_HOST,  /* the guest may also ask the host to patch it */
	PVABI_NL_PATCH_OFF,   /* no patching: the guest traps as it would */
	__PVABI_NL_PATCH_MAX
};
#define PVABI_NL_PATCH_MAX (__PVABI_NL_PATCH_MAX - 1)

enum pvabi_event {
	PVABI_EVENT_UNSPEC,
	PVABI_EVENT_VM_CREATED,
	PVABI_EVENT_VM_DESTROYED,
	PVABI_EVENT_VCPU_NEGOTIATED,
	PVABI_EVENT_POLICY_CHANGED,
	PVABI_EVENT_DEFER_FORCED, /* a guest held a critical section too long */
	__PVABI_EVENT_MAX
};
#define PVABI_EVENT_MAX (__PVABI_EVENT_MAX - 1)

#endif /* _UAPI_LINUX_PVABI_H */
