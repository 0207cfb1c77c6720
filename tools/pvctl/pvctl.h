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
void pvctl_json_print(struct json_object *obj);
int pvctl_help_for(const struct pvctl_cmd *cmd, const char *group);
int pvctl_read_file(const char *path, void **data, size_t *len);

/*
 * output.c: how every subcommand refuses, and writes files.
 *
 * A refusal is the one answer a subcommand gives when it exits 1, 2 or 3:
 * with --json among its arguments (pvctl_json_mode, set by the dispatcher
 * before the subcommand parses them, so a bad option is answered in JSON
 * too) one object on standard output,
 *	{"ok":false,"error":NAME,"message":TEXT, ...@extra's members}
 * and nothing on standard error; otherwise the one line "pvctl: TEXT" on
 * standard error.  NAME is a stable machine name (pvctl(8), "EXIT STATUS");
 * NULL means the one for @code: "refused", "bad-usage" or "unavailable".
 * @extra (may be NULL) is consumed.  Each evaluates to @code (evaluated
 * twice: pass a plain value), so a subcommand ends with
 * "return pvctl_refuse(...)".  Macros rather than functions so that static
 * analyzers see that value (an out-of-line function looks as if it might
 * return 0, and every caller's error path as if it might go on).
 */
extern bool pvctl_json_mode;

void pvctl_refuse_print(int code, const char *name, struct json_object *extra,
			const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
#define pvctl_refuse(code, name, extra, ...)                                   \
	(pvctl_refuse_print((code), (name), (extra), __VA_ARGS__), (code))
#define pvctl_usage_error(...)                                                 \
	pvctl_refuse(PVCTL_USAGE, "bad-usage", NULL, __VA_ARGS__)
#define pvctl_error(code, ...) pvctl_refuse((code), NULL, NULL, __VA_ARGS__)
/* getopt_long returned '?' (pvctl sets opterr to 0): refuse with what was
 * wrong, the option quoted.  @shortopts is the optstring given to getopt. */
int pvctl_bad_option(const char *cmd, char *const *argv, const char *shortopts);

/* Append @item to the string in @buf, after @sep unless @buf is empty;
 * what does not fit is cut. */
void pvctl_append(char *buf, size_t len, const char *sep, const char *item);

/* Write @len bytes to @path ("-": standard output), or refuse (exit 2,
 * "io-error", the path and the system's reason).  A regular file, or a new
 * one, is written beside itself and renamed into place: a failed or short
 * write leaves @path as it was.  A device or FIFO is written in place. */
int pvctl_write_file(const char *path, const void *data, size_t len);

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

struct pvabi_offer;
struct pvctl_vm_settings;
/*
 * The hook's steps (cmd_hook.c).  pvctl_hook_read: the domain XML on stdin
 * into *@xml and the VM's settings into @s; PVCTL_OK (*@xml NULL: no pvabi
 * metadata, nothing to do), or an exit code with "pvabi: refusing @what
 * VM ..." said.  pvctl_hook_here: this host's offer from pvctld and
 * @s read again over its defaults; frees @xml; 0 or a refusal said.
 */
int pvctl_hook_read(const char *domain, const char *what, void **xml,
		    size_t *len, struct pvctl_vm_settings *s);
int pvctl_hook_here(const char *domain, void *xml, size_t len,
		    struct pvctl_vm_settings *s, struct pvabi_offer *offer);
/* hook DOMAIN prepare begin (hook_kernel.c): patch a VM's direct-boot
 * kernel under patch policy "host". */
int pvctl_hook_prepare(const char *domain);
extern const struct pvctl_cmd pvctl_patch_cmds[];
extern const struct pvctl_cmd pvctl_kmod_cmds[];

/* Commands without verbs. */
int pvctl_sim_run(int argc, char **argv);
extern const char pvctl_sim_help[];

#endif
