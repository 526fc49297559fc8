/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Undoing a window reduction that turns out to have been for nothing,
 * as pure logic shared by the module and the userspace unit tests.
 *
 * A fast retransmit or a retransmission timeout cuts cwnd on the guess
 * that segments were lost.  On a path that reorders or delays segments
 * the guess is often wrong: the segments were late, not lost, and the
 * cut halves the rate for nothing.  Two proofs can come back, as in
 * Linux's tcp_try_undo_*():
 *
 *  - D-SACK (RFC 2883, RFC 3708): the receiver reports each segment it
 *    got twice.  When every segment retransmitted in the episode comes
 *    back as a duplicate, the originals had all arrived: nothing was
 *    lost.
 *  - Eifel detection (RFC 3522), with timestamps (RFC 7323): an ACK of
 *    new data that echoes a timestamp older than the first
 *    retransmission was sent for an original, which was therefore not
 *    lost either.
 *
 * Either way cwnd and ssthresh go back to what they were before the
 * episode (RFC 4015's response, as Linux's tcp_undo_cwnd_reduction()).
 *
 * The caller starts an episode where it cuts cwnd, counts each
 * retransmission, feeds D-SACK blocks and echoed timestamps, and undoes
 * when told.  Everything here runs under the socket lock.
 */
#ifndef _XTCP_UNDO_H
#define _XTCP_UNDO_H

#include <linux/types.h>

#include "xtcp_cc_math.h"
#include "xtcp_seq.h"

/**
 * struct xtcp_undo - what a loss episode may have to give back
 * @prior_cwnd: cwnd before the episode cut it
 * @prior_ssthresh: ssthresh before the episode
 * @marker: snd_una when the episode began: D-SACK blocks above it
 *	report retransmissions of this episode
 * @retrans: segments retransmitted in the episode that no D-SACK block
 *	reported yet
 * @tsval: our timestamp on the episode's first retransmission
 * @armed: an episode may still be undone
 * @has_tsval: @tsval is set
 */
struct xtcp_undo {
	u32 prior_cwnd;
	u32 prior_ssthresh;
	u32 marker;
	u32 retrans;
	u32 tsval;
	bool armed;
	bool has_tsval;
};

/**
 * xtcp_undo_start() - a loss episode cuts the window
 * @u: undo state of the connection
 * @w: its window, before the cut
 * @snd_una: its snd_una
 */
static inline void xtcp_undo_start(struct xtcp_undo *u,
				   const struct xtcp_cwnd *w, u32 snd_una)
{
	u->prior_cwnd = w->cwnd;
	u->prior_ssthresh = w->ssthresh;
	u->marker = snd_una;
	u->retrans = 0;
	u->armed = true;
	u->has_tsval = false;
}

/**
 * xtcp_undo_forget() - nothing of the episode may be undone any more
 * @u: undo state
 */
static inline void xtcp_undo_forget(struct xtcp_undo *u)
{
	u->armed = false;
}

/**
 * xtcp_undo_retransmitted() - @segs segments went again
 * @u: undo state
 * @segs: how many
 * @tsval: the timestamp they carried, if @has_ts
 * @has_ts: the connection uses timestamps
 */
static inline void xtcp_undo_retransmitted(struct xtcp_undo *u, u32 segs,
					   u32 tsval, bool has_ts)
{
	if (!u->armed)
		return;
	u->retrans += segs;
	if (has_ts && !u->has_tsval) {
		u->tsval = tsval;
		u->has_tsval = true;
	}
}

/**
 * xtcp_undo_dsack() - a D-SACK block reports a range received twice
 * @u: undo state
 * @start: first sequence number of the block
 * @end: end of the block
 * @ack: snd_una once the ACK that carries it is taken
 * @seg: segment size, to count the segments the block covers
 *
 * Only a block of data the ACK covers, above the episode's marker,
 * counts, as in Linux's tcp_check_dsack(): a block above the ACK
 * reports data SACKed before, which the episode did not resend.
 *
 * Return: true when every segment the episode retransmitted has now come
 * back as a duplicate (the episode may be undone).
 */
static inline bool xtcp_undo_dsack(struct xtcp_undo *u, u32 start, u32 end,
				   u32 ack, u32 seg)
{
	u32 segs;

	if (!u->armed || !u->retrans || xtcp_seq_after(end, ack) ||
	    !xtcp_seq_after(end, u->marker))
		return false;
	if (xtcp_seq_before(start, u->marker))
		start = u->marker;
	segs = seg ? (end - start + seg - 1) / seg : 1;
	u->retrans = segs < u->retrans ? u->retrans - segs : 0;
	return !u->retrans;
}

/**
 * xtcp_undo_delayed() - Eifel: was an ACK sent for an original?
 * @u: undo state
 * @tsecr: the timestamp the ACK echoes, 0 for none
 *
 * Return: true when the ACK echoes a timestamp older than the first
 * retransmission of the episode (RFC 3522): what it acknowledges had
 * arrived before anything was sent again.
 */
static inline bool xtcp_undo_delayed(const struct xtcp_undo *u, u32 tsecr)
{
	return u->armed && u->has_tsval && tsecr &&
	       xtcp_seq_before(tsecr, u->tsval);
}

/**
 * xtcp_undo_cwnd() - give the episode's cut back
 * @u: undo state, disarmed by the call
 * @w: the window
 *
 * cwnd and ssthresh become at least what they were before the episode
 * (they may have grown since).
 */
static inline void xtcp_undo_cwnd(struct xtcp_undo *u, struct xtcp_cwnd *w)
{
	if (w->cwnd < u->prior_cwnd)
		w->cwnd = u->prior_cwnd;
	if (w->ssthresh < u->prior_ssthresh)
		w->ssthresh = u->prior_ssthresh;
	w->cwnd_cnt = 0;
	u->armed = false;
}

#endif /* _XTCP_UNDO_H */
