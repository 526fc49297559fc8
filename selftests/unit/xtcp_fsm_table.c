// SPDX-License-Identifier: GPL-2.0
/*
 * Prints the state table of module/xtcp_fsm.h as the reStructuredText
 * table of Documentation/xtcp.rst, which scripts/fsm-table.sh checks
 * against it (in make check) and rewrites: the document cannot drift
 * from the table the module runs.
 */
#include <assert.h>
#include <stdio.h>

#include "../../module/xtcp_fsm.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Indexed by state number (include/net/tcp_states.h). */
static const char * const state_name[] = {
	[XTCP_ESTABLISHED] = "ESTABLISHED",
	[XTCP_SYN_SENT] = "SYN_SENT",
	[XTCP_SYN_RECV] = "SYN_RECV",
	[XTCP_FIN_WAIT1] = "FIN_WAIT1",
	[XTCP_FIN_WAIT2] = "FIN_WAIT2",
	[XTCP_TIME_WAIT] = "TIME_WAIT",
	[XTCP_CLOSE] = "CLOSE",
	[XTCP_CLOSE_WAIT] = "CLOSE_WAIT",
	[XTCP_LAST_ACK] = "LAST_ACK",
	[XTCP_LISTEN] = "LISTEN",
	[XTCP_CLOSING] = "CLOSING",
};

static const char * const event_name[] = {
	[XTCP_EV_CONNECT] = "CONNECT",
	[XTCP_EV_LISTEN] = "LISTEN",
	[XTCP_EV_RCV_SYN] = "RCV_SYN",
	[XTCP_EV_RCV_SYNACK] = "RCV_SYNACK",
	[XTCP_EV_RCV_ACK_OF_SYN] = "RCV_ACK_OF_SYN",
	[XTCP_EV_CLOSE] = "CLOSE",
	[XTCP_EV_RCV_FIN] = "RCV_FIN",
	[XTCP_EV_FIN_ACKED] = "FIN_ACKED",
	[XTCP_EV_RCV_RST] = "RCV_RST",
	[XTCP_EV_TIMEOUT] = "TIMEOUT",
	[XTCP_EV_ABORT] = "ABORT",
};

/* A name for every event: a new one must be named here too. */
static_assert(ARRAY_SIZE(event_name) == XTCP_EV_LAST + 1,
	      "every event of xtcp_fsm.h needs a name");
static_assert(ARRAY_SIZE(state_name) == XTCP_CLOSING + 1,
	      "every state of xtcp_fsm.h needs a name");

/* The rows in the order of a connection's life, not of the numbers. */
static const int state_order[] = {
	XTCP_CLOSE, XTCP_LISTEN, XTCP_SYN_SENT, XTCP_SYN_RECV,
	XTCP_ESTABLISHED, XTCP_FIN_WAIT1, XTCP_FIN_WAIT2, XTCP_CLOSE_WAIT,
	XTCP_CLOSING, XTCP_LAST_ACK, XTCP_TIME_WAIT,
};

#define RULE "=============  ===============  =============  ========="

int main(void)
{
	unsigned int i;
	int ev;

	puts(RULE);
	printf("%-13s  %-15s  %-13s  %s\n", "State", "Event", "Next state",
	       "Sends FIN");
	puts(RULE);
	for (i = 0; i < ARRAY_SIZE(state_order); i++) {
		int state = state_order[i];

		for (ev = XTCP_EV_CONNECT; ev <= XTCP_EV_LAST; ev++) {
			bool fin;
			int next = xtcp_fsm_next(state, ev, &fin);

			if (next == state && !fin)
				continue;
			printf("%-13s  %-15s  ", state_name[state],
			       event_name[ev]);
			/* No blanks at the end of a line. */
			if (fin)
				printf("%-13s  yes\n", state_name[next]);
			else
				printf("%s\n", state_name[next]);
		}
	}
	puts(RULE);
	return 0;
}
