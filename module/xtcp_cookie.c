// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp SYN cookies (RFC 4987 section 3.6): when a listener's request
 * queue is full (sysctl syncookies 1) or always (2), a SYN is answered
 * without keeping any state, with an initial sequence number that
 * encodes what the final ACK needs to create the connection: a MAC of
 * the 4-tuple and the peer's ISN, a minute counter that bounds the
 * cookie's life, and the index of the peer's MSS in a table: Linux's
 * IPv4 table for an IPv4 (or v4-mapped) peer, its IPv6 one
 * (net/ipv6/syncookies.c) for an IPv6 peer.
 *
 * The layout is Linux's (net/ipv4/syncookies.c), with xtcp's own
 * siphash keys, drawn when the module loads: TCP's are not exported,
 * and sharing them would make an xtcp cookie a valid TCP cookie.
 *
 *	cookie = H0(4-tuple) + peer ISN + (count << 24)
 *		 + ((H1(4-tuple, count) + MSS index) & 0xffffff)
 *
 * where count is the minute counter when the cookie was made (the
 * arithmetic is in xtcp_cookie.h, shared with the unit tests).  A cookie
 * is valid while the counter has not moved on by XTCP_COOKIE_MAX_AGE
 * (so for one to two minutes), and only when the low 24 bits, less
 * H1 at its count, give an index in the table.  Nothing else rides in
 * the cookie: window scale, SACK and timestamps are not offered in a
 * cookie's SYN-ACK (Documentation/security.rst).
 */
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/random.h>
#include <linux/siphash.h>

#include "xtcp.h"

static siphash_aligned_key_t xtcp_cookie_key[2] __read_mostly;

/**
 * xtcp_cookie_init() - draw the cookie keys, at module load
 */
void xtcp_cookie_init(void)
{
	get_random_bytes(xtcp_cookie_key, sizeof(xtcp_cookie_key));
}

/* The minute counter: jiffies / 60 s. */
static u32 xtcp_cookie_time(void)
{
	u64 val = get_jiffies_64();

	do_div(val, XTCP_COOKIE_PERIOD);
	return val;
}

/* The MACs: the peer's address and port first, as they came in. */
static u32 xtcp_cookie_hash(const struct in6_addr *saddr,
			    const struct in6_addr *daddr, __be16 sport,
			    __be16 dport, u32 count, int c)
{
	u32 ports = (__force u32)sport << 16 | (__force u32)dport;

	if (!xtcp_addr_is_v4(saddr))
		return xtcp_siphash6(saddr, daddr, ports, count,
				     &xtcp_cookie_key[c]);
	return siphash_4u32((__force u32)xtcp_addr_v4(saddr),
			    (__force u32)xtcp_addr_v4(daddr), ports, count,
			    &xtcp_cookie_key[c]);
}

/**
 * xtcp_cookie_make() - the initial sequence number of a cookie SYN-ACK
 * @saddr: the peer's address (IPv4 v4-mapped)
 * @daddr: ours
 * @sport: the peer's port
 * @dport: ours
 * @isn: the peer's initial sequence number (its SYN's)
 * @mss: the MSS the peer announced; set to the one the cookie encodes
 *
 * Return: the cookie.
 */
u32 xtcp_cookie_make(const struct in6_addr *saddr,
		     const struct in6_addr *daddr, __be16 sport,
		     __be16 dport, u32 isn, u16 *mss)
{
	u32 h0 = xtcp_cookie_hash(saddr, daddr, sport, dport, 0, 0);
	u32 count = xtcp_cookie_time();
	bool v6 = !xtcp_addr_is_v4(saddr);
	u32 i = xtcp_cookie_mss_index(*mss, v6);
	u32 h1;

	h1 = xtcp_cookie_hash(saddr, daddr, sport, dport, count, 1);
	*mss = xtcp_cookie_mss(i, v6);
	return xtcp_cookie_pack(h0, h1, isn, count, i);
}

/**
 * xtcp_cookie_check() - is an ACK the answer to one of our cookies?
 * @saddr: the peer's address (IPv4 v4-mapped)
 * @daddr: ours
 * @sport: the peer's port
 * @dport: ours
 * @isn: the peer's initial sequence number: the ACK's sequence number
 *	less one
 * @cookie: the ACK's acknowledgment number less one
 *
 * Return: the MSS the cookie encodes, or 0 when it is not a cookie we
 * made in the last %XTCP_COOKIE_MAX_AGE minutes.
 */
u16 xtcp_cookie_check(const struct in6_addr *saddr,
		      const struct in6_addr *daddr, __be16 sport,
		      __be16 dport, u32 isn, u32 cookie)
{
	u32 h0 = xtcp_cookie_hash(saddr, daddr, sport, dport, 0, 0);
	u32 count = xtcp_cookie_time();
	u32 age, h1;

	age = xtcp_cookie_age(cookie, h0, isn, count);
	if (age >= XTCP_COOKIE_MAX_AGE)
		return 0;
	h1 = xtcp_cookie_hash(saddr, daddr, sport, dport, count - age, 1);
	return xtcp_cookie_mss(xtcp_cookie_data(cookie, h0, isn, h1),
			       !xtcp_addr_is_v4(saddr));
}
