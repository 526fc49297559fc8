// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/sys/net/xtcp/: xtcp's knobs, one copy per network namespace,
 * but for "mem", xtcp's global memory limits as net.ipv4.tcp_mem, and
 * "rmem" and "wmem", its buffer sizes as tcp_rmem and tcp_wmem: every
 * namespace reads those, only the initial one may change them.
 */
#include <linux/slab.h>
#include <linux/sysctl.h>
#include <net/net_namespace.h>

#include "xtcp.h"

static int xtcp_msl_ms_min = 10;
static int xtcp_msl_ms_max = 600000;
static int xtcp_retries_max = 20;
static int xtcp_fin_timeout_min = 10;
static int xtcp_fin_timeout_max = 3600000;
static int xtcp_retries2_max = U8_MAX;
static int xtcp_ratelimit_ms_max = 60000;
static int xtcp_min_snd_mss_min = XTCP_MIN_SND_MSS;
static int xtcp_min_snd_mss_max = 65535 - 40;

enum {
	XTCP_SYSCTL_MSL_MS,
	XTCP_SYSCTL_SYN_RETRIES,
	XTCP_SYSCTL_SYNACK_RETRIES,
	XTCP_SYSCTL_FIN_TIMEOUT_MS,
	XTCP_SYSCTL_MAX_TW_BUCKETS,
	XTCP_SYSCTL_ENABLED,
	XTCP_SYSCTL_CONG,
	XTCP_SYSCTL_RETRIES2,
	XTCP_SYSCTL_TIMESTAMPS,
	XTCP_SYSCTL_INVALID_RATELIMIT_MS,
	XTCP_SYSCTL_CHALLENGE_ACK_LIMIT,
	XTCP_SYSCTL_RESET_RATELIMIT,
	XTCP_SYSCTL_MIN_SND_MSS,
	XTCP_SYSCTL_MAX_ORPHANS,
	XTCP_SYSCTL_ORPHAN_RETRIES,
	XTCP_SYSCTL_SYNCOOKIES,
	XTCP_SYSCTL_TW_REUSE,
	XTCP_SYSCTL_RFC1337,
	XTCP_SYSCTL_REFLECT_TOS,
	XTCP_SYSCTL_MEM,
	XTCP_SYSCTL_RMEM,
	XTCP_SYSCTL_WMEM,
};

static const struct ctl_table xtcp_sysctl_template[] = {
	[XTCP_SYSCTL_MSL_MS] = {
		.procname	= "msl_ms",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= &xtcp_msl_ms_min,
		.extra2		= &xtcp_msl_ms_max,
	},
	[XTCP_SYSCTL_SYN_RETRIES] = {
		.procname	= "syn_retries",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ONE,
		.extra2		= &xtcp_retries_max,
	},
	[XTCP_SYSCTL_SYNACK_RETRIES] = {
		.procname	= "synack_retries",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ONE,
		.extra2		= &xtcp_retries_max,
	},
	[XTCP_SYSCTL_FIN_TIMEOUT_MS] = {
		.procname	= "fin_timeout_ms",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= &xtcp_fin_timeout_min,
		.extra2		= &xtcp_fin_timeout_max,
	},
	[XTCP_SYSCTL_MAX_TW_BUCKETS] = {
		.procname	= "max_tw_buckets",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_INT_MAX,
	},
	[XTCP_SYSCTL_ENABLED] = {
		.procname	= "enabled",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_ONE,
	},
	[XTCP_SYSCTL_CONG] = {
		.procname	= "congestion_control",
		.maxlen		= XTCP_CA_NAME_MAX,
		.mode		= 0644,
		.proc_handler	= xtcp_proc_cong,
	},
	[XTCP_SYSCTL_RETRIES2] = {
		.procname	= "retries2",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ONE,
		.extra2		= &xtcp_retries2_max,
	},
	[XTCP_SYSCTL_TIMESTAMPS] = {
		.procname	= "timestamps",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_ONE,
	},
	[XTCP_SYSCTL_INVALID_RATELIMIT_MS] = {
		.procname	= "invalid_ratelimit_ms",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= &xtcp_ratelimit_ms_max,
	},
	[XTCP_SYSCTL_CHALLENGE_ACK_LIMIT] = {
		.procname	= "challenge_ack_limit",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ONE,
		.extra2		= SYSCTL_INT_MAX,
	},
	[XTCP_SYSCTL_RESET_RATELIMIT] = {
		.procname	= "reset_ratelimit",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_INT_MAX,
	},
	[XTCP_SYSCTL_MIN_SND_MSS] = {
		.procname	= "min_snd_mss",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= &xtcp_min_snd_mss_min,
		.extra2		= &xtcp_min_snd_mss_max,
	},
	[XTCP_SYSCTL_MAX_ORPHANS] = {
		.procname	= "max_orphans",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_INT_MAX,
	},
	[XTCP_SYSCTL_ORPHAN_RETRIES] = {
		.procname	= "orphan_retries",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= &xtcp_retries2_max,
	},
	[XTCP_SYSCTL_SYNCOOKIES] = {
		.procname	= "syncookies",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_TWO,
	},
	[XTCP_SYSCTL_TW_REUSE] = {
		.procname	= "tw_reuse",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_TWO,
	},
	[XTCP_SYSCTL_RFC1337] = {
		.procname	= "rfc1337",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_ONE,
	},
	[XTCP_SYSCTL_REFLECT_TOS] = {
		.procname	= "reflect_tos",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_ONE,
	},
	[XTCP_SYSCTL_MEM] = {
		.procname	= "mem",
		.data		= &sysctl_xtcp_mem,
		.maxlen		= sizeof(sysctl_xtcp_mem),
		.mode		= 0644,
		.proc_handler	= proc_doulongvec_minmax,
	},
	[XTCP_SYSCTL_RMEM] = {
		.procname	= "rmem",
		.data		= &sysctl_xtcp_rmem,
		.maxlen		= sizeof(sysctl_xtcp_rmem),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ONE,
	},
	[XTCP_SYSCTL_WMEM] = {
		.procname	= "wmem",
		.data		= &sysctl_xtcp_wmem,
		.maxlen		= sizeof(sysctl_xtcp_wmem),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ONE,
	},
	{ }
};

/**
 * xtcp_sysctl_init_net() - register /proc/sys/net/xtcp for @net
 * @net: new namespace
 *
 * Return: 0 or -ENOMEM.
 */
int xtcp_sysctl_init_net(struct net *net)
{
	struct xtcp_net *xn = xtcp_pernet(net);
	struct ctl_table *table;

	table = kmemdup(xtcp_sysctl_template, sizeof(xtcp_sysctl_template),
			GFP_KERNEL);
	if (!table)
		return -ENOMEM;
	table[XTCP_SYSCTL_MSL_MS].data = &xn->sysctl_msl_ms;
	table[XTCP_SYSCTL_SYN_RETRIES].data = &xn->sysctl_syn_retries;
	table[XTCP_SYSCTL_SYNACK_RETRIES].data = &xn->sysctl_synack_retries;
	table[XTCP_SYSCTL_FIN_TIMEOUT_MS].data = &xn->sysctl_fin_timeout_ms;
	table[XTCP_SYSCTL_MAX_TW_BUCKETS].data = &xn->sysctl_max_tw_buckets;
	table[XTCP_SYSCTL_ENABLED].data = &xn->sysctl_enabled;
	table[XTCP_SYSCTL_CONG].data = xn->sysctl_cong;
	table[XTCP_SYSCTL_RETRIES2].data = &xn->sysctl_retries2;
	table[XTCP_SYSCTL_TIMESTAMPS].data = &xn->sysctl_timestamps;
	table[XTCP_SYSCTL_INVALID_RATELIMIT_MS].data =
		&xn->sysctl_invalid_ratelimit_ms;
	table[XTCP_SYSCTL_CHALLENGE_ACK_LIMIT].data =
		&xn->sysctl_challenge_ack_limit;
	table[XTCP_SYSCTL_RESET_RATELIMIT].data = &xn->sysctl_reset_ratelimit;
	table[XTCP_SYSCTL_MIN_SND_MSS].data = &xn->sysctl_min_snd_mss;
	table[XTCP_SYSCTL_MAX_ORPHANS].data = &xn->sysctl_max_orphans;
	table[XTCP_SYSCTL_ORPHAN_RETRIES].data = &xn->sysctl_orphan_retries;
	table[XTCP_SYSCTL_SYNCOOKIES].data = &xn->sysctl_syncookies;
	table[XTCP_SYSCTL_TW_REUSE].data = &xn->sysctl_tw_reuse;
	table[XTCP_SYSCTL_RFC1337].data = &xn->sysctl_rfc1337;
	table[XTCP_SYSCTL_REFLECT_TOS].data = &xn->sysctl_reflect_tos;
	if (!net_eq(net, &init_net)) {
		table[XTCP_SYSCTL_MEM].mode = 0444;
		table[XTCP_SYSCTL_RMEM].mode = 0444;
		table[XTCP_SYSCTL_WMEM].mode = 0444;
	}

	xn->sysctl_hdr = register_net_sysctl(net, "net/xtcp", table);
	if (!xn->sysctl_hdr) {
		kfree(table);
		return -ENOMEM;
	}
	return 0;
}

/**
 * xtcp_sysctl_exit_net() - unregister /proc/sys/net/xtcp of @net
 * @net: dying namespace
 */
void xtcp_sysctl_exit_net(struct net *net)
{
	struct xtcp_net *xn = xtcp_pernet(net);
	struct ctl_table *table = xn->sysctl_hdr->ctl_table_arg;

	unregister_net_sysctl_table(xn->sysctl_hdr);
	kfree(table);
}
