// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/net/xtcp, in the exact layout of /proc/net/tcp so that tools and
 * scripts written for TCP read it, /proc/net/xtcp_stat, xtcp's
 * counters as "Name value" lines, and /proc/net/xtcp_sockstat and
 * /proc/net/xtcp_sockstat6, xtcp's lines of /proc/net/sockstat and
 * /proc/net/sockstat6.  All are per network namespace.  The copy
 * of an entry /proc/net/xtcp prints is also what xtcp_diag.ko reports.
 */
#include <linux/jiffies.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>
#include <net/tcp_states.h>

#include "xtcp.h"

/* Width of a /proc/net/tcp line, newline excluded (TMPSZ - 1 there). */
#define XTCP_PROC_LINE_WIDTH	149

static const char * const xtcp_mib_names[__XTCP_MIB_MAX] = {
	[XTCP_MIB_INSEGS]	 = "InSegs",
	[XTCP_MIB_OUTSEGS]	 = "OutSegs",
	[XTCP_MIB_INCSUMERRORS]	 = "InCsumErrors",
	[XTCP_MIB_INNOSOCKET]	 = "InNoSocket",
	[XTCP_MIB_INHDRERRORS]	 = "InHdrErrors",
	[XTCP_MIB_OUTRSTS]	 = "OutRsts",
	[XTCP_MIB_RETRANSSEGS]	 = "RetransSegs",
	[XTCP_MIB_ACTIVEOPENS]	 = "ActiveOpens",
	[XTCP_MIB_PASSIVEOPENS]	 = "PassiveOpens",
	[XTCP_MIB_LISTENOVERFLOWS] = "ListenOverflows",
	[XTCP_MIB_TWCREATED]	 = "TwCreated",
	[XTCP_MIB_TWEXPIRED]	 = "TwExpired",
	[XTCP_MIB_TWOVERFLOWS]	 = "TwOverflows",
	[XTCP_MIB_TWRECYCLED]	 = "TwRecycled",
	[XTCP_MIB_ESTABRESETS]	 = "EstabResets",
	[XTCP_MIB_ATTEMPTFAILS]	 = "AttemptFails",
	[XTCP_MIB_FASTRETRANS]	 = "FastRetrans",
	[XTCP_MIB_OFOQUEUE]	 = "OfoQueue",
	[XTCP_MIB_KEEPALIVEPROBES] = "KeepAliveProbes",
	[XTCP_MIB_KEEPALIVETIMEOUTS] = "KeepAliveTimeouts",
	[XTCP_MIB_WINPROBES]	 = "WinProbes",
	[XTCP_MIB_TIMEOUTS]	 = "Timeouts",
	[XTCP_MIB_RCVCOLLAPSED]	 = "RcvCollapsed",
	[XTCP_MIB_RCVQDROP]	 = "RcvQDrop",
	[XTCP_MIB_OFODROP]	 = "OfoDrop",
	[XTCP_MIB_REPEATTIMEOUTS] = "RepeatTimeouts",
	[XTCP_MIB_OFOPRUNED]	 = "OfoPruned",
	[XTCP_MIB_CHALLENGEACK]	 = "ChallengeACK",
	[XTCP_MIB_SYNCHALLENGE]	 = "SYNChallenge",
	[XTCP_MIB_ACKSKIPPEDCHALLENGE] = "ACKSkippedChallenge",
	[XTCP_MIB_ACKSKIPPEDSEQ] = "ACKSkippedSeq",
	[XTCP_MIB_BADACKDROP]	 = "BadAckDrop",
	[XTCP_MIB_OUTRSTSKIPPED] = "OutRstSkipped",
	[XTCP_MIB_ACKSKIPPEDTIMEWAIT] = "ACKSkippedTimeWait",
	[XTCP_MIB_ABORTONTIMEOUT] = "AbortOnTimeout",
	[XTCP_MIB_ABORTONMEMORY] = "AbortOnMemory",
	[XTCP_MIB_SYNCOOKIESSENT] = "SyncookiesSent",
	[XTCP_MIB_SYNCOOKIESRECV] = "SyncookiesRecv",
	[XTCP_MIB_SYNCOOKIESFAILED] = "SyncookiesFailed",
	[XTCP_MIB_LISTENDROPS] = "ListenDrops",
	[XTCP_MIB_WQUEUETOOBIG]	 = "WqueueTooBig",
	[XTCP_MIB_DSACKRECV]	 = "DSACKRecv",
	[XTCP_MIB_DSACKUNDO]	 = "DSACKUndo",
	[XTCP_MIB_LOSSUNDO]	 = "LossUndo",
	[XTCP_MIB_FULLUNDO]	 = "FullUndo",
	[XTCP_MIB_TWREUSED]	 = "TwReused",
	[XTCP_MIB_TWREUSESEQREJECT] = "TwReuseSeqReject",
	[XTCP_MIB_RACKLOST]	 = "RackLost",
	[XTCP_MIB_TLPPROBES]	 = "TLPProbes",
	[XTCP_MIB_TLPRECOVERY]	 = "TLPRecovery",
	[XTCP_MIB_REOTIMEOUTS]	 = "RackReoTimeouts",
	[XTCP_MIB_PARTIALUNDO]	 = "PartialUndo",
	[XTCP_MIB_TWKILLEDBYRST] = "TwKilledByRst",
	[XTCP_MIB_PARTIALUNDOHOLD] = "PartialUndoHold",
};

/**
 * struct xtcp_seq_state - a reader of /proc/net/xtcp or /proc/net/xtcp6
 * @p: namespace of the reader; must be first for seq_file_net()
 * @family: AF_INET or AF_INET6: the entries the file shows
 * @it: table cursor, past the entry last visited
 * @last: the cursor before that entry, to visit it again
 * @last_pos: its position in the file (or that of the end of the walk),
 *	0 for none
 * @entry: the entry being shown
 * @num: its line number ("sl" column)
 */
struct xtcp_seq_state {
	struct seq_net_private p;
	sa_family_t family;
	struct xtcp_table_iter it;
	struct xtcp_table_iter last;
	loff_t last_pos;
	struct xtcp_entry_info entry;
	int num;
};

static void xtcp_proc_fill_sock(struct xtcp_entry_info *e,
				const struct sock *sk)
{
	const struct inet_sock *inet = inet_sk(sk);
	const struct xtcp_sock *xs = xtcp_sk(sk);

	e->family = sk->sk_family;
	e->saddr = inet->inet_rcv_saddr;
	e->daddr = inet->inet_daddr;
	if (e->family == AF_INET6) {
		e->saddr6 = sk->sk_v6_rcv_saddr;
		e->daddr6 = sk->sk_v6_daddr;
	}
	e->sport = ntohs(inet->inet_sport);
	e->dport = ntohs(inet->inet_dport);
	e->state = inet_sk_state_load(sk);
	if (e->state == TCP_LISTEN) {
		e->rx_queue = READ_ONCE(sk->sk_ack_backlog);
	} else if (e->state != TCP_CLOSE) {
		e->tx_queue = READ_ONCE(xs->write_seq) - READ_ONCE(xs->snd_una);
		e->rx_queue = xtcp_inq(sk);
	}
	if (timer_pending(&xs->rtx_timer)) {
		e->timer = xs->send_head && xs->snd_una == xs->snd_nxt ? 4 : 1;
		if (e->state == TCP_FIN_WAIT2)
			e->timer = 2;
		e->expires = xs->rtx_timer.expires;
	}
	e->retrans = xs->retransmits;
	e->uid = sock_i_uid((struct sock *)sk);
	e->ino = sock_i_ino((struct sock *)sk);
	e->refcnt = refcount_read(&sk->sk_refcnt);
}

static void xtcp_proc_fill_req(struct xtcp_entry_info *e,
			       const struct xtcp_request *req)
{
	lockdep_assert_held(&xtcp_sk(req->listener)->req_lock);
	e->family = req->listener->sk_family;
	e->saddr = xtcp_addr_v4(&req->laddr);
	e->daddr = xtcp_addr_v4(&req->raddr);
	e->saddr6 = req->laddr;
	e->daddr6 = req->raddr;
	e->sport = ntohs(req->lport);
	e->dport = ntohs(req->rport);
	e->cookie = xtcp_req_cookie(req);
	e->state = TCP_SYN_RECV;
	e->timer = 1;
	e->expires = req->expires;
	e->retrans = req->retrans;
	e->uid = sock_i_uid(req->listener);
	e->mark = req->mark;
}

static void xtcp_proc_fill_tw(struct xtcp_entry_info *e,
			      const struct xtcp_tw *tw)
{
	e->family = xtcp_tw_family(tw);
	e->saddr = tw->laddr;
	e->daddr = tw->raddr;
	xtcp_tw_addrs(tw, &e->saddr6, &e->daddr6);
	e->sport = ntohs(tw->lport);
	e->dport = ntohs(tw->rport);
	e->state = TCP_TIME_WAIT;
	e->timer = 3;
	e->expires = xtcp_tw_expires(tw);
	e->cookie = xtcp_tw_cookie(tw);
	e->mark = tw->mark;
}

/**
 * xtcp_entry_info_fill() - copy what /proc and sock_diag show of an entry
 * @kind: what @entry is
 * @entry: a socket, a pending request or a TIME_WAIT entry
 * @arg: the struct xtcp_entry_info to fill
 *
 * An &xtcp_iter_fn: called by xtcp_iter_next() with the entry's chain
 * locked and softirqs off, which is what keeps @entry alive.
 */
void xtcp_entry_info_fill(enum xtcp_entry_kind kind, const void *entry,
			  void *arg)
{
	struct xtcp_entry_info *e = arg;

	lockdep_assert_in_softirq();	/* softirqs off: see xtcp_iter_fn */
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->ptr = entry;
	switch (kind) {
	case XTCP_ENTRY_SOCK:
		xtcp_proc_fill_sock(e, entry);
		break;
	case XTCP_ENTRY_REQ:
		xtcp_proc_fill_req(e, entry);
		break;
	case XTCP_ENTRY_TW:
		xtcp_proc_fill_tw(e, entry);
		break;
	}
}
EXPORT_SYMBOL_GPL(xtcp_entry_info_fill);

/* The next entry of the file's family, with @st->last the cursor before it. */
static bool xtcp_seq_step(struct xtcp_seq_state *st)
{
	do {
		st->last = st->it;
		if (!xtcp_iter_next(&st->it, xtcp_entry_info_fill, &st->entry))
			return false;
	} while (st->entry.family != st->family);
	return true;
}

/*
 * The entry at @pos, the next of the walk.  The end of the walk is a
 * position too: the read() after the one that reached it (and got the
 * last lines) asks for it again, and must not start the walk over, which
 * would show again, at shifted positions, entries already shown.
 */
static void *xtcp_seq_at(struct xtcp_seq_state *st, loff_t pos)
{
	st->num = pos - 1;
	st->last_pos = pos;
	if (!xtcp_seq_step(st))
		return NULL;
	return &st->entry;
}

static void xtcp_seq_rewind(struct seq_file *seq, struct xtcp_seq_state *st)
{
	memset(&st->it, 0, sizeof(st->it));
	st->it.net = seq_file_net(seq);
}

/*
 * A read() that stops at a full buffer starts the next one at the entry
 * that did not fit, the last one visited: the walk goes on from its
 * cursor, as tcp_seek_last_pos() does, rather than from the start, which
 * made reading the file quadratic in its length.
 */
static void *xtcp_seq_start(struct seq_file *seq, loff_t *pos)
{
	struct xtcp_seq_state *st = seq->private;
	loff_t skip;

	/* Which file this is: the data of its proc entry. */
	st->family = (uintptr_t)pde_data(file_inode(seq->file));
	if (!*pos)
		return SEQ_START_TOKEN;
	if (*pos == st->last_pos) {
		st->it = st->last;
		return xtcp_seq_at(st, *pos);
	}
	xtcp_seq_rewind(seq, st);
	for (skip = 1; skip < *pos; skip++)
		if (!xtcp_seq_step(st))
			return NULL;
	return xtcp_seq_at(st, *pos);
}

static void *xtcp_seq_next(struct seq_file *seq, void *v, loff_t *pos)
{
	struct xtcp_seq_state *st = seq->private;

	++*pos;
	if (v == SEQ_START_TOKEN)
		xtcp_seq_rewind(seq, st);
	return xtcp_seq_at(st, *pos);
}

static void xtcp_seq_stop(struct seq_file *seq, void *v)
{
}

/*
 * One entry, column for column as get_tcp4_sock(), get_openreq4() and
 * get_timewait4_sock() print them.  Congestion state is not tracked yet
 * and shows as zero.
 */
static void xtcp_seq_show_entry(struct seq_file *seq,
				const struct xtcp_entry_info *e, int num)
{
	long when = e->timer ? (long)(e->expires - jiffies) : 0;

	seq_printf(seq, "%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X %5u %8d %lu %d %pK",
		   num, e->saddr, e->sport, e->daddr, e->dport, e->state,
		   e->tx_queue, e->rx_queue, e->timer,
		   jiffies_delta_to_clock_t(when), e->retrans,
		   from_kuid_munged(seq_user_ns(seq), e->uid), 0, e->ino,
		   e->refcnt, e->ptr);
	if (e->kind == XTCP_ENTRY_SOCK)
		seq_printf(seq, " %lu %lu %u %u %d", 0UL, 0UL, 0, 0, 0);
}

/*
 * The same for /proc/net/xtcp6, as get_tcp6_sock(), get_openreq6() and
 * get_timewait6_sock(): each address as four 32-bit words.
 */
static void xtcp_seq_show_entry6(struct seq_file *seq,
				 const struct xtcp_entry_info *e, int num)
{
	long when = e->timer ? (long)(e->expires - jiffies) : 0;
	const __be32 *src = e->saddr6.s6_addr32;
	const __be32 *dst = e->daddr6.s6_addr32;

	seq_printf(seq, "%4d: %08X%08X%08X%08X:%04X %08X%08X%08X%08X:%04X %02X %08X:%08X %02X:%08lX %08X %5u %8d %lu %d %pK",
		   num, src[0], src[1], src[2], src[3], e->sport,
		   dst[0], dst[1], dst[2], dst[3], e->dport, e->state,
		   e->tx_queue, e->rx_queue, e->timer,
		   jiffies_delta_to_clock_t(when), e->retrans,
		   from_kuid_munged(seq_user_ns(seq), e->uid), 0, e->ino,
		   e->refcnt, e->ptr);
	if (e->kind == XTCP_ENTRY_SOCK)
		seq_printf(seq, " %lu %lu %u %u %d", 0UL, 0UL, 0, 0, 0);
	seq_putc(seq, '\n');
}

static int xtcp_seq_show(struct seq_file *seq, void *v)
{
	struct xtcp_seq_state *st = seq->private;

	if (st->family == AF_INET6) {
		if (v == SEQ_START_TOKEN)
			seq_puts(seq, "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n");
		else
			xtcp_seq_show_entry6(seq, v, st->num);
		return 0;
	}
	seq_setwidth(seq, XTCP_PROC_LINE_WIDTH);
	if (v == SEQ_START_TOKEN)
		seq_puts(seq, "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode");
	else
		xtcp_seq_show_entry(seq, v, st->num);
	seq_pad(seq, '\n');
	return 0;
}

static const struct seq_operations xtcp_seq_ops = {
	.start	= xtcp_seq_start,
	.next	= xtcp_seq_next,
	.stop	= xtcp_seq_stop,
	.show	= xtcp_seq_show,
};

static int xtcp_stat_show(struct seq_file *seq, void *v)
{
	struct xtcp_net *xn = xtcp_pernet(seq_file_single_net(seq));
	unsigned int max_tick;
	unsigned long sum;
	u32 max_tick_ns;
	int i, cpu;

	for (i = 0; i < __XTCP_MIB_MAX; i++) {
		sum = 0;
		for_each_possible_cpu(cpu)
			sum += per_cpu_ptr(xn->mib, cpu)->mibs[i];
		seq_printf(seq, "%s %lu\n", xtcp_mib_names[i], sum);
	}
	/* High-water marks of the TIME_WAIT wheel, not sums. */
	spin_lock_bh(&xn->tw_wheel.lock);
	max_tick = xn->tw_wheel.max_tick;
	max_tick_ns = xn->tw_wheel.max_tick_ns;
	spin_unlock_bh(&xn->tw_wheel.lock);
	seq_printf(seq, "TwTickMaxEntries %u\nTwTickMaxUs %u\n", max_tick,
		   max_tick_ns / (u32)NSEC_PER_USEC);
	return 0;
}

/*
 * As the TCP line of /proc/net/sockstat: sockets of the namespace, then,
 * for all namespaces, sockets allocated and pages charged (see
 * xtcp_memory_pages()).
 */
static int xtcp_sockstat_show(struct seq_file *seq, void *v)
{
	struct net *net = seq_file_single_net(seq);

	seq_printf(seq, "XTCP: inuse %d orphan %d tw %d alloc %lld mem %ld\n",
		   sock_prot_inuse_get(net, &xtcp_prot), xtcp_orphans(),
		   atomic_read(&xtcp_pernet(net)->tw_wheel.live),
		   percpu_counter_sum_positive(&xtcp_sockets_allocated),
		   xtcp_memory_pages());
	return 0;
}

/*
 * As the TCP6 line of /proc/net/sockstat6: the AF_INET6 sockets of the
 * namespace (the XTCP line of xtcp_sockstat counts the AF_INET ones).
 */
static int xtcp_sockstat6_show(struct seq_file *seq, void *v)
{
	seq_printf(seq, "XTCP6: inuse %d\n",
		   xtcp_v6_inuse(seq_file_single_net(seq)));
	return 0;
}

/**
 * xtcp_proc_init_net() - create the /proc/net files of xtcp
 * @net: new namespace
 *
 * Return: 0 or -ENOMEM.
 */
int xtcp_proc_init_net(struct net *net)
{
	if (!proc_create_net_data("xtcp", 0444, net->proc_net, &xtcp_seq_ops,
				  sizeof(struct xtcp_seq_state),
				  (void *)(uintptr_t)AF_INET))
		goto err_xtcp;
	if (!proc_create_net_data("xtcp6", 0444, net->proc_net, &xtcp_seq_ops,
				  sizeof(struct xtcp_seq_state),
				  (void *)(uintptr_t)AF_INET6))
		goto err_xtcp6;
	if (!proc_create_net_single("xtcp_stat", 0444, net->proc_net,
				    xtcp_stat_show, NULL))
		goto err_stat;
	if (!proc_create_net_single("xtcp_sockstat", 0444, net->proc_net,
				    xtcp_sockstat_show, NULL))
		goto err_sockstat;
	if (!proc_create_net_single("xtcp_sockstat6", 0444, net->proc_net,
				    xtcp_sockstat6_show, NULL))
		goto err_sockstat6;
	return 0;

err_sockstat6:
	remove_proc_entry("xtcp_sockstat", net->proc_net);
err_sockstat:
	remove_proc_entry("xtcp_stat", net->proc_net);
err_stat:
	remove_proc_entry("xtcp6", net->proc_net);
err_xtcp6:
	remove_proc_entry("xtcp", net->proc_net);
err_xtcp:
	return -ENOMEM;
}

/**
 * xtcp_proc_exit_net() - remove the /proc/net files of @net
 * @net: dying namespace
 */
void xtcp_proc_exit_net(struct net *net)
{
	remove_proc_entry("xtcp_sockstat6", net->proc_net);
	remove_proc_entry("xtcp_sockstat", net->proc_net);
	remove_proc_entry("xtcp_stat", net->proc_net);
	remove_proc_entry("xtcp6", net->proc_net);
	remove_proc_entry("xtcp", net->proc_net);
}
