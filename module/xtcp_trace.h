/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xtcp tracepoints, for watching the protocol work:
 *
 *   xtcp:xtcp_state_change	a socket (or TIME_WAIT entry) changes state
 *   xtcp:xtcp_segment		a segment is sent or received
 *   xtcp:xtcp_retransmit_timeout	the retransmission timer fired with
 *				data in flight: how long the connection
 *				has waited for progress
 *
 * They name the connection by its 4-tuple as the local end sees it.
 * `make demo` turns the first two into a ladder diagram.  A connection
 * that stalls shows as xtcp_retransmit_timeout events whose una_age_ms
 * keeps growing, each with a larger retransmits count.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM xtcp

#if !defined(_XTCP_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _XTCP_TRACE_H

#include <linux/tracepoint.h>

#include "xtcp.h"

#define xtcp_show_state(state)					\
	__print_symbolic(state,					\
		{ 1, "ESTABLISHED" }, { 2, "SYN_SENT" },	\
		{ 3, "SYN_RECV" }, { 4, "FIN_WAIT1" },		\
		{ 5, "FIN_WAIT2" }, { 6, "TIME_WAIT" },		\
		{ 7, "CLOSE" }, { 8, "CLOSE_WAIT" },		\
		{ 9, "LAST_ACK" }, { 10, "LISTEN" },		\
		{ 11, "CLOSING" })

#define xtcp_show_flags(flags)					\
	__print_flags(flags, "|",				\
		{ 0x01, "FIN" }, { 0x02, "SYN" }, { 0x04, "RST" },	\
		{ 0x08, "PSH" }, { 0x10, "ACK" }, { 0x20, "URG" },	\
		{ 0x40, "ECE" }, { 0x80, "CWR" })

TRACE_EVENT(xtcp_state_change,
	TP_PROTO(const void *obj, const struct in6_addr *laddr, __be16 lport,
		 const struct in6_addr *raddr, __be16 rport, int oldstate,
		 int newstate),
	TP_ARGS(obj, laddr, lport, raddr, rport, oldstate, newstate),
	TP_STRUCT__entry(
		__field(const void *, obj)
		__array(u8, local, sizeof(struct sockaddr_in6))
		__array(u8, remote, sizeof(struct sockaddr_in6))
		__field(int, oldstate)
		__field(int, newstate)
	),
	TP_fast_assign(
		__entry->obj = obj;
		memset(__entry->local, 0, sizeof(__entry->local));
		memset(__entry->remote, 0, sizeof(__entry->remote));
		xtcp_addr_to_sa(__entry->local, laddr, ntohs(lport));
		xtcp_addr_to_sa(__entry->remote, raddr, ntohs(rport));
		__entry->oldstate = oldstate;
		__entry->newstate = newstate;
	),
	TP_printk("obj=%p local=%pISpc remote=%pISpc %s -> %s",
		  __entry->obj, __entry->local, __entry->remote,
		  xtcp_show_state(__entry->oldstate),
		  xtcp_show_state(__entry->newstate))
);

TRACE_EVENT(xtcp_segment,
	TP_PROTO(bool out, const struct in6_addr *laddr,
		 const struct in6_addr *raddr, const struct xtcp_seg_hdr *h,
		 u32 len),
	TP_ARGS(out, laddr, raddr, h, len),
	TP_STRUCT__entry(
		__field(bool, out)
		__array(u8, local, sizeof(struct sockaddr_in6))
		__array(u8, remote, sizeof(struct sockaddr_in6))
		__field(u8, flags)
		__field(u32, seq)
		__field(u32, ack)
		__field(u32, len)
		__field(u16, window)
	),
	TP_fast_assign(
		__entry->out = out;
		memset(__entry->local, 0, sizeof(__entry->local));
		memset(__entry->remote, 0, sizeof(__entry->remote));
		xtcp_addr_to_sa(__entry->local, laddr,
				out ? h->sport : h->dport);
		xtcp_addr_to_sa(__entry->remote, raddr,
				out ? h->dport : h->sport);
		__entry->flags = h->flags;
		__entry->seq = h->seq;
		__entry->ack = h->ack;
		__entry->len = len;
		__entry->window = h->window;
	),
	TP_printk("%s local=%pISpc remote=%pISpc flags=%s seq=%u ack=%u len=%u win=%u",
		  __entry->out ? "out" : "in", __entry->local,
		  __entry->remote,
		  xtcp_show_flags(__entry->flags), __entry->seq,
		  __entry->ack, __entry->len, __entry->window)
);

TRACE_EVENT(xtcp_retransmit_timeout,
	TP_PROTO(const struct sock *sk),
	TP_ARGS(sk),
	TP_STRUCT__entry(
		__array(u8, local, sizeof(struct sockaddr_in6))
		__array(u8, remote, sizeof(struct sockaddr_in6))
		__field(u32, snd_una)
		__field(u32, snd_nxt)
		__field(u32, rcv_nxt)
		__field(u8, retransmits)
		__field(u32, rto_ms)
		__field(u32, una_age_ms)
		__field(u32, rcv_age_ms)
	),
	TP_fast_assign(
		const struct xtcp_sock *xs = xtcp_sk(sk);
		struct in6_addr laddr, raddr;
		u32 now = jiffies;

		xtcp_sk_addrs(sk, &laddr, &raddr);
		memset(__entry->local, 0, sizeof(__entry->local));
		memset(__entry->remote, 0, sizeof(__entry->remote));
		xtcp_addr_to_sa(__entry->local, &laddr,
				ntohs(inet_sk(sk)->inet_sport));
		xtcp_addr_to_sa(__entry->remote, &raddr,
				ntohs(inet_sk(sk)->inet_dport));
		__entry->snd_una = xs->snd_una;
		__entry->snd_nxt = xs->snd_nxt;
		__entry->rcv_nxt = xs->rcv_nxt;
		__entry->retransmits = xs->retransmits;
		__entry->rto_ms = xtcp_rto_us(xs) / USEC_PER_MSEC;
		__entry->una_age_ms = jiffies_to_msecs(now - xs->una_tstamp);
		__entry->rcv_age_ms = jiffies_to_msecs(now - xs->lrcvtime);
	),
	TP_printk("local=%pISpc remote=%pISpc snd_una=%u snd_nxt=%u rcv_nxt=%u retransmits=%u rto_ms=%u una_age_ms=%u rcv_age_ms=%u",
		  __entry->local, __entry->remote, __entry->snd_una,
		  __entry->snd_nxt, __entry->rcv_nxt, __entry->retransmits, __entry->rto_ms,
		  __entry->una_age_ms, __entry->rcv_age_ms)
);

#endif /* _XTCP_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE xtcp_trace
#include <trace/define_trace.h>
