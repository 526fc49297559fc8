/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Two hosts for the selftests: network namespaces "a" (198.18.0.1) and
 * "b" (198.18.0.2) joined by a veth pair with netem on both ends, and
 * the helpers to run a side of a test in either.
 */
#ifndef _XTCP_NS_H
#define _XTCP_NS_H

#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>

#include "xtcp_test.h"

#define ADDR_A	"198.18.0.1"
#define ADDR_B	"198.18.0.2"
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
 * Commands for host @ns with address @addr, 100 ms from its peer: few
 * programs, as each costs much under an emulated debug kernel.
 */
static inline void host_cmds(char *buf, size_t len, const char *ns,
			     const char *addr)
{
	snprintf(buf, len,
		 "printf 'addr add %s/24 dev veth0\\nlink set veth0 up\\n"
		 "link set lo up\\n' | " IP " -n %s -b - && "
		 TC " -n %s qdisc add dev veth0 root netem delay 100ms",
		 addr, ns, ns);
}

/* Two hosts a and b, 100 ms apart each way. */
static inline int hosts_up(char *a, char *b, size_t len)
{
	char ca[256], cb[256];

	snprintf(a, len, "xa%d", getpid());
	snprintf(b, len, "xb%d", getpid());
	host_cmds(ca, sizeof(ca), a, ADDR_A);
	host_cmds(cb, sizeof(cb), b, ADDR_B);
	return sh(IP " netns add %s && " IP " netns add %s && " IP
		  " -n %s link add veth0 type veth peer name veth0 netns %s && %s && %s",
		  a, b, a, b, ca, cb) ? -1 : 0;
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

static inline int bound_socket(int proto, const char *addr,
			       unsigned short port, bool nonblock)
{
	int fd = socket(AF_INET, SOCK_STREAM | (nonblock ? SOCK_NONBLOCK : 0),
			proto);

	if (fd < 0)
		return -1;
	if (xtcp_bind(fd, addr, port)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Nonblocking connect, then wait until it completes; 0 or -errno. */
static inline int connect_wait(int fd, const char *addr, unsigned short port)
{
	struct sockaddr_in a = xtcp_addr(addr, port);
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	socklen_t len = sizeof(int);
	int err = 0;

	if (!connect(fd, (struct sockaddr *)&a, sizeof(a)))
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

/* Turn feature @cmd (ETHTOOL_S*) of @dev off in the current namespace. */
static inline int ethtool_off(const char *dev, uint32_t cmd)
{
	struct ethtool_value v = { .cmd = cmd, .data = 0 };
	struct ifreq ifr = { .ifr_data = (void *)&v };
	int fd = socket(AF_INET, SOCK_DGRAM, 0), err;

	strncpy(ifr.ifr_name, dev, IFNAMSIZ - 1);
	err = fd < 0 || ioctl(fd, SIOCETHTOOL, &ifr) ? -1 : 0;
	if (fd >= 0)
		close(fd);
	return err;
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

/*
 * Drop everything @a sends to @b; static neighbour entries both ways keep
 * ARP out of the picture, so that only the transport's timers decide.
 */
static inline int black_hole_to(const char *a, const char *b,
				const char *b_addr)
{
	const char *a_addr = strcmp(b_addr, ADDR_B) ? ADDR_B : ADDR_A;

	if (static_neigh(a, b, b_addr) || static_neigh(b, a, a_addr))
		return -1;
	return ns_sh(a, TC " qdisc change dev veth0 root netem loss 100%");
}

static inline int black_hole(const char *a, const char *b)
{
	return black_hole_to(a, b, ADDR_B);
}

static inline int heal(const char *a)
{
	return ns_sh(a, TC " qdisc change dev veth0 root netem delay 100ms");
}

#endif /* _XTCP_NS_H */
