/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sequence number arithmetic (RFC 9293 section 3.4, RFC 1982).
 *
 * Pure logic shared by the module and the userspace unit tests: it must
 * not depend on anything kernel-only.
 */
#ifndef _XTCP_SEQ_H
#define _XTCP_SEQ_H

#include <linux/types.h>

/**
 * xtcp_seq_before() - is @a earlier than @b in sequence space?
 * @a: sequence number
 * @b: sequence number
 *
 * Sequence numbers wrap at 2^32; @a is before @b when the signed 32-bit
 * distance from @b to @a is negative.
 *
 * Return: true when @a precedes @b.
 */
static inline bool xtcp_seq_before(u32 a, u32 b)
{
	return (s32)(a - b) < 0;
}

/**
 * xtcp_seq_after() - is @a later than @b in sequence space?
 * @a: sequence number
 * @b: sequence number
 *
 * Return: true when @a follows @b.
 */
static inline bool xtcp_seq_after(u32 a, u32 b)
{
	return xtcp_seq_before(b, a);
}

/**
 * xtcp_seq_between() - is @seq within [@lo, @hi] in sequence space?
 * @seq: sequence number to test
 * @lo: first sequence number of the range
 * @hi: last sequence number of the range
 *
 * The range may wrap through zero; it is measured forward from @lo.
 *
 * Return: true when @lo <= @seq <= @hi modulo 2^32.
 */
static inline bool xtcp_seq_between(u32 seq, u32 lo, u32 hi)
{
	return hi - lo >= seq - lo;
}

#endif /* _XTCP_SEQ_H */
