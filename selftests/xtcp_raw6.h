/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xtcp_raw.h's segments by hand over IPv6: the checksum over the IPv6
 * pseudo-header (RFC 8200 8.1), and a raw AF_INET6 socket of xtcp's
 * protocol to send them and read the module's answers.  Unlike IPv4's,
 * an IPv6 raw socket reads the payload alone, without the IP header,
 * and sends what it is given: without IPV6_CHECKSUM the kernel leaves
 * the checksum field as the test wrote it.
 */
#ifndef _XTCP_RAW6_H
#define _XTCP_RAW6_H

#include <poll.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>

#include "xtcp_test.h"
#include "xtcp_pkt.h"

/*
 * Checksum of an xtcp segment (its checksum field zero) of @len bytes
 * from @saddr to @daddr, over the IPv6 pseudo-header with next header
 * @proto.
 */
static inline uint16_t xtcp_raw6_csum(const struct in6_addr *saddr,
				      const struct in6_addr *daddr,
				      uint8_t proto, const void *seg,
				      size_t len)
{
	uint8_t pseudo[40] = { 0 };
	uint32_t sum;

	memcpy(pseudo, saddr, 16);
	memcpy(pseudo + 16, daddr, 16);
	pseudo[34] = len >> 8;
	pseudo[35] = len & 0xff;
	pseudo[39] = proto;
	sum = xtcp_csum_add(0, pseudo, sizeof(pseudo));
	sum = xtcp_csum_add(sum, seg, len);
	return (uint16_t)~sum;
}

/* xtcp_build_seg() over IPv6: the segment's length. */
static inline size_t xtcp_raw6_build_seg(uint8_t *buf,
					 const struct xtcp_seg_hdr *h,
					 const void *payload, size_t plen,
					 const struct in6_addr *saddr,
					 const struct in6_addr *daddr,
					 uint8_t proto)
{
	size_t len = xtcp_build_seg(buf, h, payload, plen, 0, 0, proto);

	xtcp_put_be16(buf + XTCP_CSUM_OFFSET, 0);
	xtcp_put_be16(buf + XTCP_CSUM_OFFSET,
		      xtcp_raw6_csum(saddr, daddr, proto, buf, len));
	return len;
}

/* Send a segment built by the caller to @addr (IPv6 text); 0 or -errno. */
static inline int xtcp_raw6_send(int raw, const char *addr, const void *buf,
				 size_t len)
{
	struct sockaddr_storage dst;
	socklen_t alen = xtcp_sockaddr(addr, 0, &dst);
	ssize_t n;

	if (!alen)
		return -EINVAL;
	n = sendto(raw, buf, len, 0, (struct sockaddr *)&dst, alen);
	return n == (ssize_t)len ? 0 : -errno;
}

/*
 * Wait (up to 3 s) on @raw, a raw AF_INET6 socket of xtcp, for a segment
 * from port @sport to port @dport with at least the @flags bits set, as
 * xtcp_raw_recv() does on IPv4: its header in *@h, its options in @opts
 * (when not NULL) and their length in *@optlen.  0 or -ETIMEDOUT.
 */
static inline int xtcp_raw6_recv(int raw, unsigned short sport,
				 unsigned short dport, uint8_t flags,
				 struct xtcp_seg_hdr *h, uint8_t *opts,
				 size_t *optlen)
{
	long long deadline = xtcp_now_ms() + 3000;
	struct pollfd pfd = { .fd = raw, .events = POLLIN };
	uint8_t buf[2048];
	ssize_t n;

	while (xtcp_now_ms() < deadline) {
		if (poll(&pfd, 1, 100) != 1)
			continue;
		n = recv(raw, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < XTCP_HDR_LEN || xtcp_hdr_decode(h, buf, n))
			continue;
		if (h->sport != sport || h->dport != dport ||
		    (h->flags & flags) != flags)
			continue;
		if (opts) {
			*optlen = h->doff - XTCP_HDR_LEN;
			memcpy(opts, buf + XTCP_HDR_LEN, *optlen);
		}
		return 0;
	}
	return -ETIMEDOUT;
}

/*
 * A raw socket for whole IPv6 datagrams (IPPROTO_RAW implies
 * IPV6_HDRINCL): the caller writes the IPv6 header, so that a test may
 * send from any source address, as a spoofing peer would.  It never
 * receives.  -1 on error.
 */
static inline int xtcp_raw6_hdrincl_socket(void)
{
	return socket(AF_INET6, SOCK_RAW, IPPROTO_RAW);
}

/*
 * Send segment @h (and @plen bytes of @data, at most 1024) from @saddr
 * to @daddr through @raw, a socket of xtcp_raw6_hdrincl_socket(), in an
 * IPv6 datagram of next header xtcp and hop limit 64; 0 or -errno.
 */
static inline int xtcp_raw6_send_ip(int raw, const struct in6_addr *saddr,
				    const struct in6_addr *daddr,
				    const struct xtcp_seg_hdr *h,
				    const void *data, size_t plen)
{
	struct sockaddr_in6 dst = {
		.sin6_family = AF_INET6,
		.sin6_addr = *daddr,
	};
	uint8_t buf[40 + XTCP_HDR_MAX_LEN + 1024];
	size_t len;
	ssize_t n;

	if (plen > 1024)
		return -EINVAL;
	len = xtcp_raw6_build_seg(buf + 40, h, data, plen, saddr, daddr,
				  IPPROTO_XTCP);
	memset(buf, 0, 40);
	buf[0] = 0x60;			/* version 6 */
	xtcp_put_be16(buf + 4, len);	/* payload length */
	buf[6] = IPPROTO_XTCP;		/* next header */
	buf[7] = 64;			/* hop limit */
	memcpy(buf + 8, saddr, 16);
	memcpy(buf + 24, daddr, 16);
	n = sendto(raw, buf, 40 + len, 0, (struct sockaddr *)&dst,
		   sizeof(dst));
	return n == (ssize_t)(40 + len) ? 0 : -errno;
}

/* A bare SYN with sequence number @seq from @saddr:@sport. */
static inline int xtcp_raw6_syn(int raw, const struct in6_addr *saddr,
				const struct in6_addr *daddr,
				unsigned short sport, unsigned short dport,
				uint32_t seq)
{
	struct xtcp_seg_hdr h = {
		.sport = sport, .dport = dport, .seq = seq,
		.doff = XTCP_HDR_LEN, .flags = XTCP_FLAG_SYN,
		.window = 65535,
	};

	return xtcp_raw6_send_ip(raw, saddr, daddr, &h, NULL, 0);
}

/*
 * xtcp_packet_socket() for IPv6: every IPv6 datagram that arrives on
 * @dev, from its IPv6 header on, and none that its host sends there;
 * nonblocking, with a receive buffer of 4 MiB.  -1 on error.
 */
static inline int xtcp_raw6_packet_socket(const char *dev)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(ETH_P_IPV6) };
	int fd, big = 4 << 20, one = 1;

	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK, htons(ETH_P_IPV6));
	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one,
		       sizeof(one))) {
		close(fd);
		return -1;
	}
	sll.sll_ifindex = if_nametoindex(dev);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		close(fd);
		return -1;
	}
	return fd;
}

#endif /* _XTCP_RAW6_H */
