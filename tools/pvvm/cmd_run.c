// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_run.c - pvvm run: boot a guest, optionally inject, report. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "vmm/snapshot.h"

const char cmd_run_usage[] =
	"run [--guest NAME] [--vcpus N] [--abi VERSIONS] [--features LIST]\n"
	"           [--guest-abi RANGE] [--guest-features LIST] [--trap]\n"
	"           [--injections N] [--iterations N] [--arm slot|readonly]\n"
	"           [--aim-window] [--bound-ms N] [--no-rescue]\n"
	"           [--predicate sp|memory]\n"
	"           [--save-to FILE [--save-at POINT]]\n"
	"           [--restore FILE] [--quiet] [--json]";

const char cmd_run_help[] =
	"Boot the pvvm guest on KVM.  It discovers and negotiates pvabi by\n"
	"hypercall, does privileged operations through the magic page (or by\n"
	"trapping), and prints what it negotiated and how many operations it\n"
	"did without exiting.\n"
	"\n"
	"  --guest NAME       demo (default), measure, busy, idle, window;\n"
	"                     hostile: random-page, critical-forever,\n"
	"                     notify-flip, bad-negotiate, random-log (these\n"
	"                     ignore the request to finish: pvvm stops them);\n"
	"                     exception-in-section (a page fault inside a\n"
	"                     critical section whose handler runs templates;\n"
	"                     prints one summary line)\n"
	"  --vcpus N          1 to 8 vCPUs (default 1)\n"
	"  --abi VERSIONS     the host's offer, e.g. 1.0 or 1.0,2.0\n"
	"  --features LIST    features the host offers (default notify)\n"
	"  --guest-abi RANGE  versions the guest takes (default 1.0-1.65535)\n"
	"  --guest-features LIST  features the guest wants (default notify)\n"
	"  --trap             a guest that never negotiates: every privileged\n"
	"                     operation traps\n"
	"  --injections N     inject N interrupts at random times\n"
	"  --iterations N     privileged operations per loop (default 1000)\n"
	"  --arm MODE         how arming takes the notification page away:\n"
	"                     delete its slot (default) or make it read-only\n"
	"  --aim-window       inject only while the window guest lingers in\n"
	"                     the seed's window (--guest window)\n"
	"  --bound-ms N       deferral time bound (default 10; 0: none, the\n"
	"                     seed's host)\n"
	"  --no-rescue        never kick a vCPU whose interrupt waits over\n"
	"                     100 ms: what the protocol does not deliver is\n"
	"                     lost (counted after 5 s without progress)\n"
	"  --predicate P      how the host tells \"inside\": sp (default, the\n"
	"                     guest's stack pointer) or memory (critical != 0\n"
	"                     alone, as a host without the guest's registers;\n"
	"                     sound for a guest that negotiated nesting)\n"
	"  --save-to FILE     stop the guest and save it (snapshot.h)\n"
	"  --save-at POINT    critical (inside a critical section, default),\n"
	"                     exits:N (after N exits), deferred (with an\n"
	"                     interrupt held back)\n"
	"  --restore FILE     run a saved guest in this process; the guest's\n"
	"                     log must show the vectors pending at the save\n"
	"                     taken first, once each, in order (\"restored\")\n"
	"  --quiet            do not print the guest's console\n"
	"  --json             print JSON; the guest's console goes to stderr\n";

struct run_opts {
	struct session s;
	uint64_t injections;
	bool aim_window, no_rescue;
	const char *save_to;
	const char *save_at;
	const char *restore;
	bool json, quiet;
};

static int parse(int argc, char **argv, struct run_opts *o)
{
	enum {
		O_GUEST = 256,
		O_VCPUS,
		O_ABI,
		O_FEATURES,
		O_GABI,
		O_GFEAT,
		O_TRAP,
		O_INJ,
		O_ITER,
		O_ARM,
		O_SAVE,
		O_SAVEAT,
		O_RESTORE,
		O_QUIET,
		O_JSON,
		O_AIM,
		O_BOUND,
		O_NORESCUE,
		O_PRED
	};
	static const struct option opts[] = {
		{"guest", required_argument, NULL, O_GUEST},
		{"vcpus", required_argument, NULL, O_VCPUS},
		{"abi", required_argument, NULL, O_ABI},
		{"features", required_argument, NULL, O_FEATURES},
		{"guest-abi", required_argument, NULL, O_GABI},
		{"guest-features", required_argument, NULL, O_GFEAT},
		{"trap", no_argument, NULL, O_TRAP},
		{"injections", required_argument, NULL, O_INJ},
		{"iterations", required_argument, NULL, O_ITER},
		{"arm", required_argument, NULL, O_ARM},
		{"save-to", required_argument, NULL, O_SAVE},
		{"save-at", required_argument, NULL, O_SAVEAT},
		{"restore", required_argument, NULL, O_RESTORE},
		{"quiet", no_argument, NULL, O_QUIET},
		{"json", no_argument, NULL, O_JSON},
		{"aim-window", no_argument, NULL, O_AIM},
		{"bound-ms", required_argument, NULL, O_BOUND},
		{"no-rescue", no_argument, NULL, O_NORESCUE},
		{"predicate", required_argument, NULL, O_PRED},
		{0}};
	char why[160];
	uint64_t n;
	int c, r;

	session__default(&o->s);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_GUEST:
			if ((r = session__parse_workload(optarg,
							 &o->s.workload)))
				return r;
			break;
		case O_VCPUS:
			if ((r = parse_u64("--vcpus", optarg, 1, PVVM_MAX_VCPUS,
					   &n)))
				return r;
			o->s.cfg.nr_vcpus = (int)n;
			break;
		case O_ABI:
			if (pvabi_version_list_parse(optarg, &o->s.cfg.offer,
						     why, sizeof(why)))
				return usage_error("--abi: %s", why);
			break;
		case O_FEATURES:
			if (pvabi_features_parse(optarg,
						 &o->s.cfg.offer.features, why,
						 sizeof(why)))
				return usage_error("--features: %s", why);
			break;
		case O_GABI:
			if (pvabi_version_range_parse(optarg, &o->s.guest_min,
						      &o->s.guest_max, why,
						      sizeof(why)))
				return usage_error("--guest-abi: %s", why);
			break;
		case O_GFEAT:
			if (pvabi_features_parse(optarg, &o->s.wanted, why,
						 sizeof(why)))
				return usage_error("--guest-features: %s", why);
			break;
		case O_TRAP: o->s.mode = PVVM_MODE_TRAP; break;
		case O_INJ:
			if ((r = parse_u64("--injections", optarg, 0,
					   UINT64_C(1) << 40, &o->injections)))
				return r;
			break;
		case O_ITER:
			if ((r = parse_u64("--iterations", optarg, 1,
					   UINT32_MAX / 1000, &n)))
				return r;
			o->s.iterations = (uint32_t)n;
			break;
		case O_ARM:
			if (!strcmp(optarg, "slot"))
				o->s.cfg.arm = PVVM_ARM_SLOT;
			else if (!strcmp(optarg, "readonly"))
				o->s.cfg.arm = PVVM_ARM_READONLY;
			else
				return usage_error("--arm '%s': expected slot "
						   "or readonly",
						   optarg);
			break;
		case O_SAVE: o->save_to = optarg; break;
		case O_SAVEAT: o->save_at = optarg; break;
		case O_RESTORE: o->restore = optarg; break;
		case O_QUIET: o->quiet = true; break;
		case O_JSON: o->json = true; break;
		case O_AIM: o->aim_window = true; break;
		case O_NORESCUE: o->no_rescue = true; break;
		case O_PRED:
			if (!strcmp(optarg, "memory"))
				o->s.cfg.dlv.flags |= PVABI_DLV_CFG_MEMORY;
			else if (!strcmp(optarg, "sp"))
				o->s.cfg.dlv.flags &= ~PVABI_DLV_CFG_MEMORY;
			else
				return usage_error("--predicate '%s': expected "
						   "sp or memory",
						   optarg);
			break;
		case O_BOUND:
			if ((r = parse_u64("--bound-ms", optarg, 0, 3600000,
					   &n)))
				return r;
			o->s.cfg.dlv.bound_ns = n * 1000000;
			break;
		default:
			return usage_error("run: unknown option '%s'; see "
					   "'pvvm help run'",
					   argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("run: unexpected argument '%s'",
				   argv[optind]);
	if (o->save_at && !o->save_to)
		return usage_error("--save-at needs --save-to");
	if (o->save_to && o->restore)
		return usage_error("--save-to and --restore: one at a time");
	o->s.cfg.console = o->quiet ? NULL : o->json ? stderr : stdout;
	return 0;
}

static const char *version_text(const struct vcpu *v, char *buf, size_t len)
{
	if (!v->pv)
		return "none";
	snprintf(buf, len, "%u.%u", v->negotiated.version.major,
		 v->negotiated.version.minor);
	return buf;
}

static json_object *vcpu_json(struct vm *vm, struct vcpu *v)
{
	struct pvvm_vcpu_info *info = &vm->boot->vcpu[v->id];
	json_object *o = json_object_new_object();
	char ver[16], feat[128];

	pvabi_features_format(v->pv ? v->negotiated.features : 0, feat,
			      sizeof(feat));
	json_object_object_add(o, "id", json_object_new_int(v->id));
	json_object_object_add(
		o, "negotiated",
		json_object_new_string(version_text(v, ver, sizeof(ver))));
	json_object_object_add(o, "features", json_object_new_string(feat));
	json_object_object_add(
		o, "pv_ops",
		json_object_new_int64(
			(int64_t)(info->pv_ops - info->pv_traps)));
	json_object_object_add(
		o, "trapped_ops",
		json_object_new_int64(
			(int64_t)(info->pv_traps + info->trap_ops)));
	json_object_object_add(o, "interrupts",
			       json_object_new_int64(info->interrupts));
	json_object_object_add(o, "exits",
			       json_object_new_int64((int64_t)v->st.exits));
	json_object_object_add(
		o, "notify_traps",
		json_object_new_int64((int64_t)v->st.notify_mmio));
	{
		struct pvabi_dlv_stats ds;

		pvabi_dlv_get_stats(&v->dlv, &ds);
		json_object_object_add(
			o, "deferred",
			json_object_new_int64((int64_t)ds.deferred));
		json_object_object_add(
			o, "forced", json_object_new_int64((int64_t)ds.forced));
		json_object_object_add(
			o, "masked", json_object_new_int64((int64_t)ds.masked));
	}
	json_object_object_add(o, "exit_status",
			       json_object_new_int64(v->exit_status));
	json_object_object_add(
		o, "hcall_errors",
		json_object_new_int64((int64_t)v->st.hcall_errors));
	json_object_object_add(
		o, "unassigned",
		json_object_new_int64((int64_t)v->st.unassigned));
	json_object_object_add(o, "interrupts_at_ret",
			       json_object_new_int64(info->at_ret));
	if (vm->boot->workload == PVVM_WORK_EXC_SECTION) {
		json_object_object_add(o, "faults",
				       json_object_new_int64(info->faults));
		json_object_object_add(
			o, "nested",
			json_object_new_int64((int64_t)info->nested));
	}
	if (vm->cfg.deaf) {
		json_object_object_add(
			o, "hostile_rounds",
			json_object_new_int64((int64_t)info->hostile_rounds));
		json_object_object_add(o, "answers_ok",
				       json_object_new_int64(info->answers_ok));
		json_object_object_add(
			o, "answers_bad",
			json_object_new_int64(info->answers_bad));
	}
	return o;
}

static void report_text(struct vm *vm, const struct inj_result *inj,
			uint64_t injections)
{
	for (int i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];
		struct pvvm_vcpu_info *info = &vm->boot->vcpu[i];
		struct pvabi_dlv_stats ds;
		char ver[16], feat[128];

		pvabi_features_format(v->pv ? v->negotiated.features : 0, feat,
				      sizeof(feat));
		printf("vCPU %d: pvabi %s (features %s): %" PRIu64
		       " privileged operations without exiting, %" PRIu64
		       " trapped; %u interrupts; %" PRIu64 " exits, %" PRIu64
		       " doorbell traps\n",
		       i, version_text(v, ver, sizeof(ver)),
		       feat[0] ? feat : "none", info->pv_ops - info->pv_traps,
		       info->pv_traps + info->trap_ops, info->interrupts,
		       v->st.exits, v->st.notify_mmio);
		pvabi_dlv_get_stats(&v->dlv, &ds);
		if (ds.deferred || ds.forced)
			printf("vCPU %d: %" PRIu64 " deferral(s) by a critical "
			       "section, %" PRIu64
			       " delivery(ies) forced by the bound\n",
			       i, ds.deferred, ds.forced);
		if (v->st.unassigned)
			printf("vCPU %d: %" PRIu64 " access(es) to unassigned "
			       "guest-physical space, ignored\n",
			       i, v->st.unassigned);
	}
	if (getenv("PVVM_DEBUG"))
		for (int i = 0; i < vm->nr_vcpus; i++) {
			struct vcpu_stats *st = &vm->vcpus[i].st;
			struct pvvm_vcpu_info *in = &vm->boot->vcpu[i];

			if (in->loops)
				fprintf(stderr,
					"cycles: hcall %" PRIu64
					" trap %" PRIu64 " pv %" PRIu64
					" loops %" PRIu64 "\n",
					in->hcall_cycles, in->trap_cycles,
					in->pv_cycles, in->loops);

			fprintf(stderr,
				"vCPU %d exits: %" PRIu64 " io %" PRIu64
				" mmio %" PRIu64 " hlt %" PRIu64
				" window %" PRIu64 " intr %" PRIu64
				" hcall %" PRIu64 " vmsr %" PRIu64
				" arms %" PRIu64 " disarms %" PRIu64
				" delivered %" PRIu64 "\n",
				i, st->exits, st->io, st->mmio, st->hlt,
				st->window, st->intr, st->hcalls, st->vmsr,
				st->arms, st->disarms, st->delivered);
		}
	if (injections)
		printf("injections: %" PRIu64 " injected, %" PRIu64
		       " delivered in order, %" PRIu64 " lost, %" PRIu64
		       " duplicated, %" PRIu64 " out of order, %" PRIu64
		       " stalled over 100 ms; latency p50 %" PRIu64
		       " ns, p99 %" PRIu64 " ns\n",
		       inj->injected, inj->delivered - inj->reordered,
		       inj->lost, inj->dup, inj->reordered, inj->stalled,
		       inject__percentile(inj, 50),
		       inject__percentile(inj, 99));
}

static void report_json(struct vm *vm, const struct inj_result *inj,
			uint64_t injections, const struct pvvm_snap_verdict *c)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();

	if (c) {
		json_object *j = json_object_new_object();

		json_object_object_add(j, "pending_at_save",
				       json_object_new_int64(c->pending));
		json_object_object_add(j, "in_order",
				       json_object_new_int64(c->in_order));
		json_object_object_add(j, "in_critical",
				       json_object_new_int64(c->in_critical));
		json_object_object_add(j, "forced",
				       json_object_new_int64(c->forced));
		json_object_object_add(j, "doorbell_traps",
				       json_object_new_int64(c->doorbell));
		json_object_object_add(j, "counted",
				       json_object_new_int64(c->counted));
		json_object_object_add(j, "ok", json_object_new_boolean(c->ok));
		json_object_object_add(o, "restored", j);
	}

	for (int i = 0; i < vm->nr_vcpus; i++)
		json_object_array_add(a, vcpu_json(vm, &vm->vcpus[i]));
	json_object_object_add(o, "vcpus", a);
	if (injections) {
		json_object *j = json_object_new_object();

		json_object_object_add(
			j, "injected",
			json_object_new_int64((int64_t)inj->injected));
		json_object_object_add(
			j, "delivered",
			json_object_new_int64((int64_t)inj->delivered));
		json_object_object_add(
			j, "lost", json_object_new_int64((int64_t)inj->lost));
		json_object_object_add(
			j, "dup", json_object_new_int64((int64_t)inj->dup));
		json_object_object_add(
			j, "reordered",
			json_object_new_int64((int64_t)inj->reordered));
		json_object_object_add(
			j, "in_critical",
			json_object_new_int64((int64_t)inj->in_critical));
		json_object_object_add(
			j, "stalled",
			json_object_new_int64((int64_t)inj->stalled));
		json_object_object_add(
			j, "p50_ns",
			json_object_new_int64(
				(int64_t)inject__percentile(inj, 50)));
		json_object_object_add(
			j, "p99_ns",
			json_object_new_int64(
				(int64_t)inject__percentile(inj, 99)));
		json_object_object_add(o, "injections", j);
	}
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

/*
 * pvvm run --guest exception-in-section: one line, on stderr under --json.
 * Fails when an interrupt landed inside a section, or no fault was taken
 * inside one.
 */
static bool exc_section_line(struct vm *vm, const struct inj_result *inj)
{
	uint64_t nested = 0, faults = 0, at_ret = 0;

	for (int i = 0; i < vm->nr_vcpus; i++) {
		nested += vm->boot->vcpu[i].nested;
		faults += vm->boot->vcpu[i].faults;
		at_ret += vm->boot->vcpu[i].at_ret;
	}
	fprintf(stderr,
		"pvvm exception-in-section: injected %" PRIu64
		" delivered %" PRIu64 " lost %" PRIu64 " duplicated %" PRIu64
		" inside %" PRIu64 " nested %" PRIu64 " at-ret %" PRIu64 "\n",
		inj->injected, inj->delivered, inj->lost, inj->dup,
		inj->in_critical, nested, at_ret);
	return inj->in_critical || !faults;
}

/* A restored guest: let it take what was pending when it was saved. */
static int wait_delivered(struct vm *vm)
{
	struct timespec ts = {0, 1000000};

	for (int tries = 0; tries < 5000; tries++) {
		uint32_t pending = 0;

		for (int i = 0; i < vm->nr_vcpus; i++) {
			struct vcpu *v = &vm->vcpus[i];

			if (vcpu__error(v))
				return vcpu__error(v);
			pthread_mutex_lock(&v->lock);
			pending += pvabi_dlv_pending(&v->dlv);
			pthread_mutex_unlock(&v->lock);
		}
		if (!pending)
			return 0;
		nanosleep(&ts, NULL);
	}
	fprintf(stderr, "pvvm: restored interrupts still pending after 5 s\n");
	return -ETIMEDOUT;
}

/* Every vCPU finished with status 0 -- or, for a guest that never
 * finishes by itself (a hostile one), was stopped without an error. */
static bool guest_ok(struct vm *vm)
{
	for (int i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		if (v->error || (!v->done && !vm->cfg.deaf) || v->exit_status)
			return false;
	}
	return true;
}

/* What the restored guest showed: the saved vectors, taken in order. */
static void report_restore(const char *path, const struct pvvm_snap_verdict *c)
{
	printf("restored %s: %u vector(s) pending at the save, %u taken in "
	       "order (%u inside a critical section, %u forced by the bound), "
	       "%u doorbell trap(s), %u counted by the guest: %s\n",
	       path, c->pending, c->in_order, c->in_critical, c->forced,
	       c->doorbell, c->counted, c->ok ? "ok" : "FAILED");
}

/* The saved vectors were checked; the injector reads the log from here. */
static void skip_checked_log(struct vm *vm)
{
	for (int i = 0; i < vm->nr_vcpus; i++) {
		struct pvvm_vcpu_info *info = &vm->boot->vcpu[i];

		__atomic_store_n(
			&info->log_tail,
			__atomic_load_n(&info->log_head, __ATOMIC_ACQUIRE),
			__ATOMIC_RELEASE);
	}
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o;
	struct inj_result inj;
	struct pvvm_snap_expect exp;
	struct pvvm_snap_verdict verdict = {.ok = true};
	struct vm vm;
	char why[256];
	int r, fin, status = 0;

	memset(&o, 0, sizeof(o));
	memset(&inj, 0, sizeof(inj));
	r = parse(argc, argv, &o);
	if (r)
		return r;
	if (o.restore) {
		vcpu__signals_init();
		r = snapshot__load(o.restore, &vm, &o.s.cfg, &exp, why,
				   sizeof(why));
		if (r == -EINVAL) {
			fprintf(stderr, "pvvm: %s: %s\n", o.restore, why);
			return PVVM_EXIT_USAGE;
		}
	} else {
		r = session__create(&o.s, &vm, why, sizeof(why));
	}
	if (r < 0) {
		fprintf(stderr, "pvvm: %s\n", why);
		return session__create_status(r);
	}
	if (o.save_to) {
		r = snapshot__arm_stop(&vm, o.save_at ? o.save_at : "critical");
		if (r) {
			vm__delete(&vm);
			return usage_error("--save-at '%s': expected critical, "
					   "deferred or exits:N",
					   o.save_at);
		}
	}
	r = vm__start(&vm);
	if (!r)
		r = session__wait_running(&vm);
	if (!r && o.save_to) {
		r = snapshot__save_when_stopped(&vm, o.save_to, o.injections);
		vm__delete(&vm);
		return r ? PVVM_EXIT_FAIL : 0;
	}
	if (!r && o.restore) {
		r = wait_delivered(&vm);
		snapshot__verify(&vm, &exp, &verdict);
		skip_checked_log(&vm);
	}
	if (!r && o.injections) {
		struct inj_config c = {
			.count = o.injections,
			.max_gap_ns = 200000,
			.inflight = o.aim_window ? 1 : 8,
			.aim_window = o.aim_window,
			.stall_ns = 100000000,
			.rescue = !o.no_rescue,
			.give_up_ns = 5000000000ull,
			.seed = (uint64_t)now_ns(),
		};

		r = inject__run(&vm, &c, &inj);
	}
	if (r)
		vm__stop(&vm);
	fin = session__finish(&vm);
	if (fin)
		r = fin;
	if (r || !guest_ok(&vm) || inj.lost || inj.dup || inj.reordered ||
	    !verdict.ok)
		status = PVVM_EXIT_FAIL;
	if (o.s.workload == PVVM_WORK_EXC_SECTION &&
	    exc_section_line(&vm, &inj))
		status = PVVM_EXIT_FAIL;
	if (o.json)
		report_json(&vm, &inj, o.injections,
			    o.restore ? &verdict : NULL);
	else
		report_text(&vm, &inj, o.injections);
	if (o.restore && !o.json)
		report_restore(o.restore, &verdict);
	inject__result_free(&inj);
	vm__delete(&vm);
	return status;
}
