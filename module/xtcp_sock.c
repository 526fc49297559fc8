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
 */
#include <linux/errno.h>
#include <linux/poll.h>
#include <net/inet_common.h>
#include <net/ip.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "xtcp.h"

/**
 * xtcp_set_state() - move @sk to @state
 * @sk: socket, owned by the caller
 * @state: a TCP_* state number
 *
 * Entering TCP_CLOSE makes the socket unreachable by lookups and gives
 * back its port unless the user bound it explicitly, as TCP does.  That
 * takes table locks: never enter TCP_CLOSE with a bucket lock held.
 */
void xtcp_set_state(struct sock *sk, int state)
{
	if (state == TCP_CLOSE) {
		xtcp_unhash(sk);
		if (!(sk->sk_userlocks & SOCK_BINDPORT_LOCK))
			xtcp_put_port(sk);
	}
	/* Pairs with inet_sk_state_load() in lockless readers. */
	smp_store_release(&sk->sk_state, state);
}

static int xtcp_init_sock(struct sock *sk)
{
	sock_prot_inuse_add(sock_net(sk), sk->sk_prot, 1);
	return 0;
}

static void xtcp_destroy_sock(struct sock *sk)
{
	xtcp_put_port(sk);
	sock_prot_inuse_add(sock_net(sk), sk->sk_prot, -1);
}

static void xtcp_close(struct sock *sk, long timeout)
{
	lock_sock(sk);
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	if (sk->sk_state != TCP_CLOSE)
		xtcp_set_state(sk, TCP_CLOSE);
	release_sock(sk);
	sk_common_release(sk);
}

/* Called by inet_shutdown() and connect(AF_UNSPEC), socket lock held. */
static int xtcp_disconnect(struct sock *sk, int flags)
{
	if (sk->sk_state != TCP_CLOSE)
		xtcp_set_state(sk, TCP_CLOSE);
	inet_sk(sk)->inet_dport = 0;
	sk->sk_daddr = 0;
	WRITE_ONCE(sk->sk_shutdown, 0);
	sock_reset_flag(sk, SOCK_DONE);
	sk->sk_state_change(sk);
	return 0;
}

static int xtcp_connect(struct sock *sk, struct sockaddr *uaddr, int addr_len)
{
	return -EOPNOTSUPP;
}

static struct sock *xtcp_accept(struct sock *sk, int flags, int *err,
				bool kern)
{
	*err = sk->sk_state == TCP_LISTEN ? -EOPNOTSUPP : -EINVAL;
	return NULL;
}

static int xtcp_sendmsg(struct sock *sk, struct msghdr *msg, size_t len)
{
	/* As TCP on a socket that is not connected: EPIPE and SIGPIPE. */
	return sk_stream_error(sk, msg->msg_flags, -EPIPE);
}

static int xtcp_recvmsg(struct sock *sk, struct msghdr *msg, size_t len,
			int flags, int *addr_len)
{
	return -ENOTCONN;
}

static int xtcp_setsockopt(struct sock *sk, int level, int optname,
			   sockptr_t optval, unsigned int optlen)
{
	if (level == SOL_IP)
		return ip_setsockopt(sk, level, optname, optval, optlen);
	return -ENOPROTOOPT;
}

static int xtcp_getsockopt(struct sock *sk, int level, int optname,
			   char __user *optval, int __user *optlen)
{
	if (level == SOL_IP)
		return ip_getsockopt(sk, level, optname, optval, optlen);
	return -ENOPROTOOPT;
}

/* Socket lock held. */
static int xtcp_listen_start(struct sock *sk)
{
	struct inet_sock *inet = inet_sk(sk);
	int err;

	if (!inet->inet_num) {
		err = xtcp_get_port(sk, 0);
		if (err)
			return err;
	}
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
static int xtcp_listen(struct socket *sock, int backlog)
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

/**
 * xtcp_poll() - poll(2) readiness of an xtcp socket
 * @file: file of the socket
 * @sock: the socket
 * @wait: poll table
 *
 * Follows tcp_poll(): an unconnected socket reports EPOLLOUT | EPOLLHUP,
 * a listener reports nothing until a connection waits in its queue.
 *
 * Return: the ready events.
 */
static __poll_t xtcp_poll(struct file *file, struct socket *sock,
			  poll_table *wait)
{
	struct sock *sk = sock->sk;
	__poll_t mask = 0;
	u8 shutdown;
	int state;

	sock_poll_wait(file, sock, wait);
	state = inet_sk_state_load(sk);
	if (state == TCP_LISTEN)
		return 0;

	shutdown = READ_ONCE(sk->sk_shutdown);
	if (shutdown == SHUTDOWN_MASK || state == TCP_CLOSE)
		mask |= EPOLLHUP;
	if (shutdown & RCV_SHUTDOWN)
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP;
	if (!((1 << state) & (TCPF_SYN_SENT | TCPF_SYN_RECV))) {
		if (shutdown & SEND_SHUTDOWN || sk_stream_is_writeable(sk))
			mask |= EPOLLOUT | EPOLLWRNORM;
	}
	if (READ_ONCE(sk->sk_err) ||
	    !skb_queue_empty_lockless(&sk->sk_error_queue))
		mask |= EPOLLERR;
	return mask;
}

struct proto xtcp_prot = {
	.name		= "XTCP",
	.owner		= THIS_MODULE,
	.close		= xtcp_close,
	.connect	= xtcp_connect,
	.disconnect	= xtcp_disconnect,
	.accept		= xtcp_accept,
	.init		= xtcp_init_sock,
	.destroy	= xtcp_destroy_sock,
	.setsockopt	= xtcp_setsockopt,
	.getsockopt	= xtcp_getsockopt,
	.sendmsg	= xtcp_sendmsg,
	.recvmsg	= xtcp_recvmsg,
	.backlog_rcv	= xtcp_do_rcv,
	.hash		= xtcp_hash,
	.unhash		= xtcp_unhash,
	.get_port	= xtcp_get_port,
	.put_port	= xtcp_put_port,
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
