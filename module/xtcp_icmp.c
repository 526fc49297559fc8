// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp ICMP errors: what an ICMP error about one of our segments means
 * for its connection (RFC 9293 section 3.9.1.3 via RFC 1122 4.2.3.9,
 * RFC 5927), and path MTU discovery (RFC 1191).
 *
 * The IP layer calls xtcp_v4_err() (IPv6's: xtcp_v6_err()) in softirq
 * context with the ICMP message's copy of our IP header and the first 8
 * bytes of ours (ports and sequence number).  Each finds the connection
 * and reads what the message means in its family; xtcp_icmp_deliver()
 * acts on it for both.  As for received segments, work on a socket the
 * user owns is left to release_sock() (rule 1 in xtcp.h): a path MTU
 * change through %XTCP_MTU_REDUCED_DEFERRED, the end of a connection
 * being opened through %XTCP_ICMP_ERR_DEFERRED.  That happens even for
 * the first SYN: over veth or loopback, the ICMP error can come back
 * within the connect() call that sends it.
 */
#include <linux/icmp.h>
#include <linux/ip.h>
#include <linux/skbuff.h>
#include <asm/unaligned.h>
#include <net/icmp.h>
#include <net/inet6_connection_sock.h>
#include <net/ipv6.h>
#include <net/ndisc.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "xtcp.h"
#include "xtcp_seq.h"

/*
 * The socket's route with its path MTU lowered to @mtu, or NULL (what
 * inet_csk_update_pmtu() does for connection sockets).
 */
static struct dst_entry *xtcp_update_pmtu(struct sock *sk, u32 mtu)
{
	struct dst_entry *dst;

	if (!xtcp_sk_is_v4(sk))
		return inet6_csk_update_pmtu(sk, mtu);
	dst = __sk_dst_check(sk, 0);
	if (!dst && inet_sk_rebuild_header(sk))
		return NULL;
	dst = __sk_dst_get(sk);
	dst->ops->update_pmtu(dst, sk, NULL, mtu, true);
	dst = __sk_dst_check(sk, 0);
	if (!dst && inet_sk_rebuild_header(sk))
		return NULL;
	return __sk_dst_get(sk);
}

/**
 * xtcp_mtu_reduced() - follow a lower path MTU
 * @sk: socket, locked: by bh_lock_sock() in softirq while no user owns
 *	it, or by its owner in release_sock()
 *
 * Lowers the route's MTU to what the last "fragmentation needed" said,
 * and with it the segment size; the segments in flight were too large
 * for the path and are sent again, cut to the new size
 * (xtcp_cong_mtu_lost()).
 */
void xtcp_mtu_reduced(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct dst_entry *dst;
	u32 mss;

	xtcp_assert_sock_locked(sk);
	if ((1 << sk->sk_state) & (TCPF_LISTEN | TCPF_CLOSE))
		return;
	dst = xtcp_update_pmtu(sk, READ_ONCE(xs->mtu_info));
	if (!dst)
		return;
	mss = xtcp_snd_mss_floor(sk, xtcp_advmss(dst));
	if (mss >= xs->mss)
		return;
	xs->mss = mss;
	xtcp_cong_mtu_lost(sk);
}

/* "Fragmentation needed": in place or after the user releases @sk. */
static void xtcp_icmp_frag_needed(struct sock *sk, u32 mtu)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (xtcp_sk_is_v4(sk) && inet_sk(sk)->pmtudisc == IP_PMTUDISC_DONT)
		return;
	WRITE_ONCE(xs->mtu_info, mtu);
	xtcp_run_or_defer(sk, XTCP_MTU_REDUCED_DEFERRED);
}

/*
 * The error an ICMP message stands for, as a negative errno; 0 when it
 * means nothing to the connection.
 */
static int xtcp_icmp_errno(int type, int code)
{
	switch (type) {
	case ICMP_DEST_UNREACH:
		if (code > NR_ICMP_UNREACH)
			return 0;
		/*
		 * "Protocol unreachable" is what a host that does not run
		 * xtcp answers: for this transport that is a refusal.
		 */
		if (code == ICMP_PROT_UNREACH)
			return -ECONNREFUSED;
		return -icmp_err_convert[code].errno;
	case ICMP_TIME_EXCEEDED:
		return -EHOSTUNREACH;
	case ICMP_PARAMETERPROB:
		return -EPROTO;
	default:
		return 0;
	}
}

/* The connection being opened failed with the soft error kept. */
static void xtcp_icmp_conn_failed(struct sock *sk)
{
	WRITE_ONCE(sk->sk_err, READ_ONCE(sk->sk_err_soft));
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ATTEMPTFAILS);
	sk_error_report(sk);
	/* The attempt is aborted, as Linux does (xtcp_icmp_error()). */
	xtcp_done(sk, XTCP_EV_ABORT);
}

/**
 * xtcp_icmp_deferred() - end a connect() an ICMP error came for
 * @sk: socket, locked: by bh_lock_sock() in softirq while no user owns
 *	it, or by its owner in release_sock()
 */
void xtcp_icmp_deferred(struct sock *sk)
{
	xtcp_assert_sock_locked(sk);
	if (sk->sk_state == TCP_SYN_SENT && READ_ONCE(sk->sk_err_soft))
		xtcp_icmp_conn_failed(sk);
}

/*
 * A redirect changes the route the socket caches, which its owner reads
 * without a reference (__sk_dst_get()): while the user owns the socket
 * it is ignored, as Linux's TCP does; the next one is taken.
 */
static void xtcp_icmp_redirect(struct sock *sk, struct sk_buff *skb)
{
	u32 cookie = xtcp_sk_is_v4(sk) ? 0 : inet6_sk(sk)->dst_cookie;
	struct dst_entry *dst = __sk_dst_check(sk, cookie);

	xtcp_assert_sock_locked(sk);	/* and not owned: softirq */
	if (dst)
		dst->ops->redirect(dst, sk, skb);
}

/* Socket locked by bh_lock_sock(); @seq checked against the flight. */
static void xtcp_icmp_error(struct sock *sk, int err)
{
	bool recverr = xtcp_sk_is_v4(sk) ? inet_sk(sk)->recverr :
					   inet6_sk(sk)->recverr;

	lockdep_assert_held(&sk->sk_lock.slock);
	if (sk->sk_state == TCP_SYN_SENT) {
		/* RFC 1122 4.2.3.9 leaves this open; Linux ends it. */
		WRITE_ONCE(sk->sk_err_soft, err);
		xtcp_run_or_defer(sk, XTCP_ICMP_ERR_DEFERRED);
	} else if (!sock_owned_by_user(sk) && recverr) {
		WRITE_ONCE(sk->sk_err, err);
		sk_error_report(sk);
	} else {
		/* A connection survives soft errors (RFC 1122 4.2.3.9). */
		WRITE_ONCE(sk->sk_err_soft, err);
	}
}

/*
 * What an ICMP or ICMPv6 message is for the connection it quotes, once
 * its family's handler has read it.
 */
enum xtcp_icmp_kind {
	XTCP_ICMP_REDIRECT,	/* a redirect: update the route */
	XTCP_ICMP_PMTU,		/* a lower path MTU */
	XTCP_ICMP_ERROR,	/* an error, or nothing if its errno is 0 */
	XTCP_ICMP_IGNORE,	/* nothing to do (a forged PMTU) */
};

/**
 * xtcp_icmp_deliver() - act on an ICMP or ICMPv6 message for a connection
 * @sk: the socket the quoted segment's 4-tuple finds; the caller's
 *	reference is consumed
 * @skb: the message, for a redirect
 * @seq: the quoted segment's sequence number
 * @kind: what the message is, as its family's handler read it
 * @mtu: for %XTCP_ICMP_PMTU, the path MTU the message reports
 * @err: for %XTCP_ICMP_ERROR, the error as a negative errno (per family:
 *	xtcp_icmp_errno(), xtcp_icmp6_errno()), 0 for none
 *
 * The part of xtcp_v4_err() and xtcp_v6_err() that does not depend on
 * the family.  Softirq context.  The message is taken only for a
 * connection (not a listener, nor a closed socket) that has @seq in
 * flight, snd_una to snd_nxt (RFC 5927 section 4.1; snd_nxt included,
 * as the error may come back before snd_nxt moves past the segment), so
 * that a forged message must guess it.  A redirect is ignored while the
 * user owns the socket; a lower path MTU and the end of a connection
 * being opened wait for release_sock() then.
 */
static void xtcp_icmp_deliver(struct sock *sk, struct sk_buff *skb, u32 seq,
			      enum xtcp_icmp_kind kind, u32 mtu, int err)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	bh_lock_sock(sk);
	if ((1 << sk->sk_state) & (TCPF_LISTEN | TCPF_CLOSE))
		goto out;
	if (!xtcp_seq_between(seq, xs->snd_una, xs->snd_nxt))
		goto out;
	switch (kind) {
	case XTCP_ICMP_REDIRECT:
		if (!sock_owned_by_user(sk))
			xtcp_icmp_redirect(sk, skb);
		break;
	case XTCP_ICMP_PMTU:
		xtcp_icmp_frag_needed(sk, mtu);
		break;
	case XTCP_ICMP_ERROR:
		if (err)
			xtcp_icmp_error(sk, -err);
		break;
	case XTCP_ICMP_IGNORE:
		break;
	}
out:
	bh_unlock_sock(sk);
	sock_put(sk);
}

/**
 * xtcp_v4_err() - an ICMP error about a segment we sent
 * @skb: the ICMP message, data at the copy of our IP header
 * @info: the ICMP message's info field (the MTU for "fragmentation
 *	needed")
 *
 * Softirq context.  Finds the connection the quoted segment belongs to
 * and reads the message for it (xtcp_icmp_deliver() acts on it): a
 * redirect, "fragmentation needed" (RFC 1191), or an error.  Errors are
 * taken only for a connection that has the segment's sequence number in
 * flight, snd_una to snd_nxt, so that a forged ICMP message must guess
 * it.
 *
 * Return: 0, or -ENOENT when no connection matches.
 */
int xtcp_v4_err(struct sk_buff *skb, u32 info)
{
	const struct iphdr *iph = (const struct iphdr *)skb->data;
	const u8 *th = skb->data + (iph->ihl << 2);
	int type = icmp_hdr(skb)->type, code = icmp_hdr(skb)->code;
	struct net *net = dev_net(skb->dev);
	enum xtcp_icmp_kind kind;
	struct sock *sk;
	int err = 0;

	lockdep_assert_in_softirq();
	/* icmp_socket_deliver() made our first 8 bytes readable. */
	sk = xtcp_lookup(net, iph->daddr, get_unaligned((__be16 *)(th + 2)),
			 iph->saddr, get_unaligned((__be16 *)th),
			 inet_iif(skb), inet_sdif(skb));
	if (!sk)
		return -ENOENT;
	if (type == ICMP_REDIRECT) {
		kind = XTCP_ICMP_REDIRECT;
	} else if (type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED) {
		kind = XTCP_ICMP_PMTU;
	} else {
		kind = XTCP_ICMP_ERROR;
		err = xtcp_icmp_errno(type, code);
	}
	xtcp_icmp_deliver(sk, skb, get_unaligned_be32(th + 4), kind, info,
			  err);
	return 0;
}

/*
 * The error an ICMPv6 message stands for, as a negative errno, 0 when
 * it means nothing to the connection: icmpv6_err_convert()'s, but for
 * "next header unknown", what a host that does not run xtcp answers
 * (RFC 8200 4), which is a refusal for this transport as "protocol
 * unreachable" is over IPv4.
 */
static int xtcp_icmp6_errno(u8 type, u8 code)
{
	int err;

	if (type == ICMPV6_PARAMPROB && code == ICMPV6_UNK_NEXTHDR)
		return -ECONNREFUSED;
	icmpv6_err_convert(type, code, &err);
	return -err;
}

/**
 * xtcp_v6_err() - an ICMPv6 error about a segment we sent
 * @skb: the ICMPv6 message, data at the copy of our IPv6 header
 * @opt: its IPv6 control block
 * @type: ICMPv6 type
 * @code: ICMPv6 code
 * @offset: where our header starts in @skb's data
 * @info: the message's info field (the MTU for "packet too big")
 *
 * Softirq context.  As xtcp_v4_err(): taken only for a connection with
 * the quoted sequence number in flight; "packet too big" lowers the
 * path MTU (RFC 8201), a redirect updates the route, and the errors
 * end a connection being opened.
 *
 * Return: 0, or -ENOENT when no connection matches.
 */
int xtcp_v6_err(struct sk_buff *skb, struct inet6_skb_parm *opt, u8 type,
		u8 code, int offset, __be32 info)
{
	const struct ipv6hdr *hdr = (const struct ipv6hdr *)skb->data;
	const u8 *th = skb->data + offset;
	struct net *net = dev_net(skb->dev);
	enum xtcp_icmp_kind kind;
	struct sock *sk;
	int err = 0;

	lockdep_assert_in_softirq();
	sk = xtcp_lookup6(net, &hdr->daddr, get_unaligned((__be16 *)(th + 2)),
			  &hdr->saddr, get_unaligned((__be16 *)th),
			  skb->dev->ifindex, inet6_sdif(skb));
	if (!sk)
		return -ENOENT;
	if (type == NDISC_REDIRECT) {
		kind = XTCP_ICMP_REDIRECT;
	} else if (type == ICMPV6_PKT_TOOBIG) {
		/* An MTU below IPv6's minimum is a forgery (RFC 8201 4). */
		kind = ntohl(info) >= IPV6_MIN_MTU ? XTCP_ICMP_PMTU :
						     XTCP_ICMP_IGNORE;
	} else {
		kind = XTCP_ICMP_ERROR;
		err = xtcp_icmp6_errno(type, code);
	}
	xtcp_icmp_deliver(sk, skb, get_unaligned_be32(th + 4), kind,
			  ntohl(info), err);
	return 0;
}
