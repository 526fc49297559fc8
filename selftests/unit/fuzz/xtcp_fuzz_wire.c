// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for module/xtcp_wire.h: the header and option
 * decoders, and the encoders they must agree with.
 *
 * Each input is used twice:
 *
 * 1. As a segment of that exact length, given to xtcp_hdr_decode() and,
 *    when it accepts it, to xtcp_hdr_decode_opts() on a copy of just the
 *    header's doff bytes, so that ASan sees any read past the option
 *    list, not only past the segment.  The results are compared with a
 *    reference decoder written from the rules in xtcp_wire.h, then
 *    encoded again and decoded again: what the encoder writes must read
 *    back as the same fields (with the SACK blocks that did not fit
 *    dropped), and encoding that gives the same bytes.
 * 2. As a struct xtcp_opts of arbitrary content, given to the encoder
 *    with a buffer of exactly xtcp_opts_len() bytes: it must stay inside
 *    it and write a list that decodes to what was asked for.
 *
 * A broken property aborts, which libFuzzer reports as a crash with the
 * input that caused it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../../module/xtcp_wire.h"

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: check failed: %s\n", \
			__FILE__, __LINE__, #cond); \
		abort(); \
	} \
} while (0)

#define OPTF_KNOWN	(XTCP_OPTF_MSS | XTCP_OPTF_WSCALE | \
			 XTCP_OPTF_SACK_PERM | XTCP_OPTF_SACK | XTCP_OPTF_TS)

static u32 be32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

/*
 * The option rules of xtcp_wire.h, spelled differently: indices instead
 * of a moving pointer, and each kind's length checked on its own.
 */
static void ref_opts_decode(struct xtcp_opts *o, const u8 *opt,
			    unsigned int len)
{
	unsigned int i = 0, l, k, n;

	memset(o, 0, sizeof(*o));
	while (i < len) {
		k = opt[i];
		if (k == XTCP_OPT_EOL)
			return;
		if (k == XTCP_OPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len)
			return;
		l = opt[i + 1];
		if (l < 2 || i + l > len)
			return;
		if (k == XTCP_OPT_MSS && l == 4 && !(o->present & XTCP_OPTF_MSS)) {
			o->mss = opt[i + 2] << 8 | opt[i + 3];
			o->present |= XTCP_OPTF_MSS;
		} else if (k == XTCP_OPT_WSCALE && l == 3 &&
			   !(o->present & XTCP_OPTF_WSCALE)) {
			o->present |= XTCP_OPTF_WSCALE;
			o->wscale = opt[i + 2];
			if (o->wscale > 14) {
				o->wscale = 14;
				o->present |= XTCP_OPTF_WSCALE_CLAMPED;
			}
		} else if (k == XTCP_OPT_SACK_PERM && l == 2) {
			o->present |= XTCP_OPTF_SACK_PERM;
		} else if (k == XTCP_OPT_SACK && (l == 10 || l == 18 ||
			   l == 26 || l == 34) && !(o->present & XTCP_OPTF_SACK)) {
			o->num_sacks = (l - 2) / 8;
			for (n = 0; n < o->num_sacks; n++) {
				o->sack[n].start = be32(opt + i + 2 + 8 * n);
				o->sack[n].end = be32(opt + i + 6 + 8 * n);
			}
			o->present |= XTCP_OPTF_SACK;
		} else if (k == XTCP_OPT_TS && l == 10 &&
			   !(o->present & XTCP_OPTF_TS)) {
			o->tsval = be32(opt + i + 2);
			o->tsecr = be32(opt + i + 6);
			o->present |= XTCP_OPTF_TS;
		}
		i += l;
	}
}

/* @a and @b decoded the same options (fields of absent options aside). */
static void check_same_opts(const struct xtcp_opts *a,
			    const struct xtcp_opts *b)
{
	unsigned int i;

	CHECK(a->present == b->present);
	if (a->present & XTCP_OPTF_MSS)
		CHECK(a->mss == b->mss);
	if (a->present & XTCP_OPTF_WSCALE)
		CHECK(a->wscale == b->wscale);
	if (a->present & XTCP_OPTF_TS) {
		CHECK(a->tsval == b->tsval);
		CHECK(a->tsecr == b->tsecr);
	}
	CHECK(a->num_sacks == b->num_sacks);
	for (i = 0; i < a->num_sacks; i++) {
		CHECK(a->sack[i].start == b->sack[i].start);
		CHECK(a->sack[i].end == b->sack[i].end);
	}
}

/* What any decoded option set promises, whatever the input. */
static void check_opts_sane(const struct xtcp_opts *o)
{
	CHECK(!(o->present & ~(OPTF_KNOWN | XTCP_OPTF_WSCALE_CLAMPED)));
	if (o->present & XTCP_OPTF_WSCALE)
		CHECK(o->wscale <= XTCP_WSCALE_MAX);
	else
		CHECK(!(o->present & XTCP_OPTF_WSCALE_CLAMPED));
	if (o->present & XTCP_OPTF_SACK)
		CHECK(o->num_sacks >= 1 && o->num_sacks <= XTCP_OPT_SACK_MAX);
	else
		CHECK(o->num_sacks == 0);
}

/*
 * Encode @o into a buffer of exactly xtcp_opts_len() bytes, decode it
 * back and check it says what @o asked for; return the length and leave
 * the bytes in @out (XTCP_OPT_SPACE bytes).
 */
static unsigned int encode_and_check(const struct xtcp_opts *o, u8 *out,
				     struct xtcp_opts *back)
{
	unsigned int len = xtcp_opts_len(o), fit = xtcp_opts_sack_fit(o);
	unsigned int want_sacks, fixed, room, i;
	u8 want_present;
	u8 *buf;

	CHECK(len % 4 == 0 && len <= XTCP_OPT_SPACE);
	buf = malloc(len ? len : 1);
	CHECK(buf);
	CHECK(xtcp_opts_encode(buf, o) == len);
	memcpy(out, buf, len);

	xtcp_opts_decode(back, buf, len);
	free(buf);
	check_opts_sane(back);

	/*
	 * Every option asked for comes back; SACK blocks as many as fit in
	 * what the others leave of 40 bytes, and SACK only with a block.
	 */
	fixed = (o->present & XTCP_OPTF_MSS ? 4 : 0) +
		(o->present & XTCP_OPTF_TS ? 12 :
		 o->present & XTCP_OPTF_SACK_PERM ? 4 : 0) +
		(o->present & XTCP_OPTF_WSCALE ? 4 : 0);
	CHECK(xtcp_opts_fixed_len(o) == fixed);
	room = (XTCP_OPT_SPACE - fixed - 4) / 8;
	want_present = o->present & OPTF_KNOWN & ~XTCP_OPTF_SACK;
	want_sacks = o->num_sacks < XTCP_OPT_SACK_MAX ? o->num_sacks :
							 XTCP_OPT_SACK_MAX;
	if (want_sacks > room)
		want_sacks = room;
	if ((o->present & XTCP_OPTF_SACK) && want_sacks)
		want_present |= XTCP_OPTF_SACK;
	else
		want_sacks = 0;
	CHECK(fit == want_sacks);
	CHECK(back->present == want_present);
	if (o->present & XTCP_OPTF_MSS)
		CHECK(back->mss == o->mss);
	if (o->present & XTCP_OPTF_WSCALE)
		CHECK(back->wscale == (o->wscale > XTCP_WSCALE_MAX ?
				       XTCP_WSCALE_MAX : o->wscale));
	if (o->present & XTCP_OPTF_TS) {
		CHECK(back->tsval == o->tsval);
		CHECK(back->tsecr == o->tsecr);
	}
	CHECK(back->num_sacks == want_sacks);
	for (i = 0; i < want_sacks; i++) {
		CHECK(back->sack[i].start == o->sack[i].start);
		CHECK(back->sack[i].end == o->sack[i].end);
	}
	return len;
}

/* Part 1: @data as a segment of @size bytes. */
static void fuzz_segment(const u8 *data, size_t size)
{
	u8 enc[XTCP_HDR_MAX_LEN], enc2[XTCP_HDR_MAX_LEN];
	struct xtcp_seg_hdr h, h2;
	struct xtcp_opts ref, back;
	unsigned int doff, olen;
	u8 *hdr;
	int rc;

	memset(&h, 0xa5, sizeof(h));
	rc = xtcp_hdr_decode(&h, data, size);
	if (size < XTCP_HDR_LEN) {
		CHECK(rc == -EINVAL);
		return;
	}
	doff = (data[12] >> 4) * 4;
	if (doff < XTCP_HDR_LEN || doff > size) {
		CHECK(rc == -EINVAL);
		return;
	}
	CHECK(rc == 0);
	CHECK(h.doff == doff && h.doff % 4 == 0);
	CHECK(h.doff >= XTCP_HDR_LEN && h.doff <= XTCP_HDR_MAX_LEN &&
	      h.doff <= size);
	CHECK(h.opt.present == 0);
	CHECK(h.sport == (data[0] << 8 | data[1]));
	CHECK(h.dport == (data[2] << 8 | data[3]));
	CHECK(h.seq == be32(data + 4));
	CHECK(h.ack == be32(data + 8));
	CHECK(h.flags == data[13]);
	CHECK(h.window == (data[14] << 8 | data[15]));
	CHECK(h.check == (data[16] << 8 | data[17]));
	CHECK(h.urg_ptr == (data[18] << 8 | data[19]));

	/* The options alone, in a buffer that ends where they end. */
	hdr = malloc(doff);
	CHECK(hdr);
	memcpy(hdr, data, doff);
	xtcp_hdr_decode_opts(&h, hdr);
	olen = doff - XTCP_HDR_LEN;
	free(hdr);
	check_opts_sane(&h.opt);
	ref_opts_decode(&ref, data + XTCP_HDR_LEN, olen);
	check_same_opts(&h.opt, &ref);

	/*
	 * Round trip: the decoded header, encoded, decodes to the same
	 * fields; the clamp flag does not survive (14 is sent), nor do SACK
	 * blocks beyond what fits beside the other options.
	 */
	olen = encode_and_check(&h.opt, enc + XTCP_HDR_LEN, &back);
	h.doff = XTCP_HDR_LEN + olen;
	xtcp_hdr_encode(enc, &h);
	memset(&h2, 0x5a, sizeof(h2));
	CHECK(xtcp_hdr_decode(&h2, enc, h.doff) == 0);
	CHECK(h2.doff == h.doff);
	CHECK(h2.sport == h.sport && h2.dport == h.dport);
	CHECK(h2.seq == h.seq && h2.ack == h.ack);
	CHECK(h2.flags == h.flags && h2.window == h.window);
	CHECK(h2.check == h.check && h2.urg_ptr == h.urg_ptr);
	xtcp_hdr_decode_opts(&h2, enc);
	check_same_opts(&h2.opt, &back);

	/* Encoding what was decoded from an encoding changes nothing. */
	CHECK(encode_and_check(&h2.opt, enc2 + XTCP_HDR_LEN, &back) == olen);
	xtcp_hdr_encode(enc2, &h2);
	CHECK(memcmp(enc, enc2, h.doff) == 0);
}

/* Part 2: @data as the fields of an option set to encode. */
static void fuzz_encoder(const u8 *data, size_t size)
{
	u8 raw[4 + 4 + 8 * XTCP_OPT_SACK_MAX + 2 + 1 + 1 + 1] = { 0 };
	u8 out[XTCP_OPT_SPACE];
	struct xtcp_opts o, back;
	unsigned int i;
	const u8 *p = raw;

	memcpy(raw, data, size < sizeof(raw) ? size : sizeof(raw));
	memset(&o, 0, sizeof(o));
	o.tsval = be32(p);
	o.tsecr = be32(p + 4);
	p += 8;
	for (i = 0; i < XTCP_OPT_SACK_MAX; i++, p += 8) {
		o.sack[i].start = be32(p);
		o.sack[i].end = be32(p + 4);
	}
	o.mss = p[0] << 8 | p[1];
	o.present = p[2];	/* unknown bits and the clamp flag too */
	o.wscale = p[3];	/* above 14 too */
	o.num_sacks = p[4];	/* above 4 too */
	encode_and_check(&o, out, &back);
}

/* LLVMFuzzerTestOneInput(), by a --defsym of the Makefile: kernel style. */
int xtcp_fuzz_one(const u8 *data, size_t size);

int xtcp_fuzz_one(const u8 *data, size_t size)
{
	fuzz_segment(data, size);
	fuzz_encoder(data, size);
	return 0;
}
