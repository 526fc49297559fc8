// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp socket timers.
 *
 * One timer per socket retransmits the oldest unacknowledged segment
 * (SYN, data or FIN) with exponential backoff, probes a closed window
 * when nothing is in flight, and ends an orphaned FIN_WAIT2.  It runs in
 * softirq context: when the user owns the socket, the work is deferred
 * to release_sock() through xtcp_release_cb(), as TCP does.  An armed
 * timer holds a reference on its socket (sk_reset_timer()).
 */
#include <net/sock.h>
#include <net/tcp_states.h>

#include "xtcp.h"

static void xtcp_give_up(struct sock *sk)
{
	WRITE_ONCE(sk->sk_err, ETIMEDOUT);
	if (sk->sk_state == TCP_SYN_SENT)
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ATTEMPTFAILS);
	if (!sock_flag(sk, SOCK_DEAD))
		sk_error_report(sk);
	xtcp_done(sk);
}

/* Socket locked and not owned by the user. */
static void xtcp_rtx_timer_handler(struct sock *sk)
{
	struct xtcp_net *xn = xtcp_pernet(sock_net(sk));
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb;
	int limit;

	if ((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN))
		return;
	if (sk->sk_state == TCP_FIN_WAIT2) {
		/* Orphaned and the peer never sent its FIN. */
		if (sock_flag(sk, SOCK_DEAD)) {
			xtcp_send_active_reset(sk, GFP_ATOMIC);
			xtcp_done(sk);
		}
		return;
	}
	skb = skb_peek(&sk->sk_write_queue);
	if (!skb)
		return;
	if (skb == xs->send_head) {
		/* Nothing in flight: the window is closed.  Probe it. */
		xtcp_probe(sk);
		xtcp_reset_rtx_timer(sk, xs->rto);
		return;
	}
	limit = sk->sk_state == TCP_SYN_SENT ?
		READ_ONCE(xn->sysctl_syn_retries) : XTCP_RETRIES2;
	if (xs->retransmits >= limit) {
		xtcp_give_up(sk);
		return;
	}
	xtcp_transmit_skb(sk, skb);
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_RETRANSSEGS);
	xs->retransmits++;
	xs->rto = min_t(unsigned long, xs->rto << 1, XTCP_RTO_MAX);
	xtcp_reset_rtx_timer(sk, xs->rto);
}

static void xtcp_rtx_timer(struct timer_list *t)
{
	struct xtcp_sock *xs = from_timer(xs, t, rtx_timer);
	struct sock *sk = &xs->inet.sk;

	bh_lock_sock(sk);
	if (!sock_owned_by_user(sk))
		xtcp_rtx_timer_handler(sk);
	else if (!test_and_set_bit(XTCP_RTX_TIMER_DEFERRED, &xs->deferred))
		sock_hold(sk);
	bh_unlock_sock(sk);
	sock_put(sk);
}

/**
 * xtcp_release_cb() - run timer work deferred while the user owned @sk
 * @sk: socket, being released by release_sock()
 */
void xtcp_release_cb(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (test_and_clear_bit(XTCP_RTX_TIMER_DEFERRED, &xs->deferred)) {
		xtcp_rtx_timer_handler(sk);
		__sock_put(sk);
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
	xs->rto = XTCP_TIMEOUT_INIT;
}

/**
 * xtcp_reset_rtx_timer() - (re)arm the retransmission timer
 * @sk: socket, locked
 * @when: delay in jiffies
 */
void xtcp_reset_rtx_timer(struct sock *sk, unsigned long when)
{
	sk_reset_timer(sk, &xtcp_sk(sk)->rtx_timer, jiffies + when);
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

	xtcp_reset_rtx_timer(sk, msecs_to_jiffies(ms));
}

/**
 * xtcp_stop_timers() - stop the timers of a socket that is closing
 * @sk: socket, locked
 *
 * A handler already running on another CPU finds the socket closed.
 */
void xtcp_stop_timers(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	sk_stop_timer(sk, &xs->rtx_timer);
	if (test_and_clear_bit(XTCP_RTX_TIMER_DEFERRED, &xs->deferred))
		__sock_put(sk);
}
