/* SPDX-License-Identifier: GPL-2.0-or-later */
/* snapshot.h - save a stopped VM to a file and run it again elsewhere. */
#ifndef PVVM_SNAPSHOT_H
#define PVVM_SNAPSHOT_H

#include "pvvm.h"

int snapshot__arm_stop(struct vm *vm, const char *point);
int snapshot__save_when_stopped(struct vm *vm, const char *path,
				uint64_t injections);
int snapshot__run_restore(const char *path, const struct vm_config *cfg,
			  bool quiet);

#endif /* PVVM_SNAPSHOT_H */
