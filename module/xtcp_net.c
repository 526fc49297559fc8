// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp per network namespace state: counters, sysctls, /proc files, the
 * TIME_WAIT wheel and the control socket that sends resets and TIME_WAIT
 * ACKs, created when a namespace appears and torn down, in reverse, when
 * it goes.  User sockets pin their namespace, so none is left at exit.
 */
#include <linux/percpu.h>
#include <net/inet_common.h>
#include <net/net_namespace.h>

#include "xtcp.h"

unsigned int xtcp_net_id __read_mostly;

static int __net_init xtcp_net_init(struct net *net)
{
	struct xtcp_net *xn = xtcp_pernet(net);
	int err;

	xn->mib = alloc_percpu(struct xtcp_mib);
	if (!xn->mib)
		return -ENOMEM;
	xn->sysctl_msl_ms = XTCP_MSL_MS_DEFAULT;
	xn->sysctl_syn_retries = XTCP_SYN_RETRIES_DEFAULT;
	xn->sysctl_synack_retries = XTCP_SYNACK_RETRIES_DEFAULT;
	xn->sysctl_fin_timeout_ms = XTCP_FIN_TIMEOUT_MS_DEFAULT;
	xn->sysctl_max_tw_buckets = XTCP_MAX_TW_BUCKETS_DEFAULT;
	xn->sysctl_retries2 = XTCP_RETRIES2;
	xn->sysctl_timestamps = 1;
	xn->sysctl_enabled = 1;
	xn->sysctl_invalid_ratelimit_ms = XTCP_INVALID_RATELIMIT_MS_DEFAULT;
	xn->sysctl_challenge_ack_limit = INT_MAX;
	xn->sysctl_reset_ratelimit = XTCP_RESET_RATELIMIT_DEFAULT;
	xn->sysctl_min_snd_mss = XTCP_MIN_SND_MSS;
	xn->sysctl_max_orphans = XTCP_MAX_ORPHANS_DEFAULT;
	xn->sysctl_syncookies = XTCP_SYNCOOKIES_DEFAULT;
	xn->sysctl_tw_reuse = XTCP_TW_REUSE_DEFAULT;
	xn->sysctl_rfc1337 = XTCP_RFC1337_DEFAULT;
	xn->sysctl_reflect_tos = XTCP_REFLECT_TOS_DEFAULT;
	strscpy(xn->sysctl_cong, "reno", sizeof(xn->sysctl_cong));
	xtcp_tw_init_net(net);

	err = inet_ctl_sock_create(&xn->ctl_sk, PF_INET, SOCK_RAW,
				   xtcp_protocol, net);
	if (err)
		goto err_ctl_sk;
	err = inet_ctl_sock_create(&xn->ctl_sk6, PF_INET6, SOCK_RAW,
				   xtcp_protocol, net);
	if (err)
		goto err_ctl_sk6;
	err = xtcp_sysctl_init_net(net);
	if (err)
		goto err_sysctl;
	err = xtcp_proc_init_net(net);
	if (err)
		goto err_proc;
	return 0;

err_proc:
	xtcp_sysctl_exit_net(net);
err_sysctl:
	inet_ctl_sock_destroy(xn->ctl_sk6);
err_ctl_sk6:
	inet_ctl_sock_destroy(xn->ctl_sk);
err_ctl_sk:
	free_percpu(xn->mib);
	return err;
}

static void __net_exit xtcp_net_exit(struct net *net)
{
	struct xtcp_net *xn = xtcp_pernet(net);

	struct sock *ctl_sk = xn->ctl_sk, *ctl_sk6 = xn->ctl_sk6;

	xtcp_proc_exit_net(net);
	xtcp_sysctl_exit_net(net);
	xtcp_tw_exit_net(net);
	/* Softirq senders read ctl_sk and ctl_sk6 under RCU. */
	WRITE_ONCE(xn->ctl_sk, NULL);
	WRITE_ONCE(xn->ctl_sk6, NULL);
	synchronize_net();
	inet_ctl_sock_destroy(ctl_sk6);
	inet_ctl_sock_destroy(ctl_sk);
	free_percpu(xn->mib);
}

struct pernet_operations xtcp_net_ops = {
	.init	= xtcp_net_init,
	.exit	= xtcp_net_exit,
	.id	= &xtcp_net_id,
	.size	= sizeof(struct xtcp_net),
};
