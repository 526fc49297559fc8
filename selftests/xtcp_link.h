/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Two hosts: network namespaces "a" (198.18.0.1) and "b" (198.18.0.2)
 * joined by a veth pair, with netem on the link (xtcp_ns.h), as the
 * fixtures of the tests that need a real delay or a lossy path:
 * link, whose tests run over Linux TCP and over xtcp with the same
 * expectations, and linkx, for xtcp only (its sysctls, its counters,
 * the hand-made peer of xtcp_peer.h).  Their tests, by topic:
 *
 *   xtcp_open.c      opening and closing: SYN and FIN retransmission,
 *                    simultaneous open and close, ICMP errors
 *   xtcp_timers.c    the RTO's backoff, TCP_USER_TIMEOUT, retries2,
 *                    keepalive, delayed ACKs
 *   xtcp_sndbuf.c    the send side: Nagle, zero-window probes towards a
 *                    slow reader, the send buffer's limit and overhead
 *   xtcp_recovery.c  loss recovery: a lossy path, SACK, fast retransmit,
 *                    D-SACK and Eifel undo, reordering (hand-made peer)
 *   xtcp_offload.c   checksum offload and GSO runs
 *   xtcp_route.c     a routed path and the MTU: PMTU discovery, ICMP
 *                    from a router, IP options
 *
 * link has a third variant, xtcp6: xtcp over IPv6 (2001:2::1 and
 * 2001:2::2 on the same veth) with the same expectations, as the two
 * IPv4 variants already show them to be TCP's.  A program names the
 * tests its xtcp6 variant does not run, with the reason, in an array
 * of struct link6_skip (xtcp_ns.h) ending with { NULL }, named by
 * XTCP_LINK6_SKIPS before including this header: those an IPv4-only
 * mechanism makes meaningless over IPv6, and long ones that would only
 * run again what the family does not change (timers, for one), to keep
 * CI's time.  They are skipped before the hosts are set up, at no cost.
 *
 * linkx gets an xtcp6 variant only in programs that define
 * XTCP_LINKX6_TESTS ("test", ...), the names of the tests it runs, or
 * XTCP_LINKX6_ALL, for all of them; its IPv4 variant has no name, so
 * that the tests keep theirs (linkx.NAME).  The hand-made peer of
 * linkx_peer_setup() is the one of xtcp_peer.h for the variant's family
 * (over IPv6 the phantom peer), so that one script runs over both.  A
 * program whose xtcp6 tests are such scripts, family-independent beyond
 * the peer's own segments, defines XTCP_LINKX6_NOT_IN_DEBUG_LANE: they
 * skip when the environment has XTCP_DEBUG_LANE=1 (the debug lane, CI's
 * critical path), the Debian lane running them.
 *
 * Include it after kselftest_harness.h: it defines the fixtures.
 */
#ifndef _XTCP_LINK_H
#define _XTCP_LINK_H

#include "xtcp_ns.h"
#include "xtcp_peer.h"
#include "xtcp_stream.h"

#ifndef XTCP_LINK6_SKIPS
static const struct link6_skip link6_no_skips[] = { { NULL, NULL } };
#define XTCP_LINK6_SKIPS	link6_no_skips
#endif

FIXTURE(link) {
	char a[32], b[32];
	int family;		/* AF_INET or AF_INET6 */
	const char *addr_a, *addr_b;	/* in that family */
};

FIXTURE_VARIANT(link) {
	int proto;
	int family;		/* 0: AF_INET */
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

/* The same expectations over IPv6: the tcp variant showed them TCP's. */
FIXTURE_VARIANT_ADD(link, xtcp6) {
	.proto = IPPROTO_XTCP,
	.family = AF_INET6,
	.proc = "/proc/net/xtcp6",
	.syn_retries = "/proc/sys/net/xtcp/syn_retries",
	.retries2 = "/proc/sys/net/xtcp/retries2",
};

FIXTURE_SETUP(link)
{
	const struct link6_skip *skip = XTCP_LINK6_SKIPS;

	XTCP_SKIP_TCP_VARIANT(variant->proto);
	/* Left through the jump buffer, as XTCP_SKIP_TCP_VARIANT(). */
	for (; variant->family == AF_INET6 && skip->test; skip++)
		if (!strcmp(_metadata->name, skip->test))
			SKIP(longjmp(_metadata->env, 1), "IPv6: %s", skip->why);
	self->family = variant->family ? : AF_INET;
	self->addr_a = ns_addr_a(self->family);
	self->addr_b = ns_addr_b(self->family);
	ASSERT_EQ(0, hosts_up_af(self->a, self->b, sizeof(self->a),
				 self->family));
}

FIXTURE_TEARDOWN(link)
{
	hosts_down(self->a, self->b);
}

/* The same two hosts for tests of xtcp only: its sysctls and counters. */
FIXTURE(linkx) {
	char a[32], b[32];
	int family;		/* AF_INET or AF_INET6 */
	const char *addr_a, *addr_b;	/* in that family */
};

#if defined(XTCP_LINKX6_TESTS) || defined(XTCP_LINKX6_ALL)
FIXTURE_VARIANT(linkx) {
	int family;		/* 0: AF_INET */
};

/*
 * No name: linkx's tests keep theirs (linkx.NAME) over IPv4, as without
 * variants (the harness's default variant has none either).
 */
#define LINKX_VARIANT_ADD(...)	FIXTURE_VARIANT_ADD(linkx, __VA_ARGS__)

LINKX_VARIANT_ADD() {
};

FIXTURE_VARIANT_ADD(linkx, xtcp6) {
	.family = AF_INET6,
};

#ifdef XTCP_LINKX6_ALL
#define linkx6_runs(test)	true
#else
static const char *const linkx6_tests[] = { XTCP_LINKX6_TESTS };

static inline bool linkx6_runs(const char *test)
{
	for (size_t i = 0; i < ARRAY_SIZE(linkx6_tests); i++)
		if (!strcmp(test, linkx6_tests[i]))
			return true;
	return false;
}
#endif

#define LINKX_FAMILY	(variant->family ? : AF_INET)
#else
#define LINKX_FAMILY	AF_INET
#define linkx6_runs(test)	true
#endif

#ifdef XTCP_LINKX6_NOT_IN_DEBUG_LANE
#define linkx6_debug_lane_skips()	xtcp_debug_lane()
#else
#define linkx6_debug_lane_skips()	false
#endif

FIXTURE_SETUP(linkx)
{
	self->family = LINKX_FAMILY;
	if (self->family == AF_INET6 && !linkx6_runs(_metadata->name))
		SKIP(longjmp(_metadata->env, 1),
		     "IPv6: talks to the IPv4 peer of xtcp_peer.h, or IPv4's own");
	/* Left before the hosts are set up: no cost under KASAN. */
	if (self->family == AF_INET6 && linkx6_debug_lane_skips())
		SKIP(longjmp(_metadata->env, 1),
		     "IPv6: family-independent script, run by the Debian lane (XTCP_DEBUG_LANE=1)");
	self->addr_a = ns_addr_a(self->family);
	self->addr_b = ns_addr_b(self->family);
	ASSERT_EQ(0, hosts_up_af(self->a, self->b, sizeof(self->a),
				 self->family));
}

FIXTURE_TEARDOWN(linkx)
{
	hosts_down(self->a, self->b);
}

/*
 * The hand-made peer of xtcp_peer.h over linkx's family, connected to a
 * listener in a, offering timestamps if @ts: raw_peer_setup_family().
 */
static inline int linkx_peer_setup(struct _test_data_linkx *self, bool ts,
				   struct raw_peer *p, int *lfd, uint32_t *s0)
{
	return raw_peer_setup_family(self->a, self->b, self->family, ts, p,
				     lfd, s0);
}

/* What a child playing b's side needs, and what it tells a. */
struct side {
	int proto;
	int family;	/* of the addresses; 0: AF_INET */
	const char *proc;
	int go;		/* read end of the start pipe */
	int ready;	/* write end of the "accepted" pipe */
	unsigned int len;	/* bytes a sink expects */
	const char *addr;	/* b's address, when not ns_addr_b(family) */
};

/* a's address and b's for @s: in its family, b's as s->addr says. */
static inline const char *side_addr_a(const struct side *s)
{
	return ns_addr_a(s->family);
}

static inline const char *side_addr_b(const struct side *s)
{
	return s->addr ? : ns_addr_b(s->family);
}

/*
 * b's side up to a's go: listen, accept, tell a (s->ready), wait for the
 * signal (s->go).  The connection, or -1 (listener) or -2 (accept, pipes).
 */
static inline int accept_then_wait(struct side *s)
{
	int lfd, fd;
	char c;

	lfd = bound_socket(s->proto, ns_addr_b(s->family), PORT_B, false);
	if (lfd < 0 || listen(lfd, 1))
		return -1;
	fd = accept(lfd, NULL, NULL);
	if (fd < 0 || write(s->ready, "r", 1) != 1 || read(s->go, &c, 1) != 1)
		return -2;
	return fd;
}

/* b's side of a held connection: accept, then hold until told to go. */
static inline int hold_b(void *arg)
{
	int fd = accept_then_wait(arg);

	if (fd < 0)
		return -fd;
	close(fd);
	return 0;
}

/* Connect a to b's listener run by @fn in a child; the socket or -1. */
static inline int connect_to_child(const char *b, int proto, struct side *s,
				   int (*fn)(void *), pid_t *pid, int ready)
{
	int fd = -1, i;
	char c;

	*pid = spawn_in(b, fn, s);
	for (i = 0; i < 50 && fd < 0; i++) {
		fd = bound_socket(proto, side_addr_a(s), PORT_A, false);
		if (fd >= 0 && connect_wait(fd, side_addr_b(s), PORT_B)) {
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

/* b's side of the transfer tests: read s->len bytes and check each. */
static inline int sink_b(void *arg)
{
	struct side *s = arg;
	int lfd, fd;

	lfd = bound_socket(s->proto, side_addr_b(s), PORT_B, false);
	if (lfd < 0 || listen(lfd, 1))
		return 1;
	fd = accept(lfd, NULL, NULL);
	if (fd < 0 || write(s->ready, "r", 1) != 1)
		return 2;
	return xtcp_check_pattern(fd, s->len);
}

/*
 * From namespace @a, send @s->len bytes of xtcp_pattern() to sink_b() in @b,
 * which checks them.  0 when every byte arrived in order; else -1 (set
 * up), -2 (connect), -3 (send) or the sink's status.
 */
static inline int pattern_to_sink_b(const char *a, const char *b,
				    struct side *s)
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
	err = xtcp_send_pattern(fd, s->len);
	return err ? -3 : child_status(pid);
}

/* A connection from a to a child in b that holds it open until @go. */
struct held {
	int go[2], ready[2];
	pid_t pid;
	struct side s;
};

static inline int held_open_af(struct held *h, const char *b, int proto,
			       const char *proc, int family)
{
	if (pipe(h->go) || pipe(h->ready))
		return -1;
	h->s = (struct side){ .proto = proto, .family = family, .proc = proc,
			      .go = h->go[0], .ready = h->ready[1] };
	return connect_to_child(b, proto, &h->s, hold_b, &h->pid,
				h->ready[0]);
}

static inline int held_open(struct held *h, const char *b, int proto,
			    const char *proc)
{
	return held_open_af(h, b, proto, proc, AF_INET);
}

/*
 * End a held connection: heal the link from a (where the test runs), so
 * that a's RST reaches b, whose side would otherwise send its FIN into
 * the black hole for minutes once the child closes it.
 */
static inline int held_close(struct held *h, int fd)
{
	sh(TC " qdisc change dev veth0 root netem delay 10ms");
	xtcp_reset_close(fd);
	if (write(h->go[1], "g", 1) != 1)
		return -1;
	return child_status(h->pid);
}

#endif /* _XTCP_LINK_H */
