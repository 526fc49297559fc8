// SPDX-License-Identifier: GPL-2.0
/*
 * The xtcp connection table.
 *
 * xtcp keeps its own tables, separate from TCP's inet_hashinfo, shared by
 * all network namespaces with the namespace folded into every key:
 *
 *  - bind hash: one struct xtcp_bind_port per (net, port) in use, with
 *    the sockets and TIME_WAIT entries that own the port.  Bind
 *    conflicts and port allocation are decided here, under the bucket
 *    lock, by the port's own owners.  /proc/net/xtcp walks it for the
 *    sockets that are only bound.
 *  - listen hash: listening sockets, keyed by (net, port).
 *  - established hash: connected sockets, keyed by the 4-tuple.
 *
 * The listen and established hashes are RCU hlist_nulls chains, looked
 * up from softirq without locks (see the rules in xtcp.h).
 *
 * connect() chooses its local port as Linux's __inet_hash_connect()
 * does (see xtcp_port.h and xtcp_connect_port()): a port is shared by
 * connections whose 4-tuples differ, and only by them.
 */
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/rculist_nulls.h>
#include <linux/sched.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <net/addrconf.h>
#include <net/ip.h>
#include <net/tcp_states.h>

#include "xtcp.h"
#include "xtcp_port.h"

#define XTCP_BHASH_SIZE		16384
#define XTCP_LHASH_SIZE		256
#define XTCP_EHASH_SIZE		16384

/**
 * struct xtcp_bind_port - the owners of one local port in one namespace
 * @node: link in its bind bucket's @ports
 * @net: the namespace
 * @port: the port, host order
 * @user_owners: owners, sockets and TIME_WAIT entries, that did not get
 *	the port from connect(): while there are any, connect() does not
 *	share the port (xtcp_port_connect_only())
 * @tw_noreuse: TIME_WAIT entries whose socket had no SO_REUSEADDR
 * @tw_v6only: TIME_WAIT entries of IPV6_V6ONLY sockets, whose addresses
 *	0.0.0.0 does not overlap (xtcp_tw_addr_overlap())
 * @owners: the sockets, linked through sk_bind_node
 * @tw_owners: TIME_WAIT entries, which keep their port bound
 *
 * As Linux's inet_bind_bucket: whether a port is free, or may be shared,
 * is decided by its own owners, never by other ports' (rule 4 in
 * xtcp.h: every field is under the bind bucket's lock).  It lives while
 * it has an owner.
 */
struct xtcp_bind_port {
	struct hlist_node node;
	possible_net_t net;
	u16 port;
	unsigned int user_owners;
	unsigned int tw_noreuse;
	unsigned int tw_v6only;
	struct hlist_head owners;
	struct hlist_head tw_owners;
};

/**
 * struct xtcp_bind_bucket - the ports that hash together
 * @lock: serialises bind, listen and port release on these ports
 * @ports: their struct xtcp_bind_port, one per port and namespace
 */
struct xtcp_bind_bucket {
	spinlock_t lock;	/* bind/listen/release of these ports */
	struct hlist_head ports;
};

/**
 * struct xtcp_hash_bucket - one RCU lookup chain
 * @lock: serialises writers of @chain
 * @chain: sockets linked through sk_nulls_node; the nulls value is the
 *	bucket number
 */
struct xtcp_hash_bucket {
	spinlock_t lock;	/* writers of @chain */
	struct hlist_nulls_head chain;
};

static struct {
	struct xtcp_bind_bucket *bhash;
	struct xtcp_hash_bucket *lhash;
	struct xtcp_hash_bucket *ehash;
	siphash_key_t ehash_secret;
	siphash_key_t port_secret;
	u32 *port_perturb;
	struct kmem_cache *port_cachep;
} xtcp_table __read_mostly;

static struct xtcp_bind_bucket *xtcp_bhash_bucket(const struct net *net,
						  u16 port)
{
	u32 hash = port + net_hash_mix(net);

	return &xtcp_table.bhash[hash & (XTCP_BHASH_SIZE - 1)];
}

static u32 xtcp_lhash_slot(const struct net *net, u16 port)
{
	return (port + net_hash_mix(net)) & (XTCP_LHASH_SIZE - 1);
}

/**
 * xtcp_tuple_hash() - keyed hash of a connection's 4-tuple
 * @net: namespace
 * @laddr: local address (IPv4 v4-mapped)
 * @lport: local port, host order
 * @faddr: foreign address, of the same family
 * @fport: foreign port, network order
 *
 * Return: a siphash of the tuple under a boot-time random key, so that
 * peers cannot aim at one chain.
 */
u32 xtcp_tuple_hash(const struct net *net, const struct in6_addr *laddr,
		    u16 lport, const struct in6_addr *faddr, __be16 fport)
{
	u32 ports = (u32)lport << 16 | (__force u16)fport;

	if (!xtcp_addr_is_v4(faddr))
		return xtcp_siphash6(laddr, faddr, ports, net_hash_mix(net),
				     &xtcp_table.ehash_secret);
	return siphash_4u32((__force u32)xtcp_addr_v4(laddr),
			    (__force u32)xtcp_addr_v4(faddr), ports,
			    net_hash_mix(net), &xtcp_table.ehash_secret);
}

static u32 xtcp_ehash_slot(const struct net *net,
			   const struct in6_addr *laddr, u16 lport,
			   const struct in6_addr *faddr, __be16 fport)
{
	return xtcp_tuple_hash(net, laddr, lport, faddr, fport) &
	       (XTCP_EHASH_SIZE - 1);
}

static bool xtcp_dev_overlap(const struct sock *sk, const struct sock *sk2)
{
	int dev = READ_ONCE(sk->sk_bound_dev_if);
	int dev2 = READ_ONCE(sk2->sk_bound_dev_if);

	return !dev || !dev2 || dev == dev2;
}

/*
 * Linux TCP's rule (inet_bind_conflict()), SO_REUSEPORT aside: two
 * sockets may share a local port when their devices or addresses cannot
 * overlap, or, when @relax, when both set SO_REUSEADDR and the owner
 * already there is not listening.  Ephemeral ports are never shared.
 * Addresses overlap as inet_rcv_saddr_equal() says, across families: a
 * wildcard overlaps everything of its family, and an IPv6 one also every
 * IPv4 address unless IPV6_V6ONLY is set; a v4-mapped address is its
 * IPv4 one.
 */
static bool xtcp_bind_conflict(const struct sock *sk, const struct sock *sk2,
			       bool relax)
{
	if (sk == sk2 || !net_eq(sock_net(sk), sock_net(sk2)))
		return false;
	if (!xtcp_dev_overlap(sk, sk2) ||
	    !inet_rcv_saddr_equal(sk, sk2, true))
		return false;
	return !(relax && sk->sk_reuse && sk2->sk_reuse &&
		 READ_ONCE(sk2->sk_state) != TCP_LISTEN);
}

/*
 * Do the local addresses of @sk and of a TIME_WAIT entry overlap?  As
 * inet_rcv_saddr_equal() for a socket: an IPv6 entry's address overlaps
 * an IPv6 socket's when equal or either is a wildcard, and an IPv4
 * socket's only when that is 0.0.0.0 and the entry's socket was not
 * IPV6_V6ONLY; an IPv4 entry's overlaps an IPv6 socket's IPv4 address
 * (0.0.0.0 for a wildcard, the v4-mapped one, or none when the socket is
 * IPV6_V6ONLY).
 *
 * The entry's IPV6_V6ONLY (Linux's tw_ipv6only) matters in that one case
 * alone, Linux 6.1's inet_bind_conflict() path for a wildcard: there
 * ipv4_rcv_saddr_equal() sees the entry's IPv4 address, LOOPBACK4_IPV6
 * for an IPv6 connection, which only 0.0.0.0 overlaps, unless tw_ipv6only
 * is set.  Everywhere else the entry's concrete address decides: an IPv6
 * socket's wildcard overlaps it either way (tw_ipv6only counts only
 * where the entry's address is the wildcard, or v4-mapped as a dual-stack
 * entry's is, whose socket cannot be IPV6_V6ONLY), a bind() to a concrete
 * address compares it in Linux's bhash2, where an IPv4 address never
 * meets an IPv6 one, and connect() compares 4-tuples.
 */
static bool xtcp_tw_addr_overlap(const struct sock *sk,
				 const struct xtcp_tw *tw)
{
	const struct xtcp_tw6 *tw6 = container_of(tw, struct xtcp_tw6, tw);

	if (xtcp_tw_is_v6(tw)) {
		if (sk->sk_family != AF_INET6)
			return !sk->sk_rcv_saddr && !xtcp_tw_v6only(tw);
		return ipv6_addr_any(&sk->sk_v6_rcv_saddr) ||
		       ipv6_addr_equal(&sk->sk_v6_rcv_saddr, &tw6->laddr);
	}
	if (ipv6_only_sock(sk))
		return false;
	return !sk->sk_rcv_saddr || sk->sk_rcv_saddr == tw->laddr;
}

/*
 * Is @sk bound to a wildcard that overlaps the address of every TIME_WAIT
 * entry of @bp: :: without IPV6_V6ONLY, or 0.0.0.0 when no entry is one
 * of an IPV6_V6ONLY socket (xtcp_tw_addr_overlap())?
 */
static bool xtcp_sk_wildcard_all(const struct sock *sk,
				 const struct xtcp_bind_port *bp)
{
	if (sk->sk_family == AF_INET6)
		return ipv6_addr_any(&sk->sk_v6_rcv_saddr) &&
		       !ipv6_only_sock(sk);
	return !sk->sk_rcv_saddr && !bp->tw_v6only;
}

/*
 * A TIME_WAIT entry is an owner that is not listening, bound to no
 * device: the same rule applies.
 */
static bool xtcp_bind_conflict_tw(const struct sock *sk,
				  const struct xtcp_tw *tw, bool relax)
{
	if (!xtcp_tw_addr_overlap(sk, tw))
		return false;
	return !(relax && sk->sk_reuse &&
		 (READ_ONCE(tw->expires_reuse) & XTCP_TW_REUSE));
}

/* The port struct of @port in @net, or NULL when nothing owns it. */
static struct xtcp_bind_port *xtcp_bind_port_find(struct xtcp_bind_bucket *b,
						  const struct net *net,
						  u16 port)
	__must_hold(&b->lock)
{
	struct xtcp_bind_port *bp;

	lockdep_assert_held(&b->lock);
	hlist_for_each_entry(bp, &b->ports, node)
		if (bp->port == port && net_eq(read_pnet(&bp->net), net))
			return bp;
	return NULL;
}

/*
 * A port struct for @port in @net, which nothing owns yet.  GFP_ATOMIC
 * under the bucket lock, as Linux's inet_bind_bucket_create(): a child
 * inherits its port in softirq.
 */
static struct xtcp_bind_port *xtcp_bind_port_new(struct xtcp_bind_bucket *b,
						 struct net *net, u16 port)
	__must_hold(&b->lock)
{
	struct xtcp_bind_port *bp;

	lockdep_assert_held(&b->lock);
	bp = kmem_cache_zalloc(xtcp_table.port_cachep, GFP_ATOMIC);
	if (!bp)
		return NULL;
	write_pnet(&bp->net, net);
	bp->port = port;
	hlist_add_head(&bp->node, &b->ports);
	return bp;
}

/*
 * The port struct of @port in @net, created if nothing owns the port
 * yet (xtcp_bind_port_new()).
 */
static struct xtcp_bind_port *xtcp_bind_port_get(struct xtcp_bind_bucket *b,
						 struct net *net, u16 port)
	__must_hold(&b->lock)
{
	struct xtcp_bind_port *bp = xtcp_bind_port_find(b, net, port);

	if (bp)
		return bp;
	return xtcp_bind_port_new(b, net, port);
}

/* Free @bp once its last owner has gone. */
static void xtcp_bind_port_put(struct xtcp_bind_bucket *b,
			       struct xtcp_bind_port *bp)
	__must_hold(&b->lock)
{
	lockdep_assert_held(&b->lock);
	if (!hlist_empty(&bp->owners) || !hlist_empty(&bp->tw_owners))
		return;
	WARN_ON_ONCE(bp->user_owners || bp->tw_noreuse || bp->tw_v6only);
	hlist_del(&bp->node);
	kmem_cache_free(xtcp_table.port_cachep, bp);
}

/*
 * Does an owner of @bp's port keep @sk off it?  The sockets are walked
 * (there are few, bar ports that connect() shares, which bind() then
 * walks as Linux does); the TIME_WAIT entries, which may be many, only
 * when their counts cannot decide: a wildcard @sk overlaps all of them
 * (0.0.0.0 all but those of IPV6_V6ONLY sockets: when the port has any,
 * the walk stops at the first other that conflicts).
 */
static bool xtcp_port_taken(struct xtcp_bind_bucket *b,
			    struct xtcp_bind_port *bp, const struct sock *sk,
			    bool relax)
	__must_hold(&b->lock)
{
	bool reuse = relax && sk->sk_reuse;
	struct xtcp_tw *tw;
	struct sock *sk2;

	lockdep_assert_held(&b->lock);
	sk_for_each_bound(sk2, &bp->owners) {
		if (xtcp_bind_conflict(sk, sk2, relax))
			return true;
	}
	if (hlist_empty(&bp->tw_owners) || (reuse && !bp->tw_noreuse))
		return false;
	if (xtcp_sk_wildcard_all(sk, bp))
		return true;
	hlist_for_each_entry(tw, &bp->tw_owners, bind_node) {
		if (xtcp_bind_conflict_tw(sk, tw, relax))
			return true;
	}
	return false;
}

/* @connect: the port is connect()'s choice, which others may share. */
static void xtcp_port_own(struct xtcp_bind_bucket *b,
			  struct xtcp_bind_port *bp, struct sock *sk,
			  bool connect)
	__must_hold(&b->lock)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	lockdep_assert_held(&b->lock);
	inet_sk(sk)->inet_num = bp->port;
	xs->connect_port = connect;
	xs->bind_port = bp;
	if (!connect)
		bp->user_owners++;
	sk_add_bind_node(sk, &bp->owners);
}

/* 0, -EADDRINUSE, or -ENOMEM when the port struct cannot be made. */
static int xtcp_try_port(struct sock *sk, u16 port, bool relax)
{
	struct xtcp_bind_bucket *b = xtcp_bhash_bucket(sock_net(sk), port);
	struct xtcp_bind_port *bp;
	int err = -EADDRINUSE;

	spin_lock_bh(&b->lock);
	bp = xtcp_bind_port_find(b, sock_net(sk), port);
	if (!bp || !xtcp_port_taken(b, bp, sk, relax)) {
		if (!bp)
			bp = xtcp_bind_port_new(b, sock_net(sk), port);
		err = bp ? 0 : -ENOMEM;
		if (bp)
			xtcp_port_own(b, bp, sk, false);
	}
	spin_unlock_bh(&b->lock);
	return err;
}

/*
 * Pick a free port for bind(port 0) or listen() from ip_local_port_range
 * the way Linux's inet_csk_find_open_port() does: start at a random odd
 * offset, try the odd ports, then the even ones (connect() starts with
 * the even ones, so that the two rarely compete).  Such a port is never
 * shared.
 */
static int xtcp_get_ephemeral_port(struct sock *sk)
{
	struct net *net = sock_net(sk);
	u32 remaining, offset, i;
	int low, high, port;
	int parity, err;

	inet_sk_get_local_port_range(sk, &low, &high);
	high++;
	remaining = high - low;
	if (remaining > 1)
		remaining &= ~1U;
	offset = get_random_u32_below(remaining) | 1U;

	for (parity = 0; parity < 2; parity++, offset ^= 1U) {
		port = low + offset;
		for (i = 0; i < remaining; i += 2, port += 2) {
			if (port >= high)
				port -= remaining;
			if (inet_is_local_reserved_port(net, port))
				continue;
			err = xtcp_try_port(sk, port, false);
			if (err != -EADDRINUSE)
				return err;
			cond_resched();
		}
	}
	return -EADDRINUSE;
}

/**
 * xtcp_get_port() - make @sk the owner of local port @snum
 * @sk: socket being bound, with its local address already set
 * @snum: port in host order, or 0 for an ephemeral port
 *
 * Called by inet_bind() and by listen() on an unbound socket, in process
 * context with the socket lock held.  Sets inet_num on success.
 *
 * Return: 0, -EADDRINUSE when the port conflicts with another owner
 * (or no ephemeral port is free), or -ENOMEM.
 */
int xtcp_get_port(struct sock *sk, unsigned short snum)
{
	xtcp_assert_sock_owned(sk);
	if (!snum)
		return xtcp_get_ephemeral_port(sk);
	return xtcp_try_port(sk, snum, true);
}

/**
 * xtcp_put_port() - give up the local port of @sk
 * @sk: socket, bound or not
 *
 * Safe in any context.
 */
void xtcp_put_port(struct sock *sk)
{
	struct inet_sock *inet = inet_sk(sk);
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_bind_bucket *b;
	struct xtcp_bind_port *bp;

	if (hlist_unhashed(&sk->sk_bind_node))
		return;
	b = xtcp_bhash_bucket(sock_net(sk), inet->inet_num);
	spin_lock_bh(&b->lock);
	bp = xs->bind_port;
	hlist_del_init(&sk->sk_bind_node);
	if (!xs->connect_port)
		bp->user_owners--;
	xtcp_bind_port_put(b, bp);
	inet->inet_num = 0;
	xs->connect_port = false;
	xs->bind_port = NULL;
	spin_unlock_bh(&b->lock);
}

/**
 * xtcp_inherit_port() - make a child share its listener's port
 * @child: new socket, not yet visible
 * @listener: the listener it was accepted on
 *
 * Connected children own the port too, as in Linux, so that it stays
 * bound while they live.  No conflict check: the 4-tuple is new.  The
 * port struct is looked up rather than taken from @listener, which a
 * concurrent close() may be taking off the port.
 *
 * Return: 0, or -ENOMEM (the listener left, and the port struct could
 * not be made again).
 */
int xtcp_inherit_port(struct sock *child, const struct sock *listener)
{
	u16 port = inet_sk(listener)->inet_num;
	struct xtcp_bind_bucket *b = xtcp_bhash_bucket(sock_net(child), port);
	struct xtcp_bind_port *bp;

	spin_lock_bh(&b->lock);
	bp = xtcp_bind_port_get(b, sock_net(child), port);
	if (bp)
		xtcp_port_own(b, bp, child, false);
	spin_unlock_bh(&b->lock);
	return bp ? 0 : -ENOMEM;
}

/**
 * xtcp_bind_tw_add() - let a TIME_WAIT entry keep its port bound
 * @tw: new entry, addresses, net and %XTCP_TW_DUAL set, not yet visible
 * @sk: the socket the entry replaces, which still owns the port
 *
 * The entry holds the port as @sk did: with SO_REUSEADDR or not, as
 * connect()'s choice, which later connections may share, or not, and
 * with IPV6_V6ONLY or not.
 */
void xtcp_bind_tw_add(struct xtcp_tw *tw, const struct sock *sk)
{
	u32 flags = sk->sk_reuse ? XTCP_TW_REUSE : 0;
	struct xtcp_bind_bucket *b;
	struct xtcp_bind_port *bp;

	b = xtcp_bhash_bucket(read_pnet(&tw->net), ntohs(tw->lport));
	spin_lock_bh(&b->lock);
	bp = xtcp_sk(sk)->bind_port;
	if (xtcp_sk(sk)->connect_port)
		flags |= XTCP_TW_CONNECT;
	else
		bp->user_owners++;
	if (!(flags & XTCP_TW_REUSE))
		bp->tw_noreuse++;
	if (xtcp_tw_v6only(tw))
		bp->tw_v6only++;
	tw->expires_reuse = (tw->expires_reuse & ~XTCP_TW_PORT_FLAGS) | flags;
	hlist_add_head(&tw->bind_node, &bp->tw_owners);
	spin_unlock_bh(&b->lock);
}

/**
 * xtcp_bind_tw_del() - release the port of a TIME_WAIT entry
 * @tw: entry still holding its port
 */
void xtcp_bind_tw_del(struct xtcp_tw *tw)
{
	u32 flags = READ_ONCE(tw->expires_reuse) & XTCP_TW_FLAGS;
	struct net *net = read_pnet(&tw->net);
	struct xtcp_bind_bucket *b;
	struct xtcp_bind_port *bp;

	b = xtcp_bhash_bucket(net, ntohs(tw->lport));
	spin_lock_bh(&b->lock);
	bp = xtcp_bind_port_find(b, net, ntohs(tw->lport));
	hlist_del_init(&tw->bind_node);
	if (!(flags & XTCP_TW_CONNECT))
		bp->user_owners--;
	if (!(flags & XTCP_TW_REUSE))
		bp->tw_noreuse--;
	if (xtcp_tw_v6only(tw))
		bp->tw_v6only--;
	xtcp_bind_port_put(b, bp);
	spin_unlock_bh(&b->lock);
}

/*
 * May connect() take @port, in @sk's namespace, in bind bucket @b?  Only
 * if every socket and TIME_WAIT entry holding it got it from connect()
 * too, as Linux 6.1 keeps to ports whose bind bucket connect() created
 * (tb->fastreuse == -1 && tb->fastreuseport == -1): a port bound by
 * bind() or listen() is the user's, whatever the 4-tuples.  The port's
 * count of such owners decides, however many connections share it;
 * whether @sk's 4-tuple is free on the port is for xtcp_hash() to decide.
 */
static bool xtcp_port_connect_only(struct xtcp_bind_bucket *b,
				   const struct xtcp_bind_port *bp)
	__must_hold(&b->lock)
{
	lockdep_assert_held(&b->lock);
	return !bp->user_owners;
}

/*
 * Own @port as connect()'s choice, unless bind() or listen() hold it (or
 * its port struct cannot be made).
 */
static bool xtcp_claim_connect_port(struct sock *sk, u16 port)
{
	struct xtcp_bind_bucket *b = xtcp_bhash_bucket(sock_net(sk), port);
	struct xtcp_bind_port *bp;

	spin_lock_bh(&b->lock);
	bp = xtcp_bind_port_get(b, sock_net(sk), port);
	if (bp && !xtcp_port_connect_only(b, bp))
		bp = NULL;
	if (bp)
		xtcp_port_own(b, bp, sk, true);
	spin_unlock_bh(&b->lock);
	return bp;
}

/*
 * RFC 6056's F(local address, remote address, remote port, secret) of
 * algorithm 4, as Linux's secure_ipv4_port_ephemeral(): the time in 10 s
 * units is hashed too, so that a destination's ports are not tied to it
 * for ever.  The key is xtcp's own, never TCP's: TCP's ports tell an
 * observer nothing about xtcp's, nor the other way round.
 */
static u64 xtcp_port_hash(const struct sock *sk)
{
	if (!xtcp_sk_is_v4(sk))
		return xtcp_siphash6(&sk->sk_v6_rcv_saddr, &sk->sk_v6_daddr,
				     (__force u16)inet_sk(sk)->inet_dport,
				     jiffies / (10 * HZ),
				     &xtcp_table.port_secret);
	return siphash_4u32((__force u32)sk->sk_rcv_saddr,
			    (__force u32)sk->sk_daddr,
			    (__force u16)inet_sk(sk)->inet_dport,
			    jiffies / (10 * HZ), &xtcp_table.port_secret);
}

/*
 * The walk of Linux's __inet_hash_connect() (xtcp_port.h).  Each port
 * tried is first owned in its bind bucket, then xtcp_hash() checks the
 * 4-tuple against the established and TIME_WAIT tables and adds the
 * socket under its established chain's lock (rule 2), or the port is
 * given back.  Two connect() calls that try one port for one
 * destination at once thus cannot both get the 4-tuple, and none ever
 * holds the chain lock and a bind bucket lock together.
 */
static int xtcp_connect_ephemeral(struct sock *sk)
{
	struct inet_sock *inet = inet_sk(sk);
	struct net *net = sock_net(sk);
	u32 span, start, index, i, pass;
	int low, high, port;
	u64 hash;

	inet_sk_get_local_port_range(sk, &low, &high);
	span = xtcp_port_span(low, high + 1);
	hash = xtcp_port_hash(sk);
	index = hash & (XTCP_PORT_PERTURB_SIZE - 1);
	start = xtcp_port_start(READ_ONCE(xtcp_table.port_perturb[index]),
				hash >> 32, span);

	for (pass = 0; pass < (span > 1 ? 2 : 1); pass++, start++) {
		for (i = 0; i < span; i += 2) {
			port = xtcp_port_at(low, high + 1, span, start, i);
			if (inet_is_local_reserved_port(net, port))
				continue;
			if (xtcp_claim_connect_port(sk, port)) {
				inet->inet_sport = htons(port);
				if (!xtcp_hash(sk))
					goto found;
				xtcp_put_port(sk);
				inet->inet_sport = 0;
			}
			cond_resched();
		}
	}
	return -EADDRNOTAVAIL;

found:
	/* Racy, as Linux's: a lost update only makes a start less random. */
	WRITE_ONCE(xtcp_table.port_perturb[index],
		   READ_ONCE(xtcp_table.port_perturb[index]) +
		   xtcp_port_perturb_step(i, get_random_u32_below(8)));
	return 0;
}

/**
 * xtcp_connect_port() - give a connecting socket its port and hash it
 * @sk: socket in SYN_SENT with both addresses and the peer port set,
 *	owned by the caller
 *
 * A bound socket keeps its port if no connection, TIME_WAIT included,
 * has the same 4-tuple.  An unbound one gets a port from
 * ip_local_port_range, none of ip_local_reserved_ports, that bind() and
 * listen() do not hold and on which its 4-tuple is free: connections
 * to different destinations share ports, as with Linux TCP.
 *
 * Return: 0, or -EADDRNOTAVAIL.
 */
int xtcp_connect_port(struct sock *sk)
{
	struct inet_sock *inet = inet_sk(sk);

	xtcp_assert_sock_owned(sk);
	if (!inet->inet_num)
		return xtcp_connect_ephemeral(sk);
	inet->inet_sport = htons(inet->inet_num);
	return xtcp_hash(sk);
}

/**
 * xtcp_bind_listen() - move a bound socket to LISTEN if its port allows
 * @sk: socket owning a port, socket lock held
 *
 * The conflict check is repeated with @sk as a listener: two sockets that
 * share a port through SO_REUSEADDR may not both listen on it.  Doing the
 * check and the state change under the bucket lock makes concurrent
 * listen() calls on such a port agree on a single winner.
 *
 * Return: 0, or -EADDRINUSE.
 */
int xtcp_bind_listen(struct sock *sk)
{
	u16 port = inet_sk(sk)->inet_num;
	struct xtcp_bind_bucket *b = xtcp_bhash_bucket(sock_net(sk), port);
	int err = -EADDRINUSE;

	xtcp_assert_sock_owned(sk);
	spin_lock_bh(&b->lock);
	if (!xtcp_port_taken(b, xtcp_sk(sk)->bind_port, sk, true)) {
		xtcp_transition(sk, XTCP_EV_LISTEN);
		err = 0;
	}
	spin_unlock_bh(&b->lock);
	return err;
}

static bool xtcp_dev_match(const struct sock *sk, int dif, int sdif)
{
	int dev = READ_ONCE(sk->sk_bound_dev_if);

	return !dev || dev == dif || dev == sdif;
}

/*
 * An IPv4 segment matches an AF_INET socket or a dual-stack AF_INET6 one
 * talking to a v4-mapped peer, by the IPv4 fields both keep; an IPv6
 * segment only an AF_INET6 socket.
 */
static bool xtcp_established_match(const struct sock *sk,
				   const struct net *net,
				   const struct in6_addr *saddr, __be16 sport,
				   const struct in6_addr *daddr, u16 hnum,
				   int dif, int sdif)
{
	if (!net_eq(sock_net(sk), net) || inet_sk(sk)->inet_dport != sport ||
	    sk->sk_num != hnum || !xtcp_dev_match(sk, dif, sdif))
		return false;
	if (xtcp_addr_is_v4(saddr))
		return xtcp_sk_is_v4(sk) &&
		       sk->sk_daddr == xtcp_addr_v4(saddr) &&
		       sk->sk_rcv_saddr == xtcp_addr_v4(daddr);
	return sk->sk_family == AF_INET6 &&
	       ipv6_addr_equal(&sk->sk_v6_daddr, saddr) &&
	       ipv6_addr_equal(&sk->sk_v6_rcv_saddr, daddr);
}

/* Has another socket on @sk's established chain @sk's 4-tuple? */
static bool xtcp_chain_taken(struct xtcp_hash_bucket *hb, struct sock *sk)
	__must_hold(&hb->lock)
{
	struct inet_sock *inet = inet_sk(sk);
	struct in6_addr laddr, raddr;
	struct hlist_nulls_node *node;
	struct sock *sk2;

	lockdep_assert_held(&hb->lock);
	xtcp_sk_addrs(sk, &laddr, &raddr);
	sk_nulls_for_each(sk2, node, &hb->chain) {
		if (xtcp_established_match(sk2, sock_net(sk), &raddr,
					   inet->inet_dport, &laddr,
					   inet->inet_num,
					   sk->sk_bound_dev_if, 0))
			return true;
	}
	return false;
}

/*
 * Has another connection, established or in TIME_WAIT, the 4-tuple of
 * @sk?  Called with the lock of @sk's established chain held, which
 * makes the answer hold until @sk is added there: two sockets sharing a
 * port (SO_REUSEADDR) that connect to one peer at once cannot both get
 * the 4-tuple.  A connection entering TIME_WAIT is in the TIME_WAIT
 * table before it leaves the chain, so it is seen in one or the other.
 * An entry that sysctl tw_reuse lets connect() have is ended instead,
 * and @sk takes the 4-tuple over (xtcp_tw_taken()).
 */
static bool xtcp_tuple_taken(struct xtcp_hash_bucket *hb, struct sock *sk)
	__must_hold(&hb->lock)
{
	if (xtcp_chain_taken(hb, sk))
		return true;
	return xtcp_tw_taken(sk);
}

/**
 * xtcp_hash() - make @sk findable by xtcp_lookup()
 * @sk: a listening or connected socket, not yet hashed
 *
 * Return: 0, or -EADDRNOTAVAIL when a connecting socket's 4-tuple is
 * taken, or a listener's new child finds a socket of its 4-tuple there
 * (two copies of a SYN cookie's ACK made a child each).
 */
int xtcp_hash(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct inet_sock *inet = inet_sk(sk);
	struct net *net = sock_net(sk);
	struct in6_addr laddr, raddr;
	struct xtcp_hash_bucket *hb;
	int err = 0;

	if (sk->sk_state == TCP_CLOSE)
		return 0;
	if (sk->sk_state == TCP_LISTEN) {
		hb = &xtcp_table.lhash[xtcp_lhash_slot(net, inet->inet_num)];
	} else {
		xtcp_sk_addrs(sk, &laddr, &raddr);
		hb = &xtcp_table.ehash[xtcp_ehash_slot(net, &laddr,
						       inet->inet_num, &raddr,
						       inet->inet_dport)];
	}
	spin_lock_bh(&hb->lock);
	if (sk->sk_state == TCP_SYN_SENT ? xtcp_tuple_taken(hb, sk) :
	    sk->sk_state != TCP_LISTEN && xtcp_chain_taken(hb, sk)) {
		err = -EADDRNOTAVAIL;
	} else {
		sk_nulls_add_node_rcu(sk, &hb->chain);
		xs->hash_bucket = hb;
	}
	spin_unlock_bh(&hb->lock);
	return err;
}

/**
 * xtcp_unhash() - stop xtcp_lookup() from finding @sk
 * @sk: socket, hashed or not; the caller holds a reference
 *
 * Lookups already running may still return @sk: they hold their own
 * reference and see the state it is in.
 */
void xtcp_unhash(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_hash_bucket *hb = xs->hash_bucket;

	if (!hb)
		return;
	spin_lock_bh(&hb->lock);
	sk_nulls_del_node_init_rcu(sk);
	xs->hash_bucket = NULL;
	spin_unlock_bh(&hb->lock);
}

/*
 * Higher is better; -1 is no match.  An exact address beats a wildcard.
 * IPv6 segments go to AF_INET6 listeners; IPv4 ones to AF_INET listeners
 * and to dual-stack AF_INET6 ones (not IPV6_V6ONLY), bound to :: or to a
 * v4-mapped address, whose IPv4 address inet6_bind() set too; an
 * AF_INET listener wins a tie, as with Linux TCP.
 */
static int xtcp_listen_score(const struct sock *sk, const struct net *net,
			     const struct in6_addr *daddr, u16 hnum, int dif,
			     int sdif)
{
	int score = 1;

	if (!net_eq(sock_net(sk), net) || sk->sk_num != hnum ||
	    READ_ONCE(sk->sk_state) != TCP_LISTEN ||
	    !xtcp_dev_match(sk, dif, sdif))
		return -1;
	if (!xtcp_addr_is_v4(daddr)) {
		if (sk->sk_family != AF_INET6)
			return -1;
		if (!ipv6_addr_any(&sk->sk_v6_rcv_saddr)) {
			if (!ipv6_addr_equal(&sk->sk_v6_rcv_saddr, daddr))
				return -1;
			score += 4;
		}
	} else {
		if (ipv6_only_sock(sk))
			return -1;
		if (sk->sk_rcv_saddr) {
			if (sk->sk_rcv_saddr != xtcp_addr_v4(daddr))
				return -1;
			score += 4;
		}
		if (sk->sk_family == AF_INET)
			score += 2;
	}
	if (READ_ONCE(sk->sk_bound_dev_if))
		score++;
	return score;
}

static struct sock *xtcp_lookup_established(struct net *net,
					    const struct in6_addr *saddr,
					    __be16 sport,
					    const struct in6_addr *daddr,
					    u16 hnum, int dif, int sdif)
{
	u32 slot = xtcp_ehash_slot(net, daddr, hnum, saddr, sport);
	struct xtcp_hash_bucket *hb = &xtcp_table.ehash[slot];
	struct hlist_nulls_node *node;
	struct sock *sk;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "xtcp lookup outside RCU");
begin:
	sk_nulls_for_each_rcu(sk, node, &hb->chain) {
		if (!xtcp_established_match(sk, net, saddr, sport, daddr, hnum,
					    dif, sdif))
			continue;
		if (unlikely(!refcount_inc_not_zero(&sk->sk_refcnt)))
			return NULL;
		if (unlikely(!xtcp_established_match(sk, net, saddr, sport,
						     daddr, hnum, dif, sdif))) {
			sock_put(sk);
			goto begin;
		}
		return sk;
	}
	if (get_nulls_value(node) != slot)
		goto begin;
	return NULL;
}

static struct sock *__xtcp_lookup_listener(struct net *net,
					   const struct in6_addr *daddr,
					   u16 hnum, int dif, int sdif)
{
	u32 slot = xtcp_lhash_slot(net, hnum);
	struct xtcp_hash_bucket *hb = &xtcp_table.lhash[slot];
	struct hlist_nulls_node *node;
	struct sock *sk, *best;
	int score, best_score;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "xtcp lookup outside RCU");
begin:
	best = NULL;
	best_score = 0;
	sk_nulls_for_each_rcu(sk, node, &hb->chain) {
		score = xtcp_listen_score(sk, net, daddr, hnum, dif, sdif);
		if (score > best_score) {
			best = sk;
			best_score = score;
		}
	}
	if (get_nulls_value(node) != slot)
		goto begin;
	if (!best)
		return NULL;
	if (unlikely(!refcount_inc_not_zero(&best->sk_refcnt)))
		goto begin;
	if (unlikely(xtcp_listen_score(best, net, daddr, hnum, dif, sdif) <
		     best_score)) {
		sock_put(best);
		goto begin;
	}
	return best;
}

/**
 * xtcp_lookup_listener() - find the listener a segment is for
 * @net: namespace the segment arrived in
 * @daddr: destination address of the segment (local)
 * @hnum: destination port, host order
 * @dif: index of the device the segment arrived on
 * @sdif: index of its l3 master device, or 0
 *
 * An exact local address wins over a wildcard.  Softirq-safe.
 *
 * Return: the listener with a reference held, or NULL.
 */
struct sock *xtcp_lookup_listener(struct net *net, __be32 daddr, u16 hnum,
				  int dif, int sdif)
{
	struct in6_addr addr;

	xtcp_addr_set_v4(&addr, daddr);
	return xtcp_lookup_listener6(net, &addr, hnum, dif, sdif);
}
EXPORT_SYMBOL_GPL(xtcp_lookup_listener);

/**
 * xtcp_lookup_listener6() - find the listener a segment is for, by any
 *	address
 * @net: namespace the segment arrived in
 * @daddr: destination address of the segment, IPv4 v4-mapped
 * @hnum: destination port, host order
 * @dif: index of the device the segment arrived on
 * @sdif: index of its l3 master device, or 0
 *
 * As xtcp_lookup_listener(), for segments of either family.
 *
 * Return: the listener with a reference held, or NULL.
 */
struct sock *xtcp_lookup_listener6(struct net *net,
				   const struct in6_addr *daddr, u16 hnum,
				   int dif, int sdif)
{
	struct sock *sk;

	rcu_read_lock();
	sk = __xtcp_lookup_listener(net, daddr, hnum, dif, sdif);
	rcu_read_unlock();
	return sk;
}
EXPORT_SYMBOL_GPL(xtcp_lookup_listener6);

/**
 * xtcp_lookup() - find the connected socket a segment is for
 * @net: namespace the segment arrived in
 * @saddr: source address of the segment (the peer)
 * @sport: source port of the segment
 * @daddr: destination address of the segment (local)
 * @dport: destination port of the segment
 * @dif: index of the device the segment arrived on
 * @sdif: index of its l3 master device, or 0
 *
 * Softirq-safe.  Listeners are looked up separately, after TIME_WAIT.
 *
 * Return: the socket with a reference held, or NULL.
 */
struct sock *xtcp_lookup(struct net *net, __be32 saddr, __be16 sport,
			 __be32 daddr, __be16 dport, int dif, int sdif)
{
	struct in6_addr s, d;

	xtcp_addr_set_v4(&s, saddr);
	xtcp_addr_set_v4(&d, daddr);
	return xtcp_lookup6(net, &s, sport, &d, dport, dif, sdif);
}
EXPORT_SYMBOL_GPL(xtcp_lookup);

/**
 * xtcp_lookup6() - find the connected socket a segment is for, by any
 *	address
 * @net: namespace the segment arrived in
 * @saddr: source address of the segment (the peer), IPv4 v4-mapped
 * @sport: source port of the segment
 * @daddr: destination address of the segment (local)
 * @dport: destination port of the segment
 * @dif: index of the device the segment arrived on
 * @sdif: index of its l3 master device, or 0
 *
 * As xtcp_lookup(), for segments of either family.
 *
 * Return: the socket with a reference held, or NULL.
 */
struct sock *xtcp_lookup6(struct net *net, const struct in6_addr *saddr,
			  __be16 sport, const struct in6_addr *daddr,
			  __be16 dport, int dif, int sdif)
{
	struct sock *sk;

	rcu_read_lock();
	sk = xtcp_lookup_established(net, saddr, sport, daddr, ntohs(dport),
				     dif, sdif);
	rcu_read_unlock();
	return sk;
}
EXPORT_SYMBOL_GPL(xtcp_lookup6);

/*
 * The walk goes chain by chain, as Linux's /proc/net/tcp: the listeners,
 * each followed by its pending requests; the connections; the TIME_WAIT
 * entries; and last the sockets that are only bound, which xtcp lists
 * (in TCP_CLOSE) where Linux does not.  Each step locks one chain, so
 * softirqs stay off only that long; empty chains are passed over without
 * their lock (a racy look at the head, nothing dereferenced), so a whole
 * walk costs the entries plus one load a chain.
 *
 * Within a chain, entries are visited in the order of their addresses:
 * the cursor keeps the chain and the address of the entry last visited,
 * and a step takes the lowest address above it.  Unlike a count of the
 * entries passed, which shifts when one is added at the head of the
 * chain or one before the cursor goes, this shows every entry present
 * for the whole walk exactly once, however many others come and go
 * (those may be shown or not).  A listener's requests follow it by
 * count, as they are few and come and go with the listener.
 */
#define XTCP_ITER_EHASH		XTCP_LHASH_SIZE
#define XTCP_ITER_TW		(XTCP_ITER_EHASH + XTCP_EHASH_SIZE)
#define XTCP_ITER_BHASH		(XTCP_ITER_TW + XTCP_TW_HASH_SIZE)
#define XTCP_ITER_END		(XTCP_ITER_BHASH + XTCP_BHASH_SIZE)
#define XTCP_ITER_RESCHED	1024	/* chains between two cond_resched() */

/*
 * Request @it->offset of listener @sk, its chain locked; the cursor
 * moves past it.
 */
static bool xtcp_iter_request(struct xtcp_table_iter *it, struct sock *sk,
			      xtcp_iter_fn fn, void *arg)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_request *req;
	unsigned int seen = 0;
	bool found = false;

	spin_lock(&xs->req_lock);
	list_for_each_entry(req, &xs->requests, node) {
		if (seen++ == it->offset) {
			if (fn)
				fn(XTCP_ENTRY_REQ, req, arg);
			it->offset++;
			found = true;
			break;
		}
	}
	spin_unlock(&xs->req_lock);
	return found;
}

/* The next entry of a listening or connection hash chain. */
static bool xtcp_iter_chain(struct xtcp_table_iter *it,
			    struct xtcp_hash_bucket *hb, xtcp_iter_fn fn,
			    void *arg)
{
	struct sock *sk, *last = NULL, *next = NULL;
	struct hlist_nulls_node *node;
	bool found = true;

	if (hlist_nulls_empty(&hb->chain))
		return false;
	spin_lock_bh(&hb->lock);
	sk_nulls_for_each(sk, node, &hb->chain) {
		if (!net_eq(sock_net(sk), it->net))
			continue;
		if ((unsigned long)sk == it->last)
			last = sk;
		else if ((unsigned long)sk > it->last &&
			 (!next || (unsigned long)sk < (unsigned long)next))
			next = sk;
	}
	if (last && last->sk_state == TCP_LISTEN &&
	    xtcp_iter_request(it, last, fn, arg))
		goto out;
	if (next) {
		if (fn)
			fn(XTCP_ENTRY_SOCK, next, arg);
		it->last = (unsigned long)next;
		it->offset = 0;
		goto out;
	}
	found = false;
out:
	spin_unlock_bh(&hb->lock);
	return found;
}

/*
 * The next socket of bind bucket @b in no hash chain; other namespaces'
 * ports are passed over whole.
 */
static bool xtcp_iter_bound(struct xtcp_table_iter *it,
			    struct xtcp_bind_bucket *b, xtcp_iter_fn fn,
			    void *arg)
{
	struct xtcp_bind_port *bp;
	struct sock *sk, *next = NULL;

	if (hlist_empty(&b->ports))
		return false;
	spin_lock_bh(&b->lock);
	hlist_for_each_entry(bp, &b->ports, node) {
		if (!net_eq(read_pnet(&bp->net), it->net))
			continue;
		sk_for_each_bound(sk, &bp->owners) {
			if (sk_unhashed(sk) && (unsigned long)sk > it->last &&
			    (!next || (unsigned long)sk < (unsigned long)next))
				next = sk;
		}
	}
	if (next) {
		if (fn)
			fn(XTCP_ENTRY_SOCK, next, arg);
		it->last = (unsigned long)next;
	}
	spin_unlock_bh(&b->lock);
	return next;
}

static bool xtcp_iter_at(struct xtcp_table_iter *it, xtcp_iter_fn fn,
			 void *arg)
{
	unsigned int i = it->bucket;

	if (i < XTCP_ITER_EHASH)
		return xtcp_iter_chain(it, &xtcp_table.lhash[i], fn, arg);
	if (i < XTCP_ITER_TW)
		return xtcp_iter_chain(it, &xtcp_table.ehash[i - XTCP_ITER_EHASH],
				       fn, arg);
	if (i < XTCP_ITER_BHASH)
		return xtcp_tw_iter_chain(it->net, i - XTCP_ITER_TW,
					  &it->last, fn, arg);
	return xtcp_iter_bound(it, &xtcp_table.bhash[i - XTCP_ITER_BHASH],
			       fn, arg);
}

/**
 * xtcp_iter_next() - visit the next entry of a table walk
 * @it: cursor, with @it->net set; zero the rest to start a walk
 * @fn: called on the entry with its chain locked, so the entry cannot
 *	go away while @fn reads it; may be NULL to skip the entry
 * @arg: cookie for @fn
 *
 * No lock is held between calls.  An entry present from the start of
 * the walk to its end is visited once; one added or removed meanwhile
 * may be visited or not.  A step costs the length of one chain, and a
 * look at the empty chains before the next entry.  Process context: it
 * may sleep between chains.
 *
 * Return: true when an entry was visited, false at the end of the table.
 */
bool xtcp_iter_next(struct xtcp_table_iter *it, xtcp_iter_fn fn, void *arg)
{
	might_sleep();
	for (; it->bucket < XTCP_ITER_END; it->bucket++) {
		if (xtcp_iter_at(it, fn, arg))
			return true;
		it->last = 0;
		it->offset = 0;
		if (it->bucket % XTCP_ITER_RESCHED == XTCP_ITER_RESCHED - 1)
			cond_resched();
	}
	return false;
}
EXPORT_SYMBOL_GPL(xtcp_iter_next);

static struct xtcp_hash_bucket *xtcp_hash_alloc(unsigned int size)
{
	struct xtcp_hash_bucket *hb;
	unsigned int i;

	hb = kvcalloc(size, sizeof(*hb), GFP_KERNEL);
	if (!hb)
		return NULL;
	for (i = 0; i < size; i++) {
		spin_lock_init(&hb[i].lock);
		INIT_HLIST_NULLS_HEAD(&hb[i].chain, i);
	}
	return hb;
}

/**
 * xtcp_table_init() - allocate the connection table
 *
 * Return: 0 or -ENOMEM.
 */
int xtcp_table_init(void)
{
	unsigned int i;

	xtcp_table.bhash = kvcalloc(XTCP_BHASH_SIZE,
				    sizeof(*xtcp_table.bhash), GFP_KERNEL);
	if (!xtcp_table.bhash)
		goto err_bhash;
	for (i = 0; i < XTCP_BHASH_SIZE; i++) {
		spin_lock_init(&xtcp_table.bhash[i].lock);
		INIT_HLIST_HEAD(&xtcp_table.bhash[i].ports);
	}
	xtcp_table.port_cachep = KMEM_CACHE(xtcp_bind_port, 0);
	if (!xtcp_table.port_cachep)
		goto err_port;
	xtcp_table.lhash = xtcp_hash_alloc(XTCP_LHASH_SIZE);
	if (!xtcp_table.lhash)
		goto err_lhash;
	xtcp_table.ehash = xtcp_hash_alloc(XTCP_EHASH_SIZE);
	if (!xtcp_table.ehash)
		goto err_ehash;
	xtcp_table.port_perturb = kvmalloc_array(XTCP_PORT_PERTURB_SIZE,
						 sizeof(u32), GFP_KERNEL);
	if (!xtcp_table.port_perturb)
		goto err_perturb;
	get_random_bytes(xtcp_table.port_perturb,
			 XTCP_PORT_PERTURB_SIZE * sizeof(u32));
	get_random_bytes(&xtcp_table.ehash_secret,
			 sizeof(xtcp_table.ehash_secret));
	get_random_bytes(&xtcp_table.port_secret,
			 sizeof(xtcp_table.port_secret));
	return 0;

err_perturb:
	kvfree(xtcp_table.ehash);
err_ehash:
	kvfree(xtcp_table.lhash);
err_lhash:
	kmem_cache_destroy(xtcp_table.port_cachep);
err_port:
	kvfree(xtcp_table.bhash);
err_bhash:
	return -ENOMEM;
}

/**
 * xtcp_table_exit() - free the connection table
 *
 * Every socket is gone by now: each one pinned the module.
 */
void xtcp_table_exit(void)
{
	kvfree(xtcp_table.port_perturb);
	kvfree(xtcp_table.ehash);
	kvfree(xtcp_table.lhash);
	kmem_cache_destroy(xtcp_table.port_cachep);
	kvfree(xtcp_table.bhash);
}
