/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a listener does with a segment: RFC 9293 section 3.10.7.2 for a
 * segment of no connection, and the handshake of a request (the
 * listener's SYN_RECV connections live in struct xtcp_request, not in
 * sockets) for one that matches a request.  A SYN of no request gets a
 * request, a SYN cookie or nothing, as Linux's tcp_conn_request().
 *
 * Pure functions of the segment's flags and numbers and of the
 * listener's room, shared by the module (xtcp_conn.c takes req_lock,
 * fills in struct xtcp_listen_room, then counts and acts) and the
 * userspace unit tests: it must not depend on anything kernel-only.
 */
#ifndef _XTCP_LISTEN_H
#define _XTCP_LISTEN_H

#include <linux/types.h>

#include "xtcp_wire.h"

/**
 * enum xtcp_listen_action - what a listener does with a segment
 * @XTCP_LISTEN_DROP: nothing more
 * @XTCP_LISTEN_RESET: answer with a RST
 * @XTCP_LISTEN_FORGET: the request was reset: free it
 * @XTCP_LISTEN_COMPLETE: the handshake is complete
 * @XTCP_LISTEN_RECHECK: an ACK of no request: look again
 * @XTCP_LISTEN_SYNACK: the SYN again: send the SYN-ACK again
 * @XTCP_LISTEN_REQUEST: a SYN with room: make a request
 * @XTCP_LISTEN_COOKIE: a SYN to answer with a cookie
 */
enum xtcp_listen_action {
	XTCP_LISTEN_DROP,
	XTCP_LISTEN_RESET,
	XTCP_LISTEN_FORGET,
	XTCP_LISTEN_COMPLETE,
	XTCP_LISTEN_RECHECK,
	XTCP_LISTEN_SYNACK,
	XTCP_LISTEN_REQUEST,
	XTCP_LISTEN_COOKIE,
};

/**
 * enum xtcp_listen_count - the counters a dropped segment adds to
 * @XTCP_LISTEN_COUNT_NONE: none
 * @XTCP_LISTEN_COUNT_DROP: ListenDrops
 * @XTCP_LISTEN_COUNT_OVERFLOW: ListenOverflows and ListenDrops
 */
enum xtcp_listen_count {
	XTCP_LISTEN_COUNT_NONE,
	XTCP_LISTEN_COUNT_DROP,
	XTCP_LISTEN_COUNT_OVERFLOW,
};

/**
 * struct xtcp_listen_room - what a listener has room for, under req_lock
 * @syncookies: sysctl syncookies (0 never, 1 when the requests are
 *	full, 2 always)
 * @requests_full: no room for another request
 * @acceptq_full: the accept queue is full
 * @completing: a request's child is being created (nr_completing)
 */
struct xtcp_listen_room {
	int syncookies;
	bool requests_full;
	bool acceptq_full;
	bool completing;
};

/**
 * xtcp_listen_syn() - a SYN of no request
 * @room: the listener's room
 * @count: set to the counters to add to
 *
 * Return: %XTCP_LISTEN_REQUEST, %XTCP_LISTEN_COOKIE or %XTCP_LISTEN_DROP.
 */
static inline enum xtcp_listen_action
xtcp_listen_syn(const struct xtcp_listen_room *room,
		enum xtcp_listen_count *count)
{
	bool want_cookie = room->syncookies == 2 || room->requests_full;

	*count = XTCP_LISTEN_COUNT_NONE;
	if (want_cookie && !room->syncookies) {
		*count = XTCP_LISTEN_COUNT_DROP;
		return XTCP_LISTEN_DROP;
	}
	/* No cookie either: its ACK would find no room. */
	if (room->acceptq_full) {
		*count = XTCP_LISTEN_COUNT_OVERFLOW;
		return XTCP_LISTEN_DROP;
	}
	return want_cookie ? XTCP_LISTEN_COOKIE : XTCP_LISTEN_REQUEST;
}

/**
 * xtcp_listen_request() - a segment for an existing request
 * @flags: the segment's %XTCP_FLAG_* flags
 * @seq: its sequence number
 * @ack: its acknowledgment number
 * @irs: the request's initial receive sequence number (the peer's SYN)
 * @iss: the request's initial send sequence number (our SYN-ACK)
 * @room: the listener's room
 * @count: set to the counters to add to
 *
 * The caller unlinks the request on %XTCP_LISTEN_FORGET and
 * %XTCP_LISTEN_COMPLETE, and on %XTCP_LISTEN_SYNACK sends the SYN-ACK
 * again.
 *
 * Return: what the listener does.
 */
static inline enum xtcp_listen_action
xtcp_listen_request(u8 flags, u32 seq, u32 ack, u32 irs, u32 iss,
		    const struct xtcp_listen_room *room,
		    enum xtcp_listen_count *count)
{
	*count = XTCP_LISTEN_COUNT_NONE;
	if (flags & XTCP_FLAG_RST)
		return seq == irs + 1 ? XTCP_LISTEN_FORGET : XTCP_LISTEN_DROP;
	if (flags & XTCP_FLAG_SYN) {
		/* The SYN again: our SYN-ACK was lost. */
		if (seq != irs || (flags & XTCP_FLAG_ACK))
			return XTCP_LISTEN_DROP;
		return XTCP_LISTEN_SYNACK;
	}
	if (!(flags & XTCP_FLAG_ACK))
		return XTCP_LISTEN_DROP;
	if (ack != iss + 1)
		return XTCP_LISTEN_RESET;
	if (seq != irs + 1)
		return XTCP_LISTEN_DROP;
	if (room->acceptq_full) {
		/* Keep the request: the peer will send its ACK again. */
		*count = XTCP_LISTEN_COUNT_OVERFLOW;
		return XTCP_LISTEN_DROP;
	}
	return XTCP_LISTEN_COMPLETE;
}

/**
 * xtcp_listen_no_request() - a segment for a listener, of no request
 * @flags: the segment's %XTCP_FLAG_* flags
 * @room: the listener's room
 * @count: set to the counters to add to
 *
 * Return: what the listener does.
 */
static inline enum xtcp_listen_action
xtcp_listen_no_request(u8 flags, const struct xtcp_listen_room *room,
		       enum xtcp_listen_count *count)
{
	*count = XTCP_LISTEN_COUNT_NONE;
	if (flags & XTCP_FLAG_RST)
		return XTCP_LISTEN_DROP;
	/*
	 * Another CPU may be creating the socket this ACK belongs to (the
	 * segments after a lost final ACK come close together): it is in
	 * neither table yet.  Drop rather than reset a connection that
	 * is being born; the peer sends the segment again.  Or it has
	 * just put it in the established table, after our lookup there
	 * missed it: the caller looks again before it resets.
	 */
	if ((flags & XTCP_FLAG_ACK) && room->completing)
		return XTCP_LISTEN_DROP;
	if (flags & XTCP_FLAG_ACK)
		return XTCP_LISTEN_RECHECK;
	if (!(flags & XTCP_FLAG_SYN))
		return XTCP_LISTEN_DROP;
	return xtcp_listen_syn(room, count);
}

#endif /* _XTCP_LISTEN_H */
