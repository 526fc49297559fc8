/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SACK bookkeeping (RFC 2018, RFC 2883), as pure logic shared by the
 * module and the userspace unit tests.
 *
 * The receiver keeps the out-of-order ranges it holds as a short list
 * of blocks, most recently changed first, which it copies into the SACK
 * option of each ACK (RFC 2018 section 4), with at most one D-SACK block
 * in front (RFC 2883).  The sender checks the blocks it receives against
 * what it has sent before trusting them, and asks whether a segment of
 * its retransmission queue is covered.
 *
 * Every comparison is in sequence space (xtcp_seq.h), so ranges may wrap
 * through zero; they must stay within 2^31 of each other, which a window
 * of at most 2^30 guarantees.
 */
#ifndef _XTCP_SACK_H
#define _XTCP_SACK_H

#include <linux/types.h>

#include "xtcp_seq.h"
#include "xtcp_wire.h"

/**
 * struct xtcp_sack_list - the SACK blocks a receiver reports
 * @blocks: out-of-order ranges held above rcv_nxt, the most recently
 *	changed first; never overlapping nor adjacent, since adding a range
 *	merges every block it touches
 * @dsack: duplicate range to report once in a D-SACK block, when
 *	@has_dsack
 * @num: entries of @blocks in use, 0..%XTCP_OPT_SACK_MAX
 * @has_dsack: @dsack waits to be sent
 */
struct xtcp_sack_list {
	struct xtcp_sack_block blocks[XTCP_OPT_SACK_MAX];
	struct xtcp_sack_block dsack;
	u8 num;
	bool has_dsack;
};

/**
 * xtcp_sack_init() - empty a SACK list
 * @l: the list
 */
static inline void xtcp_sack_init(struct xtcp_sack_list *l)
{
	l->num = 0;
	l->has_dsack = false;
}

/**
 * xtcp_sack_touches() - do two ranges overlap or abut?
 * @b: a block
 * @start: first sequence number of the other range
 * @end: sequence number past the other range
 *
 * Abutting ranges count: the receiver holds their union contiguously,
 * and reporting it as two blocks would waste option space.
 *
 * Return: true when @b and [@start, @end) form one contiguous range.
 */
static inline bool xtcp_sack_touches(const struct xtcp_sack_block *b,
				     u32 start, u32 end)
{
	return !xtcp_seq_after(b->start, end) &&
	       !xtcp_seq_before(b->end, start);
}

/**
 * xtcp_sack_add() - record a newly received out-of-order range
 * @l: the receiver's list
 * @start: first sequence number received
 * @end: sequence number past the data received
 *
 * For data queued out of order, above rcv_nxt.  The range is merged
 * with every block it overlaps or abuts, and the result goes first: RFC
 * 2018 section 4 wants the first block to contain the segment that
 * triggered the ACK.  The other blocks keep their order, which is that
 * of their last change, and the oldest is dropped when five would
 * remain: an old block has been reported in several ACKs already, so
 * the sender has most likely seen it.  A range already held moves its
 * block to the front, which RFC 2883 section 4 wants right after the
 * D-SACK block.  An empty or inverted range changes nothing.
 */
static inline void xtcp_sack_add(struct xtcp_sack_list *l, u32 start,
				 u32 end)
{
	struct xtcp_sack_block keep[XTCP_OPT_SACK_MAX];
	unsigned int i, n = 1;

	if (!xtcp_seq_before(start, end))
		return;
	/*
	 * One pass suffices: the blocks neither overlap nor abut, so a
	 * block that does not touch the range does not touch any block the
	 * range grows by either.
	 */
	for (i = 0; i < l->num; i++) {
		const struct xtcp_sack_block *b = &l->blocks[i];

		if (!xtcp_sack_touches(b, start, end)) {
			if (n < XTCP_OPT_SACK_MAX)
				keep[n++] = *b;
			continue;
		}
		if (xtcp_seq_before(b->start, start))
			start = b->start;
		if (xtcp_seq_after(b->end, end))
			end = b->end;
	}
	keep[0].start = start;
	keep[0].end = end;
	for (i = 0; i < n; i++)
		l->blocks[i] = keep[i];
	l->num = n;
}

/**
 * xtcp_sack_advance() - forget what rcv_nxt has moved over
 * @l: the receiver's list
 * @rcv_nxt: the new rcv_nxt
 *
 * Blocks ending at or below @rcv_nxt are dropped, since the cumulative
 * ACK reports them now (RFC 2018 section 4: SACK blocks lie above it);
 * a block @rcv_nxt falls inside is trimmed to start there.  The others
 * keep their order.  The pending D-SACK block, which lies below
 * rcv_nxt by nature, is left alone.
 */
static inline void xtcp_sack_advance(struct xtcp_sack_list *l, u32 rcv_nxt)
{
	unsigned int i, n = 0;

	for (i = 0; i < l->num; i++) {
		struct xtcp_sack_block b = l->blocks[i];

		if (!xtcp_seq_after(b.end, rcv_nxt))
			continue;
		if (xtcp_seq_before(b.start, rcv_nxt))
			b.start = rcv_nxt;
		l->blocks[n++] = b;
	}
	l->num = n;
}

/**
 * xtcp_sack_forget_above() - the receiver dropped what it held from @seq on
 * @l: the receiver's list
 * @seq: first sequence number no longer held
 *
 * Blocks starting at or above @seq are dropped, a block @seq falls
 * inside is cut to end there: a SACK block must never report bytes the
 * receiver does not hold (RFC 2018 section 8 lets it forget them).  The
 * others keep their order.
 */
static inline void xtcp_sack_forget_above(struct xtcp_sack_list *l, u32 seq)
{
	unsigned int i, n = 0;

	for (i = 0; i < l->num; i++) {
		struct xtcp_sack_block b = l->blocks[i];

		if (!xtcp_seq_before(b.start, seq))
			continue;
		if (xtcp_seq_after(b.end, seq))
			b.end = seq;
		l->blocks[n++] = b;
	}
	l->num = n;
}

/**
 * xtcp_sack_set_dsack() - report a duplicate range in the next ACK
 * @l: the receiver's list
 * @start: first sequence number received twice
 * @end: sequence number past the duplicate
 *
 * RFC 2883: the next SACK option starts with this block.  A pending one
 * that overlaps or abuts the range is extended, any other replaced: one
 * D-SACK block fits in an ACK, and the newest duplicate is the one the
 * sender can still act on.  An empty or inverted range changes nothing.
 */
static inline void xtcp_sack_set_dsack(struct xtcp_sack_list *l, u32 start,
				       u32 end)
{
	if (!xtcp_seq_before(start, end))
		return;
	if (l->has_dsack && xtcp_sack_touches(&l->dsack, start, end)) {
		if (xtcp_seq_before(l->dsack.start, start))
			start = l->dsack.start;
		if (xtcp_seq_after(l->dsack.end, end))
			end = l->dsack.end;
	}
	l->dsack.start = start;
	l->dsack.end = end;
	l->has_dsack = true;
}

/**
 * xtcp_sack_fill() - put the blocks to report into an option set
 * @l: the receiver's list; its D-SACK block is consumed
 * @o: options of the ACK being built; @o->sack, @o->num_sacks and the
 *	%XTCP_OPTF_SACK bit are set
 *
 * The D-SACK block goes first (RFC 2883 section 4), then @l->blocks in
 * order, at most %XTCP_OPT_SACK_MAX in all; xtcp_opts_encode() drops
 * the last ones when timestamps leave room for fewer.  A duplicate is
 * reported once only, so filling the same ACK again leaves it out: fill
 * once, then size and write from @o.
 *
 * Return: the number of blocks put in @o.
 */
static inline unsigned int xtcp_sack_fill(struct xtcp_sack_list *l,
					  struct xtcp_opts *o)
{
	unsigned int i, n = 0;

	if (l->has_dsack) {
		o->sack[n++] = l->dsack;
		l->has_dsack = false;
	}
	for (i = 0; i < l->num && n < XTCP_OPT_SACK_MAX; i++)
		o->sack[n++] = l->blocks[i];
	o->num_sacks = n;
	if (n)
		o->present |= XTCP_OPTF_SACK;
	else
		o->present &= ~XTCP_OPTF_SACK;
	return n;
}

/**
 * xtcp_sack_is_dsack() - does a received SACK option start with D-SACK?
 * @b: the blocks, in option order
 * @n: number of blocks
 * @ack: the cumulative acknowledgment of the same segment
 *
 * RFC 2883 section 4: the first block reports a duplicate when it lies
 * below the cumulative ACK, or within the second block.
 *
 * Return: true when @b[0] is a D-SACK block.
 */
static inline bool xtcp_sack_is_dsack(const struct xtcp_sack_block *b,
				      unsigned int n, u32 ack)
{
	if (!n)
		return false;
	if (xtcp_seq_before(b[0].start, ack))
		return true;
	return n > 1 && !xtcp_seq_before(b[0].start, b[1].start) &&
	       !xtcp_seq_after(b[0].end, b[1].end);
}

/**
 * enum xtcp_sack_verdict - what a sender makes of a received block
 * @XTCP_SACK_BAD: not consistent with what was sent; ignore it
 * @XTCP_SACK_OK: a valid block of data held above the cumulative ACK
 * @XTCP_SACK_DUP: a valid D-SACK block: data received twice
 */
enum xtcp_sack_verdict {
	XTCP_SACK_BAD,
	XTCP_SACK_OK,
	XTCP_SACK_DUP,
};

/**
 * xtcp_sack_validate() - check a received SACK block before using it
 * @b: the block
 * @snd_una: oldest unacknowledged sequence number, already advanced by
 *	the cumulative ACK of the segment carrying @b
 * @snd_nxt: next sequence number to send
 * @max_win: largest window the peer has offered, which bounds how old a
 *	duplicate it can still be reporting
 * @dsack: @b is the first block and xtcp_sack_is_dsack() said so
 *
 * A block is bad when it is empty or inverted, when it reaches beyond
 * @snd_nxt (data never sent), or when it starts at or below @snd_una
 * without being a D-SACK: the cumulative ACK covers that data already,
 * so a receiver following RFC 2018 would not report it, and a block
 * straddling @snd_una cannot be told from a forged one.  Like Linux's
 * tcp_is_sackblock_valid(), a D-SACK block must lie wholly above or
 * wholly below @snd_una, and then not start more than @max_win below it.
 *
 * Return: the verdict.
 */
static inline enum xtcp_sack_verdict
xtcp_sack_validate(const struct xtcp_sack_block *b, u32 snd_una, u32 snd_nxt,
		   u32 max_win, bool dsack)
{
	if (!xtcp_seq_before(b->start, b->end) ||
	    xtcp_seq_after(b->end, snd_nxt))
		return XTCP_SACK_BAD;
	/*
	 * The two tests above do not imply this one: sequence order is not
	 * transitive, and a start about 2^31 away from the end passes both.
	 */
	if (!xtcp_seq_before(b->start, snd_nxt))
		return XTCP_SACK_BAD;
	if (xtcp_seq_after(b->start, snd_una)) {
		/*
		 * Nor do these: with nothing in flight, a start exactly
		 * 2^31 away from snd_una == snd_nxt is both after the one
		 * and before the other.  Measured forward from snd_una, it
		 * lies beyond snd_nxt.
		 */
		if (!xtcp_seq_between(b->start, snd_una, snd_nxt))
			return XTCP_SACK_BAD;
		return dsack ? XTCP_SACK_DUP : XTCP_SACK_OK;
	}
	if (!dsack || xtcp_seq_after(b->end, snd_una) ||
	    xtcp_seq_before(b->start, snd_una - max_win))
		return XTCP_SACK_BAD;
	return XTCP_SACK_DUP;
}

/**
 * xtcp_sack_covered() - is a range wholly inside one of some blocks?
 * @b: the blocks, validated
 * @n: number of blocks
 * @seq: first sequence number of the range
 * @end: sequence number past the range
 *
 * For a sender walking its retransmission queue: a segment the peer
 * holds need not be retransmitted.  Blocks are not combined, as a
 * receiver never reports abutting blocks.  An empty range is not
 * covered: it holds nothing the peer could have.
 *
 * Return: true when some block contains all of [@seq, @end).
 */
static inline bool xtcp_sack_covered(const struct xtcp_sack_block *b,
				     unsigned int n, u32 seq, u32 end)
{
	unsigned int i;

	if (!xtcp_seq_before(seq, end))
		return false;
	for (i = 0; i < n; i++)
		if (!xtcp_seq_before(seq, b[i].start) &&
		    !xtcp_seq_after(end, b[i].end))
			return true;
	return false;
}

/**
 * xtcp_sack_cut() - where a range must be cut to line up with blocks
 * @b: the blocks, validated
 * @n: number of blocks
 * @seq: first sequence number of the range
 * @end: sequence number past the range
 *
 * A sender's queued skb may hold several segments of which the peer
 * reports only some: cut at the first block edge inside the skb, the
 * part before it is either all reported or none of it, and the rest is
 * looked at on its own.
 *
 * Return: the first start or end of a block after @seq and before @end,
 * or @end when no block edge lies inside the range.
 */
static inline u32 xtcp_sack_cut(const struct xtcp_sack_block *b,
				unsigned int n, u32 seq, u32 end)
{
	unsigned int i;
	u32 cut = end;

	for (i = 0; i < n; i++) {
		if (xtcp_seq_after(b[i].start, seq) &&
		    xtcp_seq_before(b[i].start, cut))
			cut = b[i].start;
		if (xtcp_seq_after(b[i].end, seq) &&
		    xtcp_seq_before(b[i].end, cut))
			cut = b[i].end;
	}
	return cut;
}

#endif /* _XTCP_SACK_H */
