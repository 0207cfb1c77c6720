/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pvctl: the command table and what every subcommand shares. */
#ifndef PVCTL_H
#define PVCTL_H

#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>

#include "pvabi/pvabi.h"

/* Exit codes, the same for every subcommand. */
enum {
	PVCTL_OK = 0,
	PVCTL_REFUSED = 1,     /* refused, incompatible */
	PVCTL_USAGE = 2,       /* bad usage or bad input */
	PVCTL_UNREACHABLE = 3, /* daemon or kernel module unreachable */
};

struct pvctl_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
	const char *usage; /* "abi negotiate --host-versions V,... [...]" */
	const char *help;  /* the options, one per line */
	const struct pvctl_cmd *verbs; /* a group ("abi") has verbs, no run */
};

extern const char *pvctl_prog;

/* pvctl.c */
int pvctl_dispatch(const struct pvctl_cmd *table, const char *group, int argc,
		   char **argv);
int pvctl_usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
int pvctl_error(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void pvctl_json_print(struct json_object *obj);
int pvctl_help_for(const struct pvctl_cmd *cmd, const char *group);
int pvctl_read_file(const char *path, void **data, size_t *len);

/* Option parsing shared by subcommands that take an offer or a request. */
int pvctl_parse_offer_opts(const char *versions, const char *features,
			   const char *dtb, struct pvabi_offer *offer);
struct json_object *pvctl_json_features(pvabi_u64 mask);

/* The command groups, one file each (cmd_<group>.c). */
extern const struct pvctl_cmd pvctl_abi_cmds[];
extern const struct pvctl_cmd pvctl_dt_cmds[];
extern const struct pvctl_cmd pvctl_state_cmds[];
extern const struct pvctl_cmd pvctl_vm_cmds[];	 /* list, show, enable, ... */
extern const struct pvctl_cmd pvctl_hook_cmds[]; /* hook */
extern const struct pvctl_cmd pvctl_patch_cmds[];
extern const struct pvctl_cmd pvctl_kmod_cmds[];

/* Commands without verbs. */
int pvctl_sim_run(int argc, char **argv);
extern const char pvctl_sim_help[];

#endif
