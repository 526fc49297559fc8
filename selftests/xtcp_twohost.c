// SPDX-License-Identifier: GPL-2.0
/*
 * Two hosts: one side of connections between two VMs, each with its own
 * kernel and xtcp.ko, joined by a virtual link (scripts/twohost.sh boots
 * them; xtcp_twohost.sh brings the link up and runs this).  Both VMs run
 * the same tests in the same order, one as the server, one as the client
 * (XTCP_TWOHOST_ROLE); each test and variant has its own port, and the
 * two sides meet by waiting for each other with deadlines: the server
 * accepts within th_wait_ms(), the client retries connect() until then (the
 * other VM may still be booting, or at an earlier test).  A side whose
 * peer never comes fails at the deadline, never hangs.
 *
 * Tests: the handshake (both sides see the same 4-tuple, in
 * /proc/net/{tcp,xtcp}{,6} too), a bulk transfer each way checked by the
 * digest of its bytes, half-close (data keeps flowing to the side that
 * shut down its sending, in FIN_WAIT2, from the one in CLOSE_WAIT), and
 * TIME_WAIT (the closer holds the entry with the connection's 4-tuple;
 * on xtcp it ends after 2*MSL and is counted in /proc/net/xtcp_stat).
 * Every test runs over Linux TCP and over xtcp, IPv4 and IPv6, with the
 * same expectations.
 */
#include <poll.h>

#include "xtcp_test.h"
#include "xtcp_stream.h"
#include "kselftest_harness.h"

#define SERVER4		"198.18.0.1"
#define CLIENT4		"198.18.0.2"
#define SERVER6		"2001:2::1"
#define CLIENT6		"2001:2::2"

/*
 * How long a side waits for the other to reach the same test, at most:
 * XTCP_TWOHOST_WAIT_MS (a quicker failure when trying the test without
 * a peer), by default TH_WAIT_MS.
 */
#define TH_WAIT_MS	120000
/* A blocking call on a connection gives up after this long. */
#define TH_IO_SEC	60
/* Bytes of the bulk transfer, each way. */
#define TH_BULK_LEN	(4 * 1024 * 1024)
/* What the half-closed side still gets. */
#define TH_RESP_LEN	(256 * 1024)
/* xtcp's MSL in the TIME_WAIT test: the entry lasts 2 s. */
#define TH_MSL_MS	1000
#define TH_MSL_MS_STR	"1000"
/* USER_HZ: the unit of tm->when in /proc/net/tcp. */
#define TH_TICKS_PER_S	100

enum { TH_HANDSHAKE, TH_BULK, TH_HALF_CLOSE, TH_TIME_WAIT };

FIXTURE(th) {
	bool server;
	struct sockaddr_storage me, peer;	/* port 0 */
};

FIXTURE_VARIANT(th) {
	int family;
	int proto;
	const char *proc;
	unsigned short port;	/* the first test's; each has its own */
};

FIXTURE_VARIANT_ADD(th, tcp4) {
	.family = AF_INET,
	.proto = IPPROTO_TCP,
	.proc = "/proc/net/tcp",
	.port = 24000,
};

FIXTURE_VARIANT_ADD(th, xtcp4) {
	.family = AF_INET,
	.proto = IPPROTO_XTCP,
	.proc = "/proc/net/xtcp",
	.port = 24100,
};

FIXTURE_VARIANT_ADD(th, tcp6) {
	.family = AF_INET6,
	.proto = IPPROTO_TCP,
	.proc = "/proc/net/tcp6",
	.port = 24200,
};

FIXTURE_VARIANT_ADD(th, xtcp6) {
	.family = AF_INET6,
	.proto = IPPROTO_XTCP,
	.proc = "/proc/net/xtcp6",
	.port = 24300,
};

/* @ip (of @family) and @port as a sockaddr in *@ss. */
static void th_sockaddr(struct sockaddr_storage *ss, int family,
			const char *ip, unsigned short port)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		inet_pton(AF_INET, ip, &s4->sin_addr);
	} else {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		inet_pton(AF_INET6, ip, &s6->sin6_addr);
	}
}

static socklen_t th_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET ? sizeof(struct sockaddr_in) :
					  sizeof(struct sockaddr_in6);
}

static unsigned short th_port(const struct sockaddr_storage *ss)
{
	return ntohs(ss->ss_family == AF_INET ?
		     ((const struct sockaddr_in *)ss)->sin_port :
		     ((const struct sockaddr_in6 *)ss)->sin6_port);
}

static void th_set_port(struct sockaddr_storage *ss, unsigned short port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

/* @ss as /proc/net/tcp{,6} print an address: "0100007F:0016". */
static void th_proc_addr(const struct sockaddr_storage *ss, char *buf,
			 size_t len)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
	uint32_t w[4];

	if (ss->ss_family == AF_INET) {
		snprintf(buf, len, "%08X:%04X", s4->sin_addr.s_addr,
			 th_port(ss));
		return;
	}
	memcpy(w, &s6->sin6_addr, sizeof(w));
	snprintf(buf, len, "%08X%08X%08X%08X:%04X", w[0], w[1], w[2], w[3],
		 th_port(ss));
}

/* The /proc columns of the entries with one 4-tuple. */
struct th_entry {
	int count;
	unsigned int state, timer;
	unsigned long when;
};

/* Entries of @proc from @local to @remote; *@e gets the last one. */
static void th_proc_find(const char *proc, const struct sockaddr_storage *local,
			 const struct sockaddr_storage *remote,
			 struct th_entry *e)
{
	char want_l[64], want_r[64], l[64], r[64], line[512];
	unsigned int state, timer;
	unsigned long when;
	FILE *f;

	memset(e, 0, sizeof(*e));
	th_proc_addr(local, want_l, sizeof(want_l));
	th_proc_addr(remote, want_r, sizeof(want_r));
	f = fopen(proc, "r");
	if (!f) {
		e->count = -1;
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, " %*d: %63s %63s %X %*X:%*X %X:%lX",
			   l, r, &state, &timer, &when) != 5 ||
		    strcmp(l, want_l) || strcmp(r, want_r))
			continue;
		e->count++;
		e->state = state;
		e->timer = timer;
		e->when = when;
	}
	fclose(f);
}

/*
 * Poll @proc, for up to @ms, until the 4-tuple's entry is in @state (or,
 * with @state -1, gone); its last entry in *@e.
 */
static void th_wait_entry(const char *proc, const struct sockaddr_storage *local,
			  const struct sockaddr_storage *remote, int state,
			  int ms, struct th_entry *e)
{
	long long deadline = xtcp_now_ms() + ms;

	for (;;) {
		th_proc_find(proc, local, remote, e);
		if (state < 0 ? e->count == 0 :
		    e->count == 1 && e->state == (unsigned int)state)
			return;
		if (xtcp_now_ms() >= deadline)
			return;
		usleep(2000);
	}
}

/* A failed blocking call rather than a hang when the peer is gone. */
static void th_io_timeout(int fd)
{
	struct timeval tv = { .tv_sec = TH_IO_SEC };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* A listener on @me with @port: it, or -errno. */
static int th_listen(const struct sockaddr_storage *me, int proto,
		     unsigned short port)
{
	struct sockaddr_storage a = *me;
	int fd, err = 0;

	th_set_port(&a, port);
	fd = socket(a.ss_family, SOCK_STREAM, proto);
	if (fd < 0)
		return -errno;
	if (xtcp_set_reuseaddr(fd) || bind(fd, (struct sockaddr *)&a,
					   th_len(&a)) || listen(fd, 4))
		err = -errno;
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

static int th_wait_ms(void)
{
	unsigned long long ms = xtcp_env_ull("XTCP_TWOHOST_WAIT_MS", TH_WAIT_MS);

	return ms < TH_WAIT_MS ? ms : TH_WAIT_MS;
}

/* The next connection of @lfd, within th_wait_ms(): it, or -errno. */
static int th_accept(int lfd)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	int fd, n;

	n = poll(&p, 1, th_wait_ms());
	if (n <= 0)
		return n ? -errno : -ETIMEDOUT;
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		return -errno;
	th_io_timeout(fd);
	return fd;
}

/*
 * One connection attempt to @a, abandoned after @ms: the connected
 * socket, or -errno.  Nonblocking, so that a SYN the peer never answers
 * (its VM not up yet) costs @ms, not the whole SYN retry series.
 */
static int th_try_connect(int proto, const struct sockaddr_storage *me,
			  const struct sockaddr_storage *a, int ms)
{
	struct pollfd p = { .events = POLLOUT };
	socklen_t len = sizeof(int);
	int fd, err = 0, n;

	fd = socket(a->ss_family, SOCK_STREAM | SOCK_NONBLOCK, proto);
	if (fd < 0)
		return -errno;
	if (bind(fd, (const struct sockaddr *)me, th_len(me))) {
		err = -errno;
		goto fail;
	}
	if (connect(fd, (const struct sockaddr *)a, th_len(a))) {
		if (errno != EINPROGRESS) {
			err = -errno;
			goto fail;
		}
		p.fd = fd;
		n = poll(&p, 1, ms);
		if (n <= 0) {
			err = n ? -errno : -ETIMEDOUT;
			goto fail;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
			err = errno;
		if (err) {
			err = -err;
			goto fail;
		}
	}
	if (fcntl(fd, F_SETFL, 0)) {
		err = -errno;
		goto fail;
	}
	th_io_timeout(fd);
	return fd;
fail:
	xtcp_reset_close(fd);
	return err;
}

/*
 * Connect from @me (any port) to @peer's @port, retrying until
 * th_wait_ms() have passed (refused: the server is not listening yet;
 * unreachable or timed out: its VM is not up yet): the socket, or the
 * last -errno.
 */
static int th_connect(const struct sockaddr_storage *me,
		      const struct sockaddr_storage *peer, int proto,
		      unsigned short port)
{
	long long deadline = xtcp_now_ms() + th_wait_ms();
	struct sockaddr_storage a = *peer;
	int fd;

	th_set_port(&a, port);
	for (;;) {
		fd = th_try_connect(proto, me, &a, 3000);
		if (fd >= 0 || xtcp_now_ms() >= deadline)
			return fd;
		/* Poll interval of the retries, not a wait for an event. */
		usleep(100000);
	}
}

static void th_local(int fd, struct sockaddr_storage *ss)
{
	socklen_t len = sizeof(*ss);

	memset(ss, 0, sizeof(*ss));
	getsockname(fd, (struct sockaddr *)ss, &len);
}

static void th_remote(int fd, struct sockaddr_storage *ss)
{
	socklen_t len = sizeof(*ss);

	memset(ss, 0, sizeof(*ss));
	getpeername(fd, (struct sockaddr *)ss, &len);
}

/* Do @a and @b have the same address (ports aside)? */
static bool th_same_addr(const struct sockaddr_storage *a,
			 const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		       &((const struct sockaddr_in6 *)b)->sin6_addr,
		       sizeof(struct in6_addr));
}

/* The digest of @len bytes of stream @seed, as a sender of it makes. */
static uint64_t th_stream_digest(uint64_t seed, size_t len)
{
	static uint8_t buf[1 << 16];
	uint64_t x = xtcp_stream_seed(seed);
	struct xtcp_digest d;
	size_t chunk;

	xtcp_digest_init(&d);
	for (; len; len -= chunk) {
		chunk = len < sizeof(buf) ? len : sizeof(buf);
		xtcp_stream_fill(&x, buf, sizeof(buf));
		xtcp_digest_update(&d, buf, chunk);
	}
	return xtcp_digest_final(&d);
}

/* What the receiver of a bulk transfer reports back. */
struct th_bulk_report {
	uint64_t len;
	uint64_t digest;
};

FIXTURE_SETUP(th)
{
	const char *role = getenv("XTCP_TWOHOST_ROLE");
	int fd;

	if (!role)
		SKIP(longjmp(_metadata->env, 1),
		     "one side of a two-VM test: run by scripts/twohost.sh");
	XTCP_SKIP_TCP_VARIANT(variant->proto);
	/* Both sides fail here alike, neither waits for the other. */
	fd = socket(variant->family, SOCK_STREAM, variant->proto);
	ASSERT_LE(0, fd) TH_LOG("socket: %s", strerror(errno));
	close(fd);
	self->server = !strcmp(role, "server");
	ASSERT_TRUE(self->server || !strcmp(role, "client"));
	th_sockaddr(&self->me, variant->family,
		    variant->family == AF_INET ? (self->server ? SERVER4 : CLIENT4) :
		    (self->server ? SERVER6 : CLIENT6), 0);
	th_sockaddr(&self->peer, variant->family,
		    variant->family == AF_INET ? (self->server ? CLIENT4 : SERVER4) :
		    (self->server ? CLIENT6 : SERVER6), 0);
}

FIXTURE_TEARDOWN(th)
{
}

/*
 * The three-way handshake across the link: each side sees the other's
 * address, the client's port as the server sees it is the one the
 * client was given, and each side's /proc file holds one ESTABLISHED
 * entry with that 4-tuple.
 */
TEST_F_TIMEOUT(th, handshake, 2 * TH_WAIT_MS / 1000 + 60)
{
	unsigned short port = variant->port + TH_HANDSHAKE, cport;
	struct sockaddr_storage local, remote;
	struct th_entry e;
	uint16_t wire;
	int lfd, fd;
	char b;

	if (self->server) {
		lfd = th_listen(&self->me, variant->proto, port);
		ASSERT_LE(0, lfd);
		fd = th_accept(lfd);
		ASSERT_LE(0, fd) TH_LOG("accept: %s", strerror(-fd));
		close(lfd);
		th_local(fd, &local);
		th_remote(fd, &remote);
		EXPECT_TRUE(th_same_addr(&local, &self->me));
		EXPECT_EQ(port, th_port(&local));
		EXPECT_TRUE(th_same_addr(&remote, &self->peer));
		/* The client tells its port as it sees it. */
		ASSERT_EQ(2, xtcp_recv_all(fd, &wire, 2));
		cport = ntohs(wire);
		EXPECT_EQ(cport, th_port(&remote));
		th_proc_find(variant->proc, &local, &remote, &e);
		EXPECT_EQ(1, e.count);
		EXPECT_EQ(TCP_ESTABLISHED, e.state);
		ASSERT_EQ(1, send(fd, "k", 1, MSG_NOSIGNAL));
		EXPECT_EQ(0, recv(fd, &b, 1, 0));
		close(fd);
		return;
	}
	fd = th_connect(&self->me, &self->peer, variant->proto, port);
	ASSERT_LE(0, fd) TH_LOG("connect: %s", strerror(-fd));
	th_local(fd, &local);
	th_remote(fd, &remote);
	EXPECT_TRUE(th_same_addr(&local, &self->me));
	EXPECT_TRUE(th_same_addr(&remote, &self->peer));
	EXPECT_EQ(port, th_port(&remote));
	th_proc_find(variant->proc, &local, &remote, &e);
	EXPECT_EQ(1, e.count);
	EXPECT_EQ(TCP_ESTABLISHED, e.state);
	wire = htons(th_port(&local));
	ASSERT_EQ(2, send(fd, &wire, 2, MSG_NOSIGNAL));
	ASSERT_EQ(1, recv(fd, &b, 1, 0));
	EXPECT_EQ('k', b);
	close(fd);
}

/*
 * TH_BULK_LEN bytes each way: the client's stream, then (once the server
 * has read it to its end and reported its length and digest) the
 * server's.  Each receiver checks the digest against the one the
 * stream's seed gives, and the client against the server's report too.
 */
TEST_F_TIMEOUT(th, bulk, TH_WAIT_MS / 1000 + 120)
{
	unsigned short port = variant->port + TH_BULK;
	struct th_bulk_report rep;
	struct xtcp_digest d;
	long long t0;
	int lfd, fd;

	xtcp_digest_init(&d);
	if (self->server) {
		lfd = th_listen(&self->me, variant->proto, port);
		ASSERT_LE(0, lfd);
		fd = th_accept(lfd);
		ASSERT_LE(0, fd) TH_LOG("accept: %s", strerror(-fd));
		close(lfd);
		ASSERT_EQ(0, xtcp_recv_stream(fd, &d));
		rep.len = d.len;
		rep.digest = xtcp_digest_final(&d);
		EXPECT_EQ(TH_BULK_LEN, rep.len);
		EXPECT_EQ(th_stream_digest(1, TH_BULK_LEN), rep.digest);
		ASSERT_EQ(sizeof(rep), send(fd, &rep, sizeof(rep), MSG_NOSIGNAL));
		xtcp_digest_init(&d);
		ASSERT_EQ(0, xtcp_send_stream(fd, 2, TH_BULK_LEN, 65536, &d));
		close(fd);
		return;
	}
	fd = th_connect(&self->me, &self->peer, variant->proto, port);
	ASSERT_LE(0, fd) TH_LOG("connect: %s", strerror(-fd));
	t0 = xtcp_now_ms();
	ASSERT_EQ(0, xtcp_send_stream(fd, 1, TH_BULK_LEN, 65536, &d));
	ASSERT_EQ(0, shutdown(fd, SHUT_WR));
	ASSERT_EQ(sizeof(rep), xtcp_recv_all(fd, &rep, sizeof(rep)));
	EXPECT_EQ(d.len, rep.len);
	EXPECT_EQ(xtcp_digest_final(&d), rep.digest);
	xtcp_digest_init(&d);
	ASSERT_EQ(0, xtcp_recv_stream(fd, &d));
	EXPECT_EQ(TH_BULK_LEN, d.len);
	EXPECT_EQ(th_stream_digest(2, TH_BULK_LEN), xtcp_digest_final(&d));
	TH_LOG("2 x %d KiB in %lld ms", TH_BULK_LEN / 1024,
	       xtcp_now_ms() - t0);
	close(fd);
}

/*
 * Half-close: the client sends a request and shuts down its sending
 * (FIN_WAIT2 once the FIN is acknowledged, and send() fails with EPIPE);
 * the server reads the request, then the end of the stream (CLOSE_WAIT),
 * and still sends TH_RESP_LEN bytes, which the client reads in full
 * before the server's FIN.  A second connection carries "the client is
 * in FIN_WAIT2", so that the server's close waits for that check.
 */
TEST_F_TIMEOUT(th, half_close, TH_WAIT_MS / 1000 + 60)
{
	unsigned short port = variant->port + TH_HALF_CLOSE;
	struct sockaddr_storage local, remote;
	int lfd, ctl, fd;
	struct th_entry e;
	char req[8], b;

	if (self->server) {
		lfd = th_listen(&self->me, variant->proto, port);
		ASSERT_LE(0, lfd);
		ctl = th_accept(lfd);
		ASSERT_LE(0, ctl) TH_LOG("accept: %s", strerror(-ctl));
		fd = th_accept(lfd);
		ASSERT_LE(0, fd) TH_LOG("accept: %s", strerror(-fd));
		close(lfd);
		th_local(fd, &local);
		th_remote(fd, &remote);
		ASSERT_EQ(7, xtcp_recv_all(fd, req, 7));
		EXPECT_EQ(0, memcmp(req, "request", 7));
		EXPECT_EQ(0, recv(fd, &b, 1, 0));
		th_wait_entry(variant->proc, &local, &remote, TCP_CLOSE_WAIT,
			      5000, &e);
		EXPECT_EQ(1, e.count);
		EXPECT_EQ(TCP_CLOSE_WAIT, e.state);
		ASSERT_EQ(1, recv(ctl, &b, 1, 0));
		EXPECT_EQ('F', b);
		ASSERT_EQ(0, xtcp_send_pattern(fd, TH_RESP_LEN));
		/* The client closes ctl once it has read everything. */
		EXPECT_EQ(0, recv(ctl, &b, 1, 0));
		close(ctl);
		return;
	}
	ctl = th_connect(&self->me, &self->peer, variant->proto, port);
	ASSERT_LE(0, ctl) TH_LOG("connect: %s", strerror(-ctl));
	fd = th_connect(&self->me, &self->peer, variant->proto, port);
	ASSERT_LE(0, fd) TH_LOG("connect: %s", strerror(-fd));
	th_local(fd, &local);
	th_remote(fd, &remote);
	ASSERT_EQ(7, send(fd, "request", 7, MSG_NOSIGNAL));
	ASSERT_EQ(0, shutdown(fd, SHUT_WR));
	EXPECT_EQ(-1, send(fd, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
	th_wait_entry(variant->proc, &local, &remote, TCP_FIN_WAIT2, 5000, &e);
	EXPECT_EQ(1, e.count);
	EXPECT_EQ(TCP_FIN_WAIT2, e.state);
	ASSERT_EQ(1, send(ctl, "F", 1, MSG_NOSIGNAL));
	EXPECT_EQ(0, xtcp_check_pattern(fd, TH_RESP_LEN));
	close(fd);
	close(ctl);
}

/*
 * Let the earlier tests' xtcp connections finish closing (up to 10 s):
 * one reaching TIME_WAIT during this test would count in its TwCreated.
 */
static void th_settle(void)
{
	long long deadline = xtcp_now_ms() + 10000;

	while (xtcp_proc_count_states("/proc/net/xtcp",
				      1U << TCP_FIN_WAIT1 | 1U << TCP_FIN_WAIT2 |
				      1U << TCP_CLOSING | 1U << TCP_LAST_ACK) > 0 &&
	       xtcp_now_ms() < deadline)
		usleep(20000);
}

/*
 * TIME_WAIT: the client closes first and holds one TIME_WAIT entry with
 * the connection's 4-tuple and the TIME_WAIT timer (tr 3), due within
 * 2*MSL (Linux TCP's is 60 s; xtcp's, TH_MSL_MS here).  The server, the
 * passive closer, ends with no entry.  On xtcp the entry is counted
 * (TwCreated, on the client only) and gone after 2*MSL (TwExpired);
 * Linux TCP's 60 s are not waited for.
 */
TEST_F_TIMEOUT(th, time_wait, TH_WAIT_MS / 1000 + 60)
{
	unsigned short port = variant->port + TH_TIME_WAIT;
	bool xtcp = variant->proto == IPPROTO_XTCP;
	struct sockaddr_storage local, remote;
	long created, expired, two_msl_ms;
	long long t_close, t_tw, t_gone;
	struct th_entry e;
	int lfd, fd;
	char b;

	th_settle();
	created = xtcp_counter("TwCreated");
	expired = xtcp_counter("TwExpired");
	if (self->server) {
		lfd = th_listen(&self->me, variant->proto, port);
		ASSERT_LE(0, lfd);
		fd = th_accept(lfd);
		ASSERT_LE(0, fd) TH_LOG("accept: %s", strerror(-fd));
		close(lfd);
		th_local(fd, &local);
		th_remote(fd, &remote);
		ASSERT_EQ(1, recv(fd, &b, 1, 0));
		ASSERT_EQ(1, send(fd, "y", 1, MSG_NOSIGNAL));
		EXPECT_EQ(0, recv(fd, &b, 1, 0));
		close(fd);
		/* LAST_ACK until the client's ACK of our FIN, then nothing. */
		th_wait_entry(variant->proc, &local, &remote, -1, 5000, &e);
		EXPECT_EQ(0, e.count);
		if (xtcp)
			EXPECT_EQ(created, xtcp_counter("TwCreated"));
		return;
	}
	two_msl_ms = xtcp ? 2 * TH_MSL_MS : 60000;
	if (xtcp)
		ASSERT_EQ(0, xtcp_write_str("/proc/sys/net/xtcp/msl_ms",
					    TH_MSL_MS_STR));
	fd = th_connect(&self->me, &self->peer, variant->proto, port);
	ASSERT_LE(0, fd) TH_LOG("connect: %s", strerror(-fd));
	th_local(fd, &local);
	th_remote(fd, &remote);
	ASSERT_EQ(1, send(fd, "x", 1, MSG_NOSIGNAL));
	ASSERT_EQ(1, recv(fd, &b, 1, 0));
	t_close = xtcp_now_ms();
	close(fd);
	th_wait_entry(variant->proc, &local, &remote, TCP_TIME_WAIT, 5000, &e);
	t_tw = xtcp_now_ms();
	ASSERT_EQ(1, e.count);
	EXPECT_EQ(TCP_TIME_WAIT, e.state);
	EXPECT_EQ(3, e.timer);
	/*
	 * xtcp keeps an entry's expiry in steps of 8 jiffies (the low bits
	 * of xtcp_tw.expires_reuse hold flags), rounded up: read within the
	 * jiffy it was made, it may show up to 7 jiffies past 2*MSL, two
	 * ticks (10 ms) at Debian's HZ=250.
	 */
	EXPECT_GE(two_msl_ms * TH_TICKS_PER_S / 1000 + (xtcp ? 2 : 0), e.when);
	if (!xtcp) {
		TH_LOG("Linux TCP's TIME_WAIT lasts 60 s: its end not waited for");
		return;
	}
	EXPECT_EQ(created + 1, xtcp_counter("TwCreated"));
	th_wait_entry(variant->proc, &local, &remote, -1,
		      two_msl_ms + 5000, &e);
	t_gone = xtcp_now_ms();
	EXPECT_EQ(0, e.count);
	TH_LOG("TIME_WAIT gone %lld ms after seen, %lld ms after close() (2*MSL %ld ms)",
	       t_gone - t_tw, t_gone - t_close, two_msl_ms);
	/*
	 * Made after close(), the entry lived at most t_gone - t_close,
	 * which must be 2*MSL at least; and it ended within 2*MSL, one
	 * wheel slot (2*MSL/64) and a timer latency generous for two
	 * emulated machines of having been seen.
	 */
	EXPECT_LE(two_msl_ms - 5, t_gone - t_close);
	EXPECT_GE(two_msl_ms + two_msl_ms / 64 + 1000, t_gone - t_tw);
	EXPECT_LE(expired + 1, xtcp_counter("TwExpired"));
}

TEST_HARNESS_MAIN
