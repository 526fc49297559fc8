/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Talking to xtcp through a raw IP socket of its protocol, which sees
 * every xtcp datagram delivered on the host: hand-built segments out,
 * the module's answers in.
 */
#ifndef _XTCP_RAW_H
#define _XTCP_RAW_H

#include <poll.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>

#include "xtcp_test.h"
#include "xtcp_pkt.h"

/* Send a segment built by the caller to @addr; 0 or -errno. */
static inline int xtcp_raw_send_to(int raw, const char *addr,
				   const void *buf, size_t len)
{
	struct sockaddr_in dst = xtcp_addr(addr, 0);
	ssize_t n;

	n = sendto(raw, buf, len, 0, (struct sockaddr *)&dst, sizeof(dst));
	return n == (ssize_t)len ? 0 : -errno;
}

/* Send a segment built by the caller to 127.0.0.1; 0 or -errno. */
static inline int xtcp_raw_send(int raw, const void *buf, size_t len)
{
	return xtcp_raw_send_to(raw, "127.0.0.1", buf, len);
}

/*
 * Wait (up to 3 s) on @fd for an IPv4 datagram of protocol @proto from
 * @saddr_be (network order; 0 for any) carrying a segment from port
 * @sport to port @dport with at least the @flags bits set.  @fd is a raw
 * socket of @proto, or a packet socket of xtcp_packet_socket(), which
 * also sees other protocols.  *@h gets the segment's header; when @opts
 * is not NULL, its options are copied there and their length into
 * *@optlen; when @data is not NULL, up to @cap bytes of its payload go
 * there; the payload's length goes into *@dlen if @dlen is not NULL.
 * Returns 0 or -ETIMEDOUT.
 */
static inline int xtcp_ip_recv_data(int fd, uint8_t proto, uint32_t saddr_be,
				    unsigned short sport, unsigned short dport,
				    uint8_t flags, struct xtcp_seg_hdr *h,
				    uint8_t *opts, size_t *optlen,
				    uint8_t *data, size_t cap, size_t *dlen)
{
	long long deadline = xtcp_now_ms() + 3000;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint8_t buf[2048];
	unsigned int ihl;
	ssize_t n;

	while (xtcp_now_ms() < deadline) {
		if (poll(&pfd, 1, 100) != 1)
			continue;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 20 || buf[9] != proto ||
		    (saddr_be && memcmp(buf + 12, &saddr_be, 4)))
			continue;
		/* The IP length, not the frame's, which may be padded. */
		if (xtcp_get_be16(buf + 2) < n)
			n = xtcp_get_be16(buf + 2);
		ihl = (buf[0] & 0x0f) * 4;
		if (n < ihl || xtcp_hdr_decode(h, buf + ihl, n - ihl))
			continue;
		if (h->sport != sport || h->dport != dport ||
		    (h->flags & flags) != flags)
			continue;
		if (opts) {
			*optlen = h->doff - XTCP_HDR_LEN;
			memcpy(opts, buf + ihl + XTCP_HDR_LEN, *optlen);
		}
		n -= ihl + h->doff;
		if (dlen)
			*dlen = n;
		if (data)
			memcpy(data, buf + ihl + h->doff, n < cap ? n : cap);
		return 0;
	}
	return -ETIMEDOUT;
}

/*
 * xtcp_ip_recv_data() for IPv6: @fd a packet socket of
 * xtcp_packet_socket_proto(dev, ETH_P_IPV6) when @iphdr (datagrams from
 * their IPv6 header on, no extension headers expected), else a raw
 * IPv6 socket of @proto, which reads the segment alone and its source
 * from recvfrom().  @saddr (16 bytes) is the source wanted, NULL for
 * any.  0 or -ETIMEDOUT.
 */
static inline int xtcp_ip6_recv_data(int fd, bool iphdr, uint8_t proto,
				     const void *saddr, unsigned short sport,
				     unsigned short dport, uint8_t flags,
				     struct xtcp_seg_hdr *h, uint8_t *opts,
				     size_t *optlen, uint8_t *data,
				     size_t cap, size_t *dlen)
{
	long long deadline = xtcp_now_ms() + 3000;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct sockaddr_in6 from;
	socklen_t flen;
	uint8_t buf[2048];
	size_t off;
	ssize_t n;

	while (xtcp_now_ms() < deadline) {
		if (poll(&pfd, 1, 100) != 1)
			continue;
		flen = sizeof(from);
		memset(&from, 0, sizeof(from));
		n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
			     (struct sockaddr *)&from, &flen);
		if (n < 0)
			continue;
		if (iphdr) {
			if (n < 40 || buf[0] >> 4 != 6 || buf[6] != proto ||
			    (saddr && memcmp(buf + 8, saddr, 16)))
				continue;
			/* The IP length, not the frame's. */
			if (40 + xtcp_get_be16(buf + 4) < n)
				n = 40 + xtcp_get_be16(buf + 4);
			off = 40;
		} else {
			if (saddr && memcmp(&from.sin6_addr, saddr, 16))
				continue;
			off = 0;
		}
		if ((size_t)n < off || xtcp_hdr_decode(h, buf + off, n - off))
			continue;
		if (h->sport != sport || h->dport != dport ||
		    (h->flags & flags) != flags)
			continue;
		if (opts) {
			*optlen = h->doff - XTCP_HDR_LEN;
			memcpy(opts, buf + off + XTCP_HDR_LEN, *optlen);
		}
		n -= off + h->doff;
		if (dlen)
			*dlen = n;
		if (data)
			memcpy(data, buf + off + h->doff, n < cap ? n : cap);
		return 0;
	}
	return -ETIMEDOUT;
}

/* xtcp_ip_recv_data() of xtcp from anyone, on a raw socket of xtcp. */
static inline int xtcp_raw_recv_data(int raw, unsigned short sport,
				     unsigned short dport, uint8_t flags,
				     struct xtcp_seg_hdr *h, uint8_t *opts,
				     size_t *optlen, uint8_t *data,
				     size_t cap, size_t *dlen)
{
	return xtcp_ip_recv_data(raw, IPPROTO_XTCP, 0, sport, dport, flags,
				 h, opts, optlen, data, cap, dlen);
}

/* xtcp_raw_recv_data() without the payload. */
static inline int xtcp_raw_recv(int raw, unsigned short sport,
				unsigned short dport, uint8_t flags,
				struct xtcp_seg_hdr *h, uint8_t *opts,
				size_t *optlen)
{
	return xtcp_raw_recv_data(raw, sport, dport, flags, h, opts, optlen,
				  NULL, 0, NULL);
}

/*
 * A raw socket for whole IPv4 datagrams (IPPROTO_RAW implies
 * IP_HDRINCL): the caller writes the IP header, so that a test may
 * send from any source address and with any length of xtcp payload,
 * shorter than a header included.  It never receives.  -1 on error.
 */
static inline int xtcp_raw_hdrincl_socket(void)
{
	return socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
}

/*
 * Send @plen bytes at @payload as the whole payload of a datagram of
 * protocol @proto from @saddr_be to @daddr_be (network order) through
 * @raw, a socket of xtcp_raw_hdrincl_socket(); 0 or -errno.
 */
static inline int xtcp_raw_send_ip_proto(int raw, uint32_t saddr_be,
					 uint32_t daddr_be, uint8_t proto,
					 const void *payload, size_t plen)
{
	struct sockaddr_in dst = { .sin_family = AF_INET,
				   .sin_addr.s_addr = daddr_be };
	uint8_t buf[20 + 1500];
	size_t hl;
	ssize_t n;

	if (plen > sizeof(buf) - 20)
		return -EMSGSIZE;
	hl = xtcp_build_ip4(buf, saddr_be, daddr_be, proto, plen);
	memcpy(buf + hl, payload, plen);
	n = sendto(raw, buf, hl + plen, 0, (struct sockaddr *)&dst,
		   sizeof(dst));
	return n == (ssize_t)(hl + plen) ? 0 : -errno;
}

/* xtcp_raw_send_ip_proto() of an xtcp datagram. */
static inline int xtcp_raw_send_ip(int raw, uint32_t saddr_be,
				   uint32_t daddr_be, const void *payload,
				   size_t plen)
{
	return xtcp_raw_send_ip_proto(raw, saddr_be, daddr_be, IPPROTO_XTCP,
				      payload, plen);
}

/*
 * A raw socket for whole IPv6 datagrams (IPPROTO_RAW: the caller writes
 * the IPv6 header, any source address).  It never receives.  -1 on
 * error.
 */
static inline int xtcp_raw6_hdrincl_socket(void)
{
	return socket(AF_INET6, SOCK_RAW, IPPROTO_RAW);
}

/*
 * xtcp_raw_send_ip_proto() over IPv6: @plen bytes at @payload behind an
 * IPv6 header from @saddr to @daddr (16 bytes each), through @raw, a
 * socket of xtcp_raw6_hdrincl_socket(); 0 or -errno.
 */
static inline int xtcp_raw_send_ip6_proto(int raw, const void *saddr,
					  const void *daddr, uint8_t proto,
					  const void *payload, size_t plen)
{
	struct sockaddr_in6 dst = { .sin6_family = AF_INET6 };
	uint8_t buf[40 + 1500];
	size_t hl;
	ssize_t n;

	if (plen > sizeof(buf) - 40)
		return -EMSGSIZE;
	memcpy(&dst.sin6_addr, daddr, 16);
	hl = xtcp_build_ip6(buf, saddr, daddr, proto, plen);
	memcpy(buf + hl, payload, plen);
	n = sendto(raw, buf, hl + plen, 0, (struct sockaddr *)&dst,
		   sizeof(dst));
	return n == (ssize_t)(hl + plen) ? 0 : -errno;
}

/*
 * A packet socket reading every datagram of ethertype @type (ETH_P_IP,
 * ETH_P_IPV6) that arrives on @dev (of the current namespace), from its
 * IP header on, whatever its destination, and none that its host sends
 * there: nonblocking, with a receive buffer of 4 MiB for bursts.  -1 on
 * error.
 */
static inline int xtcp_packet_socket_proto(const char *dev, uint16_t type)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(type) };
	int fd, big = 4 << 20, one = 1;

	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK, htons(type));
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

/* xtcp_packet_socket_proto() of IPv4. */
static inline int xtcp_packet_socket(const char *dev)
{
	return xtcp_packet_socket_proto(dev, ETH_P_IP);
}

/*
 * Send segment @h (+ @len bytes of @data) from @saddr to @daddr, both
 * in network order, through a socket of xtcp_raw_hdrincl_socket(): any
 * source address, as a spoofing peer would.  0 or -errno.
 */
static inline int ip_raw_send(int fd, uint32_t saddr, uint32_t daddr,
			      const struct xtcp_seg_hdr *h, const void *data,
			      size_t len)
{
	uint8_t seg[XTCP_HDR_MAX_LEN + 1400];
	size_t n;

	if (len > sizeof(seg) - XTCP_HDR_MAX_LEN)
		return -EMSGSIZE;
	n = xtcp_build_seg(seg, h, data, len, saddr, daddr, IPPROTO_XTCP);
	return xtcp_raw_send_ip(fd, saddr, daddr, seg, n);
}

/* A bare SYN with sequence number @seq from @saddr:@sport. */
static inline int ip_raw_syn(int fd, uint32_t saddr, uint32_t daddr,
			     unsigned short sport, unsigned short dport,
			     uint32_t seq)
{
	struct xtcp_seg_hdr h = {
		.sport = sport, .dport = dport, .seq = seq,
		.doff = XTCP_HDR_LEN, .flags = XTCP_FLAG_SYN,
		.window = 65535,
	};

	return ip_raw_send(fd, saddr, daddr, &h, NULL, 0);
}

#endif /* _XTCP_RAW_H */
