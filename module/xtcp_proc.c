// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/net/xtcp, in the exact layout of /proc/net/tcp so that tools and
 * scripts written for TCP read it, and /proc/net/xtcp_stat, xtcp's
 * counters as "Name value" lines.  Both are per network namespace.
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
};

/**
 * struct xtcp_proc_entry - what one /proc/net/xtcp line shows
 * @saddr: local address
 * @daddr: remote address
 * @sport: local port, host order
 * @dport: remote port, host order
 * @state: TCP_* state
 * @rx_queue: accept backlog of a listener
 * @uid: owner
 * @ino: inode of the socket
 * @refcnt: socket reference count
 * @sk: socket address (hashed by %pK)
 *
 * Copied under the bucket lock, printed after it is dropped.
 */
struct xtcp_proc_entry {
	__be32 saddr;
	__be32 daddr;
	u16 sport;
	u16 dport;
	int state;
	int rx_queue;
	kuid_t uid;
	unsigned long ino;
	int refcnt;
	const void *sk;
};

/**
 * struct xtcp_seq_state - a reader of /proc/net/xtcp
 * @p: namespace of the reader; must be first for seq_file_net()
 * @it: table cursor
 * @entry: the socket being shown
 * @num: its line number ("sl" column)
 */
struct xtcp_seq_state {
	struct seq_net_private p;
	struct xtcp_table_iter it;
	struct xtcp_proc_entry entry;
	int num;
};

static void xtcp_proc_fill(struct sock *sk, void *arg)
{
	const struct inet_sock *inet = inet_sk(sk);
	struct xtcp_proc_entry *e = arg;

	e->saddr = inet->inet_rcv_saddr;
	e->daddr = inet->inet_daddr;
	e->sport = ntohs(inet->inet_sport);
	e->dport = ntohs(inet->inet_dport);
	e->state = inet_sk_state_load(sk);
	e->rx_queue = 0;
	if (e->state == TCP_LISTEN)
		e->rx_queue = READ_ONCE(sk->sk_ack_backlog);
	e->uid = sock_i_uid(sk);
	e->ino = sock_i_ino(sk);
	e->refcnt = refcount_read(&sk->sk_refcnt);
	e->sk = sk;
}

static void *xtcp_seq_at(struct xtcp_seq_state *st, loff_t pos)
{
	st->num = pos - 1;
	return xtcp_iter_next(&st->it, xtcp_proc_fill, &st->entry) ?
	       &st->entry : NULL;
}

static void *xtcp_seq_start(struct seq_file *seq, loff_t *pos)
{
	struct xtcp_seq_state *st = seq->private;
	loff_t skip;

	if (!*pos)
		return SEQ_START_TOKEN;
	memset(&st->it, 0, sizeof(st->it));
	st->it.net = seq_file_net(seq);
	for (skip = 1; skip < *pos; skip++)
		if (!xtcp_iter_next(&st->it, NULL, NULL))
			return NULL;
	return xtcp_seq_at(st, *pos);
}

static void *xtcp_seq_next(struct seq_file *seq, void *v, loff_t *pos)
{
	struct xtcp_seq_state *st = seq->private;

	++*pos;
	if (v == SEQ_START_TOKEN) {
		memset(&st->it, 0, sizeof(st->it));
		st->it.net = seq_file_net(seq);
	}
	return xtcp_seq_at(st, *pos);
}

static void xtcp_seq_stop(struct seq_file *seq, void *v)
{
}

/*
 * One socket, column for column as get_tcp4_sock() prints it.  Timers,
 * queues and congestion state are not tracked yet and show as zero.
 */
static void xtcp_seq_show_entry(struct seq_file *seq,
				const struct xtcp_proc_entry *e, int num)
{
	seq_printf(seq, "%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X %5u %8d %lu %d %pK %lu %lu %u %u %d",
		   num, e->saddr, e->sport, e->daddr, e->dport, e->state,
		   0, e->rx_queue, 0, 0UL, 0,
		   from_kuid_munged(seq_user_ns(seq), e->uid),
		   0, e->ino, e->refcnt, e->sk, 0UL, 0UL, 0, 0, 0);
}

static int xtcp_seq_show(struct seq_file *seq, void *v)
{
	struct xtcp_seq_state *st = seq->private;

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
	unsigned long sum;
	int i, cpu;

	for (i = 0; i < __XTCP_MIB_MAX; i++) {
		sum = 0;
		for_each_possible_cpu(cpu)
			sum += per_cpu_ptr(xn->mib, cpu)->mibs[i];
		seq_printf(seq, "%s %lu\n", xtcp_mib_names[i], sum);
	}
	return 0;
}

/**
 * xtcp_proc_init_net() - create /proc/net/xtcp and /proc/net/xtcp_stat
 * @net: new namespace
 *
 * Return: 0 or -ENOMEM.
 */
int xtcp_proc_init_net(struct net *net)
{
	if (!proc_create_net("xtcp", 0444, net->proc_net, &xtcp_seq_ops,
			     sizeof(struct xtcp_seq_state)))
		goto err_xtcp;
	if (!proc_create_net_single("xtcp_stat", 0444, net->proc_net,
				    xtcp_stat_show, NULL))
		goto err_stat;
	return 0;

err_stat:
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
	remove_proc_entry("xtcp_stat", net->proc_net);
	remove_proc_entry("xtcp", net->proc_net);
}
