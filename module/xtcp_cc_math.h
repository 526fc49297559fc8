/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Congestion control arithmetic, as pure logic shared by the module and
 * the userspace unit tests: NewReno (RFC 5681, RFC 6582) and CUBIC
 * (RFC 9438).
 *
 * THE MODEL
 *
 * As in Linux, windows count segments, not bytes: struct xtcp_cwnd holds
 * cwnd, ssthresh and cwnd_cnt, the ACKed segments gathered towards the
 * next +1 of congestion avoidance.  The callers pass @acked, the segments
 * an ACK newly acknowledges, and @flight, the segments in flight.  The
 * functions only compute: the caller decides when they apply, under the
 * socket lock.  In particular the caller grows the window only while it
 * is the limit on sending (Linux's tcp_is_cwnd_limited()), and leaves it
 * alone during recovery except through the xtcp_newreno_*() steps.
 *
 * Slow start adds every ACKed segment (RFC 3465 byte counting, without
 * its limit L, as Linux does), up to ssthresh; what is left over
 * continues in congestion avoidance, which adds one segment per window
 * of ACKed segments.
 *
 * CUBIC follows Linux's net/ipv4/tcp_cubic.c without HyStart: W(t) =
 * C (t - K)^3 + W_max with C = 410/1024 and beta = 717/1024, computed in
 * integers, t in units of 2^-10 s.  The epoch starts at the first ACK of
 * congestion avoidance after a reduction; the window aimed at is W one
 * minimum RTT ahead (RFC 9438 4.2), converted into "cnt", the ACKed
 * segments for which cwnd grows by one.  The TCP-friendly estimate
 * W_est grows by alpha = 3 (1 - beta) / (1 + beta) segments per RTT
 * (RFC 9438 4.3); as in Linux, alpha stays there past W_max.
 *
 * Time is the caller's clock in milliseconds (u32, wrapping: only
 * differences are used, which hold for 24 days), the minimum RTT is in
 * microseconds (&xtcp_rtt_est.min_rtt_us).
 *
 * Every product that could pass 2^32 is computed in u64, and no u64 is
 * divided: the 64-bit steps are multiplications and shifts.
 */
#ifndef _XTCP_CC_MATH_H
#define _XTCP_CC_MATH_H

#include <linux/limits.h>
#include <linux/types.h>

#include "xtcp_seq.h"

/* ssthresh before the first loss: no limit, as Linux's TCP_INFINITE_SSTHRESH */
#define XTCP_INFINITE_SSTHRESH	0x7fffffffU
/* Linux's initial window (RFC 6928), for callers that prefer it to RFC 5681 */
#define XTCP_IW10		10U

/**
 * struct xtcp_cwnd - the congestion window of one connection
 * @cwnd: congestion window, in segments
 * @ssthresh: slow start threshold, in segments
 * @cwnd_cnt: segments ACKed in congestion avoidance since cwnd last grew
 * @clamp: most segments @cwnd may reach
 */
struct xtcp_cwnd {
	u32 cwnd;
	u32 ssthresh;
	u32 cwnd_cnt;
	u32 clamp;
};

/**
 * xtcp_cwnd_init() - the window of a new connection
 * @w: the window
 * @iw: initial window, in segments (xtcp_iw_rfc5681() or %XTCP_IW10)
 * @clamp: most segments the window may reach, at least 1
 */
static inline void xtcp_cwnd_init(struct xtcp_cwnd *w, u32 iw, u32 clamp)
{
	w->cwnd = iw < clamp ? iw : clamp;
	w->ssthresh = XTCP_INFINITE_SSTHRESH;
	w->cwnd_cnt = 0;
	w->clamp = clamp;
}

/**
 * xtcp_cwnd_grow() - add segments to the window, up to its clamp
 * @w: the window
 * @n: segments to add
 *
 * Written as a comparison against the room left, which cannot wrap, not
 * as a sum, which could.
 */
static inline void xtcp_cwnd_grow(struct xtcp_cwnd *w, u32 n)
{
	if (w->cwnd >= w->clamp || n >= w->clamp - w->cwnd)
		w->cwnd = w->clamp;
	else
		w->cwnd += n;
}

/**
 * xtcp_iw_rfc5681() - the initial window of RFC 5681 3.1 (RFC 3390)
 * @mss: sender maximum segment size, in bytes
 *
 * IW = min(4 * MSS, max(2 * MSS, 4380 bytes)), in whole segments: 4 up to
 * an MSS of 1095 bytes, 2 from 2190 bytes on, 4380 / MSS in between.
 * Linux uses %XTCP_IW10 instead.
 *
 * Return: the initial window, in segments.
 */
static inline u32 xtcp_iw_rfc5681(u32 mss)
{
	if (mss <= 1095)
		return 4;
	if (mss >= 2190)
		return 2;
	return 4380 / mss;
}

/**
 * xtcp_in_slow_start() - is the window below the slow start threshold?
 * @w: the window
 *
 * Return: true while @w grows by slow start.
 */
static inline bool xtcp_in_slow_start(const struct xtcp_cwnd *w)
{
	return w->cwnd < w->ssthresh;
}

/**
 * xtcp_slow_start() - grow the window by the segments an ACK acknowledges
 * @w: the window
 * @acked: segments newly acknowledged
 *
 * cwnd += @acked, but not past ssthresh (RFC 5681 3.1, Linux's
 * tcp_slow_start()).  The segments that did not fit are returned, so
 * that the caller counts them in congestion avoidance.
 *
 * Return: the part of @acked that slow start did not use.
 */
static inline u32 xtcp_slow_start(struct xtcp_cwnd *w, u32 acked)
{
	u32 room = w->ssthresh > w->cwnd ? w->ssthresh - w->cwnd : 0;
	u32 used = acked < room ? acked : room;

	xtcp_cwnd_grow(w, used);
	return acked - used;
}

/**
 * xtcp_cong_avoid_ai() - additive increase: +1 segment per @per ACKed
 * @w: the window
 * @per: ACKed segments for each segment added (cwnd for Reno, the cnt
 *	of xtcp_cubic_update() for CUBIC); 0 counts as 1
 * @acked: segments newly acknowledged
 *
 * Linux's tcp_cong_avoid_ai(): the ACKed segments accumulate in cwnd_cnt
 * and every @per of them add a segment.  If cwnd_cnt already reached
 * @per (credit gathered under a larger @per), it buys one segment first
 * and starts again from zero, so that a smaller @per does not turn old
 * credit into a burst.
 */
static inline void xtcp_cong_avoid_ai(struct xtcp_cwnd *w, u32 per, u32 acked)
{
	u32 add, rest;

	if (!per)
		per = 1;
	if (w->cwnd_cnt >= per) {
		w->cwnd_cnt = 0;
		xtcp_cwnd_grow(w, 1);
	}
	/* cwnd_cnt + acked could wrap: split acked into whole windows and
	 * a remainder, then carry the remainder against the room left.
	 */
	add = acked / per;
	rest = acked % per;
	if (w->cwnd_cnt >= per - rest) {
		w->cwnd_cnt -= per - rest;
		add++;
	} else {
		w->cwnd_cnt += rest;
	}
	xtcp_cwnd_grow(w, add);
}

/**
 * xtcp_reno_cong_avoid() - grow a NewReno window on an ACK
 * @w: the window
 * @acked: segments newly acknowledged
 *
 * Slow start below ssthresh, then +1 segment per window ACKed (RFC 5681
 * 3.1, Linux's tcp_reno_cong_avoid()).
 */
static inline void xtcp_reno_cong_avoid(struct xtcp_cwnd *w, u32 acked)
{
	if (xtcp_in_slow_start(w)) {
		acked = xtcp_slow_start(w, acked);
		if (!acked)
			return;
	}
	xtcp_cong_avoid_ai(w, w->cwnd, acked);
}

/**
 * xtcp_reno_ssthresh() - NewReno's slow start threshold after a loss
 * @flight: segments in flight when the loss was detected
 *
 * RFC 5681 equation (4): max(FlightSize / 2, 2 * SMSS).  Linux passes
 * cwnd instead of the flight size.
 *
 * Return: the new ssthresh, in segments.
 */
static inline u32 xtcp_reno_ssthresh(u32 flight)
{
	u32 half = flight >> 1;

	return half > 2 ? half : 2;
}

/**
 * xtcp_cwnd_timeout() - the window after a retransmission timeout
 * @w: the window
 * @ssthresh: from xtcp_reno_ssthresh() or xtcp_cubic_ssthresh()
 *
 * RFC 5681 3.1: cwnd drops to the loss window, one segment, and slow
 * start begins again.  The caller also sets recover to snd_nxt (RFC 6582
 * 3.2 step 4), so that duplicate ACKs of what was sent before the
 * timeout do not start a fast retransmit.
 */
static inline void xtcp_cwnd_timeout(struct xtcp_cwnd *w, u32 ssthresh)
{
	w->ssthresh = ssthresh;
	w->cwnd = 1;
	w->cwnd_cnt = 0;
}

/**
 * xtcp_newreno_enter() - fast retransmit on the third duplicate ACK
 * @w: the window
 * @ssthresh: from xtcp_reno_ssthresh() or xtcp_cubic_ssthresh()
 *
 * RFC 5681 3.2 steps 2 and 3: cwnd = ssthresh + 3, inflated by the three
 * segments the duplicate ACKs say have left the network.  The caller
 * records recover (see xtcp_newreno_is_full_ack()) and retransmits.
 */
static inline void xtcp_newreno_enter(struct xtcp_cwnd *w, u32 ssthresh)
{
	w->ssthresh = ssthresh;
	w->cwnd = ssthresh;
	w->cwnd_cnt = 0;
	xtcp_cwnd_grow(w, 3);
}

/**
 * xtcp_newreno_dupack() - one more duplicate ACK during fast recovery
 * @w: the window
 *
 * RFC 5681 3.2 step 4: each further duplicate ACK means a segment left
 * the network, cwnd grows by one to let a new one in.
 */
static inline void xtcp_newreno_dupack(struct xtcp_cwnd *w)
{
	xtcp_cwnd_grow(w, 1);
}

/**
 * xtcp_newreno_is_full_ack() - does an ACK end fast recovery?
 * @ack: the ACK's cumulative acknowledgment number
 * @recover: snd_nxt when recovery began (Linux's high_seq)
 *
 * RFC 6582 3.2 step 3 calls an ACK full when it covers all the data up
 * to and including recover, the highest sequence number sent; with
 * @recover kept one past it, as snd_nxt, that is @ack >= @recover.  The
 * same test decides, out of recovery, whether three duplicate ACKs may
 * start a new one (step 1): only ACKs beyond the last recovery may.
 *
 * Return: true for a full acknowledgment, false for a partial one.
 */
static inline bool xtcp_newreno_is_full_ack(u32 ack, u32 recover)
{
	return !xtcp_seq_before(ack, recover);
}

/**
 * xtcp_newreno_partial_ack() - a partial ACK during fast recovery
 * @w: the window
 * @acked: segments the ACK newly acknowledges, at least one
 *
 * RFC 6582 3.2 step 3: deflate cwnd by the data acknowledged, then add
 * back one segment so that a new one can be sent with the retransmission
 * of the next hole.
 */
static inline void xtcp_newreno_partial_ack(struct xtcp_cwnd *w, u32 acked)
{
	w->cwnd = w->cwnd > acked ? w->cwnd - acked : 0;
	xtcp_cwnd_grow(w, 1);
}

/**
 * xtcp_newreno_full_ack() - leave fast recovery on a full ACK
 * @w: the window
 * @flight: segments in flight after the ACK
 *
 * RFC 6582 3.2 step 3, first option: cwnd = min(ssthresh, max(FlightSize,
 * SMSS) + SMSS), which, unlike cwnd = ssthresh, sends no burst when
 * little is in flight.
 */
static inline void xtcp_newreno_full_ack(struct xtcp_cwnd *w, u32 flight)
{
	u32 fill = flight > 1 ? flight : 1;

	w->cwnd = fill < w->ssthresh ? fill + 1 : w->ssthresh;
	w->cwnd_cnt = 0;
}

/*
 * CUBIC.  Windows in segments; t and K in units of 2^-10 s; C and beta
 * scaled by 1024 as in Linux, whose C is cube_rtt_scale = bic_scale * 10
 * = 410: BIC's 41/1024 over a fixed 100 ms RTT, that is 0.4.
 */
#define XTCP_CUBIC_HZ_SHIFT	10	/* t and K in 2^-10 s */
#define XTCP_CUBIC_SCALE_SHIFT	10	/* C and beta in 1/1024 */
#define XTCP_CUBIC_C		410U	/* C = 0.4, as RFC 9438 asks */
#define XTCP_CUBIC_BETA		717U	/* beta_cubic = 0.7 (RFC 9438 4.6) */
/* K^3 = (W_max - cwnd) / C, with K^3 in 2^-30 s^3 and C in 1/1024 */
#define XTCP_CUBIC_CUBE_FACTOR \
	((1ULL << (XTCP_CUBIC_SCALE_SHIFT + 3 * XTCP_CUBIC_HZ_SHIFT)) / \
	 XTCP_CUBIC_C)
/*
 * ACKed segments, in eighths of cwnd, for each segment of the TCP-friendly
 * estimate: 1 / alpha = (1 + beta) / (3 (1 - beta)) ~ 15/8.
 */
#define XTCP_CUBIC_FRIENDLY \
	(8 * (1024 + XTCP_CUBIC_BETA) / 3 / (1024 - XTCP_CUBIC_BETA))
/*
 * Cap of t + RTT: 2048 s.  Then t < 2^21 and (t - K)^3 < 2^63; W(t) has
 * passed any possible cwnd long before.
 */
#define XTCP_CUBIC_T_MAX_MS	2048000U
/* The cubic part is recomputed at most this often when cwnd stays put. */
#define XTCP_CUBIC_RECALC_MS	31U	/* Linux: HZ / 32 */

/**
 * struct xtcp_cubic - CUBIC state of one connection
 * @cnt: ACKed segments for each segment cwnd gains, from the last update
 * @last_max_cwnd: W_max, cwnd before the last reduction (lowered by fast
 *	convergence); 0 before the first loss
 * @last_cwnd: cwnd at the last computation of @cnt
 * @last_time: time of the last computation of @cnt, in ms
 * @origin_point: W_max of the current epoch, the plateau of W(t)
 * @k: time from the epoch start to @origin_point, in 2^-10 s
 * @epoch_start: time the epoch started, in ms
 * @ack_cnt: ACKed segments not yet counted in @tcp_cwnd
 * @tcp_cwnd: W_est, the window a Reno flow would have (RFC 9438 4.3)
 * @in_epoch: whether an epoch is running; cleared by a reduction
 */
struct xtcp_cubic {
	u32 cnt;
	u32 last_max_cwnd;
	u32 last_cwnd;
	u32 last_time;
	u32 origin_point;
	u32 k;
	u32 epoch_start;
	u32 ack_cnt;
	u32 tcp_cwnd;
	u8 in_epoch;
};

/**
 * xtcp_cubic_reset() - forget everything CUBIC learnt
 * @c: the CUBIC state
 *
 * At connection setup, and after a retransmission timeout: RFC 9438 4.8
 * then starts the next epoch with K = 0 and W_max = cwnd, which is what
 * a zero @last_max_cwnd gives.  Call it after xtcp_cubic_ssthresh(), as
 * Linux does (the ssthresh still comes from the window at the timeout).
 */
static inline void xtcp_cubic_reset(struct xtcp_cubic *c)
{
	*c = (struct xtcp_cubic){};
}

/**
 * xtcp_cubic_cbrt() - integer cube root
 * @x: the radicand
 *
 * Digit by digit in base 8, as a square root is taken bit by bit: three
 * bits of @x at a time from the top, one bit of the root each.  Exact,
 * with no division and no table, 22 rounds; only run when an epoch
 * starts.  Linux's cubic_root() is faster but off by up to 0.2%.
 *
 * Return: the largest y with y^3 <= @x.
 */
static inline u32 xtcp_cubic_cbrt(u64 x)
{
	u64 y = 0, b;
	int s;

	for (s = 63; s >= 0; s -= 3) {
		y <<= 1;
		/* (y + 1)^3 - y^3, the cost of the next bit being 1 */
		b = 3 * y * (y + 1) + 1;
		if (x >> s >= b) {
			x -= b << s;
			y++;
		}
	}
	return y;
}

/**
 * xtcp_cubic_k() - the time W(t) takes to climb back to W_max
 * @gap: W_max - cwnd at the start of the epoch, in segments
 *
 * K = cbrt((W_max - cwnd) / C) (RFC 9438 equation 2).  The factor is
 * below 2^31.4 and @gap below 2^32, so the radicand fits in a u64.
 *
 * Return: K, in 2^-10 s.
 */
static inline u32 xtcp_cubic_k(u32 gap)
{
	return xtcp_cubic_cbrt(XTCP_CUBIC_CUBE_FACTOR * gap);
}

/**
 * xtcp_cubic_target() - W_cubic one minimum RTT ahead
 * @c: the CUBIC state, in an epoch
 * @now_ms: the time, in ms
 * @min_rtt_us: minimum RTT, in us
 *
 * W(t + RTT) = C (t + RTT - K)^3 + W_max (RFC 9438 equation 1, one RTT
 * ahead as in its section 4.2), t counted from the epoch start.  C (t - K)^3 is computed as
 * ((t - K)^3 >> 10) * 410 >> 30: dropping 10 low bits first keeps the
 * product under 2^63 and costs less than 0.001 segment.
 *
 * Return: the target window in segments, within [0, U32_MAX].
 */
static inline u32 xtcp_cubic_target(const struct xtcp_cubic *c, u32 now_ms,
				    u32 min_rtt_us)
{
	s32 elapsed = now_ms - c->epoch_start;
	u32 t_ms = elapsed > 0 ? elapsed : 0;
	u32 t, offs;
	u64 cube, delta;

	/* < 2^31 + 2^22: cannot wrap */
	t_ms += min_rtt_us / 1000;
	if (t_ms > XTCP_CUBIC_T_MAX_MS)
		t_ms = XTCP_CUBIC_T_MAX_MS;
	/* 2048000 << 10 < 2^32 */
	t = (t_ms << XTCP_CUBIC_HZ_SHIFT) / 1000;

	/* Below the plateau offs <= K, and K^3 fits in a u64 by
	 * construction; above it offs <= t < 2^21.
	 */
	offs = t < c->k ? c->k - t : t - c->k;
	cube = (u64)offs * offs * offs;
	delta = ((cube >> XTCP_CUBIC_SCALE_SHIFT) * XTCP_CUBIC_C) >>
		(3 * XTCP_CUBIC_HZ_SHIFT);

	if (t < c->k)
		return delta < c->origin_point ? c->origin_point - delta : 0;
	delta += c->origin_point;
	return delta < U32_MAX ? delta : U32_MAX;
}

/**
 * xtcp_cubic_epoch() - start an epoch at the first ACK after a reduction
 * @c: the CUBIC state
 * @cwnd: congestion window, in segments
 * @acked: segments the ACK newly acknowledges
 * @now_ms: the time, in ms
 *
 * Below the last W_max, W(t) climbs back to it in K; at or above it (or
 * before any loss) the plateau is the current window and K is 0, so W(t)
 * only probes upwards.  W_est starts from the current window.
 */
static inline void xtcp_cubic_epoch(struct xtcp_cubic *c, u32 cwnd, u32 acked,
				    u32 now_ms)
{
	c->in_epoch = 1;
	c->epoch_start = now_ms;
	c->ack_cnt = acked;
	c->tcp_cwnd = cwnd;
	if (c->last_max_cwnd <= cwnd) {
		c->k = 0;
		c->origin_point = cwnd;
	} else {
		c->k = xtcp_cubic_k(c->last_max_cwnd - cwnd);
		c->origin_point = c->last_max_cwnd;
	}
}

/**
 * xtcp_cubic_friendly() - move W_est on, and keep up with it
 * @c: the CUBIC state
 * @cwnd: congestion window, in segments
 *
 * W_est gains a segment per 15/8 cwnd ACKed segments (RFC 9438 4.3);
 * while it is above cwnd, @cnt is lowered so that cwnd reaches W_est in
 * one more RTT: CUBIC is never slower than Reno.
 */
static inline void xtcp_cubic_friendly(struct xtcp_cubic *c, u32 cwnd)
{
	u64 per = ((u64)cwnd * XTCP_CUBIC_FRIENDLY) >> 3;
	u32 n, max_cnt;

	if (per > U32_MAX)
		per = U32_MAX;
	if (!per)
		per = 1;
	/* Linux's loop "while (ack_cnt > per) ack_cnt -= per" in one step:
	 * ack_cnt is left in [1, per].
	 */
	if (c->ack_cnt > per) {
		n = (c->ack_cnt - 1) / (u32)per;
		c->ack_cnt -= n * (u32)per;
		c->tcp_cwnd = n < U32_MAX - c->tcp_cwnd ? c->tcp_cwnd + n :
							  U32_MAX;
	}
	if (c->tcp_cwnd > cwnd) {
		max_cnt = cwnd / (c->tcp_cwnd - cwnd);
		if (c->cnt > max_cnt)
			c->cnt = max_cnt;
	}
}

/**
 * xtcp_cubic_update() - the growth rate, on an ACK in congestion avoidance
 * @c: the CUBIC state
 * @cwnd: congestion window, in segments
 * @acked: segments the ACK newly acknowledges
 * @now_ms: the time, in ms
 * @min_rtt_us: minimum RTT, in us (&xtcp_rtt_est.min_rtt_us)
 *
 * Linux's bictcp_update(): cnt = cwnd / (W(t + RTT) - cwnd), so that
 * cwnd reaches the target in one RTT; 100 * cwnd (almost flat) when cwnd
 * is at or above it; at most 20 (+5% per RTT) before the first loss,
 * when the plateau is unknown; at most what keeps pace with W_est; at
 * least 2, so that cwnd grows by at most half per RTT.  The cubic part
 * is not recomputed for an unchanged cwnd within %XTCP_CUBIC_RECALC_MS,
 * nor twice in the same millisecond.
 *
 * Return: cnt, ACKed segments per +1 segment, for xtcp_cong_avoid_ai().
 */
static inline u32 xtcp_cubic_update(struct xtcp_cubic *c, u32 cwnd, u32 acked,
				    u32 now_ms, u32 min_rtt_us)
{
	u32 target;

	c->ack_cnt += acked;
	if (c->last_cwnd == cwnd &&
	    (s32)(now_ms - c->last_time) <= (s32)XTCP_CUBIC_RECALC_MS)
		return c->cnt;

	if (!c->in_epoch || now_ms != c->last_time) {
		c->last_cwnd = cwnd;
		c->last_time = now_ms;
		if (!c->in_epoch)
			xtcp_cubic_epoch(c, cwnd, acked, now_ms);

		target = xtcp_cubic_target(c, now_ms, min_rtt_us);
		if (target > cwnd)
			c->cnt = cwnd / (target - cwnd);
		else
			c->cnt = cwnd < U32_MAX / 100 ? 100 * cwnd : U32_MAX;
		if (!c->last_max_cwnd && c->cnt > 20)
			c->cnt = 20;
	}

	xtcp_cubic_friendly(c, cwnd);
	if (c->cnt < 2)
		c->cnt = 2;
	return c->cnt;
}

/**
 * xtcp_cubic_cong_avoid() - grow a CUBIC window on an ACK
 * @c: the CUBIC state
 * @w: the window
 * @acked: segments newly acknowledged
 * @now_ms: the time, in ms
 * @min_rtt_us: minimum RTT, in us
 *
 * Slow start below ssthresh (without HyStart), then the cubic curve:
 * Linux's cubictcp_cong_avoid().
 */
static inline void xtcp_cubic_cong_avoid(struct xtcp_cubic *c,
					 struct xtcp_cwnd *w, u32 acked,
					 u32 now_ms, u32 min_rtt_us)
{
	u32 cnt;

	if (xtcp_in_slow_start(w)) {
		acked = xtcp_slow_start(w, acked);
		if (!acked)
			return;
	}
	cnt = xtcp_cubic_update(c, w->cwnd, acked, now_ms, min_rtt_us);
	xtcp_cong_avoid_ai(w, cnt, acked);
}

/**
 * xtcp_cubic_ssthresh() - CUBIC's slow start threshold after a loss
 * @c: the CUBIC state
 * @cwnd: congestion window when the loss was detected, in segments
 *
 * Ends the epoch and records W_max = cwnd.  With fast convergence (RFC
 * 9438 4.7), a loss below the previous W_max means another flow took
 * bandwidth: W_max is lowered to cwnd (1 + beta) / 2, so that this flow
 * gives some up.  The multiplicative decrease is beta_cubic (RFC 9438
 * 4.6), with Reno's floor of 2 segments.
 *
 * Return: max(cwnd * 717 / 1024, 2).
 */
static inline u32 xtcp_cubic_ssthresh(struct xtcp_cubic *c, u32 cwnd)
{
	u32 ssthresh;

	c->in_epoch = 0;
	if (cwnd < c->last_max_cwnd)
		c->last_max_cwnd = ((u64)cwnd *
				    ((1U << XTCP_CUBIC_SCALE_SHIFT) +
				     XTCP_CUBIC_BETA)) >>
				   (XTCP_CUBIC_SCALE_SHIFT + 1);
	else
		c->last_max_cwnd = cwnd;

	ssthresh = ((u64)cwnd * XTCP_CUBIC_BETA) >> XTCP_CUBIC_SCALE_SHIFT;
	return ssthresh > 2 ? ssthresh : 2;
}

/**
 * xtcp_cubic_idle() - the sender starts again after being idle
 * @c: the CUBIC state
 * @now_ms: the time, in ms
 * @last_send_ms: when the sender last sent, in ms
 *
 * An application-limited sender has not probed the network; the epoch
 * is shifted by the idle time so that W(t) resumes where it stopped
 * instead of jumping ahead (Linux's CA_EVENT_TX_START), but never into
 * the future.
 */
static inline void xtcp_cubic_idle(struct xtcp_cubic *c, u32 now_ms,
				   u32 last_send_ms)
{
	s32 idle = now_ms - last_send_ms;

	if (!c->in_epoch || idle <= 0)
		return;
	c->epoch_start += idle;
	if ((s32)(c->epoch_start - now_ms) > 0)
		c->epoch_start = now_ms;
}

#endif /* _XTCP_CC_MATH_H */
