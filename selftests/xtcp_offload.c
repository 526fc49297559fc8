// SPDX-License-Identifier: GPL-2.0
/*
 * Offloads over a link (xtcp_link.h), seen by a packet socket on b's
 * veth0: checksum offload, and runs of segments leaving as GSO skbs,
 * cut by xtcp's GSO callback where the device does not take them, over
 * IPv4 and over IPv6.
 */
#include <netinet/ip.h>

#include "kselftest_harness.h"

/* Both tests over IPv6 as well: linkx.xtcp6. */
#define XTCP_LINKX6_TESTS "checksum_offload", "gso_runs",

#include "xtcp_link.h"

/* The ethertype of @family's packets. */
static int ethertype(int family)
{
	return family == AF_INET6 ? ETH_P_IPV6 : ETH_P_IP;
}

/*
 * A packet socket on b's veth0 that reports each packet's status, for
 * IPv4 or IPv6 (@ethertype).
 */
static int capture_b(const char *b, int ethertype)
{
	struct sockaddr_ll ll = { .sll_family = AF_PACKET,
				  .sll_protocol = htons(ethertype) };
	int fd, one = 1;

	if (enter_ns(b))
		return -1;
	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK, htons(ethertype));
	ll.sll_ifindex = if_nametoindex("veth0");
	if (fd < 0 || !ll.sll_ifindex ||
	    bind(fd, (struct sockaddr *)&ll, sizeof(ll)) ||
	    setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)))
		return -1;
	return fd;
}

/* The IP header's length, IPv4's or IPv6's (no extension headers). */
static unsigned int ip_hlen(const uint8_t *pkt)
{
	return pkt[0] >> 4 == 6 ? 40 : (pkt[0] & 0xf) * 4;
}

/* The protocol of the segment the IP header carries. */
static unsigned int ip_proto(const uint8_t *pkt)
{
	return pkt[0] >> 4 == 6 ? pkt[6] : pkt[9];
}

/* The length of the IP packet, as its header says. */
static unsigned int ip_len(const uint8_t *pkt)
{
	if (pkt[0] >> 4 == 6)
		return 40 + (pkt[4] << 8 | pkt[5]);
	return pkt[2] << 8 | pkt[3];
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
		if (n < 40)
			continue;
		ihl = ip_hlen(pkt);
		if (n < ihl + XTCP_HDR_LEN || ip_proto(pkt) != IPPROTO_XTCP ||
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
 * Send 1000 bytes from a port @sport of a (in @family) to the listener
 * @lfd of b and check they arrive; then the segment that carried them,
 * as captured on b's veth0 by @cap, is copied to @pkt.  Its length or -1.
 */
static int send_captured(int family, int lfd, int cap, unsigned short sport,
			 uint8_t *pkt, size_t size, unsigned int *status)
{
	char buf[1000] = { 0 }, got[1000];
	int fd, c, n = -1;

	fd = bound_socket(IPPROTO_XTCP, ns_addr_a(family), sport, true);
	if (fd < 0 || connect_wait(fd, ns_addr_b(family), PORT_B) ||
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

/*
 * Whether the captured IP packet @pkt of @len bytes has a good checksum:
 * over IPv4's pseudo-header, or IPv6's (RFC 8200 section 8.1).
 */
static bool captured_csum_ok(const uint8_t *pkt, unsigned int len)
{
	static uint8_t seg[IP_MAXPACKET];
	unsigned int ihl = ip_hlen(pkt), slen = len - ihl;
	uint8_t pseudo[40] = { 0 };
	uint32_t saddr, daddr;
	uint16_t sum;

	memcpy(seg, pkt + ihl, slen);
	sum = seg[XTCP_CSUM_OFFSET] << 8 | seg[XTCP_CSUM_OFFSET + 1];
	seg[XTCP_CSUM_OFFSET] = 0;
	seg[XTCP_CSUM_OFFSET + 1] = 0;
	if (pkt[0] >> 4 == 6) {
		memcpy(pseudo, pkt + 8, 32);
		pseudo[34] = slen >> 8;
		pseudo[35] = slen & 0xff;
		pseudo[39] = IPPROTO_XTCP;
		return sum == (uint16_t)~xtcp_csum_add(xtcp_csum_add(0, pseudo,
								     40),
						       seg, slen);
	}
	memcpy(&saddr, pkt + 12, 4);
	memcpy(&daddr, pkt + 16, 4);
	return sum == xtcp_seg_csum(saddr, daddr, IPPROTO_XTCP, seg, slen);
}

/*
 * veth offers generic checksum offload: xtcp leaves the checksum to it
 * (CHECKSUM_PARTIAL, which a packet socket sees as "checksum not
 * ready"), and b takes the segment.  Without the offload (turned off on
 * a's veth0), xtcp computes the checksum itself, and the captured
 * segment carries the right one (over IPv6, linkx.xtcp6, over IPv6's
 * pseudo-header).
 */
TEST_F_TIMEOUT(linkx, checksum_offload, 60)
{
	unsigned int status = 0;
	uint8_t pkt[2048];
	int cap, lfd, n;

	cap = capture_b(self->b, ethertype(self->family));
	ASSERT_LE(0, cap);
	lfd = bound_socket(IPPROTO_XTCP, self->addr_b, PORT_B, false);
	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, listen(lfd, 4));
	ASSERT_EQ(0, enter_ns(self->a));

	n = send_captured(self->family, lfd, cap, PORT_A, pkt, sizeof(pkt),
			  &status);
	ASSERT_LT(0, n);
	EXPECT_TRUE(status & TP_STATUS_CSUMNOTREADY);

	ASSERT_EQ(0, ethtool_off("veth0", ETHTOOL_STXCSUM));
	n = send_captured(self->family, lfd, cap, PORT_A + 10, pkt,
			  sizeof(pkt), &status);
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
		ihl = ip_hlen(pkt);
		len = ip_len(pkt);
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
 * Send 64 KiB in one write from a port @sport of a (in @family) to the
 * listener @lfd of b; 0 when they arrive intact.
 */
static int send_64k(int family, int lfd, unsigned short sport)
{
	static char buf[65536], got[65536];
	int fd, c, err = -1;
	size_t i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = i * 7 + sport;
	fd = bound_socket(IPPROTO_XTCP, ns_addr_a(family), sport, true);
	if (fd < 0 || connect_wait(fd, ns_addr_b(family), PORT_B))
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
 * every segment's checksum.  The bytes arrive intact each time.  Over
 * IPv4 (linkx.gso_runs) and IPv6 (linkx.xtcp6.gso_runs: xtcp's IPv6
 * offload, the checksum over IPv6's pseudo-header).  xtcp only: Linux
 * TCP's GSO is TSO's, not comparable.
 */
TEST_F_TIMEOUT(linkx, gso_runs, 60)
{
	int cap, lfd, big = 8 << 20, mss;
	struct run_seen seen;

	if (self->family == AF_INET6) {
		ASSERT_EQ(0, static_neigh(self->a, self->b, self->addr_b));
		ASSERT_EQ(0, static_neigh(self->b, self->a, self->addr_a));
	}
	cap = capture_b(self->b, ethertype(self->family));
	ASSERT_LE(0, cap);
	ASSERT_EQ(0, setsockopt(cap, SOL_SOCKET, SO_RCVBUFFORCE, &big,
				sizeof(big)));
	lfd = bound_socket(IPPROTO_XTCP, self->addr_b, PORT_B, false);
	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, listen(lfd, 4));
	ASSERT_EQ(0, enter_ns(self->a));

	ASSERT_EQ(0, send_64k(self->family, lfd, PORT_A));
	seen = captured_run(cap, PORT_A, 65536);
	EXPECT_EQ(65536, seen.bytes);
	EXPECT_LT(1500, seen.largest);

	ASSERT_EQ(0, ethtool_feature_off("veth0", "tx-gso-list"));
	ASSERT_EQ(0, send_64k(self->family, lfd, PORT_A + 10));
	seen = captured_run(cap, PORT_A + 10, 65536);
	EXPECT_EQ(65536, seen.bytes);
	EXPECT_EQ(1500, seen.largest);
	EXPECT_EQ(0, seen.checked);

	ASSERT_EQ(0, ethtool_off("veth0", ETHTOOL_STXCSUM));
	ASSERT_EQ(0, send_64k(self->family, lfd, PORT_A + 20));
	seen = captured_run(cap, PORT_A + 20, 65536);
	EXPECT_EQ(65536, seen.bytes);
	EXPECT_EQ(1500, seen.largest);
	/*
	 * MSS 1460 (1440: IPv6's header is 40 bytes), less the timestamp
	 * option every segment carries.
	 */
	mss = (self->family == AF_INET6 ? 1440 : 1460) - 12;
	EXPECT_EQ((65536 + mss - 1) / mss, seen.checked);
	EXPECT_EQ(0, seen.bad);

	ASSERT_EQ(0, enter_ns(self->b));
	EXPECT_EQ(0, xtcp_counter("InCsumErrors"));
	close(lfd);
	close(cap);
}

TEST_HARNESS_MAIN
