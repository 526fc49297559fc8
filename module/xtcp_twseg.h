/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a TIME_WAIT entry does with a segment of its 4-tuple: RFC 9293
 * section 3.10.7.4 for TIME-WAIT, RFC 1337's fix against TIME-WAIT
 * assassination (a RST, whatever its sequence number, must not cut
 * TIME_WAIT short) and, as Linux's tcp_timewait_state_process(), a SYN
 * above the old sequence space reopening the 4-tuple.
 *
 * A pure function of the segment's flags and sequence number and of the
 * entry's rcv_nxt, shared by the module (xtcp_tw.c acts on the answer:
 * kills the entry, restarts its 2*MSL, rate-limits and sends the ACK)
 * and the userspace unit tests: it must not depend on anything
 * kernel-only.
 */
#ifndef _XTCP_TWSEG_H
#define _XTCP_TWSEG_H

#include <linux/types.h>

#include "xtcp_seq.h"
#include "xtcp_wire.h"

/**
 * enum xtcp_twseg_action - what a TIME_WAIT entry does with a segment
 * @XTCP_TWSEG_DROP: a RST: drop it, send nothing and keep TIME_WAIT
 *	(RFC 1337)
 * @XTCP_TWSEG_REOPEN: a SYN above the old sequence space: close the
 *	entry and let the SYN open a new connection
 * @XTCP_TWSEG_REARM: the peer's FIN again, our last ACK was lost: start
 *	2*MSL over and send that ACK again, not rate-limited
 * @XTCP_TWSEG_ACK: anything else (an ACK, data in or out of the window,
 *	an old SYN): answer with an ACK of the connection's end, at most
 *	once per invalid_ratelimit_ms
 */
enum xtcp_twseg_action {
	XTCP_TWSEG_DROP,
	XTCP_TWSEG_REOPEN,
	XTCP_TWSEG_REARM,
	XTCP_TWSEG_ACK,
};

/**
 * xtcp_twseg() - decide what a TIME_WAIT entry does with a segment
 * @flags: the segment's %XTCP_FLAG_* flags
 * @seq: its sequence number
 * @rcv_nxt: the entry's rcv_nxt, just past the peer's FIN
 *
 * Neither the acknowledgment number nor the window is looked at: the
 * entry has nothing left to send or to receive, so whatever is not a
 * RST, a new SYN or the FIN again is only answered with the ACK that
 * tells the peer where the connection ended.
 *
 * Return: what the entry does.
 */
static inline enum xtcp_twseg_action xtcp_twseg(u8 flags, u32 seq,
						u32 rcv_nxt)
{
	if (flags & XTCP_FLAG_RST)
		return XTCP_TWSEG_DROP;
	/* A new incarnation may start above the old sequence space. */
	if ((flags & (XTCP_FLAG_SYN | XTCP_FLAG_ACK)) == XTCP_FLAG_SYN &&
	    xtcp_seq_after(seq, rcv_nxt))
		return XTCP_TWSEG_REOPEN;
	if (flags & XTCP_FLAG_FIN)
		return XTCP_TWSEG_REARM;
	return XTCP_TWSEG_ACK;
}

#endif /* _XTCP_TWSEG_H */
