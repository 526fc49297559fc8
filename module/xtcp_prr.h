/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Proportional Rate Reduction (RFC 6937), as pure logic shared by the
 * module and the userspace unit tests.
 *
 * A recovery brings the window from what was in flight when it began
 * (RecoverFS) down to ssthresh.  NewReno's inflation gets there in
 * bursts: nothing is sent for half a window of ACKs, then everything.
 * PRR spreads the reduction over the ACKs of the round trip instead:
 * while the pipe is above ssthresh, each ACK lets out ssthresh/RecoverFS
 * of what it delivered; once losses took the pipe below ssthresh, it
 * grows back towards it no faster than slow start (the slow start
 * reduction bound, PRR-SSRB, as Linux).
 *
 * Everything counts segments.  The caller feeds, on each ACK of the
 * recovery, the segments it delivered (newly acknowledged cumulatively
 * or by SACK) and the pipe (RFC 6675, after the ACK), and counts in
 * @out each segment it sends in the recovery, new or again.  Everything
 * runs under the socket lock.
 */
#ifndef _XTCP_PRR_H
#define _XTCP_PRR_H

#include <linux/types.h>
#ifdef __KERNEL__
#include <linux/math64.h>
#endif

/**
 * struct xtcp_prr - PRR's counts in one recovery
 * @recover_fs: segments in flight when the recovery began (RecoverFS)
 * @delivered: segments the peer got since then (prr_delivered)
 * @out: segments sent since then (prr_out)
 */
struct xtcp_prr {
	u32 recover_fs;
	u32 delivered;
	u32 out;
};

/**
 * xtcp_prr_init() - a recovery begins
 * @p: PRR state
 * @flight: segments in flight before it (snd.nxt - snd.una)
 */
static inline void xtcp_prr_init(struct xtcp_prr *p, u32 flight)
{
	p->recover_fs = flight ? flight : 1;
	p->delivered = 0;
	p->out = 0;
}

/**
 * xtcp_prr_sent() - segments left during the recovery
 * @p: PRR state
 * @segs: how many
 */
static inline void xtcp_prr_sent(struct xtcp_prr *p, u32 segs)
{
	p->out += segs;
}

/**
 * xtcp_prr_sndcnt() - how many segments an ACK of the recovery lets out
 * @p: PRR state
 * @delivered: segments this ACK delivered (DeliveredData)
 * @pipe: RFC 6675's pipe after the ACK
 * @ssthresh: the window the recovery aims at
 *
 * RFC 6937 section 3.1 with the slow start reduction bound.  The
 * caller sets cwnd to @pipe plus the result.
 *
 * Return: sndcnt, never negative.
 */
static inline u32 xtcp_prr_sndcnt(struct xtcp_prr *p, u32 delivered,
				  u32 pipe, u32 ssthresh)
{
	u64 target;
	u32 limit;

	p->delivered += delivered;
	if (pipe > ssthresh) {
		/* CEIL(prr_delivered * ssthresh / RecoverFS) - prr_out */
		target = div_u64((u64)p->delivered * ssthresh +
				 p->recover_fs - 1, p->recover_fs);
		return target > p->out ? (u32)(target - p->out) : 0;
	}
	limit = p->delivered > p->out ? p->delivered - p->out : 0;
	if (limit < delivered)
		limit = delivered;
	limit += 1;
	return ssthresh - pipe < limit ? ssthresh - pipe : limit;
}

#endif /* _XTCP_PRR_H */
