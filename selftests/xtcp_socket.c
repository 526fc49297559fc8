// SPDX-License-Identifier: GPL-2.0
/*
 * Socket API of an xtcp socket that has no connection: creation, bind,
 * ephemeral ports, SO_REUSEADDR, listen, /proc/net/xtcp, poll and the
 * errno of calls that need a connection.
 *
 * Every test runs twice, over Linux TCP and over xtcp, with the same
 * expectations: xtcp must behave as TCP does.  Each test runs in its own
 * network namespace, so ports and sysctls never leak between tests.
 */
#include <poll.h>
#include <signal.h>

#include "xtcp_test.h"
#include "kselftest_harness.h"

#define PORT	20001

FIXTURE(sock) {
	int fds[4];
};

FIXTURE_VARIANT(sock) {
	int proto;
	const char *proc;
};

FIXTURE_VARIANT_ADD(sock, tcp) {
	.proto = IPPROTO_TCP,
	.proc = "/proc/net/tcp",
};

FIXTURE_VARIANT_ADD(sock, xtcp) {
	.proto = IPPROTO_XTCP,
	.proc = "/proc/net/xtcp",
};

FIXTURE_SETUP(sock)
{
	XTCP_SKIP_TCP_VARIANT(variant->proto);
	int i;

	ASSERT_EQ(0, xtcp_new_netns());
	for (i = 0; i < 4; i++) {
		self->fds[i] = socket(AF_INET, SOCK_STREAM, variant->proto);
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
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	ASSERT_EQ(0, bind_fd(self->fds[0], "127.0.0.1", PORT));
	ASSERT_EQ(0, getsockname(self->fds[0], (struct sockaddr *)&a, &len));
	EXPECT_EQ(sizeof(a), len);
	EXPECT_EQ(AF_INET, a.sin_family);
	EXPECT_EQ(htonl(INADDR_LOOPBACK), a.sin_addr.s_addr);
	EXPECT_EQ(PORT, ntohs(a.sin_port));
}

TEST_F(sock, bind_twice_einval)
{
	ASSERT_EQ(0, bind_fd(self->fds[0], "127.0.0.1", PORT));
	EXPECT_EQ(-EINVAL, bind_fd(self->fds[0], "127.0.0.1", PORT + 1));
}

TEST_F(sock, bind_foreign_address)
{
	EXPECT_EQ(-EADDRNOTAVAIL, bind_fd(self->fds[0], "198.18.0.1", PORT));
}

TEST_F(sock, bind_eaddrinuse)
{
	ASSERT_EQ(0, bind_fd(self->fds[0], "127.0.0.1", PORT));
	EXPECT_EQ(-EADDRINUSE, bind_fd(self->fds[1], "127.0.0.1", PORT));
	/* A wildcard overlaps every address. */
	EXPECT_EQ(-EADDRINUSE, bind_fd(self->fds[2], "0.0.0.0", PORT));
	/* Another address on the same port does not conflict. */
	EXPECT_EQ(0, bind_fd(self->fds[3], "127.0.0.2", PORT));
}

TEST_F(sock, bind_after_close)
{
	ASSERT_EQ(0, bind_fd(self->fds[0], "127.0.0.1", PORT));
	ASSERT_EQ(0, listen(self->fds[0], 1));
	close(self->fds[0]);
	self->fds[0] = -1;
	EXPECT_EQ(0, bind_fd(self->fds[1], "127.0.0.1", PORT));
}

TEST_F(sock, reuseaddr_both_bound)
{
	ASSERT_EQ(0, xtcp_set_reuseaddr(self->fds[0]));
	ASSERT_EQ(0, xtcp_set_reuseaddr(self->fds[1]));
	ASSERT_EQ(0, bind_fd(self->fds[0], "127.0.0.1", PORT));
	EXPECT_EQ(0, bind_fd(self->fds[1], "127.0.0.1", PORT));
}

TEST_F(sock, reuseaddr_needs_both)
{
	ASSERT_EQ(0, xtcp_set_reuseaddr(self->fds[0]));
	ASSERT_EQ(0, bind_fd(self->fds[0], "127.0.0.1", PORT));
	EXPECT_EQ(-EADDRINUSE, bind_fd(self->fds[1], "127.0.0.1", PORT));

	ASSERT_EQ(0, bind_fd(self->fds[2], "127.0.0.1", PORT + 1));
	ASSERT_EQ(0, xtcp_set_reuseaddr(self->fds[3]));
	EXPECT_EQ(-EADDRINUSE, bind_fd(self->fds[3], "127.0.0.1", PORT + 1));
}

TEST_F(sock, reuseaddr_not_with_listener)
{
	ASSERT_EQ(0, xtcp_set_reuseaddr(self->fds[0]));
	ASSERT_EQ(0, xtcp_set_reuseaddr(self->fds[1]));
	ASSERT_EQ(0, bind_fd(self->fds[0], "127.0.0.1", PORT));
	ASSERT_EQ(0, listen(self->fds[0], 1));
	EXPECT_EQ(-EADDRINUSE, bind_fd(self->fds[1], "127.0.0.1", PORT));
}

TEST_F(sock, reuseaddr_one_listener)
{
	ASSERT_EQ(0, xtcp_set_reuseaddr(self->fds[0]));
	ASSERT_EQ(0, xtcp_set_reuseaddr(self->fds[1]));
	ASSERT_EQ(0, bind_fd(self->fds[0], "127.0.0.1", PORT));
	ASSERT_EQ(0, bind_fd(self->fds[1], "127.0.0.1", PORT));
	EXPECT_EQ(0, listen(self->fds[0], 1));
	EXPECT_EQ(-1, listen(self->fds[1], 1));
	EXPECT_EQ(EADDRINUSE, errno);
}

TEST_F(sock, ephemeral_port_range)
{
	unsigned short p0, p1;

	ASSERT_EQ(0, xtcp_write_str("/proc/sys/net/ipv4/ip_local_port_range",
				    "41000 41001"));
	ASSERT_EQ(0, bind_fd(self->fds[0], "127.0.0.1", 0));
	ASSERT_EQ(0, bind_fd(self->fds[1], "127.0.0.1", 0));
	p0 = xtcp_local_port(self->fds[0]);
	p1 = xtcp_local_port(self->fds[1]);
	EXPECT_TRUE(p0 == 41000 || p0 == 41001) TH_LOG("port %u", p0);
	EXPECT_TRUE(p1 == 41000 || p1 == 41001) TH_LOG("port %u", p1);
	EXPECT_NE(p0, p1);
	EXPECT_EQ(-EADDRINUSE, bind_fd(self->fds[2], "127.0.0.1", 0));
	/* Ephemeral ports are never shared, SO_REUSEADDR or not. */
	ASSERT_EQ(0, xtcp_set_reuseaddr(self->fds[3]));
	EXPECT_EQ(-EADDRINUSE, bind_fd(self->fds[3], "127.0.0.1", 0));
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

	ASSERT_EQ(0, bind_fd(self->fds[0], "127.0.0.1", PORT));
	ASSERT_EQ(0, listen(self->fds[0], 5));
	ASSERT_EQ(0, getsockopt(self->fds[0], SOL_SOCKET, SO_ACCEPTCONN, &val, &len));
	EXPECT_EQ(1, val);

	ASSERT_EQ(1, xtcp_proc_find(variant->proc, PORT, &ps));
	EXPECT_EQ(0x0100007F, ps.laddr);
	EXPECT_EQ(0, ps.raddr);
	EXPECT_EQ(0, ps.rport);
	EXPECT_EQ(0x0A, ps.state);
	EXPECT_EQ(0, ps.tx_queue);
	EXPECT_EQ(0, ps.rx_queue);
	EXPECT_EQ(xtcp_sock_ino(self->fds[0]), ps.inode);
	EXPECT_EQ(XTCP_PROC_LINE_LEN, ps.line_len);

	close(self->fds[0]);
	self->fds[0] = -1;
	EXPECT_EQ(0, xtcp_proc_find(variant->proc, PORT, &ps));
}

TEST_F(sock, listen_again_and_stop)
{
	struct xtcp_proc_sock ps;

	ASSERT_EQ(0, bind_fd(self->fds[0], "127.0.0.1", PORT));
	ASSERT_EQ(0, listen(self->fds[0], 5));
	/* listen() on a listener only changes the backlog. */
	ASSERT_EQ(0, listen(self->fds[0], 10));
	/* shutdown(SHUT_RD) stops listening; the bound port stays. */
	ASSERT_EQ(0, shutdown(self->fds[0], SHUT_RD));
	if (xtcp_proc_find(variant->proc, PORT, &ps) == 1)
		EXPECT_NE(0x0A, ps.state);
	EXPECT_EQ(-EADDRINUSE, bind_fd(self->fds[1], "127.0.0.1", PORT));
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

	ASSERT_EQ(0, xtcp_first_line("/proc/net/tcp", tcp, sizeof(tcp)));
	ASSERT_EQ(0, xtcp_first_line(variant->proc, mine, sizeof(mine)));
	EXPECT_STREQ(tcp, mine);
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
