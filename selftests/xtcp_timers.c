// SPDX-License-Identifier: GPL-2.0
/*
 * Timers over a link with netem (xtcp_link.h): the RTO's backoff,
 * TCP_USER_TIMEOUT, retries2 towards a black hole, keepalive answered
 * and unanswered, and delayed ACKs (towards the hand-made peer).
 */
#include "kselftest_harness.h"
#include "xtcp_ns.h"

/*
 * Over IPv6 (link.xtcp6): the RTO's backoff (data sent again over IPv6)
 * and keepalive probes answered.  The timers' own logic does not
 * depend on the family: their other tests are not run again.  linkx's
 * run over IPv6 too (linkx.xtcp6, the phantom peer of xtcp_peer.h for
 * delayed ACKs), with the same expectations; family-independent
 * scripts, which the debug lane leaves to the Debian lane.
 */
static const struct link6_skip link6_skips[] = {
	{ "user_timeout",
	  "family-independent timer, as link.xtcp (CI time)" },
	{ "keepalive_black_hole",
	  "family-independent timer, as link.xtcp (CI time)" },
	{ NULL, NULL }
};

#define XTCP_LINK6_SKIPS	link6_skips
#define XTCP_LINKX6_ALL
#define XTCP_LINKX6_NOT_IN_DEBUG_LANE

#include "xtcp_link.h"

/* Each timeout doubles the RTO, as TCP_INFO shows. */
TEST_F_TIMEOUT(link, rto_backoff, 60)
{
	struct tcp_info ti;
	long long deadline;
	unsigned int rto0;
	struct held h;
	int fd, seen = 0;

	ASSERT_EQ(0, enter_ns(self->a));
	fd = held_open_af(&h, self->b, variant->proto, variant->proc,
			  self->family);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xtcp_tcp_info(fd, &ti));
	rto0 = ti.tcpi_rto;
	TH_LOG("rto %u rtt %u rttvar %u", ti.tcpi_rto, ti.tcpi_rtt,
	       ti.tcpi_rttvar);
	/* 200 ms of round trip measured: more than the minimum. */
	EXPECT_LE(200000, ti.tcpi_rtt);
	EXPECT_LT(400000, rto0);
	EXPECT_EQ(0, ti.tcpi_backoff);
	ASSERT_EQ(0, black_hole_af(self->a, self->b, self->family));
	ASSERT_EQ(1, write(fd, "r", 1));
	deadline = xtcp_now_ms() + 20000;
	while (seen < 2 && xtcp_now_ms() < deadline) {
		ASSERT_EQ(0, xtcp_tcp_info(fd, &ti));
		if (ti.tcpi_backoff > seen) {
			seen = ti.tcpi_backoff;
			EXPECT_EQ(rto0 << seen, ti.tcpi_rto);
			EXPECT_EQ(seen, ti.tcpi_retransmits);
			/* Both add a tail loss probe (RFC 8985 7). */
			EXPECT_LE(seen, ti.tcpi_total_retrans);
			if (variant->proto == IPPROTO_XTCP)
				EXPECT_EQ(seen + 1, ti.tcpi_total_retrans);
			EXPECT_EQ(1, ti.tcpi_unacked);
		}
		usleep(10000);
	}
	EXPECT_EQ(2, seen);
	EXPECT_EQ(0, held_close(&h, fd));
}

/* TCP_USER_TIMEOUT aborts a connection whose data stays unacknowledged. */
TEST_F_TIMEOUT(link, user_timeout, 60)
{
	struct pollfd pfd = { .events = POLLIN };
	socklen_t len = sizeof(int);
	int fd, err = -1, ms = 1500;
	long long t0, took;
	struct held h;

	ASSERT_EQ(0, enter_ns(self->a));
	fd = held_open_af(&h, self->b, variant->proto, variant->proc,
			  self->family);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ms,
				sizeof(ms)));
	ASSERT_EQ(0, black_hole_af(self->a, self->b, self->family));
	t0 = xtcp_now_ms();
	ASSERT_EQ(1, write(fd, "u", 1));
	pfd.fd = fd;
	ASSERT_EQ(1, poll(&pfd, 1, 15000));
	took = xtcp_now_ms() - t0;
	TH_LOG("aborted after %lld ms", took);
	EXPECT_TRUE(pfd.revents & POLLERR);
	ASSERT_EQ(0, getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len));
	EXPECT_EQ(ETIMEDOUT, err);
	EXPECT_LE(ms - 50, took);
	/* Linux ends on an RTO expiry after the timeout, xtcp on time. */
	EXPECT_GE(ms + 3000, took);
	if (variant->proto == IPPROTO_XTCP)
		EXPECT_GE(ms + 500, took);
	EXPECT_EQ(0, held_close(&h, fd));
}

/* Keepalive after 1 s idle, every 1 s, giving up after 2 probes. */
static int keepalive_on(int fd)
{
	return xtcp_set_int(fd, IPPROTO_TCP, TCP_KEEPIDLE, 1) ||
	       xtcp_set_int(fd, IPPROTO_TCP, TCP_KEEPINTVL, 1) ||
	       xtcp_set_int(fd, IPPROTO_TCP, TCP_KEEPCNT, 2) ||
	       xtcp_set_int(fd, SOL_SOCKET, SO_KEEPALIVE, 1);
}

/*
 * An idle connection with SO_KEEPALIVE whose peer answers stays up: more
 * probes go than TCP_KEEPCNT, each answered, and the connection works.
 */
TEST_F_TIMEOUT(link, keepalive_answered, 60)
{
	socklen_t len = sizeof(int);
	int fd, err = -1;
	struct held h;
	long probes;

	ASSERT_EQ(0, enter_ns(self->a));
	fd = held_open_af(&h, self->b, variant->proto, variant->proc,
			  self->family);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, keepalive_on(fd));
	probes = xtcp_wait_proto_counter(variant->proto, "KeepAliveProbes", 3,
					 20000);
	TH_LOG("%ld keepalive probes", probes);
	EXPECT_LE(3, probes);
	ASSERT_EQ(0, getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len));
	EXPECT_EQ(0, err);
	EXPECT_EQ(0x01, xtcp_proc_state(variant->proc, PORT_A, PORT_B));
	ASSERT_EQ(1, write(fd, "k", 1));
	EXPECT_EQ(0, xtcp_wait_outq_empty(fd, 10000));
	if (variant->proto == IPPROTO_XTCP) {
		EXPECT_EQ(0, xtcp_counter("KeepAliveTimeouts"));
		EXPECT_EQ(0, xtcp_counter("RetransSegs"));
	}
	EXPECT_EQ(0, held_close(&h, fd));
}

/*
 * Keepalive towards a black hole: probes at 1 and 2 s, none answered,
 * and at 3 s the connection ends with ETIMEDOUT.
 */
TEST_F_TIMEOUT(link, keepalive_black_hole, 60)
{
	struct pollfd pfd = { .events = POLLIN };
	socklen_t len = sizeof(int);
	long long t0, took;
	int fd, err = -1;
	struct held h;

	ASSERT_EQ(0, enter_ns(self->a));
	fd = held_open_af(&h, self->b, variant->proto, variant->proc,
			  self->family);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, black_hole_af(self->a, self->b, self->family));
	t0 = xtcp_now_ms();
	ASSERT_EQ(0, keepalive_on(fd));
	pfd.fd = fd;
	ASSERT_EQ(1, poll(&pfd, 1, 20000));
	took = xtcp_now_ms() - t0;
	TH_LOG("keepalive gave up after %lld ms", took);
	EXPECT_TRUE(pfd.revents & POLLERR);
	ASSERT_EQ(0, getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len));
	EXPECT_EQ(ETIMEDOUT, err);
	EXPECT_LE(3000 - 100, took);
	EXPECT_GE(3000 + 4000, took);
	EXPECT_EQ(2, xtcp_proto_counter(variant->proto, "KeepAliveProbes"));
	if (variant->proto == IPPROTO_XTCP)
		EXPECT_EQ(1, xtcp_counter("KeepAliveTimeouts"));
	EXPECT_EQ(0, held_close(&h, fd));
}

/*
 * Delayed ACKs (RFC 1122 4.2.3.2, RFC 5681 4.2): a lone in-order
 * segment is acknowledged when the 40 ms timer expires, not before;
 * of two back to back, the second is acknowledged at once, with the
 * first (no ACK of the first alone), as more than a segment (of the
 * largest size seen) waits then.  No delay on the link.
 */
TEST_F_TIMEOUT(linkx, delayed_ack, 60)
{
	struct raw_peer p;
	uint8_t data[200] = { 0 };
	struct xtcp_seg_hdr ack;
	long long t0, took;
	struct xtcp_opts o;
	uint32_t s0, seq;
	int lfd, fd;

	ASSERT_EQ(0, set_delay(self->a, self->b, 0));
	fd = linkx_peer_setup(self, false, &p, &lfd, &s0);
	ASSERT_LE(0, fd);
	seq = p.h.seq;

	t0 = xtcp_now_ms();
	ASSERT_EQ(0, raw_peer_send(&p, seq, XTCP_FLAG_ACK, data, 100));
	ASSERT_EQ(0, raw_peer_recv(&p, &ack, &o));
	took = xtcp_now_ms() - t0;
	TH_LOG("a lone segment acknowledged after %lld ms", took);
	EXPECT_EQ(seq + 100, ack.ack);
	EXPECT_LE(30, took);
	EXPECT_GT(1000, took);

	ASSERT_EQ(0, raw_peer_send(&p, seq + 100, XTCP_FLAG_ACK, data, 100));
	ASSERT_EQ(0, raw_peer_send(&p, seq + 200, XTCP_FLAG_ACK, data + 100,
				   100));
	ASSERT_EQ(0, raw_peer_recv(&p, &ack, &o));
	EXPECT_EQ(seq + 300, ack.ack);
	xtcp_reset_close(fd);
	close(lfd);
	raw_peer_close(&p);
}

/*
 * Data in flight towards a black hole, retries2 = 3: a tail loss probe
 * sends it again after two SRTTs and a delayed ACK's allowance, or the
 * RTO if sooner (RFC 8985 7.2), then the timer after 1, 2 and 4 more
 * RTOs, and the connection gives up at the next expiry, the probe's
 * timeout and 15 RTOs after the data first left, with ETIMEDOUT.
 */
TEST_F_TIMEOUT(linkx, retries2_black_hole, 60)
{
	struct pollfd pfd = { .events = POLLIN };
	socklen_t len = sizeof(int);
	long long t0, took, rto_ms, pto_ms;
	struct tcp_info ti;
	int fd, err = -1;
	struct held h;

	ASSERT_EQ(0, set_delay(self->a, self->b, 10));
	ASSERT_EQ(0, enter_ns(self->a));
	EXPECT_EQ(15, xtcp_read_long("/proc/sys/net/xtcp/retries2"));
	ASSERT_EQ(0, xtcp_write_str("/proc/sys/net/xtcp/retries2", "3"));
	fd = held_open_af(&h, self->b, IPPROTO_XTCP,
			  xtcp_proc_path(IPPROTO_XTCP, self->family),
			  self->family);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, black_hole_af(self->a, self->b, self->family));
	ASSERT_EQ(0, xtcp_tcp_info(fd, &ti));
	/*
	 * A handshake that needed its SYN again started the RTO from a
	 * second-long sample (RFC 7323: the SYN-ACK echoes the first SYN's
	 * timestamp), and the end would come 15 such RTOs later.
	 */
	ASSERT_EQ(0, ti.tcpi_total_retrans)
		TH_LOG("handshake retransmitted: rtt %u us, rto %u us",
		       ti.tcpi_rtt, ti.tcpi_rto);
	rto_ms = ti.tcpi_rto / 1000;
	pto_ms = 2 * ti.tcpi_rtt / 1000 + 200;
	if (pto_ms > rto_ms)
		pto_ms = rto_ms;
	t0 = xtcp_now_ms();
	ASSERT_EQ(1, write(fd, "x", 1));
	pfd.fd = fd;
	if (poll(&pfd, 1, pto_ms + 15 * rto_ms + 5000) != 1) {
		/* What the connection was doing instead of giving up. */
		ASSERT_EQ(0, xtcp_tcp_info(fd, &ti));
		TH_LOG("state %u ca_state %u retransmits %u probes %u backoff %u",
		       ti.tcpi_state, ti.tcpi_ca_state, ti.tcpi_retransmits,
		       ti.tcpi_probes, ti.tcpi_backoff);
		TH_LOG("rto %u unacked %u lost %u total_retrans %u",
		       ti.tcpi_rto, ti.tcpi_unacked, ti.tcpi_lost,
		       ti.tcpi_total_retrans);
		ASSERT_TRUE(0) TH_LOG("no end in time, last data sent %u ms ago",
				      ti.tcpi_last_data_sent);
	}
	took = xtcp_now_ms() - t0;
	TH_LOG("gave up after %lld ms, RTO %lld ms, PTO %lld ms", took, rto_ms,
	       pto_ms);
	ASSERT_EQ(0, getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len));
	EXPECT_EQ(ETIMEDOUT, err);
	EXPECT_LE(pto_ms + 15 * rto_ms - 50, took);
	EXPECT_GE(pto_ms + 15 * rto_ms + 3000, took);
	EXPECT_EQ(1, xtcp_counter("TLPProbes"));
	EXPECT_EQ(3, xtcp_counter("Timeouts"));
	EXPECT_EQ(4, xtcp_counter("RetransSegs"));
	EXPECT_EQ(0, held_close(&h, fd));
}

TEST_HARNESS_MAIN
