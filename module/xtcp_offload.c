// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp segmentation offload: a run of queued segments leaves as one skb.
 *
 * Each segment handed to IP on its own pays for routing, the qdisc, the
 * device and, on the receiving host, the whole input path; TCP pays that
 * once per 64 KiB with TSO/GSO.  xtcp does the same with the frag-list
 * flavour of GSO, SKB_GSO_FRAGLIST, which only software devices
 * (loopback, veth, bridges) take whole, so that no NIC is ever asked to
 * segment or checksum a protocol it does not know:
 *
 * - xtcp_gso_append() and xtcp_gso_seal() build the GSO skb: a head that
 *   holds only an xtcp header, followed by a frag list of clones of the
 *   queued segments.  Each clone carries its own complete xtcp header in
 *   its headroom, outside its data: read whole, the skb is one large
 *   segment (what a device that takes it hands the receiver), and cut
 *   along its frag list it is exactly the segments one by one.  The
 *   clones are of segments never sent before, which nobody else has
 *   cloned, so the header may go into the headroom they share with the
 *   write queue.
 * - xtcp_gso_segment(), the net_offload callback, cuts it up in front of
 *   a device that does not take it whole: skb_segment_list() gives every
 *   clone the head's link-layer header and metadata, the header-only
 *   head is dropped, and each segment gets the head's IP header (which
 *   inet_gso_segment() then numbers) and its checksum, finished in
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
#include <net/protocol.h>

#include "xtcp.h"
#include "xtcp_wire.h"

/**
 * xtcp_gso_capable() - may @sk send runs of segments as one GSO skb?
 * @sk: socket, locked
 *
 * Its route must take (or segment in software) SKB_GSO_FRAGLIST skbs.
 * IP options would make the IP header of the head and of the segments
 * differ in length, so they turn runs off.
 *
 * Return: true when xtcp_gso_append() may be used.
 */
bool xtcp_gso_capable(const struct sock *sk)
{
	return sk_can_gso(sk) && sk->sk_gso_max_segs > 1 &&
	       !rcu_access_pointer(inet_sk(sk)->inet_opt);
}

/**
 * xtcp_gso_append() - add a segment to the frag list of a GSO skb
 * @head: the GSO skb being built, header not yet pushed
 * @tail: where the next segment links in (the last one's ->next)
 * @seg: a clone of a queued segment, its xtcp header pushed at ->data
 * @doff: length of that header
 *
 * The header stays in @seg's headroom, where skb_segment_list() finds
 * it through the network header set here.
 *
 * Return: where the segment after @seg links in.
 */
struct sk_buff **xtcp_gso_append(struct sk_buff *head, struct sk_buff **tail,
				 struct sk_buff *seg, unsigned int doff)
{
	__skb_pull(seg, doff);
	skb_set_network_header(seg, -(int)(doff + sizeof(struct iphdr)));
	*tail = seg;
	head->len += seg->len;
	head->data_len += seg->len;
	head->truesize += seg->truesize;
	skb_shinfo(head)->gso_segs++;
	return &seg->next;
}

/**
 * xtcp_gso_seal() - mark a built GSO skb for segmentation
 * @head: the GSO skb, its xtcp header pushed
 * @seglen: header and payload of every segment but the last
 */
void xtcp_gso_seal(struct sk_buff *head, unsigned int seglen)
{
	skb_shinfo(head)->gso_size = seglen;
	skb_shinfo(head)->gso_type = SKB_GSO_FRAGLIST;
}

/*
 * Give @seg, cut from a GSO skb, the IP header @iph of its head (less
 * the fields inet_gso_segment() sets) and its own checksum.  Its payload
 * is in page fragments (xtcp_copy_in()): a device without scatter-gather
 * gets it copied into the head.  0 or -ENOMEM.
 */
static int xtcp_gso_finish(struct sk_buff *seg, const struct iphdr *iph,
			   netdev_features_t features)
{
	unsigned int thoff = skb_transport_offset(seg);
	unsigned int len = seg->len - thoff;
	__sum16 check;
	u8 *th;

	if (!(features & NETIF_F_SG) && __skb_linearize(seg))
		return -ENOMEM;
	th = skb_transport_header(seg);
	memcpy(ip_hdr(seg), iph, sizeof(*iph));
	if (features & NETIF_F_HW_CSUM) {
		check = ~csum_tcpudp_magic(iph->saddr, iph->daddr, len,
					   iph->protocol, 0);
	} else {
		put_unaligned(0, (__sum16 *)(th + XTCP_CSUM_OFFSET));
		check = csum_tcpudp_magic(iph->saddr, iph->daddr, len,
					  iph->protocol,
					  skb_checksum(seg, thoff, len, 0));
		seg->ip_summed = CHECKSUM_NONE;
	}
	put_unaligned(check, (__sum16 *)(th + XTCP_CSUM_OFFSET));
	return 0;
}

/*
 * The net_offload callback: @skb's data starts at the xtcp header of
 * its head, which must be all the head holds.
 */
static struct sk_buff *xtcp_gso_segment(struct sk_buff *skb,
					netdev_features_t features)
{
	struct sk_buff *segs, *seg;
	struct xtcp_seg_hdr h;
	struct iphdr iph;

	if (!(skb_shinfo(skb)->gso_type & SKB_GSO_FRAGLIST) ||
	    !skb_has_frag_list(skb) || ip_hdrlen(skb) != sizeof(iph) ||
	    xtcp_hdr_decode(&h, skb->data, skb_headlen(skb)) ||
	    h.doff != skb_headlen(skb))
		return ERR_PTR(-EINVAL);
	iph = *ip_hdr(skb);

	segs = skb_segment_list(skb, features, skb_mac_header_len(skb));
	if (IS_ERR(segs))
		return segs;
	/* Drop the head, header only, and the reference taken on it. */
	seg = segs->next;
	seg->prev = segs->prev;
	segs->next = NULL;
	consume_skb(segs);
	for (segs = seg; seg; seg = seg->next) {
		if (xtcp_gso_finish(seg, &iph, features)) {
			kfree_skb_list(segs);
			return ERR_PTR(-ENOMEM);
		}
	}
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
 * Return: 0, or -EBUSY when the protocol number has an offload already.
 */
int xtcp_offload_init(void)
{
	return inet_add_offload(&xtcp_offload, xtcp_protocol) ? -EBUSY : 0;
}

/**
 * xtcp_offload_exit() - unregister it; waits for callers to finish
 */
void xtcp_offload_exit(void)
{
	inet_del_offload(&xtcp_offload, xtcp_protocol);
}
