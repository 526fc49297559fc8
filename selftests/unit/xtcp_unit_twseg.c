// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for module/xtcp_twseg.h: what a TIME_WAIT entry does with
 * each kind of segment, with sysctl rfc1337 0 and 1, sequence numbers
 * wrapping included.
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

/*
 * Segments other than RSTs, of @len payload bytes: the same answer
 * whatever sysctl rfc1337 says, or -1 (which no test expects) if the
 * two differ.
 */
static int twseg_len(u8 flags, u32 seq, u32 len, u32 rcv_nxt)
{
	enum xtcp_twseg_action a = xtcp_twseg(flags, seq, len, rcv_nxt, false);

	return a == xtcp_twseg(flags, seq, len, rcv_nxt, true) ? (int)a : -1;
}

/* The same without payload. */
static int twseg(u8 flags, u32 seq, u32 rcv_nxt)
{
	return twseg_len(flags, seq, 0, rcv_nxt);
}

/* A RST without payload, with sysctl rfc1337 as given. */
static enum xtcp_twseg_action rst_action(u8 flags, u32 seq, u32 rcv_nxt,
					 bool rfc1337)
{
	return xtcp_twseg(flags, seq, 0, rcv_nxt, rfc1337);
}

/*
 * rfc1337 0, the default, as Linux's tcp_rfc1337: a RST at exactly
 * rcv_nxt ends TIME_WAIT (the peer's answer from SYN_SENT to our ACK),
 * whatever other flags it has; one number off on either side is not
 * enough.
 */
TEST(rst_at_rcv_nxt_kills)
{
	EXPECT_EQ(XTCP_TWSEG_KILL, rst_action(RST, RCV_NXT, RCV_NXT, false));
	EXPECT_EQ(XTCP_TWSEG_KILL, rst_action(RST | ACK, RCV_NXT, RCV_NXT,
					      false));
	EXPECT_EQ(XTCP_TWSEG_KILL, rst_action(SYN | RST, RCV_NXT, RCV_NXT,
					      false));
	EXPECT_EQ(XTCP_TWSEG_KILL, rst_action(FIN | RST | ACK, RCV_NXT,
					      RCV_NXT, false));
	EXPECT_EQ(XTCP_TWSEG_DROP, rst_action(RST, RCV_NXT - 1, RCV_NXT,
					      false));
	EXPECT_EQ(XTCP_TWSEG_DROP, rst_action(RST, RCV_NXT + 1, RCV_NXT,
					      false));
	EXPECT_EQ(XTCP_TWSEG_DROP, rst_action(RST | ACK, RCV_NXT + 1, RCV_NXT,
					      false));
	EXPECT_EQ(XTCP_TWSEG_DROP, rst_action(RST, RCV_NXT + 100000, RCV_NXT,
					      false));
	EXPECT_EQ(XTCP_TWSEG_DROP, rst_action(RST, RCV_NXT - 100000, RCV_NXT,
					      false));
	/* The peer's FIN's own number, one below rcv_nxt, is not it. */
	EXPECT_EQ(XTCP_TWSEG_DROP, rst_action(FIN | RST | ACK, RCV_NXT - 1,
					      RCV_NXT, false));
	/* Payload changes nothing: the RST is looked at first, as Linux. */
	EXPECT_EQ(XTCP_TWSEG_KILL, xtcp_twseg(RST | ACK | PSH, RCV_NXT, 100,
					      RCV_NXT, false));
	EXPECT_EQ(XTCP_TWSEG_DROP, xtcp_twseg(RST | ACK | PSH, RCV_NXT + 1,
					      100, RCV_NXT, false));
	EXPECT_EQ(XTCP_TWSEG_DROP, xtcp_twseg(RST | ACK | PSH, RCV_NXT, 100,
					      RCV_NXT, true));
	/* A RST never reopens, even above the old sequence space. */
	EXPECT_EQ(XTCP_TWSEG_DROP, rst_action(SYN | RST, RCV_NXT + 1, RCV_NXT,
					      false));
}

/* rfc1337 1 (RFC 1337's fix): no RST ends TIME_WAIT, wherever it is. */
TEST(rfc1337_drops_every_rst)
{
	EXPECT_EQ(XTCP_TWSEG_DROP, rst_action(RST, RCV_NXT, RCV_NXT, true));
	EXPECT_EQ(XTCP_TWSEG_DROP, rst_action(RST | ACK, RCV_NXT, RCV_NXT,
					      true));
	EXPECT_EQ(XTCP_TWSEG_DROP, rst_action(RST, RCV_NXT - 1, RCV_NXT,
					      true));
	EXPECT_EQ(XTCP_TWSEG_DROP, rst_action(RST, RCV_NXT + 1, RCV_NXT,
					      true));
	EXPECT_EQ(XTCP_TWSEG_DROP, rst_action(RST, RCV_NXT + 100000, RCV_NXT,
					      true));
	/* RST comes first: not a new SYN, nor the FIN again. */
	EXPECT_EQ(XTCP_TWSEG_DROP, rst_action(SYN | RST, RCV_NXT + 1, RCV_NXT,
					      true));
	EXPECT_EQ(XTCP_TWSEG_DROP, rst_action(SYN | RST, RCV_NXT, RCV_NXT,
					      true));
	EXPECT_EQ(XTCP_TWSEG_DROP, rst_action(FIN | RST | ACK, RCV_NXT - 1,
					      RCV_NXT, true));
}

/* The exact-number rule holds across the wrap of sequence numbers. */
TEST(rst_numbers_wrap)
{
	EXPECT_EQ(XTCP_TWSEG_KILL, rst_action(RST, 0, 0, false));
	EXPECT_EQ(XTCP_TWSEG_KILL, rst_action(RST, 0xffffffffu, 0xffffffffu,
					      false));
	EXPECT_EQ(XTCP_TWSEG_DROP, rst_action(RST, 0xffffffffu, 0, false));
	EXPECT_EQ(XTCP_TWSEG_DROP, rst_action(RST, 0, 0xffffffffu, false));
	EXPECT_EQ(XTCP_TWSEG_DROP, rst_action(RST, 0, 0, true));
}

/* A SYN above the old sequence space opens a new connection. */
TEST(syn_above_reopens)
{
	EXPECT_EQ(XTCP_TWSEG_REOPEN, twseg(SYN, RCV_NXT + 1, RCV_NXT));
	EXPECT_EQ(XTCP_TWSEG_REOPEN,
		  twseg(SYN, RCV_NXT + 0x7fffffffu, RCV_NXT));
	/* Flags other than ACK and RST do not matter. */
	EXPECT_EQ(XTCP_TWSEG_REOPEN,
		  twseg(SYN | PSH, RCV_NXT + 1, RCV_NXT));
	EXPECT_EQ(XTCP_TWSEG_REOPEN,
		  twseg(SYN | FIN, RCV_NXT + 1, RCV_NXT));
}

/* An old SYN, at or below rcv_nxt, or a SYN-ACK, is only answered. */
TEST(syn_at_or_below_is_acked)
{
	EXPECT_EQ(XTCP_TWSEG_ACK, twseg(SYN, RCV_NXT, RCV_NXT));
	EXPECT_EQ(XTCP_TWSEG_ACK, twseg(SYN, RCV_NXT - 1, RCV_NXT));
	EXPECT_EQ(XTCP_TWSEG_ACK, twseg(SYN, RCV_NXT - 100000, RCV_NXT));
	/* More than 2^31 above is behind in sequence space. */
	EXPECT_EQ(XTCP_TWSEG_ACK,
		  twseg(SYN, RCV_NXT + 0x80000001u, RCV_NXT));
	EXPECT_EQ(XTCP_TWSEG_ACK, twseg(SYN | ACK, RCV_NXT + 1, RCV_NXT));
	EXPECT_EQ(XTCP_TWSEG_ACK, twseg(SYN | ACK, RCV_NXT, RCV_NXT));
	/* An old SYN with a FIN is taken as the FIN again. */
	EXPECT_EQ(XTCP_TWSEG_REARM, twseg(SYN | FIN, RCV_NXT - 1, RCV_NXT));
	/* So is a SYN-ACK with a FIN, wherever it is. */
	EXPECT_EQ(XTCP_TWSEG_REARM, twseg(SYN | ACK | FIN, RCV_NXT + 1,
					  RCV_NXT));
}

/* The peer's FIN again (our ACK was lost) restarts 2*MSL. */
TEST(fin_again_rearms)
{
	/* As the peer sends it again: at rcv_nxt - 1, with an ACK. */
	EXPECT_EQ(XTCP_TWSEG_REARM, twseg(FIN | ACK, RCV_NXT - 1, RCV_NXT));
	EXPECT_EQ(XTCP_TWSEG_REARM, twseg(FIN | ACK | PSH, RCV_NXT - 11,
					  RCV_NXT));
	/* The sequence number is not checked: any FIN does it. */
	EXPECT_EQ(XTCP_TWSEG_REARM, twseg(FIN, RCV_NXT, RCV_NXT));
	EXPECT_EQ(XTCP_TWSEG_REARM, twseg(FIN | ACK, RCV_NXT + 5000, RCV_NXT));
}

/*
 * A bare segment (no payload, SYN, FIN or RST) at exactly rcv_nxt, as
 * Linux's TCP_TW_SUCCESS for it: no answer, 2*MSL restarted.  Flags
 * other than those four do not matter, nor does the ACK flag.
 */
TEST(bare_at_rcv_nxt_is_quiet)
{
	EXPECT_EQ(XTCP_TWSEG_QUIET, twseg(ACK, RCV_NXT, RCV_NXT));
	EXPECT_EQ(XTCP_TWSEG_QUIET, twseg(ACK | PSH, RCV_NXT, RCV_NXT));
	EXPECT_EQ(XTCP_TWSEG_QUIET,
		  twseg(ACK | XTCP_FLAG_ECE | XTCP_FLAG_CWR, RCV_NXT,
			RCV_NXT));
	EXPECT_EQ(XTCP_TWSEG_QUIET, twseg(ACK | XTCP_FLAG_URG, RCV_NXT,
					  RCV_NXT));
	EXPECT_EQ(XTCP_TWSEG_QUIET, twseg(0, RCV_NXT, RCV_NXT));
	/* Across the wrap of sequence numbers. */
	EXPECT_EQ(XTCP_TWSEG_QUIET, twseg(ACK, 0, 0));
	EXPECT_EQ(XTCP_TWSEG_QUIET, twseg(ACK, 0xffffffffu, 0xffffffffu));
}

/*
 * One number off rcv_nxt, or anything in sequence space (payload, SYN,
 * FIN) at it, and it is no longer bare at rcv_nxt.
 */
TEST(bare_off_rcv_nxt_is_acked)
{
	EXPECT_EQ(XTCP_TWSEG_ACK, twseg(ACK, RCV_NXT - 1, RCV_NXT));
	EXPECT_EQ(XTCP_TWSEG_ACK, twseg(ACK, RCV_NXT + 1, RCV_NXT));
	EXPECT_EQ(XTCP_TWSEG_ACK, twseg(0, RCV_NXT - 1, RCV_NXT));
	EXPECT_EQ(XTCP_TWSEG_ACK, twseg(0, RCV_NXT + 1, RCV_NXT));
	EXPECT_EQ(XTCP_TWSEG_ACK, twseg(ACK, 0xffffffffu, 0));
	EXPECT_EQ(XTCP_TWSEG_ACK, twseg(ACK, 0, 0xffffffffu));
	/* One byte of payload at rcv_nxt. */
	EXPECT_EQ(XTCP_TWSEG_ACK, twseg_len(ACK, RCV_NXT, 1, RCV_NXT));
	EXPECT_EQ(XTCP_TWSEG_ACK, twseg_len(0, RCV_NXT, 1, RCV_NXT));
	/* A SYN or a FIN at rcv_nxt: as before (old SYN, FIN again). */
	EXPECT_EQ(XTCP_TWSEG_ACK, twseg(SYN, RCV_NXT, RCV_NXT));
	EXPECT_EQ(XTCP_TWSEG_ACK, twseg(SYN | ACK, RCV_NXT, RCV_NXT));
	EXPECT_EQ(XTCP_TWSEG_REARM, twseg(FIN | ACK, RCV_NXT, RCV_NXT));
}

/* An ACK off rcv_nxt, data in the window or out of it: an ACK. */
TEST(ack_and_data_are_acked)
{
	EXPECT_EQ(XTCP_TWSEG_ACK, twseg(ACK, RCV_NXT - 1, RCV_NXT));
	EXPECT_EQ(XTCP_TWSEG_ACK, twseg_len(ACK | PSH, RCV_NXT, 100,
					    RCV_NXT));
	EXPECT_EQ(XTCP_TWSEG_ACK, twseg_len(ACK | PSH, RCV_NXT - 100, 100,
					    RCV_NXT));
	/* Out of the window, either side. */
	EXPECT_EQ(XTCP_TWSEG_ACK, twseg_len(ACK | PSH, RCV_NXT + 70000, 100,
					    RCV_NXT));
	EXPECT_EQ(XTCP_TWSEG_ACK, twseg_len(ACK | PSH, RCV_NXT - 70000, 100,
					    RCV_NXT));
	/* Without payload too, out of the window. */
	EXPECT_EQ(XTCP_TWSEG_ACK, twseg(ACK, RCV_NXT + 70000, RCV_NXT));
	EXPECT_EQ(XTCP_TWSEG_ACK, twseg(ACK, RCV_NXT - 70000, RCV_NXT));
}

/* Sequence numbers wrap: rcv_nxt near 2^32, a SYN just past zero. */
TEST(numbers_wrap)
{
	EXPECT_EQ(XTCP_TWSEG_REOPEN, twseg(SYN, 0, 0xffffffffu));
	EXPECT_EQ(XTCP_TWSEG_REOPEN, twseg(SYN, 0x10, 0xfffffff0u));
	EXPECT_EQ(XTCP_TWSEG_ACK, twseg(SYN, 0xffffffffu, 0));
	EXPECT_EQ(XTCP_TWSEG_ACK, twseg(SYN, 0xfffffff0u, 0x10));
	EXPECT_EQ(XTCP_TWSEG_ACK, twseg(SYN, 0, 0));
	EXPECT_EQ(XTCP_TWSEG_REARM, twseg(FIN | ACK, 0xffffffffu, 0));
}

TEST_HARNESS_MAIN
