// SPDX-License-Identifier: GPL-2.0
/*
 * SACK and loss recovery over a link with netem (xtcp_link.h): every
 * byte across a lossy path, then, from the hand-made peer of
 * xtcp_peer.h, out-of-order data reassembled with SACK, fast
 * retransmit, holes resent at once, D-SACK (no loss, undo), Eifel's
 * undo of a spurious timeout and of a recovery on a partial ACK, the
 * recovery point, an RTT sample from
 * a SACK, and reordering.
 */
#include "kselftest_harness.h"

/*
 * Every test over IPv6 too (link.xtcp6, linkx.xtcp6): linkx's with the
 * phantom peer of xtcp_peer.h at 2001:2::9, the same scripts with the
 * same expectations (the peer announces an MSS of 1000, below either
 * family's 1460 or 1440 on the link, so that a's segments are the
 * same).  Nothing in these scripts depends on the family beyond the
 * peer's own segments: the debug lane leaves linkx.xtcp6 to the
 * Debian lane.
 */
#define XTCP_LINKX6_ALL
#define XTCP_LINKX6_NOT_IN_DEBUG_LANE

#include "xtcp_link.h"

/*
 * 5% loss both ways: every byte arrives once and in order, lost segments
 * (and lost ACKs) made good by retransmission.
 */
TEST_F_TIMEOUT(link, lossy_link_transfer, 120)
{
	struct side s = { .proto = variant->proto, .family = self->family,
			  .proc = variant->proc, .len = 50000 };

	ASSERT_EQ(0, ns_sh(self->a, TC " qdisc change dev veth0 root netem delay 10ms loss 5%"));
	ASSERT_EQ(0, ns_sh(self->b, TC " qdisc change dev veth0 root netem delay 10ms loss 5%"));
	ASSERT_EQ(0, static_neigh(self->a, self->b, self->addr_b));
	ASSERT_EQ(0, static_neigh(self->b, self->a, self->addr_a));
	EXPECT_EQ(0, pattern_to_sink_b(self->a, self->b, &s));
	if (variant->proto == IPPROTO_XTCP)
		TH_LOG("%ld segments sent again", xtcp_counter("RetransSegs"));
}

/*
 * A peer that allowed SACK sends 100..199 and 200..299 before 0..99:
 * both wait above the hole, each ACK repeats rcv_nxt and reports them
 * in one SACK block, and when the hole fills the reader gets all 300
 * bytes in order, acknowledged at once, with no SACK block left.
 */
TEST_F_TIMEOUT(linkx, out_of_order_reassembled_with_sack, 60)
{
	struct pollfd pfd = { .events = POLLIN };
	uint8_t data[300], got[300];
	struct xtcp_seg_hdr sa, ack;
	struct raw_peer p;
	struct xtcp_opts o;
	int lfd, fd, i;
	uint32_t isn;

	for (i = 0; i < (int)sizeof(data); i++)
		data[i] = i * 7;
	ASSERT_EQ(0, raw_peer_open_family(self->a, self->b, self->family, 0,
					  1, &p, &lfd));

	p.h.opt.present = XTCP_OPTF_MSS | XTCP_OPTF_SACK_PERM |
			  XTCP_OPTF_WSCALE;
	p.h.opt.mss = 1000;
	p.h.doff = XTCP_HDR_LEN + xtcp_opts_len(&p.h.opt);
	ASSERT_EQ(0, raw_peer_send(&p, 1000, XTCP_FLAG_SYN, NULL, 0));
	ASSERT_EQ(0, raw_peer_recv(&p, &sa, &o));
	EXPECT_EQ(XTCP_FLAG_SYN | XTCP_FLAG_ACK, sa.flags);
	EXPECT_EQ(XTCP_OPTF_MSS | XTCP_OPTF_SACK_PERM | XTCP_OPTF_WSCALE,
		  o.present);
	/* veth's 1500 bytes less IPv6's 40-byte header, or IPv4's 20. */
	EXPECT_EQ(self->family == AF_INET6 ? 1440 : 1460, o.mss);

	p.h.opt.present = 0;
	p.h.doff = XTCP_HDR_LEN;
	p.h.ack = sa.seq + 1;
	isn = 1001;
	ASSERT_EQ(0, raw_peer_send(&p, isn, XTCP_FLAG_ACK, NULL, 0));
	pfd.fd = lfd;
	ASSERT_EQ(1, poll(&pfd, 1, 5000));
	fd = accept(lfd, NULL, NULL);
	ASSERT_LE(0, fd);

	ASSERT_EQ(0, raw_peer_send(&p, isn + 100, XTCP_FLAG_ACK, data + 100,
				   100));
	ASSERT_EQ(0, raw_peer_recv(&p, &ack, &o));
	EXPECT_EQ(isn, ack.ack);
	ASSERT_EQ(1, o.num_sacks);
	EXPECT_EQ(isn + 100, o.sack[0].start);
	EXPECT_EQ(isn + 200, o.sack[0].end);

	ASSERT_EQ(0, raw_peer_send(&p, isn + 200, XTCP_FLAG_ACK, data + 200,
				   100));
	ASSERT_EQ(0, raw_peer_recv(&p, &ack, &o));
	EXPECT_EQ(isn, ack.ack);
	ASSERT_EQ(1, o.num_sacks);
	EXPECT_EQ(isn + 100, o.sack[0].start);
	EXPECT_EQ(isn + 300, o.sack[0].end);
	EXPECT_EQ(-1, recv(fd, got, sizeof(got), MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);

	/* A duplicate of held bytes changes nothing. */
	ASSERT_EQ(0, raw_peer_send(&p, isn + 150, XTCP_FLAG_ACK, data + 150,
				   100));
	ASSERT_EQ(0, raw_peer_recv(&p, &ack, &o));
	EXPECT_EQ(isn, ack.ack);

	ASSERT_EQ(0, raw_peer_send(&p, isn, XTCP_FLAG_ACK, data, 100));
	ASSERT_EQ(0, raw_peer_recv(&p, &ack, &o));
	EXPECT_EQ(isn + 300, ack.ack);
	EXPECT_EQ(0, o.present & XTCP_OPTF_SACK);
	ASSERT_EQ(sizeof(got), recv(fd, got, sizeof(got), MSG_WAITALL));
	EXPECT_EQ(0, memcmp(data, got, sizeof(got)));
	xtcp_reset_close(fd);
	close(lfd);
	raw_peer_close(&p);
}

/*
 * a sends five segments to a hand-made receiver, which acknowledges the
 * first and then, for the third, fourth and fifth, sends three
 * duplicate ACKs with SACK blocks: a sends the second again at once
 * (fast retransmit, before any timeout) and halves its window (NewReno:
 * ssthresh = cwnd / 2, cwnd being 11 then).
 */
TEST_F_TIMEOUT(linkx, fast_retransmit, 60)
{
	struct raw_peer p;
	struct tcp_info ti;
	socklen_t len;
	int lfd, fd;
	uint32_t s0;

	fd = linkx_peer_setup(self, false, &p, &lfd, &s0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, raw_peer_flight(&p, fd, s0, 5));

	ASSERT_EQ(0, raw_peer_three_dupacks(&p, s0, 2000));
	ASSERT_EQ(0, raw_peer_wait_seq(&p, s0 + 1000));
	ASSERT_EQ(0, raw_peer_ack_all(&p, fd, s0 + 5000));

	ASSERT_EQ(0, enter_ns(self->a));
	EXPECT_EQ(1, xtcp_counter("FastRetrans"));
	EXPECT_EQ(1, xtcp_counter("RetransSegs"));
	len = sizeof(ti);
	ASSERT_EQ(0, getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len));
	EXPECT_EQ(5, ti.tcpi_snd_ssthresh);
	EXPECT_EQ(0, ti.tcpi_ca_state);
	xtcp_reset_close(fd);
	close(lfd);
	raw_peer_close(&p);
}

/*
 * A burst of losses is sent again in one round trip: a sends eight
 * segments; the hand-made receiver acknowledges the first and reports
 * the last three in SACK blocks of three duplicate ACKs.  a sends the
 * four holes between them again at once, without waiting for the
 * partial ACK of each (NewReno alone sends one per round trip), each
 * once: a timeout (none expected) would send only the oldest again.
 */
TEST_F_TIMEOUT(linkx, sack_holes_resent_at_once, 60)
{
	struct raw_peer p;
	int lfd, fd, i;
	long timeouts;
	uint32_t s0;

	fd = linkx_peer_setup(self, false, &p, &lfd, &s0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, raw_peer_flight(&p, fd, s0, 8));

	ASSERT_EQ(0, raw_peer_three_dupacks(&p, s0, 5000));
	for (i = 1; i <= 4; i++)
		ASSERT_EQ(0, raw_peer_wait_seq(&p, s0 + i * 1000));
	ASSERT_EQ(0, raw_peer_ack_all(&p, fd, s0 + 8000));

	ASSERT_EQ(0, enter_ns(self->a));
	timeouts = xtcp_counter("Timeouts");
	TH_LOG("%ld timeouts", timeouts);
	EXPECT_EQ(1, xtcp_counter("FastRetrans"));
	EXPECT_EQ(4 + timeouts, xtcp_counter("RetransSegs"));
	xtcp_reset_close(fd);
	close(lfd);
	raw_peer_close(&p);
}

/*
 * Duplicate ACKs that report nothing new are no sign of loss when the
 * peer SACKs (Linux's tcp_time_to_recover()): of five segments, the
 * network delivered the first four times, and the peer answered each
 * copy after the first with a duplicate ACK and a D-SACK block for it.
 * a sends nothing again and keeps its window; before, the third such
 * ACK started a fast retransmit of the second segment and halved it.
 */
TEST_F_TIMEOUT(linkx, dsack_dupacks_are_no_loss, 60)
{
	struct raw_peer p;
	struct tcp_info ti;
	int lfd, fd, i;
	long timeouts;
	uint32_t s0;

	fd = linkx_peer_setup(self, false, &p, &lfd, &s0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, raw_peer_flight(&p, fd, s0, 5));

	p.h.ack = s0 + 1000;
	ASSERT_EQ(0, raw_peer_send(&p, p.h.seq, XTCP_FLAG_ACK, NULL, 0));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, raw_peer_dsack(&p, s0 + 1000, s0, s0 + 1000));
	ASSERT_EQ(0, xtcp_tcp_info(fd, &ti));
	EXPECT_EQ(0, ti.tcpi_ca_state);
	ASSERT_EQ(0, raw_peer_ack_all(&p, fd, s0 + 5000));

	ASSERT_EQ(0, enter_ns(self->a));
	timeouts = xtcp_counter("Timeouts");
	TH_LOG("%ld timeouts", timeouts);
	EXPECT_EQ(3, xtcp_counter("DSACKRecv"));
	EXPECT_EQ(0, xtcp_counter("FastRetrans"));
	EXPECT_EQ(timeouts, xtcp_counter("RetransSegs"));
	xtcp_reset_close(fd);
	close(lfd);
	raw_peer_close(&p);
}

/*
 * A fast retransmit proved spurious by D-SACK is undone (RFC 3708, as
 * Linux's tcp_try_undo_dsack()): of five segments, the second came
 * late, behind the other three, which the peer SACKed; a sent it again
 * and halved its window.  Then the peer acknowledges all five with a
 * D-SACK block for the second: both copies arrived.  cwnd and ssthresh
 * are back to what they were, and the recovery is over.
 */
TEST_F_TIMEOUT(linkx, dsack_undoes_fast_retransmit, 60)
{
	struct tcp_info ti, before;
	struct raw_peer p;
	int lfd, fd;
	uint32_t s0;

	fd = linkx_peer_setup(self, false, &p, &lfd, &s0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, raw_peer_flight(&p, fd, s0, 5));
	ASSERT_EQ(0, xtcp_tcp_info(fd, &before));

	ASSERT_EQ(0, raw_peer_three_dupacks(&p, s0, 2000));
	ASSERT_EQ(0, raw_peer_wait_seq(&p, s0 + 1000));
	ASSERT_EQ(0, xtcp_tcp_info(fd, &ti));
	EXPECT_NE(0, ti.tcpi_ca_state);
	EXPECT_GT(before.tcpi_snd_ssthresh, ti.tcpi_snd_ssthresh);
	ASSERT_EQ(0, raw_peer_dsack(&p, s0 + 5000, s0 + 1000, s0 + 2000));
	ASSERT_EQ(0, raw_peer_ack_all(&p, fd, s0 + 5000));

	ASSERT_EQ(0, xtcp_tcp_info(fd, &ti));
	EXPECT_EQ(0, ti.tcpi_ca_state);
	EXPECT_EQ(before.tcpi_snd_ssthresh, ti.tcpi_snd_ssthresh);
	EXPECT_LE(before.tcpi_snd_cwnd, ti.tcpi_snd_cwnd);
	ASSERT_EQ(0, enter_ns(self->a));
	EXPECT_EQ(1, xtcp_counter("FastRetrans"));
	EXPECT_EQ(1, xtcp_counter("DSACKRecv"));
	EXPECT_EQ(1, xtcp_counter("DSACKUndo"));
	xtcp_reset_close(fd);
	close(lfd);
	raw_peer_close(&p);
}

/*
 * A spurious timeout is undone by Eifel detection (RFC 3522, with
 * RFC 7323 timestamps; Linux's tcp_try_undo_loss()): the peer holds the
 * ACK of three segments until a's timer sent the first again, then
 * acknowledges all three echoing the first original's timestamp, older
 * than the retransmission's: the original had arrived.  cwnd and
 * ssthresh are back to what they were before the timeout.
 */
TEST_F_TIMEOUT(linkx, eifel_undoes_spurious_timeout, 60)
{
	static const uint8_t data[3000];
	struct tcp_info ti, before;
	struct xtcp_opts o;
	struct raw_peer p;
	uint32_t s0, ts0, seg;
	int lfd, fd;

	fd = linkx_peer_setup(self, true, &p, &lfd, &s0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xtcp_tcp_info(fd, &before));
	ASSERT_EQ(TCPI_OPT_TIMESTAMPS,
		  before.tcpi_options & TCPI_OPT_TIMESTAMPS);

	/* Segments of 988 bytes: the option takes 12 of the 1000. */
	seg = before.tcpi_snd_mss;
	ASSERT_GE(sizeof(data) / 3, seg);
	ASSERT_EQ(0, xtcp_set_int(fd, IPPROTO_TCP, TCP_NODELAY, 1));
	ASSERT_EQ(3 * seg, write(fd, data, 3 * seg));
	ASSERT_EQ(0, raw_peer_seg_at(&p, s0, &o));
	ts0 = o.tsval;
	ASSERT_EQ(0, raw_peer_wait_seq(&p, s0 + 2 * seg));
	ASSERT_EQ(0, raw_peer_seg_at(&p, s0, &o));	/* the timeout */
	EXPECT_LT(ts0, o.tsval);

	p.h.opt.tsval = 2;
	p.h.opt.tsecr = ts0;
	p.h.ack = s0 + 3 * seg;
	ASSERT_EQ(0, raw_peer_send(&p, p.h.seq, XTCP_FLAG_ACK, NULL, 0));
	ASSERT_EQ(0, xtcp_wait_outq_empty(fd, 3000));

	ASSERT_EQ(0, xtcp_tcp_info(fd, &ti));
	EXPECT_EQ(0, ti.tcpi_ca_state);
	EXPECT_EQ(before.tcpi_snd_ssthresh, ti.tcpi_snd_ssthresh);
	EXPECT_LE(before.tcpi_snd_cwnd, ti.tcpi_snd_cwnd);
	ASSERT_EQ(0, enter_ns(self->a));
	EXPECT_LE(1, xtcp_counter("Timeouts"));
	EXPECT_EQ(1, xtcp_counter("LossUndo"));
	xtcp_reset_close(fd);
	close(lfd);
	raw_peer_close(&p);
}

/*
 * The hand-made peer, which uses timestamps, acknowledges up to @ack
 * echoing @tsecr, with one SACK block [@start, @end) unless @end is 0;
 * 0 or -1.
 */
static int peer_ack_ts(struct raw_peer *p, uint32_t ack, uint32_t start,
		       uint32_t end, uint32_t tsecr)
{
	p->h.ack = ack;
	p->h.opt.present = XTCP_OPTF_TS | (end ? XTCP_OPTF_SACK : 0);
	p->h.opt.tsecr = tsecr;
	p->h.opt.num_sacks = end ? 1 : 0;
	p->h.opt.sack[0].start = start;
	p->h.opt.sack[0].end = end;
	p->h.doff = XTCP_HDR_LEN + xtcp_opts_len(&p->h.opt);
	return raw_peer_send(p, p->h.seq, XTCP_FLAG_ACK, NULL, 0);
}

/* Wait (up to 3 s) until @fd has @n segments in flight; 0 or -1. */
static int wait_unacked(int fd, struct tcp_info *ti, unsigned int n)
{
	int i;

	for (i = 0; i < 300; i++) {
		if (xtcp_tcp_info(fd, ti))
			return -1;
		if (ti->tcpi_unacked == n)
			return 0;
		usleep(10000);
	}
	return -1;
}

/*
 * A recovery that a partial ACK proves spurious is undone (Eifel on a
 * partial ACK, as Linux's tcp_try_undo_partial()): of six segments the
 * second came late, behind the next three, which the peer SACKed; a
 * sent it again and cut its window.  Then the original arrives and the
 * peer acknowledges five segments, not the sixth, still on its way,
 * echoing the original's timestamp, older than the copy's.  No copy is
 * in flight any more: cwnd and ssthresh are back and the recovery is
 * over, though the ACK is partial.
 */
TEST_F_TIMEOUT(linkx, partial_ack_of_delayed_original_undoes, 60)
{
	static const uint8_t data[6000];
	struct tcp_info ti, before;
	struct xtcp_opts o;
	struct raw_peer p;
	uint32_t s0, ts1, seg, i;
	int lfd, fd;

	fd = linkx_peer_setup(self, true, &p, &lfd, &s0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xtcp_tcp_info(fd, &before));
	seg = before.tcpi_snd_mss;
	ASSERT_GE(sizeof(data) / 6, seg);
	ASSERT_EQ(0, xtcp_set_int(fd, IPPROTO_TCP, TCP_NODELAY, 1));
	ASSERT_EQ(6 * seg, write(fd, data, 6 * seg));
	ASSERT_EQ(0, raw_peer_seg_at(&p, s0 + seg, &o));
	ts1 = o.tsval;
	ASSERT_EQ(0, raw_peer_wait_seq(&p, s0 + 5 * seg));

	ASSERT_EQ(0, peer_ack_ts(&p, s0 + seg, 0, 0, ts1));
	for (i = 3; i <= 5; i++)
		ASSERT_EQ(0, peer_ack_ts(&p, s0 + seg, s0 + 2 * seg,
					 s0 + i * seg, ts1));
	ASSERT_EQ(0, raw_peer_seg_at(&p, s0 + seg, &o));	/* the copy */
	EXPECT_LT(ts1, o.tsval);
	ASSERT_EQ(0, xtcp_tcp_info(fd, &ti));
	EXPECT_EQ(3, ti.tcpi_ca_state);
	EXPECT_GT(before.tcpi_snd_ssthresh, ti.tcpi_snd_ssthresh);

	ASSERT_EQ(0, peer_ack_ts(&p, s0 + 5 * seg, 0, 0, ts1));
	ASSERT_EQ(0, wait_unacked(fd, &ti, 1));
	EXPECT_EQ(0, ti.tcpi_ca_state);
	EXPECT_EQ(before.tcpi_snd_ssthresh, ti.tcpi_snd_ssthresh);
	EXPECT_LE(before.tcpi_snd_cwnd, ti.tcpi_snd_cwnd);
	EXPECT_EQ(0, ti.tcpi_lost);
	/* The second fell behind three segments SACKed above it. */
	EXPECT_LE(4, ti.tcpi_reordering);
	ASSERT_EQ(0, enter_ns(self->a));
	EXPECT_EQ(1, xtcp_counter("FastRetrans"));
	EXPECT_EQ(1, xtcp_counter("PartialUndo"));
	EXPECT_EQ(0, xtcp_counter("FullUndo"));
	xtcp_reset_close(fd);
	close(lfd);
	raw_peer_close(&p);
}

/*
 * A partial ACK that a late original explains is held while copies are
 * out (Linux's tcp_try_undo_partial()): of eight segments the second
 * and third came late, behind the next three, which the peer SACKed; a
 * sent both again.  The second's original arrives: the ACK of two
 * segments echoes its timestamp, older than the copies'.  The third's
 * copy is still out, so the ACK is held: the recovery goes on, its
 * window still cut.  The third's original arrives: the ACK of six, still
 * partial, finds no copy out and undoes the episode.
 */
TEST_F_TIMEOUT(linkx, partial_ack_with_copy_out_holds, 60)
{
	static const uint8_t data[8000];
	struct tcp_info ti, before;
	struct xtcp_opts o;
	struct raw_peer p;
	uint32_t s0, ts1, seg, i;
	int lfd, fd;

	fd = linkx_peer_setup(self, true, &p, &lfd, &s0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xtcp_tcp_info(fd, &before));
	seg = before.tcpi_snd_mss;
	ASSERT_GE(sizeof(data) / 8, seg);
	ASSERT_EQ(0, xtcp_set_int(fd, IPPROTO_TCP, TCP_NODELAY, 1));
	ASSERT_EQ(8 * seg, write(fd, data, 8 * seg));
	ASSERT_EQ(0, raw_peer_seg_at(&p, s0 + seg, &o));
	ts1 = o.tsval;
	ASSERT_EQ(0, raw_peer_wait_seq(&p, s0 + 7 * seg));

	ASSERT_EQ(0, peer_ack_ts(&p, s0 + seg, 0, 0, ts1));
	for (i = 4; i <= 6; i++)
		ASSERT_EQ(0, peer_ack_ts(&p, s0 + seg, s0 + 3 * seg,
					 s0 + i * seg, ts1));
	/* The copies of the second and the third. */
	ASSERT_EQ(0, raw_peer_seg_at(&p, s0 + seg, &o));
	ASSERT_EQ(0, raw_peer_seg_at(&p, s0 + 2 * seg, &o));
	ASSERT_EQ(0, xtcp_tcp_info(fd, &ti));
	EXPECT_EQ(3, ti.tcpi_ca_state);
	EXPECT_GT(before.tcpi_snd_ssthresh, ti.tcpi_snd_ssthresh);

	/* The second's original: held, the third's copy being out. */
	ASSERT_EQ(0, peer_ack_ts(&p, s0 + 2 * seg, s0 + 3 * seg,
				 s0 + 6 * seg, ts1));
	ASSERT_EQ(0, wait_unacked(fd, &ti, 6));
	EXPECT_EQ(3, ti.tcpi_ca_state);
	EXPECT_GT(before.tcpi_snd_ssthresh, ti.tcpi_snd_ssthresh);
	ASSERT_EQ(0, enter_ns(self->a));
	EXPECT_EQ(1, xtcp_counter("PartialUndoHold"));
	EXPECT_EQ(0, xtcp_counter("PartialUndo"));

	/* The third's original: no copy out any more, undone. */
	ASSERT_EQ(0, peer_ack_ts(&p, s0 + 6 * seg, 0, 0, ts1));
	ASSERT_EQ(0, wait_unacked(fd, &ti, 2));
	EXPECT_EQ(0, ti.tcpi_ca_state);
	EXPECT_EQ(before.tcpi_snd_ssthresh, ti.tcpi_snd_ssthresh);
	EXPECT_LE(before.tcpi_snd_cwnd, ti.tcpi_snd_cwnd);
	EXPECT_EQ(0, ti.tcpi_lost);
	EXPECT_EQ(1, xtcp_counter("PartialUndoHold"));
	EXPECT_EQ(1, xtcp_counter("PartialUndo"));
	EXPECT_EQ(0, xtcp_counter("FullUndo"));
	EXPECT_EQ(2, xtcp_counter("RetransSegs"));
	xtcp_reset_close(fd);
	close(lfd);
	raw_peer_close(&p);
}

/*
 * Loss recovery after a timeout ends at its recovery point (RFC 6582):
 * a sends eight segments that the hand-made receiver leaves unanswered,
 * so a tail loss probe sends the eighth again, then the timer the
 * first, and everything in flight counts as lost (RFC 8985 6.3).  The
 * ACK of six (partial: two still missing) makes a send both holes at
 * once, and lets two new segments out.  The ACK of all eight ends the
 * recovery: the new segments are not sent again, though the ACK covers
 * a retransmission.
 */
TEST_F_TIMEOUT(linkx, recovery_ends_at_recover_point, 60)
{
	uint8_t data[2000] = { 0 };
	struct raw_peer p;
	int lfd, fd;
	uint32_t s0;

	fd = linkx_peer_setup(self, false, &p, &lfd, &s0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, raw_peer_flight(&p, fd, s0, 8));
	ASSERT_EQ(0, raw_peer_wait_seq(&p, s0));	/* the timeout */
	ASSERT_EQ(2000, write(fd, data, 2000));

	p.h.ack = s0 + 6000;
	ASSERT_EQ(0, raw_peer_send(&p, p.h.seq, XTCP_FLAG_ACK, NULL, 0));
	ASSERT_EQ(0, raw_peer_wait_seq(&p, s0 + 6000));
	ASSERT_EQ(0, raw_peer_wait_seq(&p, s0 + 8000));
	p.h.ack = s0 + 8000;
	ASSERT_EQ(0, raw_peer_send(&p, p.h.seq, XTCP_FLAG_ACK, NULL, 0));
	ASSERT_EQ(0, raw_peer_wait_seq(&p, s0 + 9000));
	ASSERT_EQ(0, raw_peer_ack_all(&p, fd, s0 + 10000));

	ASSERT_EQ(0, enter_ns(self->a));
	EXPECT_EQ(1, xtcp_counter("TLPProbes"));
	EXPECT_EQ(1, xtcp_counter("Timeouts"));
	EXPECT_EQ(4, xtcp_counter("RetransSegs"));
	EXPECT_EQ(0, xtcp_counter("FastRetrans"));
	xtcp_reset_close(fd);
	close(lfd);
	raw_peer_close(&p);
}

/*
 * An RTT sample ends the backoff (RFC 6298 5.7): after two timeouts of
 * the first of three segments, the SACK of the second, sent only once,
 * gives one though the cumulative ACK does not move, as in Linux.  On a
 * lossy path nearly every cumulative ACK covers a retransmission: with
 * samples from them only, the backoff would grow until the connection
 * all but stops.
 */
TEST_F_TIMEOUT(linkx, sack_sample_ends_backoff, 60)
{
	struct raw_peer p;
	struct tcp_info ti;
	int lfd, fd, i;
	uint32_t s0;

	fd = linkx_peer_setup(self, false, &p, &lfd, &s0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, raw_peer_flight(&p, fd, s0, 3));
	ASSERT_EQ(0, raw_peer_wait_seq(&p, s0));
	ASSERT_EQ(0, raw_peer_wait_seq(&p, s0));
	ASSERT_EQ(0, xtcp_tcp_info(fd, &ti));
	EXPECT_EQ(2, ti.tcpi_backoff);

	p.h.ack = s0;
	p.h.opt.present = XTCP_OPTF_SACK;
	p.h.opt.num_sacks = 1;
	p.h.opt.sack[0].start = s0 + 1000;
	p.h.opt.sack[0].end = s0 + 2000;
	p.h.doff = XTCP_HDR_LEN + xtcp_opts_len(&p.h.opt);
	ASSERT_EQ(0, raw_peer_send(&p, p.h.seq, XTCP_FLAG_ACK, NULL, 0));
	for (i = 0; i < 100 && !xtcp_tcp_info(fd, &ti) && ti.tcpi_backoff; i++)
		usleep(10000);
	EXPECT_EQ(0, ti.tcpi_backoff);
	xtcp_reset_close(fd);
	close(lfd);
	raw_peer_close(&p);
}

/*
 * Reordering (Linux's tcp_check_sack_reordering()): of eight segments,
 * the SACK of the eighth, then of the third, sent once, shows that the
 * third was overtaken by five others, not lost.  Loss detection then
 * waits for six SACKed segments above a hole, and RACK keeps its
 * reordering window (RFC 8985 6.2), so that three of them (which would
 * be enough on a path that keeps order) mark nothing lost and start no
 * fast retransmit.  Data take 800 ms to the peer, its ACKs 20 ms back:
 * RACK's window, a quarter of the minimum RTT, outlasts the checks,
 * each a 20 ms trip after the last.
 */
TEST_F_TIMEOUT(linkx, reordering_raises_dupthresh, 60)
{
	static const uint32_t eighth[][2] = { { 7000, 8000 } };
	static const uint32_t third[][2] = { { 2000, 3000 }, { 7000, 8000 } };
	static const uint32_t fifth[][2] = { { 2000, 3000 }, { 4000, 5000 },
					     { 7000, 8000 } };
	struct raw_peer p;
	struct tcp_info ti;
	int lfd, fd;
	uint32_t s0;

	ASSERT_EQ(0, ns_sh(self->a, TC " qdisc change dev veth0 root netem delay 800ms"));
	ASSERT_EQ(0, ns_sh(self->b, TC " qdisc change dev veth0 root netem delay 20ms"));
	fd = linkx_peer_setup(self, false, &p, &lfd, &s0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xtcp_tcp_info(fd, &ti));
	EXPECT_EQ(3, ti.tcpi_reordering);
	ASSERT_EQ(0, raw_peer_flight(&p, fd, s0, 8));

	ASSERT_EQ(0, raw_peer_sack(&p, s0, eighth, 1));
	ASSERT_EQ(0, raw_peer_sack(&p, s0, third, 2));
	ASSERT_EQ(0, xtcp_tcp_info_sacked(fd, &ti, 2));
	EXPECT_EQ(6, ti.tcpi_reordering);
	ASSERT_EQ(0, raw_peer_sack(&p, s0, fifth, 3));
	ASSERT_EQ(0, xtcp_tcp_info_sacked(fd, &ti, 3));
	EXPECT_EQ(6, ti.tcpi_reordering);
	EXPECT_EQ(0, ti.tcpi_ca_state);
	EXPECT_EQ(0, ti.tcpi_lost);
	EXPECT_EQ(0, ti.tcpi_total_retrans);
	ASSERT_EQ(0, enter_ns(self->a));
	EXPECT_EQ(0, xtcp_counter("RackLost"));
	EXPECT_EQ(0, xtcp_counter("FastRetrans"));
	xtcp_reset_close(fd);
	close(lfd);
	raw_peer_close(&p);
}

/*
 * A late original that a cumulative ACK covers shows reordering too, as
 * in Linux's tcp_clean_rtx_queue(): of eight segments the peer SACKs the
 * last two, too few to start a recovery, then acknowledges all eight:
 * the first six, sent once and never SACKed, arrived behind the eighth,
 * so the path reorders by eight segments (from the first to the highest
 * SACKed byte, as Linux measures it).  Nothing was sent again.  Delays as in
 * reordering_raises_dupthresh keep RACK's window open meanwhile.
 */
TEST_F_TIMEOUT(linkx, late_original_acked_raises_reordering, 60)
{
	static const uint32_t last_two[][2] = { { 6000, 8000 } };
	struct raw_peer p;
	struct tcp_info ti;
	int lfd, fd;
	uint32_t s0;

	ASSERT_EQ(0, ns_sh(self->a, TC " qdisc change dev veth0 root netem delay 800ms"));
	ASSERT_EQ(0, ns_sh(self->b, TC " qdisc change dev veth0 root netem delay 20ms"));
	fd = linkx_peer_setup(self, false, &p, &lfd, &s0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, raw_peer_flight(&p, fd, s0, 8));

	ASSERT_EQ(0, raw_peer_sack(&p, s0, last_two, 1));
	ASSERT_EQ(0, xtcp_tcp_info_sacked(fd, &ti, 2));
	EXPECT_EQ(3, ti.tcpi_reordering);
	EXPECT_EQ(0, ti.tcpi_ca_state);
	ASSERT_EQ(0, raw_peer_ack_all(&p, fd, s0 + 8000));
	ASSERT_EQ(0, xtcp_tcp_info(fd, &ti));
	EXPECT_EQ(8, ti.tcpi_reordering);
	EXPECT_EQ(0, ti.tcpi_total_retrans);
	ASSERT_EQ(0, enter_ns(self->a));
	EXPECT_EQ(0, xtcp_counter("RackLost"));
	EXPECT_EQ(0, xtcp_counter("FastRetrans"));
	xtcp_reset_close(fd);
	close(lfd);
	raw_peer_close(&p);
}

/* RACK-TLP */

/*
 * A tail loss is repaired by a tail loss probe (RFC 8985 7), not by the
 * timeout: of five segments the last is lost, and the hand-made peer
 * acknowledges the other four.  Nothing comes after it, so no SACK
 * can show it missing; two round trips later a sends it again (no new
 * data waits), before the RTO would expire.  The peer's ACK of it ends
 * the episode; the ACK of the next segment, beyond the probe, says the
 * probe repaired a loss: ssthresh falls once, without a recovery.
 */
TEST_F_TIMEOUT(linkx, tlp_repairs_tail_loss, 60)
{
	static const uint8_t more[1000];
	struct tcp_info ti, probed;
	struct raw_peer p;
	int lfd, fd;
	uint32_t s0;

	fd = linkx_peer_setup(self, false, &p, &lfd, &s0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, raw_peer_flight(&p, fd, s0, 5));
	p.h.ack = s0 + 4000;
	ASSERT_EQ(0, raw_peer_send(&p, p.h.seq, XTCP_FLAG_ACK, NULL, 0));
	ASSERT_EQ(0, raw_peer_wait_seq(&p, s0 + 4000));	/* the probe */
	ASSERT_EQ(0, raw_peer_ack_all(&p, fd, s0 + 5000));
	ASSERT_EQ(0, xtcp_tcp_info(fd, &probed));
	EXPECT_EQ(0, probed.tcpi_ca_state);
	EXPECT_EQ(0, probed.tcpi_lost);
	EXPECT_EQ(0, probed.tcpi_retrans);
	EXPECT_EQ(1, probed.tcpi_total_retrans);

	ASSERT_EQ(sizeof(more), write(fd, more, sizeof(more)));
	ASSERT_EQ(0, raw_peer_wait_seq(&p, s0 + 5000));
	ASSERT_EQ(0, raw_peer_ack_all(&p, fd, s0 + 6000));
	ASSERT_EQ(0, xtcp_tcp_info(fd, &ti));
	EXPECT_EQ(0, ti.tcpi_ca_state);
	EXPECT_GT(probed.tcpi_snd_ssthresh, ti.tcpi_snd_ssthresh);

	ASSERT_EQ(0, enter_ns(self->a));
	EXPECT_EQ(1, xtcp_counter("TLPProbes"));
	EXPECT_EQ(1, xtcp_counter("TLPRecovery"));
	EXPECT_EQ(0, xtcp_counter("Timeouts"));
	EXPECT_EQ(0, xtcp_counter("FastRetrans"));
	EXPECT_EQ(1, xtcp_counter("RetransSegs"));
	xtcp_reset_close(fd);
	close(lfd);
	raw_peer_close(&p);
}

/*
 * Tail loss probes go after a FIN too, as Linux 6.1 sends them in any
 * state: a writes five segments and shuts down its side, and the
 * hand-made peer acknowledges four.  The fifth and the FIN are the
 * tail; the probe, not the timeout, sends the last segment, the FIN,
 * again, and the peer's ACK of everything leaves a in FIN_WAIT2.
 */
TEST_F_TIMEOUT(linkx, tlp_after_fin, 60)
{
	struct raw_peer p;
	struct tcp_info ti;
	int lfd, fd;
	uint32_t s0;

	fd = linkx_peer_setup(self, false, &p, &lfd, &s0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, raw_peer_flight(&p, fd, s0, 5));
	ASSERT_EQ(0, shutdown(fd, SHUT_WR));
	ASSERT_EQ(0, raw_peer_wait_seq(&p, s0 + 5000));	/* the FIN */
	p.h.ack = s0 + 4000;
	ASSERT_EQ(0, raw_peer_send(&p, p.h.seq, XTCP_FLAG_ACK, NULL, 0));
	ASSERT_EQ(0, raw_peer_wait_seq(&p, s0 + 5000));	/* the probe */
	ASSERT_EQ(0, raw_peer_ack_all(&p, fd, s0 + 5001));
	ASSERT_EQ(0, xtcp_tcp_info(fd, &ti));
	EXPECT_EQ(TCP_FIN_WAIT2, ti.tcpi_state);
	EXPECT_EQ(0, ti.tcpi_ca_state);

	ASSERT_EQ(0, enter_ns(self->a));
	EXPECT_EQ(1, xtcp_counter("TLPProbes"));
	EXPECT_EQ(0, xtcp_counter("Timeouts"));
	EXPECT_EQ(1, xtcp_counter("RetransSegs"));
	xtcp_reset_close(fd);
	close(lfd);
	raw_peer_close(&p);
}

/*
 * A tail loss probe of new data is one segment (RFC 8985 7.3, as
 * Linux's tcp_send_loss_probe(), which cuts the skb to one MSS): a
 * writes 20 segments at once, its initial window lets 10 leave, and the
 * other 10 wait in one skb.  The hand-made peer stays silent: the probe
 * is the eleventh segment alone, and the next to come is the timeout's
 * copy of the first.
 */
TEST_F_TIMEOUT(linkx, tlp_new_data_is_one_segment, 60)
{
	static const uint8_t data[20000];
	struct xtcp_seg_hdr h;
	struct xtcp_opts o;
	struct tcp_info ti;
	struct raw_peer p;
	int lfd, fd, i;
	size_t dlen;
	uint32_t s0;

	fd = linkx_peer_setup(self, false, &p, &lfd, &s0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xtcp_tcp_info(fd, &ti));
	ASSERT_EQ(1000, ti.tcpi_snd_mss);
	ASSERT_EQ(10, ti.tcpi_snd_cwnd);
	ASSERT_EQ(0, xtcp_set_int(fd, IPPROTO_TCP, TCP_NODELAY, 1));
	ASSERT_EQ(sizeof(data), write(fd, data, sizeof(data)));
	for (i = 0; i <= 10; i++) {
		do {
			ASSERT_EQ(0, raw_peer_recv_data(&p, &h, &o, NULL, 0,
							&dlen));
		} while (!dlen);
		EXPECT_EQ(s0 + i * 1000, h.seq);
		EXPECT_EQ(1000, dlen);
	}
	do {
		ASSERT_EQ(0, raw_peer_recv_data(&p, &h, &o, NULL, 0, &dlen));
	} while (!dlen);
	EXPECT_EQ(s0, h.seq);	/* the timeout */
	EXPECT_EQ(1000, dlen);

	ASSERT_EQ(0, enter_ns(self->a));
	EXPECT_EQ(1, xtcp_counter("TLPProbes"));
	EXPECT_EQ(1, xtcp_counter("Timeouts"));
	EXPECT_EQ(1, xtcp_counter("RetransSegs"));
	xtcp_reset_close(fd);
	close(lfd);
	raw_peer_close(&p);
}

/*
 * Reordering within RACK's window is no loss: of five segments, the
 * third overtakes the second.  The peer SACKs the third, then at once
 * acknowledges up to the fourth (the second arrived): a quarter of the
 * minimum RTT had not passed, and a sends nothing again.
 */
TEST_F_TIMEOUT(linkx, rack_reordering_within_window, 60)
{
	static const uint32_t third[][2] = { { 1000, 2000 } };	/* from s0 + 1000 */
	struct raw_peer p;
	int lfd, fd;
	uint32_t s0;

	fd = linkx_peer_setup(self, false, &p, &lfd, &s0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, raw_peer_flight(&p, fd, s0, 5));
	p.h.ack = s0 + 1000;
	ASSERT_EQ(0, raw_peer_send(&p, p.h.seq, XTCP_FLAG_ACK, NULL, 0));
	ASSERT_EQ(0, raw_peer_sack(&p, s0 + 1000, third, 1));
	ASSERT_EQ(0, raw_peer_ack_all(&p, fd, s0 + 5000));

	ASSERT_EQ(0, enter_ns(self->a));
	EXPECT_EQ(0, xtcp_counter("RackLost"));
	EXPECT_EQ(0, xtcp_counter("FastRetrans"));
	EXPECT_EQ(0, xtcp_counter("RetransSegs"));
	xtcp_reset_close(fd);
	close(lfd);
	raw_peer_close(&p);
}

/*
 * Beyond the window, RACK marks exactly the missing segment lost: of
 * five segments the second is lost, and the peer SACKs the third only,
 * one segment, below DupThresh, which alone would wait for the RTO.
 * RACK's reordering timer expires a quarter of the minimum RTT later:
 * the second, sent before the third, is lost, a recovery begins and
 * sends it, and it alone, again.
 */
TEST_F_TIMEOUT(linkx, rack_marks_lost_beyond_window, 60)
{
	static const uint32_t third[][2] = { { 1000, 2000 } };	/* from s0 + 1000 */
	struct tcp_info ti;
	struct raw_peer p;
	int lfd, fd;
	uint32_t s0;

	fd = linkx_peer_setup(self, false, &p, &lfd, &s0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, raw_peer_flight(&p, fd, s0, 5));
	p.h.ack = s0 + 1000;
	ASSERT_EQ(0, raw_peer_send(&p, p.h.seq, XTCP_FLAG_ACK, NULL, 0));
	ASSERT_EQ(0, raw_peer_sack(&p, s0 + 1000, third, 1));
	ASSERT_EQ(0, raw_peer_wait_seq(&p, s0 + 1000));
	ASSERT_EQ(0, xtcp_tcp_info(fd, &ti));
	EXPECT_EQ(3, ti.tcpi_ca_state);
	EXPECT_EQ(1, ti.tcpi_lost);
	EXPECT_EQ(1, ti.tcpi_retrans);
	EXPECT_EQ(1, ti.tcpi_sacked);
	ASSERT_EQ(0, raw_peer_ack_all(&p, fd, s0 + 5000));

	ASSERT_EQ(0, enter_ns(self->a));
	EXPECT_EQ(1, xtcp_counter("RackLost"));
	EXPECT_EQ(1, xtcp_counter("RackReoTimeouts"));
	EXPECT_EQ(1, xtcp_counter("FastRetrans"));
	EXPECT_EQ(1, xtcp_counter("RetransSegs"));
	EXPECT_EQ(0, xtcp_counter("Timeouts"));
	EXPECT_EQ(0, xtcp_counter("TLPProbes"));
	xtcp_reset_close(fd);
	close(lfd);
	raw_peer_close(&p);
}

/*
 * A retransmission lost again is found by RACK, not by the timeout
 * (RFC 8985 6.2: the copy's own send time counts): of six segments the
 * second is lost and the next three SACKed, so it goes again at once.
 * That copy is lost too; a new segment written after it arrives and is
 * SACKed: the copy, sent before it, is lost, and goes a third time.
 */
TEST_F_TIMEOUT(linkx, rack_finds_lost_retransmission, 60)
{
	static const uint32_t after[][2] = { { 1000, 6000 } };	/* from s0 + 1000 */
	static const uint8_t more[1000];
	struct tcp_info ti;
	struct raw_peer p;
	int lfd, fd;
	uint32_t s0;

	fd = linkx_peer_setup(self, false, &p, &lfd, &s0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, raw_peer_flight(&p, fd, s0, 6));
	ASSERT_EQ(0, raw_peer_three_dupacks(&p, s0, 2000));
	ASSERT_EQ(0, raw_peer_wait_seq(&p, s0 + 1000));	/* lost again */
	ASSERT_EQ(0, xtcp_tcp_info(fd, &ti));
	EXPECT_EQ(3, ti.tcpi_ca_state);
	EXPECT_EQ(1, ti.tcpi_lost);
	EXPECT_EQ(1, ti.tcpi_retrans);

	ASSERT_EQ(sizeof(more), write(fd, more, sizeof(more)));
	ASSERT_EQ(0, raw_peer_wait_seq(&p, s0 + 6000));
	ASSERT_EQ(0, raw_peer_sack(&p, s0 + 1000, after, 1));
	ASSERT_EQ(0, raw_peer_wait_seq(&p, s0 + 1000));
	ASSERT_EQ(0, raw_peer_ack_all(&p, fd, s0 + 7000));

	ASSERT_EQ(0, enter_ns(self->a));
	EXPECT_EQ(2, xtcp_counter("RackLost"));
	EXPECT_EQ(1, xtcp_counter("FastRetrans"));
	EXPECT_EQ(2, xtcp_counter("RetransSegs"));
	EXPECT_EQ(0, xtcp_counter("Timeouts"));
	xtcp_reset_close(fd);
	close(lfd);
	raw_peer_close(&p);
}

TEST_HARNESS_MAIN
