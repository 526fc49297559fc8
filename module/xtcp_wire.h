/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The xtcp wire header: TCP's byte layout (RFC 9293 section 3.1), carried
 * in IP with xtcp's own protocol number, so that packet analysers read it
 * as TCP (tshark -d ip.proto==253,tcp).
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        Sequence Number                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Acknowledgment Number                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Data |       |C|E|U|A|P|R|S|F|                               |
 * | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
 * |       |       |R|E|G|K|H|T|N|N|                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Checksum            |         Urgent Pointer        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The header is encoded and decoded byte by byte rather than through a
 * bitfield struct: the code is then the same on every endianness and in
 * both the kernel and the userspace unit tests, which share this file.
 */
#ifndef _XTCP_WIRE_H
#define _XTCP_WIRE_H

#include <linux/types.h>
#include <linux/errno.h>

#define XTCP_HDR_LEN		20	/* header without options */
#define XTCP_HDR_MAX_LEN	60	/* data offset is 4 bits of words */
#define XTCP_CSUM_OFFSET	16	/* checksum field, as in TCP */

#define XTCP_FLAG_FIN		0x01
#define XTCP_FLAG_SYN		0x02
#define XTCP_FLAG_RST		0x04
#define XTCP_FLAG_PSH		0x08
#define XTCP_FLAG_ACK		0x10
#define XTCP_FLAG_URG		0x20
#define XTCP_FLAG_ECE		0x40
#define XTCP_FLAG_CWR		0x80

/**
 * struct xtcp_seg_hdr - a decoded xtcp header, in host byte order
 * @sport: source port
 * @dport: destination port
 * @seq: sequence number of the first byte (or of the SYN/FIN)
 * @ack: acknowledgment number, meaningful when %XTCP_FLAG_ACK is set
 * @doff: header length in bytes, options included (20..60)
 * @flags: %XTCP_FLAG_* bits
 * @window: receive window, not yet scaled
 * @check: checksum field as found on the wire (host order)
 * @urg_ptr: urgent pointer
 */
struct xtcp_seg_hdr {
	u16 sport;
	u16 dport;
	u32 seq;
	u32 ack;
	u8 doff;
	u8 flags;
	u16 window;
	u16 check;
	u16 urg_ptr;
};

static inline u16 xtcp_get_be16(const u8 *p)
{
	return (u16)(p[0] << 8 | p[1]);
}

static inline u32 xtcp_get_be32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

static inline void xtcp_put_be16(u8 *p, u16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static inline void xtcp_put_be32(u8 *p, u32 v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

/**
 * xtcp_hdr_decode() - parse and validate the fixed part of a header
 * @h: decoded header, filled on success
 * @buf: first byte of the xtcp header
 * @len: bytes available from @buf (header, options and payload)
 *
 * Return: 0 on success, -EINVAL when @len cannot hold the fixed header or
 * the data offset is below 5 words or beyond @len.
 */
static inline int xtcp_hdr_decode(struct xtcp_seg_hdr *h, const u8 *buf,
				  unsigned int len)
{
	if (len < XTCP_HDR_LEN)
		return -EINVAL;
	h->doff = (buf[12] >> 4) * 4;
	if (h->doff < XTCP_HDR_LEN || h->doff > len)
		return -EINVAL;
	h->sport = xtcp_get_be16(buf);
	h->dport = xtcp_get_be16(buf + 2);
	h->seq = xtcp_get_be32(buf + 4);
	h->ack = xtcp_get_be32(buf + 8);
	h->flags = buf[13];
	h->window = xtcp_get_be16(buf + 14);
	h->check = xtcp_get_be16(buf + XTCP_CSUM_OFFSET);
	h->urg_ptr = xtcp_get_be16(buf + 18);
	return 0;
}

/**
 * xtcp_hdr_encode() - write the fixed part of a header
 * @buf: XTCP_HDR_LEN bytes to fill
 * @h: header to encode; @h->doff must be a multiple of 4 in 20..60
 *
 * The four reserved bits are written as zero.
 */
static inline void xtcp_hdr_encode(u8 *buf, const struct xtcp_seg_hdr *h)
{
	xtcp_put_be16(buf, h->sport);
	xtcp_put_be16(buf + 2, h->dport);
	xtcp_put_be32(buf + 4, h->seq);
	xtcp_put_be32(buf + 8, h->ack);
	buf[12] = (h->doff / 4) << 4;
	buf[13] = h->flags;
	xtcp_put_be16(buf + 14, h->window);
	xtcp_put_be16(buf + XTCP_CSUM_OFFSET, h->check);
	xtcp_put_be16(buf + 18, h->urg_ptr);
}

/* Options (RFC 9293 section 3.2). */
#define XTCP_OPT_EOL		0
#define XTCP_OPT_NOP		1
#define XTCP_OPT_MSS		2
#define XTCP_OPT_MSS_LEN	4

/**
 * xtcp_opt_mss() - find the MSS option
 * @opt: first byte after the fixed header
 * @len: length of the options (data offset minus 20)
 *
 * Unknown options are skipped by their length; a malformed list ends
 * the search.
 *
 * Return: the MSS announced, or 0 when there is none.
 */
static inline u16 xtcp_opt_mss(const u8 *opt, unsigned int len)
{
	while (len > 0) {
		if (opt[0] == XTCP_OPT_EOL)
			break;
		if (opt[0] == XTCP_OPT_NOP) {
			opt++;
			len--;
			continue;
		}
		if (len < 2 || opt[1] < 2 || opt[1] > len)
			break;
		if (opt[0] == XTCP_OPT_MSS && opt[1] == XTCP_OPT_MSS_LEN)
			return xtcp_get_be16(opt + 2);
		len -= opt[1];
		opt += opt[1];
	}
	return 0;
}

/**
 * xtcp_opt_put_mss() - write an MSS option
 * @p: XTCP_OPT_MSS_LEN bytes to fill
 * @mss: the MSS to announce
 */
static inline void xtcp_opt_put_mss(u8 *p, u16 mss)
{
	p[0] = XTCP_OPT_MSS;
	p[1] = XTCP_OPT_MSS_LEN;
	xtcp_put_be16(p + 2, mss);
}

#endif /* _XTCP_WIRE_H */
