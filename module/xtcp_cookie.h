/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SYN cookie arithmetic (xtcp_cookie.c), as Linux's
 * secure_tcp_syn_cookie() and check_tcp_syn_cookie():
 *
 *	cookie = h0 + isn + (count << 24) + ((h1 + data) & 0xffffff)
 *
 * h0 is a MAC of the 4-tuple, h1 a second one keyed by the minute
 * counter @count, isn the peer's initial sequence number and data the
 * index of the peer's MSS in a table (one per address family).  The MACs come from the caller
 * (siphash in the module, anything in the unit tests).
 *
 * Pure logic shared by the module and the userspace unit tests: it must
 * not depend on anything kernel-only.
 */
#ifndef _XTCP_COOKIE_H
#define _XTCP_COOKIE_H

#include <linux/types.h>

#define XTCP_COOKIE_BITS	24
#define XTCP_COOKIE_MASK	((1U << XTCP_COOKIE_BITS) - 1)
#define XTCP_COOKIE_MAX_AGE	2	/* Linux's MAX_SYNCOOKIE_AGE */
#define XTCP_COOKIE_MSS_N	4

/**
 * xtcp_cookie_mss() - the MSS a cookie's index stands for
 * @i: the index
 * @v6: whether the cookie is for an IPv6 peer
 *
 * Linux's msstab of net/ipv4/syncookies.c for IPv4: RFC 9293's default,
 * tunnels and PPPoE, Ethernet.  For IPv6 that of net/ipv6/syncookies.c:
 * the minimum MTU (RFC 8200), tunnels, Ethernet and jumbo frames, less
 * 60 bytes of IPv6 and TCP headers.
 *
 * Return: the MSS, or 0 for an index outside the table.
 */
static inline u16 xtcp_cookie_mss(u32 i, bool v6)
{
	static const u16 msstab[XTCP_COOKIE_MSS_N] = { 536, 1300, 1440, 1460 };
	static const u16 msstab6[XTCP_COOKIE_MSS_N] = {
		1280 - 60, 1480 - 60, 1500 - 60, 9000 - 60,
	};

	if (i >= XTCP_COOKIE_MSS_N)
		return 0;
	return v6 ? msstab6[i] : msstab[i];
}

/**
 * xtcp_cookie_mss_index() - the index of the MSS a cookie gives a peer
 * @mss: the MSS the peer announced
 * @v6: whether the peer is an IPv6 one
 *
 * Return: the index of the largest MSS of the family's table not above
 * @mss, or of the smallest when all are (as Linux's
 * __cookie_v4_init_sequence() and __cookie_v6_init_sequence()).
 */
static inline u32 xtcp_cookie_mss_index(u16 mss, bool v6)
{
	u32 i;

	for (i = XTCP_COOKIE_MSS_N - 1; i; i--)
		if (mss >= xtcp_cookie_mss(i, v6))
			break;
	return i;
}

/**
 * xtcp_cookie_pack() - make a cookie
 * @h0: MAC of the 4-tuple
 * @h1: MAC of the 4-tuple and @count
 * @isn: the peer's initial sequence number
 * @count: the minute counter now
 * @data: what the cookie carries, below 2^24
 *
 * Return: the cookie, our initial sequence number.
 */
static inline u32 xtcp_cookie_pack(u32 h0, u32 h1, u32 isn, u32 count,
				   u32 data)
{
	return h0 + isn + (count << XTCP_COOKIE_BITS) +
	       ((h1 + data) & XTCP_COOKIE_MASK);
}

/**
 * xtcp_cookie_age() - how many counter ticks ago a cookie was made
 * @cookie: the ACK's acknowledgment number less one
 * @h0: MAC of the ACK's 4-tuple
 * @isn: the ACK's sequence number less one
 * @count: the minute counter now
 *
 * Only the counter's low 8 bits are in the cookie: ages are modulo 256.
 *
 * Return: the age; %XTCP_COOKIE_MAX_AGE or more means no valid cookie.
 */
static inline u32 xtcp_cookie_age(u32 cookie, u32 h0, u32 isn, u32 count)
{
	cookie -= h0 + isn;
	return (count - (cookie >> XTCP_COOKIE_BITS)) &
	       ((u32)-1 >> XTCP_COOKIE_BITS);
}

/**
 * xtcp_cookie_data() - what a cookie carries
 * @cookie: the ACK's acknowledgment number less one
 * @h0: MAC of the ACK's 4-tuple
 * @isn: the ACK's sequence number less one
 * @h1: MAC of the 4-tuple and the counter when the cookie was made (now
 *	less xtcp_cookie_age())
 *
 * Return: the data, valid only if in the range the maker used.
 */
static inline u32 xtcp_cookie_data(u32 cookie, u32 h0, u32 isn, u32 h1)
{
	return (cookie - h0 - isn - h1) & XTCP_COOKIE_MASK;
}

#endif /* _XTCP_COOKIE_H */
