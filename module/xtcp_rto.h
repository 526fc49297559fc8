/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The retransmission timeout estimator of RFC 6298, as pure logic shared
 * by the module and the userspace unit tests.
 *
 * Times are microseconds in a u32 (70 minutes at most, far above any RTO
 * the module allows).  A struct xtcp_rtt_est lives in the connection's
 * control block; the caller owns its locking (the socket lock) and the
 * clock.  Every step widens to u64 where a product could pass 2^32, so
 * that no input, however large, wraps around.
 *
 * SRTT and RTTVAR are kept in whole microseconds: the shifts by 3 and 2
 * truncate, an error below 1 us, far below the clock granularity the
 * kernel measures with (a jiffy).
 *
 * What stays with the caller:
 *
 *  - Karn's algorithm (RFC 6298 section 3): a segment that was sent more
 *    than once gives no sample, since its ACK cannot tell which copy it
 *    acknowledges.  Only ACKs of segments sent exactly once are fed to
 *    xtcp_rtt_sample() (with timestamps, RFC 7323 lifts that rule).
 *  - The backoff count (RFC 6298 5.5): the timer is armed with
 *    xtcp_rto_backoff(est->rto_us, backoffs, max), the count grows on each
 *    expiry and goes back to 0 with the next valid sample only (Karn: an
 *    ACK of a retransmitted segment keeps the backed-off timer, as in
 *    Linux's tcp_ack_update_rtt()).  rto_us itself is never doubled, so
 *    that the RTO "collapses" back to SRTT + 4 RTTVAR on that sample.
 *  - The 3 s RTO that RFC 6298 5.7 asks for after a lost SYN.
 */
#ifndef _XTCP_RTO_H
#define _XTCP_RTO_H

#include <linux/types.h>

#define XTCP_RTO_INIT_US	1000000U	/* RFC 6298 2.1 */
#define XTCP_RTO_MIN_US		200000U		/* Linux's TCP_RTO_MIN */
#define XTCP_RTO_MAX_US		120000000U	/* Linux's TCP_RTO_MAX */

/**
 * struct xtcp_rtt_est - RTT estimator state of one connection
 * @srtt_us: smoothed round-trip time (SRTT)
 * @rttvar_us: round-trip time variation (RTTVAR)
 * @rto_us: retransmission timeout, before any backoff
 * @min_rtt_us: smallest sample seen, 0 before the first one
 * @has_sample: whether @srtt_us and @rttvar_us hold a measurement
 */
struct xtcp_rtt_est {
	u32 srtt_us;
	u32 rttvar_us;
	u32 rto_us;
	u32 min_rtt_us;
	u8 has_sample;
};

/**
 * xtcp_rtt_init() - start an estimator with no measurement
 * @est: the estimator
 * @rto_initial_us: RTO until the first sample: %XTCP_RTO_INIT_US (1 s,
 *	RFC 6298 2.1) unless the caller knows better
 */
static inline void xtcp_rtt_init(struct xtcp_rtt_est *est, u32 rto_initial_us)
{
	est->srtt_us = 0;
	est->rttvar_us = 0;
	est->rto_us = rto_initial_us;
	est->min_rtt_us = 0;
	est->has_sample = 0;
}

/**
 * xtcp_rtt_sample() - fold one RTT measurement into the estimator
 * @est: the estimator
 * @rtt_us: the measurement R, from a segment sent only once (Karn)
 * @granularity_us: clock granularity G (a jiffy, in microseconds)
 * @rto_min_us: lower bound of the RTO (%XTCP_RTO_MIN_US)
 * @rto_max_us: upper bound of the RTO (%XTCP_RTO_MAX_US), >= @rto_min_us
 *
 * RFC 6298 2.2 for the first sample: SRTT = R, RTTVAR = R/2.  Then 2.3,
 * in this order since RTTVAR uses the SRTT before the update:
 * RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R|, SRTT = 7/8 SRTT + 1/8 R.  Both:
 * RTO = SRTT + max(G, 4 RTTVAR), clamped to [@rto_min_us, @rto_max_us]
 * (RFC 6298 2.4 asks for a 1 s floor; like Linux, the caller picks one).
 */
static inline void xtcp_rtt_sample(struct xtcp_rtt_est *est, u32 rtt_us,
				   u32 granularity_us, u32 rto_min_us,
				   u32 rto_max_us)
{
	u64 var4, rto;
	u32 err;

	if (!est->has_sample) {
		est->srtt_us = rtt_us;
		est->rttvar_us = rtt_us >> 1;
		est->min_rtt_us = rtt_us;
		est->has_sample = 1;
	} else {
		err = est->srtt_us > rtt_us ? est->srtt_us - rtt_us :
					      rtt_us - est->srtt_us;
		/* 3 * U32_MAX + U32_MAX < 2^34 and 7 * U32_MAX + U32_MAX
		 * < 2^35: u64 holds both sums, the shifts bring them back
		 * under 2^32.
		 */
		est->rttvar_us = ((u64)est->rttvar_us * 3 + err) >> 2;
		est->srtt_us = ((u64)est->srtt_us * 7 + rtt_us) >> 3;
		if (rtt_us < est->min_rtt_us)
			est->min_rtt_us = rtt_us;
	}

	var4 = (u64)est->rttvar_us << 2;
	rto = est->srtt_us + (var4 > granularity_us ? var4 : granularity_us);
	if (rto < rto_min_us)
		rto = rto_min_us;
	if (rto > rto_max_us)
		rto = rto_max_us;
	est->rto_us = rto;
}

/**
 * xtcp_rto_backoff() - the RTO after some expiries of the timer
 * @rto_us: the RTO before backoff (&xtcp_rtt_est.rto_us)
 * @backoffs: expiries since new data was last acknowledged
 * @rto_max_us: cap of the result
 *
 * RFC 6298 5.5 doubles the RTO at each expiry; 2.5 allows a cap, which
 * must be at least 60 s.  A u32 shifted by up to 32 bits fits in a
 * u64, so the shift never loses bits and the cap is always applied to the
 * true value.
 *
 * Return: min(@rto_us * 2^@backoffs, @rto_max_us).
 */
static inline u32 xtcp_rto_backoff(u32 rto_us, unsigned int backoffs,
				   u32 rto_max_us)
{
	u64 rto;

	if (backoffs > 32)
		backoffs = 32;
	rto = (u64)rto_us << backoffs;
	return rto > rto_max_us ? rto_max_us : rto;
}

#endif /* _XTCP_RTO_H */
