// SPDX-License-Identifier: GPL-2.0-only
/*
 * The "pvabi" generic netlink family.  Its contract is the comment in
 * uapi/linux/pvabi.h; the policies below match it attribute for attribute.
 */
#include <net/genetlink.h>

#include "pvabi_mod.h"

static struct netlink_range_validation version_range = {
	.min = PVABI_VERSION_PACKED(1, 0),	/* major not 0 */
	.max = U32_MAX,
};

static struct netlink_range_validation defer_range = {
	.min = PVABI_DEFER_US_MIN,
	.max = PVABI_DEFER_US_MAX,
};

static const struct nla_policy policy_policy[PVABI_POLICY_A_MAX + 1] = {
	[PVABI_POLICY_A_UNSPEC] = { .strict_start_type = 1 },
	[PVABI_POLICY_A_MIN_VERSION] = NLA_POLICY_FULL_RANGE(NLA_U32, &version_range),
	[PVABI_POLICY_A_MAX_VERSION] = NLA_POLICY_FULL_RANGE(NLA_U32, &version_range),
	[PVABI_POLICY_A_FEATURES] = NLA_POLICY_MASK(NLA_U64, PVABI_KMOD_FEATURES),
	[PVABI_POLICY_A_PATCH_MODE] = NLA_POLICY_RANGE(NLA_U32, PVABI_NL_PATCH_GUEST,
						       PVABI_NL_PATCH_MAX),
	[PVABI_POLICY_A_DEFER_US] = NLA_POLICY_FULL_RANGE(NLA_U32, &defer_range),
	[PVABI_POLICY_A_ENABLED] = NLA_POLICY_MAX(NLA_U32, 1),
};

/* The versions' entries are checked one by one in set_offer(). */
static const struct nla_policy offer_policy[PVABI_OFFER_A_MAX + 1] = {
	[PVABI_OFFER_A_UNSPEC] = { .strict_start_type = 1 },
	[PVABI_OFFER_A_VERSIONS] = { .type = NLA_NESTED },
	[PVABI_OFFER_A_FEATURES] = NLA_POLICY_MASK(NLA_U64, PVABI_KMOD_FEATURES),
};

static const struct nla_policy set_offer_policy[PVABI_A_MAX + 1] = {
	[PVABI_A_UNSPEC] = { .strict_start_type = 1 },
	[PVABI_A_OFFER] = NLA_POLICY_NESTED(offer_policy),
};

static const struct nla_policy get_offer_policy[PVABI_A_MAX + 1] = {
	[PVABI_A_UNSPEC] = { .strict_start_type = 1 },
};

static const struct nla_policy get_vms_policy[PVABI_A_MAX + 1] = {
	[PVABI_A_UNSPEC] = { .strict_start_type = 1 },
	[PVABI_A_VM_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

static const struct nla_policy set_policy_policy[PVABI_A_MAX + 1] = {
	[PVABI_A_UNSPEC] = { .strict_start_type = 1 },
	[PVABI_A_VM_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[PVABI_A_VM_UUID] = NLA_POLICY_EXACT_LEN(PVABI_UUID_LEN),
	[PVABI_A_FLAGS] = NLA_POLICY_MASK(NLA_U32, __PVABI_SET_POLICY_F_ALL),
	[PVABI_A_VM_POLICY] = NLA_POLICY_NESTED(policy_policy),
};

static const struct nla_policy inject_policy[PVABI_A_MAX + 1] = {
	[PVABI_A_UNSPEC] = { .strict_start_type = 1 },
	[PVABI_A_VM_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[PVABI_A_VCPU] = NLA_POLICY_MAX(NLA_U32, PVABI_MAX_VCPUS - 1),
	[PVABI_A_VECTOR] = { .type = NLA_U32 },
};

static struct genl_family pvabi_family;

/*
 * The events name VMs and what happens to them: CAP_NET_ADMIN only, like
 * the dump.  A kernel without the flag (before 6.7 and its stable
 * backports, which Debian 12's kernel has) lets anyone join any family's
 * group: refuse to build there rather than leak.
 */
#ifndef GENL_MCAST_CAP_NET_ADMIN
#error "pvabi.ko needs GENL_MCAST_CAP_NET_ADMIN (Linux 6.7 or a stable backport)"
#endif
enum { MCGRP_EVENTS };
static const struct genl_multicast_group pvabi_mcgrps[] = {
	[MCGRP_EVENTS] = {
		.name = PVABI_GENL_MCGRP_EVENTS,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

static int put_version(struct sk_buff *skb, int type, struct pvabi_version v)
{
	return nla_put_u32(skb, type, pvabi_version_pack(v));
}

static int put_policy(struct sk_buff *skb, const struct pvabi_policy *pol)
{
	struct nlattr *nest = nla_nest_start(skb, PVABI_A_VM_POLICY);

	if (!nest)
		return -EMSGSIZE;
	if (put_version(skb, PVABI_POLICY_A_MIN_VERSION, pol->min) ||
	    put_version(skb, PVABI_POLICY_A_MAX_VERSION, pol->max) ||
	    nla_put_u64_64bit(skb, PVABI_POLICY_A_FEATURES, pol->features,
			      PVABI_POLICY_A_UNSPEC) ||
	    nla_put_u32(skb, PVABI_POLICY_A_PATCH_MODE, pol->patch_mode) ||
	    nla_put_u32(skb, PVABI_POLICY_A_DEFER_US, pol->defer_us) ||
	    nla_put_u32(skb, PVABI_POLICY_A_ENABLED, pol->enabled)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int put_vcpu(struct sk_buff *skb, struct pvabi_vcpu *v)
{
	struct pvabi_vcpu_stats st;
	struct nlattr *vn, *sn;
	u64 features, val[PVABI_STAT_A_MAX];
	u32 version;
	int i;

	/* The attributes follow struct pvabi_vcpu_stats field by field. */
	BUILD_BUG_ON(sizeof(st) != sizeof(val));
	pvabi_vcpu_stats(v, &st, &version, &features);
	memcpy(val, &st, sizeof(val));

	/* An entry that does not fit leaves nothing of itself behind. */
	vn = nla_nest_start(skb, 0);
	if (!vn)
		return -EMSGSIZE;
	if (nla_put_u32(skb, PVABI_VCPU_A_INDEX, v->index) ||
	    nla_put_u32(skb, PVABI_VCPU_A_VERSION, version) ||
	    nla_put_u64_64bit(skb, PVABI_VCPU_A_FEATURES, features,
			      PVABI_VCPU_A_UNSPEC))
		goto cancel;
	sn = nla_nest_start(skb, PVABI_VCPU_A_STATS);
	if (!sn)
		goto cancel;
	for (i = 0; i < PVABI_STAT_A_MAX; i++)
		if (nla_put_u64_64bit(skb, PVABI_STAT_A_INJECTED + i, val[i],
				      PVABI_STAT_A_UNSPEC))
			goto cancel;
	nla_nest_end(skb, sn);
	nla_nest_end(skb, vn);
	return 0;

cancel:
	nla_nest_cancel(skb, vn);
	return -EMSGSIZE;
}

struct dump_ctx {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	u32 only;		/* a VM id, or 0 for all */
};

/*
 * One message per VM; cb->args[0] is the next VM id, cb->args[1] the next
 * vCPU index when VM cb->args[0] did not fit into the last message.  The
 * vCPU index belongs to that VM alone: if it went away meanwhile, the next
 * VM starts from its vCPU 0 (ids are not reused, so an id names one VM).
 */
static int dump_vm(struct pvabi_vm *vm, void *arg)
{
	struct dump_ctx *d = arg;
	struct netlink_callback *cb = d->cb;
	struct sk_buff *skb = d->skb;
	struct pvabi_policy pol;
	struct nlattr *vcpus;
	bool pushed;
	u32 first, i;
	void *hdr;

	if (d->only && vm->id != d->only)
		return 0;
	if (vm->id != cb->args[0])
		cb->args[1] = 0;
	first = cb->args[1];
	i = first;
	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &pvabi_family, NLM_F_MULTI, PVABI_CMD_GET_VMS);
	if (!hdr)
		return -EMSGSIZE;

	mutex_lock(&vm->lock);
	pol = vm->policy;
	pushed = vm->policy_pushed;
	mutex_unlock(&vm->lock);
	if (nla_put_u32(skb, PVABI_A_VM_ID, vm->id) ||
	    (vm->name[0] && nla_put_string(skb, PVABI_A_VM_NAME, vm->name)) ||
	    (vm->has_uuid &&
	     nla_put(skb, PVABI_A_VM_UUID, PVABI_UUID_LEN, vm->uuid)) ||
	    put_policy(skb, &pol) ||
	    (pushed && nla_put_flag(skb, PVABI_A_POLICY_PUSHED)))
		goto cancel;
	vcpus = nla_nest_start(skb, PVABI_A_VM_VCPUS);
	if (!vcpus)
		goto cancel;
	for (; i < PVABI_MAX_VCPUS; i++) {
		struct pvabi_vcpu *v = pvabi_vm_get_vcpu(vm, i);
		int ret;

		if (!v)
			continue;
		ret = put_vcpu(skb, v);
		pvabi_vcpu_put(v);
		if (ret)
			break;
	}
	if (i < PVABI_MAX_VCPUS) {
		/* Full: close what fits, go on from vCPU i next time. */
		if (i == first)
			goto cancel;	/* not even one vCPU fitted */
		nla_nest_end(skb, vcpus);
		genlmsg_end(skb, hdr);
		cb->args[0] = vm->id;
		cb->args[1] = i;
		return -EMSGSIZE;
	}
	nla_nest_end(skb, vcpus);
	genlmsg_end(skb, hdr);
	cb->args[0] = (unsigned long)vm->id + 1;
	cb->args[1] = 0;
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	cb->args[0] = vm->id;
	return -EMSGSIZE;
}

static int pvabi_get_vms(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct dump_ctx d = { .skb = skb, .cb = cb };
	int ret;

	if (info->attrs[PVABI_A_VM_ID])
		d.only = nla_get_u32(info->attrs[PVABI_A_VM_ID]);
	if (!cb->args[0])
		cb->args[0] = d.only ? d.only : 1;
	if (cb->args[0] > U32_MAX)
		return 0;	/* the last id was dumped */
	ret = pvabi_vm_for_each(cb->args[0], dump_vm, &d);
	if (ret == -EMSGSIZE && skb->len)
		return skb->len;
	return ret ? ret : skb->len;
}

static struct pvabi_vm *vm_from_info(struct genl_info *info)
{
	struct nlattr *id = info->attrs[PVABI_A_VM_ID];
	struct nlattr *uuid = info->attrs[PVABI_A_VM_UUID];
	struct pvabi_vm *vm;

	if (id && uuid) {
		NL_SET_ERR_MSG_ATTR(info->extack, uuid,
				    "VM id and UUID both given");
		return ERR_PTR(-EINVAL);
	}
	if (uuid)
		vm = pvabi_vm_get_by_uuid(nla_data(uuid));
	else if (!GENL_REQ_ATTR_CHECK(info, PVABI_A_VM_ID))
		vm = pvabi_vm_get(nla_get_u32(id));
	else
		return ERR_PTR(-EINVAL);
	if (!vm) {
		NL_SET_ERR_MSG_ATTR(info->extack, id ? id : uuid, "no such VM");
		return ERR_PTR(-ENOENT);
	}
	return vm;
}

static int pvabi_set_policy(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[PVABI_POLICY_A_MAX + 1];
	struct pvabi_policy pol;
	struct pvabi_vm *vm;
	bool revoke = false;
	u32 flags = 0;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, PVABI_A_VM_POLICY))
		return -EINVAL;
	ret = nla_parse_nested(tb, PVABI_POLICY_A_MAX,
			       info->attrs[PVABI_A_VM_POLICY], policy_policy,
			       info->extack);
	if (ret)
		return ret;
	if (info->attrs[PVABI_A_FLAGS])
		flags = nla_get_u32(info->attrs[PVABI_A_FLAGS]);
	vm = vm_from_info(info);
	if (IS_ERR(vm))
		return PTR_ERR(vm);

	mutex_lock(&vm->lock);
	pol = vm->policy;
	if (flags & PVABI_SET_POLICY_F_RESET)
		pvabi_policy_default(&pol);
	if (tb[PVABI_POLICY_A_MIN_VERSION]) {
		u32 x = nla_get_u32(tb[PVABI_POLICY_A_MIN_VERSION]);

		pol.min = pvabi_version_unpack(x);
	}
	if (tb[PVABI_POLICY_A_MAX_VERSION]) {
		u32 x = nla_get_u32(tb[PVABI_POLICY_A_MAX_VERSION]);

		pol.max = pvabi_version_unpack(x);
	}
	if (tb[PVABI_POLICY_A_FEATURES])
		pol.features = nla_get_u64(tb[PVABI_POLICY_A_FEATURES]);
	if (tb[PVABI_POLICY_A_PATCH_MODE])
		pol.patch_mode = nla_get_u32(tb[PVABI_POLICY_A_PATCH_MODE]);
	if (tb[PVABI_POLICY_A_DEFER_US])
		pol.defer_us = nla_get_u32(tb[PVABI_POLICY_A_DEFER_US]);
	if (tb[PVABI_POLICY_A_ENABLED])
		pol.enabled = nla_get_u32(tb[PVABI_POLICY_A_ENABLED]);
	if (pvabi_version_cmp(pol.min, pol.max) > 0) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[PVABI_A_VM_POLICY],
				    "minimum version above maximum");
		ret = -EINVAL;
	} else {
		revoke = vm->policy.enabled && !pol.enabled;
		vm->policy = pol;
		vm->policy_pushed = true;
	}
	mutex_unlock(&vm->lock);
	if (revoke)
		pvabi_region_revoke(vm);
	else if (!ret)
		pvabi_region_offer_changed(vm);
	if (!ret)
		pvabi_genl_event(PVABI_EVENT_POLICY_CHANGED, vm->id, -1);
	pvabi_vm_put(vm);
	return ret;
}

static int pvabi_inject_cmd(struct sk_buff *skb, struct genl_info *info)
{
	struct pvabi_vcpu *v;
	struct pvabi_vm *vm;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, PVABI_A_VCPU))
		return -EINVAL;
	vm = vm_from_info(info);
	if (IS_ERR(vm))
		return PTR_ERR(vm);
	v = pvabi_vm_get_vcpu(vm, nla_get_u32(info->attrs[PVABI_A_VCPU]));
	pvabi_vm_put(vm);
	if (!v) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[PVABI_A_VCPU],
				    "no such vCPU");
		return -ENOENT;
	}
	ret = pvabi_inject(v, info->attrs[PVABI_A_VECTOR] ?
			   nla_get_u32(info->attrs[PVABI_A_VECTOR]) : 0);
	pvabi_vcpu_put(v);
	return min(ret, 0);
}

/* The versions of a PVABI_A_OFFER nest; pvabi_offer_check() does the rest. */
static int parse_offer_versions(const struct nlattr *list,
				struct pvabi_offer *offer,
				struct netlink_ext_ack *extack)
{
	const struct nlattr *e;
	int rem;

	nla_for_each_nested(e, list, rem) {
		struct pvabi_version v;

		if (nla_len(e) != sizeof(u32)) {
			NL_SET_ERR_MSG_ATTR(extack, e, "a version is a u32");
			return -EINVAL;
		}
		if (offer->n_versions == PVABI_OFFER_MAX_VERSIONS) {
			NL_SET_ERR_MSG_ATTR(extack, e, "more than 16 versions");
			return -EINVAL;
		}
		v = pvabi_version_unpack(nla_get_u32(e));
		if (!v.major) {
			NL_SET_ERR_MSG_ATTR(extack, e, "major version 0");
			return -EINVAL;
		}
		if (v.major != PVABI_VERSION_MAJOR ||
		    v.minor > PVABI_VERSION_MINOR) {
			NL_SET_ERR_MSG_ATTR(extack, e,
					    "version not implemented by pvabi.ko");
			return -ERANGE;
		}
		offer->versions[offer->n_versions++] = v;
	}
	if (rem) {
		NL_SET_ERR_MSG_ATTR(extack, list, "trailing bytes in versions");
		return -EINVAL;
	}
	if (pvabi_offer_check(offer)) {
		NL_SET_ERR_MSG_ATTR(extack, list,
				    "no version, or one given twice");
		return -EINVAL;
	}
	return 0;
}

static int pvabi_set_offer(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[PVABI_OFFER_A_MAX + 1];
	struct pvabi_offer offer = {};
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, PVABI_A_OFFER))
		return -EINVAL;
	ret = nla_parse_nested(tb, PVABI_OFFER_A_MAX,
			       info->attrs[PVABI_A_OFFER], offer_policy,
			       info->extack);
	if (ret)
		return ret;
	if (NL_REQ_ATTR_CHECK(info->extack, info->attrs[PVABI_A_OFFER], tb,
			      PVABI_OFFER_A_VERSIONS) ||
	    NL_REQ_ATTR_CHECK(info->extack, info->attrs[PVABI_A_OFFER], tb,
			      PVABI_OFFER_A_FEATURES))
		return -EINVAL;
	ret = parse_offer_versions(tb[PVABI_OFFER_A_VERSIONS], &offer,
				   info->extack);
	if (ret)
		return ret;
	offer.features = nla_get_u64(tb[PVABI_OFFER_A_FEATURES]);
	pvabi_host_set_offer(&offer);
	return 0;
}

static int put_offer(struct sk_buff *skb, const struct pvabi_offer *offer)
{
	struct nlattr *nest, *list;
	u32 i;

	nest = nla_nest_start(skb, PVABI_A_OFFER);
	if (!nest)
		return -EMSGSIZE;
	list = nla_nest_start(skb, PVABI_OFFER_A_VERSIONS);
	if (!list)
		return -EMSGSIZE;
	for (i = 0; i < offer->n_versions; i++)
		if (put_version(skb, 0, offer->versions[i]))
			return -EMSGSIZE;
	nla_nest_end(skb, list);
	if (nla_put_u64_64bit(skb, PVABI_OFFER_A_FEATURES, offer->features,
			      PVABI_OFFER_A_UNSPEC))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int pvabi_get_offer(struct sk_buff *skb, struct genl_info *info)
{
	struct pvabi_offer offer;
	struct sk_buff *msg;
	u32 flags = 0;
	void *hdr;

	if (pvabi_host_offer(&offer))
		flags |= PVABI_HOST_F_OFFER_SET;
	if (pvabi_standalone())
		flags |= PVABI_HOST_F_STANDALONE;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &pvabi_family, 0,
				PVABI_CMD_GET_OFFER);
	if (!hdr || put_offer(msg, &offer) ||
	    nla_put_u32(msg, PVABI_A_FLAGS, flags)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static const struct genl_ops pvabi_ops[] = {
	{
		.cmd = PVABI_CMD_GET_VMS,
		.dumpit = pvabi_get_vms,
		.policy = get_vms_policy,
		.maxattr = PVABI_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = PVABI_CMD_SET_POLICY,
		.doit = pvabi_set_policy,
		.policy = set_policy_policy,
		.maxattr = PVABI_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = PVABI_CMD_INJECT,
		.doit = pvabi_inject_cmd,
		.policy = inject_policy,
		.maxattr = PVABI_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = PVABI_CMD_SET_OFFER,
		.doit = pvabi_set_offer,
		.policy = set_offer_policy,
		.maxattr = PVABI_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = PVABI_CMD_GET_OFFER,
		.doit = pvabi_get_offer,
		.policy = get_offer_policy,
		.maxattr = PVABI_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
};

static struct genl_family pvabi_family __ro_after_init = {
	.name = PVABI_GENL_NAME,
	.version = PVABI_GENL_VERSION,
	.maxattr = PVABI_A_MAX,
	.module = THIS_MODULE,
	.ops = pvabi_ops,
	.n_ops = ARRAY_SIZE(pvabi_ops),
	.mcgrps = pvabi_mcgrps,
	.n_mcgrps = ARRAY_SIZE(pvabi_mcgrps),
	.resv_start_op = PVABI_CMD_GET_VMS,
};

/*
 * What VM_CREATED and VCPU_NEGOTIATED carry besides the ids, read now (a
 * listener then needs no dump to act).  Nothing when the VM or vCPU went.
 */
static int put_event_details(struct sk_buff *skb, u32 event, u32 vm_id,
			     s64 vcpu)
{
	struct pvabi_vcpu_stats st;
	struct pvabi_vcpu *v = NULL;
	struct pvabi_vm *vm;
	u32 version;
	u64 features;
	int ret = 0;

	if (event != PVABI_EVENT_VM_CREATED &&
	    event != PVABI_EVENT_VCPU_NEGOTIATED)
		return 0;
	vm = pvabi_vm_get(vm_id);
	if (!vm)
		return 0;
	if (event == PVABI_EVENT_VM_CREATED) {
		if ((vm->name[0] &&
		     nla_put_string(skb, PVABI_A_VM_NAME, vm->name)) ||
		    (vm->has_uuid &&
		     nla_put(skb, PVABI_A_VM_UUID, PVABI_UUID_LEN, vm->uuid)))
			ret = -EMSGSIZE;
	} else if (vcpu >= 0) {
		v = pvabi_vm_get_vcpu(vm, vcpu);
	}
	pvabi_vm_put(vm);
	if (!v)
		return ret;
	pvabi_vcpu_stats(v, &st, &version, &features);
	pvabi_vcpu_put(v);
	if (version &&
	    (nla_put_u32(skb, PVABI_A_VERSION, version) ||
	     nla_put_u64_64bit(skb, PVABI_A_FEATURES, features,
			       PVABI_A_UNSPEC)))
		return -EMSGSIZE;
	return 0;
}

/*
 * Tell the "events" group; @vcpu < 0 for VM-wide events.  Best effort.
 * Called with no VM or vCPU lock held: it looks them up.
 */
void pvabi_genl_event(u32 event, u32 vm_id, s64 vcpu)
{
	struct sk_buff *skb;
	void *hdr;

	if (!genl_has_listeners(&pvabi_family, &init_net, MCGRP_EVENTS))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &pvabi_family, 0, PVABI_CMD_EVENT);
	if (!hdr || nla_put_u32(skb, PVABI_A_EVENT, event) ||
	    nla_put_u32(skb, PVABI_A_VM_ID, vm_id) ||
	    (vcpu >= 0 && nla_put_u32(skb, PVABI_A_VCPU, vcpu)) ||
	    put_event_details(skb, event, vm_id, vcpu)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast(&pvabi_family, skb, 0, MCGRP_EVENTS, GFP_KERNEL);
}

int __init pvabi_genl_init(void)
{
	return genl_register_family(&pvabi_family);
}

void pvabi_genl_exit(void)
{
	genl_unregister_family(&pvabi_family);
}
