/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The connection state machine of RFC 9293 section 3.3.2, as a pure
 * function of (state, event), shared by the module and the userspace unit
 * tests, which check it against the whole diagram.  What each transition
 * sends and which timers it starts stay with the callers.
 */
#ifndef _XTCP_FSM_H
#define _XTCP_FSM_H

#include <linux/types.h>

/* The numbers of include/net/tcp_states.h (checked at build time). */
enum xtcp_state {
	XTCP_ESTABLISHED = 1,
	XTCP_SYN_SENT,
	XTCP_SYN_RECV,
	XTCP_FIN_WAIT1,
	XTCP_FIN_WAIT2,
	XTCP_TIME_WAIT,
	XTCP_CLOSE,
	XTCP_CLOSE_WAIT,
	XTCP_LAST_ACK,
	XTCP_LISTEN,
	XTCP_CLOSING,
};

/**
 * enum xtcp_event - what moves a connection from one state to another
 * @XTCP_EV_CONNECT: active open, connect()
 * @XTCP_EV_LISTEN: passive open, listen()
 * @XTCP_EV_RCV_SYN: a SYN without ACK (in SYN_SENT: simultaneous open)
 * @XTCP_EV_RCV_SYNACK: a SYN-ACK acknowledging our SYN
 * @XTCP_EV_RCV_ACK_OF_SYN: an ACK acknowledging our SYN
 * @XTCP_EV_CLOSE: close(), or shutdown(SHUT_WR)
 * @XTCP_EV_RCV_FIN: the peer's FIN, in sequence
 * @XTCP_EV_FIN_ACKED: the peer acknowledged our FIN
 * @XTCP_EV_RCV_RST: an acceptable reset
 * @XTCP_EV_TIMEOUT: 2*MSL in TIME_WAIT, or retransmissions exhausted
 * @XTCP_EV_ABORT: the connection is dropped at once, by the user (an
 *	abortive close(), connect(AF_UNSPEC)) or by the module (an ICMP
 *	error while connecting, an orphan over the limits, a socket that
 *	hands its TIME_WAIT to a compact entry)
 */
enum xtcp_event {
	XTCP_EV_CONNECT,
	XTCP_EV_LISTEN,
	XTCP_EV_RCV_SYN,
	XTCP_EV_RCV_SYNACK,
	XTCP_EV_RCV_ACK_OF_SYN,
	XTCP_EV_CLOSE,
	XTCP_EV_RCV_FIN,
	XTCP_EV_FIN_ACKED,
	XTCP_EV_RCV_RST,
	XTCP_EV_TIMEOUT,
	XTCP_EV_ABORT,
};

/* The last event, for loops over all of them. */
#define XTCP_EV_LAST XTCP_EV_ABORT

/**
 * xtcp_fsm_next() - the state after an event
 * @state: current state (enum xtcp_state)
 * @ev: the event
 * @send_fin: set to whether the transition sends our FIN
 *
 * A listener's SYN_RECV lives in a request entry, not in the listener,
 * so LISTEN stays LISTEN on a SYN.  A reset leaves TIME_WAIT alone
 * here: a socket hands TIME_WAIT over to an entry at once, and what an
 * entry does with a RST (sysctl rfc1337) is xtcp_twseg()'s.  An event
 * that means nothing in @state leaves it as is; in particular, nothing
 * leaves CLOSE but CONNECT and LISTEN.
 *
 * Return: the new state.
 */
static inline int xtcp_fsm_next(int state, enum xtcp_event ev, bool *send_fin)
{
	*send_fin = false;
	switch (ev) {
	case XTCP_EV_CONNECT:
		return state == XTCP_CLOSE ? XTCP_SYN_SENT : state;
	case XTCP_EV_LISTEN:
		return state == XTCP_CLOSE ? XTCP_LISTEN : state;
	case XTCP_EV_RCV_SYN:
		return state == XTCP_SYN_SENT ? XTCP_SYN_RECV : state;
	case XTCP_EV_RCV_SYNACK:
		return state == XTCP_SYN_SENT ? XTCP_ESTABLISHED : state;
	case XTCP_EV_RCV_ACK_OF_SYN:
		return state == XTCP_SYN_RECV ? XTCP_ESTABLISHED : state;
	case XTCP_EV_CLOSE:
		switch (state) {
		case XTCP_SYN_RECV:
		case XTCP_ESTABLISHED:
			*send_fin = true;
			return XTCP_FIN_WAIT1;
		case XTCP_CLOSE_WAIT:
			*send_fin = true;
			return XTCP_LAST_ACK;
		case XTCP_LISTEN:
		case XTCP_SYN_SENT:
			return XTCP_CLOSE;
		}
		return state;
	case XTCP_EV_RCV_FIN:
		switch (state) {
		case XTCP_SYN_RECV:
		case XTCP_ESTABLISHED:
			return XTCP_CLOSE_WAIT;
		case XTCP_FIN_WAIT1:
			return XTCP_CLOSING;
		case XTCP_FIN_WAIT2:
			return XTCP_TIME_WAIT;
		}
		return state;
	case XTCP_EV_FIN_ACKED:
		switch (state) {
		case XTCP_FIN_WAIT1:
			return XTCP_FIN_WAIT2;
		case XTCP_CLOSING:
			return XTCP_TIME_WAIT;
		case XTCP_LAST_ACK:
			return XTCP_CLOSE;
		}
		return state;
	case XTCP_EV_RCV_RST:
		return state == XTCP_LISTEN || state == XTCP_TIME_WAIT ||
		       state == XTCP_CLOSE ? state : XTCP_CLOSE;
	case XTCP_EV_TIMEOUT:
		/* RFC 9293 3.10.8: the user timeout, and TIME_WAIT's. */
		return state == XTCP_LISTEN ? state : XTCP_CLOSE;
	case XTCP_EV_ABORT:
		/*
		 * RFC 9293 3.10.5: ABORT enters CLOSED from every state
		 * (a reset is sent from the synchronized ones, by the
		 * caller); in CLOSED, "connection does not exist".
		 */
		return XTCP_CLOSE;
	}
	return state;
}

#endif /* _XTCP_FSM_H */
