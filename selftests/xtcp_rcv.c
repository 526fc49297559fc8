// SPDX-License-Identifier: GPL-2.0
/*
 * The receive path, fed by hand-built segments from a raw socket:
 * checksum verification over the pseudo-header, header validation,
 * socket lookup, and the counters of /proc/net/xtcp_stat that say what
 * happened to each segment.
 *
 * Each test runs in a fresh network namespace, so the counters start at
 * zero and the expected values are exact.
 *
 * Each runs over IPv4 (variant ip4, 127.0.0.1) and over IPv6 (ip6, ::1,
 * checksummed over the IPv6 pseudo-header): the IPv6 receive handler
 * hands segments to the same receive path, which must count and answer
 * them alike.  xtcp only: Linux TCP's counters differ (no InNoSocket).
 */
#include "xtcp_raw.h"
#include "xtcp_raw6.h"
#include "kselftest_harness.h"

#define LISTEN_PORT	20003
#define NO_PORT		20004

FIXTURE(rcv) {
	int raw;
	int lfd;
	int family;
	uint32_t addr;
	struct in6_addr addr6;
};

FIXTURE_VARIANT(rcv) {
	int family;
};

FIXTURE_VARIANT_ADD(rcv, ip4) {
	.family = AF_INET,
};

FIXTURE_VARIANT_ADD(rcv, ip6) {
	.family = AF_INET6,
};

FIXTURE_SETUP(rcv)
{
	ASSERT_EQ(0, xtcp_new_netns());
	self->family = variant->family;
	self->addr = htonl(INADDR_LOOPBACK);
	self->addr6 = in6addr_loopback;
	self->raw = socket(self->family, SOCK_RAW, IPPROTO_XTCP);
	ASSERT_LE(0, self->raw) TH_LOG("raw socket: %s", strerror(errno));
	self->lfd = socket(self->family, SOCK_STREAM, IPPROTO_XTCP);
	ASSERT_LE(0, self->lfd);
	ASSERT_EQ(0, xtcp_bind(self->lfd, xtcp_loopback(self->family),
			       LISTEN_PORT));
	ASSERT_EQ(0, listen(self->lfd, 1));
}

FIXTURE_TEARDOWN(rcv)
{
	close(self->lfd);
	close(self->raw);
}

static struct xtcp_seg_hdr syn_to(unsigned short port)
{
	struct xtcp_seg_hdr h = {
		.sport = 40000,
		.dport = port,
		.seq = 0x01020304,
		.doff = XTCP_HDR_LEN,
		.flags = XTCP_FLAG_SYN,
		.window = 65535,
	};

	return h;
}

/*
 * Segment @h and @plen bytes of @data in @seg, from and to the loopback
 * address of the variant's family, checksummed with protocol @proto in
 * the pseudo-header: its length.
 */
static size_t build(struct _test_data_rcv *self, uint8_t *seg,
		    const struct xtcp_seg_hdr *h, const void *data,
		    size_t plen, uint8_t proto)
{
	if (self->family == AF_INET6)
		return xtcp_raw6_build_seg(seg, h, data, plen, &self->addr6,
					   &self->addr6, proto);
	return xtcp_build_seg(seg, h, data, plen, self->addr, self->addr,
			      proto);
}

/* Send @len bytes of @seg to the loopback address; 0 or -errno. */
static int send_seg(struct _test_data_rcv *self, const void *seg, size_t len)
{
	if (self->family == AF_INET6)
		return xtcp_raw6_send(self->raw, "::1", seg, len);
	return xtcp_raw_send(self->raw, seg, len);
}

/* xtcp_raw_recv() or xtcp_raw6_recv(), as the variant's family. */
static int recv_seg(struct _test_data_rcv *self, unsigned short sport,
		    unsigned short dport, struct xtcp_seg_hdr *h,
		    uint8_t *opts, size_t *optlen)
{
	if (self->family == AF_INET6)
		return xtcp_raw6_recv(self->raw, sport, dport, 0, h, opts,
				      optlen);
	return xtcp_raw_recv(self->raw, sport, dport, 0, h, opts, optlen);
}

/*
 * Loopback delivers synchronously in the sender's softirq, but wait for
 * the counter anyway (bounded) so that a slower path cannot race us.
 */
static long stat_settled(const char *name, long want)
{
	long v;

	xtcp_read_poll_timeout(xtcp_counter, v, v == want, 1000, 2000, name);
	return v;
}

TEST_F(rcv, counters_start_at_zero)
{
	EXPECT_EQ(0, xtcp_counter("InSegs"));
	EXPECT_EQ(0, xtcp_counter("OutSegs"));
	EXPECT_EQ(0, xtcp_counter("InCsumErrors"));
	EXPECT_EQ(0, xtcp_counter("InNoSocket"));
	EXPECT_EQ(0, xtcp_counter("InHdrErrors"));
}

TEST_F(rcv, stat_file_order)
{
	char line[64];

	ASSERT_EQ(0, xtcp_first_line("/proc/net/xtcp_stat", line, sizeof(line)));
	EXPECT_STREQ("InSegs 0\n", line);
}

TEST_F(rcv, bad_checksum_dropped)
{
	struct xtcp_seg_hdr h = syn_to(LISTEN_PORT);
	uint8_t seg[64];
	size_t len;

	len = build(self, seg, &h, NULL, 0, IPPROTO_XTCP);
	seg[XTCP_CSUM_OFFSET] ^= 0x5a;
	ASSERT_EQ(0, send_seg(self, seg, len));
	EXPECT_EQ(1, stat_settled("InCsumErrors", 1));
	EXPECT_EQ(1, xtcp_counter("InSegs"));
	EXPECT_EQ(0, xtcp_counter("InNoSocket"));
	EXPECT_EQ(0, xtcp_counter("InHdrErrors"));
}

TEST_F(rcv, bad_payload_checksum_dropped)
{
	struct xtcp_seg_hdr h = syn_to(NO_PORT);
	static const char data[] = "payload";
	uint8_t seg[64];
	size_t len;

	len = build(self, seg, &h, data, sizeof(data), IPPROTO_XTCP);
	seg[len - 2] ^= 0x01;
	ASSERT_EQ(0, send_seg(self, seg, len));
	EXPECT_EQ(1, stat_settled("InCsumErrors", 1));
	/* Dropped before lookup: the missing socket is not counted. */
	EXPECT_EQ(0, xtcp_counter("InNoSocket"));
}

/* The pseudo-header carries xtcp's protocol number, not TCP's. */
TEST_F(rcv, tcp_pseudo_header_rejected)
{
	struct xtcp_seg_hdr h = syn_to(LISTEN_PORT);
	uint8_t seg[64];
	size_t len;

	len = build(self, seg, &h, NULL, 0, IPPROTO_TCP);
	ASSERT_EQ(0, send_seg(self, seg, len));
	EXPECT_EQ(1, stat_settled("InCsumErrors", 1));
}

/* RFC 9293 3.10.7.1: a SYN for no socket gets <SEQ=0><ACK=SEG.SEQ+1><RST,ACK>. */
TEST_F(rcv, good_checksum_no_socket)
{
	struct xtcp_seg_hdr h = syn_to(NO_PORT), rst;
	static const char data[] = "odd length payload";
	uint8_t seg[64];
	size_t len;

	len = build(self, seg, &h, data, sizeof(data), IPPROTO_XTCP);
	ASSERT_EQ(0, send_seg(self, seg, len));
	ASSERT_EQ(0, recv_seg(self, NO_PORT, 40000, &rst, NULL, NULL));
	EXPECT_EQ(XTCP_FLAG_RST | XTCP_FLAG_ACK, rst.flags);
	EXPECT_EQ(0, rst.seq);
	EXPECT_EQ(h.seq + sizeof(data) + 1, rst.ack);
	/* The RST comes back here too and finds no socket: not answered. */
	EXPECT_EQ(2, stat_settled("InNoSocket", 2));
	EXPECT_EQ(2, xtcp_counter("InSegs"));
	EXPECT_EQ(1, xtcp_counter("OutRsts"));
	EXPECT_EQ(1, xtcp_counter("OutSegs"));
	EXPECT_EQ(0, xtcp_counter("InCsumErrors"));
}

/* An ACK for no socket gets <SEQ=SEG.ACK><RST>. */
TEST_F(rcv, ack_for_no_socket)
{
	struct xtcp_seg_hdr h = syn_to(NO_PORT), rst;
	uint8_t seg[64];
	size_t len;

	h.flags = XTCP_FLAG_ACK;
	h.ack = 0x0a0b0c0d;
	len = build(self, seg, &h, NULL, 0, IPPROTO_XTCP);
	ASSERT_EQ(0, send_seg(self, seg, len));
	ASSERT_EQ(0, recv_seg(self, NO_PORT, 40000, &rst, NULL, NULL));
	EXPECT_EQ(XTCP_FLAG_RST, rst.flags);
	EXPECT_EQ(0x0a0b0c0du, rst.seq);
}

/* A RST is never answered. */
TEST_F(rcv, rst_for_no_socket_ignored)
{
	struct xtcp_seg_hdr h = syn_to(NO_PORT);
	uint8_t seg[64];
	size_t len;

	h.flags = XTCP_FLAG_RST;
	len = build(self, seg, &h, NULL, 0, IPPROTO_XTCP);
	ASSERT_EQ(0, send_seg(self, seg, len));
	EXPECT_EQ(1, stat_settled("InNoSocket", 1));
	EXPECT_EQ(0, xtcp_counter("OutRsts"));
	EXPECT_EQ(0, xtcp_counter("OutSegs"));
}

/*
 * The listener's answers on the wire: SYN in, SYN-ACK out (ack = ISN + 1,
 * window, MSS option); an ACK it cannot match is reset with SEQ = SEG.ACK.
 * (On loopback our own stack resets the SYN-ACK, which ends the request:
 * a full handshake by hand needs a peer on another host.)
 */
TEST_F(rcv, listener_answers)
{
	struct xtcp_seg_hdr h = syn_to(LISTEN_PORT), sa, rst;
	uint8_t seg[64], opts[40];
	size_t len, optlen = 0;
	struct xtcp_opts o = {};

	len = build(self, seg, &h, NULL, 0, IPPROTO_XTCP);
	ASSERT_EQ(0, send_seg(self, seg, len));
	ASSERT_EQ(0, recv_seg(self, LISTEN_PORT, 40000, &sa, opts, &optlen));
	EXPECT_EQ(XTCP_FLAG_SYN | XTCP_FLAG_ACK, sa.flags);
	EXPECT_EQ(h.seq + 1, sa.ack);
	EXPECT_EQ(65535, sa.window);
	ASSERT_EQ(4, optlen);
	xtcp_opts_decode(&o, opts, optlen);
	EXPECT_EQ(XTCP_OPTF_MSS, o.present);
	EXPECT_NE(0, o.mss);

	/* An unmatched acknowledgment: reset, with SEQ = SEG.ACK. */
	h.flags = XTCP_FLAG_ACK;
	h.seq++;
	h.ack = sa.seq + 1000;
	len = build(self, seg, &h, NULL, 0, IPPROTO_XTCP);
	ASSERT_EQ(0, send_seg(self, seg, len));
	ASSERT_EQ(0, recv_seg(self, LISTEN_PORT, 40000, &rst, NULL, NULL));
	EXPECT_EQ(XTCP_FLAG_RST, rst.flags);
	EXPECT_EQ(sa.seq + 1000, rst.seq);
}

TEST_F(rcv, good_checksum_to_listener)
{
	struct xtcp_seg_hdr h = syn_to(LISTEN_PORT);
	uint8_t seg[64];
	size_t len;

	len = build(self, seg, &h, NULL, 0, IPPROTO_XTCP);
	ASSERT_EQ(0, send_seg(self, seg, len));
	/* SYN in; SYN-ACK out, to a port with no socket here: it comes
	 * back and is reset; the RST comes back and ends the request.
	 */
	EXPECT_EQ(3, stat_settled("InSegs", 3));
	EXPECT_EQ(1, xtcp_counter("InNoSocket"));
	EXPECT_EQ(1, xtcp_counter("OutRsts"));
	EXPECT_EQ(0, xtcp_counter("InCsumErrors"));
	EXPECT_EQ(0, xtcp_counter("InHdrErrors"));
}

TEST_F(rcv, runt_segment)
{
	uint8_t seg[XTCP_HDR_LEN] = { 0 };

	ASSERT_EQ(0, send_seg(self, seg, 12));
	EXPECT_EQ(1, stat_settled("InHdrErrors", 1));
	EXPECT_EQ(0, xtcp_counter("InSegs"));
}

TEST_F(rcv, bad_data_offset)
{
	struct xtcp_seg_hdr h = syn_to(LISTEN_PORT);
	uint8_t seg[64];
	size_t len;

	len = build(self, seg, &h, NULL, 0, IPPROTO_XTCP);
	seg[12] = 4 << 4;		/* below the 20-byte minimum */
	ASSERT_EQ(0, send_seg(self, seg, len));
	seg[12] = 15 << 4;		/* 60 bytes, more than was sent */
	ASSERT_EQ(0, send_seg(self, seg, len));
	EXPECT_EQ(2, stat_settled("InHdrErrors", 2));
	EXPECT_EQ(0, xtcp_counter("InSegs"));
}

TEST_HARNESS_MAIN
