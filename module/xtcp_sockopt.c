// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp socket options and ioctls.
 *
 * Level IPPROTO_TCP (SOL_TCP) takes the options programs set on any
 * stream socket, with Linux TCP's meaning, ranges and errno values
 * (do_tcp_setsockopt() and do_tcp_getsockopt() of net/ipv4/tcp.c):
 * TCP_NODELAY, TCP_CORK, TCP_MAXSEG, TCP_KEEPIDLE, TCP_KEEPINTVL,
 * TCP_KEEPCNT, TCP_USER_TIMEOUT, TCP_CONGESTION and TCP_INFO.  Others get
 * ENOPROTOOPT, as Linux answers an option it does not know.  Level
 * SOL_XTCP is for xtcp's own options (none yet); other levels go to IP.
 *
 * The keepalive values drive the keepalive timer (xtcp_timer.c) once
 * SO_KEEPALIVE is set.  TCP_CONGESTION takes the algorithms of
 * xtcp_cong.c.
 *
 * The ioctls are those of tcp_ioctl(): SIOCINQ, SIOCOUTQ, SIOCOUTQNSD.
 * Everything runs in process context under the socket lock.
 */
#include <asm/ioctls.h>
#include <linux/sockptr.h>
#include <linux/uaccess.h>
#include <linux/sockios.h>
#include <uapi/linux/tcp.h>
#include <net/ipv6.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include <uapi/linux/xtcp.h>

#include "xtcp.h"

/* Linux's limits (include/net/tcp.h), for the same answers. */
#define XTCP_MIN_MSS		88U
#define XTCP_MAX_USER_MSS	32767U		/* MAX_TCP_WINDOW */
#define XTCP_MAX_KEEPIDLE	32767
#define XTCP_MAX_KEEPINTVL	32767
#define XTCP_MAX_KEEPCNT	127

/* The only congestion control xtcp has so far. */
/* TCP_CONGESTION: a name xtcp implements, else ENOENT as Linux. */
static int xtcp_set_congestion(struct sock *sk, sockptr_t optval,
			       unsigned int optlen)
{
	char name[XTCP_CA_NAME_MAX];
	long n;

	if (optlen < 1)
		return -EINVAL;
	n = strncpy_from_sockptr(name, optval,
				 min_t(long, XTCP_CA_NAME_MAX - 1, optlen));
	if (n < 0)
		return -EFAULT;
	name[n] = 0;
	return xtcp_cong_set(sk, name);
}

/* TCP_NODELAY and TCP_CORK; both push what they release, as Linux. */
static void xtcp_set_nagle(struct sock *sk, unsigned int bit, int on)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (on) {
		xs->nonagle |= bit;
		if (bit == XTCP_NAGLE_OFF)
			xtcp_push_mode(sk, xs->nonagle | XTCP_NAGLE_PUSH);
		return;
	}
	xs->nonagle &= ~bit;
	if (bit == XTCP_NAGLE_CORK)
		xtcp_push(sk);
}

/* The integer options; the socket is locked. */
static int xtcp_set_int(struct sock *sk, int optname, int val)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xtcp_assert_sock_owned(sk);
	switch (optname) {
	case TCP_MAXSEG:
		if (val && (val < XTCP_MIN_MSS || val > XTCP_MAX_USER_MSS))
			return -EINVAL;
		WRITE_ONCE(xs->user_mss, val);
		return 0;
	case TCP_NODELAY:
		xtcp_set_nagle(sk, XTCP_NAGLE_OFF, val);
		return 0;
	case TCP_CORK:
		xtcp_set_nagle(sk, XTCP_NAGLE_CORK, val);
		return 0;
	case TCP_KEEPIDLE:
		if (val < 1 || val > XTCP_MAX_KEEPIDLE)
			return -EINVAL;
		WRITE_ONCE(xs->keepidle, val);
		xtcp_keepalive_restart(sk);
		return 0;
	case TCP_KEEPINTVL:
		if (val < 1 || val > XTCP_MAX_KEEPINTVL)
			return -EINVAL;
		WRITE_ONCE(xs->keepintvl, val);
		return 0;
	case TCP_KEEPCNT:
		if (val < 1 || val > XTCP_MAX_KEEPCNT)
			return -EINVAL;
		WRITE_ONCE(xs->keepcnt, val);
		return 0;
	case TCP_USER_TIMEOUT:
		if (val < 0)
			return -EINVAL;
		WRITE_ONCE(xs->user_timeout, val);
		return 0;
	}
	return -ENOPROTOOPT;
}

static int xtcp_tcp_setsockopt(struct sock *sk, int optname, sockptr_t optval,
			       unsigned int optlen)
{
	int val, err;

	switch (optname) {
	case TCP_CONGESTION:
		lock_sock(sk);
		err = xtcp_set_congestion(sk, optval, optlen);
		release_sock(sk);
		return err;
	case TCP_MAXSEG:
	case TCP_NODELAY:
	case TCP_CORK:
	case TCP_KEEPIDLE:
	case TCP_KEEPINTVL:
	case TCP_KEEPCNT:
	case TCP_USER_TIMEOUT:
		break;
	default:
		return -ENOPROTOOPT;
	}
	if (optlen < sizeof(int))
		return -EINVAL;
	if (copy_from_sockptr(&val, optval, sizeof(val)))
		return -EFAULT;
	lock_sock(sk);
	err = xtcp_set_int(sk, optname, val);
	release_sock(sk);
	return err;
}

/*
 * New IP options: segments leave room for them from the next one on,
 * as Linux's icsk_sync_mss() does after ip_setsockopt(IP_OPTIONS).
 */
static void xtcp_ip_options_set(struct sock *sk)
{
	const struct ip_options_rcu *opt;

	lock_sock(sk);
	opt = rcu_dereference_protected(inet_sk(sk)->inet_opt,
					lockdep_sock_is_held(sk));
	xtcp_sk(sk)->ip_opt_len = opt ? opt->opt.optlen : 0;
	release_sock(sk);
}

/* New IPv6 extension headers: the same, for a connection over IPv6. */
static void xtcp_ip6_options_set(struct sock *sk)
{
	lock_sock(sk);
	xtcp_v6_opt_len_sync(sk);
	release_sock(sk);
}

/**
 * xtcp_setsockopt() - setsockopt(2) below the socket level
 * @sk: the socket
 * @level: SOL_TCP, SOL_XTCP or an IP level
 * @optname: the option
 * @optval: its value
 * @optlen: its length
 *
 * Return: 0 or a negative errno, Linux TCP's for the same call.
 */
int xtcp_setsockopt(struct sock *sk, int level, int optname,
		    sockptr_t optval, unsigned int optlen)
{
	int err;

	if (level == SOL_TCP)
		return xtcp_tcp_setsockopt(sk, optname, optval, optlen);
	if (level == SOL_XTCP)
		return -ENOPROTOOPT;
	/* IPv6 levels on an AF_INET6 socket; SOL_IP is IPv4's on both. */
	if (sk->sk_family == AF_INET6 && level != SOL_IP) {
		err = ipv6_setsockopt(sk, level, optname, optval, optlen);
		if (!err && level == SOL_IPV6)
			xtcp_ip6_options_set(sk);
		return err;
	}
	err = ip_setsockopt(sk, level, optname, optval, optlen);
	if (!err && level == SOL_IP && optname == IP_OPTIONS)
		xtcp_ip_options_set(sk);
	return err;
}

/*
 * The MSS as Linux reports it (mss_cache): less the timestamp option
 * every segment carries when the connection uses (or offers) it, and
 * the IP options.
 */
static u32 xtcp_mss_cache(const struct xtcp_sock *xs)
{
	return xs->mss - (xs->tstamp_ok ? XTCP_OPT_TS_ALIGNED : 0) -
	       xs->ip_opt_len;
}

/**
 * xtcp_get_info() - fill a struct tcp_info as TCP_INFO does
 * @sk: the socket, locked by the caller
 * @info: what xtcp tracks of it; the rest is left 0
 *
 * Shared by getsockopt(TCP_INFO) and xtcp_diag.ko's INET_DIAG_INFO.
 */
void xtcp_get_info(struct sock *sk, struct tcp_info *info)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);
	const struct dst_entry *dst = __sk_dst_get(sk);

	xtcp_assert_sock_owned(sk);
	memset(info, 0, sizeof(*info));
	info->tcpi_state = inet_sk_state_load(sk);
	info->tcpi_retransmits = xs->retransmits;
	info->tcpi_backoff = xs->backoff;
	info->tcpi_probes = xs->probes_out;
	info->tcpi_rto = xtcp_rto_us(xs);
	info->tcpi_snd_mss = xtcp_mss_cache(xs);
	info->tcpi_rcv_mss = xs->rcv_mss;
	/* Segments sent and not yet acknowledged, SACKed ones too, as Linux. */
	info->tcpi_unacked = xs->packets_out;
	info->tcpi_pmtu = dst ? dst_mtu(dst) : 0;
	info->tcpi_advmss = xs->advmss;
	info->tcpi_rtt = xs->rtt.srtt_us;
	info->tcpi_rttvar = xs->rtt.rttvar_us;
	info->tcpi_min_rtt = xs->rtt.has_sample ? xs->rtt.min_rtt_us : ~0U;
	info->tcpi_snd_cwnd = xs->cw.cwnd;
	info->tcpi_snd_ssthresh = xs->cw.ssthresh;
	info->tcpi_rcv_ssthresh = xs->rcv_ssthresh;
	info->tcpi_ca_state = xs->ca_state;
	info->tcpi_sacked = xs->sacked_out;
	info->tcpi_lost = xs->lost_out;
	info->tcpi_retrans = xs->retrans_out;
	info->tcpi_reordering = xs->reordering;
	info->tcpi_total_retrans = xs->total_retrans;
	info->tcpi_snd_wnd = xs->snd_wnd;
	if (xs->sack_ok)
		info->tcpi_options |= TCPI_OPT_SACK;
	if (xs->tstamp_ok && inet_sk_state_load(sk) != TCP_SYN_SENT)
		info->tcpi_options |= TCPI_OPT_TIMESTAMPS;
	if (xs->wscale_ok) {
		info->tcpi_options |= TCPI_OPT_WSCALE;
		info->tcpi_snd_wscale = xs->snd_wscale;
		info->tcpi_rcv_wscale = xs->rcv_wscale;
	}
	info->tcpi_notsent_bytes = xs->write_seq - xs->snd_nxt;
	/* As Linux: in ms, since data left, in-order data came, an ACK came. */
	info->tcpi_last_data_sent = jiffies_to_msecs((u32)jiffies -
						     xs->lsndtime);
	info->tcpi_last_data_recv = jiffies_to_msecs((u32)jiffies -
						     xs->lrcvtime);
	info->tcpi_last_ack_recv = jiffies_to_msecs(jiffies - xs->rcv_tstamp);
}
EXPORT_SYMBOL_GPL(xtcp_get_info);

/* Copy @len bytes of @val out, and @len as the option's length. */
static int xtcp_put_opt(char __user *optval, int __user *optlen,
			const void *val, int len)
{
	if (put_user(len, optlen))
		return -EFAULT;
	return copy_to_user(optval, val, len) ? -EFAULT : 0;
}

static int xtcp_get_info_opt(struct sock *sk, char __user *optval,
			     int __user *optlen, int len)
{
	struct tcp_info info;

	lock_sock(sk);
	xtcp_get_info(sk, &info);
	release_sock(sk);
	return xtcp_put_opt(optval, optlen, &info,
			    min_t(unsigned int, len, sizeof(info)));
}

/* The integer options; -ENOPROTOOPT for an unknown one. */
static int xtcp_get_int(struct sock *sk, int optname, int *val)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);

	switch (optname) {
	case TCP_MAXSEG:
		*val = xtcp_mss_cache(xs);
		if (xs->user_mss &&
		    ((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN)))
			*val = xs->user_mss;
		return 0;
	case TCP_NODELAY:
		*val = !!(xs->nonagle & XTCP_NAGLE_OFF);
		return 0;
	case TCP_CORK:
		*val = !!(xs->nonagle & XTCP_NAGLE_CORK);
		return 0;
	case TCP_KEEPIDLE:
		*val = READ_ONCE(xs->keepidle);
		return 0;
	case TCP_KEEPINTVL:
		*val = READ_ONCE(xs->keepintvl);
		return 0;
	case TCP_KEEPCNT:
		*val = READ_ONCE(xs->keepcnt);
		return 0;
	case TCP_USER_TIMEOUT:
		*val = READ_ONCE(xs->user_timeout);
		return 0;
	}
	return -ENOPROTOOPT;
}

static int xtcp_tcp_getsockopt(struct sock *sk, int optname,
			       char __user *optval, int __user *optlen)
{
	int val, len, err;

	if (get_user(len, optlen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	switch (optname) {
	case TCP_INFO:
		return xtcp_get_info_opt(sk, optval, optlen, len);
	case TCP_CONGESTION:
		return xtcp_put_opt(optval, optlen, xtcp_cong_name(sk),
				    min_t(unsigned int, len,
					  XTCP_CA_NAME_MAX));
	}
	err = xtcp_get_int(sk, optname, &val);
	if (err)
		return err;
	return xtcp_put_opt(optval, optlen, &val,
			    min_t(unsigned int, len, sizeof(int)));
}

/**
 * xtcp_getsockopt() - getsockopt(2) below the socket level
 * @sk: the socket
 * @level: SOL_TCP, SOL_XTCP or an IP level
 * @optname: the option
 * @optval: where the value goes
 * @optlen: in: room at @optval; out: bytes written
 *
 * Values are truncated to the caller's length, as Linux does.
 *
 * Return: 0 or a negative errno, Linux TCP's for the same call.
 */
int xtcp_getsockopt(struct sock *sk, int level, int optname,
		    char __user *optval, int __user *optlen)
{
	if (level == SOL_TCP)
		return xtcp_tcp_getsockopt(sk, optname, optval, optlen);
	if (level == SOL_XTCP)
		return -ENOPROTOOPT;
	if (sk->sk_family == AF_INET6 && level != SOL_IP)
		return ipv6_getsockopt(sk, level, optname, optval, optlen);
	return ip_getsockopt(sk, level, optname, optval, optlen);
}

/* Bytes queued from @seq to write_seq, 0 before the handshake ends. */
static int xtcp_outq(const struct sock *sk, u32 seq)
{
	if ((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV))
		return 0;
	return READ_ONCE(xtcp_sk(sk)->write_seq) - seq;
}

/**
 * xtcp_ioctl() - the protocol's ioctls, as tcp_ioctl()
 * @sk: the socket
 * @cmd: SIOCINQ (bytes to read), SIOCOUTQ (bytes not acknowledged) or
 *	SIOCOUTQNSD (bytes not sent yet)
 * @arg: user pointer to an int for the answer
 *
 * Return: 0, -EINVAL on a listener, -ENOIOCTLCMD for another @cmd.
 */
int xtcp_ioctl(struct sock *sk, int cmd, unsigned long arg)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);
	int answ;

	switch (cmd) {
	case SIOCINQ:
	case SIOCOUTQ:
	case SIOCOUTQNSD:
		break;
	default:
		return -ENOIOCTLCMD;
	}
	if (sk->sk_state == TCP_LISTEN)
		return -EINVAL;
	lock_sock(sk);
	if (cmd == SIOCINQ)
		answ = (1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV) ?
		       0 : xtcp_inq(sk);
	else
		answ = xtcp_outq(sk, cmd == SIOCOUTQ ? xs->snd_una :
					       xs->snd_nxt);
	release_sock(sk);
	return put_user(answ, (int __user *)arg);
}
