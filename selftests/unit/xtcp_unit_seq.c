// SPDX-License-Identifier: GPL-2.0
/* Unit tests for module/xtcp_seq.h: sequence space comparisons. */
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

TEST_HARNESS_MAIN
