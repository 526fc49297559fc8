/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sequence number arithmetic (RFC 9293 section 3.4, RFC 1982), and
 * whether a segment's sequence numbers are acceptable (section 3.10.7.4).
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

/**
 * xtcp_seq_acceptable() - may a segment be processed at all?
 * @seq: its first sequence number (SEG.SEQ)
 * @len: its length in sequence space (SEG.LEN: the data, plus one for a
 *	SYN and one for a FIN)
 * @rcv_nxt: the next sequence number expected (RCV.NXT)
 * @wnd: what is left of the receive window advertised (RCV.WND)
 *
 * RFC 9293 section 3.10.7.4's first check, its four cases to the letter:
 *
 *	SEG.LEN  RCV.WND  acceptable when
 *	0        0        SEG.SEQ = RCV.NXT
 *	0        >0       RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND
 *	>0       0        never
 *	>0       >0       RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND, or
 *			  RCV.NXT =< SEG.SEQ+SEG.LEN-1 < RCV.NXT+RCV.WND
 *
 * So a segment that begins before the window and ends after it, none of
 * its ends inside, is not acceptable, as the RFC says.
 *
 * Return: true when the segment is acceptable.
 */
static inline bool xtcp_seq_acceptable(u32 seq, u32 len, u32 rcv_nxt,
				       u32 wnd)
{
	u32 last = rcv_nxt + wnd - 1;

	if (!len)
		return wnd ? xtcp_seq_between(seq, rcv_nxt, last) :
			     seq == rcv_nxt;
	if (!wnd)
		return false;
	return xtcp_seq_between(seq, rcv_nxt, last) ||
	       xtcp_seq_between(seq + len - 1, rcv_nxt, last);
}

#endif /* _XTCP_SEQ_H */
