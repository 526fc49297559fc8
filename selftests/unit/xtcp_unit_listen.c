// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for module/xtcp_listen.h: what a listener does with a
 * segment that matches one of its requests, or none, and with a SYN
 * for every setting of syncookies and every kind of room.
 */
#include "../../module/xtcp_listen.h"
#include "kselftest_harness.h"

#define SYN XTCP_FLAG_SYN
#define ACK XTCP_FLAG_ACK
#define RST XTCP_FLAG_RST
#define FIN XTCP_FLAG_FIN

/* A request whose SYN was 1000 and whose SYN-ACK is 5000. */
#define IRS 1000u
#define ISS 5000u

static const struct xtcp_listen_room roomy = { .syncookies = 1 };

struct syn_case {
	int syncookies;
	bool requests_full;
	bool acceptq_full;
	enum xtcp_listen_action action;
	enum xtcp_listen_count count;
};

/* Linux's tcp_conn_request(), case by case. */
static const struct syn_case syn_cases[] = {
	/* Room: a request, unless cookies are always on. */
	{ 0, false, false, XTCP_LISTEN_REQUEST, XTCP_LISTEN_COUNT_NONE },
	{ 1, false, false, XTCP_LISTEN_REQUEST, XTCP_LISTEN_COUNT_NONE },
	{ 2, false, false, XTCP_LISTEN_COOKIE, XTCP_LISTEN_COUNT_NONE },
	/* Requests full: a cookie, or a drop without cookies. */
	{ 0, true, false, XTCP_LISTEN_DROP, XTCP_LISTEN_COUNT_DROP },
	{ 1, true, false, XTCP_LISTEN_COOKIE, XTCP_LISTEN_COUNT_NONE },
	{ 2, true, false, XTCP_LISTEN_COOKIE, XTCP_LISTEN_COUNT_NONE },
	/* Accept queue full: the ACK would find no room, so no cookie. */
	{ 0, false, true, XTCP_LISTEN_DROP, XTCP_LISTEN_COUNT_OVERFLOW },
	{ 1, false, true, XTCP_LISTEN_DROP, XTCP_LISTEN_COUNT_OVERFLOW },
	{ 2, false, true, XTCP_LISTEN_DROP, XTCP_LISTEN_COUNT_OVERFLOW },
	{ 1, true, true, XTCP_LISTEN_DROP, XTCP_LISTEN_COUNT_OVERFLOW },
	/* Without cookies, no room for a request counts as a drop only. */
	{ 0, true, true, XTCP_LISTEN_DROP, XTCP_LISTEN_COUNT_DROP },
};

TEST(syn_of_no_request)
{
	enum xtcp_listen_count count;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(syn_cases); i++) {
		const struct syn_case *c = &syn_cases[i];
		struct xtcp_listen_room room = {
			.syncookies = c->syncookies,
			.requests_full = c->requests_full,
			.acceptq_full = c->acceptq_full,
		};

		EXPECT_EQ(c->action, xtcp_listen_syn(&room, &count))
			TH_LOG("case %u", i);
		EXPECT_EQ(c->count, count) TH_LOG("case %u", i);
		/* The same through the listener's entry point. */
		EXPECT_EQ(c->action,
			  xtcp_listen_no_request(SYN, &room, &count))
			TH_LOG("case %u", i);
		EXPECT_EQ(c->count, count) TH_LOG("case %u", i);
	}
}

/* RFC 9293 3.10.7.2, with the exception of a child being born. */
TEST(segment_of_no_request)
{
	struct xtcp_listen_room completing = { .completing = true };
	enum xtcp_listen_count count;

	EXPECT_EQ(XTCP_LISTEN_DROP, xtcp_listen_no_request(RST, &roomy, &count));
	EXPECT_EQ(XTCP_LISTEN_DROP,
		  xtcp_listen_no_request(RST | ACK, &roomy, &count));
	EXPECT_EQ(XTCP_LISTEN_DROP,
		  xtcp_listen_no_request(SYN | RST, &roomy, &count));
	/* An ACK: the caller looks again, then resets. */
	EXPECT_EQ(XTCP_LISTEN_RECHECK,
		  xtcp_listen_no_request(ACK, &roomy, &count));
	EXPECT_EQ(XTCP_LISTEN_RECHECK,
		  xtcp_listen_no_request(SYN | ACK, &roomy, &count));
	EXPECT_EQ(XTCP_LISTEN_RECHECK,
		  xtcp_listen_no_request(FIN | ACK, &roomy, &count));
	/* ... unless a child is being created: it may be its ACK. */
	EXPECT_EQ(XTCP_LISTEN_DROP,
		  xtcp_listen_no_request(ACK, &completing, &count));
	/* A SYN still counts while a child is created. */
	EXPECT_EQ(XTCP_LISTEN_REQUEST,
		  xtcp_listen_no_request(SYN, &completing, &count));
	/* Neither SYN, ACK nor RST. */
	EXPECT_EQ(XTCP_LISTEN_DROP, xtcp_listen_no_request(FIN, &roomy, &count));
	EXPECT_EQ(XTCP_LISTEN_DROP, xtcp_listen_no_request(0, &roomy, &count));
	EXPECT_EQ(XTCP_LISTEN_COUNT_NONE, count);
}

static enum xtcp_listen_action req(u8 flags, u32 seq, u32 ack,
				   const struct xtcp_listen_room *room,
				   enum xtcp_listen_count *count)
{
	return xtcp_listen_request(flags, seq, ack, IRS, ISS, room, count);
}

TEST(segment_for_a_request)
{
	struct xtcp_listen_room full = { .acceptq_full = true };
	enum xtcp_listen_count count;

	/* The final ACK of the handshake, with or without data or FIN. */
	EXPECT_EQ(XTCP_LISTEN_COMPLETE,
		  req(ACK, IRS + 1, ISS + 1, &roomy, &count));
	EXPECT_EQ(XTCP_LISTEN_COUNT_NONE, count);
	EXPECT_EQ(XTCP_LISTEN_COMPLETE,
		  req(ACK | FIN, IRS + 1, ISS + 1, &roomy, &count));
	/* Accept queue full: keep the request, the ACK comes again. */
	EXPECT_EQ(XTCP_LISTEN_DROP, req(ACK, IRS + 1, ISS + 1, &full, &count));
	EXPECT_EQ(XTCP_LISTEN_COUNT_OVERFLOW, count);
	/* An ACK of something else than our SYN-ACK: reset. */
	EXPECT_EQ(XTCP_LISTEN_RESET, req(ACK, IRS + 1, ISS, &roomy, &count));
	EXPECT_EQ(XTCP_LISTEN_RESET,
		  req(ACK, IRS + 1, ISS + 2, &roomy, &count));
	/* ... whatever the room, since the check comes first. */
	EXPECT_EQ(XTCP_LISTEN_RESET, req(ACK, IRS + 1, ISS, &full, &count));
	EXPECT_EQ(XTCP_LISTEN_COUNT_NONE, count);
	/* The right ACK at the wrong sequence number: dropped. */
	EXPECT_EQ(XTCP_LISTEN_DROP, req(ACK, IRS + 2, ISS + 1, &roomy, &count));
	EXPECT_EQ(XTCP_LISTEN_DROP, req(ACK, IRS, ISS + 1, &roomy, &count));
	/* No ACK, no SYN, no RST. */
	EXPECT_EQ(XTCP_LISTEN_DROP, req(FIN, IRS + 1, 0, &roomy, &count));
	EXPECT_EQ(XTCP_LISTEN_COUNT_NONE, count);
}

TEST(syn_again_and_reset_of_a_request)
{
	enum xtcp_listen_count count;

	/* The SYN again: our SYN-ACK was lost. */
	EXPECT_EQ(XTCP_LISTEN_SYNACK, req(SYN, IRS, 0, &roomy, &count));
	/* Another SYN, or a SYN-ACK, is not. */
	EXPECT_EQ(XTCP_LISTEN_DROP, req(SYN, IRS + 1, 0, &roomy, &count));
	EXPECT_EQ(XTCP_LISTEN_DROP,
		  req(SYN | ACK, IRS, ISS + 1, &roomy, &count));
	/* A reset at exactly the next sequence number ends the request. */
	EXPECT_EQ(XTCP_LISTEN_FORGET, req(RST, IRS + 1, 0, &roomy, &count));
	EXPECT_EQ(XTCP_LISTEN_FORGET,
		  req(RST | ACK, IRS + 1, ISS + 1, &roomy, &count));
	EXPECT_EQ(XTCP_LISTEN_DROP, req(RST, IRS + 2, 0, &roomy, &count));
	EXPECT_EQ(XTCP_LISTEN_DROP, req(RST, IRS, 0, &roomy, &count));
	/* RST before SYN: a SYN with RST is a reset. */
	EXPECT_EQ(XTCP_LISTEN_FORGET,
		  req(SYN | RST, IRS + 1, 0, &roomy, &count));
	EXPECT_EQ(XTCP_LISTEN_COUNT_NONE, count);
}

/* Sequence numbers wrap: the request's numbers near 2^32. */
TEST(numbers_wrap)
{
	enum xtcp_listen_count count;

	EXPECT_EQ(XTCP_LISTEN_COMPLETE,
		  xtcp_listen_request(ACK, 0, 0, 0xffffffffu, 0xffffffffu,
				      &roomy, &count));
	EXPECT_EQ(XTCP_LISTEN_FORGET,
		  xtcp_listen_request(RST, 0, 0, 0xffffffffu, 7,
				      &roomy, &count));
}

TEST_HARNESS_MAIN
