// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp receive path: the handler IP calls, in softirq context, for every
 * datagram carrying xtcp's protocol number, and the state machine of
 * RFC 9293 section 3.10.7 ("SEGMENT ARRIVES") for sockets.
 *
 * Segments are validated here (length, data offset, checksum over the
 * pseudo-header with xtcp's own protocol number), then looked up in this
 * order: a connected socket, a TIME_WAIT entry, a listener.  Connected
 * sockets process segments under their socket lock, or queue them on the
 * backlog when the user owns the socket; listeners and TIME_WAIT entries
 * have their own locks (rules 1, 3 and 5 in xtcp.h).
 */
#include <linux/ip.h>
#include <linux/skbuff.h>
#include <linux/filter.h>
#include <net/icmp.h>
#include <net/ip6_checksum.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/sock.h>
#include <net/tcp_states.h>
#include <net/xfrm.h>

#include "xtcp.h"
#include "xtcp_fsm.h"
#include "xtcp_seq.h"
#include "xtcp_trace.h"

/*
 * The timestamp option of an acceptable segment (RFC 7323 section 4.3):
 * the echo, for the RTT sample of the ACK; the peer's clock, to echo
 * back, from a segment that starts no later than what we acknowledged
 * last, and never older than the one kept.  A segment without one (a
 * peer may leave it out of a RST) changes nothing.
 */
static void xtcp_take_ts(struct xtcp_sock *xs, const struct xtcp_seg_hdr *h)
{
	const struct xtcp_opts *o = &h->opt;

	xs->rcv_tsecr = 0;
	if (!xs->tstamp_ok || !(o->present & XTCP_OPTF_TS))
		return;
	xs->rcv_tsecr = o->tsecr;
	if (!xtcp_seq_after(h->seq, xs->rcv_wup) &&
	    (s32)(o->tsval - xs->ts_recent) >= 0)
		xs->ts_recent = o->tsval;
}

/* A RST the sequence check let through: the connection is gone. */
static void xtcp_rcv_reset(struct sock *sk)
{
	int err;

	switch (sk->sk_state) {
	case TCP_SYN_SENT:
		err = ECONNREFUSED;
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ATTEMPTFAILS);
		break;
	case TCP_CLOSE_WAIT:
		err = EPIPE;
		break;
	case TCP_CLOSE:
		return;
	default:
		err = ECONNRESET;
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ESTABRESETS);
	}
	WRITE_ONCE(sk->sk_err, err);
	/* Pairs with smp_rmb() in xtcp_poll(). */
	smp_wmb();
	xtcp_done(sk, XTCP_EV_RCV_RST);
	/*
	 * Woken only now, a poller finds the connection closed as well as
	 * failed (EPOLLHUP with EPOLLERR), as after Linux's tcp_reset().
	 */
	if (!sock_flag(sk, SOCK_DEAD))
		sk_error_report(sk);
}

/*
 * RFC 5961 section 3.2: a RST in the window resets the connection only
 * at exactly rcv_nxt; anywhere else in it, the peer is asked to confirm
 * with a challenge ACK, which a blind attacker never sees.
 */
static void xtcp_rcv_rst(struct sock *sk, u32 seq)
{
	if (seq == xtcp_sk(sk)->rcv_nxt)
		xtcp_rcv_reset(sk);
	else
		xtcp_send_challenge_ack(sk);
}

/* Take in the peer's SYN: its sequence space, window and MSS. */
static void xtcp_take_syn(struct sock *sk, struct sk_buff *skb,
			  const struct xtcp_seg_hdr *h)
{
	const struct xtcp_opts *o = &h->opt;
	struct xtcp_sock *xs = xtcp_sk(sk);
	u16 mss = o->present & XTCP_OPTF_MSS ? o->mss : 0;

	/* RFC 7323 section 2.2: scaling needs the option in both SYNs. */
	xs->wscale_ok = !!(o->present & XTCP_OPTF_WSCALE);
	xs->snd_wscale = xs->wscale_ok ? o->wscale : 0;
	if (!xs->wscale_ok)
		xs->rcv_wscale = 0;
	xs->sack_ok = !!(o->present & XTCP_OPTF_SACK_PERM);
	/* RFC 7323 section 3.2: used when both SYNs carry it. */
	xs->tstamp_ok = xs->tstamp_ok && (o->present & XTCP_OPTF_TS);
	xs->ts_recent = xs->tstamp_ok ? o->tsval : 0;
	xs->rcv_tsecr = xs->tstamp_ok ? o->tsecr : 0;
	xs->irs = h->seq;
	xs->rcv_nxt = h->seq + 1;
	xs->rcv_wup = xs->rcv_nxt;
	xs->copied_seq = xs->rcv_nxt;
	mss = min_t(u16, mss ? : XTCP_MSS_DEFAULT, xs->advmss);
	xs->mss = xtcp_snd_mss_floor(sk, mss);
	xs->snd_wnd = h->window;
	xs->max_snd_wnd = xs->snd_wnd;
	xs->bytes_acked = 0;
	xs->snd_wl1 = h->seq;
	xs->snd_wl2 = h->ack;
}

/* The state machine's answer to @ev; the callers act on it. */
static int xtcp_next(const struct sock *sk, enum xtcp_event ev)
{
	bool send_fin;

	return xtcp_fsm_next(sk->sk_state, ev, &send_fin);
}

static void xtcp_established(struct sock *sk, enum xtcp_event ev)
{
	xtcp_transition(sk, ev);
	xtcp_cong_start(sk);
	/*
	 * Room for two initial windows from the start, as Linux's
	 * tcp_init_buffer_space(): a flow the peer's window holds below
	 * cwnd from its first RTT on, or whose cwnd a timeout cut to what
	 * is in flight, would otherwise never find cwnd free when its
	 * writer waits, and keep the default buffer.
	 */
	xtcp_sndbuf_expand(sk);
	sk->sk_state_change(sk);
	sk_wake_async(sk, SOCK_WAKE_IO, POLL_OUT);
}

/* RFC 9293 section 3.10.7.3: SYN_SENT. */
static void xtcp_rcv_syn_sent(struct sock *sk, struct sk_buff *skb,
			      const struct xtcp_seg_hdr *h)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	bool ack = h->flags & XTCP_FLAG_ACK;

	if (ack && (!xtcp_seq_after(h->ack, xs->iss) ||
		    xtcp_seq_after(h->ack, xs->snd_nxt))) {
		xtcp_send_reset_reply(sock_net(sk), skb, h);
		return;
	}
	if (h->flags & XTCP_FLAG_RST) {
		if (ack)
			xtcp_rcv_reset(sk);
		return;
	}
	if (!(h->flags & XTCP_FLAG_SYN))
		return;
	/*
	 * RFC 6191 on a 4-tuple taken from TIME_WAIT: a peer sequence space
	 * that overlaps the old connection's could take in its old
	 * duplicates.  Dropped, as Linux drops a SYN-ACK that fails PAWS.
	 */
	if (xs->reuse_seq_check &&
	    !xtcp_seq_after(h->seq, xs->reuse_rcv_nxt)) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_TWREUSESEQREJECT);
		return;
	}

	xtcp_take_syn(sk, skb, h);
	if (ack) {
		xs->snd_una = h->ack;
		/* Only our SYN was in flight: nothing SACKed above it. */
		xtcp_clean_acked(sk, xs->iss);
		xtcp_established(sk, XTCP_EV_RCV_SYNACK);
		xtcp_send_ack(sk);
		return;
	}
	/* Simultaneous open: our SYN crossed theirs.  Answer with our SYN,
	 * now carrying an ACK, and wait for theirs to be acknowledged.
	 */
	xtcp_transition(sk, XTCP_EV_RCV_SYN);
	skb = skb_peek(&sk->sk_write_queue);
	xtcp_transmit_skb(sk, skb);
	XTCP_SKB_CB(skb)->rexmit = 1;
	xtcp_reset_rtx_timer(sk, xtcp_rto(xs));
}

/* Has the peer acknowledged our FIN? */
static bool xtcp_fin_acked(const struct sock *sk)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);

	return (sk->sk_shutdown & SEND_SHUTDOWN) &&
	       xs->snd_una == xs->write_seq;
}

/*
 * Fifth check: the acknowledgment.  Returns false when the segment must
 * be dropped (or the socket is gone).
 */
static bool xtcp_rcv_ack(struct sock *sk, struct sk_buff *skb,
			 const struct xtcp_seg_hdr *h)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (sk->sk_state == TCP_SYN_RECV) {
		if (!xtcp_seq_after(h->ack, xs->snd_una) ||
		    xtcp_seq_after(h->ack, xs->snd_nxt)) {
			xtcp_send_reset_reply(sock_net(sk), skb, h);
			return false;
		}
		xtcp_established(sk, XTCP_EV_RCV_ACK_OF_SYN);
	}
	if (!xtcp_ack(sk, skb, h))
		return false;
	/* Old, but believable: its data counts, nothing else (xtcp_ack()). */
	if (xtcp_seq_before(h->ack, xs->snd_una))
		return true;

	if ((1 << sk->sk_state) &
	    (TCPF_FIN_WAIT1 | TCPF_CLOSING | TCPF_LAST_ACK) &&
	    xtcp_fin_acked(sk)) {
		switch (xtcp_next(sk, XTCP_EV_FIN_ACKED)) {
		case TCP_FIN_WAIT2:
			xtcp_transition(sk, XTCP_EV_FIN_ACKED);
			if (sock_flag(sk, SOCK_DEAD))
				xtcp_arm_fin_timeout(sk);
			sk->sk_state_change(sk);
			break;
		case TCP_TIME_WAIT:
			xtcp_transition(sk, XTCP_EV_FIN_ACKED);
			xtcp_time_wait(sk);
			return false;
		case TCP_CLOSE:
			xtcp_done(sk, XTCP_EV_FIN_ACKED);
			return false;
		}
	}
	xtcp_push(sk);
	return true;
}

/* Eighth check: the peer's FIN, once everything before it arrived. */
static void xtcp_rcv_fin(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xs->rcv_nxt++;
	WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | RCV_SHUTDOWN);
	sock_set_flag(sk, SOCK_DONE);

	if (xtcp_next(sk, XTCP_EV_RCV_FIN) == TCP_TIME_WAIT) {
		xtcp_send_ack(sk);
		xtcp_transition(sk, XTCP_EV_RCV_FIN);
		xtcp_time_wait(sk);
		return;
	}
	/* CLOSE_WAIT, or CLOSING when our FIN is not acknowledged yet
	 * (simultaneous close).
	 */
	xtcp_transition(sk, XTCP_EV_RCV_FIN);
	xtcp_send_ack(sk);
	if (!sock_flag(sk, SOCK_DEAD)) {
		sk->sk_state_change(sk);
		sk_wake_async(sk, SOCK_WAKE_WAITD, POLL_HUP);
	}
}

/* New data arriving after the user closed: nobody will read it (RFC
 * 9293 section 3.10.4 leaves it open; Linux resets, and so do we).  A
 * duplicate of what came before is no reason.
 */
static bool xtcp_data_after_close(struct sock *sk, u32 seq, u32 payload)
{
	if (!payload || !sock_flag(sk, SOCK_DEAD) ||
	    !((1 << sk->sk_state) & (TCPF_FIN_WAIT1 | TCPF_FIN_WAIT2)) ||
	    !xtcp_seq_after(seq + payload, xtcp_sk(sk)->rcv_nxt))
		return false;
	xtcp_send_active_reset(sk, GFP_ATOMIC);
	xtcp_done(sk, XTCP_EV_ABORT);
	return true;
}

/*
 * RFC 9293 figure 8, line 6: in a simultaneous open the peer answers our
 * SYN with its own SYN again, now carrying the ACK of ours.  Its
 * sequence number is below the window (the SYN was taken already), but
 * its acknowledgment completes the handshake.
 */
static bool xtcp_rcv_crossed_synack(struct sock *sk, struct sk_buff *skb,
				    const struct xtcp_seg_hdr *h)
{
	u8 flags = h->flags & (XTCP_FLAG_SYN | XTCP_FLAG_ACK | XTCP_FLAG_RST);

	if (sk->sk_state != TCP_SYN_RECV ||
	    flags != (XTCP_FLAG_SYN | XTCP_FLAG_ACK) ||
	    h->seq != xtcp_sk(sk)->irs)
		return false;
	xtcp_rcv_ack(sk, skb, h);
	return true;
}

/* RFC 9293 section 3.10.7.4: every state after SYN_SENT. */
static void xtcp_rcv_synchronized(struct sock *sk, struct sk_buff *skb,
				  const struct xtcp_seg_hdr *h)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 payload = skb->len - h->doff;
	bool h_fin = h->flags & XTCP_FLAG_FIN;
	u32 fin_seq = cb->end_seq - 1;
	bool queued = false, in_order;

	if (xtcp_rcv_crossed_synack(sk, skb, h))
		goto drop;
	/* RFC 9293 section 3.10.7.4, first check: is it in the window? */
	if (!xtcp_seq_acceptable(cb->seq, cb->end_seq - cb->seq, xs->rcv_nxt,
				 xtcp_rcv_wnd_left(xs)) &&
	    !xtcp_seq_late_acceptable(cb->seq, cb->end_seq, xs->rcv_nxt,
				      xs->rcv_wup)) {
		if (h->flags & XTCP_FLAG_RST)
			goto drop;
		/*
		 * Data received before, again: a D-SACK block tells the
		 * sender (RFC 2883), as Linux's tcp_send_dupack(), so that
		 * it can undo a recovery the copy was sent for.
		 */
		if (payload && xs->sack_ok &&
		    xtcp_seq_before(cb->seq, xs->rcv_nxt))
			xtcp_sack_set_dsack(&xs->sack, cb->seq,
					    xtcp_seq_before(cb->seq + payload,
							    xs->rcv_nxt) ?
					    cb->seq + payload : xs->rcv_nxt);
		xtcp_send_oow_ack(sk, cb->end_seq != cb->seq &&
				  !(h->flags & XTCP_FLAG_SYN));
		goto drop;
	}
	if (h->flags & XTCP_FLAG_RST) {
		xtcp_rcv_rst(sk, cb->seq);
		goto drop;
	}
	xtcp_take_ts(xs, h);
	if (h->flags & XTCP_FLAG_SYN) {
		/* RFC 9293 (after RFC 5961 section 4): a challenge ACK. */
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_SYNCHALLENGE);
		xtcp_send_challenge_ack(sk);
		goto drop;
	}
	if (!(h->flags & XTCP_FLAG_ACK) || !xtcp_rcv_ack(sk, skb, h))
		goto drop;
	if (xtcp_data_after_close(sk, cb->seq, payload))
		goto drop;

	/* A segment out of order, or filling a hole, is acknowledged at once. */
	in_order = cb->seq == xs->rcv_nxt && skb_queue_empty(&xs->ooo_queue);
	if (payload &&
	    ((1 << sk->sk_state) &
	     (TCPF_ESTABLISHED | TCPF_FIN_WAIT1 | TCPF_FIN_WAIT2)))
		queued = xtcp_queue_data(sk, skb, h->doff);

	/*
	 * A FIN above a hole waits for the hole to fill, as in Linux's
	 * tcp_data_queue_ofo(): with a path that reorders, the peer would
	 * otherwise find it lost only by its retransmission timeout, since
	 * no SACK block reports a FIN.
	 */
	if (h_fin && xtcp_seq_after(fin_seq, xs->rcv_nxt) &&
	    ((1 << sk->sk_state) &
	     (TCPF_ESTABLISHED | TCPF_FIN_WAIT1 | TCPF_FIN_WAIT2))) {
		xs->ooo_fin_seq = fin_seq;
		xs->ooo_fin = true;
	}
	if (xs->ooo_fin && xs->ooo_fin_seq == xs->rcv_nxt) {
		fin_seq = xs->rcv_nxt;
		h_fin = true;
	}
	if (h_fin && fin_seq == xs->rcv_nxt &&
	    ((1 << sk->sk_state) &
	     (TCPF_SYN_RECV | TCPF_ESTABLISHED | TCPF_FIN_WAIT1 |
	      TCPF_FIN_WAIT2))) {
		xs->ooo_fin = false;
		xtcp_rcv_fin(sk);
	} else if (queued && in_order && !(h->flags & XTCP_FLAG_FIN)) {
		xtcp_ack_delayed(sk);
	} else if (payload || (h->flags & XTCP_FLAG_FIN)) {
		xtcp_send_ack(sk);
	}
drop:
	if (!queued)
		kfree_skb(skb);
}

/**
 * xtcp_do_rcv() - process one segment for a connected socket
 * @sk: socket, locked by the caller (bh_lock_sock() or lock_sock())
 * @skb: the segment, header at skb->data, checksum verified and
 *	XTCP_SKB_CB() filled in
 *
 * This is also xtcp_prot.backlog_rcv.  Consumes @skb.
 *
 * Return: 0.
 */
int xtcp_do_rcv(struct sock *sk, struct sk_buff *skb)
{
	struct sk_buff *opt_skb;
	struct xtcp_seg_hdr h;

	xtcp_assert_sock_locked(sk);
	if (xtcp_hdr_decode(&h, skb->data, skb->len))
		goto drop;
	xtcp_hdr_decode_opts(&h, skb->data);

	switch (sk->sk_state) {
	case TCP_SYN_SENT:
		xtcp_rcv_syn_sent(sk, skb, &h);
		break;
	case TCP_CLOSE:
	case TCP_LISTEN:
		/* Closed while the segment waited for the lock. */
		xtcp_send_reset_reply(sock_net(sk), skb, &h);
		break;
	default:
		opt_skb = xtcp_v6_opt_clone(sk, skb);
		xtcp_rcv_synchronized(sk, skb, &h);
		if (opt_skb)
			xtcp_v6_pktoptions(sk, opt_skb);
		return 0;
	}
drop:
	kfree_skb(skb);
	return 0;
}

static bool xtcp_csum_bad(struct sk_buff *skb)
{
	if (skb->protocol == htons(ETH_P_IP))
		return skb_checksum_init(skb, xtcp_protocol,
					 inet_compute_pseudo) ||
		       skb_checksum_complete(skb);
	return skb_checksum_init(skb, xtcp_protocol, ip6_compute_pseudo) ||
	       skb_checksum_complete(skb);
}

static void xtcp_fill_cb(struct sk_buff *skb, const struct xtcp_seg_hdr *h)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

	cb->seq = h->seq;
	cb->end_seq = h->seq + skb->len - h->doff +
		      !!(h->flags & XTCP_FLAG_SYN) +
		      !!(h->flags & XTCP_FLAG_FIN);
	cb->flags = h->flags;
}

/**
 * xtcp_rcv_or_backlog() - process a segment on a socket now, or backlog it
 * @sk: a connected socket; the caller's reference is consumed
 * @skb: the segment, as xtcp_do_rcv() takes it; consumed
 *
 * Softirq context.  While the user owns the socket the segment waits on
 * the backlog for release_sock().  The backlog may hold about a send and
 * a receive buffer on top of what is queued already, as TCP allows:
 * counting only the receive buffer would drop in-window segments
 * whenever the reader holds the lock with a nearly full queue.
 */
void xtcp_rcv_or_backlog(struct sock *sk, struct sk_buff *skb)
{
	u32 limit;

	nf_reset_ct(skb);
	bh_lock_sock_nested(sk);
	if (!sock_owned_by_user(sk)) {
		xtcp_do_rcv(sk, skb);
	} else {
		/*
		 * sk_add_backlog() keeps the route only if it can take a
		 * reference: segments from the backlog have none, always,
		 * so that their processing never depends on that chance.
		 */
		skb_dst_drop(skb);
		limit = READ_ONCE(sk->sk_rcvbuf) + READ_ONCE(sk->sk_sndbuf) +
			65536;
		if (sk_add_backlog(sk, skb, limit)) {
			atomic_inc(&sk->sk_drops);
			kfree_skb(skb);
		}
	}
	bh_unlock_sock(sk);
	sock_put(sk);
}

/* Filter @skb, then process it on @sk or backlog it; consumes both. */
static int xtcp_deliver(struct sock *sk, struct sk_buff *skb,
			unsigned int doff)
{
	bool pass = skb->protocol == htons(ETH_P_IP) ?
		    xfrm4_policy_check(sk, XFRM_POLICY_IN, skb) :
		    xfrm6_policy_check(sk, XFRM_POLICY_IN, skb);

	if (!pass || sk_filter_trim_cap(sk, skb, doff)) {
		sock_put(sk);
		kfree_skb(skb);
		return 0;
	}
	xtcp_rcv_or_backlog(sk, skb);
	return 0;
}

/* No connected socket: TIME_WAIT, then listeners, then a reset. */
static int xtcp_rcv_unconnected(struct net *net, struct sk_buff *skb,
				const struct xtcp_seg_hdr *h)
{
	int dif = xtcp_skb_iif(skb), sdif = xtcp_skb_sdif(skb);
	struct in6_addr saddr, daddr;
	struct sock *sk, *child;
	int err;

	if (xtcp_tw_rcv(net, skb, h) == XTCP_TW_DONE)
		return 0;
	xtcp_skb_addrs(skb, &saddr, &daddr);
	sk = xtcp_lookup_listener6(net, &daddr, h->dport, dif, sdif);
	if (!sk) {
		XTCP_INC_STATS(net, XTCP_MIB_INNOSOCKET);
		goto reset;
	}
	err = xtcp_listen_rcv(sk, skb, h);
	if (err != -EAGAIN) {
		sock_put(sk);
		return 0;
	}
	/* A child may have been created since the first lookup. */
	child = xtcp_lookup6(net, &saddr, htons(h->sport), &daddr,
			     htons(h->dport), dif, sdif);
	if (child) {
		sock_put(sk);
		return xtcp_deliver(child, skb, h->doff);
	}
	/* Or it answers a SYN cookie, and makes the child now. */
	err = xtcp_cookie_ack(sk, skb, h);
	sock_put(sk);
	if (!err)
		return 0;
reset:
	xtcp_send_reset_reply(net, skb, h);
	kfree_skb(skb);
	return 0;
}

/**
 * xtcp_rcv() - the receive path of both families
 * @net: namespace the segment arrived in
 * @skb: a segment sent to a unicast address of ours, IP or IPv6 header
 *	checked and pulled
 *
 * Softirq context: called by xtcp_v4_rcv() and xtcp_v6_rcv() once
 * they have checked what only their family knows.  Consumes @skb.
 *
 * Return: 0, always.
 */
int xtcp_rcv(struct net *net, struct sk_buff *skb)
{
	struct in6_addr saddr, daddr;
	struct xtcp_seg_hdr h;
	struct sock *sk;

	lockdep_assert_in_softirq();
	if (!pskb_may_pull(skb, XTCP_HDR_LEN) ||
	    xtcp_hdr_decode(&h, skb->data, skb->len) ||
	    !pskb_may_pull(skb, h.doff))
		goto hdr_error;
	xtcp_hdr_decode_opts(&h, skb->data);
	XTCP_INC_STATS(net, XTCP_MIB_INSEGS);
	if (xtcp_csum_bad(skb))
		goto csum_error;
	xtcp_fill_cb(skb, &h);

	xtcp_skb_addrs(skb, &saddr, &daddr);
	trace_xtcp_segment(false, &daddr, &saddr, &h, skb->len - h.doff);
	sk = xtcp_lookup6(net, &saddr, htons(h.sport), &daddr, htons(h.dport),
			  xtcp_skb_iif(skb), xtcp_skb_sdif(skb));
	if (sk)
		return xtcp_deliver(sk, skb, h.doff);
	return xtcp_rcv_unconnected(net, skb, &h);

csum_error:
	XTCP_INC_STATS(net, XTCP_MIB_INCSUMERRORS);
	goto discard;
hdr_error:
	XTCP_INC_STATS(net, XTCP_MIB_INHDRERRORS);
discard:
	kfree_skb(skb);
	return 0;
}

/**
 * xtcp_v4_rcv() - IPv4 receive handler for xtcp segments
 * @skb: the datagram, network header pulled
 *
 * Softirq context.  Consumes @skb.
 *
 * Return: 0, always: a negative value would ask IP to resubmit.
 */
int xtcp_v4_rcv(struct sk_buff *skb)
{
	struct net *net = dev_net(skb->dev);

	lockdep_assert_in_softirq();
	/* A stream is between two unicast addresses: broadcasts and
	 * multicasts get no answer, not even a reset.
	 */
	if (skb->pkt_type != PACKET_HOST ||
	    skb_rtable(skb)->rt_flags & (RTCF_BROADCAST | RTCF_MULTICAST))
		goto discard;
	if (READ_ONCE(xtcp_pernet(net)->sysctl_enabled))
		return xtcp_rcv(net, skb);

	/* What ip_local_deliver_finish() does without a handler. */
	__IP_INC_STATS(net, IPSTATS_MIB_INUNKNOWNPROTOS);
	icmp_send(skb, ICMP_DEST_UNREACH, ICMP_PROT_UNREACH, 0);
discard:
	kfree_skb(skb);
	return 0;
}
