// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Who may do what (pvctld(8), AUTHORIZATION).
 *
 * When polkit is installed - its bus name has an owner or is activatable -
 * polkit decides every call, one action per kind (org.pvabi.pvctl1.policy),
 * and is started by the bus if need be; any error from it is a denial.  Only
 * when it is absent: reading is open, and a change needs root or a member of
 * the configured group.  Both are judged from the UID the bus attests
 * (GetConnectionCredentials' UnixUserID, which the bus took from the socket
 * when the caller connected) and from the group database, never from
 * /proc/PID at check time, where a caller could have exec'd a setgid program
 * or let its PID be reused since it called.
 *
 * The answers come asynchronously, as systemd's bus_verify_polkit_async()
 * does it: the first auth_check() for a call sends the question and the
 * method handler returns; when the answer arrives, the call is queued for the
 * handler again, whose auth_check() then finds the verdict.  Other callers
 * are served meanwhile, however long polkit (or the user it asks) takes.
 */
#include <grp.h>
#include <stdarg.h>
#include <pwd.h>
#include <unistd.h>

#include "pvctld.h"

#define POLKIT_NAME "org.freedesktop.PolicyKit1"
#define DBUS_NAME   "org.freedesktop.DBus"
#define DBUS_PATH   "/org/freedesktop/DBus"

struct auth_query {
	struct auth_query *next;
	struct pvctld *c;
	sd_bus_message *request;
	char *action;
	sd_bus_slot *slot;	 /* the question, while it is out */
	sd_event_source *forget; /* frees the query once the call ran again */
	int verdict;		 /* 0 while asking, 1 allowed, -EACCES denied */
	sd_bus_error error;	 /* why, when denied */
};

static void query_free(struct auth_query *q)
{
	struct auth_query **p = &q->c->auth_queries;

	while (*p && *p != q)
		p = &(*p)->next;
	if (*p)
		*p = q->next;
	sd_bus_slot_unref(q->slot);
	sd_event_source_disable_unref(q->forget);
	sd_bus_message_unref(q->request);
	sd_bus_error_free(&q->error);
	free(q->action);
	free(q);
}

static int forget(sd_event_source *s, void *data)
{
	(void)s;
	query_free(data);
	return 0;
}

static void deny(struct auth_query *q, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void deny(struct auth_query *q, const char *name, const char *fmt, ...)
{
	va_list ap;

	q->verdict = -EACCES;
	va_start(ap, fmt);
	sd_bus_error_setfv(&q->error, name, fmt, ap);
	va_end(ap);
}

/* The verdict is in: run the call again (it finds the verdict), and forget
 * the query at idle priority, after the bus has dispatched the call. */
static int requeue(struct auth_query *q)
{
	struct pvctld *c = q->c;
	int r;

	q->slot = sd_bus_slot_unref(q->slot);
	r = sd_event_add_defer(c->event, &q->forget, forget, q);
	if (r >= 0)
		r = sd_event_source_set_priority(q->forget,
						 SD_EVENT_PRIORITY_IDLE);
	if (r >= 0)
		r = sd_bus_message_rewind(q->request, 1);
	if (r >= 0)
		r = sd_bus_enqueue_for_read(c->bus, q->request);
	if (r < 0) {
		log_error_errno(r, "cannot resume a call after authorization");
		sd_bus_reply_method_errno(q->request, r, NULL);
		query_free(q);
	}
	return 0;
}

/* The details of polkit's answer (its reason, e.g. polkit.dismissed), as
 * " (polkit: KEY=VALUE, ...)", or "" when it gave none. */
static int details_text(sd_bus_message *reply, char *buf, size_t len)
{
	const char *k, *v;
	size_t n = 0;
	int r;

	buf[0] = 0;
	r = sd_bus_message_enter_container(reply, 'a', "{ss}");
	while (r >= 0 && (r = sd_bus_message_read(reply, "{ss}", &k, &v)) > 0)
		if (n < len)
			n += (size_t)snprintf(buf + n, len - n, "%s%s=%s",
					      n ? ", " : " (polkit: ", k, v);
	if (n && n + 2 < len)
		strcat(buf, ")");
	return r;
}

static int polkit_answered(sd_bus_message *reply, void *data,
			   sd_bus_error *ret_error)
{
	struct auth_query *q = data;
	const sd_bus_error *e = sd_bus_message_get_error(reply);
	int r, authorized = 0, challenge = 0;
	char details[256];

	(void)ret_error;
	if (e) {
		/* Not "absent, so the group rule": polkit is there and
		 * failed, or did not answer in time. */
		deny(q, SD_BUS_ERROR_ACCESS_DENIED,
		     "%s: polkit did not decide (%s), so no", q->action,
		     e->message ? e->message : e->name);
		return requeue(q);
	}
	r = sd_bus_message_enter_container(reply, 'r', "bba{ss}");
	if (r >= 0)
		r = sd_bus_message_read(reply, "bb", &authorized, &challenge);
	if (r >= 0)
		r = details_text(reply, details, sizeof(details));
	if (r < 0)
		deny(q, SD_BUS_ERROR_ACCESS_DENIED,
		     "%s: polkit's answer is unreadable (%s), so no", q->action,
		     strerror(-r));
	else if (authorized)
		q->verdict = 1;
	else if (challenge)
		deny(q, SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED,
		     "%s needs authentication%s", q->action, details);
	else
		deny(q, SD_BUS_ERROR_ACCESS_DENIED, "not authorized for %s%s",
		     q->action, details);
	return requeue(q);
}

/* Is the account of @uid in @group: its primary group, or listed in the
 * group database?  What the caller's process holds does not count. */
static bool account_in_group(uid_t uid, gid_t group)
{
	struct passwd pw, *found = NULL;
	char buf[4096];
	gid_t *list = NULL;
	int n = 64, want;
	bool in = false;

	if (group == (gid_t)-1 ||
	    getpwuid_r(uid, &pw, buf, sizeof(buf), &found) || !found)
		return false;
	if (pw.pw_gid == group)
		return true;
	for (;;) {
		list = calloc((size_t)n, sizeof(*list));
		if (!list)
			return false;
		want = n;
		if (getgrouplist(pw.pw_name, pw.pw_gid, list, &want) >= 0)
			break;
		free(list);
		if (want <= n)
			return false;
		n = want;
	}
	for (int i = 0; i < want && !in; i++)
		in = list[i] == group;
	free(list);
	return in;
}

/* UnixUserID from GetConnectionCredentials' a{sv}: 1, 0 absent, or -errno. */
static int attested_uid(sd_bus_message *reply, uint32_t *uid)
{
	const char *key;
	int r, found = 0;

	r = sd_bus_message_enter_container(reply, 'a', "{sv}");
	while (r >= 0 &&
	       (r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
		r = sd_bus_message_read(reply, "s", &key);
		if (r >= 0 && !strcmp(key, "UnixUserID")) {
			r = sd_bus_message_read(reply, "v", "u", uid);
			found = 1;
		} else if (r >= 0)
			r = sd_bus_message_skip(reply, "v");
		if (r >= 0)
			r = sd_bus_message_exit_container(reply);
	}
	return r < 0 ? r : found;
}

static int creds_answered(sd_bus_message *reply, void *data,
			  sd_bus_error *ret_error)
{
	struct auth_query *q = data;
	uint32_t uid = 0;
	int r;

	(void)ret_error;
	r = sd_bus_message_is_method_error(reply, NULL)
		    ? -EIO
		    : attested_uid(reply, &uid);
	if (r <= 0) {
		deny(q, SD_BUS_ERROR_ACCESS_DENIED,
		     "%s: the bus does not say who is calling", q->action);
		return requeue(q);
	}
	if (uid == 0 || account_in_group(uid, q->c->group))
		q->verdict = 1;
	else
		deny(q, SD_BUS_ERROR_ACCESS_DENIED,
		     "%s needs root or group %s (caller uid %u)", q->action,
		     q->c->config.group, (unsigned int)uid);
	return requeue(q);
}

static struct auth_query *query_find(struct pvctld *c, sd_bus_message *m)
{
	for (struct auth_query *q = c->auth_queries; q; q = q->next)
		if (q->request == m)
			return q;
	return NULL;
}

/* Send the question that decides @m's @action; 1, or -errno. */
static int ask(struct pvctld *c, sd_bus_message *m, const char *action,
	       bool polkit)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
	const char *sender = sd_bus_message_get_sender(m);
	struct auth_query *q;
	/* CheckAuthorizationFlags: AllowUserInteraction = 1 */
	unsigned int flags =
		sd_bus_message_get_allow_interactive_authorization(m) > 0;
	int r;

	if (!sender)
		return -EBADMSG;
	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	q->c = c;
	q->request = sd_bus_message_ref(m);
	q->action = strdup(action);
	q->next = c->auth_queries;
	c->auth_queries = q;
	if (!q->action) {
		query_free(q);
		return -ENOMEM;
	}
	if (polkit)
		r = sd_bus_message_new_method_call(
			c->bus, &call, POLKIT_NAME,
			"/org/freedesktop/PolicyKit1/Authority",
			"org.freedesktop.PolicyKit1.Authority",
			"CheckAuthorization");
	else
		r = sd_bus_message_new_method_call(c->bus, &call, DBUS_NAME,
						   DBUS_PATH, DBUS_NAME,
						   "GetConnectionCredentials");
	if (r >= 0 && polkit)
		r = sd_bus_message_append(call, "(sa{sv})sa{ss}us",
					  "system-bus-name", 1, "name", "s",
					  sender, action, 0, flags, "");
	else if (r >= 0)
		r = sd_bus_message_append(call, "s", sender);
	/* The bus starts polkit if it is activatable and not running. */
	if (r >= 0)
		r = sd_bus_call_async(c->bus, &q->slot, call,
				      polkit ? polkit_answered : creds_answered,
				      q, 0);
	if (r < 0) {
		query_free(q);
		return r;
	}
	return 1;
}

static bool polkit_installed(struct pvctld *c)
{
	return c->polkit_owned || c->polkit_activatable;
}

int auth_check(struct pvctld *c, sd_bus_message *m, const char *action,
	       sd_bus_error *error)
{
	struct auth_query *q = query_find(c, m);
	int r;

	if (q && q->verdict && !strcmp(q->action, action)) {
		if (q->verdict > 0)
			return 0;
		sd_bus_error_copy(error, &q->error);
		return -EACCES;
	}
	if (q)
		return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
					 "%s: authorization still pending",
					 action);
	if (!polkit_installed(c) && !strcmp(action, AUTH_ACTION_READ))
		return 0;
	r = ask(c, m, action, polkit_installed(c));
	if (r < 0)
		return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
					 "%s: cannot ask who may (%s)", action,
					 strerror(-r));
	return 1;
}

/* The names the bus can start; -errno if it will not say. */
static int activatable_answered(sd_bus_message *reply, void *data,
				sd_bus_error *ret_error)
{
	struct pvctld *c = data;
	char **names = NULL;
	bool found = false;

	(void)ret_error;
	c->activatable_slot = sd_bus_slot_unref(c->activatable_slot);
	/* If the bus will not say, assume polkit is there: asking it and
	 * failing denies, where the group rule might allow. */
	if (sd_bus_message_is_method_error(reply, NULL) ||
	    sd_bus_message_read_strv(reply, &names) < 0) {
		c->polkit_activatable = true;
		return 0;
	}
	for (char **n = names; *n; n++) {
		found |= !strcmp(*n, POLKIT_NAME);
		free(*n);
	}
	free(names);
	c->polkit_activatable = found;
	return 0;
}

static int activatable_requery(struct pvctld *c)
{
	c->activatable_slot = sd_bus_slot_unref(c->activatable_slot);
	return sd_bus_call_method_async(
		c->bus, &c->activatable_slot, DBUS_NAME, DBUS_PATH, DBUS_NAME,
		"ListActivatableNames", activatable_answered, c, NULL);
}

static int owner_changed(sd_bus_message *m, void *data, sd_bus_error *e)
{
	struct pvctld *c = data;
	const char *name, *old, *owner;

	(void)e;
	if (sd_bus_message_read(m, "sss", &name, &old, &owner) < 0)
		return 0;
	c->polkit_owned = *owner;
	/* Gone: uninstalled, or only stopped until the bus starts it again. */
	if (!*owner)
		activatable_requery(c);
	return 0;
}

static int activatable_changed(sd_bus_message *m, void *data, sd_bus_error *e)
{
	(void)m;
	(void)e;
	activatable_requery(data);
	return 0;
}

int auth_setup(struct pvctld *c)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	int r, owned = 0;

	/* Follow polkit coming and going rather than asking the bus on
	 * every call.  The matches come first, so no change is missed. */
	r = sd_bus_add_match(c->bus, NULL,
			     "type='signal',sender='" DBUS_NAME
			     "',path='" DBUS_PATH "',interface='" DBUS_NAME
			     "',member='NameOwnerChanged',arg0='" POLKIT_NAME
			     "'",
			     owner_changed, c);
	if (r >= 0)
		r = sd_bus_add_match(c->bus, NULL,
				     "type='signal',sender='" DBUS_NAME
				     "',path='" DBUS_PATH
				     "',interface='" DBUS_NAME
				     "',member='ActivatableServicesChanged'",
				     activatable_changed, c);
	if (r < 0)
		return log_error_errno(r, "cannot follow polkit on the bus");
	r = sd_bus_call_method(c->bus, DBUS_NAME, DBUS_PATH, DBUS_NAME,
			       "NameHasOwner", NULL, &reply, "s", POLKIT_NAME);
	if (r >= 0)
		r = sd_bus_message_read(reply, "b", &owned);
	c->polkit_owned = r < 0 || owned;
	reply = sd_bus_message_unref(reply);
	r = sd_bus_call_method(c->bus, DBUS_NAME, DBUS_PATH, DBUS_NAME,
			       "ListActivatableNames", NULL, &reply, NULL);
	if (r < 0)
		c->polkit_activatable = true;
	else
		activatable_answered(reply, c, NULL);
	if (polkit_installed(c))
		log_msg("polkit decides who may read and change settings");
	else
		log_msg("no polkit: reading is open, root and group %s may "
			"change settings",
			c->config.group);
	return 0;
}

void auth_done(struct pvctld *c)
{
	while (c->auth_queries) {
		struct auth_query *q = c->auth_queries;

		/* Unlinked here rather than by query_free()'s search of
		 * q->c's list: scan-build cannot know that q->c is c, so it
		 * took the loop for a use after free. */
		c->auth_queries = q->next;
		query_free(q);
	}
	c->activatable_slot = sd_bus_slot_unref(c->activatable_slot);
}
