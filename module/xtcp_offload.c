// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp segmentation offload: queued data leaves in GSO skbs of many segments.
 *
 * Each segment handed to IP on its own pays for routing, the qdisc, the
 * device and, on the receiving host, the whole input path; TCP pays that
 * once per 64 KiB with TSO/GSO.  xtcp does the same:
 *
 * - xtcp_gso_add() and xtcp_gso_seal() build the GSO skb: a head that
 *   holds the xtcp header of the run's first segment, and page frags
 *   that reference the payload of all of them, in order, where the write
 *   queue keeps it (xtcp_queue_msg()).  Consecutive payloads lie next to
 *   each other in the socket's page fragment, so a run of 45 segments
 *   takes a few frags.  Read whole, the skb is one large segment: what a
 *   device that takes it hands the receiver.
 * - It is typed SKB_GSO_FRAGLIST, the one GSO type no NIC offers (only
 *   software devices: loopback, veth, bridges, tunnels take it whole),
 *   so that no NIC is ever asked to segment or checksum a protocol it
 *   does not know.  Its segments are in its frags, not in a frag list:
 *   the core only checks the device's features for the type.
 * - xtcp_gso_segment(), the net_offload callback, cuts it up in front of
 *   any other device, with skb_segment() as TCP's does, and gives each
 *   segment its sequence number, flags and checksum, finished in
 *   software unless the device has NETIF_F_HW_CSUM.
 *
 * gso_size counts the xtcp header with the payload: for this GSO type
 * skb_gso_transport_seglen() adds no transport header, and IP's MTU
 * checks (forwarding, ip_finish_output_gso()) must see the real size.
 * The receiver needs nothing more than taking the large skb as one
 * segment; it learns the sender's segment size from gso_size.
 *
 * Runs on the transmit path, in any context; touches no socket.
 */
#include <linux/skbuff.h>
#include <asm/unaligned.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ipv6.h>
#include <net/protocol.h>

#include "xtcp.h"
#include "xtcp_wire.h"

/**
 * xtcp_gso_capable() - may @sk send runs of segments as one GSO skb?
 * @sk: socket, locked
 *
 * Its route must take (or segment in software) SKB_GSO_FRAGLIST skbs:
 * over IPv4 and IPv6 alike, for which the GSO callback is registered.
 *
 * Return: true when xtcp_gso_add() may be used.
 */
bool xtcp_gso_capable(const struct sock *sk)
{
	xtcp_assert_sock_locked(sk);
	return sk_can_gso(sk) && sk->sk_gso_max_segs > 1;
}

/**
 * xtcp_gso_add() - add the payload of a queued skb to a GSO skb
 * @run: the GSO skb being built, its head holding no data
 * @seg: a queued skb, its payload in page frags only
 *
 * A frag that continues the last one of @run in the same page extends
 * it; each other one takes a frag of @run and a reference on its page.
 *
 * Return: false, with @run unchanged, when @run may not have frags left
 * for @seg's payload.
 */
bool xtcp_gso_add(struct sk_buff *run, const struct sk_buff *seg)
{
	const struct skb_shared_info *from = skb_shinfo(seg);
	const skb_frag_t *f;
	unsigned int i;

	/* So that no append below can fail half-way. */
	if (skb_shinfo(run)->nr_frags + from->nr_frags > MAX_SKB_FRAGS)
		return false;
	for (i = 0; i < from->nr_frags; i++) {
		f = &from->frags[i];
		skb_append_pagefrags(run, skb_frag_page(f), skb_frag_off(f),
				     skb_frag_size(f));
	}
	run->len += seg->len;
	run->data_len += seg->len;
	run->truesize += seg->len;
	return true;
}

/**
 * xtcp_gso_seal() - mark a built GSO skb for segmentation
 * @run: the GSO skb, its xtcp header of @doff bytes pushed
 * @doff: that header's length
 * @mss: payload of every segment but the last
 */
void xtcp_gso_seal(struct sk_buff *run, unsigned int doff, unsigned int mss)
{
	struct skb_shared_info *shinfo = skb_shinfo(run);

	shinfo->gso_size = doff + mss;
	shinfo->gso_type = SKB_GSO_FRAGLIST;
	shinfo->gso_segs = DIV_ROUND_UP(run->len - doff, mss);
}

/* The sum of @seg's pseudo-header, IPv4's or IPv6's, folded with @base. */
static __sum16 xtcp_gso_pseudo_csum(const struct sk_buff *seg, u32 len,
				    __wsum base)
{
	const struct ipv6hdr *ip6h;
	const struct iphdr *iph;

	if (ip_hdr(seg)->version == 4) {
		iph = ip_hdr(seg);
		return csum_tcpudp_magic(iph->saddr, iph->daddr, len,
					 iph->protocol, base);
	}
	ip6h = ipv6_hdr(seg);
	return csum_ipv6_magic(&ip6h->saddr, &ip6h->daddr, len, xtcp_protocol,
			       base);
}

/*
 * Finish @seg, cut from a GSO skb at @off bytes of payload, its header a
 * copy of the run's: its sequence number, PSH on the run's last segment
 * only (@last), and its checksum.
 */
static void xtcp_gso_finish(struct sk_buff *seg, u32 off, bool last,
			    netdev_features_t features)
{
	unsigned int thoff = skb_transport_offset(seg);
	unsigned int len = seg->len - thoff;
	u8 *th = skb_transport_header(seg);
	struct xtcp_seg_hdr h;
	__sum16 check;

	xtcp_hdr_decode(&h, th, len);	/* checked on the GSO skb */
	h.seq += off;
	if (!last)
		h.flags &= ~XTCP_FLAG_PSH;
	h.check = 0;
	xtcp_hdr_encode(th, &h);
	if (features & NETIF_F_HW_CSUM) {
		seg->ip_summed = CHECKSUM_PARTIAL;
		seg->csum_start = th - seg->head;
		seg->csum_offset = XTCP_CSUM_OFFSET;
		check = ~xtcp_gso_pseudo_csum(seg, len, 0);
	} else {
		seg->ip_summed = CHECKSUM_NONE;
		check = xtcp_gso_pseudo_csum(seg, len,
					     skb_checksum(seg, thoff, len, 0));
	}
	put_unaligned(check, (__sum16 *)(th + XTCP_CSUM_OFFSET));
}

/*
 * The net_offload callback: @skb's data starts at the xtcp header of
 * its head.  skb_segment() copies the link-layer, IP and xtcp headers
 * into every segment and gives it its share of the payload (by
 * reference, or copied for a device without scatter-gather);
 * inet_gso_segment() then numbers the IP headers, ipv6_gso_segment()
 * sets their payload lengths (past any extension headers).  The checksum is
 * always xtcp's to finish (NETIF_F_HW_CSUM keeps skb_segment() from
 * summing), and partial segmentation is not for xtcp.
 */
static struct sk_buff *xtcp_gso_segment(struct sk_buff *skb,
					netdev_features_t features)
{
	struct sk_buff *segs, *seg;
	struct xtcp_seg_hdr h;
	unsigned int mss;
	u32 off = 0;

	if (!(skb_shinfo(skb)->gso_type & SKB_GSO_FRAGLIST) ||
	    skb_has_frag_list(skb) ||
	    xtcp_hdr_decode(&h, skb->data, skb_headlen(skb)) ||
	    skb_shinfo(skb)->gso_size <= h.doff)
		return ERR_PTR(-EINVAL);
	mss = skb_shinfo(skb)->gso_size - h.doff;
	__skb_pull(skb, h.doff);
	skb_shinfo(skb)->gso_size = mss;
	/* It leaves @skb's data at the link-layer header, as callers expect. */
	segs = skb_segment(skb, (features | NETIF_F_HW_CSUM) &
				~NETIF_F_GSO_PARTIAL);
	skb_shinfo(skb)->gso_size = mss + h.doff;
	if (IS_ERR(segs))
		return segs;
	for (seg = segs; seg; seg = seg->next, off += mss)
		xtcp_gso_finish(seg, off, !seg->next, features);
	return segs;
}

static const struct net_offload xtcp_offload = {
	.callbacks = {
		.gso_segment = xtcp_gso_segment,
	},
};

/**
 * xtcp_offload_init() - register xtcp's GSO callback for its protocol
 *
 * For IPv4, then IPv6; undone in reverse by xtcp_offload_exit().
 *
 * Return: 0, or -EBUSY when the protocol number has an offload already.
 */
int xtcp_offload_init(void)
{
	if (inet_add_offload(&xtcp_offload, xtcp_protocol))
		return -EBUSY;
	if (inet6_add_offload(&xtcp_offload, xtcp_protocol)) {
		inet_del_offload(&xtcp_offload, xtcp_protocol);
		return -EBUSY;
	}
	return 0;
}

/**
 * xtcp_offload_exit() - unregister it; waits for callers to finish
 */
void xtcp_offload_exit(void)
{
	inet6_del_offload(&xtcp_offload, xtcp_protocol);
	inet_del_offload(&xtcp_offload, xtcp_protocol);
}
