// SPDX-License-Identifier: GPL-2.0
/*
 * Socket options of level IPPROTO_TCP and SOL_XTCP, TCP_INFO, the
 * SIOCINQ/SIOCOUTQ/SIOCOUTQNSD ioctls, TCP_CORK and SO_ERROR, on
 * loopback.  (Nagle, TCP_USER_TIMEOUT and the RTO backoff need a slow or
 * black-holed path: they are in xtcp_sndbuf.c and xtcp_timers.c.)
 *
 * Every test runs over Linux TCP and over xtcp with the same
 * expectations, each in its own network namespace; where Linux's values
 * depend on features xtcp does not have (timestamps, its loopback MSS
 * cap, cubic), the variant says what each one reports.  And over IPv4
 * (127.0.0.1) and IPv6 (::1) with the same test bodies: variants tcp,
 * xtcp, tcp6, xtcp6.
 */
#include <poll.h>
#include <sys/wait.h>
#include <netinet/tcp.h>
#include <linux/sockios.h>

#include "xtcp_test.h"
#include "kselftest_harness.h"

#define PORT	24001

FIXTURE(opt) {
	int lfd;
};

FIXTURE_VARIANT(opt) {
	int proto;
	int family;
	const char *lo;		/* the loopback address of that family */
	const char *default_cc;	/* TCP_CONGESTION of a new socket */
	int ts_len;		/* option bytes per segment (timestamps) */
	int lo_mss;		/* tcpi_snd_mss on loopback */
	int xtcp_level_err;	/* getsockopt(SOL_XTCP, unknown option) */
	int ip_level_err;	/* getsockopt() at a level nobody knows */
	unsigned int pmtu;	/* tcpi_pmtu on loopback */
};

FIXTURE_VARIANT_ADD(opt, tcp) {
	.proto = IPPROTO_TCP,
	.family = AF_INET,
	.lo = "127.0.0.1",
	.default_cc = "cubic",
	.ts_len = 12,
	.lo_mss = 32741,	/* tcp_bound_to_half_wnd() */
	.xtcp_level_err = EOPNOTSUPP,	/* not a level of TCP's: IP's answer */
	.ip_level_err = EOPNOTSUPP,
	.pmtu = 65535,		/* lo's 65536, capped at IP_MAX_MTU */
};

FIXTURE_VARIANT_ADD(opt, xtcp) {
	.proto = IPPROTO_XTCP,
	.family = AF_INET,
	.lo = "127.0.0.1",
	.default_cc = "reno",
	.ts_len = 12,
	.lo_mss = 65483,	/* IP_MAX_MTU less IP, xtcp and timestamp */
	.xtcp_level_err = ENOPROTOOPT,	/* no such option */
	.ip_level_err = EOPNOTSUPP,
	.pmtu = 65535,
};

FIXTURE_VARIANT_ADD(opt, tcp6) {
	.proto = IPPROTO_TCP,
	.family = AF_INET6,
	.lo = "::1",
	.default_cc = "cubic",
	.ts_len = 12,
	.lo_mss = 32732,	/* tcp_bound_to_half_wnd() */
	.xtcp_level_err = ENOPROTOOPT,	/* ipv6_getsockopt()'s answer */
	.ip_level_err = ENOPROTOOPT,	/* ipv6_getsockopt()'s answer */
	.pmtu = 65536,		/* lo's MTU, uncapped over IPv6 */
};

FIXTURE_VARIANT_ADD(opt, xtcp6) {
	.proto = IPPROTO_XTCP,
	.family = AF_INET6,
	.lo = "::1",
	.default_cc = "reno",
	.ts_len = 12,
	.lo_mss = 65464,	/* lo's MTU less IPv6, xtcp and timestamp */
	.xtcp_level_err = ENOPROTOOPT,
	.ip_level_err = ENOPROTOOPT,
	.pmtu = 65536,
};

/* A listener on the variant's loopback address, in a new namespace. */
FIXTURE_SETUP(opt)
{
	XTCP_SKIP_TCP_VARIANT(variant->proto);
	self->lfd = xtcp_loopback_listener_af(variant->family, variant->proto,
					      PORT);
	ASSERT_LE(0, self->lfd);
}

FIXTURE_TEARDOWN(opt)
{
	close(self->lfd);
}

static int get_int(int fd, int name)
{
	socklen_t len = sizeof(int);
	int val = -1;

	if (getsockopt(fd, IPPROTO_TCP, name, &val, &len))
		return -errno;
	return len == sizeof(int) ? val : -1000;
}

/* setsockopt(IPPROTO_TCP, @name, @val): 0 or -errno. */
static int set_cc(int fd, const char *name)
{
	return setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, name,
			  strlen(name)) ? -errno : 0;
}

/* Poll ioctl @cmd on @fd for up to 5 s until it answers @want. */
static int wait_ioctl(int fd, unsigned long cmd, int want)
{
	int v;

	xtcp_read_poll_timeout(xtcp_ioctl_int, v, v == want, 2000, 5000, fd,
			       cmd);
	return v;
}

/*
 * A connected pair: *@c connects to the fixture's listener on @lo, the
 * variant's loopback address, with TCP_MAXSEG @mss set first unless it
 * is 0, and *@s accepts.
 */
static int connect_pair_mss(const char *lo, int proto, int lfd, int mss,
			    int *c, int *s)
{
	struct sockaddr_storage a;
	socklen_t len = xtcp_sockaddr(lo, PORT, &a);

	*c = socket(a.ss_family, SOCK_STREAM, proto);
	if (*c < 0)
		return -1;
	if (mss && xtcp_set_int(*c, IPPROTO_TCP, TCP_MAXSEG, mss))
		return -1;
	if (connect(*c, (struct sockaddr *)&a, len))
		return -1;
	*s = accept(lfd, NULL, NULL);
	return *s < 0 ? -1 : 0;
}

static int connect_pair(const char *lo, int proto, int lfd, int *c, int *s)
{
	return connect_pair_mss(lo, proto, lfd, 0, c, s);
}

static int read_n(int fd, size_t n)
{
	char buf[4096];
	ssize_t r;

	while (n) {
		r = read(fd, buf, n < sizeof(buf) ? n : sizeof(buf));
		if (r <= 0)
			return -1;
		n -= r;
	}
	return 0;
}

TEST_F(opt, defaults)
{
	char cc[16] = "";
	socklen_t len = sizeof(cc);
	int fd = socket(variant->family, SOCK_STREAM, variant->proto);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, get_int(fd, TCP_NODELAY));
	EXPECT_EQ(0, get_int(fd, TCP_CORK));
	EXPECT_EQ(536, get_int(fd, TCP_MAXSEG));
	EXPECT_EQ(7200, get_int(fd, TCP_KEEPIDLE));
	EXPECT_EQ(75, get_int(fd, TCP_KEEPINTVL));
	EXPECT_EQ(9, get_int(fd, TCP_KEEPCNT));
	EXPECT_EQ(0, get_int(fd, TCP_USER_TIMEOUT));
	ASSERT_EQ(0, getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, cc, &len));
	EXPECT_EQ(16, len);
	EXPECT_STREQ(variant->default_cc, cc);
	close(fd);
}

TEST_F(opt, round_trip)
{
	char cc[16] = "";
	socklen_t len = sizeof(cc);
	int fd = socket(variant->family, SOCK_STREAM, variant->proto);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, xtcp_set_int(fd, IPPROTO_TCP, TCP_NODELAY, 5));
	EXPECT_EQ(1, get_int(fd, TCP_NODELAY));
	EXPECT_EQ(0, xtcp_set_int(fd, IPPROTO_TCP, TCP_NODELAY, 0));
	EXPECT_EQ(0, get_int(fd, TCP_NODELAY));
	EXPECT_EQ(0, xtcp_set_int(fd, IPPROTO_TCP, TCP_CORK, 1));
	EXPECT_EQ(1, get_int(fd, TCP_CORK));
	EXPECT_EQ(0, xtcp_set_int(fd, IPPROTO_TCP, TCP_CORK, 0));
	EXPECT_EQ(0, get_int(fd, TCP_CORK));
	EXPECT_EQ(0, xtcp_set_int(fd, IPPROTO_TCP, TCP_MAXSEG, 1000));
	EXPECT_EQ(1000, get_int(fd, TCP_MAXSEG));
	EXPECT_EQ(0, xtcp_set_int(fd, IPPROTO_TCP, TCP_KEEPIDLE, 32767));
	EXPECT_EQ(32767, get_int(fd, TCP_KEEPIDLE));
	EXPECT_EQ(0, xtcp_set_int(fd, IPPROTO_TCP, TCP_KEEPINTVL, 1));
	EXPECT_EQ(1, get_int(fd, TCP_KEEPINTVL));
	EXPECT_EQ(0, xtcp_set_int(fd, IPPROTO_TCP, TCP_KEEPCNT, 127));
	EXPECT_EQ(127, get_int(fd, TCP_KEEPCNT));
	EXPECT_EQ(0, xtcp_set_int(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, 5000));
	EXPECT_EQ(5000, get_int(fd, TCP_USER_TIMEOUT));
	EXPECT_EQ(0, set_cc(fd, "cubic"));
	ASSERT_EQ(0, getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, cc, &len));
	EXPECT_STREQ("cubic", cc);
	EXPECT_EQ(0, set_cc(fd, "reno"));
	ASSERT_EQ(0, getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, cc, &len));
	EXPECT_STREQ("reno", cc);
	/* Truncated to the caller's length, as Linux does. */
	memset(cc, 'x', sizeof(cc));
	len = 2;
	ASSERT_EQ(0, getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, cc, &len));
	EXPECT_EQ(2, len);
	EXPECT_EQ(0, memcmp(cc, "rex", 3));
	close(fd);
}

/*
 * xtcp's /proc/sys/net/xtcp/congestion_control picks the algorithm of
 * new sockets and takes only known names, as net.ipv4's does.
 */
TEST_F(opt, congestion_control_sysctl)
{
	const char *path = "/proc/sys/net/xtcp/congestion_control";
	char cc[16] = "";
	socklen_t len = sizeof(cc);
	int fd;

	if (variant->proto != IPPROTO_XTCP)
		SKIP(return, "xtcp's own sysctl");
	EXPECT_EQ(0, xtcp_write_str(path, "cubic"));
	EXPECT_EQ(-ENOENT, xtcp_write_str(path, "nope"));
	fd = socket(variant->family, SOCK_STREAM, IPPROTO_XTCP);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, cc, &len));
	EXPECT_STREQ("cubic", cc);
	close(fd);
}

TEST_F(opt, out_of_range)
{
	int fd = socket(variant->family, SOCK_STREAM, variant->proto);
	socklen_t len = sizeof(int);
	short s = 1;
	int val;

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, xtcp_set_int(fd, IPPROTO_TCP, TCP_KEEPIDLE, 0));
	EXPECT_EQ(-EINVAL, xtcp_set_int(fd, IPPROTO_TCP, TCP_KEEPIDLE, 32768));
	EXPECT_EQ(-EINVAL, xtcp_set_int(fd, IPPROTO_TCP, TCP_KEEPINTVL, 0));
	EXPECT_EQ(-EINVAL, xtcp_set_int(fd, IPPROTO_TCP, TCP_KEEPINTVL, 32768));
	EXPECT_EQ(-EINVAL, xtcp_set_int(fd, IPPROTO_TCP, TCP_KEEPCNT, 0));
	EXPECT_EQ(-EINVAL, xtcp_set_int(fd, IPPROTO_TCP, TCP_KEEPCNT, 128));
	EXPECT_EQ(-EINVAL, xtcp_set_int(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, -1));
	EXPECT_EQ(-EINVAL, xtcp_set_int(fd, IPPROTO_TCP, TCP_MAXSEG, 87));
	EXPECT_EQ(-EINVAL, xtcp_set_int(fd, IPPROTO_TCP, TCP_MAXSEG, 32768));
	EXPECT_EQ(0, xtcp_set_int(fd, IPPROTO_TCP, TCP_MAXSEG, 88));
	EXPECT_EQ(0, xtcp_set_int(fd, IPPROTO_TCP, TCP_MAXSEG, 0));
	EXPECT_EQ(536, get_int(fd, TCP_MAXSEG));
	/* Values refused leave the option as it was. */
	EXPECT_EQ(7200, get_int(fd, TCP_KEEPIDLE));
	EXPECT_EQ(9, get_int(fd, TCP_KEEPCNT));
	/* An int option given fewer bytes than an int. */
	EXPECT_EQ(-1, setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &s, sizeof(s)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-ENOENT, set_cc(fd, "no-such-cc"));
	EXPECT_EQ(-1, setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, "reno", 0));
	EXPECT_EQ(EINVAL, errno);
	/* Unknown options, at IPPROTO_TCP and at SOL_XTCP. */
	EXPECT_EQ(-ENOPROTOOPT, xtcp_set_int(fd, IPPROTO_TCP, 9999, 1));
	EXPECT_EQ(-ENOPROTOOPT, get_int(fd, 9999));
	val = 1;
	EXPECT_EQ(-1, setsockopt(fd, SOL_XTCP, 1, &val, sizeof(val)));
	EXPECT_EQ(ENOPROTOOPT, errno);
	EXPECT_EQ(-1, getsockopt(fd, SOL_XTCP, 1, &val, &len));
	EXPECT_EQ(variant->xtcp_level_err, errno);
	/* A level nobody knows: IP (IPv6) answers, for both. */
	EXPECT_EQ(-1, setsockopt(fd, 254, 1, &val, sizeof(val)));
	EXPECT_EQ(ENOPROTOOPT, errno);
	EXPECT_EQ(-1, getsockopt(fd, 254, 1, &val, &len));
	EXPECT_EQ(variant->ip_level_err, errno);
	close(fd);
}

/* TCP_MAXSEG set before connect() caps the MSS the peer uses. */
TEST_F(opt, maxseg_clamps_peer)
{
	int c, s;

	ASSERT_EQ(0, connect_pair_mss(variant->lo, variant->proto, self->lfd,
				      1000, &c, &s));
	EXPECT_EQ(1000 - variant->ts_len, get_int(s, TCP_MAXSEG));
	close(c);
	close(s);
}

TEST_F(opt, tcp_info)
{
	static char buf[20000];
	struct tcp_info ti;
	socklen_t len;
	int c, s;

	ASSERT_EQ(0, connect_pair(variant->lo, variant->proto, self->lfd,
				  &c, &s));
	memset(buf, 'a', sizeof(buf));
	ASSERT_EQ(sizeof(buf), write(c, buf, sizeof(buf)));
	ASSERT_EQ(0, read_n(s, sizeof(buf)));
	ASSERT_EQ(0, wait_ioctl(c, SIOCOUTQ, 0));

	memset(&ti, 0, sizeof(ti));
	len = sizeof(ti);
	ASSERT_EQ(0, getsockopt(c, IPPROTO_TCP, TCP_INFO, &ti, &len));
	EXPECT_EQ(sizeof(ti), len);
	EXPECT_EQ(TCP_ESTABLISHED, ti.tcpi_state);
	EXPECT_LE(200000, ti.tcpi_rto);
	EXPECT_GT(1000000, ti.tcpi_rto);
	EXPECT_LT(0, ti.tcpi_rtt);
	EXPECT_EQ(0, ti.tcpi_total_retrans);
	EXPECT_EQ(0, ti.tcpi_retransmits);
	EXPECT_EQ(0, ti.tcpi_backoff);
	EXPECT_EQ(0, ti.tcpi_unacked);
	EXPECT_EQ(variant->pmtu, ti.tcpi_pmtu);
	EXPECT_EQ(variant->lo_mss, ti.tcpi_snd_mss);
	EXPECT_EQ(ti.tcpi_snd_mss, get_int(c, TCP_MAXSEG));
	TH_LOG("rto %u rtt %u rttvar %u snd_mss %u rcv_mss %u",
	       ti.tcpi_rto, ti.tcpi_rtt, ti.tcpi_rttvar, ti.tcpi_snd_mss,
	       ti.tcpi_rcv_mss);

	/* Truncated to the caller's length. */
	memset(buf, 0x55, 16);
	len = 8;
	ASSERT_EQ(0, getsockopt(c, IPPROTO_TCP, TCP_INFO, buf, &len));
	EXPECT_EQ(8, len);
	EXPECT_EQ(TCP_ESTABLISHED, buf[0]);
	EXPECT_EQ(0x55, buf[8]);
	close(c);
	close(s);
}

/*
 * The congestion window grows only while it limits sending (RFC 7661,
 * Linux's tcp_is_cwnd_limited()): a thousand one-byte exchanges keep one
 * segment in flight and leave it at its initial ten segments; a bulk
 * transfer in 1000-byte segments (c's TCP_MAXSEG) then grows it.
 */
TEST_F(opt, cwnd_grows_only_when_limiting)
{
	static char buf[32768];
	struct tcp_info ti;
	socklen_t len;
	int c, s, i;
	char b;

	ASSERT_EQ(0, connect_pair_mss(variant->lo, variant->proto, self->lfd,
				      1000, &c, &s));
	for (i = 0; i < 1000; i++) {
		ASSERT_EQ(1, write(s, "r", 1));
		ASSERT_EQ(1, read(c, &b, 1));
		ASSERT_EQ(1, write(c, "q", 1));
		ASSERT_EQ(1, read(s, &b, 1));
	}
	len = sizeof(ti);
	ASSERT_EQ(0, getsockopt(s, IPPROTO_TCP, TCP_INFO, &ti, &len));
	EXPECT_EQ(10, ti.tcpi_snd_cwnd);

	for (i = 0; i < 64; i++) {
		ASSERT_EQ(sizeof(buf), write(s, buf, sizeof(buf)));
		ASSERT_EQ(0, read_n(c, sizeof(buf)));
	}
	ASSERT_EQ(0, getsockopt(s, IPPROTO_TCP, TCP_INFO, &ti, &len));
	TH_LOG("cwnd %u after 2 MiB in %u-byte segments", ti.tcpi_snd_cwnd,
	       ti.tcpi_snd_mss);
	EXPECT_LT(10, ti.tcpi_snd_cwnd);
	close(c);
	close(s);
}

/*
 * Both SYNs offer timestamps (RFC 7323), unless the namespace's sysctl
 * says not to: then neither end uses them.
 */
TEST_F(opt, timestamps_negotiated)
{
	const char *sysctl = variant->proto == IPPROTO_TCP ?
			     "/proc/sys/net/ipv4/tcp_timestamps" :
			     "/proc/sys/net/xtcp/timestamps";
	struct tcp_info tc, ts;
	socklen_t len = sizeof(tc);
	int c, s;

	ASSERT_EQ(0, connect_pair(variant->lo, variant->proto, self->lfd,
				  &c, &s));
	ASSERT_EQ(0, getsockopt(c, IPPROTO_TCP, TCP_INFO, &tc, &len));
	ASSERT_EQ(0, getsockopt(s, IPPROTO_TCP, TCP_INFO, &ts, &len));
	EXPECT_EQ(TCPI_OPT_TIMESTAMPS, tc.tcpi_options & TCPI_OPT_TIMESTAMPS);
	EXPECT_EQ(TCPI_OPT_TIMESTAMPS, ts.tcpi_options & TCPI_OPT_TIMESTAMPS);
	close(c);
	close(s);

	ASSERT_EQ(1, xtcp_read_long(sysctl));
	ASSERT_EQ(0, xtcp_write_str(sysctl, "0"));
	ASSERT_EQ(0, connect_pair(variant->lo, variant->proto, self->lfd,
				  &c, &s));
	ASSERT_EQ(0, getsockopt(c, IPPROTO_TCP, TCP_INFO, &tc, &len));
	ASSERT_EQ(0, getsockopt(s, IPPROTO_TCP, TCP_INFO, &ts, &len));
	EXPECT_EQ(0, tc.tcpi_options & TCPI_OPT_TIMESTAMPS);
	EXPECT_EQ(0, ts.tcpi_options & TCPI_OPT_TIMESTAMPS);
	close(c);
	close(s);
}

/*
 * Both SYNs offer window scaling and SACK, so both ends use them: each
 * scales by the shift the other announced.
 */
TEST_F(opt, wscale_and_sack_negotiated)
{
	struct tcp_info tc, ts;
	static char buf[20000];
	socklen_t len;
	int c, s;

	ASSERT_EQ(0, connect_pair(variant->lo, variant->proto, self->lfd,
				  &c, &s));
	ASSERT_EQ(sizeof(buf), write(c, buf, sizeof(buf)));
	ASSERT_EQ(0, read_n(s, sizeof(buf)));
	ASSERT_EQ(0, wait_ioctl(c, SIOCOUTQ, 0));
	len = sizeof(tc);
	ASSERT_EQ(0, getsockopt(c, IPPROTO_TCP, TCP_INFO, &tc, &len));
	len = sizeof(ts);
	ASSERT_EQ(0, getsockopt(s, IPPROTO_TCP, TCP_INFO, &ts, &len));
	EXPECT_EQ(TCPI_OPT_SACK | TCPI_OPT_WSCALE,
		  tc.tcpi_options & (TCPI_OPT_SACK | TCPI_OPT_WSCALE));
	EXPECT_EQ(TCPI_OPT_SACK | TCPI_OPT_WSCALE,
		  ts.tcpi_options & (TCPI_OPT_SACK | TCPI_OPT_WSCALE));
	/* Bit-fields: the harness's typeof() needs them as values. */
	EXPECT_LT(0, (int)tc.tcpi_rcv_wscale);
	EXPECT_EQ((int)tc.tcpi_snd_wscale, (int)ts.tcpi_rcv_wscale);
	EXPECT_EQ((int)tc.tcpi_rcv_wscale, (int)ts.tcpi_snd_wscale);
	TH_LOG("wscale %d/%d", (int)tc.tcpi_snd_wscale,
	       (int)tc.tcpi_rcv_wscale);
	close(c);
	close(s);
}

TEST_F(opt, inq_outq)
{
	char buf[1000];
	int c, s;

	ASSERT_EQ(0, connect_pair(variant->lo, variant->proto, self->lfd,
				  &c, &s));
	memset(buf, 'b', sizeof(buf));
	ASSERT_EQ(1000, write(s, buf, 1000));
	EXPECT_EQ(1000, wait_ioctl(c, SIOCINQ, 1000));
	ASSERT_EQ(400, read(c, buf, 400));
	EXPECT_EQ(600, xtcp_ioctl_int(c, SIOCINQ));
	EXPECT_EQ(0, wait_ioctl(s, SIOCOUTQ, 0));
	EXPECT_EQ(0, xtcp_ioctl_int(s, SIOCOUTQNSD));
	EXPECT_EQ(0, xtcp_ioctl_int(c, SIOCOUTQ));
	/* A listener has no queues to measure. */
	EXPECT_EQ(-EINVAL, xtcp_ioctl_int(self->lfd, SIOCINQ));
	EXPECT_EQ(-EINVAL, xtcp_ioctl_int(self->lfd, SIOCOUTQ));
	EXPECT_EQ(-EINVAL, xtcp_ioctl_int(self->lfd, SIOCOUTQNSD));
	close(c);
	close(s);
}

/* A corked partial segment waits; uncorking sends it. */
TEST_F(opt, cork_holds_until_uncorked)
{
	char buf[100];
	int c, s;

	ASSERT_EQ(0, connect_pair(variant->lo, variant->proto, self->lfd,
				  &c, &s));
	ASSERT_EQ(0, xtcp_set_int(c, IPPROTO_TCP, TCP_CORK, 1));
	memset(buf, 'c', sizeof(buf));
	ASSERT_EQ(100, write(c, buf, 100));
	EXPECT_EQ(100, xtcp_ioctl_int(c, SIOCOUTQNSD));
	EXPECT_EQ(100, xtcp_ioctl_int(c, SIOCOUTQ));
	ASSERT_EQ(0, xtcp_set_int(c, IPPROTO_TCP, TCP_CORK, 0));
	EXPECT_EQ(0, wait_ioctl(c, SIOCOUTQNSD, 0));
	EXPECT_EQ(100, wait_ioctl(s, SIOCINQ, 100));
	close(c);
	close(s);
}

/* A corked partial segment leaves by itself after about 200 ms. */
TEST_F(opt, cork_flushed_by_timer)
{
	long long t0, took;
	char buf[100];
	int c, s;

	ASSERT_EQ(0, connect_pair(variant->lo, variant->proto, self->lfd,
				  &c, &s));
	ASSERT_EQ(0, xtcp_set_int(c, IPPROTO_TCP, TCP_CORK, 1));
	memset(buf, 'c', sizeof(buf));
	t0 = xtcp_now_ms();
	ASSERT_EQ(100, write(c, buf, 100));
	EXPECT_EQ(100, wait_ioctl(s, SIOCINQ, 100));
	took = xtcp_now_ms() - t0;
	TH_LOG("corked data left after %lld ms", took);
	EXPECT_LE(190, took) {
		struct tcp_info ti;

		/* What else could have sent it: a timer armed before? */
		if (!xtcp_tcp_info(c, &ti))
			TH_LOG("rto %u us, backoff %u, probes %u, retrans %u, unacked %u",
			       ti.tcpi_rto, ti.tcpi_backoff, ti.tcpi_probes,
			       ti.tcpi_total_retrans, ti.tcpi_unacked);
	}
	EXPECT_EQ(1, get_int(c, TCP_CORK));
	close(c);
	close(s);
}

TEST_F(opt, so_error_refused)
{
	struct pollfd pfd = { .events = POLLOUT };
	struct sockaddr_storage a;
	socklen_t alen = xtcp_sockaddr(variant->lo, PORT + 1, &a);
	socklen_t len = sizeof(int);
	int fd, err = -1;

	fd = socket(variant->family, SOCK_STREAM | SOCK_NONBLOCK,
		    variant->proto);
	ASSERT_LE(0, fd);
	ASSERT_EQ(-1, connect(fd, (struct sockaddr *)&a, alen));
	ASSERT_EQ(EINPROGRESS, errno);
	pfd.fd = fd;
	ASSERT_EQ(1, poll(&pfd, 1, 5000));
	EXPECT_TRUE(pfd.revents & POLLERR);
	ASSERT_EQ(0, getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len));
	EXPECT_EQ(ECONNREFUSED, err);
	/* Reading it clears it. */
	ASSERT_EQ(0, getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len));
	EXPECT_EQ(0, err);
	close(fd);
}

static int get_buf(int fd, int name)
{
	socklen_t len = sizeof(int);
	int val = -1;

	return getsockopt(fd, SOL_SOCKET, name, &val, &len) ? -errno : val;
}

/*
 * Move 16 MiB over the pair @c -> @s, a child writing while the caller
 * reads; 0 once all of it arrived and the writer succeeded.
 */
static int stream_16m(int c, int s)
{
	static char buf[65536];
	int i, status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		for (i = 0; i < 256; i++)
			if (write(c, buf, sizeof(buf)) != sizeof(buf))
				_exit(1);
		_exit(0);
	}
	if (read_n(s, 256 * sizeof(buf)) ||
	    waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -1;
}

/*
 * A receive buffer the user did not size grows with the reader's pace,
 * as Linux TCP's auto-tuning does, up to [2] of its sysctl (tcp_rmem,
 * xtcp's rmem: the same value).
 */
TEST_F(opt, rcvbuf_autotune)
{
	int c, s, rcv0;

	ASSERT_EQ(0, connect_pair(variant->lo, variant->proto, self->lfd,
				  &c, &s));
	rcv0 = get_buf(s, SO_RCVBUF);
	ASSERT_EQ(0, stream_16m(c, s));
	EXPECT_LT(rcv0, get_buf(s, SO_RCVBUF));
	EXPECT_GE(6291456, get_buf(s, SO_RCVBUF));
	TH_LOG("SO_RCVBUF %d -> %d", rcv0, get_buf(s, SO_RCVBUF));
	close(c);
	close(s);
}

/* tcpi_rcv_ssthresh of @fd, or -1. */
static long rcv_ssthresh(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
		return -1;
	return ti.tcpi_rcv_ssthresh;
}

/*
 * The window opens as data arrives and is read, as Linux's
 * rcv_ssthresh: at most 64 KiB at first; data arriving for a reader
 * that does not read can open it only as far as half the buffer, the
 * most the free space offers; 16 MiB read as fast as they come let it
 * grow past 64 KiB, as the buffer grows with the reader.
 */
TEST_F(opt, rcv_ssthresh_follows_the_reader)
{
	static char buf[32768];
	long first;
	int c, s;

	ASSERT_EQ(0, connect_pair(variant->lo, variant->proto, self->lfd,
				  &c, &s));
	first = rcv_ssthresh(s);
	EXPECT_LT(0, first);
	EXPECT_GE(65535, first);
	ASSERT_EQ(sizeof(buf), write(c, buf, sizeof(buf)));
	ASSERT_EQ(sizeof(buf), wait_ioctl(s, SIOCINQ, sizeof(buf)));
	EXPECT_LE(first, rcv_ssthresh(s));
	EXPECT_GE(get_buf(s, SO_RCVBUF) / 2, rcv_ssthresh(s));
	ASSERT_EQ(0, read_n(s, sizeof(buf)));
	ASSERT_EQ(0, stream_16m(c, s));
	EXPECT_LT(65536, rcv_ssthresh(s));
	TH_LOG("rcv_ssthresh %ld -> %ld", first, rcv_ssthresh(s));
	close(c);
	close(s);
}

/*
 * A send buffer the user did not size grows with cwnd, as Linux TCP's
 * tcp_sndbuf_expand(), up to [2] of its sysctl (tcp_wmem, xtcp's wmem:
 * the same value), at the handshake already and then whenever the
 * writer finds it full while cwnd is not.
 */
TEST_F(opt, sndbuf_autotune)
{
	int c, s, snd0;

	c = socket(variant->family, SOCK_STREAM, variant->proto);
	ASSERT_LE(0, c);
	snd0 = get_buf(c, SO_SNDBUF);
	close(c);
	ASSERT_EQ(0, connect_pair(variant->lo, variant->proto, self->lfd,
				  &c, &s));
	/* Both ends: room for two initial windows from the handshake on. */
	EXPECT_LT(snd0, get_buf(c, SO_SNDBUF));
	EXPECT_LT(snd0, get_buf(s, SO_SNDBUF));
	/*
	 * A small window keeps the flight below cwnd and the writer's
	 * queue full: the condition for growth, whatever the timing.
	 */
	ASSERT_EQ(0, xtcp_set_int(s, SOL_SOCKET, SO_RCVBUF, 65536));
	ASSERT_EQ(0, stream_16m(c, s));
	EXPECT_LT(snd0, get_buf(c, SO_SNDBUF));
	EXPECT_GE(4194304, get_buf(c, SO_SNDBUF));
	TH_LOG("SO_SNDBUF %d -> %d", snd0, get_buf(c, SO_SNDBUF));
	close(c);
	close(s);
}

/* A size the user set (which the kernel doubles) stays as it is. */
TEST_F(opt, buffers_set_by_user_stay)
{
	int c, s;

	ASSERT_EQ(0, connect_pair(variant->lo, variant->proto, self->lfd,
				  &c, &s));
	ASSERT_EQ(0, xtcp_set_int(c, SOL_SOCKET, SO_SNDBUF, 65536));
	ASSERT_EQ(0, xtcp_set_int(s, SOL_SOCKET, SO_RCVBUF, 65536));
	ASSERT_EQ(0, stream_16m(c, s));
	EXPECT_EQ(131072, get_buf(c, SO_SNDBUF));
	EXPECT_EQ(131072, get_buf(s, SO_RCVBUF));
	close(c);
	close(s);
}

/*
 * net.xtcp.rmem and wmem: min, a new socket's size, the most auto-tuning
 * gives; global as TCP's, so read-only outside the initial namespace.
 */
TEST_F(opt, buffer_sysctls)
{
	char line[64];
	int fd;

	if (variant->proto != IPPROTO_XTCP)
		SKIP(return, "xtcp's own sysctl");
	ASSERT_EQ(0, xtcp_first_line("/proc/sys/net/xtcp/rmem", line,
				     sizeof(line)));
	EXPECT_STREQ("4096\t212992\t6291456\n", line);
	ASSERT_EQ(0, xtcp_first_line("/proc/sys/net/xtcp/wmem", line,
				     sizeof(line)));
	EXPECT_STREQ("4096\t212992\t4194304\n", line);
	EXPECT_EQ(-EACCES, xtcp_write_str("/proc/sys/net/xtcp/rmem",
					  "4096 4096 4096"));
	fd = socket(variant->family, SOCK_STREAM, IPPROTO_XTCP);
	ASSERT_LE(0, fd);
	EXPECT_EQ(212992, get_buf(fd, SO_RCVBUF));
	EXPECT_EQ(212992, get_buf(fd, SO_SNDBUF));
	close(fd);
}

TEST_HARNESS_MAIN
