// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for module/xtcp_fsm.h: every transition of the RFC 9293
 * section 3.3.2 diagram, those of its event processing (section 3.10)
 * the module uses besides, and every event that must change nothing.
 */
#include "../../module/xtcp_fsm.h"
#include "kselftest_harness.h"

struct transition {
	int from;
	enum xtcp_event ev;
	int to;
	bool fin;
};

/* The diagram, arrow by arrow. */
static const struct transition diagram[] = {
	{ XTCP_CLOSE, XTCP_EV_CONNECT, XTCP_SYN_SENT, false },
	{ XTCP_CLOSE, XTCP_EV_LISTEN, XTCP_LISTEN, false },
	{ XTCP_LISTEN, XTCP_EV_CLOSE, XTCP_CLOSE, false },
	{ XTCP_SYN_SENT, XTCP_EV_CLOSE, XTCP_CLOSE, false },
	{ XTCP_SYN_SENT, XTCP_EV_RCV_SYN, XTCP_SYN_RECV, false },
	{ XTCP_SYN_SENT, XTCP_EV_RCV_SYNACK, XTCP_ESTABLISHED, false },
	{ XTCP_SYN_RECV, XTCP_EV_RCV_ACK_OF_SYN, XTCP_ESTABLISHED, false },
	{ XTCP_SYN_RECV, XTCP_EV_CLOSE, XTCP_FIN_WAIT1, true },
	{ XTCP_ESTABLISHED, XTCP_EV_CLOSE, XTCP_FIN_WAIT1, true },
	{ XTCP_ESTABLISHED, XTCP_EV_RCV_FIN, XTCP_CLOSE_WAIT, false },
	/* Not drawn, but in the eighth check of RFC 9293 3.10.7.4. */
	{ XTCP_SYN_RECV, XTCP_EV_RCV_FIN, XTCP_CLOSE_WAIT, false },
	{ XTCP_FIN_WAIT1, XTCP_EV_FIN_ACKED, XTCP_FIN_WAIT2, false },
	{ XTCP_FIN_WAIT1, XTCP_EV_RCV_FIN, XTCP_CLOSING, false },
	{ XTCP_FIN_WAIT2, XTCP_EV_RCV_FIN, XTCP_TIME_WAIT, false },
	{ XTCP_CLOSING, XTCP_EV_FIN_ACKED, XTCP_TIME_WAIT, false },
	{ XTCP_CLOSE_WAIT, XTCP_EV_CLOSE, XTCP_LAST_ACK, true },
	{ XTCP_LAST_ACK, XTCP_EV_FIN_ACKED, XTCP_CLOSE, false },
	{ XTCP_TIME_WAIT, XTCP_EV_TIMEOUT, XTCP_CLOSE, false },
	/* RFC 9293 3.10.7.4: a reset ends every synchronized state... */
	{ XTCP_SYN_RECV, XTCP_EV_RCV_RST, XTCP_CLOSE, false },
	{ XTCP_ESTABLISHED, XTCP_EV_RCV_RST, XTCP_CLOSE, false },
	{ XTCP_FIN_WAIT1, XTCP_EV_RCV_RST, XTCP_CLOSE, false },
	{ XTCP_FIN_WAIT2, XTCP_EV_RCV_RST, XTCP_CLOSE, false },
	{ XTCP_CLOSE_WAIT, XTCP_EV_RCV_RST, XTCP_CLOSE, false },
	{ XTCP_CLOSING, XTCP_EV_RCV_RST, XTCP_CLOSE, false },
	{ XTCP_LAST_ACK, XTCP_EV_RCV_RST, XTCP_CLOSE, false },
	{ XTCP_SYN_SENT, XTCP_EV_RCV_RST, XTCP_CLOSE, false },
	/* ...but TIME_WAIT (its entry decides: xtcp_twseg.h) and LISTEN. */
	{ XTCP_TIME_WAIT, XTCP_EV_RCV_RST, XTCP_TIME_WAIT, false },
	{ XTCP_LISTEN, XTCP_EV_RCV_RST, XTCP_LISTEN, false },
	/* Retransmissions exhausted, or an orphaned FIN_WAIT2 timed out. */
	{ XTCP_SYN_SENT, XTCP_EV_TIMEOUT, XTCP_CLOSE, false },
	{ XTCP_SYN_RECV, XTCP_EV_TIMEOUT, XTCP_CLOSE, false },
	{ XTCP_ESTABLISHED, XTCP_EV_TIMEOUT, XTCP_CLOSE, false },
	{ XTCP_FIN_WAIT1, XTCP_EV_TIMEOUT, XTCP_CLOSE, false },
	{ XTCP_FIN_WAIT2, XTCP_EV_TIMEOUT, XTCP_CLOSE, false },
	{ XTCP_CLOSE_WAIT, XTCP_EV_TIMEOUT, XTCP_CLOSE, false },
	{ XTCP_CLOSING, XTCP_EV_TIMEOUT, XTCP_CLOSE, false },
	{ XTCP_LAST_ACK, XTCP_EV_TIMEOUT, XTCP_CLOSE, false },
	/*
	 * RFC 9293 3.10.5: ABORT enters CLOSED from every other state
	 * (abortive close(), connect(AF_UNSPEC), an ICMP error while
	 * connecting, an orphan over the limits, a child nobody accepts,
	 * a socket handing its TIME_WAIT to a compact entry).
	 */
	{ XTCP_LISTEN, XTCP_EV_ABORT, XTCP_CLOSE, false },
	{ XTCP_SYN_SENT, XTCP_EV_ABORT, XTCP_CLOSE, false },
	{ XTCP_SYN_RECV, XTCP_EV_ABORT, XTCP_CLOSE, false },
	{ XTCP_ESTABLISHED, XTCP_EV_ABORT, XTCP_CLOSE, false },
	{ XTCP_FIN_WAIT1, XTCP_EV_ABORT, XTCP_CLOSE, false },
	{ XTCP_FIN_WAIT2, XTCP_EV_ABORT, XTCP_CLOSE, false },
	{ XTCP_CLOSE_WAIT, XTCP_EV_ABORT, XTCP_CLOSE, false },
	{ XTCP_CLOSING, XTCP_EV_ABORT, XTCP_CLOSE, false },
	{ XTCP_LAST_ACK, XTCP_EV_ABORT, XTCP_CLOSE, false },
	{ XTCP_TIME_WAIT, XTCP_EV_ABORT, XTCP_CLOSE, false },
};

TEST(every_arrow_of_the_diagram)
{
	unsigned int i;
	bool fin;

	for (i = 0; i < ARRAY_SIZE(diagram); i++) {
		const struct transition *t = &diagram[i];

		EXPECT_EQ(t->to, xtcp_fsm_next(t->from, t->ev, &fin))
			TH_LOG("arrow %u: state %d event %d", i, t->from, t->ev);
		EXPECT_EQ(t->fin, fin) TH_LOG("arrow %u", i);
	}
}

static bool in_diagram(int from, enum xtcp_event ev)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(diagram); i++)
		if (diagram[i].from == from && diagram[i].ev == ev)
			return true;
	return false;
}

/* Everything not in the diagram leaves the state alone, without a FIN. */
TEST(nothing_else_moves)
{
	int state, ev, moved = 0;
	bool fin;

	for (state = XTCP_ESTABLISHED; state <= XTCP_CLOSING; state++) {
		for (ev = XTCP_EV_CONNECT; ev <= XTCP_EV_LAST; ev++) {
			if (in_diagram(state, ev))
				continue;
			if (xtcp_fsm_next(state, ev, &fin) != state || fin) {
				TH_LOG("state %d moved on event %d", state, ev);
				moved++;
			}
		}
	}
	EXPECT_EQ(0, moved);
}

/* Both close sequences, walked end to end. */
TEST(active_and_passive_close)
{
	int a = XTCP_ESTABLISHED, p = XTCP_ESTABLISHED;
	bool fin;

	a = xtcp_fsm_next(a, XTCP_EV_CLOSE, &fin);
	EXPECT_TRUE(fin);
	p = xtcp_fsm_next(p, XTCP_EV_RCV_FIN, &fin);
	a = xtcp_fsm_next(a, XTCP_EV_FIN_ACKED, &fin);
	p = xtcp_fsm_next(p, XTCP_EV_CLOSE, &fin);
	EXPECT_TRUE(fin);
	a = xtcp_fsm_next(a, XTCP_EV_RCV_FIN, &fin);
	p = xtcp_fsm_next(p, XTCP_EV_FIN_ACKED, &fin);
	EXPECT_EQ(XTCP_TIME_WAIT, a);
	EXPECT_EQ(XTCP_CLOSE, p);
	EXPECT_EQ(XTCP_CLOSE, xtcp_fsm_next(a, XTCP_EV_TIMEOUT, &fin));
}

TEST(simultaneous_open_and_close)
{
	int a = XTCP_CLOSE;
	bool fin;

	a = xtcp_fsm_next(a, XTCP_EV_CONNECT, &fin);
	a = xtcp_fsm_next(a, XTCP_EV_RCV_SYN, &fin);
	EXPECT_EQ(XTCP_SYN_RECV, a);
	a = xtcp_fsm_next(a, XTCP_EV_RCV_ACK_OF_SYN, &fin);
	EXPECT_EQ(XTCP_ESTABLISHED, a);
	a = xtcp_fsm_next(a, XTCP_EV_CLOSE, &fin);
	a = xtcp_fsm_next(a, XTCP_EV_RCV_FIN, &fin);
	EXPECT_EQ(XTCP_CLOSING, a);
	a = xtcp_fsm_next(a, XTCP_EV_FIN_ACKED, &fin);
	EXPECT_EQ(XTCP_TIME_WAIT, a);
}

/* A closed connection stays closed but for a new open (RFC 9293 3.10). */
TEST(closed_leaves_only_on_open)
{
	int ev, moved = 0;
	bool fin;

	for (ev = XTCP_EV_CONNECT; ev <= XTCP_EV_LAST; ev++) {
		if (ev == XTCP_EV_CONNECT || ev == XTCP_EV_LISTEN)
			continue;
		if (xtcp_fsm_next(XTCP_CLOSE, ev, &fin) != XTCP_CLOSE || fin) {
			TH_LOG("CLOSE moved on event %d", ev);
			moved++;
		}
	}
	EXPECT_EQ(0, moved);
}

/* The module's listener: listen(), then close() or connect(AF_UNSPEC). */
TEST(listener_closed_or_disconnected)
{
	int l;
	bool fin;

	l = xtcp_fsm_next(XTCP_CLOSE, XTCP_EV_LISTEN, &fin);
	EXPECT_EQ(XTCP_LISTEN, l);
	/* Its requests and children are the listener's own business. */
	EXPECT_EQ(XTCP_LISTEN, xtcp_fsm_next(l, XTCP_EV_RCV_SYN, &fin));
	EXPECT_EQ(XTCP_CLOSE, xtcp_fsm_next(l, XTCP_EV_CLOSE, &fin));
	EXPECT_FALSE(fin);
	EXPECT_EQ(XTCP_CLOSE, xtcp_fsm_next(l, XTCP_EV_ABORT, &fin));
	EXPECT_FALSE(fin);
}

/* A child starts as its request, in SYN_RECV, and the final ACK
 * establishes it; one nobody accepts is aborted.
 */
TEST(child_of_a_listener)
{
	int c;
	bool fin;

	c = xtcp_fsm_next(XTCP_SYN_RECV, XTCP_EV_RCV_ACK_OF_SYN, &fin);
	EXPECT_EQ(XTCP_ESTABLISHED, c);
	EXPECT_EQ(XTCP_CLOSE, xtcp_fsm_next(c, XTCP_EV_ABORT, &fin));
	EXPECT_FALSE(fin);
}

TEST_HARNESS_MAIN
