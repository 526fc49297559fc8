// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp: an experimental TCP-like transport, as a loadable module.
 *
 * Registration.  module_init() sets xtcp up in this order, and
 * module_exit() and every failure path undo it in exactly the reverse:
 *
 *	1. the connection table, the TIME_WAIT cache, and the secrets of
 *	   initial sequence numbers, request tables and SYN cookies
 *	2. per network namespace state (counters, /proc, sysctls, the
 *	   TIME_WAIT wheel, the control socket)
 *	3. memory accounting: the default limits of sysctl mem and the
 *	   count of sockets allocated
 *	4. the segmentation offload (GSO) callback for the protocol number,
 *	   over IPv4 and IPv6
 *	5. struct proto, with its own socket slab
 *	6. the inet_protosw: socket(AF_INET, SOCK_STREAM, protocol)
 *	7. the IP receive handler for the protocol number
 *	8. the same three for IPv6 (xtcp_ipv6.c): socket(AF_INET6, ...)
 *
 * so that a segment can only reach xtcp once everything it touches
 * exists, and stops reaching it before anything goes.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/net.h>
#include <net/protocol.h>
#include <net/tcp_states.h>
#include <uapi/linux/xtcp.h>

#include "xtcp.h"
#include "xtcp_fsm.h"

#define CREATE_TRACE_POINTS
#include "xtcp_trace.h"

/* SOCK_STREAM is an enum, which the module alias would spell as a word. */
#define XTCP_ALIAS_SOCK_STREAM 1

unsigned int xtcp_protocol __read_mostly = IPPROTO_XTCP;
EXPORT_SYMBOL_GPL(xtcp_protocol);

static int xtcp_protocol_set(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 1, 255);
}

static const struct kernel_param_ops xtcp_protocol_ops = {
	.set	= xtcp_protocol_set,
	.get	= param_get_uint,
};

module_param_cb(protocol, &xtcp_protocol_ops, &xtcp_protocol, 0444);
MODULE_PARM_DESC(protocol,
		 "IP protocol number served by xtcp (1-255, default 253)");

static struct inet_protosw xtcp_protosw = {
	.type		= SOCK_STREAM,
	.prot		= &xtcp_prot,
	.ops		= &xtcp_stream_ops,
};

static const struct net_protocol xtcp_net_protocol = {
	.handler			= xtcp_v4_rcv,
	.err_handler			= xtcp_v4_err,
	.no_policy			= 1,
	.icmp_strict_tag_validation	= 1,
};

/*
 * inet_register_protosw() cannot fail and would quietly stack xtcp behind
 * a protocol that already has the number, so refuse such a number first,
 * with a message saying why.  inet_add_protocol() still has the last word.
 */
static int xtcp_check_protocol(void)
{
	if (!rcu_access_pointer(inet_protos[xtcp_protocol]))
		return 0;
	pr_err("xtcp: IP protocol %u is already served by the kernel; load with protocol=<free number>\n",
	       xtcp_protocol);
	return -EBUSY;
}

static int __init xtcp_init(void)
{
	const char *step;
	int err;

	BUILD_BUG_ON(XTCP_ALIAS_SOCK_STREAM != SOCK_STREAM);
	BUILD_BUG_ON(sizeof(struct xtcp_skb_cb) >
		     sizeof_field(struct sk_buff, cb));
	BUILD_BUG_ON((int)XTCP_ESTABLISHED != (int)TCP_ESTABLISHED ||
		     (int)XTCP_TIME_WAIT != (int)TCP_TIME_WAIT ||
		     (int)XTCP_LISTEN != (int)TCP_LISTEN ||
		     (int)XTCP_CLOSING != (int)TCP_CLOSING);
	err = xtcp_check_protocol();
	if (err)
		return err;

	step = "connection table";
	err = xtcp_table_init();
	if (err)
		goto err_table;
	step = "TIME_WAIT cache";
	err = xtcp_tw_init();
	if (err)
		goto err_tw;
	xtcp_conn_init();
	xtcp_cookie_init();
	step = "per-namespace state";
	err = register_pernet_subsys(&xtcp_net_ops);
	if (err)
		goto err_pernet;
	step = "memory accounting";
	err = xtcp_mem_init();
	if (err)
		goto err_mem;
	step = "segmentation offload";
	err = xtcp_offload_init();
	if (err)
		goto err_offload;
	step = "struct proto";
	err = proto_register(&xtcp_prot, 1);
	if (err)
		goto err_proto;
	xtcp_protosw.protocol = xtcp_protocol;
	inet_register_protosw(&xtcp_protosw);
	step = "receive handler";
	if (inet_add_protocol(&xtcp_net_protocol, xtcp_protocol)) {
		pr_err("xtcp: IP protocol %u was taken meanwhile\n",
		       xtcp_protocol);
		err = -EBUSY;
		goto err_add_protocol;
	}
	step = "IPv6";
	err = xtcp_ipv6_init();
	if (err)
		goto err_ipv6;
	pr_info("xtcp: serving IP protocol %u\n", xtcp_protocol);
	return 0;

err_ipv6:
	inet_del_protocol(&xtcp_net_protocol, xtcp_protocol);
err_add_protocol:
	inet_unregister_protosw(&xtcp_protosw);
	proto_unregister(&xtcp_prot);
err_proto:
	xtcp_offload_exit();
err_offload:
	xtcp_mem_exit();
err_mem:
	unregister_pernet_subsys(&xtcp_net_ops);
err_pernet:
	xtcp_tw_exit();
err_tw:
	xtcp_table_exit();
err_table:
	pr_err("xtcp: loading failed at %s: %d\n", step, err);
	return err;
}

static void __exit xtcp_exit(void)
{
	xtcp_ipv6_exit();
	inet_del_protocol(&xtcp_net_protocol, xtcp_protocol);
	inet_unregister_protosw(&xtcp_protosw);
	proto_unregister(&xtcp_prot);
	xtcp_offload_exit();
	xtcp_mem_exit();
	unregister_pernet_subsys(&xtcp_net_ops);
	xtcp_tw_exit();
	xtcp_table_exit();
}

module_init(xtcp_init);
module_exit(xtcp_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("xtcp: an experimental TCP-like transport");
MODULE_ALIAS_NET_PF_PROTO_TYPE(PF_INET, IPPROTO_XTCP, XTCP_ALIAS_SOCK_STREAM);
MODULE_ALIAS_NET_PF_PROTO_TYPE(PF_INET6, IPPROTO_XTCP, XTCP_ALIAS_SOCK_STREAM);
