// SPDX-License-Identifier: GPL-2.0
/*
 * TIME_WAIT: how long it lasts, what it answers (a RST among others),
 * the port and 4-tuple it holds, how many entries a namespace keeps.
 *
 * The client always closes first, so the TIME_WAIT entry is the
 * client's: local port CPORT (or an ephemeral one), remote port PORT.
 * Each test runs in its own network namespace; those of twrst in two,
 * facing xtcp_peer.h's phantom peer.  The tests of fixture tw run over
 * Linux TCP and xtcp, IPv4 and IPv6 (variants tcp, xtcp, tcp6, xtcp6)
 * with the same bodies; those of twx, xtcp's own, and twrst over IPv4.
 */
#include "xtcp_peer.h"
#include "kselftest_harness.h"

#define PORT	22001
#define CPORT	22002

/* Count TIME_WAIT lines; *@out gets the one from @lport (if any). */
static int tw_count(const char *proc, unsigned int lport,
		    struct xtcp_proc_sock *out)
{
	struct xtcp_proc_sock t;
	int n = 0;
	FILE *f = fopen(proc, "r");

	if (!f)
		return -1;
	while (xtcp_proc_next(f, &t)) {
		if (t.state != 0x06)
			continue;
		n++;
		if (out && t.lport == lport)
			*out = t;
	}
	fclose(f);
	return n;
}

/*
 * Read @proc @size bytes at a time, each read() resuming the walk where
 * the last one stopped: TIME_WAIT lines from local ports @lo to @hi, or
 * -1 if a local port showed twice (an entry seen twice across a resume).
 */
static int tw_count_in_pieces(const char *proc, size_t size,
			      unsigned int lo, unsigned int hi)
{
	static uint8_t seen[65536];
	char buf[4096], *line, *nl;
	struct xtcp_proc_sock t;
	size_t have = 0;
	int fd, n = 0;
	ssize_t got;

	memset(seen, 0, sizeof(seen));
	fd = open(proc, O_RDONLY);
	if (fd < 0 || size >= sizeof(buf))
		return -1;
	while ((got = read(fd, buf + have, size)) > 0) {
		have += got;
		line = buf;
		while ((nl = memchr(line, '\n', buf + have - line))) {
			*nl = '\0';
			if (xtcp_proc_parse(line, &t) && t.state == 0x06 &&
			    t.lport >= lo && t.lport <= hi) {
				if (seen[t.lport]++)
					n = -1;
				else if (n >= 0)
					n++;
			}
			line = nl + 1;
		}
		have = buf + have - line;
		memmove(buf, line, have);
	}
	close(fd);
	return got < 0 ? -1 : n;
}

/*
 * The loopback address the listener and the clients use: the tw
 * fixture's variant sets it (127.0.0.1 or ::1); twx keeps IPv4's.
 */
static const char *tw_lo = "127.0.0.1";

static int set_msl(int ms)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%d", ms);
	return xtcp_write_str("/proc/sys/net/xtcp/msl_ms", buf);
}

/*
 * One connection from @cfd (bound or not) to the listener, closed by
 * the client first.  Returns the client port, or 0.
 */
static unsigned short client_close_first(int lfd, int cfd)
{
	struct sockaddr_storage a;
	socklen_t len = xtcp_sockaddr(tw_lo, PORT, &a);
	unsigned short port;
	char b;
	int s;

	if (connect(cfd, (struct sockaddr *)&a, len))
		return 0;
	s = accept(lfd, NULL, NULL);
	if (s < 0)
		return 0;
	port = xtcp_local_port(cfd);
	close(cfd);
	if (recv(s, &b, 1, 0) != 0)
		port = 0;
	close(s);
	return port;
}

static unsigned short cycle(int proto, int lfd)
{
	int c = socket(xtcp_family_of(tw_lo), SOCK_STREAM, proto);

	return c < 0 ? 0 : client_close_first(lfd, c);
}

FIXTURE(tw) {
	int lfd;
};

FIXTURE_VARIANT(tw) {
	int proto;
	int family;
	const char *proc;	/* the sockets of that family */
	const char *lo;		/* its loopback address */
	const char *any;	/* its wildcard */
};

FIXTURE_VARIANT_ADD(tw, tcp) {
	.proto = IPPROTO_TCP,
	.family = AF_INET,
	.proc = "/proc/net/tcp",
	.lo = "127.0.0.1",
	.any = "0.0.0.0",
};

FIXTURE_VARIANT_ADD(tw, xtcp) {
	.proto = IPPROTO_XTCP,
	.family = AF_INET,
	.proc = "/proc/net/xtcp",
	.lo = "127.0.0.1",
	.any = "0.0.0.0",
};

FIXTURE_VARIANT_ADD(tw, tcp6) {
	.proto = IPPROTO_TCP,
	.family = AF_INET6,
	.proc = "/proc/net/tcp6",
	.lo = "::1",
	.any = "::",
};

FIXTURE_VARIANT_ADD(tw, xtcp6) {
	.proto = IPPROTO_XTCP,
	.family = AF_INET6,
	.proc = "/proc/net/xtcp6",
	.lo = "::1",
	.any = "::",
};

FIXTURE_SETUP(tw)
{
	XTCP_SKIP_TCP_VARIANT(variant->proto);
	tw_lo = variant->lo;
	ASSERT_EQ(0, xtcp_new_netns());
	self->lfd = socket(variant->family, SOCK_STREAM, variant->proto);
	ASSERT_LE(0, self->lfd);
	ASSERT_EQ(0, xtcp_set_reuseaddr(self->lfd));
	ASSERT_EQ(0, xtcp_bind(self->lfd, variant->lo, PORT));
	ASSERT_EQ(0, listen(self->lfd, 128));
}

FIXTURE_TEARDOWN(tw)
{
	close(self->lfd);
}

/* The active closer is in TIME_WAIT, shown with timer kind 3. */
TEST_F(tw, visible_in_proc)
{
	struct xtcp_proc_sock t = { 0 };
	unsigned short port;

	port = cycle(variant->proto, self->lfd);
	ASSERT_NE(0, port);
	ASSERT_EQ(1, tw_count(variant->proc, port, &t));
	EXPECT_EQ(port, t.lport);
	EXPECT_EQ(PORT, t.rport);
	EXPECT_EQ(3, t.timer);
}

static int bind_client(int proto, bool reuse)
{
	int c = socket(xtcp_family_of(tw_lo), SOCK_STREAM, proto);

	if (c < 0)
		return -1;
	if (reuse && xtcp_set_reuseaddr(c))
		return -1;
	if (xtcp_bind(c, tw_lo, CPORT))
		return -1;
	return c;
}

/* A TIME_WAIT entry on tw_lo:CPORT, its socket bound with @reuse. */
static void tw_entry_on_cport(struct __test_metadata *_metadata, int proto,
			      int lfd, bool reuse)
{
	int c = bind_client(proto, reuse);

	ASSERT_LE(0, c);
	ASSERT_EQ(CPORT, client_close_first(lfd, c));
}

/*
 * bind() of a new socket of @ip's family, SO_REUSEADDR set or not: 0 or
 * -errno.
 */
static int tw_try_bind(int proto, const char *ip, unsigned short port,
		       bool reuse)
{
	int n = socket(xtcp_family_of(ip), SOCK_STREAM, proto);
	int err;

	if (n < 0)
		return -errno;
	err = reuse ? xtcp_set_reuseaddr(n) : 0;
	if (!err)
		err = xtcp_bind(n, ip, port);
	close(n);
	return err;
}

/* The entry keeps its port bound, as Linux's TIME_WAIT sockets do. */
TEST_F(tw, holds_port)
{
	tw_entry_on_cport(_metadata, variant->proto, self->lfd, false);
	EXPECT_EQ(-EADDRINUSE,
		  tw_try_bind(variant->proto, variant->lo, CPORT, false));
	/* SO_REUSEADDR on the new socket alone is not enough. */
	EXPECT_EQ(-EADDRINUSE,
		  tw_try_bind(variant->proto, variant->lo, CPORT, true));
}

/*
 * IPV6_V6ONLY goes with the entry, as Linux's tw_ipv6only: a bind() to
 * 0.0.0.0 does not conflict with the entry of an IPV6_V6ONLY socket's
 * connection (nor did it with the socket), and does with that of a
 * socket without it, also when the port has both (the entries are then
 * walked).  bind() to a concrete IPv6 address sets IPV6_V6ONLY
 * (inet6_bind()), so the sockets without it are bound to ::.  The IPv6
 * variants alone: no IPv4 socket has the option.
 */
TEST_F(tw, v6only_entry_and_ipv4_wildcard)
{
	struct sockaddr_storage a;
	socklen_t len = xtcp_sockaddr("::1", PORT + 10, &a);
	int c, l2, s;
	char b;

	if (variant->family != AF_INET6)
		SKIP(return, "IPV6_V6ONLY: run by the tcp6 and xtcp6 variants");
	c = socket(AF_INET6, SOCK_STREAM, variant->proto);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, xtcp_set_int(c, IPPROTO_IPV6, IPV6_V6ONLY, 1));
	ASSERT_EQ(0, xtcp_set_reuseaddr(c));
	ASSERT_EQ(0, xtcp_bind(c, "::1", CPORT));
	ASSERT_EQ(CPORT, client_close_first(self->lfd, c));
	EXPECT_EQ(0, tw_try_bind(variant->proto, "0.0.0.0", CPORT, false));
	EXPECT_EQ(-EADDRINUSE,
		  tw_try_bind(variant->proto, "::1", CPORT, false));
	EXPECT_EQ(-EADDRINUSE, tw_try_bind(variant->proto, "::", CPORT, false));

	/* A second entry on CPORT, of a socket without IPV6_V6ONLY. */
	l2 = socket(AF_INET6, SOCK_STREAM, variant->proto);
	ASSERT_LE(0, l2);
	ASSERT_EQ(0, xtcp_bind(l2, "::1", PORT + 10));
	ASSERT_EQ(0, listen(l2, 8));
	c = socket(AF_INET6, SOCK_STREAM, variant->proto);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, xtcp_set_int(c, IPPROTO_IPV6, IPV6_V6ONLY, 0));
	ASSERT_EQ(0, xtcp_set_reuseaddr(c));
	ASSERT_EQ(0, xtcp_bind(c, "::", CPORT));
	ASSERT_EQ(0, connect(c, (struct sockaddr *)&a, len));
	s = accept(l2, NULL, NULL);
	ASSERT_LE(0, s);
	close(c);
	ASSERT_EQ(0, recv(s, &b, 1, 0));
	close(s);
	close(l2);
	ASSERT_EQ(2, tw_count(variant->proc, CPORT, NULL));
	EXPECT_EQ(-EADDRINUSE,
		  tw_try_bind(variant->proto, "0.0.0.0", CPORT, false));

	/* Alone, that entry keeps 0.0.0.0 off its port. */
	c = socket(AF_INET6, SOCK_STREAM, variant->proto);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, xtcp_set_int(c, IPPROTO_IPV6, IPV6_V6ONLY, 0));
	ASSERT_EQ(0, xtcp_bind(c, "::", CPORT + 1));
	ASSERT_EQ(CPORT + 1, client_close_first(self->lfd, c));
	EXPECT_EQ(-EADDRINUSE,
		  tw_try_bind(variant->proto, "0.0.0.0", CPORT + 1, false));
}

TEST_F(tw, reuseaddr_both_sides)
{
	tw_entry_on_cport(_metadata, variant->proto, self->lfd, true);
	EXPECT_EQ(0, tw_try_bind(variant->proto, variant->lo, CPORT, true));
}

/*
 * Whether a port is free, or which port bind(0) and connect() find, is
 * decided by that port's owners: TIME_WAIT entries on 64 other ports,
 * with SO_REUSEADDR or without, change no answer.
 */
TEST_F(tw, other_ports_entries_change_nothing)
{
	struct sockaddr_storage a;
	socklen_t alen = xtcp_sockaddr(variant->lo, PORT, &a);
	unsigned short got[2];
	int c, s[2], i, n;

	ASSERT_EQ(0, xtcp_write_str("/proc/sys/net/ipv4/ip_local_port_range",
				    "43200 43201"));
	for (i = 0; i < 64; i++) {
		c = socket(variant->family, SOCK_STREAM, variant->proto);
		ASSERT_LE(0, c);
		if (i % 2)
			ASSERT_EQ(0, xtcp_set_reuseaddr(c));
		ASSERT_EQ(0, xtcp_bind(c, variant->lo, CPORT + 1 + i));
		ASSERT_EQ(CPORT + 1 + i, client_close_first(self->lfd, c));
	}
	ASSERT_EQ(64, tw_count(variant->proc, 0, NULL));

	EXPECT_EQ(0, tw_try_bind(variant->proto, variant->lo, CPORT, false));
	EXPECT_EQ(0, tw_try_bind(variant->proto, variant->any, CPORT, false));
	n = socket(variant->family, SOCK_STREAM, variant->proto);
	ASSERT_LE(0, n);
	ASSERT_EQ(0, xtcp_bind(n, variant->lo, 0));
	EXPECT_LE(43200, xtcp_local_port(n));
	EXPECT_GE(43201, xtcp_local_port(n));
	close(n);

	/* Each of the range's two ports once, then no 4-tuple is left. */
	for (i = 0; i < 2; i++) {
		c = socket(variant->family, SOCK_STREAM, variant->proto);
		ASSERT_LE(0, c);
		ASSERT_EQ(0, connect(c, (struct sockaddr *)&a, alen));
		got[i] = xtcp_local_port(c);
		s[i] = c;
	}
	EXPECT_EQ(43200, got[0]);	/* connect() tries even ports first */
	EXPECT_EQ(43201, got[1]);
	c = socket(variant->family, SOCK_STREAM, variant->proto);
	ASSERT_LE(0, c);
	EXPECT_EQ(-1, connect(c, (struct sockaddr *)&a, alen));
	EXPECT_EQ(EADDRNOTAVAIL, errno);
	close(c);
	close(s[0]);
	close(s[1]);
}

/*
 * An entry holds its own address and port: another address is free, the
 * wildcard is not, not even with SO_REUSEADDR on the new socket alone;
 * the next port is free.
 */
TEST_F(tw, entry_holds_its_address_and_port)
{
	/* IPv6 has no second loopback address: no 127.0.0.2 there. */
	static const struct {
		const char *ip;
		unsigned short port;
		bool reuse;
		int err;
	} binds4[] = {
		{ "127.0.0.2", CPORT, false, 0 },
		{ "0.0.0.0", CPORT, false, -EADDRINUSE },
		{ "0.0.0.0", CPORT, true, -EADDRINUSE },
		{ "127.0.0.1", CPORT + 1, false, 0 },
		{ "0.0.0.0", CPORT + 1, false, 0 },
	}, binds6[] = {
		{ "::", CPORT, false, -EADDRINUSE },
		{ "::", CPORT, true, -EADDRINUSE },
		{ "::1", CPORT + 1, false, 0 },
		{ "::", CPORT + 1, false, 0 },
	};
	const bool v6 = variant->family == AF_INET6;
	const unsigned int n = v6 ? ARRAY_SIZE(binds6) : ARRAY_SIZE(binds4);
	const typeof(binds4[0]) *binds = v6 ? binds6 : binds4;
	unsigned int i;
	int err;

	tw_entry_on_cport(_metadata, variant->proto, self->lfd, false);
	for (i = 0; i < n; i++) {
		err = tw_try_bind(variant->proto, binds[i].ip, binds[i].port,
				  binds[i].reuse);
		EXPECT_EQ(binds[i].err, err)
			TH_LOG("bind %u: %s:%u", i, binds[i].ip, binds[i].port);
	}
}

/* With SO_REUSEADDR on both, the wildcard may share the entry's port. */
TEST_F(tw, reuseaddr_wildcard)
{
	tw_entry_on_cport(_metadata, variant->proto, self->lfd, true);
	EXPECT_EQ(0, tw_try_bind(variant->proto, variant->any, CPORT, true));
}

/* An entry holds its port in its own namespace only. */
TEST_F(tw, port_held_in_own_namespace)
{
	tw_entry_on_cport(_metadata, variant->proto, self->lfd, false);
	EXPECT_EQ(-EADDRINUSE,
		  tw_try_bind(variant->proto, variant->lo, CPORT, false));

	ASSERT_EQ(0, xtcp_new_netns());
	EXPECT_EQ(0, tw_count(variant->proc, 0, NULL));
	EXPECT_EQ(0, tw_try_bind(variant->proto, variant->lo, CPORT, false));
}

/*
 * A RST in TIME_WAIT, as Linux's tcp_timewait_state_process(): with
 * rfc1337 0 (tcp_rfc1337, both defaults) one at exactly the entry's
 * rcv_nxt ends it and frees its port; any other is dropped without an
 * answer; with rfc1337 1 every one is.
 *
 * Not over loopback: there the entry's ACKs reach the host's own
 * listener on the old server port (or no socket), whose RST, at
 * exactly the ACK's number, would end the entry too.  The peer is the
 * phantom one of xtcp_peer.h, which nothing answers for; the
 * connection from it to a is closed by a first, so the entry is a's,
 * on ADDR_A:PORT_A.
 */
FIXTURE(twrst) {
	char a[32], b[32];
	struct raw_peer p;
	int lfd;
	uint32_t rcv_nxt;		/* the entry's */
	struct xtcp_seg_hdr last;	/* its last ACK, of the peer's FIN */
};

FIXTURE_VARIANT(twrst) {
	int proto;
	int family;
	const char *addr;	/* a's, where the entry is */
	const char *proc;
	const char *rfc1337;
	const char *ratelimit;
};

FIXTURE_VARIANT_ADD(twrst, tcp) {
	.proto = IPPROTO_TCP,
	.family = AF_INET,
	.addr = ADDR_A,
	.proc = "/proc/net/tcp",
	.rfc1337 = "/proc/sys/net/ipv4/tcp_rfc1337",
	.ratelimit = "/proc/sys/net/ipv4/tcp_invalid_ratelimit",
};

FIXTURE_VARIANT_ADD(twrst, xtcp) {
	.proto = IPPROTO_XTCP,
	.family = AF_INET,
	.addr = ADDR_A,
	.proc = "/proc/net/xtcp",
	.rfc1337 = "/proc/sys/net/xtcp/rfc1337",
	.ratelimit = "/proc/sys/net/xtcp/invalid_ratelimit_ms",
};

/*
 * IPv6's own entries (their ACKs and the listener they let a SYN
 * through to are IPv6's), with the phantom peer at ADDR_P6; not over
 * Linux TCP, whose tcp variant shows the same expectations.
 */
FIXTURE_VARIANT_ADD(twrst, xtcp6) {
	.proto = IPPROTO_XTCP,
	.family = AF_INET6,
	.addr = ADDR_A6,
	.proc = "/proc/net/xtcp6",
	.rfc1337 = "/proc/sys/net/xtcp/rfc1337",
	.ratelimit = "/proc/sys/net/xtcp/invalid_ratelimit_ms",
};

/* Write @val to sysctl @path of a. */
static int twrst_sysctl(const char *a, const char *path, const char *val)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "echo %s > %s", val, path);
	return ns_sh(a, cmd);
}

/*
 * The phantom peer connects to a's listener (left open, without
 * SO_REUSEADDR); a closes first, the peer answers with its FIN, and a
 * is in TIME_WAIT.  a answers every ACK out of its window
 * (invalid_ratelimit 0), so that a test can ask the entry whether it
 * is still there as often as it needs.  The test runs in b.
 */
FIXTURE_SETUP(twrst)
{
	struct xtcp_seg_hdr fin;
	struct xtcp_opts o;
	uint32_t a_isn;
	int fd;

	self->lfd = -1;
	self->p.raw = -1;
	XTCP_SKIP_TCP_VARIANT(variant->proto);
	/*
	 * Over IPv6, the tests whose segments take IPv6's own paths (the
	 * entry's ACKs, the listener a SYN reaches once a RST ended it);
	 * what the entry makes of a segment is one code for both.
	 */
	if (variant->family == AF_INET6 &&
	    (strstr(_metadata->name, "rst_off_rcv_nxt_ignored") ||
	     strstr(_metadata->name, "bare_ack_at_rcv_nxt_quiet")))
		SKIP(longjmp(_metadata->env, 1),
		     "the entry's checks are one code for both families");
	ASSERT_EQ(0, hosts_up(self->a, self->b, sizeof(self->a)));
	ASSERT_EQ(0, twrst_sysctl(self->a, variant->ratelimit, "0"));
	ASSERT_EQ(0, phantom_peer_open_family(self->a, self->b,
					      variant->family, variant->proto,
					      0, 1, &self->p, &self->lfd));
	fd = raw_peer_connect(&self->p, self->lfd, &a_isn);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, raw_peer_recv_from(&self->p, PORT_B, XTCP_FLAG_FIN, &fin,
					&o, NULL, 0, NULL));
	ASSERT_EQ(a_isn + 1, fin.seq);
	self->p.h.ack = fin.seq + 1;
	ASSERT_EQ(0, raw_peer_send(&self->p, self->p.h.seq,
				   XTCP_FLAG_FIN | XTCP_FLAG_ACK, NULL, 0));
	self->rcv_nxt = self->p.h.seq + 1;
	ASSERT_EQ(0, raw_peer_recv(&self->p, &self->last, &o));
	ASSERT_EQ(fin.seq + 1, self->last.seq);
	ASSERT_EQ(self->rcv_nxt, self->last.ack);
	ASSERT_EQ(0, enter_ns(self->a));
	ASSERT_EQ(1, tw_count(variant->proc, PORT_A, NULL));
	ASSERT_EQ(0, enter_ns(self->b));
}

FIXTURE_TEARDOWN(twrst)
{
	if (self->lfd >= 0)
		close(self->lfd);
	raw_peer_close(&self->p);
	hosts_down(self->a, self->b);
}

/*
 * Segments a sends the peer: those within @wait ms if none comes, else
 * those within @settle ms of the first, which goes to *@first.
 * Segments cross the link in order, so whatever a answered before
 * comes before what it answers last, and right after it: a short
 * @settle is enough to see it.
 */
static int twrst_segments(struct raw_peer *p, int wait, int settle,
			  struct xtcp_seg_hdr *first)
{
	long long end = xtcp_now_ms() + wait;
	struct pollfd pfd = { .fd = p->pkt, .events = POLLIN };
	struct xtcp_seg_hdr h;
	uint8_t buf[2048];
	int n = 0;
	ssize_t len;

	while (xtcp_now_ms() < end) {
		if (poll(&pfd, 1, 10) != 1)
			continue;
		len = recv(p->pkt, buf, sizeof(buf), MSG_DONTWAIT);
		if (len < 0 || phantom_peer_parse(p, buf, len, &h) ||
		    h.sport != PORT_A || h.dport != PORT_B)
			continue;
		if (!n++) {
			*first = h;
			end = xtcp_now_ms() + settle;
		}
	}
	return n;
}

/*
 * Is a's entry still there, and did it stay quiet?  An ACK below its
 * rcv_nxt gets the ACK of the connection's end, and it is the one
 * segment a sends (had it answered an earlier RST, that answer would
 * come first); the entry is listed in a and holds its port against a
 * bind() without SO_REUSEADDR (the listener closed first, if open).
 */
static void twrst_still_there(struct __test_metadata *_metadata,
			      struct _test_data_twrst *self, int proto,
			      const char *proc, const char *addr)
{
	struct xtcp_seg_hdr h = { 0 };

	ASSERT_EQ(0, raw_peer_send(&self->p, self->rcv_nxt - 1, XTCP_FLAG_ACK,
				   NULL, 0));
	EXPECT_EQ(1, twrst_segments(&self->p, 3000, 300, &h));
	EXPECT_EQ(XTCP_FLAG_ACK, h.flags);
	EXPECT_EQ(self->last.seq, h.seq);
	EXPECT_EQ(self->rcv_nxt, h.ack);
	ASSERT_EQ(0, enter_ns(self->a));
	if (self->lfd >= 0)
		close(self->lfd);
	self->lfd = -1;
	EXPECT_EQ(1, tw_count(proc, PORT_A, NULL));
	EXPECT_EQ(-EADDRINUSE, tw_try_bind(proto, addr, PORT_A, false));
	if (proto == IPPROTO_XTCP)
		EXPECT_EQ(0, xtcp_counter("TwKilledByRst"));
	ASSERT_EQ(0, enter_ns(self->b));
}

/* Wait (up to 3 s) until no TIME_WAIT is listed in @proc; 0 or -1. */
static int tw_wait_none(const char *proc)
{
	long long end = xtcp_now_ms() + 3000;

	while (tw_count(proc, 0, NULL) != 0) {
		if (xtcp_now_ms() > end)
			return -1;
		usleep(5000);
	}
	return 0;
}

/* rfc1337 0 (the default): one number off, either side, is not enough. */
TEST_F(twrst, rst_off_rcv_nxt_ignored)
{
	ASSERT_EQ(0, enter_ns(self->a));
	ASSERT_EQ(0, xtcp_read_long(variant->rfc1337));
	/* xtcp's knob is 0 or 1 (Linux's takes any u8). */
	if (variant->proto == IPPROTO_XTCP)
		EXPECT_EQ(-EINVAL, xtcp_write_str(variant->rfc1337, "2"));
	ASSERT_EQ(0, enter_ns(self->b));
	ASSERT_EQ(0, raw_peer_send(&self->p, self->rcv_nxt + 1, XTCP_FLAG_RST,
				   NULL, 0));
	ASSERT_EQ(0, raw_peer_send(&self->p, self->rcv_nxt - 1,
				   XTCP_FLAG_RST | XTCP_FLAG_ACK, NULL, 0));
	twrst_still_there(_metadata, self, variant->proto, variant->proc,
			  variant->addr);
}

/*
 * rfc1337 1: not even a RST at exactly rcv_nxt ends TIME_WAIT; back at
 * 0, the same RST does, and the port is free for bind().
 */
TEST_F(twrst, rst_at_rcv_nxt_ends_it_unless_rfc1337)
{
	ASSERT_EQ(0, twrst_sysctl(self->a, variant->rfc1337, "1"));
	ASSERT_EQ(0, raw_peer_send(&self->p, self->rcv_nxt, XTCP_FLAG_RST,
				   NULL, 0));
	twrst_still_there(_metadata, self, variant->proto, variant->proc,
			  variant->addr);
	ASSERT_EQ(0, twrst_sysctl(self->a, variant->rfc1337, "0"));

	ASSERT_EQ(0, raw_peer_send(&self->p, self->rcv_nxt, XTCP_FLAG_RST,
				   NULL, 0));
	ASSERT_EQ(0, enter_ns(self->a));
	EXPECT_EQ(0, xtcp_read_long(variant->rfc1337));
	EXPECT_EQ(0, tw_wait_none(variant->proc));
	EXPECT_EQ(0, tw_try_bind(variant->proto, variant->addr, PORT_A, false));
	if (variant->proto == IPPROTO_XTCP) {
		EXPECT_EQ(1, xtcp_counter("TwKilledByRst"));
		EXPECT_EQ(0, xtcp_counter("TwRecycled"));
	}
	ASSERT_EQ(0, enter_ns(self->b));
	/* No answer to the RST that ended it. */
	EXPECT_EQ(0, twrst_segments(&self->p, 500, 0, &self->last));
}

/* Clock ticks left of a's entry, as /proc lists them, or -1. */
static long twrst_when(const char *a, const char *b, const char *proc)
{
	struct xtcp_proc_sock t = { 0 };
	long when = -1;

	if (enter_ns(a))
		return -1;
	if (tw_count(proc, PORT_A, &t) == 1 && t.lport == PORT_A)
		when = t.when;
	if (enter_ns(b))
		return -1;
	return when;
}

/*
 * A bare ACK at exactly rcv_nxt, the one segment TIME_WAIT finds in its
 * window, is not answered (Linux's TCP_TW_SUCCESS) and restarts 2*MSL:
 * 2 s after the entry was listed, it has as long to go as it had then,
 * not 2 s less.  Then twrst_still_there()'s probe at rcv_nxt - 1 gets
 * exactly one answer: the peer does hear a, and a did not answer the
 * ACK late either, since that answer would have come first.
 */
TEST_F(twrst, bare_ack_at_rcv_nxt_quiet)
{
	struct xtcp_seg_hdr h = { 0 };
	long before, after;

	before = twrst_when(self->a, self->b, variant->proc);
	ASSERT_LT(500, before);		/* 60 s, in ticks of 10 ms */
	usleep(2000000);
	ASSERT_EQ(0, raw_peer_send(&self->p, self->rcv_nxt, XTCP_FLAG_ACK,
				   NULL, 0));
	EXPECT_EQ(0, twrst_segments(&self->p, 500, 0, &h));
	after = twrst_when(self->a, self->b, variant->proc);
	/* About before - 50 if restarted, before - 250 if not. */
	EXPECT_LT(before - 150, after);
	twrst_still_there(_metadata, self, variant->proto, variant->proc,
			  variant->addr);
}

/*
 * Why rfc1337 0 is the default: the peer connects again from the same
 * port with an ISN below the entry's rcv_nxt.  The entry answers the
 * SYN with its ACK; the peer, in SYN_SENT, answers that ACK with a RST
 * at its acknowledgment number, which ends TIME_WAIT, and its next SYN
 * gets the listener's SYN-ACK.
 */
TEST_F(twrst, old_isn_syn_gets_through_after_rst)
{
	uint32_t isn = self->rcv_nxt - 100000;
	struct xtcp_seg_hdr h = { 0 };
	struct xtcp_opts o;

	ASSERT_EQ(0, raw_peer_send(&self->p, isn, XTCP_FLAG_SYN, NULL, 0));
	ASSERT_EQ(1, twrst_segments(&self->p, 3000, 300, &h));
	EXPECT_EQ(XTCP_FLAG_ACK, h.flags);
	EXPECT_EQ(self->last.seq, h.seq);
	EXPECT_EQ(self->rcv_nxt, h.ack);

	ASSERT_EQ(0, raw_peer_send(&self->p, h.ack, XTCP_FLAG_RST, NULL, 0));
	ASSERT_EQ(0, raw_peer_send(&self->p, isn, XTCP_FLAG_SYN, NULL, 0));
	ASSERT_EQ(0, raw_peer_recv_from(&self->p, PORT_B,
					XTCP_FLAG_SYN | XTCP_FLAG_ACK, &h, &o,
					NULL, 0, NULL));
	EXPECT_EQ(isn + 1, h.ack);
	ASSERT_EQ(0, enter_ns(self->a));
	EXPECT_EQ(0, tw_count(variant->proc, 0, NULL));
	if (variant->proto == IPPROTO_XTCP) {
		EXPECT_EQ(1, xtcp_counter("TwKilledByRst"));
		EXPECT_EQ(0, xtcp_counter("TwRecycled"));
	}
	ASSERT_EQ(0, enter_ns(self->b));
}

/* From here on, xtcp only: its sysctls, counters and wire details. */
FIXTURE(twx) {
	int lfd;
};

FIXTURE_SETUP(twx)
{
	ASSERT_EQ(0, xtcp_new_netns());
	/*
	 * These tests count entries: connect() must not end any by taking
	 * its 4-tuple over, which tw_reuse 2 (the default) does on loopback
	 * once the port walk comes back to an entry a second old (on the
	 * debug kernel, within two_thousand_entries).
	 */
	ASSERT_EQ(0, xtcp_write_str("/proc/sys/net/xtcp/tw_reuse", "0"));
	/*
	 * Entries made to answer here send their ACK to our own listener
	 * on PORT, whose RST, at exactly the entry's rcv_nxt, would end
	 * them with rfc1337 0 (see twrst); they must last.
	 */
	ASSERT_EQ(0, xtcp_write_str("/proc/sys/net/xtcp/rfc1337", "1"));
	self->lfd = socket(AF_INET, SOCK_STREAM, IPPROTO_XTCP);
	ASSERT_LE(0, self->lfd);
	ASSERT_EQ(0, xtcp_set_reuseaddr(self->lfd));
	ASSERT_EQ(0, xtcp_bind(self->lfd, "127.0.0.1", PORT));
	ASSERT_EQ(0, listen(self->lfd, 128));
}

FIXTURE_TEARDOWN(twx)
{
	close(self->lfd);
}

#define PROTO	IPPROTO_XTCP
#define PROC	"/proc/net/xtcp"

/*
 * TIME_WAIT lasts 2*MSL, within the documented bound: at least 2*MSL,
 * less than 2*MSL + one wheel slot (2*MSL/64) + timer latency.
 */
TEST_F(twx, lasts_two_msl)
{
	long long before, t0, t1;
	unsigned short port;

	ASSERT_EQ(0, set_msl(250));
	/* The entry is made between before and t0: it lived at most
	 * t1 - before, at least t1 - t0.
	 */
	before = xtcp_now_ms();
	port = cycle(PROTO, self->lfd);
	t0 = xtcp_now_ms();
	ASSERT_NE(0, port);
	ASSERT_EQ(1, tw_count(PROC, port, NULL));
	while (tw_count(PROC, port, NULL) == 1 &&
	       xtcp_now_ms() < t0 + 5000)
		usleep(2000);
	t1 = xtcp_now_ms();
	EXPECT_EQ(0, tw_count(PROC, port, NULL));
	TH_LOG("TIME_WAIT lasted %lld to %lld ms for 2*MSL = 500 ms",
	       t1 - t0, t1 - before);
	EXPECT_LE(500 - 5, t1 - before);
	/* 500 + 8 ms slot; generous latency for an emulated machine. */
	EXPECT_GE(500 + 8 + 250, t1 - t0);
	EXPECT_EQ(1, xtcp_counter("TwCreated"));
	EXPECT_EQ(1, xtcp_counter("TwExpired"));
}

TEST_F_TIMEOUT(twx, two_thousand_entries, 300)
{
	int i;

	/* The longest MSL, so that none expires on a slow machine. */
	ASSERT_EQ(0, set_msl(600000));
	for (i = 0; i < 2000; i++)
		ASSERT_NE(0, cycle(PROTO, self->lfd)) TH_LOG("cycle %d", i);
	/*
	 * The last server FIN may still wait for softirq (ksoftirqd, on a
	 * loaded debug kernel) when the last close() returns.
	 */
	EXPECT_EQ(2000, xtcp_wait_counter("TwCreated", 2000, 5000));
	EXPECT_EQ(2000, tw_count(PROC, 0, NULL));
	/* About two lines a read(): each resumes the walk, none repeats. */
	EXPECT_EQ(2000, tw_count_in_pieces(PROC, 256, 0, 65535));
	EXPECT_EQ(2000, xtcp_counter("TwCreated"));
	EXPECT_EQ(0, xtcp_counter("TwOverflows"));
}

/*
 * Each read() of /proc/net/xtcp resumes the walk past the entry last
 * shown, even when entries were added to its chain or removed before
 * it meanwhile.  Listeners on ports 256 apart share a listening chain
 * (xtcp_lhash_slot()), which makes the change land in the chain being
 * read; reads of one line each stop the walk between two of them.
 */
#define LPORT0	31000
#define NLISTEN	8

static int listen_on(unsigned short port)
{
	int fd = socket(AF_INET, SOCK_STREAM, PROTO);

	if (fd < 0 || xtcp_bind(fd, "127.0.0.1", port) || listen(fd, 8))
		return -1;
	return fd;
}

/* The listener port line @line shows, if one of ours, or 0. */
static unsigned short our_listener(const char *line)
{
	struct xtcp_proc_sock t;

	if (!xtcp_proc_parse(line, &t) || t.state != 0x0a ||
	    t.lport < LPORT0 || (t.lport - LPORT0) % 256)
		return 0;
	return t.lport;
}

TEST_F(twx, proc_resumes_past_changes)
{
	int lfd[NLISTEN + 1], seen[NLISTEN + 1] = { 0 };
	int fd, shown = 0, closed = 0, i;
	char line[XTCP_PROC_LINE_LEN + 1];
	unsigned short port;
	ssize_t n;

	lfd[NLISTEN] = -1;

	for (i = 0; i < NLISTEN; i++) {
		lfd[i] = listen_on(LPORT0 + 256 * i);
		ASSERT_LE(0, lfd[i]);
	}
	fd = open(PROC, O_RDONLY);
	ASSERT_LE(0, fd);
	while ((n = read(fd, line, XTCP_PROC_LINE_LEN)) > 0) {
		ASSERT_EQ(XTCP_PROC_LINE_LEN, n);
		line[n] = '\0';
		port = our_listener(line);
		if (!port)
			continue;
		seen[(port - LPORT0) / 256]++;
		shown++;
		/* Amid the chain: one listener more at its head ... */
		if (shown == 3) {
			lfd[NLISTEN] = listen_on(LPORT0 + 256 * NLISTEN);
			ASSERT_LE(0, lfd[NLISTEN]);
		}
		/* ... and two fewer among those already shown. */
		for (i = 0; shown == 5 && i < NLISTEN && closed < 2; i++) {
			if (seen[i]) {
				close(lfd[i]);
				lfd[i] = -1;
				closed++;
			}
		}
	}
	EXPECT_EQ(0, n);
	close(fd);
	/* Each listener there all along, once; the new one once at most. */
	for (i = 0; i < NLISTEN; i++)
		EXPECT_EQ(1, seen[i]) TH_LOG("listener %d", LPORT0 + 256 * i);
	EXPECT_GE(1, seen[NLISTEN]);
	for (i = 0; i <= NLISTEN; i++)
		if (lfd[i] >= 0)
			close(lfd[i]);
}

/*
 * Entries there all along are listed once in every read of the file,
 * in pieces, while other connections come and go and leave TIME_WAIT
 * entries of their own (from a child process, on another listener).
 */
#define STABLE0	30000
#define NSTABLE	500

static void churn_connections(void)
{
	struct sockaddr_in a = xtcp_addr("127.0.0.1", PORT + 1);
	int lfd = listen_on(PORT + 1), c, s;
	char b;

	for (;;) {
		c = socket(AF_INET, SOCK_STREAM, PROTO);
		if (lfd < 0 || c < 0 ||
		    connect(c, (struct sockaddr *)&a, sizeof(a)))
			_exit(1);
		s = accept(lfd, NULL, NULL);
		close(c);
		if (s < 0 || recv(s, &b, 1, 0) != 0)
			_exit(1);
		close(s);
	}
}

TEST_F_TIMEOUT(twx, proc_lists_each_once_under_churn, 300)
{
	int i, c, status;
	pid_t pid;

	ASSERT_EQ(0, set_msl(600000));
	for (i = 0; i < NSTABLE; i++) {
		c = socket(AF_INET, SOCK_STREAM, PROTO);
		ASSERT_LE(0, c);
		ASSERT_EQ(0, xtcp_bind(c, "127.0.0.1", STABLE0 + i));
		ASSERT_EQ(STABLE0 + i, client_close_first(self->lfd, c));
	}
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		churn_connections();
	for (i = 0; i < 5; i++)
		EXPECT_EQ(NSTABLE, tw_count_in_pieces(PROC, 200, STABLE0,
						      STABLE0 + NSTABLE - 1))
			TH_LOG("read %d", i);
	/* The churn ran all along: it made entries of its own. */
	ASSERT_EQ(0, waitpid(pid, &status, WNOHANG));
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_LT(NSTABLE, tw_count(PROC, 0, NULL));
}

TEST_F(twx, max_tw_buckets)
{
	int i;

	ASSERT_EQ(0, xtcp_write_str("/proc/sys/net/xtcp/max_tw_buckets", "10"));
	for (i = 0; i < 20; i++)
		ASSERT_NE(0, cycle(PROTO, self->lfd));
	EXPECT_EQ(10, tw_count(PROC, 0, NULL));
	EXPECT_EQ(10, xtcp_counter("TwCreated"));
	EXPECT_EQ(10, xtcp_counter("TwOverflows"));
}

/* connect() never reuses a 4-tuple, or a port, still in TIME_WAIT. */
TEST_F(twx, connect_skips_time_wait)
{
	struct sockaddr_in a = xtcp_addr("127.0.0.1", PORT);
	int c;

	ASSERT_EQ(0, set_msl(100));
	ASSERT_EQ(0, xtcp_write_str("/proc/sys/net/ipv4/ip_local_port_range",
				    "45000 45001"));
	ASSERT_NE(0, cycle(PROTO, self->lfd));
	ASSERT_NE(0, cycle(PROTO, self->lfd));
	c = socket(AF_INET, SOCK_STREAM, PROTO);
	ASSERT_LE(0, c);
	EXPECT_EQ(-1, connect(c, (struct sockaddr *)&a, sizeof(a)));
	EXPECT_EQ(EADDRNOTAVAIL, errno);
	close(c);
	/* After 2*MSL the ports are free again. */
	usleep(600000);
	EXPECT_NE(0, cycle(PROTO, self->lfd));
}

/* An orphaned FIN_WAIT2 whose peer never closes ends after fin_timeout_ms. */
TEST_F(twx, orphan_fin_wait2_timeout)
{
	struct sockaddr_in a = xtcp_addr("127.0.0.1", PORT);
	unsigned short port;
	long long t0, took;
	char b;
	int c, s;

	ASSERT_EQ(0, xtcp_write_str("/proc/sys/net/xtcp/fin_timeout_ms", "300"));
	c = socket(AF_INET, SOCK_STREAM, PROTO);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, connect(c, (struct sockaddr *)&a, sizeof(a)));
	s = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, s);
	port = xtcp_local_port(c);
	close(c);
	EXPECT_EQ(0, recv(s, &b, 1, 0));	/* the FIN; s stays open */
	t0 = xtcp_now_ms();
	while (tw_count(PROC, 0, NULL) == 0 && xtcp_now_ms() < t0 + 3000) {
		FILE *f = fopen(PROC, "r");
		struct xtcp_proc_sock e;
		bool found = false;

		while (f && xtcp_proc_next(f, &e))
			if (e.lport == port && e.state == 0x05)
				found = true;
		if (f)
			fclose(f);
		if (!found)
			break;
		usleep(5000);
	}
	took = xtcp_now_ms() - t0;
	TH_LOG("FIN_WAIT2 ended after %lld ms", took);
	EXPECT_LE(250, took);
	EXPECT_GE(2000, took);
	/* It ended with a reset: the peer (in CLOSE_WAIT) is closed too,
	 * and writing to it fails as on Linux, with EPIPE.
	 */
	EXPECT_EQ(0, tw_count(PROC, 0, NULL));
	usleep(50000);
	EXPECT_EQ(-1, send(s, &b, 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(1, xtcp_counter("OutRsts"));
	close(s);
}

static int send_seg(int raw, const struct xtcp_seg_hdr *h)
{
	uint32_t lo = htonl(INADDR_LOOPBACK);
	uint8_t seg[64];
	size_t len;

	len = xtcp_build_seg(seg, h, NULL, 0, lo, lo, IPPROTO_XTCP);
	return xtcp_raw_send(raw, seg, len);
}

/*
 * The peer's FIN again (our last ACK lost): TIME_WAIT acknowledges it
 * again, with the same numbers, and restarts its 2*MSL.  A RST one past
 * rcv_nxt does not end it (tw.rst_* above for the rest).
 */
TEST_F(twx, fin_again_reacked_rst_ignored)
{
	struct xtcp_seg_hdr fin, ack, again;
	struct xtcp_proc_sock t = { 0 };
	unsigned short port;
	int raw;

	ASSERT_EQ(0, set_msl(1000));
	raw = socket(AF_INET, SOCK_RAW, IPPROTO_XTCP);
	ASSERT_LE(0, raw);
	port = cycle(PROTO, self->lfd);
	ASSERT_NE(0, port);
	/* The server's FIN and the client's last ACK, as they went by. */
	ASSERT_EQ(0, xtcp_raw_recv(raw, PORT, port, XTCP_FLAG_FIN, &fin,
				   NULL, NULL));
	ASSERT_EQ(0, xtcp_raw_recv(raw, port, PORT, XTCP_FLAG_ACK, &ack,
				   NULL, NULL));
	EXPECT_EQ(fin.seq + 1, ack.ack);

	usleep(1000000);
	ASSERT_EQ(1, tw_count(PROC, port, &t));
	/*
	 * Half of 2 s is gone; the expiry, kept to 8 jiffies and rounded
	 * up, may show up to 28 ms (at HZ=250) more than that.
	 */
	EXPECT_GE(102, t.when);
	ASSERT_EQ(0, send_seg(raw, &fin));
	ASSERT_EQ(0, xtcp_raw_recv(raw, port, PORT, XTCP_FLAG_ACK, &again,
				   NULL, NULL));
	EXPECT_EQ(ack.seq, again.seq);
	EXPECT_EQ(ack.ack, again.ack);
	ASSERT_EQ(1, tw_count(PROC, port, &t));
	EXPECT_LT(150, t.when);		/* 2 s again */

	fin.flags = XTCP_FLAG_RST;
	fin.seq += 2;
	ASSERT_EQ(0, send_seg(raw, &fin));
	usleep(100000);
	EXPECT_EQ(1, tw_count(PROC, port, NULL));
	close(raw);
}

/*
 * Stray ACKs for a TIME_WAIT entry (a peer that lost track of the
 * connection): the first is answered with an ACK of the connection's
 * end, the next within invalid_ratelimit_ms is not, so that the two
 * ends cannot ACK each other forever.  They are at the FIN's own
 * number, below rcv_nxt: one at exactly rcv_nxt is not answered at all
 * (twrst.bare_ack_at_rcv_nxt_quiet).
 */
TEST_F(twx, stray_acks_rate_limited)
{
	struct xtcp_seg_hdr fin, ack, again;
	unsigned short port;
	int raw;

	ASSERT_EQ(0, xtcp_write_str("/proc/sys/net/xtcp/invalid_ratelimit_ms",
				    "60000"));
	raw = socket(AF_INET, SOCK_RAW, IPPROTO_XTCP);
	ASSERT_LE(0, raw);
	port = cycle(PROTO, self->lfd);
	ASSERT_NE(0, port);
	ASSERT_EQ(0, xtcp_raw_recv(raw, PORT, port, XTCP_FLAG_FIN, &fin,
				   NULL, NULL));
	ASSERT_EQ(0, xtcp_raw_recv(raw, port, PORT, XTCP_FLAG_ACK, &ack,
				   NULL, NULL));
	fin.flags = XTCP_FLAG_ACK;
	ASSERT_EQ(0, send_seg(raw, &fin));
	ASSERT_EQ(0, xtcp_raw_recv(raw, port, PORT, XTCP_FLAG_ACK, &again,
				   NULL, NULL));
	EXPECT_EQ(ack.seq, again.seq);
	EXPECT_EQ(ack.ack, again.ack);
	ASSERT_EQ(0, send_seg(raw, &fin));
	EXPECT_EQ(1, xtcp_wait_counter("ACKSkippedTimeWait", 1, 3000));
	ASSERT_EQ(1, tw_count(PROC, port, NULL));
	close(raw);
}

/* A SYN above the old sequence space may reopen the 4-tuple. */
TEST_F(twx, syn_reopens)
{
	struct xtcp_seg_hdr fin, synack;
	int raw, c, l2;

	raw = socket(AF_INET, SOCK_RAW, IPPROTO_XTCP);
	ASSERT_LE(0, raw);
	c = bind_client(PROTO, true);
	ASSERT_LE(0, c);
	ASSERT_EQ(CPORT, client_close_first(self->lfd, c));
	ASSERT_EQ(0, xtcp_raw_recv(raw, PORT, CPORT, XTCP_FLAG_FIN, &fin,
				   NULL, NULL));
	/* Something now listens on the client's old port. */
	l2 = bind_client(PROTO, true);
	ASSERT_LE(0, l2);
	ASSERT_EQ(0, listen(l2, 1));

	fin.flags = XTCP_FLAG_SYN;
	fin.seq += 100000;
	fin.ack = 0;
	ASSERT_EQ(0, send_seg(raw, &fin));
	ASSERT_EQ(0, xtcp_raw_recv(raw, CPORT, PORT,
				   XTCP_FLAG_SYN | XTCP_FLAG_ACK, &synack,
				   NULL, NULL));
	EXPECT_EQ(fin.seq + 1, synack.ack);
	EXPECT_EQ(1, xtcp_counter("TwRecycled"));
	EXPECT_EQ(0, tw_count(PROC, CPORT, NULL));
	close(l2);
	close(raw);
}

/*
 * max_tw_buckets bounds the entries allocated, not only those lookups
 * find: an entry a SYN reopened waits on the wheel for its slot, 2*MSL
 * (60 s here) after it was made, and counts until then.  With a limit
 * of 1, the next connection closes without an entry.
 */
TEST_F(twx, max_tw_buckets_counts_reopened)
{
	struct xtcp_seg_hdr fin;
	int raw, c;

	ASSERT_EQ(0, xtcp_write_str("/proc/sys/net/xtcp/max_tw_buckets", "1"));
	raw = socket(AF_INET, SOCK_RAW, IPPROTO_XTCP);
	ASSERT_LE(0, raw);
	c = bind_client(PROTO, true);
	ASSERT_LE(0, c);
	ASSERT_EQ(CPORT, client_close_first(self->lfd, c));
	ASSERT_EQ(0, xtcp_raw_recv(raw, PORT, CPORT, XTCP_FLAG_FIN, &fin,
				   NULL, NULL));
	fin.flags = XTCP_FLAG_SYN;
	fin.seq += 100000;
	fin.ack = 0;
	ASSERT_EQ(0, send_seg(raw, &fin));
	EXPECT_EQ(1, xtcp_wait_counter("TwRecycled", 1, 3000));
	EXPECT_EQ(0, tw_count(PROC, 0, NULL));

	ASSERT_NE(0, cycle(PROTO, self->lfd));
	EXPECT_EQ(0, tw_count(PROC, 0, NULL));
	EXPECT_EQ(1, xtcp_counter("TwCreated"));
	EXPECT_EQ(1, xtcp_counter("TwOverflows"));
	close(raw);
}

TEST_HARNESS_MAIN
