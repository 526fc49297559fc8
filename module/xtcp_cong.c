// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp congestion control and loss recovery.
 *
 * The window arithmetic lives in xtcp_cc_math.h (pure, unit-tested);
 * this file holds the algorithms' ops table and the state machine that
 * calls them:
 *
 *  - Open: every ACK of new data lets the algorithm grow cwnd (slow
 *    start, then congestion avoidance: RFC 5681).
 *  - Recovery: the third duplicate ACK, or SACK blocks reporting three
 *    segments above the oldest one (RFC 6675's DupThresh; more on a
 *    path seen to reorder, see xtcp_take_sack()), make the
 *    oldest segment go again at once (fast retransmit) and cwnd drop to
 *    the algorithm's ssthresh; duplicate ACKs inflate it, partial ACKs
 *    deflate it (xtcp_newreno_partial_ack(); xtcp_resend_holes() sends
 *    the next hole) and the ACK of everything sent before recovery
 *    began ends it (NewReno, RFC 6582).
 *  - Loss: a retransmission timeout drops cwnd to one segment.
 *
 * Algorithms: "reno" (NewReno, the default) and "cubic" (RFC 9438) are
 * built in; other modules may add theirs with xtcp_register_cong(),
 * as with Linux's tcp_register_congestion_control().  A socket takes
 * the namespace's /proc/sys/net/xtcp/congestion_control when created,
 * or TCP_CONGESTION.  A connection's window changes with its socket
 * locked (rule 1 in xtcp.h); the list of algorithms is read under RCU
 * and written under xtcp_cong_lock (see there too).
 */
#include <linux/module.h>
#include <linux/rculist.h>
#include <linux/spinlock.h>
#include <linux/sysctl.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "xtcp.h"
#include "xtcp_cc_math.h"

static inline struct xtcp_cubic *xtcp_cubic_priv(struct sock *sk)
{
	BUILD_BUG_ON(sizeof(struct xtcp_cubic) >
		     sizeof(((struct xtcp_sock *)0)->ca_priv));
	return (struct xtcp_cubic *)xtcp_sk(sk)->ca_priv;
}

static u32 xtcp_reno_ssthresh_op(struct sock *sk)
{
	return xtcp_reno_ssthresh(xtcp_sk(sk)->cw.cwnd);
}

static void xtcp_reno_cong_avoid_op(struct sock *sk, u32 acked)
{
	xtcp_reno_cong_avoid(&xtcp_sk(sk)->cw, acked);
}

/*
 * Built-in algorithms have no owner: try_module_get(NULL) is a no-op,
 * and a socket pins xtcp itself through struct proto (a reference here
 * would also pin it from the namespaces' control sockets for good).
 */
static struct xtcp_cong_ops xtcp_reno = {
	.name		= "reno",
	.ssthresh	= xtcp_reno_ssthresh_op,
	.cong_avoid	= xtcp_reno_cong_avoid_op,
};

static u32 xtcp_now_ms(void)
{
	return jiffies_to_msecs(jiffies);
}

static void xtcp_cubic_init_op(struct sock *sk)
{
	xtcp_cubic_reset(xtcp_cubic_priv(sk));
	xtcp_cubic_priv(sk)->last_max_cwnd = 0;
}

static u32 xtcp_cubic_ssthresh_op(struct sock *sk)
{
	return xtcp_cubic_ssthresh(xtcp_cubic_priv(sk), xtcp_sk(sk)->cw.cwnd);
}

static void xtcp_cubic_cong_avoid_op(struct sock *sk, u32 acked)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 min_rtt = xs->rtt.has_sample ? xs->rtt.min_rtt_us : USEC_PER_SEC;

	xtcp_cubic_cong_avoid(xtcp_cubic_priv(sk), &xs->cw, acked,
			      xtcp_now_ms(), min_rtt);
}

static void xtcp_cubic_on_rto_op(struct sock *sk)
{
	xtcp_cubic_reset(xtcp_cubic_priv(sk));
}

static struct xtcp_cong_ops xtcp_cubic = {
	.name		= "cubic",
	.init		= xtcp_cubic_init_op,
	.ssthresh	= xtcp_cubic_ssthresh_op,
	.cong_avoid	= xtcp_cubic_cong_avoid_op,
	.on_rto		= xtcp_cubic_on_rto_op,
};

static struct xtcp_cong_ops *const xtcp_cong_builtin[] = {
	&xtcp_reno, &xtcp_cubic,
};

/* Algorithms of other modules; writers hold xtcp_cong_lock. */
static LIST_HEAD(xtcp_cong_list);
static DEFINE_SPINLOCK(xtcp_cong_lock);

/* Caller holds rcu_read_lock() or xtcp_cong_lock. */
static struct xtcp_cong_ops *xtcp_cong_lookup(const char *name)
{
	struct xtcp_cong_ops *ops;
	unsigned int i;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held() &&
			 !lockdep_is_held(&xtcp_cong_lock),
			 "congestion control list read without RCU or lock");
	for (i = 0; i < ARRAY_SIZE(xtcp_cong_builtin); i++)
		if (!strcmp(xtcp_cong_builtin[i]->name, name))
			return xtcp_cong_builtin[i];
	list_for_each_entry_rcu(ops, &xtcp_cong_list, list,
				lockdep_is_held(&xtcp_cong_lock))
		if (!strcmp(ops->name, name))
			return ops;
	return NULL;
}

/**
 * xtcp_register_cong() - make a congestion control algorithm available
 * @ops: the algorithm; .name, .ssthresh and .cong_avoid are required
 *
 * Return: 0, -EINVAL for incomplete ops, or -EEXIST for a name in use.
 */
int xtcp_register_cong(struct xtcp_cong_ops *ops)
{
	int err = 0;

	if (!ops->ssthresh || !ops->cong_avoid || !ops->name[0])
		return -EINVAL;
	spin_lock(&xtcp_cong_lock);
	if (xtcp_cong_lookup(ops->name))
		err = -EEXIST;
	else
		list_add_tail_rcu(&ops->list, &xtcp_cong_list);
	spin_unlock(&xtcp_cong_lock);
	return err;
}
EXPORT_SYMBOL_GPL(xtcp_register_cong);

/**
 * xtcp_unregister_cong() - withdraw an algorithm added by a module
 * @ops: the algorithm
 *
 * Sockets using it hold a reference on its module, so none is left.
 */
void xtcp_unregister_cong(struct xtcp_cong_ops *ops)
{
	spin_lock(&xtcp_cong_lock);
	list_del_rcu(&ops->list);
	spin_unlock(&xtcp_cong_lock);
	synchronize_rcu();
}
EXPORT_SYMBOL_GPL(xtcp_unregister_cong);

/* Start @ops on @sk, which holds no algorithm; false if it is going. */
static bool xtcp_cong_attach(struct sock *sk, struct xtcp_cong_ops *ops)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (!try_module_get(ops->owner))
		return false;
	xs->ca_ops = ops;
	memset(xs->ca_priv, 0, sizeof(xs->ca_priv));
	if (ops->init)
		ops->init(sk);
	return true;
}

/**
 * xtcp_cong_set() - choose @sk's algorithm by name (TCP_CONGESTION)
 * @sk: the socket, locked
 * @name: the algorithm's name
 *
 * Return: 0, or -ENOENT for a name no algorithm has, as Linux.
 */
int xtcp_cong_set(struct sock *sk, const char *name)
{
	struct xtcp_cong_ops *ops, *old = xtcp_sk(sk)->ca_ops;
	int err = -ENOENT;

	xtcp_assert_sock_locked(sk);
	rcu_read_lock();
	ops = xtcp_cong_lookup(name);
	if (ops == old) {
		err = 0;
	} else if (ops && xtcp_cong_attach(sk, ops)) {
		if (old)
			module_put(old->owner);
		err = 0;
	}
	rcu_read_unlock();
	return err;
}

/**
 * xtcp_cong_init() - give a new socket its namespace's algorithm
 * @sk: the socket (or a child, which first drops the listener's)
 */
void xtcp_cong_init(struct sock *sk)
{
	struct xtcp_net *xn = xtcp_pernet(sock_net(sk));
	struct xtcp_cong_ops *ops;

	xtcp_sk(sk)->ca_ops = NULL;
	rcu_read_lock();
	ops = xtcp_cong_lookup(xn->sysctl_cong);
	if (!ops || !xtcp_cong_attach(sk, ops))
		xtcp_cong_attach(sk, &xtcp_reno);
	rcu_read_unlock();
}

/**
 * xtcp_cong_clone() - a child keeps its listener's algorithm
 * @child: the new socket, a copy of its listener
 */
void xtcp_cong_clone(struct sock *child)
{
	struct xtcp_cong_ops *ops = xtcp_sk(child)->ca_ops;

	xtcp_sk(child)->ca_ops = NULL;
	if (!ops || !xtcp_cong_attach(child, ops))
		xtcp_cong_attach(child, &xtcp_reno);
}

/**
 * xtcp_cong_release() - drop @sk's algorithm when it is destroyed
 * @sk: the socket
 */
void xtcp_cong_release(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (xs->ca_ops)
		module_put(xs->ca_ops->owner);
	xs->ca_ops = NULL;
}

/**
 * xtcp_cong_start() - the window of a connection that just opened
 * @sk: the socket, locked, entering ESTABLISHED
 *
 * Ten segments, as Linux (RFC 6928), and no loss yet.
 */
void xtcp_cong_start(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xtcp_assert_sock_locked(sk);
	xtcp_cwnd_init(&xs->cw, XTCP_IW10, XTCP_CWND_CLAMP);
	xs->ca_state = XTCP_CA_OPEN;
	xs->recover = xs->snd_una;
	xs->dupacks = 0;
	xs->reordering = XTCP_DUPTHRESH;
	xs->sack_high = xs->snd_una;
	if (xs->ca_ops && xs->ca_ops->init)
		xs->ca_ops->init(sk);
}

/* A recovery or a timeout begins: segments may be sent again once more. */
static void xtcp_new_loss_epoch(struct xtcp_sock *xs)
{
	xs->loss_epoch = xs->loss_epoch + 1 ? : 1;
}

/*
 * Send again, each once per loss episode and at most cwnd of them, the
 * oldest segment in flight that the peer does not hold (NewReno: at the
 * start of a recovery and on each partial ACK, RFC 6582 section 3.2,
 * step 3), and every other one that SACK blocks passed over by as many
 * segments as make one lost (RFC 6675's IsLost() with DupThresh
 * raised to the reordering seen).  NewReno alone sends one hole per
 * round trip, and a burst of losses (a whole GSO skb dropped by a qdisc)
 * would take as many round trips as it has segments.
 */
static void xtcp_resend_holes(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 budget = max(xs->cw.cwnd, 1U);
	u32 sacked_below = 0;
	struct xtcp_skb_cb *cb;
	struct sk_buff *skb;
	bool oldest = true;

	skb_queue_walk(&sk->sk_write_queue, skb) {
		if (skb == xs->send_head || !budget)
			return;
		cb = XTCP_SKB_CB(skb);
		if (cb->sacked) {
			sacked_below += cb->segs;
			continue;
		}
		if (!oldest && xs->sacked_out - sacked_below < xs->reordering)
			return;
		oldest = false;
		if (cb->rexmit_epoch == xs->loss_epoch)
			continue;
		/* It leaves cut to a segment: the rest is the next skb. */
		if (xtcp_retransmit_skb(sk, skb))
			return;	/* out of memory: the next ACK tries again */
		budget--;
	}
}

/* Fast retransmit: RFC 5681 3.2 with NewReno's recover (RFC 6582). */
static void xtcp_enter_recovery(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xtcp_undo_start(&xs->undo, &xs->cw, xs->snd_una);
	xtcp_newreno_enter(&xs->cw, xs->ca_ops->ssthresh(sk));
	xs->ca_state = XTCP_CA_RECOVERY;
	xs->recover = xs->snd_nxt;
	xtcp_new_loss_epoch(xs);
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_FASTRETRANS);
	xtcp_resend_holes(sk);
}

/*
 * Enough evidence that the oldest segment is lost?  With SACK, only
 * segments the peer holds above it count, as in Linux's
 * tcp_time_to_recover(): a duplicate ACK that reports nothing new (the
 * answer to a segment the network duplicated, with its D-SACK block, or
 * a window update) is no sign of loss.  Without, duplicate ACKs count
 * (RFC 5681 3.2).
 */
static bool xtcp_loss_seen(const struct xtcp_sock *xs)
{
	if (xs->sack_ok)
		return xs->sacked_out >= xs->reordering;
	return xs->dupacks >= xs->reordering;
}

/*
 * The loss episode was spurious: its window cut is given back and the
 * episode ends (Linux's tcp_undo_cwnd_reduction() and
 * tcp_try_keep_open()).  Segments the peer still misses are found again
 * as after any loss: recover moves to snd_una, so that new evidence
 * starts a new recovery at once.
 */
static void xtcp_cong_undo(struct sock *sk, int mib)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xtcp_undo_cwnd(&xs->undo, &xs->cw);
	xs->ca_state = XTCP_CA_OPEN;
	xs->recover = xs->snd_una;
	xs->dupacks = 0;
	XTCP_INC_STATS(sock_net(sk), mib);
}

/*
 * Eifel (RFC 3522): an ACK of new data that echoes a timestamp older
 * than the episode's first retransmission was sent for an original.
 * After a timeout that makes the timeout spurious, as Linux's
 * tcp_try_undo_loss(); in a recovery it is checked at the end, as
 * tcp_try_undo_recovery() does (partial ACKs leave it alone: the other
 * holes may be real).  Returns whether the episode was undone.
 */
static bool xtcp_try_undo_eifel(struct sock *sk, bool full)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (!xtcp_undo_delayed(&xs->undo, xs->rcv_tsecr))
		return false;
	if (xs->ca_state == XTCP_CA_LOSS)
		xtcp_cong_undo(sk, XTCP_MIB_LOSSUNDO);
	else if (full)
		xtcp_cong_undo(sk, XTCP_MIB_FULLUNDO);
	else
		return false;
	return true;
}

/**
 * xtcp_cong_dsack() - the peer reports a range it received twice
 * @sk: the socket, locked
 * @start: first sequence number of the D-SACK block (RFC 2883)
 * @end: its end
 * @ack: snd_una once the ACK that carries it is taken
 *  When every segment the current loss episode sent again has
 * come back as a duplicate, nothing was lost: the episode is undone
 * (RFC 3708 with Linux's response, tcp_try_undo_dsack()).
 */
void xtcp_cong_dsack(struct sock *sk, u32 start, u32 end, u32 ack)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xtcp_assert_sock_locked(sk);
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_DSACKRECV);
	if (!xs->ca_ops || xs->ca_state == XTCP_CA_OPEN)
		return;
	if (xtcp_undo_dsack(&xs->undo, start, end, ack, xtcp_seg_size(xs)))
		xtcp_cong_undo(sk, XTCP_MIB_DSACKUNDO);
}

/**
 * xtcp_cong_retransmitted() - a segment of the write queue went again
 * @sk: the socket, locked
 * @skb: it, cut to one segment
 * @tsval: our timestamp clock read before it was built, so that its
 *	TSval is not older
 */
void xtcp_cong_retransmitted(struct sock *sk, const struct sk_buff *skb,
			     u32 tsval)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xtcp_undo_retransmitted(&xs->undo, max_t(u32, XTCP_SKB_CB(skb)->segs, 1),
				tsval, xs->tstamp_ok);
}

/*
 * Does the window limit sending, so that an ACK may grow it?  As Linux's
 * tcp_is_cwnd_limited(): when the flight filled cwnd in the last window,
 * or, in slow start, while cwnd is below twice the largest flight.  An
 * application that sends little, or a peer's small window, leaves cwnd
 * where it is, rather than let it grow to a size never tried on the
 * path (RFC 7661).
 */
static bool xtcp_cwnd_limited(const struct xtcp_sock *xs)
{
	if (xs->cwnd_limited)
		return true;
	return xtcp_in_slow_start(&xs->cw) &&
	       xs->cw.cwnd < 2 * xs->max_packets_out;
}

/**
 * xtcp_cong_on_ack() - what an acceptable ACK means for the window
 * @sk: the socket, locked
 * @acked: segments it newly acknowledged (0 for a duplicate)
 * @dupack: it is a duplicate ACK (RFC 5681 section 2): nothing new
 *	acknowledged, no data, no window change, data in flight
 */
void xtcp_cong_on_ack(struct sock *sk, u32 acked, bool dupack)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xtcp_assert_sock_locked(sk);
	if (!xs->ca_ops || sk->sk_state == TCP_SYN_SENT)
		return;
	if (acked)
		xs->dupacks = 0;
	else if (dupack)
		xs->dupacks++;

	switch (xs->ca_state) {
	case XTCP_CA_RECOVERY:
		if (!acked) {
			if (dupack)
				xtcp_newreno_dupack(&xs->cw);
			/* Its SACK blocks may show more holes. */
			xtcp_resend_holes(sk);
		} else if (xtcp_newreno_is_full_ack(xs->snd_una, xs->recover)) {
			if (xtcp_try_undo_eifel(sk, true))
				return;
			xtcp_newreno_full_ack(&xs->cw, xtcp_in_flight(xs));
			xs->ca_state = XTCP_CA_OPEN;
			xtcp_undo_forget(&xs->undo);
		} else {
			xtcp_newreno_partial_ack(&xs->cw, acked);
			xtcp_resend_holes(sk);
		}
		return;
	case XTCP_CA_LOSS:
		/* After a timeout, what was in flight then is likely lost. */
		if (!acked)
			break;
		if (xtcp_try_undo_eifel(sk, false))
			return;
		if (xtcp_newreno_is_full_ack(xs->snd_una, xs->recover)) {
			xs->ca_state = XTCP_CA_OPEN;
			xtcp_undo_forget(&xs->undo);
		} else {
			xtcp_resend_holes(sk);
		}
		break;
	}
	if (xs->ca_state == XTCP_CA_OPEN && xtcp_loss_seen(xs) &&
	    xtcp_newreno_is_full_ack(xs->snd_una, xs->recover)) {
		xtcp_enter_recovery(sk);
		return;
	}
	if (acked && xtcp_cwnd_limited(xs))
		xs->ca_ops->cong_avoid(sk, acked);
}

/*
 * Forget what SACK blocks reported (RFC 2018 section 8): the receiver may
 * have dropped data it reported (reneging, as our own pruning does), and
 * a segment wrongly marked would be passed over by every retransmission
 * until the next timeout.  Blocks that come later mark segments again.
 */
static void xtcp_sack_clear(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb;

	skb_queue_walk(&sk->sk_write_queue, skb) {
		if (skb == xs->send_head)
			break;
		XTCP_SKB_CB(skb)->sacked = 0;
	}
	xs->sacked_out = 0;
	xs->sack_high = xs->snd_una;
}

/**
 * xtcp_cong_on_rto() - the retransmission timer expired
 * @sk: the socket, locked, in a synchronized state
 *
 * RFC 5681 3.1: ssthresh from the algorithm (once per loss episode),
 * cwnd one segment; RFC 6582 3.2 step 4: recover = snd_nxt; RFC 2018
 * section 8: SACK marks are forgotten.
 */
void xtcp_cong_on_rto(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 ssthresh = xs->cw.ssthresh;

	xtcp_assert_sock_locked(sk);
	if (!xs->ca_ops)
		return;
	if (xs->ca_state != XTCP_CA_LOSS)
		ssthresh = xs->ca_ops->ssthresh(sk);
	/* A recovery's or an earlier timeout's cut is what to give back. */
	if (xs->ca_state == XTCP_CA_OPEN)
		xtcp_undo_start(&xs->undo, &xs->cw, xs->snd_una);
	xtcp_cwnd_timeout(&xs->cw, ssthresh);
	xs->ca_state = XTCP_CA_LOSS;
	xs->recover = xs->snd_nxt;
	xtcp_new_loss_epoch(xs);
	xs->dupacks = 0;
	xtcp_sack_clear(sk);
	if (xs->ca_ops->on_rto)
		xs->ca_ops->on_rto(sk);
}

/**
 * xtcp_cong_mtu_lost() - send again what a lower path MTU lost
 * @sk: the socket, locked, after its segment size went down
 *
 * Every segment in flight was too large for the path (Linux's
 * tcp_simple_retransmit()): a loss episode begins, without a window
 * reduction, since the network did not signal congestion, and each
 * segment the peer does not hold leaves again, cut to the new size, as
 * far as cwnd allows; ACKs send the rest as in any loss episode.  The
 * segments stay where they are in the write queue, before send_head,
 * so that new data is never added to one a clone of may be in flight.
 */
void xtcp_cong_mtu_lost(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 budget = max(xs->cw.cwnd, 1U);
	struct sk_buff *skb;

	xtcp_assert_sock_locked(sk);
	if (xs->snd_una == xs->snd_nxt)
		return;
	/* No cut to give back: these resends are no sign of anything. */
	xtcp_undo_forget(&xs->undo);
	xs->ca_state = XTCP_CA_LOSS;
	xs->recover = xs->snd_nxt;
	xs->dupacks = 0;
	xtcp_new_loss_epoch(xs);
	skb_queue_walk(&sk->sk_write_queue, skb) {
		if (skb == xs->send_head || !budget)
			break;
		if (XTCP_SKB_CB(skb)->sacked)
			continue;
		/* Cut to a segment: the rest is the next skb, sent next. */
		if (xtcp_retransmit_skb(sk, skb))
			break;	/* out of memory: the RTO sends it again */
		budget--;
	}
}

/**
 * xtcp_cong_name() - the name of @sk's algorithm
 * @sk: the socket
 *
 * Return: the name (TCP_CONGESTION, TCP_INFO).
 */
const char *xtcp_cong_name(const struct sock *sk)
{
	const struct xtcp_cong_ops *ops = xtcp_sk(sk)->ca_ops;

	return ops ? ops->name : xtcp_reno.name;
}
EXPORT_SYMBOL_GPL(xtcp_cong_name);

/**
 * xtcp_proc_cong() - /proc/sys/net/xtcp/congestion_control
 * @table: the entry; .data is the namespace's name buffer
 * @write: a write
 * @buffer: user data
 * @lenp: its length
 * @ppos: file position
 *
 * Takes only the names of known algorithms, else -ENOENT, as Linux's
 * net.ipv4.tcp_congestion_control.
 *
 * Return: 0 or a negative errno.
 */
int xtcp_proc_cong(struct ctl_table *table, int write, void *buffer,
		   size_t *lenp, loff_t *ppos)
{
	char name[XTCP_CA_NAME_MAX];
	struct ctl_table tbl = {
		.data = name,
		.maxlen = sizeof(name),
	};
	bool known;
	int err;

	strscpy(name, table->data, sizeof(name));
	err = proc_dostring(&tbl, write, buffer, lenp, ppos);
	if (!write || err)
		return err;
	rcu_read_lock();
	known = xtcp_cong_lookup(name);
	rcu_read_unlock();
	if (!known)
		return -ENOENT;
	strscpy(table->data, name, table->maxlen);
	return 0;
}
