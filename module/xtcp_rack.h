/* SPDX-License-Identifier: GPL-2.0 */
/*
 * RACK-TLP (RFC 8985) loss detection, as pure logic shared by the
 * module and the userspace unit tests.
 *
 * THE IDEA
 *
 * Counting segments above a hole (RFC 6675's DupThresh) mistakes a path
 * that reorders for one that loses, and cannot see a retransmission
 * lost again, nor the loss of the last segments of a flight, which
 * nothing comes after.  RACK reasons in time instead: a segment is lost
 * once a segment sent after it was delivered, and more than a round
 * trip and a reordering window passed since it left.  Tail loss probes
 * (TLP) make the last segments of a flight bring an ACK, so that RACK
 * has something to reason from, long before the retransmission timer.
 *
 * THE MODEL
 *
 * Times are the caller's clock in microseconds (u32, wrapping: only
 * differences are used).  Each segment is known by when it was last
 * sent (@xmit_us) and its end sequence number (@end_seq).  The caller
 * feeds:
 *
 *  - every segment an ACK newly delivers (cumulatively or by SACK) to
 *    xtcp_rack_advance(), which keeps the most recently sent of them
 *    (RACK.xmit_ts, RACK.end_seq) and its round trip (RACK.rtt);
 *  - D-SACK blocks to xtcp_rack_dsack(), which widens the reordering
 *    window for the next 16 recoveries (RFC 8985 6.2, step 4);
 *  - then every segment not yet delivered, oldest first, to
 *    xtcp_rack_check(): lost now, or how long until it would be (the
 *    reordering timer), or not (sent after the newest delivered one).
 *
 * What stays with the caller: marking segments lost and resending them,
 * arming the reordering timer for the smallest wait, and the probe
 * timer (xtcp_tlp_timeout()).  Everything runs under the socket lock.
 */
#ifndef _XTCP_RACK_H
#define _XTCP_RACK_H

#include <linux/types.h>

#include "xtcp_seq.h"

/* Recoveries a D-SACK keeps the reordering window wide (RFC 8985 6.2). */
#define XTCP_RACK_REO_PERSIST	16
/* The most quarters of the minimum RTT the window counts (Linux's). */
#define XTCP_RACK_REO_MULT_MAX	255
/* TLP's floor and the delayed-ACK allowance (RFC 8985 7.2), in us. */
#define XTCP_TLP_MIN_US		10000U
#define XTCP_TLP_WCDELACK_US	200000U

/**
 * struct xtcp_rack - RACK state of one connection
 * @xmit_us: when the most recently sent delivered segment was sent
 * @end_seq: its end
 * @rtt_us: its round trip (RACK.rtt)
 * @reo_mult: reordering window, in quarters of the minimum RTT
 * @reo_persist: recoveries left before @reo_mult falls back to 1
 * @dsack_end: snd_nxt when @reo_mult last grew: one step a round trip
 * @has_sample: @xmit_us, @end_seq and @rtt_us are set
 * @dsack_seen: @dsack_end is set
 */
struct xtcp_rack {
	u32 xmit_us;
	u32 end_seq;
	u32 rtt_us;
	u8 reo_mult;
	u8 reo_persist;
	u32 dsack_end;
	bool has_sample;
	bool dsack_seen;
};

/**
 * xtcp_rack_init() - a new connection's RACK state
 * @r: it
 */
static inline void xtcp_rack_init(struct xtcp_rack *r)
{
	*r = (struct xtcp_rack){ .reo_mult = 1 };
}

/**
 * xtcp_rack_sent_after() - was (@t1, @seq1) sent after (@t2, @seq2)?
 * @t1: time the first segment was sent
 * @seq1: its end sequence number
 * @t2: time the second was sent
 * @seq2: its end sequence number
 *
 * Segments sent in the same clock tick are ordered by sequence number
 * (RFC 8985 6.1).
 *
 * Return: true when the first was sent later.
 */
static inline bool xtcp_rack_sent_after(u32 t1, u32 seq1, u32 t2, u32 seq2)
{
	return (s32)(t1 - t2) > 0 ||
	       (t1 == t2 && xtcp_seq_after(seq1, seq2));
}

/**
 * xtcp_rack_advance() - a segment was delivered
 * @r: RACK state
 * @xmit_us: when it was last sent
 * @end_seq: its end
 * @now_us: now
 * @retransmitted: it was sent more than once
 * @min_rtt_us: the connection's minimum RTT, 0 if unknown
 *
 * A retransmitted segment delivered sooner than the minimum RTT after
 * its last transmission was delivered by an earlier copy: its time says
 * nothing (RFC 8985 6.2, step 2), as with Karn's algorithm.
 */
static inline void xtcp_rack_advance(struct xtcp_rack *r, u32 xmit_us,
				     u32 end_seq, u32 now_us,
				     bool retransmitted, u32 min_rtt_us)
{
	u32 rtt = now_us - xmit_us;

	if (retransmitted && rtt < min_rtt_us)
		return;
	if (r->has_sample &&
	    !xtcp_rack_sent_after(xmit_us, end_seq, r->xmit_us, r->end_seq))
		return;
	r->xmit_us = xmit_us;
	r->end_seq = end_seq;
	r->rtt_us = rtt;
	r->has_sample = true;
}

/**
 * xtcp_rack_dsack() - a D-SACK block arrived
 * @r: RACK state
 * @snd_una: the connection's snd_una
 * @snd_nxt: its snd_nxt
 *
 * The path reordered more than the window allowed (or duplicated): the
 * window grows by a quarter of the minimum RTT, at most once a round
 * trip, and stays for XTCP_RACK_REO_PERSIST recoveries (RFC 8985 6.2,
 * step 4).
 */
static inline void xtcp_rack_dsack(struct xtcp_rack *r, u32 snd_una,
				   u32 snd_nxt)
{
	if (r->dsack_seen && xtcp_seq_before(snd_una, r->dsack_end))
		return;
	if (r->reo_mult < XTCP_RACK_REO_MULT_MAX)
		r->reo_mult++;
	r->reo_persist = XTCP_RACK_REO_PERSIST;
	r->dsack_end = snd_nxt;
	r->dsack_seen = true;
}

/**
 * xtcp_rack_recovery_ended() - a loss recovery ended
 * @r: RACK state
 *
 * After XTCP_RACK_REO_PERSIST of them without a D-SACK, the window goes
 * back to a quarter of the minimum RTT.
 */
static inline void xtcp_rack_recovery_ended(struct xtcp_rack *r)
{
	if (r->reo_persist && !--r->reo_persist)
		r->reo_mult = 1;
}

/**
 * xtcp_rack_reo_wnd() - the reordering window now (RFC 8985 6.2, step 4)
 * @r: RACK state
 * @min_rtt_us: minimum RTT, 0 if unknown
 * @srtt_us: smoothed RTT
 * @reordering_seen: the path was seen to reorder
 * @dupthresh_reached: in recovery, or DupThresh segments SACKed
 *
 * Zero on a path never seen to reorder once there is other evidence of
 * loss (so that RACK is as fast as DupThresh there), else @reo_mult
 * quarters of the minimum RTT, never more than SRTT.
 *
 * Return: the window, in microseconds.
 */
static inline u32 xtcp_rack_reo_wnd(const struct xtcp_rack *r,
				    u32 min_rtt_us, u32 srtt_us,
				    bool reordering_seen,
				    bool dupthresh_reached)
{
	u32 wnd;

	if (!reordering_seen && dupthresh_reached)
		return 0;
	wnd = (u32)(((u64)min_rtt_us * r->reo_mult) / 4);
	return wnd < srtt_us ? wnd : srtt_us;
}

/**
 * xtcp_rack_check() - is a segment not yet delivered lost?
 * @r: RACK state, advanced by this ACK's deliveries
 * @xmit_us: when the segment was last sent
 * @end_seq: its end
 * @now_us: now
 * @reo_wnd_us: xtcp_rack_reo_wnd()
 * @wait_us: how long until it would be lost, when it is not yet
 *
 * Only a segment sent before the most recently sent delivered one can
 * be lost (RFC 8985 6.2, step 5): it is, once RACK.rtt and the
 * reordering window have passed since it left.
 *
 * Return: true when lost; false with *@wait_us set (0 when the segment
 * was sent after, and nothing says it may be lost).
 */
static inline bool xtcp_rack_check(const struct xtcp_rack *r, u32 xmit_us,
				   u32 end_seq, u32 now_us, u32 reo_wnd_us,
				   u32 *wait_us)
{
	s32 left;

	*wait_us = 0;
	if (!r->has_sample ||
	    !xtcp_rack_sent_after(r->xmit_us, r->end_seq, xmit_us, end_seq))
		return false;
	left = (s32)(xmit_us + r->rtt_us + reo_wnd_us - now_us);
	if (left <= 0)
		return true;
	*wait_us = left;
	return false;
}

/**
 * xtcp_rack_reordered_yet() - may a segment RACK finds lost be only late?
 * @reord_seen: the path was seen to reorder (a D-SACK, or a hole filled
 *	by an original)
 * @sacked_above: segments SACKed above the segment
 * @reordering: by how many segments the path was seen to reorder
 *
 * RACK's window grows only by a quarter of the minimum RTT per round
 * trip with D-SACK: where the minimum RTT is far below the reordering
 * (netem's jitter, or a reordered segment that skips the delay) every
 * reordering would be a spurious recovery.  On a path seen to reorder,
 * a segment is not taken as lost while fewer segments are SACKed above
 * it than the path reorders by (RFC 6675's IsLost() with DupThresh
 * raised, which RFC 8985 6.2 lets a sender keep); the caller still
 * takes it as lost once the widest window RACK allows, an SRTT, passed.
 *
 * Return: true when the segment may still be only reordered.
 */
static inline bool xtcp_rack_reordered_yet(bool reord_seen, u32 sacked_above,
					   u32 reordering)
{
	return reord_seen && sacked_above < reordering;
}

/**
 * xtcp_tlp_timeout() - when to send a tail loss probe (RFC 8985 7.2)
 * @srtt_us: smoothed RTT, 0 if none yet
 * @packets_out: segments in flight
 * @rto_us: the retransmission timeout now
 *
 * Two SRTTs, plus an allowance for a delayed ACK when a single segment
 * is in flight (its ACK may wait for a second one); at least 10 ms, and
 * never later than the retransmission timeout, which the probe is there
 * to forestall.  Without an RTT sample, one second.
 *
 * Return: the timeout, in microseconds.
 */
static inline u32 xtcp_tlp_timeout(u32 srtt_us, u32 packets_out, u32 rto_us)
{
	u64 pto;

	if (!srtt_us)
		pto = 1000000;
	else
		pto = 2ULL * srtt_us;
	if (packets_out == 1)
		pto += XTCP_TLP_WCDELACK_US;
	if (pto < XTCP_TLP_MIN_US)
		pto = XTCP_TLP_MIN_US;
	return pto < rto_us ? (u32)pto : rto_us;
}

#endif /* _XTCP_RACK_H */
