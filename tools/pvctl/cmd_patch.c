// SPDX-License-Identifier: GPL-2.0-or-later
/* pvctl patch scan | apply: the PowerPC patcher on ELF files and raw code. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pvctl.h"
#include "pvabi/patch.h"

#define MAX_INPUT (1ul << 30)
/* Inputs at least this large get a progress bar on a terminal. */
#define PROGRESS_MIN (4ul << 20)

struct input {
	unsigned char *data;
	size_t len;
	bool bar;    /* draw a progress bar on stderr */
	bool mapped; /* data is a private mapping of the file, else malloc */
};

static void progress(const struct input *in, const char *what, size_t done,
		     size_t total)
{
	unsigned int pct, fill;

	if (!in->bar || !total)
		return;
	pct = (unsigned int)(done * 100 / total);
	fill = pct * 30 / 100;
	fprintf(stderr, "\r%-8s [%.*s%*s] %3u%%", what, (int)fill,
		"##############################", (int)(30 - fill), "", pct);
	if (done >= total)
		fputc('\n', stderr);
	fflush(stderr);
}

/*
 * The file, mapped copy-on-write: apply rewrites its private copy, scan
 * only reads.  On a terminal a large file is paged in with a progress bar;
 * otherwise the pages come in as the scan touches them.
 */
static int read_input(const char *path, struct input *in)
{
	struct stat stbuf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return pvctl_refuse(PVCTL_USAGE, "io-error", NULL, "%s: %s",
				    path, strerror(errno));
	if (fstat(fd, &stbuf) || !S_ISREG(stbuf.st_mode)) {
		close(fd);
		return pvctl_usage_error("%s: not a regular file", path);
	}
	if ((unsigned long long)stbuf.st_size > MAX_INPUT) {
		close(fd);
		return pvctl_usage_error("%s: larger than 1 GiB", path);
	}
	in->len = (size_t)stbuf.st_size;
	in->bar = in->bar && in->len >= PROGRESS_MIN;
	if (in->len) {
		void *p = mmap(NULL, in->len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE, fd, 0);

		in->data = p == MAP_FAILED ? NULL : p;
	} else {
		in->data = malloc(1);
	}
	close(fd);
	if (!in->data)
		return pvctl_usage_error("%s: %s", path, strerror(errno));
	in->mapped = in->len > 0;
	if (in->bar) {
		volatile unsigned char sink = 0;

		for (size_t off = 0; off < in->len; off += 4096) {
			sink ^= in->data[off];
			if (!(off & ((1u << 20) - 1)) || off + 4096 >= in->len)
				progress(in, "reading",
					 off + 4096 < in->len ? off : in->len,
					 in->len);
		}
		(void)sink;
	}
	return PVCTL_OK;
}

static void free_input(struct input *in)
{
	if (in->mapped)
		munmap(in->data, in->len);
	else
		free(in->data);
	in->data = NULL;
	in->mapped = false;
}

static int parse_arch(const char *s, enum pvabi_ppc_arch *arch)
{
	for (int a = PVABI_PPC32; a <= PVABI_PPC64LE; a++)
		if (!strcmp(s, pvabi_ppc_arch_name(a))) {
			*arch = a;
			return PVCTL_OK;
		}
	return pvctl_usage_error("--arch: '%s' is not ppc32, ppc64 or ppc64le",
				 s);
}

static int parse_addr(const char *opt, const char *s, pvabi_u64 *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	if (errno || !*s || *end || *s == '-')
		return pvctl_usage_error("--%s: '%s' is not an address", opt,
					 s);
	return PVCTL_OK;
}

/* The file as libpvabi reads it, with what --arch and --base said. */
static int image_of(const struct input *in, const char *arch, const char *base,
		    struct pvabi_patch_image *im)
{
	*im = (struct pvabi_patch_image){.data = in->data, .len = in->len};
	if (arch && parse_arch(arch, &im->arch))
		return PVCTL_USAGE;
	if (base && parse_addr("base", base, &im->base))
		return PVCTL_USAGE;
	if (base)
		im->flags |= PVABI_IMAGE_F_BASE;
	return PVCTL_OK;
}

/* libpvabi refused the image: name the option the file contradicts, or say
 * why the file can't be read (pvabi_patch_image_scan() lists the codes). */
static int image_refused(const char *path, const struct pvabi_patch_image *im,
			 const char *arch, const char *base, int err)
{
	if (err == PVABI_E_BADMAGIC)
		return pvctl_usage_error(
			"%s: not an ELF file; raw code needs --arch", path);
	if (err == PVABI_E_INVAL && im->elf && base)
		return pvctl_usage_error("--base is for raw code; %s is ELF",
					 path);
	if (err == PVABI_E_INVAL && im->elf && arch)
		return pvctl_usage_error("--arch %s: %s is %s", arch, path,
					 pvabi_ppc_arch_name(im->arch));
	if (err == PVABI_E_INVAL && !im->elf && base)
		return pvctl_usage_error("--base: '%s' is not 4-byte aligned",
					 base);
	return pvctl_refuse(PVCTL_USAGE, pvabi_errname(err), NULL, "%s: %s",
			    path, pvabi_strerror(err));
}

struct counts {
	unsigned long by_insn[128];
};

static int count_site(void *ctx, pvabi_u64 addr,
		      const struct pvabi_ppc_insn *insn)
{
	struct counts *c = ctx;

	c->by_insn[insn->id]++;
	return 0;
}

static int print_scan(const char *path, enum pvabi_ppc_arch arch,
		      unsigned long text_bytes, long n,
		      const struct counts *cnt, bool json)
{
	if (json) {
		struct json_object *o = json_object_new_object();
		struct json_object *by = json_object_new_object();

		for (unsigned int i = 0; i < pvabi_ppc_ninsn(); i++)
			json_object_object_add(
				by, pvabi_ppc_name(i),
				json_object_new_int64(
					(int64_t)cnt->by_insn[i]));
		json_object_object_add(
			o, "arch",
			json_object_new_string(pvabi_ppc_arch_name(arch)));
		json_object_object_add(
			o, "bytes", json_object_new_int64((int64_t)text_bytes));
		json_object_object_add(o, "sites", json_object_new_int64(n));
		json_object_object_add(o, "by_insn", by);
		pvctl_json_print(o);
	} else {
		printf("%s: %s, %lu bytes of code, %ld sites\n", path,
		       pvabi_ppc_arch_name(arch), text_bytes, n);
		for (unsigned int i = 0; i < pvabi_ppc_ninsn(); i++)
			if (cnt->by_insn[i])
				printf("  %-10s %lu\n", pvabi_ppc_name(i),
				       cnt->by_insn[i]);
	}
	return PVCTL_OK;
}

/*
 * An ELF file scanned from its descriptor (pvabi_elf_scan_fd(): the code
 * is read through one buffer, never mapped in): true when that worked.
 * Anything else goes the way of every other input, through read_input()
 * and pvabi_patch_image_scan(), which refuse it with the same words as
 * before.
 */
static bool scan_elf_file(const char *path, pvabi_u64 features,
			  struct counts *cnt, struct pvabi_elf_info *info,
			  long *n)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    (unsigned long long)st.st_size > MAX_INPUT) {
		close(fd);
		return false;
	}
	*n = pvabi_elf_scan_fd(fd, features, count_site, cnt, info);
	close(fd);
	if (*n >= 0)
		return true;
	memset(cnt, 0, sizeof(*cnt));
	return false;
}

static int patch_scan(int argc, char **argv)
{
	enum { ARCH = 1, BASE, FEAT, JS };
	static const struct option opts[] = {
		{"arch", required_argument, NULL, ARCH},
		{"base", required_argument, NULL, BASE},
		{"features", required_argument, NULL, FEAT},
		{"json", no_argument, NULL, JS},
		{0}};
	const char *arch = NULL, *base = NULL;
	pvabi_u64 features = PVABI_PATCH_DEFAULT_FEATURES;
	struct input in = {0};
	struct pvabi_patch_image im;
	struct pvabi_elf_info info;
	struct counts cnt = {{0}};
	bool json = false;
	char why[256];
	long n;
	int c, err;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case ARCH: arch = optarg; break;
		case BASE: base = optarg; break;
		case JS: json = true; break;
		case FEAT:
			if (pvabi_features_parse(optarg, &features, why,
						 sizeof(why)))
				return pvctl_usage_error("--features: %s", why);
			break;
		default: return pvctl_bad_option("patch scan", argv, "");
		}
	}
	if (optind == argc)
		return pvctl_usage_error("patch scan: FILE is required");
	if (optind + 1 < argc)
		return pvctl_usage_error("patch scan: unexpected '%s'",
					 argv[optind + 1]);
	if (!arch && !base &&
	    scan_elf_file(argv[optind], features, &cnt, &info, &n))
		return print_scan(argv[optind], info.arch, info.text_bytes, n,
				  &cnt, json);
	in.bar = !json && isatty(STDERR_FILENO);
	err = read_input(argv[optind], &in);
	if (err)
		return err;
	err = image_of(&in, arch, base, &im);
	if (err)
		goto out;
	n = pvabi_patch_image_scan(&im, features, count_site, &cnt);
	if (n < 0)
		err = image_refused(argv[optind], &im, arch, base, (int)n);
	else
		err = print_scan(argv[optind], im.arch, im.text_bytes, n, &cnt,
				 json);
out:
	free_input(&in);
	return err;
}

struct apply_ctx {
	const struct input *in;
	const struct pvabi_patch_image *im;
	struct json_object *skipped;
	unsigned long done;
	bool json;
};

static int report_site(void *ctx, pvabi_u64 addr,
		       const struct pvabi_ppc_insn *insn,
		       enum pvabi_patch_skip why)
{
	struct apply_ctx *a = ctx;
	char hex[32], sym[256];

	progress(a->in, "patching", ++a->done, a->im->n_sites);
	if (why == PVABI_SKIP_NONE)
		return 0;
	snprintf(hex, sizeof(hex), "0x%" PRIx64, addr);
	if (!a->im->elf || pvabi_elf_symbolize(a->im->data, a->im->len, addr,
					       sym, sizeof(sym)) <= 0)
		sym[0] = 0;
	if (a->json) {
		struct json_object *s = json_object_new_object();

		json_object_object_add(s, "addr", json_object_new_string(hex));
		json_object_object_add(
			s, "insn",
			json_object_new_string(pvabi_ppc_name(insn->id)));
		json_object_object_add(
			s, "reason",
			json_object_new_string(pvabi_patch_skip_name(why)));
		if (sym[0])
			json_object_object_add(s, "symbol",
					       json_object_new_string(sym));
		json_object_array_add(a->skipped, s);
	} else {
		printf("skipped %s %-10s %-13s %s\n", hex,
		       pvabi_ppc_name(insn->id), pvabi_patch_skip_name(why),
		       sym);
	}
	return 0;
}

static int load_policy(const char *path, struct pvabi_patch_policy *pol)
{
	char why[512];
	void *text;
	size_t len;
	int err;

	pvabi_patch_policy_init(pol);
	if (!path)
		return PVCTL_OK;
	err = pvctl_read_file(path, &text, &len);
	if (err)
		return err;
	err = pvabi_patch_policy_parse(text, len, pol, why, sizeof(why));
	free(text);
	if (err)
		return pvctl_usage_error("%s: %s", path, why);
	return PVCTL_OK;
}

/* pvabi_patch_image_apply() refused: say why, naming the option to blame. */
static int apply_refused(const char *path, const struct pvabi_patch_image *im,
			 const struct pvabi_patch_config *cfg,
			 const struct pvabi_patch_policy *pol, const char *arch,
			 const char *base, int err)
{
	/* cfg->arch is set once libpvabi took the image: what it refuses
	 * after that is the configuration, the policy or the patching. */
	if (!cfg->arch)
		return image_refused(path, im, arch, base, err);
	if (err == PVABI_E_INVAL || err == PVABI_E_BADADDR)
		return pvctl_usage_error(
			"--magic 0x%" PRIx64 ", --notify 0x%" PRIx64
			": templates can't reach them (%s; see "
			"docs/patching.md)",
			cfg->magic_gpa, cfg->notify_gpa,
			cfg->base_reg == PVABI_PATCH_ABSOLUTE
				? "both must lie in the top or bottom 32 KiB"
				: "both must lie within 32 KiB of --base-addr");
	if (err == PVABI_E_POLICY)
		return pvctl_refuse(PVCTL_REFUSED, pvabi_errname(err), NULL,
				    "patch apply: policy mode '%s' forbids "
				    "patching by the %s",
				    pvabi_patch_mode_name(pol->mode),
				    cfg->by == PVABI_PATCH_BY_HOST ? "host"
								   : "guest");
	if (err == PVABI_E_NOTFOUND)
		return pvctl_usage_error(
			"%s: no executable %s section for templates", path,
			PVABI_ELF_TEMPLATE_SECTION);
	return pvctl_usage_error("%s: %s", path, pvabi_strerror(err));
}

static int patch_apply(int argc, char **argv)
{
	enum {
		ARCH = 1,
		BASE,
		FEAT,
		POL,
		MAGIC,
		NOTIFY,
		BREG,
		BADDR,
		BY,
		FULL,
		JS
	};
	static const struct option opts[] = {
		{"arch", required_argument, NULL, ARCH},
		{"base", required_argument, NULL, BASE},
		{"features", required_argument, NULL, FEAT},
		{"policy", required_argument, NULL, POL},
		{"magic", required_argument, NULL, MAGIC},
		{"notify", required_argument, NULL, NOTIFY},
		{"base-reg", required_argument, NULL, BREG},
		{"base-addr", required_argument, NULL, BADDR},
		{"by", required_argument, NULL, BY},
		{"full-templates", no_argument, NULL, FULL},
		{"output", required_argument, NULL, 'o'},
		{"json", no_argument, NULL, JS},
		{0}};
	const char *arch = NULL, *base = NULL, *policy = NULL, *out = NULL,
		   *magic = NULL, *notify = NULL, *baddr = NULL;
	struct pvabi_patch_config cfg = {
		.by = PVABI_PATCH_BY_GUEST,
		.features = PVABI_PATCH_DEFAULT_FEATURES,
		.base_reg = PVABI_PATCH_ABSOLUTE,
	};
	struct pvabi_patch_policy pol;
	struct pvabi_patch_stats st = {0};
	struct pvabi_patch_image im = {0};
	struct input in = {0};
	struct apply_ctx a = {.in = &in, .im = &im};
	char why[256];
	int c, err;

	optind = 0;
	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		char *end;

		switch (c) {
		case ARCH: arch = optarg; break;
		case BASE: base = optarg; break;
		case POL: policy = optarg; break;
		case MAGIC: magic = optarg; break;
		case NOTIFY: notify = optarg; break;
		case BADDR: baddr = optarg; break;
		case 'o': out = optarg; break;
		case JS: a.json = true; break;
		case FULL: cfg.flags |= PVABI_PATCH_F_FULL; break;
		case FEAT:
			if (pvabi_features_parse(optarg, &cfg.features, why,
						 sizeof(why)))
				return pvctl_usage_error("--features: %s", why);
			break;
		case BREG:
			errno = 0;
			cfg.base_reg = (int)strtol(optarg[0] == 'r' ? optarg + 1
								    : optarg,
						   &end, 10);
			if (errno || *end || cfg.base_reg < 2 ||
			    cfg.base_reg > 29)
				return pvctl_usage_error(
					"--base-reg: '%s' is not r2..r29",
					optarg);
			break;
		case BY:
			if (!strcmp(optarg, "guest"))
				cfg.by = PVABI_PATCH_BY_GUEST;
			else if (!strcmp(optarg, "host"))
				cfg.by = PVABI_PATCH_BY_HOST;
			else
				return pvctl_usage_error(
					"--by: '%s' is not guest or host",
					optarg);
			break;
		default: return pvctl_bad_option("patch apply", argv, "o:");
		}
	}
	if (optind == argc)
		return pvctl_usage_error("patch apply: FILE is required");
	if (optind + 1 < argc)
		return pvctl_usage_error("patch apply: unexpected '%s'",
					 argv[optind + 1]);
	if (!out)
		return pvctl_usage_error("patch apply: -o OUT is required");
	if ((cfg.base_reg == PVABI_PATCH_ABSOLUTE) != !baddr)
		return pvctl_usage_error(
			"--base-reg and --base-addr go together");
	if (baddr && parse_addr("base-addr", baddr, &cfg.base_addr))
		return PVCTL_USAGE;
	err = load_policy(policy, &pol);
	if (err)
		return err;
	a.skipped = json_object_new_array();
	in.bar = !a.json && isatty(STDERR_FILENO);
	err = read_input(argv[optind], &in);
	if (err)
		goto done;
	err = image_of(&in, arch, base, &im);
	if (err)
		goto done;
	if ((magic && parse_addr("magic", magic, &cfg.magic_gpa)) ||
	    (notify && parse_addr("notify", notify, &cfg.notify_gpa))) {
		err = PVCTL_USAGE;
		goto done;
	}
	im.flags |= (magic ? PVABI_IMAGE_F_MAGIC : 0) |
		    (notify ? PVABI_IMAGE_F_NOTIFY : 0);
	err = pvabi_patch_image_apply(&im, &cfg, &pol, report_site, &a, &st);
	if (err) {
		err = apply_refused(argv[optind], &im, &cfg, &pol, arch, base,
				    err);
		goto done;
	}
	err = pvctl_write_file(out, im.out, im.out_len);
	if (err)
		goto done;
	if (a.json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(
			o, "patched",
			json_object_new_int64((int64_t)st.patched));
		json_object_object_add(o, "skipped", a.skipped);
		a.skipped = NULL;
		pvctl_json_print(o);
	} else {
		printf("%s: %lu of %lu sites patched, %lu skipped\n", out,
		       st.patched, st.sites, st.skipped);
	}
done:
	json_object_put(a.skipped);
	if (im.out != in.data)
		free(im.out);
	free_input(&in);
	return err;
}

static int patch_policy(int argc, char **argv)
{
	static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
					     {0}};
	struct pvabi_patch_policy pol;
	bool json = false;
	char buf[8192];
	int c, err;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'j')
			return pvctl_bad_option("patch policy", argv, "");
		json = true;
	}
	if (optind == argc)
		return pvctl_usage_error("patch policy: FILE is required");
	if (optind + 1 < argc)
		return pvctl_usage_error("patch policy: unexpected '%s'",
					 argv[optind + 1]);
	err = load_policy(argv[optind], &pol);
	if (err)
		return err;
	if (json) {
		struct json_object *o = json_object_new_object();
		struct json_object *cls = json_object_new_array();
		struct json_object *ex = json_object_new_array();

		for (pvabi_u32 b = 1; b & PVABI_PC_ALL; b <<= 1)
			if (pol.classes & b)
				json_object_array_add(
					cls, json_object_new_string(
						     pvabi_ppc_class_name(b)));
		for (unsigned int i = 0; i < pol.n_exclude; i++) {
			struct json_object *r = json_object_new_object();

			snprintf(buf, sizeof(buf), "0x%" PRIx64,
				 pol.exclude[i].start);
			json_object_object_add(r, "start",
					       json_object_new_string(buf));
			snprintf(buf, sizeof(buf), "0x%" PRIx64,
				 pol.exclude[i].end);
			json_object_object_add(r, "end",
					       json_object_new_string(buf));
			json_object_array_add(ex, r);
		}
		json_object_object_add(
			o, "mode",
			json_object_new_string(
				pvabi_patch_mode_name(pol.mode)));
		json_object_object_add(o, "classes", cls);
		json_object_object_add(o, "exclude", ex);
		json_object_object_add(
			o, "max_sites",
			pol.max_sites == PVABI_PATCH_NO_CAP
				? NULL
				: json_object_new_int64(pol.max_sites));
		pvctl_json_print(o);
		return PVCTL_OK;
	}
	if (pvabi_patch_policy_format(&pol, buf, sizeof(buf)) < 0)
		return pvctl_error(PVCTL_USAGE, "patch policy: can't format");
	fputs(buf, stdout);
	return PVCTL_OK;
}

const struct pvctl_cmd pvctl_patch_cmds[] = {
	{"scan", patch_scan, "count the privileged instructions in code",
	 "patch scan FILE [--arch ppc32|ppc64|ppc64le] [--base ADDR] "
	 "[--features F,...] [--json]",
	 "  FILE             a PowerPC ELF file (executable sections), or raw\n"
	 "                   code with --arch\n"
	 "  --arch A         ppc32 (big-endian), ppc64, ppc64le; an ELF says "
	 "it\n"
	 "  --base ADDR      raw code: the address of its first byte (0)\n"
	 "  --features F,... what the guest negotiated, which gates optional\n"
	 "                   registers (default: all but booke, host-patch)\n"
	 "  --json           {\"arch\":A,\"bytes\":N,\"sites\":N,"
	 "\"by_insn\":{\"mfmsr\":n,...}}\n",
	 NULL},
	{"apply", patch_apply,
	 "rewrite privileged instructions into magic-page templates",
	 "patch apply IN -o OUT [--policy FILE] [--arch A --base ADDR]\n"
	 "              [--magic ADDR] [--notify ADDR] [--base-reg rN "
	 "--base-addr ADDR]\n"
	 "              [--features F,...] [--by guest|host] [--full-templates]"
	 " [--json]",
	 "  -o, --output OUT  where the patched code goes\n"
	 "  --policy FILE     patch policy (schemas/patch-policy.txt)\n"
	 "  --arch, --base    raw code, as for 'patch scan'; templates are\n"
	 "                    appended after it, 4 KiB aligned\n"
	 "  --magic ADDR      guest address of the magic page (-0x1000)\n"
	 "  --notify ADDR     guest address of the notification page "
	 "(-0x2000)\n"
	 "  --base-reg rN, --base-addr ADDR\n"
	 "                    reach the pages from a register that always "
	 "holds\n"
	 "                    ADDR, instead of absolute 16-bit addresses\n"
	 "  --features F,...  negotiated features (as for 'patch scan')\n"
	 "  --by guest|host   who patches, checked against the policy's mode\n"
	 "  --full-templates  SPR moves and tlbsync run the whole protocol, "
	 "not\n"
	 "                    one load or store (docs/patching.md)\n"
	 "  --json            {\"patched\":n,\"skipped\":[{\"addr\":A,"
	 "\"insn\":I,\"reason\":R},...]}\n"
	 "An ELF file needs an executable " PVABI_ELF_TEMPLATE_SECTION
	 " section for templates.\n"
	 "Exit status: 0 patched, 1 refused by policy, 2 bad usage or input.\n",
	 NULL},
	{"policy", patch_policy,
	 "check a patch policy file and print it in canonical form",
	 "patch policy FILE [--json]",
	 "  FILE    the policy's text form (schemas/patch-policy.txt)\n"
	 "  --json  {\"mode\":M,\"classes\":[...],\"exclude\":[{\"start\":A,"
	 "\"end\":A}],\"max_sites\":N|null}\n"
	 "Exit status: 0 valid, 2 invalid (the bad line is quoted).\n",
	 NULL},
	{0}};
