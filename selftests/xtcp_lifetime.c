// SPDX-License-Identifier: GPL-2.0
/*
 * Lifetimes: what reaches a socket while its user holds it, what a
 * connection that ended keeps, and what two connecting sockets may
 * share.  Each test drives one path a review found wrong (issue 15):
 *
 *  - a segment replayed from the backlog after the connection was
 *    reset is answered with a RST, though the backlog kept no route;
 *  - an ICMP redirect for a socket its user holds is ignored, as Linux
 *    TCP does (the route it would change is the one the user reads);
 *  - a reset connection drops its write queue: uncorking it or setting
 *    TCP_NODELAY afterwards sends nothing;
 *  - SACK blocks report the bytes an out-of-order segment brought,
 *    once cut to what was missing, not the segment's original range;
 *  - after the path MTU went down, what a write adds never joins a
 *    segment already sent, and nothing counts in flight twice;
 *  - two SO_REUSEADDR sockets on one port that connect to one peer at
 *    the same moment: one gets the 4-tuple, the other EADDRNOTAVAIL;
 *    and so do two unbound sockets whose connect() can only choose one
 *    port (issue 19: connect() shares ports by 4-tuple); over IPv4 and
 *    IPv6 (tuple6, eph6).
 *
 * The first two hold the socket with xtcp_owner.h (a recv() waiting on
 * a userfaultfd page); all but the last talk to it through the
 * hand-made peer of xtcp_peer.h, so every segment is the one the test
 * says.
 *
 * The xtcp6 variants run what takes a path of IPv6's own (a reset built
 * from a segment alone, ACKs with SACK blocks, sends that fail) with
 * the phantom peer of xtcp_peer.h at ADDR_P6; the others skip, saying
 * why.  Linux TCP shows no expectation here that depends on the family.
 */
#include <netinet/tcp.h>
#include <sched.h>

#include "xtcp_ns.h"
#include "xtcp_owner.h"
#include "xtcp_peer.h"
#include "kselftest_harness.h"

/* b's second address, behind b itself as a's gateway. */
#define ADDR_B_FAR	"198.19.0.2"
/* Where a redirect sends a: an address on the link nobody has. */
#define ADDR_GW2	"198.18.0.3"

FIXTURE(owned) {
	struct peer_conn c;
};

FIXTURE_VARIANT(owned) {
	int family;
};

FIXTURE_VARIANT_ADD(owned, xtcp) {
	.family = AF_INET,
};

FIXTURE_VARIANT_ADD(owned, xtcp6) {
	.family = AF_INET6,
};

/*
 * The peer connected to a, sending its 100 bytes: the first kind of
 * hand-made peer at @baddr over IPv4, the phantom one over IPv6.
 */
static int owned_open(struct peer_conn *c, int family, const char *baddr)
{
	if (family == AF_INET6)
		return peer_conn_open_phantom_family(c, AF_INET6,
						     IPPROTO_XTCP);
	return peer_conn_open(c, baddr);
}

FIXTURE_SETUP(owned)
{
	self->c.lfd = -1;
	self->c.fd = -1;
	self->c.p.raw = -1;
	ASSERT_EQ(0, hosts_up(self->c.a, self->c.b, sizeof(self->c.a)));
}

FIXTURE_TEARDOWN(owned)
{
	peer_conn_close(&self->c);
	hosts_down(self->c.a, self->c.b);
}

/*
 * While the user holds the socket, the peer sends a RST at rcv_nxt and
 * then 50 bytes: both wait in the backlog.  When the user lets go, the
 * RST ends the connection, and the data, now for a closed connection,
 * is answered with a RST built from the segment alone (no route: the
 * backlog keeps none).  The reader gets its 100 bytes, then ECONNRESET.
 */
TEST_F_TIMEOUT(owned, reset_from_backlog, 60)
{
	struct xtcp_seg_hdr rst;
	struct xtcp_opts opts;
	struct xtcp_owner o;
	uint8_t more[50] = { 9 };
	char c;
	long in;

	ASSERT_EQ(0, owned_open(&self->c, variant->family, ADDR_B));
	ASSERT_EQ(0, xtcp_owner_start(&o, self->c.fd, 100));
	in = peer_a_counter(&self->c, "InSegs");
	ASSERT_EQ(0, raw_peer_send(&self->c.p, self->c.r0, XTCP_FLAG_RST, NULL, 0));
	ASSERT_EQ(0, raw_peer_send(&self->c.p, self->c.r0, XTCP_FLAG_ACK, more,
				   sizeof(more)));
	ASSERT_EQ(0, peer_wait_in_segs(&self->c, in, 2));
	EXPECT_EQ(100, xtcp_owner_release(&o));
	xtcp_owner_free(&o);

	ASSERT_EQ(0, raw_peer_recv_from(&self->c.p, PORT_B, XTCP_FLAG_RST,
					&rst, &opts, NULL, 0, NULL));
	EXPECT_EQ(XTCP_FLAG_RST, rst.flags);
	EXPECT_EQ(self->c.s0, rst.seq);
	EXPECT_EQ(-1, recv(self->c.fd, &c, 1, 0));
	EXPECT_EQ(ECONNRESET, errno);
}

/*
 * ICMP @type/@code from b about a's segment to @to at @seq; @rest is the
 * message's second word (a gateway, or the next hop's MTU).
 */
static int send_icmp_about(const char *b, uint8_t type, uint8_t code,
			   uint32_t rest, const char *to, uint32_t seq)
{
	struct sockaddr_in dst = xtcp_addr(ADDR_A, 0);
	uint8_t msg[8 + 20 + 8] = { type, code };
	uint8_t *ip = msg + 8, *th = msg + 28;
	uint32_t addr;
	int fd, err;

	if (enter_ns(b))
		return -1;
	memcpy(msg + 4, &rest, 4);
	ip[0] = 0x45;
	ip[3] = 40;
	ip[6] = 0x40;		/* DF */
	ip[8] = 64;
	ip[9] = IPPROTO_XTCP;
	addr = inet_addr(ADDR_A);
	memcpy(ip + 12, &addr, 4);
	addr = inet_addr(to);
	memcpy(ip + 16, &addr, 4);
	xtcp_put_be16(ip + 10, xtcp_csum(ip, 20));
	xtcp_put_be16(th, PORT_A);
	xtcp_put_be16(th + 2, PORT_B);
	xtcp_put_be32(th + 4, seq);
	xtcp_put_be16(msg + 2, xtcp_csum(msg, sizeof(msg)));
	fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	if (fd < 0)
		return -1;
	err = sendto(fd, msg, sizeof(msg), 0, (struct sockaddr *)&dst,
		     sizeof(dst)) == sizeof(msg) ? 0 : -1;
	close(fd);
	return err;
}

/* ICMP redirect about a's segment at @seq: use ADDR_GW2 for ADDR_B_FAR. */
static int send_redirect(const char *b, uint32_t seq)
{
	return send_icmp_about(b, 5, 1, inet_addr(ADDR_GW2), ADDR_B_FAR, seq);
}

/* Has a's route to ADDR_B_FAR taken the redirect? */
static bool redirected(const char *a)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), IP " -n %s route get " ADDR_B_FAR
		 " | grep -q 'via " ADDR_GW2 "'", a);
	return !sh("%s", cmd);
}

/*
 * Send the redirect, then a bare ACK behind it from the same CPU: once
 * a took in the ACK, it took in the redirect before it.
 */
static int redirect_seen(struct peer_conn *self)
{
	long in = peer_a_counter(self, "InSegs");

	if (send_redirect(self->b, self->s0) ||
	    raw_peer_send(&self->p, self->r0, XTCP_FLAG_ACK, NULL, 0))
		return -1;
	return peer_wait_in_segs(self, in, 1);
}

/*
 * a reaches b's second address through b; b says "use 198.18.0.3"
 * (a default gateway of a's, with a permanent neighbour entry, so that
 * the redirect is one a may take).  While the user holds a's socket the
 * redirect is ignored; once it is free, the same redirect is taken.
 */
TEST_F_TIMEOUT(owned, redirect_ignored_while_owned, 60)
{
	cpu_set_t one;
	struct xtcp_owner o;

	if (variant->family == AF_INET6)
		SKIP(return, "an ICMPv6 redirect is neighbour discovery's, not built here");
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(one), &one));
	ASSERT_EQ(0, ns_sh(self->c.b, IP " addr add " ADDR_B_FAR "/32 dev lo"));
	ASSERT_EQ(0, ns_sh(self->c.a,
			   IP " route add " ADDR_B_FAR "/32 via " ADDR_B " && "
			   IP " route add default via " ADDR_GW2 " && "
			   IP " neigh add " ADDR_GW2
			   " lladdr 02:00:00:00:00:03 dev veth0 nud permanent"));
	ASSERT_EQ(0, peer_conn_open(&self->c, ADDR_B_FAR));
	ASSERT_FALSE(redirected(self->c.a));

	ASSERT_EQ(0, xtcp_owner_start(&o, self->c.fd, 100));
	ASSERT_EQ(0, redirect_seen(&self->c));
	EXPECT_FALSE(redirected(self->c.a));
	EXPECT_EQ(100, xtcp_owner_release(&o));
	xtcp_owner_free(&o);

	ASSERT_EQ(0, redirect_seen(&self->c));
	EXPECT_TRUE(redirected(self->c.a));
}

/*
 * a corks and writes 100 bytes, which wait for more; the peer resets
 * the connection.  The poller wakes to a connection closed as well as
 * failed (on the debug kernel it once woke between the two).
 * Uncorking, and TCP_NODELAY, then send nothing: the reset took the
 * write queue with it.
 */
TEST_F_TIMEOUT(owned, reset_drops_write_queue, 60)
{
	struct pollfd pfd = { .events = POLLIN };
	char buf[100] = { 7 };
	long out;

	ASSERT_EQ(0, owned_open(&self->c, variant->family, ADDR_B));
	ASSERT_EQ(100, recv(self->c.fd, buf, sizeof(buf), 0));
	ASSERT_EQ(0, xtcp_set_int(self->c.fd, IPPROTO_TCP, TCP_CORK, 1));
	ASSERT_EQ(sizeof(buf), send(self->c.fd, buf, sizeof(buf), 0));
	ASSERT_EQ(0, raw_peer_send(&self->c.p, self->c.r0, XTCP_FLAG_RST, NULL, 0));
	pfd.fd = self->c.fd;
	ASSERT_EQ(1, poll(&pfd, 1, 5000));
	/* Closed as well as failed when the poller wakes, as Linux. */
	ASSERT_EQ(POLLIN | POLLERR | POLLHUP, pfd.revents);

	out = peer_a_counter(&self->c, "OutSegs");
	EXPECT_EQ(0, xtcp_set_int(self->c.fd, IPPROTO_TCP, TCP_CORK, 0));
	EXPECT_EQ(0, xtcp_set_int(self->c.fd, IPPROTO_TCP, TCP_NODELAY, 1));
	EXPECT_EQ(out, peer_a_counter(&self->c, "OutSegs"));
}

/*
 * Out-of-order data held at 100..149 and 200..249 (offsets from
 * rcv_nxt); a segment 120..289 is cut to what fills the gap between
 * them, 150..199, and the rest is dropped.  The one SACK block then
 * covers 100..249, what a holds, and not the segment's end, 289: a
 * sender never sends again bytes it believes the receiver has.
 */
TEST_F_TIMEOUT(owned, sack_reports_held_bytes_only, 60)
{
	struct xtcp_seg_hdr ack;
	struct xtcp_opts o;

	ASSERT_EQ(0, owned_open(&self->c, variant->family, ADDR_B));
	ASSERT_EQ(0, peer_data_at(&self->c, 100, 50, &ack, &o));
	ASSERT_EQ(0, peer_data_at(&self->c, 200, 50, &ack, &o));
	ASSERT_EQ(2, o.num_sacks);
	ASSERT_EQ(0, peer_data_at(&self->c, 120, 170, &ack, &o));
	EXPECT_EQ(self->c.r0, ack.ack);
	ASSERT_EQ(1, o.num_sacks);
	EXPECT_EQ(self->c.r0 + 100, o.sack[0].start);
	EXPECT_EQ(self->c.r0 + 250, o.sack[0].end);
}

/* Next hop MTU of the "fragmentation needed" below: segments of 536. */
#define SMALL_MTU	576
#define SMALL_MSS	(SMALL_MTU - 40)

/*
 * The peer takes a's segments, acknowledging each as it comes, until it
 * holds everything below @end; the segments' size must not exceed @mss.
 */
static int peer_take_acking(struct peer_conn *c, uint32_t end, size_t mss)
{
	struct xtcp_seg_hdr h;
	size_t plen;

	while (c->p.h.ack != end) {
		if (xtcp_raw_recv_data(c->p.raw, PORT_A, PORT_B, XTCP_FLAG_ACK,
				       &h, NULL, NULL, NULL, 0, &plen) || plen > mss)
			return -1;
		if ((int32_t)(h.seq + plen - c->p.h.ack) > 0)
			c->p.h.ack = h.seq + plen;
		if (raw_peer_send(&c->p, c->r0, XTCP_FLAG_ACK, NULL, 0))
			return -1;
	}
	return 0;
}

/* Wait up to 3 s for @fd's segment size to become @mss. */
static int wait_snd_mss(int fd, unsigned int mss)
{
	long long deadline = xtcp_now_ms() + 3000;
	struct tcp_info ti;
	socklen_t len;

	while (xtcp_now_ms() < deadline) {
		len = sizeof(ti);
		if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
			return -1;
		if (ti.tcpi_snd_mss == mss)
			return 0;
		usleep(1000);
	}
	return -ETIMEDOUT;
}

/*
 * New segments a sends from @from before the peer answers: counted
 * until a's retransmission timer sends the first of them again.
 */
static int peer_count_burst(struct peer_conn *c, uint32_t from)
{
	uint32_t next = from;
	struct xtcp_seg_hdr h;
	size_t plen;
	int n = 0;

	while (!xtcp_raw_recv_data(c->p.raw, PORT_A, PORT_B, XTCP_FLAG_ACK,
				   &h, NULL, NULL, NULL, 0, &plen)) {
		if (!plen)
			continue;
		if (h.seq != next)
			break;
		next += plen;
		n++;
	}
	return n;
}

/* The next segment a sends the peer with data in it, and when it came. */
static int peer_next_data(struct peer_conn *c, struct xtcp_seg_hdr *h,
			  size_t *dlen, long long *when)
{
	struct xtcp_opts o;

	do {
		if (raw_peer_recv_data(&c->p, h, &o, NULL, 0, dlen))
			return -1;
	} while (!*dlen);
	*when = xtcp_now_ms();
	return 0;
}

/*
 * The peer closes its window; a's write waits, and the timer that will
 * probe the window runs.  Halfway to it the window opens and the data
 * leaves: from then on the timer counts a retransmission timeout, the
 * whole of it.  Before the fix the send left the probe's deadline in
 * place, so the data was retransmitted (and cwnd cut) half an RTO after
 * it left, though the peer had all the time it was promised: the race
 * that made tinymss.sack_splits_bounded fail now and then.
 */
TEST_F_TIMEOUT(owned, rto_restarts_on_send, 60)
{
	struct peer_conn *c = &self->c;
	socklen_t len = sizeof(struct tcp_info);
	long long sent, again;
	struct xtcp_seg_hdr h;
	struct tcp_info ti;
	uint8_t data[500];
	size_t dlen;
	long in0;

	if (variant->family == AF_INET6)
		SKIP(return, "its timers are one code for both families");
	ASSERT_EQ(0, peer_conn_open(c, ADDR_B));
	c->p.h.ack = c->s0;
	c->p.h.window = 0;
	in0 = peer_a_counter(c, "InSegs");
	ASSERT_EQ(0, raw_peer_send(&c->p, c->r0, XTCP_FLAG_ACK, NULL, 0));
	ASSERT_EQ(0, peer_wait_in_segs(c, in0, 1));
	memset(data, 'w', sizeof(data));
	ASSERT_EQ(sizeof(data), send(c->fd, data, sizeof(data), 0));
	ASSERT_EQ(sizeof(data), xtcp_ioctl_int(c->fd, SIOCOUTQNSD));
	ASSERT_EQ(0, getsockopt(c->fd, IPPROTO_TCP, TCP_INFO, &ti, &len));
	usleep(ti.tcpi_rto / 2);

	c->p.h.window = 65535;
	ASSERT_EQ(0, raw_peer_send(&c->p, c->r0, XTCP_FLAG_ACK, NULL, 0));
	ASSERT_EQ(0, peer_next_data(c, &h, &dlen, &sent));
	EXPECT_EQ(c->s0, h.seq);
	EXPECT_EQ(sizeof(data), dlen);
	ASSERT_EQ(0, peer_next_data(c, &h, &dlen, &again));
	EXPECT_EQ(c->s0, h.seq);
	TH_LOG("rto %u us, retransmitted after %lld ms", ti.tcpi_rto,
	       again - sent);
	EXPECT_LE(ti.tcpi_rto * 3 / 4000, again - sent);
}

/*
 * Ten segments of 1000 bytes are in flight when the path says "MTU
 * 576": a sends them again in segments of 536, Nagle holding the last
 * piece, to which a write of 100 bytes is added.  Once the peer holds
 * and acknowledged all, nothing counts as in flight (tcpi_unacked,
 * Linux's packets_out, and SIOCOUTQ are 0), so a write of more than a
 * congestion window leaves as exactly one window of segments.  The
 * peer stays silent: two SRTTs later one tail loss probe goes, a new
 * segment past cwnd (RFC 8985 7.3, as Linux's tcp_send_loss_probe()),
 * and then nothing new until the timeout sends the oldest again.
 * Before the fix, sendmsg() added to the piece already sent, whose
 * segments then counted in flight twice, for good: the window was
 * short by them.
 */
TEST_F_TIMEOUT(owned, mtu_drop_counts_once, 60)
{
	static uint8_t data[40 * SMALL_MSS];
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	uint32_t end;
	long probes;
	int cwnd;

	if (variant->family == AF_INET6)
		SKIP(return, "IPv6's minimum MTU, 1280, exceeds these segments");
	ASSERT_EQ(0, peer_conn_open(&self->c, ADDR_B));
	ASSERT_EQ(10000, send(self->c.fd, data, 10000, 0));
	end = self->c.s0 + 10000;
	ASSERT_EQ(0, raw_peer_wait_seq(&self->c.p, end - 1000));
	ASSERT_EQ(0, send_icmp_about(self->c.b, 3, 4, htonl(SMALL_MTU),
				     ADDR_B, self->c.s0));
	ASSERT_EQ(0, wait_snd_mss(self->c.fd, SMALL_MSS));
	ASSERT_EQ(100, send(self->c.fd, data, 100, 0));
	self->c.p.h.ack = self->c.s0;
	ASSERT_EQ(0, peer_take_acking(&self->c, end + 100, SMALL_MSS));
	ASSERT_EQ(0, xtcp_wait_outq_empty(self->c.fd, 3000));
	ASSERT_EQ(0, getsockopt(self->c.fd, IPPROTO_TCP, TCP_INFO, &ti, &len));
	EXPECT_EQ(0, ti.tcpi_unacked);

	cwnd = ti.tcpi_snd_cwnd;
	ASSERT_GT(40, cwnd);
	probes = peer_a_counter(&self->c, "TLPProbes");
	ASSERT_LE(0, probes);
	ASSERT_EQ(sizeof(data), send(self->c.fd, data, sizeof(data), 0));
	EXPECT_EQ(cwnd + 1, peer_count_burst(&self->c, end + 100));
	EXPECT_EQ(probes + 1, peer_a_counter(&self->c, "TLPProbes"));
}

/*
 * The tuple and eph tests run over IPv6 too (fixtures tuple6 and eph6,
 * on ::1), a third of the rounds: the 4-tuple check over IPv6's
 * established table and ports held by AF_INET6 sockets.
 */
#define TUPLE_ROUNDS6_DIV	3

/* The listener of a tuple test: on @lo:PORT_A, or -1. */
static int tuple_listener(const char *lo)
{
	int fd = bound_socket(IPPROTO_XTCP, lo, PORT_A, false);

	if (fd >= 0 && listen(fd, 64)) {
		close(fd);
		return -1;
	}
	return fd;
}

FIXTURE(tuple) {
	int lfd;
};

FIXTURE_SETUP(tuple)
{
	self->lfd = tuple_listener("127.0.0.1");
	ASSERT_LE(0, self->lfd);
}

FIXTURE_TEARDOWN(tuple)
{
	close(self->lfd);
}

FIXTURE(tuple6) {
	int lfd;
};

FIXTURE_SETUP(tuple6)
{
	self->lfd = tuple_listener("::1");
	ASSERT_LE(0, self->lfd);
}

FIXTURE_TEARDOWN(tuple6)
{
	close(self->lfd);
}

struct racer {
	pthread_barrier_t *go;
	struct sockaddr_storage peer;
	socklen_t plen;
	int fd;
	int err;		/* connect()'s errno, 0 if it succeeded */
};

static void *connect_racer(void *arg)
{
	struct racer *r = arg;

	pthread_barrier_wait(r->go);
	r->err = connect(r->fd, (struct sockaddr *)&r->peer, r->plen) ?
		 errno : 0;
	return NULL;
}

/* A socket on @lo:@port shared with SO_REUSEADDR, or -1. */
static int reuse_socket(const char *lo, unsigned short port)
{
	int fd = socket(xtcp_family_of(lo), SOCK_STREAM | SOCK_NONBLOCK,
			IPPROTO_XTCP);

	if (fd < 0 || xtcp_set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1) ||
	    xtcp_bind(fd, lo, port))
		return -1;
	return fd;
}

/*
 * One round: two sockets bound to one port of @lo (or, if @port is 0,
 * unbound ones whose ip_local_port_range has a single port) connect to
 * the same listener, on @lo, at once.  Returns how many got the 4-tuple
 * (EINPROGRESS or done).
 */
static int tuple_round(int lfd, const char *lo, unsigned short port)
{
	struct racer r[2];
	pthread_barrier_t go;
	pthread_t t[2];
	int i, won = 0, child;

	pthread_barrier_init(&go, NULL, 2);
	for (i = 0; i < 2; i++) {
		r[i] = (struct racer){
			.go = &go,
			.fd = port ? reuse_socket(lo, port) :
			      socket(xtcp_family_of(lo),
				     SOCK_STREAM | SOCK_NONBLOCK,
				     IPPROTO_XTCP),
		};
		r[i].plen = xtcp_sockaddr(lo, PORT_A, &r[i].peer);
		if (r[i].fd < 0)
			return -1;
	}
	for (i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, connect_racer, &r[i]);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&go);
	for (i = 0; i < 2; i++) {
		if (r[i].err == 0 || r[i].err == EINPROGRESS)
			won++;
		else if (r[i].err != EADDRNOTAVAIL)
			won = -100;
	}
	/* The winner's connection completes: take it off the queue. */
	if (won == 1) {
		struct pollfd pfd = { .fd = lfd, .events = POLLIN };

		if (poll(&pfd, 1, 5000) != 1)
			return -1;
		child = accept(lfd, NULL, NULL);
		if (child < 0)
			return -1;
		xtcp_reset_close(child);
	}
	for (i = 0; i < 2; i++)
		xtcp_reset_close(r[i].fd);
	return won;
}

/*
 * Rounds (XTCP_TUPLE_ROUNDS, 300 by default; over IPv6 a third) of
 * tuple_round() against @lfd on @lo, from ports PORT_B up if @bound,
 * else connect()'s one port: exactly one socket gets the 4-tuple in
 * every round.
 */
static void tuple_rounds(struct __test_metadata *_metadata, int lfd,
			 const char *lo, bool bound)
{
	const char *env = getenv("XTCP_TUPLE_ROUNDS");
	int rounds = env ? atoi(env) : 300, i, won;

	if (xtcp_family_of(lo) == AF_INET6)
		rounds = (rounds + TUPLE_ROUNDS6_DIV - 1) / TUPLE_ROUNDS6_DIV;
	for (i = 0; i < rounds; i++) {
		won = tuple_round(lfd, lo, bound ? PORT_B + i % 1000 : 0);
		if (won != 1) {
			TH_LOG("round %d: %d sockets got the 4-tuple", i, won);
			break;
		}
	}
	TH_LOG("%d rounds of %d", i, rounds);
	EXPECT_EQ(rounds, i);
}

/*
 * Rounds of two SO_REUSEADDR sockets on one local port connecting to
 * one listener at the same moment: in every round exactly one gets the
 * 4-tuple and the other EADDRNOTAVAIL, however their calls interleave.
 */
TEST_F_TIMEOUT(tuple, one_connect_per_4tuple, 300)
{
	tuple_rounds(_metadata, self->lfd, "127.0.0.1", true);
}

TEST_F_TIMEOUT(tuple6, one_connect_per_4tuple, 300)
{
	tuple_rounds(_metadata, self->lfd, "::1", true);
}

/*
 * The same with connect() choosing the port: rounds of two unbound
 * sockets connecting to one listener at once, in a namespace whose
 * ip_local_port_range has a single port.  Each owns the port first,
 * then checks the 4-tuple under its established chain's lock: exactly
 * one gets it, the other EADDRNOTAVAIL.
 */
FIXTURE(eph) {
	int lfd;
};

/* A new namespace with one ephemeral port; the listener on @lo. */
static int eph_listener(const char *lo)
{
	if (xtcp_new_netns() ||
	    xtcp_write_str("/proc/sys/net/ipv4/ip_local_port_range",
			   "43100 43100"))
		return -1;
	return tuple_listener(lo);
}

FIXTURE_SETUP(eph)
{
	self->lfd = eph_listener("127.0.0.1");
	ASSERT_LE(0, self->lfd);
}

FIXTURE_TEARDOWN(eph)
{
	close(self->lfd);
}

FIXTURE(eph6) {
	int lfd;
};

FIXTURE_SETUP(eph6)
{
	self->lfd = eph_listener("::1");
	ASSERT_LE(0, self->lfd);
}

FIXTURE_TEARDOWN(eph6)
{
	close(self->lfd);
}

TEST_F_TIMEOUT(eph, one_connect_per_4tuple, 300)
{
	tuple_rounds(_metadata, self->lfd, "127.0.0.1", false);
}

TEST_F_TIMEOUT(eph6, one_connect_per_4tuple, 300)
{
	tuple_rounds(_metadata, self->lfd, "::1", false);
}

/*
 * Connections whose every send fails (found by xtcp_fuzz, seed 2): the
 * client is bound to a device that does not reach its peer over lo, so
 * IP refuses each of its segments; both ends close.  Every socket ends
 * within seconds with orphan_retries 2, as Linux TCP's do with
 * tcp_orphan_retries 2, instead of living on in FIN_WAIT1 (2 rather
 * than more: each retry doubles the seconds the test takes).
 */
FIXTURE(failing) {
	const char *proc;
};

FIXTURE_VARIANT(failing) {
	int proto;
	const char *proc;
	const char *orphan_retries;
	const char *lo;		/* the loopback address of the family */
};

FIXTURE_VARIANT_ADD(failing, tcp) {
	.proto = IPPROTO_TCP,
	.proc = "/proc/net/tcp",
	.orphan_retries = "/proc/sys/net/ipv4/tcp_orphan_retries",
	.lo = "127.0.0.1",
};

FIXTURE_VARIANT_ADD(failing, xtcp) {
	.proto = IPPROTO_XTCP,
	.proc = "/proc/net/xtcp",
	.orphan_retries = "/proc/sys/net/xtcp/orphan_retries",
	.lo = "127.0.0.1",
};

/* IPv6's own transmit path failing (the route to ::1 is lo's). */
FIXTURE_VARIANT_ADD(failing, xtcp6) {
	.proto = IPPROTO_XTCP,
	.proc = "/proc/net/xtcp6",
	.orphan_retries = "/proc/sys/net/xtcp/orphan_retries",
	.lo = "::1",
};

FIXTURE_SETUP(failing)
{
	XTCP_SKIP_TCP_VARIANT(variant->proto);
	ASSERT_EQ(0, xtcp_new_netns());
	ASSERT_EQ(0, sh(IP " link add veth0 type veth peer name veth1 && "
		       IP " link set veth0 up && " IP " link set veth1 up && "
		       IP " addr add 198.18.0.1/24 dev veth0"));
	ASSERT_EQ(0, xtcp_write_str(variant->orphan_retries, "2"));
}

FIXTURE_TEARDOWN(failing)
{
}

TEST_F_TIMEOUT(failing, orphan_whose_sends_fail_ends, 90)
{
	struct sockaddr_storage to;
	socklen_t tlen = xtcp_sockaddr(variant->lo, PORT_A, &to);
	char buf[1000] = { 0 };
	int l, c, s, n = -1;
	long long t0;

	l = socket(to.ss_family, SOCK_STREAM, variant->proto);
	ASSERT_EQ(0, xtcp_bind(l, variant->lo, PORT_A));
	ASSERT_EQ(0, listen(l, 5));
	c = socket(to.ss_family, SOCK_STREAM, variant->proto);
	ASSERT_EQ(0, connect(c, (struct sockaddr *)&to, tlen));
	s = accept(l, NULL, NULL);
	ASSERT_LE(0, s);
	close(l);
	ASSERT_EQ(0, setsockopt(c, SOL_SOCKET, SO_BINDTODEVICE, "veth0", 6));
	ASSERT_EQ(sizeof(buf), send(c, buf, sizeof(buf), 0));
	close(c);
	close(s);
	t0 = xtcp_now_ms();
	xtcp_read_poll_timeout(xtcp_proc_count, n, n <= 0, 100000, 60000,
			       variant->proc);
	TH_LOG("%d sockets left after %lld ms", n, xtcp_now_ms() - t0);
	EXPECT_EQ(0, n);
}

TEST_HARNESS_MAIN
