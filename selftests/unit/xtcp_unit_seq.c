// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for module/xtcp_seq.h: sequence space comparisons, RFC
 * 9293 section 3.10.7.4's acceptability of a segment in its four cases,
 * and RFC 5681's duplicate ACK, each of its five conditions.
 */
#include "../../module/xtcp_seq.h"
#include "kselftest_harness.h"

TEST(before_after_simple)
{
	EXPECT_TRUE(xtcp_seq_before(1, 2));
	EXPECT_FALSE(xtcp_seq_before(2, 1));
	EXPECT_FALSE(xtcp_seq_before(5, 5));
	EXPECT_TRUE(xtcp_seq_after(2, 1));
	EXPECT_FALSE(xtcp_seq_after(5, 5));
}

TEST(before_after_wrap)
{
	/* 0xfffffff0 is 32 bytes before 0x10 once the space wraps. */
	EXPECT_TRUE(xtcp_seq_before(0xfffffff0u, 0x10));
	EXPECT_TRUE(xtcp_seq_after(0x10, 0xfffffff0u));
	EXPECT_TRUE(xtcp_seq_before(0xffffffffu, 0));
	EXPECT_TRUE(xtcp_seq_after(0, 0xffffffffu));
}

TEST(before_after_half_space)
{
	/* Less than 2^31 apart, the order is defined. */
	EXPECT_TRUE(xtcp_seq_before(0, 0x7fffffffu));
	EXPECT_TRUE(xtcp_seq_after(0, 0x80000001u));
	/* Exactly 2^31 apart it is not (RFC 1982 leaves it undefined):
	 * like Linux's before(), each number is "before" the other.
	 * Windows are far below 2^31, so this never matters.
	 */
	EXPECT_TRUE(xtcp_seq_before(0, 0x80000000u));
	EXPECT_TRUE(xtcp_seq_before(0x80000000u, 0));
}

TEST(between_plain_and_wrapped)
{
	EXPECT_TRUE(xtcp_seq_between(5, 1, 10));
	EXPECT_TRUE(xtcp_seq_between(1, 1, 10));
	EXPECT_TRUE(xtcp_seq_between(10, 1, 10));
	EXPECT_FALSE(xtcp_seq_between(11, 1, 10));
	EXPECT_FALSE(xtcp_seq_between(0, 1, 10));
	/* A window that wraps through zero. */
	EXPECT_TRUE(xtcp_seq_between(0xfffffffeu, 0xfffffff0u, 0x10));
	EXPECT_TRUE(xtcp_seq_between(0, 0xfffffff0u, 0x10));
	EXPECT_TRUE(xtcp_seq_between(0x10, 0xfffffff0u, 0x10));
	EXPECT_FALSE(xtcp_seq_between(0x11, 0xfffffff0u, 0x10));
	EXPECT_FALSE(xtcp_seq_between(0xffffffefu, 0xfffffff0u, 0x10));
}

/* RCV.NXT 1000 and a window of 100: 1000 to 1099 acceptable. */
#define NXT 1000u
#define WND 100u

/*
 * Before RCV.NXT, as Linux's tcp_sequence(): taken when it ends at or
 * after RCV.NXT of our last advertisement (here 900).
 */
TEST(late_acceptable_from_rcv_wup)
{
	/* A bare ACK sent before data that overtook it. */
	EXPECT_TRUE(xtcp_seq_late_acceptable(950, 950, NXT, 900));
	EXPECT_TRUE(xtcp_seq_late_acceptable(900, 900, NXT, 900));
	EXPECT_FALSE(xtcp_seq_late_acceptable(899, 899, NXT, 900));
	/* Data ending at or after RCV.WUP: a duplicate, taken. */
	EXPECT_TRUE(xtcp_seq_late_acceptable(850, 950, NXT, 900));
	EXPECT_FALSE(xtcp_seq_late_acceptable(800, 899, NXT, 900));
	/* At or past RCV.NXT, the RFC's check decides alone. */
	EXPECT_FALSE(xtcp_seq_late_acceptable(NXT, NXT, NXT, 900));
	/* Nothing old once our last segment advertised RCV.NXT. */
	EXPECT_FALSE(xtcp_seq_late_acceptable(NXT - 1, NXT - 1, NXT, NXT));
	/* Across the wrap. */
	EXPECT_TRUE(xtcp_seq_late_acceptable(0xfffffff0u, 0xfffffff0u, 0x10,
					     0xffffffe0u));
}

/* SEG.LEN 0, RCV.WND 0: SEG.SEQ = RCV.NXT only. */
TEST(acceptable_empty_in_no_window)
{
	EXPECT_TRUE(xtcp_seq_acceptable(NXT, 0, NXT, 0));
	EXPECT_FALSE(xtcp_seq_acceptable(NXT - 1, 0, NXT, 0));
	EXPECT_FALSE(xtcp_seq_acceptable(NXT + 1, 0, NXT, 0));
}

/* SEG.LEN 0, RCV.WND > 0: RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND. */
TEST(acceptable_empty_in_a_window)
{
	EXPECT_TRUE(xtcp_seq_acceptable(NXT, 0, NXT, WND));
	EXPECT_TRUE(xtcp_seq_acceptable(NXT + 50, 0, NXT, WND));
	EXPECT_TRUE(xtcp_seq_acceptable(NXT + WND - 1, 0, NXT, WND));
	EXPECT_FALSE(xtcp_seq_acceptable(NXT + WND, 0, NXT, WND));
	EXPECT_FALSE(xtcp_seq_acceptable(NXT - 1, 0, NXT, WND));
	/* A window of one: RCV.NXT alone. */
	EXPECT_TRUE(xtcp_seq_acceptable(NXT, 0, NXT, 1));
	EXPECT_FALSE(xtcp_seq_acceptable(NXT + 1, 0, NXT, 1));
}

/* SEG.LEN > 0, RCV.WND 0: never, not even at RCV.NXT. */
TEST(acceptable_data_in_no_window)
{
	EXPECT_FALSE(xtcp_seq_acceptable(NXT, 1, NXT, 0));
	EXPECT_FALSE(xtcp_seq_acceptable(NXT, 1000, NXT, 0));
	EXPECT_FALSE(xtcp_seq_acceptable(NXT - 1, 2, NXT, 0));
}

/* SEG.LEN > 0, RCV.WND > 0: its first or its last byte in the window. */
TEST(acceptable_data_in_a_window)
{
	/* Wholly inside. */
	EXPECT_TRUE(xtcp_seq_acceptable(NXT, 10, NXT, WND));
	EXPECT_TRUE(xtcp_seq_acceptable(NXT, WND, NXT, WND));
	EXPECT_TRUE(xtcp_seq_acceptable(NXT + WND - 1, 1, NXT, WND));
	/* Its first byte inside, the rest past the window. */
	EXPECT_TRUE(xtcp_seq_acceptable(NXT + WND - 1, 50, NXT, WND));
	/* Its last byte inside: a retransmission overlapping RCV.NXT. */
	EXPECT_TRUE(xtcp_seq_acceptable(NXT - 10, 11, NXT, WND));
	/* All before RCV.NXT: an old duplicate. */
	EXPECT_FALSE(xtcp_seq_acceptable(NXT - 10, 10, NXT, WND));
	/* All past the window. */
	EXPECT_FALSE(xtcp_seq_acceptable(NXT + WND, 1, NXT, WND));
	/* Over the whole window, neither end inside: not acceptable. */
	EXPECT_FALSE(xtcp_seq_acceptable(NXT - 1, WND + 2, NXT, WND));
}

/* Every case with RCV.NXT and the window across 2^32. */
TEST(acceptable_wraps)
{
	const u32 nxt = 0xffffffc0u;	/* window 0xffffffc0 to 0x23 */

	EXPECT_TRUE(xtcp_seq_acceptable(0, 0, nxt, WND));
	EXPECT_TRUE(xtcp_seq_acceptable(0x23, 0, nxt, WND));
	EXPECT_FALSE(xtcp_seq_acceptable(0x24, 0, nxt, WND));
	EXPECT_FALSE(xtcp_seq_acceptable(nxt - 1, 0, nxt, WND));
	EXPECT_TRUE(xtcp_seq_acceptable(nxt, 0, nxt, 0));
	EXPECT_FALSE(xtcp_seq_acceptable(0, 0, nxt, 0));
	EXPECT_FALSE(xtcp_seq_acceptable(nxt, 1, nxt, 0));
	/* Data across zero, first or last byte in the window. */
	EXPECT_TRUE(xtcp_seq_acceptable(0xfffffff0u, 0x40, nxt, WND));
	EXPECT_TRUE(xtcp_seq_acceptable(0x20, 0x10, nxt, WND));
	EXPECT_TRUE(xtcp_seq_acceptable(nxt - 5, 6, nxt, WND));
	EXPECT_FALSE(xtcp_seq_acceptable(nxt - 5, 5, nxt, WND));
	EXPECT_FALSE(xtcp_seq_acceptable(0x24, 0x10, nxt, WND));
	/* RCV.NXT exactly at 2^32 - 1 and at 0. */
	EXPECT_TRUE(xtcp_seq_acceptable(0, 1, 0xffffffffu, 2));
	EXPECT_FALSE(xtcp_seq_acceptable(1, 1, 0xffffffffu, 2));
	EXPECT_TRUE(xtcp_seq_acceptable(0xffffffffu, 2, 0, WND));
	EXPECT_FALSE(xtcp_seq_acceptable(0xffffffffu, 1, 0, WND));
}

/* SND.UNA 1000, 3000 bytes out, a 64 KiB window: the duplicate, then
 * each condition of RFC 5681 section 2 broken alone.
 */
TEST(dupack_each_condition)
{
	const u32 una = 1000, nxt = 4000, wnd = 65536;

	EXPECT_TRUE(xtcp_dupack(una, una, nxt, 0, false, wnd, wnd));
	/* (a) nothing outstanding */
	EXPECT_FALSE(xtcp_dupack(una, una, una, 0, false, wnd, wnd));
	/* (b) it carries data */
	EXPECT_FALSE(xtcp_dupack(una, una, nxt, 1, false, wnd, wnd));
	/* (c) SYN or FIN */
	EXPECT_FALSE(xtcp_dupack(una, una, nxt, 0, true, wnd, wnd));
	/* (d) it acknowledges more, or less, than SND.UNA */
	EXPECT_FALSE(xtcp_dupack(una + 1, una, nxt, 0, false, wnd, wnd));
	EXPECT_FALSE(xtcp_dupack(una - 1, una, nxt, 0, false, wnd, wnd));
	/* (e) a window update, larger or smaller */
	EXPECT_FALSE(xtcp_dupack(una, una, nxt, 0, false, wnd + 128, wnd));
	EXPECT_FALSE(xtcp_dupack(una, una, nxt, 0, false, wnd - 128, wnd));
}

/* Across 2^32 the rule is the same: equality, not order. */
TEST(dupack_wraps)
{
	EXPECT_TRUE(xtcp_dupack(0xfffffff0u, 0xfffffff0u, 0x100, 0, false,
				4096, 4096));
	EXPECT_FALSE(xtcp_dupack(0x10, 0xfffffff0u, 0x100, 0, false,
				 4096, 4096));
	/* SND.NXT wrapped to exactly SND.UNA would be 2^32 bytes out:
	 * never, so equal means nothing is outstanding.
	 */
	EXPECT_FALSE(xtcp_dupack(0, 0, 0, 0, false, 4096, 4096));
}

TEST_HARNESS_MAIN
