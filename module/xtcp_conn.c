// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp connection establishment: initial sequence numbers, the active
 * open (connect()), and the passive one -- a listener answering SYNs,
 * keeping each half-open connection in a compact struct xtcp_request,
 * creating the socket only when the final ACK arrives, and handing it
 * to accept().
 *
 * Listeners process segments under their req_lock, not their socket
 * lock (rules 1 and 5 in xtcp.h), so that a SYN flood never contends
 * with the user.
 */
#include <linux/jhash.h>
#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <net/inet_common.h>
#include <net/inet_hashtables.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/route.h>
#include <net/tcp_states.h>

#include "xtcp.h"
#include "xtcp_listen.h"
#include "xtcp_seq.h"
#include "xtcp_trace.h"

static siphash_key_t xtcp_isn_secret __read_mostly;
static u32 xtcp_req_seed __read_mostly;

/* Chains of a listener's request table: its backlog, within these. */
#define XTCP_REQ_HASH_MIN	16
#define XTCP_REQ_HASH_MAX	4096

/**
 * xtcp_conn_init() - draw the boot-time secrets of xtcp_isn() and of the
 * request tables
 */
void xtcp_conn_init(void)
{
	get_random_bytes(&xtcp_isn_secret, sizeof(xtcp_isn_secret));
	xtcp_req_seed = get_random_u32();
}

/**
 * xtcp_isn() - initial sequence number of a connection (RFC 6528)
 * @saddr: local address (IPv4 v4-mapped)
 * @daddr: peer address, of the same family
 * @sport: local port
 * @dport: peer port
 *
 * ISN = M + F(4-tuple, secret): F is siphash under a random key drawn at
 * module load, M a clock ticking every 4 microseconds (RFC 793's clock:
 * 4 us, not 4 ms), so that sequence spaces of successive incarnations of
 * a connection move forward and outsiders cannot predict them.
 *
 * Return: the ISN.
 */
u32 xtcp_isn(const struct in6_addr *saddr, const struct in6_addr *daddr,
	     __be16 sport, __be16 dport)
{
	u32 ports = (u32)(__force u16)sport << 16 | (__force u16)dport;
	u32 hash;

	if (xtcp_addr_is_v4(saddr))
		hash = siphash_3u32((__force u32)xtcp_addr_v4(saddr),
				    (__force u32)xtcp_addr_v4(daddr), ports,
				    &xtcp_isn_secret);
	else
		hash = xtcp_siphash6(saddr, daddr, ports, 0,
				     &xtcp_isn_secret);
	return hash + (u32)div_u64(ktime_get_ns(), 4000);
}

/**
 * xtcp_connect_syn() - the part of an active open both families share
 * @sk: socket in SYN_SENT, hashed with its port, its route set
 *
 * Takes the MSS from the route, chooses the window scale, the
 * timestamp offset and the ISN, and queues the SYN.
 *
 * Return: 0 or a negative errno; the caller undoes the open on error.
 */
int xtcp_connect_syn(struct sock *sk)
{
	struct xtcp_net *xn = xtcp_pernet(sock_net(sk));
	struct inet_sock *inet = inet_sk(sk);
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct in6_addr laddr, raddr;
	int err;

	xtcp_assert_sock_owned(sk);
	xs->advmss = xtcp_advmss(__sk_dst_get(sk));
	if (xs->user_mss)
		xs->advmss = min(xs->advmss, xs->user_mss);
	xs->mss = min_t(u16, XTCP_MSS_DEFAULT, xs->advmss);
	xs->rcv_wscale = xtcp_choose_wscale(sk);
	xs->rcv_ssthresh = min_t(u32, xtcp_rcv_space(sk), XTCP_MAX_WINDOW);
	/* Offered in the SYN; xtcp_take_syn() keeps it if answered. */
	xs->tstamp_ok = !!READ_ONCE(xn->sysctl_timestamps);
	xs->ts_offset = get_random_u32();
	xs->ts_recent = 0;
	xs->rcv_tsecr = 0;
	/* A 4-tuple taken from TIME_WAIT has its ISN already. */
	if (!xs->tw_reused) {
		xtcp_sk_addrs(sk, &laddr, &raddr);
		xs->iss = xtcp_isn(&laddr, &raddr, inet->inet_sport,
				   inet->inet_dport);
	}
	atomic_set(&inet->inet_id, get_random_u16());
	err = xtcp_queue_syn(sk);
	if (err)
		return err;
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ACTIVEOPENS);
	return 0;
}

/**
 * xtcp_v4_connect() - start an active open
 * @sk: socket in TCP_CLOSE, locked (inet_stream_connect())
 * @uaddr: the peer
 * @addr_len: length of @uaddr
 *
 * Routes to the peer, takes an ephemeral port (unless bound), hashes the
 * socket in SYN_SENT and sends the SYN.  inet_stream_connect() then
 * waits for the state to leave SYN_SENT.
 *
 * Return: 0 or a negative errno.
 */
int xtcp_v4_connect(struct sock *sk, struct sockaddr *uaddr, int addr_len)
{
	struct sockaddr_in *usin = (struct sockaddr_in *)uaddr;
	struct inet_sock *inet = inet_sk(sk);
	struct xtcp_sock *xs = xtcp_sk(sk);
	__be16 orig_sport, orig_dport;
	struct flowi4 *fl4;
	struct rtable *rt;
	int err;

	xtcp_assert_sock_owned(sk);
	if (addr_len < sizeof(struct sockaddr_in))
		return -EINVAL;
	if (usin->sin_family != AF_INET)
		return -EAFNOSUPPORT;

	orig_sport = inet->inet_sport;
	orig_dport = usin->sin_port;
	fl4 = &inet->cork.fl.u.ip4;
	rt = ip_route_connect(fl4, usin->sin_addr.s_addr, inet->inet_saddr,
			      sk->sk_bound_dev_if, xtcp_protocol, orig_sport,
			      orig_dport, sk);
	if (IS_ERR(rt))
		return PTR_ERR(rt);
	if (rt->rt_flags & (RTCF_MULTICAST | RTCF_BROADCAST)) {
		ip_rt_put(rt);
		return -ENETUNREACH;
	}
	if (!inet->inet_saddr)
		inet->inet_saddr = fl4->saddr;
	sk_rcv_saddr_set(sk, inet->inet_saddr);
	inet->inet_dport = usin->sin_port;
	sk_daddr_set(sk, fl4->daddr);

	xtcp_transition(sk, XTCP_EV_CONNECT);
	xs->tw_reused = false;
	xs->reuse_seq_check = false;
	err = xtcp_connect_port(sk);
	if (err)
		goto failure;
	rt = ip_route_newports(fl4, rt, orig_sport, orig_dport,
			       inet->inet_sport, inet->inet_dport, sk);
	if (IS_ERR(rt)) {
		err = PTR_ERR(rt);
		rt = NULL;
		goto failure;
	}
	sk_setup_caps(sk, &rt->dst);
	rt = NULL;

	err = xtcp_connect_syn(sk);
	if (err)
		goto failure;
	return 0;

failure:
	/* The connection never was: no SYN left, nothing to reset. */
	xtcp_transition(sk, XTCP_EV_ABORT);
	if (rt)
		ip_rt_put(rt);
	sk->sk_route_caps = 0;
	inet->inet_dport = 0;
	return err;
}

/**
 * xtcp_listen_alloc() - give a listener its request table
 * @sk: a socket about to listen, owned by the caller
 * @backlog: its backlog, which sizes the table
 *
 * The table is kept across listen() calls and freed with the socket.
 *
 * Return: 0 or -ENOMEM.
 */
int xtcp_listen_alloc(struct sock *sk, int backlog)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct hlist_head *hash;
	unsigned int n, i;

	xtcp_assert_sock_owned(sk);
	if (xs->req_hash)
		return 0;
	n = roundup_pow_of_two(clamp(backlog, XTCP_REQ_HASH_MIN,
				     XTCP_REQ_HASH_MAX));
	hash = kvmalloc_array(n, sizeof(*hash), GFP_KERNEL_ACCOUNT);
	if (!hash)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		INIT_HLIST_HEAD(&hash[i]);
	spin_lock_bh(&xs->req_lock);
	xs->req_hash = hash;
	xs->req_hash_mask = n - 1;
	spin_unlock_bh(&xs->req_lock);
	return 0;
}

/**
 * xtcp_listen_free() - free a socket's request table
 * @sk: the socket being destroyed: no request is left
 */
void xtcp_listen_free(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	WARN_ON_ONCE(xs->nr_requests);
	kvfree(xs->req_hash);
	xs->req_hash = NULL;
}

/*
 * The chain of the requests from @raddr:@rport to @laddr.  Every bit of
 * the peer's address counts: one who holds a whole IPv6 prefix cannot
 * fill one chain by choosing addresses.
 */
static struct hlist_head *xtcp_req_slot(const struct xtcp_sock *xs,
					const struct in6_addr *laddr,
					const struct in6_addr *raddr,
					__be16 rport)
{
	u32 rhash = jhash2((__force const u32 *)raddr->s6_addr32, 4,
			   xtcp_req_seed);
	u32 hash = jhash_3words(rhash, ipv6_addr_hash(laddr),
				(__force u32)rport, xtcp_req_seed);

	return &xs->req_hash[hash & xs->req_hash_mask];
}

/* Called with the listener's req_lock held. */
static struct xtcp_request *xtcp_find_request(struct xtcp_sock *xs,
					      const struct in6_addr *laddr,
					      const struct in6_addr *raddr,
					      __be16 rport)
	__must_hold(&xs->req_lock)
{
	struct xtcp_request *req;

	lockdep_assert_held(&xs->req_lock);
	hlist_for_each_entry(req, xtcp_req_slot(xs, laddr, raddr, rport),
			     hnode) {
		if (ipv6_addr_equal(&req->raddr, raddr) &&
		    ipv6_addr_equal(&req->laddr, laddr) && req->rport == rport)
			return req;
	}
	return NULL;
}

static void xtcp_free_request(struct xtcp_request *req)
{
	kfree_skb(req->pktopts);
	sock_put(req->listener);
	kfree(req);
}

/* Take @req off its listener's list: the caller then owns it. */
static void xtcp_unlink_request(struct xtcp_sock *xs,
				struct xtcp_request *req)
	__must_hold(&xs->req_lock)
{
	lockdep_assert_held(&xs->req_lock);

	list_del_init(&req->node);
	hlist_del_init(&req->hnode);
	xs->nr_requests--;
}

/* The owner of an unlinked request disposes of it, outside req_lock. */
static void xtcp_drop_request(struct xtcp_request *req)
{
	del_timer_sync(&req->timer);
	xtcp_free_request(req);
}

/**
 * xtcp_req_diag() - a pending request, for sock_diag's lookup or destroy
 * @net: the requester's namespace
 * @laddr: the request's local address, v4-mapped for IPv4
 * @lport: its local port
 * @raddr: its peer's address, likewise
 * @rport: its peer's port
 * @dif: the interface the sock_diag request names (idiag_if), or 0
 * @cookie: the sock_diag request's cookie, both halves
 *	%INET_DIAG_NOCOOKIE for any
 * @e: filled as xtcp_entry_info_fill() does, when not NULL
 * @destroy: drop the request, as Linux's tcp_abort() drops a request
 *	socket: the peer hears nothing, and its ACK will meet no request
 * @net_admin: the requester has CAP_NET_ADMIN, which @destroy needs
 *
 * The request is looked for where a segment of its connection finds
 * it: among the requests of the listener xtcp_lookup_listener6() gives
 * for its local end.  As inet_diag_find_one_icsk() then
 * sock_diag_destroy(): no request, or none of @cookie, is -ENOENT
 * before a @destroy without @net_admin is -EPERM.  Process context;
 * takes the listener's req_lock (rule 5).
 *
 * Return: 0, -ENOENT or -EPERM.
 */
int xtcp_req_diag(struct net *net, const struct in6_addr *laddr,
		  __be16 lport, const struct in6_addr *raddr, __be16 rport,
		  int dif, const u32 *cookie, struct xtcp_entry_info *e,
		  bool destroy, bool net_admin)
{
	struct xtcp_request *req = NULL;
	struct xtcp_sock *xs;
	struct sock *sk;
	int err = -ENOENT;

	sk = xtcp_lookup_listener6(net, laddr, ntohs(lport), dif, 0);
	if (!sk)
		return -ENOENT;
	xs = xtcp_sk(sk);
	spin_lock_bh(&xs->req_lock);
	/* A socket that never listened has no table. */
	if (xs->req_hash)
		req = xtcp_find_request(xs, laddr, raddr, rport);
	if (req && xtcp_diag_cookie_ok(cookie, xtcp_req_cookie(req))) {
		err = 0;
		if (e)
			xtcp_entry_info_fill(XTCP_ENTRY_REQ, req, e);
		if (destroy && !net_admin)
			err = -EPERM;
		else if (destroy)
			xtcp_unlink_request(xs, req);
	}
	spin_unlock_bh(&xs->req_lock);
	/* Unlinked, it is ours: its timer may be running, so wait for it. */
	if (destroy && !err)
		xtcp_drop_request(req);
	sock_put(sk);
	return err;
}
EXPORT_SYMBOL_GPL(xtcp_req_diag);

static void xtcp_synack_timer(struct timer_list *t)
{
	struct xtcp_request *req = from_timer(req, t, timer);
	struct xtcp_sock *xs = xtcp_sk(req->listener);
	struct net *net = sock_net(req->listener);
	int max = READ_ONCE(xtcp_pernet(net)->sysctl_synack_retries);

	lockdep_assert_in_softirq();
	spin_lock(&xs->req_lock);
	if (list_empty(&req->node)) {
		/* Its owner is waiting in del_timer_sync() to free it. */
		spin_unlock(&xs->req_lock);
		return;
	}
	if (req->retrans >= max) {
		xtcp_unlink_request(xs, req);
		spin_unlock(&xs->req_lock);
		/* We are the timer: nothing to wait for. */
		xtcp_free_request(req);
		return;
	}
	req->retrans++;
	req->expires = jiffies + min_t(unsigned long,
				       XTCP_TIMEOUT_INIT << req->retrans,
				       XTCP_RTO_MAX);
	mod_timer(&req->timer, req->expires);
	spin_unlock(&xs->req_lock);
	/*
	 * Outside the lock: whoever unlinks @req meanwhile waits for this
	 * handler in del_timer_sync() before freeing it, and the fields
	 * the SYN-ACK is made of never change.
	 */
	xtcp_send_synack(req);
	XTCP_INC_STATS(net, XTCP_MIB_RETRANSSEGS);
}

/*
 * The MSS @req announces, from the route back to the peer, and the
 * window its SYN-ACK offers.  No lock held: it routes.
 */
static int xtcp_route_request(struct sock *sk, struct xtcp_request *req)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct dst_entry *dst;
	struct flowi6 fl6;
	struct flowi4 fl4;
	struct rtable *rt;
	u16 mss;

	req->rcv_wnd = min_t(int, READ_ONCE(sk->sk_rcvbuf) / 2,
			     XTCP_MAX_WINDOW);
	if (xtcp_addr_is_v4(&req->raddr)) {
		rt = ip_route_output_ports(sock_net(sk), &fl4, NULL,
					   xtcp_addr_v4(&req->raddr),
					   xtcp_addr_v4(&req->laddr),
					   req->rport, req->lport,
					   xtcp_protocol, 0, req->dev_if);
		if (IS_ERR(rt))
			return PTR_ERR(rt);
		dst = &rt->dst;
	} else {
		dst = xtcp_v6_route(sock_net(sk), sk, &fl6, &req->laddr,
				    &req->raddr, req->lport, req->rport,
				    rt6_need_strict(&req->raddr) ?
				    req->dev_if : 0, 0);
		if (IS_ERR(dst))
			return PTR_ERR(dst);
	}
	req->advmss = xtcp_advmss(dst);
	mss = READ_ONCE(xs->user_mss);	/* the listener is not locked */
	if (mss)
		req->advmss = min(req->advmss, mss);
	dst_release(dst);
	req->listener = sk;
	return 0;
}

/*
 * Fill @req from the SYN @skb: addresses, sequence numbers, options,
 * and what xtcp_route_request() finds.  No lock held.
 */
static int xtcp_fill_request(struct sock *sk, struct sk_buff *skb,
			     const struct xtcp_seg_hdr *h,
			     struct xtcp_request *req)
{
	xtcp_skb_addrs(skb, &req->raddr, &req->laddr);
	req->lport = htons(h->dport);
	req->rport = htons(h->sport);
	req->irs = h->seq;
	req->iss = xtcp_isn(&req->laddr, &req->raddr, req->lport,
			    req->rport);
	req->dev_if = xtcp_skb_iif(skb);
	req->syn_tos = xtcp_skb_dsfield(skb);
	req->mark = READ_ONCE(sk->sk_mark);
	req->mss = h->opt.present & XTCP_OPTF_MSS && h->opt.mss ?
		   h->opt.mss : XTCP_MSS_DEFAULT;
	req->wscale_ok = !!(h->opt.present & XTCP_OPTF_WSCALE);
	if (req->wscale_ok) {
		req->snd_wscale = h->opt.wscale;
		req->rcv_wscale = xtcp_choose_wscale(sk);
	}
	req->sack_ok = !!(h->opt.present & XTCP_OPTF_SACK_PERM);
	req->tstamp_ok = (h->opt.present & XTCP_OPTF_TS) &&
			 READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_timestamps);
	req->ts_recent = h->opt.tsval;
	req->ts_offset = get_random_u32();
	return xtcp_route_request(sk, req);
}

/* May @sk keep one more request?  req_lock held. */
static bool xtcp_request_room(const struct sock *sk)
	__must_hold(&xtcp_sk(sk)->req_lock)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);

	lockdep_assert_held(&xs->req_lock);
	return xs->nr_requests <
	       max_t(u32, READ_ONCE(sk->sk_max_ack_backlog), 1);
}

/*
 * A SYN for a listener that had room: remember it and answer.  The
 * request is allocated and routed before req_lock is taken, then added
 * unless the listener has closed, filled up or, on another CPU, taken
 * the same SYN meanwhile.
 */
static void xtcp_new_request(struct sock *sk, struct sk_buff *skb,
			     const struct xtcp_seg_hdr *h)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_request *req, synack;

	req = kzalloc(sizeof(*req), GFP_ATOMIC);
	if (!req)
		return;
	if (xtcp_fill_request(sk, skb, h, req)) {
		kfree(req);
		return;
	}
	if (xtcp_v6_wants_pktopts(sk, skb))
		req->pktopts = skb_get(skb);
	sock_hold(sk);
	timer_setup(&req->timer, xtcp_synack_timer, 0);

	spin_lock(&xs->req_lock);
	if (sk->sk_state != TCP_LISTEN ||
	    xtcp_find_request(xs, &req->laddr, &req->raddr, req->rport)) {
		spin_unlock(&xs->req_lock);
		xtcp_free_request(req);
		return;
	}
	if (sk_acceptq_is_full(sk) || !xtcp_request_room(sk)) {
		/* Filled up on another CPU since xtcp_listen_syn(). */
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_LISTENDROPS);
		spin_unlock(&xs->req_lock);
		xtcp_free_request(req);
		return;
	}
	list_add_tail(&req->node, &xs->requests);
	hlist_add_head(&req->hnode, xtcp_req_slot(xs, &req->laddr,
						  &req->raddr, req->rport));
	xs->nr_requests++;
	req->expires = jiffies + XTCP_TIMEOUT_INIT;
	mod_timer(&req->timer, req->expires);
	trace_xtcp_state_change(req, &req->laddr, req->lport, &req->raddr,
				req->rport, TCP_LISTEN, TCP_SYN_RECV);
	/* A copy: once the lock is dropped, the request may go. */
	synack = *req;
	spin_unlock(&xs->req_lock);
	xtcp_send_synack(&synack);
}

/*
 * A SYN answered with a cookie (xtcp_cookie.c) instead of a request.
 * The cookie carries the peer's MSS (rounded down to a table's value)
 * and nothing else: window scale, SACK and timestamps are not offered,
 * so the connection goes without them.
 */
static void xtcp_send_cookie(struct sock *sk, struct sk_buff *skb,
			     const struct xtcp_seg_hdr *h)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_request req = {};
	unsigned long now = jiffies;

	if (xtcp_fill_request(sk, skb, h, &req))
		return;
	req.iss = xtcp_cookie_make(&req.raddr, &req.laddr, req.rport,
				   req.lport, req.irs, &req.mss);
	req.wscale_ok = 0;
	req.snd_wscale = 0;
	req.rcv_wscale = 0;
	req.sack_ok = 0;
	req.tstamp_ok = 0;
	/* Written once a jiffy at most: the flood hits one cache line. */
	if (READ_ONCE(xs->cookie_stamp) != (now ?: 1))
		WRITE_ONCE(xs->cookie_stamp, now ?: 1);
	xtcp_send_synack(&req);
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_SYNCOOKIESSENT);
}

/*
 * The socket of a connection whose handshake just completed: a copy of
 * the listener, cleared of what belongs to the listener alone.  Returned
 * hashed, owning the port, with one reference for the caller.  @skb is
 * the segment that completed it (the final ACK), whose IP header gives
 * what Linux's tcp_v4_syn_recv_sock() and tcp_v6_syn_recv_sock() take
 * from it.
 */
static struct sock *xtcp_create_child(struct sock *sk,
				      const struct xtcp_request *req,
				      const struct sk_buff *skb,
				      const struct xtcp_seg_hdr *h)
{
	struct inet_sock *inet;
	struct xtcp_sock *xs;
	struct sock *child;

	child = sk_clone_lock(sk, GFP_ATOMIC);
	if (!child)
		return NULL;
	xs = xtcp_sk(child);
	inet = inet_sk(child);

	INIT_HLIST_NODE(&child->sk_bind_node);
	xs->bind_port = NULL;
	xs->hash_bucket = NULL;
	xs->req_hash = NULL;
	xs->req_hash_mask = 0;
	xs->cookie_stamp = 0;
	RCU_INIT_POINTER(inet->inet_opt, NULL);
	xs->ip_opt_len = 0;
	inet->mc_list = NULL;
	inet->inet_saddr = xtcp_addr_v4(&req->laddr);
	sk_rcv_saddr_set(child, inet->inet_saddr);
	sk_daddr_set(child, xtcp_addr_v4(&req->raddr));
	if (xtcp_addr_is_v4(&req->raddr)) {
		/* Multicast settings follow the peer's packet, as TCP's. */
		inet->mc_index = xtcp_skb_iif(skb);
		inet->mc_ttl = ip_hdr(skb)->ttl;
		inet->rcv_tos = ip_hdr(skb)->tos;
	}
	if (child->sk_family == AF_INET6)
		xtcp_v6_child_init(child, sk, req, skb);
	/* The SYN's DSCP, as tcp_v4_syn_recv_sock(), tcp_v6_syn_recv_sock(). */
	if (READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_reflect_tos)) {
		if (xtcp_addr_is_v4(&req->raddr))
			inet->tos = req->syn_tos & ~INET_ECN_MASK;
		else
			inet6_sk(child)->tclass = req->syn_tos & ~INET_ECN_MASK;
	}
	inet->inet_dport = req->rport;
	inet->inet_sport = req->lport;
	inet->inet_num = ntohs(req->lport);
	atomic_set(&inet->inet_id, get_random_u16());

	xs->iss = req->iss;
	xs->snd_una = req->iss + 1;
	xs->snd_nxt = req->iss + 1;
	xs->write_seq = req->iss + 1;
	xs->irs = req->irs;
	xs->rcv_nxt = req->irs + 1;
	xs->copied_seq = xs->rcv_nxt;
	xs->rcv_wnd = req->rcv_wnd;
	xs->rcv_wup = xs->rcv_nxt;
	xs->rcv_ssthresh = req->rcv_wnd;
	xs->advmss = req->advmss;
	xs->mss = xtcp_snd_mss_floor(sk, min(req->mss, req->advmss));
	xs->wscale_ok = req->wscale_ok;
	xs->snd_wscale = req->snd_wscale;
	xs->rcv_wscale = req->rcv_wscale;
	xs->sack_ok = req->sack_ok;
	xs->tstamp_ok = req->tstamp_ok;
	xs->ts_recent = req->ts_recent;
	xs->ts_offset = req->ts_offset;
	xs->rcv_tsecr = 0;
	xtcp_sack_init(&xs->sack);
	skb_queue_head_init(&xs->ooo_queue);
	xs->ooo_fin = false;
	xs->packets_out = 0;
	xs->sacked_out = 0;
	xs->lost_out = 0;
	xs->retrans_out = 0;
	xs->max_packets_out = 0;
	xs->cwnd_limited = false;
	xtcp_cong_clone(child);
	xs->snd_wnd = (u32)h->window << xs->snd_wscale;
	xs->max_snd_wnd = xs->snd_wnd;
	xs->bytes_acked = 0;
	xs->last_oow_ack_time = 0;
	xs->snd_wl1 = h->seq;
	xs->snd_wl2 = h->ack;
	xs->send_head = NULL;
	xs->rcv_mss = 0;
	xtcp_rtt_reset(xs);
	xs->deferred = 0;
	spin_lock_init(&xs->req_lock);
	INIT_LIST_HEAD(&xs->requests);
	xs->nr_requests = 0;
	xs->nr_completing = 0;
	INIT_LIST_HEAD(&xs->accept_queue);
	INIT_LIST_HEAD(&xs->accept_node);
	xtcp_init_timers(child);

	/*
	 * The copy says LISTEN: it starts in the state of the request it
	 * replaces, which the final ACK of the handshake moves on.
	 */
	child->sk_state = TCP_SYN_RECV;
	xtcp_transition(child, XTCP_EV_RCV_ACK_OF_SYN);
	xtcp_cong_start(child);
	/* As xtcp_established() for an active open. */
	xtcp_sndbuf_expand(child);
	sock_prot_inuse_add(sock_net(child), child->sk_prot, 1);
	/* sk_clone_lock() returned the copy locked. */
	__acquire(&child->sk_lock.slock);
	if (xtcp_inherit_port(child, sk) || xtcp_hash(child)) {
		/*
		 * Another copy of a cookie's ACK, on another CPU, made the
		 * connection first (or, rarely, the listener's port struct
		 * had gone and could not be made again): this copy goes
		 * quietly.
		 */
		xtcp_orphan(child);
		xtcp_done(child, XTCP_EV_ABORT);
		bh_unlock_sock(child);
		sock_put(child);
		return NULL;
	}
	/* Others may find it from now on and take the lock in turn. */
	bh_unlock_sock(child);
	return child;
}

/* Abort a child nobody will accept: RST, then let it go. */
static void xtcp_abort_child(struct sock *child)
{
	xtcp_send_active_reset(child, GFP_ATOMIC);
	xtcp_orphan(child);
	xtcp_done(child, XTCP_EV_ABORT);
}

/*
 * The final ACK of a handshake matched @req, which the caller owns and
 * counted in nr_completing: create the socket, queue it for accept(),
 * and let it process the rest of the segment (data, FIN).  Consumes
 * @skb.
 */
static void xtcp_complete_request(struct sock *sk,
				  const struct xtcp_request *req,
				  struct sk_buff *skb,
				  const struct xtcp_seg_hdr *h)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sock *child;
	bool queued = false;

	child = xtcp_create_child(sk, req, skb, h);
	spin_lock(&xs->req_lock);
	xs->nr_completing--;
	if (!child) {
		spin_unlock(&xs->req_lock);
		kfree_skb(skb);
		return;
	}
	if (sk->sk_state == TCP_LISTEN) {
		list_add_tail(&xtcp_sk(child)->accept_node, &xs->accept_queue);
		sk_acceptq_added(sk);
		queued = true;
	}
	spin_unlock(&xs->req_lock);

	if (!queued) {
		kfree_skb(skb);
		bh_lock_sock(child);
		xtcp_abort_child(child);
		bh_unlock_sock(child);
		sock_put(child);
		return;
	}
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_PASSIVEOPENS);
	/*
	 * From the accept queue, accept() may already have handed the child
	 * to a user who owns it now (reading, closing): the rest of the
	 * segment then waits on its backlog, as Linux's tcp_child_process().
	 */
	xtcp_rcv_or_backlog(child, skb);
	sk->sk_data_ready(sk);
}

/* The room xtcp_listen.h's decisions take into account. */
static void xtcp_listen_room(const struct sock *sk,
			     struct xtcp_listen_room *room)
	__must_hold(&xtcp_sk(sk)->req_lock)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);

	lockdep_assert_held(&xs->req_lock);
	room->syncookies =
		READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_syncookies);
	room->requests_full = !xtcp_request_room(sk);
	room->acceptq_full = sk_acceptq_is_full(sk);
	room->completing = xs->nr_completing;
}

/*
 * A segment for a listener: for one of its requests, or else RFC 9293
 * section 3.10.7.2, as xtcp_listen.h decides.  req_lock held; @again
 * gets a copy of the request to send its SYN-ACK from after the lock is
 * dropped.
 */
static enum xtcp_listen_action
xtcp_listen_decide(struct sock *sk, struct sk_buff *skb,
		   const struct xtcp_seg_hdr *h, struct xtcp_request **reqp,
		   struct xtcp_request *again)
	__must_hold(&xtcp_sk(sk)->req_lock)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	enum xtcp_listen_action action;
	struct in6_addr saddr, daddr;
	struct xtcp_listen_room room;
	enum xtcp_listen_count count;
	struct xtcp_request *req;

	lockdep_assert_held(&xs->req_lock);
	if (sk->sk_state != TCP_LISTEN)
		return XTCP_LISTEN_RESET;
	xtcp_listen_room(sk, &room);
	xtcp_skb_addrs(skb, &saddr, &daddr);
	req = xtcp_find_request(xs, &daddr, &saddr, htons(h->sport));
	*reqp = req;
	if (!req) {
		action = xtcp_listen_no_request(h->flags, &room, &count);
	} else {
		action = xtcp_listen_request(h->flags, h->seq, h->ack,
					     req->irs, req->iss, &room, &count);
		if (action == XTCP_LISTEN_SYNACK)
			*again = *req;
		if (action == XTCP_LISTEN_FORGET ||
		    action == XTCP_LISTEN_COMPLETE)
			xtcp_unlink_request(xs, req);
		if (action == XTCP_LISTEN_COMPLETE)
			xs->nr_completing++;
	}
	if (count != XTCP_LISTEN_COUNT_NONE)
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_LISTENDROPS);
	if (count == XTCP_LISTEN_COUNT_OVERFLOW)
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_LISTENOVERFLOWS);
	return action;
}

/**
 * xtcp_listen_rcv() - a segment for a listener
 * @sk: the listener; the caller holds a reference, not its lock
 * @skb: the segment, header at skb->data
 * @h: its decoded header
 *
 * Softirq context.  Consumes @skb, but for -EAGAIN.
 *
 * Return: 0, or -EAGAIN for an ACK that matches no request: a child
 * created since the caller's lookup of the established table may own
 * it, and the caller looks there again, then asks xtcp_cookie_ack(),
 * before it answers with a reset.
 * A child is hashed before its request stops counting in
 * nr_completing, under req_lock, which this decision also took.
 */
int xtcp_listen_rcv(struct sock *sk, struct sk_buff *skb,
		    const struct xtcp_seg_hdr *h)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_request *req = NULL;
	enum xtcp_listen_action action;
	struct xtcp_request again;

	spin_lock(&xs->req_lock);
	action = xtcp_listen_decide(sk, skb, h, &req, &again);
	spin_unlock(&xs->req_lock);

	switch (action) {
	case XTCP_LISTEN_COMPLETE:
		xtcp_complete_request(sk, req, skb, h);
		xtcp_drop_request(req);
		return 0;
	case XTCP_LISTEN_SYNACK:
		xtcp_send_synack(&again);
		break;
	case XTCP_LISTEN_REQUEST:
		xtcp_new_request(sk, skb, h);
		break;
	case XTCP_LISTEN_COOKIE:
		xtcp_send_cookie(sk, skb, h);
		break;
	case XTCP_LISTEN_FORGET:
		xtcp_drop_request(req);
		break;
	case XTCP_LISTEN_RESET:
		xtcp_send_reset_reply(sock_net(sk), skb, h);
		break;
	case XTCP_LISTEN_RECHECK:
		return -EAGAIN;
	case XTCP_LISTEN_DROP:
		break;
	}
	kfree_skb(skb);
	return 0;
}

/**
 * xtcp_cookie_ack() - is an ACK of no request the answer to a cookie?
 * @sk: the listener; the caller holds a reference, not its lock
 * @skb: the segment, for which xtcp_listen_rcv() found no request and
 *	the established table no socket
 * @h: its decoded header
 *
 * Softirq context.  With sysctl syncookies 2, or 1 within
 * %XTCP_COOKIE_VALID of the listener's last cookie (Linux checks as
 * much), an ACK whose numbers carry a valid cookie creates the
 * connection as the final ACK of a request does, and the rest of it
 * goes to the new socket.
 *
 * Return: 0 when @skb was a cookie's ACK (consumed, even if the accept
 * queue had no room for it), -ENOENT when it was not: the caller answers
 * it with a reset.
 */
int xtcp_cookie_ack(struct sock *sk, struct sk_buff *skb,
		    const struct xtcp_seg_hdr *h)
{
	struct xtcp_net *xn = xtcp_pernet(sock_net(sk));
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_request req = {};
	unsigned long stamp;
	int cookies;
	u16 mss;

	lockdep_assert_in_softirq();
	cookies = READ_ONCE(xn->sysctl_syncookies);
	stamp = READ_ONCE(xs->cookie_stamp);
	if ((h->flags & (XTCP_FLAG_SYN | XTCP_FLAG_RST | XTCP_FLAG_ACK)) !=
	    XTCP_FLAG_ACK)
		return -ENOENT;
	if (!cookies || (cookies == 1 &&
			 (!stamp || time_after(jiffies,
					       stamp + XTCP_COOKIE_VALID))))
		return -ENOENT;
	xtcp_skb_addrs(skb, &req.raddr, &req.laddr);
	mss = xtcp_cookie_check(&req.raddr, &req.laddr, htons(h->sport),
				htons(h->dport), h->seq - 1, h->ack - 1);
	if (!mss) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_SYNCOOKIESFAILED);
		return -ENOENT;
	}
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_SYNCOOKIESRECV);

	req.lport = htons(h->dport);
	req.rport = htons(h->sport);
	req.irs = h->seq - 1;
	req.iss = h->ack - 1;
	req.mss = mss;
	req.dev_if = xtcp_skb_iif(skb);
	/* The ACK's, as cookie_tcp_reqsk_alloc() takes it. */
	req.syn_tos = xtcp_skb_dsfield(skb);
	if (xtcp_route_request(sk, &req)) {
		kfree_skb(skb);
		return 0;
	}

	spin_lock(&xs->req_lock);
	if (sk->sk_state != TCP_LISTEN) {
		spin_unlock(&xs->req_lock);
		return -ENOENT;
	}
	if (sk_acceptq_is_full(sk)) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_LISTENOVERFLOWS);
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_LISTENDROPS);
		spin_unlock(&xs->req_lock);
		kfree_skb(skb);
		return 0;
	}
	/* Segments of this connection wait until its socket is hashed. */
	xs->nr_completing++;
	spin_unlock(&xs->req_lock);
	/* Borrowed: the child copies it before @skb goes. */
	if (xtcp_v6_wants_pktopts(sk, skb))
		req.pktopts = skb;
	xtcp_complete_request(sk, &req, skb, h);
	return 0;
}

/**
 * xtcp_listen_stop() - drop the pending and unaccepted connections
 * @sk: a listener that has just left TCP_LISTEN, socket lock held
 *
 * Requests are forgotten (their peers will time out or be reset by a
 * later segment); established children are reset.
 */
void xtcp_listen_stop(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_sock *child, *ctmp;
	struct xtcp_request *req;
	LIST_HEAD(children);

	xtcp_assert_sock_owned(sk);
	/*
	 * One request at a time: taken off the list under req_lock, it is
	 * ours alone (its timer sees it unlinked and leaves it to us), and
	 * we dispose of it outside the lock.  Requests moved to a private
	 * list instead would still look listed to their timers, which would
	 * unlink and free them under our feet.  No request is added
	 * meanwhile: the socket has left TCP_LISTEN, which
	 * xtcp_listen_decide() checks under the lock.
	 */
	spin_lock_bh(&xs->req_lock);
	while ((req = list_first_entry_or_null(&xs->requests,
					       struct xtcp_request, node))) {
		xtcp_unlink_request(xs, req);
		spin_unlock_bh(&xs->req_lock);
		xtcp_drop_request(req);
		spin_lock_bh(&xs->req_lock);
	}
	list_splice_init(&xs->accept_queue, &children);
	spin_unlock_bh(&xs->req_lock);

	list_for_each_entry_safe(child, ctmp, &children, accept_node) {
		struct sock *csk = &child->inet.sk;

		list_del_init(&child->accept_node);
		sk_acceptq_removed(sk);
		/*
		 * Nobody accepted it, but sock_diag may own it (a dump
		 * filling TCP_INFO, a SOCK_DESTROY): wait for that owner,
		 * as close() would, then lock out softirq too.
		 */
		lock_sock_nested(csk, SINGLE_DEPTH_NESTING);
		local_bh_disable();
		bh_lock_sock(csk);
		sock_hold(csk);
		xtcp_abort_child(csk);
		bh_unlock_sock(csk);
		local_bh_enable();
		release_sock(csk);
		sock_put(csk);
	}
}

static struct sock *xtcp_accept_dequeue(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_sock *child;

	spin_lock_bh(&xs->req_lock);
	child = list_first_entry_or_null(&xs->accept_queue, struct xtcp_sock,
					 accept_node);
	if (child) {
		list_del_init(&child->accept_node);
		sk_acceptq_removed(sk);
	}
	spin_unlock_bh(&xs->req_lock);
	return child ? &child->inet.sk : NULL;
}

/* Sleep until a connection is queued; socket lock held around it. */
static int xtcp_wait_for_connect(struct sock *sk, long *timeo)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	struct xtcp_sock *xs = xtcp_sk(sk);

	add_wait_queue_exclusive(sk_sleep(sk), &wait);
	release_sock(sk);
	if (list_empty_careful(&xs->accept_queue))
		*timeo = wait_woken(&wait, TASK_INTERRUPTIBLE, *timeo);
	lock_sock(sk);
	remove_wait_queue(sk_sleep(sk), &wait);

	if (sk->sk_state != TCP_LISTEN)
		return -EINVAL;
	if (signal_pending(current))
		return sock_intr_errno(*timeo);
	return 0;
}

/**
 * xtcp_accept() - take a connection off a listener's queue
 * @sk: the listener
 * @flags: O_NONBLOCK from the file
 * @err: set to the error when NULL is returned
 * @kern: whether the caller is the kernel
 *
 * Return: the new socket, or NULL.
 */
struct sock *xtcp_accept(struct sock *sk, int flags, int *err, bool kern)
{
	struct sock *child = NULL;
	long timeo;
	int error;

	lock_sock(sk);
	error = -EINVAL;
	if (sk->sk_state != TCP_LISTEN)
		goto out;
	timeo = sock_rcvtimeo(sk, flags & O_NONBLOCK);
	while (!(child = xtcp_accept_dequeue(sk))) {
		error = -EAGAIN;
		if (!timeo)
			goto out;
		error = xtcp_wait_for_connect(sk, &timeo);
		if (error)
			goto out;
	}
	error = 0;
out:
	release_sock(sk);
	if (error)
		*err = error;
	return child;
}
