// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for module/xtcp_rto.h: RFC 6298 values worked out by hand,
 * the clock granularity, the bounds, exponential backoff and its cap,
 * inputs at the top of the u32 range, and Karn's rule as a caller keeps
 * it.
 */
#include "../../module/xtcp_rto.h"
#include "kselftest_harness.h"

#define G_US	4000		/* a jiffy at HZ=250 */
#define MIN_US	XTCP_RTO_MIN_US
#define MAX_US	XTCP_RTO_MAX_US

TEST(initial_rto)
{
	struct xtcp_rtt_est est;

	xtcp_rtt_init(&est, XTCP_RTO_INIT_US);
	EXPECT_EQ(1000000, est.rto_us);
	EXPECT_EQ(0, est.has_sample);
	EXPECT_EQ(0, est.min_rtt_us);
}

/* RFC 6298 2.2: SRTT = R, RTTVAR = R/2, RTO = SRTT + 4 RTTVAR. */
TEST(first_sample)
{
	struct xtcp_rtt_est est;

	xtcp_rtt_init(&est, XTCP_RTO_INIT_US);
	xtcp_rtt_sample(&est, 100001, G_US, MIN_US, MAX_US);
	EXPECT_EQ(1, est.has_sample);
	EXPECT_EQ(100001, est.srtt_us);
	EXPECT_EQ(50000, est.rttvar_us);	/* 100001 / 2, truncated */
	EXPECT_EQ(300001, est.rto_us);		/* 100001 + 4 * 50000 */
	EXPECT_EQ(100001, est.min_rtt_us);
}

/*
 * RFC 6298 2.3, by hand, RTTVAR first (with the old SRTT), then SRTT:
 *
 *  R       RTTVAR                             SRTT                   RTO
 *  100000  50000                              100000                 300000
 *  120000  (150000 + 20000) / 4 = 42500       820000 / 8 = 102500    272500
 *   80000  (127500 + 22500) / 4 = 37500       797500 / 8 = 99687     249687
 *  100000  (112500 + 313) / 4 = 28203         797809 / 8 = 99726     212538
 *  100000  (84609 + 274) / 4 = 21220          798082 / 8 = 99760     184640
 *
 * and the last RTO is raised to the 200 ms floor.
 */
TEST(sample_sequence)
{
	static const u32 r[] = { 100000, 120000, 80000, 100000, 100000 };
	static const u32 rttvar[] = { 50000, 42500, 37500, 28203, 21220 };
	static const u32 srtt[] = { 100000, 102500, 99687, 99726, 99760 };
	static const u32 rto[] = { 300000, 272500, 249687, 212538, 200000 };
	struct xtcp_rtt_est est;
	unsigned int i;

	xtcp_rtt_init(&est, XTCP_RTO_INIT_US);
	for (i = 0; i < ARRAY_SIZE(r); i++) {
		xtcp_rtt_sample(&est, r[i], G_US, MIN_US, MAX_US);
		EXPECT_EQ(rttvar[i], est.rttvar_us) TH_LOG("sample %u", i);
		EXPECT_EQ(srtt[i], est.srtt_us) TH_LOG("sample %u", i);
		EXPECT_EQ(rto[i], est.rto_us) TH_LOG("sample %u", i);
	}
	EXPECT_EQ(80000, est.min_rtt_us);
}

/* Identical samples: RTTVAR decays by 3/4 each time, SRTT stays. */
TEST(steady_rtt_decays_rttvar)
{
	struct xtcp_rtt_est est;

	xtcp_rtt_init(&est, XTCP_RTO_INIT_US);
	xtcp_rtt_sample(&est, 64000, 0, 0, MAX_US);
	EXPECT_EQ(32000, est.rttvar_us);
	xtcp_rtt_sample(&est, 64000, 0, 0, MAX_US);
	EXPECT_EQ(24000, est.rttvar_us);
	xtcp_rtt_sample(&est, 64000, 0, 0, MAX_US);
	EXPECT_EQ(18000, est.rttvar_us);
	EXPECT_EQ(64000, est.srtt_us);
	EXPECT_EQ(64000 + 4 * 18000, est.rto_us);
}

/* When 4 RTTVAR is below a clock tick, the tick is the margin. */
TEST(granularity_floor)
{
	struct xtcp_rtt_est est;

	xtcp_rtt_init(&est, XTCP_RTO_INIT_US);
	xtcp_rtt_sample(&est, 1000, G_US, 0, MAX_US);
	EXPECT_EQ(500, est.rttvar_us);
	EXPECT_EQ(1000 + G_US, est.rto_us);	/* not 1000 + 2000 */

	/* Without the tick, 4 RTTVAR. */
	xtcp_rtt_init(&est, XTCP_RTO_INIT_US);
	xtcp_rtt_sample(&est, 1000, 1, 0, MAX_US);
	EXPECT_EQ(3000, est.rto_us);
}

TEST(clamped_to_min)
{
	struct xtcp_rtt_est est;

	xtcp_rtt_init(&est, XTCP_RTO_INIT_US);
	xtcp_rtt_sample(&est, 1000, G_US, MIN_US, MAX_US);
	EXPECT_EQ(200000, est.rto_us);
	/* SRTT and RTTVAR are not clamped, only the RTO. */
	EXPECT_EQ(1000, est.srtt_us);
	EXPECT_EQ(500, est.rttvar_us);
}

TEST(clamped_to_max)
{
	struct xtcp_rtt_est est;

	xtcp_rtt_init(&est, XTCP_RTO_INIT_US);
	/* 100 s + 4 * 50 s = 300 s */
	xtcp_rtt_sample(&est, 100000000, G_US, MIN_US, MAX_US);
	EXPECT_EQ(120000000, est.rto_us);
	EXPECT_EQ(100000000, est.srtt_us);
}

/* RTTVAR * 4 and SRTT * 7 pass 2^32 on the way: nothing wraps. */
TEST(huge_samples)
{
	struct xtcp_rtt_est est;

	xtcp_rtt_init(&est, XTCP_RTO_INIT_US);
	xtcp_rtt_sample(&est, U32_MAX, G_US, MIN_US, U32_MAX);
	EXPECT_EQ(U32_MAX, est.srtt_us);
	EXPECT_EQ(2147483647, est.rttvar_us);
	EXPECT_EQ(U32_MAX, est.rto_us);

	/* RTTVAR = (3 * 2147483647 + 4294967295) / 4 = 10737418236 / 4,
	 * SRTT = 7 * 4294967295 / 8 = 30064771065 / 8, truncated.
	 */
	xtcp_rtt_sample(&est, 0, G_US, MIN_US, U32_MAX);
	EXPECT_EQ(2684354559U, est.rttvar_us);
	EXPECT_EQ(3758096383U, est.srtt_us);
	EXPECT_EQ(U32_MAX, est.rto_us);
	EXPECT_EQ(0, est.min_rtt_us);

	/* With the usual cap. */
	xtcp_rtt_sample(&est, U32_MAX, G_US, MIN_US, MAX_US);
	EXPECT_EQ(120000000, est.rto_us);
}

/* A zero RTT (loopback, coarse clock) is a valid sample. */
TEST(zero_sample)
{
	struct xtcp_rtt_est est;

	xtcp_rtt_init(&est, XTCP_RTO_INIT_US);
	xtcp_rtt_sample(&est, 0, G_US, 0, MAX_US);
	EXPECT_EQ(1, est.has_sample);
	EXPECT_EQ(0, est.srtt_us);
	EXPECT_EQ(0, est.rttvar_us);
	EXPECT_EQ(G_US, est.rto_us);
}

TEST(min_rtt_tracks_smallest)
{
	static const u32 r[] = { 50000, 70000, 30000, 90000, 31000 };
	static const u32 min[] = { 50000, 50000, 30000, 30000, 30000 };
	struct xtcp_rtt_est est;
	unsigned int i;

	xtcp_rtt_init(&est, XTCP_RTO_INIT_US);
	for (i = 0; i < ARRAY_SIZE(r); i++) {
		xtcp_rtt_sample(&est, r[i], G_US, MIN_US, MAX_US);
		EXPECT_EQ(min[i], est.min_rtt_us) TH_LOG("sample %u", i);
	}
}

TEST(backoff_doubles)
{
	EXPECT_EQ(300000, xtcp_rto_backoff(300000, 0, MAX_US));
	EXPECT_EQ(600000, xtcp_rto_backoff(300000, 1, MAX_US));
	EXPECT_EQ(1200000, xtcp_rto_backoff(300000, 2, MAX_US));
	EXPECT_EQ(2400000, xtcp_rto_backoff(300000, 3, MAX_US));
	EXPECT_EQ(76800000, xtcp_rto_backoff(300000, 8, MAX_US));
}

/* 1 s doubles 6 times to 64 s; the 7th (128 s) is capped at 120 s. */
TEST(backoff_cap)
{
	EXPECT_EQ(64000000, xtcp_rto_backoff(1000000, 6, MAX_US));
	EXPECT_EQ(120000000, xtcp_rto_backoff(1000000, 7, MAX_US));
	EXPECT_EQ(120000000, xtcp_rto_backoff(1000000, 15, MAX_US));
	/* An RTO already above the cap is brought down to it. */
	EXPECT_EQ(120000000, xtcp_rto_backoff(130000000, 0, MAX_US));
	/* Exactly on the cap. */
	EXPECT_EQ(120000000, xtcp_rto_backoff(60000000, 1, MAX_US));
}

/* Shifts that would lose bits in 32 (or 64) bits still hit the cap. */
TEST(backoff_no_overflow)
{
	unsigned int n;

	/* 2^31 << 1 is 0 in a u32. */
	EXPECT_EQ(U32_MAX, xtcp_rto_backoff(0x80000000U, 1, U32_MAX));
	EXPECT_EQ(MAX_US, xtcp_rto_backoff(U32_MAX, 32, MAX_US));
	EXPECT_EQ(MAX_US, xtcp_rto_backoff(1, 32, MAX_US));
	EXPECT_EQ(MAX_US, xtcp_rto_backoff(1, 64, MAX_US));
	EXPECT_EQ(U32_MAX, xtcp_rto_backoff(1, 1000, U32_MAX));
	EXPECT_EQ(U32_MAX, xtcp_rto_backoff(U32_MAX, ~0U, U32_MAX));
	/* 2^31 fits exactly: 1 << 31. */
	EXPECT_EQ(0x80000000U, xtcp_rto_backoff(1, 31, U32_MAX));
	EXPECT_EQ(0, xtcp_rto_backoff(0, 40, MAX_US));
	/* Monotone in the count, up to the cap. */
	for (n = 1; n < 100; n++)
		ASSERT_LE(xtcp_rto_backoff(3, n - 1, MAX_US),
			  xtcp_rto_backoff(3, n, MAX_US)) TH_LOG("n %u", n);
}

/*
 * Karn's algorithm, kept by the caller: a sender that times each segment
 * and marks the ones it sent again.  An ACK of a retransmitted segment
 * gives no sample and keeps the backed-off timer; the next segment sent
 * once gives a sample, which also ends the backoff.
 */
struct seg {
	u32 sent_us;
	bool retransmitted;
};

struct sender {
	struct xtcp_rtt_est est;
	unsigned int backoffs;
};

static u32 timer_us(const struct sender *s)
{
	return xtcp_rto_backoff(s->est.rto_us, s->backoffs, MAX_US);
}

static void on_timeout(struct sender *s, struct seg *seg, u32 now_us)
{
	s->backoffs++;
	seg->retransmitted = true;
	seg->sent_us = now_us;
}

static void on_ack(struct sender *s, const struct seg *seg, u32 now_us)
{
	if (seg->retransmitted)
		return;
	xtcp_rtt_sample(&s->est, now_us - seg->sent_us, G_US, MIN_US, MAX_US);
	s->backoffs = 0;
}

TEST(karn_caller_pattern)
{
	struct sender s = { .backoffs = 0 };
	struct seg a = { .sent_us = 0 }, b;

	xtcp_rtt_init(&s.est, XTCP_RTO_INIT_US);
	on_ack(&s, &a, 100000);
	EXPECT_EQ(300000, s.est.rto_us);

	/* b is lost twice, then acknowledged 10 ms after the third copy
	 * left.  Had its ACK been timed from the first copy, R would be
	 * 910 ms; from the last, 10 ms.  Neither is used.
	 */
	b.sent_us = 1000000;
	b.retransmitted = false;
	on_timeout(&s, &b, b.sent_us + timer_us(&s));
	EXPECT_EQ(1300000, b.sent_us);
	EXPECT_EQ(600000, timer_us(&s));
	on_timeout(&s, &b, b.sent_us + timer_us(&s));
	EXPECT_EQ(1900000, b.sent_us);
	EXPECT_EQ(1200000, timer_us(&s));
	on_ack(&s, &b, 1910000);
	EXPECT_EQ(100000, s.est.srtt_us);
	EXPECT_EQ(50000, s.est.rttvar_us);
	EXPECT_EQ(300000, s.est.rto_us);
	EXPECT_EQ(1200000, timer_us(&s));	/* still backed off */

	/* The next segment sent once is timed, and the RTO collapses. */
	a.sent_us = 2000000;
	a.retransmitted = false;
	on_ack(&s, &a, 2120000);
	EXPECT_EQ(42500, s.est.rttvar_us);
	EXPECT_EQ(102500, s.est.srtt_us);
	EXPECT_EQ(272500, s.est.rto_us);
	EXPECT_EQ(272500, timer_us(&s));
}

TEST_HARNESS_MAIN
