// SPDX-License-Identifier: GPL-2.0-or-later
/* genl_client: the "pvabi" generic netlink family on libnl-genl. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include "genl_client.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct pvctl_genl {
	struct nl_sock *sock;
	int family;
	int events_group;
	char errmsg[256];
};

/* The state of one request: its answer, and what dumps collect. */
struct request {
	struct pvctl_genl *g;
	uint32_t seq;
	int error;
	bool done;
	pvctl_genl_vm_fn fn;
	void *arg;
	int fn_ret;
	bool have_vm;
	struct pvctl_genl_vm vm;
};

/*
 * GET_VMS replies are read strictly, by the sizes below: each attribute
 * listed for its level, at most once, of exactly its size (VAR: a nest or
 * the name, checked by its reader), nothing after the last one.  0: not
 * allowed in a reply.  Padding (type 0, empty) is skipped.
 */
#define VAR  0xffff
#define FLAG 0xfffe /* NLA_FLAG: no payload */

static const uint16_t top_size[PVABI_A_MAX + 1] = {
	[PVABI_A_VM_ID] = 4,	  [PVABI_A_VM_NAME] = VAR,
	[PVABI_A_VM_UUID] = 16,	  [PVABI_A_VM_POLICY] = VAR,
	[PVABI_A_VM_VCPUS] = VAR, [PVABI_A_POLICY_PUSHED] = FLAG};
static const uint16_t event_size[PVABI_A_MAX + 1] = {
	[PVABI_A_EVENT] = 4,	 [PVABI_A_VM_ID] = 4,	 [PVABI_A_VCPU] = 4,
	[PVABI_A_VM_NAME] = VAR, [PVABI_A_VM_UUID] = 16, [PVABI_A_VERSION] = 4,
	[PVABI_A_FEATURES] = 8};
static const uint16_t offer_reply_size[PVABI_A_MAX + 1] = {
	[PVABI_A_OFFER] = VAR, [PVABI_A_FLAGS] = 4};
static const uint16_t offer_size[PVABI_OFFER_A_MAX + 1] = {
	[PVABI_OFFER_A_VERSIONS] = VAR, [PVABI_OFFER_A_FEATURES] = 8};
static const uint16_t policy_size[PVABI_POLICY_A_MAX + 1] = {
	[PVABI_POLICY_A_MIN_VERSION] = 4, [PVABI_POLICY_A_MAX_VERSION] = 4,
	[PVABI_POLICY_A_FEATURES] = 8,	  [PVABI_POLICY_A_PATCH_MODE] = 4,
	[PVABI_POLICY_A_DEFER_US] = 4,	  [PVABI_POLICY_A_ENABLED] = 4};
static const uint16_t vcpu_size[PVABI_VCPU_A_MAX + 1] = {
	[PVABI_VCPU_A_INDEX] = 4,
	[PVABI_VCPU_A_VERSION] = 4,
	[PVABI_VCPU_A_FEATURES] = 8,
	[PVABI_VCPU_A_STATS] = VAR};
static const uint16_t stat_size[PVABI_STAT_A_MAX + 1] = {
	[1 ... PVABI_STAT_A_MAX] = 8};

static int strict_parse(struct nlattr **tb, int max, const uint16_t *size,
			struct nlattr *head, int len)
{
	struct nlattr *a;
	int rem;

	memset(tb, 0, (size_t)(max + 1) * sizeof(*tb));
	nla_for_each_attr(a, head, len, rem)
	{
		int t = nla_type(a);

		if (t == 0 && nla_len(a) == 0)
			continue;
		if (t < 1 || t > max || !size[t] || tb[t] ||
		    (size[t] != VAR &&
		     nla_len(a) != (size[t] == FLAG ? 0 : size[t])))
			return -EINVAL;
		tb[t] = a;
	}
	return rem ? -EINVAL : 0;
}

/* Every member is required: the module always sends them all. */
static int parse_policy(struct nlattr *attr, struct pvctl_genl_policy *pol)
{
	struct nlattr *tb[PVABI_POLICY_A_MAX + 1];
	int i;

	memset(pol, 0, sizeof(*pol));
	if (strict_parse(tb, PVABI_POLICY_A_MAX, policy_size, nla_data(attr),
			 nla_len(attr)))
		return -EINVAL;
	for (i = 1; i <= PVABI_POLICY_A_MAX; i++) {
		if (!tb[i])
			return -EINVAL;
		pol->present |= 1u << i;
	}
	pol->min_version = nla_get_u32(tb[PVABI_POLICY_A_MIN_VERSION]);
	pol->max_version = nla_get_u32(tb[PVABI_POLICY_A_MAX_VERSION]);
	pol->features = nla_get_u64(tb[PVABI_POLICY_A_FEATURES]);
	pol->patch_mode = nla_get_u32(tb[PVABI_POLICY_A_PATCH_MODE]);
	pol->defer_us = nla_get_u32(tb[PVABI_POLICY_A_DEFER_US]);
	pol->enabled = nla_get_u32(tb[PVABI_POLICY_A_ENABLED]);
	return pol->enabled > 1 ? -EINVAL : 0;
}

/* A whole vCPU entry: every attribute and every counter present. */
static int parse_vcpu(struct nlattr *attr, struct pvctl_genl_vcpu *v)
{
	struct nlattr *tb[PVABI_VCPU_A_MAX + 1], *st[PVABI_STAT_A_MAX + 1];
	uint64_t val[PVABI_STAT_A_MAX];
	int i;

	/* The stat attributes follow struct pvabi_vcpu_stats in order. */
	_Static_assert(sizeof(val) == sizeof(v->stats), "stats layout");
	memset(v, 0, sizeof(*v));
	if (strict_parse(tb, PVABI_VCPU_A_MAX, vcpu_size, nla_data(attr),
			 nla_len(attr)))
		return -EINVAL;
	for (i = 1; i <= PVABI_VCPU_A_MAX; i++)
		if (!tb[i])
			return -EINVAL;
	v->index = nla_get_u32(tb[PVABI_VCPU_A_INDEX]);
	if (v->index >= PVABI_MAX_VCPUS)
		return -EINVAL;
	v->version = nla_get_u32(tb[PVABI_VCPU_A_VERSION]);
	v->features = nla_get_u64(tb[PVABI_VCPU_A_FEATURES]);
	if (strict_parse(st, PVABI_STAT_A_MAX, stat_size,
			 nla_data(tb[PVABI_VCPU_A_STATS]),
			 nla_len(tb[PVABI_VCPU_A_STATS])))
		return -EINVAL;
	for (i = 1; i <= PVABI_STAT_A_MAX; i++) {
		if (!st[i])
			return -EINVAL;
		val[i - 1] = nla_get_u64(st[i]);
	}
	memcpy(&v->stats, val, sizeof(val));
	return 0;
}

/* 1 ... PVABI_VM_NAME_MAX bytes with the NUL, printable ASCII before it. */
static int parse_name(struct nlattr *attr, char *name)
{
	const char *s = nla_data(attr);
	int len = nla_len(attr), i;

	if (len < 1 || len > PVABI_VM_NAME_MAX || s[len - 1])
		return -EINVAL;
	for (i = 0; i < len - 1; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return -EINVAL;
	memcpy(name, s, (size_t)len);
	return 0;
}

/* The top level of a message of command @cmd, @len bytes in all. */
static int parse_top(const struct nlmsghdr *nlh, size_t len, uint8_t cmd,
		     const uint16_t *size, struct nlattr **tb)
{
	const struct genlmsghdr *gnlh;

	if (len < NLMSG_HDRLEN + GENL_HDRLEN || nlh->nlmsg_len > len ||
	    nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		return -EINVAL;
	gnlh = nlmsg_data(nlh);
	if (gnlh->cmd != cmd)
		return -EINVAL;
	return strict_parse(tb, PVABI_A_MAX, size, genlmsg_attrdata(gnlh, 0),
			    genlmsg_attrlen(gnlh, 0));
}

int pvctl_genl_parse_vm(const struct nlmsghdr *nlh, size_t len,
			struct pvctl_genl_vm *vm)
{
	struct nlattr *tb[PVABI_A_MAX + 1], *a;
	int rem;

	if (parse_top(nlh, len, PVABI_CMD_GET_VMS, top_size, tb) ||
	    !tb[PVABI_A_VM_ID] || !tb[PVABI_A_VM_POLICY] ||
	    !tb[PVABI_A_VM_VCPUS])
		return -EINVAL;
	vm->id = nla_get_u32(tb[PVABI_A_VM_ID]);
	if (!vm->id)
		return -EINVAL;
	if (tb[PVABI_A_VM_NAME] && parse_name(tb[PVABI_A_VM_NAME], vm->name))
		return -EINVAL;
	if (tb[PVABI_A_VM_UUID]) {
		vm->has_uuid = true;
		memcpy(vm->uuid, nla_data(tb[PVABI_A_VM_UUID]), PVABI_UUID_LEN);
	}
	if (parse_policy(tb[PVABI_A_VM_POLICY], &vm->policy))
		return -EINVAL;
	vm->policy_pushed = tb[PVABI_A_POLICY_PUSHED] != NULL;
	nla_for_each_nested(a, tb[PVABI_A_VM_VCPUS], rem)
	{
		struct pvctl_genl_vcpu *v = &vm->vcpus[vm->n_vcpus];

		if (vm->n_vcpus >= PVABI_MAX_VCPUS || parse_vcpu(a, v))
			return -EINVAL;
		/* In increasing order, across messages: no vCPU twice. */
		if (vm->n_vcpus && v->index <= v[-1].index)
			return -EINVAL;
		vm->n_vcpus++;
	}
	return rem ? -EINVAL : 0;
}

int pvctl_genl_parse_event(const struct nlmsghdr *nlh, size_t len,
			   struct pvctl_genl_event *ev)
{
	struct nlattr *tb[PVABI_A_MAX + 1];
	bool created, negotiated;

	memset(ev, 0, sizeof(*ev));
	ev->vcpu = -1;
	if (parse_top(nlh, len, PVABI_CMD_EVENT, event_size, tb) ||
	    !tb[PVABI_A_EVENT] || !tb[PVABI_A_VM_ID])
		return -EINVAL;
	ev->event = nla_get_u32(tb[PVABI_A_EVENT]);
	ev->vm_id = nla_get_u32(tb[PVABI_A_VM_ID]);
	if (!ev->vm_id)
		return -EINVAL;
	if (tb[PVABI_A_VCPU]) {
		ev->vcpu = nla_get_u32(tb[PVABI_A_VCPU]);
		if (ev->vcpu >= PVABI_MAX_VCPUS)
			return -EINVAL;
	}
	created = ev->event == PVABI_EVENT_VM_CREATED;
	negotiated = ev->event == PVABI_EVENT_VCPU_NEGOTIATED && ev->vcpu >= 0;
	if (((tb[PVABI_A_VM_NAME] || tb[PVABI_A_VM_UUID]) && !created) ||
	    (!tb[PVABI_A_VERSION] != !tb[PVABI_A_FEATURES]) ||
	    (tb[PVABI_A_VERSION] && !negotiated))
		return -EINVAL;
	if (tb[PVABI_A_VM_NAME] && parse_name(tb[PVABI_A_VM_NAME], ev->name))
		return -EINVAL;
	if (tb[PVABI_A_VM_UUID]) {
		ev->has_uuid = true;
		memcpy(ev->uuid, nla_data(tb[PVABI_A_VM_UUID]), PVABI_UUID_LEN);
	}
	if (tb[PVABI_A_VERSION]) {
		ev->version = nla_get_u32(tb[PVABI_A_VERSION]);
		ev->features = nla_get_u64(tb[PVABI_A_FEATURES]);
		if (!pvabi_version_unpack(ev->version).major)
			return -EINVAL;
	}
	return 0;
}

int pvctl_genl_parse_offer(const struct nlmsghdr *nlh, size_t len,
			   struct pvabi_offer *offer, uint32_t *flags)
{
	struct nlattr *tb[PVABI_A_MAX + 1], *ob[PVABI_OFFER_A_MAX + 1], *a;
	int rem;

	memset(offer, 0, sizeof(*offer));
	*flags = 0;
	if (parse_top(nlh, len, PVABI_CMD_GET_OFFER, offer_reply_size, tb) ||
	    !tb[PVABI_A_OFFER] || !tb[PVABI_A_FLAGS] ||
	    strict_parse(ob, PVABI_OFFER_A_MAX, offer_size,
			 nla_data(tb[PVABI_A_OFFER]),
			 nla_len(tb[PVABI_A_OFFER])) ||
	    !ob[PVABI_OFFER_A_VERSIONS] || !ob[PVABI_OFFER_A_FEATURES])
		return -EINVAL;
	*flags = nla_get_u32(tb[PVABI_A_FLAGS]);
	if (*flags & ~(uint32_t)__PVABI_HOST_F_ALL)
		return -EINVAL;
	offer->features = nla_get_u64(ob[PVABI_OFFER_A_FEATURES]);
	nla_for_each_nested(a, ob[PVABI_OFFER_A_VERSIONS], rem)
	{
		if (offer->n_versions >= PVABI_OFFER_MAX_VERSIONS ||
		    nla_len(a) != 4)
			return -EINVAL;
		offer->versions[offer->n_versions++] =
			pvabi_version_unpack(nla_get_u32(a));
	}
	if (rem || pvabi_offer_check(offer))
		return -EINVAL;
	return 0;
}

static void flush_vm(struct request *r)
{
	if (r->have_vm && !r->fn_ret)
		r->fn_ret = r->fn(&r->vm, r->arg);
	r->have_vm = false;
}

static int on_dump(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *gnlh = nlmsg_data(nlh);
	struct request *r = arg;
	struct nlattr *id;

	/* The same socket may carry events: take only dump replies. */
	if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN ||
	    gnlh->cmd != PVABI_CMD_GET_VMS)
		return NL_SKIP;
	/* A VM split over several messages repeats its id: merge it. */
	id = nlmsg_find_attr(nlh, GENL_HDRLEN, PVABI_A_VM_ID);
	if (!id || nla_len(id) != 4 || !r->have_vm ||
	    nla_get_u32(id) != r->vm.id) {
		flush_vm(r);
		memset(&r->vm, 0, sizeof(r->vm));
	}
	if (pvctl_genl_parse_vm(nlh, nlh->nlmsg_len, &r->vm)) {
		r->error = -EBADMSG;
		return NL_STOP;
	}
	r->have_vm = true;
	return NL_OK;
}

/* Remember the kernel's extended-ack message, if it sent one. */
static void save_extack(struct pvctl_genl *g, struct nlmsghdr *nlh,
			struct nlmsgerr *e)
{
	size_t off = sizeof(*nlh) + sizeof(*e);
	struct nlattr *a;
	int rem;

	g->errmsg[0] = 0;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(e->msg);
	if (off >= nlh->nlmsg_len)
		return;
	nla_for_each_attr(a, (struct nlattr *)((char *)nlh + off),
			  nlh->nlmsg_len - off,
			  rem) if (nla_type(a) == NLMSGERR_ATTR_MSG)
		nla_strlcpy(g->errmsg, a, sizeof(g->errmsg));
}

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct request *r = arg;
	struct nlmsghdr *nlh = (struct nlmsghdr *)e - 1;

	r->error = e->error;
	save_extack(r->g, nlh, e);
	r->done = true;
	return NL_STOP;
}

static int on_done(struct nl_msg *msg, void *arg)
{
	struct request *r = arg;

	r->done = true;
	return NL_STOP;
}

/* Multicast events carry sequence number 0: not part of any request. */
static int check_seq(struct nl_msg *msg, void *arg)
{
	uint32_t *seq = arg;
	uint32_t got = nlmsg_hdr(msg)->nlmsg_seq;

	if (!seq)
		return got == 0 ? NL_OK : NL_SKIP;
	return got == *seq ? NL_OK : NL_SKIP;
}

static int run(struct pvctl_genl *g, struct nl_msg *msg, struct request *r)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int err;

	r->g = g;
	g->errmsg[0] = 0;
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_complete_msg(g->sock, msg);
	r->seq = nlmsg_hdr(msg)->nlmsg_seq;
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, check_seq, &r->seq);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_done, r);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_done, r);
	if (r->fn)
		nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_dump, r);
	err = nl_send(g->sock, msg);
	nlmsg_free(msg);
	while (err >= 0 && !r->done && !r->error)
		err = nl_recvmsgs(g->sock, cb);
	nl_cb_put(cb);
	if (r->error)
		return r->error;
	return err < 0 ? -EIO : 0;
}

int pvctl_genl_open(struct pvctl_genl **out)
{
	struct pvctl_genl *g = calloc(1, sizeof(*g));
	int one = 1, err;

	if (!g)
		return -ENOMEM;
	g->sock = nl_socket_alloc();
	if (!g->sock) {
		free(g);
		return -ENOMEM;
	}
	err = genl_connect(g->sock);
	if (err) {
		pvctl_genl_close(g);
		return -ECONNREFUSED;
	}
	setsockopt(nl_socket_get_fd(g->sock), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	g->family = genl_ctrl_resolve(g->sock, PVABI_GENL_NAME);
	if (g->family < 0) {
		pvctl_genl_close(g);
		return -ENOENT;
	}
	*out = g;
	return 0;
}

void pvctl_genl_close(struct pvctl_genl *g)
{
	if (!g)
		return;
	nl_socket_free(g->sock);
	free(g);
}

const char *pvctl_genl_errmsg(const struct pvctl_genl *g)
{
	return g->errmsg;
}

struct nl_msg *pvctl_genl_msg(struct pvctl_genl *g, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, g->family, 0,
				flags, cmd, PVABI_GENL_VERSION)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

int pvctl_genl_request(struct pvctl_genl *g, struct nl_msg *msg)
{
	struct request r = {0};

	return run(g, msg, &r);
}

int pvctl_genl_dump(struct pvctl_genl *g, uint32_t only, pvctl_genl_vm_fn fn,
		    void *arg)
{
	struct nl_msg *msg = pvctl_genl_msg(g, PVABI_CMD_GET_VMS, NLM_F_DUMP);
	struct request *r;
	int err;

	if (!msg)
		return -ENOMEM;
	if (only && nla_put_u32(msg, PVABI_A_VM_ID, only)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	/* Big: a VM holds PVABI_MAX_VCPUS vCPUs. */
	r = calloc(1, sizeof(*r));
	if (!r) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	r->fn = fn;
	r->arg = arg;
	err = run(g, msg, r);
	if (!err)
		flush_vm(r);
	if (!err)
		err = r->fn_ret;
	free(r);
	return err;
}

/* SET_POLICY for the VM @vm_id, or @uuid when it is not NULL. */
static int set_policy(struct pvctl_genl *g, uint32_t vm_id, const uint8_t *uuid,
		      uint32_t flags, const struct pvctl_genl_policy *pol)
{
	struct nl_msg *msg = pvctl_genl_msg(g, PVABI_CMD_SET_POLICY, 0);
	struct nlattr *nest;
	uint32_t p = pol->present;

	if (!msg)
		return -ENOMEM;
	if ((uuid ? nla_put(msg, PVABI_A_VM_UUID, PVABI_UUID_LEN, uuid)
		  : nla_put_u32(msg, PVABI_A_VM_ID, vm_id)) ||
	    (flags && nla_put_u32(msg, PVABI_A_FLAGS, flags)) ||
	    !(nest = nla_nest_start(msg, PVABI_A_VM_POLICY)) ||
	    ((p & 1u << PVABI_POLICY_A_MIN_VERSION) &&
	     nla_put_u32(msg, PVABI_POLICY_A_MIN_VERSION, pol->min_version)) ||
	    ((p & 1u << PVABI_POLICY_A_MAX_VERSION) &&
	     nla_put_u32(msg, PVABI_POLICY_A_MAX_VERSION, pol->max_version)) ||
	    ((p & 1u << PVABI_POLICY_A_FEATURES) &&
	     nla_put_u64(msg, PVABI_POLICY_A_FEATURES, pol->features)) ||
	    ((p & 1u << PVABI_POLICY_A_PATCH_MODE) &&
	     nla_put_u32(msg, PVABI_POLICY_A_PATCH_MODE, pol->patch_mode)) ||
	    ((p & 1u << PVABI_POLICY_A_DEFER_US) &&
	     nla_put_u32(msg, PVABI_POLICY_A_DEFER_US, pol->defer_us)) ||
	    ((p & 1u << PVABI_POLICY_A_ENABLED) &&
	     nla_put_u32(msg, PVABI_POLICY_A_ENABLED, pol->enabled))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	/* The policy is required even when empty (a plain reset). */
	nla_nest_end_keep_empty(msg, nest);
	return pvctl_genl_request(g, msg);
}

int pvctl_genl_set_policy(struct pvctl_genl *g, uint32_t vm_id, uint32_t flags,
			  const struct pvctl_genl_policy *pol)
{
	return set_policy(g, vm_id, NULL, flags, pol);
}

int pvctl_genl_set_policy_uuid(struct pvctl_genl *g,
			       const uint8_t uuid[PVABI_UUID_LEN],
			       uint32_t flags,
			       const struct pvctl_genl_policy *pol)
{
	return set_policy(g, 0, uuid, flags, pol);
}

int pvctl_genl_inject(struct pvctl_genl *g, uint32_t vm_id, uint32_t vcpu,
		      uint32_t vector)
{
	struct nl_msg *msg = pvctl_genl_msg(g, PVABI_CMD_INJECT, 0);

	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, PVABI_A_VM_ID, vm_id) ||
	    nla_put_u32(msg, PVABI_A_VCPU, vcpu) ||
	    (vector && nla_put_u32(msg, PVABI_A_VECTOR, vector))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return pvctl_genl_request(g, msg);
}

int pvctl_genl_set_offer(struct pvctl_genl *g, const struct pvabi_offer *offer)
{
	struct nl_msg *msg = pvctl_genl_msg(g, PVABI_CMD_SET_OFFER, 0);
	struct nlattr *nest, *list;
	uint32_t i;

	if (!msg)
		return -ENOMEM;
	if (offer->n_versions > PVABI_OFFER_MAX_VERSIONS ||
	    !(nest = nla_nest_start(msg, PVABI_A_OFFER)) ||
	    !(list = nla_nest_start(msg, PVABI_OFFER_A_VERSIONS)))
		goto fail;
	for (i = 0; i < offer->n_versions; i++)
		if (nla_put_u32(msg, 0, pvabi_version_pack(offer->versions[i])))
			goto fail;
	nla_nest_end_keep_empty(msg, list);
	if (nla_put_u64(msg, PVABI_OFFER_A_FEATURES, offer->features))
		goto fail;
	nla_nest_end(msg, nest);
	return pvctl_genl_request(g, msg);
fail:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

struct offer_reply {
	struct pvabi_offer *offer;
	uint32_t *flags;
	int error;
};

static int on_offer(struct nl_msg *msg, void *arg)
{
	struct offer_reply *o = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	o->error =
		pvctl_genl_parse_offer(nlh, nlh->nlmsg_len, o->offer, o->flags)
			? -EBADMSG
			: 0;
	return NL_OK;
}

int pvctl_genl_get_offer(struct pvctl_genl *g, struct pvabi_offer *offer,
			 uint32_t *flags)
{
	struct nl_msg *msg = pvctl_genl_msg(g, PVABI_CMD_GET_OFFER, 0);
	/* -EIO until the reply arrives: an ack alone is no answer. */
	struct offer_reply o = {.offer = offer, .flags = flags, .error = -EIO};
	struct nl_cb *cb;
	struct request r = {0};
	int err;

	if (!msg)
		return -ENOMEM;
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	r.g = g;
	g->errmsg[0] = 0;
	nl_complete_msg(g->sock, msg);
	r.seq = nlmsg_hdr(msg)->nlmsg_seq;
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, check_seq, &r.seq);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_done, &r);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_offer, &o);
	err = nl_send(g->sock, msg);
	nlmsg_free(msg);
	/* The reply, then the ack libnl asked for (NLM_F_ACK). */
	while (err >= 0 && !r.done && !r.error)
		err = nl_recvmsgs(g->sock, cb);
	nl_cb_put(cb);
	if (r.error)
		return r.error;
	if (err < 0)
		return -EIO;
	return o.error;
}

int pvctl_genl_subscribe(struct pvctl_genl *g)
{
	int grp = genl_ctrl_resolve_grp(g->sock, PVABI_GENL_NAME,
					PVABI_GENL_MCGRP_EVENTS);

	if (grp < 0)
		return -ENOENT;
	g->events_group = grp;
	/* The kernel's errno (EPERM without CAP_NET_ADMIN), not libnl's. */
	if (setsockopt(nl_socket_get_fd(g->sock), SOL_NETLINK,
		       NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)))
		return -errno;
	return 0;
}

struct event {
	bool got;
	struct pvctl_genl_event ev;
	pvctl_genl_event_fn fn; /* NULL: stop at the first event */
	void *arg;
	int fn_ret;
	unsigned int bad;
};

static int on_event(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct event *e = arg;

	if (pvctl_genl_parse_event(nlh, nlh->nlmsg_len, &e->ev)) {
		e->bad++;
		return NL_SKIP;
	}
	e->got = true;
	if (!e->fn)
		return NL_STOP;
	e->fn_ret = e->fn(&e->ev, e->arg);
	return e->fn_ret ? NL_STOP : NL_OK;
}

static struct nl_cb *event_cb(struct event *e)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);

	if (!cb)
		return NULL;
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, check_seq, NULL);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_event, e);
	return cb;
}

int pvctl_genl_next_event(struct pvctl_genl *g, uint32_t *event,
			  uint32_t *vm_id, int64_t *vcpu)
{
	struct event e = {0};
	struct nl_cb *cb = event_cb(&e);
	int err = 0;

	if (!cb)
		return -ENOMEM;
	while (!e.got && err >= 0)
		err = nl_recvmsgs(g->sock, cb);
	nl_cb_put(cb);
	if (!e.got)
		return -EIO;
	*event = e.ev.event;
	*vm_id = e.ev.vm_id;
	*vcpu = e.ev.vcpu;
	return 0;
}

int pvctl_genl_fd(const struct pvctl_genl *g)
{
	return nl_socket_get_fd(g->sock);
}

int pvctl_genl_read_events(struct pvctl_genl *g, pvctl_genl_event_fn fn,
			   void *arg, unsigned int *bad)
{
	struct event e = {.fn = fn, .arg = arg};
	struct nl_cb *cb = event_cb(&e);
	struct pollfd p = {.fd = nl_socket_get_fd(g->sock), .events = POLLIN};
	int err = 0;

	if (!cb)
		return -ENOMEM;
	/* One datagram per round while any waits: never block. */
	while (!e.fn_ret && err >= 0 && poll(&p, 1, 0) > 0)
		err = nl_recvmsgs(g->sock, cb);
	nl_cb_put(cb);
	if (bad)
		*bad += e.bad;
	if (e.fn_ret)
		return e.fn_ret;
	if (err >= 0)
		return 0;
	/* libnl reports the kernel's ENOBUFS (events dropped) as NOMEM. */
	return err == -NLE_NOMEM ? -ENOBUFS : -EIO;
}
