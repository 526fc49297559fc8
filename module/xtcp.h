/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xtcp: an experimental TCP-like transport, shipped as a module.
 *
 * Internal declarations shared by the files of module/:
 *
 *	xtcp_main.c	registration, module parameters, init/exit order
 *	xtcp_table.c	the connection table: bind, listen and established
 *			hashes, port allocation, softirq lookups
 *	xtcp_sock.c	socket operations (struct proto, struct proto_ops),
 *			every state change (xtcp_transition()), the end
 *			of a connection and orphans
 *	xtcp_sockopt.c	IPPROTO_TCP and SOL_XTCP socket options, TCP_INFO,
 *			ioctls (SIOCINQ, SIOCOUTQ, SIOCOUTQNSD)
 *	xtcp_conn.c	connection setup: connect(), listeners, accept()
 *	xtcp_cookie.c	SYN cookies
 *	xtcp_output.c	building and sending segments, Nagle and cork
 *	xtcp_offload.c	segmentation offload: runs of segments leave as
 *			one GSO skb, cut up in front of the first device
 *			that does not take it whole
 *	xtcp_data.c	send and receive queues, sendmsg() and recvmsg(),
 *			socket memory accounting
 *	xtcp_timer.c	retransmission and zero-window probe timer, RFC 6298
 *			RTO and backoff, keepalive and delayed-ACK timers
 *	xtcp_tw.c	TIME_WAIT entries and their timing wheel
 *	xtcp_input.c	the IP receive handler, segment dispatch and the
 *			state machine of RFC 9293 "SEGMENT ARRIVES"
 *	xtcp_ack.c	what an incoming ACK does: acceptance, SACK, the
 *			write queue cleaned, RTT samples, the send window
 *	xtcp_icmp.c	ICMP errors about our segments, path MTU
 *	xtcp_cong.c	congestion control algorithms and loss recovery
 *	xtcp_proc.c	/proc/net/xtcp, /proc/net/xtcp_stat and
 *			/proc/net/xtcp_sockstat
 *	xtcp_diag.c	xtcp_diag.ko: sock_diag (ss-style listing and
 *			SOCK_DESTROY), a module of its own
 *	xtcp_sysctl.c	/proc/sys/net/xtcp/
 *	xtcp_net.c	per network namespace state
 *
 * xtcp_trace.h holds the tracepoints.  The other headers hold pure logic,
 * shared with the userspace unit tests of selftests/unit/:
 *
 *	xtcp_wire.h	the header and its options on the wire
 *	xtcp_seq.h	sequence number arithmetic, segment acceptability,
 *			the duplicate ACK rule
 *	xtcp_fsm.h	the state table xtcp_transition() follows
 *	xtcp_listen.h	what a listener does with a segment
 *	xtcp_twseg.h	what a TIME_WAIT entry does with a segment
 *	xtcp_sack.h	SACK blocks kept, sent and checked
 *	xtcp_rto.h	the RFC 6298 retransmission timeout estimator
 *	xtcp_cc_math.h	NewReno and CUBIC window arithmetic
 *	xtcp_undo.h	undoing a window reduction that was for nothing
 *	xtcp_rack.h	RACK-TLP (RFC 8985): which segments are lost, when
 *			to probe the tail
 *	xtcp_prr.h	Proportional Rate Reduction (RFC 6937): what a
 *			recovery may send
 *	xtcp_cookie.h	SYN cookie arithmetic
 *	xtcp_port.h	the order in which connect() tries ports
 *	xtcp_wheel.h	the slots and clock of the TIME_WAIT wheel
 *
 * CONTEXTS AND LOCKING RULES
 *
 * Written here once: the other files refer to these rules by number, and
 * every function that needs a lock held, or a context, says so in code
 * (see "As code" at the end), which lockdep checks in the debug lane.
 *
 * Two contexts touch xtcp state:
 *
 *  - process context: the socket calls (bind, listen, connect, accept,
 *    send, receive, socket options, shutdown, close), /proc and sysctl
 *    handlers, module load and unload, namespace setup and teardown.
 *    They run with softirqs enabled and may sleep.
 *  - softirq context: xtcp_v4_rcv() and xtcp_v4_err(), called by the IP
 *    layer for every received segment and ICMP error, and every timer:
 *    a socket's retransmission (also window probe and orphaned
 *    FIN_WAIT2), keepalive and delayed-ACK timers, a request's SYN-ACK
 *    timer and a namespace's TIME_WAIT wheel timer.  It never sleeps.
 *
 * The locks, in lock order (take them top to bottom, never upwards):
 *
 *  1. The socket lock.  Process context owns a socket with lock_sock();
 *     softirq takes bh_lock_sock() and, when the user owns the socket,
 *     queues the segment on the backlog (sk_add_backlog()) instead of
 *     processing it; release_sock() replays the backlog through
 *     xtcp_prot.backlog_rcv.  Nor does a socket timer, or an ICMP
 *     error that changes the connection (a lower path MTU, a failed
 *     connect()), work on a socket the user owns: it sets its bit in
 *     xtcp_sock.deferred, with a reference on the socket
 *     (xtcp_run_or_defer()), and release_sock() runs the work through
 *     xtcp_prot.release_cb (xtcp_release_cb()), as TCP's
 *     tcp_release_cb().  So the state machine of a connection, timer
 *     work included, runs in one context at a time: in softirq under
 *     bh_lock_sock() while no user owns the socket, or in its owner's
 *     process context (lock_sock(), and the backlog and release_cb run
 *     by release_sock()).  An armed timer holds a reference on its socket
 *     (sk_reset_timer()); xtcp_stop_timers() drops the timers' and the
 *     deferred bits' references.  A listener is the exception: segments
 *     for it never take its socket lock, which belongs to accept() and
 *     close(), but its req_lock (rule 5).  Whoever ends a socket
 *     others can still look up (close(), a listener's close for its
 *     unaccepted children) owns it until it is destroyed, taking
 *     bh_lock_sock() inside that ownership, as __tcp_close() does:
 *     sock_diag's dumps and SOCK_DESTROY lock_sock() any socket they
 *     find.  Socket locks nest only as listener, then child
 *     (xtcp_listen_stop()).
 *
 *  2. A hash bucket lock (struct xtcp_hash_bucket.lock) serialises
 *     writers of one listen or established chain; spin_lock_bh() from
 *     process context, spin_lock() from softirq.  A connecting socket's
 *     4-tuple is checked against the chain and the TIME_WAIT table, and
 *     the socket added, under its chain's lock (xtcp_hash()).
 *
 *  3. A TIME_WAIT hash chain lock (struct xtcp_tw_bucket.lock in
 *     xtcp_tw.c) guards one chain of TIME_WAIT entries and a segment's
 *     processing by an entry: lookups hold it while they use the entry,
 *     which therefore needs no reference count.  spin_lock_bh() from
 *     process context, spin_lock() from softirq.
 *
 *  4. A bind bucket lock (struct xtcp_bind_bucket.lock) serialises the
 *     owners of the local ports in the bucket (struct xtcp_bind_port,
 *     one per namespace and port), sockets and TIME_WAIT entries: bind
 *     conflicts, whether connect() may share the port, the move to
 *     LISTEN and port release are decided under it.  connect() does
 *     not hold it with a chain's lock: it owns a port under the bind
 *     bucket lock first, then checks its 4-tuple under the chain's.
 *     Because softirq context takes it too (children inherit the
 *     port, TIME_WAIT entries expire), process context always takes it
 *     with spin_lock_bh().
 *
 *  5. A listener's req_lock (xtcp_sock.req_lock) guards its pending
 *     requests (struct xtcp_request, on a list and in a hash table),
 *     nr_requests, nr_completing and accept queue: spin_lock() from
 *     softirq (segments for the listener, the SYN-ACK timer),
 *     spin_lock_bh() from process context (accept(), close()); the /proc
 *     walk takes it under a bind bucket lock.  Whoever takes a request
 *     off the list under req_lock owns it, and stops its timer with
 *     del_timer_sync() after dropping the lock, since the timer takes
 *     the lock too.  Held for every segment a listener gets, it is held
 *     briefly: a hash lookup, no route lookup, no allocation and no
 *     transmission under it.  A SYN's request is allocated and routed
 *     first, then inserted under the lock after a second look for a
 *     duplicate; SYN-ACKs leave after the lock is dropped.
 *
 * Two more locks are leaves: nothing else is taken while one is held.
 *
 *  - the TIME_WAIT wheel lock (struct xtcp_tw_wheel.lock) guards a
 *    namespace's wheel, which owns the entries' memory: only the wheel
 *    frees an entry (a killed entry is unlinked from its chain and bind
 *    bucket and waits for its slot).  The wheel's timer takes a slot's
 *    entries off under it and drops it before taking their chain locks.
 *  - xtcp_cong_lock (xtcp_cong.c) serialises writers of the list of
 *    congestion control algorithms that other modules add, in process
 *    context.
 *
 * Readers of the listen and established chains do not lock: they walk
 * the hlist_nulls chains under RCU (softirq is an RCU read-side section),
 * take a reference with refcount_inc_not_zero() and then re-check the
 * keys, because the socket slab is SLAB_TYPESAFE_BY_RCU and a socket may
 * be freed and reused for another connection under a reader's feet.  The
 * nulls value at the end of each chain is its bucket number, so a reader
 * that was moved to another chain notices and restarts.  RCU also covers
 * the list of congestion control algorithms (readers hold
 * rcu_read_lock() or xtcp_cong_lock) and a namespace's control socket,
 * which senders of resets and TIME_WAIT ACKs read under rcu_read_lock()
 * and namespace exit clears before synchronize_net().
 *
 * /proc/net/xtcp readers walk the listening and connection hash chains,
 * the TIME_WAIT chains and the bind buckets, one chain at a time under
 * its lock (and, for a listener's requests, its req_lock), copy an
 * entry and print it after dropping the locks (xtcp_iter_next()); socket
 * fields are read there without the socket lock, so a line may be
 * slightly stale.  Counters (xtcp_stat) are per-cpu and may be bumped
 * from any context.  Sysctls are read with READ_ONCE() and need no lock.
 *
 * As code: xtcp_assert_sock_locked() states rule 1 for the state
 * machine; xtcp_assert_sock_owned() (lockdep_assert_held() of the socket
 * lock's owner map) marks process-context-only functions;
 * lockdep_assert_held(&sk->sk_lock.slock) the softirq side of
 * bh_lock_sock(); lockdep_assert_held() and sparse's __must_hold() the
 * functions called with a bucket lock or req_lock; and
 * lockdep_assert_in_softirq() the code that takes a lock with spin_lock()
 * because it runs in softirq.  Without CONFIG_LOCKDEP they compile to
 * nothing.
 *
 * State numbers are those of include/net/tcp_states.h, so that the
 * generic inet helpers (inet_stream_connect(), inet_shutdown(), ...) and
 * /proc readers understand them.
 */
#ifndef _XTCP_H
#define _XTCP_H

#include <linux/types.h>
#include <linux/inet_diag.h>
#include <linux/percpu.h>
#include <linux/siphash.h>
#include <net/dsfield.h>
#include <net/inet_ecn.h>
#include <net/inet_sock.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/netns/generic.h>
#include <net/sock.h>

#include "xtcp_rto.h"
#include "xtcp_cc_math.h"
#include "xtcp_cookie.h"
#include "xtcp_fsm.h"
#include "xtcp_prr.h"
#include "xtcp_rack.h"
#include "xtcp_sack.h"
#include "xtcp_undo.h"
#include "xtcp_wheel.h"
#include "xtcp_wire.h"

struct xtcp_bind_port;
struct xtcp_hash_bucket;

#define XTCP_CA_NAME_MAX	16
#define XTCP_CWND_CLAMP		65535	/* segments */
#define XTCP_DUPTHRESH		3	/* RFC 5681 section 3.2 */
#define XTCP_MAX_REORDERING	300	/* Linux's tcp_max_reordering */

/*
 * Congestion states of a connection (xtcp_cong.c), numbered as Linux's
 * TCP_CA_* for TCP_INFO's tcpi_ca_state.
 */
enum {
	XTCP_CA_OPEN = 0,	/* no loss seen */
	XTCP_CA_RECOVERY = 3,	/* fast recovery after a fast retransmit */
	XTCP_CA_LOSS = 4,	/* after a retransmission timeout */
};

/**
 * struct xtcp_cong_ops - a congestion control algorithm
 * @list: link in the list of algorithms other modules added
 * @name: what TCP_CONGESTION and the sysctl call it
 * @owner: module that provides it
 * @init: set up the algorithm's state in xtcp_sock.ca_priv (optional)
 * @ssthresh: the slow start threshold after a loss, in segments
 * @cong_avoid: grow cwnd for @acked newly acknowledged segments
 * @on_rto: a retransmission timeout happened (optional)
 *
 * Windows are in segments, in xtcp_sock.cw (struct xtcp_cwnd).
 */
struct xtcp_cong_ops {
	struct list_head list;
	char name[XTCP_CA_NAME_MAX];
	struct module *owner;
	void (*init)(struct sock *sk);
	u32 (*ssthresh)(struct sock *sk);
	void (*cong_avoid)(struct sock *sk, u32 acked);
	void (*on_rto)(struct sock *sk);
};

/* Timeouts, in jiffies (the RTO of a connection: see xtcp_rto.h). */
#define XTCP_TIMEOUT_INIT	HZ		/* SYN-ACK of a request */
#define XTCP_RTO_MAX		(120 * HZ)
#define XTCP_RESOURCE_PROBE	(HZ / 2)	/* retry of a send that failed */
#define XTCP_RETRIES2		15		/* default of sysctl retries2 */

/* Defaults of the keepalive options, as Linux TCP (seconds, probes). */
#define XTCP_KEEPIDLE_DEFAULT	7200
#define XTCP_KEEPINTVL_DEFAULT	75
#define XTCP_KEEPCNT_DEFAULT	9

/* Bits of xtcp_sock.nonagle, as Linux's TCP_NAGLE_*. */
#define XTCP_NAGLE_OFF		1	/* TCP_NODELAY */
#define XTCP_NAGLE_CORK		2	/* TCP_CORK, or MSG_MORE for one call */
#define XTCP_NAGLE_PUSH		4	/* one push: send partial segments too */

#define XTCP_MSS_DEFAULT	536		/* RFC 9293 section 3.7.1 */
#define XTCP_HEADROOM		L1_CACHE_ALIGN(128 + MAX_HEADER)
#define XTCP_MAX_WINDOW		65535		/* largest unscaled window */

/* Bits of xtcp_sock.deferred: timer work waiting for release_sock(). */
enum {
	XTCP_RTX_TIMER_DEFERRED,
	XTCP_MTU_REDUCED_DEFERRED,
	XTCP_ICMP_ERR_DEFERRED,
	XTCP_KEEPALIVE_TIMER_DEFERRED,
	XTCP_DELACK_TIMER_DEFERRED,
	XTCP_DEFERRED_MAX
};

/*
 * What xtcp_sock.rtx_timer stands for when it expires (xtcp_timer.c), as
 * Linux's icsk_pending: the retransmission timeout (also window probes
 * and the orphaned FIN_WAIT2), RACK's reordering timer, or a tail loss
 * probe.  Whoever arms the timer sets the mode with it.
 */
enum {
	XTCP_TIMER_RTO,
	XTCP_TIMER_REO,
	XTCP_TIMER_TLP,
};

/* Longest an ACK of in-order data waits for a second segment (Linux's). */
#define XTCP_DELACK_TIME	(HZ / 25)	/* 40 ms */

/**
 * struct xtcp_sock - an xtcp socket and its transmission control block
 * @inet: generic IPv4 socket; must stay first so that inet_sk() and the
 *	socket core see an inet_sock
 * @hash_bucket: the listen or established chain the socket is on, NULL
 *	when lookups cannot find it; written under that chain's lock
 * @bind_port: the owners of its local port (xtcp_table.c), NULL while
 *	it owns none; written under the port's bind bucket lock
 * @connect_port: the local port came from connect()'s ephemeral choice,
 *	not from bind() or listen(): other connections may share it
 *	(xtcp_connect_port()); written under the port's bind bucket lock
 * @tw_reused: connect() took its 4-tuple from a TIME_WAIT entry
 *	(xtcp_tw_taken()), which also chose @iss
 * @reuse_seq_check: the peer's new ISN must lie above @reuse_rcv_nxt
 *	(RFC 6191), or its SYN is dropped; not on loopback
 *	(xtcp_tw_reusable())
 * @reuse_rcv_nxt: that entry's rcv_nxt
 * @iss: initial send sequence number
 * @snd_una: oldest unacknowledged sequence number
 * @snd_nxt: next sequence number to send
 * @snd_wnd: send window offered by the peer
 * @max_snd_wnd: the largest send window the peer offered: RFC 5961's
 *	MAX.SND.WND, how far below snd_una an ACK may still be believed
 * @bytes_acked: bytes the peer acknowledged since the handshake,
 *	saturating at U32_MAX: nor may an ACK be believed further below
 *	snd_una than that (bytes never sent), as Linux's tp->bytes_acked
 * @snd_wl1: segment sequence number of the last window update
 * @snd_wl2: segment acknowledgment number of the last window update
 * @write_seq: sequence number after the last byte (or FIN) queued
 * @last_oow_ack_time: jiffies (low 32 bits) of the last ACK sent to
 *	answer an unacceptable segment, 0 if none: the rate limit of
 *	RFC 5961 section 7 (xtcp_oow_rate_limited())
 * @irs: initial receive sequence number
 * @rcv_nxt: next sequence number expected from the peer
 * @copied_seq: next sequence number the user will read
 * @rcvq_seq: @copied_seq when the reader's current measuring interval began
 * @rcvq_time_us: when it began (xtcp_clock_us()), 0 before the first
 * @rcvq_space: most the reader took in one interval so far
 * @rcv_wnd: receive window last advertised
 * @rcv_wup: rcv_nxt when @rcv_wnd was advertised: the window's right
 *	edge, @rcv_wup + @rcv_wnd, never moves left (RFC 9293 3.8.6)
 * @rcv_ssthresh: the most the window may offer now, as Linux's: the
 *	first window, grown by xtcp_grow_window() as data arrives
 * @mss: largest payload the peer accepts in one segment
 * @advmss: the MSS announced to the peer
 * @user_mss: TCP_MAXSEG set by the user, 0 if none: caps @advmss
 * @rcv_mss: largest payload received in one segment
 * @retransmits: consecutive timeouts without progress (capped at U8_MAX)
 * @backoff: RTO doublings since the last valid RTT sample (RFC 6298 5.5)
 * @nonagle: %XTCP_NAGLE_OFF and %XTCP_NAGLE_CORK
 * @probes_out: keepalive or zero-window probes sent since the last ACK
 * @keepcnt: TCP_KEEPCNT: unanswered keepalive probes before giving up
 * @keepidle: TCP_KEEPIDLE: seconds without input before the first probe
 * @keepintvl: TCP_KEEPINTVL: seconds between keepalive probes
 * @user_timeout: TCP_USER_TIMEOUT in ms, 0 if none
 * @retrans_stamp: jiffies of the first transmission of the segment
 *	the current run of retransmissions resends
 * @total_retrans: segments sent again over the connection's life
 * @rcv_tstamp: jiffies of the last acceptable ACK (every segment past
 *	the handshake carries one): the idle time keepalive measures
 * @lsndtime: jiffies (low 32 bits) of the last segment sent with data
 * @lrcvtime: jiffies (low 32 bits) when in-order data last moved rcv_nxt
 * @una_tstamp: jiffies (low 32 bits) when snd_una last moved, or data
 *	went in flight with none before: how long the sender has waited
 *	for progress (the xtcp_retransmit_timeout tracepoint)
 * @probes_tstamp: jiffies of the first zero-window probe of the current
 *	run, 0 when not probing (TCP_USER_TIMEOUT bounds the run)
 * @rtt: the RFC 6298 estimator (SRTT, RTTVAR, RTO before backoff)
 * @snd_wscale: shift of the windows the peer announces (RFC 7323)
 * @rcv_wscale: shift of the windows we announce; both are 0 unless both
 *	SYNs carried the window scale option
 * @wscale_ok: both SYNs carried the window scale option
 * @sack_ok: the peer's SYN allowed SACK (RFC 2018)
 * @tstamp_ok: both SYNs carried the timestamp option (RFC 7323): every
 *	segment carries it, and each ACK gives an RTT sample
 * @ip_opt_len: bytes of IP options (IP_OPTIONS) or IPv6 extension
 *	headers (IPV6_HOPOPTS, IPV6_DSTOPTS, ...) every packet carries,
 *	which segments leave room for (Linux's icsk_ext_hdr_len)
 * @ts_offset: added to our clock in the timestamps we send, so that
 *	they do not tell the host's uptime
 * @ts_recent: the peer's timestamp to echo (RFC 7323 section 4.3)
 * @rcv_tsecr: the echoed timestamp of the segment being processed, 0
 *	without one
 * @sack: out-of-order ranges we hold, for the SACK option of our ACKs
 * @ooo_queue: segments received above rcv_nxt, in sequence order, not
 *	overlapping; charged to the receive buffer
 * @ooo_fin_seq: sequence number of a FIN received above rcv_nxt
 * @ooo_fin: @ooo_fin_seq is set: the FIN is taken once rcv_nxt reaches
 *	it (xtcp_rcv_synchronized()), as Linux keeps one out of order, and
 *	forgotten if data takes rcv_nxt past it (xtcp_queue_data())
 * @ca_ops: congestion control algorithm
 * @ca_priv: its state
 * @cw: congestion window and slow start threshold, in segments
 * @recover: snd_nxt when the last recovery began (RFC 6582)
 * @packets_out: segments sent and not acknowledged
 * @sacked_out: of those, segments the peer reported in SACK blocks
 * @lost_out: of those, segments marked lost (RACK, or a timeout) and not
 *	SACKed since
 * @retrans_out: segments sent again and not yet acknowledged, SACKed or
 *	marked lost again: with the two above, RFC 6675's pipe
 *	(xtcp_in_flight())
 * @max_packets_out: the largest packets_out of the window that ends at
 *	@max_packets_seq
 * @max_packets_seq: snd_nxt when @max_packets_out was taken
 * @cwnd_limited: cwnd, not the application or the peer's window, was the
 *	limit on sending in that window (xtcp_cwnd_limited())
 * @sack_high: end of the highest segment reported in a SACK block
 * @reordering: duplicate ACKs, or SACKed segments above a hole, that
 *	make it lost: RFC 6675's DupThresh, raised to how far the path was
 *	seen to reorder segments (xtcp_take_sack())
 * @reord_seen: a segment sent once was SACKed below one SACKed before
 *	(Linux's reord_seen): RACK keeps its reordering window then
 * @dupacks: duplicate ACKs in a row
 * @loss_epoch: number of the current loss episode (a recovery or a
 *	timeout), never 0: what xtcp_skb_cb.rexmit_epoch is compared with
 * @ca_state: %XTCP_CA_OPEN, %XTCP_CA_RECOVERY or %XTCP_CA_LOSS
 * @undo: what the current loss episode cut, to give back if D-SACK or
 *	timestamps prove it spurious (xtcp_undo.h)
 * @rack: RACK's state (RFC 8985, xtcp_rack.h)
 * @prr: Proportional Rate Reduction's counts in a recovery (RFC 6937)
 * @tlp_high_seq: snd_nxt when the tail loss probe in flight left
 * @tlp_out: a tail loss probe is in flight: no other until an ACK
 *	reaches @tlp_high_seq (RFC 8985 7.3)
 * @tlp_retrans: that probe sent an old segment again, not new data
 * @tlp_dsack: a D-SACK block came since it left: the probe was a copy
 * @dsack_dups: segments D-SACK blocks reported; above total_retrans,
 *	the path duplicates, and the blocks are not taken (Linux's)
 * @send_head: first skb of sk_write_queue not sent yet, or NULL
 * @rtx_timer: retransmission, window probe and FIN_WAIT2 timer; also
 *	RACK's reordering timer and the tail loss probe (@rtx_mode)
 * @rtx_mode: %XTCP_TIMER_RTO, %XTCP_TIMER_REO or %XTCP_TIMER_TLP: what
 *	@rtx_timer was last armed for
 * @keepalive_timer: SO_KEEPALIVE probes
 * @delack_timer: a delayed ACK (RFC 1122 4.2.3.2) is due
 * @deferred: %XTCP_*_DEFERRED bits, work left for release_sock()
 * @mtu_info: path MTU of the last "fragmentation needed" ICMP, waiting
 *	for xtcp_mtu_reduced()
 * @req_lock: protects @requests, @req_hash, @nr_requests,
 *	@nr_completing and @accept_queue of a listener (rule 5 above)
 * @requests: pending connections (struct xtcp_request) of a listener, in
 *	arrival order: what /proc and close() walk
 * @req_hash: the same requests hashed by peer address and port
 *	(xtcp_req_slot()), what segments look them up in; allocated by the
 *	first listen(), freed with the socket
 * @req_hash_mask: number of @req_hash chains less one
 * @nr_requests: length of @requests
 * @nr_completing: requests taken off @requests, and ACKs of SYN cookies,
 *	whose child socket is being created and is not in the established
 *	table yet
 * @cookie_stamp: jiffies (never 0) when the listener last answered a SYN
 *	with a cookie, 0 if it never did: with sysctl syncookies 1, ACKs
 *	are checked as cookies for %XTCP_COOKIE_VALID after (Linux's
 *	tcp_synq_overflow())
 * @accept_queue: established children waiting for accept()
 * @accept_node: link of a child in its listener's @accept_queue
 */
struct xtcp_sock {
	struct inet_sock inet;
	struct xtcp_hash_bucket *hash_bucket;
	struct xtcp_bind_port *bind_port;
	bool connect_port;
	bool tw_reused;
	bool reuse_seq_check;
	u32 reuse_rcv_nxt;

	u32 iss;
	u32 snd_una;
	u32 snd_nxt;
	u32 snd_wnd;
	u32 max_snd_wnd;
	u32 bytes_acked;
	u32 snd_wl1;
	u32 snd_wl2;
	u32 write_seq;
	u32 last_oow_ack_time;

	u32 irs;
	u32 rcv_nxt;
	u32 copied_seq;
	u32 rcvq_seq;
	u32 rcvq_time_us;
	u32 rcvq_space;
	u32 rcv_wnd;
	u32 rcv_wup;
	u32 rcv_ssthresh;

	u16 mss;
	u16 advmss;
	u16 user_mss;
	u16 rcv_mss;
	u8 retransmits;
	u8 backoff;
	u8 nonagle;
	u8 probes_out;
	u8 keepcnt;
	u16 keepidle;
	u16 keepintvl;
	u32 user_timeout;
	unsigned long retrans_stamp;
	u32 total_retrans;
	unsigned long rcv_tstamp;
	u32 lsndtime;
	u32 lrcvtime;
	u32 una_tstamp;
	unsigned long probes_tstamp;
	struct xtcp_rtt_est rtt;

	u8 snd_wscale;
	u8 rcv_wscale;
	u8 wscale_ok;
	u8 sack_ok;
	u8 tstamp_ok;
	u16 ip_opt_len;
	u32 ts_offset;
	u32 ts_recent;
	u32 rcv_tsecr;
	struct xtcp_sack_list sack;
	struct sk_buff_head ooo_queue;
	u32 ooo_fin_seq;
	bool ooo_fin;

	struct xtcp_cong_ops *ca_ops;
	u64 ca_priv[8];
	struct xtcp_cwnd cw;
	u32 recover;
	u32 packets_out;
	u32 sacked_out;
	u32 lost_out;
	u32 retrans_out;
	u32 max_packets_out;
	u32 max_packets_seq;
	u32 sack_high;
	u16 reordering;
	bool reord_seen;
	u8 dupacks;
	u8 loss_epoch;
	u8 ca_state;
	bool cwnd_limited;
	struct xtcp_undo undo;
	struct xtcp_rack rack;
	struct xtcp_prr prr;
	u32 tlp_high_seq;
	bool tlp_out;
	bool tlp_retrans;
	bool tlp_dsack;
	u32 dsack_dups;

	struct sk_buff *send_head;
	struct timer_list rtx_timer;
	u8 rtx_mode;
	struct timer_list keepalive_timer;
	struct timer_list delack_timer;
	unsigned long deferred;
	u32 mtu_info;

	spinlock_t req_lock;	/* see above */
	struct list_head requests;
	struct hlist_head *req_hash;
	unsigned int req_hash_mask;
	unsigned int nr_requests;
	unsigned int nr_completing;
	unsigned long cookie_stamp;
	struct list_head accept_queue;
	struct list_head accept_node;
};

static inline struct xtcp_sock *xtcp_sk(const struct sock *sk)
{
	return (struct xtcp_sock *)sk;
}

/*
 * Addresses of either family.  Where xtcp keeps or compares addresses
 * apart from a socket (requests, lookups, cookies, initial sequence
 * numbers) they are struct in6_addr, an IPv4 address v4-mapped
 * (::ffff:a.b.c.d), as the IPv6 socket API shows IPv4 peers: a
 * v4-mapped address means the segments travel over IPv4.
 */
static inline bool xtcp_addr_is_v4(const struct in6_addr *a)
{
	return ipv6_addr_v4mapped(a);
}

static inline __be32 xtcp_addr_v4(const struct in6_addr *a)
{
	return a->s6_addr32[3];
}

static inline void xtcp_addr_set_v4(struct in6_addr *a, __be32 addr)
{
	ipv6_addr_set_v4mapped(addr, a);
}

/**
 * xtcp_siphash6() - keyed hash of two IPv6 addresses and two words
 * @a: first address
 * @b: second address
 * @x: first word
 * @y: second word
 * @key: the key
 *
 * For the IPv6 keys of the tables, initial sequence numbers and cookies,
 * whose IPv4 keys are siphash_4u32()s: every address bit counts, so that
 * peers choosing addresses cannot aim at one value.
 *
 * Return: the hash.
 */
static inline u32 xtcp_siphash6(const struct in6_addr *a,
				const struct in6_addr *b, u32 x, u32 y,
				const siphash_key_t *key)
{
	const struct {
		struct in6_addr a;
		struct in6_addr b;
		u32 x;
		u32 y;
	} __aligned(SIPHASH_ALIGNMENT) in = { .a = *a, .b = *b, .x = x, .y = y };

	return siphash(&in, sizeof(in), key);
}

static inline bool xtcp_addr_loopback(const struct in6_addr *a)
{
	return xtcp_addr_is_v4(a) ? ipv4_is_loopback(xtcp_addr_v4(a)) :
				    ipv6_addr_loopback(a);
}

/**
 * xtcp_addr_to_sa() - an address and port as a sockaddr, for printing
 * @buf: room for a struct sockaddr_in6, zeroed
 * @a: the address, IPv4 v4-mapped (which becomes a sockaddr_in)
 * @port: the port, host order
 *
 * What the tracepoints print with %pISpc: "192.0.2.1:80" or
 * "[2001:db8::1]:80".
 */
static inline void xtcp_addr_to_sa(void *buf, const struct in6_addr *a,
				   u16 port)
{
	struct sockaddr_in6 *sin6 = buf;
	struct sockaddr_in *sin = buf;

	if (xtcp_addr_is_v4(a)) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sin->sin_addr.s_addr = xtcp_addr_v4(a);
	} else {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		sin6->sin6_addr = *a;
	}
}

/**
 * xtcp_sk_is_v4() - does the connection of @sk travel over IPv4?
 * @sk: a connected or connecting socket
 *
 * An AF_INET socket, or an AF_INET6 one whose peer is v4-mapped (a
 * dual-stack socket talking to an IPv4 peer), which then keeps its
 * addresses in the IPv4 fields too, as Linux TCP does.
 *
 * Return: true over IPv4.
 */
static inline bool xtcp_sk_is_v4(const struct sock *sk)
{
	return sk->sk_family == AF_INET ||
	       ipv6_addr_v4mapped(&sk->sk_v6_daddr);
}

/*
 * The DSCP and ECN bits of a received segment's IP header: IPv4's TOS
 * byte, IPv6's traffic class.
 */
static inline u8 xtcp_skb_dsfield(const struct sk_buff *skb)
{
	return skb->protocol == htons(ETH_P_IP) ? ip_hdr(skb)->tos :
						  ipv6_get_dsfield(ipv6_hdr(skb));
}

/* The device a received segment came in on, and its l3 master's. */
static inline int xtcp_skb_iif(const struct sk_buff *skb)
{
	return skb->protocol == htons(ETH_P_IP) ? inet_iif(skb) :
						  inet6_iif(skb);
}

static inline int xtcp_skb_sdif(const struct sk_buff *skb)
{
	return skb->protocol == htons(ETH_P_IP) ? inet_sdif(skb) :
						  inet6_sdif(skb);
}

/**
 * xtcp_sk_addrs() - the addresses of a socket's connection
 * @sk: a socket
 * @laddr: set to its local (bound) address, IPv4 v4-mapped
 * @raddr: set to its peer's address
 */
static inline void xtcp_sk_addrs(const struct sock *sk,
				 struct in6_addr *laddr,
				 struct in6_addr *raddr)
{
	if (xtcp_sk_is_v4(sk)) {
		xtcp_addr_set_v4(laddr, sk->sk_rcv_saddr);
		xtcp_addr_set_v4(raddr, sk->sk_daddr);
	} else {
		*laddr = sk->sk_v6_rcv_saddr;
		*raddr = sk->sk_v6_daddr;
	}
}

/**
 * xtcp_skb_addrs() - the addresses of a received segment
 * @skb: a segment that came over IPv4 or IPv6
 * @saddr: set to its source address (IPv4 v4-mapped)
 * @daddr: set to its destination address
 */
static inline void xtcp_skb_addrs(const struct sk_buff *skb,
				  struct in6_addr *saddr,
				  struct in6_addr *daddr)
{
	if (skb->protocol == htons(ETH_P_IP)) {
		xtcp_addr_set_v4(saddr, ip_hdr(skb)->saddr);
		xtcp_addr_set_v4(daddr, ip_hdr(skb)->daddr);
	} else {
		*saddr = ipv6_hdr(skb)->saddr;
		*daddr = ipv6_hdr(skb)->daddr;
	}
}

/**
 * xtcp_assert_sock_locked() - rule 1: may @sk's state machine run here?
 * @sk: the socket
 *
 * Yes in its owner's process context (lock_sock(), or the backlog and
 * release_cb that release_sock() runs), and in softirq under
 * bh_lock_sock() while no user owns @sk.  Stricter than
 * sock_owned_by_me(), which also takes bh_lock_sock() on a socket the
 * user owns: the case that must use the backlog or the deferred bits.
 */
static inline void xtcp_assert_sock_locked(const struct sock *sk)
{
	lockdep_assert(lockdep_is_held(&sk->sk_lock) ||
		       (lockdep_is_held(&sk->sk_lock.slock) &&
			!sock_owned_by_user_nocheck(sk)));
}

/**
 * xtcp_assert_sock_owned() - @sk is owned through lock_sock() (rule 1)
 * @sk: the socket
 *
 * For what runs only in process context on a socket the caller owns
 * (socket calls, socket options), never from softirq.
 */
static inline void xtcp_assert_sock_owned(const struct sock *sk)
{
	lockdep_assert_held(&sk->sk_lock);
}

/**
 * struct xtcp_skb_cb - xtcp's part of skb->cb
 * @header: IP's or IPv6's control block, left in place for the IP layer
 *	(inet6_iif() reads it on receive)
 * @seq: first sequence number of the segment
 * @end_seq: @seq + payload length + SYN + FIN
 * @flags: %XTCP_FLAG_* of the segment
 * @rexmit: a queued skb was sent more than once: its ACK gives no
 *	RTT sample (Karn's algorithm)
 * @sacked: a queued skb the peer reported in a SACK block: it is not
 *	sent again
 * @sent_us: when a queued skb was first sent (xtcp_clock_us())
 * @segs: what a queued skb sent counts in packets_out: the segments it
 *	left as (xtcp_skb_segs()); 0 until sent
 * @lost: a sent skb is marked lost (counted in lost_out): RACK or a
 *	timeout decided so, and no SACK block reported it since
 * @retrans: a sent skb was sent again and that copy is in flight
 *	(counted in retrans_out)
 * @xmit_us: when a queued skb was last sent, retransmissions included:
 *	RACK's clock (RFC 8985's xmit_ts)
 * @rexmit_epoch: the loss episode (xtcp_sock.loss_epoch) in which it
 *	was last sent again: once per episode (xtcp_cong.c)
 *
 * A queued skb holds up to xtcp_size_goal() bytes: several segments
 * where the route takes GSO skbs, cut to segment size on the wire
 * (xtcp_offload.c).  It is split where a window, Nagle, a SACK block or
 * a retransmission needs a boundary, and trimmed by partial ACKs.
 */
struct xtcp_skb_cb {
	union {
		struct inet_skb_parm h4;
		struct inet6_skb_parm h6;
	} header;
	u32 seq;
	u32 end_seq;
	u8 flags;
	u8 rexmit;
	u8 sacked;
	u8 rexmit_epoch;
	u16 segs;
	u8 lost;
	u8 retrans;
	u32 sent_us;
	u32 xmit_us;
};

#define XTCP_SKB_CB(skb) ((struct xtcp_skb_cb *)&((skb)->cb[0]))

/**
 * xtcp_unclone_keeptruesize() - skb_unclone() keeping the truesize
 * @skb: an skb of the write queue
 * @pri: allocation flags
 *
 * As Linux's skb_unclone_keeptruesize(), which modules cannot call: the
 * write queue charged @skb's truesize once, and must give back as much;
 * the private copy of its head is not charged again.
 *
 * Return: 0 or -ENOMEM.
 */
static inline int xtcp_unclone_keeptruesize(struct sk_buff *skb, gfp_t pri)
{
	unsigned int truesize = skb->truesize;

	if (!skb_cloned(skb))
		return 0;
	if (pskb_expand_head(skb, 0, 0, pri))
		return -ENOMEM;
	skb->truesize = truesize;
	return 0;
}

/**
 * xtcp_opt_room() - bytes the options take in our next data segment
 * @xs: the socket
 *
 * Return: the aligned length of the timestamp option when the
 * connection uses it, and of the SACK option when we owe the peer
 * blocks, as xtcp_build_header() will write them; and the IP options
 * the socket sets.
 */
static inline u32 xtcp_opt_room(const struct xtcp_sock *xs)
{
	struct xtcp_opts o = {
		.num_sacks = xs->sack_ok ? xs->sack.num + xs->sack.has_dsack :
					   0,
	};

	if (xs->tstamp_ok)
		o.present |= XTCP_OPTF_TS;
	if (o.num_sacks) {
		o.present |= XTCP_OPTF_SACK;
		o.num_sacks = min_t(u32, o.num_sacks, XTCP_OPT_SACK_MAX);
	}
	return (o.present ? xtcp_opts_len(&o) : 0) + xs->ip_opt_len;
}

/*
 * Payload per segment: the MSS less the options our segments carry now,
 * as Linux's tcp_current_mss(), but no more than a 16 KiB buffer less
 * its overhead (15744 bytes), so that on large-MTU links (loopback) one
 * segment stays a small part of the receive buffer.  The MSS counts a
 * bare header; a full segment that also carried the timestamp and the
 * SACK blocks we owe the peer would not fit the path MTU, and IP would
 * drop every one of them (EMSGSIZE).  A shorter
 * segment is "partial" for Nagle and cork.
 */
static inline u32 xtcp_seg_size(const struct xtcp_sock *xs)
{
	u32 room = xtcp_opt_room(xs);
	u32 mss = xs->mss > room ? xs->mss - room : 1;

	return min_t(u32, mss, SKB_WITH_OVERHEAD(16384) - XTCP_HEADROOM);
}

/**
 * xtcp_skb_segs() - segments of @seg bytes that @len bytes of payload take
 * @len: payload of a queued skb
 * @seg: segment size
 *
 * Return: at least 1: a SYN or FIN without data is a segment too.
 */
static inline u16 xtcp_skb_segs(u32 len, u32 seg)
{
	return len > seg ? DIV_ROUND_UP(len, seg) : 1;
}

/**
 * struct xtcp_request - a connection in SYN_RECV that has no socket yet
 * @node: link in the listener's xtcp_sock.requests, under its req_lock;
 *	empty once the request's owner has taken it off the list
 * @hnode: link in the listener's xtcp_sock.req_hash, under its req_lock
 * @listener: the listening socket; the request holds a reference
 * @laddr: local address, an IPv4 one v4-mapped (xtcp_addr_is_v4())
 * @raddr: peer address, of the same family as @laddr
 * @lport: local port
 * @rport: peer port
 * @iss: our initial sequence number
 * @irs: the peer's initial sequence number
 * @mss: the peer's MSS
 * @advmss: the MSS we announce, from the route back to the peer
 * @rcv_wnd: the window our SYN-ACK offers: what the child, which gets
 *	the listener's receive buffer, can take (xtcp_rcv_space())
 * @snd_wscale: the peer's window scale
 * @rcv_wscale: ours, 0 unless the peer's SYN offered window scaling
 * @wscale_ok: the peer's SYN offered window scaling
 * @sack_ok: the peer's SYN allowed SACK
 * @tstamp_ok: the peer's SYN carried a timestamp, and we offer ours
 * @ts_recent: the timestamp of the peer's SYN, to echo
 * @ts_offset: what the child adds to its clock in its timestamps
 * @retrans: SYN-ACKs sent again so far
 * @dev_if: interface the SYN arrived on
 * @syn_tos: the DSCP and ECN bits of the SYN's IP header (Linux's
 *	syn_tos), for sysctl reflect_tos
 * @mark: the listener's SO_MARK when the SYN came, as Linux's ir_mark
 *	(inet_request_mark() without tcp_fwmark_accept): sock_diag shows it
 * @pktopts: the SYN, kept for the child's IPV6_2292PKTOPTIONS when an
 *	IPv6 listener asked for received options (Linux's ireq->pktopts),
 *	with a reference of its own; a SYN cookie's request borrows the
 *	ACK being processed; NULL otherwise
 * @timer: SYN-ACK retransmission
 * @expires: jiffies of the next SYN-ACK retransmission
 *
 * Whoever takes a request off @node owns it (rule 5 above).
 */
struct xtcp_request {
	struct list_head node;
	struct hlist_node hnode;
	struct sock *listener;
	struct in6_addr laddr;
	struct in6_addr raddr;
	__be16 lport;
	__be16 rport;
	u32 iss;
	u32 irs;
	u16 mss;
	u16 advmss;
	u16 rcv_wnd;
	u8 snd_wscale;
	u8 rcv_wscale;
	u8 wscale_ok;
	u8 sack_ok;
	u8 tstamp_ok;
	u8 retrans;
	u32 ts_recent;
	u32 ts_offset;
	int dev_if;
	u8 syn_tos;
	u32 mark;
	struct sk_buff *pktopts;
	struct timer_list timer;
	unsigned long expires;
};

/**
 * struct xtcp_tw - a connection in TIME_WAIT, without a socket
 * @bind_node: link in its port's TIME_WAIT owners: the entry keeps
 *	its local port bound, as Linux's TIME_WAIT sockets do
 * @hash_next: next entry of its TIME_WAIT hash chain
 * @wheel_node: link in its timing wheel slot
 * @net: network namespace
 * @laddr: local address
 * @raddr: peer address
 * @lport: local port
 * @rport: peer port
 * @snd_nxt: sequence number of our next segment (after our FIN)
 * @rcv_nxt: next sequence number expected (after the peer's FIN)
 * @expires_reuse: jiffies when 2*MSL ends, in bits 31..3; the bits of
 *	%XTCP_TW_FLAGS say how the socket it replaced held its port and
 *	whether it was a dual-stack AF_INET6 one
 * @mark: the socket's SO_MARK, as Linux's tw_mark: its ACKs carry it,
 *	sock_diag shows it
 * @tos: the socket's TOS (AF_INET) or traffic class (AF_INET6), as
 *	Linux's tw_tos and tw_tclass: its ACKs carry its DSCP
 *
 * Kept at 72 bytes (see xtcp_tw.c).  The locks of its links, and the
 * wheel's ownership of its memory, are in the rules above.
 */
struct xtcp_tw {
	struct hlist_node bind_node;
	struct xtcp_tw *hash_next;
	struct xtcp_wheel_node wheel_node;
	possible_net_t net;
	__be32 laddr;
	__be32 raddr;
	__be16 lport;
	__be16 rport;
	u32 snd_nxt;
	u32 rcv_nxt;
	u32 expires_reuse;
	u32 mark;
	u8 tos;
};

/**
 * struct xtcp_tw6 - a TIME_WAIT entry of an IPv6 connection
 * @tw: the entry, with laddr and raddr 0: no IPv4 connection has a
 *	peer at 0.0.0.0 (IP drops such a source as a martian), so IPv4
 *	keys never match it, and xtcp_tw_is_v6() tells it apart
 * @laddr: local address
 * @raddr: peer address
 *
 * From a cache of its own, so that IPv4 entries stay at 72 bytes.
 */
struct xtcp_tw6 {
	struct xtcp_tw tw;
	struct in6_addr laddr;
	struct in6_addr raddr;
};

static inline bool xtcp_tw_is_v6(const struct xtcp_tw *tw)
{
	return !tw->raddr;
}

/**
 * xtcp_tw_addrs() - the addresses of a TIME_WAIT entry
 * @tw: the entry
 * @laddr: set to its local address, IPv4 v4-mapped
 * @raddr: set to its peer's
 */
static inline void xtcp_tw_addrs(const struct xtcp_tw *tw,
				 struct in6_addr *laddr,
				 struct in6_addr *raddr)
{
	const struct xtcp_tw6 *tw6 = container_of(tw, struct xtcp_tw6, tw);

	if (xtcp_tw_is_v6(tw)) {
		*laddr = tw6->laddr;
		*raddr = tw6->raddr;
	} else {
		xtcp_addr_set_v4(laddr, tw->laddr);
		xtcp_addr_set_v4(raddr, tw->raddr);
	}
}

/*
 * Bits of xtcp_tw.expires_reuse below the expiry time, set before the
 * entry is visible.  XTCP_TW_DUAL stands for both of the fields Linux's
 * timewait socket copies from its socket that xtcp's can differ by,
 * tw_family and tw_ipv6only (see xtcp_tw_family(), xtcp_tw_v6only()):
 * an IPv4 connection of an AF_INET6 socket is one of a dual-stack
 * socket (IPV6_V6ONLY cannot be set on it), and an IPv6 entry's socket
 * is AF_INET6 whatever the bit says.
 */
#define XTCP_TW_REUSE		1U	/* the socket set SO_REUSEADDR */
#define XTCP_TW_CONNECT		2U	/* its port came from connect() */
#define XTCP_TW_DUAL		4U	/* AF_INET6, IPV6_V6ONLY not set */
#define XTCP_TW_PORT_FLAGS	(XTCP_TW_REUSE | XTCP_TW_CONNECT)
#define XTCP_TW_FLAGS		(XTCP_TW_PORT_FLAGS | XTCP_TW_DUAL)

/**
 * xtcp_tw_family() - the family of the socket a TIME_WAIT entry replaced
 * @tw: the entry
 *
 * As Linux's tw_family: an IPv4 connection of a dual-stack AF_INET6
 * socket stays AF_INET6 in TIME_WAIT, listed in /proc/net/xtcp6 and by
 * AF_INET6 sock_diag dumps with v4-mapped addresses, though its segments
 * are IPv4 ones and are looked up as such.
 *
 * Return: AF_INET or AF_INET6.
 */
static inline sa_family_t xtcp_tw_family(const struct xtcp_tw *tw)
{
	if (xtcp_tw_is_v6(tw) || (READ_ONCE(tw->expires_reuse) & XTCP_TW_DUAL))
		return AF_INET6;
	return AF_INET;
}

/**
 * xtcp_tw_v6only() - was the socket of a TIME_WAIT entry IPV6_V6ONLY?
 * @tw: the entry
 *
 * Linux's tw_ipv6only, which only an IPv6 connection's socket can have
 * set (inet6_bind() sets it on a socket bound to a concrete IPv6
 * address): it keeps a bind() to 0.0.0.0 off the entry's port no more
 * than the socket did (xtcp_tw_addr_overlap()).
 *
 * Return: true for an IPv6 entry of an IPV6_V6ONLY socket.
 */
static inline bool xtcp_tw_v6only(const struct xtcp_tw *tw)
{
	return xtcp_tw_is_v6(tw) &&
	       !(READ_ONCE(tw->expires_reuse) & XTCP_TW_DUAL);
}

/**
 * struct xtcp_tw_wheel - the TIME_WAIT timing wheel of one namespace
 * @lock: protects every field below
 * @timer: advances the wheel one slot a tick; armed while @held > 0
 * @wheel: slots and clock (see xtcp_wheel.h); the slot width is
 *	2*MSL / %XTCP_WHEEL_SLOTS rounded up, in jiffies
 * @held: entries on the wheel, including killed ones not freed yet
 * @live: entries still reachable by lookups
 * @allocated: entries allocated and not freed yet, killed ones included
 *	(bounded by max_tw_buckets); not under @lock
 * @dying: set at namespace exit: the timer must not be re-armed
 * @max_tick: most entries one tick took off its slot (expired or moved)
 *	since the namespace began: the work %XTCP_TW_QUOTA bounds
 * @max_tick_ns: longest a tick took, in ns, from taking the wheel lock
 *	to re-arming the timer
 */
struct xtcp_tw_wheel {
	spinlock_t lock;	/* see above */
	struct timer_list timer;
	struct xtcp_wheel wheel;
	unsigned int held;
	unsigned int max_tick;
	u32 max_tick_ns;
	atomic_t live;
	atomic_t allocated;
	bool dying;
};

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
	XTCP_MIB_OUTRSTS,	/* resets sent */
	XTCP_MIB_RETRANSSEGS,	/* segments sent again after a timeout */
	XTCP_MIB_ACTIVEOPENS,	/* connect() calls that sent a SYN */
	XTCP_MIB_PASSIVEOPENS,	/* connections accepted by listeners */
	XTCP_MIB_LISTENOVERFLOWS, /* SYNs, ACKs dropped: accept queue full */
	XTCP_MIB_TWCREATED,	/* TIME_WAIT entries created */
	XTCP_MIB_TWEXPIRED,	/* TIME_WAIT entries that ran 2*MSL */
	XTCP_MIB_TWOVERFLOWS,	/* TIME_WAIT skipped: max_tw_buckets */
	XTCP_MIB_TWRECYCLED,	/* TIME_WAIT reopened by a new SYN */
	XTCP_MIB_ESTABRESETS,	/* connections reset by the peer */
	XTCP_MIB_ATTEMPTFAILS,	/* connection attempts that failed */
	XTCP_MIB_FASTRETRANS,	/* fast retransmits (duplicate ACKs, SACK) */
	XTCP_MIB_OFOQUEUE,	/* segments kept in the out-of-order queue */
	XTCP_MIB_KEEPALIVEPROBES, /* keepalive probes sent */
	XTCP_MIB_KEEPALIVETIMEOUTS, /* connections ended by keepalive */
	XTCP_MIB_WINPROBES,	/* zero-window probes sent */
	XTCP_MIB_TIMEOUTS,	/* retransmission timer expiries */
	XTCP_MIB_RCVCOLLAPSED,	/* received skbs copied into compact ones */
	XTCP_MIB_RCVQDROP,	/* in-order data dropped: no receive memory */
	XTCP_MIB_OFODROP,	/* out-of-order data dropped: no memory */
	XTCP_MIB_REPEATTIMEOUTS, /* timeouts with no ACK progress since the last */
	XTCP_MIB_OFOPRUNED,	/* out-of-order skbs dropped to make room */
	XTCP_MIB_CHALLENGEACK,	/* challenge ACKs sent (RFC 5961) */
	XTCP_MIB_SYNCHALLENGE,	/* SYNs answered with a challenge ACK */
	XTCP_MIB_ACKSKIPPEDCHALLENGE, /* challenge ACKs the limits held back */
	XTCP_MIB_ACKSKIPPEDSEQ,	/* ACKs to out-of-window segments held back */
	XTCP_MIB_BADACKDROP,	/* segments dropped for their ACK number */
	XTCP_MIB_OUTRSTSKIPPED,	/* resets to strays held back by reset_ratelimit */
	XTCP_MIB_ACKSKIPPEDTIMEWAIT, /* TIME_WAIT ACKs held back by the limit */
	XTCP_MIB_ABORTONTIMEOUT, /* connections that gave up retransmitting */
	XTCP_MIB_ABORTONMEMORY,	/* orphans reset: over max_orphans */
	XTCP_MIB_SYNCOOKIESSENT, /* SYNs answered with a cookie */
	XTCP_MIB_SYNCOOKIESRECV, /* ACKs that carried a valid cookie */
	XTCP_MIB_SYNCOOKIESFAILED, /* ACKs checked as cookies and refused */
	XTCP_MIB_LISTENDROPS,	/* SYNs and final ACKs a listener dropped */
	XTCP_MIB_WQUEUETOOBIG,	/* splits of sent skbs refused: queue too big */
	XTCP_MIB_DSACKRECV,	/* D-SACK blocks received */
	XTCP_MIB_DSACKUNDO,	/* recoveries undone: every resend a duplicate */
	XTCP_MIB_LOSSUNDO,	/* timeouts undone: an original was acknowledged */
	XTCP_MIB_FULLUNDO,	/* recoveries undone by timestamps at their end */
	XTCP_MIB_TWREUSED,	/* TIME_WAIT 4-tuples connect() took (tw_reuse) */
	XTCP_MIB_TWREUSESEQREJECT, /* their SYN-ACKs dropped: ISN not above */
	XTCP_MIB_RACKLOST,	/* segments RACK marked lost (RFC 8985) */
	XTCP_MIB_TLPPROBES,	/* tail loss probes sent */
	XTCP_MIB_TLPRECOVERY,	/* losses a tail loss probe repaired */
	XTCP_MIB_REOTIMEOUTS,	/* RACK reordering timer expiries */
	XTCP_MIB_PARTIALUNDO,	/* recoveries undone by timestamps before it */
	XTCP_MIB_TWKILLEDBYRST,	/* TIME_WAIT ended by a RST at rcv_nxt */
	XTCP_MIB_PARTIALUNDOHOLD, /* ACKs held: late original, copies out */
	__XTCP_MIB_MAX
};

/**
 * struct xtcp_mib - per-cpu counters of one network namespace
 * @mibs: one counter per &enum xtcp_mib_field
 */
struct xtcp_mib {
	unsigned long mibs[__XTCP_MIB_MAX];
};

#define XTCP_MSL_MS_DEFAULT		30000
#define XTCP_SYN_RETRIES_DEFAULT	6
#define XTCP_SYNACK_RETRIES_DEFAULT	5
#define XTCP_FIN_TIMEOUT_MS_DEFAULT	60000
#define XTCP_MAX_TW_BUCKETS_DEFAULT	262144
#define XTCP_INVALID_RATELIMIT_MS_DEFAULT 500
#define XTCP_RESET_RATELIMIT_DEFAULT	1000
#define XTCP_MIN_SND_MSS		48	/* as Linux's TCP_MIN_SND_MSS */
#define XTCP_MAX_ORPHANS_DEFAULT	65536
#define XTCP_ORPHAN_RETRIES_ALIVE	8	/* orphan_retries 0 means this */
#define XTCP_SYNCOOKIES_DEFAULT		1	/* cookies when the queue is full */
#define XTCP_TW_REUSE_DEFAULT		2	/* loopback only, as Linux's */
#define XTCP_RFC1337_DEFAULT		0	/* as Linux's tcp_rfc1337 */
#define XTCP_REFLECT_TOS_DEFAULT	0	/* as Linux's tcp_reflect_tos */

/* SYN cookies (xtcp_cookie.c): a minute counter; cookies live 1-2 ticks. */
#define XTCP_COOKIE_PERIOD	(60 * HZ)
#define XTCP_COOKIE_VALID	(XTCP_COOKIE_MAX_AGE * XTCP_COOKIE_PERIOD)

/**
 * struct xtcp_net - xtcp's state in one network namespace
 * @mib: per-cpu counters
 * @sysctl_hdr: registration of /proc/sys/net/xtcp for this namespace
 * @ctl_sk: kernel socket that sends resets and TIME_WAIT acknowledgments
 * @ctl_sk6: the same for IPv6
 * @tw_wheel: the TIME_WAIT timing wheel
 * @sysctl_msl_ms: maximum segment lifetime in ms; TIME_WAIT lasts 2*MSL
 * @sysctl_syn_retries: SYN retransmissions before connect() gives up
 * @sysctl_synack_retries: SYN-ACK retransmissions before a request dies
 * @sysctl_fin_timeout_ms: lifetime of an orphaned FIN_WAIT2 socket
 * @sysctl_max_tw_buckets: most TIME_WAIT entries kept at once
 * @sysctl_cong: congestion control algorithm of new sockets
 * @sysctl_retries2: retransmissions of data (or unanswered zero-window
 *	probes) before a connection gives up with ETIMEDOUT
 * @sysctl_timestamps: 1 offers the timestamp option (RFC 7323) in SYNs
 * @sysctl_enabled: 0 turns xtcp off in the namespace: no new sockets,
 *	and segments are answered as IP answers an unknown protocol
 * @sysctl_invalid_ratelimit_ms: least time between two ACKs a connection
 *	sends to unacceptable segments (Linux's tcp_invalid_ratelimit)
 * @sysctl_challenge_ack_limit: challenge ACKs the namespace sends per
 *	second, on average; INT_MAX (the default, as Linux 6.1) for no limit
 * @sysctl_reset_ratelimit: resets per second to segments no connection
 *	wants; 0 for no limit
 * @sysctl_min_snd_mss: the smallest segment size we send with, whatever
 *	the peer announces or the path says (Linux's tcp_min_snd_mss)
 * @sysctl_max_orphans: closed sockets still sending (of all namespaces)
 *	beyond which the namespace's orphans are reset at their next timer
 * @sysctl_orphan_retries: retransmissions an orphan makes before it gives
 *	up; 0 for 8, as Linux's tcp_orphan_retries
 * @sysctl_syncookies: SYN cookies (Linux's tcp_syncookies): 0 never (a
 *	SYN finding the request queue full is dropped), 1 when the request
 *	queue is full, 2 for every SYN
 * @sysctl_tw_reuse: whether connect() may take a 4-tuple still in
 *	TIME_WAIT when it is safe (xtcp_tw_taken()), as Linux's
 *	tcp_tw_reuse: 0 never, 1 always, 2 on loopback only
 * @sysctl_rfc1337: 1 lets no RST end TIME_WAIT (RFC 1337); 0, as Linux's
 *	tcp_rfc1337, lets one at exactly the entry's rcv_nxt end it
 * @sysctl_reflect_tos: 1 gives a SYN-ACK, and the connection's socket,
 *	the DSCP of the peer's SYN, as Linux's tcp_reflect_tos
 * @challenge_stamp: the second (jiffies / HZ) @challenge_left counts for
 * @challenge_left: challenge ACKs left in that second
 * @reset_stamp: the second @resets_left counts for
 * @resets_left: resets left in that second
 */
struct xtcp_net {
	struct xtcp_mib __percpu *mib;
	struct ctl_table_header *sysctl_hdr;
	struct sock *ctl_sk;
	struct sock *ctl_sk6;
	struct xtcp_tw_wheel tw_wheel;
	int sysctl_msl_ms;
	int sysctl_syn_retries;
	int sysctl_synack_retries;
	int sysctl_fin_timeout_ms;
	int sysctl_max_tw_buckets;
	int sysctl_retries2;
	int sysctl_timestamps;
	int sysctl_enabled;
	int sysctl_invalid_ratelimit_ms;
	int sysctl_challenge_ack_limit;
	int sysctl_reset_ratelimit;
	int sysctl_min_snd_mss;
	int sysctl_max_orphans;
	int sysctl_orphan_retries;
	int sysctl_syncookies;
	int sysctl_tw_reuse;
	int sysctl_rfc1337;
	int sysctl_reflect_tos;
	char sysctl_cong[XTCP_CA_NAME_MAX];
	u32 challenge_stamp;
	u32 challenge_left;
	u32 reset_stamp;
	u32 resets_left;
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

/*
 * The segment size to send with: what the peer or the path allows, but
 * never under min_snd_mss, so that a peer announcing a tiny MSS cannot
 * make us cut the stream into headers (CVE-2019-11479).
 */
static inline u16 xtcp_snd_mss_floor(const struct sock *sk, u32 mss)
{
	u32 floor = READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_min_snd_mss);

	return max(mss, floor);
}

#define XTCP_INC_STATS(net, field) \
	this_cpu_inc(xtcp_pernet(net)->mib->mibs[field])
#define XTCP_ADD_STATS(net, field, val) \
	this_cpu_add(xtcp_pernet(net)->mib->mibs[field], val)

/* xtcp_table.c */
int xtcp_table_init(void);
void xtcp_table_exit(void);
int xtcp_get_port(struct sock *sk, unsigned short snum);
void xtcp_put_port(struct sock *sk);
int xtcp_inherit_port(struct sock *child, const struct sock *listener);
int xtcp_connect_port(struct sock *sk);
int xtcp_bind_listen(struct sock *sk);
int xtcp_hash(struct sock *sk);
void xtcp_unhash(struct sock *sk);
struct sock *xtcp_lookup(struct net *net, __be32 saddr, __be16 sport,
			 __be32 daddr, __be16 dport, int dif, int sdif);
struct sock *xtcp_lookup_listener(struct net *net, __be32 daddr, u16 hnum,
				  int dif, int sdif);
struct sock *xtcp_lookup6(struct net *net, const struct in6_addr *saddr,
			  __be16 sport, const struct in6_addr *daddr,
			  __be16 dport, int dif, int sdif);
struct sock *xtcp_lookup_listener6(struct net *net,
				   const struct in6_addr *daddr, u16 hnum,
				   int dif, int sdif);
u32 xtcp_tuple_hash(const struct net *net, const struct in6_addr *laddr,
		    u16 lport, const struct in6_addr *faddr, __be16 fport);
void xtcp_bind_tw_add(struct xtcp_tw *tw, const struct sock *sk);
void xtcp_bind_tw_del(struct xtcp_tw *tw);

/* What a /proc walk visits: a socket, a pending request or TIME_WAIT. */
enum xtcp_entry_kind {
	XTCP_ENTRY_SOCK,
	XTCP_ENTRY_REQ,
	XTCP_ENTRY_TW,
};

/**
 * struct xtcp_table_iter - cursor over the entries of one namespace
 * @net: namespace whose entries are listed
 * @bucket: chain the cursor is in, counting the listening, connection,
 *	TIME_WAIT and bind hash chains one after another
 * @last: address of the entry of @bucket last visited, 0 for none: a
 *	chain's entries are visited in the order of their addresses
 * @offset: requests visited of listener @last
 */
struct xtcp_table_iter {
	struct net *net;
	unsigned int bucket;
	unsigned long last;
	unsigned int offset;
};

/**
 * typedef xtcp_iter_fn - reads an entry during a table walk
 * @kind: what @entry points to
 * @entry: a struct sock, struct xtcp_request or struct xtcp_tw; its
 *	chain (and for a request its listener's req_lock) is locked and
 *	softirqs are off
 * @arg: the walker's cookie
 */
typedef void (*xtcp_iter_fn)(enum xtcp_entry_kind kind, const void *entry,
			     void *arg);
bool xtcp_iter_next(struct xtcp_table_iter *it, xtcp_iter_fn fn, void *arg);

/**
 * struct xtcp_entry_info - what /proc/net/xtcp and sock_diag show of an entry
 * @saddr: local address
 * @daddr: remote address
 * @sport: local port, host order
 * @dport: remote port, host order
 * @state: TCP_* state
 * @tx_queue: bytes sent or queued and not acknowledged
 * @rx_queue: bytes received and not read (accept backlog of a listener)
 * @timer: timer kind, as /proc/net/tcp: 0 none, 1 retransmit, 2 other,
 *	3 TIME_WAIT, 4 window probe
 * @expires: jiffies when the timer fires
 * @retrans: retransmissions so far
 * @uid: owner
 * @ino: inode of the socket (0 without a socket)
 * @refcnt: socket reference count
 * @ptr: entry address (hashed by %pK)
 * @kind: what the entry is
 * @family: AF_INET or AF_INET6: which of /proc/net/xtcp and
 *	/proc/net/xtcp6 shows the entry (an AF_INET6 socket talking to an
 *	IPv4 peer is in xtcp6, as with TCP)
 * @saddr6: local address of an AF_INET6 entry
 * @daddr6: remote address of an AF_INET6 entry
 * @cookie: sock_diag cookie of a TIME_WAIT entry (xtcp_tw_cookie()) or
 *	a pending request (xtcp_req_cookie())
 * @mark: SO_MARK of a pending request (its listener's when it came) or
 *	of the socket a TIME_WAIT entry replaced
 *
 * Copied under the bucket lock, printed after it is dropped.
 */
struct xtcp_entry_info {
	__be32 saddr;
	__be32 daddr;
	u16 sport;
	u16 dport;
	int state;
	u32 tx_queue;
	u32 rx_queue;
	int timer;
	unsigned long expires;
	int retrans;
	kuid_t uid;
	unsigned long ino;
	int refcnt;
	const void *ptr;
	enum xtcp_entry_kind kind;
	sa_family_t family;
	struct in6_addr saddr6;
	struct in6_addr daddr6;
	u64 cookie;
	u32 mark;
};

/* xtcp_sock.c */
int xtcp_listen(struct socket *sock, int backlog);
__poll_t xtcp_poll(struct file *file, struct socket *sock, poll_table *wait);
bool xtcp_transition(struct sock *sk, enum xtcp_event ev);
void xtcp_done(struct sock *sk, enum xtcp_event ev);
void xtcp_destroy_orphan(struct sock *sk);
void xtcp_orphan(struct sock *sk);
bool xtcp_too_many_orphans(const struct sock *sk);
int xtcp_orphans(void);

/* xtcp_conn.c */
u32 xtcp_isn(const struct in6_addr *saddr, const struct in6_addr *daddr,
	     __be16 sport, __be16 dport);
int xtcp_connect_syn(struct sock *sk);
int xtcp_v4_connect(struct sock *sk, struct sockaddr *uaddr, int addr_len);
int xtcp_listen_rcv(struct sock *sk, struct sk_buff *skb,
		    const struct xtcp_seg_hdr *h);
void xtcp_listen_stop(struct sock *sk);
int xtcp_listen_alloc(struct sock *sk, int backlog);
int xtcp_cookie_ack(struct sock *sk, struct sk_buff *skb,
		    const struct xtcp_seg_hdr *h);
void xtcp_listen_free(struct sock *sk);
int xtcp_req_diag(struct net *net, const struct in6_addr *laddr,
		  __be16 lport, const struct in6_addr *raddr, __be16 rport,
		  int dif, const u32 *cookie, struct xtcp_entry_info *e,
		  bool destroy, bool net_admin);
struct sock *xtcp_accept(struct sock *sk, int flags, int *err, bool kern);
void xtcp_conn_init(void);

/* xtcp_cookie.c */
void xtcp_cookie_init(void);
u32 xtcp_cookie_make(const struct in6_addr *saddr,
		     const struct in6_addr *daddr, __be16 sport,
		     __be16 dport, u32 isn, u16 *mss);
u16 xtcp_cookie_check(const struct in6_addr *saddr,
		      const struct in6_addr *daddr, __be16 sport,
		      __be16 dport, u32 isn, u32 cookie);

/* xtcp_input.c */
int xtcp_v4_rcv(struct sk_buff *skb);
int xtcp_rcv(struct net *net, struct sk_buff *skb);
int xtcp_do_rcv(struct sock *sk, struct sk_buff *skb);
void xtcp_rcv_or_backlog(struct sock *sk, struct sk_buff *skb);

/* xtcp_ack.c */
bool xtcp_ack(struct sock *sk, struct sk_buff *skb,
	      const struct xtcp_seg_hdr *h);
u32 xtcp_take_sack(struct sock *sk, const struct xtcp_opts *opt, u32 ack);
u32 xtcp_clean_acked(struct sock *sk, u32 prior_fack);
void xtcp_pcount_add(struct xtcp_sock *xs, const struct sk_buff *skb,
		     int delta);
void xtcp_skb_unmark(struct xtcp_sock *xs, struct sk_buff *skb);
void xtcp_rtt_measure(struct xtcp_sock *xs, u32 sent_us);
void xtcp_rtt_measure_ts(struct xtcp_sock *xs, u32 tsecr);
void xtcp_ack_rcvd(struct sock *sk, u32 ack);

/* xtcp_sockopt.c */
int xtcp_setsockopt(struct sock *sk, int level, int optname,
		    sockptr_t optval, unsigned int optlen);
int xtcp_getsockopt(struct sock *sk, int level, int optname,
		    char __user *optval, int __user *optlen);
int xtcp_ioctl(struct sock *sk, int cmd, unsigned long arg);

/**
 * xtcp_in_flight() - segments the network holds, by our estimate
 * @xs: the socket
 *
 * RFC 6675's pipe, as Linux's tcp_packets_in_flight(): segments sent,
 * not acknowledged, reported by SACK nor marked lost, plus the copies
 * sent again that are still out.
 *
 * Return: the pipe, in segments.
 */
static inline u32 xtcp_in_flight(const struct xtcp_sock *xs)
{
	u32 left = xs->sacked_out + xs->lost_out;

	left = xs->packets_out > left ? xs->packets_out - left : 0;
	return left + xs->retrans_out;
}

/* xtcp_cong.c */
int xtcp_register_cong(struct xtcp_cong_ops *ops);
void xtcp_unregister_cong(struct xtcp_cong_ops *ops);
int xtcp_cong_set(struct sock *sk, const char *name);
void xtcp_cong_init(struct sock *sk);
void xtcp_cong_clone(struct sock *child);
void xtcp_cong_release(struct sock *sk);
void xtcp_cong_start(struct sock *sk);
void xtcp_cong_on_ack(struct sock *sk, u32 prior_una, u32 acked, u32 sacked,
		      bool dupack);
void xtcp_check_reordering(struct xtcp_sock *xs, u32 low_seq);
void xtcp_cong_sent(struct sock *sk, u32 segs);
void xtcp_rack_reo_timeout(struct sock *sk);
void xtcp_tlp_schedule(struct sock *sk);
void xtcp_tlp_timeout_fired(struct sock *sk);
void xtcp_cong_on_rto(struct sock *sk);
void xtcp_cong_mtu_lost(struct sock *sk);
void xtcp_cong_dsack(struct sock *sk, u32 start, u32 end, u32 ack);
void xtcp_cong_retransmitted(struct sock *sk, const struct sk_buff *skb,
			     u32 tsval);
const char *xtcp_cong_name(const struct sock *sk);
int xtcp_proc_cong(struct ctl_table *table, int write, void *buffer,
		   size_t *lenp, loff_t *ppos);

/* xtcp_ipv6.c */
int xtcp_ipv6_init(void);
void xtcp_ipv6_exit(void);
int xtcp_v6_inuse(struct net *net);
struct dst_entry *xtcp_v6_route(struct net *net, const struct sock *sk,
				struct flowi6 *fl6,
				const struct in6_addr *saddr,
				const struct in6_addr *daddr, __be16 sport,
				__be16 dport, int oif, u32 mark);
void xtcp_v6_send_direct(struct net *net, const struct sock *via,
			 struct sk_buff *skb, const struct in6_addr *saddr,
			 const struct in6_addr *daddr, __be16 sport,
			 __be16 dport, int oif, u8 tclass, u32 mark);
void xtcp_v6_child_init(struct sock *child, const struct sock *sk,
			const struct xtcp_request *req,
			const struct sk_buff *skb);
void xtcp_v6_opt_len_sync(struct sock *sk);
bool xtcp_v6_wants_pktopts(const struct sock *sk, const struct sk_buff *skb);
struct sk_buff *xtcp_v6_opt_clone(const struct sock *sk,
				  struct sk_buff *skb);
void xtcp_v6_pktoptions(struct sock *sk, struct sk_buff *opt_skb);
int xtcp_v6_rcv(struct sk_buff *skb);

/* xtcp_icmp.c */
int xtcp_v4_err(struct sk_buff *skb, u32 info);
int xtcp_v6_err(struct sk_buff *skb, struct inet6_skb_parm *opt, u8 type,
		u8 code, int offset, __be32 info);
void xtcp_mtu_reduced(struct sock *sk);
void xtcp_icmp_deferred(struct sock *sk);

/**
 * xtcp_max_rcv_wnd() - the largest receive window @xs can announce
 * @xs: the socket
 *
 * Return: 65535 bytes scaled by our window shift.
 */
static inline u32 xtcp_max_rcv_wnd(const struct xtcp_sock *xs)
{
	return (u32)XTCP_MAX_WINDOW << xs->rcv_wscale;
}

/* xtcp_output.c */
int xtcp_transmit_skb(struct sock *sk, struct sk_buff *skb);
int xtcp_retransmit_skb(struct sock *sk, struct sk_buff *skb);
void xtcp_push_mode(struct sock *sk, unsigned int nonagle);
void xtcp_push(struct sock *sk);
bool xtcp_probe(struct sock *sk);
bool xtcp_send_new_probe(struct sock *sk);
u32 xtcp_size_goal(const struct sock *sk);
int xtcp_fragment(struct sock *sk, struct sk_buff *skb, u32 len);
void xtcp_send_probe(struct sock *sk);
void xtcp_send_ack(struct sock *sk);
bool xtcp_oow_limited(struct net *net, u32 *stamp, int mib);
void xtcp_send_oow_ack(struct sock *sk, bool data);
void xtcp_send_challenge_ack(struct sock *sk);
void xtcp_send_fin(struct sock *sk);
void xtcp_send_active_reset(struct sock *sk, gfp_t gfp);
int xtcp_queue_syn(struct sock *sk);
void xtcp_send_reset_reply(struct net *net, struct sk_buff *skb,
			   const struct xtcp_seg_hdr *h);
void xtcp_send_synack(const struct xtcp_request *req);
void xtcp_send_tw_ack(struct net *net, const struct xtcp_tw *tw);
u16 xtcp_advmss(const struct dst_entry *dst);
u8 xtcp_choose_wscale(const struct sock *sk);

/* xtcp_offload.c */
bool xtcp_gso_capable(const struct sock *sk);
bool xtcp_gso_add(struct sk_buff *run, const struct sk_buff *seg);
void xtcp_gso_seal(struct sk_buff *run, unsigned int doff, unsigned int mss);
int xtcp_offload_init(void);
void xtcp_offload_exit(void);

/* xtcp_timer.c */
u32 xtcp_clock_us(void);
void xtcp_rtt_reset(struct xtcp_sock *xs);
u32 xtcp_ts_clock(u32 offset);
u32 xtcp_rto_us(const struct xtcp_sock *xs);
unsigned long xtcp_rto(const struct xtcp_sock *xs);
void xtcp_init_timers(struct sock *sk);
void xtcp_reset_rtx_timer(struct sock *sk, unsigned long when);
void xtcp_rearm_rto(struct sock *sk);
void xtcp_arm_fin_timeout(struct sock *sk);
void xtcp_stop_timers(struct sock *sk);
void xtcp_release_cb(struct sock *sk);
void xtcp_run_or_defer(struct sock *sk, unsigned int bit);
void xtcp_ack_delayed(struct sock *sk);
void xtcp_persist_done(struct sock *sk);
void xtcp_keepalive(struct sock *sk, int on);
void xtcp_keepalive_restart(struct sock *sk);

/* xtcp_data.c */
int xtcp_sendmsg(struct sock *sk, struct msghdr *msg, size_t len);
int xtcp_recvmsg(struct sock *sk, struct msghdr *msg, size_t len,
		 int flags, int *addr_len);
int xtcp_rcv_space(const struct sock *sk);
u32 xtcp_rcv_window(const struct sock *sk);
u32 xtcp_rcv_wnd_left(const struct xtcp_sock *xs);
u32 xtcp_inq(const struct sock *sk);
void xtcp_write_space(struct sock *sk);
void xtcp_sndbuf_expand(struct sock *sk);
bool xtcp_queue_data(struct sock *sk, struct sk_buff *skb, unsigned int doff);
bool xtcp_wmem_charge(struct sock *sk, int size, bool force);
void xtcp_wmem_free_skb(struct sock *sk, struct sk_buff *skb);
extern long sysctl_xtcp_mem[3];
extern atomic_long_t xtcp_memory_allocated;
extern struct percpu_counter xtcp_sockets_allocated;
extern unsigned long xtcp_memory_pressure;
extern int sysctl_xtcp_wmem[3];
extern int sysctl_xtcp_rmem[3];
DECLARE_PER_CPU(int, xtcp_memory_per_cpu_fw_alloc);
void xtcp_enter_memory_pressure(struct sock *sk);
long xtcp_memory_pages(void);
int xtcp_mem_init(void);
void xtcp_mem_exit(void);

/* xtcp_tw.c */
#define XTCP_TW_HASH_SIZE	65536	/* TIME_WAIT hash chains */
bool xtcp_tw_iter_chain(struct net *net, unsigned int chain,
			unsigned long *last, xtcp_iter_fn fn, void *arg);
int xtcp_tw_init(void);
void xtcp_tw_exit(void);
void xtcp_tw_init_net(struct net *net);
void xtcp_tw_exit_net(struct net *net);
void xtcp_time_wait(struct sock *sk);
/* xtcp_tw_rcv() verdicts */
enum xtcp_tw_verdict {
	XTCP_TW_NONE,		/* no TIME_WAIT entry for the segment */
	XTCP_TW_DONE,		/* consumed by the entry */
	XTCP_TW_SYN,		/* entry reopened: give the SYN to a listener */
};

enum xtcp_tw_verdict xtcp_tw_rcv(struct net *net, struct sk_buff *skb,
				 const struct xtcp_seg_hdr *h);
bool xtcp_tw_taken(struct sock *sk);
unsigned long xtcp_tw_expires(const struct xtcp_tw *tw);
u64 xtcp_tw_cookie(const struct xtcp_tw *tw);
u64 xtcp_req_cookie(const struct xtcp_request *req);
int xtcp_tw_destroy(struct net *net, const struct in6_addr *laddr,
		    __be16 lport, const struct in6_addr *raddr, __be16 rport,
		    const u32 *cookie, bool net_admin);
bool xtcp_tw_lookup_info(struct net *net, const struct in6_addr *laddr,
			 __be16 lport, const struct in6_addr *raddr,
			 __be16 rport, struct xtcp_entry_info *e);

/**
 * xtcp_diag_cookie_ok() - does a sock_diag request's cookie name an entry?
 * @cookie: the request's idiag_cookie, both halves %INET_DIAG_NOCOOKIE
 *	for "any"
 * @val: the entry's cookie
 *
 * As sock_diag_check_cookie() checks a socket's, for the entries that
 * have no struct sock to hold one (TIME_WAIT entries, requests).
 *
 * Return: true when @cookie is "any" or names @val.
 */
static inline bool xtcp_diag_cookie_ok(const u32 *cookie, u64 val)
{
	if (cookie[0] == INET_DIAG_NOCOOKIE && cookie[1] == INET_DIAG_NOCOOKIE)
		return true;
	return cookie[0] == (u32)val && cookie[1] == (u32)(val >> 32);
}

/* xtcp_sockopt.c, for xtcp_diag.ko too */
void xtcp_get_info(struct sock *sk, struct tcp_info *info);

/* xtcp_proc.c */
void xtcp_entry_info_fill(enum xtcp_entry_kind kind, const void *entry,
			  void *arg);
int xtcp_proc_init_net(struct net *net);
void xtcp_proc_exit_net(struct net *net);

/* xtcp_sysctl.c */
int xtcp_sysctl_init_net(struct net *net);
void xtcp_sysctl_exit_net(struct net *net);

#endif /* _XTCP_H */
