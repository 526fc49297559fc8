// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for module/xtcp_cookie.h: SYN cookies made and checked as
 * Linux's, with a stand-in for the module's siphash MACs.
 */
#include "../../module/xtcp_cookie.h"
#include "kselftest_harness.h"

/* A stand-in MAC: any mixing of the tuple, the counter and the key. */
static u32 mac(u32 tuple, u32 count, u32 key)
{
	u32 x = tuple * 0x9e3779b1u ^ count * 0x85ebca6bu ^ key;

	x ^= x >> 16;
	x *= 0x7feb352du;
	x ^= x >> 15;
	return x;
}

#define TUPLE	0xc6120002u

static u32 make(u32 isn, u32 count, u32 i)
{
	return xtcp_cookie_pack(mac(TUPLE, 0, 1), mac(TUPLE, count, 2), isn,
				count, i);
}

/* The MSS a cookie carries at @now, or 0: the module's check. */
static u16 check(u32 cookie, u32 isn, u32 now, u32 tuple)
{
	u32 h0 = mac(tuple, 0, 1);
	u32 age = xtcp_cookie_age(cookie, h0, isn, now);

	if (age >= XTCP_COOKIE_MAX_AGE)
		return 0;
	return xtcp_cookie_mss(xtcp_cookie_data(cookie, h0, isn,
						mac(tuple, now - age, 2)),
			       false);
}

TEST(mss_table)
{
	EXPECT_EQ(0, xtcp_cookie_mss_index(100, false));
	EXPECT_EQ(0, xtcp_cookie_mss_index(536, false));
	EXPECT_EQ(0, xtcp_cookie_mss_index(1299, false));
	EXPECT_EQ(1, xtcp_cookie_mss_index(1300, false));
	EXPECT_EQ(1, xtcp_cookie_mss_index(1400, false));
	EXPECT_EQ(2, xtcp_cookie_mss_index(1440, false));
	EXPECT_EQ(3, xtcp_cookie_mss_index(1460, false));
	EXPECT_EQ(3, xtcp_cookie_mss_index(65535, false));
	EXPECT_EQ(1300, xtcp_cookie_mss(1, false));
	EXPECT_EQ(0, xtcp_cookie_mss(4, false));
}

/*
 * IPv6 peers get net/ipv6/syncookies.c's table, 1280, 1480, 1500 and
 * 9000 less 60 bytes of headers: an announced 1400 gives 1220 (1300 in
 * IPv4's), loopback's 65476 gives 8940 (1460).
 */
TEST(mss_table6)
{
	static const unsigned int want[] = { 1220, 1420, 1440, 8940 };
	unsigned int i;

	for (i = 0; i < XTCP_COOKIE_MSS_N; i++) {
		EXPECT_EQ(want[i], xtcp_cookie_mss(i, true));
		EXPECT_EQ(i, xtcp_cookie_mss_index(want[i], true));
		EXPECT_EQ(i ? i - 1 : 0,
			  xtcp_cookie_mss_index(want[i] - 1, true));
	}
	EXPECT_EQ(0, xtcp_cookie_mss(4, true));
	EXPECT_EQ(0, xtcp_cookie_mss_index(536, true));
	EXPECT_EQ(0, xtcp_cookie_mss_index(1400, true));
	EXPECT_EQ(1220, xtcp_cookie_mss(xtcp_cookie_mss_index(1400, true),
					true));
	EXPECT_EQ(1300, xtcp_cookie_mss(xtcp_cookie_mss_index(1400, false),
					false));
	EXPECT_EQ(2, xtcp_cookie_mss_index(1460, true));
	EXPECT_EQ(3, xtcp_cookie_mss_index(65476, true));
	EXPECT_EQ(3, xtcp_cookie_mss_index(65476, false));
}

/* Every index comes back, at any counter value and ISN. */
TEST(round_trip)
{
	static const u32 counts[] = { 0, 1, 255, 256, 0x12345678u,
				      0xffffffffu };
	static const u32 isns[] = { 0, 1000, 0x7fffffffu, 0xffffffffu };
	unsigned int c, n;
	u32 i;

	for (c = 0; c < ARRAY_SIZE(counts); c++)
		for (n = 0; n < ARRAY_SIZE(isns); n++)
			for (i = 0; i < XTCP_COOKIE_MSS_N; i++)
				EXPECT_EQ(xtcp_cookie_mss(i, false),
					  check(make(isns[n], counts[c], i),
						isns[n], counts[c], TUPLE));
}

/*
 * Valid in the minute it was made and the next, not from the one after
 * (Linux's MAX_SYNCOOKIE_AGE 2), also across the counter's wrap at 256
 * in the cookie's top 8 bits and at 2^32.
 */
TEST(ages_out)
{
	static const u32 counts[] = { 7, 254, 255, 0xfffffffeu, 0xffffffffu };
	unsigned int c;
	u32 k;

	for (c = 0; c < ARRAY_SIZE(counts); c++) {
		k = make(1000, counts[c], 3);
		EXPECT_EQ(1460, check(k, 1000, counts[c], TUPLE));
		EXPECT_EQ(1460, check(k, 1000, counts[c] + 1, TUPLE));
		EXPECT_EQ(0, check(k, 1000, counts[c] + 2, TUPLE));
		EXPECT_EQ(0, check(k, 1000, counts[c] + 100, TUPLE));
		/* Made "in the future": not ours either. */
		EXPECT_EQ(0, check(k, 1000, counts[c] - 1, TUPLE));
	}
}

/*
 * Another 4-tuple, another ISN, or a cookie moved by a little: nothing,
 * except where the move lands on another index of the table, which the
 * layout allows (Linux's too): one above index 3 is outside it, one
 * below is index 2 (and one more in the ISN is one less in the cookie).
 */
TEST(refused)
{
	u32 k = make(1000, 50, 3);

	EXPECT_EQ(0, check(k, 1000, 50, TUPLE + 1));
	EXPECT_EQ(0, check(k, 999, 50, TUPLE));
	EXPECT_EQ(0, check(k, 6000, 50, TUPLE));
	EXPECT_EQ(0, check(k + 1, 1000, 50, TUPLE));
	EXPECT_EQ(0, check(k + 1000, 1000, 50, TUPLE));
	EXPECT_EQ(0, check(k - 4, 1000, 50, TUPLE));
	EXPECT_EQ(1440, check(k - 1, 1000, 50, TUPLE));
	EXPECT_EQ(1440, check(k, 1001, 50, TUPLE));
}

TEST_HARNESS_MAIN
