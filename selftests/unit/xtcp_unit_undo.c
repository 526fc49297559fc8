// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for module/xtcp_undo.h: when a loss episode's window cut
 * is given back.
 *
 * D-SACK (RFC 2883, RFC 3708): only when every segment the episode sent
 * again comes back as a duplicate, and only blocks the ACK covers above
 * the episode's start count.  Eifel (RFC 3522): only an echo strictly
 * older than the first retransmission.  The undo restores cwnd and
 * ssthresh to at least what they were, once.
 */
#include "../../module/xtcp_undo.h"
#include "kselftest_harness.h"

#define SEG	1000U
#define UNA	5000U

/* An episode that began at UNA with cwnd 20, ssthresh 30, then cut. */
static void episode(struct xtcp_undo *u, struct xtcp_cwnd *w)
{
	xtcp_cwnd_init(w, 20, 1U << 24);
	w->ssthresh = 30;
	xtcp_undo_start(u, w, UNA);
	xtcp_newreno_enter(w, 10);
}

TEST(dsack_of_every_resend_undoes)
{
	struct xtcp_undo u;
	struct xtcp_cwnd w;

	episode(&u, &w);
	xtcp_undo_retransmitted(&u, 1, 0, false);
	xtcp_undo_retransmitted(&u, 1, 0, false);
	EXPECT_FALSE(xtcp_undo_dsack(&u, UNA, UNA + SEG, UNA + 4 * SEG, SEG));
	EXPECT_EQ(1, u.retrans);
	EXPECT_TRUE(xtcp_undo_dsack(&u, UNA + SEG, UNA + 2 * SEG,
				    UNA + 4 * SEG, SEG));
	xtcp_undo_cwnd(&u, &w);
	EXPECT_EQ(20, w.cwnd);
	EXPECT_EQ(30, w.ssthresh);
	EXPECT_FALSE(u.armed);
}

TEST(one_block_may_cover_several_resends)
{
	struct xtcp_undo u;
	struct xtcp_cwnd w;

	episode(&u, &w);
	xtcp_undo_retransmitted(&u, 3, 0, false);
	/* 2500 bytes: three segments, the last one short. */
	EXPECT_TRUE(xtcp_undo_dsack(&u, UNA, UNA + 2500, UNA + 3 * SEG, SEG));
}

TEST(dsack_outside_the_episode_counts_nothing)
{
	struct xtcp_undo u;
	struct xtcp_cwnd w;

	episode(&u, &w);
	xtcp_undo_retransmitted(&u, 1, 0, false);
	/* Below the episode's start: a duplicate from before it. */
	EXPECT_FALSE(xtcp_undo_dsack(&u, UNA - 2 * SEG, UNA, UNA + SEG, SEG));
	/* Above what the ACK covers: data SACKed before, never resent. */
	EXPECT_FALSE(xtcp_undo_dsack(&u, UNA + SEG, UNA + 2 * SEG, UNA + SEG,
				     SEG));
	EXPECT_EQ(1, u.retrans);
	/* Straddling the start: only the part above it counts. */
	EXPECT_TRUE(xtcp_undo_dsack(&u, UNA - SEG, UNA + SEG, UNA + SEG, SEG));
}

TEST(nothing_resent_nothing_to_undo)
{
	struct xtcp_undo u;
	struct xtcp_cwnd w;

	episode(&u, &w);
	EXPECT_FALSE(xtcp_undo_dsack(&u, UNA, UNA + SEG, UNA + SEG, SEG));
	xtcp_undo_forget(&u);
	xtcp_undo_retransmitted(&u, 1, 100, true);
	EXPECT_EQ(0, u.retrans);
	EXPECT_FALSE(u.has_tsval);
	EXPECT_FALSE(xtcp_undo_dsack(&u, UNA, UNA + SEG, UNA + SEG, SEG));
}

TEST(eifel_needs_an_older_echo)
{
	struct xtcp_undo u;
	struct xtcp_cwnd w;

	episode(&u, &w);
	EXPECT_FALSE(xtcp_undo_delayed(&u, 99));	/* nothing resent */
	xtcp_undo_retransmitted(&u, 1, 100, true);
	xtcp_undo_retransmitted(&u, 1, 150, true);	/* the first counts */
	EXPECT_EQ(100, u.tsval);
	EXPECT_TRUE(xtcp_undo_delayed(&u, 99));
	EXPECT_FALSE(xtcp_undo_delayed(&u, 100));	/* same ms: unsure */
	EXPECT_FALSE(xtcp_undo_delayed(&u, 120));
	EXPECT_FALSE(xtcp_undo_delayed(&u, 0));		/* no echo */
	/* The clock wraps: older is before in sequence order. */
	xtcp_undo_start(&u, &w, UNA);
	xtcp_undo_retransmitted(&u, 1, 5, true);
	EXPECT_TRUE(xtcp_undo_delayed(&u, 0xfffffff0U));
	xtcp_undo_forget(&u);
	EXPECT_FALSE(xtcp_undo_delayed(&u, 0xfffffff0U));
}

TEST(eifel_off_without_timestamps)
{
	struct xtcp_undo u;
	struct xtcp_cwnd w;

	episode(&u, &w);
	xtcp_undo_retransmitted(&u, 1, 100, false);
	EXPECT_FALSE(xtcp_undo_delayed(&u, 50));
}

TEST(undo_keeps_what_grew_since)
{
	struct xtcp_undo u;
	struct xtcp_cwnd w;

	episode(&u, &w);
	w.cwnd = 25;
	w.cwnd_cnt = 7;
	xtcp_undo_cwnd(&u, &w);
	EXPECT_EQ(25, w.cwnd);
	EXPECT_EQ(30, w.ssthresh);
	EXPECT_EQ(0, w.cwnd_cnt);
}

TEST_HARNESS_MAIN
