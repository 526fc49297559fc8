// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for module/xtcp_wheel.h, run against a simulated clock: an
 * entry leaves the wheel at the first tick at or after its expiry (and
 * less than one tick later), whatever its distance; a slot over quota is
 * spilled; late ticks do not shift the clock.
 */
#include <stddef.h>
#include <stdlib.h>

#include "../../module/xtcp_wheel.h"
#include "kselftest_harness.h"

struct entry {
	struct xtcp_wheel_node node;
	unsigned long expires;
	unsigned long taken;
};

#define ENTRY(n) ((struct entry *)((char *)(n) - offsetof(struct entry, node)))

/* Run the wheel until it is empty, as xtcp_tw_tick() does. */
static unsigned long run_until_empty(struct xtcp_wheel *w, unsigned int quota,
				     unsigned int *entries, unsigned int *ticks)
{
	struct xtcp_wheel_node *list, *n, *again;
	unsigned long now = 0;
	bool spill;

	while (*entries) {
		now = w->next_tick;
		(*ticks)++;
		do {
			list = xtcp_wheel_take(w, quota, &spill);
			again = NULL;
			while ((n = list)) {
				list = n->next;
				if ((long)(now - ENTRY(n)->expires) >= 0) {
					ENTRY(n)->taken = now;
					(*entries)--;
				} else {
					n->next = again;
					again = n;
				}
			}
			if (!spill)
				xtcp_wheel_advance(w, w->tick);
			while ((n = again)) {
				again = n->next;
				xtcp_wheel_place(w, n, ENTRY(n)->expires);
			}
		} while (spill);
	}
	return now;
}

TEST(expiry_within_one_tick)
{
	static struct entry e[2000];
	struct xtcp_wheel w = { .tick = 16, .next_tick = 1016 };
	unsigned int i, left = 2000, ticks = 0;

	srand(1);
	for (i = 0; i < 2000; i++) {
		/* From the next tick on, within the wheel's span and up to
		 * three times beyond it.
		 */
		e[i].expires = 1016 + rand() % (4 * 64 * 16);
		xtcp_wheel_place(&w, &e[i].node, e[i].expires);
	}
	run_until_empty(&w, 100000, &left, &ticks);
	for (i = 0; i < 2000; i++) {
		ASSERT_LE(e[i].expires, e[i].taken) TH_LOG("entry %u", i);
		ASSERT_GT(e[i].expires + 16, e[i].taken) TH_LOG("entry %u", i);
	}
}

TEST(already_due_goes_to_next_tick)
{
	struct xtcp_wheel w = { .tick = 10, .next_tick = 100 };
	struct entry e = { .expires = 50 };
	unsigned int left = 1, ticks = 0;

	xtcp_wheel_place(&w, &e.node, e.expires);
	run_until_empty(&w, 10, &left, &ticks);
	EXPECT_EQ(100, e.taken);
	EXPECT_EQ(1, ticks);
}

TEST(quota_spills_to_next_run)
{
	static struct entry e[600];
	struct xtcp_wheel w = { .tick = 10, .next_tick = 10 };
	struct xtcp_wheel_node *list, *n;
	unsigned int i, got;
	bool spill;

	for (i = 0; i < 600; i++) {
		e[i].expires = 10;
		xtcp_wheel_place(&w, &e[i].node, e[i].expires);
	}
	for (got = 0, list = xtcp_wheel_take(&w, 256, &spill); (n = list);
	     list = n->next)
		got++;
	EXPECT_EQ(256, got);
	EXPECT_TRUE(spill);
	for (got = 0, list = xtcp_wheel_take(&w, 256, &spill); (n = list);
	     list = n->next)
		got++;
	EXPECT_EQ(256, got);
	EXPECT_TRUE(spill);
	for (got = 0, list = xtcp_wheel_take(&w, 256, &spill); (n = list);
	     list = n->next)
		got++;
	EXPECT_EQ(88, got);
	EXPECT_FALSE(spill);
}

/* A restarted expiry is honoured when the old slot comes up. */
TEST(restart_moves_entry)
{
	struct xtcp_wheel w = { .tick = 10, .next_tick = 10 };
	struct entry e = { .expires = 100 };
	unsigned int left = 1, ticks = 0;

	xtcp_wheel_place(&w, &e.node, e.expires);
	e.expires = 400;	/* restarted: the node stays in its slot */
	run_until_empty(&w, 10, &left, &ticks);
	EXPECT_EQ(400, e.taken);
}

/* The clock moves by whole ticks from its own value. */
TEST(clock_does_not_drift)
{
	struct xtcp_wheel w = { .tick = 7, .next_tick = 7 };
	unsigned int i;

	for (i = 0; i < 1000; i++)
		xtcp_wheel_advance(&w, 7);
	EXPECT_EQ(7 + 1000 * 7, w.next_tick);
	EXPECT_EQ(1000 % XTCP_WHEEL_SLOTS, w.cur);
}

TEST(wraps_with_the_clock)
{
	struct xtcp_wheel w = { .tick = 16 };
	struct entry e;
	unsigned int left = 1, ticks = 0;

	w.next_tick = (unsigned long)-40;
	e.expires = 100;	/* after the clock wrapped */
	xtcp_wheel_place(&w, &e.node, e.expires);
	run_until_empty(&w, 10, &left, &ticks);
	EXPECT_LE(0, (long)(e.taken - e.expires));
	EXPECT_GT(16, (long)(e.taken - e.expires));
}

TEST_HARNESS_MAIN
