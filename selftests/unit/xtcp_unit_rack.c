// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for module/xtcp_rack.h: RACK-TLP (RFC 8985) over a
 * simulated clock.
 *
 * Segments of 1000 bytes leave 1 ms apart over a path of 20 ms; the
 * tests deliver some, late or not, and check which of the others RACK
 * calls lost, when, and how the reordering window and the probe timeout
 * follow the RFC.
 */
#include "../../module/xtcp_rack.h"
#include "kselftest_harness.h"

#define MS	1000U
#define RTT	(20 * MS)
#define SEG	1000U

/* Segment @i (0-based) of a flight sent from time 0, 1 ms apart. */
static u32 sent_at(unsigned int i)
{
	return i * MS;
}

static u32 end_of(unsigned int i)
{
	return (i + 1) * SEG;
}

/* Deliver segment @i at @now, sent once. */
static void deliver(struct xtcp_rack *r, unsigned int i, u32 now)
{
	xtcp_rack_advance(r, sent_at(i), end_of(i), now, false, RTT);
}

TEST(later_delivery_marks_earlier_lost_after_rtt)
{
	struct xtcp_rack r;
	u32 wait;

	xtcp_rack_init(&r);
	/* Segment 0 is lost; 1 to 3 arrive, each 20 ms after it left. */
	deliver(&r, 1, sent_at(1) + RTT);
	EXPECT_EQ(RTT, r.rtt_us);
	/* No reordering window: 0 is lost as soon as 1 was delivered. */
	EXPECT_TRUE(xtcp_rack_check(&r, sent_at(0), end_of(0),
				    sent_at(1) + RTT, 0, &wait));
	/* With one of 5 ms, 4 ms more are left. */
	EXPECT_FALSE(xtcp_rack_check(&r, sent_at(0), end_of(0),
				     sent_at(1) + RTT, 5 * MS, &wait));
	EXPECT_EQ(4 * MS, wait);
	EXPECT_TRUE(xtcp_rack_check(&r, sent_at(0), end_of(0),
				    sent_at(1) + RTT + 4 * MS, 5 * MS, &wait));
}

TEST(segments_sent_after_are_not_judged)
{
	struct xtcp_rack r;
	u32 wait = 1;

	xtcp_rack_init(&r);
	EXPECT_FALSE(xtcp_rack_check(&r, 0, SEG, 100 * MS, 0, &wait));
	EXPECT_EQ(0, wait);
	deliver(&r, 2, sent_at(2) + RTT);
	EXPECT_FALSE(xtcp_rack_check(&r, sent_at(3), end_of(3), 100 * MS, 0,
				     &wait));
	EXPECT_EQ(0, wait);
	/* Itself is not sent before itself. */
	EXPECT_FALSE(xtcp_rack_check(&r, sent_at(2), end_of(2), 100 * MS, 0,
				     &wait));
}

TEST(same_tick_ordered_by_sequence)
{
	struct xtcp_rack r;
	u32 wait;

	xtcp_rack_init(&r);
	xtcp_rack_advance(&r, 5 * MS, 3 * SEG, 5 * MS + RTT, false, RTT);
	EXPECT_TRUE(xtcp_rack_check(&r, 5 * MS, 2 * SEG, 5 * MS + RTT, 0,
				    &wait));
	EXPECT_FALSE(xtcp_rack_check(&r, 5 * MS, 4 * SEG, 5 * MS + RTT, 0,
				     &wait));
	EXPECT_TRUE(xtcp_rack_sent_after(1, 0, 0xffffffffU, 0));
	EXPECT_FALSE(xtcp_rack_sent_after(0xffffffffU, 0, 1, 0));
}

TEST(older_delivery_does_not_move_rack_back)
{
	struct xtcp_rack r;

	xtcp_rack_init(&r);
	deliver(&r, 3, sent_at(3) + RTT);
	/* Segment 1 arrives late, after 3: RACK keeps 3. */
	deliver(&r, 1, sent_at(3) + RTT + MS);
	EXPECT_EQ(sent_at(3), r.xmit_us);
	EXPECT_EQ(end_of(3), r.end_seq);
	EXPECT_EQ(RTT, r.rtt_us);
}

TEST(lost_retransmission_is_seen)
{
	struct xtcp_rack r;
	u32 wait, resent = 40 * MS;

	xtcp_rack_init(&r);
	/* 0 lost, resent at 40 ms; 4, sent at 41 ms, delivered at 61. */
	deliver(&r, 1, sent_at(1) + RTT);
	xtcp_rack_advance(&r, 41 * MS, end_of(4), 61 * MS, false, RTT);
	/* The copy of 0 sent at 40 ms has not come: lost again. */
	EXPECT_TRUE(xtcp_rack_check(&r, resent, end_of(0), 61 * MS, 0, &wait));
	EXPECT_FALSE(xtcp_rack_check(&r, resent, end_of(0), 61 * MS, 2 * MS,
				     &wait));
	EXPECT_EQ(MS, wait);
}

TEST(early_ack_of_retransmission_is_no_sample)
{
	struct xtcp_rack r;

	xtcp_rack_init(&r);
	deliver(&r, 1, sent_at(1) + RTT);
	/* Resent at 30 ms, "delivered" at 32: the original's ACK. */
	xtcp_rack_advance(&r, 30 * MS, end_of(0) + 9 * SEG, 32 * MS, true,
			  RTT);
	EXPECT_EQ(sent_at(1), r.xmit_us);
	/* Delivered a full RTT after it was resent: it counts. */
	xtcp_rack_advance(&r, 30 * MS, end_of(0) + 9 * SEG, 50 * MS, true,
			  RTT);
	EXPECT_EQ(30 * MS, r.xmit_us);
	EXPECT_EQ(RTT, r.rtt_us);
}

TEST(reordering_window)
{
	struct xtcp_rack r;

	xtcp_rack_init(&r);
	/* Never reordered, other evidence of loss: no window. */
	EXPECT_EQ(0, xtcp_rack_reo_wnd(&r, RTT, 2 * RTT, false, true));
	/* Else a quarter of the minimum RTT. */
	EXPECT_EQ(RTT / 4, xtcp_rack_reo_wnd(&r, RTT, 2 * RTT, false, false));
	EXPECT_EQ(RTT / 4, xtcp_rack_reo_wnd(&r, RTT, 2 * RTT, true, true));
	/* Never more than SRTT. */
	EXPECT_EQ(3 * MS, xtcp_rack_reo_wnd(&r, RTT, 3 * MS, true, true));
}

TEST(dsack_widens_once_a_round_and_persists_16_recoveries)
{
	struct xtcp_rack r;
	int i;

	xtcp_rack_init(&r);
	xtcp_rack_dsack(&r, 0, 10 * SEG);
	EXPECT_EQ(2, r.reo_mult);
	/* Same round trip: no further step. */
	xtcp_rack_dsack(&r, 5 * SEG, 12 * SEG);
	EXPECT_EQ(2, r.reo_mult);
	/* The next one. */
	xtcp_rack_dsack(&r, 10 * SEG, 20 * SEG);
	EXPECT_EQ(3, r.reo_mult);
	EXPECT_EQ(3 * RTT / 4, xtcp_rack_reo_wnd(&r, RTT, 2 * RTT, true, true));
	for (i = 0; i < XTCP_RACK_REO_PERSIST - 1; i++)
		xtcp_rack_recovery_ended(&r);
	EXPECT_EQ(3, r.reo_mult);
	xtcp_rack_recovery_ended(&r);
	EXPECT_EQ(1, r.reo_mult);
	xtcp_rack_recovery_ended(&r);
	EXPECT_EQ(1, r.reo_mult);
}

/* DupThresh raised to the reordering seen, only on a path seen to reorder. */
TEST(reordered_yet_counts_sacked_above)
{
	/* Never seen to reorder: RACK's verdict stands. */
	EXPECT_FALSE(xtcp_rack_reordered_yet(false, 0, 3));
	EXPECT_FALSE(xtcp_rack_reordered_yet(false, 10, 3));
	/* Seen to reorder by 5: fewer than 5 SACKed above may be late. */
	EXPECT_TRUE(xtcp_rack_reordered_yet(true, 0, 5));
	EXPECT_TRUE(xtcp_rack_reordered_yet(true, 4, 5));
	EXPECT_FALSE(xtcp_rack_reordered_yet(true, 5, 5));
	EXPECT_FALSE(xtcp_rack_reordered_yet(true, 6, 5));
}

TEST(tlp_timeout)
{
	/* Two SRTTs. */
	EXPECT_EQ(2 * RTT, xtcp_tlp_timeout(RTT, 5, 1000 * MS));
	/* One segment in flight: room for a delayed ACK. */
	EXPECT_EQ(2 * RTT + 200 * MS, xtcp_tlp_timeout(RTT, 1, 1000 * MS));
	/* At least 10 ms. */
	EXPECT_EQ(10 * MS, xtcp_tlp_timeout(MS, 5, 1000 * MS));
	/* Never after the RTO. */
	EXPECT_EQ(200 * MS, xtcp_tlp_timeout(RTT, 1, 200 * MS));
	/* No sample yet: a second, or the RTO if sooner. */
	EXPECT_EQ(1000 * MS, xtcp_tlp_timeout(0, 5, 3000 * MS));
	EXPECT_EQ(1000 * MS, xtcp_tlp_timeout(0, 5, 1000 * MS));
	/* No overflow with a huge SRTT. */
	EXPECT_EQ(0xfffffff0U, xtcp_tlp_timeout(0xf0000000U, 1, 0xfffffff0U));
}

TEST_HARNESS_MAIN
