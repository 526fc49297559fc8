// SPDX-License-Identifier: GPL-2.0
/*
 * Paths and their MTU: over the link of xtcp_link.h, segments that
 * follow a lower MTU and shrink for IP options; then a routed path,
 * a -- r -- b, for the ICMP errors a router sends (host unreachable,
 * fragmentation needed) and a router without scatter-gather.
 *
 * Every test runs over Linux TCP and over xtcp with the same
 * expectations, and over xtcp on IPv6 (xtcp6 variants) but where IPv4
 * is the subject: IPv6's minimum MTU, 1280, stands for 1000 there.
 */
#include <netinet/ip.h>

#include "kselftest_harness.h"
#include "xtcp_ns.h"

static const struct link6_skip link6_skips[] = {
	{ "ip_options_shrink_segments", "IP_OPTIONS is IPv4's" },
	{ NULL, NULL }
};

#define XTCP_LINK6_SKIPS	link6_skips

#include "xtcp_link.h"

/* The lower MTU of the tests' paths: IPv6 needs 1280 at least. */
static int low_mtu(int family)
{
	return family == AF_INET6 ? 1280 : 1000;
}

/*
 * Over a 1000-byte MTU (DF set, as always; 1280 bytes over IPv6),
 * segments larger than the peer's MSS would never arrive: 100 KB
 * getting through shows they fit.
 */
TEST_F_TIMEOUT(link, mss_follows_mtu, 60)
{
	struct side s = { .proto = variant->proto, .family = self->family,
			  .proc = variant->proc, .len = 100000 };
	char cmd[64];

	snprintf(cmd, sizeof(cmd), IP " link set veth0 mtu %d",
		 low_mtu(self->family));
	ASSERT_EQ(0, ns_sh(self->a, cmd));
	ASSERT_EQ(0, ns_sh(self->b, cmd));
	EXPECT_EQ(0, pattern_to_sink_b(self->a, self->b, &s));
}

/* TCP_MAXSEG of @fd, or -1. */
static int maxseg(int fd)
{
	socklen_t len = sizeof(int);
	int v;

	return getsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &v, &len) ? -1 : v;
}

/*
 * 40 bytes of IP options (IP_OPTIONS, all no-ops) set on a connected
 * socket: segments shrink by them, so that none is too large for the
 * 1500-byte MTU and refused locally (as the syscall fuzzer found with
 * seed 4), and 100000 bytes arrive intact; TCP_MAXSEG shows the change.
 */
TEST_F_TIMEOUT(link, ip_options_shrink_segments, 60)
{
	struct side s = { .proto = variant->proto, .family = self->family,
			  .proc = variant->proc, .len = 100000 };
	uint8_t opts[40];
	int ready[2], fd, mss;
	pid_t pid;

	memset(opts, IPOPT_NOOP, sizeof(opts));
	opts[sizeof(opts) - 1] = IPOPT_END;
	ASSERT_EQ(0, pipe(ready));
	s.ready = ready[1];
	ASSERT_EQ(0, enter_ns(self->a));
	fd = connect_to_child(self->b, s.proto, &s, sink_b, &pid, ready[0]);
	ASSERT_LE(0, fd);
	mss = maxseg(fd);
	ASSERT_LT(1400, mss);
	ASSERT_EQ(0, setsockopt(fd, SOL_IP, IP_OPTIONS, opts, sizeof(opts)));
	EXPECT_EQ(mss - 40, maxseg(fd));
	EXPECT_EQ(0, xtcp_send_pattern_chunks(fd, s.len, 4096));
	close(fd);
	EXPECT_EQ(0, child_status(pid));
}

/*
 * Three hosts: a (198.18.0.1) -- r -- b (198.18.1.2).  r forwards, sends
 * "host unreachable" for 198.18.9.0/24, and its link towards b has a
 * 1000-byte MTU while a and b see 1500 on theirs: only path MTU
 * discovery gets full-sized segments from a to b.  Over IPv6: a
 * (2001:2::1) -- r -- b (2001:2:1::2), r's route to 2001:2:9::/64
 * unreachable (ICMPv6 "no route"), its link towards b of 1280 bytes.
 */
#define ADDR_FAR	"198.18.1.2"
#define ADDR_NOWHERE	"198.18.9.1"
#define ADDR6_FAR	"2001:2:1::2"
#define ADDR6_NOWHERE	"2001:2:9::1"

FIXTURE(route) {
	char a[32], r[32], b[32];
	int family;
	const char *addr_a, *addr_far;	/* in that family */
};

FIXTURE_VARIANT(route) {
	int proto;
	int family;	/* 0: AF_INET */
	const char *proc;
};

FIXTURE_VARIANT_ADD(route, tcp) {
	.proto = IPPROTO_TCP,
	.proc = "/proc/net/tcp",
};

FIXTURE_VARIANT_ADD(route, xtcp) {
	.proto = IPPROTO_XTCP,
	.proc = "/proc/net/xtcp",
};

/* ICMPv6 from a router: the tcp variant showed the expectations TCP's. */
FIXTURE_VARIANT_ADD(route, xtcp6) {
	.proto = IPPROTO_XTCP,
	.family = AF_INET6,
	.proc = "/proc/net/xtcp6",
};

/* Namespaces a, r and b, and the links a -- r (veth0) and r (veth1) -- b. */
static int routed_links(char *a, char *r, char *b, size_t len)
{
	snprintf(a, len, "xa%d", getpid());
	snprintf(r, len, "xr%d", getpid());
	snprintf(b, len, "xb%d", getpid());
	if (sh(IP " netns add %s && " IP " netns add %s && " IP " netns add %s",
	       a, r, b))
		return -1;
	return sh(IP " -n %s link add veth0 type veth peer name veth0 netns %s && "
		  IP " -n %s link add veth0 type veth peer name veth1 netns %s",
		  a, r, b, r);
}

static int routed_up(char *a, char *r, char *b, size_t len)
{
	return routed_links(a, r, b, len) ||
	       ns_sh(a, IP " link set lo up && " IP " link set veth0 up && "
		     IP " addr add 198.18.0.1/24 dev veth0 && "
		     IP " route add default via 198.18.0.254") ||
	       ns_sh(r, IP " link set lo up && " IP " link set veth0 up && "
		     IP " link set veth1 mtu 1000 up && "
		     IP " addr add 198.18.0.254/24 dev veth0 && "
		     IP " addr add 198.18.1.254/24 dev veth1 && "
		     IP " route add unreachable 198.18.9.0/24") ||
	       ns_sh(b, IP " link set lo up && " IP " link set veth0 up && "
		     IP " addr add " ADDR_FAR "/24 dev veth0 && "
		     IP " route add default via 198.18.1.254") ||
	       enter_ns(r) ||
	       xtcp_write_str("/proc/sys/net/ipv4/ip_forward", "1") ? -1 : 0;
}

/* routed_up() over IPv6, once its addresses are usable (ns_addr6_wait()). */
static int routed_up6(char *a, char *r, char *b, size_t len)
{
	return routed_links(a, r, b, len) ||
	       ns_sh(a, IP " link set lo up && " IP " link set veth0 up && "
		     IP " addr add " ADDR6_A "/64 dev veth0 nodad && "
		     IP " route add default via 2001:2::fe") ||
	       ns_sh(r, IP " link set lo up && " IP " link set veth0 up && "
		     IP " link set veth1 mtu 1280 up && "
		     IP " addr add 2001:2::fe/64 dev veth0 nodad && "
		     IP " addr add 2001:2:1::fe/64 dev veth1 nodad && "
		     IP " route add unreachable 2001:2:9::/64") ||
	       ns_sh(b, IP " link set lo up && " IP " link set veth0 up && "
		     IP " addr add " ADDR6_FAR "/64 dev veth0 nodad && "
		     IP " route add default via 2001:2:1::fe") ||
	       ns_addr6_wait(a) || ns_addr6_wait(r) || ns_addr6_wait(b) ||
	       enter_ns(r) ||
	       xtcp_write_str("/proc/sys/net/ipv6/conf/all/forwarding", "1") ?
	       -1 : 0;
}

FIXTURE_SETUP(route)
{
	XTCP_SKIP_TCP_VARIANT(variant->proto);
	self->family = variant->family ? : AF_INET;
	self->addr_a = ns_addr_a(self->family);
	if (self->family == AF_INET6) {
		self->addr_far = ADDR6_FAR;
		ASSERT_EQ(0, routed_up6(self->a, self->r, self->b,
					sizeof(self->a)));
		return;
	}
	self->addr_far = ADDR_FAR;
	ASSERT_EQ(0, routed_up(self->a, self->r, self->b, sizeof(self->a)));
}

FIXTURE_TEARDOWN(route)
{
	settle(self->a);
	settle(self->b);
	sh(IP " netns del %s; " IP " netns del %s; " IP " netns del %s",
	   self->a, self->r, self->b);
}

/*
 * A router's "host unreachable" ends connect() at once with its errno;
 * over IPv6, its "no route to destination", ENETUNREACH (as
 * icmpv6_err_convert() has it, which ends a SYN_SENT socket of Linux
 * TCP over IPv6 as any error does).
 */
TEST_F_TIMEOUT(route, host_unreachable, 60)
{
	bool v6 = self->family == AF_INET6;
	long long t0, took;
	int fd;

	ASSERT_EQ(0, enter_ns(self->a));
	fd = bound_socket(variant->proto, self->addr_a, PORT_A, true);
	ASSERT_LE(0, fd);
	t0 = xtcp_now_ms();
	EXPECT_EQ(v6 ? -ENETUNREACH : -EHOSTUNREACH,
		  connect_wait(fd, v6 ? ADDR6_NOWHERE : ADDR_NOWHERE, PORT_B));
	took = xtcp_now_ms() - t0;
	EXPECT_GT(1000, took);
	close(fd);
}

/*
 * Both ends announce an MSS of 1460; r cannot forward such segments to
 * b and says "fragmentation needed, MTU 1000" (over IPv6, ICMPv6's
 * "packet too big, MTU 1280").  The sender lowers its segment size,
 * sends again what was lost, and every byte arrives.
 */
TEST_F_TIMEOUT(route, path_mtu_lowered, 90)
{
	struct side s = { .proto = variant->proto, .family = self->family,
			  .proc = variant->proc, .len = 200000,
			  .addr = self->addr_far };

	EXPECT_EQ(0, pattern_to_sink_b(self->a, self->b, &s));
	/* The route learnt the path's MTU. */
	EXPECT_EQ(0, sh(IP " route get %s | grep -q 'mtu %d'",
			self->addr_far, low_mtu(self->family)));
	if (variant->proto == IPPROTO_XTCP)
		EXPECT_LT(0, xtcp_counter("RetransSegs"));
}

/*
 * As path_mtu_lowered, written 700 bytes at a time with TCP_NODELAY, so
 * that writes keep coming while the segments the router refused are
 * sent again: new data never joins a segment already sent, and once
 * everything is acknowledged nothing counts as in flight (tcpi_unacked,
 * Linux's packets_out) or unacknowledged (SIOCOUTQ).
 */
TEST_F_TIMEOUT(route, path_mtu_lowered_while_writing, 90)
{
	struct side s = { .proto = variant->proto, .family = self->family,
			  .proc = variant->proc, .len = 200000,
			  .addr = self->addr_far };
	struct tcp_info ti;
	int ready[2], fd;
	pid_t pid;

	ASSERT_EQ(0, pipe(ready));
	s.ready = ready[1];
	ASSERT_EQ(0, enter_ns(self->a));
	fd = connect_to_child(self->b, s.proto, &s, sink_b, &pid, ready[0]);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xtcp_set_int(fd, IPPROTO_TCP, TCP_NODELAY, 1));
	EXPECT_EQ(0, xtcp_send_pattern_chunks(fd, s.len, 700));
	EXPECT_EQ(0, xtcp_wait_outq_empty(fd, 20000));
	ASSERT_EQ(0, xtcp_tcp_info(fd, &ti));
	EXPECT_EQ(0, ti.tcpi_unacked);
	EXPECT_GT(self->family == AF_INET6 ? 1440 : 1460, ti.tcpi_snd_mss);
	close(fd);
	EXPECT_EQ(0, child_status(pid));
}

/*
 * r forwards onto a link without scatter-gather (and so without GSO)
 * nor tx-gso-list: the runs a sends, once cut to the path's MTU, are cut
 * into single segments in front of r's veth1 (by xtcp's GSO callback
 * for xtcp), the payload pages copied into each segment's head.  Every
 * byte arrives, and b gets xtcp's segments one by one.
 */
TEST_F_TIMEOUT(route, forward_without_sg, 90)
{
	struct side s = { .proto = variant->proto, .family = self->family,
			  .proc = variant->proc, .len = 200000,
			  .addr = self->addr_far };

	ASSERT_EQ(0, ethtool_feature_off("veth1", "tx-gso-list"));
	ASSERT_EQ(0, ethtool_feature_off("veth1", "tx-scatter-gather"));
	EXPECT_EQ(0, pattern_to_sink_b(self->a, self->b, &s));
	if (variant->proto == IPPROTO_XTCP) {
		ASSERT_EQ(0, enter_ns(self->b));
		/* Payload of at most the MTU less 40 bytes of headers
		 * (60 over IPv6).
		 */
		int most = low_mtu(self->family) -
			   (self->family == AF_INET6 ? 60 : 40);

		EXPECT_LE((200000 + most - 1) / most, xtcp_counter("InSegs"));
	}
}

TEST_HARNESS_MAIN
