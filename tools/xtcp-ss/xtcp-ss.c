// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp-ss: list xtcp sockets as `ss -t` lists TCP's, through sock_diag
 * (xtcp_diag.ko, loaded by inet_diag on the first request).  Debian 12's
 * ss cannot ask inet_diag for a protocol other than its own few; this
 * asks for xtcp's and prints what ss prints, for the options that matter
 * when reading a transport: -l, -a, -n, -i, -e, -m, -H, -4, -6 and
 * state filters.  Addresses and ports are always numeric (-n is
 * accepted).  As ss, it lists both families unless told one, the AF_INET
 * sockets first, and prints an IPv6 address in brackets (an IPv4 peer of
 * a dual-stack socket v4-mapped, [::ffff:192.0.2.1]:80), the unspecified
 * one as "*" unless the socket is IPV6_V6ONLY.
 *
 * -P PROTO asks for another protocol: -P 6 lists TCP, which is how the
 * selftests show that the output is ss's.  The netlink conversation is
 * xtcp_diag_dump.h's, which selftests/xtcp_diag.c holds too.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "xtcp_diag_dump.h"

#define XTCP_SS_DEFAULT_PROTO	253
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

/* Bits of the states, as ss numbers them (include/net/tcp_states.h). */
enum {
	SS_ESTABLISHED = 1, SS_SYN_SENT, SS_SYN_RECV, SS_FIN_WAIT1,
	SS_FIN_WAIT2, SS_TIME_WAIT, SS_CLOSE, SS_CLOSE_WAIT, SS_LAST_ACK,
	SS_LISTEN, SS_CLOSING, SS_MAX
};

#define SS_ALL		((1U << SS_MAX) - 2)
/* ss's default: connections, not listeners, TIME_WAIT or requests. */
#define SS_CONN		(SS_ALL & ~((1U << SS_LISTEN) | (1U << SS_CLOSE) | \
				    (1U << SS_TIME_WAIT) | (1U << SS_SYN_RECV)))

static const char * const state_name[SS_MAX] = {
	[SS_ESTABLISHED] = "ESTAB",	[SS_SYN_SENT] = "SYN-SENT",
	[SS_SYN_RECV] = "SYN-RECV",	[SS_FIN_WAIT1] = "FIN-WAIT-1",
	[SS_FIN_WAIT2] = "FIN-WAIT-2",	[SS_TIME_WAIT] = "TIME-WAIT",
	[SS_CLOSE] = "UNCONN",		[SS_CLOSE_WAIT] = "CLOSE-WAIT",
	[SS_LAST_ACK] = "LAST-ACK",	[SS_LISTEN] = "LISTEN",
	[SS_CLOSING] = "CLOSING",
};

/* The names ss takes after "state", with the states they stand for. */
static const struct {
	const char *name;
	unsigned int states;
} state_filter[] = {
	{ "all", SS_ALL },
	{ "connected", SS_ALL & ~((1U << SS_LISTEN) | (1U << SS_CLOSE)) },
	{ "synchronized", SS_ALL & ~((1U << SS_LISTEN) | (1U << SS_CLOSE) |
				     (1U << SS_SYN_SENT)) },
	{ "bucket", (1U << SS_SYN_RECV) | (1U << SS_TIME_WAIT) },
	{ "big", SS_ALL & ~((1U << SS_SYN_RECV) | (1U << SS_TIME_WAIT)) },
	{ "established", 1U << SS_ESTABLISHED },
	{ "syn-sent", 1U << SS_SYN_SENT },
	{ "syn-recv", 1U << SS_SYN_RECV },
	{ "fin-wait-1", 1U << SS_FIN_WAIT1 },
	{ "fin-wait-2", 1U << SS_FIN_WAIT2 },
	{ "time-wait", 1U << SS_TIME_WAIT },
	{ "closed", 1U << SS_CLOSE },
	{ "close-wait", 1U << SS_CLOSE_WAIT },
	{ "last-ack", 1U << SS_LAST_ACK },
	{ "listening", 1U << SS_LISTEN },
	{ "closing", 1U << SS_CLOSING },
};

struct options {
	unsigned int states;
	int proto;
	bool v4;
	bool v6;
	bool info;
	bool extended;
	bool memory;
	bool no_header;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: xtcp-ss [-l|-a] [-n] [-i] [-e] [-m] [-H] [-4|-6] [-P PROTO] [state STATE]...\n"
		"List xtcp sockets as `ss -t` lists TCP's (numeric addresses).\n"
		"  -l        listening sockets only\n"
		"  -a        all sockets (default: connections only)\n"
		"  -n        numeric addresses and ports (always)\n"
		"  -4        IPv4 (AF_INET) sockets only\n"
		"  -6        IPv6 (AF_INET6) sockets only, dual-stack ones too\n"
		"            (default: both families)\n"
		"  -i        TCP_INFO: algorithm, RTT, RTO, MSS, window\n"
		"  -e        owner, inode and cookie\n"
		"  -m        socket memory (skmem)\n"
		"  -H        no header line\n"
		"  -P PROTO  IP protocol to list (default: xtcp's, 253 unless the\n"
		"            module was loaded with another)\n"
		"  state S   only sockets in state S (established, listening,\n"
		"            time-wait, syn-recv, ..., all, connected, bucket)\n");
}

/* The protocol xtcp.ko serves, from its parameter, or 253. */
static int xtcp_proto(void)
{
	FILE *f = fopen("/sys/module/xtcp/parameters/protocol", "r");
	int proto = XTCP_SS_DEFAULT_PROTO;

	if (f) {
		if (fscanf(f, "%d", &proto) != 1)
			proto = XTCP_SS_DEFAULT_PROTO;
		fclose(f);
	}
	return proto;
}

static int parse_state(const char *name, unsigned int *states)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(state_filter); i++) {
		if (!strcmp(name, state_filter[i].name)) {
			*states |= state_filter[i].states;
			return 0;
		}
	}
	return -1;
}

/* One letter of the options; -t and -n are what xtcp-ss always does. */
static int parse_flag(char c, struct options *o)
{
	switch (c) {
	case 'l':
		o->states = 1U << SS_LISTEN;
		break;
	case 'a':
		o->states = SS_ALL;
		break;
	case 'i':
		o->info = true;
		break;
	case 'e':
		o->extended = true;
		break;
	case 'm':
		o->memory = true;
		break;
	case 'H':
		o->no_header = true;
		break;
	case '4':
		o->v4 = true;
		break;
	case '6':
		o->v6 = true;
		break;
	case 'n':
	case 't':
		break;
	default:
		return -1;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	unsigned int by_state = 0;
	int i;

	*o = (struct options){ .states = SS_CONN, .proto = -1 };
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "state") && i + 1 < argc) {
			if (parse_state(argv[++i], &by_state))
				return -1;
			continue;
		}
		if (!strcmp(a, "-P") && i + 1 < argc) {
			o->proto = atoi(argv[++i]);
			continue;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			exit(0);
		}
		if (a[0] != '-' || !a[1])
			return -1;
		for (a++; *a; a++) {
			if (parse_flag(*a, o))
				return -1;
		}
	}
	if (by_state)
		o->states = by_state;
	/* As ss: neither (or both) of -4 and -6 lists both families. */
	if (!o->v4 && !o->v6) {
		o->v4 = true;
		o->v6 = true;
	}
	if (o->proto < 0)
		o->proto = xtcp_proto();
	return o->proto > 0 && o->proto < 256 ? 0 : -1;
}

static int send_dump(int fd, const struct options *o, int family)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 r;
	} q = {
		.nlh = {
			.nlmsg_len = sizeof(q),
			.nlmsg_type = SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		},
		.r = {
			.sdiag_family = family,
			.sdiag_protocol = o->proto,
			.idiag_states = o->states,
		},
	};

	if (o->info)
		q.r.idiag_ext |= (1 << (INET_DIAG_INFO - 1)) |
				 (1 << (INET_DIAG_CONG - 1));
	if (o->memory)
		q.r.idiag_ext |= 1 << (INET_DIAG_SKMEMINFO - 1);
	return xtcp_diag_send(fd, &q, sizeof(q));
}

/*
 * One end as ss prints it: "192.0.2.1:80", "[2001:db8::1]:80", a port 0
 * as "*", and the unspecified IPv6 address as "*" unless the socket is
 * IPV6_V6ONLY (then "[::]"), so that a dual-stack listener reads "*:80".
 */
static void print_endpoint(int family, const __be32 *addr, __be16 port,
			   bool v6only)
{
	char buf[INET6_ADDRSTRLEN + 16], ip[INET6_ADDRSTRLEN + 2];
	char portbuf[8] = "*";

	if (port)
		snprintf(portbuf, sizeof(portbuf), "%u", ntohs(port));
	if (family != AF_INET6) {
		inet_ntop(AF_INET, addr, ip, sizeof(ip));
	} else if (!v6only && !addr[0] && !addr[1] && !addr[2] && !addr[3]) {
		strcpy(ip, "*");
	} else {
		char a6[INET6_ADDRSTRLEN];

		inet_ntop(AF_INET6, addr, a6, sizeof(a6));
		snprintf(ip, sizeof(ip), "[%s]", a6);
	}
	snprintf(buf, sizeof(buf), "%s:%s", ip, portbuf);
	printf(" %-21s", buf);
}

static void print_info(const struct tcp_info *ti, const char *cong)
{
	printf("\n\t %s", cong[0] ? cong : "");
	if (ti->tcpi_options & TCPI_OPT_WSCALE)
		printf(" wscale:%u,%u", ti->tcpi_snd_wscale,
		       ti->tcpi_rcv_wscale);
	if (ti->tcpi_rto)
		printf(" rto:%g", ti->tcpi_rto / 1000.0);
	if (ti->tcpi_rtt)
		printf(" rtt:%g/%g", ti->tcpi_rtt / 1000.0,
		       ti->tcpi_rttvar / 1000.0);
	printf(" mss:%u cwnd:%u", ti->tcpi_snd_mss, ti->tcpi_snd_cwnd);
	if (ti->tcpi_snd_ssthresh < 0xffff)
		printf(" ssthresh:%u", ti->tcpi_snd_ssthresh);
	if (ti->tcpi_retrans || ti->tcpi_total_retrans)
		printf(" retrans:%u/%u", ti->tcpi_retrans,
		       ti->tcpi_total_retrans);
	if (ti->tcpi_unacked)
		printf(" unacked:%u", ti->tcpi_unacked);
	if (ti->tcpi_sacked)
		printf(" sacked:%u", ti->tcpi_sacked);
	if (ti->tcpi_reordering != 3)
		printf(" reordering:%u", ti->tcpi_reordering);
}

static void print_skmem(const __u32 *m)
{
	printf(" skmem:(r%u,rb%u,t%u,tb%u,f%u,w%u,o%u,bl%u,d%u)",
	       m[SK_MEMINFO_RMEM_ALLOC], m[SK_MEMINFO_RCVBUF],
	       m[SK_MEMINFO_WMEM_ALLOC], m[SK_MEMINFO_SNDBUF],
	       m[SK_MEMINFO_FWD_ALLOC], m[SK_MEMINFO_WMEM_QUEUED],
	       m[SK_MEMINFO_OPTMEM], m[SK_MEMINFO_BACKLOG],
	       m[SK_MEMINFO_DROPS]);
}

/* One socket's line(s), as ss -tn prints them; @arg the options. */
static void print_msg(const struct nlmsghdr *h, void *arg)
{
	const struct options *o = arg;
	const struct inet_diag_msg *r = NLMSG_DATA(h);
	const struct tcp_info *ti = NULL;
	const __u32 *skmem = NULL;
	const struct rtattr *a;
	char cong[16] = "";
	bool v6only = false;
	int len;

	a = (const struct rtattr *)(r + 1);
	len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*r));
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == INET_DIAG_INFO &&
		    RTA_PAYLOAD(a) >= (int)offsetof(struct tcp_info, tcpi_rcv_rtt))
			ti = RTA_DATA(a);
		else if (a->rta_type == INET_DIAG_CONG)
			snprintf(cong, sizeof(cong), "%.*s",
				 (int)RTA_PAYLOAD(a), (const char *)RTA_DATA(a));
		else if (a->rta_type == INET_DIAG_SKMEMINFO &&
			 RTA_PAYLOAD(a) >= (int)(SK_MEMINFO_VARS * sizeof(__u32)))
			skmem = RTA_DATA(a);
		else if (a->rta_type == INET_DIAG_SKV6ONLY &&
			 RTA_PAYLOAD(a) >= 1)
			v6only = *(const __u8 *)RTA_DATA(a);
	}
	printf("%-10s %6u %6u", r->idiag_state < SS_MAX &&
	       state_name[r->idiag_state] ? state_name[r->idiag_state] : "UNKNOWN",
	       r->idiag_rqueue, r->idiag_wqueue);
	print_endpoint(r->idiag_family, r->id.idiag_src, r->id.idiag_sport,
		       v6only);
	print_endpoint(r->idiag_family, r->id.idiag_dst, r->id.idiag_dport,
		       v6only);
	if (o->extended) {
		printf(" uid:%u ino:%u", r->idiag_uid, r->idiag_inode);
		if (r->id.idiag_cookie[0] != INET_DIAG_NOCOOKIE)
			printf(" sk:%llx",
			       (unsigned long long)r->id.idiag_cookie[1] << 32 |
			       r->id.idiag_cookie[0]);
	}
	if (skmem)
		print_skmem(skmem);
	if (ti)
		print_info(ti, cong);
	printf("\n");
}

int main(int argc, char **argv)
{
	static char buf[65536];
	struct options o;
	int fd, err;

	if (parse_args(argc, argv, &o)) {
		usage(stderr);
		return 2;
	}
	fd = xtcp_diag_open();
	if (fd < 0) {
		fprintf(stderr, "xtcp-ss: socket(NETLINK_SOCK_DIAG): %s\n",
			strerror(-fd));
		return 1;
	}
	if (!o.no_header)
		printf("%-10s %6s %6s %-21s %-21s\n", "State", "Recv-Q",
		       "Send-Q", " Local Address:Port", " Peer Address:Port");
	/* One dump a family, AF_INET first, as ss asks them. */
	err = 0;
	if (o.v4)
		err = send_dump(fd, &o, AF_INET);
	if (!err && o.v4)
		err = xtcp_diag_read(fd, buf, sizeof(buf), false, print_msg,
				     &o);
	if (!err && o.v6)
		err = send_dump(fd, &o, AF_INET6);
	if (!err && o.v6)
		err = xtcp_diag_read(fd, buf, sizeof(buf), false, print_msg,
				     &o);
	close(fd);
	if (err) {
		fprintf(stderr, "xtcp-ss: %s%s\n", strerror(-err),
			err == -ENOENT ? " (is xtcp_diag.ko installed?)" : "");
		return 1;
	}
	return 0;
}
