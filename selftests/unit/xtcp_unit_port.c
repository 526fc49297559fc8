// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for module/xtcp_port.h: the order in which connect() tries
 * ephemeral ports, as Linux 6.1's __inet_hash_connect() walks them.
 */
#include <string.h>

#include "../../module/xtcp_port.h"
#include "kselftest_harness.h"

/*
 * The ports a whole walk tries, in order, as xtcp_connect_ephemeral()
 * loops: the first pass from @start, the second (when the span is over
 * 1) from @start + 1.  Returns how many, at most @max.
 */
static int walk(u32 low, u32 high, u32 start, u32 *ports, int max)
{
	u32 end = high + 1, span = xtcp_port_span(low, end), i, pass;
	int n = 0;

	for (pass = 0; pass < (span > 1 ? 2 : 1); pass++, start++)
		for (i = 0; i < span && n < max; i += 2)
			ports[n++] = xtcp_port_at(low, end, span, start, i);
	return n;
}

/* Linux's loop, transcribed: port += 2, wrapping at high by remaining. */
static int linux_walk(int low, int high, u32 offset, u32 *ports, int max)
{
	u32 remaining;
	int port, i, n = 0;

	high++;
	remaining = high - low;
	if (remaining > 1)
		remaining &= ~1U;
other_parity_scan:
	port = low + offset;
	for (i = 0; i < remaining; i += 2, port += 2) {
		if (port >= high)
			port -= remaining;
		if (n < max)
			ports[n++] = port;
	}
	offset++;
	if ((offset & 1) && remaining > 1)
		goto other_parity_scan;
	return n;
}

TEST(span)
{
	EXPECT_EQ(28232, xtcp_port_span(32768, 61000));	/* the default */
	EXPECT_EQ(1, xtcp_port_span(40000, 40001));
	EXPECT_EQ(2, xtcp_port_span(40000, 40002));
	EXPECT_EQ(2, xtcp_port_span(40000, 40003));	/* 3 ports: 2 */
	EXPECT_EQ(10, xtcp_port_span(43000, 43010));
}

TEST(start_even_and_in_span)
{
	u32 spans[] = { 1, 2, 10, 28232 }, p, o, k, s;

	for (k = 0; k < ARRAY_SIZE(spans); k++) {
		for (p = 0; p < 5000; p++) {
			o = p * 2654435761u;
			s = xtcp_port_start(p * 40503u, o, spans[k]);
			ASSERT_EQ(0, s % 2);
			ASSERT_GT(spans[k] > 1 ? spans[k] : 1, s);
		}
	}
	/* (perturb + offset) % span, rounded down to even. */
	EXPECT_EQ(6, xtcp_port_start(3, 4, 10));
	EXPECT_EQ(0, xtcp_port_start(0xffffffffu, 1, 10));
	EXPECT_EQ(0, xtcp_port_start(12345, 678, 1));
}

/* An even-sized range: every port once, the first pass of low's parity. */
TEST(walk_covers_even_range)
{
	static u32 ports[64];
	u32 start, k;
	int n;

	for (start = 0; start < 10; start += 2) {
		unsigned char seen[10] = { 0 };

		n = walk(43000, 43009, start, ports, 64);
		ASSERT_EQ(10, n);
		for (k = 0; k < 10; k++) {
			ASSERT_LE(43000, ports[k]);
			ASSERT_GE(43009, ports[k]);
			seen[ports[k] - 43000]++;
			/* Even ports (low's parity) first. */
			ASSERT_EQ(k < 5 ? 0 : 1, ports[k] % 2);
		}
		for (k = 0; k < 10; k++)
			ASSERT_EQ(1, seen[k]) TH_LOG("port %u", 43000 + k);
		EXPECT_EQ(43000 + start, ports[0]);
	}
}

/* The same ports in the same order as Linux's loop, odd ranges too. */
TEST(walk_as_linux)
{
	static u32 mine[128], theirs[128];
	u32 ranges[][2] = {
		{ 43000, 43009 }, { 43000, 43010 }, { 43001, 43009 },
		{ 40000, 40000 }, { 40000, 40001 }, { 40000, 40002 },
		{ 32768, 32867 },
	};
	u32 k, start;
	int n, m;

	for (k = 0; k < ARRAY_SIZE(ranges); k++) {
		u32 span = xtcp_port_span(ranges[k][0], ranges[k][1] + 1);

		for (start = 0; start < span; start += 2) {
			n = walk(ranges[k][0], ranges[k][1], start, mine, 128);
			m = linux_walk(ranges[k][0], ranges[k][1], start,
				       theirs, 128);
			ASSERT_EQ(m, n);
			ASSERT_EQ(0, memcmp(mine, theirs, n * sizeof(u32)))
				TH_LOG("range %u-%u start %u", ranges[k][0],
				       ranges[k][1], start);
		}
	}
}

/* One port: tried once, never twice. */
TEST(walk_one_port)
{
	u32 ports[4];

	ASSERT_EQ(1, walk(40000, 40000, 0, ports, 4));
	EXPECT_EQ(40000, ports[0]);
}

/* Two ports: the even one first, then the odd one. */
TEST(walk_two_ports)
{
	u32 ports[4];

	ASSERT_EQ(2, walk(40000, 40001, 0, ports, 4));
	EXPECT_EQ(40000, ports[0]);
	EXPECT_EQ(40001, ports[1]);
}

/*
 * Three ports, an odd count: a walk tries two of them, which two
 * depending on the start, as Linux (whose documentation asks for ends
 * of different parity).
 */
TEST(walk_odd_range)
{
	u32 ports[8];

	ASSERT_EQ(2, walk(40000, 40002, 0, ports, 8));
	EXPECT_EQ(40000, ports[0]);
	EXPECT_EQ(40001, ports[1]);
	ASSERT_EQ(4, walk(40000, 40004, 2, ports, 8));
	EXPECT_EQ(40002, ports[0]);
	EXPECT_EQ(40004, ports[1]);	/* the last port, not wrapped */
	EXPECT_EQ(40003, ports[2]);
	EXPECT_EQ(40001, ports[3]);	/* 40000 is not tried */
}

TEST(perturb_step)
{
	u32 i, r;

	/* Found at once: a random move of 2 to 16, even. */
	for (r = 0; r < 8; r++)
		EXPECT_EQ(2 * r + 2, xtcp_port_perturb_step(0, r));
	/* Found after busy ports: past them. */
	for (i = 0; i < 100; i += 2)
		for (r = 0; r < 8; r++)
			EXPECT_LE(i + 2, xtcp_port_perturb_step(i, r));
	EXPECT_EQ(42, xtcp_port_perturb_step(40, 7));
	EXPECT_EQ(16, xtcp_port_perturb_step(4, 7));
}

/*
 * Successive connections to one destination, none busy: each starts
 * past the last one's port, so the first 28232 / 16 = 1764 at least
 * (the most a move can be is 16) get different ports.
 */
TEST(successive_ports_differ)
{
	static unsigned char used[65536];
	u32 perturb = 123456789, offset = 987654321, span, s, port, k;

	memset(used, 0, sizeof(used));
	span = xtcp_port_span(32768, 61000);
	for (k = 0; k < 1764; k++) {
		s = xtcp_port_start(perturb, offset, span);
		port = xtcp_port_at(32768, 61000, span, s, 0);
		ASSERT_EQ(0, used[port]++) TH_LOG("connection %u", k);
		perturb += xtcp_port_perturb_step(0, (k * 5) % 8);
	}
}

TEST_HARNESS_MAIN
