// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for module/xtcp_wire.h (header encode/decode) and for the
 * checksum the selftests build segments with (selftests/xtcp_pkt.h).
 */
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include "../xtcp_pkt.h"
#include "kselftest_harness.h"

static const struct xtcp_seg_hdr sample = {
	.sport = 0x1234,
	.dport = 80,
	.seq = 0xdeadbeef,
	.ack = 0x01020304,
	.doff = 20,
	.flags = XTCP_FLAG_SYN | XTCP_FLAG_ACK,
	.window = 0xfaf0,
	.check = 0xabcd,
	.urg_ptr = 7,
};

TEST(encode_bytes)
{
	static const uint8_t want[XTCP_HDR_LEN] = {
		0x12, 0x34, 0x00, 0x50,		/* ports */
		0xde, 0xad, 0xbe, 0xef,		/* seq */
		0x01, 0x02, 0x03, 0x04,		/* ack */
		0x50, 0x12, 0xfa, 0xf0,		/* doff 5, SYN|ACK, window */
		0xab, 0xcd, 0x00, 0x07,		/* check, urgent */
	};
	uint8_t buf[XTCP_HDR_LEN];

	xtcp_hdr_encode(buf, &sample);
	EXPECT_EQ(0, memcmp(want, buf, sizeof(want)));
}

/* The layout is TCP's: glibc's struct tcphdr reads the same fields. */
TEST(layout_is_tcp)
{
	uint8_t buf[XTCP_HDR_LEN];
	struct tcphdr th;

	xtcp_hdr_encode(buf, &sample);
	memcpy(&th, buf, sizeof(th));
	EXPECT_EQ((size_t)XTCP_HDR_LEN, sizeof(th));
	EXPECT_EQ(0x1234, ntohs(th.th_sport));
	EXPECT_EQ(80, ntohs(th.th_dport));
	EXPECT_EQ(0xdeadbeef, ntohl(th.th_seq));
	EXPECT_EQ(0x01020304u, ntohl(th.th_ack));
	EXPECT_EQ(5, (int)th.th_off);
	EXPECT_EQ(TH_SYN | TH_ACK, th.th_flags);
	EXPECT_EQ(0xfaf0, ntohs(th.th_win));
	EXPECT_EQ(0xabcd, ntohs(th.th_sum));
	EXPECT_EQ(7, ntohs(th.th_urp));
}

TEST(decode_roundtrip)
{
	uint8_t buf[XTCP_HDR_LEN];
	struct xtcp_seg_hdr h;

	xtcp_hdr_encode(buf, &sample);
	ASSERT_EQ(0, xtcp_hdr_decode(&h, buf, sizeof(buf)));
	EXPECT_EQ(sample.sport, h.sport);
	EXPECT_EQ(sample.dport, h.dport);
	EXPECT_EQ(sample.seq, h.seq);
	EXPECT_EQ(sample.ack, h.ack);
	EXPECT_EQ(sample.doff, h.doff);
	EXPECT_EQ(sample.flags, h.flags);
	EXPECT_EQ(sample.window, h.window);
	EXPECT_EQ(sample.check, h.check);
	EXPECT_EQ(sample.urg_ptr, h.urg_ptr);
}

TEST(decode_rejects_bad_lengths)
{
	uint8_t buf[XTCP_HDR_MAX_LEN] = { 0 };
	struct xtcp_seg_hdr h;

	EXPECT_EQ(-EINVAL, xtcp_hdr_decode(&h, buf, XTCP_HDR_LEN - 1));
	buf[12] = 4 << 4;	/* 16-byte header: below the minimum */
	EXPECT_EQ(-EINVAL, xtcp_hdr_decode(&h, buf, sizeof(buf)));
	buf[12] = 6 << 4;	/* 24 bytes claimed, 20 present */
	EXPECT_EQ(-EINVAL, xtcp_hdr_decode(&h, buf, XTCP_HDR_LEN));
	EXPECT_EQ(0, xtcp_hdr_decode(&h, buf, 24));
	EXPECT_EQ(24, h.doff);
	buf[12] = 15 << 4;	/* the largest header */
	EXPECT_EQ(0, xtcp_hdr_decode(&h, buf, XTCP_HDR_MAX_LEN));
	EXPECT_EQ(60, h.doff);
}

TEST(decode_ignores_reserved_bits)
{
	uint8_t buf[XTCP_HDR_LEN];
	struct xtcp_seg_hdr h;

	xtcp_hdr_encode(buf, &sample);
	buf[12] |= 0x0f;
	ASSERT_EQ(0, xtcp_hdr_decode(&h, buf, sizeof(buf)));
	EXPECT_EQ(20, h.doff);
}

TEST(mss_option_found)
{
	uint8_t opts[8];

	xtcp_opt_put_mss(opts, 1460);
	EXPECT_EQ(XTCP_OPT_MSS, opts[0]);
	EXPECT_EQ(XTCP_OPT_MSS_LEN, opts[1]);
	EXPECT_EQ(1460, xtcp_opt_mss(opts, 4));
}

TEST(mss_option_after_nops_and_unknown)
{
	/* NOP, NOP, window scale (3 bytes), MSS 536. */
	static const uint8_t opts[] = { 1, 1, 3, 3, 7, 2, 4, 0x02, 0x18 };

	EXPECT_EQ(536, xtcp_opt_mss(opts, sizeof(opts)));
}

TEST(mss_option_absent_or_malformed)
{
	static const uint8_t eol[] = { 0, 2, 4, 5, 0xb4 };
	static const uint8_t zero_len[] = { 8, 0, 2, 4, 5, 0xb4 };
	static const uint8_t too_long[] = { 2, 4, 5 };
	static const uint8_t bad_len[] = { 2, 3, 5, 0xb4 };

	EXPECT_EQ(0, xtcp_opt_mss(eol, sizeof(eol)));
	EXPECT_EQ(0, xtcp_opt_mss(zero_len, sizeof(zero_len)));
	EXPECT_EQ(0, xtcp_opt_mss(too_long, sizeof(too_long)));
	EXPECT_EQ(0, xtcp_opt_mss(bad_len, sizeof(bad_len)));
	EXPECT_EQ(0, xtcp_opt_mss(NULL, 0));
}

/* RFC 1071 section 3 example: the sum of these words is 0xddf2. */
TEST(csum_rfc1071_example)
{
	static const uint8_t data[] = {
		0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7,
	};

	EXPECT_EQ(0xddf2u, xtcp_csum_add(0, data, sizeof(data)));
	EXPECT_EQ((uint16_t)~0xddf2, xtcp_csum(data, sizeof(data)));
}

TEST(csum_odd_length_pads_with_zero)
{
	static const uint8_t odd[] = { 0x12, 0x34, 0x56 };
	static const uint8_t even[] = { 0x12, 0x34, 0x56, 0x00 };

	EXPECT_EQ(xtcp_csum(even, sizeof(even)), xtcp_csum(odd, sizeof(odd)));
}

/* A segment with its checksum in place sums to 0xffff. */
TEST(segment_checksum_verifies)
{
	uint32_t src = htonl(0xc0a80001), dst = htonl(0xc0a800c7);
	static const char payload[] = "hello, xtcp";
	uint8_t seg[64], pseudo[12];
	uint32_t sum;
	size_t len;

	len = xtcp_build_seg(seg, &sample, payload, sizeof(payload), src, dst,
			     253);
	ASSERT_EQ(20 + sizeof(payload), len);
	memcpy(pseudo, &src, 4);
	memcpy(pseudo + 4, &dst, 4);
	pseudo[8] = 0;
	pseudo[9] = 253;
	pseudo[10] = 0;
	pseudo[11] = len;
	sum = xtcp_csum_add(0, pseudo, sizeof(pseudo));
	sum = xtcp_csum_add(sum, seg, len);
	EXPECT_EQ(0xffffu, sum);
	/* The protocol number is part of the sum: TCP's would not verify. */
	pseudo[9] = 6;
	sum = xtcp_csum_add(0, pseudo, sizeof(pseudo));
	sum = xtcp_csum_add(sum, seg, len);
	EXPECT_NE(0xffffu, sum);
}

/* Known answer, summed by hand: 0x141d (pseudo) + 0x848c = 0x98a9. */
TEST(csum_known_tcp_syn)
{
	/* 10.0.0.1:12345 -> 10.0.0.2:80, seq 1, SYN, window 1024. */
	static const uint8_t syn[20] = {
		0x30, 0x39, 0x00, 0x50, 0x00, 0x00, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x00, 0x50, 0x02, 0x04, 0x00,
		0x00, 0x00, 0x00, 0x00,
	};

	EXPECT_EQ(0x6756, xtcp_seg_csum(htonl(0x0a000001), htonl(0x0a000002),
					6, syn, sizeof(syn)));
}

TEST_HARNESS_MAIN
