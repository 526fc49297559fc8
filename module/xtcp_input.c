// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp receive path: the handler IP calls, in softirq context, for every
 * datagram carrying xtcp's protocol number.
 *
 * Segments are validated here (length, data offset, checksum over the
 * pseudo-header with xtcp's own protocol number), then handed to the
 * socket they belong to under the socket lock, or to its backlog when the
 * user owns the socket (see the locking rules in xtcp.h).
 */
#include <linux/ip.h>
#include <linux/skbuff.h>
#include <net/ip.h>
#include <net/sock.h>
#include <net/xfrm.h>

#include "xtcp.h"

/**
 * xtcp_do_rcv() - process one segment for @sk
 * @sk: socket, locked by the caller (bh_lock_sock() or lock_sock())
 * @skb: the segment, header at skb->data, checksum verified
 *
 * This is also xtcp_prot.backlog_rcv.  Connection establishment is not
 * implemented yet, so every segment is consumed and dropped here.
 *
 * Return: 0.
 */
int xtcp_do_rcv(struct sock *sk, struct sk_buff *skb)
{
	kfree_skb(skb);
	return 0;
}

static bool xtcp_csum_bad(struct sk_buff *skb)
{
	return skb_checksum_init(skb, xtcp_protocol, inet_compute_pseudo) ||
	       skb_checksum_complete(skb);
}

static int xtcp_deliver(struct sock *sk, struct sk_buff *skb,
			unsigned int doff)
{
	if (!xfrm4_policy_check(sk, XFRM_POLICY_IN, skb)) {
		sock_put(sk);
		kfree_skb(skb);
		return 0;
	}
	nf_reset_ct(skb);
	/* Consumes @skb and our reference; never a negative value, which
	 * IP would take for a protocol number to resubmit to.
	 */
	__sk_receive_skb(sk, skb, 1, doff, true);
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
	const struct iphdr *iph;
	struct xtcp_seg_hdr h;
	struct sock *sk;

	if (skb->pkt_type != PACKET_HOST)
		goto discard;
	if (!pskb_may_pull(skb, XTCP_HDR_LEN) ||
	    xtcp_hdr_decode(&h, skb->data, skb->len) ||
	    !pskb_may_pull(skb, h.doff))
		goto hdr_error;
	XTCP_INC_STATS(net, XTCP_MIB_INSEGS);
	if (xtcp_csum_bad(skb))
		goto csum_error;

	iph = ip_hdr(skb);
	sk = xtcp_lookup(net, iph->saddr, htons(h.sport), iph->daddr,
			 htons(h.dport), inet_iif(skb), inet_sdif(skb));
	if (!sk) {
		XTCP_INC_STATS(net, XTCP_MIB_INNOSOCKET);
		goto discard;
	}
	return xtcp_deliver(sk, skb, h.doff);

csum_error:
	XTCP_INC_STATS(net, XTCP_MIB_INCSUMERRORS);
	goto discard;
hdr_error:
	XTCP_INC_STATS(net, XTCP_MIB_INHDRERRORS);
discard:
	kfree_skb(skb);
	return 0;
}
