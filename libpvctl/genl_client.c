// SPDX-License-Identifier: GPL-2.0-or-later
/* genl_client: the "pvabi" generic netlink family on libnl-genl. */
#include <errno.h>
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

/* Events: what pvctl_genl_next_event() reads. */
static struct nla_policy top_policy[PVABI_A_MAX + 1] = {
	[PVABI_A_VM_ID] = {.type = NLA_U32},
	[PVABI_A_VCPU] = {.type = NLA_U32},
	[PVABI_A_EVENT] = {.type = NLA_U32},
};

/*
 * GET_VMS replies are read strictly, by the sizes below: each attribute
 * listed for its level, at most once, of exactly its size (VAR: a nest or
 * the name, checked by its reader), nothing after the last one.  0: not
 * allowed in a reply.  Padding (type 0, empty) is skipped.
 */
#define VAR 0xffff

static const uint16_t top_size[PVABI_A_MAX + 1] = {[PVABI_A_VM_ID] = 4,
						   [PVABI_A_VM_NAME] = VAR,
						   [PVABI_A_VM_UUID] = 16,
						   [PVABI_A_VM_POLICY] = VAR,
						   [PVABI_A_VM_VCPUS] = VAR};
static const uint16_t policy_size[PVABI_POLICY_A_MAX + 1] = {
	[PVABI_POLICY_A_MIN_VERSION] = 4,
	[PVABI_POLICY_A_MAX_VERSION] = 4,
	[PVABI_POLICY_A_FEATURES] = 8,
	[PVABI_POLICY_A_PATCH_MODE] = 4,
	[PVABI_POLICY_A_DEFER_US] = 4};
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
		    (size[t] != VAR && nla_len(a) != size[t]))
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
	return 0;
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

int pvctl_genl_parse_vm(const struct nlmsghdr *nlh, size_t len,
			struct pvctl_genl_vm *vm)
{
	struct nlattr *tb[PVABI_A_MAX + 1], *a;
	const struct genlmsghdr *gnlh;
	int rem;

	if (len < NLMSG_HDRLEN + GENL_HDRLEN || nlh->nlmsg_len > len ||
	    nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		return -EINVAL;
	gnlh = nlmsg_data(nlh);
	if (gnlh->cmd != PVABI_CMD_GET_VMS ||
	    strict_parse(tb, PVABI_A_MAX, top_size, genlmsg_attrdata(gnlh, 0),
			 genlmsg_attrlen(gnlh, 0)) ||
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
	     nla_put_u32(msg, PVABI_POLICY_A_DEFER_US, pol->defer_us))) {
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
	uint32_t event, vm_id;
	int64_t vcpu;
};

static int on_event(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[PVABI_A_MAX + 1];
	struct event *ev = arg;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, PVABI_A_MAX, top_policy) ||
	    !tb[PVABI_A_EVENT] || !tb[PVABI_A_VM_ID])
		return NL_SKIP;
	ev->event = nla_get_u32(tb[PVABI_A_EVENT]);
	ev->vm_id = nla_get_u32(tb[PVABI_A_VM_ID]);
	ev->vcpu =
		tb[PVABI_A_VCPU] ? (int64_t)nla_get_u32(tb[PVABI_A_VCPU]) : -1;
	ev->got = true;
	return NL_STOP;
}

int pvctl_genl_next_event(struct pvctl_genl *g, uint32_t *event,
			  uint32_t *vm_id, int64_t *vcpu)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	struct event ev = {0};
	int err = 0;

	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, check_seq, NULL);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_event, &ev);
	while (!ev.got && err >= 0)
		err = nl_recvmsgs(g->sock, cb);
	nl_cb_put(cb);
	if (!ev.got)
		return -EIO;
	*event = ev.event;
	*vm_id = ev.vm_id;
	*vcpu = ev.vcpu;
	return 0;
}
