// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Who may change settings.  When polkit runs, it decides, one action per kind
 * of change (org.pvabi.pvctl1.policy).  Otherwise root, or a member of the
 * configured group (pvabi), judged from the caller's credentials as the bus
 * reports them.
 */
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include "pvctld.h"

static int polkit_running(struct pvctld *c)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	int r, has = 0;

	r = sd_bus_call_method(c->bus, "org.freedesktop.DBus",
			       "/org/freedesktop/DBus", "org.freedesktop.DBus",
			       "NameHasOwner", NULL, &reply, "s",
			       "org.freedesktop.PolicyKit1");
	if (r >= 0)
		r = sd_bus_message_read(reply, "b", &has);
	return r < 0 ? 0 : has;
}

static int polkit_check(struct pvctld *c, sd_bus_message *m, const char *action,
			sd_bus_error *error)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	int r, authorized = 0, challenge = 0;
	/* CheckAuthorizationFlags: AllowUserInteraction = 1 */
	unsigned int flags =
		sd_bus_message_get_allow_interactive_authorization(m) ? 1 : 0;

	r = sd_bus_call_method(
		c->bus, "org.freedesktop.PolicyKit1",
		"/org/freedesktop/PolicyKit1/Authority",
		"org.freedesktop.PolicyKit1.Authority", "CheckAuthorization",
		error, &reply, "(sa{sv})sa{ss}us", "system-bus-name", 1, "name",
		"s", sd_bus_message_get_sender(m), action, 0, flags, "");
	if (r < 0)
		return r;
	r = sd_bus_message_enter_container(reply, 'r', "bba{ss}");
	if (r >= 0)
		r = sd_bus_message_read(reply, "bb", &authorized, &challenge);
	if (r < 0)
		return r;
	if (authorized)
		return 1;
	if (challenge)
		return sd_bus_error_setf(
			error, SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED,
			"%s needs authentication", action);
	return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
				 "not authorized for %s", action);
}

static bool in_group(sd_bus_creds *creds, uid_t uid, gid_t group)
{
	const gid_t *gids;
	gid_t gid, list[256];
	int n = 256;
	struct passwd *pw;

	if (group == (gid_t)-1)
		return false;
	if (sd_bus_creds_get_egid(creds, &gid) >= 0 && gid == group)
		return true;
	n = sd_bus_creds_get_supplementary_gids(creds, &gids);
	if (n >= 0) {
		for (int i = 0; i < n; i++)
			if (gids[i] == group)
				return true;
		return false;
	}
	/* The bus did not say: the groups the account is in. */
	pw = getpwuid(uid);
	n = 256;
	if (!pw || getgrouplist(pw->pw_name, pw->pw_gid, list, &n) < 0)
		return false;
	for (int i = 0; i < n; i++)
		if (list[i] == group)
			return true;
	return false;
}

static int creds_check(struct pvctld *c, sd_bus_message *m, const char *action,
		       sd_bus_error *error)
{
	_cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
	uid_t uid;
	int r;

	r = sd_bus_query_sender_creds(m,
				      SD_BUS_CREDS_EUID | SD_BUS_CREDS_EGID |
					      SD_BUS_CREDS_SUPPLEMENTARY_GIDS |
					      SD_BUS_CREDS_AUGMENT,
				      &creds);
	if (r < 0)
		return r;
	r = sd_bus_creds_get_euid(creds, &uid);
	if (r < 0)
		return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
					 "cannot tell who is calling");
	if (uid == 0 || in_group(creds, uid, c->group))
		return 1;
	return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
				 "%s needs root or group %s (caller uid %u)",
				 action, c->config.group, (unsigned int)uid);
}

int auth_check(struct pvctld *c, sd_bus_message *m, const char *action,
	       sd_bus_error *error)
{
	if (polkit_running(c))
		return polkit_check(c, m, action, error);
	return creds_check(c, m, action, error);
}
