/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a TIME_WAIT entry does with a segment of its 4-tuple: RFC 9293
 * section 3.10.7.4 for TIME-WAIT, a RST as Linux's
 * tcp_timewait_state_process() takes it (sysctl rfc1337, below) and, as
 * Linux again, a SYN above the old sequence space reopening the 4-tuple.
 *
 * A RST: RFC 1337 ("TIME-WAIT Assassination Hazards in TCP") shows that
 * an old duplicate RST, or any RST a peer sends while TIME_WAIT lasts,
 * can end TIME_WAIT early and let old segments into a new incarnation
 * of the 4-tuple; its fix is to ignore every RST in TIME_WAIT, which
 * sysctl rfc1337 = 1 does.  Linux's default (tcp_rfc1337 = 0), and
 * xtcp's, ends TIME_WAIT on a RST whose sequence number is exactly the
 * entry's rcv_nxt and ignores any other: the peer that answers our ACK
 * with a RST from SYN_SENT (it wants the 4-tuple for a new connection
 * whose ISN is not above the old one's) puts our ACK's number there, so
 * its retransmitted SYN finds the 4-tuple free, while a blind attacker
 * must hit one number in 2^32.
 *
 * A bare segment (no data, SYN, FIN or RST: usually a lone ACK) at
 * exactly rcv_nxt is the one segment the entry still finds acceptable
 * (RFC 9293's test with the zero window left: SEG.SEQ = RCV.NXT), and
 * one with nothing to acknowledge: Linux answers nothing and restarts
 * TIME_WAIT, and so does xtcp.  Any other segment but a RST or a new
 * SYN is unacceptable, or a FIN, and gets the ACK of the connection's
 * end.
 *
 * A pure function of the segment's flags, sequence number and length,
 * of the entry's rcv_nxt and of the sysctl, shared by the module
 * (xtcp_tw.c acts on the answer: kills the entry, restarts its 2*MSL,
 * rate-limits and sends the ACK) and the userspace unit tests: it must
 * not depend on anything kernel-only.
 */
#ifndef _XTCP_TWSEG_H
#define _XTCP_TWSEG_H

#include <linux/types.h>

#include "xtcp_seq.h"
#include "xtcp_wire.h"

/**
 * enum xtcp_twseg_action - what a TIME_WAIT entry does with a segment
 * @XTCP_TWSEG_DROP: a RST that does not end TIME_WAIT: drop it, send
 *	nothing (no ACK to a RST, as Linux) and keep 2*MSL as it runs
 * @XTCP_TWSEG_KILL: a RST at exactly rcv_nxt, with sysctl rfc1337 0: end
 *	TIME_WAIT now, send nothing
 * @XTCP_TWSEG_REOPEN: a SYN above the old sequence space: close the
 *	entry and let the SYN open a new connection
 * @XTCP_TWSEG_REARM: the peer's FIN again, our last ACK was lost: start
 *	2*MSL over and send that ACK again, not rate-limited
 * @XTCP_TWSEG_QUIET: a bare segment (no data, SYN, FIN or RST) at
 *	exactly rcv_nxt, as Linux's TCP_TW_SUCCESS for it: start 2*MSL
 *	over and send nothing
 * @XTCP_TWSEG_ACK: anything else (an ACK off rcv_nxt, data in or out of
 *	the window, an old SYN): answer with an ACK of the connection's
 *	end, at most once per invalid_ratelimit_ms
 */
enum xtcp_twseg_action {
	XTCP_TWSEG_DROP,
	XTCP_TWSEG_KILL,
	XTCP_TWSEG_REOPEN,
	XTCP_TWSEG_REARM,
	XTCP_TWSEG_QUIET,
	XTCP_TWSEG_ACK,
};

/**
 * xtcp_twseg() - decide what a TIME_WAIT entry does with a segment
 * @flags: the segment's %XTCP_FLAG_* flags
 * @seq: its sequence number
 * @len: its payload length in bytes
 * @rcv_nxt: the entry's rcv_nxt, just past the peer's FIN
 * @rfc1337: sysctl rfc1337: true to let no RST end TIME_WAIT
 *
 * Neither the acknowledgment number nor the window is looked at, nor is
 * the ACK flag (Linux does not look at it either): the entry has nothing
 * left to send or to receive, so whatever is not a RST, a new SYN, the
 * FIN again or a bare segment at rcv_nxt is only answered with the ACK
 * that tells the peer where the connection ended.
 *
 * Return: what the entry does.
 */
static inline enum xtcp_twseg_action xtcp_twseg(u8 flags, u32 seq, u32 len,
						u32 rcv_nxt, bool rfc1337)
{
	/* Whatever else it carries (SYN, FIN, data), as Linux. */
	if (flags & XTCP_FLAG_RST)
		return !rfc1337 && seq == rcv_nxt ? XTCP_TWSEG_KILL :
						     XTCP_TWSEG_DROP;
	/*
	 * Nothing in sequence space (Linux's seq == end_seq), exactly at
	 * rcv_nxt: acceptable, and nothing to acknowledge.
	 */
	if (seq == rcv_nxt && !len &&
	    !(flags & (XTCP_FLAG_SYN | XTCP_FLAG_FIN)))
		return XTCP_TWSEG_QUIET;
	/* A new incarnation may start above the old sequence space. */
	if ((flags & (XTCP_FLAG_SYN | XTCP_FLAG_ACK)) == XTCP_FLAG_SYN &&
	    xtcp_seq_after(seq, rcv_nxt))
		return XTCP_TWSEG_REOPEN;
	if (flags & XTCP_FLAG_FIN)
		return XTCP_TWSEG_REARM;
	return XTCP_TWSEG_ACK;
}

#endif /* _XTCP_TWSEG_H */
