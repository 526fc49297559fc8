// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for module/xtcp_sack.h: the input is a program of
 * operations on a receiver's struct xtcp_sack_list, run against a
 * reference model of the same list, and of queries a sender makes.
 *
 * Input: a base sequence number (4 bytes, so that ranges wrap through
 * zero), a scale (1 byte: positions are 16-bit values shifted left by
 * 0..14, so ranges span up to 2^30, the largest window), then
 * operations, one opcode byte and 16-bit arguments each.
 *
 * The model keeps its blocks as offsets from the base in 64-bit
 * integers, where order is plain integer order, and merges to a fixed
 * point instead of in one pass.  After every operation the list must
 * equal the model and keep what struct xtcp_sack_list promises: at
 * most 4 blocks, none empty, no two overlapping or abutting, the one
 * just added first.  Filling an ACK's options must give the D-SACK
 * block then the list, and survive encoding and decoding; the sender's
 * xtcp_sack_covered(), xtcp_sack_cut(), xtcp_sack_is_dsack() and
 * xtcp_sack_validate() must agree with their definitions in the model,
 * and the latter accept of a peer's arbitrary block only data sent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../../module/xtcp_sack.h"

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: check failed: %s\n", \
			__FILE__, __LINE__, #cond); \
		abort(); \
	} \
} while (0)

struct range {
	long long start;
	long long end;
};

struct model {
	struct range blocks[XTCP_OPT_SACK_MAX];
	struct range dsack;
	unsigned int num;
	bool has_dsack;
};

struct input {
	const u8 *p;
	size_t left;
	u32 base;
	unsigned int shift;
};

static bool get8(struct input *in, unsigned int *v)
{
	if (!in->left)
		return false;
	*v = *in->p++;
	in->left--;
	return true;
}

/* A position: a 16-bit argument scaled, as an offset from the base. */
static bool getpos(struct input *in, long long *v)
{
	unsigned int hi, lo;

	if (!get8(in, &hi) || !get8(in, &lo))
		return false;
	*v = (long long)(hi << 8 | lo) << in->shift;
	return true;
}

static u32 seq(const struct input *in, long long off)
{
	return in->base + (u32)off;
}

static bool touches(const struct range *a, long long start, long long end)
{
	return a->start <= end && a->end >= start;
}

static void model_add(struct model *m, long long start, long long end)
{
	struct range keep[XTCP_OPT_SACK_MAX + 1];
	bool merged[XTCP_OPT_SACK_MAX] = { false };
	unsigned int i, n = 1;
	bool grew = true;

	if (start >= end)
		return;
	while (grew) {
		grew = false;
		for (i = 0; i < m->num; i++) {
			if (merged[i] || !touches(&m->blocks[i], start, end))
				continue;
			merged[i] = true;
			grew = true;
			if (m->blocks[i].start < start)
				start = m->blocks[i].start;
			if (m->blocks[i].end > end)
				end = m->blocks[i].end;
		}
	}
	keep[0].start = start;
	keep[0].end = end;
	for (i = 0; i < m->num; i++)
		if (!merged[i])
			keep[n++] = m->blocks[i];
	if (n > XTCP_OPT_SACK_MAX)
		n = XTCP_OPT_SACK_MAX;	/* the oldest goes */
	memcpy(m->blocks, keep, n * sizeof(keep[0]));
	m->num = n;
}

static void model_advance(struct model *m, long long rcv_nxt)
{
	unsigned int i, n = 0;

	for (i = 0; i < m->num; i++) {
		struct range b = m->blocks[i];

		if (b.end <= rcv_nxt)
			continue;
		if (b.start < rcv_nxt)
			b.start = rcv_nxt;
		m->blocks[n++] = b;
	}
	m->num = n;
}

static void model_forget_above(struct model *m, long long s)
{
	unsigned int i, n = 0;

	for (i = 0; i < m->num; i++) {
		struct range b = m->blocks[i];

		if (b.start >= s)
			continue;
		if (b.end > s)
			b.end = s;
		m->blocks[n++] = b;
	}
	m->num = n;
}

static void model_dsack(struct model *m, long long start, long long end)
{
	if (start >= end)
		return;
	if (m->has_dsack && touches(&m->dsack, start, end)) {
		if (m->dsack.start < start)
			start = m->dsack.start;
		if (m->dsack.end > end)
			end = m->dsack.end;
	}
	m->dsack.start = start;
	m->dsack.end = end;
	m->has_dsack = true;
}

/* The list equals the model and keeps the promises of its kernel-doc. */
static void check_list(const struct input *in, const struct xtcp_sack_list *l,
		       const struct model *m)
{
	unsigned int i, j;

	CHECK(l->num <= XTCP_OPT_SACK_MAX);
	CHECK(l->num == m->num);
	for (i = 0; i < m->num; i++) {
		CHECK(m->blocks[i].start < m->blocks[i].end);
		for (j = 0; j < i; j++)
			CHECK(!touches(&m->blocks[j], m->blocks[i].start,
				       m->blocks[i].end));
		CHECK(l->blocks[i].start == seq(in, m->blocks[i].start));
		CHECK(l->blocks[i].end == seq(in, m->blocks[i].end));
	}
	CHECK(l->has_dsack == m->has_dsack);
	if (m->has_dsack) {
		CHECK(l->dsack.start == seq(in, m->dsack.start));
		CHECK(l->dsack.end == seq(in, m->dsack.end));
	}
}

/* Fill an ACK's options, then encode and decode them. */
static void op_fill(struct input *in, struct xtcp_sack_list *l,
		    struct model *m, unsigned int flags)
{
	struct xtcp_opts o, back;
	u8 buf[XTCP_OPT_SPACE];
	unsigned int n, i, k = 0;
	struct range r[XTCP_OPT_SACK_MAX];
	long long ack;

	memset(&o, 0, sizeof(o));
	o.present = flags & (XTCP_OPTF_TS | XTCP_OPTF_SACK);
	n = xtcp_sack_fill(l, &o);
	if (m->has_dsack)
		r[k++] = m->dsack;
	for (i = 0; i < m->num && k < XTCP_OPT_SACK_MAX; i++)
		r[k++] = m->blocks[i];
	m->has_dsack = false;
	CHECK(n == k && o.num_sacks == k);
	CHECK(!!(o.present & XTCP_OPTF_SACK) == !!k);
	for (i = 0; i < k; i++) {
		CHECK(o.sack[i].start == seq(in, r[i].start));
		CHECK(o.sack[i].end == seq(in, r[i].end));
	}
	check_list(in, l, m);

	xtcp_opts_decode(&back, buf, xtcp_opts_encode(buf, &o));
	n = k;
	if (n > 3 && (o.present & XTCP_OPTF_TS))
		n = 3;
	CHECK(back.num_sacks == n);
	for (i = 0; i < n; i++) {
		CHECK(back.sack[i].start == o.sack[i].start);
		CHECK(back.sack[i].end == o.sack[i].end);
	}

	/* RFC 2883 section 4, on what was just sent. */
	if (!getpos(in, &ack))
		return;
	CHECK(xtcp_sack_is_dsack(o.sack, k, seq(in, ack)) ==
	      (k && (r[0].start < ack ||
		     (k > 1 && r[0].start >= r[1].start &&
		      r[0].end <= r[1].end))));
}

/* The sender's questions about a range, on the list's blocks. */
static void op_query(struct input *in, const struct xtcp_sack_list *l,
		     const struct model *m)
{
	long long s, e, cut;
	bool covered = false;
	unsigned int i;

	if (!getpos(in, &s) || !getpos(in, &e))
		return;
	cut = e;
	for (i = 0; i < m->num; i++) {
		const struct range *b = &m->blocks[i];

		if (s < e && b->start <= s && e <= b->end)
			covered = true;
		if (b->start > s && b->start < cut)
			cut = b->start;
		if (b->end > s && b->end < cut)
			cut = b->end;
	}
	CHECK(xtcp_sack_covered(l->blocks, l->num, seq(in, s), seq(in, e)) ==
	      covered);
	CHECK(xtcp_sack_cut(l->blocks, l->num, seq(in, s), seq(in, e)) ==
	      seq(in, cut));
}

static bool get32(struct input *in, u32 *v)
{
	unsigned int i, b;

	*v = 0;
	for (i = 0; i < 4; i++) {
		if (!get8(in, &b))
			return false;
		*v = *v << 8 | b;
	}
	return true;
}

/*
 * A block as a peer may send it, any two 32-bit edges, to a sender with
 * sane state (snd_nxt and snd_una - max_win within 2^30 of snd_una):
 * what xtcp_sack_validate() accepts must be data that was sent, in
 * (snd_una, snd_nxt], or a D-SACK of at most max_win below snd_una, and
 * everything that is must be accepted.  Plain unsigned distances from
 * snd_una and from snd_una - max_win say so without sequence order.
 */
static void op_validate_raw(struct input *in, long long una, long long nxt,
			    long long win, bool dsack)
{
	u32 s, e, u = seq(in, una), n = u + (u32)nxt, lo = u - (u32)win;
	enum xtcp_sack_verdict v, want;
	struct xtcp_sack_block b;

	if (!get32(in, &s) || !get32(in, &e))
		return;
	if (s - u > 0 && s - u < e - u && e - u <= n - u)
		want = dsack ? XTCP_SACK_DUP : XTCP_SACK_OK;
	else if (dsack && s - lo < e - lo && e - lo <= (u32)win)
		want = XTCP_SACK_DUP;
	else
		want = XTCP_SACK_BAD;
	b.start = s;
	b.end = e;
	v = xtcp_sack_validate(&b, u, n, (u32)win, dsack);
	CHECK(v == want);
}

/* xtcp_sack_validate() against its kernel-doc. */
static void op_validate(struct input *in)
{
	long long s, e, una, nxt, win;
	struct xtcp_sack_block b;
	enum xtcp_sack_verdict v, want;
	unsigned int flags;
	bool dsack;

	if (!getpos(in, &s) || !getpos(in, &e) || !getpos(in, &una) ||
	    !getpos(in, &nxt) || !getpos(in, &win) || !get8(in, &flags))
		return;
	/* Positions and windows below 2^30 keep it all within 2^31. */
	dsack = flags & 1;
	if (flags & 2) {
		op_validate_raw(in, una, nxt, win, dsack);
		return;
	}
	if (s >= e || e > nxt || s >= nxt)
		want = XTCP_SACK_BAD;
	else if (s > una)
		want = dsack ? XTCP_SACK_DUP : XTCP_SACK_OK;
	else if (!dsack || e > una || s < una - win)
		want = XTCP_SACK_BAD;
	else
		want = XTCP_SACK_DUP;
	b.start = seq(in, s);
	b.end = seq(in, e);
	v = xtcp_sack_validate(&b, seq(in, una), seq(in, nxt), (u32)win, dsack);
	CHECK(v == want);
}

/* LLVMFuzzerTestOneInput(), by a --defsym of the Makefile: kernel style. */
int xtcp_fuzz_one(const u8 *data, size_t size);

int xtcp_fuzz_one(const u8 *data, size_t size)
{
	struct input in = { .p = data, .left = size };
	struct xtcp_sack_list l;
	long long a, b;
	unsigned int op, i;
	struct model m;

	for (i = 0; i < 4; i++) {
		if (!get8(&in, &op))
			return 0;
		in.base = in.base << 8 | op;
	}
	if (!get8(&in, &op))
		return 0;
	in.shift = op % (XTCP_WSCALE_MAX + 1);

	/* Garbage in the unused entries must not matter. */
	memset(&l, 0xa5, sizeof(l));
	xtcp_sack_init(&l);
	memset(&m, 0, sizeof(m));
	while (get8(&in, &op)) {
		switch (op % 8) {
		case 0:
			xtcp_sack_init(&l);
			memset(&m, 0, sizeof(m));
			break;
		case 1:
			if (!getpos(&in, &a) || !getpos(&in, &b))
				return 0;
			xtcp_sack_add(&l, seq(&in, a), seq(&in, b));
			model_add(&m, a, b);
			if (a < b)
				CHECK(m.blocks[0].start <= a && b <= m.blocks[0].end);
			break;
		case 2:
			if (!getpos(&in, &a))
				return 0;
			xtcp_sack_advance(&l, seq(&in, a));
			model_advance(&m, a);
			break;
		case 3:
			if (!getpos(&in, &a))
				return 0;
			xtcp_sack_forget_above(&l, seq(&in, a));
			model_forget_above(&m, a);
			break;
		case 4:
			if (!getpos(&in, &a) || !getpos(&in, &b))
				return 0;
			xtcp_sack_set_dsack(&l, seq(&in, a), seq(&in, b));
			model_dsack(&m, a, b);
			break;
		case 5:
			op_fill(&in, &l, &m, op);
			break;
		case 6:
			op_query(&in, &l, &m);
			break;
		case 7:
			op_validate(&in);
			break;
		}
		check_list(&in, &l, &m);
	}
	return 0;
}
