// SPDX-License-Identifier: GPL-2.0
/*
 * SYN-flood defence (issue 14, item 2; RFC 4987): SYN cookies and the
 * listen queue limits, seen from the phantom peer of xtcp_peer.h in b
 * talking to a listener in a, of Linux TCP and of xtcp.
 *
 *  - syncookies=2: every SYN is answered with a cookie and leaves no
 *    request behind; the cookie SYN-ACK offers only the MSS, rounded
 *    down to Linux's table; the right ACK creates the connection, whose
 *    data arrives intact;
 *  - an ACK whose numbers carry no valid cookie creates nothing and is
 *    answered with a RST;
 *  - syncookies=1: a SYN that finds the request queue full gets a cookie,
 *    one that finds the accept queue full is dropped; syncookies=0: a
 *    SYN that finds the request queue full is dropped;
 *  - under a flood of spoofed SYNs at a listener of backlog 16, a real
 *    client connects with at most one SYN retransmission; over IPv4
 *    (flood) and over IPv6 (flood6).
 *
 * The cookie tests run over IPv6 too (variants tcp6 and xtcp6, the
 * phantom peer at ADDR_P6 facing a listener on ADDR_A6), with the same
 * expectations but for the MSS table a cookie encodes: IPv6's (Linux's
 * net/ipv6/syncookies.c: 1220, 1420, 1440, 8940) in place of IPv4's
 * (536, 1300, 1440, 1460).  Linux's tcp_syncookies and xtcp's
 * syncookies are one knob for both families.  The IPv6 variants run the
 * tests whose segments take IPv6's own paths (the cookie made and
 * checked, the reset, requests and cookies completing), and skip the
 * two of the queue limits alone (no_cookies_drop,
 * accept_queue_full_drops): one code for both families, which the IPv4
 * variants run, and each test costs CI seconds.
 */
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/mman.h>

#include "xtcp_peer.h"
#include "xtcp_raw6.h"
#include "kselftest_harness.h"

#define COOKIE_ISN	1000

/*
 * The cookie tests run over Linux TCP too: the peer is xtcp_peer.h's
 * phantom one, and the expectations are the same but for two
 * differences (Documentation/security.rst): what a cookie SYN-ACK offers
 * (cookie_opts), where Linux keeps window scale, SACK and timestamps in
 * the low bits of its timestamp when the SYN offers timestamps, and xtcp
 * offers the MSS alone; and how many requests a listener keeps before
 * its queue is full (requests): backlog + 1 for Linux 6.1
 * (inet_csk_reqsk_queue_is_full() compares with >, as for the accept
 * queue), backlog for xtcp.
 */
FIXTURE(cookie) {
	char a[32], b[32];
	struct raw_peer p;
	int lfd;
	const char *proc;	/* a's /proc/net/tcp or /proc/net/xtcp */
};

FIXTURE_VARIANT(cookie) {
	int proto;
	int family;
	const char *proc;
	const char *syncookies;
	uint8_t cookie_opts;	/* what a cookie SYN-ACK offers */
	int requests;		/* the requests a backlog of 1 holds */
	uint16_t mss1400;	/* the cookie's MSS for a SYN's 1400 */
	uint16_t mss_last;	/* a SYN's MSS of the table's last index */
};

FIXTURE_VARIANT_ADD(cookie, tcp) {
	.proto = IPPROTO_TCP,
	.family = AF_INET,
	.proc = "/proc/net/tcp",
	.syncookies = "/proc/sys/net/ipv4/tcp_syncookies",
	.cookie_opts = XTCP_OPTF_MSS | XTCP_OPTF_WSCALE | XTCP_OPTF_SACK_PERM |
		       XTCP_OPTF_TS,
	.requests = 2,
	.mss1400 = 1300,
	.mss_last = 1460,
};

FIXTURE_VARIANT_ADD(cookie, xtcp) {
	.proto = IPPROTO_XTCP,
	.family = AF_INET,
	.proc = "/proc/net/xtcp",
	.syncookies = "/proc/sys/net/xtcp/syncookies",
	.cookie_opts = XTCP_OPTF_MSS,
	.requests = 1,
	.mss1400 = 1300,
	.mss_last = 1460,
};

FIXTURE_VARIANT_ADD(cookie, tcp6) {
	.proto = IPPROTO_TCP,
	.family = AF_INET6,
	.proc = "/proc/net/tcp6",
	.syncookies = "/proc/sys/net/ipv4/tcp_syncookies",
	.cookie_opts = XTCP_OPTF_MSS | XTCP_OPTF_WSCALE | XTCP_OPTF_SACK_PERM |
		       XTCP_OPTF_TS,
	.requests = 2,
	.mss1400 = 1220,
	.mss_last = 9000,
};

FIXTURE_VARIANT_ADD(cookie, xtcp6) {
	.proto = IPPROTO_XTCP,
	.family = AF_INET6,
	.proc = "/proc/net/xtcp6",
	.syncookies = "/proc/sys/net/xtcp/syncookies",
	.cookie_opts = XTCP_OPTF_MSS,
	.requests = 1,
	.mss1400 = 1220,
	.mss_last = 9000,
};

/* The hosts come up in cookie_open(), after a test's SKIP() if any. */
FIXTURE_SETUP(cookie)
{
	XTCP_SKIP_TCP_VARIANT(variant->proto);
	self->a[0] = 0;
	self->lfd = -1;
	self->p.raw = -1;
	self->p.pkt = -1;
	self->proc = variant->proc;
}

FIXTURE_TEARDOWN(cookie)
{
	if (self->lfd >= 0)
		close(self->lfd);
	raw_peer_close(&self->p);
	if (self->a[0])
		hosts_down(self->a, self->b);
}

/*
 * Hosts a and b, syncookies=@mode in a, then the peer faces a listener
 * of @backlog.
 */
static int cookie_open(struct _test_data_cookie *self,
		       const struct _fixture_variant_cookie *variant,
		       const char *mode, int backlog)
{
	char cmd[96];

	if (hosts_up(self->a, self->b, sizeof(self->a)))
		return -1;
	snprintf(cmd, sizeof(cmd), "echo %s > %s", mode, variant->syncookies);
	if (ns_sh(self->a, cmd))
		return -1;
	return phantom_peer_open_family(self->a, self->b, variant->family,
					variant->proto, 0, backlog, &self->p,
					&self->lfd);
}

static long a_counter(struct _test_data_cookie *self, const char *name)
{
	return ns_proto_counter(self->a, self->b, raw_peer_proto(&self->p),
				name);
}

/* Poll (up to 5 s) until a's counter @name is @want; the last value. */
static long wait_a_counter(struct _test_data_cookie *self, const char *name,
			   long want)
{
	long v;

	xtcp_read_poll_timeout(a_counter, v, v == want, 5000, 5000, self,
			       name);
	return v;
}

/* Entries of a's /proc/net/(x)tcp in @state, read from b. */
static int a_count_state(struct _test_data_cookie *self, int state)
{
	int n;

	if (enter_ns(self->a))
		return -1;
	n = xtcp_proc_count_state_in(self->proc, state);
	return enter_ns(self->b) ? -1 : n;
}

/*
 * A SYN from the peer's port @port with sequence number @isn, offering
 * what Linux offers: MSS @mss, window scale, SACK and a timestamp.
 */
static int syn_from(struct raw_peer *p, uint16_t port, uint32_t isn,
		    uint16_t mss)
{
	int err;

	p->h.sport = port;
	p->h.opt.present = XTCP_OPTF_MSS | XTCP_OPTF_SACK_PERM |
			   XTCP_OPTF_WSCALE | XTCP_OPTF_TS;
	p->h.opt.mss = mss;
	p->h.opt.wscale = 7;
	p->h.opt.tsval = 4242;
	p->h.opt.tsecr = 0;
	p->h.doff = XTCP_HDR_LEN + xtcp_opts_len(&p->h.opt);
	err = raw_peer_send(p, isn, XTCP_FLAG_SYN, NULL, 0);
	p->h.opt.present = 0;
	p->h.doff = XTCP_HDR_LEN;
	return err;
}

/* a's next segment to the peer's port @port with @flags set (3 s). */
static int answer_to(struct raw_peer *p, uint16_t port, uint8_t flags,
		     struct xtcp_seg_hdr *h, struct xtcp_opts *o)
{
	return raw_peer_recv_from(p, port, flags, h, o, NULL, 0, NULL);
}

/* From port @port: the ACK of SYN-ACK @synack, with @len bytes. */
static int ack_from(struct raw_peer *p, uint16_t port, uint32_t seq,
		    uint32_t ack, const uint8_t *data, size_t len)
{
	p->h.sport = port;
	p->h.ack = ack;
	return raw_peer_send(p, seq, XTCP_FLAG_ACK, data, len);
}

/* accept() on a's listener within 5 s; the socket or -1. */
static int accept_wait(int lfd)
{
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };

	if (poll(&pfd, 1, 5000) != 1)
		return -1;
	return accept(lfd, NULL, NULL);
}

/*
 * syncookies=2: the SYN-ACK carries a cookie, offers the MSS only
 * (1400 announced: 1300, the largest of 536, 1300, 1440, 1460 not above
 * it; over IPv6 1220, of 1220, 1420, 1440, 8940) and leaves no SYN_RECV
 * entry; the ACK with 100 bytes creates the connection, without window
 * scale, SACK or timestamps, and the bytes arrive intact.
 */
TEST_F_TIMEOUT(cookie, always_cookie_no_request, 60)
{
	uint8_t data[100], buf[200];
	struct xtcp_seg_hdr sa, ack;
	struct tcp_info ti;
	struct xtcp_opts o;
	socklen_t len;
	int fd, i;

	for (i = 0; i < (int)sizeof(data); i++)
		data[i] = i * 7 + 3;
	ASSERT_EQ(0, cookie_open(self, variant, "2", 16));
	ASSERT_EQ(0, syn_from(&self->p, PORT_B, COOKIE_ISN, 1400));
	ASSERT_EQ(0, answer_to(&self->p, PORT_B, XTCP_FLAG_SYN | XTCP_FLAG_ACK,
			       &sa, &o));
	EXPECT_EQ(COOKIE_ISN + 1, sa.ack);
	EXPECT_EQ(variant->cookie_opts, o.present);
	EXPECT_EQ(1, a_counter(self, "SyncookiesSent"));
	EXPECT_EQ(0, a_count_state(self, 0x03));	/* SYN_RECV */
	EXPECT_EQ(1, a_count_state(self, 0x0A));	/* the listener */

	ASSERT_EQ(0, ack_from(&self->p, PORT_B, COOKIE_ISN + 1, sa.seq + 1,
			      data, sizeof(data)));
	ASSERT_EQ(0, answer_to(&self->p, PORT_B, XTCP_FLAG_ACK, &ack, &o));
	EXPECT_EQ(COOKIE_ISN + 1 + sizeof(data), ack.ack);
	EXPECT_EQ(sa.seq + 1, ack.seq);
	fd = accept_wait(self->lfd);
	ASSERT_LE(0, fd);
	EXPECT_EQ(PORT_B, xtcp_peer_port(fd));
	ASSERT_EQ((ssize_t)sizeof(data), recv(fd, buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, data, sizeof(data)));
	len = sizeof(ti);
	ASSERT_EQ(0, getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len));
	EXPECT_EQ(variant->mss1400, ti.tcpi_snd_mss);
	EXPECT_EQ(0, ti.tcpi_options & (TCPI_OPT_SACK | TCPI_OPT_WSCALE |
					TCPI_OPT_TIMESTAMPS));
	EXPECT_EQ(1, a_counter(self, "SyncookiesRecv"));
	EXPECT_EQ(0, a_counter(self, "SyncookiesFailed"));
	EXPECT_EQ(1, a_counter(self, "PassiveOpens"));
	xtcp_reset_close(fd);
}

/*
 * ACKs whose numbers carry no valid cookie: one acknowledging one more
 * than the cookie (the SYN's MSS, 1460 or over IPv6 9000, is the table's
 * last index: one more is outside it), one from another initial
 * sequence number.  Each
 * creates nothing and is answered with a RST (at its acknowledgment
 * number); the right ACK then still makes the connection.
 */
TEST_F_TIMEOUT(cookie, bad_cookie_reset, 60)
{
	struct xtcp_seg_hdr sa, rst;
	struct pollfd pfd;
	struct xtcp_opts o;
	int fd;

	ASSERT_EQ(0, cookie_open(self, variant, "2", 16));
	ASSERT_EQ(0, syn_from(&self->p, PORT_B, COOKIE_ISN,
			      variant->mss_last));
	ASSERT_EQ(0, answer_to(&self->p, PORT_B, XTCP_FLAG_SYN | XTCP_FLAG_ACK,
			       &sa, &o));

	ASSERT_EQ(0, ack_from(&self->p, PORT_B, COOKIE_ISN + 1, sa.seq + 2,
			      NULL, 0));
	ASSERT_EQ(0, answer_to(&self->p, PORT_B, XTCP_FLAG_RST, &rst, &o));
	EXPECT_EQ(sa.seq + 2, rst.seq);
	EXPECT_EQ(1, a_counter(self, "SyncookiesFailed"));

	ASSERT_EQ(0, ack_from(&self->p, PORT_B, COOKIE_ISN + 5001, sa.seq + 1,
			      NULL, 0));
	ASSERT_EQ(0, answer_to(&self->p, PORT_B, XTCP_FLAG_RST, &rst, &o));
	EXPECT_EQ(sa.seq + 1, rst.seq);
	EXPECT_EQ(2, a_counter(self, "SyncookiesFailed"));
	EXPECT_EQ(0, a_counter(self, "SyncookiesRecv"));
	EXPECT_EQ(0, a_counter(self, "PassiveOpens"));
	EXPECT_EQ(0, a_count_state(self, 0x01));	/* ESTABLISHED */
	pfd = (struct pollfd){ .fd = self->lfd, .events = POLLIN };
	EXPECT_EQ(0, poll(&pfd, 1, 0));

	ASSERT_EQ(0, ack_from(&self->p, PORT_B, COOKIE_ISN + 1, sa.seq + 1,
			      NULL, 0));
	fd = accept_wait(self->lfd);
	ASSERT_LE(0, fd);
	EXPECT_EQ(1, a_counter(self, "SyncookiesRecv"));
	EXPECT_EQ(2, a_counter(self, "SyncookiesFailed"));
	xtcp_reset_close(fd);
}

/*
 * syncookies=1, backlog 1: the first SYNs get a request each (SYN_RECV,
 * and a SYN-ACK with every option offered), as many as the request
 * queue holds (variant->requests); the next finds it full and gets a
 * cookie.  All complete, in either order.
 */
TEST_F_TIMEOUT(cookie, overflow_gets_cookie, 60)
{
	struct xtcp_seg_hdr sa[2], sc;
	struct xtcp_opts o;
	int n = variant->requests, fd, i;
	uint32_t tsval[2];

	ASSERT_GE(2, n);
	ASSERT_EQ(0, cookie_open(self, variant, "1", 1));
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, syn_from(&self->p, PORT_B + i, COOKIE_ISN, 1460));
		ASSERT_EQ(0, answer_to(&self->p, PORT_B + i,
				       XTCP_FLAG_SYN | XTCP_FLAG_ACK, &sa[i],
				       &o));
		EXPECT_EQ(XTCP_OPTF_MSS | XTCP_OPTF_WSCALE |
			  XTCP_OPTF_SACK_PERM | XTCP_OPTF_TS, o.present);
		tsval[i] = o.tsval;
		EXPECT_EQ(0, a_counter(self, "SyncookiesSent"));
		EXPECT_EQ(i + 1, a_count_state(self, 0x03));
	}

	ASSERT_EQ(0, syn_from(&self->p, PORT_B + n, COOKIE_ISN, 1460));
	ASSERT_EQ(0, answer_to(&self->p, PORT_B + n,
			       XTCP_FLAG_SYN | XTCP_FLAG_ACK, &sc, &o));
	EXPECT_EQ(variant->cookie_opts, o.present);
	EXPECT_EQ(1, a_counter(self, "SyncookiesSent"));
	EXPECT_EQ(n, a_count_state(self, 0x03));

	ASSERT_EQ(0, ack_from(&self->p, PORT_B + n, COOKIE_ISN + 1,
			      sc.seq + 1, NULL, 0));
	fd = accept_wait(self->lfd);
	ASSERT_LE(0, fd);
	EXPECT_EQ(PORT_B + n, xtcp_peer_port(fd));
	EXPECT_EQ(1, a_counter(self, "SyncookiesRecv"));
	xtcp_reset_close(fd);

	/* The requests' ACKs carry the timestamps they agreed to. */
	for (i = 0; i < n; i++) {
		self->p.h.opt.present = XTCP_OPTF_TS;
		self->p.h.opt.tsval = 4243;
		self->p.h.opt.tsecr = tsval[i];
		self->p.h.doff = XTCP_HDR_LEN + xtcp_opts_len(&self->p.h.opt);
		ASSERT_EQ(0, ack_from(&self->p, PORT_B + i, COOKIE_ISN + 1,
				      sa[i].seq + 1, NULL, 0));
		fd = accept_wait(self->lfd);
		ASSERT_LE(0, fd);
		EXPECT_EQ(PORT_B + i, xtcp_peer_port(fd));
		xtcp_reset_close(fd);
	}
	EXPECT_EQ(0, a_count_state(self, 0x03));
	EXPECT_EQ(0, a_counter(self, "ListenDrops"));
}

/*
 * syncookies=0, backlog 1: once the request queue is full, the next SYN
 * is dropped, unanswered (ListenDrops; the accept queue had room, so not
 * ListenOverflows).
 */
TEST_F_TIMEOUT(cookie, no_cookies_drop, 60)
{
	int n = variant->requests, i;
	struct xtcp_seg_hdr sa;
	struct xtcp_opts o;
	long in0;

	if (variant->family == AF_INET6)
		SKIP(return, "the listen queues are one code for both families");
	ASSERT_EQ(0, cookie_open(self, variant, "0", 1));
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, syn_from(&self->p, PORT_B + i, COOKIE_ISN, 1460));
		ASSERT_EQ(0, answer_to(&self->p, PORT_B + i,
				       XTCP_FLAG_SYN | XTCP_FLAG_ACK, &sa,
				       &o));
	}
	in0 = a_counter(self, "InSegs");
	ASSERT_EQ(0, syn_from(&self->p, PORT_B + n, COOKIE_ISN, 1460));
	EXPECT_EQ(-ETIMEDOUT, answer_to(&self->p, PORT_B + n, 0, &sa, &o));
	EXPECT_EQ(in0 + 1, a_counter(self, "InSegs"));
	EXPECT_EQ(1, a_counter(self, "ListenDrops"));
	EXPECT_EQ(0, a_counter(self, "ListenOverflows"));
	EXPECT_EQ(0, a_counter(self, "SyncookiesSent"));
	EXPECT_EQ(n, a_count_state(self, 0x03));
}

/*
 * syncookies=1, backlog 1: two connections fill the accept queue (Linux's
 * backlog + 1); a third SYN is dropped, with no cookie either, whose ACK
 * would find no room (ListenOverflows and ListenDrops).
 */
TEST_F_TIMEOUT(cookie, accept_queue_full_drops, 60)
{
	struct xtcp_seg_hdr sa;
	struct xtcp_opts o;
	long in0;
	int i;

	if (variant->family == AF_INET6)
		SKIP(return, "the listen queues are one code for both families");
	ASSERT_EQ(0, cookie_open(self, variant, "1", 1));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, syn_from(&self->p, PORT_B + i, COOKIE_ISN, 1460));
		ASSERT_EQ(0, answer_to(&self->p, PORT_B + i,
				       XTCP_FLAG_SYN | XTCP_FLAG_ACK, &sa, &o));
		ASSERT_EQ(0, ack_from(&self->p, PORT_B + i, COOKIE_ISN + 1,
				      sa.seq + 1, NULL, 0));
		ASSERT_EQ(i + 1, wait_a_counter(self, "PassiveOpens", i + 1));
	}
	in0 = a_counter(self, "InSegs");
	ASSERT_EQ(0, syn_from(&self->p, PORT_B + 2, COOKIE_ISN, 1460));
	EXPECT_EQ(-ETIMEDOUT, answer_to(&self->p, PORT_B + 2, 0, &sa, &o));
	EXPECT_EQ(in0 + 1, a_counter(self, "InSegs"));
	EXPECT_EQ(1, a_counter(self, "ListenOverflows"));
	EXPECT_EQ(1, a_counter(self, "ListenDrops"));
	EXPECT_EQ(0, a_counter(self, "SyncookiesSent"));
	EXPECT_EQ(2, a_count_state(self, 0x01));
}

/*
 * The flood: spoofed SYNs from random addresses of 198.19.0.0/16 and
 * random ports, which a routes to b, where they are dropped (b does not
 * forward), as an attacker's SYN-ACKs would vanish.  b's own xtcp is on,
 * for the real client; the links have no delay, so that the flood goes
 * as fast as the machine can send it.  Over IPv6 the same, between
 * 2001:2::1 (a) and 2001:2::2 (b), from 2001:2:1::/112, which b holds
 * in a blackhole route (without it, b would answer the SYN-ACKs with
 * ICMPv6 unreachables).
 */
#define FLOOD_MS	4000
#define FLOOD_BACKLOG	16
#define ADDR6_A		"2001:2::1"
#define ADDR6_B		"2001:2::2"

struct flood_stats {
	int family;
	long sent;
	long long ms;
};

/* In b: spoofed SYNs at a's listener for FLOOD_MS; counts what it sent. */
static int flooder(void *arg)
{
	struct flood_stats *st = arg;
	uint32_t daddr = inet_addr(ADDR_A);
	struct in6_addr saddr6, daddr6;
	long long t0 = xtcp_now_ms();
	uint32_t saddr;
	int fd, i, err;
	long r;

	inet_pton(AF_INET6, "2001:2:1::", &saddr6);
	inet_pton(AF_INET6, ADDR6_A, &daddr6);
	fd = st->family == AF_INET6 ? xtcp_raw6_hdrincl_socket() :
	     xtcp_raw_hdrincl_socket();
	if (fd < 0)
		return 1;
	srandom(getpid());
	while (xtcp_now_ms() < t0 + FLOOD_MS) {
		for (i = 0; i < 64; i++) {
			r = random();
			saddr = htonl(0xc6130000 | (r & 0xffff));
			saddr6.s6_addr[14] = r >> 8;
			saddr6.s6_addr[15] = r;
			if (st->family == AF_INET6)
				err = xtcp_raw6_syn(fd, &saddr6, &daddr6,
						    1024 + (r >> 16) % 60000,
						    PORT_A, random());
			else
				err = ip_raw_syn(fd, saddr, daddr,
						 1024 + (r >> 16) % 60000,
						 PORT_A, random());
			if (!err)
				st->sent++;
		}
	}
	st->ms = xtcp_now_ms() - t0;
	close(fd);
	return 0;
}

/* The world of a flood test: its hosts and the flooder's figures. */
struct flood_ctx {
	char a[32], b[32];
	struct flood_stats *st;
};

/* Hosts a and b without delay, the spoofed range routed to b. */
static void flood_hosts_up(struct __test_metadata *_metadata,
			   struct flood_ctx *self, int family)
{
	self->st = mmap(NULL, sizeof(*self->st), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->st);
	self->st->family = family;
	ASSERT_EQ(0, hosts_up(self->a, self->b, sizeof(self->a)));
	ASSERT_EQ(0, sh(TC " -n %s qdisc del dev veth0 root && "
			TC " -n %s qdisc del dev veth0 root && "
			IP " -n %s route add 198.19.0.0/16 via " ADDR_B,
			self->a, self->b, self->a));
	if (family != AF_INET6)
		return;
	ASSERT_EQ(0, sh(IP " -n %s addr add " ADDR6_A "/64 dev veth0 nodad && "
			IP " -n %s addr add " ADDR6_B "/64 dev veth0 nodad && "
			IP " -n %s route add 2001:2:1::/112 via " ADDR6_B " && "
			IP " -n %s route add blackhole 2001:2:1::/112",
			self->a, self->b, self->a, self->b));
	ASSERT_EQ(0, static_neigh(self->a, self->b, ADDR6_B));
	ASSERT_EQ(0, static_neigh(self->b, self->a, ADDR6_A));
}

static void flood_hosts_down(struct flood_ctx *self)
{
	hosts_down(self->a, self->b);
	munmap(self->st, sizeof(*self->st));
}

FIXTURE(flood) {
	struct flood_ctx c;
};

FIXTURE_SETUP(flood)
{
	flood_hosts_up(_metadata, &self->c, AF_INET);
}

FIXTURE_TEARDOWN(flood)
{
	flood_hosts_down(&self->c);
}

/* A nonblocking socket of @family bound to @ip; or -1. */
static int flood_socket(int family, const char *ip, unsigned short port)
{
	int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK, IPPROTO_XTCP);

	if (fd >= 0 && xtcp_bind(fd, ip, port)) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * A listener of backlog 16 under the flood (syncookies=1, the default):
 * once its request queue is full and it answers with cookies, a real
 * xtcp client in b connects with at most one SYN retransmission, gets
 * accepted, and its bytes arrive intact.  The rate of SYNs the listener
 * took is printed (Documentation/security.rst), not asserted.
 */
static void flood_run(struct __test_metadata *_metadata,
		      struct flood_ctx *self)
{
	int family = self->st->family;
	const char *addr_a = family == AF_INET6 ? ADDR6_A : ADDR_A;
	const char *addr_b = family == AF_INET6 ? ADDR6_B : ADDR_B;
	const char *proc = xtcp_proc_path(IPPROTO_XTCP, family);
	long in0, cookies0, in1, cookies1, drops;
	long long t0, deadline;
	char data[1000], buf[1000];
	struct tcp_info ti;
	int lfd, fd, s, i;
	socklen_t len;
	ssize_t n, got;
	pid_t pid;

	for (i = 0; i < (int)sizeof(data); i++)
		data[i] = i * 13 + 5;
	ASSERT_EQ(0, enter_ns(self->a));
	lfd = flood_socket(family, addr_a, PORT_A);
	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, listen(lfd, FLOOD_BACKLOG));
	in0 = xtcp_counter("InSegs");
	cookies0 = xtcp_counter("SyncookiesSent");
	t0 = xtcp_now_ms();
	pid = spawn_in(self->b, flooder, self->st);
	ASSERT_LT(0, pid);

	/* The client comes once the flood has filled the request queue. */
	deadline = xtcp_now_ms() + 10000;
	while (xtcp_counter("SyncookiesSent") == cookies0 &&
	       xtcp_now_ms() < deadline)
		usleep(1000);
	ASSERT_LT(cookies0, xtcp_counter("SyncookiesSent"));
	EXPECT_EQ(FLOOD_BACKLOG, xtcp_proc_count_state_in(proc, 0x03));

	ASSERT_EQ(0, enter_ns(self->b));
	fd = flood_socket(family, addr_b, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, connect_wait(fd, addr_a, PORT_A));
	len = sizeof(ti);
	ASSERT_EQ(0, getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len));
	TH_LOG("client connected %lld ms into the flood, %u SYN(s) sent again",
	       xtcp_now_ms() - t0, ti.tcpi_total_retrans);
	EXPECT_GE(1, ti.tcpi_total_retrans);
	s = accept_wait(lfd);
	ASSERT_LE(0, s);
	EXPECT_EQ(xtcp_local_port(fd), xtcp_peer_port(s));
	ASSERT_EQ((ssize_t)sizeof(data), send(fd, data, sizeof(data), 0));
	for (got = 0; got < (ssize_t)sizeof(buf); got += n) {
		struct pollfd pfd = { .fd = s, .events = POLLIN };

		ASSERT_EQ(1, poll(&pfd, 1, 5000));
		n = recv(s, buf + got, sizeof(buf) - got, 0);
		ASSERT_LT(0, n);
	}
	EXPECT_EQ(0, memcmp(buf, data, sizeof(data)));

	ASSERT_EQ(0, child_status(pid));
	ASSERT_EQ(0, enter_ns(self->a));
	in1 = xtcp_counter("InSegs");
	cookies1 = xtcp_counter("SyncookiesSent");
	drops = xtcp_counter("ListenDrops");
	EXPECT_EQ(1, xtcp_counter("SyncookiesRecv"));
	TH_LOG("flood: %ld spoofed SYNs in %lld ms (%lld/s)", self->st->sent,
	       self->st->ms,
	       self->st->ms ? self->st->sent * 1000 / self->st->ms : 0);
	TH_LOG("the listener took %ld segments, answered %ld with cookies (%lld/s), dropped %ld",
	       in1 - in0, cookies1 - cookies0,
	       self->st->ms ? (cookies1 - cookies0) * 1000 / self->st->ms : 0,
	       drops);
	close(s);
	close(fd);
	close(lfd);
}

TEST_F_TIMEOUT(flood, client_connects, 120)
{
	flood_run(_metadata, &self->c);
}

/*
 * The same over IPv6 (xtcp only, as flood): the IPv6 listener's request
 * queue and cookies under the flood.
 */
FIXTURE(flood6) {
	struct flood_ctx c;
};

FIXTURE_SETUP(flood6)
{
	flood_hosts_up(_metadata, &self->c, AF_INET6);
}

FIXTURE_TEARDOWN(flood6)
{
	flood_hosts_down(&self->c);
}

TEST_F_TIMEOUT(flood6, client_connects, 120)
{
	flood_run(_metadata, &self->c);
}

TEST_HARNESS_MAIN
