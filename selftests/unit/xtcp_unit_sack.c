// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for module/xtcp_sack.h: the receiver's block list (merging,
 * recency order, eviction, trimming at rcv_nxt, D-SACK) and the sender's
 * checks, also across the 2^32 wrap.
 */
#include "../../module/xtcp_sack.h"
#include "kselftest_harness.h"

/* Check that @l holds exactly the blocks listed, in that order. */
#define EXPECT_BLOCKS(l, ...) do { \
	const struct xtcp_sack_block __want[] = { __VA_ARGS__ }; \
	const struct xtcp_sack_list *__l = (l); \
	unsigned int __i; \
	ASSERT_EQ(ARRAY_SIZE(__want), __l->num); \
	for (__i = 0; __i < ARRAY_SIZE(__want); __i++) { \
		EXPECT_EQ(__want[__i].start, __l->blocks[__i].start); \
		EXPECT_EQ(__want[__i].end, __l->blocks[__i].end); \
	} \
} while (0)

#define B(s, e) { .start = (s), .end = (e) }

TEST(add_first)
{
	struct xtcp_sack_list l;

	xtcp_sack_init(&l);
	EXPECT_EQ(0, l.num);
	EXPECT_FALSE(l.has_dsack);
	xtcp_sack_add(&l, 100, 200);
	EXPECT_BLOCKS(&l, B(100, 200));
}

TEST(add_empty_or_inverted_ignored)
{
	struct xtcp_sack_list l;

	xtcp_sack_init(&l);
	xtcp_sack_add(&l, 100, 200);
	xtcp_sack_add(&l, 300, 300);
	xtcp_sack_add(&l, 500, 400);
	/* Would merge with [100, 200) if it were taken as a range. */
	xtcp_sack_add(&l, 200, 150);
	EXPECT_BLOCKS(&l, B(100, 200));
}

/* Disjoint ranges: the newest first. */
TEST(add_disjoint_newest_first)
{
	struct xtcp_sack_list l;

	xtcp_sack_init(&l);
	xtcp_sack_add(&l, 100, 200);
	xtcp_sack_add(&l, 500, 600);
	xtcp_sack_add(&l, 300, 400);
	EXPECT_BLOCKS(&l, B(300, 400), B(500, 600), B(100, 200));
}

TEST(add_merge_overlap)
{
	struct xtcp_sack_list l;

	xtcp_sack_init(&l);
	xtcp_sack_add(&l, 100, 200);
	xtcp_sack_add(&l, 150, 250);
	EXPECT_BLOCKS(&l, B(100, 250));
	xtcp_sack_add(&l, 50, 120);
	EXPECT_BLOCKS(&l, B(50, 250));
	/* A range covering the block swallows it. */
	xtcp_sack_add(&l, 10, 300);
	EXPECT_BLOCKS(&l, B(10, 300));
}

/* Abutting ranges are one contiguous block, from either side. */
TEST(add_merge_adjacent)
{
	struct xtcp_sack_list l;

	xtcp_sack_init(&l);
	xtcp_sack_add(&l, 100, 200);
	xtcp_sack_add(&l, 200, 300);
	EXPECT_BLOCKS(&l, B(100, 300));
	xtcp_sack_add(&l, 50, 100);
	EXPECT_BLOCKS(&l, B(50, 300));
	/* One byte apart is a hole: not merged. */
	xtcp_sack_add(&l, 301, 400);
	EXPECT_BLOCKS(&l, B(301, 400), B(50, 300));
}

/* Filling the hole between two blocks makes one, first; others keep order. */
TEST(add_merge_bridges_blocks)
{
	struct xtcp_sack_list l;

	xtcp_sack_init(&l);
	xtcp_sack_add(&l, 100, 200);
	xtcp_sack_add(&l, 700, 800);
	xtcp_sack_add(&l, 300, 400);
	xtcp_sack_add(&l, 500, 600);
	EXPECT_BLOCKS(&l, B(500, 600), B(300, 400), B(700, 800),
		      B(100, 200));
	xtcp_sack_add(&l, 200, 300);
	EXPECT_BLOCKS(&l, B(100, 400), B(500, 600), B(700, 800));
	/* Overlapping three blocks at once. */
	xtcp_sack_add(&l, 350, 750);
	EXPECT_BLOCKS(&l, B(100, 800));
}

/* Data already held moves its block to the front, unchanged. */
TEST(add_contained_moves_to_front)
{
	struct xtcp_sack_list l;

	xtcp_sack_init(&l);
	xtcp_sack_add(&l, 100, 200);
	xtcp_sack_add(&l, 300, 400);
	xtcp_sack_add(&l, 500, 600);
	xtcp_sack_add(&l, 120, 150);
	EXPECT_BLOCKS(&l, B(100, 200), B(500, 600), B(300, 400));
}

/* A fifth disjoint range evicts the oldest block. */
TEST(add_evicts_oldest)
{
	struct xtcp_sack_list l;

	xtcp_sack_init(&l);
	xtcp_sack_add(&l, 100, 200);
	xtcp_sack_add(&l, 300, 400);
	xtcp_sack_add(&l, 500, 600);
	xtcp_sack_add(&l, 700, 800);
	EXPECT_BLOCKS(&l, B(700, 800), B(500, 600), B(300, 400),
		      B(100, 200));
	xtcp_sack_add(&l, 900, 1000);
	EXPECT_BLOCKS(&l, B(900, 1000), B(700, 800), B(500, 600),
		      B(300, 400));
	/* Touching the oldest refreshes it: nothing is evicted. */
	xtcp_sack_add(&l, 400, 450);
	EXPECT_BLOCKS(&l, B(300, 450), B(900, 1000), B(700, 800),
		      B(500, 600));
	/* Merging two of four leaves room: the oldest stays. */
	xtcp_sack_add(&l, 800, 900);
	EXPECT_BLOCKS(&l, B(700, 1000), B(300, 450), B(500, 600));
}

TEST(advance_drops_and_trims)
{
	struct xtcp_sack_list l;

	xtcp_sack_init(&l);
	xtcp_sack_add(&l, 100, 200);
	xtcp_sack_add(&l, 500, 600);
	xtcp_sack_add(&l, 300, 400);
	/* Below every block: nothing changes. */
	xtcp_sack_advance(&l, 50);
	EXPECT_BLOCKS(&l, B(300, 400), B(500, 600), B(100, 200));
	/* At a block's start: the block stays whole. */
	xtcp_sack_advance(&l, 100);
	EXPECT_BLOCKS(&l, B(300, 400), B(500, 600), B(100, 200));
	/* Exactly at a block's end: it is dropped, the order kept. */
	xtcp_sack_advance(&l, 200);
	EXPECT_BLOCKS(&l, B(300, 400), B(500, 600));
	/* Inside a block: trimmed to start at rcv_nxt. */
	xtcp_sack_advance(&l, 350);
	EXPECT_BLOCKS(&l, B(350, 400), B(500, 600));
	/* Past everything. */
	xtcp_sack_advance(&l, 700);
	EXPECT_EQ(0, l.num);
}

TEST(forget_above_drops_and_cuts)
{
	struct xtcp_sack_list l;

	xtcp_sack_init(&l);
	xtcp_sack_add(&l, 100, 200);
	xtcp_sack_add(&l, 500, 600);
	xtcp_sack_add(&l, 300, 400);
	/* Above every block: nothing changes. */
	xtcp_sack_forget_above(&l, 600);
	EXPECT_BLOCKS(&l, B(300, 400), B(500, 600), B(100, 200));
	/* Exactly at a block's start: it goes, the order kept. */
	xtcp_sack_forget_above(&l, 500);
	EXPECT_BLOCKS(&l, B(300, 400), B(100, 200));
	/* Inside a block: cut to end there. */
	xtcp_sack_forget_above(&l, 350);
	EXPECT_BLOCKS(&l, B(300, 350), B(100, 200));
	/* Below everything. */
	xtcp_sack_forget_above(&l, 100);
	EXPECT_EQ(0, l.num);
}

/* Advancing leaves the pending D-SACK alone: it lies below rcv_nxt. */
TEST(advance_keeps_dsack)
{
	struct xtcp_sack_list l;

	xtcp_sack_init(&l);
	xtcp_sack_add(&l, 300, 400);
	xtcp_sack_set_dsack(&l, 10, 20);
	xtcp_sack_advance(&l, 400);
	EXPECT_EQ(0, l.num);
	EXPECT_TRUE(l.has_dsack);
	EXPECT_EQ(10, l.dsack.start);
	EXPECT_EQ(20, l.dsack.end);
}

/* Ranges across 2^32 merge, order and trim as anywhere else. */
TEST(wraparound)
{
	struct xtcp_sack_list l;

	xtcp_sack_init(&l);
	xtcp_sack_add(&l, 0xfffffff0u, 0x10);
	xtcp_sack_add(&l, 0x10, 0x20);
	EXPECT_BLOCKS(&l, B(0xfffffff0u, 0x20));
	xtcp_sack_add(&l, 0xffffff00u, 0xffffff80u);
	xtcp_sack_add(&l, 0x40, 0x50);
	EXPECT_BLOCKS(&l, B(0x40, 0x50), B(0xffffff00u, 0xffffff80u),
		      B(0xfffffff0u, 0x20));
	xtcp_sack_add(&l, 0xffffff80u, 0xfffffff0u);
	EXPECT_BLOCKS(&l, B(0xffffff00u, 0x20), B(0x40, 0x50));
	/* rcv_nxt reaches into the merged block across the wrap. */
	xtcp_sack_advance(&l, 0x08);
	EXPECT_BLOCKS(&l, B(0x08, 0x20), B(0x40, 0x50));
	xtcp_sack_advance(&l, 0x20);
	EXPECT_BLOCKS(&l, B(0x40, 0x50));
}

TEST(wraparound_advance_before_zero)
{
	struct xtcp_sack_list l;

	xtcp_sack_init(&l);
	xtcp_sack_add(&l, 0xfffffff0u, 0x10);
	xtcp_sack_add(&l, 0xffffff00u, 0xffffff10u);
	xtcp_sack_advance(&l, 0xffffff10u);
	EXPECT_BLOCKS(&l, B(0xfffffff0u, 0x10));
	xtcp_sack_advance(&l, 0xfffffff8u);
	EXPECT_BLOCKS(&l, B(0xfffffff8u, 0x10));
	xtcp_sack_advance(&l, 0x10);
	EXPECT_EQ(0, l.num);
}

/* The D-SACK block goes first, once; then the blocks, at most four. */
TEST(fill_dsack_first_once)
{
	struct xtcp_sack_list l;
	struct xtcp_opts o = { .present = XTCP_OPTF_TS };

	xtcp_sack_init(&l);
	EXPECT_EQ(0, xtcp_sack_fill(&l, &o));
	EXPECT_EQ(XTCP_OPTF_TS, o.present);
	EXPECT_EQ(0, o.num_sacks);

	xtcp_sack_add(&l, 100, 200);
	xtcp_sack_add(&l, 300, 400);
	xtcp_sack_set_dsack(&l, 10, 20);
	EXPECT_EQ(3, xtcp_sack_fill(&l, &o));
	EXPECT_EQ(XTCP_OPTF_TS | XTCP_OPTF_SACK, o.present);
	ASSERT_EQ(3, o.num_sacks);
	EXPECT_EQ(10, o.sack[0].start);
	EXPECT_EQ(20, o.sack[0].end);
	EXPECT_EQ(300, o.sack[1].start);
	EXPECT_EQ(400, o.sack[1].end);
	EXPECT_EQ(100, o.sack[2].start);
	EXPECT_EQ(200, o.sack[2].end);
	EXPECT_FALSE(l.has_dsack);

	/* The next ACK no longer reports the duplicate. */
	EXPECT_EQ(2, xtcp_sack_fill(&l, &o));
	EXPECT_EQ(300, o.sack[0].start);
	EXPECT_EQ(100, o.sack[1].start);

	/* Once the blocks go, the SACK bit goes too. */
	xtcp_sack_advance(&l, 400);
	EXPECT_EQ(0, xtcp_sack_fill(&l, &o));
	EXPECT_EQ(XTCP_OPTF_TS, o.present);
	EXPECT_EQ(0, o.num_sacks);
}

/* D-SACK and four blocks: the oldest block is left out of the option. */
TEST(fill_dsack_and_four_blocks)
{
	struct xtcp_sack_list l;
	struct xtcp_opts o = { .present = 0 };
	unsigned int i;

	xtcp_sack_init(&l);
	for (i = 0; i < 4; i++)
		xtcp_sack_add(&l, 100 * (i + 1), 100 * (i + 1) + 50);
	xtcp_sack_set_dsack(&l, 10, 20);
	EXPECT_EQ(4, xtcp_sack_fill(&l, &o));
	EXPECT_EQ(10, o.sack[0].start);
	EXPECT_EQ(400, o.sack[1].start);
	EXPECT_EQ(300, o.sack[2].start);
	EXPECT_EQ(200, o.sack[3].start);
	/* Still held, only not reported this time. */
	EXPECT_EQ(4, l.num);
	/* Beside timestamps only the first three reach the wire. */
	o.present |= XTCP_OPTF_TS;
	EXPECT_EQ(3, xtcp_opts_sack_fit(&o));
	EXPECT_EQ(40, xtcp_opts_len(&o));
}

/*
 * RFC 2883 section 4, example of a duplicate above the cumulative ACK:
 * the D-SACK block, then the block holding it.
 */
TEST(dsack_above_ack_then_containing_block)
{
	struct xtcp_sack_list l;
	struct xtcp_opts o = { .present = 0 };

	xtcp_sack_init(&l);
	xtcp_sack_add(&l, 3000, 3500);
	xtcp_sack_add(&l, 4000, 4500);
	/* 3000..3500 arrives again. */
	xtcp_sack_set_dsack(&l, 3000, 3500);
	xtcp_sack_add(&l, 3000, 3500);
	ASSERT_EQ(3, xtcp_sack_fill(&l, &o));
	EXPECT_EQ(3000, o.sack[0].start);
	EXPECT_EQ(3500, o.sack[0].end);
	EXPECT_EQ(3000, o.sack[1].start);
	EXPECT_EQ(3500, o.sack[1].end);
	EXPECT_EQ(4000, o.sack[2].start);
	/* The sender sees it as a D-SACK: first within second. */
	EXPECT_TRUE(xtcp_sack_is_dsack(o.sack, o.num_sacks, 2000));
}

TEST(set_dsack_extends_or_replaces)
{
	struct xtcp_sack_list l;

	xtcp_sack_init(&l);
	xtcp_sack_set_dsack(&l, 100, 100);
	EXPECT_FALSE(l.has_dsack);
	xtcp_sack_set_dsack(&l, 100, 200);
	xtcp_sack_set_dsack(&l, 200, 300);
	EXPECT_TRUE(l.has_dsack);
	EXPECT_EQ(100, l.dsack.start);
	EXPECT_EQ(300, l.dsack.end);
	xtcp_sack_set_dsack(&l, 50, 150);
	EXPECT_EQ(50, l.dsack.start);
	EXPECT_EQ(300, l.dsack.end);
	/* Not touching: the newest duplicate replaces it. */
	xtcp_sack_set_dsack(&l, 1000, 1100);
	EXPECT_EQ(1000, l.dsack.start);
	EXPECT_EQ(1100, l.dsack.end);
	/* An empty range does not touch a pending one. */
	xtcp_sack_set_dsack(&l, 5, 5);
	EXPECT_EQ(1000, l.dsack.start);
}

TEST(is_dsack)
{
	const struct xtcp_sack_block below[] = { B(100, 200), B(500, 600) };
	const struct xtcp_sack_block inside[] = { B(520, 560), B(500, 600) };
	const struct xtcp_sack_block same[] = { B(500, 600), B(500, 600) };
	const struct xtcp_sack_block plain[] = { B(500, 600), B(700, 800) };
	const struct xtcp_sack_block wider[] = { B(450, 600), B(500, 600) };
	const struct xtcp_sack_block wrap[] = { B(0xfffffff0u, 0x10) };

	EXPECT_FALSE(xtcp_sack_is_dsack(below, 0, 300));
	EXPECT_TRUE(xtcp_sack_is_dsack(below, 2, 300));
	EXPECT_TRUE(xtcp_sack_is_dsack(below, 1, 300));
	EXPECT_TRUE(xtcp_sack_is_dsack(inside, 2, 300));
	EXPECT_TRUE(xtcp_sack_is_dsack(same, 2, 300));
	EXPECT_FALSE(xtcp_sack_is_dsack(inside, 1, 300));
	EXPECT_FALSE(xtcp_sack_is_dsack(plain, 2, 300));
	EXPECT_FALSE(xtcp_sack_is_dsack(wider, 2, 300));
	/* At the cumulative ACK is not below it. */
	EXPECT_FALSE(xtcp_sack_is_dsack(plain, 2, 500));
	EXPECT_TRUE(xtcp_sack_is_dsack(plain, 2, 501));
	/* Below an ACK just past zero. */
	EXPECT_TRUE(xtcp_sack_is_dsack(wrap, 1, 0x20));
	EXPECT_FALSE(xtcp_sack_is_dsack(wrap, 1, 0xffffffe0u));
}

TEST(validate_regular)
{
	const u32 una = 1000, nxt = 5000, win = 65535;
	const struct xtcp_sack_block ok = B(2000, 3000);
	const struct xtcp_sack_block to_nxt = B(4000, 5000);
	const struct xtcp_sack_block empty = B(2000, 2000);
	const struct xtcp_sack_block inverted = B(3000, 2000);
	const struct xtcp_sack_block past_nxt = B(4000, 5001);
	const struct xtcp_sack_block beyond = B(6000, 7000);
	const struct xtcp_sack_block at_una = B(1000, 2000);
	const struct xtcp_sack_block straddle = B(900, 1100);
	const struct xtcp_sack_block below = B(100, 200);

	EXPECT_EQ(XTCP_SACK_OK, xtcp_sack_validate(&ok, una, nxt, win, false));
	EXPECT_EQ(XTCP_SACK_OK,
		  xtcp_sack_validate(&to_nxt, una, nxt, win, false));
	EXPECT_EQ(XTCP_SACK_BAD,
		  xtcp_sack_validate(&empty, una, nxt, win, false));
	EXPECT_EQ(XTCP_SACK_BAD,
		  xtcp_sack_validate(&inverted, una, nxt, win, false));
	EXPECT_EQ(XTCP_SACK_BAD,
		  xtcp_sack_validate(&past_nxt, una, nxt, win, false));
	EXPECT_EQ(XTCP_SACK_BAD,
		  xtcp_sack_validate(&beyond, una, nxt, win, false));
	/* The cumulative ACK covers snd_una's byte: not to be SACKed. */
	EXPECT_EQ(XTCP_SACK_BAD,
		  xtcp_sack_validate(&at_una, una, nxt, win, false));
	EXPECT_EQ(XTCP_SACK_BAD,
		  xtcp_sack_validate(&straddle, una, nxt, win, false));
	EXPECT_EQ(XTCP_SACK_BAD,
		  xtcp_sack_validate(&below, una, nxt, win, false));
}

TEST(validate_dsack)
{
	const u32 una = 100000, nxt = 105000, win = 10000;
	const struct xtcp_sack_block below = B(95000, 96000);
	const struct xtcp_sack_block to_una = B(99000, 100000);
	const struct xtcp_sack_block window_old = B(90000, 91000);
	const struct xtcp_sack_block too_old = B(89999, 91000);
	const struct xtcp_sack_block straddle = B(99000, 100001);
	const struct xtcp_sack_block above = B(101000, 102000);
	const struct xtcp_sack_block inverted = B(96000, 95000);
	const struct xtcp_sack_block past_nxt = B(104000, 106000);

	EXPECT_EQ(XTCP_SACK_DUP,
		  xtcp_sack_validate(&below, una, nxt, win, true));
	EXPECT_EQ(XTCP_SACK_DUP,
		  xtcp_sack_validate(&to_una, una, nxt, win, true));
	EXPECT_EQ(XTCP_SACK_DUP,
		  xtcp_sack_validate(&window_old, una, nxt, win, true));
	EXPECT_EQ(XTCP_SACK_BAD,
		  xtcp_sack_validate(&too_old, una, nxt, win, true));
	EXPECT_EQ(XTCP_SACK_BAD,
		  xtcp_sack_validate(&straddle, una, nxt, win, true));
	/* A duplicate above the cumulative ACK (RFC 2883 section 4). */
	EXPECT_EQ(XTCP_SACK_DUP,
		  xtcp_sack_validate(&above, una, nxt, win, true));
	EXPECT_EQ(XTCP_SACK_BAD,
		  xtcp_sack_validate(&inverted, una, nxt, win, true));
	EXPECT_EQ(XTCP_SACK_BAD,
		  xtcp_sack_validate(&past_nxt, una, nxt, win, true));
	/* Without the D-SACK mark a block below snd_una is bad. */
	EXPECT_EQ(XTCP_SACK_BAD,
		  xtcp_sack_validate(&below, una, nxt, win, false));
}

TEST(validate_wraparound)
{
	const u32 una = 0xffffff00u, nxt = 0x100, win = 0x1000;
	const struct xtcp_sack_block across = B(0xfffffff0u, 0x10);
	const struct xtcp_sack_block after_zero = B(0x10, 0x100);
	const struct xtcp_sack_block past_nxt = B(0x10, 0x101);
	const struct xtcp_sack_block dup = B(0xfffff000u, 0xfffff100u);
	const struct xtcp_sack_block dup_old = B(0xffffeeffu, 0xfffff000u);
	/*
	 * start before end and end not after snd_nxt, yet start about 2^31
	 * from both: only the explicit start check rejects it.
	 */
	const struct xtcp_sack_block far = B(0x7ffffff8u, 0xfffffff0u);

	EXPECT_EQ(XTCP_SACK_OK,
		  xtcp_sack_validate(&across, una, nxt, win, false));
	EXPECT_EQ(XTCP_SACK_OK,
		  xtcp_sack_validate(&after_zero, una, nxt, win, false));
	EXPECT_EQ(XTCP_SACK_BAD,
		  xtcp_sack_validate(&past_nxt, una, nxt, win, false));
	EXPECT_EQ(XTCP_SACK_DUP,
		  xtcp_sack_validate(&dup, una, nxt, win, true));
	EXPECT_EQ(XTCP_SACK_BAD,
		  xtcp_sack_validate(&dup_old, una, nxt, win, true));
	EXPECT_EQ(XTCP_SACK_BAD,
		  xtcp_sack_validate(&far, 0xfffffffcu, 0, win, false));
	EXPECT_EQ(XTCP_SACK_BAD,
		  xtcp_sack_validate(&far, 0xfffffffcu, 0, win, true));
}

/*
 * Found by xtcp_fuzz_sack: with nothing in flight, a block starting
 * exactly 2^31 from snd_una == snd_nxt is after the one and before the
 * other, and was taken as data held above snd_una.
 */
TEST(validate_antipode_nothing_in_flight)
{
	const u32 una = 0x80003200u, win = 0;
	const struct xtcp_sack_block antipode = B(0x3200, 0x400001);

	EXPECT_EQ(XTCP_SACK_BAD,
		  xtcp_sack_validate(&antipode, una, una, win, false));
	EXPECT_EQ(XTCP_SACK_BAD,
		  xtcp_sack_validate(&antipode, una, una, win, true));
	EXPECT_EQ(XTCP_SACK_BAD,
		  xtcp_sack_validate(&antipode, una, una, 0x10000, true));
}

TEST(covered)
{
	const struct xtcp_sack_block b[] = {
		B(500, 600), B(100, 200), B(200, 300), B(0xfffffff0u, 0x10),
	};

	EXPECT_TRUE(xtcp_sack_covered(b, 4, 120, 180));
	EXPECT_TRUE(xtcp_sack_covered(b, 4, 100, 200));
	EXPECT_TRUE(xtcp_sack_covered(b, 4, 500, 600));
	EXPECT_FALSE(xtcp_sack_covered(b, 4, 90, 150));
	EXPECT_FALSE(xtcp_sack_covered(b, 4, 550, 601));
	EXPECT_FALSE(xtcp_sack_covered(b, 4, 350, 400));
	/* Two abutting blocks are not combined. */
	EXPECT_FALSE(xtcp_sack_covered(b, 4, 150, 250));
	/* Empty or inverted ranges hold nothing. */
	EXPECT_FALSE(xtcp_sack_covered(b, 4, 150, 150));
	EXPECT_FALSE(xtcp_sack_covered(b, 4, 180, 120));
	/* Across the wrap. */
	EXPECT_TRUE(xtcp_sack_covered(b, 4, 0xfffffff8u, 0x08));
	EXPECT_TRUE(xtcp_sack_covered(b, 4, 0xfffffff0u, 0x10));
	EXPECT_FALSE(xtcp_sack_covered(b, 4, 0xffffffe0u, 0x08));
	/* Only the first @n blocks count. */
	EXPECT_FALSE(xtcp_sack_covered(b, 1, 120, 180));
	EXPECT_FALSE(xtcp_sack_covered(b, 0, 500, 600));
}

TEST(cut)
{
	const struct xtcp_sack_block b[] = {
		B(500, 600), B(100, 200), B(0xfffffff0u, 0x10),
	};

	/* A block starting inside: the part before it is cut off. */
	EXPECT_EQ(100, xtcp_sack_cut(b, 3, 50, 150));
	EXPECT_EQ(100, xtcp_sack_cut(b, 2, 0, 1000));
	/* A block ending inside: the part it covers is cut off. */
	EXPECT_EQ(200, xtcp_sack_cut(b, 3, 100, 300));
	EXPECT_EQ(600, xtcp_sack_cut(b, 3, 550, 700));
	/* Wholly inside a block, or outside all: no cut. */
	EXPECT_EQ(180, xtcp_sack_cut(b, 3, 120, 180));
	EXPECT_EQ(400, xtcp_sack_cut(b, 3, 300, 400));
	EXPECT_EQ(600, xtcp_sack_cut(b, 3, 500, 600));
	/* Edges at the range's own ends are no cut. */
	EXPECT_EQ(500, xtcp_sack_cut(b, 3, 200, 500));
	/* Across the wrap. */
	EXPECT_EQ(0xfffffff0u, xtcp_sack_cut(b, 3, 0xffffffe0u, 0x20));
	EXPECT_EQ(0x10, xtcp_sack_cut(b, 3, 0xfffffff8u, 0x20));
	/* Only the first @n blocks count. */
	EXPECT_EQ(150, xtcp_sack_cut(b, 1, 50, 150));
	EXPECT_EQ(1000, xtcp_sack_cut(b, 0, 0, 1000));
}

TEST_HARNESS_MAIN
