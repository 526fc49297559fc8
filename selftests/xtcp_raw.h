/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Talking to xtcp through a raw IP socket of its protocol, which sees
 * every xtcp datagram delivered on the host: hand-built segments out,
 * the module's answers in.
 */
#ifndef _XTCP_RAW_H
#define _XTCP_RAW_H

#include <poll.h>

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
 * Wait (up to 3 s) for a segment from port @sport to port @dport with
 * at least the @flags bits set.  *@h gets its header; when @opts is not
 * NULL, its options are copied there and their length into *@optlen;
 * when @data is not NULL, up to @cap bytes of its payload go there; the
 * payload's length goes into *@dlen if @dlen is not NULL.  Returns 0 or
 * -ETIMEDOUT.
 */
static inline int xtcp_raw_recv_data(int raw, unsigned short sport,
				     unsigned short dport, uint8_t flags,
				     struct xtcp_seg_hdr *h, uint8_t *opts,
				     size_t *optlen, uint8_t *data,
				     size_t cap, size_t *dlen)
{
	long long deadline = xtcp_now_ms() + 3000;
	struct pollfd pfd = { .fd = raw, .events = POLLIN };
	uint8_t buf[1500];
	unsigned int ihl;
	ssize_t n;

	while (xtcp_now_ms() < deadline) {
		if (poll(&pfd, 1, 100) != 1)
			continue;
		n = recv(raw, buf, sizeof(buf), 0);
		if (n < 20)
			continue;
		ihl = (buf[0] & 0x0f) * 4;
		if (xtcp_hdr_decode(h, buf + ihl, n - ihl))
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
 * Send @plen bytes at @payload as the whole payload of an xtcp datagram
 * from @saddr_be to @daddr_be (network order) through @raw, a socket of
 * xtcp_raw_hdrincl_socket(); 0 or -errno.
 */
static inline int xtcp_raw_send_ip(int raw, uint32_t saddr_be,
				   uint32_t daddr_be, const void *payload,
				   size_t plen)
{
	struct sockaddr_in dst = { .sin_family = AF_INET,
				   .sin_addr.s_addr = daddr_be };
	uint8_t buf[20 + 1500];
	size_t hl;
	ssize_t n;

	if (plen > sizeof(buf) - 20)
		return -EMSGSIZE;
	hl = xtcp_build_ip4(buf, saddr_be, daddr_be, IPPROTO_XTCP, plen);
	memcpy(buf + hl, payload, plen);
	n = sendto(raw, buf, hl + plen, 0, (struct sockaddr *)&dst,
		   sizeof(dst));
	return n == (ssize_t)(hl + plen) ? 0 : -errno;
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
