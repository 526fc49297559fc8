// SPDX-License-Identifier: GPL-2.0
/*
 * Two hosts: network namespaces "a" (198.18.0.1) and "b" (198.18.0.2)
 * joined by a veth pair, with netem on the link.  Cases that need a
 * real delay or a lossy path: SYN retransmission towards a black hole,
 * simultaneous open, simultaneous close, Nagle's rule, the RTO backoff
 * and TCP_USER_TIMEOUT, keepalive, zero-window probes towards a slow
 * reader, the send buffer limit.  Then a routed path, a -- r -- b, for
 * the ICMP errors a router sends.
 *
 * Every test runs over Linux TCP and over xtcp with the same
 * expectations.
 */
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>

#include "xtcp_ns.h"
#include "xtcp_peer.h"
#include "xtcp_raw.h"
#include "kselftest_harness.h"

FIXTURE(link) {
	char a[32], b[32];
};

FIXTURE_VARIANT(link) {
	int proto;
	const char *proc;
	const char *syn_retries;
	const char *retries2;
};

FIXTURE_VARIANT_ADD(link, tcp) {
	.proto = IPPROTO_TCP,
	.proc = "/proc/net/tcp",
	.syn_retries = "/proc/sys/net/ipv4/tcp_syn_retries",
	.retries2 = "/proc/sys/net/ipv4/tcp_retries2",
};

FIXTURE_VARIANT_ADD(link, xtcp) {
	.proto = IPPROTO_XTCP,
	.proc = "/proc/net/xtcp",
	.syn_retries = "/proc/sys/net/xtcp/syn_retries",
	.retries2 = "/proc/sys/net/xtcp/retries2",
};

FIXTURE_SETUP(link)
{
	XTCP_SKIP_TCP_VARIANT(variant->proto);
	ASSERT_EQ(0, hosts_up(self->a, self->b, sizeof(self->a)));
}

FIXTURE_TEARDOWN(link)
{
	hosts_down(self->a, self->b);
}

/* Change the netem delay of both ends. */
static int set_delay(const char *a, const char *b, int ms)
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
static int black_hole_to(const char *a, const char *b, const char *b_addr)
{
	const char *a_addr = strcmp(b_addr, ADDR_B) ? ADDR_B : ADDR_A;

	if (static_neigh(a, b, b_addr) || static_neigh(b, a, a_addr))
		return -1;
	return ns_sh(a, TC " qdisc change dev veth0 root netem loss 100%");
}

static int black_hole(const char *a, const char *b)
{
	return black_hole_to(a, b, ADDR_B);
}

static int heal(const char *a)
{
	return ns_sh(a, TC " qdisc change dev veth0 root netem delay 100ms");
}

TEST_F_TIMEOUT(link, syn_to_black_hole, 60)
{
	struct sockaddr_in dst = xtcp_addr(ADDR_B, PORT_B);
	long long t0, took;
	int fd;

	ASSERT_EQ(0, black_hole(self->a, self->b));
	ASSERT_EQ(0, enter_ns(self->a));
	ASSERT_EQ(0, xtcp_write_str(variant->syn_retries, "2"));
	fd = socket(AF_INET, SOCK_STREAM, variant->proto);
	ASSERT_LE(0, fd);
	t0 = xtcp_now_ms();
	EXPECT_EQ(-1, connect(fd, (struct sockaddr *)&dst, sizeof(dst)));
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
	struct sockaddr_in dst = xtcp_addr(ADDR_B, PORT_B);
	long long t0, took;
	int fd;

	ASSERT_EQ(0, black_hole(self->a, self->b));
	ASSERT_EQ(0, enter_ns(self->a));
	fd = socket(AF_INET, SOCK_STREAM, variant->proto);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)));
	t0 = xtcp_now_ms();
	EXPECT_EQ(-1, connect(fd, (struct sockaddr *)&dst, sizeof(dst)));
	EXPECT_EQ(EINPROGRESS, errno);
	took = xtcp_now_ms() - t0;
	EXPECT_LE(1400, took);
	EXPECT_GE(3000, took);
	close(fd);
}

struct side {
	int proto;
	const char *proc;
	int go;		/* read end of the start pipe */
	int ready;	/* write end of the "accepted" pipe */
	unsigned int len;	/* bytes a sink expects */
	const char *addr;	/* b's address, when not ADDR_B */
};

/* b's half of a simultaneous open: connect to a at the signal. */
static int open_b(void *arg)
{
	struct side *s = arg;
	char c;
	int fd;

	fd = bound_socket(s->proto, ADDR_B, PORT_B, true);
	if (fd < 0 || read(s->go, &c, 1) != 1)
		return 1;
	if (connect_wait(fd, ADDR_A, PORT_A))
		return 2;
	if (send(fd, "b", 1, 0) != 1)
		return 3;
	return 0;
}

TEST_F(link, simultaneous_open)
{
	struct side s = { .proto = variant->proto, .proc = variant->proc };
	int go[2], fd;
	pid_t pid;
	char c;

	/* No listener anywhere: only a simultaneous open can connect. */
	ASSERT_EQ(0, pipe(go));
	s.go = go[0];
	pid = spawn_in(self->b, open_b, &s);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, enter_ns(self->a));
	fd = bound_socket(variant->proto, ADDR_A, PORT_A, true);
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, write(go[1], "g", 1));
	EXPECT_EQ(0, connect_wait(fd, ADDR_B, PORT_B));
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
	int lfd, fd;
	char c;

	lfd = bound_socket(s->proto, ADDR_B, PORT_B, false);
	if (lfd < 0 || listen(lfd, 1))
		return 1;
	fd = accept(lfd, NULL, NULL);
	if (fd < 0 || write(s->ready, "r", 1) != 1 || read(s->go, &c, 1) != 1)
		return 2;
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
	struct side s = { .proto = variant->proto, .proc = variant->proc };
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
		fd = bound_socket(variant->proto, ADDR_A, PORT_A, false);
		if (fd >= 0 && connect_wait(fd, ADDR_B, PORT_B)) {
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

/* b's side of the FIN test: accept, then hold until told to go. */
static int hold_b(void *arg)
{
	struct side *s = arg;
	int lfd, fd;
	char c;

	lfd = bound_socket(s->proto, ADDR_B, PORT_B, false);
	if (lfd < 0 || listen(lfd, 1))
		return 1;
	fd = accept(lfd, NULL, NULL);
	if (fd < 0 || write(s->ready, "r", 1) != 1 || read(s->go, &c, 1) != 1)
		return 2;
	close(fd);
	return 0;
}

/* Connect a to b's listener run by @fn in a child; the socket or -1. */
static int connect_to_child(const char *b, int proto, struct side *s,
			    int (*fn)(void *), pid_t *pid, int ready)
{
	int fd = -1, i;
	char c;

	*pid = spawn_in(b, fn, s);
	for (i = 0; i < 50 && fd < 0; i++) {
		fd = bound_socket(proto, ADDR_A, PORT_A, false);
		if (fd >= 0 && connect_wait(fd, s->addr ? : ADDR_B, PORT_B)) {
			close(fd);
			fd = -1;
			usleep(100000);
		}
	}
	if (fd >= 0 && read(ready, &c, 1) != 1) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* A FIN is sent again until it is acknowledged. */
TEST_F_TIMEOUT(link, fin_retransmitted, 60)
{
	struct side s = { .proto = variant->proto, .proc = variant->proc };
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
	ASSERT_EQ(0, black_hole(self->a, self->b));
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

/* Byte @i of what a sender sends and a sink checks. */
static char pattern(unsigned int i)
{
	return (char)(i * 7 % 253);
}

/* Read @fd to its end: 0 if it brought exactly @len bytes of pattern(). */
static int check_pattern(int fd, unsigned int len)
{
	unsigned int got = 0, i;
	char buf[4096];
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) {
		for (i = 0; i < n; i++)
			if (buf[i] != pattern(got + i))
				return 3;
		got += n;
	}
	return got == len ? 0 : 4;
}

/* b's side of the transfer tests: read s->len bytes and check each. */
static int sink_b(void *arg)
{
	struct side *s = arg;
	int lfd, fd;

	lfd = bound_socket(s->proto, s->addr ? : ADDR_B, PORT_B, false);
	if (lfd < 0 || listen(lfd, 1))
		return 1;
	fd = accept(lfd, NULL, NULL);
	if (fd < 0 || write(s->ready, "r", 1) != 1)
		return 2;
	return check_pattern(fd, s->len);
}

/* Send @len bytes of pattern() on @fd in writes of @size; 0 or -1. */
static int send_chunks(int fd, unsigned int len, unsigned int size)
{
	unsigned int sent = 0, i, chunk;
	char buf[4096];
	ssize_t n;

	while (sent < len) {
		chunk = len - sent < size ? len - sent : size;
		for (i = 0; i < chunk; i++)
			buf[i] = pattern(sent + i);
		n = send(fd, buf, chunk, MSG_NOSIGNAL);
		if (n <= 0)
			break;
		sent += n;
	}
	return sent == len ? 0 : -1;
}

/* Send @len bytes of pattern() on @fd, then close it; 0 or -1. */
static int send_pattern(int fd, unsigned int len)
{
	int err = send_chunks(fd, len, 4096);

	close(fd);
	return err;
}

/*
 * From namespace @a, send @s->len bytes of pattern() to sink_b() in @b,
 * which checks them.  0 when every byte arrived in order; else -1 (set
 * up), -2 (connect), -3 (send) or the sink's status.
 */
static int pattern_to_sink_b(const char *a, const char *b, struct side *s)
{
	int ready[2], fd, err;
	pid_t pid;

	if (pipe(ready))
		return -1;
	s->ready = ready[1];
	if (enter_ns(a))
		return -1;
	fd = connect_to_child(b, s->proto, s, sink_b, &pid, ready[0]);
	if (fd < 0)
		return -2;
	err = send_pattern(fd, s->len);
	return err ? -3 : child_status(pid);
}

/*
 * Over a 1000-byte MTU (DF set, as always), segments larger than the
 * peer's MSS would never arrive: 100 KB getting through shows they fit.
 */
TEST_F_TIMEOUT(link, mss_follows_mtu, 60)
{
	struct side s = { .proto = variant->proto, .proc = variant->proc,
			  .len = 100000 };

	ASSERT_EQ(0, ns_sh(self->a, IP " link set veth0 mtu 1000"));
	ASSERT_EQ(0, ns_sh(self->b, IP " link set veth0 mtu 1000"));
	EXPECT_EQ(0, pattern_to_sink_b(self->a, self->b, &s));
}

/*
 * 5% loss both ways: every byte arrives once and in order, lost segments
 * (and lost ACKs) made good by retransmission.
 */
TEST_F_TIMEOUT(link, lossy_link_transfer, 120)
{
	struct side s = { .proto = variant->proto, .proc = variant->proc,
			  .len = 50000 };

	ASSERT_EQ(0, ns_sh(self->a, TC " qdisc change dev veth0 root netem delay 10ms loss 5%"));
	ASSERT_EQ(0, ns_sh(self->b, TC " qdisc change dev veth0 root netem delay 10ms loss 5%"));
	ASSERT_EQ(0, static_neigh(self->a, self->b, ADDR_B));
	ASSERT_EQ(0, static_neigh(self->b, self->a, ADDR_A));
	EXPECT_EQ(0, pattern_to_sink_b(self->a, self->b, &s));
	if (variant->proto == IPPROTO_XTCP)
		TH_LOG("%ld segments sent again", xtcp_counter("RetransSegs"));
}

/* From here, xtcp only: its sysctls and counters. */
FIXTURE(linkx) {
	char a[32], b[32];
};

FIXTURE_SETUP(linkx)
{
	ASSERT_EQ(0, hosts_up(self->a, self->b, sizeof(self->a)));
}

FIXTURE_TEARDOWN(linkx)
{
	hosts_down(self->a, self->b);
}

static int listen_b(void *arg)
{
	struct side *s = arg;
	int lfd;
	char c;

	if (xtcp_write_str("/proc/sys/net/xtcp/synack_retries", "2"))
		return 1;
	lfd = bound_socket(s->proto, ADDR_B, PORT_B, false);
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
	struct side s = { .proto = IPPROTO_XTCP, .proc = "/proc/net/xtcp" };
	char path[64], c;
	int go[2], ready[2], fd, st;
	pid_t pid;

	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(ready));
	s.go = go[0];
	s.ready = ready[1];
	ASSERT_EQ(0, black_hole_to(self->b, self->a, ADDR_A));
	pid = spawn_in(self->b, listen_b, &s);
	ASSERT_LT(0, pid);
	ASSERT_EQ(1, read(ready[0], &c, 1));
	ASSERT_EQ(0, enter_ns(self->a));
	ASSERT_EQ(0, xtcp_write_str("/proc/sys/net/xtcp/syn_retries", "1"));
	fd = bound_socket(IPPROTO_XTCP, ADDR_A, PORT_A, true);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-ETIMEDOUT, connect_wait(fd, ADDR_B, PORT_B));

	/* b, seen from here through its /proc: */
	snprintf(path, sizeof(path), "/proc/%d/net/xtcp", pid);
	st = xtcp_proc_state(path, PORT_B, PORT_A);
	EXPECT_EQ(0x03, st);	/* SYN_RECV, at about 3 s */
	EXPECT_EQ(-1, xtcp_wait_state(path, PORT_B, PORT_A, -1));
	ASSERT_EQ(1, write(go[1], "g", 1));
	EXPECT_EQ(0, child_status(pid));
	close(fd);
}

/* A connection from a to a child in b that holds it open until @go. */
struct held {
	int go[2], ready[2];
	pid_t pid;
	struct side s;
};

static int held_open(struct held *h, const char *b, int proto,
		     const char *proc)
{
	if (pipe(h->go) || pipe(h->ready))
		return -1;
	h->s = (struct side){ .proto = proto, .proc = proc,
			      .go = h->go[0], .ready = h->ready[1] };
	return connect_to_child(b, proto, &h->s, hold_b, &h->pid,
				h->ready[0]);
}

/*
 * Close @fd with a RST (SO_LINGER 0): a plain close() would leave an
 * orphan sending its data and FIN to a black hole or a hand-made peer
 * for many minutes, holding a reference on the module meanwhile.
 */
/*
 * End a held connection: heal the link from a (where the test runs), so
 * that a's RST reaches b, whose side would otherwise send its FIN into
 * the black hole for minutes once the child closes it.
 */
static int held_close(struct held *h, int fd)
{
	sh(TC " qdisc change dev veth0 root netem delay 10ms");
	xtcp_reset_close(fd);
	if (write(h->go[1], "g", 1) != 1)
		return -1;
	return child_status(h->pid);
}

static int tcp_info(int fd, struct tcp_info *ti)
{
	socklen_t len = sizeof(*ti);

	memset(ti, 0, sizeof(*ti));
	return getsockopt(fd, IPPROTO_TCP, TCP_INFO, ti, &len) ? -errno : 0;
}

/* Data segments a has sent (retransmissions left out); xtcp only. */
static long data_segs(void)
{
	return xtcp_counter("OutSegs") - xtcp_counter("RetransSegs");
}

/*
 * Nagle: while a byte is in flight (and stays so: the path is a black
 * hole), small writes wait and pile up in one segment; TCP_NODELAY then
 * sends them at once.
 */
TEST_F_TIMEOUT(link, nagle_holds_small_writes, 60)
{
	struct tcp_info ti;
	struct held h;
	long segs = 0;
	int fd, i, one = 1;

	ASSERT_EQ(0, enter_ns(self->a));
	fd = held_open(&h, self->b, variant->proto, variant->proc);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, black_hole(self->a, self->b));
	if (variant->proto == IPPROTO_XTCP)
		segs = data_segs();
	for (i = 0; i < 21; i++)
		ASSERT_EQ(1, write(fd, "n", 1));
	EXPECT_EQ(21, xtcp_ioctl_int(fd, SIOCOUTQ));
	EXPECT_EQ(20, xtcp_ioctl_int(fd, SIOCOUTQNSD));
	if (variant->proto == IPPROTO_XTCP)
		EXPECT_EQ(1, data_segs() - segs);
	/* Linux may not send once a timeout has cut its window to the
	 * byte in flight: check TCP_NODELAY's push only before that.
	 */
	ASSERT_EQ(0, tcp_info(fd, &ti));
	ASSERT_EQ(0, setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
				sizeof(one)));
	if (!ti.tcpi_backoff) {
		EXPECT_EQ(0, xtcp_ioctl_int(fd, SIOCOUTQNSD));
		if (variant->proto == IPPROTO_XTCP)
			EXPECT_EQ(2, data_segs() - segs);
	}
	EXPECT_EQ(21, xtcp_ioctl_int(fd, SIOCOUTQ));
	EXPECT_EQ(0, held_close(&h, fd));
}

/* Each timeout doubles the RTO, as TCP_INFO shows. */
TEST_F_TIMEOUT(link, rto_backoff, 60)
{
	struct tcp_info ti;
	long long deadline;
	unsigned int rto0;
	struct held h;
	int fd, seen = 0;

	ASSERT_EQ(0, enter_ns(self->a));
	fd = held_open(&h, self->b, variant->proto, variant->proc);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, tcp_info(fd, &ti));
	rto0 = ti.tcpi_rto;
	TH_LOG("rto %u rtt %u rttvar %u", ti.tcpi_rto, ti.tcpi_rtt,
	       ti.tcpi_rttvar);
	/* 200 ms of round trip measured: more than the minimum. */
	EXPECT_LE(200000, ti.tcpi_rtt);
	EXPECT_LT(400000, rto0);
	EXPECT_EQ(0, ti.tcpi_backoff);
	ASSERT_EQ(0, black_hole(self->a, self->b));
	ASSERT_EQ(1, write(fd, "r", 1));
	deadline = xtcp_now_ms() + 20000;
	while (seen < 2 && xtcp_now_ms() < deadline) {
		ASSERT_EQ(0, tcp_info(fd, &ti));
		if (ti.tcpi_backoff > seen) {
			seen = ti.tcpi_backoff;
			EXPECT_EQ(rto0 << seen, ti.tcpi_rto);
			EXPECT_EQ(seen, ti.tcpi_retransmits);
			/* Linux adds its tail loss probe. */
			EXPECT_LE(seen, ti.tcpi_total_retrans);
			if (variant->proto == IPPROTO_XTCP)
				EXPECT_EQ(seen, ti.tcpi_total_retrans);
			EXPECT_EQ(1, ti.tcpi_unacked);
		}
		usleep(10000);
	}
	EXPECT_EQ(2, seen);
	EXPECT_EQ(0, held_close(&h, fd));
}

/* TCP_USER_TIMEOUT aborts a connection whose data stays unacknowledged. */
TEST_F_TIMEOUT(link, user_timeout, 60)
{
	struct pollfd pfd = { .events = POLLIN };
	socklen_t len = sizeof(int);
	int fd, err = -1, ms = 1500;
	long long t0, took;
	struct held h;

	ASSERT_EQ(0, enter_ns(self->a));
	fd = held_open(&h, self->b, variant->proto, variant->proc);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ms,
				sizeof(ms)));
	ASSERT_EQ(0, black_hole(self->a, self->b));
	t0 = xtcp_now_ms();
	ASSERT_EQ(1, write(fd, "u", 1));
	pfd.fd = fd;
	ASSERT_EQ(1, poll(&pfd, 1, 15000));
	took = xtcp_now_ms() - t0;
	TH_LOG("aborted after %lld ms", took);
	EXPECT_TRUE(pfd.revents & POLLERR);
	ASSERT_EQ(0, getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len));
	EXPECT_EQ(ETIMEDOUT, err);
	EXPECT_LE(ms - 50, took);
	/* Linux ends on an RTO expiry after the timeout, xtcp on time. */
	EXPECT_GE(ms + 3000, took);
	if (variant->proto == IPPROTO_XTCP)
		EXPECT_GE(ms + 500, took);
	EXPECT_EQ(0, held_close(&h, fd));
}

/* Value of Linux TCP's counter @name in /proc/net/netstat, or -1. */
static long tcpext_counter(const char *name)
{
	return xtcp_mib_counter("/proc/net/netstat", "TcpExt:", name);
}

/* A counter of the current namespace: xtcp's @xname or TCP's @tname. */
static long proto_counter(int proto, const char *xname, const char *tname)
{
	return proto == IPPROTO_XTCP ? xtcp_counter(xname) :
				       tcpext_counter(tname);
}

/* Wait until proto_counter() reaches @min; its last value. */
static long wait_counter(int proto, const char *xname, const char *tname,
			 long min, int ms)
{
	long long deadline = xtcp_now_ms() + ms;
	long v;

	while ((v = proto_counter(proto, xname, tname)) < min &&
	       xtcp_now_ms() < deadline)
		usleep(20000);
	return v;
}

/* Keepalive after 1 s idle, every 1 s, giving up after 2 probes. */
static int keepalive_on(int fd)
{
	return xtcp_set_int(fd, IPPROTO_TCP, TCP_KEEPIDLE, 1) ||
	       xtcp_set_int(fd, IPPROTO_TCP, TCP_KEEPINTVL, 1) ||
	       xtcp_set_int(fd, IPPROTO_TCP, TCP_KEEPCNT, 2) ||
	       xtcp_set_int(fd, SOL_SOCKET, SO_KEEPALIVE, 1);
}

/*
 * An idle connection with SO_KEEPALIVE whose peer answers stays up: more
 * probes go than TCP_KEEPCNT, each answered, and the connection works.
 */
TEST_F_TIMEOUT(link, keepalive_answered, 60)
{
	socklen_t len = sizeof(int);
	int fd, err = -1;
	struct held h;
	long probes;

	ASSERT_EQ(0, enter_ns(self->a));
	fd = held_open(&h, self->b, variant->proto, variant->proc);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, keepalive_on(fd));
	probes = wait_counter(variant->proto, "KeepAliveProbes",
			      "TCPKeepAlive", 3, 20000);
	TH_LOG("%ld keepalive probes", probes);
	EXPECT_LE(3, probes);
	ASSERT_EQ(0, getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len));
	EXPECT_EQ(0, err);
	EXPECT_EQ(0x01, xtcp_proc_state(variant->proc, PORT_A, PORT_B));
	ASSERT_EQ(1, write(fd, "k", 1));
	EXPECT_EQ(0, xtcp_wait_outq_empty(fd, 10000));
	if (variant->proto == IPPROTO_XTCP) {
		EXPECT_EQ(0, xtcp_counter("KeepAliveTimeouts"));
		EXPECT_EQ(0, xtcp_counter("RetransSegs"));
	}
	EXPECT_EQ(0, held_close(&h, fd));
}

/*
 * Keepalive towards a black hole: probes at 1 and 2 s, none answered,
 * and at 3 s the connection ends with ETIMEDOUT.
 */
TEST_F_TIMEOUT(link, keepalive_black_hole, 60)
{
	struct pollfd pfd = { .events = POLLIN };
	socklen_t len = sizeof(int);
	long long t0, took;
	int fd, err = -1;
	struct held h;

	ASSERT_EQ(0, enter_ns(self->a));
	fd = held_open(&h, self->b, variant->proto, variant->proc);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, black_hole(self->a, self->b));
	t0 = xtcp_now_ms();
	ASSERT_EQ(0, keepalive_on(fd));
	pfd.fd = fd;
	ASSERT_EQ(1, poll(&pfd, 1, 20000));
	took = xtcp_now_ms() - t0;
	TH_LOG("keepalive gave up after %lld ms", took);
	EXPECT_TRUE(pfd.revents & POLLERR);
	ASSERT_EQ(0, getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len));
	EXPECT_EQ(ETIMEDOUT, err);
	EXPECT_LE(3000 - 100, took);
	EXPECT_GE(3000 + 4000, took);
	EXPECT_EQ(2, proto_counter(variant->proto, "KeepAliveProbes",
				   "TCPKeepAlive"));
	if (variant->proto == IPPROTO_XTCP)
		EXPECT_EQ(1, xtcp_counter("KeepAliveTimeouts"));
	EXPECT_EQ(0, held_close(&h, fd));
}

/*
 * b's side of the slow reader: a small receive buffer, nothing read until
 * told, then everything to the end, every byte checked.
 */
static int slow_b(void *arg)
{
	struct side *s = arg;
	int lfd, fd;
	char c;

	lfd = bound_socket(s->proto, ADDR_B, PORT_B, false);
	if (lfd < 0 || xtcp_set_int(lfd, SOL_SOCKET, SO_RCVBUF, 32768) ||
	    listen(lfd, 1))
		return 1;
	fd = accept(lfd, NULL, NULL);
	if (fd < 0 || write(s->ready, "r", 1) != 1 || read(s->go, &c, 1) != 1)
		return 2;
	return check_pattern(fd, s->len);
}

/*
 * A writer faster than its reader: 2 MB against a reader that reads
 * nothing until the sender has probed the closed window more times than
 * retries2 (2), every probe answered, without giving up; then reads it
 * all.  Every byte arrives, in order, and nothing is lost on the way
 * (xtcp: the receiver drops nothing, and no retransmission timeout
 * fires; probes carry no data and are not retransmissions).
 *
 * The writes are small, with TCP_NODELAY: a segment that leaves alone
 * takes a buffer of more than twice its size, and a receive buffer full
 * of them could not take the window offered from its free space; the
 * receiver copies them into compact buffers (Linux's tcp_collapse(),
 * xtcp's RcvCollapsed) rather than drop segments at the window's edge.
 * (Writes queued behind the closed window merge into full segments,
 * compact enough since queued data sits in page frags, so how many
 * buffers are collapsed depends on timing.)
 */
TEST_F_TIMEOUT(link, slow_reader, 120)
{
	struct side s = { .proto = variant->proto, .proc = variant->proc,
			  .len = 4000 * 500 };
	int go[2], ready[2], fd;
	pid_t pid, writer;
	long probes;

	ASSERT_EQ(0, set_delay(self->a, self->b, 10));
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(ready));
	s.go = go[0];
	s.ready = ready[1];
	ASSERT_EQ(0, enter_ns(self->a));
	ASSERT_EQ(0, xtcp_write_str(variant->retries2, "2"));
	fd = connect_to_child(self->b, variant->proto, &s, slow_b, &pid,
			      ready[0]);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xtcp_set_int(fd, SOL_SOCKET, SO_SNDBUF, 32768));
	ASSERT_EQ(0, xtcp_set_int(fd, IPPROTO_TCP, TCP_NODELAY, 1));
	writer = fork();
	if (!writer)
		_exit(send_chunks(fd, s.len, 500) ? 1 : 0);
	ASSERT_LT(0, writer);
	probes = wait_counter(variant->proto, "WinProbes", "TCPWinProbe", 4,
			      30000);
	TH_LOG("%ld window probes, %d bytes waiting", probes,
	       xtcp_ioctl_int(fd, SIOCOUTQ));
	EXPECT_LE(4, probes);
	EXPECT_EQ(0x01, xtcp_proc_state(variant->proc, PORT_A, PORT_B));
	EXPECT_LT(0, xtcp_ioctl_int(fd, SIOCOUTQ));
	ASSERT_EQ(1, write(go[1], "e", 1));
	EXPECT_EQ(0, child_status(writer));
	EXPECT_EQ(0, xtcp_wait_outq_empty(fd, 30000));
	if (variant->proto == IPPROTO_XTCP) {
		TH_LOG("a: %ld timeouts, %ld fast retransmits, %ld segments sent again",
		       xtcp_counter("Timeouts"), xtcp_counter("FastRetrans"),
		       xtcp_counter("RetransSegs"));
		EXPECT_EQ(0, xtcp_counter("Timeouts"));
		ASSERT_EQ(0, enter_ns(self->b));
		TH_LOG("b: %ld buffers collapsed, %ld+%ld segments dropped, %ld out of order",
		       xtcp_counter("RcvCollapsed"), xtcp_counter("RcvQDrop"),
		       xtcp_counter("OfoDrop"), xtcp_counter("OfoQueue"));
		EXPECT_EQ(0, xtcp_counter("RcvQDrop"));
		EXPECT_EQ(0, xtcp_counter("OfoDrop"));
	}
	close(fd);
	EXPECT_EQ(0, child_status(pid));
}

/* xtcp's memory in use, in pages, from /proc/net/xtcp_sockstat; or -1. */
static long xtcp_mem_pages(void)
{
	long inuse, orphan, tw, alloc, mem = -1;
	FILE *f;

	f = fopen("/proc/net/xtcp_sockstat", "r");
	if (!f)
		return -1;
	if (fscanf(f, "XTCP: inuse %ld orphan %ld tw %ld alloc %ld mem %ld",
		   &inuse, &orphan, &tw, &alloc, &mem) != 5)
		mem = -1;
	fclose(f);
	return mem;
}

/*
 * SO_SNDBUF bounds what waits in the send queue: towards a black hole, a
 * non-blocking send() fails with EAGAIN once it is full (xtcp: with at
 * most the buffer's worth of bytes queued; Linux lets its first, large,
 * skb exceed it).
 * xtcp charges the queue to its memory and gives it all back once the
 * data is acknowledged and the connection gone.  Connections of earlier
 * tests may still hold some (a FIN sent to a black hole), hence the
 * comparison with the amount before the test.
 */
TEST_F_TIMEOUT(link, sndbuf_full, 60)
{
	socklen_t len = sizeof(int);
	int fd, i, sndbuf = 0;
	long mem = 0, mem0;
	long long deadline;
	char buf[1000] = "";
	struct held h;

	ASSERT_EQ(0, enter_ns(self->a));
	mem0 = xtcp_mem_pages();
	fd = held_open(&h, self->b, variant->proto, variant->proc);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xtcp_set_int(fd, SOL_SOCKET, SO_SNDBUF, 4096));
	ASSERT_EQ(0, getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &len));
	ASSERT_EQ(0, black_hole(self->a, self->b));
	for (i = 0; i < 1000; i++)
		if (send(fd, buf, sizeof(buf), MSG_DONTWAIT) < 0)
			break;
	EXPECT_EQ(EAGAIN, errno);
	TH_LOG("%d sends, %d bytes queued, SO_SNDBUF %d", i,
	       xtcp_ioctl_int(fd, SIOCOUTQ), sndbuf);
	EXPECT_LT(0, xtcp_ioctl_int(fd, SIOCOUTQ));
	if (variant->proto == IPPROTO_XTCP) {
		EXPECT_GE(sndbuf, xtcp_ioctl_int(fd, SIOCOUTQ));
		EXPECT_LT(xtcp_ioctl_int(fd, SIOCOUTQ),
			  xtcp_meminfo(fd, SK_MEMINFO_WMEM_QUEUED));
		EXPECT_LT(0, xtcp_mem_pages());
	}
	ASSERT_EQ(0, heal(self->a));
	EXPECT_EQ(0, xtcp_wait_outq_empty(fd, 20000));
	if (variant->proto == IPPROTO_XTCP) {
		EXPECT_EQ(0, xtcp_meminfo(fd, SK_MEMINFO_WMEM_QUEUED));
		EXPECT_EQ(0, xtcp_meminfo(fd, SK_MEMINFO_FWD_ALLOC));
	}
	EXPECT_EQ(0, held_close(&h, fd));
	if (variant->proto != IPPROTO_XTCP)
		return;
	deadline = xtcp_now_ms() + 10000;
	while ((mem = xtcp_mem_pages()) > mem0 && xtcp_now_ms() < deadline)
		usleep(20000);
	TH_LOG("%ld pages charged before, %ld after", mem0, mem);
	EXPECT_GE(mem0, mem);
}

/*
 * Queued data costs little more than its bytes: 64 KiB writes sit in a
 * few skbs of many segments each (xtcp_size_goal()), as with TCP, not in
 * one skb per segment with a head of its own, which would double the
 * memory a send buffer of 1460-byte segments takes.
 */
TEST_F_TIMEOUT(link, queue_overhead, 60)
{
	static char buf[65536];
	int fd, i, queued;
	struct held h;
	long charged;

	ASSERT_EQ(0, enter_ns(self->a));
	fd = held_open(&h, self->b, variant->proto, variant->proc);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xtcp_set_int(fd, SOL_SOCKET, SO_SNDBUF, 262144));
	ASSERT_EQ(0, black_hole(self->a, self->b));
	for (i = 0; i < 100; i++)
		if (send(fd, buf, sizeof(buf), MSG_DONTWAIT) < 0)
			break;
	EXPECT_EQ(EAGAIN, errno);
	queued = xtcp_ioctl_int(fd, SIOCOUTQ);
	charged = xtcp_meminfo(fd, SK_MEMINFO_WMEM_QUEUED);
	TH_LOG("%d bytes queued in skbs of %ld bytes", queued, charged);
	EXPECT_LT(262144, queued);
	EXPECT_LT(charged - queued, queued / 8);
	EXPECT_EQ(0, held_close(&h, fd));
}

/* A packet socket on b's veth0 that reports each packet's status. */
static int capture_b(const char *b)
{
	struct sockaddr_ll ll = { .sll_family = AF_PACKET,
				  .sll_protocol = htons(ETH_P_IP) };
	int fd, one = 1;

	if (enter_ns(b))
		return -1;
	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK, htons(ETH_P_IP));
	ll.sll_ifindex = if_nametoindex("veth0");
	if (fd < 0 || !ll.sll_ifindex ||
	    bind(fd, (struct sockaddr *)&ll, sizeof(ll)) ||
	    setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)))
		return -1;
	return fd;
}

/*
 * The next xtcp segment from @sport with payload on the capture @fd:
 * copies it (IP header first) to @pkt and returns its length and the
 * packet's status in *@status; -1 when none came within 3 s.
 */
static int captured_data(int fd, unsigned short sport, uint8_t *pkt,
			 size_t size, unsigned int *status)
{
	long long deadline = xtcp_now_ms() + 3000;
	char ctl[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
	struct iovec iov = { .iov_base = pkt, .iov_len = size };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct tpacket_auxdata aux;
	struct cmsghdr *c;
	unsigned int ihl;
	ssize_t n;

	while (xtcp_now_ms() < deadline) {
		m.msg_control = ctl;
		m.msg_controllen = sizeof(ctl);
		n = recvmsg(fd, &m, 0);
		if (n < 0) {
			usleep(10000);
			continue;
		}
		ihl = (pkt[0] & 0xf) * 4;
		if (n < ihl + XTCP_HDR_LEN || pkt[9] != IPPROTO_XTCP ||
		    (pkt[ihl] << 8 | pkt[ihl + 1]) != sport ||
		    n <= ihl + (pkt[ihl + 12] >> 4) * 4)
			continue;
		for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
			if (c->cmsg_level == SOL_PACKET &&
			    c->cmsg_type == PACKET_AUXDATA) {
				memcpy(&aux, CMSG_DATA(c), sizeof(aux));
				*status = aux.tp_status;
				return n;
			}
	}
	return -1;
}

/*
 * Send 1000 bytes from a port @sport of a to the listener @lfd of b and
 * check they arrive; then the segment that carried them, as captured
 * on b's veth0 by @cap, is copied to @pkt.  Its length or -1.
 */
static int send_captured(int lfd, int cap, unsigned short sport,
			 uint8_t *pkt, size_t size, unsigned int *status)
{
	char buf[1000] = { 0 }, got[1000];
	int fd, c, n = -1;

	fd = bound_socket(IPPROTO_XTCP, ADDR_A, sport, true);
	if (fd < 0 || connect_wait(fd, ADDR_B, PORT_B) ||
	    write(fd, buf, sizeof(buf)) != sizeof(buf))
		return -1;
	c = accept(lfd, NULL, NULL);
	if (c >= 0 && recv(c, got, sizeof(got), MSG_WAITALL) == sizeof(got) &&
	    !memcmp(buf, got, sizeof(got)))
		n = captured_data(cap, sport, pkt, size, status);
	if (c >= 0)
		close(c);
	xtcp_reset_close(fd);
	return n;
}

/* Whether the captured IP packet @pkt of @len bytes has a good checksum. */
static bool captured_csum_ok(const uint8_t *pkt, unsigned int len)
{
	static uint8_t seg[IP_MAXPACKET];
	unsigned int ihl = (pkt[0] & 0xf) * 4;
	uint32_t saddr, daddr;
	uint16_t sum;

	memcpy(&saddr, pkt + 12, 4);
	memcpy(&daddr, pkt + 16, 4);
	memcpy(seg, pkt + ihl, len - ihl);
	sum = seg[XTCP_CSUM_OFFSET] << 8 | seg[XTCP_CSUM_OFFSET + 1];
	seg[XTCP_CSUM_OFFSET] = 0;
	seg[XTCP_CSUM_OFFSET + 1] = 0;
	return sum == xtcp_seg_csum(saddr, daddr, IPPROTO_XTCP, seg,
				    len - ihl);
}

/*
 * veth offers generic checksum offload: xtcp leaves the checksum to it
 * (CHECKSUM_PARTIAL, which a packet socket sees as "checksum not
 * ready"), and b takes the segment.  Without the offload (turned off on
 * a's veth0), xtcp computes the checksum itself, and the captured
 * segment carries the right one.
 */
TEST_F_TIMEOUT(linkx, checksum_offload, 60)
{
	unsigned int status = 0;
	uint8_t pkt[2048];
	int cap, lfd, n;

	cap = capture_b(self->b);
	ASSERT_LE(0, cap);
	lfd = bound_socket(IPPROTO_XTCP, ADDR_B, PORT_B, false);
	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, listen(lfd, 4));
	ASSERT_EQ(0, enter_ns(self->a));

	n = send_captured(lfd, cap, PORT_A, pkt, sizeof(pkt), &status);
	ASSERT_LT(0, n);
	EXPECT_TRUE(status & TP_STATUS_CSUMNOTREADY);

	ASSERT_EQ(0, ethtool_off("veth0", ETHTOOL_STXCSUM));
	n = send_captured(lfd, cap, PORT_A + 10, pkt, sizeof(pkt), &status);
	ASSERT_LT(0, n);
	EXPECT_FALSE(status & TP_STATUS_CSUMNOTREADY);
	EXPECT_TRUE(captured_csum_ok(pkt, n));
	EXPECT_EQ(0, xtcp_counter("InCsumErrors"));
	ASSERT_EQ(0, enter_ns(self->b));
	EXPECT_EQ(0, xtcp_counter("InCsumErrors"));
	close(lfd);
	close(cap);
}

/* What the capture on b's veth0 saw of one xtcp connection's data. */
struct run_seen {
	long bytes;		/* payload */
	unsigned int largest;	/* IP packet */
	unsigned int checked;	/* segments whose checksum was filled in */
	unsigned int bad;	/* ... and wrong */
};

/* Drain @cap of the data segments from @sport, up to @want bytes. */
static struct run_seen captured_run(int cap, unsigned short sport, long want)
{
	static uint8_t pkt[IP_MAXPACKET];
	struct run_seen seen = { 0 };
	unsigned int status, ihl, len;

	while (seen.bytes < want &&
	       captured_data(cap, sport, pkt, sizeof(pkt), &status) > 0) {
		ihl = (pkt[0] & 0xf) * 4;
		len = pkt[2] << 8 | pkt[3];
		seen.bytes += len - ihl - (pkt[ihl + 12] >> 4) * 4;
		if (len > seen.largest)
			seen.largest = len;
		if (status & TP_STATUS_CSUMNOTREADY)
			continue;
		seen.checked++;
		seen.bad += !captured_csum_ok(pkt, len);
	}
	return seen;
}

/*
 * Send 64 KiB in one write from a port @sport of a to the listener @lfd
 * of b; 0 when they arrive intact.
 */
static int send_64k(int lfd, unsigned short sport)
{
	static char buf[65536], got[65536];
	int fd, c, err = -1;
	size_t i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = i * 7 + sport;
	fd = bound_socket(IPPROTO_XTCP, ADDR_A, sport, true);
	if (fd < 0 || connect_wait(fd, ADDR_B, PORT_B))
		goto out;
	c = accept(lfd, NULL, NULL);
	if (c < 0)
		goto out;
	if (write(fd, buf, sizeof(buf)) == sizeof(buf) &&
	    recv(c, got, sizeof(got), MSG_WAITALL) == sizeof(got) &&
	    !memcmp(buf, got, sizeof(got)))
		err = 0;
	close(c);
out:
	xtcp_reset_close(fd);
	return err;
}

/*
 * A run of full segments leaves as one GSO skb (SKB_GSO_FRAGLIST),
 * which veth hands b whole.  In front of a device that does not take
 * such skbs (tx-gso-list off), xtcp's GSO callback cuts them into
 * segments of the MTU; without checksum offload either, it fills in
 * every segment's checksum.  The bytes arrive intact each time.
 */
TEST_F_TIMEOUT(linkx, gso_runs, 60)
{
	int cap, lfd, big = 8 << 20;
	struct run_seen seen;

	cap = capture_b(self->b);
	ASSERT_LE(0, cap);
	ASSERT_EQ(0, setsockopt(cap, SOL_SOCKET, SO_RCVBUFFORCE, &big,
				sizeof(big)));
	lfd = bound_socket(IPPROTO_XTCP, ADDR_B, PORT_B, false);
	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, listen(lfd, 4));
	ASSERT_EQ(0, enter_ns(self->a));

	ASSERT_EQ(0, send_64k(lfd, PORT_A));
	seen = captured_run(cap, PORT_A, 65536);
	EXPECT_EQ(65536, seen.bytes);
	EXPECT_LT(1500, seen.largest);

	ASSERT_EQ(0, ethtool_feature_off("veth0", "tx-gso-list"));
	ASSERT_EQ(0, send_64k(lfd, PORT_A + 10));
	seen = captured_run(cap, PORT_A + 10, 65536);
	EXPECT_EQ(65536, seen.bytes);
	EXPECT_EQ(1500, seen.largest);
	EXPECT_EQ(0, seen.checked);

	ASSERT_EQ(0, ethtool_off("veth0", ETHTOOL_STXCSUM));
	ASSERT_EQ(0, send_64k(lfd, PORT_A + 20));
	seen = captured_run(cap, PORT_A + 20, 65536);
	EXPECT_EQ(65536, seen.bytes);
	EXPECT_EQ(1500, seen.largest);
	/* MSS 1460, less the timestamp option every segment carries. */
	EXPECT_EQ((65536 + 1447) / 1448, seen.checked);
	EXPECT_EQ(0, seen.bad);

	ASSERT_EQ(0, enter_ns(self->b));
	EXPECT_EQ(0, xtcp_counter("InCsumErrors"));
	close(lfd);
	close(cap);
}

/*
 * A namespace with xtcp turned off answers as a host without it does:
 * ICMP "protocol unreachable", which ends connect() with ECONNREFUSED
 * at once, before any SYN is sent again.
 */
TEST_F_TIMEOUT(linkx, protocol_unreachable, 60)
{
	long long t0, took;
	int fd;

	ASSERT_EQ(0, ns_sh(self->b, "echo 0 > /proc/sys/net/xtcp/enabled"));
	ASSERT_EQ(0, enter_ns(self->a));
	fd = bound_socket(IPPROTO_XTCP, ADDR_A, PORT_A, true);
	ASSERT_LE(0, fd);
	t0 = xtcp_now_ms();
	EXPECT_EQ(-ECONNREFUSED, connect_wait(fd, ADDR_B, PORT_B));
	took = xtcp_now_ms() - t0;
	EXPECT_GT(1000, took);
	EXPECT_EQ(1, xtcp_counter("OutSegs"));
	EXPECT_EQ(0, xtcp_counter("RetransSegs"));
	EXPECT_EQ(1, xtcp_counter("AttemptFails"));
	close(fd);

	ASSERT_EQ(0, enter_ns(self->b));
	EXPECT_EQ(-1, socket(AF_INET, SOCK_STREAM, IPPROTO_XTCP));
	EXPECT_EQ(EPROTONOSUPPORT, errno);
}

/*
 * A peer that allowed SACK sends 100..199 and 200..299 before 0..99:
 * both wait above the hole, each ACK repeats rcv_nxt and reports them
 * in one SACK block, and when the hole fills the reader gets all 300
 * bytes in order, acknowledged at once, with no SACK block left.
 */
TEST_F_TIMEOUT(linkx, out_of_order_reassembled_with_sack, 60)
{
	struct raw_peer p = {
		.a = inet_addr(ADDR_A),
		.b = inet_addr(ADDR_B),
		.h = { .sport = PORT_B, .dport = PORT_A, .seq = 1000,
		       .window = 65535 },
	};
	struct pollfd pfd = { .events = POLLIN };
	uint8_t data[300], got[300];
	struct xtcp_seg_hdr sa, ack;
	struct xtcp_opts o;
	int lfd, fd, i;
	uint32_t isn;

	for (i = 0; i < (int)sizeof(data); i++)
		data[i] = i * 7;
	ASSERT_EQ(0, ns_sh(self->b, "echo 0 > /proc/sys/net/xtcp/enabled"));
	ASSERT_EQ(0, enter_ns(self->a));
	lfd = bound_socket(IPPROTO_XTCP, ADDR_A, PORT_A, true);
	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, listen(lfd, 1));
	ASSERT_EQ(0, enter_ns(self->b));
	p.raw = socket(AF_INET, SOCK_RAW, IPPROTO_XTCP);
	ASSERT_LE(0, p.raw);

	p.h.opt.present = XTCP_OPTF_MSS | XTCP_OPTF_SACK_PERM |
			  XTCP_OPTF_WSCALE;
	p.h.opt.mss = 1000;
	p.h.doff = XTCP_HDR_LEN + xtcp_opts_len(&p.h.opt);
	ASSERT_EQ(0, raw_peer_send(&p, 1000, XTCP_FLAG_SYN, NULL, 0));
	ASSERT_EQ(0, raw_peer_recv(&p, &sa, &o));
	EXPECT_EQ(XTCP_FLAG_SYN | XTCP_FLAG_ACK, sa.flags);
	EXPECT_EQ(XTCP_OPTF_MSS | XTCP_OPTF_SACK_PERM | XTCP_OPTF_WSCALE,
		  o.present);

	p.h.opt.present = 0;
	p.h.doff = XTCP_HDR_LEN;
	p.h.ack = sa.seq + 1;
	isn = 1001;
	ASSERT_EQ(0, raw_peer_send(&p, isn, XTCP_FLAG_ACK, NULL, 0));
	pfd.fd = lfd;
	ASSERT_EQ(1, poll(&pfd, 1, 5000));
	fd = accept(lfd, NULL, NULL);
	ASSERT_LE(0, fd);

	ASSERT_EQ(0, raw_peer_send(&p, isn + 100, XTCP_FLAG_ACK, data + 100,
				   100));
	ASSERT_EQ(0, raw_peer_recv(&p, &ack, &o));
	EXPECT_EQ(isn, ack.ack);
	ASSERT_EQ(1, o.num_sacks);
	EXPECT_EQ(isn + 100, o.sack[0].start);
	EXPECT_EQ(isn + 200, o.sack[0].end);

	ASSERT_EQ(0, raw_peer_send(&p, isn + 200, XTCP_FLAG_ACK, data + 200,
				   100));
	ASSERT_EQ(0, raw_peer_recv(&p, &ack, &o));
	EXPECT_EQ(isn, ack.ack);
	ASSERT_EQ(1, o.num_sacks);
	EXPECT_EQ(isn + 100, o.sack[0].start);
	EXPECT_EQ(isn + 300, o.sack[0].end);
	EXPECT_EQ(-1, recv(fd, got, sizeof(got), MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);

	/* A duplicate of held bytes changes nothing. */
	ASSERT_EQ(0, raw_peer_send(&p, isn + 150, XTCP_FLAG_ACK, data + 150,
				   100));
	ASSERT_EQ(0, raw_peer_recv(&p, &ack, &o));
	EXPECT_EQ(isn, ack.ack);

	ASSERT_EQ(0, raw_peer_send(&p, isn, XTCP_FLAG_ACK, data, 100));
	ASSERT_EQ(0, raw_peer_recv(&p, &ack, &o));
	EXPECT_EQ(isn + 300, ack.ack);
	EXPECT_EQ(0, o.present & XTCP_OPTF_SACK);
	ASSERT_EQ(sizeof(got), recv(fd, got, sizeof(got), MSG_WAITALL));
	EXPECT_EQ(0, memcmp(data, got, sizeof(got)));
	xtcp_reset_close(fd);
	close(lfd);
	close(p.raw);
}

/*
 * a sends @n segments of 1000 bytes back to back (TCP_NODELAY) to the
 * hand-made peer, from @s0: 0 once the peer saw them all, or -1.
 */
static int raw_peer_flight(struct raw_peer *p, int fd, uint32_t s0,
			   unsigned int n)
{
	static const uint8_t data[8000];
	unsigned int i;

	if (n * 1000 > sizeof(data) ||
	    xtcp_set_int(fd, IPPROTO_TCP, TCP_NODELAY, 1) ||
	    write(fd, data, n * 1000) != n * 1000)
		return -1;
	for (i = 0; i < n; i++)
		if (raw_peer_wait_seq(p, s0 + i * 1000))
			return -1;
	return 0;
}

/*
 * Delayed ACKs (RFC 1122 4.2.3.2, RFC 5681 4.2): a lone in-order
 * segment is acknowledged when the 40 ms timer expires, not before;
 * of two back to back, the second is acknowledged at once, with the
 * first (no ACK of the first alone), as more than a segment (of the
 * largest size seen) waits then.  No delay on the link.
 */
TEST_F_TIMEOUT(linkx, delayed_ack, 60)
{
	struct raw_peer p;
	uint8_t data[200] = { 0 };
	struct xtcp_seg_hdr ack;
	long long t0, took;
	struct xtcp_opts o;
	uint32_t s0, seq;
	int lfd, fd;

	ASSERT_EQ(0, set_delay(self->a, self->b, 0));
	fd = raw_peer_setup(self->a, self->b, &p, &lfd, &s0);
	ASSERT_LE(0, fd);
	seq = p.h.seq;

	t0 = xtcp_now_ms();
	ASSERT_EQ(0, raw_peer_send(&p, seq, XTCP_FLAG_ACK, data, 100));
	ASSERT_EQ(0, raw_peer_recv(&p, &ack, &o));
	took = xtcp_now_ms() - t0;
	TH_LOG("a lone segment acknowledged after %lld ms", took);
	EXPECT_EQ(seq + 100, ack.ack);
	EXPECT_LE(30, took);
	EXPECT_GT(1000, took);

	ASSERT_EQ(0, raw_peer_send(&p, seq + 100, XTCP_FLAG_ACK, data, 100));
	ASSERT_EQ(0, raw_peer_send(&p, seq + 200, XTCP_FLAG_ACK, data + 100,
				   100));
	ASSERT_EQ(0, raw_peer_recv(&p, &ack, &o));
	EXPECT_EQ(seq + 300, ack.ack);
	xtcp_reset_close(fd);
	close(lfd);
	close(p.raw);
}

/*
 * A duplicate ACK from the hand-made peer, acknowledging up to @s0, with
 * the @n SACK blocks @blk (offsets from @s0); 0 or -1.
 */
static int raw_peer_sack(struct raw_peer *p, uint32_t s0,
			 const uint32_t blk[][2], unsigned int n)
{
	unsigned int i;

	p->h.ack = s0;
	p->h.opt.present = XTCP_OPTF_SACK;
	p->h.opt.num_sacks = n;
	for (i = 0; i < n; i++) {
		p->h.opt.sack[i].start = s0 + blk[i][0];
		p->h.opt.sack[i].end = s0 + blk[i][1];
	}
	p->h.doff = XTCP_HDR_LEN + xtcp_opts_len(&p->h.opt);
	return raw_peer_send(p, p->h.seq, XTCP_FLAG_ACK, NULL, 0);
}

/*
 * The hand-made peer acknowledges a's first segment (a's data starting
 * at @s0), then sends three duplicate ACKs whose SACK block, from
 * @s0 + @sacked, grows by a segment each; 0 or -1.
 */
static int raw_peer_three_dupacks(struct raw_peer *p, uint32_t s0,
				  uint32_t sacked)
{
	int i;

	p->h.ack = s0 + 1000;
	if (raw_peer_send(p, p->h.seq, XTCP_FLAG_ACK, NULL, 0))
		return -1;
	for (i = 0; i < 3; i++) {
		const uint32_t blk[1][2] = {
			{ sacked - 1000, sacked + i * 1000 } };

		if (raw_peer_sack(p, s0 + 1000, blk, 1))
			return -1;
	}
	return 0;
}

/*
 * The hand-made peer acknowledges all up to @ack, without SACK blocks;
 * what a's @fd still has queued once it cleared that (up to 5 s), or -1.
 */
static int raw_peer_ack_all(struct raw_peer *p, int fd, uint32_t ack)
{
	int i;

	p->h.opt.present = 0;
	p->h.doff = XTCP_HDR_LEN;
	p->h.ack = ack;
	if (raw_peer_send(p, p->h.seq, XTCP_FLAG_ACK, NULL, 0))
		return -1;
	for (i = 0; i < 500 && xtcp_ioctl_int(fd, SIOCOUTQ); i++)
		usleep(10000);
	return xtcp_ioctl_int(fd, SIOCOUTQ);
}

/*
 * a sends five segments to a hand-made receiver, which acknowledges the
 * first and then, for the third, fourth and fifth, sends three
 * duplicate ACKs with SACK blocks: a sends the second again at once
 * (fast retransmit, before any timeout) and halves its window (NewReno:
 * ssthresh = cwnd / 2, cwnd being 11 then).
 */
TEST_F_TIMEOUT(linkx, fast_retransmit, 60)
{
	struct raw_peer p;
	struct tcp_info ti;
	socklen_t len;
	int lfd, fd;
	uint32_t s0;

	fd = raw_peer_setup(self->a, self->b, &p, &lfd, &s0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, raw_peer_flight(&p, fd, s0, 5));

	ASSERT_EQ(0, raw_peer_three_dupacks(&p, s0, 2000));
	ASSERT_EQ(0, raw_peer_wait_seq(&p, s0 + 1000));
	ASSERT_EQ(0, raw_peer_ack_all(&p, fd, s0 + 5000));

	ASSERT_EQ(0, enter_ns(self->a));
	EXPECT_EQ(1, xtcp_counter("FastRetrans"));
	EXPECT_EQ(1, xtcp_counter("RetransSegs"));
	len = sizeof(ti);
	ASSERT_EQ(0, getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len));
	EXPECT_EQ(5, ti.tcpi_snd_ssthresh);
	EXPECT_EQ(0, ti.tcpi_ca_state);
	xtcp_reset_close(fd);
	close(lfd);
	close(p.raw);
}

/*
 * A burst of losses is sent again in one round trip: a sends eight
 * segments; the hand-made receiver acknowledges the first and reports
 * the last three in SACK blocks of three duplicate ACKs.  a sends the
 * four holes between them again at once, without waiting for the
 * partial ACK of each (NewReno alone sends one per round trip), each
 * once: a timeout (none expected) would send only the oldest again.
 */
TEST_F_TIMEOUT(linkx, sack_holes_resent_at_once, 60)
{
	struct raw_peer p;
	int lfd, fd, i;
	long timeouts;
	uint32_t s0;

	fd = raw_peer_setup(self->a, self->b, &p, &lfd, &s0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, raw_peer_flight(&p, fd, s0, 8));

	ASSERT_EQ(0, raw_peer_three_dupacks(&p, s0, 5000));
	for (i = 1; i <= 4; i++)
		ASSERT_EQ(0, raw_peer_wait_seq(&p, s0 + i * 1000));
	ASSERT_EQ(0, raw_peer_ack_all(&p, fd, s0 + 8000));

	ASSERT_EQ(0, enter_ns(self->a));
	timeouts = xtcp_counter("Timeouts");
	TH_LOG("%ld timeouts", timeouts);
	EXPECT_EQ(1, xtcp_counter("FastRetrans"));
	EXPECT_EQ(4 + timeouts, xtcp_counter("RetransSegs"));
	xtcp_reset_close(fd);
	close(lfd);
	close(p.raw);
}

/*
 * The hand-made peer acknowledges up to @ack with one D-SACK block,
 * [@start, @end), data it received twice (RFC 2883); 0 or -1.
 */
static int raw_peer_dsack(struct raw_peer *p, uint32_t ack, uint32_t start,
			  uint32_t end)
{
	p->h.ack = ack;
	p->h.opt.present = XTCP_OPTF_SACK;
	p->h.opt.num_sacks = 1;
	p->h.opt.sack[0].start = start;
	p->h.opt.sack[0].end = end;
	p->h.doff = XTCP_HDR_LEN + xtcp_opts_len(&p->h.opt);
	return raw_peer_send(p, p->h.seq, XTCP_FLAG_ACK, NULL, 0);
}

/*
 * Duplicate ACKs that report nothing new are no sign of loss when the
 * peer SACKs (Linux's tcp_time_to_recover()): of five segments, the
 * network delivered the first four times, and the peer answered each
 * copy after the first with a duplicate ACK and a D-SACK block for it.
 * a sends nothing again and keeps its window; before, the third such
 * ACK started a fast retransmit of the second segment and halved it.
 */
TEST_F_TIMEOUT(linkx, dsack_dupacks_are_no_loss, 60)
{
	struct raw_peer p;
	struct tcp_info ti;
	int lfd, fd, i;
	long timeouts;
	uint32_t s0;

	fd = raw_peer_setup(self->a, self->b, &p, &lfd, &s0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, raw_peer_flight(&p, fd, s0, 5));

	p.h.ack = s0 + 1000;
	ASSERT_EQ(0, raw_peer_send(&p, p.h.seq, XTCP_FLAG_ACK, NULL, 0));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, raw_peer_dsack(&p, s0 + 1000, s0, s0 + 1000));
	ASSERT_EQ(0, tcp_info(fd, &ti));
	EXPECT_EQ(0, ti.tcpi_ca_state);
	ASSERT_EQ(0, raw_peer_ack_all(&p, fd, s0 + 5000));

	ASSERT_EQ(0, enter_ns(self->a));
	timeouts = xtcp_counter("Timeouts");
	TH_LOG("%ld timeouts", timeouts);
	EXPECT_EQ(3, xtcp_counter("DSACKRecv"));
	EXPECT_EQ(0, xtcp_counter("FastRetrans"));
	EXPECT_EQ(timeouts, xtcp_counter("RetransSegs"));
	xtcp_reset_close(fd);
	close(lfd);
	close(p.raw);
}

/*
 * A fast retransmit proved spurious by D-SACK is undone (RFC 3708, as
 * Linux's tcp_try_undo_dsack()): of five segments, the second came
 * late, behind the other three, which the peer SACKed; a sent it again
 * and halved its window.  Then the peer acknowledges all five with a
 * D-SACK block for the second: both copies arrived.  cwnd and ssthresh
 * are back to what they were, and the recovery is over.
 */
TEST_F_TIMEOUT(linkx, dsack_undoes_fast_retransmit, 60)
{
	struct tcp_info ti, before;
	struct raw_peer p;
	int lfd, fd;
	uint32_t s0;

	fd = raw_peer_setup(self->a, self->b, &p, &lfd, &s0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, raw_peer_flight(&p, fd, s0, 5));
	ASSERT_EQ(0, tcp_info(fd, &before));

	ASSERT_EQ(0, raw_peer_three_dupacks(&p, s0, 2000));
	ASSERT_EQ(0, raw_peer_wait_seq(&p, s0 + 1000));
	ASSERT_EQ(0, tcp_info(fd, &ti));
	EXPECT_NE(0, ti.tcpi_ca_state);
	EXPECT_GT(before.tcpi_snd_ssthresh, ti.tcpi_snd_ssthresh);
	ASSERT_EQ(0, raw_peer_dsack(&p, s0 + 5000, s0 + 1000, s0 + 2000));
	ASSERT_EQ(0, raw_peer_ack_all(&p, fd, s0 + 5000));

	ASSERT_EQ(0, tcp_info(fd, &ti));
	EXPECT_EQ(0, ti.tcpi_ca_state);
	EXPECT_EQ(before.tcpi_snd_ssthresh, ti.tcpi_snd_ssthresh);
	EXPECT_LE(before.tcpi_snd_cwnd, ti.tcpi_snd_cwnd);
	ASSERT_EQ(0, enter_ns(self->a));
	EXPECT_EQ(1, xtcp_counter("FastRetrans"));
	EXPECT_EQ(1, xtcp_counter("DSACKRecv"));
	EXPECT_EQ(1, xtcp_counter("DSACKUndo"));
	xtcp_reset_close(fd);
	close(lfd);
	close(p.raw);
}

/* The next segment from a that starts at @seq, with its options. */
static int raw_peer_seg_at(struct raw_peer *p, uint32_t seq,
			   struct xtcp_opts *o)
{
	struct xtcp_seg_hdr h;

	do {
		if (raw_peer_recv(p, &h, o))
			return -1;
	} while (h.seq != seq);
	return 0;
}

/*
 * A spurious timeout is undone by Eifel detection (RFC 3522, with
 * RFC 7323 timestamps; Linux's tcp_try_undo_loss()): the peer holds the
 * ACK of three segments until a's timer sent the first again, then
 * acknowledges all three echoing the first original's timestamp, older
 * than the retransmission's: the original had arrived.  cwnd and
 * ssthresh are back to what they were before the timeout.
 */
TEST_F_TIMEOUT(linkx, eifel_undoes_spurious_timeout, 60)
{
	static const uint8_t data[3000];
	struct tcp_info ti, before;
	struct xtcp_opts o;
	struct raw_peer p;
	uint32_t s0, ts0, seg;
	int lfd, fd;

	ASSERT_EQ(0, raw_peer_open_at(self->a, self->b, ADDR_B, 0, 1, &p,
				      &lfd));
	p.ts = true;
	fd = raw_peer_connect(&p, lfd, &s0);
	ASSERT_LE(0, fd);
	s0++;
	ASSERT_EQ(0, tcp_info(fd, &before));
	ASSERT_EQ(TCPI_OPT_TIMESTAMPS,
		  before.tcpi_options & TCPI_OPT_TIMESTAMPS);

	/* Segments of 988 bytes: the option takes 12 of the 1000. */
	seg = before.tcpi_snd_mss;
	ASSERT_GE(sizeof(data) / 3, seg);
	ASSERT_EQ(0, xtcp_set_int(fd, IPPROTO_TCP, TCP_NODELAY, 1));
	ASSERT_EQ(3 * seg, write(fd, data, 3 * seg));
	ASSERT_EQ(0, raw_peer_seg_at(&p, s0, &o));
	ts0 = o.tsval;
	ASSERT_EQ(0, raw_peer_wait_seq(&p, s0 + 2 * seg));
	ASSERT_EQ(0, raw_peer_seg_at(&p, s0, &o));	/* the timeout */
	EXPECT_LT(ts0, o.tsval);

	p.h.opt.tsval = 2;
	p.h.opt.tsecr = ts0;
	p.h.ack = s0 + 3 * seg;
	ASSERT_EQ(0, raw_peer_send(&p, p.h.seq, XTCP_FLAG_ACK, NULL, 0));
	ASSERT_EQ(0, xtcp_wait_outq_empty(fd, 3000));

	ASSERT_EQ(0, tcp_info(fd, &ti));
	EXPECT_EQ(0, ti.tcpi_ca_state);
	EXPECT_EQ(before.tcpi_snd_ssthresh, ti.tcpi_snd_ssthresh);
	EXPECT_LE(before.tcpi_snd_cwnd, ti.tcpi_snd_cwnd);
	ASSERT_EQ(0, enter_ns(self->a));
	EXPECT_LE(1, xtcp_counter("Timeouts"));
	EXPECT_EQ(1, xtcp_counter("LossUndo"));
	xtcp_reset_close(fd);
	close(lfd);
	close(p.raw);
}

/*
 * Loss recovery after a timeout ends at its recovery point (RFC 6582):
 * a sends eight segments that the hand-made receiver leaves unanswered,
 * so the timer sends the first again.  The ACK of six (partial: two
 * still missing) makes a send the first hole at once, and lets two new
 * segments out.  The ACK of all eight ends the recovery: the new
 * segments are not sent again, though the ACK covers a retransmission.
 */
TEST_F_TIMEOUT(linkx, recovery_ends_at_recover_point, 60)
{
	uint8_t data[2000] = { 0 };
	struct raw_peer p;
	int lfd, fd;
	uint32_t s0;

	fd = raw_peer_setup(self->a, self->b, &p, &lfd, &s0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, raw_peer_flight(&p, fd, s0, 8));
	ASSERT_EQ(0, raw_peer_wait_seq(&p, s0));	/* the timeout */
	ASSERT_EQ(2000, write(fd, data, 2000));

	p.h.ack = s0 + 6000;
	ASSERT_EQ(0, raw_peer_send(&p, p.h.seq, XTCP_FLAG_ACK, NULL, 0));
	ASSERT_EQ(0, raw_peer_wait_seq(&p, s0 + 6000));
	ASSERT_EQ(0, raw_peer_wait_seq(&p, s0 + 8000));
	p.h.ack = s0 + 8000;
	ASSERT_EQ(0, raw_peer_send(&p, p.h.seq, XTCP_FLAG_ACK, NULL, 0));
	ASSERT_EQ(0, raw_peer_wait_seq(&p, s0 + 9000));
	ASSERT_EQ(0, raw_peer_ack_all(&p, fd, s0 + 10000));

	ASSERT_EQ(0, enter_ns(self->a));
	EXPECT_EQ(2, xtcp_counter("RetransSegs"));
	EXPECT_EQ(0, xtcp_counter("FastRetrans"));
	xtcp_reset_close(fd);
	close(lfd);
	close(p.raw);
}

/*
 * An RTT sample ends the backoff (RFC 6298 5.7): after two timeouts of
 * the first of three segments, the SACK of the second, sent only once,
 * gives one though the cumulative ACK does not move, as in Linux.  On a
 * lossy path nearly every cumulative ACK covers a retransmission: with
 * samples from them only, the backoff would grow until the connection
 * all but stops.
 */
TEST_F_TIMEOUT(linkx, sack_sample_ends_backoff, 60)
{
	struct raw_peer p;
	struct tcp_info ti;
	int lfd, fd, i;
	uint32_t s0;

	fd = raw_peer_setup(self->a, self->b, &p, &lfd, &s0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, raw_peer_flight(&p, fd, s0, 3));
	ASSERT_EQ(0, raw_peer_wait_seq(&p, s0));
	ASSERT_EQ(0, raw_peer_wait_seq(&p, s0));
	ASSERT_EQ(0, tcp_info(fd, &ti));
	EXPECT_EQ(2, ti.tcpi_backoff);

	p.h.ack = s0;
	p.h.opt.present = XTCP_OPTF_SACK;
	p.h.opt.num_sacks = 1;
	p.h.opt.sack[0].start = s0 + 1000;
	p.h.opt.sack[0].end = s0 + 2000;
	p.h.doff = XTCP_HDR_LEN + xtcp_opts_len(&p.h.opt);
	ASSERT_EQ(0, raw_peer_send(&p, p.h.seq, XTCP_FLAG_ACK, NULL, 0));
	for (i = 0; i < 100 && !tcp_info(fd, &ti) && ti.tcpi_backoff; i++)
		usleep(10000);
	EXPECT_EQ(0, ti.tcpi_backoff);
	xtcp_reset_close(fd);
	close(lfd);
	close(p.raw);
}

/* TCP_INFO of @fd once tcpi_sacked is @sacked (up to 1 s); 0 or -1. */
static int tcp_info_sacked(int fd, struct tcp_info *ti, unsigned int sacked)
{
	int i;

	for (i = 0; i < 100; i++) {
		if (tcp_info(fd, ti))
			return -1;
		if (ti->tcpi_sacked == sacked)
			return 0;
		usleep(10000);
	}
	return -1;
}

/*
 * Reordering (Linux's tcp_check_sack_reordering()): of eight segments,
 * the SACK of the eighth, then of the third, sent once, shows that the
 * third was overtaken by five others, not lost.  Loss detection then
 * waits for six SACKed segments above a hole, so that three of them
 * (which would be enough on a path that keeps order) start no fast
 * retransmit.
 */
TEST_F_TIMEOUT(linkx, reordering_raises_dupthresh, 60)
{
	static const uint32_t eighth[][2] = { { 7000, 8000 } };
	static const uint32_t third[][2] = { { 2000, 3000 }, { 7000, 8000 } };
	static const uint32_t fifth[][2] = { { 2000, 3000 }, { 4000, 5000 },
					     { 7000, 8000 } };
	struct raw_peer p;
	struct tcp_info ti;
	int lfd, fd;
	uint32_t s0;

	fd = raw_peer_setup(self->a, self->b, &p, &lfd, &s0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, tcp_info(fd, &ti));
	EXPECT_EQ(3, ti.tcpi_reordering);
	ASSERT_EQ(0, raw_peer_flight(&p, fd, s0, 8));

	ASSERT_EQ(0, raw_peer_sack(&p, s0, eighth, 1));
	ASSERT_EQ(0, raw_peer_sack(&p, s0, third, 2));
	ASSERT_EQ(0, tcp_info_sacked(fd, &ti, 2));
	EXPECT_EQ(6, ti.tcpi_reordering);
	ASSERT_EQ(0, raw_peer_sack(&p, s0, fifth, 3));
	ASSERT_EQ(0, tcp_info_sacked(fd, &ti, 3));
	EXPECT_EQ(6, ti.tcpi_reordering);
	EXPECT_EQ(0, ti.tcpi_ca_state);
	EXPECT_EQ(0, ti.tcpi_total_retrans);
	ASSERT_EQ(0, enter_ns(self->a));
	EXPECT_EQ(0, xtcp_counter("FastRetrans"));
	xtcp_reset_close(fd);
	close(lfd);
	close(p.raw);
}

/*
 * Data in flight towards a black hole, retries2 = 3: sent again after 1,
 * 2 and 4 RTOs, and the connection gives up at the next expiry, 15 RTOs
 * after the data first left, with ETIMEDOUT.
 */
TEST_F_TIMEOUT(linkx, retries2_black_hole, 60)
{
	struct pollfd pfd = { .events = POLLIN };
	socklen_t len = sizeof(int);
	long long t0, took, rto_ms;
	struct tcp_info ti;
	int fd, err = -1;
	struct held h;

	ASSERT_EQ(0, set_delay(self->a, self->b, 10));
	ASSERT_EQ(0, enter_ns(self->a));
	EXPECT_EQ(15, xtcp_read_long("/proc/sys/net/xtcp/retries2"));
	ASSERT_EQ(0, xtcp_write_str("/proc/sys/net/xtcp/retries2", "3"));
	fd = held_open(&h, self->b, IPPROTO_XTCP, "/proc/net/xtcp");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, black_hole(self->a, self->b));
	ASSERT_EQ(0, tcp_info(fd, &ti));
	rto_ms = ti.tcpi_rto / 1000;
	t0 = xtcp_now_ms();
	ASSERT_EQ(1, write(fd, "x", 1));
	pfd.fd = fd;
	ASSERT_EQ(1, poll(&pfd, 1, 40000));
	took = xtcp_now_ms() - t0;
	TH_LOG("gave up after %lld ms, RTO %lld ms", took, rto_ms);
	ASSERT_EQ(0, getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len));
	EXPECT_EQ(ETIMEDOUT, err);
	EXPECT_LE(15 * rto_ms - 50, took);
	EXPECT_GE(15 * rto_ms + 3000, took);
	EXPECT_EQ(3, xtcp_counter("RetransSegs"));
	EXPECT_EQ(0, held_close(&h, fd));
}

/*
 * Three hosts: a (198.18.0.1) -- r -- b (198.18.1.2).  r forwards, sends
 * "host unreachable" for 198.18.9.0/24, and its link towards b has a
 * 1000-byte MTU while a and b see 1500 on theirs: only path MTU
 * discovery gets full-sized segments from a to b.
 */
#define ADDR_FAR	"198.18.1.2"
#define ADDR_NOWHERE	"198.18.9.1"

FIXTURE(route) {
	char a[32], r[32], b[32];
};

FIXTURE_VARIANT(route) {
	int proto;
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

static int routed_up(char *a, char *r, char *b, size_t len)
{
	snprintf(a, len, "xa%d", getpid());
	snprintf(r, len, "xr%d", getpid());
	snprintf(b, len, "xb%d", getpid());
	if (sh(IP " netns add %s && " IP " netns add %s && " IP " netns add %s",
	       a, r, b))
		return -1;
	if (sh(IP " -n %s link add veth0 type veth peer name veth0 netns %s && "
	       IP " -n %s link add veth0 type veth peer name veth1 netns %s",
	       a, r, b, r))
		return -1;
	return ns_sh(a, IP " link set lo up && " IP " link set veth0 up && "
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

FIXTURE_SETUP(route)
{
	XTCP_SKIP_TCP_VARIANT(variant->proto);
	ASSERT_EQ(0, routed_up(self->a, self->r, self->b, sizeof(self->a)));
}

FIXTURE_TEARDOWN(route)
{
	settle(self->a);
	settle(self->b);
	sh(IP " netns del %s; " IP " netns del %s; " IP " netns del %s",
	   self->a, self->r, self->b);
}

/* A router's "host unreachable" ends connect() at once with its errno. */
TEST_F_TIMEOUT(route, host_unreachable, 60)
{
	long long t0, took;
	int fd;

	ASSERT_EQ(0, enter_ns(self->a));
	fd = bound_socket(variant->proto, ADDR_A, PORT_A, true);
	ASSERT_LE(0, fd);
	t0 = xtcp_now_ms();
	EXPECT_EQ(-EHOSTUNREACH, connect_wait(fd, ADDR_NOWHERE, PORT_B));
	took = xtcp_now_ms() - t0;
	EXPECT_GT(1000, took);
	close(fd);
}

/*
 * Both ends announce an MSS of 1460; r cannot forward such segments to
 * b and says "fragmentation needed, MTU 1000".  The sender lowers its
 * segment size, sends again what was lost, and every byte arrives.
 */
TEST_F_TIMEOUT(route, path_mtu_lowered, 90)
{
	struct side s = { .proto = variant->proto, .proc = variant->proc,
			  .len = 200000, .addr = ADDR_FAR };

	EXPECT_EQ(0, pattern_to_sink_b(self->a, self->b, &s));
	/* The route learnt the path's MTU. */
	EXPECT_EQ(0, sh(IP " route get " ADDR_FAR " | grep -q 'mtu 1000'"));
	if (variant->proto == IPPROTO_XTCP)
		EXPECT_LT(0, xtcp_counter("RetransSegs"));
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
	struct side s = { .proto = variant->proto, .proc = variant->proc,
			  .len = 100000 };
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
	EXPECT_EQ(0, send_chunks(fd, s.len, 4096));
	close(fd);
	EXPECT_EQ(0, child_status(pid));
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
	struct side s = { .proto = variant->proto, .proc = variant->proc,
			  .len = 200000, .addr = ADDR_FAR };
	struct tcp_info ti;
	int ready[2], fd;
	pid_t pid;

	ASSERT_EQ(0, pipe(ready));
	s.ready = ready[1];
	ASSERT_EQ(0, enter_ns(self->a));
	fd = connect_to_child(self->b, s.proto, &s, sink_b, &pid, ready[0]);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xtcp_set_int(fd, IPPROTO_TCP, TCP_NODELAY, 1));
	EXPECT_EQ(0, send_chunks(fd, s.len, 700));
	EXPECT_EQ(0, xtcp_wait_outq_empty(fd, 20000));
	ASSERT_EQ(0, tcp_info(fd, &ti));
	EXPECT_EQ(0, ti.tcpi_unacked);
	EXPECT_GT(1460, ti.tcpi_snd_mss);
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
	struct side s = { .proto = variant->proto, .proc = variant->proc,
			  .len = 200000, .addr = ADDR_FAR };

	ASSERT_EQ(0, ethtool_feature_off("veth1", "tx-gso-list"));
	ASSERT_EQ(0, ethtool_feature_off("veth1", "tx-scatter-gather"));
	EXPECT_EQ(0, pattern_to_sink_b(self->a, self->b, &s));
	if (variant->proto == IPPROTO_XTCP) {
		ASSERT_EQ(0, enter_ns(self->b));
		/* Payload of at most 960 bytes (MTU 1000). */
		EXPECT_LE((200000 + 959) / 960, xtcp_counter("InSegs"));
	}
}

TEST_HARNESS_MAIN
