// SPDX-License-Identifier: GPL-2.0
/*
 * Bulk data, each transfer checked by the digest of its bytes (see
 * xtcp_stream.h): 64 MiB over loopback, 200 connections of 1 MiB at once,
 * and 8 MiB between two namespaces over each of the impairments netem and
 * tbf give a link, then over all of them at once.
 *
 * Every test runs over Linux TCP and over xtcp with the same
 * expectations; the path of 20% loss over IPv6 too, xtcp only
 * (path.xtcp6_loss20).  XTCP_BULK_DIV=N in the environment divides every
 * transfer by N, and XTCP_BULK_PATHS=a,b runs only the paths named: the
 * debug lane, whose KASAN kernel runs under an emulated CPU, moves less
 * data, and only over the path with every impairment at once.
 */
#include <sys/resource.h>

#include "xtcp_ns.h"
#include "xtcp_stream.h"
#include "kselftest_harness.h"

#define MIB		(1024 * 1024)
#define LOOP_PORT	23100
#define N_CONC		200

/* @bytes as this lane moves it: divided by XTCP_BULK_DIV, if set. */
static size_t bulk_len(size_t bytes)
{
	const char *div = getenv("XTCP_BULK_DIV");
	long d = div ? strtol(div, NULL, 10) : 1;

	return d > 1 ? bytes / d : bytes;
}

/* What a receiver reports through its pipe. */
struct bulk_result {
	int err;
	unsigned int streams;
	uint64_t len;
	uint64_t digest;
};

static int report(int fd, const struct bulk_result *r)
{
	return write(fd, r, sizeof(*r)) == sizeof(*r) ? 0 : 1;
}

/* Accept one connection on @lfd, read it to its end, report the digest. */
static int receive_one(int lfd, int out)
{
	struct bulk_result r = { 0 };
	struct xtcp_digest d;
	int fd;

	xtcp_digest_init(&d);
	fd = accept(lfd, NULL, NULL);
	if (fd < 0) {
		r.err = -errno;
		return report(out, &r);
	}
	r.err = xtcp_recv_stream(fd, &d);
	r.streams = 1;
	r.len = d.len;
	r.digest = xtcp_digest_final(&d);
	close(fd);
	return report(out, &r);
}

/*
 * Send @len bytes of stream 1 from a fresh socket to @addr:@port, where
 * a child runs receive_one() on @lfd, and compare both ends' digests.
 */
static int transfer(struct __test_metadata *_metadata, int proto, int lfd,
		    const char *addr, unsigned short port, size_t len)
{
	struct sockaddr_storage dst;
	socklen_t dlen = xtcp_sockaddr(addr, port, &dst);
	struct bulk_result r;
	struct xtcp_digest d;
	int pipefd[2], fd;
	long long t0;
	pid_t pid;

	xtcp_digest_init(&d);
	if (pipe(pipefd))
		return -errno;
	pid = fork();
	if (!pid)
		_exit(receive_one(lfd, pipefd[1]));
	fd = socket(dst.ss_family, SOCK_STREAM, proto);
	EXPECT_LE(0, fd);
	t0 = xtcp_now_ms();
	EXPECT_EQ(0, connect(fd, (struct sockaddr *)&dst, dlen));
	EXPECT_EQ(0, xtcp_send_stream(fd, 1, len, 1 << 16, &d));
	close(fd);
	EXPECT_EQ(sizeof(r), read(pipefd[0], &r, sizeof(r)));
	EXPECT_EQ(0, child_status(pid));
	TH_LOG("%zu bytes in %lld ms", len, xtcp_now_ms() - t0);
	EXPECT_EQ(0, r.err);
	EXPECT_EQ(len, r.len);
	EXPECT_EQ(xtcp_digest_final(&d), r.digest);
	close(pipefd[0]);
	close(pipefd[1]);
	return 0;
}

/* The digest sees every byte, its position and the length. */
TEST(digest_sees_every_byte)
{
	struct xtcp_digest whole, split, flipped;
	static uint8_t buf[4096];
	uint64_t x = xtcp_stream_seed(7);
	size_t i;

	xtcp_stream_fill(&x, buf, sizeof(buf));
	xtcp_digest_init(&whole);
	xtcp_digest_init(&split);
	xtcp_digest_update(&whole, buf, sizeof(buf));
	for (i = 0; i < sizeof(buf); i += 13)
		xtcp_digest_update(&split, buf + i,
				   sizeof(buf) - i < 13 ? sizeof(buf) - i : 13);
	EXPECT_EQ(xtcp_digest_final(&whole), xtcp_digest_final(&split));
	for (i = 0; i < sizeof(buf); i += 511) {
		buf[i] ^= 1;
		xtcp_digest_init(&flipped);
		xtcp_digest_update(&flipped, buf, sizeof(buf));
		EXPECT_NE(xtcp_digest_final(&whole),
			  xtcp_digest_final(&flipped));
		buf[i] ^= 1;
	}
	/* Two words swapped, a zero byte added: different digests too. */
	xtcp_digest_init(&flipped);
	xtcp_digest_update(&flipped, buf + 8, 8);
	xtcp_digest_update(&flipped, buf, 8);
	xtcp_digest_update(&flipped, buf + 16, sizeof(buf) - 16);
	EXPECT_NE(xtcp_digest_final(&whole), xtcp_digest_final(&flipped));
	xtcp_digest_update(&split, "", 1);
	EXPECT_NE(xtcp_digest_final(&whole), xtcp_digest_final(&split));
}

FIXTURE(loop) {
	int lfd;
};

FIXTURE_VARIANT(loop) {
	int proto;
};

FIXTURE_VARIANT_ADD(loop, tcp) {
	.proto = IPPROTO_TCP,
};

FIXTURE_VARIANT_ADD(loop, xtcp) {
	.proto = IPPROTO_XTCP,
};

FIXTURE_SETUP(loop)
{
	XTCP_SKIP_TCP_VARIANT(variant->proto);
	ASSERT_EQ(0, xtcp_new_netns());
	self->lfd = bound_socket(variant->proto, "127.0.0.1", LOOP_PORT,
				 false);
	ASSERT_LE(0, self->lfd);
	ASSERT_EQ(0, listen(self->lfd, 1024));
}

FIXTURE_TEARDOWN(loop)
{
	close(self->lfd);
}

TEST_F_TIMEOUT(loop, bulk_64mib, 300)
{
	transfer(_metadata, variant->proto, self->lfd, "127.0.0.1",
		 LOOP_PORT, bulk_len(64 * MIB));
}

/* One sending connection of many: stream @seed, written as it can. */
struct conc_conn {
	int fd;
	uint64_t x;
	size_t left;
	size_t off, end;
	uint8_t buf[1 << 14];
};

/* Write what @c's socket takes now; 1 when all of it is sent, or -errno. */
static int conc_write(struct conc_conn *c)
{
	ssize_t n;

	while (c->left) {
		if (c->off == c->end) {
			xtcp_stream_fill(&c->x, c->buf, sizeof(c->buf));
			c->off = 0;
			c->end = c->left < sizeof(c->buf) ? c->left :
							    sizeof(c->buf);
		}
		n = send(c->fd, c->buf + c->off, c->end - c->off,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0)
			return errno == EAGAIN ? 0 : -errno;
		c->off += n;
		c->left -= n;
	}
	return 1;
}

/*
 * Receive @n connections on @lfd at once and report how many ended
 * cleanly, their bytes and the sum of their digests: the sum does not
 * depend on the order in which they finish, each digest on its bytes.
 */
static int receive_many(int lfd, int n, int out)
{
	struct pollfd *pfd = calloc(n + 1, sizeof(*pfd));
	struct xtcp_digest *d = calloc(n, sizeof(*d));
	struct bulk_result r = { 0 };
	static uint8_t buf[1 << 16];
	int open = 0, accepted = 0, i;
	ssize_t got;

	if (!pfd || !d)
		return 2;
	for (i = 0; i < n; i++)
		pfd[i].fd = -1;
	pfd[n].fd = lfd;
	pfd[n].events = POLLIN;
	while (!r.err && (accepted < n || open)) {
		if (poll(pfd, n + 1, 60000) <= 0) {
			r.err = -ETIMEDOUT;
			break;
		}
		if (pfd[n].revents && accepted < n) {
			pfd[accepted].fd = accept(lfd, NULL, NULL);
			pfd[accepted].events = POLLIN;
			xtcp_digest_init(&d[accepted++]);
			open++;
		}
		for (i = 0; i < accepted; i++) {
			if (pfd[i].fd < 0 || !pfd[i].revents)
				continue;
			got = recv(pfd[i].fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (got > 0) {
				xtcp_digest_update(&d[i], buf, got);
				continue;
			}
			if (got < 0 && errno == EAGAIN)
				continue;
			r.err = got ? -errno : 0;
			r.streams += !got;
			r.len += d[i].len;
			r.digest += xtcp_digest_final(&d[i]);
			close(pfd[i].fd);
			pfd[i].fd = -1;
			open--;
		}
	}
	return report(out, &r);
}

/* Connect @n sockets to @port on loopback without waiting; 0 or -errno. */
static int conc_connect(struct conc_conn *c, int n, int proto,
			unsigned short port, size_t len)
{
	struct sockaddr_in dst = xtcp_addr("127.0.0.1", port);
	int i;

	for (i = 0; i < n; i++) {
		c[i].fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, proto);
		if (c[i].fd < 0)
			return -errno;
		if (connect(c[i].fd, (struct sockaddr *)&dst, sizeof(dst)) &&
		    errno != EINPROGRESS)
			return -errno;
		c[i].x = xtcp_stream_seed(i + 1);
		c[i].left = len;
		c[i].off = 0;
		c[i].end = 0;
	}
	return 0;
}

/* Every connection's digest, computed apart from the one sent. */
static uint64_t conc_expected(int n, size_t len, struct xtcp_digest *d)
{
	static uint8_t buf[1 << 14];
	uint64_t sum = 0, x;
	size_t left, chunk;
	int i;

	for (i = 0; i < n; i++) {
		xtcp_digest_init(&d[i]);
		x = xtcp_stream_seed(i + 1);
		for (left = len; left; left -= chunk) {
			chunk = left < sizeof(buf) ? left : sizeof(buf);
			xtcp_stream_fill(&x, buf, sizeof(buf));
			xtcp_digest_update(&d[i], buf, chunk);
		}
		sum += xtcp_digest_final(&d[i]);
	}
	return sum;
}

/* Drive the @n senders until all are sent and closed; 0 or -errno. */
static int conc_send_all(struct conc_conn *c, int n)
{
	struct pollfd *pfd = calloc(n, sizeof(*pfd));
	int left = n, i, err = 0;

	if (!pfd)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		pfd[i].fd = c[i].fd;
		pfd[i].events = POLLOUT;
	}
	while (left && !err) {
		if (poll(pfd, n, 60000) <= 0) {
			err = -ETIMEDOUT;
			break;
		}
		for (i = 0; i < n && !err; i++) {
			if (pfd[i].fd < 0 || !pfd[i].revents)
				continue;
			err = conc_write(&c[i]);
			if (err == 1) {
				close(c[i].fd);
				pfd[i].fd = -1;
				left--;
				err = 0;
			}
		}
	}
	free(pfd);
	return err;
}

/* 200 connections at once, each moving 1 MiB, all intact. */
TEST_F_TIMEOUT(loop, concurrent_200x1mib, 300)
{
	struct conc_conn *c = calloc(N_CONC, sizeof(*c));
	struct xtcp_digest *d = calloc(N_CONC, sizeof(*d));
	size_t len = bulk_len(MIB);
	struct rlimit rl = { 4 * N_CONC, 4 * N_CONC };
	struct bulk_result r;
	uint64_t sum;
	int pipefd[2];
	long long t0;
	pid_t pid;

	ASSERT_NE(NULL, c);
	ASSERT_NE(NULL, d);
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl));
	sum = conc_expected(N_CONC, len, d);
	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	if (!pid)
		_exit(receive_many(self->lfd, N_CONC, pipefd[1]));
	t0 = xtcp_now_ms();
	ASSERT_EQ(0, conc_connect(c, N_CONC, variant->proto, LOOP_PORT, len));
	EXPECT_EQ(0, conc_send_all(c, N_CONC));
	ASSERT_EQ(sizeof(r), read(pipefd[0], &r, sizeof(r)));
	EXPECT_EQ(0, child_status(pid));
	TH_LOG("%d x %zu bytes in %lld ms", N_CONC, len, xtcp_now_ms() - t0);
	EXPECT_EQ(0, r.err);
	EXPECT_EQ(N_CONC, r.streams);
	EXPECT_EQ((uint64_t)N_CONC * len, r.len);
	EXPECT_EQ(sum, r.digest);
	free(c);
	free(d);
}

/*
 * Two namespaces, and on both ends of their link one impairment: netem's
 * loss, jitter, reordering and duplication, tbf's rate limit, or all of
 * them at once (with 5% loss, the middle of the three).  20% loss is on
 * the data's way only.
 */
FIXTURE(path) {
	char a[32], b[32];
	int lfd;
	const char *addr_b;	/* in the variant's family */
};

/* What one path does to the segments on it, and how much data it takes. */
struct impairment {
	const char *name;
	const char *netem;	/* parameters of the root netem qdisc */
	const char *tbf;	/* and of a tbf below it, if any */
	const char *netem_b;	/* b's (the ACKs') netem, if not @netem */
	size_t len;		/* bytes to move */
};

#define TBF_20MBIT	"rate 20mbit burst 20kb latency 100ms"

static const struct impairment loss1 = {
	.name = "loss1",
	.netem = "delay 5ms loss 1%",
	.len = 8 * MIB,
};

static const struct impairment loss5 = {
	.name = "loss5",
	.netem = "delay 5ms loss 5%",
	.len = 8 * MIB,
};

/* Data only: see Documentation/testing.rst. */
static const struct impairment loss20 = {
	.name = "loss20",
	.netem = "delay 5ms loss 20%",
	.netem_b = "delay 5ms",
	.len = MIB / 4,
};

static const struct impairment jitter = {
	.name = "jitter",
	.netem = "delay 20ms 10ms",
	.len = 8 * MIB,
};

static const struct impairment reorder25 = {
	.name = "reorder25",
	.netem = "delay 10ms reorder 25% 50%",
	.len = 8 * MIB,
};

static const struct impairment dup5 = {
	.name = "dup5",
	.netem = "delay 5ms duplicate 5%",
	.len = 8 * MIB,
};

static const struct impairment tbf = {
	.name = "tbf",
	.netem = "delay 5ms",
	.tbf = TBF_20MBIT,
	.len = 8 * MIB,
};

static const struct impairment all = {
	.name = "all",
	.netem = "delay 20ms 10ms loss 5% duplicate 5% reorder 25% 50%",
	.tbf = TBF_20MBIT,
	.len = 8 * MIB,
};

FIXTURE_VARIANT(path) {
	int proto;
	int family;	/* 0: AF_INET */
	const struct impairment *imp;
};

FIXTURE_VARIANT_ADD(path, tcp_loss1) {
	.proto = IPPROTO_TCP,
	.imp = &loss1,
};

FIXTURE_VARIANT_ADD(path, xtcp_loss1) {
	.proto = IPPROTO_XTCP,
	.imp = &loss1,
};

FIXTURE_VARIANT_ADD(path, tcp_loss5) {
	.proto = IPPROTO_TCP,
	.imp = &loss5,
};

FIXTURE_VARIANT_ADD(path, xtcp_loss5) {
	.proto = IPPROTO_XTCP,
	.imp = &loss5,
};

FIXTURE_VARIANT_ADD(path, tcp_loss20) {
	.proto = IPPROTO_TCP,
	.imp = &loss20,
};

FIXTURE_VARIANT_ADD(path, xtcp_loss20) {
	.proto = IPPROTO_XTCP,
	.imp = &loss20,
};

FIXTURE_VARIANT_ADD(path, tcp_jitter) {
	.proto = IPPROTO_TCP,
	.imp = &jitter,
};

FIXTURE_VARIANT_ADD(path, xtcp_jitter) {
	.proto = IPPROTO_XTCP,
	.imp = &jitter,
};

FIXTURE_VARIANT_ADD(path, tcp_reorder25) {
	.proto = IPPROTO_TCP,
	.imp = &reorder25,
};

FIXTURE_VARIANT_ADD(path, xtcp_reorder25) {
	.proto = IPPROTO_XTCP,
	.imp = &reorder25,
};

FIXTURE_VARIANT_ADD(path, tcp_dup5) {
	.proto = IPPROTO_TCP,
	.imp = &dup5,
};

FIXTURE_VARIANT_ADD(path, xtcp_dup5) {
	.proto = IPPROTO_XTCP,
	.imp = &dup5,
};

FIXTURE_VARIANT_ADD(path, tcp_tbf) {
	.proto = IPPROTO_TCP,
	.imp = &tbf,
};

FIXTURE_VARIANT_ADD(path, xtcp_tbf) {
	.proto = IPPROTO_XTCP,
	.imp = &tbf,
};

FIXTURE_VARIANT_ADD(path, tcp_all) {
	.proto = IPPROTO_TCP,
	.imp = &all,
};

FIXTURE_VARIANT_ADD(path, xtcp_all) {
	.proto = IPPROTO_XTCP,
	.imp = &all,
};

/*
 * 20% loss of the data over IPv6 (2001:2::1 to 2001:2::2), xtcp only:
 * tcp_loss20 and xtcp_loss20 already show the expectation TCP's.  The
 * path with the most recovery per byte, and a short one (2 to 4 s where
 * the path of every impairment takes a minute), for CI's time.
 */
FIXTURE_VARIANT_ADD(path, xtcp6_loss20) {
	.proto = IPPROTO_XTCP,
	.family = AF_INET6,
	.imp = &loss20,
};

FIXTURE_SETUP(path)
{
	int family;

	XTCP_SKIP_TCP_VARIANT(variant->proto);
	if (!xtcp_env_lists("XTCP_BULK_PATHS", variant->imp->name))
		SKIP(longjmp(_metadata->env, 1),
		     "path not in XTCP_BULK_PATHS of this lane");
	family = variant->family ? : AF_INET;
	self->addr_b = ns_addr_b(family);
	ASSERT_EQ(0, hosts_up_af(self->a, self->b, sizeof(self->a), family));
	ASSERT_EQ(0, static_neigh(self->a, self->b, self->addr_b));
	ASSERT_EQ(0, static_neigh(self->b, self->a, ns_addr_a(family)));
	ASSERT_EQ(0, impair(self->a, variant->imp->netem, variant->imp->tbf));
	ASSERT_EQ(0, impair(self->b, variant->imp->netem_b ? :
			    variant->imp->netem, variant->imp->tbf));
	ASSERT_EQ(0, segments_only(self->a));
	ASSERT_EQ(0, segments_only(self->b));
	ASSERT_EQ(0, enter_ns(self->b));
	self->lfd = bound_socket(variant->proto, self->addr_b, PORT_B, false);
	ASSERT_LE(0, self->lfd);
	ASSERT_EQ(0, listen(self->lfd, 1));
	ASSERT_EQ(0, enter_ns(self->a));
}

FIXTURE_TEARDOWN(path)
{
	close(self->lfd);
	hosts_down(self->a, self->b);
}

TEST_F_TIMEOUT(path, bulk, 300)
{
	long rtx = xtcp_counter("RetransSegs");

	transfer(_metadata, variant->proto, self->lfd, self->addr_b, PORT_B,
		 bulk_len(variant->imp->len));
	if (variant->proto == IPPROTO_XTCP)
		TH_LOG("%ld segments sent again",
		       xtcp_counter("RetransSegs") - rtx);
}

TEST_HARNESS_MAIN
