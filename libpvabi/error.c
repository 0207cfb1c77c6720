// SPDX-License-Identifier: LGPL-2.1-or-later
#include <stdarg.h>
#include <stdio.h>

#include "pvabi/pvabi.h"
#include "export.h"

static const struct {
	int code;
	const char *name;
	const char *text;
} errors[] = {
	{PVABI_E_INVAL, "invalid-argument", "invalid argument"},
	{PVABI_E_NOSPACE, "no-space", "output buffer too small"},
	{PVABI_E_NOMEM, "no-memory", "out of memory"},
	{PVABI_E_BADMAGIC, "bad-magic", "bad magic number"},
	{PVABI_E_TRUNCATED, "truncated", "input truncated or size overflow"},
	{PVABI_E_MALFORMED, "malformed", "malformed input"},
	{PVABI_E_BADVERSION, "bad-version", "invalid version number"},
	{PVABI_E_BADADDR, "bad-address",
	 "page address is zero, misaligned or reused"},
	{PVABI_E_RESERVED, "reserved-bits", "reserved bits are set"},
	{PVABI_E_CHECKSUM, "bad-checksum", "checksum mismatch"},
	{PVABI_E_NOTFOUND, "not-found", "required item not found"},
	{PVABI_E_NOVERSION, "no-common-version",
	 "no ABI version is supported by both sides"},
	{PVABI_E_NOFEATURE, "feature-missing",
	 "a required feature is not offered"},
	{PVABI_E_UNSUPPORTED, "unsupported", "not supported"},
	{PVABI_E_POLICY, "denied-by-policy", "refused by policy"},
	{PVABI_E_BUSY, "busy", "queue full, try again later"},
};

PVABI_EXPORT const char *pvabi_strerror(int err)
{
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
		if (errors[i].code == err)
			return errors[i].text;
	return err == 0 ? "success" : "unknown error";
}

PVABI_EXPORT const char *pvabi_errname(int err)
{
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
		if (errors[i].code == err)
			return errors[i].name;
	return err == 0 ? "ok" : "unknown";
}

PVABI_EXPORT void pvabi_why_printf(char *why, size_t whylen, const char *fmt,
				   ...)
{
	va_list ap;

	if (!why || !whylen)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	for (char *p = why; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}
