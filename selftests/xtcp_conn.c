// SPDX-License-Identifier: GPL-2.0
/*
 * Connections on loopback: handshake, data, half-close, the close
 * sequences and their states, resets, poll readiness, the accept
 * backlog.
 *
 * Every test runs over Linux TCP and over xtcp with the same
 * expectations, each in its own network namespace, and over IPv4
 * (127.0.0.1) and IPv6 (::1) with the same test bodies: variants tcp,
 * xtcp, tcp6, xtcp6.  The few tests that need a second local address
 * have IPv6 one on lo: LO6_OTHER, a global address (only ::1 is
 * loopback).
 */
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <netinet/tcp.h>

#include "xtcp_test.h"
#include "xtcp_ns.h"
#include "kselftest_harness.h"

#define PORT	21001
#define LO6_OTHER	"2001:2::5"	/* a second IPv6 address, on lo */

/* LO6_OTHER on lo; 0 or -1. */
static int lo6_other_up(void)
{
	return sh(IP " addr add " LO6_OTHER "/128 dev lo nodad") ||
	       ns_addr6_wait(NULL) ? -1 : 0;
}

FIXTURE(conn) {
	int lfd;
};

FIXTURE_VARIANT(conn) {
	int proto;
	int family;
	const char *proc;	/* the sockets of that family */
	const char *lo;		/* its loopback address */
};

FIXTURE_VARIANT_ADD(conn, tcp) {
	.proto = IPPROTO_TCP,
	.family = AF_INET,
	.proc = "/proc/net/tcp",
	.lo = "127.0.0.1",
};

FIXTURE_VARIANT_ADD(conn, xtcp) {
	.proto = IPPROTO_XTCP,
	.family = AF_INET,
	.proc = "/proc/net/xtcp",
	.lo = "127.0.0.1",
};

FIXTURE_VARIANT_ADD(conn, tcp6) {
	.proto = IPPROTO_TCP,
	.family = AF_INET6,
	.proc = "/proc/net/tcp6",
	.lo = "::1",
};

FIXTURE_VARIANT_ADD(conn, xtcp6) {
	.proto = IPPROTO_XTCP,
	.family = AF_INET6,
	.proc = "/proc/net/xtcp6",
	.lo = "::1",
};

/* A listener on the variant's loopback address, in a new namespace. */
FIXTURE_SETUP(conn)
{
	XTCP_SKIP_TCP_VARIANT(variant->proto);
	self->lfd = xtcp_loopback_listener_af(variant->family, variant->proto,
					      PORT);
	ASSERT_LE(0, self->lfd);
}

FIXTURE_TEARDOWN(conn)
{
	close(self->lfd);
}

/* A connection to @ip:@port, of @ip's family: the socket or -errno. */
static int connect_to(int proto, const char *ip, unsigned short port)
{
	return xtcp_connect(proto, ip, port);
}

TEST_F(conn, refused)
{
	EXPECT_EQ(-ECONNREFUSED, connect_to(variant->proto, variant->lo,
					    PORT + 1));
}

TEST_F(conn, handshake_addresses)
{
	const socklen_t salen = variant->family == AF_INET6 ?
				sizeof(struct sockaddr_in6) :
				sizeof(struct sockaddr_in);
	struct sockaddr_storage peer, a;
	socklen_t len = sizeof(peer);
	int c, s;

	c = connect_to(variant->proto, variant->lo, PORT);
	ASSERT_LE(0, c);
	s = accept(self->lfd, (struct sockaddr *)&peer, &len);
	ASSERT_LE(0, s);
	EXPECT_EQ(salen, len);
	EXPECT_EQ(variant->family, peer.ss_family);
	EXPECT_TRUE(xtcp_sockaddr_is(&peer, variant->lo));
	EXPECT_EQ(xtcp_local_port(c), xtcp_sockaddr_port(&peer));
	EXPECT_EQ(PORT, xtcp_peer_port(c));
	EXPECT_EQ(PORT, xtcp_local_port(s));
	len = sizeof(a);
	ASSERT_EQ(0, getpeername(s, (struct sockaddr *)&a, &len));
	EXPECT_EQ(salen, len);
	EXPECT_TRUE(xtcp_sockaddr_is(&a, variant->lo));
	EXPECT_EQ(xtcp_sockaddr_port(&peer), xtcp_sockaddr_port(&a));
	len = sizeof(a);
	ASSERT_EQ(0, getsockname(c, (struct sockaddr *)&a, &len));
	EXPECT_EQ(salen, len);
	EXPECT_TRUE(xtcp_sockaddr_is(&a, variant->lo));
	EXPECT_EQ(0x01, xtcp_proc_state(variant->proc, xtcp_local_port(c), PORT));
	EXPECT_EQ(0x01, xtcp_proc_state(variant->proc, PORT, xtcp_local_port(c)));
	close(c);
	close(s);
}

TEST_F(conn, ephemeral_connect_port)
{
	unsigned short port;
	int c;

	ASSERT_EQ(0, xtcp_write_str("/proc/sys/net/ipv4/ip_local_port_range",
				    "43000 43009"));
	c = connect_to(variant->proto, variant->lo, PORT);
	ASSERT_LE(0, c);
	port = xtcp_local_port(c);
	EXPECT_LE(43000, port);
	EXPECT_GE(43009, port);
	EXPECT_EQ(0, port % 2);	/* connect() prefers even ports */
	close(c);
}

/*
 * Port sharing by 4-tuple (RFC 6056, Linux's __inet_hash_connect()).
 * With a single port in ip_local_port_range every connect() must find
 * it; the tests then tell exactly which 4-tuples are free.
 */
#define CPORT	43100

/* A listener on @ip:@port, of @ip's family: the socket or -errno. */
static int listener(int proto, const char *ip, unsigned short port)
{
	int fd = socket(xtcp_family_of(ip), SOCK_STREAM, proto);

	if (fd < 0)
		return -errno;
	if (xtcp_bind(fd, ip, port) || listen(fd, 8)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* Accept a connection on @lfd and check it came from local port @port. */
static int accept_from(int lfd, unsigned short port)
{
	struct sockaddr_storage peer;
	socklen_t len = sizeof(peer);
	int s = accept(lfd, (struct sockaddr *)&peer, &len);

	if (s < 0)
		return -errno;
	if (xtcp_sockaddr_port(&peer) != port) {
		close(s);
		return -EBADMSG;
	}
	return s;
}

/* One byte each way over a connection: 0 if both arrived. */
static int ping(int c, int s)
{
	char b = 'x';

	if (send(c, &b, 1, 0) != 1 || recv(s, &b, 1, 0) != 1 ||
	    send(s, &b, 1, 0) != 1 || recv(c, &b, 1, 0) != 1)
		return -1;
	return 0;
}

/*
 * Three connections from the range's one port: to two ports of one
 * address and to a second address.  Their 4-tuples differ, so they
 * share the port, and each carries data.
 */
TEST_F(conn, connect_shares_port_by_tuple)
{
	static const struct {
		const char *ip;
		unsigned short port;
	} to4[3] = {
		{ "127.0.0.1", PORT }, { "127.0.0.1", PORT + 1 },
		{ "127.0.0.2", PORT },
	}, to6[3] = {
		{ "::1", PORT }, { "::1", PORT + 1 }, { LO6_OTHER, PORT },
	};
	const typeof(to4[0]) *to = variant->family == AF_INET6 ? to6 : to4;
	int lfd[3], c[3], s[3], i;

	if (variant->family == AF_INET6)
		ASSERT_EQ(0, lo6_other_up());
	ASSERT_EQ(0, xtcp_write_str("/proc/sys/net/ipv4/ip_local_port_range",
				    "43100 43100"));
	lfd[0] = self->lfd;
	lfd[1] = listener(variant->proto, to[1].ip, to[1].port);
	lfd[2] = listener(variant->proto, to[2].ip, to[2].port);
	ASSERT_LE(0, lfd[1]);
	ASSERT_LE(0, lfd[2]);
	for (i = 0; i < 3; i++) {
		c[i] = connect_to(variant->proto, to[i].ip, to[i].port);
		ASSERT_LE(0, c[i]) TH_LOG("connection %d: %s", i,
					  strerror(-c[i]));
		EXPECT_EQ(CPORT, xtcp_local_port(c[i]));
		s[i] = accept_from(lfd[i], CPORT);
		ASSERT_LE(0, s[i]) TH_LOG("accept %d: %s", i, strerror(-s[i]));
	}
	EXPECT_EQ(0x01, xtcp_proc_state(variant->proc, CPORT, PORT + 1));
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(0, ping(c[i], s[i])) TH_LOG("connection %d", i);
		close(c[i]);
		close(s[i]);
	}
	close(lfd[1]);
	close(lfd[2]);
}

/*
 * EADDRNOTAVAIL only when every 4-tuple is taken: with one port, a
 * second connection to the same server fails, one to another server
 * does not, and once the first connection is gone its 4-tuple is free.
 */
TEST_F(conn, connect_eaddrnotavail_only_when_taken)
{
	int lfd2, c0, c1, s0, s1;
	char b;

	ASSERT_EQ(0, xtcp_write_str("/proc/sys/net/ipv4/ip_local_port_range",
				    "43100 43100"));
	lfd2 = listener(variant->proto, variant->lo, PORT + 1);
	ASSERT_LE(0, lfd2);
	c0 = connect_to(variant->proto, variant->lo, PORT);
	ASSERT_LE(0, c0);
	EXPECT_EQ(CPORT, xtcp_local_port(c0));
	s0 = accept_from(self->lfd, CPORT);
	ASSERT_LE(0, s0);

	EXPECT_EQ(-EADDRNOTAVAIL, connect_to(variant->proto, variant->lo,
					     PORT));
	c1 = connect_to(variant->proto, variant->lo, PORT + 1);
	ASSERT_LE(0, c1);
	EXPECT_EQ(CPORT, xtcp_local_port(c1));
	s1 = accept_from(lfd2, CPORT);
	ASSERT_LE(0, s1);

	/* The server resets the first connection: nothing lingers. */
	xtcp_reset_close(s0);
	EXPECT_EQ(-1, recv(c0, &b, 1, 0));
	EXPECT_EQ(ECONNRESET, errno);
	close(c0);
	c0 = connect_to(variant->proto, variant->lo, PORT);
	ASSERT_LE(0, c0);
	EXPECT_EQ(CPORT, xtcp_local_port(c0));
	s0 = accept_from(self->lfd, CPORT);
	ASSERT_LE(0, s0);
	EXPECT_EQ(0, ping(c0, s0));
	EXPECT_EQ(0, ping(c1, s1));
	close(c0);
	close(s0);
	close(c1);
	close(s1);
	close(lfd2);
}

/* tcp_tw_reuse of Linux TCP, tw_reuse of xtcp. */
static const char *tw_reuse_knob(int proto)
{
	return proto == IPPROTO_TCP ? "/proc/sys/net/ipv4/tcp_tw_reuse" :
				      "/proc/sys/net/xtcp/tw_reuse";
}

/*
 * A connection in TIME_WAIT on the port blocks its own 4-tuple and no
 * other, with tw_reuse 0 (the default, 2, lets connect() take a
 * loopback 4-tuple a second old: see the tests below).
 */
TEST_F(conn, connect_time_wait_blocks_own_tuple)
{
	int lfd2, c, s;

	ASSERT_EQ(0, xtcp_write_str(tw_reuse_knob(variant->proto), "0"));
	if (variant->proto == IPPROTO_XTCP)
		ASSERT_EQ(0, xtcp_write_str("/proc/sys/net/xtcp/msl_ms",
					    "60000"));
	ASSERT_EQ(0, xtcp_write_str("/proc/sys/net/ipv4/ip_local_port_range",
				    "43100 43100"));
	lfd2 = listener(variant->proto, variant->lo, PORT + 1);
	ASSERT_LE(0, lfd2);
	c = connect_to(variant->proto, variant->lo, PORT);
	ASSERT_LE(0, c);
	s = accept_from(self->lfd, CPORT);
	ASSERT_LE(0, s);
	close(c);			/* the client closes first */
	close(s);
	ASSERT_EQ(0x06, xtcp_wait_state(variant->proc, CPORT, PORT, 0x06));

	EXPECT_EQ(-EADDRNOTAVAIL, connect_to(variant->proto, variant->lo,
					     PORT));
	c = connect_to(variant->proto, variant->lo, PORT + 1);
	ASSERT_LE(0, c);
	EXPECT_EQ(CPORT, xtcp_local_port(c));
	s = accept_from(lfd2, CPORT);
	ASSERT_LE(0, s);
	EXPECT_EQ(0, ping(c, s));
	/* Still there: it was not the new connection's to take. */
	EXPECT_EQ(0x06, xtcp_proc_state(variant->proc, CPORT, PORT));
	close(c);
	close(s);
	close(lfd2);
}

/*
 * tw_reuse: connect() may take a 4-tuple still in TIME_WAIT once the
 * entry is a second old (Linux: once the seconds counter moved on), in
 * mode 1 always, in mode 2 (the default) on loopback only.  Each test
 * leaves one 4-tuple, @ip:CPORT to @ip:PORT, in TIME_WAIT, with the
 * range reduced to CPORT so that it is the only one connect() can try.
 */
static int time_wait_tuple(int proto, const char *proc, int lfd,
			   const char *ip)
{
	int c, s;

	if (proto == IPPROTO_XTCP &&
	    xtcp_write_str("/proc/sys/net/xtcp/msl_ms", "60000"))
		return -1;
	if (xtcp_write_str("/proc/sys/net/ipv4/ip_local_port_range",
			   "43100 43100"))
		return -1;
	c = connect_to(proto, ip, PORT);
	if (c < 0)
		return -1;
	s = accept_from(lfd, CPORT);
	if (s < 0 || ping(c, s)) {
		close(c);
		return -1;
	}
	close(c);			/* the client closes first */
	close(s);
	return xtcp_wait_state(proc, CPORT, PORT, 0x06) == 0x06 ? 0 : -1;
}

/* Connect to @ip:PORT again and move a byte each way. */
static int reconnect(int proto, int lfd, const char *ip)
{
	int c, s, err;

	c = connect_to(proto, ip, PORT);
	if (c < 0)
		return c;
	s = accept_from(lfd, CPORT);
	if (s < 0) {
		close(c);
		return s;
	}
	err = ping(c, s);
	close(c);
	close(s);
	return err;
}

TEST_F(conn, connect_tw_reuse_off)
{
	/*
	 * Its second of waiting would show no more over IPv6, whose reuse
	 * connect_tw_reuse_after_a_second shows: keep the program short.
	 */
	if (variant->family == AF_INET6)
		SKIP(return, "IPv4 only: a 1 s wait for a refusal");
	ASSERT_EQ(0, xtcp_write_str(tw_reuse_knob(variant->proto), "0"));
	ASSERT_EQ(0, time_wait_tuple(variant->proto, variant->proc,
				     self->lfd, variant->lo));
	usleep(1100 * 1000);
	EXPECT_EQ(-EADDRNOTAVAIL, connect_to(variant->proto, variant->lo,
					     PORT));
	EXPECT_EQ(1, xtcp_proc_count_state_in(variant->proc, 0x06));
	EXPECT_EQ(0, xtcp_proto_counter(variant->proto, "TwReused"));
}

TEST_F(conn, connect_tw_reuse_after_a_second)
{
	int c, s;

	ASSERT_EQ(0, xtcp_write_str(tw_reuse_knob(variant->proto), "1"));
	ASSERT_EQ(0, time_wait_tuple(variant->proto, variant->proc,
				     self->lfd, variant->lo));
	/* Linux's second may turn at any moment; xtcp counts a full one. */
	if (variant->proto == IPPROTO_XTCP)
		EXPECT_EQ(-EADDRNOTAVAIL, connect_to(variant->proto,
						     variant->lo, PORT));
	usleep(1100 * 1000);
	c = connect_to(variant->proto, variant->lo, PORT);
	ASSERT_LE(0, c) TH_LOG("connect: %s", strerror(-c));
	EXPECT_EQ(CPORT, xtcp_local_port(c));
	s = accept_from(self->lfd, CPORT);
	ASSERT_LE(0, s);
	/* The entry is gone: the 4-tuple is the new connection's. */
	EXPECT_EQ(0, xtcp_proc_count_state_in(variant->proc, 0x06));
	EXPECT_EQ(0x01, xtcp_proc_state(variant->proc, CPORT, PORT));
	EXPECT_EQ(1, xtcp_proto_counter(variant->proto, "TwReused"));
	EXPECT_EQ(0, ping(c, s));
	EXPECT_EQ(0, ping(s, c));
	close(c);
	close(s);
}

TEST_F(conn, connect_tw_reuse_loopback_only)
{
	const char *other = "10.77.0.1";
	int lfd2;

	/*
	 * Over IPv6, xtcp6 alone: what is loopback there is IPv6's own
	 * (::1, not LO6_OTHER, though on lo), and the outcome Linux's, which
	 * the tcp variant shows; its seconds of waiting are kept short.
	 */
	if (variant->family == AF_INET6 && variant->proto == IPPROTO_TCP)
		SKIP(return, "Linux's outcome is the IPv4 variant's");
	ASSERT_EQ(0, xtcp_write_str(tw_reuse_knob(variant->proto), "2"));
	if (variant->family == AF_INET6) {
		/* Local and on lo, but not a loopback address. */
		other = LO6_OTHER;
		ASSERT_EQ(0, lo6_other_up());
	} else {
		/* A veth address: local, but not loopback. */
		ASSERT_EQ(0, sh(IP " link add xtw0 type veth peer name xtw1 && "
				IP " addr add 10.77.0.1/24 dev xtw0 && "
				IP " link set xtw0 up && " IP " link set xtw1 up"));
	}
	lfd2 = listener(variant->proto, other, PORT);
	ASSERT_LE(0, lfd2);
	ASSERT_EQ(0, time_wait_tuple(variant->proto, variant->proc, lfd2,
				     other));
	usleep(1100 * 1000);
	EXPECT_EQ(-EADDRNOTAVAIL, connect_to(variant->proto, other, PORT));
	EXPECT_EQ(0, xtcp_proto_counter(variant->proto, "TwReused"));

	/* The same on loopback is reused. */
	ASSERT_EQ(0, time_wait_tuple(variant->proto, variant->proc,
				     self->lfd, variant->lo));
	usleep(1100 * 1000);
	EXPECT_EQ(0, reconnect(variant->proto, self->lfd, variant->lo));
	EXPECT_EQ(1, xtcp_proto_counter(variant->proto, "TwReused"));
	close(lfd2);
}

/*
 * After a connection whose server sent more than its ISN clock moved
 * since (RFC 6528: 250 kB a second for xtcp), the server's new ISN for
 * the same 4-tuple is below where the old connection ended.  On
 * loopback that is no reason to drop the SYN-ACK of a connect() that
 * took the 4-tuple from TIME_WAIT: it succeeds, as Linux's does (whose
 * timestamps guard its reuse).
 */
TEST_F(conn, connect_tw_reuse_after_server_sent_much)
{
	static char buf[1 << 16];
	int c, s, i;

	if (variant->proto == IPPROTO_TCP && variant->family == AF_INET6)
		SKIP(return, "Linux's outcome is the IPv4 variant's");
	ASSERT_EQ(0, xtcp_write_str(tw_reuse_knob(variant->proto), "2"));
	if (variant->proto == IPPROTO_XTCP)
		ASSERT_EQ(0, xtcp_write_str("/proc/sys/net/xtcp/msl_ms",
					    "60000"));
	ASSERT_EQ(0, xtcp_write_str("/proc/sys/net/ipv4/ip_local_port_range",
				    "43100 43100"));
	c = connect_to(variant->proto, variant->lo, PORT);
	ASSERT_LE(0, c);
	s = accept_from(self->lfd, CPORT);
	ASSERT_LE(0, s);
	/* 4 MiB from the server: 16 s of its ISN clock. */
	memset(buf, 'b', sizeof(buf));
	for (i = 0; i < 64; i++) {
		ASSERT_EQ(sizeof(buf), send(s, buf, sizeof(buf), 0));
		ASSERT_EQ(sizeof(buf), xtcp_recv_all(c, buf, sizeof(buf)));
	}
	close(c);			/* the client closes first */
	close(s);
	ASSERT_EQ(0x06, xtcp_wait_state(variant->proc, CPORT, PORT, 0x06));
	usleep(1100 * 1000);
	EXPECT_EQ(0, reconnect(variant->proto, self->lfd, variant->lo));
	EXPECT_EQ(1, xtcp_proto_counter(variant->proto, "TwReused"));
	if (variant->proto == IPPROTO_XTCP)
		EXPECT_EQ(0, xtcp_proto_counter(variant->proto,
						"TwReuseSeqReject"));
}

/*
 * A port held by bind() -- with SO_REUSEADDR or not, on the address
 * connect() uses or another -- is not connect()'s to share, as on
 * Linux, whose connect() keeps to ports only connect() holds.  And a
 * port connect() shares is not bind()'s to take on the same address.
 */
TEST_F(conn, connect_skips_bound_port)
{
	static const struct {
		const char *ip;
		bool reuse;
	} binds4[] = {
		{ "127.0.0.1", false }, { "127.0.0.1", true },
		{ "127.0.0.5", false }, { "0.0.0.0", false },
	}, binds6[] = {
		{ "::1", false }, { "::1", true }, { LO6_OTHER, false },
		{ "::", false },
	};
	const bool v6 = variant->family == AF_INET6;
	const unsigned int n = v6 ? ARRAY_SIZE(binds6) : ARRAY_SIZE(binds4);
	const typeof(binds4[0]) *binds = v6 ? binds6 : binds4;
	unsigned int i;
	int b, c, s;

	if (v6)
		ASSERT_EQ(0, lo6_other_up());
	ASSERT_EQ(0, xtcp_write_str("/proc/sys/net/ipv4/ip_local_port_range",
				    "43100 43100"));
	for (i = 0; i < n; i++) {
		b = socket(variant->family, SOCK_STREAM, variant->proto);
		ASSERT_LE(0, b);
		if (binds[i].reuse)
			ASSERT_EQ(0, xtcp_set_reuseaddr(b));
		ASSERT_EQ(0, xtcp_bind(b, binds[i].ip, CPORT));
		EXPECT_EQ(-EADDRNOTAVAIL, connect_to(variant->proto,
						     variant->lo, PORT))
			TH_LOG("bound to %s", binds[i].ip);
		close(b);
	}

	c = connect_to(variant->proto, variant->lo, PORT);
	ASSERT_LE(0, c);
	EXPECT_EQ(CPORT, xtcp_local_port(c));
	s = accept_from(self->lfd, CPORT);
	ASSERT_LE(0, s);
	b = socket(variant->family, SOCK_STREAM, variant->proto);
	ASSERT_LE(0, b);
	EXPECT_EQ(-EADDRINUSE, xtcp_bind(b, variant->lo, CPORT));
	close(b);
	close(c);
	close(s);
}

/* ip_local_reserved_ports are never chosen, shared or not. */
TEST_F(conn, connect_skips_reserved_port)
{
	int lfd2, c0, c1, s0, s1;

	ASSERT_EQ(0, xtcp_write_str("/proc/sys/net/ipv4/ip_local_port_range",
				    "43100 43101"));
	ASSERT_EQ(0, xtcp_write_str("/proc/sys/net/ipv4/ip_local_reserved_ports",
				    "43100"));
	lfd2 = listener(variant->proto, variant->lo, PORT + 1);
	ASSERT_LE(0, lfd2);
	c0 = connect_to(variant->proto, variant->lo, PORT);
	ASSERT_LE(0, c0);
	EXPECT_EQ(CPORT + 1, xtcp_local_port(c0));
	s0 = accept_from(self->lfd, CPORT + 1);
	ASSERT_LE(0, s0);
	c1 = connect_to(variant->proto, variant->lo, PORT + 1);
	ASSERT_LE(0, c1);
	EXPECT_EQ(CPORT + 1, xtcp_local_port(c1));
	s1 = accept_from(lfd2, CPORT + 1);
	ASSERT_LE(0, s1);
	EXPECT_EQ(-EADDRNOTAVAIL, connect_to(variant->proto, variant->lo,
					     PORT));
	close(c0);
	close(s0);
	close(c1);
	close(s1);
	close(lfd2);
}

static int send_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n <= 0)
			return -1;
		buf += n;
		len -= n;
	}
	return 0;
}

TEST_F(conn, small_messages)
{
	char buf[16];
	int c, s;

	c = connect_to(variant->proto, variant->lo, PORT);
	ASSERT_LE(0, c);
	s = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, s);
	ASSERT_EQ(5, send(c, "hello", 5, 0));
	ASSERT_EQ(5, xtcp_recv_all(s, buf, 5));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	ASSERT_EQ(3, send(s, "abc", 3, 0));
	ASSERT_EQ(3, xtcp_recv_all(c, buf, 3));
	EXPECT_EQ(0, memcmp(buf, "abc", 3));
	close(c);
	close(s);
}

/* 4 MiB each way at once, through blocking sends: bytes exact, in order. */
TEST_F(conn, bulk_both_ways)
{
	const size_t len = 4 << 20;
	char *out, *in;
	size_t i;
	pid_t pid;
	int c, s, status;

	out = malloc(len);
	in = malloc(len);
	ASSERT_TRUE(out && in);
	for (i = 0; i < len; i++)
		out[i] = (char)(i * 7 + i / 4093);
	c = connect_to(variant->proto, variant->lo, PORT);
	ASSERT_LE(0, c);
	s = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, s);

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* Child: echo the server side back. */
		char *buf = malloc(len);

		if (!buf || xtcp_recv_all(s, buf, len) != (ssize_t)len ||
		    send_all(s, buf, len))
			_exit(1);
		_exit(0);
	}
	ASSERT_EQ(0, send_all(c, out, len));
	ASSERT_EQ((ssize_t)len, xtcp_recv_all(c, in, len));
	EXPECT_EQ(0, memcmp(out, in, len));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	close(c);
	close(s);
	free(out);
	free(in);
}

TEST_F(conn, bulk_one_way)
{
	const size_t len = 1 << 20;
	char *out, *in;
	long long t0;
	size_t i;
	pid_t pid;
	int c, s, status;

	out = malloc(len);
	in = malloc(len);
	ASSERT_TRUE(out && in);
	for (i = 0; i < len; i++)
		out[i] = (char)(i * 13 + i / 511);
	c = connect_to(variant->proto, variant->lo, PORT);
	ASSERT_LE(0, c);
	s = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, s);
	t0 = xtcp_now_ms();
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(send_all(c, out, len) ? 1 : 0);
	ASSERT_EQ((ssize_t)len, xtcp_recv_all(s, in, len));
	EXPECT_EQ(0, memcmp(out, in, len));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	TH_LOG("1 MiB in %lld ms, retrans %ld", xtcp_now_ms() - t0,
	       xtcp_counter("RetransSegs"));
	close(c);
	close(s);
	free(out);
	free(in);
}

TEST_F(conn, half_close)
{
	char buf[8];
	int c, s;

	c = connect_to(variant->proto, variant->lo, PORT);
	ASSERT_LE(0, c);
	s = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, s);
	ASSERT_EQ(4, send(c, "data", 4, 0));
	ASSERT_EQ(0, shutdown(c, SHUT_WR));
	/* The peer reads the data, then EOF... */
	EXPECT_EQ(4, xtcp_recv_all(s, buf, 4));
	EXPECT_EQ(0, recv(s, buf, sizeof(buf), 0));
	EXPECT_EQ(0x08, xtcp_wait_state(variant->proc, PORT, xtcp_local_port(c),
					0x08));	/* CLOSE_WAIT */
	EXPECT_EQ(0x05, xtcp_wait_state(variant->proc, xtcp_local_port(c), PORT,
					0x05));	/* FIN_WAIT2 */
	/* ...and can still send; the half-closed side still receives. */
	ASSERT_EQ(5, send(s, "reply", 5, 0));
	EXPECT_EQ(5, xtcp_recv_all(c, buf, 5));
	EXPECT_EQ(0, memcmp(buf, "reply", 5));
	/* Sending after SHUT_WR fails with EPIPE. */
	EXPECT_EQ(-1, send(c, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
	close(s);
	EXPECT_EQ(0, recv(c, buf, sizeof(buf), 0));
	close(c);
}

/* The other way round: the server half-closes, the client goes on. */
TEST_F(conn, half_close_from_server)
{
	char buf[8];
	int c, s;

	c = connect_to(variant->proto, variant->lo, PORT);
	ASSERT_LE(0, c);
	s = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, shutdown(s, SHUT_WR));
	EXPECT_EQ(0, recv(c, buf, sizeof(buf), 0));
	EXPECT_EQ(0x08, xtcp_wait_state(variant->proc, xtcp_local_port(c), PORT,
					0x08));
	ASSERT_EQ(4, send(c, "more", 4, 0));
	EXPECT_EQ(4, xtcp_recv_all(s, buf, 4));
	EXPECT_EQ(0, memcmp(buf, "more", 4));
	close(c);
	EXPECT_EQ(0, recv(s, buf, sizeof(buf), 0));
	close(s);
}

TEST_F(conn, shutdown_read)
{
	struct pollfd pfd = { .events = POLLIN | POLLRDHUP };
	char buf[4];
	int c, s;

	c = connect_to(variant->proto, variant->lo, PORT);
	ASSERT_LE(0, c);
	s = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, shutdown(s, SHUT_RD));
	/* Reads end at once, and poll says so... */
	EXPECT_EQ(0, recv(s, buf, sizeof(buf), 0));
	pfd.fd = s;
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLIN | POLLRDHUP, pfd.revents);
	/* ...but the connection is still up both ways. */
	EXPECT_EQ(0x01, xtcp_proc_state(variant->proc, PORT, xtcp_local_port(c)));
	ASSERT_EQ(2, send(s, "ok", 2, 0));
	EXPECT_EQ(2, xtcp_recv_all(c, buf, 2));
	close(s);
	close(c);
}

TEST_F(conn, shutdown_both)
{
	char buf[4];
	int c, s;

	c = connect_to(variant->proto, variant->lo, PORT);
	ASSERT_LE(0, c);
	s = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, shutdown(c, SHUT_RDWR));
	EXPECT_EQ(0, recv(s, buf, sizeof(buf), 0));
	EXPECT_EQ(0, recv(c, buf, sizeof(buf), 0));
	EXPECT_EQ(-1, send(c, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(0x05, xtcp_wait_state(variant->proc, xtcp_local_port(c), PORT,
					0x05));
	close(s);
	close(c);
}

TEST_F(conn, active_close_time_wait)
{
	unsigned short cport;
	char buf[4];
	int c, s;

	c = connect_to(variant->proto, variant->lo, PORT);
	ASSERT_LE(0, c);
	s = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, s);
	cport = xtcp_local_port(c);
	close(c);
	EXPECT_EQ(0, recv(s, buf, sizeof(buf), 0));
	EXPECT_EQ(0x08, xtcp_proc_state(variant->proc, PORT, cport));
	close(s);
	/* The active closer holds TIME_WAIT; the passive side is gone. */
	EXPECT_EQ(0x06, xtcp_wait_state(variant->proc, cport, PORT, 0x06)) {
		TH_LOG("TwCreated %ld, TwExpired %ld", xtcp_counter("TwCreated"),
		       xtcp_counter("TwExpired"));
		system("cat /proc/net/xtcp /proc/net/xtcp_stat");
	}
	EXPECT_EQ(-1, xtcp_wait_state(variant->proc, PORT, cport, -1));
	/* The entry holds its port: bind() to it fails, as with TCP. */
	c = socket(variant->family, SOCK_STREAM, variant->proto);
	ASSERT_LE(0, c);
	EXPECT_EQ(-EADDRINUSE, xtcp_bind(c, variant->lo, cport));
	close(c);
}

TEST_F(conn, linger_zero_resets)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	unsigned short cport;
	char buf[4];
	int c, s;

	c = connect_to(variant->proto, variant->lo, PORT);
	ASSERT_LE(0, c);
	s = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, s);
	cport = xtcp_local_port(c);
	ASSERT_EQ(0, setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
	close(c);
	EXPECT_EQ(-1, recv(s, buf, sizeof(buf), 0));
	EXPECT_EQ(ECONNRESET, errno);
	/* An abort leaves no TIME_WAIT. */
	EXPECT_EQ(-1, xtcp_proc_state(variant->proc, cport, PORT));
	close(s);
}

TEST_F(conn, close_with_unread_data_resets)
{
	char buf[4];
	int c, s;

	c = connect_to(variant->proto, variant->lo, PORT);
	ASSERT_LE(0, c);
	s = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, s);
	ASSERT_EQ(3, send(c, "abc", 3, 0));
	ASSERT_EQ(0x01, xtcp_wait_state(variant->proc, PORT, xtcp_local_port(c),
					0x01));
	usleep(50000);	/* let the data land in s's receive queue */
	close(s);
	EXPECT_EQ(-1, recv(c, buf, sizeof(buf), 0));
	EXPECT_EQ(ECONNRESET, errno);
	close(c);
}

TEST_F(conn, nonblocking_connect)
{
	struct pollfd pfd = { .events = POLLOUT };
	struct sockaddr_storage a;
	socklen_t alen = xtcp_sockaddr(variant->lo, PORT, &a);
	int err = -1, s;
	socklen_t len = sizeof(err);

	pfd.fd = socket(variant->family, SOCK_STREAM | SOCK_NONBLOCK,
			variant->proto);
	ASSERT_LE(0, pfd.fd);
	ASSERT_EQ(-1, connect(pfd.fd, (struct sockaddr *)&a, alen));
	EXPECT_EQ(EINPROGRESS, errno);
	ASSERT_EQ(1, poll(&pfd, 1, 5000));
	EXPECT_EQ(POLLOUT, pfd.revents);
	ASSERT_EQ(0, getsockopt(pfd.fd, SOL_SOCKET, SO_ERROR, &err, &len));
	EXPECT_EQ(0, err);
	s = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, s);
	close(s);
	close(pfd.fd);
}

TEST_F(conn, nonblocking_connect_refused)
{
	struct pollfd pfd = { .events = POLLIN | POLLOUT };
	struct sockaddr_storage a;
	socklen_t alen = xtcp_sockaddr(variant->lo, PORT + 1, &a);
	int err = -1;
	socklen_t len = sizeof(err);

	pfd.fd = socket(variant->family, SOCK_STREAM | SOCK_NONBLOCK,
			variant->proto);
	ASSERT_LE(0, pfd.fd);
	ASSERT_EQ(-1, connect(pfd.fd, (struct sockaddr *)&a, alen));
	EXPECT_EQ(EINPROGRESS, errno);
	ASSERT_EQ(1, poll(&pfd, 1, 5000));
	EXPECT_EQ(POLLIN | POLLOUT | POLLERR | POLLHUP, pfd.revents);
	ASSERT_EQ(0, getsockopt(pfd.fd, SOL_SOCKET, SO_ERROR, &err, &len));
	EXPECT_EQ(ECONNREFUSED, err);
	close(pfd.fd);
}

TEST_F(conn, poll_readiness)
{
	struct pollfd pfd = { .events = POLLIN | POLLOUT | POLLRDHUP };
	int c, s;

	c = connect_to(variant->proto, variant->lo, PORT);
	ASSERT_LE(0, c);
	pfd.fd = self->lfd;
	ASSERT_EQ(1, poll(&pfd, 1, 5000));
	EXPECT_EQ(POLLIN, pfd.revents);
	s = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, s);

	pfd.fd = s;
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLOUT, pfd.revents);
	ASSERT_EQ(1, send(c, "x", 1, 0));
	ASSERT_EQ(1, poll(&pfd, 1, 5000));
	EXPECT_EQ(POLLIN | POLLOUT, pfd.revents);
	ASSERT_EQ(0, shutdown(c, SHUT_WR));
	ASSERT_EQ(0x08, xtcp_wait_state(variant->proc, PORT, xtcp_local_port(c),
					0x08));
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLIN | POLLOUT | POLLRDHUP, pfd.revents);
	close(s);
	close(c);
}

TEST_F(conn, poll_after_reset)
{
	const short reset = POLLIN | POLLOUT | POLLERR | POLLHUP | POLLRDHUP;
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	struct pollfd pfd = { .events = POLLIN | POLLRDHUP };
	long long deadline;
	int c, s;

	c = connect_to(variant->proto, variant->lo, PORT);
	ASSERT_LE(0, c);
	s = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
	close(c);
	/*
	 * close() returns with the RST sent, not taken by s: that is done
	 * by the loopback's softirq, maybe later or on the other CPU.  With
	 * no data nor FIN sent, only the RST makes s readable or in error:
	 * wait for it, leaving out POLLOUT, which s has all along.
	 */
	pfd.fd = s;
	deadline = xtcp_now_ms() + 10000;
	ASSERT_EQ(1, poll(&pfd, 1, 10000));
	/*
	 * It may be half taken (xtcp reports the error before it closes
	 * the socket): wait for s to show all of it.
	 */
	pfd.events = POLLIN | POLLOUT | POLLRDHUP;
	while (poll(&pfd, 1, 0) == 1 && pfd.revents != reset &&
	       xtcp_now_ms() < deadline)
		usleep(2000);
	EXPECT_EQ(reset, pfd.revents);
	close(s);
}

TEST_F(conn, epoll_edge_triggered)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };
	int ep, c, s, n;
	char buf[8];

	c = connect_to(variant->proto, variant->lo, PORT);
	ASSERT_LE(0, c);
	s = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, s);
	ep = epoll_create1(0);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev));
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	ASSERT_EQ(2, send(c, "ab", 2, 0));
	n = epoll_wait(ep, &ev, 1, 5000);
	EXPECT_EQ(1, n);
	EXPECT_EQ(EPOLLIN, ev.events);
	/* Edge-triggered: no new event until new data. */
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	EXPECT_EQ(2, recv(s, buf, sizeof(buf), 0));
	close(ep);
	close(s);
	close(c);
}

TEST_F(conn, accept_nonblocking_empty)
{
	int fl = fcntl(self->lfd, F_GETFL);

	ASSERT_EQ(0, fcntl(self->lfd, F_SETFL, fl | O_NONBLOCK));
	EXPECT_EQ(-1, accept(self->lfd, NULL, NULL));
	EXPECT_EQ(EAGAIN, errno);
}

/*
 * Connections queued for accept() on the listener of local port @port,
 * as the rx_queue column of @proc shows them; -1 without that listener.
 */
static int accept_queue_len(const char *proc, unsigned short port)
{
	struct xtcp_proc_sock s;
	int n = -1;
	FILE *f;

	f = fopen(proc, "r");
	if (!f)
		return -1;
	while (xtcp_proc_next(f, &s))
		if (s.lport == port && s.state == 0x0A)
			n = s.rx_queue;
	fclose(f);
	return n;
}

/*
 * listen(fd, 1) queues two connections (Linux's backlog + 1); a SYN
 * that finds both queued is dropped, as is every SYN sent again while
 * they stay, and the client gets through once accept() made room, by
 * retransmitting its SYN.
 */
TEST_F(conn, backlog_full_then_drained)
{
	struct pollfd pfd = { .events = POLLOUT };
	struct sockaddr_storage a;
	socklen_t alen = xtcp_sockaddr(variant->lo, PORT + 2, &a);
	long long deadline;
	struct tcp_info ti;
	int l, c1, c2, s;
	socklen_t len;

	l = socket(variant->family, SOCK_STREAM, variant->proto);
	ASSERT_LE(0, l);
	ASSERT_EQ(0, xtcp_bind(l, variant->lo, PORT + 2));
	ASSERT_EQ(0, listen(l, 1));
	c1 = connect_to(variant->proto, variant->lo, PORT + 2);
	c2 = connect_to(variant->proto, variant->lo, PORT + 2);
	ASSERT_LE(0, c1);
	ASSERT_LE(0, c2);
	/*
	 * connect() returns on the SYN-ACK, before the listener has taken
	 * the final ACK and queued the connection.  Until both are queued
	 * a SYN may still get an answer: Linux sends a syncookie while c2
	 * is a request, and xtcp counts c2 neither as a request nor as
	 * queued while it creates its socket.
	 */
	deadline = xtcp_now_ms() + 10000;
	while (accept_queue_len(variant->proc, PORT + 2) != 2 &&
	       xtcp_now_ms() < deadline)
		usleep(2000);
	ASSERT_EQ(2, accept_queue_len(variant->proc, PORT + 2));
	pfd.fd = socket(variant->family, SOCK_STREAM | SOCK_NONBLOCK,
			variant->proto);
	ASSERT_LE(0, pfd.fd);
	ASSERT_EQ(-1, connect(pfd.fd, (struct sockaddr *)&a, alen));
	ASSERT_EQ(EINPROGRESS, errno);
	/* Its SYN goes unanswered: the RTO (1 s) sends it again. */
	deadline = xtcp_now_ms() + 10000;
	for (;;) {
		len = sizeof(ti);
		ASSERT_EQ(0, getsockopt(pfd.fd, IPPROTO_TCP, TCP_INFO, &ti,
					&len));
		if (ti.tcpi_retransmits || xtcp_now_ms() >= deadline)
			break;
		usleep(20000);
	}
	ASSERT_LE(1, ti.tcpi_retransmits);
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	EXPECT_EQ(0x02, xtcp_proc_state(variant->proc, xtcp_local_port(pfd.fd),
					PORT + 2));	/* SYN_SENT */
	s = accept(l, NULL, NULL);
	ASSERT_LE(0, s);
	close(s);
	/* A SYN sent again from now on (the next after 2 s) finds room. */
	EXPECT_EQ(1, poll(&pfd, 1, 20000));
	EXPECT_EQ(POLLOUT, pfd.revents);
	close(pfd.fd);
	close(c1);
	close(c2);
	close(l);
}

TEST_F(conn, many_connections)
{
	int c[32], s[32], i;
	char b;

	for (i = 0; i < 32; i++) {
		c[i] = connect_to(variant->proto, variant->lo, PORT);
		ASSERT_LE(0, c[i]);
		s[i] = accept(self->lfd, NULL, NULL);
		ASSERT_LE(0, s[i]);
	}
	for (i = 0; i < 32; i++) {
		b = (char)i;
		ASSERT_EQ(1, send(c[i], &b, 1, 0));
	}
	for (i = 0; i < 32; i++) {
		ASSERT_EQ(1, recv(s[i], &b, 1, 0));
		EXPECT_EQ((char)i, b);
	}
	for (i = 0; i < 32; i++) {
		close(c[i]);
		close(s[i]);
	}
}

TEST_HARNESS_MAIN
