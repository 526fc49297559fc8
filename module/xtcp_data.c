// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp data: the send queue (sk_write_queue: skbs of up to 64 KiB, cut
 * into segments as they leave, kept until acknowledged: xtcp_ack.c
 * frees them) and the receive queue (sk_receive_queue:
 * in-order payload waiting for recvmsg()), with the socket layer's
 * buffer limits (SO_SNDBUF, SO_RCVBUF) and blocking rules.
 *
 * Segments above rcv_nxt wait in an out-of-order queue and are reported
 * in SACK blocks; when memory runs short, runs of small ones are copied
 * into compact buffers first, then the highest are pruned, and in-order
 * data is always taken while nothing is left to read, so that the
 * segment that fills a hole always gets in.
 *
 * Memory accounting follows the socket layer's protocol memory scheme, as
 * TCP's: queued skbs are charged to sk_forward_alloc (sk_mem_charge()),
 * which borrows whole pages from xtcp_memory_allocated, bounded by
 * sysctl_xtcp_mem (/proc/sys/net/xtcp/mem, pages: below [0] no pressure,
 * above [1] memory pressure, above [2] allocations fail except the
 * minimum each socket is guaranteed).  Sent and received skbs are charged
 * alike; a sender that cannot charge waits for memory as for SO_SNDBUF.
 */
#include <linux/mm.h>
#include <linux/percpu_counter.h>
#include <linux/skbuff.h>
#include <linux/uio.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "xtcp.h"
#include "xtcp_seq.h"

long sysctl_xtcp_mem[3] __read_mostly;
atomic_long_t xtcp_memory_allocated;
struct percpu_counter xtcp_sockets_allocated;
unsigned long xtcp_memory_pressure __read_mostly;
DEFINE_PER_CPU(int, xtcp_memory_per_cpu_fw_alloc);
/*
 * Send and receive buffer sizes, as net.ipv4.tcp_wmem and tcp_rmem: [0]
 * what every socket keeps under memory pressure, [1] a new socket's
 * (the core's default), [2] the most auto-tuning gives one that did not
 * set SO_RCVBUF, and the most the send buffer grows to when an ACK
 * makes room for a writer that waited (xtcp_sndbuf_expand()).
 */
int sysctl_xtcp_wmem[3] __read_mostly = { PAGE_SIZE, 212992, 4 << 20 };
int sysctl_xtcp_rmem[3] __read_mostly = { PAGE_SIZE, 212992, 6 << 20 };

/* Shortest interval over which the reader's pace is measured. */
#define XTCP_RCVQ_MIN_US	10000

/**
 * xtcp_enter_memory_pressure() - xtcp's memory went above sysctl mem[1]
 * @sk: the socket whose allocation crossed it
 *
 * Until memory drops below mem[0], the socket layer moderates send
 * buffers and grants an allocation beyond the guaranteed minimum only
 * to sockets using less than their share.
 */
void xtcp_enter_memory_pressure(struct sock *sk)
{
	WRITE_ONCE(xtcp_memory_pressure, 1);
}

/**
 * xtcp_memory_pages() - pages charged to xtcp sockets now
 *
 * Unlike /proc/net/protocols, which reads the global count only, this
 * adds what each CPU holds back (up to net.core.mem_pcpu_rsv pages), so
 * that a small amount shows, and 0 means nothing is charged.
 *
 * Return: the page count, exact when nothing charges concurrently.
 */
long xtcp_memory_pages(void)
{
	long pages = atomic_long_read(&xtcp_memory_allocated);
	int cpu;

	for_each_possible_cpu(cpu)
		pages += READ_ONCE(per_cpu(xtcp_memory_per_cpu_fw_alloc, cpu));
	return pages;
}

/**
 * xtcp_mem_init() - defaults of sysctl mem, and the socket counter
 *
 * The limits are computed as Linux's tcp_init_mem(): of the memory
 * usable for buffers, 4.68% without pressure, 6.25% before pressure,
 * 9.37% at most.
 *
 * Return: 0 or -ENOMEM.
 */
int xtcp_mem_init(void)
{
	unsigned long limit = max(nr_free_buffer_pages() / 16, 128UL);

	sysctl_xtcp_mem[0] = limit / 4 * 3;
	sysctl_xtcp_mem[1] = limit;
	sysctl_xtcp_mem[2] = sysctl_xtcp_mem[0] * 2;
	return percpu_counter_init(&xtcp_sockets_allocated, 0, GFP_KERNEL);
}

/**
 * xtcp_mem_exit() - undo xtcp_mem_init(), once no socket is left
 */
void xtcp_mem_exit(void)
{
	percpu_counter_destroy(&xtcp_sockets_allocated);
}

/**
 * xtcp_wmem_charge() - account send buffer taken by the write queue
 * @sk: socket, locked
 * @size: bytes of skb truesize added to the queue
 * @force: charge even what xtcp's memory limits refuse
 *
 * sk_wmem_queued is what SO_SNDBUF bounds; the charge comes out of
 * sk_forward_alloc, as sk_wmem_schedule() grants it.  Only the FIN
 * forces its charge, as Linux's tcp_send_fin() does, so that a
 * connection can always end: one small skb per connection.
 *
 * Return: true when charged, false when refused (nothing is charged;
 * the caller waits for memory, or gives up the split).
 */
bool xtcp_wmem_charge(struct sock *sk, int size, bool force)
{
	xtcp_assert_sock_locked(sk);
	if (!sk_wmem_schedule(sk, size) && !force)
		return false;
	sk_wmem_queued_add(sk, size);
	sk_mem_charge(sk, size);
	return true;
}

/**
 * xtcp_wmem_free_skb() - free an skb of the write queue, unlinked
 * @sk: socket, locked
 * @skb: the skb
 */
void xtcp_wmem_free_skb(struct sock *sk, struct sk_buff *skb)
{
	xtcp_assert_sock_locked(sk);
	sk_wmem_queued_add(sk, -skb->truesize);
	sk_mem_uncharge(sk, skb->truesize);
	kfree_skb(skb);
}

/**
 * xtcp_rcv_space() - the receive window @sk can offer now
 * @sk: the socket
 *
 * Half of the free receive buffer, to leave room for skb overhead.
 *
 * Return: the window in bytes, at most what the window scale allows.
 */
int xtcp_rcv_space(const struct sock *sk)
{
	int space = READ_ONCE(sk->sk_rcvbuf) - atomic_read(&sk->sk_rmem_alloc);

	return clamp_t(int, space / 2, 0, xtcp_max_rcv_wnd(xtcp_sk(sk)));
}

/**
 * xtcp_rcv_window() - the receive window to offer now
 * @sk: the socket
 *
 * The free space (xtcp_rcv_space()), but no more than rcv_ssthresh: the
 * window opens as fast as data arrives to fill it, not at once to all
 * the buffer may hold.
 *
 * Return: the window in bytes.
 */
u32 xtcp_rcv_window(const struct sock *sk)
{
	return min_t(u32, xtcp_rcv_space(sk), xtcp_sk(sk)->rcv_ssthresh);
}

/*
 * For an skb that takes more than twice its payload (the window is half
 * the free buffer), as Linux's __tcp_grow_window(): the window may still
 * grow while it is small enough for the largest buffer, rmem[2], to hold
 * it with that overhead.  Returns the step, or 0.
 */
static u32 xtcp_grow_step_costly(const struct xtcp_sock *xs,
				 const struct sk_buff *skb)
{
	u32 window = READ_ONCE(sysctl_xtcp_rmem[2]) / 4;
	u32 truesize = skb->truesize / 4;

	while (xs->rcv_ssthresh <= window) {
		if (truesize <= skb->len)
			return 2 * (xs->rcv_mss ? : xs->advmss);
		truesize >>= 1;
		window >>= 1;
	}
	return 0;
}

/*
 * The receive window's slow start, after Linux's tcp_grow_window(): each
 * segment taken lets rcv_ssthresh grow by two segments, or by twice its
 * own length, up to the free space, unless its skb wastes so much memory
 * that a window that large would not fit the buffer.  A reader that does
 * not read leaves no free space to grow into.
 */
static void xtcp_grow_window(struct sock *sk, const struct sk_buff *skb)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 room = min_t(u32, xtcp_max_rcv_wnd(xs), xtcp_rcv_space(sk));
	u32 incr;

	if (room <= xs->rcv_ssthresh || READ_ONCE(xtcp_memory_pressure))
		return;
	if (skb->truesize / 2 <= skb->len)
		incr = 2 * xs->advmss;
	else
		incr = xtcp_grow_step_costly(xs, skb);
	if (incr)
		xs->rcv_ssthresh += min(room - xs->rcv_ssthresh,
					max_t(u32, incr, 2 * skb->len));
}

/**
 * xtcp_rcv_wnd_left() - what is left of the window last advertised
 * @xs: the socket
 *
 * Return: bytes from rcv_nxt to the advertised right edge.
 */
u32 xtcp_rcv_wnd_left(const struct xtcp_sock *xs)
{
	s32 left = (s32)(xs->rcv_wup + xs->rcv_wnd - xs->rcv_nxt);

	return left > 0 ? left : 0;
}

/**
 * xtcp_inq() - bytes received and not read yet
 * @sk: a connected socket
 *
 * Return: the count, the peer's FIN excluded.
 */
u32 xtcp_inq(const struct sock *sk)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);
	u32 n = READ_ONCE(xs->rcv_nxt) - READ_ONCE(xs->copied_seq);

	if (n && sock_flag(sk, SOCK_DONE))
		n--;
	return n;
}

/**
 * xtcp_write_space() - wake writers once the send queue has room
 * @sk: the socket
 *
 * sk_write_space of xtcp sockets (sk_stream_write_space() is not
 * exported): called when acknowledged segments leave the queue.
 */
void xtcp_write_space(struct sock *sk)
{
	struct socket *sock = sk->sk_socket;
	struct socket_wq *wq;

	if (!sock || !__sk_stream_is_writeable(sk, 1))
		return;
	clear_bit(SOCK_NOSPACE, &sock->flags);
	rcu_read_lock();
	wq = rcu_dereference(sk->sk_wq);
	if (skwq_has_sleeper(wq))
		wake_up_interruptible_poll(&wq->wait, EPOLLOUT | EPOLLWRNORM |
					   EPOLLWRBAND);
	if (wq && wq->fasync_list && !(sk->sk_shutdown & SEND_SHUTDOWN))
		sock_wake_async(wq, SOCK_WAKE_SPACE, POLL_OUT);
	rcu_read_unlock();
}

/**
 * xtcp_sndbuf_expand() - grow the send buffer after an ACK made room
 * @sk: socket, locked, whose writer found the queue full
 *
 * Send buffer auto-tuning, after Linux's tcp_should_expand_sndbuf() and
 * tcp_sndbuf_expand(): when a writer found the queue full and an ACK
 * makes room while cwnd is not full, the buffer grows to two congestion
 * windows of segments, each counted as TCP counts a linear one (a
 * power-of-two buffer with its headers, and the sk_buff), up to sysctl
 * wmem[2]: a sender whose queue runs dry between ACKs is not held back
 * by it.  Not when the user set SO_SNDBUF, nor when xtcp's memory is
 * short.
 */
void xtcp_sndbuf_expand(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 per_seg, segs;
	u64 sndmem;

	if ((sk->sk_userlocks & SOCK_SNDBUF_LOCK) ||
	    sk_under_memory_pressure(sk) ||
	    sk_memory_allocated(sk) >= sk_prot_mem_limits(sk, 0) ||
	    xtcp_in_flight(xs) >= xs->cw.cwnd)
		return;
	per_seg = roundup_pow_of_two(xtcp_seg_size(xs) + XTCP_HEADROOM +
				     SKB_DATA_ALIGN(sizeof(struct skb_shared_info))) +
		  SKB_DATA_ALIGN(sizeof(struct sk_buff));
	segs = max3(XTCP_IW10, xs->cw.cwnd, xs->reordering + 1U);
	sndmem = min_t(u64, 2ULL * segs * per_seg,
		       READ_ONCE(sysctl_xtcp_wmem[2]));
	if (sndmem > READ_ONCE(sk->sk_sndbuf))
		WRITE_ONCE(sk->sk_sndbuf, sndmem);
}

/* A received skb that holds little more memory than data. */
static bool xtcp_skb_compact(const struct sk_buff *skb)
{
	return skb->truesize - skb->len <= skb->len / 4;
}

/*
 * Copy the skbs of @q from @skb on that start before @end (in sequence
 * order, without gaps, each holding just its bytes) into linear skbs of
 * up to a page put in their place, as Linux's tcp_collapse(): a segment
 * may have come in a buffer several times its payload.  Out of memory,
 * it stops at an skb boundary: the copies of a part of an skb go.
 */
static void xtcp_collapse(struct sock *sk, struct sk_buff_head *q,
			  struct sk_buff *skb, u32 end)
{
	struct sk_buff *nskb = NULL, *next;
	u32 off = 0, n;

	while (skb != (struct sk_buff *)q &&
	       xtcp_seq_before(XTCP_SKB_CB(skb)->seq, end)) {
		if (!nskb || !skb_tailroom(nskb)) {
			n = min_t(u32, end - XTCP_SKB_CB(skb)->seq - off,
				  SKB_MAX_HEAD(0));
			nskb = alloc_skb(n, GFP_ATOMIC);
			if (!nskb)
				break;
			XTCP_SKB_CB(nskb)->seq = XTCP_SKB_CB(skb)->seq + off;
			XTCP_SKB_CB(nskb)->end_seq = XTCP_SKB_CB(nskb)->seq;
			__skb_queue_before(q, skb, nskb);
			skb_set_owner_r(nskb, sk);
		}
		n = min_t(u32, skb_tailroom(nskb), skb->len - off);
		if (skb_copy_bits(skb, off, skb_put(nskb, n), n)) {
			/* Cannot happen: @skb holds these bytes. */
			__skb_trim(nskb, nskb->len - n);
			break;
		}
		XTCP_SKB_CB(nskb)->end_seq += n;
		off += n;
		if (off < skb->len)
			continue;
		next = skb->next;
		__skb_unlink(skb, q);
		consume_skb(skb);
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_RCVCOLLAPSED);
		skb = next;
		off = 0;
	}
	/* The last copies before @skb hold its first @off bytes. */
	while (off) {
		nskb = skb->prev;
		n = min(off, nskb->len);
		__skb_trim(nskb, nskb->len - n);
		XTCP_SKB_CB(nskb)->end_seq -= n;
		off -= n;
		if (!nskb->len) {
			__skb_unlink(nskb, q);
			kfree_skb(nskb);
		}
	}
}

/*
 * The receive buffer is full.  A segment may have come in a buffer that
 * holds several times its payload (a 1448-byte segment off veth can take
 * 4 KiB, a small one still more), so that the window offered from the
 * free space (xtcp_rcv_space()) would not fit: copy the unread data of
 * such skbs into page-sized ones.  Called from segment processing, in
 * softirq or from the backlog: a reader asleep in recvmsg() walks the
 * queue afresh when it wakes, so replacing skbs under it is safe.
 */
static void xtcp_rcv_collapse(struct sock *sk)
{
	struct sk_buff_head *q = &sk->sk_receive_queue;
	struct sk_buff *skb;

	xtcp_assert_sock_locked(sk);
	skb_queue_walk(q, skb)
		if (!xtcp_skb_compact(skb))
			break;
	xtcp_collapse(sk, q, skb, xtcp_sk(sk)->rcv_nxt);
}

/*
 * The same for the out-of-order queue, as Linux's
 * tcp_collapse_ofo_queue(): each run of adjacent skbs is copied from
 * its first skb that is not compact on, so that a peer sending tiny
 * segments beyond a hole does not fill the buffer with their overhead.
 * A run of one small skb would not shrink: those are passed over, and
 * once they add up to an eighth of the buffer the walk stops, which
 * bounds the work one segment causes (CVE-2018-5390); pruning
 * (xtcp_ooo_prune()) deals with them.
 */
static void xtcp_ooo_collapse(struct sock *sk)
{
	struct sk_buff_head *q = &xtcp_sk(sk)->ooo_queue;
	struct sk_buff *skb = skb_peek(q), *from;
	u32 end, len, tiny = 0;
	unsigned int n;

	while (skb) {
		from = NULL;
		len = 0;
		n = 0;
		do {
			if (!from && !xtcp_skb_compact(skb))
				from = skb;
			if (from) {
				len += skb->len;
				n++;
			}
			end = XTCP_SKB_CB(skb)->end_seq;
			skb = skb_queue_is_last(q, skb) ? NULL : skb->next;
		} while (skb && XTCP_SKB_CB(skb)->seq == end);
		if (!from)
			continue;
		if (n == 1 && len < SKB_MAX_HEAD(0)) {
			tiny += from->truesize;
			if (tiny > READ_ONCE(sk->sk_rcvbuf) >> 3)
				return;
			continue;
		}
		xtcp_collapse(sk, q, from, end);
	}
}

static bool xtcp_rmem_fits(const struct sock *sk, unsigned int truesize)
{
	return atomic_read(&sk->sk_rmem_alloc) + truesize <=
	       READ_ONCE(sk->sk_rcvbuf);
}

/*
 * Drop out-of-order data from the highest sequence number down until
 * @truesize more bytes fit, but only data above @seq: what lies below
 * is nearer rcv_nxt, worth more than what would take its place (Linux's
 * tcp_prune_ofo_queue()).  The peer sends it again; our SACK blocks
 * stop reporting it.
 */
static void xtcp_ooo_prune(struct sock *sk, u32 seq, unsigned int truesize)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb;

	while (!xtcp_rmem_fits(sk, truesize) &&
	       (skb = skb_peek_tail(&xs->ooo_queue)) &&
	       xtcp_seq_after(XTCP_SKB_CB(skb)->seq, seq)) {
		__skb_unlink(skb, &xs->ooo_queue);
		xtcp_sack_forget_above(&xs->sack, XTCP_SKB_CB(skb)->seq);
		kfree_skb(skb);
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_OFOPRUNED);
	}
}

/*
 * Whether @truesize more bytes, for data at @seq, fit the receive
 * buffer: after collapsing both queues, then after pruning out-of-order
 * data above @seq, if they did not at first.
 */
static bool xtcp_rmem_room(struct sock *sk, u32 seq, unsigned int truesize)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (xtcp_rmem_fits(sk, truesize))
		return true;
	xtcp_ooo_collapse(sk);
	xtcp_rcv_collapse(sk);
	if (xtcp_rmem_fits(sk, truesize))
		return true;
	/* The window outgrew the memory: start it over, as tcp_prune_queue(). */
	xs->rcv_ssthresh = min_t(u32, xs->rcv_ssthresh, 4U * xs->advmss);
	xtcp_ooo_prune(sk, seq, truesize);
	return xtcp_rmem_fits(sk, truesize);
}

/*
 * Keep a segment that arrived above rcv_nxt, trimmed of what the queue
 * holds already, and report it in our SACK blocks.  A segment carrying a
 * FIN is not kept (the FIN would need the state machine once the hole
 * fills): the peer sends it again.  Returns true when @skb was kept.
 */
static bool xtcp_ooo_queue(struct sock *sk, struct sk_buff *skb,
			   unsigned int doff)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *prev = NULL, *next;
	u32 seq = cb->seq, end;

	if (cb->flags & XTCP_FLAG_FIN)
		return false;
	if (!xtcp_rmem_room(sk, seq, skb->truesize) ||
	    !sk_rmem_schedule(sk, skb, skb->truesize)) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_OFODROP);
		return false;
	}
	end = seq + skb->len - doff;

	/* The last segment starting at or before ours. */
	skb_queue_reverse_walk(&xs->ooo_queue, next) {
		if (!xtcp_seq_after(XTCP_SKB_CB(next)->seq, seq)) {
			prev = next;
			break;
		}
	}
	if (prev && xtcp_seq_after(XTCP_SKB_CB(prev)->end_seq, seq)) {
		if (!xtcp_seq_after(end, XTCP_SKB_CB(prev)->end_seq))
			return false;	/* held already */
		doff += XTCP_SKB_CB(prev)->end_seq - seq;
		seq = XTCP_SKB_CB(prev)->end_seq;
	}
	next = prev ? (skb_queue_is_last(&xs->ooo_queue, prev) ? NULL :
		       prev->next) : skb_peek(&xs->ooo_queue);
	if (next && xtcp_seq_before(XTCP_SKB_CB(next)->seq, end))
		end = XTCP_SKB_CB(next)->seq;
	if (!xtcp_seq_before(seq, end))
		return false;	/* held already */
	if (!pskb_pull(skb, doff) || pskb_trim(skb, end - seq))
		return false;

	/* Held now: from the segment's start (the part below seq is
	 * prev's) to end, not beyond, which may not be held.
	 */
	if (xs->sack_ok)
		xtcp_sack_add(&xs->sack, cb->seq, end);
	cb->seq = seq;
	cb->end_seq = end;
	skb_dst_drop(skb);
	skb_set_owner_r(skb, sk);
	if (prev)
		__skb_queue_after(&xs->ooo_queue, prev, skb);
	else
		__skb_queue_head(&xs->ooo_queue, skb);
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_OFOQUEUE);
	xtcp_grow_window(sk, skb);
	return true;
}

/* rcv_nxt moved: take what it reached from the out-of-order queue. */
static void xtcp_ooo_drain(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_skb_cb *cb;
	struct sk_buff *skb;

	while ((skb = skb_peek(&xs->ooo_queue))) {
		cb = XTCP_SKB_CB(skb);
		if (xtcp_seq_after(cb->seq, xs->rcv_nxt))
			break;
		__skb_unlink(skb, &xs->ooo_queue);
		if (!xtcp_seq_after(cb->end_seq, xs->rcv_nxt)) {
			kfree_skb(skb);
			continue;
		}
		if (!pskb_pull(skb, xs->rcv_nxt - cb->seq)) {
			kfree_skb(skb);
			continue;
		}
		cb->seq = xs->rcv_nxt;
		xs->rcv_nxt = cb->end_seq;
		__skb_queue_tail(&sk->sk_receive_queue, skb);
	}
}

/*
 * The largest segment the peer sends, for delayed ACKs: a GSO skb
 * (from loopback or veth) tells its segments' size in gso_size, which
 * counts their header (xtcp_offload.c).
 */
static void xtcp_measure_rcv_mss(struct xtcp_sock *xs,
				 const struct sk_buff *skb,
				 unsigned int doff, u32 payload)
{
	u32 seg = skb_shinfo(skb)->gso_size;

	seg = seg > doff ? seg - doff : payload;
	if (seg > xs->rcv_mss)
		xs->rcv_mss = min_t(u32, seg, U16_MAX);
}

/*
 * Receive buffer auto-tuning, after Linux's tcp_rcv_space_adjust(): once
 * per interval of max(SRTT, 10 ms), when the reader took more than in
 * any interval before, the buffer grows to four times that (the window
 * offered is half the free buffer, and skbs hold more than their
 * payload), up to sysctl rmem[2]: a sender the reader keeps up with is
 * never held back by the window.  Not when the user set SO_RCVBUF.
 */
static void xtcp_rcv_space_adjust(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 now = xtcp_clock_us(), copied;
	u64 rcvbuf;

	if (!xs->rcvq_time_us)
		goto restart;
	if (now - xs->rcvq_time_us < max_t(u32, xs->rtt.srtt_us,
					   XTCP_RCVQ_MIN_US))
		return;
	copied = xs->copied_seq - xs->rcvq_seq;
	if (copied <= xs->rcvq_space)
		goto restart;
	xs->rcvq_space = copied;
	if ((sk->sk_userlocks & SOCK_RCVBUF_LOCK) ||
	    READ_ONCE(xtcp_memory_pressure))
		goto restart;
	rcvbuf = min_t(u64, 4ULL * copied, READ_ONCE(sysctl_xtcp_rmem[2]));
	if (rcvbuf > READ_ONCE(sk->sk_rcvbuf))
		WRITE_ONCE(sk->sk_rcvbuf, rcvbuf);
restart:
	xs->rcvq_seq = xs->copied_seq;
	xs->rcvq_time_us = now;
}

/**
 * xtcp_queue_data() - take the payload of a segment into the receive queue
 * @sk: socket, locked, in a state that receives data
 * @skb: the segment, header at skb->data
 * @doff: header length
 *
 * What was received before is trimmed; a segment beyond rcv_nxt waits in
 * the out-of-order queue until the bytes before it arrive.
 *
 * Return: true when @skb was queued (and now belongs to a queue).
 */
bool xtcp_queue_data(struct sock *sk, struct sk_buff *skb, unsigned int doff)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 payload = skb->len - doff;
	u32 trim;

	xtcp_assert_sock_locked(sk);
	if (xtcp_seq_after(cb->seq, xs->rcv_nxt))
		return xtcp_ooo_queue(sk, skb, doff);
	trim = xs->rcv_nxt - cb->seq;
	if (trim >= payload)
		return false;
	/*
	 * Taken while the buffer is not over, once both queues are
	 * collapsed and out-of-order data pruned if need be, as Linux's
	 * tcp_try_rmem_schedule(): the skb itself may overrun it, and is
	 * collapsed right after.  The window offered, half the free
	 * buffer, then fits unless it is a few KiB: a window's worth of
	 * bytes collapsed takes at most 1.25 times as much and a partly
	 * filled page.  With
	 * nothing left to read, it is taken whatever the buffer holds, as
	 * Linux's tcp_data_queue() does: out-of-order data can fill the
	 * buffer, and the segment that fills the hole before it must
	 * never be dropped on every retransmission for that.
	 */
	if (skb_queue_empty(&sk->sk_receive_queue)) {
		sk_rmem_schedule(sk, skb, skb->truesize);
	} else if (!xtcp_rmem_room(sk, xs->rcv_nxt, 0) ||
		   !sk_rmem_schedule(sk, skb, skb->truesize)) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_RCVQDROP);
		return false;
	}

	xtcp_measure_rcv_mss(xs, skb, doff, payload);
	/* A GSO skb (xtcp_offload.c) holds its payload in its frag list. */
	if (!pskb_pull(skb, doff + trim))
		return false;
	cb->seq = xs->rcv_nxt;
	cb->end_seq = cb->seq + skb->len;
	xs->rcv_nxt = cb->end_seq;
	xs->lrcvtime = jiffies;
	skb_dst_drop(skb);
	skb_set_owner_r(skb, sk);
	__skb_queue_tail(&sk->sk_receive_queue, skb);
	/* Not for tiny segments: as Linux, whose test is 128 bytes. */
	if (skb->len >= 128)
		xtcp_grow_window(sk, skb);
	if (atomic_read(&sk->sk_rmem_alloc) > READ_ONCE(sk->sk_rcvbuf))
		xtcp_rcv_collapse(sk);
	if (!skb_queue_empty(&xs->ooo_queue))
		xtcp_ooo_drain(sk);
	if (xs->sack_ok)
		xtcp_sack_advance(&xs->sack, xs->rcv_nxt);
	if (!sock_flag(sk, SOCK_DEAD))
		sk->sk_data_ready(sk);
	return true;
}

/*
 * The unsent last skb of the queue, if it has room for more data (up to
 * @goal bytes): writes fill it, and small ones held by Nagle or cork do
 * not each make a segment of their own.
 */
static struct sk_buff *xtcp_tail_to_fill(struct sock *sk, u32 goal)
{
	struct sk_buff *tail = skb_peek_tail(&sk->sk_write_queue);
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (!tail || !xs->send_head ||
	    (XTCP_SKB_CB(tail)->flags & (XTCP_FLAG_SYN | XTCP_FLAG_FIN)) ||
	    tail->len >= goal)
		return NULL;
	return tail;
}

/*
 * A new segment at the tail of the queue, holding no data yet, with
 * memory granted for @payload bytes of it besides; NULL when memory is
 * short.  Its payload will be in page frags only.
 */
static struct sk_buff *xtcp_new_tail(struct sock *sk, u32 payload)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb;

	skb = alloc_skb(XTCP_HEADROOM, sk->sk_allocation);
	if (!skb)
		return NULL;
	if (!sk_wmem_schedule(sk, skb->truesize + payload)) {
		kfree_skb(skb);
		return NULL;
	}
	skb_reserve(skb, XTCP_HEADROOM);
	/* The payload is never summed in software while queued. */
	skb->ip_summed = CHECKSUM_PARTIAL;
	XTCP_SKB_CB(skb)->seq = xs->write_seq;
	XTCP_SKB_CB(skb)->end_seq = xs->write_seq;
	XTCP_SKB_CB(skb)->flags = XTCP_FLAG_PSH;
	__skb_queue_tail(&sk->sk_write_queue, skb);
	/* Granted above: the charge cannot fail. */
	xtcp_wmem_charge(sk, skb->truesize, true);
	if (!xs->send_head)
		xs->send_head = skb;
	return skb;
}

/* @len bytes just added to @skb, the last segment: charge and count them. */
static void xtcp_charge_payload(struct sock *sk, struct sk_buff *skb, u32 len)
{
	skb_len_add(skb, len);
	sk_wmem_queued_add(sk, len);
	sk_mem_charge(sk, len);
	XTCP_SKB_CB(skb)->end_seq += len;
	xtcp_sk(sk)->write_seq += len;
}

/*
 * Queue what the socket's page fragment holds of @msg, as TCP does:
 * one copy into the fragment, whose bytes then go to skbs of up to
 * xtcp_size_goal() bytes, the tail's room first.  A queued skb is a
 * small head and references to those pages, which the skbs sent share.
 * Returns the bytes taken, or -ENOMEM (the caller waits for memory) or
 * -EFAULT.
 */
static int xtcp_queue_msg(struct sock *sk, struct msghdr *msg)
{
	struct page_frag *pfrag = sk_page_frag(sk);
	u32 goal = xtcp_size_goal(sk);
	u32 chunk, off, left, take;
	struct sk_buff *skb;

	if (!sk_page_frag_refill(sk, pfrag))
		return -ENOMEM;
	chunk = min_t(size_t, msg_data_left(msg),
		      pfrag->size - pfrag->offset);
	if (!sk_wmem_schedule(sk, chunk))
		return -ENOMEM;
	off = pfrag->offset;
	chunk = copy_from_iter(page_address(pfrag->page) + off, chunk,
			       &msg->msg_iter);
	if (!chunk)
		return -EFAULT;
	/* Every charge below was granted by sk_wmem_schedule() first. */
	for (left = chunk; left; left -= take, off += take) {
		skb = xtcp_tail_to_fill(sk, goal);
		take = skb ? min(left, goal - skb->len) : 0;
		if (skb && (!sk_wmem_schedule(sk, take) ||
			    skb_append_pagefrags(skb, pfrag->page, off, take)))
			skb = NULL;
		if (!skb) {
			take = min(left, goal);
			skb = xtcp_new_tail(sk, take);
			if (!skb)
				break;
			/* An empty skb has all its frags free. */
			skb_append_pagefrags(skb, pfrag->page, off, take);
		}
		xtcp_charge_payload(sk, skb, take);
	}
	/* Out of memory for a segment: the rest is not taken. */
	iov_iter_revert(&msg->msg_iter, left);
	pfrag->offset += chunk - left;
	return chunk - left ? : -ENOMEM;
}

/**
 * xtcp_sendmsg() - queue user data and send what the window allows
 * @sk: the socket
 * @msg: the data
 * @len: its length
 *
 * Return: bytes queued, or a negative errno (EPIPE with SIGPIPE unless
 * MSG_NOSIGNAL, as TCP).
 */
int xtcp_sendmsg(struct sock *sk, struct msghdr *msg, size_t len)
{
	unsigned int more = msg->msg_flags & MSG_MORE ? XTCP_NAGLE_CORK : 0;
	size_t copied = 0;
	long timeo;
	int err;

	lock_sock(sk);
	timeo = sock_sndtimeo(sk, msg->msg_flags & MSG_DONTWAIT);
	if (!((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT))) {
		err = sk_stream_wait_connect(sk, &timeo);
		if (err)
			goto out_err;
	}
	while (msg_data_left(msg)) {
		err = -EPIPE;
		if (sk->sk_err || (sk->sk_shutdown & SEND_SHUTDOWN))
			goto out_err;
		err = sk_stream_memory_free(sk) ? xtcp_queue_msg(sk, msg) :
						    -ENOMEM;
		if (err == -ENOMEM) {
			/* SO_SNDBUF full, or xtcp's memory limits. */
			xtcp_push(sk);
			err = sk_stream_wait_memory(sk, &timeo);
			if (err)
				goto out_err;
			continue;
		}
		if (err < 0)
			goto out_err;
		copied += err;
	}
	xtcp_push_mode(sk, xtcp_sk(sk)->nonagle | more);
	release_sock(sk);
	return copied;

out_err:
	xtcp_push(sk);
	if (copied) {
		release_sock(sk);
		return copied;
	}
	if (sk->sk_err && err == -EPIPE)
		err = sock_error(sk);
	err = sk_stream_error(sk, msg->msg_flags, err);
	release_sock(sk);
	return err;
}

/*
 * After the user read: tell the peer at once when the window it may
 * still use at least doubled, and by a segment or more (against silly
 * windows), as Linux's tcp_cleanup_rbuf() does, rather than leave it
 * to a delayed ACK or a persist probe.
 */
static void xtcp_window_update(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 step = min_t(u32, xs->rcv_mss ? : xs->advmss,
			 xtcp_max_rcv_wnd(xs) / 2);
	u32 left = xtcp_rcv_wnd_left(xs);
	u32 space = xtcp_rcv_window(sk);

	if ((1 << sk->sk_state) &
	    (TCPF_ESTABLISHED | TCPF_FIN_WAIT1 | TCPF_FIN_WAIT2) &&
	    space >= left + step && space >= 2 * left)
		xtcp_send_ack(sk);
}

/* No data: why recvmsg() stops, as a return value, or 0 to wait. */
static int xtcp_recv_stop(struct sock *sk, long timeo)
{
	if (sock_flag(sk, SOCK_DONE))
		return 1;
	if (sk->sk_err)
		return sock_error(sk);
	if (sk->sk_shutdown & RCV_SHUTDOWN)
		return 1;
	if (sk->sk_state == TCP_CLOSE)
		return -ENOTCONN;
	if (!timeo)
		return -EAGAIN;
	if (signal_pending(current))
		return sock_intr_errno(timeo);
	return 0;
}

/**
 * xtcp_recvmsg() - read from the receive queue
 * @sk: the socket
 * @msg: where to copy
 * @len: most bytes to copy
 * @flags: MSG_PEEK, MSG_WAITALL, MSG_DONTWAIT
 * @addr_len: unused (stream)
 *
 * Return: bytes copied, 0 at end of stream, or a negative errno.
 */
int xtcp_recvmsg(struct sock *sk, struct msghdr *msg, size_t len,
		 int flags, int *addr_len)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	bool peek = flags & MSG_PEEK;
	struct sk_buff *skb, *last;
	int copied = 0, target, stop;
	u32 seq, offset, used;
	long timeo;

	lock_sock(sk);
	copied = -ENOTCONN;
	if (sk->sk_state == TCP_LISTEN)
		goto out;
	copied = 0;
	timeo = sock_rcvtimeo(sk, flags & MSG_DONTWAIT);
	target = sock_rcvlowat(sk, flags & MSG_WAITALL, len);
	seq = xs->copied_seq;

	while (copied < len) {
		/*
		 * sk_wait_data() drops the lock: another reader, or a
		 * disconnect, may have moved copied_seq meanwhile, and an
		 * offset from a stale seq would copy memory outside the skb.
		 * Go on from copied_seq, as tcp_recvmsg() does.
		 */
		if (!peek || seq - xs->copied_seq > xs->rcv_nxt - xs->copied_seq)
			seq = xs->copied_seq;
		last = NULL;
		skb_queue_walk(&sk->sk_receive_queue, skb) {
			last = skb;
			if (xtcp_seq_before(seq, XTCP_SKB_CB(skb)->end_seq))
				break;
		}
		if (skb != (struct sk_buff *)&sk->sk_receive_queue) {
			offset = seq - XTCP_SKB_CB(skb)->seq;
			used = min_t(u32, skb->len - offset, len - copied);
			if (skb_copy_datagram_msg(skb, offset, msg, used)) {
				copied = copied ? : -EFAULT;
				break;
			}
			seq += used;
			copied += used;
			if (!peek) {
				xs->copied_seq = seq;
				if (offset + used == skb->len)
					sk_eat_skb(sk, skb);
			}
			continue;
		}
		if (copied >= target)
			break;
		stop = xtcp_recv_stop(sk, timeo);
		if (stop) {
			if (!copied && stop < 0)
				copied = stop;
			break;
		}
		sk_wait_data(sk, &timeo, last);
	}
	if (!peek && copied > 0) {
		xtcp_rcv_space_adjust(sk);
		xtcp_window_update(sk);
	}
out:
	release_sock(sk);
	return copied;
}
