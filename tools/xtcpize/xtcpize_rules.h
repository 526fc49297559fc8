/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xtcpize: which socket() calls become xtcp, and the protocol number.
 * Pure logic, shared by libxtcpize.so and its userspace unit test
 * (selftests/unit/xtcp_unit_xtcpize.c).
 */
#ifndef _XTCPIZE_RULES_H
#define _XTCPIZE_RULES_H

#include <stdbool.h>
#include <sys/socket.h>
#include <netinet/in.h>

#define XTCPIZE_DEFAULT_PROTOCOL	253

/*
 * xtcpize_wants() - whether socket(@domain, @type, @protocol) asks for
 * TCP: an IPv4 or IPv6 stream socket with protocol 0 (the default, TCP)
 * or IPPROTO_TCP.  The flags or'ed into @type (SOCK_NONBLOCK,
 * SOCK_CLOEXEC) do not matter; they are passed on unchanged.
 */
static inline bool xtcpize_wants(int domain, int type, int protocol)
{
	if (domain != AF_INET && domain != AF_INET6)
		return false;
	if ((type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) != SOCK_STREAM)
		return false;
	return protocol == 0 || protocol == IPPROTO_TCP;
}

/*
 * xtcpize_parse_protocol() - the protocol number in @buf, the contents
 * of /sys/module/xtcp/parameters/protocol or of $XTCPIZE_PROTOCOL: a
 * decimal number from 1 to 255, optionally followed by a newline.
 * Returns it, or -1 if @buf holds anything else.
 */
static inline int xtcpize_parse_protocol(const char *buf)
{
	int n = 0, digits = 0;

	for (; *buf >= '0' && *buf <= '9'; buf++, digits++) {
		if (digits == 3)
			return -1;
		n = n * 10 + (*buf - '0');
	}
	if (*buf == '\n')
		buf++;
	if (!digits || *buf || n < 1 || n > 255)
		return -1;
	/* The kernel's own TCP is what xtcpize moves programs away from. */
	if (n == IPPROTO_TCP)
		return -1;
	return n;
}

#endif /* _XTCPIZE_RULES_H */
