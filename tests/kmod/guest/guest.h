// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the test programs inside the QEMU guest share: TAP-ish result lines
 * and a vCPU of pvabi.ko driven from user space (its fd, its eventfd and its
 * two mmap'd pages).
 */
#ifndef PVABI_GUEST_H
#define PVABI_GUEST_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <linux/pvabi.h>

#include "pvabi/negotiate.h"

#define TOKEN 0x7ffdf00dcafe0ull /* the test vCPU's "r1" */

/* Checks that failed so far in this process. */
extern int n_fail;

#define EXPECT_ERR(call, err, desc)                                            \
	do {                                                                   \
		long r_;                                                       \
		errno = 0;                                                     \
		r_ = (long)(call);                                             \
		result(r_ == -1 && errno == (err), "%s: %s (got %ld, %s)",     \
		       desc, strerror(err), r_, strerror(errno));              \
	} while (0)

/* A netlink request that must fail with -@err. */
#define EXPECT_NL(ret, err, desc)                                              \
	do {                                                                   \
		int r_ = (ret);                                                \
		result(r_ == -(err), "netlink %s: %s (got %s)", desc,          \
		       strerror(err), strerror(-r_));                          \
	} while (0)

struct vcpu {
	int fd;
	int efd;
	struct pvabi_magic_page *mp;
	struct pvabi_notify_page *np;
};

void __attribute__((format(printf, 2, 3))) result(int ok, const char *fmt, ...);
void die(const char *what) __attribute__((noreturn));
int dev_open(void);
/*
 * A VM that may negotiate: created, then its policy pushed (an empty
 * SET_POLICY: the defaults), as pvctld does when the module is not
 * standalone.  vm_create_closed() leaves out the push; vm_push() is it.
 */
int vm_create(int dev, const char *name, uint32_t *id);
int vm_create_closed(int dev, const char *name, uint32_t *id);
void vm_push(uint32_t id);
/* A VM whose deferral bound is @bound_us (set over netlink: the push). */
int vm_with_bound(int dev, const char *name, uint32_t bound_us, uint32_t *idp);
int negotiate(int fd, uint64_t wanted, struct pvabi_vcpu_negotiate *n);
void vcpu_setup_features(int vm, unsigned int index, struct vcpu *v,
			 uint64_t wanted);
void vcpu_setup(int vm, unsigned int index, struct vcpu *v);
void vcpu_close(struct vcpu *v);
/* Interrupts the eventfd has seen since the last call (0 if none). */
uint64_t took(struct vcpu *v);
struct pvabi_vcpu_stats stats(struct vcpu *v);
void enter(struct vcpu *v);
void leave(struct vcpu *v);
void doorbell(struct vcpu *v, uint64_t x);
void sleep_ms(long ms);
int inject_vec(struct vcpu *v, uint32_t vector);
int inject(struct vcpu *v);
/* CLOCK_MONOTONIC in seconds. */
double now(void);

/* region.c: region mode as QEMU and its guest use it; @stream injections. */
void case_region(long stream);
/* region.c: save/restore, pvctld's re-adoption, disable of a running VM. */
void case_region_life(void);
/* region.c: pvctld's ivshmem socket for libvirt's test domain @uuid, as
 * QEMU sees it, across a kill -9 of pvctld and a disable; @sh runs a shell
 * command, @bus prefixes pvctl with the private bus. */
void case_pvctld_socket(int (*sh)(const char *, char *, size_t),
			const char *bus, const uint8_t *uuid);
/* hostile.c: one hostile-guest case by name; 2 for an unknown name. */
int case_hostile(const char *name);
/* security.c: ids|uuid|dump|sigexec|fork|memcg; 2 for an unknown name. */
int case_security(const char *name);
/* security.c: the set-user-ID side of case sigexec (its exit status). */
int sigvictim(int become_root, int ready);

#endif /* PVABI_GUEST_H */
