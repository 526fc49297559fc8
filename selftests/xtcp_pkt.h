/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Building xtcp segments by hand, for tests that talk to the module
 * through raw sockets.  Header layout and encoding come from the module
 * itself (module/xtcp_wire.h); the checksum is an independent RFC 1071
 * implementation, so that a test checks the module's arithmetic rather
 * than repeating it.
 */
#ifndef _XTCP_PKT_H
#define _XTCP_PKT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>

#include "../module/xtcp_wire.h"

/* RFC 1071 one's complement sum of @len bytes, folded, not inverted. */
static inline uint32_t xtcp_csum_add(uint32_t sum, const void *data,
				     size_t len)
{
	const uint8_t *p = data;

	while (len > 1) {
		sum += (uint32_t)p[0] << 8 | p[1];
		p += 2;
		len -= 2;
	}
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* The Internet checksum of @len bytes, as it goes on the wire. */
static inline uint16_t xtcp_csum(const void *data, size_t len)
{
	return (uint16_t)~xtcp_csum_add(0, data, len);
}

/*
 * Checksum of an xtcp segment (header with its checksum field zero, and
 * payload) over the IPv4 pseudo-header: addresses in network order,
 * @proto the IP protocol number.
 */
static inline uint16_t xtcp_seg_csum(uint32_t saddr_be, uint32_t daddr_be,
				     uint8_t proto, const void *seg,
				     size_t len)
{
	uint8_t pseudo[12];
	uint32_t sum;

	memcpy(pseudo, &saddr_be, 4);
	memcpy(pseudo + 4, &daddr_be, 4);
	pseudo[8] = 0;
	pseudo[9] = proto;
	pseudo[10] = len >> 8;
	pseudo[11] = len & 0xff;
	sum = xtcp_csum_add(0, pseudo, sizeof(pseudo));
	sum = xtcp_csum_add(sum, seg, len);
	return (uint16_t)~sum;
}

/*
 * Encode @h (with its options @h->opt when @h->doff leaves room for
 * them) and @plen bytes of @payload into @buf, checksummed for the
 * given addresses and protocol.  Returns the segment length.
 */
static inline size_t xtcp_build_seg(uint8_t *buf, const struct xtcp_seg_hdr *h,
				    const void *payload, size_t plen,
				    uint32_t saddr_be, uint32_t daddr_be,
				    uint8_t proto)
{
	struct xtcp_seg_hdr tmp = *h;
	size_t len = h->doff + plen;

	tmp.check = 0;
	memset(buf, 0, h->doff);
	xtcp_hdr_encode(buf, &tmp);
	if (h->doff > XTCP_HDR_LEN)
		xtcp_opts_encode(buf + XTCP_HDR_LEN, &h->opt);
	if (plen)
		memcpy(buf + h->doff, payload, plen);
	xtcp_put_be16(buf + XTCP_CSUM_OFFSET,
		      xtcp_seg_csum(saddr_be, daddr_be, proto, buf, len));
	return len;
}

/*
 * Checksum of an xtcp segment over the IPv6 pseudo-header (RFC 8200
 * section 8.1): @saddr and @daddr 16 bytes each, @proto the next header.
 */
static inline uint16_t xtcp_seg_csum6(const void *saddr, const void *daddr,
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

/*
 * xtcp_build_seg() between IPv6 addresses @saddr and @daddr (16 bytes
 * each).  Returns the segment length.
 */
static inline size_t xtcp_build_seg6(uint8_t *buf,
				     const struct xtcp_seg_hdr *h,
				     const void *payload, size_t plen,
				     const void *saddr, const void *daddr,
				     uint8_t proto)
{
	size_t len = xtcp_build_seg(buf, h, payload, plen, 0, 0, proto);

	xtcp_put_be16(buf + XTCP_CSUM_OFFSET, 0);
	xtcp_put_be16(buf + XTCP_CSUM_OFFSET,
		      xtcp_seg_csum6(saddr, daddr, proto, buf, len));
	return len;
}

/*
 * Put the checksum of the @len bytes of segment @seg, as they are, in
 * its checksum field: for segments a test wrote byte by byte (bad data
 * offsets, malformed options) rather than through xtcp_build_seg().
 * @len must be at least XTCP_HDR_LEN.
 */
static inline void xtcp_seg_set_csum(uint8_t *seg, size_t len,
				     uint32_t saddr_be, uint32_t daddr_be,
				     uint8_t proto)
{
	xtcp_put_be16(seg + XTCP_CSUM_OFFSET, 0);
	xtcp_put_be16(seg + XTCP_CSUM_OFFSET,
		      xtcp_seg_csum(saddr_be, daddr_be, proto, seg, len));
}

/*
 * A checksum field that no receiver can take for @good: not @good, and
 * not its other one's complement zero (0x0000 and 0xffff verify alike).
 * @flip is any nonzero value the caller drew.
 */
static inline uint16_t xtcp_csum_bad(uint16_t good, uint16_t flip)
{
	uint16_t bad = good ^ (flip ? flip : 1);

	if ((good == 0 || good == 0xffff) && (bad == 0 || bad == 0xffff))
		bad = 0x1234;
	return bad;
}

/*
 * An IPv4 header without options for a raw socket with IP_HDRINCL in
 * front of @plen bytes of protocol @proto: the kernel fills in the
 * identification and header checksum (raw_send_hdrinc() does when they
 * are zero, and always rewrites the total length).  Returns its length.
 */
static inline size_t xtcp_build_ip4(uint8_t *buf, uint32_t saddr_be,
				    uint32_t daddr_be, uint8_t proto,
				    size_t plen)
{
	memset(buf, 0, 20);
	buf[0] = 0x45;
	xtcp_put_be16(buf + 2, 20 + plen);
	buf[8] = 64;
	buf[9] = proto;
	memcpy(buf + 12, &saddr_be, 4);
	memcpy(buf + 16, &daddr_be, 4);
	return 20;
}

/*
 * An IPv6 header for a raw IPv6 socket of IPPROTO_RAW (which sends the
 * header as written) in front of @plen bytes of next header @proto,
 * from @saddr to @daddr (16 bytes each).  Returns its length.
 */
static inline size_t xtcp_build_ip6(uint8_t *buf, const void *saddr,
				    const void *daddr, uint8_t proto,
				    size_t plen)
{
	memset(buf, 0, 40);
	buf[0] = 0x60;
	xtcp_put_be16(buf + 4, plen);
	buf[6] = proto;
	buf[7] = 64;
	memcpy(buf + 8, saddr, 16);
	memcpy(buf + 24, daddr, 16);
	return 40;
}

#endif /* _XTCP_PKT_H */
