// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp_diag.ko: sock_diag (NETLINK_SOCK_DIAG, inet_diag) for xtcp, so
 * that netlink tools list xtcp's sockets, pending requests and TIME_WAIT
 * entries as ss lists TCP's, and SOCK_DESTROY aborts a connection.
 *
 * A module of its own, as tcp_diag, dccp_diag and sctp_diag are, so that
 * xtcp.ko does not pull in inet_diag: inet_diag loads it on the first
 * request for the protocol through the module alias.
 *
 * inet_diag's helpers for connection-oriented protocols walk
 * inet_hashinfo, which xtcp does not use: the dump walks xtcp's own
 * table with xtcp_iter_next(), one entry per step, and reports the copy
 * /proc/net/xtcp prints of it (xtcp_entry_info_fill()), so the two views
 * always agree.  A socket is reported after its chain is unlocked, with
 * a reference held, because TCP_INFO takes the socket lock; a request or
 * TIME_WAIT entry, which has no lock of its own, is reported from the
 * copy while the chain is still locked.
 *
 * Both families are answered, each with its own entries, as tcp_diag
 * answers them: an AF_INET6 socket talking to an IPv4 peer, and its
 * TIME_WAIT entry, are listed by an AF_INET6 request, with their
 * addresses v4-mapped, and never by an AF_INET one (which is what
 * /proc/net/xtcp and /proc/net/xtcp6 show).
 *
 * A TIME_WAIT entry and a pending request have a cookie of their own
 * (xtcp_tw_cookie(), xtcp_req_cookie()), as Linux's timewait and request
 * sockets have, and the lookup of one entry (dump_one) finds them by
 * their 4-tuple and checks the cookie; SOCK_DESTROY ends them, as Linux's
 * tcp_abort() does (xtcp_tw_destroy(), xtcp_req_diag()).
 */
#include <linux/inet_diag.h>
#include <linux/module.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <net/inet_timewait_sock.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "xtcp.h"

/**
 * struct xtcp_diag_walk - one step of a dump
 * @skb: the reply being filled
 * @cb: the dump's netlink callback
 * @req: what was asked for
 * @bc: the request's filter bytecode, or NULL
 * @net_admin: the requester has CAP_NET_ADMIN (marks are shown)
 * @info: copy of the entry visited
 * @sk: the socket visited, referenced, when it is to be reported
 * @err: -EMSGSIZE when a request or TIME_WAIT entry did not fit
 */
struct xtcp_diag_walk {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	const struct inet_diag_req_v2 *req;
	const struct nlattr *bc;
	bool net_admin;
	struct xtcp_entry_info info;
	struct sock *sk;
	int err;
};

/* Timer, retransmissions and expiry in inet_diag's units (ms). */
static void xtcp_diag_msg_timer(struct inet_diag_msg *r,
				const struct xtcp_entry_info *e)
{
	r->idiag_timer = e->timer;
	r->idiag_retrans = e->retrans;
	if (e->timer)
		r->idiag_expires = jiffies_delta_to_msecs(e->expires -
							  jiffies);
}

/* Memory, TCP_INFO and the congestion control, as tcp_diag gives them. */
static int xtcp_diag_put_sock_attrs(struct sock *sk, struct sk_buff *skb,
				    int ext)
{
	struct nlattr *attr;
	int err = 0;

	if (ext & (1 << (INET_DIAG_MEMINFO - 1))) {
		struct inet_diag_meminfo minfo = {
			.idiag_rmem = sk_rmem_alloc_get(sk),
			.idiag_wmem = READ_ONCE(sk->sk_wmem_queued),
			.idiag_fmem = sk_forward_alloc_get(sk),
			.idiag_tmem = sk_wmem_alloc_get(sk),
		};

		if (nla_put(skb, INET_DIAG_MEMINFO, sizeof(minfo), &minfo))
			return -EMSGSIZE;
	}
	if ((ext & (1 << (INET_DIAG_SKMEMINFO - 1))) &&
	    sock_diag_put_meminfo(sk, skb, INET_DIAG_SKMEMINFO))
		return -EMSGSIZE;
	if (!(ext & ((1 << (INET_DIAG_INFO - 1)) | (1 << (INET_DIAG_CONG - 1)))))
		return 0;

	/*
	 * TCP_INFO and the algorithm change under the socket lock, and a
	 * socket destroyed while the dump held it has no algorithm left:
	 * xtcp_cong_name() names Reno then, as getsockopt() does.
	 */
	lock_sock(sk);
	if (ext & (1 << (INET_DIAG_INFO - 1))) {
		attr = nla_reserve_64bit(skb, INET_DIAG_INFO,
					 sizeof(struct tcp_info), INET_DIAG_PAD);
		if (attr)
			xtcp_get_info(sk, nla_data(attr));
		else
			err = -EMSGSIZE;
	}
	if (!err && (ext & (1 << (INET_DIAG_CONG - 1))) &&
	    nla_put_string(skb, INET_DIAG_CONG, xtcp_cong_name(sk)))
		err = -EMSGSIZE;
	release_sock(sk);
	return err;
}

/**
 * xtcp_diag_fill_sock() - one socket's message
 * @sk: the socket, referenced; no lock held (process context)
 * @e: copy of it taken under its chain lock
 * @skb: the reply
 * @cb: the request's netlink callback
 * @req: the request
 * @flags: NLM_F_MULTI in a dump
 * @net_admin: show what needs CAP_NET_ADMIN
 *
 * Return: 0, or -EMSGSIZE when @skb is full (nothing of it is left).
 */
static int xtcp_diag_fill_sock(struct sock *sk, const struct xtcp_entry_info *e,
			       struct sk_buff *skb, struct netlink_callback *cb,
			       const struct inet_diag_req_v2 *req, u16 flags,
			       bool net_admin)
{
	struct user_namespace *user_ns = sk_user_ns(NETLINK_CB(cb->skb).sk);
	struct inet_diag_msg *r;
	struct nlmsghdr *nlh;

	nlh = nlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			cb->nlh->nlmsg_type, sizeof(*r), flags);
	if (!nlh)
		return -EMSGSIZE;
	r = nlmsg_data(nlh);
	memset(r, 0, sizeof(*r));
	inet_diag_msg_common_fill(r, sk);
	r->idiag_state = e->state;
	xtcp_diag_msg_timer(r, e);
	r->idiag_rqueue = e->rx_queue;
	r->idiag_wqueue = e->tx_queue;
	/* As tcp_diag: a listener's backlog, used and allowed. */
	if (e->state == TCP_LISTEN)
		r->idiag_wqueue = READ_ONCE(sk->sk_max_ack_backlog);
	if (inet_diag_msg_attrs_fill(sk, skb, r, req->idiag_ext, user_ns,
				     net_admin) ||
	    xtcp_diag_put_sock_attrs(sk, skb, req->idiag_ext)) {
		nlmsg_cancel(skb, nlh);
		return -EMSGSIZE;
	}
	nlmsg_end(skb, nlh);
	return 0;
}

/*
 * A pending request or TIME_WAIT entry, from its copy: no owner, no
 * inode, and its cookie, as inet_req_diag_fill() and
 * inet_twsk_diag_fill() report theirs; to a requester with
 * CAP_NET_ADMIN (@net_admin), its mark as INET_DIAG_MARK, as
 * inet_req_diag_fill() gives ir_mark (the listener's SO_MARK) and
 * inet_twsk_diag_fill() tw_mark (its socket's).
 * @flags: NLM_F_MULTI in a dump.
 */
static int xtcp_diag_fill_entry(const struct xtcp_entry_info *e,
				struct sk_buff *skb, struct netlink_callback *cb,
				u16 flags, bool net_admin)
{
	struct inet_diag_msg *r;
	struct nlmsghdr *nlh;

	nlh = nlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			cb->nlh->nlmsg_type, sizeof(*r), flags);
	if (!nlh)
		return -EMSGSIZE;
	r = nlmsg_data(nlh);
	memset(r, 0, sizeof(*r));
	r->idiag_family = e->family;
	r->idiag_state = e->state;
	r->id.idiag_sport = htons(e->sport);
	r->id.idiag_dport = htons(e->dport);
	/* In the fields inet_diag_msg_common_fill() uses for the family. */
	if (e->family == AF_INET6) {
		memcpy(r->id.idiag_src, &e->saddr6, sizeof(e->saddr6));
		memcpy(r->id.idiag_dst, &e->daddr6, sizeof(e->daddr6));
	} else {
		r->id.idiag_src[0] = e->saddr;
		r->id.idiag_dst[0] = e->daddr;
	}
	/* As sock_diag_save_cookie() stores a socket's. */
	r->id.idiag_cookie[0] = (u32)e->cookie;
	r->id.idiag_cookie[1] = (u32)(e->cookie >> 32);
	xtcp_diag_msg_timer(r, e);
	if (net_admin && nla_put_u32(skb, INET_DIAG_MARK, e->mark)) {
		nlmsg_cancel(skb, nlh);
		return -EMSGSIZE;
	}
	nlmsg_end(skb, nlh);
	return 0;
}

/*
 * inet_diag_bc_sk() reads a struct sock; for an entry that has none,
 * hand it a zeroed TIME_WAIT one holding the entry's addresses, ports
 * and mark: in that state it reads only struct sock_common and
 * tw_mark, the addresses from the fields of the family
 * (entry_fill_addrs()), the mark for "fwmark" conditions, which match
 * a request's ir_mark and a timewait socket's tw_mark in Linux.  It is
 * a scratch copy on the stack, never in any table.
 */
static bool xtcp_diag_bc_entry(const struct nlattr *bc,
			       const struct xtcp_entry_info *e)
{
	struct inet_timewait_sock probe;

	if (!bc)
		return true;
	memset(&probe, 0, sizeof(probe));
	probe.tw_family = e->family;
	probe.tw_state = TCP_TIME_WAIT;
	if (e->family == AF_INET6) {
		probe.tw_v6_rcv_saddr = e->saddr6;
		probe.tw_v6_daddr = e->daddr6;
	} else {
		probe.tw_rcv_saddr = e->saddr;
		probe.tw_daddr = e->daddr;
	}
	probe.tw_num = e->sport;
	probe.tw_dport = htons(e->dport);
	probe.tw_mark = e->mark;
	return inet_diag_bc_sk(bc, (struct sock *)&probe);
}

/*
 * The family, state and port conditions of the request, as
 * inet_diag_dump_icsk(): the family is the entry's own (its socket's,
 * or its listener's for a request), not that of the packets it sees.
 */
static bool xtcp_diag_wanted(const struct inet_diag_req_v2 *req,
			     const struct xtcp_entry_info *e)
{
	/* A socket only bound: /proc/net/xtcp lists it, Linux's diag not. */
	if (e->family != req->sdiag_family || e->state == TCP_CLOSE ||
	    !(req->idiag_states & (1 << e->state)))
		return false;
	if (req->id.idiag_sport && req->id.idiag_sport != htons(e->sport))
		return false;
	return !req->id.idiag_dport || req->id.idiag_dport == htons(e->dport);
}

/* An xtcp_iter_fn: chain locked, softirqs off. */
static void xtcp_diag_visit(enum xtcp_entry_kind kind, const void *entry,
			    void *arg)
{
	struct xtcp_diag_walk *w = arg;
	struct sock *sk;

	xtcp_entry_info_fill(kind, entry, &w->info);
	if (!xtcp_diag_wanted(w->req, &w->info))
		return;
	if (kind != XTCP_ENTRY_SOCK) {
		if (xtcp_diag_bc_entry(w->bc, &w->info))
			w->err = xtcp_diag_fill_entry(&w->info, w->skb, w->cb,
						      NLM_F_MULTI,
						      w->net_admin);
		return;
	}
	sk = (struct sock *)entry;
	if (inet_diag_bc_sk(w->bc, sk) && refcount_inc_not_zero(&sk->sk_refcnt))
		w->sk = sk;
}

/*
 * The dump resumes where the previous reply filled up: cb->args hold
 * the table cursor before the entry that did not fit.
 */
static void xtcp_diag_dump(struct sk_buff *skb, struct netlink_callback *cb,
			   const struct inet_diag_req_v2 *req)
{
	struct inet_diag_dump_data *cb_data = cb->data;
	struct xtcp_diag_walk w = {
		.skb = skb,
		.cb = cb,
		.req = req,
		.bc = cb_data->inet_diag_nla_bc,
		.net_admin = netlink_net_capable(cb->skb, CAP_NET_ADMIN),
	};
	struct xtcp_table_iter it = {
		.net = sock_net(skb->sk),
		.bucket = cb->args[0],
		.last = cb->args[1],
		.offset = cb->args[2],
	};
	struct xtcp_table_iter at;

	for (;;) {
		at = it;
		w.sk = NULL;
		w.err = 0;
		if (!xtcp_iter_next(&it, xtcp_diag_visit, &w))
			break;
		if (w.sk) {
			w.err = xtcp_diag_fill_sock(w.sk, &w.info, skb, cb, req,
						    NLM_F_MULTI, w.net_admin);
			sock_put(w.sk);
		}
		if (w.err) {
			it = at;
			break;
		}
	}
	cb->args[0] = it.bucket;
	cb->args[1] = it.last;
	cb->args[2] = it.offset;
}

/*
 * The local (@src) and remote (@dst) addresses a request names, IPv4 ones
 * v4-mapped; -EINVAL for a family other than these two.
 */
static int xtcp_diag_req_addrs(const struct inet_diag_req_v2 *req,
			       struct in6_addr *src, struct in6_addr *dst)
{
	switch (req->sdiag_family) {
	case AF_INET:
		xtcp_addr_set_v4(src, req->id.idiag_src[0]);
		xtcp_addr_set_v4(dst, req->id.idiag_dst[0]);
		return 0;
	case AF_INET6:
		memcpy(src, req->id.idiag_src, sizeof(*src));
		memcpy(dst, req->id.idiag_dst, sizeof(*dst));
		return 0;
	}
	return -EINVAL;
}

/**
 * xtcp_diag_find() - the socket a request names
 * @net: the requester's namespace
 * @req: the request, its addresses those of @req->sdiag_family
 *
 * The addresses are swapped, as in inet_diag_find_one_icsk():
 * xtcp_lookup6() takes them as a received segment carries them.  An
 * AF_INET request's addresses are looked up v4-mapped, as the segments
 * of an IPv4 connection are, and an AF_INET6 request's as they are: a
 * v4-mapped pair names the connection over IPv4 that a dual-stack socket
 * has (inet_lookup() in Linux).  As there, the request's family does not
 * have to be the socket's: its cookie tells them apart.  A listener
 * matches only a request with no remote end, so that asking for a
 * connection that is gone can never return (or SOCK_DESTROY) the
 * listener on its port.
 *
 * Return: the socket, referenced, or ERR_PTR(-ENOENT) (-EINVAL for a
 * family other than these two, which inet_diag does not pass).
 */
static struct sock *xtcp_diag_find(struct net *net,
				   const struct inet_diag_req_v2 *req)
{
	struct in6_addr src, dst;
	struct sock *sk;

	if (xtcp_diag_req_addrs(req, &src, &dst))
		return ERR_PTR(-EINVAL);
	sk = xtcp_lookup6(net, &dst, req->id.idiag_dport, &src,
			  req->id.idiag_sport, req->id.idiag_if, 0);
	/* No remote end: 0.0.0.0 (v4-mapped) or ::, and port 0. */
	if (!sk && !req->id.idiag_dport &&
	    (ipv6_addr_any(&dst) ||
	     (xtcp_addr_is_v4(&dst) && !xtcp_addr_v4(&dst))))
		sk = xtcp_lookup_listener6(net, &src,
					   ntohs(req->id.idiag_sport),
					   req->id.idiag_if, 0);
	if (!sk)
		return ERR_PTR(-ENOENT);
	if (sock_diag_check_cookie(sk, req->id.idiag_cookie)) {
		sock_put(sk);
		return ERR_PTR(-ENOENT);
	}
	return sk;
}

static size_t xtcp_diag_msg_size(void)
{
	return nla_total_size(sizeof(struct inet_diag_msg)) +
	       inet_diag_msg_attrs_size() +
	       nla_total_size(sizeof(struct inet_diag_meminfo)) +
	       nla_total_size(SK_MEMINFO_VARS * sizeof(u32)) +
	       nla_total_size_64bit(sizeof(struct tcp_info)) +
	       nla_total_size(XTCP_CA_NAME_MAX) + 64;
}

/*
 * dump_one for the TIME_WAIT entry or pending request of the request's
 * 4-tuple: found as inet_diag_find_one_icsk() finds Linux's, an IPv4 one
 * whatever its socket's family, and answered, like a socket, with
 * -ENOENT when the cookie is not its own.
 */
static int xtcp_diag_dump_one_entry(struct netlink_callback *cb,
				    const struct inet_diag_req_v2 *req)
{
	struct sk_buff *in_skb = cb->skb;
	struct net *net = sock_net(in_skb->sk);
	struct xtcp_entry_info info;
	struct in6_addr src, dst;
	struct sk_buff *rep;
	int err;

	if (xtcp_diag_req_addrs(req, &src, &dst))
		return -EINVAL;
	if (!xtcp_tw_lookup_info(net, &src, req->id.idiag_sport, &dst,
				 req->id.idiag_dport, &info) ||
	    !xtcp_diag_cookie_ok(req->id.idiag_cookie, info.cookie)) {
		err = xtcp_req_diag(net, &src, req->id.idiag_sport, &dst,
				    req->id.idiag_dport, req->id.idiag_if,
				    req->id.idiag_cookie, &info, false, false);
		if (err)
			return err;
	}
	rep = nlmsg_new(xtcp_diag_msg_size(), GFP_KERNEL);
	if (!rep)
		return -ENOMEM;
	err = xtcp_diag_fill_entry(&info, rep, cb, 0,
				   netlink_net_capable(in_skb, CAP_NET_ADMIN));
	if (err) {
		kfree_skb(rep);
		return err;
	}
	return nlmsg_unicast(net->diag_nlsk, rep, NETLINK_CB(in_skb).portid);
}

static int xtcp_diag_dump_one(struct netlink_callback *cb,
			      const struct inet_diag_req_v2 *req)
{
	struct sk_buff *in_skb = cb->skb;
	struct net *net = sock_net(in_skb->sk);
	struct xtcp_entry_info info;
	struct sk_buff *rep;
	struct sock *sk;
	int err;

	sk = xtcp_diag_find(net, req);
	/* No socket: TIME_WAIT entries and requests have a remote end. */
	if (sk == ERR_PTR(-ENOENT) && req->id.idiag_dport)
		return xtcp_diag_dump_one_entry(cb, req);
	if (IS_ERR(sk))
		return PTR_ERR(sk);
	err = -ENOMEM;
	rep = nlmsg_new(xtcp_diag_msg_size(), GFP_KERNEL);
	if (!rep)
		goto out;
	/* The copy is taken as a table walk takes it, softirqs off. */
	local_bh_disable();
	xtcp_entry_info_fill(XTCP_ENTRY_SOCK, sk, &info);
	local_bh_enable();
	err = xtcp_diag_fill_sock(sk, &info, rep, cb, req, 0,
				  netlink_net_capable(in_skb, CAP_NET_ADMIN));
	if (err) {
		kfree_skb(rep);
		goto out;
	}
	err = nlmsg_unicast(net->diag_nlsk, rep, NETLINK_CB(in_skb).portid);
out:
	sock_put(sk);
	return err;
}

/* Only for sock_diag's destroy broadcast, which xtcp sockets never join. */
static void xtcp_diag_get_info(struct sock *sk, struct inet_diag_msg *r,
			       void *info)
{
	r->idiag_rqueue = 0;
	r->idiag_wqueue = 0;
	if (info)
		memset(info, 0, sizeof(struct tcp_info));
}

#ifdef CONFIG_INET_DIAG_DESTROY
/*
 * SOCK_DESTROY of a TIME_WAIT entry or pending request, as Linux's
 * tcp_abort() ends a timewait socket or drops a request socket;
 * CAP_NET_ADMIN as sock_diag_destroy() asks it, once the entry is found.
 */
static int xtcp_diag_destroy_entry(struct sk_buff *in_skb,
				   const struct inet_diag_req_v2 *req)
{
	bool net_admin = netlink_net_capable(in_skb, CAP_NET_ADMIN);
	struct net *net = sock_net(in_skb->sk);
	struct in6_addr src, dst;
	int err;

	if (xtcp_diag_req_addrs(req, &src, &dst))
		return -EINVAL;
	err = xtcp_tw_destroy(net, &src, req->id.idiag_sport, &dst,
			      req->id.idiag_dport, req->id.idiag_cookie,
			      net_admin);
	if (err != -ENOENT)
		return err;
	return xtcp_req_diag(net, &src, req->id.idiag_sport, &dst,
			     req->id.idiag_dport, req->id.idiag_if,
			     req->id.idiag_cookie, NULL, true, net_admin);
}

/* SOCK_DESTROY: sock_diag_destroy() checks CAP_NET_ADMIN, xtcp_abort() acts. */
static int xtcp_diag_destroy(struct sk_buff *in_skb,
			     const struct inet_diag_req_v2 *req)
{
	struct sock *sk;
	int err;

	sk = xtcp_diag_find(sock_net(in_skb->sk), req);
	/* No socket: TIME_WAIT entries and requests have a remote end. */
	if (sk == ERR_PTR(-ENOENT) && req->id.idiag_dport)
		return xtcp_diag_destroy_entry(in_skb, req);
	if (IS_ERR(sk))
		return PTR_ERR(sk);
	err = sock_diag_destroy(sk, ECONNABORTED);
	sock_put(sk);
	return err;
}
#endif

/* Not const: the protocol number is xtcp.ko's parameter. */
static struct inet_diag_handler xtcp_diag_handler = {
	.dump		 = xtcp_diag_dump,
	.dump_one	 = xtcp_diag_dump_one,
	.idiag_get_info	 = xtcp_diag_get_info,
#ifdef CONFIG_INET_DIAG_DESTROY
	.destroy	 = xtcp_diag_destroy,
#endif
	.idiag_info_size = sizeof(struct tcp_info),
};

static int __init xtcp_diag_init(void)
{
	xtcp_diag_handler.idiag_type = xtcp_protocol;
	return inet_diag_register(&xtcp_diag_handler);
}

static void __exit xtcp_diag_exit(void)
{
	inet_diag_unregister(&xtcp_diag_handler);
}

module_init(xtcp_diag_init);
module_exit(xtcp_diag_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("xtcp socket monitoring via SOCK_DIAG");
/* NETLINK_SOCK_DIAG, AF_INET and AF_INET6, protocol 253 (the default). */
MODULE_ALIAS("net-pf-16-proto-4-type-2-253");
MODULE_ALIAS("net-pf-16-proto-4-type-10-253");
