/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd.h - pvvm's commands and what they share. */
#ifndef PVVM_CMD_H
#define PVVM_CMD_H

#include <stddef.h>

#include "vmm/inject.h"
#include "vmm/vmm.h"

/* Exit codes, pvctl's (pvctl(8)), the same for every command. */
enum {
	PVVM_EXIT_OK = 0,
	PVVM_EXIT_FAIL = 1,	   /* the guest or a check failed */
	PVVM_EXIT_USAGE = 2,	   /* bad usage or bad input */
	PVVM_EXIT_UNAVAILABLE = 3, /* no usable KVM */
};

/* One command, in pvctl's table shape (struct pvctl_cmd, less its verbs):
 * 'pvvm help NAME' and 'pvvm NAME --help' print usage, summary and help. */
struct pvvm_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
	const char *usage; /* "run [--guest NAME] ..." */
	const char *help;  /* what it does, then the options, one per line */
};

int cmd_run(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_hostile(int argc, char **argv);
extern const char cmd_run_usage[], cmd_run_help[];
extern const char cmd_bench_usage[], cmd_bench_help[];
extern const char cmd_hostile_usage[], cmd_hostile_help[];

/* cmd_bench.c, for every benchmark: which KVM this is, and the JSON file
 * (0 or a negative errno, reported on stderr). */
struct json_object;
const char *bench__kvm_flavour(void);
int bench__write_json(const char *path, struct json_object *o);

/* The guest pvvm carries (guest_image.S). */
extern const unsigned char pvvm_guest_image[];
extern const unsigned char pvvm_guest_image_end[];

/* What a session asks of the guest, on top of struct vm_config. */
struct session {
	struct vm_config cfg;
	enum pvvm_mode mode;
	enum pvvm_workload workload;
	struct pvabi_version guest_min, guest_max;
	uint64_t wanted, required;
	uint32_t iterations, work, window_spin;
};

void session__default(struct session *s);
/* --guest NAME: 0, or PVVM_EXIT_USAGE with the message printed. */
int session__parse_workload(const char *name, enum pvvm_workload *out);
const char *session__workload_name(enum pvvm_workload w);
/* A guest that breaks the protocol on purpose (guest/hostile.c). */
bool session__hostile(enum pvvm_workload w);
/* Create the VM, load the guest, fill the boot block; the error text goes
 * to @why.  Returns 0, or a negative errno (-ENOENT, -EACCES, -ENOTSUP:
 * no usable KVM). */
int session__create(const struct session *s, struct vm *vm, char *why,
		    size_t len);
/* Wait until every vCPU is past its setup (or failed). */
int session__wait_running(struct vm *vm);
/* Ask the guest to finish, and wait for every vCPU. */
int session__finish(struct vm *vm);
/* The exit status for a failure to create: PVVM_EXIT_UNAVAILABLE when
 * KVM is unusable. */
int session__create_status(int err);

int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int parse_u64(const char *opt, const char *text, uint64_t min, uint64_t max,
	      uint64_t *out);

#endif /* PVVM_CMD_H */
