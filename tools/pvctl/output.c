// SPDX-License-Identifier: GPL-2.0-or-later
/* pvctl: the one refusal shape and the one way to write a file (pvctl.h). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pvctl.h"

bool pvctl_json_mode;

static const char *default_name(int code)
{
	switch (code) {
	case PVCTL_REFUSED: return "refused";
	case PVCTL_UNREACHABLE: return "unavailable";
	default: return "bad-usage";
	}
}

static int __attribute__((format(printf, 4, 0)))
vrefuse(int code, const char *name, struct json_object *extra, const char *fmt,
	va_list ap)
{
	char msg[1024];
	struct json_object *o;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* One line, whatever a message quotes (a file name, a peer's text). */
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	if (!pvctl_json_mode) {
		json_object_put(extra);
		fprintf(stderr, "%s: %s\n", pvctl_prog, msg);
		return code;
	}
	o = json_object_new_object();
	json_object_object_add(o, "ok", json_object_new_boolean(false));
	json_object_object_add(
		o, "error",
		json_object_new_string(name ? name : default_name(code)));
	json_object_object_add(o, "message", json_object_new_string(msg));
	if (extra) {
		struct json_object_iterator it = json_object_iter_begin(extra);
		struct json_object_iterator end = json_object_iter_end(extra);

		for (; !json_object_iter_equal(&it, &end);
		     json_object_iter_next(&it))
			json_object_object_add(
				o, json_object_iter_peek_name(&it),
				json_object_get(
					json_object_iter_peek_value(&it)));
		json_object_put(extra);
	}
	pvctl_json_print(o);
	return code;
}

void pvctl_refuse_print(int code, const char *name, struct json_object *extra,
			const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vrefuse(code, name, extra, fmt, ap);
	va_end(ap);
}

/*
 * What glibc's getopt_long leaves behind on '?': optopt 0 for an unknown
 * long option, else the option's value; argv[optind - 1] is the long option
 * as given.
 */
int pvctl_bad_option(const char *cmd, char *const *argv, const char *shortopts)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "";

	if (!optopt)
		return pvctl_usage_error("%s: unknown option '%s'", cmd, arg);
	if (!strncmp(arg, "--", 2))
		return pvctl_usage_error(
			strchr(arg, '=') ? "%s: option '%s' takes no value"
					 : "%s: option '%s' needs a value",
			cmd, arg);
	if (optopt > ' ' && optopt < 0x7f && strchr(shortopts, optopt))
		return pvctl_usage_error("%s: option '-%c' needs a value", cmd,
					 optopt);
	if (optopt > ' ' && optopt < 0x7f)
		return pvctl_usage_error("%s: unknown option '-%c'", cmd,
					 optopt);
	return pvctl_usage_error("%s: bad option '%s'", cmd, arg);
}

void pvctl_append(char *buf, size_t len, const char *sep, const char *item)
{
	size_t n = strnlen(buf, len);

	if (n + 1 < len)
		snprintf(buf + n, len - n, "%s%s", n ? sep : "", item);
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? errno : ENOSPC;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int io_error(const char *path, int err)
{
	return pvctl_refuse(PVCTL_USAGE, "io-error", NULL, "%s: %s", path,
			    strerror(err));
}

/* A device or FIFO: it cannot be replaced, only written. */
static int write_in_place(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	int err;

	if (fd < 0)
		return io_error(path, errno);
	err = write_all(fd, data, len);
	if (close(fd) && !err)
		err = errno;
	return err ? io_error(path, err) : PVCTL_OK;
}

/*
 * A temporary beside the target, renamed over it once complete: a refused,
 * short or interrupted write never leaves a truncated image, blob or stream
 * where the old one was (or where a caller would take it for the result).
 * The target is the file a symbolic link points at, and it keeps its mode;
 * a new file gets the one the umask allows.
 */
int pvctl_write_file(const char *path, const void *data, size_t len)
{
	char *target = NULL, *tmp = NULL;
	struct stat st;
	mode_t mode;
	int fd, err = 0;

	if (!strcmp(path, "-")) {
		fflush(stdout);
		err = write_all(STDOUT_FILENO, data, len);
		return err ? io_error(path, err) : PVCTL_OK;
	}
	if (!stat(path, &st)) {
		if (!S_ISREG(st.st_mode))
			return write_in_place(path, data, len);
		mode = st.st_mode & 07777;
		target = realpath(path, NULL);
	} else {
		mode = umask(0);
		umask(mode);
		mode = 0666 & ~mode;
		target = strdup(path);
	}
	if (!target || asprintf(&tmp, "%s.XXXXXX", target) < 0) {
		err = errno ? errno : ENOMEM;
		tmp = NULL;
		goto out;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		goto out;
	}
	err = write_all(fd, data, len);
	if (!err && (fchmod(fd, mode) || fsync(fd)))
		err = errno;
	if (close(fd) && !err)
		err = errno;
	if (!err && rename(tmp, target))
		err = errno;
	if (err)
		unlink(tmp);
out:
	free(tmp);
	free(target);
	return err ? io_error(path, err) : PVCTL_OK;
}
