/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xtcp: an experimental TCP-like transport, shipped as a module.
 *
 * Internal declarations shared by the files of module/:
 *
 *	xtcp_main.c	registration, module parameters, init/exit order
 *	xtcp_table.c	the connection table: bind, listen and established
 *			hashes, port allocation, softirq lookups
 *	xtcp_sock.c	socket operations (struct proto, struct proto_ops)
 *	xtcp_input.c	the IP receive handler and segment dispatch
 *	xtcp_proc.c	/proc/net/xtcp and /proc/net/xtcp_stat
 *	xtcp_sysctl.c	/proc/sys/net/xtcp/
 *	xtcp_net.c	per network namespace state
 *
 * CONTEXTS AND LOCKING RULES
 *
 * Two contexts touch xtcp state:
 *
 *  - process context: the socket calls (bind, listen, close, ...) and
 *    /proc readers.  They run with softirqs enabled.
 *  - softirq context: xtcp_v4_rcv() called by the IP layer for every
 *    received segment (and, later, timers).  It never sleeps.
 *
 * The rules, in lock order (take them top to bottom, never upwards):
 *
 *  1. The socket lock.  Process context owns a socket with lock_sock();
 *     softirq takes bh_lock_sock() and, when the user owns the socket,
 *     queues the segment on the backlog (sk_add_backlog()) instead of
 *     processing it, so that the state machine of one socket is only ever
 *     run by one context at a time.  The backlog is replayed by
 *     release_sock() through xtcp_prot.backlog_rcv.
 *
 *  2. A bind bucket lock (struct xtcp_bind_bucket.lock) serialises the
 *     owners of one local port: bind conflicts, the move to LISTEN and
 *     port release are decided under it.  Because softirq context will
 *     take it too (children inherit the port), process context always
 *     takes it with spin_lock_bh().
 *
 *  3. A hash bucket lock (struct xtcp_hash_bucket.lock) serialises
 *     writers of one listen or established chain; spin_lock_bh() from
 *     process context, spin_lock() from softirq.
 *
 * Readers of the listen and established chains do not lock: they walk
 * the hlist_nulls chains under RCU (softirq is an RCU read-side section),
 * take a reference with refcount_inc_not_zero() and then re-check the
 * keys, because the socket slab is SLAB_TYPESAFE_BY_RCU and a socket may
 * be freed and reused for another connection under a reader's feet.  The
 * nulls value at the end of each chain is its bucket number, so a reader
 * that was moved to another chain notices and restarts.
 *
 * Counters (xtcp_stat) are per-cpu and may be bumped from any context.
 * Sysctls are read with READ_ONCE() and need no lock.
 *
 * State numbers are those of include/net/tcp_states.h, so that the
 * generic inet helpers (inet_stream_connect(), inet_shutdown(), ...) and
 * /proc readers understand them.
 */
#ifndef _XTCP_H
#define _XTCP_H

#include <linux/types.h>
#include <linux/percpu.h>
#include <net/inet_sock.h>
#include <net/netns/generic.h>
#include <net/sock.h>

#include "xtcp_wire.h"

struct xtcp_hash_bucket;

/**
 * struct xtcp_sock - an xtcp socket
 * @inet: generic IPv4 socket; must stay first so that inet_sk() and the
 *	socket core see an inet_sock
 * @hash_bucket: the listen or established chain the socket is on, NULL
 *	when lookups cannot find it; written under that chain's lock
 */
struct xtcp_sock {
	struct inet_sock inet;
	struct xtcp_hash_bucket *hash_bucket;
};

static inline struct xtcp_sock *xtcp_sk(const struct sock *sk)
{
	return (struct xtcp_sock *)sk;
}

/*
 * Counters shown in /proc/net/xtcp_stat.  The names live next to the
 * enum in xtcp_proc.c; keep both in the same order.
 */
enum xtcp_mib_field {
	XTCP_MIB_INSEGS,	/* segments received with a valid header */
	XTCP_MIB_OUTSEGS,	/* segments sent */
	XTCP_MIB_INCSUMERRORS,	/* segments dropped for a bad checksum */
	XTCP_MIB_INNOSOCKET,	/* segments for which no socket was found */
	XTCP_MIB_INHDRERRORS,	/* segments too short or with a bad offset */
	__XTCP_MIB_MAX
};

/**
 * struct xtcp_mib - per-cpu counters of one network namespace
 * @mibs: one counter per &enum xtcp_mib_field
 */
struct xtcp_mib {
	unsigned long mibs[__XTCP_MIB_MAX];
};

#define XTCP_MSL_MS_DEFAULT	30000

/**
 * struct xtcp_net - xtcp's state in one network namespace
 * @mib: per-cpu counters
 * @sysctl_hdr: registration of /proc/sys/net/xtcp for this namespace
 * @sysctl_msl_ms: maximum segment lifetime in ms; TIME_WAIT lasts 2*MSL
 */
struct xtcp_net {
	struct xtcp_mib __percpu *mib;
	struct ctl_table_header *sysctl_hdr;
	int sysctl_msl_ms;
};

extern unsigned int xtcp_net_id;
extern unsigned int xtcp_protocol;
extern struct pernet_operations xtcp_net_ops;
extern struct proto xtcp_prot;
extern const struct proto_ops xtcp_stream_ops;

static inline struct xtcp_net *xtcp_pernet(const struct net *net)
{
	return net_generic(net, xtcp_net_id);
}

#define XTCP_INC_STATS(net, field) \
	this_cpu_inc(xtcp_pernet(net)->mib->mibs[field])

/* xtcp_table.c */
int xtcp_table_init(void);
void xtcp_table_exit(void);
int xtcp_get_port(struct sock *sk, unsigned short snum);
void xtcp_put_port(struct sock *sk);
int xtcp_bind_listen(struct sock *sk);
int xtcp_hash(struct sock *sk);
void xtcp_unhash(struct sock *sk);
struct sock *xtcp_lookup(struct net *net, __be32 saddr, __be16 sport,
			 __be32 daddr, __be16 dport, int dif, int sdif);

/**
 * struct xtcp_table_iter - cursor over the sockets of one namespace
 * @net: namespace whose sockets are listed
 * @bucket: bind bucket the cursor is in
 * @offset: sockets of @net already visited in @bucket
 */
struct xtcp_table_iter {
	struct net *net;
	unsigned int bucket;
	unsigned int offset;
};

/**
 * typedef xtcp_iter_fn - reads a socket during a table walk
 * @sk: the socket; its bind bucket is locked, softirqs are off
 * @arg: the walker's cookie
 */
typedef void (*xtcp_iter_fn)(struct sock *sk, void *arg);
bool xtcp_iter_next(struct xtcp_table_iter *it, xtcp_iter_fn fn, void *arg);

/* xtcp_sock.c */
void xtcp_set_state(struct sock *sk, int state);

/* xtcp_input.c */
int xtcp_v4_rcv(struct sk_buff *skb);
int xtcp_do_rcv(struct sock *sk, struct sk_buff *skb);

/* xtcp_proc.c */
int xtcp_proc_init_net(struct net *net);
void xtcp_proc_exit_net(struct net *net);

/* xtcp_sysctl.c */
int xtcp_sysctl_init_net(struct net *net);
void xtcp_sysctl_exit_net(struct net *net);

#endif /* _XTCP_H */
