// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for module/xtcp_cc_math.h.
 *
 * NewReno: the RFC 5681 initial window, slow start doubling per RTT and
 * handing its leftover to congestion avoidance, +1 segment per window,
 * ssthresh halving with a floor of 2, the RFC 6582 recovery steps.
 *
 * CUBIC: an exact cube root, K, the beta decrease, fast convergence,
 * then whole flows simulated round by round against a fixed RTT, with
 * each ACK of a window spread over the round: the window must follow
 * RFC 9438's W(t) = C (t - K)^3 + W_max, concave below W_max and convex
 * above it, or the TCP-friendly estimate where that is faster.  The
 * reference curves are computed in floating point, here only.
 */
#include "../../module/xtcp_cc_math.h"
#include "kselftest_harness.h"

#define BIG_CLAMP	0x1000000U	/* 2^24 segments */

/* Cube root by Newton's method, for the reference curves. */
static double ref_cbrt(double x)
{
	double y = x > 1 ? x : 1;
	int i;

	for (i = 0; i < 200; i++)
		y = (2 * y + x / (y * y)) / 3;
	return y;
}

/* RFC 9438 equation 1, t and K in seconds. */
static double ref_w_cubic(double t, double k, double w_max)
{
	return 0.4 * (t - k) * (t - k) * (t - k) + w_max;
}

static void set_window(struct xtcp_cwnd *w, u32 cwnd, u32 ssthresh)
{
	xtcp_cwnd_init(w, cwnd, BIG_CLAMP);
	w->ssthresh = ssthresh;
}

/* One RTT of NewReno: the whole window is ACKed, segment by segment. */
static void reno_round(struct xtcp_cwnd *w)
{
	u32 i, n = w->cwnd;

	for (i = 0; i < n; i++)
		xtcp_reno_cong_avoid(w, 1);
}

/*
 * One RTT of CUBIC from *now_ms: the window's ACKs arrive evenly spread
 * over the round.
 */
static void cubic_round(struct xtcp_cubic *c, struct xtcp_cwnd *w,
			u32 *now_ms, u32 rtt_ms)
{
	u32 i, n = w->cwnd;

	for (i = 0; i < n; i++)
		xtcp_cubic_cong_avoid(c, w, 1, *now_ms + (u64)i * rtt_ms / n,
				      rtt_ms * 1000);
	*now_ms += rtt_ms;
}

/* RFC 3390: 4380 bytes and 2 to 4 segments. */
TEST(iw_rfc5681)
{
	static const u32 mss[] = { 536, 1095, 1096, 1460, 1461, 2189, 2190,
				   8960, 65535 };
	static const u32 iw[] = { 4, 4, 3, 3, 2, 2, 2, 2, 2 };
	unsigned int i;
	u32 m, cap;

	for (i = 0; i < ARRAY_SIZE(mss); i++)
		EXPECT_EQ(iw[i], xtcp_iw_rfc5681(mss[i]))
			TH_LOG("mss %u", mss[i]);
	/* Every MSS: the most whole segments within the byte limit. */
	for (m = 1; m <= 9000; m++) {
		cap = 2 * m > 4380 ? 2 * m : 4380;
		cap = 4 * m < cap ? 4 * m : cap;
		ASSERT_GE(cap, xtcp_iw_rfc5681(m) * m) TH_LOG("mss %u", m);
		ASSERT_LT(cap, (xtcp_iw_rfc5681(m) + 1) * m) TH_LOG("mss %u", m);
	}
	EXPECT_EQ(10, XTCP_IW10);
}

TEST(init)
{
	struct xtcp_cwnd w;

	xtcp_cwnd_init(&w, 10, 1000);
	EXPECT_EQ(10, w.cwnd);
	EXPECT_EQ(0x7fffffff, w.ssthresh);
	EXPECT_EQ(0, w.cwnd_cnt);
	EXPECT_EQ(1000, w.clamp);
	EXPECT_TRUE(xtcp_in_slow_start(&w));
	/* The clamp wins over the initial window. */
	xtcp_cwnd_init(&w, 10, 4);
	EXPECT_EQ(4, w.cwnd);
}

TEST(slow_start_doubles_per_rtt)
{
	struct xtcp_cwnd w;

	xtcp_cwnd_init(&w, 10, BIG_CLAMP);
	reno_round(&w);
	EXPECT_EQ(20, w.cwnd);
	reno_round(&w);
	EXPECT_EQ(40, w.cwnd);
	reno_round(&w);
	EXPECT_EQ(80, w.cwnd);
	reno_round(&w);
	EXPECT_EQ(160, w.cwnd);
	EXPECT_EQ(0, w.cwnd_cnt);
	/* A stretch ACK counts every segment it covers. */
	xtcp_reno_cong_avoid(&w, 40);
	EXPECT_EQ(200, w.cwnd);
}

TEST(slow_start_stops_at_ssthresh)
{
	struct xtcp_cwnd w;

	set_window(&w, 40, 50);
	EXPECT_EQ(5, xtcp_slow_start(&w, 15));
	EXPECT_EQ(50, w.cwnd);
	EXPECT_FALSE(xtcp_in_slow_start(&w));
	/* At ssthresh, slow start takes nothing. */
	EXPECT_EQ(7, xtcp_slow_start(&w, 7));
	EXPECT_EQ(50, w.cwnd);

	/* The leftover goes to congestion avoidance. */
	set_window(&w, 40, 50);
	xtcp_reno_cong_avoid(&w, 15);
	EXPECT_EQ(50, w.cwnd);
	EXPECT_EQ(5, w.cwnd_cnt);

	/* Per RTT: 10, 20, then 12 ACKs reach 32 and 8 are left over. */
	set_window(&w, 10, 32);
	reno_round(&w);
	EXPECT_EQ(20, w.cwnd);
	EXPECT_EQ(0, w.cwnd_cnt);
	reno_round(&w);
	EXPECT_EQ(32, w.cwnd);
	EXPECT_EQ(8, w.cwnd_cnt);
	/* 24 more ACKs complete the window: 33, and 8 again. */
	reno_round(&w);
	EXPECT_EQ(33, w.cwnd);
	EXPECT_EQ(8, w.cwnd_cnt);
}

TEST(ca_one_segment_per_window)
{
	struct xtcp_cwnd w;
	u32 i;

	set_window(&w, 10, 10);
	for (i = 0; i < 9; i++)
		xtcp_reno_cong_avoid(&w, 1);
	EXPECT_EQ(10, w.cwnd);
	EXPECT_EQ(9, w.cwnd_cnt);
	xtcp_reno_cong_avoid(&w, 1);
	EXPECT_EQ(11, w.cwnd);
	EXPECT_EQ(0, w.cwnd_cnt);

	for (i = 1; i <= 100; i++) {
		reno_round(&w);
		ASSERT_EQ(11 + i, w.cwnd);
		ASSERT_EQ(0, w.cwnd_cnt);
	}

	/* A stretch ACK of 2.5 windows. */
	set_window(&w, 10, 10);
	xtcp_cong_avoid_ai(&w, 10, 25);
	EXPECT_EQ(12, w.cwnd);
	EXPECT_EQ(5, w.cwnd_cnt);
}

/* Credit gathered under a larger w buys one segment, not a burst. */
TEST(ca_old_credit)
{
	struct xtcp_cwnd w;

	set_window(&w, 10, 10);
	w.cwnd_cnt = 35;
	xtcp_cong_avoid_ai(&w, 10, 3);
	EXPECT_EQ(11, w.cwnd);
	EXPECT_EQ(3, w.cwnd_cnt);
	/* w = 0 is taken as 1: the old credit, then 2. */
	xtcp_cong_avoid_ai(&w, 0, 2);
	EXPECT_EQ(14, w.cwnd);
	EXPECT_EQ(0, w.cwnd_cnt);
}

TEST(no_overflow)
{
	struct xtcp_cwnd w;

	/* cwnd_cnt + acked passes 2^32: U32_MAX + 3 = one w, and 3. */
	set_window(&w, 100, 100);
	w.cwnd_cnt = U32_MAX - 2;
	xtcp_cong_avoid_ai(&w, U32_MAX, 5);
	EXPECT_EQ(101, w.cwnd);
	EXPECT_EQ(3, w.cwnd_cnt);

	set_window(&w, 100, 100);
	xtcp_cong_avoid_ai(&w, 1, U32_MAX);
	EXPECT_EQ(BIG_CLAMP, w.cwnd);

	/* Slow start up to a clamp and an ssthresh at the top. */
	xtcp_cwnd_init(&w, 10, U32_MAX);
	w.cwnd = U32_MAX - 3;
	w.ssthresh = U32_MAX;
	EXPECT_EQ(7, xtcp_slow_start(&w, 10));
	EXPECT_EQ(U32_MAX, w.cwnd);
	xtcp_reno_cong_avoid(&w, U32_MAX);
	EXPECT_EQ(U32_MAX, w.cwnd);

	/* A window above a lowered clamp comes back to it. */
	set_window(&w, 100, 100);
	w.clamp = 50;
	xtcp_cong_avoid_ai(&w, 100, 1);
	EXPECT_EQ(50, w.cwnd);
}

/* RFC 5681 equation (4). */
TEST(reno_ssthresh_halves)
{
	EXPECT_EQ(10, xtcp_reno_ssthresh(20));
	EXPECT_EQ(10, xtcp_reno_ssthresh(21));
	EXPECT_EQ(3, xtcp_reno_ssthresh(6));
	EXPECT_EQ(2, xtcp_reno_ssthresh(5));
	EXPECT_EQ(2, xtcp_reno_ssthresh(4));
	EXPECT_EQ(2, xtcp_reno_ssthresh(3));
	EXPECT_EQ(2, xtcp_reno_ssthresh(1));
	EXPECT_EQ(2, xtcp_reno_ssthresh(0));
	EXPECT_EQ(0x7fffffff, xtcp_reno_ssthresh(U32_MAX));
}

TEST(timeout_restarts_slow_start)
{
	struct xtcp_cwnd w;

	set_window(&w, 40, 30);
	w.cwnd_cnt = 17;
	xtcp_cwnd_timeout(&w, xtcp_reno_ssthresh(40));
	EXPECT_EQ(1, w.cwnd);
	EXPECT_EQ(20, w.ssthresh);
	EXPECT_EQ(0, w.cwnd_cnt);
	reno_round(&w);
	reno_round(&w);
	reno_round(&w);
	reno_round(&w);
	EXPECT_EQ(16, w.cwnd);
	reno_round(&w);
	EXPECT_EQ(20, w.cwnd);
	EXPECT_EQ(12, w.cwnd_cnt);
}

/* RFC 5681 3.2 and RFC 6582 3.2, step by step. */
TEST(newreno_recovery)
{
	struct xtcp_cwnd w;
	int i;

	set_window(&w, 20, 100);
	w.cwnd_cnt = 9;
	xtcp_newreno_enter(&w, xtcp_reno_ssthresh(20));
	EXPECT_EQ(10, w.ssthresh);
	EXPECT_EQ(13, w.cwnd);
	EXPECT_EQ(0, w.cwnd_cnt);
	for (i = 0; i < 4; i++)
		xtcp_newreno_dupack(&w);
	EXPECT_EQ(17, w.cwnd);
	/* Partial ACK of 5 segments: deflate by 5, add back 1. */
	xtcp_newreno_partial_ack(&w, 5);
	EXPECT_EQ(13, w.cwnd);
	/* Full ACK: min(ssthresh, max(flight, 1) + 1). */
	xtcp_newreno_full_ack(&w, 6);
	EXPECT_EQ(7, w.cwnd);
	xtcp_newreno_full_ack(&w, 9);
	EXPECT_EQ(10, w.cwnd);
	xtcp_newreno_full_ack(&w, 12);
	EXPECT_EQ(10, w.cwnd);
	xtcp_newreno_full_ack(&w, 0);
	EXPECT_EQ(2, w.cwnd);
	EXPECT_EQ(10, w.ssthresh);

	/* A partial ACK larger than the window leaves one segment. */
	w.cwnd = 3;
	xtcp_newreno_partial_ack(&w, 10);
	EXPECT_EQ(1, w.cwnd);
}

TEST(newreno_full_or_partial)
{
	EXPECT_FALSE(xtcp_newreno_is_full_ack(999, 1000));
	EXPECT_TRUE(xtcp_newreno_is_full_ack(1000, 1000));
	EXPECT_TRUE(xtcp_newreno_is_full_ack(1001, 1000));
	/* Across the wrap of sequence space. */
	EXPECT_FALSE(xtcp_newreno_is_full_ack(0xfffffff0, 5));
	EXPECT_TRUE(xtcp_newreno_is_full_ack(5, 0xfffffff0));
}

TEST(cbrt_exact_on_cubes)
{
	unsigned long long y;

	EXPECT_EQ(0, xtcp_cubic_cbrt(0));
	/* 2642245^3 <= 2^64 - 1 < 2642246^3 */
	EXPECT_EQ(2642245, xtcp_cubic_cbrt(~0ULL));
	for (y = 1; y <= 2642245; y++) {
		ASSERT_EQ(y, xtcp_cubic_cbrt(y * y * y)) TH_LOG("y %llu", y);
		ASSERT_EQ(y - 1, xtcp_cubic_cbrt(y * y * y - 1))
			TH_LOG("y %llu", y);
	}
}

TEST(cbrt_monotone)
{
	unsigned long long x;
	u32 prev = 0, r;
	int s;

	for (x = 0; x < (1 << 22); x++) {
		r = xtcp_cubic_cbrt(x);
		ASSERT_TRUE(r == prev || r == prev + 1) TH_LOG("x %llu", x);
		prev = r;
	}
	/* Around every power of two, up to the top of the range. */
	for (s = 22; s < 64; s++) {
		for (x = (1ULL << s) - 1000; x < (1ULL << s) + 1000; x++) {
			ASSERT_LE(xtcp_cubic_cbrt(x), xtcp_cubic_cbrt(x + 1));
			r = xtcp_cubic_cbrt(x);
			ASSERT_LE((u64)r * r * r, x);
		}
	}
}

/* K = cbrt((W_max - cwnd) / C), in 2^-10 s. */
TEST(cubic_k)
{
	static const u32 gap[] = { 1, 2, 30, 300, 3000, 1000000 };
	u64 rad, k;
	double ref;
	unsigned int i;

	EXPECT_EQ(0, xtcp_cubic_k(0));
	EXPECT_EQ(1389, xtcp_cubic_k(1));	/* 1.356 s; RFC: 1.357 s */
	EXPECT_EQ(9300, xtcp_cubic_k(300));	/* 9.082 s; RFC: 9.086 s */
	/* The largest gap: no overflow of the radicand. */
	EXPECT_EQ(2258353, xtcp_cubic_k(U32_MAX));

	for (i = 0; i < ARRAY_SIZE(gap); i++) {
		k = xtcp_cubic_k(gap[i]);
		rad = XTCP_CUBIC_CUBE_FACTOR * gap[i];
		EXPECT_LE(k * k * k, rad) TH_LOG("gap %u", gap[i]);
		EXPECT_GT((k + 1) * (k + 1) * (k + 1), rad)
			TH_LOG("gap %u", gap[i]);
		/* C = 410/1024 and truncation: within 0.1% of the RFC. */
		ref = ref_cbrt(gap[i] / 0.4);
		EXPECT_GT(0.001 * ref, ref - k / 1024.0) TH_LOG("gap %u",
								gap[i]);
		EXPECT_LE(0, ref - k / 1024.0) TH_LOG("gap %u", gap[i]);
	}
}

/* RFC 9438 4.6: cwnd * beta_cubic, with beta = 717/1024. */
TEST(cubic_window_after_loss)
{
	struct xtcp_cubic c;
	u32 cwnd;

	xtcp_cubic_reset(&c);
	EXPECT_EQ(700, xtcp_cubic_ssthresh(&c, 1000));
	EXPECT_EQ(1000, c.last_max_cwnd);
	EXPECT_EQ(0, c.in_epoch);

	for (cwnd = 3; cwnd <= 100000; cwnd++) {
		xtcp_cubic_reset(&c);
		ASSERT_EQ((u64)cwnd * 717 / 1024,
			  xtcp_cubic_ssthresh(&c, cwnd)) TH_LOG("cwnd %u",
								cwnd);
	}
	xtcp_cubic_reset(&c);
	EXPECT_EQ(7, xtcp_cubic_ssthresh(&c, 10));
	EXPECT_EQ(2, xtcp_cubic_ssthresh(&c, 2));
	EXPECT_EQ(2, xtcp_cubic_ssthresh(&c, 1));
	/* 4294967295 * 717 / 1024, computed in 64 bits */
	xtcp_cubic_reset(&c);
	EXPECT_EQ(3007315967U, xtcp_cubic_ssthresh(&c, U32_MAX));
}

/* RFC 9438 4.7: a loss below the last W_max lowers W_max further. */
TEST(cubic_fast_convergence)
{
	struct xtcp_cubic c;

	xtcp_cubic_reset(&c);
	xtcp_cubic_ssthresh(&c, 1000);
	EXPECT_EQ(1000, c.last_max_cwnd);
	/* 800 < 1000: W_max = 800 * (1 + 0.7) / 2 = 800 * 1741 / 2048 */
	EXPECT_EQ(560, xtcp_cubic_ssthresh(&c, 800));
	EXPECT_EQ(680, c.last_max_cwnd);
	/* 900 >= 680: the flow got bandwidth back, W_max = cwnd */
	EXPECT_EQ(630, xtcp_cubic_ssthresh(&c, 900));
	EXPECT_EQ(900, c.last_max_cwnd);
	/* Equal is not below. */
	xtcp_cubic_ssthresh(&c, 900);
	EXPECT_EQ(900, c.last_max_cwnd);
	/* 4294967294 * 1741 / 2048, without overflow */
	c.last_max_cwnd = U32_MAX;
	xtcp_cubic_ssthresh(&c, U32_MAX - 1);
	EXPECT_EQ(3651141630U, c.last_max_cwnd);
}

/*
 * A flow at W_max = 1000 loses, drops to 700 and runs 25 s at 100 ms.
 * cwnd[r] is the window after r rounds, r * 100 ms into the epoch.
 */
#define CURVE_RTT_MS	100
#define CURVE_ROUNDS	250

static void cubic_curve(u32 *cwnd, struct xtcp_cubic *c)
{
	u32 now = 123456;
	struct xtcp_cwnd w;
	int r;

	xtcp_cubic_reset(c);
	set_window(&w, 1000, 1000);
	w.ssthresh = xtcp_cubic_ssthresh(c, w.cwnd);
	w.cwnd = w.ssthresh;	/* after recovery */
	cwnd[0] = w.cwnd;
	for (r = 1; r <= CURVE_ROUNDS; r++) {
		cubic_round(c, &w, &now, CURVE_RTT_MS);
		cwnd[r] = w.cwnd;
	}
}

TEST(cubic_follows_rfc9438_curve)
{
	u32 cwnd[CURVE_ROUNDS + 1];
	struct xtcp_cubic c;
	double k, t, want;
	int r;

	cubic_curve(cwnd, &c);
	EXPECT_EQ(700, cwnd[0]);
	EXPECT_EQ(9300, c.k);
	EXPECT_EQ(1000, c.origin_point);
	k = ref_cbrt(300 / 0.4);
	for (r = 1; r <= CURVE_ROUNDS; r++) {
		t = r * CURVE_RTT_MS / 1000.0;
		want = ref_w_cubic(t, k, 1000);
		/* 3 segments: 0.3% of W_max, 0.1% at the end */
		EXPECT_GE(3.0, cwnd[r] - want) TH_LOG("t %.1f: %u vs %.1f", t,
						      cwnd[r], want);
		EXPECT_GE(3.0, want - cwnd[r]) TH_LOG("t %.1f: %u vs %.1f", t,
						      cwnd[r], want);
		/* No overshoot of the plateau before K. */
		if (t < k)
			EXPECT_GE(1000, cwnd[r]) TH_LOG("t %.1f", t);
	}
	/* The plateau is reached around K, 9.1 s. */
	EXPECT_GT(1000, cwnd[70]);
	EXPECT_EQ(1000, cwnd[91]);
	EXPECT_EQ(1000, cwnd[100]);
}

/* Growth per second shrinks up to W_max and swells after it. */
TEST(cubic_concave_then_convex)
{
	u32 cwnd[CURVE_ROUNDS + 1];
	struct xtcp_cubic c;
	int d[CURVE_ROUNDS / 10];
	int s;

	cubic_curve(cwnd, &c);
	for (s = 0; s < CURVE_ROUNDS / 10; s++) {
		d[s] = cwnd[10 * s + 10] - cwnd[10 * s];
		EXPECT_LE(0, d[s]) TH_LOG("second %d", s);
	}
	/* Concave: from [0, 1 s] to [7 s, 8 s] */
	for (s = 1; s < 8; s++)
		EXPECT_GT(d[s - 1], d[s]) TH_LOG("second %d: %d then %d", s,
						 d[s - 1], d[s]);
	/* Convex: from [10 s, 11 s] on */
	for (s = 11; s < CURVE_ROUNDS / 10; s++)
		EXPECT_LT(d[s - 1], d[s]) TH_LOG("second %d: %d then %d", s,
						 d[s - 1], d[s]);
}

/* cwnd grows by at most half a window per RTT: cnt >= 2. */
TEST(cubic_growth_capped)
{
	struct xtcp_cubic c;
	struct xtcp_cwnd w;
	u32 now = 1000;

	xtcp_cubic_reset(&c);
	xtcp_cubic_ssthresh(&c, 1000);
	/* Far below W_max: W(t) is 20 segments ahead after one RTT. */
	set_window(&w, 10, 10);
	cubic_round(&c, &w, &now, 100);
	EXPECT_EQ(15, w.cwnd);
	EXPECT_EQ(2, c.cnt);
	cubic_round(&c, &w, &now, 100);
	EXPECT_EQ(22, w.cwnd);
}

/* Before any loss the plateau is unknown: at least +5% per RTT. */
TEST(cubic_first_epoch)
{
	struct xtcp_cubic c;
	u32 now = 1000;

	xtcp_cubic_reset(&c);
	EXPECT_EQ(20, xtcp_cubic_update(&c, 100, 1, now, 100000));
	EXPECT_EQ(0, c.k);
	EXPECT_EQ(100, c.origin_point);
	EXPECT_EQ(100, c.tcp_cwnd);

	/* At a known plateau, the same window barely moves. */
	xtcp_cubic_reset(&c);
	xtcp_cubic_ssthresh(&c, 100);
	EXPECT_EQ(10000, xtcp_cubic_update(&c, 100, 1, now, 100000));
}

/* With cwnd unchanged, cnt is recomputed every 31 ms at most. */
TEST(cubic_recalc_rate)
{
	struct xtcp_cubic c;
	u32 cnt;

	xtcp_cubic_reset(&c);
	xtcp_cubic_ssthresh(&c, 1000);
	cnt = xtcp_cubic_update(&c, 700, 1, 5000, 100000);
	EXPECT_EQ(5000, c.last_time);
	EXPECT_EQ(5000, c.epoch_start);
	EXPECT_EQ(cnt, xtcp_cubic_update(&c, 700, 1, 5031, 100000));
	EXPECT_EQ(5000, c.last_time);
	EXPECT_EQ(2, c.ack_cnt);	/* counted all the same */
	xtcp_cubic_update(&c, 700, 1, 5032, 100000);
	EXPECT_EQ(5032, c.last_time);
	/* A new cwnd is taken into account at once. */
	xtcp_cubic_update(&c, 701, 1, 5033, 100000);
	EXPECT_EQ(5033, c.last_time);
	EXPECT_EQ(701, c.last_cwnd);
}

/*
 * Short RTT, small W_max: W(t) is slow and the TCP-friendly estimate,
 * W_est = 70 + alpha * rounds with alpha = 3 (1 - 0.7) / (1 + 0.7),
 * leads.  cwnd follows W_est, one RTT behind, far above W(t).
 */
TEST(cubic_tcp_friendly_region)
{
	double alpha = 3 * (1 - 0.7) / (1 + 0.7), k, west, wcub;
	struct xtcp_cubic c;
	struct xtcp_cwnd w;
	u32 now = 777;
	int r;

	xtcp_cubic_reset(&c);
	set_window(&w, 100, 100);
	w.ssthresh = xtcp_cubic_ssthresh(&c, w.cwnd);
	w.cwnd = w.ssthresh;
	k = ref_cbrt(30 / 0.4);
	for (r = 1; r <= 400; r++) {
		cubic_round(&c, &w, &now, 10);
		west = 70 + alpha * r;
		wcub = ref_w_cubic(r * 0.010, k, 100);
		/* Linux's 1/alpha of 15/8 and one RTT of lag: 2% */
		EXPECT_GE(west + 1, w.cwnd) TH_LOG("round %d", r);
		EXPECT_LE(west * 0.98 - 2, w.cwnd) TH_LOG("round %d: %u vs %.1f",
							  r, w.cwnd, west);
		if (r >= 100)
			EXPECT_LT(wcub + 20, w.cwnd) TH_LOG("round %d", r);
	}
	EXPECT_LE(w.cwnd, c.tcp_cwnd);
}

/* After idle time the curve resumes where it stopped. */
TEST(cubic_idle_shifts_epoch)
{
	struct xtcp_cubic c;
	u32 before;

	xtcp_cubic_reset(&c);
	/* Not in an epoch: nothing to shift. */
	xtcp_cubic_idle(&c, 6000, 2000);
	EXPECT_EQ(0, c.epoch_start);

	xtcp_cubic_ssthresh(&c, 1000);
	xtcp_cubic_update(&c, 700, 1, 1000, 100000);
	before = xtcp_cubic_target(&c, 2000, 100000);
	EXPECT_LT(700, before);
	/* Idle from 2000 to 6000 ms. */
	xtcp_cubic_idle(&c, 6000, 2000);
	EXPECT_EQ(5000, c.epoch_start);
	EXPECT_EQ(before, xtcp_cubic_target(&c, 6000, 100000));
	/* Sent just now, or a clock gone backwards: no change. */
	xtcp_cubic_idle(&c, 6000, 6000);
	xtcp_cubic_idle(&c, 6000, 7000);
	EXPECT_EQ(5000, c.epoch_start);
	/* Never into the future. */
	xtcp_cubic_idle(&c, 8000, 0);
	EXPECT_EQ(8000, c.epoch_start);
}

/* RTO: ssthresh from the window, then a fresh start with K = 0. */
TEST(cubic_reset_after_timeout)
{
	struct xtcp_cubic c;
	struct xtcp_cwnd w;
	u32 now = 1000;

	xtcp_cubic_reset(&c);
	xtcp_cubic_ssthresh(&c, 1000);
	xtcp_cubic_update(&c, 800, 1, now, 50000);
	EXPECT_EQ(1, c.in_epoch);

	set_window(&w, 800, 800);
	xtcp_cwnd_timeout(&w, xtcp_cubic_ssthresh(&c, w.cwnd));
	EXPECT_EQ(560, w.ssthresh);	/* 800 * 717 / 1024 */
	EXPECT_EQ(680, c.last_max_cwnd);
	xtcp_cubic_reset(&c);
	EXPECT_EQ(0, c.last_max_cwnd);
	EXPECT_EQ(0, c.in_epoch);
	/* Slow start to ssthresh, then the first epoch starts there. */
	while (w.cwnd < w.ssthresh)
		cubic_round(&c, &w, &now, 50);
	EXPECT_EQ(560, c.origin_point);
	EXPECT_EQ(0, c.k);
	EXPECT_EQ(20, c.cnt);
}

/* At the ends of the u32 range. */
TEST(cubic_target_saturates)
{
	struct xtcp_cubic c = { .in_epoch = 1 };
	struct xtcp_cwnd w;

	/* 2048 s past K: 0.4 * 2048^3 is far beyond 2^32. */
	c.origin_point = U32_MAX - 10;
	EXPECT_EQ(U32_MAX, xtcp_cubic_target(&c, 0x7fffffff, U32_MAX));
	EXPECT_EQ(U32_MAX, xtcp_cubic_target(&c, 3000000, 0));
	/* The largest K: W(0) is 0, not below. */
	c.k = xtcp_cubic_k(U32_MAX);
	c.origin_point = 5;
	EXPECT_EQ(0, xtcp_cubic_target(&c, 0, 0));
	/* Exactly at K, the plateau. */
	c.k = 1024;
	c.origin_point = 1000;
	EXPECT_EQ(1000, xtcp_cubic_target(&c, 1000, 0));
	/* A clock before the epoch counts as its start. */
	c.epoch_start = 5000;
	EXPECT_EQ(xtcp_cubic_target(&c, 5000, 0),
		  xtcp_cubic_target(&c, 4000, 0));

	/* A whole update at the top of the range: W_max = U32_MAX, cwnd
	 * 100 below, K = cbrt(2681735677 * 100) = 6448.  After one RTT
	 * (102 units) W is 95 below W_max: ((6346^3 >> 10) * 410) >> 30.
	 * cnt = cwnd / 5, and U32_MAX ACKed segments add 5, which is W.
	 */
	xtcp_cubic_reset(&c);
	xtcp_cwnd_init(&w, 10, U32_MAX);
	w.cwnd = U32_MAX - 100;
	w.ssthresh = 2;
	xtcp_cubic_ssthresh(&c, U32_MAX);
	xtcp_cubic_cong_avoid(&c, &w, U32_MAX, 1000, 100000);
	EXPECT_EQ(6448, c.k);
	EXPECT_EQ((U32_MAX - 100) / 5, c.cnt);
	EXPECT_EQ(U32_MAX - 95, w.cwnd);
}

/* Slow start hands its leftover to the first CUBIC epoch. */
TEST(cubic_slow_start_leftover)
{
	struct xtcp_cubic c;
	struct xtcp_cwnd w;

	xtcp_cubic_reset(&c);
	set_window(&w, 10, 15);
	xtcp_cubic_cong_avoid(&c, &w, 10, 1000, 100000);
	EXPECT_EQ(15, w.cwnd);
	EXPECT_EQ(1, c.in_epoch);
	EXPECT_EQ(5, c.ack_cnt);
	EXPECT_EQ(5, w.cwnd_cnt);
	/* Fully in slow start, CUBIC is not consulted. */
	xtcp_cubic_reset(&c);
	set_window(&w, 10, 20);
	xtcp_cubic_cong_avoid(&c, &w, 10, 1000, 100000);
	EXPECT_EQ(20, w.cwnd);
	EXPECT_EQ(0, c.in_epoch);
}

TEST_HARNESS_MAIN
