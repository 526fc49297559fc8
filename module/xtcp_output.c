// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp output: building segments and handing them to IP.
 *
 * Segments of a connection (data, SYN, FIN, acknowledgments, resets) go
 * out through ip_queue_xmit() on the socket's route.  Segments that have
 * no socket behind them -- resets answering strays, SYN-ACKs of pending
 * requests, acknowledgments from TIME_WAIT -- are routed for the reversed
 * flow and sent with ip_build_and_send_pkt(), on the listener or on the
 * namespace's control socket, checksummed in software.  A connection's
 * segments leave their checksum to a device that can compute it for any
 * protocol, and a run of them may leave as one GSO skb (xtcp_offload.c).
 *
 * Data leaves under Nagle's rule (RFC 9293 section 3.7.4, Linux's
 * tcp_nagle_check() without Minshall's variant): a partial segment, the
 * last of the queue, waits while data is in flight unless TCP_NODELAY is
 * set, and always while TCP_CORK (or MSG_MORE) is.  The ACK that empties
 * the flight releases it; a corked one leaves at the latest when the
 * retransmission timer, armed for RTO (at least 200 ms), probes with it,
 * which is how Linux bounds TCP_CORK too.
 */
#include <linux/error-injection.h>
#include <linux/skbuff.h>
#include <asm/unaligned.h>
#include <net/inet6_connection_sock.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/route.h>
#include <net/tcp_states.h>

#include "xtcp.h"
#include "xtcp_seq.h"
#include "xtcp_trace.h"

/**
 * xtcp_advmss() - the MSS to announce for a route
 * @dst: the route
 *
 * Return: the path MTU less the IP and xtcp headers.
 */
u16 xtcp_advmss(const struct dst_entry *dst)
{
	unsigned int mtu = dst_mtu(dst);
	unsigned int iph = dst->ops->family == AF_INET6 ?
			   sizeof(struct ipv6hdr) : sizeof(struct iphdr);

	return clamp_t(unsigned int, mtu - iph - XTCP_HDR_LEN, 88, 65535);
}

/**
 * xtcp_choose_wscale() - the window shift a new connection of @sk offers
 * @sk: the connecting or listening socket
 *
 * Large enough for a window of the largest receive buffer the socket
 * may get, as Linux's tcp_select_initial_window(): auto-tuning takes a
 * buffer the user did not size up to rmem[2], and SO_RCVBUF up to
 * rmem_max; a buffer the user sized offers at most half of itself.  The
 * shift is fixed for the connection's life, so one chosen from the
 * first buffer alone would cap the window of every buffer grown later.
 *
 * Return: the shift, 0..14.
 */
u8 xtcp_choose_wscale(const struct sock *sk)
{
	u32 space = READ_ONCE(sk->sk_rcvbuf) / 2;

	if (!(sk->sk_userlocks & SOCK_RCVBUF_LOCK))
		space = max3(space, (u32)READ_ONCE(sysctl_xtcp_rmem[2]),
			     (u32)READ_ONCE(sysctl_rmem_max));
	return clamp_t(int, ilog2(space) - 15, 0, XTCP_WSCALE_MAX);
}

/*
 * The options of a SYN or SYN-ACK: the MSS, and the window scale and
 * SACK-permitted options when @wscale_ok and @sack_ok.
 */
static void xtcp_syn_opts(struct xtcp_opts *o, u16 mss, bool wscale_ok,
			  u8 wscale, bool sack_ok)
{
	o->present = XTCP_OPTF_MSS;
	o->mss = mss;
	if (wscale_ok) {
		o->present |= XTCP_OPTF_WSCALE;
		o->wscale = wscale;
	}
	if (sack_ok)
		o->present |= XTCP_OPTF_SACK_PERM;
}

/* The timestamp option (RFC 7323): our clock, and the peer's to echo. */
static void xtcp_ts_opt(struct xtcp_opts *o, u32 offset, u32 ts_recent)
{
	o->present |= XTCP_OPTF_TS;
	o->tsval = xtcp_ts_clock(offset);
	o->tsecr = ts_recent;
}

/*
 * The sum of the pseudo-header of a segment of @len bytes from @saddr to
 * @daddr (RFC 9293 3.1, RFC 8200 8.1), folded with @base.
 */
static __sum16 xtcp_pseudo_csum(const struct in6_addr *saddr,
				const struct in6_addr *daddr, u32 len,
				__wsum base)
{
	if (xtcp_addr_is_v4(saddr))
		return csum_tcpudp_magic(xtcp_addr_v4(saddr),
					 xtcp_addr_v4(daddr), len,
					 xtcp_protocol, base);
	return csum_ipv6_magic(saddr, daddr, len, xtcp_protocol, base);
}

/*
 * Push the header of @h, with the options @opts (none when NULL), in
 * front of the payload of @skb and checksum the whole segment over the
 * pseudo-header of @saddr -> @daddr.  With @offload the device computes
 * it (CHECKSUM_PARTIAL, the pseudo-header's sum in the field, as TCP
 * does).  Returns the header's length.
 */
static unsigned int xtcp_push_header(struct sk_buff *skb,
				     const struct xtcp_seg_hdr *h,
				     const struct xtcp_opts *opts,
				     const struct in6_addr *saddr,
				     const struct in6_addr *daddr, bool offload)
{
	unsigned int optlen = opts ? xtcp_opts_len(opts) : 0;
	struct xtcp_seg_hdr hdr = *h;
	__sum16 check;
	u8 *p;

	hdr.doff = XTCP_HDR_LEN + optlen;
	hdr.check = 0;
	p = skb_push(skb, hdr.doff);
	skb_reset_transport_header(skb);
	xtcp_hdr_encode(p, &hdr);
	if (optlen)
		xtcp_opts_encode(p + XTCP_HDR_LEN, opts);
	if (offload) {
		check = ~xtcp_pseudo_csum(saddr, daddr, skb->len, 0);
		skb->ip_summed = CHECKSUM_PARTIAL;
		skb->csum_start = skb_transport_header(skb) - skb->head;
		skb->csum_offset = XTCP_CSUM_OFFSET;
	} else {
		check = xtcp_pseudo_csum(saddr, daddr, skb->len,
					 skb_checksum(skb, 0, skb->len, 0));
		skb->ip_summed = CHECKSUM_NONE;
	}
	put_unaligned(check, (__sum16 *)(p + XTCP_CSUM_OFFSET));
	return hdr.doff;
}

/*
 * Whether the device of @sk's route checksums any protocol: only those
 * with NETIF_F_HW_CSUM (loopback, veth) get CHECKSUM_PARTIAL segments,
 * as those offering only NETIF_F_IP_CSUM know just TCP and UDP.  (The
 * socket's route caps cannot tell: sk_setup_caps() adds NETIF_F_HW_CSUM
 * to them on every GSO-capable route.)
 */
static bool xtcp_csum_offload(struct sock *sk)
{
	const struct dst_entry *dst = __sk_dst_get(sk);

	return dst && dst->dev && (dst->dev->features & NETIF_F_HW_CSUM);
}

/*
 * The window field to send: the free buffer, in units of our window
 * scale (none in a SYN), but never less than what is left of the window
 * already offered, so that its right edge never moves back (the peer may
 * have sent up to it already): that is rounded up to the scale.
 */
static u16 xtcp_select_window(struct sock *sk, bool syn)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u8 shift = syn ? 0 : xs->rcv_wscale;
	u32 win = xtcp_rcv_window(sk), left = xtcp_rcv_wnd_left(xs);

	if (syn)
		win = min_t(u32, win, XTCP_MAX_WINDOW);
	if (win < left)
		win = ALIGN(left, 1U << shift);
	else
		win = round_down(win, 1U << shift);
	xs->rcv_wnd = win;
	xs->rcv_wup = xs->rcv_nxt;
	return win >> shift;
}

/*
 * The header of the next segment of @sk, for the queued @cb: every
 * segment but the first SYN acknowledges what we received, and all
 * offer the window.  Returns the options to send, in @opts, or NULL.
 */
static struct xtcp_opts *xtcp_build_header(struct sock *sk,
					   const struct xtcp_skb_cb *cb,
					   struct xtcp_seg_hdr *h,
					   struct xtcp_opts *opts)
{
	struct inet_sock *inet = inet_sk(sk);
	struct xtcp_sock *xs = xtcp_sk(sk);
	bool syn = cb->flags & XTCP_FLAG_SYN;
	struct xtcp_opts *o = NULL;

	memset(h, 0, sizeof(*h));
	h->sport = ntohs(inet->inet_sport);
	h->dport = ntohs(inet->inet_dport);
	h->seq = cb->seq;
	h->flags = cb->flags;
	if (sk->sk_state != TCP_SYN_SENT) {
		h->flags |= XTCP_FLAG_ACK;
		h->ack = xs->rcv_nxt;
		if (timer_pending(&xs->delack_timer))
			sk_stop_timer(sk, &xs->delack_timer);
	}
	if (syn) {
		/* An active open offers all three; in a simultaneous open
		 * they are what the peer's SYN offered.
		 */
		xtcp_syn_opts(opts, xs->advmss,
			      sk->sk_state == TCP_SYN_SENT || xs->wscale_ok,
			      xs->rcv_wscale,
			      sk->sk_state == TCP_SYN_SENT || xs->sack_ok);
		o = opts;
	} else if (xs->sack_ok && xtcp_sack_fill(&xs->sack, opts)) {
		o = opts;
	}
	/* Offered in our SYN (tstamp_ok set by connect()), then on every
	 * segment once both SYNs carried it.
	 */
	if (xs->tstamp_ok) {
		xtcp_ts_opt(opts, xs->ts_offset, xs->ts_recent);
		o = opts;
	}
	h->window = xtcp_select_window(sk, syn);
	return o;
}

/*
 * Hand @skb, holding @segs segments, to IP or IPv6 on @sk's route:
 * inet6_csk_xmit() routes an IPv6 socket from its addresses and keeps
 * the route with its cookie, as ip_queue_xmit() does for IPv4.
 */
static int xtcp_ip_xmit(struct sock *sk, struct sk_buff *skb,
			unsigned int segs)
{
	int err;

	/* The control block is IP's from here (IPCB, IP6CB), as in TCP. */
	memset(skb->cb, 0, max(sizeof(struct inet_skb_parm),
			       sizeof(struct inet6_skb_parm)));
	skb_set_owner_w(skb, sk);
	if (xtcp_sk_is_v4(sk))
		err = ip_queue_xmit(sk, skb, &inet_sk(sk)->cork.fl);
	else
		err = inet6_csk_xmit(sk, skb, NULL);
	XTCP_ADD_STATS(sock_net(sk), XTCP_MIB_OUTSEGS, segs);
	return net_xmit_eval(err);
}

static int __xtcp_transmit(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_opts opts = {}, *o;
	struct in6_addr saddr, daddr;
	struct xtcp_seg_hdr h;

	o = xtcp_build_header(sk, XTCP_SKB_CB(skb), &h, &opts);
	if (skb->len)
		xtcp_sk(sk)->lsndtime = jiffies;
	xtcp_sk_addrs(sk, &saddr, &daddr);
	trace_xtcp_segment(true, &saddr, &daddr, &h, skb->len);
	xtcp_push_header(skb, &h, o, &saddr, &daddr, xtcp_csum_offload(sk));
	return xtcp_ip_xmit(sk, skb, 1);
}

/*
 * What @skb, sent and now split into itself and @tail, counts in
 * packets_out (and sacked_out): the segments of each part at today's
 * segment size.
 */
static void xtcp_count_split(struct sock *sk, struct sk_buff *skb,
			     struct sk_buff *tail)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb), *tcb = XTCP_SKB_CB(tail);
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 seg = xtcp_seg_size(xs);
	u32 before = cb->segs;

	tcb->rexmit = cb->rexmit;
	tcb->sacked = cb->sacked;
	tcb->lost = cb->lost;
	tcb->retrans = cb->retrans;
	tcb->sent_us = cb->sent_us;
	tcb->xmit_us = cb->xmit_us;
	cb->segs = xtcp_skb_segs(skb->len, seg);
	tcb->segs = xtcp_skb_segs(tail->len, seg);
	xtcp_pcount_add(xs, skb, (int)(cb->segs + tcb->segs) - (int)before);
}

/*
 * May the sent @skb be split?  Not when the write queue takes more than
 * twice the send buffer and two 64 KiB skbs, unless @skb is the first
 * or the last skb sent, as Linux's tcp_fragment() (CVE-2019-11477 and
 * 11478): a peer announcing a small MSS and SACKing odd bytes would
 * otherwise cut it into an skb per byte, each of them several hundred
 * bytes of memory.  sendmsg() stops at the send buffer, so only splits
 * pass the limit; the allowance keeps small send buffers usable.
 * Unsent skbs are cut for the window, cwnd or Nagle: never refused.
 */
static bool xtcp_split_allowed(struct sock *sk, const struct sk_buff *skb)
{
	long limit = READ_ONCE(sk->sk_sndbuf) +
		     2 * SKB_TRUESIZE(GSO_LEGACY_MAX_SIZE);
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (likely((sk->sk_wmem_queued >> 1) <= limit) ||
	    !xtcp_seq_before(XTCP_SKB_CB(skb)->seq, xs->snd_nxt) ||
	    skb == skb_peek(&sk->sk_write_queue) ||
	    skb_queue_is_last(&sk->sk_write_queue, skb) ||
	    skb->next == xs->send_head)
		return true;
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_WQUEUETOOBIG);
	return false;
}

/**
 * xtcp_fragment() - split a queued skb after @len bytes of payload
 * @sk: socket, locked
 * @skb: skb of sk_write_queue, longer than @len
 * @len: payload to leave in @skb, more than 0
 *
 * Where a window, Nagle, a SACK block or a retransmission needs a
 * boundary, or the path MTU went down since @skb was queued; refused
 * for a sent skb when the write queue is far over the send buffer
 * (xtcp_split_allowed()).  The tail
 * goes right after it in the write queue and takes the FIN and PSH
 * flags, and the pages that hold its bytes, with their share of the
 * truesize.
 *
 * Not inlined, and open to error injection (fail_function), so that a
 * test can make every cut fail and check what leaves then.
 *
 * Return: 0, or -ENOBUFS with @skb unchanged.
 */
noinline int xtcp_fragment(struct sock *sk, struct sk_buff *skb, u32 len)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb), *tcb;
	u32 in_head = skb_headlen(skb) > len ? skb_headlen(skb) - len : 0;
	u32 data_len, moved;
	struct sk_buff *nskb;

	xtcp_assert_sock_locked(sk);
	if (!xtcp_split_allowed(sk, skb))
		return -ENOBUFS;
	/*
	 * A clone in flight shares the page table that skb_split() edits;
	 * the private copy keeps the truesize charged (Linux's
	 * tcp_fragment()).
	 */
	if (xtcp_unclone_keeptruesize(skb, GFP_ATOMIC))
		return -ENOBUFS;
	nskb = alloc_skb(XTCP_HEADROOM + in_head, GFP_ATOMIC);
	if (!nskb)
		return -ENOBUFS;
	if (!xtcp_wmem_charge(sk, nskb->truesize, false)) {
		kfree_skb(nskb);
		return -ENOBUFS;
	}
	skb_reserve(nskb, XTCP_HEADROOM);
	nskb->ip_summed = skb->ip_summed;
	data_len = skb->data_len;
	skb_split(skb, nskb, len);
	moved = data_len - skb->data_len;
	skb->truesize -= moved;
	nskb->truesize += moved;
	tcb = XTCP_SKB_CB(nskb);
	tcb->seq = cb->seq + len;
	tcb->end_seq = cb->end_seq;
	tcb->flags = cb->flags;
	cb->end_seq = tcb->seq;
	cb->flags &= ~(XTCP_FLAG_FIN | XTCP_FLAG_PSH);
	/* Both parts of an skb sent before are in flight. */
	if (xtcp_seq_before(cb->seq, xtcp_sk(sk)->snd_nxt))
		xtcp_count_split(sk, skb, nskb);
	__skb_queue_after(&sk->sk_write_queue, skb, nskb);
	return 0;
}

ALLOW_ERROR_INJECTION(xtcp_fragment, ERRNO);

/**
 * xtcp_transmit_skb() - send a copy of a queued segment
 * @sk: socket, locked
 * @skb: skb of sk_write_queue; it stays queued for retransmission
 *
 * An skb longer than a segment (several, or queued before the path MTU
 * went down) is first cut to the current segment size: its first
 * segment leaves.
 *
 * Return: 0 or a negative errno (the segment may then be sent again).
 */
int xtcp_transmit_skb(struct sock *sk, struct sk_buff *skb)
{
	u32 seg = xtcp_seg_size(xtcp_sk(sk));
	struct sk_buff *copy;

	xtcp_assert_sock_locked(sk);
	/* Whole, it would be too large for the path: IP would drop it. */
	if (skb->len > seg && xtcp_fragment(sk, skb, seg))
		return -ENOBUFS;

	/* The header goes into the headroom: a clone still in flight
	 * shares it, so take a private copy then.
	 */
	if (skb_cloned(skb))
		copy = pskb_copy(skb, GFP_ATOMIC);
	else
		copy = skb_clone(skb, GFP_ATOMIC);
	if (!copy)
		return -ENOBUFS;
	return __xtcp_transmit(sk, copy);
}

/*
 * The segments the queued @skb leaves as in a GSO run, for the
 * tracepoint, headed by a copy of the run's header @run_h; PSH goes on
 * the last of the run (@last: @skb ends the run) only, as on the wire.
 */
static void xtcp_trace_run_segs(struct sock *sk,
				const struct xtcp_seg_hdr *run_h,
				const struct sk_buff *skb, u32 mss, bool last)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_seg_hdr h = *run_h;
	struct in6_addr saddr, daddr;
	u32 off, len;

	xtcp_sk_addrs(sk, &saddr, &daddr);
	for (off = 0; off < skb->len; off += len) {
		len = min(skb->len - off, mss);
		h.seq = cb->seq + off;
		h.flags = XTCP_FLAG_ACK;
		if (last && off + len == skb->len)
			h.flags |= cb->flags;
		trace_xtcp_segment(true, &saddr, &daddr, &h, len);
	}
}

/*
 * Send up to @n queued skbs from @skb on as one GSO skb (see
 * xtcp_offload.c): new data, never sent.  It holds the header of the
 * first and references to the pages of all.  Returns how many skbs went,
 * or a negative errno.
 */
static int xtcp_transmit_run(struct sock *sk, struct sk_buff *skb,
			     unsigned int n)
{
	u32 mss = xtcp_seg_size(xtcp_sk(sk));
	struct xtcp_opts opts = {}, *o;
	unsigned int sent, doff, segs;
	struct in6_addr saddr, daddr;
	struct sk_buff *run, *last;
	struct xtcp_seg_hdr h;

	run = alloc_skb(XTCP_HEADROOM, GFP_ATOMIC);
	if (!run)
		return -ENOBUFS;
	skb_reserve(run, XTCP_HEADROOM);
	o = xtcp_build_header(sk, XTCP_SKB_CB(skb), &h, &opts);
	for (sent = 0, last = skb; sent < n; sent++, skb = skb->next) {
		if (!xtcp_gso_add(run, skb))
			break;
		if (trace_xtcp_segment_enabled())
			xtcp_trace_run_segs(sk, &h, skb, mss, sent + 1 == n);
		last = skb;
	}
	xtcp_sk(sk)->lsndtime = jiffies;
	/* The run's header: the first segment's, with the last's flags. */
	h.flags = XTCP_SKB_CB(last)->flags | XTCP_FLAG_ACK;
	xtcp_sk_addrs(sk, &saddr, &daddr);
	doff = xtcp_push_header(run, &h, o, &saddr, &daddr, true);
	xtcp_gso_seal(run, doff, mss);
	segs = skb_shinfo(run)->gso_segs;
	return xtcp_ip_xmit(sk, run, segs) ? : sent;
}

/**
 * xtcp_retransmit_skb() - send a queued segment again
 * @sk: socket, locked
 * @skb: segment of sk_write_queue that was sent before
 *
 * Its ACK will give no RTT sample (Karn).  Only a segment that left
 * counts as sent again in this loss episode, as in Linux's
 * tcp_retransmit_skb(): one that did not is still owed to the peer.
 * The copy is in flight (retrans_out) from now on, and RACK times the
 * segment from now (xtcp_skb_cb.xmit_us).
 *
 * Return: 0, or what xtcp_transmit_skb() returned when it did not leave.
 */
int xtcp_retransmit_skb(struct sock *sk, struct sk_buff *skb)
{
	u32 tsval = xtcp_ts_clock(xtcp_sk(sk)->ts_offset);
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_skb_cb *cb;
	int err;

	err = xtcp_transmit_skb(sk, skb);
	if (err)
		return err;
	cb = XTCP_SKB_CB(skb);
	xtcp_cong_retransmitted(sk, skb, tsval);
	cb->rexmit = 1;
	cb->rexmit_epoch = xs->loss_epoch;
	cb->xmit_us = xtcp_clock_us();
	if (!cb->retrans) {
		cb->retrans = 1;
		xs->retrans_out += cb->segs;
	}
	xtcp_cong_sent(sk, cb->segs);
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_RETRANSSEGS);
	xs->total_retrans++;
	return 0;
}

/* A segment without payload that is not queued: ACK or RST. */
static void xtcp_send_bare(struct sock *sk, u8 flags, u32 seq, gfp_t gfp)
{
	struct sk_buff *skb = alloc_skb(XTCP_HEADROOM, gfp);

	if (!skb)
		return;
	skb_reserve(skb, XTCP_HEADROOM);
	XTCP_SKB_CB(skb)->seq = seq;
	XTCP_SKB_CB(skb)->end_seq = seq;
	XTCP_SKB_CB(skb)->flags = flags;
	__xtcp_transmit(sk, skb);
}

/**
 * xtcp_send_ack() - acknowledge what @sk received, with its window
 * @sk: socket, locked
 */
void xtcp_send_ack(struct sock *sk)
{
	xtcp_assert_sock_locked(sk);
	xtcp_send_bare(sk, 0, xtcp_sk(sk)->snd_nxt, GFP_ATOMIC);
}

/**
 * xtcp_oow_limited() - may one more ACK answer an unacceptable segment?
 * @net: the namespace, for its invalid_ratelimit_ms and counters
 * @stamp: jiffies (low 32 bits, 0 for never) of the last such ACK, of a
 *	connection or of a TIME_WAIT chain; guarded by the caller's lock
 * @mib: the counter of ACKs held back
 *
 * RFC 5961 section 7, as Linux's __tcp_oow_rate_limited(): at most one
 * ACK per invalid_ratelimit_ms answers unacceptable segments, so that
 * two ends that disagree about the sequence space do not ACK each other
 * forever, and an attacker cannot make xtcp send at its rate.
 *
 * Return: true when the ACK must not be sent (and was counted in @mib);
 * false when it may, *@stamp then being now.
 */
bool xtcp_oow_limited(struct net *net, u32 *stamp, int mib)
{
	int limit = READ_ONCE(xtcp_pernet(net)->sysctl_invalid_ratelimit_ms);
	u32 now = (u32)jiffies;
	s32 elapsed = (s32)(now - *stamp);

	if (*stamp && elapsed >= 0 && elapsed < msecs_to_jiffies(limit)) {
		XTCP_INC_STATS(net, mib);
		return true;
	}
	*stamp = now ? : 1;
	return false;
}

/**
 * xtcp_send_oow_ack() - answer a segment outside the window with an ACK
 * @sk: socket, locked
 * @data: the segment took sequence space (data or FIN) and had no SYN
 *
 * Such a segment is always answered, as by Linux: it cannot be part of
 * an ACK loop, and its sender needs to learn rcv_nxt; anything else (a
 * bare ACK, a SYN) at most once per invalid_ratelimit_ms.
 */
void xtcp_send_oow_ack(struct sock *sk, bool data)
{
	xtcp_assert_sock_locked(sk);
	if (!data && xtcp_oow_limited(sock_net(sk),
				      &xtcp_sk(sk)->last_oow_ack_time,
				      XTCP_MIB_ACKSKIPPEDSEQ))
		return;
	xtcp_send_ack(sk);
}

/*
 * Take one from a namespace's budget for this second (@stamp, @left):
 * refilled with @fill when the second changed, or with a random count
 * between half and one and a half times @fill when @random.
 */
static bool xtcp_budget_take(u32 *stamp, u32 *left, u32 fill, bool random)
{
	u32 now = jiffies / HZ, n;

	if (now != READ_ONCE(*stamp)) {
		if (random)
			fill = ((fill + 1) >> 1) + get_random_u32_below(fill);
		WRITE_ONCE(*stamp, now);
		WRITE_ONCE(*left, fill);
	}
	n = READ_ONCE(*left);
	if (!n)
		return false;
	WRITE_ONCE(*left, n - 1);
	return true;
}

/*
 * The namespace's challenge ACKs for this second, if it has a limit: a
 * count an off-path attacker cannot learn by counting (RFC 5961 section
 * 7's global limit made CVE-2016-5696), random each second, the limit
 * on average.
 */
static bool xtcp_challenge_budget(struct net *net)
{
	struct xtcp_net *xn = xtcp_pernet(net);
	int limit = READ_ONCE(xn->sysctl_challenge_ack_limit);

	return limit == INT_MAX ||
	       xtcp_budget_take(&xn->challenge_stamp, &xn->challenge_left,
				limit, true);
}

/**
 * xtcp_send_challenge_ack() - RFC 5961's answer to a doubtful segment
 * @sk: socket, locked
 *
 * An ACK of what we hold: a peer that really reset or reopened the
 * connection answers it with a RST at the right sequence number; a
 * blind attacker learns nothing.  Limited per connection
 * (invalid_ratelimit_ms) and per namespace (challenge_ack_limit).
 */
void xtcp_send_challenge_ack(struct sock *sk)
{
	struct net *net = sock_net(sk);

	xtcp_assert_sock_locked(sk);
	if (xtcp_oow_limited(net, &xtcp_sk(sk)->last_oow_ack_time,
			     XTCP_MIB_ACKSKIPPEDCHALLENGE))
		return;
	if (!xtcp_challenge_budget(net)) {
		XTCP_INC_STATS(net, XTCP_MIB_ACKSKIPPEDCHALLENGE);
		return;
	}
	XTCP_INC_STATS(net, XTCP_MIB_CHALLENGEACK);
	xtcp_send_ack(sk);
}

/**
 * xtcp_send_probe() - a segment without data the peer must acknowledge
 * @sk: socket, locked
 *
 * Its sequence number, snd_una - 1, was acknowledged already: the peer
 * finds it outside its window and answers with an ACK carrying its
 * rcv_nxt and window (RFC 9293 3.10.7.4), as to Linux's keepalive and
 * zero-window probes.
 */
void xtcp_send_probe(struct sock *sk)
{
	xtcp_assert_sock_locked(sk);
	xtcp_send_bare(sk, 0, xtcp_sk(sk)->snd_una - 1, GFP_ATOMIC);
}

/**
 * xtcp_send_active_reset() - abort the connection of @sk with a RST
 * @sk: socket, locked
 * @gfp: allocation context
 */
void xtcp_send_active_reset(struct sock *sk, gfp_t gfp)
{
	xtcp_assert_sock_locked(sk);
	xtcp_send_bare(sk, XTCP_FLAG_RST, xtcp_sk(sk)->snd_nxt, gfp);
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_OUTRSTS);
}

/**
 * xtcp_size_goal() - how much payload a queued skb may hold
 * @sk: socket, locked
 *
 * As many whole segments as one GSO skb on the route takes, as TCP's
 * tcp_xmit_size_goal(): one skb allocated, queued, sent and freed per
 * 64 KiB rather than per segment.  One segment where the route takes
 * no GSO skbs.
 *
 * Return: a multiple of the segment size, at least one segment.
 */
u32 xtcp_size_goal(const struct sock *sk)
{
	u32 seg = xtcp_seg_size(xtcp_sk(sk)), goal;

	xtcp_assert_sock_locked(sk);
	if (!xtcp_gso_capable(sk))
		return seg;
	goal = min_t(u32, sk->sk_gso_max_size - XTCP_HDR_MAX_LEN,
		     sk->sk_gso_max_segs * seg);
	return max(rounddown(goal, seg), seg);
}

/*
 * How much of @skb's payload the peer's window takes now: all of it, or
 * whole segments (sender-side silly window avoidance, RFC 9293 section
 * 3.8.6.2.1), possibly none.
 */
static u32 xtcp_window_quota(const struct xtcp_sock *xs,
			     const struct sk_buff *skb)
{
	u32 wnd_end = xs->snd_una + xs->snd_wnd, seq = XTCP_SKB_CB(skb)->seq;

	if (!xtcp_seq_after(seq + skb->len, wnd_end))
		return skb->len;
	if (!xtcp_seq_after(wnd_end, seq))
		return 0;
	return rounddown(wnd_end - seq, xtcp_seg_size(xs));
}

/* @skb left at @now (xtcp_clock_us(), read once for a whole run). */
static void xtcp_sent(struct sock *sk, struct sk_buff *skb, u32 now)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);
	bool first = !xs->packets_out;

	cb->sent_us = now;
	cb->xmit_us = now;
	cb->lost = 0;
	cb->retrans = 0;
	xtcp_persist_done(sk);

	/* send_head never goes back: what it points at was never sent. */
	WARN_ON_ONCE(!xtcp_seq_after(cb->end_seq, xs->snd_nxt));
	/* Waiting for progress starts with the flight. */
	if (first)
		xs->una_tstamp = jiffies;
	xs->snd_nxt = cb->end_seq;
	cb->segs = xtcp_skb_segs(skb->len, xtcp_seg_size(xs));
	xs->packets_out += cb->segs;
	xtcp_cong_sent(sk, cb->segs);
	xs->send_head = skb_queue_is_last(&sk->sk_write_queue, skb) ?
			NULL : skb->next;
	/*
	 * So does the retransmission timeout: the timer may still hold the
	 * deadline of a window probe or a Nagle flush, armed while nothing
	 * flew, which would retransmit this segment early (Linux's
	 * tcp_event_new_data_sent() rearms it too); a tail loss probe is
	 * scheduled again after the push (xtcp_tlp_schedule()).
	 */
	if (first || !timer_pending(&xs->rtx_timer) ||
	    xs->rtx_mode == XTCP_TIMER_TLP)
		xtcp_reset_rtx_timer(sk, xtcp_rto(xs));
}

/*
 * Congestion control: how many segments of @skb, next to send after
 * @ahead more new segments, may leave now?  Only new data counts against
 * cwnd; the handshake is not limited.
 */
static u32 xtcp_cwnd_quota(const struct sock *sk, const struct sk_buff *skb,
			   u32 ahead)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);
	u32 used = xtcp_in_flight(xs) + ahead;

	if (!xtcp_seq_after(XTCP_SKB_CB(skb)->end_seq, xs->snd_nxt) ||
	    ((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV)))
		return U32_MAX;
	return used < xs->cw.cwnd ? xs->cw.cwnd - used : 0;
}

/*
 * Nagle and cork: may the partial segment that ends @skb, next to send,
 * leave now?  Only the last skb of the queue can still grow.
 */
static bool xtcp_nagle_allows(const struct sock *sk, const struct sk_buff *skb,
			      unsigned int nonagle)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);

	if ((nonagle & XTCP_NAGLE_PUSH) ||
	    !skb_queue_is_last(&sk->sk_write_queue, skb))
		return true;
	if (!(skb->len % xtcp_seg_size(xs)) ||
	    (XTCP_SKB_CB(skb)->flags & (XTCP_FLAG_SYN | XTCP_FLAG_FIN)))
		return true;
	if (nonagle & XTCP_NAGLE_CORK)
		return false;
	return (nonagle & XTCP_NAGLE_OFF) || xs->snd_nxt == xs->snd_una;
}

/*
 * May @skb leave now, with @ahead new segments going out before it:
 * window, congestion window, Nagle and cork.  When only its first
 * segments may, @len tells how many bytes (xtcp_fragment() cuts there);
 * else it is @skb->len.
 */
static bool xtcp_may_send(const struct sock *sk, const struct sk_buff *skb,
			  unsigned int nonagle, u32 ahead, u32 *len)
{
	u32 seg = xtcp_seg_size(xtcp_sk(sk)), room;

	*len = xtcp_window_quota(xtcp_sk(sk), skb);
	room = xtcp_cwnd_quota(sk, skb, ahead);
	if (!room)
		return false;
	if (room < xtcp_skb_segs(skb->len, seg))
		*len = min(*len, room * seg);
	if (!xtcp_nagle_allows(sk, skb, nonagle))
		*len = min(*len, rounddown(skb->len, seg));
	return *len == skb->len || *len;
}

/*
 * How many skbs from @skb on, which may leave whole, can go as one GSO
 * skb: new data only, its payload in page frags, none with SYN or FIN,
 * all whole segments but the last, as many as the route's device takes
 * and the windows and Nagle let go now.  0 when @skb goes alone, a
 * segment at a time (xtcp_transmit_skb()).
 */
static unsigned int xtcp_run_len(const struct sock *sk,
				 const struct sk_buff *skb,
				 unsigned int nonagle)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);
	u32 seg = xtcp_seg_size(xs), bytes = XTCP_HDR_MAX_LEN;
	u32 segs = 0, len, more;
	unsigned int n = 0;

	if (!xtcp_gso_capable(sk) ||
	    xtcp_seq_before(XTCP_SKB_CB(skb)->seq, xs->snd_nxt))
		return 0;
	for (; skb; skb = skb_queue_is_last(&sk->sk_write_queue, skb) ?
			  NULL : skb->next) {
		bytes += skb->len;
		more = xtcp_skb_segs(skb->len, seg);
		if (bytes > sk->sk_gso_max_size ||
		    segs + more > sk->sk_gso_max_segs)
			break;
		if (n && (!xtcp_may_send(sk, skb, nonagle, segs, &len) ||
			  len < skb->len))
			break;
		if (!skb->len || skb_headlen(skb) ||
		    (XTCP_SKB_CB(skb)->flags & (XTCP_FLAG_SYN | XTCP_FLAG_FIN)))
			break;
		n++;
		segs += more;
		if (skb->len % seg)
			break;
	}
	return n == 1 && segs == 1 ? 0 : n;
}

/*
 * Send @skb, next to go, and the @n - 1 after it as one run when @n is
 * not 0; how many skbs went, or a negative errno.
 */
static int xtcp_transmit_next(struct sock *sk, struct sk_buff *skb,
			      unsigned int n)
{
	if (n)
		return xtcp_transmit_run(sk, skb, n);
	return xtcp_transmit_skb(sk, skb) ? : 1;
}

/*
 * After a push that @sent new data or found cwnd full: was cwnd the
 * limit on sending?  Remember it with the largest flight of each
 * window, as Linux's tcp_cwnd_validate(), for xtcp_cwnd_limited(): a
 * window that the application or the peer's window keeps from filling
 * must not grow (RFC 7661).
 */
static void xtcp_cwnd_validate(struct sock *sk, bool sent)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	bool limited = xtcp_in_flight(xs) >= xs->cw.cwnd;

	if (!sent && !limited)
		return;
	if (!xtcp_seq_before(xs->snd_una, xs->max_packets_seq) ||
	    xs->packets_out > xs->max_packets_out || limited) {
		xs->max_packets_out = xs->packets_out;
		xs->max_packets_seq = xs->snd_nxt;
		xs->cwnd_limited = limited;
	}
}

/**
 * xtcp_push_mode() - send what the window, Nagle and cork allow
 * @sk: socket, locked
 * @nonagle: %XTCP_NAGLE_* bits to apply to this push
 *
 * When something stays unsent and nothing is in flight (closed window,
 * corked partial segment), the retransmission timer is armed to probe.
 */
void xtcp_push_mode(struct sock *sk, unsigned int nonagle)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 now, len, start = xs->snd_nxt;
	struct sk_buff *skb;
	int sent;

	xtcp_assert_sock_locked(sk);
	while ((skb = xs->send_head)) {
		if (!xtcp_may_send(sk, skb, nonagle, 0, &len))
			break;
		if (len < skb->len && xtcp_fragment(sk, skb, len))
			break;
		sent = xtcp_transmit_next(sk, skb,
					  xtcp_run_len(sk, skb, nonagle));
		if (sent <= 0)
			break;
		now = xtcp_clock_us();
		while (sent--)
			xtcp_sent(sk, xs->send_head, now);
	}
	xtcp_cwnd_validate(sk, xs->snd_nxt != start);
	if (xs->snd_nxt != start)
		xtcp_tlp_schedule(sk);
	if (xs->send_head && !timer_pending(&xs->rtx_timer))
		xtcp_reset_rtx_timer(sk, xtcp_rto(xs));
}

/**
 * xtcp_push() - send what the socket's options allow of the write queue
 * @sk: socket, locked
 */
void xtcp_push(struct sock *sk)
{
	xtcp_push_mode(sk, xtcp_sk(sk)->nonagle);
}

/**
 * xtcp_probe() - nothing in flight, data waiting: send what can go
 * @sk: socket, locked, with nothing in flight
 *
 * A segment the window allows (held by cork or Nagle) leaves; when the
 * window is too small for it, a zero-window probe goes instead, whose
 * ACK brings the window.
 *
 * Return: true when the window is closed and a probe was sent.
 */
bool xtcp_probe(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb = xs->send_head;
	u32 len;

	xtcp_assert_sock_locked(sk);
	if (!skb)
		return false;
	len = xtcp_window_quota(xs, skb);
	if (!len && skb->len) {
		xtcp_send_probe(sk);
		return true;
	}
	if (len < skb->len && xtcp_fragment(sk, skb, len))
		return false;
	if (!xtcp_transmit_skb(sk, skb))
		xtcp_sent(sk, skb, xtcp_clock_us());
	return false;
}

/**
 * xtcp_send_new_probe() - a tail loss probe of new data
 * @sk: socket, locked, with data in flight
 *
 * One new segment leaves if the peer's window takes it, whatever cwnd
 * says, as Linux's tcp_send_loss_probe() (RFC 8985 7.3: new data is
 * the better probe, since its ACK tells of everything before it).  One
 * only, however many send_head holds: xtcp_transmit_skb() cuts it to a
 * segment first, as Linux's probe splits the skb at one MSS, so that the
 * probe does not send a burst past cwnd.
 *
 * Return: true when it left.
 */
bool xtcp_send_new_probe(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb = xs->send_head;
	u32 seg = xtcp_seg_size(xs);

	xtcp_assert_sock_locked(sk);
	if (!skb || xtcp_window_quota(xs, skb) < min(skb->len, seg))
		return false;
	if (xtcp_transmit_skb(sk, skb))
		return false;
	xtcp_sent(sk, skb, xtcp_clock_us());
	return true;
}

/*
 * Queue the SYN or the FIN @skb at the tail; only the FIN is charged
 * whatever xtcp's memory limits say.  False, @skb freed, when refused.
 */
static bool xtcp_queue_tail(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	bool fin = XTCP_SKB_CB(skb)->flags & XTCP_FLAG_FIN;

	if (!xtcp_wmem_charge(sk, skb->truesize, fin)) {
		kfree_skb(skb);
		return false;
	}
	__skb_queue_tail(&sk->sk_write_queue, skb);
	xs->write_seq = XTCP_SKB_CB(skb)->end_seq;
	if (!xs->send_head)
		xs->send_head = skb;
	return true;
}

/**
 * xtcp_queue_syn() - queue and send the SYN of an active open
 * @sk: socket in SYN_SENT, locked, with @iss chosen
 *
 * Return: 0 or -ENOBUFS.
 */
int xtcp_queue_syn(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb;

	xtcp_assert_sock_locked(sk);
	skb = alloc_skb(XTCP_HEADROOM, sk->sk_allocation);
	if (!skb)
		return -ENOBUFS;
	skb_reserve(skb, XTCP_HEADROOM);
	XTCP_SKB_CB(skb)->seq = xs->iss;
	XTCP_SKB_CB(skb)->end_seq = xs->iss + 1;
	XTCP_SKB_CB(skb)->flags = XTCP_FLAG_SYN;
	xs->snd_una = xs->iss;
	xs->snd_nxt = xs->iss;
	if (!xtcp_queue_tail(sk, skb))
		return -ENOBUFS;
	xtcp_push(sk);
	return 0;
}

/**
 * xtcp_send_fin() - queue our FIN after all queued data, and push
 * @sk: socket, locked, in process context
 */
void xtcp_send_fin(struct sock *sk)
{
	struct sk_buff *tail = skb_peek_tail(&sk->sk_write_queue);
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb;

	xtcp_assert_sock_owned(sk);
	/* Ride on the last segment if it has not left yet. */
	if (tail && xs->send_head) {
		XTCP_SKB_CB(tail)->flags |= XTCP_FLAG_FIN;
		XTCP_SKB_CB(tail)->end_seq++;
		xs->write_seq++;
	} else {
		skb = alloc_skb(XTCP_HEADROOM, sk->sk_allocation | __GFP_NOFAIL);
		skb_reserve(skb, XTCP_HEADROOM);
		XTCP_SKB_CB(skb)->seq = xs->write_seq;
		XTCP_SKB_CB(skb)->end_seq = xs->write_seq + 1;
		XTCP_SKB_CB(skb)->flags = XTCP_FLAG_FIN;
		xtcp_queue_tail(sk, skb);
	}
	xtcp_push(sk);
}

/*
 * Route the reversed flow of a segment that has no socket and send it,
 * on behalf of @via (a listener or the control socket), with @tos as
 * its IPv4 TOS or IPv6 traffic class.  A nonzero @mark is the flow's
 * for routing and the packet's, as ip_send_unicast_reply() and
 * tcp_v6_send_response() use a TIME_WAIT socket's tw_mark; with 0,
 * ip_build_and_send_pkt() gives the packet @via's SO_MARK.
 */
static void xtcp_send_direct(struct net *net, const struct sock *via,
			     struct sk_buff *skb, const struct in6_addr *saddr,
			     const struct in6_addr *daddr, __be16 sport,
			     __be16 dport, int oif, u8 tos, u32 mark)
{
	struct flowi4 fl4;
	struct rtable *rt;

	if (!xtcp_addr_is_v4(saddr)) {
		xtcp_v6_send_direct(net, via, skb, saddr, daddr, sport, dport,
				    oif, tos, mark);
		return;
	}
	/* ip_route_output_ports() without a socket, but with @mark. */
	flowi4_init_output(&fl4, oif, mark, 0, RT_SCOPE_UNIVERSE,
			   xtcp_protocol, 0, xtcp_addr_v4(daddr),
			   xtcp_addr_v4(saddr), dport, sport,
			   sock_net_uid(net, NULL));
	rt = ip_route_output_flow(net, &fl4, NULL);
	if (IS_ERR(rt)) {
		kfree_skb(skb);
		return;
	}
	skb_dst_set(skb, &rt->dst);
	skb->mark = mark;
	ip_build_and_send_pkt(skb, via, xtcp_addr_v4(saddr),
			      xtcp_addr_v4(daddr), NULL, tos);
	XTCP_INC_STATS(net, XTCP_MIB_OUTSEGS);
}

static struct sk_buff *xtcp_alloc_bare(const struct xtcp_seg_hdr *h,
				       const struct xtcp_opts *opts,
				       const struct in6_addr *saddr,
				       const struct in6_addr *daddr)
{
	struct sk_buff *skb = alloc_skb(XTCP_HEADROOM, GFP_ATOMIC);

	if (!skb)
		return NULL;
	skb_reserve(skb, XTCP_HEADROOM);
	trace_xtcp_segment(true, saddr, daddr, h, 0);
	xtcp_push_header(skb, h, opts, saddr, daddr, false);
	return skb;
}

/* The namespace's control socket for @addr's family; RCU read side. */
static struct sock *xtcp_ctl_sk(struct net *net, const struct in6_addr *addr)
{
	struct xtcp_net *xn = xtcp_pernet(net);

	return xtcp_addr_is_v4(addr) ? READ_ONCE(xn->ctl_sk) :
				       READ_ONCE(xn->ctl_sk6);
}

/*
 * Resets to strays, at most reset_ratelimit a second in a namespace: a
 * flood of segments to closed ports must not turn into a flood of
 * resets from us (spoofed sources make us the reflector).
 */
static bool xtcp_reset_limited(struct net *net)
{
	struct xtcp_net *xn = xtcp_pernet(net);
	int limit = READ_ONCE(xn->sysctl_reset_ratelimit);

	if (!limit ||
	    xtcp_budget_take(&xn->reset_stamp, &xn->resets_left, limit, false))
		return false;
	XTCP_INC_STATS(net, XTCP_MIB_OUTRSTSKIPPED);
	return true;
}

/**
 * xtcp_send_reset_reply() - answer a segment nobody wants with a RST
 * @net: namespace the segment arrived in
 * @in: the segment, header at @in->data
 * @h: its decoded header
 *
 * RFC 9293 section 3.10.7.1: acknowledge the segment when it carried no
 * ACK, else take the sequence number from its acknowledgment.  A RST is
 * never answered.  @in may come from a socket's backlog, which keeps no
 * route: whether it was sent to a unicast address of ours was decided
 * by xtcp_v4_rcv(), and nothing here looks at its route again.  The
 * RST carries @in's DSCP, without its ECN bits, whatever the socket and
 * sysctl reflect_tos, as tcp_v4_send_reset() and tcp_v6_send_reset()
 * answer.
 */
void xtcp_send_reset_reply(struct net *net, struct sk_buff *in,
			   const struct xtcp_seg_hdr *h)
{
	struct xtcp_seg_hdr rst = {
		.sport = h->dport,
		.dport = h->sport,
	};
	struct in6_addr saddr, daddr;
	struct sock *ctl_sk;
	struct sk_buff *skb;

	if (h->flags & XTCP_FLAG_RST)
		return;
	if (xtcp_reset_limited(net))
		return;
	if (h->flags & XTCP_FLAG_ACK) {
		rst.seq = h->ack;
		rst.flags = XTCP_FLAG_RST;
	} else {
		rst.ack = h->seq + in->len - h->doff +
			  !!(h->flags & XTCP_FLAG_SYN) +
			  !!(h->flags & XTCP_FLAG_FIN);
		rst.flags = XTCP_FLAG_RST | XTCP_FLAG_ACK;
	}
	xtcp_skb_addrs(in, &saddr, &daddr);
	rcu_read_lock();
	ctl_sk = xtcp_ctl_sk(net, &daddr);
	if (ctl_sk) {
		skb = xtcp_alloc_bare(&rst, NULL, &daddr, &saddr);
		if (skb) {
			xtcp_send_direct(net, ctl_sk, skb, &daddr, &saddr,
					 htons(rst.sport), htons(rst.dport),
					 xtcp_skb_iif(in),
					 xtcp_skb_dsfield(in) & ~INET_ECN_MASK,
					 0);
			XTCP_INC_STATS(net, XTCP_MIB_OUTRSTS);
		}
	}
	rcu_read_unlock();
}

/*
 * A SYN-ACK's TOS or traffic class, as tcp_v4_send_synack() and
 * tcp_v6_send_synack(): the listener's (IP_TOS for an IPv4 peer, also
 * of a dual-stack listener, IPV6_TCLASS for an IPv6 one), or with
 * sysctl reflect_tos the DSCP of the SYN and the listener's ECN bits.
 */
static u8 xtcp_synack_tos(const struct xtcp_request *req)
{
	const struct sock *sk = req->listener;
	u8 tos;

	if (xtcp_addr_is_v4(&req->raddr))
		tos = READ_ONCE(inet_sk(sk)->tos);
	else
		tos = READ_ONCE(inet6_sk(sk)->tclass);
	if (READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_reflect_tos))
		tos = (req->syn_tos & ~INET_ECN_MASK) | (tos & INET_ECN_MASK);
	return tos;
}

/**
 * xtcp_send_synack() - send (again) the SYN-ACK of a pending request
 * @req: the request, which does not change under us: a copy, or one
 *	whose owner waits for us (its SYN-ACK timer); no lock is held, for
 *	this allocates and routes
 */
void xtcp_send_synack(const struct xtcp_request *req)
{
	struct sock *sk = req->listener;
	struct xtcp_seg_hdr h = {
		.sport = ntohs(req->lport),
		.dport = ntohs(req->rport),
		.seq = req->iss,
		.ack = req->irs + 1,
		.flags = XTCP_FLAG_SYN | XTCP_FLAG_ACK,
		.window = req->rcv_wnd,
	};
	struct xtcp_opts opts = {};
	struct sk_buff *skb;

	xtcp_syn_opts(&opts, req->advmss, req->wscale_ok, req->rcv_wscale,
		      req->sack_ok);
	if (req->tstamp_ok)
		xtcp_ts_opt(&opts, req->ts_offset, req->ts_recent);
	skb = xtcp_alloc_bare(&h, &opts, &req->laddr, &req->raddr);
	if (skb)
		xtcp_send_direct(sock_net(sk), sk, skb, &req->laddr,
				 &req->raddr, req->lport, req->rport,
				 req->dev_if, xtcp_synack_tos(req), 0);
}

/**
 * xtcp_send_tw_ack() - acknowledge from TIME_WAIT
 * @net: namespace of the entry
 * @tw: the entry; its hash bucket is locked
 *
 * With the DSCP of its socket's TOS or traffic class and its SO_MARK,
 * as tcp_v4_timewait_ack() and tcp_v6_timewait_ack() send tw_tos (or
 * tw_tclass) and tw_mark: ip_send_unicast_reply() and
 * tcp_v6_send_response() clear the ECN bits.  Nothing of the segment
 * answered is reflected, sysctl reflect_tos or not: that sysctl gave an
 * accepted socket its SYN's DSCP, which the entry keeps.
 */
void xtcp_send_tw_ack(struct net *net, const struct xtcp_tw *tw)
{
	struct xtcp_seg_hdr h = {
		.sport = ntohs(tw->lport),
		.dport = ntohs(tw->rport),
		.seq = tw->snd_nxt,
		.ack = tw->rcv_nxt,
		.flags = XTCP_FLAG_ACK,
	};
	struct in6_addr laddr, raddr;
	struct sock *ctl_sk;
	struct sk_buff *skb;

	xtcp_tw_addrs(tw, &laddr, &raddr);
	rcu_read_lock();
	ctl_sk = xtcp_ctl_sk(net, &laddr);
	if (ctl_sk) {
		skb = xtcp_alloc_bare(&h, NULL, &laddr, &raddr);
		if (skb)
			xtcp_send_direct(net, ctl_sk, skb, &laddr, &raddr,
					 tw->lport, tw->rport, 0,
					 tw->tos & ~INET_ECN_MASK, tw->mark);
	}
	rcu_read_unlock();
}
