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
 *  - Loss detection is RACK (RFC 8985, xtcp_rack.h): on every ACK, a
 *    segment sent before the most recently sent one delivered, and
 *    older than its round trip plus a reordering window, is lost
 *    (lost_out); one that may become so arms the reordering timer.
 *    Without SACK, the third duplicate ACK marks the oldest lost.
 *  - Recovery: the first segment marked lost starts it (RFC 6675, with
 *    RFC 6582's recover); cwnd drops towards the algorithm's ssthresh
 *    as Proportional Rate Reduction (RFC 6937, xtcp_prr.h) says, sending
 *    against RFC 6675's pipe (xtcp_in_flight()), lost segments first;
 *    the ACK of everything sent before it began ends it.
 *  - Tail loss probes (RFC 8985 7): with data in flight and no loss,
 *    the retransmission timer first sends a probe after two SRTTs, whose
 *    ACK gives RACK something to reason from.
 *  - Loss: a retransmission timeout drops cwnd to one segment and marks
 *    everything in flight lost.
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
	xs->reord_seen = false;
	xs->sack_high = xs->snd_una;
	xs->lost_out = 0;
	xs->retrans_out = 0;
	xs->tlp_out = false;
	xs->dsack_dups = 0;
	xtcp_rack_init(&xs->rack);
	if (xs->ca_ops && xs->ca_ops->init)
		xs->ca_ops->init(sk);
}

/* A recovery or a timeout begins: segments may be sent again once more. */
static void xtcp_new_loss_epoch(struct xtcp_sock *xs)
{
	xs->loss_epoch = xs->loss_epoch + 1 ? : 1;
}

/*
 * @skb is lost: it counts in lost_out, and a copy of it sent again, if
 * any, is lost too (it leaves retrans_out), as Linux's
 * tcp_mark_skb_lost().
 */
static void xtcp_mark_lost(struct xtcp_sock *xs, struct sk_buff *skb)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

	if (cb->retrans) {
		xs->retrans_out -= min_t(u32, xs->retrans_out, cb->segs);
		cb->retrans = 0;
	}
	if (!cb->lost) {
		cb->lost = 1;
		xs->lost_out += cb->segs;
	}
}

/* Every segment in flight the peer did not SACK is lost (a timeout). */
static void xtcp_mark_all_lost(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb;

	skb_queue_walk(&sk->sk_write_queue, skb) {
		if (skb == xs->send_head)
			break;
		if (!XTCP_SKB_CB(skb)->sacked)
			xtcp_mark_lost(xs, skb);
	}
}

/* An undo: what was marked lost was not (Linux's unmark_loss). */
static void xtcp_unmark_lost(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb;

	skb_queue_walk(&sk->sk_write_queue, skb) {
		if (skb == xs->send_head)
			break;
		XTCP_SKB_CB(skb)->lost = 0;
	}
	xs->lost_out = 0;
}

/*
 * RACK (RFC 8985 6.2, step 5): every segment in flight that was sent
 * before the most recently sent one delivered, and has waited a round
 * trip and the reordering window since, is lost; a copy sent again
 * too (a lost retransmission).  Segments already marked lost and not
 * sent again since wait for xtcp_resend_lost().  Returns how long until
 * the next segment would be lost, 0 if none: the reordering timer.
 */
static u32 xtcp_rack_detect(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 now = xtcp_clock_us(), reo, wait, next = 0;
	u32 sacked_below = 0, above;
	struct xtcp_skb_cb *cb;
	struct sk_buff *skb;

	if (!xs->rack.has_sample)
		return 0;
	reo = xtcp_rack_reo_wnd(&xs->rack, xs->rtt.min_rtt_us,
				xs->rtt.srtt_us, xs->reord_seen,
				xs->ca_state != XTCP_CA_OPEN ||
				xs->sacked_out >= xs->reordering);
	skb_queue_walk(&sk->sk_write_queue, skb) {
		if (skb == xs->send_head)
			break;
		cb = XTCP_SKB_CB(skb);
		if (cb->sacked)
			sacked_below += cb->segs;
		if (cb->sacked || (cb->lost && !cb->retrans))
			continue;
		if (xtcp_rack_check(&xs->rack, cb->xmit_us, cb->end_seq, now,
				    reo, &wait)) {
			/* Or late only, on a path that reorders, until
			 * an SRTT passed too.
			 */
			above = xs->sacked_out - min(sacked_below,
						     xs->sacked_out);
			if (xtcp_rack_reordered_yet(xs->reord_seen, above,
						    xs->reordering) &&
			    !xtcp_rack_check(&xs->rack, cb->xmit_us,
					     cb->end_seq, now,
					     max(reo, xs->rtt.srtt_us), &wait)) {
				if (wait && (!next || wait < next))
					next = wait;
				continue;
			}
			xtcp_mark_lost(xs, skb);
			XTCP_ADD_STATS(sock_net(sk), XTCP_MIB_RACKLOST,
				       cb->segs);
		} else if (wait) {
			if (!next || wait < next)
				next = wait;
		} else if (!cb->rexmit) {
			/*
			 * Sent once, after the delivered one: so was all
			 * that follows (new data leaves in order), and a
			 * copy sent again later still.
			 */
			break;
		}
	}
	return next;
}

/*
 * Send again, oldest first, the segments marked lost and not sent
 * again since, while the pipe is below cwnd (RFC 6675's NextSeg() rule
 * 1, as Linux's tcp_xmit_retransmit_queue()): PRR in a recovery, slow
 * start after a timeout, decides how many.  The oldest sent again
 * restarts the retransmission timeout (unless RACK's timer is due
 * first), as in Linux: its copy needs a round trip too.
 */
static void xtcp_resend_lost(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_skb_cb *cb;
	struct sk_buff *skb;

	if (!xs->lost_out)
		return;
	skb_queue_walk(&sk->sk_write_queue, skb) {
		if (skb == xs->send_head ||
		    xtcp_in_flight(xs) >= xs->cw.cwnd)
			return;
		cb = XTCP_SKB_CB(skb);
		if (!cb->lost || cb->retrans || cb->sacked)
			continue;
		/* It leaves cut to a segment: the rest is the next skb. */
		if (xtcp_retransmit_skb(sk, skb))
			return;	/* out of memory: the next ACK tries again */
		if (skb == skb_peek(&sk->sk_write_queue) &&
		    !(xs->rtx_mode == XTCP_TIMER_REO &&
		      timer_pending(&xs->rtx_timer)))
			xtcp_reset_rtx_timer(sk, xtcp_rto(xs));
	}
}

/*
 * Without SACK nothing tells which segment is missing but the oldest
 * (RFC 6582): it is lost when a recovery begins and on each partial
 * ACK, as Linux's tcp_newreno_mark_lost().
 */
static void xtcp_mark_head_lost(struct sock *sk)
{
	struct sk_buff *skb = skb_peek(&sk->sk_write_queue);

	if (skb && skb != xtcp_sk(sk)->send_head &&
	    !XTCP_SKB_CB(skb)->retrans)
		xtcp_mark_lost(xtcp_sk(sk), skb);
}

/*
 * Fast recovery begins (RFC 6675 section 5, with RFC 6582's recover):
 * ssthresh from the algorithm; cwnd follows PRR from here
 * (xtcp_prr_ack()), and the segments marked lost go again.
 */
static void xtcp_enter_recovery(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xtcp_undo_start(&xs->undo, &xs->cw, xs->snd_una);
	xs->cw.ssthresh = xs->ca_ops->ssthresh(sk);
	xs->cw.cwnd_cnt = 0;
	xtcp_prr_init(&xs->prr, xs->packets_out);
	xs->ca_state = XTCP_CA_RECOVERY;
	xs->recover = xs->snd_nxt;
	xs->tlp_out = false;
	xtcp_new_loss_epoch(xs);
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_FASTRETRANS);
}

/*
 * An ACK of the recovery delivered @delivered segments: cwnd is the
 * pipe plus what PRR lets out (RFC 6937), and at least the first
 * retransmission goes, as Linux's tcp_cwnd_reduction().
 */
static void xtcp_prr_ack(struct sock *sk, u32 delivered)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 pipe = xtcp_in_flight(xs), sndcnt;

	sndcnt = xtcp_prr_sndcnt(&xs->prr, delivered, pipe, xs->cw.ssthresh);
	if (!sndcnt && !xs->prr.out && xs->lost_out)
		sndcnt = 1;
	xs->cw.cwnd = max(pipe + sndcnt, 1U);
}

/*
 * What the peer got above the hole before the recovery began: the
 * segments it SACKed, or without SACK one per duplicate ACK.  They left
 * the network in the episode that showed the loss, and count as PRR's
 * first DeliveredData, so that a burst of losses found at once goes
 * again at once as far as slow start allows (PRR-SSRB), not one
 * segment per ACK still to come.
 */
static u32 xtcp_episode_delivered(const struct xtcp_sock *xs)
{
	return xs->sack_ok ? xs->sacked_out : xs->dupacks;
}

/**
 * xtcp_cong_sent() - segments left: PRR counts them in a recovery
 * @sk: the socket, locked
 * @segs: how many, new or sent again
 */
void xtcp_cong_sent(struct sock *sk, u32 segs)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (xs->ca_state == XTCP_CA_RECOVERY)
		xtcp_prr_sent(&xs->prr, segs);
}

/*
 * Without SACK, duplicate ACKs count (RFC 5681 3.2); with SACK, RACK
 * decides (xtcp_rack_detect()): a recovery begins when it marks a
 * segment lost.
 */
static bool xtcp_loss_seen(const struct xtcp_sock *xs)
{
	if (xs->sack_ok)
		return xs->lost_out;
	return xs->dupacks >= xs->reordering &&
	       xtcp_newreno_is_full_ack(xs->snd_una, xs->recover);
}

/*
 * A loss episode ends: the window is ssthresh (Linux's
 * tcp_end_cwnd_reduction()).  Its cut may still be undone: on a path
 * that reorders, the ACK that ends it comes for the late originals,
 * and the D-SACK blocks for the copies sent again come after it, as
 * Linux keeps undo_marker until the next episode (xtcp_cong_dsack()).
 */
static void xtcp_recovery_done(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (xs->ca_state == XTCP_CA_RECOVERY)
		xs->cw.cwnd = max(xs->cw.ssthresh, 1U);
	xs->ca_state = XTCP_CA_OPEN;
	xs->cw.cwnd_cnt = 0;
	xtcp_rack_recovery_ended(&xs->rack);
}

/*
 * The loss episode was spurious: its window cut is given back and the
 * episode ends (Linux's tcp_undo_cwnd_reduction() and
 * tcp_try_keep_open()), and nothing stays marked lost.  Segments the
 * peer still misses are found again as after any loss: recover moves to
 * snd_una, so that new evidence starts a new recovery at once.
 */
static void xtcp_cong_undo(struct sock *sk, int mib)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	bool open = xs->ca_state == XTCP_CA_OPEN;

	xtcp_undo_cwnd(&xs->undo, &xs->cw);
	XTCP_INC_STATS(sock_net(sk), mib);
	/* Undone once over: lost_out and recover are the new episode's. */
	if (open)
		return;
	xtcp_unmark_lost(sk);
	xs->ca_state = XTCP_CA_OPEN;
	xs->recover = xs->snd_una;
	xs->dupacks = 0;
	xtcp_rack_recovery_ended(&xs->rack);
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

/*
 * Eifel on a partial ACK of a recovery, as Linux's tcp_try_undo_partial(),
 * before loss detection looks at the ACK: the hole at @prior_una was
 * filled by a late original, not by the copy sent for it (the ACK echoes
 * a timestamp older than the episode's first retransmission).  The path
 * reorders at least that far.  Once no copy is in flight any more, the
 * recovery sent nothing that was needed and is undone.  While copies are
 * out, the ACK is held: nothing more is marked lost or sent again on it,
 * for the same reordering is likely to fill the other holes too, and the
 * copies' own fate decides the undo.  Without the hold, a path that
 * reorders by more than RACK's window marked more and more segments
 * lost, and the copies kept in flight kept the episode from being
 * undone.
 *
 * Return: true when the ACK is held.
 */
static bool xtcp_try_undo_partial(struct sock *sk, u32 prior_una)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (!xtcp_undo_delayed(&xs->undo, xs->rcv_tsecr))
		return false;
	xtcp_check_reordering(xs, prior_una);
	if (xs->retrans_out) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_PARTIALUNDOHOLD);
		return true;
	}
	xtcp_cong_undo(sk, XTCP_MIB_PARTIALUNDO);
	return false;
}

/**
 * xtcp_cong_dsack() - the peer reports a range it received twice
 * @sk: the socket, locked
 * @start: first sequence number of the D-SACK block (RFC 2883)
 * @end: its end
 * @ack: snd_una once the ACK that carries it is taken
 *
 * The path reordered (or duplicated) more than RACK allowed for: its
 * reordering window grows (xtcp_rack_dsack()).  A block for the copy a
 * tail loss probe sent says that the probe repaired nothing.  When
 * every segment the last loss episode sent again has come back as a
 * duplicate, nothing was lost: the episode is undone (RFC 3708 with
 * Linux's response, tcp_try_undo_dsack()), also once it is over, as
 * Linux does in the Open state: on a path that reorders, the blocks
 * come after the ACK that ended it.
 */
void xtcp_cong_dsack(struct sock *sk, u32 start, u32 end, u32 ack)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 seg = xtcp_seg_size(xs);
	bool tlp = false;

	xtcp_assert_sock_locked(sk);
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_DSACKRECV);
	/*
	 * More duplicates than we ever sent copies: the path duplicates
	 * (netem, a bad link), and the block says nothing of what we
	 * sent again, as Linux's tcp_dsack_seen() judges.
	 */
	xs->dsack_dups += seg ? DIV_ROUND_UP(end - start, seg) : 1;
	if (xs->dsack_dups > xs->total_retrans)
		return;
	if (xs->tlp_out && xs->tlp_retrans && end == xs->tlp_high_seq) {
		xs->tlp_dsack = true;
		tlp = true;
	}
	/*
	 * Only reordering RACK did not allow for widens its window: not a
	 * tail loss probe's copy (a timer sent it, not RACK), nor a path
	 * never seen to reorder (Linux's tcp_dsack_seen()).
	 */
	if (xs->reord_seen && !tlp)
		xtcp_rack_dsack(&xs->rack, xs->snd_una, xs->snd_nxt);
	if (!xs->ca_ops)
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

/*
 * The ACK of a tail loss probe (RFC 8985 7.4, as Linux's
 * tcp_process_tlp_ack()): when it covers the probe and no D-SACK said
 * the probe was a copy of what had arrived, the probe repaired a loss:
 * the window is cut once, as for any loss (Linux's CWR), and no
 * recovery follows.
 */
static void xtcp_tlp_ack(struct sock *sk, u32 acked, u32 sacked)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (!xs->tlp_out || xtcp_seq_before(xs->snd_una, xs->tlp_high_seq))
		return;
	if (!xs->tlp_retrans || xs->tlp_dsack) {
		xs->tlp_out = false;
	} else if (xtcp_seq_after(xs->snd_una, xs->tlp_high_seq)) {
		xs->tlp_out = false;
		if (xs->ca_state != XTCP_CA_OPEN)
			return;
		xs->cw.ssthresh = xs->ca_ops->ssthresh(sk);
		xs->cw.cwnd = max(min(xs->cw.cwnd, xs->cw.ssthresh), 1U);
		xs->cw.cwnd_cnt = 0;
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_TLPRECOVERY);
	} else if (!acked && !sacked) {
		/* A pure duplicate ACK: the original and the probe came. */
		xs->tlp_out = false;
	}
}

/* Arm @sk's rtx_timer for @mode in @us microseconds. */
static void xtcp_arm_mode(struct sock *sk, u8 mode, u32 us)
{
	xtcp_reset_rtx_timer(sk, max_t(unsigned long, usecs_to_jiffies(us),
				       1));
	xtcp_sk(sk)->rtx_mode = mode;
}

/*
 * After an ACK: RACK's reordering timer when a segment may be lost in
 * @reo_wait us, else a tail loss probe when the ACK made progress,
 * else the retransmission timeout, as Linux's tcp_set_xmit_timer() and
 * tcp_rack_reo_timeout().
 */
static void xtcp_set_xmit_timer(struct sock *sk, u32 reo_wait, bool progress)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (!xs->packets_out)
		return;
	if (reo_wait) {
		/* A jiffy more: a timer may expire up to a jiffy early. */
		xtcp_arm_mode(sk, XTCP_TIMER_REO,
			      reo_wait + jiffies_to_usecs(1));
		return;
	}
	if (xs->rtx_mode == XTCP_TIMER_REO && timer_pending(&xs->rtx_timer))
		xtcp_reset_rtx_timer(sk, xtcp_rto(xs));
	if (progress)
		xtcp_tlp_schedule(sk);
}

/**
 * xtcp_cong_on_ack() - what an acceptable ACK means for the window
 * @sk: the socket, locked
 * @prior_una: snd_una before the ACK
 * @acked: segments it newly acknowledged (0 for a duplicate)
 * @sacked: segments it newly reported in SACK blocks
 * @dupack: it is a duplicate ACK (RFC 5681 section 2): nothing new
 *	acknowledged, no data, no window change, data in flight
 *
 * RACK marks what the ACK shows lost (xtcp_rack_detect()); a segment
 * marked lost starts a recovery, whose window PRR sets; the lost
 * segments go again as the pipe allows.  The timer is set last.
 */
void xtcp_cong_on_ack(struct sock *sk, u32 prior_una, u32 acked, u32 sacked,
		      bool dupack)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 reo_wait;

	xtcp_assert_sock_locked(sk);
	if (!xs->ca_ops || sk->sk_state == TCP_SYN_SENT)
		return;
	if (acked)
		xs->dupacks = 0;
	else if (dupack)
		xs->dupacks++;
	xtcp_tlp_ack(sk, acked, sacked);
	if (xs->ca_state == XTCP_CA_RECOVERY && acked &&
	    !xtcp_newreno_is_full_ack(xs->snd_una, xs->recover) &&
	    xtcp_try_undo_partial(sk, prior_una)) {
		xtcp_set_xmit_timer(sk, 0, true);
		return;
	}
	reo_wait = xtcp_rack_detect(sk);

	switch (xs->ca_state) {
	case XTCP_CA_RECOVERY:
		if (acked && xtcp_newreno_is_full_ack(xs->snd_una, xs->recover)) {
			if (xtcp_try_undo_eifel(sk, true))
				break;
			xtcp_recovery_done(sk);
			break;
		}
		if (acked && !xs->sack_ok)
			xtcp_mark_head_lost(sk);
		xtcp_prr_ack(sk, acked + sacked + (!xs->sack_ok && dupack));
		xtcp_resend_lost(sk);
		break;
	case XTCP_CA_LOSS:
		/* After a timeout, what was in flight then is lost. */
		if (!acked) {
			xtcp_resend_lost(sk);
			break;
		}
		if (xtcp_try_undo_eifel(sk, false))
			break;
		if (xtcp_newreno_is_full_ack(xs->snd_una, xs->recover)) {
			xtcp_recovery_done(sk);
		} else {
			if (xtcp_cwnd_limited(xs))
				xs->ca_ops->cong_avoid(sk, acked);
			xtcp_resend_lost(sk);
			break;
		}
		fallthrough;
	case XTCP_CA_OPEN:
		if (xtcp_loss_seen(xs)) {
			if (!xs->sack_ok)
				xtcp_mark_head_lost(sk);
			xtcp_enter_recovery(sk);
			xtcp_prr_ack(sk, acked + xtcp_episode_delivered(xs));
			xtcp_resend_lost(sk);
			break;
		}
		if (acked && xtcp_cwnd_limited(xs))
			xs->ca_ops->cong_avoid(sk, acked);
		break;
	}
	xtcp_set_xmit_timer(sk, reo_wait, acked || sacked);
}

/**
 * xtcp_rack_reo_timeout() - RACK's reordering timer expired
 * @sk: the socket, locked, with data in flight
 *
 * What RACK waited for may now be lost (RFC 8985 6.3): marked, it
 * starts a recovery or goes again in one, as Linux's
 * tcp_rack_reo_timeout().
 */
void xtcp_rack_reo_timeout(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 lost = xs->lost_out, reo_wait;

	xtcp_assert_sock_locked(sk);
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_REOTIMEOUTS);
	xtcp_rearm_rto(sk);
	if (!xs->ca_ops)
		return;
	reo_wait = xtcp_rack_detect(sk);
	if (xs->lost_out != lost) {
		if (xs->ca_state == XTCP_CA_OPEN) {
			xtcp_enter_recovery(sk);
			xtcp_prr_ack(sk, xtcp_episode_delivered(xs));
		}
		xtcp_resend_lost(sk);
	}
	if (reo_wait)
		xtcp_arm_mode(sk, XTCP_TIMER_REO,
			      reo_wait + jiffies_to_usecs(1));
}

/*
 * The states that send data or a FIN, and so may lose a flight's tail:
 * as Linux 6.1's tcp_schedule_loss_probe(), which asks no state.  A
 * program that writes and then shuts down or closes sends much of its
 * data in FIN_WAIT1 or LAST_ACK; the probe resends the FIN too when it
 * is the last segment sent.
 */
#define XTCP_TLP_STATES	(TCPF_ESTABLISHED | TCPF_CLOSE_WAIT |	\
			 TCPF_FIN_WAIT1 | TCPF_CLOSING | TCPF_LAST_ACK)

/**
 * xtcp_tlp_schedule() - arm a tail loss probe instead of the RTO
 * @sk: the socket, locked, that just sent new data or had an ACK
 *
 * With data in flight, SACK, no loss episode and no probe already out
 * (RFC 8985 7.2; Linux's tcp_schedule_loss_probe()), the probe is due in
 * xtcp_tlp_timeout(), never after the timeout it would forestall.  A
 * reordering timer pending is left alone: it comes first.
 */
void xtcp_tlp_schedule(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 rto_us = xtcp_rto_us(xs);
	long left;

	xtcp_assert_sock_locked(sk);
	if (!xs->sack_ok || !xs->packets_out || xs->tlp_out ||
	    xs->ca_state != XTCP_CA_OPEN ||
	    !((1 << sk->sk_state) & XTCP_TLP_STATES))
		return;
	if (timer_pending(&xs->rtx_timer)) {
		if (xs->rtx_mode == XTCP_TIMER_REO)
			return;
		if (xs->rtx_mode == XTCP_TIMER_RTO) {
			left = (long)(xs->rtx_timer.expires - jiffies);
			rto_us = left > 0 ? jiffies_to_usecs(left) : 1;
		}
	}
	xtcp_arm_mode(sk, XTCP_TIMER_TLP,
		      xtcp_tlp_timeout(xs->rtt.has_sample ? xs->rtt.srtt_us : 0,
				       xs->packets_out, rto_us));
}

/* The last segment sent, cut off its skb; NULL if none. */
static struct sk_buff *xtcp_last_sent(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 seg = xtcp_seg_size(xs);
	struct sk_buff *skb;

	if (xs->send_head) {
		if (xs->send_head == skb_peek(&sk->sk_write_queue))
			return NULL;
		skb = skb_queue_prev(&sk->sk_write_queue, xs->send_head);
	} else {
		skb = skb_peek_tail(&sk->sk_write_queue);
	}
	if (!skb)
		return NULL;
	if (skb->len > seg &&
	    !xtcp_fragment(sk, skb, rounddown(skb->len - 1, seg)))
		skb = skb->next;
	return skb;
}

/**
 * xtcp_tlp_timeout_fired() - the probe timeout expired (RFC 8985 7.3)
 * @sk: the socket, locked, with data in flight
 *
 * New data goes if the peer's window takes it, else the last segment
 * sent goes again; either way its ACK shows RACK what the tail of the
 * flight became.  One probe a flight; the retransmission timeout is
 * armed behind it.
 */
void xtcp_tlp_timeout_fired(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb;
	bool sent = false;

	xtcp_assert_sock_locked(sk);
	if (xs->ca_state == XTCP_CA_OPEN && !xs->tlp_out &&
	    xs->packets_out && xs->sack_ok &&
	    ((1 << sk->sk_state) & XTCP_TLP_STATES)) {
		if (xtcp_send_new_probe(sk)) {
			xs->tlp_retrans = false;
			sent = true;
		} else {
			skb = xtcp_last_sent(sk);
			if (skb && !xtcp_retransmit_skb(sk, skb)) {
				xs->tlp_retrans = true;
				sent = true;
			}
		}
	}
	if (sent) {
		xs->tlp_out = true;
		xs->tlp_dsack = false;
		xs->tlp_high_seq = xs->snd_nxt;
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_TLPPROBES);
	}
	xtcp_rearm_rto(sk);
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
 * section 8: SACK marks are forgotten; every segment in flight is lost
 * (RFC 8985 6.3, as Linux's tcp_enter_loss()), and goes again as slow
 * start lets it.
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
	xs->tlp_out = false;
	xtcp_sack_clear(sk);
	xtcp_mark_all_lost(sk);
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
 * segment the peer does not hold is lost and leaves again, cut to the
 * new size, as far as cwnd allows; ACKs send the rest as in any loss
 * episode.  The segments stay where they are in the write queue, before
 * send_head, so that new data is never added to one a clone of may be
 * in flight.
 */
void xtcp_cong_mtu_lost(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xtcp_assert_sock_locked(sk);
	if (xs->snd_una == xs->snd_nxt)
		return;
	/* No cut to give back: these resends are no sign of anything. */
	xtcp_undo_forget(&xs->undo);
	xs->ca_state = XTCP_CA_LOSS;
	xs->recover = xs->snd_nxt;
	xs->dupacks = 0;
	xs->tlp_out = false;
	xtcp_new_loss_epoch(xs);
	xtcp_mark_all_lost(sk);
	xtcp_resend_lost(sk);
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
