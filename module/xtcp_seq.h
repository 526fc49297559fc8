/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sequence number arithmetic (RFC 9293 section 3.4, RFC 1982), whether
 * a segment's sequence numbers are acceptable (section 3.10.7.4), and
 * whether an ACK is a duplicate (RFC 5681 section 2).
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

/**
 * xtcp_seq_late_acceptable() - a segment from before RCV.NXT, taken anyway?
 * @seq: its first sequence number (SEG.SEQ), before @rcv_nxt
 * @end_seq: SEG.SEQ + SEG.LEN
 * @rcv_nxt: the next sequence number expected (RCV.NXT)
 * @rcv_wup: RCV.NXT when our last segment advertised the window
 *
 * Linux's tcp_sequence() takes a segment whose end is not before
 * @rcv_wup, where RFC 9293 wants its end past RCV.NXT: a peer's ACK (or
 * its D-SACK block, which no later ACK repeats) that a path reordering
 * both ways put behind the peer's next data is then not thrown away
 * for a sequence number made old by that data.  What such a segment
 * carries below RCV.NXT is a duplicate, which the data path drops.
 *
 * Return: true when the segment is acceptable for that reason.
 */
static inline bool xtcp_seq_late_acceptable(u32 seq, u32 end_seq, u32 rcv_nxt,
					    u32 rcv_wup)
{
	return xtcp_seq_before(seq, rcv_nxt) &&
	       !xtcp_seq_before(end_seq, rcv_wup);
}

/**
 * xtcp_dupack() - is an ACK a duplicate, as RFC 5681 section 2 defines it?
 * @ack: SEG.ACK
 * @snd_una: oldest unacknowledged sequence number (SND.UNA)
 * @snd_nxt: next sequence number to send (SND.NXT)
 * @seg_len: data the segment carries, in bytes
 * @syn_or_fin: the segment carries SYN or FIN
 * @wnd: the window it advertises, scaled
 * @snd_wnd: the send window it would replace (SND.WND)
 *
 * All five conditions of the RFC: (a) data is outstanding, (b) the
 * segment carries none, (c) neither SYN nor FIN is on, (d) SEG.ACK
 * equals SND.UNA, the highest acknowledged, and (e) the window is the
 * one last advertised.  A segment with data or a window update is how
 * the peer says more than "a segment arrived out of order", so fast
 * retransmit must not count it.
 *
 * Return: true when the ACK is a duplicate.
 */
static inline bool xtcp_dupack(u32 ack, u32 snd_una, u32 snd_nxt,
			       u32 seg_len, bool syn_or_fin, u32 wnd,
			       u32 snd_wnd)
{
	return snd_una != snd_nxt && !seg_len && !syn_or_fin &&
	       ack == snd_una && wnd == snd_wnd;
}

#endif /* _XTCP_SEQ_H */
