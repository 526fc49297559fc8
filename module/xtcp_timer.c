// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp socket timers.
 *
 * The retransmission timer retransmits the oldest unacknowledged segment
 * (SYN, data or FIN) with exponential backoff, probes a closed window
 * (or flushes a corked partial segment, as Linux's probe timer does)
 * when nothing is in flight, and ends an orphaned FIN_WAIT2.  The
 * keepalive timer probes an idle connection with SO_KEEPALIVE set; the
 * delayed-ACK timer sends an ACK that waited for a second segment.  Their
 * context, the deferral of their work to release_sock() when the user
 * owns the socket, and their references are rule 1 in xtcp.h.
 *
 * The timeout follows RFC 6298 (xtcp_rto.h): samples come from ACKs of
 * segments sent once (Karn; taken in xtcp_ack.c), the RTO is bounded by
 * 200 ms and 120 s as in Linux, each expiry doubles it and the doubling
 * stays until the next valid sample.  A connection gives up after sysctl retries2 (SYN:
 * syn_retries) retransmissions or, when TCP_USER_TIMEOUT is set, once
 * its oldest segment has waited that long, as in Linux where the user
 * timeout replaces the retry count.
 *
 * Zero-window probes (persist timer, RFC 9293 3.8.6.1) follow Linux's
 * tcp_probe_timer(): a segment below snd_una, which the peer answers
 * with an ACK carrying its window, at backed-off RTO intervals capped at
 * %XTCP_RTO_MAX.  Every ACK resets the count of unanswered probes, so a
 * connection whose peer answers is never given up (RFC 1122 4.2.2.17);
 * retries2 unanswered probes, or TCP_USER_TIMEOUT since the first probe,
 * end it.  Keepalive follows tcp_keepalive_timer(): after TCP_KEEPIDLE
 * seconds without an ACK and with nothing queued, a probe every
 * TCP_KEEPINTVL; TCP_KEEPCNT unanswered probes (or TCP_USER_TIMEOUT of
 * idleness, once a probe went unanswered) reset the connection with
 * ETIMEDOUT.
 */
#include <linux/ktime.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "xtcp.h"
#include "xtcp_trace.h"

/**
 * xtcp_clock_us() - the clock RTT samples are taken with
 *
 * Return: monotonic time in microseconds, wrapping at 2^32 (differences
 * below 71 minutes are exact).
 */
u32 xtcp_clock_us(void)
{
	return div_u64(ktime_get_ns(), NSEC_PER_USEC);
}

/**
 * xtcp_ts_clock() - the clock of the timestamps we send (RFC 7323)
 * @offset: the connection's offset (xtcp_sock.ts_offset)
 *
 * Return: milliseconds, as Linux's, plus @offset, wrapping at 2^32.
 */
u32 xtcp_ts_clock(u32 offset)
{
	return (u32)div_u64(ktime_get_ns(), NSEC_PER_MSEC) + offset;
}

/**
 * xtcp_rtt_reset() - forget the measurements of a (new) connection
 * @xs: the socket
 */
void xtcp_rtt_reset(struct xtcp_sock *xs)
{
	xtcp_rtt_init(&xs->rtt, XTCP_RTO_INIT_US);
	xs->backoff = 0;
	xs->retransmits = 0;
	xs->total_retrans = 0;
	xs->probes_out = 0;
	xs->probes_tstamp = 0;
	xs->rcv_tstamp = jiffies;
	xs->lsndtime = jiffies;
	xs->lrcvtime = jiffies;
	xs->una_tstamp = jiffies;
}

/**
 * xtcp_rto_us() - the retransmission timeout now, backoff included
 * @xs: the socket
 *
 * Return: the timeout in microseconds.
 */
u32 xtcp_rto_us(const struct xtcp_sock *xs)
{
	return xtcp_rto_backoff(xs->rtt.rto_us, xs->backoff, XTCP_RTO_MAX_US);
}

/**
 * xtcp_rto() - the retransmission timeout now, in jiffies
 * @xs: the socket
 *
 * Return: xtcp_rto_us() rounded up to whole jiffies.
 */
unsigned long xtcp_rto(const struct xtcp_sock *xs)
{
	return usecs_to_jiffies(xtcp_rto_us(xs));
}

static void xtcp_give_up(struct sock *sk)
{
	/* An ICMP error seen on the way says better why (as TCP does). */
	WRITE_ONCE(sk->sk_err, READ_ONCE(sk->sk_err_soft) ? : ETIMEDOUT);
	if ((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV))
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ATTEMPTFAILS);
	else
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ABORTONTIMEOUT);
	if (!sock_flag(sk, SOCK_DEAD))
		sk_error_report(sk);
	xtcp_done(sk, XTCP_EV_TIMEOUT);
}

/*
 * Retransmissions before giving up: retries2, or for an orphan, which
 * nobody waits for, orphan_retries (0 for 8, as Linux).
 */
static int xtcp_retries2(const struct sock *sk)
{
	struct xtcp_net *xn = xtcp_pernet(sock_net(sk));
	int retries;

	if (!sock_flag(sk, SOCK_DEAD))
		return READ_ONCE(xn->sysctl_retries2);
	retries = READ_ONCE(xn->sysctl_orphan_retries);
	return retries ? : XTCP_ORPHAN_RETRIES_ALIVE;
}

/*
 * An orphan over max_orphans is reset and destroyed (Linux's
 * tcp_out_of_resources()): a flood of connections closed towards peers
 * that vanished must not hold memory for minutes each.
 */
static bool xtcp_orphan_dropped(struct sock *sk)
{
	if (!sock_flag(sk, SOCK_DEAD) || !xtcp_too_many_orphans(sk))
		return false;
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ABORTONMEMORY);
	xtcp_send_active_reset(sk, GFP_ATOMIC);
	xtcp_done(sk, XTCP_EV_ABORT);
	return true;
}

/* Has the connection retried long enough to give up? */
static bool xtcp_timed_out(struct sock *sk)
{
	struct xtcp_net *xn = xtcp_pernet(sock_net(sk));
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 user_timeout = READ_ONCE(xs->user_timeout);
	int limit;

	if (user_timeout)
		return xs->retransmits &&
		       time_after_eq(jiffies, xs->retrans_stamp +
					      msecs_to_jiffies(user_timeout));
	/* A simultaneous open (SYN_RECV) is still an open: syn_retries. */
	limit = (1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV) ?
		READ_ONCE(xn->sysctl_syn_retries) : xtcp_retries2(sk);
	return xs->retransmits >= limit;
}

/*
 * The delay until the next expiry: the backed-off RTO, cut short so that
 * a user timeout ends the connection on time (as Linux's
 * tcp_clamp_rto_to_user_timeout()).
 */
static unsigned long xtcp_rtx_delay(const struct xtcp_sock *xs)
{
	u32 user_timeout = READ_ONCE(xs->user_timeout);
	unsigned long rto = xtcp_rto(xs);
	long left;

	if (!user_timeout)
		return rto;
	left = xs->retrans_stamp + msecs_to_jiffies(user_timeout) - jiffies;
	return left <= 0 ? 1 : min_t(unsigned long, rto, left);
}

/* Send the oldest segment again and back off. */
static void xtcp_retransmit(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_TIMEOUTS);
	/* The last timeout got no ACK of new data either: a stall? */
	if (xs->retransmits)
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_REPEATTIMEOUTS);
	trace_xtcp_retransmit_timeout(sk);
	if (sk->sk_state != TCP_SYN_SENT)
		xtcp_cong_on_rto(sk);
	/* The run starts when its segment was first sent. */
	if (!xs->retransmits)
		xs->retrans_stamp = jiffies -
			usecs_to_jiffies(xtcp_clock_us() -
					 XTCP_SKB_CB(skb)->sent_us);
	if (xs->retransmits < U8_MAX)
		xs->retransmits++;
	if (xtcp_retransmit_skb(sk, skb)) {
		/*
		 * It did not leave (no memory): the network said nothing,
		 * so no backoff; try again soon, as Linux's
		 * TCP_RESOURCE_PROBE_INTERVAL.  retransmits still bounds
		 * the attempts.
		 */
		xtcp_reset_rtx_timer(sk, min_t(unsigned long,
					       xtcp_rtx_delay(xs),
					       XTCP_RESOURCE_PROBE));
		return;
	}
	if (xs->backoff < U8_MAX)
		xs->backoff++;
	xtcp_reset_rtx_timer(sk, xtcp_rtx_delay(xs));
}

/*
 * Should zero-window probing stop?  When the peer stopped answering
 * (retries2 probes in a row), when TCP_USER_TIMEOUT has passed since the
 * first probe, or for an orphan once the backoff reached its ceiling
 * (Linux's tcp_probe_timer(); for an orphan, xtcp_retries2() is
 * orphan_retries).
 */
static bool xtcp_probes_timed_out(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 user_timeout = READ_ONCE(xs->user_timeout);
	int max_probes = xtcp_retries2(sk);

	if (user_timeout && xs->probes_tstamp &&
	    time_after_eq(jiffies, xs->probes_tstamp +
				   msecs_to_jiffies(user_timeout)))
		return true;
	if (sock_flag(sk, SOCK_DEAD) && xs->backoff >= max_probes &&
	    xtcp_rto(xs) >= XTCP_RTO_MAX)
		return true;
	return xs->probes_out >= max_probes;
}

/* The probe delay: the backed-off RTO, cut to end a user timeout on time. */
static unsigned long xtcp_probe_delay(const struct xtcp_sock *xs)
{
	u32 user_timeout = READ_ONCE(xs->user_timeout);
	unsigned long when = xtcp_rto(xs);
	long left;

	if (!user_timeout || !xs->probes_tstamp)
		return when;
	left = xs->probes_tstamp + msecs_to_jiffies(user_timeout) - jiffies;
	return left <= 0 ? 1 : min_t(unsigned long, when, left);
}

/*
 * Nothing in flight, data waiting: a closed window to probe, or a
 * corked (or Nagle-held) partial segment to flush.
 */
static void xtcp_persist(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (xs->probes_tstamp && xtcp_probes_timed_out(sk)) {
		xtcp_give_up(sk);
		return;
	}
	if (xtcp_probe(sk)) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_WINPROBES);
	} else if (xs->send_head != skb_peek(&sk->sk_write_queue)) {
		/* Flushed: the retransmission timer runs from now on. */
		xtcp_reset_rtx_timer(sk, xtcp_rto(xs));
		return;
	}
	/*
	 * A probe, or a segment the window allowed that did not leave (no
	 * memory, or IP refused it: too large for the device the socket
	 * is bound to): both count until the peer answers, so that a
	 * connection whose every send fails ends as one whose peer went
	 * quiet, after retries2 (orphan_retries for an orphan).
	 */
	if (!xs->probes_tstamp)
		xs->probes_tstamp = jiffies ? : 1;
	if (xs->probes_out < U8_MAX)
		xs->probes_out++;
	if (xs->backoff < xtcp_retries2(sk))
		xs->backoff++;
	xtcp_reset_rtx_timer(sk, xtcp_probe_delay(xs));
}

/**
 * xtcp_persist_done() - the window opened: zero-window probing is over
 * @sk: socket, locked, about to send the segment the probes waited for
 *
 * As Linux's tcp_ack_probe(), the backoff the probes built up goes: it
 * would delay the retransmission of what is sent now.
 */
void xtcp_persist_done(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xtcp_assert_sock_locked(sk);
	if (likely(!xs->probes_tstamp))
		return;
	xs->probes_tstamp = 0;
	xs->backoff = 0;
	sk_stop_timer(sk, &xs->rtx_timer);
}

/* Deferred work: softirq with no owner, or the owner's release_sock(). */
static void xtcp_rtx_timer_handler(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb;
	u8 mode;

	xtcp_assert_sock_locked(sk);
	if ((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN))
		return;
	/*
	 * Armed again since it expired (the work was deferred to
	 * release_sock(), and an ACK from the backlog moved the deadline):
	 * the new expiry does the work, when due.
	 */
	if (timer_pending(&xs->rtx_timer))
		return;
	if (sk->sk_state == TCP_FIN_WAIT2) {
		/* Orphaned and the peer never sent its FIN. */
		if (sock_flag(sk, SOCK_DEAD)) {
			xtcp_send_active_reset(sk, GFP_ATOMIC);
			xtcp_done(sk, XTCP_EV_TIMEOUT);
		}
		return;
	}
	skb = skb_peek(&sk->sk_write_queue);
	if (!skb || xtcp_orphan_dropped(sk))
		return;
	if (skb == xs->send_head) {
		xtcp_persist(sk);
		return;
	}
	mode = xs->rtx_mode;
	xs->rtx_mode = XTCP_TIMER_RTO;
	if (mode == XTCP_TIMER_REO) {
		xtcp_rack_reo_timeout(sk);
		return;
	}
	if (mode == XTCP_TIMER_TLP) {
		xtcp_tlp_timeout_fired(sk);
		return;
	}
	if (xtcp_timed_out(sk)) {
		xtcp_give_up(sk);
		return;
	}
	xtcp_retransmit(sk, skb);
}

/* A timer of @sk expired: its work, now or after release_sock(). */
static void xtcp_timer_expired(struct sock *sk, unsigned int bit)
{
	lockdep_assert_in_softirq();	/* a timer: bh_lock_sock() suffices */
	bh_lock_sock(sk);
	xtcp_run_or_defer(sk, bit);
	bh_unlock_sock(sk);
	sock_put(sk);
}

static void xtcp_rtx_timer(struct timer_list *t)
{
	struct xtcp_sock *xs = from_timer(xs, t, rtx_timer);

	xtcp_timer_expired(&xs->inet.sk, XTCP_RTX_TIMER_DEFERRED);
}

static void xtcp_reset_keepalive_timer(struct sock *sk, unsigned long when)
{
	sk_reset_timer(sk, &xtcp_sk(sk)->keepalive_timer, jiffies + when);
}

static unsigned long xtcp_keepidle(const struct xtcp_sock *xs)
{
	return READ_ONCE(xs->keepidle) * HZ;
}

/* Idle long enough and unanswered: reset and report ETIMEDOUT. */
static bool xtcp_keepalive_expired(struct sock *sk, unsigned long idle)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 user_timeout = READ_ONCE(xs->user_timeout);

	if (user_timeout)
		return xs->probes_out &&
		       idle >= msecs_to_jiffies(user_timeout);
	return xs->probes_out >= READ_ONCE(xs->keepcnt);
}

/* Deferred work: softirq with no owner, or the owner's release_sock(). */
static void xtcp_keepalive_handler(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	unsigned long idle, when;

	xtcp_assert_sock_locked(sk);
	if (!sock_flag(sk, SOCK_KEEPOPEN) ||
	    ((1 << sk->sk_state) &
	     (TCPF_CLOSE | TCPF_LISTEN | TCPF_SYN_SENT)))
		return;
	when = xtcp_keepidle(xs);
	/* Data queued: the retransmission timer watches the peer. */
	if (!skb_queue_empty(&sk->sk_write_queue))
		goto resched;
	idle = jiffies - xs->rcv_tstamp;
	if (idle < when) {
		when -= idle;
		goto resched;
	}
	if (xtcp_keepalive_expired(sk, idle)) {
		xtcp_send_active_reset(sk, GFP_ATOMIC);
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_KEEPALIVETIMEOUTS);
		xtcp_give_up(sk);
		return;
	}
	xtcp_send_probe(sk);
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_KEEPALIVEPROBES);
	if (xs->probes_out < U8_MAX)
		xs->probes_out++;
	when = READ_ONCE(xs->keepintvl) * HZ;
resched:
	xtcp_reset_keepalive_timer(sk, when);
}

static void xtcp_keepalive_timer(struct timer_list *t)
{
	struct xtcp_sock *xs = from_timer(xs, t, keepalive_timer);

	xtcp_timer_expired(&xs->inet.sk, XTCP_KEEPALIVE_TIMER_DEFERRED);
}

/**
 * xtcp_ack_delayed() - acknowledge in-order data now or within 40 ms
 * @sk: socket, locked, that just took in-order data
 *
 * RFC 1122 4.2.3.2 and RFC 5681 4.2, as Linux: an ACK goes at once when
 * more than a full segment is unacknowledged (every second full
 * segment), else when the delayed-ACK timer expires.  Any segment we
 * send carries the ACK and cancels the timer (xtcp_output.c).
 */
void xtcp_ack_delayed(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xtcp_assert_sock_locked(sk);
	if (xs->rcv_nxt - xs->rcv_wup > xs->rcv_mss)
		xtcp_send_ack(sk);
	else if (!timer_pending(&xs->delack_timer))
		sk_reset_timer(sk, &xs->delack_timer,
			       jiffies + XTCP_DELACK_TIME);
}

/* Deferred work: softirq with no owner, or the owner's release_sock(). */
static void xtcp_delack_handler(struct sock *sk)
{
	xtcp_assert_sock_locked(sk);
	if ((1 << sk->sk_state) &
	    (TCPF_ESTABLISHED | TCPF_FIN_WAIT1 | TCPF_FIN_WAIT2))
		xtcp_send_ack(sk);
}

static void xtcp_delack_timer(struct timer_list *t)
{
	struct xtcp_sock *xs = from_timer(xs, t, delack_timer);

	xtcp_timer_expired(&xs->inet.sk, XTCP_DELACK_TIMER_DEFERRED);
}

/**
 * xtcp_keepalive() - SO_KEEPALIVE is being set or cleared
 * @sk: socket, locked
 * @on: the new value
 *
 * struct proto's keepalive, called by sock_setsockopt() and
 * sock_set_keepalive() before they change SOCK_KEEPOPEN: arms the timer
 * for TCP_KEEPIDLE from now, or stops it, as tcp_set_keepalive().
 */
void xtcp_keepalive(struct sock *sk, int on)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xtcp_assert_sock_locked(sk);
	if ((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN))
		return;
	if (on && !sock_flag(sk, SOCK_KEEPOPEN))
		xtcp_reset_keepalive_timer(sk, xtcp_keepidle(xs));
	else if (!on)
		sk_stop_timer(sk, &xs->keepalive_timer);
}

/**
 * xtcp_keepalive_restart() - TCP_KEEPIDLE changed, or the connection
 *	was just established
 * @sk: socket, locked
 *
 * With SO_KEEPALIVE set, the next probe is due TCP_KEEPIDLE after the
 * last ACK received (at once if that is past), as
 * tcp_sock_set_keepidle_locked().
 */
void xtcp_keepalive_restart(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	unsigned long idle = jiffies - xs->rcv_tstamp;
	unsigned long when = xtcp_keepidle(xs);

	xtcp_assert_sock_locked(sk);
	if (!sock_flag(sk, SOCK_KEEPOPEN) ||
	    ((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN | TCPF_SYN_SENT)))
		return;
	xtcp_reset_keepalive_timer(sk, when > idle ? when - idle : 0);
}

/* The work of each deferred bit: in softirq under bh_lock_sock() when
 * no user owns the socket, else by the owner in xtcp_release_cb() (rule
 * 1 in xtcp.h).  Each one asserts it with xtcp_assert_sock_locked().
 */
static void (*const xtcp_deferred_work[XTCP_DEFERRED_MAX])(struct sock *sk) = {
	[XTCP_RTX_TIMER_DEFERRED]	= xtcp_rtx_timer_handler,
	[XTCP_MTU_REDUCED_DEFERRED]	= xtcp_mtu_reduced,
	[XTCP_ICMP_ERR_DEFERRED]	= xtcp_icmp_deferred,
	[XTCP_KEEPALIVE_TIMER_DEFERRED]	= xtcp_keepalive_handler,
	[XTCP_DELACK_TIMER_DEFERRED]	= xtcp_delack_handler,
};

/**
 * xtcp_run_or_defer() - do the work of @bit on @sk now, or later
 * @sk: socket, locked by bh_lock_sock() in softirq
 * @bit: %XTCP_*_DEFERRED bit naming the work
 *
 * The work runs now unless the user owns @sk; then it is left, with a
 * reference on @sk, to xtcp_release_cb() (at most once per bit).
 */
void xtcp_run_or_defer(struct sock *sk, unsigned int bit)
{
	lockdep_assert_in_softirq();
	lockdep_assert_held(&sk->sk_lock.slock);
	if (!sock_owned_by_user(sk))
		xtcp_deferred_work[bit](sk);
	else if (!test_and_set_bit(bit, &xtcp_sk(sk)->deferred))
		sock_hold(sk);
}

/**
 * xtcp_release_cb() - run timer work deferred while the user owned @sk
 * @sk: socket, being released by release_sock()
 */
void xtcp_release_cb(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	unsigned int bit;

	xtcp_assert_sock_owned(sk);
	for (bit = 0; bit < XTCP_DEFERRED_MAX; bit++) {
		if (test_and_clear_bit(bit, &xs->deferred)) {
			xtcp_deferred_work[bit](sk);
			__sock_put(sk);
		}
	}
}

/**
 * xtcp_init_timers() - set up the timers of a new socket
 * @sk: the socket
 */
void xtcp_init_timers(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	timer_setup(&xs->rtx_timer, xtcp_rtx_timer, 0);
	timer_setup(&xs->keepalive_timer, xtcp_keepalive_timer, 0);
	timer_setup(&xs->delack_timer, xtcp_delack_timer, 0);
	xtcp_rtt_reset(xs);
}

/**
 * xtcp_reset_rtx_timer() - (re)arm the retransmission timer
 * @sk: socket, locked
 * @when: delay in jiffies
 *
 * For the retransmission timeout (also a window probe, a Nagle flush
 * or the FIN_WAIT2 timeout); the callers that arm it for RACK's
 * reordering timer or a tail loss probe set xtcp_sock.rtx_mode after.
 */
void xtcp_reset_rtx_timer(struct sock *sk, unsigned long when)
{
	xtcp_assert_sock_locked(sk);
	xtcp_sk(sk)->rtx_mode = XTCP_TIMER_RTO;
	sk_reset_timer(sk, &xtcp_sk(sk)->rtx_timer, jiffies + when);
}

/**
 * xtcp_rearm_rto() - the retransmission timeout, from now
 * @sk: socket, locked, with data in flight
 *
 * After a tail loss probe or RACK's reordering timer took its place: a
 * full RTO, but, with TCP_USER_TIMEOUT, no later than the user timeout
 * of the oldest segment, so that the connection still ends on time.
 */
void xtcp_rearm_rto(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 user_timeout = READ_ONCE(xs->user_timeout);
	struct sk_buff *skb = skb_peek(&sk->sk_write_queue);
	unsigned long when = xtcp_rto(xs);
	long left;

	if (user_timeout && skb && skb != xs->send_head) {
		left = msecs_to_jiffies(user_timeout) -
		       usecs_to_jiffies(xtcp_clock_us() -
					XTCP_SKB_CB(skb)->sent_us);
		when = left <= 0 ? 1 : min_t(unsigned long, when, left);
	}
	xtcp_reset_rtx_timer(sk, when);
}

/**
 * xtcp_arm_fin_timeout() - bound the life of an orphaned FIN_WAIT2
 * @sk: socket in FIN_WAIT2, orphaned, locked
 *
 * If the peer never sends its FIN, the timer resets the connection after
 * sysctl fin_timeout_ms.
 */
void xtcp_arm_fin_timeout(struct sock *sk)
{
	int ms = READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_fin_timeout_ms);

	xtcp_assert_sock_locked(sk);
	xtcp_reset_rtx_timer(sk, msecs_to_jiffies(ms));
}

/**
 * xtcp_stop_timers() - stop the timers of a socket that is closing
 * @sk: socket, locked; or unlocked and never seen by anyone when
 *	sk_common_release() destroys a socket whose init failed
 *
 * A handler already running on another CPU finds the socket closed.
 */
void xtcp_stop_timers(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	unsigned int bit;

	sk_stop_timer(sk, &xs->rtx_timer);
	sk_stop_timer(sk, &xs->keepalive_timer);
	sk_stop_timer(sk, &xs->delack_timer);
	for (bit = 0; bit < XTCP_DEFERRED_MAX; bit++)
		if (test_and_clear_bit(bit, &xs->deferred))
			__sock_put(sk);
}
