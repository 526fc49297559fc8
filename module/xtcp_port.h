/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The order in which connect() tries ephemeral ports (xtcp_table.c), as
 * Linux 6.1's __inet_hash_connect(): RFC 6056 section 3.3.4, algorithm 4
 * ("double-hash port selection").
 *
 * A keyed hash F(local address, remote address, remote port, time/10 s)
 * gives each destination two numbers: an index into a table of
 * perturbations and an offset.  The search starts at
 *
 *	(table[index] + offset) % span, rounded down to even
 *
 * and walks the range two ports at a time, ports of @low's parity first
 * (bind(0) and listen() start with the other parity, so the two rarely
 * compete), then the others.  After a connect() found its port i steps
 * in, table[index] grows by max(i, 2 * random(0..7)) + 2: the next
 * connection to the same destination starts past the ports just used,
 * while different destinations walk from unrelated places, and an
 * observer learns nothing from one destination's ports about another's.
 *
 * span is the number of ports in the range rounded down to even, as
 * Linux's: with an odd number of ports, one of them is never tried by
 * a given walk (which one depends on the start), which is why Linux's
 * documentation asks for range ends of different parity.
 *
 * Pure logic shared by the module and the userspace unit tests: it must
 * not depend on anything kernel-only.
 */
#ifndef _XTCP_PORT_H
#define _XTCP_PORT_H

#include <linux/types.h>

/*
 * Entries of the perturbation table, a power of 2: 2^16 as Linux's
 * default INET_TABLE_PERTURB_ORDER, since attacks on RFC 6056's 10 were
 * shown.  256 KiB.
 */
#define XTCP_PORT_PERTURB_SIZE	65536U

/**
 * xtcp_port_span() - how many ports one walk steps over
 * @low: first port of ip_local_port_range
 * @end: one past its last port
 *
 * Return: @end - @low, rounded down to even when above 1.
 */
static inline u32 xtcp_port_span(u32 low, u32 end)
{
	u32 span = end - low;

	return span > 1 ? span & ~1U : span;
}

/**
 * xtcp_port_start() - where a walk starts, as an offset from @low
 * @perturb: the perturbation table's entry for the destination
 * @offset: the destination's offset (the high half of its hash)
 * @span: xtcp_port_span() of the range, at least 1
 *
 * Return: an even offset below @span (0 when @span is 1).
 */
static inline u32 xtcp_port_start(u32 perturb, u32 offset, u32 span)
{
	return ((perturb + offset) % span) & ~1U;
}

/**
 * xtcp_port_at() - the port step @i of a walk tries
 * @low: first port of the range
 * @end: one past its last port
 * @span: xtcp_port_span() of the range
 * @start: the walk's offset from @low (xtcp_port_start(), plus 1 for
 *	the second pass, which tries the other parity)
 * @i: the step, even, below @span
 *
 * Linux's loop moves two ports a step and wraps at @end by @span.
 *
 * Return: the port.
 */
static inline u32 xtcp_port_at(u32 low, u32 end, u32 span, u32 start, u32 i)
{
	u32 port = low + start + i;

	return port >= end ? port - span : port;
}

/**
 * xtcp_port_perturb_step() - how far a destination's next walk moves
 * @i: the step at which this walk found its port
 * @rnd: a random number below 8
 *
 * Under little contention the move is random, so that successive ports
 * to one destination are not consecutive; under much it skips the ports
 * just found busy.
 *
 * Return: max(@i, 2 * @rnd) + 2, what Linux adds to the table entry.
 */
static inline u32 xtcp_port_perturb_step(u32 i, u32 rnd)
{
	return (i > 2 * rnd ? i : 2 * rnd) + 2;
}

#endif /* _XTCP_PORT_H */
