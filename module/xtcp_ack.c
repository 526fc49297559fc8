// SPDX-License-Identifier: GPL-2.0
/*
 * What an incoming ACK does, in one place, as Linux's tcp_ack() with
 * tcp_sacktag_write_queue(), tcp_clean_rtx_queue() and the RTT
 * estimator beside it:
 *
 *  - acceptance (RFC 5961 section 5.2: an ACK number the peer could not
 *    have sent drops the segment; an old one moves nothing);
 *  - SACK blocks mark the write queue (RFC 2018), and a segment SACKed
 *    past ones sent after it measures the reordering;
 *  - what the ACK covers leaves the write queue, trimmed where it covers
 *    an skb in part, and gives an RTT sample (RFC 6298, Karn; RFC 7323);
 *  - the send window moves only with an acceptable ACK (RFC 9293's
 *    SND.WL1/SND.WL2 rule);
 *  - congestion control hears of it last (xtcp_cong.c).
 *
 * The state changes an ACK causes (SYN_RECV to ESTABLISHED, our FIN
 * acknowledged) stay with the state machine in xtcp_input.c.  Everything
 * here runs under the socket lock (rule 1 in xtcp.h).
 */
#include <linux/skbuff.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "xtcp.h"
#include "xtcp_sack.h"
#include "xtcp_seq.h"

/*
 * RFC 5961 section 5.2: an ACK number beyond what we sent is answered
 * with an ACK, one older than the peer could still be acknowledging
 * (MAX.SND.WND below snd_una, and never below the first byte we sent,
 * as Linux 6.1's tcp_ack()) with a challenge ACK; either way the
 * segment is dropped, its data with it (blind data injection needs a
 * believable ACK number too).  Returns whether to go on.
 */
static bool xtcp_ack_believable(struct sock *sk, const struct sk_buff *skb,
				const struct xtcp_seg_hdr *h)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (xtcp_seq_after(h->ack, xs->snd_nxt)) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_BADACKDROP);
		xtcp_send_oow_ack(sk, XTCP_SKB_CB(skb)->end_seq !=
				  XTCP_SKB_CB(skb)->seq);
		return false;
	}
	if (xtcp_seq_before(h->ack, xs->snd_una - min(xs->max_snd_wnd,
						      xs->bytes_acked))) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_BADACKDROP);
		xtcp_send_challenge_ack(sk);
		return false;
	}
	return true;
}

/* Window update rule of RFC 9293 section 3.10.7.4, fifth check. */
static void xtcp_update_window(struct xtcp_sock *xs,
			       const struct xtcp_seg_hdr *h)
{
	if (xtcp_seq_before(xs->snd_wl1, h->seq) ||
	    (xs->snd_wl1 == h->seq && !xtcp_seq_before(h->ack, xs->snd_wl2))) {
		xs->snd_wnd = (u32)h->window << xs->snd_wscale;
		xs->max_snd_wnd = max(xs->max_snd_wnd, xs->snd_wnd);
		xs->snd_wl1 = h->seq;
		xs->snd_wl2 = h->ack;
	}
}

/**
 * xtcp_check_reordering() - how far behind did a late segment fall?
 * @xs: socket, locked
 * @low_seq: the segment, sent once, delivered now below SACKed data
 *
 * The path reorders by as many segments as were SACKed above it
 * (Linux's tcp_check_sack_reordering()).
 */
void xtcp_check_reordering(struct xtcp_sock *xs, u32 low_seq)
{
	u32 dist;

	if (!xtcp_seq_before(low_seq, xs->sack_high))
		return;
	xs->reord_seen = true;
	dist = DIV_ROUND_UP(xs->sack_high - low_seq, xtcp_seg_size(xs));
	if (dist > xs->reordering)
		xs->reordering = min_t(u32, dist, XTCP_MAX_REORDERING);
}

/**
 * xtcp_take_sack() - mark the segments a SACK option reports received
 * @sk: socket, locked
 * @opt: options of an acceptable ACK, with %XTCP_OPTF_SACK
 * @ack: the ACK's cumulative acknowledgment, taken before the ACK
 *	advances snd_una
 *
 * Blocks that are not plausible (RFC 2018; outside what is in flight)
 * are ignored; a D-SACK block (RFC 2883) marks nothing, but may prove
 * the loss episode spurious (xtcp_cong_dsack()).  A marked segment is not sent
 * again in recovery (xtcp_cong.c); the timeout still sends the oldest.
 * One walk of the queue serves all the blocks; a queued skb of several
 * segments that a block covers in part is split at the segment boundary
 * nearest the block's edge on the side the block does not cover, so
 * that only whole segments are marked (splits of sent skbs are bounded
 * too: xtcp_fragment()).
 * sacked_out counts segments (xtcp_skb_cb.segs), not skbs.
 *
 * The oldest newly marked segment that was sent only once gives an RTT
 * sample, as in Linux's tcp_sacktag_write_queue(): on a lossy path
 * nearly every cumulative ACK covers a retransmission (Karn), and
 * without these samples the backoff of the timeouts would only grow.
 *
 * Such a segment below one SACKed before was not lost but overtaken:
 * the path reorders segments by that distance, and loss detection
 * waits for that many segments above a hole from now on, as Linux's
 * tcp_check_sack_reordering() (up to %XTCP_MAX_REORDERING), and RACK
 * keeps its reordering window (xtcp_rack_reo_wnd()).
 *
 * Every newly marked segment is delivered for RACK (xtcp_rack_advance());
 * one marked lost, or whose copy sent again was in flight, counts there
 * no more (lost_out, retrans_out), as in Linux's tcp_sacktag_one().
 *
 * Return: the segments newly marked (PRR's DeliveredData, with what the
 * cumulative ACK covers).
 */
u32 xtcp_take_sack(struct sock *sk, const struct xtcp_opts *opt, u32 ack)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 una = xtcp_seq_after(ack, xs->snd_una) ? ack : xs->snd_una;
	u32 high;
	struct xtcp_sack_block ok[XTCP_OPT_SACK_MAX];
	const struct xtcp_sack_block *b;
	struct sk_buff *skb, *sample = NULL;
	unsigned int i, n = 0;
	u32 len, seg, now, newly = 0;
	struct xtcp_skb_cb *cb;
	bool dsack;

	xtcp_assert_sock_locked(sk);
	seg = xtcp_seg_size(xs);
	dsack = xtcp_sack_is_dsack(opt->sack, opt->num_sacks, ack);
	for (i = 0; i < opt->num_sacks; i++) {
		b = &opt->sack[i];
		switch (xtcp_sack_validate(b, una, xs->snd_nxt,
					   xtcp_max_rcv_wnd(xs) << 1,
					   dsack && !i)) {
		case XTCP_SACK_OK:
			ok[n++] = *b;
			break;
		case XTCP_SACK_DUP:
			xtcp_cong_dsack(sk, b->start, b->end, una);
			break;
		case XTCP_SACK_BAD:
			break;
		}
	}
	if (!n)
		return 0;
	now = xtcp_clock_us();
	/* What is below snd_una is not in flight any more. */
	if (!xtcp_seq_after(xs->sack_high, una))
		xs->sack_high = una;
	high = xs->sack_high;
	skb_queue_walk(&sk->sk_write_queue, skb) {
		if (skb == xs->send_head)
			break;
		cb = XTCP_SKB_CB(skb);
		if (cb->sacked)
			continue;
		/* The part after a cut is the next skb of this walk. */
		len = xtcp_sack_cut(ok, n, cb->seq, cb->end_seq) - cb->seq;
		if (len < skb->len) {
			/*
			 * Cut between segments only, as Linux's
			 * tcp_match_skb_to_sack(): a part of a segment
			 * is never marked, and a peer SACKing odd bytes
			 * cannot make an skb of each (CVE-2019-11477).
			 */
			if (len < seg ||
			    !xtcp_sack_covered(ok, n, cb->seq, cb->seq + len))
				len = roundup(len, seg);
			else
				len = rounddown(len, seg);
			if (len < skb->len && xtcp_fragment(sk, skb, len))
				continue;
		}
		if (xtcp_sack_covered(ok, n, cb->seq, cb->end_seq)) {
			xtcp_rack_advance(&xs->rack, cb->xmit_us, cb->end_seq,
					  now, cb->rexmit, xs->rtt.min_rtt_us);
			xtcp_skb_unmark(xs, skb);
			cb->sacked = 1;
			xs->sacked_out += cb->segs;
			newly += cb->segs;
			if (!sample && !cb->rexmit)
				sample = skb;
			if (xtcp_seq_after(cb->end_seq, high))
				high = cb->end_seq;
		}
	}
	if (sample) {
		xtcp_rtt_measure(xs, XTCP_SKB_CB(sample)->sent_us);
		xtcp_check_reordering(xs, XTCP_SKB_CB(sample)->seq);
	}
	xs->sack_high = high;
	return newly;
}

static void xtcp_count_add(u32 *count, int delta)
{
	*count = delta < 0 && *count < (u32)-delta ? 0 : *count + delta;
}

/**
 * xtcp_pcount_add() - the segments of a sent skb changed in number
 * @xs: socket, locked
 * @skb: a sent skb of the write queue
 * @delta: segments it gained (a split's rounding) or lost (acknowledged)
 *
 * packets_out, and sacked_out, lost_out and retrans_out as @skb is
 * SACKed, lost or sent again, count segments (xtcp_skb_cb.segs), as
 * Linux's tcp_adjust_pcount(); never below zero.
 */
void xtcp_pcount_add(struct xtcp_sock *xs, const struct sk_buff *skb,
		     int delta)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

	if (cb->sacked)
		xtcp_count_add(&xs->sacked_out, delta);
	if (cb->lost)
		xtcp_count_add(&xs->lost_out, delta);
	if (cb->retrans)
		xtcp_count_add(&xs->retrans_out, delta);
	xtcp_count_add(&xs->packets_out, delta);
}

/**
 * xtcp_skb_unmark() - a sent skb is neither lost nor being sent again
 * @xs: socket, locked
 * @skb: a sent skb of the write queue
 *
 * The peer holds it (SACK), or an undo said it was never lost; its
 * segments leave lost_out and retrans_out.
 */
void xtcp_skb_unmark(struct xtcp_sock *xs, struct sk_buff *skb)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

	if (cb->lost)
		xtcp_count_add(&xs->lost_out, -(int)cb->segs);
	if (cb->retrans)
		xtcp_count_add(&xs->retrans_out, -(int)cb->segs);
	cb->lost = 0;
	cb->retrans = 0;
}

/*
 * Drop the first @len bytes of @skb's payload, which the peer
 * acknowledged, as TCP's tcp_trim_head(): their page references go,
 * and their memory with them.  Returns the segments that left the
 * flight with them, 0 when @skb could not be trimmed (it stays whole
 * until all of it is acknowledged).
 */
static u32 xtcp_trim_acked(struct sock *sk, struct sk_buff *skb, u32 len)
{
	u32 eat = len, head = min(len, skb_headlen(skb));
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct skb_shared_info *shinfo;
	u32 before = cb->segs, size;
	int i, k = 0;

	/*
	 * A clone in flight shares the page table edited below.  The
	 * private copy keeps the truesize charged, as in Linux's
	 * tcp_trim_head(): nothing more to charge here.
	 */
	if (xtcp_unclone_keeptruesize(skb, GFP_ATOMIC))
		return 0;
	shinfo = skb_shinfo(skb);	/* the private copy's */
	__skb_pull(skb, head);
	eat -= head;
	for (i = 0; i < shinfo->nr_frags; i++) {
		size = skb_frag_size(&shinfo->frags[i]);
		if (size <= eat) {
			skb_frag_unref(skb, i);
			eat -= size;
			continue;
		}
		shinfo->frags[k] = shinfo->frags[i];
		if (eat) {
			skb_frag_off_add(&shinfo->frags[k], eat);
			skb_frag_size_sub(&shinfo->frags[k], eat);
			eat = 0;
		}
		k++;
	}
	shinfo->nr_frags = k;
	skb->data_len -= len - head;
	skb->len -= len - head;
	skb->truesize -= len - head;
	sk_wmem_queued_add(sk, -(int)(len - head));
	sk_mem_uncharge(sk, len - head);
	cb->seq += len;
	cb->segs = min_t(u32, before,
			 xtcp_skb_segs(skb->len, xtcp_seg_size(xtcp_sk(sk))));
	xtcp_pcount_add(xtcp_sk(sk), skb, (int)cb->segs - (int)before);
	return before - cb->segs;
}

/**
 * xtcp_clean_acked() - free what the peer acknowledged
 * @sk: socket, locked, with snd_una just advanced
 * @prior_fack: the highest sequence number SACKed before the ACK, or
 *	snd_una before it if none
 *
 * Whole skbs are freed; one acknowledged in part is trimmed.  The ACK
 * gives an RTT sample, timed from the oldest skb it covers, unless one
 * of them was retransmitted (Karn; Linux's FLAG_RETRANS_DATA_ACKED):
 * then from the timestamp it echoed, if the connection uses them.
 * Each skb it covers is delivered for RACK (xtcp_rack_advance()).  An
 * skb sent once and never SACKed that lay below data SACKed before this
 * ACK arrived late: the path reorders that far (Linux's
 * tcp_clean_rtx_queue(), "non-retransmitted hole got filled").
 *
 * Return: the number of segments acknowledged.
 */
u32 xtcp_clean_acked(struct sock *sk, u32 prior_fack)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 sent_us = 0, acked = 0, now = xtcp_clock_us();
	u32 reord = xs->snd_nxt;
	bool sample = true, freed = false;
	struct xtcp_skb_cb *cb;
	struct sk_buff *skb;

	xtcp_assert_sock_locked(sk);
	while ((skb = skb_peek(&sk->sk_write_queue))) {
		cb = XTCP_SKB_CB(skb);
		if (xtcp_seq_after(cb->end_seq, xs->snd_una) &&
		    !xtcp_seq_after(xs->snd_una, cb->seq))
			break;
		if (!freed)
			sent_us = cb->sent_us;
		if (!cb->sacked)
			xtcp_rack_advance(&xs->rack, cb->xmit_us,
					  xtcp_seq_after(cb->end_seq, xs->snd_una) ?
					  xs->snd_una : cb->end_seq,
					  now, cb->rexmit, xs->rtt.min_rtt_us);
		if (cb->rexmit)
			sample = false;
		else if (!cb->sacked && xtcp_seq_before(cb->seq, reord))
			reord = cb->seq;
		freed = true;
		if (xtcp_seq_after(cb->end_seq, xs->snd_una)) {
			acked += xtcp_trim_acked(sk, skb, xs->snd_una - cb->seq);
			break;
		}
		/* Nobody acknowledges what was never sent. */
		WARN_ON_ONCE(skb == xs->send_head);
		xtcp_pcount_add(xs, skb, -(int)cb->segs);
		acked += cb->segs;
		__skb_unlink(skb, &sk->sk_write_queue);
		xtcp_wmem_free_skb(sk, skb);
	}
	if (!freed)
		return 0;
	if (xtcp_seq_before(reord, prior_fack))
		xtcp_check_reordering(xs, reord);
	if (sample)
		xtcp_rtt_measure(xs, sent_us);
	else if (xs->rcv_tsecr)
		xtcp_rtt_measure_ts(xs, xs->rcv_tsecr);
	xs->retransmits = 0;
	if (xs->snd_una == xs->snd_nxt)
		sk_stop_timer(sk, &xs->rtx_timer);
	else
		xtcp_reset_rtx_timer(sk, xtcp_rto(xs));
	if (sk->sk_socket && test_bit(SOCK_NOSPACE, &sk->sk_socket->flags))
		xtcp_sndbuf_expand(sk);
	sk->sk_write_space(sk);
	return acked;
}

/**
 * xtcp_rtt_measure() - fold in the RTT of a segment acknowledged now
 * @xs: socket, locked
 * @sent_us: xtcp_clock_us() when the segment, sent only once, left
 *
 * A valid sample ends the backoff (Karn, RFC 6298 section 5).  Like Linux, a
 * sample is at least 1 us, so that a measured RTT is never 0.
 */
void xtcp_rtt_measure(struct xtcp_sock *xs, u32 sent_us)
{
	u32 rtt = max_t(u32, xtcp_clock_us() - sent_us, 1);

	xtcp_assert_sock_locked(&xs->inet.sk);
	xtcp_rtt_sample(&xs->rtt, rtt, jiffies_to_usecs(1), XTCP_RTO_MIN_US,
			XTCP_RTO_MAX_US);
	xs->backoff = 0;
}

/**
 * xtcp_rtt_measure_ts() - an RTT sample from an echoed timestamp
 * @xs: socket, locked, with timestamps in use
 * @tsecr: the timestamp an ACK of new data echoed
 *
 * RFC 7323 section 4: the echo tells which transmission the ACK
 * answers, so that this sample is valid even when the data was sent
 * more than once, as Linux's tcp_rtt_tsopt_us(): a timeout's backoff
 * ends with the first ACK of what it sent again.  Milliseconds only.
 */
void xtcp_rtt_measure_ts(struct xtcp_sock *xs, u32 tsecr)
{
	s32 ms = xtcp_ts_clock(xs->ts_offset) - tsecr;

	xtcp_assert_sock_locked(&xs->inet.sk);
	/* An echo from the future, or older than any RTO: not ours. */
	if (ms < 0 || (u32)ms > XTCP_RTO_MAX_US / USEC_PER_MSEC)
		return;
	xtcp_rtt_measure(xs, xtcp_clock_us() - ms * USEC_PER_MSEC);
}

/**
 * xtcp_ack_rcvd() - an acceptable ACK arrived: the peer is alive
 * @sk: socket, locked
 * @ack: its acknowledgment number
 *
 * Resets the idle time of keepalive and the count of unanswered
 * probes, as Linux's tcp_ack() does for an ACK that is not older than
 * snd_una.
 */
void xtcp_ack_rcvd(struct sock *sk, u32 ack)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xtcp_assert_sock_locked(sk);
	if ((s32)(ack - xs->snd_una) < 0)
		return;
	xs->rcv_tstamp = jiffies;
	xs->probes_out = 0;
}

/**
 * xtcp_ack() - process the acknowledgment of a segment
 * @sk: socket, locked, in a synchronized state
 * @skb: the segment
 * @h: its header
 *
 * Return: false when the segment must be dropped (an ACK number nobody
 * should have sent); true to go on with its data, also when the ACK
 * was old and moved nothing.
 */
bool xtcp_ack(struct sock *sk, struct sk_buff *skb,
	      const struct xtcp_seg_hdr *h)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 acked = 0, sacked = 0, prior_una, prior_fack;
	bool dupack;

	xtcp_assert_sock_locked(sk);
	if (!xtcp_ack_believable(sk, skb, h))
		return false;
	/* Old, but believable: its data counts, its ACK and window do not
	 * (RFC 9293 3.10.7.4: the window only from SND.UNA =< SEG.ACK).
	 */
	if (xtcp_seq_before(h->ack, xs->snd_una))
		return true;
	dupack = xtcp_dupack(h->ack, xs->snd_una, xs->snd_nxt,
			     skb->len - h->doff,
			     h->flags & (XTCP_FLAG_SYN | XTCP_FLAG_FIN),
			     (u32)h->window << xs->snd_wscale, xs->snd_wnd);
	prior_fack = xtcp_seq_after(xs->sack_high, xs->snd_una) ?
		     xs->sack_high : xs->snd_una;
	if (xs->sack_ok && (h->opt.present & XTCP_OPTF_SACK))
		sacked = xtcp_take_sack(sk, &h->opt, h->ack);
	xtcp_ack_rcvd(sk, h->ack);
	prior_una = xs->snd_una;
	if (xtcp_seq_after(h->ack, xs->snd_una)) {
		xs->bytes_acked = min_t(u64, (u64)xs->bytes_acked +
					(h->ack - xs->snd_una), U32_MAX);
		xs->snd_una = h->ack;
		xs->una_tstamp = jiffies;
		acked = xtcp_clean_acked(sk, prior_fack);
	}
	xtcp_update_window(xs, h);
	xtcp_cong_on_ack(sk, prior_una, acked, sacked, dupack);
	return true;
}
