// SPDX-License-Identifier: GPL-2.0
/*
 * TIME_WAIT: compact entries on a timing wheel.
 *
 * When a connection enters TIME_WAIT its socket is freed and a 72-byte
 * struct xtcp_tw takes its place for 2*MSL (Linux keeps a 272-byte
 * tw_sock_TCP): enough to find the connection, answer a retransmitted
 * FIN with the socket's mark and TOS, refuse its 4-tuple to new
 * connections and keep its port bound.
 *
 * Each entry is linked three times: in a TIME_WAIT hash chain (global,
 * keyed by the 4-tuple, singly linked), in its port's tw_owners
 * (see xtcp_table.c), so that bind() sees the port as taken, and on its
 * namespace's timing wheel (singly linked), which owns the memory.  The
 * locks of the three links, their order and the wheel's ownership are
 * rules 3 and 4 and the wheel lock in xtcp.h.
 *
 * What an entry does with a segment (end at a RST of exactly its rcv_nxt
 * unless sysctl rfc1337 is set, drop any other RST, give way to a new
 * SYN, ACK the FIN again and restart 2*MSL, restart 2*MSL silently for
 * a bare ACK at exactly rcv_nxt, ACK anything else at a limited rate) is
 * decided in xtcp_twseg.h and carried out here.
 *
 * An entry is killed early (a SYN reopening the 4-tuple, that RST, or
 * connect() taking the 4-tuple over) by unlinking it from the hash chain
 * and the bind bucket; it stays on the wheel, which frees it when its
 * slot comes up.
 *
 * The wheel (one per namespace) has XTCP_WHEEL_SLOTS slots of width
 * tick = ceil(2*MSL / XTCP_WHEEL_SLOTS) jiffies, advanced by one timer that
 * runs only while the wheel holds entries.  An entry is placed in the
 * first slot processed at or after its expiry time, so it lives at least
 * 2*MSL and less than 2*MSL + tick (1/64 of 2*MSL, 0.94 s with the
 * default MSL of 30 s), plus timer latency.  A tick expires at most
 * XTCP_TW_QUOTA entries; the rest of its slot is processed one jiffy
 * later, and so on, bounding the work done in one softirq.  An entry
 * whose 2*MSL was restarted (a retransmitted FIN, a bare ACK) or whose
 * slot was chosen with a shorter MSL is found early and simply moved to
 * the slot of its new expiry time.
 */
#include <linux/inet_diag.h>
#include <linux/ktime.h>
#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <net/ip.h>
#include <net/net_namespace.h>
#include <net/tcp_states.h>

#include "xtcp.h"
#include "xtcp_twseg.h"
#include "xtcp_trace.h"

#define XTCP_TW_QUOTA		256	/* entries expired per tick */

/**
 * struct xtcp_tw_bucket - one TIME_WAIT hash chain
 * @lock: guards @head, @last_oow_ack and the processing of the entries
 *	on it (rule 3 in xtcp.h)
 * @head: first entry, linked through hash_next
 * @last_oow_ack: jiffies (low 32 bits) of the last ACK an entry of the
 *	chain sent to a segment that was not the peer's FIN, 0 if none
 */
struct xtcp_tw_bucket {
	spinlock_t lock;	/* see above */
	struct xtcp_tw *head;
	u32 last_oow_ack;
};

static struct kmem_cache *xtcp_tw_cachep __read_mostly;
static struct kmem_cache *xtcp_tw6_cachep __read_mostly;
static struct xtcp_tw_bucket *xtcp_tw_hash __read_mostly;
static siphash_key_t xtcp_diag_cookie_key __read_mostly;

static struct xtcp_tw_bucket *xtcp_tw_bucket(const struct net *net,
					     const struct in6_addr *laddr,
					     __be16 lport,
					     const struct in6_addr *raddr,
					     __be16 rport)
{
	u32 hash = xtcp_tuple_hash(net, laddr, ntohs(lport), raddr, rport);

	return &xtcp_tw_hash[hash & (XTCP_TW_HASH_SIZE - 1)];
}

static struct xtcp_tw_bucket *xtcp_tw_bucket_of(const struct xtcp_tw *tw)
{
	struct in6_addr laddr, raddr;

	xtcp_tw_addrs(tw, &laddr, &raddr);
	return xtcp_tw_bucket(read_pnet(&tw->net), &laddr, tw->lport, &raddr,
			      tw->rport);
}

/**
 * xtcp_tw_expires() - when the 2*MSL of an entry ends
 * @tw: the entry
 *
 * Return: jiffies, rounded up to a multiple of 8: the low bits hold
 * %XTCP_TW_FLAGS.
 */
unsigned long xtcp_tw_expires(const struct xtcp_tw *tw)
{
	unsigned long now = jiffies;
	u32 at = READ_ONCE(tw->expires_reuse) & ~XTCP_TW_FLAGS;

	return now + (s32)(at - (u32)now);
}

/* Rounded up, so that an entry never lasts less than it should. */
static void xtcp_tw_set_expires(struct xtcp_tw *tw, unsigned long when)
{
	u32 at = ((u32)when + XTCP_TW_FLAGS) & ~XTCP_TW_FLAGS;
	u32 flags = tw->expires_reuse & XTCP_TW_FLAGS;

	WRITE_ONCE(tw->expires_reuse, at | flags);
}

static unsigned long xtcp_tw_len(const struct xtcp_net *xn)
{
	return msecs_to_jiffies(2 * READ_ONCE(xn->sysctl_msl_ms));
}

static unsigned long xtcp_tw_tick_len(const struct xtcp_net *xn)
{
	return max_t(unsigned long, 1,
		     DIV_ROUND_UP(xtcp_tw_len(xn), XTCP_WHEEL_SLOTS));
}

static void xtcp_wheel_add(struct xtcp_net *xn, struct xtcp_tw *tw)
{
	struct xtcp_tw_wheel *w = &xn->tw_wheel;

	spin_lock_bh(&w->lock);
	if (!w->held) {
		w->wheel.tick = xtcp_tw_tick_len(xn);
		w->wheel.next_tick = jiffies + w->wheel.tick;
		mod_timer(&w->timer, w->wheel.next_tick);
	}
	xtcp_wheel_place(&w->wheel, &tw->wheel_node, xtcp_tw_expires(tw));
	w->held++;
	spin_unlock_bh(&w->lock);
}

static bool xtcp_tw_unhash_locked(struct xtcp_tw_bucket *b,
				  struct xtcp_tw *tw)
	__must_hold(&b->lock)
{
	struct xtcp_tw **pp;

	lockdep_assert_held(&b->lock);
	for (pp = &b->head; *pp; pp = &(*pp)->hash_next) {
		if (*pp == tw) {
			*pp = tw->hash_next;
			return true;
		}
	}
	return false;
}

/* Make @tw unreachable; the wheel frees it. */
static void xtcp_tw_kill_locked(struct xtcp_tw_bucket *b, struct xtcp_tw *tw)
	__must_hold(&b->lock)
{
	struct net *net = read_pnet(&tw->net);

	lockdep_assert_held(&b->lock);
	if (!xtcp_tw_unhash_locked(b, tw))
		return;
	xtcp_bind_tw_del(tw);
	atomic_dec(&xtcp_pernet(net)->tw_wheel.live);
}

static void xtcp_tw_kill(struct xtcp_tw *tw)
{
	struct xtcp_tw_bucket *b;

	b = xtcp_tw_bucket_of(tw);
	spin_lock_bh(&b->lock);
	xtcp_tw_kill_locked(b, tw);
	spin_unlock_bh(&b->lock);
}

/*
 * Count one more entry of @xn's, unless max_tw_buckets are allocated
 * already.  Entries killed early (a SYN reopened their 4-tuple, a RST
 * ended them) count until the wheel frees them, 2*MSL on: counting only
 * those lookups find would let a peer that reopens connections one after
 * the other pile up entries without bound.
 */
static bool xtcp_tw_reserve(struct xtcp_net *xn)
{
	int max = READ_ONCE(xn->sysctl_max_tw_buckets);
	atomic_t *n = &xn->tw_wheel.allocated;
	int old = atomic_read(n);

	do {
		if (old >= max)
			return false;
	} while (!atomic_try_cmpxchg(n, &old, old + 1));
	return true;
}

static void xtcp_tw_free(struct net *net, struct xtcp_tw *tw)
{
	atomic_dec(&xtcp_pernet(net)->tw_wheel.allocated);
	if (xtcp_tw_is_v6(tw))
		kmem_cache_free(xtcp_tw6_cachep,
				container_of(tw, struct xtcp_tw6, tw));
	else
		kmem_cache_free(xtcp_tw_cachep, tw);
}

/**
 * xtcp_time_wait() - replace a socket by a TIME_WAIT entry
 * @sk: socket that just entered TIME_WAIT, locked
 *
 * The entry takes over the 4-tuple and the port before the socket lets
 * them go; over sysctl max_tw_buckets entries allocated (xtcp_tw_reserve())
 * the connection closes without one.
 */
void xtcp_time_wait(struct sock *sk)
{
	struct xtcp_net *xn = xtcp_pernet(sock_net(sk));
	struct inet_sock *inet = inet_sk(sk);
	struct xtcp_sock *xs = xtcp_sk(sk);
	bool v4 = xtcp_sk_is_v4(sk);
	struct xtcp_tw_bucket *b;
	struct xtcp_tw6 *tw6 = NULL;
	struct xtcp_tw *tw = NULL;

	xtcp_assert_sock_locked(sk);
	if (xtcp_tw_reserve(xn)) {
		if (v4) {
			tw = kmem_cache_zalloc(xtcp_tw_cachep, GFP_ATOMIC);
		} else {
			tw6 = kmem_cache_zalloc(xtcp_tw6_cachep, GFP_ATOMIC);
			tw = tw6 ? &tw6->tw : NULL;
		}
		if (!tw)
			atomic_dec(&xn->tw_wheel.allocated);
	}
	if (!tw) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_TWOVERFLOWS);
		xtcp_done(sk, XTCP_EV_ABORT);
		return;
	}
	write_pnet(&tw->net, sock_net(sk));
	/* As Linux's tw_family and tw_ipv6only: see XTCP_TW_DUAL. */
	if (sk->sk_family == AF_INET6 && !ipv6_only_sock(sk))
		tw->expires_reuse = XTCP_TW_DUAL;
	if (v4) {
		tw->laddr = sk->sk_rcv_saddr;
		tw->raddr = sk->sk_daddr;
	} else {
		xtcp_sk_addrs(sk, &tw6->laddr, &tw6->raddr);
	}
	tw->lport = inet->inet_sport;
	tw->rport = inet->inet_dport;
	tw->snd_nxt = xs->snd_nxt;
	tw->rcv_nxt = xs->rcv_nxt;
	tw->mark = READ_ONCE(sk->sk_mark);
	/*
	 * As tcp_time_wait(): an AF_INET6 socket's traffic class, even for
	 * an IPv4 connection of a dual-stack one (tw_tclass is tw_tos).
	 * Through pinet6: inet6_sk() is NULL for a socket in TIME_WAIT,
	 * the state @sk is in already.
	 */
	if (sk->sk_family == AF_INET6)
		tw->tos = READ_ONCE(inet->pinet6->tclass);
	else
		tw->tos = READ_ONCE(inet->tos);
	xtcp_tw_set_expires(tw, jiffies + xtcp_tw_len(xn));
	atomic_inc(&xn->tw_wheel.live);

	xtcp_bind_tw_add(tw, sk);
	b = xtcp_tw_bucket_of(tw);
	spin_lock_bh(&b->lock);
	tw->hash_next = b->head;
	b->head = tw;
	spin_unlock_bh(&b->lock);
	xtcp_wheel_add(xn, tw);
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_TWCREATED);
	/* The entry goes on with TIME_WAIT; the socket is dropped. */
	xtcp_done(sk, XTCP_EV_ABORT);
}

/* An IPv4 key never matches an IPv6 entry, whose raddr is 0. */
static bool xtcp_tw_match(const struct xtcp_tw *tw, const struct net *net,
			  const struct in6_addr *laddr, __be16 lport,
			  const struct in6_addr *raddr, __be16 rport)
{
	const struct xtcp_tw6 *tw6 = container_of(tw, struct xtcp_tw6, tw);

	if (tw->lport != lport || tw->rport != rport ||
	    !net_eq(read_pnet(&tw->net), net))
		return false;
	if (xtcp_addr_is_v4(raddr))
		return tw->laddr == xtcp_addr_v4(laddr) &&
		       tw->raddr == xtcp_addr_v4(raddr);
	return xtcp_tw_is_v6(tw) && ipv6_addr_equal(&tw6->laddr, laddr) &&
	       ipv6_addr_equal(&tw6->raddr, raddr);
}

static struct xtcp_tw *xtcp_tw_find(struct xtcp_tw_bucket *b,
				    const struct net *net,
				    const struct in6_addr *laddr,
				    __be16 lport,
				    const struct in6_addr *raddr,
				    __be16 rport)
	__must_hold(&b->lock)
{
	struct xtcp_tw *tw;

	lockdep_assert_held(&b->lock);
	for (tw = b->head; tw; tw = tw->hash_next)
		if (xtcp_tw_match(tw, net, laddr, lport, raddr, rport))
			return tw;
	return NULL;
}

/*
 * May connect() take the 4-tuple of @tw from it (sysctl tw_reuse, as
 * Linux's tcp_twsk_unique())?  Mode 2 limits this to loopback, where no
 * old segment can be in flight for long; either mode waits until the
 * entry's 2*MSL has run for a second, so that the peer's clock-driven
 * ISN for this 4-tuple (RFC 6528: 250000 a second for xtcp, more for
 * Linux) has moved on.  The entry keeps no timestamps (they would not
 * fit in 72 bytes, and xtcp has no PAWS), so the safety is RFC 6191's
 * sequence rule: our new ISN is above anything the old connection
 * sent, past the largest unscaled window the peer may still hold open
 * for it.  Off loopback, the peer's new ISN must also be above what it
 * sent (xtcp_rcv_syn_sent() drops its SYN otherwise).  On loopback, no
 * segment of the old connection is left in flight a second after it
 * ended, so any ISN of the peer's is safe; asking for one above would
 * make connect() time out after a peer that sent more than its ISN
 * clock has moved since (250 kB a second for xtcp), where Linux,
 * which reuses only what timestamps protect, would have succeeded.
 * The time the entry last (re)started its 2*MSL is its expiry less the
 * current 2*MSL.
 */
static bool xtcp_tw_reusable(const struct sock *sk, const struct xtcp_tw *tw)
{
	const struct xtcp_net *xn = xtcp_pernet(sock_net(sk));
	int mode = READ_ONCE(xn->sysctl_tw_reuse);
	struct in6_addr laddr, raddr;

	xtcp_tw_addrs(tw, &laddr, &raddr);
	if (mode == 2 && !xtcp_addr_loopback(&laddr) &&
	    !xtcp_addr_loopback(&raddr))
		return false;
	return mode && time_before_eq(xtcp_tw_expires(tw),
				      jiffies + xtcp_tw_len(xn) - HZ);
}

/**
 * xtcp_tw_taken() - does a TIME_WAIT entry hold the 4-tuple of @sk?
 * @sk: a socket in SYN_SENT, owned by the caller, its addresses and
 *	ports set; the lock of its established chain held
 *
 * An entry connect() may reuse (xtcp_tw_reusable()) is killed instead,
 * and @sk starts above its sequence space: iss is the entry's snd_nxt +
 * 65535 + 2, as Linux's write_seq, and, off loopback, the peer's new
 * ISN must be above its rcv_nxt.
 *
 * Return: true if an entry keeps the 4-tuple; connect() must not take it.
 */
bool xtcp_tw_taken(struct sock *sk)
{
	struct inet_sock *inet = inet_sk(sk);
	struct xtcp_sock *xs = xtcp_sk(sk);
	const struct net *net = sock_net(sk);
	struct in6_addr laddr, raddr;
	struct xtcp_tw_bucket *b;
	struct xtcp_tw *tw;
	bool taken = false;

	xtcp_sk_addrs(sk, &laddr, &raddr);
	b = xtcp_tw_bucket(net, &laddr, inet->inet_sport, &raddr,
			   inet->inet_dport);
	spin_lock_bh(&b->lock);
	tw = xtcp_tw_find(b, net, &laddr, inet->inet_sport, &raddr,
			  inet->inet_dport);
	if (tw && xtcp_tw_reusable(sk, tw)) {
		xs->iss = tw->snd_nxt + XTCP_MAX_WINDOW + 2 ? : 1;
		xs->reuse_rcv_nxt = tw->rcv_nxt;
		xs->reuse_seq_check = !xtcp_addr_loopback(&laddr) &&
				      !xtcp_addr_loopback(&raddr);
		xs->tw_reused = true;
		xtcp_tw_kill_locked(b, tw);
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_TWREUSED);
	} else if (tw) {
		taken = true;
	}
	spin_unlock_bh(&b->lock);
	return taken;
}

/**
 * xtcp_tw_cookie() - the sock_diag cookie of a TIME_WAIT entry
 * @tw: the entry, kept alive by its chain's lock
 *
 * Linux's timewait socket has a 64-bit cookie (its socket's, or one made
 * on first use) that a 72-byte entry has no room for.  This one is
 * computed instead, from what stays the same while the entry lives: its
 * address, keyed with a secret so that no kernel address leaks, and its
 * sequence numbers, so that an entry later made at the same address,
 * which the 4-tuple may be too, gets another cookie.  Bit 63 set and bit
 * 62 clear keep it apart from sockets' cookies (sock_gen_cookie() counts
 * up from 1) and from %INET_DIAG_NOCOOKIE.
 *
 * Return: the cookie.
 */
u64 xtcp_tw_cookie(const struct xtcp_tw *tw)
{
	u64 seqs = (u64)tw->snd_nxt << 32 | tw->rcv_nxt;
	u64 h = siphash_2u64((unsigned long)tw, seqs, &xtcp_diag_cookie_key);

	return h >> 2 | BIT_ULL(63);
}

/**
 * xtcp_req_cookie() - the sock_diag cookie of a pending request
 * @req: the request, kept alive by its listener's req_lock
 *
 * Linux's request socket has one from sock_gen_cookie(); an xtcp
 * request has no struct sock, and gets one made as xtcp_tw_cookie()
 * makes a TIME_WAIT entry's, with the same key: from its address and
 * its sequence numbers, which stay the same while it lives.  Bits 63
 * and 62 set and bit 61 clear keep it apart from sockets' and TIME_WAIT
 * entries' cookies and from %INET_DIAG_NOCOOKIE.
 *
 * Return: the cookie.
 */
u64 xtcp_req_cookie(const struct xtcp_request *req)
{
	u64 seqs = (u64)req->iss << 32 | req->irs;
	u64 h = siphash_2u64((unsigned long)req, seqs, &xtcp_diag_cookie_key);

	return h >> 3 | BIT_ULL(63) | BIT_ULL(62);
}

/**
 * xtcp_tw_lookup_info() - copy what sock_diag shows of a TIME_WAIT entry
 * @net: its namespace
 * @laddr: its local address, v4-mapped for an IPv4 connection
 * @lport: its local port
 * @raddr: its peer's address, likewise
 * @rport: its peer's port
 * @e: filled as xtcp_entry_info_fill() does when there is such an entry
 *
 * Process context.  An IPv4 4-tuple finds an IPv4 entry whatever the
 * family of its socket, as inet_lookup() finds Linux's.
 *
 * Return: true when there is such an entry.
 */
bool xtcp_tw_lookup_info(struct net *net, const struct in6_addr *laddr,
			 __be16 lport, const struct in6_addr *raddr,
			 __be16 rport, struct xtcp_entry_info *e)
{
	struct xtcp_tw_bucket *b;
	struct xtcp_tw *tw;

	b = xtcp_tw_bucket(net, laddr, lport, raddr, rport);
	spin_lock_bh(&b->lock);
	tw = xtcp_tw_find(b, net, laddr, lport, raddr, rport);
	if (tw)
		xtcp_entry_info_fill(XTCP_ENTRY_TW, tw, e);
	spin_unlock_bh(&b->lock);
	return tw;
}
EXPORT_SYMBOL_GPL(xtcp_tw_lookup_info);

/**
 * xtcp_tw_destroy() - end a TIME_WAIT entry, as SOCK_DESTROY asks
 * @net: its namespace
 * @laddr: its local address, v4-mapped for an IPv4 connection
 * @lport: its local port
 * @raddr: its peer's address, likewise
 * @rport: its peer's port
 * @cookie: the request's cookie, both halves %INET_DIAG_NOCOOKIE for any
 * @net_admin: the requester has CAP_NET_ADMIN
 *
 * As Linux's tcp_abort() ends a timewait socket: the 4-tuple and the
 * port are free at once; the wheel frees the entry in its time.  One
 * lookup under the chain lock, with the order of Linux's checks: an
 * entry not there, or not of @cookie, is -ENOENT
 * (inet_diag_find_one_icsk()), then a requester without @net_admin
 * -EPERM (sock_diag_destroy()).  Process context.
 *
 * Return: 0 when the entry is gone, -ENOENT or -EPERM.
 */
int xtcp_tw_destroy(struct net *net, const struct in6_addr *laddr,
		    __be16 lport, const struct in6_addr *raddr, __be16 rport,
		    const u32 *cookie, bool net_admin)
{
	struct xtcp_tw_bucket *b;
	struct xtcp_tw *tw;
	int err = -ENOENT;

	b = xtcp_tw_bucket(net, laddr, lport, raddr, rport);
	spin_lock_bh(&b->lock);
	tw = xtcp_tw_find(b, net, laddr, lport, raddr, rport);
	if (tw && xtcp_diag_cookie_ok(cookie, xtcp_tw_cookie(tw))) {
		err = -EPERM;
		if (net_admin) {
			xtcp_tw_kill_locked(b, tw);
			err = 0;
		}
	}
	spin_unlock_bh(&b->lock);
	return err;
}
EXPORT_SYMBOL_GPL(xtcp_tw_destroy);

/**
 * xtcp_tw_iter_chain() - visit the next entry of a TIME_WAIT hash chain
 * @net: namespace whose entries count
 * @chain: the chain, below %XTCP_TW_HASH_SIZE
 * @last: the address of the entry visited last, 0 for none; set to the
 *	one visited now (the walk goes up the addresses: see
 *	xtcp_iter_next())
 * @fn: called on the entry, the chain locked and softirqs off; or NULL
 * @arg: cookie for @fn
 *
 * Return: true when the chain had such an entry.
 */
bool xtcp_tw_iter_chain(struct net *net, unsigned int chain,
			unsigned long *last, xtcp_iter_fn fn, void *arg)
{
	struct xtcp_tw_bucket *b = &xtcp_tw_hash[chain];
	struct xtcp_tw *tw, *next = NULL;

	if (!READ_ONCE(b->head))
		return false;
	spin_lock_bh(&b->lock);
	for (tw = b->head; tw; tw = tw->hash_next) {
		if (net_eq(read_pnet(&tw->net), net) &&
		    (unsigned long)tw > *last &&
		    (!next || (unsigned long)tw < (unsigned long)next))
			next = tw;
	}
	if (next) {
		if (fn)
			fn(XTCP_ENTRY_TW, next, arg);
		*last = (unsigned long)next;
	}
	spin_unlock_bh(&b->lock);
	return next;
}

/*
 * Anything but the peer's FIN is answered at most once per
 * invalid_ratelimit_ms (Linux's TCPACKSkippedTimeWait), so that a peer
 * that lost track of the connection and TIME_WAIT do not ACK each other
 * forever.  The stamp is the chain's, not the entry's, which keeps
 * entries at 72 bytes: entries that share a chain share the limit.
 */
static bool xtcp_tw_ack_limited(struct net *net, struct xtcp_tw_bucket *b)
	__must_hold(&b->lock)
{
	lockdep_assert_held(&b->lock);
	return xtcp_oow_limited(net, &b->last_oow_ack,
				XTCP_MIB_ACKSKIPPEDTIMEWAIT);
}

/*
 * End @tw for a RST at its rcv_nxt: unreachable at once, as when a SYN
 * reopens its 4-tuple, and freed by the wheel; traced as an expiry is,
 * which the wheel then skips.
 */
static void xtcp_tw_kill_by_rst(struct net *net, struct xtcp_tw_bucket *b,
				struct xtcp_tw *tw)
	__must_hold(&b->lock)
{
	struct in6_addr laddr, raddr;

	lockdep_assert_held(&b->lock);
	xtcp_tw_kill_locked(b, tw);
	XTCP_INC_STATS(net, XTCP_MIB_TWKILLEDBYRST);
	if (!trace_xtcp_state_change_enabled())
		return;
	xtcp_tw_addrs(tw, &laddr, &raddr);
	trace_xtcp_state_change(tw, &laddr, tw->lport, &raddr, tw->rport,
				TCP_TIME_WAIT, TCP_CLOSE);
}

/*
 * Start the 2*MSL of @tw over, as Linux's inet_twsk_reschedule(): only
 * its expiry time changes; the wheel moves it when its old slot comes.
 * connect() may take its 4-tuple (tw_reuse) a second after this, no
 * sooner, as if it had just been made.
 */
static void xtcp_tw_restart(struct net *net, struct xtcp_tw *tw)
{
	xtcp_tw_set_expires(tw, jiffies + xtcp_tw_len(xtcp_pernet(net)));
}

/*
 * Act on what xtcp_twseg() decides for a segment of @len payload bytes.
 * The chain lock keeps @tw alive, for xtcp_send_tw_ack() too.
 */
static enum xtcp_tw_verdict xtcp_tw_process(struct net *net,
					    struct xtcp_tw_bucket *b,
					    struct xtcp_tw *tw,
					    const struct xtcp_seg_hdr *h,
					    u32 len)
	__must_hold(&b->lock)
{
	bool rfc1337 = READ_ONCE(xtcp_pernet(net)->sysctl_rfc1337);

	lockdep_assert_held(&b->lock);
	switch (xtcp_twseg(h->flags, h->seq, len, tw->rcv_nxt, rfc1337)) {
	case XTCP_TWSEG_DROP:
		return XTCP_TW_DONE;
	case XTCP_TWSEG_KILL:
		xtcp_tw_kill_by_rst(net, b, tw);
		return XTCP_TW_DONE;
	case XTCP_TWSEG_REOPEN:
		xtcp_tw_kill_locked(b, tw);
		XTCP_INC_STATS(net, XTCP_MIB_TWRECYCLED);
		return XTCP_TW_SYN;
	case XTCP_TWSEG_QUIET:
		xtcp_tw_restart(net, tw);
		return XTCP_TW_DONE;
	case XTCP_TWSEG_REARM:
		xtcp_tw_restart(net, tw);
		break;
	case XTCP_TWSEG_ACK:
		if (xtcp_tw_ack_limited(net, b))
			return XTCP_TW_DONE;
		break;
	}
	xtcp_send_tw_ack(net, tw);
	return XTCP_TW_DONE;
}

/**
 * xtcp_tw_rcv() - hand a segment to the TIME_WAIT entry of its 4-tuple
 * @net: namespace the segment arrived in
 * @skb: the segment, header at skb->data
 * @h: its decoded header
 *
 * Softirq context.
 *
 * Return: %XTCP_TW_DONE when the entry consumed @skb; %XTCP_TW_SYN when
 * the entry was closed to let the SYN open a new connection, and
 * %XTCP_TW_NONE when there is no entry (@skb untouched in both cases).
 */
enum xtcp_tw_verdict xtcp_tw_rcv(struct net *net, struct sk_buff *skb,
				 const struct xtcp_seg_hdr *h)
{
	__be16 lport = htons(h->dport);
	__be16 rport = htons(h->sport);
	enum xtcp_tw_verdict verdict;
	struct in6_addr saddr, daddr;
	struct xtcp_tw_bucket *b;
	struct xtcp_tw *tw;

	lockdep_assert_in_softirq();
	xtcp_skb_addrs(skb, &saddr, &daddr);
	b = xtcp_tw_bucket(net, &daddr, lport, &saddr, rport);
	spin_lock(&b->lock);
	tw = xtcp_tw_find(b, net, &daddr, lport, &saddr, rport);
	verdict = tw ? xtcp_tw_process(net, b, tw, h, skb->len - h->doff) :
		       XTCP_TW_NONE;
	spin_unlock(&b->lock);
	if (verdict == XTCP_TW_DONE)
		kfree_skb(skb);
	return verdict;
}

/*
 * Expire or move the entries taken off a slot; wheel lock not held.  The
 * hash chain lock decides, against a concurrent kill, whether an entry
 * is still live.
 */
static unsigned int xtcp_wheel_run(struct xtcp_wheel_node *list,
				   struct xtcp_wheel_node **again,
				   unsigned int *moved)
{
	unsigned long now = jiffies;
	struct in6_addr laddr, raddr;
	struct xtcp_wheel_node *node;
	struct xtcp_tw_bucket *b;
	unsigned int freed = 0;
	struct xtcp_tw *tw;
	struct net *net;
	bool live;

	while ((node = list)) {
		list = node->next;
		tw = container_of(node, struct xtcp_tw, wheel_node);
		net = read_pnet(&tw->net);
		b = xtcp_tw_bucket_of(tw);
		spin_lock(&b->lock);
		live = !hlist_unhashed(&tw->bind_node);
		if (live && time_before(now, xtcp_tw_expires(tw))) {
			spin_unlock(&b->lock);
			node->next = *again;
			*again = node;
			(*moved)++;
			continue;
		}
		if (live) {
			xtcp_tw_kill_locked(b, tw);
			XTCP_INC_STATS(net, XTCP_MIB_TWEXPIRED);
			xtcp_tw_addrs(tw, &laddr, &raddr);
			trace_xtcp_state_change(tw, &laddr, tw->lport,
						&raddr, tw->rport,
						TCP_TIME_WAIT, TCP_CLOSE);
		}
		spin_unlock(&b->lock);
		xtcp_tw_free(net, tw);
		freed++;
	}
	return freed;
}

static void xtcp_tw_tick(struct timer_list *t)
{
	struct xtcp_tw_wheel *w = from_timer(w, t, timer);
	struct xtcp_net *xn = container_of(w, struct xtcp_net, tw_wheel);
	struct xtcp_wheel_node *list, *again = NULL, *node;
	unsigned int freed, moved = 0;
	u64 t0 = ktime_get_ns();
	struct xtcp_tw *tw;
	bool spill;

	lockdep_assert_in_softirq();	/* a timer: spin_lock() suffices */
	spin_lock(&w->lock);
	list = xtcp_wheel_take(&w->wheel, XTCP_TW_QUOTA, &spill);
	if (!spill)
		xtcp_wheel_advance(&w->wheel, xtcp_tw_tick_len(xn));
	spin_unlock(&w->lock);

	freed = xtcp_wheel_run(list, &again, &moved);

	spin_lock(&w->lock);
	while ((node = again)) {
		again = node->next;
		tw = container_of(node, struct xtcp_tw, wheel_node);
		xtcp_wheel_place(&w->wheel, node, xtcp_tw_expires(tw));
	}
	w->held -= freed;
	/* A slot over quota goes on a jiffy later; if ticks fell behind,
	 * next_tick is past and the timer fires at once to catch up.
	 */
	if (w->held && !w->dying)
		mod_timer(&w->timer, spill ? jiffies + 1 : w->wheel.next_tick);
	/* The worst tick, for /proc/net/xtcp_stat: how well QUOTA bounds it. */
	w->max_tick = max(w->max_tick, freed + moved);
	w->max_tick_ns = max_t(u64, w->max_tick_ns, ktime_get_ns() - t0);
	spin_unlock(&w->lock);
}

/**
 * xtcp_tw_init_net() - set up the TIME_WAIT wheel of a new namespace
 * @net: the namespace
 */
void xtcp_tw_init_net(struct net *net)
{
	struct xtcp_tw_wheel *w = &xtcp_pernet(net)->tw_wheel;

	spin_lock_init(&w->lock);
	timer_setup(&w->timer, xtcp_tw_tick, 0);
	atomic_set(&w->live, 0);
	atomic_set(&w->allocated, 0);
}

/**
 * xtcp_tw_exit_net() - free every TIME_WAIT entry of a dying namespace
 * @net: the namespace
 *
 * Stops the wheel's timer for good first, then empties every slot.
 */
void xtcp_tw_exit_net(struct net *net)
{
	struct xtcp_net *xn = xtcp_pernet(net);
	struct xtcp_tw_wheel *w = &xn->tw_wheel;
	struct xtcp_wheel_node *list, *node;
	struct xtcp_tw *tw;
	unsigned int slot;

	spin_lock_bh(&w->lock);
	w->dying = true;
	spin_unlock_bh(&w->lock);
	del_timer_sync(&w->timer);

	for (slot = 0; slot < XTCP_WHEEL_SLOTS; slot++) {
		list = w->wheel.slots[slot];
		w->wheel.slots[slot] = NULL;
		while ((node = list)) {
			list = node->next;
			tw = container_of(node, struct xtcp_tw, wheel_node);
			xtcp_tw_kill(tw);
			xtcp_tw_free(net, tw);
			w->held--;
		}
	}
	WARN_ON_ONCE(w->held || atomic_read(&w->live) ||
		     atomic_read(&w->allocated));
}

/**
 * xtcp_tw_init() - create the TIME_WAIT cache and hash
 *
 * Return: 0 or -ENOMEM.
 */
int xtcp_tw_init(void)
{
	unsigned int i;

	/*
	 * No SLAB_HWCACHE_ALIGN for either cache: it would pad each 72-byte
	 * entry to 128 bytes (104-byte IPv6 ones too), 78% (23%) more
	 * memory, while an entry spans two 64-byte cache lines whether
	 * aligned or packed.
	 */
	BUILD_BUG_ON(sizeof(struct xtcp_tw) > 72);
	get_random_bytes(&xtcp_diag_cookie_key, sizeof(xtcp_diag_cookie_key));
	xtcp_tw_cachep = kmem_cache_create("xtcp_tw", sizeof(struct xtcp_tw),
					   0, 0, NULL);
	if (!xtcp_tw_cachep)
		goto err_cache;
	BUILD_BUG_ON(sizeof(struct xtcp_tw6) > 104);
	xtcp_tw6_cachep = kmem_cache_create("xtcp_tw6",
					    sizeof(struct xtcp_tw6), 0, 0,
					    NULL);
	if (!xtcp_tw6_cachep)
		goto err_cache6;
	xtcp_tw_hash = kvcalloc(XTCP_TW_HASH_SIZE, sizeof(*xtcp_tw_hash),
				GFP_KERNEL);
	if (!xtcp_tw_hash)
		goto err_hash;
	for (i = 0; i < XTCP_TW_HASH_SIZE; i++)
		spin_lock_init(&xtcp_tw_hash[i].lock);
	return 0;

err_hash:
	kmem_cache_destroy(xtcp_tw6_cachep);
err_cache6:
	kmem_cache_destroy(xtcp_tw_cachep);
err_cache:
	return -ENOMEM;
}

/**
 * xtcp_tw_exit() - free the TIME_WAIT cache and hash
 *
 * Every namespace has drained its wheel by now.
 */
void xtcp_tw_exit(void)
{
	kvfree(xtcp_tw_hash);
	kmem_cache_destroy(xtcp_tw6_cachep);
	kmem_cache_destroy(xtcp_tw_cachep);
}
