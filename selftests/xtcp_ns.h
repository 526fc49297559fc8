/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Two hosts for the selftests: network namespaces "a" (198.18.0.1) and
 * "b" (198.18.0.2) joined by a veth pair with netem on both ends, and
 * the helpers to run a side of a test in either.  hosts_up_af() with
 * AF_INET6 gives them 2001:2::1 and 2001:2::2 (RFC 5180's benchmarking
 * range) too; the helpers that take an address work in its family.
 */
#ifndef _XTCP_NS_H
#define _XTCP_NS_H

#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <linux/ethtool.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>

#include "xtcp_test.h"

#define ADDR_A	"198.18.0.1"
#define ADDR_B	"198.18.0.2"
#define ADDR6_A	"2001:2::1"
#define ADDR6_B	"2001:2::2"
#define PORT_A	23001
#define PORT_B	23002

#define IP	"/usr/sbin/ip"
#define TC	"/usr/sbin/tc"

static inline int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return n < (int)sizeof(cmd) ? system(cmd) : -1;
}

/* Run a shell command inside namespace @ns. */
static inline int ns_sh(const char *ns, const char *cmd)
{
	return sh(IP " netns exec %s sh -c '%s'", ns, cmd);
}

static inline int enter_ns(const char *name)
{
	char path[64];
	int fd, err;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	err = setns(fd, CLONE_NEWNET);
	close(fd);
	return err ? -errno : 0;
}

/*
 * A route netlink socket of namespace @ns (NULL: this thread's), from a
 * thread that stays where it is: a socket keeps the namespace it was
 * made in.  The thread's own namespace, not the process's, is the one to
 * go back to: setns() moves the calling thread only.
 */
static inline int ns_rtnl_socket(const char *ns)
{
	int self, fd = -1;

	if (!ns)
		return socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -1;
	if (!enter_ns(ns))
		fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (setns(self, CLONE_NEWNET) && fd >= 0) {
		close(fd);
		fd = -1;
	}
	close(self);
	return fd;
}

/*
 * Dump @type (RTM_GETLINK, RTM_GETADDR) of namespace @ns, calling @fn on
 * each message; 0, or -1 when the dump failed.
 */
static inline int ns_rtnl_dump(const char *ns, int type,
			       void (*fn)(struct nlmsghdr *nh, void *arg),
			       void *arg)
{
	struct {
		struct nlmsghdr nh;
		struct ifaddrmsg ifa;	/* ifinfomsg's first byte too */
	} req = {
		.nh = { .nlmsg_len = sizeof(req), .nlmsg_type = type,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.ifa = { .ifa_family = AF_INET6 },
	};
	struct nlmsghdr *nh;
	int fd, len, ret = -1;
	char buf[8192];

	fd = ns_rtnl_socket(ns);
	if (fd < 0)
		return -1;
	if (send(fd, &req, sizeof(req), 0) != sizeof(req))
		goto out;
	while ((len = recv(fd, buf, sizeof(buf), 0)) > 0) {
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, len);
		     nh = NLMSG_NEXT(nh, len)) {
			if (nh->nlmsg_type == NLMSG_DONE) {
				ret = 0;
				goto out;
			}
			if (nh->nlmsg_type == NLMSG_ERROR)
				goto out;
			fn(nh, arg);
		}
	}
out:
	close(fd);
	return ret;
}

/* linux/if.h's IF_OPER_UP (RFC 2863), which cannot be had with net/if.h. */
#define XTCP_IF_OPER_UP		6

/*
 * An interface up, not loopback, whose operational state is not up yet:
 * IPv6 is not ready on it (below).
 */
static inline void ns_link_not_ready(struct nlmsghdr *nh, void *arg)
{
	struct ifinfomsg *ifi = NLMSG_DATA(nh);
	int len = IFLA_PAYLOAD(nh);
	struct rtattr *rta;

	if (!(ifi->ifi_flags & IFF_UP) || ifi->ifi_flags & IFF_LOOPBACK)
		return;
	for (rta = IFLA_RTA(ifi); RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		if (rta->rta_type == IFLA_OPERSTATE &&
		    *(__u8 *)RTA_DATA(rta) != XTCP_IF_OPER_UP)
			*(bool *)arg = true;
}

/* A global IPv6 address still tentative. */
static inline void ns_addr6_tentative(struct nlmsghdr *nh, void *arg)
{
	struct ifaddrmsg *ifa = NLMSG_DATA(nh);

	if (ifa->ifa_flags & IFA_F_TENTATIVE && ifa->ifa_scope != RT_SCOPE_LINK)
		*(bool *)arg = true;
}

/*
 * Is IPv6 ready in namespace @ns (NULL: ours)?  1 or 0, or -1 when it
 * cannot tell.
 *
 * Addresses added before their link is up, as the fixtures do, miss
 * what addrconf sets up when the link becomes ready: the multicast route
 * (ff00::/8) that neighbour solicitations need.  That comes with the
 * link's operational state, which the link watch work sets, at most once
 * a second and under the RTNL.  An address added with nodad skips
 * duplicate address detection but is tentative until addrconf's own work,
 * also under the RTNL, joins its solicited-node group.  Both dumps run
 * under the RTNL too, so what they show is done.  Link-local addresses do
 * not count: they go through duplicate address detection (a second or
 * two), and meanwhile neighbour discovery speaks from a global address.
 */
static inline int ns_ipv6_ready(const char *ns)
{
	bool not_ready = false;

	if (ns_rtnl_dump(ns, RTM_GETLINK, ns_link_not_ready, &not_ready) ||
	    ns_rtnl_dump(ns, RTM_GETADDR, ns_addr6_tentative, &not_ready))
		return -1;
	return !not_ready;
}

/* How long IPv6 may take to be ready: the RTNL's longest hold. */
#define XTCP_ADDR6_WAIT_MS	20000

/*
 * Wait until IPv6 is ready in namespace @ns (NULL: ours); 0, or -1
 * after %XTCP_ADDR6_WAIT_MS.
 *
 * Until then the namespace drops what is sent to it (Ip6InNoRoutes),
 * neighbour solicitations included.  Under an emulated kernel, with the
 * namespaces of earlier tests being torn down and holding the RTNL, a
 * first SYN once waited a second in the neighbour queue, a retransmitted
 * one went with it, the SYN-ACK echoed the first SYN's timestamp, and
 * the connection started from a one-second RTT sample.
 */
static inline int ns_addr6_wait(const char *ns)
{
	long long start = xtcp_now_ms(), waited;
	int ready;

	xtcp_read_poll_timeout(ns_ipv6_ready, ready, ready, 5000,
			       XTCP_ADDR6_WAIT_MS, ns);
	/* A long wait says the RTNL was busy: worth a line in the log. */
	waited = xtcp_now_ms() - start;
	if (ready != 1 || waited >= 200)
		fprintf(stderr, "# IPv6 in %s: %s after %lld ms\n",
			ns ? : "this namespace",
			ready == 1 ? "ready" : "not ready", waited);
	return ready == 1 ? 0 : -1;
}

/*
 * A test of the link fixture (xtcp_link.h) its IPv6 variant does not
 * run, and why.
 */
struct link6_skip {
	const char *test;
	const char *why;
};

/* a's and b's address in @family (AF_INET6, else IPv4's). */
static inline const char *ns_addr_a(int family)
{
	return family == AF_INET6 ? ADDR6_A : ADDR_A;
}

static inline const char *ns_addr_b(int family)
{
	return family == AF_INET6 ? ADDR6_B : ADDR_B;
}

/*
 * Commands for host @ns with address @addr, and IPv6 address @addr6
 * unless NULL, 100 ms from its peer: few programs, as each costs much
 * under an emulated debug kernel.  The IPv6 address skips duplicate
 * address detection (nodad), which would hold it for a second; it is
 * still tentative for a moment (ns_addr6_wait()).
 */
static inline void host_cmds(char *buf, size_t len, const char *ns,
			     const char *addr, const char *addr6)
{
	char v6[64] = "";

	if (addr6)
		snprintf(v6, sizeof(v6), "addr add %s/64 dev veth0 nodad\\n",
			 addr6);
	snprintf(buf, len,
		 "printf 'addr add %s/24 dev veth0\\n%slink set veth0 up\\n"
		 "link set lo up\\n' | " IP " -n %s -b - && "
		 TC " -n %s qdisc add dev veth0 root netem delay 100ms",
		 addr, v6, ns, ns);
}

/*
 * Two hosts a and b, 100 ms apart each way, with IPv4 addresses and, for
 * @family AF_INET6, IPv6 ones too, no longer tentative.
 */
static inline int hosts_up_af(char *a, char *b, size_t len, int family)
{
	bool v6 = family == AF_INET6;
	char ca[320], cb[320];

	snprintf(a, len, "xa%d", getpid());
	snprintf(b, len, "xb%d", getpid());
	host_cmds(ca, sizeof(ca), a, ADDR_A, v6 ? ADDR6_A : NULL);
	host_cmds(cb, sizeof(cb), b, ADDR_B, v6 ? ADDR6_B : NULL);
	if (sh(IP " netns add %s && " IP " netns add %s && " IP
	       " -n %s link add veth0 type veth peer name veth0 netns %s && %s && %s",
	       a, b, a, b, ca, cb))
		return -1;
	return v6 && (ns_addr6_wait(a) || ns_addr6_wait(b)) ? -1 : 0;
}

static inline int hosts_up(char *a, char *b, size_t len)
{
	return hosts_up_af(a, b, len, AF_INET);
}

/*
 * Does /proc/net/xtcp or /proc/net/xtcp6 list a connection in FIN_WAIT1,
 * CLOSING, LAST_ACK?
 */
static inline bool closing_left(void)
{
	unsigned int closing = 1U << TCP_FIN_WAIT1 | 1U << TCP_CLOSING |
			       1U << TCP_LAST_ACK;

	return xtcp_proc_count_states("/proc/net/xtcp", closing) > 0 ||
	       xtcp_proc_count_states("/proc/net/xtcp6", closing) > 0;
}

/*
 * Let the connections of @ns finish closing (up to 10 s) before its
 * namespace goes: one still sending its FIN when the path disappears
 * would send it again for many minutes, holding the module.
 */
static inline void settle(const char *ns)
{
	long long deadline = xtcp_now_ms() + 10000;

	if (enter_ns(ns))
		return;
	while (closing_left() && xtcp_now_ms() < deadline)
		usleep(20000);
}

static inline void hosts_down(const char *a, const char *b)
{
	settle(a);
	settle(b);
	sh(IP " netns del %s; " IP " netns del %s", a, b);
}

/* A socket of @proto bound to @addr:@port, of @addr's family; or -1. */
static inline int bound_socket(int proto, const char *addr,
			       unsigned short port, bool nonblock)
{
	int fd = socket(xtcp_family_of(addr),
			SOCK_STREAM | (nonblock ? SOCK_NONBLOCK : 0), proto);

	if (fd < 0)
		return -1;
	if (xtcp_bind(fd, addr, port)) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Nonblocking connect to @addr:@port (IPv4 or IPv6), then wait until it
 * completes; 0 or -errno.
 */
static inline int connect_wait(int fd, const char *addr, unsigned short port)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	struct sockaddr_storage a;
	socklen_t len = sizeof(int);
	socklen_t alen = xtcp_sockaddr(addr, port, &a);
	int err = 0;

	if (!connect(fd, (struct sockaddr *)&a, alen))
		return 0;
	if (errno != EINPROGRESS)
		return -errno;
	if (poll(&pfd, 1, 15000) != 1)
		return -ETIMEDOUT;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
		return -errno;
	return -err;
}

/* A permanent neighbour entry in @ns for @peer_addr, the veth0 of @peer. */
static inline int static_neigh(const char *ns, const char *peer,
			       const char *peer_addr)
{
	char mac[32] = "", cmd[160];
	FILE *f;

	if (ns_sh(peer, "cat /sys/class/net/veth0/address > /tmp/xtcp_mac"))
		return -1;
	f = fopen("/tmp/xtcp_mac", "r");
	if (!f || fscanf(f, "%31s", mac) != 1)
		return -1;
	fclose(f);
	snprintf(cmd, sizeof(cmd),
		 IP " neigh replace %s lladdr %s dev veth0 nud permanent",
		 peer_addr, mac);
	return ns_sh(ns, cmd);
}

/* Run @fn(@arg) in namespace @ns in a child; returns its exit status. */
static inline pid_t spawn_in(const char *ns, int (*fn)(void *), void *arg)
{
	pid_t pid = fork();

	if (!pid)
		_exit(enter_ns(ns) ? 100 : fn(arg));
	return pid;
}

static inline int child_status(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * Replace @ns's root qdisc on veth0 by netem with parameters @netem and
 * a tbf with parameters @tbf below it; NULL leaves either out.
 */
static inline int impair(const char *ns, const char *netem, const char *tbf)
{
	char cmd[512];
	int n;

	n = snprintf(cmd, sizeof(cmd), TC " qdisc del dev veth0 root");
	if (netem)
		n += snprintf(cmd + n, sizeof(cmd) - n,
			      " && " TC " qdisc add dev veth0 root handle 1: netem %s",
			      netem);
	if (netem && tbf)
		n += snprintf(cmd + n, sizeof(cmd) - n,
			      " && " TC " qdisc add dev veth0 parent 1: handle 2: tbf %s",
			      tbf);
	return n < (int)sizeof(cmd) ? ns_sh(ns, cmd) : -1;
}

/* Set feature @cmd (ETHTOOL_S*) of @dev to @on in the current namespace. */
static inline int ethtool_set(const char *dev, uint32_t cmd, uint32_t on)
{
	struct ethtool_value v = { .cmd = cmd, .data = on };
	struct ifreq ifr = { .ifr_data = (void *)&v };
	int fd = socket(AF_INET, SOCK_DGRAM, 0), err;

	strncpy(ifr.ifr_name, dev, IFNAMSIZ - 1);
	err = fd < 0 || ioctl(fd, SIOCETHTOOL, &ifr) ? -1 : 0;
	if (fd >= 0)
		close(fd);
	return err;
}

/* Turn feature @cmd (ETHTOOL_S*) of @dev off in the current namespace. */
static inline int ethtool_off(const char *dev, uint32_t cmd)
{
	return ethtool_set(dev, cmd, 0);
}

/*
 * The index of feature @name ("tx-gso-list") of @ifr's device, through
 * @fd, or -1; the number of features in *@count.
 */
static inline int ethtool_feature_index(int fd, struct ifreq *ifr,
					const char *name, uint32_t *count)
{
	struct {
		struct ethtool_sset_info info;
		uint32_t count;
	} ss = { .info = { .cmd = ETHTOOL_GSSET_INFO,
			   .sset_mask = 1ULL << ETH_SS_FEATURES } };
	struct ethtool_gstrings *gs;
	int i = -1;

	ifr->ifr_data = (void *)&ss;
	if (ioctl(fd, SIOCETHTOOL, ifr) || !ss.info.sset_mask)
		return -1;
	*count = ss.count;
	gs = calloc(1, sizeof(*gs) + ss.count * ETH_GSTRING_LEN);
	if (!gs)
		return -1;
	gs->cmd = ETHTOOL_GSTRINGS;
	gs->string_set = ETH_SS_FEATURES;
	gs->len = ss.count;
	ifr->ifr_data = (void *)gs;
	if (!ioctl(fd, SIOCETHTOOL, ifr))
		for (i = ss.count - 1; i >= 0; i--)
			if (!strncmp((char *)gs->data + i * ETH_GSTRING_LEN,
				     name, ETH_GSTRING_LEN))
				break;
	free(gs);
	return i;
}

/*
 * Turn the feature @name of @dev (in the current namespace) off, by the
 * name "ethtool -k" shows, for those without a legacy ETHTOOL_S* command.
 */
static inline int ethtool_feature_off(const char *dev, const char *name)
{
	struct {
		struct ethtool_sfeatures sf;
		struct ethtool_set_features_block blocks[4];
	} req = { .sf = { .cmd = ETHTOOL_SFEATURES } };
	int fd = socket(AF_INET, SOCK_DGRAM, 0), i, err = -1;
	struct ifreq ifr = {};
	uint32_t count = 0;

	strncpy(ifr.ifr_name, dev, IFNAMSIZ - 1);
	i = fd < 0 ? -1 : ethtool_feature_index(fd, &ifr, name, &count);
	/* The kernel wants exactly as many blocks as it has features. */
	req.sf.size = (count + 31) / 32;
	if (i >= 0 && req.sf.size <= 4) {
		req.sf.features[i / 32].valid = 1U << (i % 32);
		ifr.ifr_data = (void *)&req;
		err = ioctl(fd, SIOCETHTOOL, &ifr) < 0 ? -1 : 0;
	}
	if (fd >= 0)
		close(fd);
	return err;
}

/*
 * No segmentation offload on @ns's veth0: a qdisc then sees, and netem
 * drops, single segments; with it, Linux TCP would hand netem skbs of up
 * to 45 segments and xtcp runs of them (tx-gso-list), each lost or
 * duplicated as one, and a loss rate would not mean the same to both
 * protocols.
 */
static inline int segments_only(const char *ns)
{
	if (enter_ns(ns))
		return -1;
	return ethtool_off("veth0", ETHTOOL_STSO) ||
	       ethtool_off("veth0", ETHTOOL_SGSO) ||
	       ethtool_feature_off("veth0", "tx-gso-list") ? -1 : 0;
}

/* Change the netem delay of both ends. */
static inline int set_delay(const char *a, const char *b, int ms)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd),
		 TC " qdisc change dev veth0 root netem delay %dms", ms);
	return ns_sh(a, cmd) || ns_sh(b, cmd);
}

/* The address of the other end of the link from @addr, in its family. */
static inline const char *ns_peer_addr(const char *addr)
{
	int family = xtcp_family_of(addr);

	return strcmp(addr, ns_addr_b(family)) ? ns_addr_b(family) :
						 ns_addr_a(family);
}

/*
 * Drop everything @a sends to @b at @b_addr; static neighbour entries
 * both ways (of @b_addr's family) keep ARP, or neighbour discovery, out
 * of the picture, so that only the transport's timers decide.
 */
static inline int black_hole_to(const char *a, const char *b,
				const char *b_addr)
{
	const char *a_addr = ns_peer_addr(b_addr);

	if (static_neigh(a, b, b_addr) || static_neigh(b, a, a_addr))
		return -1;
	return ns_sh(a, TC " qdisc change dev veth0 root netem loss 100%");
}

static inline int black_hole(const char *a, const char *b)
{
	return black_hole_to(a, b, ADDR_B);
}

/* black_hole() for a connection of @family. */
static inline int black_hole_af(const char *a, const char *b, int family)
{
	return black_hole_to(a, b, ns_addr_b(family));
}

static inline int heal(const char *a)
{
	return ns_sh(a, TC " qdisc change dev veth0 root netem delay 100ms");
}

#endif /* _XTCP_NS_H */
