/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pvabi/pvabi.h - libpvabi, the user-space library.
 *
 * Include this one header.  It brings the freestanding ABI (abi.h, access.h,
 * error.h, negotiate.h) and declares what libpvabi adds for user space:
 * error text, the field and feature tables, the text forms that pvctl, pvctld
 * and configuration files share, and device-tree discovery.
 *
 * Conventions: functions return 0 (or a count) on success and a negative
 * PVABI_E_* code on failure.  Parsers of text take an optional buffer @why
 * (may be NULL) that receives one line saying what was wrong, quoting the bad
 * value (pvabi_why() below writes it).  Every function appeared in libpvabi
 * 1.0 (LIBPVABI_1 in libpvabi.sym) unless it says otherwise.
 */
#ifndef PVABI_PVABI_H
#define PVABI_PVABI_H

#include <stddef.h>
#include <stdbool.h>

#include "abi.h"
#include "access.h"
#include "delivery.h"
#include "error.h"
#include "negotiate.h"
#include "state.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------ errors */

/**
 * pvabi_strerror - one sentence for an error code ("no ABI version ...")
 * Returns a static string; "unknown error" for codes not listed.
 */
const char *pvabi_strerror(int err);

/**
 * pvabi_errname - a stable machine name for an error code, as used in JSON
 * output ("no-common-version"); "unknown" for codes not listed.
 */
const char *pvabi_errname(int err);

/**
 * pvabi_why_printf - write one line saying what was wrong into a caller's
 * buffer
 * @why: the buffer, or NULL: then nothing is written
 * @whylen: its size in bytes; 0: nothing is written
 * @fmt: printf-style format of the line, followed by its arguments
 *
 * The line is cut to fit and always terminated.  Bytes below 0x20 and 0x7f
 * become '?': the line quotes untrusted input, and a control character in it
 * could end the line or drive the terminal of whoever reads the log.
 * libpvabi's parsers fill
 * their @why this way; programs built on libpvabi use it (or pvabi_why()) so
 * that their parsers say what was wrong the same way.  Since 1.1.
 */
void pvabi_why_printf(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/**
 * pvabi_why - pvabi_why_printf(@why, @whylen, ...), then evaluate to @err
 *
 * For "return pvabi_why(PVABI_E_INVAL, why, whylen, "'%s' ...", s);".  A
 * macro rather than a function so that static analyzers see that the value
 * is @err (an out-of-line function looks as if it might return 0).  Since
 * 1.1.
 */
#define pvabi_why(err, why, whylen, ...)                                       \
	(pvabi_why_printf((why), (whylen), __VA_ARGS__), (err))

/* -------------------------------------------------- layout and features */

struct pvabi_field {
	const char *name; /* "dlv.critical", "arch.sprg" */
	pvabi_u32 offset; /* bytes from the start of its page */
	pvabi_u32 size;	  /* bytes */
	struct pvabi_version since;
	pvabi_u64 feature; /* PVABI_F_* that enables it, or 0 */
	bool notify_page;  /* on the notification page, not the magic page */
	bool reserved;	   /* reserved space, zero */
};

/**
 * pvabi_layout - every field and reserved range of both pages, in order
 * @n: receives the number of entries
 * Returns a static table that covers each page exactly, without gaps.
 */
const struct pvabi_field *pvabi_layout(size_t *n);

struct pvabi_feature_info {
	const char *name; /* "notify" */
	pvabi_u64 bit;	  /* PVABI_F_NOTIFY */
	struct pvabi_version since;
	const char *summary;
};

/** pvabi_features - the defined feature bits, in bit order */
const struct pvabi_feature_info *pvabi_features(size_t *n);

/* -------------------------------------------------------- text forms */

/**
 * pvabi_version_parse - parse "MAJOR.MINOR" (decimal, major >= 1,
 * each at most 65535)
 * Returns 0 or PVABI_E_BADVERSION.
 */
int pvabi_version_parse(const char *text, struct pvabi_version *v, char *why,
			size_t whylen);

/**
 * pvabi_version_list_parse - parse "1.0,1.2,2.0" into an offer's versions
 * (n_versions and versions[]; floor and features are left alone)
 * Returns 0, PVABI_E_BADVERSION (quoting the bad item) or PVABI_E_MALFORMED
 * (empty item, duplicate, more than PVABI_OFFER_MAX_VERSIONS).
 */
int pvabi_version_list_parse(const char *text, struct pvabi_offer *offer,
			     char *why, size_t whylen);

/**
 * pvabi_version_range_parse - parse "1.0-1.3" or a single "1.2"
 * (lo == hi) into an inclusive range
 * Returns 0, PVABI_E_BADVERSION or PVABI_E_MALFORMED (lo above hi).
 */
int pvabi_version_range_parse(const char *text, struct pvabi_version *lo,
			      struct pvabi_version *hi, char *why,
			      size_t whylen);

/* Bytes that always hold pvabi_version_range_format()'s and
 * pvabi_version_list_format()'s text, the terminating NUL included.
 */
#define PVABI_VERSION_RANGE_TEXT_MAX 24 /* "65535.65535-65535.65535" */
#define PVABI_VERSION_LIST_TEXT_MAX  (PVABI_OFFER_MAX_VERSIONS * 12)

/**
 * pvabi_version_range_format - write "1.0-1.3", or "1.2" when @lo equals @hi
 * @lo: the lowest version of the inclusive range
 * @hi: the highest
 * @buf: output, PVABI_VERSION_RANGE_TEXT_MAX bytes always suffice
 * @len: size of @buf in bytes
 *
 * The text is what pvabi_version_range_parse() reads back.  On failure @buf
 * holds "" (if @len allows).
 * Returns the length written, PVABI_E_INVAL (@buf NULL) or PVABI_E_NOSPACE
 * (@len too small, 0 included).  Since 1.1.
 */
int pvabi_version_range_format(struct pvabi_version lo, struct pvabi_version hi,
			       char *buf, size_t len);

/**
 * pvabi_version_list_format - write an offer's versions as "1.0,1.2"
 * @offer: only n_versions and versions[] are read; 0 versions give ""
 * @buf: output, PVABI_VERSION_LIST_TEXT_MAX bytes always suffice
 * @len: size of @buf in bytes
 *
 * The text is what pvabi_version_list_parse() reads back.  On failure @buf
 * holds "" (if @len allows).
 * Returns the length written, PVABI_E_INVAL (a NULL pointer, or n_versions
 * above PVABI_OFFER_MAX_VERSIONS) or PVABI_E_NOSPACE (@len too small, 0
 * included).  Since 1.1.
 */
int pvabi_version_list_format(const struct pvabi_offer *offer, char *buf,
			      size_t len);

/**
 * pvabi_u64_parse - parse an unsigned integer within [@min, @max]
 * @text: decimal, or hexadecimal after "0x" or "0X"; nothing else: no sign,
 *        no space, and a leading 0 does not mean octal
 * @min: the lowest value accepted
 * @max: the highest value accepted
 * @out: receives the value; untouched on failure
 * @why: optional; receives "'12x' is not a number in 1..64"
 * @whylen: size of @why
 *
 * The one integer form of options and configuration text.
 * Returns 0, or PVABI_E_INVAL (a NULL pointer, @min above @max, or @text
 * not such a number or outside the range).  Since 1.1.
 */
int pvabi_u64_parse(const char *text, pvabi_u64 min, pvabi_u64 max,
		    pvabi_u64 *out, char *why, size_t whylen);

/**
 * pvabi_features_parse - parse "notify,booke" (names from pvabi_features();
 * "" and "none" mean no feature, "all" every defined feature)
 * Returns 0 or PVABI_E_INVAL quoting the unknown name.
 */
int pvabi_features_parse(const char *text, pvabi_u64 *mask, char *why,
			 size_t whylen);

/**
 * pvabi_features_format - write "notify,booke" for @mask into @buf; bits
 * without a name are written as "bit42"
 * Returns the length written, PVABI_E_INVAL (@buf NULL) or PVABI_E_NOSPACE
 * (@len too small, 0 included).
 */
int pvabi_features_format(pvabi_u64 mask, char *buf, size_t len);

/**
 * pvabi_negotiate_explain - one line saying why pvabi_negotiate() refused
 * @err: what pvabi_negotiate() returned for @offer and @req
 * Writes e.g. "guest range 2.0-2.9 and host offer 1.0,1.2 share no version".
 * Returns the length written, PVABI_E_INVAL (a NULL pointer) or
 * PVABI_E_NOSPACE (@len too small, 0 included).
 */
int pvabi_negotiate_explain(const struct pvabi_offer *offer,
			    const struct pvabi_request *req, int err, char *buf,
			    size_t len);

/* ------------------------------------------- device-tree discovery */

/*
 * The host describes its offer in a /hypervisor node, as ePAPR guests
 * expect (the binding is pvabi(7), NEGOTIATION; tests/data/bad-dtb/ holds
 * the nodes a reader refuses):
 *
 *   hypervisor {
 *       compatible = "pvabi,hypervisor-1", "epapr,hypervisor-1";
 *       hcall-instructions = <...>;           ePAPR: the hypercall sequence
 *       pvabi,versions = <1 0>, <1 2>, ...;   (major, minor) pairs
 *       pvabi,min-version = <1 0>;            optional: the offer's floor
 *       pvabi,features = /bits/ 64 <0x21>;    PVABI_F_* mask
 *   };
 */

/**
 * pvabi_fdt_write_offer - build a minimal device tree holding @offer
 * @buf, @len: output buffer for the flattened tree
 * Returns the size of the blob, PVABI_E_INVAL (invalid offer) or
 * PVABI_E_NOSPACE.
 */
int pvabi_fdt_write_offer(const struct pvabi_offer *offer, void *buf,
			  size_t len);

/**
 * pvabi_fdt_add_offer - add (or replace) the /hypervisor node in an
 * existing tree @fdt of capacity @len
 * The tree may be untrusted: it is checked in full before it is changed.
 * Returns 0, PVABI_E_INVAL, PVABI_E_MALFORMED (not a valid tree of
 * version 17 or later) or PVABI_E_NOSPACE.
 */
int pvabi_fdt_add_offer(void *fdt, size_t len, const struct pvabi_offer *offer);

/**
 * pvabi_fdt_read_offer - read the offer from an untrusted blob
 * @blob, @len: the whole blob as received, at any alignment (a misaligned
 *              blob is copied first); nothing past @len is read
 * The blob is checked in full before any property is looked at.
 * Returns 0, or PVABI_E_TRUNCATED, PVABI_E_BADMAGIC, PVABI_E_MALFORMED (not
 * a valid tree of version 17 or later, or a property of the wrong size),
 * PVABI_E_NOTFOUND (no /hypervisor node, not pvabi-compatible, or no
 * pvabi,versions), PVABI_E_BADVERSION, PVABI_E_NOMEM (copying a misaligned
 * blob); @why says which property was wrong.
 */
int pvabi_fdt_read_offer(const void *blob, size_t len,
			 struct pvabi_offer *offer, char *why, size_t whylen);

#ifdef __cplusplus
}
#endif

#endif /* PVABI_PVABI_H */
