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

#include "xtcp_raw.h"

/* xtcp_build_seg6() between struct in6_addr: the segment's length. */
static inline size_t xtcp_raw6_build_seg(uint8_t *buf,
					 const struct xtcp_seg_hdr *h,
					 const void *payload, size_t plen,
					 const struct in6_addr *saddr,
					 const struct in6_addr *daddr,
					 uint8_t proto)
{
	return xtcp_build_seg6(buf, h, payload, plen, saddr, daddr, proto);
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
 * Send segment @h (and @plen bytes of @data, at most 1024) from @saddr
 * to @daddr through @raw, a socket of xtcp_raw6_hdrincl_socket(), in an
 * IPv6 datagram of next header xtcp and hop limit 64; 0 or -errno.
 */
static inline int xtcp_raw6_send_ip(int raw, const struct in6_addr *saddr,
				    const struct in6_addr *daddr,
				    const struct xtcp_seg_hdr *h,
				    const void *data, size_t plen)
{
	uint8_t seg[XTCP_HDR_MAX_LEN + 1024];
	size_t len;

	if (plen > 1024)
		return -EINVAL;
	len = xtcp_build_seg6(seg, h, data, plen, saddr, daddr, IPPROTO_XTCP);
	return xtcp_raw_send_ip6_proto(raw, saddr, daddr, IPPROTO_XTCP, seg,
				       len);
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

/* xtcp_packet_socket_proto() of IPv6. */
static inline int xtcp_raw6_packet_socket(const char *dev)
{
	return xtcp_packet_socket_proto(dev, ETH_P_IPV6);
}

#endif /* _XTCP_RAW6_H */
