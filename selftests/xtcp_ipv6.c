// SPDX-License-Identifier: GPL-2.0
/*
 * AF_INET6 sockets, what is IPv6's own: connections between two
 * namespaces, /proc/net/xtcp6 (as /proc/net/tcp6) and
 * /proc/net/xtcp_sockstat6 (as sockstat6), syncookies, what an accepted
 * socket inherits from its listener, dual-stack
 * sockets (v4-mapped peers, IPV6_V6ONLY, bind conflicts across
 * families), ICMPv6 refusals and errors, path MTU.  Connections over
 * ::1 as such -- data, half-close, TIME_WAIT, resets -- are the tests
 * of xtcp_conn.c, xtcp_socket.c and xtcp_sockopt.c, whose fixtures run
 * over IPv6 too (variants tcp6, xtcp6).
 *
 * Every test runs twice, over Linux TCP and over xtcp, with the same
 * expectations, each in its own network namespace.
 */
#include <sys/wait.h>
#include <netinet/tcp.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "xtcp_test.h"
#include "xtcp_ns.h"
#include "xtcp_pkt.h"
#include "kselftest_harness.h"

#define PORT	24001

static struct sockaddr_in6 addr6(const char *ip, unsigned short port)
{
	struct sockaddr_in6 a;

	memset(&a, 0, sizeof(a));
	a.sin6_family = AF_INET6;
	a.sin6_port = htons(port);
	inet_pton(AF_INET6, ip, &a.sin6_addr);
	return a;
}

static int bind6(int fd, const char *ip, unsigned short port)
{
	struct sockaddr_in6 a = addr6(ip, port);

	return bind(fd, (struct sockaddr *)&a, sizeof(a)) ? -errno : 0;
}

/* An AF_INET6 listener on @ip:@port, IPV6_V6ONLY as @v6only; or -errno. */
static int listener6(int proto, const char *ip, unsigned short port,
		     int v6only)
{
	int fd = socket(AF_INET6, SOCK_STREAM, proto);
	int err;

	if (fd < 0)
		return -errno;
	err = xtcp_set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, v6only) ? -errno :
	      bind6(fd, ip, port);
	if (!err && listen(fd, 8))
		err = -errno;
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

static int connect6(int proto, const char *ip, unsigned short port)
{
	struct sockaddr_in6 a = addr6(ip, port);
	int fd = socket(AF_INET6, SOCK_STREAM, proto);

	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static int connect4(int proto, const char *ip, unsigned short port)
{
	struct sockaddr_in a = xtcp_addr(ip, port);
	int fd = socket(AF_INET, SOCK_STREAM, proto);

	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* getsockopt() of an int: it, or -errno. */
static int get_int(int fd, int level, int opt)
{
	socklen_t len = sizeof(int);
	int val;

	return getsockopt(fd, level, opt, &val, &len) ? -errno : val;
}

/* The address @sa holds, as text. */
static const char *ntop6(const struct sockaddr_in6 *sa, char *buf,
			 size_t len)
{
	return inet_ntop(AF_INET6, &sa->sin6_addr, buf, len);
}

/* Byte @i of the test stream: not periodic in any power of two. */
static unsigned char pattern(size_t i)
{
	return (i * 131 + i / 997) & 0xff;
}

/*
 * Send @len bytes of the pattern on @fd from a child, which then
 * closes it; return the child, or -1.
 */
static pid_t send_pattern(int fd, size_t len)
{
	unsigned char buf[4096];
	size_t off, n, i;
	pid_t pid = fork();

	if (pid)
		return pid;
	for (off = 0; off < len; off += n) {
		n = len - off < sizeof(buf) ? len - off : sizeof(buf);
		for (i = 0; i < n; i++)
			buf[i] = pattern(off + i);
		if (send(fd, buf, n, MSG_NOSIGNAL) != (ssize_t)n)
			_exit(1);
	}
	close(fd);
	_exit(0);
}

/* Read @len bytes of the pattern from @fd: 0, or -1 on a mismatch. */
static int recv_pattern(int fd, size_t len)
{
	unsigned char buf[4096];
	size_t total = 0;
	ssize_t n, i;

	while (total < len) {
		n = recv(fd, buf, len - total < sizeof(buf) ? len - total :
			 sizeof(buf), 0);
		if (n <= 0)
			return -1;
		for (i = 0; i < n; i++)
			if (buf[i] != pattern(total + i))
				return -1;
		total += n;
	}
	return 0;
}

static int child_ok(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

FIXTURE(ip6) {
	int lfd;
};

FIXTURE_VARIANT(ip6) {
	int proto;
	const char *proc;	/* IPv4 sockets */
	const char *proc6;	/* IPv6 sockets */
};

FIXTURE_VARIANT_ADD(ip6, tcp) {
	.proto = IPPROTO_TCP,
	.proc = "/proc/net/tcp",
	.proc6 = "/proc/net/tcp6",
};

FIXTURE_VARIANT_ADD(ip6, xtcp) {
	.proto = IPPROTO_XTCP,
	.proc = "/proc/net/xtcp",
	.proc6 = "/proc/net/xtcp6",
};

/* A namespace with lo up and a listener on [::1]:PORT. */
FIXTURE_SETUP(ip6)
{
	XTCP_SKIP_TCP_VARIANT(variant->proto);
	ASSERT_EQ(0, xtcp_new_netns());
	xtcp_write_str("/proc/sys/net/xtcp/msl_ms", "100");
	self->lfd = listener6(variant->proto, "::1", PORT, 1);
	ASSERT_LE(0, self->lfd);
}

FIXTURE_TEARDOWN(ip6)
{
	close(self->lfd);
}

TEST_F(ip6, handshake_addresses)
{
	struct sockaddr_in6 peer, a;
	socklen_t len = sizeof(peer);
	char buf[INET6_ADDRSTRLEN];
	int c, s;

	c = connect6(variant->proto, "::1", PORT);
	ASSERT_LE(0, c);
	s = accept(self->lfd, (struct sockaddr *)&peer, &len);
	ASSERT_LE(0, s);
	EXPECT_EQ(sizeof(peer), len);
	EXPECT_EQ(AF_INET6, peer.sin6_family);
	EXPECT_STREQ("::1", ntop6(&peer, buf, sizeof(buf)));
	EXPECT_EQ(xtcp_local_port(c), ntohs(peer.sin6_port));
	len = sizeof(a);
	ASSERT_EQ(0, getsockname(c, (struct sockaddr *)&a, &len));
	EXPECT_STREQ("::1", ntop6(&a, buf, sizeof(buf)));
	len = sizeof(a);
	ASSERT_EQ(0, getpeername(c, (struct sockaddr *)&a, &len));
	EXPECT_EQ(PORT, ntohs(a.sin6_port));
	EXPECT_STREQ("::1", ntop6(&a, buf, sizeof(buf)));
	/* Listed in the IPv6 file, in /proc/net/tcp6's layout, only. */
	EXPECT_EQ(0x01, xtcp_proc_state(variant->proc6, xtcp_local_port(c),
					PORT));
	EXPECT_EQ(0x01, xtcp_proc_state(variant->proc6, PORT,
					xtcp_local_port(c)));
	EXPECT_EQ(0x0A, xtcp_proc_state(variant->proc6, PORT, 0));
	EXPECT_EQ(-1, xtcp_proc_state(variant->proc, xtcp_local_port(c),
				      PORT));
	close(c);
	close(s);
}

/* The same layout as /proc/net/tcp6: an IPv6 address is 32 digits. */
TEST_F(ip6, proc6_layout)
{
	char line[512], want[512];
	bool found = false;
	FILE *f;

	ASSERT_EQ(0, xtcp_first_line(variant->proc6, line, sizeof(line)));
	ASSERT_EQ(0, xtcp_first_line("/proc/net/tcp6", want, sizeof(want)));
	EXPECT_STREQ(want, line);
	/* ::1 as the kernel prints it: four host-order words. */
	snprintf(want, sizeof(want), "%08X%08X%08X%08X:%04X", 0, 0, 0,
		 htonl(1), PORT);
	f = fopen(variant->proc6, "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, want) && strstr(line, " 0A "))
			found = true;
	fclose(f);
	EXPECT_TRUE(found);
}

/*
 * The AF_INET6 sockets of the namespace, counted as /proc/net/sockstat6
 * counts TCP's (/proc/net/xtcp_sockstat6 for xtcp): the listener, then
 * with both ends of a connection; the IPv4 line counts none of them.
 */
TEST_F(ip6, sockstat6_inuse)
{
	const bool x = variant->proto == IPPROTO_XTCP;
	const char *path6 = x ? "/proc/net/xtcp_sockstat6" :
				"/proc/net/sockstat6";
	const char *path = x ? "/proc/net/xtcp_sockstat" : "/proc/net/sockstat";
	const char *tag6 = x ? "XTCP6:" : "TCP6:";
	const char *tag = x ? "XTCP:" : "TCP:";
	int c, s;

	EXPECT_EQ(1, xtcp_sockstat_field(path6, tag6, "inuse"));
	c = connect6(variant->proto, "::1", PORT);
	ASSERT_LE(0, c);
	s = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, s);
	EXPECT_EQ(3, xtcp_sockstat_field(path6, tag6, "inuse"));
	EXPECT_EQ(0, xtcp_sockstat_field(path, tag, "inuse"));
	close(c);
	close(s);
}

/*
 * An AF_INET6 socket connected to [@ip]:@port, its SYN announcing MSS
 * @mss (TCP_MAXSEG set before connect(), unless 0); or -errno.
 */
static int connect6_mss(int proto, const char *ip, unsigned short port,
			int mss)
{
	struct sockaddr_in6 a = addr6(ip, port);
	int fd = socket(AF_INET6, SOCK_STREAM, proto);
	int err = 0;

	if (fd < 0)
		return -errno;
	if (mss && xtcp_set_int(fd, IPPROTO_TCP, TCP_MAXSEG, mss))
		err = -errno;
	else if (connect(fd, (struct sockaddr *)&a, sizeof(a)))
		err = -errno;
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

/*
 * The MSS a cookie gave the accepted @s: what it sends (tcpi_snd_mss,
 * also TCP_MAXSEG), with the timestamp option's 12 bytes added back
 * when the connection uses it.  Linux keeps timestamps in a cookie
 * connection and xtcp does not (Documentation/security.rst): @ts says
 * which is expected.
 */
static int cookie_mss(int s, bool ts)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	if (getsockopt(s, IPPROTO_TCP, TCP_INFO, &ti, &len) ||
	    get_int(s, IPPROTO_TCP, TCP_MAXSEG) != (int)ti.tcpi_snd_mss ||
	    !!(ti.tcpi_options & TCPI_OPT_TIMESTAMPS) != ts)
		return -1;
	return ti.tcpi_snd_mss + (ts ? 12 : 0);
}

/*
 * syncookies=2: every SYN is answered with a cookie (keyed over the
 * whole IPv6 4-tuple), and the ACK carrying it makes the connection.
 * The cookie carries the peer's MSS rounded down to Linux's IPv6 table
 * (net/ipv6/syncookies.c: 1220, 1420, 1440, 8940), not IPv4's (536,
 * 1300, 1440, 1460): loopback's 65476 gives 8940, an announced 1400
 * gives 1220 (IPv4's table would give 1460 and 1300).
 */
TEST_F(ip6, syn_cookies)
{
	const char *path = variant->proto == IPPROTO_TCP ?
			   "/proc/sys/net/ipv4/tcp_syncookies" :
			   "/proc/sys/net/xtcp/syncookies";
	bool ts = variant->proto == IPPROTO_TCP;
	long sent, recvd;
	char buf[4];
	int c, s;

	ASSERT_EQ(0, xtcp_write_str(path, "2"));
	sent = xtcp_proto_counter(variant->proto, "SyncookiesSent");
	recvd = xtcp_proto_counter(variant->proto, "SyncookiesRecv");
	c = connect6(variant->proto, "::1", PORT);
	ASSERT_LE(0, c);
	s = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, s);
	EXPECT_EQ(sent + 1, xtcp_proto_counter(variant->proto,
					       "SyncookiesSent"));
	EXPECT_EQ(recvd + 1, xtcp_proto_counter(variant->proto,
						"SyncookiesRecv"));
	ASSERT_EQ(4, send(c, "ck6!", 4, 0));
	EXPECT_EQ(4, xtcp_recv_all(s, buf, 4));
	EXPECT_EQ(0, memcmp(buf, "ck6!", 4));
	EXPECT_EQ(8940, cookie_mss(s, ts));
	close(c);
	close(s);

	c = connect6_mss(variant->proto, "::1", PORT, 1400);
	ASSERT_LE(0, c);
	s = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, s);
	EXPECT_EQ(recvd + 2, xtcp_proto_counter(variant->proto,
						"SyncookiesRecv"));
	EXPECT_EQ(1220, cookie_mss(s, ts));
	close(c);
	close(s);
}

/* Ports across families: a dual-stack wildcard holds IPv4's too. */
TEST_F(ip6, bind_conflicts)
{
	int a, b;

	a = socket(AF_INET6, SOCK_STREAM, variant->proto);
	ASSERT_LE(0, a);
	ASSERT_EQ(0, xtcp_set_int(a, IPPROTO_IPV6, IPV6_V6ONLY, 0));
	ASSERT_EQ(0, bind6(a, "::", PORT + 2));
	b = socket(AF_INET6, SOCK_STREAM, variant->proto);
	ASSERT_LE(0, b);
	EXPECT_EQ(-EADDRINUSE, bind6(b, "::1", PORT + 2));
	close(b);
	b = socket(AF_INET, SOCK_STREAM, variant->proto);
	ASSERT_LE(0, b);
	EXPECT_EQ(-EADDRINUSE, xtcp_bind(b, "127.0.0.1", PORT + 2));
	close(b);
	close(a);

	/* IPV6_V6ONLY leaves IPv4's port free. */
	a = socket(AF_INET6, SOCK_STREAM, variant->proto);
	ASSERT_LE(0, a);
	ASSERT_EQ(0, xtcp_set_int(a, IPPROTO_IPV6, IPV6_V6ONLY, 1));
	ASSERT_EQ(0, bind6(a, "::", PORT + 3));
	b = socket(AF_INET, SOCK_STREAM, variant->proto);
	ASSERT_LE(0, b);
	EXPECT_EQ(0, xtcp_bind(b, "127.0.0.1", PORT + 3));
	close(b);
	close(a);
}

/* One dual-stack listener serves both families (iperf3, nginx, ...). */
TEST_F(ip6, dual_stack_listener)
{
	struct sockaddr_in6 peer;
	socklen_t len = sizeof(peer);
	char buf[INET6_ADDRSTRLEN];
	int l, c4, c6, s4, s6;

	l = listener6(variant->proto, "::", PORT + 4, 0);
	ASSERT_LE(0, l);
	c4 = connect4(variant->proto, "127.0.0.1", PORT + 4);
	ASSERT_LE(0, c4);
	s4 = accept(l, (struct sockaddr *)&peer, &len);
	ASSERT_LE(0, s4);
	EXPECT_EQ(AF_INET6, peer.sin6_family);
	EXPECT_STREQ("::ffff:127.0.0.1", ntop6(&peer, buf, sizeof(buf)));
	EXPECT_EQ(xtcp_local_port(c4), ntohs(peer.sin6_port));
	c6 = connect6(variant->proto, "::1", PORT + 4);
	ASSERT_LE(0, c6);
	len = sizeof(peer);
	s6 = accept(l, (struct sockaddr *)&peer, &len);
	ASSERT_LE(0, s6);
	EXPECT_STREQ("::1", ntop6(&peer, buf, sizeof(buf)));
	/* Both carry data; the IPv4 client is in the IPv4 file. */
	ASSERT_EQ(3, send(c4, "v4!", 3, 0));
	EXPECT_EQ(3, xtcp_recv_all(s4, buf, 3));
	EXPECT_EQ(0, memcmp(buf, "v4!", 3));
	ASSERT_EQ(3, send(s6, "v6!", 3, 0));
	EXPECT_EQ(3, xtcp_recv_all(c6, buf, 3));
	EXPECT_EQ(0, memcmp(buf, "v6!", 3));
	EXPECT_EQ(0x01, xtcp_proc_state(variant->proc, xtcp_local_port(c4),
					PORT + 4));
	EXPECT_EQ(0x01, xtcp_proc_state(variant->proc6, PORT + 4,
					xtcp_local_port(c4)));
	close(c4);
	close(c6);
	close(s4);
	close(s6);
	close(l);
}

TEST_F(ip6, v6only_refuses_ipv4)
{
	int l;

	l = listener6(variant->proto, "::", PORT + 5, 1);
	ASSERT_LE(0, l);
	EXPECT_EQ(-ECONNREFUSED, connect4(variant->proto, "127.0.0.1",
					  PORT + 5));
	close(l);
}

/* An AF_INET6 socket reaches an IPv4 listener at a v4-mapped address. */
TEST_F(ip6, mapped_connect)
{
	struct sockaddr_in6 a;
	socklen_t len = sizeof(a);
	char buf[INET6_ADDRSTRLEN];
	int l, c, s, v6;

	l = socket(AF_INET, SOCK_STREAM, variant->proto);
	ASSERT_LE(0, l);
	ASSERT_EQ(0, xtcp_bind(l, "127.0.0.1", PORT + 6));
	ASSERT_EQ(0, listen(l, 8));
	c = connect6(variant->proto, "::ffff:127.0.0.1", PORT + 6);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, getsockname(c, (struct sockaddr *)&a, &len));
	EXPECT_STREQ("::ffff:127.0.0.1", ntop6(&a, buf, sizeof(buf)));
	s = accept(l, NULL, NULL);
	ASSERT_LE(0, s);
	ASSERT_EQ(4, send(c, "ping", 4, 0));
	EXPECT_EQ(4, xtcp_recv_all(s, buf, 4));
	EXPECT_EQ(0, memcmp(buf, "ping", 4));
	close(c);
	close(s);
	/* Not with IPV6_V6ONLY. */
	v6 = socket(AF_INET6, SOCK_STREAM, variant->proto);
	ASSERT_LE(0, v6);
	ASSERT_EQ(0, xtcp_set_int(v6, IPPROTO_IPV6, IPV6_V6ONLY, 1));
	a = addr6("::ffff:127.0.0.1", PORT + 6);
	EXPECT_EQ(-1, connect(v6, (struct sockaddr *)&a, sizeof(a)));
	EXPECT_EQ(ENETUNREACH, errno);
	close(v6);
	close(l);
}

/*
 * A host that does not run the protocol refuses the SYN: TCP with a
 * RST, xtcp's peer with xtcp off with ICMPv6 "unknown next header",
 * which xtcp_v6_err() turns into ECONNREFUSED.
 */
TEST_F(ip6, refused_by_icmpv6)
{
	struct sockaddr_in6 a = addr6("::1", PORT + 7);
	int c;

	c = socket(AF_INET6, SOCK_STREAM, variant->proto);
	ASSERT_LE(0, c);
	if (variant->proto == IPPROTO_XTCP)
		ASSERT_EQ(0, xtcp_write_str("/proc/sys/net/xtcp/enabled", "0"));
	EXPECT_EQ(-1, connect(c, (struct sockaddr *)&a, sizeof(a)));
	EXPECT_EQ(ECONNREFUSED, errno);
	close(c);
	if (variant->proto == IPPROTO_XTCP)
		ASSERT_EQ(0, xtcp_write_str("/proc/sys/net/xtcp/enabled", "1"));
}

/* A packet socket on lo that sees the packets of ethertype @type; or -1. */
static int capture_lo(uint16_t type)
{
	struct sockaddr_ll ll = { .sll_family = AF_PACKET,
				  .sll_protocol = htons(type) };
	int fd;

	ll.sll_ifindex = if_nametoindex("lo");
	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK, htons(type));
	if (fd >= 0 && (!ll.sll_ifindex ||
			bind(fd, (struct sockaddr *)&ll, sizeof(ll)))) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/*
 * The first packet @cap sees within 3 s that carries a segment of
 * @proto from port @sport with payload: its IPv6 header is copied to
 * @ip6 (40 bytes), and the length of the extension headers (hop-by-hop,
 * routing, destination options) between it and the segment returned;
 * -1 when none came.
 */
static int captured6(int cap, int proto, unsigned short sport,
		     uint8_t *ip6)
{
	long long deadline = xtcp_now_ms() + 3000;
	unsigned int off, doff, plen;
	uint8_t pkt[2048];
	ssize_t n;
	int nh;

	while (xtcp_now_ms() < deadline) {
		n = recv(cap, pkt, sizeof(pkt), 0);
		if (n < 40) {
			usleep(10000);
			continue;
		}
		if (pkt[0] >> 4 != 6)
			continue;
		nh = pkt[6];
		off = 40;
		while ((nh == 0 || nh == 43 || nh == 60) && off + 8 <= n) {
			nh = pkt[off];
			off += (pkt[off + 1] + 1) * 8;
		}
		if (nh != proto || off + 20 > n ||
		    (pkt[off] << 8 | pkt[off + 1]) != sport)
			continue;
		plen = pkt[4] << 8 | pkt[5];
		doff = (pkt[off + 12] >> 4) * 4;
		if (40 + plen <= off + doff)
			continue;
		memcpy(ip6, pkt, 40);
		return off - 40;
	}
	return -1;
}

/*
 * An accepted socket inherits its listener's IPv6 settings, as Linux's
 * tcp_v6_syn_recv_sock() copies them (struct ipv6_pinfo): the traffic
 * class, the unicast hop limit, the IPV6_RECV* choices and its own copy
 * of the extension headers (here 8 bytes of destination options), which
 * its segments carry; but its multicast hop limit is the hop limit of
 * the client's final ACK (33), not the listener's (1, the default: a
 * stream socket may not set it, ENOPROTOOPT).  The connection
 * leaves room for the extension headers in its segments: 256 KiB of
 * full-sized ones arrive.
 */
TEST_F_TIMEOUT(ip6, child_inherits_options, 60)
{
	static const uint8_t dstopts[8] = { 0, 0, 1, 4, 0, 0, 0, 0 };
	struct sockaddr_in6 a = addr6("::1", PORT);
	struct timeval tv = { .tv_sec = 10 };
	uint8_t got[64], ip6[40];
	socklen_t len = sizeof(got);
	int c, s, cap;
	pid_t pid;

	ASSERT_EQ(0, xtcp_set_int(self->lfd, IPPROTO_IPV6, IPV6_TCLASS, 0xb8));
	ASSERT_EQ(0, xtcp_set_int(self->lfd, IPPROTO_IPV6, IPV6_UNICAST_HOPS,
				  7));
	ASSERT_EQ(0, xtcp_set_int(self->lfd, IPPROTO_IPV6, IPV6_RECVTCLASS,
				  1));
	ASSERT_EQ(0, setsockopt(self->lfd, IPPROTO_IPV6, IPV6_DSTOPTS,
				dstopts, sizeof(dstopts)));
	cap = capture_lo(ETH_P_IPV6);
	ASSERT_LE(0, cap);

	c = socket(AF_INET6, SOCK_STREAM, variant->proto);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, xtcp_set_int(c, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 33));
	ASSERT_EQ(0, setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	ASSERT_EQ(0, connect(c, (struct sockaddr *)&a, sizeof(a)));
	s = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, s);

	EXPECT_EQ(0xb8, get_int(s, IPPROTO_IPV6, IPV6_TCLASS));
	EXPECT_EQ(7, get_int(s, IPPROTO_IPV6, IPV6_UNICAST_HOPS));
	EXPECT_EQ(33, get_int(s, IPPROTO_IPV6, IPV6_MULTICAST_HOPS));
	EXPECT_EQ(1, get_int(s, IPPROTO_IPV6, IPV6_RECVTCLASS));
	EXPECT_EQ(0, get_int(s, IPPROTO_IPV6, IPV6_RECVHOPLIMIT));
	ASSERT_EQ(0, getsockopt(s, IPPROTO_IPV6, IPV6_DSTOPTS, got, &len));
	EXPECT_EQ(sizeof(dstopts), len);
	EXPECT_EQ(0, memcmp(got + 1, dstopts + 1, sizeof(dstopts) - 1));
	/* The listener keeps its own. */
	len = sizeof(got);
	ASSERT_EQ(0, getsockopt(self->lfd, IPPROTO_IPV6, IPV6_DSTOPTS, got,
				&len));
	EXPECT_EQ(sizeof(dstopts), len);
	EXPECT_EQ(1, get_int(self->lfd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS));

	ASSERT_EQ(1, send(s, "x", 1, 0));
	ASSERT_EQ(8, captured6(cap, variant->proto, PORT, ip6));
	EXPECT_EQ(0xb8, (ip6[0] & 0xf) << 4 | ip6[1] >> 4);
	EXPECT_EQ(60, ip6[6]);		/* destination options first */
	EXPECT_EQ(7, ip6[7]);
	ASSERT_EQ(1, recv(c, got, 1, 0));
	close(cap);

	pid = send_pattern(s, 256 << 10);
	ASSERT_LT(0, pid);
	EXPECT_EQ(0, recv_pattern(c, 256 << 10));
	EXPECT_EQ(0, child_ok(pid));
	close(s);
	close(c);
}

/*
 * What IPV6_2292PKTOPTIONS of @fd gives: the hop limit (IPV6_HOPLIMIT)
 * in *@hlim and the destination options (IPV6_DSTOPTS) in @dst, their
 * length in *@dlen (0 when absent).  0 or -errno.
 */
static int pktoptions(int fd, int *hlim, uint8_t *dst, size_t *dlen)
{
	union {
		char buf[512];
		struct cmsghdr align;
	} u;
	socklen_t len = sizeof(u.buf);
	struct msghdr m = { .msg_control = u.buf };
	struct cmsghdr *cm;

	*hlim = -1;
	*dlen = 0;
	if (getsockopt(fd, IPPROTO_IPV6, IPV6_2292PKTOPTIONS, u.buf, &len))
		return -errno;
	m.msg_controllen = len;
	for (cm = CMSG_FIRSTHDR(&m); cm; cm = CMSG_NXTHDR(&m, cm)) {
		if (cm->cmsg_level != IPPROTO_IPV6)
			continue;
		if (cm->cmsg_type == IPV6_HOPLIMIT)
			memcpy(hlim, CMSG_DATA(cm), sizeof(*hlim));
		if (cm->cmsg_type == IPV6_DSTOPTS && cm->cmsg_len <= 64) {
			*dlen = cm->cmsg_len - CMSG_LEN(0);
			memcpy(dst, CMSG_DATA(cm), *dlen);
		}
	}
	return 0;
}

/*
 * IPV6_2292PKTOPTIONS of an accepted socket, as Linux's: from the
 * handshake on, the options of the SYN (a listener that asked for
 * received options keeps it, tcp_v6_init_req()); then those of the last
 * segment that ended at rcv_nxt when it carried options the socket
 * takes, else the hop limit of that segment alone (tcp_v6_do_rcv());
 * through a SYN cookie, those of its ACK.
 */
TEST_F(ip6, pktoptions_follow_segments)
{
	static const uint8_t dstopts[8] = { 0, 0, 1, 4, 0, 0, 0, 0 };
	struct sockaddr_in6 a = addr6("::1", PORT);
	uint8_t got[64];
	size_t glen;
	int c, s, hlim;

	ASSERT_EQ(0, xtcp_set_int(self->lfd, IPPROTO_IPV6, IPV6_RECVDSTOPTS,
				  1));
	ASSERT_EQ(0, xtcp_set_int(self->lfd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT,
				  1));
	c = socket(AF_INET6, SOCK_STREAM, variant->proto);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, xtcp_set_int(c, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 33));
	ASSERT_EQ(0, setsockopt(c, IPPROTO_IPV6, IPV6_DSTOPTS, dstopts,
				sizeof(dstopts)));
	ASSERT_EQ(0, connect(c, (struct sockaddr *)&a, sizeof(a)));
	s = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, pktoptions(s, &hlim, got, &glen));
	EXPECT_EQ(33, hlim);
	ASSERT_EQ(sizeof(dstopts), glen);
	EXPECT_EQ(0, memcmp(got + 1, dstopts + 1, sizeof(dstopts) - 1));

	/* A segment without options: its hop limit, no options kept. */
	ASSERT_EQ(0, xtcp_set_int(c, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 44));
	ASSERT_EQ(0, setsockopt(c, IPPROTO_IPV6, IPV6_DSTOPTS, NULL, 0));
	ASSERT_EQ(1, send(c, "x", 1, 0));
	ASSERT_EQ(1, recv(s, got, 1, 0));
	ASSERT_EQ(0, pktoptions(s, &hlim, got, &glen));
	EXPECT_EQ(44, hlim);
	EXPECT_EQ(0, glen);

	/* One with them again. */
	ASSERT_EQ(0, xtcp_set_int(c, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 55));
	ASSERT_EQ(0, setsockopt(c, IPPROTO_IPV6, IPV6_DSTOPTS, dstopts,
				sizeof(dstopts)));
	ASSERT_EQ(1, send(c, "y", 1, 0));
	ASSERT_EQ(1, recv(s, got, 1, 0));
	ASSERT_EQ(0, pktoptions(s, &hlim, got, &glen));
	EXPECT_EQ(55, hlim);
	EXPECT_EQ(sizeof(dstopts), glen);
	close(s);
	close(c);

	/* A child of a SYN cookie starts with the ACK's (cookie_v6_check()). */
	ASSERT_EQ(0, xtcp_write_str(variant->proto == IPPROTO_TCP ?
				    "/proc/sys/net/ipv4/tcp_syncookies" :
				    "/proc/sys/net/xtcp/syncookies", "2"));
	c = socket(AF_INET6, SOCK_STREAM, variant->proto);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, xtcp_set_int(c, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 66));
	ASSERT_EQ(0, setsockopt(c, IPPROTO_IPV6, IPV6_DSTOPTS, dstopts,
				sizeof(dstopts)));
	ASSERT_EQ(0, connect(c, (struct sockaddr *)&a, sizeof(a)));
	s = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, pktoptions(s, &hlim, got, &glen));
	EXPECT_EQ(66, hlim);
	EXPECT_EQ(sizeof(dstopts), glen);
	close(s);
	close(c);
}

/*
 * The next packet @cap sees before @deadline (ms) that carries a whole
 * segment header of @proto, into @pkt (2048 bytes): its TOS byte (IPv4)
 * or traffic class (IPv6), @off set to where the segment starts; -1
 * when none came.
 */
static int captured_segment(int cap, int proto, long long deadline,
			    uint8_t *pkt, unsigned int *off)
{
	int nh, ds;
	ssize_t n;

	while (xtcp_now_ms() < deadline) {
		n = recv(cap, pkt, 2048, 0);
		if (n < 40) {
			usleep(10000);
			continue;
		}
		if (pkt[0] >> 4 == 4) {
			*off = (pkt[0] & 0xf) * 4;
			nh = pkt[9];
			ds = pkt[1];
		} else if (pkt[0] >> 4 == 6) {
			*off = 40;
			nh = pkt[6];
			ds = (pkt[0] & 0xf) << 4 | pkt[1] >> 4;
		} else {
			continue;
		}
		if (nh == proto && *off + 20 <= n)
			return ds;
	}
	return -1;
}

/*
 * The TOS byte (IPv4) or traffic class (IPv6) of the first packet @cap
 * sees within 3 s that carries a segment of @proto from port @sport
 * with all of the TCP flag bits @flags set (xtcp's header is TCP's
 * layout); -1 when none came.
 */
static int captured_dsfield(int cap, int proto, unsigned short sport,
			    uint8_t flags)
{
	long long deadline = xtcp_now_ms() + 3000;
	unsigned int off;
	uint8_t pkt[2048];
	int ds;

	while ((ds = captured_segment(cap, proto, deadline, pkt, &off)) >= 0)
		if (xtcp_get_be16(pkt + off) == sport &&
		    (pkt[off + 13] & flags) == flags)
			return ds;
	return -1;
}

/* connect() @fd to @ip:@port: 0 or -errno. */
static int connect_to(int fd, const char *ip, unsigned short port)
{
	struct sockaddr_storage a;
	socklen_t len = xtcp_sockaddr(ip, port, &a);

	return connect(fd, (struct sockaddr *)&a, len) ? -errno : 0;
}

#define SEG_SYN	0x02
#define SEG_RST	0x04
#define SEG_ACK	0x10

/*
 * A connection from a client of @family with TOS/traffic class 0x28 to
 * listener @lfd (on @ip:@port), given 0x48: the SYN-ACK's, seen by @cap,
 * in *@synack, and the accepted socket's (IP_TOS or IPV6_TCLASS) in
 * *@child.  0, or -1 when a step failed.
 */
static int tos_connect(int cap, int proto, int family, const char *ip,
		       unsigned short port, int lfd, int *synack, int *child)
{
	int level = family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;
	int opt = family == AF_INET6 ? IPV6_TCLASS : IP_TOS;
	struct sockaddr_storage a;
	socklen_t len;
	int c, s;

	len = xtcp_sockaddr(ip, port, &a);
	c = socket(family, SOCK_STREAM, proto);
	if (c < 0 || xtcp_set_int(c, level, opt, 0x28) ||
	    xtcp_set_int(lfd, level, opt, 0x48) ||
	    connect(c, (struct sockaddr *)&a, len))
		return -1;
	s = accept(lfd, NULL, NULL);
	if (s < 0)
		return -1;
	*synack = captured_dsfield(cap, proto, port, SEG_SYN | SEG_ACK);
	*child = get_int(s, level, opt);
	close(s);
	close(c);
	return 0;
}

/*
 * IP TOS and IPv6 traffic class of what a connection sends before it
 * has a socket, as Linux 6.1: a RST to a segment nobody wants carries
 * that segment's DSCP (tcp_v4_send_reset(), tcp_v6_send_reset()); a
 * SYN-ACK the listener's TOS or class, which the accepted socket keeps;
 * with sysctl reflect_tos (tcp_reflect_tos) both the SYN's DSCP instead
 * (tcp_v4_send_synack(), tcp_v4_syn_recv_sock() and their IPv6 twins).
 * IPv4 and IPv6 in one test: the code differs by family.
 */
TEST_F(ip6, tos_reflected)
{
	const char *reflect = variant->proto == IPPROTO_TCP ?
			      "/proc/sys/net/ipv4/tcp_reflect_tos" :
			      "/proc/sys/net/xtcp/reflect_tos";
	int cap, c, l4, synack, child;

	cap = capture_lo(ETH_P_ALL);
	ASSERT_LE(0, cap);
	l4 = socket(AF_INET, SOCK_STREAM, variant->proto);
	ASSERT_LE(0, l4);
	ASSERT_EQ(0, xtcp_bind(l4, "127.0.0.1", PORT + 2));
	ASSERT_EQ(0, listen(l4, 8));

	/* RSTs to SYNs for a closed port. */
	c = socket(AF_INET6, SOCK_STREAM, variant->proto);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, xtcp_set_int(c, IPPROTO_IPV6, IPV6_TCLASS, 0x28));
	ASSERT_EQ(-ECONNREFUSED, connect_to(c, "::1", PORT + 1));
	EXPECT_EQ(0x28, captured_dsfield(cap, variant->proto, PORT + 1,
					 SEG_RST));
	close(c);
	c = socket(AF_INET, SOCK_STREAM, variant->proto);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, xtcp_set_int(c, IPPROTO_IP, IP_TOS, 0x28));
	ASSERT_EQ(-ECONNREFUSED, connect_to(c, "127.0.0.1", PORT + 1));
	EXPECT_EQ(0x28, captured_dsfield(cap, variant->proto, PORT + 1,
					 SEG_RST));
	close(c);

	/* The listener's class, then with reflect_tos the SYN's. */
	ASSERT_EQ(0, tos_connect(cap, variant->proto, AF_INET6, "::1", PORT,
				 self->lfd, &synack, &child));
	EXPECT_EQ(0x48, synack);
	EXPECT_EQ(0x48, child);
	ASSERT_EQ(0, tos_connect(cap, variant->proto, AF_INET, "127.0.0.1",
				 PORT + 2, l4, &synack, &child));
	EXPECT_EQ(0x48, synack);
	EXPECT_EQ(0x48, child);
	ASSERT_EQ(0, xtcp_write_str(reflect, "1"));
	ASSERT_EQ(0, tos_connect(cap, variant->proto, AF_INET6, "::1", PORT,
				 self->lfd, &synack, &child));
	EXPECT_EQ(0x28, synack);
	EXPECT_EQ(0x28, child);
	ASSERT_EQ(0, tos_connect(cap, variant->proto, AF_INET, "127.0.0.1",
				 PORT + 2, l4, &synack, &child));
	EXPECT_EQ(0x28, synack);
	EXPECT_EQ(0x28, child);
	close(l4);
	close(cap);
}

/* capture_lo(ETH_P_ALL) of the packets marked @mark alone; or -1. */
static int capture_lo_mark(uint32_t mark)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_MARK),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, mark, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { .len = 4, .filter = code };
	int fd = capture_lo(ETH_P_ALL);

	if (fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
				  sizeof(prog))) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/*
 * Send a segment of @proto from [::1]:@sport (127.0.0.1 for AF_INET)
 * to @dport: ACK set, sequence number @seq, one byte of data, in a
 * packet of TOS or traffic class @ds, through a raw socket of SO_MARK
 * @mark.  0 or -1.
 */
static int send_probe(int proto, int family, unsigned short sport,
		      unsigned short dport, uint32_t seq, uint8_t ds,
		      uint32_t mark)
{
	struct xtcp_seg_hdr h = {
		.sport = sport, .dport = dport, .seq = seq,
		.doff = XTCP_HDR_LEN, .flags = XTCP_FLAG_ACK, .window = 65535,
	};
	uint32_t lo4 = htonl(INADDR_LOOPBACK);
	struct sockaddr_storage dst = {};
	uint8_t pkt[40 + XTCP_HDR_LEN + 1];
	size_t hl, n;
	socklen_t len;
	int fd, ret;

	if (family == AF_INET6) {
		n = xtcp_build_seg6(pkt + 40, &h, "x", 1, &in6addr_loopback,
				    &in6addr_loopback, proto);
		hl = xtcp_build_ip6(pkt, &in6addr_loopback, &in6addr_loopback,
				    proto, n);
		pkt[0] |= ds >> 4;
		pkt[1] |= ds << 4;
		len = xtcp_sockaddr("::1", 0, &dst);
	} else {
		n = xtcp_build_seg(pkt + 20, &h, "x", 1, lo4, lo4, proto);
		hl = xtcp_build_ip4(pkt, lo4, lo4, proto, n);
		pkt[1] = ds;
		len = xtcp_sockaddr("127.0.0.1", 0, &dst);
	}
	fd = socket(family, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0)
		return -1;
	ret = xtcp_set_int(fd, SOL_SOCKET, SO_MARK, mark) ||
	      sendto(fd, pkt, hl + n, 0, (struct sockaddr *)&dst, len) !=
	      (ssize_t)(hl + n) ? -1 : 0;
	close(fd);
	return ret;
}

/*
 * The TOS byte or traffic class of the answer to send_probe()'s
 * segment of sequence number @seq from @sport to @dport: the first
 * packet @cap sees within 3 s after that segment that carries a segment
 * of @proto from @dport to @sport.  -1 when none came.
 */
static int answer_dsfield(int cap, int proto, unsigned short sport,
			  unsigned short dport, uint32_t seq)
{
	long long deadline = xtcp_now_ms() + 3000;
	bool seen = false;
	unsigned int off;
	uint8_t pkt[2048];
	int ds;

	while ((ds = captured_segment(cap, proto, deadline, pkt, &off)) >= 0) {
		if (xtcp_get_be16(pkt + off) == sport &&
		    xtcp_get_be16(pkt + off + 2) == dport &&
		    xtcp_get_be32(pkt + off + 4) == seq)
			seen = true;
		else if (seen && xtcp_get_be16(pkt + off) == dport &&
			 xtcp_get_be16(pkt + off + 2) == sport)
			return ds;
	}
	return -1;
}

/*
 * The ACK a TIME_WAIT entry sends, as Linux 6.1's tcp_v4_timewait_ack()
 * and tcp_v6_timewait_ack(): with the DSCP of its socket's IP_TOS or
 * IPV6_TCLASS when it closed (tw_tos, tw_tclass; the ECN bits cleared)
 * and its SO_MARK (tw_mark), whatever the segment it answers carries.
 * Sysctl reflect_tos changes nothing there: it gave an accepted socket
 * the DSCP of its SYN, which that socket's entry keeps.  The segment:
 * a byte of data off the window, from the peer's end, by a raw socket.
 * IPv4 and IPv6 in one test: the code differs by family.
 */
TEST_F(ip6, time_wait_ack_tos_and_mark)
{
	const char *reflect = variant->proto == IPPROTO_TCP ?
			      "/proc/sys/net/ipv4/tcp_reflect_tos" :
			      "/proc/sys/net/xtcp/reflect_tos";
	const char *ratelimit = variant->proto == IPPROTO_TCP ?
				"/proc/sys/net/ipv4/tcp_invalid_ratelimit" :
				"/proc/sys/net/xtcp/invalid_ratelimit_ms";
	unsigned short lport, rport, cport, port;
	int cap, capm, l4, lfd, family, level, opt, c, s, r, tw;
	char b;

	/* 2*MSL for more than the test, each first ACK not rate-limited. */
	ASSERT_EQ(0, xtcp_write_str("/proc/sys/net/xtcp/msl_ms", "30000"));
	ASSERT_EQ(0, xtcp_write_str(ratelimit, "0"));
	cap = capture_lo(ETH_P_ALL);
	ASSERT_LE(0, cap);
	capm = capture_lo_mark(0x2d);
	ASSERT_LE(0, capm);
	l4 = socket(AF_INET, SOCK_STREAM, variant->proto);
	ASSERT_LE(0, l4);
	ASSERT_EQ(0, xtcp_bind(l4, "127.0.0.1", PORT + 2));
	ASSERT_EQ(0, listen(l4, 8));

	/*
	 * Client 0x2a, listener 0x48: without reflect_tos the client
	 * closes first; with it the accepted socket, which has the SYN's
	 * DSCP, 0x28.  Either way the entry's ACK has 0x28, not the
	 * probe's 0x60.  (IP_TOS and IPV6_TCLASS keep a stream socket's
	 * ECN bits out already: that the ACK clears them too does not
	 * show here.)
	 */
	for (r = 0; r < 2; r++) {
		ASSERT_EQ(0, xtcp_write_str(reflect, r ? "1" : "0"));
		for (family = AF_INET6; family; family = family == AF_INET6 ?
		     AF_INET : 0) {
			level = family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;
			opt = family == AF_INET6 ? IPV6_TCLASS : IP_TOS;
			lfd = family == AF_INET6 ? self->lfd : l4;
			port = family == AF_INET6 ? PORT : PORT + 2;
			ASSERT_EQ(0, xtcp_set_int(lfd, level, opt, 0x48));
			c = socket(family, SOCK_STREAM, variant->proto);
			ASSERT_LE(0, c);
			ASSERT_EQ(0, xtcp_set_int(c, level, opt, 0x2a));
			ASSERT_EQ(0, connect_to(c, family == AF_INET6 ? "::1" :
						"127.0.0.1", port));
			s = accept(lfd, NULL, NULL);
			ASSERT_LE(0, s);
			cport = xtcp_local_port(c);
			EXPECT_EQ(r ? 0x28 : 0x48, get_int(s, level, opt));
			/* The one to close first has the mark. */
			tw = r ? s : c;
			ASSERT_EQ(0, xtcp_set_int(tw, SOL_SOCKET, SO_MARK,
						  0x2d));
			close(tw);
			ASSERT_EQ(0, recv(r ? c : s, &b, 1, 0));
			close(r ? c : s);
			lport = r ? port : cport;
			rport = r ? cport : port;
			ASSERT_EQ(0x06, xtcp_wait_state(family == AF_INET6 ?
							variant->proc6 :
							variant->proc,
							lport, rport, 0x06));
			ASSERT_EQ(0, send_probe(variant->proto, family, rport,
						lport, 0x5eed0000 + r, 0x60,
						0x2d));
			EXPECT_EQ(0x28, answer_dsfield(cap, variant->proto,
						       rport, lport,
						       0x5eed0000 + r));
			/* The same ACK, with the entry's mark. */
			EXPECT_EQ(0x28, answer_dsfield(capm, variant->proto,
						       rport, lport,
						       0x5eed0000 + r));
		}
	}
	close(l4);
	close(capm);
	close(cap);
}

/* Two hosts joined by a veth pair, by IPv6 addresses. */
TEST_F(ip6, two_namespaces)
{
	const size_t len = 256 << 10;
	unsigned short cport;
	char a[32], b[32];
	int l, c, s;
	pid_t pc;

	snprintf(a, sizeof(a), "x6a%d", getpid());
	snprintf(b, sizeof(b), "x6b%d", getpid());
	ASSERT_EQ(0, sh(IP " netns add %s && " IP " netns add %s && " IP
			" -n %s link add veth0 type veth peer name veth0 netns %s && "
			IP " -n %s addr add fd00::1/64 dev veth0 nodad && "
			IP " -n %s addr add fd00::2/64 dev veth0 nodad && "
			IP " -n %s link set veth0 up && " IP " -n %s link set veth0 up",
			a, b, a, b, a, b, a, b));
	ASSERT_EQ(0, ns_addr6_wait(a));
	ASSERT_EQ(0, ns_addr6_wait(b));
	ASSERT_EQ(0, enter_ns(b));
	xtcp_write_str("/proc/sys/net/xtcp/msl_ms", "100");
	l = listener6(variant->proto, "fd00::2", PORT + 8, 1);
	ASSERT_LE(0, l);
	ASSERT_EQ(0, enter_ns(a));
	xtcp_write_str("/proc/sys/net/xtcp/msl_ms", "100");
	c = connect6(variant->proto, "fd00::2", PORT + 8);
	ASSERT_LE(0, c);
	cport = xtcp_local_port(c);
	s = accept(l, NULL, NULL);
	ASSERT_LE(0, s);
	pc = send_pattern(c, len);
	ASSERT_LT(0, pc);
	EXPECT_EQ(0, recv_pattern(s, len));
	EXPECT_EQ(0, child_ok(pc));
	EXPECT_EQ(0, shutdown(c, SHUT_WR));
	EXPECT_EQ(0, recv(s, a, 1, 0));
	close(s);
	EXPECT_EQ(0, recv(c, a, 1, 0));
	close(c);
	close(l);
	/* We closed first: TIME_WAIT on our side, in namespace a. */
	EXPECT_EQ(0x06, xtcp_wait_state(variant->proc6, cport, PORT + 8,
					0x06));
	hosts_down(a, b);
}

/*
 * A routed path, a -- r -- b, for the ICMPv6 errors a router sends: r's
 * link to b has IPv6's minimum MTU, 1280, and r has no route to
 * fd00:9::/64.
 */
FIXTURE(route6) {
	char a[32], r[32], b[32];
};

FIXTURE_VARIANT(route6) {
	int proto;
};

FIXTURE_VARIANT_ADD(route6, tcp) {
	.proto = IPPROTO_TCP,
};

FIXTURE_VARIANT_ADD(route6, xtcp) {
	.proto = IPPROTO_XTCP,
};

FIXTURE_SETUP(route6)
{
	XTCP_SKIP_TCP_VARIANT(variant->proto);
	snprintf(self->a, sizeof(self->a), "x6a%d", getpid());
	snprintf(self->r, sizeof(self->r), "x6r%d", getpid());
	snprintf(self->b, sizeof(self->b), "x6b%d", getpid());
	ASSERT_EQ(0, sh(IP " netns add %s && " IP " netns add %s && " IP
			" netns add %s", self->a, self->r, self->b));
	ASSERT_EQ(0, sh(IP " -n %s link add veth0 type veth peer name veth0 netns %s && "
			IP " -n %s link add veth0 type veth peer name veth1 netns %s",
			self->a, self->r, self->b, self->r));
	ASSERT_EQ(0, ns_sh(self->a, IP " link set lo up && " IP " link set veth0 up && "
			   IP " addr add fd00:1::1/64 dev veth0 nodad && "
			   IP " route add default via fd00:1::fe"));
	ASSERT_EQ(0, ns_sh(self->r, IP " link set lo up && " IP " link set veth0 up && "
			   IP " link set veth1 mtu 1280 up && "
			   IP " addr add fd00:1::fe/64 dev veth0 nodad && "
			   IP " addr add fd00:2::fe/64 dev veth1 nodad && "
			   IP " route add unreachable fd00:9::/64"));
	ASSERT_EQ(0, ns_sh(self->b, IP " link set lo up && " IP " link set veth0 up && "
			   IP " addr add fd00:2::2/64 dev veth0 nodad && "
			   IP " route add default via fd00:2::fe"));
	ASSERT_EQ(0, ns_addr6_wait(self->a));
	ASSERT_EQ(0, ns_addr6_wait(self->r));
	ASSERT_EQ(0, ns_addr6_wait(self->b));
	ASSERT_EQ(0, enter_ns(self->r));
	ASSERT_EQ(0, xtcp_write_str("/proc/sys/net/ipv6/conf/all/forwarding",
				    "1"));
}

FIXTURE_TEARDOWN(route6)
{
	settle(self->a);
	settle(self->b);
	sh(IP " netns del %s; " IP " netns del %s; " IP " netns del %s",
	   self->a, self->r, self->b);
}

/* The router's "no route" ends connect() with its errno. */
TEST_F_TIMEOUT(route6, unreachable, 60)
{
	ASSERT_EQ(0, enter_ns(self->a));
	EXPECT_EQ(-ENETUNREACH, connect6(variant->proto, "fd00:9::1", PORT));
}

/*
 * Both ends announce an MSS for a 1500-byte MTU; r cannot forward such
 * segments to b and says "packet too big, MTU 1280".  The sender lowers
 * its segment size, sends again what was lost, and every byte arrives.
 */
TEST_F_TIMEOUT(route6, path_mtu_lowered, 90)
{
	const size_t len = 200000;
	int l, c, s;
	char buf[1];
	pid_t pc;

	ASSERT_EQ(0, enter_ns(self->b));
	l = listener6(variant->proto, "fd00:2::2", PORT, 1);
	ASSERT_LE(0, l);
	ASSERT_EQ(0, enter_ns(self->a));
	c = connect6(variant->proto, "fd00:2::2", PORT);
	ASSERT_LE(0, c);
	s = accept(l, NULL, NULL);
	ASSERT_LE(0, s);
	pc = send_pattern(c, len);
	ASSERT_LT(0, pc);
	EXPECT_EQ(0, recv_pattern(s, len));
	EXPECT_EQ(0, child_ok(pc));
	EXPECT_EQ(0, shutdown(c, SHUT_WR));
	EXPECT_EQ(0, recv(s, buf, 1, 0));
	/* The route learnt the path's MTU. */
	EXPECT_EQ(0, sh(IP " -6 route get fd00:2::2 | grep -q 'mtu 1280'"));
	close(s);
	close(c);
	close(l);
}

TEST_HARNESS_MAIN
