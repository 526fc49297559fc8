// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp over IPv6: socket(AF_INET6, SOCK_STREAM, protocol).
 *
 * An AF_INET6 socket is an xtcp socket with struct ipv6_pinfo at its end
 * (struct xtcp6_sock): Linux 6.1 finds a socket's ipv6_pinfo at
 * sk_prot->obj_size less its size (inet6_sk_generic()), so it must be
 * the last member.  Everything else is IPv4's: the same connection
 * table, state machine, timers, TIME_WAIT wheel, request and cookie
 * code, which key addresses as struct in6_addr (IPv4 v4-mapped, see
 * xtcp.h).  What this file adds is what only IPv6 knows:
 *
 *  - the struct proto (xtcp_prot with the ipv6_pinfo room and
 *    xtcp_v6_connect()), proto_ops (the inet6_* helpers) and protosw;
 *  - connect() to an IPv6 peer; a dual-stack socket connecting to a
 *    v4-mapped address runs xtcp_v4_connect() and then travels over
 *    IPv4, as Linux TCP's does;
 *  - the receive handler, which checks what only IPv6 knows and hands
 *    the segment to xtcp_rcv();
 *  - routing and sending segments that have no socket (resets, SYN-ACKs,
 *    TIME_WAIT acknowledgments) with ip6_xmit();
 *  - a child socket's IPv6 part, from its listener's.
 *
 * ICMPv6 errors and path MTU are in xtcp_icmp.c (xtcp_v6_err()).
 * Segments of a connection leave through inet6_csk_xmit() in
 * xtcp_output.c.
 */
#include <linux/ipv6.h>
#include <linux/module.h>
#include <net/addrconf.h>
#include <net/inet6_connection_sock.h>
#include <net/inet_common.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/protocol.h>
#include <net/tcp_states.h>
#include <net/transp_v6.h>

#include "xtcp.h"
#include "xtcp_fsm.h"

/**
 * struct xtcp6_sock - an AF_INET6 xtcp socket
 * @xs: the xtcp socket
 * @inet6: its IPv6 part; must be last (see above)
 */
struct xtcp6_sock {
	struct xtcp_sock xs;
	struct ipv6_pinfo inet6;
};

static struct proto xtcpv6_prot;
/* xtcpv6_prot is registered: its inuse counter is its own. */
static bool xtcpv6_prot_registered;

/**
 * xtcp_v6_route() - route a flow of ours over IPv6
 * @net: namespace
 * @sk: the socket the flow belongs to, or one sending for it (a
 *	listener, the control socket)
 * @fl6: set to the flow
 * @saddr: local address
 * @daddr: peer address
 * @sport: local port
 * @dport: peer port
 * @oif: output interface, or 0
 * @mark: the flow's mark, for policy routing
 *
 * Return: the route, with a reference, or an ERR_PTR().
 */
struct dst_entry *xtcp_v6_route(struct net *net, const struct sock *sk,
				struct flowi6 *fl6,
				const struct in6_addr *saddr,
				const struct in6_addr *daddr, __be16 sport,
				__be16 dport, int oif, u32 mark)
{
	memset(fl6, 0, sizeof(*fl6));
	fl6->flowi6_proto = xtcp_protocol;
	fl6->daddr = *daddr;
	fl6->saddr = *saddr;
	fl6->flowi6_oif = oif;
	fl6->flowi6_mark = mark;
	fl6->fl6_sport = sport;
	fl6->fl6_dport = dport;
	fl6->flowi6_uid = sock_net_uid(net, sk);
	return ip6_dst_lookup_flow(net, sk, fl6, NULL);
}

/**
 * xtcp_v6_send_direct() - send a segment that has no socket over IPv6
 * @net: namespace
 * @via: who sends it: the listener of a request, or the namespace's
 *	IPv6 control socket
 * @skb: the segment, checksummed; consumed
 * @saddr: its source, ours
 * @daddr: its destination
 * @sport: its source port
 * @dport: its destination port
 * @oif: the interface the segment it answers came in on, or 0
 * @tclass: its traffic class (the caller's choice: see
 *	xtcp_send_reset_reply(), xtcp_send_synack() and xtcp_send_tw_ack())
 * @mark: its mark, routed by and carried, as tcp_v6_send_response()
 *	does a TIME_WAIT ACK's tw_mark; 0 for none
 *
 * Softirq or process context.
 */
void xtcp_v6_send_direct(struct net *net, const struct sock *via,
			 struct sk_buff *skb, const struct in6_addr *saddr,
			 const struct in6_addr *daddr, __be16 sport,
			 __be16 dport, int oif, u8 tclass, u32 mark)
{
	const struct ipv6_pinfo *np;
	struct dst_entry *dst;
	struct flowi6 fl6;

	/* The interface counts only for a link-local peer, as for TCP. */
	if (!rt6_need_strict(daddr))
		oif = 0;
	dst = xtcp_v6_route(net, via, &fl6, saddr, daddr, sport, dport, oif,
			    mark);
	if (IS_ERR(dst)) {
		kfree_skb(skb);
		return;
	}
	skb_dst_set(skb, dst);
	/*
	 * A listener's SYN-ACKs carry its extension headers, as
	 * tcp_v6_send_synack() sends them; the control socket has none.
	 */
	np = inet6_sk(via);
	rcu_read_lock();
	ip6_xmit(via, skb, &fl6, mark, rcu_dereference(np->opt), tclass, 0);
	rcu_read_unlock();
	XTCP_INC_STATS(net, XTCP_MIB_OUTSEGS);
}

/**
 * xtcp_v6_opt_len_sync() - leave room for the IPv6 extension headers
 * @sk: an AF_INET6 socket, locked
 *
 * The extension headers the socket sets (IPV6_HOPOPTS, IPV6_DSTOPTS,
 * IPV6_RTHDR, ...) go in every packet of a connection over IPv6:
 * segments leave room for them from the next one on, as Linux's
 * ipv6_update_options() makes TCP do (icsk_ext_hdr_len).  A socket that
 * travels over IPv4 keeps its IP options' length.
 */
void xtcp_v6_opt_len_sync(struct sock *sk)
{
	const struct ipv6_txoptions *opt;

	xtcp_assert_sock_owned(sk);
	if (xtcp_sk_is_v4(sk))
		return;
	opt = rcu_dereference_protected(inet6_sk(sk)->opt,
					lockdep_sock_is_held(sk));
	xtcp_sk(sk)->ip_opt_len = opt ? opt->opt_flen + opt->opt_nflen : 0;
}

/**
 * xtcp_v6_wants_pktopts() - should a request keep its SYN's options?
 * @sk: the listener
 * @skb: an IPv6 SYN, or the ACK of a SYN cookie (or an IPv4 one for a
 *	dual-stack listener)
 *
 * As Linux's tcp_v6_init_req() and cookie_v6_check(): when the
 * listener asked for received options (IPV6_RECVPKTINFO,
 * IPV6_RECVHOPLIMIT, extension headers, ...) or reflects flow labels,
 * the request keeps @skb, and its child starts with it as
 * IPV6_2292PKTOPTIONS.
 *
 * Return: true when @skb is to be kept.
 */
bool xtcp_v6_wants_pktopts(const struct sock *sk, const struct sk_buff *skb)
{
	const struct ipv6_pinfo *np;

	if (sk->sk_family != AF_INET6 || skb->protocol != htons(ETH_P_IPV6))
		return false;
	np = inet6_sk(sk);
	return ipv6_opt_accepted(sk, skb, IP6CB(skb)) ||
	       np->rxopt.bits.rxinfo || np->rxopt.bits.rxoinfo ||
	       np->rxopt.bits.rxhlim || np->rxopt.bits.rxohlim ||
	       np->repflow;
}

/**
 * xtcp_v6_opt_clone() - a copy of a segment whose options may be kept
 * @sk: socket, locked
 * @skb: an IPv6 segment for @sk, about to be processed
 *
 * As Linux's tcp_v6_do_rcv(): a socket that asked for received options
 * gets a clone of each IPv6 segment before it is processed, which
 * xtcp_v6_pktoptions() keeps or drops.  A v4-mapped connection's
 * segments are IPv4's and keep none.
 *
 * Return: the clone, or NULL.
 */
struct sk_buff *xtcp_v6_opt_clone(const struct sock *sk,
				  struct sk_buff *skb)
{
	if (sk->sk_family != AF_INET6 || skb->protocol != htons(ETH_P_IPV6) ||
	    !inet6_sk(sk)->rxopt.all)
		return NULL;
	return skb_clone(skb, GFP_ATOMIC);
}

/**
 * xtcp_v6_pktoptions() - what the last in-order segment carried
 * @sk: socket, locked
 * @opt_skb: a clone from xtcp_v6_opt_clone(), consumed
 *
 * As Linux's tcp_v6_do_rcv() after processing: a segment that ended at
 * rcv_nxt sets the multicast interface and hop limit and the flow
 * information the socket asked for, and becomes its
 * IPV6_2292PKTOPTIONS if it carries options the socket takes (else
 * those go); any other segment leaves them.
 */
void xtcp_v6_pktoptions(struct sock *sk, struct sk_buff *opt_skb)
{
	struct ipv6_pinfo *np = inet6_sk(sk);

	xtcp_assert_sock_locked(sk);
	if (XTCP_SKB_CB(opt_skb)->end_seq == xtcp_sk(sk)->rcv_nxt &&
	    !((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN))) {
		if (np->rxopt.bits.rxinfo || np->rxopt.bits.rxoinfo)
			np->mcast_oif = xtcp_skb_iif(opt_skb);
		if (np->rxopt.bits.rxhlim || np->rxopt.bits.rxohlim)
			np->mcast_hops = ipv6_hdr(opt_skb)->hop_limit;
		if (np->rxopt.bits.rxflow || np->rxopt.bits.rxtclass)
			np->rcv_flowinfo = ip6_flowinfo(ipv6_hdr(opt_skb));
		if (np->repflow)
			np->flow_label = ip6_flowlabel(ipv6_hdr(opt_skb));
		if (ipv6_opt_accepted(sk, opt_skb, IP6CB(opt_skb))) {
			skb_set_owner_r(opt_skb, sk);
			opt_skb = xchg(&np->pktoptions, opt_skb);
		} else {
			kfree_skb(opt_skb);
			opt_skb = xchg(&np->pktoptions, NULL);
		}
	}
	consume_skb(opt_skb);
}

/**
 * xtcp_v6_child_init() - the IPv6 part of a new connection's socket
 * @child: the copy of an AF_INET6 listener, not yet visible
 * @sk: the listener
 * @req: the request it completes
 * @skb: the segment that completes it (the final ACK)
 *
 * Softirq context.  sk_clone_lock() copied the listener's ipv6_pinfo:
 * the child keeps its settings (IPV6_TCLASS, IPV6_UNICAST_HOPS, the
 * IPV6_RECV* bits, ...), as Linux's tcp_v6_syn_recv_sock() keeps them,
 * and, as there, takes from @skb the multicast interface and hop limit
 * and the flow information, and gets its own copy of the listener's
 * extension headers, which it leaves room for in its segments.  It
 * keeps none of the listener's multicast and flow label lists or
 * received options, which belong to the listener.  A child of a
 * v4-mapped request keeps its addresses v4-mapped, and travels over
 * IPv4 with the IPv4 fields the caller set and without extension
 * headers (tcp_v6_mapped_child_init()).
 */
void xtcp_v6_child_init(struct sock *child, const struct sock *sk,
			const struct xtcp_request *req,
			const struct sk_buff *skb)
{
	struct ipv6_pinfo *np = &((struct xtcp6_sock *)child)->inet6;
	const struct ipv6_pinfo *lnp = inet6_sk(sk);
	struct inet_sock *inet = inet_sk(child);
	struct ipv6_txoptions *opt;

	lockdep_assert_in_softirq();
	inet->pinet6 = np;
	np->ipv6_mc_list = NULL;
	np->ipv6_ac_list = NULL;
	np->ipv6_fl_list = NULL;
	np->pktoptions = NULL;
	np->rxpmtu = NULL;
	RCU_INIT_POINTER(np->opt, NULL);
	np->saddr = req->laddr;
	child->sk_v6_rcv_saddr = req->laddr;
	child->sk_v6_daddr = req->raddr;
	if (xtcp_addr_is_v4(&req->raddr)) {
		np->mcast_oif = inet->mc_index;
		np->mcast_hops = inet->mc_ttl;
		np->rcv_flowinfo = 0;
		if (lnp->repflow)
			np->flow_label = 0;
		return;
	}
	np->mcast_oif = xtcp_skb_iif(skb);
	np->mcast_hops = ipv6_hdr(skb)->hop_limit;
	/* The SYN's options, its IP6CB in place (XTCP_SKB_CB's header). */
	if (req->pktopts) {
		np->pktoptions = skb_clone(req->pktopts, GFP_ATOMIC);
		if (np->pktoptions)
			skb_set_owner_r(np->pktoptions, child);
	}
	np->rcv_flowinfo = ip6_flowinfo(ipv6_hdr(skb));
	if (lnp->repflow)
		np->flow_label = ip6_flowlabel(ipv6_hdr(skb));
	/* Not shared: the child's charge (optmem), freed with it. */
	rcu_read_lock();
	opt = rcu_dereference(lnp->opt);
	if (opt) {
		opt = ipv6_dup_options(child, opt);
		RCU_INIT_POINTER(np->opt, opt);
	}
	rcu_read_unlock();
	xtcp_sk(child)->ip_opt_len = opt ? opt->opt_flen + opt->opt_nflen : 0;
	/* The IPv4 fields of an IPv6 connection, as Linux sets them. */
	inet->inet_saddr = LOOPBACK4_IPV6;
	inet->inet_rcv_saddr = LOOPBACK4_IPV6;
	inet->inet_daddr = LOOPBACK4_IPV6;
	/* A link-local peer is only reachable on its link. */
	if (!child->sk_bound_dev_if &&
	    ipv6_addr_type(&req->raddr) & IPV6_ADDR_LINKLOCAL)
		child->sk_bound_dev_if = req->dev_if;
}

/* A dual-stack socket connecting to a v4-mapped address: over IPv4. */
static int xtcp_v6_connect_mapped(struct sock *sk,
				  const struct sockaddr_in6 *usin)
{
	struct ipv6_pinfo *np = inet6_sk(sk);
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = usin->sin6_port,
		.sin_addr.s_addr = usin->sin6_addr.s6_addr32[3],
	};
	int err;

	if (ipv6_only_sock(sk))
		return -ENETUNREACH;
	/* xtcp_sk_is_v4() reads it from here on. */
	sk->sk_v6_daddr = usin->sin6_addr;
	err = xtcp_v4_connect(sk, (struct sockaddr *)&sin, sizeof(sin));
	if (err) {
		sk->sk_v6_daddr = in6addr_any;
		return err;
	}
	ipv6_addr_set_v4mapped(inet_sk(sk)->inet_saddr, &np->saddr);
	ipv6_addr_set_v4mapped(inet_sk(sk)->inet_rcv_saddr,
			       &sk->sk_v6_rcv_saddr);
	return 0;
}

/**
 * xtcp_v6_connect() - start an active open of an AF_INET6 socket
 * @sk: socket in TCP_CLOSE, locked (inet_stream_connect())
 * @uaddr: the peer, a struct sockaddr_in6
 * @addr_len: length of @uaddr
 *
 * As dccp_v6_connect(): routes to the peer, chooses the source address,
 * then takes a port and sends the SYN as xtcp_v4_connect() does.
 *
 * Return: 0 or a negative errno.
 */
static int xtcp_v6_connect(struct sock *sk, struct sockaddr *uaddr,
			   int addr_len)
{
	struct sockaddr_in6 *usin = (struct sockaddr_in6 *)uaddr;
	struct inet_sock *inet = inet_sk(sk);
	struct ipv6_pinfo *np = inet6_sk(sk);
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct in6_addr daddr, saddr;
	struct dst_entry *dst;
	struct flowi6 fl6;
	int addr_type;
	int err;

	xtcp_assert_sock_owned(sk);
	if (addr_len < SIN6_LEN_RFC2133)
		return -EINVAL;
	if (usin->sin6_family != AF_INET6)
		return -EAFNOSUPPORT;
	daddr = usin->sin6_addr;
	/* connect() to :: means loopback (BSD'ism), as with TCP. */
	if (ipv6_addr_any(&daddr))
		daddr.s6_addr[15] = 1;
	addr_type = ipv6_addr_type(&daddr);
	if (addr_type & IPV6_ADDR_MULTICAST)
		return -ENETUNREACH;
	if (addr_type == IPV6_ADDR_MAPPED)
		return xtcp_v6_connect_mapped(sk, usin);
	if (addr_type & IPV6_ADDR_LINKLOCAL) {
		if (addr_len >= sizeof(struct sockaddr_in6) &&
		    usin->sin6_scope_id) {
			if (sk->sk_bound_dev_if &&
			    sk->sk_bound_dev_if != usin->sin6_scope_id)
				return -EINVAL;
			sk->sk_bound_dev_if = usin->sin6_scope_id;
		}
		/* A link-local peer needs a link. */
		if (!sk->sk_bound_dev_if)
			return -EINVAL;
	}
	/* A socket bound to a v4-mapped address cannot reach IPv6. */
	if (ipv6_addr_v4mapped(&sk->sk_v6_rcv_saddr))
		return -ENETUNREACH;

	saddr = ipv6_addr_any(&sk->sk_v6_rcv_saddr) ? np->saddr :
						       sk->sk_v6_rcv_saddr;
	dst = xtcp_v6_route(sock_net(sk), sk, &fl6, &saddr, &daddr,
			    inet->inet_sport, usin->sin6_port,
			    sk->sk_bound_dev_if, 0);
	if (IS_ERR(dst))
		return PTR_ERR(dst);
	sk->sk_v6_daddr = daddr;
	if (ipv6_addr_any(&sk->sk_v6_rcv_saddr))
		sk->sk_v6_rcv_saddr = fl6.saddr;
	np->saddr = sk->sk_v6_rcv_saddr;
	inet->inet_rcv_saddr = LOOPBACK4_IPV6;
	inet->inet_saddr = LOOPBACK4_IPV6;
	inet->inet_daddr = LOOPBACK4_IPV6;
	inet->inet_dport = usin->sin6_port;
	ip6_dst_store(sk, dst, NULL, NULL);

	xtcp_transition(sk, XTCP_EV_CONNECT);
	xs->tw_reused = false;
	xs->reuse_seq_check = false;
	err = xtcp_connect_port(sk);
	if (err)
		goto failure;
	err = xtcp_connect_syn(sk);
	if (err)
		goto failure;
	return 0;

failure:
	/* The connection never was: no SYN left, nothing to reset. */
	xtcp_transition(sk, XTCP_EV_ABORT);
	__sk_dst_reset(sk);
	sk->sk_route_caps = 0;
	inet->inet_dport = 0;
	sk->sk_v6_daddr = in6addr_any;
	return err;
}

/**
 * xtcp_v6_rcv() - IPv6 receive handler for xtcp segments
 * @skb: the datagram, IPv6 header and extension headers pulled
 *
 * Softirq context.  Consumes @skb.  Segments to a multicast address and
 * from a v4-mapped one (a spoof: no IPv6 host has one) are dropped
 * without an answer, as TCP drops them.
 *
 * Return: 0, always.
 */
int xtcp_v6_rcv(struct sk_buff *skb)
{
	struct net *net = dev_net(skb->dev);
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);

	lockdep_assert_in_softirq();
	if (skb->pkt_type != PACKET_HOST ||
	    ipv6_addr_is_multicast(&ip6h->daddr) ||
	    ipv6_addr_v4mapped(&ip6h->saddr))
		goto discard;
	if (READ_ONCE(xtcp_pernet(net)->sysctl_enabled))
		return xtcp_rcv(net, skb);

	/* What ip6_protocol_deliver_rcu() does without a handler. */
	__IP6_INC_STATS(net, __in6_dev_get(skb->dev),
			IPSTATS_MIB_INUNKNOWNPROTOS);
	icmpv6_send(skb, ICMPV6_PARAMPROB, ICMPV6_UNK_NEXTHDR,
		    IP6CB(skb)->nhoff);
discard:
	kfree_skb(skb);
	return 0;
}

static const struct proto_ops xtcp6_stream_ops = {
	.family		= PF_INET6,
	.owner		= THIS_MODULE,
	.release	= inet6_release,
	.bind		= inet6_bind,
	.connect	= inet_stream_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= inet_accept,
	.getname	= inet6_getname,
	.poll		= xtcp_poll,
	.ioctl		= inet6_ioctl,
	.gettstamp	= sock_gettstamp,
	.listen		= xtcp_listen,
	.shutdown	= inet_shutdown,
	.setsockopt	= sock_common_setsockopt,
	.getsockopt	= sock_common_getsockopt,
	.sendmsg	= inet_sendmsg,
	.recvmsg	= inet_recvmsg,
	.mmap		= sock_no_mmap,
	.sendpage	= sock_no_sendpage,
#ifdef CONFIG_COMPAT
	.compat_ioctl	= inet6_compat_ioctl,
#endif
};

static struct inet_protosw xtcp6_protosw = {
	.type		= SOCK_STREAM,
	.prot		= &xtcpv6_prot,
	.ops		= &xtcp6_stream_ops,
};

static const struct inet6_protocol xtcp6_protocol = {
	.handler	= xtcp_v6_rcv,
	.err_handler	= xtcp_v6_err,
	.flags		= INET6_PROTO_NOPOLICY | INET6_PROTO_FINAL,
};

/**
 * xtcp_ipv6_init() - register xtcp for IPv6
 *
 * After IPv4's registration, in the same order (struct proto, protosw,
 * receive handler); undone in reverse by xtcp_ipv6_exit().  The struct
 * proto is xtcp_prot's, with room for the ipv6_pinfo and IPv6's
 * connect().
 *
 * Return: 0, or a negative errno (-EBUSY when another protocol has the
 * number for IPv6).
 */
int xtcp_ipv6_init(void)
{
	int err;

	BUILD_BUG_ON(offsetof(struct xtcp6_sock, inet6) +
		     sizeof(struct ipv6_pinfo) != sizeof(struct xtcp6_sock));
	xtcpv6_prot = xtcp_prot;
	strscpy(xtcpv6_prot.name, "XTCPv6", sizeof(xtcpv6_prot.name));
	xtcpv6_prot.connect = xtcp_v6_connect;
	xtcpv6_prot.obj_size = sizeof(struct xtcp6_sock);
	err = proto_register(&xtcpv6_prot, 1);
	if (err)
		return err;
	WRITE_ONCE(xtcpv6_prot_registered, true);
	xtcp6_protosw.protocol = xtcp_protocol;
	err = inet6_register_protosw(&xtcp6_protosw);
	if (err)
		goto err_protosw;
	err = inet6_add_protocol(&xtcp6_protocol, xtcp_protocol);
	if (err) {
		err = -EBUSY;
		goto err_protocol;
	}
	return 0;

err_protocol:
	inet6_unregister_protosw(&xtcp6_protosw);
err_protosw:
	WRITE_ONCE(xtcpv6_prot_registered, false);
	proto_unregister(&xtcpv6_prot);
	return err;
}

/**
 * xtcp_ipv6_exit() - unregister xtcp for IPv6
 */
void xtcp_ipv6_exit(void)
{
	inet6_del_protocol(&xtcp6_protocol, xtcp_protocol);
	inet6_unregister_protosw(&xtcp6_protosw);
	WRITE_ONCE(xtcpv6_prot_registered, false);
	proto_unregister(&xtcpv6_prot);
}

/**
 * xtcp_v6_inuse() - the AF_INET6 xtcp sockets of a namespace
 * @net: the namespace
 *
 * What sock_prot_inuse_add() counts for xtcpv6_prot, as
 * /proc/net/sockstat6 shows TCP6's count; 0 while xtcpv6_prot is not
 * registered, as when the namespace's /proc files are read during
 * xtcp's load or unload: its counter index is not its own then.
 *
 * Return: the count.
 */
int xtcp_v6_inuse(struct net *net)
{
	if (!READ_ONCE(xtcpv6_prot_registered))
		return 0;
	return sock_prot_inuse_get(net, &xtcpv6_prot);
}
