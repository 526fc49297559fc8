/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The slots and clock of the TIME_WAIT timing wheel, as pure logic
 * shared by the module (xtcp_tw.c adds the locking, the timer and the
 * entries) and the userspace unit tests, which run it against a
 * simulated clock.
 *
 * The wheel has XTCP_WHEEL_SLOTS slots of @tick clock units.  Slot @cur
 * is processed at @next_tick, the next one @tick later, and so on.  An
 * entry expiring at E is placed in the first slot processed at or after
 * E, n = ceil((E - next_tick) / tick) slots ahead, so it is taken off the
 * wheel at a time T with E <= T < E + tick.  Entries further away than
 * the wheel spans go to its last slot and are placed again when taken.
 */
#ifndef _XTCP_WHEEL_H
#define _XTCP_WHEEL_H

#include <linux/types.h>

#define XTCP_WHEEL_SLOTS	64

/**
 * struct xtcp_wheel_node - link of an entry in its slot
 * @next: next entry of the slot
 */
struct xtcp_wheel_node {
	struct xtcp_wheel_node *next;
};

/**
 * struct xtcp_wheel - slots and clock of a timing wheel
 * @slots: entries by slot, singly linked
 * @cur: slot processed at @next_tick
 * @tick: slot width, in clock units (jiffies in the kernel)
 * @next_tick: clock value at which slot @cur is processed
 */
struct xtcp_wheel {
	struct xtcp_wheel_node *slots[XTCP_WHEEL_SLOTS];
	unsigned int cur;
	unsigned long tick;
	unsigned long next_tick;
};

/**
 * xtcp_wheel_place() - put an entry in the slot of its expiry time
 * @w: the wheel, with @tick > 0
 * @node: the entry's link
 * @expires: clock value at which the entry expires
 */
static inline void xtcp_wheel_place(struct xtcp_wheel *w,
				    struct xtcp_wheel_node *node,
				    unsigned long expires)
{
	long delta = (long)(expires - w->next_tick);
	unsigned long n = delta <= 0 ? 0 : (delta + w->tick - 1) / w->tick;
	unsigned int slot;

	if (n > XTCP_WHEEL_SLOTS - 1)
		n = XTCP_WHEEL_SLOTS - 1;
	slot = (w->cur + n) % XTCP_WHEEL_SLOTS;
	node->next = w->slots[slot];
	w->slots[slot] = node;
}

/**
 * xtcp_wheel_take() - take entries off the current slot
 * @w: the wheel
 * @quota: most entries to take
 * @spill: set to whether entries remain in the slot
 *
 * Return: the entries taken, linked through next, or NULL.
 */
static inline struct xtcp_wheel_node *xtcp_wheel_take(struct xtcp_wheel *w,
						      unsigned int quota,
						      bool *spill)
{
	struct xtcp_wheel_node *list = w->slots[w->cur], *last = list;
	unsigned int n = 1;

	*spill = false;
	if (!list)
		return NULL;
	while (last->next && n < quota) {
		last = last->next;
		n++;
	}
	w->slots[w->cur] = last->next;
	last->next = NULL;
	*spill = w->slots[w->cur];
	return list;
}

/**
 * xtcp_wheel_advance() - move on to the next slot
 * @w: the wheel, its current slot empty
 * @tick: slot width from now on
 *
 * The clock advances from its own last value, not from the time the
 * caller runs, so that late ticks do not add up.
 */
static inline void xtcp_wheel_advance(struct xtcp_wheel *w, unsigned long tick)
{
	w->cur = (w->cur + 1) % XTCP_WHEEL_SLOTS;
	w->tick = tick;
	w->next_tick += tick;
}

#endif /* _XTCP_WHEEL_H */
