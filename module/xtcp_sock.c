// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp socket operations: the struct proto and struct proto_ops that the
 * socket layer calls in process context.
 *
 * Where a generic inet helper is protocol-neutral (inet_bind(),
 * inet_getname(), inet_release(), inet_shutdown(), ...) it is used as is;
 * listen() and poll() are xtcp's own because the inet versions assume
 * TCP.  Calls that need a connection (connect, accept, data transfer)
 * answer with the errno Linux TCP gives a socket that has none.
 *
 * Every state change of a socket, from any context, goes through
 * xtcp_transition() here, which takes the next state from xtcp_fsm.h;
 * xtcp_done() ends a connection and destroys an orphan.
 */
#include <linux/errno.h>
#include <linux/poll.h>
#include <net/inet_common.h>
#include <net/ip.h>
#include <net/sock.h>
#include <net/tcp_states.h>
#include <net/xfrm.h>

#include "xtcp.h"
#include "xtcp_fsm.h"
#include "xtcp_trace.h"

/*
 * Move @sk to @state, a TCP_* state number; only xtcp_transition()
 * decides which.  Entering TCP_CLOSE makes the socket unreachable by
 * lookups and gives back its port unless the user bound it explicitly,
 * as TCP does.  That takes table locks: never enter TCP_CLOSE with a
 * bucket lock held.
 */
static void xtcp_set_state(struct sock *sk, int state)
{
	const struct inet_sock *inet = inet_sk(sk);
	struct in6_addr laddr, raddr;

	xtcp_assert_sock_locked(sk);
	/* A socket leaving TIME_WAIT hands the connection to its compact
	 * entry, whose end after 2*MSL is traced instead.
	 */
	if (trace_xtcp_state_change_enabled() &&
	    !(sk->sk_state == TCP_TIME_WAIT && state == TCP_CLOSE)) {
		xtcp_sk_addrs(sk, &laddr, &raddr);
		trace_xtcp_state_change(sk, &laddr, inet->inet_sport, &raddr,
					inet->inet_dport, sk->sk_state, state);
	}
	if (state == TCP_CLOSE) {
		xtcp_unhash(sk);
		if (!(sk->sk_userlocks & SOCK_BINDPORT_LOCK))
			xtcp_put_port(sk);
	}
	/* Pairs with inet_sk_state_load() in lockless readers. */
	smp_store_release(&sk->sk_state, state);
	if (state == TCP_ESTABLISHED) {
		/* The handshake's last segment was just received. */
		xtcp_sk(sk)->rcv_tstamp = jiffies;
		xtcp_keepalive_restart(sk);
	}
}

/**
 * xtcp_transition() - feed @ev to the state machine of @sk
 * @sk: socket, locked (rule 1 in xtcp.h)
 * @ev: what happened
 *
 * The one way a socket changes state: the next state is the table's
 * (xtcp_fsm_next()), and what the transition sends or starts stays with
 * the caller.  Callers feed an event only where it moves the connection,
 * or where one that ends it finds it already in TCP_CLOSE (RFC 9293
 * leaves CLOSED as it is but for an open): any other event that moves
 * nothing means the module and the table disagree, which debug builds
 * (CONFIG_DEBUG_NET) warn about.
 *
 * Return: true when the transition sends our FIN.
 */
bool xtcp_transition(struct sock *sk, enum xtcp_event ev)
{
	bool send_fin;
	int next;

	xtcp_assert_sock_locked(sk);
	next = xtcp_fsm_next(sk->sk_state, ev, &send_fin);
	DEBUG_NET_WARN_ON_ONCE(next == sk->sk_state &&
			       (next != TCP_CLOSE || ev == XTCP_EV_CONNECT ||
				ev == XTCP_EV_LISTEN));
	xtcp_set_state(sk, next);
	return send_fin;
}

/* Forget what was never sent or never acknowledged. */
static void xtcp_write_queue_purge(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(&sk->sk_write_queue)))
		xtcp_wmem_free_skb(sk, skb);
	xs->send_head = NULL;
	xs->packets_out = 0;
	xs->sacked_out = 0;
	xs->lost_out = 0;
	xs->retrans_out = 0;
	xs->max_packets_out = 0;
	xs->cwnd_limited = false;
}

/**
 * xtcp_done() - the connection of @sk is over
 * @sk: socket, locked
 * @ev: the event that ends it, one the table leads to TCP_CLOSE from
 *	the state @sk is in
 *
 * Moves to TCP_CLOSE, stops the timers and drops the write queue: a
 * connection that was reset, timed out or aborted has nobody to send
 * it to, and TCP_NODELAY or uncorking must not find it there.  A socket
 * the user still holds is woken up to see it; an orphan is destroyed.
 */
void xtcp_done(struct sock *sk, enum xtcp_event ev)
{
	xtcp_assert_sock_locked(sk);
	xtcp_transition(sk, ev);
	/*
	 * Should the table not close on @ev here (xtcp_transition() warned
	 * in debug builds), the connection ends all the same: what follows
	 * assumes it, and ABORT closes from every state.
	 */
	if (sk->sk_state != TCP_CLOSE)
		xtcp_transition(sk, XTCP_EV_ABORT);
	xtcp_stop_timers(sk);
	xtcp_write_queue_purge(sk);
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	if (!sock_flag(sk, SOCK_DEAD))
		sk->sk_state_change(sk);
	else
		xtcp_destroy_orphan(sk);
}

/**
 * xtcp_abort() - end a socket from outside, as SOCK_DESTROY asks
 * @sk: the socket, referenced by the caller
 * @err: what its owner's calls fail with (ECONNABORTED from sock_diag)
 *
 * As tcp_abort(): a listener stops listening; a connection sends a RST
 * where tcp_need_reset() would and closes at once; an owner blocked in
 * a call wakes with @err.  An orphan, already closing, is left alone.
 * Process context (the proto's diag_destroy).
 *
 * Return: 0.
 */
static int xtcp_abort(struct sock *sk, int err)
{
	lock_sock(sk);
	if (sk->sk_state == TCP_LISTEN) {
		xtcp_transition(sk, XTCP_EV_CLOSE);
		xtcp_listen_stop(sk);
	}
	/* Softirq may be running the socket: lock it as close() does. */
	local_bh_disable();
	bh_lock_sock(sk);
	if (!sock_flag(sk, SOCK_DEAD)) {
		WRITE_ONCE(sk->sk_err, err);
		sk_error_report(sk);
		if ((1 << sk->sk_state) &
		    (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT | TCPF_FIN_WAIT1 |
		     TCPF_FIN_WAIT2 | TCPF_SYN_RECV))
			xtcp_send_active_reset(sk, GFP_ATOMIC);
		if (sk->sk_state != TCP_CLOSE)
			xtcp_done(sk, XTCP_EV_ABORT);
	}
	bh_unlock_sock(sk);
	local_bh_enable();
	release_sock(sk);
	return 0;
}

static void xtcp_purge_queues(struct sock *sk)
{
	xtcp_write_queue_purge(sk);
	__skb_queue_purge(&sk->sk_receive_queue);
	__skb_queue_purge(&xtcp_sk(sk)->ooo_queue);
	xtcp_sk(sk)->ooo_fin = false;
	xtcp_sack_init(&xtcp_sk(sk)->sack);
}

/* Closed sockets still sending, of every namespace (tcp_orphan_count). */
static atomic_t xtcp_orphan_count = ATOMIC_INIT(0);

/**
 * xtcp_orphan() - the user let go of @sk; the protocol finishes with it
 * @sk: socket, locked
 *
 * Counted until xtcp_destroy_orphan(), against max_orphans.
 */
void xtcp_orphan(struct sock *sk)
{
	sock_orphan(sk);
	atomic_inc(&xtcp_orphan_count);
}

/**
 * xtcp_orphans() - how many orphans there are, in every namespace
 *
 * Return: the count (/proc/net/xtcp_sockstat).
 */
int xtcp_orphans(void)
{
	return atomic_read(&xtcp_orphan_count);
}

/**
 * xtcp_too_many_orphans() - are there more orphans than @sk's namespace
 *	allows?
 * @sk: an orphan
 *
 * Return: true if so: the caller resets @sk (Linux's
 * tcp_out_of_resources()).
 */
bool xtcp_too_many_orphans(const struct sock *sk)
{
	int max = READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_max_orphans);

	return atomic_read(&xtcp_orphan_count) > max;
}

/**
 * xtcp_destroy_orphan() - free a closed socket nobody holds any more
 * @sk: orphaned socket in TCP_CLOSE, locked
 *
 * Drops the reference the socket held on itself since its creation;
 * lookups, timers and in-flight skbs may still hold theirs.
 */
void xtcp_destroy_orphan(struct sock *sk)
{
	xtcp_assert_sock_locked(sk);
	WARN_ON_ONCE(sk->sk_state != TCP_CLOSE || !sock_flag(sk, SOCK_DEAD));
	atomic_dec(&xtcp_orphan_count);
	sk->sk_prot->destroy(sk);
	sk_stream_kill_queues(sk);
	xfrm_sk_free_policy(sk);
	sock_put(sk);
}

static int xtcp_init_sock(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xtcp_init_timers(sk);
	spin_lock_init(&xs->req_lock);
	INIT_LIST_HEAD(&xs->requests);
	INIT_LIST_HEAD(&xs->accept_queue);
	INIT_LIST_HEAD(&xs->accept_node);
	skb_queue_head_init(&xs->ooo_queue);
	xtcp_sack_init(&xs->sack);
	xtcp_cong_init(sk);
	xs->mss = XTCP_MSS_DEFAULT;
	xs->keepidle = XTCP_KEEPIDLE_DEFAULT;
	xs->keepintvl = XTCP_KEEPINTVL_DEFAULT;
	xs->keepcnt = XTCP_KEEPCNT_DEFAULT;
	sk->sk_write_space = xtcp_write_space;
	WRITE_ONCE(sk->sk_sndbuf, READ_ONCE(sysctl_xtcp_wmem[1]));
	WRITE_ONCE(sk->sk_rcvbuf, READ_ONCE(sysctl_xtcp_rmem[1]));
	/* Runs of segments go as frag-list GSO skbs (xtcp_offload.c). */
	sk->sk_gso_type = SKB_GSO_FRAGLIST;
	sock_prot_inuse_add(sock_net(sk), sk->sk_prot, 1);
	sk_sockets_allocated_inc(sk);
	/* Last, so that the destructor finds a complete socket. */
	if (!READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_enabled))
		return -EPROTONOSUPPORT;
	return 0;
}

/* Called once, when the socket is destroyed. */
static void xtcp_destroy_sock(struct sock *sk)
{
	xtcp_stop_timers(sk);
	xtcp_purge_queues(sk);
	xtcp_cong_release(sk);
	xtcp_listen_free(sk);
	xtcp_unhash(sk);
	xtcp_put_port(sk);
	sock_prot_inuse_add(sock_net(sk), sk->sk_prot, -1);
	sk_sockets_allocated_dec(sk);
}

/*
 * Move to the state close() or shutdown(SHUT_WR) leads to (RFC 9293
 * 3.10.4).  Returns true when a FIN must be sent.
 */
static bool xtcp_close_state(struct sock *sk)
{
	bool send_fin;
	int next;

	next = xtcp_fsm_next(sk->sk_state, XTCP_EV_CLOSE, &send_fin);
	if (next == sk->sk_state)
		return false;
	if (next == TCP_CLOSE) {
		xtcp_done(sk, XTCP_EV_CLOSE);
		return send_fin;
	}
	return xtcp_transition(sk, XTCP_EV_CLOSE);
}

static void xtcp_shutdown(struct sock *sk, int how)
{
	if (!(how & SEND_SHUTDOWN))
		return;
	if ((1 << sk->sk_state) &
	    (TCPF_ESTABLISHED | TCPF_SYN_RECV | TCPF_CLOSE_WAIT) &&
	    xtcp_close_state(sk))
		xtcp_send_fin(sk);
}

/* Discard unread data; returns how many bytes there were. */
static u32 xtcp_discard_unread(struct sock *sk)
{
	u32 unread = 0;

	if (!((1 << sk->sk_state) & (TCPF_LISTEN | TCPF_CLOSE | TCPF_SYN_SENT)))
		unread = xtcp_inq(sk);
	__skb_queue_purge(&sk->sk_receive_queue);
	return unread;
}

static void xtcp_close(struct sock *sk, long timeout)
{
	int state;

	lock_sock(sk);
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	if (sk->sk_state == TCP_LISTEN) {
		xtcp_transition(sk, XTCP_EV_CLOSE);
		xtcp_listen_stop(sk);
	} else if (xtcp_discard_unread(sk) ||
		   (sock_flag(sk, SOCK_LINGER) && !sk->sk_lingertime)) {
		/* RFC 2525 2.17: unread data or SO_LINGER {1, 0}: abort. */
		if (sk->sk_state != TCP_CLOSE) {
			xtcp_send_active_reset(sk, sk->sk_allocation);
			xtcp_transition(sk, XTCP_EV_ABORT);
		}
	} else if (xtcp_close_state(sk)) {
		xtcp_send_fin(sk);
	}
	sk_stream_wait_close(sk, timeout);

	state = sk->sk_state;
	sock_hold(sk);
	xtcp_orphan(sk);
	/* What softirq queued while we owned the socket meets an orphan. */
	sk_flush_backlog(sk);

	/*
	 * From here the socket belongs to the protocol, and softirq may be
	 * processing it: take its lock as softirq does, still owning it
	 * (as __tcp_close()).  Released first, another task's lock_sock()
	 * (SOCK_DESTROY's xtcp_abort(), say) could own it while this one
	 * destroys it, and its release_sock() run the backlog and deferred
	 * timer work of a destroyed socket.
	 */
	local_bh_disable();
	bh_lock_sock(sk);
	if (state == TCP_CLOSE) {
		xtcp_stop_timers(sk);
		xtcp_destroy_orphan(sk);
	} else if (sk->sk_state == TCP_FIN_WAIT2 && state == TCP_FIN_WAIT2) {
		xtcp_arm_fin_timeout(sk);
	}
	/* Otherwise, if the socket reached TCP_CLOSE meanwhile (backlog,
	 * timer, softirq), xtcp_done() has already destroyed it.  Segments
	 * and timers that meet it from now on find TCP_CLOSE and stop
	 * there, in softirq or in the release_sock() below.
	 */
	bh_unlock_sock(sk);
	local_bh_enable();
	release_sock(sk);
	sock_put(sk);
}

/* Called by inet_shutdown() and connect(AF_UNSPEC), socket lock held. */
static int xtcp_disconnect(struct sock *sk, int flags)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	int old_state = sk->sk_state;

	xtcp_assert_sock_owned(sk);
	/* An ABORT (RFC 9293 3.10.5), whose reset follows. */
	if (old_state != TCP_CLOSE)
		xtcp_transition(sk, XTCP_EV_ABORT);
	if (old_state == TCP_LISTEN)
		xtcp_listen_stop(sk);
	else if ((1 << old_state) & ~(TCPF_CLOSE | TCPF_SYN_SENT))
		xtcp_send_active_reset(sk, GFP_KERNEL);
	xtcp_stop_timers(sk);
	xtcp_purge_queues(sk);
	inet_sk(sk)->inet_dport = 0;
	sk->sk_daddr = 0;
	WRITE_ONCE(sk->sk_shutdown, 0);
	sock_reset_flag(sk, SOCK_DONE);
	WRITE_ONCE(sk->sk_err, 0);
	xs->rcv_mss = 0;
	xtcp_rtt_reset(xs);
	sk->sk_state_change(sk);
	return 0;
}

static int xtcp_listen_start(struct sock *sk)
{
	struct inet_sock *inet = inet_sk(sk);
	int err;

	xtcp_assert_sock_owned(sk);
	if (!inet->inet_num) {
		err = xtcp_get_port(sk, 0);
		if (err)
			return err;
	}
	err = xtcp_listen_alloc(sk, READ_ONCE(sk->sk_max_ack_backlog));
	if (err)
		return err;
	err = xtcp_bind_listen(sk);
	if (err)
		return err;
	inet->inet_sport = htons(inet->inet_num);
	sk_dst_reset(sk);
	return xtcp_hash(sk);
}

/**
 * xtcp_listen() - listen(2) for xtcp sockets
 * @sock: the socket
 * @backlog: accept queue bound, already capped by net.core.somaxconn
 *
 * An unbound socket gets an ephemeral port, as with TCP.  Calling it
 * again on a listening socket only updates the backlog.
 *
 * Return: 0, -EINVAL for a socket that cannot listen, or -EADDRINUSE.
 */
int xtcp_listen(struct socket *sock, int backlog)
{
	struct sock *sk = sock->sk;
	int err = -EINVAL;

	lock_sock(sk);
	if (sock->state != SS_UNCONNECTED || sock->type != SOCK_STREAM)
		goto out;
	if (!((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN)))
		goto out;
	WRITE_ONCE(sk->sk_max_ack_backlog, backlog);
	err = 0;
	if (sk->sk_state != TCP_LISTEN)
		err = xtcp_listen_start(sk);
out:
	release_sock(sk);
	return err;
}

static bool xtcp_readable(const struct sock *sk)
{
	return xtcp_inq(sk) >= sock_rcvlowat(sk, 0, INT_MAX);
}

/**
 * xtcp_poll() - poll(2) readiness of an xtcp socket
 * @file: file of the socket
 * @sock: the socket
 * @wait: poll table
 *
 * Follows tcp_poll(): a listener is readable when a connection waits in
 * its queue; a connecting socket reports nothing until the handshake
 * ends; EPOLLRDHUP at the peer's FIN, EPOLLHUP when both directions are
 * shut, EPOLLERR on a pending error.
 *
 * Return: the ready events.
 */
__poll_t xtcp_poll(struct file *file, struct socket *sock, poll_table *wait)
{
	struct sock *sk = sock->sk;
	__poll_t mask = 0;
	u8 shutdown;
	int state;

	sock_poll_wait(file, sock, wait);
	state = inet_sk_state_load(sk);
	if (state == TCP_LISTEN)
		return list_empty_careful(&xtcp_sk(sk)->accept_queue) ? 0 :
		       EPOLLIN | EPOLLRDNORM;

	shutdown = READ_ONCE(sk->sk_shutdown);
	if (shutdown == SHUTDOWN_MASK || state == TCP_CLOSE)
		mask |= EPOLLHUP;
	if (shutdown & RCV_SHUTDOWN)
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP;
	if (!((1 << state) & (TCPF_SYN_SENT | TCPF_SYN_RECV))) {
		if (xtcp_readable(sk))
			mask |= EPOLLIN | EPOLLRDNORM;
		if (shutdown & SEND_SHUTDOWN || sk_stream_is_writeable(sk))
			mask |= EPOLLOUT | EPOLLWRNORM;
		else
			sk_set_bit(SOCKWQ_ASYNC_NOSPACE, sk);
	}
	/* Pairs with the error written before sk_error_report(). */
	smp_rmb();
	if (READ_ONCE(sk->sk_err) ||
	    !skb_queue_empty_lockless(&sk->sk_error_queue))
		mask |= EPOLLERR;
	return mask;
}

struct proto xtcp_prot = {
	.name		= "XTCP",
	.owner		= THIS_MODULE,
	.close		= xtcp_close,
	.connect	= xtcp_v4_connect,
	.disconnect	= xtcp_disconnect,
	.accept		= xtcp_accept,
	.init		= xtcp_init_sock,
	.destroy	= xtcp_destroy_sock,
	.shutdown	= xtcp_shutdown,
	.release_cb	= xtcp_release_cb,
	.keepalive	= xtcp_keepalive,
	.setsockopt	= xtcp_setsockopt,
	.getsockopt	= xtcp_getsockopt,
	.ioctl		= xtcp_ioctl,
	.sendmsg	= xtcp_sendmsg,
	.recvmsg	= xtcp_recvmsg,
	.backlog_rcv	= xtcp_do_rcv,
	.hash		= xtcp_hash,
	.unhash		= xtcp_unhash,
	.get_port	= xtcp_get_port,
	.diag_destroy	= xtcp_abort,
	.put_port	= xtcp_put_port,
	.enter_memory_pressure = xtcp_enter_memory_pressure,
	.memory_pressure = &xtcp_memory_pressure,
	.memory_allocated = &xtcp_memory_allocated,
	.per_cpu_fw_alloc = &xtcp_memory_per_cpu_fw_alloc,
	.sockets_allocated = &xtcp_sockets_allocated,
	.sysctl_mem	= sysctl_xtcp_mem,
	.sysctl_wmem	= sysctl_xtcp_wmem,
	.sysctl_rmem	= sysctl_xtcp_rmem,
	.obj_size	= sizeof(struct xtcp_sock),
	.slab_flags	= SLAB_TYPESAFE_BY_RCU,
};

const struct proto_ops xtcp_stream_ops = {
	.family		= PF_INET,
	.owner		= THIS_MODULE,
	.release	= inet_release,
	.bind		= inet_bind,
	.connect	= inet_stream_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= inet_accept,
	.getname	= inet_getname,
	.poll		= xtcp_poll,
	.ioctl		= inet_ioctl,
	.gettstamp	= sock_gettstamp,
	.listen		= xtcp_listen,
	.shutdown	= inet_shutdown,
	.setsockopt	= sock_common_setsockopt,
	.getsockopt	= sock_common_getsockopt,
	.sendmsg	= inet_sendmsg,
	.recvmsg	= inet_recvmsg,
	.mmap		= sock_no_mmap,
	.sendpage	= sock_no_sendpage,
};
