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

/* Options (RFC 9293 section 3.2, RFC 7323, RFC 2018). */
#define XTCP_OPT_EOL		0
#define XTCP_OPT_NOP		1
#define XTCP_OPT_MSS		2
#define XTCP_OPT_WSCALE		3
#define XTCP_OPT_SACK_PERM	4
#define XTCP_OPT_SACK		5
#define XTCP_OPT_TS		8

/* Option lengths, kind and length bytes included. */
#define XTCP_OPT_MSS_LEN	4
#define XTCP_OPT_WSCALE_LEN	3
#define XTCP_OPT_SACK_PERM_LEN	2
#define XTCP_OPT_SACK_BASE_LEN	2	/* kind and length, then the blocks */
#define XTCP_OPT_SACK_BLOCK_LEN	8	/* left and right edge */
#define XTCP_OPT_TS_LEN		10

/* Room for options: what a 4-bit data offset allows beyond 20 bytes. */
#define XTCP_OPT_SPACE		(XTCP_HDR_MAX_LEN - XTCP_HDR_LEN)
/* SACK blocks one option can carry: (40 - 2) / 8. */
#define XTCP_OPT_SACK_MAX	4
/* Largest window shift: 2^14 * 65535 stays below 2^30 (RFC 7323 2.3). */
#define XTCP_WSCALE_MAX		14

/*
 * Space each option takes in a block written by xtcp_opts_encode(),
 * padding NOPs included: every option is padded to a 32-bit word, as
 * Linux does, so that the fields a receiver reads on every segment
 * (timestamps, SACK edges) are word aligned.
 */
#define XTCP_OPT_MSS_ALIGNED		4
#define XTCP_OPT_TS_ALIGNED		12	/* SACK_PERM rides in its pad */
#define XTCP_OPT_SACK_PERM_ALIGNED	4	/* alone, without TS */
#define XTCP_OPT_WSCALE_ALIGNED		4
#define XTCP_OPT_SACK_BASE_ALIGNED	4

/* struct xtcp_opts.present bits. */
#define XTCP_OPTF_MSS		0x01
#define XTCP_OPTF_WSCALE	0x02
#define XTCP_OPTF_SACK_PERM	0x04
#define XTCP_OPTF_SACK		0x08
#define XTCP_OPTF_TS		0x10
/* Decoding only: the peer sent a shift above 14, @wscale holds 14. */
#define XTCP_OPTF_WSCALE_CLAMPED 0x20

/**
 * struct xtcp_sack_block - one SACK block, in host byte order
 * @start: left edge, the first sequence number of the block
 * @end: right edge, the sequence number just past the block
 *
 * The block is the half-open range [@start, @end) of sequence space.
 */
struct xtcp_sack_block {
	u32 start;
	u32 end;
};

/**
 * struct xtcp_opts - the options of a segment, decoded or to encode
 * @tsval: timestamp value (%XTCP_OPTF_TS)
 * @tsecr: timestamp echo reply (%XTCP_OPTF_TS)
 * @sack: SACK blocks in option order (%XTCP_OPTF_SACK)
 * @mss: maximum segment size (%XTCP_OPTF_MSS)
 * @present: %XTCP_OPTF_* bits; a field is meaningful only when its bit
 *	is set
 * @wscale: window shift count, at most %XTCP_WSCALE_MAX
 *	(%XTCP_OPTF_WSCALE)
 * @num_sacks: entries of @sack in use, 1..%XTCP_OPT_SACK_MAX when
 *	%XTCP_OPTF_SACK is set
 */
struct xtcp_opts {
	u32 tsval;
	u32 tsecr;
	struct xtcp_sack_block sack[XTCP_OPT_SACK_MAX];
	u16 mss;
	u8 present;
	u8 wscale;
	u8 num_sacks;
};

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
 * @opt: options; xtcp_hdr_decode() only clears @opt.present, as the
 *	options may not be readable yet, and xtcp_hdr_decode_opts() fills
 *	them in.  Ignored by xtcp_hdr_encode().
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
	struct xtcp_opts opt;
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
 * Only the first %XTCP_HDR_LEN bytes are read: in the kernel, @len counts
 * the whole skb while only the fixed header is known to be linear at
 * this point.  The options are left to xtcp_hdr_decode_opts(); until
 * then @h->opt.present says there are none.
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
	h->opt.present = 0;
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

/*
 * Decoding options.  The list is the data offset minus 20 bytes, which
 * the decoder never reads beyond, whatever the bytes say:
 *
 * - EOL ends the list; NOP is skipped.
 * - An option is skipped by its length byte when its kind is unknown,
 *   or known but with the wrong length for that kind (MSS not 4, window
 *   scale not 3, SACK-permitted not 2, timestamps not 10, SACK not
 *   2 + 8n with n = 1..4): it is ignored and parsing goes on, as in
 *   Linux's tcp_parse_options().
 * - When the length byte cannot be trusted, because the list ends right
 *   after the kind, the length is below 2 or it runs past the end of the
 *   list, the next option cannot be located: parsing stops there and the
 *   options decoded before are kept, as Linux does.
 * - When an option appears twice, the first valid instance counts.  The
 *   RFCs do not say; Linux keeps the last one, but first-wins is what
 *   xtcp has always answered and a peer sending both is broken either
 *   way.
 *
 * The decoder records MSS, window scale and SACK-permitted on any
 * segment: the caller enforces that they count only on a SYN (RFC 9293
 * 3.7.1, RFC 7323 2.2, RFC 2018 section 2) and that timestamps and SACK
 * blocks are used only once negotiated.
 */

/**
 * xtcp_opt_decode_one() - record one option of known, trusted length
 * @o: options decoded so far; updated
 * @opt: the option, kind byte first
 *
 * @opt[1] is the option's length, already checked to be at least 2 and
 * to lie within the option list.
 */
static inline void xtcp_opt_decode_one(struct xtcp_opts *o, const u8 *opt)
{
	unsigned int len = opt[1];
	unsigned int i, n;

	switch (opt[0]) {
	case XTCP_OPT_MSS:
		if (len != XTCP_OPT_MSS_LEN || (o->present & XTCP_OPTF_MSS))
			return;
		o->mss = xtcp_get_be16(opt + 2);
		o->present |= XTCP_OPTF_MSS;
		return;
	case XTCP_OPT_WSCALE:
		if (len != XTCP_OPT_WSCALE_LEN ||
		    (o->present & XTCP_OPTF_WSCALE))
			return;
		o->wscale = opt[2];
		o->present |= XTCP_OPTF_WSCALE;
		/* RFC 7323 2.3: use 14 instead; the flag lets the caller log. */
		if (o->wscale > XTCP_WSCALE_MAX) {
			o->wscale = XTCP_WSCALE_MAX;
			o->present |= XTCP_OPTF_WSCALE_CLAMPED;
		}
		return;
	case XTCP_OPT_SACK_PERM:
		if (len != XTCP_OPT_SACK_PERM_LEN)
			return;
		o->present |= XTCP_OPTF_SACK_PERM;
		return;
	case XTCP_OPT_SACK:
		n = (len - XTCP_OPT_SACK_BASE_LEN) / XTCP_OPT_SACK_BLOCK_LEN;
		if ((len - XTCP_OPT_SACK_BASE_LEN) % XTCP_OPT_SACK_BLOCK_LEN ||
		    n < 1 || n > XTCP_OPT_SACK_MAX ||
		    (o->present & XTCP_OPTF_SACK))
			return;
		opt += XTCP_OPT_SACK_BASE_LEN;
		for (i = 0; i < n; i++, opt += XTCP_OPT_SACK_BLOCK_LEN) {
			o->sack[i].start = xtcp_get_be32(opt);
			o->sack[i].end = xtcp_get_be32(opt + 4);
		}
		o->num_sacks = n;
		o->present |= XTCP_OPTF_SACK;
		return;
	case XTCP_OPT_TS:
		if (len != XTCP_OPT_TS_LEN || (o->present & XTCP_OPTF_TS))
			return;
		o->tsval = xtcp_get_be32(opt + 2);
		o->tsecr = xtcp_get_be32(opt + 6);
		o->present |= XTCP_OPTF_TS;
		return;
	}
}

/**
 * xtcp_opts_decode() - decode an option list
 * @o: decoded options; @o->present tells which fields were filled
 * @opt: first byte after the fixed header
 * @len: length of the options (data offset minus 20)
 *
 * See the rules above for malformed lists; no byte beyond @opt + @len
 * is read.
 */
static inline void xtcp_opts_decode(struct xtcp_opts *o, const u8 *opt,
				    unsigned int len)
{
	o->present = 0;
	o->num_sacks = 0;
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
		xtcp_opt_decode_one(o, opt);
		len -= opt[1];
		opt += opt[1];
	}
}

/**
 * xtcp_hdr_decode_opts() - decode the options of a decoded header
 * @h: header decoded by xtcp_hdr_decode(); @h->opt is filled
 * @buf: first byte of the xtcp header, as given to xtcp_hdr_decode()
 *
 * All @h->doff bytes from @buf must be readable (in the kernel: linear,
 * after pskb_may_pull() of @h->doff).
 */
static inline void xtcp_hdr_decode_opts(struct xtcp_seg_hdr *h,
					const u8 *buf)
{
	xtcp_opts_decode(&h->opt, buf + XTCP_HDR_LEN, h->doff - XTCP_HDR_LEN);
}

/**
 * xtcp_opts_fixed_len() - option space taken by all but the SACK blocks
 * @o: options to encode
 *
 * At most 20 bytes: MSS 4, timestamps 12 (SACK-permitted included) or
 * SACK-permitted alone 4, window scale 4.
 *
 * Return: the aligned length, in bytes.
 */
static inline unsigned int xtcp_opts_fixed_len(const struct xtcp_opts *o)
{
	unsigned int len = 0;

	if (o->present & XTCP_OPTF_MSS)
		len += XTCP_OPT_MSS_ALIGNED;
	/* SACK-permitted takes the two bytes TS would pad with NOPs. */
	if (o->present & XTCP_OPTF_TS)
		len += XTCP_OPT_TS_ALIGNED;
	else if (o->present & XTCP_OPTF_SACK_PERM)
		len += XTCP_OPT_SACK_PERM_ALIGNED;
	if (o->present & XTCP_OPTF_WSCALE)
		len += XTCP_OPT_WSCALE_ALIGNED;
	return len;
}

/**
 * xtcp_opts_sack_fit() - how many SACK blocks xtcp_opts_encode() writes
 * @o: options to encode
 *
 * The blocks are the last thing written and take what room the other
 * options leave out of 40 bytes: 4 blocks alone, 3 beside timestamps.
 * The first blocks are kept, since RFC 2018 puts the most recent first.
 *
 * Return: the number of leading blocks of @o->sack that fit, 0 when
 * %XTCP_OPTF_SACK is clear.
 */
static inline unsigned int xtcp_opts_sack_fit(const struct xtcp_opts *o)
{
	unsigned int room = XTCP_OPT_SPACE - xtcp_opts_fixed_len(o);
	unsigned int n = o->num_sacks;

	if (!(o->present & XTCP_OPTF_SACK) ||
	    room < XTCP_OPT_SACK_BASE_ALIGNED + XTCP_OPT_SACK_BLOCK_LEN)
		return 0;
	room = (room - XTCP_OPT_SACK_BASE_ALIGNED) / XTCP_OPT_SACK_BLOCK_LEN;
	if (n > room)
		n = room;
	if (n > XTCP_OPT_SACK_MAX)
		n = XTCP_OPT_SACK_MAX;
	return n;
}

/**
 * xtcp_opts_len() - length of the option block xtcp_opts_encode() writes
 * @o: options to encode
 *
 * For sizing a segment before writing it.
 *
 * Return: the length in bytes, a multiple of 4, at most %XTCP_OPT_SPACE.
 */
static inline unsigned int xtcp_opts_len(const struct xtcp_opts *o)
{
	unsigned int n = xtcp_opts_sack_fit(o);
	unsigned int len = xtcp_opts_fixed_len(o);

	if (n)
		len += XTCP_OPT_SACK_BASE_ALIGNED +
		       n * XTCP_OPT_SACK_BLOCK_LEN;
	return len;
}

/**
 * xtcp_opts_encode() - write an option block
 * @p: xtcp_opts_len(@o) bytes to fill (%XTCP_OPT_SPACE always suffice)
 * @o: the options whose %XTCP_OPTF_* bit is set in @o->present
 *
 * The layout is Linux's tcp_options_write(), so that traces compare
 * byte for byte: MSS; NOP, NOP, TS, or SACK-permitted, TS when both are
 * sent; NOP, NOP, SACK-permitted without TS; NOP, window scale; NOP,
 * NOP, SACK.  Every option then starts or ends on a 32-bit word.  SACK
 * blocks beyond xtcp_opts_sack_fit() are dropped, and a window shift
 * above 14 is sent as 14, so the block is always valid and never longer
 * than 40 bytes.  %XTCP_OPTF_WSCALE_CLAMPED is ignored.
 *
 * Return: the number of bytes written, xtcp_opts_len(@o).
 */
static inline unsigned int xtcp_opts_encode(u8 *p, const struct xtcp_opts *o)
{
	unsigned int n = xtcp_opts_sack_fit(o);
	unsigned int i;
	u8 *start = p;

	if (o->present & XTCP_OPTF_MSS) {
		xtcp_opt_put_mss(p, o->mss);
		p += XTCP_OPT_MSS_ALIGNED;
	}
	if (o->present & XTCP_OPTF_TS) {
		if (o->present & XTCP_OPTF_SACK_PERM) {
			p[0] = XTCP_OPT_SACK_PERM;
			p[1] = XTCP_OPT_SACK_PERM_LEN;
		} else {
			p[0] = XTCP_OPT_NOP;
			p[1] = XTCP_OPT_NOP;
		}
		p[2] = XTCP_OPT_TS;
		p[3] = XTCP_OPT_TS_LEN;
		xtcp_put_be32(p + 4, o->tsval);
		xtcp_put_be32(p + 8, o->tsecr);
		p += XTCP_OPT_TS_ALIGNED;
	} else if (o->present & XTCP_OPTF_SACK_PERM) {
		p[0] = XTCP_OPT_NOP;
		p[1] = XTCP_OPT_NOP;
		p[2] = XTCP_OPT_SACK_PERM;
		p[3] = XTCP_OPT_SACK_PERM_LEN;
		p += XTCP_OPT_SACK_PERM_ALIGNED;
	}
	if (o->present & XTCP_OPTF_WSCALE) {
		p[0] = XTCP_OPT_NOP;
		p[1] = XTCP_OPT_WSCALE;
		p[2] = XTCP_OPT_WSCALE_LEN;
		p[3] = o->wscale > XTCP_WSCALE_MAX ? XTCP_WSCALE_MAX :
						      o->wscale;
		p += XTCP_OPT_WSCALE_ALIGNED;
	}
	if (n) {
		p[0] = XTCP_OPT_NOP;
		p[1] = XTCP_OPT_NOP;
		p[2] = XTCP_OPT_SACK;
		p[3] = XTCP_OPT_SACK_BASE_LEN + n * XTCP_OPT_SACK_BLOCK_LEN;
		p += XTCP_OPT_SACK_BASE_ALIGNED;
		for (i = 0; i < n; i++, p += XTCP_OPT_SACK_BLOCK_LEN) {
			xtcp_put_be32(p, o->sack[i].start);
			xtcp_put_be32(p + 4, o->sack[i].end);
		}
	}
	return p - start;
}

#endif /* _XTCP_WIRE_H */
