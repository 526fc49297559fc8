// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for module/xtcp_wire.h (header and option encode/decode)
 * and for the checksum the selftests build segments with
 * (selftests/xtcp_pkt.h).
 */
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <stdlib.h>

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

/* The MSS the options announce, 0 for none, as the module reads it. */
static u16 opts_mss(const u8 *opt, unsigned int len)
{
	struct xtcp_opts o = {};

	xtcp_opts_decode(&o, opt, len);
	return o.present & XTCP_OPTF_MSS ? o.mss : 0;
}

TEST(mss_option_found)
{
	uint8_t opts[8];

	xtcp_opt_put_mss(opts, 1460);
	EXPECT_EQ(XTCP_OPT_MSS, opts[0]);
	EXPECT_EQ(XTCP_OPT_MSS_LEN, opts[1]);
	EXPECT_EQ(1460, opts_mss(opts, 4));
}

TEST(mss_option_after_nops_and_unknown)
{
	/* NOP, NOP, window scale (3 bytes), MSS 536. */
	static const uint8_t opts[] = { 1, 1, 3, 3, 7, 2, 4, 0x02, 0x18 };

	EXPECT_EQ(536, opts_mss(opts, sizeof(opts)));
}

TEST(mss_option_absent_or_malformed)
{
	static const uint8_t eol[] = { 0, 2, 4, 5, 0xb4 };
	static const uint8_t zero_len[] = { 8, 0, 2, 4, 5, 0xb4 };
	static const uint8_t too_long[] = { 2, 4, 5 };
	static const uint8_t bad_len[] = { 2, 3, 5, 0xb4 };

	EXPECT_EQ(0, opts_mss(eol, sizeof(eol)));
	EXPECT_EQ(0, opts_mss(zero_len, sizeof(zero_len)));
	EXPECT_EQ(0, opts_mss(too_long, sizeof(too_long)));
	EXPECT_EQ(0, opts_mss(bad_len, sizeof(bad_len)));
	EXPECT_EQ(0, opts_mss(NULL, 0));
}

/* Two MSS options: the first valid one counts, as it always has. */
TEST(mss_option_first_wins)
{
	static const uint8_t twice[] = { 2, 4, 0x02, 0x18, 2, 4, 5, 0xb4 };
	static const uint8_t bad_then_good[] = { 2, 6, 0, 0, 0, 0,
						 2, 4, 5, 0xb4 };

	EXPECT_EQ(536, opts_mss(twice, sizeof(twice)));
	EXPECT_EQ(1460, opts_mss(bad_then_good, sizeof(bad_then_good)));
}

/* malloc() that cannot fail, so tests need not check. */
static void *xmalloc(size_t len)
{
	void *p = malloc(len);

	if (!p)
		abort();
	return p;
}

/*
 * Decode @len option bytes copied to the very end of a heap buffer of
 * exactly that size, so that ASan reports any read past them.  @o is
 * poisoned first: the decoder must set what it reports.
 */
static void decode_tail(struct xtcp_opts *o, const uint8_t *opts, size_t len)
{
	uint8_t *buf = xmalloc(len);

	if (len)
		memcpy(buf, opts, len);
	memset(o, 0xa5, sizeof(*o));
	xtcp_opts_decode(o, buf, len);
	free(buf);
}

TEST(opt_decode_empty)
{
	static const uint8_t one[][1] = { { 0 }, { 1 }, { 2 }, { 3 }, { 5 },
					  { 8 }, { 0xff } };
	struct xtcp_opts o;
	size_t i;

	decode_tail(&o, NULL, 0);
	EXPECT_EQ(0, o.present);
	EXPECT_EQ(0, o.num_sacks);
	/* A lone kind byte: nothing to decode and nothing read beyond. */
	for (i = 0; i < ARRAY_SIZE(one); i++) {
		decode_tail(&o, one[i], 1);
		EXPECT_EQ(0, o.present);
		EXPECT_EQ(0, o.num_sacks);
	}
}

TEST(opt_decode_mss)
{
	static const uint8_t opts[] = { 2, 4, 0x05, 0xb4 };
	struct xtcp_opts o;

	decode_tail(&o, opts, sizeof(opts));
	EXPECT_EQ(XTCP_OPTF_MSS, o.present);
	EXPECT_EQ(1460, o.mss);
}

TEST(opt_decode_wscale)
{
	static const uint8_t opts[] = { 1, 3, 3, 7 };
	struct xtcp_opts o;

	decode_tail(&o, opts, sizeof(opts));
	EXPECT_EQ(XTCP_OPTF_WSCALE, o.present);
	EXPECT_EQ(7, o.wscale);
}

/* RFC 7323 2.3: a shift above 14 is used as 14, and that is recorded. */
TEST(opt_decode_wscale_clamped)
{
	uint8_t opts[] = { 3, 3, 14, 0 };
	struct xtcp_opts o;

	decode_tail(&o, opts, 3);
	EXPECT_EQ(XTCP_OPTF_WSCALE, o.present);
	EXPECT_EQ(14, o.wscale);
	opts[2] = 15;
	decode_tail(&o, opts, 3);
	EXPECT_EQ(XTCP_OPTF_WSCALE | XTCP_OPTF_WSCALE_CLAMPED, o.present);
	EXPECT_EQ(14, o.wscale);
	opts[2] = 255;
	decode_tail(&o, opts, sizeof(opts));
	EXPECT_EQ(XTCP_OPTF_WSCALE | XTCP_OPTF_WSCALE_CLAMPED, o.present);
	EXPECT_EQ(14, o.wscale);
	opts[2] = 0;
	decode_tail(&o, opts, 3);
	EXPECT_EQ(XTCP_OPTF_WSCALE, o.present);
	EXPECT_EQ(0, o.wscale);
}

TEST(opt_decode_sack_perm)
{
	static const uint8_t opts[] = { 1, 1, 4, 2 };
	struct xtcp_opts o;

	decode_tail(&o, opts, sizeof(opts));
	EXPECT_EQ(XTCP_OPTF_SACK_PERM, o.present);
}

TEST(opt_decode_timestamps)
{
	static const uint8_t opts[] = {
		1, 1, 8, 10, 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04,
	};
	struct xtcp_opts o;

	decode_tail(&o, opts, sizeof(opts));
	EXPECT_EQ(XTCP_OPTF_TS, o.present);
	EXPECT_EQ(0xdeadbeefu, o.tsval);
	EXPECT_EQ(0x01020304u, o.tsecr);
}

/* One to four blocks, host order, in the order of the option. */
TEST(opt_decode_sack_blocks)
{
	uint8_t opts[2 + 2 + 4 * 8] = { 1, 1, 5 };
	struct xtcp_opts o;
	unsigned int n, i;

	for (i = 0; i < 4; i++) {
		xtcp_put_be32(opts + 4 + 8 * i, 0xfffffff0u + 0x100 * i);
		xtcp_put_be32(opts + 8 + 8 * i, 0x00000010u + 0x100 * i);
	}
	for (n = 1; n <= 4; n++) {
		opts[3] = 2 + 8 * n;
		decode_tail(&o, opts, 4 + 8 * n);
		EXPECT_EQ(XTCP_OPTF_SACK, o.present);
		ASSERT_EQ(n, o.num_sacks);
		for (i = 0; i < n; i++) {
			EXPECT_EQ(0xfffffff0u + 0x100 * i, o.sack[i].start);
			EXPECT_EQ(0x00000010u + 0x100 * i, o.sack[i].end);
		}
	}
}

/* What Linux sends on a SYN: MSS, SACK-permitted, TS, window scale. */
static const uint8_t linux_syn[20] = {
	0x02, 0x04, 0x05, 0xb4,			/* MSS 1460 */
	0x04, 0x02,				/* SACK permitted */
	0x08, 0x0a, 0x11, 0x22, 0x33, 0x44,	/* TS val */
	0x00, 0x00, 0x00, 0x00,			/* TS ecr */
	0x01, 0x03, 0x03, 0x07,			/* NOP, window scale 7 */
};

TEST(opt_decode_linux_syn)
{
	struct xtcp_opts o;

	decode_tail(&o, linux_syn, sizeof(linux_syn));
	EXPECT_EQ(XTCP_OPTF_MSS | XTCP_OPTF_SACK_PERM | XTCP_OPTF_TS |
		  XTCP_OPTF_WSCALE, o.present);
	EXPECT_EQ(1460, o.mss);
	EXPECT_EQ(0x11223344u, o.tsval);
	EXPECT_EQ(0, o.tsecr);
	EXPECT_EQ(7, o.wscale);
	EXPECT_EQ(0, o.num_sacks);
}

/* EOL ends the list: what follows it is not an option. */
TEST(opt_decode_eol)
{
	static const uint8_t opts[] = { 2, 4, 5, 0xb4, 0, 1, 3, 3, 7 };
	static const uint8_t first[] = { 0, 2, 4, 5, 0xb4 };
	struct xtcp_opts o;

	decode_tail(&o, opts, sizeof(opts));
	EXPECT_EQ(XTCP_OPTF_MSS, o.present);
	EXPECT_EQ(1460, o.mss);
	decode_tail(&o, first, sizeof(first));
	EXPECT_EQ(0, o.present);
}

TEST(opt_decode_unknown_skipped)
{
	/* MPTCP-ish kind 30 len 4, experimental 254 len 6, then TS. */
	static const uint8_t opts[] = {
		30, 4, 0xaa, 0xbb, 254, 6, 8, 10, 2, 4, 1, 1,
		8, 10, 0, 0, 0, 1, 0, 0, 0, 2,
	};
	struct xtcp_opts o;

	decode_tail(&o, opts, sizeof(opts));
	/* The 8, 10 and 2, 4 inside option 254 are data, not options. */
	EXPECT_EQ(XTCP_OPTF_TS, o.present);
	EXPECT_EQ(1, o.tsval);
	EXPECT_EQ(2, o.tsecr);
}

/*
 * A length that cannot be trusted stops parsing; what came before it is
 * kept.  Each list ends on the bad option, at the end of the buffer.
 */
TEST(opt_decode_stops_on_bad_length)
{
	static const uint8_t kind_only[] = { 2, 4, 5, 0xb4, 8 };
	static const uint8_t len_zero[] = { 2, 4, 5, 0xb4, 8, 0, 1, 3, 3, 7 };
	static const uint8_t len_one[] = { 2, 4, 5, 0xb4, 5, 1, 1, 3, 3, 7 };
	static const uint8_t past_end[] = {
		1, 3, 3, 7, 8, 10, 0, 0, 0, 1, 0, 0, 0,
	};
	static const uint8_t sack_past_end[] = {
		2, 4, 5, 0xb4, 5, 10, 0, 0, 0, 1, 0, 0, 0,
	};
	static const uint8_t mss_past_end[] = { 4, 2, 2, 4, 5 };
	struct xtcp_opts o;

	decode_tail(&o, kind_only, sizeof(kind_only));
	EXPECT_EQ(XTCP_OPTF_MSS, o.present);
	EXPECT_EQ(1460, o.mss);

	decode_tail(&o, len_zero, sizeof(len_zero));
	EXPECT_EQ(XTCP_OPTF_MSS, o.present);

	decode_tail(&o, len_one, sizeof(len_one));
	EXPECT_EQ(XTCP_OPTF_MSS, o.present);

	decode_tail(&o, past_end, sizeof(past_end));
	EXPECT_EQ(XTCP_OPTF_WSCALE, o.present);
	EXPECT_EQ(7, o.wscale);

	decode_tail(&o, sack_past_end, sizeof(sack_past_end));
	EXPECT_EQ(XTCP_OPTF_MSS, o.present);
	EXPECT_EQ(0, o.num_sacks);

	decode_tail(&o, mss_past_end, sizeof(mss_past_end));
	EXPECT_EQ(XTCP_OPTF_SACK_PERM, o.present);
}

/* A known kind with the wrong length is skipped; parsing goes on. */
TEST(opt_decode_ignores_wrong_fixed_length)
{
	static const uint8_t opts[] = {
		2, 3, 5,			/* MSS, len 3 */
		3, 4, 7, 0,			/* window scale, len 4 */
		4, 3, 0,			/* SACK permitted, len 3 */
		8, 8, 0, 0, 0, 1, 0, 0,		/* TS, len 8 */
		1, 3, 3, 9,			/* a good window scale */
	};
	static const uint8_t mss_long[] = { 2, 6, 0, 0, 5, 0xb4, 4, 2 };
	struct xtcp_opts o;

	decode_tail(&o, opts, sizeof(opts));
	EXPECT_EQ(XTCP_OPTF_WSCALE, o.present);
	EXPECT_EQ(9, o.wscale);

	decode_tail(&o, mss_long, sizeof(mss_long));
	EXPECT_EQ(XTCP_OPTF_SACK_PERM, o.present);
}

TEST(opt_decode_ignores_bad_sack_length)
{
	/* 2 + 8n with n = 0, 2 + 7, 2 + 9: all ignored, then a good one. */
	static const uint8_t opts[] = {
		5, 2,
		5, 9, 0, 0, 0, 1, 0, 0, 0,
		5, 11, 0, 0, 0, 1, 0, 0, 0, 2, 0,
		5, 10, 0, 0, 0, 7, 0, 0, 0, 9,
	};
	/* Five blocks cannot be in a header, but the decoder has a length. */
	uint8_t five[2 + 5 * 8] = { 5, 2 + 5 * 8 };
	struct xtcp_opts o;

	decode_tail(&o, opts, sizeof(opts));
	EXPECT_EQ(XTCP_OPTF_SACK, o.present);
	ASSERT_EQ(1, o.num_sacks);
	EXPECT_EQ(7, o.sack[0].start);
	EXPECT_EQ(9, o.sack[0].end);

	decode_tail(&o, five, sizeof(five));
	EXPECT_EQ(0, o.present);
	EXPECT_EQ(0, o.num_sacks);
}

/* The first valid instance of each option counts. */
TEST(opt_decode_duplicates_first_wins)
{
	static const uint8_t opts[] = {
		3, 3, 2, 3, 3, 5,
		8, 10, 0, 0, 0, 1, 0, 0, 0, 2,
		8, 10, 0, 0, 0, 3, 0, 0, 0, 4,
		5, 10, 0, 0, 0, 5, 0, 0, 0, 6,
		5, 10, 0, 0, 0, 7, 0, 0, 0, 8,
	};
	struct xtcp_opts o;

	decode_tail(&o, opts, sizeof(opts));
	EXPECT_EQ(XTCP_OPTF_WSCALE | XTCP_OPTF_TS | XTCP_OPTF_SACK,
		  o.present);
	EXPECT_EQ(2, o.wscale);
	EXPECT_EQ(1, o.tsval);
	EXPECT_EQ(2, o.tsecr);
	ASSERT_EQ(1, o.num_sacks);
	EXPECT_EQ(5, o.sack[0].start);
	EXPECT_EQ(6, o.sack[0].end);
}

/* Options of a whole header, which ends the heap buffer. */
TEST(hdr_decode_opts)
{
	struct xtcp_seg_hdr h, in = sample;
	uint8_t *seg;

	in.doff = XTCP_HDR_LEN + sizeof(linux_syn);
	seg = xmalloc(in.doff);
	xtcp_hdr_encode(seg, &in);
	memcpy(seg + XTCP_HDR_LEN, linux_syn, sizeof(linux_syn));
	memset(&h, 0xa5, sizeof(h));
	ASSERT_EQ(0, xtcp_hdr_decode(&h, seg, in.doff));
	/* The fixed part alone says nothing about options. */
	EXPECT_EQ(0, h.opt.present);
	xtcp_hdr_decode_opts(&h, seg);
	EXPECT_EQ(XTCP_OPTF_MSS | XTCP_OPTF_SACK_PERM | XTCP_OPTF_TS |
		  XTCP_OPTF_WSCALE, h.opt.present);
	EXPECT_EQ(1460, h.opt.mss);
	EXPECT_EQ(7, h.opt.wscale);
	EXPECT_EQ(0x11223344u, h.opt.tsval);

	/* No options at all. */
	in.doff = XTCP_HDR_LEN;
	xtcp_hdr_encode(seg, &in);
	memset(&h, 0xa5, sizeof(h));
	ASSERT_EQ(0, xtcp_hdr_decode(&h, seg, XTCP_HDR_LEN));
	xtcp_hdr_decode_opts(&h, seg);
	EXPECT_EQ(0, h.opt.present);
	free(seg);
}

/*
 * Encode @o into a heap buffer of exactly xtcp_opts_len(@o) bytes (ASan
 * catches a longer write) and compare with @want.
 */
static bool encode_is(const struct xtcp_opts *o, const uint8_t *want,
		      size_t len)
{
	unsigned int olen = xtcp_opts_len(o);
	uint8_t *buf;
	bool same;

	if (olen != len)
		return false;
	buf = xmalloc(len);
	same = xtcp_opts_encode(buf, o) == len && !memcmp(buf, want, len);
	free(buf);
	return same;
}

TEST(opt_encode_linux_syn)
{
	const struct xtcp_opts o = {
		.present = XTCP_OPTF_MSS | XTCP_OPTF_SACK_PERM | XTCP_OPTF_TS |
			   XTCP_OPTF_WSCALE,
		.mss = 1460,
		.tsval = 0x11223344,
		.tsecr = 0,
		.wscale = 7,
	};

	EXPECT_TRUE(encode_is(&o, linux_syn, sizeof(linux_syn)));
}

/* Without timestamps SACK-permitted takes a word of its own. */
TEST(opt_encode_syn_without_ts)
{
	static const uint8_t want[] = {
		0x02, 0x04, 0x05, 0xb4, 0x01, 0x01, 0x04, 0x02,
		0x01, 0x03, 0x03, 0x07,
	};
	static const uint8_t mss_only[] = { 0x02, 0x04, 0x02, 0x18 };
	struct xtcp_opts o = {
		.present = XTCP_OPTF_MSS | XTCP_OPTF_SACK_PERM |
			   XTCP_OPTF_WSCALE,
		.mss = 1460,
		.wscale = 7,
	};

	EXPECT_TRUE(encode_is(&o, want, sizeof(want)));
	o.present = XTCP_OPTF_MSS;
	o.mss = 536;
	EXPECT_TRUE(encode_is(&o, mss_only, sizeof(mss_only)));
	/* The block for MSS alone is what xtcp_opt_put_mss() writes. */
	o.present = 0;
	EXPECT_EQ(0, xtcp_opts_len(&o));
}

TEST(opt_encode_ts_only)
{
	static const uint8_t want[] = {
		0x01, 0x01, 0x08, 0x0a, 0xde, 0xad, 0xbe, 0xef,
		0xca, 0xfe, 0xf0, 0x0d,
	};
	const struct xtcp_opts o = {
		.present = XTCP_OPTF_TS,
		.tsval = 0xdeadbeef,
		.tsecr = 0xcafef00d,
	};

	EXPECT_TRUE(encode_is(&o, want, sizeof(want)));
}

/* A shift above 14 is never put on the wire. */
TEST(opt_encode_wscale_clamped)
{
	static const uint8_t want[] = { 0x01, 0x03, 0x03, 0x0e };
	struct xtcp_opts o = {
		.present = XTCP_OPTF_WSCALE | XTCP_OPTF_WSCALE_CLAMPED,
		.wscale = 15,
	};

	EXPECT_TRUE(encode_is(&o, want, sizeof(want)));
	o.wscale = 255;
	EXPECT_TRUE(encode_is(&o, want, sizeof(want)));
}

static const struct xtcp_sack_block four_blocks[4] = {
	{ 0x10000000, 0x10000100 },
	{ 0x20000000, 0x20000200 },
	{ 0xfffffff0, 0x00000010 },
	{ 0x40000000, 0x40000400 },
};

/* An ACK with timestamps and three SACK blocks fills all 40 bytes. */
TEST(opt_encode_ack_ts_3_sacks)
{
	static const uint8_t want[40] = {
		0x01, 0x01, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x05,
		0x00, 0x00, 0x00, 0x06,
		0x01, 0x01, 0x05, 0x1a,
		0x10, 0x00, 0x00, 0x00, 0x10, 0x00, 0x01, 0x00,
		0x20, 0x00, 0x00, 0x00, 0x20, 0x00, 0x02, 0x00,
		0xff, 0xff, 0xff, 0xf0, 0x00, 0x00, 0x00, 0x10,
	};
	struct xtcp_opts o = {
		.present = XTCP_OPTF_TS | XTCP_OPTF_SACK,
		.tsval = 5,
		.tsecr = 6,
		.num_sacks = 3,
	};

	memcpy(o.sack, four_blocks, sizeof(four_blocks));
	EXPECT_EQ(3, xtcp_opts_sack_fit(&o));
	EXPECT_TRUE(encode_is(&o, want, sizeof(want)));
	/* A fourth block does not fit beside timestamps: it is dropped. */
	o.num_sacks = 4;
	EXPECT_EQ(3, xtcp_opts_sack_fit(&o));
	EXPECT_TRUE(encode_is(&o, want, sizeof(want)));
}

TEST(opt_encode_4_sacks)
{
	static const uint8_t want[36] = {
		0x01, 0x01, 0x05, 0x22,
		0x10, 0x00, 0x00, 0x00, 0x10, 0x00, 0x01, 0x00,
		0x20, 0x00, 0x00, 0x00, 0x20, 0x00, 0x02, 0x00,
		0xff, 0xff, 0xff, 0xf0, 0x00, 0x00, 0x00, 0x10,
		0x40, 0x00, 0x00, 0x00, 0x40, 0x00, 0x04, 0x00,
	};
	struct xtcp_opts o = {
		.present = XTCP_OPTF_SACK,
		.num_sacks = 4,
	};

	memcpy(o.sack, four_blocks, sizeof(four_blocks));
	EXPECT_EQ(4, xtcp_opts_sack_fit(&o));
	EXPECT_TRUE(encode_is(&o, want, sizeof(want)));
	/* A count above what the array holds is capped, not trusted. */
	o.num_sacks = 200;
	EXPECT_EQ(4, xtcp_opts_sack_fit(&o));
	EXPECT_TRUE(encode_is(&o, want, sizeof(want)));
	/* The bit decides: without it no block is written. */
	o.present = 0;
	EXPECT_EQ(0, xtcp_opts_sack_fit(&o));
	EXPECT_EQ(0, xtcp_opts_len(&o));
	/* Nor with the bit and no block. */
	o.present = XTCP_OPTF_SACK;
	o.num_sacks = 0;
	EXPECT_EQ(0, xtcp_opts_len(&o));
}

/* Every SYN option leaves room for two blocks. */
TEST(opt_encode_syn_options_and_sacks)
{
	static const uint8_t want[40] = {
		0x02, 0x04, 0x05, 0xb4,
		0x04, 0x02, 0x08, 0x0a, 0x11, 0x22, 0x33, 0x44,
		0x00, 0x00, 0x00, 0x00,
		0x01, 0x03, 0x03, 0x07,
		0x01, 0x01, 0x05, 0x12,
		0x10, 0x00, 0x00, 0x00, 0x10, 0x00, 0x01, 0x00,
		0x20, 0x00, 0x00, 0x00, 0x20, 0x00, 0x02, 0x00,
	};
	struct xtcp_opts o = {
		.present = XTCP_OPTF_MSS | XTCP_OPTF_SACK_PERM | XTCP_OPTF_TS |
			   XTCP_OPTF_WSCALE | XTCP_OPTF_SACK,
		.mss = 1460,
		.tsval = 0x11223344,
		.wscale = 7,
		.num_sacks = 4,
	};

	memcpy(o.sack, four_blocks, sizeof(four_blocks));
	EXPECT_EQ(2, xtcp_opts_sack_fit(&o));
	EXPECT_TRUE(encode_is(&o, want, sizeof(want)));
}

/*
 * Expected length of the fixed options, counted the way the layout in
 * opt_encode_linux_syn and opt_encode_syn_without_ts shows them.
 */
static unsigned int fixed_len(unsigned int present)
{
	unsigned int len = 0;

	if (present & XTCP_OPTF_MSS)
		len += 4;
	if (present & XTCP_OPTF_TS)
		len += 12;
	else if (present & XTCP_OPTF_SACK_PERM)
		len += 4;
	if (present & XTCP_OPTF_WSCALE)
		len += 4;
	return len;
}

/*
 * Every combination of options and block counts: the block has the
 * expected length (never over 40 bytes), xtcp_opts_len() agrees, and it
 * decodes to what was encoded, less the blocks that did not fit.
 */
TEST(opt_encode_decode_roundtrip_all)
{
	static const uint8_t bits[] = {
		XTCP_OPTF_MSS, XTCP_OPTF_WSCALE, XTCP_OPTF_SACK_PERM,
		XTCP_OPTF_SACK, XTCP_OPTF_TS,
	};
	struct xtcp_opts in = {
		.mss = 1400,
		.wscale = 9,
		.tsval = 0x80000001,
		.tsecr = 0x7fffffff,
	};
	unsigned int set, n, i, len, fit, room;
	struct xtcp_opts out;
	uint8_t *buf;

	memcpy(in.sack, four_blocks, sizeof(four_blocks));
	for (set = 0; set < 1u << sizeof(bits); set++) {
		for (n = 0; n <= XTCP_OPT_SACK_MAX; n++) {
			in.present = 0;
			for (i = 0; i < sizeof(bits); i++)
				if (set & 1u << i)
					in.present |= bits[i];
			in.num_sacks = n;
			/* Room left by the rest, less NOP, NOP, kind, len. */
			room = (40 - fixed_len(in.present) - 4) / 8;
			fit = in.present & XTCP_OPTF_SACK ? n : 0;
			if (fit > room)
				fit = room;
			len = fixed_len(in.present) + (fit ? 4 + 8 * fit : 0);
			ASSERT_GE(40, len);
			ASSERT_EQ(len, xtcp_opts_len(&in));
			ASSERT_EQ(fit, xtcp_opts_sack_fit(&in));
			buf = xmalloc(len);
			ASSERT_EQ(len, xtcp_opts_encode(buf, &in));
			memset(&out, 0xa5, sizeof(out));
			xtcp_opts_decode(&out, buf, len);
			free(buf);
			if (!fit)
				in.present &= ~XTCP_OPTF_SACK;
			ASSERT_EQ(in.present, out.present);
			if (in.present & XTCP_OPTF_MSS)
				EXPECT_EQ(1400, out.mss);
			if (in.present & XTCP_OPTF_WSCALE)
				EXPECT_EQ(9, out.wscale);
			if (in.present & XTCP_OPTF_TS) {
				EXPECT_EQ(0x80000001u, out.tsval);
				EXPECT_EQ(0x7fffffffu, out.tsecr);
			}
			EXPECT_EQ(fit, out.num_sacks);
			for (i = 0; i < fit; i++) {
				EXPECT_EQ(four_blocks[i].start,
					  out.sack[i].start);
				EXPECT_EQ(four_blocks[i].end, out.sack[i].end);
			}
		}
	}
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
