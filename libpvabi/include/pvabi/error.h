/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * pvabi/error.h - error codes shared by every libpvabi function.
 *
 * Freestanding.  Functions return 0 (or a count) on success and one of these
 * negative codes on failure.  Codes are grouped: a bad parameter from the
 * caller (-1..-9), bad input from the other side (-10..-19), a refusal or
 * something not supported (-20..-29).  A code keeps its number and meaning
 * forever; new codes are appended to their group.  pvabi_strerror() and
 * pvabi_errname() (pvabi/pvabi.h) turn them into text.
 */
#ifndef PVABI_ERROR_H
#define PVABI_ERROR_H

enum pvabi_error {
	/* The caller's parameters are wrong. */
	PVABI_E_INVAL = -1,   /* a parameter is out of range or NULL */
	PVABI_E_NOSPACE = -2, /* the output buffer is too small */
	PVABI_E_NOMEM = -3,   /* out of memory */

	/* The input from the other side (guest, blob, file, peer) is bad. */
	PVABI_E_BADMAGIC = -10,   /* wrong magic number */
	PVABI_E_TRUNCATED = -11,  /* input ends early or a size overflows */
	PVABI_E_MALFORMED = -12,  /* structure is inconsistent */
	PVABI_E_BADVERSION = -13, /* a version number is invalid */
	PVABI_E_BADADDR = -14,    /* a page address is zero or misaligned */
	PVABI_E_RESERVED = -15,   /* a reserved bit or field is set */
	PVABI_E_CHECKSUM = -16,   /* a checksum does not match */
	PVABI_E_NOTFOUND = -17,   /* a required node, property or record is
				   * missing
				   */

	/* Refused, or not supported here. */
	PVABI_E_NOVERSION = -20,   /* no ABI version both sides support */
	PVABI_E_NOFEATURE = -21,   /* a required feature is not offered */
	PVABI_E_UNSUPPORTED = -22, /* valid, but this build can't do it */
	PVABI_E_POLICY = -23,      /* refused by the VM's policy */
	PVABI_E_BUSY = -24,        /* a bounded queue is full: retry later */
};

/* One past the most negative code, for table sizes and fuzzers. */
#define PVABI_E_MIN (-25)

#endif /* PVABI_ERROR_H */
