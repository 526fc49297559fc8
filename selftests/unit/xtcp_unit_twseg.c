// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for module/xtcp_twseg.h: what a TIME_WAIT entry does with
 * each kind of segment, sequence numbers wrapping included.
 */
#include "../../module/xtcp_twseg.h"
#include "kselftest_harness.h"

#define SYN XTCP_FLAG_SYN
#define ACK XTCP_FLAG_ACK
#define RST XTCP_FLAG_RST
#define FIN XTCP_FLAG_FIN
#define PSH XTCP_FLAG_PSH

/* The entry's rcv_nxt: just past the peer's FIN. */
#define RCV_NXT 1000u

/* RFC 1337: no RST ends TIME_WAIT, wherever its sequence number. */
TEST(rst_is_dropped)
{
	EXPECT_EQ(XTCP_TWSEG_DROP, xtcp_twseg(RST, RCV_NXT, RCV_NXT));
	EXPECT_EQ(XTCP_TWSEG_DROP, xtcp_twseg(RST | ACK, RCV_NXT, RCV_NXT));
	EXPECT_EQ(XTCP_TWSEG_DROP, xtcp_twseg(RST, RCV_NXT - 1, RCV_NXT));
	EXPECT_EQ(XTCP_TWSEG_DROP, xtcp_twseg(RST, RCV_NXT + 1, RCV_NXT));
	EXPECT_EQ(XTCP_TWSEG_DROP,
		  xtcp_twseg(RST, RCV_NXT + 100000, RCV_NXT));
	/* RST comes first: not a new SYN, nor the FIN again. */
	EXPECT_EQ(XTCP_TWSEG_DROP, xtcp_twseg(SYN | RST, RCV_NXT + 1,
					      RCV_NXT));
	EXPECT_EQ(XTCP_TWSEG_DROP, xtcp_twseg(FIN | RST | ACK, RCV_NXT - 1,
					      RCV_NXT));
}

/* A SYN above the old sequence space opens a new connection. */
TEST(syn_above_reopens)
{
	EXPECT_EQ(XTCP_TWSEG_REOPEN, xtcp_twseg(SYN, RCV_NXT + 1, RCV_NXT));
	EXPECT_EQ(XTCP_TWSEG_REOPEN,
		  xtcp_twseg(SYN, RCV_NXT + 0x7fffffffu, RCV_NXT));
	/* Flags other than ACK and RST do not matter. */
	EXPECT_EQ(XTCP_TWSEG_REOPEN,
		  xtcp_twseg(SYN | PSH, RCV_NXT + 1, RCV_NXT));
	EXPECT_EQ(XTCP_TWSEG_REOPEN,
		  xtcp_twseg(SYN | FIN, RCV_NXT + 1, RCV_NXT));
}

/* An old SYN, at or below rcv_nxt, or a SYN-ACK, is only answered. */
TEST(syn_at_or_below_is_acked)
{
	EXPECT_EQ(XTCP_TWSEG_ACK, xtcp_twseg(SYN, RCV_NXT, RCV_NXT));
	EXPECT_EQ(XTCP_TWSEG_ACK, xtcp_twseg(SYN, RCV_NXT - 1, RCV_NXT));
	EXPECT_EQ(XTCP_TWSEG_ACK, xtcp_twseg(SYN, RCV_NXT - 100000, RCV_NXT));
	/* More than 2^31 above is behind in sequence space. */
	EXPECT_EQ(XTCP_TWSEG_ACK,
		  xtcp_twseg(SYN, RCV_NXT + 0x80000001u, RCV_NXT));
	EXPECT_EQ(XTCP_TWSEG_ACK, xtcp_twseg(SYN | ACK, RCV_NXT + 1,
					     RCV_NXT));
	EXPECT_EQ(XTCP_TWSEG_ACK, xtcp_twseg(SYN | ACK, RCV_NXT, RCV_NXT));
	/* An old SYN with a FIN is taken as the FIN again. */
	EXPECT_EQ(XTCP_TWSEG_REARM, xtcp_twseg(SYN | FIN, RCV_NXT - 1,
					       RCV_NXT));
	/* So is a SYN-ACK with a FIN, wherever it is. */
	EXPECT_EQ(XTCP_TWSEG_REARM, xtcp_twseg(SYN | ACK | FIN, RCV_NXT + 1,
					       RCV_NXT));
}

/* The peer's FIN again (our ACK was lost) restarts 2*MSL. */
TEST(fin_again_rearms)
{
	/* As the peer sends it again: at rcv_nxt - 1, with an ACK. */
	EXPECT_EQ(XTCP_TWSEG_REARM, xtcp_twseg(FIN | ACK, RCV_NXT - 1,
					       RCV_NXT));
	EXPECT_EQ(XTCP_TWSEG_REARM, xtcp_twseg(FIN | ACK | PSH, RCV_NXT - 11,
					       RCV_NXT));
	/* The sequence number is not checked: any FIN does it. */
	EXPECT_EQ(XTCP_TWSEG_REARM, xtcp_twseg(FIN, RCV_NXT, RCV_NXT));
	EXPECT_EQ(XTCP_TWSEG_REARM, xtcp_twseg(FIN | ACK, RCV_NXT + 5000,
					       RCV_NXT));
}

/* An ACK, data in the window or out of it: a rate-limited ACK. */
TEST(ack_and_data_are_acked)
{
	EXPECT_EQ(XTCP_TWSEG_ACK, xtcp_twseg(ACK, RCV_NXT, RCV_NXT));
	EXPECT_EQ(XTCP_TWSEG_ACK, xtcp_twseg(ACK, RCV_NXT - 1, RCV_NXT));
	EXPECT_EQ(XTCP_TWSEG_ACK, xtcp_twseg(ACK | PSH, RCV_NXT, RCV_NXT));
	/* Out of the window, either side. */
	EXPECT_EQ(XTCP_TWSEG_ACK, xtcp_twseg(ACK | PSH, RCV_NXT + 70000,
					     RCV_NXT));
	EXPECT_EQ(XTCP_TWSEG_ACK, xtcp_twseg(ACK | PSH, RCV_NXT - 70000,
					     RCV_NXT));
	/* No flag at all. */
	EXPECT_EQ(XTCP_TWSEG_ACK, xtcp_twseg(0, RCV_NXT, RCV_NXT));
}

/* Sequence numbers wrap: rcv_nxt near 2^32, a SYN just past zero. */
TEST(numbers_wrap)
{
	EXPECT_EQ(XTCP_TWSEG_REOPEN, xtcp_twseg(SYN, 0, 0xffffffffu));
	EXPECT_EQ(XTCP_TWSEG_REOPEN, xtcp_twseg(SYN, 0x10, 0xfffffff0u));
	EXPECT_EQ(XTCP_TWSEG_ACK, xtcp_twseg(SYN, 0xffffffffu, 0));
	EXPECT_EQ(XTCP_TWSEG_ACK, xtcp_twseg(SYN, 0xfffffff0u, 0x10));
	EXPECT_EQ(XTCP_TWSEG_ACK, xtcp_twseg(SYN, 0, 0));
	EXPECT_EQ(XTCP_TWSEG_REARM, xtcp_twseg(FIN | ACK, 0xffffffffu, 0));
}

TEST_HARNESS_MAIN
