// SPDX-License-Identifier: GPL-2.0
/*
 * Socket API of an xtcp socket that has no connection: creation, bind,
 * ephemeral ports, SO_REUSEADDR, listen, /proc/net/xtcp, poll and the
 * errno of calls that need a connection.
 *
 * Every test runs over Linux TCP and over xtcp with the same
 * expectations: xtcp must behave as TCP does.  And over IPv4 and IPv6
 * (variants tcp, xtcp, tcp6, xtcp6), with the same test bodies on each
 * family's addresses.  Each test runs in its own network namespace, so
 * ports and sysctls never leak between tests.
 */
#include <poll.h>
#include <signal.h>

#include "xtcp_test.h"
#include "xtcp_ns.h"
#include "kselftest_harness.h"

#define PORT	20001
#define LO6_OTHER	"2001:2::5"	/* a second IPv6 address, on lo */

FIXTURE(sock) {
	int fds[4];
};

FIXTURE_VARIANT(sock) {
	int proto;
	int family;
	const char *proc;	/* the sockets of that family */
	const char *lo;		/* its loopback address */
	const char *any;	/* its wildcard */
	const char *foreign;	/* an address no interface has */
	const char *proc_lo;	/* lo as the proc file prints it */
	const char *other;	/* a second address on lo */
};

FIXTURE_VARIANT_ADD(sock, tcp) {
	.proto = IPPROTO_TCP,
	.family = AF_INET,
	.proc = "/proc/net/tcp",
	.lo = "127.0.0.1",
	.any = "0.0.0.0",
	.foreign = "198.18.0.1",
	.proc_lo = "0100007F",
	.other = "127.0.0.2",
};

FIXTURE_VARIANT_ADD(sock, xtcp) {
	.proto = IPPROTO_XTCP,
	.family = AF_INET,
	.proc = "/proc/net/xtcp",
	.lo = "127.0.0.1",
	.any = "0.0.0.0",
	.foreign = "198.18.0.1",
	.proc_lo = "0100007F",
	.other = "127.0.0.2",
};

FIXTURE_VARIANT_ADD(sock, tcp6) {
	.proto = IPPROTO_TCP,
	.family = AF_INET6,
	.proc = "/proc/net/tcp6",
	.lo = "::1",
	.any = "::",
	.foreign = "2001:db8::1",
	.proc_lo = "00000000000000000000000001000000",
	.other = LO6_OTHER,
};

FIXTURE_VARIANT_ADD(sock, xtcp6) {
	.proto = IPPROTO_XTCP,
	.family = AF_INET6,
	.proc = "/proc/net/xtcp6",
	.lo = "::1",
	.any = "::",
	.foreign = "2001:db8::1",
	.proc_lo = "00000000000000000000000001000000",
	.other = LO6_OTHER,
};

FIXTURE_SETUP(sock)
{
	XTCP_SKIP_TCP_VARIANT(variant->proto);
	int i;

	ASSERT_EQ(0, xtcp_new_netns());
	for (i = 0; i < 4; i++) {
		self->fds[i] = socket(variant->family, SOCK_STREAM,
				      variant->proto);
		ASSERT_LE(0, self->fds[i]) TH_LOG("socket: %s", strerror(errno));
	}
}

FIXTURE_TEARDOWN(sock)
{
	int i;

	for (i = 0; i < 4; i++)
		if (self->fds[i] > 0)
			close(self->fds[i]);
}

static int bind_fd(int fd, const char *ip, unsigned short port)
{
	return xtcp_bind(fd, ip, port);
}

/*
 * The variant's second address on lo: IPv4's lo has all of 127/8,
 * IPv6's only ::1, so LO6_OTHER is added (nodad, then ns_addr6_wait()).
 */
static int other_up(int family)
{
	if (family == AF_INET)
		return 0;
	return sh(IP " addr add " LO6_OTHER "/128 dev lo nodad") ||
	       ns_addr6_wait(NULL) ? -1 : 0;
}

/*
 * A socket of @family and @proto, with SO_REUSEADDR if @reuse and, for
 * AF_INET6, IPV6_V6ONLY as @v6only; the socket or -1.
 */
static int sock_of(int family, int proto, bool reuse, int v6only)
{
	int fd = socket(family, SOCK_STREAM, proto);

	if (fd < 0)
		return -1;
	if ((reuse && xtcp_set_reuseaddr(fd)) ||
	    (family == AF_INET6 &&
	     xtcp_set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, v6only))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* bind() of a new socket as sock_of() makes; 0 or -errno, closed. */
static int bind_new(int family, int proto, bool reuse, int v6only,
		    const char *ip, unsigned short port, int *keep)
{
	int fd = sock_of(family, proto, reuse, v6only);
	int err;

	if (fd < 0)
		return -EBADF;
	err = xtcp_bind(fd, ip, port);
	if (!err && keep) {
		*keep = fd;
		return 0;
	}
	close(fd);
	return err;
}

TEST_F(sock, socket_options)
{
	int val = 0;
	socklen_t len = sizeof(val);

	ASSERT_EQ(0, getsockopt(self->fds[0], SOL_SOCKET, SO_PROTOCOL, &val, &len));
	EXPECT_EQ(variant->proto, val);
	len = sizeof(val);
	ASSERT_EQ(0, getsockopt(self->fds[0], SOL_SOCKET, SO_TYPE, &val, &len));
	EXPECT_EQ(SOCK_STREAM, val);
	len = sizeof(val);
	ASSERT_EQ(0, getsockopt(self->fds[0], SOL_SOCKET, SO_ERROR, &val, &len));
	EXPECT_EQ(0, val);
	len = sizeof(val);
	ASSERT_EQ(0, getsockopt(self->fds[0], SOL_SOCKET, SO_ACCEPTCONN, &val, &len));
	EXPECT_EQ(0, val);
}

TEST_F(sock, bind_getsockname)
{
	struct sockaddr_storage a, want;
	socklen_t len = sizeof(a);

	ASSERT_EQ(0, bind_fd(self->fds[0], variant->lo, PORT));
	ASSERT_EQ(0, getsockname(self->fds[0], (struct sockaddr *)&a, &len));
	EXPECT_EQ(xtcp_sockaddr(variant->lo, PORT, &want), len);
	EXPECT_EQ(variant->family, a.ss_family);
	EXPECT_TRUE(xtcp_sockaddr_is(&a, variant->lo));
	EXPECT_EQ(PORT, xtcp_sockaddr_port(&a));
}

TEST_F(sock, bind_twice_einval)
{
	ASSERT_EQ(0, bind_fd(self->fds[0], variant->lo, PORT));
	EXPECT_EQ(-EINVAL, bind_fd(self->fds[0], variant->lo, PORT + 1));
}

TEST_F(sock, bind_foreign_address)
{
	EXPECT_EQ(-EADDRNOTAVAIL, bind_fd(self->fds[0], variant->foreign,
					  PORT));
}

TEST_F(sock, bind_eaddrinuse)
{
	ASSERT_EQ(0, bind_fd(self->fds[0], variant->lo, PORT));
	EXPECT_EQ(-EADDRINUSE, bind_fd(self->fds[1], variant->lo, PORT));
	/* A wildcard overlaps every address. */
	EXPECT_EQ(-EADDRINUSE, bind_fd(self->fds[2], variant->any, PORT));
	/* Another address on the same port does not conflict. */
	ASSERT_EQ(0, other_up(variant->family));
	EXPECT_EQ(0, bind_fd(self->fds[3], variant->other, PORT));
}

/*
 * Two addresses on one port: each listens, neither conflicts with the
 * other; the wildcard, bound first, holds the port on every address,
 * SO_REUSEADDR or not once it listens, and not with SO_REUSEADDR on
 * both while neither listens.
 */
TEST_F(sock, bind_second_address)
{
	int fd;

	ASSERT_EQ(0, other_up(variant->family));
	ASSERT_EQ(0, bind_fd(self->fds[0], variant->lo, PORT));
	ASSERT_EQ(0, listen(self->fds[0], 1));
	ASSERT_EQ(0, bind_fd(self->fds[1], variant->other, PORT));
	EXPECT_EQ(0, listen(self->fds[1], 1));

	ASSERT_EQ(0, bind_fd(self->fds[2], variant->any, PORT + 1));
	EXPECT_EQ(-EADDRINUSE, bind_fd(self->fds[3], variant->other,
				       PORT + 1));
	EXPECT_EQ(-EADDRINUSE, bind_new(variant->family, variant->proto,
					true, 0, variant->lo, PORT + 1,
					NULL));

	fd = sock_of(variant->family, variant->proto, true, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, bind_fd(fd, variant->any, PORT + 2));
	EXPECT_EQ(0, bind_new(variant->family, variant->proto, true, 0,
			      variant->other, PORT + 2, NULL));
	ASSERT_EQ(0, listen(fd, 1));
	EXPECT_EQ(-EADDRINUSE, bind_new(variant->family, variant->proto,
					true, 0, variant->other, PORT + 2,
					NULL));
	close(fd);
}

/*
 * Ports across the families, from the variant's side (its socket binds
 * first), Linux's rules (ipv6_rcv_saddr_equal()): an IPv4 address and
 * its v4-mapped twin are one address; a v4-mapped address does not
 * overlap an IPv6 one; a dual-stack wildcard overlaps every IPv4
 * address, an IPV6_V6ONLY one none, and either the other IPv6 wildcard;
 * a v4-mapped address on an IPV6_V6ONLY socket is EINVAL.
 */
TEST_F(sock, bind_across_families)
{
	int p = variant->proto, held[3] = { -1, -1, -1 }, i;

	ASSERT_EQ(-EINVAL, bind_new(AF_INET6, p, false, 1,
				    "::ffff:127.0.0.1", PORT, NULL));
	if (variant->family == AF_INET) {
		/* IPv4 first: 127.0.0.1, then 0.0.0.0 on another port. */
		ASSERT_EQ(0, bind_fd(self->fds[0], "127.0.0.1", PORT));
		EXPECT_EQ(-EADDRINUSE, bind_new(AF_INET6, p, false, 0,
						"::ffff:127.0.0.1", PORT,
						NULL));
		EXPECT_EQ(-EADDRINUSE, bind_new(AF_INET6, p, false, 0, "::",
						PORT, NULL));
		EXPECT_EQ(0, bind_new(AF_INET6, p, false, 0,
				      "::ffff:127.0.0.2", PORT, &held[0]));
		EXPECT_EQ(0, bind_new(AF_INET6, p, false, 0, "::1", PORT,
				      &held[1]));

		ASSERT_EQ(0, bind_fd(self->fds[1], "0.0.0.0", PORT + 1));
		EXPECT_EQ(-EADDRINUSE, bind_new(AF_INET6, p, false, 0,
						"::ffff:127.0.0.2", PORT + 1,
						NULL));
		EXPECT_EQ(-EADDRINUSE, bind_new(AF_INET6, p, false, 0, "::",
						PORT + 1, NULL));
		EXPECT_EQ(0, bind_new(AF_INET6, p, false, 1, "::",
				      PORT + 1, &held[2]));
	} else {
		/* IPv6 first: ::ffff:127.0.0.1, then :: dual, :: v6only. */
		ASSERT_EQ(0, bind_fd(self->fds[0], "::ffff:127.0.0.1", PORT));
		EXPECT_EQ(-EADDRINUSE, bind_new(AF_INET, p, false, 0,
						"127.0.0.1", PORT, NULL));
		EXPECT_EQ(-EADDRINUSE, bind_new(AF_INET, p, false, 0,
						"0.0.0.0", PORT, NULL));
		EXPECT_EQ(0, bind_new(AF_INET, p, false, 0, "127.0.0.2", PORT,
				      &held[0]));
		EXPECT_EQ(0, bind_new(AF_INET6, p, false, 0, "::1", PORT,
				      &held[1]));

		ASSERT_EQ(0, bind_fd(self->fds[1], "::", PORT + 1));
		EXPECT_EQ(-EADDRINUSE, bind_new(AF_INET, p, false, 0,
						"127.0.0.2", PORT + 1, NULL));
		EXPECT_EQ(-EADDRINUSE, bind_new(AF_INET6, p, false, 1, "::",
						PORT + 1, NULL));

		ASSERT_EQ(0, xtcp_set_int(self->fds[2], IPPROTO_IPV6,
					  IPV6_V6ONLY, 1));
		ASSERT_EQ(0, bind_fd(self->fds[2], "::", PORT + 2));
		EXPECT_EQ(0, bind_new(AF_INET, p, false, 0, "0.0.0.0",
				      PORT + 2, &held[2]));
		EXPECT_EQ(-EADDRINUSE, bind_new(AF_INET6, p, false, 0,
						"::1", PORT + 2, NULL));
	}
	for (i = 0; i < 3; i++)
		if (held[i] >= 0)
			close(held[i]);
}

/*
 * SO_REUSEADDR across the families: the variant's wildcard and the
 * other family's loopback address (v4-mapped for IPv6), both with
 * SO_REUSEADDR, share the port while neither listens; once one does,
 * the other cannot listen, nor can a third socket bind.
 */
TEST_F(sock, reuseaddr_across_families)
{
	int other = variant->family == AF_INET ? AF_INET6 : AF_INET;
	const char *lo4 = other == AF_INET ? "127.0.0.1" : "::ffff:127.0.0.1";
	int fd;

	ASSERT_EQ(0, xtcp_set_reuseaddr(self->fds[0]));
	ASSERT_EQ(0, bind_fd(self->fds[0], variant->any, PORT));
	fd = sock_of(other, variant->proto, true, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, bind_fd(fd, lo4, PORT));
	EXPECT_EQ(0, listen(self->fds[0], 1));
	EXPECT_EQ(-1, listen(fd, 1));
	EXPECT_EQ(EADDRINUSE, errno);
	EXPECT_EQ(-EADDRINUSE, bind_new(other, variant->proto, true, 0, lo4,
					PORT, NULL));
	close(fd);
}

TEST_F(sock, bind_after_close)
{
	ASSERT_EQ(0, bind_fd(self->fds[0], variant->lo, PORT));
	ASSERT_EQ(0, listen(self->fds[0], 1));
	close(self->fds[0]);
	self->fds[0] = -1;
	EXPECT_EQ(0, bind_fd(self->fds[1], variant->lo, PORT));
}

TEST_F(sock, reuseaddr_both_bound)
{
	ASSERT_EQ(0, xtcp_set_reuseaddr(self->fds[0]));
	ASSERT_EQ(0, xtcp_set_reuseaddr(self->fds[1]));
	ASSERT_EQ(0, bind_fd(self->fds[0], variant->lo, PORT));
	EXPECT_EQ(0, bind_fd(self->fds[1], variant->lo, PORT));
}

TEST_F(sock, reuseaddr_needs_both)
{
	ASSERT_EQ(0, xtcp_set_reuseaddr(self->fds[0]));
	ASSERT_EQ(0, bind_fd(self->fds[0], variant->lo, PORT));
	EXPECT_EQ(-EADDRINUSE, bind_fd(self->fds[1], variant->lo, PORT));

	ASSERT_EQ(0, bind_fd(self->fds[2], variant->lo, PORT + 1));
	ASSERT_EQ(0, xtcp_set_reuseaddr(self->fds[3]));
	EXPECT_EQ(-EADDRINUSE, bind_fd(self->fds[3], variant->lo, PORT + 1));
}

TEST_F(sock, reuseaddr_not_with_listener)
{
	ASSERT_EQ(0, xtcp_set_reuseaddr(self->fds[0]));
	ASSERT_EQ(0, xtcp_set_reuseaddr(self->fds[1]));
	ASSERT_EQ(0, bind_fd(self->fds[0], variant->lo, PORT));
	ASSERT_EQ(0, listen(self->fds[0], 1));
	EXPECT_EQ(-EADDRINUSE, bind_fd(self->fds[1], variant->lo, PORT));
}

TEST_F(sock, reuseaddr_one_listener)
{
	ASSERT_EQ(0, xtcp_set_reuseaddr(self->fds[0]));
	ASSERT_EQ(0, xtcp_set_reuseaddr(self->fds[1]));
	ASSERT_EQ(0, bind_fd(self->fds[0], variant->lo, PORT));
	ASSERT_EQ(0, bind_fd(self->fds[1], variant->lo, PORT));
	EXPECT_EQ(0, listen(self->fds[0], 1));
	EXPECT_EQ(-1, listen(self->fds[1], 1));
	EXPECT_EQ(EADDRINUSE, errno);
}

TEST_F(sock, ephemeral_port_range)
{
	unsigned short p0, p1;

	ASSERT_EQ(0, xtcp_write_str("/proc/sys/net/ipv4/ip_local_port_range",
				    "41000 41001"));
	ASSERT_EQ(0, bind_fd(self->fds[0], variant->lo, 0));
	ASSERT_EQ(0, bind_fd(self->fds[1], variant->lo, 0));
	p0 = xtcp_local_port(self->fds[0]);
	p1 = xtcp_local_port(self->fds[1]);
	EXPECT_TRUE(p0 == 41000 || p0 == 41001) TH_LOG("port %u", p0);
	EXPECT_TRUE(p1 == 41000 || p1 == 41001) TH_LOG("port %u", p1);
	EXPECT_NE(p0, p1);
	EXPECT_EQ(-EADDRINUSE, bind_fd(self->fds[2], variant->lo, 0));
	/* Ephemeral ports are never shared, SO_REUSEADDR or not. */
	ASSERT_EQ(0, xtcp_set_reuseaddr(self->fds[3]));
	EXPECT_EQ(-EADDRINUSE, bind_fd(self->fds[3], variant->lo, 0));
}

TEST_F(sock, listen_autobind)
{
	unsigned short port;

	ASSERT_EQ(0, xtcp_write_str("/proc/sys/net/ipv4/ip_local_port_range",
				    "42000 42009"));
	ASSERT_EQ(0, listen(self->fds[0], 1));
	port = xtcp_local_port(self->fds[0]);
	EXPECT_LE(42000, port);
	EXPECT_GE(42009, port);
}

TEST_F(sock, listen_in_proc)
{
	struct xtcp_proc_sock ps;
	int val = 0;
	socklen_t len = sizeof(val);

	ASSERT_EQ(0, bind_fd(self->fds[0], variant->lo, PORT));
	ASSERT_EQ(0, listen(self->fds[0], 5));
	ASSERT_EQ(0, getsockopt(self->fds[0], SOL_SOCKET, SO_ACCEPTCONN, &val, &len));
	EXPECT_EQ(1, val);

	ASSERT_EQ(1, xtcp_proc_find(variant->proc, PORT, &ps));
	EXPECT_STREQ(variant->proc_lo, ps.la);
	EXPECT_EQ(strlen(variant->proc_lo), strspn(ps.ra, "0"));
	EXPECT_EQ(strlen(variant->proc_lo), strlen(ps.ra));
	EXPECT_EQ(0, ps.rport);
	EXPECT_EQ(0x0A, ps.state);
	EXPECT_EQ(0, ps.tx_queue);
	EXPECT_EQ(0, ps.rx_queue);
	EXPECT_EQ(xtcp_sock_ino(self->fds[0]), ps.inode);
	/* /proc/net/tcp pads its lines to one length, tcp6 does not. */
	if (variant->family == AF_INET)
		EXPECT_EQ(XTCP_PROC_LINE_LEN, ps.line_len);

	close(self->fds[0]);
	self->fds[0] = -1;
	EXPECT_EQ(0, xtcp_proc_find(variant->proc, PORT, &ps));
}

TEST_F(sock, listen_again_and_stop)
{
	struct xtcp_proc_sock ps;

	ASSERT_EQ(0, bind_fd(self->fds[0], variant->lo, PORT));
	ASSERT_EQ(0, listen(self->fds[0], 5));
	/* listen() on a listener only changes the backlog. */
	ASSERT_EQ(0, listen(self->fds[0], 10));
	/* shutdown(SHUT_RD) stops listening; the bound port stays. */
	ASSERT_EQ(0, shutdown(self->fds[0], SHUT_RD));
	if (xtcp_proc_find(variant->proc, PORT, &ps) == 1)
		EXPECT_NE(0x0A, ps.state);
	EXPECT_EQ(-EADDRINUSE, bind_fd(self->fds[1], variant->lo, PORT));
	EXPECT_EQ(0, listen(self->fds[0], 5));
	ASSERT_EQ(1, xtcp_proc_find(variant->proc, PORT, &ps));
	EXPECT_EQ(0x0A, ps.state);
}

TEST_F(sock, shutdown_unconnected)
{
	EXPECT_EQ(-1, shutdown(self->fds[0], SHUT_WR));
	EXPECT_EQ(ENOTCONN, errno);
}

TEST_F(sock, proc_header)
{
	char tcp[256], mine[256];

	ASSERT_EQ(0, xtcp_first_line(xtcp_proc_path(IPPROTO_TCP,
						    variant->family),
				     tcp, sizeof(tcp)));
	ASSERT_EQ(0, xtcp_first_line(variant->proc, mine, sizeof(mine)));
	EXPECT_STREQ(tcp, mine);
	if (variant->family == AF_INET)
		EXPECT_EQ(XTCP_PROC_LINE_LEN, strlen(mine));
}

TEST_F(sock, poll_unconnected)
{
	struct pollfd pfd = { .fd = self->fds[0], .events = POLLIN | POLLOUT };

	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLOUT | POLLHUP, pfd.revents);
}

TEST_F(sock, poll_listener)
{
	struct pollfd pfd = { .fd = self->fds[0], .events = POLLIN | POLLOUT };

	ASSERT_EQ(0, listen(self->fds[0], 1));
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	EXPECT_EQ(0, pfd.revents);
}

TEST_F(sock, io_unconnected)
{
	char c = 'x';

	EXPECT_EQ(-1, send(self->fds[0], &c, 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(-1, recv(self->fds[0], &c, 1, MSG_DONTWAIT));
	EXPECT_EQ(ENOTCONN, errno);
	EXPECT_EQ(-1, accept(self->fds[0], NULL, NULL));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(sock, send_sigpipe)
{
	sigset_t set;
	char c = 'x';
	int sig = 0;

	/* Without MSG_NOSIGNAL, EPIPE comes with SIGPIPE: block it and
	 * find it pending.
	 */
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	ASSERT_EQ(0, sigprocmask(SIG_BLOCK, &set, NULL));
	EXPECT_EQ(-1, send(self->fds[0], &c, 1, 0));
	EXPECT_EQ(EPIPE, errno);
	ASSERT_EQ(0, sigpending(&set));
	sig = sigismember(&set, SIGPIPE);
	EXPECT_EQ(1, sig);
}

TEST_F(sock, listen_recv)
{
	char c;

	ASSERT_EQ(0, listen(self->fds[0], 1));
	EXPECT_EQ(-1, recv(self->fds[0], &c, 1, MSG_DONTWAIT));
	EXPECT_EQ(ENOTCONN, errno);
}

TEST_HARNESS_MAIN
