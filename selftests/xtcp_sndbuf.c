// SPDX-License-Identifier: GPL-2.0
/*
 * The send side over a link with netem (xtcp_link.h): Nagle's rule,
 * zero-window probes towards a slow reader, the send buffer's limit
 * and what queued data costs.
 */
#include "kselftest_harness.h"
#include "xtcp_ns.h"

/*
 * Over IPv6 (link.xtcp6): Nagle, the send buffer's limit and the cost
 * of queued data (segments 20 bytes shorter).  The slow reader, long,
 * exercises the window and its probes, which do not depend on the
 * family: not run again, for CI's time.
 */
static const struct link6_skip link6_skips[] = {
	{ "slow_reader",
	  "family-independent window probes, as link.xtcp (CI time)" },
	{ NULL, NULL }
};

#define XTCP_LINK6_SKIPS	link6_skips

#include "xtcp_link.h"

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
	fd = held_open_af(&h, self->b, variant->proto, variant->proc,
			  self->family);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, black_hole_af(self->a, self->b, self->family));
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
	ASSERT_EQ(0, xtcp_tcp_info(fd, &ti));
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

/*
 * b's side of the slow reader: a small receive buffer, nothing read until
 * told, then everything to the end, every byte checked.
 */
static int slow_b(void *arg)
{
	struct side *s = arg;
	int lfd, fd;
	char c;

	lfd = bound_socket(s->proto, side_addr_b(s), PORT_B, false);
	if (lfd < 0 || xtcp_set_int(lfd, SOL_SOCKET, SO_RCVBUF, 32768) ||
	    listen(lfd, 1))
		return 1;
	fd = accept(lfd, NULL, NULL);
	if (fd < 0 || write(s->ready, "r", 1) != 1 || read(s->go, &c, 1) != 1)
		return 2;
	return xtcp_check_pattern(fd, s->len);
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
	struct side s = { .proto = variant->proto, .family = self->family,
			  .proc = variant->proc, .len = 4000 * 500 };
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
		_exit(xtcp_send_pattern_chunks(fd, s.len, 500) ? 1 : 0);
	ASSERT_LT(0, writer);
	probes = xtcp_wait_proto_counter(variant->proto, "WinProbes", 4,
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
	return xtcp_sockstat_field("/proc/net/xtcp_sockstat", "XTCP:", "mem");
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
	char buf[1000] = "";
	struct held h;

	ASSERT_EQ(0, enter_ns(self->a));
	mem0 = xtcp_mem_pages();
	fd = held_open_af(&h, self->b, variant->proto, variant->proc,
			  self->family);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xtcp_set_int(fd, SOL_SOCKET, SO_SNDBUF, 4096));
	ASSERT_EQ(0, getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &len));
	ASSERT_EQ(0, black_hole_af(self->a, self->b, self->family));
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
	xtcp_read_poll_timeout(xtcp_mem_pages, mem, mem <= mem0, 20000, 10000);
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
	fd = held_open_af(&h, self->b, variant->proto, variant->proc,
			  self->family);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xtcp_set_int(fd, SOL_SOCKET, SO_SNDBUF, 262144));
	ASSERT_EQ(0, black_hole_af(self->a, self->b, self->family));
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

TEST_HARNESS_MAIN
