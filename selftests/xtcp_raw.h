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
 * when @data is not NULL, up to @cap bytes of its payload go there and
 * the payload's length into *@dlen.  Returns 0 or -ETIMEDOUT.
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
		if (data) {
			*dlen = n - ihl - h->doff;
			memcpy(data, buf + ihl + h->doff,
			       *dlen < cap ? *dlen : cap);
		}
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

#endif /* _XTCP_RAW_H */
