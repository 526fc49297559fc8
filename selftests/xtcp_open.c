// SPDX-License-Identifier: GPL-2.0
/*
 * Opening and closing over a link with netem (xtcp_link.h): SYN
 * retransmission towards a black hole and SO_SNDTIMEO, simultaneous
 * open, simultaneous close, a FIN sent again until acknowledged,
 * SYN-ACKs sent again and the request dropped, and ICMP "protocol
 * unreachable" from a host without xtcp.
 */
#include "kselftest_harness.h"
#include "xtcp_ns.h"

/*
 * Over IPv6 (link.xtcp6, linkx.xtcp6): the SYN's and the SYN-ACK's
 * retransmission, simultaneous open and close, and ICMPv6's "unknown
 * next header" for ICMP's "protocol unreachable".  A FIN sent again
 * is the retransmission timer's, whose family only the SYN's test
 * shows: not run again, for CI's time.
 */
static const struct link6_skip link6_skips[] = {
	{ "fin_retransmitted",
	  "family-independent retransmission timer, as link.xtcp (CI time)" },
	{ NULL, NULL }
};

#define XTCP_LINK6_SKIPS	link6_skips
#define XTCP_LINKX6_TESTS						\
	"synack_retransmitted_then_dropped", "protocol_unreachable",

#include "xtcp_link.h"

TEST_F_TIMEOUT(link, syn_to_black_hole, 60)
{
	struct sockaddr_storage dst;
	socklen_t len = xtcp_sockaddr(self->addr_b, PORT_B, &dst);
	long long t0, took;
	int fd;

	ASSERT_EQ(0, black_hole_af(self->a, self->b, self->family));
	ASSERT_EQ(0, enter_ns(self->a));
	ASSERT_EQ(0, xtcp_write_str(variant->syn_retries, "2"));
	fd = socket(self->family, SOCK_STREAM, variant->proto);
	ASSERT_LE(0, fd);
	t0 = xtcp_now_ms();
	EXPECT_EQ(-1, connect(fd, (struct sockaddr *)&dst, len));
	EXPECT_EQ(ETIMEDOUT, errno);
	took = xtcp_now_ms() - t0;
	TH_LOG("connect() gave up after %lld ms", took);
	EXPECT_LE(7000 - 100, took);
	EXPECT_GE(7000 + 3000, took);
	if (variant->proto == IPPROTO_XTCP) {
		EXPECT_EQ(3, xtcp_counter("OutSegs"));
		EXPECT_EQ(2, xtcp_counter("RetransSegs"));
		EXPECT_EQ(1, xtcp_counter("AttemptFails"));
	}
	close(fd);
}

/* SO_SNDTIMEO bounds a blocking connect(): EINPROGRESS, as on Linux. */
TEST_F_TIMEOUT(link, connect_sndtimeo, 60)
{
	struct timeval tv = { .tv_sec = 1, .tv_usec = 500000 };
	struct sockaddr_storage dst;
	socklen_t len = xtcp_sockaddr(self->addr_b, PORT_B, &dst);
	long long t0, took;
	int fd;

	ASSERT_EQ(0, black_hole_af(self->a, self->b, self->family));
	ASSERT_EQ(0, enter_ns(self->a));
	fd = socket(self->family, SOCK_STREAM, variant->proto);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)));
	t0 = xtcp_now_ms();
	EXPECT_EQ(-1, connect(fd, (struct sockaddr *)&dst, len));
	EXPECT_EQ(EINPROGRESS, errno);
	took = xtcp_now_ms() - t0;
	EXPECT_LE(1400, took);
	EXPECT_GE(3000, took);
	close(fd);
}

/* b's half of a simultaneous open: connect to a at the signal. */
static int open_b(void *arg)
{
	struct side *s = arg;
	char c;
	int fd;

	fd = bound_socket(s->proto, side_addr_b(s), PORT_B, true);
	if (fd < 0 || read(s->go, &c, 1) != 1)
		return 1;
	if (connect_wait(fd, side_addr_a(s), PORT_A))
		return 2;
	if (send(fd, "b", 1, 0) != 1)
		return 3;
	return 0;
}

TEST_F(link, simultaneous_open)
{
	struct side s = { .proto = variant->proto, .family = self->family,
			  .proc = variant->proc };
	int go[2], fd;
	pid_t pid;
	char c;

	/* No listener anywhere: only a simultaneous open can connect. */
	ASSERT_EQ(0, pipe(go));
	s.go = go[0];
	pid = spawn_in(self->b, open_b, &s);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, enter_ns(self->a));
	fd = bound_socket(variant->proto, self->addr_a, PORT_A, true);
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, write(go[1], "g", 1));
	EXPECT_EQ(0, connect_wait(fd, self->addr_b, PORT_B));
	EXPECT_EQ(0x01, xtcp_proc_state(variant->proc, PORT_A, PORT_B));
	EXPECT_EQ(0, child_status(pid));
	ASSERT_EQ(0, fcntl(fd, F_SETFL, 0));
	EXPECT_EQ(1, recv(fd, &c, 1, 0));
	EXPECT_EQ('b', c);
	close(fd);
}

/* b's half of a simultaneous close: accept, then shut down at the signal. */
static int close_b(void *arg)
{
	struct side *s = arg;
	int fd;
	char c;

	fd = accept_then_wait(s);
	if (fd < 0)
		return -fd;
	if (shutdown(fd, SHUT_WR) || recv(fd, &c, 1, 0) != 0)
		return 3;
	close(fd);
	/* Both ends saw the other's FIN before their own was acked. */
	if (xtcp_wait_state(s->proc, PORT_B, PORT_A, 0x06) != 0x06)
		return 4;
	return 0;
}

TEST_F(link, simultaneous_close)
{
	struct side s = { .proto = variant->proto, .family = self->family,
			  .proc = variant->proc };
	int go[2], ready[2], fd;
	pid_t pid;
	char c;

	/* A long delay: the two FINs must cross however slowly the two
	 * processes are scheduled.
	 */
	ASSERT_EQ(0, set_delay(self->a, self->b, 400));
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(ready));
	s.go = go[0];
	s.ready = ready[1];
	pid = spawn_in(self->b, close_b, &s);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, enter_ns(self->a));
	fd = -1;
	for (int i = 0; i < 50 && fd < 0; i++) {
		fd = bound_socket(variant->proto, self->addr_a, PORT_A, false);
		if (fd >= 0 && connect_wait(fd, self->addr_b, PORT_B)) {
			close(fd);
			fd = -1;
			usleep(100000);
		}
	}
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, read(ready[0], &c, 1));
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(0, shutdown(fd, SHUT_WR));
	EXPECT_EQ(0, recv(fd, &c, 1, 0));
	close(fd);
	/* Both sides end in TIME_WAIT: each was an active closer. */
	EXPECT_EQ(0x06, xtcp_wait_state(variant->proc, PORT_A, PORT_B, 0x06));
	EXPECT_EQ(0, child_status(pid));
}

/* A FIN is sent again until it is acknowledged. */
TEST_F_TIMEOUT(link, fin_retransmitted, 60)
{
	struct side s = { .proto = variant->proto, .family = self->family,
			  .proc = variant->proc };
	int go[2], ready[2], fd;
	long long t_end;
	pid_t pid;

	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(ready));
	s.go = go[0];
	s.ready = ready[1];
	ASSERT_EQ(0, enter_ns(self->a));
	fd = connect_to_child(self->b, variant->proto, &s, hold_b, &pid,
			      ready[0]);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, black_hole_af(self->a, self->b, self->family));
	ASSERT_EQ(0, shutdown(fd, SHUT_WR));
	/* 3.5 s, and for xtcp until the FIN went twice more: the RTO
	 * measured over this link (with ARP, 400 ms) is above 1 s.
	 */
	t_end = xtcp_now_ms() + 3500;
	while (xtcp_now_ms() < t_end ||
	       (variant->proto == IPPROTO_XTCP &&
		xtcp_counter("RetransSegs") < 2 &&
		xtcp_now_ms() < t_end + 6000))
		usleep(20000);
	/* Still waiting for the FIN to be acknowledged... */
	EXPECT_EQ(0x04, xtcp_proc_state(variant->proc, PORT_A, PORT_B));
	if (variant->proto == IPPROTO_XTCP)
		EXPECT_LE(2, xtcp_counter("RetransSegs"));
	/* ...until the path heals and a retransmission gets through. */
	ASSERT_EQ(0, heal(self->a));
	/* The next retransmission, backed off, may be 5 s away or more. */
	t_end = xtcp_now_ms() + 15000;
	while (xtcp_proc_state(variant->proc, PORT_A, PORT_B) != 0x05 &&
	       xtcp_now_ms() < t_end)
		usleep(20000);
	EXPECT_EQ(0x05, xtcp_proc_state(variant->proc, PORT_A, PORT_B));
	ASSERT_EQ(1, write(go[1], "g", 1));
	EXPECT_EQ(0, child_status(pid));
	close(fd);
}

static int listen_b(void *arg)
{
	struct side *s = arg;
	int lfd;
	char c;

	if (xtcp_write_str("/proc/sys/net/xtcp/synack_retries", "2"))
		return 1;
	lfd = bound_socket(s->proto, side_addr_b(s), PORT_B, false);
	if (lfd < 0 || listen(lfd, 1))
		return 2;
	if (write(s->ready, "r", 1) != 1 || read(s->go, &c, 1) != 1)
		return 3;
	/* The SYN-ACK was sent 3 times: 2 of them again. */
	return xtcp_counter("RetransSegs") == 2 ? 0 : 4;
}

/*
 * SYN-ACKs lost on the way back: the listener sends them again after 1
 * and 2 more seconds (synack_retries = 2), then forgets the request.
 */
TEST_F_TIMEOUT(linkx, synack_retransmitted_then_dropped, 60)
{
	struct side s = { .proto = IPPROTO_XTCP, .family = self->family };
	char path[64], c;
	int go[2], ready[2], fd, st;
	pid_t pid;

	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(ready));
	s.go = go[0];
	s.ready = ready[1];
	ASSERT_EQ(0, black_hole_to(self->b, self->a, self->addr_a));
	pid = spawn_in(self->b, listen_b, &s);
	ASSERT_LT(0, pid);
	ASSERT_EQ(1, read(ready[0], &c, 1));
	ASSERT_EQ(0, enter_ns(self->a));
	ASSERT_EQ(0, xtcp_write_str("/proc/sys/net/xtcp/syn_retries", "1"));
	fd = bound_socket(IPPROTO_XTCP, self->addr_a, PORT_A, true);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-ETIMEDOUT, connect_wait(fd, self->addr_b, PORT_B));

	/* b, seen from here through its /proc: */
	snprintf(path, sizeof(path), "/proc/%d/net/xtcp%s", pid,
		 self->family == AF_INET6 ? "6" : "");
	st = xtcp_proc_state(path, PORT_B, PORT_A);
	EXPECT_EQ(0x03, st);	/* SYN_RECV, at about 3 s */
	EXPECT_EQ(-1, xtcp_wait_state(path, PORT_B, PORT_A, -1));
	ASSERT_EQ(1, write(go[1], "g", 1));
	EXPECT_EQ(0, child_status(pid));
	close(fd);
}

/*
 * A namespace with xtcp turned off answers as a host without it does:
 * ICMP "protocol unreachable" (ICMPv6 "parameter problem, unknown next
 * header" over IPv6), which ends connect() with ECONNREFUSED at once,
 * before any SYN is sent again.
 */
TEST_F_TIMEOUT(linkx, protocol_unreachable, 60)
{
	long long t0, took;
	int fd;

	ASSERT_EQ(0, ns_sh(self->b, "echo 0 > /proc/sys/net/xtcp/enabled"));
	ASSERT_EQ(0, enter_ns(self->a));
	fd = bound_socket(IPPROTO_XTCP, self->addr_a, PORT_A, true);
	ASSERT_LE(0, fd);
	t0 = xtcp_now_ms();
	EXPECT_EQ(-ECONNREFUSED, connect_wait(fd, self->addr_b, PORT_B));
	took = xtcp_now_ms() - t0;
	EXPECT_GT(1000, took);
	EXPECT_EQ(1, xtcp_counter("OutSegs"));
	EXPECT_EQ(0, xtcp_counter("RetransSegs"));
	EXPECT_EQ(1, xtcp_counter("AttemptFails"));
	close(fd);

	ASSERT_EQ(0, enter_ns(self->b));
	EXPECT_EQ(-1, socket(self->family, SOCK_STREAM, IPPROTO_XTCP));
	EXPECT_EQ(EPROTONOSUPPORT, errno);
}

TEST_HARNESS_MAIN
