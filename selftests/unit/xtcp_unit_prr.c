// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for module/xtcp_prr.h: Proportional Rate Reduction
 * (RFC 6937) against the examples of its section 6 and the properties
 * its section 3 states.
 */
#include "../../module/xtcp_prr.h"
#include "kselftest_harness.h"

/*
 * RFC 6937 section 6, first example: 20 segments in flight, the first
 * lost, Reno's ssthresh of 10; every ACK delivers one segment.  PRR
 * sends one segment on every other ACK, the first being the
 * retransmission, so that the pipe falls smoothly from 19 to ssthresh
 * (RFC 6675 would send nothing for ten ACKs, then one per ACK); once
 * there, one for one.
 */
TEST(one_loss_reno_sends_every_other_ack)
{
	static const u32 want[] = { 1, 0, 1, 0, 1, 0, 1, 0, 1, 0,
				    1, 0, 1, 0, 1, 0, 0, 1, 1 };
	struct xtcp_prr p;
	u32 pipe = 19, sndcnt, total = 0;
	unsigned int i;

	xtcp_prr_init(&p, 20);
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		pipe--;			/* the ACK delivered one */
		sndcnt = xtcp_prr_sndcnt(&p, 1, pipe, 10);
		EXPECT_EQ(want[i], sndcnt);
		xtcp_prr_sent(&p, sndcnt);
		pipe += sndcnt;
		total += sndcnt;
	}
	/* One round trip later, the pipe is ssthresh. */
	EXPECT_EQ(10, pipe);
	EXPECT_EQ(10, total);
}

/*
 * The same with CUBIC's ssthresh (0.7 of 20 = 14): 7 segments for
 * every 10 delivered, never more than CEIL(delivered * 14 / 20).
 */
TEST(cubic_ssthresh_sends_seven_of_ten)
{
	struct xtcp_prr p;
	u32 pipe = 19, sndcnt, total = 0;
	unsigned int i;

	xtcp_prr_init(&p, 20);
	for (i = 1; i <= 10; i++) {
		pipe--;
		sndcnt = xtcp_prr_sndcnt(&p, 1, pipe, 14);
		xtcp_prr_sent(&p, sndcnt);
		pipe += sndcnt;
		total += sndcnt;
		EXPECT_EQ((i * 14 + 19) / 20, total);
	}
	EXPECT_EQ(7, total);
}

/*
 * Section 6, second example: losses took the pipe below ssthresh.  The
 * slow start reduction bound lets out what was delivered plus one
 * segment per ACK, up to ssthresh, no more.
 */
TEST(below_ssthresh_grows_as_slow_start)
{
	struct xtcp_prr p;

	xtcp_prr_init(&p, 20);
	/* Pipe 4 after 15 losses: an ACK of one segment lets out two. */
	EXPECT_EQ(2, xtcp_prr_sndcnt(&p, 1, 4, 10));
	xtcp_prr_sent(&p, 2);
	/* prr_delivered 2, prr_out 2: DeliveredData + 1 again. */
	EXPECT_EQ(2, xtcp_prr_sndcnt(&p, 1, 5, 10));
	xtcp_prr_sent(&p, 2);
	/* An ACK of four: five, but only up to ssthresh. */
	EXPECT_EQ(4, xtcp_prr_sndcnt(&p, 4, 6, 10));
	xtcp_prr_sent(&p, 4);
	EXPECT_EQ(0, xtcp_prr_sndcnt(&p, 1, 10, 10));
}

/* More sent than the proportion allows (a probe, say): nothing, never less. */
TEST(never_negative)
{
	struct xtcp_prr p;

	xtcp_prr_init(&p, 20);
	xtcp_prr_sent(&p, 5);
	EXPECT_EQ(0, xtcp_prr_sndcnt(&p, 1, 18, 10));
	EXPECT_EQ(0, xtcp_prr_sndcnt(&p, 1, 17, 10));
}

/* A recovery from an empty flight divides by one, not by zero. */
TEST(empty_flight)
{
	struct xtcp_prr p;

	xtcp_prr_init(&p, 0);
	EXPECT_EQ(1, p.recover_fs);
	EXPECT_EQ(2, xtcp_prr_sndcnt(&p, 1, 0, 2));
}

/* Large counts do not wrap: the product is taken in 64 bits. */
TEST(large_counts)
{
	struct xtcp_prr p;

	xtcp_prr_init(&p, 65535);
	/* 131070 * 65534 is past 2^32; CEIL(./65535) is 131068. */
	EXPECT_EQ(131068, xtcp_prr_sndcnt(&p, 131070, 65535 * 2, 65534));
}

TEST_HARNESS_MAIN
