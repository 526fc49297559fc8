// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection in output: what a connection sends while every cut of
 * a queued skb into segments fails (issue 15, item 6).
 *
 * xtcp_fragment() is open to error injection, and these tests make it
 * fail on every call (/sys/kernel/debug/fail_function, which only a
 * kernel with CONFIG_FAIL_FUNCTION has: the debug lane's; elsewhere the
 * program skips).  The peer is the hand-made one of xtcp_peer.h, which
 * announced an MSS of 1000 bytes and a window of 65535; a writes 1400
 * bytes, one queued skb of two segments.  The peer checks every segment
 * a sends: at most the MSS, within the window, a's bytes.
 *
 *  - fin_segment_within_mss: corked, the skb gets the FIN and so leaves
 *    alone, cut by xtcp_transmit_skb(); while every cut fails, nothing
 *    leaves (before the fix: the whole skb, 1400 bytes).  Once cuts
 *    work again, the bytes and the FIN arrive in two segments.
 *  - failed_retransmission_not_counted: the two segments left and were
 *    not acknowledged; while every cut fails, two timeouts send nothing
 *    again and count nothing as retransmitted (TCP_INFO's
 *    tcpi_total_retrans, RetransSegs; before the fix: the whole skb
 *    left, and counted).  Once cuts work again, the segments are sent
 *    again, and exactly those count.
 */
#include <netinet/tcp.h>
#include <linux/sockios.h>

#include "xtcp_ns.h"
#include "xtcp_peer.h"
#include "kselftest_harness.h"

#define FAIL_DIR	"/sys/kernel/debug/fail_function"
#define FAIL_FN		"xtcp_fragment"
#define PEER_MSS	1000	/* what raw_peer_connect() announces */
#define DATA_LEN	1400	/* one skb: two segments, one IP packet */

/* A connection from the hand-made peer in b to a listener in a. */
struct fault_conn {
	char a[32], b[32];	/* the namespaces */
	struct raw_peer p;
	int lfd, fd;		/* a's listener and connected socket */
	uint32_t s0;		/* a's first byte of data */
	bool armed;		/* fail_function set on FAIL_FN */
};

FIXTURE(fault) {
	struct fault_conn c;
};

/* Make every call of FAIL_FN fail (its default error: -EINVAL). */
static int fail_arm(void)
{
	return xtcp_write_str(FAIL_DIR "/inject", FAIL_FN) ||
	       xtcp_write_str(FAIL_DIR "/probability", "100") ||
	       xtcp_write_str(FAIL_DIR "/interval", "1") ||
	       xtcp_write_str(FAIL_DIR "/times", "-1") ||
	       xtcp_write_str(FAIL_DIR "/verbose", "0") ? -1 : 0;
}

static int fail_disarm(void)
{
	return xtcp_write_str(FAIL_DIR "/inject", "!" FAIL_FN) ? -1 : 0;
}

/*
 * Without fail_function no test here can run: the program skips as a
 * whole (exit 4, "# SKIP" in the lane's TAP) before the harness starts.
 */
static void __attribute__((constructor)) skip_without_fail_function(void)
{
	if (!access(FAIL_DIR "/inject", W_OK))
		return;
	printf("# SKIP no %s: needs CONFIG_FAIL_FUNCTION (the debug lane's kernel)\n",
	       FAIL_DIR);
	exit(KSFT_SKIP);
}

FIXTURE_SETUP(fault)
{
	struct fault_conn *c = &self->c;

	c->lfd = -1;
	c->fd = -1;
	c->p.raw = -1;
	c->armed = false;
	ASSERT_EQ(0, hosts_up(c->a, c->b, sizeof(c->a)));
}

FIXTURE_TEARDOWN(fault)
{
	struct fault_conn *c = &self->c;

	if (c->armed)
		fail_disarm();
	if (c->fd >= 0)
		close(c->fd);
	if (c->lfd >= 0)
		close(c->lfd);
	if (c->p.raw >= 0)
		close(c->p.raw);
	hosts_down(c->a, c->b);
}

/* Counter @name of /proc/net/xtcp_stat in a; the test runs in b. */
static long a_counter(struct fault_conn *c, const char *name)
{
	long v;

	if (enter_ns(c->a))
		return -1;
	v = xtcp_counter(name);
	return enter_ns(c->b) ? -1 : v;
}

static int a_info(struct fault_conn *c, struct tcp_info *ti)
{
	socklen_t len = sizeof(*ti);

	memset(ti, 0, sizeof(*ti));
	return getsockopt(c->fd, IPPROTO_TCP, TCP_INFO, ti, &len);
}

/* Byte @i of what a writes. */
static uint8_t data_byte(uint32_t i)
{
	return (uint8_t)(i * 7 + 3);
}

/* A segment a sent the peer, and its payload. */
struct seg {
	struct xtcp_seg_hdr h;
	uint32_t len;		/* of the payload */
	uint8_t data[65536];
};

/*
 * The next segment from a to the peer within @ms milliseconds: 0, or
 * -ETIMEDOUT.  Unlike xtcp_raw_recv(), this one reads segments of any
 * size and gives their payload.
 */
static int peer_read(struct raw_peer *p, struct seg *s, int ms)
{
	long long deadline = xtcp_now_ms() + ms;
	struct pollfd pfd = { .fd = p->raw, .events = POLLIN };
	static uint8_t buf[65536];
	unsigned int ihl;
	ssize_t n;

	while (xtcp_now_ms() < deadline) {
		if (poll(&pfd, 1, 20) != 1)
			continue;
		n = recv(p->raw, buf, sizeof(buf), 0);
		if (n < 20)
			continue;
		ihl = (buf[0] & 0x0f) * 4;
		if (xtcp_hdr_decode(&s->h, buf + ihl, n - ihl) ||
		    s->h.sport != PORT_A || s->h.dport != PORT_B ||
		    n - ihl < s->h.doff)
			continue;
		s->len = n - ihl - s->h.doff;
		memcpy(s->data, buf + ihl + s->h.doff, s->len);
		return 0;
	}
	return -ETIMEDOUT;
}

/*
 * Is @s a segment a may send: at most the peer's MSS of payload, and
 * all of it within the window the peer announced (window scale 0)
 * from the last acknowledgment it sent?
 */
static bool seg_fits(const struct raw_peer *p, const struct seg *s)
{
	uint32_t wnd_end = p->h.ack + p->h.window;

	return s->len <= PEER_MSS &&
	       (int32_t)(s->h.seq + s->len - wnd_end) <= 0;
}

/*
 * The peer reads what a sends until it acknowledged all DATA_LEN bytes
 * (and a's FIN when @fin), acknowledging in-order data as it comes
 * (within 20 s).  Every segment must fit (seg_fits()) and carry a's
 * bytes; *@nsegs gets the number of segments with data.  0, or -1 with
 * the reason logged.
 */
static int peer_take_all(struct __test_metadata *_metadata,
			 struct fault_conn *c, bool fin, int *nsegs)
{
	uint32_t end = c->s0 + DATA_LEN + fin, i, off;
	long long deadline = xtcp_now_ms() + 20000;
	static struct seg s;

	*nsegs = 0;
	c->p.h.ack = c->s0;
	while (c->p.h.ack != end) {
		if (xtcp_now_ms() > deadline) {
			TH_LOG("%u of %u bytes acknowledged after 20 s",
			       c->p.h.ack - c->s0, DATA_LEN);
			return -1;
		}
		if (peer_read(&c->p, &s, 500))
			continue;
		off = s.h.seq - c->s0;
		if (s.len) {
			(*nsegs)++;
			if (!seg_fits(&c->p, &s) || off + s.len > DATA_LEN) {
				TH_LOG("segment at +%u, %u bytes: beyond MSS %u or window %u+%u",
				       off, s.len, PEER_MSS,
				       c->p.h.ack - c->s0, c->p.h.window);
				return -1;
			}
		}
		for (i = 0; i < s.len; i++)
			if (s.data[i] != data_byte(off + i)) {
				TH_LOG("byte %u differs", off + i);
				return -1;
			}
		if (s.h.seq != c->p.h.ack || (!s.len && !(s.h.flags & XTCP_FLAG_FIN)))
			continue;
		c->p.h.ack += s.len + !!(s.h.flags & XTCP_FLAG_FIN);
		if (raw_peer_send(&c->p, c->p.h.seq, XTCP_FLAG_ACK, NULL, 0))
			return -1;
	}
	return 0;
}

/*
 * The peer sends a 100 bytes, and a acknowledges them: a's socket has
 * its route then (ip_queue_xmit() sets its offload caps), so its first
 * data leaves as one run when the device takes runs.
 */
static int peer_feed(struct fault_conn *c)
{
	uint8_t data[100] = { 1, 2, 3 };
	uint32_t r0 = c->p.h.seq;
	struct xtcp_seg_hdr ack;
	struct xtcp_opts o;
	char buf[100];

	c->p.h.ack = c->s0;
	if (raw_peer_send(&c->p, r0, XTCP_FLAG_ACK, data, sizeof(data)) ||
	    raw_peer_recv(&c->p, &ack, &o) ||
	    ack.ack != r0 + sizeof(data) ||
	    recv(c->fd, buf, sizeof(buf), 0) != sizeof(buf))
		return -1;
	c->p.h.seq = r0 + sizeof(data);
	return 0;
}

/* a writes its DATA_LEN bytes, queued as one skb. */
static int a_write(struct fault_conn *c)
{
	uint8_t buf[DATA_LEN];
	uint32_t i;

	for (i = 0; i < DATA_LEN; i++)
		buf[i] = data_byte(i);
	return send(c->fd, buf, sizeof(buf), 0) == DATA_LEN ? 0 : -1;
}

/* Wait (up to 10 s) until a's socket has nothing unacknowledged. */
static int a_all_acked(struct fault_conn *c, struct tcp_info *ti)
{
	long long deadline = xtcp_now_ms() + 10000;

	while (xtcp_now_ms() < deadline) {
		if (a_info(c, ti))
			return -1;
		if (!ti->tcpi_unacked && !xtcp_ioctl_int(c->fd, SIOCOUTQ))
			return 0;
		usleep(1000);
	}
	return -ETIMEDOUT;
}

/*
 * Every segment a must watch while armed: none may leave with data.
 * The peer watches for @ms milliseconds.
 */
static void peer_sees_no_data(struct __test_metadata *_metadata,
			      struct fault_conn *c, int ms)
{
	long long deadline = xtcp_now_ms() + ms;
	static struct seg s;

	while (!peer_read(&c->p, &s, deadline - xtcp_now_ms())) {
		EXPECT_EQ(0, s.len) {
			TH_LOG("armed: a sent %u bytes at +%u (peer's MSS %u)%s",
			       s.len, s.h.seq - c->s0, PEER_MSS,
			       seg_fits(&c->p, &s) ? "" : ": too large");
		}
	}
}

/*
 * a corks and writes its 1400 bytes, queued as one skb (a's socket has
 * its route: the skb is as large as a run may be), then shuts down its
 * side: the FIN rides on that skb.  An skb with a FIN leaves alone, not
 * in a run, so xtcp_transmit_skb() cuts its first segment off: while
 * every cut fails, nothing leaves, neither at shutdown() nor on the
 * timer's attempts.  On the code before the fix, shutdown() sent the
 * skb whole, 1400 bytes for a peer that takes 1000.  Once cuts work,
 * the bytes and the FIN arrive, in segments of at most the MSS.
 */
TEST_F_TIMEOUT(fault, fin_segment_within_mss, 90)
{
	struct fault_conn *c = &self->c;
	struct tcp_info ti;
	long out;
	int nsegs;

	c->fd = raw_peer_setup(c->a, c->b, &c->p, &c->lfd, &c->s0);
	ASSERT_LE(0, c->fd);
	ASSERT_EQ(0, peer_feed(c));

	ASSERT_EQ(0, fail_arm());
	c->armed = true;
	out = a_counter(c, "OutSegs");
	ASSERT_EQ(0, xtcp_set_int(c->fd, IPPROTO_TCP, TCP_CORK, 1));
	/* Cork holds the last 400 bytes: the cut at 1000 fails. */
	ASSERT_EQ(0, a_write(c));
	ASSERT_EQ(out, a_counter(c, "OutSegs"));
	/* The FIN lets the whole skb go: its first cut fails too. */
	ASSERT_EQ(0, shutdown(c->fd, SHUT_WR));
	EXPECT_EQ(out, a_counter(c, "OutSegs"));
	EXPECT_EQ(0, xtcp_ioctl_int(c->fd, SIOCOUTQ) -
		     xtcp_ioctl_int(c->fd, SIOCOUTQNSD));
	ASSERT_EQ(0, a_info(c, &ti));
	/* Nor on the timer's attempts, one per RTO: watch two RTOs. */
	peer_sees_no_data(_metadata, c, 2 * ti.tcpi_rto / 1000 + 100);
	EXPECT_EQ(out, a_counter(c, "OutSegs"));
	ASSERT_EQ(0, fail_disarm());
	c->armed = false;

	/* The timer's next attempt sends the first segment, the ACK the rest. */
	ASSERT_EQ(0, peer_take_all(_metadata, c, true, &nsegs));
	EXPECT_EQ(2, nsegs);
	ASSERT_EQ(0, a_all_acked(c, &ti));
	EXPECT_EQ(0, ti.tcpi_total_retrans);
}

/*
 * a's two segments leave (as a run: nothing was armed yet) and the peer
 * acknowledges neither.  With every cut failing, the retransmission
 * timer expires and its attempts to send the first segment (cut from
 * the queued skb) fail: nothing leaves and nothing counts as sent
 * again.  On the code before the fix, the whole skb left as one segment
 * of 1400 bytes and counted as retransmitted.  Once cuts work, the
 * timer's next attempt sends the first segment, and the peer's
 * acknowledgments bring the second: exactly the segments that left
 * count (tcpi_total_retrans and RetransSegs).
 */
TEST_F_TIMEOUT(fault, failed_retransmission_not_counted, 90)
{
	struct fault_conn *c = &self->c;
	long out, timeouts, retrans;
	long long deadline;
	static struct seg s;
	struct tcp_info ti;
	uint32_t got = 0;
	int nsegs;

	c->fd = raw_peer_setup(c->a, c->b, &c->p, &c->lfd, &c->s0);
	ASSERT_LE(0, c->fd);
	ASSERT_EQ(0, xtcp_set_int(c->fd, IPPROTO_TCP, TCP_NODELAY, 1));
	ASSERT_EQ(0, peer_feed(c));
	ASSERT_EQ(0, a_write(c));
	while (got < DATA_LEN) {
		ASSERT_EQ(0, peer_read(&c->p, &s, 3000));
		ASSERT_TRUE(seg_fits(&c->p, &s));
		ASSERT_EQ(c->s0 + got, s.h.seq);
		got += s.len;
	}
	ASSERT_EQ(0, a_info(c, &ti));
	ASSERT_EQ(0, ti.tcpi_total_retrans);
	ASSERT_EQ(DATA_LEN, xtcp_ioctl_int(c->fd, SIOCOUTQ));
	ASSERT_EQ(0, xtcp_ioctl_int(c->fd, SIOCOUTQNSD));

	ASSERT_EQ(0, fail_arm());
	c->armed = true;
	out = a_counter(c, "OutSegs");
	retrans = a_counter(c, "RetransSegs");
	timeouts = a_counter(c, "Timeouts");
	/* Two expiries of the timer, each an attempt that fails. */
	deadline = xtcp_now_ms() + 20000;
	while (a_counter(c, "Timeouts") < timeouts + 2 &&
	       xtcp_now_ms() < deadline)
		peer_sees_no_data(_metadata, c, 20);
	ASSERT_LE(timeouts + 2, a_counter(c, "Timeouts"));
	ASSERT_EQ(0, a_info(c, &ti));
	EXPECT_EQ(0, ti.tcpi_total_retrans);
	EXPECT_EQ(retrans, a_counter(c, "RetransSegs"));
	EXPECT_EQ(out, a_counter(c, "OutSegs"));
	ASSERT_EQ(0, fail_disarm());
	c->armed = false;

	ASSERT_EQ(0, peer_take_all(_metadata, c, false, &nsegs));
	ASSERT_EQ(0, a_all_acked(c, &ti));
	/* A copy sent before a took the last ACK may still be on its way. */
	while (!peer_read(&c->p, &s, 200))
		nsegs += !!s.len;
	EXPECT_LE(2, nsegs);
	EXPECT_EQ(nsegs, ti.tcpi_total_retrans);
	EXPECT_EQ(retrans + nsegs, a_counter(c, "RetransSegs"));
}

/*
 * No IPv6 variant: the cuts are the same code for both families (an skb
 * is cut before xtcp_transmit_skb() hands a segment to ip_queue_xmit()
 * or inet6_csk_xmit()), and these tests' peer, which announces a small
 * MSS and acknowledges only what it is told to, is xtcp_peer.h's first
 * kind, a raw socket at b's own IPv4 address.
 */

TEST_HARNESS_MAIN
