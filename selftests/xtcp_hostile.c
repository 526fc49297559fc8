// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile peers (issue 14): segments an attacker off the path, who can
 * guess addresses and ports but not sequence numbers, would send, and
 * the answers RFC 5961 asks for.  Every segment comes from the
 * hand-made peer of xtcp_peer.h, so each test knows exactly what a was
 * sent, and reads exactly what a answers (and the counters that say
 * why).
 *
 *  - RST: only at rcv_nxt; elsewhere in the window a challenge ACK,
 *    outside it nothing (section 3);
 *  - SYN on a connection: a challenge ACK (section 4);
 *  - an ACK number beyond snd_nxt, or more than MAX.SND.WND below
 *    snd_una: the segment is dropped, its data with it, and answered
 *    (section 5); an old ACK within that range delivers its data but
 *    does not move the send window (RFC 9293's SND.WL1/SND.WL2 rule);
 *  - the rate limits: one such answer per invalid_ratelimit_ms per
 *    connection, challenge_ack_limit per second per namespace when set,
 *    reset_ratelimit resets per second to strays.
 */
#include <linux/sockios.h>
#include <netinet/tcp.h>
#include <poll.h>

#include "xtcp_peer.h"
#include "kselftest_harness.h"

/*
 * The tests of the first fixture run over Linux TCP too, with the same
 * expectations: they are TCP's (the peer is the phantom one, which works
 * for both).  Those of hostilex are xtcp's only, each saying where Linux
 * differs.  Each fixture whose answers take a path of their own over
 * IPv6 (segments built and routed by xtcp_ipv6.c) has an xtcp6 variant
 * too, the phantom peer then at ADDR_P6; not a tcp6 one, as the tcp
 * variant already shows Linux's expectation, which is the same over
 * either family, and every variant costs CI time.
 */
FIXTURE(hostile) {
	struct peer_conn c;
};

FIXTURE_VARIANT(hostile) {
	int proto;
	int family;
	const char *ratelimit;	/* per-connection limit of odd ACKs, ms */
	const char *ack_limit;	/* challenge ACKs a second, namespace */
};

FIXTURE_VARIANT_ADD(hostile, tcp) {
	.proto = IPPROTO_TCP,
	.family = AF_INET,
	.ratelimit = "/proc/sys/net/ipv4/tcp_invalid_ratelimit",
	.ack_limit = "/proc/sys/net/ipv4/tcp_challenge_ack_limit",
};

FIXTURE_VARIANT_ADD(hostile, xtcp) {
	.proto = IPPROTO_XTCP,
	.family = AF_INET,
	.ratelimit = "/proc/sys/net/xtcp/invalid_ratelimit_ms",
	.ack_limit = "/proc/sys/net/xtcp/challenge_ack_limit",
};

FIXTURE_VARIANT_ADD(hostile, xtcp6) {
	.proto = IPPROTO_XTCP,
	.family = AF_INET6,
	.ratelimit = "/proc/sys/net/xtcp/invalid_ratelimit_ms",
	.ack_limit = "/proc/sys/net/xtcp/challenge_ack_limit",
};

/* The phantom peer of @proto over @family connected to a; 0 or -1. */
static int hostile_open(struct peer_conn *c, int family, int proto,
			uint16_t mss)
{
	c->lfd = -1;
	c->fd = -1;
	c->p.raw = -1;
	c->p.mss = mss;
	if (hosts_up(c->a, c->b, sizeof(c->a)))
		return -1;
	return peer_conn_open_phantom_family(c, family, proto);
}

/* Write @val to sysctl @path in a. */
static int a_sysctl_path(struct peer_conn *c, const char *path,
			 const char *val)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "echo %s > %s", val, path);
	return ns_sh(c->a, cmd);
}

FIXTURE_SETUP(hostile)
{
	XTCP_SKIP_TCP_VARIANT(variant->proto);
	ASSERT_EQ(0, hostile_open(&self->c, variant->family, variant->proto,
				  0));
	/*
	 * No namespace limit of challenge ACKs (Linux 6.1's default, and
	 * xtcp's), whatever the namespace starts with.
	 */
	ASSERT_EQ(0, a_sysctl_path(&self->c, variant->ack_limit,
				   "2147483647"));
}

FIXTURE_TEARDOWN(hostile)
{
	peer_conn_close(&self->c);
	hosts_down(self->c.a, self->c.b);
}

/* xtcp only: what Linux TCP does not do alike, or has no knob for. */
FIXTURE(hostilex) {
	struct peer_conn c;
	char mem[64];	/* sysctl mem to put back, if set */
};

FIXTURE_SETUP(hostilex)
{
	self->mem[0] = 0;
	ASSERT_EQ(0, hostile_open(&self->c, AF_INET, IPPROTO_XTCP, 0));
}

/*
 * The tests of hostilex whose answers IPv6 builds on its own path (a
 * reset for no connection, the ACK of a dropped segment), over IPv6;
 * the others (memory accounting, the namespace's budget) are one code
 * for both families.
 */
FIXTURE(hostilex6) {
	struct peer_conn c;
};

FIXTURE_SETUP(hostilex6)
{
	ASSERT_EQ(0, hostile_open(&self->c, AF_INET6, IPPROTO_XTCP, 0));
}

FIXTURE_TEARDOWN(hostilex6)
{
	peer_conn_close(&self->c);
	hosts_down(self->c.a, self->c.b);
}

/*
 * Write xtcp's memory limits (sysctl mem, pages), which only the initial
 * namespace (PID 1's) may change, then go back to @here.  The value
 * before goes to @old (@len bytes), when not NULL.
 */
static int set_xtcp_mem(const char *val, const char *here, char *old,
			size_t len)
{
	const char *path = "/proc/sys/net/xtcp/mem";
	int fd, err;

	fd = open("/proc/1/ns/net", O_RDONLY);
	if (fd < 0 || setns(fd, CLONE_NEWNET))
		return -1;
	close(fd);
	err = old && xtcp_first_line(path, old, len);
	if (!err)
		err = xtcp_write_str(path, val);
	return enter_ns(here) || err ? -1 : 0;
}

FIXTURE_TEARDOWN(hostilex)
{
	if (self->mem[0])
		set_xtcp_mem(self->mem, self->c.b, NULL, 0);
	peer_conn_close(&self->c);
	hosts_down(self->c.a, self->c.b);
}

/* Write a sysctl of a's xtcp. */
static int a_sysctl(struct peer_conn *c, const char *name, const char *val)
{
	char path[96];

	snprintf(path, sizeof(path), "/proc/sys/net/xtcp/%s", name);
	return a_sysctl_path(c, path, val);
}

/*
 * Ten bytes at rcv_nxt, which a always acknowledges, behind what the
 * peer sent before: segments arrive in order on the link, so once their
 * ACK is back a has answered everything before them.  Returns how many
 * other segments a sent the peer meanwhile, or -1.
 */
static long answers_before_mark(struct peer_conn *c)
{
	uint8_t mark[10] = { 'm' };
	struct xtcp_seg_hdr h;
	struct xtcp_opts o;
	long n = 0;

	if (raw_peer_send(&c->p, c->r0, XTCP_FLAG_ACK, mark, sizeof(mark)))
		return -1;
	c->r0 += sizeof(mark);
	while (!raw_peer_recv(&c->p, &h, &o)) {
		if (h.ack == c->r0)
			return n;
		n++;
	}
	return -1;
}

/* How many segments a answers a bare segment with @flags at r0 + @off. */
static long answers_to(struct peer_conn *c, uint32_t off, uint8_t flags)
{
	if (raw_peer_send(&c->p, c->r0 + off, flags, NULL, 0))
		return -1;
	return answers_before_mark(c);
}

/* The connection still carries data both ways. */
static int still_alive(struct peer_conn *c)
{
	struct xtcp_seg_hdr ack;
	struct xtcp_opts o;
	char buf[10];

	if (peer_data_at(c, 0, 10, &ack, &o) || ack.ack != c->r0 + 10)
		return -1;
	c->r0 += 10;
	if (recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT) != 10)
		return -2;
	return 0;
}

/*
 * A RST 10 bytes into the window is not believed: a answers with a
 * challenge ACK (of rcv_nxt) and the connection lives on; the RST at
 * exactly rcv_nxt that a real peer would then send resets it.
 */
TEST_F_TIMEOUT(hostile, rst_in_window_challenged, 60)
{
	struct peer_conn *c = &self->c;
	struct xtcp_seg_hdr ack;
	struct xtcp_opts o;
	char buf[100];

	ASSERT_EQ(100, recv(c->fd, buf, sizeof(buf), 0));
	ASSERT_EQ(0, raw_peer_send(&c->p, c->r0 + 10, XTCP_FLAG_RST, NULL,
				   0));
	ASSERT_EQ(0, raw_peer_recv(&c->p, &ack, &o));
	EXPECT_EQ(c->r0, ack.ack);
	EXPECT_EQ(c->s0, ack.seq);
	EXPECT_EQ(1, peer_a_counter(c, "ChallengeACK"));
	EXPECT_EQ(0, peer_a_counter(c, "EstabResets"));
	ASSERT_EQ(0, still_alive(c));

	ASSERT_EQ(0, raw_peer_send(&c->p, c->r0, XTCP_FLAG_RST, NULL, 0));
	EXPECT_EQ(-1, recv(c->fd, buf, sizeof(buf), 0));
	EXPECT_EQ(ECONNRESET, errno);
	EXPECT_EQ(1, peer_a_counter(c, "EstabResets"));
}

/* A RST outside the window gets no answer at all. */
TEST_F_TIMEOUT(hostile, rst_out_of_window_ignored, 60)
{
	struct peer_conn *c = &self->c;
	char buf[100];

	ASSERT_EQ(100, recv(c->fd, buf, sizeof(buf), 0));
	EXPECT_EQ(0, answers_to(c, 10000000, XTCP_FLAG_RST));
	EXPECT_EQ(0, answers_to(c, -10000000, XTCP_FLAG_RST));
	EXPECT_EQ(0, peer_a_counter(c, "ChallengeACK"));
	ASSERT_EQ(0, still_alive(c));
}

/*
 * Two doubtful RSTs in a row: one challenge ACK, the second held back
 * by the connection's limit (invalid_ratelimit_ms, made long here so
 * that the emulated machine's pace does not matter).  A SYN on the
 * connection is challenged too, once the limit allows.
 */
TEST_F_TIMEOUT(hostile, challenge_acks_rate_limited, 60)
{
	struct peer_conn *c = &self->c;

	ASSERT_EQ(0, a_sysctl_path(c, variant->ratelimit, "60000"));
	EXPECT_EQ(1, answers_to(c, 10, XTCP_FLAG_RST));
	EXPECT_EQ(0, answers_to(c, 20, XTCP_FLAG_RST));
	EXPECT_EQ(0, answers_to(c, 0, XTCP_FLAG_SYN));
	EXPECT_EQ(1, peer_a_counter(c, "ChallengeACK"));
	EXPECT_EQ(2, peer_a_counter(c, "ACKSkippedChallenge"));
	EXPECT_EQ(1, peer_a_counter(c, "SYNChallenge"));

	ASSERT_EQ(0, a_sysctl_path(c, variant->ratelimit, "0"));
	EXPECT_EQ(1, answers_to(c, 0, XTCP_FLAG_SYN));
	EXPECT_EQ(2, peer_a_counter(c, "ChallengeACK"));
	EXPECT_EQ(2, peer_a_counter(c, "SYNChallenge"));
	ASSERT_EQ(0, still_alive(c));
}

/*
 * With challenge_ack_limit set, the namespace sends that many challenge
 * ACKs a second on average, a random count each second (never fewer
 * than half of it, never more than one and a half times).  Limit 2 and
 * the per-connection limit off: of 8 doubtful RSTs sent within a
 * second or two, 1 to 3 per second started are answered.
 */
TEST_F_TIMEOUT(hostilex, challenge_ack_budget, 60)
{
	struct peer_conn *c = &self->c;
	long long t0, t1;
	long sent, skipped;
	int i;

	ASSERT_EQ(0, a_sysctl(c, "invalid_ratelimit_ms", "0"));
	ASSERT_EQ(0, a_sysctl(c, "challenge_ack_limit", "2"));
	t0 = xtcp_now_ms() / 1000;
	for (i = 0; i < 8; i++)
		ASSERT_LE(0, answers_to(c, 10 + i, XTCP_FLAG_RST));
	t1 = xtcp_now_ms() / 1000;
	sent = peer_a_counter(c, "ChallengeACK");
	skipped = peer_a_counter(c, "ACKSkippedChallenge");
	TH_LOG("%ld challenge ACKs sent, %ld held back over %lld s", sent,
	       skipped, t1 - t0 + 1);
	EXPECT_EQ(8, sent + skipped);
	EXPECT_LE(1, sent);
	EXPECT_GE(2 * (t1 - t0 + 2), sent);
	ASSERT_EQ(0, a_sysctl(c, "challenge_ack_limit", "2147483647"));
}

/*
 * Data whose ACK number acknowledges what a never sent never reaches
 * the reader: a drops the segment and answers with an ACK of what it
 * holds (RFC 9293 section 3.10.7.4, RFC 5961 section 5.2).  xtcp only:
 * Linux 6.1 drops such a segment without an answer (tcp_ack() returns
 * SKB_DROP_REASON_TCP_ACK_UNSENT_DATA, and nothing sends the ACK).
 */
static void ack_beyond_snd_nxt_drops_data(struct __test_metadata *_metadata,
					  struct peer_conn *c)
{
	uint8_t data[10] = { 'x' };
	struct xtcp_seg_hdr ack;
	struct xtcp_opts o;
	char buf[200];

	ASSERT_EQ(100, recv(c->fd, buf, sizeof(buf), 0));
	c->p.h.ack = c->s0 + 1000;
	ASSERT_EQ(0, raw_peer_send(&c->p, c->r0, XTCP_FLAG_ACK, data,
				   sizeof(data)));
	c->p.h.ack = c->s0;
	ASSERT_EQ(0, raw_peer_recv(&c->p, &ack, &o));
	EXPECT_EQ(c->r0, ack.ack);
	EXPECT_EQ(1, peer_a_counter(c, "BadAckDrop"));
	EXPECT_EQ(-1, recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, still_alive(c));
}

TEST_F_TIMEOUT(hostilex, ack_beyond_snd_nxt_drops_data, 60)
{
	ack_beyond_snd_nxt_drops_data(_metadata, &self->c);
}

TEST_F_TIMEOUT(hostilex6, ack_beyond_snd_nxt_drops_data, 60)
{
	ack_beyond_snd_nxt_drops_data(_metadata, &self->c);
}

/*
 * An ACK number further below snd_una than the largest window the peer
 * ever offered (65535 here): a challenge ACK, and the data is dropped.
 */
TEST_F_TIMEOUT(hostile, ack_far_below_una_challenged, 60)
{
	struct peer_conn *c = &self->c;
	uint8_t data[10] = { 'y' };
	struct xtcp_seg_hdr ack;
	struct xtcp_opts o;
	char buf[200];

	ASSERT_EQ(100, recv(c->fd, buf, sizeof(buf), 0));
	c->p.h.ack = c->s0 - 70000;
	ASSERT_EQ(0, raw_peer_send(&c->p, c->r0, XTCP_FLAG_ACK, data,
				   sizeof(data)));
	c->p.h.ack = c->s0;
	ASSERT_EQ(0, raw_peer_recv(&c->p, &ack, &o));
	EXPECT_EQ(c->r0, ack.ack);
	EXPECT_EQ(1, peer_a_counter(c, "ChallengeACK"));
	/* Linux counts no such drop. */
	if (variant->proto == IPPROTO_XTCP)
		EXPECT_EQ(1, peer_a_counter(c, "BadAckDrop"));
	EXPECT_EQ(-1, recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, still_alive(c));
}

/*
 * An ACK number below the first byte a sent, though within the window:
 * a sent nothing yet, so it acknowledges bytes never sent (Linux 6.1's
 * tcp_ack() bounds MAX.SND.WND by the bytes acknowledged so far).  A
 * challenge ACK, and the data is dropped: a blind injector guessing an
 * ACK number on a quiet connection has no window to aim at.
 */
TEST_F_TIMEOUT(hostile, ack_below_first_byte_challenged, 60)
{
	struct peer_conn *c = &self->c;
	uint8_t data[10] = { 'x' };
	struct xtcp_seg_hdr ack;
	struct xtcp_opts o;
	char buf[200];

	ASSERT_EQ(100, recv(c->fd, buf, sizeof(buf), 0));
	c->p.h.ack = c->s0 - 1;
	ASSERT_EQ(0, raw_peer_send(&c->p, c->r0, XTCP_FLAG_ACK, data,
				   sizeof(data)));
	c->p.h.ack = c->s0;
	ASSERT_EQ(0, raw_peer_recv(&c->p, &ack, &o));
	EXPECT_EQ(c->r0, ack.ack);
	EXPECT_EQ(1, peer_a_counter(c, "ChallengeACK"));
	EXPECT_EQ(-1, recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, still_alive(c));
}

/* Bytes of @fd not sent yet after up to @ms, or -errno. */
static int unsent_after(int fd, int ms)
{
	int n;

	xtcp_read_poll_timeout(xtcp_ioctl_int, n, n <= 0, 10000, ms, fd,
			       SIOCOUTQNSD);
	return n;
}

/*
 * An old ACK (one below snd_una, within the window) carrying data and a
 * zero window: the data is taken, the window is not, so a's next write
 * leaves at once.  a first sends 10 bytes, which the peer acknowledges:
 * Linux takes no ACK further below snd_una than the bytes acknowledged
 * so far ("do not accept ACK for bytes we never sent"), so that one
 * below snd_una must acknowledge a byte a did send.
 */
TEST_F_TIMEOUT(hostile, old_ack_moves_no_window, 60)
{
	struct peer_conn *c = &self->c;
	uint8_t data[10] = { 'z' };
	struct xtcp_seg_hdr ack;
	struct xtcp_opts o;
	char buf[200];
	size_t n = 0;
	long in0;

	ASSERT_EQ(100, recv(c->fd, buf, sizeof(buf), 0));
	ASSERT_EQ(10, send(c->fd, "0123456789", 10, 0));
	do {
		ASSERT_EQ(0, raw_peer_recv_data(&c->p, &ack, &o, NULL, 0, &n));
	} while (!n);
	EXPECT_EQ(c->s0, ack.seq);
	EXPECT_EQ(10, n);
	c->s0 += 10;
	c->p.h.ack = c->s0;
	in0 = peer_a_counter(c, "InSegs");
	ASSERT_EQ(0, raw_peer_send(&c->p, c->r0, XTCP_FLAG_ACK, NULL, 0));
	ASSERT_EQ(0, peer_wait_in_segs(c, in0, 1));
	ASSERT_EQ(0, xtcp_ioctl_int(c->fd, SIOCOUTQ));

	c->p.h.ack = c->s0 - 1;
	c->p.h.window = 0;
	ASSERT_EQ(0, raw_peer_send(&c->p, c->r0, XTCP_FLAG_ACK, data,
				   sizeof(data)));
	c->p.h.ack = c->s0;
	c->p.h.window = 65535;
	ASSERT_EQ(0, raw_peer_recv(&c->p, &ack, &o));
	EXPECT_EQ(c->r0 + sizeof(data), ack.ack);
	c->r0 += sizeof(data);
	ASSERT_EQ(sizeof(data), recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ('z', buf[0]);

	ASSERT_EQ(5, send(c->fd, "hello", 5, 0));
	EXPECT_EQ(0, unsent_after(c->fd, 3000));
}

/*
 * sk_wmem_schedule() obeyed: a's write queue is charged only what xtcp's
 * memory accounting granted, so after every write SO_MEMINFO's forward
 * allocation is not negative.  With xtcp's memory limits (sysctl mem)
 * at one page, and a send buffer of 16 MiB, non-blocking writes fail
 * with EAGAIN once the pages each CPU may hold back from the global
 * count (1 MiB) are used, far below the send buffer, and charge nothing
 * more; with the limits back, writing resumes.  (The peer acknowledges
 * nothing: what is written stays queued.)
 */
TEST_F_TIMEOUT(hostilex, wmem_schedule_obeyed, 60)
{
	struct peer_conn *c = &self->c;
	socklen_t len = sizeof(int);
	long queued, total = 0, in0;
	char buf[3000] = "";
	int i, sndbuf = 0;
	ssize_t n = 0;

	ASSERT_EQ(100, recv(c->fd, buf, 100, 0));
	ASSERT_EQ(0, xtcp_set_int(c->fd, SOL_SOCKET, SO_SNDBUFFORCE, 8 << 20));
	ASSERT_EQ(0, getsockopt(c->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &len));
	for (i = 0; i < 40; i++) {
		ASSERT_EQ(700 + 53 * i, send(c->fd, buf, 700 + 53 * i,
					     MSG_DONTWAIT));
		ASSERT_LE(0, xtcp_meminfo(c->fd, SK_MEMINFO_FWD_ALLOC))
			TH_LOG("after write %d", i);
	}

	ASSERT_EQ(0, set_xtcp_mem("1 1 1", c->b, self->mem,
				  sizeof(self->mem)));
	for (i = 0; i < 8000 && n >= 0; i++) {
		n = send(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0)
			total += n;
	}
	EXPECT_EQ(-1, n);
	EXPECT_EQ(EAGAIN, errno);
	queued = xtcp_meminfo(c->fd, SK_MEMINFO_WMEM_QUEUED);
	TH_LOG("%ld bytes taken over the limits, %ld queued, SO_SNDBUF %d",
	       total, queued, sndbuf);
	EXPECT_GT(sndbuf / 2, queued);
	EXPECT_LE(0, xtcp_meminfo(c->fd, SK_MEMINFO_FWD_ALLOC));
	EXPECT_EQ(-1, send(c->fd, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(queued, xtcp_meminfo(c->fd, SK_MEMINFO_WMEM_QUEUED));

	ASSERT_EQ(0, set_xtcp_mem(self->mem, c->b, NULL, 0));
	self->mem[0] = 0;
	EXPECT_EQ(sizeof(buf), send(c->fd, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_LE(0, xtcp_meminfo(c->fd, SK_MEMINFO_FWD_ALLOC));
	/* a retransmits meanwhile: only count what it takes in. */
	in0 = peer_a_counter(c, "InSegs");
	ASSERT_EQ(0, raw_peer_send(&c->p, c->r0, XTCP_FLAG_ACK,
				   (const uint8_t *)"alive", 5));
	ASSERT_EQ(0, peer_wait_in_segs(c, in0, 1));
	EXPECT_EQ(5, recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT));
}

/*
 * Out-of-order data collapsed, as Linux's tcp_collapse_ofo_queue(): 400
 * one-byte segments beyond a one-byte hole, sent from the highest down,
 * each of them a buffer of hundreds of bytes when it arrives, more than
 * the receive buffer holds.  Before it overflows, a copies the run they
 * make into a compact buffer (RcvCollapsed) rather than prune the
 * highest (OfoPruned: the descending order would prune for every later
 * one) or drop the newest (OfoDrop): each is SACKed with all above it.
 * The segment filling the hole then brings all 401 bytes to the reader
 * as sent.  Each segment waits for its answer, so the link's delay
 * changes nothing but the time: it is taken off (401 round trips).
 */
TEST_F_TIMEOUT(hostile, ooo_tiny_segments_collapsed, 120)
{
	struct peer_conn *c = &self->c;
	struct xtcp_seg_hdr ack;
	struct xtcp_opts o;
	uint8_t got[500], b;
	int i;

	ASSERT_EQ(100, recv(c->fd, got, 100, 0));
	ASSERT_EQ(0, set_delay(c->a, c->b, 0));
	for (i = 400; i >= 0; i--) {
		b = 'a' + i % 26;
		ASSERT_EQ(0, raw_peer_send(&c->p, c->r0 + i, XTCP_FLAG_ACK,
					   &b, 1));
		ASSERT_EQ(0, raw_peer_recv(&c->p, &ack, &o));
		if (!i)
			break;
		ASSERT_EQ(c->r0, ack.ack) TH_LOG("segment %d", i);
		ASSERT_LE(1, o.num_sacks);
		ASSERT_EQ(c->r0 + i, o.sack[0].start) TH_LOG("segment %d", i);
		ASSERT_EQ(c->r0 + 401, o.sack[0].end) TH_LOG("segment %d", i);
	}
	EXPECT_EQ(c->r0 + 401, ack.ack);
	TH_LOG("%ld skbs collapsed", peer_a_counter(c, "RcvCollapsed"));
	/*
	 * Linux TCP grows the receive buffer first (tcp_clamp_window(), up
	 * to tcp_rmem[2]) and, with room for all 400, collapses nothing;
	 * what goes on the wire is the same.
	 */
	if (variant->proto == IPPROTO_XTCP)
		EXPECT_LE(1, peer_a_counter(c, "RcvCollapsed"));
	EXPECT_EQ(0, peer_a_counter(c, "OfoPruned"));
	EXPECT_EQ(0, peer_a_counter(c, "OfoDrop"));
	EXPECT_EQ(400, peer_a_counter(c, "OfoQueue"));
	ASSERT_EQ(401, recv(c->fd, got, sizeof(got), MSG_DONTWAIT));
	for (i = 0; i < 401; i++)
		ASSERT_EQ('a' + i % 26, got[i]) TH_LOG("byte %d", i);
	c->r0 += 401;
	ASSERT_EQ(0, still_alive(c));
}

/*
 * Segments for no connection are answered with at most reset_ratelimit
 * resets a second: 20 bare ACKs to a closed port, limit 5, within a
 * second or two.
 */
static void resets_rate_limited(struct __test_metadata *_metadata,
				struct peer_conn *c)
{
	long long t0, t1;
	long rsts0, rsts, skipped;
	int i;

	ASSERT_EQ(0, a_sysctl(c, "reset_ratelimit", "5"));
	c->p.h.dport = PORT_A + 1;
	rsts0 = peer_a_counter(c, "OutRsts");
	t0 = xtcp_now_ms() / 1000;
	for (i = 0; i < 20; i++)
		ASSERT_EQ(0, raw_peer_send(&c->p, c->r0 + i, XTCP_FLAG_ACK,
					   NULL, 0));
	t1 = xtcp_now_ms() / 1000;
	c->p.h.dport = PORT_A;
	ASSERT_EQ(0, answers_before_mark(c));
	rsts = peer_a_counter(c, "OutRsts") - rsts0;
	skipped = peer_a_counter(c, "OutRstSkipped");
	TH_LOG("%ld resets, %ld held back over %lld s", rsts, skipped,
	       t1 - t0 + 1);
	EXPECT_EQ(20, rsts + skipped);
	EXPECT_LE(5, rsts);
	EXPECT_GE(5 * (t1 - t0 + 2), rsts);
}

TEST_F_TIMEOUT(hostilex, resets_rate_limited, 60)
{
	resets_rate_limited(_metadata, &self->c);
}

TEST_F_TIMEOUT(hostilex6, resets_rate_limited, 60)
{
	resets_rate_limited(_metadata, &self->c);
}

/*
 * A peer announcing an MSS of 10 bytes: a sends segments of min_snd_mss
 * (48) bytes, never the 10 that would cut the stream into headers.  Linux
 * TCP does the same (tcp_min_snd_mss, 48).
 */
FIXTURE(tinymss) {
	struct peer_conn c;
};

FIXTURE_VARIANT(tinymss) {
	int proto;
	int family;
};

FIXTURE_VARIANT_ADD(tinymss, tcp) {
	.proto = IPPROTO_TCP,
	.family = AF_INET,
};

FIXTURE_VARIANT_ADD(tinymss, xtcp) {
	.proto = IPPROTO_XTCP,
	.family = AF_INET,
};

/* IPv6's own MSS arithmetic (xtcp_ipv6.c's header sizes). */
FIXTURE_VARIANT_ADD(tinymss, xtcp6) {
	.proto = IPPROTO_XTCP,
	.family = AF_INET6,
};

FIXTURE_SETUP(tinymss)
{
	XTCP_SKIP_TCP_VARIANT(variant->proto);
	ASSERT_EQ(0, hostile_open(&self->c, variant->family, variant->proto,
				  10));
}

FIXTURE_TEARDOWN(tinymss)
{
	peer_conn_close(&self->c);
	hosts_down(self->c.a, self->c.b);
}

/*
 * The same peer, xtcp only: the bound on splitting by SACK is Linux's
 * rule, but what the queue holds when it bites is counted in each
 * stack's own skb sizes.
 */
FIXTURE(tinymssx) {
	struct peer_conn c;
};

FIXTURE_SETUP(tinymssx)
{
	self->c.lfd = -1;
	self->c.fd = -1;
	self->c.p.raw = -1;
	self->c.p.mss = 10;
	ASSERT_EQ(0, hosts_up(self->c.a, self->c.b, sizeof(self->c.a)));
	ASSERT_EQ(0, peer_conn_open(&self->c, ADDR_B));
}

FIXTURE_TEARDOWN(tinymssx)
{
	peer_conn_close(&self->c);
	hosts_down(self->c.a, self->c.b);
}

/*
 * tinymssx over IPv6, the phantom peer at ADDR_P6: IPv6's own MSS
 * arithmetic and transmit path under the splits.
 */
FIXTURE(tinymssx6) {
	struct peer_conn c;
};

/*
 * a's veth0 as tinymssx's peer has it (raw_peer_open_at()): GSO on,
 * tx-gso-list off, so that a queues skbs of many segments (GSO-capable
 * route), cut into single segments in front of veth0.  The phantom peer
 * turns GSO off too, which makes every queued skb one 48-byte segment:
 * the send buffer then holds too few for the window to grow as the test
 * needs.
 */
FIXTURE_SETUP(tinymssx6)
{
	struct peer_conn *c = &self->c;

	c->lfd = -1;
	c->fd = -1;
	c->p.raw = -1;
	ASSERT_EQ(0, hosts_up(c->a, c->b, sizeof(c->a)));
	ASSERT_EQ(0, phantom_peer_open_family(c->a, c->b, AF_INET6,
					      IPPROTO_XTCP, 10, 1, &c->p,
					      &c->lfd));
	ASSERT_EQ(0, enter_ns(c->a));
	/* The phantom peer turned it off; the IPv4 peer keeps it. */
	ASSERT_EQ(0, ethtool_set("veth0", ETHTOOL_SGSO, 1));
	ASSERT_EQ(0, enter_ns(c->b));
	c->fd = raw_peer_connect(&c->p, c->lfd, &c->s0);
	c->s0++;
	ASSERT_EQ(0, peer_conn_greet(c));
}

FIXTURE_TEARDOWN(tinymssx6)
{
	peer_conn_close(&self->c);
	hosts_down(self->c.a, self->c.b);
}

TEST_F_TIMEOUT(tinymss, floor_of_48, 60)
{
	struct peer_conn *c = &self->c;
	struct xtcp_seg_hdr h;
	struct xtcp_opts o;
	char buf[200] = { 0 };
	socklen_t len = sizeof(int);
	int mss = 0;

	ASSERT_EQ(0, getsockopt(c->fd, IPPROTO_TCP, TCP_MAXSEG, &mss, &len));
	EXPECT_EQ(48, mss);
	ASSERT_EQ(0, xtcp_set_int(c->fd, IPPROTO_TCP, TCP_NODELAY, 1));
	ASSERT_EQ(sizeof(buf), send(c->fd, buf, sizeof(buf), 0));
	ASSERT_EQ(0, raw_peer_wait_seq(&c->p, c->s0));
	do {
		ASSERT_EQ(0, raw_peer_recv(&c->p, &h, &o));
	} while (h.seq == c->s0);
	EXPECT_EQ(c->s0 + 48, h.seq);
}

/* Bytes a writes in tinymss.sack_splits_bounded, and the pattern. */
#define SPLIT_DATA	98304
#define SPLIT_BYTE(i)	((uint8_t)((i) * 7 + 3))
/* Segments of the run the peer SACKs every other one of. */
#define SPLIT_RUN	400
#define SPLIT_MSS	48

/* Linux 6.1's SKB_TRUESIZE(GSO_LEGACY_MAX_SIZE) on x86-64. */
#define SKB_TRUESIZE_64K	(65536 + 256 + 320)

/* What the peer of tinymss.sack_splits_bounded has received. */
struct split_rcv {
	uint8_t seen[SPLIT_DATA];
	uint32_t have;			/* bytes received in order */
	uint32_t high;			/* end of the highest segment */
	long bad;			/* bytes not as written */
	uint32_t written;		/* bytes a's writer queued */
};

/*
 * The next segment a sends the peer: its bytes checked against the
 * pattern and marked received; 0, or -1 after 3 s without one.
 */
static int split_take(struct peer_conn *c, struct split_rcv *r)
{
	struct xtcp_seg_hdr h;
	struct xtcp_opts o;
	uint8_t seg[1500];
	uint32_t off, i;
	size_t n;

	if (raw_peer_recv_data(&c->p, &h, &o, seg, sizeof(seg), &n))
		return -1;
	off = h.seq - c->s0;
	if (!n || n > sizeof(seg) || off >= SPLIT_DATA ||
	    n > SPLIT_DATA - off)
		return 0;
	for (i = 0; i < n; i++)
		r->bad += seg[i] != SPLIT_BYTE(off + i);
	memset(r->seen + off, 1, n);
	if (off + n > r->high)
		r->high = off + n;
	while (r->have < SPLIT_DATA && r->seen[r->have])
		r->have++;
	return 0;
}

/* One segment, then those already there. */
static void split_drain(struct peer_conn *c, struct split_rcv *r)
{
	struct pollfd pfd = { .fd = raw_peer_rx_fd(&c->p), .events = POLLIN };

	split_take(c, r);
	while (poll(&pfd, 1, 0) == 1 && !split_take(c, r))
		;
}

/*
 * The peer acknowledges @ack bytes (an offset from s0), offering @wnd
 * bytes beyond; 0 once a has processed it, or -1.
 */
static int split_ack_at(struct peer_conn *c, uint32_t ack, uint16_t wnd)
{
	long in0 = peer_a_counter(c, "InSegs");

	c->p.h.ack = c->s0 + ack;
	c->p.h.window = wnd;
	if (raw_peer_send(&c->p, c->r0, XTCP_FLAG_ACK, NULL, 0))
		return -1;
	return peer_wait_in_segs(c, in0, 1);
}

/* The peer acknowledges what it received in order. */
static int split_ack(struct peer_conn *c, struct split_rcv *r, uint16_t wnd)
{
	return split_ack_at(c, r->have, wnd);
}

/* a's writer: queue what the send buffer takes of the pattern. */
static void split_write(int fd, struct split_rcv *r)
{
	static uint8_t buf[4096];
	uint32_t i, n;
	ssize_t k;

	while (r->written < SPLIT_DATA) {
		n = SPLIT_DATA - r->written;
		if (n > sizeof(buf))
			n = sizeof(buf);
		for (i = 0; i < n; i++)
			buf[i] = SPLIT_BYTE(r->written + i);
		k = send(fd, buf, n, MSG_DONTWAIT);
		if (k <= 0)
			return;
		r->written += k;
	}
}

/* Bytes a sent and the peer has not acknowledged. */
static int split_flight(int fd)
{
	return xtcp_ioctl_int(fd, SIOCOUTQ) - xtcp_ioctl_int(fd, SIOCOUTQNSD);
}

static int split_cwnd(int fd)
{
	struct tcp_info ti = { 0 };
	socklen_t len = sizeof(ti);

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
		return -1;
	return ti.tcpi_snd_cwnd;
}

/*
 * The peer, acknowledging @base bytes still, opens its window up to
 * @end (offsets from s0); 0 once the peer has all a sent, or -1.  No
 * wait for a to count the ACK: the segments it sends say it did, and
 * what was sent before waits no longer than needed, so that no
 * retransmission timeout collapses a's window meanwhile (the debug
 * kernel is slow).
 */
static int split_send_to(struct peer_conn *c, struct split_rcv *r,
			 uint32_t base, uint32_t end)
{
	c->p.h.ack = c->s0 + base;
	c->p.h.window = end - base;
	if (raw_peer_send(&c->p, c->r0, XTCP_FLAG_ACK, NULL, 0))
		return -1;
	while (r->high < end)
		if (split_take(c, r))
			return -1;
	return 0;
}

/* What a's sender looks like when the peer stopped getting segments. */
static void split_report(struct __test_metadata *_metadata,
			 struct peer_conn *c, struct split_rcv *r,
			 uint32_t base)
{
	struct tcp_info ti = { 0 };
	socklen_t len = sizeof(ti);
	static const char *const names[] = {
		"RetransSegs", "Timeouts", "FastRetrans", "WqueueTooBig",
		"OutSegs", "InSegs", "WinProbes", "RepeatTimeouts",
	};
	unsigned int i;

	getsockopt(c->fd, IPPROTO_TCP, TCP_INFO, &ti, &len);
	TH_LOG("peer has %u in order, high %u (base %u); flight %d, unsent %d",
	       r->have, r->high, base, split_flight(c->fd),
	       xtcp_ioctl_int(c->fd, SIOCOUTQNSD));
	TH_LOG("ca_state %u retransmits %u backoff %u probes %u rto %u us",
	       ti.tcpi_ca_state, ti.tcpi_retransmits, ti.tcpi_backoff,
	       ti.tcpi_probes, ti.tcpi_rto);
	TH_LOG("cwnd %u ssthresh %u unacked %u lost %u retrans %u total %u",
	       ti.tcpi_snd_cwnd, ti.tcpi_snd_ssthresh, ti.tcpi_unacked,
	       ti.tcpi_lost, ti.tcpi_retrans, ti.tcpi_total_retrans);
	TH_LOG("wmem_queued %ld fwd_alloc %ld sndbuf %ld",
	       xtcp_meminfo(c->fd, SK_MEMINFO_WMEM_QUEUED),
	       xtcp_meminfo(c->fd, SK_MEMINFO_FWD_ALLOC),
	       xtcp_meminfo(c->fd, SK_MEMINFO_SNDBUF));
	for (i = 0; i < ARRAY_SIZE(names); i++)
		TH_LOG("%s %ld", names[i], peer_a_counter(c, names[i]));
}

/*
 * CVE-2019-11477/11478: a peer announcing a tiny MSS (a sends 48-byte
 * segments) lets a's congestion window grow, then has a send one
 * segment and a run of SPLIT_RUN segments (two skbs, shaped by its
 * window), and SACKs every other segment of the run, each block cutting
 * the run in two more places, and odd single bytes besides, which cut
 * nothing: a marks whole segments only.  Once the write queue takes
 * more than twice the send buffer and two 64 KiB skbs, a refuses to
 * split sent skbs further (WqueueTooBig), but for the first and the
 * last, so the queue stays within one split of that.  Then the peer
 * acknowledges normally, and every byte arrives as written; once all is
 * acknowledged the queue holds nothing.
 */
static void split_run(struct __test_metadata *_metadata, struct peer_conn *c)
{
	static struct split_rcv r;
	socklen_t len = sizeof(int);
	long queued, limit, in0;
	uint32_t off, base, run, end;
	long long deadline;
	int acks = 0, i;
	int sndbuf;

	ASSERT_EQ(0, xtcp_set_int(c->fd, SOL_SOCKET, SO_SNDBUF, 16384));
	ASSERT_EQ(0, getsockopt(c->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &len));
	ASSERT_EQ(0, xtcp_set_int(c->fd, IPPROTO_TCP, TCP_NODELAY, 1));
	/* The peer takes a whole window of segments at once. */
	ASSERT_EQ(0, xtcp_set_int(raw_peer_rx_fd(&c->p), SOL_SOCKET,
				  SO_RCVBUFFORCE, 8 << 20));
	split_write(c->fd, &r);

	/* Slow start: what arrived acknowledged, once a round. */
	deadline = xtcp_now_ms() + 120000;
	while (split_cwnd(c->fd) < SPLIT_RUN + 4 && xtcp_now_ms() < deadline) {
		split_drain(c, &r);
		ASSERT_EQ(0, split_ack(c, &r, 65535));
		split_write(c->fd, &r);
	}
	TH_LOG("cwnd %d after %u bytes", split_cwnd(c->fd), r.have);
	ASSERT_LE(SPLIT_RUN + 4, split_cwnd(c->fd));
	/* Then all of it, the window closed: nothing flies. */
	while (split_flight(c->fd) > 0 && xtcp_now_ms() < deadline) {
		split_drain(c, &r);
		ASSERT_EQ(0, split_ack(c, &r, 0));
	}
	ASSERT_EQ(0, split_flight(c->fd));
	split_write(c->fd, &r);
	ASSERT_LE(r.have + (SPLIT_RUN + 2) * SPLIT_MSS, r.written);
	ASSERT_EQ(0, r.bad);

	/* One segment, the run, one segment. */
	base = r.have;
	run = base + SPLIT_MSS;
	end = run + SPLIT_RUN * SPLIT_MSS;
	if (split_send_to(c, &r, base, run) ||
	    split_send_to(c, &r, base, end)) {
		split_report(_metadata, c, &r, base);
		ASSERT_TRUE(0);
	}
	ASSERT_EQ((SPLIT_RUN + 1) * SPLIT_MSS, split_flight(c->fd));

	/*
	 * Every other segment of the run SACKed, four blocks an ACK, from
	 * its last down: once that is cut off, the rest is neither the
	 * first skb nor the last sent.
	 */
	c->p.h.opt.present = XTCP_OPTF_SACK;
	in0 = peer_a_counter(c, "InSegs");
	for (off = end - SPLIT_MSS; off > run; acks++) {
		for (i = 0; i < XTCP_OPT_SACK_MAX && off > run;
		     i++, off -= 2 * SPLIT_MSS) {
			c->p.h.opt.sack[i].start = c->s0 + off;
			c->p.h.opt.sack[i].end = c->s0 + off + SPLIT_MSS;
		}
		c->p.h.opt.num_sacks = i;
		c->p.h.doff = XTCP_HDR_LEN + xtcp_opts_len(&c->p.h.opt);
		ASSERT_EQ(0, raw_peer_send(&c->p, c->r0, XTCP_FLAG_ACK, NULL,
					   0));
	}
	/* Single bytes inside segments. */
	for (off = run + 1, i = 0; i < XTCP_OPT_SACK_MAX;
	     i++, off += 2 * SPLIT_MSS) {
		c->p.h.opt.sack[i].start = c->s0 + off;
		c->p.h.opt.sack[i].end = c->s0 + off + 1;
	}
	c->p.h.opt.num_sacks = i;
	c->p.h.doff = XTCP_HDR_LEN + xtcp_opts_len(&c->p.h.opt);
	ASSERT_EQ(0, raw_peer_send(&c->p, c->r0, XTCP_FLAG_ACK, NULL, 0));
	ASSERT_EQ(0, peer_wait_in_segs(c, in0, acks + 1));
	queued = xtcp_meminfo(c->fd, SK_MEMINFO_WMEM_QUEUED);
	limit = 2 * (sndbuf + 2 * SKB_TRUESIZE_64K);
	TH_LOG("%d ACKs: queue %ld bytes, limit %ld, %ld splits refused",
	       acks, queued, limit, peer_a_counter(c, "WqueueTooBig"));
	EXPECT_LE(1, peer_a_counter(c, "WqueueTooBig"));
	EXPECT_LT(limit, queued);
	EXPECT_GE(limit + 4096, queued);

	/* Cumulative ACKs of what arrived, until all of it did. */
	c->p.h.opt.present = 0;
	c->p.h.doff = XTCP_HDR_LEN;
	deadline = xtcp_now_ms() + 120000;
	while (r.have < SPLIT_DATA && xtcp_now_ms() < deadline) {
		ASSERT_EQ(0, split_ack(c, &r, 65535));
		split_write(c->fd, &r);
		split_drain(c, &r);
	}
	ASSERT_EQ(SPLIT_DATA, r.have);
	EXPECT_EQ(0, r.bad);
	ASSERT_EQ(0, split_ack(c, &r, 65535));
	EXPECT_EQ(0, xtcp_meminfo(c->fd, SK_MEMINFO_WMEM_QUEUED));
	EXPECT_EQ(0, xtcp_ioctl_int(c->fd, SIOCOUTQ));
}

TEST_F_TIMEOUT(tinymssx, sack_splits_bounded, 300)
{
	split_run(_metadata, &self->c);
}

TEST_F_TIMEOUT(tinymssx6, sack_splits_bounded, 300)
{
	split_run(_metadata, &self->c);
}

/*
 * Orphans: connections a closed with data in flight towards a peer that
 * vanished (the link drops everything).  They must not live for
 * retries2's minutes each, nor pile up without bound.  Over IPv4
 * (orphans) and IPv6 (orphans6, between ADDR6_A and ADDR6_B, with
 * permanent neighbour entries both ways: no neighbour discovery fails
 * once the link drops everything), where the orphans' retransmissions
 * and resets take IPv6's transmit path.
 */
FIXTURE(orphans) {
	char a[32], b[32];
	int lfd;
};

/* Hosts a and b of @family, b's xtcp listening on PORT_B; a entered. */
static void orphans_up(struct __test_metadata *_metadata, char *a, char *b,
		       size_t len, int *lfd, int family)
{
	*lfd = -1;
	ASSERT_EQ(0, hosts_up_af(a, b, len, family));
	if (family == AF_INET6) {
		ASSERT_EQ(0, static_neigh(a, b, ADDR6_B));
		ASSERT_EQ(0, static_neigh(b, a, ADDR6_A));
	}
	ASSERT_EQ(0, enter_ns(b));
	*lfd = bound_socket(IPPROTO_XTCP, ns_addr_b(family), PORT_B, false);
	ASSERT_LE(0, *lfd);
	ASSERT_EQ(0, listen(*lfd, 16));
	ASSERT_EQ(0, enter_ns(a));
}

FIXTURE_SETUP(orphans)
{
	orphans_up(_metadata, self->a, self->b, sizeof(self->a), &self->lfd,
		   AF_INET);
}

FIXTURE_TEARDOWN(orphans)
{
	if (self->lfd >= 0)
		close(self->lfd);
	hosts_down(self->a, self->b);
}

FIXTURE(orphans6) {
	char a[32], b[32];
	int lfd;
};

FIXTURE_SETUP(orphans6)
{
	orphans_up(_metadata, self->a, self->b, sizeof(self->a), &self->lfd,
		   AF_INET6);
}

FIXTURE_TEARDOWN(orphans6)
{
	if (self->lfd >= 0)
		close(self->lfd);
	hosts_down(self->a, self->b);
}

/* Connections of a to b's listener, in a's /proc/net/xtcp(6). */
static int conns_to_b(int family)
{
	struct xtcp_proc_sock s;
	int n = 0;
	FILE *f;

	f = fopen(xtcp_proc_path(IPPROTO_XTCP, family), "r");
	if (!f)
		return -1;
	while (xtcp_proc_next(f, &s))
		if (s.rport == PORT_B)
			n++;
	fclose(f);
	return n;
}

/*
 * @n connections of @family from a to b, the link then cut both ways,
 * and each closed after a write: @n orphans in FIN_WAIT1 retransmitting.
 */
static int orphans_to_black_hole(const char *a, const char *b, int n,
				 int family)
{
	int fds[8], i;

	for (i = 0; i < n; i++) {
		fds[i] = bound_socket(IPPROTO_XTCP, ns_addr_a(family),
				      PORT_A + i, false);
		if (fds[i] < 0 ||
		    connect_wait(fds[i], ns_addr_b(family), PORT_B))
			return -1;
	}
	if (ns_sh(a, TC " qdisc change dev veth0 root netem loss 100%") ||
	    ns_sh(b, TC " qdisc change dev veth0 root netem loss 100%"))
		return -1;
	for (i = 0; i < n; i++) {
		if (send(fds[i], "data", 4, 0) != 4)
			return -1;
		/*
		 * A few jiffies apart, so that their timers are too: two
		 * running at once on two CPUs would both see the other
		 * still counted against max_orphans (as Linux's would).
		 */
		if (i)
			usleep(20000);
		close(fds[i]);
	}
	return 0;
}

/*
 * Wait (up to @ms) until no orphan is left anywhere (xtcp_sockstat's
 * orphans are those of every namespace); the last count.
 */
static long wait_no_orphans(int ms)
{
	long n;

	xtcp_read_poll_timeout(xtcp_sockstat_field, n, !n, 50000, ms,
			       "/proc/net/xtcp_sockstat", "XTCP:", "orphan");
	return n;
}

/*
 * orphan_retries 2: the orphan gives up after two retransmissions by
 * its timer, seconds after the close, and is gone; retries2 (15) would
 * have kept it sending for minutes.  A tail loss probe went before them
 * (FIN_WAIT1 sends probes, as Linux): three segments sent again, of
 * which the probe does not count against orphan_retries (Linux's
 * tcp_orphan_retries counts the timer's, icsk_retransmits).  The link
 * has no delay: the same probe and timeouts, from the RTO's floor, in
 * two seconds rather than the ten of a 200 ms round trip.
 */
static void orphans_retries_run(struct __test_metadata *_metadata,
				const char *a, const char *b, int family)
{
	long long t0;

	ASSERT_EQ(0, set_delay(a, b, 0));
	ASSERT_EQ(0, xtcp_write_str("/proc/sys/net/xtcp/orphan_retries", "2"));
	t0 = xtcp_now_ms();
	ASSERT_EQ(0, orphans_to_black_hole(a, b, 1, family));
	EXPECT_EQ(1, xtcp_wait_counter("AbortOnTimeout", 1, 60000));
	TH_LOG("orphan gave up after %lld ms", xtcp_now_ms() - t0);
	EXPECT_EQ(0, conns_to_b(family));
	EXPECT_EQ(1, xtcp_counter("TLPProbes"));
	EXPECT_EQ(3, xtcp_counter("RetransSegs"));
}

TEST_F_TIMEOUT(orphans, retries_bounded, 90)
{
	orphans_retries_run(_metadata, self->a, self->b, AF_INET);
}

TEST_F_TIMEOUT(orphans6, retries_bounded, 90)
{
	orphans_retries_run(_metadata, self->a, self->b, AF_INET6);
}

/*
 * max_orphans 1 with three orphans: at their first timeout two are
 * reset and destroyed (AbortOnMemory), one goes on, until its
 * orphan_retries (3) run out some seconds later.  The link has no delay
 * here: the timeouts, all from the RTO's floor, come in seconds rather
 * than the twenty that a 200 ms round trip makes them.
 */
static void orphans_max_run(struct __test_metadata *_metadata,
			    const char *a, const char *b, int family)
{
	ASSERT_EQ(0, set_delay(a, b, 0));
	/*
	 * max_orphans is held against the orphans of every namespace:
	 * those of earlier tests, still retrying, would count too.
	 */
	ASSERT_EQ(0, wait_no_orphans(120000));
	ASSERT_EQ(0, xtcp_write_str("/proc/sys/net/xtcp/orphan_retries", "3"));
	ASSERT_EQ(0, xtcp_write_str("/proc/sys/net/xtcp/max_orphans", "1"));
	ASSERT_EQ(0, orphans_to_black_hole(a, b, 3, family));
	EXPECT_EQ(2, xtcp_wait_counter("AbortOnMemory", 2, 30000));
	EXPECT_EQ(1, conns_to_b(family));
	EXPECT_EQ(1, xtcp_wait_counter("AbortOnTimeout", 1, 60000));
	EXPECT_EQ(0, conns_to_b(family));
	EXPECT_EQ(2, xtcp_counter("AbortOnMemory"));
}

TEST_F_TIMEOUT(orphans, max_orphans_resets_the_rest, 210)
{
	orphans_max_run(_metadata, self->a, self->b, AF_INET);
}

TEST_F_TIMEOUT(orphans6, max_orphans_resets_the_rest, 210)
{
	orphans_max_run(_metadata, self->a, self->b, AF_INET6);
}

/*
 * Simultaneous open, RFC 9293 figure 8: a connects to the peer, whose
 * SYN crosses a's; a answers it with its SYN-ACK, and the peer, which
 * did the same, sends its SYN again with the ACK of a's.  That ACK
 * completes the handshake: no bare ACK is ever sent.  Linux TCP does the
 * same (tcp_validate_incoming() lets that SYN-ACK through in SYN_RECV),
 * and bounds SYN_RECV by tcp_syn_retries too.
 */
FIXTURE(simopen) {
	char a[32], b[32];
	struct raw_peer p;
	int fd;
	uint32_t a_isn;
};

FIXTURE_VARIANT(simopen) {
	int proto;
	int family;
	const char *proc;
	const char *syn_retries;
	bool acks_synack;	/* a ACKs the SYN-ACK that completes */
};

/*
 * Linux TCP, once established, takes that SYN-ACK (sequence number
 * below rcv_nxt) for a retransmission and ACKs it at once
 * (tcp_data_queue()); xtcp sends nothing until it has data.
 */
FIXTURE_VARIANT_ADD(simopen, tcp) {
	.proto = IPPROTO_TCP,
	.family = AF_INET,
	.proc = "/proc/net/tcp",
	.syn_retries = "/proc/sys/net/ipv4/tcp_syn_retries",
	.acks_synack = true,
};

FIXTURE_VARIANT_ADD(simopen, xtcp) {
	.proto = IPPROTO_XTCP,
	.family = AF_INET,
	.proc = "/proc/net/xtcp",
	.syn_retries = "/proc/sys/net/xtcp/syn_retries",
};

/* IPv6's own connect() and SYN-ACK paths. */
FIXTURE_VARIANT_ADD(simopen, xtcp6) {
	.proto = IPPROTO_XTCP,
	.family = AF_INET6,
	.proc = "/proc/net/xtcp6",
	.syn_retries = "/proc/sys/net/xtcp/syn_retries",
};

FIXTURE_SETUP(simopen)
{
	struct sockaddr_storage dst;
	struct xtcp_seg_hdr syn;
	struct xtcp_opts o;
	socklen_t dlen;
	char cmd[96];

	XTCP_SKIP_TCP_VARIANT(variant->proto);
	self->fd = -1;
	self->p.raw = -1;
	ASSERT_EQ(0, hosts_up(self->a, self->b, sizeof(self->a)));
	snprintf(cmd, sizeof(cmd), "echo 1 > %s", variant->syn_retries);
	ASSERT_EQ(0, ns_sh(self->a, cmd));
	ASSERT_EQ(0, phantom_peer_init_family(self->a, self->b,
					      variant->family, variant->proto,
					      &self->p));
	self->p.h.seq = 5000;
	ASSERT_EQ(0, enter_ns(self->a));
	self->fd = bound_socket(variant->proto, peer_addr_a(variant->family),
				PORT_A, true);
	ASSERT_LE(0, self->fd);
	dlen = xtcp_sockaddr(peer_addr_p(variant->family), PORT_B, &dst);
	ASSERT_EQ(-1, connect(self->fd, (struct sockaddr *)&dst, dlen));
	ASSERT_EQ(EINPROGRESS, errno);
	ASSERT_EQ(0, raw_peer_recv_from(&self->p, PORT_B, XTCP_FLAG_SYN, &syn,
					&o, NULL, 0, NULL));
	EXPECT_EQ(XTCP_FLAG_SYN, syn.flags);
	self->a_isn = syn.seq;
	/* The peer's SYN, crossing a's. */
	ASSERT_EQ(0, raw_peer_send(&self->p, 5000, XTCP_FLAG_SYN, NULL, 0));
	ASSERT_EQ(0, raw_peer_recv_from(&self->p, PORT_B,
					XTCP_FLAG_SYN | XTCP_FLAG_ACK, &syn,
					&o, NULL, 0, NULL));
	ASSERT_EQ(XTCP_FLAG_SYN | XTCP_FLAG_ACK, syn.flags);
	ASSERT_EQ(self->a_isn, syn.seq);
	ASSERT_EQ(5001, syn.ack);
}

FIXTURE_TEARDOWN(simopen)
{
	if (self->fd >= 0)
		xtcp_reset_close(self->fd);
	raw_peer_close(&self->p);
	hosts_down(self->a, self->b);
}

/*
 * Wait up to @ms for a nonblocking connect() to end: 0 or -errno, and
 * -EALREADY if it has not ended by then.
 */
static int connect_result(int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	socklen_t len = sizeof(int);
	int err = 0;

	if (poll(&pfd, 1, ms) != 1)
		return -EALREADY;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
		return -errno;
	return -err;
}

TEST_F_TIMEOUT(simopen, synack_completes, 60)
{
	struct xtcp_seg_hdr h;
	struct xtcp_opts o;
	uint8_t buf[16];
	size_t n = 0;

	self->p.h.ack = self->a_isn + 1;
	ASSERT_EQ(0, raw_peer_send(&self->p, 5000,
				   XTCP_FLAG_SYN | XTCP_FLAG_ACK, NULL, 0));
	EXPECT_EQ(0, connect_result(self->fd, 5000));
	EXPECT_EQ(0x01, xtcp_proc_state(variant->proc, PORT_A, PORT_B));
	if (variant->acks_synack) {
		ASSERT_EQ(0, raw_peer_recv_data(&self->p, &h, &o, buf,
						sizeof(buf), &n));
		EXPECT_EQ(XTCP_FLAG_ACK, h.flags);
		EXPECT_EQ(self->a_isn + 1, h.seq);
		EXPECT_EQ(5001, h.ack);
		EXPECT_EQ(0, n);
	}
	EXPECT_EQ(5, send(self->fd, "hello", 5, 0));
	/* a's next segment is the data, acknowledging the peer's SYN. */
	ASSERT_EQ(0, raw_peer_recv_data(&self->p, &h, &o, buf, sizeof(buf),
					&n));
	EXPECT_EQ(self->a_isn + 1, h.seq);
	EXPECT_EQ(5001, h.ack);
	EXPECT_EQ(5, n);
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
}

/*
 * The peer never answers a's SYN-ACK: a gives up after syn_retries (1:
 * 1 + 2 s), with ETIMEDOUT, not after retries2's minutes.
 */
TEST_F_TIMEOUT(simopen, syn_recv_bounded_by_syn_retries, 60)
{
	long long t0 = xtcp_now_ms(), took;

	EXPECT_EQ(-ETIMEDOUT, connect_result(self->fd, 30000));
	took = xtcp_now_ms() - t0;
	TH_LOG("gave up after %lld ms", took);
	/* syn_retries 2 would take 7 s. */
	EXPECT_GE(6000, took);
	EXPECT_EQ(1, xtcp_proto_counter(variant->proto, "AttemptFails"));
}

TEST_HARNESS_MAIN
